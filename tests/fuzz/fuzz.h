/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz/ share.
 *
 * Setup that cannot fail quietly: every helper here aborts with a message
 * when it cannot do its job, so a broken harness is never mistaken for a
 * parser that accepts nothing.  Paths to the source tree are compiled in
 * (SWN_FUZZ_SRCDIR) so that a target binary reproduces a crash on its own:
 *   fuzz-build/fuzz_as4 CRASH-FILE
 * Each target frees everything it allocates for one input before it
 * returns, so LeakSanitizer can judge every input alone.
 */
#ifndef SWN_FUZZ_H
#define SWN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "doc/doctype.h"

/* The time the date checks are judged at: inside the validity of the
 * committed certificates, and fixed, so that a run does not depend on the
 * day it happens (2027-01-01T00:00:00Z). */
#define FUZZ_NOW ((time_t)1798761600)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "fuzz: ..." and abort. */
void fuzz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* libxml2, libxmlsec1 and the schema directory, once. */
void fuzz_setup(void);

/* A scratch directory of this process, removed at exit. */
const char *fuzz_tmpdir(void);

/* Write data to FILE in the scratch directory, replacing it; its path. */
const char *fuzz_write(const char *file, const uint8_t *data, size_t size);

/* The document type registry of the source tree's schemas/, loaded once. */
const struct swn_registry *fuzz_registry(void);

/* The peer the committed seed messages come from
 * (tests/fuzz/peer-bundle.xml): its signing or TLS certificate. */
X509 *fuzz_peer_signing(void);
X509 *fuzz_peer_tls(void);
const char *fuzz_peer_bundle_path(void);

/* Run a swnode command (argv[0] its name) as the program would; abort
 * unless it exits 0. */
void fuzz_command(const char *name, int argc, char **argv);

/* A node SG-NTP in the scratch directory, made once, with an active
 * agreement AB with the committed peer CN-SW (no rate limit to speak of),
 * open as the node runs it. */
struct swn_runtime *fuzz_node(void);

#endif

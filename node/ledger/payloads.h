/*
 * payloads.h - files named by their SHA-256 in the node directory's
 * payloads/: the plaintext of eDelivery payload parts, and evidence too
 * large for the ledger's database (ledger.h, evidence kept by reference).
 *
 * A message with MIME parts is recorded in the ledger as the bytes that
 * travelled, its parts encrypted; the signature covers the parts before
 * encryption.  So that its evidence stays checkable (`ledger export`,
 * `check-bundle`), the plaintext of each part (as signed: still gzip'd)
 * is kept here, and the ledger entry's reason names its length and digest
 * (docs/ledger.md).
 *
 * Invariants:
 *  - a file's name is the lowercase hex SHA-256 of its bytes;
 *  - a file is complete and durable (written to a temporary name, fsynced,
 *    renamed, the directory fsynced) before the ledger entry naming it is
 *    written: no entry names a file that is not there, whatever crashes;
 *  - files are never changed; the node never removes one (a file no entry
 *    names, left by a crash between the two steps, is harmless).
 */
#ifndef SWN_PAYLOADS_H
#define SWN_PAYLOADS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define SWN_PAYLOADS_DIR "payloads"

/* Keep the len bytes of fd (read from offset 0 with pread) under home's
 * payloads/ (made 0700 if missing); md gets their SHA-256.  A file of that
 * name already there is kept (the same bytes).  0, or -1 with err. */
int swn_payloads_put(const char *home, int fd, uint64_t len, unsigned char md[32],
		     struct swn_err *err);

/* A new empty file in home's payloads/ (made 0700 if missing) for bytes
 * the caller writes and then keeps with swn_payloads_adopt: its
 * descriptor (read and write), and into path (size n) its temporary name,
 * or "" when it has none (O_TMPFILE: nothing is left if the process dies;
 * the caller then only closes it).  -1 with err. */
int swn_payloads_temp(const char *home, char *path, size_t n, struct swn_err *err);

/* Keep the file at tmp ("" for one without a name; fd open on it, which
 * the caller still closes) under its SHA-256: synced, linked to its name,
 * the directory synced; tmp is removed whatever happens.  len and md get its length and digest.
 * 0, or -1 with err. */
int swn_payloads_adopt(const char *home, const char *tmp, int fd, uint64_t *len,
		       unsigned char md[32], struct swn_err *err);

/* The same when the caller has hashed the file's bytes already (md): the
 * file is synced and linked under md; tmp stays (the caller's to remove).
 * A wrong md names a file by another digest: ledger verify finds it. */
int swn_payloads_keep(const char *home, const char *tmp, int fd, const unsigned char md[32],
		      struct swn_err *err);

/* The kept file for md, opened for reading without following a link: it
 * must be a regular file of exactly len bytes.  Its descriptor, or -1
 * with err (SWN_E_NOT_FOUND when there is none, SWN_E_IO when it is not
 * what the caller was told it is).  Its bytes are not hashed here. */
int swn_payloads_open(const char *home, const unsigned char md[32], uint64_t len,
		      struct swn_err *err);

/* SHA-256 of the regular file fd, read with pread from offset 0 to its
 * end, and its length: 0, or -1 when it cannot be read. */
int swn_payloads_sha256(int fd, uint64_t *len, unsigned char md[32]);

/* Remove the temporary files (".part-*", regular, never through a link)
 * older than min_age_s seconds from home's payloads/, which a process
 * killed while writing left where O_TMPFILE is not available: how many. */
int swn_payloads_sweep(const char *home, long min_age_s);

/* SHA-256 of the len bytes of fd from off (read with pread): 0, or -1
 * when they cannot all be read. */
int swn_payloads_sha256_range(int fd, uint64_t off, uint64_t len, unsigned char md[32]);

/* home/payloads/HEX for md into out (size n); -1 with err if cut. */
int swn_payloads_path(const char *home, const unsigned char md[32], char *out, size_t n,
		      struct swn_err *err);

#endif

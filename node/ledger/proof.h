/*
 * proof.h - the ledger's proof files: read, write and check them.
 *
 * A proof is one JSON object on one line (DESIGN.md, "Ledger"); hashes are
 * base64 with the RFC 4648 standard alphabet and padding:
 *
 *   {"type":"inclusion","leaf_index":N,"tree_size":N,"leaf_hash":B64,
 *    "root":B64,"proof":[B64,...]}
 *   {"type":"consistency","size1":N,"size2":N,"root1":B64,"root2":B64,
 *    "proof":[B64,...]}
 *
 * This module is the file format and a dispatch to merkle.h's verifiers.  It
 * does not open files or reach the ledger: it takes bytes and a name for
 * messages, and gives bytes.
 *
 * Invariants:
 *  - swn_proof_parse() is strict, for input that may come from anyone: at
 *    most SWN_PROOF_MAX_BYTES, exactly the keys of its type (no duplicates),
 *    integers 0..2^63-1, canonical base64 of exactly 32 bytes, at most
 *    SWN_MERKLE_MAX_PROOF path hashes, leaf_index < tree_size and
 *    size1 <= size2, no NUL byte.  Anything else fails with SWN_E_PARSE
 *    (SWN_E_EMPTY for no bytes, SWN_E_TOO_LARGE over the limit) and one line
 *    saying what is wrong; err.line is set for JSON syntax errors.  A proof
 *    that parses may still be false: only swn_proof_check() says so.
 *  - swn_proof_to_json() refuses what parse would refuse, so what it writes
 *    always reads back to the same struct.
 *  - Written JSON has its keys in the order above and ends in one newline.
 */
#ifndef SWN_PROOF_H
#define SWN_PROOF_H

#include "base/swn_limits.h"

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "ledger/merkle.h"

/* Largest proof file read.  (It belongs in swn_limits.h.) */

enum swn_proof_type {
	SWN_PROOF_INCLUSION,
	SWN_PROOF_CONSISTENCY,
};

struct swn_proof {
	enum swn_proof_type type;
	uint64_t a, b;           /* leaf_index, tree_size  or  size1, size2 */
	unsigned char h1[32];    /* leaf_hash              or  root1 */
	unsigned char h2[32];    /* root                   or  root2 */
	unsigned char path[SWN_MERKLE_MAX_PROOF][32];
	size_t n;                /* hashes in path */
};

/* The JSON of p into *out (malloc'd, NUL-terminated, one line plus "\n"). */
int swn_proof_to_json(const struct swn_proof *p, char **out, struct swn_err *err);

/* Parse len bytes of text (not necessarily NUL-terminated); name is used in
 * messages (a file name, or "-" for stdin). */
int swn_proof_parse(const char *text, size_t len, const char *name,
		    struct swn_proof *p, struct swn_err *err);

/* 1 when the proof checks (RFC 9162 2.1.3.2 or 2.1.4.2), 0 when not. */
int swn_proof_check(const struct swn_proof *p);

#endif

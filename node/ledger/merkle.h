/*
 * merkle.h - RFC 9162 Merkle tree hashes, inclusion and consistency proofs.
 *
 * The ledger's tamper evidence is a Merkle tree over its entries, with the
 * rules of RFC 9162 section 2.1:
 *
 *   leaf hash   SHA-256(0x00 || entry bytes)
 *   node hash   SHA-256(0x01 || left || right)
 *   MTH({})     SHA-256("")
 *   MTH(D[n])   node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
 *
 * This module is the arithmetic only.  It stores nothing and knows no SQL,
 * entry encoding or JSON (proof.h reads and writes proofs).  Whoever keeps
 * the tree hands it a lookup (swn_subtree_fn) for the hash of any PERFECT
 * subtree: the 2^level leaves that start at leaf index * 2^level, level 0
 * being the leaf hashes.  The frontier records such subtrees as appends
 * complete them, through a store callback (swn_subtree_store_fn).
 *
 * Invariants:
 *  - Every range D[a:b] the RFC recursion meets starts at a multiple of the
 *    power of two at or above b - a, so its hash is a fold of at most 64
 *    perfect subtrees.  A root costs popcount(size) lookups, a proof
 *    O(log size) lookups; nothing here is O(size).
 *  - The lookup is only asked for subtrees that lie wholly inside the tree
 *    size of the call.
 *  - Tree sizes are at most SWN_MERKLE_MAX_SIZE (2^63 - 1, the largest JSON
 *    integer proof.h accepts).  So an inclusion proof has at most 63 hashes
 *    and a consistency proof at most 64 (ceil(log2 size) + 1):
 *    SWN_MERKLE_MAX_PROOF bounds every proof array.
 *  - Proof hashes are in RFC 9162 order: PATH (2.1.3.1) and PROOF (2.1.4.1)
 *    list the deepest hash first.
 *  - The verifiers need no lookup.  They return 1 only when the proof checks
 *    and 0 for everything else, including bad sizes and an OpenSSL failure:
 *    they fail closed.
 *  - A lookup or store callback has no error argument.  It may record a
 *    precise error in the same struct swn_err the caller passed (via its
 *    ctx) before returning -1: the first error set is the one kept, and this
 *    module only adds a generic SWN_E_DB one.
 */
#ifndef SWN_MERKLE_H
#define SWN_MERKLE_H

#include "base/swn_limits.h"

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define SWN_MERKLE_HASH_LEN   32
#define SWN_MERKLE_MAX_SIZE   UINT64_C(0x7fffffffffffffff)

/* The hash of the perfect subtree of 2^level leaves starting at leaf
 * index * 2^level into out: 0, or -1 when it is not available. */
typedef int (*swn_subtree_fn)(void *ctx, unsigned level, uint64_t index,
			      unsigned char out[32]);

/* Record that hash: 0, or -1 when it could not be kept. */
typedef int (*swn_subtree_store_fn)(void *ctx, unsigned level, uint64_t index,
				    const unsigned char hash[32]);

/* --- Hashes ---------------------------------------------------------------
 * 0, or -1 only when OpenSSL cannot run a digest (out of memory). */
int swn_merkle_leaf_hash(const void *data, size_t len, unsigned char out[32]);
int swn_merkle_node_hash(const unsigned char l[32], const unsigned char r[32],
			 unsigned char out[32]);

/* MTH of the first size leaves (SHA-256("") when size is 0, with no
 * lookup).  Fails with SWN_E_USAGE above SWN_MERKLE_MAX_SIZE, SWN_E_DB when
 * a lookup fails. */
int swn_merkle_root(uint64_t size, swn_subtree_fn get, void *ctx,
		    unsigned char out[32], struct swn_err *err);

/* --- Proofs ----------------------------------------------------------------
 * proof must have room for SWN_MERKLE_MAX_PROOF hashes; *n is set to the
 * number written. */

/* PATH(index, D[size]) of RFC 9162 2.1.3.1: empty for a tree of one leaf.
 * index >= size fails with SWN_E_NOT_FOUND. */
int swn_merkle_inclusion_proof(uint64_t index, uint64_t size, swn_subtree_fn get,
			       void *ctx, unsigned char proof[][32], size_t *n,
			       struct swn_err *err);

/* PROOF(size1, D[size2]) of RFC 9162 2.1.4.1, defined there for
 * 0 < size1 < size2.  For size1 == size2 and for size1 == 0 the proof is
 * empty (the RFC's SUBPROOF(m, D[m], true) = {}; an empty tree is a prefix of
 * every tree).  size1 > size2 fails with SWN_E_USAGE. */
int swn_merkle_consistency_proof(uint64_t size1, uint64_t size2,
				 swn_subtree_fn get, void *ctx,
				 unsigned char proof[][32], size_t *n,
				 struct swn_err *err);

/* RFC 9162 2.1.3.2: 1 when leaf is the leaf hash at index in the tree of size
 * with root, else 0 (index >= size, n > SWN_MERKLE_MAX_PROOF, ...). */
int swn_merkle_verify_inclusion(uint64_t index, uint64_t size,
				const unsigned char leaf[32],
				const unsigned char proof[][32], size_t n,
				const unsigned char root[32]);

/* RFC 9162 2.1.4.2 for 0 < size1 < size2: 1 when the tree of size2 with
 * root2 extends the tree of size1 with root1, else 0.  The cases the RFC
 * leaves out: size1 == size2 is valid iff the proof is empty and the roots are
 * equal; size1 == 0 is valid iff the proof is empty and root1 is SHA-256("")
 * (and, when size2 is 0 too, root2 as well); size1 > size2 is never valid. */
int swn_merkle_verify_consistency(uint64_t size1, uint64_t size2,
				  const unsigned char root1[32],
				  const unsigned char root2[32],
				  const unsigned char proof[][32], size_t n);

/* --- Appending ---------------------------------------------------------------
 * The right edge of the tree: for each set bit l of size, hash[l] is the
 * perfect subtree of 2^l leaves that the size's binary form puts there
 * (largest leftmost).  Fields are read-only for callers. */
struct swn_merkle_frontier {
	uint64_t size;
	unsigned char hash[64][32];
};

void swn_merkle_frontier_init(struct swn_merkle_frontier *fr);

/* Rebuild the frontier of a stored tree of size leaves: one lookup per set
 * bit of size.  On failure fr is left empty (size 0). */
int swn_merkle_frontier_load(struct swn_merkle_frontier *fr, uint64_t size,
			     swn_subtree_fn get, void *ctx, struct swn_err *err);

/* Append one leaf hash: O(log size) hashes.  store (may be NULL) is called
 * for the leaf itself (level 0, index = old size) and then for every parent
 * the append completes, lowest first.  If a store or a hash fails, fr is
 * unchanged (the callbacks already made may have to be rolled back by the
 * caller, e.g. with its transaction).  Fails with SWN_E_TOO_LARGE when the
 * tree already has SWN_MERKLE_MAX_SIZE leaves. */
int swn_merkle_frontier_append(struct swn_merkle_frontier *fr,
			       const unsigned char leaf[32],
			       swn_subtree_store_fn store, void *ctx,
			       struct swn_err *err);

/* The current root, from the frontier alone (no lookup): 0, or -1 only when
 * OpenSSL cannot run a digest. */
int swn_merkle_frontier_root(const struct swn_merkle_frontier *fr,
			     unsigned char out[32]);

#endif

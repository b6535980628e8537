/*
 * merkle.c - RFC 9162 Merkle tree hashes and proofs; see merkle.h.
 *
 * Implementation notes.  The RFC defines MTH, PATH and PROOF recursively over
 * ranges D[a:b].  Walking that recursion from the root down, each step keeps
 * one half and sets the other aside as a proof hash; the walk is a loop here,
 * and the hashes it sets aside come out top-down, so the proof is reversed at
 * the end to get the RFC's deepest-first order.  A range the walk meets is
 * hashed by range_hash(): the binary digits of its length, largest first, are
 * the perfect subtrees it is made of, folded right to left.
 */
#include "autoconfig.h"

#include <inttypes.h>
#include <string.h>

#include <openssl/evp.h>

#include "ledger/merkle.h"

/* SHA-256(""), the root of the empty tree (RFC 9162 2.1.1). */
static const unsigned char empty_root[32] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
	0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
	0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
	0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

/* SHA-256(prefix || a || b) into out; out may alias a or b. */
static int sha256_prefixed(unsigned char prefix, const void *a, size_t alen,
			   const void *b, size_t blen, unsigned char out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int len = 0;
	int ok;

	if (c == NULL)
		return -1;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(c, &prefix, 1) &&
	     (alen == 0 || EVP_DigestUpdate(c, a, alen)) &&
	     (blen == 0 || EVP_DigestUpdate(c, b, blen)) &&
	     EVP_DigestFinal_ex(c, out, &len) && len == 32;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

int swn_merkle_leaf_hash(const void *data, size_t len, unsigned char out[32])
{
	return sha256_prefixed(0x00, data, len, NULL, 0, out);
}

int swn_merkle_node_hash(const unsigned char l[32], const unsigned char r[32],
			 unsigned char out[32])
{
	return sha256_prefixed(0x01, l, 32, r, 32, out);
}

/* ---- arithmetic on sizes ---- */

static unsigned lowest_bit(uint64_t x)   /* x != 0 */
{
	return (unsigned)__builtin_ctzll(x);
}

/* The largest power of two smaller than n (n >= 2): RFC 9162's split. */
static uint64_t split_point(uint64_t n)
{
	return UINT64_C(1) << (63 - __builtin_clzll(n - 1));
}

static int hash_failed(struct swn_err *err)
{
	return swn_err_set(err, SWN_E_CRYPTO, NULL, 0,
			   "SHA-256 failed (OpenSSL could not run a digest)");
}

static int lookup(swn_subtree_fn get, void *ctx, unsigned level, uint64_t index,
		  unsigned char out[32], struct swn_err *err)
{
	if (get(ctx, level, index, out) == 0)
		return 0;
	return swn_err_set(err, SWN_E_DB, NULL, 0,
			   "the Merkle tree store has no hash for the subtree at "
			   "level %u, index %" PRIu64, level, index);
}

/*
 * MTH(D[a:a+m]) for m >= 1, where a is a multiple of the power of two at or
 * above m (true of every range the RFC recursion meets).  The set bits of m,
 * highest first, are the perfect subtrees from a rightwards; the RFC's split
 * makes MTH = node(S1, node(S2, ... Sj)), so fold from the right.
 */
static int range_hash(uint64_t a, uint64_t m, swn_subtree_fn get, void *ctx,
		      unsigned char out[32], struct swn_err *err)
{
	unsigned char h[32];
	uint64_t end = a + m, rest = m;
	int first = 1;

	while (rest != 0) {
		unsigned level = lowest_bit(rest);

		end -= UINT64_C(1) << level;
		if (lookup(get, ctx, level, end >> level, h, err) < 0)
			return -1;
		if (first)
			memcpy(out, h, 32);
		else if (swn_merkle_node_hash(h, out, out) < 0)
			return hash_failed(err);
		first = 0;
		rest &= rest - 1;
	}
	return 0;
}

static void reverse(unsigned char proof[][32], size_t n)
{
	unsigned char t[32];
	size_t i;

	for (i = 0; i < n / 2; i++) {
		memcpy(t, proof[i], 32);
		memcpy(proof[i], proof[n - 1 - i], 32);
		memcpy(proof[n - 1 - i], t, 32);
	}
}

static int check_size(uint64_t size, struct swn_err *err)
{
	if (size <= SWN_MERKLE_MAX_SIZE)
		return 0;
	return swn_err_set(err, SWN_E_USAGE, NULL, 0,
			   "tree size %" PRIu64 " is over the maximum 2^63 - 1", size);
}

static int check_get(swn_subtree_fn get, struct swn_err *err)
{
	if (get != NULL)
		return 0;
	return swn_err_set(err, SWN_E_USAGE, NULL, 0, "no Merkle tree store to read from");
}

int swn_merkle_root(uint64_t size, swn_subtree_fn get, void *ctx,
		    unsigned char out[32], struct swn_err *err)
{
	if (check_size(size, err) < 0)
		return -1;
	if (size == 0) {
		memcpy(out, empty_root, 32);
		return 0;
	}
	if (check_get(get, err) < 0)
		return -1;
	return range_hash(0, size, get, ctx, out, err);
}

int swn_merkle_inclusion_proof(uint64_t index, uint64_t size, swn_subtree_fn get,
			       void *ctx, unsigned char proof[][32], size_t *n,
			       struct swn_err *err)
{
	uint64_t a = 0, b = size;
	size_t cnt = 0;

	*n = 0;
	if (check_size(size, err) < 0)
		return -1;
	if (index >= size)
		return swn_err_set(err, SWN_E_NOT_FOUND, NULL, 0,
				   "no leaf %" PRIu64 " in a tree of %" PRIu64 " leaves",
				   index, size);
	if (check_get(get, err) < 0)
		return -1;
	/* Top-down: keep the half holding index, set the other half aside. */
	while (b - a > 1) {
		uint64_t k = split_point(b - a);

		if (cnt == SWN_MERKLE_MAX_PROOF)   /* cannot happen: depth <= 63 */
			return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
					   "inclusion proof longer than %d hashes",
					   SWN_MERKLE_MAX_PROOF);
		if (index < a + k) {
			if (range_hash(a + k, b - a - k, get, ctx, proof[cnt], err) < 0)
				return -1;
			b = a + k;
		} else {
			if (range_hash(a, k, get, ctx, proof[cnt], err) < 0)
				return -1;
			a += k;
		}
		cnt++;
	}
	reverse(proof, cnt);
	*n = cnt;
	return 0;
}

int swn_merkle_consistency_proof(uint64_t size1, uint64_t size2,
				 swn_subtree_fn get, void *ctx,
				 unsigned char proof[][32], size_t *n,
				 struct swn_err *err)
{
	uint64_t a = 0, b = size2;
	size_t cnt = 0;
	int whole = 1;   /* SUBPROOF's flag b: D[a:size1] is the old tree itself */

	*n = 0;
	if (check_size(size2, err) < 0)
		return -1;
	if (size1 > size2)
		return swn_err_set(err, SWN_E_USAGE, NULL, 0,
				   "no consistency proof from size %" PRIu64
				   " back to the smaller size %" PRIu64, size1, size2);
	if (size1 == 0 || size1 == size2)
		return 0;
	if (check_get(get, err) < 0)
		return -1;
	/* Invariant: a < size1 <= b. */
	while (size1 != b) {
		uint64_t k = split_point(b - a);

		if (cnt == SWN_MERKLE_MAX_PROOF)   /* cannot happen: size2 < 2^63 */
			return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
					   "consistency proof longer than %d hashes",
					   SWN_MERKLE_MAX_PROOF);
		if (size1 <= a + k) {
			if (range_hash(a + k, b - a - k, get, ctx, proof[cnt], err) < 0)
				return -1;
			b = a + k;
		} else {
			if (range_hash(a, k, get, ctx, proof[cnt], err) < 0)
				return -1;
			a += k;
			whole = 0;
		}
		cnt++;
	}
	/* SUBPROOF(m, D[m], false) = {MTH(D[m])}; with the flag still true the
	 * verifier already holds it (it is the old root). */
	if (!whole) {
		if (cnt == SWN_MERKLE_MAX_PROOF)
			return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
					   "consistency proof longer than %d hashes",
					   SWN_MERKLE_MAX_PROOF);
		if (range_hash(a, b - a, get, ctx, proof[cnt], err) < 0)
			return -1;
		cnt++;
	}
	reverse(proof, cnt);
	*n = cnt;
	return 0;
}

/* ---- verification (no lookups; fail closed) ---- */

static int same(const unsigned char x[32], const unsigned char y[32])
{
	return memcmp(x, y, 32) == 0;
}

int swn_merkle_verify_inclusion(uint64_t index, uint64_t size,
				const unsigned char leaf[32],
				const unsigned char proof[][32], size_t n,
				const unsigned char root[32])
{
	unsigned char r[32];
	uint64_t fn, sn;
	size_t i;

	/* 2.1.3.2 step 1, and this module's limits. */
	if (index >= size || size > SWN_MERKLE_MAX_SIZE || n > SWN_MERKLE_MAX_PROOF)
		return 0;
	fn = index;                 /* step 2 */
	sn = size - 1;
	memcpy(r, leaf, 32);        /* step 3 */
	for (i = 0; i < n; i++) {   /* step 4 */
		if (sn == 0)
			return 0;
		if ((fn & 1) || fn == sn) {
			if (swn_merkle_node_hash(proof[i], r, r) < 0)
				return 0;
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (swn_merkle_node_hash(r, proof[i], r) < 0) {
			return 0;
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && same(r, root);   /* step 5 */
}

int swn_merkle_verify_consistency(uint64_t size1, uint64_t size2,
				  const unsigned char root1[32],
				  const unsigned char root2[32],
				  const unsigned char proof[][32], size_t n)
{
	unsigned char fr[32], sr[32];
	uint64_t fn, sn;
	size_t i;

	if (size1 > size2 || size2 > SWN_MERKLE_MAX_SIZE || n > SWN_MERKLE_MAX_PROOF)
		return 0;
	/* Outside the RFC's 0 < first < second: see merkle.h. */
	if (size1 == size2)
		return n == 0 && same(root1, root2) &&
		       (size1 != 0 || same(root1, empty_root));
	if (size1 == 0)
		return n == 0 && same(root1, empty_root);

	if (n == 0)                                   /* step 1 */
		return 0;
	/* Step 2: when size1 is a power of two the path starts with root1; it
	 * is not copied in, the loop just starts one element earlier. */
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, 32);
		i = 0;
	} else {
		memcpy(fr, proof[0], 32);
		i = 1;
	}
	memcpy(sr, fr, 32);                           /* step 5 */
	fn = size1 - 1;                               /* step 3 */
	sn = size2 - 1;
	while (fn & 1) {                              /* step 4 */
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {                          /* step 6 */
		if (sn == 0)
			return 0;
		if ((fn & 1) || fn == sn) {
			if (swn_merkle_node_hash(proof[i], fr, fr) < 0 ||
			    swn_merkle_node_hash(proof[i], sr, sr) < 0)
				return 0;
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (swn_merkle_node_hash(sr, proof[i], sr) < 0) {
			return 0;
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && same(fr, root1) && same(sr, root2);   /* step 7 */
}

/* ---- the frontier ---- */

void swn_merkle_frontier_init(struct swn_merkle_frontier *fr)
{
	memset(fr, 0, sizeof *fr);
}

int swn_merkle_frontier_load(struct swn_merkle_frontier *fr, uint64_t size,
			     swn_subtree_fn get, void *ctx, struct swn_err *err)
{
	uint64_t pos = 0;
	int level;

	swn_merkle_frontier_init(fr);
	if (check_size(size, err) < 0)
		return -1;
	if (size != 0 && check_get(get, err) < 0)
		return -1;
	for (level = 63; level >= 0; level--) {
		if (!((size >> level) & 1))
			continue;
		if (lookup(get, ctx, (unsigned)level, pos >> level, fr->hash[level],
			   err) < 0) {
			swn_merkle_frontier_init(fr);
			return -1;
		}
		pos += UINT64_C(1) << level;
	}
	fr->size = size;
	return 0;
}

int swn_merkle_frontier_append(struct swn_merkle_frontier *fr,
			       const unsigned char leaf[32],
			       swn_subtree_store_fn store, void *ctx,
			       struct swn_err *err)
{
	unsigned char h[32];
	uint64_t s = fr->size;
	unsigned level = 0;

	if (s >= SWN_MERKLE_MAX_SIZE)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
				   "the Merkle tree is full (2^63 - 1 leaves)");
	memcpy(h, leaf, 32);
	if (store != NULL && store(ctx, 0, s, h) < 0)
		goto store_failed;
	/* Each set low bit of s is a perfect subtree this leaf completes. */
	while ((s >> level) & 1) {
		if (swn_merkle_node_hash(fr->hash[level], h, h) < 0)
			return hash_failed(err);
		level++;
		if (store != NULL && store(ctx, level, s >> level, h) < 0)
			goto store_failed;
	}
	memcpy(fr->hash[level], h, 32);
	fr->size = s + 1;
	return 0;

store_failed:
	return swn_err_set(err, SWN_E_DB, NULL, 0,
			   "could not store the Merkle subtree at level %u, index %" PRIu64,
			   level, s >> level);
}

int swn_merkle_frontier_root(const struct swn_merkle_frontier *fr,
			     unsigned char out[32])
{
	uint64_t rest = fr->size;
	int first = 1;

	if (rest == 0) {
		memcpy(out, empty_root, 32);
		return 0;
	}
	/* Lowest set bit is the rightmost subtree: fold right to left. */
	while (rest != 0) {
		unsigned level = lowest_bit(rest);

		if (first)
			memcpy(out, fr->hash[level], 32);
		else if (swn_merkle_node_hash(fr->hash[level], out, out) < 0)
			return -1;
		first = 0;
		rest &= rest - 1;
	}
	return 0;
}

/*
 * Unit tests: RFC 9162 Merkle trees (merkle.h) and proof files (proof.h).
 *
 * merkle.c is checked against a reference written here separately, straight
 * from the recursive definitions of RFC 9162 2.1.1 (MTH), 2.1.3.1 (PATH) and
 * 2.1.4.1 (PROOF) over an array of leaf hashes: O(n) per proof and plainly
 * right.  The module reads a memory store that its own frontier filled, so
 * appends, roots and proofs are checked together; the store fails the test
 * if the module asks for a subtree outside the tree it was given.
 *
 * Known answers come from outside: SHA-256("") and the RFC 6962 test tree
 * used by the Certificate Transparency implementations (below).
 */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "ledger/merkle.h"
#include "ledger/proof.h"
#include "testlib.h"

#define MAX_LEAVES 1025
#define MAX_LEVELS 11      /* 2^10 <= MAX_LEAVES < 2^11 */
#define REF_MAX    80      /* room in a reference proof */
#define SMALL      70      /* every size, index and size pair up to here */

/* Assertions for the hot loops.  Check records the place of every passing
 * ck_assert (a write per call); these say nothing until they fail. */
#define REQUIRE(e) do { \
		if (!(e)) \
			ck_abort_msg("line %d: %s", __LINE__, #e); \
	} while (0)
#define REQUIRE_EQ(a, b) do { \
		long long a_ = (long long)(a), b_ = (long long)(b); \
		if (a_ != b_) \
			ck_abort_msg("line %d: %s == %lld, %s == %lld", __LINE__, \
				     #a, a_, #b, b_); \
	} while (0)

/* ------------------------------------------------------------------------
 * The reference: RFC 9162 2.1 as written, recursion and all.
 */

static void ref_sha256(const void *m, size_t len, unsigned char out[32])
{
	unsigned int n = 0;

	REQUIRE(EVP_Digest(m, len, out, &n, EVP_sha256(), NULL) == 1);
	REQUIRE_EQ(n, 32);
}

static void ref_leaf(const void *data, size_t len, unsigned char out[32])
{
	unsigned char *m = malloc(len + 1);

	ck_assert_ptr_nonnull(m);
	m[0] = 0x00;
	if (len > 0)
		memcpy(m + 1, data, len);
	ref_sha256(m, len + 1, out);
	free(m);
}

static void ref_node(const unsigned char l[32], const unsigned char r[32],
		     unsigned char out[32])
{
	unsigned char m[65];

	m[0] = 0x01;
	memcpy(m + 1, l, 32);
	memcpy(m + 33, r, 32);
	ref_sha256(m, sizeof m, out);
}

/* "k is the largest power of two smaller than n" (n >= 2), by counting. */
static uint64_t ref_k(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

/* MTH(D[n]) of 2.1.1. */
static void ref_mth(const unsigned char (*d)[32], uint64_t n, unsigned char out[32])
{
	unsigned char l[32], r[32];
	uint64_t k;

	if (n == 0) {
		ref_sha256("", 0, out);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], 32);
		return;
	}
	k = ref_k(n);
	ref_mth(d, k, l);
	ref_mth(d + k, n - k, r);
	ref_node(l, r, out);
}

/* A reference proof, and its shape: per hash, 'L' or 'R' for the side the
 * sibling is on, 'B' for SUBPROOF's base MTH(D[m]).  With d NULL only the
 * shape is computed. */
struct ref_proof {
	unsigned char h[REF_MAX][32];
	char shape[REF_MAX + 1];
	size_t n;
};

static void ref_init(struct ref_proof *p)
{
	p->n = 0;
	p->shape[0] = '\0';
}

static void ref_push(struct ref_proof *p, const unsigned char (*d)[32], uint64_t n,
		     char side)
{
	REQUIRE(p->n < REF_MAX);
	if (d != NULL)
		ref_mth(d, n, p->h[p->n]);
	p->shape[p->n++] = side;
	p->shape[p->n] = '\0';
}

/* PATH(m, D[n]) of 2.1.3.1. */
static void ref_path(uint64_t m, const unsigned char (*d)[32], uint64_t n,
		     struct ref_proof *p)
{
	uint64_t k;

	if (n <= 1)
		return;
	k = ref_k(n);
	if (m < k) {
		ref_path(m, d, k, p);
		ref_push(p, d ? d + k : NULL, n - k, 'R');
	} else {
		ref_path(m - k, d ? d + k : NULL, n - k, p);
		ref_push(p, d, k, 'L');
	}
}

/* SUBPROOF(m, D[n], b) of 2.1.4.1; PROOF(m, D[n]) is SUBPROOF(m, D[n], true). */
static void ref_subproof(uint64_t m, const unsigned char (*d)[32], uint64_t n,
			 int b, struct ref_proof *p)
{
	uint64_t k;

	if (m == n) {
		if (!b)
			ref_push(p, d, n, 'B');
		return;
	}
	k = ref_k(n);
	if (m <= k) {
		ref_subproof(m, d, k, b, p);
		ref_push(p, d ? d + k : NULL, n - k, 'R');
	} else {
		ref_subproof(m - k, d ? d + k : NULL, n - k, 0, p);
		ref_push(p, d, k, 'L');
	}
}

/* ------------------------------------------------------------------------
 * Test data and a memory store filled by the module's frontier.
 */

/* The RFC 6962 test leaves and the roots of their first 1..8, as published
 * with the Certificate Transparency implementations: transparency-dev/merkle,
 * testonly/constants.go (LeafInputs, NodeHashes, RootHashes), the same
 * vectors as google/certificate-transparency's merkle tree tests. */
static const char *const ct_leaf_hex[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};
static const char *const ct_root_hex[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};
/* NodeHashes: every perfect subtree of the 8-leaf tree, by level. */
static const char *const ct_node_hex[4][8] = {
	{ "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	  "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	  "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	  "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	  "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	  "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	  "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1" },
	{ "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	  "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0" },
	{ "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" },
	{ "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328" },
};

static size_t unhex(const char *s, unsigned char *out)
{
	size_t i, n = strlen(s) / 2;

	for (i = 0; i < n; i++) {
		unsigned v;

		ck_assert_int_eq(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
	return n;
}

static void hash_from_hex(const char *s, unsigned char out[32])
{
	ck_assert_uint_eq(strlen(s), 64);
	unhex(s, out);
}

struct store {
	unsigned char (*node[MAX_LEVELS])[32];
	uint64_t count[MAX_LEVELS];
	uint64_t limit;          /* lookups must lie inside the first limit leaves */
	unsigned long lookups;
	int fail;                /* every call fails */
};

static struct store st;
static unsigned char leaves[MAX_LEAVES][32];   /* reference leaf hashes */
static struct swn_merkle_frontier frontier;   /* after MAX_LEAVES appends */
static unsigned char empty[32];               /* SHA-256("") */

static int store_put(void *ctx, unsigned level, uint64_t index,
		     const unsigned char h[32])
{
	struct store *s = ctx;

	if (s->fail)
		return -1;
	REQUIRE(level < MAX_LEVELS);
	/* Each perfect subtree is stored once, left to right. */
	REQUIRE_EQ(index, s->count[level]);
	REQUIRE(index <= (uint64_t)(MAX_LEAVES >> level));
	memcpy(s->node[level][index], h, 32);
	s->count[level]++;
	return 0;
}

static int store_get(void *ctx, unsigned level, uint64_t index, unsigned char out[32])
{
	struct store *s = ctx;

	s->lookups++;
	if (s->fail)
		return -1;
	REQUIRE(level < MAX_LEVELS);
	if (((index + 1) << level) > s->limit)
		ck_abort_msg("lookup of level %u index %" PRIu64 " outside a tree of %"
			     PRIu64, level, index, s->limit);
	REQUIRE(index < s->count[level]);
	memcpy(out, s->node[level][index], 32);
	return 0;
}

static size_t leaf_data(unsigned i, unsigned char buf[64])
{
	if (i < 8)
		return unhex(ct_leaf_hex[i], buf);
	return (size_t)snprintf((char *)buf, 64, "swnode test leaf %u", i);
}

static const uint64_t big_sizes[] = { 127, 128, 129, 255, 256, 257, 1023, 1024, 1025 };
#define N_BIG (sizeof big_sizes / sizeof big_sizes[0])

static int checked_size(uint64_t s)
{
	size_t i;

	if (s <= SMALL)
		return 1;
	for (i = 0; i < N_BIG; i++)
		if (big_sizes[i] == s)
			return 1;
	return 0;
}

static unsigned bit_len(uint64_t n)
{
	unsigned b = 0;

	while (n != 0) {
		b++;
		n >>= 1;
	}
	return b;
}

static unsigned popcount(uint64_t n)
{
	unsigned c = 0;

	for (; n != 0; n &= n - 1)
		c++;
	return c;
}

/* Lookups a proof may take: O(log n), never O(n). */
static unsigned long lookup_bound(uint64_t n)
{
	return 3ul * (bit_len(n) + 1);
}

/* Append all leaves through the frontier into the store; at each checked
 * size the frontier's root must be the reference MTH. */
static void build(void)
{
	struct swn_err err;
	unsigned char data[64], h[32], ref[32], root[32];
	unsigned i, l;

	ref_sha256("", 0, empty);
	memset(&st, 0, sizeof st);
	for (l = 0; l < MAX_LEVELS; l++) {
		st.node[l] = calloc((MAX_LEAVES >> l) + 1, 32);
		ck_assert_ptr_nonnull(st.node[l]);
	}
	swn_err_clear(&err);
	swn_merkle_frontier_init(&frontier);
	ck_assert_int_eq(swn_merkle_frontier_root(&frontier, root), 0);
	ck_assert_mem_eq(root, empty, 32);
	for (i = 0; i < MAX_LEAVES; i++) {
		size_t len = leaf_data(i, data);

		ref_leaf(data, len, leaves[i]);
		ck_assert_int_eq(swn_merkle_leaf_hash(data, len, h), 0);
		ck_assert_mem_eq(h, leaves[i], 32);
		ck_assert_int_eq(swn_merkle_frontier_append(&frontier, h, store_put, &st,
							    &err), 0);
		ck_assert_uint_eq(frontier.size, i + 1);
		if (checked_size(i + 1)) {
			ref_mth(leaves, i + 1, ref);
			ck_assert_int_eq(swn_merkle_frontier_root(&frontier, root), 0);
			ck_assert_mem_eq(root, ref, 32);
		}
	}
	/* Every perfect subtree was stored exactly once. */
	for (l = 0; l < MAX_LEVELS; l++)
		ck_assert_uint_eq(st.count[l], MAX_LEAVES >> l);
}

static void unbuild(void)
{
	unsigned l;

	for (l = 0; l < MAX_LEVELS; l++)
		free(st.node[l]);
	memset(&st, 0, sizeof st);
}

static void flip(unsigned char h[32], unsigned bit)
{
	h[bit / 8] ^= (unsigned char)(1u << (bit % 8));
}

/* The bits to flip in each hash: all of them for small trees, a spread of
 * them otherwise (the test must stay fast). */
static size_t bits_to_flip(int all, uint64_t salt, unsigned bits[256])
{
	static const unsigned some[] = { 0, 1, 7, 8, 100, 128, 200, 254, 255 };
	size_t i, n;

	if (all) {
		for (i = 0; i < 256; i++)
			bits[i] = (unsigned)i;
		return 256;
	}
	n = sizeof some / sizeof some[0];
	for (i = 0; i < n; i++)
		bits[i] = some[i];
	bits[n++] = (unsigned)(salt % 256);
	return n;
}

static int vin(uint64_t index, uint64_t size, const unsigned char leaf[32],
	       const unsigned char (*proof)[32], size_t n, const unsigned char root[32])
{
	return swn_merkle_verify_inclusion(index, size, leaf, proof, n, root);
}

static int vcons(uint64_t s1, uint64_t s2, const unsigned char r1[32],
		 const unsigned char r2[32], const unsigned char (*proof)[32], size_t n)
{
	return swn_merkle_verify_consistency(s1, s2, r1, r2, proof, n);
}

static unsigned long same_shape_accepts, wrong_size_claims;

/* ------------------------------------------------------------------------
 * Known answers.
 */

START_TEST(known_answers)
{
	unsigned char want[32], root[32], proof[SWN_MERKLE_MAX_PROOF][32], h[32];
	struct swn_err err;
	size_t n, i, l;
	uint64_t s;
	static const struct { uint64_t a, b; const char *hex[3]; size_t n; } inc[] = {
		/* (leaf index, tree size): PATH, as in the CT tests */
		{ 0, 8, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" }, 3 },
		{ 5, 8, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
			  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
		{ 2, 3, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" }, 1 },
		{ 1, 5, { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
			  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" }, 3 },
	}, cons[] = {
		/* (size1, size2): PROOF */
		{ 1, 8, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" }, 3 },
		{ 6, 8, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
		{ 2, 5, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" }, 2 },
	};

	build();
	swn_err_clear(&err);

	/* SHA-256("") = e3b0c442...b855, the empty tree (2.1.1), by every route. */
	hash_from_hex(ct_root_hex[0], want);
	ck_assert_mem_eq(empty, want, 32);
	st.limit = 0;
	st.lookups = 0;
	ck_assert_int_eq(swn_merkle_root(0, store_get, &st, root, &err), 0);
	ck_assert_mem_eq(root, want, 32);
	ck_assert_uint_eq(st.lookups, 0);
	ck_assert_int_eq(swn_merkle_root(0, NULL, NULL, root, &err), 0);
	ck_assert_mem_eq(root, want, 32);

	/* Leaf and node hashes against the published tables. */
	ck_assert_int_eq(swn_merkle_leaf_hash("", 0, h), 0);
	hash_from_hex(ct_node_hex[0][0], want);
	ck_assert_mem_eq(h, want, 32);
	for (l = 0; l < 4; l++)
		for (i = 0; i < (8u >> l); i++) {
			hash_from_hex(ct_node_hex[l][i], want);
			ck_assert_mem_eq(st.node[l][i], want, 32);
			if (l > 0) {
				ck_assert_int_eq(swn_merkle_node_hash(st.node[l - 1][2 * i],
								      st.node[l - 1][2 * i + 1],
								      h), 0);
				ck_assert_mem_eq(h, want, 32);
			}
		}
	for (s = 0; s <= 8; s++) {
		hash_from_hex(ct_root_hex[s], want);
		st.limit = s;
		ck_assert_int_eq(swn_merkle_root(s, store_get, &st, root, &err), 0);
		ck_assert_mem_eq(root, want, 32);
		ref_mth(leaves, s, root);
		ck_assert_mem_eq(root, want, 32);
	}

	for (i = 0; i < sizeof inc / sizeof inc[0]; i++) {
		st.limit = inc[i].b;
		ck_assert_int_eq(swn_merkle_inclusion_proof(inc[i].a, inc[i].b, store_get,
							    &st, proof, &n, &err), 0);
		ck_assert_uint_eq(n, inc[i].n);
		for (l = 0; l < n; l++) {
			hash_from_hex(inc[i].hex[l], want);
			ck_assert_mem_eq(proof[l], want, 32);
		}
		hash_from_hex(ct_root_hex[inc[i].b], want);
		ck_assert_int_eq(vin(inc[i].a, inc[i].b, leaves[inc[i].a], proof, n, want), 1);
	}
	for (i = 0; i < sizeof cons / sizeof cons[0]; i++) {
		unsigned char r1[32];

		st.limit = cons[i].b;
		ck_assert_int_eq(swn_merkle_consistency_proof(cons[i].a, cons[i].b,
							      store_get, &st, proof,
							      &n, &err), 0);
		ck_assert_uint_eq(n, cons[i].n);
		for (l = 0; l < n; l++) {
			hash_from_hex(cons[i].hex[l], want);
			ck_assert_mem_eq(proof[l], want, 32);
		}
		hash_from_hex(ct_root_hex[cons[i].a], r1);
		hash_from_hex(ct_root_hex[cons[i].b], want);
		ck_assert_int_eq(vcons(cons[i].a, cons[i].b, r1, want, proof, n), 1);
	}
	unbuild();
}
END_TEST

/* The worked example of RFC 9162 2.1.5: seven leaves a..f, d6 (j), with
 * g = (a,b), h = (c,d), i = (e,f), k = (g,h), l = (i,j). */
START_TEST(rfc_example_tree)
{
	unsigned char a[32], b[32], c[32], d[32], f[32], g[32], hh[32], i[32], j[32];
	unsigned char k[32], l[32];
	unsigned char proof[SWN_MERKLE_MAX_PROOF][32];
	struct swn_err err;
	size_t n;

	build();
	swn_err_clear(&err);
	memcpy(a, leaves[0], 32);
	memcpy(b, leaves[1], 32);
	memcpy(c, leaves[2], 32);
	memcpy(d, leaves[3], 32);
	memcpy(f, leaves[5], 32);
	memcpy(j, leaves[6], 32);
	ref_node(a, b, g);
	ref_node(c, d, hh);
	ref_node(leaves[4], f, i);
	ref_node(g, hh, k);
	ref_node(i, j, l);
	st.limit = 7;

#define EXPECT(...) do { \
		const unsigned char *want_[] = { __VA_ARGS__ }; \
		size_t w_; \
		ck_assert_uint_eq(n, sizeof want_ / sizeof want_[0]); \
		for (w_ = 0; w_ < n; w_++) \
			ck_assert_mem_eq(proof[w_], want_[w_], 32); \
	} while (0)

	/* "The inclusion proof for d0 is [b, h, l] ... for d3 is [c, g, l] ...
	 * for d4 is [f, j, k] ... for d6 is [i, k]." */
	ck_assert_int_eq(swn_merkle_inclusion_proof(0, 7, store_get, &st, proof, &n, &err), 0);
	EXPECT(b, hh, l);
	ck_assert_int_eq(swn_merkle_inclusion_proof(3, 7, store_get, &st, proof, &n, &err), 0);
	EXPECT(c, g, l);
	ck_assert_int_eq(swn_merkle_inclusion_proof(4, 7, store_get, &st, proof, &n, &err), 0);
	EXPECT(f, j, k);
	ck_assert_int_eq(swn_merkle_inclusion_proof(6, 7, store_get, &st, proof, &n, &err), 0);
	EXPECT(i, k);
	/* "PROOF(3, D[7]) = [c, d, g, l] ... PROOF(4, D[7]) = [l] ...
	 * PROOF(6, D[7]) = [i, j, k]." */
	ck_assert_int_eq(swn_merkle_consistency_proof(3, 7, store_get, &st, proof, &n, &err), 0);
	EXPECT(c, d, g, l);
	ck_assert_int_eq(swn_merkle_consistency_proof(4, 7, store_get, &st, proof, &n, &err), 0);
	EXPECT(l);
	ck_assert_int_eq(swn_merkle_consistency_proof(6, 7, store_get, &st, proof, &n, &err), 0);
	EXPECT(i, j, k);
#undef EXPECT
	unbuild();
}
END_TEST

/* ------------------------------------------------------------------------
 * Roots: frontier, lookups and reference agree; the frontier reloads.
 */

START_TEST(roots_agree)
{
	unsigned char ref[32], root[32], fr_root[32];
	struct swn_merkle_frontier fr;
	struct swn_err err;
	uint64_t s;
	unsigned l;

	build();
	swn_err_clear(&err);
	for (s = 0; s <= MAX_LEAVES; s++) {
		if (!checked_size(s))
			continue;
		ref_mth(leaves, s, ref);
		st.limit = s;
		st.lookups = 0;
		ck_assert_int_eq(swn_merkle_root(s, store_get, &st, root, &err), 0);
		ck_assert_mem_eq(root, ref, 32);
		ck_assert_uint_le(st.lookups, popcount(s));

		st.lookups = 0;
		ck_assert_int_eq(swn_merkle_frontier_load(&fr, s, store_get, &st, &err), 0);
		ck_assert_uint_eq(st.lookups, popcount(s));
		ck_assert_uint_eq(fr.size, s);
		ck_assert_int_eq(swn_merkle_frontier_root(&fr, fr_root), 0);
		ck_assert_mem_eq(fr_root, ref, 32);
		if (s == MAX_LEAVES)
			for (l = 0; l < 64; l++)
				if ((s >> l) & 1)
					ck_assert_mem_eq(fr.hash[l], frontier.hash[l], 32);
	}
	/* A reloaded frontier goes on like the original. */
	st.limit = 1000;
	ck_assert_int_eq(swn_merkle_frontier_load(&fr, 1000, store_get, &st, &err), 0);
	for (s = 1000; s < MAX_LEAVES; s++)
		ck_assert_int_eq(swn_merkle_frontier_append(&fr, leaves[s], NULL, NULL, &err), 0);
	ck_assert_int_eq(swn_merkle_frontier_root(&fr, fr_root), 0);
	ref_mth(leaves, MAX_LEAVES, ref);
	ck_assert_mem_eq(fr_root, ref, 32);
	unbuild();
}
END_TEST

/* ------------------------------------------------------------------------
 * Inclusion proofs: equal to PATH, verify, and nothing wrong verifies.
 */

static void check_inclusion(uint64_t index, uint64_t size, int all_bits)
{
	unsigned char proof[SWN_MERKLE_MAX_PROOF][32], bad[SWN_MERKLE_MAX_PROOF + 1][32];
	unsigned char root[32], x[32];
	struct ref_proof ref, alt;
	struct swn_err err;
	unsigned bits[256];
	size_t n, nbits, b, j;
	int d;

	swn_err_clear(&err);
	ref_mth(leaves, size, root);
	st.limit = size;
	st.lookups = 0;
	REQUIRE_EQ(swn_merkle_inclusion_proof(index, size, store_get, &st, proof,
						    &n, &err), 0);
	REQUIRE(st.lookups <= lookup_bound(size));
	ref_init(&ref);
	ref_path(index, leaves, size, &ref);
	REQUIRE_EQ(n, ref.n);
	REQUIRE(n == 0 || memcmp(proof, ref.h, n * 32) == 0);
	REQUIRE_EQ(vin(index, size, leaves[index], proof, n, root), 1);

	/* One flipped bit anywhere. */
	nbits = bits_to_flip(all_bits, index * 31 + size, bits);
	for (b = 0; b < nbits; b++) {
		for (j = 0; j < n; j++) {
			memcpy(bad, proof, n * 32);
			flip(bad[j], bits[b]);
			REQUIRE_EQ(vin(index, size, leaves[index], bad, n, root), 0);
		}
		memcpy(x, leaves[index], 32);
		flip(x, bits[b]);
		REQUIRE_EQ(vin(index, size, x, proof, n, root), 0);
		memcpy(x, root, 32);
		flip(x, bits[b]);
		REQUIRE_EQ(vin(index, size, leaves[index], proof, n, x), 0);
	}
	/* A hash missing, at either end; a hash too many, at either end. */
	if (n > 0) {
		REQUIRE_EQ(vin(index, size, leaves[index], proof, n - 1, root), 0);
		REQUIRE_EQ(vin(index, size, leaves[index], proof + 1, n - 1, root), 0);
	}
	memcpy(bad, proof, n * 32);
	memcpy(bad[n], root, 32);
	REQUIRE_EQ(vin(index, size, leaves[index], bad, n + 1, root), 0);
	memset(bad[n], 0, 32);
	REQUIRE_EQ(vin(index, size, leaves[index], bad, n + 1, root), 0);
	memcpy(bad[0], leaves[index], 32);
	memcpy(bad + 1, proof, n * 32);
	REQUIRE_EQ(vin(index, size, leaves[index], bad, n + 1, root), 0);

	/* Wrong index, wrong size.  A claim is accepted exactly when its
	 * PATH has the same shape as the real one: then the verifier does the
	 * very same hashing (see same_shape_is_inherent). */
	for (d = -1; d <= 1; d += 2) {
		uint64_t i2 = index + (uint64_t)(int64_t)d, s2 = size + (uint64_t)(int64_t)d;
		int expect;

		if (index > 0 || d > 0) {
			expect = 0;
			if (i2 < size) {
				ref_init(&alt);
				ref_path(i2, NULL, size, &alt);
				expect = strcmp(alt.shape, ref.shape) == 0;
			}
			REQUIRE_EQ(expect, 0);   /* one tree, one leaf per shape */
			REQUIRE_EQ(vin(i2, size, leaves[index], proof, n, root), 0);
		}
		expect = 0;
		if (index < s2) {
			ref_init(&alt);
			ref_path(index, NULL, s2, &alt);
			expect = strcmp(alt.shape, ref.shape) == 0;
		}
		wrong_size_claims++;
		same_shape_accepts += (unsigned long)expect;
		if (vin(index, s2, leaves[index], proof, n, root) != expect)
			ck_abort_msg("inclusion (%" PRIu64 ", %" PRIu64
				     ") claimed as size %" PRIu64, index, size, s2);
	}
}

START_TEST(inclusion_small_trees)
{
	uint64_t size, index;

	same_shape_accepts = wrong_size_claims = 0;
	build();
	for (size = 1; size <= SMALL; size++)
		for (index = 0; index < size; index++)
			check_inclusion(index, size, size <= 16);
	fprintf(stderr, "inclusion: %lu of %lu off-by-one tree sizes accepted, "
		"all with an identical PATH shape\n", same_shape_accepts,
		wrong_size_claims);
	unbuild();
}
END_TEST

START_TEST(inclusion_large_trees)
{
	size_t i;
	uint64_t index;

	build();
	for (i = 0; i < N_BIG; i++) {
		uint64_t size = big_sizes[i];
		const uint64_t pick[] = { 0, 1, 2, size / 3, size / 2, size - 2, size - 1 };
		size_t p;

		for (p = 0; p < sizeof pick / sizeof pick[0]; p++)
			check_inclusion(pick[p], size, 0);
		for (index = 5; index < size; index += 61)
			check_inclusion(index, size, 0);
	}
	unbuild();
}
END_TEST

/* ------------------------------------------------------------------------
 * Consistency proofs.
 */

/* Whether a consistency proof of the given shape and length, held with the
 * roots r1 and r2, must verify when claimed for sizes (m, n2).  Outside
 * 0 < m < n2 this is merkle.h's definition; inside, the same shape. */
static int consistency_expect(uint64_t m, uint64_t n2, const struct ref_proof *ref,
			      size_t n, const unsigned char r1[32],
			      const unsigned char r2[32])
{
	struct ref_proof alt;

	if (m > n2)
		return 0;
	if (m == n2)
		return n == 0 && memcmp(r1, r2, 32) == 0 &&
		       (m != 0 || memcmp(r1, empty, 32) == 0);
	if (m == 0)
		return n == 0 && memcmp(r1, empty, 32) == 0;
	if (n == 0)
		return 0;
	ref_init(&alt);
	ref_subproof(m, NULL, n2, 1, &alt);
	return strcmp(alt.shape, ref->shape) == 0;
}

static void check_consistency(uint64_t s1, uint64_t s2, int all_bits)
{
	unsigned char proof[SWN_MERKLE_MAX_PROOF][32], bad[SWN_MERKLE_MAX_PROOF + 1][32];
	unsigned char r1[32], r2[32], x[32];
	struct ref_proof ref;
	struct swn_err err;
	unsigned bits[256];
	size_t n, nbits, b, j;
	const uint64_t claims[4][2] = {
		{ s1 - 1, s2 }, { s1 + 1, s2 }, { s1, s2 - 1 }, { s1, s2 + 1 },
	};

	swn_err_clear(&err);
	ref_mth(leaves, s1, r1);
	ref_mth(leaves, s2, r2);
	st.limit = s2;
	st.lookups = 0;
	REQUIRE_EQ(swn_merkle_consistency_proof(s1, s2, store_get, &st, proof,
						      &n, &err), 0);
	REQUIRE(st.lookups <= lookup_bound(s2));
	ref_init(&ref);
	if (s1 > 0 && s1 < s2)
		ref_subproof(s1, leaves, s2, 1, &ref);
	REQUIRE_EQ(n, ref.n);
	REQUIRE(n == 0 || memcmp(proof, ref.h, n * 32) == 0);
	REQUIRE_EQ(vcons(s1, s2, r1, r2, proof, n), 1);

	nbits = bits_to_flip(all_bits, s1 * 17 + s2, bits);
	for (b = 0; b < nbits; b++) {
		for (j = 0; j < n; j++) {
			memcpy(bad, proof, n * 32);
			flip(bad[j], bits[b]);
			REQUIRE_EQ(vcons(s1, s2, r1, r2, bad, n), 0);
		}
		memcpy(x, r1, 32);
		flip(x, bits[b]);
		REQUIRE_EQ(vcons(s1, s2, x, r2, proof, n), 0);
		memcpy(x, r2, 32);
		flip(x, bits[b]);
		/* From the empty tree nothing about root2 can be checked. */
		REQUIRE_EQ(vcons(s1, s2, r1, x, proof, n), s1 == 0 && s2 > 0);
	}
	if (n > 0) {
		REQUIRE_EQ(vcons(s1, s2, r1, r2, proof, n - 1), 0);
		REQUIRE_EQ(vcons(s1, s2, r1, r2, proof + 1, n - 1), 0);
	}
	memcpy(bad, proof, n * 32);
	memcpy(bad[n], r2, 32);
	REQUIRE_EQ(vcons(s1, s2, r1, r2, bad, n + 1), 0);
	memset(bad[n], 0, 32);
	REQUIRE_EQ(vcons(s1, s2, r1, r2, bad, n + 1), 0);
	memcpy(bad[0], r1, 32);
	memcpy(bad + 1, proof, n * 32);
	REQUIRE_EQ(vcons(s1, s2, r1, r2, bad, n + 1), 0);

	if (s1 != s2)   /* swapped roots */
		REQUIRE_EQ(vcons(s1, s2, r2, r1, proof, n), 0);

	for (j = 0; j < 4; j++) {
		uint64_t m = claims[j][0], n2 = claims[j][1];
		int expect;

		if ((j == 0 && s1 == 0) || (j == 2 && s2 == 0))
			continue;
		expect = consistency_expect(m, n2, &ref, n, r1, r2);
		wrong_size_claims++;
		same_shape_accepts += (unsigned long)expect;
		if (vcons(m, n2, r1, r2, proof, n) != expect)
			ck_abort_msg("consistency (%" PRIu64 ", %" PRIu64
				     ") claimed as (%" PRIu64 ", %" PRIu64 ")",
				     s1, s2, m, n2);
	}
}

START_TEST(consistency_small_trees)
{
	uint64_t s1, s2;

	same_shape_accepts = wrong_size_claims = 0;
	build();
	for (s2 = 0; s2 <= SMALL; s2++)
		for (s1 = 0; s1 <= s2; s1++)
			check_consistency(s1, s2, s2 <= 12);
	fprintf(stderr, "consistency: %lu of %lu off-by-one size claims accepted, "
		"all with an identical PROOF shape or outside 0 < size1 < size2\n",
		same_shape_accepts, wrong_size_claims);
	unbuild();
}
END_TEST

START_TEST(consistency_large_trees)
{
	size_t i;
	uint64_t s1;

	build();
	for (i = 0; i < N_BIG; i++) {
		uint64_t s2 = big_sizes[i];
		const uint64_t pick[] = { 0, 1, 2, 3, 4, 7, 8, 9, s2 / 3, s2 / 2, s2 - 2,
					  s2 - 1, s2 };
		size_t p;

		for (p = 0; p < sizeof pick / sizeof pick[0]; p++)
			check_consistency(pick[p], s2, 0);
		for (s1 = 11; s1 < s2; s1 += 53)
			check_consistency(s1, s2, 0);
	}
	unbuild();
}
END_TEST

/* Verification binds the root, not the size: the proof for leaf 0 of three
 * leaves, [h1, h2], is also the PATH of leaf 0 in a four-leaf tree whose
 * right half hashes to h2.  Only a signed checkpoint ties size to root. */
START_TEST(same_shape_is_inherent)
{
	unsigned char proof[SWN_MERKLE_MAX_PROOF][32], root3[32];
	struct swn_err err;
	size_t n;

	build();
	swn_err_clear(&err);
	st.limit = 3;
	ck_assert_int_eq(swn_merkle_inclusion_proof(0, 3, store_get, &st, proof, &n, &err), 0);
	ref_mth(leaves, 3, root3);
	ck_assert_int_eq(vin(0, 3, leaves[0], proof, n, root3), 1);
	ck_assert_int_eq(vin(0, 4, leaves[0], proof, n, root3), 1);
	ck_assert_int_eq(vin(0, 2, leaves[0], proof, n, root3), 0);
	ck_assert_int_eq(vin(0, 5, leaves[0], proof, n, root3), 0);
	unbuild();
}
END_TEST

/* ------------------------------------------------------------------------
 * Limits and failures.
 */

/* A tree of identical leaves: the perfect subtree at level l has one hash
 * whatever its index, so sizes up to 2^63 - 1 can be stored in 64 hashes. */
static unsigned char uniform[64][32];

static int uniform_get(void *ctx, unsigned level, uint64_t index, unsigned char out[32])
{
	unsigned long *lookups = ctx;

	(void)index;
	(*lookups)++;
	if (level >= 64)
		return -1;
	memcpy(out, uniform[level], 32);
	return 0;
}

START_TEST(largest_trees)
{
	unsigned char proof[SWN_MERKLE_MAX_PROOF + 1][32], r1[32], r2[32], root[32];
	const uint64_t max = SWN_MERKLE_MAX_SIZE;
	struct swn_merkle_frontier fr, before;
	unsigned long lookups = 0;
	struct swn_err err;
	size_t n;
	unsigned l;

	ref_leaf("x", 1, uniform[0]);
	for (l = 1; l < 64; l++)
		ref_node(uniform[l - 1], uniform[l - 1], uniform[l]);
	swn_err_clear(&err);

	ck_assert_int_eq(swn_merkle_root(max, uniform_get, &lookups, r2, &err), 0);
	ck_assert_uint_eq(lookups, 63);
	ck_assert_int_eq(swn_merkle_root(1u << 20, uniform_get, &lookups, root, &err), 0);
	ck_assert_mem_eq(root, uniform[20], 32);

	/* The longest proofs: 63 hashes for inclusion, 64 for consistency
	 * (ceil(log2 size) + 1, with size1 = 3 and size2 = 2^63 - 1). */
	lookups = 0;
	ck_assert_int_eq(swn_merkle_inclusion_proof(0, max, uniform_get, &lookups, proof,
						    &n, &err), 0);
	ck_assert_uint_eq(n, 63);
	ck_assert_uint_le(lookups, lookup_bound(max));
	ck_assert_int_eq(vin(0, max, uniform[0], proof, n, r2), 1);
	ck_assert_int_eq(swn_merkle_inclusion_proof(max - 1, max, uniform_get, &lookups,
						    proof, &n, &err), 0);
	ck_assert_int_eq(vin(max - 1, max, uniform[0], proof, n, r2), 1);
	ck_assert_int_eq(vin(max - 1, max - 1, uniform[0], proof, n, r2), 0);

	lookups = 0;
	ck_assert_int_eq(swn_merkle_root(3, uniform_get, &lookups, r1, &err), 0);
	ck_assert_int_eq(swn_merkle_consistency_proof(3, max, uniform_get, &lookups,
						      proof, &n, &err), 0);
	ck_assert_uint_eq(n, SWN_MERKLE_MAX_PROOF);
	ck_assert_uint_le(lookups, lookup_bound(max));
	ck_assert_int_eq(vcons(3, max, r1, r2, proof, n), 1);
	ck_assert_int_eq(swn_merkle_root(max - 1, uniform_get, &lookups, r1, &err), 0);
	ck_assert_int_eq(swn_merkle_consistency_proof(max - 1, max, uniform_get, &lookups,
						      proof, &n, &err), 0);
	ck_assert_int_eq(vcons(max - 1, max, r1, r2, proof, n), 1);

	/* Over the limits. */
	ck_assert_int_eq(vin(0, max + 1, uniform[0], proof, 1, r2), 0);
	ck_assert_int_eq(vcons(1, max + 1, r1, r2, proof, 1), 0);
	memcpy(proof[SWN_MERKLE_MAX_PROOF], proof[0], 32);
	ck_assert_int_eq(vin(0, max, uniform[0], proof, SWN_MERKLE_MAX_PROOF + 1, r2), 0);
	ck_assert_int_eq(vcons(3, max, r1, r2, proof, SWN_MERKLE_MAX_PROOF + 1), 0);
	ck_assert_int_eq(swn_merkle_root(max + 1, uniform_get, &lookups, root, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_USAGE);

	/* A full frontier refuses one more leaf and stays as it was. */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_merkle_frontier_load(&fr, max, uniform_get, &lookups, &err), 0);
	ck_assert_int_eq(swn_merkle_frontier_root(&fr, root), 0);
	ck_assert_mem_eq(root, r2, 32);
	before = fr;
	ck_assert_int_eq(swn_merkle_frontier_append(&fr, uniform[0], NULL, NULL, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
	ck_assert(memcmp(&fr, &before, sizeof fr) == 0);
	/* One short of full takes one more. */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_merkle_frontier_load(&fr, max - 1, uniform_get, &lookups,
						  &err), 0);
	ck_assert_int_eq(swn_merkle_frontier_append(&fr, uniform[0], NULL, NULL, &err), 0);
	ck_assert_int_eq(swn_merkle_frontier_root(&fr, root), 0);
	ck_assert_mem_eq(root, r2, 32);
}
END_TEST

/* A lookup that records its own, better error in the caller's err. */
struct precise {
	struct swn_err *err;
};

static int precise_get(void *ctx, unsigned level, uint64_t index, unsigned char out[32])
{
	struct precise *p = ctx;

	(void)out;
	return swn_err_set(p->err, SWN_E_NOT_FOUND, "ledger.db", 0,
			   "entry %" PRIu64 " is missing (level %u)", index, level);
}

START_TEST(bad_arguments_and_failing_stores)
{
	unsigned char proof[SWN_MERKLE_MAX_PROOF][32], root[32];
	struct swn_merkle_frontier fr;
	struct precise pr;
	struct swn_err err;
	size_t n = 99;

	build();
	st.limit = 8;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_merkle_inclusion_proof(8, 8, store_get, &st, proof, &n, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_NOT_FOUND);
	ck_assert_uint_eq(n, 0);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_merkle_inclusion_proof(0, 0, store_get, &st, proof, &n, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_NOT_FOUND);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_merkle_consistency_proof(5, 4, store_get, &st, proof, &n, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_USAGE);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_merkle_root(3, NULL, NULL, root, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_USAGE);
	ck_assert_int_eq(vin(3, 3, leaves[0], proof, 0, root), 0);
	ck_assert_int_eq(vin(0, 0, empty, proof, 0, empty), 0);
	ck_assert_int_eq(vcons(5, 4, root, root, proof, 0), 0);
	/* The edges the RFC leaves out (merkle.h). */
	ck_assert_int_eq(vcons(0, 0, empty, empty, proof, 0), 1);
	ck_assert_int_eq(vcons(0, 0, leaves[0], leaves[0], proof, 0), 0);
	ck_assert_int_eq(vcons(0, 5, empty, leaves[3], proof, 0), 1);
	ck_assert_int_eq(vcons(0, 5, leaves[0], leaves[3], proof, 0), 0);
	ck_assert_int_eq(vcons(5, 5, leaves[3], leaves[3], proof, 0), 1);
	ck_assert_int_eq(vcons(5, 5, leaves[3], leaves[4], proof, 0), 0);

	/* A failing store: the call fails and says where. */
	st.fail = 1;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_merkle_root(5, store_get, &st, root, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_DB);
	ck_assert_ptr_nonnull(strstr(err.msg, "level 0, index 4"));
	swn_err_clear(&err);
	ck_assert_int_eq(swn_merkle_inclusion_proof(2, 5, store_get, &st, proof, &n, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_DB);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_merkle_consistency_proof(3, 5, store_get, &st, proof, &n, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_DB);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_merkle_frontier_load(&fr, 5, store_get, &st, &err), -1);
	ck_assert_uint_eq(fr.size, 0);

	/* A failing store on append leaves the frontier as it was. */
	{
		struct swn_merkle_frontier before = frontier;

		swn_err_clear(&err);
		ck_assert_int_eq(swn_merkle_frontier_append(&frontier, leaves[0], store_put,
							    &st, &err), -1);
		ck_assert_int_eq(err.code, SWN_E_DB);
		ck_assert(memcmp(&frontier, &before, sizeof before) == 0);
	}
	st.fail = 0;

	/* The first error is the store's own, and it is kept. */
	swn_err_clear(&err);
	pr.err = &err;
	ck_assert_int_eq(swn_merkle_root(6, precise_get, &pr, root, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_NOT_FOUND);
	ck_assert_str_eq(err.file, "ledger.db");
	unbuild();
}
END_TEST

/* ------------------------------------------------------------------------
 * Proof files.
 */

/* The CT tree: leaf 0 = SHA-256(0x00), root of 8 leaves, PATH(0, D[8]);
 * base64 computed independently (Python's base64 module). */
#define B64_L0  "\"bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\""
#define B64_R8  "\"XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\""
#define B64_P08 "[\"lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=\"," \
	"\"Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=\"," \
	"\"a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=\"]"
#define INC(i, s, l, r, p) "{\"type\":\"inclusion\",\"leaf_index\":" i \
	",\"tree_size\":" s ",\"leaf_hash\":" l ",\"root\":" r ",\"proof\":" p "}"
#define CONS(a, b, r1, r2, p) "{\"type\":\"consistency\",\"size1\":" a \
	",\"size2\":" b ",\"root1\":" r1 ",\"root2\":" r2 ",\"proof\":" p "}"
/* PATH(0, D[8]) is also PROOF(1, D[8]), and the root of one leaf is leaf 0. */
#define GOOD_INC  INC("0", "8", B64_L0, B64_R8, B64_P08)
#define GOOD_CONS CONS("1", "8", B64_L0, B64_R8, B64_P08)

static void expect_bad(const char *text, size_t len, enum swn_code code,
		       const char *needle)
{
	struct swn_proof p;
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_msg(swn_proof_parse(text, len, "p.json", &p, &err) == -1,
		      "accepted: %.200s", text);
	ck_assert_msg(err.code == code, "%s: code %s for %.200s", err.msg,
		      swn_code_name(err.code), text);
	ck_assert_msg(strstr(err.msg, needle) != NULL, "message \"%s\" lacks \"%s\"",
		      err.msg, needle);
	ck_assert_str_eq(err.file, "p.json");
	ck_assert_uint_eq(p.n, 0);
}

static void expect_bad_str(const char *text, const char *needle)
{
	expect_bad(text, strlen(text), SWN_E_PARSE, needle);
}

static void expect_good(const char *text, int valid)
{
	struct swn_proof p;
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_msg(swn_proof_parse(text, strlen(text), "p.json", &p, &err) == 0,
		      "%s: %.200s", err.msg, text);
	ck_assert_int_eq(swn_proof_check(&p), valid);
}

/* text with key set to the JSON value v (NULL: key removed), via jansson. */
static char *edited(const char *text, const char *key, const char *v)
{
	json_error_t je;
	json_t *o = json_loads(text, 0, &je), *j;
	char *s;

	ck_assert_ptr_nonnull(o);
	if (v == NULL) {
		ck_assert_int_eq(json_object_del(o, key), 0);
	} else {
		j = json_loads(v, JSON_DECODE_ANY, &je);
		ck_assert_msg(j != NULL, "%s: %s", v, je.text);
		ck_assert_int_eq(json_object_set_new(o, key, j), 0);
	}
	s = json_dumps(o, JSON_COMPACT);
	ck_assert_ptr_nonnull(s);
	json_decref(o);
	return s;
}

START_TEST(proof_json_known_answer_and_round_trip)
{
	unsigned char proof[SWN_MERKLE_MAX_PROOF][32];
	struct swn_proof p, q;
	struct swn_err err;
	char *json;
	size_t i;
	const uint64_t cases[][3] = {
		/* type (0 inclusion), a, b */
		{ 0, 0, 8 }, { 0, 5, 8 }, { 0, 0, 1 }, { 0, 1024, 1025 }, { 0, 300, 1025 },
		{ 1, 1, 8 }, { 1, 6, 8 }, { 1, 0, 5 }, { 1, 5, 5 }, { 1, 0, 0 },
		{ 1, 3, 1025 }, { 1, 1000, 1024 },
	};

	build();
	swn_err_clear(&err);
	/* The exact text, against an independent base64. */
	memset(&p, 0, sizeof p);
	p.type = SWN_PROOF_INCLUSION;
	p.a = 0;
	p.b = 8;
	memcpy(p.h1, leaves[0], 32);
	ref_mth(leaves, 8, p.h2);
	st.limit = 8;
	ck_assert_int_eq(swn_merkle_inclusion_proof(0, 8, store_get, &st, p.path, &p.n,
						    &err), 0);
	ck_assert_int_eq(swn_proof_to_json(&p, &json, &err), 0);
	ck_assert_str_eq(json, GOOD_INC "\n");
	free(json);
	expect_good(GOOD_INC, 1);
	expect_good(GOOD_CONS, 1);

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&p, 0, sizeof p);
		p.a = cases[i][1];
		p.b = cases[i][2];
		st.limit = p.b;
		if (cases[i][0] == 0) {
			p.type = SWN_PROOF_INCLUSION;
			memcpy(p.h1, leaves[p.a], 32);
			ck_assert_int_eq(swn_merkle_inclusion_proof(p.a, p.b, store_get, &st,
								    proof, &p.n, &err), 0);
		} else {
			p.type = SWN_PROOF_CONSISTENCY;
			ref_mth(leaves, p.a, p.h1);
			ck_assert_int_eq(swn_merkle_consistency_proof(p.a, p.b, store_get,
								      &st, proof, &p.n,
								      &err), 0);
		}
		ref_mth(leaves, p.b, p.h2);
		memcpy(p.path, proof, p.n * 32);
		ck_assert_int_eq(swn_proof_check(&p), 1);

		ck_assert_int_eq(swn_proof_to_json(&p, &json, &err), 0);
		ck_assert_ptr_eq(strchr(json, '\n'), json + strlen(json) - 1);
		ck_assert_int_eq(swn_proof_parse(json, strlen(json), "rt", &q, &err), 0);
		ck_assert_int_eq(q.type, p.type);
		ck_assert_uint_eq(q.a, p.a);
		ck_assert_uint_eq(q.b, p.b);
		ck_assert_mem_eq(q.h1, p.h1, 32);
		ck_assert_mem_eq(q.h2, p.h2, 32);
		ck_assert_uint_eq(q.n, p.n);
		ck_assert(q.n == 0 || memcmp(q.path, p.path, q.n * 32) == 0);
		ck_assert_int_eq(swn_proof_check(&q), 1);
		free(json);

		/* A false proof parses and does not check. */
		q.h1[31] ^= 1;
		ck_assert_int_eq(swn_proof_check(&q), 0);
	}

	/* Writing refuses what reading would refuse. */
	memset(&p, 0, sizeof p);
	p.type = SWN_PROOF_INCLUSION;
	p.a = 8;
	p.b = 8;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_proof_to_json(&p, &json, &err), -1);
	ck_assert_ptr_null(json);
	p.a = 0;
	p.n = SWN_MERKLE_MAX_PROOF + 1;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_proof_to_json(&p, &json, &err), -1);
	p.n = 0;
	p.b = SWN_MERKLE_MAX_SIZE + 1;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_proof_to_json(&p, &json, &err), -1);
	p.type = SWN_PROOF_CONSISTENCY;
	p.a = 9;
	p.b = 8;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_proof_to_json(&p, &json, &err), -1);
	unbuild();
}
END_TEST

START_TEST(proof_json_malformed)
{
	static const char *const inc_keys[] = {
		"type", "leaf_index", "tree_size", "leaf_hash", "root", "proof",
	};
	static const char *const cons_keys[] = {
		"type", "size1", "size2", "root1", "root2", "proof",
	};
	static const char *const not_int[] = {
		"\"0\"", "0.0", "1.5", "1e3", "true", "false", "null", "[]", "{}",
	};
	static const char *const not_hash[] = {
		"\"bjQLnP-zepicpUTmu3gKLHiQHT-zNzh2hRGjBhevoB0=\"",   /* base64url */
		"\"bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0\"",    /* no padding */
		"\"bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0==\"",  /* too much */
		"\"bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB1=\"",   /* stray bits */
		"\" bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\"",  /* space */
		"\"bjQLnP+zepicpUTmu3gKLHiQ\\nHT+zNzh2hRGjBhevoB0=\"", /* newline */
		"\"bjQL=nP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0\"",   /* = inside */
		"\"\"",
		"\"====\"",
	};
	static const char *const not_32[] = {
		"\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\"",   /* 31 bytes */
		"\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",   /* 33 bytes */
		"\"AAAA\"",
	};
	const char *const *keys;
	const char *good;
	char *s, big[SWN_PROOF_MAX_BYTES + 2], path[65 * 48 + 8];
	size_t i, k, len;
	int t;

	for (t = 0; t < 2; t++) {
		good = t == 0 ? GOOD_INC : GOOD_CONS;
		keys = t == 0 ? inc_keys : cons_keys;
		for (k = 0; k < 6; k++) {
			/* Missing key. */
			s = edited(good, keys[k], NULL);
			expect_bad_str(s, "missing");
			free(s);
			/* Wrong JSON types for the sizes. */
			if (k == 1 || k == 2)
				for (i = 0; i < sizeof not_int / sizeof not_int[0]; i++) {
					s = edited(good, keys[k], not_int[i]);
					expect_bad_str(s, "must be an integer");
					free(s);
				}
			/* Bad hashes, and hashes of the wrong length. */
			if (k == 3 || k == 4) {
				for (i = 0; i < sizeof not_hash / sizeof not_hash[0]; i++) {
					s = edited(good, keys[k], not_hash[i]);
					expect_bad_str(s, "not base64");
					free(s);
				}
				for (i = 0; i < sizeof not_32 / sizeof not_32[0]; i++) {
					s = edited(good, keys[k], not_32[i]);
					expect_bad_str(s, "not a 32-byte");
					free(s);
				}
				s = edited(good, keys[k], "5");
				expect_bad_str(s, "must be a base64 string");
				free(s);
			}
		}
		/* Extra key. */
		s = edited(good, "extra", "1");
		expect_bad_str(s, "unexpected key \"extra\"");
		free(s);
		/* The other type's key, as an extra. */
		s = edited(good, t == 0 ? "size1" : "leaf_index", "0");
		expect_bad_str(s, "unexpected key");
		free(s);
		/* Negative and too big. */
		s = edited(good, keys[1], "-1");
		expect_bad_str(s, "negative");
		free(s);
		s = edited(good, keys[2], "9223372036854775807");
		expect_good(s, 0);   /* 2^63 - 1 parses (and proves nothing here) */
		free(s);
		/* The path. */
		s = edited(good, "proof", "{}");
		expect_bad_str(s, "must be an array");
		free(s);
		s = edited(good, "proof", "\"x\"");
		expect_bad_str(s, "must be an array");
		free(s);
		s = edited(good, "proof", "[1]");
		expect_bad_str(s, "\"proof\"[0] must be a base64 string");
		free(s);
		s = edited(good, "proof", "[[]]");
		expect_bad_str(s, "must be a base64 string");
		free(s);
		for (i = 0; i < sizeof not_hash / sizeof not_hash[0]; i++) {
			snprintf(path, sizeof path, "[%s,%s]", B64_L0, not_hash[i]);
			s = edited(good, "proof", path);
			expect_bad_str(s, "\"proof\"[1] is not base64");
			free(s);
		}
		snprintf(path, sizeof path, "[%s]", not_32[0]);
		s = edited(good, "proof", path);
		expect_bad_str(s, "\"proof\"[0] is 31 bytes");
		free(s);
		/* 64 hashes parse (the proof is false); 65 do not. */
		len = (size_t)snprintf(path, sizeof path, "[%s", B64_L0);
		for (i = 1; i < 64; i++)
			len += (size_t)snprintf(path + len, sizeof path - len, ",%s", B64_L0);
		snprintf(path + len, sizeof path - len, "]");
		s = edited(good, "proof", path);
		expect_good(s, 0);
		free(s);
		snprintf(path + len, sizeof path - len, ",%s]", B64_L0);
		s = edited(good, "proof", path);
		expect_bad_str(s, "more than 64");
		free(s);
		/* Type. */
		s = edited(good, "type", "\"Inclusion\"");
		expect_bad_str(s, "unknown proof type");
		free(s);
		s = edited(good, "type", "\"checkpoint\"");
		expect_bad_str(s, "unknown proof type");
		free(s);
		s = edited(good, "type", "1");
		expect_bad_str(s, "\"type\" must be a string");
		free(s);
	}
	/* Numbers jansson itself refuses: 2^63 and beyond. */
	expect_bad_str(INC("0", "9223372036854775808", B64_L0, B64_R8, B64_P08),
		       "too big");
	expect_bad_str(INC("0", "18446744073709551616", B64_L0, B64_R8, B64_P08),
		       "too big");
	expect_bad_str(INC("-9223372036854775809", "8", B64_L0, B64_R8, B64_P08),
		       "too big");

	/* Sizes that contradict each other. */
	expect_bad_str(INC("8", "8", B64_L0, B64_R8, B64_P08), "leaf_index 8");
	expect_bad_str(INC("9", "8", B64_L0, B64_R8, B64_P08), "leaf_index 9");
	expect_bad_str(INC("0", "0", B64_L0, B64_R8, "[]"), "leaf_index 0");
	expect_bad_str(CONS("9", "8", B64_L0, B64_R8, "[]"), "size1 9");
	expect_good(CONS("8", "8", B64_R8, B64_R8, "[]"), 1);
	expect_good(CONS("0", "8", "\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"",
			 B64_R8, "[]"), 1);

	/* Not a proof object at all. */
	expect_bad("", 0, SWN_E_EMPTY, "empty");
	expect_bad_str("not json", "not a JSON proof");
	expect_bad_str("42", "not a JSON proof");
	expect_bad_str("[]", "a proof is a JSON object, not an array");
	expect_bad_str("{", "not a JSON proof");
	expect_bad_str("{}", "missing \"type\"");
	expect_bad_str(GOOD_INC " x", "not a JSON proof");
	expect_bad_str(GOOD_INC GOOD_INC, "not a JSON proof");
	expect_bad_str("{\"type\":\"inclusion\",\"type\":\"inclusion\"}", "duplicate");
	expect_bad_str("{\"type\":\"inclu\\u0000sion\"}", "not a JSON proof");
	expect_bad_str("{\"type\":\"\xff\"}", "not a JSON proof");
	expect_bad(GOOD_INC "\0", sizeof GOOD_INC, SWN_E_PARSE, "not a JSON proof");

	/* Size: at the limit (padding with spaces) is fine, one byte over is not. */
	len = strlen(GOOD_INC);
	memcpy(big, GOOD_INC, len);
	memset(big + len, ' ', sizeof big - len);
	{
		struct swn_proof p;
		struct swn_err err;

		swn_err_clear(&err);
		ck_assert_int_eq(swn_proof_parse(big, SWN_PROOF_MAX_BYTES, "p.json", &p,
						 &err), 0);
		ck_assert_int_eq(swn_proof_check(&p), 1);
	}
	expect_bad(big, SWN_PROOF_MAX_BYTES + 1, SWN_E_TOO_LARGE, "over the limit");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("merkle");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, known_answers);
	tcase_add_test(tc, rfc_example_tree);
	tcase_add_test(tc, roots_agree);
	tcase_add_test(tc, inclusion_small_trees);
	tcase_add_test(tc, inclusion_large_trees);
	tcase_add_test(tc, consistency_small_trees);
	tcase_add_test(tc, consistency_large_trees);
	tcase_add_test(tc, same_shape_is_inherent);
	tcase_add_test(tc, largest_trees);
	tcase_add_test(tc, bad_arguments_and_failing_stores);
	tcase_add_test(tc, proof_json_known_answer_and_round_trip);
	tcase_add_test(tc, proof_json_malformed);
	suite_add_tcase(s, tc);
	return swn_test_run(s);
}

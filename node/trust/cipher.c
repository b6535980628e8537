/* cipher.c - AES-128-GCM, AES key wrap, RSA-OAEP, X25519 / ECDH-ES and
 * HKDF on OpenSSL 3's EVP API; see cipher.h. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "base/swn_limits.h"
#include "trust/cipher.h"

/* The slice of a payload put through OpenSSL at once.  With the 16 bytes
 * a decryptor holds back, it is all of a payload a stream holds. */
#define CHUNK_BYTES (16u * 1024u)

#define RSA_MAX_BYTES (SWN_RSA_OAEP_MAX_BITS / 8)

/* Fail with our own words, the OpenSSL error queue emptied so that its
 * leftovers cannot be blamed on a later, unrelated call. */
__attribute__((format(printf, 3, 4)))
static int fail(struct swn_err *err, enum swn_code code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	ERR_clear_error();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return swn_err_set(err, code, NULL, 0, "%s", msg);
}

/* Fail with what we were doing and OpenSSL's reason, for errors of this
 * node (out of memory, a provider missing), not a peer's. */
static int fail_ossl(struct swn_err *err, const char *what)
{
	char reason[256] = "";
	unsigned long e = ERR_peek_last_error();

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof reason);
	return fail(err, SWN_E_CRYPTO, "%s%s%s", what, reason[0] ? ": " : "", reason);
}

int swn_cipher_new_key(unsigned char key[SWN_AES128_KEY_LEN], struct swn_err *err)
{
	if (RAND_bytes(key, SWN_AES128_KEY_LEN) != 1)
		return fail_ossl(err, "cannot draw a random content key");
	return 0;
}

/* ------------------------------------------------------------------------
 * AES-128-GCM, streamed.
 */

enum gcm_state { GCM_OPEN, GCM_DONE, GCM_FAILED };

struct swn_gcm {
	enum swn_gcm_dir dir;
	enum gcm_state state;
	EVP_CIPHER_CTX *ctx;
	swn_cipher_sink sink;
	void *arg;
	unsigned char iv[SWN_GCM_IV_LEN];
	size_t iv_have;        /* decrypt: IV bytes received so far */
	int iv_out;            /* encrypt: IV written to the sink */
	unsigned char tail[SWN_GCM_TAG_LEN];
	size_t tail_len;       /* decrypt: the last bytes seen, maybe the tag */
	unsigned long long plain;   /* plaintext bytes so far */
	unsigned long long seen;    /* decrypt: cipher value bytes so far */
	unsigned char out[CHUNK_BYTES];
};

/* Mark the stream failed; returns -1 so that callers can return it. */
static int gcm_failed(struct swn_gcm *g)
{
	g->state = GCM_FAILED;
	return -1;
}

static int gcm_emit(struct swn_gcm *g, const unsigned char *p, size_t n, struct swn_err *err)
{
	if (n == 0)
		return 0;
	if (g->sink(g->arg, p, n, err) != 0) {
		swn_err_set(err, SWN_E_IO, NULL, 0, "the stream's output could not be written");
		return gcm_failed(g);
	}
	return 0;
}

/* Put n bytes through the cipher, slice by slice, and emit the result. */
static int gcm_crypt(struct swn_gcm *g, const unsigned char *p, size_t n, struct swn_err *err)
{
	if (n > SWN_CIPHER_MAX_PAYLOAD_BYTES - g->plain) {
		swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
			    "payload over %llu bytes", (unsigned long long)SWN_CIPHER_MAX_PAYLOAD_BYTES);
		return gcm_failed(g);
	}
	while (n > 0) {
		size_t k = n < CHUNK_BYTES ? n : CHUNK_BYTES;
		int outl = 0;

		if (EVP_CipherUpdate(g->ctx, g->out, &outl, p, (int)k) != 1 || (size_t)outl != k) {
			fail_ossl(err, "AES-128-GCM failed");
			return gcm_failed(g);
		}
		g->plain += k;
		if (gcm_emit(g, g->out, k, err) != 0)
			return -1;
		p += k;
		n -= k;
	}
	return 0;
}

struct swn_gcm *swn_gcm_new(enum swn_gcm_dir dir, const unsigned char key[SWN_AES128_KEY_LEN],
			    swn_cipher_sink sink, void *arg, struct swn_err *err)
{
	struct swn_gcm *g = OPENSSL_zalloc(sizeof *g);
	int enc = dir == SWN_GCM_ENCRYPT;

	if (g == NULL) {
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	g->dir = dir;
	g->state = GCM_OPEN;
	g->sink = sink;
	g->arg = arg;
	g->ctx = EVP_CIPHER_CTX_new();
	/* A decryptor learns its IV from the cipher value: key now, IV later. */
	if (g->ctx == NULL || (enc && RAND_bytes(g->iv, sizeof g->iv) != 1) ||
	    EVP_CipherInit_ex(g->ctx, EVP_aes_128_gcm(), NULL, key, enc ? g->iv : NULL, enc) != 1) {
		fail_ossl(err, "cannot start AES-128-GCM");
		swn_gcm_free(g);
		return NULL;
	}
	return g;
}

static int gcm_check_open(struct swn_gcm *g, struct swn_err *err)
{
	if (g->state == GCM_OPEN)
		return 0;
	return swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "%s",
			   g->state == GCM_DONE ? "the stream is finished" : "the stream failed before");
}

static int gcm_emit_iv_once(struct swn_gcm *g, struct swn_err *err)
{
	if (g->iv_out)
		return 0;
	g->iv_out = 1;
	return gcm_emit(g, g->iv, sizeof g->iv, err);
}

/* Decrypt: everything but the last SWN_GCM_TAG_LEN bytes seen so far is
 * ciphertext; those last bytes wait in tail until more come, or final. */
static int gcm_release(struct swn_gcm *g, const unsigned char *p, size_t n, struct swn_err *err)
{
	size_t release, from_tail;

	if (g->tail_len + n <= SWN_GCM_TAG_LEN) {
		memcpy(g->tail + g->tail_len, p, n);
		g->tail_len += n;
		return 0;
	}
	release = g->tail_len + n - SWN_GCM_TAG_LEN;
	from_tail = release < g->tail_len ? release : g->tail_len;
	if (from_tail > 0) {
		if (gcm_crypt(g, g->tail, from_tail, err) != 0)
			return -1;
		memmove(g->tail, g->tail + from_tail, g->tail_len - from_tail);
		g->tail_len -= from_tail;
	}
	if (gcm_crypt(g, p, release - from_tail, err) != 0)
		return -1;
	p += release - from_tail;
	n -= release - from_tail;
	memcpy(g->tail + g->tail_len, p, n);
	g->tail_len += n;
	return 0;
}

static int gcm_decrypt_update(struct swn_gcm *g, const unsigned char *p, size_t n,
			      struct swn_err *err)
{
	g->seen += n;
	if (g->iv_have < SWN_GCM_IV_LEN) {
		size_t take = SWN_GCM_IV_LEN - g->iv_have;

		if (take > n)
			take = n;
		memcpy(g->iv + g->iv_have, p, take);
		g->iv_have += take;
		p += take;
		n -= take;
		if (g->iv_have < SWN_GCM_IV_LEN)
			return 0;
		if (EVP_DecryptInit_ex(g->ctx, NULL, NULL, NULL, g->iv) != 1) {
			fail_ossl(err, "cannot set the AES-128-GCM IV");
			return gcm_failed(g);
		}
	}
	return gcm_release(g, p, n, err);
}

int swn_gcm_update(struct swn_gcm *g, const void *p, size_t n, struct swn_err *err)
{
	if (gcm_check_open(g, err) != 0)
		return -1;
	if (n == 0)
		return 0;               /* p may be NULL then: nothing to copy */
	if (g->dir == SWN_GCM_DECRYPT)
		return gcm_decrypt_update(g, p, n, err);
	if (gcm_emit_iv_once(g, err) != 0)
		return -1;
	return gcm_crypt(g, p, n, err);
}

static int gcm_encrypt_final(struct swn_gcm *g, struct swn_err *err)
{
	unsigned char tag[SWN_GCM_TAG_LEN];
	int outl = 0;

	if (gcm_emit_iv_once(g, err) != 0)
		return -1;
	if (EVP_EncryptFinal_ex(g->ctx, g->out, &outl) != 1 || outl != 0 ||
	    EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_AEAD_GET_TAG, sizeof tag, tag) != 1) {
		fail_ossl(err, "cannot finish AES-128-GCM");
		return gcm_failed(g);
	}
	return gcm_emit(g, tag, sizeof tag, err);
}

static int gcm_decrypt_final(struct swn_gcm *g, struct swn_err *err)
{
	int outl = 0;

	if (g->iv_have < SWN_GCM_IV_LEN || g->tail_len < SWN_GCM_TAG_LEN) {
		fail(err, SWN_E_CRYPTO,
		     "AES-128-GCM cipher value of %llu bytes is shorter than IV and tag (%d bytes)",
		     g->seen, SWN_GCM_IV_LEN + SWN_GCM_TAG_LEN);
		return gcm_failed(g);
	}
	if (EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_AEAD_SET_TAG, SWN_GCM_TAG_LEN, g->tail) != 1) {
		fail_ossl(err, "cannot set the AES-128-GCM tag");
		return gcm_failed(g);
	}
	if (EVP_DecryptFinal_ex(g->ctx, g->out, &outl) != 1) {
		fail(err, SWN_E_CRYPTO, "AES-128-GCM tag does not match: wrong key, or the "
		     "cipher value was changed; the plaintext must be thrown away");
		return gcm_failed(g);
	}
	return 0;
}

int swn_gcm_final(struct swn_gcm *g, struct swn_err *err)
{
	int rc;

	if (gcm_check_open(g, err) != 0)
		return -1;
	rc = g->dir == SWN_GCM_DECRYPT ? gcm_decrypt_final(g, err) : gcm_encrypt_final(g, err);
	if (rc == 0)
		g->state = GCM_DONE;
	return rc;
}

void swn_gcm_free(struct swn_gcm *g)
{
	if (g == NULL)
		return;
	EVP_CIPHER_CTX_free(g->ctx);   /* wipes the key schedule */
	OPENSSL_clear_free(g, sizeof *g);
}

static int buf_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	return swn_buf_add(arg, p, n, err);
}

static int gcm_oneshot(enum swn_gcm_dir dir, const unsigned char key[SWN_AES128_KEY_LEN],
		       const void *in, size_t n, struct swn_buf *out, struct swn_err *err)
{
	struct swn_gcm *g = swn_gcm_new(dir, key, buf_sink, out, err);
	int rc = -1;

	if (g != NULL && swn_gcm_update(g, in, n, err) == 0 && swn_gcm_final(g, err) == 0)
		rc = 0;
	swn_gcm_free(g);
	if (rc != 0) {
		/* what was decrypted before the tag failed is wiped, not only
		 * freed (copies left behind by growing the buffer are not) */
		if (out->data)
			OPENSSL_cleanse(out->data, out->len);
		swn_buf_free(out);
	}
	return rc;
}

int swn_gcm_encrypt(const unsigned char key[SWN_AES128_KEY_LEN], const void *in, size_t n,
		    struct swn_buf *out, struct swn_err *err)
{
	return gcm_oneshot(SWN_GCM_ENCRYPT, key, in, n, out, err);
}

int swn_gcm_decrypt(const unsigned char key[SWN_AES128_KEY_LEN], const void *in, size_t n,
		    struct swn_buf *out, struct swn_err *err)
{
	return gcm_oneshot(SWN_GCM_DECRYPT, key, in, n, out, err);
}

/* ------------------------------------------------------------------------
 * AES-128 key wrap (RFC 3394).
 */

/* Run the wrap cipher over in.  OpenSSL sizes its output buffer as the
 * input plus a block, so the result goes through a local buffer of that
 * size, wiped afterwards, before the caller's exact one. */
static int kw_run(int enc, const unsigned char kek[SWN_AES128_KEY_LEN], const unsigned char *in,
		  size_t in_len, unsigned char *out, size_t want, struct swn_err *err)
{
	unsigned char tmp[SWN_CIPHER_MAX_KEY_BYTES + 2 * SWN_KW_OVERHEAD];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0, finl = 0, rc = -1;

	if (ctx == NULL)
		return fail_ossl(err, "cannot start AES key wrap");
	/* OpenSSL refuses wrap mode unless asked for it by name. */
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_CipherInit_ex(ctx, EVP_aes_128_wrap(), NULL, kek, NULL, enc) != 1)
		fail_ossl(err, "cannot start AES key wrap");
	else if (EVP_CipherUpdate(ctx, tmp, &outl, in, (int)in_len) != 1 || (size_t)outl != want ||
		 EVP_CipherFinal_ex(ctx, tmp + outl, &finl) != 1 || finl != 0)
		fail(err, SWN_E_CRYPTO, "%s", enc ? "AES key wrap failed" :
		     "AES key unwrap failed: the integrity check value does not come out "
		     "(wrong key-encryption key, or the wrapped key was changed)");
	else {
		memcpy(out, tmp, want);
		rc = 0;
	}
	OPENSSL_cleanse(tmp, sizeof tmp);
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int swn_kw_wrap(const unsigned char kek[SWN_AES128_KEY_LEN], const unsigned char *key,
		size_t key_len, unsigned char *out, size_t out_size, struct swn_err *err)
{
	if (key_len < 16 || key_len % 8 != 0 || key_len > SWN_CIPHER_MAX_KEY_BYTES)
		return fail(err, SWN_E_CRYPTO, "a key to wrap must be 16 to %d bytes, a multiple "
			    "of 8, not %zu", SWN_CIPHER_MAX_KEY_BYTES, key_len);
	if (out_size < key_len + SWN_KW_OVERHEAD)
		return fail(err, SWN_E_TOO_LARGE, "no room for the wrapped key");
	return kw_run(1, kek, key, key_len, out, key_len + SWN_KW_OVERHEAD, err);
}

int swn_kw_unwrap(const unsigned char kek[SWN_AES128_KEY_LEN], const unsigned char *in,
		  size_t in_len, unsigned char *out, size_t out_size, size_t *key_len,
		  struct swn_err *err)
{
	if (in_len > SWN_CIPHER_MAX_KEY_BYTES + SWN_KW_OVERHEAD)
		return fail(err, SWN_E_TOO_LARGE, "wrapped key of %zu bytes (at most %d)",
			    in_len, SWN_CIPHER_MAX_KEY_BYTES + SWN_KW_OVERHEAD);
	if (in_len < 16 + SWN_KW_OVERHEAD || in_len % 8 != 0)
		return fail(err, SWN_E_CRYPTO, "a wrapped key must be 24 bytes or more, a multiple "
			    "of 8, not %zu", in_len);
	if (out_size < in_len - SWN_KW_OVERHEAD)
		return fail(err, SWN_E_TOO_LARGE, "no room for the unwrapped key");
	if (kw_run(0, kek, in, in_len, out, in_len - SWN_KW_OVERHEAD, err) != 0)
		return -1;
	*key_len = in_len - SWN_KW_OVERHEAD;
	return 0;
}

/* ------------------------------------------------------------------------
 * Keys: types, encodings and checks.
 */

static const char *key_type_name(EVP_PKEY *key)
{
	const char *name = key ? EVP_PKEY_get0_type_name(key) : NULL;

	return name ? name : "an unknown type";
}

static int is_p256(EVP_PKEY *key)
{
	char name[64];
	size_t len = 0;
	int nid;

	if (!EVP_PKEY_is_a(key, "EC") ||
	    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name,
					   &len) != 1)
		return 0;
	nid = OBJ_sn2nid(name);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(name);
	return nid == NID_X9_62_prime256v1;
}

static const char *agree_name(enum swn_agree_alg alg)
{
	switch (alg) {
	case SWN_AGREE_X25519:    return "X25519";
	case SWN_AGREE_ECDH_P256: return "ECDH-ES";
	}
	return "unknown agreement";
}

/* The key is of the type alg works with: a key of another type is refused
 * by name rather than left to fail somewhere inside OpenSSL. */
static int agree_key_ok(enum swn_agree_alg alg, EVP_PKEY *key, struct swn_err *err)
{
	int ok = 0;

	if (key == NULL)
		return fail(err, SWN_E_CRYPTO, "%s needs a key, and there is none", agree_name(alg));
	switch (alg) {
	case SWN_AGREE_X25519:    ok = EVP_PKEY_is_a(key, "X25519"); break;
	case SWN_AGREE_ECDH_P256: ok = is_p256(key); break;
	}
	if (!ok)
		return fail(err, SWN_E_CRYPTO, "%s needs %s key, not %s", agree_name(alg),
			    alg == SWN_AGREE_X25519 ? "an X25519" : "an EC P-256",
			    key_type_name(key));
	return 0;
}

int swn_agree_public(enum swn_agree_alg alg, EVP_PKEY *key, unsigned char out[SWN_AGREE_PUB_MAX],
		     size_t *out_len, struct swn_err *err)
{
	BIGNUM *x = NULL, *y = NULL;
	size_t len = SWN_X25519_PUB_LEN;
	int rc = -1;

	if (agree_key_ok(alg, key, err) != 0)
		return -1;
	if (alg == SWN_AGREE_X25519) {
		if (EVP_PKEY_get_raw_public_key(key, out, &len) != 1 || len != SWN_X25519_PUB_LEN)
			return fail_ossl(err, "cannot read the X25519 public key");
		*out_len = len;
		return 0;
	}
	/* From the coordinates, so that the point is uncompressed whatever
	 * form the key was read or made in. */
	out[0] = 0x04;
	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
	    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1 ||
	    BN_bn2binpad(x, out + 1, 32) != 32 || BN_bn2binpad(y, out + 33, 32) != 32)
		fail_ossl(err, "cannot read the P-256 public key");
	else {
		*out_len = SWN_P256_POINT_LEN;
		rc = 0;
	}
	BN_free(x);
	BN_free(y);
	return rc;
}

/* Does key, written as a SubjectPublicKeyInfo, give exactly der? */
static int der_again(EVP_PKEY *key, const unsigned char *der, size_t der_len)
{
	unsigned char *again = NULL;
	int n = i2d_PUBKEY(key, &again);
	int same = n > 0 && (size_t)n == der_len && memcmp(again, der, der_len) == 0;

	OPENSSL_free(again);
	return same;
}

int swn_agree_public_from_spki(enum swn_agree_alg alg, const unsigned char *der,
			       size_t der_len, unsigned char out[SWN_AGREE_PUB_MAX],
			       size_t *out_len, struct swn_err *err)
{
	const unsigned char *p = der;
	EVP_PKEY *key;
	int rc;

	if (der_len == 0 || der_len > SWN_AGREE_SPKI_MAX_BYTES)
		return fail(err, SWN_E_CRYPTO, "a SubjectPublicKeyInfo of %zu bytes (at most %d)",
			    der_len, SWN_AGREE_SPKI_MAX_BYTES);
	key = d2i_PUBKEY(NULL, &p, (long)der_len);
	/* The whole value must be the one structure, in DER (the one encoding:
	 * written again it is the same bytes), with no trailing bytes that
	 * another reader might take for something. */
	if (key == NULL || p != der + der_len || !der_again(key, der, der_len)) {
		EVP_PKEY_free(key);
		return fail(err, SWN_E_CRYPTO, "the key is not one DER SubjectPublicKeyInfo");
	}
	rc = swn_agree_public(alg, key, out, out_len, err);
	EVP_PKEY_free(key);
	return rc;
}

static EVP_PKEY *p256_from_point(const unsigned char *p, size_t n, struct swn_err *err)
{
	unsigned char point[SWN_P256_POINT_LEN];
	char group[] = SN_X9_62_prime256v1;
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY_CTX *check = NULL;
	EVP_PKEY *key = NULL;

	memcpy(point, p, sizeof point);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, n);
	params[2] = OSSL_PARAM_construct_end();
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1 ||
	    (check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL ||
	    EVP_PKEY_public_check(check) != 1) {
		fail(err, SWN_E_CRYPTO, "the ECDH-ES public key is not a point on P-256");
		EVP_PKEY_free(key);
		key = NULL;
	}
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* A peer's encoded public key as an EVP_PKEY, checked as far as it can be
 * before use (an X25519 key of low order shows only in the result). */
static EVP_PKEY *peer_key(enum swn_agree_alg alg, const unsigned char *p, size_t n,
			  struct swn_err *err)
{
	EVP_PKEY *key;

	if (alg == SWN_AGREE_X25519) {
		if (n != SWN_X25519_PUB_LEN) {
			fail(err, SWN_E_CRYPTO, "an X25519 public key is 32 bytes, not %zu", n);
			return NULL;
		}
		key = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, p, n);
		if (key == NULL)
			fail_ossl(err, "cannot read the X25519 public key");
		return key;
	}
	if (n != SWN_P256_POINT_LEN || p[0] != 0x04) {
		fail(err, SWN_E_CRYPTO, "an ECDH-ES public key must be an uncompressed P-256 point "
		     "(65 bytes starting with 0x04), not %zu bytes", n);
		return NULL;
	}
	return p256_from_point(p, n, err);
}

/* The shared secret of priv and peer, both of alg's type. */
static int derive(enum swn_agree_alg alg, EVP_PKEY *priv, EVP_PKEY *peer,
		  unsigned char secret[SWN_AGREE_SECRET_LEN], struct swn_err *err)
{
	static const unsigned char zeros[SWN_AGREE_SECRET_LEN];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
	size_t len = SWN_AGREE_SECRET_LEN;
	int rc = -1;

	if (ctx == NULL || EVP_PKEY_derive_init(ctx) != 1)
		fail_ossl(err, "cannot start the key agreement");
	else if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) != 1)
		fail(err, SWN_E_CRYPTO, "%s: the peer's public key is not usable", agree_name(alg));
	else if (EVP_PKEY_derive(ctx, secret, &len) != 1 ||
		 CRYPTO_memcmp(secret, zeros, sizeof zeros) == 0)
		/* OpenSSL itself refuses X25519's all-zero result; we check again. */
		fail(err, SWN_E_CRYPTO, "%s refused: the shared secret is all zeros (a peer "
		     "key of low order)", agree_name(alg));
	else if (len != SWN_AGREE_SECRET_LEN)
		fail(err, SWN_E_CRYPTO, "%s gave a secret of %zu bytes", agree_name(alg), len);
	else
		rc = 0;
	if (rc != 0)
		OPENSSL_cleanse(secret, SWN_AGREE_SECRET_LEN);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int swn_agree_secret(enum swn_agree_alg alg, EVP_PKEY *priv, const unsigned char *peer,
		     size_t peer_len, unsigned char secret[SWN_AGREE_SECRET_LEN],
		     struct swn_err *err)
{
	EVP_PKEY *pk;
	int rc;

	if (agree_key_ok(alg, priv, err) != 0)
		return -1;
	pk = peer_key(alg, peer, peer_len, err);
	if (pk == NULL)
		return -1;
	rc = derive(alg, priv, pk, secret, err);
	EVP_PKEY_free(pk);
	return rc;
}

/* ------------------------------------------------------------------------
 * HKDF and the two halves of the agreement.
 */

int swn_hkdf_sha256(const unsigned char *ikm, size_t ikm_len,
		    const struct swn_hkdf_params *hp, unsigned char *out, size_t out_len,
		    struct swn_err *err)
{
	static const struct swn_hkdf_params none;
	char digest[] = "SHA256";
	OSSL_PARAM params[5], *p = params;
	EVP_KDF *kdf;
	EVP_KDF_CTX *kctx = NULL;
	int rc = -1;

	if (hp == NULL)
		hp = &none;
	if (hp->salt_len > SWN_HKDF_MAX_SALT_BYTES || hp->info_len > SWN_HKDF_MAX_INFO_BYTES)
		return fail(err, SWN_E_TOO_LARGE, "HKDF salt of %zu or info of %zu bytes (at most "
			    "%d and %d)", hp->salt_len, hp->info_len, SWN_HKDF_MAX_SALT_BYTES,
			    SWN_HKDF_MAX_INFO_BYTES);
	if (ikm_len == 0 || out_len == 0 || out_len > 255 * 32)
		return fail(err, SWN_E_CRYPTO, "HKDF of %zu bytes from %zu bytes", out_len, ikm_len);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len);
	/* No salt given is RFC 5869's HashLen zeros: HMAC pads any key with
	 * zeros, so an empty key is the same key. */
	if (hp->salt_len > 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)hp->salt,
							 hp->salt_len);
	if (hp->info_len > 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)hp->info,
							 hp->info_len);
	*p = OSSL_PARAM_construct_end();
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (kdf != NULL)
		kctx = EVP_KDF_CTX_new(kdf);
	if (kctx == NULL || EVP_KDF_derive(kctx, out, out_len, params) != 1)
		fail_ossl(err, "HKDF failed");
	else
		rc = 0;
	EVP_KDF_CTX_free(kctx);   /* wipes the pseudorandom key */
	EVP_KDF_free(kdf);
	return rc;
}

static EVP_PKEY *ephemeral_key(enum swn_agree_alg alg, struct swn_err *err)
{
	EVP_PKEY *key = alg == SWN_AGREE_X25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "X25519")
						: EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	if (key == NULL)
		fail_ossl(err, "cannot make an ephemeral key");
	return key;
}

int swn_agree_send(enum swn_agree_alg alg, X509 *cert, const struct swn_hkdf_params *hp,
		   unsigned char kek[SWN_AES128_KEY_LEN],
		   unsigned char epk[SWN_AGREE_PUB_MAX], size_t *epk_len,
		   struct swn_err *err)
{
	unsigned char secret[SWN_AGREE_SECRET_LEN];
	EVP_PKEY *pub = cert ? X509_get0_pubkey(cert) : NULL;
	EVP_PKEY *eph;
	int rc = -1;

	if (agree_key_ok(alg, pub, err) != 0)
		return -1;
	eph = ephemeral_key(alg, err);
	if (eph == NULL)
		return -1;
	if (derive(alg, eph, pub, secret, err) == 0 &&
	    swn_hkdf_sha256(secret, sizeof secret, hp, kek, SWN_AES128_KEY_LEN, err) == 0 &&
	    swn_agree_public(alg, eph, epk, epk_len, err) == 0)
		rc = 0;
	if (rc != 0)
		OPENSSL_cleanse(kek, SWN_AES128_KEY_LEN);
	OPENSSL_cleanse(secret, sizeof secret);
	EVP_PKEY_free(eph);   /* clears the private key */
	return rc;
}

int swn_agree_receive(enum swn_agree_alg alg, EVP_PKEY *priv, const unsigned char *epk,
		      size_t epk_len, const struct swn_hkdf_params *hp,
		      unsigned char kek[SWN_AES128_KEY_LEN], struct swn_err *err)
{
	unsigned char secret[SWN_AGREE_SECRET_LEN];
	int rc = -1;

	if (swn_agree_secret(alg, priv, epk, epk_len, secret, err) == 0 &&
	    swn_hkdf_sha256(secret, sizeof secret, hp, kek, SWN_AES128_KEY_LEN, err) == 0)
		rc = 0;
	if (rc != 0)
		OPENSSL_cleanse(kek, SWN_AES128_KEY_LEN);
	OPENSSL_cleanse(secret, sizeof secret);
	return rc;
}

/* ------------------------------------------------------------------------
 * RSA-OAEP key transport.
 */

/* An RSA public exponent that encrypts: odd and at least 65537 (e = 1
 * leaves the OAEP encoding itself as the "ciphertext"; small ones are
 * not what any CA issues), and a key OpenSSL's own check passes. */
static int rsa_exponent_ok(EVP_PKEY *key, struct swn_err *err)
{
	BIGNUM *e = NULL;
	EVP_PKEY_CTX *ctx;
	int ok;

	if (EVP_PKEY_get_bn_param(key, "e", &e) != 1)
		return fail_ossl(err, "cannot read the RSA key's exponent");
	/* BN_get_word gives its maximum for an exponent wider than a word */
	ok = BN_is_odd(e) && BN_get_word(e) >= 65537;
	BN_free(e);
	if (!ok)
		return fail(err, SWN_E_CRYPTO, "RSA-OAEP to a key whose public exponent is not an "
			    "odd number of at least 65537: refused");
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return fail_ossl(err, "the RSA key fails OpenSSL's public key check");
	return 0;
}

static int rsa_key_ok(EVP_PKEY *key, struct swn_err *err)
{
	int bits;

	if (key == NULL || !EVP_PKEY_is_a(key, "RSA"))
		return fail(err, SWN_E_CRYPTO, "RSA-OAEP needs an RSA key, not %s",
			    key ? key_type_name(key) : "none");
	bits = EVP_PKEY_get_bits(key);
	if (bits < SWN_RSA_OAEP_MIN_BITS || bits > SWN_RSA_OAEP_MAX_BITS)
		return fail(err, SWN_E_CRYPTO, "RSA-OAEP with a key of %d bits (%d to %d allowed)",
			    bits, SWN_RSA_OAEP_MIN_BITS, SWN_RSA_OAEP_MAX_BITS);
	return rsa_exponent_ok(key, err);
}

/* xmlenc11#rsa-oaep with DigestMethod SHA-256, MGF1 with SHA-256 and no
 * label (OAEPparams absent). */
static EVP_PKEY_CTX *oaep_ctx(EVP_PKEY *key, int enc, struct swn_err *err)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);

	if (ctx == NULL ||
	    (enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) <= 0) {
		fail_ossl(err, "cannot set up RSA-OAEP");
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int swn_rsa_oaep_encrypt(X509 *cert, const unsigned char *key, size_t key_len,
			 unsigned char *out, size_t out_size, size_t *out_len,
			 struct swn_err *err)
{
	EVP_PKEY *pub = cert ? X509_get0_pubkey(cert) : NULL;
	EVP_PKEY_CTX *ctx;
	size_t len;
	int rc = -1;

	if (rsa_key_ok(pub, err) != 0)
		return -1;
	if (key_len == 0 || key_len > SWN_CIPHER_MAX_KEY_BYTES)
		return fail(err, SWN_E_CRYPTO, "a key to transport is 1 to %d bytes, not %zu",
			    SWN_CIPHER_MAX_KEY_BYTES, key_len);
	len = (size_t)EVP_PKEY_get_size(pub);
	if (out_size < len)
		return fail(err, SWN_E_TOO_LARGE, "no room for the RSA-OAEP value (%zu bytes)", len);
	ctx = oaep_ctx(pub, 1, err);
	if (ctx == NULL)
		return -1;
	len = out_size;
	if (EVP_PKEY_encrypt(ctx, out, &len, key, key_len) != 1)
		fail_ossl(err, "RSA-OAEP encryption failed");
	else {
		*out_len = len;
		rc = 0;
	}
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int swn_rsa_oaep_decrypt(EVP_PKEY *priv, const unsigned char *in, size_t in_len,
			 unsigned char *key, size_t key_len, struct swn_err *err)
{
	unsigned char tmp[RSA_MAX_BYTES];
	EVP_PKEY_CTX *ctx;
	size_t len = sizeof tmp, modulus;
	int rc = -1;

	if (rsa_key_ok(priv, err) != 0)
		return -1;
	modulus = (size_t)EVP_PKEY_get_size(priv);
	if (in_len != modulus)
		return fail(err, SWN_E_CRYPTO, "RSA-OAEP value of %zu bytes; this key's values "
			    "are %zu", in_len, modulus);
	ctx = oaep_ctx(priv, 0, err);
	if (ctx == NULL)
		return -1;
	if (EVP_PKEY_decrypt(ctx, tmp, &len, in, in_len) != 1)
		fail(err, SWN_E_CRYPTO, "RSA-OAEP decryption failed: not encrypted to this key, "
		     "or the value was changed");
	else if (len != key_len)
		fail(err, SWN_E_CRYPTO, "the transported key is %zu bytes, not %zu", len, key_len);
	else {
		memcpy(key, tmp, len);
		rc = 0;
	}
	OPENSSL_cleanse(tmp, sizeof tmp);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

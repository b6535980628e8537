/*
 * Unit tests: the payload-encryption algorithms (cipher.h).
 *
 * Known answers come from the specifications, typed from them: RFC 3394
 * 4.1 (AES key wrap, 128-bit KEK and key), RFC 5869 A.1 and A.3 (HKDF
 * with SHA-256, with and without salt and info), RFC 7748 6.1 (X25519),
 * and test cases 1 and 3 of McGrew and Viega, "The Galois/Counter Mode of
 * Operation" (AES-128-GCM with a 96-bit IV), laid out as XML Encryption
 * 1.1's IV || ciphertext || tag.  Then round trips of every algorithm,
 * streams cut in 1-, 7- and 4096-byte chunks, and every refusal.  Where the
 * openssl command is installed, its pkeyutl (an implementation this module
 * does not share code paths with: its own option parsing and encoding)
 * encrypts and derives for the module, and decrypts what the module made.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "base/swn_limits.h"
#include "trust/cipher.h"
#include "testlib.h"

/* ------------------------------------------------------------------------
 * Helpers.
 */

static size_t unhex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = strlen(hex) / 2, i;

	ck_assert_uint_eq(strlen(hex) % 2, 0);
	ck_assert_uint_le(n, max);
	for (i = 0; i < n; i++) {
		unsigned int v;

		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
	return n;
}

static int buf_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	return swn_buf_add(arg, p, n, err);
}

/* The whole of in through a stream, chunk bytes at a time, into out. */
static int stream(enum swn_gcm_dir dir, const unsigned char *key, const unsigned char *in,
		  size_t n, size_t chunk, struct swn_buf *out, struct swn_err *err)
{
	struct swn_gcm *g = swn_gcm_new(dir, key, buf_sink, out, err);
	size_t off;
	int rc = -1;

	if (g == NULL)
		return -1;
	for (off = 0; off < n; off += chunk)
		if (swn_gcm_update(g, in + off, n - off < chunk ? n - off : chunk, err) != 0)
			goto out;
	rc = swn_gcm_final(g, err);
out:
	swn_gcm_free(g);
	return rc;
}

static const size_t chunks[] = { 1, 7, 4096 };

/* AES-128-GCM decryption written here with EVP directly, to check the
 * module's layout (IV first, tag last) from outside it. */
static int evp_gcm_open(const unsigned char *key, const unsigned char *cv, size_t n,
			unsigned char *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, ok;
	size_t ct = n - 28;

	ok = EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, cv) == 1 &&
	     EVP_DecryptUpdate(c, out, &len, cv + 12, (int)ct) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, (void *)(cv + n - 16)) == 1 &&
	     EVP_DecryptFinal_ex(c, out + len, &len) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok;
}

static EVP_PKEY *keygen(const char *type)
{
	EVP_PKEY *k;

	if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else if (strcmp(type, "EC") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, type);
	ck_assert_ptr_nonnull(k);
	return k;
}

/* A certificate for pub, signed by a throwaway Ed25519 key: X25519 keys
 * cannot sign their own. */
static X509 *cert_for(EVP_PKEY *pub)
{
	EVP_PKEY *ca = keygen("ED25519");
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	ck_assert_ptr_nonnull(x);
	ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					     (const unsigned char *)"cipher test", -1, -1, 0));
	ck_assert(X509_set_version(x, 2));
	ck_assert(ASN1_INTEGER_set(X509_get_serialNumber(x), 1));
	ck_assert(X509_set_subject_name(x, name) && X509_set_issuer_name(x, name));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	ck_assert(X509_set_pubkey(x, pub));
	ck_assert(X509_sign(x, ca, NULL) > 0);
	X509_NAME_free(name);
	EVP_PKEY_free(ca);
	return x;
}

static int bits_differ_count;   /* refusals seen by flip_every_bit */

/* ------------------------------------------------------------------------
 * Known answers.
 */

START_TEST(kw_rfc3394_4_1)
{
	unsigned char kek[16], key[16], want[24], wrapped[24], back[16], other[16];
	size_t len = 0, i;
	struct swn_err err;

	swn_err_clear(&err);
	unhex("000102030405060708090A0B0C0D0E0F", kek, sizeof kek);
	unhex("00112233445566778899AABBCCDDEEFF", key, sizeof key);
	unhex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5", want, sizeof want);
	ck_assert_int_eq(swn_kw_wrap(kek, key, sizeof key, wrapped, sizeof wrapped, &err), 0);
	ck_assert_mem_eq(wrapped, want, sizeof want);
	ck_assert_int_eq(swn_kw_unwrap(kek, want, sizeof want, back, sizeof back, &len, &err), 0);
	ck_assert_uint_eq(len, 16);
	ck_assert_mem_eq(back, key, sizeof key);

	/* A wrong key-encryption key, and every bit of the value flipped. */
	memcpy(other, kek, sizeof other);
	other[15] ^= 1;
	ck_assert_int_eq(swn_kw_unwrap(other, want, sizeof want, back, sizeof back, &len, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_CRYPTO);
	ck_assert_ptr_nonnull(strstr(err.msg, "integrity check"));
	for (i = 0; i < 8 * sizeof want; i++) {
		memcpy(wrapped, want, sizeof want);
		wrapped[i / 8] ^= (unsigned char)(1u << (i % 8));
		swn_err_clear(&err);
		ck_assert_int_eq(swn_kw_unwrap(kek, wrapped, sizeof wrapped, back, sizeof back,
					       &len, &err), -1);
	}
	/* Sizes the algorithm does not take. */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_kw_unwrap(kek, want, 16, back, sizeof back, &len, &err), -1);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_kw_unwrap(kek, want, 23, back, sizeof back, &len, &err), -1);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_kw_wrap(kek, key, 12, wrapped, sizeof wrapped, &err), -1);
}
END_TEST

START_TEST(hkdf_rfc5869)
{
	unsigned char ikm[22], salt[13], info[10], want[42], okm[42];
	struct swn_hkdf_params hp = { salt, sizeof salt, info, sizeof info };
	struct swn_hkdf_params none = { NULL, 0, NULL, 0 };
	struct swn_err err;

	swn_err_clear(&err);
	/* A.1: Test Case 1. */
	unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", ikm, sizeof ikm);
	unhex("000102030405060708090a0b0c", salt, sizeof salt);
	unhex("f0f1f2f3f4f5f6f7f8f9", info, sizeof info);
	unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	      "34007208d5b887185865", want, sizeof want);
	ck_assert_int_eq(swn_hkdf_sha256(ikm, sizeof ikm, &hp, okm, sizeof okm, &err), 0);
	ck_assert_mem_eq(okm, want, sizeof want);
	/* The key-wrap key is its first 16 bytes (HKDF's T(1) cut short). */
	ck_assert_int_eq(swn_hkdf_sha256(ikm, sizeof ikm, &hp, okm, 16, &err), 0);
	ck_assert_mem_eq(okm, want, 16);

	/* A.3: Test Case 3, no salt and no info (an absent HKDFParams/Salt). */
	unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	      "9d201395faa4b61a96c8", want, sizeof want);
	ck_assert_int_eq(swn_hkdf_sha256(ikm, sizeof ikm, &none, okm, sizeof okm, &err), 0);
	ck_assert_mem_eq(okm, want, sizeof want);
	ck_assert_int_eq(swn_hkdf_sha256(ikm, sizeof ikm, NULL, okm, sizeof okm, &err), 0);
	ck_assert_mem_eq(okm, want, sizeof want);
}
END_TEST

START_TEST(x25519_rfc7748_6_1)
{
	unsigned char a[32], apub[32], b[32], bpub[32], k[32], secret[32], pub[SWN_AGREE_PUB_MAX];
	size_t pub_len = 0;
	EVP_PKEY *alice, *bob;
	struct swn_err err;

	swn_err_clear(&err);
	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a, 32);
	unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", apub, 32);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b, 32);
	unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", bpub, 32);
	unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", k, 32);
	alice = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, a, sizeof a);
	bob = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, b, sizeof b);
	ck_assert_ptr_nonnull(alice);
	ck_assert_ptr_nonnull(bob);

	ck_assert_int_eq(swn_agree_public(SWN_AGREE_X25519, alice, pub, &pub_len, &err), 0);
	ck_assert_uint_eq(pub_len, 32);
	ck_assert_mem_eq(pub, apub, 32);
	ck_assert_int_eq(swn_agree_public(SWN_AGREE_X25519, bob, pub, &pub_len, &err), 0);
	ck_assert_mem_eq(pub, bpub, 32);
	ck_assert_int_eq(swn_agree_secret(SWN_AGREE_X25519, alice, bpub, 32, secret, &err), 0);
	ck_assert_mem_eq(secret, k, 32);
	ck_assert_int_eq(swn_agree_secret(SWN_AGREE_X25519, bob, apub, 32, secret, &err), 0);
	ck_assert_mem_eq(secret, k, 32);
	EVP_PKEY_free(alice);
	EVP_PKEY_free(bob);
}
END_TEST

/* McGrew-Viega test case 3 (also NIST's gcmEncryptExtIV128 shape: a 96-bit
 * IV, no additional data), as a cipher value IV || C || T. */
static size_t gcm_case3(unsigned char key[16], unsigned char *cv, unsigned char *p)
{
	size_t n = 0;

	unhex("feffe9928665731c6d6a8f9467308308", key, 16);
	unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255", p, 64);
	n += unhex("cafebabefacedbaddecaf888", cv, 12);
	n += unhex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		   "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
		   cv + n, 64);
	n += unhex("4d5c2af327cd64a62cf35abd2ba6fab4", cv + n, 16);
	return n;
}

START_TEST(gcm_mcgrew_viega)
{
	unsigned char key[16], cv[92], p[64];
	size_t n = gcm_case3(key, cv, p), i;
	struct swn_buf out;
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_uint_eq(n, 92);
	swn_buf_init(&out, 1024);
	ck_assert_int_eq(swn_gcm_decrypt(key, cv, n, &out, &err), 0);
	ck_assert_uint_eq(out.len, 64);
	ck_assert_mem_eq(out.data, p, 64);
	swn_buf_free(&out);
	for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		swn_buf_init(&out, 1024);
		ck_assert_int_eq(stream(SWN_GCM_DECRYPT, key, cv, n, chunks[i], &out, &err), 0);
		ck_assert_uint_eq(out.len, 64);
		ck_assert_mem_eq(out.data, p, 64);
		swn_buf_free(&out);
	}

	/* Test case 1: key, IV zero, no plaintext; the value is IV || tag. */
	memset(key, 0, 16);
	memset(cv, 0, 12);
	unhex("58e2fccefa7e3061367f1d57a4e7455a", cv + 12, 16);
	swn_buf_init(&out, 1024);
	ck_assert_int_eq(swn_gcm_decrypt(key, cv, 28, &out, &err), 0);
	ck_assert_uint_eq(out.len, 0);
	swn_buf_free(&out);
}
END_TEST

/* ------------------------------------------------------------------------
 * AES-128-GCM round trips and refusals.
 */

START_TEST(gcm_round_trips)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 4095, 4096, 4097, 40000 };
	unsigned char key[16], *p = malloc(40000), *check = malloc(40000);
	struct swn_buf one, many, back;
	struct swn_err err;
	size_t s, c;

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(check);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_cipher_new_key(key, &err), 0);
	ck_assert_int_eq(RAND_bytes(p, 40000), 1);
	for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t n = sizes[s];

		swn_buf_init(&one, 1 << 20);
		ck_assert_int_eq(swn_gcm_encrypt(key, p, n, &one, &err), 0);
		ck_assert_uint_eq(one.len, n + 28);
		/* The layout, read by plain EVP. */
		ck_assert(evp_gcm_open(key, (unsigned char *)one.data, one.len, check));
		ck_assert(n == 0 || memcmp(check, p, n) == 0);
		for (c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
			/* Streamed encryption, one-shot decryption. */
			swn_buf_init(&many, 1 << 20);
			ck_assert_int_eq(stream(SWN_GCM_ENCRYPT, key, p, n, chunks[c], &many, &err), 0);
			ck_assert_uint_eq(many.len, n + 28);
			ck_assert(memcmp(many.data, one.data, 12) != 0);   /* a fresh IV */
			swn_buf_init(&back, 1 << 20);
			ck_assert_int_eq(swn_gcm_decrypt(key, many.data, many.len, &back, &err), 0);
			ck_assert_uint_eq(back.len, n);
			ck_assert(n == 0 || memcmp(back.data, p, n) == 0);
			swn_buf_free(&back);
			swn_buf_free(&many);
			/* One-shot encryption, streamed decryption. */
			swn_buf_init(&back, 1 << 20);
			ck_assert_int_eq(stream(SWN_GCM_DECRYPT, key, (unsigned char *)one.data,
						one.len, chunks[c], &back, &err), 0);
			ck_assert_uint_eq(back.len, n);
			ck_assert(n == 0 || memcmp(back.data, p, n) == 0);
			swn_buf_free(&back);
		}
		swn_buf_free(&one);
	}
	free(p);
	free(check);
}
END_TEST

/* Decrypting cv must fail, and leave nothing in the one-shot output. */
static void gcm_refused(const unsigned char *key, const unsigned char *cv, size_t n,
			const char *why)
{
	struct swn_buf out;
	struct swn_err err;

	swn_err_clear(&err);
	swn_buf_init(&out, 1 << 20);
	ck_assert_int_eq(swn_gcm_decrypt(key, cv, n, &out, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_CRYPTO);
	ck_assert_msg(strstr(err.msg, why) != NULL, "%s", err.msg);
	ck_assert_ptr_null(out.data);
	ck_assert_uint_eq(out.len, 0);
	bits_differ_count++;
}

START_TEST(gcm_refusals)
{
	unsigned char key[16], cv[92 + 1], p[64], bad[92 + 1];
	size_t n = gcm_case3(key, cv, p), i;

	/* Truncated: shorter than IV + tag, at every length. */
	for (i = 0; i < 28; i++)
		gcm_refused(key, cv, i, "shorter than IV and tag");
	/* Cut short but longer than IV + tag: the tag is then wrong. */
	gcm_refused(key, cv, n - 1, "tag does not match");
	gcm_refused(key, cv, 28, "tag does not match");
	/* A byte added at the end. */
	cv[n] = 0;
	gcm_refused(key, cv, n + 1, "tag does not match");
	/* Every bit of IV, ciphertext and tag flipped in turn. */
	bits_differ_count = 0;
	for (i = 0; i < 8 * n; i++) {
		memcpy(bad, cv, n);
		bad[i / 8] ^= (unsigned char)(1u << (i % 8));
		gcm_refused(key, bad, n, "tag does not match");
	}
	ck_assert_int_eq(bits_differ_count, 8 * 92);
	/* The wrong key. */
	key[0] ^= 0x80;
	gcm_refused(key, cv, n, "tag does not match");
}
END_TEST

static int failing_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	return swn_err_set(err, SWN_E_IO, "spool/tmp", 0, "disk full");
}

START_TEST(gcm_stream_states)
{
	unsigned char key[16], cv[92], p[64];
	struct swn_buf out;
	struct swn_gcm *g;
	struct swn_err err;

	gcm_case3(key, cv, p);
	swn_err_clear(&err);
	/* A finished stream takes nothing more. */
	swn_buf_init(&out, 1024);
	g = swn_gcm_new(SWN_GCM_DECRYPT, key, buf_sink, &out, &err);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(swn_gcm_update(g, cv, sizeof cv, &err), 0);
	/* Plaintext came out before the tag was checked: all but the 16 bytes
	 * that might have been the tag. */
	ck_assert_uint_eq(out.len, 64);
	ck_assert_int_eq(swn_gcm_final(g, &err), 0);
	ck_assert_int_eq(swn_gcm_update(g, cv, 1, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "finished"));
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gcm_final(g, &err), -1);
	swn_gcm_free(g);
	swn_buf_free(&out);

	/* A failed stream stays failed. */
	swn_err_clear(&err);
	swn_buf_init(&out, 1024);
	g = swn_gcm_new(SWN_GCM_DECRYPT, key, buf_sink, &out, &err);
	ck_assert_int_eq(swn_gcm_update(g, cv, 20, &err), 0);
	ck_assert_int_eq(swn_gcm_final(g, &err), -1);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gcm_update(g, cv + 20, sizeof cv - 20, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "failed before"));
	swn_gcm_free(g);
	swn_buf_free(&out);

	/* The sink's error is the one reported. */
	swn_err_clear(&err);
	g = swn_gcm_new(SWN_GCM_ENCRYPT, key, failing_sink, NULL, &err);
	ck_assert_int_eq(swn_gcm_update(g, p, sizeof p, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_IO);
	ck_assert_str_eq(err.msg, "disk full");
	swn_gcm_free(g);
	swn_gcm_free(NULL);
}
END_TEST

static int counting_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	*(unsigned long long *)arg += n;
	return 0;
}

/* A 1 GiB payload passes in the stream's fixed memory; a byte more does
 * not. */
START_TEST(gcm_payload_limit)
{
	const size_t mb = 1u << 20;
	unsigned char key[16], *zeros = calloc(1, mb);
	unsigned long long written = 0;
	struct swn_gcm *g;
	struct swn_err err;
	size_t i;

	ck_assert_ptr_nonnull(zeros);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_cipher_new_key(key, &err), 0);
	g = swn_gcm_new(SWN_GCM_ENCRYPT, key, counting_sink, &written, &err);
	for (i = 0; i < SWN_CIPHER_MAX_PAYLOAD_BYTES / mb; i++)
		ck_assert_int_eq(swn_gcm_update(g, zeros, mb, &err), 0);
	ck_assert_int_eq(swn_gcm_update(g, zeros, 1, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
	ck_assert_uint_eq(written, 12 + SWN_CIPHER_MAX_PAYLOAD_BYTES);
	swn_gcm_free(g);
	free(zeros);
}
END_TEST

/* ------------------------------------------------------------------------
 * RSA-OAEP.
 */

/* Nothing passed on is nothing: a NULL pointer with length 0 is allowed
 * (and reads nothing: UBSan would say so). */
START_TEST(gcm_empty_update)
{
	static const unsigned char key[16] = "0123456789abcdef";
	struct swn_buf out;
	struct swn_err err;
	struct swn_gcm *g;

	swn_buf_init(&out, 1024);
	swn_err_clear(&err);
	g = swn_gcm_new(SWN_GCM_ENCRYPT, key, buf_sink, &out, &err);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(swn_gcm_update(g, NULL, 0, &err), 0);
	ck_assert_int_eq(swn_gcm_update(g, "ab", 2, &err), 0);
	ck_assert_int_eq(swn_gcm_update(g, NULL, 0, &err), 0);
	ck_assert_int_eq(swn_gcm_final(g, &err), 0);
	ck_assert_uint_eq(out.len, 12 + 2 + 16);
	swn_gcm_free(g);
	swn_buf_free(&out);
}
END_TEST

START_TEST(rsa_oaep)
{
	EVP_PKEY *rsa = keygen("RSA"), *other = keygen("RSA"), *ec = keygen("EC");
	X509 *cert = cert_for(rsa), *ec_cert = cert_for(ec);
	unsigned char key[16], back[16], ct[SWN_RSA_OAEP_MAX_BITS / 8], bad[256];
	size_t len = 0;
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_int_eq(swn_cipher_new_key(key, &err), 0);
	ck_assert_int_eq(swn_rsa_oaep_encrypt(cert, key, sizeof key, ct, sizeof ct, &len, &err), 0);
	ck_assert_uint_eq(len, 256);
	ck_assert_int_eq(swn_rsa_oaep_decrypt(rsa, ct, len, back, sizeof back, &err), 0);
	ck_assert_mem_eq(back, key, sizeof key);

	/* The wrong private key. */
	ck_assert_int_eq(swn_rsa_oaep_decrypt(other, ct, len, back, sizeof back, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "RSA-OAEP decryption failed"));
	/* A bit flipped; a value of the wrong size; a key of the wrong size. */
	memcpy(bad, ct, sizeof bad);
	bad[100] ^= 4;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_rsa_oaep_decrypt(rsa, bad, len, back, sizeof back, &err), -1);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_rsa_oaep_decrypt(rsa, ct, len - 1, back, sizeof back, &err), -1);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_rsa_oaep_decrypt(rsa, ct, len, back, 15, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "is 16 bytes, not 15"));

	/* Keys of the wrong type. */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_rsa_oaep_encrypt(ec_cert, key, sizeof key, ct, sizeof ct, &len, &err), -1);
	ck_assert_str_eq(err.msg, "RSA-OAEP needs an RSA key, not EC");
	swn_err_clear(&err);
	ck_assert_int_eq(swn_rsa_oaep_decrypt(ec, ct, 256, back, sizeof back, &err), -1);
	ck_assert_str_eq(err.msg, "RSA-OAEP needs an RSA key, not EC");
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(other);
	EVP_PKEY_free(ec);
	X509_free(cert);
	X509_free(ec_cert);

	/* A key whose public exponent is 3: nothing is encrypted to it (the
	 * rule would refuse e = 1, which leaves the OAEP encoding in clear). */
	{
		EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
		BIGNUM *three = BN_new();

		rsa = NULL;
		ck_assert_ptr_nonnull(kc);
		ck_assert_int_eq(BN_set_word(three, 3), 1);
		ck_assert_int_eq(EVP_PKEY_keygen_init(kc), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 2048), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(kc, three), 1);
		ck_assert_int_eq(EVP_PKEY_keygen(kc, &rsa), 1);
		BN_free(three);
		EVP_PKEY_CTX_free(kc);
		cert = cert_for(rsa);
		swn_err_clear(&err);
		ck_assert_int_eq(swn_rsa_oaep_encrypt(cert, key, sizeof key, ct, sizeof ct, &len, &err),
				 -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "public exponent"));
		EVP_PKEY_free(rsa);
		X509_free(cert);
	}

	/* A key below the minimum size. */
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	cert = cert_for(rsa);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_rsa_oaep_encrypt(cert, key, sizeof key, ct, sizeof ct, &len, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "1024 bits"));
	EVP_PKEY_free(rsa);
	X509_free(cert);
}
END_TEST

/* ------------------------------------------------------------------------
 * Key agreement, HKDF and key wrap together.
 */

static void agree_round_trip(enum swn_agree_alg alg, const char *type)
{
	static const unsigned char salt[16] = "0123456789abcdef";
	static const unsigned char other_salt[16] = "0123456789abcdeF";
	struct swn_hkdf_params hp = { salt, sizeof salt, NULL, 0 };
	struct swn_hkdf_params wrong = { other_salt, sizeof other_salt, NULL, 0 };
	EVP_PKEY *recipient = keygen(type);
	X509 *cert = cert_for(recipient);
	unsigned char kek1[16], kek2[16], epk[SWN_AGREE_PUB_MAX], epk2[SWN_AGREE_PUB_MAX];
	unsigned char cek[16], wrapped[24], back[16];
	size_t epk_len = 0, epk2_len = 0, len = 0;
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_send(alg, cert, &hp, kek1, epk, &epk_len, &err), 0);
	ck_assert_uint_eq(epk_len, alg == SWN_AGREE_X25519 ? 32 : 65);
	ck_assert(alg == SWN_AGREE_X25519 || epk[0] == 0x04);
	ck_assert_int_eq(swn_agree_receive(alg, recipient, epk, epk_len, &hp, kek2, &err), 0);
	ck_assert_mem_eq(kek1, kek2, 16);

	/* A fresh ephemeral key each time. */
	ck_assert_int_eq(swn_agree_send(alg, cert, &hp, kek2, epk2, &epk2_len, &err), 0);
	ck_assert(memcmp(epk, epk2, epk_len) != 0 && memcmp(kek1, kek2, 16) != 0);

	/* The content key wrapped by the sender, unwrapped by the recipient;
	 * with another salt the recipient's key is wrong and unwrap refuses. */
	ck_assert_int_eq(swn_cipher_new_key(cek, &err), 0);
	ck_assert_int_eq(swn_kw_wrap(kek1, cek, 16, wrapped, sizeof wrapped, &err), 0);
	ck_assert_int_eq(swn_agree_receive(alg, recipient, epk, epk_len, &hp, kek2, &err), 0);
	ck_assert_int_eq(swn_kw_unwrap(kek2, wrapped, 24, back, sizeof back, &len, &err), 0);
	ck_assert_mem_eq(back, cek, 16);
	ck_assert_int_eq(swn_agree_receive(alg, recipient, epk, epk_len, &wrong, kek2, &err), 0);
	ck_assert_int_eq(swn_kw_unwrap(kek2, wrapped, 24, back, sizeof back, &len, &err), -1);
	EVP_PKEY_free(recipient);
	X509_free(cert);
}

START_TEST(agree_x25519)
{
	agree_round_trip(SWN_AGREE_X25519, "X25519");
}
END_TEST

START_TEST(agree_ecdh_p256)
{
	agree_round_trip(SWN_AGREE_ECDH_P256, "EC");
}
END_TEST

/* dsig11:DEREncodedKeyValue: one SubjectPublicKeyInfo in DER, of the
 * algorithm's key type, and nothing else. */
START_TEST(agree_key_from_spki)
{
	EVP_PKEY *x = keygen("X25519"), *ed = keygen("ED25519");
	unsigned char *der = NULL, raw[SWN_AGREE_PUB_MAX], got[SWN_AGREE_PUB_MAX], buf[128];
	size_t rlen = 0, glen = 0;
	struct swn_err err;
	int n = i2d_PUBKEY(x, &der);

	swn_err_clear(&err);
	ck_assert_int_gt(n, 2);
	ck_assert_int_lt(n, 120);
	ck_assert_int_eq(swn_agree_public(SWN_AGREE_X25519, x, raw, &rlen, &err), 0);
	ck_assert_int_eq(swn_agree_public_from_spki(SWN_AGREE_X25519, der, (size_t)n, got, &glen,
						    &err), 0);
	ck_assert_uint_eq(glen, rlen);
	ck_assert_mem_eq(got, raw, rlen);
	/* a byte more */
	memcpy(buf, der, (size_t)n);
	buf[n] = 0;
	ck_assert_int_eq(swn_agree_public_from_spki(SWN_AGREE_X25519, buf, (size_t)n + 1, got, &glen,
						    &err), -1);
	/* the outer length in long form: BER, not DER */
	ck_assert_int_eq(der[1] & 0x80, 0);
	buf[0] = der[0];
	buf[1] = 0x81;
	memcpy(buf + 2, der + 1, (size_t)n - 1);
	ck_assert_int_eq(swn_agree_public_from_spki(SWN_AGREE_X25519, buf, (size_t)n + 1, got, &glen,
						    &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not one DER SubjectPublicKeyInfo"));
	OPENSSL_free(der);
	/* an Ed25519 key where an X25519 one belongs */
	der = NULL;
	n = i2d_PUBKEY(ed, &der);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_public_from_spki(SWN_AGREE_X25519, der, (size_t)n, got, &glen,
						    &err), -1);
	OPENSSL_free(der);
	EVP_PKEY_free(x);
	EVP_PKEY_free(ed);
}
END_TEST

START_TEST(agree_refusals)
{
	EVP_PKEY *x = keygen("X25519"), *ec = keygen("EC"), *rsa = keygen("RSA");
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	X509 *ec_cert = cert_for(ec), *x_cert = cert_for(x);
	unsigned char peer[65], secret[32], kek[16], epk[SWN_AGREE_PUB_MAX];
	size_t epk_len = 0;
	struct swn_err err;

	/* X25519 peer keys of low order: u = 0 and u = 1 give all zeros. */
	memset(peer, 0, 32);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_secret(SWN_AGREE_X25519, x, peer, 32, secret, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "all zeros"));
	peer[0] = 1;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_receive(SWN_AGREE_X25519, x, peer, 32, NULL, kek, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "all zeros"));
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_secret(SWN_AGREE_X25519, x, peer, 31, secret, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "32 bytes, not 31"));

	/* P-256: a point off the curve, a compressed point, a bad prefix. */
	memset(peer, 0, sizeof peer);
	peer[0] = 0x04;
	peer[32] = 1;
	peer[64] = 1;   /* (1, 1) */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_secret(SWN_AGREE_ECDH_P256, ec, peer, 65, secret, &err), -1);
	ck_assert_str_eq(err.msg, "the ECDH-ES public key is not a point on P-256");
	ck_assert_int_eq(swn_agree_public(SWN_AGREE_ECDH_P256, ec, epk, &epk_len, &err), 0);
	epk[64] ^= 1;   /* a real point with Y changed */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_receive(SWN_AGREE_ECDH_P256, ec, epk, 65, NULL, kek, &err), -1);
	ck_assert_str_eq(err.msg, "the ECDH-ES public key is not a point on P-256");
	epk[0] = 0x02;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_secret(SWN_AGREE_ECDH_P256, ec, epk, 33, secret, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "uncompressed"));
	epk[0] = 0x05;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_secret(SWN_AGREE_ECDH_P256, ec, epk, 65, secret, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "uncompressed"));

	/* Keys of the wrong type for the algorithm, on either side. */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_send(SWN_AGREE_X25519, ec_cert, NULL, kek, epk, &epk_len, &err), -1);
	ck_assert_str_eq(err.msg, "X25519 needs an X25519 key, not EC");
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_send(SWN_AGREE_ECDH_P256, x_cert, NULL, kek, epk, &epk_len, &err), -1);
	ck_assert_str_eq(err.msg, "ECDH-ES needs an EC P-256 key, not X25519");
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_receive(SWN_AGREE_ECDH_P256, rsa, peer, 65, NULL, kek, &err), -1);
	ck_assert_str_eq(err.msg, "ECDH-ES needs an EC P-256 key, not RSA");
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_receive(SWN_AGREE_ECDH_P256, p384, peer, 65, NULL, kek, &err), -1);
	ck_assert_str_eq(err.msg, "ECDH-ES needs an EC P-256 key, not EC");
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agree_receive(SWN_AGREE_X25519, ec, peer, 32, NULL, kek, &err), -1);
	ck_assert_str_eq(err.msg, "X25519 needs an X25519 key, not EC");
	EVP_PKEY_free(x);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(p384);
	X509_free(ec_cert);
	X509_free(x_cert);
}
END_TEST

START_TEST(limits)
{
	unsigned char big[SWN_HKDF_MAX_INFO_BYTES + 1] = { 0 }, out[64], key[40] = { 0 };
	struct swn_hkdf_params salt = { big, SWN_HKDF_MAX_SALT_BYTES + 1, NULL, 0 };
	struct swn_hkdf_params info = { NULL, 0, big, SWN_HKDF_MAX_INFO_BYTES + 1 };
	struct swn_hkdf_params most = { big, SWN_HKDF_MAX_SALT_BYTES, big, SWN_HKDF_MAX_INFO_BYTES };
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_int_eq(swn_hkdf_sha256(big, 32, &most, out, 16, &err), 0);
	ck_assert_int_eq(swn_hkdf_sha256(big, 32, &salt, out, 16, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_hkdf_sha256(big, 32, &info, out, 16, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_kw_wrap(key, key, 32, out, sizeof out, &err), 0);
	ck_assert_int_eq(swn_kw_wrap(key, key, 40, out, sizeof out, &err), -1);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_kw_unwrap(key, out, 48, out, sizeof out, &(size_t){ 0 }, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
}
END_TEST

/* ------------------------------------------------------------------------
 * The openssl command, where installed.
 */

static char tmpdir[64];

static int have_openssl(void)
{
	return system("openssl version >/dev/null 2>&1") == 0;
}

static void path(char *out, size_t n, const char *name)
{
	ck_assert_int_lt(snprintf(out, n, "%s/%s", tmpdir, name), (int)n);
}

static void write_file(const char *name, const void *p, size_t n)
{
	char f[128];
	FILE *fp;

	path(f, sizeof f, name);
	fp = fopen(f, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(p, 1, n, fp), n);
	ck_assert_int_eq(fclose(fp), 0);
}

static size_t read_file(const char *name, unsigned char *p, size_t max)
{
	char f[128];
	FILE *fp;
	size_t n;

	path(f, sizeof f, name);
	fp = fopen(f, "rb");
	ck_assert_ptr_nonnull(fp);
	n = fread(p, 1, max, fp);
	fclose(fp);
	return n;
}

static void write_pem(const char *name, EVP_PKEY *key, int private)
{
	char f[128];
	FILE *fp;

	path(f, sizeof f, name);
	fp = fopen(f, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert(private ? PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL)
			  : PEM_write_PUBKEY(fp, key));
	ck_assert_int_eq(fclose(fp), 0);
}

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	ck_assert_int_lt(vsnprintf(cmd, sizeof cmd, fmt, ap), (int)sizeof cmd);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

static void setup_tmp(void)
{
	strcpy(tmpdir, "/tmp/swn-cipher.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown_tmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

#define OAEP_OPTS "-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 " \
	"-pkeyopt rsa_mgf1_md:sha256"

START_TEST(openssl_rsa_oaep)
{
	EVP_PKEY *rsa;
	X509 *cert;
	unsigned char key[16], back[16], ct[512];
	size_t len = 0;
	char f[128];
	FILE *fp;
	struct swn_err err;

	if (!have_openssl()) {
		fprintf(stderr, "test_cipher: no openssl command, interop skipped\n");
		return;
	}
	rsa = keygen("RSA");
	cert = cert_for(rsa);
	swn_err_clear(&err);
	path(f, sizeof f, "cert.pem");
	fp = fopen(f, "w");
	ck_assert(fp && PEM_write_X509(fp, cert));
	fclose(fp);
	write_pem("key.pem", rsa, 1);

	/* openssl encrypts to the certificate; the module decrypts. */
	ck_assert_int_eq(swn_cipher_new_key(key, &err), 0);
	write_file("cek", key, sizeof key);
	run("cd '%s' && openssl pkeyutl -encrypt -certin -inkey cert.pem -in cek -out ct "
	    OAEP_OPTS, tmpdir);
	len = read_file("ct", ct, sizeof ct);
	ck_assert_uint_eq(len, 256);
	ck_assert_int_eq(swn_rsa_oaep_decrypt(rsa, ct, len, back, sizeof back, &err), 0);
	ck_assert_mem_eq(back, key, 16);

	/* The module encrypts; openssl decrypts with the private key. */
	ck_assert_int_eq(swn_rsa_oaep_encrypt(cert, key, sizeof key, ct, sizeof ct, &len, &err), 0);
	write_file("ct2", ct, len);
	run("cd '%s' && openssl pkeyutl -decrypt -inkey key.pem -in ct2 -out cek2 "
	    OAEP_OPTS, tmpdir);
	ck_assert_uint_eq(read_file("cek2", back, sizeof back), 16);
	ck_assert_mem_eq(back, key, 16);
	EVP_PKEY_free(rsa);
	X509_free(cert);
}
END_TEST

static void openssl_derive(enum swn_agree_alg alg, const char *type)
{
	EVP_PKEY *mine = keygen(type), *theirs = keygen(type);
	unsigned char pub[SWN_AGREE_PUB_MAX], want[64], secret[32];
	size_t pub_len = 0;
	struct swn_err err;

	if (!have_openssl()) {
		fprintf(stderr, "test_cipher: no openssl command, interop skipped\n");
		EVP_PKEY_free(mine);
		EVP_PKEY_free(theirs);
		return;
	}
	swn_err_clear(&err);
	write_pem("mine.pem", mine, 1);
	write_pem("theirs.pub.pem", theirs, 0);
	run("cd '%s' && openssl pkeyutl -derive -inkey mine.pem -peerkey theirs.pub.pem "
	    "-out secret", tmpdir);
	ck_assert_uint_eq(read_file("secret", want, sizeof want), 32);
	/* The module, given their key in the XML encoding. */
	ck_assert_int_eq(swn_agree_public(alg, theirs, pub, &pub_len, &err), 0);
	ck_assert_int_eq(swn_agree_secret(alg, mine, pub, pub_len, secret, &err), 0);
	ck_assert_mem_eq(secret, want, 32);
	EVP_PKEY_free(mine);
	EVP_PKEY_free(theirs);
}

START_TEST(openssl_x25519)
{
	openssl_derive(SWN_AGREE_X25519, "X25519");
}
END_TEST

START_TEST(openssl_ecdh_p256)
{
	openssl_derive(SWN_AGREE_ECDH_P256, "EC");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cipher");
	TCase *kat = tcase_create("known answers");
	TCase *gcm = tcase_create("aes128-gcm");
	TCase *keys = tcase_create("key transport and agreement");
	TCase *interop = tcase_create("openssl command");

	tcase_add_test(kat, kw_rfc3394_4_1);
	tcase_add_test(kat, hkdf_rfc5869);
	tcase_add_test(kat, x25519_rfc7748_6_1);
	tcase_add_test(kat, gcm_mcgrew_viega);
	suite_add_tcase(s, kat);

	tcase_set_timeout(gcm, 120);
	tcase_add_test(gcm, gcm_round_trips);
	tcase_add_test(gcm, gcm_refusals);
	tcase_add_test(gcm, gcm_stream_states);
	tcase_add_test(gcm, gcm_payload_limit);
	tcase_add_test(gcm, gcm_empty_update);
	suite_add_tcase(s, gcm);

	tcase_set_timeout(keys, 60);
	tcase_add_test(keys, rsa_oaep);
	tcase_add_test(keys, agree_x25519);
	tcase_add_test(keys, agree_ecdh_p256);
	tcase_add_test(keys, agree_refusals);
	tcase_add_test(keys, agree_key_from_spki);
	tcase_add_test(keys, limits);
	suite_add_tcase(s, keys);

	tcase_set_timeout(interop, 60);
	tcase_add_checked_fixture(interop, setup_tmp, teardown_tmp);
	tcase_add_test(interop, openssl_rsa_oaep);
	tcase_add_test(interop, openssl_x25519);
	tcase_add_test(interop, openssl_ecdh_p256);
	suite_add_tcase(s, interop);
	return swn_test_run(s);
}

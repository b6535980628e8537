/* Unit tests: keys, certificates, fingerprints, times (pki.h). */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <openssl/bn.h>
#include <openssl/param_build.h>
#include <openssl/x509v3.h>

#include "trust/pki.h"
#include "testlib.h"

/* An independent fingerprint: SHA-256 of the DER bytes, by EVP_Digest. */
static void fingerprint_by_hand(X509 *c, char out[SWN_FP_LEN + 1])
{
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0;
	int len = i2d_X509(c, &der), i;

	ck_assert_int_gt(len, 0);
	ck_assert(EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL));
	OPENSSL_free(der);
	for (i = 0; i < 32; i++)
		sprintf(out + 3 * i, "%02X%s", md[i], i < 31 ? ":" : "");
}

static void check_kind(enum swn_key_kind kind, const char *ktype, const char *alg)
{
	struct swn_subject s = { "TEST-PARTY", "tls", "Org", "CN", "127.0.0.1", 10, NULL, NULL };
	char fp[SWN_FP_LEN + 1], fp2[SWN_FP_LEN + 1], t[64], subject[256];
	struct swn_err err;
	EVP_PKEY *key, *other;
	X509 *c;
	time_t nb, na, now = time(NULL);

	swn_err_clear(&err);
	key = swn_key_generate(kind, &err);
	ck_assert_ptr_nonnull(key);
	c = swn_cert_self_signed(key, &s, &err);
	ck_assert_ptr_nonnull(c);
	swn_cert_fingerprint(c, fp);
	fingerprint_by_hand(c, fp2);
	ck_assert_uint_eq(strlen(fp), SWN_FP_LEN);
	ck_assert_str_eq(fp, fp2);
	swn_cert_key_type(c, t, sizeof t);
	ck_assert_str_eq(t, ktype);
	ck_assert_str_eq(swn_cert_sig_alg(c), alg);
	swn_cert_subject(c, subject, sizeof subject);
	ck_assert_str_eq(subject, "CN=TEST-PARTY,OU=swnode tls,O=Org,C=CN");
	swn_cert_validity(c, &nb, &na);
	ck_assert(nb <= now && nb > now - 3600);
	ck_assert(na > now + 9 * 86400 && na <= now + 10 * 86400 + 60);
	ck_assert(swn_cert_matches_key(c, key));
	other = swn_key_generate(kind, &err);
	ck_assert(!swn_cert_matches_key(c, other));
	EVP_PKEY_free(other);
	X509_free(c);
	EVP_PKEY_free(key);
}

START_TEST(rsa_2048) { check_kind(SWN_KEY_RSA_2048, "rsa-2048", "rsa-sha256"); }
END_TEST
START_TEST(ec_p256) { check_kind(SWN_KEY_EC_P256, "ec-p256", "ecdsa-sha256"); }
END_TEST

/* An eDelivery 2.0 pair: the Ed25519 signing certificate and the X25519
 * one it issues; each named by its key type, the OU naming the profile. */
START_TEST(edelivery_2_pair)
{
	struct swn_subject s = { "P", "signing", NULL, NULL, NULL, 5, "edelivery-2.0", NULL };
	struct swn_err err;
	EVP_PKEY *sk, *ek;
	X509 *sc, *ec;
	char t[64], subject[256];
	enum swn_key_kind k;

	swn_err_clear(&err);
	ck_assert_int_eq(swn_key_kind_parse("x25519", &k), 0);
	ck_assert_int_eq(k, SWN_KEY_X25519);
	ck_assert_str_eq(swn_key_kind_name(SWN_KEY_X25519), "x25519");
	ck_assert_ptr_nonnull(sk = swn_key_generate(SWN_KEY_ED25519, &err));
	ck_assert_ptr_nonnull(ek = swn_key_generate(SWN_KEY_X25519, &err));
	/* An X25519 key cannot sign, its own certificate least of all. */
	ck_assert_ptr_null(swn_cert_self_signed(ek, &s, &err));
	swn_err_clear(&err);
	ck_assert_ptr_nonnull(sc = swn_cert_self_signed(sk, &s, &err));
	s.usage = "encryption";
	ck_assert_ptr_nonnull(ec = swn_cert_issued(ek, sk, sc, &s, &err));
	swn_cert_key_type(sc, t, sizeof t);
	ck_assert_str_eq(t, "ed25519");
	swn_cert_key_type(ec, t, sizeof t);
	ck_assert_str_eq(t, "x25519");
	/* The body form cannot use either. */
	ck_assert_ptr_null(swn_cert_sig_alg(sc));
	ck_assert_ptr_null(swn_cert_sig_alg(ec));
	swn_cert_subject(ec, subject, sizeof subject);
	ck_assert_str_eq(subject, "CN=P,OU=swnode edelivery-2.0 encryption");
	ck_assert(swn_cert_matches_key(ec, ek));
	ck_assert(!swn_cert_matches_key(ec, sk));
	/* Issued by the signing key: its signature verifies with it. */
	ck_assert_int_eq(X509_verify(ec, sk), 1);
	ck_assert_int_eq(X509_check_issued(sc, ec), X509_V_ERR_KEYUSAGE_NO_CERTSIGN);
	X509_free(sc);
	X509_free(ec);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ek);
}
END_TEST

/* Public keys a peer could pin to forge or read everything: refused. */
START_TEST(unsound_public_keys)
{
	static const unsigned char identity[32] = { 0x01 };
	unsigned char order8[32] = { 0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
				     0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
				     0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a };
	static const unsigned char zero[32];
	char why[200];
	struct swn_err err;
	EVP_PKEY *k;
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx;
	BIGNUM *n, *e;

	swn_err_clear(&err);
	/* Sound keys of every kind pass. */
	ck_assert_ptr_nonnull(k = swn_key_generate(SWN_KEY_ED25519, &err));
	ck_assert(swn_pubkey_sound(k, why, sizeof why));
	EVP_PKEY_free(k);
	ck_assert_ptr_nonnull(k = swn_key_generate(SWN_KEY_X25519, &err));
	ck_assert(swn_pubkey_sound(k, why, sizeof why));
	EVP_PKEY_free(k);
	ck_assert_ptr_nonnull(k = swn_key_generate(SWN_KEY_EC_P256, &err));
	ck_assert(swn_pubkey_sound(k, why, sizeof why));
	EVP_PKEY_free(k);
	ck_assert_ptr_nonnull(k = swn_key_generate(SWN_KEY_RSA_2048, &err));
	ck_assert(swn_pubkey_sound(k, why, sizeof why));
	EVP_PKEY_free(k);
	/* Ed25519 points of small order, with and without the sign bit. */
	ck_assert_ptr_nonnull(k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, identity, 32));
	ck_assert(!swn_pubkey_sound(k, why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "small order"));
	EVP_PKEY_free(k);
	ck_assert_ptr_nonnull(k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, order8, 32));
	ck_assert(!swn_pubkey_sound(k, why, sizeof why));
	EVP_PKEY_free(k);
	order8[31] |= 0x80;
	ck_assert_ptr_nonnull(k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, order8, 32));
	ck_assert(!swn_pubkey_sound(k, why, sizeof why));
	EVP_PKEY_free(k);
	/* X25519 u = 0 agrees to zeros. */
	ck_assert_ptr_nonnull(k = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, zero, 32));
	ck_assert(!swn_pubkey_sound(k, why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "low order"));
	EVP_PKEY_free(k);
	/* RSA with exponent 1: "signatures" without a key, "encryption" in clear. */
	ck_assert_ptr_nonnull(n = BN_new());
	ck_assert(BN_rand(n, 2048, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD));
	ck_assert_ptr_nonnull(e = BN_new());
	ck_assert(BN_set_word(e, 1));
	ck_assert_ptr_nonnull(bld = OSSL_PARAM_BLD_new());
	ck_assert(OSSL_PARAM_BLD_push_BN(bld, "n", n) && OSSL_PARAM_BLD_push_BN(bld, "e", e));
	ck_assert_ptr_nonnull(params = OSSL_PARAM_BLD_to_param(bld));
	ck_assert_ptr_nonnull(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL));
	k = NULL;
	ck_assert(EVP_PKEY_fromdata_init(ctx) == 1 &&
		  EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) == 1);
	ck_assert(!swn_pubkey_sound(k, why, sizeof why));
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
}
END_TEST

START_TEST(pem_round_trip_and_garbage)
{
	struct swn_subject s = { "P", "signing", NULL, NULL, NULL, 1, NULL, NULL };
	char a[SWN_FP_LEN + 1], b[SWN_FP_LEN + 1];
	struct swn_err err;
	EVP_PKEY *key;
	X509 *c, *c2;
	char *pem;

	swn_err_clear(&err);
	key = swn_key_generate(SWN_KEY_EC_P256, &err);
	c = swn_cert_self_signed(key, &s, &err);
	pem = swn_cert_to_pem(c, &err);
	ck_assert_ptr_nonnull(pem);
	c2 = swn_cert_from_pem(pem, strlen(pem), "x", 7, &err);
	ck_assert_ptr_nonnull(c2);
	swn_cert_fingerprint(c, a);
	swn_cert_fingerprint(c2, b);
	ck_assert_str_eq(a, b);
	ck_assert_ptr_null(swn_cert_from_pem("junk", 4, "x.xml", 7, &err));
	ck_assert_int_eq(err.code, SWN_E_CRYPTO);
	ck_assert_int_eq(err.line, 7);
	free(pem);
	X509_free(c);
	X509_free(c2);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(key_kinds)
{
	enum swn_key_kind k;

	ck_assert_int_eq(swn_key_kind_parse("rsa-3072", &k), 0);
	ck_assert_int_eq(k, SWN_KEY_RSA_3072);
	ck_assert_str_eq(swn_key_kind_name(k), "rsa-3072");
	ck_assert_int_eq(swn_key_kind_parse("dsa-1024", &k), -1);
	ck_assert_int_eq(swn_key_kind_parse("", &k), -1);
}
END_TEST

START_TEST(times)
{
	char s[SWN_TIME_LEN + 1];
	time_t t;

	swn_time_iso(0, s);
	ck_assert_str_eq(s, "1970-01-01T00:00:00Z");
	ck_assert_int_eq(swn_time_parse("2026-11-26T17:00:05Z", &t), 0);
	swn_time_iso(t, s);
	ck_assert_str_eq(s, "2026-11-26T17:00:05Z");
	ck_assert_int_eq(swn_time_parse("2026-11-26T17:00:05.123Z", &t), 0);
	ck_assert_int_eq(swn_time_parse("2026-11-26T17:00:05+00:00", &t), 0);
	ck_assert_int_eq(swn_time_parse("2026-11-26T17:00:05", &t), -1);
	ck_assert_int_eq(swn_time_parse("2026-11-26T17:00:05+08:00", &t), -1);
	ck_assert_int_eq(swn_time_parse("yesterday", &t), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pki");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rsa_2048);
	tcase_add_test(tc, ec_p256);
	tcase_add_test(tc, edelivery_2_pair);
	tcase_add_test(tc, unsound_public_keys);
	tcase_add_test(tc, pem_round_trip_and_garbage);
	tcase_add_test(tc, key_kinds);
	tcase_add_test(tc, times);
	suite_add_tcase(s, tc);
	return swn_test_run(s);
}

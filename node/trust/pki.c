/* pki.c - keys and certificates; see pki.h. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "base/fsutil.h"
#include "base/swn_limits.h"
#include "trust/pki.h"

/* The last OpenSSL error as text, for messages. */
static const char *ossl_reason(void)
{
	static _Thread_local char buf[256];
	unsigned long e = ERR_get_error();

	if (e == 0)
		return "unknown OpenSSL error";
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return buf;
}

int swn_key_kind_parse(const char *s, enum swn_key_kind *out)
{
	static const struct { const char *name; enum swn_key_kind k; } kinds[] = {
		{ "rsa-2048", SWN_KEY_RSA_2048 },
		{ "rsa-3072", SWN_KEY_RSA_3072 },
		{ "ec-p256", SWN_KEY_EC_P256 },
		{ "ed25519", SWN_KEY_ED25519 },
		{ "x25519", SWN_KEY_X25519 },
	};
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(s, kinds[i].name) == 0) {
			*out = kinds[i].k;
			return 0;
		}
	return -1;
}

const char *swn_key_kind_name(enum swn_key_kind k)
{
	switch (k) {
	case SWN_KEY_RSA_2048: return "rsa-2048";
	case SWN_KEY_RSA_3072: return "rsa-3072";
	case SWN_KEY_EC_P256:  return "ec-p256";
	case SWN_KEY_ED25519:  return "ed25519";
	case SWN_KEY_X25519:   return "x25519";
	}
	return "?";
}

EVP_PKEY *swn_key_generate(enum swn_key_kind kind, struct swn_err *err)
{
	EVP_PKEY *k = NULL;

	switch (kind) {
	case SWN_KEY_RSA_2048: k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048); break;
	case SWN_KEY_RSA_3072: k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072); break;
	case SWN_KEY_EC_P256:  k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
	case SWN_KEY_ED25519:  k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"); break;
	case SWN_KEY_X25519:   k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519"); break;
	}
	if (k == NULL)
		swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "key generation failed: %s",
			    ossl_reason());
	return k;
}

/* Write what a memory BIO holds to path; the BIO is freed (and its buffer
 * wiped: OpenSSL clears memory BIOs on free). */
static int bio_to_file(BIO *mem, const char *path, mode_t perm,
		       enum swn_write_mode how, struct swn_err *err)
{
	char *data;
	long len = BIO_get_mem_data(mem, &data);
	int rc = swn_file_write(path, data, (size_t)len, perm, how, err);

	BIO_free_all(mem);
	return rc;
}

int swn_key_write(const char *path, EVP_PKEY *key, struct swn_err *err)
{
	BIO *mem = BIO_new(BIO_s_mem());

	if (mem == NULL || !PEM_write_bio_PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL)) {
		BIO_free(mem);
		return swn_err_set(err, SWN_E_CRYPTO, path, 0, "cannot encode key: %s",
				   ossl_reason());
	}
	return bio_to_file(mem, path, 0600, SWN_WRITE_EXCLUSIVE, err);
}

/* A passphrase callback that refuses: swnode never prompts. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag;
	*(int *)u = 1;
	return -1;
}

/* Read a key file into buf (SWN_MAX_PEM_BYTES + 1 bytes) with plain reads,
 * so that no stray copy of the key is left in the heap. */
static int read_secret(const char *path, unsigned char *buf, size_t *len,
		       struct swn_err *err)
{
	struct stat st;
	ssize_t n;
	int fd;

	*len = 0;
	if ((fd = swn_file_open_at(AT_FDCWD, path, path, &st, err)) < 0)
		return -1;
	while (*len <= SWN_MAX_PEM_BYTES &&
	       (n = read(fd, buf + *len, SWN_MAX_PEM_BYTES + 1 - *len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return swn_err_set(err, SWN_E_IO, path, 0, "read failed: %s", strerror(errno));
		}
		*len += (size_t)n;
	}
	close(fd);
	if (*len > SWN_MAX_PEM_BYTES)
		return swn_err_set(err, SWN_E_TOO_LARGE, path, 0, "key file larger than %u bytes",
				   SWN_MAX_PEM_BYTES);
	return 0;
}

EVP_PKEY *swn_key_read(const char *path, struct swn_err *err)
{
	unsigned char *buf = malloc(SWN_MAX_PEM_BYTES + 1);
	EVP_PKEY *k = NULL;
	size_t len;
	int encrypted = 0;
	BIO *b;

	if (buf == NULL) {
		swn_err_set(err, SWN_E_NOMEM, path, 0, "out of memory");
		return NULL;
	}
	if (read_secret(path, buf, &len, err) == 0) {
		b = BIO_new_mem_buf(buf, (int)len);
		k = b ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, &encrypted) : NULL;
		BIO_free(b);
		if (k == NULL && encrypted)
			swn_err_set(err, SWN_E_CRYPTO, path, 0,
				    "the key is encrypted; swnode needs an unencrypted key file (mode 0600)");
		else if (k == NULL)
			swn_err_set(err, SWN_E_CRYPTO, path, 0, "not a PEM private key: %s",
				    ossl_reason());
		ERR_clear_error();
	}
	OPENSSL_cleanse(buf, SWN_MAX_PEM_BYTES + 1);
	free(buf);
	return k;
}

static int set_name(X509_NAME *name, const struct swn_subject *s)
{
	char ou[64];

	if (s->profile)
		snprintf(ou, sizeof ou, "swnode %s %s", s->profile, s->usage);
	else
		snprintf(ou, sizeof ou, "swnode %s", s->usage);
	if (s->country && *s->country &&
	    !X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8,
					(const unsigned char *)s->country, -1, -1, 0))
		return -1;
	if (s->org && *s->org &&
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					(const unsigned char *)s->org, -1, -1, 0))
		return -1;
	if (!X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8,
					(const unsigned char *)ou, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)s->party_id, -1, -1, 0))
		return -1;
	return 0;
}

/* The extensions a node certificate (or request) carries, by usage. */
static STACK_OF(X509_EXTENSION) *node_extensions(const struct swn_subject *s,
						 X509 *issuer_and_subject)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509V3_CTX ctx;
	char san[300];
	int is_tls = strcmp(s->usage, "tls") == 0;
	int is_enc = strcmp(s->usage, "encryption") == 0;
	const char *list[5][2];
	int i, n = 0;

	list[n][0] = "basicConstraints"; list[n++][1] = "critical,CA:FALSE";
	list[n][0] = "keyUsage";
	list[n++][1] = is_tls ? "critical,digitalSignature,keyEncipherment"
		     : is_enc ? (s->key_usage ? s->key_usage : "critical,keyAgreement")
			      : "critical,digitalSignature,nonRepudiation";
	if (is_tls) {
		list[n][0] = "extendedKeyUsage"; list[n++][1] = "serverAuth,clientAuth";
		if (s->host && *s->host) {
			int is_ip = strspn(s->host, "0123456789.:") == strlen(s->host);

			snprintf(san, sizeof san, "%s:%s", is_ip ? "IP" : "DNS", s->host);
			list[n][0] = "subjectAltName"; list[n++][1] = san;
		}
	}
	if (issuer_and_subject) {
		list[n][0] = "subjectKeyIdentifier"; list[n++][1] = "hash";
	}
	X509V3_set_ctx(&ctx, issuer_and_subject, issuer_and_subject, NULL, NULL, 0);
	for (i = 0; exts && i < n; i++) {
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, &ctx, list[i][0], list[i][1]);

		if (e == NULL || !sk_X509_EXTENSION_push(exts, e)) {
			X509_EXTENSION_free(e);
			sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
			return NULL;
		}
	}
	return exts;
}

/* Ed25519 signs without a separate digest; the others use SHA-256. */
static const EVP_MD *sign_md(EVP_PKEY *key)
{
	return EVP_PKEY_is_a(key, "ED25519") ? NULL : EVP_sha256();
}

/* A certificate for pub, signed by signer_key; issuer NULL: self-signed. */
static X509 *make_cert(EVP_PKEY *pub, EVP_PKEY *signer_key, X509 *issuer,
		       const struct swn_subject *s, struct swn_err *err)
{
	X509 *c = X509_new();
	STACK_OF(X509_EXTENSION) *exts = NULL;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	int i;

	if (c == NULL || RAND_bytes(serial, sizeof serial) != 1)
		goto fail;
	serial[0] &= 0x7f;   /* positive */
	if (!(bn = BN_bin2bn(serial, sizeof serial, NULL)) ||
	    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)) ||
	    !X509_set_version(c, 2) ||
	    !X509_gmtime_adj(X509_getm_notBefore(c), -300) ||
	    !X509_gmtime_adj(X509_getm_notAfter(c), (long)s->days * 86400L) ||
	    set_name(X509_get_subject_name(c), s) < 0 ||
	    !X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer)
					    : X509_get_subject_name(c)) ||
	    !X509_set_pubkey(c, pub) ||
	    !(exts = node_extensions(s, c)))
		goto fail;
	for (i = 0; i < sk_X509_EXTENSION_num(exts); i++)
		if (!X509_add_ext(c, sk_X509_EXTENSION_value(exts, i), -1))
			goto fail;
	if (!X509_sign(c, signer_key, sign_md(signer_key)))
		goto fail;
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	BN_free(bn);
	return c;
fail:
	swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "cannot make the %s certificate: %s",
		    s->usage, ossl_reason());
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	BN_free(bn);
	X509_free(c);
	return NULL;
}

X509 *swn_cert_self_signed(EVP_PKEY *key, const struct swn_subject *s,
			   struct swn_err *err)
{
	return make_cert(key, key, NULL, s, err);
}

X509 *swn_cert_issued(EVP_PKEY *pub, EVP_PKEY *issuer_key, X509 *issuer,
		      const struct swn_subject *s, struct swn_err *err)
{
	return make_cert(pub, issuer_key, issuer, s, err);
}

X509_REQ *swn_csr_make(EVP_PKEY *key, const struct swn_subject *s,
		       struct swn_err *err)
{
	X509_REQ *r = X509_REQ_new();
	STACK_OF(X509_EXTENSION) *exts = NULL;

	if (r == NULL || !X509_REQ_set_version(r, 0) ||
	    set_name(X509_REQ_get_subject_name(r), s) < 0 ||
	    !X509_REQ_set_pubkey(r, key) ||
	    !(exts = node_extensions(s, NULL)) ||
	    !X509_REQ_add_extensions(r, exts) ||
	    !X509_REQ_sign(r, key, sign_md(key))) {
		swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "cannot make the %s request: %s",
			    s->usage, ossl_reason());
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
		X509_REQ_free(r);
		return NULL;
	}
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return r;
}

char *swn_cert_to_pem(X509 *cert, struct swn_err *err)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long len;

	if (mem && PEM_write_bio_X509(mem, cert)) {
		len = BIO_get_mem_data(mem, &data);
		out = malloc((size_t)len + 1);
		if (out) {
			memcpy(out, data, (size_t)len);
			out[len] = '\0';
		}
	}
	BIO_free(mem);
	if (out == NULL)
		swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "cannot encode certificate");
	return out;
}

int swn_cert_write(const char *path, X509 *cert, struct swn_err *err)
{
	char *pem = swn_cert_to_pem(cert, err);
	int rc;

	if (pem == NULL)
		return -1;
	rc = swn_file_write(path, pem, strlen(pem), 0644, SWN_WRITE_REPLACE, err);
	free(pem);
	return rc;
}

int swn_csr_write(const char *path, X509_REQ *req, struct swn_err *err)
{
	BIO *mem = BIO_new(BIO_s_mem());

	if (mem == NULL || !PEM_write_bio_X509_REQ(mem, req)) {
		BIO_free(mem);
		return swn_err_set(err, SWN_E_CRYPTO, path, 0, "cannot encode request");
	}
	return bio_to_file(mem, path, 0644, SWN_WRITE_EXCLUSIVE, err);
}

X509 *swn_cert_from_pem(const char *pem, size_t len, const char *name,
			long line, struct swn_err *err)
{
	BIO *b;
	X509 *c;

	if (len > SWN_MAX_PEM_BYTES) {
		swn_err_set(err, SWN_E_TOO_LARGE, name, line, "certificate too large");
		return NULL;
	}
	b = BIO_new_mem_buf(pem, (int)len);
	c = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (c == NULL)
		swn_err_set(err, SWN_E_CRYPTO, name, line, "not a PEM certificate: %s",
			    ossl_reason());
	return c;
}

X509 *swn_cert_read(const char *path, struct swn_err *err)
{
	char *data;
	size_t len;
	X509 *c;

	if (swn_file_read(path, SWN_MAX_PEM_BYTES, &data, &len, err) < 0)
		return NULL;
	c = swn_cert_from_pem(data, len, path, 0, err);
	free(data);
	return c;
}

void swn_cert_describe(X509 *cert, struct swn_cert_info *info)
{
	swn_cert_fingerprint(cert, info->sha256);
	swn_cert_subject(cert, info->subject, sizeof info->subject);
	swn_cert_key_type(cert, info->key_type, sizeof info->key_type);
	swn_cert_validity(cert, &info->nb, &info->na);
	swn_time_iso(info->nb, info->not_before);
	swn_time_iso(info->na, info->not_after);
}

void swn_cert_fingerprint(X509 *cert, char out[SWN_FP_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	out[0] = '\0';
	if (!X509_digest(cert, EVP_sha256(), md, &n) || n != 32)
		return;
	for (i = 0; i < n; i++)
		snprintf(out + i * 3, 4, i + 1 < n ? "%02X:" : "%02X", md[i]);
}

void swn_cert_subject(X509 *cert, char *out, size_t n)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *data;
	long len;

	out[0] = '\0';
	if (mem == NULL)
		return;
	X509_NAME_print_ex(mem, X509_get_subject_name(cert), 0,
			   XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_get_mem_data(mem, &data);
	snprintf(out, n, "%.*s", (int)len, data);
	BIO_free(mem);
}

static time_t asn1_to_time(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (!ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

void swn_cert_validity(X509 *cert, time_t *not_before, time_t *not_after)
{
	*not_before = asn1_to_time(X509_get0_notBefore(cert));
	*not_after = asn1_to_time(X509_get0_notAfter(cert));
}

void swn_cert_key_type(X509 *cert, char *out, size_t n)
{
	EVP_PKEY *k = X509_get0_pubkey(cert);
	char group[64];
	size_t glen = 0;

	if (k == NULL)
		snprintf(out, n, "unknown");
	else if (EVP_PKEY_is_a(k, "RSA"))
		snprintf(out, n, "rsa-%d", EVP_PKEY_get_bits(k));
	else if (EVP_PKEY_is_a(k, "EC") &&
		 EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
						group, sizeof group, &glen))
		snprintf(out, n, "%s", strcmp(group, "prime256v1") == 0 ? "ec-p256" : group);
	else if (EVP_PKEY_is_a(k, "ED25519"))
		snprintf(out, n, "ed25519");
	else if (EVP_PKEY_is_a(k, "X25519"))
		snprintf(out, n, "x25519");
	else
		snprintf(out, n, "%s", EVP_PKEY_get0_type_name(k));
}

const char *swn_cert_sig_alg(X509 *cert)
{
	char t[64];

	swn_cert_key_type(cert, t, sizeof t);
	if (strncmp(t, "rsa-", 4) == 0)
		return "rsa-sha256";
	if (strcmp(t, "ec-p256") == 0)
		return "ecdsa-sha256";
	return NULL;
}

/* The Ed25519 encodings of the points of small order (RFC 8032 points:
 * the identity, the point of order 2, two of order 4, four of order 8),
 * and the non-canonical y = p, p + 1, p - 1 + p encodings a lax decoder
 * reads as such; compared without the sign bit, which each may carry. */
static const unsigned char ed25519_small_order[][32] = {
	{ 0x01 },                                              /* identity */
	{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0x7f },                            /* y = -1: order 2 */
	{ 0x00 },                                              /* y = 0: order 4 */
	{ 0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef,
	  0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88,
	  0x6d, 0x53, 0xfc, 0x05 },                            /* order 8 */
	{ 0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10,
	  0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77,
	  0x92, 0xac, 0x03, 0x7a },                            /* order 8 */
	{ 0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0x7f },                            /* y = p (0) */
	{ 0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0x7f },                            /* y = p + 1 (1) */
};

static int ed25519_small(const unsigned char pub[32])
{
	size_t i;

	for (i = 0; i < sizeof ed25519_small_order / sizeof ed25519_small_order[0]; i++)
		if (memcmp(pub, ed25519_small_order[i], 31) == 0 &&
		    (pub[31] & 0x7f) == ed25519_small_order[i][31])
			return 1;
	return 0;
}

/* An X25519 key agrees with a fresh one to a secret that is not all zeros. */
static int x25519_agrees(EVP_PKEY *peer)
{
	static const unsigned char zeros[32];
	unsigned char secret[32];
	size_t len = sizeof secret;
	EVP_PKEY *mine = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	EVP_PKEY_CTX *ctx = mine ? EVP_PKEY_CTX_new(mine, NULL) : NULL;
	int ok = ctx && EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_derive_set_peer(ctx, peer) > 0 &&
		 EVP_PKEY_derive(ctx, secret, &len) > 0 && len == 32 &&
		 CRYPTO_memcmp(secret, zeros, 32) != 0;

	OPENSSL_cleanse(secret, sizeof secret);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(mine);
	ERR_clear_error();
	return ok;
}

int swn_pubkey_sound(EVP_PKEY *key, char *why, size_t n)
{
	unsigned char pub[32];
	size_t len = sizeof pub;
	EVP_PKEY_CTX *ctx;
	int ok;

	if (key == NULL) {
		snprintf(why, n, "no public key");
		return 0;
	}
	if (EVP_PKEY_is_a(key, "ED25519")) {
		ok = EVP_PKEY_get_raw_public_key(key, pub, &len) == 1 && len == 32 && !ed25519_small(pub);
		if (!ok)
			snprintf(why, n, "an Ed25519 key of small order, with which a signature "
				 "verifies for any message");
		return ok;
	}
	if (EVP_PKEY_is_a(key, "X25519")) {
		if (!(ok = x25519_agrees(key)))
			snprintf(why, n, "an X25519 key of low order, which agrees to a known secret");
		return ok;
	}
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	ok = ctx && EVP_PKEY_public_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		snprintf(why, n, "a public key that fails OpenSSL's check (%s)", ossl_reason());
	ERR_clear_error();
	return ok;
}

int swn_cert_matches_key(X509 *cert, EVP_PKEY *key)
{
	int ok = X509_check_private_key(cert, key) == 1;

	ERR_clear_error();
	return ok;
}

void swn_time_iso(time_t t, char out[SWN_TIME_LEN + 1])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, SWN_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int swn_time_parse(const char *s, time_t *out)
{
	struct tm tm;
	const char *p;

	memset(&tm, 0, sizeof tm);
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	*out = timegm(&tm);
	return 0;
}

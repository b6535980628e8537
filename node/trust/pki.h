/*
 * pki.h - keys and X.509 certificates of the node (OpenSSL 3 EVP).
 *
 * Generates the node's keys, self-signed certificates and CSRs, reads and
 * writes them as PEM, and describes certificates (subject, SHA-256
 * fingerprint, validity, key type).  It does not decide whom to trust:
 * pinning lives in agreements.
 *
 * Invariants:
 *  - Private keys are written with mode 0600, never over an existing file,
 *    and never printed or logged; the buffers that held them are wiped.
 *    Encrypted (passphrase) keys are refused, never prompted for.
 *  - Fingerprints are SHA-256 over the DER certificate, written as 32
 *    upper-case hex pairs joined by ':' (SWN_FP_LEN characters).
 *  - Times are UTC, written as ISO 8601 "YYYY-MM-DDThh:mm:ssZ".
 */
#ifndef SWN_PKI_H
#define SWN_PKI_H

#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/err.h"

#define SWN_FP_LEN 95     /* "AB:CD:...": 32 * 3 - 1 */
#define SWN_TIME_LEN 20   /* "2026-11-26T17:00:00Z" */

enum swn_key_kind {
	SWN_KEY_RSA_2048,
	SWN_KEY_RSA_3072,
	SWN_KEY_EC_P256,
	SWN_KEY_ED25519,
	SWN_KEY_X25519,     /* eDelivery 2.0 encryption: agrees, cannot sign */
};

/* "rsa-2048", "rsa-3072", "ec-p256", "ed25519", "x25519". */
int swn_key_kind_parse(const char *s, enum swn_key_kind *out);
const char *swn_key_kind_name(enum swn_key_kind k);

EVP_PKEY *swn_key_generate(enum swn_key_kind kind, struct swn_err *err);
int swn_key_write(const char *path, EVP_PKEY *key, struct swn_err *err);
EVP_PKEY *swn_key_read(const char *path, struct swn_err *err);

/* What a node certificate says about its holder. */
struct swn_subject {
	const char *party_id;  /* CN */
	const char *usage;     /* "signing", "tls" or "encryption": OU and extensions */
	const char *org;       /* O, may be NULL */
	const char *country;   /* C, two letters, may be NULL */
	const char *host;      /* TLS only: subjectAltName DNS name or IP */
	int days;              /* validity of a self-signed certificate */
	const char *profile;   /* an eDelivery profile's key: in the OU; may be NULL */
	const char *key_usage; /* "encryption": keyUsage (NULL: keyAgreement) */
};

X509 *swn_cert_self_signed(EVP_PKEY *key, const struct swn_subject *s,
			   struct swn_err *err);
/* A certificate for pub (a key that may not sign: X25519) issued by
 * issuer_key, whose certificate is issuer (its subject becomes the
 * issuer name).  Peers pin the certificate itself, not the chain. */
X509 *swn_cert_issued(EVP_PKEY *pub, EVP_PKEY *issuer_key, X509 *issuer,
		      const struct swn_subject *s, struct swn_err *err);
X509_REQ *swn_csr_make(EVP_PKEY *key, const struct swn_subject *s,
		       struct swn_err *err);

int swn_cert_write(const char *path, X509 *cert, struct swn_err *err);
int swn_csr_write(const char *path, X509_REQ *req, struct swn_err *err);
X509 *swn_cert_read(const char *path, struct swn_err *err);
/* Parse one PEM certificate from memory; name is used in errors. */
X509 *swn_cert_from_pem(const char *pem, size_t len, const char *name,
			long line, struct swn_err *err);
/* PEM text of cert (malloc'd, NUL-terminated). */
char *swn_cert_to_pem(X509 *cert, struct swn_err *err);

/* Everything people compare about a certificate, as text. */
struct swn_cert_info {
	char sha256[SWN_FP_LEN + 1];
	char subject[512];
	char key_type[64];
	char not_before[SWN_TIME_LEN + 1];
	char not_after[SWN_TIME_LEN + 1];
	time_t nb, na;
};

void swn_cert_describe(X509 *cert, struct swn_cert_info *info);

void swn_cert_fingerprint(X509 *cert, char out[SWN_FP_LEN + 1]);
void swn_cert_subject(X509 *cert, char *out, size_t n);
void swn_cert_validity(X509 *cert, time_t *not_before, time_t *not_after);
/* "rsa-2048", "rsa-3072", "ec-p256", "ed25519", "x25519", or a
 * description of another key. */
void swn_cert_key_type(X509 *cert, char *out, size_t n);
/* "rsa-sha256" or "ecdsa-sha256" for the certificate's key, else NULL. */
const char *swn_cert_sig_alg(X509 *cert);
/* 1 if a peer's public key can be trusted to mean anything: RSA and EC
 * pass OpenSSL's public key check (no RSA exponent 1, a point on the
 * curve), an X25519 key agrees to a secret that is not all zeros (low
 * order), an Ed25519 key is none of the encodings of a point of small
 * order (a signature with one verifies for any message); else 0 and why
 * (size n) says so. */
int swn_pubkey_sound(EVP_PKEY *key, char *why, size_t n);

/* 1 if key is the private half of cert's public key. */
int swn_cert_matches_key(X509 *cert, EVP_PKEY *key);

void swn_time_iso(time_t t, char out[SWN_TIME_LEN + 1]);
/* Parse "YYYY-MM-DDThh:mm:ss[.fff]Z" (or +00:00); -1 if malformed. */
int swn_time_parse(const char *s, time_t *out);

#endif

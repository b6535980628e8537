/*
 * cipher.h - the payload-encryption algorithms of the eDelivery AS4
 * profiles, on OpenSSL 3's EVP API.
 *
 * Its one job is the cryptography of XML Encryption as AS4 uses it:
 *  - content encryption, AES-128-GCM (xmlenc11#aes128-gcm), streamed so
 *    that a payload of any size up to SWN_CIPHER_MAX_PAYLOAD_BYTES passes
 *    in a fixed amount of memory;
 *  - key wrap, AES-128 (xmlenc#kw-aes128, RFC 3394);
 *  - key transport, RSA-OAEP (xmlenc11#rsa-oaep) with DigestMethod SHA-256
 *    and MGF1-SHA256 (xmlenc11#mgf1sha256), no OAEPparams (eDelivery 1.15);
 *  - key agreement, X25519 (dsig-more#x25519) or ECDH-ES on P-256
 *    (xmlenc11#ECDH-ES), then HKDF with HMAC-SHA256 (dsig-more#hkdf,
 *    RFC 9231 and RFC 5869) giving the AES-128 key-encryption key that
 *    kw-aes128 then uses (eDelivery 2.0).
 *
 * It does not know XML: building or reading EncryptedData, EncryptedKey,
 * AgreementMethod or HKDFParams, base64 and the algorithm URIs a message
 * names are another module's job, which calls these functions with the
 * bytes it decoded and checks the URIs against the constants below.  It
 * does not choose keys' owners either: the recipient's certificate comes
 * from the agreement, as for signatures.
 *
 * Invariants:
 *  - Every function returns 0 (or a pointer) on success and -1 (or NULL)
 *    with err filled on failure; nothing is printed.  Refusals of what a
 *    peer sent (a wrong tag, a bad point, a wrong key) are SWN_E_CRYPTO,
 *    sizes over a limit of swn_limits.h SWN_E_TOO_LARGE.
 *  - A cipher value is IV (12 random bytes) || ciphertext || tag (16
 *    bytes), as XML Encryption 1.1 section 5.2.4 lays it out; a fresh IV
 *    is drawn from OpenSSL's RAND_bytes for every encryption.
 *  - Decrypted bytes are NOT authentic until swn_gcm_final() returns 0:
 *    see swn_gcm_new().  The one-shot swn_gcm_decrypt() empties its output
 *    when the tag does not match, so it never hands out unauthenticated
 *    bytes.
 *  - Secrets this module makes or holds (content keys it generates, the
 *    shared secret, the pseudorandom key of HKDF, ephemeral private keys,
 *    the stream's state) are wiped with OPENSSL_cleanse before they are
 *    freed or go out of scope.  Output buffers belong to the caller, who
 *    wipes the keys it was given when done with them.
 *  - A public key from a peer is checked before it is used: the type the
 *    algorithm names (an RSA key for RSA-OAEP, X25519 for x25519, EC on
 *    P-256 for ECDH-ES), a P-256 point uncompressed and on the curve, an
 *    X25519 result that is not all zeros (a low-order peer key).
 */
#ifndef SWN_CIPHER_H
#define SWN_CIPHER_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "base/buf.h"
#include "base/err.h"

/* The algorithm URIs, for the module that reads and writes the XML.
 * DigestMethod of RSA-OAEP is xmlenc#sha256 (SWN_ALG_SHA256, as4/dsig.h). */
#define SWN_ALG_AES128_GCM  "http://www.w3.org/2009/xmlenc11#aes128-gcm"
#define SWN_ALG_KW_AES128   "http://www.w3.org/2001/04/xmlenc#kw-aes128"
#define SWN_ALG_RSA_OAEP    "http://www.w3.org/2009/xmlenc11#rsa-oaep"
#define SWN_ALG_MGF1_SHA256 "http://www.w3.org/2009/xmlenc11#mgf1sha256"
#define SWN_ALG_X25519      "http://www.w3.org/2021/04/xmldsig-more#x25519"
#define SWN_ALG_ECDH_ES     "http://www.w3.org/2009/xmlenc11#ECDH-ES"
#define SWN_ALG_HKDF        "http://www.w3.org/2021/04/xmldsig-more#hkdf"
#define SWN_ALG_HMAC_SHA256 "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"

#define SWN_AES128_KEY_LEN  16  /* content key and key-encryption key */
#define SWN_GCM_IV_LEN      12
#define SWN_GCM_TAG_LEN     16
#define SWN_KW_OVERHEAD     8   /* a wrapped key is 8 bytes longer */
#define SWN_X25519_PUB_LEN  32
#define SWN_P256_POINT_LEN  65  /* 0x04 || X || Y */
#define SWN_AGREE_PUB_MAX   SWN_P256_POINT_LEN
#define SWN_AGREE_SECRET_LEN 32 /* X25519's result; P-256's X coordinate */

/* A fresh random AES-128 content key. */
int swn_cipher_new_key(unsigned char key[SWN_AES128_KEY_LEN], struct swn_err *err);

/* ---- AES-128-GCM content encryption, streamed ---- */

/* Where a stream's output goes: n bytes at p, in order.  Returns 0, or -1
 * with err set to stop the stream (the stream then fails with it). */
typedef int (*swn_cipher_sink)(void *arg, const unsigned char *p, size_t n,
			       struct swn_err *err);

enum swn_gcm_dir { SWN_GCM_ENCRYPT, SWN_GCM_DECRYPT };

struct swn_gcm;

/*
 * A stream with the content key key (copied into OpenSSL's context; the
 * caller may wipe its own copy at once) that writes to sink.
 *
 * SWN_GCM_ENCRYPT: updates take plaintext; the sink receives the cipher
 * value, IV first, then ciphertext as it is made, then at final the tag.
 *
 * SWN_GCM_DECRYPT: updates take the cipher value in chunks of any size,
 * cut anywhere (the IV and the tag are found whatever the cuts); the sink
 * receives plaintext as it is decrypted, holding back the last 16 bytes
 * seen, which may be the tag.  That plaintext is NOT yet authentic: a
 * forger can make it say anything.  The caller must write it to a
 * temporary place (a file it will remove, a buffer it will free) and use
 * it, parse it or pass it on only after swn_gcm_final() returned 0; when
 * final fails, or an update does, it must throw the bytes away.
 *
 * Any failure leaves the stream failed: later updates and final return -1.
 */
struct swn_gcm *swn_gcm_new(enum swn_gcm_dir dir, const unsigned char key[SWN_AES128_KEY_LEN],
			    swn_cipher_sink sink, void *arg, struct swn_err *err);

/* n bytes more (n may be 0).  Past SWN_CIPHER_MAX_PAYLOAD_BYTES of
 * plaintext, SWN_E_TOO_LARGE. */
int swn_gcm_update(struct swn_gcm *g, const void *p, size_t n, struct swn_err *err);

/* Encrypt: write the tag.  Decrypt: check the tag; -1 when the cipher
 * value is shorter than IV + tag or the tag does not match (wrong key,
 * any byte changed, truncated or extended). */
int swn_gcm_final(struct swn_gcm *g, struct swn_err *err);

/* Wipe and free (NULL is fine), whatever state the stream is in. */
void swn_gcm_free(struct swn_gcm *g);

/* One-shot forms, for values that fit in memory: the cipher value (or the
 * plaintext) appended to out, a buffer the caller initialised with its
 * limit.  On failure out is emptied: swn_gcm_decrypt() never leaves
 * plaintext whose tag did not match. */
int swn_gcm_encrypt(const unsigned char key[SWN_AES128_KEY_LEN], const void *in, size_t n,
		    struct swn_buf *out, struct swn_err *err);
int swn_gcm_decrypt(const unsigned char key[SWN_AES128_KEY_LEN], const void *in, size_t n,
		    struct swn_buf *out, struct swn_err *err);

/* ---- AES-128 key wrap, RFC 3394 (kw-aes128) ---- */

/* Wrap key_len bytes (a multiple of 8, 16 to SWN_CIPHER_MAX_KEY_BYTES) with
 * the key-encryption key kek into out (room for key_len + 8 bytes); the
 * wrapped length is key_len + SWN_KW_OVERHEAD. */
int swn_kw_wrap(const unsigned char kek[SWN_AES128_KEY_LEN], const unsigned char *key,
		size_t key_len, unsigned char *out, size_t out_size, struct swn_err *err);

/* Unwrap in (in_len = key_len + 8) into out (room for in_len - 8 bytes):
 * -1 when the integrity check value of RFC 3394 2.2.3 does not come out
 * (wrong kek, or the value was changed).  *key_len is set on success. */
int swn_kw_unwrap(const unsigned char kek[SWN_AES128_KEY_LEN], const unsigned char *in,
		  size_t in_len, unsigned char *out, size_t out_size, size_t *key_len,
		  struct swn_err *err);

/* ---- RSA-OAEP key transport (xmlenc11#rsa-oaep, SHA-256, MGF1-SHA256) ---- */

/* Encrypt key (key_len bytes, at most SWN_CIPHER_MAX_KEY_BYTES) to the
 * public key of the recipient's certificate cert, an RSA key of
 * SWN_RSA_OAEP_MIN_BITS to SWN_RSA_OAEP_MAX_BITS bits, into out (room for
 * the modulus size, at most SWN_RSA_OAEP_MAX_BITS / 8 bytes); *out_len is
 * the modulus size. */
int swn_rsa_oaep_encrypt(X509 *cert, const unsigned char *key, size_t key_len,
			 unsigned char *out, size_t out_size, size_t *out_len,
			 struct swn_err *err);

/* Decrypt in with this node's RSA private key priv; the transported key
 * must be exactly key_len bytes (a content key of the profiles is
 * SWN_AES128_KEY_LEN), else -1.  A wrong private key or a changed value
 * fails without saying which. */
int swn_rsa_oaep_decrypt(EVP_PKEY *priv, const unsigned char *in, size_t in_len,
			 unsigned char *key, size_t key_len, struct swn_err *err);

/* ---- key agreement and HKDF (eDelivery 2.0) ---- */

enum swn_agree_alg {
	SWN_AGREE_X25519,   /* dsig-more#x25519 */
	SWN_AGREE_ECDH_P256 /* xmlenc11#ECDH-ES on P-256 (secp256r1) */
};

/*
 * HKDF's inputs as dsig-more:HKDFParams carries them (RFC 9231): what the
 * caller must supply.
 *  - PRF: always HMAC-SHA256 here.  The reader of the XML must refuse a
 *    PRF other than SWN_ALG_HMAC_SHA256 (Apache Santuario takes an absent
 *    PRF as HMAC-SHA256).
 *  - Salt: the decoded bytes of HKDFParams/Salt, at most
 *    SWN_HKDF_MAX_SALT_BYTES.  A sender draws a fresh random salt per
 *    message (WSS4J's default HKDF parameters, under phase4, are 16
 *    random bytes: the key length); an absent Salt is salt_len 0, which
 *    RFC 5869 2.2 turns into 32 zero bytes.
 *  - Info: the decoded bytes of HKDFParams/Info, at most
 *    SWN_HKDF_MAX_INFO_BYTES; WSS4J's default writes none (info_len 0).
 *  - KeyLength: always 16 bytes here (the kw-aes128 key); Santuario writes
 *    it in bytes.  The reader must refuse any other value.
 * The pointers may be NULL when their lengths are 0.
 */
struct swn_hkdf_params {
	const unsigned char *salt;
	size_t salt_len;
	const unsigned char *info;
	size_t info_len;
};

/* RFC 5869 HKDF with SHA-256: out_len bytes (at most 255 * 32) of key
 * from ikm.  The key agreement functions use it with out_len 16. */
int swn_hkdf_sha256(const unsigned char *ikm, size_t ikm_len,
		    const struct swn_hkdf_params *hp, unsigned char *out, size_t out_len,
		    struct swn_err *err);

/*
 * The sender's half: an ephemeral key of alg's type is made, agreed with
 * the public key of the recipient's certificate cert (which must be of
 * that type), and HKDF turns the shared secret into the key-encryption
 * key kek for kw-aes128.  The ephemeral public key (for
 * xenc:OriginatorKeyInfo) is written to epk in the encoding XML carries:
 * X25519 the raw 32 bytes (RFC 7748), ECDH-ES the uncompressed point
 * 0x04 || X || Y of dsig11:ECKeyValue/PublicKey (65 bytes); *epk_len says
 * which.  The ephemeral private key is freed before this returns.
 */
int swn_agree_send(enum swn_agree_alg alg, X509 *cert, const struct swn_hkdf_params *hp,
		   unsigned char kek[SWN_AES128_KEY_LEN],
		   unsigned char epk[SWN_AGREE_PUB_MAX], size_t *epk_len,
		   struct swn_err *err);

/* The recipient's half: this node's private key priv (of alg's type) with
 * the originator's ephemeral public key epk (encoded as above, checked),
 * and the same HKDF parameters, give the same kek. */
int swn_agree_receive(enum swn_agree_alg alg, EVP_PKEY *priv, const unsigned char *epk,
		      size_t epk_len, const struct swn_hkdf_params *hp,
		      unsigned char kek[SWN_AES128_KEY_LEN], struct swn_err *err);

/* The raw shared secret of priv and the peer's encoded public key, checked
 * as above (the step before HKDF, for tests against RFC 7748). */
int swn_agree_secret(enum swn_agree_alg alg, EVP_PKEY *priv, const unsigned char *peer,
		     size_t peer_len, unsigned char secret[SWN_AGREE_SECRET_LEN],
		     struct swn_err *err);

/* The encoded public key of key (X25519 or EC P-256, as alg says). */
int swn_agree_public(enum swn_agree_alg alg, EVP_PKEY *key, unsigned char out[SWN_AGREE_PUB_MAX],
		     size_t *out_len, struct swn_err *err);

/* The encoded public key (as above) of a DER SubjectPublicKeyInfo of der_len
 * bytes, as dsig11:DEREncodedKeyValue carries an originator's key: the
 * whole input one SubjectPublicKeyInfo, of alg's key type. */
int swn_agree_public_from_spki(enum swn_agree_alg alg, const unsigned char *der,
			       size_t der_len, unsigned char out[SWN_AGREE_PUB_MAX],
			       size_t *out_len, struct swn_err *err);

#endif

/*
 * xenc.h - XML Encryption 1.1 as eDelivery AS4 gateways write it in
 * wsse:Security: read strictly, and a message's MIME parts decrypted.
 *
 * The one place that reads a peer's xenc:EncryptedKey and
 * xenc:EncryptedData.  What it accepts, and nothing else (every other
 * algorithm URI, element or attribute is refused with the reason):
 *  - exactly one xenc:EncryptedKey, a child of wsse:Security, with an Id,
 *    and one of the caller's expected profiles (enum swn_xenc_profile):
 *     - RSA_OAEP (eDelivery 1.15): EncryptionMethod xenc11#rsa-oaep holding
 *       ds:DigestMethod xmlenc#sha256 and xenc11:MGF xenc11#mgf1sha256, no
 *       OAEPparams (both children are required: absent, they mean SHA-1);
 *       ds:KeyInfo (the recipient's token; not used: the key is ours);
 *     - X25519 and ECDH_P256 (eDelivery 2.0): EncryptionMethod kw-aes128;
 *       ds:KeyInfo/xenc:AgreementMethod dsig-more#x25519 or xenc11#ECDH-ES
 *       holding xenc11:KeyDerivationMethod dsig-more#hkdf with
 *       dsig-more:HKDFParams (PRF hmac-sha256, required; Salt and Info
 *       optional, base64; KeyLength 16: bytes, as phase4 writes it and
 *       RFC 9231 defines it), xenc:OriginatorKeyInfo (X25519: one
 *       dsig11:DEREncodedKeyValue, a DER SubjectPublicKeyInfo; ECDH-ES:
 *       ds:KeyValue/dsig11:ECKeyValue with NamedCurve
 *       urn:oid:1.2.840.10045.3.1.7 and an uncompressed PublicKey), and
 *       xenc:RecipientKeyInfo (not used); no KA-Nonce;
 *    then CipherData/CipherValue and a ReferenceList of DataReference
 *    "#NCName" URIs naming exactly the EncryptedData elements, each once;
 *  - one xenc:EncryptedData per encrypted part, a child of wsse:Security,
 *    at most SWN_MAX_PAYLOAD_PARTS: Id, MimeType (the part's type before
 *    encryption, which the signature's attachment transform uses) and
 *    Type ...SwAProfile-1.1#Attachment-Content-Only; EncryptionMethod
 *    xenc11#aes128-gcm; ds:KeyInfo/wsse:SecurityTokenReference/
 *    wsse:Reference "#" + the EncryptedKey's Id; CipherData/
 *    CipherReference "cid:..." (read by swn_mime_find_cid, the one reader
 *    of cid: URIs) whose one Transform is ...#Attachment-Ciphertext-Transform.
 * References are compared as bare names with the Ids of these elements
 * alone; an Id that any other element of the document also carries (Id,
 * wsu:Id, xml:id) is refused, so no other reader can resolve it elsewhere.
 * No XPath, no XPointer, no URI but "#NCName" and "cid:" is resolved.
 *
 * Consistency with the message: once anything is encrypted, every
 * eb:PartInfo must be a cid: URI naming a MIME part that has exactly one
 * EncryptedData, and every EncryptedData must name a part listed there.
 * A message with no EncryptedKey and no EncryptedData reads as nothing
 * encrypted (x->ndata 0): whether an agreement requires encryption is the
 * caller's decision (swn_xenc_all_encrypted).
 *
 * The writer (swn_xenc_encrypt_parts, below) makes exactly this form, as
 * phase4 writes it, with a fresh content key, IVs and (agreement) salt and
 * ephemeral key for every message.
 *
 * It does not check signatures (dsig, wssec do, over the plaintext this
 * module gives), decompress, or decide what a part is for.  Decryption
 * precedes the signature check in AS4, so all of it is pre-authentication:
 * the reading is one pass over wsse:Security's children and one walk over
 * the document for ids, one asymmetric operation per message, and each
 * part's ciphertext streamed once through AES-128-GCM (trust/cipher).
 *
 * Invariants:
 *  - plaintext handed to the caller is authentic: swn_xenc_decrypt_files
 *    gives a part's file only after its GCM tag checked, and for a failed
 *    part, or a failed message, gives nothing; swn_xenc_decrypt_part_unverified
 *    streams to the caller's sink, which must throw its bytes away when
 *    the call fails (trust/cipher's rule);
 *  - the content key and the key-encryption key are wiped after use.
 */
#ifndef SWN_XENC_H
#define SWN_XENC_H

#include <stddef.h>
#include <time.h>
#include <stdint.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "as4/as4.h"
#include "as4/dsig.h"
#include "as4/mime.h"
#include "base/err.h"
#include "base/swn_limits.h"
#include "trust/cipher.h"
#include "trust/profile.h"

#define SWN_NS_XENC    "http://www.w3.org/2001/04/xmlenc#"
#define SWN_NS_XENC11  "http://www.w3.org/2009/xmlenc11#"
#define SWN_NS_DSIG11  "http://www.w3.org/2009/xmldsig11#"
#define SWN_NS_DSMORE  "http://www.w3.org/2021/04/xmldsig-more#"
#define SWN_XENC_SWA_CONTENT_ONLY \
	"http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Content-Only"
#define SWN_XENC_SWA_CIPHERTEXT \
	"http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Ciphertext-Transform"
#define SWN_XENC_P256_OID "urn:oid:1.2.840.10045.3.1.7"

/* How the content key reaches us: what the agreement expects. */
enum swn_xenc_profile {
	SWN_XENC_RSA_OAEP,   /* eDelivery 1.15: key transport */
	SWN_XENC_X25519,     /* eDelivery 2.0: X25519 + HKDF + kw-aes128 */
	SWN_XENC_ECDH_P256,  /* eDelivery 2.0 EC: ECDH-ES P-256 + HKDF + kw-aes128 */
};

/* How the content key travels under eDelivery profile p; -1 for body. */
int swn_xenc_profile_of(const struct swn_profile_def *p, enum swn_xenc_profile *out);

/* "rsa-oaep", "x25519", "ecdh-es". */
const char *swn_xenc_profile_name(enum swn_xenc_profile p);

#define SWN_XENC_ID_BYTES 256

/* One EncryptedData: which part, and its type before encryption. */
struct swn_xenc_data {
	char id[SWN_XENC_ID_BYTES];
	size_t part;                              /* index in the MIME message (>= 1) */
	char mime_type[SWN_MIME_VALUE_BYTES];     /* the signed type (MimeType agrees) */
};

/* What wsse:Security says about encryption, read and checked. */
struct swn_xenc {
	enum swn_xenc_profile profile;
	char key_id[SWN_XENC_ID_BYTES];           /* the EncryptedKey's Id */
	unsigned char cipher_value[SWN_RSA_OAEP_MAX_BITS / 8];
	size_t cipher_len;                        /* wrapped (24) or transported key */
	unsigned char epk[SWN_AGREE_PUB_MAX];     /* agreement: the originator's key */
	size_t epk_len;
	unsigned char salt[SWN_HKDF_MAX_SALT_BYTES];
	size_t salt_len;
	unsigned char info[SWN_HKDF_MAX_INFO_BYTES];
	size_t info_len;
	size_t ndata;                             /* 0: nothing encrypted */
	struct swn_xenc_data data[SWN_MAX_PAYLOAD_PARTS];
};

/* Read m's wsse:Security (m from swn_as4_parse or swn_as4_parse_swa of
 * the envelope of mm) as above; the EncryptedKey must use profile.  name
 * is the input's name in errors.  0, or -1 with err: SWN_E_AS4 for a
 * refusal, the reason in err. */
int swn_xenc_read(const struct swn_as4_msg *m, const struct swn_mime_message *mm,
		  enum swn_xenc_profile profile, const char *name, struct swn_xenc *x,
		  struct swn_err *err);

/* 1 if every payload part of mm (every part but the root) has an
 * EncryptedData in x, else 0 (a message with no payload: 0). */
int swn_xenc_all_encrypted(const struct swn_xenc *x, const struct swn_mime_message *mm);

/* The content key: RSA-OAEP decryption, or agreement, HKDF and unwrap,
 * with this node's encryption private key priv (of the profile's type).
 * SWN_E_CRYPTO when it does not come out (a wrong key, a changed value). */
int swn_xenc_content_key(const struct swn_xenc *x, EVP_PKEY *priv,
			 unsigned char cek[SWN_AES128_KEY_LEN], struct swn_err *err);

/* The MIME body, as the reader read it: in memory (mem not NULL) or the
 * whole regular file fd. */
struct swn_xenc_body {
	const unsigned char *mem;
	size_t len;
	int fd;
};

/* Decrypt x->data[i]'s part (its range of body) with cek, streamed to
 * sink.  The bytes the sink receives are NOT authentic unless this
 * returns 0 (hence the name): on -1 the caller throws them away (see
 * swn_gcm_new).  swn_xenc_decrypt_files is the safe way. */
int swn_xenc_decrypt_part_unverified(const struct swn_xenc *x, size_t i,
				     const struct swn_mime_message *mm,
				     const struct swn_xenc_body *body,
				     const unsigned char cek[SWN_AES128_KEY_LEN],
				     swn_cipher_sink sink, void *arg, struct swn_err *err);

/* A decrypted part: its plaintext in an unlinked temporary file, and the
 * dsig part that reads it (content_type the part's type as the signed
 * eb:PartInfo gives it, which the EncryptedData's MimeType must match). */
struct swn_xenc_plain {
	int fd;
	uint64_t len;
	uint64_t pos;                  /* where the dsig part reads next */
	unsigned index;                /* the MIME part's: 1 is the first after the envelope */
	char name[24];                 /* "part 1": the dsig part's name */
	char cid[SWN_MIME_ID_BYTES];
	char mime_type[SWN_MIME_VALUE_BYTES];
};

struct swn_xenc_plaintext {
	size_t nparts;
	struct swn_xenc_plain parts[SWN_MAX_PAYLOAD_PARTS];
};

/* Every EncryptedData of x decrypted into temporary files in dir (made
 * with mkstemp and unlinked at once), the content key found with priv.
 * All or nothing: on -1 no file is left and out is empty. */
int swn_xenc_decrypt_files(const struct swn_xenc *x, const struct swn_mime_message *mm,
			   const struct swn_xenc_body *body, EVP_PKEY *priv, const char *dir,
			   struct swn_xenc_plaintext *out, struct swn_err *err);

/* The signature's view of the plaintext: parts[k] for out->parts[k], each
 * reading from its start (call again before each verification). */
void swn_xenc_dsig_parts(struct swn_xenc_plaintext *out, struct swn_dsig_part *parts);

/* Close the files (NULL is fine). */
void swn_xenc_plaintext_free(struct swn_xenc_plaintext *out);

/* ---- the writer ----
 *
 * Composing an encrypted eDelivery AS4 request, in this order (AS4 signs
 * the plaintext, then encrypts):
 *   1. swn_as4_build_user_swa    envelope: empty Body, one eb:PartInfo per
 *                                part (MimeType; CompressionType when the
 *                                part is already gzip'd), then
 *                                swn_as4_parse_swa into m;
 *   2. swn_xenc_sign_view +      sign eb:Messaging, the Body and every part's
 *      swn_wssec_sign_parts      plaintext (under its signed type);
 *   3. swn_xenc_encrypt_parts    the parts' cipher values into their out_fd,
 *                                the key and EncryptedData into Security;
 *   4. swn_mime_write            the envelope (serialised) as the root, each
 *                                part's out_fd as its body with Content-Type
 *                                application/octet-stream and its Content-ID.
 */

/* A part to encrypt: its plaintext and where its cipher value goes. */
struct swn_xenc_part_out {
	const char *content_id;   /* without <>: its eb:PartInfo href is "cid:" + it */
	const char *mime_type;    /* the signed type: application/gzip if compressed,
				   * else the MimeType property */
	const void *data;         /* the plaintext in memory (fd -1), or */
	size_t len;
	int fd;                   /* the whole regular file fd (read with pread) */
	int out_fd;               /* an empty file: IV || ciphertext || tag is
				   * written to it, from its current offset */
	uint64_t pos;             /* private: where the signing view reads next */
	uint64_t signed_len;      /* private: what the signing view read in all, */
	struct timespec signed_mtime;  /* and the file's mtime then */
	int signed_whole;         /* private: the view was read to its end */
};

/* The signature's view of the plaintext: sign[k] reads parts[k] from its
 * start (call again before each use), named by its Content-ID, typed
 * mime_type.  What it read is remembered: swn_xenc_encrypt_parts refuses a
 * part whose length or file changed since (the signature would not cover
 * what is sent), and a part the view never read to its end. */
void swn_xenc_sign_view(struct swn_xenc_part_out *parts, size_t nparts,
			struct swn_dsig_part *sign);

/*
 * Encrypt the nparts parts of the signed envelope m (doc) to the
 * recipient's encryption certificate cert under profile:
 *  - a fresh random AES-128 content key; RSA_OAEP: transported to cert's
 *    RSA key (SHA-256, MGF1-SHA256); X25519 / ECDH_P256: a fresh ephemeral
 *    key agreed with cert's key, HKDF-SHA256 with a fresh 16-byte Salt, no
 *    Info, KeyLength 16, and the content key wrapped with kw-aes128;
 *  - each part's plaintext streamed through AES-128-GCM (a fresh IV each)
 *    into its out_fd;
 *  - into wsse:Security, before what is there (the signer's token and
 *    signature): a BinarySecurityToken holding cert, one EncryptedKey (its
 *    ReferenceList naming every EncryptedData) and one EncryptedData per
 *    part, in the reader's form above.
 * Every part must be named by exactly one eb:PartInfo of m and every
 * eb:PartInfo by a part.  The keys are wiped before this returns.  On -1
 * (err) the envelope is as it was and the out_fd files hold nothing of
 * use: the caller removes them.
 */
int swn_xenc_encrypt_parts(xmlDocPtr doc, const struct swn_as4_msg *m,
			   const struct swn_xenc_part_out *parts, size_t nparts,
			   enum swn_xenc_profile profile, X509 *cert, struct swn_err *err);

#endif

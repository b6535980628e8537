/*
 * swa_in.h - an eDelivery AS4 message with MIME parts, opened for the
 * node: read, decrypted under the agreement's profile, its signature
 * checked over the plaintext, and its one payload document taken out.
 *
 * inbound.c decides what happens to the message (agreement, refusals,
 * ledger, receipt, delivery); this module only turns the bytes into
 * checked values, in the order AS4 prescribes:
 *   1. swn_swa_in_read     the MIME message (mime.h, strictly) and its
 *                          envelope (xmlsafe, swn_as4_parse_swa);
 *   2. swn_swa_in_decrypt  wsse:Security's encryption read for the
 *                          profile, every payload part decrypted with the
 *                          node's key into unlinked temporary files (all
 *                          or nothing; xenc.h);
 *   3. swn_swa_in_verify   the signature over eb:Messaging, soap:Body and
 *                          every decrypted part, with one pinned
 *                          certificate (wssec.h);
 *   4. swn_swa_in_parts_check  every part's signed type read alike
 *                          (swn_swa_gzip_type), and every attachment that
 *                          says gzip inflates, all of them within
 *                          SWN_SWA_MAX_ATTACHMENT_BYTES together;
 *   5. swn_swa_in_document the document's bytes: gunzipped when its signed
 *                          type says application/gzip, within the limits
 *                          of swn_limits.h (gzip.h).
 * Each step's failure names the ebMS error it is (what the peer is told).
 *
 * One decision, made here: the document is MIME part 1, the first part
 * after the envelope; every other payload part is an attachment, handed
 * on as its bytes (placement.h), never parsed.
 *
 * Invariants:
 *  - nothing from a part reaches the caller before its GCM tag checked and
 *    the signature verified over the plaintext (steps 2 and 3 in order);
 *  - the temporary files are unlinked at creation: nothing is left on disk
 *    whatever happens.
 */
#ifndef SWN_SWA_IN_H
#define SWN_SWA_IN_H

#include <stddef.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "as4/as4.h"
#include "as4/mime.h"
#include "as4/xenc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/swn_limits.h"
#include "trust/profile.h"

struct swn_swa_in {
	struct swn_mime_message mm;
	struct swn_xenc x;
	struct swn_xenc_plaintext plain;
	const void *body;              /* the HTTP body in memory, the caller's, or */
	int fd;                        /* the whole regular file holding it (-1: body) */
	uint64_t len;
};

/* 1 if the HTTP Content-Type value names a MIME multipart body (the
 * SOAP-with-Attachments form; swn_swa_in_read requires multipart/related),
 * else 0. */
int swn_swa_in_is_mime(const char *content_type);

/* Step 1: *doc (the envelope, freed by the caller) and m from the body
 * (kept by s, which the caller frees with swn_swa_in_free). */
int swn_swa_in_read(struct swn_swa_in *s, const char *content_type, const void *body,
		    size_t len, xmlDocPtr *doc, struct swn_as4_msg *m, struct swn_err *err);

/* The same for a body that is the len bytes of the regular file fd (the
 * caller's, read with pread): only the envelope is read into memory. */
int swn_swa_in_read_fd(struct swn_swa_in *s, const char *content_type, int fd, uint64_t len,
		       xmlDocPtr *doc, struct swn_as4_msg *m, struct swn_err *err);

/* Step 2, under profile p (an eDelivery one) with the node's key.  On
 * failure *code is the ebMS error: PolicyNoncompliance when a payload part
 * is not encrypted, FailedDecryption otherwise. */
int swn_swa_in_decrypt(struct swn_swa_in *s, const struct swn_as4_msg *m,
		       const struct swn_profile_def *p, EVP_PKEY *enc_key, const char *tmpdir,
		       enum swn_ebms_error *code, struct swn_err *err);

/* Step 3 with cert and the algorithm the agreement expects. */
int swn_swa_in_verify(struct swn_swa_in *s, xmlDocPtr doc, const struct swn_as4_msg *m,
		      X509 *cert, const char *alg, struct swn_err *err);

/* The MIME part that holds the document. */
#define SWN_SWA_DOCUMENT_PART 1

/* Step 4: the document's bytes into out (max bytes at most); a part that
 * does not gunzip is *code DecompressionFailure, else Other. */
int swn_swa_in_document(struct swn_swa_in *s, size_t max, struct swn_buf *out,
			enum swn_ebms_error *code, struct swn_err *err);

#define SWN_SWA_GZIP "application/gzip"

/* Is a part with this signed type (or the media type the ledger recorded
 * of it) gzip'd?  1 when it is exactly "application/gzip", 0 when its
 * media type is another, -1 when it is application/gzip spelt otherwise
 * (case, parameters, blanks): refused on arrival, so that the document's
 * reader, the attachments' check and their placement decide alike. */
int swn_swa_gzip_type(const char *type);

/* The whole size of a message's attachments as delivered (inflated). */
#define SWN_SWA_MAX_ATTACHMENT_BYTES SWN_GZIP_MAX_PAYLOAD_BYTES

/* Step 4: 0, or -1 with *code ValueNotRecognized (a type spelt otherwise)
 * or DecompressionFailure (a part does not inflate within
 * SWN_GUNZIP_LIMITS_DEFAULT, or the attachments are over
 * SWN_SWA_MAX_ATTACHMENT_BYTES together) and the part named in err.  The
 * attachments are read through, nothing kept. */
int swn_swa_in_parts_check(struct swn_swa_in *s, enum swn_ebms_error *code, struct swn_err *err);

/* What the ledger's RECEIVED entry says of the parts: for each, its
 * Content-ID, the media type of its signed type (type/subtype, token
 * characters only, so the text has one reading) and the size and SHA-256
 * of the bytes received and of the plaintext.  (out, size n) */
void swn_swa_in_describe(const struct swn_swa_in *s, char *out, size_t n);

void swn_swa_in_free(struct swn_swa_in *s);

/* ---- the ledger's words for parts, read back (export, check-bundle,
 * redelivery) ----
 * A RECEIVED entry's reason: "Content-Type (base64): B64; " and the parts
 * as swn_swa_in_describe gives them; a SUBMITTED entry's reason: "document
 * sha256:HEX" and, for each part, "; part N <CID> TYPE: plaintext N bytes
 * sha256:HEX". */
#define SWN_SWA_REASON_PREFIX "Content-Type (base64): "

/* The Content-Type of a RECEIVED reason into out (size n): 1, or 0 when
 * the reason holds none (the body form) or it does not decode whole. */
int swn_swa_reason_content_type(const char *reason, char *out, size_t n);

/* One part as a reason names it. */
struct swn_swa_described {
	unsigned index;                       /* "part N" */
	char cid[SWN_MIME_ID_BYTES];
	char type[SWN_MIME_NAME_BYTES];       /* the signed media type, or "invalid" */
	uint64_t plain_len;                   /* the plaintext (as signed) */
	unsigned char plain_sha256[32];
	int received;                         /* 1: a RECEIVED reason's, with: */
	uint64_t recv_len;                    /* the part as it travelled */
	unsigned char recv_sha256[32];
};

/* The parts reason names, in its order, into out (at most max): their
 * number (0 when it names none), or -1 when a part's words do not read as
 * above, or the first part does not follow the RECEIVED prefix and its
 * base64, or "document sha256:" and 64 hex digits, at once. */
int swn_swa_reason_parts(const char *reason, struct swn_swa_described *out, size_t max);

#endif

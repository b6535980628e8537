/*
 * compose.h - turning a business document into an outgoing UserMessage.
 *
 * The one path that `as4 pack` and the node's submit share, so a message
 * packed by hand and one sent by a serving node carry the same payload and
 * headers:
 *   1. swn_compose_payload   validate; a domestic document is mapped, since
 *                            the payload on the wire is always international;
 *   2. swn_compose_header    UserMessage values from the agreement's entry;
 *   3. swn_compose_envelope  build the envelope, re-parse it, sign it;
 *      or swn_compose_swa    the eDelivery form: the payload gzip'd in a
 *                            MIME part, signed, encrypted (xenc.h's order).
 * Step 2 is separate because the node picks the agreement under its
 * agreements lock, after knowing the document type.
 */
#ifndef SWN_COMPOSE_H
#define SWN_COMPOSE_H

#include <stdint.h>

#include <libxml/tree.h>

#include "trust/agreement.h"
#include "as4/as4.h"
#include "doc/doctype.h"
#include "base/err.h"
#include "as4/wssec.h"
#include "as4/xenc.h"
#include "base/buf.h"

struct swn_payload {
	const struct swn_doctype *type;
	xmlDocPtr doc;     /* what goes in the Body: the input or `mapped` */
	xmlDocPtr mapped;  /* owned; NULL when the input was international */
};

/* Does the partner's agreement carry doctype (outbound)?  For a domestic
 * form several doctypes share (doctype.h), the sender picks the one its
 * partner's agreement carries. */
typedef int (*swn_carries_fn)(void *ctx, const char *doctype);

/* Validate doc and make its international payload.  A domestic document
 * goes out as the first doctype sharing its domestic form that carries
 * says the partner takes (as the detected one if none, or if carries is
 * NULL).  On success free p with swn_compose_payload_free(); doc must
 * outlive p. */
int swn_compose_payload(const struct swn_registry *reg, xmlDocPtr doc, const char *name,
			swn_carries_fn carries, void *carries_ctx, struct swn_payload *p,
			struct swn_err *err);
void swn_compose_payload_free(struct swn_payload *p);

/* Header values for sending under agreement a's entry: new MessageId (or
 * msgid when not NULL), ConversationId and Timestamp. */
void swn_compose_header(const struct swn_agreement *a, const struct swn_agreement_doc *entry,
			const char *msgid, struct swn_as4_user *u);

/* The envelope for u and p, signed by signer (NULL: left unsigned). */
xmlDocPtr swn_compose_envelope(const struct swn_as4_user *u, const struct swn_payload *p,
			       const struct swn_signer *signer, struct swn_err *err);

/* An attachment: a payload part after the document, its bytes the whole
 * regular file fd (read with pread; it must not change while composed). */
struct swn_compose_attachment {
	int fd;
	const char *mime_type;            /* its MimeType property: application/pdf, say */
	const char *name;                 /* what errors call it (its file), or NULL */
};

/* A part's plaintext as it was signed (gzip'd), handed to the caller of
 * swn_compose_swa to keep beside the evidence (payloads.h). */
struct swn_compose_kept {
	int fd;                           /* the caller closes it; -1 none */
	uint64_t len;
	char cid[SWN_AS4_ID_BYTES];
	const char *mime_type;            /* the signed type */
};

/* The eDelivery AS4 form of u and p: the payload serialised and gzip'd as
 * MIME part 1 (eb:PartInfo MimeType application/xml, CompressionType
 * application/gzip), then each of the natt attachments (at most
 * SWN_MAX_ATTACHMENTS) gzip'd as a part of its own under its MimeType;
 * eb:Messaging, the empty Body and every compressed part signed by
 * signer, the parts encrypted under xp to peer_enc, and the whole
 * MIME-written to out_fd at its offset (at most max bytes, else
 * SWN_E_TOO_LARGE, with what was written of no use).  An attachment that
 * changes while it is read, or compresses past the ratio receivers allow,
 * is refused, named.  Every stage streams
 * through files: memory holds the envelope and the document, not the
 * attachments.  content_type (size n) gets the HTTP header's value; kept,
 * if not NULL, 1 + natt entries: the plaintext of each part in order
 * (every fd -1 on failure).  Working files go to tmpdir, unlinked at
 * creation. */
int swn_compose_swa(const struct swn_as4_user *u, const struct swn_payload *p,
		    const struct swn_compose_attachment *att, size_t natt,
		    const struct swn_signer *signer, enum swn_xenc_profile xp, X509 *peer_enc,
		    const char *tmpdir, uint64_t max, int out_fd, char *content_type,
		    size_t n, struct swn_compose_kept *kept, struct swn_err *err);

#endif

/*
 * compose.h - turning a business document into an outgoing UserMessage.
 *
 * The one path that `as4 pack` and the node's submit share, so a message
 * packed by hand and one sent by a serving node carry the same payload and
 * headers:
 *   1. swn_compose_payload   validate; a domestic document is mapped, since
 *                            the payload on the wire is always international;
 *   2. swn_compose_header    UserMessage values from the agreement's entry;
 *   3. swn_compose_envelope  build the envelope, re-parse it, sign it.
 * Step 2 is separate because the node picks the agreement under its
 * agreements lock, after knowing the document type.
 */
#ifndef SWN_COMPOSE_H
#define SWN_COMPOSE_H

#include <libxml/tree.h>

#include "trust/agreement.h"
#include "as4/as4.h"
#include "doc/doctype.h"
#include "base/err.h"
#include "as4/wssec.h"

struct swn_payload {
	const struct swn_doctype *type;
	xmlDocPtr doc;     /* what goes in the Body: the input or `mapped` */
	xmlDocPtr mapped;  /* owned; NULL when the input was international */
};

/* Validate doc and make its international payload.  On success free p with
 * swn_compose_payload_free(); doc must outlive p. */
int swn_compose_payload(const struct swn_registry *reg, xmlDocPtr doc, const char *name,
			struct swn_payload *p, struct swn_err *err);
void swn_compose_payload_free(struct swn_payload *p);

/* Header values for sending under agreement a's entry: new MessageId (or
 * msgid when not NULL), ConversationId and Timestamp. */
void swn_compose_header(const struct swn_agreement *a, const struct swn_agreement_doc *entry,
			const char *msgid, struct swn_as4_user *u);

/* The envelope for u and p, signed by signer (NULL: left unsigned). */
xmlDocPtr swn_compose_envelope(const struct swn_as4_user *u, const struct swn_payload *p,
			       const struct swn_signer *signer, struct swn_err *err);

#endif

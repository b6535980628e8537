/*
 * as4.h - AS4 (ebMS 3.0) messages and signals: build them, parse them.
 *
 * Builds the SOAP 1.2 envelopes swnode sends: a UserMessage carrying one
 * document in soap:Body, a Receipt with NonRepudiationInformation, and an
 * Error signal with an ebMS error code.  Parses a received envelope into a
 * struct swn_as4_msg whose node pointers point into the document, after
 * checking its structure: one Header, one Body, one eb:Messaging holding
 * exactly one UserMessage or one SignalMessage, one wsse:Security.
 *
 * It does not sign or verify (wssec does) and does not decide whether a
 * message is acceptable under an agreement (the inbound checks do).
 * Namespaces and codes are those of ../shared/notes/as4-facts.md.
 *
 * Invariants:
 *  - Envelopes built here carry wsu:Id on eb:Messaging and soap:Body, and a
 *    wsse:Security header ready for swn_wssec_sign().
 *  - After swn_as4_parse() succeeds, m->messaging and m->body are the only
 *    eb:Messaging and soap:Body of the document, children of its Header and
 *    Envelope; the text fields are copies, never cut short.
 */
#ifndef SWN_AS4_H
#define SWN_AS4_H

#include <libxml/tree.h>

#include "base/err.h"
#include "trust/party.h"
#include "base/swn_limits.h"

#define SWN_NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"
#define SWN_NS_EB     "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
#define SWN_NS_WSSE   "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define SWN_NS_WSU    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
#define SWN_NS_EBBP   "http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0"
#define SWN_NS_DS     "http://www.w3.org/2000/09/xmldsig#"

/* ebMS error codes (CORE 6.7, AS4 3.6) that swnode sends. */
enum swn_ebms_error {
	SWN_EBMS_VALUE_NOT_RECOGNIZED,   /* EBMS:0001 */
	SWN_EBMS_VALUE_INCONSISTENT,     /* EBMS:0003 */
	SWN_EBMS_OTHER,                  /* EBMS:0004 */
	SWN_EBMS_INVALID_HEADER,         /* EBMS:0009 */
	SWN_EBMS_PMODE_MISMATCH,         /* EBMS:0010 */
	SWN_EBMS_FAILED_AUTHENTICATION,  /* EBMS:0101 */
	SWN_EBMS_FAILED_DECRYPTION,      /* EBMS:0102 */
	SWN_EBMS_POLICY_NONCOMPLIANCE,   /* EBMS:0103 */
	SWN_EBMS_DELIVERY_FAILURE,       /* EBMS:0202 */
	SWN_EBMS_DECOMPRESSION_FAILURE,  /* EBMS:0303 */
};

/* "EBMS:0101", "FailedAuthentication", "Processing", "security". */
const char *swn_ebms_code(enum swn_ebms_error e);
const char *swn_ebms_short(enum swn_ebms_error e);
const char *swn_ebms_category(enum swn_ebms_error e);
const char *swn_ebms_origin(enum swn_ebms_error e);


/* The header values of a UserMessage. */
struct swn_as4_user {
	char message_id[SWN_AS4_ID_BYTES];
	char timestamp[40];
	char conversation_id[SWN_AS4_ID_BYTES];
	char agreement_ref[SWN_AS4_ID_BYTES];
	char service[SWN_AS4_ID_BYTES];
	char action[SWN_AS4_ID_BYTES];
	struct swn_party from, to;
};

enum swn_as4_kind {
	SWN_AS4_USER_MESSAGE,
	SWN_AS4_RECEIPT,
	SWN_AS4_ERROR,
};

/* A parsed envelope: pointers into the document, copies of the values. */
struct swn_as4_msg {
	enum swn_as4_kind kind;
	xmlNodePtr envelope, header, body, messaging, security;
	xmlNodePtr payload;            /* UserMessage: the document in Body */
	xmlNodePtr receipt;            /* Receipt: eb:Receipt */
	struct swn_as4_user user;      /* UserMessage header values */
	char message_id[SWN_AS4_ID_BYTES];
	char timestamp[40];
	char ref_to[SWN_AS4_ID_BYTES]; /* signals: RefToMessageId */
	char error_code[32];           /* Error: "EBMS:0101" */
	char error_text[512];          /* Error: shortDescription: Description,
	                                * as the peer wrote them */
};

/* A new random MessageId ("<uuid>@<party>", RFC 2822 msg-id form). */
void swn_as4_new_id(const char *party, char *out, size_t n);

/* What a MessageId or RefToMessageId may be, for messages.  ebMS 3.0
 * 5.2.2.1 makes it an RFC 2822 msg-id without the angle brackets: no
 * space, control character or non-ASCII byte, which is also what lets
 * it go into an HTTP header, a log line or a file name's neighbourhood
 * as it is. */
#define SWN_AS4_MESSAGE_ID_RULE \
	"1-255 printable ASCII characters (0x21-0x7E) other than '<' and '>' " \
	"(an RFC 2822 msg-id without its angle brackets, ebMS 3.0 5.2.2.1)"

/* 1 if id may be a MessageId (SWN_AS4_MESSAGE_ID_RULE). */
int swn_as4_message_id_ok(const char *id);

/* A UserMessage carrying a copy of payload (an element) in soap:Body. */
xmlDocPtr swn_as4_build_user(const struct swn_as4_user *u, xmlNodePtr payload,
			     struct swn_err *err);

/* A payload part of a SOAP-with-Attachments UserMessage, as its
 * eb:PartInfo names it. */
struct swn_as4_partinfo {
	const char *content_id;  /* without <>: href "cid:" + it (swn_mime_cid_href) */
	const char *mime_type;   /* the payload's own type: the MimeType property */
	int gzip;                /* compressed: CompressionType application/gzip */
};

/* A UserMessage whose payloads are MIME parts (eDelivery AS4): an empty
 * soap:Body and one eb:PartInfo per part, in order.  Unsigned; sign with
 * swn_wssec_sign_parts over the parts (xenc.h gives the whole order). */
xmlDocPtr swn_as4_build_user_swa(const struct swn_as4_user *u,
				 const struct swn_as4_partinfo *parts, size_t nparts,
				 struct swn_err *err);

/* The receiver's ledger commitment in a Receipt: its signed checkpoint, the
 * RECEIVED entry's leaf index and the fields the sender cannot know (time,
 * and how the receiver named peer, agreement and type), and the inclusion
 * proof of that leaf in the checkpoint's tree.  The sender rebuilds the
 * entry from the message it sent and checks the proof. */
#define SWN_NS_LEDGER "urn:swnode:ledger:1"
struct swn_commitment {
	char note[4096];
	long long leaf_index;
	char time[40];
	char peer[SWN_PARTY_BYTES];
	char agreement[SWN_AS4_ID_BYTES];
	char doctype[40];
	char reason[SWN_SWA_REASON_BYTES];   /* the RECEIVED entry's reason as stored (escaped); "" none */
	unsigned char path[64][32];
	size_t n;
};

/* A Receipt for the received message m: NonRepudiationInformation copies
 * the ds:Reference elements of m's signature.  With c (not NULL), the
 * receipt also carries the commitment, next to the NonRepudiationInformation
 * (other access points ignore it):
 *   <swn:LedgerCommitment xmlns:swn="urn:swnode:ledger:1">
 *     <swn:LeafIndex>N</swn:LeafIndex>
 *     <swn:Entry time=".." peer=".." agreement=".." doctype=".." [reason=".."]/>
 *     <swn:InclusionProof><swn:Hash>base64</swn:Hash>...</swn:InclusionProof>
 *     <swn:Checkpoint>signed note</swn:Checkpoint>
 *   </swn:LedgerCommitment> */
xmlDocPtr swn_as4_build_receipt(const struct swn_as4_msg *m, const char *own_party,
				const struct swn_commitment *c, struct swn_err *err);

/* The ledger commitment of a receipt: 1 found and well-formed, 0 none. */
int swn_as4_receipt_commitment(const struct swn_as4_msg *m, struct swn_commitment *c);

/* An Error signal, in reply to ref_to (may be NULL or ""). */
xmlDocPtr swn_as4_build_error(const char *ref_to, const char *own_party,
			      enum swn_ebms_error code, const char *description,
			      struct swn_err *err);

/* Check the structure of a parsed envelope and fill m.  name is used in
 * errors (code SWN_E_AS4; the message says what is wrong). */
int swn_as4_parse(xmlDocPtr doc, const char *name, struct swn_as4_msg *m,
		  struct swn_err *err);

/* The same for the envelope of a SOAP-with-Attachments message, whose
 * payloads are MIME parts: a UserMessage's soap:Body must be empty (white
 * space only) and m->payload is NULL.  Signals are parsed as above. */
int swn_as4_parse_swa(xmlDocPtr doc, const char *name, struct swn_as4_msg *m,
		      struct swn_err *err);

/* The ds:SignedInfo of the message's signature, or NULL. */
xmlNodePtr swn_as4_signed_info(const struct swn_as4_msg *m);

/* 1 if the Receipt receipt acknowledges the signed message ours: every
 * ds:Reference of ours's signature comes back, once, in the receipt's
 * ebbp:NonRepudiationInformation with the same URI and DigestValue (and
 * there is at least one); else 0.  RefToMessageId is the caller's. */
int swn_as4_receipt_covers(const struct swn_as4_msg *ours, const struct swn_as4_msg *receipt);

#endif

/*
 * inbound.h - what the node does with an AS4 message a peer posted.
 *
 * One function takes the bytes of a POST /as4 from a peer that has
 * authenticated with a TLS client certificate and produces the reply, in
 * this order (../shared/DESIGN.md):
 *   safe parse (of the MIME message first, with parts) -> AS4 structure,
 *   From and To PartyId by the party id rule
 *   -> agreement of the authenticated peer -> the agreement's profile is
 *   the message's form -> (with parts: decrypted with the node's key of
 *   the profile) -> signature with the peer's pinned certificate -> header checks (From is
 *   the peer, To is us, agreement in force, document type and Service /
 *   Action allowed inbound) -> duplicate check -> international schema ->
 *   ledger RECEIVED (durable) -> signed Receipt -> map to domestic ->
 *   spool/in (atomic rename) -> ledger DELIVERED_LOCAL.
 * A message refused on the way gets a signed eb:Error and a REFUSED entry
 * with the reason and the bytes received.  A repeated MessageId with the
 * same bytes gets the original Receipt and is stored once; with other
 * bytes it is refused.
 *
 * Invariants:
 *  - No Receipt is produced for a message that is not durable in the ledger.
 *  - Only the nodes the signature covered (the Envelope's eb:Messaging and
 *    soap:Body) are read after verification.
 */
#ifndef SWN_INBOUND_H
#define SWN_INBOUND_H

#include <time.h>

#include <openssl/x509.h>

#include "base/buf.h"
#include "node/node/runtime.h"

struct swn_inbound_reply {
	int http_status;           /* 200 with a signal; 503: try again later */
	struct swn_buf body;       /* the signed signal (application/soap+xml) */
	char outcome[32];          /* "receipt", "duplicate", "error EBMS:0101", ... */
	char msgid[SWN_AS4_ID_BYTES];
	char reason[512];          /* why a message was refused */
};

/* Handle one request body; content_type is the request's Content-Type
 * (NULL if it had none): multipart/related is the SOAP-with-Attachments
 * form of the eDelivery profiles (swa_in.h), anything else the body form.
 * reply->body is initialised here and must be freed with swn_buf_free(). */
void swn_inbound_handle(struct swn_runtime *rt, const char *data, size_t len,
			const char *content_type, X509 *client, struct swn_inbound_reply *reply);

/* The same for a body the listener wrote to a file of the payload store
 * (payloads.h): fd holds its len bytes, tmp is its temporary name ("" for
 * one without a name).  A MIME message is read from the file (only its
 * envelope and document in memory) and, over
 * SWN_LEDGER_INLINE_EVIDENCE_BYTES, kept there as the RECEIVED entry's
 * evidence; a body-form message (at most SWN_MAX_DOCUMENT_BYTES) is read
 * into memory.  fd stays the caller's to close. */
void swn_inbound_handle_file(struct swn_runtime *rt, int fd, const char *tmp, uint64_t len,
			     const char *content_type, X509 *client, struct swn_inbound_reply *reply);

/* A request from an authenticated peer that the listener refused before
 * it reached swn_inbound_handle (HTTP status, e.g. 413 for a body over
 * every agreement's size): one REFUSED entry with the reason, no evidence
 * (the bytes were not kept). */
void swn_inbound_refused_http(struct swn_runtime *rt, X509 *client, int status,
			      const char *reason);

/* Record the count of refusals not recorded one by one (over a peer's
 * maxRefusalsPerMinute, or of peers beyond the table: refusals.h) for
 * every minute that has ended at now, or for every minute when all is set
 * (at stop).  serve calls it every second. */
void swn_inbound_flush_refusals(struct swn_runtime *rt, time_t now, int all);

/* Hold the message (peer, msgid): while held, no other thread receives,
 * places or acknowledges it.  Returns the slot to release. */
int swn_inbound_hold(const char *peer, const char *msgid);
void swn_inbound_release(int slot);

/* Every received document up to this RECEIVED seq is placed in spool/in
 * (as the last redelivery found). */
long long swn_inbound_placed_below(void);

/* Map and place every received document that is not in spool/in yet (a
 * failed local delivery, or a crash after RECEIVED).  serve runs it at
 * start and every minute. */
int swn_inbound_redeliver(struct swn_runtime *rt, int *done, int *failed, struct swn_err *err);

#endif

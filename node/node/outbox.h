/*
 * outbox.h - sending documents: submit, deliver, retry, resend.
 *
 * Submitting runs the document pipeline, builds and signs the UserMessage
 * for the agreement with the peer, records it (ledger SUBMITTED, with the
 * signed bytes as evidence) and queues it in the outbox table.  Delivery
 * posts due messages, verifies the signed reply with the peer's pinned
 * certificate and records the outcome:
 *   SENT       a reply came back;
 *   DELIVERED  it is a Receipt for this message whose NonRepudiationInformation
 *              repeats our references' digests (evidence: the receipt);
 *   RETRYING   no reply, a 5xx, or a reply that does not verify; the next try
 *              follows the agreement's retry schedule;
 *   FAILED     the peer answered with an eb:Error, or the schedule ran out.
 * FAILED messages stay visible and can be resent; a resend delivers the same
 * signed bytes under the same MessageId (the peer eliminates duplicates).
 *
 * The outbox table lives in ledger.db beside the append-only ledger, but it
 * is a mutable work queue, not evidence: its rows change as deliveries go.
 */
#ifndef SWN_OUTBOX_H
#define SWN_OUTBOX_H

#include <time.h>

#include <libxml/tree.h>

#include "as4/as4.h"
#include "as4/compose.h"
#include "node/node/runtime.h"
#include "base/swn_limits.h"

struct swn_outbox;

int swn_outbox_open(struct swn_runtime *rt, struct swn_outbox **out, struct swn_err *err);
void swn_outbox_close(struct swn_outbox *o);

/* Submit a document (parsed; domestic or international) to peer party
 * `to`.  sha256 is the digest of the bytes it was parsed from: the
 * SUBMITTED entry records it (reason "document sha256:HEX").  msgid
 * receives the MessageId. */
int swn_outbox_submit(struct swn_outbox *o, xmlDocPtr doc, const unsigned char sha256[32],
		      const char *name, const char *to, char *msgid, size_t n, struct swn_err *err);

/* What became of a submission under a caller's id. */
struct swn_once {
	char msgid[SWN_AS4_ID_BYTES];    /* "<token>@<our party>" */
	int repeated;                    /* submitted before, the same: nothing done */
	/* When the id was taken by another submission (SWN_E_EXISTS): */
	const char *differs;             /* "document", "destination" or both */
	char first_to[SWN_PARTY_BYTES];  /* where the id's message went */
};

/* The same with natt attachments (at most SWN_MAX_ATTACHMENTS), each a
 * payload part after the document: only under an eDelivery profile.
 * Their bytes stream through files (compose.h): a message over
 * SWN_LEDGER_INLINE_EVIDENCE_BYTES is kept in the payload store and the
 * ledger names it there. */
int swn_outbox_submit_attached(struct swn_outbox *o, xmlDocPtr doc, const unsigned char sha256[32],
			       const char *name, const char *to,
			       const struct swn_compose_attachment *att, size_t natt,
			       char *msgid, size_t n, struct swn_err *err);

/* The same under MessageId "<token>@<our party>", at most once.  If that
 * MessageId was submitted before (a crash or a lost reply hid the
 * outcome) with the same document bytes to the same party, nothing is
 * done and 0 is returned with once->repeated set; if it was submitted with
 * another document or to another party, -1 with SWN_E_EXISTS, saying
 * what differs.  Concurrent calls with one token record one message: the
 * others are answered as a repeat or a conflict. */
int swn_outbox_submit_once(struct swn_outbox *o, xmlDocPtr doc, const unsigned char sha256[32],
			   const char *name, const char *to, const char *token, struct swn_once *once,
			   struct swn_err *err);

/* Deliver one message due at now (claimed: SENDING, so that no other
 * process or thread delivers it too) over client's connections; returns 1
 * if one was attempted, 0 if none is due.  Threads may call it at once,
 * each with its own client. */
struct swn_http_client;
int swn_outbox_run(struct swn_outbox *o, struct swn_http_client *client, time_t now,
		   struct swn_err *err);

/* Told (on a delivery thread) after each outcome is recorded: event is
 * "DELIVERED", "FAILED" or "RETRYING".  It runs under the outbox's lock:
 * it must not block nor call the outbox.  Once a call setting another
 * watcher (or NULL) returns, the old one is not called again. */
typedef void (*swn_outbox_watch_fn)(void *ctx, const char *msgid, const char *event);
void swn_outbox_set_watch(struct swn_outbox *o, swn_outbox_watch_fn fn, void *ctx);

/* After a crash: messages left SENDING are due again.  Call only while
 * holding the node's serve lock. */
int swn_outbox_recover(struct swn_outbox *o, struct swn_err *err);

/* Seconds until the next message is due (-1: none queued). */
long swn_outbox_next_due(struct swn_outbox *o, time_t now);

/* Queue msgid for delivery again now (after FAILED, or to hurry a retry). */
int swn_outbox_resend(struct swn_outbox *o, const char *msgid, struct swn_err *err);

/* The queue state of msgid: 1 found (state, attempts, next try, last
 * error), 0 not in the outbox. */
int swn_outbox_get(struct swn_outbox *o, const char *msgid, char *state, size_t sn,
		   int *attempts, time_t *next, char *last_error, size_t en,
		   struct swn_err *err);

#endif

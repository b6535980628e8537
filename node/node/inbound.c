/* inbound.c - receiving AS4 messages; see inbound.h. */
#include "autoconfig.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>
#include <openssl/sha.h>

#include "as4/as4.h"
#include "trust/checkpoint.h"
#include "base/escape.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "node/node/inbound.h"
#include "doc/pipeline.h"
#include "trust/pki.h"
#include "node/node/placement.h"
#include "ledger/proof.h"
#include "node/node/refusals.h"
#include "node/node/spool.h"
#include "ledger/payloads.h"
#include "node/node/swa_in.h"
#include "base/swn_limits.h"
#include "as4/wssec.h"
#include "xml/xmlout.h"
#include "xml/xmlsafe.h"

/* The RECEIVED entry of a message with MIME parts names its Content-Type
 * and parts (swa_reason, below). */
#define SWA_MAX_CONTENT_TYPE SWN_SWA_MAX_CONTENT_TYPE
#define SWA_REASON_BYTES SWN_SWA_REASON_BYTES

/* Messages being handled right now, by (peer, MessageId): a second copy of
 * one waits for the first, so the duplicate check and RECEIVED cannot
 * interleave.  (One serving process per node: serve holds a lock file.) */
static pthread_mutex_t busy_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t busy_done = PTHREAD_COND_INITIALIZER;
static char busy[SWN_INBOUND_BUSY_SLOTS][SWN_PARTY_BYTES + SWN_AS4_ID_BYTES];

static int busy_find(const char *key)
{
	int i;

	for (i = 0; i < SWN_INBOUND_BUSY_SLOTS; i++)
		if (busy[i][0] && strcmp(busy[i], key) == 0)
			return i;
	return -1;
}

static int busy_enter(const char *peer, const char *msgid)
{
	char key[sizeof busy[0]];
	int i;

	snprintf(key, sizeof key, "%s\n%s", peer, msgid);
	pthread_mutex_lock(&busy_lock);
	for (;;) {
		if (busy_find(key) < 0) {
			for (i = 0; i < SWN_INBOUND_BUSY_SLOTS && busy[i][0]; i++)
				;
			if (i < SWN_INBOUND_BUSY_SLOTS) {
				snprintf(busy[i], sizeof busy[i], "%s", key);
				break;
			}
		}
		pthread_cond_wait(&busy_done, &busy_lock);
	}
	pthread_mutex_unlock(&busy_lock);
	return i;
}

static void busy_leave(int slot)
{
	pthread_mutex_lock(&busy_lock);
	busy[slot][0] = '\0';
	pthread_cond_broadcast(&busy_done);
	pthread_mutex_unlock(&busy_lock);
}

/* Messages per minute, per agreement, in this process. */
struct rate {
	char agreement[SWN_MAX_ID_LEN + 1];
	time_t minute;
	long long count;
};
static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rate rates[SWN_INBOUND_RATE_SLOTS];

static int over_rate(const struct swn_agreement *a, time_t now)
{
	struct rate *r = NULL;
	int i, over;

	pthread_mutex_lock(&rate_lock);
	for (i = 0; i < SWN_INBOUND_RATE_SLOTS && !r; i++)
		if (strcmp(rates[i].agreement, a->id) == 0 || rates[i].agreement[0] == '\0')
			r = &rates[i];
	if (r == NULL)
		r = &rates[(unsigned char)a->id[0] % SWN_INBOUND_RATE_SLOTS];
	if (strcmp(r->agreement, a->id) != 0 || r->minute != now / 60) {
		snprintf(r->agreement, sizeof r->agreement, "%s", a->id);
		r->minute = now / 60;
		r->count = 0;
	}
	over = ++r->count > a->max_per_minute;
	pthread_mutex_unlock(&rate_lock);
	return over;
}

/* Refusals recorded per peer and minute (refusals.h), for this process. */
static pthread_mutex_t refusal_lock = PTHREAD_MUTEX_INITIALIZER;
static struct swn_refusals refusal_table;

static void record_summary(struct swn_runtime *rt, const struct swn_refusal_summary *sum)
{
	struct swn_event ev = { "in", sum->peer, sum->agreement, "", "", "REFUSALS_UNRECORDED",
				sum->reason };
	struct swn_err err;

	swn_err_clear(&err);
	if (swn_ledger_append(rt->ledger, &ev, NULL, 0, NULL, &err) < 0)
		swn_log("in: cannot record a summary of refusals (%s): %s", sum->reason, err.msg);
}

/* What one peer's refusals may cost the ledger in a minute: entries, and
 * bytes of evidence (a refused message of the agreement's largest size,
 * thirty times a minute, would otherwise be hundreds of megabytes). */
static struct swn_refusal_limits limits_of(const struct swn_agreement *a)
{
	struct swn_refusal_limits l = { SWN_DEFAULT_REFUSALS_PER_MINUTE,
					SWN_DEFAULT_REFUSED_BYTES_PER_MINUTE };

	if (a) {
		l.entries = a->max_refusals_per_minute;
		l.bytes = a->max_refused_bytes_per_minute;
	}
	return l;
}

/* May refusal r be recorded one by one now?  1 yes, and *keep says
 * whether its bytes fit this minute's evidence budget too; 0 no: it is
 * counted.  A summary that fell due is recorded first. */
static int refusal_admitted(struct swn_runtime *rt, const struct swn_refusal *r,
			    struct swn_refusal_limits lim, int *keep)
{
	struct swn_refusal_summary sum;
	int due, ok;

	pthread_mutex_lock(&refusal_lock);
	ok = swn_refusals_admit(&refusal_table, r, lim, time(NULL), keep, &sum, &due);
	pthread_mutex_unlock(&refusal_lock);
	/* Recorded without the lock: the ledger's fsync is slow. */
	if (due)
		record_summary(rt, &sum);
	return ok;
}

void swn_inbound_flush_refusals(struct swn_runtime *rt, time_t now, int all)
{
	struct swn_refusal_summary sum;
	int got;

	for (;;) {
		pthread_mutex_lock(&refusal_lock);
		got = swn_refusals_take(&refusal_table, now, all, &sum);
		pthread_mutex_unlock(&refusal_lock);
		if (!got)
			break;
		record_summary(rt, &sum);
	}
}

/* What is known about the message while it is being checked. */
struct job {
	struct swn_runtime *rt;
	const char *data;        /* the bytes, or NULL when fd holds them */
	size_t len;              /* 0 once the bytes are not to be kept */
	int fd;                  /* the file of the payload store holding them, or -1 */
	const char *tmp;         /* its temporary name ("" none) */
	unsigned char digest[32];/* their SHA-256, once have_digest */
	int have_digest;
	uint64_t body_form_bytes;/* a body-form message too large to read: its size */
	struct swn_inbound_reply *reply;
	struct swn_as4_msg m;
	const struct swn_agreement *a;
	const struct swn_agreement *tls_peer;  /* whose TLS certificate authenticated */
	char doctype[40];
	struct swn_swa_in *swa;  /* a message with MIME parts (eDelivery), else NULL */
	const char *received_reason;  /* the RECEIVED entry's reason, NULL none */
};

static int serialise(xmlDocPtr doc, struct swn_buf *out, struct swn_err *err)
{
	char *bytes;
	size_t n;
	int rc;

	if (swn_xml_to_bytes(doc, &bytes, &n, err) < 0)
		return -1;
	rc = swn_buf_add(out, bytes, n, err);
	free(bytes);
	return rc;
}

/* Sign a signal we built and put it in the reply: with the key of the
 * agreement's profile (an eDelivery 2.0 peer checks Ed25519): the
 * message's agreement once known, before that the one of the peer TLS
 * authenticated; without either, the node's body-profile key. */
static int sign_into(struct job *j, xmlDocPtr sig, struct swn_err *err)
{
	const struct swn_agreement *a = j->a ? j->a : j->tls_peer;
	const struct swn_runtime_profile *rp = a ? swn_runtime_profile(j->rt, a->profile) : NULL;
	struct swn_as4_msg m;

	if (swn_as4_parse(sig, "signal", &m, err) < 0 ||
	    swn_wssec_sign(sig, &m, rp ? rp->signer : j->rt->signer, err) < 0)
		return -1;
	return serialise(sig, &j->reply->body, err);
}

/* The peer, as authenticated (never the From a message claims). */
static const struct swn_agreement *peer_of(const struct job *j)
{
	return j->a ? j->a : j->tls_peer;
}

/* The SHA-256 of the message's bytes (hashed once). */
static const unsigned char *job_digest(struct job *j)
{
	uint64_t n = 0;

	if (!j->have_digest) {
		if (j->fd >= 0) {
			if (swn_payloads_sha256(j->fd, &n, j->digest) < 0 || n != j->len)
				memset(j->digest, 0, 32);   /* unreadable: matches no evidence */
		} else {
			SHA256((const unsigned char *)j->data, j->len, j->digest);
		}
		j->have_digest = 1;
	}
	return j->digest;
}

/* Append ev with the message's bytes as its evidence (none once j->len
 * is 0): in the database, or, for a message the listener wrote to a file
 * and over SWN_LEDGER_INLINE_EVIDENCE_BYTES, that file kept in the
 * payload store under its digest and named by the entry. */
static int append_evidence(struct job *j, const struct swn_event *ev, long long *seq,
			   struct swn_err *err)
{
	struct swn_ledger_file f;
	char *small = NULL;
	int rc;

	if (j->fd < 0 || j->len == 0)
		return swn_ledger_append(j->rt->ledger, ev, j->data, j->len, seq, err);
	if (j->len > SWN_LEDGER_INLINE_EVIDENCE_BYTES) {
		memcpy(f.digest, job_digest(j), 32);
		f.len = j->len;
		if (swn_payloads_keep(j->rt->cfg.home, j->tmp, j->fd, f.digest, err) < 0)
			return -1;
		return swn_ledger_append_file(j->rt->ledger, ev, &f, seq, err);
	}
	if (!(small = malloc(j->len)))
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	rc = swn_pread_all(j->fd, small, j->len, 0) == j->len
		     ? swn_ledger_append(j->rt->ledger, ev, small, j->len, seq, err)
		     : swn_err_set(err, SWN_E_IO, NULL, 0, "cannot read the message back");
	free(small);
	return rc;
}

/* Refuse the message: a REFUSED entry with the reason and the bytes, and
 * a signed eb:Error as the reply; past the peer's refusals for this
 * minute, HTTP 429 and a count instead. */
static void refuse(struct job *j, enum swn_ebms_error code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void refuse(struct job *j, enum swn_ebms_error code, const char *fmt, ...)
{
	struct swn_inbound_reply *r = j->reply;
	const struct swn_agreement *peer = peer_of(j);
	struct swn_event ev = { "in", peer ? peer->peer.id : "unknown", j->a ? j->a->id : "",
				j->doctype, j->m.message_id, "REFUSED", NULL };
	struct swn_refusal one = { ev.peer, peer ? peer->id : "", NULL, j->len, 0 };
	struct swn_err err;
	char reason[800];
	xmlDocPtr sig;
	va_list ap;
	int keep;

	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
	snprintf(reason, sizeof reason, "%s %s: %s", swn_ebms_code(code), swn_ebms_short(code),
		 r->reason);
	ev.reason = one.reason = reason;
	if (!refusal_admitted(j->rt, &one, limits_of(peer), &keep)) {
		r->http_status = 429;
		snprintf(r->outcome, sizeof r->outcome, "refusal not recorded");
		return;
	}
	if (!keep && j->len > 0) {
		/* Recorded without the bytes, which are named by their digest. */
		unsigned char md[32];
		char hex[65];
		int k;

		memcpy(md, job_digest(j), 32);
		for (k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", md[k]);
		snprintf(reason + strlen(reason), sizeof reason - strlen(reason),
			 " (the %zu bytes received are not kept, over the %lld bytes of refused "
			 "messages kept from this peer a minute; SHA-256 %s)",
			 j->len, limits_of(peer).bytes, hex);
		j->data = NULL;
		j->len = 0;
	}
	swn_err_clear(&err);
	if (append_evidence(j, &ev, NULL, &err) < 0) {
		/* Nothing refused goes unrecorded: without the ledger, ask the
		 * sender to come back. */
		r->http_status = 503;
		snprintf(r->outcome, sizeof r->outcome, "ledger unavailable");
		return;
	}
	snprintf(r->outcome, sizeof r->outcome, "error %s", swn_ebms_code(code));
	sig = swn_as4_build_error(j->m.message_id, j->rt->cfg.party_id, code, r->reason, &err);
	if (sig == NULL || sign_into(j, sig, &err) < 0)
		r->http_status = 500;
	xmlFreeDoc(sig);
}

/* Party ids name files and the peer of ledger entries: a From or To
 * PartyId that breaks the rule is a malformed header, refused before it is
 * used anywhere (a bad From is not even recorded as the peer's name). */
static int parties_ok(struct job *j)
{
	struct swn_as4_user *u = &j->m.user;
	int from_ok = swn_party_id_ok(u->from.id);
	char id[SWN_PARTY_BYTES];

	if (from_ok && swn_party_id_ok(u->to.id))
		return 1;
	snprintf(id, sizeof id, "%s", from_ok ? u->to.id : u->from.id);
	if (!from_ok)
		u->from.id[0] = '\0';
	refuse(j, SWN_EBMS_INVALID_HEADER, "eb:%s eb:PartyId '%s' is not allowed: a party id is "
	       SWN_PARTY_ID_RULE, from_ok ? "To" : "From", id);
	return 0;
}

/* The payload as a document of its own, for detection and validation. */
static xmlDocPtr payload_doc(xmlNodePtr payload)
{
	xmlDocPtr d = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr copy = xmlDocCopyNode(payload, d, 1);

	if (copy == NULL) {
		xmlFreeDoc(d);
		return NULL;
	}
	xmlDocSetRootElement(d, copy);
	xmlReconciliateNs(d, copy);
	return d;
}

/* Our commitment for the RECEIVED entry seq: the latest checkpoint (it
 * covers seq), the entry's time and names, and the inclusion proof. */
static int commitment(struct job *j, long long seq, struct swn_commitment *c)
{
	struct swn_proof p;
	struct swn_err err;
	const char *nl;
	uint64_t size;

	memset(c, 0, sizeof *c);
	swn_err_clear(&err);
	if (swn_ledger_checkpoint(j->rt->ledger, 0, c->note, sizeof c->note, &err) != 1 ||
	    !(nl = strchr(c->note, '\n')) ||
	    swn_ledger_entry_time(j->rt->ledger, seq, c->time, sizeof c->time, &err) != 1)
		return 0;
	size = strtoull(nl + 1, NULL, 10);
	if (size < (uint64_t)seq || swn_ledger_prove(j->rt->ledger, 1, (uint64_t)seq, size, &p, &err) < 0)
		return 0;
	c->leaf_index = seq - 1;
	snprintf(c->peer, sizeof c->peer, "%s", j->a->peer.id);
	snprintf(c->agreement, sizeof c->agreement, "%s", j->a->id);
	snprintf(c->doctype, sizeof c->doctype, "%s", j->doctype);
	if (j->received_reason) {
		/* As the ledger stores and hashes it (escape.h). */
		char *esc = swn_escape_dup(j->received_reason);

		if (esc == NULL || swn_str_copy(c->reason, sizeof c->reason, esc) < 0) {
			free(esc);
			return 0;
		}
		free(esc);
	}
	memcpy(c->path, p.path, sizeof c->path);
	c->n = p.n;
	return 1;
}

/* The signed Receipt for this message: stored, then the reply.  With seq
 * (the RECEIVED entry), it carries our checkpoint covering that entry. */
static int receipt(struct job *j, long long seq, struct swn_err *err)
{
	struct swn_event ev = { "in", j->a->peer.id, j->a->id, j->doctype, j->m.message_id,
				"RECEIPT_SENT", NULL };
	static _Thread_local struct swn_commitment c;
	int have = seq > 0 && commitment(j, seq, &c);
	xmlDocPtr sig = swn_as4_build_receipt(&j->m, j->a->local.id, have ? &c : NULL, err);
	int rc = -1;

	if (sig && sign_into(j, sig, err) == 0 &&
	    swn_ledger_append(j->rt->ledger, &ev, j->reply->body.data, j->reply->body.len,
			      NULL, err) == 0)
		rc = 0;
	xmlFreeDoc(sig);
	return rc;
}

/* Map to the domestic form and place it in spool/in, exactly once
 * (placement.h): visible only after DELIVERED_LOCAL is on disk, under the
 * seq of its RECEIVED entry.  A failure is recorded as
 * LOCAL_DELIVERY_FAILED, once in a row (redelivery tries again each pass
 * without repeating the entry).  type is the payload's type when it was
 * just validated as international, NULL to detect and validate it again
 * (redelivery from the evidence).  The caller holds the message's slot. */
static int deliver_local(struct swn_runtime *rt, const char *peer, const char *agreement,
			 const char *doctype, const char *msgid, long long seq,
			 const struct swn_doctype *type, xmlDocPtr payload)
{
	struct swn_placement d = { peer, agreement, doctype, msgid, seq, NULL, 0, rt->cfg.home,
				   NULL, NULL, 0, 0, 0 };
	char path[SWN_PATH_MAX + 200], last[32];
	struct swn_mapped mapped;
	struct swn_buf report;
	enum swn_form form;
	xmlChar *original = NULL;
	int original_len = 0;
	struct swn_err err;

	swn_err_clear(&err);
	swn_buf_init(&mapped.out, SWN_MAX_DOCUMENT_BYTES);
	swn_buf_init(&report, 0);
	/* The international document as it arrived goes beside the domestic
	 * one, with what the domestic form could not hold. */
	if (type == NULL &&
	    (swn_pipeline_validate(rt->reg, payload, "payload", NULL, NULL, &type, &form, &err) < 0 ||
	     (form != SWN_FORM_INTERNATIONAL &&
	      swn_err_set(&err, SWN_E_USAGE, "payload", 0, "not an international document") < 0)))
		goto failed;
	if (swn_pipeline_to_domestic(type, payload, "payload", &mapped, &report, &d.lost, &err) == 0) {
		int placed;

		xmlDocDumpMemoryEnc(payload, &original, &original_len, "UTF-8");
		if (original == NULL) {
			swn_err_set(&err, SWN_E_NOMEM, NULL, 0, "out of memory");
			goto failed;
		}
		d.data = mapped.out.data;
		d.len = mapped.out.len;
		d.international = original;
		d.international_len = (size_t)original_len;
		d.loss = report.data;
		d.loss_len = report.len;
		placed = swn_placement_place(rt->ledger, rt->cfg.spool_dir, &d, path, sizeof path, &err);
		swn_buf_free(&mapped.out);
		swn_buf_free(&report);
		xmlFree(original);
		original = NULL;
		if (placed == 0)
			return 0;
		if (placed == 1) {
			/* Recorded: it is placed, and becomes visible when the next
			 * redelivery (or start) finishes the rename. */
			swn_log("in %s: placed, not visible yet (finished at the next redelivery): %s",
				msgid, err.msg);
			return 0;
		}
	}
failed:
	xmlFree(original);
	swn_buf_free(&report);
	swn_buf_free(&mapped.out);
	swn_log("in %s: local delivery failed (retried later): %s", msgid, err.msg);
	{
		struct swn_event ev = { "in", peer, agreement, doctype, msgid, "LOCAL_DELIVERY_FAILED",
					err.msg };
		struct swn_err e2;

		swn_err_clear(&e2);
		if (swn_ledger_last_event(rt->ledger, "in", msgid, last, sizeof last, &e2) == 1 &&
		    strcmp(last, "LOCAL_DELIVERY_FAILED") == 0)
			return -1;
		if (swn_ledger_append(rt->ledger, &ev, NULL, 0, NULL, &e2) < 0)
			swn_log("in %s: cannot record the failed local delivery: %s", msgid, e2.msg);
	}
	return -1;
}

/* The decrypted parts of a message with MIME parts, as its RECEIVED
 * reason names them: each "TYPE: received ..., decrypted N bytes
 * sha256:HEX" without the received bytes' size and digest, in order. */
static int plaintext_parts(const char *reason, char *out, size_t n)
{
	const char *p = strchr(reason, ';');
	size_t at = 0;

	out[0] = '\0';
	while (p && (p = strstr(p, "> ")) != NULL) {
		const char *type = p + 2, *colon = strstr(type, ": received "),
			   *dec = colon ? strstr(colon, ", decrypted ") : NULL, *end;

		if (!dec)
			return -1;
		end = dec + strcspn(dec, ";");
		if (at + (size_t)(colon - type) + (size_t)(end - dec) + 2 >= n)
			return -1;
		at += (size_t)snprintf(out + at, n - at, "%.*s%.*s|", (int)(colon - type), type,
				       (int)(end - dec), dec);
		p = end;
	}
	return at > 0 ? 0 : -1;
}

/* A retry of a message with MIME parts may be encrypted again (fresh key,
 * IVs, MIME boundary): it is the same message when its verified plaintext
 * is the same, part by part, as the first one's.  (This one's signature
 * was checked over its own plaintext before it got here.) */
static int same_plaintext(struct job *j, struct swn_err *err)
{
	static _Thread_local char old[SWA_REASON_BYTES], now[SWA_REASON_BYTES];
	static _Thread_local char a[SWA_REASON_BYTES], b[SWA_REASON_BYTES];
	char *esc;
	int same;

	if (!j->swa || swn_ledger_event_reason(j->rt->ledger, "in", j->a->peer.id, j->m.message_id,
						  "RECEIVED", old, sizeof old, err) != 1)
		return 0;
	memcpy(now, "x; ", 4);
	swn_swa_in_describe(j->swa, now + 3, sizeof now - 3);
	if (!(esc = swn_escape_dup(now)))
		return 0;
	same = plaintext_parts(old, a, sizeof a) == 0 && plaintext_parts(esc, b, sizeof b) == 0 &&
	       strcmp(a, b) == 0;
	free(esc);
	return same;
}

/* A MessageId seen before: 1 handled (reply set), 0 new, -1 failure. */
static int duplicate(struct job *j, struct swn_err *err)
{
	unsigned char digest[32], mine[32];
	struct swn_ledger_source first;
	char *old = NULL;
	size_t oldlen;
	int found;

	/* Its digest is enough: the first copy may be a file of a gigabyte. */
	found = swn_ledger_evidence_open(j->rt->ledger, "in", j->a->peer.id, j->m.message_id, "RECEIVED",
					 &first, err);
	if (found <= 0)
		return found;
	memcpy(digest, first.digest, 32);
	swn_ledger_source_close(&first);
	memcpy(mine, job_digest(j), 32);
	if (memcmp(mine, digest, 32) != 0) {
		if (!same_plaintext(j, err)) {
			refuse(j, SWN_EBMS_VALUE_INCONSISTENT,
			       "MessageId %s was received before with other content", j->m.message_id);
			return 1;
		}
		/* Sent anew (signed and encrypted again): a Receipt for these
		 * bytes, whose NonRepudiationInformation the sender checks
		 * against what it signed this time; nothing is delivered again. */
		if (receipt(j, 0, err) < 0)
			return -1;
		snprintf(j->reply->outcome, sizeof j->reply->outcome, "duplicate, sent anew");
		return 1;
	}
	/* Same bytes: the original Receipt again, nothing stored twice. */
	found = swn_ledger_evidence(j->rt->ledger, "in", j->a->peer.id, j->m.message_id,
				    "RECEIPT_SENT", &old, &oldlen, NULL, err);
	if (found < 0)
		return -1;
	if (found == 1) {
		int rc = swn_buf_add(&j->reply->body, old, oldlen, err);

		free(old);
		if (rc < 0)
			return -1;
	} else if (receipt(j, 0, err) < 0) {
		return -1;  /* stored, but the receipt was lost: make one now */
	}
	snprintf(j->reply->outcome, sizeof j->reply->outcome, "duplicate");
	return 1;
}

/* The RECEIVED entry's reason for a message with MIME parts: its
 * Content-Type in base64 (no character the ledger's escaping changes, so
 * it reads back exactly), then each part as swn_swa_in_describe gives it
 * (Content-IDs and signed types, which cannot hold characters the
 * escaping changes either):
 *   "Content-Type (base64): B64; part 1 <CID> TYPE: received N bytes
 *    sha256:HEX, decrypted N bytes sha256:HEX"
 * Redelivery reads the Content-Type back, decrypts again, and must make
 * the same reason: the same parts, the same plaintext. */

static int swa_reason(const struct swn_swa_in *sw, const char *content_type, char *out, size_t n)
{
	size_t len = strlen(content_type), k = strlen(SWN_SWA_REASON_PREFIX);

	if (len > SWA_MAX_CONTENT_TYPE || n < k + 4 * ((len + 2) / 3) + 3)
		return -1;
	memcpy(out, SWN_SWA_REASON_PREFIX, k);
	k += (size_t)EVP_EncodeBlock((unsigned char *)out + k, (const unsigned char *)content_type,
				     (int)len);
	memcpy(out + k, "; ", 3);
	k += 2;
	swn_swa_in_describe(sw, out + k, n - k);
	return strlen(out) + 1 < n ? 0 : -1;   /* cut short: no reason is better */
}

/* Each decrypted part of sw into the payload store. */
static int keep_parts(struct swn_runtime *rt, const struct swn_swa_in *sw, struct swn_err *err)
{
	unsigned char md[32];
	size_t i;

	for (i = 0; i < sw->plain.nparts; i++)
		if (swn_payloads_put(rt->cfg.home, sw->plain.parts[i].fd, sw->plain.parts[i].len, md,
				     err) < 0)
			return -1;
	return 0;
}

/* The payload of a message with MIME parts: decrypted with the node's key
 * of profile p, its signature checked with one of pins (a received
 * message; npins 0 for evidence already checked when it was received),
 * and its one document parsed.  0, or -1 with *code and err. */
static int swa_payload(struct swn_runtime *rt, struct swn_swa_in *sw, xmlDocPtr doc,
		       const struct swn_as4_msg *m, const struct swn_profile_def *p,
		       X509 **pins, int npins, const char *alg, xmlDocPtr *payload,
		       enum swn_ebms_error *code, struct swn_err *err)
{
	const struct swn_runtime_profile *rp = swn_runtime_profile(rt, p);
	struct swn_buf doc_bytes;
	int i, rc;

	*payload = NULL;
	if (rp == NULL) {
		*code = SWN_EBMS_PMODE_MISMATCH;
		return swn_err_set(err, SWN_E_CONFIG, NULL, 0, "this node has no keys for profile %s",
				   p->name);
	}
	if (swn_swa_in_decrypt(sw, m, p, rp->enc_key, rt->cfg.home, code, err) < 0)
		return -1;
	for (i = 0; i < npins; i++) {
		swn_err_clear(err);
		if (swn_swa_in_verify(sw, doc, m, pins[i], alg, err) == 0)
			break;
	}
	if (npins > 0 && i == npins) {
		*code = SWN_EBMS_FAILED_AUTHENTICATION;
		return -1;
	}
	/* Checked once, when the message arrives (evidence read again was
	 * checked then): attachments are handed on only as their bytes. */
	if (npins > 0 && swn_swa_in_parts_check(sw, code, err) < 0)
		return -1;
	swn_buf_init(&doc_bytes, SWN_MAX_DOCUMENT_BYTES);
	rc = swn_swa_in_document(sw, SWN_MAX_DOCUMENT_BYTES, &doc_bytes, code, err);
	if (rc == 0 && !(*payload = swn_xml_parse(doc_bytes.data, doc_bytes.len, "payload", err)))
		rc = -1;
	swn_buf_free(&doc_bytes);
	return rc;
}

static void handle(struct job *jp, const char *content_type, X509 *client,
		   struct swn_inbound_reply *reply);

void swn_inbound_handle(struct swn_runtime *rt, const char *data, size_t len,
			const char *content_type, X509 *client, struct swn_inbound_reply *reply)
{
	struct job j;

	memset(&j, 0, sizeof j);
	j.rt = rt;
	j.data = data;
	j.len = len;
	j.fd = -1;
	j.tmp = "";
	handle(&j, content_type, client, reply);
}

void swn_inbound_handle_file(struct swn_runtime *rt, int fd, const char *tmp, uint64_t len,
			     const char *content_type, X509 *client, struct swn_inbound_reply *reply)
{
	struct job j;
	char *data = NULL;

	memset(&j, 0, sizeof j);
	j.rt = rt;
	j.fd = -1;
	j.tmp = "";
	if (swn_swa_in_is_mime(content_type)) {
		j.fd = fd;
		j.tmp = tmp ? tmp : "";
		j.len = (size_t)len;
		handle(&j, content_type, client, reply);
		return;
	}
	/* The body form is parsed whole: it is read into memory, at most a
	 * document's size (a larger one is refused by the XML reader's
	 * limit as it would be from memory). */
	if (len > SWN_MAX_DOCUMENT_BYTES) {
		j.data = "";
		j.len = 0;
		j.body_form_bytes = len;
		handle(&j, content_type, client, reply);
		return;
	}
	if (len > 0 && (!(data = malloc((size_t)len)) || swn_pread_all(fd, data, (size_t)len, 0) != len)) {
		free(data);
		memset(reply, 0, sizeof *reply);
		swn_buf_init(&reply->body, SWN_MAX_DOCUMENT_BYTES);
		reply->http_status = 503;
		snprintf(reply->outcome, sizeof reply->outcome, "cannot read the message back");
		return;
	}
	j.data = data ? data : "";
	j.len = (size_t)len;
	handle(&j, content_type, client, reply);
	free(data);
}

static void handle(struct job *jp, const char *content_type, X509 *client,
		   struct swn_inbound_reply *reply)
{
	struct swn_runtime *rt = jp->rt;
	const char *data = jp->data;
	size_t len = jp->len;
	struct job j = *jp;
	struct swn_err err;
	const struct swn_doctype *type;
	const struct swn_agreement_doc *entry;
	enum swn_form form;
	X509 *pins[SWN_MAX_PINS];
	xmlDocPtr doc = NULL, payload = NULL;
	char why[400];
	int npins, i, dup, slot = -1;
	long long seq = 0;
	time_t now = time(NULL), stamp;
	static _Thread_local char reason_buf[SWA_REASON_BYTES];

	memset(reply, 0, sizeof *reply);
	swn_buf_init(&reply->body, SWN_MAX_DOCUMENT_BYTES);
	reply->http_status = 200;
	j.reply = reply;
	swn_err_clear(&err);
	swn_runtime_agreements_lock(rt);
	/* Who is sending is known from TLS before a byte is parsed. */
	j.tls_peer = client ? swn_runtime_find(rt, client, NULL, NULL) : NULL;

	if (swn_swa_in_is_mime(content_type) && strlen(content_type) > SWA_MAX_CONTENT_TYPE) {
		refuse(&j, SWN_EBMS_OTHER, "the Content-Type is %zu bytes; this node takes at most %d",
		       strlen(content_type), SWA_MAX_CONTENT_TYPE);
		goto done;
	} else if (swn_swa_in_is_mime(content_type)) {
		/* SOAP with Attachments: the MIME message, then its envelope. */
		if (!(j.swa = calloc(1, sizeof *j.swa))) {
			reply->http_status = 503;
			snprintf(reply->outcome, sizeof reply->outcome, "out of memory");
			goto done;
		}
		if ((j.fd >= 0 ? swn_swa_in_read_fd(j.swa, content_type, j.fd, j.len, &doc, &j.m, &err)
			       : swn_swa_in_read(j.swa, content_type, data, len, &doc, &j.m, &err)) < 0) {
			refuse(&j, doc ? SWN_EBMS_INVALID_HEADER : SWN_EBMS_OTHER, "%s", err.msg);
			goto done;
		}
	} else if (j.body_form_bytes > SWN_MAX_DOCUMENT_BYTES) {
		refuse(&j, SWN_EBMS_OTHER, "the message is %llu bytes in the body form; this node reads "
		       "at most %u so (the MIME form streams)", (unsigned long long)j.body_form_bytes,
		       SWN_MAX_DOCUMENT_BYTES);
		goto done;
	} else if (!(doc = swn_xml_parse(data, len, "message", &err))) {
		refuse(&j, SWN_EBMS_OTHER, "%s", err.msg);
		goto done;
	} else if (swn_as4_parse(doc, "message", &j.m, &err) < 0) {
		refuse(&j, SWN_EBMS_INVALID_HEADER, "%s", err.msg);
		goto done;
	}
	snprintf(reply->msgid, sizeof reply->msgid, "%s", j.m.message_id);
	if (j.m.kind != SWN_AS4_USER_MESSAGE) {
		refuse(&j, SWN_EBMS_PMODE_MISMATCH,
		       "signals are answered on the connection that carried the message; a pushed signal is not accepted");
		goto done;
	}
	if (!parties_ok(&j))
		goto done;
	/* The agreement is the authenticated peer's; the message may only
	 * narrow it down by AgreementRef. */
	j.a = swn_runtime_find(rt, client, NULL, j.m.user.agreement_ref);
	if (j.a == NULL) {
		refuse(&j, SWN_EBMS_PMODE_MISMATCH,
		       "no agreement%s%s with the peer that authenticated with this TLS certificate",
		       j.m.user.agreement_ref[0] ? " " : "", j.m.user.agreement_ref);
		goto done;
	}
	/* A suspended or ended agreement carries nothing: refused before any
	 * more work, and its bytes are not kept (the peer is known by its TLS
	 * certificate, but has no agreement to fill the ledger under). */
	if (!swn_agreement_in_force(j.a, now, why, sizeof why)) {
		j.data = NULL;
		j.len = 0;
		refuse(&j, SWN_EBMS_PMODE_MISMATCH, "%s", why);
		goto done;
	}
	if (strcmp(j.m.user.from.id, j.a->peer.id) != 0 ||
	    strcmp(j.m.user.from.type, j.a->peer.type) != 0) {
		const struct swn_agreement *a = j.a;

		refuse(&j, SWN_EBMS_FAILED_AUTHENTICATION,
		       "From %s (type %s) is not the authenticated peer %s (type %s)", j.m.user.from.id,
		       j.m.user.from.type[0] ? j.m.user.from.type : "none", a->peer.id, a->peer.type);
		goto done;
	}
	if ((long long)len > j.a->max_message_bytes) {
		/* Bytes the agreement does not allow are not kept either. */
		j.data = NULL;
		j.len = 0;
		refuse(&j, SWN_EBMS_PMODE_MISMATCH, "the message is %zu bytes; agreement %s allows %lld",
		       len, j.a->id, j.a->max_message_bytes);
		goto done;
	}
	/* The profile is the agreement's, never the message's choice. */
	if (j.a->profile->id != SWN_PROFILE_BODY && !j.swa) {
		refuse(&j, SWN_EBMS_PMODE_MISMATCH,
		       "agreement %s uses AS4 profile %s: each payload travels compressed and "
		       "encrypted in its own MIME part (multipart/related), not in the SOAP Body",
		       j.a->id, j.a->profile->name);
		goto done;
	}
	if (j.a->profile->id == SWN_PROFILE_BODY && j.swa) {
		refuse(&j, SWN_EBMS_PMODE_MISMATCH,
		       "agreement %s uses AS4 profile body: the payload travels in the signed SOAP "
		       "Body, not in MIME parts", j.a->id);
		goto done;
	}
	if (over_rate(j.a, now)) {
		/* Flow control, not a refusal: the sender tries again later. */
		reply->http_status = 429;
		snprintf(reply->outcome, sizeof reply->outcome, "rate limited");
		goto done;
	}
	npins = swn_agreement_pins_at(j.a, now, pins);
	if (npins == 0) {
		swn_agreement_no_pin_why(j.a, now, why, sizeof why);
		refuse(&j, SWN_EBMS_FAILED_AUTHENTICATION,
		       "agreement %s accepts no signing certificate now: %s", j.a->id, why);
		goto done;
	}
	if (j.swa) {
		enum swn_ebms_error code;

		/* Decrypted first, as AS4 signs the plaintext: its cost before
		 * authentication is bounded by the agreement's size (above). */
		swn_err_clear(&err);
		if (swa_payload(rt, j.swa, doc, &j.m, j.a->profile, pins, npins, j.a->inbound_alg,
				&payload, &code, &err) < 0) {
			refuse(&j, code, "%s", err.msg);
			goto done;
		}
	} else {
		for (i = 0; i < npins; i++) {
			swn_err_clear(&err);
			if (swn_wssec_verify(doc, &j.m, pins[i], j.a->inbound_alg, NULL, &err) == 0)
				break;
		}
		if (i == npins) {
			refuse(&j, SWN_EBMS_FAILED_AUTHENTICATION, "%s", err.msg);
			goto done;
		}
	}
	/* From here on only the signed eb:Messaging and soap:Body are read. */
	if (strcmp(j.m.user.to.id, j.a->local.id) != 0 || strcmp(j.m.user.to.type, j.a->local.type) != 0) {
		refuse(&j, SWN_EBMS_PMODE_MISMATCH, "To %s is not this node (%s)",
		       j.m.user.to.id, j.a->local.id);
		goto done;
	}
	/* Retries resend the first bytes, so only a time from the future is
	 * suspicious: more than the agreement's clock skew ahead of ours. */
	if (swn_time_parse(j.m.user.timestamp, &stamp) < 0) {
		refuse(&j, SWN_EBMS_INVALID_HEADER, "eb:Timestamp '%s' is not a UTC xsd:dateTime",
		       j.m.user.timestamp);
		goto done;
	}
	if (stamp > now + j.a->max_clock_skew) {
		refuse(&j, SWN_EBMS_INVALID_HEADER,
		       "eb:Timestamp %s is more than %d s ahead of this node's clock", j.m.user.timestamp,
		       j.a->max_clock_skew);
		goto done;
	}
	if (!payload && !(payload = payload_doc(j.m.payload))) {
		refuse(&j, SWN_EBMS_OTHER, "out of memory");
		goto done;
	}
	swn_err_clear(&err);
	if (!(type = swn_registry_detect(rt->reg, payload, "payload", &form, &err)) ||
	    form != SWN_FORM_INTERNATIONAL) {
		refuse(&j, SWN_EBMS_PMODE_MISMATCH, "%s",
		       type ? "the payload is a domestic document; peers send the international form"
			    : err.msg);
		goto done;
	}
	snprintf(j.doctype, sizeof j.doctype, "%s", swn_doctype_id(type));
	entry = swn_agreement_doc(j.a, j.doctype);
	if (entry == NULL || !entry->in) {
		refuse(&j, SWN_EBMS_PMODE_MISMATCH, "agreement %s does not allow receiving %s documents",
		       j.a->id, j.doctype);
		goto done;
	}
	if (strcmp(entry->service, j.m.user.service) != 0 || strcmp(entry->action, j.m.user.action) != 0) {
		refuse(&j, SWN_EBMS_PMODE_MISMATCH,
		       "Service %s / Action %s do not match agreement %s for %s (%s / %s)",
		       j.m.user.service, j.m.user.action, j.a->id, j.doctype, entry->service, entry->action);
		goto done;
	}
	/* A MessageId this node issued names one of its own exchanges: a peer
	 * reusing it would mix its message into that exchange's evidence. */
	{
		char last[32];
		int ours;

		swn_err_clear(&err);
		ours = swn_ledger_last_event(rt->ledger, "out", j.m.message_id, last, sizeof last, &err);
		if (ours < 0) {
			reply->http_status = 503;
			snprintf(reply->outcome, sizeof reply->outcome, "ledger unavailable");
			goto done;
		}
		if (ours) {
			refuse(&j, SWN_EBMS_VALUE_INCONSISTENT,
			       "MessageId %s was issued by this node for a message it sent; another message may not reuse it",
			       j.m.message_id);
			goto done;
		}
	}
	slot = busy_enter(j.a->peer.id, j.m.message_id);
	swn_err_clear(&err);
	if ((dup = duplicate(&j, &err)) != 0) {
		if (dup < 0)
			reply->http_status = 503;
		goto done;
	}
	swn_err_clear(&err);
	if (swn_doctype_validate(type, SWN_FORM_INTERNATIONAL, payload, "payload", NULL, NULL, &err) < 0) {
		refuse(&j, SWN_EBMS_OTHER, "the %s document is not valid: line %ld: %s", j.doctype,
		       err.line, err.msg);
		goto done;
	}
	swn_err_clear(&err);
	if (entry->rules && swn_rules_check(entry->rules, payload, "payload", NULL, NULL, &err) < 0) {
		refuse(&j, SWN_EBMS_OTHER, "the %s document does not meet agreement %s: line %ld: %s",
		       j.doctype, j.a->id, err.line, err.msg);
		goto done;
	}
	{
		struct swn_event ev = { "in", j.a->peer.id, j.a->id, j.doctype, j.m.message_id,
					"RECEIVED", NULL };

		/* The parts' digests, received and decrypted, beside the bytes;
		 * the Content-Type that reads them again. */
		if (j.swa) {
			if (swa_reason(j.swa, content_type, reason_buf, sizeof reason_buf) < 0) {
				refuse(&j, SWN_EBMS_OTHER, "the parts' description does not fit the ledger");
				goto done;
			}
			ev.reason = j.received_reason = reason_buf;
			/* The plaintext the signature covers, kept before the
			 * entry that names it (payloads.h). */
			if (keep_parts(rt, j.swa, &err) < 0) {
				swn_log("in %s from %s: cannot keep its payload parts: %s",
					j.m.message_id, j.a->peer.id, err.msg);
				reply->http_status = 503;
				snprintf(reply->outcome, sizeof reply->outcome, "payload store unavailable");
				goto done;
			}
		}
		swn_err_clear(&err);
		if (append_evidence(&j, &ev, &seq, &err) < 0) {
			reply->http_status = 503;
			snprintf(reply->outcome, sizeof reply->outcome, "ledger unavailable");
			goto done;
		}
	}
	swn_err_clear(&err);
	if (receipt(&j, seq, &err) < 0) {
		/* Stored: the sender's retry gets a receipt. */
		reply->http_status = 503;
		swn_buf_free(&reply->body);
		snprintf(reply->outcome, sizeof reply->outcome, "receipt failed");
		goto done;
	}
	snprintf(reply->outcome, sizeof reply->outcome, "receipt");
	deliver_local(rt, j.a->peer.id, j.a->id, j.doctype, j.m.message_id, seq, type, payload);
done:
	if (slot >= 0)
		busy_leave(slot);
	swn_runtime_agreements_unlock(rt);
	xmlFreeDoc(payload);
	xmlFreeDoc(doc);
	if (j.swa) {
		swn_swa_in_free(j.swa);
		free(j.swa);
	}
}

void swn_inbound_refused_http(struct swn_runtime *rt, X509 *client, int status,
			      const char *reason)
{
	const struct swn_agreement *a;
	struct swn_event ev = { "in", "unknown", "", "", "", "REFUSED", NULL };
	char text[600];
	struct swn_err err;
	char peer[SWN_PARTY_BYTES] = "unknown", agreement[SWN_MAX_ID_LEN + 1] = "";
	struct swn_refusal one = { peer, agreement, text, 0, 1 };
	struct swn_refusal_limits lim = limits_of(NULL);
	int keep;

	snprintf(text, sizeof text, "HTTP %d: %s", status, reason);
	ev.reason = text;
	/* Names copied, so that no lock is held across the ledger's fsync. */
	swn_runtime_agreements_lock(rt);
	if (client && (a = swn_runtime_find(rt, client, NULL, NULL))) {
		snprintf(peer, sizeof peer, "%s", a->peer.id);
		snprintf(agreement, sizeof agreement, "%s", a->id);
		lim = limits_of(a);
	}
	swn_runtime_agreements_unlock(rt);
	ev.peer = peer;
	ev.agreement = agreement;
	/* Counted past the limit: the request keeps the status that refused it. */
	if (!refusal_admitted(rt, &one, lim, &keep))
		return;
	swn_err_clear(&err);
	if (swn_ledger_append(rt->ledger, &ev, NULL, 0, NULL, &err) < 0)
		swn_log("in: cannot record a refusal (%s): %s", text, err.msg);
}

/* ---- redelivery of received documents not yet in spool/in ---- */

int swn_inbound_hold(const char *peer, const char *msgid)
{
	return busy_enter(peer, msgid);
}

void swn_inbound_release(int slot)
{
	busy_leave(slot);
}

struct redeliver_ctx {
	struct swn_runtime *rt;
	int done, failed;
	long long last;          /* the last RECEIVED seq listed */
	long long first_failed;  /* the first that could not be placed (0: none) */
};

/* The payload of a RECEIVED entry's evidence: the body form's soap:Body,
 * or, when the entry's reason gives the MIME form's Content-Type, the part
 * decrypted again with the node's key (of whichever of its profiles reads
 * it: the signature was checked when the message came). */
static int evidence_payload(struct swn_runtime *rt, const struct swn_ledger_source *src,
			    const char *reason, xmlDocPtr *doc, xmlDocPtr *payload,
			    struct swn_err *err)
{
	const char *bytes = src->bytes;
	size_t len = (size_t)src->len;

	static _Thread_local char ctype[SWA_MAX_CONTENT_TYPE + 1];
	struct swn_as4_msg m;
	int i, rc = -1;

	*doc = *payload = NULL;
	if (!swn_swa_reason_content_type(reason, ctype, sizeof ctype)) {
		if (bytes == NULL)   /* only the MIME form is kept in a file */
			return swn_err_set(err, SWN_E_AS4, NULL, 0, "the evidence in payloads/ is not "
					   "in the MIME form its entry names");
		if (!(*doc = swn_xml_parse(bytes, len, "evidence", err)) ||
		    swn_as4_parse(*doc, "evidence", &m, err) < 0)
			return -1;
		if (!(*payload = payload_doc(m.payload)))
			return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		return 0;
	}
	for (i = 0; i < rt->nprofiles && rc < 0; i++) {
		struct swn_swa_in *sw = calloc(1, sizeof *sw);
		enum swn_ebms_error code;

		if (sw == NULL)
			return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		xmlFreeDoc(*doc);
		*doc = NULL;
		swn_err_clear(err);
		if ((src->fd >= 0 ? swn_swa_in_read_fd(sw, ctype, src->fd, src->len, doc, &m, err)
				  : swn_swa_in_read(sw, ctype, bytes, len, doc, &m, err)) == 0)
			rc = swa_payload(rt, sw, *doc, &m, rt->profiles[i].profile, NULL, 0, NULL,
					 payload, &code, err);
		/* The signature was checked on these parts' plaintext: only the
		 * same parts and the same plaintext are delivered. */
		if (rc == 0) {
			char *again = malloc(SWA_REASON_BYTES), *stored = NULL;

			if (!again || swa_reason(sw, ctype, again, SWA_REASON_BYTES) < 0 ||
			    !(stored = swn_escape_dup(again)) || strcmp(stored, reason) != 0) {
				swn_err_set(err, SWN_E_AS4, NULL, 0, "the evidence does not decrypt to the "
					    "parts its RECEIVED entry names");
				xmlFreeDoc(*payload);
				*payload = NULL;
				rc = -1;
			}
			free(again);
			free(stored);
		}
		swn_swa_in_free(sw);
		free(sw);
	}
	if (rt->nprofiles == 0)
		swn_err_set(err, SWN_E_CONFIG, NULL, 0, "this node has no profile keys to read the "
			    "message's parts with");
	return rc;
}

/* 1 if payload is an international document of the type the RECEIVED
 * entry recorded (what the agreement allowed when it came); else 0, err. */
static int recorded_type(struct swn_runtime *rt, xmlDocPtr payload, const char *doctype,
			 struct swn_err *err)
{
	const struct swn_doctype *t;
	enum swn_form form;

	if (!(t = swn_registry_detect(rt->reg, payload, "payload", &form, err)))
		return 0;
	if (form != SWN_FORM_INTERNATIONAL || strcmp(swn_doctype_id(t), doctype) != 0) {
		swn_err_set(err, SWN_E_AS4, NULL, 0, "the evidence holds a %s document, not the "
			    "international %s it was received as", swn_doctype_id(t), doctype);
		return 0;
	}
	return 1;
}

static void redeliver_one(void *arg, long long seq, const char *time, const char *dir,
			  const char *peer, const char *agreement, const char *doctype,
			  const char *msgid, const char *event, const char *reason)
{
	struct redeliver_ctx *c = arg;
	struct swn_err err;
	xmlDocPtr doc = NULL, payload = NULL;
	struct swn_ledger_source src = { NULL, -1, 0, { 0 } };

	static _Thread_local struct swn_ledger_placed placed;
	int slot, state;

	(void)time; (void)dir; (void)event;
	swn_err_clear(&err);
	c->last = seq;
	/* The message's slot, as a worker receiving it holds it: the two never
	 * place one message at once, and what the list said is looked at
	 * again under it. */
	slot = busy_enter(peer, msgid);
	state = swn_ledger_placement(c->rt->ledger, seq, &placed, &err);
	if (state == 2) {
		busy_leave(slot);
		return;
	}
	if (state < 0 ||
	    swn_ledger_evidence_open(c->rt->ledger, "in", peer, msgid, "RECEIVED", &src, &err) != 1 ||
	    swn_ledger_source_check(c->rt->ledger, &src, &err) < 0 ||
	    evidence_payload(c->rt, &src, reason, &doc, &payload, &err) < 0 ||
	    !recorded_type(c->rt, payload, doctype, &err)) {
		/* Not this evidence's fault alone to stay silent about. */
		swn_log("in %s: cannot deliver from the evidence: %s", msgid, err.msg);
		c->failed++;
		if (c->first_failed == 0)
			c->first_failed = seq;
	} else if (deliver_local(c->rt, peer, agreement, doctype, msgid, seq, NULL, payload) < 0) {
		c->failed++;
		if (c->first_failed == 0)
			c->first_failed = seq;
	} else {
		c->done++;
	}
	busy_leave(slot);
	xmlFreeDoc(payload);
	xmlFreeDoc(doc);
	swn_ledger_source_close(&src);
}

/* A placement recorded but left hidden (its rename failed, or the node
 * stopped before it): finished under the message's slot, so that it
 * meets neither a placement nor an acknowledgement of the same message. */
struct finish_ctx {
	struct swn_runtime *rt;
	int finished;
};

static void finish_one(void *arg, long long seq)
{
	static _Thread_local struct swn_ledger_placed p;
	struct finish_ctx *c = arg;
	enum swn_finish what;
	struct swn_err err;
	int slot;

	swn_err_clear(&err);
	if (swn_ledger_placement(c->rt->ledger, seq, &p, &err) != 2)
		return;   /* unrecorded: under way, or removed at the next start */
	slot = busy_enter(p.peer, p.msgid);
	if (swn_placement_finish(c->rt->ledger, c->rt->cfg.spool_dir, c->rt->cfg.home, seq, 0, &what,
				 &err) < 0)
		swn_log("in %s: the placed document is still not visible: %s", p.msgid, err.msg);
	else if (what == SWN_FINISH_REVEALED)
		c->finished++;
	else if (what == SWN_FINISH_FOREIGN)
		swn_log("in %s: spool/in/.placing-%lld was not the document placed: removed", p.msgid, seq);
	busy_leave(slot);
}

/* Received documents up to here are all placed (or failing before it):
 * each pass starts after it, so that a long ledger is not read again
 * and again, and a thousand documents that keep failing do not hide the
 * ones after them. */
static pthread_mutex_t redeliver_lock = PTHREAD_MUTEX_INITIALIZER;
static long long placed_below;

long long swn_inbound_placed_below(void)
{
	long long v;

	pthread_mutex_lock(&redeliver_lock);
	v = placed_below;
	pthread_mutex_unlock(&redeliver_lock);
	return v;
}

int swn_inbound_redeliver(struct swn_runtime *rt, int *done, int *failed, struct swn_err *err)
{
	struct redeliver_ctx c = { rt, 0, 0, 0, 0 };
	struct finish_ctx f = { rt, 0 };
	int n;

	long long size;

	pthread_mutex_lock(&redeliver_lock);
	/* Every RECEIVED up to size that the pages do not list was placed. */
	size = (long long)swn_ledger_size(rt->ledger);
	c.last = placed_below;
	do {
		n = swn_ledger_undelivered(rt->ledger, c.last, redeliver_one, &c, err);
	} while (n == SWN_LEDGER_PAGE);
	if (n >= 0)
		placed_below = c.first_failed ? c.first_failed - 1 : c.last > size ? c.last : size;
	pthread_mutex_unlock(&redeliver_lock);
	if (n >= 0 && swn_placement_pending(rt->cfg.spool_dir, finish_one, &f, err) < 0)
		n = -1;
	*done = c.done + f.finished;
	*failed = c.failed;
	return n < 0 ? -1 : 0;
}

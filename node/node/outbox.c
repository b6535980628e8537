/* outbox.c - submit, deliver, retry, resend; see outbox.h. */
#include "autoconfig.h"

#include <pthread.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>
#include <sqlite3.h>

#include "as4/as4.h"
#include "trust/checkpoint.h"
#include "as4/compose.h"
#include "as4/dsig.h"
#include "as4/mime.h"
#include "ledger/payloads.h"
#include "node/node/swa_in.h"
#include "as4/xenc.h"
#include "base/escape.h"
#include "ledger/merkle.h"
#include "net/http_out.h"
#include "base/log.h"
#include "node/node/outbox.h"
#include "base/swn_limits.h"
#include "as4/wssec.h"
#include "xml/xmlout.h"
#include "xml/xmlsafe.h"

struct swn_outbox {
	struct swn_runtime *rt;
	sqlite3 *db;
	pthread_mutex_t lock;
	swn_outbox_watch_fn watch;
	void *watch_ctx;
	/* Prepared once: every delivery runs them (under lock). */
	sqlite3_stmt *st_claim, *st_due, *st_next, *st_get, *st_names;
};

/* The statement sql, prepared on first use and kept; reset after each use
 * (stmt_done).  NULL if it cannot be prepared. */
static sqlite3_stmt *stmt(struct swn_outbox *o, sqlite3_stmt **st, const char *sql)
{
	if (*st == NULL &&
	    sqlite3_prepare_v3(o->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return *st;
}

static void stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

void swn_outbox_set_watch(struct swn_outbox *o, swn_outbox_watch_fn fn, void *ctx)
{
	pthread_mutex_lock(&o->lock);
	o->watch = fn;
	o->watch_ctx = ctx;
	pthread_mutex_unlock(&o->lock);
}

static int db_err(struct swn_outbox *o, const char *what, struct swn_err *err)
{
	return swn_err_set(err, SWN_E_DB, o->rt->cfg.ledger_db, 0, "%s: %s", what,
			   swn_ledger_errmsg(o->db));
}

int swn_outbox_open(struct swn_runtime *rt, struct swn_outbox **out, struct swn_err *err)
{
	struct swn_outbox *o = calloc(1, sizeof *o);

	*out = NULL;
	if (o == NULL)
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	o->rt = rt;
	pthread_mutex_init(&o->lock, NULL);
	if (sqlite3_open_v2(rt->cfg.ledger_db, &o->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(o->db, 10000) != SQLITE_OK ||
	    sqlite3_exec(o->db, "PRAGMA synchronous=FULL;", NULL, NULL, NULL) != SQLITE_OK) {
		db_err(o, "cannot open the outbox", err);
		swn_outbox_close(o);
		return -1;
	}
	*out = o;
	return 0;
}

void swn_outbox_close(struct swn_outbox *o)
{
	if (o == NULL)
		return;
	sqlite3_finalize(o->st_claim);
	sqlite3_finalize(o->st_due);
	sqlite3_finalize(o->st_next);
	sqlite3_finalize(o->st_get);
	sqlite3_finalize(o->st_names);
	sqlite3_close(o->db);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

/* Run one statement with text/int parameters ("t" text, "i" int64). */
static int exec(struct swn_outbox *o, const char *sql, const char *types,
		const void *const *args, struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int i, rc = -1;

	pthread_mutex_lock(&o->lock);
	if (sqlite3_prepare_v2(o->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; types[i]; i++) {
		if (types[i] == 't')
			sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(st, i + 1, *(const long long *)args[i]);
	}
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
out:
	if (rc < 0)
		db_err(o, "outbox", err);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&o->lock);
	return rc;
}

static int set_state(struct swn_outbox *o, const char *msgid, const char *state,
		     long long attempts, long long next, const char *last_error,
		     struct swn_err *err)
{
	/* Stored escaped, as the ledger stores it (escape.h). */
	char last[SWN_ESCAPED_SIZE(1300)];
	const void *args[] = { state, &attempts, &next, last, msgid };
	int rc;

	swn_escape(last, sizeof last, last_error ? last_error : "");
	rc = exec(o, "UPDATE outbox SET state = ?, attempts = ?, next_attempt = ?, last_error = ?"
		     " WHERE msgid = ?", "tiitt", args, err);

	if (rc < 0)
		swn_log("out %s: cannot update the outbox to %s: %s", msgid, state, err->msg);
	return rc;
}

/* ---- submit ---- */

static const struct swn_agreement *agreement_for(struct swn_runtime *rt, const char *to,
						 const char *doctype, time_t now,
						 char *why, size_t n)
{
	const struct swn_agreement *a, *any = NULL;
	int i;

	why[0] = '\0';
	for (i = 0; i < rt->nagreements; i++) {
		const struct swn_agreement_doc *d;

		a = rt->agreements[i];
		if (strcmp(a->peer.id, to) != 0)
			continue;
		any = a;
		if (!swn_agreement_in_force(a, now, why, n))
			continue;
		d = swn_agreement_doc(a, doctype);
		if (d && d->out)
			return a;
		snprintf(why, n, "agreement %s does not allow sending %s documents", a->id, doctype);
	}
	if (any == NULL)
		snprintf(why, n, "no agreement with party %s in %s", to, rt->cfg.peers_dir);
	return NULL;
}

static int submit(struct swn_outbox *o, xmlDocPtr doc, const unsigned char sha256[32],
		  const char *name, const char *to, const struct swn_compose_attachment *att,
		  size_t natt, const char *want, char *msgid, size_t n, struct swn_err *err);

/* Does an agreement in force with party `to` let doctype out?  (compose.h) */
struct carries {
	struct swn_runtime *rt;
	const char *to;
	time_t now;
};

static int peer_carries(void *ctx, const char *doctype)
{
	struct carries *c = ctx;
	char why[1500];
	int yes;

	swn_runtime_agreements_lock(c->rt);
	yes = agreement_for(c->rt, c->to, doctype, c->now, why, sizeof why) != NULL;
	swn_runtime_agreements_unlock(c->rt);
	return yes;
}

int swn_outbox_submit(struct swn_outbox *o, xmlDocPtr doc, const unsigned char sha256[32],
		      const char *name, const char *to, char *msgid, size_t n, struct swn_err *err)
{
	return submit(o, doc, sha256, name, to, NULL, 0, NULL, msgid, n, err);
}

int swn_outbox_submit_attached(struct swn_outbox *o, xmlDocPtr doc, const unsigned char sha256[32],
			       const char *name, const char *to,
			       const struct swn_compose_attachment *att, size_t natt,
			       char *msgid, size_t n, struct swn_err *err)
{
	return submit(o, doc, sha256, name, to, att, natt, NULL, msgid, n, err);
}

/* The SUBMITTED entry's reason: the document as it was handed in. */
static void document_reason(const unsigned char sha256[32], char *out, size_t n)
{
	size_t i, at = (size_t)snprintf(out, n, "document sha256:");

	for (i = 0; i < 32 && at + 2 < n; i++, at += 2)
		snprintf(out + at, n - at, "%02x", sha256[i]);
}

/* After document_reason, the part kept in the payload store, in the words
 * swn_swa_reason_parts reads (swa_in.h). */
static void describe_kept(unsigned part, const struct swn_compose_kept *k, const unsigned char md[32],
			  char *out, size_t n)
{
	size_t i, at = strlen(out);

	if (at >= n)
		return;
	at += (size_t)snprintf(out + at, n - at, "; part %u <%s> %s: plaintext %llu bytes sha256:",
			       part, k->cid, k->mime_type, (unsigned long long)k->len);
	if (at >= n)
		return;
	for (i = 0; i < 32 && at + 2 < n; i++, at += 2)
		snprintf(out + at, n - at, "%02x", md[i]);
}

/* What the ledger says of an outbound message's SUBMITTED entry. */
struct first_submission {
	int found;
	char peer[SWN_PARTY_BYTES];
	char reason[96];
};

static void keep_submitted(void *ctx, long long seq, const char *time, const char *direction,
			   const char *peer, const char *agreement, const char *doctype,
			   const char *msgid, const char *event, const char *reason)
{
	struct first_submission *f = ctx;

	(void)seq; (void)time; (void)agreement; (void)doctype; (void)msgid;
	if (f->found || strcmp(direction, "out") != 0 || strcmp(event, "SUBMITTED") != 0)
		return;
	f->found = 1;
	snprintf(f->peer, sizeof f->peer, "%s", peer);
	snprintf(f->reason, sizeof f->reason, "%s", reason ? reason : "");
}

enum { FIRST_NONE, FIRST_SAME, FIRST_OTHER };

/* Was once->msgid submitted before, and with this document to this party?
 * FIRST_NONE, FIRST_SAME (once->repeated set), FIRST_OTHER (err says what
 * differs, SWN_E_EXISTS), or -1 when the ledger cannot tell. */
static int look_for_first(struct swn_outbox *o, const char *token, const char *to,
			  const unsigned char sha256[32], struct swn_once *once, struct swn_err *err)
{
	struct first_submission f;
	char want[sizeof f.reason];
	int other_doc, other_to;

	memset(&f, 0, sizeof f);
	if (swn_ledger_history(o->rt->ledger, once->msgid, keep_submitted, &f, err) < 0)
		return -1;
	if (!f.found)
		return FIRST_NONE;
	document_reason(sha256, want, sizeof want);
	/* A SUBMITTED entry without the document's digest (recorded by an
	 * earlier version) can only be judged by its destination; what
	 * follows the digest describes the parts of one composition. */
	other_doc = f.reason[0] != '\0' && (strncmp(f.reason, want, strlen(want)) != 0 ||
					     (f.reason[strlen(want)] != '\0' && f.reason[strlen(want)] != ';'));
	other_to = strcmp(f.peer, to) != 0;
	if (!other_doc && !other_to) {
		once->repeated = 1;
		return FIRST_SAME;
	}
	once->differs = other_doc && other_to ? "document and destination" : other_doc ? "document" : "destination";
	snprintf(once->first_to, sizeof once->first_to, "%s", f.peer);
	swn_err_set(err, SWN_E_EXISTS, NULL, 0,
		    "id '%s' is message %s, submitted to %s; this request differs in its %s: "
		    "another submission needs another id", token, once->msgid, f.peer, once->differs);
	return FIRST_OTHER;
}

int swn_outbox_submit_once(struct swn_outbox *o, xmlDocPtr doc, const unsigned char sha256[32],
			   const char *name, const char *to, const char *token, struct swn_once *once,
			   struct swn_err *err)
{
	char id[SWN_AS4_ID_BYTES];
	struct swn_err failed;
	const char *at;
	int first;

	memset(once, 0, sizeof *once);
	/* "<token>@<party>", the party as swn_as4_new_id() writes it. */
	swn_as4_new_id(o->rt->cfg.party_id, id, sizeof id);
	at = strchr(id, '@');
	if (snprintf(once->msgid, sizeof once->msgid, "%s%s", token, at ? at : "") >= (int)sizeof once->msgid)
		return swn_err_set(err, SWN_E_TOO_LARGE, name, 0, "submission token too long");
	/* Recorded before (a crash or a lost reply hid it): the same request
	 * is done already, another one is refused. */
	first = look_for_first(o, token, to, sha256, once, err);
	if (first != FIRST_NONE)
		return first == FIRST_SAME ? 0 : -1;
	snprintf(id, sizeof id, "%s", once->msgid);
	swn_err_clear(&failed);
	if (submit(o, doc, sha256, name, to, NULL, 0, id, once->msgid, sizeof once->msgid, &failed) == 0)
		return 0;
	/* The check above and the record are not one step: a concurrent
	 * submission of the same id may have come between.  The outbox's
	 * unique MessageId let only one of them record; the others find it
	 * now and are answered as a repeat or a conflict. */
	if (failed.code == SWN_E_DB) {
		struct swn_err again;

		swn_err_clear(&again);
		first = look_for_first(o, token, to, sha256, once, &again);
		if (first == FIRST_SAME)
			return 0;
		if (first == FIRST_OTHER)
			failed = again;
	}
	*err = failed;
	return -1;
}

/* The eDelivery form of u and p (with natt attachments) under agreement
 * a's profile, composed into a file of the payload store, its plaintext
 * parts kept there and described after the reason in document (size dn);
 * the message itself, over SWN_LEDGER_INLINE_EVIDENCE_BYTES, kept there
 * too (*file filled, *bytes NULL), else read into *bytes.  Called with the
 * agreements locked; unlocks them. */
static int compose_edelivery(struct swn_runtime *rt, const struct swn_agreement *a,
			     const struct swn_as4_user *u, const struct swn_payload *p,
			     const struct swn_compose_attachment *att, size_t natt, const char *name,
			     char *document, size_t dn, char **bytes, size_t *len,
			     struct swn_ledger_file *file, int *in_file, struct swn_err *err)
{
	const struct swn_runtime_profile *rp = swn_runtime_profile(rt, a->profile);
	struct swn_compose_kept kept[1 + SWN_MAX_ATTACHMENTS];
	char tmp[SWN_PATH_MAX + 48], ctype[600];
	enum swn_xenc_profile xp;
	uint64_t max = (uint64_t)a->max_message_bytes;
	X509 *enc = a->encryption;
	size_t i, nparts = 1 + natt;
	off_t end;
	int fd, rc = -1;

	*in_file = 0;
	if (rp == NULL || enc == NULL || swn_xenc_profile_of(a->profile, &xp) < 0) {
		swn_runtime_agreements_unlock(rt);
		return swn_err_set(err, SWN_E_CONFIG, name, 0, "cannot send under agreement %s: no keys "
				   "or encryption certificate for profile %s", a->id, a->profile->name);
	}
	X509_up_ref(enc);
	swn_runtime_agreements_unlock(rt);
	for (i = 0; i < nparts; i++)
		kept[i].fd = -1;
	if ((fd = swn_payloads_temp(rt->cfg.home, tmp, sizeof tmp, err)) < 0) {
		X509_free(enc);
		return -1;
	}
	/* Compressed, signed and encrypted to the peer's pinned encryption
	 * certificate, with the profile's key. */
	rc = swn_compose_swa(u, p, att, natt, rp->signer, xp, enc, rt->cfg.home, max, fd, ctype,
			     sizeof ctype, kept, err);
	X509_free(enc);
	if (rc < 0)
		goto done;
	rc = -1;
	/* The plaintext parts kept before the entry that names them. */
	for (i = 0; i < nparts; i++) {
		unsigned char md[32];

		if (swn_payloads_put(rt->cfg.home, kept[i].fd, kept[i].len, md, err) < 0)
			goto done;
		describe_kept((unsigned)i + 1, &kept[i], md, document, dn);
	}
	if ((end = lseek(fd, 0, SEEK_END)) < 0) {
		swn_err_set(err, SWN_E_IO, tmp, 0, "cannot measure the message: %s", strerror(errno));
		goto done;
	}
	if ((uint64_t)end > SWN_LEDGER_INLINE_EVIDENCE_BYTES) {
		/* Too large for a database value: the ledger names the file. */
		if (swn_payloads_adopt(rt->cfg.home, tmp, fd, &file->len, file->digest, err) < 0)
			goto done;
		*in_file = 1;
	} else {
		if (!(*bytes = malloc((size_t)end + 1))) {
			swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
			goto done;
		}
		if (swn_pread_all(fd, *bytes, (size_t)end, 0) != (size_t)end) {
			swn_err_set(err, SWN_E_IO, tmp, 0, "cannot read the message back");
			goto done;
		}
		*len = (size_t)end;
	}
	rc = 0;
done:
	if (rc < 0) {
		free(*bytes);
		*bytes = NULL;
	}
	for (i = 0; i < nparts; i++)
		if (kept[i].fd >= 0)
			close(kept[i].fd);
	close(fd);
	if (tmp[0])
		unlink(tmp);   /* adopted, it has its name in the store by now */
	return rc;
}

static int submit(struct swn_outbox *o, xmlDocPtr doc, const unsigned char sha256[32],
		  const char *name, const char *to, const struct swn_compose_attachment *att,
		  size_t natt, const char *want, char *msgid, size_t n, struct swn_err *err)
{
	/* The reason names the document and each part: room for them all. */
	static _Thread_local char document[SWN_MAX_PAYLOAD_PARTS * (SWN_AS4_ID_BYTES + 200) + 200];
	struct swn_runtime *rt = o->rt;
	const struct swn_agreement *a;
	struct swn_ledger_file file;
	struct swn_payload p;
	struct swn_as4_user u;
	xmlDocPtr env = NULL;
	char *bytes = NULL;
	char why[1500];
	size_t len = 0;
	int rc = -1, in_file = 0;
	time_t now = time(NULL);

	struct carries carries = { rt, to, now };

	if (swn_compose_payload(rt->reg, doc, name, peer_carries, &carries, &p, err) < 0)
		return -1;
	swn_runtime_agreements_lock(rt);
	a = agreement_for(rt, to, swn_doctype_id(p.type), now, why, sizeof why);
	if (a == NULL) {
		swn_runtime_agreements_unlock(rt);
		swn_err_set(err, SWN_E_CONFIG, name, 0, "cannot send to %s: %s", to, why);
		goto done;
	}
	{
		const struct swn_agreement_doc *entry = swn_agreement_doc(a, swn_doctype_id(p.type));

		if (entry->rules && swn_rules_check(entry->rules, p.doc, name, NULL, NULL, err) < 0) {
			swn_runtime_agreements_unlock(rt);
			err->code = SWN_E_SCHEMA;
			snprintf(why, sizeof why, "line %ld: %s", err->line, err->msg);
			swn_err_clear(err);
			swn_err_set(err, SWN_E_SCHEMA, name, 0, "agreement %s requires more of %s: %s",
				    a->id, swn_doctype_id(p.type), why);
			goto done;
		}
		swn_compose_header(a, entry, want, &u);
	}
	document_reason(sha256, document, sizeof document);
	if (a->profile->id != SWN_PROFILE_BODY) {
		if (compose_edelivery(rt, a, &u, &p, att, natt, name, document, sizeof document, &bytes,
				      &len, &file, &in_file, err) < 0)
			goto done;
	} else if (natt > 0) {
		swn_err_set(err, SWN_E_CONFIG, name, 0, "agreement %s uses profile %s, whose message "
			    "carries the document alone: attachments need an eDelivery profile",
			    a->id, a->profile->name);
		swn_runtime_agreements_unlock(rt);
		goto done;
	} else {
		swn_runtime_agreements_unlock(rt);
		if (!(env = swn_compose_envelope(&u, &p, rt->signer, err)) ||
		    swn_xml_to_bytes(env, &bytes, &len, err) < 0)
			goto done;
	}
	{
		struct swn_event ev = { "out", u.to.id, u.agreement_ref, swn_doctype_id(p.type),
					u.message_id, "SUBMITTED", document };

		/* The signed bytes, the SUBMITTED entry and the queue row commit
		 * together: nothing submitted is lost or left unqueued. */
		if ((in_file ? swn_ledger_submit_file(rt->ledger, &ev, &file, (long long)now, err)
			     : swn_ledger_submit(rt->ledger, &ev, bytes, len, (long long)now, err)) < 0)
			goto done;
	}
	snprintf(msgid, n, "%s", u.message_id);
	rc = 0;
done:
	free(bytes);
	xmlFreeDoc(env);
	swn_compose_payload_free(&p);
	return rc;
}

/* ---- deliver ---- */

struct due {
	char msgid[SWN_AS4_ID_BYTES];
	char agreement[SWN_MAX_ID_LEN + 1];
	char doctype[40];
	int attempts;
};

/* Take a due message for this process: 1 claimed, 0 someone else has it. */
static int claim(struct swn_outbox *o, const char *msgid)
{
	sqlite3_stmt *st = NULL;
	int ok = 0;

	pthread_mutex_lock(&o->lock);
	if ((st = stmt(o, &o->st_claim, "UPDATE outbox SET state = 'SENDING' WHERE msgid = ?"
					 " AND state IN ('SUBMITTED','RETRYING')")) != NULL) {
		sqlite3_bind_text(st, 1, msgid, -1, SQLITE_TRANSIENT);
		ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(o->db) == 1;
		stmt_done(st);
	}
	pthread_mutex_unlock(&o->lock);
	return ok;
}

int swn_outbox_recover(struct swn_outbox *o, struct swn_err *err)
{
	const void *args[] = { NULL };

	return exec(o, "UPDATE outbox SET state = 'RETRYING' WHERE state = 'SENDING'", "", args, err);
}

/* Up to max due messages. */
static int due_list(struct swn_outbox *o, time_t now, struct due *out, int max)
{
	sqlite3_stmt *st = NULL;
	int n = 0;

	pthread_mutex_lock(&o->lock);
	if ((st = stmt(o, &o->st_due, "SELECT msgid, agreement, doctype, attempts FROM outbox"
				       " WHERE state IN ('SUBMITTED','RETRYING') AND next_attempt <= ?"
				       " ORDER BY next_attempt LIMIT ?")) != NULL) {
		sqlite3_bind_int64(st, 1, (long long)now);
		sqlite3_bind_int(st, 2, max);
		while (n < max && sqlite3_step(st) == SQLITE_ROW) {
			snprintf(out[n].msgid, sizeof out[n].msgid, "%s", sqlite3_column_text(st, 0));
			snprintf(out[n].agreement, sizeof out[n].agreement, "%s", sqlite3_column_text(st, 1));
			snprintf(out[n].doctype, sizeof out[n].doctype, "%s", sqlite3_column_text(st, 2));
			out[n].attempts = sqlite3_column_int(st, 3);
			n++;
		}
		stmt_done(st);
	}
	pthread_mutex_unlock(&o->lock);
	return n;
}

/* The outcome of an attempt: the entry and the queue row's new state in
 * one transaction, after SENT when a reply came.  If it cannot be recorded, the message is tried again
 * later (a delivered one is then answered as a duplicate, with the same
 * receipt), so that no outcome is acted on without its entry. */
static void outcome_kept(struct swn_outbox *o, const struct due *d, const char *peer, int replied,
			 const char *event, const char *reason, const void *evidence, size_t len,
			 long long attempts, long long next, const struct swn_peer_checkpoint *witness)
{
	struct swn_event sent = { "out", peer, d->agreement, d->doctype, d->msgid, "SENT", NULL };
	struct swn_event ev = { "out", peer, d->agreement, d->doctype, d->msgid, event, reason };
	struct swn_queue_update q = { event, attempts, next,
				      strcmp(event, "DELIVERED") == 0 ? NULL : reason };
	struct swn_err err;

	swn_err_clear(&err);
	if (swn_ledger_outcome(o->rt->ledger, replied ? &sent : NULL, &ev, evidence, len, &q, witness, &err) < 0) {
		swn_log("out %s: cannot record %s: %s", d->msgid, event, err.msg);
		swn_err_clear(&err);
		set_state(o, d->msgid, "RETRYING", attempts, (long long)time(NULL) + 5,
			  "the outcome could not be recorded; trying again", &err);
		return;
	}
	swn_log("out %s to %s: %s%s%s", d->msgid, peer, event, reason ? ": " : "",
		reason ? reason : "");
	/* Under the lock, so that once swn_outbox_set_watch() returns the
	 * old watcher is never called again. */
	pthread_mutex_lock(&o->lock);
	if (o->watch)
		o->watch(o->watch_ctx, d->msgid, event);
	pthread_mutex_unlock(&o->lock);
}

static void outcome(struct swn_outbox *o, const struct due *d, const char *peer, int replied,
		    const char *event, const char *reason, const void *evidence, size_t len,
		    long long attempts, long long next)
{
	outcome_kept(o, d, peer, replied, event, reason, evidence, len, attempts, next, NULL);
}

/* The envelope of a message this node sent in the MIME form (its own
 * writer's bytes, from its ledger). */
/* The message as sent: the SUBMITTED entry's evidence, in memory or in
 * its file (ledger.h). */
static int sent_mime(const struct swn_ledger_source *sent, const char *ctype,
		     struct swn_mime_message *mm, struct swn_err *err)
{
	memset(mm, 0, sizeof *mm);
	return sent->fd >= 0 ? swn_mime_read_fd(ctype, sent->fd, "ours", mm, err)
			     : swn_mime_read_mem(ctype, sent->bytes, (size_t)sent->len, "ours", mm, err);
}

/* The Content-Type our MIME writer gave the message: 0, or -1 when it is
 * in the body form. */
static int sent_ctype(const struct swn_ledger_source *sent, char *ctype, size_t n)
{
	char head[2 + SWN_MIME_BOUNDARY_BYTES + 2];   /* "--" boundary CRLF */

	if (sent->fd < 0)
		return swn_mime_written_ctype(sent->bytes, (size_t)sent->len, ctype, n);
	return swn_mime_written_ctype(head, swn_pread_all(sent->fd, head, sizeof head, 0), ctype, n);
}

/* SHA-256 of len bytes of the message from off. */
static int sent_range_sha256(const struct swn_ledger_source *sent, uint64_t off, uint64_t len,
			     unsigned char md[32])
{
	if (off > sent->len || len > sent->len - off)
		return -1;
	if (sent->fd >= 0)
		return swn_payloads_sha256_range(sent->fd, off, len, md);
	SHA256((const unsigned char *)sent->bytes + off, (size_t)len, md);
	return 0;
}

static xmlDocPtr our_envelope(const struct swn_ledger_source *sent, const char *ctype,
			      struct swn_err *err)
{
	struct swn_mime_message mm;
	xmlDocPtr doc;

	if (sent_mime(sent, ctype, &mm, err) < 0)
		return NULL;
	doc = swn_xml_parse(mm.envelope, mm.envelope_len, "ours", err);
	swn_mime_message_free(&mm);
	return doc;
}

/* 1 if the message this node composed in the MIME form (its ledger's
 * bytes) was signed with profile p's algorithm and its content key sent
 * the way p sends it: an agreement may have changed profile since. */
static int composed_under(const struct swn_ledger_source *sent, const char *ctype,
			  const struct swn_profile_def *p)
{
	static const char *const agree[] = {
		[SWN_PROFILE_EDELIVERY_2] = "http://www.w3.org/2021/04/xmldsig-more#x25519",
		[SWN_PROFILE_EDELIVERY_2_ECDSA] = "http://www.w3.org/2009/xmlenc11#ECDH-ES",
		[SWN_PROFILE_EDELIVERY_1_15] = "http://www.w3.org/2009/xmlenc11#rsa-oaep",
	};
	struct swn_err err;
	struct swn_as4_msg m;
	xmlDocPtr doc;
	xmlNodePtr si, sm;
	xmlChar *alg = NULL;
	int ok = 0;

	swn_err_clear(&err);
	if (p->id == SWN_PROFILE_BODY || !(doc = our_envelope(sent, ctype, &err)))
		return 0;
	if (swn_as4_parse_swa(doc, "ours", &m, &err) == 0 && (si = swn_as4_signed_info(&m)) &&
	    (sm = swn_xml_child(si, "SignatureMethod")) &&
	    (alg = xmlGetProp(sm, BAD_CAST "Algorithm")) &&
	    strcmp((const char *)alg, swn_dsig_alg_uri(p->sig_alg)) == 0) {
		/* Our own writer's envelope: the agreement's URI is there once. */
		xmlBufferPtr b = xmlBufferCreate();

		if (b && xmlNodeDump(b, doc, m.security, 0, 0) > 0)
			ok = strstr((const char *)xmlBufferContent(b), agree[p->id]) != NULL;
		xmlBufferFree(b);
	}
	xmlFree(alg);
	xmlFreeDoc(doc);
	return ok;
}

/* Does the receipt repeat our message's signature (swn_as4_receipt_covers)? */
static int receipt_matches(xmlDocPtr ours, int swa, const struct swn_as4_msg *receipt)
{
	struct swn_as4_msg m;
	struct swn_err err;

	swn_err_clear(&err);
	return (swa ? swn_as4_parse_swa(ours, "ours", &m, &err) : swn_as4_parse(ours, "ours", &m, &err)) == 0 &&
	       swn_as4_receipt_covers(&m, receipt);
}

/* Does the peer's RECEIVED entry, as its commitment gives it, say what we
 * sent: our agreement and type, and for an eDelivery message our
 * Content-Type and each part as we composed it (its number, Content-ID and
 * signed type, the ciphertext in our bytes, the plaintext our SUBMITTED
 * entry names)?  A
 * leaf proven in the peer's tree is worth what its text says. */
static int commitment_says_ours(struct swn_outbox *o, const struct due *d, const char *peer,
				const struct swn_commitment *c, const struct swn_ledger_source *sent,
				char *why, size_t n)
{
	static _Thread_local struct swn_swa_described mine[SWN_MAX_PAYLOAD_PARTS],
		theirs[SWN_MAX_PAYLOAD_PARTS];
	static _Thread_local char submitted[SWN_AS4_ID_BYTES * SWN_MAX_PAYLOAD_PARTS + 4096];
	char ctype[600], their_ctype[1100];
	struct swn_mime_message mm;
	struct swn_err err;
	int nm, nt, i, ok = 0;
	size_t k;

	if (strcmp(c->agreement, d->agreement) != 0 || strcmp(c->doctype, d->doctype) != 0) {
		snprintf(why, n, "the peer's ledger commitment names agreement '%.64s' and type '%.39s', "
			 "not %s and %s", c->agreement, c->doctype, d->agreement, d->doctype);
		return 0;
	}
	if (sent_ctype(sent, ctype, sizeof ctype) < 0) {
		if (c->reason[0] == '\0')
			return 1;
		snprintf(why, n, "the peer's ledger commitment gives a reason for a body-form message");
		return 0;
	}
	swn_err_clear(&err);
	if (!swn_swa_reason_content_type(c->reason, their_ctype, sizeof their_ctype) ||
	    strcmp(their_ctype, ctype) != 0) {
		snprintf(why, n, "the peer's ledger commitment does not name the Content-Type we sent");
		return 0;
	}
	if (swn_ledger_event_reason(o->rt->ledger, "out", peer, d->msgid, "SUBMITTED", submitted,
				    sizeof submitted, &err) != 1 ||
	    (nm = swn_swa_reason_parts(submitted, mine, SWN_MAX_PAYLOAD_PARTS)) <= 0 ||
	    (nt = swn_swa_reason_parts(c->reason, theirs, SWN_MAX_PAYLOAD_PARTS)) != nm) {
		snprintf(why, n, "the peer's ledger commitment does not name the parts we sent");
		return 0;
	}
	if (sent_mime(sent, ctype, &mm, &err) < 0) {
		snprintf(why, n, "our own message does not read back: %s", err.msg);
		return 0;
	}
	for (i = 0; i < nm; i++) {
		unsigned char md[32];

		for (k = 1; k < mm.nparts && strcmp(mm.parts[k].content_id, mine[i].cid) != 0; k++)
			;
		if (k == mm.nparts || !theirs[i].received || theirs[i].index != mine[i].index ||
		    strcmp(theirs[i].cid, mine[i].cid) != 0 || strcmp(theirs[i].type, mine[i].type) != 0 ||
		    theirs[i].plain_len != mine[i].plain_len ||
		    memcmp(theirs[i].plain_sha256, mine[i].plain_sha256, 32) != 0 ||
		    theirs[i].recv_len != mm.parts[k].length)
			break;
		if (sent_range_sha256(sent, mm.parts[k].offset, mm.parts[k].length, md) < 0 ||
		    memcmp(md, theirs[i].recv_sha256, 32) != 0)
			break;
	}
	ok = i == nm;
	if (!ok)
		snprintf(why, n, "the peer's ledger commitment names part %d otherwise than we sent it",
			 i + 1);
	swn_mime_message_free(&mm);
	return ok;
}

/* The receipt's ledger commitment: the peer's checkpoint covering our
 * message, checked with the agreement's peer ledger key.  1 when it is to
 * be kept for ledger audit-peer (filled into keep, which points into
 * thread-local storage until the next call).  What happened goes into why
 * (the DELIVERED reason). */
static int cross_witness(struct swn_outbox *o, const struct due *d, const char *peer,
			 const struct swn_as4_msg *receipt, const struct swn_ledger_source *sent,
			 struct swn_peer_checkpoint *keep, char *why, size_t n)
{
	struct swn_runtime *rt = o->rt;
	const struct swn_agreement *a;
	static _Thread_local struct swn_commitment c;
	char name[600], local[SWN_PARTY_BYTES];
	unsigned char pub[32], root[32], digest[32], leaf[32];
	struct swn_buf bytes;
	struct swn_err err;
	uint64_t size;
	int have_key, proven;

	if (!swn_as4_receipt_commitment(receipt, &c)) {
		snprintf(why, n, "the receipt carries no ledger commitment");
		return 0;
	}
	swn_runtime_agreements_lock(rt);
	a = swn_runtime_agreement(rt, d->agreement);
	have_key = a && a->peer_ledger_key[0];
	if (have_key) {
		memcpy(pub, a->peer_ledger_pub, 32);
		snprintf(name, sizeof name, "%s", a->peer_ledger_name);
		snprintf(local, sizeof local, "%s", a->local.id);
	}
	swn_runtime_agreements_unlock(rt);
	if (!have_key) {
		snprintf(why, n, "the agreement pins no ledger key of the peer: commitment not checked");
		return 0;
	}
	swn_err_clear(&err);
	if (swn_checkpoint_verify(c.note, strlen(c.note), name, pub, &size, root, &err) < 0) {
		snprintf(why, n, "the peer's ledger commitment does not verify: %s", err.msg);
		swn_log("out %s: %s", d->msgid, why);
		return 0;
	}
	/* Rebuild the peer's RECEIVED entry from what we sent, and prove it
	 * is the leaf the peer named, in the tree the peer signed. */
	memcpy(digest, sent->digest, 32);
	{
		const char *fields[8] = { c.time, "in", c.peer, c.agreement, c.doctype, d->msgid,
					  "RECEIVED", c.reason[0] ? c.reason : NULL };

		swn_buf_init(&bytes, SWN_MAX_ENTRY_BYTES);
		proven = c.leaf_index >= 0 && (uint64_t)c.leaf_index < size && strcmp(c.peer, local) == 0 &&
			 swn_ledger_entry_bytes(c.leaf_index + 1, fields, digest, &bytes, &err) == 0 &&
			 swn_merkle_leaf_hash(bytes.data, bytes.len, leaf) == 0 &&
			 swn_merkle_verify_inclusion((uint64_t)c.leaf_index, size, leaf,
						     (const unsigned char (*)[32])c.path, c.n, root) == 1;
		swn_buf_free(&bytes);
	}
	if (!proven) {
		snprintf(why, n, "the peer's ledger commitment does not prove that it recorded this message "
			 "(leaf %lld of %llu)", c.leaf_index, (unsigned long long)size);
		swn_log("out %s: %s", d->msgid, why);
		return 0;
	}
	if (!commitment_says_ours(o, d, peer, &c, sent, why, n)) {
		swn_log("out %s: %s", d->msgid, why);
		return 0;
	}
	keep->peer = peer;
	keep->note = c.note;
	keep->msgid = d->msgid;
	keep->size = size;
	memcpy(keep->root, root, 32);
	keep->leaf_index = c.leaf_index;
	snprintf(why, n, "peer ledger: this message is leaf %lld in its signed checkpoint of size %llu (proved)",
		 c.leaf_index, (unsigned long long)size);
	return 1;
}

/* The attempt did not happen for want of something of this node's own
 * (descriptors, memory, its own certificate): not the peer's doing, so it
 * is not counted.  The message is due again soon with its attempts and
 * retry schedule as they were, and the ledger records nothing: nothing
 * was sent.  Logged at most once a minute (every due message may meet
 * it), the reason kept in each message's last error. */
#define LOCAL_RETRY_S 5
static void not_attempted(struct swn_outbox *o, const struct due *d, const char *why)
{
	static _Atomic time_t logged;
	char last[1300];
	struct swn_err err;
	time_t now = time(NULL), then = atomic_load(&logged);

	snprintf(last, sizeof last, "not attempted, a problem of this node: %s", why);
	if ((then == 0 || now - then >= 60) && atomic_compare_exchange_strong(&logged, &then, now))
		swn_log("out %s: %s; trying again in %d s, the attempt not counted (logged at most once a minute)",
			d->msgid, last, LOCAL_RETRY_S);
	swn_err_clear(&err);
	set_state(o, d->msgid, d->attempts == 0 ? "SUBMITTED" : "RETRYING", d->attempts,
		  (long long)now + LOCAL_RETRY_S, last, &err);
}

/* One delivery attempt of d. */
static void deliver(struct swn_outbox *o, struct swn_http_client *client, const struct due *d,
		    time_t now)
{
	struct swn_runtime *rt = o->rt;
	const struct swn_agreement *a;
	struct swn_post post;
	struct swn_buf reply;
	struct swn_as4_msg m;
	struct swn_err err;
	X509 *pins[SWN_MAX_PINS];
	char reason[1200], peer[SWN_PARTY_BYTES], url[SWN_URL_BYTES], ctype[600];
	struct swn_ledger_source sent = { NULL, -1, 0, { 0 } };
	xmlDocPtr ours = NULL, sig = NULL;
	long status = 0;
	int npins, i, retry, attempts = d->attempts + 1, verified = 0, replied = 0, swa;

	swn_err_clear(&err);
	memset(&post, 0, sizeof post);
	swn_buf_init(&reply, SWN_MAX_DOCUMENT_BYTES);
	swn_runtime_agreements_lock(rt);
	a = swn_runtime_agreement(rt, d->agreement);
	if (a == NULL) {
		swn_runtime_agreements_unlock(rt);
		snprintf(reason, sizeof reason, "agreement %s is no longer loaded", d->agreement);
		outcome(o, d, "", 0, "FAILED", reason, NULL, 0, attempts, 0);
		return;
	}
	snprintf(peer, sizeof peer, "%s", a->peer.id);
	i = swn_ledger_evidence_open(rt->ledger, "out", peer, d->msgid, "SUBMITTED", &sent, &err);
	if (i != 1) {
		swn_runtime_agreements_unlock(rt);
		if (i < 0) {   /* the ledger or the message's file could not be read */
			char why[1200];

			snprintf(why, sizeof why, "%.400s%s%.700s", err.file[0] ? err.file : "", err.file[0] ? ": " : "",
				 err.msg);
			not_attempted(o, d, why);
			return;
		}
		snprintf(reason, sizeof reason, "the submitted message is not in the ledger");
		outcome(o, d, peer, replied, "FAILED", reason, NULL, 0, attempts, 0);
		return;
	}
	/* A message kept in a file goes out only as the ledger names it: a
	 * file changed since is this node's damage, said as such (and the
	 * attempt not counted, so that restoring payloads/ resumes it). */
	if (swn_ledger_source_check(rt->ledger, &sent, &err) < 0) {
		char why[1200];

		swn_runtime_agreements_unlock(rt);
		snprintf(why, sizeof why, "%.400s: %.700s", err.file, err.msg);
		not_attempted(o, d, why);
		swn_ledger_source_close(&sent);
		return;
	}
	/* The form it was composed in must still be the agreement's: the
	 * peer would refuse the other, and check its receipt under another
	 * algorithm. */
	swa = sent_ctype(&sent, ctype, sizeof ctype) == 0;
	if (!swa && sent.bytes == NULL) {
		/* Only the MIME form is ever kept in a file (compose_edelivery). */
		swn_runtime_agreements_unlock(rt);
		outcome(o, d, peer, 0, "FAILED", "the submitted message's file in payloads/ does not "
			"begin as this node's MIME messages do", NULL, 0, attempts, 0);
		swn_ledger_source_close(&sent);
		return;
	}
	if (swa != (a->profile->id != SWN_PROFILE_BODY)) {
		snprintf(reason, sizeof reason, "agreement %s now uses profile %s; the message was "
			 "composed in the %s form: submit the document again", a->id, a->profile->name,
			 swa ? "eDelivery (MIME)" : "body");
		swn_runtime_agreements_unlock(rt);
		outcome(o, d, peer, 0, "FAILED", reason, NULL, 0, attempts, 0);
		swn_ledger_source_close(&sent);
		return;
	}
	if (swa && !composed_under(&sent, ctype, a->profile)) {
		snprintf(reason, sizeof reason, "agreement %s now uses profile %s; the message was "
			 "composed under another eDelivery profile: submit the document again", a->id,
			 a->profile->name);
		swn_runtime_agreements_unlock(rt);
		outcome(o, d, peer, 0, "FAILED", reason, NULL, 0, attempts, 0);
		swn_ledger_source_close(&sent);
		return;
	}
	post.content_type = swa ? ctype : NULL;
	/* Copies: a reload may free the agreement while the post runs. */
	snprintf(url, sizeof url, "%s", a->endpoint);
	post.url = url;
	post.client_cert = rt->cfg.tls_cert;
	post.client_key = rt->cfg.tls_key;
	/* A reference, not a copy: certificates are never changed, and
	 * copying one decodes its key again. */
	X509_up_ref(a->tls);
	post.peer_tls = a->tls;
	post.timeout_s = 30;
	retry = attempts <= a->nretry ? a->retry[attempts - 1] : -1;
	npins = swn_agreement_pins_at(a, now, pins);
	for (i = 0; i < npins; i++)
		X509_up_ref(pins[i]);
	{
		char alg[16];

		snprintf(alg, sizeof alg, "%s", a->inbound_alg);
		swn_runtime_agreements_unlock(rt);
		if ((sent.fd >= 0 ? swn_http_client_post_fd(client, &post, sent.fd, sent.len, &status, &reply, &err)
				  : swn_http_client_post(client, &post, sent.bytes, (size_t)sent.len, &status, &reply,
							 &err)) < 0) {
			if (err.code == SWN_E_LOCAL) {
				not_attempted(o, d, err.msg);
				goto done;
			}
			snprintf(reason, sizeof reason, "no reply: %s", err.msg);
			goto again;
		}
		replied = 1;
		if (status >= 500 || reply.len == 0) {
			snprintf(reason, sizeof reason, "HTTP %ld from the peer", status);
			goto again;
		}
		swn_err_clear(&err);
		if (!(sig = swn_xml_parse(reply.data, reply.len, "reply", &err)) ||
		    swn_as4_parse(sig, "reply", &m, &err) < 0) {
			snprintf(reason, sizeof reason, "HTTP %ld with a reply that is not an AS4 signal: %s",
				 status, err.msg);
			goto again;
		}
		for (i = 0; i < npins && !verified; i++) {
			swn_err_clear(&err);
			verified = swn_wssec_verify(sig, &m, pins[i], alg, NULL, &err) == 0;
		}
		if (!verified) {
			snprintf(reason, sizeof reason, "the reply's signature does not verify: %s", err.msg);
			goto again;
		}
	}
	if (strcmp(m.ref_to, d->msgid) != 0) {
		snprintf(reason, sizeof reason, "the reply refers to %s, not to this message", m.ref_to);
		goto again;
	}
	if (m.kind == SWN_AS4_ERROR) {
		snprintf(reason, sizeof reason, "%s %s", m.error_code, m.error_text);
		outcome(o, d, peer, replied, "FAILED", reason, reply.data, reply.len, attempts, 0);
		goto done;
	}
	ours = swa ? our_envelope(&sent, ctype, &err) : swn_xml_parse(sent.bytes, (size_t)sent.len, "ours", &err);
	if (m.kind != SWN_AS4_RECEIPT || !ours || !receipt_matches(ours, swa, &m)) {
		snprintf(reason, sizeof reason, "the receipt does not repeat this message's digests (EBMS:0302 InvalidReceipt)");
		goto again;
	}
	{
		struct swn_peer_checkpoint keep;
		char witness[1200];
		int kept = cross_witness(o, d, peer, &m, &sent, &keep, witness, sizeof witness);

		outcome_kept(o, d, peer, replied, "DELIVERED", witness, reply.data, reply.len, attempts, 0,
			     kept ? &keep : NULL);
	}
	goto done;
again:
	if (retry < 0) {
		char last[1300];

		snprintf(last, sizeof last, "retries exhausted; last: %s", reason);
		outcome(o, d, peer, replied, "FAILED", last, NULL, 0, attempts, 0);
	} else {
		outcome(o, d, peer, replied, "RETRYING", reason, NULL, 0, attempts, (long long)now + retry);
	}
done:
	for (i = 0; i < npins; i++)
		X509_free(pins[i]);
	X509_free(post.peer_tls);
	xmlFreeDoc(ours);
	xmlFreeDoc(sig);
	swn_buf_free(&reply);
	swn_ledger_source_close(&sent);
}

int swn_outbox_run(struct swn_outbox *o, struct swn_http_client *client, time_t now,
		   struct swn_err *err)
{
	struct due list[8];
	int n, i;

	(void)err;
	n = due_list(o, now, list, 8);
	for (i = 0; i < n; i++)
		if (claim(o, list[i].msgid)) {
			deliver(o, client, &list[i], now);
			return 1;
		}
	return 0;
}

long swn_outbox_next_due(struct swn_outbox *o, time_t now)
{
	sqlite3_stmt *st = NULL;
	long next = -1;

	pthread_mutex_lock(&o->lock);
	if ((st = stmt(o, &o->st_next, "SELECT min(next_attempt) FROM outbox"
					" WHERE state IN ('SUBMITTED','RETRYING')")) != NULL) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			long long t = sqlite3_column_int64(st, 0);

			next = t <= (long long)now ? 0 : (long)(t - (long long)now);
		}
		stmt_done(st);
	}
	pthread_mutex_unlock(&o->lock);
	return next;
}

int swn_outbox_get(struct swn_outbox *o, const char *msgid, char *state, size_t sn,
		   int *attempts, time_t *next, char *last_error, size_t en,
		   struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	pthread_mutex_lock(&o->lock);
	if ((st = stmt(o, &o->st_get, "SELECT state, attempts, next_attempt, last_error FROM outbox"
				       " WHERE msgid = ?")) == NULL) {
		rc = db_err(o, "cannot read the outbox", err);
	} else {
		sqlite3_bind_text(st, 1, msgid, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(state, sn, "%s", sqlite3_column_text(st, 0));
			*attempts = sqlite3_column_int(st, 1);
			*next = (time_t)sqlite3_column_int64(st, 2);
			snprintf(last_error, en, "%s", sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "");
			rc = 1;
		}
		stmt_done(st);
	}
	pthread_mutex_unlock(&o->lock);
	return rc;
}

int swn_outbox_resend(struct swn_outbox *o, const char *msgid, struct swn_err *err)
{
	char state[32], last[600];
	int attempts;
	time_t next;
	int found = swn_outbox_get(o, msgid, state, sizeof state, &attempts, &next, last, sizeof last, err);

	if (found < 0)
		return -1;
	if (found == 0)
		return swn_err_set(err, SWN_E_NOT_FOUND, NULL, 0, "message %s is not in the outbox", msgid);
	if (strcmp(state, "DELIVERED") == 0)
		return swn_err_set(err, SWN_E_USAGE, NULL, 0,
				   "message %s was delivered; a resend would only fetch the same receipt", msgid);
	{
		/* Under the exchange's peer and agreement, like its other entries. */
		char peer[SWN_PARTY_BYTES] = "", agreement[SWN_MAX_ID_LEN + 1] = "", doctype[40] = "";
		struct swn_event ev = { "out", peer, agreement, doctype, msgid, "RESEND",
					"requested by the operator" };
		sqlite3_stmt *st;

		pthread_mutex_lock(&o->lock);
		if ((st = stmt(o, &o->st_names, "SELECT peer, agreement, doctype FROM outbox"
						" WHERE msgid = ?")) != NULL) {
			sqlite3_bind_text(st, 1, msgid, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) == SQLITE_ROW) {
				snprintf(peer, sizeof peer, "%s", (const char *)sqlite3_column_text(st, 0));
				snprintf(agreement, sizeof agreement, "%s", (const char *)sqlite3_column_text(st, 1));
				snprintf(doctype, sizeof doctype, "%s", (const char *)sqlite3_column_text(st, 2));
			}
			stmt_done(st);
		}
		pthread_mutex_unlock(&o->lock);

		if (swn_ledger_append(o->rt->ledger, &ev, NULL, 0, NULL, err) < 0)
			return -1;
	}
	return set_state(o, msgid, "RETRYING", 0, (long long)time(NULL), "resend requested", err);
}

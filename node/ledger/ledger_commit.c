/* ledger_commit.c - appending: group commit of entries, an appender's
 * group in one savepoint, outbox rows and peer checkpoints in the same
 * transaction, signed checkpoints and heartbeats; see ledger.h and
 * ledger_int.h. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

#include <openssl/sha.h>
#include <sqlite3.h>

#include "base/buf.h"
#include "base/escape.h"
#include "base/stamp.h"
#include "base/swn_limits.h"
#include "ledger/ledger_int.h"
#include "ledger/payloads.h"
#include "trust/checkpoint.h"

/* The newest checkpoint of size n must verify under our key and sign the
 * root the stored tree has. */
static int signed_tree_matches(struct swn_ledger *l, uint64_t n, struct swn_err *err)
{
	unsigned char pub[32], root[32], signed_root[32];
	sqlite3_stmt *st = NULL;
	uint64_t size = 0;
	int ok = 0;

	if (swn_checkpoint_pubkey(l->key, pub, err) < 0 || swn_merkle_frontier_root(&l->fr, root) < 0)
		return -1;
	if (sqlite3_prepare_v2(l->db, "SELECT note FROM checkpoints WHERE size = ? ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)n);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *note = (const char *)sqlite3_column_text(st, 0);
			struct swn_err e;

			swn_err_clear(&e);
			ok = note && swn_checkpoint_verify(note, strlen(note), l->origin, pub, &size,
							   signed_root, &e) == 0 &&
			     size == n && memcmp(root, signed_root, 32) == 0;
		}
	}
	sqlite3_finalize(st);
	if (!ok)
		return swn_err_set(err, SWN_E_DB, l->path, 0,
				   "the ledger's %llu entries are not the tree this node last signed: "
				   "refusing to extend it; run swnode ledger verify --vkey", (unsigned long long)n);
	return 0;
}

/* Inside a write transaction: make the frontier match the stored tree
 * (another process may have appended since). */
static int sync_frontier(struct swn_ledger *l, struct swn_err *err)
{
	long long n = ledger_max_seq(l);

	if (n < 0)
		return swn_err_set(err, SWN_E_DB, l->path, 0, "cannot read the ledger size");
	if (l->fr_valid && (long long)l->fr.size == n)
		return 0;
	swn_merkle_frontier_init(&l->fr);
	if (n > 0 && swn_merkle_frontier_load(&l->fr, (uint64_t)n, ledger_tree_get, l, err) < 0)
		return swn_err_set(err, SWN_E_DB, l->path, 0,
				   "the ledger tree does not match its %lld entries: run swnode ledger verify", n);
	/* What is on disk must be what this node signed last: never extend
	 * (and so sign) a tree someone rewrote behind the node's back. */
	if (n > 0 && l->key && signed_tree_matches(l, (uint64_t)n, err) < 0)
		return -1;
	l->fr_valid = 1;
	return 0;
}

/* One entry waiting for the next group commit. */
struct pending {
	const struct swn_event *ev;
	const void *evidence;
	size_t len;
	const struct swn_ledger_file *file;   /* or the evidence is this file */
	long long queue_at;          /* >= 0: also queue it in the outbox */
	const struct swn_queue_update *update;  /* or set its outbox row */
	const struct swn_peer_checkpoint *witness;  /* and keep this */
	long long seq;
	int rc;
	int done;
	struct swn_err err;
	struct pending *next;
	pthread_cond_t *wake;        /* its appender waits on this */
	int group_n;                 /* first of an appender's group: its size */
};

/* A commit's statements, prepared once (with lock held): preparing them
 * for every entry was an eighth of the append path. */
enum { Q_EVIDENCE, Q_EVIDENCE_FILE, Q_ENTRY, Q_QUEUE, Q_UPDATE, Q_WITNESS, Q_CHECKPOINT, Q_BEGIN, Q_COMMIT,
       Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO, Q_COUNT };
static const char *const batch_sql[Q_COUNT] = {
	[Q_EVIDENCE] = "INSERT OR IGNORE INTO evidence(digest, body) VALUES (?, ?)",
	[Q_EVIDENCE_FILE] = "INSERT OR IGNORE INTO evidence_files(digest, length) VALUES (?, ?)",
	[Q_ENTRY] = "INSERT INTO entries(time, direction, peer, agreement, doctype, msgid, event, reason, evidence, seq)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_QUEUE] = "INSERT INTO outbox(msgid, agreement, peer, doctype, state, attempts, next_attempt)"
		    " VALUES (?, ?, ?, ?, 'SUBMITTED', 0, ?)",
	[Q_UPDATE] = "UPDATE outbox SET state = ?, attempts = ?, next_attempt = ?, last_error = ?"
		     " WHERE msgid = ?",
	[Q_WITNESS] = "INSERT OR IGNORE INTO witness(peer, size, root, note, msgid, leaf_index, received)"
		      " VALUES (?, ?, ?, ?, ?, ?, ?)",
	[Q_CHECKPOINT] = "INSERT INTO checkpoints(size, time, root, note) VALUES (?, ?, ?, ?)",
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SAVEPOINT] = "SAVEPOINT entry",
	[Q_RELEASE] = "RELEASE entry",
	[Q_ROLLBACK_TO] = "ROLLBACK TO entry",
};

_Static_assert(Q_COUNT == sizeof ((struct swn_ledger *)0)->batch_st / sizeof(sqlite3_stmt *),
	       "batch_st holds every statement of batch_sql");

static sqlite3_stmt *q(struct swn_ledger *l, int which)
{
	return ledger_cached(l, &l->batch_st[which], batch_sql[which]);
}

/* Step a cached statement once and make it ready for the next use. */
static int q_step(sqlite3_stmt *st)
{
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;

	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	return rc;
}

/* A statement without parameters: SQLITE_OK or the error. */
static int q_run(struct swn_ledger *l, int which)
{
	int rc = q_step(q(l, which));

	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Inside the batch's transaction and a savepoint: the entry, its evidence,
 * its leaf and completed subtrees, and its queue row (a submission's new
 * one, or a delivery outcome's new state).  reason and last_error are the
 * escaped forms of the event's. */
static int insert_entry(struct swn_ledger *l, struct pending *p, const char *now,
			const char *reason, const char *last_error)
{
	const struct swn_event *ev = p->ev;
	unsigned char digest[32], leaf[32];
	sqlite3_stmt *st;
	struct swn_buf bytes;
	int step;

	if (p->evidence) {
		SHA256(p->evidence, p->len, digest);
		if (!(st = q(l, Q_EVIDENCE)))
			goto fail;
		sqlite3_bind_blob(st, 1, digest, 32, SQLITE_STATIC);
		sqlite3_bind_blob64(st, 2, p->evidence, p->len, SQLITE_STATIC);
		if (q_step(st) != SQLITE_DONE)
			goto fail;
	} else if (p->file) {
		memcpy(digest, p->file->digest, 32);
		if (!(st = q(l, Q_EVIDENCE_FILE)))
			goto fail;
		sqlite3_bind_blob(st, 1, digest, 32, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)p->file->len);
		if (q_step(st) != SQLITE_DONE)
			goto fail;
	}
	if (!(st = q(l, Q_ENTRY)))
		goto fail;
	bind_text(st, 1, now);
	bind_text(st, 2, ev->direction);
	bind_text(st, 3, ev->peer ? ev->peer : "");
	bind_text(st, 4, ev->agreement ? ev->agreement : "");
	bind_text(st, 5, ev->doctype ? ev->doctype : "");
	bind_text(st, 6, ev->msgid ? ev->msgid : "");
	bind_text(st, 7, ev->event);
	bind_text(st, 8, reason);
	if (p->evidence || p->file)
		sqlite3_bind_blob(st, 9, digest, 32, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 9);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)l->fr.size + 1);
	step = q_step(st);
	if (step == SQLITE_CONSTRAINT)
		return swn_err_set(&p->err, SWN_E_EXISTS, l->path, 0, "%s %s is recorded already",
				   ev->event, ev->msgid ? ev->msgid : "");
	if (step != SQLITE_DONE)
		goto fail;
	p->seq = (long long)l->fr.size + 1;
	{
		const char *fields[8] = { now, ev->direction, ev->peer ? ev->peer : "",
					  ev->agreement ? ev->agreement : "", ev->doctype ? ev->doctype : "",
					  ev->msgid ? ev->msgid : "", ev->event, reason };

		swn_buf_init(&bytes, SWN_MAX_ENTRY_BYTES);
		if (swn_ledger_entry_bytes(p->seq, fields, p->evidence || p->file ? digest : NULL, &bytes, &p->err) < 0 ||
		    swn_merkle_leaf_hash(bytes.data, bytes.len, leaf) < 0 ||
		    swn_merkle_frontier_append(&l->fr, leaf, ledger_tree_put, l, &p->err) < 0) {
			swn_buf_free(&bytes);
			goto fail;
		}
		swn_buf_free(&bytes);
	}
	if (p->queue_at >= 0) {
		if (!(st = q(l, Q_QUEUE)))
			goto fail;
		bind_text(st, 1, ev->msgid);
		bind_text(st, 2, ev->agreement ? ev->agreement : "");
		bind_text(st, 3, ev->peer ? ev->peer : "");
		bind_text(st, 4, ev->doctype ? ev->doctype : "");
		sqlite3_bind_int64(st, 5, p->queue_at);
		if (q_step(st) != SQLITE_DONE)
			goto fail;
	}
	if (p->update) {
		if (!(st = q(l, Q_UPDATE)))
			goto fail;
		bind_text(st, 1, p->update->state);
		sqlite3_bind_int64(st, 2, p->update->attempts);
		sqlite3_bind_int64(st, 3, p->update->next_attempt);
		bind_text(st, 4, last_error ? last_error : "");
		bind_text(st, 5, ev->msgid);
		if (q_step(st) != SQLITE_DONE)
			goto fail;
	}
	if (p->witness) {
		const struct swn_peer_checkpoint *w = p->witness;

		if (!(st = q(l, Q_WITNESS)))
			goto fail;
		bind_text(st, 1, w->peer);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)w->size);
		sqlite3_bind_blob(st, 3, w->root, 32, SQLITE_STATIC);
		bind_text(st, 4, w->note);
		bind_text(st, 5, w->msgid);
		sqlite3_bind_int64(st, 6, w->leaf_index);
		bind_text(st, 7, now);
		if (q_step(st) != SQLITE_DONE)
			goto fail;
	}
	return 0;
fail:
	return fail_db(l, "cannot append to the ledger", &p->err);
}

/* Reasons and last errors quote peers and libraries: they are stored
 * escaped (escape.h), and the entry's leaf is hashed from the stored text,
 * so that the entry and its leaf agree.  Entries stored before are hashed
 * as they are. */
static int add_entry(struct swn_ledger *l, struct pending *p, const char *now)
{
	const char *why = p->ev->reason, *last = p->update ? p->update->last_error : NULL;
	char *reason = why ? swn_escape_dup(why) : NULL, *last_error = last ? swn_escape_dup(last) : NULL;
	int rc;

	if ((why && !reason) || (last && !last_error))
		rc = swn_err_set(&p->err, SWN_E_NOMEM, l->path, 0, "out of memory");
	else
		rc = insert_entry(l, p, now, reason, last_error);
	free(reason);
	free(last_error);
	return rc;
}

/* Inside a transaction: sign the current tree (with its time as an
 * extension line) and store the checkpoint. */
static int store_checkpoint(struct swn_ledger *l, const char *now, struct swn_err *err)
{
	char note[SWN_NOTE_MAX];
	unsigned char root[32];
	sqlite3_stmt *st;
	int ok;

	if (swn_merkle_frontier_root(&l->fr, root) < 0 ||
	    swn_checkpoint_sign(l->key, l->origin, l->fr.size, root, now, note, sizeof note, err) < 0 ||
	    !(st = q(l, Q_CHECKPOINT)))
		return fail_db(l, "cannot sign a checkpoint", err);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)l->fr.size);
	bind_text(st, 2, now);
	sqlite3_bind_blob(st, 3, root, 32, SQLITE_STATIC);
	bind_text(st, 4, note);
	ok = q_step(st) == SQLITE_DONE;
	return ok ? 0 : fail_db(l, "cannot store a checkpoint", err);
}

int swn_ledger_heartbeat(struct swn_ledger *l, struct swn_err *err)
{
	char now[40];
	int rc = -1;

	if (l->key == NULL)
		return 0;
	swn_stamp_now(now);
	pthread_mutex_lock(&l->lock);
	if (q_run(l, Q_BEGIN) != SQLITE_OK) {
		fail_db(l, "cannot start a ledger transaction", err);
	} else if (sync_frontier(l, err) < 0 || store_checkpoint(l, now, err) < 0 ||
		   q_run(l, Q_COMMIT) != SQLITE_OK) {
		q_run(l, Q_ROLLBACK);
		l->fr_valid = 0;
		if (err->code == SWN_OK)
			fail_db(l, "cannot commit a checkpoint", err);
	} else {
		rc = 0;
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

/* Commit a batch in one transaction, one fsync and one signed checkpoint.
 * An entry that fails (a duplicate RECEIVED, say) is rolled back alone. */
static void commit_batch(struct swn_ledger *l, struct pending *batch)
{
	struct swn_merkle_frontier before;
	struct pending *p, *next;
	struct swn_err err;
	char now[40];
	int added = 0;

	swn_err_clear(&err);
	swn_stamp_now(now);
	if (q_run(l, Q_BEGIN) != SQLITE_OK) {
		fail_db(l, "cannot start a ledger transaction", &err);
		goto failed;
	}
	if (sync_frontier(l, &err) < 0) {
		q_run(l, Q_ROLLBACK);
		goto failed;
	}
	/* One savepoint per appender's group (SENT with its outcome, say):
	 * the group is kept whole or not at all. */
	for (p = batch; p; p = next) {
		struct pending *q_, *last = p;
		int i, n = p->group_n > 0 ? p->group_n : 1, failed_at = -1;

		for (i = 1; i < n && last->next; i++)
			last = last->next;
		next = last->next;
		before = l->fr;
		if (q_run(l, Q_SAVEPOINT) != SQLITE_OK) {
			fail_db(l, "cannot append to the ledger", &err);
			goto rollback;
		}
		for (i = 0, q_ = p; q_ != next; i++, q_ = q_->next)
			if ((q_->rc = add_entry(l, q_, now)) < 0) {
				failed_at = i;
				break;
			}
		if (failed_at >= 0) {
			for (i = 0, q_ = p; q_ != next; i++, q_ = q_->next)
				if (i != failed_at) {
					q_->rc = -1;
					swn_err_set(&q_->err, SWN_E_DB, l->path, 0,
						    "not recorded: another entry of the same transaction failed");
				}
			q_run(l, Q_ROLLBACK_TO);
			l->fr = before;
		} else {
			added += n;
		}
		q_run(l, Q_RELEASE);
		/* An I/O or memory error can end the whole transaction: then
		 * nothing of the batch is kept, and everyone is told so. */
		if (sqlite3_get_autocommit(l->db)) {
			fail_db(l, "the ledger transaction failed", &err);
			goto failed;
		}
	}
	if (added && l->key && store_checkpoint(l, now, &err) < 0)
		goto rollback;
	if (q_run(l, Q_COMMIT) != SQLITE_OK) {
		fail_db(l, "cannot commit to the ledger", &err);
		goto rollback;
	}
	l->fr_valid = 1;
	l->batches++;
	return;
rollback:
	q_run(l, Q_ROLLBACK);
failed:
	l->fr_valid = 0;
	for (p = batch; p; p = p->next)
		if (p->rc == 0) {
			p->rc = -1;
			p->err = err;
		}
}

/* Group commit: the first appender to find no commit running takes every
 * entry queued so far and commits them together; the others wait for it.
 * So concurrent workers share one fsync instead of paying one each. */
static int append_all(struct swn_ledger *l, struct pending *ps, int n, struct swn_err *err)
{
	struct pending *batch, *p;
	pthread_cond_t wake;
	int i;

	pthread_cond_init(&wake, NULL);
	pthread_mutex_lock(&l->qlock);
	/* Queued together, so they are in the same batch, in this order;
	 * committed all or none. */
	ps[0].group_n = n;
	for (i = 0; i < n; i++) {
		swn_err_clear(&ps[i].err);
		ps[i].wake = &wake;
		*l->qtail = &ps[i];
		l->qtail = &ps[i].next;
	}
	while (!ps[n - 1].done) {
		if (l->committing) {
			pthread_cond_wait(&wake, &l->qlock);
			continue;
		}
		l->committing = 1;
		batch = l->queue;
		l->queue = NULL;
		l->qtail = &l->queue;
		pthread_mutex_unlock(&l->qlock);
		pthread_mutex_lock(&l->lock);
		commit_batch(l, batch);
		pthread_mutex_unlock(&l->lock);
		pthread_mutex_lock(&l->qlock);
		/* Wake only those committed, and the first one waiting, which
		 * commits the next batch: not every appender at each commit. */
		for (p = batch; p; p = p->next) {
			p->done = 1;
			pthread_cond_signal(p->wake);
		}
		l->committing = 0;
		if (l->queue)
			pthread_cond_signal(l->queue->wake);
	}
	pthread_mutex_unlock(&l->qlock);
	pthread_cond_destroy(&wake);
	for (i = 0; i < n; i++)
		if (ps[i].rc < 0) {
			if (err->code == SWN_OK)
				*err = ps[i].err;
			return -1;
		}
	return 0;
}

static int append(struct swn_ledger *l, const struct swn_event *ev, const void *evidence,
		  size_t len, long long queue_at, const struct swn_queue_update *update,
		  long long *seq, struct swn_err *err)
{
	struct pending me;

	memset(&me, 0, sizeof me);
	me.ev = ev;
	me.evidence = evidence;
	me.len = len;
	me.queue_at = queue_at;
	me.update = update;
	if (append_all(l, &me, 1, err) < 0)
		return -1;
	if (seq)
		*seq = me.seq;
	return 0;
}

int swn_ledger_append(struct swn_ledger *l, const struct swn_event *ev,
		      const void *evidence, size_t len, long long *seq,
		      struct swn_err *err)
{
	return append(l, ev, evidence, len, -1, NULL, seq, err);
}

int swn_ledger_outcome(struct swn_ledger *l, const struct swn_event *before,
		       const struct swn_event *ev, const void *evidence, size_t len,
		       const struct swn_queue_update *q, const struct swn_peer_checkpoint *witness,
		       struct swn_err *err)
{
	struct pending ps[2];
	int n = 0;

	memset(ps, 0, sizeof ps);
	if (before) {
		ps[n].ev = before;
		ps[n++].queue_at = -1;
	}
	ps[n].ev = ev;
	ps[n].evidence = evidence;
	ps[n].len = len;
	ps[n].queue_at = -1;
	ps[n].update = q;
	ps[n++].witness = witness;
	return append_all(l, ps, n, err);
}

int swn_ledger_submit(struct swn_ledger *l, const struct swn_event *ev,
		      const void *evidence, size_t len, long long next_attempt,
		      struct swn_err *err)
{
	return append(l, ev, evidence, len, next_attempt, NULL, NULL, err);
}

/* Append ev with its evidence in file f (queued at queue_at when >= 0). */
static int append_file(struct swn_ledger *l, const struct swn_event *ev,
		       const struct swn_ledger_file *f, long long queue_at, long long *seq,
		       struct swn_err *err)
{
	struct pending me;
	int fd;

	/* The caller kept the file; the ledger names only a file that is
	 * there, whole (its bytes were hashed as they were kept). */
	if (f->len > (uint64_t)INT64_MAX || (fd = swn_payloads_open(l->home, f->digest, f->len, err)) < 0)
		return -1;
	close(fd);
	memset(&me, 0, sizeof me);
	me.ev = ev;
	me.file = f;
	me.queue_at = queue_at;
	if (append_all(l, &me, 1, err) < 0)
		return -1;
	if (seq)
		*seq = me.seq;
	return 0;
}

int swn_ledger_submit_file(struct swn_ledger *l, const struct swn_event *ev,
			   const struct swn_ledger_file *f, long long next_attempt,
			   struct swn_err *err)
{
	return append_file(l, ev, f, next_attempt, NULL, err);
}

int swn_ledger_append_file(struct swn_ledger *l, const struct swn_event *ev,
			   const struct swn_ledger_file *f, long long *seq, struct swn_err *err)
{
	return append_file(l, ev, f, -1, seq, err);
}

unsigned long long swn_ledger_batches(struct swn_ledger *l)
{
	return l->batches;
}

/* ledger.c - ledger database creation; see ledger.h. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>
#include <stdlib.h>

#include <openssl/sha.h>
#include <sqlite3.h>

#include "as4.h"
#include "fsutil.h"
#include "ledger.h"
#include "pki.h"

static const char schema_sql[] =
	"PRAGMA journal_mode=WAL;"
	"BEGIN;"
	"CREATE TABLE meta("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	/* One row per event of an exchange; seq is the leaf index. */
	"CREATE TABLE entries("
	"  seq INTEGER PRIMARY KEY,"
	"  time TEXT NOT NULL,"
	"  direction TEXT NOT NULL CHECK (direction IN ('in','out')),"
	"  peer TEXT NOT NULL,"
	"  agreement TEXT NOT NULL,"
	"  doctype TEXT NOT NULL,"
	"  msgid TEXT NOT NULL,"
	"  event TEXT NOT NULL,"
	"  reason TEXT,"
	"  evidence BLOB);"
	"CREATE INDEX entries_msgid ON entries(msgid, direction);"
	/* A message from a peer is recorded as received once, whatever races. */
	"CREATE UNIQUE INDEX entries_received_once ON entries(peer, msgid)"
	"  WHERE direction = 'in' AND event = 'RECEIVED';"
	/* The outbound work queue: mutable, not evidence (see outbox.h). */
	"CREATE TABLE outbox("
	"  msgid TEXT PRIMARY KEY,"
	"  agreement TEXT NOT NULL,"
	"  peer TEXT NOT NULL,"
	"  doctype TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  last_error TEXT);"
	"CREATE INDEX outbox_due ON outbox(state, next_attempt);"
	/* The exact bytes of signed messages and receipts, by SHA-256. */
	"CREATE TABLE evidence("
	"  digest BLOB PRIMARY KEY,"
	"  body BLOB NOT NULL);"
	"CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries"
	"  BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;"
	"CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries"
	"  BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;"
	"CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence"
	"  BEGIN SELECT RAISE(ABORT, 'ledger evidence is append-only'); END;"
	"CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence"
	"  BEGIN SELECT RAISE(ABORT, 'ledger evidence is append-only'); END;"
	"COMMIT;";

static int db_fail(sqlite3 *db, const char *path, const char *what,
		   struct swn_err *err)
{
	swn_err_set(err, SWN_E_DB, path, 0, "%s: %s", what,
		    db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_close(db);
	return -1;
}

int swn_ledger_create(const char *path, const char *party_id,
		      struct swn_err *err)
{
	char created[SWN_TIME_LEN + 1], version[16];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *kv[3][2];
	int i;

	int fd;

	/* SQLite has no create-exclusive open: make the empty file first. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0) {
		if (errno == EEXIST)
			return swn_err_set(err, SWN_E_EXISTS, path, 0,
					   "ledger already exists; refusing to overwrite it");
		return swn_err_set(err, SWN_E_IO, path, 0, "cannot create ledger: %s",
				   strerror(errno));
	}
	close(fd);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return db_fail(db, path, "cannot create ledger", err);
	if (sqlite3_exec(db, "PRAGMA synchronous=FULL;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, path, "cannot create ledger tables", err);
	swn_time_iso(time(NULL), created);
	snprintf(version, sizeof version, "%d", SWN_LEDGER_SCHEMA_VERSION);
	kv[0][0] = "schema_version"; kv[0][1] = version;
	kv[1][0] = "party_id";       kv[1][1] = party_id;
	kv[2][0] = "created";        kv[2][1] = created;
	if (sqlite3_prepare_v2(db, "INSERT INTO meta(key, value) VALUES (?, ?)", -1,
			       &st, NULL) != SQLITE_OK)
		return db_fail(db, path, "cannot write ledger metadata", err);
	for (i = 0; i < 3; i++) {
		sqlite3_bind_text(st, 1, kv[i][0], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kv[i][1], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return db_fail(db, path, "cannot write ledger metadata", err);
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (sqlite3_close(db) != SQLITE_OK)
		return db_fail(db, path, "cannot close ledger", err);
	return 0;
}

struct swn_ledger {
	sqlite3 *db;
	char path[1024];
	pthread_mutex_t lock;
};

int swn_ledger_open(const char *path, struct swn_ledger **out, struct swn_err *err)
{
	struct swn_ledger *l = calloc(1, sizeof *l);
	sqlite3_stmt *st = NULL;
	int version = 0;

	*out = NULL;
	if (l == NULL)
		return swn_err_set(err, SWN_E_NOMEM, path, 0, "out of memory");
	snprintf(l->path, sizeof l->path, "%s", path);
	pthread_mutex_init(&l->lock, NULL);
	if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(l->db, 10000);
	if (sqlite3_exec(l->db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
			 NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	/* A damaged or foreign file is refused here, with the reason. */
	if (sqlite3_prepare_v2(l->db, "SELECT value FROM meta WHERE key='schema_version'",
			       -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version != SWN_LEDGER_SCHEMA_VERSION) {
		swn_err_set(err, SWN_E_DB, path, 0,
			    "ledger schema version %d; this swnode reads version %d", version,
			    SWN_LEDGER_SCHEMA_VERSION);
		swn_ledger_close(l);
		return -1;
	}
	*out = l;
	return 0;
fail:
	swn_err_set(err, SWN_E_DB, path, 0, "cannot open the ledger: %s",
		    l->db ? sqlite3_errmsg(l->db) : "out of memory");
	sqlite3_finalize(st);
	swn_ledger_close(l);
	return -1;
}

void swn_ledger_close(struct swn_ledger *l)
{
	if (l == NULL)
		return;
	sqlite3_close(l->db);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static int fail_db(struct swn_ledger *l, const char *what, struct swn_err *err)
{
	return swn_err_set(err, SWN_E_DB, l->path, 0, "%s: %s", what, sqlite3_errmsg(l->db));
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int append_locked(struct swn_ledger *l, const struct swn_event *ev,
			 const void *evidence, size_t len, long long *seq, long long queue_at,
			 struct swn_err *err)
{
	unsigned char digest[32];
	char now[40];
	sqlite3_stmt *st = NULL;
	int rc = -1, step;

	if (evidence)
		SHA256(evidence, len, digest);
	swn_as4_now(now);
	if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail_db(l, "cannot start a ledger transaction", err);
	if (evidence) {
		if (sqlite3_prepare_v2(l->db, "INSERT OR IGNORE INTO evidence(digest, body) VALUES (?, ?)",
				       -1, &st, NULL) != SQLITE_OK)
			goto rollback;
		sqlite3_bind_blob(st, 1, digest, 32, SQLITE_STATIC);
		sqlite3_bind_blob64(st, 2, evidence, len, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto rollback;
		sqlite3_finalize(st);
		st = NULL;
	}
	if (sqlite3_prepare_v2(l->db,
			       "INSERT INTO entries(time, direction, peer, agreement, doctype, msgid, event, reason, evidence)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		goto rollback;
	bind_text(st, 1, now);
	bind_text(st, 2, ev->direction);
	bind_text(st, 3, ev->peer ? ev->peer : "");
	bind_text(st, 4, ev->agreement ? ev->agreement : "");
	bind_text(st, 5, ev->doctype ? ev->doctype : "");
	bind_text(st, 6, ev->msgid ? ev->msgid : "");
	bind_text(st, 7, ev->event);
	bind_text(st, 8, ev->reason);
	if (evidence)
		sqlite3_bind_blob(st, 9, digest, 32, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 9);
	step = sqlite3_step(st);
	if (step == SQLITE_CONSTRAINT) {
		swn_err_set(err, SWN_E_EXISTS, l->path, 0, "%s %s is recorded already",
			    ev->event, ev->msgid ? ev->msgid : "");
		goto rollback_quiet;
	}
	if (step != SQLITE_DONE)
		goto rollback;
	if (seq)
		*seq = sqlite3_last_insert_rowid(l->db);
	sqlite3_finalize(st);
	st = NULL;
	/* A submitted message and its queue row commit together. */
	if (queue_at >= 0) {
		if (sqlite3_prepare_v2(l->db,
				       "INSERT INTO outbox(msgid, agreement, peer, doctype, state, attempts, next_attempt)"
				       " VALUES (?, ?, ?, ?, 'SUBMITTED', 0, ?)", -1, &st, NULL) != SQLITE_OK)
			goto rollback;
		bind_text(st, 1, ev->msgid);
		bind_text(st, 2, ev->agreement ? ev->agreement : "");
		bind_text(st, 3, ev->peer ? ev->peer : "");
		bind_text(st, 4, ev->doctype ? ev->doctype : "");
		sqlite3_bind_int64(st, 5, queue_at);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto rollback;
	}
	if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	fail_db(l, "cannot append to the ledger", err);
rollback_quiet:
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(st);
	return rc;
}

int swn_ledger_append(struct swn_ledger *l, const struct swn_event *ev,
		      const void *evidence, size_t len, long long *seq,
		      struct swn_err *err)
{
	int rc;

	pthread_mutex_lock(&l->lock);
	rc = append_locked(l, ev, evidence, len, seq, -1, err);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int swn_ledger_submit(struct swn_ledger *l, const struct swn_event *ev,
		      const void *evidence, size_t len, long long next_attempt,
		      struct swn_err *err)
{
	int rc;

	pthread_mutex_lock(&l->lock);
	rc = append_locked(l, ev, evidence, len, NULL, next_attempt, err);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int swn_ledger_evidence(struct swn_ledger *l, const char *direction, const char *peer,
			const char *msgid, const char *event, char **bytes, size_t *len,
			unsigned char digest[32], struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	*bytes = NULL;
	*len = 0;
	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db,
			       "SELECT v.digest, v.body FROM entries e JOIN evidence v ON v.digest = e.evidence"
			       " WHERE e.msgid = ? AND e.direction = ? AND e.event = ? AND e.peer = ?"
			       " ORDER BY e.seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read the ledger", err);
		goto out;
	}
	bind_text(st, 1, msgid);
	bind_text(st, 2, direction);
	bind_text(st, 3, event);
	bind_text(st, 4, peer);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW: {
		const void *b = sqlite3_column_blob(st, 1);
		int n = sqlite3_column_bytes(st, 1);

		if (digest)
			memcpy(digest, sqlite3_column_blob(st, 0), 32);
		if (!(*bytes = malloc((size_t)n + 1))) {
			rc = swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
			break;
		}
		memcpy(*bytes, b, (size_t)n);
		(*bytes)[n] = '\0';
		*len = (size_t)n;
		rc = 1;
		break;
	}
	case SQLITE_DONE:
		break;
	default:
		rc = fail_db(l, "cannot read the ledger", err);
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int swn_ledger_last_event(struct swn_ledger *l, const char *direction,
			  const char *msgid, char *event, size_t n, struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db,
			       "SELECT event FROM entries WHERE msgid = ? AND direction = ?"
			       " ORDER BY seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read the ledger", err);
		goto out;
	}
	bind_text(st, 1, msgid);
	bind_text(st, 2, direction);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(event, n, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 1;
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

static int each_entry(struct swn_ledger *l, const char *sql, const char *msgid,
		      long long after, swn_entry_fn fn, void *ctx, struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read the ledger", err);
		goto out;
	}
	if (msgid)
		bind_text(st, 1, msgid);
	else
		sqlite3_bind_int64(st, 1, after);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(st, 0), col(st, 1), col(st, 2), col(st, 3),
		   col(st, 4), col(st, 5), col(st, 6), col(st, 7),
		   sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL : col(st, 8));
	if (step != SQLITE_DONE)
		rc = fail_db(l, "cannot read the ledger", err);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

#define ENTRY_COLUMNS "seq, time, direction, peer, agreement, doctype, msgid, event, reason"

int swn_ledger_history(struct swn_ledger *l, const char *msgid, swn_entry_fn fn,
		       void *ctx, struct swn_err *err)
{
	return each_entry(l, "SELECT " ENTRY_COLUMNS " FROM entries WHERE msgid = ? ORDER BY seq",
			  msgid, 0, fn, ctx, err);
}

int swn_ledger_entries(struct swn_ledger *l, long long after, swn_entry_fn fn,
		       void *ctx, struct swn_err *err)
{
	return each_entry(l, "SELECT " ENTRY_COLUMNS " FROM entries WHERE seq > ? ORDER BY seq",
			  NULL, after, fn, ctx, err);
}

int swn_ledger_undelivered(struct swn_ledger *l, swn_entry_fn fn, void *ctx,
			   struct swn_err *err)
{
	struct row {
		long long seq;
		char *peer, *agreement, *doctype, *msgid;
	} *rows = NULL, *grown;
	sqlite3_stmt *st = NULL;
	size_t n = 0, i;
	int rc = 0;

	/* Collected first, called after: the callbacks use the ledger too. */
	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db,
			       "SELECT r.seq, r.peer, r.agreement, r.doctype, r.msgid FROM entries r"
			       " WHERE r.direction = 'in' AND r.event = 'RECEIVED' AND NOT EXISTS"
			       " (SELECT 1 FROM entries d WHERE d.direction = 'in' AND d.peer = r.peer"
			       " AND d.msgid = r.msgid AND d.event = 'DELIVERED_LOCAL') ORDER BY r.seq LIMIT 1000",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read the ledger", err);
	} else {
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (!(grown = realloc(rows, sizeof *rows * (n + 1))))
				break;
			rows = grown;
			rows[n].seq = sqlite3_column_int64(st, 0);
			rows[n].peer = strdup(col(st, 1));
			rows[n].agreement = strdup(col(st, 2));
			rows[n].doctype = strdup(col(st, 3));
			rows[n].msgid = strdup(col(st, 4));
			n++;
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	for (i = 0; i < n; i++) {
		if (rows[i].peer && rows[i].agreement && rows[i].doctype && rows[i].msgid)
			fn(ctx, rows[i].seq, "", "in", rows[i].peer, rows[i].agreement, rows[i].doctype,
			   rows[i].msgid, "RECEIVED", NULL);
		free(rows[i].peer);
		free(rows[i].agreement);
		free(rows[i].doctype);
		free(rows[i].msgid);
	}
	free(rows);
	return rc;
}

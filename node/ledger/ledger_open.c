/* ledger_open.c - the ledger's file: its schema, creating it, checking the
 * write-ahead log before SQLite reads it, opening, quick_check and
 * closing; see ledger.h and ledger_int.h. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "ledger/ledger_int.h"
#include "trust/checkpoint.h"
#include "trust/pki.h"

/* A received message is placed in spool/in once and acknowledged by the
 * domestic side once, whatever races: added to ledgers made before too. */
#define PLACED_ONCE_SQL \
	"CREATE UNIQUE INDEX IF NOT EXISTS entries_placed_once ON entries(peer, msgid)" \
	"  WHERE direction = 'in' AND event = 'DELIVERED_LOCAL';" \
	"CREATE UNIQUE INDEX IF NOT EXISTS entries_acknowledged_once ON entries(peer, msgid)" \
	"  WHERE direction = 'in' AND event = 'ACKNOWLEDGED_LOCAL';"

/* Evidence too large for the database, kept by reference in payloads/
 * (ledger.h): added to ledgers made before too. */
#define EVIDENCE_FILES_SQL \
	"CREATE TABLE IF NOT EXISTS evidence_files(" \
	"  digest BLOB PRIMARY KEY," \
	"  length INTEGER NOT NULL);" \
	"CREATE TRIGGER IF NOT EXISTS evidence_files_no_update BEFORE UPDATE ON evidence_files" \
	"  BEGIN SELECT RAISE(ABORT, 'ledger evidence is append-only'); END;" \
	"CREATE TRIGGER IF NOT EXISTS evidence_files_no_delete BEFORE DELETE ON evidence_files" \
	"  BEGIN SELECT RAISE(ABORT, 'ledger evidence is append-only'); END;"

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
	PLACED_ONCE_SQL
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
	/* Checkpoints peers signed and sent in their receipts (cross-witnessing):
	 * their commitments, kept to audit their ledgers later. */
	"CREATE TABLE witness("
	"  peer TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  root BLOB NOT NULL,"
	"  note TEXT NOT NULL,"
	"  msgid TEXT NOT NULL,"
	"  leaf_index INTEGER NOT NULL,"
	"  received TEXT NOT NULL,"
	"  PRIMARY KEY (peer, size, root));"
	/* The exact bytes of signed messages and receipts, by SHA-256. */
	"CREATE TABLE evidence("
	"  digest BLOB PRIMARY KEY,"
	"  body BLOB NOT NULL);"
	/* The Merkle tree over the entries: every perfect subtree (level 0 are
	 * the leaf hashes), and a signed checkpoint for every size. */
	"CREATE TABLE tree("
	"  level INTEGER NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  hash BLOB NOT NULL,"
	"  PRIMARY KEY (level, idx)) WITHOUT ROWID;"
	"CREATE TABLE checkpoints("
	"  id INTEGER PRIMARY KEY,"
	"  size INTEGER NOT NULL,"
	"  time TEXT NOT NULL,"
	"  root BLOB NOT NULL,"
	"  note TEXT NOT NULL);"
	"CREATE INDEX checkpoints_size ON checkpoints(size);"
	"CREATE TRIGGER tree_no_change BEFORE UPDATE ON tree"
	"  BEGIN SELECT RAISE(ABORT, 'the ledger tree is append-only'); END;"
	"CREATE TRIGGER tree_no_delete BEFORE DELETE ON tree"
	"  BEGIN SELECT RAISE(ABORT, 'the ledger tree is append-only'); END;"
	"CREATE TRIGGER checkpoints_no_change BEFORE UPDATE ON checkpoints"
	"  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
	"CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints"
	"  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
	"CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries"
	"  BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;"
	"CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries"
	"  BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;"
	"CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence"
	"  BEGIN SELECT RAISE(ABORT, 'ledger evidence is append-only'); END;"
	"CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence"
	"  BEGIN SELECT RAISE(ABORT, 'ledger evidence is append-only'); END;"
	EVIDENCE_FILES_SQL
	"COMMIT;";

/* SQLite's message for the last error on db, with a full disk said
 * plainly: SQLITE_FULL reads "database or disk is full", and a write that
 * fails with ENOSPC may come back as an I/O error. */
const char *swn_ledger_errmsg(sqlite3 *db)
{
	if (db == NULL)
		return "out of memory";
	if ((sqlite3_errcode(db) & 0xff) == SQLITE_FULL ||
	    ((sqlite3_errcode(db) & 0xff) == SQLITE_IOERR && sqlite3_system_errno(db) == ENOSPC))
		return "disk full: no space left on the device (nothing was recorded; "
		       "free space and try again)";
	return sqlite3_errmsg(db);
}

static int db_fail(sqlite3 *db, const char *path, const char *what,
		   struct swn_err *err)
{
	swn_err_set(err, SWN_E_DB, path, 0, "%s: %s", what, swn_ledger_errmsg(db));
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

/* ---- the write-ahead log, checked before SQLite reads it ----
 *
 * SQLite takes a WAL frame whose checksum fails for the end of the log and
 * silently ignores it and every frame after it: a damaged frame would drop
 * committed entries without a word, and the next write would overwrite
 * them.  So before opening, walk the frames of the current log (the salts
 * of its header) and their cumulative checksums.  A bad frame followed by
 * two or more commit frames of the same log is damage: a crash can tear
 * only the last transaction (its frames are written, then synced, before
 * anything is acknowledged), never one that a later commit followed. */
static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wal_sum(int big, const unsigned char *p, size_t n, uint32_t s[2])
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint32_t a = big ? be32(p + i) : (uint32_t)p[i + 3] << 24 | (uint32_t)p[i + 2] << 16 |
							 (uint32_t)p[i + 1] << 8 | p[i];
		uint32_t b = big ? be32(p + i + 4) : (uint32_t)p[i + 7] << 24 | (uint32_t)p[i + 6] << 16 |
							     (uint32_t)p[i + 5] << 8 | p[i + 4];

		s[0] += a + s[1];
		s[1] += b + s[0];
	}
}

/* One pass over the log wal: 1 damaged (bad: the first bad frame, frames:
 * how many; h: the header read), 0 not, -1 out of memory. */
static int wal_scan(const char *wal, unsigned char h[32], long long *bad, long long *frames)
{
	unsigned char fh[24], *page = NULL;
	uint32_t s[2] = { 0, 0 }, magic, psize;
	long long frame = 0, commits_after = 0;
	int big, hdr_ok, rc = 0;
	FILE *f;

	*bad = 0;
	if (!(f = fopen(wal, "rb")))
		return 0;
	if (fread(h, 1, 32, f) != 32)
		goto out;
	magic = be32(h);
	psize = be32(h + 8);
	if ((magic & ~1u) != 0x377f0682u || psize < 512 || psize > 65536 || (psize & (psize - 1)))
		goto out;   /* not a log SQLite would read: it starts afresh */
	big = magic & 1;
	wal_sum(big, h, 24, s);
	hdr_ok = s[0] == be32(h + 24) && s[1] == be32(h + 28);
	s[0] = be32(h + 24);
	s[1] = be32(h + 28);
	if (!(page = malloc(psize))) {
		rc = -1;
		goto out;
	}
	while (fread(fh, 1, 24, f) == 24 && fread(page, 1, psize, f) == psize) {
		int mine = memcmp(fh + 8, h + 16, 8) == 0;

		frame++;
		if (!*bad) {
			wal_sum(big, fh, 8, s);
			wal_sum(big, page, psize, s);
			if (mine && s[0] == be32(fh + 16) && s[1] == be32(fh + 20)) {
				if (!hdr_ok && be32(fh + 4)) {
					*bad = 1;   /* committed frames behind a damaged header */
					commits_after = 2;
					break;
				}
				continue;
			}
			/* The end of this log (a frame of an earlier one, or a
			 * torn last transaction), or damage: what follows says. */
			*bad = frame;
			continue;
		}
		if (mine && be32(fh + 4))
			commits_after++;
	}
	rc = *bad && commits_after >= 2;
out:
	*frames = frame;
	free(page);
	fclose(f);
	return rc;
}

/* Another process may be writing the log while it is read (a frame half
 * written, or the log restarted under new salts): damage is reported only
 * when three passes, a tenth of a second apart, find the same. */
static int wal_check(const char *path, struct swn_err *err)
{
	char wal[sizeof ((struct swn_ledger *)0)->path + 8];
	unsigned char h[32], h0[32];
	long long bad, bad0 = 0, frames = 0;
	int pass, rc;

	snprintf(wal, sizeof wal, "%s-wal", path);
	for (pass = 0; pass < 3; pass++) {
		if (pass) {
			struct timespec pause = { 0, 100 * 1000 * 1000 };

			nanosleep(&pause, NULL);
		}
		rc = wal_scan(wal, h, &bad, &frames);
		if (rc < 0)
			return swn_err_set(err, SWN_E_NOMEM, wal, 0, "out of memory");
		if (rc == 0 || (pass && (bad != bad0 || memcmp(h, h0, 32) != 0)))
			return 0;
		bad0 = bad;
		memcpy(h0, h, 32);
	}
	return swn_err_set(err, SWN_E_DB, wal, 0,
			   "the ledger's write-ahead log is damaged (frame %lld of %lld fails its checksum "
			   "and committed transactions follow it); SQLite would drop them silently, so the "
			   "ledger is not opened: stop, keep copies of ledger.db and ledger.db-wal, and "
			   "restore from a backup (docs/ledger.md, Damage)", bad, frames);
}

int swn_ledger_open(const char *path, const char *home, EVP_PKEY *key, const char *party,
		    struct swn_ledger **out, struct swn_err *err)
{
	struct swn_ledger *l = calloc(1, sizeof *l);
	sqlite3_stmt *st = NULL;
	int version = 0;

	*out = NULL;
	if (l == NULL)
		return swn_err_set(err, SWN_E_NOMEM, path, 0, "out of memory");
	if (wal_check(path, err) < 0) {
		free(l);
		return -1;
	}
	snprintf(l->path, sizeof l->path, "%s", path);
	snprintf(l->home, sizeof l->home, "%s", home);
	pthread_mutex_init(&l->lock, NULL);
	pthread_mutex_init(&l->qlock, NULL);
	l->qtail = &l->queue;
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
	if (version != SWN_LEDGER_SCHEMA_VERSION && version != 1) {
		swn_err_set(err, SWN_E_DB, path, 0,
			    "ledger schema version %d; this swnode reads version %d", version,
			    SWN_LEDGER_SCHEMA_VERSION);
		swn_ledger_close(l);
		return -1;
	}
	if (key) {
		EVP_PKEY_up_ref(key);
		l->key = key;
		/* A ledger made before these indexes gets them; one that already
		 * holds a message placed twice cannot, and says so. */
		if (sqlite3_exec(l->db, PLACED_ONCE_SQL, NULL, NULL, NULL) != SQLITE_OK)
			snprintf(l->note, sizeof l->note,
				 "the ledger records a received message placed or acknowledged twice "
				 "(before this version); placement stays once-only within this process: %s",
				 sqlite3_errmsg(l->db));
		if (version == 1 &&
		    sqlite3_exec(l->db, "BEGIN IMMEDIATE;" EVIDENCE_FILES_SQL
				 "UPDATE meta SET value = '2' WHERE key = 'schema_version';"
				 "COMMIT;", NULL, NULL, NULL) != SQLITE_OK) {
			sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
			goto fail;
		}
	}
	/* A ledger opened only to read, made before the table, names no file. */
	if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
				      " AND name = 'evidence_files'", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	l->has_files = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	st = NULL;
	swn_checkpoint_origin(party ? party : "", l->origin, sizeof l->origin);
	*out = l;
	return 0;
fail:
	swn_err_set(err, SWN_E_DB, path, 0, "cannot open the ledger: %s",
		    swn_ledger_errmsg(l->db));
	sqlite3_finalize(st);
	swn_ledger_close(l);
	return -1;
}

int swn_ledger_quick_check(struct swn_ledger *l, struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	char first[600] = "";
	int rc, rows = 0;

	pthread_mutex_lock(&l->lock);
	rc = sqlite3_prepare_v2(l->db, "PRAGMA quick_check(10)", -1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (rows++ == 0) {
			/* "*** in database main ***\nOn tree page 34 cell 0: ...\n...":
			 * the first problem is enough to name. */
			const char *p = t ? t : "", *nl;

			if (strncmp(p, "*** ", 4) == 0 && (nl = strchr(p, '\n')))
				p = nl + 1;
			nl = strchr(p, '\n');
			snprintf(first, sizeof first, "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
			if (nl)
				rows++;
		}
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE)
		snprintf(first, sizeof first, "%s", sqlite3_errmsg(l->db));
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	if (rc == SQLITE_DONE && rows == 1 && strcmp(first, "ok") == 0)
		return 0;
	return swn_err_set(err, SWN_E_DB, l->path, 0,
			   "the ledger database is damaged (quick_check: %s%s); the node does not start on it: "
			   "stop, keep copies of the file and its -wal, and restore it from a backup "
			   "(docs/ledger.md, Damage)", first, rows > 1 ? "; and more" : "");
}

void swn_ledger_close(struct swn_ledger *l)
{
	if (l == NULL)
		return;

	EVP_PKEY_free(l->key);
	sqlite3_finalize(l->tree_get_st);
	sqlite3_finalize(l->tree_put_st);
	for (size_t i = 0; i < sizeof l->batch_st / sizeof l->batch_st[0]; i++)
		sqlite3_finalize(l->batch_st[i]);
	sqlite3_close(l->db);
	pthread_mutex_destroy(&l->lock);
	pthread_mutex_destroy(&l->qlock);
	free(l);
}

const char *swn_ledger_note(const struct swn_ledger *l)
{
	return l->note;
}

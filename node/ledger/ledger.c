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

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "base/swn_limits.h"
#include "base/buf.h"
#include "trust/checkpoint.h"
#include "base/escape.h"
#include "base/fsutil.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/proof.h"
#include "trust/pki.h"
#include "base/stamp.h"

/* A received message is placed in spool/in once and acknowledged by the
 * domestic side once, whatever races: added to ledgers made before too. */
#define PLACED_ONCE_SQL \
	"CREATE UNIQUE INDEX IF NOT EXISTS entries_placed_once ON entries(peer, msgid)" \
	"  WHERE direction = 'in' AND event = 'DELIVERED_LOCAL';" \
	"CREATE UNIQUE INDEX IF NOT EXISTS entries_acknowledged_once ON entries(peer, msgid)" \
	"  WHERE direction = 'in' AND event = 'ACKNOWLEDGED_LOCAL';"

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

struct pending;

struct swn_ledger {
	sqlite3 *db;
	char path[1024];
	pthread_mutex_t lock;
	EVP_PKEY *key;                     /* Ed25519 ledger key; NULL: read-only use */
	char origin[600];
	struct swn_merkle_frontier fr;     /* right edge of the tree */
	int fr_valid;                      /* fr matches the database */
	/* group commit: entries waiting, and whether a commit is running */
	pthread_mutex_t qlock;
	struct pending *queue, **qtail;
	int committing;
	unsigned long long batches;
	/* Prepared once: the tree is read and written a few times per entry
	 * (preparing each time was most of `ledger verify`).  Used with lock
	 * held, or at open before anyone else has the ledger. */
	sqlite3_stmt *tree_get_st, *tree_put_st;
	sqlite3_stmt *batch_st[12];        /* the commit's statements (batch_sql) */
	char note[300];                    /* for the operator, from opening */
};

/* ---- canonical entry bytes and the tree ---- */

static void put_u32(struct swn_buf *b, uint32_t v, struct swn_err *err)
{
	unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	(void)!swn_buf_add(b, x, 4, err);
}

int swn_ledger_entry_bytes(long long seq, const char *const fields[8],
			   const unsigned char *evidence, struct swn_buf *out,
			   struct swn_err *err)
{
	unsigned char head[9];
	int i;

	head[0] = 0x01;
	for (i = 0; i < 8; i++)
		head[1 + i] = (unsigned char)((unsigned long long)seq >> (56 - 8 * i));
	if (swn_buf_add(out, head, sizeof head, err) < 0)
		return -1;
	for (i = 0; i < 8; i++) {
		if (fields[i] == NULL) {
			put_u32(out, 0xFFFFFFFFu, err);
			continue;
		}
		put_u32(out, (uint32_t)strlen(fields[i]), err);
		(void)!swn_buf_add(out, fields[i], strlen(fields[i]), err);
	}
	if (evidence) {
		(void)!swn_buf_add(out, "\x01", 1, err);
		(void)!swn_buf_add(out, evidence, 32, err);
	} else {
		(void)!swn_buf_add(out, "\x00", 1, err);
	}
	return err->code == SWN_OK ? 0 : -1;
}

/* The cached statement *st for sql, prepared on first use. */
static sqlite3_stmt *cached(struct swn_ledger *l, sqlite3_stmt **st, const char *sql)
{
	if (*st == NULL &&
	    sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return *st;
}

static int tree_get(void *ctx, unsigned level, uint64_t index, unsigned char out[32])
{
	struct swn_ledger *l = ctx;
	sqlite3_stmt *st = cached(l, &l->tree_get_st, "SELECT hash FROM tree WHERE level = ? AND idx = ?");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(out, sqlite3_column_blob(st, 0), 32);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

static int tree_put(void *ctx, unsigned level, uint64_t index, const unsigned char hash[32])
{
	struct swn_ledger *l = ctx;
	sqlite3_stmt *st = cached(l, &l->tree_put_st, "INSERT INTO tree(level, idx, hash) VALUES (?, ?, ?)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	return rc;
}

static long long max_seq(struct swn_ledger *l)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(l->db, "SELECT coalesce(max(seq), 0) FROM entries", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

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
	long long n = max_seq(l);

	if (n < 0)
		return swn_err_set(err, SWN_E_DB, l->path, 0, "cannot read the ledger size");
	if (l->fr_valid && (long long)l->fr.size == n)
		return 0;
	swn_merkle_frontier_init(&l->fr);
	if (n > 0 && swn_merkle_frontier_load(&l->fr, (uint64_t)n, tree_get, l, err) < 0)
		return swn_err_set(err, SWN_E_DB, l->path, 0,
				   "the ledger tree does not match its %lld entries: run swnode ledger verify", n);
	/* What is on disk must be what this node signed last: never extend
	 * (and so sign) a tree someone rewrote behind the node's back. */
	if (n > 0 && l->key && signed_tree_matches(l, (uint64_t)n, err) < 0)
		return -1;
	l->fr_valid = 1;
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

int swn_ledger_open(const char *path, EVP_PKEY *key, const char *party,
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
	if (version != SWN_LEDGER_SCHEMA_VERSION) {
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
	}
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

static int fail_db(struct swn_ledger *l, const char *what, struct swn_err *err)
{
	return swn_err_set(err, SWN_E_DB, l->path, 0, "%s: %s", what, swn_ledger_errmsg(l->db));
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* One entry waiting for the next group commit. */
struct pending {
	const struct swn_event *ev;
	const void *evidence;
	size_t len;
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
enum { Q_EVIDENCE, Q_ENTRY, Q_QUEUE, Q_UPDATE, Q_WITNESS, Q_CHECKPOINT, Q_BEGIN, Q_COMMIT,
       Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO, Q_COUNT };
static const char *const batch_sql[Q_COUNT] = {
	[Q_EVIDENCE] = "INSERT OR IGNORE INTO evidence(digest, body) VALUES (?, ?)",
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
	return cached(l, &l->batch_st[which], batch_sql[which]);
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
	if (p->evidence)
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
		if (swn_ledger_entry_bytes(p->seq, fields, p->evidence ? digest : NULL, &bytes, &p->err) < 0 ||
		    swn_merkle_leaf_hash(bytes.data, bytes.len, leaf) < 0 ||
		    swn_merkle_frontier_append(&l->fr, leaf, tree_put, l, &p->err) < 0) {
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

unsigned long long swn_ledger_batches(struct swn_ledger *l)
{
	return l->batches;
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

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

/* The first column of the first row of sql with two text parameters into
 * out (size n; NULL: only whether there is a row): 1 a row, 0 none, -1
 * error.  A read error is never taken for "no row". */
static int first_text(struct swn_ledger *l, const char *sql, const char *p1, const char *p2,
		      char *out, size_t n, struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read the ledger", err);
		goto out;
	}
	bind_text(st, 1, p1);
	bind_text(st, 2, p2);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (out)
			snprintf(out, n, "%s", col(st, 0));
		rc = 1;
	} else if (step != SQLITE_DONE) {
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
	return first_text(l, "SELECT event FROM entries WHERE msgid = ? AND direction = ?"
			     " ORDER BY seq DESC LIMIT 1", msgid, direction, event, n, err);
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

int swn_ledger_undelivered(struct swn_ledger *l, long long after, swn_entry_fn fn, void *ctx,
			   struct swn_err *err)
{
	struct row {
		long long seq;
		char *peer, *agreement, *doctype, *msgid;
	} *rows = NULL, *grown, *r;
	sqlite3_stmt *st = NULL;
	size_t n = 0, i;
	int rc = 0, step = SQLITE_DONE;

	/* Collected first, called after: the callbacks use the ledger too.
	 * A read that fails is an error, never the end of the list: a
	 * document left out would silently stay undelivered. */
	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db,
			       "SELECT r.seq, r.peer, r.agreement, r.doctype, r.msgid FROM entries r"
			       " WHERE r.seq > ? AND r.direction = 'in' AND r.event = 'RECEIVED' AND NOT EXISTS"
			       " (SELECT 1 FROM entries d WHERE d.direction = 'in' AND d.peer = r.peer"
			       " AND d.msgid = r.msgid AND d.event = 'DELIVERED_LOCAL') ORDER BY r.seq LIMIT "
			       SWN_LEDGER_PAGE_S, -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read the ledger", err);
	} else {
		sqlite3_bind_int64(st, 1, after);
		while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
			if (!(grown = realloc(rows, sizeof *rows * (n + 1)))) {
				rc = swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
				break;
			}
			rows = grown;
			r = &rows[n++];
			r->seq = sqlite3_column_int64(st, 0);
			r->peer = strdup(col(st, 1));
			r->agreement = strdup(col(st, 2));
			r->doctype = strdup(col(st, 3));
			r->msgid = strdup(col(st, 4));
			if (!r->peer || !r->agreement || !r->doctype || !r->msgid)
				rc = swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		}
		if (rc == 0 && step != SQLITE_DONE)
			rc = fail_db(l, "cannot read the ledger", err);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	for (i = 0; i < n; i++) {
		if (rc == 0)
			fn(ctx, rows[i].seq, "", "in", rows[i].peer, rows[i].agreement, rows[i].doctype,
			   rows[i].msgid, "RECEIVED", NULL);
		free(rows[i].peer);
		free(rows[i].agreement);
		free(rows[i].doctype);
		free(rows[i].msgid);
	}
	free(rows);
	return rc < 0 ? rc : (int)n;
}

const char *swn_ledger_note(const struct swn_ledger *l)
{
	return l->note;
}

int swn_ledger_placement(struct swn_ledger *l, long long received, struct swn_ledger_placed *p,
			 struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	memset(p, 0, sizeof *p);
	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db,
			       "SELECT r.peer, r.msgid, r.agreement, r.doctype, d.reason, d.evidence"
			       " FROM entries r LEFT JOIN entries d"
			       " ON d.direction = 'in' AND d.peer = r.peer AND d.msgid = r.msgid"
			       " AND d.event = 'DELIVERED_LOCAL'"
			       " WHERE r.seq = ? AND r.direction = 'in' AND r.event = 'RECEIVED'",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read the ledger", err);
		goto out;
	}
	sqlite3_bind_int64(st, 1, received);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(p->peer, sizeof p->peer, "%s", col(st, 0));
		snprintf(p->msgid, sizeof p->msgid, "%s", col(st, 1));
		snprintf(p->agreement, sizeof p->agreement, "%s", col(st, 2));
		snprintf(p->doctype, sizeof p->doctype, "%s", col(st, 3));
		rc = 1;
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			snprintf(p->file, sizeof p->file, "%s", col(st, 4));
			if (sqlite3_column_bytes(st, 5) == 32) {
				memcpy(p->digest, sqlite3_column_blob(st, 5), 32);
				p->has_digest = 1;
			}
			rc = 2;
		}
	} else if (step != SQLITE_DONE) {
		rc = fail_db(l, "cannot read the ledger", err);
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int swn_ledger_unacknowledged(struct swn_ledger *l, long long after, long long limit,
			      swn_entry_fn fn, void *ctx, struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db,
			       "SELECT r.seq, d.time, r.peer, r.agreement, r.doctype, r.msgid, d.reason"
			       " FROM entries r JOIN entries d ON d.direction = 'in' AND d.peer = r.peer"
			       " AND d.msgid = r.msgid AND d.event = 'DELIVERED_LOCAL'"
			       " WHERE r.seq > ? AND r.direction = 'in' AND r.event = 'RECEIVED' AND NOT EXISTS"
			       " (SELECT 1 FROM entries a WHERE a.direction = 'in' AND a.peer = r.peer"
			       " AND a.msgid = r.msgid AND a.event = 'ACKNOWLEDGED_LOCAL')"
			       " ORDER BY r.seq LIMIT ?", -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read the ledger", err);
		goto out;
	}
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, limit);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(st, 0), col(st, 1), "in", col(st, 2), col(st, 3),
		   col(st, 4), col(st, 5), "DELIVERED_LOCAL", col(st, 6));
	if (step != SQLITE_DONE)
		rc = fail_db(l, "cannot read the ledger", err);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int swn_ledger_acknowledged(struct swn_ledger *l, const char *peer, const char *msgid,
			    struct swn_err *err)
{
	return first_text(l, "SELECT 1 FROM entries WHERE msgid = ? AND direction = 'in' AND peer = ?"
			     " AND event = 'ACKNOWLEDGED_LOCAL'", msgid, peer, NULL, 0, err);
}

/* ---- reading: checkpoints, proofs, verification, queries ---- */

uint64_t swn_ledger_size(struct swn_ledger *l)
{
	long long n;

	pthread_mutex_lock(&l->lock);
	n = max_seq(l);
	pthread_mutex_unlock(&l->lock);
	return n < 0 ? 0 : (uint64_t)n;
}

int swn_ledger_checkpoint(struct swn_ledger *l, uint64_t size, char *note, size_t n,
			  struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db, size ? "SELECT note FROM checkpoints WHERE size = ? ORDER BY id DESC LIMIT 1"
					   : "SELECT note FROM checkpoints ORDER BY size DESC, id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read checkpoints", err);
	} else {
		if (size)
			sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(note, n, "%s", col(st, 0));
			rc = 1;
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int swn_ledger_prove(struct swn_ledger *l, int inclusion, uint64_t a, uint64_t b,
		     struct swn_proof *p, struct swn_err *err)
{
	uint64_t size;
	int rc = -1;

	memset(p, 0, sizeof *p);
	pthread_mutex_lock(&l->lock);
	size = (uint64_t)max_seq(l);
	if (inclusion) {
		/* a = seq (1-based), b = tree size */
		if (a < 1 || a > b || b > size) {
			swn_err_set(err, SWN_E_USAGE, NULL, 0,
				    "no entry %llu in a tree of %llu (the ledger has %llu entries)",
				    (unsigned long long)a, (unsigned long long)b, (unsigned long long)size);
			goto out;
		}
		p->type = SWN_PROOF_INCLUSION;
		p->a = a - 1;
		p->b = b;
		if (tree_get(l, 0, a - 1, p->h1) < 0 ||
		    swn_merkle_root(b, tree_get, l, p->h2, err) < 0 ||
		    swn_merkle_inclusion_proof(a - 1, b, tree_get, l, p->path, &p->n, err) < 0)
			goto out;
	} else {
		if (a > b || b > size) {
			swn_err_set(err, SWN_E_USAGE, NULL, 0,
				    "cannot prove %llu -> %llu (the ledger has %llu entries)",
				    (unsigned long long)a, (unsigned long long)b, (unsigned long long)size);
			goto out;
		}
		p->type = SWN_PROOF_CONSISTENCY;
		p->a = a;
		p->b = b;
		if (swn_merkle_root(a, tree_get, l, p->h1, err) < 0 ||
		    swn_merkle_root(b, tree_get, l, p->h2, err) < 0 ||
		    swn_merkle_consistency_proof(a, b, tree_get, l, p->path, &p->n, err) < 0)
			goto out;
	}
	rc = 0;
out:
	pthread_mutex_unlock(&l->lock);
	if (rc < 0 && err->code == SWN_OK)
		swn_err_set(err, SWN_E_DB, l->path, 0, "the ledger tree is incomplete: run swnode ledger verify");
	return rc;
}

/* While verifying: every subtree recomputed must equal the stored one
 * (proofs are built from them). */
struct tree_check {
	struct swn_ledger *l;
	int bad;
	unsigned level;
	uint64_t index;
};

static int compare_store(void *ctx, unsigned level, uint64_t index, const unsigned char hash[32])
{
	struct tree_check *c = ctx;
	unsigned char stored[32];

	/* Leaves (level 0) are compared by verify's ordered scan instead. */
	if (level > 0 && !c->bad &&
	    (tree_get(c->l, level, index, stored) < 0 || memcmp(stored, hash, 32) != 0)) {
		c->bad = 1;
		c->level = level;
		c->index = index;
	}
	return 0;
}

/* SQLite's integrity_check (lock held): every index entry against its
 * table, every page.  A problem goes into v->index_problem. */
static int check_indexes(struct swn_ledger *l, struct swn_ledger_verdict *v, struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, rows = 0;

	rc = sqlite3_prepare_v2(l->db, "PRAGMA integrity_check(5)", -1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = col(st, 0);

		if (rows++ == 0 && strcmp(t, "ok") != 0)
			snprintf(v->index_problem, sizeof v->index_problem, "%s", t);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail_db(l, "cannot check the ledger's indexes", err);
	return 0;
}

int swn_ledger_verify(struct swn_ledger *l, const unsigned char pub[32], const char *origin,
		      struct swn_ledger_verdict *v, struct swn_err *err)
{
	struct swn_merkle_frontier fr;
	struct tree_check tc = { l, 0, 0, 0 };
	sqlite3_stmt *st = NULL, *ev = NULL, *cp = NULL, *lv = NULL;
	long long expect = 1;
	int step = SQLITE_DONE, cp_row, lv_row, cp_rc, lv_rc, rc = -1;

	memset(v, 0, sizeof *v);
	swn_merkle_frontier_init(&fr);
	swn_merkle_frontier_root(&fr, v->root);  /* an empty ledger's root is SHA-256("") */
	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db, "SELECT seq, time, direction, peer, agreement, doctype, msgid, event,"
				      " reason, evidence FROM entries ORDER BY seq", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, "SELECT body FROM evidence WHERE digest = ?", -1, &ev, NULL) != SQLITE_OK ||
	    /* Checkpoints and leaves are read in order beside the entries,
	     * not looked up one by one: a million point queries each. */
	    sqlite3_prepare_v2(l->db, "SELECT size, note FROM checkpoints ORDER BY size", -1, &cp, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, "SELECT idx, hash FROM tree WHERE level = 0 ORDER BY idx", -1, &lv,
			       NULL) != SQLITE_OK) {
		fail_db(l, "cannot read the ledger", err);
		goto out;
	}
	cp_row = (cp_rc = sqlite3_step(cp)) == SQLITE_ROW;
	lv_row = (lv_rc = sqlite3_step(lv)) == SQLITE_ROW;
	/* Checkpoints of the empty tree (a node signs one while idle before
	 * its first entry): signed, and of the empty root. */
	for (; cp_row && sqlite3_column_int64(cp, 0) == 0 && !v->bad_entry;
	     cp_row = (cp_rc = sqlite3_step(cp)) == SQLITE_ROW) {
		struct swn_err e;
		uint64_t csize;
		unsigned char croot[32];
		const char *note = col(cp, 1);

		swn_err_clear(&e);
		if (pub && (swn_checkpoint_verify(note, strlen(note), origin, pub, &csize, croot, &e) < 0 ||
			    csize != 0 || memcmp(croot, v->root, 32) != 0)) {
			v->bad_entry = 1;
			snprintf(v->problem, sizeof v->problem, "the checkpoint of the empty ledger: %s",
				 e.msg[0] ? e.msg : "it signs a tree that is not empty");
			break;
		}
		v->checkpoints++;
	}
	while (!v->bad_entry && (step = sqlite3_step(st)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(st, 0);
		const char *f[8];
		const unsigned char *dg = NULL;
		unsigned char leaf[32], root[32], md[32], croot[32];
		struct swn_buf bytes;
		int i, have_root = 0;

		if (seq != expect) {
			v->bad_entry = expect;
			snprintf(v->problem, sizeof v->problem,
				 "entry %lld is missing: the entry after %lld is %lld (rows deleted or renumbered)",
				 expect, expect - 1, seq);
			break;
		}
		for (i = 0; i < 8; i++) {
			int type = sqlite3_column_type(st, 1 + i);

			/* Fields are text exactly: a BLOB or a NUL inside would
			 * encode alike but hide the entry from queries. */
			if (type == SQLITE_NULL && i == 7) {
				f[i] = NULL;
				continue;
			}
			if (type != SQLITE_TEXT ||
			    (size_t)sqlite3_column_bytes(st, 1 + i) != strlen(col(st, 1 + i)))
				break;
			f[i] = col(st, 1 + i);
		}
		if (i < 8) {
			v->bad_entry = seq;
			snprintf(v->problem, sizeof v->problem,
				 "entry %lld: a field is not plain text (its type or bytes were changed)", seq);
			break;
		}
		if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
			if (sqlite3_column_bytes(st, 9) != 32) {
				v->bad_entry = seq;
				snprintf(v->problem, sizeof v->problem, "entry %lld: its evidence digest is not 32 bytes", seq);
				break;
			}
			dg = sqlite3_column_blob(st, 9);
			/* The evidence must still be the bytes the entry names. */
			sqlite3_reset(ev);
			sqlite3_bind_blob(ev, 1, dg, 32, SQLITE_TRANSIENT);
			if (sqlite3_step(ev) != SQLITE_ROW) {
				v->bad_entry = seq;
				snprintf(v->problem, sizeof v->problem, "entry %lld: its evidence is missing", seq);
				break;
			}
			SHA256(sqlite3_column_blob(ev, 0), (size_t)sqlite3_column_bytes(ev, 0), md);
			if (memcmp(md, dg, 32) != 0) {
				v->bad_entry = seq;
				snprintf(v->problem, sizeof v->problem,
					 "entry %lld: its evidence was changed (SHA-256 no longer matches)", seq);
				break;
			}
		}
		swn_buf_init(&bytes, SWN_MAX_ENTRY_BYTES);
		tc.bad = 0;
		if (swn_ledger_entry_bytes(seq, f, dg, &bytes, err) < 0 ||
		    swn_merkle_leaf_hash(bytes.data, bytes.len, leaf) < 0 ||
		    swn_merkle_frontier_append(&fr, leaf, compare_store, &tc, err) < 0) {
			swn_buf_free(&bytes);
			goto out;
		}
		swn_buf_free(&bytes);
		while (lv_row && sqlite3_column_int64(lv, 0) < seq - 1)
			lv_row = (lv_rc = sqlite3_step(lv)) == SQLITE_ROW;
		if (lv_rc != SQLITE_ROW && lv_rc != SQLITE_DONE)
			break;   /* a read error, not a missing leaf: below */
		if (!lv_row || sqlite3_column_int64(lv, 0) != seq - 1 || sqlite3_column_bytes(lv, 1) != 32 ||
		    memcmp(sqlite3_column_blob(lv, 1), leaf, 32) != 0) {
			v->bad_entry = seq;
			snprintf(v->problem, sizeof v->problem,
				 "entry %lld does not match its leaf in the tree: the row was changed", seq);
			break;
		}
		if (tc.bad) {
			v->bad_entry = seq;
			snprintf(v->problem, sizeof v->problem,
				 "the stored tree node (level %u, index %llu) completed by entry %lld was changed",
				 tc.level, (unsigned long long)tc.index, seq);
			break;
		}
		while (cp_row && sqlite3_column_int64(cp, 0) < seq)
			cp_row = (cp_rc = sqlite3_step(cp)) == SQLITE_ROW;
		for (; cp_row && sqlite3_column_int64(cp, 0) == seq;
		     cp_row = (cp_rc = sqlite3_step(cp)) == SQLITE_ROW) {
			struct swn_err e;
			uint64_t csize;
			const char *note = col(cp, 1);

			if (!have_root) {
				swn_merkle_frontier_root(&fr, root);
				have_root = 1;
			}
			swn_err_clear(&e);
			if (pub && swn_checkpoint_verify(note, strlen(note), origin, pub, &csize, croot, &e) < 0) {
				v->bad_entry = seq;
				snprintf(v->problem, sizeof v->problem, "checkpoint %lld: %s", seq, e.msg);
				break;
			}
			if (pub && (csize != (uint64_t)seq || memcmp(croot, root, 32) != 0)) {
				v->bad_entry = seq;
				snprintf(v->problem, sizeof v->problem,
					 "checkpoint %lld signs another tree: an entry up to %lld was changed, inserted or reordered",
					 seq, seq);
				break;
			}
			v->checkpoints++;
			v->last_checkpoint = seq;
		}
		if (v->bad_entry)
			break;
		v->entries = seq;
		expect++;
	}
	if (v->bad_entry == 0 && v->entries > 0)
		swn_merkle_frontier_root(&fr, v->root);
	if (v->bad_entry == 0 && ((step != SQLITE_ROW && step != SQLITE_DONE) ||
				  (cp_rc != SQLITE_ROW && cp_rc != SQLITE_DONE) ||
				  (lv_rc != SQLITE_ROW && lv_rc != SQLITE_DONE))) {
		fail_db(l, "cannot read the ledger", err);
		goto out;
	}
	if (v->bad_entry == 0) {
		long long top = 0;

		sqlite3_finalize(cp);
		cp = NULL;
		if (sqlite3_prepare_v2(l->db, "SELECT coalesce(max(size), 0) FROM checkpoints", -1, &cp, NULL) == SQLITE_OK &&
		    sqlite3_step(cp) == SQLITE_ROW)
			top = sqlite3_column_int64(cp, 0);
		sqlite3_finalize(cp);
		cp = NULL;
		if (sqlite3_prepare_v2(l->db, "SELECT count(*) FROM checkpoints WHERE size < 0 OR size > ?",
				       -1, &cp, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(cp, 1, v->entries);
			if (sqlite3_step(cp) == SQLITE_ROW && sqlite3_column_int64(cp, 0) > 0 && top <= v->entries) {
				v->bad_entry = v->entries + 1;
				snprintf(v->problem, sizeof v->problem,
					 "%lld checkpoint rows name sizes this ledger does not have: inserted",
					 (long long)sqlite3_column_int64(cp, 0));
			}
		}
		if (v->bad_entry) {
			/* reported above */
		} else if (top > v->entries) {
			v->bad_entry = v->entries + 1;
			snprintf(v->problem, sizeof v->problem,
				 "the ledger ends at entry %lld but checkpoint %lld was signed: entries %lld to %lld are missing (truncated)",
				 v->entries, top, v->entries + 1, top);
		} else if (pub && v->entries > v->last_checkpoint) {
			v->bad_entry = v->last_checkpoint + 1;
			snprintf(v->problem, sizeof v->problem,
				 "entries %lld to %lld are covered by no signed checkpoint: added outside the node",
				 v->last_checkpoint + 1, v->entries);
		}
	}
	/* The rows are sound; the indexes that queries, status and export
	 * read through must agree with them (an index rebuilt partial under
	 * its old definition would hide entries from all three). */
	if (v->bad_entry == 0 && check_indexes(l, v, err) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ev);
	sqlite3_finalize(cp);
	sqlite3_finalize(lv);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int swn_ledger_query(struct swn_ledger *l, const struct swn_ledger_filter *q, swn_entry_fn fn,
		     void *ctx, struct swn_err *err)
{
	char sql[1200];
	const char *vals[9];
	int nv = 0, i, step, rc = 0;
	sqlite3_stmt *st = NULL;
	size_t len;

	len = (size_t)snprintf(sql, sizeof sql, "SELECT " ENTRY_COLUMNS " FROM entries WHERE 1");
#define FILTER(field, cond) \
	if (q->field && *q->field) { \
		len += (size_t)snprintf(sql + len, sizeof sql - len, " AND " cond); \
		vals[nv++] = q->field; \
	}
	FILTER(peer, "peer = ?")
	FILTER(agreement, "agreement = ?")
	FILTER(doctype, "doctype = ?")
	FILTER(direction, "direction = ?")
	FILTER(event, "event = ?")
	FILTER(msgid, "msgid = ?")
	FILTER(since, "time >= ?")
	FILTER(until, "time < ?")
#undef FILTER
	snprintf(sql + len, sizeof sql - len, " ORDER BY seq LIMIT %lld", q->limit > 0 ? q->limit : -1LL);
	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot query the ledger", err);
		goto out;
	}
	for (i = 0; i < nv; i++)
		bind_text(st, i + 1, vals[i]);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(st, 0), col(st, 1), col(st, 2), col(st, 3),
		   col(st, 4), col(st, 5), col(st, 6), col(st, 7),
		   sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL : col(st, 8));
	if (step != SQLITE_DONE)
		rc = fail_db(l, "cannot query the ledger", err);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int swn_ledger_entry_evidence_digest(struct swn_ledger *l, long long seq, unsigned char d[32],
				     struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db, "SELECT evidence FROM entries WHERE seq = ?", -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read the ledger", err);
	} else {
		sqlite3_bind_int64(st, 1, seq);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
			memcpy(d, sqlite3_column_blob(st, 0), 32);
			rc = 1;
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int swn_ledger_witness_list(struct swn_ledger *l, const char *peer, swn_witness_fn fn, void *ctx,
			    struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db, "SELECT size, root, note, msgid, leaf_index, received FROM witness"
				      " WHERE peer = ? ORDER BY size", -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read peer checkpoints", err);
		goto out;
	}
	bind_text(st, 1, peer);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_bytes(st, 1) == 32)
			fn(ctx, (uint64_t)sqlite3_column_int64(st, 0), sqlite3_column_blob(st, 1), col(st, 2),
			   col(st, 3), sqlite3_column_int64(st, 4), col(st, 5));
	if (step != SQLITE_DONE)
		rc = fail_db(l, "cannot read peer checkpoints", err);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int swn_ledger_entry_time(struct swn_ledger *l, long long seq, char *out, size_t n,
			  struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db, "SELECT time FROM entries WHERE seq = ?", -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read the ledger", err);
	} else {
		sqlite3_bind_int64(st, 1, seq);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(out, n, "%s", col(st, 0));
			rc = 1;
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

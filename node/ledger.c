/* ledger.c - ledger database creation; see ledger.h. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

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
	"CREATE INDEX entries_msgid ON entries(msgid);"
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

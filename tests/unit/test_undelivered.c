/* Unit tests: the received documents still to place in spool/in
 * (swn_ledger_undelivered in ledger.h). */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ledger/ledger.h"
#include "testlib.h"

#define ENTRIES 20

static char dir[] = "/tmp/swn-undelivered.XXXXXX";
static char path[64];

static void count(void *ctx, long long seq, const char *time, const char *direction,
		  const char *peer, const char *agreement, const char *doctype,
		  const char *msgid, const char *event, const char *reason)
{
	(void)seq; (void)time; (void)direction; (void)peer; (void)agreement;
	(void)doctype; (void)msgid; (void)event; (void)reason;
	(*(int *)ctx)++;
}

/* A ledger with ENTRIES RECEIVED entries, about two to a page. */
static void make_ledger(void)
{
	static char reason[2000];
	struct swn_ledger *l;
	struct swn_err err;
	char msgid[32];
	int i;

	memset(reason, 'r', sizeof reason - 1);
	swn_err_clear(&err);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ledger.db", dir);
	ck_assert_int_eq(swn_ledger_create(path, "CN-SW", &err), 0);
	ck_assert_int_eq(swn_ledger_open(path, dir, NULL, "CN-SW", &l, &err), 0);
	for (i = 0; i < ENTRIES; i++) {
		struct swn_event ev = { "in", "SG-NTP", "AB", "ephyto", msgid, "RECEIVED", reason };

		snprintf(msgid, sizeof msgid, "m%d@SG-NTP", i);
		ck_assert_msg(swn_ledger_append(l, &ev, NULL, 0, NULL, &err) == 0, "%s", err.msg);
	}
	swn_ledger_close(l);
}

/* Overwrite the first leaf page of the entries table: reading the oldest
 * entries then fails (SQLITE_CORRUPT), the newest still read. */
static void damage_first_leaf(void)
{
	unsigned char page[65536], junk[65536];
	sqlite3 *db;
	sqlite3_stmt *st;
	long root, size, child;
	unsigned cell;
	int fd;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT rootpage, (SELECT page_size FROM pragma_page_size)"
					    " FROM sqlite_schema WHERE name = 'entries'", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	root = sqlite3_column_int64(st, 0);
	size = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert(size > 0 && size <= (long)sizeof page && root > 1);
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, page, (size_t)size, (root - 1) * size), size);
	ck_assert_int_eq(page[0], 0x05);   /* an interior table page: the table spans pages */
	cell = (unsigned)page[12] << 8 | page[13];
	child = (long)page[cell] << 24 | (long)page[cell + 1] << 16 | (long)page[cell + 2] << 8 | page[cell + 3];
	memset(junk, 0xA5, sizeof junk);
	ck_assert_int_eq(pwrite(fd, junk, (size_t)size, (child - 1) * size), size);
	close(fd);
}

static void remove_ledger(void)
{
	char other[80];

	unlink(path);
	snprintf(other, sizeof other, "%s-wal", path);
	unlink(other);
	snprintf(other, sizeof other, "%s-shm", path);
	unlink(other);
	rmdir(dir);
}

START_TEST(a_read_error_is_reported)
{
	struct swn_ledger *l;
	struct swn_err err;
	int n = 0;

	make_ledger();
	swn_err_clear(&err);
	ck_assert_int_eq(swn_ledger_open(path, dir, NULL, "CN-SW", &l, &err), 0);
	ck_assert_int_eq(swn_ledger_undelivered(l, 0, count, &n, &err), ENTRIES);
	ck_assert_int_eq(n, ENTRIES);
	/* Paged from a seq: only what comes after it. */
	n = 0;
	ck_assert_int_eq(swn_ledger_undelivered(l, ENTRIES / 2, count, &n, &err), ENTRIES - ENTRIES / 2);
	ck_assert_int_eq(n, ENTRIES - ENTRIES / 2);
	n = 0;
	ck_assert_int_eq(swn_ledger_undelivered(l, ENTRIES, count, &n, &err), 0);
	swn_ledger_close(l);

	damage_first_leaf();
	n = 0;
	ck_assert_msg(swn_ledger_open(path, dir, NULL, "CN-SW", &l, &err) == 0, "%s", err.msg);
	/* Not "nothing to redeliver": an error, and no partial list. */
	ck_assert_int_eq(swn_ledger_undelivered(l, 0, count, &n, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_DB);
	ck_assert_msg(strstr(err.msg, "cannot read the ledger") != NULL, "%s", err.msg);
	ck_assert_int_eq(n, 0);
	swn_ledger_close(l);
	remove_ledger();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("undelivered");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_read_error_is_reported);
	suite_add_tcase(s, tc);
	return swn_test_run(s);
}

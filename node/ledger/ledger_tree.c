/* ledger_tree.c - the canonical entry bytes (the leaves' data) and the
 * tree table: the stored perfect subtrees, read and written, and the
 * tree's size; see ledger.h and ledger_int.h. */
#include "autoconfig.h"

#include <string.h>

#include <sqlite3.h>

#include "base/buf.h"
#include "ledger/ledger_int.h"

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
sqlite3_stmt *ledger_cached(struct swn_ledger *l, sqlite3_stmt **st, const char *sql)
{
	if (*st == NULL &&
	    sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return *st;
}

int ledger_tree_get(void *ctx, unsigned level, uint64_t index, unsigned char out[32])
{
	struct swn_ledger *l = ctx;
	sqlite3_stmt *st = ledger_cached(l, &l->tree_get_st, "SELECT hash FROM tree WHERE level = ? AND idx = ?");
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

int ledger_tree_put(void *ctx, unsigned level, uint64_t index, const unsigned char hash[32])
{
	struct swn_ledger *l = ctx;
	sqlite3_stmt *st = ledger_cached(l, &l->tree_put_st, "INSERT INTO tree(level, idx, hash) VALUES (?, ?, ?)");
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

long long ledger_max_seq(struct swn_ledger *l)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(l->db, "SELECT coalesce(max(seq), 0) FROM entries", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

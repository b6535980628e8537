/* ledger_read.c - reading the ledger: evidence, history and listings,
 * placements and acknowledgements, queries, checkpoints and proofs,
 * peers' checkpoints; see ledger.h and ledger_int.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

#include <openssl/sha.h>
#include <sqlite3.h>

#include "base/fsutil.h"
#include "ledger/ledger_int.h"
#include "ledger/payloads.h"
#include "ledger/proof.h"

int swn_ledger_event_reason(struct swn_ledger *l, const char *direction, const char *peer,
			    const char *msgid, const char *event, char *out, size_t n,
			    struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	out[0] = '\0';
	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db,
			       "SELECT reason FROM entries"
			       " WHERE msgid = ? AND direction = ? AND event = ? AND peer = ?"
			       " ORDER BY seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		rc = fail_db(l, "cannot read the ledger", err);
	} else {
		bind_text(st, 1, msgid);
		bind_text(st, 2, direction);
		bind_text(st, 3, event);
		bind_text(st, 4, peer);
		switch (sqlite3_step(st)) {
		case SQLITE_ROW:
			rc = swn_str_copy(out, n, col(st, 0)) == 0 && out[0] ? 1 : 0;
			break;
		case SQLITE_DONE:
			break;
		default:
			rc = fail_db(l, "cannot read the ledger", err);
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int swn_ledger_evidence_open(struct swn_ledger *l, const char *direction, const char *peer,
			     const char *msgid, const char *event, struct swn_ledger_source *src,
			     struct swn_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, in_file = 0;

	memset(src, 0, sizeof *src);
	src->fd = -1;
	pthread_mutex_lock(&l->lock);
	/* The database's copy first; a file only where there is none. */
	if (sqlite3_prepare_v2(l->db, l->has_files
			       ? "SELECT e.evidence, v.body, f.length FROM entries e"
				 " LEFT JOIN evidence v ON v.digest = e.evidence"
				 " LEFT JOIN evidence_files f ON f.digest = e.evidence"
				 " WHERE e.msgid = ? AND e.direction = ? AND e.event = ? AND e.peer = ?"
				 " AND (v.digest IS NOT NULL OR f.digest IS NOT NULL)"
				 " ORDER BY e.seq DESC LIMIT 1"
			       : "SELECT e.evidence, v.body, NULL FROM entries e"
				 " JOIN evidence v ON v.digest = e.evidence"
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
	case SQLITE_ROW:
		if (sqlite3_column_bytes(st, 0) != 32) {
			rc = swn_err_set(err, SWN_E_DB, l->path, 0, "an evidence digest is not 32 bytes");
			break;
		}
		memcpy(src->digest, sqlite3_column_blob(st, 0), 32);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			const void *b = sqlite3_column_blob(st, 1);
			int n = sqlite3_column_bytes(st, 1);

			if (!(src->bytes = malloc((size_t)n + 1))) {
				rc = swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
				break;
			}
			memcpy(src->bytes, b, (size_t)n);
			src->bytes[n] = '\0';
			src->len = (uint64_t)n;
		} else {
			sqlite3_int64 n = sqlite3_column_int64(st, 2);

			if (n < 0) {
				rc = swn_err_set(err, SWN_E_DB, l->path, 0, "an evidence file's length is negative");
				break;
			}
			src->len = (uint64_t)n;
			in_file = 1;
		}
		rc = 1;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = fail_db(l, "cannot read the ledger", err);
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&l->lock);
	/* The file is opened without the ledger's lock: it is not the
	 * database, and opening may wait on the disk. */
	if (rc == 1 && in_file && (src->fd = swn_payloads_open(l->home, src->digest, src->len, err)) < 0)
		rc = -1;
	if (rc != 1)
		swn_ledger_source_close(src);
	return rc;
}

void swn_ledger_source_close(struct swn_ledger_source *src)
{
	free(src->bytes);
	src->bytes = NULL;
	if (src->fd >= 0)
		close(src->fd);
	src->fd = -1;
}

int swn_ledger_source_check(struct swn_ledger *l, const struct swn_ledger_source *src,
			    struct swn_err *err)
{
	unsigned char md[32];
	char path[SWN_PATH_MAX + 80];
	uint64_t len = 0;

	if (src->fd < 0)
		return 0;
	if (swn_payloads_path(l->home, src->digest, path, sizeof path, err) < 0)
		return -1;
	if (swn_payloads_sha256(src->fd, &len, md) < 0)
		return swn_err_set(err, SWN_E_IO, path, 0, "cannot read the evidence file");
	if (len != src->len || memcmp(md, src->digest, 32) != 0)
		return swn_err_set(err, SWN_E_IO, path, 0, "the evidence file was changed (its SHA-256 is no "
				   "longer the ledger's): restore payloads/ from a backup");
	return 0;
}

/* src's file read whole into memory and checked against its digest. */
static int read_checked(const struct swn_ledger_source *src, char **bytes, struct swn_err *err)
{
	unsigned char md[32];
	char *b;

	if (src->len > SWN_LEDGER_MAX_READ)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "the evidence is %llu bytes, kept in "
				   "payloads/: more than is read into memory (%u)",
				   (unsigned long long)src->len, SWN_LEDGER_MAX_READ);
	if (!(b = malloc((size_t)src->len + 1)))
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	if (swn_pread_all(src->fd, b, (size_t)src->len, 0) != (size_t)src->len) {
		free(b);
		return swn_err_set(err, SWN_E_IO, NULL, 0, "cannot read an evidence file in payloads/");
	}
	SHA256((const unsigned char *)b, (size_t)src->len, md);
	if (memcmp(md, src->digest, 32) != 0) {
		free(b);
		return swn_err_set(err, SWN_E_IO, NULL, 0, "an evidence file in payloads/ was changed "
				   "(its SHA-256 no longer matches the ledger's)");
	}
	b[src->len] = '\0';
	*bytes = b;
	return 0;
}

int swn_ledger_evidence(struct swn_ledger *l, const char *direction, const char *peer,
			const char *msgid, const char *event, char **bytes, size_t *len,
			unsigned char digest[32], struct swn_err *err)
{
	struct swn_ledger_source src;
	int rc;

	*bytes = NULL;
	*len = 0;
	if ((rc = swn_ledger_evidence_open(l, direction, peer, msgid, event, &src, err)) != 1)
		return rc;
	if (src.fd >= 0) {
		rc = read_checked(&src, bytes, err) < 0 ? -1 : 1;
	} else {
		*bytes = src.bytes;
		src.bytes = NULL;
	}
	if (rc == 1) {
		*len = (size_t)src.len;
		if (digest)
			memcpy(digest, src.digest, 32);
	}
	swn_ledger_source_close(&src);
	return rc;
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
		char *peer, *agreement, *doctype, *msgid, *reason;
	} *rows = NULL, *grown, *r;
	sqlite3_stmt *st = NULL;
	size_t n = 0, i;
	int rc = 0, step = SQLITE_DONE;

	/* Collected first, called after: the callbacks use the ledger too.
	 * A read that fails is an error, never the end of the list: a
	 * document left out would silently stay undelivered. */
	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db,
			       "SELECT r.seq, r.peer, r.agreement, r.doctype, r.msgid, r.reason FROM entries r"
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
			r->reason = strdup(col(st, 5));
			if (!r->peer || !r->agreement || !r->doctype || !r->msgid || !r->reason)
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
			   rows[i].msgid, "RECEIVED", rows[i].reason);
		free(rows[i].reason);
		free(rows[i].peer);
		free(rows[i].agreement);
		free(rows[i].doctype);
		free(rows[i].msgid);
	}
	free(rows);
	return rc < 0 ? rc : (int)n;
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

uint64_t swn_ledger_size(struct swn_ledger *l)
{
	long long n;

	pthread_mutex_lock(&l->lock);
	n = ledger_max_seq(l);
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
	size = (uint64_t)ledger_max_seq(l);
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
		if (ledger_tree_get(l, 0, a - 1, p->h1) < 0 ||
		    swn_merkle_root(b, ledger_tree_get, l, p->h2, err) < 0 ||
		    swn_merkle_inclusion_proof(a - 1, b, ledger_tree_get, l, p->path, &p->n, err) < 0)
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
		if (swn_merkle_root(a, ledger_tree_get, l, p->h1, err) < 0 ||
		    swn_merkle_root(b, ledger_tree_get, l, p->h2, err) < 0 ||
		    swn_merkle_consistency_proof(a, b, ledger_tree_get, l, p->path, &p->n, err) < 0)
			goto out;
	}
	rc = 0;
out:
	pthread_mutex_unlock(&l->lock);
	if (rc < 0 && err->code == SWN_OK)
		swn_err_set(err, SWN_E_DB, l->path, 0, "the ledger tree is incomplete: run swnode ledger verify");
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

/* ledger_verify.c - the ledger recomputed: seq continuity, evidence
 * digests, leaves and subtrees, every signed checkpoint, truncation and
 * unsigned tails, then SQLite's integrity_check; see ledger.h and
 * ledger_int.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

#include <openssl/sha.h>
#include <sqlite3.h>

#include "base/buf.h"
#include "base/swn_limits.h"
#include "ledger/ledger_int.h"
#include "ledger/payloads.h"
#include "trust/checkpoint.h"

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
	    (ledger_tree_get(c->l, level, index, stored) < 0 || memcmp(stored, hash, 32) != 0)) {
		c->bad = 1;
		c->level = level;
		c->index = index;
	}
	return 0;
}

/* SQLite's integrity_check (lock held): every index entry against its
 * table, every page.  A problem goes into v->index_problem. */
/* The SHA-256 of the file that evidence_files names for digest dg into
 * md: 0, or -1 with why (entry seq's evidence is missing or unreadable). */
static int evidence_file(struct swn_ledger *l, sqlite3_stmt *evf, const unsigned char *dg,
			 unsigned char md[32], char *why, size_t n, long long seq)
{
	struct swn_err e;
	uint64_t len = 0;
	sqlite3_int64 want;
	int fd, rc;

	if (evf == NULL)
		goto missing;
	sqlite3_reset(evf);
	sqlite3_bind_blob(evf, 1, dg, 32, SQLITE_TRANSIENT);
	if (sqlite3_step(evf) != SQLITE_ROW)
		goto missing;
	want = sqlite3_column_int64(evf, 0);
	swn_err_clear(&e);
	if (want < 0 || (fd = swn_payloads_open(l->home, dg, (uint64_t)want, &e)) < 0) {
		snprintf(why, n, "entry %lld: its evidence file: %s", seq,
			 want < 0 ? "a negative length is recorded" : e.msg);
		return -1;
	}
	rc = swn_payloads_sha256(fd, &len, md);
	close(fd);
	if (rc < 0 || len != (uint64_t)want) {
		snprintf(why, n, "entry %lld: its evidence file cannot be read whole", seq);
		return -1;
	}
	return 0;
missing:
	snprintf(why, n, "entry %lld: its evidence is missing", seq);
	return -1;
}

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
	sqlite3_stmt *st = NULL, *ev = NULL, *evf = NULL, *cp = NULL, *lv = NULL;
	long long expect = 1;
	int step = SQLITE_DONE, cp_row, lv_row, cp_rc, lv_rc, rc = -1;

	memset(v, 0, sizeof *v);
	swn_merkle_frontier_init(&fr);
	swn_merkle_frontier_root(&fr, v->root);  /* an empty ledger's root is SHA-256("") */
	pthread_mutex_lock(&l->lock);
	if (sqlite3_prepare_v2(l->db, "SELECT seq, time, direction, peer, agreement, doctype, msgid, event,"
				      " reason, evidence FROM entries ORDER BY seq", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, "SELECT body FROM evidence WHERE digest = ?", -1, &ev, NULL) != SQLITE_OK ||
	    (l->has_files && sqlite3_prepare_v2(l->db, "SELECT length FROM evidence_files WHERE digest = ?",
						-1, &evf, NULL) != SQLITE_OK) ||
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
			/* The evidence must still be the bytes the entry names:
			 * in the database, or else in the file it names. */
			sqlite3_reset(ev);
			sqlite3_bind_blob(ev, 1, dg, 32, SQLITE_TRANSIENT);
			if (sqlite3_step(ev) == SQLITE_ROW) {
				SHA256(sqlite3_column_blob(ev, 0), (size_t)sqlite3_column_bytes(ev, 0), md);
			} else if (evidence_file(l, evf, dg, md, v->problem, sizeof v->problem, seq) < 0) {
				v->bad_entry = seq;
				break;
			}
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
	sqlite3_finalize(evf);
	sqlite3_finalize(cp);
	sqlite3_finalize(lv);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

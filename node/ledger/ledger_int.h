/*
 * ledger_int.h - what the ledger's own files share; not for callers (they
 * have ledger.h).
 *
 * The ledger is one module in five files, one concern each:
 *   ledger_open.c    the schema, creating the file, the write-ahead log
 *                    checked before SQLite reads it, opening, quick_check,
 *                    closing
 *   ledger_tree.c    the canonical entry bytes (the leaves' data) and the
 *                    tree table: its perfect subtrees read and written, the
 *                    tree's size
 *   ledger_commit.c  appending: group commit, an appender's group kept whole
 *                    or not at all, the outbox row and peer checkpoint in the
 *                    same transaction, signed checkpoints (and heartbeats)
 *   ledger_read.c    reading: evidence, history and listings, placements,
 *                    queries, checkpoints and proofs, peers' checkpoints
 *   ledger_verify.c  recomputing everything (swn_ledger_verify) and SQLite's
 *                    integrity_check
 *
 * Invariants (of a ledger this node wrote, and what verify checks of any):
 *  - entries: seq is dense: the rows are seq 1..N, no gap and no
 *    duplicate, N the tree's size.  Entry seq is leaf seq-1 of the tree.
 *    A new entry gets seq = fr.size + 1 inside a write transaction
 *    (BEGIN IMMEDIATE) in which the frontier was first made to match the
 *    stored tree (sync_frontier), so appenders in other threads and other
 *    processes never take the same seq or leave one out.  Rows are never
 *    changed or deleted (triggers abort it).
 *  - A row's text fields are TEXT without NUL; reason is NULL or text
 *    already escaped (escape.h), and its leaf is hashed from that stored
 *    text.  entries.evidence is NULL or the SHA-256 of an evidence row's
 *    body.
 *  - tree: (level, idx, hash) for every perfect subtree completed so far.
 *    Level 0 index seq-1 is the RFC 9162 leaf hash of entry seq's canonical
 *    bytes (ledger.h, swn_ledger_entry_bytes); level k index i hashes the
 *    2^k leaves from i * 2^k.  There is no hash chain: the Merkle tree is
 *    what makes a changed, removed, inserted or reordered row visible.
 *    Written in the transaction of the entry that completes a subtree,
 *    never changed.
 *  - checkpoints: with a key, every committed batch that added entries
 *    stores one note signing (size, root) of the tree after it, in the
 *    same transaction; a heartbeat signs the current tree again.  Only a
 *    tree whose newest checkpoint verifies under the node's key and signs
 *    the stored root is extended (signed_tree_matches).
 *  - An appender's group (pending.group_n > 0 on its first entry: SENT with
 *    its outcome, say) is committed in one savepoint: all of it or none.
 *    One failing entry fails its own group only; a transaction that ends
 *    (I/O, memory) fails the whole batch.
 *  - l->fr is the right edge of the stored tree when fr_valid; it is read
 *    and changed only with lock held, inside a write transaction.  Any
 *    transaction that does not commit leaves fr_valid 0, so the next one
 *    reloads it from the tree table.
 *  - lock serialises every use of the connection and of the cached
 *    statements.  qlock guards queue, qtail, committing and each pending's
 *    done; the two are never held together (qlock is released before lock
 *    is taken).
 */
#ifndef SWN_LEDGER_INT_H
#define SWN_LEDGER_INT_H

#include <pthread.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "base/err.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"

struct pending;   /* an entry waiting for the group commit (ledger_commit.c) */

struct swn_ledger {
	sqlite3 *db;
	char path[1024];
	char home[1024];                   /* the node directory: payloads/ holds evidence kept by reference */
	int has_files;                     /* the evidence_files table is there */
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
	sqlite3_stmt *batch_st[13];        /* the commit's statements (batch_sql) */
	char note[300];                    /* for the operator, from opening */
};

/* ---- ledger_tree.c ---- */

/* The cached statement *st for sql, prepared on first use (NULL if it
 * cannot be).  Lock held. */
sqlite3_stmt *ledger_cached(struct swn_ledger *l, sqlite3_stmt **st, const char *sql);

/* The subtree store of merkle.h over the tree table (ctx: the ledger).
 * Lock held. */
int ledger_tree_get(void *ctx, unsigned level, uint64_t index, unsigned char out[32]);
int ledger_tree_put(void *ctx, unsigned level, uint64_t index, const unsigned char hash[32]);

/* The largest seq (the tree's size), 0 if empty, -1 if it cannot be read.
 * Lock held. */
long long ledger_max_seq(struct swn_ledger *l);

/* ---- small helpers every file uses ---- */

/* err: "WHAT: SQLite's message" for the ledger's file; returns -1. */
static inline int fail_db(struct swn_ledger *l, const char *what, struct swn_err *err)
{
	return swn_err_set(err, SWN_E_DB, l->path, 0, "%s: %s", what, swn_ledger_errmsg(l->db));
}

/* Bind text (copied), or NULL for v NULL. */
static inline void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Column i as text, "" for NULL. */
static inline const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

#endif

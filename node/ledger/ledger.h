/*
 * ledger.h - the node's exchange ledger (SQLite).
 *
 * The ledger records every exchange as append-only entries, with the exact
 * signed messages and receipts kept as evidence.  Each entry is a leaf of
 * an RFC 9162 Merkle tree (leaf data: the canonical entry bytes below), and
 * every append also stores the tree's new perfect subtrees and a checkpoint
 * signed with the node's Ed25519 ledger key, in the same transaction.
 *
 * Canonical entry bytes, version 1 (the leaf data):
 *   offset 0   1 byte     0x01 (version)
 *   offset 1   8 bytes    seq, unsigned big-endian (leaf index + 1)
 *   then 8 fields, in this order: time, direction, peer, agreement,
 *              doctype, msgid, event, reason; each a 4-byte big-endian
 *              length and that many bytes of UTF-8 (reason absent:
 *              length 0xFFFFFFFF and no bytes)
 *   then       0x00 (no evidence) or 0x01 and the 32-byte SHA-256 of the
 *              evidence bytes
 *
 * Invariants:
 *  - The database is in WAL mode (a property of the file).  synchronous
 *    is a property of a connection: every connection that writes sets
 *    synchronous=FULL, so an event is on disk before anything acknowledges
 *    it.
 *  - The file is created 0640 (evidence holds trade documents) and never
 *    over an existing one.
 *  - entries and evidence are append-only: triggers abort any UPDATE or
 *    DELETE (a guard against accidents; tampering is for the Merkle tree).
 *  - Evidence is kept in the database, or by reference: the file
 *    payloads/HEX of the node directory (payloads.h), named by the SHA-256
 *    of its bytes, for a message too large for a database value.  The
 *    entry's leaf holds the same digest either way, so where the bytes are
 *    kept changes no leaf and no proof; verify hashes the file.
 *  - meta.schema_version says which layout the file has.
 */
#ifndef SWN_LEDGER_H
#define SWN_LEDGER_H

#include <stdint.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "base/err.h"

/* 2: evidence may be kept by reference (evidence_files).  A version 1
 * ledger is read as it is and made version 2 by the first handle that
 * writes (with the key); a swnode that reads version 1 only then refuses
 * it by its version rather than calling such entries' evidence missing. */
#define SWN_LEDGER_SCHEMA_VERSION 2

/* Create a new ledger at path for party_id; fails if the file exists. */
int swn_ledger_create(const char *path, const char *party_id,
		      struct swn_err *err);

/* An open ledger.  One connection; appends are serialised by a mutex, so a
 * process has one writer whatever its threads. */
struct swn_ledger;

/* Open the ledger of the node directory home (whose payloads/ holds the
 * evidence kept by reference).  With key (the Ed25519 ledger key) every
 * append also signs a checkpoint of origin "<party>/swnode-ledger";
 * without, the ledger is for reading (auditors) and appends are not
 * checkpointed. */
int swn_ledger_open(const char *path, const char *home, EVP_PKEY *key, const char *party,
		    struct swn_ledger **out, struct swn_err *err);
void swn_ledger_close(struct swn_ledger *l);


/* Opening also checks the write-ahead log (cheap): a damaged frame with
 * committed transactions after it, which SQLite would drop silently, is
 * refused.  This checks the database itself, every page and index
 * (SQLite's quick_check: seconds per million entries), for a node about to
 * serve: 0 sound, -1 with the file and what to do. */
int swn_ledger_quick_check(struct swn_ledger *l, struct swn_err *err);

/* What an entry says (the evidence is passed separately). */
struct swn_event {
	const char *direction;   /* "in" or "out" */
	const char *peer;        /* the peer's party id */
	const char *agreement;
	const char *doctype;     /* "" when not known */
	const char *msgid;
	const char *event;       /* SUBMITTED, SENT, DELIVERED, RECEIVED, ... */
	const char *reason;      /* NULL or why; stored escaped (escape.h) */
};

/* SQLite's message for the last error on db, except that a full disk
 * (SQLITE_FULL, or ENOSPC under an I/O error) reads "disk full: ...". */
struct sqlite3;
const char *swn_ledger_errmsg(struct sqlite3 *db);

/* Append one entry, with evidence bytes (NULL for none) kept by their
 * SHA-256.  On return the entry is on disk (synchronous=FULL).  A second
 * RECEIVED for the same (peer, msgid) fails with SWN_E_EXISTS.  Appends
 * from concurrent threads are group-committed: one transaction, one fsync
 * and one signed checkpoint per batch. */
int swn_ledger_append(struct swn_ledger *l, const struct swn_event *ev,
		      const void *evidence, size_t len, long long *seq,
		      struct swn_err *err);

/* Append SUBMITTED and the message's outbox row in one transaction. */
int swn_ledger_submit(struct swn_ledger *l, const struct swn_event *ev,
		      const void *evidence, size_t len, long long next_attempt,
		      struct swn_err *err);

/* Evidence kept by reference: the file payloads/HEX of the node directory,
 * complete and synced before the entry (swn_payloads_adopt).  A message
 * larger than SWN_LEDGER_INLINE_EVIDENCE_BYTES is kept so; smaller ones
 * in the database, where a read costs no file. */
#define SWN_LEDGER_INLINE_EVIDENCE_BYTES (1u << 20)
struct swn_ledger_file {
	unsigned char digest[32];
	uint64_t len;
};

/* swn_ledger_submit with the evidence in file f, which must be there with
 * f->len bytes (checked; its bytes are not hashed again). */
int swn_ledger_submit_file(struct swn_ledger *l, const struct swn_event *ev,
			   const struct swn_ledger_file *f, long long next_attempt,
			   struct swn_err *err);

/* swn_ledger_append likewise (a message received into a file). */
int swn_ledger_append_file(struct swn_ledger *l, const struct swn_event *ev,
			   const struct swn_ledger_file *f, long long *seq, struct swn_err *err);

/* Append an outbound message's outcome (DELIVERED, RETRYING, FAILED) and
 * set its outbox row in the same transaction, so that a crash cannot leave
 * the entry without the state (the message would be delivered, and
 * recorded as DELIVERED, twice) or the state without the entry.  before,
 * if not NULL, is appended just ahead of it in the same transaction (SENT:
 * one commit, not two, per reply). */
struct swn_queue_update {
	const char *state;
	long long attempts, next_attempt;
	const char *last_error;  /* NULL: none; stored escaped (escape.h) */
};
/* Cross-witnessing: a checkpoint a peer signed and sent in a receipt (for
 * msgid, whose leaf in the peer's tree is leaf_index), kept for audit-peer
 * in the transaction of the outcome it came with. */
struct swn_peer_checkpoint {
	const char *peer, *note, *msgid;
	uint64_t size;
	unsigned char root[32];
	long long leaf_index;
};
int swn_ledger_outcome(struct swn_ledger *l, const struct swn_event *before,
		       const struct swn_event *ev, const void *evidence, size_t len,
		       const struct swn_queue_update *q, const struct swn_peer_checkpoint *witness,
		       struct swn_err *err);

/* The evidence of the latest entry (direction, peer, msgid, event): 1 and
 * a malloc'd copy (and its digest) if there is one, 0 if none.  Evidence
 * kept by reference is read from its file and checked against the digest;
 * over SWN_LEDGER_MAX_READ bytes it is SWN_E_TOO_LARGE (read it with
 * swn_ledger_evidence_open). */
#define SWN_LEDGER_MAX_READ (64u << 20)
int swn_ledger_evidence(struct swn_ledger *l, const char *direction, const char *peer,
			const char *msgid, const char *event, char **bytes, size_t *len,
			unsigned char digest[32], struct swn_err *err);

/* The evidence of the latest entry (direction, peer, msgid, event) where
 * it is: 1 with bytes (a malloc'd copy) when the database holds it, or fd
 * open on its file (its length checked) when it is kept by reference; 0 if
 * none.  Release with swn_ledger_source_close. */
struct swn_ledger_source {
	char *bytes;              /* NULL when fd is the evidence */
	int fd;                   /* -1 when bytes is */
	uint64_t len;
	unsigned char digest[32];
};
int swn_ledger_evidence_open(struct swn_ledger *l, const char *direction, const char *peer,
			     const char *msgid, const char *event, struct swn_ledger_source *src,
			     struct swn_err *err);
void swn_ledger_source_close(struct swn_ledger_source *src);

/* For evidence in a file: its bytes hashed again and compared with the
 * digest the ledger names (a reader about to hand them on).  0, or -1
 * with err naming the file when they differ or cannot be read. */
int swn_ledger_source_check(struct swn_ledger *l, const struct swn_ledger_source *src,
			    struct swn_err *err);

/* The reason of the latest entry (direction, peer, msgid, event), as
 * stored (escaped), into out (size n): 1 found, 0 none (or "" reason). */
int swn_ledger_event_reason(struct swn_ledger *l, const char *direction, const char *peer,
			    const char *msgid, const char *event, char *out, size_t n,
			    struct swn_err *err);

/* The latest event recorded for (direction, msgid) into event (size n):
 * 1 found, 0 none. */
int swn_ledger_last_event(struct swn_ledger *l, const char *direction,
			  const char *msgid, char *event, size_t n, struct swn_err *err);

/* Call fn for each entry of msgid (any direction), oldest first.  fn runs
 * with the ledger's lock held: it must not call the ledger. */
typedef void (*swn_entry_fn)(void *ctx, long long seq, const char *time,
			     const char *direction, const char *peer,
			     const char *agreement, const char *doctype,
			     const char *msgid, const char *event, const char *reason);
int swn_ledger_history(struct swn_ledger *l, const char *msgid, swn_entry_fn fn,
		       void *ctx, struct swn_err *err);

/* The same, for every entry after seq `after` (for printing a ledger). */
int swn_ledger_entries(struct swn_ledger *l, long long after, swn_entry_fn fn,
		       void *ctx, struct swn_err *err);

/* What opening the ledger has to tell the operator ("" if nothing). */
const char *swn_ledger_note(const struct swn_ledger *l);

/* A received message and where it was placed in spool/in. */
struct swn_ledger_placed {
	char peer[1024], agreement[65], doctype[40], msgid[256];
	char file[2048];         /* DELIVERED_LOCAL's reason: the file's path */
	unsigned char digest[32];/* its evidence: the SHA-256 of the bytes placed */
	int has_digest;          /* 0 for a placement recorded without them */
};

/* The message whose RECEIVED entry is seq `received`: 0 no such entry;
 * 1 found (p filled but for file), not placed in spool/in; 2 found and
 * placed (p->file filled too). */
int swn_ledger_placement(struct swn_ledger *l, long long received, struct swn_ledger_placed *p,
			 struct swn_err *err);

/* Received documents (RECEIVED entries after seq `after`) placed in
 * spool/in (DELIVERED_LOCAL) that the domestic side has not acknowledged
 * (no ACKNOWLEDGED_LOCAL), in the order received, at most limit: fn
 * gets the RECEIVED seq, the time placed, the names, and the
 * DELIVERED_LOCAL reason.  fn runs with the ledger's lock held: it must
 * not call the ledger, nor do slow work. */
int swn_ledger_unacknowledged(struct swn_ledger *l, long long after, long long limit,
			      swn_entry_fn fn, void *ctx, struct swn_err *err);

/* 1 if (peer, msgid) inbound has ACKNOWLEDGED_LOCAL, 0 if not. */
int swn_ledger_acknowledged(struct swn_ledger *l, const char *peer, const char *msgid,
			    struct swn_err *err);

/* Inbound RECEIVED entries after seq `after` without DELIVERED_LOCAL (to
 * redeliver), oldest first, SWN_LEDGER_PAGE at a time: the number listed
 * is returned, so that a caller pages on from the last seq while a full
 * page comes back.  fn gets each RECEIVED entry's reason ("" if none).  If the ledger cannot be read (or memory runs out), -1
 * with err and fn is not called: never a short list taken for all. */
#define SWN_LEDGER_PAGE 1000
#define SWN_LEDGER_PAGE_S "1000"
int swn_ledger_undelivered(struct swn_ledger *l, long long after, swn_entry_fn fn, void *ctx,
			   struct swn_err *err);

/* Sign a checkpoint of the current tree now, even if nothing was added:
 * a fresh, timed statement of the tree (serve issues one every N seconds). */
int swn_ledger_heartbeat(struct swn_ledger *l, struct swn_err *err);

/* Batches committed by this process (for benchmarks). */
unsigned long long swn_ledger_batches(struct swn_ledger *l);

/* Entries in the ledger (the tree's size). */
uint64_t swn_ledger_size(struct swn_ledger *l);

/* The signed checkpoint for size (0: the latest): 1 found, 0 none. */
int swn_ledger_checkpoint(struct swn_ledger *l, uint64_t size, char *note, size_t n,
			  struct swn_err *err);

struct swn_proof;
/* inclusion: proof that entry seq a is in the tree of size b; otherwise a
 * consistency proof from size a to size b. */
int swn_ledger_prove(struct swn_ledger *l, int inclusion, uint64_t a, uint64_t b,
		     struct swn_proof *p, struct swn_err *err);

/* Recompute everything: seq continuity, evidence digests, leaf hashes,
 * the root at every signed checkpoint and its signature (with pub, NULL to
 * skip signatures), truncation and unsigned tails; then, if the rows are
 * sound, that every index agrees with its table (SQLite's
 * integrity_check).  Fills v; v->bad_entry is the first bad entry (0:
 * none), v->index_problem what is wrong with an index ("": nothing). */
struct swn_ledger_verdict {
	long long entries, checkpoints, last_checkpoint, bad_entry;
	unsigned char root[32];
	char problem[1200];
	char index_problem[600];
};
int swn_ledger_verify(struct swn_ledger *l, const unsigned char pub[32], const char *origin,
		      struct swn_ledger_verdict *v, struct swn_err *err);

/* Entries matching every filter that is set (NULL or "" means any). */
struct swn_ledger_filter {
	const char *peer, *agreement, *doctype, *direction, *event, *msgid, *since, *until;
	long long limit;
};
int swn_ledger_query(struct swn_ledger *l, const struct swn_ledger_filter *q, swn_entry_fn fn,
		     void *ctx, struct swn_err *err);

/* The evidence digest of entry seq: 1 and d filled, 0 if it has none. */
int swn_ledger_entry_evidence_digest(struct swn_ledger *l, long long seq, unsigned char d[32],
				     struct swn_err *err);


/* The peer's checkpoints kept so far, smallest first.  fn runs with the
 * ledger's lock held. */
typedef void (*swn_witness_fn)(void *ctx, uint64_t size, const unsigned char *root,
			       const char *note, const char *msgid, long long leaf_index,
			       const char *received);
int swn_ledger_witness_list(struct swn_ledger *l, const char *peer, swn_witness_fn fn, void *ctx,
			    struct swn_err *err);

/* The time of entry seq: 1 found, 0 none. */
int swn_ledger_entry_time(struct swn_ledger *l, long long seq, char *out, size_t n,
			  struct swn_err *err);

/* The canonical bytes of an entry (see above) appended to out. */
int swn_ledger_entry_bytes(long long seq, const char *const fields[8],
			   const unsigned char *evidence, struct swn_buf *out,
			   struct swn_err *err);

#endif

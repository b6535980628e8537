/* Unit tests: the ledger (ledger.h) through its public API on a scratch
 * directory: concurrent appenders in several processes and threads, an
 * appender's group committed whole or not at all, and rows changed behind
 * the node's back found by swn_ledger_verify. */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "ledger/ledger.h"
#include "ledger/payloads.h"
#include "trust/checkpoint.h"
#include "trust/pki.h"
#include "testlib.h"

#define PARTY "CN-SW"
#define PEER "SG-NTP"

static char dir[PATH_MAX], path[PATH_MAX + 16];
static EVP_PKEY *key;
static unsigned char pub[32];
static char origin[600];

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	struct swn_err err;

	swn_err_clear(&err);
	snprintf(dir, sizeof dir, "%s/swn-ledger.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ledger.db", dir);
	ck_assert_msg(swn_ledger_create(path, PARTY, &err) == 0, "%s", err.msg);
	key = swn_key_generate(SWN_KEY_ED25519, &err);
	ck_assert_msg(key != NULL, "%s", err.msg);
	ck_assert_int_eq(swn_checkpoint_pubkey(key, pub, &err), 0);
	swn_checkpoint_origin(PARTY, origin, sizeof origin);
}

/* dir/payloads and the files in it. */
static void remove_payloads(void)
{
	char pd[PATH_MAX + 16], f[PATH_MAX + 300];
	struct dirent *e;
	DIR *d;

	snprintf(pd, sizeof pd, "%s/payloads", dir);
	if (!(d = opendir(pd)))
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)) {
			snprintf(f, sizeof f, "%s/%s", pd, e->d_name);
			unlink(f);
		}
	closedir(d);
	rmdir(pd);
}

static void teardown(void)
{
	char other[PATH_MAX + 32];

	EVP_PKEY_free(key);
	key = NULL;
	unlink(path);
	snprintf(other, sizeof other, "%s-wal", path);
	unlink(other);
	snprintf(other, sizeof other, "%s-shm", path);
	unlink(other);
	remove_payloads();
	rmdir(dir);
}

static struct swn_ledger *open_ledger(EVP_PKEY *k)
{
	struct swn_ledger *l = NULL;
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_msg(swn_ledger_open(path, dir, k, PARTY, &l, &err) == 0, "%s", err.msg);
	return l;
}

/* verify must pass: every entry, the last one checkpointed, no problem. */
static void assert_verifies(struct swn_ledger *l, long long entries)
{
	struct swn_ledger_verdict v;
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_msg(swn_ledger_verify(l, pub, origin, &v, &err) == 0, "%s", err.msg);
	ck_assert_msg(v.bad_entry == 0, "entry %lld: %s", v.bad_entry, v.problem);
	ck_assert_str_eq(v.problem, "");
	ck_assert_str_eq(v.index_problem, "");
	ck_assert_int_eq(v.entries, entries);
	ck_assert_int_eq(v.last_checkpoint, entries);
	ck_assert_int_ge(v.checkpoints, entries > 0 ? 1 : 0);
}

/* The first column of the first row of sql, through a connection of the
 * test's own (as sqlite3 would), as text into out. */
static void sql_text(const char *sql, char *out, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, n, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "NULL");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ---- concurrent appenders ----
 *
 * PROCS processes, each with its own handle (as serve and send have), each
 * with THREADS threads appending.  All the threads of all the processes
 * wait on one process-shared barrier before each of ROUNDS rounds, so the
 * rounds start together, and every process begins each round after the
 * others have appended: its picture of the tree is out of date, as a
 * node's is after `send` wrote. */

#define PROCS 4
#define THREADS 4
#define ROUNDS 4
#define PER_ROUND 25
#define PER_THREAD (ROUNDS * PER_ROUND)
#define TOTAL (PROCS * THREADS * PER_THREAD)

struct appended {          /* what an appender was told, sent to the test */
	int idx;
	long long seq;
};

struct appender {
	struct swn_ledger *l;      /* NULL: the process could not open it */
	pthread_barrier_t *round;  /* shared by every thread of every process */
	int proc, thread, out, failed;
};

static void msgid_of(int idx, char *out, size_t n)
{
	snprintf(out, n, "m%d@" PEER, idx);
}

static void *append_some(void *arg)
{
	struct appender *a = arg;
	int r, i;

	/* A thread that failed still meets the others at every round. */
	for (r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(a->round);
		for (i = 0; i < PER_ROUND && a->l && !a->failed; i++) {
			int idx = (a->proc * THREADS + a->thread) * PER_THREAD + r * PER_ROUND + i;
			char msgid[64];
			struct swn_event ev = { "in", PEER, "AB", "ephyto", msgid, "RECEIVED", NULL };
			struct appended rec;
			struct swn_err err;

			memset(&rec, 0, sizeof rec);   /* the padding too: it is written */
			rec.idx = idx;
			msgid_of(idx, msgid, sizeof msgid);
			swn_err_clear(&err);
			/* The evidence is the msgid's bytes: the digest says which. */
			if (swn_ledger_append(a->l, &ev, msgid, strlen(msgid), &rec.seq, &err) < 0) {
				fprintf(stderr, "append %s: %s\n", msgid, err.msg);
				a->failed = 1;
			/* Smaller than PIPE_BUF: written whole, never interleaved. */
			} else if (write(a->out, &rec, sizeof rec) != (ssize_t)sizeof rec) {
				a->failed = 1;
			}
		}
	}
	return NULL;
}

/* One appending process: its own handle and THREADS threads. */
static int appender_process(int proc, pthread_barrier_t *round, int out)
{
	struct appender a[THREADS];
	pthread_t t[THREADS];
	struct swn_ledger *l = NULL;
	struct swn_err err;
	int i, rc = 0;

	swn_err_clear(&err);
	if (swn_ledger_open(path, dir, key, PARTY, &l, &err) < 0) {
		fprintf(stderr, "process %d: %s\n", proc, err.msg);
		l = NULL;
		rc = 1;
	}
	for (i = 0; i < THREADS; i++) {
		a[i] = (struct appender){ l, round, proc, i, out, 0 };
		if (pthread_create(&t[i], NULL, append_some, &a[i]) != 0) {
			fprintf(stderr, "process %d: cannot start a thread\n", proc);
			_exit(1);   /* the others wait for it: the test times out */
		}
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		rc |= a[i].failed;
	}
	swn_ledger_close(l);
	return rc;
}

struct listing {
	long long next;          /* the seq the next row must have */
	long long seq_of[TOTAL]; /* by idx: the seq listed, 0 if none */
	int bad;
	char why[200];
};

static void list_entry(void *ctx, long long seq, const char *time, const char *direction,
		       const char *peer, const char *agreement, const char *doctype,
		       const char *msgid, const char *event, const char *reason)
{
	struct listing *li = ctx;
	char want[64];
	int idx;

	(void)time; (void)agreement; (void)doctype; (void)reason;
	if (li->bad)
		return;
	if (seq != li->next) {
		li->bad = 1;
		snprintf(li->why, sizeof li->why, "seq %lld listed where %lld was due", seq, li->next);
		return;
	}
	li->next++;
	if (sscanf(msgid, "m%d@", &idx) != 1 || idx < 0 || idx >= TOTAL ||
	    (msgid_of(idx, want, sizeof want), strcmp(msgid, want) != 0) || strcmp(direction, "in") != 0 || strcmp(peer, PEER) != 0 || strcmp(event, "RECEIVED") != 0) {
		li->bad = 1;
		snprintf(li->why, sizeof li->why, "seq %lld is not an entry of the test: %s %s", seq, msgid, event);
		return;
	}
	if (li->seq_of[idx]) {
		li->bad = 1;
		snprintf(li->why, sizeof li->why, "%s at seq %lld and %lld", msgid, li->seq_of[idx], seq);
		return;
	}
	li->seq_of[idx] = seq;
}

START_TEST(concurrent_appenders_leave_dense_seqs)
{
	static struct listing li;
	struct appended rec;
	struct swn_ledger *l;
	struct swn_err err;
	pthread_barrier_t *round;
	pthread_barrierattr_t shared;
	pid_t pid[PROCS];
	int out[2], i, status;
	long long told[TOTAL];
	ssize_t got;

	memset(&li, 0, sizeof li);
	memset(told, 0, sizeof told);
	li.next = 1;
	round = mmap(NULL, sizeof *round, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert(round != MAP_FAILED);
	ck_assert_int_eq(pthread_barrierattr_init(&shared), 0);
	ck_assert_int_eq(pthread_barrierattr_setpshared(&shared, PTHREAD_PROCESS_SHARED), 0);
	ck_assert_int_eq(pthread_barrier_init(round, &shared, PROCS * THREADS), 0);
	pthread_barrierattr_destroy(&shared);
	ck_assert_int_eq(pipe(out), 0);
	for (i = 0; i < PROCS; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			close(out[0]);
			_exit(appender_process(i, round, out[1]));
		}
	}
	close(out[1]);
	/* What each append returned as its seq (to the end: every process
	 * has exited). */
	while ((got = read(out[0], &rec, sizeof rec)) == (ssize_t)sizeof rec) {
		ck_assert(rec.idx >= 0 && rec.idx < TOTAL);
		ck_assert_int_eq(told[rec.idx], 0);
		told[rec.idx] = rec.seq;
	}
	ck_assert_int_eq(got, 0);
	close(out[0]);
	for (i = 0; i < PROCS; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "appending process %d failed (status %d)", i, status);
	}
	pthread_barrier_destroy(round);
	munmap(round, sizeof *round);

	l = open_ledger(NULL);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_ledger_size(l), TOTAL);
	/* Listed in seq order: 1..TOTAL, no gap, no duplicate, each entry once. */
	ck_assert_msg(swn_ledger_entries(l, 0, list_entry, &li, &err) == 0, "%s", err.msg);
	ck_assert_msg(!li.bad, "%s", li.why);
	ck_assert_int_eq(li.next, TOTAL + 1);
	for (i = 0; i < TOTAL; i++) {
		unsigned char d[32], want[32];
		char msgid[64];

		ck_assert_msg(li.seq_of[i] > 0, "entry %d is missing", i);
		/* The seq its appender was given is the one it has. */
		ck_assert_int_eq(told[i], li.seq_of[i]);
		/* And the evidence stored with it is its own. */
		msgid_of(i, msgid, sizeof msgid);
		SHA256((const unsigned char *)msgid, strlen(msgid), want);
		ck_assert_int_eq(swn_ledger_entry_evidence_digest(l, li.seq_of[i], d, &err), 1);
		ck_assert_mem_eq(d, want, 32);
	}
	assert_verifies(l, TOTAL);
	swn_ledger_close(l);
}
END_TEST

/* ---- an appender's group: all or none ---- */

struct history {
	int n;
	long long seq[8];
	char event[8][32];
};

static void history_entry(void *ctx, long long seq, const char *time, const char *direction,
			  const char *peer, const char *agreement, const char *doctype,
			  const char *msgid, const char *event, const char *reason)
{
	struct history *h = ctx;

	(void)time; (void)direction; (void)peer; (void)agreement; (void)doctype;
	(void)msgid; (void)reason;
	if (h->n < 8) {
		h->seq[h->n] = seq;
		snprintf(h->event[h->n], sizeof h->event[h->n], "%s", event);
	}
	h->n++;
}

static struct history history_of(struct swn_ledger *l, const char *msgid)
{
	struct history h;
	struct swn_err err;

	memset(&h, 0, sizeof h);
	swn_err_clear(&err);
	ck_assert_msg(swn_ledger_history(l, msgid, history_entry, &h, &err) == 0, "%s", err.msg);
	return h;
}

START_TEST(a_group_commits_all_or_none)
{
	struct swn_event submitted = { "out", PEER, "AB", "ephyto", "g1@" PARTY, "SUBMITTED", NULL };
	struct swn_event sent = { "out", PEER, "AB", "ephyto", "g1@" PARTY, "SENT", NULL };
	struct swn_event delivered = { "out", PEER, "AB", "ephyto", "g1@" PARTY, "DELIVERED", NULL };
	/* Not an entry the table takes: direction must be in or out. */
	struct swn_event invalid = { "sideways", PEER, "AB", "ephyto", "g1@" PARTY, "DELIVERED", NULL };
	struct swn_event received = { "in", PEER, "AB", "ephyto", "r1@" PEER, "RECEIVED", NULL };
	struct swn_queue_update done = { "DELIVERED", 1, 0, NULL };
	struct swn_peer_checkpoint witness;
	struct swn_ledger *l = open_ledger(key);
	struct history h;
	struct swn_err err;
	char text[200];
	uint64_t size;

	memset(&witness, 0, sizeof witness);
	witness.peer = PEER;
	witness.note = "a note";
	witness.msgid = "g1@" PARTY;
	witness.size = 7;
	witness.leaf_index = 3;
	swn_err_clear(&err);
	ck_assert_msg(swn_ledger_submit(l, &submitted, "message", 7, 0, &err) == 0, "%s", err.msg);
	ck_assert_msg(swn_ledger_append(l, &received, "r1", 2, NULL, &err) == 0, "%s", err.msg);
	size = swn_ledger_size(l);
	ck_assert_int_eq(size, 2);

	/* The second entry of the group fails: the first (SENT), the receipt
	 * kept as evidence, the outbox state and the peer's checkpoint go
	 * with it. */
	ck_assert_int_eq(swn_ledger_outcome(l, &sent, &invalid, "receipt", 7, &done, &witness, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_DB);
	ck_assert_msg(strstr(err.msg, "another entry of the same transaction failed") != NULL, "%s", err.msg);
	ck_assert_int_eq(swn_ledger_size(l), size);
	h = history_of(l, "g1@" PARTY);
	ck_assert_int_eq(h.n, 1);
	ck_assert_str_eq(h.event[0], "SUBMITTED");
	sql_text("SELECT state || ' ' || attempts FROM outbox WHERE msgid = 'g1@" PARTY "'", text, sizeof text);
	ck_assert_str_eq(text, "SUBMITTED 0");
	sql_text("SELECT count(*) FROM evidence WHERE body = CAST('receipt' AS BLOB)", text, sizeof text);
	ck_assert_str_eq(text, "0");
	sql_text("SELECT count(*) FROM witness", text, sizeof text);
	ck_assert_str_eq(text, "0");
	assert_verifies(l, (long long)size);

	/* The first entry of the group fails (r1 is received already): the
	 * valid second is not recorded either. */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_ledger_outcome(l, &received, &delivered, "receipt", 7, &done, &witness, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_EXISTS);
	ck_assert_int_eq(swn_ledger_size(l), size);
	h = history_of(l, "g1@" PARTY);
	ck_assert_int_eq(h.n, 1);
	h = history_of(l, "r1@" PEER);
	ck_assert_int_eq(h.n, 1);
	sql_text("SELECT state || ' ' || attempts FROM outbox WHERE msgid = 'g1@" PARTY "'", text, sizeof text);
	ck_assert_str_eq(text, "SUBMITTED 0");
	sql_text("SELECT count(*) FROM evidence WHERE body = CAST('receipt' AS BLOB)", text, sizeof text);
	ck_assert_str_eq(text, "0");
	sql_text("SELECT count(*) FROM witness", text, sizeof text);
	ck_assert_str_eq(text, "0");
	assert_verifies(l, (long long)size);

	/* The same group, sound, is recorded whole, right after what was
	 * there: the failures left no gap in the seqs. */
	swn_err_clear(&err);
	ck_assert_msg(swn_ledger_outcome(l, &sent, &delivered, "receipt", 7, &done, &witness, &err) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(swn_ledger_size(l), size + 2);
	h = history_of(l, "g1@" PARTY);
	ck_assert_int_eq(h.n, 3);
	ck_assert_str_eq(h.event[1], "SENT");
	ck_assert_str_eq(h.event[2], "DELIVERED");
	ck_assert_int_eq(h.seq[1], (long long)size + 1);
	ck_assert_int_eq(h.seq[2], (long long)size + 2);
	sql_text("SELECT state || ' ' || attempts FROM outbox WHERE msgid = 'g1@" PARTY "'", text, sizeof text);
	ck_assert_str_eq(text, "DELIVERED 1");
	sql_text("SELECT count(*) FROM witness", text, sizeof text);
	ck_assert_str_eq(text, "1");
	assert_verifies(l, (long long)size + 2);
	swn_ledger_close(l);
}
END_TEST

/* ---- rows changed behind the node's back ---- */

static const struct damage {
	const char *sql;       /* what an attacker with the file does */
	long long bad;         /* the entry verify must name */
	const char *says;      /* and what its problem must say */
} damages[] = {
	{ "DROP TRIGGER entries_no_update; UPDATE entries SET peer = 'XX-EVIL' WHERE seq = 5",
	  5, "entry 5 does not match its leaf" },
	{ "DROP TRIGGER entries_no_update; UPDATE entries SET reason = 'forged' WHERE seq = 2",
	  2, "entry 2 does not match its leaf" },
	{ "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq = 3",
	  3, "entry 3 is missing" },
	{ "DROP TRIGGER evidence_no_update; UPDATE evidence SET body = CAST('forged' AS BLOB)"
	  " WHERE digest = (SELECT evidence FROM entries WHERE seq = 6)",
	  6, "entry 6: its evidence was changed" },
};

START_TEST(a_changed_row_is_found)
{
	const struct damage *d = &damages[_i];
	struct swn_ledger_verdict v;
	struct swn_ledger *l = open_ledger(key);
	struct swn_err err;
	sqlite3 *db;
	char *msg = NULL;
	int i;

	swn_err_clear(&err);
	for (i = 1; i <= 8; i++) {
		char msgid[64], body[64];
		struct swn_event ev = { "in", PEER, "AB", "ephyto", msgid, "RECEIVED", NULL };

		snprintf(msgid, sizeof msgid, "d%d@" PEER, i);
		snprintf(body, sizeof body, "evidence %d", i);
		ck_assert_msg(swn_ledger_append(l, &ev, body, strlen(body), NULL, &err) == 0, "%s", err.msg);
	}
	assert_verifies(l, 8);
	swn_ledger_close(l);

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, d->sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", d->sql, msg);
	sqlite3_close(db);

	/* An auditor's handle (no key) finds it, by seq. */
	l = open_ledger(NULL);
	ck_assert_msg(swn_ledger_verify(l, pub, origin, &v, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(v.bad_entry, d->bad);
	ck_assert_msg(strstr(v.problem, d->says) != NULL, "%s: %s", d->sql, v.problem);
	ck_assert_int_eq(v.entries, d->bad - 1);
	swn_ledger_close(l);
}
END_TEST

/* ---- evidence kept by reference ---- */

/* A message of len pseudo-random bytes kept in dir/payloads (as the outbox
 * keeps one), its digest and length into f. */
static void keep_file(size_t len, struct swn_ledger_file *f)
{
	char tmp[PATH_MAX + 64];
	unsigned char *b = malloc(len);
	struct swn_err err;
	int fd;

	swn_err_clear(&err);
	ck_assert_ptr_nonnull(b);
	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)((i * 2654435761u) >> 13);
	ck_assert_msg((fd = swn_payloads_temp(dir, tmp, sizeof tmp, &err)) >= 0, "%s", err.msg);
	ck_assert_int_eq(write(fd, b, len), (ssize_t)len);
	ck_assert_msg(swn_payloads_adopt(dir, tmp, fd, &f->len, f->digest, &err) == 0, "%s", err.msg);
	close(fd);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_uint_eq(f->len, len);
	{
		unsigned char md[32];

		SHA256(b, len, md);
		ck_assert_mem_eq(md, f->digest, 32);
	}
	free(b);
}

static void kept_path(const struct swn_ledger_file *f, char *out, size_t n)
{
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_int_eq(swn_payloads_path(dir, f->digest, out, n, &err), 0);
}

/* A message over the database's share is kept as a file the entry names
 * by its digest: read back as the same bytes, whole through a descriptor
 * or checked into memory, and verified by hashing the file; the leaf is
 * the one the same bytes held in the database would give. */
START_TEST(evidence_kept_in_a_file_reads_and_verifies)
{
	struct swn_ledger *l = open_ledger(key);
	struct swn_ledger_file f;
	struct swn_ledger_source src;
	struct swn_event ev = { "out", PEER, "AB", "ephyto", "big@" PARTY, "SUBMITTED", "document" };
	unsigned char d[32], dd[32];
	struct swn_err err;
	char *bytes = NULL, count[32];
	size_t len = 0;

	swn_err_clear(&err);
	keep_file(SWN_LEDGER_INLINE_EVIDENCE_BYTES + 4096, &f);
	ck_assert_msg(swn_ledger_submit_file(l, &ev, &f, 0, &err) == 0, "%s", err.msg);
	/* Nothing of it in the database: one evidence_files row. */
	sql_text("SELECT count(*) FROM evidence", count, sizeof count);
	ck_assert_str_eq(count, "0");
	sql_text("SELECT length FROM evidence_files", count, sizeof count);
	ck_assert_uint_eq(strtoull(count, NULL, 10), f.len);
	ck_assert_int_eq(swn_ledger_entry_evidence_digest(l, 1, d, &err), 1);
	ck_assert_mem_eq(d, f.digest, 32);

	ck_assert_int_eq(swn_ledger_evidence_open(l, "out", PEER, "big@" PARTY, "SUBMITTED", &src, &err), 1);
	ck_assert_ptr_null(src.bytes);
	ck_assert_int_ge(src.fd, 0);
	ck_assert_uint_eq(src.len, f.len);
	ck_assert_mem_eq(src.digest, f.digest, 32);
	{
		uint64_t n = 0;

		ck_assert_int_eq(swn_payloads_sha256(src.fd, &n, dd), 0);
		ck_assert_mem_eq(dd, f.digest, 32);
	}
	swn_ledger_source_close(&src);
	ck_assert_int_eq(src.fd, -1);
	ck_assert_int_eq(swn_ledger_evidence(l, "out", PEER, "big@" PARTY, "SUBMITTED", &bytes, &len, dd, &err), 1);
	ck_assert_uint_eq(len, f.len);
	SHA256((unsigned char *)bytes, len, d);
	ck_assert_mem_eq(d, f.digest, 32);
	free(bytes);
	assert_verifies(l, 1);
	swn_ledger_close(l);
}
END_TEST

/* The ledger names only a file that is there whole, and verify finds a
 * file that was changed, cut, replaced by a link or removed. */
static const struct file_damage {
	const char *what;
	const char *says;
} file_damages[] = {
	{ "change", "entry 1: its evidence was changed" },
	{ "cut", "entry 1: its evidence file" },
	{ "link", "entry 1: its evidence file" },
	{ "remove", "entry 1: its evidence file" },
};

START_TEST(a_damaged_evidence_file_is_found)
{
	const struct file_damage *dmg = &file_damages[_i];
	struct swn_ledger *l = open_ledger(key);
	struct swn_ledger_file f, missing;
	struct swn_ledger_verdict v;
	struct swn_ledger_source src;
	struct swn_event ev = { "out", PEER, "AB", "ephyto", "big@" PARTY, "SUBMITTED", "document" };
	char p[PATH_MAX + 200], moved[PATH_MAX + 220];
	struct swn_err err;
	char *bytes = NULL;
	size_t len;
	int fd;

	swn_err_clear(&err);
	/* Not there at all: refused, nothing appended. */
	memset(&missing, 0x5a, sizeof missing.digest);
	missing.len = 10;
	ck_assert_int_eq(swn_ledger_submit_file(l, &ev, &missing, 0, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_NOT_FOUND);
	ck_assert_uint_eq(swn_ledger_size(l), 0);
	/* There, but not of the length given: refused too. */
	keep_file(5000, &f);
	f.len = 4999;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_ledger_submit_file(l, &ev, &f, 0, &err), -1);
	ck_assert_uint_eq(swn_ledger_size(l), 0);
	f.len = 5000;
	ck_assert_msg(swn_ledger_submit_file(l, &ev, &f, 0, &err) == 0, "%s", err.msg);
	assert_verifies(l, 1);
	swn_ledger_close(l);

	kept_path(&f, p, sizeof p);
	if (strcmp(dmg->what, "change") == 0) {
		ck_assert_int_ge(fd = open(p, O_WRONLY), 0);
		ck_assert_int_eq(pwrite(fd, "X", 1, 100), 1);
		close(fd);
	} else if (strcmp(dmg->what, "cut") == 0) {
		ck_assert_int_eq(truncate(p, 4000), 0);
	} else if (strcmp(dmg->what, "link") == 0) {
		snprintf(moved, sizeof moved, "%s.elsewhere", p);
		ck_assert_int_eq(rename(p, moved), 0);
		ck_assert_int_eq(symlink(moved, p), 0);
	} else {
		ck_assert_int_eq(unlink(p), 0);
	}
	l = open_ledger(NULL);
	ck_assert_msg(swn_ledger_verify(l, pub, origin, &v, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(v.bad_entry, 1);
	ck_assert_msg(strstr(v.problem, dmg->says) != NULL, "%s: %s", dmg->what, v.problem);
	/* A reader is not given the bytes either. */
	swn_err_clear(&err);
	if (strcmp(dmg->what, "change") == 0) {
		ck_assert_int_eq(swn_ledger_evidence_open(l, "out", PEER, "big@" PARTY, "SUBMITTED", &src, &err), 1);
		swn_ledger_source_close(&src);
	} else {
		ck_assert_int_eq(swn_ledger_evidence_open(l, "out", PEER, "big@" PARTY, "SUBMITTED", &src, &err), -1);
	}
	swn_err_clear(&err);
	ck_assert_int_eq(swn_ledger_evidence(l, "out", PEER, "big@" PARTY, "SUBMITTED", &bytes, &len, NULL, &err), -1);
	ck_assert_ptr_null(bytes);
	swn_ledger_close(l);
	if (strcmp(dmg->what, "link") == 0) {
		unlink(p);
		unlink(moved);
	}
}
END_TEST

/* A ledger made before evidence_files (version 1): read as it was by a
 * handle without the key, and given the table and version 2 by the first
 * that writes. */
START_TEST(a_ledger_without_evidence_files_reads_and_gains_them)
{
	struct swn_ledger *l = open_ledger(key);
	struct swn_event ev = { "in", PEER, "AB", "ephyto", "m1@" PEER, "RECEIVED", NULL };
	struct swn_ledger_source src;
	struct swn_ledger_file f;
	struct swn_err err;
	char count[32];
	sqlite3 *db;

	swn_err_clear(&err);
	ck_assert_int_eq(swn_ledger_append(l, &ev, "small", 5, NULL, &err), 0);
	swn_ledger_close(l);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE evidence_files;"
				      "UPDATE meta SET value = '1' WHERE key = 'schema_version'", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	l = open_ledger(NULL);
	ck_assert_int_eq(swn_ledger_evidence_open(l, "in", PEER, "m1@" PEER, "RECEIVED", &src, &err), 1);
	ck_assert_uint_eq(src.len, 5);
	ck_assert_mem_eq(src.bytes, "small", 5);
	swn_ledger_source_close(&src);
	assert_verifies(l, 1);
	swn_ledger_close(l);
	sql_text("SELECT count(*) FROM sqlite_master WHERE name = 'evidence_files'", count, sizeof count);
	ck_assert_str_eq(count, "0");
	sql_text("SELECT value FROM meta WHERE key = 'schema_version'", count, sizeof count);
	ck_assert_str_eq(count, "1");

	l = open_ledger(key);
	sql_text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'evidence_files%'", count, sizeof count);
	ck_assert_str_eq(count, "3");   /* the table and its two triggers */
	sql_text("SELECT value FROM meta WHERE key = 'schema_version'", count, sizeof count);
	ck_assert_str_eq(count, "2");   /* older versions now refuse it by its version */
	keep_file(2000, &f);
	ev = (struct swn_event){ "out", PEER, "AB", "ephyto", "m2@" PARTY, "SUBMITTED", NULL };
	ck_assert_msg(swn_ledger_submit_file(l, &ev, &f, 0, &err) == 0, "%s", err.msg);
	assert_verifies(l, 2);
	swn_ledger_close(l);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ledger");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, concurrent_appenders_leave_dense_seqs);
	tcase_add_test(tc, a_group_commits_all_or_none);
	tcase_add_loop_test(tc, a_changed_row_is_found, 0, (int)(sizeof damages / sizeof damages[0]));
	tcase_add_test(tc, evidence_kept_in_a_file_reads_and_verifies);
	tcase_add_loop_test(tc, a_damaged_evidence_file_is_found, 0,
			    (int)(sizeof file_damages / sizeof file_damages[0]));
	tcase_add_test(tc, a_ledger_without_evidence_files_reads_and_gains_them);
	suite_add_tcase(s, tc);
	return swn_test_run(s);
}

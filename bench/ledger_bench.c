/*
 * ledger_bench - ledger figures: appends per second with group commit,
 * `ledger verify` time, the start-up integrity check (quick_check) time,
 * and inclusion / consistency proof time, at N
 * entries (default one million).
 *
 *   ledger_bench [N] [THREADS]
 *
 * Writes "name value unit" lines to standard output.  The ledger is a
 * fresh one in a temporary directory, durable as in production (WAL,
 * synchronous=FULL, a signed checkpoint per batch).
 */
#include "autoconfig.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "trust/checkpoint.h"
#include "ledger/ledger.h"
#include "trust/pki.h"
#include "ledger/proof.h"

static struct swn_ledger *l;
static long per_thread;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *writer(void *arg)
{
	long i, id = (long)(size_t)arg;
	char msgid[64];
	struct swn_err err;

	for (i = 0; i < per_thread; i++) {
		struct swn_event ev = { "in", "SG-NTP", "AB", "eco", msgid, "RECEIPT_SENT", NULL };

		snprintf(msgid, sizeof msgid, "%ld-%ld@SG-NTP", id, i);
		swn_err_clear(&err);
		if (swn_ledger_append(l, &ev, NULL, 0, NULL, &err) < 0) {
			fprintf(stderr, "append: %s\n", err.msg);
			exit(1);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	int threads = argc > 2 ? atoi(argv[2]) : 64, i;
	char dir[] = "/tmp/swn-bench-XXXXXX", path[256], cmd[300];
	unsigned char pub[32];
	struct swn_ledger_verdict v;
	struct swn_proof p;
	struct swn_err err;
	pthread_t *t;
	EVP_PKEY *key;
	double t0, t1;
	int reps = 1000;
	char size[32];

	swn_err_clear(&err);
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/ledger.db", dir);
	key = swn_key_generate(SWN_KEY_ED25519, &err);
	if (!key || swn_ledger_create(path, "CN-SW", &err) < 0 ||
	    swn_ledger_open(path, dir, key, "CN-SW", &l, &err) < 0 || swn_checkpoint_pubkey(key, pub, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	per_thread = n / threads;
	n = per_thread * threads;
	/* Figures at a size name it: ledger_verify_1m_s at one million. */
	if (n % 1000000 == 0)
		snprintf(size, sizeof size, "%ldm", n / 1000000);
	else if (n % 1000 == 0)
		snprintf(size, sizeof size, "%ldk", n / 1000);
	else
		snprintf(size, sizeof size, "%ld", n);
	t = calloc((size_t)threads, sizeof *t);
	t0 = now_s();
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, writer, (void *)(size_t)i);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	t1 = now_s();
	printf("ledger_entries %ld entries\n", n);
	printf("ledger_writer_threads %d threads\n", threads);
	printf("ledger_appends_per_s %.0f appends/s\n", (double)n / (t1 - t0));
	printf("ledger_batches %llu batches\n", swn_ledger_batches(l));
	printf("ledger_entries_per_batch %.1f entries\n", (double)n / (double)swn_ledger_batches(l));

	t0 = now_s();
	if (swn_ledger_verify(l, pub, "CN-SW/swnode-ledger", &v, &err) < 0 || v.bad_entry) {
		fprintf(stderr, "verify: %s %s\n", err.msg, v.problem);
		return 1;
	}
	t1 = now_s();
	printf("ledger_verify_%s_s %.2f s\n", size, t1 - t0);
	printf("ledger_verify_checkpoints %lld checkpoints\n", v.checkpoints);

	/* What serve pays at start for its integrity check. */
	t0 = now_s();
	if (swn_ledger_quick_check(l, &err) < 0) {
		fprintf(stderr, "quick_check: %s\n", err.msg);
		return 1;
	}
	t1 = now_s();
	printf("ledger_quick_check_%s_s %.2f s\n", size, t1 - t0);
	{
		struct stat st;

		if (stat(path, &st) == 0)
			printf("ledger_db_bytes %lld bytes\n", (long long)st.st_size);
	}

	t0 = now_s();
	for (i = 0; i < reps; i++)
		if (swn_ledger_prove(l, 1, (uint64_t)(1 + (i * 7919L) % n), (uint64_t)n, &p, &err) < 0 ||
		    swn_proof_check(&p) != 1) {
			fprintf(stderr, "inclusion proof failed: %s\n", err.msg);
			return 1;
		}
	t1 = now_s();
	printf("ledger_inclusion_proof_%s_ms %.3f ms\n", size, (t1 - t0) * 1000 / reps);
	t0 = now_s();
	for (i = 0; i < reps; i++)
		if (swn_ledger_prove(l, 0, (uint64_t)(1 + (i * 7919L) % n), (uint64_t)n, &p, &err) < 0 ||
		    swn_proof_check(&p) != 1) {
			fprintf(stderr, "consistency proof failed: %s\n", err.msg);
			return 1;
		}
	t1 = now_s();
	printf("ledger_consistency_proof_%s_ms %.3f ms\n", size, (t1 - t0) * 1000 / reps);
	swn_ledger_close(l);
	EVP_PKEY_free(key);
	free(t);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}

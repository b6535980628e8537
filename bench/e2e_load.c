/*
 * e2e_load.c - the load for `bench/run e2e` (see docs/performance.md).
 *
 *   e2e_load submit PORT TOKEN PARTY FILE CONCURRENCY SECONDS [RATE]
 *     CONCURRENCY threads each submit FILE to the node's local API on
 *     127.0.0.1:PORT (POST /submit?to=PARTY) and wait for its verified
 *     receipt (GET /status/MSGID?wait=60), again and again for SECONDS.
 *     With RATE, submissions start on a schedule of RATE per second
 *     instead of as soon as a thread is free.  Latency runs from just
 *     before the POST to the DELIVERED reply.  Prints name value lines:
 *     exchanges, failed, seconds, per_s, p50_ms, p90_ms, p99_ms, max_ms.  SECONDS 0: one
 *     exchange on one thread.
 *
 *   e2e_load idle PORT CERT KEY N PID
 *     opens N mutual-TLS connections to 127.0.0.1:PORT with CERT/KEY,
 *     completes each handshake, then prints the VmRSS of process PID
 *     (rss_kb) and the connections still open, and closes them.
 */
#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- submit ---- */

struct run {
	const char *port, *party;
	char auth[200];
	char *doc;
	size_t doclen;
	double start, end, rate;
	atomic_long ticket;
};

struct thread {
	struct run *r;
	pthread_t id;
	double *lat;
	long n, cap, failed;
};

struct reply {
	char data[4096];
	size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t k = size * n;

	if (k > sizeof r->data - 1 - r->len)
		k = sizeof r->data - 1 - r->len;
	memcpy(r->data + r->len, p, k);
	r->len += k;
	r->data[r->len] = '\0';
	return size * n;
}

static int request(CURL *c, const char *url, const char *auth, const char *body, size_t len,
		   struct reply *out)
{
	struct curl_slist *h = curl_slist_append(NULL, auth);
	long code = 0;
	CURLcode rc;

	out->len = 0;
	out->data[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 90L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	return rc == CURLE_OK ? (int)code : -1;
}

/* One exchange: 1 delivered (latency in *ms), 0 not. */
static int exchange(CURL *c, struct run *r, double *ms)
{
	char url[600], msgid[300];
	struct reply rep;
	const char *p, *q;
	double t0 = now_s();

	snprintf(url, sizeof url, "http://127.0.0.1:%s/submit?to=%s", r->port, r->party);
	if (request(c, url, r->auth, r->doc, r->doclen, &rep) != 202 ||
	    !(p = strstr(rep.data, "\"msgid\":\"")) || !(q = strchr(p + 9, '"')) ||
	    q - (p + 9) >= (long)sizeof msgid) {
		fprintf(stderr, "submit: %s\n", rep.data);
		return 0;
	}
	snprintf(msgid, sizeof msgid, "%.*s", (int)(q - (p + 9)), p + 9);
	snprintf(url, sizeof url, "http://127.0.0.1:%s/status/%s?wait=60", r->port, msgid);
	if (request(c, url, r->auth, NULL, 0, &rep) != 200 || !strstr(rep.data, "\"state\":\"DELIVERED\"")) {
		fprintf(stderr, "status %s: %s\n", msgid, rep.data);
		return 0;
	}
	*ms = (now_s() - t0) * 1000.0;
	return 1;
}

static void *submitter(void *arg)
{
	struct thread *t = arg;
	struct run *r = t->r;
	CURL *c = curl_easy_init();
	double ms;
	int once = r->end <= r->start;

	for (;;) {
		if (once && t->n + t->failed > 0)
			break;
		if (r->rate > 0) {
			long k = atomic_fetch_add(&r->ticket, 1);
			double at = r->start + (double)k / r->rate;
			struct timespec ts;
			double wait = at - now_s();

			if (at >= r->end)
				break;
			if (wait > 0) {   /* pacing the schedule, not synchronisation */
				ts.tv_sec = (time_t)wait;
				ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
				nanosleep(&ts, NULL);
			}
		} else if (!once && now_s() >= r->end) {
			break;
		}
		if (!exchange(c, r, &ms)) {
			t->failed++;
			continue;
		}
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 1024;
			t->lat = realloc(t->lat, (size_t)t->cap * sizeof *t->lat);
		}
		t->lat[t->n++] = ms;
	}
	curl_easy_cleanup(c);
	return NULL;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int submit_main(int argc, char **argv)
{
	struct run r;
	struct thread *t;
	FILE *f;
	long conc, secs, i, total = 0, failed = 0, k = 0, size;
	double *all, elapsed;

	if (argc < 8)
		return 2;
	memset(&r, 0, sizeof r);
	r.port = argv[2];
	r.party = argv[4];
	snprintf(r.auth, sizeof r.auth, "Authorization: Bearer %s", argv[3]);
	conc = atol(argv[6]);
	secs = atol(argv[7]);
	r.rate = argc > 8 ? atof(argv[8]) : 0;
	if (secs <= 0) {
		conc = 1;
		r.rate = 0;
	}
	if (!(f = fopen(argv[5], "rb")) || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0) {
		fprintf(stderr, "cannot read %s\n", argv[5]);
		return 1;
	}
	rewind(f);
	r.doc = malloc((size_t)size);
	r.doclen = fread(r.doc, 1, (size_t)size, f);
	fclose(f);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	t = calloc((size_t)conc, sizeof *t);
	r.start = now_s();
	r.end = r.start + (double)secs;
	for (i = 0; i < conc; i++) {
		t[i].r = &r;
		pthread_create(&t[i].id, NULL, submitter, &t[i]);
	}
	for (i = 0; i < conc; i++) {
		pthread_join(t[i].id, NULL);
		total += t[i].n;
		failed += t[i].failed;
	}
	elapsed = now_s() - r.start;
	all = malloc((size_t)(total ? total : 1) * sizeof *all);
	for (i = 0; i < conc; i++) {
		memcpy(all + k, t[i].lat, (size_t)t[i].n * sizeof *all);
		k += t[i].n;
		free(t[i].lat);
	}
	qsort(all, (size_t)total, sizeof *all, by_value);
	printf("exchanges %ld\nfailed %ld\nseconds %.2f\nper_s %.1f\n", total, failed, elapsed,
	       (double)total / elapsed);
	if (total > 0)
		printf("p50_ms %.1f\np90_ms %.1f\np99_ms %.1f\nmax_ms %.1f\n", all[(total - 1) / 2],
		       all[(long)((double)(total - 1) * 0.90)], all[(long)((double)(total - 1) * 0.99)],
		       all[total - 1]);
	free(all);
	free(t);
	free(r.doc);
	curl_global_cleanup();
	return failed > 0 || total == 0;
}

/* ---- idle ---- */

static long rss_kb(const char *pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%s/status", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

static int idle_main(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct rlimit rl;
	SSL_CTX *ctx;
	SSL **ssl;
	long n, i, open_now = 0;
	char b;

	if (argc < 7)
		return 2;
	n = atol(argv[5]);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, argv[3]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, argv[4], SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ssl = calloc((size_t)n, sizeof *ssl);
	for (i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
			fprintf(stderr, "connection %ld: %s\n", i, strerror(errno));
			return 1;
		}
		ssl[i] = SSL_new(ctx);
		SSL_set_fd(ssl[i], fd);
		if (SSL_connect(ssl[i]) != 1) {
			fprintf(stderr, "handshake %ld failed\n", i);
			ERR_print_errors_fp(stderr);
			return 1;
		}
	}
	/* A connection the node closed reads EOF; one still open reads
	 * nothing (EAGAIN) or what TLS sent after the handshake (tickets). */
	for (i = 0; i < n; i++) {
		int fd = SSL_get_fd(ssl[i]);
		ssize_t got = recv(fd, &b, 1, MSG_DONTWAIT | MSG_PEEK);

		if (got > 0 || (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
			open_now++;
	}
	printf("rss_kb %ld\nopen %ld\n", rss_kb(argv[6]), open_now);
	for (i = 0; i < n; i++) {
		close(SSL_get_fd(ssl[i]));
		SSL_free(ssl[i]);
	}
	free(ssl);
	SSL_CTX_free(ctx);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (argc > 1 && strcmp(argv[1], "submit") == 0)
		rc = submit_main(argc, argv);
	else if (argc > 1 && strcmp(argv[1], "idle") == 0)
		rc = idle_main(argc, argv);
	if (rc == 2)
		fprintf(stderr, "usage: e2e_load submit PORT TOKEN PARTY FILE CONCURRENCY SECONDS [RATE]\n"
				"       e2e_load idle PORT CERT KEY N PID\n");
	return rc;
}

/* Unit tests: the worker pool of both listeners (workers.h), with a plain
 * HTTP handler on 127.0.0.1 and real client sockets. */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "base/swn_limits.h"
#include "net/listen.h"
#include "net/workers.h"
#include "testlib.h"

#define MAXW 8
#define TRIES 500          /* polls of WAIT_MS at most: 5 s */
#define WAIT_MS 10

struct t {
	int nthreads;
	pthread_t starter;
	atomic_int setups[MAXW], teardowns[MAXW], stoppings[MAXW], served[MAXW];
	atomic_int setup_off_starter;     /* a setup not on the starting thread */
	atomic_int wrong_thread;          /* a callback not on its worker's thread */
	atomic_int calls;                 /* every callback of the pool's */
	atomic_int open;                  /* admitted and not closed */
	atomic_int refused;
	atomic_int holds;                 /* requests held unanswered */
	int cap;                          /* admit at most this many open (0: all) */
};

static int port_of(int fd)
{
	struct sockaddr_in sa;
	socklen_t n = sizeof sa;

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &n), 0);
	return ntohs(sa.sin_port);
}

static void check_thread(struct t *t, struct swn_worker *w)
{
	if (t->nthreads > 0 && swn_worker_current() != w)
		atomic_fetch_add(&t->wrong_thread, 1);
}

static void on_hello(struct evhttp_request *req, void *arg)
{
	struct swn_worker *w = arg;
	struct t *t = swn_worker_data(w);
	struct evbuffer *b = evbuffer_new();

	atomic_fetch_add(&t->calls, 1);
	check_thread(t, w);
	atomic_fetch_add(&t->served[swn_worker_index(w)], 1);
	evbuffer_add_printf(b, "hello %d\n", swn_worker_index(w));
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/* A request whose reply never comes: the drain waits for it. */
static void on_hold(struct evhttp_request *req, void *arg)
{
	struct swn_worker *w = arg;
	struct t *t = swn_worker_data(w);

	(void)req;
	atomic_fetch_add(&t->calls, 1);
	swn_worker_request_begin(w);
	atomic_fetch_add(&t->holds, 1);
}

static int setup(struct swn_worker *w, void *ctx, struct swn_err *err)
{
	struct t *t = ctx;
	int i = swn_worker_index(w);

	atomic_fetch_add(&t->calls, 1);
	if (!pthread_equal(pthread_self(), t->starter))
		atomic_fetch_add(&t->setup_off_starter, 1);
	if (i >= MAXW)
		return swn_err_set(err, SWN_E_USAGE, NULL, 0, "more workers than the test counts");
	atomic_fetch_add(&t->setups[i], 1);
	swn_worker_set_data(w, t);
	evhttp_set_cb(swn_worker_http(w), "/hello", on_hello, w);
	evhttp_set_cb(swn_worker_http(w), "/hold", on_hold, w);
	return 0;
}

static void teardown(struct swn_worker *w, void *ctx)
{
	struct t *t = ctx;

	atomic_fetch_add(&t->calls, 1);
	atomic_fetch_add(&t->teardowns[swn_worker_index(w)], 1);
}

static void stopping(struct swn_worker *w, void *ctx)
{
	struct t *t = ctx;

	atomic_fetch_add(&t->calls, 1);
	check_thread(t, w);
	atomic_fetch_add(&t->stoppings[swn_worker_index(w)], 1);
}

static void on_closed(struct evhttp_connection *evcon, void *arg)
{
	struct t *t = arg;

	(void)evcon;
	atomic_fetch_sub(&t->open, 1);
}

static int admit(struct swn_worker *w, struct evhttp_connection *evcon, struct bufferevent *bev, void *ctx)
{
	struct t *t = ctx;

	(void)bev;
	atomic_fetch_add(&t->calls, 1);
	check_thread(t, w);
	if (t->cap > 0 && atomic_fetch_add(&t->open, 1) >= t->cap) {
		atomic_fetch_sub(&t->open, 1);
		atomic_fetch_add(&t->refused, 1);
		return 0;
	}
	if (t->cap > 0)
		evhttp_connection_set_closecb(evcon, on_closed, t);
	return 1;
}

static int listen_any(void)
{
	struct swn_err err;
	int port = 0, fd;

	swn_err_clear(&err);
	fd = swn_listen_socket("127.0.0.1:0", &port, &err);
	ck_assert_msg(fd >= 0, "listen: %s", err.msg);
	return fd;
}

/* The pool of the tests, or NULL with err.  (No ck_ here: the child of
 * the accept test calls it outside any test.) */
static struct swn_workers *start_pool(struct t *t, int threads, int fd, int max_drain_ticks,
				      struct swn_err *err)
{
	struct swn_workers_config cfg = {
		.name = "test pool",
		.threads = threads,
		.pause_ms = 50,
		.max_drain_ticks = max_drain_ticks,
		.ctx = t,
		.setup = setup,
		.teardown = teardown,
		.stopping = stopping,
		.admit = admit,
	};
	struct swn_workers *p = NULL;

	t->nthreads = threads;
	t->starter = pthread_self();
	swn_err_clear(err);
	return swn_workers_start(fd, &cfg, &p, err) == 0 ? p : NULL;
}

static struct swn_workers *start(struct t *t, int threads, int fd, int max_drain_ticks)
{
	struct swn_err err;
	struct swn_workers *p = start_pool(t, threads, fd, max_drain_ticks, &err);

	ck_assert_msg(p != NULL, "start: %s", err.msg);
	return p;
}

/* A connected client socket, reads time out after 5 s; -1 when refused. */
static int client(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send GET path on fd and read the reply: its status (200...), 0 when
 * the connection closed without one, -1 on a time-out. */
static int get(int fd, const char *path, char *body, size_t n)
{
	char req[256], buf[4096];
	size_t have = 0;
	const char *end, *cl;
	ssize_t r;

	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		return 0;
	for (;;) {
		r = read(fd, buf + have, sizeof buf - 1 - have);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -1;
		if (r <= 0)
			return 0;
		have += (size_t)r;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL && (cl = strstr(buf, "Content-Length: ")) != NULL &&
		    have >= (size_t)(end + 4 - buf) + (size_t)atoi(cl + 16))
			break;
	}
	if (body)
		snprintf(body, n, "%s", end + 4);
	return strncmp(buf, "HTTP/1.1 ", 9) == 0 ? atoi(buf + 9) : 0;
}

/* Wait for cond to hold: polled, at most TRIES times. */
#define WAIT_FOR(cond) do { int tries_ = 0; \
		while (!(cond) && tries_++ < TRIES) poll(NULL, 0, WAIT_MS); } while (0)

static int threads_now(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(n_workers_each_set_up_once_and_serve_several_connections)
{
	static struct t t;
	int before = threads_now(), fd = listen_any(), port = port_of(fd), c[12], i, total = 0;
	struct swn_workers *p = start(&t, 4, fd, 0);
	char body[64];

	ck_assert_int_eq(swn_workers_count(p), 4);
	ck_assert_int_eq(threads_now(), before + 4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(atomic_load(&t.setups[i]), 1);
		ck_assert_ptr_eq(swn_worker_data(swn_workers_worker(p, i)), &t);
	}
	ck_assert_ptr_null(swn_workers_worker(p, 4));
	ck_assert_int_eq(atomic_load(&t.setup_off_starter), 0);
	/* Twelve connections open at once, two requests each. */
	for (i = 0; i < 12; i++)
		ck_assert_int_ge(c[i] = client(port), 0);
	for (i = 0; i < 12; i++) {
		ck_assert_int_eq(get(c[i], "/hello", body, sizeof body), 200);
		ck_assert_msg(strncmp(body, "hello ", 6) == 0, "body %s", body);
		ck_assert_int_eq(get(c[i], "/hello", NULL, 0), 200);
	}
	for (i = 0; i < 4; i++)
		total += atomic_load(&t.served[i]);
	ck_assert_int_eq(total, 24);
	ck_assert_int_eq(atomic_load(&t.wrong_thread), 0);
	for (i = 0; i < 12; i++)
		close(c[i]);
	swn_workers_free(p);
	ck_assert_int_eq(threads_now(), before);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(atomic_load(&t.setups[i]), 1);
		ck_assert_int_eq(atomic_load(&t.stoppings[i]), 1);
		ck_assert_int_eq(atomic_load(&t.teardowns[i]), 1);
	}
}
END_TEST

START_TEST(admit_refuses_over_the_cap_and_takes_again_once_room_is_free)
{
	static struct t t;
	int fd = listen_any(), port = port_of(fd), a, b, c, d;
	struct swn_workers *p;

	t.cap = 2;
	p = start(&t, 2, fd, 0);
	ck_assert_int_ge(a = client(port), 0);
	ck_assert_int_ge(b = client(port), 0);
	ck_assert_int_eq(get(a, "/hello", NULL, 0), 200);
	ck_assert_int_eq(get(b, "/hello", NULL, 0), 200);
	ck_assert_int_eq(atomic_load(&t.open), 2);
	/* The third is closed without an answer. */
	ck_assert_int_ge(c = client(port), 0);
	ck_assert_int_eq(get(c, "/hello", NULL, 0), 0);
	ck_assert_int_eq(atomic_load(&t.refused), 1);
	close(c);
	/* Room again once one closes. */
	close(a);
	WAIT_FOR(atomic_load(&t.open) == 1);
	ck_assert_int_eq(atomic_load(&t.open), 1);
	ck_assert_int_ge(d = client(port), 0);
	ck_assert_int_eq(get(d, "/hello", NULL, 0), 200);
	ck_assert_int_eq(get(b, "/hello", NULL, 0), 200);
	ck_assert_int_eq(atomic_load(&t.refused), 1);
	close(b);
	close(d);
	swn_workers_free(p);
	ck_assert_int_eq(atomic_load(&t.open), 0);
}
END_TEST

START_TEST(stop_with_connections_open_is_bounded_and_final)
{
	static struct t t;
	int before = threads_now(), fd = listen_any(), port = port_of(fd), idle, held, calls, i, x;
	struct swn_workers *p = start(&t, 3, fd, 10);   /* 10 ticks: 200 ms */
	double t0, took;

	ck_assert_int_ge(idle = client(port), 0);
	ck_assert_int_eq(get(idle, "/hello", NULL, 0), 200);
	ck_assert_int_ge(held = client(port), 0);
	ck_assert_int_eq(write(held, "GET /hold HTTP/1.1\r\nHost: t\r\n\r\n", 31), 31);
	/* The held request is in once the handler has run. */
	WAIT_FOR(atomic_load(&t.holds) == 1);
	ck_assert_int_eq(atomic_load(&t.holds), 1);
	t0 = now_s();
	swn_workers_stop(p);
	took = now_s() - t0;
	/* The drain waited for the held reply, but no longer than its ticks. */
	ck_assert_msg(took >= 10 * SWN_DRAIN_TICK_MS / 1000.0 * 0.9, "stopped in %.3f s: no drain", took);
	ck_assert_msg(took < 10 * SWN_DRAIN_TICK_MS / 1000.0 + 2, "stopped in %.3f s", took);
	ck_assert_int_eq(threads_now(), before);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(atomic_load(&t.stoppings[i]), 1);
		ck_assert_int_eq(atomic_load(&t.teardowns[i]), 1);
	}
	calls = atomic_load(&t.calls);
	/* Nothing listens, nothing answers, nothing is called. */
	ck_assert_int_eq(client(port), -1);
	ck_assert_int_eq(get(idle, "/hello", NULL, 0), 0);
	swn_workers_poke(p);
	/* Stopping twice is stopping once. */
	swn_workers_stop(p);
	swn_workers_free(p);
	ck_assert_int_eq(atomic_load(&t.calls), calls);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(atomic_load(&t.teardowns[i]), 1);
	close(idle);
	close(held);
	/* A new pool after the old one, on a new socket. */
	memset(&t, 0, sizeof t);
	fd = listen_any();
	port = port_of(fd);
	p = start(&t, 1, fd, 0);
	ck_assert_int_ge(x = client(port), 0);
	ck_assert_int_eq(get(x, "/hello", NULL, 0), 200);
	close(x);
	t0 = now_s();
	swn_workers_free(p);
	ck_assert_msg(now_s() - t0 < 2, "an idle pool took %.3f s to stop", now_s() - t0);
	ck_assert_int_eq(atomic_load(&t.teardowns[0]), 1);
}
END_TEST

/* This program, to run again as the child of the test below. */
static char self[4096];

/* The child of the test below, a new run of this program (not under
 * valgrind, which checks descriptors against the limit itself, nor in the
 * state of the tests before): exits 0, or the step that failed. */
static void out_of_descriptors(int log)
{
	static struct t t;
	struct rlimit was, low;
	struct sockaddr_in sa;
	socklen_t salen = sizeof sa;
	struct swn_err err;
	int fd, port = 0, c, lowest, r;
	struct swn_workers *p;

	if (dup2(log, 2) < 0)
		_exit(10);
	if ((fd = swn_listen_socket("127.0.0.1:0", &port, &err)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) < 0 || ntohs(sa.sin_port) != port)
		_exit(21);
	if ((p = start_pool(&t, 1, fd, 0, &err)) == NULL)
		_exit(22);
	if ((c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		_exit(11);
	/* Every descriptor below the lowest free one is taken: with the limit
	 * there, the node can open nothing new. */
	if ((lowest = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		_exit(12);
	close(lowest);
	if (getrlimit(RLIMIT_NOFILE, &was) < 0)
		_exit(13);
	low = was;
	low.rlim_cur = (rlim_t)lowest;
	if (setrlimit(RLIMIT_NOFILE, &low) < 0)
		_exit(14);
	{
		struct timeval tv = { 5, 0 };

		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		if (connect(c, (struct sockaddr *)&sa, sizeof sa) < 0)
			_exit(15);
	}
	/* Paused and tried again (50 ms), failing each time. */
	WAIT_FOR(swn_workers_accept_errors(p) >= 3);
	if (swn_workers_accept_errors(p) < 3)
		_exit(16);
	if (atomic_load(&t.served[0]) != 0)
		_exit(17);
	if (setrlimit(RLIMIT_NOFILE, &was) < 0)
		_exit(18);
	/* Descriptors back: the connection that waited is taken. */
	r = get(c, "/hello", NULL, 0);
	if (r != 200)
		_exit(r == 0 ? 19 : 20);
	close(c);
	swn_workers_free(p);
	_exit(0);
}

START_TEST(an_accept_error_pauses_logs_once_and_resumes)
{
	char path[] = "/tmp/swn-workers-log.XXXXXX", text[4096];
	int log = mkstemp(path), status = -1, n = 0;
	const char *at;
	ssize_t len;
	pid_t pid;

	ck_assert_int_ge(log, 0);
	unlink(path);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char fd[16];

		snprintf(fd, sizeof fd, "%d", log);
		setenv("SWN_WORKERS_CHILD", fd, 1);
		execl(self, self, (char *)NULL);
		_exit(9);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	len = pread(log, text, sizeof text - 1, 0);
	close(log);
	text[len > 0 ? len : 0] = '\0';
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed (status %d), log: %s",
		      status, text);
	for (at = text; (at = strstr(at, "test pool: cannot accept connections")) != NULL; at++)
		n++;
	ck_assert_msg(n == 1, "the accept error logged %d times, not once: %s", n, text);
	ck_assert_msg(strstr(text, "Too many open files") != NULL, "the log does not say why: %s", text);
}
END_TEST

START_TEST(a_pool_without_threads_runs_on_the_callers_loop)
{
	static struct t t;
	int fd = listen_any(), port = port_of(fd), c, r;
	struct swn_workers *p = start(&t, 0, fd, 0);
	struct event_base *base = swn_worker_base(swn_workers_worker(p, 0));
	char buf[512];

	ck_assert_int_eq(swn_workers_count(p), 1);
	ck_assert_ptr_nonnull(base);
	ck_assert_int_ge(c = client(port), 0);
	ck_assert_int_eq(write(c, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", 32), 32);
	/* Nothing happens unless the caller runs the loop. */
	{
		struct pollfd pf = { .fd = c, .events = POLLIN };

		ck_assert_int_eq(poll(&pf, 1, 50), 0);
		ck_assert_int_eq(atomic_load(&t.served[0]), 0);
		WAIT_FOR((event_base_loop(base, EVLOOP_NONBLOCK), poll(&pf, 1, 0) == 1));
		ck_assert_int_eq(atomic_load(&t.served[0]), 1);
		r = (int)read(c, buf, sizeof buf - 1);
		ck_assert_int_gt(r, 0);
		buf[r] = '\0';
		ck_assert_msg(strncmp(buf, "HTTP/1.1 200", 12) == 0, "reply %s", buf);
	}
	close(c);
	swn_workers_free(p);
	ck_assert_int_eq(atomic_load(&t.teardowns[0]), 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("workers");
	TCase *t = tcase_create("core");

	tcase_set_timeout(t, 30);
	tcase_add_test(t, n_workers_each_set_up_once_and_serve_several_connections);
	tcase_add_test(t, admit_refuses_over_the_cap_and_takes_again_once_room_is_free);
	tcase_add_test(t, stop_with_connections_open_is_bounded_and_final);
	tcase_add_test(t, an_accept_error_pauses_logs_once_and_resumes);
	tcase_add_test(t, a_pool_without_threads_runs_on_the_callers_loop);
	suite_add_tcase(s, t);
	return s;
}

int main(int argc, char **argv)
{
	const char *child = getenv("SWN_WORKERS_CHILD");

	(void)argc;
	signal(SIGPIPE, SIG_IGN);   /* a client writing to a connection the pool closed */
	if (child)
		out_of_descriptors(atoi(child));
	if (realpath(argv[0], self) == NULL)
		return EXIT_FAILURE;
	return swn_test_run(suite());
}

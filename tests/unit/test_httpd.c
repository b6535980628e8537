/* Unit tests: the partner listener's HTTP reader (net/httpd.h) on one end
 * of a socket pair, the bytes of each case written whole to the other end
 * (then its write side shut) and the loop run until the reader closes:
 * what the handler saw (heads, bodies, refusals) and the replies it wrote
 * back, for every form the framing of a request can take. */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "base/fsutil.h"
#include "net/httpd.h"
#include "testlib.h"

/* What one connection showed. */
struct seen {
	struct event_base *base;
	int heads, bodies, refused, closed;
	int last_refused;
	char why[300];
	char targets[8][64];
	char body[8][256];       /* each body's bytes, as written to the file */
	uint64_t max;            /* the body limit handed to the reader */
	int body_fd;
	int reply_in_head;       /* answer from head(), taking no body */
	int close_in_sent;       /* sent() asks to close (as a stopping listener does) */
	int sent;
	int reading_after_reply; /* EV_READ still enabled once a reply was queued */
};

static int on_head(void *ctx, struct swn_httpd *h, const struct swn_httpd_request *r, int *fd,
		   uint64_t *max)
{
	struct seen *s = ctx;

	if (s->heads < 8)
		snprintf(s->targets[s->heads], sizeof s->targets[0], "%s %s", r->method, r->target);
	s->heads++;
	if (s->reply_in_head) {
		swn_httpd_reply(h, 200, "OK", "text/plain", NULL, "head\n", 5);
		s->reading_after_reply |= (bufferevent_get_enabled(swn_httpd_bufferevent(h)) & EV_READ) != 0;
		return 0;
	}
	ck_assert_int_eq(ftruncate(s->body_fd, 0), 0);
	ck_assert_int_eq(lseek(s->body_fd, 0, SEEK_SET), 0);
	*fd = s->body_fd;
	*max = s->max;
	return 1;
}

static void on_body(void *ctx, struct swn_httpd *h, const struct swn_httpd_request *r, uint64_t len)
{
	struct seen *s = ctx;
	char reply[64];

	(void)r;
	ck_assert_uint_le(len, sizeof s->body[0] - 1);
	if (s->bodies < 8) {
		ck_assert_uint_eq(swn_pread_all(s->body_fd, s->body[s->bodies], (size_t)len, 0), len);
		s->body[s->bodies][len] = '\0';
	}
	s->bodies++;
	snprintf(reply, sizeof reply, "got %llu\n", (unsigned long long)len);
	swn_httpd_reply(h, 200, "OK", "text/plain", NULL, reply, strlen(reply));
	/* A client that sends and never reads must not fill memory. */
	s->reading_after_reply |= (bufferevent_get_enabled(swn_httpd_bufferevent(h)) & EV_READ) != 0;
}

static void on_sent(void *ctx, struct swn_httpd *h)
{
	struct seen *s = ctx;

	s->sent++;
	if (s->close_in_sent)
		swn_httpd_close_after(h);   /* closes once sent() has returned */
}

static void on_refused(void *ctx, struct swn_httpd *h, int status, const char *why)
{
	struct seen *s = ctx;

	(void)h;
	s->refused++;
	s->last_refused = status;
	snprintf(s->why, sizeof s->why, "%s", why);
}

static void on_closed(void *ctx, struct swn_httpd *h)
{
	struct seen *s = ctx;

	s->closed = 1;
	swn_httpd_free(h);
	event_base_loopbreak(s->base);
}

static const struct swn_httpd_handler handler = {
	.head = on_head, .body = on_body, .refused = on_refused, .sent = on_sent, .closed = on_closed,
};

/* Serve `in` on a fresh connection (the handler answering from head()
 * when reply_in_head); the replies into out (size n). */
static void run_as(const char *in, size_t len, struct seen *s, char *out, size_t n, int reply_in_head,
		   int close_in_sent)
{
	int sv[2], tmp;
	char path[] = "/tmp/swn-httpd-XXXXXX";
	struct bufferevent *bev;
	struct timeval limit = { 10, 0 };
	ssize_t got;
	size_t at = 0;

	memset(s, 0, sizeof *s);
	s->max = 200;
	s->reply_in_head = reply_in_head;
	s->close_in_sent = close_in_sent;
	ck_assert_int_ge(tmp = mkstemp(path), 0);
	unlink(path);
	s->body_fd = tmp;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_ptr_nonnull(s->base = event_base_new());
	evutil_make_socket_nonblocking(sv[0]);
	ck_assert_ptr_nonnull(bev = bufferevent_socket_new(s->base, sv[0], BEV_OPT_CLOSE_ON_FREE));
	ck_assert_ptr_nonnull(swn_httpd_new(bev, &handler, s));
	ck_assert_int_eq(write(sv[1], in, len), (ssize_t)len);
	shutdown(sv[1], SHUT_WR);
	event_base_loopexit(s->base, &limit);
	event_base_dispatch(s->base);
	ck_assert_msg(s->closed, "the reader did not close the connection");
	event_base_free(s->base);   /* runs the bufferevent's finalizer: its socket closes */
	while (at + 1 < n && (got = read(sv[1], out + at, n - 1 - at)) > 0)
		at += (size_t)got;
	out[at] = '\0';
	close(sv[1]);
	close(tmp);
}

static void run(const char *in, size_t len, struct seen *s, char *out, size_t n)
{
	run_as(in, len, s, out, n, 0, 0);
}

#define RUN(str) run(str, sizeof(str) - 1, &s, out, sizeof out)

START_TEST(content_length_and_keep_alive)
{
	struct seen s;
	char out[4096];

	RUN("POST /as4 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
	    "GET /healthz?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(s.heads, 2);
	ck_assert_int_eq(s.bodies, 2);
	ck_assert_str_eq(s.targets[0], "POST /as4");
	ck_assert_str_eq(s.targets[1], "GET /healthz?x=1");
	ck_assert_str_eq(s.body[0], "hello");
	ck_assert_str_eq(s.body[1], "");
	ck_assert_int_eq(strncmp(out, "HTTP/1.1 200 OK\r\nDate: ", 23), 0);
	ck_assert_ptr_nonnull(strstr(out, " GMT\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\ngot 5\n"));
	ck_assert_ptr_nonnull(strstr(out, "got 0\n"));
	ck_assert_int_eq(s.refused, 0);
	ck_assert_int_eq(s.reading_after_reply, 0);
	ck_assert_int_eq(s.sent, 2);
	ck_assert_ptr_nonnull(strstr(out, "\r\nDate: "));
}
END_TEST

/* The absolute form is taken by its path; HTTP/1.0 ignores Expect. */
START_TEST(absolute_form_and_http10_expect)
{
	struct seen s;
	char out[4096];

	RUN("GET http://peer.example:8443/healthz?a=1 HTTP/1.1\r\n\r\nGET HTTPS://x HTTP/1.1\r\n\r\n");
	ck_assert_int_eq(s.heads, 2);
	ck_assert_str_eq(s.targets[0], "GET /healthz?a=1");
	ck_assert_str_eq(s.targets[1], "GET /");
	RUN("POST /as4 HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi");
	ck_assert_int_eq(s.bodies, 1);
	ck_assert_str_eq(s.body[0], "hi");
}
END_TEST

/* sent() may ask to close (a stopping listener does): the reader closes
 * once sent() has returned, and reads nothing more (ASan in CI would see a
 * use after free). */
START_TEST(close_asked_in_sent)
{
	struct seen s;
	char out[4096];
	static const char in[] = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";

	run_as(in, sizeof in - 1, &s, out, sizeof out, 0, 1);
	ck_assert_int_eq(s.sent, 1);
	ck_assert_int_eq(s.heads, 1);
	ck_assert_int_eq(s.closed, 1);
}
END_TEST

START_TEST(chunked_bodies)
{
	struct seen s;
	char out[4096];

	/* Sizes in either case, an extension, trailer fields: dropped. */
	RUN("POST /as4 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\nA;ext=1\r\n, world!!!\r\n0\r\nX-Trailer: y\r\n\r\n");
	ck_assert_int_eq(s.bodies, 1);
	ck_assert_str_eq(s.body[0], "hello, world!!!");
	ck_assert_ptr_nonnull(strstr(out, "got 15\n"));
}
END_TEST

START_TEST(http10_closes_after_its_reply)
{
	struct seen s;
	char out[4096];

	RUN("GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(s.heads, 1);
	ck_assert_ptr_nonnull(strstr(out, "Connection: close\r\n"));
	RUN("GET /a HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
	ck_assert_int_eq(s.heads, 1);
}
END_TEST

START_TEST(expect_continue)
{
	struct seen s;
	char out[4096];

	/* With the body already sent, no 100 Continue is owed. */
	RUN("POST /as4 HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi");
	ck_assert_int_eq(s.bodies, 1);
	ck_assert_ptr_null(strstr(out, "100 Continue"));
	RUN("POST /as4 HTTP/1.1\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\nhi");
	ck_assert_int_eq(s.last_refused, 417);
	ck_assert_int_eq(s.bodies, 0);
}
END_TEST

/* Every request the reader refuses: status, and no body handed on. */
static const struct bad {
	const char *in;
	int status;
	const char *why;
} bad[] = {
	{ "POST /as4 HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
	  "both Transfer-Encoding and Content-Length" },
	{ "POST /as4 HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400, "not one whole number" },
	{ "POST /as4 HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc", 400, "not one whole number" },
	{ "POST /as4 HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc", 400, "not one whole number" },
	{ "POST /as4 HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400, "not one whole number" },
	{ "POST /as4 HTTP/1.1\r\nContent-Length: 201\r\n\r\n", 413, "over 200 bytes" },
	{ "POST /as4 HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "chunked alone" },
	{ "POST /as4 HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 501,
	  "chunked alone" },
	{ "POST /as4 HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "HTTP/1.0" },
	{ "POST /as4 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nC9\r\n", 413, "over 200 bytes" },
	{ "POST /as4 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n", 400, "" },   /* cut short: closed */
	{ "POST /as4 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", 400, "chunk size" },
	{ "POST /as4 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n", 400, "chunk size" },
	{ "POST /as4 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 400, "not followed by CRLF" },
	{ "GET /a HTTP/1.1\nHost: x\n\n", 400, "does not end in CRLF" },
	{ "GET /a HTTP/1.1\r\nHost: x\ny\r\n\r\n", 400, "does not end in CRLF" },
	{ "GET /a HTTP/1.1\r\nHost: x\ry\r\n\r\n", 400, "bare CR" },
	{ "GET /a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, "folding" },
	{ "GET /a HTTP/1.1\r\nHo st: x\r\n\r\n", 400, "not a token" },
	{ "GET /a HTTP/1.1\r\n: x\r\n\r\n", 400, "without a name" },
	{ "GET /a HTTP/1.1\r\nHost x\r\n\r\n", 400, "without a name" },
	{ "GET /a HTTP/1.1\r\nX: a\x01" "b\r\n\r\n", 400, "control character" },
	{ "GET /a HTTP/2.0\r\n\r\n", 400, "HTTP/1.0 or HTTP/1.1" },
	{ "GET a HTTP/1.1\r\n\r\n", 400, "not a path" },
	{ "GET  /a HTTP/1.1\r\n\r\n", 400, "METHOD TARGET VERSION" },
	{ "GET /a\x7f HTTP/1.1\r\n\r\n", 400, "visible ASCII" },
	{ "G(T /a HTTP/1.1\r\n\r\n", 400, "not a token" },
};

START_TEST(refused_framing)
{
	const struct bad *b = &bad[_i];
	struct seen s;
	char out[4096];

	run(b->in, strlen(b->in), &s, out, sizeof out);
	ck_assert_int_eq(s.bodies, 0);
	if (b->why[0] == '\0') {   /* a request cut off: closed without a reply */
		ck_assert_int_eq(s.refused, 0);
		return;
	}
	ck_assert_msg(s.refused == 1 && s.last_refused == b->status, "%s: refused %d with %d (%s)", b->in,
		      s.refused, s.last_refused, s.why);
	ck_assert_msg(strstr(s.why, b->why) != NULL, "%s: %s", b->in, s.why);
	ck_assert_ptr_nonnull(strstr(out, "Connection: close\r\n"));
}
END_TEST

/* The head's limit: at 16 KB it is refused (413), below it read. */
START_TEST(head_limit)
{
	struct seen s;
	char out[4096], *in = malloc(SWN_MAX_HTTP_HEADERS_BYTES + 200);
	size_t n = (size_t)sprintf(in, "GET /a HTTP/1.1\r\nX: ");

	ck_assert_ptr_nonnull(in);
	memset(in + n, 'a', SWN_MAX_HTTP_HEADERS_BYTES - n - 100);
	n = SWN_MAX_HTTP_HEADERS_BYTES - 100;
	n += (size_t)sprintf(in + n, "\r\n\r\n");
	run(in, n, &s, out, sizeof out);
	ck_assert_int_eq(s.heads, 1);
	n = (size_t)sprintf(in, "GET /a HTTP/1.1\r\nX: ");
	memset(in + n, 'a', SWN_MAX_HTTP_HEADERS_BYTES + 100 - n);
	n = SWN_MAX_HTTP_HEADERS_BYTES + 100;
	run(in, n, &s, out, sizeof out);
	ck_assert_int_eq(s.heads, 0);
	ck_assert_int_eq(s.last_refused, 413);
	free(in);
}
END_TEST

/* Answered from head() without taking a body: a body that follows is not
 * read as a request, the connection closes after the reply. */
START_TEST(answered_without_the_body)
{
	struct seen s;
	char out[4096], in[256];
	int n = snprintf(in, sizeof in, "POST /x HTTP/1.1\r\nContent-Length: 26\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n");

	run_as(in, (size_t)n, &s, out, sizeof out, 1, 0);
	ck_assert_int_eq(s.heads, 1);
	ck_assert_int_eq(s.closed, 1);
	ck_assert_ptr_nonnull(strstr(out, "Connection: close\r\n"));
	ck_assert_ptr_null(strstr(out, "smuggled"));
}
END_TEST

int main(void)
{
	Suite *su = suite_create("httpd");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, content_length_and_keep_alive);
	tcase_add_test(tc, chunked_bodies);
	tcase_add_test(tc, absolute_form_and_http10_expect);
	tcase_add_test(tc, close_asked_in_sent);
	tcase_add_test(tc, http10_closes_after_its_reply);
	tcase_add_test(tc, expect_continue);
	tcase_add_loop_test(tc, refused_framing, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, head_limit);
	tcase_add_test(tc, answered_without_the_body);
	suite_add_tcase(su, tc);
	return swn_test_run(su);
}

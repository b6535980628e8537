/* http_in.c - the partner listener; see http_in.h. */
#include "autoconfig.h"

#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "net/connlimit.h"
#include "net/httpd.h"
#include "base/fsutil.h"
#include "ledger/payloads.h"
#include "node/node/http_in.h"
#include "node/node/inbound.h"
#include "node/node/swa_in.h"
#include "net/listen.h"
#include "net/workers.h"
#include "base/log.h"
#include "base/number.h"
#include "trust/checkpoint.h"
#include "trust/pki.h"
#include "ledger/proof.h"
#include "base/swn_limits.h"


struct conn;

/* A worker of the pool (workers.h), as the routes see it, with the
 * connections open on its loop. */
struct worker {
	struct swn_server *server;
	struct swn_worker *pw;
	struct conn *conns;
};

struct swn_server {
	struct swn_runtime *rt;
	SSL_CTX *ssl;
	struct swn_workers *pool;
	struct worker *workers;  /* one a worker of the pool */
	int port;
	atomic_ulong requests;
	struct swn_server_limits limits;
	struct swn_connlimit *conns;
	atomic_llong max_body;   /* largest maxMessageBytes of the agreements */
};

/* One client connection: its HTTP reader, its place in the connection
 * limits and its deadline.  The SSL object points back to it (ex_data)
 * for the handshake's callbacks.  Freed by conn_destroy alone: when the
 * reader says the connection is over, or at teardown. */
enum route { ROUTE_NONE, ROUTE_AS4 };

struct conn {
	struct worker *w;
	struct conn *next, **prev;   /* in w->conns */
	struct swn_httpd *h;
	SSL *ssl;                /* NULL on the plain server */
	struct event *timer;
	struct sockaddr_storage addr;
	enum swn_conn_state state;   /* where it is counted in server->conns */
	time_t armed;            /* when the current deadline started (monotonic s) */
	int busy;                /* a request whose reply is not out yet */
	enum route route;        /* of the request being read */
	int body_fd;             /* its body's file in payloads/, or -1 */
	char body_path[SWN_PATH_MAX + 48];
};

static int conn_index = -1;
static pthread_once_t conn_once = PTHREAD_ONCE_INIT;

static void conn_index_init(void)
{
	conn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* The request's body file, gone (it was never evidence). */
static void drop_body(struct conn *c)
{
	if (c->body_fd >= 0) {
		close(c->body_fd);
		if (c->body_path[0])
			unlink(c->body_path);
	}
	c->body_fd = -1;
	c->body_path[0] = '\0';
}

static void conn_destroy(struct conn *c)
{
	if ((*c->prev = c->next) != NULL)
		c->next->prev = c->prev;
	if (c->timer)
		event_free(c->timer);
	/* The connection died before its reply went out. */
	if (c->busy)
		swn_worker_request_end(c->w->pw);
	if (c->ssl) {
		SSL_set_ex_data(c->ssl, conn_index, NULL);
		swn_connlimit_leave(c->w->server->conns, (struct sockaddr *)&c->addr, &c->state);
	}
	drop_body(c);
	swn_httpd_free(c->h);   /* frees the bufferevent, the SSL object and the socket */
	free(c);
}

/* Each kind of connection trouble is logged at most once a second: a
 * flood of bad clients must not flood the log. */
static int log_now(_Atomic time_t *last)
{
	time_t now = time(NULL);

	return atomic_exchange(last, now) != now;
}

static const char *addr_text(const struct conn *c, char *buf, size_t n)
{
	if (getnameinfo((const struct sockaddr *)&c->addr, sizeof c->addr, buf, (socklen_t)n, NULL, 0,
			NI_NUMERICHOST) != 0)
		snprintf(buf, n, "?");
	return buf;
}

static time_t monotonic_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

/* Close the connection from inside libevent's or OpenSSL's callbacks:
 * the reader sees the end of the stream and ends it in its own time. */
static void conn_close(struct conn *c)
{
	int fd = bufferevent_getfd(swn_httpd_bufferevent(c->h));

	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

/* The deadline of what the connection must do next: its handshake, or
 * once authenticated its next request. */
static void conn_arm(struct conn *c)
{
	const struct swn_server_limits *lim = &c->w->server->limits;
	struct timeval tv = { c->state == SWN_CONN_AUTHENTICATED ? lim->request_timeout_s
								   : lim->handshake_timeout_s, 0 };

	c->armed = monotonic_s();
	if (c->state != SWN_CONN_OUT)
		evtimer_add(c->timer, &tv);
}

/* Why a connection was refused or closed by the limits, at most once a
 * second per reason. */
static void log_refusal(struct conn *c, enum swn_conn_verdict v)
{
	static _Atomic time_t address_full, handshakes_full, address_handshakes_full, pinned_full, no_memory;
	const struct swn_server_limits *lim = &c->w->server->limits;
	char text[INET6_ADDRSTRLEN + 8];

	switch (v) {
	case SWN_CONN_ADMITTED:
		break;
	case SWN_CONN_ADDRESS_FULL:
		if (log_now(&address_full))
			swn_log("refused a connection from %s: it has %d connections open already",
				addr_text(c, text, sizeof text), lim->max_per_address);
		break;
	case SWN_CONN_HANDSHAKES_FULL:
		if (log_now(&handshakes_full))
			swn_log("refused a connection from %s: %d connections are in the TLS handshake, the limit "
				"(serve --max-handshakes)", addr_text(c, text, sizeof text), lim->max_handshakes);
		break;
	case SWN_CONN_ADDRESS_HANDSHAKES_FULL:
		if (log_now(&address_handshakes_full))
			swn_log("refused a connection from %s: it has %d connections in the TLS handshake already",
				addr_text(c, text, sizeof text), lim->max_handshakes_per_address);
		break;
	case SWN_CONN_PINNED_FULL:
		if (log_now(&pinned_full))
			swn_log("closed a connection from %s after its handshake: %d connections of pinned peers "
				"are open, the room kept for them (serve --max-connections less --max-handshakes)",
				addr_text(c, text, sizeof text), lim->max_connections - lim->max_handshakes);
		break;
	case SWN_CONN_NO_MEMORY:
		if (log_now(&no_memory))
			swn_log("refused a connection from %s: out of memory", addr_text(c, text, sizeof text));
		break;
	}
}

/* The handshake is complete with a pinned certificate: the client has
 * proved it holds the key (the certificate alone, seen by verify_pinned,
 * is public and proves nothing).  The connection leaves the handshake
 * pool for the room kept for pinned peers, and its request deadline
 * starts. */
static void conn_authenticated(struct conn *c, const SSL *ssl)
{
	enum swn_conn_verdict v;

	if ((c->state != SWN_CONN_HANDSHAKE && c->state != SWN_CONN_KNOWN_HANDSHAKE) ||
	    SSL_get0_peer_certificate(ssl) == NULL || SSL_get_verify_result(ssl) != X509_V_OK)
		return;
	v = swn_connlimit_authenticated(c->w->server->conns, (struct sockaddr *)&c->addr, monotonic_s(),
					&c->state);
	if (v != SWN_CONN_ADMITTED) {
		log_refusal(c, v);
		conn_close(c);
		return;
	}
	conn_arm(c);
}

static void on_tls_info(const SSL *ssl, int where, int ret)
{
	struct conn *c;

	(void)ret;
	if ((where & SSL_CB_HANDSHAKE_DONE) && (c = SSL_get_ex_data(ssl, conn_index)) != NULL)
		conn_authenticated(c, ssl);
}

/* The deadline passed with the handshake or the request not in. */
static void on_conn_timer(evutil_socket_t fd, short what, void *arg)
{
	static _Atomic time_t late_handshake, late_request;
	struct conn *c = arg;
	const struct swn_server_limits *lim = &c->w->server->limits;
	char text[INET6_ADDRSTRLEN + 8];

	(void)fd;
	(void)what;
	if (c->state == SWN_CONN_AUTHENTICATED) {
		if (log_now(&late_request))
			swn_log("closed a connection from %s: no complete request within %d s",
				addr_text(c, text, sizeof text), lim->request_timeout_s);
	} else if (log_now(&late_handshake)) {
		swn_log("closed a connection from %s: no TLS handshake within %d s",
			addr_text(c, text, sizeof text), lim->handshake_timeout_s);
	}
	conn_close(c);
}

/* Replaces chain verification: the client's certificate must be pinned by
 * an active or suspended agreement in its validity; nothing else makes it
 * trusted.  A refusal is logged, not recorded: strangers, and peers whose
 * agreement is over, cannot write to the ledger. */
static int verify_pinned(X509_STORE_CTX *store, void *arg)
{
	/* Logged at most once a second per kind: strangers, and certificates
	 * pinned only by agreements that carry no traffic now. */
	static _Atomic time_t refused_stranger, refused_pinned;
	struct swn_runtime *rt = arg;
	X509 *cert = X509_STORE_CTX_get0_cert(store);
	char subject[256], fp[SWN_FP_LEN + 1], why[300];
	int ok;

	if (cert == NULL)
		return 0;
	swn_runtime_agreements_lock(rt);
	ok = swn_runtime_tls_pinned(rt, cert, time(NULL), why, sizeof why);
	swn_runtime_agreements_unlock(rt);
	if (!ok) {
		X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
		if (log_now(strncmp(why, "pinned", 6) == 0 ? &refused_pinned : &refused_stranger)) {
			swn_cert_subject(cert, subject, sizeof subject);
			swn_cert_fingerprint(cert, fp);
			swn_log("refused a TLS client certificate (%s): %s (SHA-256 %s)", why,
				subject, fp);
		}
	}
	return ok;
}

static SSL_CTX *make_ssl(struct swn_runtime *rt, struct swn_err *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL ||
	    !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_file(ctx, rt->cfg.tls_cert, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, rt->cfg.tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		char buf[256];

		ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
		SSL_CTX_free(ctx);
		swn_err_set(err, SWN_E_CRYPTO, rt->cfg.tls_cert, 0, "cannot set up TLS: %s", buf);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, verify_pinned, rt);
	SSL_CTX_set_info_callback(ctx, on_tls_info);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
	/* An idle connection gives back its TLS read and write buffers: with
	 * 1,000 idle connections the node measured 50 MB of RSS, not 68. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	return ctx;
}

#define ACCEPT_PAUSE_MS 1000     /* after an accept error (out of descriptors) */

static void reply_text(struct swn_httpd *h, int code, const char *reason, const char *extra,
		       const char *text)
{
	char body[SWN_NOTE_MAX + 8];

	snprintf(body, sizeof body, "%s\n", text);
	swn_httpd_reply(h, code, reason, "text/plain; charset=UTF-8", extra, body, strlen(body));
}

/* Every request starts here, its head in: the connection's request
 * deadline now covers the body (request_timeout_s, and a second more per
 * SWN_HTTP_MIN_RATE bytes it may have).  1 to go on; 0 (a 403 sent) for
 * a connection without a pinned client certificate.  The plain server of
 * the fuzz target has no TLS at all: its routes go on, and /as4 refuses
 * for want of a certificate. */
static int begin(struct conn *c, uint64_t body_max)
{
	struct swn_server *s = c->w->server;
	/* From when the deadline started (the handshake or the last reply),
	 * not from the head: the head's own time counts. */
	time_t end = c->armed + s->limits.request_timeout_s + (time_t)(body_max / SWN_HTTP_MIN_RATE),
	       now = monotonic_s();
	struct timeval tv = { end > now ? end - now : 0, 0 };
	X509 *cert;
	char why[300];
	int pinned;

	atomic_fetch_add(&s->requests, 1);
	swn_worker_request_begin(c->w->pw);
	c->busy = 1;
	if (c->state == SWN_CONN_AUTHENTICATED)
		evtimer_add(c->timer, &tv);
	if (s->ssl == NULL)
		return 1;
	if (c->ssl == NULL || (cert = SSL_get0_peer_certificate(c->ssl)) == NULL) {
		reply_text(c->h, 403, "Forbidden", NULL, "no client certificate");
		return 0;
	}
	/* Pinned at the handshake is not enough on a kept-alive connection:
	 * the agreement may have gone since. */
	swn_runtime_agreements_lock(s->rt);
	pinned = swn_runtime_tls_pinned(s->rt, cert, time(NULL), why, sizeof why);
	swn_runtime_agreements_unlock(s->rt);
	if (!pinned) {
		/* The reason names only this peer's own agreement. */
		reply_text(c->h, 403, "Forbidden", NULL, why);
		return 0;
	}
	return 1;
}

static void on_healthz(struct conn *c)
{
	reply_text(c->h, 200, "OK", NULL, "ok");
}

/* A peer audits our ledger: the latest signed checkpoint, and consistency
 * proofs between sizes.  Only pinned peers get here (mutual TLS). */
static void on_checkpoint(struct conn *c)
{
	char note[SWN_NOTE_MAX];
	struct swn_err err;

	swn_err_clear(&err);
	if (swn_ledger_checkpoint(c->w->server->rt->ledger, 0, note, sizeof note, &err) != 1) {
		reply_text(c->h, 404, "Not Found", NULL, "no checkpoint yet");
		return;
	}
	/* The note exactly, final newline included: it is what was signed. */
	swn_httpd_reply(c->h, 200, "OK", "text/plain; charset=UTF-8", NULL, note, strlen(note));
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The value of key in a query "k=v&k=v", %XX and '+' decoded as a form's
 * (a NUL or a broken escape refused), into out: 1 found once, 0 not, -1
 * given twice, too long or malformed. */
static int query_value(const char *q, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key);
	int found = 0;

	while (q && *q) {
		const char *end = strchr(q, '&');
		size_t len = end ? (size_t)(end - q) : strlen(q);

		if (len > klen && strncmp(q, key, klen) == 0 && q[klen] == '=') {
			const char *v = q + klen + 1, *ve = q + len;
			size_t o = 0;

			if (found++)
				return -1;
			for (; v < ve; v++) {
				int ch = (unsigned char)*v;

				if (ch == '%') {
					if (ve - v < 3 || hexval(v[1]) < 0 || hexval(v[2]) < 0 ||
					    (ch = hexval(v[1]) * 16 + hexval(v[2])) == 0)
						return -1;
					v += 2;
				} else if (ch == '+') {
					ch = ' ';
				}
				if (o + 1 >= n)
					return -1;
				out[o++] = (char)ch;
			}
			out[o] = '\0';
		} else if (len == klen && strncmp(q, key, klen) == 0) {
			if (found++)
				return -1;
			out[0] = '\0';
		}
		q = end ? end + 1 : NULL;
	}
	return found;
}

static void on_consistency(struct conn *c, const char *q)
{
	char from[32], to[32];
	long long a, b;
	struct swn_proof p;
	struct swn_err err;
	char *json = NULL;

	if (query_value(q, "from", from, sizeof from) != 1 || query_value(q, "to", to, sizeof to) != 1) {
		reply_text(c->h, 400, "Bad Request", NULL, "GET /ledger/consistency?from=M&to=N");
		return;
	}
	if (swn_parse_number(from, 0, LLONG_MAX, &a) < 0 || swn_parse_number(to, 0, LLONG_MAX, &b) < 0) {
		reply_text(c->h, 400, "Bad Request", NULL, "from and to are whole numbers");
		return;
	}
	swn_err_clear(&err);
	if (swn_ledger_prove(c->w->server->rt->ledger, 0, (uint64_t)a, (uint64_t)b, &p, &err) < 0 ||
	    swn_proof_to_json(&p, &json, &err) < 0) {
		reply_text(c->h, 404, "Not Found", NULL, err.msg);
		return;
	}
	{
		size_t n = strlen(json);

		while (n > 0 && json[n - 1] == '\n')
			json[--n] = '\0';
	}
	reply_text(c->h, 200, "OK", NULL, json);
	free(json);
}

/* The head of a request is in: route it.  Only POST /as4 has a body,
 * written to a file of the payload store as it arrives. */
static int on_head(void *ctx, struct swn_httpd *h, const struct swn_httpd_request *r, int *fd,
		   uint64_t *max)
{
	struct conn *c = ctx;
	struct swn_server *s = c->w->server;
	int get = strcmp(r->method, "GET") == 0, post = strcmp(r->method, "POST") == 0;
	char path[SWN_HTTPD_TARGET_BYTES];
	const char *query;
	struct swn_err err;

	(void)h;
	c->route = ROUTE_NONE;
	if (swn_httpd_path(r, path, sizeof path, &query) < 0)
		path[0] = '\0';
	if (strcmp(path, "/as4") == 0 && post) {
		*max = (uint64_t)atomic_load(&s->max_body);
		/* Only a MIME message streams: the body form is read whole by
		 * inbound, so it is refused (413) past a document's size. */
		if (!swn_swa_in_is_mime(swn_httpd_field(r, "Content-Type")) && *max > SWN_MAX_DOCUMENT_BYTES)
			*max = SWN_MAX_DOCUMENT_BYTES;
		if (!begin(c, r->has_length ? r->length : *max))
			return 0;
		if (s->ssl == NULL || c->ssl == NULL || SSL_get0_peer_certificate(c->ssl) == NULL) {
			reply_text(c->h, 403, "Forbidden", NULL, "no client certificate");
			return 0;
		}
		swn_err_clear(&err);
		if ((c->body_fd = swn_payloads_temp(s->rt->cfg.home, c->body_path, sizeof c->body_path,
						    &err)) < 0) {
			swn_log("in: cannot take a request: %s", err.msg);
			reply_text(c->h, 503, "Service Unavailable", "Retry-After: 30\r\n",
				   "the message cannot be stored now; send it again later");
			return 0;
		}
		c->route = ROUTE_AS4;
		*fd = c->body_fd;
		return 1;
	}
	if (!begin(c, 0))
		return 0;
	if (strcmp(r->method, "HEAD") == 0)   /* a reply to HEAD carries no body */
		swn_httpd_reply(c->h, 405, "Method Not Allowed", NULL, "Allow: GET, POST\r\n", NULL, 0);
	else if (!get && !post)
		reply_text(c->h, 405, "Method Not Allowed", "Allow: GET, POST\r\n", "GET or POST");
	else if (strcmp(path, "/as4") == 0)
		reply_text(c->h, 405, "Method Not Allowed", "Allow: POST\r\n", "POST an AS4 message to /as4");
	else if (strcmp(path, "/healthz") == 0)
		on_healthz(c);
	else if (strcmp(path, "/ledger/checkpoint") == 0)
		on_checkpoint(c);
	else if (strcmp(path, "/ledger/consistency") == 0)
		on_consistency(c, query);
	else
		reply_text(c->h, 404, "Not Found", NULL, "swnode serves POST /as4 and GET /healthz");
	return 0;
}

/* POST /as4 is in: the message is handled whole, then answered. */
static void on_body(void *ctx, struct swn_httpd *h, const struct swn_httpd_request *r, uint64_t len)
{
	struct conn *c = ctx;
	struct swn_server *s = c->w->server;
	struct swn_inbound_reply reply;
	X509 *client;

	(void)h;
	evtimer_del(c->timer);
	if (c->route != ROUTE_AS4 || !(client = SSL_get1_peer_certificate(c->ssl))) {
		reply_text(c->h, 500, "Internal Server Error", NULL, "no route");
		drop_body(c);
		return;
	}
	/* Handled from the file: a large message is never in memory. */
	swn_inbound_handle_file(s->rt, c->body_fd, c->body_path, len, swn_httpd_field(r, "Content-Type"),
				client, &reply);
	drop_body(c);
	X509_free(client);
	swn_log("in %s: %s%s%s", reply.msgid[0] ? reply.msgid : "(no MessageId)", reply.outcome,
		reply.reason[0] ? ": " : "", reply.reason);
	if (reply.http_status == 429)
		reply_text(c->h, 429, "Too Many Requests", "Retry-After: 60\r\n",
			   "over the agreement's messages per minute; send it again later");
	else if (reply.http_status == 503 || reply.body.len == 0)
		reply_text(c->h, reply.http_status == 200 ? 500 : reply.http_status, "Service Unavailable",
			   "Retry-After: 30\r\n", "the message could not be recorded; send it again later");
	else
		swn_httpd_reply(c->h, reply.http_status, "OK", "application/soap+xml; charset=UTF-8", NULL,
				reply.body.data, reply.body.len);
	swn_buf_free(&reply.body);
}

/* The reader refused the request itself.  A body over the limit is
 * recorded like every other refusal; the rest (malformed HTTP) is logged,
 * at most once a second. */
static void on_refused(void *ctx, struct swn_httpd *h, int status, const char *why)
{
	static _Atomic time_t malformed;
	struct conn *c = ctx;
	struct swn_server *s = c->w->server;
	char reason[400], text[INET6_ADDRSTRLEN + 8];

	(void)h;
	drop_body(c);
	if (!c->busy) {
		swn_worker_request_begin(c->w->pw);
		c->busy = 1;
	}
	evtimer_del(c->timer);
	if (status != 413) {
		if (log_now(&malformed))
			swn_log("refused a request from %s: HTTP %d: %s", addr_text(c, text, sizeof text), status,
				why);
		return;
	}
	snprintf(reason, sizeof reason, "request refused while it streamed in: %s (the largest "
		 "maxMessageBytes of the active agreements is %lld bytes, a request head at most %d)",
		 why, (long long)atomic_load(&s->max_body), SWN_MAX_HTTP_HEADERS_BYTES);
	swn_log("in: %s", reason);
	swn_inbound_refused_http(s->rt, c->ssl ? SSL_get0_peer_certificate(c->ssl) : NULL, 413, reason);
}

/* A reply has gone out: one less to wait for, and the connection's
 * deadline runs again for its next request. */
static void on_sent(void *ctx, struct swn_httpd *h)
{
	struct conn *c = ctx;

	(void)h;
	drop_body(c);
	if (c->busy) {
		swn_worker_request_end(c->w->pw);
		c->busy = 0;
	}
	if (swn_worker_stopping(c->w->pw)) {
		swn_httpd_close_after(c->h);
		return;
	}
	conn_arm(c);
}

static void on_closed(void *ctx, struct swn_httpd *h)
{
	(void)h;
	conn_destroy(ctx);
}

static const struct swn_httpd_handler handler = {
	.head = on_head,
	.body = on_body,
	.refused = on_refused,
	.sent = on_sent,
	.closed = on_closed,
};

/* A new connection (the pool's accepted, workers.h): its TLS layer, its
 * place in the connection limits (or refused: closed at once), its
 * deadline and its HTTP reader. */
static void on_accepted(struct swn_worker *pw, evutil_socket_t fd, void *ctx)
{
	struct swn_server *s = ctx;
	struct worker *w = swn_worker_data(pw);
	struct event_base *base = swn_worker_base(pw);
	struct conn *c = calloc(1, sizeof *c);
	struct bufferevent *bev = NULL;
	socklen_t len = sizeof c->addr;
	enum swn_conn_verdict v;

	if (c == NULL || getpeername(fd, (struct sockaddr *)&c->addr, &len) < 0 ||
	    !(c->timer = evtimer_new(base, on_conn_timer, c))) {
		if (c && c->timer)
			event_free(c->timer);
		free(c);
		evutil_closesocket(fd);
		return;
	}
	c->w = w;
	c->body_fd = -1;
	c->state = SWN_CONN_OUT;
	if (s->ssl) {
		if (!(c->ssl = SSL_new(s->ssl)) || !SSL_set_ex_data(c->ssl, conn_index, c)) {
			SSL_free(c->ssl);
			event_free(c->timer);
			free(c);
			evutil_closesocket(fd);
			return;
		}
		v = swn_connlimit_enter(s->conns, (struct sockaddr *)&c->addr, monotonic_s(), &c->state);
		if (v != SWN_CONN_ADMITTED) {
			log_refusal(c, v);
			SSL_free(c->ssl);
			event_free(c->timer);
			free(c);
			evutil_closesocket(fd);
			return;
		}
		bev = bufferevent_openssl_socket_new(base, fd, c->ssl, BUFFEREVENT_SSL_ACCEPTING,
						     BEV_OPT_CLOSE_ON_FREE);
	} else {
		bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	}
	if (bev == NULL) {
		if (c->ssl) {
			swn_connlimit_leave(s->conns, (struct sockaddr *)&c->addr, &c->state);
			SSL_free(c->ssl);
		}
		event_free(c->timer);
		free(c);
		evutil_closesocket(fd);
		return;
	}
	if ((c->next = w->conns) != NULL)
		c->next->prev = &c->next;
	c->prev = &w->conns;
	w->conns = c;
	if (!(c->h = swn_httpd_new(bev, &handler, c))) {   /* bev freed */
		c->ssl = NULL;   /* freed with bev */
		if ((*c->prev = c->next) != NULL)
			c->next->prev = c->prev;
		if (s->ssl)
			swn_connlimit_leave(s->conns, (struct sockaddr *)&c->addr, &c->state);
		event_free(c->timer);
		free(c);
		return;
	}
	swn_httpd_set_idle(c->h, s->limits.idle_timeout_s);
	conn_arm(c);
}

/* Stopping: connections between requests close now, the others once
 * their reply is out (the pool drains them). */
static void on_stopping(struct swn_worker *pw, void *ctx)
{
	struct worker *w = swn_worker_data(pw);
	struct conn *c, *next;

	(void)ctx;
	for (c = w->conns; c; c = next) {
		next = c->next;
		if (!c->busy && !swn_httpd_busy(c->h))
			conn_destroy(c);
		else
			swn_httpd_close_after(c->h);
	}
}

/* The worker's routes and limits. */
static int setup_worker(struct swn_worker *pw, void *ctx, struct swn_err *err)
{
	struct swn_server *s = ctx;
	struct worker *w = &s->workers[swn_worker_index(pw)];

	(void)err;
	w->server = s;
	w->pw = pw;
	w->conns = NULL;
	swn_worker_set_data(pw, w);
	return 0;
}

/* After the worker's loop ended: what is still open closes. */
static void teardown_worker(struct swn_worker *pw, void *ctx)
{
	struct worker *w = swn_worker_data(pw);

	(void)ctx;
	while (w && w->conns)
		conn_destroy(w->conns);
}

/* The pool of s: threads workers (0: one, run by the caller), with TLS
 * when s->ssl is set, accepting on fd (taken over). */
static int start_pool(struct swn_server *s, int fd, int threads, struct swn_err *err)
{
	struct swn_workers_config cfg = {
		.name = "partner listener",
		.threads = threads,
		.pause_ms = ACCEPT_PAUSE_MS,
		.ctx = s,
		.setup = setup_worker,
		.teardown = teardown_worker,
		.stopping = on_stopping,
		.accepted = on_accepted,
	};

	if (!(s->workers = calloc((size_t)(threads > 0 ? threads : 1), sizeof *s->workers))) {
		close(fd);
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	}
	return swn_workers_start(fd, &cfg, &s->pool, err);
}

/* The connection limits in a table's terms: the handshake pool must leave
 * room for pinned peers. */
static int connlimit_caps(const struct swn_server_limits *limits, struct swn_connlimit_caps *caps,
			  struct swn_err *err)
{
	if (limits->max_handshakes < 1 || limits->max_handshakes >= limits->max_connections ||
	    limits->max_handshakes_per_address < 1 || limits->max_per_address < 1)
		return swn_err_set(err, SWN_E_USAGE, NULL, 0,
				   "connections in the TLS handshake (%d) must be at least 1 and fewer than all "
				   "connections (%d): the rest is kept for pinned peers",
				   limits->max_handshakes, limits->max_connections);
	caps->max_total = limits->max_connections;
	caps->max_per_address = limits->max_per_address;
	caps->max_handshakes = limits->max_handshakes;
	caps->max_handshakes_per_address = limits->max_handshakes_per_address;
	return 0;
}

int swn_server_start(struct swn_runtime *rt, const char *addr, int workers,
		     const struct swn_server_limits *limits, struct swn_server **out,
		     struct swn_err *err)
{
	struct swn_server *s;
	struct swn_connlimit_caps caps;
	int fd;

	*out = NULL;
	if (connlimit_caps(limits, &caps, err) < 0)
		return -1;
	if ((s = calloc(1, sizeof *s)) == NULL)
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	if (workers < 1)
		workers = 1;
	s->rt = rt;
	s->limits = *limits;
	/* A handshake is never given longer than a request. */
	if (s->limits.handshake_timeout_s > s->limits.request_timeout_s)
		s->limits.handshake_timeout_s = s->limits.request_timeout_s;
	swn_runtime_agreements_lock(rt);
	atomic_store(&s->max_body, swn_runtime_max_message_bytes(rt));
	swn_runtime_agreements_unlock(rt);
	pthread_once(&conn_once, conn_index_init);
	if (conn_index < 0 || !(s->ssl = make_ssl(rt, err)) || !(s->conns = swn_connlimit_new(&caps))) {
		if (s->ssl || conn_index < 0)
			swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		swn_connlimit_free(s->conns);
		SSL_CTX_free(s->ssl);
		free(s);
		return -1;
	}
	if ((fd = swn_listen_socket(addr, &s->port, err)) < 0 || start_pool(s, fd, workers, err) < 0) {
		swn_server_stop(s);
		return -1;
	}
	*out = s;
	return 0;
}

void swn_server_stop(struct swn_server *s)
{
	if (s == NULL)
		return;
	swn_workers_free(s->pool);   /* frees the last connections */
	swn_connlimit_free(s->conns);
	free(s->workers);
	SSL_CTX_free(s->ssl);
	free(s);
}

int swn_server_plain(struct swn_runtime *rt, int fd, struct event_base **base,
		      struct swn_server **out, struct swn_err *err)
{
	struct swn_server *s = calloc(1, sizeof *s);

	*out = NULL;
	if (s == NULL) {
		close(fd);
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	}
	s->rt = rt;
	s->limits = (struct swn_server_limits)SWN_SERVER_LIMITS_DEFAULT;
	swn_runtime_agreements_lock(rt);
	atomic_store(&s->max_body, swn_runtime_max_message_bytes(rt));
	swn_runtime_agreements_unlock(rt);
	if (start_pool(s, fd, 0, err) < 0) {
		swn_server_stop(s);
		return -1;
	}
	*base = swn_worker_base(swn_workers_worker(s->pool, 0));
	*out = s;
	return 0;
}

int swn_server_port(const struct swn_server *s)
{
	return s->port;
}

unsigned long swn_server_requests(const struct swn_server *s)
{
	return atomic_load(&s->requests);
}

void swn_server_connections(const struct swn_server *s, int *handshakes, int *authenticated)
{
	*handshakes = *authenticated = 0;
	if (s && s->conns)
		swn_connlimit_counts(s->conns, handshakes, authenticated);
}

void swn_server_agreements_changed(struct swn_server *s)
{
	swn_runtime_agreements_lock(s->rt);
	atomic_store(&s->max_body, swn_runtime_max_message_bytes(s->rt));
	swn_runtime_agreements_unlock(s->rt);
}

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
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "net/connlimit.h"
#include "node/node/http_in.h"
#include "node/node/inbound.h"
#include "net/listen.h"
#include "net/workers.h"
#include "base/log.h"
#include "base/number.h"
#include "trust/checkpoint.h"
#include "trust/pki.h"
#include "ledger/proof.h"
#include "base/swn_limits.h"


/* A worker of the pool (workers.h), as the routes see it. */
struct worker {
	struct swn_server *server;
	struct swn_worker *pw;
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

/* One client connection: its place in the connection limits and its
 * deadline.  It hangs off the connection's SSL object (ex_data), so it is
 * freed exactly when libevent frees the connection, however that ends. */
struct conn {
	struct worker *w;
	struct bufferevent *bev;
	struct event *timer;
	struct sockaddr_storage addr;
	enum swn_conn_state state;   /* where it is counted in server->conns */
	int busy;                /* a request whose reply is not out yet */
};

static int conn_index = -1;
static pthread_once_t conn_once = PTHREAD_ONCE_INIT;

static void conn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct conn *c = ptr;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (c == NULL)
		return;
	if (c->timer)
		event_free(c->timer);
	/* The connection died before its reply went out: libevent 2.1 then
	 * never calls the request's completion callback. */
	if (c->busy)
		swn_worker_request_end(c->w->pw);
	swn_connlimit_leave(c->w->server->conns, (struct sockaddr *)&c->addr, &c->state);
	free(c);
}

static void conn_index_init(void)
{
	conn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_free);
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

/* Close the connection under libevent: it sees the end of the stream and
 * frees the connection (and with it this struct) in its own time. */
static void conn_close(struct conn *c)
{
	int fd = bufferevent_getfd(c->bev);

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

	if (c->state != SWN_CONN_OUT)
		evtimer_add(c->timer, &tv);
}

static time_t monotonic_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
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

/* Just after accept (the pool's admission, workers.h): count the
 * connection in the handshake pool (or the room of a pinned peer's
 * address), or refuse it (0: the pool closes it). */
static int conn_admit(struct swn_worker *pw, struct evhttp_connection *evcon, struct bufferevent *bev,
		      void *ctx)
{
	SSL *ssl = bufferevent_openssl_get_ssl(bev);
	struct conn *c = ssl ? SSL_get_ex_data(ssl, conn_index) : NULL;
	socklen_t len;
	enum swn_conn_verdict v;
	int sock = bufferevent_getfd(bev);

	(void)pw;
	(void)evcon;
	(void)ctx;
	if (c == NULL)
		return 1;   /* not a connection of make_bev's: begin() refuses its requests */
	len = sizeof c->addr;
	if (sock < 0 || getpeername(sock, (struct sockaddr *)&c->addr, &len) < 0)
		return 0;
	v = swn_connlimit_enter(c->w->server->conns, (struct sockaddr *)&c->addr, monotonic_s(), &c->state);
	if (v != SWN_CONN_ADMITTED) {
		log_refusal(c, v);
		return 0;
	}
	conn_arm(c);
	if (SSL_is_init_finished(ssl))
		conn_authenticated(c, ssl);
	return 1;
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

static SSL *ssl_of(struct evhttp_request *req)
{
	struct evhttp_connection *ec = evhttp_request_get_connection(req);
	struct bufferevent *bev = ec ? evhttp_connection_get_bufferevent(ec) : NULL;

	return bev ? bufferevent_openssl_get_ssl(bev) : NULL;
}

/* libevent refuses a request over the size limits itself, with 413 and
 * before any route runs; the only trace is the status line it writes.
 * Seen here, the refusal is recorded like every other. */
static void on_output(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct conn *c = arg;
	struct evbuffer_ptr pos;
	char head[32], reason[300];
	const char *sp;
	ev_ssize_t n;
	SSL *ssl;

	/* "HTTP/<any version> 413 ": libevent echoes the client's version. */
	if (info->n_added < 14 || evbuffer_ptr_set(buf, &pos, info->orig_size, EVBUFFER_PTR_SET) < 0 ||
	    (n = evbuffer_copyout_from(buf, &pos, head, sizeof head)) < 14 || memcmp(head, "HTTP/", 5) != 0 ||
	    !(sp = memchr(head, ' ', (size_t)n)) || (size_t)(head + n - sp) < 5 || memcmp(sp, " 413 ", 5) != 0)
		return;
	ssl = bufferevent_openssl_get_ssl(c->bev);
	snprintf(reason, sizeof reason,
		 "request refused while it streamed in: body over %lld bytes (the largest "
		 "maxMessageBytes of the active agreements) or headers over %d bytes",
		 (long long)atomic_load(&c->w->server->max_body), SWN_MAX_HTTP_HEADERS_BYTES);
	swn_log("in: %s", reason);
	swn_inbound_refused_http(c->w->server->rt, ssl ? SSL_get0_peer_certificate(ssl) : NULL, 413,
				 reason);
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

/* A new connection's TLS layer and its struct conn.  (Were this to fail,
 * libevent would go on without TLS: begin() refuses such requests.)  The
 * pool admits it (conn_admit) once libevent has attached the socket. */
static struct bufferevent *make_bev(struct swn_worker *pw, struct event_base *base, void *ctx)
{
	struct worker *w = swn_worker_data(pw);
	struct conn *c = calloc(1, sizeof *c);
	SSL *ssl = c ? SSL_new(w->server->ssl) : NULL;

	if (ssl == NULL) {
		free(c);
		return NULL;
	}
	c->w = w;
	if (!(c->timer = evtimer_new(base, on_conn_timer, c)) || !SSL_set_ex_data(ssl, conn_index, c)) {
		if (c->timer)
			event_free(c->timer);
		free(c);
		SSL_free(ssl);
		return NULL;
	}
	/* From here c is freed with ssl. */
	c->bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
						BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	(void)ctx;
	evbuffer_add_cb(bufferevent_get_output(c->bev), on_output, c);
	return c->bev;
}

static void reply_text(struct evhttp_request *req, int code, const char *reason,
		       const char *text)
{
	struct evbuffer *b = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; charset=UTF-8");
	evbuffer_add_printf(b, "%s\n", text);
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

/* A reply has gone out (or the connection died): one less to wait for,
 * and the connection's deadline runs again for its next request. */
static void on_sent(struct evhttp_request *req, void *arg)
{
	struct worker *w = arg;
	SSL *ssl = ssl_of(req);
	struct conn *c = ssl ? SSL_get_ex_data(ssl, conn_index) : NULL;

	if (c == NULL || c->busy) {
		swn_worker_request_end(w->pw);
		if (c)
			c->busy = 0;
	}
	if (c)
		conn_arm(c);
}

/* Every route starts here.  The request is in: its connection's deadline
 * stops until the reply is out.  1 to go on, with the TLS session in *ssl;
 * 0 (a 403 sent) for a connection without a client certificate.  The plain
 * server of the fuzz target has no TLS at all: its routes go on with *ssl
 * NULL, and /as4 refuses for want of a certificate. */
static int begin(struct evhttp_request *req, struct worker *w, SSL **ssl)
{
	struct conn *c;

	*ssl = ssl_of(req);
	c = *ssl ? SSL_get_ex_data(*ssl, conn_index) : NULL;
	struct evhttp_connection *ec = evhttp_request_get_connection(req);
	X509 *cert;
	char why[300];
	int pinned;

	atomic_fetch_add(&w->server->requests, 1);
	swn_worker_request_begin(w->pw);
	evhttp_request_set_on_complete_cb(req, on_sent, w);
	if (c) {
		c->busy = 1;
		evtimer_del(c->timer);
	}
	/* A reload reaches connections already open: the next request on this
	 * one gets the limit of now. */
	if (ec)
		evhttp_connection_set_max_body_size(ec, (ev_ssize_t)atomic_load(&w->server->max_body));
	if (w->server->ssl == NULL)
		return 1;
	if (*ssl == NULL || (cert = SSL_get0_peer_certificate(*ssl)) == NULL) {
		reply_text(req, 403, "Forbidden", "no client certificate");
		return 0;
	}
	/* Pinned at the handshake is not enough on a kept-alive connection:
	 * the agreement may have gone since. */
	swn_runtime_agreements_lock(w->server->rt);
	pinned = swn_runtime_tls_pinned(w->server->rt, cert, time(NULL), why, sizeof why);
	swn_runtime_agreements_unlock(w->server->rt);
	if (!pinned) {
		/* The reason names only this peer's own agreement. */
		reply_text(req, 403, "Forbidden", why);
		return 0;
	}
	return 1;
}

static void on_as4(struct evhttp_request *req, void *arg)
{
	struct worker *w = arg;
	struct swn_server *s = w->server;
	struct evbuffer *in = evhttp_request_get_input_buffer(req), *out;
	struct swn_inbound_reply reply;
	X509 *client;
	size_t len;
	char *data;
	SSL *ssl;

	if (!begin(req, w, &ssl))
		return;
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		reply_text(req, 405, "Method Not Allowed", "POST an AS4 message to /as4");
		return;
	}
	if (ssl == NULL || !(client = SSL_get1_peer_certificate(ssl))) {
		reply_text(req, 403, "Forbidden", "no client certificate");
		return;
	}
	len = evbuffer_get_length(in);
	data = (char *)evbuffer_pullup(in, -1);
	swn_inbound_handle(s->rt, data ? data : "", data ? len : 0,
			   evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type"),
			   client, &reply);
	X509_free(client);
	swn_log("in %s: %s%s%s", reply.msgid[0] ? reply.msgid : "(no MessageId)", reply.outcome,
		reply.reason[0] ? ": " : "", reply.reason);
	if (reply.http_status == 429) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "60");
		reply_text(req, 429, "Too Many Requests", "over the agreement's messages per minute; send it again later");
	} else if (reply.http_status == 503 || reply.body.len == 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "30");
		reply_text(req, reply.http_status == 200 ? 500 : reply.http_status,
			   "Service Unavailable", "the message could not be recorded; send it again later");
	} else {
		out = evbuffer_new();
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
				  "application/soap+xml; charset=UTF-8");
		evbuffer_add(out, reply.body.data, reply.body.len);
		evhttp_send_reply(req, reply.http_status, "OK", out);
		evbuffer_free(out);
	}
	swn_buf_free(&reply.body);
}

static void on_healthz(struct evhttp_request *req, void *arg)
{
	struct worker *w = arg;
	SSL *ssl;

	if (begin(req, w, &ssl))
		reply_text(req, 200, "OK", "ok");
}

/* A peer audits our ledger: the latest signed checkpoint, and consistency
 * proofs between sizes.  Only pinned peers get here (mutual TLS). */
static void on_checkpoint(struct evhttp_request *req, void *arg)
{
	struct worker *w = arg;
	char note[SWN_NOTE_MAX];
	struct swn_err err;
	SSL *ssl;

	if (!begin(req, w, &ssl))
		return;
	swn_err_clear(&err);
	if (swn_ledger_checkpoint(w->server->rt->ledger, 0, note, sizeof note, &err) != 1) {
		reply_text(req, 404, "Not Found", "no checkpoint yet");
		return;
	}
	{
		/* The note exactly, final newline included: it is what was signed. */
		struct evbuffer *b = evbuffer_new();

		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
				  "text/plain; charset=UTF-8");
		evbuffer_add(b, note, strlen(note));
		evhttp_send_reply(req, 200, "OK", b);
		evbuffer_free(b);
	}
}

static void on_consistency(struct evhttp_request *req, void *arg)
{
	struct worker *w = arg;
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq params;
	const char *from, *to;
	long long a, b;
	struct swn_proof p;
	struct swn_err err;
	char *json = NULL;
	SSL *ssl;

	if (!begin(req, w, &ssl))
		return;
	TAILQ_INIT(&params);
	if (!q || evhttp_parse_query_str(q, &params) < 0 ||
	    !(from = evhttp_find_header(&params, "from")) || !(to = evhttp_find_header(&params, "to"))) {
		evhttp_clear_headers(&params);
		reply_text(req, 400, "Bad Request", "GET /ledger/consistency?from=M&to=N");
		return;
	}
	if (swn_parse_number(from, 0, LLONG_MAX, &a) < 0 || swn_parse_number(to, 0, LLONG_MAX, &b) < 0) {
		evhttp_clear_headers(&params);
		reply_text(req, 400, "Bad Request", "from and to are whole numbers");
		return;
	}
	evhttp_clear_headers(&params);
	swn_err_clear(&err);
	if (swn_ledger_prove(w->server->rt->ledger, 0, (uint64_t)a, (uint64_t)b, &p, &err) < 0 ||
	    swn_proof_to_json(&p, &json, &err) < 0) {
		reply_text(req, 404, "Not Found", err.msg);
		return;
	}
	{
		size_t n = strlen(json);

		while (n > 0 && json[n - 1] == '\n')
			json[--n] = '\0';
	}
	reply_text(req, 200, "OK", json);
	free(json);
}

static void on_other(struct evhttp_request *req, void *arg)
{
	SSL *ssl;

	if (begin(req, arg, &ssl))
		reply_text(req, 404, "Not Found", "swnode serves POST /as4 and GET /healthz");
}

#define ACCEPT_PAUSE_MS 1000     /* after an accept error (out of descriptors) */

/* A new body size limit (the agreements were reloaded), on the worker's
 * own loop. */
static void on_retune(struct swn_worker *pw, void *ctx)
{
	struct swn_server *s = ctx;

	evhttp_set_max_body_size(swn_worker_http(pw), (ev_ssize_t)atomic_load(&s->max_body));
}

/* The worker's evhttp, with the limits and routes of the listener (TLS,
 * through the pool's make_bev, when s->ssl is set). */
static int setup_worker(struct swn_worker *pw, void *ctx, struct swn_err *err)
{
	struct swn_server *s = ctx;
	struct worker *w = &s->workers[swn_worker_index(pw)];
	struct evhttp *http = swn_worker_http(pw);

	(void)err;
	w->server = s;
	w->pw = pw;
	swn_worker_set_data(pw, w);
	evhttp_set_timeout(http, s->limits.idle_timeout_s);
	evhttp_set_max_body_size(http, (ev_ssize_t)atomic_load(&s->max_body));
	evhttp_set_max_headers_size(http, SWN_MAX_HTTP_HEADERS_BYTES);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_cb(http, "/as4", on_as4, w);
	evhttp_set_cb(http, "/healthz", on_healthz, w);
	evhttp_set_cb(http, "/ledger/checkpoint", on_checkpoint, w);
	evhttp_set_cb(http, "/ledger/consistency", on_consistency, w);
	evhttp_set_gencb(http, on_other, w);
	return 0;
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
		.make_bev = s->ssl ? make_bev : NULL,
		.admit = s->ssl ? conn_admit : NULL,
		.poked = on_retune,
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
	swn_workers_poke(s->pool);
}

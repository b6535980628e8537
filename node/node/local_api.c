/* local_api.c - the local listener; see local_api.h. */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "as4/as4.h"
#include "base/fsutil.h"
#include "node/node/inbound.h"
#include "net/listen.h"
#include "net/workers.h"
#include "node/node/local_api.h"
#include "base/log.h"
#include "node/node/placement.h"
#include "base/swn_limits.h"
#include "xml/xmlsafe.h"
#include "base/number.h"

#define TOKEN_HEX 64
#define IDLE_TIMEOUT_S (SWN_LOCAL_MAX_WAIT_S + 15)   /* longer than a held reply */
#define ACCEPT_PAUSE_MS 250      /* after an accept error (out of descriptors) */
#define LOG_EVERY_S 60           /* each kind of connection trouble, at most */

/* An admitted connection, on its worker's list until it closes.  owed is
 * the reply of a request that began (counted with
 * swn_worker_request_begin) and has not gone out: ended once, by the
 * reply's completion or, when the connection dies first (libevent 2.1 then
 * calls no completion), by its close callback. */
struct lconn {
	struct lconn *next, **prev;
	struct lworker *w;
	struct evhttp_connection *evcon;
	int owed;
};

/* A worker of the pool (workers.h), as the routes see it.  Replies are
 * only ever sent from its own thread. */
struct lworker {
	struct swn_local *l;
	struct swn_worker *pw;
	struct event_base *base;
	struct lconn *conns;     /* admitted, open (the worker's thread only) */
};

/* A held GET /status?wait: answered by its own event, which fires on its
 * worker's loop at the deadline or when the outbox records an outcome. */
struct waiter {
	struct waiter *next;
	struct lworker *w;
	struct evhttp_request *req;
	struct event *ev;
	int linked;              /* in l->waiters (under l->lock) */
	char msgid[SWN_AS4_ID_BYTES];
};

struct swn_local {
	struct swn_runtime *rt;
	struct swn_outbox *ob;
	struct swn_delivery *d;
	const struct swn_server *partner;   /* its connections, for /healthz */
	char token[TOKEN_HEX + 1];
	struct swn_workers *pool;
	struct lworker *workers;  /* one a worker of the pool */
	int port;
	int max_connections;
	atomic_int connections;  /* open, all workers */
	pthread_mutex_t lock;    /* the waiters */
	struct waiter *waiters;
	int nwaiters;
};

/* ---- the token ---- */

static int load_token(struct swn_local *l, struct swn_err *err)
{
	char path[SWN_PATH_MAX + 32];
	unsigned char raw[TOKEN_HEX / 2];
	char buf[TOKEN_HEX + 2];
	struct swn_err why;
	struct stat st;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof path, "%s/%s", l->rt->cfg.home, SWN_LOCAL_TOKEN_FILE);
	if (!swn_path_exists(path)) {
		if (RAND_bytes(raw, sizeof raw) != 1)
			return swn_err_set(err, SWN_E_CRYPTO, path, 0, "cannot make a random token");
		for (i = 0; i < (int)sizeof raw; i++)
			snprintf(buf + 2 * i, 3, "%02x", raw[i]);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return swn_err_set(err, SWN_E_IO, path, 0, "cannot create the local API token: %s",
					   strerror(errno));
		if (fd >= 0) {   /* ours: another process may have made it first */
			if (write(fd, buf, TOKEN_HEX) != TOKEN_HEX || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
				int saved = errno;

				close(fd);
				unlink(path);
				return swn_err_set(err, SWN_E_IO, path, 0, "cannot write the local API token: %s",
						   strerror(saved));
			}
			close(fd);
			swn_log("local API: made a new token in %s", path);
		}
	}
	swn_err_clear(&why);
	fd = swn_file_open_at(AT_FDCWD, path, path, &st, &why);
	if (fd < 0 && st.st_mode == 0)
		return swn_err_set(err, SWN_E_IO, path, 0, "cannot read the local API token: %s", why.msg);
	if (fd < 0)
		return swn_err_set(err, SWN_E_CONFIG, path, 0, "%s; the local API token must be a regular "
				   "file of the node's user, readable by it alone (chmod 600)", why.msg);
	/* Whoever reads the token can have the node sign and send. */
	if ((st.st_mode & 077) != 0 || st.st_uid != geteuid()) {
		close(fd);
		return swn_err_set(err, SWN_E_CONFIG, path, 0,
				   "the local API token must be a file of the node's user, readable by it "
				   "alone (chmod 600)");
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strlen(buf) < 32 || strlen(buf) > TOKEN_HEX)
		return swn_err_set(err, SWN_E_CONFIG, path, 0,
				   "the local API token must be 32 to %d characters on one line", TOKEN_HEX);
	memcpy(l->token, buf, strlen(buf) + 1);   /* at most TOKEN_HEX + 1: checked */
	return 0;
}

static int authorized(const struct swn_local *l, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	size_t n = strlen(l->token);

	return h && strncmp(h, "Bearer ", 7) == 0 && strlen(h + 7) == n &&
	       CRYPTO_memcmp(h + 7, l->token, n) == 0;
}

/* ---- replies ---- */

/* A JSON string of s: bytes that are not UTF-8 (a name from a query, a
 * peer's error text cut short) become '?', so that a reply never fails to
 * encode. */
static json_t *text(const char *s)
{
	char *copy;
	json_t *j;
	size_t i, n;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	if (!(copy = strdup(s)))
		return json_null();
	for (i = 0; copy[i]; i += n) {
		unsigned char c = (unsigned char)copy[i];
		size_t k;

		n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		for (k = 1; n && k < n; k++)
			if (((unsigned char)copy[i + k] & 0xC0) != 0x80)
				n = 0;
		if (n == 0 || (n == 1 && c < 0x20 && c != '\t')) {
			copy[i] = '?';
			n = 1;
		}
	}
	j = json_string(copy);   /* still NULL for overlong forms: give up on them */
	free(copy);
	return j ? j : json_string("(not UTF-8)");
}

static void reply_json(struct evhttp_request *req, int code, const char *reason, json_t *body)
{
	struct evbuffer *b = evbuffer_new();
	char *dump = body ? json_dumps(body, JSON_COMPACT) : NULL;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
	evbuffer_add_printf(b, "%s\n", dump ? dump : "{\"error\":\"the reply could not be encoded\"}");
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
	free(dump);
	json_decref(body);
}

static void reply_error(struct evhttp_request *req, int code, const char *reason, const char *why)
{
	reply_json(req, code, reason, json_pack("{s:o}", "error", text(why)));
}

/* The admitted connection evcon, NULL if none (a held request whose
 * client went away has none). */
static struct lconn *conn_of(struct lworker *w, struct evhttp_connection *evcon)
{
	struct lconn *c;

	for (c = w->conns; evcon && c; c = c->next)
		if (c->evcon == evcon)
			return c;
	return NULL;
}

/* The reply owed on c has gone out, or never will: counted out once. */
static void settle(struct lconn *c)
{
	if (c && c->owed) {
		c->owed = 0;
		swn_worker_request_end(c->w->pw);
	}
}

static void on_sent(struct evhttp_request *req, void *arg)
{
	settle(conn_of(arg, evhttp_request_get_connection(req)));
}

/* Every route starts here: 1 to go on, 0 when refused (and answered). */
static int begin(struct evhttp_request *req, struct lworker *w, int need_token)
{
	struct lconn *c = conn_of(w, evhttp_request_get_connection(req));

	/* libevent reads a connection's next request only once the reply to
	 * the last has gone: one reply owed at a time. */
	if (c && !c->owed) {
		c->owed = 1;
		swn_worker_request_begin(w->pw);
	}
	evhttp_request_set_on_complete_cb(req, on_sent, w);
	if (need_token && !authorized(w->l, req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate", "Bearer");
		reply_error(req, 401, "Unauthorized", "an Authorization: Bearer header with the node's "
			    "local API token (" SWN_LOCAL_TOKEN_FILE " in the node's home) is needed");
		return 0;
	}
	return 1;
}

/* ---- POST /submit ---- */

static int token_ok(const char *t)
{
	size_t n = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

	return n >= 1 && n <= 64 && t[n] == '\0';
}

/* A submission that was not recorded: why, as the node would log it. */
static void reply_refused(struct evhttp_request *req, const char *to, const struct swn_err *err,
			  const struct swn_once *once)
{
	char line[32] = "";

	if (err->line > 0)
		snprintf(line, sizeof line, "line %ld: ", err->line);
	swn_log("local API: submission to %s refused: %s%s", to, line, err->msg);
	if (err->code == SWN_E_DB || err->code == SWN_E_NOMEM) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "5");
		reply_error(req, 503, "Service Unavailable", err->msg);
	} else if (err->code == SWN_E_EXISTS && once->differs) {
		reply_json(req, 409, "Conflict",
			   json_pack("{s:o,s:o,s:s,s:o}", "error", text(err->msg), "msgid", text(once->msgid),
				     "differs", once->differs, "first_to", text(once->first_to)));
	} else {
		reply_json(req, 422, "Unprocessable Entity",
			   json_pack("{s:o,s:i}", "error", text(err->msg), "line", (int)err->line));
	}
}

/* A repeated request for a message recorded before: its state of now. */
static void reply_repeated(struct swn_local *l, struct evhttp_request *req, const char *msgid)
{
	char state[32], last[8];
	struct swn_err err;
	time_t next;
	int attempts;

	swn_err_clear(&err);
	if (swn_outbox_get(l->ob, msgid, state, sizeof state, &attempts, &next, last, sizeof last, &err) != 1) {
		reply_error(req, 503, "Service Unavailable",
			    err.msg[0] ? err.msg : "the message's queue state cannot be read");
		return;
	}
	swn_log("local API: %s was submitted before; answered with its state %s", msgid, state);
	reply_json(req, 202, "Accepted", json_pack("{s:o,s:s,s:b}", "msgid", text(msgid), "state", state,
						   "repeated", 1));
}

static void on_submit(struct evhttp_request *req, void *arg)
{
	struct lworker *w = arg;
	struct swn_local *l = w->l;
	struct evkeyvalq q;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *to, *id, *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	unsigned char sha256[32];
	struct swn_once once;
	struct swn_err err;
	xmlDocPtr doc = NULL;
	size_t len;
	char *data;
	int rc;

	if (!begin(req, w, 1))
		return;
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		reply_error(req, 405, "Method Not Allowed", "POST a document to /submit?to=PARTY");
		return;
	}
	TAILQ_INIT(&q);
	if (query == NULL || evhttp_parse_query_str(query, &q) < 0 ||
	    !(to = evhttp_find_header(&q, "to")) || !*to) {
		reply_error(req, 400, "Bad Request", "say which party to send to: /submit?to=PARTY");
		evhttp_clear_headers(&q);
		return;
	}
	id = evhttp_find_header(&q, "id");
	if (id && !token_ok(id)) {
		reply_error(req, 400, "Bad Request", "id must be 1 to 64 of A-Z a-z 0-9 . _ -");
		evhttp_clear_headers(&q);
		return;
	}
	swn_err_clear(&err);
	memset(&once, 0, sizeof once);
	len = evbuffer_get_length(in);
	data = (char *)evbuffer_pullup(in, -1);
	SHA256((const unsigned char *)(data ? data : ""), data ? len : 0, sha256);
	doc = swn_xml_parse(data ? data : "", data ? len : 0, "request body", &err);
	if (doc == NULL)
		rc = -1;
	else if (id)
		rc = swn_outbox_submit_once(l->ob, doc, sha256, "request body", to, id, &once, &err);
	else
		rc = swn_outbox_submit(l->ob, doc, sha256, "request body", to, once.msgid, sizeof once.msgid, &err);
	xmlFreeDoc(doc);
	if (rc < 0) {
		reply_refused(req, to, &err, &once);
	} else if (once.repeated) {
		reply_repeated(l, req, once.msgid);
	} else {
		swn_delivery_wake(l->d);
		swn_log("local API: submitted %s to %s", once.msgid, to);
		reply_json(req, 202, "Accepted", json_pack("{s:s,s:s}", "msgid", once.msgid, "state", "SUBMITTED"));
	}
	evhttp_clear_headers(&q);
}

/* ---- GET /status/MSGID ---- */

static int final_state(const char *state)
{
	return strcmp(state, "DELIVERED") == 0 || strcmp(state, "FAILED") == 0;
}

/* 1 answered with the state, 0 msgid is not queued (answered 404), -1
 * not answered: the state is not final and final_only is set. */
static int reply_status(struct swn_local *l, struct evhttp_request *req, const char *msgid,
			int final_only)
{
	char state[32], last[1400], when[32] = "";
	struct swn_err err;
	time_t next;
	struct tm tm;
	int attempts, found;

	swn_err_clear(&err);
	found = swn_outbox_get(l->ob, msgid, state, sizeof state, &attempts, &next, last, sizeof last, &err);
	if (found < 0) {
		reply_error(req, 503, "Service Unavailable", err.msg);
		return 1;
	}
	if (found == 0) {
		reply_error(req, 404, "Not Found", "no such message in the outbox");
		return 0;
	}
	if (final_only && !final_state(state))
		return -1;
	if (next > 0 && gmtime_r(&next, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	reply_json(req, 200, "OK", json_pack("{s:o,s:s,s:i,s:s?,s:o}", "msgid", text(msgid), "state", state,
					     "attempts", attempts, "next_attempt",
					     when[0] && !final_state(state) ? when : NULL,
					     "last_error", text(last[0] ? last : NULL)));
	return 1;
}

static void unlink_waiter(struct swn_local *l, struct waiter *x)
{
	struct waiter **p;

	for (p = &l->waiters; *p; p = &(*p)->next)
		if (*p == x) {
			*p = x->next;
			l->nwaiters--;
			x->linked = 0;
			return;
		}
}

/* The deadline, an outcome, or the stop: answer with the state of now. */
static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct waiter *x = arg;
	struct swn_local *l = x->w->l;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&l->lock);
	if (x->linked)
		unlink_waiter(l, x);
	pthread_mutex_unlock(&l->lock);
	reply_status(l, x->req, x->msgid, 0);
	event_free(x->ev);
	free(x);
}

/* Take the held requests for msgid (or of worker w) off the list and fire
 * their events: each is answered on its own worker's loop. */
static void wake_waiters(struct swn_local *l, const char *msgid, const struct lworker *w)
{
	struct waiter **p, *x;

	pthread_mutex_lock(&l->lock);
	for (p = &l->waiters; (x = *p) != NULL;) {
		if (msgid ? strcmp(x->msgid, msgid) == 0 : x->w == w) {
			*p = x->next;
			l->nwaiters--;
			x->linked = 0;
			event_active(x->ev, EV_TIMEOUT, 0);
		} else {
			p = &x->next;
		}
	}
	pthread_mutex_unlock(&l->lock);
}

/* The outbox recorded an outcome (a delivery thread, under the outbox's
 * lock: nothing here calls the outbox). */
static void on_outcome(void *ctx, const char *msgid, const char *event)
{
	struct swn_local *l = ctx;

	if (strcmp(event, "DELIVERED") == 0 || strcmp(event, "FAILED") == 0)
		wake_waiters(l, msgid, NULL);
}

/* A held request's connection reads nothing more until its reply is sent
 * (libevent reads again then).  libevent 2.1's read callback treats bytes
 * arriving while a reply is pending as an illegal state and may end the
 * process (event_errx); other libevent users disable reading the same way.
 * A client gone meanwhile is noticed when the reply is written. */
static void stop_reading(struct evhttp_request *req)
{
	struct evhttp_connection *ec = evhttp_request_get_connection(req);
	struct bufferevent *bev = ec ? evhttp_connection_get_bufferevent(ec) : NULL;

	if (bev)
		bufferevent_disable(bev, EV_READ);
}

static void hold(struct lworker *w, struct evhttp_request *req, const char *msgid, long long wait)
{
	struct swn_local *l = w->l;
	struct timeval tv = { (time_t)wait, 0 };
	struct waiter *x = swn_worker_stopping(w->pw) ? NULL : calloc(1, sizeof *x);

	if (x == NULL || !(x->ev = event_new(w->base, -1, 0, on_wake, x))) {
		free(x);
		reply_status(l, req, msgid, 0);
		return;
	}
	x->w = w;
	x->req = req;
	snprintf(x->msgid, sizeof x->msgid, "%s", msgid);
	pthread_mutex_lock(&l->lock);
	if (l->nwaiters >= SWN_LOCAL_MAX_WAITERS) {
		pthread_mutex_unlock(&l->lock);
		event_free(x->ev);
		free(x);
		reply_status(l, req, msgid, 0);
		return;
	}
	x->next = l->waiters;
	l->waiters = x;
	x->linked = 1;
	l->nwaiters++;
	pthread_mutex_unlock(&l->lock);
	stop_reading(req);
	event_add(x->ev, &tv);
	/* An outcome recorded between the first look and the registration
	 * would be missed: look again now that it is registered. */
	pthread_mutex_lock(&l->lock);
	if (x->linked) {
		char state[32], last[8];
		struct swn_err err;
		time_t next;
		int attempts;

		pthread_mutex_unlock(&l->lock);
		swn_err_clear(&err);
		if (swn_outbox_get(l->ob, msgid, state, sizeof state, &attempts, &next, last, sizeof last,
				   &err) != 1 || final_state(state))
			event_active(x->ev, EV_TIMEOUT, 0);
		return;
	}
	pthread_mutex_unlock(&l->lock);
}

static void on_status(struct evhttp_request *req, const char *rest, struct lworker *w)
{
	struct evkeyvalq q;
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req)), *v;
	char *msgid;
	size_t n = 0;
	long long wait = 0;

	if (!begin(req, w, 1))
		return;
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		reply_error(req, 405, "Method Not Allowed", "GET /status/MSGID");
		return;
	}
	TAILQ_INIT(&q);
	if (query && evhttp_parse_query_str(query, &q) < 0) {
		reply_error(req, 400, "Bad Request", "the query is not NAME=VALUE pairs");
		return;
	}
	if ((v = evhttp_find_header(&q, "wait")) != NULL &&
	    swn_parse_number(v, 0, SWN_LOCAL_MAX_WAIT_S, &wait) < 0) {
		evhttp_clear_headers(&q);
		reply_error(req, 400, "Bad Request", "wait must be a whole number of seconds from 0 to 60");
		return;
	}
	evhttp_clear_headers(&q);
	msgid = evhttp_uridecode(rest, 0, &n);
	if (msgid == NULL || !*msgid || strlen(msgid) != n || n >= SWN_AS4_ID_BYTES) {
		reply_error(req, 400, "Bad Request", "GET /status/MSGID with the MessageId /submit gave");
		free(msgid);
		return;
	}
	if (wait == 0 || reply_status(w->l, req, msgid, 1) >= 0) {
		if (wait == 0)
			reply_status(w->l, req, msgid, 0);
		free(msgid);
		return;
	}
	hold(w, req, msgid, wait);
	free(msgid);
}

/* ---- GET /inbox, GET /inbox/NAME, DELETE /inbox/NAME ---- */


/* Rows collected under the ledger's lock; the files are looked at after. */
struct inbox_row {
	long long seq;
	char time[40], doctype[40], file[200];
	char *peer, *agreement, *msgid;
	long long lost;          /* -1: placed without the extras (placement.h) */
};

struct inbox_list {
	struct inbox_row *rows;
	int n;
};

static void inbox_item(void *ctx, long long seq, const char *time, const char *dir,
		       const char *peer, const char *agreement, const char *doctype,
		       const char *msgid, const char *event, const char *reason)
{
	struct inbox_list *il = ctx;
	struct inbox_row *r;
	const char *path = swn_placement_reason_path(reason ? reason : "");
	const char *name = strrchr(path, '/');

	(void)dir;
	(void)event;
	if (il->n >= SWN_MAX_INBOX_LIST)
		return;
	r = &il->rows[il->n++];
	r->seq = seq;
	snprintf(r->time, sizeof r->time, "%s", time);
	snprintf(r->doctype, sizeof r->doctype, "%s", doctype);
	name = name ? name + 1 : path;
	snprintf(r->file, sizeof r->file, "%s", name);
	r->lost = -1;
	if (path != reason && reason)
		r->lost = strtoll(reason + 5, NULL, 10);   /* "lost N, ..." */
	r->peer = strdup(peer);
	r->agreement = strdup(agreement);
	r->msgid = strdup(msgid);
}

/* Below this RECEIVED seq every document is placed and acknowledged: the
 * list starts there, so that a long ledger of acknowledged documents is
 * not read again at each request.  It never passes a document not placed
 * yet (swn_inbound_placed_below), which may be placed later. */
static pthread_mutex_t inbox_lock = PTHREAD_MUTEX_INITIALIZER;
static long long inbox_from;

/* The documents placed and not acknowledged, in the order received (after
 * the seq `after=`, for paging). */
static void inbox_list(struct swn_local *l, struct evhttp_request *req)
{
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req)), *v;
	char in[SWN_PATH_MAX + 8], path[SWN_PATH_MAX + 300];
	static _Thread_local struct swn_placement_attachment att[SWN_MAX_PAYLOAD_PARTS];
	struct inbox_list il = { calloc(SWN_MAX_INBOX_LIST, sizeof(struct inbox_row)), 0 };
	json_t *items = json_array();
	long long after = 0, from;
	struct evkeyvalq q;
	struct swn_err err;
	struct stat st;
	int i, rc;

	TAILQ_INIT(&q);
	if ((query && evhttp_parse_query_str(query, &q) < 0) ||
	    ((v = evhttp_find_header(&q, "after")) != NULL &&
	     swn_parse_number(v, 0, LLONG_MAX, &after) < 0)) {
		evhttp_clear_headers(&q);
		free(il.rows);
		json_decref(items);
		reply_error(req, 400, "Bad Request", "GET /inbox[?after=SEQ], SEQ a whole number");
		return;
	}
	evhttp_clear_headers(&q);
	if (il.rows == NULL || items == NULL) {
		free(il.rows);
		json_decref(items);
		reply_error(req, 503, "Service Unavailable", "out of memory");
		return;
	}
	pthread_mutex_lock(&inbox_lock);
	from = after > inbox_from ? after : inbox_from;
	swn_err_clear(&err);
	rc = swn_ledger_unacknowledged(l->rt->ledger, from, SWN_MAX_INBOX_LIST, inbox_item, &il, &err);
	if (rc == 0 && after <= inbox_from) {
		long long below = il.n ? il.rows[0].seq - 1 : (long long)swn_ledger_size(l->rt->ledger);
		long long placed = swn_inbound_placed_below();

		if (below > placed)
			below = placed;
		if (below > inbox_from)
			inbox_from = below;
	}
	pthread_mutex_unlock(&inbox_lock);
	snprintf(in, sizeof in, "%s/in", l->rt->cfg.spool_dir);
	for (i = 0; i < il.n && rc == 0; i++) {
		struct inbox_row *r = &il.rows[i];
		json_t *atts = json_array();
		int k, na = swn_placement_attachments(l->rt->ledger, r->peer, r->msgid, r->file, att,
						      SWN_MAX_PAYLOAD_PARTS, &err);

		/* A reason an earlier version wrote (its messages had one part)
		 * lists none; the ledger failing fails the listing. */
		if (na < 0 && err.code == SWN_E_PARSE) {
			swn_err_clear(&err);
			na = 0;
		}
		if (na < 0 || atts == NULL) {
			json_decref(atts);
			rc = -1;
			break;
		}
		for (k = 0; k < na; k++) {
			snprintf(path, sizeof path, "%s/%s", in, att[k].file);
			json_array_append_new(atts, json_pack("{s:o,s:i,s:b}", "file", text(att[k].file),
							      "part", (int)att[k].part, "present",
							      lstat(path, &st) == 0 && S_ISREG(st.st_mode)));
		}
		snprintf(path, sizeof path, "%s/%s", in, r->file);
		{
			json_t *item = json_pack("{s:o,s:I,s:o,s:o,s:o,s:o,s:s,s:b,s:o}", "file", text(r->file),
						 "seq", (json_int_t)r->seq, "msgid", text(r->msgid),
						 "peer", text(r->peer), "agreement", text(r->agreement),
						 "doctype", text(r->doctype), "placed", r->time, "present",
						 lstat(path, &st) == 0 && S_ISREG(st.st_mode), "attachments", atts);
			size_t stem = strlen(r->file) > 4 ? strlen(r->file) - 4 : 0;
			char beside[260];

			/* The international document and the loss report beside it. */
			if (item && r->lost >= 0) {
				snprintf(beside, sizeof beside, "%.*s.international", (int)stem, r->file);
				json_object_set_new(item, "international", text(beside));
				snprintf(beside, sizeof beside, "%.*s.loss-report", (int)stem, r->file);
				json_object_set_new(item, "lossReport", text(beside));
				json_object_set_new(item, "lost", json_integer(r->lost));
			}
			json_array_append_new(items, item);
		}
	}
	for (i = 0; i < il.n; i++) {
		free(il.rows[i].peer);
		free(il.rows[i].agreement);
		free(il.rows[i].msgid);
	}
	free(il.rows);
	if (rc < 0) {
		json_decref(items);
		reply_error(req, 503, "Service Unavailable", err.msg);
		return;
	}
	reply_json(req, 200, "OK", json_pack("{s:o}", "documents", items));
}

static void inbox_get(struct swn_local *l, struct evhttp_request *req, const char *name)
{
	static _Thread_local struct swn_ledger_placed p;
	struct evbuffer *b;
	struct swn_err err;
	char *data = NULL;
	size_t len;
	int found;

	swn_err_clear(&err);
	found = swn_placement_find(l->rt->ledger, name, &p, &err);
	if (found == 1 && (found = swn_ledger_acknowledged(l->rt->ledger, p.peer, p.msgid, &err)) == 0)
		found = swn_placement_read(l->rt->cfg.spool_dir, &p, SWN_MAX_DOCUMENT_BYTES, &data, &len,
					   &err);
	else if (found == 1)
		found = 0;   /* acknowledged: taken */
	if (found < 0) {
		reply_error(req, err.code == SWN_E_DB ? 503 : 409,
			    err.code == SWN_E_DB ? "Service Unavailable" : "Conflict", err.msg);
		return;
	}
	if (found == 0) {
		reply_error(req, 404, "Not Found", "no such document in spool/in (never placed, or taken)");
		return;
	}
	b = evbuffer_new();
	evbuffer_add(b, data, len);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/xml");
	evhttp_add_header(evhttp_request_get_output_headers(req), "X-Swnode-MessageId", p.msgid);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
	free(data);
}

static void inbox_ack(struct swn_local *l, struct evhttp_request *req, const char *name)
{
	static _Thread_local struct swn_ledger_placed p;
	struct swn_err err;
	int rc, slot;

	swn_err_clear(&err);
	rc = swn_placement_find(l->rt->ledger, name, &p, &err);
	if (rc == 1) {
		/* Held, so that it meets no placing or finishing of the same
		 * message: a document acknowledged is never revealed after. */
		slot = swn_inbound_hold(p.peer, p.msgid);
		rc = swn_placement_acknowledge(l->rt->ledger, l->rt->cfg.spool_dir, name, &p, &err);
		swn_inbound_release(slot);
	}
	if (rc < 0) {
		reply_error(req, 503, "Service Unavailable", err.msg);
		return;
	}
	if (rc == 0) {
		reply_error(req, 404, "Not Found", "no document of that name was placed in spool/in");
		return;
	}
	if (rc == 1)
		swn_log("local API: %s (%s) acknowledged as taken", name, p.msgid);
	reply_json(req, 200, "OK", json_pack("{s:o,s:o,s:s,s:b}", "file", text(name), "msgid", text(p.msgid),
					     "state", "ACKNOWLEDGED_LOCAL", "repeated", rc == 2));
}

static void on_inbox(struct evhttp_request *req, const char *rest, struct lworker *w)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	char *name;
	size_t n = 0;

	if (!begin(req, w, 1))
		return;
	if (*rest == '\0') {
		if (cmd == EVHTTP_REQ_GET)
			inbox_list(w->l, req);
		else
			reply_error(req, 405, "Method Not Allowed", "GET /inbox");
		return;
	}
	name = evhttp_uridecode(rest, 0, &n);
	if (name == NULL || !*name || strlen(name) != n || strchr(name, '/') || name[0] == '.') {
		reply_error(req, 400, "Bad Request", "GET or DELETE /inbox/NAME with a name GET /inbox gave");
		free(name);
		return;
	}
	if (cmd == EVHTTP_REQ_GET)
		inbox_get(w->l, req, name);
	else if (cmd == EVHTTP_REQ_DELETE)
		inbox_ack(w->l, req, name);
	else
		reply_error(req, 405, "Method Not Allowed", "GET or DELETE /inbox/NAME");
	free(name);
}

/* ---- routing ---- */

static void reply_health(struct evhttp_request *req, struct swn_local *l)
{
	int held, handshakes, authenticated;

	pthread_mutex_lock(&l->lock);
	held = l->nwaiters;
	pthread_mutex_unlock(&l->lock);
	swn_server_connections(l->partner, &handshakes, &authenticated);
	reply_json(req, 200, "OK", json_pack("{s:s,s:i,s:i,s:i,s:i}", "status", "ok", "held_requests", held,
					     "connections", atomic_load(&l->connections), "partner_handshakes",
					     handshakes, "partner_authenticated", authenticated));
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct lworker *w = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));

	if (path == NULL)
		path = "";
	if (strcmp(path, "/submit") == 0) {
		on_submit(req, w);
	} else if (strncmp(path, "/status/", 8) == 0) {
		on_status(req, path + 8, w);
	} else if (strcmp(path, "/inbox") == 0 || strncmp(path, "/inbox/", 7) == 0) {
		on_inbox(req, path[6] ? path + 7 : "", w);
	} else if (strcmp(path, "/healthz") == 0) {
		if (begin(req, w, 0))
			reply_health(req, w->l);
	} else if (begin(req, w, 0)) {
		reply_error(req, 404, "Not Found", "the local API serves POST /submit, GET /status/MSGID, "
			    "GET /inbox, GET and DELETE /inbox/NAME, GET /healthz");
	}
}

/* ---- connections ---- */

/* Each kind of connection trouble is logged at most once a minute: a local
 * program that floods the listener must not flood the log. */
static int log_now(_Atomic time_t *last)
{
	time_t now = time(NULL), then = atomic_load(last);

	return (then == 0 || now - then >= LOG_EVERY_S) && atomic_compare_exchange_strong(last, &then, now);
}

static void on_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct lconn *c = arg;

	(void)evcon;
	settle(c);
	atomic_fetch_sub(&c->w->l->connections, 1);
	if ((*c->prev = c->next) != NULL)
		c->next->prev = c->prev;
	free(c);
}

/* A new connection, once evhttp has set it up and before anything is read
 * from it (the pool's admission, workers.h): counted, or closed at once
 * (0) when max_connections are open.  libevent 2.1 gives no hook when it
 * frees a plain connection: the hook is its close callback. */
static int admit(struct swn_worker *pw, struct evhttp_connection *evcon, struct bufferevent *bev, void *ctx)
{
	static _Atomic time_t refused;
	struct swn_local *l = ctx;
	struct lworker *w = swn_worker_data(pw);
	struct lconn *c;

	(void)bev;
	if (atomic_fetch_add(&l->connections, 1) < l->max_connections) {
		if ((c = calloc(1, sizeof *c)) == NULL) {
			atomic_fetch_sub(&l->connections, 1);
			return 0;
		}
		c->w = w;
		c->evcon = evcon;
		if ((c->next = w->conns) != NULL)
			c->next->prev = &c->next;
		c->prev = &w->conns;
		w->conns = c;
		evhttp_connection_set_closecb(evcon, on_conn_closed, c);
		return 1;
	}
	atomic_fetch_sub(&l->connections, 1);
	if (log_now(&refused))
		swn_log("local API: refused a connection: %d are open, the limit "
			"(serve --local-max-connections); refusals are logged at most once a minute",
			l->max_connections);
	return 0;
}

/* ---- workers ---- */

/* Stopping, on the worker's loop once it accepts no more: the held
 * requests are answered now, before the drain. */
static void on_stopping(struct swn_worker *pw, void *ctx)
{
	wake_waiters(ctx, NULL, swn_worker_data(pw));
}

static int setup_worker(struct swn_worker *pw, void *ctx, struct swn_err *err)
{
	struct swn_local *l = ctx;
	struct lworker *w = &l->workers[swn_worker_index(pw)];
	struct evhttp *http = swn_worker_http(pw);

	(void)err;
	w->l = l;
	w->pw = pw;
	w->base = swn_worker_base(pw);
	swn_worker_set_data(pw, w);
	evhttp_set_timeout(http, IDLE_TIMEOUT_S);
	evhttp_set_max_body_size(http, (ev_ssize_t)SWN_MAX_DOCUMENT_BYTES);
	evhttp_set_max_headers_size(http, SWN_MAX_HTTP_HEADERS_BYTES);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_DELETE);
	evhttp_set_gencb(http, on_request, w);
	return 0;
}

/* Loopback only: the API is plain HTTP with a bearer token. */
static int loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int swn_local_start(struct swn_runtime *rt, struct swn_outbox *ob, struct swn_delivery *d,
		    const struct swn_server *partner, const char *addr, int workers, int max_connections,
		    struct swn_local **out, struct swn_err *err)
{
	struct swn_local *l;
	struct swn_workers_config cfg = {
		.name = "local API",
		.pause_ms = ACCEPT_PAUSE_MS,
		.setup = setup_worker,
		.stopping = on_stopping,
		.admit = admit,
	};
	char host[256];
	int fd, port;

	*out = NULL;
	if (swn_listen_split(addr, 0, host, sizeof host, &port, err) < 0)
		return -1;
	if (!loopback(host))
		return swn_err_set(err, SWN_E_CONFIG, NULL, 0,
				   "the local API listens on a loopback address only (127.0.0.1:PORT or [::1]:PORT), not '%s'",
				   addr);
	if (!(l = calloc(1, sizeof *l)))
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	l->rt = rt;
	l->ob = ob;
	l->d = d;
	l->partner = partner;
	l->max_connections = max_connections > 0 ? max_connections : 1;
	pthread_mutex_init(&l->lock, NULL);
	if (workers < 1)
		workers = 1;
	if (load_token(l, err) < 0 || !(l->workers = calloc((size_t)workers, sizeof *l->workers))) {
		if (l->token[0])
			swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		pthread_mutex_destroy(&l->lock);
		free(l);
		return -1;
	}
	cfg.threads = workers;
	cfg.ctx = l;
	if ((fd = swn_listen_socket(addr, &l->port, err)) < 0 || swn_workers_start(fd, &cfg, &l->pool, err) < 0) {
		swn_local_stop(l);
		return -1;
	}
	swn_outbox_set_watch(ob, on_outcome, l);
	*out = l;
	return 0;
}

int swn_local_port(const struct swn_local *l)
{
	return l->port;
}

void swn_local_stop(struct swn_local *l)
{
	if (l == NULL)
		return;
	/* No outcome reaches the waiters from here on; the workers answer
	 * the held requests as they stop. */
	swn_outbox_set_watch(l->ob, NULL, NULL);
	swn_workers_free(l->pool);
	pthread_mutex_destroy(&l->lock);
	free(l->workers);
	free(l);
}

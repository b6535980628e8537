/* workers.c - libevent worker threads on one listening socket; see workers.h. */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/thread.h>

#include "net/workers.h"
#include "base/log.h"
#include "base/swn_limits.h"

#define LOG_EVERY_S 60   /* an accept error, at most */

/* A new connection, looked at once evhttp has taken it (its event is made
 * active while evhttp sets the connection up, so it runs before anything
 * is read from it).  The bufferevent is held by a reference until then. */
struct admission {
	struct admission *next, **prev;   /* in the worker's pending list */
	struct swn_worker *w;
	struct bufferevent *bev;
	struct event *ev;
};

struct swn_worker {
	struct swn_workers *pool;
	int index;
	pthread_t thread;
	int started;             /* the thread runs (to be joined) */
	int set_up;              /* setup returned 0 (to be torn down) */
	int fd;                  /* the listening socket's copy, until evhttp has it */
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct evconnlistener *listener;   /* the raw mode's (cfg.accepted) */
	struct event *stop;
	struct event *drain;
	struct event *resume;    /* accepts again after an accept error */
	struct event *poke;
	struct admission *pending;
	int inflight;            /* replies owed */
	int drain_ticks;
	int stopping;
	void *data;
};

struct swn_workers {
	struct swn_workers_config cfg;
	struct swn_worker *workers;
	int nallocated;
	int nset;                /* workers set up (or tried) */
	int stopped;
	atomic_ulong accept_errors;
	_Atomic time_t accept_logged;
};

static _Thread_local struct swn_worker *current;

/* ---- connections ---- */

static void admission_free(struct admission *a)
{
	if ((*a->prev = a->next) != NULL)
		a->next->prev = a->prev;
	bufferevent_decref(a->bev);
	event_free(a->ev);
	free(a);
}

/* libevent 2.1 gives no handle on a connection at accept: the handle is
 * the argument evhttp gives its own callbacks on the connection's
 * bufferevent (checked against it). */
static void admit(evutil_socket_t fd, short what, void *arg)
{
	struct admission *a = arg;
	struct swn_worker *w = a->w;
	struct swn_workers *p = w->pool;
	bufferevent_event_cb taken = NULL;
	struct evhttp_connection *evcon = NULL;
	void *cbarg = NULL;

	(void)fd;
	(void)what;
	bufferevent_getcb(a->bev, NULL, NULL, &taken, &cbarg);
	evcon = cbarg;
	/* No callbacks: evhttp could not set the connection up and freed it. */
	/* A connection that comes as the worker stops is closed at once, as a
	 * refused one is: never left open uncounted and without a deadline. */
	if (taken && evcon && evhttp_connection_get_bufferevent(evcon) == a->bev &&
	    (w->stopping || !p->cfg.admit(w, evcon, a->bev, p->cfg.ctx)))
		evhttp_connection_free(evcon);
	admission_free(a);
}

/* evhttp's constructor for each accepted connection's bufferevent. */
static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
	struct swn_worker *w = arg;
	struct swn_workers *p = w->pool;
	struct bufferevent *bev;
	struct admission *a;

	bev = p->cfg.make_bev ? p->cfg.make_bev(w, base, p->cfg.ctx)
			      : bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL || p->cfg.admit == NULL)
		return bev;
	a = calloc(1, sizeof *a);
	if (a == NULL || !(a->ev = event_new(base, -1, 0, admit, a))) {
		/* Out of memory: evhttp makes its own bufferevent, or gives up
		 * the connection; either way it is not admitted. */
		bufferevent_free(bev);
		free(a);
		return NULL;
	}
	a->w = w;
	a->bev = bev;
	bufferevent_incref(bev);
	if ((a->next = w->pending) != NULL)
		a->next->prev = &a->next;
	a->prev = &w->pending;
	w->pending = a;
	event_active(a->ev, EV_TIMEOUT, 0);
	return bev;
}

/* The raw mode: the socket is the caller's. */
static void on_accepted(struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *addr,
			int len, void *arg)
{
	struct swn_worker *w = arg;

	(void)listener;
	(void)addr;
	(void)len;
	if (w->stopping) {
		evutil_closesocket(fd);
		return;
	}
	w->pool->cfg.accepted(w, fd, w->pool->cfg.ctx);
}

/* The worker's listener, whichever mode. */
static struct evconnlistener *listener_of(struct swn_worker *w)
{
	return w->listener ? w->listener : w->bound ? evhttp_bound_socket_get_listener(w->bound) : NULL;
}

/* ---- accept errors ---- */

static int log_now(struct swn_workers *p)
{
	time_t now = time(NULL), then = atomic_load(&p->accept_logged);

	return (then == 0 || now - then >= LOG_EVERY_S) &&
	       atomic_compare_exchange_strong(&p->accept_logged, &then, now);
}

/* Out of descriptors (or another accept error): libevent would retry at
 * once, for ever, logging each time.  Pause accepting instead.  Runs on
 * the worker's own loop. */
static void on_accept_error(struct evconnlistener *listener, void *arg)
{
	struct swn_worker *w = current;
	struct swn_workers *p;
	struct timeval pause;
	int e = EVUTIL_SOCKET_ERROR();

	(void)arg;
	if (w == NULL || w->base != evconnlistener_get_base(listener))
		return;   /* not a loop of a pool's: libevent goes on as it would */
	p = w->pool;
	pause.tv_sec = p->cfg.pause_ms / 1000;
	pause.tv_usec = (p->cfg.pause_ms % 1000) * 1000;
	evconnlistener_disable(listener);
	evtimer_add(w->resume, &pause);
	atomic_fetch_add(&p->accept_errors, 1);
	if (log_now(p))
		swn_log("%s: cannot accept connections: %s; pausing new connections for %d ms at a "
			"time until it can (logged at most once a minute)", p->cfg.name,
			evutil_socket_error_to_string(e), p->cfg.pause_ms);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct swn_worker *w = arg;

	(void)fd;
	(void)what;
	if (listener_of(w) && !w->stopping)
		evconnlistener_enable(listener_of(w));
}

/* ---- stopping ---- */

/* Wait until every reply in flight has gone out, or the ticks are up. */
static void on_drain(evutil_socket_t fd, short what, void *arg)
{
	struct swn_worker *w = arg;
	struct timeval tick = { 0, SWN_DRAIN_TICK_MS * 1000 };

	(void)fd;
	(void)what;
	if (w->inflight <= 0 || ++w->drain_ticks > w->pool->cfg.max_drain_ticks) {
		/* Said, for an operator who wonders why the stop took this long. */
		if (w->inflight > 0)
			swn_log("%s: stopping with %d %s not sent after %d ms", w->pool->cfg.name,
				w->inflight, w->inflight == 1 ? "reply" : "replies",
				w->pool->cfg.max_drain_ticks * SWN_DRAIN_TICK_MS);
		event_base_loopexit(w->base, NULL);
		return;
	}
	evtimer_add(w->drain, &tick);
}

/* Accept nothing more, let the caller answer what it holds, drain.
 * Requests are handled whole inside one callback, so none is
 * half-processed when this runs. */
static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	struct swn_worker *w = arg;
	struct swn_workers *p = w->pool;

	(void)fd;
	(void)what;
	w->stopping = 1;
	evtimer_del(w->resume);
	if (w->bound) {
		evhttp_del_accept_socket(w->http, w->bound);
		w->bound = NULL;
	}
	if (w->listener) {
		evconnlistener_free(w->listener);   /* closes its copy of the socket */
		w->listener = NULL;
	}
	if (p->cfg.stopping)
		p->cfg.stopping(w, p->cfg.ctx);
	on_drain(-1, 0, w);
}

static void on_poke(evutil_socket_t fd, short what, void *arg)
{
	struct swn_worker *w = arg;

	(void)fd;
	(void)what;
	if (w->pool->cfg.poked && !w->stopping)
		w->pool->cfg.poked(w, w->pool->cfg.ctx);
}

static void *run_worker(void *arg)
{
	struct swn_worker *w = arg;

	current = w;
	event_base_dispatch(w->base);
	current = NULL;
	return NULL;
}

/* w's loop and evhttp, the caller's setup, then the listening socket. */
static int setup_worker(struct swn_workers *p, struct swn_worker *w, struct swn_err *err)
{
	struct swn_worker *before;
	int rc;

	w->base = event_base_new();
	w->http = w->base && !p->cfg.accepted ? evhttp_new(w->base) : NULL;
	w->stop = w->base ? event_new(w->base, -1, 0, on_stop, w) : NULL;
	w->drain = w->base ? evtimer_new(w->base, on_drain, w) : NULL;
	w->resume = w->base ? evtimer_new(w->base, on_resume, w) : NULL;
	w->poke = w->base ? event_new(w->base, -1, 0, on_poke, w) : NULL;
	if (!w->base || (!w->http && !p->cfg.accepted) || !w->stop || !w->drain || !w->resume || !w->poke)
		return swn_err_set(err, SWN_E_IO, NULL, 0, "cannot start the %s", p->cfg.name);
	if (w->http && (p->cfg.make_bev || p->cfg.admit))
		evhttp_set_bevcb(w->http, make_bev, w);
	before = current;
	current = w;   /* for a setup that looks; then as it was */
	rc = p->cfg.setup(w, p->cfg.ctx, err);
	current = before;
	if (rc < 0)
		return -1;
	w->set_up = 1;
	if (p->cfg.accepted) {
		if (evutil_make_socket_nonblocking(w->fd) < 0 ||
		    !(w->listener = evconnlistener_new(w->base, on_accepted, w,
						       LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, w->fd)))
			return swn_err_set(err, SWN_E_IO, NULL, 0, "cannot start the %s", p->cfg.name);
	} else if (!(w->bound = evhttp_accept_socket_with_handle(w->http, w->fd))) {
		return swn_err_set(err, SWN_E_IO, NULL, 0, "cannot start the %s", p->cfg.name);
	}
	w->fd = -1;   /* the listener's now: closed when it is freed */
	/* The error callback's argument is evhttp's (its http), or the
	 * worker: the worker is found as the one of this thread. */
	evconnlistener_set_error_cb(listener_of(w), on_accept_error);
	return 0;
}

int swn_workers_start(int fd, const struct swn_workers_config *cfg, struct swn_workers **out,
		      struct swn_err *err)
{
	struct swn_workers *p;
	int i, n = cfg->threads > 0 ? cfg->threads : 1;

	*out = NULL;
	if (!(p = calloc(1, sizeof *p)) || !(p->workers = calloc((size_t)n, sizeof *p->workers))) {
		free(p);
		close(fd);
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	}
	p->cfg = *cfg;
	if (p->cfg.name == NULL)
		p->cfg.name = "listener";
	if (p->cfg.pause_ms <= 0)
		p->cfg.pause_ms = 1000;
	if (p->cfg.max_drain_ticks <= 0)
		p->cfg.max_drain_ticks = SWN_DRAIN_MAX_TICKS;
	p->nallocated = n;
	evthread_use_pthreads();
	for (i = 0; i < n; i++) {
		struct swn_worker *w = &p->workers[i];

		w->pool = p;
		w->index = i;
		p->nset++;
		/* One listening socket; each loop accepts on its own copy of the
		 * descriptor, which its listener closes when freed.  A pool of
		 * no threads takes fd itself. */
		w->fd = cfg->threads > 0 ? dup(fd) : fd;
		if (w->fd < 0) {
			swn_err_set(err, SWN_E_IO, NULL, 0, "cannot share the listening socket: %s",
				    strerror(errno));
			goto fail;
		}
		if (cfg->threads <= 0)
			fd = -1;
		if (setup_worker(p, w, err) < 0)
			goto fail;
		if (cfg->threads > 0) {
			if (pthread_create(&w->thread, NULL, run_worker, w) != 0) {
				swn_err_set(err, SWN_E_IO, NULL, 0, "cannot start a worker thread");
				goto fail;
			}
			w->started = 1;
		}
	}
	if (fd >= 0)
		close(fd);
	/* A pool of no threads: its loop runs on this thread. */
	if (cfg->threads <= 0)
		current = &p->workers[0];
	*out = p;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	swn_workers_free(p);
	return -1;
}

/* A connection admission still pending: not looked at, let go. */
static void drop_pending(struct swn_worker *w)
{
	while (w->pending)
		admission_free(w->pending);
}

void swn_workers_stop(struct swn_workers *p)
{
	int i;

	if (p == NULL || p->stopped)
		return;
	p->stopped = 1;
	if (current && current->pool == p)
		current = NULL;
	for (i = 0; i < p->nset; i++)
		if (p->workers[i].started)
			event_active(p->workers[i].stop, 0, 0);
	for (i = 0; i < p->nset; i++)
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
	for (i = 0; i < p->nset; i++) {
		struct swn_worker *w = &p->workers[i];

		w->stopping = 1;
		drop_pending(w);
		if (w->http)
			evhttp_free(w->http);   /* closes its listening socket and connections */
		w->http = NULL;
		w->bound = NULL;
		if (w->listener)
			evconnlistener_free(w->listener);
		w->listener = NULL;
		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
		if (w->set_up && p->cfg.teardown)
			p->cfg.teardown(w, p->cfg.ctx);
		w->set_up = 0;
		if (w->stop)
			event_free(w->stop);
		if (w->drain)
			event_free(w->drain);
		if (w->resume)
			event_free(w->resume);
		if (w->poke)
			event_free(w->poke);
		w->stop = w->drain = w->resume = w->poke = NULL;
		if (w->base)
			event_base_free(w->base);
		w->base = NULL;
	}
}

void swn_workers_free(struct swn_workers *p)
{
	if (p == NULL)
		return;
	swn_workers_stop(p);
	free(p->workers);
	free(p);
}

int swn_workers_count(const struct swn_workers *p)
{
	return p->nset;
}

struct swn_worker *swn_workers_worker(struct swn_workers *p, int i)
{
	return i >= 0 && i < p->nset ? &p->workers[i] : NULL;
}

unsigned long swn_workers_accept_errors(const struct swn_workers *p)
{
	return atomic_load(&p->accept_errors);
}

void swn_workers_poke(struct swn_workers *p)
{
	int i;

	if (p->stopped)
		return;
	for (i = 0; i < p->nset; i++)
		if (p->workers[i].poke)
			event_active(p->workers[i].poke, 0, 0);
}

struct swn_worker *swn_worker_current(void)
{
	return current;
}

struct event_base *swn_worker_base(const struct swn_worker *w)
{
	return w->base;
}

struct evhttp *swn_worker_http(const struct swn_worker *w)
{
	return w->http;
}

int swn_worker_index(const struct swn_worker *w)
{
	return w->index;
}

void *swn_worker_data(const struct swn_worker *w)
{
	return w->data;
}

void swn_worker_set_data(struct swn_worker *w, void *data)
{
	w->data = data;
}

int swn_worker_stopping(const struct swn_worker *w)
{
	return w->stopping;
}

void swn_worker_request_begin(struct swn_worker *w)
{
	w->inflight++;
}

void swn_worker_request_end(struct swn_worker *w)
{
	w->inflight--;
}

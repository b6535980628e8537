/*
 * workers.h - a pool of libevent worker threads serving HTTP on one
 * listening socket, shared by both listeners (the partner listener and the
 * local API).
 *
 * What it does: each worker has its own event_base and evhttp and accepts
 * on its own copy (dup) of the one listening socket, so connections spread
 * over the threads without SO_REUSEPORT.  Callers install their routes,
 * timeouts and limits in a per-worker setup callback; a per-worker
 * teardown callback undoes it.  A connection can be given a bufferevent of
 * the caller's making (make_bev: TLS, say) and is shown to an admission
 * callback (admit) once evhttp has set it up and before anything is read
 * from it; admit refusing closes it at once.  When accepting fails (out
 * of descriptors, EMFILE), the worker stops accepting for pause_ms and
 * tries again, instead of libevent's retrying at once for ever; the
 * failure is logged at most once a minute per pool.  Stopping closes the
 * listening sockets, runs each worker's stopping callback on its own loop,
 * then lets the replies in flight (counted with swn_worker_request_begin
 * and _end) go out for at most max_drain_ticks ticks of SWN_DRAIN_TICK_MS,
 * and joins the threads.
 *
 * What it does not: it knows nothing of TLS, AS4, tokens, the ledger or
 * the connection limits: those are the callers', through the callbacks.
 * It does not count connections (admit does, if it wants to).
 *
 * Invariants callers may rely on:
 *  - setup runs once per worker, on the starting thread, before that
 *    worker's thread runs; teardown runs exactly once for each worker whose
 *    setup returned 0, on the stopping thread, after its thread has been
 *    joined and its evhttp freed (connections closed), before its
 *    event_base is freed (events on it may still be freed then).
 *  - stopping, admit, make_bev and every evhttp callback run on the
 *    worker's own thread (swn_worker_current() is then that worker).  A
 *    pool of no threads (threads 0; the fuzz target's) has one worker whose
 *    loop the caller runs on the thread that started it: that worker is
 *    then swn_worker_current() there, and stopping it runs no stopping
 *    callback and no drain.
 *  - admit sees each connection whose bufferevent the pool (or make_bev)
 *    made, once, unless the worker began to stop first: such a connection
 *    is closed at once, as a refused one is.
 *  - After swn_workers_stop() returns no worker thread runs and no callback
 *    of the pool's is called (connections freed inside it may still call
 *    the caller's own free hooks, before it returns).  Stopping is bounded:
 *    about max_drain_ticks * SWN_DRAIN_TICK_MS ms for the slowest worker;
 *    a worker that stops with replies still owed logs how many.
 *  - swn_workers_stop() may be called twice, or on a pool that failed half
 *    way through starting; swn_workers_free() stops first if need be.  No
 *    state outlives a pool: a new pool can be started after one stopped.
 *  - An accept error disables only the worker that saw it, for pause_ms;
 *    a stopping worker never accepts again.
 */
#ifndef SWN_WORKERS_H
#define SWN_WORKERS_H

#include "base/err.h"

#include <event2/util.h>

struct event_base;
struct evhttp;
struct evhttp_connection;
struct bufferevent;

struct swn_workers;   /* the pool */
struct swn_worker;    /* one worker: its thread, loop and evhttp */

struct swn_workers_config {
	const char *name;       /* in the log: "local API", "partner listener" */
	int threads;            /* worker threads; 0: one worker, no thread (the caller runs its loop) */
	int pause_ms;           /* after an accept error; 0: 1000 */
	int max_drain_ticks;    /* 0: SWN_DRAIN_MAX_TICKS */
	void *ctx;              /* given to every callback */

	/* Install routes, timeouts and limits on swn_worker_http(w).  0, or -1
	 * with err: the start fails.  Required. */
	int (*setup)(struct swn_worker *w, void *ctx, struct swn_err *err);
	/* Undo setup (free its events, its per-worker data).  May be NULL. */
	void (*teardown)(struct swn_worker *w, void *ctx);
	/* On the worker's loop when it stops, after accepting ended and before
	 * the drain: answer what is held, say.  May be NULL. */
	void (*stopping)(struct swn_worker *w, void *ctx);
	/* The bufferevent of a new connection (evhttp_set_bevcb); NULL: evhttp
	 * makes a plain one.  May be NULL. */
	struct bufferevent *(*make_bev)(struct swn_worker *w, struct event_base *base, void *ctx);
	/* A new connection once evhttp has set it up, before it is read: 1 to
	 * keep it, 0 to close it now.  NULL: every connection is kept. */
	int (*admit)(struct swn_worker *w, struct evhttp_connection *evcon, struct bufferevent *bev,
		     void *ctx);
	/* What swn_workers_poke() runs on every worker's loop.  May be NULL. */
	void (*poked)(struct swn_worker *w, void *ctx);
	/* Connections without evhttp: each accepted socket (non-blocking,
	 * close-on-exec) is handed over on the worker's loop and is the
	 * caller's from then on; one that comes as the worker stops is closed
	 * instead.  make_bev and admit are then unused, swn_worker_http() is
	 * NULL, and the caller closes its connections (stopping, teardown).
	 * NULL: evhttp serves. */
	void (*accepted)(struct swn_worker *w, evutil_socket_t fd, void *ctx);
};

/* Start cfg->threads workers accepting on the listening socket fd (taken
 * over: closed on success and failure).  0, or -1 with err; *out NULL on
 * failure, with every worker started stopped and torn down. */
int swn_workers_start(int fd, const struct swn_workers_config *cfg, struct swn_workers **out,
		      struct swn_err *err);

/* Stop accepting, run each worker's stopping callback, drain (bounded),
 * join, tear down.  A second call does nothing. */
void swn_workers_stop(struct swn_workers *p);

/* Stop if need be, then free.  NULL is nothing. */
void swn_workers_free(struct swn_workers *p);

/* Workers set up, and worker i of them. */
int swn_workers_count(const struct swn_workers *p);
struct swn_worker *swn_workers_worker(struct swn_workers *p, int i);

/* Accept errors seen so far, all workers. */
unsigned long swn_workers_accept_errors(const struct swn_workers *p);

/* Make cfg->poked run on every worker's own loop, soon; from any thread,
 * before swn_workers_stop().  For changed settings that evhttp must see
 * on its own thread. */
void swn_workers_poke(struct swn_workers *p);

/* The worker whose loop runs on this thread, or NULL. */
struct swn_worker *swn_worker_current(void);

struct event_base *swn_worker_base(const struct swn_worker *w);
struct evhttp *swn_worker_http(const struct swn_worker *w);
int swn_worker_index(const struct swn_worker *w);
void *swn_worker_data(const struct swn_worker *w);
void swn_worker_set_data(struct swn_worker *w, void *data);
/* 1 once the worker has begun to stop. */
int swn_worker_stopping(const struct swn_worker *w);

/* A request whose reply is owed: the drain waits for it.  Each begin is
 * matched by one end, on the worker's own thread. */
void swn_worker_request_begin(struct swn_worker *w);
void swn_worker_request_end(struct swn_worker *w);

#endif

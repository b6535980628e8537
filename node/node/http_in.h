/*
 * http_in.h - the partner listener: HTTPS with mutual TLS (libevent +
 * OpenSSL), POST /as4 and GET /healthz.
 *
 * TLS 1.2 or later only.  The handshake fails unless the client presents
 * the TLS certificate pinned by an active agreement (checked in the
 * certificate verification callback, against the agreement set of the
 * moment, so a SIGHUP reload applies to the next handshake).  Requests are
 * read by net/httpd: a POST /as4 body is written to a file of the payload
 * store as it arrives, and one over the largest maxMessageBytes of the
 * active agreements is refused while it streams in (413, recorded in the
 * ledger), so a request never holds its body in memory.  Connections are
 * limited in all and per client
 * address, and those still in the TLS handshake (not authenticated) have a
 * smaller pool of their own, in all and per address: the rest is kept for
 * pinned peers (connlimit.h).  A connection moves out of the handshake
 * pool when its handshake completes with a pinned certificate.  One that
 * sends nothing for the idle timeout, has not completed its handshake
 * within the handshake timeout, or a request within the request timeout of
 * its handshake or last reply (however slowly it trickles bytes; a body
 * gets a second more per SWN_HTTP_MIN_RATE bytes it may carry), is
 * closed.  Only TLS connections with a client certificate are served: were
 * the TLS layer not set up, every route refuses.
 *
 * Worker threads each run an event loop accepting on the one listening
 * socket, so connections spread over the cores.  (Not SO_REUSEPORT: with it
 * another process of the same user could bind the port and take traffic.)  The
 * inbound work itself is done by inbound.h; the ledger serialises writers.
 */
#ifndef SWN_HTTP_IN_H
#define SWN_HTTP_IN_H

#include "base/swn_limits.h"
#include "node/node/runtime.h"

struct swn_server;

/* What the listener allows each client. */
struct swn_server_limits {
	int idle_timeout_s;        /* no byte for this long: closed */
	int handshake_timeout_s;   /* handshake not complete by then: closed (at most request_timeout_s) */
	int request_timeout_s;     /* request not in by then: closed */
	int max_connections;       /* open at once, all clients */
	int max_per_address;       /* open at once from one IP address */
	int max_handshakes;        /* in the TLS handshake at once, all clients (fewer than max_connections) */
	int max_handshakes_per_address;   /* in the TLS handshake at once from one IP address */
};
#define SWN_SERVER_LIMITS_DEFAULT { SWN_DEFAULT_IDLE_TIMEOUT_S, SWN_DEFAULT_HANDSHAKE_TIMEOUT_S, \
	SWN_DEFAULT_REQUEST_TIMEOUT_S, SWN_DEFAULT_MAX_CONNECTIONS, SWN_DEFAULT_MAX_PER_ADDRESS, \
	SWN_DEFAULT_MAX_HANDSHAKES, SWN_DEFAULT_MAX_HANDSHAKES_PER_ADDRESS }

/* Bind listen ("host:port") with workers threads and start serving. */
int swn_server_start(struct swn_runtime *rt, const char *listen, int workers,
		     const struct swn_server_limits *limits, struct swn_server **out,
		     struct swn_err *err);

/* The agreements were reloaded: apply their size limit to new requests. */
void swn_server_agreements_changed(struct swn_server *s);

/* For the fuzz target (tests/fuzz/fuzz_http.c): one event loop, no TLS, no
 * threads, with the limits and routes above, accepting on the listening
 * socket fd (taken over).  POST /as4 then answers 403, as to a client
 * without a certificate.  The caller runs *base; swn_server_stop() frees. */
struct event_base;
int swn_server_plain(struct swn_runtime *rt, int fd, struct event_base **base,
		     struct swn_server **out, struct swn_err *err);

/* Stop accepting, let requests in flight finish, join the threads. */
void swn_server_stop(struct swn_server *s);

/* The port actually bound (useful with port 0). */
int swn_server_port(const struct swn_server *s);

/* Requests served so far. */
unsigned long swn_server_requests(const struct swn_server *s);

/* Connections open now: in the TLS handshake, and authenticated. */
void swn_server_connections(const struct swn_server *s, int *handshakes, int *authenticated);

#endif

/*
 * connlimit.h - how many connections are open, in all and per client
 * address, so that one client cannot take every descriptor of the node,
 * and clients that never authenticate cannot take the room of those that
 * do.
 *
 * A connection starts in the TLS handshake and is authenticated once the
 * handshake is complete with a pinned client certificate.  Connections in
 * the handshake share a pool of their own: at most max_handshakes, and
 * max_handshakes_per_address from one address.  The rest of max_total is
 * kept for pinned peers: their authenticated connections, and the
 * handshakes of addresses a pinned peer authenticated from before (up to
 * SWN_CONN_KNOWN_ADDRESSES of them, each for SWN_CONN_KNOWN_FOR_S after its
 * last authentication), so that strangers filling the handshake pool do
 * not keep a partner out.  A remembered address is a claim to room, never
 * to trust: its connections are authenticated like any other.  When the
 * kept room is full, such a handshake falls back to the pool.  At most
 * max_per_address connections of any kind come from one address.
 *
 * An IPv6 client counts by its /64.  Thread-safe: the listener's worker
 * threads share one table.  Each connection carries its state; every
 * admission is matched by one swn_connlimit_leave() with the same address
 * and the state of then.
 */
#ifndef SWN_CONNLIMIT_H
#define SWN_CONNLIMIT_H

#include <sys/socket.h>
#include <time.h>

#include "base/swn_limits.h"

struct swn_connlimit;

struct swn_connlimit_caps {
	int max_total;                    /* open at once, all clients; above max_handshakes */
	int max_per_address;              /* open at once from one address */
	int max_handshakes;               /* in the handshake pool, all clients */
	int max_handshakes_per_address;   /* in the handshake pool from one address */
};

/* NULL when out of memory. */
struct swn_connlimit *swn_connlimit_new(const struct swn_connlimit_caps *caps);
void swn_connlimit_free(struct swn_connlimit *c);

/* Where a connection is counted. */
enum swn_conn_state {
	SWN_CONN_OUT,                /* not counted */
	SWN_CONN_HANDSHAKE,          /* in the handshake pool */
	SWN_CONN_KNOWN_HANDSHAKE,    /* in the handshake, in the room kept for pinned peers */
	SWN_CONN_AUTHENTICATED       /* in the room kept for pinned peers */
};

enum swn_conn_verdict {
	SWN_CONN_ADMITTED,
	SWN_CONN_NO_MEMORY,
	SWN_CONN_ADDRESS_FULL,              /* max_per_address open from this address */
	SWN_CONN_HANDSHAKES_FULL,           /* max_handshakes in the pool */
	SWN_CONN_ADDRESS_HANDSHAKES_FULL,   /* max_handshakes_per_address from this address */
	SWN_CONN_PINNED_FULL                /* the room kept for pinned peers is full */
};

/* A new connection from sa at now (seconds of a monotonic clock): counted
 * in *state, or refused (*state stays SWN_CONN_OUT). */
enum swn_conn_verdict swn_connlimit_enter(struct swn_connlimit *c, const struct sockaddr *sa, time_t now,
					  enum swn_conn_state *state);

/* The connection completed its handshake with a pinned certificate: its
 * address is remembered, and the connection moves into the room kept for
 * pinned peers (*state becomes SWN_CONN_AUTHENTICATED), or
 * SWN_CONN_PINNED_FULL and *state is left as it was. */
enum swn_conn_verdict swn_connlimit_authenticated(struct swn_connlimit *c, const struct sockaddr *sa,
						  time_t now, enum swn_conn_state *state);

/* The connection ends: it is counted out of *state, which becomes
 * SWN_CONN_OUT. */
void swn_connlimit_leave(struct swn_connlimit *c, const struct sockaddr *sa, enum swn_conn_state *state);

/* Connections open now: in the handshake (either kind) and authenticated. */
void swn_connlimit_counts(struct swn_connlimit *c, int *handshakes, int *authenticated);

#endif

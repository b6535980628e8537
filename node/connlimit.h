/*
 * connlimit.h - how many connections are open, in all and per client
 * address, so that one client cannot take every descriptor of the node.
 *
 * An IPv6 client counts by its /64.  Thread-safe: the listener's worker
 * threads share one table.  Every
 * successful swn_connlimit_enter() is matched by one swn_connlimit_leave()
 * with the same address.
 */
#ifndef SWN_CONNLIMIT_H
#define SWN_CONNLIMIT_H

#include <sys/socket.h>

struct swn_connlimit;

/* NULL when out of memory. */
struct swn_connlimit *swn_connlimit_new(int max_total, int max_per_address);
void swn_connlimit_free(struct swn_connlimit *c);

enum swn_conn_verdict {
	SWN_CONN_ADMITTED,
	SWN_CONN_NODE_FULL,        /* max_total open (or out of memory) */
	SWN_CONN_ADDRESS_FULL      /* max_per_address open from this address */
};

enum swn_conn_verdict swn_connlimit_enter(struct swn_connlimit *c, const struct sockaddr *sa);
void swn_connlimit_leave(struct swn_connlimit *c, const struct sockaddr *sa);

#endif

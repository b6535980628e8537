/*
 * delivery.h - the threads that deliver the outbox.
 *
 * Each thread takes one due message at a time (swn_outbox_run claims it,
 * so no two threads post the same message) over its own HTTP client, whose
 * connections to peers stay open between messages.  Messages queued by
 * this process wake a thread at once (swn_delivery_wake); those queued by
 * other processes (swnode send) are found within a second.
 */
#ifndef SWN_DELIVERY_H
#define SWN_DELIVERY_H

#include "base/swn_limits.h"

#include "node/node/outbox.h"

struct swn_delivery;

/* Start n threads (1..SWN_DELIVERY_MAX_THREADS) delivering ob. */
int swn_delivery_start(struct swn_outbox *ob, int n, struct swn_delivery **out,
		       struct swn_err *err);

/* Something was queued: wake one idle thread. */
void swn_delivery_wake(struct swn_delivery *d);

/* Let each thread finish its message in flight, then join them. */
void swn_delivery_stop(struct swn_delivery *d);

#endif

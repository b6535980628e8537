/*
 * refusals.h - how many of a peer's refusals the ledger records in a minute.
 *
 * Every refusal is recorded one by one (a REFUSED entry), up to the peer's
 * limit of entries a minute (its agreement's maxRefusalsPerMinute); past
 * it, the peer's refusals are counted, and one summary per peer and minute
 * says how many there were and the last reason, so that a flood from one
 * connection costs the ledger a few entries a minute, not one a request.
 * A recorded refusal keeps the bytes received as evidence while the peer's
 * bytes budget for the minute (maxRefusedBytesPerMinute) lasts.
 *
 * The table has SWN_REFUSAL_SLOTS slots, one per peer.  A slot of the
 * current minute is never taken from its peer (that would reset a flooding
 * peer's count); a new peer takes an empty slot or one of an earlier
 * minute.  When every slot belongs to a peer refused this minute, further
 * peers' refusals are counted, not recorded, in one overflow count with a
 * summary of its own.
 *
 * Pure bookkeeping: no ledger, no clock (callers pass the time), no lock
 * (the caller holds one around each call).  Summaries come out of the
 * table once each; the caller records them.
 */
#ifndef SWN_REFUSALS_H
#define SWN_REFUSALS_H

#include <stddef.h>
#include <time.h>

#include "base/swn_limits.h"

struct swn_refusal_slot {
	char peer[SWN_PARTY_BYTES];          /* "" : empty */
	char agreement[SWN_MAX_ID_LEN + 1];  /* of the last refusal */
	time_t minute;                       /* seconds / 60 */
	long long recorded;                  /* recorded one by one this minute */
	long long unrecorded, unrecorded_http;   /* counted; of which refused by HTTP status */
	long long bytes;                     /* evidence kept this minute */
	char last[300];                      /* the last counted reason */
	char last_peer[SWN_PARTY_BYTES];     /* whose (the overflow's) */
};

/* Zero-initialised (static or memset) is an empty table. */
struct swn_refusals {
	struct swn_refusal_slot slot[SWN_REFUSAL_SLOTS];
	struct swn_refusal_slot overflow;    /* peers beyond a full table */
};

/* What one peer's refusals may cost the ledger in a minute. */
struct swn_refusal_limits {
	long long entries, bytes;
};

/* One refusal, as offered to the ledger. */
struct swn_refusal {
	const char *peer, *agreement;   /* the peer as authenticated */
	const char *reason;
	size_t len;                     /* bytes it would keep as evidence */
	int http;                       /* refused by the listener with an HTTP status of its
					 * own (413); 0: a message, answered HTTP 429 if counted */
};

/* A minute's count of refusals not recorded one by one; reason begins
 * with that count. */
struct swn_refusal_summary {
	char peer[SWN_PARTY_BYTES], agreement[SWN_MAX_ID_LEN + 1], reason[2048];
};

/* May refusal r be recorded one by one at now?  1: yes, and *keep says
 * whether its r->len bytes fit the minute's bytes budget; 0: it is
 * counted.  A summary that fell due (a minute of this slot or of the
 * overflow that ended) is put in *sum, and *due = 1. */
int swn_refusals_admit(struct swn_refusals *t, const struct swn_refusal *r,
		       struct swn_refusal_limits lim, time_t now, int *keep,
		       struct swn_refusal_summary *sum, int *due);

/* Take one summary of a minute that ended before now's (all: of any
 * minute, as when the node stops) into *sum: 1, or 0 when none is left.
 * One at a time, so that the caller need not hold its lock while it
 * records each. */
int swn_refusals_take(struct swn_refusals *t, time_t now, int all,
		      struct swn_refusal_summary *sum);

#endif

/* refusals.c - how many of a peer's refusals the ledger records; see refusals.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "trust/pki.h"
#include "node/node/refusals.h"

static void start_minute(struct swn_refusal_slot *s, time_t minute)
{
	s->minute = minute;
	s->recorded = s->unrecorded = s->unrecorded_http = s->bytes = 0;
}

/* How the counted refusals were answered: a message counted gets HTTP
 * 429; a request the listener refused keeps the status it refused it
 * with (413). */
static void answered(const struct swn_refusal_slot *s, char *out, size_t n)
{
	long long messages = s->unrecorded - s->unrecorded_http;

	if (s->unrecorded_http == 0)
		snprintf(out, n, "answered HTTP 429");
	else if (messages == 0)
		snprintf(out, n, "each answered with the HTTP status that refused it");
	else
		snprintf(out, n, "%lld answered HTTP 429, %lld with the HTTP status that refused them",
			 messages, s->unrecorded_http);
}

/* The summary of s's minute, taken out of s: 1, or 0 when nothing was
 * counted.  The count comes first in the reason (tests sum it). */
static int take_summary(struct swn_refusal_slot *s, int overflow, struct swn_refusal_summary *out)
{
	char from[SWN_TIME_LEN + 1], until[SWN_TIME_LEN + 1], how[120];

	if (s->unrecorded == 0)
		return 0;
	swn_time_iso(s->minute * 60, from);
	swn_time_iso(s->minute * 60 + 59, until);
	answered(s, how, sizeof how);
	if (overflow) {
		snprintf(out->peer, sizeof out->peer, "unknown");
		out->agreement[0] = '\0';
		snprintf(out->reason, sizeof out->reason,
			 "%lld refusals from %s to %s not recorded one by one: they came from peers "
			 "beyond the %d already refused that minute, whose counts are kept; %s; "
			 "the last, from %s: %s",
			 s->unrecorded, from, until, SWN_REFUSAL_SLOTS, how, s->last_peer, s->last);
	} else {
		snprintf(out->peer, sizeof out->peer, "%s", s->peer);
		snprintf(out->agreement, sizeof out->agreement, "%s", s->agreement);
		snprintf(out->reason, sizeof out->reason,
			 "%lld refusals from %s to %s not recorded one by one (over %lld a minute), "
			 "%s; the last: %s",
			 s->unrecorded, from, until, s->recorded, how, s->last);
	}
	s->unrecorded = s->unrecorded_http = 0;
	return 1;
}

/* The slot for peer at minute: its own, an empty one, or the one of the
 * earliest minute before this one, whose summary (if due) goes into
 * *sum.  NULL when every slot holds a peer refused in this minute: none
 * of them is reset, or a flooding peer's count would start again. */
static struct swn_refusal_slot *slot_for(struct swn_refusals *t, const char *peer, time_t minute,
					 struct swn_refusal_summary *sum, int *due)
{
	struct swn_refusal_slot *s, *empty = NULL, *oldest = NULL;
	int i;

	for (i = 0; i < SWN_REFUSAL_SLOTS; i++) {
		s = &t->slot[i];
		if (s->peer[0] == '\0') {
			if (empty == NULL)
				empty = s;
		} else if (strcmp(s->peer, peer) == 0) {
			return s;
		} else if (s->minute != minute && (oldest == NULL || s->minute < oldest->minute)) {
			oldest = s;
		}
	}
	if ((s = empty ? empty : oldest) == NULL)
		return NULL;
	if (s == oldest)
		*due = take_summary(s, 0, sum);
	snprintf(s->peer, sizeof s->peer, "%s", peer);
	start_minute(s, minute);
	return s;
}

static void count(struct swn_refusal_slot *s, const struct swn_refusal *r)
{
	s->unrecorded++;
	if (r->http)
		s->unrecorded_http++;
	snprintf(s->last, sizeof s->last, "%s", r->reason);
}

int swn_refusals_admit(struct swn_refusals *t, const struct swn_refusal *r,
		       struct swn_refusal_limits lim, time_t now, int *keep,
		       struct swn_refusal_summary *sum, int *due)
{
	time_t minute = now / 60;
	struct swn_refusal_slot *s;

	*due = 0;
	*keep = 0;
	if ((s = slot_for(t, r->peer, minute, sum, due)) == NULL) {
		s = &t->overflow;
		if (s->minute != minute) {
			*due = take_summary(s, 1, sum);
			start_minute(s, minute);
		}
		count(s, r);
		snprintf(s->last_peer, sizeof s->last_peer, "%s", r->peer);
		return 0;
	}
	if (s->minute != minute) {   /* the peer's own slot, from a minute that ended */
		*due = take_summary(s, 0, sum);
		start_minute(s, minute);
	}
	snprintf(s->agreement, sizeof s->agreement, "%s", r->agreement);
	if (s->recorded >= lim.entries) {
		count(s, r);
		return 0;
	}
	s->recorded++;
	if ((long long)r->len <= lim.bytes - s->bytes) {
		s->bytes += (long long)r->len;
		*keep = 1;
	}
	return 1;
}

int swn_refusals_take(struct swn_refusals *t, time_t now, int all,
		      struct swn_refusal_summary *sum)
{
	int i;

	for (i = 0; i < SWN_REFUSAL_SLOTS; i++)
		if (t->slot[i].peer[0] && (all || t->slot[i].minute != now / 60) &&
		    take_summary(&t->slot[i], 0, sum))
			return 1;
	return (all || t->overflow.minute != now / 60) && take_summary(&t->overflow, 1, sum);
}

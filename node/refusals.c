/* refusals.c - how many of a peer's refusals the ledger records; see refusals.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "pki.h"
#include "refusals.h"

/* The summary of s's minute, taken out of s: 1, or 0 when nothing was
 * counted.  The count comes first in the reason (tests sum it). */
static int take_summary(struct swn_refusal_slot *s, struct swn_refusal_summary *out)
{
	char from[SWN_TIME_LEN + 1], until[SWN_TIME_LEN + 1];

	if (s->unrecorded == 0)
		return 0;
	swn_time_iso(s->minute * 60, from);
	swn_time_iso(s->minute * 60 + 59, until);
	snprintf(out->peer, sizeof out->peer, "%s", s->peer);
	snprintf(out->agreement, sizeof out->agreement, "%s", s->agreement);
	snprintf(out->reason, sizeof out->reason,
		 "%lld refusals from %s to %s answered HTTP 429, not recorded one by one "
		 "(over %lld a minute); the last: %s",
		 s->unrecorded, from, until, s->recorded, s->last);
	s->unrecorded = 0;
	return 1;
}

int swn_refusals_admit(struct swn_refusals *t, const struct swn_refusal *r,
		       struct swn_refusal_limits lim, time_t now, int *keep,
		       struct swn_refusal_summary *sum, int *due)
{
	struct swn_refusal_slot *s = NULL;
	int i;

	*due = 0;
	*keep = 0;
	for (i = 0; i < SWN_REFUSAL_SLOTS && !s; i++)
		if (strcmp(t->slot[i].peer, r->peer) == 0 || t->slot[i].peer[0] == '\0')
			s = &t->slot[i];
	if (s == NULL) {
		/* More peers than slots: reuse the slot of the quietest. */
		for (s = &t->slot[0], i = 1; i < SWN_REFUSAL_SLOTS; i++)
			if (t->slot[i].minute < s->minute)
				s = &t->slot[i];
		*due = take_summary(s, sum);
		s->peer[0] = '\0';
	}
	if (strcmp(s->peer, r->peer) != 0 || s->minute != now / 60) {
		if (strcmp(s->peer, r->peer) == 0 && !*due)
			*due = take_summary(s, sum);
		snprintf(s->peer, sizeof s->peer, "%s", r->peer);
		s->minute = now / 60;
		s->recorded = s->unrecorded = s->bytes = 0;
	}
	snprintf(s->agreement, sizeof s->agreement, "%s", r->agreement);
	if (s->recorded >= lim.entries) {
		s->unrecorded++;
		snprintf(s->last, sizeof s->last, "%s", r->reason);
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
		    take_summary(&t->slot[i], sum))
			return 1;
	return 0;
}

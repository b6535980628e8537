/* Unit tests: how many of a peer's refusals the ledger records in a
 * minute, the summaries of those it does not, and a full table
 * (refusals.h). */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/refusals.h"
#include "testlib.h"

#define MINUTE0 ((time_t)29000000 * 60)   /* 2025-02-19T21:20:00Z */

static struct swn_refusals *table(void)
{
	struct swn_refusals *t = calloc(1, sizeof *t);

	ck_assert_ptr_nonnull(t);
	return t;
}

static const struct swn_refusal_limits five = { 5, 1000 };

/* One refusal of a message from peer at now: 1 recorded, 0 counted.
 * A summary that fell due is asserted absent unless sum is given. */
static int offer(struct swn_refusals *t, const char *peer, const char *reason, size_t len,
		 int http, time_t now, int *keep, struct swn_refusal_summary *sum, int *due)
{
	struct swn_refusal r = { peer, "AB", reason, len, http };
	struct swn_refusal_summary unused;
	int k, d, ok;

	ok = swn_refusals_admit(t, &r, five, now, keep ? keep : &k, sum ? sum : &unused,
				due ? due : &d);
	if (due == NULL)
		ck_assert_int_eq(d, 0);
	return ok;
}

/* The count a summary's reason begins with. */
static long long counted(const struct swn_refusal_summary *s)
{
	return strtoll(s->reason, NULL, 10);
}

START_TEST(refusals_within_the_limit_are_recorded_then_counted)
{
	struct swn_refusals *t = table();
	struct swn_refusal_summary sum;
	int i;

	for (i = 0; i < 5; i++)
		ck_assert_int_eq(offer(t, "P1", "EBMS:0010 suspended", 0, 0, MINUTE0 + i, NULL, NULL, NULL), 1);
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(offer(t, "P1", "EBMS:0010 suspended", 0, 0, MINUTE0 + 10, NULL, NULL, NULL), 0);
	/* Another peer has a limit of its own. */
	ck_assert_int_eq(offer(t, "P2", "EBMS:0101 x", 0, 0, MINUTE0 + 11, NULL, NULL, NULL), 1);
	/* Nothing is summarised while the minute lasts... */
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 59, 0, &sum), 0);
	/* ...and once it ended, one summary says how many were counted. */
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 60, 0, &sum), 1);
	ck_assert_str_eq(sum.peer, "P1");
	ck_assert_str_eq(sum.agreement, "AB");
	ck_assert_int_eq(counted(&sum), 7);
	ck_assert_ptr_nonnull(strstr(sum.reason, "from 2025-02-19T21:20:00Z to 2025-02-19T21:20:59Z"));
	ck_assert_ptr_nonnull(strstr(sum.reason, "(over 5 a minute), answered HTTP 429; "
					       "the last: EBMS:0010 suspended"));
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 60, 0, &sum), 0);
	free(t);
}
END_TEST

START_TEST(a_new_minute_summarises_the_last_and_starts_again)
{
	struct swn_refusals *t = table();
	struct swn_refusal_summary sum;
	int i, due;

	for (i = 0; i < 8; i++)
		offer(t, "P1", i < 7 ? "EBMS:0010 first" : "EBMS:0010 last", 0, 0, MINUTE0, NULL, NULL, NULL);
	/* The peer's first refusal of the next minute is recorded, and brings
	 * the summary of the minute before. */
	ck_assert_int_eq(offer(t, "P1", "EBMS:0010 next", 0, 0, MINUTE0 + 60, NULL, &sum, &due), 1);
	ck_assert_int_eq(due, 1);
	ck_assert_int_eq(counted(&sum), 3);
	ck_assert_ptr_nonnull(strstr(sum.reason, "the last: EBMS:0010 last"));
	/* When the node stops, the minute under way is summarised too. */
	for (i = 0; i < 6; i++)
		offer(t, "P1", "EBMS:0010 next", 0, 0, MINUTE0 + 61, NULL, NULL, NULL);
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 61, 0, &sum), 0);
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 61, 1, &sum), 1);
	ck_assert_int_eq(counted(&sum), 2);
	free(t);
}
END_TEST

START_TEST(refused_bytes_are_kept_within_the_budget)
{
	struct swn_refusals *t = table();
	int keep;

	ck_assert_int_eq(offer(t, "P1", "r", 600, 0, MINUTE0, &keep, NULL, NULL), 1);
	ck_assert_int_eq(keep, 1);
	/* 600 + 500 is over 1000: recorded, without the bytes. */
	ck_assert_int_eq(offer(t, "P1", "r", 500, 0, MINUTE0, &keep, NULL, NULL), 1);
	ck_assert_int_eq(keep, 0);
	ck_assert_int_eq(offer(t, "P1", "r", 400, 0, MINUTE0, &keep, NULL, NULL), 1);
	ck_assert_int_eq(keep, 1);
	ck_assert_int_eq(offer(t, "P1", "r", 1, 0, MINUTE0, &keep, NULL, NULL), 1);
	ck_assert_int_eq(keep, 0);
	/* A new minute, a new budget. */
	ck_assert_int_eq(offer(t, "P1", "r", 1000, 0, MINUTE0 + 60, &keep, NULL, NULL), 1);
	ck_assert_int_eq(keep, 1);
	free(t);
}
END_TEST

START_TEST(the_summary_says_how_each_refusal_was_answered)
{
	struct swn_refusals *t = table();
	struct swn_refusal_summary sum;
	int i;

	/* Requests the listener refused (413) keep their status: the summary
	 * does not say 429 of them. */
	for (i = 0; i < 7; i++)
		offer(t, "P1", "HTTP 413: too large", 0, 1, MINUTE0, NULL, NULL, NULL);
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 60, 0, &sum), 1);
	ck_assert_int_eq(counted(&sum), 2);
	ck_assert_ptr_null(strstr(sum.reason, "429"));
	ck_assert_ptr_nonnull(strstr(sum.reason, "each answered with the HTTP status that refused it"));
	/* Both kinds in one minute: each counted. */
	for (i = 0; i < 9; i++)
		offer(t, "P1", i < 7 ? "EBMS:0010 x" : "HTTP 413: too large", 0, i >= 7,
		      MINUTE0 + 60, NULL, NULL, NULL);
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 120, 0, &sum), 1);
	ck_assert_int_eq(counted(&sum), 4);
	ck_assert_ptr_nonnull(strstr(sum.reason, "2 answered HTTP 429, 2 with the HTTP status that refused them"));
	free(t);
}
END_TEST

/* Fill the table with SWN_REFUSAL_SLOTS peers refused at now. */
static void fill(struct swn_refusals *t, time_t now)
{
	char peer[16];
	int i;

	for (i = 0; i < SWN_REFUSAL_SLOTS; i++) {
		snprintf(peer, sizeof peer, "P%d", i + 1);
		ck_assert_int_eq(offer(t, peer, "EBMS:0010 x", 0, 0, now, NULL, NULL, NULL), 1);
	}
}

START_TEST(a_full_table_never_resets_a_peer_of_this_minute)
{
	struct swn_refusals *t = table();
	struct swn_refusal_summary sum;
	int i, due, recorded = 0;

	fill(t, MINUTE0);
	/* Peers beyond the table are counted, not recorded, in the overflow;
	 * P1, a flooding peer, keeps its count in between. */
	for (i = 0; i < 30; i++) {
		char peer[16];

		snprintf(peer, sizeof peer, "Q%d", i);
		ck_assert_int_eq(offer(t, peer, "EBMS:0101 q", 0, i == 29, MINUTE0 + 1, NULL, NULL, NULL), 0);
		recorded += offer(t, "P1", "EBMS:0010 flood", 0, 0, MINUTE0 + 1, NULL, NULL, NULL);
	}
	ck_assert_int_eq(recorded, 4);   /* 5 a minute, one recorded by fill */
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 59, 0, &sum), 0);
	/* Once the minute ended: P1's summary and the overflow's. */
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 60, 0, &sum), 1);
	ck_assert_str_eq(sum.peer, "P1");
	ck_assert_int_eq(counted(&sum), 26);
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 60, 0, &sum), 1);
	ck_assert_str_eq(sum.peer, "unknown");
	ck_assert_int_eq(counted(&sum), 30);
	ck_assert_ptr_nonnull(strstr(sum.reason, "they came from peers beyond the 64 already refused "
					       "that minute, whose counts are kept; 29 answered HTTP 429, "
					       "1 with the HTTP status that refused them; the last, from Q29: "
					       "EBMS:0101 q"));
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 60, 0, &sum), 0);
	/* In the next minute a new peer takes a slot of the minute that
	 * ended, and is recorded. */
	ck_assert_int_eq(offer(t, "Q0", "EBMS:0101 q", 0, 0, MINUTE0 + 60, NULL, &sum, &due), 1);
	ck_assert_int_eq(due, 0);
	free(t);
}
END_TEST

START_TEST(the_overflow_summary_falls_due_with_the_next_minute)
{
	struct swn_refusals *t = table();
	struct swn_refusal_summary sum;
	int i, due;

	fill(t, MINUTE0);
	for (i = 0; i < 3; i++)
		offer(t, "Q", "EBMS:0101 q", 0, 0, MINUTE0, NULL, NULL, NULL);
	/* A minute later the table is full again, of this minute's peers;
	 * the next peer beyond it brings the overflow's last summary. */
	fill(t, MINUTE0 + 60);
	ck_assert_int_eq(offer(t, "Q", "EBMS:0101 q", 0, 0, MINUTE0 + 60, NULL, &sum, &due), 0);
	ck_assert_int_eq(due, 1);
	ck_assert_str_eq(sum.peer, "unknown");
	ck_assert_int_eq(counted(&sum), 3);
	free(t);
}
END_TEST

START_TEST(a_new_peer_takes_the_slot_of_the_earliest_minute)
{
	struct swn_refusals *t = table();
	struct swn_refusal_summary sum;
	char peer[16];
	int i, due;

	fill(t, MINUTE0);
	for (i = 0; i < 7; i++)   /* P1: 5 recorded, 3 counted at MINUTE0 */
		offer(t, "P1", "EBMS:0010 old", 0, 0, MINUTE0, NULL, NULL, NULL);
	offer(t, "P2", "EBMS:0010 x", 0, 0, MINUTE0 + 60, NULL, NULL, NULL);
	for (i = 3; i <= SWN_REFUSAL_SLOTS; i++) {
		snprintf(peer, sizeof peer, "P%d", i);
		offer(t, peer, "EBMS:0010 x", 0, 0, MINUTE0 + 120, NULL, NULL, NULL);
	}
	/* P1's slot is the earliest: the first new peer takes it, and P1's
	 * count comes out as it goes. */
	ck_assert_int_eq(offer(t, "NEW1", "EBMS:0010 x", 0, 0, MINUTE0 + 120, NULL, &sum, &due), 1);
	ck_assert_int_eq(due, 1);
	ck_assert_str_eq(sum.peer, "P1");
	ck_assert_int_eq(counted(&sum), 3);
	/* Then P2's, which counted nothing. */
	ck_assert_int_eq(offer(t, "NEW2", "EBMS:0010 x", 0, 0, MINUTE0 + 120, NULL, &sum, &due), 1);
	ck_assert_int_eq(due, 0);
	/* Now every slot is of this minute: P1 is beyond the table. */
	ck_assert_int_eq(offer(t, "P1", "EBMS:0010 x", 0, 0, MINUTE0 + 120, NULL, NULL, NULL), 0);
	ck_assert_int_eq(offer(t, "NEW2", "EBMS:0010 x", 0, 0, MINUTE0 + 120, NULL, NULL, NULL), 1);
	free(t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("refusals");
	TCase *t = tcase_create("core");

	tcase_add_test(t, refusals_within_the_limit_are_recorded_then_counted);
	tcase_add_test(t, a_new_minute_summarises_the_last_and_starts_again);
	tcase_add_test(t, refused_bytes_are_kept_within_the_budget);
	tcase_add_test(t, the_summary_says_how_each_refusal_was_answered);
	tcase_add_test(t, a_full_table_never_resets_a_peer_of_this_minute);
	tcase_add_test(t, the_overflow_summary_falls_due_with_the_next_minute);
	tcase_add_test(t, a_new_peer_takes_the_slot_of_the_earliest_minute);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return swn_test_run(suite());
}

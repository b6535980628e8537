/* Unit tests: how many of a peer's refusals the ledger records in a
 * minute and the summaries of those it does not (refusals.h). */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refusals.h"
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
		 time_t now, int *keep, struct swn_refusal_summary *sum, int *due)
{
	struct swn_refusal r = { peer, "AB", reason, len };
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
		ck_assert_int_eq(offer(t, "P1", "EBMS:0010 suspended", 0, MINUTE0 + i, NULL, NULL, NULL), 1);
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(offer(t, "P1", "EBMS:0010 suspended", 0, MINUTE0 + 10, NULL, NULL, NULL), 0);
	/* Another peer has a limit of its own. */
	ck_assert_int_eq(offer(t, "P2", "EBMS:0101 x", 0, MINUTE0 + 11, NULL, NULL, NULL), 1);
	/* Nothing is summarised while the minute lasts... */
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 59, 0, &sum), 0);
	/* ...and once it ended, one summary says how many were counted. */
	ck_assert_int_eq(swn_refusals_take(t, MINUTE0 + 60, 0, &sum), 1);
	ck_assert_str_eq(sum.peer, "P1");
	ck_assert_str_eq(sum.agreement, "AB");
	ck_assert_int_eq(counted(&sum), 7);
	ck_assert_ptr_nonnull(strstr(sum.reason, "from 2025-02-19T21:20:00Z to 2025-02-19T21:20:59Z"));
	ck_assert_ptr_nonnull(strstr(sum.reason, "answered HTTP 429, not recorded one by one "
					       "(over 5 a minute); the last: EBMS:0010 suspended"));
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
		offer(t, "P1", i < 7 ? "EBMS:0010 first" : "EBMS:0010 last", 0, MINUTE0, NULL, NULL, NULL);
	/* The peer's first refusal of the next minute is recorded, and brings
	 * the summary of the minute before. */
	ck_assert_int_eq(offer(t, "P1", "EBMS:0010 next", 0, MINUTE0 + 60, NULL, &sum, &due), 1);
	ck_assert_int_eq(due, 1);
	ck_assert_int_eq(counted(&sum), 3);
	ck_assert_ptr_nonnull(strstr(sum.reason, "the last: EBMS:0010 last"));
	/* When the node stops, the minute under way is summarised too. */
	for (i = 0; i < 6; i++)
		offer(t, "P1", "EBMS:0010 next", 0, MINUTE0 + 61, NULL, NULL, NULL);
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

	ck_assert_int_eq(offer(t, "P1", "r", 600, MINUTE0, &keep, NULL, NULL), 1);
	ck_assert_int_eq(keep, 1);
	/* 600 + 500 is over 1000: recorded, without the bytes. */
	ck_assert_int_eq(offer(t, "P1", "r", 500, MINUTE0, &keep, NULL, NULL), 1);
	ck_assert_int_eq(keep, 0);
	ck_assert_int_eq(offer(t, "P1", "r", 400, MINUTE0, &keep, NULL, NULL), 1);
	ck_assert_int_eq(keep, 1);
	ck_assert_int_eq(offer(t, "P1", "r", 1, MINUTE0, &keep, NULL, NULL), 1);
	ck_assert_int_eq(keep, 0);
	/* A new minute, a new budget. */
	ck_assert_int_eq(offer(t, "P1", "r", 1000, MINUTE0 + 60, &keep, NULL, NULL), 1);
	ck_assert_int_eq(keep, 1);
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
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return swn_test_run(suite());
}

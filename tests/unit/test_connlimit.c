/* Unit tests: connection limits, the handshake pool and the room kept for
 * pinned peers (connlimit.h). */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "net/connlimit.h"
#include "testlib.h"

static struct sockaddr_storage addr(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof ss);
	if (strchr(text, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	}
	return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))
#define NOW 1000

/* 10 in all, 64 per address, 4 in the handshake pool, 2 from one address. */
static struct swn_connlimit *small(void)
{
	struct swn_connlimit_caps caps = { 10, 64, 4, 2 };
	struct swn_connlimit *c = swn_connlimit_new(&caps);

	ck_assert_ptr_nonnull(c);
	return c;
}

static enum swn_conn_verdict enter(struct swn_connlimit *c, const char *text, enum swn_conn_state *st)
{
	struct sockaddr_storage ss = addr(text);

	*st = SWN_CONN_OUT;
	return swn_connlimit_enter(c, SA(ss), NOW, st);
}

static void counts_are(struct swn_connlimit *c, int handshakes, int authenticated)
{
	int h, a;

	swn_connlimit_counts(c, &h, &a);
	ck_assert_int_eq(h, handshakes);
	ck_assert_int_eq(a, authenticated);
}

START_TEST(handshakes_have_a_pool_and_a_share_per_address)
{
	struct swn_connlimit *c = small();
	enum swn_conn_state st[6];

	ck_assert_int_eq(enter(c, "127.0.0.2", &st[0]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(st[0], SWN_CONN_HANDSHAKE);
	ck_assert_int_eq(enter(c, "127.0.0.2", &st[1]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(enter(c, "127.0.0.2", &st[2]), SWN_CONN_ADDRESS_HANDSHAKES_FULL);
	ck_assert_int_eq(st[2], SWN_CONN_OUT);
	ck_assert_int_eq(enter(c, "127.0.0.3", &st[2]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(enter(c, "127.0.0.4", &st[3]), SWN_CONN_ADMITTED);
	/* Four in the pool: a fifth address is refused although 6 of 10
	 * slots are free; they are kept for pinned peers. */
	ck_assert_int_eq(enter(c, "127.0.0.5", &st[4]), SWN_CONN_HANDSHAKES_FULL);
	counts_are(c, 4, 0);
	{
		struct sockaddr_storage ss = addr("127.0.0.4");

		swn_connlimit_leave(c, SA(ss), &st[3]);
		ck_assert_int_eq(st[3], SWN_CONN_OUT);
	}
	ck_assert_int_eq(enter(c, "127.0.0.5", &st[4]), SWN_CONN_ADMITTED);
	swn_connlimit_free(c);
}
END_TEST

START_TEST(an_authenticated_connection_leaves_the_pool)
{
	struct swn_connlimit *c = small();
	struct sockaddr_storage a = addr("127.0.0.2");
	enum swn_conn_state st[6];
	int i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(enter(c, i < 2 ? "127.0.0.2" : "127.0.0.3", &st[i]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(swn_connlimit_authenticated(c, SA(a), NOW, &st[0]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(st[0], SWN_CONN_AUTHENTICATED);
	counts_are(c, 3, 1);
	/* Room in the pool again, and in the address's share of it. */
	ck_assert_int_eq(enter(c, "127.0.0.4", &st[4]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(st[4], SWN_CONN_HANDSHAKE);
	/* Authenticated again (a TLS library may say so twice): no change. */
	ck_assert_int_eq(swn_connlimit_authenticated(c, SA(a), NOW, &st[0]), SWN_CONN_ADMITTED);
	counts_are(c, 4, 1);
	swn_connlimit_leave(c, SA(a), &st[0]);
	counts_are(c, 4, 0);
	swn_connlimit_free(c);
}
END_TEST

START_TEST(a_pinned_peers_address_gets_the_kept_room_when_the_pool_is_full)
{
	struct swn_connlimit *c = small();
	struct sockaddr_storage peer = addr("192.0.2.7");
	enum swn_conn_state st[12];
	int i;

	ck_assert_int_eq(enter(c, "192.0.2.7", &st[0]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(swn_connlimit_authenticated(c, SA(peer), NOW, &st[0]), SWN_CONN_ADMITTED);
	/* Strangers fill the pool. */
	for (i = 1; i <= 4; i++)
		ck_assert_int_eq(enter(c, i % 2 ? "127.0.0.2" : "127.0.0.3", &st[i]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(enter(c, "127.0.0.9", &st[5]), SWN_CONN_HANDSHAKES_FULL);
	/* The peer's address still gets in, into the room kept for it. */
	ck_assert_int_eq(enter(c, "192.0.2.7", &st[5]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(st[5], SWN_CONN_KNOWN_HANDSHAKE);
	counts_are(c, 5, 1);
	ck_assert_int_eq(swn_connlimit_authenticated(c, SA(peer), NOW, &st[5]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(st[5], SWN_CONN_AUTHENTICATED);
	counts_are(c, 4, 2);
	/* The kept room is 10 - 4 = 6: four more, then none. */
	for (i = 6; i < 10; i++)
		ck_assert_int_eq(enter(c, "192.0.2.7", &st[i]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(enter(c, "192.0.2.7", &st[10]), SWN_CONN_HANDSHAKES_FULL);
	counts_are(c, 8, 2);
	swn_connlimit_free(c);
}
END_TEST

START_TEST(a_full_kept_room_refuses_a_newly_authenticated_connection)
{
	struct swn_connlimit_caps caps = { 3, 64, 2, 2 };
	struct swn_connlimit *c = swn_connlimit_new(&caps);
	struct sockaddr_storage a = addr("127.0.0.2"), b = addr("127.0.0.3");
	enum swn_conn_state sa = SWN_CONN_OUT, sb = SWN_CONN_OUT;

	ck_assert_int_eq(swn_connlimit_enter(c, SA(a), NOW, &sa), SWN_CONN_ADMITTED);
	ck_assert_int_eq(swn_connlimit_enter(c, SA(b), NOW, &sb), SWN_CONN_ADMITTED);
	ck_assert_int_eq(swn_connlimit_authenticated(c, SA(a), NOW, &sa), SWN_CONN_ADMITTED);
	ck_assert_int_eq(swn_connlimit_authenticated(c, SA(b), NOW, &sb), SWN_CONN_PINNED_FULL);
	ck_assert_int_eq(sb, SWN_CONN_HANDSHAKE);
	counts_are(c, 1, 1);
	swn_connlimit_leave(c, SA(b), &sb);
	swn_connlimit_leave(c, SA(a), &sa);
	counts_are(c, 0, 0);
	/* Both addresses are remembered: b's certificate was pinned. */
	ck_assert_int_eq(swn_connlimit_enter(c, SA(b), NOW, &sb), SWN_CONN_ADMITTED);
	ck_assert_int_eq(sb, SWN_CONN_KNOWN_HANDSHAKE);
	swn_connlimit_free(c);
}
END_TEST

START_TEST(one_address_holds_at_most_its_share_of_all_kinds)
{
	struct swn_connlimit_caps caps = { 100, 3, 50, 50 };
	struct swn_connlimit *c = swn_connlimit_new(&caps);
	struct sockaddr_storage a = addr("192.0.2.7");
	enum swn_conn_state st[4] = { SWN_CONN_OUT, SWN_CONN_OUT, SWN_CONN_OUT, SWN_CONN_OUT };
	int i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(swn_connlimit_enter(c, SA(a), NOW, &st[i]), SWN_CONN_ADMITTED);
		ck_assert_int_eq(swn_connlimit_authenticated(c, SA(a), NOW, &st[i]), SWN_CONN_ADMITTED);
	}
	ck_assert_int_eq(swn_connlimit_enter(c, SA(a), NOW, &st[3]), SWN_CONN_ADDRESS_FULL);
	swn_connlimit_leave(c, SA(a), &st[1]);
	ck_assert_int_eq(swn_connlimit_enter(c, SA(a), NOW, &st[3]), SWN_CONN_ADMITTED);
	swn_connlimit_free(c);
}
END_TEST

START_TEST(an_address_is_remembered_for_a_while)
{
	struct swn_connlimit *c = small();
	struct sockaddr_storage a = addr("192.0.2.7");
	enum swn_conn_state st = SWN_CONN_OUT;

	ck_assert_int_eq(swn_connlimit_enter(c, SA(a), NOW, &st), SWN_CONN_ADMITTED);
	ck_assert_int_eq(swn_connlimit_authenticated(c, SA(a), NOW, &st), SWN_CONN_ADMITTED);
	swn_connlimit_leave(c, SA(a), &st);
	ck_assert_int_eq(swn_connlimit_enter(c, SA(a), NOW + SWN_CONN_KNOWN_FOR_S - 1, &st), SWN_CONN_ADMITTED);
	ck_assert_int_eq(st, SWN_CONN_KNOWN_HANDSHAKE);
	swn_connlimit_leave(c, SA(a), &st);
	ck_assert_int_eq(swn_connlimit_enter(c, SA(a), NOW + SWN_CONN_KNOWN_FOR_S, &st), SWN_CONN_ADMITTED);
	ck_assert_int_eq(st, SWN_CONN_HANDSHAKE);
	swn_connlimit_free(c);
}
END_TEST

START_TEST(the_oldest_address_is_forgotten_when_the_table_is_full)
{
	struct swn_connlimit_caps caps = { 10, 64, 4, 2 };
	struct swn_connlimit *c = swn_connlimit_new(&caps);
	enum swn_conn_state st;
	char text[32];
	int i;

	for (i = 0; i <= SWN_CONN_KNOWN_ADDRESSES; i++) {
		struct sockaddr_storage a;

		snprintf(text, sizeof text, "10.%d.%d.1", i / 256, i % 256);
		a = addr(text);
		st = SWN_CONN_OUT;
		ck_assert_int_eq(swn_connlimit_enter(c, SA(a), NOW + i, &st), SWN_CONN_ADMITTED);
		ck_assert_int_eq(swn_connlimit_authenticated(c, SA(a), NOW + i, &st), SWN_CONN_ADMITTED);
		swn_connlimit_leave(c, SA(a), &st);
	}
	ck_assert_int_eq(enter(c, "10.0.0.1", &st), SWN_CONN_ADMITTED);
	ck_assert_int_eq(st, SWN_CONN_HANDSHAKE);
	ck_assert_int_eq(enter(c, "10.0.1.1", &st), SWN_CONN_ADMITTED);
	ck_assert_int_eq(st, SWN_CONN_KNOWN_HANDSHAKE);
	swn_connlimit_free(c);
}
END_TEST

START_TEST(ipv6_counts_by_its_64_and_ipv4_by_either_spelling)
{
	struct swn_connlimit_caps caps = { 100, 2, 50, 50 };
	struct swn_connlimit *c = swn_connlimit_new(&caps);
	enum swn_conn_state st[3];

	ck_assert_int_eq(enter(c, "2001:db8:1:2::1", &st[0]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(enter(c, "2001:db8:1:2:ffff::9", &st[1]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(enter(c, "2001:db8:1:2::3", &st[2]), SWN_CONN_ADDRESS_FULL);
	ck_assert_int_eq(enter(c, "2001:db8:1:3::1", &st[2]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(enter(c, "192.0.2.7", &st[0]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(enter(c, "::ffff:192.0.2.7", &st[1]), SWN_CONN_ADMITTED);
	ck_assert_int_eq(enter(c, "192.0.2.7", &st[2]), SWN_CONN_ADDRESS_FULL);
	ck_assert_int_eq(enter(c, "192.0.2.8", &st[2]), SWN_CONN_ADMITTED);
	swn_connlimit_free(c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("connlimit");
	TCase *t = tcase_create("core");

	tcase_add_test(t, handshakes_have_a_pool_and_a_share_per_address);
	tcase_add_test(t, an_authenticated_connection_leaves_the_pool);
	tcase_add_test(t, a_pinned_peers_address_gets_the_kept_room_when_the_pool_is_full);
	tcase_add_test(t, a_full_kept_room_refuses_a_newly_authenticated_connection);
	tcase_add_test(t, one_address_holds_at_most_its_share_of_all_kinds);
	tcase_add_test(t, an_address_is_remembered_for_a_while);
	tcase_add_test(t, the_oldest_address_is_forgotten_when_the_table_is_full);
	tcase_add_test(t, ipv6_counts_by_its_64_and_ipv4_by_either_spelling);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return swn_test_run(suite());
}

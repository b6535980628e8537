/* Unit tests: the bounded buffer (buf.h) and the error record (err.h). */
#include "autoconfig.h"

#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "testlib.h"

START_TEST(grows_and_terminates)
{
	struct swn_buf b;
	struct swn_err err;
	int i;

	swn_err_clear(&err);
	swn_buf_init(&b, 100000);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(swn_buf_add(&b, "0123456789", 10, &err), 0);
	ck_assert_uint_eq(b.len, 10000);
	ck_assert_int_eq(b.data[b.len], '\0');
	ck_assert(b.cap <= 100001);
	ck_assert_int_eq(memcmp(b.data + 9990, "0123456789", 10), 0);
	swn_buf_free(&b);
}
END_TEST

START_TEST(limit_is_hard)
{
	struct swn_buf b;
	struct swn_err err;

	swn_err_clear(&err);
	swn_buf_init(&b, 16);
	ck_assert_int_eq(swn_buf_add(&b, "0123456789abcdef", 16, &err), 0);
	ck_assert_uint_eq(b.len, 16);
	ck_assert_int_eq(swn_buf_add(&b, "x", 1, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
	/* Going over frees the contents: nobody goes on with half a document. */
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(exactly_at_limit_then_one_byte_over)
{
	struct swn_buf b;
	struct swn_err err;
	char big[300];

	memset(big, 'a', sizeof big);
	swn_err_clear(&err);
	swn_buf_init(&b, 300);
	ck_assert_int_eq(swn_buf_add(&b, big, 300, &err), 0);
	swn_buf_free(&b);
	swn_buf_init(&b, 299);
	ck_assert_int_eq(swn_buf_add(&b, big, 300, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
}
END_TEST

START_TEST(detach_takes_ownership)
{
	struct swn_buf b;
	struct swn_err err;
	char *p;
	size_t n;

	swn_err_clear(&err);
	swn_buf_init(&b, 100);
	ck_assert_int_eq(swn_buf_add(&b, "x-42", 4, &err), 0);
	p = swn_buf_detach(&b, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(p, "x-42");
	ck_assert_ptr_null(b.data);
	free(p);
}
END_TEST

START_TEST(strings_fit_or_fail)
{
	char small[5];

	ck_assert_int_eq(swn_str_copy(small, sizeof small, "abcd"), 0);
	ck_assert_str_eq(small, "abcd");
	ck_assert_int_eq(swn_str_copy(small, sizeof small, "abcde"), -1);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(swn_str_copy(small, 0, "a"), -1);
}
END_TEST

START_TEST(first_error_wins)
{
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_int_eq(swn_err_set(&err, SWN_E_PARSE, "a.xml", 3, "first %d", 1), -1);
	swn_err_set(&err, SWN_E_SCHEMA, "b.xml", 9, "second");
	ck_assert_int_eq(err.code, SWN_E_PARSE);
	ck_assert_str_eq(err.file, "a.xml");
	ck_assert_int_eq(err.line, 3);
	ck_assert_str_eq(err.msg, "first 1");
	ck_assert_str_eq(swn_code_name(SWN_E_TOO_LARGE), "too-large");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, grows_and_terminates);
	tcase_add_test(tc, limit_is_hard);
	tcase_add_test(tc, exactly_at_limit_then_one_byte_over);
	tcase_add_test(tc, detach_takes_ownership);
	tcase_add_test(tc, strings_fit_or_fail);
	tcase_add_test(tc, first_error_wins);
	suite_add_tcase(s, tc);
	return swn_test_run(s);
}

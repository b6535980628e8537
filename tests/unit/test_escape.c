/* Unit tests: escaping text from outside (escape.h). */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "testlib.h"

static const char *esc(const char *s)
{
	static char out[SWN_ESCAPED_SIZE(256)];

	swn_escape(out, sizeof out, s);
	return out;
}

START_TEST(line_breaks_cannot_forge_lines)
{
	ck_assert_str_eq(esc("X\nswnode: forged"), "X\\x0aswnode: forged");
	ck_assert_str_eq(esc("a\r\nb"), "a\\x0d\\x0ab");
	ck_assert_str_eq(esc("tab\there\n"), "tab\\x09here\\x0a");
}
END_TEST

START_TEST(control_bytes_and_del)
{
	ck_assert_str_eq(esc("\x1b[31mred"), "\\x1b[31mred");
	ck_assert_str_eq(esc("\x01\x02\x1f\x7f"), "\\x01\\x02\\x1f\\x7f");
	/* C1 controls are valid UTF-8 but still controls (U+009B is CSI). */
	ck_assert_str_eq(esc("a\xc2\x9b" "31m"), "a\\xc2\\x9b31m");
	ck_assert_str_eq(esc("\xc2\x80\xc2\x9f"), "\\xc2\\x80\\xc2\\x9f");
}
END_TEST

START_TEST(backslash_is_doubled_so_escapes_are_unambiguous)
{
	ck_assert_str_eq(esc("C:\\dir"), "C:\\\\dir");
	/* Text that looks like an escape is not one. */
	ck_assert_str_eq(esc("\\x0a"), "\\\\x0a");
}
END_TEST

START_TEST(valid_utf8_stays_readable)
{
	const char *names = "Zürich \xe4\xb8\xad\xe5\x9b\xbd \xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 "
			    "\xf0\x9f\x93\xa6 \xc2\xa0nbsp \xef\xbf\xbd";

	ck_assert_str_eq(esc(names), names);
	ck_assert_str_eq(esc("plain ASCII, 100% printable ~"), "plain ASCII, 100% printable ~");
}
END_TEST

START_TEST(invalid_utf8_bytes_are_escaped)
{
	ck_assert_str_eq(esc("\xff\xfe"), "\\xff\\xfe");
	/* a lone continuation byte, a truncated sequence */
	ck_assert_str_eq(esc("a\x80z"), "a\\x80z");
	ck_assert_str_eq(esc("\xe4\xb8"), "\\xe4\\xb8");
	ck_assert_str_eq(esc("\xe4\xb8z"), "\\xe4\\xb8z");
	/* overlong '/' and NUL, a surrogate, above U+10FFFF */
	ck_assert_str_eq(esc("\xc0\xaf"), "\\xc0\\xaf");
	ck_assert_str_eq(esc("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
	ck_assert_str_eq(esc("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	ck_assert_str_eq(esc("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
	/* a valid character right after a stray byte is kept */
	ck_assert_str_eq(esc("\xb8\xe4\xb8\xad"), "\\xb8\xe4\xb8\xad");
}
END_TEST

START_TEST(never_cut_inside_an_escape_or_a_character)
{
	char out[8];

	ck_assert_uint_eq(swn_escape(out, sizeof out, "abcde\n"), 5);
	ck_assert_str_eq(out, "abcde");
	ck_assert_uint_eq(swn_escape(out, sizeof out, "abcde\xe4\xb8\xad"), 5);
	ck_assert_str_eq(out, "abcde");
	ck_assert_uint_eq(swn_escape(out, sizeof out, "abc\xe4\xb8\xad"), 6);
	ck_assert_str_eq(out, "abc\xe4\xb8\xad");
	ck_assert_uint_eq(swn_escape(out, 1, "abc"), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(escaped_size_always_fits)
{
	char src[65], *dup;

	memset(src, 0x01, 64);
	src[64] = '\0';
	dup = swn_escape_dup(src);
	ck_assert_ptr_nonnull(dup);
	ck_assert_uint_eq(strlen(dup), SWN_ESCAPED_SIZE(64) - 1);
	ck_assert_int_eq(memcmp(dup + 252, "\\x01", 4), 0);
	free(dup);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, line_breaks_cannot_forge_lines);
	tcase_add_test(tc, control_bytes_and_del);
	tcase_add_test(tc, backslash_is_doubled_so_escapes_are_unambiguous);
	tcase_add_test(tc, valid_utf8_stays_readable);
	tcase_add_test(tc, invalid_utf8_bytes_are_escaped);
	tcase_add_test(tc, never_cut_inside_an_escape_or_a_character);
	tcase_add_test(tc, escaped_size_always_fits);
	suite_add_tcase(s, tc);
	return swn_test_run(s);
}

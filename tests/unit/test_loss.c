/* Unit tests: the loss report (loss.h) and Schematron rules (rules.h). */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxslt/xslt.h>

#include "base/fsutil.h"
#include "base/swn_limits.h"
#include "doc/loss.h"
#include "doc/rules.h"
#include "xml/schema.h"
#include "xml/xmlsafe.h"
#include "testlib.h"

static xmlDocPtr parse(const char *text)
{
	struct swn_err err;
	xmlDocPtr d;

	swn_err_clear(&err);
	d = swn_xml_parse(text, strlen(text), "test", &err);
	ck_assert_msg(d != NULL, "%s", err.msg);
	return d;
}

/* The report of orig against back, checked against schemas/loss-report.xsd. */
static char *report(const char *orig, const char *back, size_t *lost)
{
	xmlDocPtr o = parse(orig), b = parse(back), r;
	struct swn_buf out;
	struct swn_err err;
	xmlSchemaPtr xsd;
	char *text;

	swn_err_clear(&err);
	swn_buf_init(&out, 1 << 20);
	ck_assert_int_eq(swn_loss_compare(o, b, "t", &out, lost, &err), 0);
	r = swn_xml_parse(out.data, out.len, "report", &err);
	ck_assert_ptr_nonnull(r);
	xsd = swn_schema_compile_in(swn_schema_dir(), "loss-report.xsd", &err);
	ck_assert_ptr_nonnull(xsd);
	ck_assert_int_eq(swn_schema_validate(xsd, r, "report", NULL, NULL, NULL, &err), 0);
	xmlSchemaFree(xsd);
	xmlFreeDoc(r);
	text = strndup(out.data, out.len);
	swn_buf_free(&out);
	xmlFreeDoc(o);
	xmlFreeDoc(b);
	return text;
}

#define HAS(text, s) ck_assert_msg(strstr(text, s) != NULL, "'%s' not in\n%s", s, text)
#define HASNT(text, s) ck_assert_msg(strstr(text, s) == NULL, "'%s' in\n%s", s, text)

START_TEST(nothing_lost_when_everything_comes_back)
{
	size_t lost = 9;
	/* Prefixes, white space, order of attributes, comments and
	 * xsi:schemaLocation differ; no value does. */
	char *r = report("<a:R xmlns:a='urn:a' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'"
			 " xsi:schemaLocation='urn:a a.xsd'><!-- c --><a:X k='1' j='2'>  one\n two </a:X>"
			 "<a:E/><a:Y></a:Y></a:R>",
			 "<R xmlns='urn:a'><X j='2' k='1'>one two</X></R>", &lost);

	ck_assert_uint_eq(lost, 0);
	HAS(r, "lost=\"0\"");
	HASNT(r, "<Lost");
	free(r);
}
END_TEST

START_TEST(an_element_left_out_is_reported_with_path_and_value)
{
	size_t lost = 0;
	char *r = report("<a:R xmlns:a='urn:a' xmlns:p='urn:p'><a:D><p:When f='304'>20190702</p:When></a:D>"
			 "<a:K>x</a:K></a:R>",
			 "<R xmlns='urn:a'><K>x</K></R>", &lost);

	ck_assert_uint_eq(lost, 2);
	HAS(r, "lost=\"2\"");
	HAS(r, "<Lost path=\"/a:R/a:D/p:When/@f\" value=\"304\"/>");
	HAS(r, "<Lost path=\"/a:R/a:D/p:When\" value=\"20190702\"/>");
	HAS(r, "<Namespace prefix=\"a\" uri=\"urn:a\"/>");
	HAS(r, "<Namespace prefix=\"p\" uri=\"urn:p\"/>");
	free(r);
}
END_TEST

START_TEST(repeated_values_count_and_carry_positions)
{
	size_t lost = 0;
	/* Three items, two with the same value: the round trip keeps one of
	 * those; the report names the second at its place. */
	char *r = report("<R xmlns='urn:a'><I><C>CN</C></I><I><C>CN</C></I><I><C>GB</C></I></R>",
			 "<R xmlns='urn:a'><I><C>CN</C></I><I><C>GB</C></I></R>", &lost);

	ck_assert_uint_eq(lost, 1);
	HAS(r, "<Lost path=\"/R/I[2]/C\" value=\"CN\"/>");
	HAS(r, "<Namespace prefix=\"\" uri=\"urn:a\"/>");
	free(r);
}
END_TEST

START_TEST(a_changed_value_or_namespace_is_lost)
{
	size_t lost = 0;
	char *r = report("<R xmlns='urn:a'><C>gb</C><D a='1'>v</D></R>",
			 "<R xmlns='urn:a'><C>GB</C><D xmlns='urn:other' a='1'>v</D></R>", &lost);

	/* gb became GB; D came back in another namespace (its attribute and
	 * text with it). */
	ck_assert_uint_eq(lost, 3);
	HAS(r, "value=\"gb\"");
	HAS(r, "<Lost path=\"/R/D/@a\" value=\"1\"/>");
	HAS(r, "<Lost path=\"/R/D\" value=\"v\"/>");
	free(r);
}
END_TEST

START_TEST(values_are_escaped_in_the_report)
{
	size_t lost = 0;
	char *r = report("<R xmlns='urn:a'><N>&lt;b&gt; &amp; \"q\"</N></R>", "<R xmlns='urn:a'/>", &lost);

	ck_assert_uint_eq(lost, 1);
	HAS(r, "value=\"&lt;b&gt; &amp; &quot;q&quot;\"");
	free(r);
}
END_TEST

START_TEST(a_large_loss_is_counted_and_listed_up_to_the_cap)
{
	size_t lost = 0, i, n = SWN_MAX_LOSS_LISTED + 500, listed = 0;
	char *orig = malloc(n * 24 + 64), *r, *p;

	strcpy(orig, "<R xmlns='urn:a'>");
	for (i = 0; i < n; i++)
		sprintf(orig + strlen(orig), "<V>%zu</V>", i);
	strcat(orig, "</R>");
	r = report(orig, "<R xmlns='urn:a'/>", &lost);
	ck_assert_uint_eq(lost, n);
	for (p = r; (p = strstr(p, "<Lost ")) != NULL; p++)
		listed++;
	ck_assert_uint_eq(listed, SWN_MAX_LOSS_LISTED);
	HAS(r, "listed=\"1000\"");
	HAS(r, "<Lost path=\"/R/V[1]\" value=\"0\"/>");
	free(r);
	free(orig);
}
END_TEST

/* ---- rules ---- */

static char dir[64];

static const char *write_file(const char *name, const char *text)
{
	static char path[200];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static struct swn_rules *compile(const char *sch, struct swn_err *err)
{
	char compiler[4200];

	snprintf(compiler, sizeof compiler, "%s/schematron.xsl", swn_schema_dir());
	swn_err_clear(err);
	return swn_rules_compile(compiler, write_file("r.sch", sch), err);
}

#define SCH_HEAD "<schema xmlns='http://purl.oclc.org/dsdl/schematron'><ns prefix='d' uri='urn:d'/>"

static void count_report(void *ctx, const struct swn_err *e)
{
	(void)e;
	(*(int *)ctx)++;
}

START_TEST(rules_name_path_line_and_message)
{
	struct swn_err err;
	struct swn_rules *r = compile(SCH_HEAD
		"<pattern id='p'><rule context='d:Item'>"
		"<assert test='d:Code'>item <value-of select='@n'/> needs a\n    Code</assert>"
		"<report test='d:Code = \"XX\"' id='no-xx'>XX is not a code</report>"
		"</rule><rule context='d:Item[@n = 2]'><assert test='false()'>never: first rule wins</assert></rule>"
		"</pattern></schema>", &err);
	xmlDocPtr ok = parse("<R xmlns='urn:d'><Item n='1'><Code>A</Code></Item></R>");
	xmlDocPtr bad = parse("<R xmlns='urn:d'>\n<Item n='1'><Code>A</Code></Item>\n"
			      "<Item n='2'/>\n<Item n='3'><Code>XX</Code></Item></R>");
	int seen = 0;

	ck_assert_msg(r != NULL, "%s", err.msg);
	ck_assert_int_eq(swn_rules_check(r, ok, "ok", NULL, NULL, &err), 0);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_rules_check(r, bad, "bad", count_report, &seen, &err), -1);
	ck_assert_int_eq(seen, 2);
	ck_assert_int_eq(err.code, SWN_E_SCHEMA);
	ck_assert_str_eq(err.file, "bad");
	ck_assert_int_eq(err.line, 3);
	HAS(err.msg, "element 'Item': /R[1]/Item[2]: item 2 needs a Code (rules r.sch)");
	xmlFreeDoc(ok);
	xmlFreeDoc(bad);
	swn_rules_free(r);
}
END_TEST

START_TEST(rules_refuse_what_they_cannot_check)
{
	struct swn_err err;

	ck_assert_ptr_null(compile(SCH_HEAD "<phase id='x'/><pattern><rule context='d:R'>"
				   "<assert test='1'>x</assert></rule></pattern></schema>", &err));
	ck_assert_int_eq(err.code, SWN_E_CONFIG);
	HAS(err.msg, "sch:phase is not supported");
	ck_assert_ptr_null(compile("<schema xmlns='http://purl.oclc.org/dsdl/schematron' queryBinding='xslt2'/>",
				   &err));
	HAS(err.msg, "xslt2 is not supported");
	ck_assert_ptr_null(compile(SCH_HEAD "<pattern><rule context='d:R/text()'><assert test='1'>x</assert>"
				   "</rule></pattern></schema>", &err));
	HAS(err.msg, "root, elements and attributes only");
	ck_assert_ptr_null(compile("<notschematron/>", &err));
	HAS(err.msg, "not an ISO Schematron schema");
	ck_assert_ptr_null(compile(SCH_HEAD "<pattern><rule context='d:R'><assert test='(('>x</assert>"
				   "</rule></pattern></schema>", &err));
	ck_assert_int_eq(err.code, SWN_E_CONFIG);
}
END_TEST

START_TEST(rules_cannot_read_files)
{
	struct swn_err err;
	struct swn_rules *r = compile(SCH_HEAD "<pattern><rule context='d:R'>"
				      "<assert test=\"count(document('/etc/passwd')) = 0\">read</assert>"
				      "</rule></pattern></schema>", &err);
	xmlDocPtr d = parse("<R xmlns='urn:d'/>");

	ck_assert_msg(r != NULL, "%s", err.msg);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_rules_check(r, d, "d", NULL, NULL, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_MAP);
	xmlFreeDoc(d);
	swn_rules_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loss");
	TCase *tc = tcase_create("core");
	int rc;

	if (getenv("SWNODE_SCHEMAS") == NULL) {
		fprintf(stderr, "SWNODE_SCHEMAS must be set\n");
		return 77;
	}
	snprintf(dir, sizeof dir, "/tmp/swn-loss-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	swn_xml_init();
	tcase_add_test(tc, nothing_lost_when_everything_comes_back);
	tcase_add_test(tc, an_element_left_out_is_reported_with_path_and_value);
	tcase_add_test(tc, repeated_values_count_and_carry_positions);
	tcase_add_test(tc, a_changed_value_or_namespace_is_lost);
	tcase_add_test(tc, values_are_escaped_in_the_report);
	tcase_add_test(tc, a_large_loss_is_counted_and_listed_up_to_the_cap);
	tcase_add_test(tc, rules_name_path_line_and_message);
	tcase_add_test(tc, rules_refuse_what_they_cannot_check);
	tcase_add_test(tc, rules_cannot_read_files);
	suite_add_tcase(s, tc);
	rc = swn_test_run(s);
	{
		char path[200];

		snprintf(path, sizeof path, "%s/r.sch", dir);
		unlink(path);
		rmdir(dir);
	}
	xsltCleanupGlobals();
	swn_xml_cleanup();
	return rc;
}

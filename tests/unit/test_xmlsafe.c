/* Unit tests: the safe parser for untrusted XML (xmlsafe.h). */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "base/swn_limits.h"
#include "xml/xmlsafe.h"
#include "testlib.h"

static xmlDocPtr parse(const char *s, struct swn_err *err)
{
	swn_err_clear(err);
	return swn_xml_parse(s, strlen(s), "t.xml", err);
}

START_TEST(parses_plain_xml)
{
	struct swn_err err;
	xmlDocPtr d = parse("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<a xmlns=\"urn:x\"><b>中文</b></a>", &err);

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(err.code, SWN_OK);
	ck_assert_str_eq((const char *)xmlDocGetRootElement(d)->name, "a");
	xmlFreeDoc(d);
}
END_TEST

START_TEST(empty_and_not_xml)
{
	struct swn_err err;

	ck_assert_ptr_null(parse("", &err));
	ck_assert_int_eq(err.code, SWN_E_EMPTY);
	ck_assert_ptr_null(parse(" \n\t ", &err));
	ck_assert_int_eq(err.code, SWN_E_EMPTY);
	ck_assert_ptr_null(parse("hello <a/>", &err));
	ck_assert_int_eq(err.code, SWN_E_NOT_XML);
	ck_assert_ptr_null(parse("{\"json\": true}", &err));
	ck_assert_int_eq(err.code, SWN_E_NOT_XML);
}
END_TEST

START_TEST(malformed_has_line)
{
	struct swn_err err;

	ck_assert_ptr_null(parse("<a>\n<b>\n\n</a>", &err));
	ck_assert_int_eq(err.code, SWN_E_PARSE);
	ck_assert_int_eq(err.line, 4);
	ck_assert_str_eq(err.file, "t.xml");
	ck_assert_ptr_nonnull(strstr(err.msg, "malformed XML"));
	ck_assert_ptr_null(parse("<a><b></a>", &err));
	ck_assert_ptr_null(parse("<p:a/>", &err));   /* undeclared prefix */
	ck_assert_int_eq(err.code, SWN_E_PARSE);
	ck_assert_ptr_null(parse("<a/><b/>", &err)); /* two roots */
}
END_TEST

START_TEST(doctype_refused_before_entities)
{
	struct swn_err err;
	const char *xxe = "<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<a>&x;</a>";
	const char *param = "<!DOCTYPE a [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/x\"> %p;]><a/>";
	const char *ext = "<!DOCTYPE a SYSTEM \"http://127.0.0.1:1/a.dtd\"><a/>";

	ck_assert_ptr_null(parse(xxe, &err));
	ck_assert_int_eq(err.code, SWN_E_FORBIDDEN);
	ck_assert_int_eq(err.line, 2);
	ck_assert_ptr_null(parse(param, &err));
	ck_assert_int_eq(err.code, SWN_E_FORBIDDEN);
	ck_assert_ptr_null(parse(ext, &err));
	ck_assert_int_eq(err.code, SWN_E_FORBIDDEN);
}
END_TEST

START_TEST(depth_limit)
{
	struct swn_err err;
	char buf[8 * (SWN_MAX_XML_DEPTH + 2)];
	size_t n = 0;
	int i, depth;
	xmlDocPtr d;

	for (depth = SWN_MAX_XML_DEPTH; depth <= SWN_MAX_XML_DEPTH + 1; depth++) {
		n = 0;
		for (i = 0; i < depth; i++)
			n += (size_t)sprintf(buf + n, "<d>");
		for (i = 0; i < depth; i++)
			n += (size_t)sprintf(buf + n, "</d>");
		buf[n] = '\0';
		d = parse(buf, &err);
		if (depth == SWN_MAX_XML_DEPTH) {
			ck_assert_ptr_nonnull(d);
			xmlFreeDoc(d);
		} else {
			ck_assert_ptr_null(d);
			ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
		}
	}
}
END_TEST

/* Namespace declarations in scope: the limit, whether they sit on one
 * element or on a chain of ancestors; redeclaring one prefix on sibling
 * branches does not add up. */
START_TEST(namespace_limit)
{
	static char buf[64 * (SWN_MAX_XML_NAMESPACES + 8)];
	struct swn_err err;
	size_t n;
	int i, count;
	xmlDocPtr d;

	for (count = SWN_MAX_XML_NAMESPACES; count <= SWN_MAX_XML_NAMESPACES + 1; count++) {
		/* a chain: one declaration per level */
		n = 0;
		for (i = 0; i < count; i++)
			n += (size_t)sprintf(buf + n, "<p%d:e xmlns:p%d=\"urn:n\">", i, i);
		for (i = count - 1; i >= 0; i--)
			n += (size_t)sprintf(buf + n, "</p%d:e>", i);
		buf[n] = '\0';
		d = parse(buf, &err);
		if (count == SWN_MAX_XML_NAMESPACES) {
			ck_assert_msg(d != NULL, "%s", err.msg);
			xmlFreeDoc(d);
		} else {
			ck_assert_ptr_null(d);
			ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
			ck_assert_msg(strstr(err.msg, "namespace declarations in scope") != NULL, "%s", err.msg);
		}
		/* all on one element */
		n = (size_t)sprintf(buf, "<r");
		for (i = 0; i < count; i++)
			n += (size_t)sprintf(buf + n, " xmlns:q%d=\"urn:n%d\"", i, i);
		n += (size_t)sprintf(buf + n, "/>");
		d = parse(buf, &err);
		ck_assert_msg((d != NULL) == (count == SWN_MAX_XML_NAMESPACES), "%d on one element", count);
		xmlFreeDoc(d);
	}
	/* 40 sibling branches, each declaring the same prefix: 1 in scope */
	n = (size_t)sprintf(buf, "<r>");
	for (i = 0; i < 40; i++)
		n += (size_t)sprintf(buf + n, "<a:x xmlns:a=\"urn:a\"/>");
	n += (size_t)sprintf(buf + n, "</r>");
	d = parse(buf, &err);
	ck_assert_msg(d != NULL, "%s", err.msg);
	xmlFreeDoc(d);
}
END_TEST

/* One element with n attributes (one of them a namespace declaration),
 * after a prologue that is not counted. */
static xmlDocPtr with_attributes(int n, const char *prologue, struct swn_err *err)
{
	static char buf[64 * (SWN_MAX_XML_ATTRIBUTES + 2) + 256];
	size_t len;
	int i;

	len = (size_t)sprintf(buf, "%s<r xmlns:x=\"urn:x\"", prologue);
	for (i = 1; i < n; i++)
		len += (size_t)sprintf(buf + len, " x:a%d='v=%d>'", i, i);
	sprintf(buf + len, "/>");
	return parse(buf, err);
}

START_TEST(attribute_limit)
{
	struct swn_err err;
	xmlDocPtr d;

	d = with_attributes(SWN_MAX_XML_ATTRIBUTES, "", &err);
	ck_assert_ptr_nonnull(d);
	xmlFreeDoc(d);
	d = with_attributes(SWN_MAX_XML_ATTRIBUTES + 1, "", &err);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "attributes"));
	/* '=' in comments, processing instructions and CDATA is not an
	 * attribute, and a quote there opens no value. */
	d = with_attributes(SWN_MAX_XML_ATTRIBUTES,
			    "<?pi a=1 b=2 \"?><!-- ' = = = -->", &err);
	ck_assert_ptr_nonnull(d);
	xmlFreeDoc(d);
}
END_TEST

START_TEST(attribute_limit_sees_through_cdata)
{
	struct swn_err err;
	char buf[64 * (SWN_MAX_XML_ATTRIBUTES + 2)];
	size_t len;
	int i;

	/* A quote inside CDATA must not hide the attributes that follow. */
	len = (size_t)sprintf(buf, "<r><![CDATA[ \" ' ]]><e");
	for (i = 0; i <= SWN_MAX_XML_ATTRIBUTES; i++)
		len += (size_t)sprintf(buf + len, " a%d=\"\"", i);
	sprintf(buf + len, "/></r>");
	ck_assert_ptr_null(parse(buf, &err));
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
}
END_TEST

/* Constructs the parser gives up on and then goes on after: the start
 * tag behind them is still counted (the parser would still collect its
 * attributes, in quadratic time). */
START_TEST(attribute_limit_after_malformed_constructs)
{
	static const char *before[] = { "<r><! ", "<r></ ", "<r><? ", "<r><a x' >", "<r><!-- \x01 ",
					"<r><![CDATA[ ", "<r><a b=\"<" };
	static char buf[64 * (SWN_MAX_XML_ATTRIBUTES + 2) + 64];
	struct swn_err err;
	size_t k, len;
	int i;

	for (k = 0; k < sizeof before / sizeof before[0]; k++) {
		len = (size_t)sprintf(buf, "%s<b", before[k]);
		for (i = 0; i <= SWN_MAX_XML_ATTRIBUTES; i++)
			len += (size_t)sprintf(buf + len, " a%d=\"\"", i);
		sprintf(buf + len, "/></r>");
		ck_assert_msg(parse(buf, &err) == NULL && err.code == SWN_E_TOO_LARGE,
			      "not refused after '%s'", before[k]);
	}
}
END_TEST

/* Text, comments and attributes do not count as nesting. */
START_TEST(depth_counts_elements_only)
{
	struct swn_err err;
	char buf[16 * (SWN_MAX_XML_DEPTH + 2)];
	size_t n = 0;
	int i;
	xmlDocPtr d;

	for (i = 0; i < SWN_MAX_XML_DEPTH; i++)
		n += (size_t)sprintf(buf + n, "<d a='1'>");
	n += (size_t)sprintf(buf + n, "text<!-- c -->");
	for (i = 0; i < SWN_MAX_XML_DEPTH; i++)
		n += (size_t)sprintf(buf + n, "</d>");
	buf[n] = '\0';
	d = parse(buf, &err);
	ck_assert_msg(d != NULL, "%s", err.msg);
	xmlFreeDoc(d);
}
END_TEST

START_TEST(deep_documents_stop_at_the_limit)
{
	struct swn_err err;
	static char buf[8 * 1000 + 8];
	size_t n = 0;
	int i;

	for (i = 0; i < 1000; i++)
		n += (size_t)sprintf(buf + n, "<d>");
	ck_assert_ptr_null(parse(buf, &err));   /* never closed: stopped first */
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "nested deeper than"));
}
END_TEST

START_TEST(utf16_is_named)
{
	struct swn_err err;
	const char doc[] = "\xFF\xFE<\0a\0/\0>\0";

	swn_err_clear(&err);
	ck_assert_ptr_null(swn_xml_parse(doc, sizeof doc - 1, "u.xml", &err));
	ck_assert_int_eq(err.code, SWN_E_NOT_XML);
	ck_assert_ptr_nonnull(strstr(err.msg, "UTF-16 is not supported"));
}
END_TEST

START_TEST(sibling_walk_is_bounded_by_depth_not_width)
{
	struct swn_err err;
	static char buf[200000];
	size_t n = 0;
	int i;
	xmlDocPtr d;

	n += (size_t)sprintf(buf + n, "<r>");
	for (i = 0; i < 10000; i++)
		n += (size_t)sprintf(buf + n, "<a><b/></a>");
	n += (size_t)sprintf(buf + n, "</r><!-- trailing -->");
	d = parse(buf, &err);
	ck_assert_ptr_nonnull(d);
	xmlFreeDoc(d);
}
END_TEST

START_TEST(child_helpers)
{
	struct swn_err err;
	xmlDocPtr d = parse("<a xmlns=\"urn:x\"><b>1</b><c/><b>2</b><q:b xmlns:q=\"urn:q\">3</q:b></a>", &err);
	xmlNodePtr root = xmlDocGetRootElement(d), b;
	char *t;

	b = swn_xml_child(root, "b");
	ck_assert_ptr_nonnull(b);
	b = swn_xml_next(b, "b");
	ck_assert_ptr_nonnull(b);
	t = (char *)xmlNodeGetContent(b);
	ck_assert_str_eq(t, "2");
	xmlFree(t);
	ck_assert_ptr_null(swn_xml_next(b, "b"));   /* other namespace */
	t = swn_xml_child_text(root, "b");
	ck_assert_str_eq(t, "1");
	xmlFree(t);
	ck_assert_ptr_null(swn_xml_child(root, "zz"));
	xmlFreeDoc(d);
}
END_TEST

/* libxml2 stops at a NUL after the root without an error: whatever
 * followed would be carried, stored and signed nowhere.  Any NUL is
 * refused, with where it stands. */
START_TEST(nul_bytes_refused)
{
	static const struct { const char *data; size_t len; long line; } cases[] = {
		{ "<r>1</r>\0<r>999</r>", 20, 1 },
		{ "<r>1</r>\n\0", 10, 2 },
		{ "<r>\n1\0</r>", 10, 2 },
		{ "<r a='\0'/>", 11, 1 },
		{ "<r/>\0", 5, 1 },
	};
	struct swn_err err;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		swn_err_clear(&err);
		ck_assert_ptr_null(swn_xml_parse(cases[i].data, cases[i].len, "nul", &err));
		ck_assert_int_eq(err.code, SWN_E_PARSE);
		ck_assert_int_eq(err.line, cases[i].line);
		ck_assert_ptr_nonnull(strstr(err.msg, "a NUL byte at offset"));
	}
	/* the same without the NUL parses */
	{
		xmlDocPtr d = swn_xml_parse("<r>1</r>", 8, "plain", &err);

		ck_assert_ptr_nonnull(d);
		xmlFreeDoc(d);
	}
}
END_TEST

START_TEST(relative_namespace_uris_refused)
{
	const char *relative[][2] = {
		{ "<a xmlns:a=\"rel\"/>", "xmlns:a=\"rel\"" },
		{ "<a>\n<b xmlns=\"../up\"/></a>", "xmlns=\"../up\"" },
		{ "<a xmlns:x=\"urn:x\">\n\n<x:b xmlns:f=\"#frag\"/></a>", "xmlns:f=\"#frag\"" },
		{ "<a xmlns=\":x\"/>", "xmlns=\":x\"" },
		{ "<a xmlns=\"1x:y\"/>", "xmlns=\"1x:y\"" },
		{ "<a xmlns=\"a b:c\"/>", "xmlns=\"a b:c\"" },
	};
	const long line[] = { 1, 2, 3, 1, 1, 1 };
	const char *absolute[] = {
		"<a xmlns:a=\"urn:x\"/>",
		"<a xmlns=\"http://a/b\"><b xmlns=\"\"/></a>",
		"<a xmlns=\"urn:x\" xmlns:s=\"x-y+z.1:p\"/>",
		"<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"/>",
	};
	struct swn_err err;
	xmlDocPtr d;
	size_t i;

	for (i = 0; i < sizeof relative / sizeof relative[0]; i++) {
		ck_assert_msg(parse(relative[i][0], &err) == NULL, "accepted: %s", relative[i][0]);
		ck_assert_int_eq(err.code, SWN_E_FORBIDDEN);
		ck_assert_int_eq(err.line, line[i]);
		ck_assert_msg(strstr(err.msg, relative[i][1]) && strstr(err.msg, "has a relative URI"),
			      "%s", err.msg);
	}
	for (i = 0; i < sizeof absolute / sizeof absolute[0]; i++) {
		d = parse(absolute[i], &err);
		ck_assert_msg(d != NULL, "refused: %s: %s", absolute[i], err.msg);
		xmlFreeDoc(d);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xmlsafe");
	TCase *tc = tcase_create("core");
	int rc;

	swn_xml_init();
	tcase_add_test(tc, parses_plain_xml);
	tcase_add_test(tc, empty_and_not_xml);
	tcase_add_test(tc, malformed_has_line);
	tcase_add_test(tc, doctype_refused_before_entities);
	tcase_add_test(tc, depth_limit);
	tcase_add_test(tc, namespace_limit);
	tcase_add_test(tc, attribute_limit);
	tcase_add_test(tc, attribute_limit_sees_through_cdata);
	tcase_add_test(tc, attribute_limit_after_malformed_constructs);
	tcase_add_test(tc, depth_counts_elements_only);
	tcase_add_test(tc, deep_documents_stop_at_the_limit);
	tcase_add_test(tc, utf16_is_named);
	tcase_add_test(tc, sibling_walk_is_bounded_by_depth_not_width);
	tcase_add_test(tc, child_helpers);
	tcase_add_test(tc, relative_namespace_uris_refused);
	tcase_add_test(tc, nul_bytes_refused);
	suite_add_tcase(s, tc);
	rc = swn_test_run(s);
	swn_xml_cleanup();
	return rc;
}

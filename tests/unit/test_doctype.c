/* Unit tests: registry, detection, validation, mapping (doctype.h,
 * pipeline.h) against the shipped schemas and the sample documents. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxslt/xslt.h>

#include "doc/doctype.h"
#include "base/fsutil.h"
#include "doc/pipeline.h"
#include "base/swn_limits.h"
#include "xml/xmlsafe.h"
#include "testlib.h"

static struct swn_registry *reg;
static const char *data;

static xmlDocPtr load(const char *path)
{
	struct swn_err err;
	xmlDocPtr d;

	swn_err_clear(&err);
	d = swn_xml_read(path, SWN_MAX_DOCUMENT_BYTES, &err);
	ck_assert_msg(d != NULL, "%s: %s", path, err.msg);
	return d;
}

/* Exclusive canonical form after dropping ignorable whitespace. */
static char *canonical(const char *bytes, size_t len)
{
	xmlDocPtr d = xmlReadMemory(bytes, (int)len, NULL, NULL, XML_PARSE_NOBLANKS | XML_PARSE_NONET);
	xmlChar *out = NULL;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_ge(xmlC14NDocDumpMemory(d, NULL, XML_C14N_EXCLUSIVE_1_0, NULL, 0, &out), 0);
	xmlFreeDoc(d);
	return (char *)out;
}

START_TEST(registry_has_three_families)
{
	const struct swn_doctype *eco = swn_registry_find(reg, "eco");

	/* Three families; the certificate of origin in two international
	 * forms sharing one domestic form, the project's first. */
	ck_assert_uint_eq(swn_registry_count(reg), 4);
	ck_assert_ptr_nonnull(eco);
	ck_assert_ptr_eq(swn_registry_next_sharing(reg, eco), swn_registry_find(reg, "eco-cefact"));
	ck_assert_ptr_null(swn_registry_next_sharing(reg, swn_registry_find(reg, "eco-cefact")));
	ck_assert_ptr_null(swn_registry_next_sharing(reg, swn_registry_find(reg, "ephyto")));
	ck_assert_ptr_nonnull(swn_registry_find(reg, "ephyto"));
	ck_assert_ptr_nonnull(swn_registry_find(reg, "eco"));
	ck_assert_ptr_nonnull(swn_registry_find(reg, "customs-declaration"));
	ck_assert_ptr_null(swn_registry_find(reg, "invoice"));
	ck_assert_str_eq(swn_doctype_namespace(swn_registry_find(reg, "ephyto"), SWN_FORM_INTERNATIONAL),
			 "urn:un:unece:uncefact:data:standard:SPSCertificate:17");
	ck_assert_str_eq(swn_doctype_namespace(swn_registry_find(reg, "customs-declaration"),
					       SWN_FORM_INTERNATIONAL),
			 "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2");
}
END_TEST

static const char *const families[] = { "ephyto", "eco", "customs-declaration" };
static const char *const firsts[] = { "ephyto/01-minimal.xml", "eco/01-simple.xml",
				      "customs-declaration/01-minimal.xml" };

START_TEST(round_trip_in_process)
{
	char path[4096];
	struct swn_mapped there, back;
	struct swn_err err;
	xmlDocPtr d, i;
	char *orig, *raw, *again;
	size_t rawlen;

	snprintf(path, sizeof path, "%s/%s", data, firsts[_i]);
	swn_err_clear(&err);
	d = load(path);
	ck_assert_msg(swn_pipeline_map(reg, d, path, SWN_FORM_INTERNATIONAL, NULL, NULL,
				       &there, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(swn_doctype_id(there.type), families[_i]);
	ck_assert_int_eq(there.from, SWN_FORM_DOMESTIC);
	i = swn_xml_parse(there.out.data, there.out.len, "intl", &err);
	ck_assert_ptr_nonnull(i);
	ck_assert_msg(swn_pipeline_map(reg, i, "intl", SWN_FORM_DOMESTIC, NULL, NULL, &back,
				       &err) == 0, "%s", err.msg);
	ck_assert_int_eq(swn_file_read(path, SWN_MAX_DOCUMENT_BYTES, &raw, &rawlen, &err), 0);
	orig = canonical(raw, rawlen);
	again = canonical(back.out.data, back.out.len);
	ck_assert_str_eq(orig, again);
	free(raw);
	xmlFree(orig);
	xmlFree(again);
	swn_buf_free(&there.out);
	swn_buf_free(&back.out);
	xmlFreeDoc(i);
	xmlFreeDoc(d);
}
END_TEST

START_TEST(detects_and_explains)
{
	struct swn_err err;
	enum swn_form f;
	xmlDocPtr d;

	swn_err_clear(&err);
	d = swn_xml_parse("<CertificateOfOrigin xmlns=\"urn:wrong\"/>", 40, "w.xml", &err);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_null(swn_registry_detect(reg, d, "w.xml", &f, &err));
	ck_assert_int_eq(err.code, SWN_E_UNKNOWN_TYPE);
	ck_assert_ptr_nonnull(strstr(err.msg, "is in namespace 'urn:wrong'"));
	xmlFreeDoc(d);
	swn_err_clear(&err);
	d = swn_xml_parse("<Invoice/>", 10, "i.xml", &err);
	ck_assert_ptr_null(swn_registry_detect(reg, d, "i.xml", &f, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown document type"));
	xmlFreeDoc(d);
}
END_TEST

START_TEST(schema_errors_name_line_and_element)
{
	struct swn_err err;
	char path[4096];
	const struct swn_doctype *t;
	enum swn_form f;
	xmlDocPtr d;

	snprintf(path, sizeof path, "%s/bad/eco-invalid-country-code.xml", data);
	swn_err_clear(&err);
	d = load(path);
	ck_assert_int_eq(swn_pipeline_validate(reg, d, path, NULL, NULL, &t, &f, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_SCHEMA);
	ck_assert_int_gt(err.line, 1);
	ck_assert_str_eq(err.file, path);
	ck_assert_ptr_nonnull(strstr(err.msg, "element '"));
	xmlFreeDoc(d);
}
END_TEST

static void rmtree(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A scratch registry in dir with one doctype whose files are given. */
static void write_registry(const char *dir, const char *body)
{
	char path[4096], src[4096], *xsd;
	size_t len;
	struct swn_err err;
	FILE *fp;

	swn_err_clear(&err);
	snprintf(src, sizeof src, "%s/doctypes.xsd", swn_schema_dir());
	ck_assert_int_eq(swn_file_read(src, 1 << 20, &xsd, &len, &err), 0);
	snprintf(path, sizeof path, "%s/doctypes.xsd", dir);
	ck_assert_int_eq(swn_file_write(path, xsd, len, 0644, SWN_WRITE_REPLACE, &err), 0);
	free(xsd);
	snprintf(path, sizeof path, "%s/doctypes.xml", dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "<doctypes xmlns=\"urn:swnode:doctypes:1\">%s</doctypes>", body);
	fclose(fp);
}

static char *doctype_xml_i(const char *id, const char *root, const char *s, const char *to_intl,
			   const char *intl_root, const char *dom_xsd)
{
	static char buf[24000];

	snprintf(buf, sizeof buf,
		 "<doctype id=\"%s\"><title>t</title>"
		 "<domestic root=\"%s\" namespace=\"urn:d\" schema=\"%s/eco/%s\"/>"
		 "<international root=\"%s\" namespace=\"urn:i\" schema=\"%s/eco/international.xsd\"/>"
		 "<map to=\"international\" xslt=\"%s\"/>"
		 "<map to=\"domestic\" xslt=\"%s/eco/to-domestic.xsl\"/>"
		 "<as4 service=\"s\" action=\"a\"/></doctype>", id, root, s, dom_xsd, intl_root, s,
		 to_intl, s);
	return buf;
}

static char *doctype_xml(const char *id, const char *root, const char *s, const char *to_intl)
{
	return doctype_xml_i(id, root, s, to_intl, "I", "domestic.xsd");
}

START_TEST(registry_refuses_ambiguity_and_missing_files)
{
	char dir[] = "/tmp/swn-reg-XXXXXX", body[50000], map[4200];
	const char *s = swn_schema_dir();
	struct swn_registry *r = NULL;
	struct swn_err err;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(map, sizeof map, "%s/eco/to-international.xsl", s);
	snprintf(body, sizeof body, "%s", doctype_xml("one", "D", s, map));
	strncat(body, doctype_xml("two", "D", s, map), sizeof body - strlen(body) - 1);
	write_registry(dir, body);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_registry_load(dir, &r, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "both use root {urn:i}I"));

	/* One domestic form shared whole, two international forms: allowed,
	 * the first detected, the second reached from it. */
	snprintf(body, sizeof body, "%s", doctype_xml_i("one", "D", s, map, "I", "domestic.xsd"));
	strncat(body, doctype_xml_i("two", "D", s, map, "J", "domestic.xsd"), sizeof body - strlen(body) - 1);
	write_registry(dir, body);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_registry_load(dir, &r, &err), 0);
	ck_assert_str_eq(swn_doctype_id(swn_registry_next_sharing(r, swn_registry_find(r, "one"))), "two");
	swn_registry_free(r);
	r = NULL;

	/* Sharing a domestic root and namespace under another schema is not
	 * one form: refused. */
	snprintf(body, sizeof body, "%s", doctype_xml_i("one", "D", s, map, "I", "domestic.xsd"));
	strncat(body, doctype_xml_i("two", "D", s, map, "J", "international.xsd"), sizeof body - strlen(body) - 1);
	write_registry(dir, body);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_registry_load(dir, &r, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "both use root {urn:d}D"));

	write_registry(dir, doctype_xml("one", "D", s, "/nonexistent/map.xsl"));
	swn_err_clear(&err);
	ck_assert_int_eq(swn_registry_load(dir, &r, &err), -1);
	ck_assert_str_eq(err.file, "/nonexistent/map.xsl");
	ck_assert_ptr_nonnull(strstr(err.msg, "not found"));
	rmtree(dir);
}
END_TEST

/* A scratch registry whose eco to-international map has the given body. */
static struct swn_registry *registry_with_map(char *dir, const char *body_xsl)
{
	const char *s = swn_schema_dir();
	struct swn_registry *r = NULL;
	struct swn_err err;
	char xsl[4200], body[5000];
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(xsl, sizeof xsl, "%s/map.xsl", dir);
	fp = fopen(xsl, "w");
	fprintf(fp, "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">"
		    "<xsl:template match=\"/\">%s</xsl:template></xsl:stylesheet>", body_xsl);
	fclose(fp);
	snprintf(body, sizeof body,
		 "<doctype id=\"t\"><title>t</title>"
		 "<domestic root=\"CertificateOfOrigin\" namespace=\"urn:swnode:domestic:eco:1\" schema=\"%s/eco/domestic.xsd\"/>"
		 "<international root=\"I\" namespace=\"urn:i\" schema=\"%s/eco/international.xsd\"/>"
		 "<map to=\"international\" xslt=\"%s\"/>"
		 "<map to=\"domestic\" xslt=\"%s/eco/to-domestic.xsl\"/>"
		 "<as4 service=\"s\" action=\"a\"/></doctype>", s, s, xsl, s);
	write_registry(dir, body);
	swn_err_clear(&err);
	ck_assert_msg(swn_registry_load(dir, &r, &err) == 0, "%s", err.msg);
	return r;
}

/* Run the scratch map on a real eco sample; returns the pipeline's rc. */
static int run_map(struct swn_registry *r, struct swn_err *err)
{
	struct swn_mapped res;
	char path[4096];
	xmlDocPtr d;
	int rc;

	snprintf(path, sizeof path, "%s/eco/01-simple.xml", data);
	d = load(path);
	swn_err_clear(err);
	rc = swn_pipeline_map(r, d, path, SWN_FORM_INTERNATIONAL, NULL, NULL, &res, err);
	swn_buf_free(&res.out);
	xmlFreeDoc(d);
	return rc;
}

START_TEST(map_failures_say_why)
{
	char d1[] = "/tmp/swn-msg-XXXXXX", d2[] = "/tmp/swn-msg-XXXXXX";
	struct swn_registry *r;
	struct swn_err err;

	/* A plain xsl:message is not a failure: the output's schema decides. */
	r = registry_with_map(d1, "<xsl:message>just a note</xsl:message><I xmlns=\"urn:i\"/>");
	ck_assert_int_eq(run_map(r, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_MAP_OUTPUT);
	swn_registry_free(r);
	rmtree(d1);
	/* A terminating message stops the map, and its text is the reason. */
	r = registry_with_map(d2, "<xsl:message terminate=\"yes\">no consignee</xsl:message>");
	ck_assert_int_eq(run_map(r, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_MAP);
	ck_assert_msg(strstr(err.msg, "no consignee") != NULL, "%s", err.msg);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	swn_registry_free(r);
	rmtree(d2);
}
END_TEST

/* A map may read nothing but its input: document() is refused. */
START_TEST(maps_cannot_read_files)
{
	char dir[] = "/tmp/swn-sec-XXXXXX", xsl[4400];
	struct swn_registry *r;
	struct swn_err err;

	/* The registry file is XML and readable: without the sandbox the map
	 * would run, and fail only later, on the output's schema. */
	snprintf(xsl, sizeof xsl, "<I xmlns=\"urn:i\"><xsl:copy-of select=\"document('%s/doctypes.xml')\"/></I>",
		 swn_schema_dir());
	r = registry_with_map(dir, xsl);
	ck_assert_int_eq(run_map(r, &err), -1);
	ck_assert_msg(err.code == SWN_E_MAP, "%s: %s", swn_code_name(err.code), err.msg);
	swn_registry_free(r);
	rmtree(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("doctype");
	TCase *tc = tcase_create("core");
	struct swn_err err;
	int rc;

	data = getenv("TESTDATA");
	if (data == NULL || getenv("SWNODE_SCHEMAS") == NULL) {
		fprintf(stderr, "TESTDATA and SWNODE_SCHEMAS must be set\n");
		return 77;
	}
	swn_xml_init();
	swn_err_clear(&err);
	if (swn_registry_load(swn_schema_dir(), &reg, &err) < 0) {
		swn_err_print(&err, stderr);
		return 1;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, registry_has_three_families);
	tcase_add_loop_test(tc, round_trip_in_process, 0, 3);
	tcase_add_test(tc, detects_and_explains);
	tcase_add_test(tc, schema_errors_name_line_and_element);
	tcase_add_test(tc, registry_refuses_ambiguity_and_missing_files);
	tcase_add_test(tc, maps_cannot_read_files);
	tcase_add_test(tc, map_failures_say_why);
	suite_add_tcase(s, tc);
	rc = swn_test_run(s);
	swn_registry_free(reg);
	xsltCleanupGlobals();
	swn_xml_cleanup();
	return rc;
}

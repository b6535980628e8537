/* Unit tests: dsig's canonicalisation of a subtree walks that subtree
 * alone, and gives exactly what libxml2 gives for the same document
 * subset when it walks the whole document (the reference: a visibility
 * callback over the whole document).  Over the seed messages and over
 * documents built to exercise namespaces: defaults and their undoing,
 * prefixes declared far above, redeclared, listed in a PrefixList but not
 * used, xml: attributes on ancestors, comments, processing instructions,
 * CDATA and character references. */
#include "autoconfig.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "as4/dsig.h"
#include "xml/xmlsafe.h"
#include "testlib.h"

static int in_subtree(void *target, xmlNodePtr node, xmlNodePtr parent)
{
	xmlNodePtr n = (node == NULL || node->type == XML_NAMESPACE_DECL) ? parent : node;

	for (; n; n = n->parent)
		if (n == (xmlNodePtr)target)
			return 1;
	return 0;
}

/* The reference: SHA-256 of libxml2's exclusive C14N of the subset. */
static void reference_digest(xmlDocPtr doc, xmlNodePtr el, xmlChar **prefixes, unsigned char md[32])
{
	xmlOutputBufferPtr buf = xmlAllocOutputBuffer(NULL);

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_ge(xmlC14NExecute(doc, in_subtree, el, XML_C14N_EXCLUSIVE_1_0, prefixes, 0, buf), 0);
	EVP_Digest(xmlOutputBufferGetContent(buf), xmlOutputBufferGetSize(buf), md, NULL, EVP_sha256(),
		   NULL);
	xmlOutputBufferClose(buf);
}

static int compared;

/* Every element of doc, with each prefix list, both ways alike; and the
 * document as it was afterwards. */
static void compare_all(xmlDocPtr doc, const char *what)
{
	static xmlChar *lists[][4] = {
		{ NULL },
		{ BAD_CAST "#default", NULL },
		{ BAD_CAST "a", BAD_CAST "b", NULL },
		{ BAD_CAST "env", BAD_CAST "eb", BAD_CAST "#default", NULL },
		{ BAD_CAST "unbound", NULL },
	};
	xmlNodePtr root = xmlDocGetRootElement(doc), n = root;
	xmlNodePtr first = doc->children, last = doc->last;
	unsigned char want[32], got[32];
	size_t l;

	while (n) {
		if (n->type == XML_ELEMENT_NODE) {
			xmlNodePtr prev = n->prev, next = n->next;

			for (l = 0; l < sizeof lists / sizeof lists[0]; l++) {
				xmlChar **p = lists[l][0] ? lists[l] : NULL;

				reference_digest(doc, n, p, want);
				ck_assert_int_eq(swn_dsig_digest(doc, n, p, got), 0);
				ck_assert_msg(memcmp(want, got, 32) == 0, "%s: <%s> (prefix list %zu) differs",
					      what, (const char *)n->name, l);
				compared++;
			}
			ck_assert_ptr_eq(n->prev, prev);
			ck_assert_ptr_eq(n->next, next);
		}
		if (n->children && n->type == XML_ELEMENT_NODE) {
			n = n->children;
			continue;
		}
		while (n && !n->next)
			n = n->parent == (xmlNodePtr)doc ? NULL : n->parent;
		if (n)
			n = n->next;
	}
	ck_assert_ptr_eq(doc->children, first);
	ck_assert_ptr_eq(doc->last, last);
	ck_assert_ptr_eq(xmlDocGetRootElement(doc), root);
}

START_TEST(seed_messages)
{
	const char *top = getenv("TOP_SRCDIR");
	char dir[900];
	DIR *d;
	struct dirent *e;
	int files = 0;

	ck_assert_msg(top != NULL, "TOP_SRCDIR must point at the source tree");
	snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/as4", top);
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		char path[1200];
		struct swn_err err;
		xmlDocPtr doc;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		swn_err_clear(&err);
		doc = swn_xml_read(path, 1 << 24, &err);
		ck_assert_msg(doc != NULL, "%s: %s", path, err.msg);
		compare_all(doc, e->d_name);
		xmlFreeDoc(doc);
		files++;
	}
	closedir(d);
	ck_assert_int_ge(files, 5);
}
END_TEST

/* Each entry in parentheses: its lines are one string (clang warns of a
 * missing comma otherwise). */
static const char *const crafted[] = {
	/* defaults, undone and done again; a prefix declared far above */
	("<?xml version=\"1.0\"?><!-- before --><?pi before?>"
	"<r xmlns=\"urn:d\" xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" xml:lang=\"en\">"
	"<x><y xmlns=\"\"><z a:q=\"1\"/></y><w xmlns=\"urn:e\"/></x>"
	"<a:p xmlns:a=\"urn:a2\"><a:q b:r=\"2\"/></a:p></r><!-- after --><?pi after?>"),
	/* comments, PIs, CDATA, character references, white space */
	("<env:E xmlns:env=\"urn:env\" xmlns:eb=\"urn:eb\"><env:H>\n  <eb:M id=\"m\"><!-- c -->"
	"<?p d?><eb:T><![CDATA[<x>&]]> &#x1F600; &amp; &#9;</eb:T>\n</eb:M></env:H>"
	"<env:B><d:D xmlns:d=\"urn:doc\" xmlns:unused=\"urn:u\" attr=\"a&#10;b\"/></env:B></env:E>"),
	/* attributes in namespaces declared only on ancestors, and xml:space */
	("<r xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" xml:space=\"preserve\"><s a:x=\"1\" b:y=\"2\">"
	"<t xmlns:a=\"urn:a\"><u a:z=\"3\"/></t></s></r>"),
};

START_TEST(crafted_namespaces)
{
	size_t i;

	for (i = 0; i < sizeof crafted / sizeof crafted[0]; i++) {
		struct swn_err err;
		char what[32];
		xmlDocPtr doc;

		swn_err_clear(&err);
		doc = swn_xml_parse(crafted[i], strlen(crafted[i]), "crafted", &err);
		ck_assert_msg(doc != NULL, "crafted %zu: %s", i, err.msg);
		snprintf(what, sizeof what, "crafted %zu", i);
		compare_all(doc, what);
		xmlFreeDoc(doc);
	}
	ck_assert_int_gt(compared, 50);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dsig");
	TCase *tc = tcase_create("core");
	int rc;

	swn_xml_init();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, seed_messages);
	tcase_add_test(tc, crafted_namespaces);
	suite_add_tcase(s, tc);
	rc = swn_test_run(s);
	swn_xml_cleanup();
	return rc;
}

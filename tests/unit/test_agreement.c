/* Unit tests: agreement ids and party ids (the C rule and the schemas'
 * pattern agree), drafts and their checks; certificate usability at a
 * given time (agreement.h, bundle.h, config.h). */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxslt/xslt.h>

#include "trust/agreement.h"
#include "trust/bundle.h"
#include "base/fsutil.h"
#include "trust/pki.h"
#include "xml/schema.h"
#include "xml/xmlsafe.h"
#include "testlib.h"

START_TEST(agreement_ids)
{
	ck_assert(swn_agreement_id_ok("CN-SG-2026"));
	ck_assert(swn_agreement_id_ok("a.b_c-1"));
	ck_assert(!swn_agreement_id_ok(""));
	ck_assert(!swn_agreement_id_ok("../x"));
	ck_assert(!swn_agreement_id_ok(".hidden"));
	ck_assert(!swn_agreement_id_ok("a/b"));
	ck_assert(!swn_agreement_id_ok("a b"));
	ck_assert(!swn_agreement_id_ok("-opt"));
	ck_assert(!swn_agreement_id_ok("0123456789012345678901234567890123456789012345678901234567890123456789"));
}
END_TEST

/* Party ids a node meets, and ones that would break files, the ledger's
 * verifier key or a log line. */
static const char *const good_party_ids[] = {
	"CN-SW", "SG-NTP", "domibus-blue", "a", "0088:5798000000001", "gw_1.example",
	"urn:oasis:names:tc:ebcore:partyid-type:unregistered:C1",
	"urn:oasis:names:tc:ebcore:partyid-type:iso6523:0088:5798000000001",
};
static const char *const bad_party_ids[] = {
	"", "CN+SW", "a/b", "../x", "a b", " a", "a\tb", "a\nb", "a\\b", "a\"b", "a'b", "a<b",
	"-x", ".x", "_x", ":x", "a@b", "Z\xc3\xbcrich", "a\x7f",
};

START_TEST(party_ids)
{
	char longest[SWN_MAX_PARTY_ID_LEN + 2];
	size_t i;

	for (i = 0; i < sizeof good_party_ids / sizeof good_party_ids[0]; i++)
		ck_assert_msg(swn_party_id_ok(good_party_ids[i]), "'%s' refused", good_party_ids[i]);
	for (i = 0; i < sizeof bad_party_ids / sizeof bad_party_ids[0]; i++)
		ck_assert_msg(!swn_party_id_ok(bad_party_ids[i]), "'%s' accepted", bad_party_ids[i]);
	memset(longest, 'p', sizeof longest);
	longest[SWN_MAX_PARTY_ID_LEN] = '\0';
	ck_assert(swn_party_id_ok(longest));
	longest[SWN_MAX_PARTY_ID_LEN] = 'p';
	longest[SWN_MAX_PARTY_ID_LEN + 1] = '\0';
	ck_assert(!swn_party_id_ok(longest));
}
END_TEST

/* A schema of one element <p> of the type PartyId that xsd (in the
 * schemas directory) defines, in namespace ns ("" for none). */
static xmlSchemaPtr party_id_schema(const char *dir, const char *xsd, const char *ns)
{
	char path[4096], text[8192];
	struct swn_err err;
	xmlSchemaPtr s;
	FILE *f;

	snprintf(path, sizeof path, "%s/p-%s", dir, xsd);
	snprintf(text, sizeof text,
		 "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"%s%s%s%s%s>"
		 "<xs:include schemaLocation=\"%s/%s\"/><xs:element name=\"p\" type=\"PartyId\"/>"
		 "</xs:schema>",
		 ns[0] ? " targetNamespace=\"" : "", ns, ns[0] ? "\" xmlns=\"" : "", ns, ns[0] ? "\"" : "",
		 swn_schema_dir(), xsd);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	swn_err_clear(&err);
	s = swn_schema_compile(path, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	return s;
}

static int schema_accepts(xmlSchemaPtr s, const char *ns, const char *id)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr p = xmlNewDocNode(doc, NULL, BAD_CAST "p", NULL);
	struct swn_err err;
	int ok;

	xmlDocSetRootElement(doc, p);
	if (ns[0])
		xmlSetNs(p, xmlNewNs(p, BAD_CAST ns, NULL));
	xmlNodeAddContent(p, BAD_CAST id);
	swn_err_clear(&err);
	ok = swn_schema_validate(s, doc, "p", NULL, NULL, NULL, &err) == 0;
	xmlFreeDoc(doc);
	return ok;
}

/* The schemas' PartyId (node.xml; bundles and agreements) and the C rule
 * are one rule. */
START_TEST(party_id_schemas_agree_with_the_rule)
{
	static const struct { const char *xsd, *ns; } types[] = {
		{ "node.xsd", SWN_NODE_NS }, { "common-cert.xsd", "" },
	};
	char dir[] = "/tmp/swn-pid-XXXXXX", longest[SWN_MAX_PARTY_ID_LEN + 2], cmd[100];
	size_t i, t;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(longest, 'p', sizeof longest);
	longest[SWN_MAX_PARTY_ID_LEN + 1] = '\0';
	for (t = 0; t < 2; t++) {
		xmlSchemaPtr s = party_id_schema(dir, types[t].xsd, types[t].ns);

		for (i = 0; i < sizeof good_party_ids / sizeof good_party_ids[0]; i++)
			ck_assert_msg(schema_accepts(s, types[t].ns, good_party_ids[i]),
				      "%s refuses '%s'", types[t].xsd, good_party_ids[i]);
		for (i = 0; i < sizeof bad_party_ids / sizeof bad_party_ids[0]; i++)
			ck_assert_msg(!schema_accepts(s, types[t].ns, bad_party_ids[i]),
				      "%s accepts '%s'", types[t].xsd, bad_party_ids[i]);
		ck_assert(!schema_accepts(s, types[t].ns, longest));
		longest[SWN_MAX_PARTY_ID_LEN] = '\0';
		ck_assert(schema_accepts(s, types[t].ns, longest));
		longest[SWN_MAX_PARTY_ID_LEN] = 'p';
		xmlSchemaFree(s);
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static X509 *make_cert(const char *party, const char *usage, enum swn_key_kind k,
		       int days, EVP_PKEY **keyout)
{
	struct swn_subject s = { party, usage, NULL, NULL, "localhost", days };
	struct swn_err err;
	EVP_PKEY *key;
	X509 *c;

	swn_err_clear(&err);
	key = swn_key_generate(k, &err);
	ck_assert_ptr_nonnull(key);
	c = swn_cert_self_signed(key, &s, &err);
	ck_assert_ptr_nonnull(c);
	if (keyout)
		*keyout = key;
	else
		EVP_PKEY_free(key);
	return c;
}

START_TEST(certificate_usable_only_inside_validity)
{
	X509 *c = make_cert("P", "signing", SWN_KEY_EC_P256, 10, NULL);
	struct swn_err err;
	time_t nb, na;

	swn_cert_validity(c, &nb, &na);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_bundle_check_cert(c, "signing", nb + 1, "f", 3, &err), 0);
	ck_assert_int_eq(swn_bundle_check_cert(c, "signing", na + 1, "f", 3, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "expired on"));
	ck_assert_int_eq(err.line, 3);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_bundle_check_cert(c, "signing", nb - 1, "f", 3, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not valid before"));
	X509_free(c);
}
END_TEST

static int problems;
static char last[2048];

static void count(void *ctx, const struct swn_err *e)
{
	problems++;
	snprintf(last, sizeof last, "%s:%ld: %s", e->file, e->line, e->msg);
}

START_TEST(draft_is_sound_until_the_peer_certificate_expires)
{
	char dir[] = "/tmp/swn-agr-XXXXXX", path[4096], cmd[4200];
	struct swn_registry *reg = NULL;
	struct swn_config cfg;
	struct swn_bundle b;
	struct swn_err err;
	time_t nb, na, now = time(NULL);
	X509 *ours;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	swn_err_clear(&err);
	ck_assert_int_eq(swn_registry_load(swn_schema_dir(), &reg, &err), 0);
	swn_config_defaults(&cfg, dir);
	snprintf(cfg.party_id, sizeof cfg.party_id, "CN-SW");
	ck_assert_int_eq(swn_mkdir(cfg.peers_dir, 0750, &err), 0);
	snprintf(path, sizeof path, "%s/certs", dir);
	ck_assert_int_eq(swn_mkdir(path, 0750, &err), 0);
	ours = make_cert("CN-SW", "signing", SWN_KEY_RSA_2048, 30, NULL);
	ck_assert_int_eq(swn_cert_write(cfg.signing_cert, ours, &err), 0);
	X509_free(ours);

	memset(&b, 0, sizeof b);
	snprintf(b.party_id, sizeof b.party_id, "SG-NTP");
	snprintf(b.party_type, sizeof b.party_type, "%s", SWN_DEFAULT_PARTY_TYPE);
	snprintf(b.endpoint, sizeof b.endpoint, "https://sg.example:8443/as4");
	b.signing = make_cert("SG-NTP", "signing", SWN_KEY_EC_P256, 20, NULL);
	b.tls = make_cert("SG-NTP", "tls", SWN_KEY_EC_P256, 20, NULL);

	ck_assert_int_eq(swn_agreement_write_draft(&cfg, reg, &b, "bad/id", now, path,
						   sizeof path, &err), -1);
	swn_err_clear(&err);
	ck_assert_msg(swn_agreement_write_draft(&cfg, reg, &b, "CN-SG", now, path,
						sizeof path, &err) == 0, "%s", err.msg);
	problems = 0;
	ck_assert_msg(swn_agreement_check(path, reg, &cfg, now, count, NULL) == 0, "%s", last);
	swn_cert_validity(b.signing, &nb, &na);
	/* The day after the peer's certificates expire, both pins are bad. */
	ck_assert_int_eq(swn_agreement_check(path, reg, &cfg, na + 86400, count, NULL), 2);
	ck_assert_ptr_nonnull(strstr(last, "expired"));
	/* Another node (other party id) finds the local party wrong. */
	snprintf(cfg.party_id, sizeof cfg.party_id, "XX");
	problems = 0;
	ck_assert_int_eq(swn_agreement_check(path, reg, &cfg, now, count, NULL), 1);
	ck_assert_ptr_nonnull(strstr(last, "local partyId"));
	/* A draft never replaces an agreement. */
	swn_err_clear(&err);
	snprintf(cfg.party_id, sizeof cfg.party_id, "CN-SW");
	ck_assert_int_eq(swn_agreement_write_draft(&cfg, reg, &b, "CN-SG", now, path,
						   sizeof path, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_EXISTS);

	swn_bundle_free(&b);
	swn_registry_free(reg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("agreement");
	TCase *tc = tcase_create("core");
	int rc;

	if (getenv("SWNODE_SCHEMAS") == NULL) {
		fprintf(stderr, "SWNODE_SCHEMAS must be set\n");
		return 77;
	}
	swn_xml_init();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, agreement_ids);
	tcase_add_test(tc, party_ids);
	tcase_add_test(tc, party_id_schemas_agree_with_the_rule);
	tcase_add_test(tc, certificate_usable_only_inside_validity);
	tcase_add_test(tc, draft_is_sound_until_the_peer_certificate_expires);
	suite_add_tcase(s, tc);
	rc = swn_test_run(s);
	xsltCleanupGlobals();
	swn_xml_cleanup();
	return rc;
}

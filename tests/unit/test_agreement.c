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
	struct swn_subject s = { party, usage, NULL, NULL, "localhost", days, NULL, NULL };
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
static char last[2048], all[16384];

static void count(void *ctx, const struct swn_err *e)
{
	problems++;
	snprintf(last, sizeof last, "%s:%ld: %s", e->file, e->line, e->msg);
	if (strlen(all) + strlen(last) + 2 < sizeof all) {
		strcat(all, last);
		strcat(all, "\n");
	}
}

/* A node CN-SW (RSA signing certificate) in dir, a registry, and the
 * bundle of peer SG-NTP (EC P-256), as peer import would have them. */
static void node_and_peer(char *dir, struct swn_registry **reg, struct swn_config *cfg,
			  struct swn_bundle *b)
{
	char path[4096];
	struct swn_err err;
	X509 *ours;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	swn_err_clear(&err);
	ck_assert_int_eq(swn_registry_load(swn_schema_dir(), reg, &err), 0);
	swn_config_defaults(cfg, dir);
	snprintf(cfg->party_id, sizeof cfg->party_id, "CN-SW");
	ck_assert_int_eq(swn_mkdir(cfg->peers_dir, 0750, &err), 0);
	snprintf(path, sizeof path, "%s/certs", dir);
	ck_assert_int_eq(swn_mkdir(path, 0750, &err), 0);
	ours = make_cert("CN-SW", "signing", SWN_KEY_RSA_2048, 30, NULL);
	ck_assert_int_eq(swn_cert_write(cfg->signing_cert, ours, &err), 0);
	X509_free(ours);
	memset(b, 0, sizeof *b);
	snprintf(b->party_id, sizeof b->party_id, "SG-NTP");
	snprintf(b->party_type, sizeof b->party_type, "%s", SWN_DEFAULT_PARTY_TYPE);
	snprintf(b->endpoint, sizeof b->endpoint, "https://sg.example:8443/as4");
	b->signing = make_cert("SG-NTP", "signing", SWN_KEY_EC_P256, 20, NULL);
	b->tls = make_cert("SG-NTP", "tls", SWN_KEY_EC_P256, 20, NULL);
}

static const struct swn_profile_def *body(void)
{
	return swn_profile_get(SWN_PROFILE_BODY);
}

START_TEST(draft_is_sound_until_the_peer_certificate_expires)
{
	char dir[] = "/tmp/swn-agr-XXXXXX", path[4096], cmd[4200];
	struct swn_registry *reg = NULL;
	struct swn_config cfg;
	struct swn_bundle b;
	struct swn_err err;
	time_t nb, na, now = time(NULL);

	node_and_peer(dir, &reg, &cfg, &b);
	swn_err_clear(&err);

	ck_assert_int_eq(swn_agreement_write_draft(&cfg, reg, &b, "bad/id", body(), now, path,
						   sizeof path, &err), -1);
	swn_err_clear(&err);
	ck_assert_msg(swn_agreement_write_draft(&cfg, reg, &b, "CN-SG", body(), now, path,
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
	ck_assert_int_eq(swn_agreement_write_draft(&cfg, reg, &b, "CN-SG", body(), now, path,
						   sizeof path, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_EXISTS);

	swn_bundle_free(&b);
	swn_registry_free(reg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A profile's signing certificate and an encryption certificate issued
 * by it (an X25519 key cannot sign its own). */
static void profile_certs(const char *party, const struct swn_profile_def *p, X509 **sign,
			  X509 **enc, EVP_PKEY **sign_key, EVP_PKEY **enc_key)
{
	struct swn_subject s = { party, "signing", NULL, NULL, NULL, 20, p->name, NULL };
	struct swn_err err;
	EVP_PKEY *sk, *ek;

	swn_err_clear(&err);
	ck_assert_ptr_nonnull(sk = swn_key_generate(p->sign_key, &err));
	ck_assert_ptr_nonnull(*sign = swn_cert_self_signed(sk, &s, &err));
	s.usage = "encryption";
	ck_assert_ptr_nonnull(ek = swn_key_generate(p->enc_key, &err));
	ck_assert_msg((*enc = swn_cert_issued(ek, sk, *sign, &s, &err)) != NULL, "%s", err.msg);
	if (sign_key)
		*sign_key = sk;
	else
		EVP_PKEY_free(sk);
	if (enc_key)
		*enc_key = ek;
	else
		EVP_PKEY_free(ek);
}

/* Replace the first from in file path by to; 1 if it was there. */
static int edit(const char *path, const char *from, const char *to)
{
	char *data, *at, *out;
	size_t len;
	struct swn_err err;
	int ok;

	swn_err_clear(&err);
	ck_assert_int_eq(swn_file_read(path, 1 << 20, &data, &len, &err), 0);
	if (!(at = strstr(data, from))) {
		free(data);
		return 0;
	}
	ck_assert_ptr_nonnull(out = malloc(len + strlen(to) + 1));
	memcpy(out, data, (size_t)(at - data));
	strcpy(out + (at - data), to);
	strcat(out, at + strlen(from));
	ok = swn_file_write(path, out, strlen(out), 0644, SWN_WRITE_REPLACE, &err) == 0;
	free(out);
	free(data);
	return ok;
}

/* Remove from the first from up to and including the first to after it. */
static int cut(const char *path, const char *from, const char *to)
{
	char *data, *a, *b;
	size_t len;
	struct swn_err err;
	int ok;

	swn_err_clear(&err);
	ck_assert_int_eq(swn_file_read(path, 1 << 20, &data, &len, &err), 0);
	if (!(a = strstr(data, from)) || !(b = strstr(a, to))) {
		free(data);
		return 0;
	}
	memmove(a, b + strlen(to), strlen(b + strlen(to)) + 1);
	ok = swn_file_write(path, data, strlen(data), 0644, SWN_WRITE_REPLACE, &err) == 0;
	free(data);
	return ok;
}

START_TEST(edelivery_profiles_in_drafts_and_checks)
{
	char dir[] = "/tmp/swn-agr-XXXXXX", path[4096], path2[4096], cmd[4200];
	const struct swn_profile_def *p2 = swn_profile_find("edelivery-2.0");
	const struct swn_profile_def *pe = swn_profile_find("edelivery-2.0-ecdsa");
	struct swn_registry *reg = NULL;
	struct swn_agreement *a = NULL;
	struct swn_config cfg;
	struct swn_bundle b;
	struct swn_err err;
	time_t now = time(NULL);
	EVP_PKEY *sk, *ek;
	X509 *sign, *enc, *x25519;

	ck_assert_ptr_nonnull(p2);
	ck_assert_ptr_nonnull(pe);
	ck_assert_ptr_null(swn_profile_find("edelivery-3"));
	node_and_peer(dir, &reg, &cfg, &b);
	swn_err_clear(&err);
	snprintf(path, sizeof path, "%s/keys", dir);
	ck_assert_int_eq(swn_mkdir(path, 0700, &err), 0);

	/* Neither side has edelivery-2.0 keys yet: each refusal says which. */
	ck_assert_int_eq(swn_agreement_write_draft(&cfg, reg, &b, "CN-SG", p2, now, path,
						   sizeof path, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "this node has no keys for profile edelivery-2.0"));
	ck_assert_int_eq(swn_config_add_profile(&cfg, p2), 0);
	ck_assert_int_eq(swn_config_add_profile(&cfg, p2), -1);
	ck_assert_int_eq(swn_config_add_profile(&cfg, body()), -1);
	profile_certs("CN-SW", p2, &sign, &enc, &sk, &ek);
	ck_assert_int_eq(swn_cert_write(cfg.profiles[0].signing_cert, sign, &err), 0);
	ck_assert_int_eq(swn_cert_write(cfg.profiles[0].enc_cert, enc, &err), 0);
	ck_assert_int_eq(swn_key_write(cfg.profiles[0].signing_key, sk, &err), 0);
	ck_assert_int_eq(swn_key_write(cfg.profiles[0].enc_key, ek, &err), 0);
	ck_assert(swn_cert_matches_key(sign, sk));
	X509_free(sign);
	X509_free(enc);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ek);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_agreement_write_draft(&cfg, reg, &b, "CN-SG", p2, now, path,
						   sizeof path, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "the bundle of SG-NTP has no certificates for profile edelivery-2.0"));
	b.profiles[0].profile = p2;
	profile_certs("SG-NTP", p2, &b.profiles[0].signing, &b.profiles[0].encryption, NULL, NULL);
	b.nprofiles = 1;
	ck_assert_ptr_nonnull(swn_bundle_profile(&b, p2));
	ck_assert_ptr_null(swn_bundle_profile(&b, pe));
	/* Key types by profile: Ed25519 signs and X25519 receives under
	 * edelivery-2.0, neither under the others. */
	ck_assert_int_eq(swn_profile_cert_check(b.profiles[0].signing, p2, 1, now, "f", 1, &err), 0);
	ck_assert_int_eq(swn_profile_cert_check(b.profiles[0].encryption, p2, 0, now, "f", 1, &err), 0);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_profile_cert_check(b.profiles[0].encryption, p2, 1, now, "f", 1, &err), -1);
	ck_assert_msg(strstr(err.msg, "edelivery-2.0 signing certificate has key type x25519; profile edelivery-2.0 signs with ed25519"), "%s", err.msg);
	ck_assert_int_eq(swn_profile_cert_check(b.profiles[0].signing, pe, 1, now, "f", 1, &err), -1);
	ck_assert_int_eq(swn_profile_cert_check(b.signing, pe, 1, now, "f", 1, &err), 0);
	ck_assert_int_eq(swn_bundle_check_cert(b.profiles[0].signing, "signing", now, "f", 1, &err), -1);

	swn_err_clear(&err);
	ck_assert_msg(swn_agreement_write_draft(&cfg, reg, &b, "CN-SG", p2, now, path,
						sizeof path, &err) == 0, "%s", err.msg);
	problems = 0;
	ck_assert_msg(swn_agreement_check(path, reg, &cfg, now, count, NULL) == 0, "%s", last);
	ck_assert_msg(swn_agreement_load(path, reg, &cfg, &a, &err) == 0, "%s", err.msg);
	ck_assert_ptr_eq(a->profile, p2);
	ck_assert_str_eq(a->inbound_alg, "ed25519");
	ck_assert_str_eq(a->outbound_alg, "ed25519");
	ck_assert_ptr_nonnull(a->encryption);
	ck_assert_int_eq(X509_cmp(a->encryption, b.profiles[0].encryption), 0);
	ck_assert_int_eq(X509_cmp(a->signing[0].cert, b.profiles[0].signing), 0);
	swn_agreement_free(a);

	/* Another profile's name over the same certificates: every key is
	 * wrong, and each problem says so. */
	ck_assert(edit(path, "profile=\"edelivery-2.0\"", "profile=\"edelivery-2.0-ecdsa\""));
	ck_assert_int_ge(swn_agreement_check(path, reg, &cfg, now, count, NULL), 3);
	ck_assert(edit(path, "profile=\"edelivery-2.0-ecdsa\"", "profile=\"edelivery-2.0\""));
	/* No encryption certificate at all. */
	ck_assert(cut(path, "<encryptionCertificate", "</encryptionCertificate>"));
	problems = 0;
	ck_assert_int_eq(swn_agreement_check(path, reg, &cfg, now, count, NULL), 1);
	ck_assert_msg(strstr(last, "profile edelivery-2.0 encrypts every payload: the peer needs an encryptionCertificate"), "%s", last);
	/* A node without the profile's keys. */
	cfg.nprofiles = 0;
	ck_assert_int_eq(swn_agreement_check(path, reg, &cfg, now, count, NULL), 2);
	ck_assert_msg(strstr(last, "this node has no keys for profile edelivery-2.0"), "%s", last);
	cfg.nprofiles = 1;
	/* The peer's encryption certificate is its Ed25519 signing one. */
	x25519 = b.profiles[0].encryption;
	b.profiles[0].encryption = b.profiles[0].signing;
	swn_err_clear(&err);
	ck_assert_msg(swn_agreement_write_draft(&cfg, reg, &b, "CN-SG2", p2, now, path2,
						sizeof path2, &err) == 0, "%s", err.msg);
	b.profiles[0].encryption = x25519;
	all[0] = '\0';
	ck_assert_int_eq(swn_agreement_check(path2, reg, &cfg, now, count, NULL), 2);
	ck_assert_msg(strstr(all, "edelivery-2.0 encryption certificate has key type ed25519; profile edelivery-2.0 encrypts with x25519"), "%s", all);
	ck_assert_msg(strstr(all, "the encryption certificate has the key of a signing certificate; profile edelivery-2.0 keeps the two apart"), "%s", all);
	/* The body profile with an encryption certificate (and the Ed25519
	 * signing certificate, which the body form cannot use). */
	ck_assert(edit(path2, "profile=\"edelivery-2.0\"", "profile=\"body\""));
	all[0] = '\0';
	ck_assert_int_ge(swn_agreement_check(path2, reg, &cfg, now, count, NULL), 2);
	ck_assert_msg(strstr(all, "profile body encrypts nothing: remove encryptionCertificate"), "%s", all);
	ck_assert_msg(strstr(all, "peer signing certificate has a ed25519 key"), "%s", all);
	swn_bundle_free(&b);
	ck_assert_int_eq(b.nprofiles, 0);
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
	tcase_add_test(tc, edelivery_profiles_in_drafts_and_checks);
	suite_add_tcase(s, tc);
	rc = swn_test_run(s);
	xsltCleanupGlobals();
	swn_xml_cleanup();
	return rc;
}

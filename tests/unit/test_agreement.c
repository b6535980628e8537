/* Unit tests: agreement ids, drafts and their checks; certificate
 * usability at a given time (agreement.h, bundle.h). */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxslt/xslt.h>

#include "agreement.h"
#include "bundle.h"
#include "fsutil.h"
#include "pki.h"
#include "xmlsafe.h"
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
	tcase_add_test(tc, certificate_usable_only_inside_validity);
	tcase_add_test(tc, draft_is_sound_until_the_peer_certificate_expires);
	suite_add_tcase(s, tc);
	rc = swn_test_run(s);
	xsltCleanupGlobals();
	swn_xml_cleanup();
	return rc;
}

/* bundle.c - certificate bundles; see bundle.h. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>

#include "trust/bundle.h"
#include "trust/certxml.h"
#include "trust/checkpoint.h"
#include "base/swn_limits.h"
#include "trust/pki.h"
#include "xml/schema.h"
#include "xml/xmlout.h"
#include "xml/xmlsafe.h"

int swn_profile_keys_check(const struct swn_profile_keys *k, X509 *sign, X509 *enc,
			   struct swn_err *err)
{
	const char *certs[2] = { k->signing_cert, k->enc_cert };
	const char *keys[2] = { k->signing_key, k->enc_key };
	X509 *c[2] = { sign, enc };
	char why[200];
	int i;

	for (i = 0; i < 2; i++) {
		EVP_PKEY *key;
		int match;

		if (!swn_profile_cert_fits(k->profile, i == 0, c[i], why, sizeof why))
			return swn_err_set(err, SWN_E_CONFIG, certs[i], 0, "the %s certificate has %s",
					   i == 0 ? "signing" : "encryption", why);
		if (!(key = swn_key_read(keys[i], err)))
			return -1;
		match = swn_cert_matches_key(c[i], key);
		EVP_PKEY_free(key);
		if (!match)
			return swn_err_set(err, SWN_E_CRYPTO, certs[i], 0, "certificate is not for the key %s",
					   keys[i]);
	}
	return 0;
}

/* One profile element per eDelivery profile the node has keys for. */
static int export_profiles(const struct swn_config *cfg, xmlNodePtr root, struct swn_err *err)
{
	int i, rc = 0;

	for (i = 0; rc == 0 && i < cfg->nprofiles; i++) {
		const struct swn_profile_keys *k = &cfg->profiles[i];
		xmlNodePtr n = xmlNewChild(root, root->ns, BAD_CAST "profile", NULL);
		X509 *sign = swn_cert_read(k->signing_cert, err);
		X509 *enc = sign ? swn_cert_read(k->enc_cert, err) : NULL;

		xmlNewProp(n, BAD_CAST "name", BAD_CAST k->profile->name);
		if (!enc || swn_profile_keys_check(k, sign, enc, err) < 0 ||
		    !swn_certxml_add(n, "signingCertificate", sign, err) ||
		    !swn_certxml_add(n, "encryptionCertificate", enc, err))
			rc = -1;
		X509_free(sign);
		X509_free(enc);
	}
	return rc;
}

int swn_bundle_export(const struct swn_config *cfg, char **xml, size_t *len,
		      struct swn_err *err)
{
	char now[SWN_TIME_LEN + 1];
	X509 *signing = NULL, *tls = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, n;
	int rc = -1;

	*xml = NULL;
	if (!(signing = swn_cert_read(cfg->signing_cert, err)) ||
	    !(tls = swn_cert_read(cfg->tls_cert, err)))
		goto done;
	swn_time_iso(time(NULL), now);
	doc = swn_xml_new(SWN_BUNDLE_NS, "bundle", &root);
	xmlNewProp(root, BAD_CAST "version", BAD_CAST "1");
	xmlNewProp(root, BAD_CAST "created", BAD_CAST now);
	n = xmlNewChild(root, root->ns, BAD_CAST "party", NULL);
	xmlNewProp(n, BAD_CAST "id", BAD_CAST cfg->party_id);
	xmlNewProp(n, BAD_CAST "type", BAD_CAST cfg->party_type);
	xmlNewTextChild(root, root->ns, BAD_CAST "endpoint", BAD_CAST cfg->endpoint);
	if (swn_certxml_add(root, "signingCertificate", signing, err) &&
	    swn_certxml_add(root, "tlsCertificate", tls, err)) {
		char vkey[600], origin[600];
		unsigned char pub[32];
		EVP_PKEY *lk = swn_key_read(cfg->ledger_key, err);

		if (lk == NULL || swn_checkpoint_pubkey(lk, pub, err) < 0) {
			EVP_PKEY_free(lk);
			goto done;
		}
		EVP_PKEY_free(lk);
		swn_checkpoint_origin(cfg->party_id, origin, sizeof origin);
		swn_checkpoint_vkey(origin, pub, vkey, sizeof vkey);
		xmlNewTextChild(root, root->ns, BAD_CAST "ledgerKey", BAD_CAST vkey);
		if (export_profiles(cfg, root, err) == 0)
			rc = swn_xml_to_text(doc, xml, len, err);
	}
done:
	xmlFreeDoc(doc);
	X509_free(signing);
	X509_free(tls);
	return rc;
}

int swn_cert_check_key(X509 *cert, const char *what, const char *file, long line,
		       struct swn_err *err)
{
	char ktype[64], why[200];

	swn_cert_key_type(cert, ktype, sizeof ktype);
	if (swn_cert_sig_alg(cert) == NULL)
		return swn_err_set(err, SWN_E_CRYPTO, file, line,
				   "%s certificate has a %s key; swnode accepts RSA of 2048 bits or more and EC P-256",
				   what, ktype);
	if (strncmp(ktype, "rsa-", 4) == 0 && atoi(ktype + 4) < 2048)
		return swn_err_set(err, SWN_E_CRYPTO, file, line,
				   "%s certificate has a %s key; RSA keys need 2048 bits or more",
				   what, ktype);
	if (!swn_pubkey_sound(X509_get0_pubkey(cert), why, sizeof why))
		return swn_err_set(err, SWN_E_CRYPTO, file, line, "%s certificate has %s", what, why);
	return 0;
}

int swn_cert_check_time(X509 *cert, const char *what, time_t now, const char *file,
			long line, struct swn_err *err)
{
	char when[SWN_TIME_LEN + 1];
	time_t nb, na;

	swn_cert_validity(cert, &nb, &na);
	if (now > na) {
		swn_time_iso(na, when);
		return swn_err_set(err, SWN_E_CRYPTO, file, line,
				   "%s certificate expired on %s", what, when);
	}
	if (now < nb) {
		swn_time_iso(nb, when);
		return swn_err_set(err, SWN_E_CRYPTO, file, line,
				   "%s certificate is not valid before %s", what, when);
	}
	return 0;
}

int swn_bundle_check_cert(X509 *cert, const char *what, time_t now,
			  const char *file, long line, struct swn_err *err)
{
	if (swn_cert_check_key(cert, what, file, line, err) < 0)
		return -1;
	return swn_cert_check_time(cert, what, now, file, line, err);
}

void swn_bundle_free(struct swn_bundle *b)
{
	int i;

	X509_free(b->signing);
	X509_free(b->tls);
	b->signing = NULL;
	b->tls = NULL;
	for (i = 0; i < b->nprofiles; i++) {
		X509_free(b->profiles[i].signing);
		X509_free(b->profiles[i].encryption);
	}
	b->nprofiles = 0;
}

const struct swn_bundle_profile *swn_bundle_profile(const struct swn_bundle *b,
						    const struct swn_profile_def *p)
{
	int i;

	for (i = 0; i < b->nprofiles; i++)
		if (b->profiles[i].profile == p)
			return &b->profiles[i];
	return NULL;
}

/* A profile certificate from a bundle or an agreement: its key fits the
 * profile, and (now not 0) it is valid now. */
int swn_profile_cert_check(X509 *cert, const struct swn_profile_def *p, int sign,
			   time_t now, const char *file, long line, struct swn_err *err)
{
	char why[200], what[64];

	snprintf(what, sizeof what, "%s %s", p->name, sign ? "signing" : "encryption");
	if (!swn_profile_cert_fits(p, sign, cert, why, sizeof why))
		return swn_err_set(err, SWN_E_CRYPTO, file, line, "%s certificate has %s", what, why);
	return now ? swn_cert_check_time(cert, what, now, file, line, err) : 0;
}

/* The bundle's profile elements (unique names: bundle.xsd). */
static int load_profiles(xmlNodePtr root, const char *path, time_t now, struct swn_bundle *b,
			 struct swn_err *err)
{
	xmlNodePtr n, c;

	for (n = swn_xml_child(root, "profile"); n; n = swn_xml_next(n, "profile")) {
		const struct swn_profile_def *p;
		struct swn_bundle_profile *bp;
		char name[32];

		if (swn_xml_copy_attr(n, "name", name, sizeof name, path, err) < 0)
			return -1;
		/* bundle.xsd allows each eDelivery name once: checked again here,
		 * before anything is written. */
		p = swn_profile_find(name);
		if (p == NULL || p->id == SWN_PROFILE_BODY || swn_bundle_profile(b, p) ||
		    b->nprofiles >= SWN_EDELIVERY_PROFILES)
			return swn_err_set(err, SWN_E_CONFIG, path, swn_xml_line(n),
					   "profile '%s': not an eDelivery profile, or named twice", name);
		bp = &b->profiles[b->nprofiles++];
		bp->profile = p;
		c = swn_xml_child(n, "signingCertificate");
		if (!(bp->signing = swn_certxml_read(c, path, err)) ||
		    swn_profile_cert_check(bp->signing, bp->profile, 1, now, path, swn_xml_line(c), err) < 0)
			return -1;
		c = swn_xml_child(n, "encryptionCertificate");
		if (!(bp->encryption = swn_certxml_read(c, path, err)) ||
		    swn_profile_cert_check(bp->encryption, bp->profile, 0, now, path, swn_xml_line(c), err) < 0)
			return -1;
		/* One key for both would sign what it also decrypts. */
		if (X509_cmp(bp->signing, bp->encryption) == 0 ||
		    EVP_PKEY_eq(X509_get0_pubkey(bp->signing), X509_get0_pubkey(bp->encryption)) == 1)
			return swn_err_set(err, SWN_E_CRYPTO, path, swn_xml_line(c),
					   "profile %s: the encryption certificate has the signing key; "
					   "the profile keeps the two apart", name);
	}
	return 0;
}

int swn_bundle_load(const char *path, time_t now, struct swn_bundle *b,
		    struct swn_err *err)
{
	xmlDocPtr doc;
	xmlNodePtr root, party, n;
	int rc = -1;

	memset(b, 0, sizeof *b);
	doc = swn_schema_read_doc(path, SWN_MAX_CONFIG_BYTES, SWN_BUNDLE_NS, "bundle",
				  "bundle.xsd", NULL, NULL, NULL, err);
	if (doc == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	party = swn_xml_child(root, "party");
	if (swn_xml_copy_attr(party, "id", b->party_id, sizeof b->party_id, path, err) < 0 ||
	    swn_xml_copy_attr(party, "type", b->party_type, sizeof b->party_type, path, err) < 0 ||
	    swn_xml_copy_text(root, "endpoint", b->endpoint, sizeof b->endpoint, path, err) < 0)
		goto done;
	/* Also when the installed schemas predate the rule. */
	if (!swn_party_id_ok(b->party_id)) {
		swn_err_set(err, SWN_E_CONFIG, path, swn_xml_line(party),
			    "party id '%s' is not allowed: use " SWN_PARTY_ID_RULE, b->party_id);
		goto done;
	}
	n = swn_xml_child(root, "signingCertificate");
	if (n && (!(b->signing = swn_certxml_read(n, path, err)) ||
		  swn_bundle_check_cert(b->signing, "signing", now, path, swn_xml_line(n), err) < 0))
		goto done;
	n = swn_xml_child(root, "tlsCertificate");
	if (!(b->tls = swn_certxml_read(n, path, err)) ||
	    swn_bundle_check_cert(b->tls, "TLS", now, path, swn_xml_line(n), err) < 0 ||
	    swn_xml_copy_text(root, "ledgerKey", b->ledger_key, sizeof b->ledger_key, path, err) < 0)
		goto done;
	if (b->ledger_key[0]) {
		char name[600];
		unsigned char pub[32];

		if (swn_checkpoint_parse_vkey(b->ledger_key, name, sizeof name, pub, err) < 0)
			goto done;
	}
	if (load_profiles(root, path, now, b, err) < 0)
		goto done;
	if (!b->signing && b->nprofiles == 0) {
		swn_err_set(err, SWN_E_CONFIG, path, swn_xml_line(root),
			    "the bundle has no signing certificate: neither the body profile's "
			    "signingCertificate nor a profile element");
		goto done;
	}
	rc = 0;
done:
	if (rc < 0)
		swn_bundle_free(b);
	xmlFreeDoc(doc);
	return rc;
}

/* agreement.c - bilateral agreements; see agreement.h. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "trust/agreement.h"
#include "trust/certxml.h"
#include "trust/checkpoint.h"
#include "base/fsutil.h"
#include "base/swn_limits.h"
#include "trust/pki.h"
#include "xml/xmlout.h"
#include "xml/xmlsafe.h"

static int load_rules(const char *agreement_path, xmlNodePtr n, struct swn_rules **out,
		      struct swn_err *err);

#define EBMS_DEFAULT_ROLE \
	"http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/defaultRole"

int swn_agreement_id_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > SWN_MAX_ID_LEN || id[0] == '.' || id[0] == '-' || id[0] == '_')
		return 0;
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= 'a' && id[i] <= 'z') ||
		      (id[i] >= '0' && id[i] <= '9') || id[i] == '.' || id[i] == '_' ||
		      id[i] == '-'))
			return 0;
	return 1;
}

static void prop(xmlNodePtr n, const char *name, const char *value)
{
	xmlNewProp(n, BAD_CAST name, BAD_CAST value);
}

static xmlNodePtr party(xmlNodePtr root, const char *el, const char *id,
			const char *type)
{
	xmlNodePtr n = xmlNewChild(root, root->ns, BAD_CAST el, NULL);

	prop(n, "partyId", id);
	prop(n, "partyIdType", type);
	prop(n, "role", EBMS_DEFAULT_ROLE);
	return n;
}

int swn_agreement_write_draft(const struct swn_config *cfg,
			      const struct swn_registry *reg,
			      const struct swn_bundle *peer, const char *id,
			      const struct swn_profile_def *prof, time_t now,
			      char *path_out, size_t path_n, struct swn_err *err)
{
	const struct swn_bundle_profile *bp = NULL;
	X509 *peer_signing = peer->signing;
	char from[SWN_TIME_LEN + 1], until[SWN_TIME_LEN + 1], name[SWN_MAX_ID_LEN + 8];
	char nb[SWN_TIME_LEN + 1], na[SWN_TIME_LEN + 1];
	xmlDocPtr doc;
	xmlNodePtr root, p, n, docs;
	X509 *ours;
	const char *outbound;
	time_t tb, ta;
	int rc;
	size_t i;

	if (!swn_agreement_id_ok(id))
		return swn_err_set(err, SWN_E_USAGE, NULL, 0,
				   "agreement id '%s' is not allowed: use " SWN_AGREEMENT_ID_RULE, id);
	if (strcmp(peer->party_id, cfg->party_id) == 0)
		return swn_err_set(err, SWN_E_CONFIG, NULL, 0,
				   "the bundle is for party '%s', which is this node itself",
				   peer->party_id);
	snprintf(name, sizeof name, "%s.xml", id);
	if (swn_path_join(path_out, path_n, cfg->peers_dir, name, err) < 0)
		return -1;
	if (swn_path_exists(path_out))
		return swn_err_set(err, SWN_E_EXISTS, path_out, 0,
				   "agreement '%s' already exists; refusing to overwrite it", id);
	if (prof->id != SWN_PROFILE_BODY) {
		if (!swn_config_profile(cfg, prof))
			return swn_err_set(err, SWN_E_CONFIG, NULL, 0,
					   "this node has no keys for profile %s (swnode cert add-profile %s "
					   "makes them)", prof->name, prof->name);
		if (!(bp = swn_bundle_profile(peer, prof)))
			return swn_err_set(err, SWN_E_CONFIG, NULL, 0,
					   "the bundle of %s has no certificates for profile %s",
					   peer->party_id, prof->name);
		peer_signing = bp->signing;
		outbound = prof->sig_alg;
	} else {
		if (!peer->signing)
			return swn_err_set(err, SWN_E_CONFIG, NULL, 0,
					   "the bundle of %s has no signing certificate for the body "
					   "profile: name one of its profiles (--profile)", peer->party_id);
		if (!(ours = swn_cert_read(cfg->signing_cert, err)))
			return -1;
		outbound = swn_cert_sig_alg(ours);
		X509_free(ours);
		if (outbound == NULL)
			return swn_err_set(err, SWN_E_CRYPTO, cfg->signing_cert, 0,
					   "this node's signing key type is not supported");
	}

	swn_time_iso(now, from);
	swn_time_iso(now + (time_t)SWN_DRAFT_VALID_DAYS * 86400, until);
	doc = swn_xml_new(SWN_AGREEMENT_NS, "agreement", &root);
	prop(root, "version", "1");
	prop(root, "id", id);
	prop(root, "status", "draft");
	n = xmlNewChild(root, root->ns, BAD_CAST "validity", NULL);
	prop(n, "from", from);
	prop(n, "until", until);
	party(root, "local", cfg->party_id, cfg->party_type);
	p = party(root, "peer", peer->party_id, peer->party_type);
	xmlNewTextChild(p, root->ns, BAD_CAST "endpoint", BAD_CAST peer->endpoint);
	if (!swn_certxml_add(p, "tlsCertificate", peer->tls, err) ||
	    !(n = swn_certxml_add(p, "signingCertificate", peer_signing, err)) ||
	    (bp && !swn_certxml_add(p, "encryptionCertificate", bp->encryption, err))) {
		xmlFreeDoc(doc);
		return -1;
	}
	swn_cert_validity(peer_signing, &tb, &ta);
	swn_time_iso(tb, nb);
	swn_time_iso(ta, na);
	prop(n, "acceptFrom", nb);
	prop(n, "acceptUntil", na);
	if (peer->ledger_key[0])
		xmlNewTextChild(p, root->ns, BAD_CAST "ledgerKey", BAD_CAST peer->ledger_key);
	n = xmlNewChild(root, root->ns, BAD_CAST "security", NULL);
	prop(n, "profile", prof->name);
	prop(n, "inboundSignature", bp ? prof->sig_alg : swn_cert_sig_alg(peer->signing));
	prop(n, "outboundSignature", outbound);
	prop(n, "digest", "sha256");
	prop(n, "maxClockSkew", SWN_DRAFT_MAX_CLOCK_SKEW);
	docs = xmlNewChild(root, root->ns, BAD_CAST "documents", NULL);
	for (i = 0; i < swn_registry_count(reg); i++) {
		const struct swn_doctype *dt = swn_registry_at(reg, i);

		n = xmlNewChild(docs, root->ns, BAD_CAST "document", NULL);
		prop(n, "type", swn_doctype_id(dt));
		prop(n, "direction", "both");
		prop(n, "service", swn_doctype_service(dt));
		prop(n, "action", swn_doctype_action(dt));
	}
	n = xmlNewChild(root, root->ns, BAD_CAST "retry", NULL);
	prop(n, "intervals", SWN_DRAFT_RETRY_INTERVALS);
	n = xmlNewChild(root, root->ns, BAD_CAST "limits", NULL);
	prop(n, "maxMessageBytes", SWN_DRAFT_MAX_MESSAGE_BYTES);
	prop(n, "maxMessagesPerMinute", SWN_DRAFT_MAX_PER_MINUTE);
	prop(n, "maxRefusalsPerMinute", SWN_DRAFT_MAX_REFUSALS_PER_MINUTE);
	rc = swn_xml_save(doc, path_out, 0644, SWN_WRITE_EXCLUSIVE, err);
	xmlFreeDoc(doc);
	return rc;
}

/* ---- checking ---- */

struct checker {
	const char *path;
	swn_report_fn report;
	void *ctx;
	int problems;
};

static void problem(struct checker *c, const xmlNode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(struct checker *c, const xmlNode *at, const char *fmt, ...)
{
	struct swn_err e;
	va_list ap;

	swn_err_clear(&e);
	e.code = SWN_E_CONFIG;
	snprintf(e.file, sizeof e.file, "%s", c->path);
	e.line = swn_xml_line(at);
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	c->problems++;
	if (c->report)
		c->report(c->ctx, &e);
}

static void problem_err(struct checker *c, const struct swn_err *e)
{
	c->problems++;
	if (c->report)
		c->report(c->ctx, e);
}

static int time_attr(struct checker *c, xmlNodePtr el, const char *name, time_t *t)
{
	xmlChar *v = xmlGetProp(el, BAD_CAST name);
	int rc = v ? swn_time_parse((const char *)v, t) : -1;

	if (rc < 0)
		problem(c, el, "element '%s': %s is not a UTC time",
			el ? (const char *)el->name : "?", name);
	xmlFree(v);
	return rc;
}

static int attr_is(xmlNodePtr el, const char *name, const char *want)
{
	xmlChar *v = xmlGetProp(el, BAD_CAST name);
	int eq = v && want && strcmp((const char *)v, want) == 0;

	xmlFree(v);
	return eq;
}

/* The agreement's profile: body when it names none, NULL for a name that
 * is none (agreement.xsd allows only known names; checked again). */
static const struct swn_profile_def *profile_of(xmlNodePtr security)
{
	xmlChar *v = xmlGetProp(security, BAD_CAST "profile");
	const struct swn_profile_def *p = v ? swn_profile_find((const char *)v)
					    : swn_profile_get(SWN_PROFILE_BODY);

	xmlFree(v);
	return p;
}

/* A peer certificate's key checked for the profile: body signing keys as
 * bundles have them, eDelivery ones by the profile. */
static int check_peer_key(const struct swn_profile_def *prof, int sign, X509 *cert,
			  const char *path, long line, struct swn_err *e)
{
	if (prof->id == SWN_PROFILE_BODY)
		return swn_cert_check_key(cert, "peer signing", path, line, e);
	return swn_profile_cert_check(cert, prof, sign, 0, path, line, e);
}

/* What a signing certificate signs with under prof, or NULL. */
static const char *sig_alg_of(const struct swn_profile_def *prof, X509 *cert)
{
	char why[200];

	if (prof->id == SWN_PROFILE_BODY)
		return swn_cert_sig_alg(cert);
	return swn_profile_cert_fits(prof, 1, cert, why, sizeof why) ? prof->sig_alg : NULL;
}

static void check_signing(struct checker *c, xmlNodePtr peer, xmlNodePtr security,
			  time_t now)
{
	const struct swn_profile_def *prof = profile_of(security);

	if (prof == NULL)
		return;   /* check_profile says why */
	char fps[8][SWN_FP_LEN + 1];
	int nfp = 0, i;
	xmlNodePtr n;

	for (n = swn_xml_child(peer, "signingCertificate"); n;
	     n = swn_xml_next(n, "signingCertificate")) {
		struct swn_err e;
		time_t from, until, nb, na;
		X509 *cert;

		swn_err_clear(&e);
		if (!(cert = swn_certxml_read(n, c->path, &e))) {
			problem_err(c, &e);
			continue;
		}
		if (check_peer_key(prof, 1, cert, c->path, swn_xml_line(n), &e) < 0 ||
		    (now && swn_cert_check_time(cert, "peer signing", now, c->path,
						swn_xml_line(n), &e) < 0))
			problem_err(c, &e);
		else if (!attr_is(security, "inboundSignature", sig_alg_of(prof, cert)))
			problem(c, n, "signing certificate has a key for %s, but security/@inboundSignature says otherwise",
				sig_alg_of(prof, cert) ? sig_alg_of(prof, cert) : "no supported algorithm");
		swn_cert_validity(cert, &nb, &na);
		if (time_attr(c, n, "acceptFrom", &from) == 0 &&
		    time_attr(c, n, "acceptUntil", &until) == 0) {
			if (from >= until)
				problem(c, n, "acceptFrom is not before acceptUntil");
			if (from < nb || until > na)
				problem(c, n, "the acceptance window goes outside the certificate's validity");
		}
		if (nfp < 8) {
			swn_cert_fingerprint(cert, fps[nfp]);
			for (i = 0; i < nfp; i++)
				if (strcmp(fps[i], fps[nfp]) == 0) {
					problem(c, n, "this signing certificate is pinned already");
					break;
				}
			nfp++;
		}
		X509_free(cert);
	}
}

/* This node's keys of a profile: there, of its types, each its
 * certificate's. */
static void check_own_profile_keys(struct checker *c, const struct swn_profile_keys *k)
{
	struct swn_err e;
	X509 *sign, *enc = NULL;

	swn_err_clear(&e);
	if (!(sign = swn_cert_read(k->signing_cert, &e)) || !(enc = swn_cert_read(k->enc_cert, &e)) ||
	    swn_profile_keys_check(k, sign, enc, &e) < 0)
		problem_err(c, &e);
	X509_free(sign);
	X509_free(enc);
}

/* What the profile asks beyond the signing certificates: the peer's
 * encryption certificate (only under an eDelivery profile), and this
 * node's own keys for it (cfg not NULL). */
static void check_profile(struct checker *c, xmlNodePtr peer, xmlNodePtr security,
			  const struct swn_config *cfg, time_t now)
{
	const struct swn_profile_def *prof = profile_of(security);
	xmlNodePtr n = swn_xml_child(peer, "encryptionCertificate");
	const char *ours = NULL;
	struct swn_err e;
	X509 *cert;

	swn_err_clear(&e);
	if (prof == NULL) {
		problem(c, security, "security/@profile is not one of " SWN_PROFILE_NAMES);
		return;
	}
	if (prof->id == SWN_PROFILE_BODY && n)
		problem(c, n, "profile body encrypts nothing: remove encryptionCertificate, or name an "
			"eDelivery profile in security/@profile");
	else if (prof->id != SWN_PROFILE_BODY && !n)
		problem(c, peer, "profile %s encrypts every payload: the peer needs an "
			"encryptionCertificate (from its bundle's profile %s)", prof->name, prof->name);
	else if (n && !(cert = swn_certxml_read(n, c->path, &e)))
		problem_err(c, &e);
	else if (n) {
		xmlNodePtr s;

		if (swn_profile_cert_check(cert, prof, 0, now, c->path, swn_xml_line(n), &e) < 0)
			problem_err(c, &e);
		/* One key for both would sign what it also decrypts. */
		for (s = swn_xml_child(peer, "signingCertificate"); s;
		     s = swn_xml_next(s, "signingCertificate")) {
			struct swn_err e2;
			X509 *sc;

			swn_err_clear(&e2);
			if ((sc = swn_certxml_read(s, c->path, &e2)) != NULL &&
			    EVP_PKEY_eq(X509_get0_pubkey(sc), X509_get0_pubkey(cert)) == 1)
				problem(c, n, "the encryption certificate has the key of a signing "
					"certificate; profile %s keeps the two apart", prof->name);
			X509_free(sc);
		}
		X509_free(cert);
	}
	if (prof->id != SWN_PROFILE_BODY) {
		if (!attr_is(security, "outboundSignature", prof->sig_alg))
			problem(c, security, "profile %s signs with %s: outboundSignature must say so",
				prof->name, prof->sig_alg);
		if (cfg && !swn_config_profile(cfg, prof))
			problem(c, security, "this node has no keys for profile %s (swnode cert "
				"add-profile %s makes them)", prof->name, prof->name);
		else if (cfg)
			check_own_profile_keys(c, swn_config_profile(cfg, prof));
		return;
	}
	if (!cfg)
		return;
	swn_err_clear(&e);
	if (!(cert = swn_cert_read(cfg->signing_cert, &e)))
		problem_err(c, &e);
	else if (!attr_is(security, "outboundSignature", (ours = swn_cert_sig_alg(cert))))
		problem(c, security, "outboundSignature does not match this node's signing key (%s)",
			ours ? ours : "unsupported");
	X509_free(cert);
}

/* Also when the installed schemas predate the rule. */
static void check_party_id(struct checker *c, xmlNodePtr party)
{
	xmlChar *v = xmlGetProp(party, BAD_CAST "partyId");

	if (v && !swn_party_id_ok((const char *)v))
		problem(c, party, "%s partyId '%s' is not allowed: use " SWN_PARTY_ID_RULE,
			(const char *)party->name, (const char *)v);
	xmlFree(v);
}

static void check_tree(struct checker *c, xmlNodePtr root,
		       const struct swn_registry *reg,
		       const struct swn_config *cfg, time_t now)
{
	xmlNodePtr n, peer, local, security;
	const char *base;
	char expect[SWN_MAX_ID_LEN + 8];
	xmlChar *v;
	time_t from, until;
	struct swn_err e;
	X509 *cert;

	/* The file name is the agreement id, so ids are unique on a node. */
	base = strrchr(c->path, '/');
	base = base ? base + 1 : c->path;
	v = xmlGetProp(root, BAD_CAST "id");
	snprintf(expect, sizeof expect, "%s.xml", v ? (const char *)v : "");
	if (strcmp(base, expect) != 0)
		problem(c, root, "agreement id '%s' does not match the file name %s: name the file %s or change the id",
			v ? (const char *)v : "", base, expect);
	xmlFree(v);

	n = swn_xml_child(root, "validity");
	if (time_attr(c, n, "from", &from) == 0 && time_attr(c, n, "until", &until) == 0) {
		char when[SWN_TIME_LEN + 1];

		swn_time_iso(until, when);
		if (from >= until)
			problem(c, n, "validity: from is not before until");
		else if (now && until < now)
			problem(c, n, "the agreement ended on %s; it carries no traffic", when);
	}

	local = swn_xml_child(root, "local");
	peer = swn_xml_child(root, "peer");
	security = swn_xml_child(root, "security");
	check_party_id(c, local);
	check_party_id(c, peer);
	if (cfg && !attr_is(local, "partyId", cfg->party_id))
		problem(c, local, "local partyId is not this node's party id '%s'", cfg->party_id);
	v = xmlGetProp(local, BAD_CAST "partyId");
	if (attr_is(peer, "partyId", (const char *)v))
		problem(c, peer, "peer partyId is the same as the local one");
	xmlFree(v);

	n = swn_xml_child(peer, "tlsCertificate");
	swn_err_clear(&e);
	if (!(cert = swn_certxml_read(n, c->path, &e)))
		problem_err(c, &e);
	else if (swn_cert_check_key(cert, "peer TLS", c->path, swn_xml_line(n), &e) < 0 ||
		 (now && swn_cert_check_time(cert, "peer TLS", now, c->path, swn_xml_line(n), &e) < 0))
		problem_err(c, &e);
	X509_free(cert);
	check_signing(c, peer, security, now);
	check_profile(c, peer, security, cfg, now);

	for (n = swn_xml_child(swn_xml_child(root, "documents"), "document"); n;
	     n = swn_xml_next(n, "document")) {
		v = xmlGetProp(n, BAD_CAST "type");
		if (reg && v && !swn_registry_find(reg, (const char *)v))
			problem(c, n, "document type '%s' is not in the registry (schemas/doctypes.xml)",
				(const char *)v);
		xmlFree(v);
		{
			struct swn_rules *r;
			struct swn_err re;

			swn_err_clear(&re);
			if (load_rules(c->path, n, &r, &re) < 0)
				problem_err(c, &re);
			swn_rules_free(r);
		}
	}
}

/* A document entry's rules="FILE" (relative to the agreement's directory),
 * compiled: 0 with *out (NULL without the attribute), or -1 with err. */
static int load_rules(const char *agreement_path, xmlNodePtr n, struct swn_rules **out,
		      struct swn_err *err)
{
	char dir[4096], sch[4096], compiler[4096];
	xmlChar *v = xmlGetProp(n, BAD_CAST "rules");
	const char *slash = strrchr(agreement_path, '/');
	int rc = 0;

	*out = NULL;
	if (v == NULL)
		return 0;
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - agreement_path) : 1,
		 slash ? agreement_path : ".");
	if ((v[0] == '/' ? (size_t)snprintf(sch, sizeof sch, "%s", (const char *)v) >= sizeof sch
			 : swn_path_join(sch, sizeof sch, dir, (const char *)v, err) < 0) ||
	    swn_path_join(compiler, sizeof compiler, swn_schema_dir(), "schematron.xsl", err) < 0)
		rc = swn_err_set(err, SWN_E_CONFIG, agreement_path, swn_xml_line(n), "rules path too long");
	else if (!(*out = swn_rules_compile(compiler, sch, err)))
		rc = -1;
	xmlFree(v);
	return rc;
}

static void report_schema(void *ctx, const struct swn_err *e)
{
	problem_err(ctx, e);
}

int swn_agreement_check(const char *path, const struct swn_registry *reg,
			const struct swn_config *cfg, time_t now,
			swn_report_fn report, void *report_ctx)
{
	struct checker c = { path, report, report_ctx, 0 };
	struct swn_err e;
	xmlDocPtr doc;
	int count = 0;

	swn_err_clear(&e);
	/* Schema errors are reported one by one; the checks that follow
	 * assume a valid tree. */
	doc = swn_schema_read_doc(path, SWN_MAX_CONFIG_BYTES, SWN_AGREEMENT_NS,
				  "agreement", "agreement.xsd", report_schema, &c,
				  &count, &e);
	if (doc == NULL) {
		if (count == 0)
			problem_err(&c, &e);
		return c.problems;
	}
	check_tree(&c, xmlDocGetRootElement(doc), reg, cfg, now);
	xmlFreeDoc(doc);
	return c.problems;
}

/* ---- the agreement as the node uses it ---- */

static void keep_first(void *ctx, const struct swn_err *e)
{
	struct swn_err *err = ctx;

	if (err->code == SWN_OK)
		*err = *e;
}

static long long num_attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	long long x = v ? strtoll((const char *)v, NULL, 10) : 0;

	xmlFree(v);
	return x;
}

static void time_of(xmlNodePtr n, const char *name, time_t *t)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);

	if (!v || swn_time_parse((const char *)v, t) < 0)
		*t = 0;
	xmlFree(v);
}

static int load_party(xmlNodePtr n, struct swn_party *p, const char *path,
		      struct swn_err *err)
{
	return (swn_xml_copy_attr(n, "partyId", p->id, sizeof p->id, path, err) < 0 ||
		swn_xml_copy_attr(n, "partyIdType", p->type, sizeof p->type, path, err) < 0 ||
		swn_xml_copy_attr(n, "role", p->role, sizeof p->role, path, err) < 0) ? -1 : 0;
}

int swn_agreement_load(const char *path, const struct swn_registry *reg,
		       const struct swn_config *cfg, struct swn_agreement **out,
		       struct swn_err *err)
{
	struct swn_agreement *a;
	xmlDocPtr doc;
	xmlNodePtr root, n, peer, sec;
	char status[16], dir[8];
	xmlChar *v;
	int rc = -1;

	*out = NULL;
	if (swn_agreement_check(path, reg, cfg, 0, keep_first, err) > 0)
		return -1;
	if (!(doc = swn_xml_read(path, SWN_MAX_CONFIG_BYTES, err)))
		return -1;
	if (!(a = calloc(1, sizeof *a))) {
		xmlFreeDoc(doc);
		return swn_err_set(err, SWN_E_NOMEM, path, 0, "out of memory");
	}
	root = xmlDocGetRootElement(doc);
	snprintf(a->path, sizeof a->path, "%s", path);
	if (swn_xml_copy_attr(root, "id", a->id, sizeof a->id, path, err) < 0 ||
	    swn_xml_copy_attr(root, "status", status, sizeof status, path, err) < 0)
		goto done;
	a->status = strcmp(status, "active") == 0 ? SWN_AGREEMENT_ACTIVE
		  : strcmp(status, "suspended") == 0 ? SWN_AGREEMENT_SUSPENDED
		  : SWN_AGREEMENT_DRAFT;
	n = swn_xml_child(root, "validity");
	time_of(n, "from", &a->valid_from);
	time_of(n, "until", &a->valid_until);
	peer = swn_xml_child(root, "peer");
	if (load_party(swn_xml_child(root, "local"), &a->local, path, err) < 0 ||
	    load_party(peer, &a->peer, path, err) < 0 ||
	    swn_xml_copy_text(peer, "endpoint", a->endpoint, sizeof a->endpoint, path, err) < 0)
		goto done;
	if (!(a->tls = swn_certxml_read(swn_xml_child(peer, "tlsCertificate"), path, err)))
		goto done;
	for (n = swn_xml_child(peer, "signingCertificate"); n && a->nsigning < SWN_MAX_PINS;
	     n = swn_xml_next(n, "signingCertificate")) {
		struct swn_signing_pin *p = &a->signing[a->nsigning];

		if (!(p->cert = swn_certxml_read(n, path, err)))
			goto done;
		time_of(n, "acceptFrom", &p->accept_from);
		time_of(n, "acceptUntil", &p->accept_until);
		swn_cert_validity(p->cert, &p->not_before, &p->not_after);
		a->nsigning++;
	}
	if (swn_xml_copy_text(peer, "ledgerKey", a->peer_ledger_key, sizeof a->peer_ledger_key, path, err) < 0 ||
	    (a->peer_ledger_key[0] &&
	     swn_checkpoint_parse_vkey(a->peer_ledger_key, a->peer_ledger_name, sizeof a->peer_ledger_name,
				       a->peer_ledger_pub, err) < 0))
		goto done;
	sec = swn_xml_child(root, "security");
	if (!(a->profile = profile_of(sec))) {
		swn_err_set(err, SWN_E_CONFIG, path, swn_xml_line(sec),
			    "security/@profile is not one of " SWN_PROFILE_NAMES);
		goto done;
	}
	if ((n = swn_xml_child(peer, "encryptionCertificate")) &&
	    !(a->encryption = swn_certxml_read(n, path, err)))
		goto done;
	if (swn_xml_copy_attr(sec, "inboundSignature", a->inbound_alg, sizeof a->inbound_alg, path, err) < 0 ||
	    swn_xml_copy_attr(sec, "outboundSignature", a->outbound_alg, sizeof a->outbound_alg, path, err) < 0)
		goto done;
	a->max_clock_skew = (int)num_attr(sec, "maxClockSkew");
	for (n = swn_xml_child(swn_xml_child(root, "documents"), "document");
	     n && a->ndocs < SWN_MAX_AGREEMENT_DOCS; n = swn_xml_next(n, "document")) {
		struct swn_agreement_doc *d = &a->docs[a->ndocs];

		if (swn_xml_copy_attr(n, "type", d->type, sizeof d->type, path, err) < 0 ||
		    swn_xml_copy_attr(n, "direction", dir, sizeof dir, path, err) < 0 ||
		    swn_xml_copy_attr(n, "service", d->service, sizeof d->service, path, err) < 0 ||
		    swn_xml_copy_attr(n, "action", d->action, sizeof d->action, path, err) < 0)
			goto done;
		d->out = strcmp(dir, "in") != 0;
		d->in = strcmp(dir, "out") != 0;
		a->ndocs++;
		if (load_rules(path, n, &d->rules, err) < 0)
			goto done;
	}
	v = xmlGetProp(swn_xml_child(root, "retry"), BAD_CAST "intervals");
	if (v) {
		char *p = (char *)v, *end;

		while (a->nretry < SWN_MAX_RETRIES) {
			long x = strtol(p, &end, 10);

			if (end == p)
				break;
			a->retry[a->nretry++] = (int)x;
			p = end;
		}
	}
	xmlFree(v);
	n = swn_xml_child(root, "limits");
	a->max_message_bytes = num_attr(n, "maxMessageBytes");
	a->max_per_minute = num_attr(n, "maxMessagesPerMinute");
	a->max_refusals_per_minute = num_attr(n, "maxRefusalsPerMinute");
	if (a->max_refusals_per_minute <= 0)
		a->max_refusals_per_minute = SWN_DEFAULT_REFUSALS_PER_MINUTE;
	a->max_refused_bytes_per_minute = num_attr(n, "maxRefusedBytesPerMinute");
	if (a->max_refused_bytes_per_minute <= 0)
		a->max_refused_bytes_per_minute = SWN_DEFAULT_REFUSED_BYTES_PER_MINUTE;
	rc = 0;
done:
	xmlFreeDoc(doc);
	if (rc < 0)
		swn_agreement_free(a);
	else
		*out = a;
	return rc;
}

void swn_agreement_free(struct swn_agreement *a)
{
	int i;

	if (a == NULL)
		return;
	X509_free(a->tls);
	X509_free(a->encryption);
	for (i = 0; i < a->nsigning; i++)
		X509_free(a->signing[i].cert);
	for (i = 0; i < a->ndocs; i++)
		swn_rules_free(a->docs[i].rules);
	free(a);
}

int swn_agreement_in_force(const struct swn_agreement *a, time_t now,
			   char *why, size_t n)
{
	char when[SWN_TIME_LEN + 1];

	if (a->status != SWN_AGREEMENT_ACTIVE) {
		snprintf(why, n, "agreement %s is %s, not active", a->id,
			 a->status == SWN_AGREEMENT_DRAFT ? "a draft" : "suspended");
		return 0;
	}
	if (now < a->valid_from) {
		swn_time_iso(a->valid_from, when);
		snprintf(why, n, "agreement %s starts on %s", a->id, when);
		return 0;
	}
	if (now > a->valid_until) {
		swn_time_iso(a->valid_until, when);
		snprintf(why, n, "agreement %s ended on %s", a->id, when);
		return 0;
	}
	return 1;
}

static int shares_signing(const struct swn_agreement *a, const struct swn_agreement *b)
{
	int i, j;

	for (i = 0; i < a->nsigning; i++)
		for (j = 0; j < b->nsigning; j++)
			if (X509_cmp(a->signing[i].cert, b->signing[j].cert) == 0)
				return 1;
	return 0;
}

int swn_agreement_conflict(const struct swn_agreement *a, const struct swn_agreement *b,
			   char *why, size_t n)
{
	char from[SWN_TIME_LEN + 1], until[SWN_TIME_LEN + 1];
	const char *what;

	if (a->status == SWN_AGREEMENT_DRAFT || b->status == SWN_AGREEMENT_DRAFT ||
	    a->valid_until < b->valid_from || b->valid_until < a->valid_from)
		return 0;
	if (strcmp(a->peer.id, b->peer.id) == 0)
		what = "the peer party id";
	else if (X509_cmp(a->tls, b->tls) == 0)
		what = "the peer's TLS certificate";
	else if (shares_signing(a, b))
		what = "a peer signing certificate";
	else
		return 0;
	swn_time_iso(a->valid_from > b->valid_from ? a->valid_from : b->valid_from, from);
	swn_time_iso(a->valid_until < b->valid_until ? a->valid_until : b->valid_until, until);
	if (strcmp(a->id, b->id) > 0) {   /* named in one order, whatever the files' */
		const struct swn_agreement *t = a;

		a = b;
		b = t;
	}
	snprintf(why, n, "agreements %s and %s share %s (%s) while both are active or suspended "
		 "(%s to %s): suspend, end or remove one (a new certificate goes into the same "
		 "agreement as another signingCertificate)", a->id, b->id, what, a->peer.id, from, until);
	return 1;
}

const struct swn_agreement_doc *swn_agreement_doc(const struct swn_agreement *a,
						  const char *type)
{
	int i;

	for (i = 0; i < a->ndocs; i++)
		if (strcmp(a->docs[i].type, type) == 0)
			return &a->docs[i];
	return NULL;
}

int swn_agreement_pins_at(const struct swn_agreement *a, time_t t,
			  X509 *out[SWN_MAX_PINS])
{
	int i, n = 0;

	for (i = 0; i < a->nsigning; i++)
		/* A certificate issued a moment ago on a clock slightly ahead
		 * is not refused: the agreement's clock skew applies. */
		if (t >= a->signing[i].accept_from && t <= a->signing[i].accept_until &&
		    t + a->max_clock_skew >= a->signing[i].not_before && t <= a->signing[i].not_after)
			out[n++] = a->signing[i].cert;
	return n;
}

void swn_agreement_no_pin_why(const struct swn_agreement *a, time_t t, char *why, size_t n)
{
	size_t used = 0;
	int i;

	why[0] = '\0';
	for (i = 0; i < a->nsigning && used < n; i++) {
		const struct swn_signing_pin *p = &a->signing[i];
		char subject[200], from[SWN_TIME_LEN + 1], until[SWN_TIME_LEN + 1];
		int w;

		swn_cert_subject(p->cert, subject, sizeof subject);
		if (t > p->not_after) {
			swn_time_iso(p->not_after, until);
			w = snprintf(why + used, n - used, "%ssigning certificate %s expired on %s",
				     i ? "; " : "", subject, until);
		} else if (t + a->max_clock_skew < p->not_before) {
			swn_time_iso(p->not_before, from);
			w = snprintf(why + used, n - used, "%ssigning certificate %s is not valid until %s",
				     i ? "; " : "", subject, from);
		} else {
			swn_time_iso(p->accept_from, from);
			swn_time_iso(p->accept_until, until);
			w = snprintf(why + used, n - used,
				     "%ssigning certificate %s is accepted only from %s until %s",
				     i ? "; " : "", subject, from, until);
		}
		used += w > 0 ? (size_t)w : 0;
	}
}

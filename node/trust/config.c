/* config.c - node directory and node.xml; see config.h. */
#include "autoconfig.h"

#include "trust/config.h"
#include "trust/party.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "base/fsutil.h"
#include "base/swn_limits.h"
#include "xml/schema.h"
#include "xml/xmlout.h"
#include "xml/xmlsafe.h"

int swn_home_resolve(const char *explicit_home, char *out, size_t n,
		     struct swn_err *err)
{
	const char *h = explicit_home;

	if (h == NULL || *h == '\0')
		h = getenv("SWNODE_HOME");
	if (h == NULL || *h == '\0')
		return swn_err_set(err, SWN_E_CONFIG, NULL, 0,
				   "no node directory: pass --home DIR or set SWNODE_HOME");
	if (strlen(h) >= n - 64)
		return swn_err_set(err, SWN_E_USAGE, h, 0, "node directory path too long");
	snprintf(out, n, "%s", h);
	return 0;
}

/* Relative names inside the node directory, as node.xml stores them. */
static const struct {
	const char *signing_key, *signing_cert, *tls_key, *tls_cert,
		   *ledger_key, *ledger_db, *spool, *peers;
} layout = {
	"keys/signing.key", "certs/signing.pem", "keys/tls.key", "certs/tls.pem",
	"keys/ledger.key", "ledger.db", "spool", "peers",
};

/* Paths that do not fit are left empty, so that opening them fails. */
static void resolve(char *out, const char *home, const char *rel)
{
	int n;

	if (rel[0] == '/')
		n = snprintf(out, SWN_PATH_MAX, "%s", rel);
	else
		n = snprintf(out, SWN_PATH_MAX, "%s/%s", home, rel);
	if (n < 0 || n >= SWN_PATH_MAX)
		out[0] = '\0';
}

void swn_config_defaults(struct swn_config *cfg, const char *home)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->home, sizeof cfg->home, "%s", home);
	snprintf(cfg->party_type, sizeof cfg->party_type, "%s", SWN_DEFAULT_PARTY_TYPE);
	snprintf(cfg->endpoint, sizeof cfg->endpoint, "https://localhost:8443/as4");
	snprintf(cfg->listen_partner, sizeof cfg->listen_partner, "0.0.0.0:8443");
	snprintf(cfg->listen_local, sizeof cfg->listen_local, "127.0.0.1:8080");
	snprintf(cfg->key_type, sizeof cfg->key_type, "rsa-2048");
	resolve(cfg->signing_key, home, layout.signing_key);
	resolve(cfg->signing_cert, home, layout.signing_cert);
	resolve(cfg->tls_key, home, layout.tls_key);
	resolve(cfg->tls_cert, home, layout.tls_cert);
	resolve(cfg->ledger_key, home, layout.ledger_key);
	resolve(cfg->ledger_db, home, layout.ledger_db);
	resolve(cfg->spool_dir, home, layout.spool);
	resolve(cfg->peers_dir, home, layout.peers);
}

/* Where a profile's key files are, relative to the node directory. */
static void profile_path(char *out, size_t n, const struct swn_profile_def *p,
			 const char *use, int key)
{
	snprintf(out, n, "%s/%s-%s.%s", key ? "keys" : "certs", p->name, use, key ? "key" : "pem");
}

int swn_config_add_profile(struct swn_config *cfg, const struct swn_profile_def *p)
{
	struct swn_profile_keys *k;
	char rel[128], home[SWN_PATH_MAX];

	snprintf(home, sizeof home, "%s", cfg->home);   /* not an alias of what resolve writes */
	if (p->id == SWN_PROFILE_BODY || swn_config_profile(cfg, p) ||
	    cfg->nprofiles >= SWN_EDELIVERY_PROFILES)
		return -1;
	k = &cfg->profiles[cfg->nprofiles++];
	k->profile = p;
	profile_path(rel, sizeof rel, p, "signing", 1);
	resolve(k->signing_key, home, rel);
	profile_path(rel, sizeof rel, p, "signing", 0);
	resolve(k->signing_cert, home, rel);
	profile_path(rel, sizeof rel, p, "encryption", 1);
	resolve(k->enc_key, home, rel);
	profile_path(rel, sizeof rel, p, "encryption", 0);
	resolve(k->enc_cert, home, rel);
	return 0;
}

const struct swn_profile_keys *swn_config_profile(const struct swn_config *cfg,
						  const struct swn_profile_def *p)
{
	int i;

	for (i = 0; i < cfg->nprofiles; i++)
		if (cfg->profiles[i].profile == p)
			return &cfg->profiles[i];
	return NULL;
}

static void set(xmlNodePtr n, const char *name, const char *value)
{
	xmlNewProp(n, BAD_CAST name, BAD_CAST value);
}

/* keys/profile for p, at the layout's places. */
static void profile_element(xmlNodePtr keys, const struct swn_profile_def *p)
{
	xmlNodePtr pn = xmlNewChild(keys, keys->ns, BAD_CAST "profile", NULL), n;
	char rel[128];
	int use;

	set(pn, "name", p->name);
	for (use = 0; use < 2; use++) {
		const char *what = use ? "encryption" : "signing";

		n = xmlNewChild(pn, keys->ns, BAD_CAST what, NULL);
		set(n, "type", swn_key_kind_name(use ? p->enc_key : p->sign_key));
		profile_path(rel, sizeof rel, p, what, 1);
		set(n, "key", rel);
		profile_path(rel, sizeof rel, p, what, 0);
		set(n, "certificate", rel);
	}
}

/* The profile element just added to keys, laid out as init writes it:
 * on lines of its own, indented under keys (node.xml is read by people). */
static void indent(xmlNodePtr keys)
{
	xmlNodePtr pn = keys->last, before = pn->prev, c;

	if (before && before->type == XML_TEXT_NODE) {
		xmlNodeSetContent(before, BAD_CAST "\n    ");
		xmlAddNextSibling(pn, xmlNewDocText(keys->doc, BAD_CAST "\n  "));
	}
	for (c = pn->children; c; c = c->next)
		xmlAddPrevSibling(c, xmlNewDocText(keys->doc, BAD_CAST "\n      "));
	xmlAddChild(pn, xmlNewDocText(keys->doc, BAD_CAST "\n    "));
}

int swn_config_add_profile_file(const struct swn_config *cfg, const struct swn_profile_def *p,
				struct swn_err *err)
{
	char path[SWN_PATH_MAX + 16];
	xmlDocPtr doc;
	xmlNodePtr keys;
	int rc;

	snprintf(path, sizeof path, "%s/node.xml", cfg->home);
	if (!(doc = swn_xml_read(path, SWN_MAX_CONFIG_BYTES, err)))
		return -1;
	keys = swn_xml_child(xmlDocGetRootElement(doc), "keys");
	if (keys == NULL) {
		xmlFreeDoc(doc);
		return swn_err_set(err, SWN_E_CONFIG, path, 0, "no keys element");
	}
	profile_element(keys, p);
	indent(keys);
	rc = swn_xml_save(doc, path, 0644, SWN_WRITE_REPLACE, err);
	xmlFreeDoc(doc);
	return rc;
}

int swn_config_write(const struct swn_config *cfg, struct swn_err *err)
{
	char path[SWN_PATH_MAX + 16];
	xmlNodePtr root, n, keys;
	xmlDocPtr doc = swn_xml_new(SWN_NODE_NS, "node", &root);
	int rc, i;

	snprintf(path, sizeof path, "%s/node.xml", cfg->home);
	set(root, "version", "1");
	n = xmlNewChild(root, root->ns, BAD_CAST "party", NULL);
	set(n, "id", cfg->party_id);
	set(n, "type", cfg->party_type);
	xmlNewTextChild(root, root->ns, BAD_CAST "endpoint", BAD_CAST cfg->endpoint);
	n = xmlNewChild(root, root->ns, BAD_CAST "listen", NULL);
	set(n, "partner", cfg->listen_partner);
	set(n, "local", cfg->listen_local);
	keys = xmlNewChild(root, root->ns, BAD_CAST "keys", NULL);
	n = xmlNewChild(keys, root->ns, BAD_CAST "signing", NULL);
	set(n, "type", cfg->key_type);
	set(n, "key", layout.signing_key);
	set(n, "certificate", layout.signing_cert);
	n = xmlNewChild(keys, root->ns, BAD_CAST "tls", NULL);
	set(n, "type", cfg->key_type);
	set(n, "key", layout.tls_key);
	set(n, "certificate", layout.tls_cert);
	n = xmlNewChild(keys, root->ns, BAD_CAST "ledger", NULL);
	set(n, "type", "ed25519");
	set(n, "key", layout.ledger_key);
	for (i = 0; i < cfg->nprofiles; i++)
		profile_element(keys, cfg->profiles[i].profile);
	n = xmlNewChild(root, root->ns, BAD_CAST "ledger", NULL);
	set(n, "database", layout.ledger_db);
	n = xmlNewChild(root, root->ns, BAD_CAST "spool", NULL);
	set(n, "directory", layout.spool);
	n = xmlNewChild(root, root->ns, BAD_CAST "peers", NULL);
	set(n, "directory", layout.peers);
	rc = swn_xml_save(doc, path, 0644, SWN_WRITE_EXCLUSIVE, err);
	xmlFreeDoc(doc);
	return rc;
}

/* A path attribute, relative to the node directory, made usable. */
static int copy_path(char *out, const char *home, xmlNodePtr el, const char *name,
		     const char *file, struct swn_err *err)
{
	char rel[SWN_PATH_MAX];

	if (swn_xml_copy_attr(el, name, rel, sizeof rel, file, err) < 0)
		return -1;
	resolve(out, home, rel);
	if (out[0] == '\0')
		return swn_err_set(err, SWN_E_TOO_LARGE, file, swn_xml_line(el),
				   "%s: path too long", name);
	return 0;
}

int swn_config_load(const char *home, struct swn_config *cfg,
		    struct swn_err *err)
{
	char path[SWN_PATH_MAX + 16];
	xmlDocPtr doc;
	xmlNodePtr root, keys, party, listen, signing, tls, n;
	int rc;

	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->home, sizeof cfg->home, "%s", home);
	snprintf(path, sizeof path, "%s/node.xml", home);
	if (!swn_path_exists(path))
		return swn_err_set(err, SWN_E_NOT_FOUND, path, 0,
				   "not a node directory (no node.xml); create one with swnode init");
	doc = swn_schema_read_doc(path, SWN_MAX_CONFIG_BYTES, SWN_NODE_NS, "node",
				  "node.xsd", NULL, NULL, NULL, err);
	if (doc == NULL) {
		err->code = SWN_E_CONFIG;
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	party = swn_xml_child(root, "party");
	listen = swn_xml_child(root, "listen");
	keys = swn_xml_child(root, "keys");
	signing = swn_xml_child(keys, "signing");
	tls = swn_xml_child(keys, "tls");
	rc = (swn_xml_copy_attr(party, "id", cfg->party_id, sizeof cfg->party_id, path, err) < 0 ||
	      swn_xml_copy_attr(party, "type", cfg->party_type, sizeof cfg->party_type, path, err) < 0 ||
	      swn_xml_copy_text(root, "endpoint", cfg->endpoint, sizeof cfg->endpoint, path, err) < 0 ||
	      swn_xml_copy_attr(listen, "partner", cfg->listen_partner, sizeof cfg->listen_partner, path, err) < 0 ||
	      swn_xml_copy_attr(listen, "local", cfg->listen_local, sizeof cfg->listen_local, path, err) < 0 ||
	      swn_xml_copy_attr(signing, "type", cfg->key_type, sizeof cfg->key_type, path, err) < 0 ||
	      copy_path(cfg->signing_key, home, signing, "key", path, err) < 0 ||
	      copy_path(cfg->signing_cert, home, signing, "certificate", path, err) < 0 ||
	      copy_path(cfg->tls_key, home, tls, "key", path, err) < 0 ||
	      copy_path(cfg->tls_cert, home, tls, "certificate", path, err) < 0 ||
	      copy_path(cfg->ledger_key, home, swn_xml_child(keys, "ledger"), "key", path, err) < 0 ||
	      copy_path(cfg->ledger_db, home, swn_xml_child(root, "ledger"), "database", path, err) < 0 ||
	      copy_path(cfg->spool_dir, home, swn_xml_child(root, "spool"), "directory", path, err) < 0 ||
	      copy_path(cfg->peers_dir, home, swn_xml_child(root, "peers"), "directory", path, err) < 0)
		? -1 : 0;
	for (n = swn_xml_child(keys, "profile"); rc == 0 && n; n = swn_xml_next(n, "profile")) {
		char name[32];
		const struct swn_profile_def *p;
		struct swn_profile_keys *k;

		if (swn_xml_copy_attr(n, "name", name, sizeof name, path, err) < 0) {
			rc = -1;
			break;
		}
		/* node.xsd allows only eDelivery names, each once. */
		if (!(p = swn_profile_find(name)) || p->id == SWN_PROFILE_BODY ||
		    swn_config_profile(cfg, p) || cfg->nprofiles >= SWN_EDELIVERY_PROFILES) {
			rc = swn_err_set(err, SWN_E_CONFIG, path, swn_xml_line(n),
					 "keys/profile '%s': not an eDelivery profile, or named twice", name);
			break;
		}
		k = &cfg->profiles[cfg->nprofiles];
		k->profile = p;
		if (copy_path(k->signing_key, home, swn_xml_child(n, "signing"), "key", path, err) < 0 ||
		    copy_path(k->signing_cert, home, swn_xml_child(n, "signing"), "certificate", path, err) < 0 ||
		    copy_path(k->enc_key, home, swn_xml_child(n, "encryption"), "key", path, err) < 0 ||
		    copy_path(k->enc_cert, home, swn_xml_child(n, "encryption"), "certificate", path, err) < 0)
			rc = -1;
		else
			cfg->nprofiles++;
	}
	/* Also when the installed schemas predate the rule. */
	if (rc == 0 && !swn_party_id_ok(cfg->party_id))
		rc = swn_err_set(err, SWN_E_CONFIG, path, swn_xml_line(party),
				 "party id '%s' is not allowed: use " SWN_PARTY_ID_RULE, cfg->party_id);
	xmlFreeDoc(doc);
	return rc;
}

/* config.c - node directory and node.xml; see config.h. */
#include "autoconfig.h"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "fsutil.h"
#include "swn_limits.h"
#include "schema.h"
#include "xmlsafe.h"

int swn_home_resolve(const char *explicit_home, char *out, size_t n,
		     struct swn_err *err)
{
	const char *h = explicit_home;

	if (h == NULL || *h == '\0')
		h = getenv("SWNODE_HOME");
	if (h == NULL || *h == '\0')
		return swn_err_set(err, SWN_E_USAGE, NULL, 0,
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
	snprintf(cfg->key_type, sizeof cfg->key_type, "ec-p256");
	resolve(cfg->signing_key, home, layout.signing_key);
	resolve(cfg->signing_cert, home, layout.signing_cert);
	resolve(cfg->tls_key, home, layout.tls_key);
	resolve(cfg->tls_cert, home, layout.tls_cert);
	resolve(cfg->ledger_key, home, layout.ledger_key);
	resolve(cfg->ledger_db, home, layout.ledger_db);
	resolve(cfg->spool_dir, home, layout.spool);
	resolve(cfg->peers_dir, home, layout.peers);
}

static xmlNodePtr add(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

static void set(xmlNodePtr n, const char *name, const char *value)
{
	xmlNewProp(n, BAD_CAST name, BAD_CAST value);
}

int swn_config_write(const struct swn_config *cfg, struct swn_err *err)
{
	char path[SWN_PATH_MAX + 16];
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root, n, keys;
	xmlChar *text = NULL;
	int len = 0, rc;

	snprintf(path, sizeof path, "%s/node.xml", cfg->home);
	root = xmlNewNode(NULL, BAD_CAST "node");
	xmlSetNs(root, xmlNewNs(root, BAD_CAST SWN_NODE_NS, NULL));
	set(root, "version", "1");
	xmlDocSetRootElement(doc, root);
	n = xmlNewChild(root, NULL, BAD_CAST "party", NULL);
	set(n, "id", cfg->party_id);
	set(n, "type", cfg->party_type);
	add(root, "endpoint", cfg->endpoint);
	n = xmlNewChild(root, NULL, BAD_CAST "listen", NULL);
	set(n, "partner", cfg->listen_partner);
	set(n, "local", cfg->listen_local);
	keys = xmlNewChild(root, NULL, BAD_CAST "keys", NULL);
	n = xmlNewChild(keys, NULL, BAD_CAST "signing", NULL);
	set(n, "type", cfg->key_type);
	set(n, "key", layout.signing_key);
	set(n, "certificate", layout.signing_cert);
	n = xmlNewChild(keys, NULL, BAD_CAST "tls", NULL);
	set(n, "type", cfg->key_type);
	set(n, "key", layout.tls_key);
	set(n, "certificate", layout.tls_cert);
	n = xmlNewChild(keys, NULL, BAD_CAST "ledger", NULL);
	set(n, "type", "ed25519");
	set(n, "key", layout.ledger_key);
	n = xmlNewChild(root, NULL, BAD_CAST "ledger", NULL);
	set(n, "database", layout.ledger_db);
	n = xmlNewChild(root, NULL, BAD_CAST "spool", NULL);
	set(n, "directory", layout.spool);
	n = xmlNewChild(root, NULL, BAD_CAST "peers", NULL);
	set(n, "directory", layout.peers);
	xmlDocDumpFormatMemoryEnc(doc, &text, &len, "UTF-8", 1);
	xmlFreeDoc(doc);
	if (text == NULL)
		return swn_err_set(err, SWN_E_NOMEM, path, 0, "out of memory");
	rc = swn_file_write(path, text, (size_t)len, 0644, SWN_WRITE_EXCLUSIVE, err);
	xmlFree(text);
	return rc;
}

static void copy_attr(char *out, size_t n, xmlNodePtr el, const char *name)
{
	xmlChar *v = el ? xmlGetProp(el, BAD_CAST name) : NULL;

	snprintf(out, n, "%s", v ? (const char *)v : "");
	xmlFree(v);
}

static void copy_path(char *out, const char *home, xmlNodePtr el, const char *name)
{
	char rel[SWN_PATH_MAX];

	copy_attr(rel, sizeof rel, el, name);
	resolve(out, home, rel);
}

int swn_config_load(const char *home, struct swn_config *cfg,
		    struct swn_err *err)
{
	char path[SWN_PATH_MAX + 16];
	xmlSchemaPtr schema;
	xmlDocPtr doc;
	xmlNodePtr root, keys, n;
	char *text;

	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->home, sizeof cfg->home, "%s", home);
	snprintf(path, sizeof path, "%s/node.xml", home);
	if (!swn_path_exists(path))
		return swn_err_set(err, SWN_E_NOT_FOUND, path, 0,
				   "not a node directory (no node.xml); create one with swnode init");
	if (!(doc = swn_xml_read(path, SWN_MAX_CONFIG_BYTES, err)))
		return -1;
	if (!(schema = swn_schema_compile_in(swn_schema_dir(), "node.xsd", err))) {
		xmlFreeDoc(doc);
		return -1;
	}
	if (swn_schema_validate(schema, doc, path, NULL, NULL, NULL, err) < 0) {
		err->code = SWN_E_CONFIG;
		xmlSchemaFree(schema);
		xmlFreeDoc(doc);
		return -1;
	}
	xmlSchemaFree(schema);
	root = xmlDocGetRootElement(doc);
	n = swn_xml_child(root, "party");
	copy_attr(cfg->party_id, sizeof cfg->party_id, n, "id");
	copy_attr(cfg->party_type, sizeof cfg->party_type, n, "type");
	text = swn_xml_child_text(root, "endpoint");
	snprintf(cfg->endpoint, sizeof cfg->endpoint, "%s", text ? text : "");
	xmlFree(text);
	n = swn_xml_child(root, "listen");
	copy_attr(cfg->listen_partner, sizeof cfg->listen_partner, n, "partner");
	copy_attr(cfg->listen_local, sizeof cfg->listen_local, n, "local");
	keys = swn_xml_child(root, "keys");
	n = swn_xml_child(keys, "signing");
	copy_attr(cfg->key_type, sizeof cfg->key_type, n, "type");
	copy_path(cfg->signing_key, home, n, "key");
	copy_path(cfg->signing_cert, home, n, "certificate");
	n = swn_xml_child(keys, "tls");
	copy_path(cfg->tls_key, home, n, "key");
	copy_path(cfg->tls_cert, home, n, "certificate");
	copy_path(cfg->ledger_key, home, swn_xml_child(keys, "ledger"), "key");
	copy_path(cfg->ledger_db, home, swn_xml_child(root, "ledger"), "database");
	copy_path(cfg->spool_dir, home, swn_xml_child(root, "spool"), "directory");
	copy_path(cfg->peers_dir, home, swn_xml_child(root, "peers"), "directory");
	xmlFreeDoc(doc);
	return 0;
}

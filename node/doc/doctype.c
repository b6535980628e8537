/* doctype.c - document type registry; see doctype.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlschemas.h>
#include <libxslt/security.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include "doc/doctype.h"
#include "doc/rules.h"
#include "base/fsutil.h"
#include "base/swn_limits.h"
#include "xml/schema.h"
#include "xml/xmlsafe.h"
#include "xml/xslt.h"

#define REGISTRY_NS "urn:swnode:doctypes:1"

struct form {
	char *root;
	char *ns;
	char *schema_path;
	xmlSchemaPtr schema;
	char *map_path;          /* map from this form to the other one */
	xsltStylesheetPtr map;
	struct swn_rules *rules; /* required beyond the schema, or NULL */
};

struct swn_doctype {
	char *id;
	char *title;
	char *service;
	char *action;
	struct form forms[2];    /* indexed by enum swn_form */
	xsltSecurityPrefsPtr secprefs; /* the registry's; never changed */
};

struct swn_registry {
	struct swn_doctype *types;
	size_t count;
	xsltSecurityPrefsPtr secprefs;
};

const char *swn_form_name(enum swn_form f)
{
	switch (f) {
	case SWN_FORM_DOMESTIC:      return "domestic";
	case SWN_FORM_INTERNATIONAL: return "international";
	}
	return "?";
}

static char *attr(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetProp(n, BAD_CAST name);
}

static char *path_in(const char *dir, const char *rel, struct swn_err *err)
{
	char buf[4096];

	if (swn_path_join(buf, sizeof buf, dir, rel, err) < 0)
		return NULL;
	return strdup(buf);
}

static void free_doctype(struct swn_doctype *dt)
{
	int i;

	free(dt->id);
	free(dt->title);
	free(dt->service);
	free(dt->action);
	for (i = 0; i < 2; i++) {
		free(dt->forms[i].root);
		free(dt->forms[i].ns);
		free(dt->forms[i].schema_path);
		free(dt->forms[i].map_path);
		if (dt->forms[i].schema)
			xmlSchemaFree(dt->forms[i].schema);
		if (dt->forms[i].map)
			xsltFreeStylesheet(dt->forms[i].map);
		swn_rules_free(dt->forms[i].rules);
	}
}

void swn_registry_free(struct swn_registry *reg)
{
	size_t i;

	if (reg == NULL)
		return;
	for (i = 0; i < reg->count; i++)
		free_doctype(&reg->types[i]);
	free(reg->types);
	if (reg->secprefs)
		xsltFreeSecurityPrefs(reg->secprefs);
	free(reg);
}

static int load_form(struct form *f, xmlNodePtr el, const char *dir,
		     struct swn_err *err)
{
	char *schema = attr(el, "schema"), *rules = attr(el, "rules"), *sch = NULL;
	char compiler[4096];
	int rc = 0;

	f->root = attr(el, "root");
	f->ns = attr(el, "namespace");
	f->schema_path = schema ? path_in(dir, schema, err) : NULL;
	if (f->schema_path == NULL)
		rc = -1;
	else if (rules &&
		 (!(sch = path_in(dir, rules, err)) ||
		  swn_path_join(compiler, sizeof compiler, dir, "schematron.xsl", err) < 0 ||
		  !(f->rules = swn_rules_compile(compiler, sch, err))))
		rc = -1;
	free(sch);
	xmlFree(schema);
	xmlFree(rules);
	return rc;
}

static int load_doctype(struct swn_doctype *dt, xmlNodePtr el, const char *dir,
			const char *regpath, struct swn_err *err)
{
	xmlNodePtr n;
	char *to, *xslt;
	enum swn_form from;

	dt->id = attr(el, "id");
	dt->title = swn_xml_child_text(el, "title");
	if (load_form(&dt->forms[SWN_FORM_DOMESTIC], swn_xml_child(el, "domestic"), dir, err) < 0 ||
	    load_form(&dt->forms[SWN_FORM_INTERNATIONAL], swn_xml_child(el, "international"), dir, err) < 0)
		return -1;
	for (n = swn_xml_child(el, "map"); n; n = swn_xml_next(n, "map")) {
		to = attr(n, "to");
		xslt = attr(n, "xslt");
		from = strcmp(to, "international") == 0 ? SWN_FORM_DOMESTIC
							 : SWN_FORM_INTERNATIONAL;
		if (dt->forms[from].map_path == NULL)
			dt->forms[from].map_path = path_in(dir, xslt, err);
		xmlFree(to);
		xmlFree(xslt);
		if (dt->forms[from].map_path == NULL)
			return -1;
	}
	n = swn_xml_child(el, "as4");
	dt->service = attr(n, "service");
	dt->action = attr(n, "action");
	for (from = SWN_FORM_DOMESTIC; from <= SWN_FORM_INTERNATIONAL; from++) {
		if (dt->forms[from].map_path == NULL)
			return swn_err_set(err, SWN_E_CONFIG, regpath, swn_xml_line(el),
					   "doctype '%s' has no map from its %s form",
					   dt->id, swn_form_name(from));
		if (!(dt->forms[from].schema = swn_schema_compile(dt->forms[from].schema_path, err)))
			return -1;
		if (!(dt->forms[from].map = swn_xslt_compile_file(dt->forms[from].map_path, "map",
								   err)))
			return -1;
	}
	return 0;
}

/* Two forms must never share root and namespace (detection would be
 * ambiguous), but for one domestic form that several doctypes share whole
 * (same schema): the partner's agreement picks which international form
 * it goes out as (swn_registry_next_sharing). */
static int check_unique(const struct swn_registry *reg, const char *regpath,
			struct swn_err *err)
{
	size_t i, j;
	int a, b;

	for (i = 0; i < reg->count; i++)
		for (j = i; j < reg->count; j++)
			for (a = 0; a < 2; a++)
				for (b = 0; b < 2; b++) {
					const struct form *x = &reg->types[i].forms[a];
					const struct form *y = &reg->types[j].forms[b];

					if ((i == j && a >= b) ||
					    strcmp(x->root, y->root) != 0 ||
					    strcmp(x->ns, y->ns) != 0)
						continue;
					if (a == SWN_FORM_DOMESTIC && b == SWN_FORM_DOMESTIC &&
					    strcmp(x->schema_path, y->schema_path) == 0)
						continue;
					return swn_err_set(err, SWN_E_CONFIG, regpath, 0,
							   "doctypes '%s' and '%s' both use root {%s}%s",
							   reg->types[i].id, reg->types[j].id,
							   x->ns, x->root);
				}
	return 0;
}

int swn_registry_load(const char *dir, struct swn_registry **out,
		      struct swn_err *err)
{
	char regpath[4096], xsdpath[4096];
	struct swn_registry *reg;
	xmlSchemaPtr regschema;
	xmlDocPtr doc;
	xmlNodePtr root, n;
	size_t count = 0;

	*out = NULL;
	if (swn_path_join(regpath, sizeof regpath, dir, "doctypes.xml", err) < 0 ||
	    swn_path_join(xsdpath, sizeof xsdpath, dir, "doctypes.xsd", err) < 0)
		return -1;
	if (!swn_path_exists(regpath))
		return swn_err_set(err, SWN_E_CONFIG, regpath, 0,
				   "document type registry not found; set SWNODE_SCHEMAS to the schemas directory");
	if (!(doc = swn_xml_read(regpath, SWN_MAX_CONFIG_BYTES, err)))
		return -1;
	if (!(regschema = swn_schema_compile(xsdpath, err))) {
		xmlFreeDoc(doc);
		return -1;
	}
	if (swn_schema_validate(regschema, doc, regpath, NULL, NULL, NULL, err) < 0) {
		err->code = SWN_E_CONFIG;
		xmlSchemaFree(regschema);
		xmlFreeDoc(doc);
		return -1;
	}
	xmlSchemaFree(regschema);
	root = xmlDocGetRootElement(doc);
	for (n = swn_xml_child(root, "doctype"); n; n = swn_xml_next(n, "doctype"))
		count++;
	reg = calloc(1, sizeof *reg);
	if (reg == NULL || !(reg->types = calloc(count ? count : 1, sizeof *reg->types)) ||
	    !(reg->secprefs = swn_xslt_locked_prefs())) {
		swn_registry_free(reg);
		xmlFreeDoc(doc);
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	}
	for (n = swn_xml_child(root, "doctype"); n; n = swn_xml_next(n, "doctype")) {
		reg->types[reg->count].secprefs = reg->secprefs;
		if (load_doctype(&reg->types[reg->count++], n, dir, regpath, err) < 0)
			goto fail;
	}
	if (check_unique(reg, regpath, err) < 0)
		goto fail;
	xmlFreeDoc(doc);
	*out = reg;
	return 0;
fail:
	xmlFreeDoc(doc);
	swn_registry_free(reg);
	return -1;
}

size_t swn_registry_count(const struct swn_registry *reg)
{
	return reg->count;
}

const struct swn_doctype *swn_registry_at(const struct swn_registry *reg, size_t i)
{
	return i < reg->count ? &reg->types[i] : NULL;
}

const struct swn_doctype *swn_registry_find(const struct swn_registry *reg,
					    const char *id)
{
	size_t i;

	for (i = 0; i < reg->count; i++)
		if (strcmp(reg->types[i].id, id) == 0)
			return &reg->types[i];
	return NULL;
}

const struct swn_doctype *swn_registry_detect(const struct swn_registry *reg,
					      const xmlDoc *doc, const char *name,
					      enum swn_form *form,
					      struct swn_err *err)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	const char *ns = root->ns ? (const char *)root->ns->href : "";
	const char *lname = (const char *)root->name;
	char known[512] = "";
	size_t i, used = 0;
	int f, n;

	for (i = 0; i < reg->count; i++)
		for (f = 0; f < 2; f++) {
			const struct form *x = &reg->types[i].forms[f];

			if (strcmp(x->root, lname) != 0)
				continue;
			if (strcmp(x->ns, ns) == 0) {
				*form = (enum swn_form)f;
				return &reg->types[i];
			}
			/* Every namespace this local name is known in. */
			n = snprintf(known + used, sizeof known - used, "%s'%s'",
				     used ? ", " : "", x->ns);
			if (n > 0 && (size_t)n < sizeof known - used)
				used += (size_t)n;
		}
	if (used > 0)
		swn_err_set(err, SWN_E_UNKNOWN_TYPE, name, swn_xml_line(root),
			    "root element '%s' is in namespace '%s', but swnode knows '%s' only in %s",
			    lname, *ns ? ns : "(none)", lname, known);
	else
		swn_err_set(err, SWN_E_UNKNOWN_TYPE, name, swn_xml_line(root),
			    "unknown document type: root element {%s}%s is not in the registry (swnode doctypes lists the known types)",
			    ns, lname);
	return NULL;
}

const char *swn_doctype_id(const struct swn_doctype *dt) { return dt->id; }
const char *swn_doctype_title(const struct swn_doctype *dt) { return dt->title; }
const char *swn_doctype_service(const struct swn_doctype *dt) { return dt->service; }
const char *swn_doctype_action(const struct swn_doctype *dt) { return dt->action; }

const char *swn_doctype_namespace(const struct swn_doctype *dt, enum swn_form f)
{
	return dt->forms[f].ns;
}

const char *swn_doctype_root(const struct swn_doctype *dt, enum swn_form f)
{
	return dt->forms[f].root;
}

int swn_doctype_validate(const struct swn_doctype *dt, enum swn_form form,
			 xmlDocPtr doc, const char *name, swn_report_fn report,
			 void *report_ctx, struct swn_err *err)
{
	if (swn_schema_validate(dt->forms[form].schema, doc, name, report, report_ctx, NULL,
				err) < 0)
		return -1;
	return dt->forms[form].rules ? swn_rules_check(dt->forms[form].rules, doc, name, report,
						       report_ctx, err)
				     : 0;
}

const struct swn_doctype *swn_registry_next_sharing(const struct swn_registry *reg,
						     const struct swn_doctype *dt)
{
	const struct form *d = &dt->forms[SWN_FORM_DOMESTIC];
	size_t i;

	for (i = (size_t)(dt - reg->types) + 1; i < reg->count; i++) {
		const struct form *x = &reg->types[i].forms[SWN_FORM_DOMESTIC];

		if (strcmp(x->root, d->root) == 0 && strcmp(x->ns, d->ns) == 0)
			return &reg->types[i];
	}
	return NULL;
}

int swn_doctype_map(const struct swn_doctype *dt, enum swn_form from,
		    xmlDocPtr doc, const char *name, struct swn_buf *out,
		    struct swn_err *err)
{
	const struct form *f = &dt->forms[from];
	char what[200];
	xmlDocPtr res;
	xmlChar *text = NULL;
	int len = 0, rc = -1;

	snprintf(what, sizeof what, "the %s map %s -> %s", dt->id, swn_form_name(from),
		 swn_form_name((enum swn_form)!from));
	if (!(res = swn_xslt_apply(f->map, dt->secprefs, doc, name, what, err)))
		return -1;
	if (xsltSaveResultToString(&text, &len, res, f->map) < 0 || text == NULL)
		swn_err_set(err, SWN_E_MAP, name, 0, "cannot serialise the mapped document");
	else
		rc = swn_buf_add(out, text, (size_t)len, err);
	xmlFree(text);
	xmlFreeDoc(res);
	return rc;
}

/* schema.c - XSD compile and validate with uniform errors; see schema.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/swn_limits.h"
#include "xml/schema.h"
#include "xml/xmlsafe.h"

#ifndef SWN_DEFAULT_SCHEMA_DIR
#define SWN_DEFAULT_SCHEMA_DIR "/usr/local/share/swnode/schemas"
#endif

const char *swn_schema_dir(void)
{
	const char *d = getenv("SWNODE_SCHEMAS");

	return (d && *d) ? d : SWN_DEFAULT_SCHEMA_DIR;
}

struct collector {
	const char *name;
	struct swn_err *err;
	swn_report_fn report;
	void *report_ctx;
	int count;
};

static void on_error(void *ctx, xmlErrorPtr e)
{
	struct collector *c = ctx;
	xmlNodePtr node = e->node;
	struct swn_err one;
	char msg[600];
	long line;

	if (e->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof msg, "%s", e->message ? e->message : "invalid");
	line = e->line ? e->line : swn_xml_line(node);
	swn_err_clear(&one);
	if (node && node->type == XML_ELEMENT_NODE)
		swn_err_set(&one, SWN_E_SCHEMA, c->name, line, "element '%s': %s",
			    (const char *)node->name, msg);
	else
		swn_err_set(&one, SWN_E_SCHEMA, c->name, line, "%s", msg);
	c->count++;
	if (c->count == 1 && c->err->code == SWN_OK)
		*c->err = one;
	if (c->report && c->count <= SWN_MAX_REPORTED_ERRORS)
		c->report(c->report_ctx, &one);
}

xmlSchemaPtr swn_schema_compile(const char *path, struct swn_err *err)
{
	struct collector c = { path, err, NULL, NULL, 0 };
	xmlSchemaParserCtxtPtr pctxt;
	xmlSchemaPtr schema;

	if (!swn_path_exists(path)) {
		swn_err_set(err, SWN_E_CONFIG, path, 0,
			    "schema file not found; set SWNODE_SCHEMAS to swnode's schemas directory");
		return NULL;
	}
	pctxt = xmlSchemaNewParserCtxt(path);
	if (pctxt == NULL) {
		swn_err_set(err, SWN_E_NOMEM, path, 0, "out of memory");
		return NULL;
	}
	xmlSchemaSetParserStructuredErrors(pctxt, on_error, &c);
	/* Errors in reading the XSD file itself come through the global
	 * handler: catch them too, so nothing is printed behind our back. */
	xmlSetStructuredErrorFunc(&c, on_error);
	schema = xmlSchemaParse(pctxt);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSchemaFreeParserCtxt(pctxt);
	if (schema == NULL) {
		swn_err_set(err, SWN_E_CONFIG, path, 0, "schema does not compile");
		err->code = SWN_E_CONFIG;
	}
	return schema;
}

xmlSchemaPtr swn_schema_compile_in(const char *dir, const char *name,
				   struct swn_err *err)
{
	char path[4096];

	if (swn_path_join(path, sizeof path, dir, name, err) < 0)
		return NULL;
	return swn_schema_compile(path, err);
}

int swn_schema_validate(xmlSchemaPtr schema, xmlDocPtr doc, const char *name,
			swn_report_fn report, void *report_ctx, int *count,
			struct swn_err *err)
{
	struct collector c = { name, err, report, report_ctx, 0 };
	xmlSchemaValidCtxtPtr v;
	int rc;

	if (count)
		*count = 0;
	v = xmlSchemaNewValidCtxt(schema);
	if (v == NULL)
		return swn_err_set(err, SWN_E_NOMEM, name, 0, "out of memory");
	xmlSchemaSetValidStructuredErrors(v, on_error, &c);
	rc = xmlSchemaValidateDoc(v, doc);
	xmlSchemaFreeValidCtxt(v);
	if (count)
		*count = c.count;
	if (rc == 0)
		return 0;
	if (c.count == 0)
		swn_err_set(err, SWN_E_SCHEMA, name, 0, "document is not valid");
	return -1;
}

xmlDocPtr swn_schema_read_doc(const char *path, size_t limit, const char *ns,
			      const char *root, const char *xsd,
			      swn_report_fn report, void *report_ctx, int *count,
			      struct swn_err *err)
{
	xmlSchemaPtr schema;
	xmlDocPtr doc;
	xmlNodePtr r;
	int rc;

	if (count)
		*count = 0;
	if (!(doc = swn_xml_read(path, limit, err)))
		return NULL;
	r = xmlDocGetRootElement(doc);
	if (!r->ns || !xmlStrEqual(r->ns->href, BAD_CAST ns) ||
	    !xmlStrEqual(r->name, BAD_CAST root)) {
		swn_err_set(err, SWN_E_CONFIG, path, swn_xml_line(r),
			    "expected root element {%s}%s, found %s", ns, root,
			    (const char *)r->name);
		xmlFreeDoc(doc);
		return NULL;
	}
	if (!(schema = swn_schema_compile_in(swn_schema_dir(), xsd, err))) {
		xmlFreeDoc(doc);
		return NULL;
	}
	rc = swn_schema_validate(schema, doc, path, report, report_ctx, count, err);
	xmlSchemaFree(schema);
	if (rc < 0) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

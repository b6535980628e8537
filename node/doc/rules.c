/* rules.c - Schematron rules compiled to XSLT and checked; see rules.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxslt/xsltInternals.h>

#include "base/escape.h"
#include "base/swn_limits.h"
#include "doc/rules.h"
#include "xml/xmlsafe.h"
#include "xml/xslt.h"

#define FAILURES_NS "urn:swnode:schematron:1"

struct swn_rules {
	char *path;
	xsltStylesheetPtr style;
	xsltSecurityPrefsPtr prefs;
};

struct swn_rules *swn_rules_compile(const char *compiler_path, const char *sch_path,
				    struct swn_err *err)
{
	xsltStylesheetPtr compiler;
	xsltSecurityPrefsPtr prefs;
	struct swn_rules *r;
	xmlDocPtr sch, out = NULL;

	if (!(compiler = swn_xslt_compile_file(compiler_path, "the Schematron compiler", err)))
		return NULL;
	if (!(sch = swn_xml_read(sch_path, SWN_MAX_CONFIG_BYTES, err))) {
		xsltFreeStylesheet(compiler);
		err->code = SWN_E_CONFIG;
		return NULL;
	}
	if ((prefs = swn_xslt_locked_prefs()) == NULL)
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	else
		out = swn_xslt_apply(compiler, prefs, sch, sch_path, "compiling the rules", err);
	if (prefs)
		xsltFreeSecurityPrefs(prefs);
	xmlFreeDoc(sch);
	xsltFreeStylesheet(compiler);
	if (out == NULL) {
		err->code = SWN_E_CONFIG;
		return NULL;
	}
	r = calloc(1, sizeof *r);
	if (r == NULL || !(r->path = strdup(sch_path)) || !(r->prefs = swn_xslt_locked_prefs())) {
		if (r)
			free(r->path);
		free(r);
		xmlFreeDoc(out);
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	if (!(r->style = swn_xslt_compile_doc(out, sch_path, "rules", err))) {
		swn_rules_free(r);
		return NULL;
	}
	return r;
}

void swn_rules_free(struct swn_rules *r)
{
	if (r == NULL)
		return;
	if (r->style)
		xsltFreeStylesheet(r->style);
	if (r->prefs)
		xsltFreeSecurityPrefs(r->prefs);
	free(r->path);
	free(r);
}

const char *swn_rules_path(const struct swn_rules *r)
{
	return r->path;
}

/* The element a failure's path names ("/p:A[1]/B[2]" or ".../@x", each
 * step the qualified name as the document writes it and the position
 * among siblings of that name), for its line; NULL if it is not there. */
static xmlNodePtr follow(xmlDocPtr doc, const char *path)
{
	xmlNodePtr at = (xmlNodePtr)doc;
	const char *p = path;

	while (*p == '/' && p[1] != '@') {
		const char *name = p + 1, *br = strchr(name, '[');
		long want, seen = 0;
		xmlNodePtr c;

		if (br == NULL || (want = strtol(br + 1, NULL, 10)) < 1)
			return NULL;
		for (c = at->children; c; c = c->next) {
			char q[300];

			if (c->type != XML_ELEMENT_NODE)
				continue;
			snprintf(q, sizeof q, "%s%s%s", c->ns && c->ns->prefix ? (char *)c->ns->prefix : "",
				 c->ns && c->ns->prefix ? ":" : "", (const char *)c->name);
			if (strlen(q) == (size_t)(br - name) && memcmp(q, name, (size_t)(br - name)) == 0 &&
			    ++seen == want)
				break;
		}
		if (c == NULL)
			return NULL;
		at = c;
		p = strchr(br, '/');
		if (p == NULL)
			break;
	}
	return at == (xmlNodePtr)doc ? NULL : at;
}

int swn_rules_check(const struct swn_rules *r, xmlDocPtr doc, const char *name, swn_report_fn report, void *report_ctx,
		    struct swn_err *err)
{
	xmlDocPtr res;
	xmlNodePtr root, f;
	int count = 0;

	if (!(res = swn_xslt_apply(r->style, r->prefs, doc, name, "the rules", err)))
		return -1;
	root = xmlDocGetRootElement(res);
	for (f = root->children; f; f = f->next) {
		xmlChar *path, *msg;
		struct swn_err e;
		const char *base;
		xmlNodePtr at;

		if (f->type != XML_ELEMENT_NODE || !f->ns ||
		    strcmp((const char *)f->ns->href, FAILURES_NS) != 0)
			continue;
		path = xmlGetProp(f, BAD_CAST "path");
		msg = xmlNodeGetContent(f);
		if (msg)
			swn_squeeze_space((char *)msg);   /* as the author wrapped it: one line */
		at = path ? follow(doc, (const char *)path) : NULL;
		swn_err_clear(&e);
		/* As schema errors read: "element 'X': ...", then where and why. */
		base = strrchr(r->path, '/');
		swn_err_set(&e, SWN_E_SCHEMA, name, at ? swn_xml_line(at) : 0,
			    "element '%s': %s: %s (rules %s)",
			    at ? (const char *)at->name : "?", path ? (const char *)path : "?",
			    msg ? (const char *)msg : "", base ? base + 1 : r->path);
		xmlFree(path);
		xmlFree(msg);
		if (count == 0 && err->code == SWN_OK)
			*err = e;
		if (report && count < SWN_MAX_REPORTED_ERRORS)
			report(report_ctx, &e);
		count++;
	}
	xmlFreeDoc(res);
	return count ? -1 : 0;
}

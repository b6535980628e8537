/* xslt.c - compile and run stylesheets; see xslt.h. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxslt/transform.h>
#include <libxslt/xsltutils.h>

#include "base/fsutil.h"
#include "xml/xslt.h"

/* What libxslt says arrives in printf-style fragments (one message may
 * take several calls): joined into one line, each fragment's line end
 * becoming the space before the next.  What the fragments quote is kept
 * as it is (escaped where it is written). */
struct said {
	char text[700];
	size_t len;
};

static void on_xslt_error(void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void on_xslt_error(void *ctx, const char *fmt, ...)
{
	struct said *c = ctx;
	va_list ap;
	int n;

	if (c->len + 1 >= sizeof c->text)
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->text + c->len, sizeof c->text - c->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->len += (size_t)n < sizeof c->text - c->len ? (size_t)n
							       : sizeof c->text - c->len - 1;
	if (c->len > 0 && c->text[c->len - 1] == '\n')
		c->text[c->len - 1] = ' ';
}

static const char *said(const struct said *c)
{
	return c->text[0] ? c->text : "no reason given";
}

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
	size_t n;

	if (e && e->message && e->level >= XML_ERR_ERROR) {
		n = strlen(e->message);
		if (n > 0 && e->message[n - 1] == '\n')
			n--;
		on_xslt_error(ctx, "%s:%d: %.*s ", e->file ? e->file : "", e->line, (int)n, e->message);
	}
}

xsltSecurityPrefsPtr swn_xslt_locked_prefs(void)
{
	xsltSecurityPrefsPtr p = xsltNewSecurityPrefs();

	if (p == NULL)
		return NULL;
	xsltSetSecurityPrefs(p, XSLT_SECPREF_READ_FILE, xsltSecurityForbid);
	xsltSetSecurityPrefs(p, XSLT_SECPREF_WRITE_FILE, xsltSecurityForbid);
	xsltSetSecurityPrefs(p, XSLT_SECPREF_CREATE_DIRECTORY, xsltSecurityForbid);
	xsltSetSecurityPrefs(p, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid);
	xsltSetSecurityPrefs(p, XSLT_SECPREF_WRITE_NETWORK, xsltSecurityForbid);
	return p;
}

static xsltStylesheetPtr compile(const char *path, xmlDocPtr doc, const char *what,
				 struct swn_err *err)
{
	struct said c = { "", 0 };
	xsltStylesheetPtr style;

	/* Both libxslt's and libxml2's complaints about the file. */
	xsltSetGenericErrorFunc(&c, on_xslt_error);
	xmlSetStructuredErrorFunc(&c, on_xml_error);
	style = doc ? xsltParseStylesheetDoc(doc) : xsltParseStylesheetFile(BAD_CAST path);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xsltSetGenericErrorFunc(NULL, NULL);
	if (style == NULL && doc)
		xmlFreeDoc(doc);
	if (style == NULL || style->errors > 0) {
		if (style)
			xsltFreeStylesheet(style);
		swn_err_set(err, SWN_E_CONFIG, path, 0, "%s does not compile: %s", what, said(&c));
		return NULL;
	}
	return style;
}

xsltStylesheetPtr swn_xslt_compile_file(const char *path, const char *what, struct swn_err *err)
{
	if (!swn_path_exists(path)) {
		swn_err_set(err, SWN_E_CONFIG, path, 0, "%s not found", what);
		return NULL;
	}
	return compile(path, NULL, what, err);
}

xsltStylesheetPtr swn_xslt_compile_doc(xmlDocPtr doc, const char *path, const char *what,
				       struct swn_err *err)
{
	return compile(path, doc, what, err);
}

xmlDocPtr swn_xslt_apply(xsltStylesheetPtr style, xsltSecurityPrefsPtr prefs, xmlDocPtr doc,
			 const char *name, const char *what, struct swn_err *err)
{
	struct said c = { "", 0 };
	xsltTransformContextPtr t;
	xmlDocPtr res;

	t = xsltNewTransformContext(style, doc);
	if (t == NULL) {
		swn_err_set(err, SWN_E_NOMEM, name, 0, "out of memory");
		return NULL;
	}
	xsltSetCtxtSecurityPrefs(prefs, t);
	xsltSetTransformErrorFunc(t, &c, on_xslt_error);
	res = xsltApplyStylesheetUser(style, doc, NULL, NULL, NULL, t);
	/* What a stylesheet says with a plain xsl:message is not a failure;
	 * only a stopped or failed transform is. */
	if (res == NULL || t->state != XSLT_STATE_OK) {
		swn_err_set(err, SWN_E_MAP, name, 0, "%s failed: %s", what, said(&c));
		xmlFreeDoc(res);
		res = NULL;
	} else if (xmlDocGetRootElement(res) == NULL) {
		swn_err_set(err, SWN_E_MAP, name, 0, "%s produced no document", what);
		xmlFreeDoc(res);
		res = NULL;
	}
	xsltFreeTransformContext(t);
	return res;
}

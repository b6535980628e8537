/* xmlsafe.c - safe parsing of untrusted XML; see xmlsafe.h. */
#include "autoconfig.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "base/buf.h"
#include "base/fsutil.h"
#include "base/swn_limits.h"
#include "xml/xmlsafe.h"

/* No XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: see xmlsafe.h. */
#define SAFE_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING)

struct parse_state {
	const char *name;
	struct swn_err *err;
	int saw_doctype;
	int too_deep;
	int too_many_ns;
	int relative_ns;
	int failed;
	long line;             /* where a DOCTYPE or the nesting limit was met */
	char bad_ns[300];      /* the relative namespace declaration, shown */
	startElementNsSAX2Func start_element;   /* libxml2's own handler */
};

void swn_xml_init(void)
{
	LIBXML_TEST_VERSION;
	xmlInitParser();
	/* Belt and braces: even trusted files never fetch from the network. */
	xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
}

void swn_xml_cleanup(void)
{
	xmlCleanupParser();
}

static void on_parse_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = e && e->ctxt ? e->ctxt : data;
	struct parse_state *st = ctxt ? ctxt->_private : NULL;
	char msg[512];

	if (st == NULL || e == NULL || e->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof msg, "%s", e->message ? e->message : "parse error");
	st->failed = 1;
	swn_err_set(st->err, SWN_E_PARSE, st->name, e->line,
		    "malformed XML: %s", msg);
}

/* SAX hook: a DOCTYPE stops the parse before any declaration in it is read. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
		       const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_state *st = ctxt->_private;

	st->saw_doctype = 1;
	st->line = ctxt->input ? ctxt->input->line : 0;
	xmlStopParser(ctxt);
}

/* Is uri absolute (RFC 3986 section 3.1: a scheme, ALPHA *( ALPHA /
 * DIGIT / "+" / "-" / "." ), then ':')? */
static int absolute_uri(const char *uri)
{
	const char *p = uri;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	for (p++; (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		  (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.'; p++)
		;
	return *p == ':';
}

/* The first of an element's namespace declarations (prefix, URI pairs)
 * whose URI is neither empty (xmlns="" undeclares the default) nor
 * absolute, or -1.  Canonical XML forbids relative namespace URIs:
 * libxml2's C14N refuses them in a document subset, and dsig's subtree
 * canonicalisation would read them without the declarations above. */
static int relative_namespace(int nb_namespaces, const xmlChar **namespaces)
{
	int i;

	for (i = 0; i < nb_namespaces; i++) {
		const char *uri = (const char *)namespaces[2 * i + 1];

		if (uri && uri[0] && !absolute_uri(uri))
			return i;
	}
	return -1;
}

/* SAX hook: the nesting limit is enforced while parsing, so a deep
 * document is never built.  nameNr counts the element's ancestors.  So is
 * the number of namespace declarations in scope (nsNr counts two entries
 * for each): the parser, and later canonicalisation, look prefixes up
 * among them at every element, so thousands in scope made a small
 * message cost seconds.  A relative namespace URI stops the parse too. */
static void on_start_element(void *ctx, const xmlChar *localname,
			     const xmlChar *prefix, const xmlChar *uri,
			     int nb_namespaces, const xmlChar **namespaces,
			     int nb_attributes, int nb_defaulted,
			     const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_state *st = ctxt->_private;
	int rel;

	if (ctxt->nameNr + 1 > SWN_MAX_XML_DEPTH) {
		st->too_deep = 1;
		st->line = ctxt->input ? ctxt->input->line : 0;
		xmlStopParser(ctxt);
		return;
	}
	if (ctxt->nsNr / 2 > SWN_MAX_XML_NAMESPACES) {
		st->too_many_ns = 1;
		st->line = ctxt->input ? ctxt->input->line : 0;
		xmlStopParser(ctxt);
		return;
	}
	if ((rel = relative_namespace(nb_namespaces, namespaces)) >= 0) {
		const xmlChar *p = namespaces[2 * rel];

		st->relative_ns = 1;
		st->line = ctxt->input ? ctxt->input->line : 0;
		snprintf(st->bad_ns, sizeof st->bad_ns, "xmlns%s%.100s=\"%.150s\"", p ? ":" : "",
			 p ? (const char *)p : "", (const char *)namespaces[2 * rel + 1]);
		xmlStopParser(ctxt);
		return;
	}
	st->start_element(ctx, localname, prefix, uri, nb_namespaces, namespaces,
			  nb_attributes, nb_defaulted, attributes);
}

/* UTF-16 (by byte order mark or a 16-bit '<'): swnode reads UTF-8 only. */
static int is_utf16(const char *data, size_t len)
{
	const unsigned char *u = (const unsigned char *)data;

	return len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE) ||
			    (u[0] == 0 && u[1] == '<') || (u[0] == '<' && u[1] == 0));
}

/* What the input starts with, after an optional UTF-8 byte order mark. */
static int looks_like_xml(const char *data, size_t len, int *empty)
{
	size_t i = 0;

	if (len >= 3 && (unsigned char)data[0] == 0xEF &&
	    (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' ||
			   data[i] == '\r' || data[i] == '\n'))
		i++;
	*empty = (i == len);
	return i < len && data[i] == '<';
}

/* The line of byte i (1 for the first). */
static long line_at(const char *p, size_t i)
{
	long line = 1;
	const char *nl;

	for (nl = memchr(p, '\n', i); nl; nl = memchr(nl + 1, '\n', i - (size_t)(nl + 1 - p)))
		line++;
	return line;
}

/* The line of a run with more than max attributes, or 0.  The parser
 * checks each attribute against every earlier one before any hook of ours
 * runs, so attributes are counted in the raw bytes first.  The count is an
 * upper bound whatever the parser makes of the input: from every '<', the
 * '=' outside quoted values up to the first '>' outside quotes or the next
 * '<' (an attribute value cannot hold a raw '<', so every attribute of a
 * start tag lies between its '<' and the next one, and the parser stops
 * collecting a tag's attributes at its first error).  Nothing is skipped
 * as a comment, CDATA section or processing instruction: after a malformed
 * one the parser goes on at the next '<', and so does this count.  One
 * pass, linear in the input. */
static long too_many_attributes(const char *p, size_t len, int max)
{
	const char *lt;
	size_t i = 0;
	int n;
	char q;

	while (i < len && (lt = memchr(p + i, '<', len - i))) {
		for (i = (size_t)(lt - p) + 1, n = 0, q = 0; i < len && p[i] != '<' && (q || p[i] != '>'); i++) {
			if (q)
				q = p[i] == q ? 0 : q;
			else if (p[i] == '"' || p[i] == '\'')
				q = p[i];
			else if (p[i] == '=' && ++n > max)
				return line_at(p, i);
		}
	}
	return 0;
}

xmlDocPtr swn_xml_parse(const char *data, size_t len, const char *name,
			struct swn_err *err)
{
	struct parse_state st = { name, err, 0, 0, 0, 0, 0, 0, "", NULL };
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	const char *nul;
	int empty;

	if (len > INT_MAX) {
		swn_err_set(err, SWN_E_TOO_LARGE, name, 0, "document too large");
		return NULL;
	}
	if (is_utf16(data, len)) {
		swn_err_set(err, SWN_E_NOT_XML, name, 0,
			    "UTF-16 is not supported: swnode reads XML in UTF-8 (convert with iconv -f UTF-16 -t UTF-8)");
		return NULL;
	}
	if (!looks_like_xml(data, len, &empty)) {
		if (empty)
			swn_err_set(err, SWN_E_EMPTY, name, 0,
				    "empty document: expected XML, found no content");
		else
			swn_err_set(err, SWN_E_NOT_XML, name, 0,
				    "not an XML document: it does not start with '<'");
		return NULL;
	}
	/* XML never holds U+0000, and libxml2 stops at a NUL after the root
	 * element without a word: what followed would be kept and signed
	 * nowhere.  Refused before parsing, wherever it stands. */
	if ((nul = memchr(data, '\0', len)) != NULL) {
		size_t at = (size_t)(nul - data);
		long line = 1;

		for (size_t i = 0; i < at; i++)
			line += data[i] == '\n';
		swn_err_set(err, SWN_E_PARSE, name, line,
			    "a NUL byte at offset %zu: XML never holds one", at);
		return NULL;
	}
	if ((st.line = too_many_attributes(data, len, SWN_MAX_XML_ATTRIBUTES)) > 0) {
		swn_err_set(err, SWN_E_TOO_LARGE, name, st.line,
			    "an element has more than %d attributes", SWN_MAX_XML_ATTRIBUTES);
		return NULL;
	}
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		swn_err_set(err, SWN_E_NOMEM, name, 0, "out of memory");
		return NULL;
	}
	ctxt->_private = &st;
	ctxt->sax->serror = on_parse_error;
	ctxt->sax->internalSubset = on_doctype;
	st.start_element = ctxt->sax->startElementNs;
	ctxt->sax->startElementNs = on_start_element;
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, name, NULL, SAFE_OPTIONS);
	if (st.saw_doctype || st.too_deep || st.too_many_ns || st.relative_ns) {
		xmlFreeDoc(doc);
		doc = NULL;
		swn_err_clear(err);
		if (st.saw_doctype)
			swn_err_set(err, SWN_E_FORBIDDEN, name, st.line,
				    "a DOCTYPE is not allowed: swnode never processes DTDs or entity declarations");
		else if (st.too_deep)
			swn_err_set(err, SWN_E_TOO_LARGE, name, st.line,
				    "elements nested deeper than %d levels", SWN_MAX_XML_DEPTH);
		else if (st.too_many_ns)
			swn_err_set(err, SWN_E_TOO_LARGE, name, st.line,
				    "more than %d namespace declarations in scope at one element",
				    SWN_MAX_XML_NAMESPACES);
		else
			swn_err_set(err, SWN_E_FORBIDDEN, name, st.line,
				    "the namespace declaration %s has a relative URI: a namespace "
				    "URI must be absolute, with a scheme such as urn: or http: "
				    "(canonical XML cannot sign relative ones)", st.bad_ns);
	} else if (doc == NULL || !ctxt->wellFormed || st.failed) {
		xmlFreeDoc(doc);
		doc = NULL;
		swn_err_set(err, SWN_E_PARSE, name, 0, "malformed XML");
	} else if (xmlDocGetRootElement(doc) == NULL) {
		xmlFreeDoc(doc);
		doc = NULL;
		swn_err_set(err, SWN_E_PARSE, name, 0, "malformed XML: no root element");
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

xmlDocPtr swn_xml_read(const char *path, size_t limit, struct swn_err *err)
{
	xmlDocPtr doc;
	char *data;
	size_t len;

	if (swn_file_read(path, limit, &data, &len, err) < 0)
		return NULL;
	doc = swn_xml_parse(data, len, strcmp(path, "-") == 0 ? "<stdin>" : path, err);
	free(data);
	return doc;
}

long swn_xml_line(const xmlNode *node)
{
	return node ? xmlGetLineNo(node) : 0;
}

static int same_ns(const xmlNode *a, const xmlNode *b)
{
	const xmlChar *x = a->ns ? a->ns->href : NULL;
	const xmlChar *y = b->ns ? b->ns->href : NULL;

	if (x == NULL || y == NULL)
		return x == y;
	return xmlStrEqual(x, y);
}

static xmlNodePtr find_from(const xmlNode *ref, xmlNodePtr n, const char *name)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && same_ns(n, ref) &&
		    xmlStrEqual(n->name, BAD_CAST name))
			return n;
	return NULL;
}

xmlNodePtr swn_xml_child(const xmlNode *parent, const char *name)
{
	return parent ? find_from(parent, parent->children, name) : NULL;
}

xmlNodePtr swn_xml_next(const xmlNode *node, const char *name)
{
	return node ? find_from(node, node->next, name) : NULL;
}

xmlNodePtr swn_xml_walk(const xmlNode *n)
{
	if (n->type == XML_ELEMENT_NODE && n->children)
		return n->children;
	while (n && !n->next)
		n = n->parent;
	return n ? n->next : NULL;
}

char *swn_xml_child_text(const xmlNode *parent, const char *name)
{
	xmlNodePtr c = swn_xml_child(parent, name);

	return c ? (char *)xmlNodeGetContent(c) : NULL;
}

int swn_xml_copy_attr(const xmlNode *el, const char *attr, char *dst, size_t n,
		      const char *file, struct swn_err *err)
{
	xmlChar *v = el ? xmlGetProp(el, BAD_CAST attr) : NULL;
	int rc = swn_str_copy(dst, n, v ? (const char *)v : "");

	xmlFree(v);
	if (rc < 0)
		return swn_err_set(err, SWN_E_TOO_LARGE, file, swn_xml_line(el),
				   "element '%s': %s is longer than %zu bytes",
				   el ? (const char *)el->name : "?", attr, n - 1);
	return 0;
}

int swn_xml_copy_text(const xmlNode *parent, const char *child, char *dst,
		      size_t n, const char *file, struct swn_err *err)
{
	xmlNodePtr c = swn_xml_child(parent, child);
	xmlChar *v = c ? xmlNodeGetContent(c) : NULL;
	int rc = swn_str_copy(dst, n, v ? (const char *)v : "");

	xmlFree(v);
	if (rc < 0)
		return swn_err_set(err, SWN_E_TOO_LARGE, file, swn_xml_line(c),
				   "element '%s' is longer than %zu bytes", child, n - 1);
	return 0;
}

/*
 * xmlsafe.h - the only place where swnode parses XML it does not trust.
 *
 * Untrusted means anything that arrives from outside the node's own
 * installation: documents from domestic systems, messages from peers,
 * bundles and agreements received from other parties.  The parser here:
 *  - refuses input over a size limit before reading it (swn_xml_read);
 *  - never touches the network (XML_PARSE_NONET, and the process-wide
 *    entity loader refuses network URLs);
 *  - never loads a DTD, never substitutes entities, never uses
 *    XML_PARSE_HUGE, and refuses any document that has a DOCTYPE at all,
 *    stopping the parser as soon as it meets one;
 *  - refuses nesting deeper than SWN_MAX_XML_DEPTH while parsing, so a
 *    deep document is never built, and more than SWN_MAX_XML_NAMESPACES
 *    namespace declarations in scope at any element;
 *  - refuses a namespace declaration whose URI is relative (neither empty
 *    nor with a scheme, RFC 3986): canonical XML forbids them, libxml2's
 *    C14N fails on them in a document subset, and a subtree canonicalised
 *    on its own (dsig) would read them without the declarations above;
 *  - reads UTF-8 (and encodings declared in the XML declaration), and
 *    refuses UTF-16 with a message that says so;
 *  - reports the first error with the input's name and line, and turns
 *    empty input and non-XML input into their own clear errors.
 * Files that ship with swnode (schemas, maps) are not parsed here.
 */
#ifndef SWN_XMLSAFE_H
#define SWN_XMLSAFE_H

#include <stddef.h>

#include <libxml/tree.h>

#include "base/err.h"

/* Once per process, before any other XML work. */
void swn_xml_init(void);
void swn_xml_cleanup(void);

/* Parse len bytes; name is what errors call the input (a file name). */
xmlDocPtr swn_xml_parse(const char *data, size_t len, const char *name,
			struct swn_err *err);

/* Read path ("-" for stdin) with a size limit, then swn_xml_parse it. */
xmlDocPtr swn_xml_read(const char *path, size_t limit, struct swn_err *err);

/* Line of a node in its source (0 if unknown). */
long swn_xml_line(const xmlNode *node);

/* Text content of the first child element of parent named name in the
 * same namespace as parent, or NULL.  The caller frees with xmlFree. */
char *swn_xml_child_text(const xmlNode *parent, const char *name);

/* First child element of parent with the given local name, same namespace. */
xmlNodePtr swn_xml_child(const xmlNode *parent, const char *name);

/* Next sibling element after node with the given local name. */
xmlNodePtr swn_xml_next(const xmlNode *node, const char *name);

/* The node after n in document order: its first child if n is an element
 * with children, else the next sibling of n or of its nearest ancestor;
 * NULL past the end.  Walks a whole document without recursion, so its
 * depth is bounded by the parser's limit, not the stack. */
xmlNodePtr swn_xml_walk(const xmlNode *n);

/* Copy an attribute (missing: "") or a child element's text into dst;
 * SWN_E_TOO_LARGE, naming file and line, if it does not fit. */
int swn_xml_copy_attr(const xmlNode *el, const char *attr, char *dst, size_t n,
		      const char *file, struct swn_err *err);
int swn_xml_copy_text(const xmlNode *parent, const char *child, char *dst,
		      size_t n, const char *file, struct swn_err *err);

#endif

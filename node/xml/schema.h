/*
 * schema.h - compile an XSD and validate documents against it.
 *
 * One place that turns libxml2's schema errors into swn_err records with
 * the input's name, the line and the element, so that every validation in
 * swnode (documents, node.xml, agreements, bundles, the registry) reports
 * errors the same way: "FILE:LINE: element 'X': what is wrong".
 */
#ifndef SWN_SCHEMA_H
#define SWN_SCHEMA_H

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "base/err.h"

/* Called once for each error when a caller wants all of them. */
typedef void (*swn_report_fn)(void *ctx, const struct swn_err *e);

/* Directory of swnode's schemas/: $SWNODE_SCHEMAS, else the installed
 * default ($(pkgdatadir)/schemas). */
const char *swn_schema_dir(void);

/* Compile the XSD at path (a file swnode ships; may import siblings). */
xmlSchemaPtr swn_schema_compile(const char *path, struct swn_err *err);

/* Compile dir/name. */
xmlSchemaPtr swn_schema_compile_in(const char *dir, const char *name,
				   struct swn_err *err);

/* 0 if doc is valid.  Otherwise -1: the first error is in err (code
 * SWN_E_SCHEMA), and report, if not NULL, has seen every error up to
 * SWN_MAX_REPORTED_ERRORS.  Returns the error count through *count if
 * count is not NULL. */
int swn_schema_validate(xmlSchemaPtr schema, xmlDocPtr doc, const char *name,
			swn_report_fn report, void *report_ctx, int *count,
			struct swn_err *err);

/* Read an XML file swnode does not ship (node.xml, a bundle, an agreement)
 * with xmlsafe, check its root element, and validate it against
 * swn_schema_dir()/xsd.  Returns the document, or NULL with err set (the
 * first schema error, SWN_E_SCHEMA; SWN_E_CONFIG for a wrong root); report
 * and count work as in swn_schema_validate(). */
xmlDocPtr swn_schema_read_doc(const char *path, size_t limit, const char *ns,
			      const char *root, const char *xsd,
			      swn_report_fn report, void *report_ctx, int *count,
			      struct swn_err *err);

#endif

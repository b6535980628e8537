/*
 * doctype.h - the document type registry: detection, validation, mapping.
 *
 * The registry (schemas/doctypes.xml) lists each document family with its
 * two forms, domestic and international: root element, namespace, XSD, and
 * an XSLT 1.0 map into the other form.  This module loads the registry,
 * tells which family and form a parsed document is, validates a document
 * against its form's schema and maps it to the other form.
 *
 * It does not parse untrusted bytes (xmlsafe does) and knows nothing of
 * agreements or messages.
 *
 * A form may name rules (ISO Schematron, rules.h) that it requires beyond
 * its schema; validating a document checks both.  Several doctypes may
 * share one domestic form (the same root, namespace and schema) with
 * different international forms, for partners whose windows use another
 * form of the same document: detection gives the first, and
 * swn_registry_next_sharing() the others, for the sender to pick the one
 * its partner's agreement carries.
 *
 * Invariants:
 *  - Every schema, rule file and stylesheet is compiled once, when the registry is
 *    loaded; a loaded registry is read-only and may be shared by threads.
 *  - Maps run with every libxslt file and network access forbidden, so a
 *    map can read nothing but its input document.
 *  - swn_doctype_map() validates nothing; the pipeline (pipeline.h) does.
 */
#ifndef SWN_DOCTYPE_H
#define SWN_DOCTYPE_H

#include <libxml/tree.h>

#include "base/buf.h"
#include "base/err.h"
#include "xml/schema.h"

enum swn_form {
	SWN_FORM_DOMESTIC = 0,
	SWN_FORM_INTERNATIONAL = 1,
};

struct swn_registry;
struct swn_doctype;

/* Load dir/doctypes.xml, check it against dir/doctypes.xsd, and compile
 * every schema and map it names. */
int swn_registry_load(const char *dir, struct swn_registry **out,
		      struct swn_err *err);
void swn_registry_free(struct swn_registry *reg);

size_t swn_registry_count(const struct swn_registry *reg);
const struct swn_doctype *swn_registry_at(const struct swn_registry *reg, size_t i);
const struct swn_doctype *swn_registry_find(const struct swn_registry *reg,
					    const char *id);

/* Which family and form is doc?  SWN_E_UNKNOWN_TYPE if none; the message
 * says so when only the namespace is wrong.  A domestic form shared by
 * several doctypes gives the first in the registry. */
const struct swn_doctype *swn_registry_detect(const struct swn_registry *reg,
					      const xmlDoc *doc, const char *name,
					      enum swn_form *form,
					      struct swn_err *err);

/* The next doctype after dt (in registry order) whose domestic form is
 * dt's, or NULL. */
const struct swn_doctype *swn_registry_next_sharing(const struct swn_registry *reg,
						     const struct swn_doctype *dt);

const char *swn_doctype_id(const struct swn_doctype *dt);
const char *swn_doctype_title(const struct swn_doctype *dt);
const char *swn_doctype_service(const struct swn_doctype *dt);
const char *swn_doctype_action(const struct swn_doctype *dt);
const char *swn_doctype_namespace(const struct swn_doctype *dt, enum swn_form f);
const char *swn_doctype_root(const struct swn_doctype *dt, enum swn_form f);
const char *swn_form_name(enum swn_form f);

/* Validate doc against the form's schema, then its rules if it has any.
 * The first error goes to err (code SWN_E_SCHEMA, file name, line,
 * element); report, if not NULL, sees every error up to
 * SWN_MAX_REPORTED_ERRORS.  Rules are checked only on a schema-valid
 * document. */
int swn_doctype_validate(const struct swn_doctype *dt, enum swn_form form,
			 xmlDocPtr doc, const char *name, swn_report_fn report,
			 void *report_ctx, struct swn_err *err);

/* Map doc (of form `from`) to the other form; serialise the result, as
 * the map's xsl:output says, into out. */
int swn_doctype_map(const struct swn_doctype *dt, enum swn_form from,
		    xmlDocPtr doc, const char *name, struct swn_buf *out,
		    struct swn_err *err);

#endif

/*
 * pipeline.h - the document pipeline: detect, validate, map, validate.
 *
 * One function turns a parsed document of either form into the other form,
 * and refuses to hand out anything that is not valid: the input must pass
 * its form's schema, and the mapped output is serialised, parsed again by
 * xmlsafe and checked against the target form's schema, so what is
 * validated is exactly the bytes that leave the pipeline.  Output that
 * fails its schema is SWN_E_MAP_OUTPUT: a fault of the map or the schemas,
 * not of whoever sent the input.
 */
#ifndef SWN_PIPELINE_H
#define SWN_PIPELINE_H

#include <libxml/tree.h>

#include "base/buf.h"
#include "doc/doctype.h"
#include "base/err.h"

struct swn_mapped {
	const struct swn_doctype *type;
	enum swn_form from;
	enum swn_form to;
	struct swn_buf out;   /* the mapped document; swn_buf_free() it */
};

/* Validate doc in the form it is in (detected).  On success type and form
 * are set. */
int swn_pipeline_validate(const struct swn_registry *reg, xmlDocPtr doc,
			  const char *name, swn_report_fn report, void *ctx,
			  const struct swn_doctype **type, enum swn_form *form,
			  struct swn_err *err);

/* Map doc to form `to`.  A document already in that form is an error
 * (SWN_E_USAGE).  res->out is initialised by this call. */
int swn_pipeline_map(const struct swn_registry *reg, xmlDocPtr doc,
		     const char *name, enum swn_form to, swn_report_fn report,
		     void *ctx, struct swn_mapped *res, struct swn_err *err);

/* The second half of swn_pipeline_map, for a caller that has already
 * validated doc as `type` in form `from` (from != to): map, parse the output
 * again, validate it.  With parsed != NULL the parsed output is handed over
 * in *parsed (xmlFreeDoc() it) rather than freed, so nothing is parsed twice. */
int swn_pipeline_map_valid(const struct swn_doctype *type, enum swn_form from,
			   xmlDocPtr doc, const char *name, enum swn_form to,
			   swn_report_fn report, void *ctx, struct swn_mapped *res,
			   xmlDocPtr *parsed, struct swn_err *err);

/* An international document, validated as type, to the domestic form,
 * with what that form cannot hold (loss.h): map and validate as above,
 * map the domestic document back to the international form, compare.
 * res->out is the domestic document, report (initialised here; free it)
 * the loss report, *lost its count.  A round trip that fails is the map's
 * fault: SWN_E_MAP_OUTPUT. */
int swn_pipeline_to_domestic(const struct swn_doctype *type, xmlDocPtr doc, const char *name,
			     struct swn_mapped *res, struct swn_buf *report, size_t *lost,
			     struct swn_err *err);

#endif

/* pipeline.c - detect, validate, map, validate; see pipeline.h. */
#include "autoconfig.h"

#include <stdio.h>

#include "base/swn_limits.h"
#include "doc/loss.h"
#include "doc/pipeline.h"
#include "xml/xmlsafe.h"

int swn_pipeline_validate(const struct swn_registry *reg, xmlDocPtr doc,
			  const char *name, swn_report_fn report, void *ctx,
			  const struct swn_doctype **type, enum swn_form *form,
			  struct swn_err *err)
{
	*type = swn_registry_detect(reg, doc, name, form, err);
	if (*type == NULL)
		return -1;
	return swn_doctype_validate(*type, *form, doc, name, report, ctx, err);
}

int swn_pipeline_map(const struct swn_registry *reg, xmlDocPtr doc,
		     const char *name, enum swn_form to, swn_report_fn report,
		     void *ctx, struct swn_mapped *res, struct swn_err *err)
{
	const struct swn_doctype *type;
	enum swn_form from;

	swn_buf_init(&res->out, SWN_MAX_DOCUMENT_BYTES);
	res->to = to;
	if (swn_pipeline_validate(reg, doc, name, report, ctx, &type, &from, err) < 0)
		return -1;
	res->type = type;
	res->from = from;
	if (from == to)
		return swn_err_set(err, SWN_E_USAGE, name, 0,
				   "already a %s %s document; nothing to map",
				   swn_form_name(to), swn_doctype_id(type));
	return swn_pipeline_map_valid(type, from, doc, name, to, report, ctx, res, NULL, err);
}

int swn_pipeline_map_valid(const struct swn_doctype *type, enum swn_form from,
			   xmlDocPtr doc, const char *name, enum swn_form to,
			   swn_report_fn report, void *ctx, struct swn_mapped *res,
			   xmlDocPtr *parsed, struct swn_err *err)
{
	char outname[600];
	xmlDocPtr out;
	int rc;

	swn_buf_init(&res->out, SWN_MAX_DOCUMENT_BYTES);
	res->type = type;
	res->from = from;
	res->to = to;
	if (swn_doctype_map(type, from, doc, name, &res->out, err) < 0)
		return -1;
	snprintf(outname, sizeof outname, "%s (mapped to %s)", name, swn_form_name(to));
	out = swn_xml_parse(res->out.data, res->out.len, outname, err);
	if (out == NULL) {
		err->code = SWN_E_MAP_OUTPUT;
		swn_buf_free(&res->out);
		return -1;
	}
	rc = swn_doctype_validate(type, to, out, outname, report, ctx, err);
	if (rc < 0) {
		/* Valid input that maps to invalid output: the map or the
		 * international schema is at fault, not the sender. */
		err->code = SWN_E_MAP_OUTPUT;
		swn_buf_free(&res->out);
	}
	if (rc == 0 && parsed)
		*parsed = out;
	else
		xmlFreeDoc(out);
	return rc;
}

int swn_pipeline_to_domestic(const struct swn_doctype *type, xmlDocPtr doc, const char *name,
			     struct swn_mapped *res, struct swn_buf *report, size_t *lost,
			     struct swn_err *err)
{
	xmlDocPtr dom = NULL, back = NULL;
	struct swn_buf again;
	char backname[600];
	int rc = -1;

	*lost = 0;
	swn_buf_init(report, 2 * SWN_MAX_DOCUMENT_BYTES + 65536);
	swn_buf_init(&again, SWN_MAX_DOCUMENT_BYTES);
	if (swn_pipeline_map_valid(type, SWN_FORM_INTERNATIONAL, doc, name, SWN_FORM_DOMESTIC,
				   NULL, NULL, res, &dom, err) < 0)
		return -1;
	snprintf(backname, sizeof backname, "%s (mapped to domestic and back)", name);
	if (swn_doctype_map(type, SWN_FORM_DOMESTIC, dom, backname, &again, err) < 0 ||
	    !(back = swn_xml_parse(again.data, again.len, backname, err))) {
		err->code = SWN_E_MAP_OUTPUT;
		goto done;
	}
	rc = swn_loss_compare(doc, back, swn_doctype_id(type), report, lost, err);
done:
	if (rc < 0) {
		swn_buf_free(&res->out);
		swn_buf_free(report);
	}
	swn_buf_free(&again);
	xmlFreeDoc(back);
	xmlFreeDoc(dom);
	return rc;
}

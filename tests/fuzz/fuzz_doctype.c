/*
 * fuzz_doctype.c - a document from a domestic system or a peer: the safe
 * parse, detection of its type and form from the registry, validation
 * against its schema, and, when valid, the map to the other form with the
 * output parsed and validated again (the pipeline, as validate, map, send
 * and receive run it).
 */
#include "autoconfig.h"

#include <libxml/tree.h>

#include "fuzz.h"
#include "doc/pipeline.h"
#include "xml/xmlsafe.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	(void)fuzz_registry();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct swn_doctype *type;
	struct swn_mapped res;
	enum swn_form form;
	struct swn_err err;
	xmlDocPtr doc;

	swn_err_clear(&err);
	doc = swn_xml_parse((const char *)data, size, "fuzz", &err);
	if (doc == NULL)
		return 0;
	if (swn_pipeline_validate(fuzz_registry(), doc, "fuzz", NULL, NULL, &type, &form,
				  &err) == 0) {
		enum swn_form to = form == SWN_FORM_DOMESTIC ? SWN_FORM_INTERNATIONAL
							     : SWN_FORM_DOMESTIC;

		(void)swn_pipeline_map_valid(type, form, doc, "fuzz", to, NULL, NULL, &res,
					     NULL, &err);
		swn_buf_free(&res.out);
	}
	xmlFreeDoc(doc);
	return 0;
}

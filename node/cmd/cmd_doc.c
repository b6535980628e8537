/* cmd_doc.c - swnode validate | map | doctypes: the document pipeline. */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "base/fsutil.h"
#include "base/swn_limits.h"
#include "doc/pipeline.h"
#include "xml/xmlsafe.h"

static void print_error(void *ctx, const struct swn_err *e)
{
	int *printed = ctx;

	swn_err_print(e, stderr);
	(*printed)++;
}

/* Print err unless the report callback already printed it. */
static void print_final(const struct swn_err *err, int printed)
{
	if (printed == 0 || (err->code != SWN_E_SCHEMA && err->code != SWN_E_MAP_OUTPUT))
		swn_err_print(err, stderr);
}

int cmd_validate(int argc, char **argv, struct swn_ctx *ctx)
{
	const struct swn_registry *reg;
	const struct swn_doctype *type;
	enum swn_form form;
	struct swn_err err;
	int c, i, failed = 0;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", NULL)) != -1)
		return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	if (optind >= argc)
		return swn_cli_usage_error(ctx, "give at least one FILE");
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	reg = ctx->reg;
	for (i = optind; i < argc; i++) {
		const char *name = strcmp(argv[i], "-") == 0 ? "<stdin>" : argv[i];
		xmlDocPtr doc;
		int printed = 0;

		swn_err_clear(&err);
		doc = swn_xml_read(argv[i], SWN_MAX_DOCUMENT_BYTES, &err);
		if (doc && swn_pipeline_validate(reg, doc, name, print_error, &printed,
						 &type, &form, &err) == 0) {
			printf("%s: valid %s (%s)\n", name, swn_doctype_id(type),
			       swn_form_name(form));
		} else {
			print_final(&err, printed);
			printf("%s: invalid (%s)\n", name, swn_code_name(err.code));
			failed++;
		}
		xmlFreeDoc(doc);
	}
	return failed ? SWN_EXIT_FAIL : SWN_EXIT_OK;
}

int cmd_map(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *to = NULL, *out = NULL, *name;
	const struct swn_registry *reg;
	struct swn_mapped res;
	enum swn_form target;
	struct swn_err err;
	xmlDocPtr doc;
	int c, rc, printed = 0;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "o:", opts)) != -1) {
		if (c == 't')
			to = optarg;
		else if (c == 'o')
			out = optarg;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (to == NULL)
		return swn_cli_usage_error(ctx, "--to international or --to domestic is required");
	if (strcmp(to, "international") == 0)
		target = SWN_FORM_INTERNATIONAL;
	else if (strcmp(to, "domestic") == 0)
		target = SWN_FORM_DOMESTIC;
	else
		return swn_cli_usage_error(ctx, "--to must be international or domestic, not '%s'", to);
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one FILE");
	name = strcmp(argv[optind], "-") == 0 ? "<stdin>" : argv[optind];
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	reg = ctx->reg;
	if (!(doc = swn_xml_read(argv[optind], SWN_MAX_DOCUMENT_BYTES, &err)))
		return swn_cli_fail(&err);
	rc = swn_pipeline_map(reg, doc, name, target, print_error, &printed, &res, &err);
	xmlFreeDoc(doc);
	if (rc < 0) {
		print_final(&err, printed);
		if (err.code == SWN_E_MAP_OUTPUT)
			fprintf(stderr, "swnode: %s: the %s map produced a document its schema refuses; this is a fault in the map or the schemas, not in the input\n",
				name, res.type ? swn_doctype_id(res.type) : "");
		return err.code == SWN_E_USAGE ? SWN_EXIT_USAGE : SWN_EXIT_FAIL;
	}
	rc = swn_write_output(out, res.out.data, res.out.len, &err);
	swn_buf_free(&res.out);
	return rc < 0 ? swn_cli_fail(&err) : SWN_EXIT_OK;
}

int cmd_doctypes(int argc, char **argv, struct swn_ctx *ctx)
{
	const struct swn_registry *reg;
	struct swn_err err;
	size_t i;
	int c;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", NULL)) != -1)
		return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	reg = ctx->reg;
	for (i = 0; i < swn_registry_count(reg); i++) {
		const struct swn_doctype *dt = swn_registry_at(reg, i);

		printf("%s\t%s\n", swn_doctype_id(dt), swn_doctype_title(dt));
		printf("  domestic       {%s}%s\n", swn_doctype_namespace(dt, SWN_FORM_DOMESTIC),
		       swn_doctype_root(dt, SWN_FORM_DOMESTIC));
		printf("  international  {%s}%s\n", swn_doctype_namespace(dt, SWN_FORM_INTERNATIONAL),
		       swn_doctype_root(dt, SWN_FORM_INTERNATIONAL));
	}
	return SWN_EXIT_OK;
}

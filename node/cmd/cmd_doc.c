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

/* The loss report, one line per value, for a person reading stderr. */
static void print_loss(const char *name, const struct swn_buf *report, size_t lost)
{
	xmlDocPtr r;
	xmlNodePtr n;
	struct swn_err err;

	if (lost == 0)
		return;
	fprintf(stderr, "swnode: %s: %zu value%s the domestic form cannot hold (path = value):\n",
		name, lost, lost == 1 ? "" : "s");
	swn_err_clear(&err);
	if (!(r = swn_xml_parse(report->data, report->len, "loss report", &err)))
		return;
	for (n = xmlDocGetRootElement(r)->children; n; n = n->next) {
		xmlChar *path, *value;

		if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "Lost") != 0)
			continue;
		path = xmlGetProp(n, BAD_CAST "path");
		value = xmlGetProp(n, BAD_CAST "value");
		fprintf(stderr, "  %s = %s\n", path ? (char *)path : "", value ? (char *)value : "");
		xmlFree(path);
		xmlFree(value);
	}
	xmlFreeDoc(r);
}

/* The doctype --as names, if it shares type's domestic form. */
static const struct swn_doctype *variant(const struct swn_registry *reg,
					 const struct swn_doctype *type, const char *as,
					 struct swn_err *err)
{
	const struct swn_doctype *t;

	for (t = type; t; t = swn_registry_next_sharing(reg, t))
		if (strcmp(swn_doctype_id(t), as) == 0)
			return t;
	swn_err_set(err, SWN_E_USAGE, NULL, 0, "--as %s: not a doctype sharing the domestic form of %s",
		    as, swn_doctype_id(type));
	return NULL;
}

int cmd_map(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "report", required_argument, NULL, 'r' },
		{ "as", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *to = NULL, *out = NULL, *report_path = NULL, *as = NULL, *name;
	const struct swn_registry *reg;
	const struct swn_doctype *type = NULL;
	struct swn_mapped res;
	struct swn_buf report;
	enum swn_form target, form;
	struct swn_err err;
	xmlDocPtr doc;
	size_t lost = 0;
	int c, rc, printed = 0;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "o:", opts)) != -1) {
		if (c == 't')
			to = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 'r')
			report_path = optarg;
		else if (c == 'a')
			as = optarg;
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
	if (report_path && target != SWN_FORM_DOMESTIC)
		return swn_cli_usage_error(ctx, "--report goes with --to domestic");
	if (as && target != SWN_FORM_INTERNATIONAL)
		return swn_cli_usage_error(ctx, "--as goes with --to international");
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one FILE");
	name = strcmp(argv[optind], "-") == 0 ? "<stdin>" : argv[optind];
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	reg = ctx->reg;
	if (!(doc = swn_xml_read(argv[optind], SWN_MAX_DOCUMENT_BYTES, &err)))
		return swn_cli_fail(&err);
	swn_buf_init(&res.out, SWN_MAX_DOCUMENT_BYTES);
	swn_buf_init(&report, 0);
	rc = swn_pipeline_validate(reg, doc, name, print_error, &printed, &type, &form, &err);
	if (rc == 0 && form == target)
		rc = swn_err_set(&err, SWN_E_USAGE, name, 0, "already a %s %s document; nothing to map",
				 swn_form_name(target), swn_doctype_id(type));
	if (rc == 0 && as && !(type = variant(reg, type, as, &err)))
		rc = -1;
	if (rc == 0)
		rc = target == SWN_FORM_DOMESTIC
			     ? swn_pipeline_to_domestic(type, doc, name, &res, &report, &lost, &err)
			     : swn_pipeline_map_valid(type, form, doc, name, target, print_error, &printed,
						      &res, NULL, &err);
	xmlFreeDoc(doc);
	if (rc < 0) {
		print_final(&err, printed);
		if (err.code == SWN_E_MAP_OUTPUT)
			fprintf(stderr, "swnode: %s: the %s map produced a document its schema refuses; this is a fault in the map or the schemas, not in the input\n",
				name, type ? swn_doctype_id(type) : "");
		return err.code == SWN_E_USAGE ? SWN_EXIT_USAGE : SWN_EXIT_FAIL;
	}
	if (report_path)
		rc = swn_write_output(report_path, report.data, report.len, &err);
	else
		print_loss(name, &report, lost);
	if (rc == 0)
		rc = swn_write_output(out, res.out.data, res.out.len, &err);
	swn_buf_free(&res.out);
	swn_buf_free(&report);
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

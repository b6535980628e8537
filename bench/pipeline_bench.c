/*
 * pipeline_bench - map+validate per second on one core, both directions.
 *
 *   pipeline_bench LABEL SCHEMAS-DIR DOMESTIC.xml SECONDS
 *
 * One operation is what the node does with a document: parse the bytes
 * (safe parser), detect and validate the input, map it, parse and validate
 * the output.  "out" is domestic -> international (submitting), "in" is
 * international -> domestic (receiving), starting from the international
 * document the first direction made.  Prints "pipeline_LABEL_out_per_s N
 * per_s" and "pipeline_LABEL_in_per_s N per_s".
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "doc/doctype.h"
#include "base/fsutil.h"
#include "doc/pipeline.h"
#include "base/swn_limits.h"
#include "xml/xmlsafe.h"

struct job {
	const struct swn_registry *reg;
	const char *bytes;
	size_t len;
	enum swn_form to;
};

static void die(const char *what, const struct swn_err *err)
{
	fprintf(stderr, "pipeline_bench: %s: %s\n", what, err ? err->msg : "");
	exit(1);
}

/* One document through the pipeline; the output in *out if asked. */
static void run_once(const struct job *j, struct swn_buf *out)
{
	struct swn_mapped m;
	struct swn_err err;
	xmlDocPtr doc;

	swn_err_clear(&err);
	if (!(doc = swn_xml_parse(j->bytes, j->len, "document", &err)))
		die("parse", &err);
	if (j->to == SWN_FORM_DOMESTIC) {
		/* As a received document: validated (schema and rules), mapped,
		 * mapped back and compared for the loss report. */
		const struct swn_doctype *type;
		enum swn_form form;
		struct swn_buf report;
		size_t lost;

		if (swn_pipeline_validate(j->reg, doc, "document", NULL, NULL, &type, &form, &err) < 0 ||
		    swn_pipeline_to_domestic(type, doc, "document", &m, &report, &lost, &err) < 0)
			die("to domestic", &err);
		swn_buf_free(&report);
	} else if (swn_pipeline_map(j->reg, doc, "document", j->to, NULL, NULL, &m, &err) < 0) {
		die("map", &err);
	}
	xmlFreeDoc(doc);
	if (out)
		*out = m.out;
	else
		swn_buf_free(&m.out);
}

static double rate(const struct job *j, double seconds)
{
	struct timespec a, b;
	double t;
	long n = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		run_once(j, NULL);
		n++;
		clock_gettime(CLOCK_MONOTONIC, &b);
		t = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	} while (t < seconds);
	return (double)n / t;
}

int main(int argc, char **argv)
{
	struct swn_registry *reg;
	struct swn_buf intl;
	struct swn_err err;
	struct job j;
	char *domestic;
	size_t len;
	double secs;

	if (argc != 5) {
		fprintf(stderr, "usage: pipeline_bench LABEL SCHEMAS-DIR DOMESTIC.xml SECONDS\n");
		return 2;
	}
	secs = atof(argv[4]);
	swn_err_clear(&err);
	swn_xml_init();
	if (swn_registry_load(argv[2], &reg, &err) < 0 ||
	    swn_file_read(argv[3], SWN_MAX_DOCUMENT_BYTES, &domestic, &len, &err) < 0)
		die("setup", &err);
	j.reg = reg;
	j.bytes = domestic;
	j.len = len;
	j.to = SWN_FORM_INTERNATIONAL;
	run_once(&j, &intl);
	printf("pipeline_%s_domestic_bytes %zu bytes\n", argv[1], len);
	printf("pipeline_%s_international_bytes %zu bytes\n", argv[1], intl.len);
	printf("pipeline_%s_out_per_s %.0f per_s\n", argv[1], rate(&j, secs));
	j.bytes = intl.data;
	j.len = intl.len;
	j.to = SWN_FORM_DOMESTIC;
	printf("pipeline_%s_in_per_s %.0f per_s\n", argv[1], rate(&j, secs));
	swn_buf_free(&intl);
	free(domestic);
	swn_registry_free(reg);
	return 0;
}

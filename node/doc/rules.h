/*
 * rules.h - ISO Schematron rules, compiled to XSLT 1.0 and checked.
 *
 * What a doctype or an agreement requires beyond the published schema of
 * a form (a field that form leaves optional, a code list) is written as
 * ISO Schematron.  swn_rules_compile() turns a rule file into a stylesheet
 * with swnode's own compiler (schemas/schematron.xsl, whose header lists
 * the subset supported); swn_rules_check() runs it on a document and turns
 * each failed assert or fired report into an error naming the element's
 * path and line.
 *
 * Invariants:
 *  - A rule file that does not compile, or uses what the compiler does not
 *    support, is refused when it is loaded (SWN_E_CONFIG): never skipped.
 *  - Rules run under locked-down libxslt security preferences (xslt.h):
 *    they read nothing but the document.
 *  - Compiled rules are read-only and may be shared by threads.
 */
#ifndef SWN_RULES_H
#define SWN_RULES_H

#include <libxml/tree.h>

#include "base/err.h"
#include "xml/schema.h"

struct swn_rules;

/* Compile the Schematron file sch_path with the compiler stylesheet at
 * compiler_path.  NULL with err (SWN_E_CONFIG) if either does not compile. */
struct swn_rules *swn_rules_compile(const char *compiler_path, const char *sch_path,
				    struct swn_err *err);
void swn_rules_free(struct swn_rules *r);

/* The rule file's path, as given. */
const char *swn_rules_path(const struct swn_rules *r);

/* 0 if doc passes every rule.  Otherwise -1: the first failure is in err
 * (SWN_E_SCHEMA, name, the element's line, "rules FILE: PATH: message"),
 * and report, if not NULL, has seen every failure up to
 * SWN_MAX_REPORTED_ERRORS.  SWN_E_MAP if the rules could not run. */
int swn_rules_check(const struct swn_rules *r, xmlDocPtr doc, const char *name, swn_report_fn report, void *report_ctx,
		    struct swn_err *err);

#endif

/*
 * xslt.h - compile and run XSLT 1.0 stylesheets, with their errors kept.
 *
 * libxslt reports errors through global printf-style callbacks, in
 * fragments; this module collects them into one swn_err line for every
 * stylesheet swnode compiles (document maps, Schematron rules) and every
 * transform it runs.
 *
 * Invariants:
 *  - Every transform runs under the security preferences it is given
 *    (swn_xslt_locked_prefs(): no file or network access at all).
 *  - A transform that stops (xsl:message terminate="yes") or fails is an
 *    error; a plain xsl:message is not.
 */
#ifndef SWN_XSLT_H
#define SWN_XSLT_H

#include <libxml/tree.h>
#include <libxslt/security.h>
#include <libxslt/xsltInternals.h>

#include "base/err.h"

/* Preferences that forbid reading and writing files, making directories
 * and the network.  NULL if out of memory. */
xsltSecurityPrefsPtr swn_xslt_locked_prefs(void);

/* Compile the stylesheet file at path (what) or the document doc (which it
 * takes, freed on failure too; path names it in errors).  NULL with err
 * (SWN_E_CONFIG: "WHAT does not compile: ..."). */
xsltStylesheetPtr swn_xslt_compile_file(const char *path, const char *what, struct swn_err *err);
xsltStylesheetPtr swn_xslt_compile_doc(xmlDocPtr doc, const char *path, const char *what,
				       struct swn_err *err);

/* Apply style to doc under prefs: the result document, or NULL with err
 * (SWN_E_MAP, name, "WHAT failed: what libxslt said"). */
xmlDocPtr swn_xslt_apply(xsltStylesheetPtr style, xsltSecurityPrefsPtr prefs, xmlDocPtr doc,
			 const char *name, const char *what, struct swn_err *err);

#endif

/*
 * xmlout.h - writing the XML files swnode makes (node.xml, bundles, draft
 * agreements): serialised as indented UTF-8, written atomically.
 */
#ifndef SWN_XMLOUT_H
#define SWN_XMLOUT_H

#include <stddef.h>
#include <sys/types.h>

#include <libxml/tree.h>

#include "base/err.h"
#include "base/fsutil.h"

/* The document as indented UTF-8 text (malloc'd, NUL-terminated). */
int swn_xml_to_text(xmlDocPtr doc, char **text, size_t *len, struct swn_err *err);

/* The document's bytes exactly as they are (no reformatting: for signed
 * documents), malloc'd. */
int swn_xml_to_bytes(xmlDocPtr doc, char **bytes, size_t *len, struct swn_err *err);

/* Write the document to path (see swn_file_write). */
int swn_xml_save(xmlDocPtr doc, const char *path, mode_t perm,
		 enum swn_write_mode how, struct swn_err *err);

/* A new document whose root element is name in namespace ns. */
xmlDocPtr swn_xml_new(const char *ns, const char *name, xmlNodePtr *root);

#endif

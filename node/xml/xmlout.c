/* xmlout.c - writing swnode's own XML files; see xmlout.h. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "xml/xmlout.h"

int swn_xml_to_text(xmlDocPtr doc, char **text, size_t *len, struct swn_err *err)
{
	xmlChar *out = NULL;
	int n = 0;

	*text = NULL;
	xmlDocDumpFormatMemoryEnc(doc, &out, &n, "UTF-8", 1);
	if (out == NULL || n < 0 || !(*text = malloc((size_t)n + 1))) {
		xmlFree(out);
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	}
	memcpy(*text, out, (size_t)n + 1);
	*len = (size_t)n;
	xmlFree(out);
	return 0;
}

int swn_xml_to_bytes(xmlDocPtr doc, char **bytes, size_t *len, struct swn_err *err)
{
	xmlChar *out = NULL;
	int n = 0;

	*bytes = NULL;
	xmlDocDumpMemoryEnc(doc, &out, &n, "UTF-8");
	if (out == NULL || n < 0 || !(*bytes = malloc((size_t)n + 1))) {
		xmlFree(out);
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	}
	memcpy(*bytes, out, (size_t)n + 1);
	*len = (size_t)n;
	xmlFree(out);
	return 0;
}

int swn_xml_save(xmlDocPtr doc, const char *path, mode_t perm,
		 enum swn_write_mode how, struct swn_err *err)
{
	char *text;
	size_t len;
	int rc;

	if (swn_xml_to_text(doc, &text, &len, err) < 0)
		return swn_err_set(err, SWN_E_NOMEM, path, 0, "out of memory");
	rc = swn_file_write(path, text, len, perm, how, err);
	free(text);
	return rc;
}

xmlDocPtr swn_xml_new(const char *ns, const char *name, xmlNodePtr *root)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");

	*root = xmlNewNode(NULL, BAD_CAST name);
	xmlSetNs(*root, xmlNewNs(*root, BAD_CAST ns, NULL));
	xmlDocSetRootElement(doc, *root);
	return doc;
}

/* certxml.c - certificates in XML files; see certxml.h. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "trust/certxml.h"
#include "trust/pki.h"
#include "xml/xmlsafe.h"

xmlNodePtr swn_certxml_add(xmlNodePtr parent, const char *name, X509 *cert,
			   struct swn_err *err)
{
	struct swn_cert_info info;
	xmlNodePtr el;
	char *pem = swn_cert_to_pem(cert, err);

	if (pem == NULL)
		return NULL;
	swn_cert_describe(cert, &info);
	el = xmlNewChild(parent, parent->ns, BAD_CAST name, NULL);
	xmlNewProp(el, BAD_CAST "sha256", BAD_CAST info.sha256);
	xmlNewProp(el, BAD_CAST "notBefore", BAD_CAST info.not_before);
	xmlNewProp(el, BAD_CAST "notAfter", BAD_CAST info.not_after);
	xmlNewProp(el, BAD_CAST "keyType", BAD_CAST info.key_type);
	xmlNewTextChild(el, parent->ns, BAD_CAST "subject", BAD_CAST info.subject);
	xmlNewTextChild(el, parent->ns, BAD_CAST "pem", BAD_CAST pem);
	free(pem);
	return el;
}

/* The attribute must say exactly what the certificate says. */
static int check_attr(xmlNodePtr el, const char *attr, const char *actual,
		      const char *file, struct swn_err *err)
{
	xmlChar *v = xmlGetProp(el, BAD_CAST attr);
	int ok = v && strcmp((const char *)v, actual) == 0;

	if (!ok)
		swn_err_set(err, SWN_E_CONFIG, file, swn_xml_line(el),
			    "element '%s': %s=\"%s\" does not match the certificate, which says \"%s\"",
			    (const char *)el->name, attr, v ? (const char *)v : "",
			    actual);
	xmlFree(v);
	return ok ? 0 : -1;
}

static int check_subject(xmlNodePtr el, const char *actual, const char *file,
			 struct swn_err *err)
{
	xmlNodePtr s = swn_xml_child(el, "subject");
	xmlChar *v = s ? xmlNodeGetContent(s) : NULL;
	int ok = v && strcmp((const char *)v, actual) == 0;

	if (!ok)
		swn_err_set(err, SWN_E_CONFIG, file, swn_xml_line(s ? s : el),
			    "element '%s': subject \"%s\" does not match the certificate, which says \"%s\"",
			    (const char *)el->name, v ? (const char *)v : "", actual);
	xmlFree(v);
	return ok ? 0 : -1;
}

X509 *swn_certxml_read(xmlNodePtr el, const char *file, struct swn_err *err)
{
	struct swn_cert_info info;
	xmlNodePtr pemel;
	char *pem;
	X509 *c;

	if (el == NULL) {
		swn_err_set(err, SWN_E_CONFIG, file, 0, "certificate element missing");
		return NULL;
	}
	pemel = swn_xml_child(el, "pem");
	pem = pemel ? (char *)xmlNodeGetContent(pemel) : NULL;
	if (pem == NULL) {
		swn_err_set(err, SWN_E_CONFIG, file, swn_xml_line(el),
			    "element '%s': no pem", (const char *)el->name);
		return NULL;
	}
	c = swn_cert_from_pem(pem, strlen(pem), file, swn_xml_line(pemel), err);
	xmlFree(pem);
	if (c == NULL)
		return NULL;
	swn_cert_describe(c, &info);
	if (check_subject(el, info.subject, file, err) < 0 ||
	    check_attr(el, "sha256", info.sha256, file, err) < 0 ||
	    check_attr(el, "notBefore", info.not_before, file, err) < 0 ||
	    check_attr(el, "notAfter", info.not_after, file, err) < 0 ||
	    check_attr(el, "keyType", info.key_type, file, err) < 0) {
		X509_free(c);
		return NULL;
	}
	return c;
}

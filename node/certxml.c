/* certxml.c - certificates in XML files; see certxml.h. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "certxml.h"
#include "pki.h"
#include "xmlsafe.h"

xmlNodePtr swn_certxml_add(xmlNodePtr parent, const char *name, X509 *cert,
			   struct swn_err *err)
{
	char fp[SWN_FP_LEN + 1], nb[SWN_TIME_LEN + 1], na[SWN_TIME_LEN + 1];
	char subject[512], ktype[64];
	time_t tb, ta;
	xmlNodePtr el;
	char *pem = swn_cert_to_pem(cert, err);

	if (pem == NULL)
		return NULL;
	swn_cert_fingerprint(cert, fp);
	swn_cert_validity(cert, &tb, &ta);
	swn_time_iso(tb, nb);
	swn_time_iso(ta, na);
	swn_cert_subject(cert, subject, sizeof subject);
	swn_cert_key_type(cert, ktype, sizeof ktype);
	el = xmlNewChild(parent, parent->ns, BAD_CAST name, NULL);
	xmlNewProp(el, BAD_CAST "sha256", BAD_CAST fp);
	xmlNewProp(el, BAD_CAST "notBefore", BAD_CAST nb);
	xmlNewProp(el, BAD_CAST "notAfter", BAD_CAST na);
	xmlNewProp(el, BAD_CAST "keyType", BAD_CAST ktype);
	xmlNewTextChild(el, parent->ns, BAD_CAST "subject", BAD_CAST subject);
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

X509 *swn_certxml_read(xmlNodePtr el, const char *file, struct swn_err *err)
{
	char fp[SWN_FP_LEN + 1], nb[SWN_TIME_LEN + 1], na[SWN_TIME_LEN + 1];
	char ktype[64];
	xmlNodePtr pemel = swn_xml_child(el, "pem");
	char *pem = pemel ? (char *)xmlNodeGetContent(pemel) : NULL;
	time_t tb, ta;
	X509 *c;

	if (pem == NULL) {
		swn_err_set(err, SWN_E_CONFIG, file, swn_xml_line(el),
			    "element '%s': no pem", (const char *)el->name);
		return NULL;
	}
	c = swn_cert_from_pem(pem, strlen(pem), file, swn_xml_line(pemel), err);
	xmlFree(pem);
	if (c == NULL)
		return NULL;
	swn_cert_fingerprint(c, fp);
	swn_cert_validity(c, &tb, &ta);
	swn_time_iso(tb, nb);
	swn_time_iso(ta, na);
	swn_cert_key_type(c, ktype, sizeof ktype);
	if (check_attr(el, "sha256", fp, file, err) < 0 ||
	    check_attr(el, "notBefore", nb, file, err) < 0 ||
	    check_attr(el, "notAfter", na, file, err) < 0 ||
	    check_attr(el, "keyType", ktype, file, err) < 0) {
		X509_free(c);
		return NULL;
	}
	return c;
}

/*
 * certxml.h - a certificate as it appears in bundles and agreements.
 *
 *   <NAME sha256="AB:..:EF" notBefore="..Z" notAfter="..Z" keyType="ec-p256">
 *     <subject>CN=...</subject>
 *     <pem>-----BEGIN CERTIFICATE-----...</pem>
 *   </NAME>
 *
 * The PEM is the certificate; the attributes and the subject repeat what it
 * says so that a person can read and compare them.  Reading checks that they agree: a
 * fingerprint that does not match the PEM is an error, never "fixed".
 */
#ifndef SWN_CERTXML_H
#define SWN_CERTXML_H

#include <libxml/tree.h>
#include <openssl/x509.h>

#include "base/err.h"

/* Append a certificate element named name (in parent's namespace). */
xmlNodePtr swn_certxml_add(xmlNodePtr parent, const char *name, X509 *cert,
			   struct swn_err *err);

/* Parse and check a certificate element; file names the input in errors. */
X509 *swn_certxml_read(xmlNodePtr el, const char *file, struct swn_err *err);

#endif

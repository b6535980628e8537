/*
 * wssec.h - WS-Security signatures on AS4 envelopes (libxmlsec1, OpenSSL).
 *
 * Signs an envelope built by as4: an X.509 BinarySecurityToken and a
 * ds:Signature in wsse:Security over soap:Body and eb:Messaging, referenced
 * by wsu:Id, exclusive C14N, SHA-256 digests, rsa-sha256 or ecdsa-sha256 by
 * the key's type.  Verifies a received envelope against one certificate.
 *
 * Verification cannot be fooled, by construction:
 *  - the key is the caller's (the agreement's pinned certificate), never
 *    the message's: BinarySecurityToken, KeyValue or any other KeyInfo in
 *    the message is not used;
 *  - the algorithms are fixed: exclusive C14N, SHA-256, the expected
 *    signature algorithm; references are same-document "#id" only;
 *  - every wsu:Id, xml:id and Id in the message must be unique, and the
 *    references must resolve to exactly the Envelope's soap:Body and its
 *    Header's eb:Messaging, the nodes swnode goes on to process (no
 *    wrapping), each exactly once;
 *  - valid means libxmlsec1 reported xmlSecDSigStatusSucceeded, not merely
 *    that it returned 0.
 * It checks no dates and no chains: those are the agreement's checks.
 */
#ifndef SWN_WSSEC_H
#define SWN_WSSEC_H

#include <libxml/tree.h>
#include <openssl/x509.h>

#include "as4.h"
#include "err.h"

#define SWN_ALG_RSA_SHA256   "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define SWN_ALG_ECDSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define SWN_ALG_EXC_C14N     "http://www.w3.org/2001/10/xml-exc-c14n#"
#define SWN_ALG_SHA256       "http://www.w3.org/2001/04/xmlenc#sha256"

/* Once per process, after swn_xml_init(). */
int swn_wssec_init(struct swn_err *err);
void swn_wssec_cleanup(void);

/* The node's signing identity, loaded once and used for every message. */
struct swn_signer;

int swn_signer_load(const char *key_path, const char *cert_path,
		    struct swn_signer **out, struct swn_err *err);
void swn_signer_free(struct swn_signer *s);
/* "rsa-sha256" or "ecdsa-sha256". */
const char *swn_signer_alg(const struct swn_signer *s);

/* Sign the parsed envelope m (its wsse:Security must exist and hold no
 * signature yet). */
int swn_wssec_sign(xmlDocPtr doc, const struct swn_as4_msg *m,
		   const struct swn_signer *s, struct swn_err *err);

/* What verification found about one ds:Reference (for diagnostics). */
struct swn_wssec_ref {
	char uri[SWN_AS4_ID_BYTES];
	char target[64];        /* "eb:Messaging", "soap:Body", or what else */
	char prefixes[128];     /* InclusiveNamespaces PrefixList, if any */
	int digest_ok;          /* 1 matched, 0 did not, -1 not computed */
};

struct swn_wssec_report {
	int nrefs;
	struct swn_wssec_ref refs[8];
	char sig_alg[16];       /* "rsa-sha256", "ecdsa-sha256" or "other" */
	int key_info_ignored;   /* the message carried KeyInfo we did not use */
};

/* Verify m's signature with cert alone.  expected_alg is "rsa-sha256",
 * "ecdsa-sha256" or NULL (either, as cert's key allows).  report, if not
 * NULL, is filled with each reference and whether its digest matched (the
 * digests are then computed independently of libxmlsec1, for diagnosis).
 * Returns 0 if valid; otherwise -1 with err (SWN_E_SIGNATURE) saying why. */
int swn_wssec_verify(xmlDocPtr doc, const struct swn_as4_msg *m, X509 *cert,
		     const char *expected_alg, struct swn_wssec_report *report,
		     struct swn_err *err);

#endif

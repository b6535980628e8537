/*
 * wssec.h - WS-Security signatures on AS4 envelopes (libxmlsec1, OpenSSL).
 *
 * Signs an envelope built by as4: an X.509 BinarySecurityToken and a
 * ds:Signature in wsse:Security over soap:Body and eb:Messaging, referenced
 * by wsu:Id, exclusive C14N, SHA-256 digests, rsa-sha256 or ecdsa-sha256 by
 * the key's type (and Ed25519, eDelivery AS4 2.0, for messages with MIME
 * parts only: swn_signer_load_swa).  Verifies a received envelope against one certificate.
 *
 * Verification is decided by dsig (swnode's own strict reading of the
 * signature: bare-name references only, every digest recomputed over the
 * element swnode will process, the SignatureValue checked with the pinned
 * key) and then re-checked by libxmlsec1; both must agree.  Here:
 *  - the key is the caller's (the agreement's pinned certificate), never
 *    the message's: BinarySecurityToken, KeyValue or any other KeyInfo in
 *    the message is not used;
 *  - every wsu:Id, xml:id and Id in the message whose value is an NCName is
 *    registered and must be unique; the targets are exactly the
 *    Envelope's soap:Body and its Header's eb:Messaging, the nodes swnode
 *    goes on to process (no wrapping);
 *  - libxmlsec1 sees a signature only after dsig has accepted it, with
 *    only exclusive C14N, SHA-256 and the expected algorithm enabled; its
 *    verdict is xmlSecDSigStatusSucceeded for the signature and every
 *    reference, not merely a 0 return;
 *  - a message with MIME parts (SOAP with Attachments) is decided by dsig
 *    alone: libxmlsec1 resolves no cid: reference and knows no attachment
 *    transform, so it has nothing to re-check it with
 *    (xmlsec_confirmed stays 0); such a message may also be signed with
 *    Ed25519 (eDelivery AS4 2.0), which libxmlsec1 1.2.37 lacks;
 *  - so may a signal (Receipt, eb:Error) of eDelivery AS4 2.0, verified
 *    with Ed25519 only when the caller names "ed25519" (the agreement's
 *    profile), and then also decided by dsig alone; a body-form
 *    UserMessage is never signed or verified with Ed25519.
 * It checks no dates and no chains: those are the agreement's checks.
 */
#ifndef SWN_WSSEC_H
#define SWN_WSSEC_H

#include <libxml/tree.h>
#include <openssl/x509.h>

#include "as4/as4.h"
#include "as4/dsig.h"
#include "base/err.h"

/* Once per process, after swn_xml_init(). */
int swn_wssec_init(struct swn_err *err);
void swn_wssec_cleanup(void);

/* The node's signing identity, loaded once and used for every message. */
struct swn_signer;

int swn_signer_load(const char *key_path, const char *cert_path,
		    struct swn_signer **out, struct swn_err *err);
/* The same, also taking an Ed25519 key (eDelivery AS4 2.0), which signs
 * only messages with MIME parts (swn_wssec_sign_parts with parts) and
 * signals: a body-form UserMessage refuses it, as its verification does. */
int swn_signer_load_swa(const char *key_path, const char *cert_path,
			struct swn_signer **out, struct swn_err *err);
void swn_signer_free(struct swn_signer *s);
/* "rsa-sha256", "ecdsa-sha256" or "ed25519". */
const char *swn_signer_alg(const struct swn_signer *s);

/* Sign the parsed envelope m (its wsse:Security must exist and hold no
 * signature yet): its eb:Messaging, its soap:Body and, with
 * swn_wssec_sign_parts, each part as "cid:" + its Content-ID through the
 * attachment content transform (the parts are read once, from their
 * start). */
int swn_wssec_sign(xmlDocPtr doc, const struct swn_as4_msg *m,
		   const struct swn_signer *s, struct swn_err *err);
int swn_wssec_sign_parts(xmlDocPtr doc, const struct swn_as4_msg *m,
			 const struct swn_dsig_part *parts, int nparts,
			 const struct swn_signer *s, struct swn_err *err);

/* What verification found, for diagnostics (swnode as4 verify). */
struct swn_wssec_report {
	struct swn_dsig_report sig;  /* each reference and its digest, the value */
	int key_info_ignored;        /* the message carried KeyInfo we did not use */
	int xmlsec_confirmed;        /* libxmlsec1 agreed */
};

/* Every ID-like attribute (wsu:Id, Id, xml:id) of doc whose value is an
 * NCName registered, so that "#name" resolves to its element and nothing
 * else; each must be unique (a duplicate is refused as a wrapping
 * attempt).  Other values are never registered: no reference can name
 * them (dsig accepts only "#NCName").  The verification below does this
 * first; whoever calls dsig directly on a message calls it too.  0, or -1
 * with err (SWN_E_SIGNATURE). */
int swn_wssec_register_ids(xmlDocPtr doc, const char *name, struct swn_err *err);

/* Verify m's signature with cert alone.  expected_alg is "rsa-sha256",
 * "ecdsa-sha256", "ed25519" (parts and signals only) or NULL (either of
 * the first two, as cert's key allows; Ed25519 with parts).  report, if not
 * NULL, is filled with each reference and whether its digest matched.
 * Returns 0 if valid; otherwise -1 with err (SWN_E_SIGNATURE) saying why. */
int swn_wssec_verify(xmlDocPtr doc, const struct swn_as4_msg *m, X509 *cert,
		     const char *expected_alg, struct swn_wssec_report *report,
		     struct swn_err *err);
/* The same for a message with MIME parts: every part must be signed, each
 * once, and nothing else (read from their start; see dsig.h). */
int swn_wssec_verify_parts(xmlDocPtr doc, const struct swn_as4_msg *m,
			   const struct swn_dsig_part *parts, int nparts, X509 *cert,
			   const char *expected_alg, struct swn_wssec_report *report,
			   struct swn_err *err);

#endif

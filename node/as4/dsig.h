/*
 * dsig.h - the node's own XML-DSig: canonicalise, digest, sign, verify.
 *
 * Verification here decides whether a ds:Signature is valid under the one
 * profile swnode accepts, without evaluating any XPath or XPointer and
 * without relying on how libxmlsec1 reads the references:
 *  - SignedInfo holds CanonicalizationMethod (exclusive C14N, optionally
 *    with an InclusiveNamespaces PrefixList), SignatureMethod (the expected
 *    algorithm) and References, in that order, and nothing else: no other
 *    element, no text but white space, no unknown attribute;
 *  - a Reference's URI is a bare name "#NCName" or, for a MIME part (and
 *    only when the message has parts), "cid:" and a Content-ID; XPointer forms, the empty URI, "#" alone and
 *    anything else are refused before anything is resolved; a "#NCName"
 *    reference's one Transform is exclusive C14N (with an optional
 *    PrefixList of at most 16 NCNames or "#default", single spaces
 *    between them), a "cid:" reference's one Transform the SwA profile's
 *    Attachment-Content-Signature-Transform; the DigestMethod SHA-256;
 *  - the name resolves through the document's ID table to one of the
 *    caller's targets (the element pointer itself), and a cid: to one of
 *    the caller's parts (its Content-ID, read by swn_mime_cid_decode, the
 *    one reader of cid: URIs); each
 *    target and part exactly once, every one referenced;
 *  - the SignatureValue is checked here over the exclusive C14N of
 *    SignedInfo with the caller's key;
 *  - then every digest is recomputed here over the target element
 *    (libxml2's exclusive C14N, streamed into SHA-256) or part (its
 *    content through the attachment transform, swn_dsig_part_digest) and
 *    compared as bytes with the decoded DigestValue.
 * Canonicalisation walks the canonicalised subtree alone, never the rest
 * of the document.  Before the SignatureValue is known good the work is
 * reading SignedInfo and canonicalising it: whatever else a sender without
 * the key puts in the message costs nothing here.
 *
 * It registers no ids: the caller decides which attributes are ids (wssec
 * registers wsu:Id, Id and xml:id, NCName values only, each once).
 */
#ifndef SWN_DSIG_H
#define SWN_DSIG_H

#include "base/swn_limits.h"

#include <stddef.h>

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "base/err.h"

#define SWN_NS_DSIG          "http://www.w3.org/2000/09/xmldsig#"
#define SWN_ALG_RSA_SHA256   "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define SWN_ALG_ECDSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define SWN_ALG_ED25519      "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519"
#define SWN_ALG_SWA_CONTENT  "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1" \
			     "#Attachment-Content-Signature-Transform"
#define SWN_ALG_EXC_C14N     "http://www.w3.org/2001/10/xml-exc-c14n#"
#define SWN_ALG_SHA256       "http://www.w3.org/2001/04/xmlenc#sha256"

/* Limits on what a SignedInfo may hold. */

/* An element the signature must cover, and what to call it. */
struct swn_dsig_target {
	const char *name;        /* "eb:Messaging" */
	xmlNodePtr el;
};

/* A MIME part the signature must cover, referenced as "cid:" + its
 * Content-ID.  read gives the part's content from its start, as it
 * travelled (after the transfer encoding is undone, before any
 * decompression or decryption): up to cap bytes into buf, *got 0 at its
 * end; -1 on a read error. */
struct swn_dsig_part {
	const char *name;          /* "part 1" */
	const char *cid;           /* the Content-ID without its angle brackets */
	const char *content_type;  /* the part's Content-Type header value */
	int (*read)(void *arg, unsigned char *buf, size_t cap, size_t *got);
	void *arg;
};

/* What verification found about one ds:Reference. */
struct swn_dsig_ref {
	char uri[SWN_DSIG_URI_BYTES];  /* as the message has it (cut short): escape to print */
	char target[64];               /* the target's name, or what it resolved to */
	char prefixes[128];            /* InclusiveNamespaces PrefixList, if any */
	int digest_ok;                 /* 1 matched, 0 did not, -1 not computed */
};

struct swn_dsig_report {
	int nrefs;
	struct swn_dsig_ref refs[SWN_DSIG_MAX_REFS];
	char sig_alg[16];        /* "rsa-sha256", "ecdsa-sha256", "ed25519" */
	int signature_ok;        /* 1 verified, 0 did not, -1 not checked */
};

/* "rsa-sha256", "ecdsa-sha256" or "ed25519" -> its SignatureMethod URI
 * (NULL if none of them). */
const char *swn_dsig_alg_uri(const char *alg);

/* Is s a bare-name reference "#NCName"? */
int swn_dsig_bare_name(const char *s);

/* The digest a cid: Reference holds: SHA-256 of the part's content through
 * the Attachment-Content-Signature-Transform (SwA profile 1.1, 5.4.2), by
 * the media type of its Content-Type: text/xml, application/xml and
 * application/... or image/...+xml are parsed (swn_xml_parse's limits, at
 * most SWN_MAX_XML_PART_BYTES) and canonicalised with exclusive C14N
 * without comments; other text/... has each line end made CRLF; anything
 * else is digested as it is, streamed.  0, or -1 with err. */
int swn_dsig_part_digest(const struct swn_dsig_part *part, unsigned char out[32],
			 struct swn_err *err);

/* SHA-256 of the exclusive C14N (no comments; prefixes: the
 * InclusiveNamespaces PrefixList, NULL-terminated, or NULL) of the subtree
 * at el. */
int swn_dsig_digest(xmlDocPtr doc, xmlNodePtr el, xmlChar **prefixes, unsigned char out[32]);

/* Sign the exclusive C14N of the subtree at el with key; sig receives the
 * XML-DSig form (RSA: PKCS#1 v1.5; ECDSA: r||s, each the size of the
 * group order; Ed25519: the 64 bytes of RFC 8032), *len its length.  alg
 * must be the key's. */
int swn_dsig_sign(xmlDocPtr doc, xmlNodePtr el, EVP_PKEY *key, const char *alg,
		  unsigned char *sig, size_t cap, size_t *len);

/* Verify signature (a ds:Signature element) against key under the profile
 * above; alg is "rsa-sha256", "ecdsa-sha256" or "ed25519" and must be the
 * key's.  swn_dsig_verify is swn_dsig_verify_parts without parts.
 * The SignatureValue is checked first and the targets' digests only when
 * it verifies, unless diagnose is set (then both, to say which part
 * changed).  rep (required) is filled as far as verification got.  name is
 * the input's name in errors.  0 valid; -1 with err (SWN_E_SIGNATURE). */
int swn_dsig_verify(xmlDocPtr doc, xmlNodePtr signature, const struct swn_dsig_target *targets,
		    int ntargets, EVP_PKEY *key, const char *alg, int diagnose,
		    struct swn_dsig_report *rep, const char *name, struct swn_err *err);
int swn_dsig_verify_parts(xmlDocPtr doc, xmlNodePtr signature,
			  const struct swn_dsig_target *targets, int ntargets,
			  const struct swn_dsig_part *parts, int nparts, EVP_PKEY *key,
			  const char *alg, int diagnose, struct swn_dsig_report *rep,
			  const char *name, struct swn_err *err);

#endif

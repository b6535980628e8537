/* wssec.c - WS-Security sign and verify; see wssec.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/valid.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/templates.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/openssl/x509.h>

#include "as4/as4.h"
#include "base/buf.h"
#include "as4/dsig.h"
#include "as4/mime.h"
#include "trust/pki.h"
#include "as4/wssec.h"
#include "xml/xmlsafe.h"

#define WSS_X509V3 "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
#define WSS_BASE64 "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"

/* The last thing libxmlsec1 complained about, for our messages. */
static _Thread_local char xmlsec_said[300];

static void on_xmlsec_error(const char *file, int line, const char *func,
			    const char *object, const char *subject, int reason,
			    const char *msg)
{
	(void)file; (void)line; (void)object; (void)reason;
	snprintf(xmlsec_said, sizeof xmlsec_said, "%s%s%s%s%s", func ? func : "",
		 subject ? ": " : "", subject ? subject : "", msg ? ": " : "", msg ? msg : "");
}

int swn_wssec_init(struct swn_err *err)
{
	xmlSecErrorsSetCallback(on_xmlsec_error);
	if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 ||
	    xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0)
		return swn_err_set(err, SWN_E_CRYPTO, NULL, 0,
				   "cannot initialise libxmlsec1: %s", xmlsec_said);
	/* Initialisation installs the default (printing) callback again. */
	xmlSecErrorsSetCallback(on_xmlsec_error);
	return 0;
}

void swn_wssec_cleanup(void)
{
	xmlSecCryptoShutdown();
	xmlSecCryptoAppShutdown();
	xmlSecShutdown();
}

struct swn_signer {
	EVP_PKEY *key;
	char *cert_b64;          /* the BinarySecurityToken's content */
	const char *alg;         /* "rsa-sha256", "ecdsa-sha256" or (parts only) "ed25519" */
};

static int signer_load(const char *key_path, const char *cert_path, int parts_only_ok,
		       struct swn_signer **out, struct swn_err *err)
{
	struct swn_signer *s = calloc(1, sizeof *s);
	unsigned char *der = NULL;
	X509 *cert = NULL;
	int len;

	*out = NULL;
	if (s == NULL)
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	if (!(s->key = swn_key_read(key_path, err)) || !(cert = swn_cert_read(cert_path, err)))
		goto fail;
	if (!swn_cert_matches_key(cert, s->key)) {
		swn_err_set(err, SWN_E_CRYPTO, cert_path, 0, "certificate is not for the key %s", key_path);
		goto fail;
	}
	s->alg = swn_cert_sig_alg(cert);
	if (!s->alg && parts_only_ok && EVP_PKEY_get_base_id(s->key) == EVP_PKEY_ED25519)
		s->alg = "ed25519";
	if (!s->alg) {
		swn_err_set(err, SWN_E_CRYPTO, cert_path, 0, "unsupported signing key type");
		goto fail;
	}
	len = i2d_X509(cert, &der);
	if (len <= 0 || !(s->cert_b64 = malloc((size_t)len * 4 / 3 + 4))) {
		swn_err_set(err, SWN_E_NOMEM, cert_path, 0, "cannot encode certificate");
		goto fail;
	}
	EVP_EncodeBlock((unsigned char *)s->cert_b64, der, len);
	OPENSSL_free(der);
	X509_free(cert);
	*out = s;
	return 0;
fail:
	OPENSSL_free(der);
	X509_free(cert);
	swn_signer_free(s);
	return -1;
}

int swn_signer_load(const char *key_path, const char *cert_path,
		    struct swn_signer **out, struct swn_err *err)
{
	return signer_load(key_path, cert_path, 0, out, err);
}

int swn_signer_load_swa(const char *key_path, const char *cert_path,
			struct swn_signer **out, struct swn_err *err)
{
	return signer_load(key_path, cert_path, 1, out, err);
}

void swn_signer_free(struct swn_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->key);
	free(s->cert_b64);
	free(s);
}

const char *swn_signer_alg(const struct swn_signer *s)
{
	return s->alg;
}

/* libxmlsec1's transform for alg; NULL for one it lacks (1.2.37 has no
 * EdDSA), never another algorithm in its place. */
static xmlSecTransformId sig_transform(const char *alg)
{
	if (strcmp(alg, "ecdsa-sha256") == 0)
		return xmlSecOpenSSLTransformEcdsaSha256Id;
	if (strcmp(alg, "rsa-sha256") == 0)
		return xmlSecOpenSSLTransformRsaSha256Id;
	return NULL;
}

/* wsu:Id of el, registered as an ID so that "#id" resolves to el; NULL
 * unless it is an NCName (the only ids a reference may name). */
static const xmlChar *wsu_id(xmlDocPtr doc, xmlNodePtr el)
{
	xmlAttrPtr a = xmlHasNsProp(el, BAD_CAST "Id", BAD_CAST SWN_NS_WSU);
	xmlChar *v;

	if (a == NULL || a->children == NULL || a->children->type != XML_TEXT_NODE)
		return NULL;
	v = a->children->content;
	if (v == NULL || xmlValidateNCName(v, 0) != 0)
		return NULL;
	if (xmlGetID(doc, v) == NULL)
		xmlAddID(NULL, doc, v, a);
	return v;
}

static xmlNsPtr ns_of(xmlNodePtr el, const char *href, const char *prefix)
{
	xmlNsPtr ns = xmlSearchNsByHref(el->doc, el, BAD_CAST href);

	return ns ? ns : xmlNewNs(el, BAD_CAST href, BAD_CAST prefix);
}

static int is(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	       xmlStrEqual(n->ns->href, BAD_CAST ns) && xmlStrEqual(n->name, BAD_CAST name);
}

static xmlNodePtr child(const xmlNode *parent, const char *ns, const char *name)
{
	xmlNodePtr n;

	for (n = parent ? parent->children : NULL; n; n = n->next)
		if (is(n, ns, name))
			return n;
	return NULL;
}

/* Fill the DigestValue of ref with SHA-256 of target's canonical form. */
static int fill_digest(xmlDocPtr doc, xmlNodePtr target, xmlNodePtr ref)
{
	xmlNodePtr dv = child(ref, SWN_NS_DS, "DigestValue");
	unsigned char d[32];
	char b64[48];

	if (dv == NULL || swn_dsig_digest(doc, target, NULL, d) < 0)
		return -1;
	EVP_EncodeBlock((unsigned char *)b64, d, 32);
	xmlNodeSetContent(dv, BAD_CAST b64);
	return 0;
}

/* A Reference to a part, after the template's: cid: URI, the attachment
 * content transform, SHA-256 of the part through it. */
static int add_part_reference(xmlNodePtr sig, const struct swn_dsig_part *p, struct swn_err *err)
{
	xmlNodePtr si = child(sig, SWN_NS_DS, "SignedInfo"), ref, el;
	xmlNsPtr ds = sig->ns;
	unsigned char d[32];
	char uri[3 * SWN_MIME_ID_BYTES + 8], b64[48];

	if (si == NULL || swn_mime_cid_href(p->cid, uri, sizeof uri) < 0)
		return swn_err_set(err, SWN_E_AS4, p->name, 0,
				   "a part's Content-ID must be an id (id-left@id-right) to be signed");
	if (swn_dsig_part_digest(p, d, err) < 0)
		return -1;
	EVP_EncodeBlock((unsigned char *)b64, d, 32);
	ref = xmlNewChild(si, ds, BAD_CAST "Reference", NULL);
	xmlNewProp(ref, BAD_CAST "URI", BAD_CAST uri);
	el = xmlNewChild(xmlNewChild(ref, ds, BAD_CAST "Transforms", NULL), ds, BAD_CAST "Transform",
			 NULL);
	xmlNewProp(el, BAD_CAST "Algorithm", BAD_CAST SWN_ALG_SWA_CONTENT);
	el = xmlNewChild(ref, ds, BAD_CAST "DigestMethod", NULL);
	xmlNewProp(el, BAD_CAST "Algorithm", BAD_CAST SWN_ALG_SHA256);
	xmlNewChild(ref, ds, BAD_CAST "DigestValue", BAD_CAST b64);
	return 0;
}

/* Sign the canonical SignedInfo of sig into its SignatureValue, in one
 * C14N pass with the key loaded once (never re-decoded). */
static int fill_signature(xmlDocPtr doc, xmlNodePtr sig, const struct swn_signer *s)
{
	xmlNodePtr si = child(sig, SWN_NS_DS, "SignedInfo"), sv = child(sig, SWN_NS_DS, "SignatureValue");
	unsigned char value[1024];
	char b64[4 * sizeof value / 3 + 4];
	size_t len = 0;

	if (!si || !sv || swn_dsig_sign(doc, si, s->key, s->alg, value, sizeof value, &len) < 0)
		return -1;
	EVP_EncodeBlock((unsigned char *)b64, value, (int)len);
	xmlNodeSetContent(sv, BAD_CAST b64);
	return 0;
}

int swn_wssec_sign(xmlDocPtr doc, const struct swn_as4_msg *m,
		   const struct swn_signer *s, struct swn_err *err)
{
	return swn_wssec_sign_parts(doc, m, NULL, 0, s, err);
}

int swn_wssec_sign_parts(xmlDocPtr doc, const struct swn_as4_msg *m,
			 const struct swn_dsig_part *parts, int nparts,
			 const struct swn_signer *s, struct swn_err *err)
{
	const xmlChar *mid, *bid;
	int i;
	xmlNodePtr sig = NULL, ref, bst, ki, str, r, sm;
	xmlNsPtr wsse, wsu, ds;
	char uri[SWN_AS4_ID_BYTES + 2], bstid[48], u[SWN_AS4_ID_BYTES];
	int part_failed = 0;

	xmlsec_said[0] = '\0';   /* what an earlier call left says nothing here */
	if (m->security == NULL)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "no wsse:Security header to sign into");
	if (nparts < 0 || nparts > SWN_MAX_PAYLOAD_PARTS)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "%d parts: at most %d may be signed", nparts,
				   SWN_MAX_PAYLOAD_PARTS);
	if (strcmp(s->alg, "ed25519") == 0 && nparts == 0 && m->kind == SWN_AS4_USER_MESSAGE)
		return swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "an Ed25519 key signs only messages "
				   "with MIME parts and signals (eDelivery AS4 2.0): libxmlsec1 "
				   "cannot check the body form");
	if (!(mid = wsu_id(doc, m->messaging)) || !(bid = wsu_id(doc, m->body)))
		return swn_err_set(err, SWN_E_AS4, NULL, 0,
				   "eb:Messaging and soap:Body need a wsu:Id that is an NCName to be signed");
	wsse = ns_of(m->security, SWN_NS_WSSE, "wsse");
	wsu = ns_of(m->security, SWN_NS_WSU, "wsu");

	/* The token, first in the Security header. */
	swn_as4_new_id("token", u, sizeof u);
	snprintf(bstid, sizeof bstid, "X509-%.36s", u);
	bst = xmlNewDocNode(doc, wsse, BAD_CAST "BinarySecurityToken", BAD_CAST s->cert_b64);
	xmlNewProp(bst, BAD_CAST "EncodingType", BAD_CAST WSS_BASE64);
	xmlNewProp(bst, BAD_CAST "ValueType", BAD_CAST WSS_X509V3);
	xmlNewNsProp(bst, wsu, BAD_CAST "Id", BAD_CAST bstid);
	if (m->security->children)
		xmlAddPrevSibling(m->security->children, bst);
	else
		xmlAddChild(m->security, bst);

	/* libxmlsec1 1.2.37 has no EdDSA transform: the template takes
	 * ECDSA's and the SignatureMethod is then named for what dsig signs. */
	sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId,
					      sig_transform(s->alg) ? sig_transform(s->alg)
								    : xmlSecOpenSSLTransformEcdsaSha256Id,
					      NULL, BAD_CAST "ds");
	if (sig == NULL || !(sm = child(child(sig, SWN_NS_DS, "SignedInfo"), SWN_NS_DS,
					"SignatureMethod")) ||
	    !xmlSetProp(sm, BAD_CAST "Algorithm", BAD_CAST swn_dsig_alg_uri(s->alg)))
		goto fail;
	xmlAddChild(m->security, sig);
	snprintf(uri, sizeof uri, "#%s", (const char *)mid);
	if (!(ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL,
						    BAD_CAST uri, NULL)) ||
	    !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) ||
	    fill_digest(doc, m->messaging, ref) < 0)
		goto fail;
	snprintf(uri, sizeof uri, "#%s", (const char *)bid);
	if (!(ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL,
						    BAD_CAST uri, NULL)) ||
	    !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) ||
	    fill_digest(doc, m->body, ref) < 0)
		goto fail;
	for (i = 0; i < nparts; i++)
		if (add_part_reference(sig, &parts[i], err) < 0) {
			part_failed = 1;
			goto fail;
		}
	/* The template gives the structure; the digests above and the
	 * signature are made here, in one C14N pass each, with the loaded
	 * key (never re-decoded). */
	if (fill_signature(doc, sig, s) < 0)
		goto fail;

	/* KeyInfo points at the token (WSS X.509 token profile). */
	ds = sig->ns;
	ki = xmlNewChild(sig, ds, BAD_CAST "KeyInfo", NULL);
	str = xmlNewChild(ki, wsse, BAD_CAST "SecurityTokenReference", NULL);
	r = xmlNewChild(str, wsse, BAD_CAST "Reference", NULL);
	snprintf(uri, sizeof uri, "#%s", bstid);
	xmlNewProp(r, BAD_CAST "URI", BAD_CAST uri);
	xmlNewProp(r, BAD_CAST "ValueType", BAD_CAST WSS_X509V3);
	return 0;
fail:
	/* Nothing half-made stays: the envelope is as it came, and may be
	 * signed again. */
	if (sig) {
		xmlUnlinkNode(sig);
		xmlFreeNode(sig);
	}
	xmlUnlinkNode(bst);
	xmlFreeNode(bst);
	if (part_failed)
		return -1;
	return swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "signing failed: %s",
			   xmlsec_said[0] ? xmlsec_said : "canonicalisation or the key failed");
}

/* ---- verification ---- */

int swn_wssec_register_ids(xmlDocPtr doc, const char *name, struct swn_err *err)
{
	xmlNodePtr n;
	xmlAttrPtr a, seen;

	for (n = xmlDocGetRootElement(doc); n; n = swn_xml_walk(n)) {
		if (n->type == XML_ELEMENT_NODE)
			for (a = n->properties; a; a = a->next) {
				int idlike = xmlStrEqual(a->name, BAD_CAST "Id") ||
					(a->ns && xmlStrEqual(a->name, BAD_CAST "id") &&
					 xmlStrEqual(a->ns->href, XML_XML_NAMESPACE));
				xmlChar *v;
				char shown[80];

				if (!idlike || a->children == NULL || a->children->next ||
				    a->children->type != XML_TEXT_NODE)
					continue;
				v = a->children->content;
				if (v == NULL || xmlValidateNCName(v, 0) != 0)
					continue;
				seen = xmlGetID(doc, v);
				if (seen && (xmlDocPtr)seen != doc && seen->parent != n) {
					snprintf(shown, sizeof shown, "%s", (const char *)v);
					return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(n),
							   "the id '%s' is used twice (on '%s' and '%s'): refused as a wrapping attempt",
							   shown, (const char *)seen->parent->name,
							   (const char *)n->name);
				}
				if (!seen && xmlAddID(NULL, doc, v, a) == NULL)
					return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(n),
							   "cannot register an id");
			}
	}
	return 0;
}

/* libxmlsec1's verdict on a signature swnode has already found valid: a
 * second, independent reading.  Called only after dsig accepted every
 * reference as "#NCName" naming a processed element, so libxmlsec1's
 * resolution (its own id() lookup) has nothing to interpret.  0 if it
 * agrees. */
static int xmlsec_confirms(xmlNodePtr sig, X509 *cert, const char *alg, const char *name,
			   struct swn_err *err)
{
	xmlSecDSigCtxPtr ctx = NULL;
	xmlSecKeyDataPtr data;
	xmlSecKeyPtr key = NULL;
	xmlSecSize i, n;
	int ok = 0;

	if (sig_transform(alg) == NULL)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(sig),
				   "libxmlsec1 cannot re-check a %s signature: refused", alg);
	xmlsec_said[0] = '\0';
	if (!(data = xmlSecOpenSSLX509CertGetKey(cert)))
		goto done;
	if (!(key = xmlSecKeyCreate()) || xmlSecKeySetValue(key, data) < 0) {
		xmlSecKeyDataDestroy(data);
		goto done;
	}
	if (!(ctx = xmlSecDSigCtxCreate(NULL)))
		goto done;
	/* The pinned key, and nothing the message says. */
	ctx->signKey = key;
	key = NULL;
	ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
	if (xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha256Id) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx, sig_transform(alg)) < 0 ||
	    xmlSecDSigCtxVerify(ctx, sig) < 0 || ctx->status != xmlSecDSigStatusSucceeded)
		goto done;
	n = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
	ok = n > 0;
	for (i = 0; i < n && ok; i++) {
		xmlSecDSigReferenceCtxPtr r = xmlSecPtrListGetItem(&ctx->signedInfoReferences, i);

		ok = r && r->status == xmlSecDSigStatusSucceeded;
	}
done:
	if (key)
		xmlSecKeyDestroy(key);
	if (ctx)
		xmlSecDSigCtxDestroy(ctx);
	if (ok)
		return 0;
	return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(sig),
			   "libxmlsec1 does not confirm a signature swnode found valid%s%s: refused",
			   xmlsec_said[0] ? ": " : "", xmlsec_said);
}

int swn_wssec_verify(xmlDocPtr doc, const struct swn_as4_msg *m, X509 *cert,
		     const char *expected_alg, struct swn_wssec_report *report,
		     struct swn_err *err)
{
	return swn_wssec_verify_parts(doc, m, NULL, 0, cert, expected_alg, report, err);
}

/* The algorithm cert's key verifies with: the agreements' (RSA, P-256),
 * and Ed25519 (eDelivery AS4 2.0), which dsig alone decides, for a
 * message with parts, and for a signal (a Receipt or an eb:Error, which
 * carry no parts) when the caller expects Ed25519 by name.  A body-form
 * UserMessage never verifies with Ed25519: libxmlsec1 1.2.37 could not
 * re-check it, and no profile sends one. */
static const char *verify_alg(X509 *cert, int nparts, const struct swn_as4_msg *m,
			      const char *expected_alg)
{
	const char *alg = swn_cert_sig_alg(cert);
	EVP_PKEY *key = X509_get0_pubkey(cert);
	int signal_ed = m->kind != SWN_AS4_USER_MESSAGE && expected_alg &&
			strcmp(expected_alg, "ed25519") == 0;

	if (alg == NULL && (nparts > 0 || signal_ed) && key &&
	    EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519)
		return "ed25519";
	return alg;
}

int swn_wssec_verify_parts(xmlDocPtr doc, const struct swn_as4_msg *m,
			   const struct swn_dsig_part *parts, int nparts, X509 *cert,
			   const char *expected_alg, struct swn_wssec_report *report,
			   struct swn_err *err)
{
	struct swn_wssec_report local;
	struct swn_wssec_report *rep = report ? report : &local;
	const char *name = doc->URL ? (const char *)doc->URL : "message";
	const char *alg = verify_alg(cert, nparts, m, expected_alg);
	struct swn_dsig_target targets[2] = {
		{ "eb:Messaging", m->messaging }, { "soap:Body", m->body },
	};
	xmlNodePtr sig, n;
	int count = 0;

	memset(rep, 0, sizeof *rep);
	rep->sig.signature_ok = -1;
	if (alg == NULL)
		return swn_err_set(err, SWN_E_SIGNATURE, name, 0,
				   "the certificate's key cannot verify AS4 signatures");
	if (expected_alg && strcmp(expected_alg, alg) != 0)
		return swn_err_set(err, SWN_E_SIGNATURE, name, 0,
				   "the pinned certificate has a key for %s, but %s is required",
				   alg, expected_alg);
	snprintf(rep->sig.sig_alg, sizeof rep->sig.sig_alg, "%s", alg);
	if (m->security == NULL)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(m->header),
				   "the message is not signed: no wsse:Security header");
	for (n = m->security->children, sig = NULL; n; n = n->next)
		if (is(n, SWN_NS_DS, "Signature")) {
			sig = sig ? sig : n;
			count++;
		}
	if (count > 1)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(m->security),
				   "wsse:Security holds more than one ds:Signature");
	if (count == 0)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(m->security),
				   "the message is not signed: no ds:Signature in wsse:Security");
	rep->key_info_ignored = child(sig, SWN_NS_DS, "KeyInfo") != NULL;
	/* swnode decides: its own reading of SignedInfo, its own digests over
	 * the elements it will process, its own check of the value. */
	if (swn_wssec_register_ids(doc, name, err) < 0 ||
	    swn_dsig_verify_parts(doc, sig, targets, 2, parts, nparts, X509_get0_pubkey(cert), alg,
				  report != NULL, &rep->sig, name, err) < 0)
		return -1;
	/* libxmlsec1 re-checks that decision, where it can read the message
	 * (no cid: references, no EdDSA). */
	if (nparts > 0 || strcmp(alg, "ed25519") == 0)
		return 0;
	if (xmlsec_confirms(sig, cert, alg, name, err) < 0)
		return -1;
	rep->xmlsec_confirmed = 1;
	return 0;
}

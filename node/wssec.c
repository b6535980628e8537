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

#include "as4.h"
#include "buf.h"
#include "pki.h"
#include "wssec.h"
#include "xmlsafe.h"

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
	const char *alg;         /* "rsa-sha256" or "ecdsa-sha256" */
};

int swn_signer_load(const char *key_path, const char *cert_path,
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
	if (!(s->alg = swn_cert_sig_alg(cert))) {
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

static xmlSecTransformId sig_transform(const char *alg)
{
	return strcmp(alg, "ecdsa-sha256") == 0 ? xmlSecOpenSSLTransformEcdsaSha256Id
						: xmlSecOpenSSLTransformRsaSha256Id;
}

static const char *alg_uri(const char *alg)
{
	return strcmp(alg, "ecdsa-sha256") == 0 ? SWN_ALG_ECDSA_SHA256 : SWN_ALG_RSA_SHA256;
}

/* wsu:Id of el, registered as an ID so that "#id" resolves to el. */
static const xmlChar *wsu_id(xmlDocPtr doc, xmlNodePtr el)
{
	xmlAttrPtr a = xmlHasNsProp(el, BAD_CAST "Id", BAD_CAST SWN_NS_WSU);
	xmlChar *v;

	if (a == NULL || a->children == NULL)
		return NULL;
	v = a->children->content;
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

/* C14N visibility: the subtree at target (namespace nodes by their
 * element). */
static int in_subtree(void *target, xmlNodePtr node, xmlNodePtr parent)
{
	xmlNodePtr n = (node == NULL || node->type == XML_NAMESPACE_DECL) ? parent : node;

	for (; n; n = n->parent)
		if (n == (xmlNodePtr)target)
			return 1;
	return 0;
}

/* Where canonical bytes go: straight into a digest or a signature. */
struct c14n_sink {
	EVP_MD_CTX *md;
	int sign;
	int failed;
};

static int sink_write(void *ctx, const char *buf, int len)
{
	struct c14n_sink *k = ctx;

	if ((k->sign ? EVP_DigestSignUpdate(k->md, buf, (size_t)len)
		     : EVP_DigestUpdate(k->md, buf, (size_t)len)) != 1) {
		k->failed = 1;
		return -1;
	}
	return len;
}

/* Exclusive C14N of the subtree at target, streamed into md: one pass, no
 * node set (libxmlsec1 tests every node against one, in linear time each,
 * which was a quarter of the signing time), no intermediate copy. */
static int c14n_into(xmlDocPtr doc, xmlNodePtr target, EVP_MD_CTX *md, int sign)
{
	struct c14n_sink k = { md, sign, 0 };
	xmlOutputBufferPtr out = xmlOutputBufferCreateIO(sink_write, NULL, &k, NULL);
	int rc;

	if (out == NULL)
		return -1;
	rc = xmlC14NExecute(doc, in_subtree, target, XML_C14N_EXCLUSIVE_1_0, NULL, 0, out);
	if (xmlOutputBufferClose(out) < 0)
		rc = -1;
	return rc < 0 || k.failed ? -1 : 0;
}

/* Fill the DigestValue of ref with SHA-256 of target's canonical form. */
static int fill_digest(xmlDocPtr doc, xmlNodePtr target, xmlNodePtr ref)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	xmlNodePtr dv = child(ref, SWN_NS_DS, "DigestValue");
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char b64[4 * EVP_MAX_MD_SIZE / 3 + 4];
	int ok;

	ok = md && dv && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	     c14n_into(doc, target, md, 0) == 0 && EVP_DigestFinal_ex(md, d, &n) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return -1;
	EVP_EncodeBlock((unsigned char *)b64, d, (int)n);
	xmlNodeSetContent(dv, BAD_CAST b64);
	return 0;
}

/* Sign the canonical SignedInfo of sig into its SignatureValue.  ECDSA
 * values are written as XML-DSig wants them: r and s, each padded to the
 * size of the group order, not DER. */
static int fill_signature(xmlDocPtr doc, xmlNodePtr sig, const struct swn_signer *s)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	xmlNodePtr si = child(sig, SWN_NS_DS, "SignedInfo"), sv = child(sig, SWN_NS_DS, "SignatureValue");
	unsigned char der[1024], raw[2 * 66];
	const unsigned char *value = der, *p = der;
	char b64[4 * sizeof der / 3 + 4];
	size_t len = 0;
	int ok;

	ok = md && si && sv && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, s->key) == 1 &&
	     c14n_into(doc, si, md, 1) == 0 && EVP_DigestSignFinal(md, NULL, &len) == 1 &&
	     len <= sizeof der && EVP_DigestSignFinal(md, der, &len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return -1;
	if (strcmp(s->alg, "ecdsa-sha256") == 0) {
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
		int half = (EVP_PKEY_get_bits(s->key) + 7) / 8;

		ok = es && half > 0 && 2 * half <= (int)sizeof raw &&
		     BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, half) == half &&
		     BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + half, half) == half;
		ECDSA_SIG_free(es);
		if (!ok)
			return -1;
		value = raw;
		len = (size_t)(2 * half);
	}
	EVP_EncodeBlock((unsigned char *)b64, value, (int)len);
	xmlNodeSetContent(sv, BAD_CAST b64);
	return 0;
}

int swn_wssec_sign(xmlDocPtr doc, const struct swn_as4_msg *m,
		   const struct swn_signer *s, struct swn_err *err)
{
	const xmlChar *mid, *bid;
	xmlNodePtr sig, ref, bst, ki, str, r;
	xmlNsPtr wsse, wsu, ds;
	char uri[SWN_AS4_ID_BYTES + 2], bstid[48], u[SWN_AS4_ID_BYTES];

	xmlsec_said[0] = '\0';   /* what an earlier call left says nothing here */
	if (m->security == NULL)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "no wsse:Security header to sign into");
	if (!(mid = wsu_id(doc, m->messaging)) || !(bid = wsu_id(doc, m->body)))
		return swn_err_set(err, SWN_E_AS4, NULL, 0,
				   "eb:Messaging and soap:Body need a wsu:Id to be signed");
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

	sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId,
					      sig_transform(s->alg), NULL, BAD_CAST "ds");
	if (sig == NULL)
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
	return swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "signing failed: %s",
			   xmlsec_said[0] ? xmlsec_said : "canonicalisation or the key failed");
}

/* ---- verification ---- */



static int attr_is(xmlNodePtr n, const char *name, const char *want)
{
	xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;
	int eq = v && strcmp((const char *)v, want) == 0;

	xmlFree(v);
	return eq;
}

/* Every ID-like attribute (wsu:Id, Id, xml:id) must be unique; each is
 * registered so that "#id" resolves to its element and nothing else. */
static int register_ids(xmlDocPtr doc, const char *name, struct swn_err *err)
{
	xmlNodePtr n = xmlDocGetRootElement(doc);
	xmlAttrPtr a, seen;

	while (n) {
		if (n->type == XML_ELEMENT_NODE)
			for (a = n->properties; a; a = a->next) {
				int idlike = xmlStrEqual(a->name, BAD_CAST "Id") ||
					(a->ns && xmlStrEqual(a->name, BAD_CAST "id") &&
					 xmlStrEqual(a->ns->href, XML_XML_NAMESPACE));
				xmlChar *v;

				if (!idlike || a->children == NULL)
					continue;
				v = a->children->content;
				seen = xmlGetID(doc, v);
				if (seen && seen->parent != n)
					return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(n),
							   "the id '%s' is used twice (on '%s' and '%s'): refused as a wrapping attempt",
							   (const char *)v, (const char *)seen->parent->name,
							   (const char *)n->name);
				if (!seen && xmlAddID(NULL, doc, v, a) == NULL)
					return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(n),
							   "cannot register the id '%s'", (const char *)v);
			}
		/* Depth-first walk over elements. */
		if (n->children && n->type == XML_ELEMENT_NODE) {
			n = n->children;
			continue;
		}
		while (n && !n->next)
			n = n->parent;
		if (n)
			n = n->next;
	}
	return 0;
}

static const char *target_name(const struct swn_as4_msg *m, xmlNodePtr el)
{
	if (el == m->messaging)
		return "eb:Messaging";
	if (el == m->body)
		return "soap:Body";
	return NULL;
}


static int digest_matches(xmlDocPtr doc, xmlNodePtr target, xmlNodePtr ref,
			  char *prefixes, size_t plen)
{
	xmlNodePtr tr = child(child(ref, SWN_NS_DS, "Transforms"), SWN_NS_DS, "Transform");
	xmlNodePtr incl = child(tr, SWN_ALG_EXC_C14N, "InclusiveNamespaces");
	xmlNodePtr dv = child(ref, SWN_NS_DS, "DigestValue");
	xmlChar *list = incl ? xmlGetProp(incl, BAD_CAST "PrefixList") : NULL;
	xmlChar *want = dv ? xmlNodeGetContent(dv) : NULL;
	xmlChar *toks[32], *p;
	xmlOutputBufferPtr buf;
	unsigned char md[32];
	char b64[64], *w;
	const xmlChar *bytes;
	int ntok = 0, len, ok = 0;

	prefixes[0] = '\0';
	if (list) {
		snprintf(prefixes, plen, "%s", (const char *)list);
		for (p = list; *p && ntok < 31;) {
			while (*p == ' ' || *p == '\t' || *p == '\n')
				*p++ = '\0';
			if (!*p)
				break;
			toks[ntok++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\n')
				p++;
		}
	}
	toks[ntok] = NULL;
	buf = xmlAllocOutputBuffer(NULL);
	if (buf && xmlC14NExecute(doc, in_subtree, target, XML_C14N_EXCLUSIVE_1_0,
				  ntok ? toks : NULL, 0, buf) >= 0) {
		bytes = xmlOutputBufferGetContent(buf);
		len = (int)xmlOutputBufferGetSize(buf);
		EVP_Digest(bytes, (size_t)len, md, NULL, EVP_sha256(), NULL);
		EVP_EncodeBlock((unsigned char *)b64, md, 32);
		/* DigestValue may carry white space around the base64. */
		for (w = (char *)want; w && *w; w++)
			if (*w == ' ' || *w == '\n' || *w == '\r' || *w == '\t')
				memmove(w, w + 1, strlen(w)), w--;
		ok = want && strcmp(b64, (const char *)want) == 0;
	}
	if (buf)
		xmlOutputBufferClose(buf);
	xmlFree(list);
	xmlFree(want);
	return ok;
}

/* Check SignedInfo before any cryptography: fixed algorithms, and exactly
 * the two processed elements referenced.  Fills report. */
static int check_signed_info(xmlDocPtr doc, const struct swn_as4_msg *m, xmlNodePtr si,
			     const char *alg, struct swn_wssec_report *rep,
			     const char *name, struct swn_err *err)
{
	xmlNodePtr n, t;
	int seen_m = 0, seen_b = 0;

	n = child(si, SWN_NS_DS, "CanonicalizationMethod");
	if (!attr_is(n, "Algorithm", SWN_ALG_EXC_C14N))
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(n ? n : si),
				   "CanonicalizationMethod must be exclusive C14N (%s)", SWN_ALG_EXC_C14N);
	n = child(si, SWN_NS_DS, "SignatureMethod");
	if (!attr_is(n, "Algorithm", alg_uri(alg)))
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(n ? n : si),
				   "SignatureMethod must be %s (%s), as the key and agreement say",
				   alg, alg_uri(alg));
	for (n = si->children; n; n = n->next) {
		xmlChar *uri;
		xmlAttrPtr id;
		xmlNodePtr el;
		const char *what;
		struct swn_wssec_ref *r;

		if (n->type != XML_ELEMENT_NODE || !is(n, SWN_NS_DS, "Reference"))
			continue;
		if (rep->nrefs >= 8)
			return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(n),
					   "too many references");
		r = &rep->refs[rep->nrefs++];
		r->digest_ok = -1;
		uri = xmlGetProp(n, BAD_CAST "URI");
		snprintf(r->uri, sizeof r->uri, "%s", uri ? (const char *)uri : "(none)");
		if (uri == NULL || uri[0] != '#' || uri[1] == '\0') {
			xmlFree(uri);
			return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(n),
					   "Reference URI '%s' is not a same-document '#id' reference",
					   r->uri);
		}
		id = xmlGetID(doc, uri + 1);
		xmlFree(uri);
		el = id ? id->parent : NULL;
		what = el ? target_name(m, el) : NULL;
		snprintf(r->target, sizeof r->target, "%s",
			 what ? what : el ? (const char *)el->name : "nothing");
		if (what == NULL)
			return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(n),
					   "Reference %s resolves to %s, not to the eb:Messaging or soap:Body that would be processed",
					   r->uri, el ? (const char *)el->name : "nothing");
		if ((el == m->messaging && seen_m++) || (el == m->body && seen_b++))
			return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(n),
					   "%s is referenced twice", what);
		for (t = child(child(n, SWN_NS_DS, "Transforms"), SWN_NS_DS, "Transform"); t;
		     t = t->next)
			if (t->type == XML_ELEMENT_NODE && !attr_is(t, "Algorithm", SWN_ALG_EXC_C14N))
				return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(t),
						   "Reference %s uses a transform other than exclusive C14N",
						   r->uri);
		t = child(n, SWN_NS_DS, "DigestMethod");
		if (!attr_is(t, "Algorithm", SWN_ALG_SHA256))
			return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(t ? t : n),
					   "Reference %s must use SHA-256 (%s)", r->uri, SWN_ALG_SHA256);
	}
	if (!seen_m || !seen_b)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(si),
				   "the signature must cover both eb:Messaging and soap:Body; %s is not signed",
				   seen_m ? "soap:Body" : "eb:Messaging");
	return 0;
}

static void compute_digests(xmlDocPtr doc, const struct swn_as4_msg *m, xmlNodePtr si,
			    struct swn_wssec_report *rep)
{
	xmlNodePtr n;
	int i = 0;

	for (n = si->children; n && i < rep->nrefs; n = n->next) {
		xmlChar *uri;
		xmlAttrPtr id;

		if (!is(n, SWN_NS_DS, "Reference"))
			continue;
		uri = xmlGetProp(n, BAD_CAST "URI");
		id = uri && uri[0] == '#' ? xmlGetID(doc, uri + 1) : NULL;
		rep->refs[i].digest_ok = id ? digest_matches(doc, id->parent, n, rep->refs[i].prefixes,
							     sizeof rep->refs[i].prefixes)
					    : -1;
		xmlFree(uri);
		i++;
	}
	(void)m;
}

int swn_wssec_verify(xmlDocPtr doc, const struct swn_as4_msg *m, X509 *cert,
		     const char *expected_alg, struct swn_wssec_report *report,
		     struct swn_err *err)
{
	struct swn_wssec_report local;
	struct swn_wssec_report *rep = report ? report : &local;
	const char *name = doc->URL ? (const char *)doc->URL : "message";
	const char *alg = swn_cert_sig_alg(cert);
	xmlSecDSigCtxPtr ctx = NULL;
	xmlSecKeyDataPtr data;
	xmlSecKeyPtr key = NULL;
	xmlNodePtr sig, si, n;
	int count = 0, rc = -1;

	memset(rep, 0, sizeof *rep);
	if (alg == NULL)
		return swn_err_set(err, SWN_E_SIGNATURE, name, 0,
				   "the certificate's key cannot verify AS4 signatures");
	if (expected_alg && strcmp(expected_alg, alg) != 0)
		return swn_err_set(err, SWN_E_SIGNATURE, name, 0,
				   "the pinned certificate has a key for %s, but %s is required",
				   alg, expected_alg);
	snprintf(rep->sig_alg, sizeof rep->sig_alg, "%s", alg);
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
	if (!(si = child(sig, SWN_NS_DS, "SignedInfo")))
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(sig),
				   "ds:Signature has no SignedInfo");
	rep->key_info_ignored = child(sig, SWN_NS_DS, "KeyInfo") != NULL;
	if (register_ids(doc, name, err) < 0 ||
	    check_signed_info(doc, m, si, alg, rep, name, err) < 0)
		return -1;
	if (report)
		compute_digests(doc, m, si, rep);

	/* The pinned key, and nothing the message says, verifies it. */
	if (!(data = xmlSecOpenSSLX509CertGetKey(cert)))
		goto fail;
	if (!(key = xmlSecKeyCreate()) || xmlSecKeySetValue(key, data) < 0) {
		xmlSecKeyDataDestroy(data);
		goto fail;
	}
	if (!(ctx = xmlSecDSigCtxCreate(NULL)))
		goto fail;
	ctx->signKey = key;
	key = NULL;
	ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
	if (xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha256Id) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx, sig_transform(alg)) < 0)
		goto fail;
	if (xmlSecDSigCtxVerify(ctx, sig) < 0)
		goto fail;
	if (ctx->status != xmlSecDSigStatusSucceeded) {
		int i, bad = -1;

		if (!report)
			compute_digests(doc, m, si, rep);
		for (i = 0; i < rep->nrefs; i++)
			if (rep->refs[i].digest_ok == 0 && bad < 0)
				bad = i;
		if (bad >= 0)
			swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(si),
				    "the digest of %s (%s) does not match: it was changed after signing",
				    rep->refs[bad].target, rep->refs[bad].uri);
		else
			swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(sig),
				    "the SignatureValue does not verify with the pinned certificate: signed by another key, or SignedInfo was changed");
		goto done;
	}
	rc = 0;
	goto done;
fail:
	swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(sig),
		    "signature cannot be verified: %s", xmlsec_said);
done:
	if (key)
		xmlSecKeyDestroy(key);
	if (ctx)
		xmlSecDSigCtxDestroy(ctx);
	return rc;
}

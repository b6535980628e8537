/*
 * as4_bench - AS4 signing and verification per second on one core:
 * swnode's own path, and a straightforward libxmlsec1 loop on the same
 * message as the baseline.
 *
 *   as4_bench LABEL KEY.pem CERT.pem UNSIGNED.xml SECONDS
 *
 * UNSIGNED.xml is an AS4 UserMessage as `swnode as4 pack --unsigned`
 * writes it.  Each loop runs for SECONDS and counts whole operations:
 *
 *   swnode sign     parse (the node's safe parser), AS4 structure, sign
 *                   with the loaded key, serialise
 *   swnode verify   parse, AS4 structure, verify with the pinned
 *                   certificate (all of swnode's anti-wrapping checks)
 *   baseline sign   xmlReadMemory, register the two ids, add a signature
 *                   template, sign with a duplicate of the key, serialise
 *   baseline verify xmlReadMemory, register the ids, verify with a keys
 *                   manager holding the certificate (KeyInfo X509Data)
 *
 * Prints "as4_sign_LABEL_per_s N per_s" and so on.  AS4_BENCH_ONLY=sign
 * (verify, baseline_sign, baseline_verify) runs one loop, for profiling.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include "as4/as4.h"
#include "base/fsutil.h"
#include "trust/pki.h"
#include "base/swn_limits.h"
#include "as4/wssec.h"
#include "xml/xmlout.h"
#include "xml/xmlsafe.h"

#define NS_SOAP "http://www.w3.org/2003/05/soap-envelope"
#define NS_EB   "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
#define NS_WSSE "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define NS_WSU  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const struct swn_err *err)
{
	fprintf(stderr, "as4_bench: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
	exit(1);
}

/* Run op until seconds have passed; operations per second.  0 when
 * AS4_BENCH_ONLY names another loop. */
static double rate(const char *name, int (*op)(void *), void *arg, double seconds)
{
	const char *only = getenv("AS4_BENCH_ONLY");
	double start = now_s(), t;
	long n = 0;

	if (only && strcmp(only, name) != 0)
		return 0;
	do {
		if (op(arg) < 0)
			die("an operation failed", NULL);
		n++;
	} while ((t = now_s() - start) < seconds);
	return (double)n / t;
}

/* ---- swnode ---- */

struct own {
	const char *msg;
	size_t len;
	const struct swn_signer *signer;
	X509 *cert;
	const char *alg;
};

static int own_sign(void *arg)
{
	struct own *o = arg;
	struct swn_as4_msg m;
	struct swn_err err;
	xmlDocPtr doc;
	char *out;
	size_t n;

	swn_err_clear(&err);
	if (!(doc = swn_xml_parse(o->msg, o->len, "message", &err)) ||
	    swn_as4_parse(doc, "message", &m, &err) < 0 ||
	    swn_wssec_sign(doc, &m, o->signer, &err) < 0 ||
	    swn_xml_to_bytes(doc, &out, &n, &err) < 0)
		die("swnode sign", &err);
	free(out);
	xmlFreeDoc(doc);
	return 0;
}

static int own_verify(void *arg)
{
	struct own *o = arg;
	struct swn_as4_msg m;
	struct swn_err err;
	xmlDocPtr doc;

	swn_err_clear(&err);
	if (!(doc = swn_xml_parse(o->msg, o->len, "message", &err)) ||
	    swn_as4_parse(doc, "message", &m, &err) < 0 ||
	    swn_wssec_verify(doc, &m, o->cert, o->alg, NULL, &err) < 0)
		die("swnode verify", &err);
	xmlFreeDoc(doc);
	return 0;
}

/* ---- the straightforward libxmlsec1 loop ---- */

struct base {
	const char *msg;
	size_t len;
	xmlSecKeyPtr key;
	xmlSecKeysMngrPtr mngr;
	xmlSecTransformId sig_alg;
};

static xmlNodePtr find(xmlNodePtr parent, const char *ns, const char *name)
{
	xmlNodePtr n;

	for (n = parent ? parent->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->ns &&
		    strcmp((const char *)n->ns->href, ns) == 0 && strcmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

/* Register wsu:Id of el as an ID; its value in id. */
static void add_id(xmlDocPtr doc, xmlNodePtr el, char *id, size_t n)
{
	xmlAttrPtr a = xmlHasNsProp(el, BAD_CAST "Id", BAD_CAST NS_WSU);
	xmlChar *v = a ? xmlNodeListGetString(doc, a->children, 1) : NULL;

	if (v == NULL)
		die("baseline: no wsu:Id", NULL);
	snprintf(id, n, "#%s", (const char *)v);
	xmlAddID(NULL, doc, v, a);
	xmlFree(v);
}

/* Parse and sign as a first libxmlsec1 program would. */
static xmlDocPtr base_signed_doc(const struct base *b)
{
	xmlDocPtr doc = xmlReadMemory(b->msg, (int)b->len, NULL, NULL, 0);
	xmlNodePtr env = xmlDocGetRootElement(doc), header = find(env, NS_SOAP, "Header");
	xmlNodePtr body = find(env, NS_SOAP, "Body"), messaging = find(header, NS_EB, "Messaging");
	xmlNodePtr security = find(header, NS_WSSE, "Security"), sig, ref, ki;
	xmlSecDSigCtxPtr ctx;
	char mid[SWN_AS4_ID_BYTES], bid[SWN_AS4_ID_BYTES];

	if (!body || !messaging || !security)
		die("baseline: not an unsigned AS4 message", NULL);
	add_id(doc, messaging, mid, sizeof mid);
	add_id(doc, body, bid, sizeof bid);
	sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId, b->sig_alg, NULL);
	xmlAddChild(security, sig);
	ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL, BAD_CAST mid, NULL);
	xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId);
	ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL, BAD_CAST bid, NULL);
	xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId);
	ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
	xmlSecTmplKeyInfoAddX509Data(ki);
	ctx = xmlSecDSigCtxCreate(NULL);
	ctx->signKey = xmlSecKeyDuplicate(b->key);
	if (xmlSecDSigCtxSign(ctx, sig) < 0)
		die("baseline sign", NULL);
	xmlSecDSigCtxDestroy(ctx);
	return doc;
}

static int base_sign(void *arg)
{
	xmlDocPtr doc = base_signed_doc(arg);
	xmlChar *out;
	int n;

	xmlDocDumpMemory(doc, &out, &n);
	xmlFree(out);
	xmlFreeDoc(doc);
	return 0;
}

/* The baseline verifies what the baseline signed. */
static char *signed_by_baseline(const struct base *b, size_t *len)
{
	xmlDocPtr doc = base_signed_doc(b);
	xmlChar *out;
	char *copy;
	int n;

	xmlDocDumpMemory(doc, &out, &n);
	copy = malloc((size_t)n);
	memcpy(copy, out, (size_t)n);
	*len = (size_t)n;
	xmlFree(out);
	xmlFreeDoc(doc);
	return copy;
}

static int base_verify(void *arg)
{
	struct base *b = arg;
	xmlDocPtr doc = xmlReadMemory(b->msg, (int)b->len, NULL, NULL, 0);
	xmlNodePtr env = xmlDocGetRootElement(doc), header = find(env, NS_SOAP, "Header");
	xmlNodePtr security = find(header, NS_WSSE, "Security");
	xmlNodePtr sig = xmlSecFindNode(security, xmlSecNodeSignature, xmlSecDSigNs);
	xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(b->mngr);
	char id[SWN_AS4_ID_BYTES];

	add_id(doc, find(header, NS_EB, "Messaging"), id, sizeof id);
	add_id(doc, find(env, NS_SOAP, "Body"), id, sizeof id);
	if (sig == NULL || xmlSecDSigCtxVerify(ctx, sig) < 0 || ctx->status != xmlSecDSigStatusSucceeded)
		die("baseline verify", NULL);
	xmlSecDSigCtxDestroy(ctx);
	xmlFreeDoc(doc);
	return 0;
}

int main(int argc, char **argv)
{
	struct swn_signer *signer;
	struct swn_err err;
	struct own o;
	struct base b;
	char *msg = NULL, *signed_msg = NULL, *base_signed;
	size_t len, signed_len, base_len;
	double secs, r;
	const char *label;
	X509 *cert;

	if (argc != 6) {
		fprintf(stderr, "usage: as4_bench LABEL KEY.pem CERT.pem UNSIGNED.xml SECONDS\n");
		return 2;
	}
	label = argv[1];
	secs = atof(argv[5]);
	swn_err_clear(&err);
	swn_xml_init();
	if (swn_wssec_init(&err) < 0 || swn_signer_load(argv[2], argv[3], &signer, &err) < 0 ||
	    !(cert = swn_cert_read(argv[3], &err)) ||
	    swn_file_read(argv[4], SWN_MAX_DOCUMENT_BYTES, &msg, &len, &err) < 0)
		die("setup", &err);

	/* swnode: sign, then verify what it signed */
	o.msg = msg;
	o.len = len;
	o.signer = signer;
	o.cert = cert;
	o.alg = swn_signer_alg(signer);
	{
		struct swn_as4_msg m;
		xmlDocPtr doc = swn_xml_parse(msg, len, "message", &err);

		if (!doc || swn_as4_parse(doc, "message", &m, &err) < 0 ||
		    swn_wssec_sign(doc, &m, signer, &err) < 0 ||
		    swn_xml_to_bytes(doc, &signed_msg, &signed_len, &err) < 0)
			die("sign once", &err);
		xmlFreeDoc(doc);
	}
	printf("as4_message_bytes_%s %zu bytes\n", label, signed_len);
	r = rate("sign", own_sign, &o, secs);
	printf("as4_sign_%s_per_s %.0f per_s\n", label, r);
	o.msg = signed_msg;
	o.len = signed_len;
	r = rate("verify", own_verify, &o, secs);
	printf("as4_verify_%s_per_s %.0f per_s\n", label, r);

	/* the baseline */
	b.msg = msg;
	b.len = len;
	b.sig_alg = strcmp(o.alg, "ecdsa-sha256") == 0 ? xmlSecTransformEcdsaSha256Id
						       : xmlSecTransformRsaSha256Id;
	b.key = xmlSecCryptoAppKeyLoad(argv[2], xmlSecKeyDataFormatPem, NULL, NULL, NULL);
	b.mngr = xmlSecKeysMngrCreate();
	if (!b.key || xmlSecCryptoAppKeyCertLoad(b.key, argv[3], xmlSecKeyDataFormatPem) < 0 ||
	    !b.mngr || xmlSecCryptoAppDefaultKeysMngrInit(b.mngr) < 0 ||
	    xmlSecCryptoAppKeysMngrCertLoad(b.mngr, argv[3], xmlSecKeyDataFormatPem,
					    xmlSecKeyDataTypeTrusted) < 0)
		die("baseline setup", NULL);
	r = rate("baseline_sign", base_sign, &b, secs);
	printf("baseline_xmlsec_sign_%s_per_s %.0f per_s\n", label, r);
	base_signed = signed_by_baseline(&b, &base_len);
	b.msg = base_signed;
	b.len = base_len;
	r = rate("baseline_verify", base_verify, &b, secs);
	printf("baseline_xmlsec_verify_%s_per_s %.0f per_s\n", label, r);

	free(base_signed);
	xmlSecKeysMngrDestroy(b.mngr);
	xmlSecKeyDestroy(b.key);
	free(signed_msg);
	free(msg);
	X509_free(cert);
	swn_signer_free(signer);
	swn_wssec_cleanup();
	return 0;
}

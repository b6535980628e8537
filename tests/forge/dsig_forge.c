/*
 * dsig_forge - what a peer holding its own signing key can send: signs the
 * ds:Signature template in an AS4 message with libxmlsec1, which resolves
 * each Reference URI itself (XPointer forms included) and digests whatever
 * it finds there.  The attack corpus uses it to make genuinely signed
 * messages whose references take forms swnode never produces.
 *
 * Usage: dsig_forge KEY.pem CERT.pem IN OUT
 * Every wsu:Id and Id attribute in IN is registered as an id, whatever its
 * value, as a permissive verifier would.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/crypto.h>

static void register_ids(xmlDocPtr doc, xmlNodePtr n)
{
	xmlAttrPtr a;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (a = n->properties; a; a = a->next)
			if (xmlStrEqual(a->name, BAD_CAST "Id") && a->children &&
			    xmlGetID(doc, a->children->content) == NULL)
				xmlAddID(NULL, doc, a->children->content, a);
		register_ids(doc, n->children);
	}
}

int main(int argc, char **argv)
{
	xmlDocPtr doc;
	xmlNodePtr sig;
	xmlSecDSigCtxPtr ctx;
	xmlSecKeyPtr key;
	FILE *out;

	if (argc != 5) {
		fprintf(stderr, "usage: dsig_forge KEY.pem CERT.pem IN OUT\n");
		return 2;
	}
	xmlInitParser();
	if (xmlSecInit() < 0 || xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0) {
		fprintf(stderr, "dsig_forge: cannot initialise libxmlsec1\n");
		return 1;
	}
	doc = xmlReadFile(argv[3], NULL, XML_PARSE_NONET);
	if (doc == NULL) {
		fprintf(stderr, "dsig_forge: cannot parse %s\n", argv[3]);
		return 1;
	}
	register_ids(doc, xmlDocGetRootElement(doc));
	sig = xmlSecFindNode(xmlDocGetRootElement(doc), xmlSecNodeSignature, xmlSecDSigNs);
	key = xmlSecCryptoAppKeyLoad(argv[1], xmlSecKeyDataFormatPem, NULL, NULL, NULL);
	if (sig == NULL || key == NULL ||
	    xmlSecCryptoAppKeyCertLoad(key, argv[2], xmlSecKeyDataFormatPem) < 0) {
		fprintf(stderr, "dsig_forge: no ds:Signature template, or the key cannot be loaded\n");
		return 1;
	}
	ctx = xmlSecDSigCtxCreate(NULL);
	ctx->signKey = key;
	if (xmlSecDSigCtxSign(ctx, sig) < 0) {
		fprintf(stderr, "dsig_forge: signing failed\n");
		return 1;
	}
	out = fopen(argv[4], "w");
	if (out == NULL || xmlDocDump(out, doc) < 0 || fclose(out) != 0) {
		fprintf(stderr, "dsig_forge: cannot write %s\n", argv[4]);
		return 1;
	}
	xmlSecDSigCtxDestroy(ctx);
	xmlFreeDoc(doc);
	xmlSecCryptoShutdown();
	xmlSecCryptoAppShutdown();
	xmlSecShutdown();
	xmlCleanupParser();
	return 0;
}

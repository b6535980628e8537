/*
 * fuzz_dsig.c - the values a peer chooses inside a signature: the ids of
 * eb:Messaging and soap:Body, the Reference URIs, the transform algorithm
 * and the InclusiveNamespaces PrefixList, set in a genuinely signed seed
 * message (tests/fuzz/corpus/as4/eco.xml, signed by the committed peer)
 * and verified as the node verifies.  Input: up to six lines, one value
 * each, in that order (a missing line keeps the seed's value):
 *   Messaging wsu:Id, Body wsu:Id, URI of Reference 1, URI of Reference
 *   2, Algorithm of Reference 1's Transform, PrefixList on it.
 * Besides crashes and time-outs (any value must cost time linear in the
 * message), the target aborts if the verifier accepts a message whose
 * references are not "#" and the id of the element they name.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "as4/as4.h"
#include "as4/dsig.h"
#include "base/fsutil.h"
#include "fuzz.h"
#include "base/swn_limits.h"
#include "as4/wssec.h"
#include "xml/xmlsafe.h"

#define NFIELDS 6
#define SEED SWN_FUZZ_SRCDIR "/tests/fuzz/corpus/as4/eco.xml"

static char *seed;
static size_t seed_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct swn_err err;

	(void)argc;
	(void)argv;
	fuzz_setup();
	(void)fuzz_peer_signing();
	swn_err_clear(&err);
	if (swn_file_read(SEED, SWN_MAX_DOCUMENT_BYTES, &seed, &seed_len, &err) < 0)
		fuzz_die("cannot read %s: %s", SEED, err.msg);
	return 0;
}

static int is(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	       xmlStrEqual(n->ns->href, BAD_CAST ns) && xmlStrEqual(n->name, BAD_CAST name);
}

static xmlNodePtr child(const xmlNode *p, const char *ns, const char *name)
{
	xmlNodePtr n;

	for (n = p ? p->children : NULL; n; n = n->next)
		if (is(n, ns, name))
			return n;
	return NULL;
}

static xmlNodePtr next_el(xmlNodePtr n, const char *ns, const char *name)
{
	for (n = n ? n->next : NULL; n; n = n->next)
		if (is(n, ns, name))
			return n;
	return NULL;
}

/* Set attribute name (in namespace ns, or none) of el to value. */
static void set(xmlNodePtr el, const char *ns, const char *name, const char *value)
{
	if (el == NULL || value == NULL)
		return;
	if (ns)
		xmlSetNsProp(el, xmlSearchNsByHref(el->doc, el, BAD_CAST ns), BAD_CAST name,
			     BAD_CAST value);
	else
		xmlSetProp(el, BAD_CAST name, BAD_CAST value);
}

/* Does URI name exactly el by its wsu:Id? */
static int names(const xmlChar *uri, xmlNodePtr el)
{
	xmlChar *id = xmlGetNsProp(el, BAD_CAST "Id", BAD_CAST SWN_NS_WSU);
	int ok = uri && id && uri[0] == '#' && xmlStrEqual(uri + 1, id) &&
		 xmlValidateNCName(id, 0) == 0;

	xmlFree(id);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[NFIELDS] = { NULL }, *copy = malloc(size + 1), *p, *nl;
	struct swn_as4_msg m;
	struct swn_err err;
	xmlNodePtr si, r1, r2, tr, incl;
	xmlDocPtr doc;
	int i;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0, p = copy; i < NFIELDS && p; i++) {
		f[i] = p;
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : NULL;
	}
	swn_err_clear(&err);
	doc = swn_xml_parse(seed, seed_len, "seed", &err);
	if (doc == NULL || swn_as4_parse(doc, "seed", &m, &err) < 0 || !(si = swn_as4_signed_info(&m)))
		fuzz_die("the seed message does not parse: %s", err.msg);
	r1 = child(si, SWN_NS_DS, "Reference");
	r2 = next_el(r1, SWN_NS_DS, "Reference");
	tr = child(child(r1, SWN_NS_DS, "Transforms"), SWN_NS_DS, "Transform");
	if (!r1 || !r2 || !tr)
		fuzz_die("the seed message has not two references with a transform");
	set(m.messaging, SWN_NS_WSU, "Id", f[0]);
	set(m.body, SWN_NS_WSU, "Id", f[1]);
	set(r1, NULL, "URI", f[2]);
	set(r2, NULL, "URI", f[3]);
	set(tr, NULL, "Algorithm", f[4]);
	if (f[5]) {
		incl = xmlNewChild(tr, NULL, BAD_CAST "InclusiveNamespaces", NULL);
		xmlSetNs(incl, xmlNewNs(incl, BAD_CAST SWN_ALG_EXC_C14N, BAD_CAST "ec"));
		set(incl, NULL, "PrefixList", f[5]);
	}
	if (swn_wssec_verify(doc, &m, fuzz_peer_signing(), NULL, NULL, &err) == 0) {
		xmlChar *u1 = xmlGetProp(r1, BAD_CAST "URI"), *u2 = xmlGetProp(r2, BAD_CAST "URI");
		int ok = (names(u1, m.messaging) && names(u2, m.body)) ||
			 (names(u1, m.body) && names(u2, m.messaging));

		xmlFree(u1);
		xmlFree(u2);
		if (!ok)
			fuzz_die("accepted references that do not name the processed elements by id");
	}
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz: %s\n", err.msg[0] ? err.msg : "valid");
	xmlFreeDoc(doc);
	free(copy);
	return 0;
}

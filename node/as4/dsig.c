/* dsig.c - XML-DSig canonicalisation, digests and signatures; see dsig.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "as4/dsig.h"
#include "as4/mime.h"
#include "base/buf.h"
#include "xml/xmlsafe.h"

#define NS_EXC_C14N SWN_ALG_EXC_C14N

const char *swn_dsig_alg_uri(const char *alg)
{
	if (alg && strcmp(alg, "rsa-sha256") == 0)
		return SWN_ALG_RSA_SHA256;
	if (alg && strcmp(alg, "ecdsa-sha256") == 0)
		return SWN_ALG_ECDSA_SHA256;
	if (alg && strcmp(alg, "ed25519") == 0)
		return SWN_ALG_ED25519;
	return NULL;
}

/* Is key of the type alg needs?  (OpenSSL would sign an ECDSA digest with
 * an RSA key's init failing, but an Ed25519 key takes no digest at all:
 * the pairing is checked here, once, for every algorithm.) */
static int key_fits(EVP_PKEY *key, const char *alg)
{
	int id = key ? EVP_PKEY_get_base_id(key) : EVP_PKEY_NONE;

	if (strcmp(alg, "rsa-sha256") == 0)
		return id == EVP_PKEY_RSA;
	if (strcmp(alg, "ecdsa-sha256") == 0)
		return id == EVP_PKEY_EC;
	if (strcmp(alg, "ed25519") == 0)
		return id == EVP_PKEY_ED25519;
	return 0;
}

static int is_ed25519(const char *alg)
{
	return strcmp(alg, "ed25519") == 0;
}

int swn_dsig_bare_name(const char *s)
{
	return s && s[0] == '#' && s[1] && xmlValidateNCName(BAD_CAST s + 1, 0) == 0;
}

/* ---- exclusive C14N of a subtree, streamed ---- */

enum sink_op { SINK_DIGEST, SINK_SIGN, SINK_VERIFY, SINK_HOLD };

/* Where canonical bytes go: a digest, a streaming signature, or (SINK_HOLD,
 * for EdDSA, which signs the whole message at once) a capped buffer. */
struct sink {
	EVP_MD_CTX *md;
	struct swn_buf *held;
	enum sink_op op;
	int failed;
};

static int sink_write(void *ctx, const char *buf, int len)
{
	struct sink *k = ctx;
	int ok;

	switch (k->op) {
	case SINK_SIGN:   ok = EVP_DigestSignUpdate(k->md, buf, (size_t)len); break;
	case SINK_VERIFY: ok = EVP_DigestVerifyUpdate(k->md, buf, (size_t)len); break;
	case SINK_DIGEST: ok = EVP_DigestUpdate(k->md, buf, (size_t)len); break;
	case SINK_HOLD: {
		struct swn_err ignored;

		ok = swn_buf_add(k->held, buf, (size_t)len, &ignored) == 0;
		break;
	}
	default:          ok = 0; break;
	}
	if (ok != 1) {
		k->failed = 1;
		return -1;
	}
	return len;
}

/* Exclusive C14N (without comments) of the subtree at el into md: one
 * pass over that subtree alone, no node set, no intermediate copy.
 *
 * libxml2 canonicalises a document subset by walking the whole document
 * and asking at every node whether it is in the subset; at every element,
 * in the subset or not, it looks namespaces up through the ancestors.  So
 * the cost followed what surrounds el (an unsigned header block full of
 * namespace declarations cost minutes), not el.  Here the document's top
 * list is pointed at el for the call: only el's subtree is walked, while
 * its ancestors stay linked by their parent pointers, so the namespaces in
 * scope at el are found exactly as before (tests/unit/test_dsig.c compares
 * the two).  The document is restored before returning; it must not be
 * used by another thread meanwhile (each message has its own). */
static int c14n_to(xmlDocPtr doc, xmlNodePtr el, xmlChar **prefixes, struct sink k)
{
	xmlOutputBufferPtr out = xmlOutputBufferCreateIO(sink_write, NULL, &k, NULL);
	xmlNodePtr top = doc->children, last = doc->last, prev = el->prev, next = el->next;
	int rc;

	if (out == NULL)
		return -1;
	doc->children = doc->last = el;
	el->prev = el->next = NULL;
	rc = xmlC14NExecute(doc, NULL, NULL, XML_C14N_EXCLUSIVE_1_0, prefixes, 0, out);
	doc->children = top;
	doc->last = last;
	el->prev = prev;
	el->next = next;
	if (xmlOutputBufferClose(out) < 0)
		rc = -1;
	return rc < 0 || k.failed ? -1 : 0;
}

static int c14n_into(xmlDocPtr doc, xmlNodePtr el, xmlChar **prefixes, EVP_MD_CTX *md,
		     enum sink_op op)
{
	return c14n_to(doc, el, prefixes, (struct sink){ md, NULL, op, 0 });
}

/* The exclusive C14N of the subtree at el, held in b (capped at
 * SWN_DSIG_MAX_SIGNEDINFO_BYTES): what an Ed25519 signature covers. */
static int c14n_held(xmlDocPtr doc, xmlNodePtr el, xmlChar **prefixes, struct swn_buf *b)
{
	swn_buf_init(b, SWN_DSIG_MAX_SIGNEDINFO_BYTES);
	if (c14n_to(doc, el, prefixes, (struct sink){ NULL, b, SINK_HOLD, 0 }) < 0) {
		swn_buf_free(b);
		return -1;
	}
	return 0;
}

static int digest_with(xmlDocPtr doc, xmlNodePtr el, xmlChar **prefixes, unsigned char out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
		 c14n_into(doc, el, prefixes, md, SINK_DIGEST) == 0 &&
		 EVP_DigestFinal_ex(md, out, &n) == 1 && n == 32;

	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

int swn_dsig_digest(xmlDocPtr doc, xmlNodePtr el, xmlChar **prefixes, unsigned char out[32])
{
	return digest_with(doc, el, prefixes, out);
}

/* Bytes of the group order of an EC key (32 for P-256). */
static int ec_half(EVP_PKEY *key)
{
	return (EVP_PKEY_get_bits(key) + 7) / 8;
}

/* Ed25519 (RFC 8032, pure): over the canonical bytes themselves, at once. */
static int sign_ed25519(xmlDocPtr doc, xmlNodePtr el, EVP_PKEY *key, unsigned char *sig,
			size_t cap, size_t *len)
{
	struct swn_buf b;
	EVP_MD_CTX *md;
	size_t n = cap;
	int ok;

	if (cap < 64 || c14n_held(doc, el, NULL, &b) < 0)
		return -1;
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
	     EVP_DigestSign(md, sig, &n, (const unsigned char *)(b.data ? b.data : ""), b.len) == 1 &&
	     n == 64;
	EVP_MD_CTX_free(md);
	swn_buf_free(&b);
	*len = n;
	return ok ? 0 : -1;
}

int swn_dsig_sign(xmlDocPtr doc, xmlNodePtr el, EVP_PKEY *key, const char *alg,
		  unsigned char *sig, size_t cap, size_t *len)
{
	EVP_MD_CTX *md;
	unsigned char der[1024];
	const unsigned char *p = der;
	size_t n = 0;
	int ok;

	if (alg == NULL || !key_fits(key, alg))
		return -1;
	if (is_ed25519(alg))
		return sign_ed25519(doc, el, key, sig, cap, len);
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	     c14n_into(doc, el, NULL, md, SINK_SIGN) == 0 &&
	     EVP_DigestSignFinal(md, NULL, &n) == 1 && n <= sizeof der &&
	     EVP_DigestSignFinal(md, der, &n) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return -1;
	if (strcmp(alg, "ecdsa-sha256") == 0) {
		/* XML-DSig wants r and s, each padded to the order's size, not DER. */
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)n);
		int half = ec_half(key);

		ok = es && half > 0 && (size_t)(2 * half) <= cap &&
		     BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, half) == half &&
		     BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + half, half) == half;
		ECDSA_SIG_free(es);
		*len = (size_t)(2 * half);
		return ok ? 0 : -1;
	}
	if (n > cap)
		return -1;
	memcpy(sig, der, n);
	*len = n;
	return 0;
}

/* ---- MIME parts: cid: references and the attachment transform ---- */

enum part_form { PART_OCTETS, PART_TEXT, PART_XML };

/* How the attachment transform treats a part, from its media type (the
 * Content-Type up to its parameters, case-insensitive). */
static enum part_form part_form(const char *content_type)
{
	char type[128];
	const char *p = content_type, *slash, *sub;
	size_t n, tl;

	if (p == NULL)
		return PART_OCTETS;
	while (*p == ' ' || *p == '\t')
		p++;
	for (n = 0; p[n] && p[n] != ';' && p[n] != ' ' && p[n] != '\t' && n < sizeof type - 1; n++)
		type[n] = p[n];
	type[n] = '\0';
	if ((slash = strchr(type, '/')) == NULL)
		return PART_OCTETS;
	tl = (size_t)(slash - type);
	sub = slash + 1;
	n = strlen(sub);
	if (strcasecmp(type, "text/xml") == 0 || strcasecmp(type, "application/xml") == 0 ||
	    (((tl == 11 && strncasecmp(type, "application", 11) == 0) ||
	      (tl == 5 && strncasecmp(type, "image", 5) == 0)) &&
	     n > 4 && strcasecmp(sub + n - 4, "+xml") == 0))
		return PART_XML;
	if (tl == 4 && strncasecmp(type, "text", 4) == 0)
		return PART_TEXT;
	return PART_OCTETS;
}

/* Each bare CR or bare LF made CRLF, across chunk boundaries (cr: the
 * last byte of the previous chunk was CR). */
static int digest_crlf(EVP_MD_CTX *md, const unsigned char *buf, size_t n, int *cr)
{
	static const unsigned char crlf[2] = { '\r', '\n' };
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\r') {
			if (EVP_DigestUpdate(md, buf + start, i - start) != 1 ||
			    EVP_DigestUpdate(md, crlf, 2) != 1)
				return -1;
			start = i + 1;
			*cr = 1;
		} else if (buf[i] == '\n') {
			if (EVP_DigestUpdate(md, buf + start, i - start) != 1 ||
			    (!*cr && EVP_DigestUpdate(md, crlf, 2) != 1))
				return -1;
			start = i + 1;
			*cr = 0;
		} else {
			*cr = 0;
		}
	}
	return EVP_DigestUpdate(md, buf + start, n - start) == 1 ? 0 : -1;
}

/* An XML part: read whole (capped), parsed as any untrusted XML, and the
 * document's exclusive C14N without comments digested. */
static int digest_xml_part(const struct swn_dsig_part *part, EVP_MD_CTX *md, struct swn_err *err)
{
	unsigned char chunk[16384];
	struct swn_buf b;
	xmlDocPtr doc;
	size_t got;
	int rc = -1;

	swn_buf_init(&b, SWN_MAX_XML_PART_BYTES);
	for (;;) {
		if (part->read(part->arg, chunk, sizeof chunk, &got) < 0) {
			swn_buf_free(&b);
			return swn_err_set(err, SWN_E_SIGNATURE, part->name, 0, "cannot read the part");
		}
		if (got == 0)
			break;
		if (swn_buf_add(&b, chunk, got, err) < 0)
			return swn_err_set(err, SWN_E_SIGNATURE, part->name, 0,
					   "an XML part is canonicalised to be digested, and this one is "
					   "larger than %u bytes: send it compressed",
					   (unsigned)SWN_MAX_XML_PART_BYTES);
	}
	doc = swn_xml_parse(b.data ? b.data : "", b.len, part->name, err);
	swn_buf_free(&b);
	if (doc == NULL)
		return -1;
	{
		struct sink k = { md, NULL, SINK_DIGEST, 0 };
		xmlOutputBufferPtr out = xmlOutputBufferCreateIO(sink_write, NULL, &k, NULL);

		if (out != NULL) {
			rc = xmlC14NExecute(doc, NULL, NULL, XML_C14N_EXCLUSIVE_1_0, NULL, 0, out);
			if (xmlOutputBufferClose(out) < 0 || k.failed)
				rc = -1;
		}
	}
	xmlFreeDoc(doc);
	if (rc < 0)
		return swn_err_set(err, SWN_E_SIGNATURE, part->name, 0, "cannot canonicalise the XML part");
	return 0;
}

int swn_dsig_part_digest(const struct swn_dsig_part *part, unsigned char out[32],
			 struct swn_err *err)
{
	enum part_form form = part_form(part->content_type);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char chunk[65536];
	unsigned int n = 0;
	size_t got;
	int cr = 0, rc = -1;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return swn_err_set(err, SWN_E_NOMEM, part->name, 0, "out of memory");
	}
	if (form == PART_XML) {
		rc = digest_xml_part(part, md, err);
	} else {
		for (;;) {
			if (part->read(part->arg, chunk, sizeof chunk, &got) < 0) {
				swn_err_set(err, SWN_E_SIGNATURE, part->name, 0, "cannot read the part");
				break;
			}
			if (got == 0) {
				rc = 0;
				break;
			}
			if ((form == PART_TEXT ? digest_crlf(md, chunk, got, &cr)
					       : (EVP_DigestUpdate(md, chunk, got) == 1 ? 0 : -1)) < 0) {
				swn_err_set(err, SWN_E_SIGNATURE, part->name, 0, "cannot digest the part");
				break;
			}
		}
	}
	if (rc == 0 && (EVP_DigestFinal_ex(md, out, &n) != 1 || n != 32))
		rc = swn_err_set(err, SWN_E_SIGNATURE, part->name, 0, "cannot digest the part");
	EVP_MD_CTX_free(md);
	return rc;
}

/* ---- the profile, read strictly ---- */

static int is_el(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	       xmlStrEqual(n->ns->href, BAD_CAST ns) && xmlStrEqual(n->name, BAD_CAST name);
}

static int blank_text(const xmlNode *n)
{
	return (n->type == XML_TEXT_NODE) && xmlIsBlankNode((xmlNodePtr)n);
}

/* The element children of parent: the first max into kids, the count
 * returned; -1 with err if parent holds anything else (text other than
 * white space, comments, processing instructions). */
static int elements(xmlNodePtr parent, xmlNodePtr *kids, int max, const char *name,
		    struct swn_err *err)
{
	xmlNodePtr n;
	int count = 0;

	for (n = parent->children; n; n = n->next) {
		if (blank_text(n))
			continue;
		if (n->type != XML_ELEMENT_NODE)
			return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(n),
					   "ds:%s may hold only its elements and white space",
					   (const char *)parent->name);
		if (count < max)
			kids[count] = n;
		count++;
	}
	return count;
}

/* el carries no attribute but those in allowed (names without namespace). */
static int attrs_only(xmlNodePtr el, const char *const *allowed, const char *name,
		      struct swn_err *err)
{
	xmlAttrPtr a;
	int i, ok;

	for (a = el->properties; a; a = a->next) {
		for (i = 0, ok = 0; allowed[i] && !ok; i++)
			ok = a->ns == NULL && xmlStrEqual(a->name, BAD_CAST allowed[i]);
		if (!ok)
			return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(el),
					   "attribute '%s' is not allowed on %s", (const char *)a->name,
					   (const char *)el->name);
	}
	return 0;
}

static const char *const no_attrs[] = { NULL };
static const char *const alg_attrs[] = { "Algorithm", NULL };

/* el's Algorithm attribute is want. */
static int algorithm_is(xmlNodePtr el, const char *want)
{
	xmlChar *v = xmlGetNoNsProp(el, BAD_CAST "Algorithm");
	int eq = v && strcmp((const char *)v, want) == 0;

	xmlFree(v);
	return eq;
}

/* A parsed PrefixList: NCNames or "#default", separated by single spaces
 * (so that every reader splits it alike: libxmlsec1 splits on single
 * spaces, and libxml2 takes an empty token for the default namespace). */
struct prefix_list {
	char store[256];
	xmlChar *tok[SWN_DSIG_MAX_PREFIXES + 1];
	int n;
};

/* The list as it was written (for reports): the tokens joined again. */
static void prefix_text(const struct prefix_list *pl, char *out, size_t n)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < pl->n && used < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? " " : "",
					 (const char *)pl->tok[i]);
}

/* Split list into pl: tokens separated by one space, each an NCName or
 * "#default", at most SWN_DSIG_MAX_PREFIXES. */
static int split_prefixes(const char *list, struct prefix_list *pl)
{
	size_t len = strlen(list);
	char *p;

	if (len == 0 || len >= sizeof pl->store || list[0] == ' ' || list[len - 1] == ' ' ||
	    strstr(list, "  "))
		return -1;
	memcpy(pl->store, list, len + 1);
	for (p = pl->store; p; ) {
		char *sp = strchr(p, ' ');

		if (sp)
			*sp = '\0';
		if (pl->n == SWN_DSIG_MAX_PREFIXES ||
		    (strcmp(p, "#default") != 0 && xmlValidateNCName(BAD_CAST p, 0) != 0))
			return -1;
		pl->tok[pl->n++] = BAD_CAST p;
		p = sp ? sp + 1 : NULL;
	}
	pl->tok[pl->n] = NULL;
	return 0;
}

/* el is an exclusive C14N method or transform: Algorithm exc-c14n and at
 * most one InclusiveNamespaces child with a PrefixList.  what begins the
 * error when it is not ("CanonicalizationMethod must be"). */
static int exc_c14n_method(xmlNodePtr el, const char *what, struct prefix_list *pl,
			   const char *name, struct swn_err *err)
{
	xmlNodePtr kids[1];
	xmlChar *list;
	int n, bad;

	memset(pl, 0, sizeof *pl);
	if (attrs_only(el, alg_attrs, name, err) < 0)
		return -1;
	if (!algorithm_is(el, SWN_ALG_EXC_C14N))
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(el),
				   "%s exclusive C14N (%s): no other algorithm is accepted",
				   what, SWN_ALG_EXC_C14N);
	if ((n = elements(el, kids, 1, name, err)) <= 0)
		return n;
	if (n > 1 || !is_el(kids[0], NS_EXC_C14N, "InclusiveNamespaces") || kids[0]->children ||
	    attrs_only(kids[0], (const char *const[]){ "PrefixList", NULL }, name, err) < 0)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(kids[0]),
				   "ds:%s may hold only an empty ec:InclusiveNamespaces",
				   (const char *)el->name);
	list = xmlGetNoNsProp(kids[0], BAD_CAST "PrefixList");
	bad = list == NULL || split_prefixes((const char *)list, pl) < 0;
	xmlFree(list);
	if (bad)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(kids[0]),
				   "the PrefixList must be 1 to %d prefixes (or #default) separated by "
				   "single spaces", SWN_DSIG_MAX_PREFIXES);
	return 0;
}

/* A copy of an untrusted value for reports and errors (escaped where it
 * leaves the process, not here). */
static void printable(char *dst, size_t n, const xmlChar *v)
{
	snprintf(dst, n, "%s", v ? (const char *)v : "(none)");
}

/* Strict base64 (white space allowed between characters) into out. */
static int base64_value(xmlNodePtr el, unsigned char *out, size_t cap, size_t *len)
{
	xmlChar *v = xmlNodeGetContent(el);
	unsigned char clean[1400], raw[1100];
	size_t n = 0, pad = 0, i;
	int got;

	for (i = 0; v && v[i]; i++) {
		if (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n')
			continue;
		if (n == sizeof clean - 1)
			break;
		clean[n++] = v[i];
	}
	got = v && !v[i] && n > 0 && n % 4 == 0;
	xmlFree(v);
	if (!got)
		return -1;
	clean[n] = '\0';
	pad = (clean[n - 1] == '=') + (clean[n - 2] == '=');
	if ((got = EVP_DecodeBlock(raw, clean, (int)n)) < 0 || (size_t)got < pad ||
	    (size_t)got - pad > cap)
		return -1;
	*len = (size_t)got - pad;
	memcpy(out, raw, *len);
	return 0;
}

/* What a Reference asks to be checked: which target (below the caller's
 * ntargets) or part (ntargets and up), with which prefix list, against
 * which digest. */
struct ref_plan {
	int target;
	struct prefix_list pl;
	unsigned char want[32];
};

/* The signature's targets and parts, as the caller gave them. */
struct covered {
	const struct swn_dsig_target *t;
	int nt;
	const struct swn_dsig_part *p;
	int np;
};

/* A cid: URI resolved to one of the parts: its index in c (nt and up), or
 * -1 with err. */
static int resolve_cid(const struct covered *c, const char *uri, xmlNodePtr ref,
		       struct swn_dsig_ref *r, const char *name, struct swn_err *err)
{
	char id[SWN_MIME_ID_BYTES];
	struct swn_err why;
	int i;

	swn_err_clear(&why);
	if (swn_mime_cid_decode(uri, id, sizeof id, &why) < 0)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(ref),
				   "Reference URI %s is not the cid: URI of a Content-ID: %s", r->uri,
				   why.msg);
	for (i = 0; i < c->np; i++)
		if (strcmp(id, c->p[i].cid) == 0)
			break;
	if (i == c->np)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(ref),
				   "Reference %s names no part of this message", r->uri);
	snprintf(r->target, sizeof r->target, "%s", c->p[i].name);
	return c->nt + i;
}

/* A #NCName URI resolved to one of the targets: its index, or -1 with
 * err. */
static int resolve_id(xmlDocPtr doc, const struct covered *c, const char *uri, xmlNodePtr ref,
		      struct swn_dsig_ref *r, const char *name, struct swn_err *err)
{
	const xmlNode *el = NULL;
	xmlAttrPtr id = xmlGetID(doc, BAD_CAST uri + 1);
	int i = c->nt;

	if (id && (xmlDocPtr)id != doc && id->type == XML_ATTRIBUTE_NODE && id->parent)
		for (el = id->parent, i = 0; i < c->nt; i++)
			if (el == c->t[i].el)
				break;
	if (i == c->nt) {
		printable(r->target, sizeof r->target, el ? el->name : BAD_CAST "nothing");
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(ref),
				   "Reference %s resolves to %s, not to the %s that would be processed",
				   r->uri, r->target, c->nt == 2 ? "eb:Messaging or soap:Body" : "parts");
	}
	snprintf(r->target, sizeof r->target, "%s", c->t[i].name);
	return i;
}

/* A cid: Reference's one Transform: the SwA attachment content transform,
 * empty. */
static int swa_transform(xmlNodePtr tr, const struct swn_dsig_ref *r, const char *name,
			 struct swn_err *err)
{
	if (attrs_only(tr, alg_attrs, name, err) < 0)
		return -1;
	if (!algorithm_is(tr, SWN_ALG_SWA_CONTENT) || tr->children)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(tr),
				   "Reference %s to a part must use exactly one transform, an empty "
				   "Attachment-Content-Signature-Transform (%s)", r->uri,
				   SWN_ALG_SWA_CONTENT);
	return 0;
}

/* One Reference, read and checked: URI resolved to a target, transforms,
 * digest method, DigestValue; plan says what to compute (later: nothing of
 * the targets is canonicalised before the SignatureValue is known good). */
static int check_reference(xmlDocPtr doc, xmlNodePtr ref, const struct covered *c, int *seen,
			   struct swn_dsig_ref *r, struct ref_plan *plan, const char *name,
			   struct swn_err *err)
{
	static const char *const ref_attrs[] = { "URI", "Id", "Type", NULL };
	xmlNodePtr kids[3], tr[1];
	char what[SWN_DSIG_URI_BYTES + 48];
	xmlChar *uri;
	unsigned char want[64];
	size_t wlen = 0;
	int i, n, is_part;

	r->digest_ok = -1;
	snprintf(r->target, sizeof r->target, "nothing");
	if (attrs_only(ref, ref_attrs, name, err) < 0)
		return -1;
	uri = xmlGetNoNsProp(ref, BAD_CAST "URI");
	printable(r->uri, sizeof r->uri, uri);
	/* The form decides how the URI is read, before anything is resolved:
	 * a bare name, or cid: when the message has parts; nothing else. */
	is_part = c->np > 0 && uri && strncmp((const char *)uri, "cid:", 4) == 0;
	if (!is_part && !swn_dsig_bare_name((const char *)uri)) {
		xmlFree(uri);
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(ref),
				   "Reference URI '%s' is not a same-document '#id' reference%s: only a "
				   "bare name '#NCName' is accepted (no XPointer, empty or external URI)",
				   r->uri, c->np ? " nor a cid: reference to a part" : "");
	}
	i = is_part ? resolve_cid(c, (const char *)uri, ref, r, name, err)
		    : resolve_id(doc, c, (const char *)uri, ref, r, name, err);
	xmlFree(uri);
	if (i < 0)
		return -1;
	if (seen[i]++)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(ref),
				   "%s is referenced twice", r->target);
	n = elements(ref, kids, 3, name, err);
	if (n < 0)
		return -1;
	if (n != 3 || !is_el(kids[0], SWN_NS_DSIG, "Transforms") ||
	    !is_el(kids[1], SWN_NS_DSIG, "DigestMethod") || !is_el(kids[2], SWN_NS_DSIG, "DigestValue"))
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(ref),
				   "Reference %s must hold Transforms, DigestMethod and DigestValue, in that order",
				   r->uri);
	if (attrs_only(kids[0], no_attrs, name, err) < 0 ||
	    (n = elements(kids[0], tr, 1, name, err)) < 0)
		return -1;
	if (n != 1 || !is_el(tr[0], SWN_NS_DSIG, "Transform"))
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(kids[0]),
				   "Reference %s uses a transform other than %s (%d transforms; "
				   "exactly one is accepted)", r->uri,
				   is_part ? "the attachment content transform" : "exclusive C14N", n);
	memset(&plan->pl, 0, sizeof plan->pl);
	snprintf(what, sizeof what, "Reference %s uses a transform other than", r->uri);
	if (is_part ? swa_transform(tr[0], r, name, err) < 0
		    : exc_c14n_method(tr[0], what, &plan->pl, name, err) < 0)
		return -1;
	prefix_text(&plan->pl, r->prefixes, sizeof r->prefixes);
	if (attrs_only(kids[1], alg_attrs, name, err) < 0 || kids[1]->children ||
	    !algorithm_is(kids[1], SWN_ALG_SHA256))
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(kids[1]),
				   "Reference %s must use SHA-256 (%s)", r->uri, SWN_ALG_SHA256);
	if (attrs_only(kids[2], no_attrs, name, err) < 0)
		return -1;
	if (base64_value(kids[2], want, sizeof want, &wlen) < 0 || wlen != 32)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(kids[2]),
				   "the DigestValue of %s is not the base64 of a SHA-256 digest", r->uri);
	plan->target = i;
	memcpy(plan->want, want, 32);
	return 0;
}

/* An Ed25519 SignatureValue (64 bytes) against the canonical SignedInfo,
 * held whole (EdDSA does not stream; SignedInfo is capped). */
static int verify_ed25519(xmlDocPtr doc, xmlNodePtr si, struct prefix_list *pl, EVP_PKEY *key,
			  const unsigned char sig[64])
{
	struct swn_buf b;
	EVP_MD_CTX *md;
	int ok;

	if (c14n_held(doc, si, pl->n ? pl->tok : NULL, &b) < 0)
		return 0;
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1 &&
	     EVP_DigestVerify(md, sig, 64, (const unsigned char *)(b.data ? b.data : ""), b.len) == 1;
	EVP_MD_CTX_free(md);
	swn_buf_free(&b);
	return ok;
}

/* The SignatureValue against the canonical SignedInfo. */
static int check_value(xmlDocPtr doc, xmlNodePtr si, xmlNodePtr sv, struct prefix_list *pl,
		       EVP_PKEY *key, const char *alg)
{
	unsigned char raw[1024], der[1100];
	unsigned char *p = der;
	size_t len = 0, siglen;
	EVP_MD_CTX *md;
	int ok, half;

	if (base64_value(sv, raw, sizeof raw, &len) < 0)
		return 0;
	if (is_ed25519(alg))
		return len == 64 && verify_ed25519(doc, si, pl, key, raw);
	siglen = len;
	if (strcmp(alg, "ecdsa-sha256") == 0) {
		/* r||s, each the size of the order, to the DER OpenSSL wants. */
		ECDSA_SIG *es = ECDSA_SIG_new();
		BIGNUM *r, *s;
		int dl;

		half = ec_half(key);
		if (es == NULL || half <= 0 || len != (size_t)(2 * half)) {
			ECDSA_SIG_free(es);
			return 0;
		}
		r = BN_bin2bn(raw, half, NULL);
		s = BN_bin2bn(raw + half, half, NULL);
		if (!r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
			BN_free(r);
			BN_free(s);
			ECDSA_SIG_free(es);
			return 0;
		}
		dl = i2d_ECDSA_SIG(es, NULL);
		ok = dl > 0 && (size_t)dl <= sizeof der && i2d_ECDSA_SIG(es, &p) == dl;
		ECDSA_SIG_free(es);
		if (!ok)
			return 0;
		siglen = (size_t)dl;
	} else {
		memcpy(der, raw, len);
	}
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	     c14n_into(doc, si, pl->n ? pl->tok : NULL, md, SINK_VERIFY) == 0 &&
	     EVP_DigestVerifyFinal(md, der, siglen) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

/* Each reference's digest, computed over its target or part and
 * compared. */
static int check_digests(xmlDocPtr doc, const struct covered *c, const struct ref_plan *plans,
			 struct swn_dsig_report *rep, const char *name, struct swn_err *err)
{
	unsigned char got[32];
	int i;

	for (i = 0; i < rep->nrefs; i++) {
		const struct ref_plan *pl = &plans[i];

		if (pl->target >= c->nt) {
			if (swn_dsig_part_digest(&c->p[pl->target - c->nt], got, err) < 0)
				return -1;
		} else if (digest_with(doc, c->t[pl->target].el,
				       pl->pl.n ? (xmlChar **)pl->pl.tok : NULL, got) < 0) {
			return swn_err_set(err, SWN_E_SIGNATURE, name, 0, "cannot canonicalise %s",
					   c->t[pl->target].name);
		}
		rep->refs[i].digest_ok = memcmp(pl->want, got, 32) == 0;
	}
	return 0;
}

int swn_dsig_verify(xmlDocPtr doc, xmlNodePtr signature, const struct swn_dsig_target *targets,
		    int ntargets, EVP_PKEY *key, const char *alg, int diagnose,
		    struct swn_dsig_report *rep, const char *name, struct swn_err *err)
{
	return swn_dsig_verify_parts(doc, signature, targets, ntargets, NULL, 0, key, alg, diagnose,
				     rep, name, err);
}

int swn_dsig_verify_parts(xmlDocPtr doc, xmlNodePtr signature,
			  const struct swn_dsig_target *targets, int ntargets,
			  const struct swn_dsig_part *mparts, int nparts, EVP_PKEY *key,
			  const char *alg, int diagnose, struct swn_dsig_report *rep,
			  const char *name, struct swn_err *err)
{
	static const char *const si_attrs[] = { "Id", NULL };
	static _Thread_local struct ref_plan plans[SWN_DSIG_MAX_REFS];
	xmlNodePtr parts[3], kids[2 + SWN_DSIG_MAX_REFS], si, sv;
	const struct covered c = { targets, ntargets, mparts, nparts };
	struct prefix_list pl;
	int seen[SWN_DSIG_MAX_REFS] = { 0 };
	int n, np, i, ncovered = ntargets + nparts;

	memset(rep, 0, sizeof *rep);
	rep->signature_ok = -1;
	snprintf(rep->sig_alg, sizeof rep->sig_alg, "%s", alg ? alg : "(none)");
	if (swn_dsig_alg_uri(alg) == NULL)
		return swn_err_set(err, SWN_E_SIGNATURE, name, 0, "unsupported signature algorithm %s",
				   alg ? alg : "(none)");
	if (ntargets < 1 || nparts < 0 || ncovered > SWN_DSIG_MAX_REFS)
		return swn_err_set(err, SWN_E_SIGNATURE, name, 0,
				   "%d elements and %d parts to sign: at most %d in all", ntargets,
				   nparts, SWN_DSIG_MAX_REFS);
	if (!key_fits(key, alg))
		return swn_err_set(err, SWN_E_SIGNATURE, name, 0,
				   "the pinned key is not a key for %s", alg);
	/* The caller's parts: each readable and named, each name once (a part
	 * without a Content-ID cannot be referenced, so it cannot be signed). */
	for (i = 0; i < nparts; i++) {
		if (mparts[i].name == NULL || mparts[i].read == NULL)
			return swn_err_set(err, SWN_E_SIGNATURE, name, 0,
					   "part %d is given without a name or a reader", i + 1);
		if (mparts[i].cid == NULL || mparts[i].cid[0] == '\0')
			return swn_err_set(err, SWN_E_SIGNATURE, name, 0,
					   "%s has no Content-ID: it cannot be signed", mparts[i].name);
		for (n = 0; n < i; n++)
			if (strcmp(mparts[n].cid, mparts[i].cid) == 0)
				return swn_err_set(err, SWN_E_SIGNATURE, name, 0,
						   "two parts have the Content-ID <%s>", mparts[i].cid);
	}
	/* Signature: SignedInfo, SignatureValue, KeyInfo (ignored: the key is
	 * the caller's); a ds:Object could only hide wrapped content. */
	if ((np = elements(signature, parts, 3, name, err)) < 0)
		return -1;
	if (np < 2 || np > 3 || !is_el(parts[0], SWN_NS_DSIG, "SignedInfo") ||
	    !is_el(parts[1], SWN_NS_DSIG, "SignatureValue") ||
	    (np == 3 && !is_el(parts[2], SWN_NS_DSIG, "KeyInfo")))
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(signature),
				   "ds:Signature must hold SignedInfo, SignatureValue and KeyInfo, and "
				   "nothing else (a ds:Object could hide wrapped content)");
	si = parts[0];
	sv = parts[1];
	if (attrs_only(si, si_attrs, name, err) < 0 ||
	    (n = elements(si, kids, 2 + SWN_DSIG_MAX_REFS, name, err)) < 0)
		return -1;
	if (n > 2 + ncovered)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(si),
				   "SignedInfo holds %d references; the message has %d parts to sign",
				   n - 2, ncovered);
	if (n < 3 || !is_el(kids[0], SWN_NS_DSIG, "CanonicalizationMethod") ||
	    !is_el(kids[1], SWN_NS_DSIG, "SignatureMethod"))
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(si),
				   "SignedInfo must hold CanonicalizationMethod, SignatureMethod and References");
	if (exc_c14n_method(kids[0], "CanonicalizationMethod must be", &pl, name, err) < 0)
		return -1;
	if (attrs_only(kids[1], alg_attrs, name, err) < 0 || kids[1]->children ||
	    !algorithm_is(kids[1], swn_dsig_alg_uri(alg)))
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(kids[1]),
				   "SignatureMethod must be %s (%s), as the key and agreement say",
				   alg, swn_dsig_alg_uri(alg));
	for (i = 2; i < n; i++) {
		struct swn_dsig_ref *r = &rep->refs[rep->nrefs++];

		if (!is_el(kids[i], SWN_NS_DSIG, "Reference"))
			return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(kids[i]),
					   "SignedInfo may hold only References after SignatureMethod");
		if (check_reference(doc, kids[i], &c, seen, r, &plans[rep->nrefs - 1], name, err) < 0)
			return -1;
	}
	for (i = 0; i < ncovered; i++)
		if (!seen[i])
			return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(si),
					   "the signature must cover every part; %s is not signed",
					   i < ntargets ? targets[i].name : mparts[i - ntargets].name);
	if (attrs_only(sv, si_attrs, name, err) < 0)
		return -1;
	/* The value first: SignedInfo is small, the targets may be large, and
	 * nothing large is canonicalised for a sender without the key. */
	rep->signature_ok = check_value(doc, si, sv, &pl, key, alg);
	if ((rep->signature_ok == 1 || diagnose) &&
	    check_digests(doc, &c, plans, rep, name, err) < 0)
		return -1;
	for (i = 0; i < rep->nrefs; i++)
		if (rep->refs[i].digest_ok == 0)
			return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(si),
					   "the digest of %s (%s) does not match: it was changed after signing",
					   rep->refs[i].target, rep->refs[i].uri);
	if (rep->signature_ok != 1)
		return swn_err_set(err, SWN_E_SIGNATURE, name, swn_xml_line(sv),
				   "the SignatureValue does not verify with the pinned certificate: "
				   "signed by another key, or SignedInfo was changed");
	return 0;
}

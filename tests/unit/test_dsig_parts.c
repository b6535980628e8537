/* Unit tests: dsig's Ed25519 signatures and its references to MIME parts
 * (cid: URIs themselves are read by as4/mime, and tested there: here a
 * percent-escape, an upper-case scheme or a '#' in a reference is refused): the attachment
 * content transform's three outputs (octets as they are, text with CRLF
 * line ends across chunk boundaries, XML canonicalised) against digests
 * computed here from the expected bytes; and whole signatures over an
 * envelope and its parts, made here and verified by dsig, with every way
 * a reference to a part can be wrong. */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "as4/dsig.h"
#include "xml/xmlsafe.h"
#include "testlib.h"

/* ---- the attachment content transform ---- */

/* A part held in memory, read back in chunks of at most step bytes. */
struct mem_part {
	const unsigned char *data;
	size_t len, at, step;
	int fail_at;  /* fail when this many bytes were given (-1: never) */
};

static int mem_read(void *arg, unsigned char *buf, size_t cap, size_t *got)
{
	struct mem_part *m = arg;
	size_t n = m->len - m->at;

	if (m->fail_at >= 0 && m->at >= (size_t)m->fail_at)
		return -1;
	if (n > cap)
		n = cap;
	if (n > m->step)
		n = m->step;
	memcpy(buf, m->data + m->at, n);
	m->at += n;
	*got = n;
	return 0;
}

static void sha256(const void *p, size_t n, unsigned char out[32])
{
	ck_assert_int_eq(EVP_Digest(p, n, out, NULL, EVP_sha256(), NULL), 1);
}

/* Digest content under content_type, read step bytes at a time; 0 and the
 * digest, or -1. */
static int part_digest(const char *content_type, const char *content, size_t step,
		       unsigned char out[32], struct swn_err *err)
{
	struct mem_part m = { (const unsigned char *)content, strlen(content), 0, step, -1 };
	struct swn_dsig_part p = { "part 1", "p1", content_type, mem_read, &m };

	return swn_dsig_part_digest(&p, out, err);
}

static void expect_digest(const char *content_type, const char *content, const char *expected)
{
	static const size_t steps[] = { 1, 2, 3, 7, 65536 };
	unsigned char want[32], got[32];
	struct swn_err err;
	size_t i;

	sha256(expected, strlen(expected), want);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		swn_err_clear(&err);
		ck_assert_msg(part_digest(content_type, content, steps[i], got, &err) == 0,
			      "%s in steps of %zu: %s", content_type ? content_type : "(none)", steps[i],
			      err.msg);
		ck_assert_msg(memcmp(want, got, 32) == 0, "%s in steps of %zu: not the digest of %s",
			      content_type ? content_type : "(none)", steps[i], expected);
	}
}

START_TEST(content_transform)
{
	static const char *const octet_types[] = {
		"application/gzip", "application/octet-stream", "image/png", NULL,
		"application/xmlx", "application/foo+xmlx", "textual/plain", "application", "",
		"video/x+xml",
	};
	static const char *const xml_types[] = {
		"application/xml", "text/xml", "Application/XML", "TEXT/Xml; charset=utf-8",
		"application/soap+xml", "application/soap+xml; action=x", "image/svg+xml",
		"  application/xml", "application/xml;charset=UTF-8",
	};
	static const char *const text_types[] = {
		"text/plain", "Text/Plain; charset=us-ascii", "text/csv", "text/html",
	};
	const char *raw = "a\nb\r\nc\rd\r\r\n\n<x/>\xff";
	unsigned char got[32];
	struct swn_err err;
	size_t i;

	for (i = 0; i < sizeof octet_types / sizeof octet_types[0]; i++)
		expect_digest(octet_types[i], raw, raw);
	for (i = 0; i < sizeof text_types / sizeof text_types[0]; i++)
		expect_digest(text_types[i], raw, "a\r\nb\r\nc\r\nd\r\n\r\n\r\n<x/>\xff");
	/* a CR that ends the content, and one alone between chunks */
	expect_digest("text/plain", "x\r", "x\r\n");
	expect_digest("text/plain", "\r\r\r", "\r\n\r\n\r\n");
	expect_digest("text/plain", "", "");
	for (i = 0; i < sizeof xml_types / sizeof xml_types[0]; i++)
		expect_digest(xml_types[i],
			      "<?xml version='1.0'?>\n<!-- c -->\n<r xmlns='urn:r' xmlns:u='urn:u'  b='2' a='1'>"
			      "<u:e/><![CDATA[<&>]]></r>\n",
			      "<r xmlns=\"urn:r\" a=\"1\" b=\"2\"><u:e xmlns:u=\"urn:u\"></u:e>&lt;&amp;&gt;</r>");
	/* XML that the node's parser refuses is refused here too */
	swn_err_clear(&err);
	ck_assert_int_lt(part_digest("application/xml",
				     "<!DOCTYPE r [<!ENTITY e 'x'>]><r>&e;</r>", 65536, got, &err), 0);
	swn_err_clear(&err);
	ck_assert_int_lt(part_digest("text/xml", "<r>", 65536, got, &err), 0);
	/* an XML part is all of its bytes: a NUL (after which libxml2 would
	 * stop reading) is refused, not left out of the digest */
	{
		static const char nul_part[] = "<r>1</r>\0<r>999</r>";
		struct mem_part m = { (const unsigned char *)nul_part, sizeof nul_part - 1, 0, 65536, -1 };
		struct swn_dsig_part p = { "part 1", "p1@x", "application/xml", mem_read, &m };

		swn_err_clear(&err);
		ck_assert_int_lt(swn_dsig_part_digest(&p, got, &err), 0);
		ck_assert_ptr_nonnull(strstr(err.msg, "NUL"));
	}
	/* a part that cannot be read is an error, not a digest of what came */
	{
		struct mem_part m = { (const unsigned char *)"abcdef", 6, 0, 2, 4 };
		struct swn_dsig_part p = { "part 1", "p1", "application/gzip", mem_read, &m };

		swn_err_clear(&err);
		ck_assert_int_lt(swn_dsig_part_digest(&p, got, &err), 0);
		ck_assert_ptr_nonnull(strstr(err.msg, "cannot read"));
	}
}
END_TEST

/* ---- whole signatures over an envelope and its parts ---- */

#define NS_SOAP "http://www.w3.org/2003/05/soap-envelope"
#define NS_EB "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"

/* A message: its document, targets and parts, and the signature. */
struct msg {
	xmlDocPtr doc;
	struct swn_dsig_target t[2];
	struct swn_dsig_part p[3];
	struct mem_part m[3];
	xmlNodePtr sig;
};

static const char *const part_data[3] = { "\x1f\x8b binary \r\n--", "plain\ntext", "<d><e/></d>" };
static const char *const part_type[3] = { "application/gzip", "text/plain", "application/xml" };
static const char *const part_cid[3] = { "p1@x", "p2@x", "p3@x" };

static void rewind_parts(struct msg *g)
{
	int i;

	for (i = 0; i < 3; i++) {
		g->m[i].at = 0;
		g->m[i].fail_at = -1;
	}
}

static void b64(const unsigned char *p, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

/* One Reference: uri, transform algorithm, and the digest given. */
static void add_reference(xmlNodePtr si, xmlNsPtr ds, const char *uri, const char *transform,
			  const unsigned char digest[32])
{
	xmlNodePtr ref = xmlNewChild(si, ds, BAD_CAST "Reference", NULL);
	xmlNodePtr trs = xmlNewChild(ref, ds, BAD_CAST "Transforms", NULL);
	xmlNodePtr tr = xmlNewChild(trs, ds, BAD_CAST "Transform", NULL);
	xmlNodePtr dm;
	char v[64];

	xmlNewProp(ref, BAD_CAST "URI", BAD_CAST uri);
	xmlNewProp(tr, BAD_CAST "Algorithm", BAD_CAST transform);
	dm = xmlNewChild(ref, ds, BAD_CAST "DigestMethod", NULL);
	xmlNewProp(dm, BAD_CAST "Algorithm", BAD_CAST SWN_ALG_SHA256);
	b64(digest, 32, v);
	xmlNewChild(ref, ds, BAD_CAST "DigestValue", BAD_CAST v);
}

/* How to spoil the signature while building it. */
enum spoil {
	SPOIL_NONE, SPOIL_PART_DIGEST, SPOIL_OMIT_PART, SPOIL_TWICE, SPOIL_UNKNOWN_CID,
	SPOIL_C14N_ON_PART, SPOIL_SWA_ON_ELEMENT, SPOIL_ENCODED_CID, SPOIL_UPPER_SCHEME,
	SPOIL_FRAGMENT,
};

/* Build a message with an empty Body, eb:Messaging and three parts, and a
 * signature over them all with key under alg, spoiled as asked. */
static void build(struct msg *g, EVP_PKEY *key, const char *alg, enum spoil spoil)
{
	const char *xml = "<S:Envelope xmlns:S='" NS_SOAP "' xmlns:wsu='http://docs.oasis-open.org/"
			  "wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'><S:Header>"
			  "<eb:Messaging xmlns:eb='" NS_EB "' wsu:Id='m'><eb:UserMessage/></eb:Messaging>"
			  "</S:Header><S:Body wsu:Id='b'/></S:Envelope>";
	struct swn_err err;
	xmlNodePtr root, header, si, el;
	xmlNsPtr ds;
	unsigned char d[32], value[512];
	char v[700], uri[64];
	size_t len = 0;
	int i;

	memset(g, 0, sizeof *g);
	swn_err_clear(&err);
	g->doc = swn_xml_parse(xml, strlen(xml), "msg", &err);
	ck_assert_msg(g->doc != NULL, "%s", err.msg);
	root = xmlDocGetRootElement(g->doc);
	header = root->children;
	g->t[0] = (struct swn_dsig_target){ "eb:Messaging", header->children };
	g->t[1] = (struct swn_dsig_target){ "soap:Body", header->next };
	xmlAddID(NULL, g->doc, BAD_CAST "m", xmlHasProp(header->children, BAD_CAST "Id"));
	xmlAddID(NULL, g->doc, BAD_CAST "b", xmlHasProp(header->next, BAD_CAST "Id"));
	for (i = 0; i < 3; i++) {
		g->m[i] = (struct mem_part){ (const unsigned char *)part_data[i], strlen(part_data[i]), 0,
					     5, -1 };
		g->p[i] = (struct swn_dsig_part){ part_cid[i], part_cid[i], part_type[i], mem_read,
						  &g->m[i] };
	}

	g->sig = xmlNewChild(header, NULL, BAD_CAST "Signature", NULL);
	ds = xmlNewNs(g->sig, BAD_CAST SWN_NS_DSIG, BAD_CAST "ds");
	xmlSetNs(g->sig, ds);
	si = xmlNewChild(g->sig, ds, BAD_CAST "SignedInfo", NULL);
	el = xmlNewChild(si, ds, BAD_CAST "CanonicalizationMethod", NULL);
	xmlNewProp(el, BAD_CAST "Algorithm", BAD_CAST SWN_ALG_EXC_C14N);
	el = xmlNewChild(si, ds, BAD_CAST "SignatureMethod", NULL);
	xmlNewProp(el, BAD_CAST "Algorithm", BAD_CAST swn_dsig_alg_uri(alg));
	ck_assert_int_eq(swn_dsig_digest(g->doc, g->t[0].el, NULL, d), 0);
	add_reference(si, ds, "#m", spoil == SPOIL_SWA_ON_ELEMENT ? SWN_ALG_SWA_CONTENT
								  : SWN_ALG_EXC_C14N, d);
	ck_assert_int_eq(swn_dsig_digest(g->doc, g->t[1].el, NULL, d), 0);
	add_reference(si, ds, "#b", SWN_ALG_EXC_C14N, d);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(swn_dsig_part_digest(&g->p[i], d, &err), 0);
		if (i == 1 && spoil == SPOIL_PART_DIGEST)
			d[0] ^= 1;
		if (i == 2 && spoil == SPOIL_OMIT_PART)
			continue;
		snprintf(uri, sizeof uri, "cid:%s", part_cid[spoil == SPOIL_TWICE && i == 2 ? 1 : i]);
		if (i == 2 && spoil == SPOIL_UNKNOWN_CID)
			snprintf(uri, sizeof uri, "cid:p4@x");
		if (i == 2 && spoil == SPOIL_ENCODED_CID)
			snprintf(uri, sizeof uri, "cid:p3%%40x");
		if (i == 2 && spoil == SPOIL_UPPER_SCHEME)
			snprintf(uri, sizeof uri, "CID:p3@x");
		if (i == 2 && spoil == SPOIL_FRAGMENT)
			snprintf(uri, sizeof uri, "cid:p3@x#x");
		add_reference(si, ds, uri, i == 0 && spoil == SPOIL_C14N_ON_PART ? SWN_ALG_EXC_C14N
										  : SWN_ALG_SWA_CONTENT, d);
	}
	rewind_parts(g);
	ck_assert_int_eq(swn_dsig_sign(g->doc, si, key, alg, value, sizeof value, &len), 0);
	b64(value, len, v);
	xmlNewChild(g->sig, ds, BAD_CAST "SignatureValue", BAD_CAST v);
}

static int verify(struct msg *g, EVP_PKEY *key, const char *alg, int nparts,
		  struct swn_dsig_report *rep, struct swn_err *err)
{
	rewind_parts(g);
	swn_err_clear(err);
	return swn_dsig_verify_parts(g->doc, g->sig, g->t, 2, g->p, nparts, key, alg, 1, rep, "msg",
				     err);
}

static EVP_PKEY *make_key(const char *type)
{
	EVP_PKEY *k;

	if (strcmp(type, "EC") == 0)
		k = EVP_EC_gen("P-256");
	else if (strcmp(type, "RSA") == 0)
		k = EVP_RSA_gen(2048);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, type);

	ck_assert_ptr_nonnull(k);
	return k;
}

static void expect_refused(enum spoil spoil, const char *why)
{
	EVP_PKEY *key = make_key("ED25519");
	struct swn_dsig_report rep;
	struct swn_err err;
	struct msg g;

	build(&g, key, "ed25519", spoil);
	ck_assert_msg(verify(&g, key, "ed25519", 3, &rep, &err) < 0, "spoil %d accepted", (int)spoil);
	ck_assert_msg(strstr(err.msg, why) != NULL, "spoil %d: '%s' does not say '%s'", (int)spoil,
		      err.msg, why);
	xmlFreeDoc(g.doc);
	EVP_PKEY_free(key);
}

START_TEST(signed_parts)
{
	static const struct { const char *type, *alg; } algs[] = {
		{ "ED25519", "ed25519" }, { "EC", "ecdsa-sha256" }, { "RSA", "rsa-sha256" },
	};
	struct swn_dsig_report rep;
	struct swn_err err;
	struct msg g;
	size_t a;

	for (a = 0; a < sizeof algs / sizeof algs[0]; a++) {
		EVP_PKEY *key = make_key(algs[a].type), *other = make_key(algs[a].type);
		xmlNodePtr si;

		build(&g, key, algs[a].alg, SPOIL_NONE);
		ck_assert_msg(verify(&g, key, algs[a].alg, 3, &rep, &err) == 0, "%s: %s", algs[a].alg,
			      err.msg);
		ck_assert_int_eq(rep.nrefs, 5);
		ck_assert_int_eq(rep.signature_ok, 1);
		ck_assert_str_eq(rep.refs[2].target, "p1@x");
		ck_assert_int_eq(rep.refs[4].digest_ok, 1);
		/* another key of the same type */
		ck_assert_int_lt(verify(&g, other, algs[a].alg, 3, &rep, &err), 0);
		ck_assert_int_eq(rep.signature_ok, 0);
		/* a part changed after signing: named */
		g.m[1].data = (const unsigned char *)"plain\ntexT";
		ck_assert_int_lt(verify(&g, key, algs[a].alg, 3, &rep, &err), 0);
		ck_assert_ptr_nonnull(strstr(err.msg, "the digest of p2@x (cid:p2@x) does not match"));
		g.m[1].data = (const unsigned char *)part_data[1];
		/* the same bytes under another media type digest otherwise */
		g.p[1].content_type = "application/octet-stream";
		ck_assert_int_lt(verify(&g, key, algs[a].alg, 3, &rep, &err), 0);
		g.p[1].content_type = part_type[1];
		/* SignedInfo names a part the message does not have */
		ck_assert_int_lt(verify(&g, key, algs[a].alg, 2, &rep, &err), 0);
		ck_assert_ptr_nonnull(strstr(err.msg, "holds 5 references"));
		/* SignedInfo changed: the value no longer verifies */
		si = g.sig->children;
		xmlSetProp(si, BAD_CAST "Id", BAD_CAST "changed");
		ck_assert_int_lt(verify(&g, key, algs[a].alg, 3, &rep, &err), 0);
		ck_assert_int_eq(rep.signature_ok, 0);
		xmlFreeDoc(g.doc);
		EVP_PKEY_free(other);
		EVP_PKEY_free(key);
	}
}
END_TEST

START_TEST(parts_refused)
{
	expect_refused(SPOIL_PART_DIGEST, "the digest of p2@x (cid:p2@x) does not match");
	expect_refused(SPOIL_OMIT_PART, "p3@x is not signed");
	expect_refused(SPOIL_TWICE, "p2@x is referenced twice");
	expect_refused(SPOIL_UNKNOWN_CID, "Reference cid:p4@x names no part");
	expect_refused(SPOIL_C14N_ON_PART, "an empty Attachment-Content-Signature-Transform");
	expect_refused(SPOIL_SWA_ON_ELEMENT, "uses a transform other than");
	expect_refused(SPOIL_FRAGMENT, "'#' may not stand in a cid: URI");
	expect_refused(SPOIL_ENCODED_CID, "'%' may not stand in a cid: URI");
	expect_refused(SPOIL_UPPER_SCHEME, "is not a same-document '#id' reference nor a cid:");
}
END_TEST

START_TEST(parts_without_ids)
{
	EVP_PKEY *key = make_key("ED25519");
	struct swn_dsig_report rep;
	struct swn_err err;
	struct msg g;

	/* a part without a Content-ID (the root may have none): refused before
	 * any reference is resolved, whatever SignedInfo says */
	build(&g, key, "ed25519", SPOIL_NONE);
	g.p[1].cid = NULL;
	ck_assert_int_lt(verify(&g, key, "ed25519", 3, &rep, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "p2@x has no Content-ID"));
	g.p[1].cid = "";
	ck_assert_int_lt(verify(&g, key, "ed25519", 3, &rep, &err), 0);
	/* two parts under one Content-ID */
	g.p[1].cid = "p1@x";
	ck_assert_int_lt(verify(&g, key, "ed25519", 3, &rep, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "two parts have the Content-ID <p1@x>"));
	g.p[1].cid = part_cid[1];
	g.p[1].read = NULL;
	ck_assert_int_lt(verify(&g, key, "ed25519", 3, &rep, &err), 0);
	g.p[1].read = mem_read;
	ck_assert_msg(verify(&g, key, "ed25519", 3, &rep, &err) == 0, "%s", err.msg);
	xmlFreeDoc(g.doc);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(cid_without_parts)
{
	EVP_PKEY *key = make_key("ED25519");
	struct swn_dsig_report rep;
	struct swn_err err;
	struct msg g;

	/* a message read as having no parts: cid: is no form it accepts.
	 * SignedInfo keeps #m and cid:p1@x (in place of #b), so that the
	 * count of references is not what refuses it. */
	xmlNodePtr si, refs[3];
	int i;

	build(&g, key, "ed25519", SPOIL_NONE);
	si = g.sig->children;
	refs[0] = si->children->next->next->next;     /* #b */
	refs[1] = refs[0]->next->next;                /* cid:p2@x */
	refs[2] = refs[1]->next;                      /* cid:p3@x */
	for (i = 0; i < 3; i++) {
		xmlUnlinkNode(refs[i]);
		xmlFreeNode(refs[i]);
	}
	ck_assert_int_lt(verify(&g, key, "ed25519", 0, &rep, &err), 0);
	ck_assert_msg(strstr(err.msg, "'cid:p1@x' is not a same-document '#id' reference: only a bare "
				      "name") != NULL, "%s", err.msg);
	xmlFreeDoc(g.doc);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(ed25519_key_pairing)
{
	EVP_PKEY *ed = make_key("ED25519"), *ec = make_key("EC");
	struct swn_dsig_report rep;
	struct swn_err err;
	unsigned char value[128];
	size_t len = 0;
	struct msg g;

	build(&g, ed, "ed25519", SPOIL_NONE);
	/* the algorithm must be the key's, both ways */
	ck_assert_int_lt(verify(&g, ec, "ed25519", 3, &rep, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a key for ed25519"));
	ck_assert_int_lt(verify(&g, ed, "ecdsa-sha256", 3, &rep, &err), 0);
	ck_assert_int_lt(swn_dsig_sign(g.doc, g.sig->children, ec, "ed25519", value, sizeof value, &len),
			 0);
	ck_assert_int_lt(swn_dsig_sign(g.doc, g.sig->children, ed, "rsa-sha256", value, sizeof value,
				       &len), 0);
	/* an Ed25519 signature is 64 bytes, and a short buffer is refused */
	ck_assert_int_eq(swn_dsig_sign(g.doc, g.sig->children, ed, "ed25519", value, sizeof value, &len),
			 0);
	ck_assert_uint_eq(len, 64);
	ck_assert_int_lt(swn_dsig_sign(g.doc, g.sig->children, ed, "ed25519", value, 63, &len), 0);
	ck_assert_str_eq(swn_dsig_alg_uri("ed25519"), "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519");
	xmlFreeDoc(g.doc);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ed);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dsig_parts");
	TCase *tc = tcase_create("core");
	int rc;

	swn_xml_init();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, content_transform);
	tcase_add_test(tc, signed_parts);
	tcase_add_test(tc, parts_refused);
	tcase_add_test(tc, cid_without_parts);
	tcase_add_test(tc, parts_without_ids);
	tcase_add_test(tc, ed25519_key_pairing);
	suite_add_tcase(s, tc);
	rc = swn_test_run(s);
	swn_xml_cleanup();
	return rc;
}

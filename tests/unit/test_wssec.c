/* Unit tests: AS4 envelopes and WS-Security (as4.h, wssec.h), including
 * the signature wrapping and key substitution attacks. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxslt/xslt.h>

#include "as4/as4.h"
#include "base/fsutil.h"
#include "trust/pki.h"
#include "base/swn_limits.h"
#include "as4/wssec.h"
#include "xml/xmlsafe.h"
#include "testlib.h"
#include "base/stamp.h"

static char dir[] = "/tmp/swn-wssec-XXXXXX";
static struct swn_signer *ec_signer, *rsa_signer, *evil_signer;
static X509 *ec_cert, *rsa_cert, *evil_cert;

static struct swn_signer *make_signer(const char *name, enum swn_key_kind kind, X509 **cert)
{
	struct swn_subject s = { name, "signing", NULL, NULL, NULL, 30, NULL, NULL };
	char kp[256], cp[256];
	struct swn_signer *signer;
	struct swn_err err;
	EVP_PKEY *key;

	swn_err_clear(&err);
	snprintf(kp, sizeof kp, "%s/%s.key", dir, name);
	snprintf(cp, sizeof cp, "%s/%s.pem", dir, name);
	key = swn_key_generate(kind, &err);
	*cert = swn_cert_self_signed(key, &s, &err);
	if (swn_key_write(kp, key, &err) < 0 || swn_cert_write(cp, *cert, &err) < 0 ||
	    swn_signer_load(kp, cp, &signer, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	EVP_PKEY_free(key);
	return signer;
}

/* The UserMessage header of every test message, with a fresh MessageId. */
static void test_user(struct swn_as4_user *u)
{
	memset(u, 0, sizeof *u);
	swn_as4_new_id("CN-SW", u->message_id, sizeof u->message_id);
	swn_stamp_now(u->timestamp);
	strcpy(u->conversation_id, "c1");
	strcpy(u->agreement_ref, "A");
	strcpy(u->service, "urn:test:service");
	strcpy(u->action, "Deliver");
	strcpy(u->from.id, "CN-SW");
	strcpy(u->from.role, "urn:test:role");
	strcpy(u->to.id, "SG-NTP");
	strcpy(u->to.role, "urn:test:role");
}

/* A signed UserMessage, serialised: what goes on the wire; its parts, if
 * any, signed with it. */
static char *signed_message_parts(struct swn_signer *s, const struct swn_dsig_part *parts,
				  int nparts, size_t *len)
{
	struct swn_as4_user u;
	struct swn_as4_msg m;
	struct swn_err err;
	xmlDocPtr payload, env;
	xmlChar *out = NULL;
	int n = 0;
	const char *p = "<Doc xmlns=\"urn:test\"><Item n=\"1\">café 中文</Item></Doc>";

	test_user(&u);
	swn_err_clear(&err);
	payload = xmlReadMemory(p, (int)strlen(p), NULL, "UTF-8", 0);
	env = swn_as4_build_user(&u, xmlDocGetRootElement(payload), &err);
	ck_assert_ptr_nonnull(env);
	ck_assert_int_eq(swn_as4_parse(env, "built", &m, &err), 0);
	ck_assert_msg(swn_wssec_sign_parts(env, &m, parts, nparts, s, &err) == 0, "%s", err.msg);
	xmlDocDumpMemoryEnc(env, &out, &n, "UTF-8");
	xmlFreeDoc(env);
	xmlFreeDoc(payload);
	*len = (size_t)n;
	return (char *)out;
}

static char *signed_message(struct swn_signer *s, size_t *len)
{
	return signed_message_parts(s, NULL, 0, len);
}

/* Receive bytes as the node does and verify them with cert. */
static int receive(const char *bytes, size_t len, X509 *cert, struct swn_err *err)
{
	struct swn_as4_msg m;
	xmlDocPtr d;
	int rc;

	swn_err_clear(err);
	if (!(d = swn_xml_parse(bytes, len, "wire", err)))
		return -2;
	if (swn_as4_parse(d, "wire", &m, err) < 0) {
		xmlFreeDoc(d);
		return -2;
	}
	rc = swn_wssec_verify(d, &m, cert, NULL, NULL, err);
	xmlFreeDoc(d);
	return rc;
}

/* Apply a change to the parsed message and serialise it again. */
typedef void (*mutate_fn)(xmlDocPtr d, struct swn_as4_msg *m);

static char *mutated(struct swn_signer *s, mutate_fn f, size_t *len)
{
	struct swn_as4_msg m;
	struct swn_err err;
	size_t l;
	char *orig = signed_message(s, &l);
	xmlDocPtr d = swn_xml_parse(orig, l, "orig", &err);
	xmlChar *out = NULL;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(swn_as4_parse(d, "orig", &m, &err), 0);
	f(d, &m);
	xmlDocDumpMemoryEnc(d, &out, &n, "UTF-8");
	xmlFreeDoc(d);
	xmlFree(orig);
	*len = (size_t)n;
	return (char *)out;
}

static xmlNodePtr first_el(xmlNodePtr n)
{
	for (; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

static void expect_refused(mutate_fn f, const char *why)
{
	struct swn_err err;
	size_t len;
	char *msg = mutated(ec_signer, f, &len);
	int rc = receive(msg, len, ec_cert, &err);

	ck_assert_msg(rc != 0, "accepted, expected refusal: %s", why);
	ck_assert_msg(strstr(err.msg, why) != NULL, "'%s' not in '%s'", why, err.msg);
	xmlFree(msg);
}

START_TEST(sign_and_verify_both_algorithms)
{
	struct swn_wssec_report rep;
	struct swn_as4_msg m;
	struct swn_err err;
	size_t len;
	char *msg;
	xmlDocPtr d;

	msg = signed_message(ec_signer, &len);
	ck_assert_int_eq(receive(msg, len, ec_cert, &err), 0);
	ck_assert_ptr_nonnull(strstr(msg, SWN_ALG_ECDSA_SHA256));
	d = swn_xml_parse(msg, len, "wire", &err);
	ck_assert_int_eq(swn_as4_parse(d, "wire", &m, &err), 0);
	ck_assert_int_eq(swn_wssec_verify(d, &m, ec_cert, "ecdsa-sha256", &rep, &err), 0);
	ck_assert_int_eq(rep.sig.nrefs, 2);
	ck_assert_int_eq(rep.sig.refs[0].digest_ok, 1);
	ck_assert_int_eq(rep.sig.refs[1].digest_ok, 1);
	ck_assert_str_eq(rep.sig.refs[0].target, "eb:Messaging");
	ck_assert_str_eq(rep.sig.refs[1].target, "soap:Body");
	/* The agreement may demand the other algorithm. */
	ck_assert_int_eq(swn_wssec_verify(d, &m, ec_cert, "rsa-sha256", NULL, &err), -1);
	xmlFreeDoc(d);
	xmlFree(msg);
	msg = signed_message(rsa_signer, &len);
	ck_assert_int_eq(receive(msg, len, rsa_cert, &err), 0);
	ck_assert_ptr_nonnull(strstr(msg, SWN_ALG_RSA_SHA256));
	xmlFree(msg);
}
END_TEST

START_TEST(wrong_key_refused)
{
	struct swn_err err;
	size_t len;
	char *msg = signed_message(evil_signer, &len);

	/* The message carries the signer's own certificate; it is not used. */
	ck_assert_int_eq(receive(msg, len, ec_cert, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "SignatureValue does not verify"));
	xmlFree(msg);
}
END_TEST

static void change_body(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlNodeSetContent(first_el(m->payload->children), BAD_CAST "changed");
}

static void change_action(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlNodePtr ci = swn_xml_child(swn_xml_child(m->messaging, "UserMessage"), "CollaborationInfo");

	xmlNodeSetContent(swn_xml_child(ci, "Action"), BAD_CAST "Other");
}

/* Signed Body moved into the Header; an unsigned Body takes its place. */
static void move_body_to_header(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlNodePtr fake = xmlNewDocNode(d, m->body->ns, BAD_CAST "Body", NULL);

	xmlAddChild(fake, xmlNewDocNode(d, NULL, BAD_CAST "Evil", BAD_CAST "unsigned"));
	xmlUnlinkNode(m->body);
	xmlAddChild(m->security, m->body);
	xmlAddChild(m->envelope, fake);
}

/* Signed Body moved into a ds:Object of the signature. */
static void move_body_to_object(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlNodePtr sig = swn_xml_child(m->security, "Signature");
	xmlNodePtr obj, fake = xmlNewDocNode(d, m->body->ns, BAD_CAST "Body", NULL);

	for (sig = m->security->children; sig && !xmlStrEqual(sig->name, BAD_CAST "Signature"); sig = sig->next)
		;
	obj = xmlNewChild(sig, sig->ns, BAD_CAST "Object", NULL);
	xmlAddChild(fake, xmlNewDocNode(d, NULL, BAD_CAST "Evil", BAD_CAST "unsigned"));
	xmlUnlinkNode(m->body);
	xmlAddChild(obj, m->body);
	xmlAddChild(m->envelope, fake);
}

/* An element with the Body's wsu:Id placed first in the document. */
static void duplicate_id(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlChar *id = xmlGetNsProp(m->body, BAD_CAST "Id", BAD_CAST SWN_NS_WSU);
	xmlNodePtr evil = xmlNewDocNode(d, NULL, BAD_CAST "Evil", NULL);
	xmlNsPtr wsu = xmlSearchNsByHref(d, m->envelope, BAD_CAST SWN_NS_WSU);

	xmlNewNsProp(evil, wsu, BAD_CAST "Id", id);
	xmlAddPrevSibling(m->messaging, evil);
	xmlFree(id);
}

static void second_body(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlAddChild(m->envelope, xmlNewDocNode(d, m->body->ns, BAD_CAST "Body", NULL));
}

static void second_messaging(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlAddChild(m->header, xmlNewDocNode(d, m->messaging->ns, BAD_CAST "Messaging", NULL));
}

static xmlNodePtr reference(struct swn_as4_msg *m, int i)
{
	xmlNodePtr si = swn_as4_signed_info(m), r;

	for (r = si->children; r; r = r->next)
		if (r->type == XML_ELEMENT_NODE && xmlStrEqual(r->name, BAD_CAST "Reference") && i-- == 0)
			return r;
	return NULL;
}

static void reference_elsewhere(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlNodePtr bst = first_el(m->security->children);
	xmlChar *id = xmlGetNsProp(bst, BAD_CAST "Id", BAD_CAST SWN_NS_WSU);
	char uri[200];

	snprintf(uri, sizeof uri, "#%s", (const char *)id);
	xmlSetProp(reference(m, 1), BAD_CAST "URI", BAD_CAST uri);
	xmlFree(id);
}

static void remote_reference(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlSetProp(reference(m, 1), BAD_CAST "URI", BAD_CAST "http://127.0.0.1:1/body.xml");
}

static void file_reference(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlSetProp(reference(m, 1), BAD_CAST "URI", BAD_CAST "file:///etc/passwd");
}

static void sha1_digest(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlSetProp(swn_xml_child(reference(m, 0), "DigestMethod"), BAD_CAST "Algorithm",
		   BAD_CAST "http://www.w3.org/2000/09/xmldsig#sha1");
}

static void xslt_transform(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlNodePtr t = swn_xml_child(swn_xml_child(reference(m, 0), "Transforms"), "Transform");

	xmlSetProp(t, BAD_CAST "Algorithm", BAD_CAST "http://www.w3.org/TR/1999/REC-xslt-19991116");
}

static void hmac_method(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlSetProp(swn_xml_child(swn_as4_signed_info(m), "SignatureMethod"), BAD_CAST "Algorithm",
		   BAD_CAST "http://www.w3.org/2000/09/xmldsig#hmac-sha1");
}

static void drop_body_reference(xmlDocPtr d, struct swn_as4_msg *m)
{
	xmlNodePtr r = reference(m, 1);

	xmlUnlinkNode(r);
	xmlFreeNode(r);
}

START_TEST(tampering_is_found)
{
	struct swn_err err;
	size_t len;
	char *msg = mutated(ec_signer, change_body, &len);

	ck_assert_int_eq(receive(msg, len, ec_cert, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "digest of soap:Body"));
	xmlFree(msg);
	msg = mutated(ec_signer, change_action, &len);
	ck_assert_int_eq(receive(msg, len, ec_cert, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "digest of eb:Messaging"));
	xmlFree(msg);
}
END_TEST

START_TEST(wrapping_is_refused)
{
	expect_refused(move_body_to_header, "not to the eb:Messaging or soap:Body that would be processed");
	expect_refused(move_body_to_object, "a ds:Object could hide wrapped content");
	expect_refused(duplicate_id, "is used twice");
	expect_refused(second_body, "Body appears more than once");
	expect_refused(second_messaging, "Messaging appears more than once");
	expect_refused(reference_elsewhere, "resolves to BinarySecurityToken");
	expect_refused(drop_body_reference, "soap:Body is not signed");
}
END_TEST

START_TEST(algorithms_and_uris_are_fixed)
{
	expect_refused(remote_reference, "is not a same-document");
	expect_refused(file_reference, "is not a same-document");
	expect_refused(sha1_digest, "must use SHA-256");
	expect_refused(xslt_transform, "transform other than exclusive C14N");
	expect_refused(hmac_method, "SignatureMethod must be ecdsa-sha256");
}
END_TEST

START_TEST(receipt_copies_the_references)
{
	struct swn_as4_msg m, r;
	struct swn_err err;
	size_t len;
	char *msg = signed_message(ec_signer, &len);
	xmlDocPtr d = swn_xml_parse(msg, len, "wire", &err), rd;
	xmlChar *out = NULL;
	int n = 0;

	ck_assert_int_eq(swn_as4_parse(d, "wire", &m, &err), 0);
	rd = swn_as4_build_receipt(&m, "SG-NTP", NULL, &err);
	ck_assert_int_eq(swn_as4_parse(rd, "receipt", &r, &err), 0);
	ck_assert_int_eq(swn_wssec_sign(rd, &r, rsa_signer, &err), 0);
	xmlDocDumpMemoryEnc(rd, &out, &n, "UTF-8");
	ck_assert_int_eq(receive((char *)out, (size_t)n, rsa_cert, &err), 0);
	ck_assert_int_eq(r.kind, SWN_AS4_RECEIPT);
	ck_assert_str_eq(r.ref_to, m.message_id);
	/* Both of the sender's references, digest values and all. */
	ck_assert_ptr_nonnull(strstr((char *)out, "NonRepudiationInformation"));
	{
		const char *p = (char *)out;
		int refs = 0;

		while ((p = strstr(p, "MessagePartNRInformation>")) != NULL) {
			refs++;
			p++;
		}
		ck_assert_int_eq(refs, 4);   /* two elements, open and close */
	}
	xmlFree(out);
	xmlFreeDoc(rd);
	xmlFreeDoc(d);
	xmlFree(msg);
}
END_TEST

/* A part in memory, read from its start each time it is rewound. */
struct mem_part {
	const char *data;
	size_t at;
};

static int mem_read(void *arg, unsigned char *buf, size_t cap, size_t *got)
{
	struct mem_part *p = arg;
	size_t n = strlen(p->data) - p->at;

	*got = n < cap ? n : cap;
	memcpy(buf, p->data + p->at, *got);
	p->at += *got;
	return 0;
}

/* Parse bytes as the node does and verify them, with parts, with cert. */
static int receive_parts(const char *bytes, size_t len, struct swn_dsig_part *parts,
			 struct mem_part *mp, int nparts, X509 *cert, struct swn_wssec_report *rep,
			 struct swn_err *err)
{
	struct swn_as4_msg m;
	xmlDocPtr d;
	int rc, i;

	for (i = 0; i < nparts; i++)
		mp[i].at = 0;
	swn_err_clear(err);
	d = swn_xml_parse(bytes, len, "wire", err);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(swn_as4_parse(d, "wire", &m, err), 0);
	rc = swn_wssec_verify_parts(d, &m, parts, nparts, cert, NULL, rep, err);
	xmlFreeDoc(d);
	return rc;
}

START_TEST(parts_signed_and_verified)
{
	struct mem_part mp[2] = { { "\x1f\x8b\x08 gzip bytes", 0 }, { "<d xmlns='urn:d'/>", 0 } };
	struct swn_dsig_part parts[2] = {
		{ "payload 1", "payload-1@cn-sw", "application/gzip", mem_read, &mp[0] },
		{ "payload 2", "a b<c>", "application/xml", mem_read, &mp[1] },
	};
	struct swn_wssec_report rep;
	struct swn_as4_msg m, r;
	struct swn_err err;
	xmlDocPtr d, rd;
	xmlChar *out = NULL;
	size_t len;
	char *msg;
	int n = 0, refs = 0;
	const char *p;

	/* a Content-ID the cid: URI cannot carry is refused when signing */
	swn_err_clear(&err);
	msg = NULL;
	{
		struct swn_as4_user u;
		xmlDocPtr env;

		test_user(&u);
		d = swn_xml_parse("<x/>", 4, "p", &err);
		env = swn_as4_build_user(&u, xmlDocGetRootElement(d), &err);
		ck_assert_int_eq(swn_as4_parse(env, "built", &m, &err), 0);
		ck_assert_int_lt(swn_wssec_sign_parts(env, &m, parts, 2, ec_signer, &err), 0);
		ck_assert_ptr_nonnull(strstr(err.msg, "Content-ID"));
		/* nothing half-made is left: no token, no signature, and the
		 * envelope signs (without the parts) as if untouched */
		ck_assert_ptr_null(m.security->children);
		ck_assert_int_eq(swn_wssec_sign(env, &m, ec_signer, &err), 0);
		xmlFreeDoc(env);
		xmlFreeDoc(d);
	}
	parts[1].cid = "payload-2@cn-sw";
	mp[0].at = mp[1].at = 0;
	msg = signed_message_parts(rsa_signer, parts, 2, &len);
	ck_assert_ptr_nonnull(strstr(msg, "URI=\"cid:payload-1@cn-sw\""));
	ck_assert_ptr_nonnull(strstr(msg, "#Attachment-Content-Signature-Transform"));
	ck_assert_msg(receive_parts(msg, len, parts, mp, 2, rsa_cert, &rep, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rep.sig.nrefs, 4);
	ck_assert_int_eq(rep.xmlsec_confirmed, 0);     /* dsig alone decides for parts */
	/* another key; a part changed; a part the message does not sign; the
	 * message read without its parts */
	ck_assert_int_lt(receive_parts(msg, len, parts, mp, 2, ec_cert, &rep, &err), 0);
	mp[1].data = "<d xmlns='urn:e'/>";
	ck_assert_int_lt(receive_parts(msg, len, parts, mp, 2, rsa_cert, &rep, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "the digest of payload 2 (cid:payload-2@cn-sw) does not match"));
	mp[1].data = "<d  xmlns='urn:d'></d>";      /* the same XML, canonically */
	ck_assert_msg(receive_parts(msg, len, parts, mp, 2, rsa_cert, &rep, &err) == 0, "%s", err.msg);
	ck_assert_int_lt(receive_parts(msg, len, parts, mp, 1, rsa_cert, &rep, &err), 0);
	ck_assert_int_eq(receive(msg, len, rsa_cert, &err), -1);
	/* the receipt's NonRepudiationInformation carries the parts' references */
	d = swn_xml_parse(msg, len, "wire", &err);
	ck_assert_int_eq(swn_as4_parse(d, "wire", &m, &err), 0);
	rd = swn_as4_build_receipt(&m, "SG-NTP", NULL, &err);
	ck_assert_int_eq(swn_as4_parse(rd, "receipt", &r, &err), 0);
	ck_assert_int_eq(swn_wssec_sign(rd, &r, ec_signer, &err), 0);
	xmlDocDumpMemoryEnc(rd, &out, &n, "UTF-8");
	for (p = (char *)out; (p = strstr(p, "MessagePartNRInformation>")) != NULL; p++)
		refs++;
	ck_assert_int_eq(refs, 8);   /* four references, open and close */
	ck_assert_ptr_nonnull(strstr((char *)out, "cid:payload-2@cn-sw"));
	xmlFree(out);
	xmlFreeDoc(rd);
	xmlFreeDoc(d);
	xmlFree(msg);
}
END_TEST

START_TEST(error_signal)
{
	struct swn_as4_msg e;
	struct swn_err err;
	xmlDocPtr d;

	swn_err_clear(&err);
	d = swn_as4_build_error("m1@CN-SW", "SG-NTP", SWN_EBMS_FAILED_AUTHENTICATION,
				"signature does not verify", &err);
	ck_assert_int_eq(swn_as4_parse(d, "error", &e, &err), 0);
	ck_assert_int_eq(e.kind, SWN_AS4_ERROR);
	ck_assert_str_eq(e.error_code, "EBMS:0101");
	ck_assert_str_eq(e.ref_to, "m1@CN-SW");
	ck_assert_str_eq(e.error_text, "FailedAuthentication: signature does not verify");
	xmlFreeDoc(d);
}
END_TEST

/* The first element named name (any namespace) under n, depth first. */
static xmlNodePtr find_named(xmlNodePtr n, const char *name)
{
	xmlNodePtr c, found;

	for (; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name))
			return n;
		if ((c = n->children) && (found = find_named(c, name)))
			return found;
	}
	return NULL;
}

/* Parse doc after setting the text of its element name to value: the
 * parse fails with want in the message, and the value is not kept. */
static void refused_id(xmlDocPtr d, const char *name, const char *value, const char *want)
{
	struct swn_as4_msg m;
	struct swn_err err;
	xmlNodePtr n = find_named(xmlDocGetRootElement(d), name);

	ck_assert_ptr_nonnull(n);
	xmlNodeSetContent(n, NULL);
	xmlNodeAddContent(n, BAD_CAST value);
	swn_err_clear(&err);
	ck_assert_msg(swn_as4_parse(d, "s", &m, &err) == -1, "%s '%s' accepted", name, value);
	ck_assert_int_eq(err.code, SWN_E_AS4);
	ck_assert_msg(strstr(err.msg, want) != NULL, "'%s' not in '%s'", want, err.msg);
	ck_assert(!*value || (strcmp(m.message_id, value) != 0 && strcmp(m.user.message_id, value) != 0 &&
			      strcmp(m.ref_to, value) != 0));
}

START_TEST(message_ids_are_msg_ids)
{
	const char *parties[] = { "CN-SW", "", "urn:oasis:names:tc:ebcore:partyid-type:unregistered:C1",
				  "0088:5798000000001", "a_b.c" };
	const char *bad[] = { "", "a b", "x\r\n\tX-Injected", "<a@b>", "a>b", "a<b", "caf\xc3\xa9@x",
			      "a\x7f", "a\x01" };
	const char *rule = "is not allowed: a MessageId is 1-255 printable ASCII characters";
	char id[SWN_AS4_ID_BYTES + 1], once[SWN_AS4_ID_BYTES];
	struct swn_as4_user u;
	struct swn_err err;
	xmlDocPtr payload, d;
	size_t i;

	/* The node's own ids: new ones for any party id, and the outbox's
	 * "<token>@<party>" of a local API id= or a spool claim token. */
	for (i = 0; i < sizeof parties / sizeof parties[0]; i++) {
		swn_as4_new_id(parties[i], id, sizeof id);
		ck_assert_msg(swn_as4_message_id_ok(id), "own id '%s' refused", id);
		snprintf(once, sizeof once, "Order-7.b_1%s", strchr(id, '@'));
		ck_assert_msg(swn_as4_message_id_ok(once), "own id '%s' refused", once);
	}
	memset(id, 'a', SWN_AS4_ID_BYTES);
	id[SWN_AS4_ID_BYTES - 1] = '\0';
	ck_assert(swn_as4_message_id_ok(id));
	id[SWN_AS4_ID_BYTES - 1] = 'a';
	id[SWN_AS4_ID_BYTES] = '\0';
	ck_assert(!swn_as4_message_id_ok(id));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!swn_as4_message_id_ok(bad[i]), "'%s' accepted", bad[i]);

	/* In a received UserMessage: a malformed header, the id not kept. */
	memset(&u, 0, sizeof u);
	strcpy(u.message_id, "m1@CN-SW");
	swn_stamp_now(u.timestamp);
	strcpy(u.conversation_id, "c1");
	strcpy(u.service, "urn:test:service");
	strcpy(u.action, "Deliver");
	strcpy(u.from.id, "CN-SW");
	strcpy(u.from.role, "urn:test:role");
	strcpy(u.to.id, "SG-NTP");
	strcpy(u.to.role, "urn:test:role");
	swn_err_clear(&err);
	payload = xmlReadMemory("<Doc/>", 6, NULL, "UTF-8", 0);
	d = swn_as4_build_user(&u, xmlDocGetRootElement(payload), &err);
	ck_assert_ptr_nonnull(d);
	refused_id(d, "MessageId", "x\r\n\tX-Injected", rule);
	refused_id(d, "MessageId", "<m1@CN-SW>", rule);
	refused_id(d, "MessageId", "m1 @CN-SW", rule);
	xmlFreeDoc(d);
	/* In a signal, the same for RefToMessageId, present but empty too. */
	d = swn_as4_build_error("m1@CN-SW", "SG-NTP", SWN_EBMS_OTHER, "x", &err);
	ck_assert_ptr_nonnull(d);
	refused_id(d, "RefToMessageId", "m1@CN-SW\n", "eb:RefToMessageId 'm1@CN-SW\n' " );
	refused_id(d, "RefToMessageId", "", rule);
	refused_id(d, "MessageId", "a\tb", "eb:MessageId 'a\tb' ");
	xmlFreeDoc(d);
	xmlFreeDoc(payload);
}
END_TEST

START_TEST(structure_errors)
{
	struct swn_as4_msg m;
	struct swn_err err;
	const char *cases[][2] = {
		{ "<a/>", "not a SOAP 1.2 Envelope" },
		{ "<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"/>", "not a SOAP 1.2 Envelope" },
		{ "<e:Envelope xmlns:e=\"" SWN_NS_SOAP12 "\"><e:Body/></e:Envelope>", "Header is missing" },
		{ "<e:Envelope xmlns:e=\"" SWN_NS_SOAP12 "\"><e:Header/><e:Body/></e:Envelope>", "Messaging is missing" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		xmlDocPtr d;

		swn_err_clear(&err);
		d = swn_xml_parse(cases[i][0], strlen(cases[i][0]), "s", &err);
		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(swn_as4_parse(d, "s", &m, &err), -1);
		ck_assert_int_eq(err.code, SWN_E_AS4);
		ck_assert_msg(strstr(err.msg, cases[i][1]) != NULL, "%s", err.msg);
		xmlFreeDoc(d);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wssec");
	TCase *tc = tcase_create("core");
	struct swn_err err;
	char cmd[300];
	int rc;

	swn_xml_init();
	swn_err_clear(&err);
	if (swn_wssec_init(&err) < 0 || !mkdtemp(dir)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	ec_signer = make_signer("ec", SWN_KEY_EC_P256, &ec_cert);
	rsa_signer = make_signer("rsa", SWN_KEY_RSA_2048, &rsa_cert);
	evil_signer = make_signer("evil", SWN_KEY_EC_P256, &evil_cert);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sign_and_verify_both_algorithms);
	tcase_add_test(tc, wrong_key_refused);
	tcase_add_test(tc, tampering_is_found);
	tcase_add_test(tc, wrapping_is_refused);
	tcase_add_test(tc, algorithms_and_uris_are_fixed);
	tcase_add_test(tc, receipt_copies_the_references);
	tcase_add_test(tc, parts_signed_and_verified);
	tcase_add_test(tc, error_signal);
	tcase_add_test(tc, structure_errors);
	tcase_add_test(tc, message_ids_are_msg_ids);
	suite_add_tcase(s, tc);
	rc = swn_test_run(s);
	swn_signer_free(ec_signer);
	swn_signer_free(rsa_signer);
	swn_signer_free(evil_signer);
	X509_free(ec_cert);
	X509_free(rsa_cert);
	X509_free(evil_cert);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	swn_wssec_cleanup();
	xsltCleanupGlobals();
	swn_xml_cleanup();
	return rc;
}

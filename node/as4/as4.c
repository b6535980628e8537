/* as4.c - AS4 messages and signals; see as4.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "as4/as4.h"
#include "as4/mime.h"
#include "base/stamp.h"
#include "base/buf.h"
#include "base/escape.h"
#include "xml/xmlsafe.h"

static const struct {
	const char *code, *name, *category, *origin;
} ebms[] = {
	[SWN_EBMS_VALUE_NOT_RECOGNIZED]  = { "EBMS:0001", "ValueNotRecognized", "Content", "ebms" },
	[SWN_EBMS_VALUE_INCONSISTENT]    = { "EBMS:0003", "ValueInconsistent", "Content", "ebms" },
	[SWN_EBMS_OTHER]                 = { "EBMS:0004", "Other", "Content", "ebms" },
	[SWN_EBMS_INVALID_HEADER]        = { "EBMS:0009", "InvalidHeader", "Unpackaging", "ebms" },
	[SWN_EBMS_PMODE_MISMATCH]        = { "EBMS:0010", "ProcessingModeMismatch", "Processing", "ebms" },
	[SWN_EBMS_FAILED_AUTHENTICATION] = { "EBMS:0101", "FailedAuthentication", "Processing", "security" },
	[SWN_EBMS_FAILED_DECRYPTION]     = { "EBMS:0102", "FailedDecryption", "Processing", "security" },
	[SWN_EBMS_POLICY_NONCOMPLIANCE]  = { "EBMS:0103", "PolicyNoncompliance", "Processing", "security" },
	[SWN_EBMS_DELIVERY_FAILURE]      = { "EBMS:0202", "DeliveryFailure", "Communication", "reliability" },
	[SWN_EBMS_DECOMPRESSION_FAILURE] = { "EBMS:0303", "DecompressionFailure", "Communication", "ebms" },
};

const char *swn_ebms_code(enum swn_ebms_error e) { return ebms[e].code; }
const char *swn_ebms_short(enum swn_ebms_error e) { return ebms[e].name; }
const char *swn_ebms_category(enum swn_ebms_error e) { return ebms[e].category; }
const char *swn_ebms_origin(enum swn_ebms_error e) { return ebms[e].origin; }

void swn_as4_new_id(const char *party, char *out, size_t n)
{
	char u[37], right[80];
	size_t i;

	swn_stamp_uuid(u);
	/* The id-right must be a dot-atom: keep letters, digits, '.', '-'. */
	for (i = 0; party[i] && i < sizeof right - 1; i++) {
		char c = party[i];

		right[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '-') ? c : '-';
	}
	right[i] = '\0';
	snprintf(out, n, "%s@%s", u, i ? right : "swnode");
}

int swn_as4_message_id_ok(const char *id)
{
	size_t i;

	for (i = 0; id[i]; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c < 0x21 || c > 0x7e || c == '<' || c == '>')
			return 0;
	}
	return i > 0 && i < SWN_AS4_ID_BYTES;
}

static int is(const xmlNode *n, const char *ns, const char *name);

/* ---- building ---- */

struct ns {
	xmlNsPtr soap, eb, wsse, wsu, ebbp;
};

/* Envelope with Header, eb:Messaging (wsu:Id), wsse:Security and Body
 * (wsu:Id).  The namespaces are declared once, on the Envelope. */
static xmlDocPtr envelope(struct ns *ns, xmlNodePtr *messaging, xmlNodePtr *body)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr env = xmlNewNode(NULL, BAD_CAST "Envelope"), header, sec;
	char id[48], u[37];

	xmlDocSetRootElement(doc, env);
	ns->soap = xmlNewNs(env, BAD_CAST SWN_NS_SOAP12, BAD_CAST "env");
	ns->eb = xmlNewNs(env, BAD_CAST SWN_NS_EB, BAD_CAST "eb");
	ns->wsse = xmlNewNs(env, BAD_CAST SWN_NS_WSSE, BAD_CAST "wsse");
	ns->wsu = xmlNewNs(env, BAD_CAST SWN_NS_WSU, BAD_CAST "wsu");
	ns->ebbp = NULL;
	xmlSetNs(env, ns->soap);
	header = xmlNewChild(env, ns->soap, BAD_CAST "Header", NULL);
	*messaging = xmlNewChild(header, ns->eb, BAD_CAST "Messaging", NULL);
	xmlNewNsProp(*messaging, ns->soap, BAD_CAST "mustUnderstand", BAD_CAST "true");
	swn_stamp_uuid(u);
	snprintf(id, sizeof id, "_messaging-%s", u);
	xmlNewNsProp(*messaging, ns->wsu, BAD_CAST "Id", BAD_CAST id);
	sec = xmlNewChild(header, ns->wsse, BAD_CAST "Security", NULL);
	xmlNewNsProp(sec, ns->soap, BAD_CAST "mustUnderstand", BAD_CAST "true");
	*body = xmlNewChild(env, ns->soap, BAD_CAST "Body", NULL);
	snprintf(id, sizeof id, "_body-%s", u);
	xmlNewNsProp(*body, ns->wsu, BAD_CAST "Id", BAD_CAST id);
	return doc;
}

static xmlNodePtr text(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *value)
{
	return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST value);
}

static void message_info(xmlNodePtr parent, xmlNsPtr eb, const char *msgid,
			 const char *ref_to)
{
	char ts[40];
	xmlNodePtr mi = xmlNewChild(parent, eb, BAD_CAST "MessageInfo", NULL);

	swn_stamp_now(ts);
	text(mi, eb, "Timestamp", ts);
	text(mi, eb, "MessageId", msgid);
	if (ref_to && *ref_to)
		text(mi, eb, "RefToMessageId", ref_to);
}

static void party(xmlNodePtr info, xmlNsPtr eb, const char *name,
		  const struct swn_party *p)
{
	xmlNodePtr el = xmlNewChild(info, eb, BAD_CAST name, NULL);
	xmlNodePtr id = text(el, eb, "PartyId", p->id);

	if (p->type[0])
		xmlNewProp(id, BAD_CAST "type", BAD_CAST p->type);
	text(el, eb, "Role", p->role);
}

/* The UserMessage's headers up to its PayloadInfo, which it returns. */
static xmlNodePtr user_message(const struct ns *ns, xmlNodePtr messaging,
			       const struct swn_as4_user *u)
{
	xmlNodePtr um, mi, pi, ci;

	um = xmlNewChild(messaging, ns->eb, BAD_CAST "UserMessage", NULL);
	mi = xmlNewChild(um, ns->eb, BAD_CAST "MessageInfo", NULL);
	text(mi, ns->eb, "Timestamp", u->timestamp);
	text(mi, ns->eb, "MessageId", u->message_id);
	pi = xmlNewChild(um, ns->eb, BAD_CAST "PartyInfo", NULL);
	party(pi, ns->eb, "From", &u->from);
	party(pi, ns->eb, "To", &u->to);
	ci = xmlNewChild(um, ns->eb, BAD_CAST "CollaborationInfo", NULL);
	text(ci, ns->eb, "AgreementRef", u->agreement_ref);
	text(ci, ns->eb, "Service", u->service);
	text(ci, ns->eb, "Action", u->action);
	text(ci, ns->eb, "ConversationId", u->conversation_id);
	return xmlNewChild(um, ns->eb, BAD_CAST "PayloadInfo", NULL);
}

static void property(xmlNodePtr props, xmlNsPtr eb, const char *name, const char *value)
{
	xmlNewProp(text(props, eb, "Property", value), BAD_CAST "name", BAD_CAST name);
}

xmlDocPtr swn_as4_build_user(const struct swn_as4_user *u, xmlNodePtr payload,
			     struct swn_err *err)
{
	struct ns ns;
	xmlNodePtr messaging, body, part, props, copy;
	xmlDocPtr doc = envelope(&ns, &messaging, &body);

	/* One part, no href: the part is the SOAP Body (CORE 5.2.2.13). */
	part = xmlNewChild(user_message(&ns, messaging, u), ns.eb, BAD_CAST "PartInfo", NULL);
	props = xmlNewChild(part, ns.eb, BAD_CAST "PartProperties", NULL);
	property(props, ns.eb, "MimeType", "application/xml");
	property(props, ns.eb, "CharacterSet", "UTF-8");
	copy = xmlDocCopyNode(payload, doc, 1);
	if (copy == NULL || xmlAddChild(body, copy) == NULL) {
		xmlFreeNode(copy);
		xmlFreeDoc(doc);
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	/* Namespaces the payload declared above itself now live on its copy. */
	xmlReconciliateNs(doc, copy);
	return doc;
}

xmlDocPtr swn_as4_build_user_swa(const struct swn_as4_user *u,
				 const struct swn_as4_partinfo *parts, size_t nparts,
				 struct swn_err *err)
{
	struct ns ns;
	xmlNodePtr messaging, body, pinfo, part, props;
	xmlDocPtr doc;
	char href[SWN_MIME_ID_BYTES + 8];
	size_t i;

	if (nparts < 1 || nparts > SWN_MAX_PAYLOAD_PARTS) {
		swn_err_set(err, SWN_E_AS4, NULL, 0, "%zu parts: a message carries 1 to %d",
			    nparts, SWN_MAX_PAYLOAD_PARTS);
		return NULL;
	}
	doc = envelope(&ns, &messaging, &body);
	pinfo = user_message(&ns, messaging, u);
	for (i = 0; i < nparts; i++) {
		struct swn_mime_ctype ct;
		struct swn_err why;

		swn_err_clear(&why);
		if (swn_mime_cid_href(parts[i].content_id, href, sizeof href) < 0 ||
		    !parts[i].mime_type || !parts[i].mime_type[0]) {
			xmlFreeDoc(doc);
			swn_err_set(err, SWN_E_AS4, NULL, 0, "part %zu: its Content-ID must be an id "
				    "a cid: URI can name, and it needs a MimeType", i + 1);
			return NULL;
		}
		/* a media type a reader will take, not any text */
		if (swn_mime_parse_ctype(parts[i].mime_type, &ct, &why) < 0) {
			xmlFreeDoc(doc);
			swn_err_set(err, SWN_E_AS4, NULL, 0, "part %zu: its MimeType is not a media "
				    "type: %s", i + 1, why.msg);
			return NULL;
		}
		part = xmlNewChild(pinfo, ns.eb, BAD_CAST "PartInfo", NULL);
		xmlNewProp(part, BAD_CAST "href", BAD_CAST href);
		props = xmlNewChild(part, ns.eb, BAD_CAST "PartProperties", NULL);
		property(props, ns.eb, "MimeType", parts[i].mime_type);
		if (parts[i].gzip)
			property(props, ns.eb, "CompressionType", "application/gzip");
	}
	/* The Body stays empty: not even white space (a gateway reads any
	 * child node as a Body payload). */
	(void)body;
	return doc;
}

xmlNodePtr swn_as4_signed_info(const struct swn_as4_msg *m)
{
	xmlNodePtr sec = m->security, n, c;

	for (n = sec ? sec->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->ns &&
		    xmlStrEqual(n->ns->href, BAD_CAST SWN_NS_DS) &&
		    xmlStrEqual(n->name, BAD_CAST "Signature"))
			for (c = n->children; c; c = c->next)
				if (c->type == XML_ELEMENT_NODE &&
				    xmlStrEqual(c->name, BAD_CAST "SignedInfo"))
					return c;
	return NULL;
}

xmlDocPtr swn_as4_build_receipt(const struct swn_as4_msg *m, const char *own_party,
				const struct swn_commitment *c, struct swn_err *err)
{
	struct ns ns;
	xmlNodePtr messaging, body, sm, receipt, nri, si, r;
	xmlDocPtr doc = envelope(&ns, &messaging, &body);
	char id[SWN_AS4_ID_BYTES];

	(void)body;
	swn_as4_new_id(own_party, id, sizeof id);
	sm = xmlNewChild(messaging, ns.eb, BAD_CAST "SignalMessage", NULL);
	message_info(sm, ns.eb, id, m->message_id);
	receipt = xmlNewChild(sm, ns.eb, BAD_CAST "Receipt", NULL);
	ns.ebbp = xmlNewNs(receipt, BAD_CAST SWN_NS_EBBP, BAD_CAST "ebbp");
	nri = xmlNewChild(receipt, ns.ebbp, BAD_CAST "NonRepudiationInformation", NULL);
	si = swn_as4_signed_info(m);
	for (r = si ? si->children : NULL; r; r = r->next) {
		xmlNodePtr part, copy;

		if (r->type != XML_ELEMENT_NODE || !xmlStrEqual(r->name, BAD_CAST "Reference"))
			continue;
		part = xmlNewChild(nri, ns.ebbp, BAD_CAST "MessagePartNRInformation", NULL);
		copy = xmlDocCopyNode(r, doc, 1);
		if (copy == NULL) {
			xmlFreeDoc(doc);
			swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
			return NULL;
		}
		xmlAddChild(part, copy);
		xmlReconciliateNs(doc, copy);
	}
	if (c) {
		xmlNodePtr lc = xmlNewChild(receipt, NULL, BAD_CAST "LedgerCommitment", NULL);
		xmlNsPtr swn = xmlNewNs(lc, BAD_CAST SWN_NS_LEDGER, BAD_CAST "swn");
		xmlNodePtr e, pr;
		char idx[32], b64[48];
		size_t i;

		xmlSetNs(lc, swn);
		snprintf(idx, sizeof idx, "%lld", c->leaf_index);
		text(lc, swn, "LeafIndex", idx);
		e = xmlNewChild(lc, swn, BAD_CAST "Entry", NULL);
		xmlNewProp(e, BAD_CAST "time", BAD_CAST c->time);
		xmlNewProp(e, BAD_CAST "peer", BAD_CAST c->peer);
		xmlNewProp(e, BAD_CAST "agreement", BAD_CAST c->agreement);
		xmlNewProp(e, BAD_CAST "doctype", BAD_CAST c->doctype);
		if (c->reason[0])
			xmlNewProp(e, BAD_CAST "reason", BAD_CAST c->reason);
		pr = xmlNewChild(lc, swn, BAD_CAST "InclusionProof", NULL);
		for (i = 0; i < c->n; i++) {
			EVP_EncodeBlock((unsigned char *)b64, c->path[i], 32);
			text(pr, swn, "Hash", b64);
		}
		text(lc, swn, "Checkpoint", c->note);
	}
	return doc;
}

int swn_as4_receipt_commitment(const struct swn_as4_msg *m, struct swn_commitment *c)
{
	xmlNodePtr lc, n, h;
	int found = 0;

	memset(c, 0, sizeof *c);
	c->leaf_index = -1;
	for (lc = m->receipt ? m->receipt->children : NULL; lc; lc = lc->next)
		if (is(lc, SWN_NS_LEDGER, "LedgerCommitment"))
			break;
	if (lc == NULL)
		return 0;
	for (n = lc->children; n; n = n->next) {
		xmlChar *v;
		struct swn_err err;

		swn_err_clear(&err);
		if (is(n, SWN_NS_LEDGER, "LeafIndex")) {
			v = xmlNodeGetContent(n);
			c->leaf_index = v ? strtoll((const char *)v, NULL, 10) : -1;
			xmlFree(v);
			found |= 1;
		} else if (is(n, SWN_NS_LEDGER, "Checkpoint")) {
			v = xmlNodeGetContent(n);
			if (swn_str_copy(c->note, sizeof c->note, v ? (const char *)v : "") == 0)
				found |= 2;
			xmlFree(v);
		} else if (is(n, SWN_NS_LEDGER, "Entry")) {
			if (swn_xml_copy_attr(n, "time", c->time, sizeof c->time, "receipt", &err) == 0 &&
			    swn_xml_copy_attr(n, "peer", c->peer, sizeof c->peer, "receipt", &err) == 0 &&
			    swn_xml_copy_attr(n, "agreement", c->agreement, sizeof c->agreement, "receipt", &err) == 0 &&
			    swn_xml_copy_attr(n, "doctype", c->doctype, sizeof c->doctype, "receipt", &err) == 0) {
				xmlChar *r = xmlGetProp(n, BAD_CAST "reason");

				/* Optional: a reason too long is no reason, and the
				 * entry then does not prove. */
				if (r == NULL || swn_str_copy(c->reason, sizeof c->reason, (const char *)r) == 0)
					found |= 4;
				xmlFree(r);
			}
		} else if (is(n, SWN_NS_LEDGER, "InclusionProof")) {
			found |= 8;
			for (h = n->children; h; h = h->next) {
				unsigned char raw[36];

				if (!is(h, SWN_NS_LEDGER, "Hash"))
					continue;
				v = xmlNodeGetContent(h);
				if (!v || c->n >= 64 || strlen((const char *)v) != 44 ||
				    EVP_DecodeBlock(raw, v, 44) != 33) {
					xmlFree(v);
					return 0;
				}
				memcpy(c->path[c->n++], raw, 32);
				xmlFree(v);
			}
		}
	}
	return found == 15;
}

xmlDocPtr swn_as4_build_error(const char *ref_to, const char *own_party,
			      enum swn_ebms_error code, const char *description,
			      struct swn_err *err)
{
	struct ns ns;
	xmlNodePtr messaging, body, sm, e, d;
	xmlDocPtr doc = envelope(&ns, &messaging, &body);
	char id[SWN_AS4_ID_BYTES], *desc;

	(void)body;
	swn_as4_new_id(own_party, id, sizeof id);
	sm = xmlNewChild(messaging, ns.eb, BAD_CAST "SignalMessage", NULL);
	message_info(sm, ns.eb, id, ref_to);
	e = xmlNewChild(sm, ns.eb, BAD_CAST "Error", NULL);
	xmlNewProp(e, BAD_CAST "category", BAD_CAST swn_ebms_category(code));
	xmlNewProp(e, BAD_CAST "errorCode", BAD_CAST swn_ebms_code(code));
	xmlNewProp(e, BAD_CAST "origin", BAD_CAST swn_ebms_origin(code));
	xmlNewProp(e, BAD_CAST "severity", BAD_CAST "failure");
	xmlNewProp(e, BAD_CAST "shortDescription", BAD_CAST swn_ebms_short(code));
	if (ref_to && *ref_to)
		xmlNewProp(e, BAD_CAST "refToMessageInError", BAD_CAST ref_to);
	/* Escaped: it quotes the message (XML 1.0 cannot carry every control
	 * character, nor bytes that are not UTF-8) and the peer logs it. */
	desc = swn_escape_dup(description);
	if (desc == NULL) {
		xmlFreeDoc(doc);
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	d = text(e, ns.eb, "Description", desc);
	free(desc);
	xmlNodeSetLang(d, BAD_CAST "en");
	return doc;
}

/* ---- parsing ---- */

static int is(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	       xmlStrEqual(n->ns->href, BAD_CAST ns) && xmlStrEqual(n->name, BAD_CAST name);
}

/* The only child element (ns, name) of parent; NULL if none.  *count says
 * how many there are. */
static xmlNodePtr only(const xmlNode *parent, const char *ns, const char *name, int *count)
{
	xmlNodePtr n, found = NULL;

	*count = 0;
	for (n = parent ? parent->children : NULL; n; n = n->next)
		if (is(n, ns, name)) {
			if (!found)
				found = n;
			(*count)++;
		}
	return found;
}

/* Exactly one child (ns, name), or an error naming what is wrong. */
static xmlNodePtr one(const xmlNode *parent, const char *ns, const char *prefix,
		      const char *name, const char *file, struct swn_err *err)
{
	int count;
	xmlNodePtr n = only(parent, ns, name, &count);

	if (count == 1)
		return n;
	if (count == 0)
		swn_err_set(err, SWN_E_AS4, file, swn_xml_line(parent), "%s:%s is missing in %s",
			    prefix, name, parent ? (const char *)parent->name : "?");
	else
		swn_err_set(err, SWN_E_AS4, file, swn_xml_line(parent),
			    "%s:%s appears more than once in %s",
			    prefix, name, parent ? (const char *)parent->name : "?");
	return NULL;
}

/* Copy the text of the only child (eb, name) into dst. */
static int eb_text(const xmlNode *parent, const char *name, char *dst, size_t n,
		   int required, const char *file, struct swn_err *err)
{
	int count;
	xmlNodePtr c = only(parent, SWN_NS_EB, name, &count);
	xmlChar *v;
	int rc;

	dst[0] = '\0';
	if (count == 0 && !required)
		return 0;
	if (count > 1)
		return swn_err_set(err, SWN_E_AS4, file, swn_xml_line(parent),
				   "eb:%s appears more than once in eb:%s", name,
				   (const char *)parent->name);
	if (count == 0)
		return swn_err_set(err, SWN_E_AS4, file, swn_xml_line(parent),
				   "eb:%s is missing in eb:%s", name, (const char *)parent->name);
	v = xmlNodeGetContent(c);
	rc = swn_str_copy(dst, n, v ? (const char *)v : "");
	xmlFree(v);
	if (rc < 0)
		return swn_err_set(err, SWN_E_AS4, file, swn_xml_line(c),
				   "eb:%s is longer than %zu bytes", name, n - 1);
	if (required && dst[0] == '\0')
		return swn_err_set(err, SWN_E_AS4, file, swn_xml_line(c), "eb:%s is empty", name);
	return 0;
}

/* Copy the MessageId or RefToMessageId (name) of MessageInfo mi into dst
 * (size n): refused unless it follows SWN_AS4_MESSAGE_ID_RULE, and then
 * dst is left empty, so that a refusal never echoes it. */
static int eb_message_id(const xmlNode *mi, const char *name, char *dst, size_t n,
			 int required, const char *file, struct swn_err *err)
{
	int count;
	xmlNodePtr c = only(mi, SWN_NS_EB, name, &count);

	if (eb_text(mi, name, dst, n, required, file, err) < 0) {
		dst[0] = '\0';
		return -1;
	}
	if (count == 0 || swn_as4_message_id_ok(dst))
		return 0;
	swn_err_set(err, SWN_E_AS4, file, swn_xml_line(c),
		    "eb:%s '%s' is not allowed: a MessageId is " SWN_AS4_MESSAGE_ID_RULE, name, dst);
	dst[0] = '\0';
	return -1;
}

static int parse_party(const xmlNode *info, const char *name, struct swn_party *p,
		       const char *file, struct swn_err *err)
{
	xmlNodePtr el = one(info, SWN_NS_EB, "eb", name, file, err), id;

	if (el == NULL)
		return -1;
	/* swnode uses one PartyId per party; several are refused. */
	id = one(el, SWN_NS_EB, "eb", "PartyId", file, err);
	if (id == NULL)
		return -1;
	if (eb_text(el, "PartyId", p->id, sizeof p->id, 1, file, err) < 0 ||
	    swn_xml_copy_attr(id, "type", p->type, sizeof p->type, file, err) < 0 ||
	    eb_text(el, "Role", p->role, sizeof p->role, 1, file, err) < 0)
		return -1;
	return 0;
}

/* A SOAP-with-Attachments Body: nothing but white space (phase4 and the
 * eDelivery profiles put every payload in a MIME part). */
static int empty_body(const struct swn_as4_msg *m, const char *file, struct swn_err *err)
{
	xmlNodePtr n;

	for (n = m->body->children; n; n = n->next)
		if (!(n->type == XML_TEXT_NODE && xmlIsBlankNode(n)))
			return swn_err_set(err, SWN_E_AS4, file, swn_xml_line(n),
					   "soap:Body must be empty: the payloads are MIME parts");
	return 0;
}

static int parse_user(xmlNodePtr um, struct swn_as4_msg *m, int swa, const char *file,
		      struct swn_err *err)
{
	xmlNodePtr mi, pi, ci, n;
	struct swn_as4_user *u = &m->user;
	char ref_to[SWN_AS4_ID_BYTES];   /* checked, not used */

	if (!(mi = one(um, SWN_NS_EB, "eb", "MessageInfo", file, err)) ||
	    eb_text(mi, "Timestamp", u->timestamp, sizeof u->timestamp, 1, file, err) < 0 ||
	    eb_message_id(mi, "MessageId", u->message_id, sizeof u->message_id, 1, file, err) < 0 ||
	    eb_message_id(mi, "RefToMessageId", ref_to, sizeof ref_to, 0, file, err) < 0 ||
	    !(pi = one(um, SWN_NS_EB, "eb", "PartyInfo", file, err)) ||
	    parse_party(pi, "From", &u->from, file, err) < 0 ||
	    parse_party(pi, "To", &u->to, file, err) < 0 ||
	    !(ci = one(um, SWN_NS_EB, "eb", "CollaborationInfo", file, err)) ||
	    eb_text(ci, "AgreementRef", u->agreement_ref, sizeof u->agreement_ref, 0, file, err) < 0 ||
	    eb_text(ci, "Service", u->service, sizeof u->service, 1, file, err) < 0 ||
	    eb_text(ci, "Action", u->action, sizeof u->action, 1, file, err) < 0 ||
	    eb_text(ci, "ConversationId", u->conversation_id, sizeof u->conversation_id, 1, file, err) < 0)
		return -1;
	snprintf(m->message_id, sizeof m->message_id, "%s", u->message_id);
	snprintf(m->timestamp, sizeof m->timestamp, "%s", u->timestamp);
	m->payload = NULL;
	if (swa)
		return empty_body(m, file, err);
	/* The payload is the one element in Body (AS4 2.1.1: at most one). */
	for (n = m->body->children; n; n = n->next) {
		if (n->type == XML_TEXT_NODE && xmlIsBlankNode(n))
			continue;
		if (n->type == XML_COMMENT_NODE)
			continue;
		if (n->type != XML_ELEMENT_NODE || m->payload)
			return swn_err_set(err, SWN_E_AS4, file, swn_xml_line(n),
					   "soap:Body must hold exactly one element, the document");
		m->payload = n;
	}
	if (m->payload == NULL)
		return swn_err_set(err, SWN_E_AS4, file, swn_xml_line(m->body),
				   "soap:Body is empty: the UserMessage carries no document");
	return 0;
}

static int parse_signal(xmlNodePtr sm, struct swn_as4_msg *m, const char *file,
			struct swn_err *err)
{
	xmlNodePtr mi, e;
	int nreceipt, nerror;

	if (!(mi = one(sm, SWN_NS_EB, "eb", "MessageInfo", file, err)) ||
	    eb_text(mi, "Timestamp", m->timestamp, sizeof m->timestamp, 1, file, err) < 0 ||
	    eb_message_id(mi, "MessageId", m->message_id, sizeof m->message_id, 1, file, err) < 0 ||
	    eb_message_id(mi, "RefToMessageId", m->ref_to, sizeof m->ref_to, 0, file, err) < 0)
		return -1;
	m->receipt = only(sm, SWN_NS_EB, "Receipt", &nreceipt);
	e = only(sm, SWN_NS_EB, "Error", &nerror);
	if (nreceipt + nerror == 0)
		return swn_err_set(err, SWN_E_AS4, file, swn_xml_line(sm),
				   "eb:SignalMessage holds neither eb:Receipt nor eb:Error");
	if (nreceipt > 1 || (nreceipt && nerror))
		return swn_err_set(err, SWN_E_AS4, file, swn_xml_line(sm),
				   "eb:SignalMessage must hold one eb:Receipt or eb:Error signals, not both");
	if (nreceipt) {
		m->kind = SWN_AS4_RECEIPT;
		if (!m->ref_to[0])
			return swn_err_set(err, SWN_E_AS4, file, swn_xml_line(mi),
					   "a Receipt needs eb:RefToMessageId");
		return 0;
	}
	m->kind = SWN_AS4_ERROR;
	{
		xmlChar *code = xmlGetProp(e, BAD_CAST "errorCode");
		xmlChar *sd = xmlGetProp(e, BAD_CAST "shortDescription");
		xmlNodePtr d = only(e, SWN_NS_EB, "Description", &nerror);
		xmlChar *dt = d ? xmlNodeGetContent(d) : NULL;

		snprintf(m->error_code, sizeof m->error_code, "%s", code ? (const char *)code : "");
		snprintf(m->error_text, sizeof m->error_text, "%s%s%s",
			 sd ? (const char *)sd : "", dt ? ": " : "", dt ? (const char *)dt : "");
		xmlFree(code);
		xmlFree(sd);
		xmlFree(dt);
	}
	if (!m->error_code[0])
		return swn_err_set(err, SWN_E_AS4, file, swn_xml_line(e),
				   "eb:Error has no errorCode");
	return 0;
}

#define SOAP12_ROLE_NEXT     SWN_NS_SOAP12 "/role/next"
#define SOAP12_ROLE_ULTIMATE SWN_NS_SOAP12 "/role/ultimateReceiver"

static int xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Is v, with its XML white space collapsed (XML Schema whiteSpace
 * "collapse", which xs:boolean and xs:anyURI values get: runs of white
 * space as one space, none at either end), equal to want? */
static int collapsed_is(const xmlChar *v, const char *want)
{
	const char *s = (const char *)v;

	while (xml_space(*s))
		s++;
	while (*s) {
		if (xml_space(*s)) {
			while (xml_space(*s))
				s++;
			if (*s && *want++ != ' ')
				return 0;
		} else if (*s++ != *want++) {
			return 0;
		}
	}
	return *want == '\0';
}

/* The env:mustUnderstand of header block h (an xs:boolean): 1, 0 (also
 * when absent), or -1 when it is not a boolean, its value then in *bad
 * (to be freed). */
static int must_understand_value(xmlNodePtr h, xmlChar **bad)
{
	xmlChar *mu = xmlGetNsProp(h, BAD_CAST "mustUnderstand", BAD_CAST SWN_NS_SOAP12);
	int v = 0;

	*bad = NULL;
	if (mu == NULL)
		return 0;
	if (collapsed_is(mu, "true") || collapsed_is(mu, "1"))
		v = 1;
	else if (!collapsed_is(mu, "false") && !collapsed_is(mu, "0"))
		v = -1;
	if (v < 0)
		*bad = mu;
	else
		xmlFree(mu);
	return v;
}

/* Does this node play h's env:role (an xs:anyURI): none given, next or
 * ultimateReceiver? */
static int plays_role(xmlNodePtr h)
{
	xmlChar *role = xmlGetNsProp(h, BAD_CAST "role", BAD_CAST SWN_NS_SOAP12);
	int yes = role == NULL || collapsed_is(role, SOAP12_ROLE_NEXT) ||
		  collapsed_is(role, SOAP12_ROLE_ULTIMATE);

	xmlFree(role);
	return yes;
}

/* Every header block marked mustUnderstand (SOAP 1.2, 5.2.3) for a role
 * this node plays is one it processes (eb:Messaging, wsse:Security);
 * another is refused, never ignored.  A mustUnderstand that is not a
 * boolean is a malformed header, not a "false". */
static int understood(const struct swn_as4_msg *m, const char *name, struct swn_err *err)
{
	xmlNodePtr h;
	xmlChar *bad;
	int mu;

	for (h = m->header->children; h; h = h->next) {
		if (h->type != XML_ELEMENT_NODE)
			continue;
		if ((mu = must_understand_value(h, &bad)) < 0) {
			swn_err_set(err, SWN_E_AS4, name, swn_xml_line(h),
				    "the header block {%s}%s has env:mustUnderstand '%s', which is not a "
				    "boolean (true, false, 1 or 0)",
				    h->ns ? (const char *)h->ns->href : "", (const char *)h->name,
				    (const char *)bad);
			xmlFree(bad);
			return -1;
		}
		if (mu == 0 || is(h, SWN_NS_EB, "Messaging") || is(h, SWN_NS_WSSE, "Security") ||
		    !plays_role(h))
			continue;
		return swn_err_set(err, SWN_E_AS4, name, swn_xml_line(h),
				   "the header block {%s}%s is marked mustUnderstand and this node does "
				   "not process it (SOAP 1.2 MustUnderstand)",
				   h->ns ? (const char *)h->ns->href : "", (const char *)h->name);
	}
	return 0;
}

static int parse(xmlDocPtr doc, const char *name, int swa, struct swn_as4_msg *m,
		 struct swn_err *err)
{
	xmlNodePtr n, um, sm;
	int nu, ns_, count;

	memset(m, 0, sizeof *m);
	m->envelope = xmlDocGetRootElement(doc);
	if (!is(m->envelope, SWN_NS_SOAP12, "Envelope"))
		return swn_err_set(err, SWN_E_AS4, name, swn_xml_line(m->envelope),
				   "not an AS4 message: the root is not a SOAP 1.2 Envelope");
	/* Envelope holds Header then Body and nothing else. */
	for (n = m->envelope->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!is(n, SWN_NS_SOAP12, "Header") && !is(n, SWN_NS_SOAP12, "Body"))
			return swn_err_set(err, SWN_E_AS4, name, swn_xml_line(n),
					   "unexpected element '%s' in the Envelope", (const char *)n->name);
	}
	if (!(m->header = one(m->envelope, SWN_NS_SOAP12, "env", "Header", name, err)) ||
	    !(m->body = one(m->envelope, SWN_NS_SOAP12, "env", "Body", name, err)) ||
	    !(m->messaging = one(m->header, SWN_NS_EB, "eb", "Messaging", name, err)))
		return -1;
	m->security = only(m->header, SWN_NS_WSSE, "Security", &count);
	if (count > 1)
		return swn_err_set(err, SWN_E_AS4, name, swn_xml_line(m->header),
				   "wsse:Security appears more than once in the Header");
	if (understood(m, name, err) < 0)
		return -1;
	um = only(m->messaging, SWN_NS_EB, "UserMessage", &nu);
	sm = only(m->messaging, SWN_NS_EB, "SignalMessage", &ns_);
	if (nu + ns_ != 1)
		return swn_err_set(err, SWN_E_AS4, name, swn_xml_line(m->messaging),
				   "eb:Messaging must hold exactly one UserMessage or SignalMessage (found %d and %d)",
				   nu, ns_);
	if (um) {
		m->kind = SWN_AS4_USER_MESSAGE;
		return parse_user(um, m, swa, name, err);
	}
	return parse_signal(sm, m, name, err);
}

int swn_as4_parse(xmlDocPtr doc, const char *name, struct swn_as4_msg *m,
		  struct swn_err *err)
{
	return parse(doc, name, 0, m, err);
}

int swn_as4_parse_swa(xmlDocPtr doc, const char *name, struct swn_as4_msg *m,
		      struct swn_err *err)
{
	return parse(doc, name, 1, m, err);
}

int swn_as4_receipt_covers(const struct swn_as4_msg *ours, const struct swn_as4_msg *receipt)
{
	xmlNodePtr si, r, nri = NULL, part, rr;
	xmlNodePtr theirs[SWN_DSIG_MAX_REFS];
	int used[SWN_DSIG_MAX_REFS] = { 0 }, nt = 0, refs = 0, i;

	if (receipt->kind != SWN_AS4_RECEIPT || !(si = swn_as4_signed_info(ours)))
		return 0;
	for (part = receipt->receipt ? receipt->receipt->children : NULL; part; part = part->next)
		if (is(part, SWN_NS_EBBP, "NonRepudiationInformation"))
			nri = part;
	for (part = nri ? nri->children : NULL; part && nt < SWN_DSIG_MAX_REFS; part = part->next) {
		if (!is(part, SWN_NS_EBBP, "MessagePartNRInformation"))
			continue;
		for (rr = part->children; rr; rr = rr->next)
			if (is(rr, SWN_NS_DS, "Reference") && nt < SWN_DSIG_MAX_REFS)
				theirs[nt++] = rr;
	}
	for (r = si->children; r; r = r->next) {
		xmlChar *uri, *dv;
		int found = 0;

		if (!is(r, SWN_NS_DS, "Reference"))
			continue;
		refs++;
		uri = xmlGetProp(r, BAD_CAST "URI");
		dv = xmlNodeGetContent(swn_xml_child(r, "DigestValue"));
		for (i = 0; i < nt && !found; i++) {
			xmlChar *u2, *d2;

			if (used[i])
				continue;
			u2 = xmlGetProp(theirs[i], BAD_CAST "URI");
			d2 = xmlNodeGetContent(swn_xml_child(theirs[i], "DigestValue"));
			if (u2 && d2 && uri && dv && xmlStrEqual(u2, uri) && xmlStrEqual(d2, dv))
				found = used[i] = 1;
			xmlFree(u2);
			xmlFree(d2);
		}
		xmlFree(uri);
		xmlFree(dv);
		if (!found)
			return 0;
	}
	return refs > 0;
}

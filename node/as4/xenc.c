/* xenc.c - XML Encryption of MIME parts as eDelivery AS4 writes it; see xenc.h. */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "as4/as4.h"
#include "as4/dsig.h"
#include "as4/mime.h"
#include "as4/xenc.h"
#include "base/fsutil.h"
#include "base/stamp.h"
#include "trust/cipher.h"
#include "xml/xmlsafe.h"

#define NS_WSSE11  "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
#define WSS_EK_TOKEN "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKey"

/* Bytes read from the body per step when a part's ciphertext is streamed. */
#define READ_CHUNK (64u * 1024u)

const char *swn_xenc_profile_name(enum swn_xenc_profile p)
{
	switch (p) {
	case SWN_XENC_RSA_OAEP:
		return "rsa-oaep";
	case SWN_XENC_X25519:
		return "x25519";
	case SWN_XENC_ECDH_P256:
		return "ecdh-es";
	}
	return "?";
}

/* ---- reading: small strict helpers ---- */

/* What the reader carries: the input's name for errors, and err. */
struct rd {
	const char *name;
	struct swn_err *err;
};

__attribute__((format(printf, 3, 4)))
static int refuse(const struct rd *r, const xmlNode *at, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return swn_err_set(r->err, SWN_E_AS4, r->name, at ? swn_xml_line(at) : 0, "%s", msg);
}

static int is(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	       xmlStrEqual(n->ns->href, BAD_CAST ns) && xmlStrEqual(n->name, BAD_CAST name);
}

/* A value from the message, cut short for an error message (the log
 * escapes what it prints). */
static const char *shown(const xmlChar *v, char *buf, size_t n)
{
	const char *s = v ? (const char *)v : "(none)";
	size_t len = strlen(s);

	if (len >= n)
		len = n - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

/* The element children of el into kids (at most max): -1 if el holds more,
 * or anything but elements and white space. */
static int kids_of(const struct rd *r, xmlNodePtr el, xmlNodePtr *kids, int max)
{
	xmlNodePtr n;
	int count = 0;

	for (n = el->children; n; n = n->next) {
		if (n->type == XML_TEXT_NODE && xmlIsBlankNode(n))
			continue;
		if (n->type != XML_ELEMENT_NODE)
			return refuse(r, n, "%s may hold only elements", (const char *)el->name);
		if (count == max)
			return refuse(r, n, "%s may not hold '%s' here%s", (const char *)el->name,
				      (const char *)n->name, max ? " (too many elements)" : "");
		kids[count++] = n;
	}
	return count;
}

/* el's children are exactly the elements (ns[i], names[i]), in order. */
static int exactly(const struct rd *r, xmlNodePtr el, xmlNodePtr *kids, int want,
		   const char *const *ns, const char *const *names)
{
	int n = kids_of(r, el, kids, want), i;

	if (n < 0)
		return -1;
	for (i = 0; i < want; i++)
		if (i >= n || !is(kids[i], ns[i], names[i]))
			return refuse(r, i < n ? kids[i] : el, "%s must hold %s here%s%s",
				      (const char *)el->name, names[i], i < n ? ", not " : "",
				      i < n ? (const char *)kids[i]->name : "");
	return 0;
}

/* One child element, (ns, name). */
static xmlNodePtr only_child(const struct rd *r, xmlNodePtr el, const char *ns, const char *name)
{
	xmlNodePtr kid;
	const char *const nss[1] = { ns }, *const names[1] = { name };

	return exactly(r, el, &kid, 1, nss, names) == 0 ? kid : NULL;
}

/* No child at all but white space. */
static int empty(const struct rd *r, xmlNodePtr el)
{
	xmlNodePtr none;

	return kids_of(r, el, &none, 0) < 0 ? -1 : 0;
}

/* An attribute allowed on an element: its namespace (NULL: none) and name. */
struct attr_rule {
	const char *ns;
	const char *name;
};

/* el carries no attribute outside rules (a NULL-name-terminated list). */
static int attrs_only(const struct rd *r, xmlNodePtr el, const struct attr_rule *rules)
{
	xmlAttrPtr a;
	int i, ok;

	for (a = el->properties; a; a = a->next) {
		for (i = 0, ok = 0; rules[i].name && !ok; i++)
			ok = xmlStrEqual(a->name, BAD_CAST rules[i].name) &&
			     (rules[i].ns ? a->ns && xmlStrEqual(a->ns->href, BAD_CAST rules[i].ns)
					  : a->ns == NULL);
		if (!ok)
			return refuse(r, el, "attribute '%s' is not allowed on %s",
				      (const char *)a->name, (const char *)el->name);
	}
	return 0;
}

static const struct attr_rule no_attrs[] = { { NULL, NULL } };
static const struct attr_rule alg_attr[] = { { NULL, "Algorithm" }, { NULL, NULL } };

/* An unprefixed attribute copied into dst; required or "" when absent. */
static int attr_copy(const struct rd *r, xmlNodePtr el, const char *attr, int required,
		     char *dst, size_t n)
{
	xmlChar *v = xmlGetNoNsProp(el, BAD_CAST attr);
	int rc = 0;

	dst[0] = '\0';
	if (v == NULL && required)
		rc = refuse(r, el, "%s has no %s", (const char *)el->name, attr);
	else if (v && strlen((const char *)v) >= n)
		rc = swn_err_set(r->err, SWN_E_TOO_LARGE, r->name, swn_xml_line(el),
				 "%s's %s is longer than %zu bytes", (const char *)el->name, attr, n - 1);
	else if (v)
		memcpy(dst, v, strlen((const char *)v) + 1);
	xmlFree(v);
	return rc;
}

/* el's Algorithm is want, and el holds only that attribute.  what names
 * the algorithm's role in the refusal. */
static int algorithm(const struct rd *r, xmlNodePtr el, const char *want, const char *what)
{
	char v[512], cut[200];

	if (attrs_only(r, el, alg_attr) < 0 || attr_copy(r, el, "Algorithm", 1, v, sizeof v) < 0)
		return -1;
	if (strcmp(v, want) != 0)
		return refuse(r, el, "%s '%s' is not accepted (only %s)", what,
			      shown(BAD_CAST v, cut, sizeof cut), want);
	return 0;
}

/* The base64 text of el (white space allowed between characters; no
 * child elements), strictly decoded into out (at most cap bytes). */
static int base64_of(const struct rd *r, xmlNodePtr el, unsigned char *out, size_t cap,
		     size_t *len)
{
	size_t max_chars = (cap + 2) / 3 * 4, n = 0, pad, i;
	unsigned char *clean = NULL, *raw = NULL;
	xmlChar *v = NULL;
	xmlNodePtr k;
	int got, rc = -1;

	for (k = el->children; k; k = k->next)
		if (k->type != XML_TEXT_NODE)
			return refuse(r, el, "%s must hold base64 text only", (const char *)el->name);
	v = xmlNodeGetContent(el);
	if (v == NULL || !(clean = malloc(max_chars + 1)) || !(raw = malloc(max_chars)))
		goto oom;
	for (i = 0; v[i]; i++) {
		if (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n')
			continue;
		if (n == max_chars) {
			rc = refuse(r, el, "%s holds more than %zu bytes", (const char *)el->name, cap);
			goto done;
		}
		clean[n++] = v[i];
	}
	clean[n] = '\0';
	pad = n >= 2 ? (size_t)(clean[n - 1] == '=') + (clean[n - 2] == '=') : 0;
	/* '=' only as padding at the end; EVP_DecodeBlock refuses the rest. */
	if (n == 0 || n % 4 != 0 || memchr(clean, '=', n - pad) != NULL ||
	    (got = EVP_DecodeBlock(raw, clean, (int)n)) < 0 || (size_t)got < pad) {
		rc = refuse(r, el, "%s is not base64", (const char *)el->name);
		goto done;
	}
	*len = (size_t)got - pad;
	if (*len > cap) {
		rc = refuse(r, el, "%s holds more than %zu bytes", (const char *)el->name, cap);
		goto done;
	}
	memcpy(out, raw, *len);
	rc = 0;
	goto done;
oom:
	rc = swn_err_set(r->err, SWN_E_NOMEM, r->name, 0, "out of memory");
done:
	xmlFree(v);
	free(clean);
	if (raw)
		OPENSSL_cleanse(raw, max_chars);
	free(raw);
	return rc;
}

/* "#NCName" into id (without '#'). */
static int bare_name(const struct rd *r, xmlNodePtr el, const char *attr, char *id, size_t n)
{
	char v[SWN_XENC_ID_BYTES + 1], cut[200];

	if (attr_copy(r, el, attr, 1, v, sizeof v) < 0)
		return -1;
	if (!swn_dsig_bare_name(v))
		return refuse(r, el, "%s %s '%s' is not a bare-name reference \"#id\"",
			      (const char *)el->name, attr, shown(BAD_CAST v, cut, sizeof cut));
	snprintf(id, n, "%s", v + 1);
	return 0;
}

/* The element's Id: required, an NCName. */
static int element_id(const struct rd *r, xmlNodePtr el, char *id, size_t n)
{
	char cut[200];

	if (attr_copy(r, el, "Id", 1, id, n) < 0)
		return -1;
	if (xmlValidateNCName(BAD_CAST id, 0) != 0)
		return refuse(r, el, "%s's Id '%s' is not an NCName", (const char *)el->name,
			      shown(BAD_CAST id, cut, sizeof cut));
	return 0;
}

/* ---- the EncryptedKey ---- */

/* RSA-OAEP's EncryptionMethod: DigestMethod SHA-256 and MGF1-SHA256, each
 * once, in either order; absent, either would mean SHA-1. */
static int oaep_method(const struct rd *r, xmlNodePtr em)
{
	xmlNodePtr k[3];   /* one more than allowed, to name what is extra */
	int n = kids_of(r, em, k, 3), i, digest = 0, mgf = 0;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (is(k[i], SWN_NS_DS, "DigestMethod") && !digest) {
			if (algorithm(r, k[i], SWN_ALG_SHA256, "RSA-OAEP DigestMethod") < 0 ||
			    empty(r, k[i]) < 0)
				return -1;
			digest = 1;
		} else if (is(k[i], SWN_NS_XENC11, "MGF") && !mgf) {
			if (algorithm(r, k[i], SWN_ALG_MGF1_SHA256, "RSA-OAEP MGF") < 0 ||
			    empty(r, k[i]) < 0)
				return -1;
			mgf = 1;
		} else {
			return refuse(r, k[i], "RSA-OAEP's EncryptionMethod may hold only one "
				      "DigestMethod and one MGF, not '%s'", (const char *)k[i]->name);
		}
	}
	if (!digest || !mgf)
		return refuse(r, em, "RSA-OAEP needs DigestMethod SHA-256 and MGF MGF1-SHA256 "
			      "given explicitly (absent, they mean SHA-1)");
	return 0;
}

/* HKDFParams: PRF hmac-sha256, Salt?, Info?, KeyLength 16 (bytes). */
static int hkdf_params(const struct rd *r, xmlNodePtr hp, struct swn_xenc *x)
{
	xmlNodePtr k[4];
	int n, i = 0;
	xmlChar *v;
	const char *p;
	long len = 0;

	if (attrs_only(r, hp, no_attrs) < 0 || (n = kids_of(r, hp, k, 4)) < 0)
		return -1;
	if (i >= n || !is(k[i], SWN_NS_DSMORE, "PRF"))
		return refuse(r, hp, "HKDFParams must begin with PRF");
	if (algorithm(r, k[i], SWN_ALG_HMAC_SHA256, "HKDF PRF") < 0 || empty(r, k[i]) < 0)
		return -1;
	i++;
	if (i < n && is(k[i], SWN_NS_DSMORE, "Salt") &&
	    base64_of(r, k[i++], x->salt, sizeof x->salt, &x->salt_len) < 0)
		return -1;
	if (i < n && is(k[i], SWN_NS_DSMORE, "Info") &&
	    base64_of(r, k[i++], x->info, sizeof x->info, &x->info_len) < 0)
		return -1;
	if (i != n - 1 || !is(k[i], SWN_NS_DSMORE, "KeyLength"))
		return refuse(r, i < n ? k[i] : hp, "HKDFParams must hold PRF, Salt?, Info?, "
			      "KeyLength in that order");
	if (attrs_only(r, k[i], no_attrs) < 0)
		return -1;
	/* xs:positiveInteger, white space collapsed; in bytes (RFC 9231,
	 * and phase4 writes 16 for the AES-128 key-wrap key). */
	v = xmlNodeGetContent(k[i]);
	for (p = v ? (const char *)v : ""; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++)
		;
	for (; *p >= '0' && *p <= '9' && len < 1000; p++)
		len = len * 10 + (*p - '0');
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	n = *p == '\0' && len == SWN_AES128_KEY_LEN;
	xmlFree(v);
	if (!n)
		return refuse(r, k[i], "HKDF KeyLength must be %d (bytes: the kw-aes128 key)",
			      SWN_AES128_KEY_LEN);
	return 0;
}

/* OriginatorKeyInfo: the ephemeral public key, in the form each profile's
 * senders write (X25519: DER SubjectPublicKeyInfo; ECDH-ES: ECKeyValue). */
static int originator_key(const struct rd *r, xmlNodePtr oki, struct swn_xenc *x)
{
	unsigned char der[SWN_AGREE_SPKI_MAX_BYTES];
	size_t der_len;
	xmlNodePtr kv, ec, k[2];
	char uri[128], cut[200];
	static const char *const ec_ns[2] = { SWN_NS_DSIG11, SWN_NS_DSIG11 };
	static const char *const ec_names[2] = { "NamedCurve", "PublicKey" };
	static const struct attr_rule uri_attr[] = { { NULL, "URI" }, { NULL, NULL } };

	if (attrs_only(r, oki, no_attrs) < 0)
		return -1;
	if (x->profile == SWN_XENC_X25519) {
		if (!(kv = only_child(r, oki, SWN_NS_DSIG11, "DEREncodedKeyValue")) ||
		    attrs_only(r, kv, no_attrs) < 0 ||
		    base64_of(r, kv, der, sizeof der, &der_len) < 0)
			return -1;
		return swn_agree_public_from_spki(SWN_AGREE_X25519, der, der_len, x->epk,
						  &x->epk_len, r->err);
	}
	if (!(kv = only_child(r, oki, SWN_NS_DS, "KeyValue")) || attrs_only(r, kv, no_attrs) < 0 ||
	    !(ec = only_child(r, kv, SWN_NS_DSIG11, "ECKeyValue")) ||
	    attrs_only(r, ec, no_attrs) < 0 || exactly(r, ec, k, 2, ec_ns, ec_names) < 0)
		return -1;
	if (attrs_only(r, k[0], uri_attr) < 0 || empty(r, k[0]) < 0 ||
	    attr_copy(r, k[0], "URI", 1, uri, sizeof uri) < 0)
		return -1;
	if (strcmp(uri, SWN_XENC_P256_OID) != 0)
		return refuse(r, k[0], "NamedCurve '%s' is not P-256 (%s)",
			      shown(BAD_CAST uri, cut, sizeof cut), SWN_XENC_P256_OID);
	if (attrs_only(r, k[1], no_attrs) < 0 ||
	    base64_of(r, k[1], x->epk, sizeof x->epk, &x->epk_len) < 0)
		return -1;
	if (x->epk_len != SWN_P256_POINT_LEN || x->epk[0] != 0x04)
		return refuse(r, k[1], "the P-256 PublicKey must be an uncompressed point "
			      "(0x04, X, Y: 65 bytes)");
	return 0;
}

/* AgreementMethod: the profile's algorithm, HKDF, the originator's key,
 * and a RecipientKeyInfo (not used: the private key is the caller's). */
static int agreement(const struct rd *r, xmlNodePtr am, struct swn_xenc *x)
{
	xmlNodePtr k[3], hp;
	static const char *const ns[3] = { SWN_NS_XENC11, SWN_NS_XENC, SWN_NS_XENC };
	static const char *const names[3] = { "KeyDerivationMethod", "OriginatorKeyInfo",
					      "RecipientKeyInfo" };
	const char *want = x->profile == SWN_XENC_X25519 ? SWN_ALG_X25519 : SWN_ALG_ECDH_ES;

	if (algorithm(r, am, want, "AgreementMethod") < 0 || exactly(r, am, k, 3, ns, names) < 0 ||
	    algorithm(r, k[0], SWN_ALG_HKDF, "KeyDerivationMethod") < 0 ||
	    !(hp = only_child(r, k[0], SWN_NS_DSMORE, "HKDFParams")) ||
	    hkdf_params(r, hp, x) < 0 || originator_key(r, k[1], x) < 0 ||
	    attrs_only(r, k[2], no_attrs) < 0)
		return -1;
	return 0;
}

/* The ReferenceList: 1 to SWN_MAX_PAYLOAD_PARTS DataReferences "#id". */
static int reference_list(const struct rd *r, xmlNodePtr rl, char (*ids)[SWN_XENC_ID_BYTES],
			  size_t *nids)
{
	xmlNodePtr k[SWN_MAX_PAYLOAD_PARTS];
	static const struct attr_rule uri_attr[] = { { NULL, "URI" }, { NULL, NULL } };
	int n = kids_of(r, rl, k, SWN_MAX_PAYLOAD_PARTS), i;

	if (n < 0 || attrs_only(r, rl, no_attrs) < 0)
		return -1;
	if (n == 0)
		return refuse(r, rl, "the ReferenceList names nothing");
	for (i = 0; i < n; i++)
		if (!is(k[i], SWN_NS_XENC, "DataReference"))
			return refuse(r, k[i], "the ReferenceList may hold only DataReference, not '%s'",
				      (const char *)k[i]->name);
		else if (attrs_only(r, k[i], uri_attr) < 0 || empty(r, k[i]) < 0 ||
			 bare_name(r, k[i], "URI", ids[i], SWN_XENC_ID_BYTES) < 0)
			return -1;
	*nids = (size_t)n;
	return 0;
}

static int encrypted_key(const struct rd *r, xmlNodePtr ek, struct swn_xenc *x,
			 char (*listed)[SWN_XENC_ID_BYTES], size_t *nlisted)
{
	xmlNodePtr k[4], am, kid;
	static const char *const ns[4] = { SWN_NS_XENC, SWN_NS_DS, SWN_NS_XENC, SWN_NS_XENC };
	static const char *const names[4] = { "EncryptionMethod", "KeyInfo", "CipherData",
					      "ReferenceList" };
	static const struct attr_rule id_attr[] = { { NULL, "Id" }, { NULL, NULL } };
	int rsa = x->profile == SWN_XENC_RSA_OAEP;
	xmlNodePtr cv;

	if (attrs_only(r, ek, id_attr) < 0 || element_id(r, ek, x->key_id, sizeof x->key_id) < 0 ||
	    exactly(r, ek, k, 4, ns, names) < 0)
		return -1;
	if (algorithm(r, k[0], rsa ? SWN_ALG_RSA_OAEP : SWN_ALG_KW_AES128,
		      rsa ? "key transport (EncryptedKey EncryptionMethod)"
			  : "key wrap (EncryptedKey EncryptionMethod)") < 0 ||
	    (rsa ? oaep_method(r, k[0]) : empty(r, k[0])) < 0 ||
	    attrs_only(r, k[1], no_attrs) < 0)
		return -1;
	if (rsa) {
		/* The recipient's token: not used, the key is the caller's. */
		if (!(kid = only_child(r, k[1], SWN_NS_WSSE, "SecurityTokenReference")))
			return -1;
	} else if (!(am = only_child(r, k[1], SWN_NS_XENC, "AgreementMethod")) ||
		   agreement(r, am, x) < 0) {
		return -1;
	}
	if (attrs_only(r, k[2], no_attrs) < 0 ||
	    !(cv = only_child(r, k[2], SWN_NS_XENC, "CipherValue")) ||
	    attrs_only(r, cv, no_attrs) < 0 ||
	    base64_of(r, cv, x->cipher_value, sizeof x->cipher_value, &x->cipher_len) < 0)
		return -1;
	if (!rsa && x->cipher_len != SWN_AES128_KEY_LEN + SWN_KW_OVERHEAD)
		return refuse(r, cv, "the wrapped key is %zu bytes, not %d (an AES-128 key)",
			      x->cipher_len, SWN_AES128_KEY_LEN + SWN_KW_OVERHEAD);
	return reference_list(r, k[3], listed, nlisted);
}

/* ---- the EncryptedData ---- */

/* KeyInfo/SecurityTokenReference/Reference "#" + the EncryptedKey's Id. */
static int data_key_ref(const struct rd *r, xmlNodePtr ki, const char *key_id)
{
	static const struct attr_rule str_attrs[] = { { NS_WSSE11, "TokenType" }, { NULL, NULL } };
	static const struct attr_rule ref_attrs[] = { { NULL, "URI" }, { NULL, "ValueType" },
						      { NULL, NULL } };
	xmlNodePtr str, ref;
	xmlChar *tt;
	char id[SWN_XENC_ID_BYTES], vt[256];
	int bad;

	if (attrs_only(r, ki, no_attrs) < 0 ||
	    !(str = only_child(r, ki, SWN_NS_WSSE, "SecurityTokenReference")) ||
	    attrs_only(r, str, str_attrs) < 0 ||
	    !(ref = only_child(r, str, SWN_NS_WSSE, "Reference")) ||
	    attrs_only(r, ref, ref_attrs) < 0 || empty(r, ref) < 0 ||
	    bare_name(r, ref, "URI", id, sizeof id) < 0 ||
	    attr_copy(r, ref, "ValueType", 0, vt, sizeof vt) < 0)
		return -1;
	tt = xmlGetNsProp(str, BAD_CAST "TokenType", BAD_CAST NS_WSSE11);
	bad = tt && !xmlStrEqual(tt, BAD_CAST WSS_EK_TOKEN);
	xmlFree(tt);
	if (bad || (vt[0] && strcmp(vt, WSS_EK_TOKEN) != 0))
		return refuse(r, str, "the EncryptedData's key is not an EncryptedKey token");
	if (strcmp(id, key_id) != 0)
		return refuse(r, ref, "the EncryptedData's key is not the EncryptedKey (%s)", key_id);
	return 0;
}

/* CipherData/CipherReference "cid:..." with the one ciphertext transform:
 * the part it names (a payload, never the root). */
static int cipher_reference(const struct rd *r, xmlNodePtr cd, const struct swn_mime_message *mm,
			    size_t *part)
{
	static const struct attr_rule uri_attr[] = { { NULL, "URI" }, { NULL, NULL } };
	xmlNodePtr cr, trs, tr;
	char uri[SWN_DSIG_URI_BYTES * 4], cut[200];
	long idx;

	if (attrs_only(r, cd, no_attrs) < 0 ||
	    !(cr = only_child(r, cd, SWN_NS_XENC, "CipherReference")) ||
	    attrs_only(r, cr, uri_attr) < 0 || attr_copy(r, cr, "URI", 1, uri, sizeof uri) < 0 ||
	    !(trs = only_child(r, cr, SWN_NS_XENC, "Transforms")) ||
	    attrs_only(r, trs, no_attrs) < 0 ||
	    !(tr = only_child(r, trs, SWN_NS_DS, "Transform")) ||
	    algorithm(r, tr, SWN_XENC_SWA_CIPHERTEXT, "CipherReference Transform") < 0 ||
	    empty(r, tr) < 0)
		return -1;
	if (strncasecmp(uri, "cid:", 4) != 0)
		return refuse(r, cr, "CipherReference '%s' is not a cid: URI",
			      shown(BAD_CAST uri, cut, sizeof cut));
	idx = swn_mime_find_cid(mm, uri, r->err);
	if (idx < 0)
		return -1;
	if (idx == 0)
		return refuse(r, cr, "CipherReference names the SOAP envelope's part");
	*part = (size_t)idx;
	return 0;
}

static int encrypted_data(const struct rd *r, xmlNodePtr ed, const struct swn_mime_message *mm,
			  const char *key_id, struct swn_xenc_data *d)
{
	static const struct attr_rule ed_attrs[] = { { NULL, "Id" }, { NULL, "MimeType" },
						     { NULL, "Type" }, { NULL, NULL } };
	static const char *const ns[3] = { SWN_NS_XENC, SWN_NS_DS, SWN_NS_XENC };
	static const char *const names[3] = { "EncryptionMethod", "KeyInfo", "CipherData" };
	xmlNodePtr k[3];
	char type[256], cut[200];

	if (attrs_only(r, ed, ed_attrs) < 0 || element_id(r, ed, d->id, sizeof d->id) < 0 ||
	    attr_copy(r, ed, "Type", 1, type, sizeof type) < 0 ||
	    attr_copy(r, ed, "MimeType", 1, d->mime_type, sizeof d->mime_type) < 0)
		return -1;
	if (strcmp(type, SWN_XENC_SWA_CONTENT_ONLY) != 0)
		return refuse(r, ed, "EncryptedData Type '%s' is not accepted (only %s)",
			      shown(BAD_CAST type, cut, sizeof cut), SWN_XENC_SWA_CONTENT_ONLY);
	if (d->mime_type[0] == '\0')
		return refuse(r, ed, "EncryptedData has an empty MimeType");
	if (exactly(r, ed, k, 3, ns, names) < 0 ||
	    algorithm(r, k[0], SWN_ALG_AES128_GCM, "content encryption (EncryptedData "
		      "EncryptionMethod)") < 0 || empty(r, k[0]) < 0 ||
	    data_key_ref(r, k[1], key_id) < 0 || cipher_reference(r, k[2], mm, &d->part) < 0)
		return -1;
	return 0;
}

/* ---- the message as a whole ---- */

/* The value of the eb:Property named name in PartInfo pinfo's
 * eb:PartProperties, copied into out; "" when there is none.  A name
 * given twice is refused. */
static int part_property(const struct rd *r, xmlNodePtr pinfo, const char *name, char *out,
			 size_t n)
{
	xmlNodePtr props = NULL, p, c;
	int found = 0;

	out[0] = '\0';
	for (c = pinfo->children; c && !props; c = c->next)
		if (is(c, SWN_NS_EB, "PartProperties"))
			props = c;
	for (p = props ? props->children : NULL; p; p = p->next) {
		xmlChar *pname, *v;
		int match;

		if (!is(p, SWN_NS_EB, "Property"))
			continue;
		pname = xmlGetNoNsProp(p, BAD_CAST "name");
		match = pname && xmlStrEqual(pname, BAD_CAST name);
		xmlFree(pname);
		if (!match)
			continue;
		if (found++)
			return refuse(r, p, "eb:PartInfo gives the property %s twice", name);
		v = xmlNodeGetContent(p);
		if (v == NULL || (size_t)xmlStrlen(v) >= n) {
			xmlFree(v);
			return refuse(r, p, "eb:PartInfo's property %s is missing or too long", name);
		}
		memcpy(out, v, (size_t)xmlStrlen(v) + 1);
		xmlFree(v);
	}
	return 0;
}

/* The type a part travels under, as the signed eb:Messaging says: its
 * CompressionType when it is compressed, else its MimeType; checked as a
 * Content-Type value (no control bytes).  The EncryptedData's MimeType
 * is not signed: it is held to this, never believed on its own. */
static int signed_type(const struct rd *r, xmlNodePtr pinfo, char *out, size_t n)
{
	struct swn_mime_ctype ct;
	struct swn_err why;

	if (part_property(r, pinfo, "CompressionType", out, n) < 0)
		return -1;
	if (out[0] == '\0' && part_property(r, pinfo, "MimeType", out, n) < 0)
		return -1;
	if (out[0] == '\0')
		return refuse(r, pinfo, "eb:PartInfo of an encrypted part has no MimeType property: "
			      "its type would rest on the unsigned EncryptedData alone");
	swn_err_clear(&why);
	if (swn_mime_parse_ctype(out, &ct, &why) < 0)
		return refuse(r, pinfo, "eb:PartInfo's MimeType or CompressionType is not a media "
			      "type: %s", why.msg);
	return 0;
}

/* The eb:PartInfo hrefs: each a cid: URI of a payload part, marked in
 * listed[], its signed type in types[]; none may be a Body payload in a
 * message with encryption. */
static int part_infos(const struct rd *r, const struct swn_as4_msg *m,
		      const struct swn_mime_message *mm, int *listed,
		      char (*types)[SWN_MIME_VALUE_BYTES])
{
	xmlNodePtr um = NULL, pi = NULL, n;
	char href[SWN_DSIG_URI_BYTES * 4];
	long idx;

	for (n = m->messaging ? m->messaging->children : NULL; n && !um; n = n->next)
		if (is(n, SWN_NS_EB, "UserMessage"))
			um = n;
	for (n = um ? um->children : NULL; n; n = n->next)
		if (is(n, SWN_NS_EB, "PayloadInfo")) {
			if (pi)
				return refuse(r, n, "eb:UserMessage holds more than one eb:PayloadInfo");
			pi = n;
		}
	for (n = pi ? pi->children : NULL; n; n = n->next) {
		if (!is(n, SWN_NS_EB, "PartInfo"))
			continue;
		if (attr_copy(r, n, "href", 1, href, sizeof href) < 0)
			return -1;
		if (strncasecmp(href, "cid:", 4) != 0)
			return refuse(r, n, "eb:PartInfo href is not a cid: URI: in an encrypted "
				      "message every payload must be an encrypted MIME part");
		if ((idx = swn_mime_find_cid(mm, href, r->err)) < 0)
			return -1;
		if (idx == 0)
			return refuse(r, n, "eb:PartInfo names the SOAP envelope's part");
		if (listed[idx])
			return refuse(r, n, "eb:PartInfo names a part twice");
		listed[idx] = 1;
		if (signed_type(r, n, types[idx], sizeof types[idx]) < 0)
			return -1;
	}
	return 0;
}

/* Do two Content-Type values name one media type (parameters aside)? */
static int same_media_type(const char *a, const char *b)
{
	struct swn_mime_ctype ca, cb;
	struct swn_err ignored;

	return swn_mime_parse_ctype(a, &ca, &ignored) == 0 &&
	       swn_mime_parse_ctype(b, &cb, &ignored) == 0 &&
	       strcmp(ca.media_type, cb.media_type) == 0;
}

/* Every reference and part accounted for: the ReferenceList names each
 * EncryptedData once, each part is encrypted at most once, and the parts
 * encrypted are exactly those eb:PartInfo lists. */
static int cross_check(const struct rd *r, const struct swn_as4_msg *m,
		       const struct swn_mime_message *mm, struct swn_xenc *x,
		       char (*listed_ids)[SWN_XENC_ID_BYTES], size_t nlisted)
{
	static _Thread_local char types[SWN_MIME_MAX_PARTS][SWN_MIME_VALUE_BYTES];
	int seen[SWN_MIME_MAX_PARTS] = { 0 }, listed[SWN_MIME_MAX_PARTS] = { 0 };
	size_t i, j;

	if (nlisted != x->ndata)
		return refuse(r, m->security, "the ReferenceList names %zu EncryptedData, the "
			      "header holds %zu", nlisted, x->ndata);
	for (i = 0; i < x->ndata; i++) {
		for (j = 0; j < nlisted && strcmp(listed_ids[j], x->data[i].id) != 0; j++)
			;
		if (j == nlisted)
			return refuse(r, m->security, "EncryptedData '%s' is not in the ReferenceList",
				      x->data[i].id);
		listed_ids[j][0] = '\0';   /* each name matches once */
		for (j = 0; j < i; j++)
			if (strcmp(x->data[j].id, x->data[i].id) == 0)
				return refuse(r, m->security, "the Id '%s' is used twice", x->data[i].id);
		if (strcmp(x->data[i].id, x->key_id) == 0)
			return refuse(r, m->security, "the Id '%s' is used twice", x->key_id);
		if (seen[x->data[i].part]++)
			return refuse(r, m->security, "the part <%s> is encrypted twice",
				      mm->parts[x->data[i].part].content_id);
	}
	memset(types, 0, sizeof types);
	if (part_infos(r, m, mm, listed, types) < 0)
		return -1;
	for (i = 1; i < mm->nparts; i++) {
		if (listed[i] && !seen[i])
			return refuse(r, m->messaging, "the part <%s> listed in eb:PartInfo is not "
				      "encrypted", mm->parts[i].content_id);
		if (seen[i] && !listed[i])
			return refuse(r, m->messaging, "the part <%s> is encrypted but not listed in "
				      "eb:PartInfo", mm->parts[i].content_id);
	}
	/* The type each part is signed and handed on under is the signed one;
	 * the EncryptedData must say the same. */
	for (i = 0; i < x->ndata; i++) {
		const char *want = types[x->data[i].part];

		if (!same_media_type(x->data[i].mime_type, want))
			return refuse(r, m->security, "EncryptedData '%s' says MimeType '%s', but the "
				      "signed eb:PartInfo says '%s'", x->data[i].id,
				      x->data[i].mime_type, want);
		snprintf(x->data[i].mime_type, sizeof x->data[i].mime_type, "%s", want);
	}
	return 0;
}

/* Each id this module resolved is carried by one element of the whole
 * document alone (as Id, wsu:Id or xml:id): no other reader of the
 * message can resolve it to something else. */
static int ids_unique(const struct rd *r, xmlDocPtr doc, const struct swn_xenc *x)
{
	size_t count[1 + SWN_MAX_PAYLOAD_PARTS] = { 0 }, i;
	xmlNodePtr n;
	xmlAttrPtr a;

	for (n = xmlDocGetRootElement(doc); n; n = swn_xml_walk(n)) {
		for (a = n->type == XML_ELEMENT_NODE ? n->properties : NULL; a; a = a->next) {
			const xmlChar *v;

			if (!xmlStrEqual(a->name, BAD_CAST "Id") && !xmlStrEqual(a->name, BAD_CAST "id"))
				continue;
			if (!a->children || a->children->type != XML_TEXT_NODE || a->children->next)
				continue;
			v = a->children->content;
			if (xmlStrEqual(v, BAD_CAST x->key_id))
				count[0]++;
			for (i = 0; i < x->ndata; i++)
				if (xmlStrEqual(v, BAD_CAST x->data[i].id))
					count[1 + i]++;
		}
	}
	for (i = 0; i <= x->ndata; i++)
		if (count[i] != 1)
			return refuse(r, NULL, "the id '%s' is carried by %zu elements",
				      i ? x->data[i - 1].id : x->key_id, count[i]);
	return 0;
}

int swn_xenc_read(const struct swn_as4_msg *m, const struct swn_mime_message *mm,
		  enum swn_xenc_profile profile, const char *name, struct swn_xenc *x,
		  struct swn_err *err)
{
	struct rd r = { name ? name : "message", err };
	char listed[SWN_MAX_PAYLOAD_PARTS][SWN_XENC_ID_BYTES];
	size_t nlisted = 0;
	xmlNodePtr n, ek = NULL;
	int rc = -1;

	memset(x, 0, sizeof *x);
	x->profile = profile;
	if (m->security == NULL)
		return 0;
	/* One pass over wsse:Security: the EncryptedKey found, each
	 * EncryptedData read as it comes (at most one per payload). */
	for (n = m->security->children; n; n = n->next) {
		if (is(n, SWN_NS_XENC, "EncryptedKey")) {
			if (ek) {
				refuse(&r, n, "wsse:Security holds more than one EncryptedKey");
				goto out;
			}
			ek = n;
		} else if (is(n, SWN_NS_XENC, "EncryptedData")) {
			if (x->ndata == SWN_MAX_PAYLOAD_PARTS) {
				refuse(&r, n, "more than %d EncryptedData", SWN_MAX_PAYLOAD_PARTS);
				goto out;
			}
			x->ndata++;
		} else if (n->type == XML_ELEMENT_NODE && n->ns &&
			   (xmlStrEqual(n->ns->href, BAD_CAST SWN_NS_XENC) ||
			    xmlStrEqual(n->ns->href, BAD_CAST SWN_NS_XENC11))) {
			refuse(&r, n, "xenc:%s is not accepted in wsse:Security",
			       (const char *)n->name);
			goto out;
		}
	}
	if (ek == NULL && x->ndata == 0)
		return 0;
	if (ek == NULL) {
		refuse(&r, m->security, "EncryptedData without an EncryptedKey");
		goto out;
	}
	if (encrypted_key(&r, ek, x, listed, &nlisted) < 0)
		goto out;
	x->ndata = 0;
	for (n = m->security->children; n; n = n->next)
		if (is(n, SWN_NS_XENC, "EncryptedData") &&
		    encrypted_data(&r, n, mm, x->key_id, &x->data[x->ndata++]) < 0)
			goto out;
	if (x->ndata == 0) {
		refuse(&r, ek, "an EncryptedKey with no EncryptedData");
		goto out;
	}
	if (cross_check(&r, m, mm, x, listed, nlisted) < 0 ||
	    ids_unique(&r, m->envelope->doc, x) < 0)
		goto out;
	rc = 0;
out:
	/* A refused read leaves nothing a careless caller could decrypt by. */
	if (rc != 0) {
		OPENSSL_cleanse(x, sizeof *x);
		x->profile = profile;
	}
	return rc;
}

int swn_xenc_all_encrypted(const struct swn_xenc *x, const struct swn_mime_message *mm)
{
	size_t i, j;

	if (mm->nparts < 2)
		return 0;
	for (i = 1; i < mm->nparts; i++) {
		for (j = 0; j < x->ndata && x->data[j].part != i; j++)
			;
		if (j == x->ndata)
			return 0;
	}
	return 1;
}

/* ---- decryption ---- */

int swn_xenc_content_key(const struct swn_xenc *x, EVP_PKEY *priv,
			 unsigned char cek[SWN_AES128_KEY_LEN], struct swn_err *err)
{
	struct swn_hkdf_params hp = { x->salt, x->salt_len, x->info, x->info_len };
	unsigned char kek[SWN_AES128_KEY_LEN];
	size_t len = 0;
	int rc;

	if (x->ndata == 0)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "the message is not encrypted");
	if (x->profile == SWN_XENC_RSA_OAEP)
		return swn_rsa_oaep_decrypt(priv, x->cipher_value, x->cipher_len, cek,
					    SWN_AES128_KEY_LEN, err);
	rc = swn_agree_receive(x->profile == SWN_XENC_X25519 ? SWN_AGREE_X25519 : SWN_AGREE_ECDH_P256,
			       priv, x->epk, x->epk_len, &hp, kek, err);
	if (rc == 0)
		rc = swn_kw_unwrap(kek, x->cipher_value, x->cipher_len, cek, SWN_AES128_KEY_LEN,
				   &len, err);
	if (rc == 0 && len != SWN_AES128_KEY_LEN)
		rc = swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "the content key is not an AES-128 key");
	OPENSSL_cleanse(kek, sizeof kek);
	if (rc != 0)
		OPENSSL_cleanse(cek, SWN_AES128_KEY_LEN);
	return rc;
}

/* n bytes of the body at off into buf. */
static int body_read(const struct swn_xenc_body *body, uint64_t off, unsigned char *buf,
		     size_t n, struct swn_err *err)
{
	size_t done = 0;
	ssize_t got;

	if (body->mem) {
		if (off > body->len || n > body->len - off)
			return swn_err_set(err, SWN_E_IO, NULL, 0, "a part lies outside the body");
		memcpy(buf, body->mem + off, n);
		return 0;
	}
	while (done < n) {
		got = pread(body->fd, buf + done, n - done, (off_t)(off + done));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return swn_err_set(err, SWN_E_IO, NULL, 0, "cannot read the message body: %s",
					   got < 0 ? strerror(errno) : "it is shorter than its parts");
		done += (size_t)got;
	}
	return 0;
}

int swn_xenc_decrypt_part_unverified(const struct swn_xenc *x, size_t i,
				     const struct swn_mime_message *mm,
				     const struct swn_xenc_body *body,
				     const unsigned char cek[SWN_AES128_KEY_LEN],
				     swn_cipher_sink sink, void *arg, struct swn_err *err)
{
	const struct swn_mime_part *p;
	unsigned char *buf;
	struct swn_gcm *g;
	uint64_t done = 0;
	size_t n;
	int rc = -1;

	if (i >= x->ndata || x->data[i].part >= mm->nparts)
		return swn_err_set(err, SWN_E_USAGE, NULL, 0, "no such EncryptedData");
	p = &mm->parts[x->data[i].part];
	if (!(buf = malloc(READ_CHUNK)))
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	if (!(g = swn_gcm_new(SWN_GCM_DECRYPT, cek, sink, arg, err))) {
		free(buf);
		return -1;
	}
	while (done < p->length) {
		n = p->length - done < READ_CHUNK ? (size_t)(p->length - done) : READ_CHUNK;
		if (body_read(body, p->offset + done, buf, n, err) < 0 ||
		    swn_gcm_update(g, buf, n, err) < 0)
			goto out;
		done += n;
	}
	rc = swn_gcm_final(g, err);
out:
	swn_gcm_free(g);
	OPENSSL_cleanse(buf, READ_CHUNK);
	free(buf);
	return rc;
}

/* The plaintext into an unlinked temporary file. */
static int file_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	struct swn_xenc_plain *f = arg;
	ssize_t w;

	while (n > 0) {
		w = write(f->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return swn_err_set(err, SWN_E_LOCAL, NULL, 0,
					   "cannot write a decrypted part: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
		f->len += (uint64_t)w;
	}
	return 0;
}

int swn_xenc_profile_of(const struct swn_profile_def *p, enum swn_xenc_profile *out)
{
	switch (p->id) {
	case SWN_PROFILE_EDELIVERY_2:       *out = SWN_XENC_X25519; return 0;
	case SWN_PROFILE_EDELIVERY_2_ECDSA: *out = SWN_XENC_ECDH_P256; return 0;
	case SWN_PROFILE_EDELIVERY_1_15:    *out = SWN_XENC_RSA_OAEP; return 0;
	case SWN_PROFILE_BODY:              break;
	}
	return -1;
}

int swn_xenc_decrypt_files(const struct swn_xenc *x, const struct swn_mime_message *mm,
			   const struct swn_xenc_body *body, EVP_PKEY *priv, const char *dir,
			   struct swn_xenc_plaintext *out, struct swn_err *err)
{
	unsigned char cek[SWN_AES128_KEY_LEN];
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (swn_xenc_content_key(x, priv, cek, err) < 0)
		return -1;
	for (i = 0; i < x->ndata; i++) {
		struct swn_xenc_plain *f = &out->parts[i];

		if ((f->fd = swn_temp_fd(dir, ".swn-xenc", err)) < 0)
			goto out;
		out->nparts = i + 1;
		snprintf(f->cid, sizeof f->cid, "%s", mm->parts[x->data[i].part].content_id);
		snprintf(f->mime_type, sizeof f->mime_type, "%s", x->data[i].mime_type);
		f->index = (unsigned)x->data[i].part;
		snprintf(f->name, sizeof f->name, "part %u", f->index);
		if (swn_xenc_decrypt_part_unverified(x, i, mm, body, cek, file_sink, f, err) < 0)
			goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(cek, sizeof cek);
	if (rc != 0)
		swn_xenc_plaintext_free(out);   /* nothing released that did not check */
	return rc;
}

static int read_plain(void *arg, unsigned char *buf, size_t cap, size_t *got)
{
	struct swn_xenc_plain *f = arg;
	ssize_t n;

	do
		n = pread(f->fd, buf, cap, (off_t)f->pos);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	f->pos += (uint64_t)n;
	*got = (size_t)n;
	return 0;
}

void swn_xenc_dsig_parts(struct swn_xenc_plaintext *out, struct swn_dsig_part *parts)
{
	size_t i;

	for (i = 0; i < out->nparts; i++) {
		out->parts[i].pos = 0;
		parts[i].name = out->parts[i].name;
		parts[i].cid = out->parts[i].cid;
		parts[i].content_type = out->parts[i].mime_type;
		parts[i].read = read_plain;
		parts[i].arg = &out->parts[i];
	}
}

void swn_xenc_plaintext_free(struct swn_xenc_plaintext *out)
{
	size_t i;

	if (out == NULL)
		return;
	for (i = 0; i < out->nparts; i++)
		if (out->parts[i].fd >= 0)
			close(out->parts[i].fd);
	memset(out, 0, sizeof *out);
}

/* ---- the writer ---- */

#define WSS_X509V3 \
	"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
#define WSS_BASE64 \
	"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"

/* A part's plaintext from pos: bytes in memory or pread from its file. */
static int part_read(const struct swn_xenc_part_out *p, uint64_t pos, unsigned char *buf,
		     size_t cap, size_t *got)
{
	ssize_t n;

	if (p->fd < 0) {
		n = pos >= p->len ? 0 : (ssize_t)(p->len - pos < cap ? p->len - pos : cap);
		if (n > 0)
			memcpy(buf, (const unsigned char *)p->data + pos, (size_t)n);
	} else {
		do
			n = pread(p->fd, buf, cap, (off_t)pos);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -1;
	}
	*got = (size_t)n;
	return 0;
}

static int view_read(void *arg, unsigned char *buf, size_t cap, size_t *got)
{
	struct swn_xenc_part_out *p = arg;

	struct stat st;

	if (part_read(p, p->pos, buf, cap, got) < 0)
		return -1;
	p->pos += *got;
	if (*got == 0) {
		/* the end: remember what was signed */
		p->signed_len = p->pos;
		p->signed_whole = 1;
		if (p->fd >= 0) {
			if (fstat(p->fd, &st) < 0)
				return -1;
			p->signed_mtime = st.st_mtim;
		}
	}
	return 0;
}

/* Is the part still what the signing view read?  Its length, and for a
 * file its size and mtime, as they were. */
static int part_as_signed(const struct swn_xenc_part_out *p, uint64_t encrypted,
			  struct swn_err *err)
{
	struct stat st;

	if (!p->signed_whole)
		return swn_err_set(err, SWN_E_AS4, p->content_id, 0,
				   "the part was not signed (swn_xenc_sign_view) before encrypting");
	if (encrypted != p->signed_len ||
	    (p->fd >= 0 && (fstat(p->fd, &st) < 0 || (uint64_t)st.st_size != p->signed_len ||
			    st.st_mtim.tv_sec != p->signed_mtime.tv_sec ||
			    st.st_mtim.tv_nsec != p->signed_mtime.tv_nsec)))
		return swn_err_set(err, SWN_E_AS4, p->content_id, 0,
				   "the part changed between signing and encrypting: the signature "
				   "would not cover what is sent");
	return 0;
}

void swn_xenc_sign_view(struct swn_xenc_part_out *parts, size_t nparts,
			struct swn_dsig_part *sign)
{
	size_t i;

	for (i = 0; i < nparts; i++) {
		parts[i].pos = 0;
		parts[i].signed_whole = 0;
		sign[i].name = parts[i].content_id;
		sign[i].cid = parts[i].content_id;
		sign[i].content_type = parts[i].mime_type;
		sign[i].read = view_read;
		sign[i].arg = &parts[i];
	}
}

/* The cipher value into the caller's file, whole. */
static int fd_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	const int *fd = arg;
	ssize_t w;

	while (n > 0) {
		w = write(*fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return swn_err_set(err, SWN_E_LOCAL, NULL, 0,
					   "cannot write an encrypted part: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One part's plaintext through AES-128-GCM into its out_fd. */
static int encrypt_part(const struct swn_xenc_part_out *p, const unsigned char cek[SWN_AES128_KEY_LEN],
			struct swn_err *err)
{
	struct swn_gcm *g = swn_gcm_new(SWN_GCM_ENCRYPT, cek, fd_sink, (void *)&p->out_fd, err);
	unsigned char *buf = malloc(READ_CHUNK);
	uint64_t pos = 0;
	size_t got = 0;
	int rc = -1;

	if (g == NULL || buf == NULL) {
		if (buf == NULL)
			swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		goto out;
	}
	for (;;) {
		if (part_read(p, pos, buf, READ_CHUNK, &got) < 0) {
			swn_err_set(err, SWN_E_IO, p->content_id, 0, "cannot read the part: %s",
				    strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		if (swn_gcm_update(g, buf, got, err) < 0)
			goto out;
		pos += got;
	}
	if (part_as_signed(p, pos, err) < 0)
		goto out;
	rc = swn_gcm_final(g, err);
out:
	swn_gcm_free(g);
	if (buf)
		OPENSSL_cleanse(buf, READ_CHUNK);   /* plaintext */
	free(buf);
	return rc;
}

/* The key material EncryptedKey carries, made for one message. */
struct wrapped {
	unsigned char value[SWN_RSA_OAEP_MAX_BITS / 8];  /* CipherValue */
	size_t value_len;
	unsigned char salt[16];
	unsigned char epk[SWN_AGREE_PUB_MAX];
	size_t epk_len;
};

/* The content key for cert: transported (RSA-OAEP), or wrapped with the
 * key agreed with a fresh ephemeral key. */
static int wrap_key(enum swn_xenc_profile profile, X509 *cert,
		    const unsigned char cek[SWN_AES128_KEY_LEN], struct wrapped *w,
		    struct swn_err *err)
{
	unsigned char kek[SWN_AES128_KEY_LEN];
	struct swn_hkdf_params hp = { w->salt, sizeof w->salt, NULL, 0 };
	enum swn_agree_alg alg = profile == SWN_XENC_X25519 ? SWN_AGREE_X25519 : SWN_AGREE_ECDH_P256;
	int rc;

	if (profile == SWN_XENC_RSA_OAEP)
		return swn_rsa_oaep_encrypt(cert, cek, SWN_AES128_KEY_LEN, w->value,
					    sizeof w->value, &w->value_len, err);
	/* A fresh salt per message, of the key's length, as WSS4J draws it. */
	if (RAND_bytes(w->salt, (int)sizeof w->salt) != 1)
		return swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "no random bytes for the salt");
	rc = swn_agree_send(alg, cert, &hp, kek, w->epk, &w->epk_len, err);
	if (rc == 0)
		rc = swn_kw_wrap(kek, cek, SWN_AES128_KEY_LEN, w->value, sizeof w->value, err);
	OPENSSL_cleanse(kek, sizeof kek);
	w->value_len = SWN_AES128_KEY_LEN + SWN_KW_OVERHEAD;
	return rc;
}

/* base64 of n bytes, or NULL (out of memory). */
static char *b64(const unsigned char *p, size_t n)
{
	char *s = malloc(4 * ((n + 2) / 3) + 1);

	if (s)
		EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	return s;
}

/* A child el of parent in namespace ns, with text (base64 of p, n) or none. */
static xmlNodePtr add_b64(xmlNodePtr parent, xmlNsPtr ns, const char *el, const unsigned char *p,
			  size_t n)
{
	char *s = b64(p, n);
	xmlNodePtr c = s ? xmlNewChild(parent, ns, BAD_CAST el, BAD_CAST s) : NULL;

	free(s);
	return c;
}

static xmlNodePtr add_alg(xmlNodePtr parent, xmlNsPtr ns, const char *el, const char *alg)
{
	xmlNodePtr c = xmlNewChild(parent, ns, BAD_CAST el, NULL);

	if (c)
		xmlNewProp(c, BAD_CAST "Algorithm", BAD_CAST alg);
	return c;
}

/* An element in its own namespace, declared on it, as WSS4J writes them. */
static xmlNodePtr new_el(xmlDocPtr doc, const char *ns_href, const char *prefix, const char *name,
			 xmlNsPtr *ns)
{
	xmlNodePtr el = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);

	*ns = xmlNewNs(el, BAD_CAST ns_href, BAD_CAST prefix);
	xmlSetNs(el, *ns);
	return el;
}

/* wsse:SecurityTokenReference/wsse:Reference "#id" of ValueType vt
 * (NULL: none) under parent; tt (NULL: none) is its wsse11:TokenType. */
static void add_str(xmlNodePtr parent, xmlNsPtr wsse, const char *id, const char *vt,
		    const char *tt)
{
	xmlNodePtr str = xmlNewChild(parent, wsse, BAD_CAST "SecurityTokenReference", NULL), r;
	char uri[SWN_XENC_ID_BYTES + 1];
	xmlNsPtr wsse11;

	if (tt) {
		wsse11 = xmlNewNs(str, BAD_CAST NS_WSSE11, BAD_CAST "wsse11");
		xmlNewNsProp(str, wsse11, BAD_CAST "TokenType", BAD_CAST tt);
	}
	r = xmlNewChild(str, wsse, BAD_CAST "Reference", NULL);
	snprintf(uri, sizeof uri, "#%s", id);
	xmlNewProp(r, BAD_CAST "URI", BAD_CAST uri);
	if (vt)
		xmlNewProp(r, BAD_CAST "ValueType", BAD_CAST vt);
}

/* The ephemeral X25519 key as DER SubjectPublicKeyInfo (DEREncodedKeyValue). */
static int x25519_spki(const struct wrapped *w, unsigned char **der, int *len)
{
	EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, w->epk, w->epk_len);

	*der = NULL;
	*len = k ? i2d_PUBKEY(k, der) : -1;
	EVP_PKEY_free(k);
	return *len > 0 ? 0 : -1;
}

/* AgreementMethod: HKDF's parameters, the originator's key, the recipient's token. */
static int add_agreement(xmlNodePtr ki, xmlNsPtr xenc, xmlNsPtr ds, xmlNsPtr wsse,
			 enum swn_xenc_profile profile, const struct wrapped *w,
			 const char *token_id)
{
	xmlNodePtr am, kdm, hp, oki, kv, ec;
	xmlNsPtr x11, rfc, d11;
	unsigned char *der;
	int der_len;
	char *s;

	am = add_alg(ki, xenc, "AgreementMethod",
		     profile == SWN_XENC_X25519 ? SWN_ALG_X25519 : SWN_ALG_ECDH_ES);
	kdm = xmlNewChild(am, NULL, BAD_CAST "KeyDerivationMethod", NULL);
	x11 = xmlNewNs(kdm, BAD_CAST SWN_NS_XENC11, BAD_CAST "xenc11");
	xmlSetNs(kdm, x11);
	xmlNewProp(kdm, BAD_CAST "Algorithm", BAD_CAST SWN_ALG_HKDF);
	hp = xmlNewChild(kdm, NULL, BAD_CAST "HKDFParams", NULL);
	rfc = xmlNewNs(hp, BAD_CAST SWN_NS_DSMORE, BAD_CAST "rfc9231");
	xmlSetNs(hp, rfc);
	add_alg(hp, rfc, "PRF", SWN_ALG_HMAC_SHA256);
	add_b64(hp, rfc, "Salt", w->salt, sizeof w->salt);
	xmlNewChild(hp, rfc, BAD_CAST "KeyLength", BAD_CAST "16");
	oki = xmlNewChild(am, xenc, BAD_CAST "OriginatorKeyInfo", NULL);
	if (profile == SWN_XENC_X25519) {
		if (x25519_spki(w, &der, &der_len) < 0)
			return -1;
		s = b64(der, (size_t)der_len);
		OPENSSL_free(der);
		if (s == NULL)
			return -1;
		kv = xmlNewChild(oki, NULL, BAD_CAST "DEREncodedKeyValue", BAD_CAST s);
		free(s);
		xmlSetNs(kv, xmlNewNs(kv, BAD_CAST SWN_NS_DSIG11, BAD_CAST "dsig11"));
	} else {
		kv = xmlNewChild(oki, ds, BAD_CAST "KeyValue", NULL);
		ec = xmlNewChild(kv, NULL, BAD_CAST "ECKeyValue", NULL);
		d11 = xmlNewNs(ec, BAD_CAST SWN_NS_DSIG11, BAD_CAST "dsig11");
		xmlSetNs(ec, d11);
		xmlNewProp(xmlNewChild(ec, d11, BAD_CAST "NamedCurve", NULL), BAD_CAST "URI",
			   BAD_CAST SWN_XENC_P256_OID);
		add_b64(ec, d11, "PublicKey", w->epk, w->epk_len);
	}
	add_str(xmlNewChild(am, xenc, BAD_CAST "RecipientKeyInfo", NULL), wsse, token_id,
		WSS_X509V3, NULL);
	return 0;
}

/* The recipient's certificate as a BinarySecurityToken with wsu:Id id. */
static xmlNodePtr recipient_token(xmlDocPtr doc, xmlNodePtr sec, X509 *cert, const char *id)
{
	xmlNsPtr wsse = xmlSearchNsByHref(doc, sec, BAD_CAST SWN_NS_WSSE);
	xmlNsPtr wsu = xmlSearchNsByHref(doc, sec, BAD_CAST SWN_NS_WSU);
	unsigned char *der = NULL;
	int len = i2d_X509(cert, &der);
	char *s = len > 0 ? b64(der, (size_t)len) : NULL;
	xmlNodePtr bst = s ? xmlNewDocNode(doc, wsse, BAD_CAST "BinarySecurityToken", BAD_CAST s) : NULL;

	OPENSSL_free(der);
	free(s);
	if (bst == NULL)
		return NULL;
	if (wsu == NULL)
		wsu = xmlNewNs(bst, BAD_CAST SWN_NS_WSU, BAD_CAST "wsu");
	xmlNewProp(bst, BAD_CAST "EncodingType", BAD_CAST WSS_BASE64);
	xmlNewProp(bst, BAD_CAST "ValueType", BAD_CAST WSS_X509V3);
	xmlNewNsProp(bst, wsu, BAD_CAST "Id", BAD_CAST id);
	return bst;
}

/* The EncryptedKey: method, KeyInfo (token reference or agreement), the
 * wrapped key, and the ReferenceList of the data ids. */
static xmlNodePtr encrypted_key_el(xmlDocPtr doc, xmlNsPtr wsse, enum swn_xenc_profile profile,
				   const struct wrapped *w, const char *key_id, const char *token_id,
				   char (*data_ids)[SWN_XENC_ID_BYTES], size_t n)
{
	xmlNsPtr xenc, ds;
	xmlNodePtr ek = new_el(doc, SWN_NS_XENC, "xenc", "EncryptedKey", &xenc), em, ki, rl, dr, mgf;
	char uri[SWN_XENC_ID_BYTES + 1];
	size_t i;

	xmlNewProp(ek, BAD_CAST "Id", BAD_CAST key_id);
	if (profile == SWN_XENC_RSA_OAEP) {
		em = add_alg(ek, xenc, "EncryptionMethod", SWN_ALG_RSA_OAEP);
		ds = xmlNewNs(em, BAD_CAST SWN_NS_DS, BAD_CAST "ds");
		add_alg(em, ds, "DigestMethod", SWN_ALG_SHA256);
		mgf = add_alg(em, NULL, "MGF", SWN_ALG_MGF1_SHA256);
		xmlSetNs(mgf, xmlNewNs(mgf, BAD_CAST SWN_NS_XENC11, BAD_CAST "xenc11"));
	} else {
		add_alg(ek, xenc, "EncryptionMethod", SWN_ALG_KW_AES128);
	}
	ki = xmlNewChild(ek, NULL, BAD_CAST "KeyInfo", NULL);
	ds = xmlNewNs(ki, BAD_CAST SWN_NS_DS, BAD_CAST "ds");
	xmlSetNs(ki, ds);
	if (profile == SWN_XENC_RSA_OAEP)
		add_str(ki, wsse, token_id, WSS_X509V3, NULL);
	else if (add_agreement(ki, xenc, ds, wsse, profile, w, token_id) < 0)
		goto fail;
	if (!add_b64(xmlNewChild(ek, xenc, BAD_CAST "CipherData", NULL), xenc, "CipherValue",
		     w->value, w->value_len))
		goto fail;
	rl = xmlNewChild(ek, xenc, BAD_CAST "ReferenceList", NULL);
	for (i = 0; i < n; i++) {
		dr = xmlNewChild(rl, xenc, BAD_CAST "DataReference", NULL);
		snprintf(uri, sizeof uri, "#%s", data_ids[i]);
		xmlNewProp(dr, BAD_CAST "URI", BAD_CAST uri);
	}
	return ek;
fail:
	xmlFreeNode(ek);
	return NULL;
}

/* One EncryptedData: the part's signed type, AES-128-GCM, the key's
 * reference, and the part's cid: with the ciphertext transform. */
static xmlNodePtr encrypted_data_el(xmlDocPtr doc, xmlNsPtr wsse, const struct swn_xenc_part_out *p,
				    const char *id, const char *key_id)
{
	xmlNsPtr xenc, ds;
	xmlNodePtr ed = new_el(doc, SWN_NS_XENC, "xenc", "EncryptedData", &xenc), ki, cr, tr;
	char uri[SWN_MIME_ID_BYTES + 8];

	if (swn_mime_cid_href(p->content_id, uri, sizeof uri) < 0) {
		xmlFreeNode(ed);
		return NULL;
	}
	xmlNewProp(ed, BAD_CAST "Id", BAD_CAST id);
	xmlNewProp(ed, BAD_CAST "MimeType", BAD_CAST p->mime_type);
	xmlNewProp(ed, BAD_CAST "Type", BAD_CAST SWN_XENC_SWA_CONTENT_ONLY);
	add_alg(ed, xenc, "EncryptionMethod", SWN_ALG_AES128_GCM);
	ki = xmlNewChild(ed, NULL, BAD_CAST "KeyInfo", NULL);
	ds = xmlNewNs(ki, BAD_CAST SWN_NS_DS, BAD_CAST "ds");
	xmlSetNs(ki, ds);
	add_str(ki, wsse, key_id, NULL, WSS_EK_TOKEN);
	cr = xmlNewChild(xmlNewChild(ed, xenc, BAD_CAST "CipherData", NULL), xenc,
			 BAD_CAST "CipherReference", NULL);
	xmlNewProp(cr, BAD_CAST "URI", BAD_CAST uri);
	tr = xmlNewChild(xmlNewChild(cr, xenc, BAD_CAST "Transforms", NULL), NULL,
			 BAD_CAST "Transform", NULL);
	xmlSetNs(tr, xmlNewNs(tr, BAD_CAST SWN_NS_DS, BAD_CAST "ds"));
	xmlNewProp(tr, BAD_CAST "Algorithm", BAD_CAST SWN_XENC_SWA_CIPHERTEXT);
	return ed;
}

/* Every part named by one eb:PartInfo href and every PartInfo by a part. */
static int parts_match(const struct swn_as4_msg *m, const struct swn_xenc_part_out *parts,
		       size_t nparts, struct swn_err *err)
{
	xmlNodePtr um, pl, pi;
	char href[SWN_MIME_ID_BYTES + 8], want[SWN_MIME_VALUE_BYTES];
	struct rd r = { "the envelope", err };
	size_t i, n = 0, hits, hit = 0;
	xmlChar *h;

	for (um = m->messaging ? m->messaging->children : NULL; um; um = um->next)
		if (is(um, SWN_NS_EB, "UserMessage"))
			break;
	for (pl = um ? um->children : NULL; pl; pl = pl->next)
		if (is(pl, SWN_NS_EB, "PayloadInfo"))
			break;
	for (pi = pl ? pl->children : NULL; pi; pi = pi->next) {
		if (!is(pi, SWN_NS_EB, "PartInfo"))
			continue;
		n++;
		h = xmlGetProp(pi, BAD_CAST "href");
		for (i = 0, hits = 0; h && i < nparts; i++)
			if (swn_mime_cid_href(parts[i].content_id, href, sizeof href) == 0 &&
			    strcmp(href, (const char *)h) == 0) {
				hits++;
				hit = i;
			}
		xmlFree(h);
		if (hits != 1)
			return swn_err_set(err, SWN_E_AS4, NULL, 0, "eb:PartInfo %zu names no part "
					   "to encrypt, or more than one", n);
		/* the type it is signed and encrypted under is the one its
		 * eb:PartInfo gives, as the reader will hold it to */
		if (signed_type(&r, pi, want, sizeof want) < 0)
			return -1;
		if (parts[hit].mime_type == NULL || !same_media_type(parts[hit].mime_type, want))
			return swn_err_set(err, SWN_E_AS4, parts[hit].content_id, 0,
					   "the part is typed '%s', but its eb:PartInfo says '%s'",
					   parts[hit].mime_type ? parts[hit].mime_type : "(none)", want);
	}
	if (n != nparts)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "%zu parts to encrypt but %zu eb:PartInfo",
				   nparts, n);
	return 0;
}

/* "<prefix><uuid>": a fresh id. */
static void fresh_id(const char *prefix, char out[SWN_XENC_ID_BYTES])
{
	char u[SWN_UUID_BYTES];

	swn_stamp_uuid(u);
	snprintf(out, SWN_XENC_ID_BYTES, "%s%s", prefix, u);
}

int swn_xenc_encrypt_parts(xmlDocPtr doc, const struct swn_as4_msg *m,
			   const struct swn_xenc_part_out *parts, size_t nparts,
			   enum swn_xenc_profile profile, X509 *cert, struct swn_err *err)
{
	unsigned char cek[SWN_AES128_KEY_LEN];
	struct wrapped w;
	char token_id[SWN_XENC_ID_BYTES], key_id[SWN_XENC_ID_BYTES];
	char data_ids[SWN_MAX_PAYLOAD_PARTS][SWN_XENC_ID_BYTES];
	xmlNodePtr made[SWN_MAX_PAYLOAD_PARTS + 2], first;
	xmlNsPtr wsse;
	size_t i, nmade = 0;
	int rc = -1;

	if (m->security == NULL)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "no wsse:Security header to encrypt into");
	if (nparts < 1 || nparts > SWN_MAX_PAYLOAD_PARTS)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "%zu parts: 1 to %d may be encrypted",
				   nparts, SWN_MAX_PAYLOAD_PARTS);
	if (parts_match(m, parts, nparts, err) < 0)
		return -1;
	wsse = xmlSearchNsByHref(doc, m->security, BAD_CAST SWN_NS_WSSE);
	memset(&w, 0, sizeof w);
	if (swn_cipher_new_key(cek, err) < 0)
		return -1;
	if (wrap_key(profile, cert, cek, &w, err) < 0)
		goto out;
	for (i = 0; i < nparts; i++)
		if (encrypt_part(&parts[i], cek, err) < 0)
			goto out;
	fresh_id("G", token_id);
	fresh_id("EK-", key_id);
	for (i = 0; i < nparts; i++)
		fresh_id("ED-", data_ids[i]);
	made[nmade++] = recipient_token(doc, m->security, cert, token_id);
	made[nmade++] = encrypted_key_el(doc, wsse, profile, &w, key_id, token_id, data_ids, nparts);
	for (i = 0; i < nparts; i++)
		made[nmade++] = encrypted_data_el(doc, wsse, &parts[i], data_ids[i], key_id);
	for (i = 0; i < nmade; i++)
		if (made[i] == NULL) {
			swn_err_set(err, SWN_E_AS4, NULL, 0, "cannot write the encryption's elements "
				    "(out of memory, or a Content-ID no cid: URI can name)");
			goto out;
		}
	/* Before the signer's token and signature: phase4's order. */
	first = m->security->children;
	for (i = 0; i < nmade; i++) {
		if (first)
			xmlAddPrevSibling(first, made[i]);
		else
			xmlAddChild(m->security, made[i]);
		made[i] = NULL;
	}
	rc = 0;
out:
	for (i = 0; i < nmade; i++)
		xmlFreeNode(made[i]);
	OPENSSL_cleanse(cek, sizeof cek);
	OPENSSL_cleanse(&w, sizeof w);
	return rc;
}

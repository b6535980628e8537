/* Unit tests: as4/xenc against real messages of an eDelivery gateway.
 * tests/data/phase4/ holds requests captured from phase4 4.4.1 for the
 * three profiles (README there): each is read by the MIME reader, its
 * envelope parsed, every part decrypted with the receiver's test key and
 * compared with the original payload (gunzipped when phase4 compressed
 * it), and then phase4's signature is verified by swnode's own verifier
 * over the decrypted parts.  Then the refusals, each made by changing one
 * thing in a real message. */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <zlib.h>

#include "as4/as4.h"
#include "as4/dsig.h"
#include "as4/mime.h"
#include "as4/wssec.h"
#include "as4/xenc.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "trust/pki.h"
#include "xml/xmlsafe.h"
#include "testlib.h"

static char tmpdir[] = "/tmp/test_xenc.XXXXXX";

/* A profile of the captures: its directory, how its key travels, how
 * phase4 signed. */
struct profile {
	const char *dir;
	enum swn_xenc_profile enc;
	const char *sig_alg;
};

static const struct profile profiles[] = {
	{ "edelivery-2.0", SWN_XENC_X25519, "ed25519" },
	{ "edelivery-2.0-ecdsa", SWN_XENC_ECDH_P256, "ecdsa-sha256" },
	{ "edelivery-1.15", SWN_XENC_RSA_OAEP, "rsa-sha256" },
};

static const char *data_dir(void)
{
	const char *d = getenv("TESTDATA");

	ck_assert_msg(d != NULL, "TESTDATA must name tests/data");
	return d;
}

static char *read_file(const char *path, size_t *len)
{
	struct swn_err err;
	char *data;

	swn_err_clear(&err);
	ck_assert_msg(swn_file_read(path, 1 << 22, &data, len, &err) == 0, "%s: %s", path, err.msg);
	return data;
}

/* A captured HTTP request, its MIME message and parsed envelope.  The
 * body may be edited (the same length) before it is read. */
struct sample {
	char *http;
	size_t http_len;
	char ct[512];
	unsigned char *body;
	size_t body_len;
	struct swn_mime_message mm;
	xmlDocPtr doc;
	struct swn_as4_msg m;
};

static void split_http(struct sample *s)
{
	char *end = strstr(s->http, "\r\n\r\n"), *p;
	size_t n;

	ck_assert_ptr_nonnull(end);
	/* The JDK server wrote "Content-type": field names are case-insensitive. */
	for (p = s->http; p < end; p = strstr(p, "\r\n") + 2)
		if (strncasecmp(p, "Content-Type:", 13) == 0)
			break;
	ck_assert_msg(p < end, "no Content-Type in the request");
	p += 13;
	while (*p == ' ')
		p++;
	n = strcspn(p, "\r");
	ck_assert_uint_lt(n, sizeof s->ct);
	memcpy(s->ct, p, n);
	s->ct[n] = '\0';
	s->body = (unsigned char *)end + 4;
	s->body_len = s->http_len - (size_t)((char *)s->body - s->http);
}

static void load_raw(struct sample *s, const char *profile, int n)
{
	char path[1024];

	memset(s, 0, sizeof *s);
	snprintf(path, sizeof path, "%s/phase4/%s/serve-%03d-request.http", data_dir(), profile, n);
	s->http = read_file(path, &s->http_len);
	split_http(s);
}

/* Read the (possibly edited) body: MIME, then the envelope. */
static void parse(struct sample *s)
{
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_msg(swn_mime_read_mem(s->ct, s->body, s->body_len, "sample", &s->mm, &err) == 0,
		      "%s", err.msg);
	s->doc = swn_xml_parse(s->mm.envelope, s->mm.envelope_len, "envelope", &err);
	ck_assert_msg(s->doc != NULL, "%s", err.msg);
	ck_assert_msg(swn_as4_parse_swa(s->doc, "envelope", &s->m, &err) == 0, "%s", err.msg);
}

static void load(struct sample *s, const char *profile, int n)
{
	load_raw(s, profile, n);
	parse(s);
}

static void sample_free(struct sample *s)
{
	if (s->doc)
		xmlFreeDoc(s->doc);
	swn_mime_message_free(&s->mm);
	free(s->http);
}

/* Replace n bytes at off of the body by to (MIME has no lengths: the
 * delimiters alone end the parts, so any length will do). */
static void splice(struct sample *s, size_t off, size_t n, const char *to)
{
	size_t head = (size_t)((char *)s->body - s->http) + off, tl = strlen(to);
	char *h = malloc(s->http_len - n + tl + 1);

	ck_assert_ptr_nonnull(h);
	memcpy(h, s->http, head);
	memcpy(h + head, to, tl);
	memcpy(h + head + tl, s->http + head + n, s->http_len - head - n);
	s->http_len = s->http_len - n + tl;
	h[s->http_len] = '\0';
	free(s->http);
	s->http = h;
	split_http(s);
}

/* The offset of the k-th (from 0) occurrence of what in the body. */
static size_t find(const struct sample *s, const char *what, int k)
{
	size_t n = strlen(what), i;

	for (i = 0; i + n <= s->body_len; i++)
		if (memcmp(s->body + i, what, n) == 0 && k-- == 0)
			return i;
	ck_abort_msg("'%s' is not in the sample", what);
	return 0;
}

/* Replace the first occurrence of from by to. */
static void edit(struct sample *s, const char *from, const char *to)
{
	splice(s, find(s, from, 0), strlen(from), to);
}

/* Remove the k-th element that begins with open and ends with close. */
static void cut(struct sample *s, const char *open, const char *close, int k)
{
	size_t a = find(s, open, k), b = a, n = strlen(close);

	while (b + n <= s->body_len && memcmp(s->body + b, close, n) != 0)
		b++;
	ck_assert_uint_le(b + n, s->body_len);
	splice(s, a, b + n - a, "");
}

static EVP_PKEY *key(const char *profile, const char *file)
{
	char path[1024];
	struct swn_err err;
	EVP_PKEY *k;

	snprintf(path, sizeof path, "%s/phase4/%s/%s", data_dir(), profile, file);
	swn_err_clear(&err);
	k = swn_key_read(path, &err);
	ck_assert_msg(k != NULL, "%s", err.msg);
	return k;
}

static X509 *cert(const char *profile, const char *file)
{
	char path[1024];
	struct swn_err err;
	X509 *c;

	snprintf(path, sizeof path, "%s/phase4/%s/%s", data_dir(), profile, file);
	swn_err_clear(&err);
	c = swn_cert_read(path, &err);
	ck_assert_msg(c != NULL, "%s", err.msg);
	return c;
}

/* Read and decrypt s with the receiver's key: 0, or -1 with err. */
static int decrypt(struct sample *s, const struct profile *p, EVP_PKEY *priv,
		   struct swn_xenc *x, struct swn_xenc_plaintext *out, struct swn_err *err)
{
	struct swn_xenc_body body = { s->body, s->body_len, -1 };

	swn_err_clear(err);
	memset(out, 0, sizeof *out);
	if (swn_xenc_read(&s->m, &s->mm, p->enc, "sample", x, err) < 0)
		return -1;
	return swn_xenc_decrypt_files(x, &s->mm, &body, priv, tmpdir, out, err);
}

static unsigned char *slurp_fd(int fd, size_t len)
{
	unsigned char *b = malloc(len + 1);

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(pread(fd, b, len, 0), (ssize_t)len);
	return b;
}

static unsigned char *gunzip(const unsigned char *in, size_t n, size_t *out_len)
{
	unsigned char *out = malloc(1 << 20);
	z_stream z;

	ck_assert_ptr_nonnull(out);
	memset(&z, 0, sizeof z);
	ck_assert_int_eq(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = 1 << 20;
	ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	inflateEnd(&z);
	return out;
}

/* The plaintext of a part equals the payload file (gunzipped first when
 * its MimeType says gzip). */
static void expect_payload(const struct swn_xenc_plain *f, const char *payload)
{
	char path[1024];
	size_t want_len, got_len;
	char *want;
	unsigned char *got = slurp_fd(f->fd, f->len), *plain = got;

	snprintf(path, sizeof path, "%s/phase4/%s", data_dir(), payload);
	want = read_file(path, &want_len);
	got_len = (size_t)f->len;
	if (strcmp(f->mime_type, "application/gzip") == 0) {
		ck_assert_uint_ge(got_len, 2);
		ck_assert_int_eq(got[0], 0x1f);
		plain = gunzip(got, got_len, &got_len);
		free(got);
	}
	ck_assert_uint_eq(got_len, want_len);
	ck_assert_int_eq(memcmp(plain, want, want_len), 0);
	free(plain);
	free(want);
}

/* phase4's signature over the decrypted parts, by swnode's verifier: 0 or
 * -1 with err (and rep filled). */
static int verify(struct sample *s, const struct profile *p, struct swn_xenc_plaintext *out,
		  int through_wssec, struct swn_dsig_report *rep, struct swn_err *err)
{
	struct swn_dsig_part parts[SWN_MAX_PAYLOAD_PARTS];
	struct swn_dsig_target targets[2] = {
		{ "eb:Messaging", s->m.messaging }, { "soap:Body", s->m.body },
	};
	struct swn_wssec_report wrep;
	X509 *c = cert(p->dir, "a-sign.crt");
	xmlNodePtr sig;
	int rc;

	swn_err_clear(err);
	swn_xenc_dsig_parts(out, parts);
	if (through_wssec) {
		rc = swn_wssec_verify_parts(s->doc, &s->m, parts, (int)out->nparts, c, NULL, &wrep,
					    err);
		*rep = wrep.sig;
	} else {
		ck_assert_int_eq(swn_wssec_register_ids(s->doc, "sample", err), 0);
		for (sig = s->m.security->children; sig; sig = sig->next)
			if (sig->type == XML_ELEMENT_NODE && xmlStrEqual(sig->name, BAD_CAST "Signature"))
				break;
		ck_assert_ptr_nonnull(sig);
		rc = swn_dsig_verify_parts(s->doc, sig, targets, 2, parts, (int)out->nparts,
					   X509_get0_pubkey(c), p->sig_alg, 1, rep, "sample", err);
	}
	X509_free(c);
	return rc;
}

static int buf_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	return swn_buf_add(arg, p, n, err);
}

static const char *payload_of(int sample, size_t part)
{
	return sample == 4 || (sample == 2 && part == 2) ? "payload-2.txt" : "payload-1.xml";
}

/* ---- every capture decrypts, and its signature verifies ---- */

static void decrypt_and_verify(const struct profile *p, int n)
{
	struct sample s;
	struct swn_xenc x;
	struct swn_xenc_plaintext out;
	struct swn_dsig_report rep;
	struct swn_err err;
	EVP_PKEY *priv = key(p->dir, "b-enc.key");
	size_t i;
	int through_wssec;

	load(&s, p->dir, n);
	ck_assert_msg(decrypt(&s, p, priv, &x, &out, &err) == 0, "%s %03d: %s", p->dir, n, err.msg);
	ck_assert_uint_eq(out.nparts, n == 2 ? 2 : 1);
	ck_assert_int_eq(swn_xenc_all_encrypted(&x, &s.mm), 1);
	for (i = 0; i < out.nparts; i++)
		expect_payload(&out.parts[i], payload_of(n, x.data[i].part));
	/* as the node verifies (WS-Security), and with dsig alone: both agree */
	for (through_wssec = 1; through_wssec >= 0; through_wssec--) {
		ck_assert_msg(verify(&s, p, &out, through_wssec, &rep, &err) == 0,
			      "%s %03d: phase4's signature does not verify%s: %s", p->dir, n,
			      through_wssec ? "" : " with dsig alone", err.msg);
		ck_assert_int_eq(rep.signature_ok, 1);
		ck_assert_int_eq(rep.nrefs, 2 + (int)out.nparts);
	}
	swn_xenc_plaintext_free(&out);
	sample_free(&s);
	EVP_PKEY_free(priv);
}

START_TEST(edelivery_2_0)
{
	decrypt_and_verify(&profiles[0], _i + 1);
}
END_TEST

START_TEST(edelivery_2_0_ecdsa)
{
	decrypt_and_verify(&profiles[1], _i + 1);
}
END_TEST

START_TEST(edelivery_1_15)
{
	decrypt_and_verify(&profiles[2], _i + 1);
}
END_TEST

/* swn_wssec_verify_parts takes Ed25519 for a message with parts (dsig
 * decides alone: libxmlsec1 1.2.37 has no EdDSA), and the body form still
 * does not: the same certificate verifies nothing there. */
START_TEST(wssec_takes_ed25519_with_parts)
{
	struct sample s;
	struct swn_xenc x;
	struct swn_xenc_plaintext out;
	struct swn_dsig_report rep;
	struct swn_err err;
	EVP_PKEY *priv = key(profiles[0].dir, "b-enc.key");

	load(&s, profiles[0].dir, 3);
	ck_assert_msg(decrypt(&s, &profiles[0], priv, &x, &out, &err) == 0, "%s", err.msg);
	ck_assert_msg(verify(&s, &profiles[0], &out, 1, &rep, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(rep.sig_alg, "ed25519");
	{
		X509 *c = cert(profiles[0].dir, "a-sign.crt");

		swn_err_clear(&err);
		ck_assert_int_eq(swn_wssec_verify(s.doc, &s.m, c, NULL, NULL, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "cannot verify AS4 signatures"));
		X509_free(c);
	}
	swn_xenc_plaintext_free(&out);
	sample_free(&s);
	EVP_PKEY_free(priv);
}
END_TEST

/* ---- refusals, each a real message with one thing changed ---- */

/* Parse s as edited, read and decrypt it as profile p with key_file: it
 * must be refused with a reason holding why, and nothing released. */
static void expect_refused(struct sample *s, const struct profile *p, enum swn_xenc_profile enc,
			   const char *key_file, const char *why)
{
	struct profile q = *p;
	struct swn_xenc x;
	struct swn_xenc_plaintext out;
	struct swn_err err;
	EVP_PKEY *priv = key(p->dir, key_file);

	q.enc = enc;
	parse(s);
	ck_assert_msg(decrypt(s, &q, priv, &x, &out, &err) == -1, "%s: accepted, not '%s'", p->dir, why);
	if (getenv("XENC_SHOW"))
		fprintf(stderr, "refused: %s\n", err.msg);
	ck_assert_msg(strstr(err.msg, why) != NULL, "%s: refused with '%s', not '%s'", p->dir,
		      err.msg, why);
	ck_assert_uint_eq(out.nparts, 0);
	EVP_PKEY_free(priv);
	sample_free(s);
}

/* Load sample n of profile i, replace from by to, expect the refusal. */
static void refused_edit(int i, int n, const char *from, const char *to, const char *why)
{
	struct sample s;

	load_raw(&s, profiles[i].dir, n);
	edit(&s, from, to);
	expect_refused(&s, &profiles[i], profiles[i].enc, "b-enc.key", why);
}

START_TEST(wrong_private_key)
{
	struct sample s;
	const char *why[3] = { "unwrap", "unwrap", "" };

	load_raw(&s, profiles[_i].dir, 3);
	expect_refused(&s, &profiles[_i], profiles[_i].enc, "a-enc.key", why[_i]);
}
END_TEST

/* A byte of the second part's ciphertext flipped: its tag fails, and the
 * first part, which did decrypt, is not released either. */
START_TEST(flipped_ciphertext_byte)
{
	struct sample s;
	struct swn_xenc x;
	struct swn_xenc_plaintext out;
	struct swn_err err;
	EVP_PKEY *priv = key(profiles[_i].dir, "b-enc.key");
	const struct swn_mime_part *pt;

	load(&s, profiles[_i].dir, 2);
	pt = &s.mm.parts[2];
	s.body[pt->offset + pt->length / 2] ^= 0x01;
	ck_assert_int_eq(decrypt(&s, &profiles[_i], priv, &x, &out, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_CRYPTO);
	ck_assert_uint_eq(out.nparts, 0);
	/* The last byte of the tag, through the caller's own sink. */
	s.body[pt->offset + pt->length / 2] ^= 0x01;
	s.body[s.mm.parts[1].offset + s.mm.parts[1].length - 1] ^= 0x80;
	{
		struct swn_xenc_body body = { s.body, s.body_len, -1 };
		unsigned char cek[SWN_AES128_KEY_LEN];
		struct swn_buf b;
		size_t i;

		swn_err_clear(&err);
		ck_assert_int_eq(swn_xenc_read(&s.m, &s.mm, profiles[_i].enc, "sample", &x, &err), 0);
		ck_assert_int_eq(swn_xenc_content_key(&x, priv, cek, &err), 0);
		for (i = 0; i < x.ndata; i++) {
			swn_buf_init(&b, 1 << 20);
			ck_assert_int_eq(swn_xenc_decrypt_part_unverified(&x, i, &s.mm, &body, cek, buf_sink, &b,
							       &err), x.data[i].part == 1 ? -1 : 0);
			swn_buf_free(&b);
		}
	}
	sample_free(&s);
	EVP_PKEY_free(priv);
}
END_TEST

START_TEST(unknown_algorithms)
{
	int i;

	for (i = 0; i < 3; i++) {
		refused_edit(i, 3, "xmlenc11#aes128-gcm", "xmlenc11#aes256-gcm", "content encryption");
		refused_edit(i, 3, "#Attachment-Ciphertext-Transform", "#Attachment-Content-Only",
			     "CipherReference Transform");
		refused_edit(i, 3, "Type=\"http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1"
			     "#Attachment-Content-Only\"", "Type=\"http://www.w3.org/2001/04/xmlenc#Content\"",
			     "EncryptedData Type");
	}
	for (i = 0; i < 2; i++) {
		refused_edit(i, 3, "xmlenc#kw-aes128", "xmlenc#kw-aes256", "key wrap");
		refused_edit(i, 3, "xmldsig-more#hkdf", "xmlenc11#ConcatKDF", "KeyDerivationMethod");
		refused_edit(i, 3, "xmldsig-more#hmac-sha256", "xmldsig#hmac-sha1", "HKDF PRF");
	}
	refused_edit(0, 3, "xmldsig-more#x25519", "xmlenc11#ECDH-ES", "AgreementMethod");
	refused_edit(1, 3, "xmlenc11#ECDH-ES", "xmldsig-more#x25519", "AgreementMethod");
	refused_edit(1, 3, "urn:oid:1.2.840.10045.3.1.7", "urn:oid:1.3.132.0.34", "NamedCurve");
	refused_edit(2, 3, "xmlenc11#rsa-oaep", "xmlenc#rsa-oaep-mgf1p", "key transport");
	refused_edit(2, 3, "<xenc:CipherValue>", "<xenc:CipherValue>A=AA", "not base64");
	refused_edit(2, 3, "<xenc:CipherValue>", "<xenc:CipherValue>A", "not base64");
}
END_TEST

/* The EncryptedData's MimeType is not signed: it must agree with the
 * signed eb:PartInfo, and the type handed on is the signed one.  Without
 * this an edited attribute alone relabelled a part, and the signature
 * (whose transform reads the type) still verified. */
START_TEST(part_type_from_the_signed_header)
{
	int i;

	for (i = 0; i < 3; i++) {
		refused_edit(i, 1, "MimeType=\"application/gzip\"", "MimeType=\"application/pdf\"",
			     "but the signed eb:PartInfo says 'application/gzip'");
		refused_edit(i, 4, "MimeType=\"text/plain\"",
			     "MimeType=\"text/plain&#13;&#10;Content-Disposition: attachment\"",
			     "but the signed eb:PartInfo says 'text/plain'");
		refused_edit(i, 3, "<eb:Property name=\"MimeType\">", "<eb:Property name=\"Type\">",
			     "has no MimeType property");
		refused_edit(i, 3, "</eb:PayloadInfo>",
			     "</eb:PayloadInfo><eb:PayloadInfo></eb:PayloadInfo>",
			     "more than one eb:PayloadInfo");
	}
}
END_TEST

/* A message made for one profile, read by a receiver expecting another. */
START_TEST(another_profile)
{
	struct sample s;

	load_raw(&s, profiles[0].dir, 3);
	expect_refused(&s, &profiles[0], SWN_XENC_RSA_OAEP, "b-enc.key", "key transport");
	load_raw(&s, profiles[2].dir, 3);
	expect_refused(&s, &profiles[2], SWN_XENC_X25519, "b-enc.key", "key wrap");
	load_raw(&s, profiles[0].dir, 3);
	expect_refused(&s, &profiles[0], SWN_XENC_ECDH_P256, "b-enc.key", "AgreementMethod");
}
END_TEST

START_TEST(rsa_oaep_with_sha1)
{
	struct sample s;

	refused_edit(2, 1, "xmlenc11#mgf1sha256", "xmlenc11#mgf1sha1", "RSA-OAEP MGF");
	refused_edit(2, 1, "rsa-oaep\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"",
		     "rsa-oaep\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"",
		     "RSA-OAEP DigestMethod");
	/* Absent, MGF means MGF1 with SHA-1. */
	load_raw(&s, profiles[2].dir, 1);
	cut(&s, "<xenc11:MGF", "/>", 0);
	expect_refused(&s, &profiles[2], SWN_XENC_RSA_OAEP, "b-enc.key", "given explicitly");
	refused_edit(2, 1, "<xenc11:MGF", "<xenc:OAEPparams>AAAA</xenc:OAEPparams><xenc11:MGF",
		     "may hold only one DigestMethod and one MGF");
}
END_TEST

START_TEST(key_length_not_16)
{
	int i;

	for (i = 0; i < 2; i++) {
		refused_edit(i, 3, "KeyLength>16<", "KeyLength>128<", "KeyLength must be 16");
		refused_edit(i, 3, "KeyLength>16<", "KeyLength>32<", "KeyLength must be 16");
		refused_edit(i, 3, "KeyLength>16<", "KeyLength>16 bytes<", "KeyLength must be 16");
	}
}
END_TEST

/* The ephemeral X25519 key replaced by a point of low order (u = 0 and
 * u = 1), as a DER SubjectPublicKeyInfo: the shared secret is all zeros. */
START_TEST(low_order_x25519_key)
{
	static const unsigned char spki_head[12] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
						     0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00 };
	static const char open[] = "<dsig11:DEREncodedKeyValue xmlns:dsig11=\"http://www.w3.org/2009/xmldsig11#\">";
	unsigned char der[44], b64[64];
	struct sample s;
	size_t a, b;
	int u;

	for (u = 0; u <= 1; u++) {
		memcpy(der, spki_head, sizeof spki_head);
		memset(der + 12, 0, 32);
		der[12] = (unsigned char)u;
		ck_assert_int_eq(EVP_EncodeBlock(b64, der, sizeof der), 60);
		load_raw(&s, profiles[0].dir, 3);
		a = find(&s, open, 0) + strlen(open);
		b = find(&s, "</dsig11:DEREncodedKeyValue>", 0);
		splice(&s, a, b - a, (const char *)b64);
		expect_refused(&s, &profiles[0], SWN_XENC_X25519, "b-enc.key", "zero");
	}
	/* Not an X25519 key at all: a P-256 key where X25519 is expected. */
	refused_edit(0, 3, "MCowBQYDK2VuAyEA", "MCowBQYDK2VwAyEA", "X25519");
}
END_TEST

/* An EncryptedData whose cid: names no part, two for one part, a part
 * left unencrypted, an EncryptedData with no EncryptedKey. */
START_TEST(parts_and_references)
{
	struct sample s;
	char from[400], to[400], id[128];
	size_t a, n;

	refused_edit(0, 3, "CipherReference URI=\"cid:phase4-att-", "CipherReference URI=\"cid:phase5-att-",
		     "names no part");
	/* The second part's EncryptedData pointed at the first part. */
	load(&s, profiles[0].dir, 2);
	snprintf(from, sizeof from, "URI=\"cid:%s\"><xenc:Transforms>", s.mm.parts[2].content_id);
	snprintf(to, sizeof to, "URI=\"cid:%s\"><xenc:Transforms>", s.mm.parts[1].content_id);
	xmlFreeDoc(s.doc);
	s.doc = NULL;
	swn_mime_message_free(&s.mm);
	edit(&s, from, to);
	expect_refused(&s, &profiles[0], SWN_XENC_X25519, "b-enc.key", "encrypted twice");
	/* The second EncryptedData and its DataReference removed. */
	load_raw(&s, profiles[0].dir, 2);
	a = find(&s, "<xenc:EncryptedData Id=\"", 1) + strlen("<xenc:EncryptedData Id=\"");
	n = strcspn((const char *)s.body + a, "\"");
	ck_assert_uint_lt(n, sizeof id);
	memcpy(id, s.body + a, n);
	id[n] = '\0';
	cut(&s, "<xenc:EncryptedData ", "</xenc:EncryptedData>", 1);
	snprintf(from, sizeof from, "<xenc:DataReference URI=\"#%s\"/>", id);
	edit(&s, from, "");
	expect_refused(&s, &profiles[0], SWN_XENC_X25519, "b-enc.key", "is not encrypted");
	/* The DataReference alone removed. */
	load_raw(&s, profiles[0].dir, 2);
	edit(&s, from, "");
	expect_refused(&s, &profiles[0], SWN_XENC_X25519, "b-enc.key", "ReferenceList names 1");
	/* No EncryptedKey. */
	load_raw(&s, profiles[2].dir, 3);
	cut(&s, "<xenc:EncryptedKey ", "</xenc:EncryptedKey>", 0);
	expect_refused(&s, &profiles[2], SWN_XENC_RSA_OAEP, "b-enc.key", "without an EncryptedKey");
}
END_TEST

/* The EncryptedKey's Id carried by a second element: refused, so that no
 * other reader can resolve the reference elsewhere. */
START_TEST(id_twice)
{
	struct sample s;
	char id[128], to[200];
	size_t a, n;

	load_raw(&s, profiles[1].dir, 3);
	a = find(&s, "<xenc:EncryptedKey ", 0);
	a = find(&s, " Id=\"EK-", 0) + 5;
	n = strcspn((const char *)s.body + a, "\"");
	ck_assert_uint_lt(n, sizeof id);
	memcpy(id, s.body + a, n);
	id[n] = '\0';
	snprintf(to, sizeof to, "wsu:Id=\"%s\" x=\"id-", id);
	edit(&s, "wsu:Id=\"id-", to);
	expect_refused(&s, &profiles[1], SWN_XENC_ECDH_P256, "b-enc.key", "carried by 2 elements");
}
END_TEST

/* A message with nothing encrypted reads as such: the caller decides. */
START_TEST(not_encrypted)
{
	struct sample s;
	struct swn_xenc x;
	struct swn_err err;
	unsigned char cek[SWN_AES128_KEY_LEN];
	EVP_PKEY *priv = key(profiles[0].dir, "b-enc.key");

	load_raw(&s, profiles[0].dir, 3);
	cut(&s, "<xenc:EncryptedKey ", "</xenc:EncryptedKey>", 0);
	cut(&s, "<xenc:EncryptedData ", "</xenc:EncryptedData>", 0);
	parse(&s);
	swn_err_clear(&err);
	ck_assert_msg(swn_xenc_read(&s.m, &s.mm, SWN_XENC_X25519, "sample", &x, &err) == 0, "%s",
		      err.msg);
	ck_assert_uint_eq(x.ndata, 0);
	ck_assert_int_eq(swn_xenc_all_encrypted(&x, &s.mm), 0);
	ck_assert_int_eq(swn_xenc_content_key(&x, priv, cek, &err), -1);
	sample_free(&s);
	EVP_PKEY_free(priv);
}
END_TEST

/* The body in a file, read through a descriptor, as a spooled message is. */
START_TEST(body_in_a_file)
{
	struct sample s;
	struct swn_xenc x;
	struct swn_xenc_plaintext out;
	struct swn_err err;
	char path[256];
	EVP_PKEY *priv = key(profiles[0].dir, "b-enc.key");
	struct swn_mime_message mm;
	struct swn_xenc_body body;
	xmlDocPtr doc;
	struct swn_as4_msg m;
	int fd;
	size_t i;

	load_raw(&s, profiles[0].dir, 2);
	snprintf(path, sizeof path, "%s/body", tmpdir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, s.body, s.body_len), (ssize_t)s.body_len);
	swn_err_clear(&err);
	ck_assert_msg(swn_mime_read_fd(s.ct, fd, path, &mm, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(doc = swn_xml_parse(mm.envelope, mm.envelope_len, "envelope", &err));
	ck_assert_int_eq(swn_as4_parse_swa(doc, "envelope", &m, &err), 0);
	ck_assert_int_eq(swn_xenc_read(&m, &mm, SWN_XENC_X25519, path, &x, &err), 0);
	body.mem = NULL;
	body.len = 0;
	body.fd = fd;
	ck_assert_msg(swn_xenc_decrypt_files(&x, &mm, &body, priv, tmpdir, &out, &err) == 0, "%s",
		      err.msg);
	ck_assert_uint_eq(out.nparts, 2);
	for (i = 0; i < out.nparts; i++)
		expect_payload(&out.parts[i], payload_of(2, x.data[i].part));
	swn_xenc_plaintext_free(&out);
	xmlFreeDoc(doc);
	swn_mime_message_free(&mm);
	close(fd);
	unlink(path);
	sample_free(&s);
	EVP_PKEY_free(priv);
}
END_TEST

/* ---- the writer: compose, MIME-write, read back ---- */

/* A fresh key: "RSA" (2048), "EC" (P-256) or "X25519". */
static EVP_PKEY *fresh_key(const char *type)
{
	EVP_PKEY *k;

	if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else if (strcmp(type, "EC") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, type);
	ck_assert_ptr_nonnull(k);
	return k;
}

/* A certificate for pub issued by issuer (an X25519 key cannot sign its
 * own, as in make-keys.sh). */
static X509 *fresh_cert(EVP_PKEY *pub, EVP_PKEY *issuer, const char *cn)
{
	X509 *c = X509_new();
	X509_NAME *name;

	ck_assert_ptr_nonnull(c);
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
	X509_gmtime_adj(X509_getm_notBefore(c), 0);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400);
	ck_assert_int_eq(X509_set_pubkey(c, pub), 1);
	name = X509_get_subject_name(c);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(c, name);
	ck_assert_int_gt(X509_sign(c, issuer, EVP_PKEY_get_base_id(issuer) == EVP_PKEY_ED25519 ?
					 NULL : EVP_sha256()), 0);
	return c;
}

/* The signer of a fresh key and certificate, through files as a node loads it. */
static struct swn_signer *fresh_signer(EVP_PKEY *k, X509 *c)
{
	char kp[256], cp[256];
	struct swn_signer *s;
	struct swn_err err;
	FILE *f;

	snprintf(kp, sizeof kp, "%s/sign.key", tmpdir);
	snprintf(cp, sizeof cp, "%s/sign.crt", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(kp, "w"));
	ck_assert_int_eq(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(cp, "w"));
	ck_assert_int_eq(PEM_write_X509(f, c), 1);
	fclose(f);
	swn_err_clear(&err);
	ck_assert_msg(swn_signer_load_swa(kp, cp, &s, &err) == 0, "%s", err.msg);
	unlink(kp);
	unlink(cp);
	return s;
}

static int temp_fd(void)
{
	char path[256];
	int fd;

	snprintf(path, sizeof path, "%s/w.XXXXXX", tmpdir);
	ck_assert_int_ge(fd = mkstemp(path), 0);
	unlink(path);
	return fd;
}

/* One profile's keys: the sender's signing key, the recipient's
 * encryption key and certificate. */
struct keys {
	EVP_PKEY *sign, *enc;
	X509 *sign_cert, *enc_cert;
	struct swn_signer *signer;
};

static void make_keys(enum swn_xenc_profile profile, struct keys *k)
{
	/* Each profile's signature: Ed25519 with X25519 (eDelivery 2.0). */
	const char *sign_type = profile == SWN_XENC_RSA_OAEP ? "RSA" :
				profile == SWN_XENC_X25519 ? "ED25519" : "EC";
	const char *enc_type = profile == SWN_XENC_RSA_OAEP ? "RSA" :
			       profile == SWN_XENC_X25519 ? "X25519" : "EC";

	k->sign = fresh_key(sign_type);
	k->sign_cert = fresh_cert(k->sign, k->sign, "sender sign");
	k->enc = fresh_key(enc_type);
	k->enc_cert = fresh_cert(k->enc, k->sign, "recipient enc");
	k->signer = fresh_signer(k->sign, k->sign_cert);
}

static void free_keys(struct keys *k)
{
	swn_signer_free(k->signer);
	X509_free(k->sign_cert);
	X509_free(k->enc_cert);
	EVP_PKEY_free(k->sign);
	EVP_PKEY_free(k->enc);
}

/* A composed message: the MIME body in a file and its Content-Type. */
struct composed {
	int fd;
	char ct[512];
	char *xml[2];        /* the plaintexts, for comparison */
	size_t xml_len[2];
};

static void fill_user(struct swn_as4_user *u)
{
	memset(u, 0, sizeof *u);
	swn_as4_new_id("test.swnode", u->message_id, sizeof u->message_id);
	strcpy(u->timestamp, "2026-12-05T07:00:00.000Z");
	strcpy(u->conversation_id, "conv-1");
	strcpy(u->agreement_ref, "urn:as4:agreement");
	strcpy(u->service, "urn:test:service");
	strcpy(u->action, "urn:test:action");
	strcpy(u->from.id, "a");
	strcpy(u->from.role, "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/initiator");
	strcpy(u->to.id, "b");
	strcpy(u->to.role, "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/responder");
}

/* Compose the two test payloads (payload-1.xml as application/xml from
 * memory, payload-2.txt as text/plain from a file) as eDelivery AS4 does:
 * envelope, sign, encrypt, MIME-write. */
static void compose(enum swn_xenc_profile profile, const struct keys *k, struct composed *c)
{
	struct swn_as4_partinfo pi[2] = {
		{ "p1-writer@test.swnode", "application/xml", 0 },
		{ "p2-writer@test.swnode", "text/plain", 0 },
	};
	struct swn_xenc_part_out parts[2];
	struct swn_dsig_part sign[2];
	struct swn_mime_payload mp[2];
	struct swn_mime_out out;
	struct swn_as4_user u;
	struct swn_as4_msg m;
	struct swn_err err;
	xmlDocPtr doc;
	xmlChar *env = NULL;
	int env_len = 0, in_fd, i;
	char path[1024];

	fill_user(&u);
	swn_err_clear(&err);
	ck_assert_ptr_nonnull(doc = swn_as4_build_user_swa(&u, pi, 2, &err));
	ck_assert_msg(swn_as4_parse_swa(doc, "built", &m, &err) == 0, "%s", err.msg);

	snprintf(path, sizeof path, "%s/phase4/payload-1.xml", data_dir());
	c->xml[0] = read_file(path, &c->xml_len[0]);
	snprintf(path, sizeof path, "%s/phase4/payload-2.txt", data_dir());
	c->xml[1] = read_file(path, &c->xml_len[1]);
	ck_assert_int_ge(in_fd = open(path, O_RDONLY), 0);
	memset(parts, 0, sizeof parts);
	for (i = 0; i < 2; i++) {
		parts[i].content_id = pi[i].content_id;
		parts[i].mime_type = pi[i].mime_type;
		parts[i].out_fd = temp_fd();
	}
	parts[0].data = c->xml[0];
	parts[0].len = c->xml_len[0];
	parts[0].fd = -1;
	parts[1].fd = in_fd;

	swn_xenc_sign_view(parts, 2, sign);
	ck_assert_msg(swn_wssec_sign_parts(doc, &m, sign, 2, k->signer, &err) == 0, "%s", err.msg);
	ck_assert_msg(swn_xenc_encrypt_parts(doc, &m, parts, 2, profile, k->enc_cert, &err) == 0,
		      "%s", err.msg);

	xmlDocDumpMemoryEnc(doc, &env, &env_len, "UTF-8");
	memset(&out, 0, sizeof out);
	out.envelope = (const char *)env;
	out.envelope_len = (size_t)env_len;
	for (i = 0; i < 2; i++)
		mp[i] = (struct swn_mime_payload){ pi[i].content_id, "application/octet-stream",
						   NULL, 0, parts[i].out_fd };
	out.payloads = mp;
	out.npayloads = 2;
	c->fd = temp_fd();
	ck_assert_msg(swn_mime_write_fd(&out, c->fd, c->ct, sizeof c->ct, &err) == 0, "%s", err.msg);
	for (i = 0; i < 2; i++)
		close(parts[i].out_fd);
	close(in_fd);
	xmlFree(env);
	xmlFreeDoc(doc);
}

static void composed_free(struct composed *c)
{
	close(c->fd);
	free(c->xml[0]);
	free(c->xml[1]);
}

/* The structure of wsse:Security's encryption (its children before the
 * signer's token): each element's namespace and name, with the algorithm,
 * type and token attributes, and the form of each reference (#, cid:). */
static void put(struct swn_buf *b, const char *s)
{
	struct swn_err err;

	ck_assert_int_eq(swn_buf_add(b, s, strlen(s) + (*s == '\0'), &err), 0);
}

static void shape(xmlNodePtr n, int depth, struct swn_buf *b)
{
	static const char *const attrs[] = { "Algorithm", "Type", "ValueType", "EncodingType",
					     "TokenType", NULL };
	char line[1024];
	xmlChar *v;
	int i;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		snprintf(line, sizeof line, "%d {%s}%s", depth, n->ns ? (const char *)n->ns->href : "",
			 (const char *)n->name);
		put(b, line);
		for (i = 0; attrs[i]; i++) {
			v = xmlGetProp(n, BAD_CAST attrs[i]);
			if (!v)
				v = xmlGetNsProp(n, BAD_CAST attrs[i], BAD_CAST
						 "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd");
			if (v) {
				snprintf(line, sizeof line, " %s=%s", attrs[i], (const char *)v);
				put(b, line);
			}
			xmlFree(v);
		}
		if ((v = xmlGetProp(n, BAD_CAST "URI"))) {
			snprintf(line, sizeof line, " URI=%s", v[0] == '#' ? "#" :
				 strncmp((const char *)v, "cid:", 4) == 0 ? "cid:" : (const char *)v);
			put(b, line);
			xmlFree(v);
		}
		put(b, "\n");
		shape(n->children, depth + 1, b);
	}
}

static char *security_shape(const struct swn_as4_msg *m)
{
	struct swn_buf b;
	xmlNodePtr n, second = NULL;
	int tokens = 0;

	swn_buf_init(&b, 1 << 20);
	/* Up to the second token (the signer's): the encryption's elements. */
	for (n = m->security->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "BinarySecurityToken") &&
		    ++tokens == 2) {
			second = n;
			break;
		}
	ck_assert_ptr_nonnull(second);
	for (n = m->security->children; n != second; n = n->next) {
		xmlNodePtr next = n->next;

		n->next = NULL;   /* one sibling at a time */
		shape(n, 0, &b);
		n->next = next;
	}
	put(&b, "");
	return (char *)b.data;
}

static const char *const writer_capture[3] = { "edelivery-2.0", "edelivery-2.0-ecdsa",
					       "edelivery-1.15" };
static const enum swn_xenc_profile writer_profile[3] = { SWN_XENC_X25519, SWN_XENC_ECDH_P256,
							 SWN_XENC_RSA_OAEP };

/* Each profile: composed, written, read back by the module's own reader,
 * decrypted to the input, the signature verified; and wsse:Security
 * shaped as phase4's capture of the same profile (two parts, no gzip). */
START_TEST(writer_round_trip)
{
	enum swn_xenc_profile profile = writer_profile[_i];
	struct keys k;
	struct composed c;
	struct swn_mime_message mm;
	struct swn_as4_msg m;
	struct swn_xenc x;
	struct swn_xenc_plaintext out;
	struct swn_xenc_body body = { NULL, 0, -1 };
	struct swn_dsig_part dp[SWN_MAX_PAYLOAD_PARTS];
	struct swn_wssec_report rep;
	struct swn_err err;
	struct sample s;
	xmlDocPtr doc;
	char *ours, *theirs;
	size_t i;

	make_keys(profile, &k);
	compose(profile, &k, &c);
	swn_err_clear(&err);
	ck_assert_msg(swn_mime_read_fd(c.ct, c.fd, "composed", &mm, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(mm.nparts, 3);
	ck_assert_str_eq(mm.parts[1].media_type, "application/octet-stream");
	ck_assert_ptr_nonnull(doc = swn_xml_parse(mm.envelope, mm.envelope_len, "envelope", &err));
	ck_assert_msg(swn_as4_parse_swa(doc, "envelope", &m, &err) == 0, "%s", err.msg);
	ck_assert_msg(swn_xenc_read(&m, &mm, profile, "composed", &x, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(swn_xenc_all_encrypted(&x, &mm), 1);
	if (profile != SWN_XENC_RSA_OAEP)
		ck_assert_uint_eq(x.salt_len, 16);
	ck_assert_uint_eq(x.info_len, 0);
	body.fd = c.fd;
	ck_assert_msg(swn_xenc_decrypt_files(&x, &mm, &body, k.enc, tmpdir, &out, &err) == 0, "%s",
		      err.msg);
	ck_assert_uint_eq(out.nparts, 2);
	for (i = 0; i < 2; i++) {
		unsigned char *got = slurp_fd(out.parts[i].fd, (size_t)out.parts[i].len);
		size_t want = x.data[i].part - 1;

		ck_assert_uint_eq(out.parts[i].len, c.xml_len[want]);
		ck_assert_int_eq(memcmp(got, c.xml[want], c.xml_len[want]), 0);
		free(got);
	}
	swn_xenc_dsig_parts(&out, dp);
	ck_assert_msg(swn_wssec_verify_parts(doc, &m, dp, 2, k.sign_cert, NULL, &rep, &err) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(rep.sig.nrefs, 4);

	/* The same elements, order and algorithms as phase4 writes. */
	load(&s, writer_capture[_i], 2);
	ours = security_shape(&m);
	theirs = security_shape(&s.m);
	ck_assert_msg(strcmp(ours, theirs) == 0, "ours:\n%s\nphase4's:\n%s", ours, theirs);
	ck_assert_ptr_nonnull(strstr(ours, "0 {" SWN_NS_XENC "}EncryptedKey"));
	ck_assert_ptr_nonnull(strstr(ours, profile == SWN_XENC_RSA_OAEP ? SWN_ALG_MGF1_SHA256
						: "}HKDFParams"));
	if (getenv("XENC_SHOW"))
		fprintf(stderr, "%s", ours);
	free(ours);
	free(theirs);
	sample_free(&s);

	swn_xenc_plaintext_free(&out);
	xmlFreeDoc(doc);
	swn_mime_message_free(&mm);
	composed_free(&c);
	free_keys(&k);
}
END_TEST

/* Two messages to the same recipient share no key, salt, ephemeral key or
 * IV: everything is drawn afresh per message. */
START_TEST(writer_fresh_per_message)
{
	enum swn_xenc_profile profile = writer_profile[_i];
	struct keys k;
	struct composed c[2];
	struct swn_mime_message mm[2];
	struct swn_as4_msg m[2];
	struct swn_xenc x[2];
	struct swn_err err;
	xmlDocPtr doc[2];
	unsigned char iv[2][SWN_GCM_IV_LEN];
	int j;

	make_keys(profile, &k);
	swn_err_clear(&err);
	for (j = 0; j < 2; j++) {
		compose(profile, &k, &c[j]);
		ck_assert_int_eq(swn_mime_read_fd(c[j].ct, c[j].fd, "composed", &mm[j], &err), 0);
		ck_assert_ptr_nonnull(doc[j] = swn_xml_parse(mm[j].envelope, mm[j].envelope_len, "e", &err));
		ck_assert_int_eq(swn_as4_parse_swa(doc[j], "e", &m[j], &err), 0);
		ck_assert_int_eq(swn_xenc_read(&m[j], &mm[j], profile, "e", &x[j], &err), 0);
		ck_assert_int_eq(pread(c[j].fd, iv[j], SWN_GCM_IV_LEN, (off_t)mm[j].parts[1].offset),
				 SWN_GCM_IV_LEN);
	}
	ck_assert_int_ne(memcmp(x[0].cipher_value, x[1].cipher_value, x[0].cipher_len), 0);
	ck_assert_int_ne(memcmp(iv[0], iv[1], sizeof iv[0]), 0);
	if (profile != SWN_XENC_RSA_OAEP) {
		ck_assert_int_ne(memcmp(x[0].salt, x[1].salt, 16), 0);
		ck_assert_int_ne(memcmp(x[0].epk, x[1].epk, x[0].epk_len), 0);
	}
	for (j = 0; j < 2; j++) {
		xmlFreeDoc(doc[j]);
		swn_mime_message_free(&mm[j]);
		composed_free(&c[j]);
	}
	free_keys(&k);
}
END_TEST

/* A part no eb:PartInfo names is refused, and the envelope is left as it was. */
START_TEST(writer_part_not_in_header)
{
	struct swn_as4_partinfo pi = { "p1@test.swnode", "application/octet-stream", 0 };
	struct swn_xenc_part_out part;
	struct swn_as4_user u;
	struct swn_as4_msg m;
	struct swn_err err;
	struct keys k;
	xmlDocPtr doc;

	make_keys(SWN_XENC_ECDH_P256, &k);
	fill_user(&u);
	swn_err_clear(&err);
	ck_assert_ptr_nonnull(doc = swn_as4_build_user_swa(&u, &pi, 1, &err));
	ck_assert_int_eq(swn_as4_parse_swa(doc, "built", &m, &err), 0);
	memset(&part, 0, sizeof part);
	part.content_id = "other@test.swnode";
	part.mime_type = "application/octet-stream";
	part.data = "x";
	part.len = 1;
	part.fd = -1;
	part.out_fd = temp_fd();
	ck_assert_int_eq(swn_xenc_encrypt_parts(doc, &m, &part, 1, SWN_XENC_ECDH_P256, k.enc_cert,
						&err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "PartInfo"));
	ck_assert_ptr_null(m.security->children);
	close(part.out_fd);
	xmlFreeDoc(doc);
	free_keys(&k);
}
END_TEST

/* Build the one-part envelope for pi and sign part (typed as it says)
 * through the signing view; the part's plaintext is given by the caller. */
static xmlDocPtr signed_one(const struct swn_as4_partinfo *pi, struct swn_xenc_part_out *part,
			    const struct keys *k, struct swn_as4_msg *m, int sign)
{
	struct swn_dsig_part view;
	struct swn_as4_user u;
	struct swn_err err;
	xmlDocPtr doc;

	fill_user(&u);
	swn_err_clear(&err);
	ck_assert_ptr_nonnull(doc = swn_as4_build_user_swa(&u, pi, 1, &err));
	ck_assert_int_eq(swn_as4_parse_swa(doc, "built", m, &err), 0);
	swn_xenc_sign_view(part, 1, &view);
	if (sign)
		ck_assert_msg(swn_wssec_sign_parts(doc, m, &view, 1, k->signer, &err) == 0, "%s",
			      err.msg);
	return doc;
}

/* The writer encrypts only what it signed, under the type the envelope
 * gives: a part typed otherwise than its eb:PartInfo, a MimeType that is
 * no media type, a part never signed, and a file that grew between
 * signing and encrypting are refused (each once made a message its own
 * reader refused, or one whose signature covered other bytes). */
START_TEST(writer_encrypts_what_it_signed)
{
	struct swn_as4_partinfo pi = { "p1@test.swnode", "application/xml", 0 };
	struct swn_as4_partinfo bad = { "p1@test.swnode", "text/plain\r\nX-Evil: 1", 0 };
	struct swn_xenc_part_out part;
	struct swn_as4_user u;
	struct swn_as4_msg m;
	struct swn_err err;
	struct keys k;
	xmlDocPtr doc;
	char path[256];
	int fd;

	make_keys(SWN_XENC_ECDH_P256, &k);
	memset(&part, 0, sizeof part);
	part.content_id = "p1@test.swnode";
	part.data = "<a>hello</a>";
	part.len = 12;
	part.fd = -1;
	part.out_fd = temp_fd();

	/* signed as text/plain, its eb:PartInfo says application/xml */
	part.mime_type = "text/plain";
	doc = signed_one(&pi, &part, &k, &m, 1);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_xenc_encrypt_parts(doc, &m, &part, 1, SWN_XENC_ECDH_P256, k.enc_cert,
						&err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "but its eb:PartInfo says 'application/xml'"));
	xmlFreeDoc(doc);

	/* a MimeType with a line end in it is no media type */
	fill_user(&u);
	swn_err_clear(&err);
	ck_assert_ptr_null(swn_as4_build_user_swa(&u, &bad, 1, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "is not a media type"));

	/* never read by the signing view */
	part.mime_type = "application/xml";
	doc = signed_one(&pi, &part, &k, &m, 0);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_xenc_encrypt_parts(doc, &m, &part, 1, SWN_XENC_ECDH_P256, k.enc_cert,
						&err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "was not signed"));
	xmlFreeDoc(doc);

	/* a file that grows after it was signed */
	snprintf(path, sizeof path, "%s/grows.XXXXXX", tmpdir);
	ck_assert_int_ge(fd = mkstemp(path), 0);
	unlink(path);
	ck_assert_int_eq(write(fd, "<a>hello</a>", 12), 12);
	part.data = NULL;
	part.len = 0;
	part.fd = fd;
	doc = signed_one(&pi, &part, &k, &m, 1);
	ck_assert_int_eq(pwrite(fd, "<!---->", 7, 12), 7);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_xenc_encrypt_parts(doc, &m, &part, 1, SWN_XENC_ECDH_P256, k.enc_cert,
						&err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "changed between signing and encrypting"));
	xmlFreeDoc(doc);
	/* the same file, unchanged since its signing: encrypted */
	doc = signed_one(&pi, &part, &k, &m, 1);
	swn_err_clear(&err);
	ck_assert_msg(swn_xenc_encrypt_parts(doc, &m, &part, 1, SWN_XENC_ECDH_P256, k.enc_cert,
					     &err) == 0, "%s", err.msg);
	xmlFreeDoc(doc);
	close(fd);
	close(part.out_fd);
	free_keys(&k);
}
END_TEST

/* An Ed25519 signer signs a message with parts and a signal (an eDelivery
 * 2.0 receipt or error), and a body-form UserMessage refuses it (libxmlsec1
 * could not check it); the signal verifies with Ed25519 only when it is
 * expected by name; swn_signer_load refuses the key. */
START_TEST(ed25519_signs_parts_only)
{
	struct keys k;
	struct swn_signer *s;
	struct swn_as4_user u;
	struct swn_as4_msg m;
	struct swn_err err;
	xmlDocPtr doc, payload;
	char kp[256], cp[256];
	FILE *f;

	make_keys(SWN_XENC_X25519, &k);
	ck_assert_str_eq(swn_signer_alg(k.signer), "ed25519");
	fill_user(&u);
	swn_err_clear(&err);
	payload = xmlReadMemory("<a/>", 4, NULL, NULL, 0);
	ck_assert_ptr_nonnull(doc = swn_as4_build_user(&u, xmlDocGetRootElement(payload), &err));
	ck_assert_int_eq(swn_as4_parse(doc, "built", &m, &err), 0);
	ck_assert_int_eq(swn_wssec_sign(doc, &m, k.signer, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "only messages with MIME parts"));
	ck_assert_ptr_null(m.security->children);
	{
		struct swn_wssec_report rep;
		xmlDocPtr sig = swn_as4_build_error("m1@x", "A", SWN_EBMS_OTHER, "no", &err);
		struct swn_as4_msg sm;

		ck_assert_ptr_nonnull(sig);
		ck_assert_int_eq(swn_as4_parse(sig, "signal", &sm, &err), 0);
		swn_err_clear(&err);
		ck_assert_msg(swn_wssec_sign(sig, &sm, k.signer, &err) == 0, "%s", err.msg);
		ck_assert_int_eq(swn_as4_parse(sig, "signal", &sm, &err), 0);
		ck_assert_msg(swn_wssec_verify(sig, &sm, k.sign_cert, "ed25519", &rep, &err) == 0,
			      "%s", err.msg);
		ck_assert_str_eq(rep.sig.sig_alg, "ed25519");
		ck_assert_int_eq(rep.xmlsec_confirmed, 0);
		/* Not expected by name: unknown, as before. */
		ck_assert_int_eq(swn_wssec_verify(sig, &sm, k.sign_cert, NULL, NULL, &err), -1);
		/* The value changed: refused. */
		{
			xmlNodePtr n = sm.body;

			xmlNodeSetContent(n, BAD_CAST "x");
			swn_err_clear(&err);
			ck_assert_int_eq(swn_wssec_verify(sig, &sm, k.sign_cert, "ed25519", NULL, &err), -1);
		}
		/* A UserMessage does not verify with Ed25519 by name either. */
		swn_err_clear(&err);
		ck_assert_int_eq(swn_wssec_verify(doc, &m, k.sign_cert, "ed25519", NULL, &err), -1);
		xmlFreeDoc(sig);
	}

	snprintf(kp, sizeof kp, "%s/ed.key", tmpdir);
	snprintf(cp, sizeof cp, "%s/ed.crt", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(kp, "w"));
	ck_assert_int_eq(PEM_write_PrivateKey(f, k.sign, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(cp, "w"));
	ck_assert_int_eq(PEM_write_X509(f, k.sign_cert), 1);
	fclose(f);
	ck_assert_int_eq(swn_signer_load(kp, cp, &s, &err), -1);
	unlink(kp);
	unlink(cp);
	xmlFreeDoc(doc);
	xmlFreeDoc(payload);
	free_keys(&k);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xenc");
	TCase *tc = tcase_create("phase4");
	struct swn_err err;
	int rc;

	swn_xml_init();
	swn_err_clear(&err);
	if (swn_wssec_init(&err) < 0 || !mkdtemp(tmpdir)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, edelivery_2_0, 0, 4);
	tcase_add_loop_test(tc, edelivery_2_0_ecdsa, 0, 4);
	tcase_add_loop_test(tc, edelivery_1_15, 0, 4);
	tcase_add_test(tc, wssec_takes_ed25519_with_parts);
	suite_add_tcase(s, tc);
	tc = tcase_create("refusals");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, wrong_private_key, 0, 3);
	tcase_add_loop_test(tc, flipped_ciphertext_byte, 0, 3);
	tcase_add_test(tc, unknown_algorithms);
	tcase_add_test(tc, part_type_from_the_signed_header);
	tcase_add_test(tc, another_profile);
	tcase_add_test(tc, rsa_oaep_with_sha1);
	tcase_add_test(tc, key_length_not_16);
	tcase_add_test(tc, low_order_x25519_key);
	tcase_add_test(tc, parts_and_references);
	tcase_add_test(tc, id_twice);
	tcase_add_test(tc, not_encrypted);
	tcase_add_test(tc, body_in_a_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("writer");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, writer_round_trip, 0, 3);
	tcase_add_loop_test(tc, writer_fresh_per_message, 0, 3);
	tcase_add_test(tc, writer_part_not_in_header);
	tcase_add_test(tc, writer_encrypts_what_it_signed);
	tcase_add_test(tc, ed25519_signs_parts_only);
	suite_add_tcase(s, tc);
	rc = swn_test_run(s);
	rmdir(tmpdir);
	swn_wssec_cleanup();
	swn_xml_cleanup();
	return rc;
}

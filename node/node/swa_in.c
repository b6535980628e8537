/* swa_in.c - an eDelivery AS4 message with MIME parts, opened; see swa_in.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "as4/gzip.h"
#include "as4/wssec.h"
#include "base/swn_limits.h"
#include "node/node/swa_in.h"
#include "xml/xmlsafe.h"

int swn_swa_in_is_mime(const char *content_type)
{
	/* By its media type's first word alone: the MIME reader then decides
	 * (a multipart/mixed, or a value it cannot parse, is refused with its
	 * reason, not read as an XML body). */
	if (content_type == NULL)
		return 0;
	content_type += strspn(content_type, " \t");
	return strncasecmp(content_type, "multipart/", 10) == 0;
}

int swn_swa_in_read(struct swn_swa_in *s, const char *content_type, const void *body,
		    size_t len, xmlDocPtr *doc, struct swn_as4_msg *m, struct swn_err *err)
{
	s->body = body;
	s->len = len;
	*doc = NULL;
	if (swn_mime_read_mem(content_type, body, len, "message", &s->mm, err) < 0 ||
	    !(*doc = swn_xml_parse(s->mm.envelope, s->mm.envelope_len, "message", err)))
		return -1;
	return swn_as4_parse_swa(*doc, "message", m, err);
}

int swn_swa_in_decrypt(struct swn_swa_in *s, const struct swn_as4_msg *m,
		       const struct swn_profile_def *p, EVP_PKEY *enc_key, const char *tmpdir,
		       enum swn_ebms_error *code, struct swn_err *err)
{
	struct swn_xenc_body body = { s->body, s->len, -1 };
	enum swn_xenc_profile xp;

	*code = SWN_EBMS_FAILED_DECRYPTION;
	if (swn_xenc_profile_of(p, &xp) < 0)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "profile %s encrypts nothing", p->name);
	if (swn_xenc_read(m, &s->mm, xp, "message", &s->x, err) < 0)
		return -1;
	if (!swn_xenc_all_encrypted(&s->x, &s->mm)) {
		*code = SWN_EBMS_POLICY_NONCOMPLIANCE;
		return swn_err_set(err, SWN_E_AS4, NULL, 0,
				   "profile %s requires every payload part encrypted; %s",
				   p->name, s->x.ndata ? "some part is not" : "nothing is");
	}
	if (s->mm.nparts - 1 != 1) {
		*code = SWN_EBMS_PMODE_MISMATCH;
		return swn_err_set(err, SWN_E_AS4, NULL, 0,
				   "the message has %zu payload parts; this node takes one document "
				   "per message", s->mm.nparts - 1);
	}
	return swn_xenc_decrypt_files(&s->x, &s->mm, &body, enc_key, tmpdir, &s->plain, err);
}

int swn_swa_in_verify(struct swn_swa_in *s, xmlDocPtr doc, const struct swn_as4_msg *m,
		      X509 *cert, const char *alg, struct swn_err *err)
{
	struct swn_dsig_part parts[SWN_MAX_PAYLOAD_PARTS];

	swn_xenc_dsig_parts(&s->plain, parts);
	return swn_wssec_verify_parts(doc, m, parts, (int)s->plain.nparts, cert, alg, NULL, err);
}

static int to_buf(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	return swn_buf_add(arg, p, n, err);
}

int swn_swa_in_document(struct swn_swa_in *s, size_t max, struct swn_buf *out,
			enum swn_ebms_error *code, struct swn_err *err)
{
	const struct swn_xenc_plain *pl = &s->plain.parts[0];
	struct swn_gzip_source src = { NULL, pl->fd, 0, pl->len };
	struct swn_gunzip_limits lim = SWN_GUNZIP_LIMITS_DEFAULT;
	unsigned char chunk[64 * 1024];
	uint64_t at = 0;

	*code = SWN_EBMS_OTHER;
	if (s->plain.nparts != 1)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "no decrypted payload");
	swn_buf_free(out);
	swn_buf_init(out, max);
	/* The signed type says whether it is compressed (xenc.h: CompressionType
	 * when there is one, else MimeType). */
	if (strcmp(pl->mime_type, "application/gzip") == 0) {
		if (lim.max_out > max)
			lim.max_out = max;
		if (swn_gunzip_stream(&src, &lim, to_buf, out, NULL, err) < 0) {
			char why[sizeof err->msg];

			swn_buf_free(out);
			*code = SWN_EBMS_DECOMPRESSION_FAILURE;
			/* The part named in front of gzip's reason. */
			snprintf(why, sizeof why, "%s", err->msg);
			snprintf(err->msg, sizeof err->msg, "%.23s: %.*s", pl->name,
				 (int)(sizeof err->msg - 26), why);
			return -1;
		}
		return 0;
	}
	if (pl->len > max)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "%s is %llu bytes; at most %zu",
				   pl->name, (unsigned long long)pl->len, max);
	while (at < pl->len) {
		size_t want = pl->len - at < sizeof chunk ? (size_t)(pl->len - at) : sizeof chunk;
		ssize_t got = pread(pl->fd, chunk, want, (off_t)at);

		if (got <= 0) {
			swn_buf_free(out);
			return swn_err_set(err, SWN_E_IO, NULL, 0, "%s: cannot read the decrypted part",
					   pl->name);
		}
		if (swn_buf_add(out, chunk, (size_t)got, err) < 0)
			return -1;
		at += (uint64_t)got;
	}
	return 0;
}

static void hex(const unsigned char md[32], char out[65])
{
	int i;

	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* SHA-256 of the plaintext file, read from its start. */
static int file_digest(int fd, uint64_t len, unsigned char md[32])
{
	unsigned char chunk[64 * 1024];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint64_t at = 0;
	int rc = -1;

	if (c == NULL || !EVP_DigestInit_ex(c, EVP_sha256(), NULL))
		goto done;
	while (at < len) {
		size_t want = len - at < sizeof chunk ? (size_t)(len - at) : sizeof chunk;
		ssize_t got = pread(fd, chunk, want, (off_t)at);

		if (got <= 0 || !EVP_DigestUpdate(c, chunk, (size_t)got))
			goto done;
		at += (uint64_t)got;
	}
	rc = EVP_DigestFinal_ex(c, md, NULL) ? 0 : -1;
done:
	EVP_MD_CTX_free(c);
	return rc;
}

/* The media type ("type/subtype") of a signed part type, for the ledger:
 * token characters only, so that the description has one reading
 * (parameters, quoted strings, spaces and ':' are left out; a type of
 * other characters is named "invalid"). */
static void media_type(const char *t, char *out, size_t n)
{
	static const char tok[] = "!#$%&'*+-.^_`|~/0123456789"
				  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t len = strcspn(t, ";");

	while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= n || strspn(t, tok) < len)
		snprintf(out, n, "invalid");
	else
		snprintf(out, n, "%.*s", (int)len, t);
}

void swn_swa_in_describe(const struct swn_swa_in *s, char *out, size_t n)
{
	size_t i, at = 0;

	out[0] = '\0';
	for (i = 0; i < s->plain.nparts && at < n; i++) {
		const struct swn_xenc_plain *pl = &s->plain.parts[i];
		const struct swn_mime_part *mp = NULL;
		unsigned char md[32];
		char h1[65] = "?", h2[65] = "?", type[SWN_MIME_NAME_BYTES];
		size_t k;

		for (k = 1; k < s->mm.nparts; k++)
			if (strcmp(s->mm.parts[k].content_id, pl->cid) == 0)
				mp = &s->mm.parts[k];
		if (mp && mp->offset + mp->length <= s->len) {
			SHA256((const unsigned char *)s->body + mp->offset, mp->length, md);
			hex(md, h1);
		}
		if (file_digest(pl->fd, pl->len, md) == 0)
			hex(md, h2);
		at += (size_t)snprintf(out + at, n - at,
				       "%s%s <%s> %s: received %llu bytes sha256:%s, decrypted %llu "
				       "bytes sha256:%s", i ? "; " : "", pl->name, pl->cid,
				       (media_type(pl->mime_type, type, sizeof type), type),
				       (unsigned long long)(mp ? mp->length : 0), h1,
				       (unsigned long long)pl->len, h2);
	}
}

void swn_swa_in_free(struct swn_swa_in *s)
{
	swn_xenc_plaintext_free(&s->plain);
	OPENSSL_cleanse(&s->x, sizeof s->x);
	swn_mime_message_free(&s->mm);
}

/* swa_in.c - an eDelivery AS4 message with MIME parts, opened; see swa_in.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "as4/gzip.h"
#include "as4/wssec.h"
#include "base/swn_limits.h"
#include "ledger/payloads.h"
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
	s->fd = -1;
	s->len = len;
	*doc = NULL;
	if (swn_mime_read_mem(content_type, body, len, "message", &s->mm, err) < 0 ||
	    !(*doc = swn_xml_parse(s->mm.envelope, s->mm.envelope_len, "message", err)))
		return -1;
	return swn_as4_parse_swa(*doc, "message", m, err);
}

int swn_swa_in_read_fd(struct swn_swa_in *s, const char *content_type, int fd, uint64_t len,
		       xmlDocPtr *doc, struct swn_as4_msg *m, struct swn_err *err)
{
	struct stat st;

	s->body = NULL;
	s->fd = fd;
	s->len = len;
	*doc = NULL;
	/* The MIME reader reads the file to its end: it must be the body. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != len)
		return swn_err_set(err, SWN_E_IO, NULL, 0, "the message's file is not its %llu bytes",
				   (unsigned long long)len);
	if (swn_mime_read_fd(content_type, fd, "message", &s->mm, err) < 0 ||
	    !(*doc = swn_xml_parse(s->mm.envelope, s->mm.envelope_len, "message", err)))
		return -1;
	return swn_as4_parse_swa(*doc, "message", m, err);
}

int swn_swa_in_decrypt(struct swn_swa_in *s, const struct swn_as4_msg *m,
		       const struct swn_profile_def *p, EVP_PKEY *enc_key, const char *tmpdir,
		       enum swn_ebms_error *code, struct swn_err *err)
{
	struct swn_xenc_body body = { s->body, (size_t)s->len, s->fd };
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
	if (s->mm.nparts < 2) {
		*code = SWN_EBMS_PMODE_MISMATCH;
		return swn_err_set(err, SWN_E_AS4, NULL, 0,
				   "the message has no payload part; this node takes a document in "
				   "the first");
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

/* The decrypted part that is MIME part index, or NULL. */
static const struct swn_xenc_plain *plain_part(const struct swn_swa_in *s, unsigned index)
{
	size_t i;

	for (i = 0; i < s->plain.nparts; i++)
		if (s->plain.parts[i].index == index)
			return &s->plain.parts[i];
	return NULL;
}

static int discard(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	(void)arg;
	(void)p;
	(void)n;
	(void)err;
	return 0;
}

/* gzip's reason with the part named in front. */
static int gunzip_failed(const struct swn_xenc_plain *pl, enum swn_ebms_error *code,
			 struct swn_err *err)
{
	char why[sizeof err->msg];

	*code = SWN_EBMS_DECOMPRESSION_FAILURE;
	snprintf(why, sizeof why, "%s", err->msg);
	snprintf(err->msg, sizeof err->msg, "%.23s: %.*s", pl->name, (int)(sizeof err->msg - 26), why);
	return -1;
}

int swn_swa_gzip_type(const char *type)
{
	const char *p = type + strspn(type, " \t");
	size_t len = strcspn(p, "; \t");

	if (strcmp(type, SWN_SWA_GZIP) == 0)
		return 1;
	return len == strlen(SWN_SWA_GZIP) && strncasecmp(p, SWN_SWA_GZIP, len) == 0 ? -1 : 0;
}

int swn_swa_in_parts_check(struct swn_swa_in *s, enum swn_ebms_error *code, struct swn_err *err)
{
	struct swn_gunzip_limits lim = SWN_GUNZIP_LIMITS_DEFAULT;
	uint64_t budget = SWN_SWA_MAX_ATTACHMENT_BYTES;
	size_t i;

	*code = SWN_EBMS_VALUE_NOT_RECOGNIZED;
	for (i = 0; i < s->plain.nparts; i++)
		if (swn_swa_gzip_type(s->plain.parts[i].mime_type) < 0)
			return swn_err_set(err, SWN_E_AS4, NULL, 0, "%s is signed as '%.200s': a compressed "
					   "part says exactly %s", s->plain.parts[i].name,
					   s->plain.parts[i].mime_type, SWN_SWA_GZIP);
	*code = SWN_EBMS_DECOMPRESSION_FAILURE;
	for (i = 0; i < s->plain.nparts; i++) {
		const struct swn_xenc_plain *pl = &s->plain.parts[i];
		struct swn_gzip_source src = { NULL, pl->fd, 0, pl->len };
		uint64_t out = pl->len;

		if (pl->index == SWN_SWA_DOCUMENT_PART)
			continue;
		lim.max_out = budget;
		if (swn_swa_gzip_type(pl->mime_type) == 1 &&
		    swn_gunzip_stream(&src, &lim, discard, NULL, &out, err) < 0)
			return gunzip_failed(pl, code, err);
		if (out > budget)
			return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "the attachments hold more than "
					   "%llu bytes (%s and those before it)",
					   (unsigned long long)SWN_SWA_MAX_ATTACHMENT_BYTES, pl->name);
		budget -= out;
	}
	return 0;
}

int swn_swa_in_document(struct swn_swa_in *s, size_t max, struct swn_buf *out,
			enum swn_ebms_error *code, struct swn_err *err)
{
	const struct swn_xenc_plain *pl = plain_part(s, SWN_SWA_DOCUMENT_PART);
	struct swn_gunzip_limits lim = SWN_GUNZIP_LIMITS_DEFAULT;
	unsigned char chunk[64 * 1024];
	uint64_t at = 0;

	*code = SWN_EBMS_OTHER;
	if (pl == NULL)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "no decrypted payload");
	swn_buf_free(out);
	swn_buf_init(out, max);
	/* The signed type says whether it is compressed (xenc.h: CompressionType
	 * when there is one, else MimeType). */
	if (swn_swa_gzip_type(pl->mime_type) == 1) {
		struct swn_gzip_source src = { NULL, pl->fd, 0, pl->len };

		if (lim.max_out > max)
			lim.max_out = max;
		if (swn_gunzip_stream(&src, &lim, to_buf, out, NULL, err) < 0) {
			swn_buf_free(out);
			return gunzip_failed(pl, code, err);
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

/* The media type ("type/subtype") of a signed part type, for the ledger:
 * token characters only, so that the description has one reading
 * (parameters, quoted strings, spaces and ':' are left out; a type of
 * other characters is named "invalid"). */
static const char media_type_chars[] = "!#$%&'*+-.^_`|~/0123456789"
					"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

static void media_type(const char *t, char *out, size_t n)
{
	const char *tok = media_type_chars;
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
		uint64_t plen;
		char h1[65] = "?", h2[65] = "?", type[SWN_MIME_NAME_BYTES];
		size_t k;

		for (k = 1; k < s->mm.nparts; k++)
			if (strcmp(s->mm.parts[k].content_id, pl->cid) == 0)
				mp = &s->mm.parts[k];
		if (mp && mp->offset + mp->length <= s->len &&
		    (s->fd >= 0 ? swn_payloads_sha256_range(s->fd, mp->offset, mp->length, md) == 0
				: (SHA256((const unsigned char *)s->body + mp->offset, mp->length, md), 1)))
			hex(md, h1);
		if (swn_payloads_sha256(pl->fd, &plen, md) == 0 && plen == pl->len)
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

/* Is [s, s+len) base64 as we write it: the alphabet only, '=' only as
 * the last one or two?  EVP_DecodeBlock alone would also take leading
 * blanks and trailing '-' or line ends, a second reading of the text. */
static int base64_strict(const char *s, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, pad = 0;

	if (len >= 1 && s[len - 1] == '=')
		pad = (len >= 2 && s[len - 2] == '=') ? 2 : 1;
	for (i = 0; i < len - pad; i++)
		if (s[i] == '\0' || strchr(alphabet, s[i]) == NULL)
			return 0;
	return 1;
}

int swn_swa_reason_content_type(const char *reason, char *out, size_t n)
{
	const char *b64, *end;
	size_t len;
	int got;

	if (reason == NULL || strncmp(reason, SWN_SWA_REASON_PREFIX, strlen(SWN_SWA_REASON_PREFIX)) != 0)
		return 0;
	b64 = reason + strlen(SWN_SWA_REASON_PREFIX);
	end = strchr(b64, ';');
	len = end ? (size_t)(end - b64) : 0;
	if (len == 0 || len % 4 != 0 || len / 4 * 3 >= n || !base64_strict(b64, len))
		return 0;
	if ((got = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)b64, (int)len)) < 0)
		return 0;
	got -= (b64[len - 1] == '=') + (b64[len - 2] == '=');
	out[got] = '\0';
	return strlen(out) == (size_t)got;   /* no NUL inside */
}

/* "N bytes sha256:HEX" at *p: advances *p past it. */
static int read_size_digest(const char **p, uint64_t *len, unsigned char md[32])
{
	const char *s = *p;
	unsigned long long v = 0;
	int i;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned)(*s++ - '0');
	}
	if (strncmp(s, " bytes sha256:", 14) != 0)
		return -1;
	s += 14;
	for (i = 0; i < 32; i++) {
		unsigned hi, lo;
		const char *hexd = "0123456789abcdef", *h, *l;

		if (!s[0] || !s[1] || !(h = strchr(hexd, s[0])) || !(l = strchr(hexd, s[1])))
			return -1;
		hi = (unsigned)(h - hexd);
		lo = (unsigned)(l - hexd);
		md[i] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	*len = v;
	*p = s;
	return 0;
}

/* Does the text before the first part, [reason, end), read as one of the
 * two heads, whole? */
static int head_ok(const char *reason, const char *end)
{
	static const char doc[] = "document sha256:";
	size_t len = (size_t)(end - reason), k = strlen(SWN_SWA_REASON_PREFIX), i;

	if (len > k && strncmp(reason, SWN_SWA_REASON_PREFIX, k) == 0)
		return (len - k) % 4 == 0 && base64_strict(reason + k, len - k);
	if (len != sizeof doc - 1 + 64 || strncmp(reason, doc, sizeof doc - 1) != 0)
		return 0;
	for (i = sizeof doc - 1; i < len; i++)
		if (!((reason[i] >= '0' && reason[i] <= '9') || (reason[i] >= 'a' && reason[i] <= 'f')))
			return 0;
	return 1;
}

int swn_swa_reason_parts(const char *reason, struct swn_swa_described *out, size_t max)
{
	const char *p = reason ? strstr(reason, "; part ") : NULL;
	size_t n = 0;

	if (p != NULL && !head_ok(reason, p))
		return -1;

	while (p != NULL) {
		struct swn_swa_described *d;
		unsigned long idx;
		char *end;
		size_t len;

		if (n == max)
			return -1;
		d = &out[n];
		p += 7;
		if (*p < '1' || *p > '9' || (idx = strtoul(p, &end, 10)) > SWN_MAX_PAYLOAD_PARTS ||
		    strncmp(end, " <", 2) != 0)
			return -1;
		d->index = (unsigned)idx;
		p = end + 2;
		len = strcspn(p, "> ");
		if (len == 0 || len >= sizeof d->cid || p[len] != '>' || p[len + 1] != ' ')
			return -1;
		memcpy(d->cid, p, len);
		d->cid[len] = '\0';
		p += len + 2;
		/* TYPE: what media_type() writes, token characters up to ": " */
		len = strspn(p, media_type_chars);
		if (len == 0 || len >= sizeof d->type || strncmp(p + len, ": ", 2) != 0)
			return -1;
		memcpy(d->type, p, len);
		d->type[len] = '\0';
		p += len + 2;
		d->received = 0;
		if (strncmp(p, "received ", 9) == 0) {
			p += 9;
			if (read_size_digest(&p, &d->recv_len, d->recv_sha256) < 0 ||
			    strncmp(p, ", decrypted ", 12) != 0)
				return -1;
			d->received = 1;
			p += 12;
		} else if (strncmp(p, "plaintext ", 10) == 0) {
			p += 10;
		} else {
			return -1;
		}
		if (read_size_digest(&p, &d->plain_len, d->plain_sha256) < 0 ||
		    (*p != '\0' && strncmp(p, "; part ", 7) != 0))
			return -1;
		n++;
		p = *p ? p : NULL;
	}
	return (int)n;
}

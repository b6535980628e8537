/*
 * fuzz_mime.c - a SOAP-with-Attachments message from a peer: the HTTP
 * Content-Type value (the input up to its first newline) and the body (the
 * rest), read by swn_mime_read_mem.  A message it accepts must keep the
 * promises of mime.h, or the target aborts: parts inside the body, in order
 * and apart, ids unique and found again through their cid: URIs, the
 * envelope the root's bytes; the same file read through swn_mime_read_fd
 * gives the same parts; and the writer, given those parts, writes a
 * message the reader accepts with the same ids, types and contents.
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "as4/mime.h"
#include "base/buf.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int buf_sink(void *ctx, const void *p, size_t n, struct swn_err *err)
{
	return swn_buf_add(ctx, p, n, err);
}

/* "cid:" and the id with every byte but letters and digits %-encoded: a
 * form RFC 2392 allows and swnode refuses (gateways do not decode). */
static void cid_uri(const char *id, char *out, size_t n)
{
	size_t len = (size_t)snprintf(out, n, "cid:");

	for (; *id != '\0' && len + 4 < n; id++) {
		unsigned char c = (unsigned char)*id;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			out[len++] = (char)c;
		else
			len += (size_t)snprintf(out + len, n - len, "%%%02X", c);
	}
	out[len] = '\0';
}

static void check_invariants(const struct swn_mime_message *m, const uint8_t *body, size_t len)
{
	uint64_t end = 0;
	size_t i, j;

	if (m->nparts < 1 || m->nparts > SWN_MIME_MAX_PARTS)
		fuzz_die("%zu parts", m->nparts);
	if (strcmp(m->parts[0].media_type, "application/soap+xml") != 0)
		fuzz_die("a root of type %s", m->parts[0].media_type);
	if (m->envelope_len != m->parts[0].length ||
	    memcmp(m->envelope, body + m->parts[0].offset, m->envelope_len) != 0)
		fuzz_die("the envelope is not the root's bytes");
	for (i = 0; i < m->nparts; i++) {
		const struct swn_mime_part *p = &m->parts[i];
		char uri[SWN_MIME_ID_BYTES * 3 + 8];
		struct swn_err err;

		if (p->offset < end || p->offset > len || p->length > len - p->offset)
			fuzz_die("part %zu at [%llu, +%llu) in %zu bytes", i,
				 (unsigned long long)p->offset, (unsigned long long)p->length, len);
		end = p->offset + p->length;
		if (i > 0 && p->content_id[0] == '\0')
			fuzz_die("payload %zu without an id", i);
		for (j = 0; j < i; j++)
			if (p->content_id[0] && strcmp(p->content_id, m->parts[j].content_id) == 0)
				fuzz_die("id %s twice", p->content_id);
		if (p->content_id[0] == '\0')
			continue;
		/* its cid: URI finds it, unless its id holds a character no
		 * cid: URI may (then the encoded form finds nothing either:
		 * no escape is decoded) */
		cid_uri(p->content_id, uri, sizeof uri);
		swn_err_clear(&err);
		if (strchr(uri, '%') != NULL && swn_mime_find_cid(m, uri, &err) >= 0)
			fuzz_die("%s, an escaped URI, finds a part", uri);
		if (swn_mime_cid_href(p->content_id, uri, sizeof uri) < 0) {
			if (strspn(p->content_id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						  "0123456789-._~!$&'*=/@") == strlen(p->content_id))
				fuzz_die("no cid: URI for the id %s", p->content_id);
			continue;
		}
		swn_err_clear(&err);
		if (swn_mime_find_cid(m, uri, &err) != (long)i)
			fuzz_die("%s does not find part %zu: %s", uri, i, err.msg);
	}
}

static void same_parts(const struct swn_mime_message *a, const uint8_t *abody,
		       const struct swn_mime_message *b, const uint8_t *bbody, int same_offsets)
{
	size_t i;

	if (a->nparts != b->nparts)
		fuzz_die("%zu parts, then %zu", a->nparts, b->nparts);
	for (i = 0; i < a->nparts; i++) {
		const struct swn_mime_part *p = &a->parts[i], *q = &b->parts[i];

		if (strcmp(p->content_id, q->content_id) != 0 || p->length != q->length ||
		    memcmp(abody + p->offset, bbody + q->offset, (size_t)p->length) != 0 ||
		    (same_offsets && p->offset != q->offset) ||
		    (i > 0 && strcmp(p->content_type, q->content_type) != 0))
			fuzz_die("part %zu differs", i);
	}
}

/* The same bytes in a file, read through the window. */
static void read_as_file(const char *ct, const uint8_t *body, size_t len,
			 const struct swn_mime_message *m)
{
	const char *path = fuzz_write("mime.body", body, len);
	struct swn_mime_message f;
	struct swn_err err;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		fuzz_die("cannot open %s", path);
	swn_err_clear(&err);
	if (swn_mime_read_fd(ct, fd, path, &f, &err) < 0)
		fuzz_die("the file is refused where memory was accepted: %s", err.msg);
	close(fd);
	same_parts(m, body, &f, body, 1);
	swn_mime_message_free(&f);
}

static void write_and_read_again(const struct swn_mime_message *m, const uint8_t *body)
{
	struct swn_mime_payload pl[SWN_MIME_MAX_PARTS];
	struct swn_mime_out out = { .envelope = m->envelope, .envelope_len = m->envelope_len,
				    .root_id = m->parts[0].content_id[0] ? m->parts[0].content_id : NULL,
				    .payloads = pl, .npayloads = m->nparts - 1 };
	struct swn_mime_message again;
	struct swn_err err;
	struct swn_buf b;
	char ct[SWN_MIME_VALUE_BYTES];
	size_t i;

	for (i = 1; i < m->nparts; i++)
		pl[i - 1] = (struct swn_mime_payload){ .content_id = m->parts[i].content_id,
			.content_type = m->parts[i].content_type, .data = body + m->parts[i].offset,
			.len = (size_t)m->parts[i].length, .fd = -1 };
	swn_buf_init(&b, SWN_MAX_DOCUMENT_BYTES);
	swn_err_clear(&err);
	if (swn_mime_write(&out, NULL, buf_sink, &b, ct, sizeof ct, &err) < 0)
		fuzz_die("the writer refuses what the reader accepted: %s", err.msg);
	if (swn_mime_read_mem(ct, b.data, b.len, "written", &again, &err) < 0)
		fuzz_die("the reader refuses what the writer wrote: %s", err.msg);
	same_parts(m, body, &again, (const uint8_t *)b.data, 0);
	swn_mime_message_free(&again);
	swn_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ctlen = nl ? (size_t)(nl - data) : size;
	const uint8_t *body = nl ? nl + 1 : data + size;
	size_t len = size - (size_t)(body - data);
	struct swn_mime_message m;
	struct swn_err err;
	char *ct = malloc(ctlen + 1);

	if (ct == NULL)
		fuzz_die("out of memory");
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	swn_err_clear(&err);
	if (swn_mime_read_mem(ct, body, len, "fuzz", &m, &err) == 0) {
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "fuzz: accepted, %zu parts\n", m.nparts);
		check_invariants(&m, body, len);
		read_as_file(ct, body, len, &m);
		write_and_read_again(&m, body);
		swn_mime_message_free(&m);
	} else if (getenv("FUZZ_VERBOSE")) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
	}
	free(ct);
	return 0;
}

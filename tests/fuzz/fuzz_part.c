/*
 * fuzz_part.c - what a peer chooses about a signed MIME part: the cid: URI
 * of its Reference, the part's Content-Type and its content.  Input: the
 * URI on the first line, the Content-Type on the second, the content
 * after it.  Besides crashes, leaks and time-outs, the target aborts when
 *  - swn_mime_cid_decode accepts a URI whose id is not 1-255 printable
 *    ASCII characters without '<', '>' and space, or whose id, written
 *    again by swn_mime_cid_href, does not read back the same;
 *  - the attachment transform's digest depends on how the content is cut
 *    into reads (one byte at a time against one read);
 *  - for a text type, the digest is not that of the content with every
 *    line end made CRLF, computed here another way (CRLF, then CR, then
 *    LF, each turned into LF, and every LF written as CRLF).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "as4/dsig.h"
#include "as4/mime.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
}

struct chunks {
	const uint8_t *p;
	size_t n, at, step;
};

static int chunk_read(void *arg, unsigned char *buf, size_t cap, size_t *got)
{
	struct chunks *c = arg;
	size_t n = c->n - c->at;

	if (n > cap)
		n = cap;
	if (n > c->step)
		n = c->step;
	memcpy(buf, c->p + c->at, n);
	c->at += n;
	*got = n;
	return 0;
}

static int digest_in(const char *type, const uint8_t *p, size_t n, size_t step,
		     unsigned char out[32])
{
	struct chunks c = { p, n, 0, step };
	struct swn_dsig_part part = { "part", "p", type, chunk_read, &c };
	struct swn_err err;

	swn_err_clear(&err);
	return swn_dsig_part_digest(&part, out, &err);
}

/* The content with its line ends made CRLF, the other way round. */
static void crlf_model(const uint8_t *p, size_t n, unsigned char out[32])
{
	unsigned char *lf = malloc(n + 1), *o = malloc(2 * n + 1);
	size_t i, m = 0, k = 0;

	if (lf == NULL || o == NULL)
		fuzz_die("out of memory");
	for (i = 0; i < n; i++) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;               /* CRLF: its LF stands for it */
		lf[m++] = p[i] == '\r' ? '\n' : p[i];
	}
	for (i = 0; i < m; i++) {
		if (lf[i] == '\n')
			o[k++] = '\r';
		o[k++] = lf[i];
	}
	EVP_Digest(o, k, out, NULL, EVP_sha256(), NULL);
	free(lf);
	free(o);
}

static int is_text(const char *type)
{
	return strncasecmp(type, "text/", 5) == 0 && strncasecmp(type, "text/xml", 8) != 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *uri, *type, *nl;
	char id[300], again[1000], back[300];
	const uint8_t *content;
	unsigned char one[32], whole[32], model[32];
	struct swn_err err;
	size_t i, clen, ulen;
	int a, b;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	uri = copy;
	nl = memchr(copy, '\n', size);
	ulen = nl ? (size_t)(nl - copy) : size;
	type = nl ? nl + 1 : copy + size;
	if (nl)
		*nl = '\0';
	nl = strchr(type, '\n');
	if (nl)
		*nl = '\0';
	content = nl ? data + (size_t)(nl + 1 - copy) : data + size;
	clen = size - (size_t)(content - data);

	/* (a NUL inside the line would end the URI early: not this case) */
	swn_err_clear(&err);
	if (strlen(uri) == ulen && swn_mime_cid_decode(uri, id, sizeof id, &err) == 0) {
		size_t n = strlen(id);

		if (n == 0 || n > 255)
			fuzz_die("cid: id of %zu characters accepted", n);
		for (i = 0; i < n; i++)
			if ((unsigned char)id[i] <= ' ' || (unsigned char)id[i] >= 0x7f || id[i] == '<' ||
			    id[i] == '>')
				fuzz_die("cid: id with byte 0x%02x accepted", (unsigned char)id[i]);
		if (swn_mime_cid_href(id, again, sizeof again) < 0 ||
		    swn_mime_cid_decode(again, back, sizeof back, &err) < 0 || strcmp(back, id) != 0)
			fuzz_die("cid: id '%s' does not survive being written again", id);
	}

	/* A short content is enough to find a chunking mistake; keep each
	 * run cheap. */
	if (clen > 4096)
		clen = 4096;
	a = digest_in(type, content, clen, 1, one);
	b = digest_in(type, content, clen, 65536, whole);
	if (a != b || (a == 0 && memcmp(one, whole, 32) != 0))
		fuzz_die("the digest of a '%s' part depends on how it is read", type);
	if (a == 0 && is_text(type)) {
		crlf_model(content, clen, model);
		if (memcmp(model, whole, 32) != 0)
			fuzz_die("the digest of a '%s' part is not that of its CRLF form", type);
	}
	free(copy);
	return 0;
}

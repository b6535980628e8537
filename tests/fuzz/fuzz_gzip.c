/*
 * fuzz_gzip.c - a compressed payload part as a peer sends it: the input is
 * the part's bytes, read by swn_gunzip_stream with a size limit of 1 MB and
 * the ratio limit of 200 to 1 above 64 KB (so that both limits are met).
 * zlib's inflate, run here alone over the whole input, is the model.
 * Besides crashes, leaks and time-outs, the target aborts when
 *  - the reader accepts what the model does not read as exactly one gzip
 *    member filling the input, or gives other bytes than the model;
 *  - it refuses a member the model reads whole to at most 64 KB (under
 *    every limit), or accepts one of more than 1 MB;
 *  - a refusal is not SWN_E_AS4 or SWN_E_TOO_LARGE with a "gzip: "
 *    message, or the sink was given more than the size limit;
 *  - the same bytes as a range of a file are judged otherwise;
 *  - what it accepted, compressed again by swn_gzip_compress, does not
 *    read back the same (under the size limit alone).
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "as4/gzip.h"
#include "base/buf.h"
#include "fuzz.h"

#define LIMIT (1024u * 1024u)
#define SLACK (64u * 1024u)

static const struct swn_gunzip_limits lim = { LIMIT, 200, SLACK };
static const struct swn_gunzip_limits size_only = { LIMIT, 0, 0 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int buf_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	return swn_buf_add(arg, p, n, err);
}

/* The model: zlib's inflate over the whole input.  1 when it is one
 * member and nothing else, inflating to *len bytes at out (at most
 * LIMIT + 1 of them kept: *len LIMIT + 1 means more). */
static int model(const uint8_t *data, size_t size, unsigned char *out, size_t *len)
{
	z_stream z;
	int ret;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		fuzz_die("inflateInit2");
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)size;
	z.next_out = out;
	z.avail_out = LIMIT + 1;
	ret = inflate(&z, Z_FINISH);
	*len = LIMIT + 1 - z.avail_out;
	inflateEnd(&z);
	if (*len > LIMIT)
		return ret == Z_STREAM_END ? z.avail_in == 0 : ret == Z_BUF_ERROR;
	return ret == Z_STREAM_END && z.avail_in == 0;
}

/* The reader over the source; its result, err and what the sink got. */
static int read_source(const struct swn_gzip_source *src, const struct swn_gunzip_limits *l,
		       struct swn_buf *out, struct swn_err *err)
{
	uint64_t len;
	int rc;

	swn_buf_init(out, 2 * LIMIT);
	swn_err_clear(err);
	rc = swn_gunzip_stream(src, l, buf_sink, out, &len, err);
	if (len != out->len)
		fuzz_die("out_len %llu, but the sink got %zu", (unsigned long long)len, out->len);
	if (out->len > LIMIT)
		fuzz_die("the sink got %zu bytes, over the limit", out->len);
	if (rc < 0 && ((err->code != SWN_E_AS4 && err->code != SWN_E_TOO_LARGE) ||
		       strncmp(err->msg, "gzip: ", 6) != 0))
		fuzz_die("refused with %s: %s", swn_code_name(err->code), err->msg);
	return rc;
}

/* Compress the accepted bytes again and read them back. */
static void again(const struct swn_buf *plain)
{
	struct swn_gzip_source src = { plain->len ? plain->data : "", -1, 0, plain->len };
	struct swn_buf packed, back;
	struct swn_err err;

	swn_buf_init(&packed, 2 * LIMIT);
	swn_err_clear(&err);
	if (swn_gzip_compress(&src, buf_sink, &packed, NULL, &err) < 0)
		fuzz_die("cannot compress %zu bytes: %s", plain->len, err.msg);
	src.mem = packed.data;
	src.length = packed.len;
	if (read_source(&src, &size_only, &back, &err) < 0)
		fuzz_die("its own member refused: %s", err.msg);
	if (back.len != plain->len ||
	    (plain->len && memcmp(back.data, plain->data, plain->len) != 0))
		fuzz_die("compressed again, %zu bytes read back otherwise", plain->len);
	swn_buf_free(&packed);
	swn_buf_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char want[LIMIT + 1];
	struct swn_gzip_source src = { size ? data : (const uint8_t *)"", -1, 0, size };
	struct swn_buf out, fout;
	struct swn_err err, ferr;
	unsigned char *framed;
	size_t want_len;
	int ok, rc, frc, fd;

	ok = model(data, size, want, &want_len);
	rc = read_source(&src, &lim, &out, &err);
	if (rc == 0 && (!ok || want_len > LIMIT))
		fuzz_die("accepted what zlib does not read as one member (%zu bytes out)", want_len);
	if (rc == 0 && (out.len != want_len || (want_len && memcmp(out.data, want, want_len) != 0)))
		fuzz_die("accepted, but %zu bytes out where zlib gives %zu", out.len, want_len);
	if (rc < 0 && ok && want_len <= SLACK)
		fuzz_die("refused a member zlib reads to %zu bytes: %s", want_len, err.msg);
	if (rc < 0 && ok && err.code != SWN_E_TOO_LARGE)
		fuzz_die("refused a member zlib reads whole: %s", err.msg);

	/* The same bytes as a part of a file, between others. */
	framed = malloc(size + 6);
	if (framed == NULL)
		fuzz_die("out of memory");
	memcpy(framed, "\r\n\r\n", 4);
	if (size)
		memcpy(framed + 4, data, size);
	memcpy(framed + 4 + size, "\x1f\x8b", 2);
	fd = open(fuzz_write("part", framed, size + 6), O_RDONLY);
	if (fd < 0)
		fuzz_die("cannot open the part's file");
	src.mem = NULL;
	src.fd = fd;
	src.offset = 4;
	frc = read_source(&src, &lim, &fout, &ferr);
	if (frc != rc || ferr.code != err.code || fout.len != out.len ||
	    (out.len && memcmp(fout.data, out.data, out.len) != 0))
		fuzz_die("from a file: %d (%s), from memory: %d (%s)", frc, ferr.msg, rc, err.msg);
	close(fd);
	free(framed);

	if (rc == 0)
		again(&out);
	swn_buf_free(&out);
	swn_buf_free(&fout);
	return 0;
}

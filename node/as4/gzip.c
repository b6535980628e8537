/* gzip.c - one gzip member per payload part, streamed, on zlib; see gzip.h. */
#include "autoconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "as4/gzip.h"
#include "base/fsutil.h"

/* n bytes of the source at pos (pos + n inside it) into buf. */
static int src_read(const struct swn_gzip_source *src, uint64_t pos, unsigned char *buf,
		    size_t n, struct swn_err *err)
{
	if (src->mem) {
		memcpy(buf, (const unsigned char *)src->mem + pos, n);
		return 0;
	}
	if (swn_pread_all(src->fd, buf, n, src->offset + pos) != n)
		return swn_err_set(err, SWN_E_IO, NULL, 0, "gzip: cannot read the input: %s",
				   errno ? strerror(errno) : "it ends before its length");
	return 0;
}

/* The whole regular file fd as a source. */
static int file_source(int fd, struct swn_gzip_source *src, struct swn_err *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return swn_err_set(err, SWN_E_IO, NULL, 0, "gzip: cannot look at the input: %s",
				   strerror(errno));
	if (!S_ISREG(st.st_mode))
		return swn_err_set(err, SWN_E_IO, NULL, 0, "gzip: the input is not a regular file");
	src->mem = NULL;
	src->fd = fd;
	src->offset = 0;
	src->length = (uint64_t)st.st_size;
	return 0;
}

/* A sink writing to the descriptor *arg at its offset. */
static int fd_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	if (swn_write_all(*(const int *)arg, p, n) < 0)
		return swn_err_set(err, SWN_E_LOCAL, NULL, 0, "gzip: cannot write the output: %s",
				   strerror(errno));
	return 0;
}

/* The in and out buffers of a stream, in one block. */
static unsigned char *buffers(struct swn_err *err)
{
	unsigned char *b = malloc(2 * (size_t)SWN_GZIP_CHUNK_BYTES);

	if (b == NULL)
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	return b;
}

/* zlib's setup failed with ret. */
static int zlib_init_failed(int ret, struct swn_err *err)
{
	if (ret == Z_MEM_ERROR)
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	return swn_err_set(err, SWN_E_LOCAL, NULL, 0, "gzip: zlib %s cannot be set up (%d)",
			   zlibVersion(), ret);
}

/* ---- the writer ---- */

int swn_gzip_compress(const struct swn_gzip_source *src, swn_cipher_sink sink, void *arg,
		      uint64_t *out_len, struct swn_err *err)
{
	unsigned char *in, *out;
	z_stream z;
	gz_header h;   /* read by zlib until the header is out: lives as long as z */
	uint64_t pos = 0, total = 0;
	size_t n;
	int ret, flush, rc = -1;

	if (out_len)
		*out_len = 0;
	if (src->length > SWN_GZIP_MAX_PAYLOAD_BYTES)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
				   "gzip: the payload is %" PRIu64 " bytes, over the %llu a part may hold",
				   src->length, (unsigned long long)SWN_GZIP_MAX_PAYLOAD_BYTES);
	if (!(in = buffers(err)))
		return -1;
	out = in + SWN_GZIP_CHUNK_BYTES;
	memset(&z, 0, sizeof z);
	ret = deflateInit2(&z, SWN_GZIP_LEVEL, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	if (ret != Z_OK) {
		free(in);
		return zlib_init_failed(ret, err);
	}
	/* No name, comment or extra field, MTIME 0, OS 255: the same bytes
	 * everywhere. */
	memset(&h, 0, sizeof h);
	h.os = 255;
	if ((ret = deflateSetHeader(&z, &h)) != Z_OK) {
		zlib_init_failed(ret, err);
		goto out;
	}
	do {
		n = src->length - pos < SWN_GZIP_CHUNK_BYTES ? (size_t)(src->length - pos)
							     : SWN_GZIP_CHUNK_BYTES;
		if (src_read(src, pos, in, n, err) < 0)
			goto out;
		pos += n;
		z.next_in = in;
		z.avail_in = (uInt)n;
		flush = pos == src->length ? Z_FINISH : Z_NO_FLUSH;
		do {
			z.next_out = out;
			z.avail_out = SWN_GZIP_CHUNK_BYTES;
			ret = deflate(&z, flush);
			if (ret == Z_STREAM_ERROR) {
				swn_err_set(err, SWN_E_LOCAL, NULL, 0, "gzip: deflate failed");
				goto out;
			}
			n = SWN_GZIP_CHUNK_BYTES - z.avail_out;
			if (n > 0 && sink(arg, out, n, err) < 0)
				goto out;
			total += n;
		} while (z.avail_out == 0);
	} while (flush != Z_FINISH);
	if (ret != Z_STREAM_END) {
		swn_err_set(err, SWN_E_LOCAL, NULL, 0, "gzip: deflate did not finish (%d)", ret);
		goto out;
	}
	if (out_len)
		*out_len = total;
	rc = 0;
out:
	deflateEnd(&z);
	free(in);
	return rc;
}

int swn_gzip_compress_fd(int in_fd, int out_fd, uint64_t *out_len, struct swn_err *err)
{
	struct swn_gzip_source src;

	if (out_len)
		*out_len = 0;
	if (file_source(in_fd, &src, err) < 0)
		return -1;
	return swn_gzip_compress(&src, fd_sink, &out_fd, out_len, err);
}

int swn_gzip_compress_mem(const void *data, size_t len, int out_fd, uint64_t *out_len,
			  struct swn_err *err)
{
	struct swn_gzip_source src = { data, -1, 0, len };

	if (len == 0)
		src.mem = "";   /* a NULL pointer would mean a file */
	return swn_gzip_compress(&src, fd_sink, &out_fd, out_len, err);
}

/* ---- the reader ---- */

/* zlib's words for what is wrong, said so that a partner can act on them. */
static const struct {
	const char *zlib;
	const char *says;
} zlib_says[] = {
	{ "incorrect data check", "the CRC-32 in its trailer does not match the data" },
	{ "incorrect length check", "the length in its trailer (ISIZE) does not match the data" },
	{ "header crc mismatch", "the CRC-16 of its header (FHCRC) does not match the header" },
	{ "unknown compression method", "its compression method is not deflate (8)" },
	{ "unknown header flags set", "its header sets a reserved flag" },
};

static int corrupt(const z_stream *z, struct swn_err *err)
{
	const char *msg = z->msg ? z->msg : "no reason given";
	size_t i;

	for (i = 0; i < sizeof zlib_says / sizeof zlib_says[0]; i++)
		if (strcmp(msg, zlib_says[i].zlib) == 0)
			return swn_err_set(err, SWN_E_AS4, NULL, 0, "gzip: %s (zlib: %s)",
					   zlib_says[i].says, msg);
	return swn_err_set(err, SWN_E_AS4, NULL, 0, "gzip: the data is corrupt (zlib: %s)", msg);
}

/* Would out bytes, inflated from in compressed bytes, cross the limits? */
static int over_limits(const struct swn_gunzip_limits *lim, uint64_t out, uint64_t in,
		       struct swn_err *err)
{
	if (out > lim->max_out)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
				   "gzip: the data inflates to more than %" PRIu64 " bytes",
				   lim->max_out);
	if (lim->max_ratio > 0 && in <= (UINT64_MAX - lim->ratio_slack) / lim->max_ratio &&
	    out > lim->max_ratio * in + lim->ratio_slack)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
				   "gzip: %" PRIu64 " compressed bytes inflate to more than %" PRIu64
				   " bytes, over the limit of %" PRIu64 " to 1 and %" PRIu64
				   " bytes: refused as a decompression bomb",
				   in, lim->max_ratio * in + lim->ratio_slack, lim->max_ratio,
				   lim->ratio_slack);
	return 0;
}

/* The member ended with bytes left: after is how many, the first of them
 * at p (have of them there, 0 to 2). */
static int trailing(uint64_t after, const unsigned char *p, size_t have, struct swn_err *err)
{
	if (have == 2 && p[0] == 0x1f && p[1] == 0x8b)
		return swn_err_set(err, SWN_E_AS4, NULL, 0,
				   "gzip: a second gzip member follows the first (%" PRIu64 " bytes "
				   "after it): a part is one member", after);
	return swn_err_set(err, SWN_E_AS4, NULL, 0,
			   "gzip: data follows the end of the gzip member (%" PRIu64 " byte%s): a "
			   "part is one member and nothing after it", after, after == 1 ? "" : "s");
}

int swn_gunzip_stream(const struct swn_gzip_source *src, const struct swn_gunzip_limits *lim,
		      swn_cipher_sink sink, void *arg, uint64_t *out_len, struct swn_err *err)
{
	static const struct swn_gunzip_limits defaults = SWN_GUNZIP_LIMITS_DEFAULT;
	unsigned char *in, *out, next[2];
	z_stream z;
	gz_header h;
	uint64_t pos = 0, total = 0, after;
	size_t n, have;
	int ret, rc = -1;

	if (out_len)
		*out_len = 0;
	if (lim == NULL)
		lim = &defaults;
	if (src->length == 0)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "gzip: the data is empty, not a gzip member");
	if (!(in = buffers(err)))
		return -1;
	out = in + SWN_GZIP_CHUNK_BYTES;
	memset(&z, 0, sizeof z);
	/* 16 + 15: a gzip wrapper only (no zlib or raw deflate), any window. */
	if ((ret = inflateInit2(&z, 16 + MAX_WBITS)) != Z_OK) {
		free(in);
		return zlib_init_failed(ret, err);
	}
	/* Only to know whether the header was whole: no field is kept. */
	memset(&h, 0, sizeof h);
	if ((ret = inflateGetHeader(&z, &h)) != Z_OK) {
		zlib_init_failed(ret, err);
		goto out;
	}
	for (;;) {
		if (z.avail_in == 0 && pos < src->length) {
			n = src->length - pos < SWN_GZIP_CHUNK_BYTES ? (size_t)(src->length - pos)
								     : SWN_GZIP_CHUNK_BYTES;
			if (src_read(src, pos, in, n, err) < 0)
				goto out;
			if (pos == 0 && (in[0] != 0x1f || (n > 1 && in[1] != 0x8b))) {
				swn_err_set(err, SWN_E_AS4, NULL, 0,
					    "gzip: not gzip data (it does not begin with 1f 8b)");
				goto out;
			}
			pos += n;
			z.next_in = in;
			z.avail_in = (uInt)n;
		}
		z.next_out = out;
		z.avail_out = SWN_GZIP_CHUNK_BYTES;
		ret = inflate(&z, Z_NO_FLUSH);
		n = SWN_GZIP_CHUNK_BYTES - z.avail_out;
		if (n > 0) {
			/* checked before the sink sees a byte of it */
			if (over_limits(lim, total + n, pos - z.avail_in, err) < 0 ||
			    sink(arg, out, n, err) < 0)
				goto out;
			total += n;
			if (out_len)
				*out_len = total;
		}
		if (ret == Z_STREAM_END)
			break;
		if (ret == Z_OK)
			continue;
		/* No progress with all the input given (it was refilled above
		 * while there was more): the data ends too soon. */
		if (ret == Z_BUF_ERROR && z.avail_in == 0) {
			swn_err_set(err, SWN_E_AS4, NULL, 0,
				    h.done ? "gzip: the data ends before the end of its gzip member "
					     "(cut short)"
					   : "gzip: the data ends inside the gzip header (cut short)");
			goto out;
		}
		if (ret == Z_MEM_ERROR) {
			swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
			goto out;
		}
		corrupt(&z, err);   /* Z_DATA_ERROR; nothing else is expected */
		goto out;
	}
	/* One member, and nothing after it. */
	after = z.avail_in + (src->length - pos);
	if (after > 0) {
		have = z.avail_in < 2 ? z.avail_in : 2;
		memcpy(next, z.next_in, have);
		if (have < 2 && pos < src->length) {
			n = src->length - pos < 2 - have ? (size_t)(src->length - pos) : 2 - have;
			if (src_read(src, pos, next + have, n, err) < 0)
				goto out;
			have += n;
		}
		trailing(after, next, have, err);
		goto out;
	}
	rc = 0;
out:
	inflateEnd(&z);
	free(in);
	return rc;
}

int swn_gunzip_fd(int in_fd, int out_fd, const struct swn_gunzip_limits *lim, uint64_t *out_len,
		  struct swn_err *err)
{
	struct swn_gzip_source src;

	if (out_len)
		*out_len = 0;
	if (file_source(in_fd, &src, err) < 0)
		return -1;
	return swn_gunzip_stream(&src, lim, fd_sink, &out_fd, out_len, err);
}

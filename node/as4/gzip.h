/*
 * gzip.h - the compression of eDelivery AS4 payload parts: one gzip member
 * (RFC 1952) per MIME part, written and read strictly, streamed, on zlib.
 *
 * The AS4 profiles compress each payload part (eb:PartProperties
 * CompressionType application/gzip) before signing and encrypting it; the
 * receiver gunzips after decrypting it and checking the signature.  A part
 * may hold up to SWN_GZIP_MAX_PAYLOAD_BYTES, so both directions stream:
 * from a regular file (read with pread) or memory, to a file descriptor
 * or the caller's sink, in a fixed amount of memory whatever the size.
 *
 * The writer makes one gzip member with deflate at SWN_GZIP_LEVEL and a
 * header without file name, comment or extra field, MTIME 0 and OS 255
 * (unknown): the same input gives the same bytes on any system (with one
 * zlib version).
 *
 * The reader accepts exactly one gzip member and nothing else:
 *  - the magic 1f 8b, then method 8 (deflate), no reserved flag; FEXTRA,
 *    FNAME, FCOMMENT and FHCRC are accepted (the header's CRC-16 checked):
 *    zlib steps over those fields without keeping them, so a long one
 *    costs reading it, no memory;
 *  - the deflate data, then the trailer, whose CRC-32 and ISIZE must
 *    match what came out;
 *  - nothing after the trailer.  RFC 1952 allows several members one after
 *    the other (gunzip concatenates them), but a gateway writes an
 *    attachment as one member, and a reader that stopped after the first
 *    would see another payload than one that went on: a second member or
 *    any byte after the first is refused, not read or ignored.
 * Data that ends before its trailer (cut in the header, the deflate data
 * or the trailer), and empty data, are refused.  Every refusal of the
 * data is SWN_E_AS4 with a message beginning "gzip: " that says what is
 * wrong (zlib's own words kept in it), for a caller to put its part's name
 * before and answer with EBMS:0303 DecompressionFailure.
 *
 * Bombs: the output is counted as it comes out of inflate, and the bytes
 * that would take it past the limits (struct swn_gunzip_limits: at most
 * max_out bytes, and at most max_ratio times the compressed bytes read
 * so far plus ratio_slack) are refused with SWN_E_TOO_LARGE before they
 * reach the sink: the sink never receives more than the limits allow, and
 * inflating stops at the first output buffer that would cross them.
 *
 * It does not know MIME, eb:PartProperties or XML: which parts are
 * compressed, and the MimeType a gunzipped part then has, are the
 * exchange's business (as4/compose on the way out, node/swa_in on the
 * way in).
 *
 * Invariants:
 *  - Every function returns 0 on success and -1 with err filled on
 *    failure; nothing is printed.  Reading a source fails with SWN_E_IO,
 *    writing to a descriptor with SWN_E_LOCAL; a sink's error is passed on
 *    as the sink set it; out of memory is SWN_E_NOMEM.
 *  - Memory: two buffers of SWN_GZIP_CHUNK_BYTES and zlib's state (about
 *    256 KB to deflate at level 6, 40 KB to inflate) for one call,
 *    whatever the size of the data; nothing is read whole.
 *  - The output is written as it is made, so on failure the sink, or the
 *    output descriptor, has received part of it: the caller must throw it
 *    away (truncate or remove the file) as it throws away the plaintext of
 *    a stream that failed (trust/cipher.h).  All or nothing is the
 *    caller's job.
 *  - A source of a file is read at [offset, offset + length) with pread:
 *    its file offset is neither used nor moved.  An output descriptor is
 *    written at its current offset, with write, a short write retried.
 */
#ifndef SWN_GZIP_H
#define SWN_GZIP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/swn_limits.h"
#include "trust/cipher.h"

/* deflate's level: zlib's default, its balance of speed and size. */
#define SWN_GZIP_LEVEL 6

/* The buffers a stream reads and writes through (memory, not a limit). */
#define SWN_GZIP_CHUNK_BYTES (64u * 1024u)

/* Where the input is: length bytes in memory at mem, or, when mem is NULL,
 * length bytes of the file fd from offset (a MIME part of a body file is
 * its offset and length). */
struct swn_gzip_source {
	const void *mem;
	int fd;
	uint64_t offset;
	uint64_t length;
};

/* ---- the writer ---- */

/* Compress the source into one gzip member given to sink; *out_len (may be
 * NULL) the member's length.  More than SWN_GZIP_MAX_PAYLOAD_BYTES of
 * input is refused with SWN_E_TOO_LARGE before anything is read. */
int swn_gzip_compress(const struct swn_gzip_source *src, swn_cipher_sink sink, void *arg,
		      uint64_t *out_len, struct swn_err *err);

/* The whole regular file in_fd (from offset 0, with pread) compressed and
 * written to out_fd at its offset. */
int swn_gzip_compress_fd(int in_fd, int out_fd, uint64_t *out_len, struct swn_err *err);

/* len bytes at data compressed and written to out_fd at its offset. */
int swn_gzip_compress_mem(const void *data, size_t len, int out_fd, uint64_t *out_len,
			  struct swn_err *err);

/* ---- the reader ---- */

/* What a member may inflate to: at most max_out bytes, and at most
 * max_ratio * (compressed bytes read) + ratio_slack; max_ratio 0 checks
 * no ratio.  NULL for the limits: these defaults of swn_limits.h. */
struct swn_gunzip_limits {
	uint64_t max_out;
	uint64_t max_ratio;
	uint64_t ratio_slack;
};
#define SWN_GUNZIP_LIMITS_DEFAULT \
	{ SWN_GZIP_MAX_PAYLOAD_BYTES, SWN_GUNZIP_MAX_RATIO, SWN_GUNZIP_RATIO_SLACK_BYTES }

/* Read the source as one gzip member, as above, and give what it inflates
 * to sink as it comes; *out_len (may be NULL) is the number of bytes the
 * sink received, also on failure.  The bytes are the payload only when
 * this returns 0: the trailer's CRC-32 and length are checked at the end. */
int swn_gunzip_stream(const struct swn_gzip_source *src, const struct swn_gunzip_limits *lim,
		      swn_cipher_sink sink, void *arg, uint64_t *out_len, struct swn_err *err);

/* The whole regular file in_fd (from offset 0, with pread) gunzipped and
 * written to out_fd at its offset.  On failure out_fd holds what was
 * written so far: discard it. */
int swn_gunzip_fd(int in_fd, int out_fd, const struct swn_gunzip_limits *lim, uint64_t *out_len,
		  struct swn_err *err);

#endif

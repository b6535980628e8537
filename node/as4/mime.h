/*
 * mime.h - SOAP with Attachments: the multipart/related messages of eDelivery
 * AS4 gateways, read strictly and written.
 *
 * The one place that reads a MIME message a peer sent, as xmlsafe is for
 * XML.  A message is the HTTP Content-Type value and the body, which is
 * either in memory or a regular file (a body spooled to disk, of any size:
 * the file is read through a window of SWN_MIME_WINDOW_BYTES, never whole).
 * It must be exactly RFC 2387 multipart/related over RFC 2046 multipart,
 * with RFC 5322 header fields and RFC 2045 parameters; anything else is
 * refused with the reason, never repaired.  The rules:
 *
 *  - Content-Type: multipart/related with a boundary of 1 to 70 of RFC
 *    2046's bchars not ending in a space, and type="application/soap+xml"
 *    (SOAP 1.2); start, if present, is "<id>" and names the first part.
 *    Parameters: names case-insensitive, values a token or a quoted string
 *    (backslash escapes), white space around ";" and "=", each name once, at
 *    most SWN_MIME_MAX_PARAMS; RFC 2231 names (with "*"), comments, a ";"
 *    with no parameter after it, 8-bit and control bytes are refused.
 *  - Line ends are CRLF as RFC 2046 requires.  Bare LF or CR is refused
 *    where it would end a line (header fields, delimiter lines), and so is
 *    "--BOUNDARY" at the start of a line of anything but a delimiter under
 *    any line-end convention (after CR, LF or CRLF; in the preamble, a
 *    header block, a part's content or the epilogue): a reader that took
 *    bare LF or a line merely beginning with the boundary as a delimiter
 *    would see other parts than this one does.
 *  - Preamble at most SWN_MIME_MAX_PREAMBLE_BYTES, epilogue at most
 *    SWN_MIME_MAX_EPILOGUE_BYTES, transport padding after a boundary at
 *    most SWN_MIME_MAX_PADDING_BYTES; the close delimiter is required.
 *  - 1 to SWN_MIME_MAX_PARTS parts.  Each has a header block of at most
 *    SWN_MIME_MAX_HEADER_BYTES and SWN_MIME_MAX_HEADERS fields (RFC 5322
 *    fields, folding allowed), ended by an empty line; no field name twice
 *    in a part (no field a MIME part carries is multi-valued); no 8-bit or
 *    control bytes in it; no Content-Length (the delimiter ends a part, and
 *    a reader that believed the length would end it elsewhere).
 *  - The first part is the root, the SOAP envelope: Content-Type
 *    application/soap+xml with at most the parameters charset (UTF-8 only)
 *    and action; its Content-ID is optional unless start names it.
 *  - Every other part is a payload: Content-Type required, any media type
 *    but multipart ones; Content-ID required.
 *  - Content-ID is "<id>", id being id-left "@" id-right, each 1 or more
 *    of RFC 5322's atext and ".", at most SWN_MIME_MAX_ID_LEN bytes; ids
 *    unique in the message.
 *  - Content-Transfer-Encoding is binary, 8bit or 7bit (or absent: 7bit);
 *    all three mean the bytes are the content as they are (7bit is not
 *    checked for 8-bit bytes).  base64 and quoted-printable are refused,
 *    not decoded: AS4 gateways send binary, and a part is handed on as a
 *    range of the input, never a decoded copy.
 *
 * cid: URIs (eb:PartInfo/@href, ds:Reference/@URI): RFC 2392 says the URL
 * is the Content-ID percent-encoded, but gateways' WS-Security libraries
 * (WSS4J, under phase4) compare the URI's text after "cid:" with the
 * Content-ID as it is.  So that both read one URI alike, this, the one
 * reader of them (the signature's references go through it too), accepts
 * only the forms on which they agree: "cid:" in lower case, then the id
 * itself, made only of RFC 3986's unreserved and sub-delims characters,
 * ':', '@' and '/', without '%' (no escape is decoded) or '+' (a URL
 * decoder reads a space); it must be an id as below and is compared byte
 * for byte, case-sensitive, with the Content-ID without brackets.  A
 * Content-ID holding other characters is read, but no cid: URI names it
 * (its part cannot be signed or referenced).  swn_mime_cid_href writes the
 * URI of an id, or refuses it.
 *
 * The writer makes exactly this form, CRLF everywhere, every part binary,
 * with a boundary of 128 random bits checked to occur in no part.
 *
 * It does not decompress, decrypt or check signatures, and does not decide
 * which parts an eb:PartInfo must name: the attachment exchange does, with
 * what this reader returns.
 *
 * Invariants after a read succeeds:
 *  - parts[0] is the root; 1 <= nparts <= SWN_MIME_MAX_PARTS.
 *  - every part's content [offset, offset + length) lies inside the body,
 *    and the ranges are in order and do not overlap.
 *  - content_id is without brackets, unique, and "" only for a root part
 *    that has none.
 *  - envelope holds the root's content (envelope_len bytes and a NUL), at
 *    most SWN_MAX_DOCUMENT_BYTES, read when the message was.
 * For a file, the offsets are into the file, which must not change while
 * they are used.
 */
#ifndef SWN_MIME_H
#define SWN_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/swn_limits.h"

/* Buffers: an id and its NUL; a parameter name or media type; a header or
 * parameter value; a boundary. */
#define SWN_MIME_ID_BYTES       (SWN_MIME_MAX_ID_LEN + 1)
#define SWN_MIME_NAME_BYTES     128
#define SWN_MIME_VALUE_BYTES    1024
#define SWN_MIME_BOUNDARY_BYTES 71

/* ---- Content-Type values (RFC 2045) ---- */

struct swn_mime_param {
	char name[SWN_MIME_NAME_BYTES];    /* lower case */
	char value[SWN_MIME_VALUE_BYTES];  /* quotes and escapes removed */
};

struct swn_mime_ctype {
	char media_type[SWN_MIME_NAME_BYTES]; /* "type/subtype", lower case */
	size_t nparams;
	struct swn_mime_param params[SWN_MIME_MAX_PARAMS];
};

/* Parse a Content-Type value as the rules above say. */
int swn_mime_parse_ctype(const char *value, struct swn_mime_ctype *ct, struct swn_err *err);

/* A parameter's value by name (lower case), or NULL. */
const char *swn_mime_ctype_param(const struct swn_mime_ctype *ct, const char *name);

/* ---- the reader ---- */

enum swn_mime_cte {
	SWN_MIME_CTE_ABSENT,   /* no field: 7bit by RFC 2045 */
	SWN_MIME_CTE_7BIT,
	SWN_MIME_CTE_8BIT,
	SWN_MIME_CTE_BINARY,
};

struct swn_mime_part {
	char content_id[SWN_MIME_ID_BYTES];     /* without <> */
	char content_type[SWN_MIME_VALUE_BYTES]; /* the field's value, unfolded and trimmed */
	char media_type[SWN_MIME_NAME_BYTES];    /* its "type/subtype", lower case */
	enum swn_mime_cte cte;
	uint64_t offset;                         /* the content, in the body */
	uint64_t length;
};

struct swn_mime_message {
	char boundary[SWN_MIME_BOUNDARY_BYTES];
	size_t nparts;
	struct swn_mime_part *parts;  /* parts[0] is the root */
	char *envelope;               /* the root's content and a NUL */
	size_t envelope_len;
};

/* Read a message whose body is the whole regular file fd (read with
 * pread: the file offset is not used or moved).  name is what errors call
 * the input.  On failure m is empty and err says why: SWN_E_AS4 for a
 * message that breaks a rule, SWN_E_TOO_LARGE for one over a limit,
 * SWN_E_IO if the file cannot be read. */
int swn_mime_read_fd(const char *content_type, int fd, const char *name,
		     struct swn_mime_message *m, struct swn_err *err);

/* The same for a body in memory (small bodies, tests). */
int swn_mime_read_mem(const char *content_type, const void *body, size_t len,
		      const char *name, struct swn_mime_message *m, struct swn_err *err);

void swn_mime_message_free(struct swn_mime_message *m);

/* The Content-ID a cid: URI names, decoded as above, into id (size n). */
int swn_mime_cid_decode(const char *href, char *id, size_t n, struct swn_err *err);

/* The cid: URI of the Content-ID id (without brackets) into uri (size n):
 * what swn_mime_cid_decode reads back as id.  -1 if id is not an id, holds
 * a character no cid: URI may, or does not fit. */
int swn_mime_cid_href(const char *id, char *uri, size_t n);

/* The index of the part a cid: URI names; -1 with err if it is not a cid:
 * URI of an id or names no part. */
long swn_mime_find_cid(const struct swn_mime_message *m, const char *href,
		       struct swn_err *err);

/* ---- the writer ---- */

/* A payload part: its content as bytes (fd -1), or as the whole regular
 * file fd (read with pread; it must not change while it is written). */
struct swn_mime_payload {
	const char *content_id;    /* without <> */
	const char *content_type;  /* e.g. "application/gzip"; not multipart */
	const void *data;
	size_t len;
	int fd;
};

struct swn_mime_out {
	const char *envelope;
	size_t envelope_len;
	const char *root_id;       /* without <>; NULL: no Content-ID, no start */
	const char *action;        /* the root's action parameter, or NULL */
	const struct swn_mime_payload *payloads;
	size_t npayloads;
};

/* Where the writer's bytes go; returns 0, or -1 with err. */
typedef int (*swn_mime_sink_fn)(void *ctx, const void *p, size_t n, struct swn_err *err);

/* Write msg as multipart/related to sink, and the HTTP Content-Type value
 * to send with it into content_type (size n).  boundary NULL: a fresh
 * random one; a boundary given (tests) is checked like a random one.  The
 * ids, content types and action are checked by the reader's rules first,
 * and the boundary against every part, so nothing is written for a
 * message the reader would refuse. */
int swn_mime_write(const struct swn_mime_out *msg, const char *boundary,
		   swn_mime_sink_fn sink, void *ctx, char *content_type, size_t n,
		   struct swn_err *err);

/* The Content-Type value swn_mime_write gave a body it wrote without a
 * root id (the node's own outgoing messages, kept in its ledger): the
 * boundary read back from the body's first line, which must be
 * "--BOUNDARY" CRLF with a boundary of RFC 2046 characters.  0, or -1
 * when the body does not begin as that writer's do (or n is too small). */
int swn_mime_written_ctype(const void *body, size_t len, char *content_type, size_t n);

/* The same to a file descriptor, written whole (a short write retried). */
int swn_mime_write_fd(const struct swn_mime_out *msg, int fd, char *content_type,
		      size_t n, struct swn_err *err);

#endif

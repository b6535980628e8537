/*
 * httpd.h - one HTTP/1.1 server connection on a bufferevent, read
 * strictly, a request's body written to the caller's file as it arrives.
 *
 * Why not evhttp: libevent 2.1 hands a server the request only once its
 * whole body is in memory (a body callback can be set only from
 * evhttp_set_newreqcb, new in 2.2).  A node that receives gigabyte
 * messages writes them to a file instead; this is the reader that lets it.
 *
 * What it reads, and nothing else (RFC 9112):
 *  - the request line: METHOD SP TARGET SP HTTP/1.0|HTTP/1.1 CRLF, the
 *    method a token of at most 15 characters, the target origin-form ("/"
 *    then visible ASCII) of at most SWN_HTTPD_TARGET_BYTES - 1;
 *  - header fields "name:" OWS value OWS CRLF: token names, values of
 *    visible ASCII, blanks and bytes over 0x7f; no obsolete line folding,
 *    no bare CR or LF anywhere; at most SWN_HTTPD_MAX_FIELDS fields and
 *    SWN_MAX_HTTP_HEADERS_BYTES for the whole head (empty lines before the
 *    request line are skipped, counted);
 *  - a body by one Content-Length (digits only) or by Transfer-Encoding
 *    "chunked" alone (chunk sizes in at most 16 hex digits, extensions and
 *    trailer fields read and dropped, counted as the head is); both, two
 *    lengths or another coding are refused: the body's end is decided here
 *    once, never guessed;
 *  - "Expect: 100-continue" answered with 100 Continue once the caller
 *    takes the body; another expectation is refused (417).
 * A request the reader refuses gets its status (400, 413, 417, 501) with
 * "Connection: close", the caller is told why (refused), and the connection
 * closes once the reply is out.  Requests are read one at a time: bytes
 * after a request wait until its reply has gone out.
 *
 * What it does not: TLS, routes, connection limits or request deadlines
 * (the caller's; an idle timeout is set with swn_httpd_set_idle).
 *
 * Invariants callers may rely on:
 *  - every callback runs on the connection's loop; after closed() no
 *    callback runs again and the caller frees h (swn_httpd_free) there or
 *    later, never h's bufferevent itself;
 *  - body() sees exactly the bytes the request's framing says, all of
 *    them written to the caller's fd, never more than the max it gave;
 *  - one reply per request: the request's fields stay valid until
 *    swn_httpd_reply; after it, sent() (or closed()) follows.
 */
#ifndef SWN_NET_HTTPD_H
#define SWN_NET_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "base/swn_limits.h"

struct bufferevent;
struct swn_httpd;

#define SWN_HTTPD_TARGET_BYTES 2048
#define SWN_HTTPD_MAX_FIELDS   64

struct swn_httpd_field {
	const char *name, *value;     /* NUL-terminated, in the request's head */
};

struct swn_httpd_request {
	char method[16];
	const char *target;           /* origin-form, as sent */
	int minor;                    /* HTTP/1.minor: 0 or 1 */
	size_t nfields;
	struct swn_httpd_field fields[SWN_HTTPD_MAX_FIELDS];
	int chunked;                  /* Transfer-Encoding: chunked */
	int has_length;               /* Content-Length given: */
	uint64_t length;
	int keep_alive;               /* the connection may carry another request */
};

/* The value of field name (case-insensitive), or NULL; a field given
 * twice is the first. */
const char *swn_httpd_field(const struct swn_httpd_request *r, const char *name);

/* The path of r's target (before '?') into out (size n); its query, or
 * NULL, is returned through *query (pointing into r). */
int swn_httpd_path(const struct swn_httpd_request *r, char *out, size_t n, const char **query);

struct swn_httpd_handler {
	/* The head is in.  Return 1 to take the body: written to *fd from
	 * its offset, at most *max bytes (more is refused with 413); a body
	 * of 0 bytes needs no fd.  Return 0 when the caller has replied
	 * (swn_httpd_reply) without reading a body: a body that follows is
	 * then read and dropped, or the connection closed if it is large. */
	int (*head)(void *ctx, struct swn_httpd *h, const struct swn_httpd_request *r, int *fd,
		    uint64_t *max);
	/* The whole body is in (len bytes written to fd): reply, now or
	 * later, with swn_httpd_reply. */
	void (*body)(void *ctx, struct swn_httpd *h, const struct swn_httpd_request *r, uint64_t len);
	/* The reader refused the request with status (why: what was wrong),
	 * or the body passed the max (413); the reply is being sent. */
	void (*refused)(void *ctx, struct swn_httpd *h, int status, const char *why);
	/* A reply went out and the connection waits for the next request. */
	void (*sent)(void *ctx, struct swn_httpd *h);
	/* The connection is over (closed by the client, an error, a timeout,
	 * or after a reply that closes it).  May be NULL. */
	void (*closed)(void *ctx, struct swn_httpd *h);
};

/* Serve the connection bev (taken: freed with h), reading at once.  NULL
 * when out of memory (bev is then freed). */
struct swn_httpd *swn_httpd_new(struct bufferevent *bev, const struct swn_httpd_handler *handler,
				void *ctx);
void swn_httpd_free(struct swn_httpd *h);

struct bufferevent *swn_httpd_bufferevent(struct swn_httpd *h);

/* No byte read or written for seconds: the connection closes. */
void swn_httpd_set_idle(struct swn_httpd *h, int seconds);

/* Answer the current request: status, reason phrase, the body's content
 * type (NULL: none), extra header lines (each "Name: value\r\n"; NULL:
 * none), and the body.  Content-Length is added, and "Connection: close"
 * when the connection ends after it. */
void swn_httpd_reply(struct swn_httpd *h, int status, const char *reason, const char *content_type,
		     const char *extra, const void *body, size_t len);

/* Close after the current reply (or now, when none is owed). */
void swn_httpd_close_after(struct swn_httpd *h);

/* 1 while a request is being read or answered, 0 between requests. */
int swn_httpd_busy(const struct swn_httpd *h);

#endif

/* httpd.c - one HTTP/1.1 server connection, read strictly; see httpd.h. */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/bufferevent.h>

#include "net/httpd.h"

/* A chunk-size line: the size, and an extension we drop. */
#define CHUNK_LINE_BYTES 1024

/* Input held at most before the reader consumes it (the head's limit and
 * a body's chunk fit well within it). */
#define READ_HIGH_WATER (256u * 1024u)

enum state {
	ST_HEAD,          /* reading the request line and fields */
	ST_LENGTH,        /* a body of Content-Length bytes */
	ST_CHUNK_SIZE,    /* a chunk-size line */
	ST_CHUNK_DATA,
	ST_CHUNK_END,     /* the CRLF after a chunk's data */
	ST_TRAILER,       /* trailer fields up to the empty line */
	ST_HANDLING,      /* the request is in; its reply is owed */
	ST_WRITING,       /* the reply is going out */
	ST_CLOSED,
};

struct swn_httpd {
	struct bufferevent *bev;
	const struct swn_httpd_handler *hd;
	void *ctx;
	enum state state;
	char *head;              /* the head's lines, each NUL-terminated */
	size_t head_len;         /* bytes of head used */
	size_t seen;             /* bytes of head, skipped lines and trailers read */
	int got_line;            /* the request line is in */
	struct swn_httpd_request req;
	int fd;                  /* the body's file */
	uint64_t max, got, left; /* body: the cap, read so far, left of this chunk or length */
	int take_body;           /* the caller takes the body (else it is not read) */
	int in_head;             /* inside the caller's head(): a reply now leaves the body unread */
	int close_after;
	int eof;                 /* the client has finished sending */
	int in_sent;             /* inside the caller's sent(): closing waits for its return */
};

static const char *reason_of(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 413: return "Content Too Large";
	case 417: return "Expectation Failed";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static void on_read(struct bufferevent *bev, void *arg);

static void do_close(struct swn_httpd *h)
{
	if (h->state == ST_CLOSED)
		return;
	h->state = ST_CLOSED;
	bufferevent_disable(h->bev, EV_READ | EV_WRITE);
	if (h->hd->closed)
		h->hd->closed(h->ctx, h);   /* may free h */
}

/* The reader's own refusal: told to the caller, answered, closed after. */
static void refuse(struct swn_httpd *h, int status, const char *why)
{
	char text[600];

	h->close_after = 1;
	h->state = ST_HANDLING;
	bufferevent_disable(h->bev, EV_READ);
	if (h->hd->refused)
		h->hd->refused(h->ctx, h, status, why);
	snprintf(text, sizeof text, "%s\n", why);
	swn_httpd_reply(h, status, reason_of(status), "text/plain; charset=UTF-8", NULL, text,
			strlen(text));
}

static int is_tchar(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* One line (without its CRLF) from the input into dst (room n): 1 read,
 * 0 not all here yet, -1 malformed (a bare CR or LF, a NUL), -2 too long
 * (over n - 1, or, for a line of the head or a trailer (counted), over
 * what the head may still take); why says which. */
static int take_line(struct swn_httpd *h, char *dst, size_t n, int counted, size_t *len,
		     const char **why)
{
	struct evbuffer *in = bufferevent_get_input(h->bev);
	struct evbuffer_ptr eol;
	size_t eol_len = 0, line, budget = counted ? SWN_MAX_HTTP_HEADERS_BYTES - h->seen : n, i;

	if (budget > n)
		budget = n;
	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
	if (eol.pos < 0) {
		if (evbuffer_get_length(in) >= budget) {
			*why = counted ? "the request head is over the limit" : "a chunk-size line is too long";
			return -2;
		}
		return 0;
	}
	line = (size_t)eol.pos;
	if (line + 1 > budget) {
		*why = counted ? "the request head is over the limit" : "a chunk-size line is too long";
		return -2;
	}
	if (evbuffer_remove(in, dst, line + 1) != (int)(line + 1)) {
		*why = "cannot read the request";
		return -1;
	}
	if (counted)
		h->seen += line + 1;
	if (line == 0 || dst[line - 1] != '\r') {
		*why = "a line of the request does not end in CRLF";
		return -1;
	}
	line--;
	for (i = 0; i < line; i++)
		if (dst[i] == '\r' || dst[i] == '\0') {
			*why = "a bare CR or a NUL in a line of the request";
			return -1;
		}
	dst[line] = '\0';
	*len = line;
	return 1;
}

static int parse_request_line(struct swn_httpd *h, char *line, const char **why)
{
	struct swn_httpd_request *r = &h->req;
	char *sp1 = strchr(line, ' '), *sp2, *p;
	size_t mlen;

	if (!sp1 || !(sp2 = strchr(sp1 + 1, ' ')) || strchr(sp2 + 1, ' ')) {
		*why = "the request line is not METHOD TARGET VERSION";
		return -1;
	}
	mlen = (size_t)(sp1 - line);
	if (mlen == 0 || mlen >= sizeof r->method) {
		*why = "the method is empty or too long";
		return -1;
	}
	for (p = line; p < sp1; p++)
		if (!is_tchar((unsigned char)*p)) {
			*why = "the method is not a token";
			return -1;
		}
	memcpy(r->method, line, mlen);
	r->method[mlen] = '\0';
	*sp1 = *sp2 = '\0';
	r->target = sp1 + 1;
	/* The absolute form (RFC 9112, 3.2.2) is taken by its path. */
	if (strncasecmp(r->target, "http://", 7) == 0 || strncasecmp(r->target, "https://", 8) == 0) {
		const char *path = strchr(strstr(r->target, "//") + 2, '/');

		r->target = path ? path : "/";
	}
	if (r->target[0] != '/' || strlen(r->target) >= SWN_HTTPD_TARGET_BYTES) {
		*why = "the target is not a path of at most 2047 characters";
		return -1;
	}
	for (p = sp1 + 1; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			*why = "the target holds a character that is not visible ASCII";
			return -1;
		}
	if (strcmp(sp2 + 1, "HTTP/1.1") == 0) {
		r->minor = 1;
	} else if (strcmp(sp2 + 1, "HTTP/1.0") == 0) {
		r->minor = 0;
	} else {
		*why = "the version is not HTTP/1.0 or HTTP/1.1";
		return -1;
	}
	return 0;
}

/* "name:" OWS value OWS, split in place. */
static int parse_field(struct swn_httpd *h, char *line, const char **why)
{
	struct swn_httpd_request *r = &h->req;
	char *colon = strchr(line, ':'), *v, *end, *p;

	if (line[0] == ' ' || line[0] == '\t') {
		*why = "a folded header line (obsolete line folding)";
		return -1;
	}
	if (colon == NULL || colon == line) {
		*why = "a header line without a name and a colon";
		return -1;
	}
	for (p = line; p < colon; p++)
		if (!is_tchar((unsigned char)*p)) {
			*why = "a header name that is not a token";
			return -1;
		}
	if (r->nfields == SWN_HTTPD_MAX_FIELDS) {
		*why = "too many header fields";
		return -1;
	}
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	for (p = v; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f) {
			*why = "a header value with a control character";
			return -1;
		}
	r->fields[r->nfields].name = line;
	r->fields[r->nfields].value = v;
	r->nfields++;
	return 0;
}

const char *swn_httpd_field(const struct swn_httpd_request *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (strcasecmp(r->fields[i].name, name) == 0)
			return r->fields[i].value;
	return NULL;
}

static size_t count_field(const struct swn_httpd_request *r, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < r->nfields; i++)
		n += strcasecmp(r->fields[i].name, name) == 0;
	return n;
}

/* Does a comma-separated list of tokens hold tok (case-insensitive)? */
static int list_has(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	const char *p = list;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (strncasecmp(p, tok, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return 1;
		while (*p && *p != ',')
			p++;
	}
	return 0;
}

int swn_httpd_path(const struct swn_httpd_request *r, char *out, size_t n, const char **query)
{
	const char *q = strchr(r->target, '?');
	size_t len = q ? (size_t)(q - r->target) : strlen(r->target);

	*query = q ? q + 1 : NULL;
	if (len >= n)
		return -1;
	memcpy(out, r->target, len);
	out[len] = '\0';
	return 0;
}

/* The head is in: the body's framing, decided here once; then the
 * caller's route. */
static void head_done(struct swn_httpd *h)
{
	struct swn_httpd_request *r = &h->req;
	const char *te = swn_httpd_field(r, "Transfer-Encoding"), *cl = swn_httpd_field(r, "Content-Length");
	const char *expect = swn_httpd_field(r, "Expect");
	size_t i;

	r->keep_alive = r->minor == 1;
	for (i = 0; i < r->nfields; i++)
		if (strcasecmp(r->fields[i].name, "Connection") == 0 && list_has(r->fields[i].value, "close"))
			r->keep_alive = 0;
	if (te && cl) {
		refuse(h, 400, "both Transfer-Encoding and Content-Length");
		return;
	}
	if (te) {
		if (count_field(r, "Transfer-Encoding") != 1 || strcasecmp(te, "chunked") != 0) {
			refuse(h, 501, "a transfer coding other than chunked alone");
			return;
		}
		if (r->minor == 0) {
			refuse(h, 400, "Transfer-Encoding in an HTTP/1.0 request");
			return;
		}
		r->chunked = 1;
	} else if (cl) {
		uint64_t v = 0;
		const char *p;

		if (count_field(r, "Content-Length") != 1 || *cl == '\0' || strlen(cl) > 19) {
			refuse(h, 400, "Content-Length is not one whole number");
			return;
		}
		for (p = cl; *p; p++) {
			if (*p < '0' || *p > '9') {
				refuse(h, 400, "Content-Length is not one whole number");
				return;
			}
			v = v * 10 + (uint64_t)(*p - '0');
		}
		r->has_length = 1;
		r->length = v;
	}
	if (r->minor == 0)
		expect = NULL;   /* HTTP/1.0 has no expectations (RFC 9110, 10.1.1) */
	if (expect && strcasecmp(expect, "100-continue") != 0) {
		refuse(h, 417, "an expectation other than 100-continue");
		return;
	}
	h->fd = -1;
	h->max = 0;
	h->got = 0;
	h->state = ST_HANDLING;
	h->in_head = 1;
	h->take_body = h->hd->head(h->ctx, h, r, &h->fd, &h->max);
	h->in_head = 0;
	if (h->state == ST_CLOSED)
		return;
	if (!h->take_body) {
		/* Answered without the body: one that follows is not read. */
		if (r->chunked || (r->has_length && r->length > 0))
			h->close_after = 1;
		return;
	}
	if (r->has_length && r->length > h->max) {
		char why[120];

		snprintf(why, sizeof why, "the body is over %llu bytes", (unsigned long long)h->max);
		refuse(h, 413, why);
		return;
	}
	if ((r->chunked || r->length > 0) && h->fd < 0) {
		refuse(h, 503, "the body cannot be stored");
		return;
	}
	if (expect && evbuffer_get_length(bufferevent_get_input(h->bev)) == 0)
		bufferevent_write(h->bev, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	h->left = r->length;
	h->state = r->chunked ? ST_CHUNK_SIZE : ST_LENGTH;
}

/* Up to h->left bytes of the input to the body's file. */
static int body_bytes(struct swn_httpd *h)
{
	struct evbuffer *in = bufferevent_get_input(h->bev);
	size_t avail = evbuffer_get_length(in);
	uint64_t want = h->left < avail ? h->left : avail;

	while (want > 0) {
		int n = evbuffer_write_atmost(in, h->fd, (ev_ssize_t)(want > (1u << 20) ? (1u << 20) : want));

		if (n <= 0) {
			refuse(h, 503, errno == ENOSPC ? "the body cannot be stored: disk full"
						       : "the body cannot be stored");
			return -1;
		}
		want -= (uint64_t)n;
		h->left -= (uint64_t)n;
		h->got += (uint64_t)n;
	}
	return 0;
}

/* A chunk-size line: hex digits, then nothing or an extension. */
static int chunk_size(const char *line, uint64_t *size)
{
	uint64_t v = 0;
	int digits = 0;
	const char *p;

	for (p = line; *p && *p != ';'; p++) {
		int d = (*p >= '0' && *p <= '9') ? *p - '0' : (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10
			: (*p >= 'A' && *p <= 'F') ? *p - 'A' + 10 : -1;

		if (d < 0 || ++digits > 16)
			return -1;
		v = v * 16 + (uint64_t)d;
	}
	if (digits == 0)
		return -1;
	*size = v;
	return 0;
}

static void request_in(struct swn_httpd *h)
{
	h->state = ST_HANDLING;
	bufferevent_disable(h->bev, EV_READ);
	h->hd->body(h->ctx, h, &h->req, h->got);
}

/* Read what can be read in the state the connection is in. */
static void advance(struct swn_httpd *h)
{
	struct evbuffer *in = bufferevent_get_input(h->bev);
	const char *why = NULL;
	size_t len;
	int rc;

	for (;;) {
		switch (h->state) {
		case ST_HEAD:
			if (h->head == NULL) {
				if (evbuffer_get_length(in) == 0)
					goto more;
				if (!(h->head = malloc(SWN_MAX_HTTP_HEADERS_BYTES + 1))) {
					refuse(h, 503, "out of memory");
					return;
				}
				h->head_len = h->seen = 0;
				h->got_line = 0;
				memset(&h->req, 0, sizeof h->req);
			}
			rc = take_line(h, h->head + h->head_len, SWN_MAX_HTTP_HEADERS_BYTES + 1 - h->head_len, 1,
				       &len, &why);
			if (rc < 0) {
				refuse(h, rc == -2 ? 413 : 400, why);
				return;
			}
			if (rc == 0)
				goto more;
			if (!h->got_line) {
				if (len == 0)
					continue;   /* an empty line before the request line */
				if (parse_request_line(h, h->head + h->head_len, &why) < 0) {
					refuse(h, 400, why);
					return;
				}
				h->got_line = 1;
			} else if (len == 0) {
				head_done(h);
				if (h->state == ST_HANDLING || h->state == ST_WRITING || h->state == ST_CLOSED)
					return;
				if (h->state == ST_LENGTH && h->left == 0) {
					request_in(h);
					return;
				}
				continue;
			} else if (parse_field(h, h->head + h->head_len, &why) < 0) {
				refuse(h, 400, why);
				return;
			}
			h->head_len += len + 1;
			break;
		case ST_LENGTH:
			if (body_bytes(h) < 0)
				return;
			if (h->left > 0)
				goto more;
			request_in(h);
			return;
		case ST_CHUNK_SIZE: {
			char line[CHUNK_LINE_BYTES];
			uint64_t size;

			rc = take_line(h, line, sizeof line, 0, &len, &why);
			if (rc < 0) {
				refuse(h, 400, why);
				return;
			}
			if (rc == 0)
				goto more;
			if (chunk_size(line, &size) < 0) {
				refuse(h, 400, "a chunk size that is not 1 to 16 hex digits");
				return;
			}
			if (size > h->max - h->got) {
				char text[120];

				snprintf(text, sizeof text, "the body is over %llu bytes",
					 (unsigned long long)h->max);
				refuse(h, 413, text);
				return;
			}
			h->left = size;
			h->state = size == 0 ? ST_TRAILER : ST_CHUNK_DATA;
			break;
		}
		case ST_CHUNK_DATA:
			if (body_bytes(h) < 0)
				return;
			if (h->left > 0)
				goto more;
			h->state = ST_CHUNK_END;
			break;
		case ST_CHUNK_END: {
			char crlf[2];

			if (evbuffer_get_length(in) < 2)
				goto more;
			evbuffer_remove(in, crlf, 2);
			if (crlf[0] != '\r' || crlf[1] != '\n') {
				refuse(h, 400, "a chunk's data is not followed by CRLF");
				return;
			}
			h->state = ST_CHUNK_SIZE;
			break;
		}
		case ST_TRAILER: {
			char line[CHUNK_LINE_BYTES];

			rc = take_line(h, line, sizeof line, 1, &len, &why);
			if (rc < 0) {
				refuse(h, rc == -2 ? 413 : 400, why);
				return;
			}
			if (rc == 0)
				goto more;
			if (len == 0) {
				request_in(h);
				return;
			}
			if (!strchr(line, ':') || line[0] == ':' || line[0] == ' ' || line[0] == '\t') {
				refuse(h, 400, "a trailer line that is not a field");
				return;
			}
			break;
		}
		case ST_HANDLING:
		case ST_WRITING:
		case ST_CLOSED:
			return;
		}
	}
more:
	if (h->eof) {
		/* The client finished mid-request, or between requests. */
		do_close(h);
		return;
	}
	/* The head's deadline runs from its first byte: the caller's. */
}

static void on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	advance(arg);
}

static void on_write(struct bufferevent *bev, void *arg)
{
	struct swn_httpd *h = arg;

	(void)bev;
	if (h->state != ST_WRITING)
		return;
	if (h->close_after || h->eof) {
		do_close(h);
		return;
	}
	free(h->head);
	h->head = NULL;
	h->state = ST_HEAD;
	bufferevent_enable(h->bev, EV_READ);
	if (h->hd->sent) {
		h->in_sent = 1;
		h->hd->sent(h->ctx, h);
		h->in_sent = 0;
	}
	if (h->close_after) {
		do_close(h);   /* asked for in sent(): h may be freed now */
		return;
	}
	advance(h);   /* a request already waiting */
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct swn_httpd *h = arg;

	(void)bev;
	if (what == BEV_EVENT_CONNECTED)
		return;   /* a TLS handshake completed: the reading goes on */
	if ((what & BEV_EVENT_EOF) && !(what & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))) {
		h->eof = 1;
		if (h->state == ST_HANDLING || h->state == ST_WRITING)
			return;   /* the reply goes out, then the connection closes */
		advance(h);
		return;
	}
	do_close(h);
}

struct swn_httpd *swn_httpd_new(struct bufferevent *bev, const struct swn_httpd_handler *handler,
				void *ctx)
{
	struct swn_httpd *h = calloc(1, sizeof *h);

	if (h == NULL) {
		bufferevent_free(bev);
		return NULL;
	}
	h->bev = bev;
	h->hd = handler;
	h->ctx = ctx;
	h->fd = -1;
	h->state = ST_HEAD;
	bufferevent_setcb(bev, on_read, on_write, on_event, h);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	/* libevent stops reading past this much input not yet consumed. */
	bufferevent_setwatermark(bev, EV_READ, 0, READ_HIGH_WATER);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	return h;
}

void swn_httpd_free(struct swn_httpd *h)
{
	if (h == NULL)
		return;
	bufferevent_free(h->bev);
	free(h->head);
	free(h);
}

struct bufferevent *swn_httpd_bufferevent(struct swn_httpd *h)
{
	return h->bev;
}

void swn_httpd_set_idle(struct swn_httpd *h, int seconds)
{
	struct timeval tv = { seconds, 0 };

	bufferevent_set_timeouts(h->bev, &tv, &tv);
}

void swn_httpd_reply(struct swn_httpd *h, int status, const char *reason, const char *content_type,
		     const char *extra, const void *body, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(h->bev);

	if (h->state != ST_HANDLING)
		return;
	/* Nothing more is read until the reply is out: a client that sends
	 * and never reads cannot make the input grow. */
	bufferevent_disable(h->bev, EV_READ);
	if (!h->req.keep_alive || h->eof ||
	    (h->in_head && (h->req.chunked || (h->req.has_length && h->req.length > 0))))
		h->close_after = 1;   /* a body not read cannot be told from a next request */
	h->state = ST_WRITING;
	{
		char date[64];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, reason, date);
	}
	if (content_type)
		evbuffer_add_printf(out, "Content-Type: %s\r\n", content_type);
	if (extra)
		evbuffer_add(out, extra, strlen(extra));
	evbuffer_add_printf(out, "Content-Length: %zu\r\n%s\r\n", len,
			    h->close_after ? "Connection: close\r\n" : "");
	if (len > 0)
		evbuffer_add(out, body, len);
	bufferevent_enable(h->bev, EV_WRITE);
}

void swn_httpd_close_after(struct swn_httpd *h)
{
	h->close_after = 1;
	if (h->state == ST_HEAD && h->head == NULL && !h->in_sent)
		do_close(h);
}

int swn_httpd_busy(const struct swn_httpd *h)
{
	return h->state != ST_HEAD || h->head != NULL;
}

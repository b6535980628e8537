/* mime.c - SOAP with Attachments read strictly and written; see mime.h.
 *
 * Implementation notes.  The body is reached only through body_at(), which
 * gives a pointer into memory or into a window of a file read with pread,
 * so a body in a file costs one window whatever its size.  Parts are found
 * by searching for "--BOUNDARY" (memmem) and looking at the byte before
 * each hit: a hit at the start of a line under any line-end convention
 * must be a delimiter preceded by CRLF, or the message is refused.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "as4/mime.h"

#define CTYPE_WHAT "Content-Type"

/* ---- characters (ASCII, whatever the locale) ---- */

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 2045 token: US-ASCII printable, no space, no tspecials. */
static int is_token_char(int c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* RFC 2046 bchars. */
static int is_bchar(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

/* RFC 5322 atext, and "." of dot-atom-text. */
static int is_id_char(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL);
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* id-left "@" id-right, each one or more id characters, at most
 * SWN_MIME_MAX_ID_LEN bytes. */
static int id_ok(const char *s, size_t len)
{
	size_t i, at = 0, ats = 0;

	if (len == 0 || len > SWN_MIME_MAX_ID_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '@') {
			at = i;
			ats++;
		} else if (!is_id_char((unsigned char)s[i])) {
			return 0;
		}
	}
	return ats == 1 && at > 0 && at + 1 < len;
}

static int boundary_ok(const char *b)
{
	size_t i, n = strlen(b);

	if (n == 0 || n > 70 || b[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if (!is_bchar((unsigned char)b[i]))
			return 0;
	return 1;
}

/* The first n-byte needle in hay (memmem, which glibc hides behind
 * _GNU_SOURCE), or NULL. */
static const void *find_bytes(const void *hay, size_t len, const void *needle, size_t n)
{
	const unsigned char *h = hay, *end = h + len, *p;
	unsigned char first = *(const unsigned char *)needle;

	if (n == 0 || len < n)
		return NULL;
	for (p = h; (size_t)(end - p) >= n; p++) {
		p = memchr(p, first, (size_t)(end - p) - n + 1);
		if (p == NULL)
			return NULL;
		if (memcmp(p, needle, n) == 0)
			return p;
	}
	return NULL;
}

/* ---- Content-Type values (RFC 2045) ---- */

static void skip_wsp(const char **p)
{
	while (is_wsp((unsigned char)**p))
		(*p)++;
}

/* A token into out (lower case when asked); what names it in errors. */
static int take_token(const char **p, char *out, size_t n, int fold, const char *what,
		      struct swn_err *err)
{
	size_t len = 0;

	while (is_token_char((unsigned char)**p)) {
		if (len + 1 >= n)
			return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
					   "%s: %s longer than %zu bytes", CTYPE_WHAT, what, n - 1);
		out[len++] = (char)(fold ? lower((unsigned char)**p) : **p);
		(*p)++;
	}
	out[len] = '\0';
	if (len == 0) {
		if (**p == '(')
			return swn_err_set(err, SWN_E_AS4, NULL, 0,
					   "%s: comments are not accepted", CTYPE_WHAT);
		if (**p == '\0')
			return swn_err_set(err, SWN_E_AS4, NULL, 0, "%s: %s missing at the end",
					   CTYPE_WHAT, what);
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "%s: %s expected, not '%c' (0x%02x)",
				   CTYPE_WHAT, what, **p, (unsigned char)**p);
	}
	return 0;
}

/* A quoted-string (at its opening quote) into out, escapes removed. */
static int take_quoted(const char **p, char *out, size_t n, struct swn_err *err)
{
	size_t len = 0;
	const char *s = *p + 1;

	for (;;) {
		int c = (unsigned char)*s;

		if (c == '"')
			break;
		if (c == '\\') {
			s++;
			c = (unsigned char)*s;
		}
		if (c == '\0')
			return swn_err_set(err, SWN_E_AS4, NULL, 0,
					   "%s: a quoted string is not closed", CTYPE_WHAT);
		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return swn_err_set(err, SWN_E_AS4, NULL, 0,
					   "%s: byte 0x%02x in a quoted string", CTYPE_WHAT, c);
		if (len + 1 >= n)
			return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
					   "%s: a parameter value longer than %zu bytes",
					   CTYPE_WHAT, n - 1);
		out[len++] = (char)c;
		s++;
	}
	out[len] = '\0';
	*p = s + 1;
	return 0;
}

static int take_param(const char **p, struct swn_mime_ctype *ct, struct swn_err *err)
{
	struct swn_mime_param *pa;
	size_t i;

	if (ct->nparams == SWN_MIME_MAX_PARAMS)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "%s: more than %d parameters",
				   CTYPE_WHAT, SWN_MIME_MAX_PARAMS);
	pa = &ct->params[ct->nparams];
	if (take_token(p, pa->name, sizeof pa->name, 1, "a parameter name", err) < 0)
		return -1;
	if (strchr(pa->name, '*') != NULL)
		return swn_err_set(err, SWN_E_AS4, NULL, 0,
				   "%s: parameter '%s': RFC 2231 continuations and encodings are "
				   "not accepted", CTYPE_WHAT, pa->name);
	for (i = 0; i < ct->nparams; i++)
		if (strcmp(ct->params[i].name, pa->name) == 0)
			return swn_err_set(err, SWN_E_AS4, NULL, 0,
					   "%s: parameter '%s' given twice", CTYPE_WHAT, pa->name);
	skip_wsp(p);
	if (**p != '=')
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "%s: parameter '%s' has no '=' value",
				   CTYPE_WHAT, pa->name);
	(*p)++;
	skip_wsp(p);
	if (**p == '"') {
		if (take_quoted(p, pa->value, sizeof pa->value, err) < 0)
			return -1;
	} else if (take_token(p, pa->value, sizeof pa->value, 0, "a parameter value", err) < 0) {
		return -1;
	} else if (**p == '/' || **p == '@' || **p == ':' || **p == '?' || **p == '=') {
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "%s: parameter '%s': a value with '%c' "
				   "must be quoted (RFC 2045)", CTYPE_WHAT, pa->name, **p);
	}
	ct->nparams++;
	return 0;
}

int swn_mime_parse_ctype(const char *value, struct swn_mime_ctype *ct, struct swn_err *err)
{
	char type[SWN_MIME_NAME_BYTES / 2], sub[SWN_MIME_NAME_BYTES / 2];
	const char *p = value;

	memset(ct, 0, sizeof *ct);
	skip_wsp(&p);
	if (take_token(&p, type, sizeof type, 1, "the media type", err) < 0)
		return -1;
	if (*p != '/')
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "%s: '%s' is not type/subtype",
				   CTYPE_WHAT, type);
	p++;
	if (take_token(&p, sub, sizeof sub, 1, "the media subtype", err) < 0)
		return -1;
	snprintf(ct->media_type, sizeof ct->media_type, "%s/%s", type, sub);
	for (;;) {
		skip_wsp(&p);
		if (*p == '\0')
			return 0;
		if (*p == '(')
			return swn_err_set(err, SWN_E_AS4, NULL, 0,
					   "%s: comments are not accepted", CTYPE_WHAT);
		if (*p != ';')
			return swn_err_set(err, SWN_E_AS4, NULL, 0,
					   "%s: ';' expected, not '%c' (0x%02x)", CTYPE_WHAT, *p,
					   (unsigned char)*p);
		p++;
		skip_wsp(&p);
		if (*p == '\0')
			return swn_err_set(err, SWN_E_AS4, NULL, 0,
					   "%s: ';' with no parameter after it", CTYPE_WHAT);
		if (take_param(&p, ct, err) < 0)
			return -1;
	}
}

const char *swn_mime_ctype_param(const struct swn_mime_ctype *ct, const char *name)
{
	size_t i;

	for (i = 0; i < ct->nparams; i++)
		if (strcmp(ct->params[i].name, name) == 0)
			return ct->params[i].value;
	return NULL;
}

/* "<id>" into id (without brackets). */
static int bracketed_id(const char *v, char *id, const char *what, struct swn_err *err)
{
	size_t n = strlen(v);

	if (n < 2 || v[0] != '<' || v[n - 1] != '>' || !id_ok(v + 1, n - 2))
		return swn_err_set(err, SWN_E_AS4, NULL, 0,
				   "%s '%s' is not <id-left@id-right> (RFC 2392; at most %d "
				   "characters of atext and '.' each side of one '@')",
				   what, v, SWN_MIME_MAX_ID_LEN);
	memcpy(id, v + 1, n - 2);
	id[n - 2] = '\0';
	return 0;
}

/* ---- the body: memory, or a file read through a window ---- */

struct body {
	const char *name;
	int fd;                        /* -1: mem */
	const unsigned char *mem;
	uint64_t size;
	unsigned char *win;
	uint64_t win_off;
	size_t win_len;
};

/* Read the window to start at off; at least need bytes must come. */
static int refill(struct body *b, uint64_t off, size_t need, struct swn_err *err)
{
	size_t want = SWN_MIME_WINDOW_BYTES, got = 0;

	if (b->size - off < want)
		want = (size_t)(b->size - off);
	while (got < want) {
		ssize_t r = pread(b->fd, b->win + got, want - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return swn_err_set(err, SWN_E_IO, b->name, 0, "cannot read: %s",
					   strerror(errno));
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got < need)
		return swn_err_set(err, SWN_E_IO, b->name, 0,
				   "the file ended at byte %llu while it was read: it changed",
				   (unsigned long long)(off + got));
	b->win_off = off;
	b->win_len = got;
	return 0;
}

/* The bytes at off (need of them at least, need <= size - off and <= the
 * window): *p, and *avail bytes that can be read there. */
static int body_at(struct body *b, uint64_t off, size_t need, const unsigned char **p,
		   size_t *avail, struct swn_err *err)
{
	if (b->fd < 0) {
		*p = b->mem + off;
		*avail = (size_t)(b->size - off);
		return 0;
	}
	if (off < b->win_off || off + need > b->win_off + b->win_len ||
	    (off == b->win_off + b->win_len && off < b->size))
		if (refill(b, off, need, err) < 0)
			return -1;
	*p = b->win + (off - b->win_off);
	*avail = (size_t)(b->win_off + b->win_len - off);
	return 0;
}

static int body_byte(struct body *b, uint64_t off, int *c, struct swn_err *err)
{
	const unsigned char *p;
	size_t avail;

	if (body_at(b, off, 1, &p, &avail, err) < 0)
		return -1;
	*c = p[0];
	return 0;
}

static int body_copy(struct body *b, uint64_t off, size_t len, char *dst, struct swn_err *err)
{
	while (len > 0) {
		const unsigned char *p;
		size_t avail;

		if (body_at(b, off, 1, &p, &avail, err) < 0)
			return -1;
		if (avail > len)
			avail = len;
		memcpy(dst, p, avail);
		dst += avail;
		off += avail;
		len -= avail;
	}
	return 0;
}

/* The next "--BOUNDARY" starting in [from, end) at the start of a line
 * under any line-end convention (at 0, or after CR or LF): 1 with *at, or
 * 0 when there is none. */
static int next_line_boundary(struct body *b, const char *dash, size_t dl, uint64_t from,
			      uint64_t end, uint64_t *at, struct swn_err *err)
{
	while (from < end && b->size - from >= dl) {
		const unsigned char *p, *hit;
		size_t avail, span;
		int last = 0, before;

		if (body_at(b, from, dl, &p, &avail, err) < 0)
			return -1;
		span = avail;
		if ((uint64_t)span >= end - from + dl - 1) {
			span = (size_t)(end - from + dl - 1);
			last = 1;
		}
		if (from + avail == b->size)
			last = 1;
		hit = find_bytes(p, span, dash, dl);
		if (hit == NULL) {
			if (last)
				return 0;
			from += span - dl + 1;
			continue;
		}
		*at = from + (uint64_t)(hit - p);
		if (*at == 0)
			return 1;
		if (body_byte(b, *at - 1, &before, err) < 0)
			return -1;
		if (before == '\r' || before == '\n')
			return 1;
		from = *at + 1;
	}
	return 0;
}

/* ---- the reader ---- */

struct reader {
	struct body b;
	struct swn_mime_message *m;
	struct swn_err *err;
	char dash[2 + 70 + 1];           /* "--BOUNDARY" */
	size_t dl;
	char start[SWN_MIME_ID_BYTES];   /* "" when there is no start */
	struct swn_mime_ctype ct;
	/* the header field being read, and the names seen in this part */
	char field[SWN_MIME_NAME_BYTES];
	char value[SWN_MIME_MAX_HEADER_BYTES + 1];
	size_t value_len;
	char seen[SWN_MIME_MAX_HEADERS][SWN_MIME_NAME_BYTES];
	size_t nseen;
	char ctype_value[SWN_MIME_VALUE_BYTES];  /* "" when absent */
	char id_value[SWN_MIME_VALUE_BYTES];
	char cte_value[SWN_MIME_VALUE_BYTES];
};

static int refuse(struct reader *r, enum swn_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Every refusal: the input's name, and what is wrong. */
static int refuse(struct reader *r, enum swn_code code, const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return swn_err_set(r->err, code, r->b.name, 0, "MIME: %s", msg);
}

static unsigned long long part_no(const struct reader *r)
{
	return (unsigned long long)r->m->nparts + 1;
}

/* The HTTP Content-Type: multipart/related, boundary, type, start. */
static int read_top_ctype(struct reader *r, const char *value)
{
	const char *boundary, *type, *start;
	struct swn_err why;

	swn_err_clear(&why);
	if (swn_mime_parse_ctype(value, &r->ct, &why) < 0)
		return refuse(r, why.code, "%s", why.msg);
	if (strcmp(r->ct.media_type, "multipart/related") != 0)
		return refuse(r, SWN_E_AS4, "the message is %s, not multipart/related",
			      r->ct.media_type);
	boundary = swn_mime_ctype_param(&r->ct, "boundary");
	if (boundary == NULL)
		return refuse(r, SWN_E_AS4, "Content-Type has no boundary");
	if (!boundary_ok(boundary))
		return refuse(r, SWN_E_AS4,
			      "boundary '%s' is not 1 to 70 of RFC 2046's bchars not ending in "
			      "a space", boundary);
	type = swn_mime_ctype_param(&r->ct, "type");
	if (type == NULL || strcasecmp(type, "application/soap+xml") != 0)
		return refuse(r, SWN_E_AS4,
			      "type is '%s', not application/soap+xml (SOAP 1.2 only)",
			      type == NULL ? "(none)" : type);
	start = swn_mime_ctype_param(&r->ct, "start");
	if (start != NULL && bracketed_id(start, r->start, "start", &why) < 0)
		return refuse(r, why.code, "%s", why.msg);
	snprintf(r->m->boundary, sizeof r->m->boundary, "%s", boundary);
	r->dl = (size_t)snprintf(r->dash, sizeof r->dash, "--%s", boundary);
	return 0;
}

/* A delimiter line at q ("--BOUNDARY", maybe "--", padding, CRLF): *next
 * is where the next part's headers (or the epilogue) begin. */
static int read_delimiter(struct reader *r, uint64_t q, uint64_t *next, int *close)
{
	uint64_t at = q + r->dl;
	const unsigned char *p;
	size_t avail, i = 0, pad;

	if (body_at(&r->b, at, 0, &p, &avail, r->err) < 0)
		return -1;
	*close = avail >= 2 && p[0] == '-' && p[1] == '-';
	if (*close)
		i = 2;
	for (pad = 0; i < avail && is_wsp(p[i]); i++)
		if (++pad > SWN_MIME_MAX_PADDING_BYTES)
			return refuse(r, SWN_E_TOO_LARGE,
				      "more than %d bytes of padding after the boundary at byte %llu",
				      SWN_MIME_MAX_PADDING_BYTES, (unsigned long long)q);
	if (i == avail && *close) {
		*next = r->b.size;
		return 0;
	}
	if (i + 1 < avail && p[i] == '\r' && p[i + 1] == '\n') {
		*next = at + i + 2;
		return 0;
	}
	if (i == avail)
		return refuse(r, SWN_E_AS4, "the message ends after the delimiter at byte %llu "
			      "without the close delimiter", (unsigned long long)q);
	if (p[i] == '\n' || p[i] == '\r')
		return refuse(r, SWN_E_AS4, "the delimiter line at byte %llu ends with a bare %s: "
			      "line ends must be CRLF (RFC 2046)", (unsigned long long)q,
			      p[i] == '\n' ? "LF" : "CR");
	return refuse(r, SWN_E_AS4, "a line at byte %llu begins with the boundary but is not a "
		      "delimiter", (unsigned long long)q);
}

/* The opening delimiter: after at most SWN_MIME_MAX_PREAMBLE_BYTES and a
 * CRLF, or at the very start. */
static int find_opening(struct reader *r, uint64_t *q)
{
	uint64_t end = (uint64_t)SWN_MIME_MAX_PREAMBLE_BYTES + 3;
	int found, c1, c2;

	if (end > r->b.size)
		end = r->b.size;
	found = next_line_boundary(&r->b, r->dash, r->dl, 0, end, q, r->err);
	if (found < 0)
		return -1;
	if (found == 0 && r->b.size > end)
		return refuse(r, SWN_E_TOO_LARGE, "no delimiter in the first %d bytes (the "
			      "preamble is limited to that)", SWN_MIME_MAX_PREAMBLE_BYTES);
	if (found == 0)
		return refuse(r, SWN_E_AS4, "no delimiter %s in the body", r->dash);
	if (*q == 0)
		return 0;
	c2 = 0;
	if ((*q >= 2 && body_byte(&r->b, *q - 2, &c2, r->err) < 0) ||
	    body_byte(&r->b, *q - 1, &c1, r->err) < 0)
		return -1;
	if (c2 != '\r' || c1 != '\n')
		return refuse(r, SWN_E_AS4, "the first delimiter follows a bare %s: line ends "
			      "must be CRLF (RFC 2046)", c1 == '\n' ? "LF" : "CR");
	return 0;
}

/* A header field ended: check it and keep the values of interest. */
static int end_field(struct reader *r)
{
	char *v = r->value, *keep = NULL;
	size_t n = r->value_len, i;

	if (r->field[0] == '\0')
		return 0;
	while (n > 0 && is_wsp((unsigned char)v[n - 1]))
		n--;
	while (n > 0 && is_wsp((unsigned char)*v)) {
		v++;
		n--;
	}
	v[n] = '\0';
	for (i = 0; i < r->nseen; i++)
		if (strcmp(r->seen[i], r->field) == 0)
			return refuse(r, SWN_E_AS4, "part %llu: header field %s given twice",
				      part_no(r), r->field);
	snprintf(r->seen[r->nseen++], SWN_MIME_NAME_BYTES, "%s", r->field);
	if (strcmp(r->field, "content-length") == 0)
		return refuse(r, SWN_E_AS4, "part %llu: Content-Length is not accepted (the "
			      "delimiter ends a part)", part_no(r));
	if (strcmp(r->field, "content-type") == 0)
		keep = r->ctype_value;
	else if (strcmp(r->field, "content-id") == 0)
		keep = r->id_value;
	else if (strcmp(r->field, "content-transfer-encoding") == 0)
		keep = r->cte_value;
	if (keep != NULL) {
		if (n == 0)
			return refuse(r, SWN_E_AS4, "part %llu: header field %s is empty",
				      part_no(r), r->field);
		if (n >= SWN_MIME_VALUE_BYTES)
			return refuse(r, SWN_E_TOO_LARGE, "part %llu: %s longer than %d bytes",
				      part_no(r), r->field, SWN_MIME_VALUE_BYTES - 1);
		memcpy(keep, v, n + 1);
	}
	r->field[0] = '\0';
	return 0;
}

/* A line of a header block that begins a field: "name:" then its value. */
static int begin_field(struct reader *r, const unsigned char *line, size_t len)
{
	size_t i;

	if (len >= r->dl && memcmp(line, r->dash, r->dl) == 0)
		return refuse(r, SWN_E_AS4, "part %llu: a line of its header block begins with "
			      "the boundary", part_no(r));
	for (i = 0; i < len && line[i] != ':'; i++)
		if (line[i] <= 0x20 || line[i] >= 0x7f)
			return refuse(r, SWN_E_AS4, "part %llu: a header line that is not "
				      "'Name: value' (byte 0x%02x in the name)", part_no(r), line[i]);
	if (i == len || i == 0)
		return refuse(r, SWN_E_AS4, "part %llu: a header line that is not 'Name: value'",
			      part_no(r));
	if (i >= SWN_MIME_NAME_BYTES)
		return refuse(r, SWN_E_TOO_LARGE, "part %llu: a header field name longer than %d "
			      "bytes", part_no(r), SWN_MIME_NAME_BYTES - 1);
	if (r->nseen == SWN_MIME_MAX_HEADERS)
		return refuse(r, SWN_E_TOO_LARGE, "part %llu: more than %d header fields",
			      part_no(r), SWN_MIME_MAX_HEADERS);
	for (size_t k = 0; k < i; k++)
		r->field[k] = (char)lower(line[k]);
	r->field[i] = '\0';
	memcpy(r->value, line + i + 1, len - i - 1);
	r->value_len = len - i - 1;
	return 0;
}

static int header_line(struct reader *r, const unsigned char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((line[i] < 0x20 && line[i] != '\t') || line[i] >= 0x7f)
			return refuse(r, SWN_E_AS4, "part %llu: byte 0x%02x in its header block "
				      "(header fields are US-ASCII)", part_no(r), line[i]);
	if (!is_wsp(line[0]))
		return end_field(r) < 0 ? -1 : begin_field(r, line, len);
	if (r->field[0] == '\0')
		return refuse(r, SWN_E_AS4, "part %llu: its header block begins with white space",
			      part_no(r));
	/* Folding (RFC 5322 2.2.3): the CRLF goes, the white space stays. */
	memcpy(r->value + r->value_len, line, len);
	r->value_len += len;
	return 0;
}

/* The header block at h, ended by an empty line: *content is after it. */
static int read_headers(struct reader *r, uint64_t h, uint64_t *content)
{
	const unsigned char *p;
	size_t avail, i = 0, limit = SWN_MIME_MAX_HEADER_BYTES + 2;

	r->nseen = 0;
	r->field[0] = r->ctype_value[0] = r->id_value[0] = r->cte_value[0] = '\0';
	if (r->b.size - h < limit)
		limit = (size_t)(r->b.size - h);
	if (body_at(&r->b, h, limit, &p, &avail, r->err) < 0)
		return -1;
	for (;;) {
		size_t e = i;

		while (e < limit && p[e] != '\r' && p[e] != '\n')
			e++;
		if (e == limit && limit == r->b.size - h)
			return refuse(r, SWN_E_AS4, "the message ends inside part %llu's header "
				      "block", part_no(r));
		if (e == limit)
			return refuse(r, SWN_E_TOO_LARGE, "part %llu: header block over %d bytes",
				      part_no(r), SWN_MIME_MAX_HEADER_BYTES);
		if (p[e] == '\n' || e + 1 == limit || p[e + 1] != '\n')
			return refuse(r, SWN_E_AS4, "part %llu: a header line ends with a bare %s: "
				      "line ends must be CRLF (RFC 2046)", part_no(r),
				      p[e] == '\n' ? "LF" : "CR");
		if (e == i)
			break;
		if (header_line(r, p + i, e - i) < 0)
			return -1;
		i = e + 2;
	}
	if (end_field(r) < 0)
		return -1;
	if (i == 0)
		return refuse(r, SWN_E_AS4, "part %llu has no header fields", part_no(r));
	*content = h + i + 2;
	return 0;
}

static int read_cte(struct reader *r, struct swn_mime_part *part)
{
	const char *v = r->cte_value;

	if (v[0] == '\0')
		part->cte = SWN_MIME_CTE_ABSENT;
	else if (strcasecmp(v, "binary") == 0)
		part->cte = SWN_MIME_CTE_BINARY;
	else if (strcasecmp(v, "8bit") == 0)
		part->cte = SWN_MIME_CTE_8BIT;
	else if (strcasecmp(v, "7bit") == 0)
		part->cte = SWN_MIME_CTE_7BIT;
	else if (strcasecmp(v, "base64") == 0 || strcasecmp(v, "quoted-printable") == 0)
		return refuse(r, SWN_E_AS4, "part %llu: Content-Transfer-Encoding %s is not "
			      "accepted: parts must be sent binary", part_no(r), v);
	else
		return refuse(r, SWN_E_AS4, "part %llu: unknown Content-Transfer-Encoding '%s'",
			      part_no(r), v);
	return 0;
}

/* The root: the SOAP 1.2 envelope, named by start if there is one. */
static int check_root(struct reader *r, const struct swn_mime_part *part,
		      const struct swn_mime_ctype *ct)
{
	size_t i;

	if (strcmp(ct->media_type, "application/soap+xml") != 0)
		return refuse(r, SWN_E_AS4, "part 1 is %s: the first part must be the SOAP 1.2 "
			      "envelope, application/soap+xml", ct->media_type);
	for (i = 0; i < ct->nparams; i++) {
		const struct swn_mime_param *pa = &ct->params[i];

		if (strcmp(pa->name, "charset") == 0 && strcasecmp(pa->value, "utf-8") != 0)
			return refuse(r, SWN_E_AS4, "part 1: charset %s: the envelope must be "
				      "UTF-8", pa->value);
		if (strcmp(pa->name, "charset") != 0 && strcmp(pa->name, "action") != 0)
			return refuse(r, SWN_E_AS4, "part 1: parameter %s not accepted on the "
				      "envelope (charset and action are)", pa->name);
	}
	if (r->start[0] != '\0' && strcmp(r->start, part->content_id) != 0)
		return refuse(r, SWN_E_AS4, "start names <%s>, but the first part's Content-ID "
			      "is %s%s%s", r->start, part->content_id[0] ? "<" : "(none)",
			      part->content_id, part->content_id[0] ? ">" : "");
	return 0;
}

/* The header values of the part just read, by the rules of mime.h. */
static int check_part(struct reader *r, struct swn_mime_part *part)
{
	struct swn_mime_ctype *ct = &r->ct;   /* the top one is no longer needed */
	size_t i;

	if (r->ctype_value[0] == '\0')
		return refuse(r, SWN_E_AS4, "part %llu has no Content-Type", part_no(r));
	struct swn_err why;

	swn_err_clear(&why);
	if (swn_mime_parse_ctype(r->ctype_value, ct, &why) < 0)
		return refuse(r, why.code, "part %llu: %s", part_no(r), why.msg);
	memcpy(part->content_type, r->ctype_value, sizeof part->content_type);
	memcpy(part->media_type, ct->media_type, sizeof part->media_type);
	if (read_cte(r, part) < 0)
		return -1;
	if (r->id_value[0] != '\0' &&
	    bracketed_id(r->id_value, part->content_id, "Content-ID", &why) < 0)
		return refuse(r, why.code, "part %llu: %s", part_no(r), why.msg);
	for (i = 0; i < r->m->nparts; i++)
		if (part->content_id[0] != '\0' &&
		    strcmp(r->m->parts[i].content_id, part->content_id) == 0)
			return refuse(r, SWN_E_AS4, "part %llu: Content-ID <%s> is also part %zu's",
				      part_no(r), part->content_id, i + 1);
	if (r->m->nparts == 0)
		return check_root(r, part, ct);
	if (part->content_id[0] == '\0')
		return refuse(r, SWN_E_AS4, "part %llu has no Content-ID", part_no(r));
	if (strncmp(ct->media_type, "multipart/", 10) == 0)
		return refuse(r, SWN_E_AS4, "part %llu is %s: nested multiparts are not accepted",
			      part_no(r), ct->media_type);
	return 0;
}

/* One part from its headers at h: its content ends before the next
 * delimiter, at *q. */
static int read_part(struct reader *r, uint64_t h, uint64_t *q)
{
	struct swn_mime_part *part = &r->m->parts[r->m->nparts];
	uint64_t c = 0;
	int found, c1, c2;

	if (r->m->nparts == SWN_MIME_MAX_PARTS)
		return refuse(r, SWN_E_TOO_LARGE, "more than %d parts", SWN_MIME_MAX_PARTS);
	if (read_headers(r, h, &c) < 0)
		return -1;
	found = next_line_boundary(&r->b, r->dash, r->dl, c, r->b.size, q, r->err);
	if (found < 0)
		return -1;
	if (found == 0)
		return refuse(r, SWN_E_AS4, "no close delimiter: the message ends inside part %llu",
			      part_no(r));
	if (*q == c)
		return refuse(r, SWN_E_AS4, "part %llu: its header block is followed by the "
			      "delimiter, with no empty line and content", part_no(r));
	if (body_byte(&r->b, *q - 2, &c2, r->err) < 0 || body_byte(&r->b, *q - 1, &c1, r->err) < 0)
		return -1;
	if (c2 != '\r' || c1 != '\n')
		return refuse(r, SWN_E_AS4, "part %llu: a line of its content begins with the "
			      "boundary after a bare %s", part_no(r), c1 == '\n' ? "LF" : "CR");
	part->offset = c;
	part->length = *q - 2 - c;
	if (check_part(r, part) < 0)
		return -1;
	r->m->nparts++;
	return 0;
}

/* After the close delimiter: nothing, or CRLF and a bounded epilogue in
 * which no line begins with the boundary. */
static int check_epilogue(struct reader *r, uint64_t e)
{
	uint64_t q;
	int found;

	if (e == r->b.size)
		return 0;
	if (r->b.size - e > SWN_MIME_MAX_EPILOGUE_BYTES)
		return refuse(r, SWN_E_TOO_LARGE, "an epilogue of %llu bytes (at most %d)",
			      (unsigned long long)(r->b.size - e), SWN_MIME_MAX_EPILOGUE_BYTES);
	found = next_line_boundary(&r->b, r->dash, r->dl, e, r->b.size, &q, r->err);
	if (found < 0)
		return -1;
	if (found)
		return refuse(r, SWN_E_AS4, "a line after the close delimiter begins with the "
			      "boundary (byte %llu)", (unsigned long long)q);
	return 0;
}

static int load_envelope(struct reader *r)
{
	const struct swn_mime_part *root = &r->m->parts[0];

	if (root->length > SWN_MAX_DOCUMENT_BYTES)
		return refuse(r, SWN_E_TOO_LARGE, "the envelope is %llu bytes (at most %u)",
			      (unsigned long long)root->length, SWN_MAX_DOCUMENT_BYTES);
	r->m->envelope = malloc((size_t)root->length + 1);
	if (r->m->envelope == NULL)
		return refuse(r, SWN_E_NOMEM, "out of memory for the envelope");
	if (body_copy(&r->b, root->offset, (size_t)root->length, r->m->envelope, r->err) < 0)
		return -1;
	r->m->envelope[root->length] = '\0';
	r->m->envelope_len = (size_t)root->length;
	return 0;
}

static int read_message(struct reader *r, const char *content_type)
{
	uint64_t q, next = 0;
	int close;

	if (read_top_ctype(r, content_type) < 0 || find_opening(r, &q) < 0)
		return -1;
	for (;;) {
		if (read_delimiter(r, q, &next, &close) < 0)
			return -1;
		if (close)
			break;
		if (read_part(r, next, &q) < 0)
			return -1;
	}
	if (r->m->nparts == 0)
		return refuse(r, SWN_E_AS4, "no parts: the first delimiter is the close delimiter");
	return check_epilogue(r, next) < 0 ? -1 : load_envelope(r);
}

static int read_body(struct body *b, const char *content_type, struct swn_mime_message *m,
		     struct swn_err *err)
{
	struct reader *r;
	int rc;

	memset(m, 0, sizeof *m);
	r = calloc(1, sizeof *r);
	m->parts = calloc(SWN_MIME_MAX_PARTS, sizeof *m->parts);
	if (r == NULL || m->parts == NULL) {
		free(r);
		swn_mime_message_free(m);
		return swn_err_set(err, SWN_E_NOMEM, b->name, 0, "out of memory");
	}
	r->b = *b;
	r->m = m;
	r->err = err;
	rc = read_message(r, content_type == NULL ? "" : content_type);
	free(r);
	if (rc < 0)
		swn_mime_message_free(m);
	return rc;
}

int swn_mime_read_mem(const char *content_type, const void *body, size_t len,
		      const char *name, struct swn_mime_message *m, struct swn_err *err)
{
	struct body b = { .name = name, .fd = -1, .mem = body, .size = len };

	return read_body(&b, content_type, m, err);
}

int swn_mime_read_fd(const char *content_type, int fd, const char *name,
		     struct swn_mime_message *m, struct swn_err *err)
{
	struct body b = { .name = name, .fd = fd };
	struct stat st;
	int rc;

	memset(m, 0, sizeof *m);
	if (fstat(fd, &st) < 0)
		return swn_err_set(err, SWN_E_IO, name, 0, "cannot look at it: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return swn_err_set(err, SWN_E_IO, name, 0, "not a regular file");
	b.size = (uint64_t)st.st_size;
	b.win = malloc(SWN_MIME_WINDOW_BYTES);
	if (b.win == NULL)
		return swn_err_set(err, SWN_E_NOMEM, name, 0, "out of memory");
	rc = read_body(&b, content_type, m, err);
	free(b.win);
	return rc;
}

void swn_mime_message_free(struct swn_mime_message *m)
{
	free(m->parts);
	free(m->envelope);
	memset(m, 0, sizeof *m);
}

/* ---- cid: URIs (RFC 2392) ---- */

/* May c stand in the id of a cid: URI?  RFC 3986's unreserved and
 * sub-delims characters, ':', '@' and '/', but not '+' (a URL decoder
 * reads it as a space) and not '%': no escape is ever decoded, because
 * gateways' WS-Security libraries (WSS4J) compare the URI's id with the
 * Content-ID as it is, so an escape would name one part here and another
 * there. */
static int cid_char(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("-._~!$&'()*,;=:@/", c) != NULL);
}

int swn_mime_cid_href(const char *id, char *uri, size_t n)
{
	size_t len = strlen(id), i;

	if (!id_ok(id, len) || n < len + 5)
		return -1;
	for (i = 0; i < len; i++)
		if (!cid_char((unsigned char)id[i]))
			return -1;
	memcpy(uri, "cid:", 4);
	memcpy(uri + 4, id, len + 1);
	return 0;
}

int swn_mime_cid_decode(const char *href, char *id, size_t n, struct swn_err *err)
{
	const char *s;
	size_t len;

	if (strncmp(href, "cid:", 4) != 0)
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "'%s' is not a cid: URI (\"cid:\" in "
				   "lower case, then the Content-ID)", href);
	for (s = href + 4; *s != '\0'; s++)
		if (!cid_char((unsigned char)*s))
			return swn_err_set(err, SWN_E_AS4, NULL, 0,
					   "'%s': '%c' may not stand in a cid: URI (no %%-escapes, "
					   "'+', '#', '?' or brackets: peers compare the id as it is)",
					   href, *s >= ' ' && *s < 0x7f ? *s : '?');
	len = (size_t)(s - (href + 4));
	if (len + 1 > n)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "'%s': too long", href);
	memcpy(id, href + 4, len + 1);
	if (!id_ok(id, len))
		return swn_err_set(err, SWN_E_AS4, NULL, 0,
				   "'%s' does not name a Content-ID (id-left@id-right)", href);
	return 0;
}

long swn_mime_find_cid(const struct swn_mime_message *m, const char *href,
		       struct swn_err *err)
{
	char id[SWN_MIME_ID_BYTES];
	size_t i;

	if (swn_mime_cid_decode(href, id, sizeof id, err) < 0)
		return -1;
	for (i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].content_id, id) == 0)
			return (long)i;
	swn_err_set(err, SWN_E_NOT_FOUND, NULL, 0, "'%s' names no part of the message", href);
	return -1;
}

/* ---- the writer ---- */

/* A payload's bytes, from memory or its file. */
struct content {
	const unsigned char *mem;
	int fd;
	uint64_t size;
};

static int content_of(const struct swn_mime_payload *pl, struct content *c, struct swn_err *err)
{
	struct stat st;

	c->mem = pl->data;
	c->fd = pl->fd;
	c->size = pl->len;
	if (pl->fd < 0)
		return 0;
	if (fstat(pl->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return swn_err_set(err, SWN_E_IO, NULL, 0, "payload <%s>: not a regular file",
				   pl->content_id);
	c->size = (uint64_t)st.st_size;
	return 0;
}

/* Call each(ctx, chunk) over the content; chunks of a file overlap by
 * keep bytes, so that a search finds what straddles two reads. */
static int content_walk(const struct content *c, unsigned char *win, size_t keep,
			int (*each)(void *, const unsigned char *, size_t, struct swn_err *),
			void *ctx, struct swn_err *err)
{
	uint64_t off = 0;

	if (c->fd < 0)
		return c->size == 0 ? 0 : each(ctx, c->mem, (size_t)c->size, err);
	while (off < c->size) {
		size_t want = SWN_MIME_WINDOW_BYTES, got = 0;

		if (c->size - off < want)
			want = (size_t)(c->size - off);
		while (got < want) {
			ssize_t r = pread(c->fd, win + got, want - got, (off_t)(off + got));

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return swn_err_set(err, SWN_E_IO, NULL, 0, "a payload file %s",
						   r < 0 ? strerror(errno) : "ended early: it changed");
			got += (size_t)r;
		}
		if (each(ctx, win, got, err) < 0)
			return -1;
		if (off + got == c->size)
			break;
		off += got > keep ? got - keep : got;
	}
	return 0;
}

struct search {
	const char *needle;
	size_t len;
	int found;
};

static int search_chunk(void *ctx, const unsigned char *p, size_t n, struct swn_err *err)
{
	struct search *s = ctx;

	(void)err;
	if (find_bytes(p, n, s->needle, s->len) != NULL)
		s->found = 1;
	return 0;
}

/* Does the boundary occur in the envelope or any payload? */
static int boundary_occurs(const struct swn_mime_out *msg, const struct content *cs,
			   unsigned char *win, const char *boundary, int *found,
			   struct swn_err *err)
{
	struct search s = { .needle = boundary, .len = strlen(boundary) };
	size_t i;

	*found = find_bytes(msg->envelope, msg->envelope_len, boundary, s.len) != NULL;
	for (i = 0; i < msg->npayloads && !*found; i++) {
		if (content_walk(&cs[i], win, s.len - 1, search_chunk, &s, err) < 0)
			return -1;
		*found = s.found;
	}
	return 0;
}

/* A value the root's action parameter can carry in a quoted string. */
static int action_ok(const char *a)
{
	for (; *a != '\0'; a++)
		if ((unsigned char)*a < 0x20 || (unsigned char)*a >= 0x7f)
			return 0;
	return 1;
}

/* Everything the reader would check of what is to be written. */
static int check_out(const struct swn_mime_out *msg, struct content *cs, struct swn_err *err)
{
	struct swn_mime_ctype *ct;
	size_t i, j;
	int rc = 0;

	if (msg->npayloads + 1 > SWN_MIME_MAX_PARTS)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "more than %d parts",
				   SWN_MIME_MAX_PARTS);
	if (msg->envelope_len > SWN_MAX_DOCUMENT_BYTES)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "an envelope over %u bytes",
				   SWN_MAX_DOCUMENT_BYTES);
	if (msg->root_id != NULL && !id_ok(msg->root_id, strlen(msg->root_id)))
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "root id '%s' is not id-left@id-right",
				   msg->root_id);
	if (msg->action != NULL && !action_ok(msg->action))
		return swn_err_set(err, SWN_E_AS4, NULL, 0, "an action with a control or 8-bit byte");
	ct = malloc(sizeof *ct);
	if (ct == NULL)
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	for (i = 0; i < msg->npayloads && rc == 0; i++) {
		const struct swn_mime_payload *pl = &msg->payloads[i];

		if (pl->content_id == NULL || !id_ok(pl->content_id, strlen(pl->content_id)))
			rc = swn_err_set(err, SWN_E_AS4, NULL, 0, "payload %zu: its id is not "
					 "id-left@id-right", i + 1);
		else if (msg->root_id != NULL && strcmp(msg->root_id, pl->content_id) == 0)
			rc = swn_err_set(err, SWN_E_AS4, NULL, 0, "payload <%s> has the root's id",
					 pl->content_id);
		for (j = 0; j < i && rc == 0; j++)
			if (strcmp(msg->payloads[j].content_id, pl->content_id) == 0)
				rc = swn_err_set(err, SWN_E_AS4, NULL, 0, "payload id <%s> given twice",
						 pl->content_id);
		if (rc == 0 && (pl->content_type == NULL ||
				strlen(pl->content_type) >= SWN_MIME_VALUE_BYTES ||
				swn_mime_parse_ctype(pl->content_type, ct, err) < 0))
			rc = swn_err_set(err, SWN_E_AS4, NULL, 0, "payload <%s>: no usable "
					 "Content-Type", pl->content_id);
		if (rc == 0 && strncmp(ct->media_type, "multipart/", 10) == 0)
			rc = swn_err_set(err, SWN_E_AS4, NULL, 0, "payload <%s> is %s: nested "
					 "multiparts are not written", pl->content_id, ct->media_type);
		if (rc == 0)
			rc = content_of(pl, &cs[i], err);
	}
	free(ct);
	return rc;
}

/* A fresh boundary of 128 random bits, in bchars. */
static int random_boundary(char *out, size_t n, struct swn_err *err)
{
	unsigned char raw[16];
	size_t i;

	if (RAND_bytes(raw, sizeof raw) != 1)
		return swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "no random bytes for a boundary");
	i = (size_t)snprintf(out, n, "swnode-");
	for (size_t k = 0; k < sizeof raw && i + 2 < n; k++, i += 2)
		snprintf(out + i, n - i, "%02x", raw[k]);
	return 0;
}

/* A boundary that occurs in no part: the one given, or a random one. */
static int choose_boundary(const struct swn_mime_out *msg, const struct content *cs,
			   const char *given, char *out, struct swn_err *err)
{
	unsigned char *win = malloc(SWN_MIME_WINDOW_BYTES);
	int tries, found = 1, rc = 0;

	if (win == NULL)
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	for (tries = 0; tries < 4 && found && rc == 0; tries++) {
		if (given != NULL && !boundary_ok(given))
			rc = swn_err_set(err, SWN_E_AS4, NULL, 0, "boundary '%s' is not 1 to 70 "
					 "bchars", given);
		else if (given != NULL)
			snprintf(out, SWN_MIME_BOUNDARY_BYTES, "%s", given);
		else
			rc = random_boundary(out, SWN_MIME_BOUNDARY_BYTES, err);
		if (rc == 0)
			rc = boundary_occurs(msg, cs, win, out, &found, err);
		if (given != NULL)
			break;
	}
	free(win);
	if (rc == 0 && found)
		rc = swn_err_set(err, SWN_E_AS4, NULL, 0, "boundary '%s' occurs in a part", out);
	return rc;
}

static int emit(swn_mime_sink_fn sink, void *ctx, const char *s, struct swn_err *err)
{
	return sink(ctx, s, strlen(s), err);
}

struct forward {
	swn_mime_sink_fn sink;
	void *ctx;
	uint64_t sent;
};

static int forward_chunk(void *ctx, const unsigned char *p, size_t n, struct swn_err *err)
{
	struct forward *f = ctx;

	f->sent += n;
	return f->sink(f->ctx, p, n, err);
}

/* "--B CRLF headers CRLF": one part's delimiter and header block. */
static int emit_part_head(swn_mime_sink_fn sink, void *ctx, const char *boundary,
			  const char *ctype, const char *action, const char *id,
			  struct swn_err *err)
{
	char head[SWN_MIME_VALUE_BYTES * 3];
	size_t n = 0;

	n += (size_t)snprintf(head + n, sizeof head - n, "--%s\r\nContent-Type: %s", boundary,
			      ctype);
	if (action != NULL) {
		n += (size_t)snprintf(head + n, sizeof head - n, "; action=\"");
		for (; *action != '\0' && n + 4 < sizeof head; action++) {
			if (*action == '"' || *action == '\\')
				head[n++] = '\\';
			head[n++] = *action;
		}
		n += (size_t)snprintf(head + n, sizeof head - n, "\"");
	}
	n += (size_t)snprintf(head + n, sizeof head - n, "\r\nContent-Transfer-Encoding: binary\r\n");
	if (id != NULL)
		n += (size_t)snprintf(head + n, sizeof head - n, "Content-ID: <%s>\r\n", id);
	if (n + 3 > sizeof head)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "a part's header block is too long");
	memcpy(head + n, "\r\n", 3);
	return emit(sink, ctx, head, err);
}

static int emit_parts(const struct swn_mime_out *msg, const struct content *cs,
		      const char *boundary, swn_mime_sink_fn sink, void *ctx, struct swn_err *err)
{
	unsigned char *win = malloc(SWN_MIME_WINDOW_BYTES);
	char close[SWN_MIME_BOUNDARY_BYTES + 16];
	size_t i;
	int rc;

	if (win == NULL)
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	rc = emit_part_head(sink, ctx, boundary, "application/soap+xml; charset=UTF-8",
			    msg->action, msg->root_id, err);
	if (rc == 0 && msg->envelope_len > 0)
		rc = sink(ctx, msg->envelope, msg->envelope_len, err);
	for (i = 0; i < msg->npayloads && rc == 0; i++) {
		struct forward f = { .sink = sink, .ctx = ctx };

		rc = emit(sink, ctx, "\r\n", err);
		if (rc == 0)
			rc = emit_part_head(sink, ctx, boundary, msg->payloads[i].content_type, NULL,
					    msg->payloads[i].content_id, err);
		if (rc == 0)
			rc = content_walk(&cs[i], win, 0, forward_chunk, &f, err);
		if (rc == 0 && f.sent != cs[i].size)
			rc = swn_err_set(err, SWN_E_IO, NULL, 0, "payload <%s> changed while written",
					 msg->payloads[i].content_id);
	}
	snprintf(close, sizeof close, "\r\n--%s--\r\n", boundary);
	if (rc == 0)
		rc = emit(sink, ctx, close, err);
	free(win);
	return rc;
}

int swn_mime_write(const struct swn_mime_out *msg, const char *boundary,
		   swn_mime_sink_fn sink, void *ctx, char *content_type, size_t n,
		   struct swn_err *err)
{
	struct content *cs = calloc(msg->npayloads + 1, sizeof *cs);
	char b[SWN_MIME_BOUNDARY_BYTES];
	int rc, len;

	if (cs == NULL)
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	rc = check_out(msg, cs, err);
	if (rc == 0)
		rc = choose_boundary(msg, cs, boundary, b, err);
	if (rc == 0) {
		len = snprintf(content_type, n, "multipart/related; type=\"application/soap+xml\"; "
			       "boundary=\"%s\"%s%s%s", b, msg->root_id ? "; start=\"<" : "",
			       msg->root_id ? msg->root_id : "", msg->root_id ? ">\"" : "");
		if (len < 0 || (size_t)len >= n)
			rc = swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
					 "no room for the Content-Type value");
	}
	if (rc == 0)
		rc = emit_parts(msg, cs, b, sink, ctx, err);
	free(cs);
	return rc;
}

int swn_mime_written_ctype(const void *body, size_t len, char *content_type, size_t n)
{
	static const char bchars[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=?";
	const char *b = body;
	size_t i;
	int w;

	if (len < 4 || b[0] != '-' || b[1] != '-')
		return -1;
	for (i = 2; i < len && i < 2 + SWN_MIME_BOUNDARY_BYTES - 1 && b[i] != '\r'; i++)
		if (b[i] == '\0' || !strchr(bchars, b[i]))
			return -1;
	if (i == 2 || i + 1 >= len || b[i] != '\r' || b[i + 1] != '\n')
		return -1;
	w = snprintf(content_type, n, "multipart/related; type=\"application/soap+xml\"; "
		     "boundary=\"%.*s\"", (int)(i - 2), b + 2);
	return w > 0 && (size_t)w < n ? 0 : -1;
}

static int fd_sink(void *ctx, const void *p, size_t n, struct swn_err *err)
{
	int fd = *(int *)ctx;
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return swn_err_set(err, SWN_E_IO, NULL, 0, "cannot write: %s", strerror(errno));
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int swn_mime_write_fd(const struct swn_mime_out *msg, int fd, char *content_type,
		      size_t n, struct swn_err *err)
{
	return swn_mime_write(msg, NULL, fd_sink, &fd, content_type, n, err);
}

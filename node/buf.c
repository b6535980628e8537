/* buf.c - growable buffer with a hard limit; see buf.h. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void swn_buf_init(struct swn_buf *b, size_t limit)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->limit = limit;
}

void swn_buf_free(struct swn_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

static int too_large(struct swn_buf *b, struct swn_err *err)
{
	size_t limit = b->limit;

	swn_buf_free(b);
	return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0,
			   "data exceeds the limit of %zu bytes", limit);
}

int swn_buf_add(struct swn_buf *b, const void *p, size_t n, struct swn_err *err)
{
	size_t need, cap;
	char *d;

	if (n > b->limit || b->len > b->limit - n)
		return too_large(b, err);
	need = b->len + n + 1;
	if (need > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < need)
			cap = (cap > (b->limit + 1) / 2) ? b->limit + 1 : cap * 2;
		d = realloc(b->data, cap);
		if (d == NULL) {
			swn_buf_free(b);
			return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		}
		b->data = d;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int swn_buf_addstr(struct swn_buf *b, const char *s, struct swn_err *err)
{
	return swn_buf_add(b, s, strlen(s), err);
}

int swn_buf_printf(struct swn_buf *b, struct swn_err *err, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;
	char *big;
	int rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return swn_err_set(err, SWN_E_IO, NULL, 0, "formatting failed");
	if ((size_t)n < sizeof small)
		return swn_buf_add(b, small, (size_t)n, err);
	big = malloc((size_t)n + 1);
	if (big == NULL)
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = swn_buf_add(b, big, (size_t)n, err);
	free(big);
	return rc;
}

char *swn_buf_detach(struct swn_buf *b, size_t *len)
{
	char *d = b->data;

	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return d;
}

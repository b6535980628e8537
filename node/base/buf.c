/* buf.c - growable buffer with a hard limit; see buf.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

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

int swn_str_copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (n == 0)
		return -1;
	if (len >= n) {
		dst[0] = '\0';
		return -1;
	}
	memcpy(dst, src, len + 1);
	return 0;
}

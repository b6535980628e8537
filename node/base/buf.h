/*
 * buf.h - a growable byte buffer with a hard maximum, and strings that fit.
 *
 * Every buffer that holds untrusted or unbounded data is a swn_buf with a
 * limit chosen at init (a constant from limits.h).  Growth doubles but never
 * passes the limit; an append that would pass it frees the contents and
 * fails with SWN_E_TOO_LARGE, so a caller cannot go on with half a document.
 *
 * Invariants:
 *  - swn_buf_init() cannot fail and allocates nothing.
 *  - When data is not NULL it holds len bytes followed by a NUL, so text
 *    can be used as a C string; len + 1 <= cap <= limit + 1.
 *  - Fields are read-only for callers; only these functions change them.
 *    swn_buf_detach() is the only way to take ownership of the bytes.
 */
#ifndef SWN_BUF_H
#define SWN_BUF_H

#include <stddef.h>

#include "base/err.h"

struct swn_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t limit;
};

void swn_buf_init(struct swn_buf *b, size_t limit);
void swn_buf_free(struct swn_buf *b);

/* Append n bytes.  On failure the buffer is emptied and err says why. */
__attribute__((warn_unused_result))
int swn_buf_add(struct swn_buf *b, const void *p, size_t n, struct swn_err *err);

/* Hand the bytes to the caller (free() them); the buffer is left empty. */
char *swn_buf_detach(struct swn_buf *b, size_t *len);

/* Copy the string src into dst (size n).  If it does not fit, dst is left
 * empty and -1 is returned: a value is never silently cut short. */
__attribute__((warn_unused_result))
int swn_str_copy(char *dst, size_t n, const char *src);

#endif

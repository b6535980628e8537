/* escape.c - text from outside made one safe line; see escape.h. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "base/escape.h"

/* Length (2-4) of the valid UTF-8 sequence of a non-ASCII character at s,
 * or 0 if s does not start one.  Reads no further than the first byte that
 * does not fit, so never past the terminating NUL. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static size_t hex_escape(char *unit, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	unit[0] = '\\';
	unit[1] = 'x';
	unit[2] = hex[c >> 4];
	unit[3] = hex[c & 0x0F];
	return 4;
}

/* The escaped form of the character (or stray byte) at s into unit (at
 * most 8 bytes); *used says how many bytes of s it stands for. */
static size_t escape_one(const unsigned char *s, char *unit, size_t *used)
{
	size_t k;

	*used = 1;
	if (*s == '\\') {
		unit[0] = unit[1] = '\\';
		return 2;
	}
	if (*s < 0x80) {
		if (*s < 0x20 || *s == 0x7F)
			return hex_escape(unit, *s);
		unit[0] = (char)*s;
		return 1;
	}
	k = utf8_len(s);
	if (k == 0)
		return hex_escape(unit, *s);
	*used = k;
	if (s[0] == 0xC2 && s[1] < 0xA0)   /* a C1 control */
		return hex_escape(unit, s[0]) + hex_escape(unit + 4, s[1]);
	memcpy(unit, s, k);
	return k;
}

size_t swn_escape(char *dst, size_t n, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t len = 0, ulen, used;
	char unit[8];

	while (*s) {
		ulen = escape_one(s, unit, &used);
		if (len + ulen >= n)
			break;
		memcpy(dst + len, unit, ulen);
		len += ulen;
		s += used;
	}
	dst[len] = '\0';
	return len;
}

char *swn_escape_dup(const char *src)
{
	size_t n = SWN_ESCAPED_SIZE(strlen(src));
	char *out = malloc(n);

	if (out)
		swn_escape(out, n, src);
	return out;
}

char *swn_squeeze_space(char *s)
{
	char *r = s, *w = s;
	int space = 1;

	for (; *r; r++) {
		int ws = *r == ' ' || *r == '\t' || *r == '\n' || *r == '\r';

		if (ws && space)
			continue;
		*w++ = ws ? ' ' : *r;
		space = ws;
	}
	if (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
	return s;
}

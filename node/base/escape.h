/*
 * escape.h - text from outside written so that it cannot pass for more
 * than it is: one escaping function for every place swnode writes text
 * for people (the log, standard error, ledger reasons, the outbox's last
 * error, eb:Error descriptions).
 *
 * A peer's MessageId, a query value of the local API or a library's
 * message may hold a newline (a forged log line), a terminal escape, or
 * bytes that are not UTF-8.  swn_escape() writes:
 *   - a byte below 0x20, 0x7f (DEL) and each byte of a C1 control
 *     (U+0080-U+009F; some terminals read U+009B as ESC [) as \xNN,
 *     two lower-case hex digits;
 *   - a byte that is not part of valid UTF-8 (overlong forms, surrogates
 *     and code points above U+10FFFF included) as \xNN;
 *   - a backslash as \\;
 *   - everything else as it is, so that names in any script stay readable.
 *
 * Invariants:
 *  - The result is one line of valid UTF-8 without control characters.
 *  - It is lossless: reading \\ and \xNN back gives the original bytes.
 *  - It never ends in part of an escape or of a character: what does not
 *    fit is left out whole.  SWN_ESCAPED_SIZE(n) always fits n bytes.
 *  - Escaping is not idempotent (a backslash doubles each time): escape
 *    where text leaves the process, once, never in between.
 */
#ifndef SWN_ESCAPE_H
#define SWN_ESCAPE_H

#include <stddef.h>

/* Room for the escaped form of n bytes and its NUL (4 bytes at most each). */
#define SWN_ESCAPED_SIZE(n) (4 * (n) + 1)

/* Escape src into dst (n bytes, n > 0): always NUL-terminated; returns the
 * length written. */
size_t swn_escape(char *dst, size_t n, const char *src);

/* The escaped form of src in a new malloc'd string; NULL when out of
 * memory. */
char *swn_escape_dup(const char *src);

/* Collapse each run of spaces, tabs and line ends in s to one space and
 * trim both ends, in place (XML's normalize-space for text people read and
 * values compared): s itself. */
char *swn_squeeze_space(char *s);

#endif

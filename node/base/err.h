/*
 * err.h - the one error type of swnode.
 *
 * Functions that can fail return 0 on success and -1 on failure, and fill a
 * caller-provided struct swn_err.  The struct says what went wrong (code and
 * message) and, when the error is about some input, where (file and line).
 * Nothing below main() prints an error or exits: the caller decides.
 *
 * Invariants:
 *  - msg is always NUL-terminated; after swn_err_clear() it is empty.
 *  - msg is the text as it was given, with what it quotes from outside (a
 *    peer's value, a library's message) unchanged: it may hold newlines,
 *    control characters or bytes that are not UTF-8.  It is escaped
 *    (escape.h) where it leaves the process: swn_err_print(),
 *    swn_err_describe(), the log, the ledger, an eb:Error.  Only the
 *    trailing newline and spaces libraries end their messages with are
 *    dropped.
 *  - line is 0 when there is no line (the error is about the whole file).
 *  - swn_err_set() on an error that is already set keeps the first error:
 *    the first cause is the one worth reporting.
 */
#ifndef SWN_ERR_H
#define SWN_ERR_H

#include <stdio.h>

enum swn_code {
	SWN_OK = 0,
	SWN_E_USAGE,       /* bad command line */
	SWN_E_IO,          /* a file could not be read or written */
	SWN_E_TOO_LARGE,   /* input over a hard limit */
	SWN_E_EMPTY,       /* empty input */
	SWN_E_NOT_XML,     /* input is not XML at all */
	SWN_E_PARSE,       /* malformed XML, or a ledger reason that does not read */
	SWN_E_FORBIDDEN,   /* well-formed XML with a forbidden construct (DOCTYPE) */
	SWN_E_UNKNOWN_TYPE,/* root element matches no registered document type */
	SWN_E_SCHEMA,      /* schema validation failed */
	SWN_E_MAP,         /* an XSLT map failed to run */
	SWN_E_MAP_OUTPUT,  /* a map ran on valid input but its output is invalid */
	SWN_E_CONFIG,      /* node.xml, registry or agreement is wrong */
	SWN_E_CRYPTO,      /* key, certificate or signature operation failed */
	SWN_E_EXISTS,      /* refusing to overwrite */
	SWN_E_NOT_FOUND,   /* a named thing does not exist */
	SWN_E_DB,          /* the ledger database failed */
	SWN_E_AS4,         /* not an AS4 message, or a malformed one */
	SWN_E_SIGNATURE,   /* a signature that does not verify or is not allowed */
	SWN_E_NOMEM,       /* out of memory */
	SWN_E_LOCAL,       /* this node could not do its part: out of descriptors,
			      its own TLS certificate or key unreadable */
};

struct swn_err {
	enum swn_code code;
	char file[512];
	long line;
	char msg[768];
};

void swn_err_clear(struct swn_err *err);

/* Record an error; returns -1 so that callers can `return swn_err_set(...)`. */
int swn_err_set(struct swn_err *err, enum swn_code code, const char *file,
		long line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Short stable name of a code, e.g. "schema" (used in messages and tests). */
const char *swn_code_name(enum swn_code code);

/* "FILE:LINE: message" (file and line when known) into out, escaped:
 * one line whatever the message quotes. */
void swn_err_describe(const struct swn_err *err, char *out, size_t n);

/* Print "swnode: " and the description above, and a newline, to fp. */
void swn_err_print(const struct swn_err *err, FILE *fp);

#endif

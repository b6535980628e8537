/* err.c - the error record; see err.h. */
#include "autoconfig.h"

#include <stdarg.h>
#include <string.h>

#include "base/err.h"
#include "base/escape.h"

void swn_err_clear(struct swn_err *err)
{
	err->code = SWN_OK;
	err->file[0] = '\0';
	err->line = 0;
	err->msg[0] = '\0';
}

/* Libraries end their messages with a newline (and sometimes spaces). */
static void trim_end(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

int swn_err_set(struct swn_err *err, enum swn_code code, const char *file,
		long line, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err->code != SWN_OK)
		return -1;
	err->code = code;
	snprintf(err->file, sizeof err->file, "%s", file ? file : "");
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	trim_end(err->msg);
	return -1;
}

/* A switch with no default: -Wswitch-enum makes a new code without a name
 * a build error. */
const char *swn_code_name(enum swn_code code)
{
	switch (code) {
	case SWN_OK:             return "ok";
	case SWN_E_USAGE:        return "usage";
	case SWN_E_IO:           return "io";
	case SWN_E_TOO_LARGE:    return "too-large";
	case SWN_E_EMPTY:        return "empty";
	case SWN_E_NOT_XML:      return "not-xml";
	case SWN_E_PARSE:        return "parse";
	case SWN_E_FORBIDDEN:    return "forbidden";
	case SWN_E_UNKNOWN_TYPE: return "unknown-type";
	case SWN_E_SCHEMA:       return "schema";
	case SWN_E_MAP:          return "map";
	case SWN_E_MAP_OUTPUT:   return "map-output";
	case SWN_E_CONFIG:       return "config";
	case SWN_E_CRYPTO:       return "crypto";
	case SWN_E_EXISTS:       return "exists";
	case SWN_E_NOT_FOUND:    return "not-found";
	case SWN_E_DB:           return "db";
	case SWN_E_AS4:          return "as4";
	case SWN_E_SIGNATURE:    return "signature";
	case SWN_E_NOMEM:        return "nomem";
	case SWN_E_LOCAL:        return "local";
	}
	return "unknown";
}

void swn_err_describe(const struct swn_err *err, char *out, size_t n)
{
	char file[SWN_ESCAPED_SIZE(sizeof err->file)], msg[SWN_ESCAPED_SIZE(sizeof err->msg)];

	swn_escape(file, sizeof file, err->file);
	swn_escape(msg, sizeof msg, err->msg);
	if (file[0] != '\0' && err->line > 0)
		snprintf(out, n, "%s:%ld: %s", file, err->line, msg);
	else if (file[0] != '\0')
		snprintf(out, n, "%s: %s", file, msg);
	else
		snprintf(out, n, "%s", msg);
}

void swn_err_print(const struct swn_err *err, FILE *fp)
{
	char line[SWN_ESCAPED_SIZE(sizeof err->file + sizeof err->msg) + 32];

	swn_err_describe(err, line, sizeof line);
	fprintf(fp, "swnode: %s\n", line);
}

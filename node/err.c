/* err.c - the error record; see err.h. */
#include "autoconfig.h"

#include <stdarg.h>
#include <string.h>

#include "err.h"

void swn_err_clear(struct swn_err *err)
{
	err->code = SWN_OK;
	err->file[0] = '\0';
	err->line = 0;
	err->msg[0] = '\0';
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
	swn_oneline(err->msg);
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

void swn_oneline(char *s)
{
	size_t n;
	char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
}

void swn_err_print(const struct swn_err *err, FILE *fp)
{
	if (err->file[0] != '\0' && err->line > 0)
		fprintf(fp, "swnode: %s:%ld: %s\n", err->file, err->line, err->msg);
	else if (err->file[0] != '\0')
		fprintf(fp, "swnode: %s: %s\n", err->file, err->msg);
	else
		fprintf(fp, "swnode: %s\n", err->msg);
}

/* number.c - whole numbers from text; see number.h. */
#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>

#include "base/number.h"

int swn_parse_number(const char *s, long long min, long long max, long long *out)
{
	const char *digits = s[0] == '-' && min < 0 ? s + 1 : s;
	char *end;
	long long v;

	if (*digits < '0' || *digits > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

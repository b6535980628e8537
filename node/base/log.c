/* log.c - event lines on standard error; see log.h. */
#include "autoconfig.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/log.h"
#include "base/stamp.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void swn_log(const char *fmt, ...)
{
	char now[40], raw[1200], line[SWN_ESCAPED_SIZE(sizeof raw)];
	va_list ap;

	swn_stamp_now(now);
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	/* The whole line, so that no caller has to remember what came from
	 * outside: one event is one line, whatever a peer or a client sent. */
	swn_escape(line, sizeof line, raw);
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s swnode[%ld]: %s\n", now, (long)getpid(), line);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

/* stamp.c - time stamps and random ids; see stamp.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <openssl/rand.h>

#include "base/stamp.h"

void swn_stamp_now(char out[SWN_STAMP_BYTES])
{
	struct timeval tv;
	struct tm tm;
	char base[32];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	if (snprintf(out, SWN_STAMP_BYTES, "%s.%03dZ", base, (int)(tv.tv_usec / 1000) % 1000) >=
	    SWN_STAMP_BYTES)
		out[SWN_STAMP_BYTES - 1] = '\0';
}

void swn_stamp_uuid(char out[SWN_UUID_BYTES])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof b) != 1)
		memset(b, 0, sizeof b);   /* RAND failing is fatal elsewhere first */
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, SWN_UUID_BYTES,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
		 b[11], b[12], b[13], b[14], b[15]);
}

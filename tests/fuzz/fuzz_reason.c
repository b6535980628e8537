/*
 * fuzz_reason.c - a ledger entry's reason as an evidence bundle brings it
 * (entries.json is the auditor's input, whatever the proofs then say):
 * read by swn_swa_reason_parts and swn_swa_reason_content_type, which
 * `ledger export` and `check-bundle` use to find part files and the
 * Content-Type.  The input, NUL-terminated, is the reason.
 * Besides crashes, leaks and time-outs, the target aborts when
 *  - a part read has an index outside 1..SWN_MAX_PAYLOAD_PARTS, an
 *    empty Content-ID or one with a space or '>' (it names files and is
 *    printed), or an empty type or one with a space, ';' or ':';
 *  - the parts read, written again in the SUBMITTED form, do not read
 *    back as the same parts (one reading of the words);
 *  - fewer slots than parts are not refused;
 *  - a Content-Type read holds a NUL or is not what the base64 says.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/swn_limits.h"
#include "fuzz.h"
#include "node/node/swa_in.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void rewrite(const struct swn_swa_described *d, int n, char *out, size_t cap)
{
	size_t at = (size_t)snprintf(out, cap, "document sha256:%064d", 0);
	int i, k;

	for (i = 0; i < n; i++) {
		at += (size_t)snprintf(out + at, cap - at, "; part %u <%s> %s: plaintext %llu bytes sha256:",
				       d[i].index, d[i].cid, d[i].type, (unsigned long long)d[i].plain_len);
		for (k = 0; k < 32 && at < cap; k++)
			at += (size_t)snprintf(out + at, cap - at, "%02x", d[i].plain_sha256[k]);
		if (at >= cap) {   /* too small: a harness bug, not the reader's */
			fprintf(stderr, "fuzz: rewrite buffer too small\n");
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct swn_swa_described d[SWN_MAX_PAYLOAD_PARTS], again[SWN_MAX_PAYLOAD_PARTS];
	/* Per part: the words and numbers (under 160 bytes), the id and the type. */
	static char text[SWN_MAX_PAYLOAD_PARTS * (SWN_MIME_ID_BYTES + SWN_MIME_NAME_BYTES + 160) + 128];
	char *reason, ctype[2048];
	int n, i;

	if (size > 64 * 1024)
		return 0;
	if (!(reason = malloc(size + 1)))
		abort();
	memcpy(reason, data, size);
	reason[size] = '\0';
	n = swn_swa_reason_parts(reason, d, SWN_MAX_PAYLOAD_PARTS);
	for (i = 0; i < n; i++)
		if (d[i].index < 1 || d[i].index > SWN_MAX_PAYLOAD_PARTS || d[i].cid[0] == '\0' ||
		    strpbrk(d[i].cid, " >") != NULL || d[i].type[0] == '\0' ||
		    strpbrk(d[i].type, " ;:") != NULL) {
			fprintf(stderr, "fuzz: part %d read as index %u cid '%s'\n", i, d[i].index, d[i].cid);
			abort();
		}
	if (n > 0) {
		rewrite(d, n, text, sizeof text);
		if (swn_swa_reason_parts(text, again, SWN_MAX_PAYLOAD_PARTS) != n) {
			fprintf(stderr, "fuzz: the parts read do not read back: %s\n", text);
			abort();
		}
		for (i = 0; i < n; i++)
			if (again[i].index != d[i].index || strcmp(again[i].cid, d[i].cid) != 0 ||
			    strcmp(again[i].type, d[i].type) != 0 ||
			    again[i].plain_len != d[i].plain_len ||
			    memcmp(again[i].plain_sha256, d[i].plain_sha256, 32) != 0) {
				fprintf(stderr, "fuzz: part %d reads back otherwise: %s\n", i, text);
				abort();
			}
		if (swn_swa_reason_parts(reason, again, (size_t)n - 1) != -1) {
			fprintf(stderr, "fuzz: %d parts read into %d slots\n", n, n - 1);
			abort();
		}
	}
	if (swn_swa_reason_content_type(reason, ctype, sizeof ctype) == 1) {
		/* The reader's answer, checked by length against the base64. */
		const char *b64 = reason + strlen(SWN_SWA_REASON_PREFIX);
		size_t len = (size_t)(strchr(b64, ';') - b64);
		size_t want = len / 4 * 3 - (b64[len - 1] == '=') - (b64[len - 2] == '=');

		if (strlen(ctype) != want) {
			fprintf(stderr, "fuzz: Content-Type of %zu bytes, base64 says %zu\n", strlen(ctype), want);
			abort();
		}
	}
	free(reason);
	return 0;
}

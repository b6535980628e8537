/*
 * fuzz_checkpoint.c - a signed checkpoint from a peer (in its receipts, at
 * GET /ledger/checkpoint for audit-peer): the C2SP signed note parsed and
 * verified with the committed peer's ledger key (tests/fuzz/checkpoint.vkey,
 * whose node signed the seeds), and the same bytes read as a verifier key
 * (the text a bundle or agreement carries).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/checkpoint.h"
#include "fuzz.h"

#ifndef SWN_FUZZ_SRCDIR
#error "SWN_FUZZ_SRCDIR must name the source tree"
#endif

static char origin[600];
static unsigned char pub[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = SWN_FUZZ_SRCDIR "/tests/fuzz/checkpoint.vkey";
	char vkey[1024];
	struct swn_err err;
	FILE *fp = fopen(path, "r");

	(void)argc;
	(void)argv;
	if (!fp || !fgets(vkey, sizeof vkey, fp))
		fuzz_die("cannot read %s", path);
	fclose(fp);
	vkey[strcspn(vkey, "\n")] = '\0';
	swn_err_clear(&err);
	if (swn_checkpoint_parse_vkey(vkey, origin, sizeof origin, pub, &err) < 0)
		fuzz_die("%s: %s", path, err.msg);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char root[32], key[32];
	char name[600], *text;
	struct swn_err err;
	uint64_t n;

	swn_err_clear(&err);
	if (swn_checkpoint_verify((const char *)data, size, origin, pub, &n, root, &err) == 0)
		snprintf(err.msg, sizeof err.msg, "valid, size %llu", (unsigned long long)n);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz: %s\n", err.msg);
	/* A verifier key is a C string: the bytes up to the first NUL. */
	if (!(text = malloc(size + 1)))
		fuzz_die("out of memory");
	memcpy(text, data, size);
	text[size] = '\0';
	(void)swn_checkpoint_parse_vkey(text, name, sizeof name, key, &err);
	free(text);
	return 0;
}

/*
 * fuzz_proof.c - a proof file from anyone (ledger check-proof): the strict
 * JSON reader and the Merkle verifiers.  A proof that parses must write
 * back and read again to the same proof (proof.h promises it); a breach
 * aborts, so the fuzzer reports it as a crash.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ledger/proof.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int same(const struct swn_proof *p, const struct swn_proof *q)
{
	return p->type == q->type && p->a == q->a && p->b == q->b &&
	       memcmp(p->h1, q->h1, sizeof p->h1) == 0 &&
	       memcmp(p->h2, q->h2, sizeof p->h2) == 0 && p->n == q->n &&
	       memcmp(p->path, q->path, p->n * sizeof p->path[0]) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct swn_proof p, q;
	struct swn_err err;
	char *json = NULL;

	swn_err_clear(&err);
	if (swn_proof_parse((const char *)data, size, "fuzz", &p, &err) < 0)
		return 0;
	(void)swn_proof_check(&p);
	if (swn_proof_to_json(&p, &json, &err) < 0)
		fuzz_die("a proof that parsed does not write: %s", err.msg);
	if (swn_proof_parse(json, strlen(json), "written", &q, &err) < 0)
		fuzz_die("a written proof does not read back: %s", err.msg);
	if (!same(&p, &q))
		fuzz_die("a written proof reads back different");
	free(json);
	return 0;
}

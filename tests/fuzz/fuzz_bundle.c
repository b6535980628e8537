/*
 * fuzz_bundle.c - a certificate bundle received from another window, as
 * `peer import` reads it: safe parse, schema, each certificate against the
 * attributes that describe it, its key and validity (at a fixed date), and
 * the ledger verifier key.  The loader takes a path, so the input is
 * written to a scratch file.
 */
#include "autoconfig.h"

#include "trust/bundle.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("bundle.xml", data, size);
	struct swn_bundle b;
	struct swn_err err;

	swn_err_clear(&err);
	if (swn_bundle_load(path, FUZZ_NOW, &b, &err) == 0)
		swn_bundle_free(&b);
	return 0;
}

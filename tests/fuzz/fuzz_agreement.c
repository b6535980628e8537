/*
 * fuzz_agreement.c - an agreement file (often written from what a peer
 * sent): every check `peer check` makes, at a fixed date, then the loader
 * the node uses, and the questions the node asks of a loaded agreement.
 * The loader takes a path, so the input is written to a scratch file.
 */
#include "autoconfig.h"

#include "trust/agreement.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	(void)fuzz_registry();
	return 0;
}

static void ignore(void *ctx, const struct swn_err *e)
{
	(void)ctx;
	(void)e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("agreement.xml", data, size);
	struct swn_agreement *a = NULL;
	X509 *pins[SWN_MAX_PINS];
	struct swn_err err;
	char why[256];

	(void)swn_agreement_check(path, fuzz_registry(), NULL, FUZZ_NOW, ignore, NULL);
	swn_err_clear(&err);
	if (swn_agreement_load(path, fuzz_registry(), NULL, &a, &err) == 0) {
		(void)swn_agreement_in_force(a, FUZZ_NOW, why, sizeof why);
		(void)swn_agreement_pins_at(a, FUZZ_NOW, pins);
		(void)swn_agreement_doc(a, "eco");
	}
	swn_agreement_free(a);
	return 0;
}

/* Unit tests: C2SP signed checkpoints (checkpoint.h). */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "trust/checkpoint.h"
#include "trust/pki.h"
#include "testlib.h"

static EVP_PKEY *key;

START_TEST(sign_and_verify)
{
	unsigned char root[32], got[32], pub[32], other[32];
	char note[SWN_NOTE_MAX], vkey[256], name[128];
	struct swn_err err;
	uint64_t size = 0;
	size_t len;

	memset(root, 0xAB, sizeof root);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_checkpoint_pubkey(key, pub, &err), 0);
	ck_assert_int_eq(swn_checkpoint_sign(key, "CN-SW/swnode-ledger", 42, root, NULL, note, sizeof note, &err), 0);
	/* origin, size, base64 root, blank line, em dash signature line */
	{
		const char *want = "CN-SW/swnode-ledger\n42\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n\xE2\x80\x94 CN-SW/swnode-ledger ";

		ck_assert_msg(strncmp(note, want, strlen(want)) == 0, "%s", note);
	}
	len = strlen(note);
	ck_assert_int_eq(note[len - 1], '\n');
	ck_assert_int_eq(swn_checkpoint_verify(note, len, "CN-SW/swnode-ledger", pub, &size, got, &err), 0);
	ck_assert_uint_eq(size, 42);
	ck_assert_int_eq(memcmp(root, got, 32), 0);
	/* another origin, another key, a changed size: refused */
	ck_assert_int_eq(swn_checkpoint_verify(note, len, "SG-NTP/swnode-ledger", pub, &size, got, &err), -1);
	memcpy(other, pub, 32);
	other[0] ^= 1;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_checkpoint_verify(note, len, "CN-SW/swnode-ledger", other, &size, got, &err), -1);
	note[20] = '3';   /* 42 -> 43 */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_checkpoint_verify(note, len, "CN-SW/swnode-ledger", pub, &size, got, &err), -1);
	/* an extension line (the signing time) is signed and does not disturb */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_checkpoint_sign(key, "CN-SW/swnode-ledger", 43, root, "2026-11-26T00:00:00Z",
					     note, sizeof note, &err), 0);
	ck_assert_ptr_nonnull(strstr(note, "=\ntime 2026-11-26T00:00:00Z\n\n"));
	ck_assert_int_eq(swn_checkpoint_verify(note, strlen(note), "CN-SW/swnode-ledger", pub, &size, got, &err), 0);
	ck_assert_uint_eq(size, 43);
	/* verifier key round trip */
	swn_checkpoint_vkey("CN-SW/swnode-ledger", pub, vkey, sizeof vkey);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_checkpoint_parse_vkey(vkey, name, sizeof name, other, &err), 0);
	ck_assert_str_eq(name, "CN-SW/swnode-ledger");
	ck_assert_int_eq(memcmp(other, pub, 32), 0);
}
END_TEST

START_TEST(malformed_notes)
{
	const char *bad[] = { "", "no blank line\n", "CN-SW/swnode-ledger\nx\nAA==\n\n\xE2\x80\x94 CN-SW/swnode-ledger AA==\n",
			      "CN-SW/swnode-ledger\n01\nAA==\n\n", "CN-SW/swnode-ledger\n1\nshort\n\n" };
	unsigned char pub[32], root[32];
	struct swn_err err;
	uint64_t size;
	size_t i;

	memset(pub, 1, sizeof pub);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		swn_err_clear(&err);
		ck_assert_int_eq(swn_checkpoint_verify(bad[i], strlen(bad[i]), "CN-SW/swnode-ledger", pub,
						       &size, root, &err), -1);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("checkpoint");
	TCase *tc = tcase_create("core");
	struct swn_err err;
	int rc;

	swn_err_clear(&err);
	key = swn_key_generate(SWN_KEY_ED25519, &err);
	if (key == NULL)
		return 1;
	tcase_add_test(tc, sign_and_verify);
	tcase_add_test(tc, malformed_notes);
	suite_add_tcase(s, tc);
	rc = swn_test_run(s);
	EVP_PKEY_free(key);
	return rc;
}

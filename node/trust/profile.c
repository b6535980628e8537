/* profile.c - the AS4 profiles; see profile.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/profile.h"

static const struct swn_profile_def profiles[] = {
	{ SWN_PROFILE_BODY, "body", NULL, SWN_KEY_RSA_2048, SWN_KEY_RSA_2048,
	  NULL, NULL, "none (nothing is encrypted)" },
	{ SWN_PROFILE_EDELIVERY_2, "edelivery-2.0", "ed25519", SWN_KEY_ED25519, SWN_KEY_X25519,
	  "ed25519", "x25519", "X25519 + HKDF-SHA256 + AES-128 key wrap" },
	{ SWN_PROFILE_EDELIVERY_2_ECDSA, "edelivery-2.0-ecdsa", "ecdsa-sha256", SWN_KEY_EC_P256,
	  SWN_KEY_EC_P256, "ec-p256", "ec-p256", "ECDH-ES P-256 + HKDF-SHA256 + AES-128 key wrap" },
	{ SWN_PROFILE_EDELIVERY_1_15, "edelivery-1.15", "rsa-sha256", SWN_KEY_RSA_2048,
	  SWN_KEY_RSA_2048, NULL, NULL, "RSA-OAEP (MGF1-SHA256)" },
};

const struct swn_profile_def *swn_profile_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

const struct swn_profile_def *swn_profile_get(enum swn_profile p)
{
	return &profiles[p];
}

const struct swn_profile_def *swn_profile_edelivery(size_t i)
{
	return i < SWN_EDELIVERY_PROFILES ? &profiles[1 + i] : NULL;
}

/* RSA of 2048 bits or more, named as swn_cert_key_type() does. */
static int rsa_ok(const char *ktype)
{
	return strncmp(ktype, "rsa-", 4) == 0 && atoi(ktype + 4) >= 2048;
}

int swn_profile_cert_fits(const struct swn_profile_def *p, int sign, X509 *cert,
			  char *why, size_t n)
{
	const char *want = sign ? p->sign_key_type : p->enc_key_type;
	char ktype[64];
	int ok;

	swn_cert_key_type(cert, ktype, sizeof ktype);
	if (p->id == SWN_PROFILE_BODY)
		ok = sign && (rsa_ok(ktype) || strcmp(ktype, "ec-p256") == 0);
	else
		ok = want ? strcmp(ktype, want) == 0 : rsa_ok(ktype);
	if (ok && !swn_pubkey_sound(X509_get0_pubkey(cert), why, n))
		return 0;
	if (!ok && p->id == SWN_PROFILE_BODY && !sign)
		snprintf(why, n, "profile body encrypts nothing");
	else if (!ok)
		snprintf(why, n, "key type %s; profile %s %s with %s", ktype, p->name,
			 sign ? "signs" : "encrypts",
			 p->id == SWN_PROFILE_BODY ? "RSA of 2048 bits or more or EC P-256"
			 : want ? want : "RSA of 2048 bits or more");
	return ok;
}

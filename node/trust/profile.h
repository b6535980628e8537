/*
 * profile.h - the AS4 profiles an agreement can name.
 *
 * A profile fixes how messages under an agreement look and which keys
 * each side needs:
 *  - "body": swnode's first form, the payload inside the signed SOAP Body
 *    (RSA-SHA256 or ECDSA-SHA256 by the node's signing key); nothing is
 *    compressed or encrypted.  Agreements that name no profile use it.
 *  - "edelivery-2.0": the eDelivery AS4 2.0 profile: payloads in MIME
 *    parts, gzip'd, signed with Ed25519 and encrypted with AES-128-GCM, the
 *    content key wrapped (AES-128 key wrap) with a key agreed by X25519 and
 *    HKDF-SHA256.  The default for new eDelivery agreements.
 *  - "edelivery-2.0-ecdsa": the same with ECDSA P-256 signatures and
 *    ECDH-ES P-256 key agreement.
 *  - "edelivery-1.15": eDelivery AS4 1.15: RSA-SHA256 signatures, the
 *    content key transported with RSA-OAEP (MGF1-SHA256).
 *
 * Each eDelivery profile needs its own pair of keys on each side: one to
 * sign with, one to receive encrypted content with (an X25519 key cannot
 * sign, and the profiles keep the two apart in any case).  This module
 * only names them; pki makes and describes them, config finds a node's,
 * bundle and agreement carry a peer's.
 */
#ifndef SWN_PROFILE_H
#define SWN_PROFILE_H

#include <stddef.h>

#include "trust/pki.h"

enum swn_profile {
	SWN_PROFILE_BODY,
	SWN_PROFILE_EDELIVERY_2,
	SWN_PROFILE_EDELIVERY_2_ECDSA,
	SWN_PROFILE_EDELIVERY_1_15,
};

/* The eDelivery profiles a node can hold keys for (all but body). */
#define SWN_EDELIVERY_PROFILES 3

/* What `peer import` writes when not told: the eDelivery AS4 2.0 profile,
 * which gateways of foreign windows speak (docs/agreements.md). */
#define SWN_PROFILE_DEFAULT SWN_PROFILE_EDELIVERY_2

struct swn_profile_def {
	enum swn_profile id;
	const char *name;            /* as agreements and node.xml spell it */
	const char *sig_alg;         /* "ed25519", "ecdsa-sha256", "rsa-sha256";
				      * NULL for body: the node's signing key decides */
	enum swn_key_kind sign_key;  /* what init makes for it */
	enum swn_key_kind enc_key;
	const char *sign_key_type;   /* as swn_cert_key_type() names the certificate's key */
	const char *enc_key_type;    /* NULL: rsa-2048 or more */
	const char *key_transport;   /* for people: how the content key travels */
};

/* The profile named name, or NULL. */
const struct swn_profile_def *swn_profile_find(const char *name);
const struct swn_profile_def *swn_profile_get(enum swn_profile p);
/* The eDelivery profiles in order, i from 0 to SWN_EDELIVERY_PROFILES - 1. */
const struct swn_profile_def *swn_profile_edelivery(size_t i);
/* "body, edelivery-2.0, edelivery-2.0-ecdsa or edelivery-1.15": for messages. */
#define SWN_PROFILE_NAMES "body, edelivery-2.0, edelivery-2.0-ecdsa or edelivery-1.15"

/* 1 if the certificate's key is what profile p signs with (sign) or
 * receives content keys with (!sign); else 0 and why (size n) says so.
 * For body, sign: RSA of 2048 bits or more, or EC P-256. */
int swn_profile_cert_fits(const struct swn_profile_def *p, int sign, X509 *cert,
			  char *why, size_t n);

#endif

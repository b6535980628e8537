/*
 * bundle.h - certificate bundles exchanged between windows.
 *
 * A bundle (schemas/bundle.xsd) carries what a foreign window needs to set
 * up an agreement with this node: party id, endpoint, signing and TLS
 * certificates with their fingerprints and validity.  It is not signed:
 * the receiving side must confirm the fingerprints with the sender over a
 * second channel before it activates the agreement.
 *
 * A bundle received from another party is untrusted input: it is parsed
 * by xmlsafe, validated, and every certificate is checked against the
 * attributes that describe it.
 */
#ifndef SWN_BUNDLE_H
#define SWN_BUNDLE_H

#include <stddef.h>

#include <openssl/x509.h>

#include "trust/config.h"
#include "base/err.h"
#include "base/swn_limits.h"
#include "trust/profile.h"

#define SWN_BUNDLE_NS "urn:swnode:bundle:1"

struct swn_bundle {
	char party_id[SWN_PARTY_BYTES];
	char party_type[SWN_PARTY_BYTES];
	char endpoint[SWN_URL_BYTES];
	X509 *signing;             /* the body profile's; NULL if the bundle has none */
	X509 *tls;
	char ledger_key[512];      /* verifier key text, "" if none */
	struct swn_bundle_profile {
		const struct swn_profile_def *profile;
		X509 *signing, *encryption;   /* of the profile's key types */
	} profiles[SWN_EDELIVERY_PROFILES];
	int nprofiles;
};

/* The bundle's certificates for profile p, or NULL. */
const struct swn_bundle_profile *swn_bundle_profile(const struct swn_bundle *b,
						    const struct swn_profile_def *p);

/* The bundle of the node described by cfg, as XML text (malloc'd). */
int swn_bundle_export(const struct swn_config *cfg, char **xml, size_t *len,
		      struct swn_err *err);

/* Read and check a bundle file.  now is the time validity is judged at. */
int swn_bundle_load(const char *path, time_t now, struct swn_bundle *b,
		    struct swn_err *err);
void swn_bundle_free(struct swn_bundle *b);

/* A supported key: RSA of 2048 bits or more, or EC P-256. */
int swn_cert_check_key(X509 *cert, const char *what, const char *file, long line,
		       struct swn_err *err);
/* now lies inside the certificate's validity. */
int swn_cert_check_time(X509 *cert, const char *what, time_t now, const char *file,
			long line, struct swn_err *err);

/* Check that a certificate is usable by a peer at time now: both of the
 * above (the first for the body profile's signing and TLS keys; an
 * eDelivery profile's are checked by swn_profile_cert_fits). */
int swn_bundle_check_cert(X509 *cert, const char *what, time_t now,
			  const char *file, long line, struct swn_err *err);

/* This node's keys of one profile, as node.xml names them, with their
 * certificates sign and enc (read by the caller): each certificate of the
 * profile's type, each key its certificate's.  The error names the file. */
int swn_profile_keys_check(const struct swn_profile_keys *k, X509 *sign, X509 *enc,
			   struct swn_err *err);

/* A certificate of eDelivery profile p (sign: its signing certificate,
 * else its encryption certificate): its key is of the profile's type and,
 * unless now is 0, it is valid at now. */
int swn_profile_cert_check(X509 *cert, const struct swn_profile_def *p, int sign,
			   time_t now, const char *file, long line, struct swn_err *err);

#endif

/*
 * runtime.h - a running node: its configuration, document registry,
 * agreements, signing identity and ledger, loaded once.
 *
 * The agreement set can be reloaded (SIGHUP) while requests are served:
 * readers hold swn_runtime_agreements_lock() while they use an agreement;
 * swn_runtime_reload() swaps in a new set under the write lock, so a request
 * sees either the old set or the new one, never a mix.
 *
 * Invariants:
 *  - cfg, reg, signer, profiles and ledger do not change while the runtime
 *    exists and may be used from any thread (the ledger serialises its
 *    writers).
 *  - A node whose profile keys do not load (a key not matching its
 *    certificate, a type the profile does not use) does not open: the
 *    error names the file.
 *  - An agreement that fails swn_agreement_check() is not loaded; the
 *    problem is reported (and logged by the caller), the others load.
 */
#ifndef SWN_RUNTIME_H
#define SWN_RUNTIME_H

#include "base/swn_limits.h"

#include <openssl/x509.h>

#include "trust/agreement.h"
#include "trust/config.h"
#include "doc/doctype.h"
#include "ledger/ledger.h"
#include "xml/schema.h"
#include "as4/wssec.h"

/* This node's keys for one eDelivery profile, loaded and checked at open:
 * each key matches its certificate, of the profile's types. */
struct swn_runtime_profile {
	const struct swn_profile_def *profile;
	struct swn_signer *signer;      /* signs messages and receipts under it */
	EVP_PKEY *enc_key;              /* decrypts the content keys sent to us */
	X509 *enc_cert;
};

struct swn_runtime {
	struct swn_config cfg;
	struct swn_registry *reg;
	struct swn_signer *signer;      /* the body profile's */
	struct swn_runtime_profile profiles[SWN_EDELIVERY_PROFILES];
	int nprofiles;
	struct swn_ledger *ledger;
	X509 *tls_cert;                 /* ours */
	/* private: the agreement set and its lock */
	struct swn_agreement **agreements;
	int nagreements;
	void *lock;
};

/* Open the node in home: config, registry, signer, ledger, agreements.
 * Problems with single agreements go to report (may be NULL). */
int swn_runtime_open(const char *home, swn_report_fn report, void *ctx,
		     struct swn_runtime **out, struct swn_err *err);
void swn_runtime_close(struct swn_runtime *rt);

/* This node's keys for profile p, or NULL if it has none. */
const struct swn_runtime_profile *swn_runtime_profile(const struct swn_runtime *rt,
						      const struct swn_profile_def *p);

/* Load peers/ again; returns the number of agreements loaded. */
int swn_runtime_reload(struct swn_runtime *rt, swn_report_fn report, void *ctx,
		       struct swn_err *err);

void swn_runtime_agreements_lock(struct swn_runtime *rt);
void swn_runtime_agreements_unlock(struct swn_runtime *rt);

/* With the lock held: the agreement with this id, or NULL. */
const struct swn_agreement *swn_runtime_agreement(const struct swn_runtime *rt,
						  const char *id);

/* With the lock held: the agreement for a peer that authenticated with TLS
 * certificate tls (NULL: any), whose party is peer_party, and, if ref is
 * not empty, whose id is ref.  NULL if none. */
const struct swn_agreement *swn_runtime_find(const struct swn_runtime *rt, X509 *tls,
					     const char *peer_party, const char *ref);

/* With the lock held: 1 if cert is the pinned TLS certificate of an
 * agreement that is active or suspended and inside its validity at now;
 * else 0 and why (size n) says why not ("no agreement pins it", "pinned
 * only by agreement X, which ended on ...", "... a draft").  A draft is
 * not agreed yet, and a peer whose agreement has ended or not begun has
 * nothing to send: both fail the handshake and cannot reach the ledger.  A
 * suspended agreement's peer still connects, to be told so in an eb:Error
 * (refusals are rate-limited per peer before they are recorded). */
int swn_runtime_tls_pinned(const struct swn_runtime *rt, X509 *cert, time_t now, char *why,
			   size_t n);

/* With the lock held: the largest maxMessageBytes of the active
 * agreements (at least SWN_MIN_BODY_BYTES): no request body may be longer,
 * whoever sends it. */
long long swn_runtime_max_message_bytes(const struct swn_runtime *rt);

#endif

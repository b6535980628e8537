/*
 * agreement.h - bilateral agreements (peers/ID.xml), swnode's P-Modes.
 *
 * An agreement (schemas/agreement.xsd, docs/agreements.md) says who the
 * peer is, where it listens, which certificates are pinned for its TLS
 * client and its signatures (each signing certificate with the window in
 * which it is accepted), which document types flow in which direction with
 * which AS4 Service and Action, the signature algorithms, the retry
 * schedule and the limits.  Its status is draft, active or suspended; only
 * an active agreement carries traffic.
 *
 * This module writes a draft agreement from a peer's certificate bundle
 * and checks agreement files, reporting every problem as FILE:LINE.
 * Agreement files are treated as untrusted input (they are often written
 * from material a peer sent): parsed by xmlsafe, validated, and every
 * pinned certificate checked against the attributes that describe it.
 */
#ifndef SWN_AGREEMENT_H
#define SWN_AGREEMENT_H

#include "base/swn_limits.h"

#include <time.h>

#include "trust/party.h"
#include "trust/bundle.h"
#include "trust/config.h"
#include "trust/profile.h"
#include "doc/doctype.h"
#include "doc/rules.h"
#include "base/err.h"
#include "xml/schema.h"

#define SWN_AGREEMENT_NS "urn:swnode:agreement:1"

/* Defaults written into a draft; operators edit them before activating. */
#define SWN_DRAFT_VALID_DAYS        365
#define SWN_DRAFT_RETRY_INTERVALS   "30 60 120 300 600 1800 3600 7200"
#define SWN_DRAFT_MAX_MESSAGE_BYTES "10485760"
#define SWN_DRAFT_MAX_PER_MINUTE    "60000"
#define SWN_DRAFT_MAX_REFUSALS_PER_MINUTE "30"   /* SWN_DEFAULT_REFUSALS_PER_MINUTE */
#define SWN_DRAFT_MAX_CLOCK_SKEW    "300"

/* What an agreement id may be, for messages. */
#define SWN_AGREEMENT_ID_RULE \
	"1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"

/* 1 if id may name an agreement (and so a file in peers/). */
int swn_agreement_id_ok(const char *id);

/* Write peers_dir/ID.xml, a draft agreement with the bundle's party under
 * profile p: body, or an eDelivery profile for which both this node and
 * the bundle have certificates (SWN_E_CONFIG says which side lacks them). */
int swn_agreement_write_draft(const struct swn_config *cfg,
			      const struct swn_registry *reg,
			      const struct swn_bundle *peer, const char *id,
			      const struct swn_profile_def *p, time_t now, char *path_out, size_t path_n,
			      struct swn_err *err);

/* An agreement as the node uses it: filled by swn_agreement_load(),
 * read-only for callers, freed with swn_agreement_free(). */
enum swn_agreement_status {
	SWN_AGREEMENT_DRAFT,
	SWN_AGREEMENT_ACTIVE,
	SWN_AGREEMENT_SUSPENDED,
};

struct swn_agreement_doc {
	char type[40];
	int out, in;                  /* directions allowed */
	char service[SWN_AS4_ID_BYTES];
	char action[SWN_AS4_ID_BYTES];
	/* What this agreement requires of the international form beyond
	 * the doctype's schema and rules, both ways (rules.h); NULL if
	 * nothing.  Owned by the agreement. */
	struct swn_rules *rules;
};

struct swn_signing_pin {
	X509 *cert;
	time_t accept_from, accept_until;
	time_t not_before, not_after;    /* the certificate's own validity */
};


struct swn_agreement {
	char id[SWN_MAX_ID_LEN + 1];
	char path[SWN_PATH_MAX];
	enum swn_agreement_status status;
	time_t valid_from, valid_until;
	struct swn_party local, peer;
	char endpoint[SWN_URL_BYTES];
	X509 *tls;
	struct swn_signing_pin signing[SWN_MAX_PINS];
	int nsigning;
	char peer_ledger_key[512];      /* verifier key text, "" if none */
	char peer_ledger_name[600];
	unsigned char peer_ledger_pub[32];
	const struct swn_profile_def *profile;   /* body unless the agreement names one */
	X509 *encryption;               /* eDelivery: the peer's encryption certificate */
	char inbound_alg[16], outbound_alg[16];
	int max_clock_skew;
	struct swn_agreement_doc docs[SWN_MAX_AGREEMENT_DOCS];
	int ndocs;
	int retry[SWN_MAX_RETRIES];
	int nretry;
	long long max_message_bytes;
	long long max_per_minute;
	long long max_refusals_per_minute;
	long long max_refused_bytes_per_minute;
};

/* Load an agreement that passes swn_agreement_check() (dates aside: an
 * ended agreement loads, and says so through swn_agreement_in_force()).
 * The first problem, if any, is in err. */
int swn_agreement_load(const char *path, const struct swn_registry *reg,
		       const struct swn_config *cfg, struct swn_agreement **out,
		       struct swn_err *err);
void swn_agreement_free(struct swn_agreement *a);

/* 1 if a carries traffic at now: active and inside its validity; else 0
 * and why says why. */
int swn_agreement_in_force(const struct swn_agreement *a, time_t now,
			   char *why, size_t n);

/* The entry for a document type, or NULL. */
const struct swn_agreement_doc *swn_agreement_doc(const struct swn_agreement *a,
						  const char *type);

/* The signing certificates accepted at t (up to SWN_MAX_PINS): inside
 * both their acceptance window and their own validity (its start less the
 * agreement's clock skew). */
int swn_agreement_pins_at(const struct swn_agreement *a, time_t t,
			  X509 *out[SWN_MAX_PINS]);

/* Why no signing certificate is accepted at t: each one's reason. */
void swn_agreement_no_pin_why(const struct swn_agreement *a, time_t t, char *why, size_t n);

/* Do a and b claim the same peer at the same time?  1 if both are active
 * or suspended, their validity periods overlap, and they name the same
 * peer party id or pin a TLS or signing certificate in common: then which
 * one a document goes to, or which one a peer's message belongs to, would
 * be a matter of file order.  why (size n) says what they share. */
int swn_agreement_conflict(const struct swn_agreement *a, const struct swn_agreement *b,
			   char *why, size_t n);

/* Check one agreement file.  Every problem goes to report; the return
 * value is the number of problems (0: the agreement is sound).  cfg may be
 * NULL (no node to compare the local party and key with).  now 0 leaves
 * out the checks that depend on the date. */
int swn_agreement_check(const char *path, const struct swn_registry *reg,
			const struct swn_config *cfg, time_t now,
			swn_report_fn report, void *report_ctx);

#endif

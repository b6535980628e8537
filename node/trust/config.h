/*
 * config.h - the node directory and its node.xml.
 *
 * A node directory holds node.xml (validated by schemas/node.xsd), keys/,
 * certs/ (or csr/), peers/, spool/ and the ledger database.  This module
 * finds the directory (--home, else $SWNODE_HOME), reads and writes
 * node.xml, and resolves the paths it names against the directory.
 *
 * It also holds the one rule for party ids, the node's own and its
 * peers', which every module that takes one from outside checks.
 *
 * Invariants:
 *  - Every path in a loaded struct swn_config is absolute or relative to
 *    the current directory, ready to open; node.xml itself stores paths
 *    relative to the node directory, so the directory can be moved.
 *  - A loaded config has passed node.xsd, and its party id the rule below.
 */
#ifndef SWN_CONFIG_H
#define SWN_CONFIG_H

#include "base/err.h"
#include "trust/party.h"
#include "base/swn_limits.h"
#include "trust/profile.h"

#define SWN_NODE_NS "urn:swnode:node:1"

/* The keys of one eDelivery profile (node.xml keys/profile). */
struct swn_profile_keys {
	const struct swn_profile_def *profile;
	char signing_key[SWN_PATH_MAX];
	char signing_cert[SWN_PATH_MAX];
	char enc_key[SWN_PATH_MAX];
	char enc_cert[SWN_PATH_MAX];
};

struct swn_config {
	char home[SWN_PATH_MAX];
	char party_id[SWN_PARTY_BYTES];
	char party_type[SWN_PARTY_BYTES];
	char endpoint[SWN_URL_BYTES];   /* URL foreign windows post AS4 to */
	char listen_partner[128];  /* host:port of the mutual-TLS listener */
	char listen_local[128];    /* host:port of the local API */
	char key_type[16];         /* signing and TLS key kind */
	char signing_key[SWN_PATH_MAX];
	char signing_cert[SWN_PATH_MAX];
	char tls_key[SWN_PATH_MAX];
	char tls_cert[SWN_PATH_MAX];
	char ledger_key[SWN_PATH_MAX];
	char ledger_db[SWN_PATH_MAX];
	char spool_dir[SWN_PATH_MAX];
	char peers_dir[SWN_PATH_MAX];
	struct swn_profile_keys profiles[SWN_EDELIVERY_PROFILES];
	int nprofiles;
};

/* The node directory: explicit (from --home) or $SWNODE_HOME.  Neither
 * is SWN_E_CONFIG ("no node directory: ..."), a path too long SWN_E_USAGE. */
int swn_home_resolve(const char *explicit_home, char *out, size_t n,
		     struct swn_err *err);

/* Fill cfg with the layout swn_config_write() and init use. */
void swn_config_defaults(struct swn_config *cfg, const char *home);

/* Give cfg the keys of eDelivery profile p at their default places
 * (keys/NAME-signing.key, certs/NAME-signing.pem, keys/NAME-encryption.key,
 * certs/NAME-encryption.pem); init makes them.  -1 if p is body or there
 * already. */
int swn_config_add_profile(struct swn_config *cfg, const struct swn_profile_def *p);

/* The node's keys for profile p, or NULL if it has none. */
const struct swn_profile_keys *swn_config_profile(const struct swn_config *cfg,
						  const struct swn_profile_def *p);

int swn_config_load(const char *home, struct swn_config *cfg,
		    struct swn_err *err);

/* Write home/node.xml; never over an existing one. */
int swn_config_write(const struct swn_config *cfg, struct swn_err *err);
/* Add keys/profile for p, at the layout's places, to home/node.xml,
 * replaced atomically; everything else in it is kept as it is. */
int swn_config_add_profile_file(const struct swn_config *cfg, const struct swn_profile_def *p,
				struct swn_err *err);

#endif

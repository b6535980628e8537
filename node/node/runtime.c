/* runtime.c - a running node; see runtime.h. */
#include "autoconfig.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trust/pki.h"
#include "node/node/runtime.h"

static void free_set(struct swn_agreement **set, int n)
{
	int i;

	for (i = 0; i < n; i++)
		swn_agreement_free(set[i]);
	free(set);
}

/* 1 if the running node already carried a's traffic: its loaded version
 * (same id) was active or suspended, for the same peer party id and TLS
 * certificate.  A draft carried nothing, and an agreement edited to claim
 * another peer is new for that peer: either would otherwise count as
 * loaded and, in a conflict, take the partner's agreement down with it. */
static int was_loaded(const struct swn_agreement *a, struct swn_agreement *const *prev, int nprev)
{
	int i;

	for (i = 0; i < nprev; i++) {
		const struct swn_agreement *p = prev[i];

		if (strcmp(p->id, a->id) != 0)
			continue;
		return p->status != SWN_AGREEMENT_DRAFT && strcmp(p->peer.id, a->peer.id) == 0 &&
		       X509_cmp(p->tls, a->tls) == 0;
	}
	return 0;
}

static int report_dropped(const struct swn_agreement *a, const char *why, swn_report_fn report,
			  void *ctx)
{
	struct swn_err e;

	if (report) {
		swn_err_clear(&e);
		swn_err_set(&e, SWN_E_CONFIG, a->path, 0, "agreement %s is not loaded: %s", a->id, why);
		report(ctx, &e);
	}
	return 1;
}

/* Leave out agreements that claim one peer at one time
 * (swn_agreement_conflict): of a conflicting pair, the one already loaded
 * (was_loaded, from prev) stays, so a new agreement cannot take a
 * partner's traffic; when neither or both were, neither stays.  Each one
 * left out is reported. */
static void drop_conflicts(struct swn_agreement **set, int *n, struct swn_agreement *const *prev,
			   int nprev, swn_report_fn report, void *ctx)
{
	char *drop = calloc((size_t)*n + 1, 1), why[700];
	int i, j, kept = 0;

	if (drop == NULL)
		return;
	for (i = 0; i < *n; i++)
		for (j = i + 1; j < *n; j++) {
			int pi, pj;

			if (!swn_agreement_conflict(set[i], set[j], why, sizeof why))
				continue;
			pi = was_loaded(set[i], prev, nprev);
			pj = was_loaded(set[j], prev, nprev);
			if (!pi || pj)
				drop[i] = report_dropped(set[i], why, report, ctx);
			if (!pj || pi)
				drop[j] = report_dropped(set[j], why, report, ctx);
		}
	for (i = 0; i < *n; i++) {
		if (drop[i])
			swn_agreement_free(set[i]);
		else
			set[kept++] = set[i];
	}
	*n = kept;
	free(drop);
}

/* Every .xml file in peers/ that loads; problems go to report. */
static int load_set(struct swn_runtime *rt, struct swn_agreement ***out, int *nout,
		    swn_report_fn report, void *ctx, struct swn_err *err)
{
	DIR *d = opendir(rt->cfg.peers_dir);
	struct swn_agreement **set = NULL, **grown, *a;
	struct dirent *e;
	char path[SWN_PATH_MAX + 300];
	int n = 0;
	size_t len;

	*out = NULL;
	*nout = 0;
	if (d == NULL)
		return swn_err_set(err, SWN_E_IO, rt->cfg.peers_dir, 0, "cannot read the peers directory");
	while ((e = readdir(d)) != NULL) {
		struct swn_err one;

		len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".xml") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", rt->cfg.peers_dir, e->d_name);
		swn_err_clear(&one);
		if (swn_agreement_load(path, rt->reg, &rt->cfg, &a, &one) < 0) {
			if (report)
				report(ctx, &one);
			continue;
		}
		if (!(grown = realloc(set, sizeof *set * (size_t)(n + 1)))) {
			swn_agreement_free(a);
			free_set(set, n);
			closedir(d);
			return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		}
		set = grown;
		set[n++] = a;
	}
	closedir(d);
	drop_conflicts(set, &n, rt->agreements, rt->nagreements, report, ctx);
	*out = set;
	*nout = n;
	return 0;
}

/* Each eDelivery profile's keys of the node: the signing key with its
 * certificate (of the profile's algorithm), the encryption key matching
 * its certificate (of the profile's type). */
static int load_profiles(struct swn_runtime *rt, struct swn_err *err)
{
	char why[200];
	int i;

	for (i = 0; i < rt->cfg.nprofiles; i++) {
		const struct swn_profile_keys *k = &rt->cfg.profiles[i];
		struct swn_runtime_profile *p = &rt->profiles[i];

		p->profile = k->profile;
		rt->nprofiles = i + 1;
		if (swn_signer_load_swa(k->signing_key, k->signing_cert, &p->signer, err) < 0)
			return -1;
		if (strcmp(swn_signer_alg(p->signer), k->profile->sig_alg) != 0)
			return swn_err_set(err, SWN_E_CONFIG, k->signing_cert, 0,
					   "profile %s signs with %s, but this key signs with %s",
					   k->profile->name, k->profile->sig_alg, swn_signer_alg(p->signer));
		if (!(p->enc_key = swn_key_read(k->enc_key, err)) ||
		    !(p->enc_cert = swn_cert_read(k->enc_cert, err)))
			return -1;
		if (!swn_profile_cert_fits(k->profile, 0, p->enc_cert, why, sizeof why))
			return swn_err_set(err, SWN_E_CONFIG, k->enc_cert, 0,
					   "the encryption certificate has %s", why);
		if (!swn_cert_matches_key(p->enc_cert, p->enc_key))
			return swn_err_set(err, SWN_E_CRYPTO, k->enc_cert, 0,
					   "certificate is not for the key %s", k->enc_key);
	}
	return 0;
}

const struct swn_runtime_profile *swn_runtime_profile(const struct swn_runtime *rt,
						      const struct swn_profile_def *p)
{
	int i;

	for (i = 0; i < rt->nprofiles; i++)
		if (rt->profiles[i].profile == p)
			return &rt->profiles[i];
	return NULL;
}

int swn_runtime_open(const char *home, swn_report_fn report, void *ctx,
		     struct swn_runtime **out, struct swn_err *err)
{
	struct swn_runtime *rt = calloc(1, sizeof *rt);
	pthread_rwlock_t *lock = calloc(1, sizeof *lock);
	EVP_PKEY *ledger_key = NULL;

	*out = NULL;
	if (rt == NULL || lock == NULL) {
		free(rt);
		free(lock);
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	}
	pthread_rwlock_init(lock, NULL);
	rt->lock = lock;
	if (swn_config_load(home, &rt->cfg, err) < 0 ||
	    swn_registry_load(swn_schema_dir(), &rt->reg, err) < 0 ||
	    swn_signer_load(rt->cfg.signing_key, rt->cfg.signing_cert, &rt->signer, err) < 0 ||
	    load_profiles(rt, err) < 0 ||
	    !(rt->tls_cert = swn_cert_read(rt->cfg.tls_cert, err)) ||
	    !(ledger_key = swn_key_read(rt->cfg.ledger_key, err)) ||
	    swn_ledger_open(rt->cfg.ledger_db, rt->cfg.home, ledger_key, rt->cfg.party_id, &rt->ledger, err) < 0 ||
	    load_set(rt, &rt->agreements, &rt->nagreements, report, ctx, err) < 0) {
		EVP_PKEY_free(ledger_key);
		swn_runtime_close(rt);
		return -1;
	}
	EVP_PKEY_free(ledger_key);
	*out = rt;
	return 0;
}

void swn_runtime_close(struct swn_runtime *rt)
{
	int i;

	if (rt == NULL)
		return;
	free_set(rt->agreements, rt->nagreements);
	swn_ledger_close(rt->ledger);
	X509_free(rt->tls_cert);
	swn_signer_free(rt->signer);
	for (i = 0; i < rt->nprofiles; i++) {
		swn_signer_free(rt->profiles[i].signer);
		EVP_PKEY_free(rt->profiles[i].enc_key);
		X509_free(rt->profiles[i].enc_cert);
	}
	swn_registry_free(rt->reg);
	pthread_rwlock_destroy(rt->lock);
	free(rt->lock);
	free(rt);
}

int swn_runtime_reload(struct swn_runtime *rt, swn_report_fn report, void *ctx,
		       struct swn_err *err)
{
	struct swn_agreement **set, **old;
	int n, nold;

	if (load_set(rt, &set, &n, report, ctx, err) < 0)
		return -1;
	pthread_rwlock_wrlock(rt->lock);
	old = rt->agreements;
	nold = rt->nagreements;
	rt->agreements = set;
	rt->nagreements = n;
	pthread_rwlock_unlock(rt->lock);
	free_set(old, nold);
	return n;
}

void swn_runtime_agreements_lock(struct swn_runtime *rt)
{
	pthread_rwlock_rdlock(rt->lock);
}

void swn_runtime_agreements_unlock(struct swn_runtime *rt)
{
	pthread_rwlock_unlock(rt->lock);
}

const struct swn_agreement *swn_runtime_agreement(const struct swn_runtime *rt,
						  const char *id)
{
	int i;

	for (i = 0; i < rt->nagreements; i++)
		if (strcmp(rt->agreements[i]->id, id) == 0)
			return rt->agreements[i];
	return NULL;
}

const struct swn_agreement *swn_runtime_find(const struct swn_runtime *rt, X509 *tls,
					     const char *peer_party, const char *ref)
{
	const struct swn_agreement *any = NULL;
	time_t now = time(NULL);
	char why[300];
	int i;

	/* An agreement in force wins over drafts, suspended or expired ones
	 * that pin the same certificate (as during a renewal). */
	for (i = 0; i < rt->nagreements; i++) {
		const struct swn_agreement *a = rt->agreements[i];

		if (tls && X509_cmp(a->tls, tls) != 0)
			continue;
		if (ref && *ref && strcmp(a->id, ref) != 0)
			continue;
		if (peer_party && strcmp(a->peer.id, peer_party) != 0)
			continue;
		if (swn_agreement_in_force(a, now, why, sizeof why))
			return a;
		if (any == NULL)
			any = a;
	}
	return any;
}

int swn_runtime_tls_pinned(const struct swn_runtime *rt, X509 *cert, time_t now, char *why,
			   size_t n)
{
	char when[SWN_TIME_LEN + 1];
	int i;

	snprintf(why, n, "no agreement pins it");
	for (i = 0; i < rt->nagreements; i++) {
		const struct swn_agreement *a = rt->agreements[i];

		if (X509_cmp(a->tls, cert) != 0)
			continue;
		if (a->status == SWN_AGREEMENT_DRAFT) {
			snprintf(why, n, "pinned only by agreement %s, a draft", a->id);
		} else if (now > a->valid_until) {
			swn_time_iso(a->valid_until, when);
			snprintf(why, n, "pinned only by agreement %s, which ended on %s", a->id, when);
		} else if (now < a->valid_from) {
			swn_time_iso(a->valid_from, when);
			snprintf(why, n, "pinned only by agreement %s, which starts on %s", a->id, when);
		} else {
			return 1;
		}
	}
	return 0;
}

long long swn_runtime_max_message_bytes(const struct swn_runtime *rt)
{
	long long max = SWN_MIN_BODY_BYTES;
	int i;

	for (i = 0; i < rt->nagreements; i++)
		if (rt->agreements[i]->status == SWN_AGREEMENT_ACTIVE &&
		    rt->agreements[i]->max_message_bytes > max)
			max = rt->agreements[i]->max_message_bytes;
	return max;
}

/* cmd_init.c - swnode init: create a node directory. */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cli.h"
#include "base/fsutil.h"
#include "ledger/ledger.h"
#include "base/swn_limits.h"
#include "trust/pki.h"
#include "trust/profile.h"
#include "node/node/spool.h"
#include "base/number.h"

struct init_opts {
	const char *party_id;
	const char *party_type;
	const char *key;
	const char *endpoint;
	const char *listen;
	const char *local;
	const char *org;
	const char *country;
	int days;
	int csr;
	const char *profiles;   /* comma-separated eDelivery profiles, or "none" */
};

/* A port written in a URL or an address: all digits, 1 to 65535. */
static int port_ok(const char *p, size_t len)
{
	char digits[8];
	long long v;

	if (len == 0 || len >= sizeof digits)
		return 0;
	memcpy(digits, p, len);
	digits[len] = '\0';
	return swn_parse_number(digits, 1, 65535, &v) == 0;
}

/* Host part of an https URL, for the TLS certificate's subjectAltName;
 * the port, if the URL has one, must be a real one. */
static int endpoint_host(const char *url, char *host, size_t n)
{
	const char *p, *end, *after;

	if (strncmp(url, "https://", 8) != 0)
		return -1;
	p = url + 8;
	if (*p == '[') {
		end = strchr(p, ']');
		if (end == NULL)
			return -1;
		p++;
		after = end + 1;
	} else {
		end = p + strcspn(p, ":/");
		after = end;
	}
	if (end == p || (size_t)(end - p) >= n)
		return -1;
	if (*after == ':' && !port_ok(after + 1, strcspn(after + 1, "/")))
		return -1;
	if (*after != ':' && *after != '/' && *after != '\0')
		return -1;
	snprintf(host, n, "%.*s", (int)(end - p), p);
	return 0;
}

/* host:port or [v6]:port, as node.xsd wants it, the port 1 to 65535: a
 * node's configured address is a fixed one (serve --listen and --local
 * take port 0 for any free port). */
static int host_port_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	size_t i, n;

	if (colon == NULL || colon == s || !port_ok(colon + 1, strlen(colon + 1)))
		return 0;
	n = (size_t)(colon - s);
	if (s[0] == '[')
		return n > 2 && s[n - 1] == ']';
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

static int check_opts(struct swn_ctx *ctx, const struct init_opts *o,
		      enum swn_key_kind *kind)
{
	char host[256];
	size_t i;

	if (o->party_id == NULL)
		return swn_cli_usage_error(ctx, "--party-id is required");
	if (!swn_party_id_ok(o->party_id))
		return swn_cli_usage_error(ctx, "--party-id '%s' is not allowed: use " SWN_PARTY_ID_RULE,
					   o->party_id);
	if (strlen(o->party_id) > SWN_MAX_CN_LEN)
		return swn_cli_usage_error(ctx, "--party-id must be at most %d characters: it is the certificates' CN",
					   SWN_MAX_CN_LEN);
	if (o->org && strlen(o->org) > SWN_MAX_CN_LEN)
		return swn_cli_usage_error(ctx, "--org must be at most %d characters", SWN_MAX_CN_LEN);
	if (strlen(o->party_type) == 0 || strlen(o->party_type) > SWN_MAX_PARTY_ID_LEN)
		return swn_cli_usage_error(ctx, "--party-id-type must be 1-%d characters", SWN_MAX_PARTY_ID_LEN);
	if (strlen(o->endpoint) > SWN_MAX_URL_LEN)
		return swn_cli_usage_error(ctx, "--endpoint must be at most %d characters", SWN_MAX_URL_LEN);
	if (swn_key_kind_parse(o->key, kind) < 0 || *kind == SWN_KEY_ED25519)
		return swn_cli_usage_error(ctx, "--key must be rsa-2048, rsa-3072 or ec-p256, not '%s'", o->key);
	if (endpoint_host(o->endpoint, host, sizeof host) < 0)
		return swn_cli_usage_error(ctx, "--endpoint must be an https:// URL (with a port, if any, "
					   "from 1 to 65535), not '%s'", o->endpoint);
	if (!host_port_ok(o->listen))
		return swn_cli_usage_error(ctx, "--listen must be HOST:PORT with a port from 1 to 65535, not '%s'",
					   o->listen);
	if (!host_port_ok(o->local))
		return swn_cli_usage_error(ctx, "--local must be HOST:PORT with a port from 1 to 65535, not '%s'",
					   o->local);
	if (o->country) {
		if (strlen(o->country) != 2)
			return swn_cli_usage_error(ctx, "--country must be a two-letter ISO 3166 code");
		for (i = 0; i < 2; i++)
			if (o->country[i] < 'A' || o->country[i] > 'Z')
				return swn_cli_usage_error(ctx, "--country must be two upper-case letters");
	}
	return 0;
}

/* --profiles: "none", or eDelivery profile names joined by commas, each
 * once; added to cfg (whose home is set). */
static int parse_profiles(struct swn_ctx *ctx, const char *list, struct swn_config *cfg)
{
	char name[64];
	const char *p = list;
	size_t len;

	if (strcmp(list, "none") == 0)
		return 0;
	for (;;) {
		const struct swn_profile_def *def;

		len = strcspn(p, ",");
		snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), p);
		def = len < sizeof name ? swn_profile_find(name) : NULL;
		if (def == NULL || def->id == SWN_PROFILE_BODY)
			return swn_cli_usage_error(ctx, "--profiles takes none or a comma-separated list of "
						   "edelivery-2.0, edelivery-2.0-ecdsa and edelivery-1.15, not '%s'",
						   name);
		if (swn_config_add_profile(cfg, def) < 0)
			return swn_cli_usage_error(ctx, "--profiles names %s twice", name);
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

/* Make one key and its certificate (or CSR); print what was written. */
static int make_identity(const struct swn_config *cfg, const struct init_opts *o,
			 enum swn_key_kind kind, const char *usage,
			 const char *keypath, const char *certpath,
			 const char *host, struct swn_err *err)
{
	struct swn_subject s = { o->party_id, usage, o->org, o->country, host, o->days, NULL, NULL };
	char csrpath[SWN_PATH_MAX + 32], fp[SWN_FP_LEN + 1];
	EVP_PKEY *key;
	int rc = -1;

	if (!(key = swn_key_generate(kind, err)) || swn_key_write(keypath, key, err) < 0)
		goto done;
	printf("  %-8s key          %s (%s, mode 0600)\n", usage, keypath, swn_key_kind_name(kind));
	if (o->csr) {
		X509_REQ *req = swn_csr_make(key, &s, err);

		snprintf(csrpath, sizeof csrpath, "%s/csr/%s.csr", cfg->home, usage);
		if (req == NULL || swn_csr_write(csrpath, req, err) < 0) {
			X509_REQ_free(req);
			goto done;
		}
		X509_REQ_free(req);
		printf("  %-8s request      %s\n", usage, csrpath);
	} else {
		X509 *cert = swn_cert_self_signed(key, &s, err);

		if (cert == NULL || swn_cert_write(certpath, cert, err) < 0) {
			X509_free(cert);
			goto done;
		}
		swn_cert_fingerprint(cert, fp);
		X509_free(cert);
		printf("  %-8s certificate  %s (self-signed, %d days)\n", usage, certpath, o->days);
		printf("  %-8s sha256       %s\n", usage, fp);
	}
	rc = 0;
done:
	EVP_PKEY_free(key);
	return rc;
}

/* An eDelivery profile's two keys and certificates.  Both certificates
 * are made here, also with --csr: peers pin them as they are, and an
 * X25519 key cannot sign a request; the encryption certificate is issued
 * by the profile's signing key (an X25519 key cannot sign itself). */
int swn_make_profile_keys(const struct swn_profile_keys *k, const char *party_id,
			  const char *org, const char *country, int days, struct swn_err *err)
{
	const struct swn_profile_def *p = k->profile;
	struct swn_subject s = { party_id, "signing", org, country, NULL, days, p->name, NULL };
	EVP_PKEY *sign = NULL, *enc = NULL;
	X509 *scert = NULL, *ecert = NULL;
	char fp[SWN_FP_LEN + 1];
	int rc = -1;

	if (!(sign = swn_key_generate(p->sign_key, err)) ||
	    swn_key_write(k->signing_key, sign, err) < 0 ||
	    !(scert = swn_cert_self_signed(sign, &s, err)) ||
	    swn_cert_write(k->signing_cert, scert, err) < 0)
		goto done;
	s.usage = "encryption";
	s.key_usage = p->enc_key == SWN_KEY_RSA_2048 ? "critical,keyEncipherment" : NULL;
	if (!(enc = swn_key_generate(p->enc_key, err)) ||
	    swn_key_write(k->enc_key, enc, err) < 0 ||
	    !(ecert = swn_cert_issued(enc, sign, scert, &s, err)) ||
	    swn_cert_write(k->enc_cert, ecert, err) < 0)
		goto done;
	swn_cert_fingerprint(scert, fp);
	printf("  %-19s signing     %s (%s), %s\n", p->name, k->signing_cert,
	       swn_key_kind_name(p->sign_key), fp);
	swn_cert_fingerprint(ecert, fp);
	printf("  %-19s encryption  %s (%s), %s\n", p->name, k->enc_cert,
	       swn_key_kind_name(p->enc_key), fp);
	rc = 0;
done:
	X509_free(scert);
	X509_free(ecert);
	EVP_PKEY_free(sign);
	EVP_PKEY_free(enc);
	return rc;
}

static int create_node(struct swn_config *cfg, const struct init_opts *o,
		       enum swn_key_kind kind, struct swn_err *err)
{
	char dir[SWN_PATH_MAX + 16], host[256];
	EVP_PKEY *ledger_key;
	struct swn_config check;
	int i;

	endpoint_host(o->endpoint, host, sizeof host);
	/* Nothing in a node is for other users, also when the operator made
	 * the (empty) directory beforehand. */
	if (swn_mkdir(cfg->home, 0750, err) < 0)
		return -1;
	if (chmod(cfg->home, 0750) < 0)
		return swn_err_set(err, SWN_E_IO, cfg->home, 0, "cannot set mode 0750: %s",
				   strerror(errno));
	printf("initialising node %s in %s\n", cfg->party_id, cfg->home);
	snprintf(dir, sizeof dir, "%s/keys", cfg->home);
	if (swn_mkdir(dir, 0700, err) < 0)
		return -1;
	snprintf(dir, sizeof dir, "%s/%s", cfg->home, o->csr ? "csr" : "certs");
	if (swn_mkdir(dir, 0755, err) < 0)
		return -1;
	if (o->csr) {
		snprintf(dir, sizeof dir, "%s/certs", cfg->home);
		if (swn_mkdir(dir, 0755, err) < 0)
			return -1;
	}
	if (make_identity(cfg, o, kind, "signing", cfg->signing_key, cfg->signing_cert,
			  NULL, err) < 0 ||
	    make_identity(cfg, o, kind, "tls", cfg->tls_key, cfg->tls_cert, host, err) < 0)
		return -1;
	for (i = 0; i < cfg->nprofiles; i++)
		if (swn_make_profile_keys(&cfg->profiles[i], o->party_id, o->org, o->country, o->days,
					  err) < 0)
			return -1;
	if (!(ledger_key = swn_key_generate(SWN_KEY_ED25519, err)))
		return -1;
	if (swn_key_write(cfg->ledger_key, ledger_key, err) < 0) {
		EVP_PKEY_free(ledger_key);
		return -1;
	}
	EVP_PKEY_free(ledger_key);
	printf("  ledger   key          %s (ed25519, mode 0600)\n", cfg->ledger_key);
	if (swn_ledger_create(cfg->ledger_db, cfg->party_id, err) < 0)
		return -1;
	printf("  ledger   database     %s\n", cfg->ledger_db);
	if (swn_mkdir(cfg->peers_dir, 0750, err) < 0 || swn_spool_create(cfg->spool_dir, err) < 0)
		return -1;
	printf("  peers    directory    %s\n", cfg->peers_dir);
	printf("  spool    directories  %s/{out,in,failed}\n", cfg->spool_dir);
	/* node.xml last: a directory without it is not a node. */
	if (swn_config_write(cfg, err) < 0)
		return -1;
	if (swn_config_load(cfg->home, &check, err) < 0)
		return -1;
	printf("  node     config       %s/node.xml\n", cfg->home);
	if (o->csr)
		printf("next: have csr/signing.csr and csr/tls.csr signed by your CA, then run\n"
		       "  swnode cert install --home %s --signing SIGNING.pem --tls TLS.pem\n",
		       cfg->home);
	else
		printf("next: swnode cert export --home %s -o bundle.xml, and send it to each peer\n",
		       cfg->home);
	return 0;
}

int cmd_init(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "party-id", required_argument, NULL, 'p' },
		{ "party-id-type", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "csr", no_argument, NULL, 'c' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "listen", required_argument, NULL, 'l' },
		{ "local", required_argument, NULL, 'L' },
		{ "org", required_argument, NULL, 'o' },
		{ "country", required_argument, NULL, 'C' },
		{ "days", required_argument, NULL, 'd' },
		{ "profiles", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct init_opts o = { NULL, SWN_DEFAULT_PARTY_TYPE, "rsa-2048",
			       "https://localhost:8443/as4", "0.0.0.0:8443",
			       "127.0.0.1:8080", NULL, NULL, 730, 0, "edelivery-2.0" };
	struct swn_config cfg;
	struct swn_err err;
	enum swn_key_kind kind;
	long long days;
	int c;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h': return SWN_EXIT_OK;
		case '?': return SWN_EXIT_USAGE;
		case 'p': o.party_id = optarg; break;
		case 't': o.party_type = optarg; break;
		case 'k': o.key = optarg; break;
		case 'c': o.csr = 1; break;
		case 'e': o.endpoint = optarg; break;
		case 'l': o.listen = optarg; break;
		case 'L': o.local = optarg; break;
		case 'o': o.org = optarg; break;
		case 'C': o.country = optarg; break;
		case 'P': o.profiles = optarg; break;
		case 'd':
			if (swn_cli_number(ctx, "--days", optarg, 1, 3650, &days) < 0)
				return SWN_EXIT_USAGE;
			o.days = (int)days;
			break;
		default: return SWN_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return swn_cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (check_opts(ctx, &o, &kind) != 0)
		return SWN_EXIT_USAGE;
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	swn_config_defaults(&cfg, ctx->home);
	snprintf(cfg.party_id, sizeof cfg.party_id, "%s", o.party_id);
	snprintf(cfg.party_type, sizeof cfg.party_type, "%s", o.party_type);
	snprintf(cfg.endpoint, sizeof cfg.endpoint, "%s", o.endpoint);
	snprintf(cfg.listen_partner, sizeof cfg.listen_partner, "%s", o.listen);
	snprintf(cfg.listen_local, sizeof cfg.listen_local, "%s", o.local);
	snprintf(cfg.key_type, sizeof cfg.key_type, "%s", o.key);
	if (parse_profiles(ctx, o.profiles, &cfg) != 0)
		return SWN_EXIT_USAGE;
	fflush(stdout);
	if (create_node(&cfg, &o, kind, &err) < 0) {
		fflush(stdout);
		swn_cli_fail(&err);
		fprintf(stderr, "swnode: init did not finish; %s is incomplete: remove it and run init again\n",
			ctx->home);
		return SWN_EXIT_FAIL;
	}
	return SWN_EXIT_OK;
}

/* cmd_cert.c - swnode cert show | export | install | add-profile. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trust/bundle.h"
#include "cmd/cli.h"
#include "base/fsutil.h"
#include "trust/pki.h"
#include "trust/profile.h"

/* Print one certificate; -1 (with err) if it is there but unreadable. */
static int show_one(const char *path, const char *home, const char *usage, int installable,
		    struct swn_err *err)
{
	char csr[SWN_PATH_MAX + 32];
	struct swn_cert_info i;
	time_t now = time(NULL);
	X509 *c;

	printf("%s certificate: %s\n", usage, path);
	if (!swn_path_exists(path) && !installable) {
		printf("  missing\n");
		return 0;
	}
	if (!swn_path_exists(path)) {
		snprintf(csr, sizeof csr, "%s/csr/%s.csr", home, usage);
		if (swn_path_exists(csr))
			printf("  not installed: have %s signed by your CA, then run swnode cert install --%s FILE\n",
			       csr, usage);
		else
			printf("  missing: install one with swnode cert install --%s FILE\n", usage);
		return 0;
	}
	if (!(c = swn_cert_read(path, err)))
		return -1;
	swn_cert_describe(c, &i);
	X509_free(c);
	printf("  subject:    %s\n", i.subject);
	printf("  key:        %s\n", i.key_type);
	printf("  sha256:     %s\n", i.sha256);
	printf("  not before: %s\n", i.not_before);
	printf("  not after:  %s%s\n", i.not_after,
	       now > i.na ? " (EXPIRED)" : now < i.nb ? " (NOT YET VALID)" :
	       i.na - now < 30 * 86400 ? " (expires within 30 days)" : "");
	return 0;
}

int cmd_cert_show(int argc, char **argv, struct swn_ctx *ctx)
{
	const struct swn_config *cfg;
	struct swn_err err;
	int c;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", NULL)) != -1)
		return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	/* c is reused below to count profiles. */
	if (optind < argc)
		return swn_cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	cfg = ctx->cfg;
	printf("node %s (%s)\nendpoint %s\n", cfg->party_id, cfg->party_type, cfg->endpoint);
	if (show_one(cfg->signing_cert, cfg->home, "signing", 1, &err) < 0 ||
	    show_one(cfg->tls_cert, cfg->home, "tls", 1, &err) < 0)
		return swn_cli_fail(&err);
	for (c = 0; c < cfg->nprofiles; c++) {
		char label[64];

		snprintf(label, sizeof label, "%s signing", cfg->profiles[c].profile->name);
		if (show_one(cfg->profiles[c].signing_cert, cfg->home, label, 0, &err) < 0)
			return swn_cli_fail(&err);
		snprintf(label, sizeof label, "%s encryption", cfg->profiles[c].profile->name);
		if (show_one(cfg->profiles[c].enc_cert, cfg->home, label, 0, &err) < 0)
			return swn_cli_fail(&err);
	}
	return SWN_EXIT_OK;
}

int cmd_cert_add_profile(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	static struct swn_config cfg;
	const struct swn_profile_def *p;
	struct swn_err err;
	long long days = 730;
	int c;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 'd') {
			if (swn_cli_number(ctx, "--days", optarg, 1, 3650, &days) < 0)
				return SWN_EXIT_USAGE;
		} else {
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one PROFILE");
	p = swn_profile_find(argv[optind]);
	if (p == NULL || p->id == SWN_PROFILE_BODY)
		return swn_cli_usage_error(ctx, "PROFILE must be edelivery-2.0, edelivery-2.0-ecdsa "
					   "or edelivery-1.15, not '%s'", argv[optind]);
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	cfg = *ctx->cfg;
	if (swn_config_profile(&cfg, p)) {
		fprintf(stderr, "swnode: this node has keys for profile %s already\n", p->name);
		return SWN_EXIT_FAIL;
	}
	swn_config_add_profile(&cfg, p);
	printf("adding profile %s to node %s\n", p->name, cfg.party_id);
	/* The keys first, node.xml last: a node.xml never names missing keys.
	 * Key files never replace existing ones. */
	if (swn_make_profile_keys(&cfg.profiles[cfg.nprofiles - 1], cfg.party_id, NULL, NULL,
				  (int)days, &err) < 0 ||
	    swn_config_add_profile_file(&cfg, p, &err) < 0)
		return swn_cli_fail(&err);
	printf("next: swnode cert export --home %s -o bundle.xml, and send it to each peer that "
	       "will use %s; a running node takes the keys when it starts again\n", cfg.home, p->name);
	return SWN_EXIT_OK;
}

int cmd_cert_export(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const struct swn_config *cfg;
	const char *out = "-";
	struct swn_err err;
	char *xml = NULL;
	size_t len = 0;
	int c, rc;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "o:", opts)) != -1) {
		if (c == 'o')
			out = optarg;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (optind < argc)
		return swn_cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (swn_cmd_setup(ctx, &err) < 0 || swn_bundle_export(ctx->cfg, &xml, &len, &err) < 0)
		return swn_cli_fail(&err);
	cfg = ctx->cfg;
	rc = swn_write_output(out, xml, len, &err);
	free(xml);
	if (rc < 0)
		return swn_cli_fail(&err);
	if (strcmp(out, "-") != 0)
		fprintf(stderr, "swnode: wrote certificate bundle of %s to %s\n", cfg->party_id, out);
	return SWN_EXIT_OK;
}

/* Install one CA-issued certificate after checking it fits the key. */
static int install_one(const char *pem, const char *keypath, const char *dest,
		       const char *usage, struct swn_err *err)
{
	char fp[SWN_FP_LEN + 1];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int rc = -1;

	if (!(cert = swn_cert_read(pem, err)) || !(key = swn_key_read(keypath, err)))
		goto done;
	if (!swn_cert_matches_key(cert, key)) {
		swn_err_set(err, SWN_E_CRYPTO, pem, 0,
			    "this certificate is not for the node's %s key (%s)", usage, keypath);
		goto done;
	}
	if (swn_bundle_check_cert(cert, usage, time(NULL), pem, 0, err) < 0 ||
	    swn_cert_write(dest, cert, err) < 0)
		goto done;
	swn_cert_fingerprint(cert, fp);
	printf("installed %s certificate %s\n  sha256 %s\n", usage, dest, fp);
	rc = 0;
done:
	EVP_PKEY_free(key);
	X509_free(cert);
	return rc;
}

int cmd_cert_install(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "signing", required_argument, NULL, 's' },
		{ "tls", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *signing = NULL, *tls = NULL;
	const struct swn_config *cfg;
	struct swn_err err;
	int c;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 's')
			signing = optarg;
		else if (c == 't')
			tls = optarg;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (optind < argc)
		return swn_cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (!signing && !tls)
		return swn_cli_usage_error(ctx, "give --signing PEM, --tls PEM or both");
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	cfg = ctx->cfg;
	if (signing && install_one(signing, cfg->signing_key, cfg->signing_cert, "signing", &err) < 0)
		return swn_cli_fail(&err);
	if (tls && install_one(tls, cfg->tls_key, cfg->tls_cert, "tls", &err) < 0)
		return swn_cli_fail(&err);
	return SWN_EXIT_OK;
}

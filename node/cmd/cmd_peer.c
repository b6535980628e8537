/* cmd_peer.c - swnode peer import | check. */
#include "autoconfig.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trust/agreement.h"
#include "trust/bundle.h"
#include "cmd/cli.h"
#include "base/escape.h"
#include "trust/pki.h"

/* Append to err which profiles the bundle carries, after the default did
 * not fit, so that the operator can choose one with --profile. */
static void default_profile_hint(const struct swn_bundle *b, struct swn_err *err)
{
	char offers[200] = "";
	size_t len = strlen(err->msg);
	int i;

	if (b->signing)
		snprintf(offers, sizeof offers, "body");
	for (i = 0; i < b->nprofiles; i++)
		snprintf(offers + strlen(offers), sizeof offers - strlen(offers), "%s%s",
			 offers[0] ? ", " : "", b->profiles[i].profile->name);
	snprintf(err->msg + len, sizeof err->msg - len,
		 "; %s is the default for new agreements: name the profile with --profile "
		 "(the bundle offers %s)", swn_profile_get(SWN_PROFILE_DEFAULT)->name,
		 offers[0] ? offers : "none");
}

int cmd_peer_import(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "agreement-id", required_argument, NULL, 'a' },
		{ "profile", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	char path[SWN_PATH_MAX + 80], fp[SWN_FP_LEN + 1];
	const struct swn_profile_def *prof = swn_profile_get(SWN_PROFILE_DEFAULT);
	const struct swn_bundle_profile *bp;
	const struct swn_config *cfg;
	int named = 0;
	const struct swn_registry *reg;
	const char *id = NULL;
	struct swn_bundle b;
	struct swn_err err;
	int c, rc;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 'a')
			id = optarg;
		else if (c == 'p' && !(prof = swn_profile_find(optarg)))
			return swn_cli_usage_error(ctx, "--profile must be " SWN_PROFILE_NAMES ", not '%s'",
						   optarg);
		else if (c == 'p')
			named = 1;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one BUNDLE file");
	if (id == NULL)
		return swn_cli_usage_error(ctx, "--agreement-id is required");
	if (!swn_agreement_id_ok(id))
		return swn_cli_usage_error(ctx, "agreement id '%s' is not allowed: use " SWN_AGREEMENT_ID_RULE, id);
	if (swn_cmd_setup(ctx, &err) < 0 || swn_bundle_load(argv[optind], time(NULL), &b, &err) < 0)
		return swn_cli_fail(&err);
	cfg = ctx->cfg;
	reg = ctx->reg;
	rc = swn_agreement_write_draft(cfg, reg, &b, id, prof, time(NULL), path, sizeof path, &err);
	if (rc < 0 && !named && err.code == SWN_E_CONFIG)
		/* The default did not fit: say it was one, and what the bundle offers. */
		default_profile_hint(&b, &err);
	if (rc == 0) {
		bp = swn_bundle_profile(&b, prof);
		printf("wrote draft agreement %s\n", path);
		printf("  peer        %s (%s)\n  endpoint    %s\n  profile     %s\n", b.party_id,
		       b.party_type, b.endpoint, prof->name);
		swn_cert_fingerprint(bp ? bp->signing : b.signing, fp);
		printf("  signing     sha256 %s\n", fp);
		if (bp) {
			swn_cert_fingerprint(bp->encryption, fp);
			printf("  encryption  sha256 %s\n", fp);
		}
		swn_cert_fingerprint(b.tls, fp);
		printf("  tls         sha256 %s\n", fp);
		printf("Confirm the fingerprints with %s over a second channel, review the\n"
		       "document types and limits, then set status=\"active\" and run swnode peer check.\n",
		       b.party_id);
	}
	swn_bundle_free(&b);
	return rc == 0 ? SWN_EXIT_OK : swn_cli_fail(&err);
}

static void print_problem(void *ctx, const struct swn_err *e)
{
	char line[SWN_ESCAPED_SIZE(sizeof e->file + sizeof e->msg) + 32];

	swn_err_describe(e, line, sizeof line);
	printf("%s\n", line);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.xml file in dir, sorted; the caller frees. */
static int list_agreements(const char *dir, char ***out, int *n, struct swn_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL, **nv, path[SWN_PATH_MAX + 300];
	int count = 0;
	size_t len;

	*out = NULL;
	*n = 0;
	if (d == NULL)
		return swn_err_set(err, SWN_E_IO, dir, 0, "cannot read the peers directory");
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".xml") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if ((nv = realloc(v, sizeof *v * (size_t)(count + 1))) != NULL)
			v = nv;
		if (nv == NULL || !(v[count] = strdup(path))) {
			while (count > 0)
				free(v[--count]);
			free(v);
			closedir(d);
			return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		}
		count++;
	}
	closedir(d);
	if (count > 0)
		qsort(v, (size_t)count, sizeof *v, by_name);
	*out = v;
	*n = count;
	return 0;
}

/* Agreements that claim one peer at one time (swn_agreement_conflict):
 * a problem of each file involved, added to its count.  The node loads
 * neither of a new pair (docs/agreements.md). */
static void check_conflicts(char **files, int nfiles, const struct swn_registry *reg,
			    const struct swn_config *cfg, int *counts)
{
	struct swn_agreement **a = calloc((size_t)nfiles + 1, sizeof *a);
	char why[700];
	int i, j;

	if (a == NULL)
		return;
	for (i = 0; i < nfiles; i++) {
		struct swn_err err;

		swn_err_clear(&err);
		if (swn_agreement_load(files[i], reg, cfg, &a[i], &err) < 0)
			a[i] = NULL;   /* its problems were printed above */
	}
	for (i = 0; i < nfiles; i++)
		for (j = i + 1; j < nfiles; j++) {
			int k;

			if (!a[i] || !a[j] || !swn_agreement_conflict(a[i], a[j], why, sizeof why))
				continue;
			for (k = 0; k < 2; k++) {
				int f = k ? j : i;
				struct swn_err e;

				swn_err_clear(&e);
				swn_err_set(&e, SWN_E_CONFIG, files[f], 0, "%s", why);
				print_problem(NULL, &e);
				counts[f]++;
			}
		}
	for (i = 0; i < nfiles; i++)
		swn_agreement_free(a[i]);
	free(a);
}

int cmd_peer_check(int argc, char **argv, struct swn_ctx *ctx)
{
	const struct swn_config *cfg = NULL;
	const struct swn_registry *reg;
	struct swn_err err;
	char **files = NULL;
	int nfiles = 0, i, c, problems = 0, bad = 0, listed = 0, *counts;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", NULL)) != -1)
		return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	/* With explicit files a node is optional (SWN_HOME_IF_GIVEN): its
	 * config is compared when there.  Without, its peers/ is checked. */
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	reg = ctx->reg;
	cfg = ctx->cfg;
	if (optind < argc) {
		files = argv + optind;
		nfiles = argc - optind;
	} else {
		if ((cfg == NULL && swn_cli_no_home(&err) < 0) ||
		    list_agreements(cfg->peers_dir, &files, &nfiles, &err) < 0)
			return swn_cli_fail(&err);
		listed = 1;
	}
	if (!(counts = calloc((size_t)nfiles + 1, sizeof *counts))) {
		swn_err_set(&err, SWN_E_NOMEM, NULL, 0, "out of memory");
		return swn_cli_fail(&err);
	}
	for (i = 0; i < nfiles; i++)
		counts[i] = swn_agreement_check(files[i], reg, cfg, time(NULL), print_problem, NULL);
	check_conflicts(files, nfiles, reg, cfg, counts);
	for (i = 0; i < nfiles; i++) {
		problems += counts[i];
		bad += counts[i] > 0;
	}
	free(counts);
	if (listed) {
		for (i = 0; i < nfiles; i++)
			free(files[i]);
		free(files);
	}
	printf("%d agreement%s checked, %d with problems, %d problem%s\n", nfiles,
	       nfiles == 1 ? "" : "s", bad, problems, problems == 1 ? "" : "s");
	return problems ? SWN_EXIT_FAIL : SWN_EXIT_OK;
}

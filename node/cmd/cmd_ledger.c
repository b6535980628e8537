/* cmd_ledger.c - swnode ledger ...: what auditors run.  All read-only. */
#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "trust/checkpoint.h"
#include "cmd/cli.h"
#include "base/escape.h"
#include "base/fsutil.h"
#include "ledger/ledger.h"
#include "trust/pki.h"
#include "ledger/proof.h"
#include "base/swn_limits.h"

/* The node's ledger, read-only (after swn_cmd_setup: SWN_NEEDS_HOME). */
static int open_ledger(struct swn_ctx *ctx, struct swn_ledger **l, struct swn_err *err)
{
	return swn_ledger_open(ctx->cfg->ledger_db, ctx->cfg->home, NULL, ctx->cfg->party_id, l, err);
}

/* The verifier key: --vkey, or the node's own ledger key. */
static int ledger_pub(struct swn_ctx *ctx, const char *vkey, char *origin, size_t n,
		      unsigned char pub[32], struct swn_err *err)
{
	const struct swn_config *cfg = ctx->cfg;
	EVP_PKEY *key;
	int rc;

	if (vkey)
		return swn_checkpoint_parse_vkey(vkey, origin, n, pub, err);
	if (!(key = swn_key_read(cfg->ledger_key, err)))
		return -1;
	rc = swn_checkpoint_pubkey(key, pub, err);
	EVP_PKEY_free(key);
	swn_checkpoint_origin(cfg->party_id, origin, n);
	return rc;
}

int cmd_ledger_checkpoint(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "vkey", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	char note[SWN_NOTE_MAX], origin[600], vkey[800];
	unsigned char pub[32];
	struct swn_ledger *l = NULL;
	struct swn_err err;
	int c, show_vkey = 0, rc;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 'v')
			show_vkey = 1;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (optind < argc)
		return swn_cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	if (show_vkey) {
		if (ledger_pub(ctx, NULL, origin, sizeof origin, pub, &err) < 0)
			return swn_cli_fail(&err);
		swn_checkpoint_vkey(origin, pub, vkey, sizeof vkey);
		printf("%s\n", vkey);
		return SWN_EXIT_OK;
	}
	if (open_ledger(ctx, &l, &err) < 0)
		return swn_cli_fail(&err);
	rc = swn_ledger_checkpoint(l, 0, note, sizeof note, &err);
	swn_ledger_close(l);
	if (rc < 0)
		return swn_cli_fail(&err);
	if (rc == 0) {
		fprintf(stderr, "swnode: the ledger is empty: no checkpoint yet\n");
		return SWN_EXIT_FAIL;
	}
	fputs(note, stdout);
	return SWN_EXIT_OK;
}

/* A tree position or size option: SQLite counts entries in 63 bits. */
static int position(struct swn_ctx *ctx, const char *option, const char *v, uint64_t *out)
{
	long long n;

	if (swn_cli_number(ctx, option, v, 0, INT64_MAX, &n) < 0)
		return -1;
	*out = (uint64_t)n;
	return 0;
}

int cmd_ledger_prove(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "seq", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'z' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int seq = 0, size = 0, from = 0, to = 0;   /* given */
	uint64_t v_seq = 0, v_size = 0, v_from = 0, v_to = 0, a, b;
	struct swn_ledger *l = NULL;
	struct swn_proof p;
	struct swn_err err;
	char *json = NULL;
	int c, rc;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 's': rc = position(ctx, "--seq", optarg, &v_seq); seq = 1; break;
		case 'z': rc = position(ctx, "--size", optarg, &v_size); size = 1; break;
		case 'f': rc = position(ctx, "--from", optarg, &v_from); from = 1; break;
		case 't': rc = position(ctx, "--to", optarg, &v_to); to = 1; break;
		default: return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
		}
		if (rc < 0)
			return SWN_EXIT_USAGE;
	}
	if (seq ? from || to : !(from && to) || size)
		return swn_cli_usage_error(ctx, "give --seq N [--size M], or --from M --to N");
	if (optind < argc)
		return swn_cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	a = seq ? v_seq : v_from;
	b = seq ? v_size : v_to;
	if (swn_cmd_setup(ctx, &err) < 0 || open_ledger(ctx, &l, &err) < 0)
		return swn_cli_fail(&err);
	if (seq && !size)
		b = swn_ledger_size(l);
	rc = swn_ledger_prove(l, seq, a, b, &p, &err);
	swn_ledger_close(l);
	if (rc < 0 || swn_proof_to_json(&p, &json, &err) < 0)
		return swn_cli_fail(&err);
	fputs(json, stdout);
	free(json);
	return SWN_EXIT_OK;
}

int cmd_ledger_check_proof(int argc, char **argv, struct swn_ctx *ctx)
{
	struct swn_proof p;
	struct swn_err err;
	char *data;
	size_t len;
	int c;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", NULL)) != -1)
		return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one FILE");
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	if (swn_file_read(argv[optind], SWN_PROOF_MAX_BYTES, &data, &len, &err) < 0) {
		swn_err_print(&err, stderr);
		return SWN_EXIT_USAGE;
	}
	c = swn_proof_parse(data, len, argv[optind], &p, &err);
	free(data);
	if (c < 0) {
		swn_err_print(&err, stderr);
		printf("malformed\n");
		return SWN_EXIT_USAGE;
	}
	if (swn_proof_check(&p) == 1) {
		printf("valid %s proof (%llu, %llu)\n", p.type == SWN_PROOF_INCLUSION ? "inclusion" : "consistency",
		       (unsigned long long)p.a, (unsigned long long)p.b);
		return SWN_EXIT_OK;
	}
	printf("invalid: the proof does not lead to the root it claims\n");
	return SWN_EXIT_FAIL;
}

int cmd_ledger_verify(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "vkey", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *vkey = NULL;
	char origin[600], root[64];
	unsigned char pub[32];
	struct swn_ledger_verdict v;
	struct swn_ledger *l = NULL;
	struct swn_err err;
	int c, rc;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 'v')
			vkey = optarg;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (optind < argc)
		return swn_cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (swn_cmd_setup(ctx, &err) < 0 || ledger_pub(ctx, vkey, origin, sizeof origin, pub, &err) < 0 ||
	    open_ledger(ctx, &l, &err) < 0)
		return swn_cli_fail(&err);
	if (vkey == NULL)
		fprintf(stderr, "swnode: note: checking with the node's own key file; an auditor passes --vkey with the published key\n");
	rc = swn_ledger_verify(l, pub, origin, &v, &err);
	swn_ledger_close(l);
	if (rc < 0)
		return swn_cli_fail(&err);
	if (v.bad_entry) {
		char problem[SWN_ESCAPED_SIZE(sizeof v.problem)];

		/* A tampered ledger may hold anything. */
		swn_escape(problem, sizeof problem, v.problem);
		printf("TAMPERED: first bad entry %lld: %s\n", v.bad_entry, problem);
		return SWN_EXIT_FAIL;
	}
	if (v.index_problem[0]) {
		char problem[SWN_ESCAPED_SIZE(sizeof v.index_problem)];

		swn_escape(problem, sizeof problem, v.index_problem);
		printf("TAMPERED: the entries verify, but an index disagrees with them (%s): "
		       "status, query and export could miss entries\n", problem);
		return SWN_EXIT_FAIL;
	}
	EVP_EncodeBlock((unsigned char *)root, v.root, 32);
	printf("ledger verified: %lld entries, %lld signed checkpoints (latest %lld), root %s\n",
	       v.entries, v.checkpoints, v.last_checkpoint, root);
	return SWN_EXIT_OK;
}

/* ---- query ---- */

enum format { TABLE, JSON, CSV };

struct query_out {
	enum format fmt;
	json_t *array;
	long long rows;
};

static void csv_field(const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	putchar(last ? '\n' : ',');
}

static void print_row(void *ctx, long long seq, const char *time, const char *dir,
		      const char *peer, const char *agreement, const char *doctype,
		      const char *msgid, const char *event, const char *reason)
{
	struct query_out *q = ctx;
	char s[32];

	q->rows++;
	switch (q->fmt) {
	case TABLE:
		printf("%6lld  %s  %-3s  %-12s  %-12s  %-20s  %-20s  %s%s%s\n", seq, time, dir, peer,
		       agreement, doctype, event, msgid, reason ? "  " : "", reason ? reason : "");
		break;
	case CSV:
		snprintf(s, sizeof s, "%lld", seq);
		csv_field(s, 0); csv_field(time, 0); csv_field(dir, 0); csv_field(peer, 0);
		csv_field(agreement, 0); csv_field(doctype, 0); csv_field(msgid, 0); csv_field(event, 0);
		csv_field(reason ? reason : "", 1);
		break;
	case JSON:
		json_array_append_new(q->array, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?}",
			"seq", (json_int_t)seq, "time", time, "direction", dir, "peer", peer,
			"agreement", agreement, "doctype", doctype, "msgid", msgid, "event", event,
			"reason", reason));
		break;
	}
}

int cmd_ledger_query(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "peer", required_argument, NULL, 'p' },
		{ "agreement", required_argument, NULL, 'a' },
		{ "type", required_argument, NULL, 't' },
		{ "direction", required_argument, NULL, 'd' },
		{ "state", required_argument, NULL, 'e' },
		{ "event", required_argument, NULL, 'e' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "msgid", required_argument, NULL, 'm' },
		{ "limit", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct swn_ledger_filter q;
	struct query_out out = { TABLE, NULL, 0 };
	struct swn_ledger *l = NULL;
	struct swn_err err;
	int c, rc;

	memset(&q, 0, sizeof q);
	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'p': q.peer = optarg; break;
		case 'a': q.agreement = optarg; break;
		case 't': q.doctype = optarg; break;
		case 'd': q.direction = optarg; break;
		case 'e': q.event = optarg; break;
		case 's': q.since = optarg; break;
		case 'u': q.until = optarg; break;
		case 'm': q.msgid = optarg; break;
		case 'n':
			if (swn_cli_number(ctx, "--limit", optarg, 1, INT64_MAX, &q.limit) < 0)
				return SWN_EXIT_USAGE;
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				out.fmt = TABLE;
			else if (strcmp(optarg, "json") == 0)
				out.fmt = JSON;
			else if (strcmp(optarg, "csv") == 0)
				out.fmt = CSV;
			else
				return swn_cli_usage_error(ctx, "--format is table, json or csv");
			break;
		default: return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
		}
	}
	if (q.direction && strcmp(q.direction, "in") != 0 && strcmp(q.direction, "out") != 0)
		return swn_cli_usage_error(ctx, "--direction is in or out");
	if (optind < argc)
		return swn_cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (swn_cmd_setup(ctx, &err) < 0 || open_ledger(ctx, &l, &err) < 0)
		return swn_cli_fail(&err);
	if (out.fmt == JSON)
		out.array = json_array();
	if (out.fmt == CSV)
		printf("seq,time,direction,peer,agreement,doctype,msgid,event,reason\n");
	rc = swn_ledger_query(l, &q, print_row, &out, &err);
	swn_ledger_close(l);
	if (out.fmt == JSON) {
		json_dumpf(out.array, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(out.array);
	}
	return rc < 0 ? swn_cli_fail(&err) : SWN_EXIT_OK;
}

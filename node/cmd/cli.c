/* cli.c - what the dispatcher gives every command; see cli.h. */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "base/number.h"
#include "base/escape.h"

#define MAX_OPTIONS 32

int swn_cli_getopt(struct swn_ctx *ctx, int argc, char **argv,
		   const char *shortopts, const struct option *longopts)
{
	struct option all[MAX_OPTIONS + 3];
	char shorts[64];
	int n = 0, c;

	if (longopts)
		for (; longopts[n].name && n < MAX_OPTIONS; n++)
			all[n] = longopts[n];
	all[n++] = (struct option){ "home", required_argument, NULL, 'H' };
	all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	all[n] = (struct option){ NULL, 0, NULL, 0 };
	snprintf(shorts, sizeof shorts, ":%sh", shortopts ? shortopts : "");
	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, shorts, all, NULL);
		if (c == 'H') {
			ctx->home_opt = optarg;
			continue;
		}
		if (c == 'h') {
			swn_cli_usage(ctx, stdout);
			return 'h';
		}
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];

			/* optopt may be a long option's value, not a letter
			 * the user typed: name the word on the command line. */
			if (c == ':')
				swn_cli_usage_error(ctx, "option '%s' needs a value", bad);
			else if (strncmp(bad, "--", 2) == 0 && strchr(bad, '='))
				swn_cli_usage_error(ctx, "option '%s' takes no value, or is unknown", bad);
			else
				swn_cli_usage_error(ctx, "unknown option '%s'", bad);
			return '?';
		}
		return c;
	}
}

void swn_cli_usage(const struct swn_ctx *ctx, FILE *fp)
{
	fputs(ctx->cmd->usage, fp);
}

int swn_cli_fail(const struct swn_err *err)
{
	swn_err_print(err, stderr);
	return err->code == SWN_E_USAGE ? SWN_EXIT_USAGE : SWN_EXIT_FAIL;
}

int swn_cli_usage_error(const struct swn_ctx *ctx, const char *fmt, ...)
{
	char raw[1024], line[SWN_ESCAPED_SIZE(sizeof raw)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	/* It may quote an argument, which may hold anything. */
	swn_escape(line, sizeof line, raw);
	fprintf(stderr, "swnode %s: %s; see swnode %s --help\n", ctx->cmd->name, line, ctx->cmd->name);
	return SWN_EXIT_USAGE;
}

int swn_cli_number(const struct swn_ctx *ctx, const char *option, const char *value,
		   long long min, long long max, long long *out)
{
	if (swn_parse_number(value, min, max, out) == 0)
		return 0;
	swn_cli_usage_error(ctx, "%s must be a whole number from %lld to %lld, not '%s'", option, min,
			    max, value);
	return -1;
}

const struct swn_config *swn_ctx_config(struct swn_ctx *ctx, struct swn_err *err)
{
	char home[SWN_PATH_MAX];

	if (ctx->have_config)
		return &ctx->cfg;
	if (swn_home_resolve(ctx->home_opt, home, sizeof home, err) < 0 ||
	    swn_config_load(home, &ctx->cfg, err) < 0)
		return NULL;
	ctx->have_config = 1;
	return &ctx->cfg;
}

const struct swn_registry *swn_ctx_registry(struct swn_ctx *ctx, struct swn_err *err)
{
	if (ctx->reg == NULL && swn_registry_load(swn_schema_dir(), &ctx->reg, err) < 0)
		return NULL;
	return ctx->reg;
}

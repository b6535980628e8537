/* cli.c - what the dispatcher gives every command; see cli.h. */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "base/number.h"
#include "base/escape.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "as4/wssec.h"
#include "net/http_out.h"
#include "node/node/outbox.h"
#include "node/node/runtime.h"

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
			ctx->helped = 1;
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

void swn_ctx_init(struct swn_ctx *ctx, const struct swn_cmd *cmd, const char *home_opt)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->cmd = cmd;
	ctx->home_opt = home_opt;
	ctx->lock_fd = -1;
}

int swn_cli_no_home(struct swn_err *err)
{
	char home[SWN_PATH_MAX];

	/* Called when neither --home nor $SWNODE_HOME names a directory. */
	if (swn_home_resolve(NULL, home, sizeof home, err) == 0)
		swn_err_set(err, SWN_E_CONFIG, home, 0, "no node directory given");
	return -1;
}

/* A directory init may make a node in: absent, or present and empty. */
static int new_home_usable(const char *home, struct swn_err *err)
{
	DIR *d = opendir(home);
	struct dirent *e;
	int empty = 1;

	if (d == NULL)
		return swn_path_exists(home)
			? swn_err_set(err, SWN_E_EXISTS, home, 0, "exists and is not a directory")
			: 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	if (!empty) {
		char nodexml[SWN_PATH_MAX + 16];

		snprintf(nodexml, sizeof nodexml, "%s/node.xml", home);
		return swn_err_set(err, SWN_E_EXISTS, home, 0,
				   swn_path_exists(nodexml)
				   ? "already holds a node; refusing to overwrite it"
				   : "is not empty; refusing to initialise a node in it");
	}
	return 0;
}

/* SWN_TAKES_LOCK: the lock goes with the process, even on a crash. */
static int lock_home(struct swn_ctx *ctx, struct swn_err *err)
{
	char path[SWN_PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof path, "%s/serve.lock", ctx->home);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return swn_err_set(err, SWN_E_IO, path, 0, "cannot open: %s", strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return swn_err_set(err, SWN_E_EXISTS, path, 0,
				   "another swnode serve runs on this node; stop it first");
	}
	ctx->lock_fd = fd;
	return 0;
}

static void log_problem(void *arg, const struct swn_err *e)
{
	(void)arg;
	if (e->line > 0)
		swn_log("agreement not loaded: %s:%ld: %s", e->file, e->line, e->msg);
	else
		swn_log("agreement not loaded: %s: %s", e->file, e->msg);
}

int swn_cmd_setup(struct swn_ctx *ctx, struct swn_err *err)
{
	unsigned f = ctx->cmd->flags;

	ctx->set_up = 1;
	if (f & SWN_NEEDS_OUTBOX)
		f |= SWN_NEEDS_RUNTIME;
	if (f & SWN_NEEDS_RUNTIME)
		f |= SWN_NEEDS_HOME | SWN_NEEDS_XMLSEC;
	if (f & SWN_TAKES_LOCK)
		f |= SWN_NEEDS_HOME;
	if ((f & SWN_HOME_IF_GIVEN) && ((ctx->home_opt && *ctx->home_opt) ||
					(getenv("SWNODE_HOME") && *getenv("SWNODE_HOME"))))
		f |= SWN_NEEDS_HOME;
	if (f & (SWN_NEEDS_HOME | SWN_NEW_HOME)) {
		if (swn_home_resolve(ctx->home_opt, ctx->home, sizeof ctx->home, err) < 0)
			return -1;
		if ((f & SWN_NEW_HOME) && new_home_usable(ctx->home, err) < 0)
			return -1;
	}
	/* The runtime loads node.xml and the registry itself. */
	if ((f & SWN_NEEDS_HOME) && !(f & SWN_NEEDS_RUNTIME)) {
		if (swn_config_load(ctx->home, &ctx->cfg_loaded, err) < 0)
			return -1;
		ctx->cfg = &ctx->cfg_loaded;
	}
	if ((f & SWN_NEEDS_REGISTRY) && !(f & SWN_NEEDS_RUNTIME)) {
		if (swn_registry_load(swn_schema_dir(), &ctx->reg_loaded, err) < 0)
			return -1;
		ctx->reg = ctx->reg_loaded;
	}
	if (f & SWN_NEEDS_XMLSEC) {
		if (swn_wssec_init(err) < 0)
			return -1;
		ctx->xmlsec = 1;
	}
	if (f & SWN_NEEDS_RUNTIME) {
		if (swn_http_out_init(err) < 0)
			return -1;
		ctx->http = 1;
		if (swn_runtime_open(ctx->home, log_problem, NULL, &ctx->rt, err) < 0)
			return -1;
		ctx->cfg = &ctx->rt->cfg;
		ctx->reg = ctx->rt->reg;
	}
	if ((f & SWN_NEEDS_OUTBOX) && swn_outbox_open(ctx->rt, &ctx->ob, err) < 0)
		return -1;
	/* Last: a directory that is no node gets no lock file. */
	if ((f & SWN_TAKES_LOCK) && lock_home(ctx, err) < 0)
		return -1;
	return 0;
}

void swn_cmd_teardown(struct swn_ctx *ctx)
{
	swn_outbox_close(ctx->ob);
	ctx->ob = NULL;
	swn_runtime_close(ctx->rt);
	ctx->rt = NULL;
	if (ctx->http)
		swn_http_out_cleanup();
	if (ctx->xmlsec)
		swn_wssec_cleanup();
	ctx->http = ctx->xmlsec = 0;
	swn_registry_free(ctx->reg_loaded);
	ctx->reg_loaded = NULL;
	ctx->reg = NULL;
	ctx->cfg = NULL;
	if (ctx->lock_fd >= 0)
		close(ctx->lock_fd);
	ctx->lock_fd = -1;
}

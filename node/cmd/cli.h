/*
 * cli.h - what every subcommand gets from the dispatcher (main.c, commands.c).
 *
 * Each subcommand is a function cmd_<name>() listed once in the command
 * table in commands.c, with the setup it needs as flags (SWN_NEEDS_HOME, ...,
 * below).  The command runs in two steps:
 *
 *   1. It parses its own options (swn_cli_getopt gives every command
 *      --home and --help) and checks its arguments: numbers only through
 *      swn_cli_number, every problem a usage error (exit 2).  Nothing in
 *      this step reads the node directory, the schemas or anything else
 *      the setup loads, so --help (exit 0) and usage errors (exit 2) come
 *      out the same with a good node, a broken one or none.
 *   2. It calls swn_cmd_setup() once, which does what the table's flags
 *      ask, in one place, and fills the context (home, cfg, reg, rt, ob).
 *      A setup failure prints nothing itself: the command returns
 *      swn_cli_fail(&err), exit 1 (also for a missing node directory).
 *      The command may do work of its own first that must come before the
 *      setup (serve raises its descriptor limit and blocks signals).
 *
 * The dispatcher undoes the setup after the command returns; commands do
 * not free what the context holds.  A command with flags that returns 0
 * without --help and without calling swn_cmd_setup() is a bug the
 * dispatcher reports (exit 1).
 *
 * A command returns an exit code: 0 ok, 1 failure, 2 usage; it prints its
 * own errors with swn_cli_fail() and never calls exit().
 */
#ifndef SWN_CLI_H
#define SWN_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "trust/config.h"
#include "doc/doctype.h"
#include "base/err.h"

enum { SWN_EXIT_OK = 0, SWN_EXIT_FAIL = 1, SWN_EXIT_USAGE = 2 };

/* The setup a command needs (struct swn_cmd's flags). */
enum {
	/* The node directory (--home, else $SWNODE_HOME; none: exit 1) and its
	 * node.xml: ctx->home, ctx->cfg. */
	SWN_NEEDS_HOME = 1 << 0,
	/* Only when --home or $SWNODE_HOME names one: as SWN_NEEDS_HOME,
	 * otherwise ctx->cfg stays NULL (peer check with FILEs). */
	SWN_HOME_IF_GIVEN = 1 << 1,
	/* A node directory to create (init): resolved like SWN_NEEDS_HOME,
	 * absent or an empty directory; node.xml is not read.  ctx->home. */
	SWN_NEW_HOME = 1 << 2,
	/* The document registry (schemas/doctypes.xml, every schema and map
	 * compiled): ctx->reg. */
	SWN_NEEDS_REGISTRY = 1 << 3,
	/* libxmlsec1 (swn_wssec_init), once per process. */
	SWN_NEEDS_XMLSEC = 1 << 4,
	/* The node opened as the serving node opens it (swn_runtime_open:
	 * node.xml, registry, signing identity, ledger, agreements, problems
	 * with single agreements logged) with libxmlsec1 and libcurl
	 * initialised: ctx->rt, and ctx->home, ctx->cfg, ctx->reg from it.
	 * Implies SWN_NEEDS_HOME, SWN_NEEDS_REGISTRY and SWN_NEEDS_XMLSEC. */
	SWN_NEEDS_RUNTIME = 1 << 5,
	/* The outbound queue on the runtime: ctx->ob.  Implies
	 * SWN_NEEDS_RUNTIME. */
	SWN_NEEDS_OUTBOX = 1 << 6,
	/* The node's serve lock: an exclusive flock() on HOME/serve.lock,
	 * taken without waiting (another holder: exit 1), held until the
	 * process ends.  One serving process per node: a second would deliver
	 * every queued message twice.  Only serve takes it; the other commands
	 * (send, status, ledger ...) work while the node runs.  Implies
	 * SWN_NEEDS_HOME; taken after the rest is set up (a directory that
	 * is no node gets no lock file), before the command does anything. */
	SWN_TAKES_LOCK = 1 << 7,
};

struct swn_cmd;
struct swn_runtime;
struct swn_outbox;

struct swn_ctx {
	const struct swn_cmd *cmd;
	const char *home_opt;       /* --home, if given */
	int helped;                 /* --help was printed */
	/* Filled by swn_cmd_setup(), as the flags ask (else empty or NULL). */
	char home[SWN_PATH_MAX];
	const struct swn_config *cfg;
	const struct swn_registry *reg;
	struct swn_runtime *rt;
	struct swn_outbox *ob;
	/* private: what swn_cmd_setup() made, for swn_cmd_teardown() */
	int set_up, xmlsec, http, lock_fd;
	struct swn_config cfg_loaded;
	struct swn_registry *reg_loaded;
};

struct swn_cmd {
	const char *name;           /* "init", "cert show", ... */
	int (*fn)(int argc, char **argv, struct swn_ctx *ctx);
	unsigned flags;             /* SWN_NEEDS_HOME | ...: what swn_cmd_setup does */
	const char *summary;        /* one line for `swnode help` */
	const char *usage;          /* the full --help text */
};

/* A context for cmd, nothing set up. */
void swn_ctx_init(struct swn_ctx *ctx, const struct swn_cmd *cmd, const char *home_opt);

/* Step 2 above: the setup ctx->cmd->flags ask for, in this order: home
 * (resolved; node.xml loaded unless SWN_NEW_HOME), registry,
 * libxmlsec1, runtime, outbox, lock.  0, or -1 with err (the command returns
 * swn_cli_fail(&err)); what was set up before a failure is undone by
 * swn_cmd_teardown() like the rest. */
int swn_cmd_setup(struct swn_ctx *ctx, struct swn_err *err);

/* Undo swn_cmd_setup() (the dispatcher calls it after the command). */
void swn_cmd_teardown(struct swn_ctx *ctx);

/* The error of a command that needs a node directory and has none (for
 * SWN_HOME_IF_GIVEN commands that find they need one after all). */
int swn_cli_no_home(struct swn_err *err);

/* getopt_long over the command's options plus --home and --help.  Returns
 * what getopt_long returns; 'h' means --help was printed (return 0), '?'
 * means a usage error was printed (return 2). */
int swn_cli_getopt(struct swn_ctx *ctx, int argc, char **argv,
		   const char *shortopts, const struct option *longopts);

/* Print usage of the current command to fp. */
void swn_cli_usage(const struct swn_ctx *ctx, FILE *fp);

/* Print err and return the exit code it deserves (2 for SWN_E_USAGE). */
int swn_cli_fail(const struct swn_err *err);

/* Print "swnode CMD: message" and the hint to use --help; returns 2. */
int swn_cli_usage_error(const struct swn_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The value of a command-line option as such a number; otherwise prints
 * "swnode CMD: OPTION must be a whole number from MIN to MAX, not 'VALUE'"
 * with the hint to use --help, and returns -1: the command then returns
 * SWN_EXIT_USAGE. */
int swn_cli_number(const struct swn_ctx *ctx, const char *option, const char *value,
		   long long min, long long max, long long *out);

/* The subcommands. */
int cmd_init(int argc, char **argv, struct swn_ctx *ctx);
int cmd_cert_show(int argc, char **argv, struct swn_ctx *ctx);
int cmd_cert_add_profile(int argc, char **argv, struct swn_ctx *ctx);

/* Make an eDelivery profile's signing and encryption keys and their
 * certificates at k's paths (never over existing files); print them. */
int swn_make_profile_keys(const struct swn_profile_keys *k, const char *party_id,
			  const char *org, const char *country, int days, struct swn_err *err);
int cmd_cert_export(int argc, char **argv, struct swn_ctx *ctx);
int cmd_cert_install(int argc, char **argv, struct swn_ctx *ctx);
int cmd_peer_import(int argc, char **argv, struct swn_ctx *ctx);
int cmd_peer_check(int argc, char **argv, struct swn_ctx *ctx);
int cmd_validate(int argc, char **argv, struct swn_ctx *ctx);
int cmd_map(int argc, char **argv, struct swn_ctx *ctx);
int cmd_doctypes(int argc, char **argv, struct swn_ctx *ctx);
int cmd_as4_verify(int argc, char **argv, struct swn_ctx *ctx);
int cmd_as4_pack(int argc, char **argv, struct swn_ctx *ctx);
int cmd_as4_sign(int argc, char **argv, struct swn_ctx *ctx);
int cmd_serve(int argc, char **argv, struct swn_ctx *ctx);
int cmd_send(int argc, char **argv, struct swn_ctx *ctx);
int cmd_status(int argc, char **argv, struct swn_ctx *ctx);
int cmd_resend(int argc, char **argv, struct swn_ctx *ctx);
int cmd_ledger_checkpoint(int argc, char **argv, struct swn_ctx *ctx);
int cmd_ledger_prove(int argc, char **argv, struct swn_ctx *ctx);
int cmd_ledger_check_proof(int argc, char **argv, struct swn_ctx *ctx);
int cmd_ledger_verify(int argc, char **argv, struct swn_ctx *ctx);
int cmd_ledger_query(int argc, char **argv, struct swn_ctx *ctx);
int cmd_ledger_export(int argc, char **argv, struct swn_ctx *ctx);
int cmd_ledger_check_bundle(int argc, char **argv, struct swn_ctx *ctx);
int cmd_ledger_audit_peer(int argc, char **argv, struct swn_ctx *ctx);

#endif

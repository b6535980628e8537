/*
 * cli.h - what every subcommand gets from the dispatcher (main.c).
 *
 * Each subcommand is a function cmd_<name>() listed once in the command
 * table in main.c.  It parses its own options (swn_cli_getopt gives every
 * command --home and --help), then asks the context for what it needs:
 * the node configuration, the document registry.  It returns an exit
 * code: 0 ok, 1 failure, 2 usage; it prints its own errors with
 * swn_cli_fail() and never calls exit().
 */
#ifndef SWN_CLI_H
#define SWN_CLI_H

#include <getopt.h>

#include "trust/config.h"
#include "doc/doctype.h"
#include "base/err.h"

enum { SWN_EXIT_OK = 0, SWN_EXIT_FAIL = 1, SWN_EXIT_USAGE = 2 };

struct swn_cmd;

struct swn_ctx {
	const struct swn_cmd *cmd;
	const char *home_opt;       /* --home, if given */
	int have_config;
	struct swn_config cfg;
	struct swn_registry *reg;
};

struct swn_cmd {
	const char *name;           /* "init", "cert show", ... */
	int (*fn)(int argc, char **argv, struct swn_ctx *ctx);
	const char *summary;        /* one line for `swnode help` */
	const char *usage;          /* the full --help text */
};

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

/* The node's configuration (loads node.xml on first use). */
const struct swn_config *swn_ctx_config(struct swn_ctx *ctx, struct swn_err *err);

/* The document registry (loads and compiles it on first use). */
const struct swn_registry *swn_ctx_registry(struct swn_ctx *ctx, struct swn_err *err);

/* The subcommands. */
int cmd_init(int argc, char **argv, struct swn_ctx *ctx);
int cmd_cert_show(int argc, char **argv, struct swn_ctx *ctx);
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

/*
 * commands.h - the command table (commands.c) and running one command.
 *
 * The table is the one list of commands: `swnode help`, the dispatcher,
 * tests/cmd/cli.sh (through `swnode help`) and the fuzz targets all read
 * it, so a command's setup flags are written once.
 */
#ifndef SWN_COMMANDS_H
#define SWN_COMMANDS_H

#include <stddef.h>

#include "cmd/cli.h"

/* How many commands the table has, and the i-th (NULL past the end). */
size_t swn_cmd_count(void);
const struct swn_cmd *swn_cmd_at(size_t i);

/* The command argv names ("word" or "word sub", argc >= 1), and in *used
 * how many words its name took; NULL if none. */
const struct swn_cmd *swn_cmd_lookup(int argc, char **argv, int *used);

/* Run ctx->cmd (ctx from swn_ctx_init) with argv[0] its own name: the
 * command parses its options and calls swn_cmd_setup(); afterwards the
 * setup is undone whatever happened.  A command with setup flags that
 * returns 0 without --help and without setting up is an internal error
 * (exit 1).  Returns the command's exit code. */
int swn_cmd_run(struct swn_ctx *ctx, int argc, char **argv);

#endif

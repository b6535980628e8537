/*
 * main.c - the swnode program: the dispatcher of the command table
 * (commands.c).
 *
 * It reads the options before the command (--home, --help, --version),
 * finds the command (one or two words: "init", "cert show"), sets up
 * libxml2, runs it with swn_cmd_run() and checks that standard output was
 * written completely: a full disk or closed pipe is a failure, not a
 * silent loss.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxslt/xslt.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "xml/xmlsafe.h"


/* The width of the name column: the longest name, so that two spaces at
 * least always part a name from its summary. */
static int name_width(void)
{
	size_t i, w = 0;

	for (i = 0; i < swn_cmd_count(); i++)
		if (strlen(swn_cmd_at(i)->name) > w)
			w = strlen(swn_cmd_at(i)->name);
	return (int)w;
}

static void list_commands(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: swnode [--home DIR] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < swn_cmd_count(); i++)
		fprintf(fp, "  %-*s  %s\n", name_width(), swn_cmd_at(i)->name, swn_cmd_at(i)->summary);
	fprintf(fp,
		"\n`swnode COMMAND --help` describes a command.  The node directory is\n"
		"--home DIR or $SWNODE_HOME; schemas come from $SWNODE_SCHEMAS or %s.\n"
		"Exit codes: 0 ok, 1 failure, 2 usage.\n", swn_schema_dir());
}

/* The group "cert" or "peer" given alone or with an unknown word. */
static int group_help(const char *word, FILE *fp)
{
	size_t i, n = strlen(word);
	int found = 0;

	for (i = 0; i < swn_cmd_count(); i++)
		if (strncmp(swn_cmd_at(i)->name, word, n) == 0 && swn_cmd_at(i)->name[n] == ' ') {
			if (!found)
				fprintf(fp, "usage: swnode %s SUBCOMMAND\n\n", word);
			fprintf(fp, "  %-*s  %s\n", name_width(), swn_cmd_at(i)->name, swn_cmd_at(i)->summary);
			found = 1;
		}
	return found;
}

static int finish_stdout(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "swnode: cannot write standard output: %s\n", strerror(errno));
		return SWN_EXIT_FAIL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	static struct swn_ctx ctx;
	const char *home_opt = NULL;
	const struct swn_cmd *cmd;
	int used = 0, rc, i = 1;

	/* Options before the command: --home DIR, --help, --version. */
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc) {
			home_opt = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--home=", 7) == 0) {
			home_opt = argv[i] + 7;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			list_commands(stdout);
			return finish_stdout(SWN_EXIT_OK);
		} else if (strcmp(argv[i], "--home") == 0) {
			fprintf(stderr, "swnode: option '--home' needs a value; see swnode --help\n");
			return SWN_EXIT_USAGE;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("swnode %s\n", PACKAGE_VERSION);
			return finish_stdout(SWN_EXIT_OK);
		} else {
			fprintf(stderr, "swnode: unknown option '%s'; see swnode --help\n", argv[i]);
			return SWN_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		list_commands(stderr);
		return SWN_EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 < argc && (cmd = swn_cmd_lookup(argc - i - 1, argv + i + 1, &used)) != NULL) {
			swn_ctx_init(&ctx, cmd, home_opt);
			swn_cli_usage(&ctx, stdout);
		} else if (!(i + 1 < argc && group_help(argv[i + 1], stdout))) {
			list_commands(stdout);
		}
		return finish_stdout(SWN_EXIT_OK);
	}
	cmd = swn_cmd_lookup(argc - i, argv + i, &used);
	if (cmd == NULL) {
		if (group_help(argv[i], stderr))
			return SWN_EXIT_USAGE;
		fprintf(stderr, "swnode: '%s' is not a swnode command; see swnode --help\n",
			argv[i]);
		return SWN_EXIT_USAGE;
	}
	swn_ctx_init(&ctx, cmd, home_opt);
	swn_xml_init();
	/* The command sees argv[0] = its own name, like a program. */
	rc = swn_cmd_run(&ctx, argc - i - used + 1, argv + i + used - 1);
	xsltCleanupGlobals();
	swn_xml_cleanup();
	return finish_stdout(rc);
}

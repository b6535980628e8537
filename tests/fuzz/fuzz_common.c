/* fuzz_common.c - setup shared by the fuzz targets; see fuzz.h. */
#include "autoconfig.h"

#include <ftw.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxslt/xslt.h>

#include "trust/agreement.h"
#include "trust/bundle.h"
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "fuzz.h"
#include "node/node/runtime.h"
#include "as4/wssec.h"
#include "xml/xmlsafe.h"

#ifndef SWN_FUZZ_SRCDIR
#error "SWN_FUZZ_SRCDIR must name the source tree (tests/fuzz/run.sh sets it)"
#endif

void fuzz_die(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void fuzz_setup(void)
{
	static int done;
	struct swn_err err;

	if (done)
		return;
	done = 1;
	/* The tree's schemas, unless the caller points elsewhere. */
	setenv("SWNODE_SCHEMAS", SWN_FUZZ_SRCDIR "/schemas", 0);
	swn_xml_init();
	swn_err_clear(&err);
	if (swn_wssec_init(&err) < 0)
		fuzz_die("cannot set up libxmlsec1: %s", err.msg);
}

static char tmpdir[4096];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tmpdir(void)
{
	if (tmpdir[0])
		nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpdir[0])
		return tmpdir;
	snprintf(tmpdir, sizeof tmpdir, "%s/swnode-fuzz.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir))
		fuzz_die("cannot create a scratch directory under %s", base && *base ? base : "/tmp");
	atexit(remove_tmpdir);
	return tmpdir;
}

const char *fuzz_write(const char *file, const uint8_t *data, size_t size)
{
	static char path[4200];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", fuzz_tmpdir(), file);
	fp = fopen(path, "wb");
	if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0)
		fuzz_die("cannot write %s", path);
	return path;
}

const struct swn_registry *fuzz_registry(void)
{
	static struct swn_registry *reg;
	struct swn_err err;

	if (reg)
		return reg;
	fuzz_setup();
	swn_err_clear(&err);
	if (swn_registry_load(getenv("SWNODE_SCHEMAS"), &reg, &err) < 0)
		fuzz_die("cannot load the registry: %s: %s", err.file, err.msg);
	return reg;
}

const char *fuzz_peer_bundle_path(void)
{
	return SWN_FUZZ_SRCDIR "/tests/fuzz/peer-bundle.xml";
}

static struct swn_bundle *peer(void)
{
	static struct swn_bundle b;
	static int loaded;
	struct swn_err err;

	if (loaded)
		return &b;
	fuzz_setup();
	swn_err_clear(&err);
	if (swn_bundle_load(fuzz_peer_bundle_path(), FUZZ_NOW, &b, &err) < 0)
		fuzz_die("cannot load %s: %s", fuzz_peer_bundle_path(), err.msg);
	loaded = 1;
	return &b;
}

X509 *fuzz_peer_signing(void)
{
	return peer()->signing;
}

X509 *fuzz_peer_tls(void)
{
	return peer()->tls;
}

void fuzz_command(const char *name, int argc, char **argv)
{
	struct swn_ctx ctx;
	const struct swn_cmd *cmd = NULL;
	size_t i;
	int rc;

	for (i = 0; i < swn_cmd_count(); i++)
		if (strcmp(swn_cmd_at(i)->name, name) == 0)
			cmd = swn_cmd_at(i);
	if (cmd == NULL)
		fuzz_die("no command %s", name);
	swn_ctx_init(&ctx, cmd, NULL);
	optind = 0;     /* glibc: start getopt afresh for each command */
	rc = swn_cmd_run(&ctx, argc, argv);
	if (rc != 0)
		fuzz_die("swnode %s failed (exit %d)", name, rc);
}

/* In FILE, replace the first FROM with TO (agreement attributes). */
static void edit(const char *file, const char *from, const char *to)
{
	char text[65536], out[65536], *at;
	size_t n;
	FILE *fp = fopen(file, "rb");

	if (!fp)
		fuzz_die("cannot read %s", file);
	n = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[n] = '\0';
	if (!(at = strstr(text, from)))
		fuzz_die("%s: '%s' not found", file, from);
	snprintf(out, sizeof out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	if (!(fp = fopen(file, "wb")) || fputs(out, fp) < 0 || fclose(fp) != 0)
		fuzz_die("cannot write %s", file);
}

struct swn_runtime *fuzz_node(void)
{
	static struct swn_runtime *rt;
	char home[4200], agreement[4300];
	struct swn_err err;

	if (rt)
		return rt;
	fuzz_setup();
	snprintf(home, sizeof home, "%s/sg", fuzz_tmpdir());
	{
		char *init[] = { "init", "--home", home, "--party-id", "SG-NTP",
				 "--key", "ec-p256", "--endpoint", "https://127.0.0.1:1/as4",
				 NULL };
		char *import[] = { "peer import", "--home", home,
				   (char *)fuzz_peer_bundle_path(), "--agreement-id", "AB",
				   "--profile", "body", NULL };

		fuzz_command("init", 9, init);
		/* The body form: the corpus carries its documents in soap:Body. */
		fuzz_command("peer import", 8, import);
	}
	snprintf(agreement, sizeof agreement, "%s/peers/AB.xml", home);
	edit(agreement, "status=\"draft\"", "status=\"active\"");
	/* The fuzzer sends far more than a peer may per minute. */
	edit(agreement, "maxMessagesPerMinute=\"" SWN_DRAFT_MAX_PER_MINUTE "\"",
	     "maxMessagesPerMinute=\"1000000000000\"");
	swn_err_clear(&err);
	if (swn_runtime_open(home, NULL, NULL, &rt, &err) < 0)
		fuzz_die("cannot open the node: %s: %s", err.file, err.msg);
	if (rt->nagreements != 1)
		fuzz_die("the node loaded %d agreements, not 1", rt->nagreements);
	return rt;
}


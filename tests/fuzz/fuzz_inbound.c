/*
 * fuzz_inbound.c - the body of a POST /as4, handled as the listener hands
 * it on (http_in.c's on_as4): swn_inbound_handle() with a real node and
 * the TLS certificate of an authenticated peer.  That is the whole
 * receiving path of DESIGN.md: safe parse, AS4 structure, the peer's
 * agreement, signature, header checks, duplicates, the international
 * schema, the ledger (RECEIVED or REFUSED with the bytes), the signed
 * receipt or eb:Error, the map to domestic and the spool.
 *
 * At start a node SG-NTP is made in the scratch directory, with an active
 * agreement AB with the committed peer CN-SW (tests/fuzz/peer-bundle.xml),
 * which signed the seed messages: they are accepted, and mutations reach
 * every check.  The node lives for the whole run, so its ledger grows: a
 * MessageId seen before takes the duplicate path.  A crash file replayed
 * alone meets a fresh node, as the first input of the run did.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inbound.h"
#include "fuzz.h"
#include "runtime.h"

static struct swn_runtime *rt;

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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char home[4200], agreement[4300];
	struct swn_err err;

	(void)argc;
	(void)argv;
	fuzz_setup();
	snprintf(home, sizeof home, "%s/sg", fuzz_tmpdir());
	{
		char *init[] = { "init", "--home", home, "--party-id", "SG-NTP",
				 "--key", "ec-p256", "--endpoint", "https://127.0.0.1:1/as4",
				 NULL };
		char *import[] = { "peer import", "--home", home,
				   (char *)fuzz_peer_bundle_path(), "--agreement-id", "AB",
				   NULL };

		fuzz_command("init", 9, init);
		fuzz_command("peer import", 6, import);
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
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swn_inbound_reply reply;

	swn_inbound_handle(rt, (const char *)data, size, fuzz_peer_tls(), &reply);
	if (reply.http_status == 503)
		fuzz_die("the node could not record a message: %s", reply.reason);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz: %s%s%s\n", reply.outcome, reply.reason[0] ? ": " : "",
			reply.reason);
	swn_buf_free(&reply.body);
	return 0;
}

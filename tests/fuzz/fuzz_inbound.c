/*
 * fuzz_inbound.c - the body of a POST /as4, handled as inbound takes it
 * (in memory; the listener's swn_inbound_handle_file reads a body-form
 * message into memory the same way): swn_inbound_handle() with a real node and
 * the TLS certificate of an authenticated peer.  That is the whole
 * receiving path of DESIGN.md: safe parse, AS4 structure, the peer's
 * agreement, signature, header checks, duplicates, the international
 * schema, the ledger (RECEIVED or REFUSED with the bytes), the signed
 * receipt or eb:Error, the map to domestic and the spool.
 *
 * The node (fuzz_node()) has an active agreement with the peer that signed
 * the seed messages: they are accepted, and mutations reach every check.
 * It lives for the whole run, so its ledger grows: a MessageId seen before
 * takes the duplicate path.  A crash file replayed alone meets a fresh
 * node, as the first input of the run did.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "node/node/inbound.h"

static struct swn_runtime *rt;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rt = fuzz_node();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swn_inbound_reply reply;

	swn_inbound_handle(rt, (const char *)data, size, NULL, fuzz_peer_tls(), &reply);
	if (reply.http_status == 503)
		fuzz_die("the node could not record a message: %s", reply.reason);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz: %s%s%s\n", reply.outcome, reply.reason[0] ? ": " : "",
			reply.reason);
	swn_buf_free(&reply.body);
	return 0;
}

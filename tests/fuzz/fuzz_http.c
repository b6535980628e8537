/*
 * fuzz_http.c - bytes a client sends to the partner listener: the HTTP
 * request read by the listener's own HTTP reader (net/httpd) with its
 * limits and routes (http_in.c), answered by the node's handlers: /healthz,
 * /ledger/checkpoint, /ledger/consistency with its query, /as4 (403: this
 * connection has no TLS client certificate; fuzz_inbound takes the body
 * from there), anything else.  Keep-alive and pipelined requests too.
 *
 * Each input is written into a fresh connection to the listener's socket
 * (AF_UNIX, in the scratch directory), then the writing side is shut; the
 * loop runs until the listener has closed the connection.  The node is
 * fuzz_node(), with the seed messages of fuzz_inbound received at start so
 * that its ledger has entries to prove; nothing here writes to it.
 */
#include "autoconfig.h"

#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/fsutil.h"
#include "fuzz.h"
#include "node/node/http_in.h"
#include "node/node/inbound.h"

#ifndef SWN_FUZZ_SRCDIR
#error "SWN_FUZZ_SRCDIR must name the source tree"
#endif

/* Loop turns a connection may take before the listener counts as hung. */
#define MAX_TURNS 200000

static struct event_base *base;
static struct sockaddr_un addr;

/* The node receives the seed messages: ledger entries for the proofs. */
static void receive_seeds(struct swn_runtime *rt)
{
	glob_t g;
	size_t i;

	if (glob(SWN_FUZZ_SRCDIR "/tests/fuzz/corpus/inbound/*.xml", 0, NULL, &g) != 0)
		fuzz_die("no seed messages in %s/tests/fuzz/corpus/inbound", SWN_FUZZ_SRCDIR);
	for (i = 0; i < g.gl_pathc; i++) {
		struct swn_inbound_reply reply;
		struct swn_err err;
		char *data;
		size_t len;

		swn_err_clear(&err);
		if (swn_file_read(g.gl_pathv[i], 1u << 20, &data, &len, &err) < 0)
			fuzz_die("%s: %s", g.gl_pathv[i], err.msg);
		swn_inbound_handle(rt, data, len, NULL, fuzz_peer_tls(), &reply);
		if (reply.http_status != 200)
			fuzz_die("%s: %s", g.gl_pathv[i], reply.outcome);
		swn_buf_free(&reply.body);
		free(data);
	}
	globfree(&g);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct swn_runtime *rt;
	struct swn_server *server;
	struct swn_err err;
	int fd;

	(void)argc;
	(void)argv;
	rt = fuzz_node();
	receive_seeds(rt);
	/* A reply to a client that is gone must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	addr.sun_family = AF_UNIX;
	if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s/http.sock",
			     fuzz_tmpdir()) >= sizeof addr.sun_path)
		fuzz_die("the scratch directory's path is too long for a socket");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 16) < 0)
		fuzz_die("cannot listen on %s: %s", addr.sun_path, strerror(errno));
	swn_err_clear(&err);
	if (swn_server_plain(rt, fd, &base, &server, &err) < 0)
		fuzz_die("cannot set up the listener: %s", err.msg);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char reply[65536];
	size_t off = 0;
	int c, turns, shut = 0;

	c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof addr) < 0)
		fuzz_die("cannot connect to the listener: %s", strerror(errno));
	for (turns = 0; turns < MAX_TURNS; turns++) {
		ssize_t n;

		if (off < size) {
			n = write(c, data + off, size - off);
			if (n > 0)
				off += (size_t)n;
			else if (n < 0 && errno != EAGAIN && errno != EINTR)
				off = size;     /* the listener closed: it said all it will */
		}
		if (off == size && !shut) {
			shutdown(c, SHUT_WR);
			shut = 1;
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
		n = read(c, reply, sizeof reply - 1);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
		if (n > 0 && getenv("FUZZ_VERBOSE")) {
			reply[n] = '\0';
			fprintf(stderr, "fuzz: %s\n", reply);
		}
	}
	if (turns == MAX_TURNS)
		fuzz_die("the listener did not close the connection");
	close(c);
	/* Let the listener free what the connection left. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	return 0;
}

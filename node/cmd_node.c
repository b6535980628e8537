/* cmd_node.c - swnode serve | send | status | resend: the running node. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "http_in.h"
#include "http_out.h"
#include "inbound.h"
#include "log.h"
#include "delivery.h"
#include "local_api.h"
#include "outbox.h"
#include "pki.h"
#include "runtime.h"
#include "spool.h"
#include "swn_limits.h"
#include "wssec.h"
#include "xmlsafe.h"

static void log_problem(void *ctx, const struct swn_err *e)
{
	(void)ctx;
	if (e->line > 0)
		swn_log("agreement not loaded: %s:%ld: %s", e->file, e->line, e->msg);
	else
		swn_log("agreement not loaded: %s: %s", e->file, e->msg);
}

/* Open the node for a command that sends or serves. */
static int open_node(struct swn_ctx *ctx, struct swn_runtime **rt, struct swn_outbox **ob,
		     struct swn_err *err)
{
	char home[SWN_PATH_MAX];

	*rt = NULL;
	*ob = NULL;
	if (swn_home_resolve(ctx->home_opt, home, sizeof home, err) < 0 ||
	    swn_wssec_init(err) < 0 || swn_http_out_init(err) < 0 ||
	    swn_runtime_open(home, log_problem, NULL, rt, err) < 0 ||
	    swn_outbox_open(*rt, ob, err) < 0) {
		swn_runtime_close(*rt);
		*rt = NULL;
		return -1;
	}
	return 0;
}

static void close_node(struct swn_runtime *rt, struct swn_outbox *ob)
{
	swn_outbox_close(ob);
	swn_runtime_close(rt);
	swn_http_out_cleanup();
	swn_wssec_cleanup();
}

/* ---- the spool ---- */

struct spool_ctx {
	struct swn_outbox *ob;
	struct swn_delivery *d;
};

static int from_spool(void *arg, const char *party, const char *path, const char *token,
		      char *why, size_t n)
{
	struct spool_ctx *sc = arg;
	char msgid[SWN_AS4_ID_BYTES];
	struct swn_err err;
	xmlDocPtr doc;
	int rc;

	swn_err_clear(&err);
	if (!(doc = swn_xml_read(path, SWN_MAX_DOCUMENT_BYTES, &err)) ||
	    swn_outbox_submit_once(sc->ob, doc, path, party, token, msgid, sizeof msgid, &err) < 0) {
		size_t used;

		swn_err_describe(&err, why, n - 1);
		used = strlen(why);
		why[used] = '\n';
		why[used + 1] = '\0';
		if (err.code == SWN_E_DB || err.code == SWN_E_NOMEM) {
			/* Not the document's fault (a full disk, say): it stays
			 * claimed and is tried again at the next pass. */
			swn_log("spool: %s not submitted yet: %s", path, err.msg);
			rc = 1;
		} else {
			swn_log("spool: %s refused: %s", path, err.msg);
			rc = -1;
		}
	} else {
		swn_log("spool: %s submitted as %s to %s", path, msgid, party);
		swn_delivery_wake(sc->d);
		rc = 0;
	}
	xmlFreeDoc(doc);
	return rc;
}

/* One serving process per node: a second one would deliver every queued
 * message twice.  The lock goes with the process, even on a crash. */
static int lock_node(const char *home, struct swn_err *err)
{
	char path[SWN_PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof path, "%s/serve.lock", home);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return swn_err_set(err, SWN_E_IO, path, 0, "cannot open: %s", strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return swn_err_set(err, SWN_E_EXISTS, path, 0,
				   "another swnode serve runs on this node; stop it first");
	}
	return fd;
}

/* Many peers and connections need descriptors: take what the system allows. */
/* Raise the descriptor limit as far as allowed, and keep the connection
 * limit below it, with room for the ledger, spool and outgoing
 * connections: clients are refused before the node runs out of
 * descriptors. */
#define FDS_KEPT_FOR_THE_NODE 256
static int fit_fd_limit(int max_connections)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) != 0)
		return max_connections;
	if (r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &r) != 0)
			getrlimit(RLIMIT_NOFILE, &r);
	}
	if (r.rlim_cur != RLIM_INFINITY && (rlim_t)max_connections + FDS_KEPT_FOR_THE_NODE > r.rlim_cur) {
		int fit = r.rlim_cur > 2 * FDS_KEPT_FOR_THE_NODE ? (int)(r.rlim_cur - FDS_KEPT_FOR_THE_NODE)
								  : (int)(r.rlim_cur / 2);

		swn_log("descriptor limit %llu: at most %d connections at once", (unsigned long long)r.rlim_cur, fit);
		return fit;
	}
	return max_connections;
}

static void redeliver(struct swn_runtime *rt)
{
	struct swn_err err;
	int done = 0, failed = 0;

	swn_err_clear(&err);
	if (swn_inbound_redeliver(rt, &done, &failed, &err) < 0)
		swn_log("redelivery: %s", err.msg);
	else if (done || failed)
		swn_log("redelivery: %d received documents placed in spool/in, %d still failing", done, failed);
}

int cmd_serve(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "checkpoint-every", required_argument, NULL, 'c' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "request-timeout", required_argument, NULL, 'r' },
		{ "max-connections", required_argument, NULL, 'm' },
		{ "max-connections-per-ip", required_argument, NULL, 'p' },
		{ "senders", required_argument, NULL, 's' },
		{ "local", required_argument, NULL, 'L' },
		{ "local-workers", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	struct swn_server_limits limits = SWN_SERVER_LIMITS_DEFAULT;
	const char *listen = NULL;
	char *end;
	long every = 60;
	long workers = sysconf(_SC_NPROCESSORS_ONLN);
	long senders = 16, local_workers = 8;
	const char *local = NULL;
	struct swn_local *api = NULL;
	struct swn_runtime *rt;
	struct swn_outbox *ob;
	struct swn_server *server = NULL;
	struct swn_delivery *d = NULL;
	struct spool_ctx sc;
	struct swn_err err;
	sigset_t sigs;
	struct timespec tick = { 1, 0 };
	int c, sig, rc = SWN_EXIT_OK, lockfd = -1, ticks = 0;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 'l')
			listen = optarg;
		else if (c == 'w')
			workers = strtol(optarg, NULL, 10);
		else if (c == 's')
			senders = strtol(optarg, NULL, 10);
		else if (c == 'W')
			local_workers = strtol(optarg, NULL, 10);
		else if (c == 'L')
			local = optarg;
		else if (c == 'c')
			every = strtol(optarg, NULL, 10);
		else if (c == 'i' || c == 'r' || c == 'm' || c == 'p') {
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 1000000)
				return swn_cli_usage_error(ctx, "--%s must be a whole number from 1 to 1000000",
							   c == 'i' ? "idle-timeout" : c == 'r' ? "request-timeout"
							   : c == 'm' ? "max-connections" : "max-connections-per-ip");
			*(c == 'i' ? &limits.idle_timeout_s : c == 'r' ? &limits.request_timeout_s
			  : c == 'm' ? &limits.max_connections : &limits.max_per_address) = (int)v;
		} else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (optind < argc)
		return swn_cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (every < 0 || every > 86400)
		return swn_cli_usage_error(ctx, "--checkpoint-every must be 0 (off) to 86400 seconds");
	if (workers < 1 || workers > 256)
		return swn_cli_usage_error(ctx, "--workers must be between 1 and 256");
	if (local_workers < 1 || local_workers > 256)
		return swn_cli_usage_error(ctx, "--local-workers must be between 1 and 256");
	if (senders < 1 || senders > SWN_DELIVERY_MAX_THREADS)
		return swn_cli_usage_error(ctx, "--senders must be between 1 and %d", SWN_DELIVERY_MAX_THREADS);
	/* Signals are taken by sigtimedwait() below, in this thread only. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	limits.max_connections = fit_fd_limit(limits.max_connections);
	if (open_node(ctx, &rt, &ob, &err) < 0)
		return swn_cli_fail(&err);
	/* A damaged ledger is refused before anything is recorded in it. */
	if ((lockfd = lock_node(rt->cfg.home, &err)) < 0 || swn_ledger_quick_check(rt->ledger, &err) < 0 ||
	    swn_outbox_recover(ob, &err) < 0) {
		close_node(rt, ob);
		return swn_cli_fail(&err);
	}
	{
		int swept = swn_spool_sweep(rt->cfg.spool_dir, &err);

		if (swept < 0)
			swn_log("spool: %s", err.msg);
		else if (swept > 0)
			swn_log("spool: removed %d unfinished files a stopped writer left in spool/in", swept);
		swn_err_clear(&err);
	}
	redeliver(rt);
	if (swn_server_start(rt, listen ? listen : rt->cfg.listen_partner, (int)workers, &limits,
			     &server, &err) < 0) {
		close_node(rt, ob);
		return swn_cli_fail(&err);
	}
	if (swn_delivery_start(ob, (int)senders, &d, &err) < 0) {
		swn_server_stop(server);
		close_node(rt, ob);
		return swn_cli_fail(&err);
	}
	if (swn_local_start(rt, ob, d, local ? local : rt->cfg.listen_local, (int)local_workers, &api,
			    &err) < 0) {
		swn_delivery_stop(d);
		swn_server_stop(server);
		close_node(rt, ob);
		return swn_cli_fail(&err);
	}
	sc.ob = ob;
	sc.d = d;
	swn_log("serving %s on %s (port %d, %ld workers, %d agreements)", rt->cfg.party_id,
		listen ? listen : rt->cfg.listen_partner, swn_server_port(server), workers,
		rt->nagreements);
	swn_log("local API on %s (port %d, %ld workers)", local ? local : rt->cfg.listen_local,
		swn_local_port(api), local_workers);
	printf("local %d\nready %d\n", swn_local_port(api), swn_server_port(server));
	fflush(stdout);
	for (;;) {
		sig = sigtimedwait(&sigs, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT) {
			swn_log("stopping: finishing requests in flight");
			break;
		}
		if (sig == SIGHUP) {
			int n;

			swn_err_clear(&err);
			n = swn_runtime_reload(rt, log_problem, NULL, &err);
			if (n < 0)
				swn_log("reload failed: %s", err.msg);
			else
				swn_log("reloaded: %d agreements", n);
			swn_server_agreements_changed(server);
			continue;
		}
		swn_err_clear(&err);
		if (swn_spool_scan(rt->cfg.spool_dir, from_spool, &sc, &err) < 0)
			swn_log("spool: %s", err.msg);
		swn_inbound_flush_refusals(rt, time(NULL), 0);
		if (++ticks % 60 == 0)
			redeliver(rt);
		/* A signed, timed checkpoint at least every N seconds, even idle. */
		if (every > 0 && ticks % every == 0) {
			swn_err_clear(&err);
			if (swn_ledger_heartbeat(rt->ledger, &err) < 0)
				swn_log("checkpoint: %s", err.msg);
		}
	}
	swn_local_stop(api);
	swn_server_stop(server);
	swn_inbound_flush_refusals(rt, time(NULL), 1);
	swn_delivery_stop(d);
	close_node(rt, ob);
	close(lockfd);
	swn_log("stopped");
	return rc;
}

/* ---- send, status, resend ---- */

static void print_entry(void *ctx, long long seq, const char *time, const char *dir,
			const char *peer, const char *agreement, const char *doctype,
			const char *msgid, const char *event, const char *reason)
{
	(void)ctx;
	(void)msgid;
	printf("  %6lld  %s  %-3s  %-22s  %s%s%s\n", seq, time, dir, event,
	       *peer ? peer : "-", reason ? "  " : "", reason ? reason : "");
	(void)agreement;
	(void)doctype;
}

static int show_status(struct swn_runtime *rt, struct swn_outbox *ob, const char *msgid,
		       struct swn_err *err)
{
	char state[32], last[1024], event[32];
	int attempts, found, in;
	time_t next;

	found = swn_outbox_get(ob, msgid, state, sizeof state, &attempts, &next, last, sizeof last, err);
	in = swn_ledger_last_event(rt->ledger, "in", msgid, event, sizeof event, err);
	if (found < 0 || in < 0)
		return -1;
	if (!found && !in)
		return swn_err_set(err, SWN_E_NOT_FOUND, NULL, 0, "message %s is not in the ledger", msgid);
	printf("message %s\n", msgid);
	if (found) {
		printf("  outbound: %s after %d attempt%s", state, attempts, attempts == 1 ? "" : "s");
		if (strcmp(state, "RETRYING") == 0 || strcmp(state, "SUBMITTED") == 0) {
			char when[SWN_TIME_LEN + 1];

			swn_time_iso(next, when);
			printf(", next try %s", when);
		}
		printf("%s%s\n", last[0] ? "; last: " : "", last);
	}
	if (in)
		printf("  inbound: %s\n", event);
	printf("  ledger:\n");
	return swn_ledger_history(rt->ledger, msgid, print_entry, NULL, err);
}

int cmd_send(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "wait", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	const char *to = NULL, *file;
	long wait_s = 0;
	char msgid[SWN_AS4_ID_BYTES], state[32] = "", last[1024];
	struct swn_runtime *rt;
	struct swn_outbox *ob;
	struct swn_err err;
	xmlDocPtr doc;
	int c, attempts, rc;
	time_t next, deadline;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 't')
			to = optarg;
		else if (c == 'w')
			wait_s = strtol(optarg, NULL, 10);
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (to == NULL)
		return swn_cli_usage_error(ctx, "--to PARTY is required");
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one FILE");
	if (wait_s < 0 || wait_s > 3600)
		return swn_cli_usage_error(ctx, "--wait must be between 0 and 3600 seconds");
	file = argv[optind];
	if (open_node(ctx, &rt, &ob, &err) < 0)
		return swn_cli_fail(&err);
	if (!(doc = swn_xml_read(file, SWN_MAX_DOCUMENT_BYTES, &err)) ||
	    swn_outbox_submit(ob, doc, file, to, msgid, sizeof msgid, &err) < 0) {
		xmlFreeDoc(doc);
		close_node(rt, ob);
		return swn_cli_fail(&err);
	}
	xmlFreeDoc(doc);
	printf("%s\n", msgid);
	fflush(stdout);
	rc = SWN_EXIT_OK;
	/* --wait: follow the message until it is delivered or failed. */
	deadline = time(NULL) + wait_s;
	while (wait_s > 0) {
		struct timespec pause = { 0, 100 * 1000 * 1000 };

		if (swn_outbox_get(ob, msgid, state, sizeof state, &attempts, &next, last, sizeof last, &err) < 0)
			break;
		if (strcmp(state, "DELIVERED") == 0 || strcmp(state, "FAILED") == 0 || time(NULL) >= deadline)
			break;
		nanosleep(&pause, NULL);
	}
	if (wait_s > 0) {
		fprintf(stderr, "swnode: %s: %s%s%s\n", msgid, state, last[0] && strcmp(state, "DELIVERED") ? ": " : "",
			strcmp(state, "DELIVERED") ? last : "");
		rc = strcmp(state, "DELIVERED") == 0 ? SWN_EXIT_OK : SWN_EXIT_FAIL;
	}
	close_node(rt, ob);
	return rc;
}

static int resend(struct swn_runtime *rt, struct swn_outbox *ob, const char *msgid,
		  struct swn_err *err)
{
	(void)rt;
	if (swn_outbox_resend(ob, msgid, err) < 0)
		return -1;
	printf("%s queued for delivery again\n", msgid);
	return 0;
}

/* The shape of `node status` and `node resend`: one MSGID, the node opened. */
static int on_one_message(int argc, char **argv, struct swn_ctx *ctx,
			  int (*fn)(struct swn_runtime *, struct swn_outbox *, const char *,
				    struct swn_err *))
{
	struct swn_runtime *rt;
	struct swn_outbox *ob;
	struct swn_err err;
	int c, rc;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", NULL)) != -1)
		return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one MSGID");
	if (open_node(ctx, &rt, &ob, &err) < 0)
		return swn_cli_fail(&err);
	rc = fn(rt, ob, argv[optind], &err);
	close_node(rt, ob);
	return rc < 0 ? swn_cli_fail(&err) : SWN_EXIT_OK;
}

int cmd_status(int argc, char **argv, struct swn_ctx *ctx)
{
	return on_one_message(argc, argv, ctx, show_status);
}

int cmd_resend(int argc, char **argv, struct swn_ctx *ctx)
{
	return on_one_message(argc, argv, ctx, resend);
}

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
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "cmd/cli.h"
#include "base/fsutil.h"
#include "node/node/http_in.h"
#include "net/http_out.h"
#include "node/node/inbound.h"
#include "net/listen.h"
#include "base/log.h"
#include "node/node/delivery.h"
#include "node/node/local_api.h"
#include "node/node/outbox.h"
#include "trust/pki.h"
#include "node/node/runtime.h"
#include "node/node/placement.h"
#include "ledger/payloads.h"
#include "node/node/spool.h"
#include "base/swn_limits.h"
#include "as4/mime.h"
#include "as4/wssec.h"
#include "xml/xmlsafe.h"

/* ---- the spool ---- */

struct spool_ctx {
	struct swn_spool *spool;
	struct swn_outbox *ob;
	struct swn_delivery *d;
};

/* Parse a document to submit, with the SHA-256 of its bytes; data is
 * freed. */
static xmlDocPtr parse_document(char *data, size_t len, const char *name, unsigned char sha256[32],
				struct swn_err *err)
{
	xmlDocPtr doc;

	SHA256((const unsigned char *)data, len, sha256);
	doc = swn_xml_parse(data, len, name, err);
	free(data);
	return doc;
}

/* A document named on the command line ("-": standard input). */
static xmlDocPtr read_document(const char *path, unsigned char sha256[32], struct swn_err *err)
{
	char *data;
	size_t len;

	if (swn_file_read(path, SWN_MAX_DOCUMENT_BYTES, &data, &len, err) < 0)
		return NULL;
	return parse_document(data, len, strcmp(path, "-") == 0 ? "<stdin>" : path, sha256, err);
}

/* A document the spool claimed: read from the descriptor it opened. */
static xmlDocPtr read_claimed(int fd, const char *path, unsigned char sha256[32], struct swn_err *err)
{
	char *data;
	size_t len;

	if (swn_fd_read(fd, path, SWN_MAX_DOCUMENT_BYTES, &data, &len, err) < 0)
		return NULL;
	return parse_document(data, len, path, sha256, err);
}

static int from_spool(void *arg, const char *party, const char *path, int fd, const char *token,
		      char *why, size_t n)
{
	struct spool_ctx *sc = arg;
	unsigned char sha256[32];
	struct swn_once once;
	struct swn_err err;
	xmlDocPtr doc;
	int rc;

	swn_err_clear(&err);
	if (!(doc = read_claimed(fd, path, sha256, &err)) ||
	    swn_outbox_submit_once(sc->ob, doc, sha256, path, party, token, &once, &err) < 0) {
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
		swn_log("spool: %s submitted as %s to %s", path, once.msgid, party);
		swn_delivery_wake(sc->d);
		rc = 0;
	}
	xmlFreeDoc(doc);
	return rc;
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

static void log_problem(void *ctx, const struct swn_err *e)
{
	(void)ctx;
	if (e->line > 0)
		swn_log("agreement not loaded: %s:%ld: %s", e->file, e->line, e->msg);
	else
		swn_log("agreement not loaded: %s: %s", e->file, e->msg);
}

static void reload(struct swn_runtime *rt, struct swn_server *server)
{
	struct swn_err err;
	int n;

	swn_err_clear(&err);
	n = swn_runtime_reload(rt, log_problem, NULL, &err);
	if (n < 0)
		swn_log("reload failed: %s", err.msg);
	else
		swn_log("reloaded: %d agreements", n);
	swn_server_agreements_changed(server);
}

/* The serving loop's periodic work, due by the monotonic clock: the loop's
 * passes are no measure of time (a signal ends a pass early, a long spool
 * pass makes it longer).  Times are milliseconds. */
#define SPOOL_SCAN_MS 1000LL
struct chores {
	long long spool, redeliver, checkpoint;   /* when each is next due */
	long long redeliver_every;
	long long checkpoint_every;               /* 0: none */
};

static long long monotonic_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void chores_init(struct chores *ch, long long redeliver_every_s, long long checkpoint_every_s)
{
	long long now = monotonic_ms();

	ch->spool = now + SPOOL_SCAN_MS;
	ch->redeliver_every = redeliver_every_s * 1000;
	ch->redeliver = now + ch->redeliver_every;
	ch->checkpoint_every = checkpoint_every_s * 1000;
	ch->checkpoint = now + ch->checkpoint_every;
}

/* 1 if the chore due at *when is due now (and then its next time is set). */
static int due(long long *when, long long every, long long now)
{
	if (now < *when)
		return 0;
	*when = now + every;
	return 1;
}

/* How long the loop may wait for a signal: until the next chore. */
static struct timespec chores_wait(const struct chores *ch)
{
	long long next = ch->spool, left;
	struct timespec t;

	if (ch->redeliver < next)
		next = ch->redeliver;
	if (ch->checkpoint_every > 0 && ch->checkpoint < next)
		next = ch->checkpoint;
	left = next - monotonic_ms();
	if (left < 0)
		left = 0;
	t.tv_sec = (time_t)(left / 1000);
	t.tv_nsec = (long)(left % 1000) * 1000000;
	return t;
}

static void chores_run(struct chores *ch, struct swn_runtime *rt, struct spool_ctx *sc)
{
	long long now = monotonic_ms();
	struct swn_err err;

	swn_err_clear(&err);
	if (due(&ch->spool, SPOOL_SCAN_MS, now) && swn_spool_scan(sc->spool, from_spool, sc, &err) < 0)
		swn_log("spool: %s", err.msg);
	if (due(&ch->redeliver, ch->redeliver_every, now))
		redeliver(rt);
	/* Counts of refusals not recorded one by one, for minutes that ended. */
	swn_inbound_flush_refusals(rt, time(NULL), 0);
	/* A signed, timed checkpoint at least every N seconds, even idle. */
	swn_err_clear(&err);
	if (ch->checkpoint_every > 0 && due(&ch->checkpoint, ch->checkpoint_every, now) &&
	    swn_ledger_heartbeat(rt->ledger, &err) < 0)
		swn_log("checkpoint: %s", err.msg);
}

/* What serve was asked for on its command line. */
struct serve_opts {
	const char *listen, *local;   /* NULL: node.xml's */
	long long workers, local_workers, senders, every, redeliver_every;
	struct swn_server_limits limits;
	int local_max_connections;
};

/* A number of the connection limits, which are ints. */
static int limit_option(struct swn_ctx *ctx, const char *option, const char *v, long long min, int *out)
{
	long long n;

	if (swn_cli_number(ctx, option, v, min, 1000000, &n) < 0)
		return -1;
	*out = (int)n;
	return 0;
}

/* HOST:PORT, the port 0 (any free one) to 65535. */
static int address_option(struct swn_ctx *ctx, const char *option, const char *v, const char **out)
{
	struct swn_err err;
	char host[256];
	int port;

	swn_err_clear(&err);
	if (swn_listen_split(v, 0, host, sizeof host, &port, &err) < 0) {
		swn_cli_usage_error(ctx, "%s must be HOST:PORT with a port from 0 (any free port) to 65535, "
				    "not '%s'", option, v);
		return -1;
	}
	*out = v;
	return 0;
}

/* One option's value into o: 0, or -1 after a usage error. */
static int serve_option(struct swn_ctx *ctx, int c, const char *v, struct serve_opts *o)
{
	switch (c) {
	case 'l': return address_option(ctx, "--listen", v, &o->listen);
	case 'L': return address_option(ctx, "--local", v, &o->local);
	case 'w': return swn_cli_number(ctx, "--workers", v, 1, 256, &o->workers);
	case 'W': return swn_cli_number(ctx, "--local-workers", v, 1, 256, &o->local_workers);
	case 's': return swn_cli_number(ctx, "--senders", v, 1, SWN_DELIVERY_MAX_THREADS, &o->senders);
	case 'c': return swn_cli_number(ctx, "--checkpoint-every", v, 0, 86400, &o->every);
	case 'D': return swn_cli_number(ctx, "--redeliver-every", v, 1, 86400, &o->redeliver_every);
	case 'i': return limit_option(ctx, "--idle-timeout", v, 1, &o->limits.idle_timeout_s);
	case 'T': return limit_option(ctx, "--handshake-timeout", v, 1, &o->limits.handshake_timeout_s);
	case 'r': return limit_option(ctx, "--request-timeout", v, 1, &o->limits.request_timeout_s);
	/* At least one for a handshake and one kept for pinned peers. */
	case 'm': return limit_option(ctx, "--max-connections", v, 2, &o->limits.max_connections);
	case 'p': return limit_option(ctx, "--max-connections-per-ip", v, 1, &o->limits.max_per_address);
	case 'k': return limit_option(ctx, "--max-handshakes", v, 1, &o->limits.max_handshakes);
	case 'K': return limit_option(ctx, "--max-handshakes-per-ip", v, 1, &o->limits.max_handshakes_per_address);
	case 'M': return limit_option(ctx, "--local-max-connections", v, 1, &o->local_max_connections);
	default: return -1;
	}
}

/* Descriptors the node needs besides its listeners' connections (counted
 * on Linux with libevent 2.1 and libcurl 7.88):
 * - for itself, generously: standard streams, the serve lock, the ledger's
 *   two SQLite connections (database and write-ahead log each, the shared
 *   memory, temporary files), the spool (directories, the file claimed),
 *   agreements read at a reload, whatever it inherited;
 * - per event loop, of either listener: its epoll descriptor, its copy of
 *   the listening socket, libevent's signal pipe (two) and wake-up eventfd;
 * - per partner worker, a received document being placed in spool/in (the
 *   file and its directory);
 * - per delivery thread: libcurl's kept connections and one being opened,
 *   its wake-up socket pair, a name lookup (a socket pair, a DNS socket,
 *   /etc/hosts) and our certificate or key being read. */
#define FDS_KEPT_FOR_THE_NODE 256
#define FDS_PER_EVENT_LOOP 5
#define FDS_PER_PARTNER_WORKER 2
#define FDS_PER_SENDER (SWN_HTTP_KEPT_CONNECTIONS + 1 + 2 + 4 + 1)
/* Fewer connections than this for both listeners together: not started. */
#define FDS_MIN_CONNECTIONS 16

static long long fds_kept(const struct serve_opts *o)
{
	return FDS_KEPT_FOR_THE_NODE + FDS_PER_EVENT_LOOP * (o->workers + o->local_workers) +
	       FDS_PER_PARTNER_WORKER * o->workers + FDS_PER_SENDER * o->senders;
}

/* Raise the descriptor limit as far as allowed, and keep both listeners'
 * connection limits below it with the node's own descriptors left over:
 * clients are refused before the node runs out of descriptors to record
 * and deliver.  The local API's share is kept first (a quarter of what is
 * left at most), the partner listener gets the rest.  A limit that leaves
 * too little is refused: lowering the node's own share instead would let
 * a full listener starve the ledger and the deliveries. */
static int fit_fd_limit(struct serve_opts *o, struct swn_err *err)
{
	long long kept = fds_kept(o), room;
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) != 0)
		return 0;
	if (r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &r) != 0)
			getrlimit(RLIMIT_NOFILE, &r);
	}
	if (r.rlim_cur == RLIM_INFINITY)
		return 0;
	room = (long long)r.rlim_cur - kept;
	if (room < FDS_MIN_CONNECTIONS)
		return swn_err_set(err, SWN_E_CONFIG, NULL, 0,
				   "the descriptor limit is %llu (ulimit -n; the hard limit is %llu): serve keeps %lld "
				   "for itself (%lld event loops, %lld delivery threads, the ledger and the spool) "
				   "and needs %d more for connections; raise the limit to %lld or more, or start "
				   "fewer --workers, --local-workers or --senders",
				   (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max, kept,
				   o->workers + o->local_workers, o->senders, FDS_MIN_CONNECTIONS,
				   kept + FDS_MIN_CONNECTIONS);
	if (o->local_max_connections > room / 4) {
		o->local_max_connections = (int)(room / 4);
		swn_log("descriptor limit %llu, %lld kept for the node: at most %d local API connections at once",
			(unsigned long long)r.rlim_cur, kept, o->local_max_connections);
	}
	if (o->limits.max_connections > room - o->local_max_connections) {
		o->limits.max_connections = (int)(room - o->local_max_connections);
		swn_log("descriptor limit %llu, %lld kept for the node: at most %d connections at once",
			(unsigned long long)r.rlim_cur, kept, o->limits.max_connections);
	}
	return 0;
}

/* Connections in the TLS handshake must leave room for pinned peers: at
 * most half of all when the two limits would leave none. */
static void fit_handshakes(struct swn_server_limits *limits)
{
	if (limits->max_handshakes < limits->max_connections)
		return;
	limits->max_handshakes = limits->max_connections / 2;
	swn_log("at most %d connections in the TLS handshake at once, so that %d are kept for pinned peers",
		limits->max_handshakes, limits->max_connections - limits->max_handshakes);
}

/* 1 to serve; 0 to exit with *code (after --help or a usage error). */
static int serve_options(struct swn_ctx *ctx, int argc, char **argv, struct serve_opts *o,
			 int *code)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "checkpoint-every", required_argument, NULL, 'c' },
		{ "redeliver-every", required_argument, NULL, 'D' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "handshake-timeout", required_argument, NULL, 'T' },
		{ "request-timeout", required_argument, NULL, 'r' },
		{ "max-connections", required_argument, NULL, 'm' },
		{ "max-connections-per-ip", required_argument, NULL, 'p' },
		{ "max-handshakes", required_argument, NULL, 'k' },
		{ "max-handshakes-per-ip", required_argument, NULL, 'K' },
		{ "senders", required_argument, NULL, 's' },
		{ "local", required_argument, NULL, 'L' },
		{ "local-workers", required_argument, NULL, 'W' },
		{ "local-max-connections", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int c;

	*o = (struct serve_opts){ NULL, NULL, cores < 1 ? 1 : cores > 256 ? 256 : cores, 8, 16, 60, 60,
				  SWN_SERVER_LIMITS_DEFAULT, SWN_LOCAL_MAX_CONNECTIONS };
	*code = SWN_EXIT_USAGE;
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			*code = SWN_EXIT_OK;
		if (c == 'h' || c == '?' || serve_option(ctx, c, optarg, o) < 0)
			return 0;
	}
	if (optind < argc) {
		swn_cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
		return 0;
	}
	return 1;
}

int cmd_serve(int argc, char **argv, struct swn_ctx *ctx)
{
	struct serve_opts o;
	struct swn_local *api = NULL;
	struct swn_runtime *rt;
	struct swn_outbox *ob;
	struct swn_server *server = NULL;
	struct swn_delivery *d = NULL;
	struct spool_ctx sc;
	struct swn_err err;
	struct chores ch;
	sigset_t sigs;
	int sig, rc = SWN_EXIT_OK;

	swn_err_clear(&err);
	if (!serve_options(ctx, argc, argv, &o, &rc))
		return rc;
	rc = SWN_EXIT_OK;
	/* Signals are taken by sigtimedwait() below, in this thread only. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (fit_fd_limit(&o, &err) < 0)
		return swn_cli_fail(&err);
	fit_handshakes(&o.limits);
	/* The runtime, the outbox and the serve lock (SWN_TAKES_LOCK). */
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	rt = ctx->rt;
	ob = ctx->ob;
	/* A damaged ledger is refused before anything is recorded in it. */
	if (swn_ledger_quick_check(rt->ledger, &err) < 0 || swn_outbox_recover(ob, &err) < 0)
		return swn_cli_fail(&err);
	if (swn_ledger_note(rt->ledger)[0])
		swn_log("ledger: %s", swn_ledger_note(rt->ledger));
	/* What a killed node left in spool/in: a placement it recorded is
	 * finished, one it did not is removed (and done again below). */
	{
		int finished, removed, failed;

		swn_placement_recover(rt->ledger, rt->cfg.spool_dir, rt->cfg.home, &finished, &removed,
				      &failed, &err);
		if (finished + removed > 0)
			swn_log("spool: %d recorded placements in spool/in finished, %d files removed "
				"(unrecorded, acknowledged, or not the bytes recorded)", finished, removed);
		if (failed > 0)
			swn_log("spool: %d placements in spool/in could not be finished (tried again at each "
				"redelivery); the first: %s", failed, err.msg);
		swn_err_clear(&err);
	}
	/* Temporary files a killed process left in payloads/ (only where the
	 * system gives no unnamed ones): a day old is nobody's any more. */
	{
		int swept = swn_payloads_sweep(rt->cfg.home, 24 * 3600);

		if (swept > 0)
			swn_log("payloads: removed %d temporary files a stopped process left", swept);
	}
	redeliver(rt);
	if (swn_server_start(rt, o.listen ? o.listen : rt->cfg.listen_partner, (int)o.workers, &o.limits,
			     &server, &err) < 0)
		return swn_cli_fail(&err);
	if (swn_delivery_start(ob, (int)o.senders, &d, &err) < 0) {
		swn_server_stop(server);
		return swn_cli_fail(&err);
	}
	if (swn_local_start(rt, ob, d, server, o.local ? o.local : rt->cfg.listen_local, (int)o.local_workers,
			    o.local_max_connections, &api, &err) < 0) {
		swn_delivery_stop(d);
		swn_server_stop(server);
		return swn_cli_fail(&err);
	}
	if (swn_spool_new(rt->cfg.spool_dir, &sc.spool, &err) < 0) {
		swn_local_stop(api);
		swn_delivery_stop(d);
		swn_server_stop(server);
		return swn_cli_fail(&err);
	}
	sc.ob = ob;
	sc.d = d;
	swn_log("serving %s on %s (port %d, %lld workers, %d agreements)", rt->cfg.party_id,
		o.listen ? o.listen : rt->cfg.listen_partner, swn_server_port(server), o.workers,
		rt->nagreements);
	swn_log("local API on %s (port %d, %lld workers)", o.local ? o.local : rt->cfg.listen_local,
		swn_local_port(api), o.local_workers);
	printf("local %d\nready %d\n", swn_local_port(api), swn_server_port(server));
	fflush(stdout);
	chores_init(&ch, o.redeliver_every, o.every);
	for (;;) {
		struct timespec wait = chores_wait(&ch);

		sig = sigtimedwait(&sigs, NULL, &wait);
		if (sig == SIGTERM || sig == SIGINT) {
			swn_log("stopping: finishing requests in flight");
			break;
		}
		if (sig == SIGHUP)
			reload(rt, server);
		chores_run(&ch, rt, &sc);
	}
	swn_local_stop(api);
	swn_server_stop(server);
	swn_inbound_flush_refusals(rt, time(NULL), 1);
	swn_delivery_stop(d);
	swn_spool_free(sc.spool);
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

/* --attach TYPE=FILE: the media type (its MimeType part property), read
 * as a Content-Type value without parameters, and the file, opened once
 * (a regular file: it is read in place, not copied). */
static int open_attachment(struct swn_ctx *ctx, const char *arg, char *type, size_t n, int *fd)
{
	const char *eq = strchr(arg, '=');
	struct swn_mime_ctype ct;
	struct swn_err err;
	struct stat st;
	char given[SWN_MIME_NAME_BYTES];

	swn_err_clear(&err);
	if (eq == NULL || eq == arg || eq[1] == '\0' || (size_t)(eq - arg) >= sizeof given)
		return swn_cli_usage_error(ctx, "--attach takes TYPE=FILE (application/pdf=permit.pdf, say)");
	snprintf(given, sizeof given, "%.*s", (int)(eq - arg), arg);
	if (swn_mime_parse_ctype(given, &ct, &err) < 0 || ct.nparams > 0 ||
	    strcasecmp(ct.media_type, given) != 0 || strchr(given, '*'))
		return swn_cli_usage_error(ctx, "--attach: '%s' is not a media type (type/subtype, "
					   "no parameters)", given);
	snprintf(type, n, "%s", ct.media_type);
	if ((*fd = open(eq + 1, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		swn_err_set(&err, SWN_E_IO, eq + 1, 0, "cannot open the attachment: %s", strerror(errno));
		return swn_cli_fail(&err);
	}
	if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		swn_err_set(&err, SWN_E_IO, eq + 1, 0, "the attachment is not a regular file");
		return swn_cli_fail(&err);
	}
	return SWN_EXIT_OK;
}

int cmd_send(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "wait", required_argument, NULL, 'w' },
		{ "attach", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct swn_compose_attachment att[SWN_MAX_ATTACHMENTS];
	char types[SWN_MAX_ATTACHMENTS][SWN_MIME_NAME_BYTES];
	size_t natt = 0, k;
	const char *to = NULL, *file;
	long long wait_s = 0;
	char msgid[SWN_AS4_ID_BYTES], state[32] = "", last[1024];
	unsigned char sha256[32];
	struct swn_outbox *ob;
	struct swn_err err;
	xmlDocPtr doc;
	int c, attempts, rc;
	time_t next, deadline;

	swn_err_clear(&err);
	rc = SWN_EXIT_OK;
	while (rc == SWN_EXIT_OK && (c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 't') {
			to = optarg;
		} else if (c == 'a') {
			if (natt == SWN_MAX_ATTACHMENTS) {
				rc = swn_cli_usage_error(ctx, "at most %d attachments go with a document",
							 SWN_MAX_ATTACHMENTS);
				break;
			}
			rc = open_attachment(ctx, optarg, types[natt], sizeof types[natt], &att[natt].fd);
			if (rc == SWN_EXIT_OK) {
				att[natt].mime_type = types[natt];
				att[natt].name = strchr(optarg, '=') + 1;
				natt++;
			}
		} else if (c != 'w') {
			rc = c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
			break;
		} else if (swn_cli_number(ctx, "--wait", optarg, 0, 3600, &wait_s) < 0) {
			rc = SWN_EXIT_USAGE;
		}
	}
	if (rc == SWN_EXIT_OK && c != -1)
		goto out;   /* --help */
	if (rc == SWN_EXIT_OK && to == NULL)
		rc = swn_cli_usage_error(ctx, "--to PARTY is required");
	if (rc == SWN_EXIT_OK && optind != argc - 1)
		rc = swn_cli_usage_error(ctx, "give exactly one FILE");
	if (rc != SWN_EXIT_OK)
		goto out;
	file = argv[optind];
	doc = NULL;
	if (swn_cmd_setup(ctx, &err) < 0 || !(doc = read_document(file, sha256, &err)) ||
	    swn_outbox_submit_attached(ctx->ob, doc, sha256, file, to, att, natt, msgid, sizeof msgid,
				       &err) < 0) {
		xmlFreeDoc(doc);
		rc = swn_cli_fail(&err);
		goto out;
	}
	ob = ctx->ob;
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
out:
	for (k = 0; k < natt; k++)
		close(att[k].fd);
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
	struct swn_err err;
	int c;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", NULL)) != -1)
		return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one MSGID");
	if (swn_cmd_setup(ctx, &err) < 0 || fn(ctx->rt, ctx->ob, argv[optind], &err) < 0)
		return swn_cli_fail(&err);
	return SWN_EXIT_OK;
}

int cmd_status(int argc, char **argv, struct swn_ctx *ctx)
{
	return on_one_message(argc, argv, ctx, show_status);
}

int cmd_resend(int argc, char **argv, struct swn_ctx *ctx)
{
	return on_one_message(argc, argv, ctx, resend);
}

/*
 * local_api.h - the local listener, for domestic systems and monitoring.
 *
 * Plain HTTP on a loopback address only (node.xml's <listen local=...>,
 * or serve --local): the partner listener's mutual TLS is for foreign
 * windows, this one is for programs on the node's own machine.  Every
 * route but /healthz needs the node's token, "Authorization: Bearer
 * TOKEN"; the token is HOME/local.token, made by serve (mode 0600) when
 * it is missing.
 *
 *   POST /submit?to=PARTY[&id=TOKEN]   body: one document, as dropped in
 *        spool/out; 202 {"msgid": ...} once it is SUBMITTED (durable, queued).
 *        With id, the MessageId is TOKEN@OURPARTY and a repeated request
 *        (after a lost reply, say) submits nothing twice: the same bytes
 *        to the same party get 202 with the message's state of now,
 *        anything else under a taken id 409 {"error", "msgid",
 *        "differs", "first_to"}.
 *   GET  /status/MSGID[?wait=S]   {"msgid", "state", "attempts",
 *        "next_attempt", "last_error"}; with wait, the reply is held up to
 *        S seconds (at most SWN_LOCAL_MAX_WAIT_S) until the message is
 *        DELIVERED or FAILED.
 *   GET  /healthz                  {"status": "ok", "held_requests": N,
 *                                   "connections": N, "partner_handshakes": N,
 *                                   "partner_authenticated": N}
 *
 * Refusals answer JSON {"error": ...}: 400 a bad request, 401 no or a
 * wrong token, 409 a taken id, 413 a body over SWN_MAX_DOCUMENT_BYTES,
 * 422 a document the node will not send (with the reason the spool would
 * give), 503 the ledger could not record (send it again).  A refused
 * document is not recorded: the caller holds it and has the reason.
 *
 * At most max_connections are open at once (all workers); one more is
 * closed as soon as it is accepted.  When accepting fails (out of
 * descriptors), the listener pauses for a moment instead of retrying at
 * once.  Both are logged at most once a minute.
 *
 * Worker threads each run an event loop on the one listening socket; a
 * submission is handled whole on its worker (map, sign, durable commit),
 * so the workers' count bounds the submissions a group commit can batch.
 */
#ifndef SWN_LOCAL_API_H
#define SWN_LOCAL_API_H

#include "base/swn_limits.h"

#include "node/node/delivery.h"
#include "node/node/http_in.h"
#include "node/node/runtime.h"

#define SWN_LOCAL_TOKEN_FILE "local.token"

struct swn_local;

/* Listen on addr (a loopback HOST:PORT; port 0 picks one) with workers
 * threads and at most max_connections open, submitting into ob and waking
 * d; /healthz reports partner's connections (partner may be NULL). */
int swn_local_start(struct swn_runtime *rt, struct swn_outbox *ob, struct swn_delivery *d,
		    const struct swn_server *partner, const char *addr, int workers, int max_connections,
		    struct swn_local **out, struct swn_err *err);

int swn_local_port(const struct swn_local *l);

/* Answer held requests with their state of now, stop, join the threads. */
void swn_local_stop(struct swn_local *l);

#endif

/*
 * http_out.h - posting an AS4 message to a peer (libcurl, OpenSSL).
 *
 * One POST over HTTPS with this node's TLS client certificate, TLS 1.2 or
 * later, the peer authenticated by the certificate the agreement pins (it
 * is the only trust anchor, and its public key is pinned too), bounded
 * connect and transfer times, and a bounded reply.
 *
 * A swn_http_client keeps its connections open between posts, so a sender
 * pays for a TLS handshake once per peer, not once per message.  libcurl
 * reuses a connection only when the TLS settings match (the pinned peer
 * certificate is the CA blob it compares), so a changed pin means a new
 * handshake.  One client per thread: it is not shared.
 */
#ifndef SWN_HTTP_OUT_H
#define SWN_HTTP_OUT_H

#include <stdint.h>

#include <openssl/x509.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/swn_limits.h"

/* Once per process, before threads start. */
int swn_http_out_init(struct swn_err *err);
void swn_http_out_cleanup(void);

struct swn_post {
	const char *url;
	const char *client_cert;   /* our TLS certificate (PEM file) */
	const char *client_key;    /* its key (PEM file) */
	X509 *peer_tls;            /* the pinned peer certificate */
	long timeout_s;
	const char *content_type;  /* of the body; NULL: application/soap+xml; charset=UTF-8 */
};

/* Connections a client keeps open at most (libcurl's default, named
 * here because serve keeps descriptors for them). */
#define SWN_HTTP_KEPT_CONNECTIONS 5

struct swn_http_client;

struct swn_http_client *swn_http_client_new(void);
void swn_http_client_free(struct swn_http_client *c);

/* POST body (GET when body is NULL); on a reply (any status) 0 with
 * *status and reply filled; -1 with err when no reply came: SWN_E_IO for
 * the network or the peer (connection, TLS, timeout), SWN_E_LOCAL when
 * this node could not do its part (no descriptor for the socket or for
 * reading its certificate, no memory, its certificate or key unreadable):
 * the peer was then not tried, or not fairly. */
int swn_http_post(const struct swn_post *p, const char *body, size_t len,
		  long *status, struct swn_buf *reply, struct swn_err *err);

/* The same over client's kept connections (client NULL: a fresh one). */
int swn_http_client_post(struct swn_http_client *client, const struct swn_post *p,
			 const char *body, size_t len, long *status, struct swn_buf *reply,
			 struct swn_err *err);

/* The same with the body the len bytes of the regular file fd, read with
 * pread as they go out (never whole in memory).  The time allowed is
 * timeout_s and one second more for every SWN_HTTP_MIN_RATE bytes
 * (swn_limits.h). */
int swn_http_client_post_fd(struct swn_http_client *client, const struct swn_post *p, int fd,
			    uint64_t len, long *status, struct swn_buf *reply, struct swn_err *err);

#endif

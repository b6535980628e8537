/* http_out.c - posting to a peer with libcurl; see http_out.h. */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "base/fsutil.h"
#include "net/http_out.h"

int swn_http_out_init(struct swn_err *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return swn_err_set(err, SWN_E_IO, NULL, 0, "cannot initialise libcurl");
	return 0;
}

void swn_http_out_cleanup(void)
{
	curl_global_cleanup();
}

struct sink {
	struct swn_buf *buf;
	struct swn_err *err;
	int failed;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;

	if (swn_buf_add(s->buf, p, size * n, s->err) < 0) {
		s->failed = 1;
		return 0;   /* stops the transfer */
	}
	return size * n;
}

/* "sha256//BASE64" of the certificate's public key, for curl's pinning. */
static int spki_pin(X509 *cert, char *out, size_t n)
{
	unsigned char *der = NULL, md[32];
	char b64[64];
	int len = i2d_PUBKEY(X509_get0_pubkey(cert), &der);

	if (len <= 0)
		return -1;
	SHA256(der, (size_t)len, md);
	OPENSSL_free(der);
	EVP_EncodeBlock((unsigned char *)b64, md, 32);
	snprintf(out, n, "sha256//%s", b64);
	return 0;
}

struct swn_http_client {
	CURL *curl;
};

struct swn_http_client *swn_http_client_new(void)
{
	struct swn_http_client *c = calloc(1, sizeof *c);

	if (c && !(c->curl = curl_easy_init())) {
		free(c);
		c = NULL;
	}
	return c;
}

void swn_http_client_free(struct swn_http_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

int swn_http_post(const struct swn_post *p, const char *body, size_t len,
		  long *status, struct swn_buf *reply, struct swn_err *err)
{
	return swn_http_client_post(NULL, p, body, len, status, reply, err);
}

/* Opens the transfer's sockets, to know why one could not be opened:
 * libcurl says only that it could not connect. */
static curl_socket_t open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	curl_socket_t fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);

	(void)purpose;
	if (fd == CURL_SOCKET_BAD)
		*(int *)ctx = errno;
	return fd;
}

static int out_of_resources(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}

/* A failure of this node's own, not of the peer or the network: no
 * descriptor or memory for a socket or a file (curl then cannot even load
 * our certificate), our certificate or key unreadable, the pinned
 * certificate not loadable from memory. */
static int local_fault(CURLcode rc, int socket_errno, long os_errno)
{
	return out_of_resources(socket_errno) || out_of_resources((int)os_errno) ||
	       rc == CURLE_OUT_OF_MEMORY || rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_FAILED_INIT;
}

/* Kept connections idle at most this long: below the usual server idle
 * timeouts (swnode's is 30 s), so a kept connection is rarely found closed. */
#define KEEP_IDLE_S 20L

/* A body read from a file as libcurl asks for it. */
struct file_body {
	int fd;
	uint64_t len, at;
	int short_read;          /* the file ended before len: it changed */
};

static size_t on_read(char *buf, size_t size, size_t n, void *ctx)
{
	struct file_body *b = ctx;
	size_t want = size * n, got;

	if (want > b->len - b->at)
		want = (size_t)(b->len - b->at);
	if (want == 0)
		return 0;
	got = swn_pread_all(b->fd, buf, want, b->at);
	if (got != want) {   /* the file changed under us: fail the transfer */
		b->short_read = 1;
		return CURL_READFUNC_ABORT;
	}
	b->at += got;
	return got;
}

/* libcurl sends the body again on a fresh connection when a kept one
 * turned out closed. */
static int on_seek(void *ctx, curl_off_t off, int origin)
{
	struct file_body *b = ctx;

	if (origin != SEEK_SET || off < 0 || (uint64_t)off > b->len)
		return CURL_SEEKFUNC_CANTSEEK;
	b->at = (uint64_t)off;
	return CURL_SEEKFUNC_OK;
}

static int post(struct swn_http_client *client, const struct swn_post *p, const char *body,
		size_t len, struct file_body *file, long *status, struct swn_buf *reply,
		struct swn_err *err);

int swn_http_client_post(struct swn_http_client *client, const struct swn_post *p,
			 const char *body, size_t len, long *status, struct swn_buf *reply,
			 struct swn_err *err)
{
	return post(client, p, body, len, NULL, status, reply, err);
}

int swn_http_client_post_fd(struct swn_http_client *client, const struct swn_post *p, int fd,
			    uint64_t len, long *status, struct swn_buf *reply, struct swn_err *err)
{
	struct file_body b = { fd, len, 0, 0 };

	return post(client, p, NULL, 0, &b, status, reply, err);
}

static int post(struct swn_http_client *client, const struct swn_post *p, const char *body,
		size_t len, struct file_body *file, long *status, struct swn_buf *reply,
		struct swn_err *err)
{
	long timeout = p->timeout_s > 0 ? p->timeout_s : 60L;
	struct sink sink = { reply, err, 0 };
	struct curl_blob ca;
	struct curl_slist *headers = NULL;
	char pin[128], errbuf[CURL_ERROR_SIZE] = "";
	BIO *mem = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long pemlen, os_errno = 0;
	int socket_errno = 0;
	CURLcode rc;
	CURL *c;

	*status = 0;
	if (mem == NULL || !PEM_write_bio_X509(mem, p->peer_tls) || spki_pin(p->peer_tls, pin, sizeof pin) < 0) {
		BIO_free(mem);
		return swn_err_set(err, SWN_E_LOCAL, p->url, 0, "cannot prepare the peer's certificate");
	}
	pemlen = BIO_get_mem_data(mem, &pem);
	ca.data = pem;
	ca.len = (size_t)pemlen;
	ca.flags = CURL_BLOB_COPY;
	if (client) {
		c = client->curl;
		curl_easy_reset(c);   /* options only: the open connections stay */
	} else if (!(c = curl_easy_init())) {
		BIO_free(mem);
		return swn_err_set(err, SWN_E_LOCAL, p->url, 0, "cannot create a transfer");
	}
	curl_easy_setopt(c, CURLOPT_URL, p->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	if (body || file) {
		char ct[1100];

		/* The value is the node's own (its MIME writer's, or the SOAP
		 * one): no line end can be in it. */
		snprintf(ct, sizeof ct, "Content-Type: %s",
			 p->content_type ? p->content_type : "application/soap+xml; charset=UTF-8");
		headers = curl_slist_append(headers, ct);
		headers = curl_slist_append(headers, "Expect:");
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		if (file) {
			/* Read as it goes out: a large message is never in memory.
			 * The time allowed grows with it, at SWN_HTTP_MIN_RATE. */
			curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(c, CURLOPT_READDATA, file);
			curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
			curl_easy_setopt(c, CURLOPT_SEEKDATA, file);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)file->len);
			timeout += (long)(file->len / SWN_HTTP_MIN_RATE);
		} else {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		}
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_SSLCERT, p->client_cert);
	curl_easy_setopt(c, CURLOPT_SSLKEY, p->client_key);
	/* The pinned certificate is the only trust anchor, and its key is
	 * pinned as well: no public CA can stand in for the peer. */
	curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, pin);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_MAXAGE_CONN, KEEP_IDLE_S);
	curl_easy_setopt(c, CURLOPT_MAXCONNECTS, (long)SWN_HTTP_KEPT_CONNECTIONS);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &socket_errno);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	else
		curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
	if (client == NULL)
		curl_easy_cleanup(c);
	else   /* the settings point into this call's memory */
		curl_easy_reset(c);
	curl_slist_free_all(headers);
	BIO_free(mem);
	if (sink.failed)
		return swn_err_set(err, SWN_E_TOO_LARGE, p->url, 0, "the reply is too large");
	if (file && file->short_read)
		return swn_err_set(err, SWN_E_LOCAL, p->url, 0, "the message's file ended before its %llu "
				   "bytes while it was sent: it was changed", (unsigned long long)file->len);
	if (rc != CURLE_OK && local_fault(rc, socket_errno, os_errno))
		return swn_err_set(err, SWN_E_LOCAL, p->url, 0, "%s (%s)", errbuf[0] ? errbuf : curl_easy_strerror(rc),
				   socket_errno ? strerror(socket_errno)
				   : os_errno ? strerror((int)os_errno) : "a problem of this node");
	if (rc != CURLE_OK)
		return swn_err_set(err, SWN_E_IO, p->url, 0, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	return 0;
}

/* payloads.c - plaintext payload parts by digest; see payloads.h. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/fsutil.h"
#include "base/swn_limits.h"
#include "ledger/payloads.h"

int swn_payloads_path(const char *home, const unsigned char md[32], char *out, size_t n,
		      struct swn_err *err)
{
	char name[sizeof SWN_PAYLOADS_DIR + 65];
	size_t i, at = (size_t)snprintf(name, sizeof name, "%s/", SWN_PAYLOADS_DIR);

	for (i = 0; i < 32; i++, at += 2)
		snprintf(name + at, sizeof name - at, "%02x", md[i]);
	return swn_path_join(out, n, home, name, err);
}

int swn_payloads_sha256(int fd, uint64_t *len, unsigned char md[32])
{
	unsigned char chunk[64 * 1024];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint64_t at = 0;
	size_t got;
	int rc = -1;

	if (c == NULL || !EVP_DigestInit_ex(c, EVP_sha256(), NULL))
		goto done;
	while ((got = swn_pread_all(fd, chunk, sizeof chunk, at)) > 0) {
		if (!EVP_DigestUpdate(c, chunk, got))
			goto done;
		at += got;
	}
	*len = at;
	rc = EVP_DigestFinal_ex(c, md, NULL) ? 0 : -1;
done:
	EVP_MD_CTX_free(c);
	return rc;
}

/* Copy fd's len bytes to out_fd, hashing them. */
static int copy_hashing(int fd, uint64_t len, int out_fd, unsigned char md[32], const char *shown,
			struct swn_err *err)
{
	unsigned char chunk[64 * 1024];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint64_t at = 0;
	int rc = -1;

	if (c == NULL || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		goto done;
	}
	while (at < len) {
		size_t want = len - at < sizeof chunk ? (size_t)(len - at) : sizeof chunk;

		if (swn_pread_all(fd, chunk, want, at) != want) {
			swn_err_set(err, SWN_E_IO, NULL, 0, "cannot read a payload part to keep");
			goto done;
		}
		if (!EVP_DigestUpdate(c, chunk, want) || swn_write_all(out_fd, chunk, want) < 0) {
			swn_err_set(err, SWN_E_IO, shown, 0, "cannot write: %s", strerror(errno));
			goto done;
		}
		at += want;
	}
	rc = EVP_DigestFinal_ex(c, md, NULL) ? 0 : -1;
	if (rc < 0)
		swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "SHA-256 failed");
done:
	EVP_MD_CTX_free(c);
	return rc;
}

int swn_payloads_put(const char *home, int fd, uint64_t len, unsigned char md[32],
		     struct swn_err *err)
{
	char dir[SWN_PATH_MAX + 16], tmp[SWN_PATH_MAX + 48], path[SWN_PATH_MAX + 80];
	int out = -1, dfd = -1, rc = -1;

	if (swn_path_join(dir, sizeof dir, home, SWN_PAYLOADS_DIR, err) < 0 ||
	    swn_mkdir(dir, 0700, err) < 0)
		return -1;
	if ((size_t)snprintf(tmp, sizeof tmp, "%s/.part-XXXXXX", dir) >= sizeof tmp)
		return swn_err_set(err, SWN_E_TOO_LARGE, dir, 0, "the path is too long");
	if ((out = mkstemp(tmp)) < 0)
		return swn_err_set(err, SWN_E_LOCAL, dir, 0, "cannot make a file: %s", strerror(errno));
	if (copy_hashing(fd, len, out, md, tmp, err) < 0 ||
	    swn_payloads_path(home, md, path, sizeof path, err) < 0)
		goto done;
	if (fsync(out) < 0) {
		swn_err_set(err, SWN_E_IO, tmp, 0, "cannot sync: %s", strerror(errno));
		goto done;
	}
	/* The same digest is the same bytes: a file already there stays. */
	if (link(tmp, path) < 0 && errno != EEXIST) {
		swn_err_set(err, SWN_E_IO, path, 0, "cannot keep the payload part: %s", strerror(errno));
		goto done;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dfd) < 0) {
		swn_err_set(err, SWN_E_IO, dir, 0, "cannot sync the directory: %s", strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (out >= 0)
		close(out);
	if (dfd >= 0)
		close(dfd);
	unlink(tmp);
	return rc;
}

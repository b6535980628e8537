/* payloads.c - files named by their SHA-256; see payloads.h. */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* SHA-256 of fd's bytes from off, at most max of them (fewer at its end):
 * *got says how many. */
static int hash_from(int fd, uint64_t off, uint64_t max, uint64_t *got, unsigned char md[32])
{
	unsigned char chunk[64 * 1024];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint64_t at = 0;
	size_t n;
	int rc = -1;

	if (c == NULL || !EVP_DigestInit_ex(c, EVP_sha256(), NULL))
		goto done;
	while (at < max &&
	       (n = swn_pread_all(fd, chunk, max - at < sizeof chunk ? (size_t)(max - at) : sizeof chunk,
				  off + at)) > 0) {
		if (!EVP_DigestUpdate(c, chunk, n))
			goto done;
		at += n;
	}
	*got = at;
	rc = EVP_DigestFinal_ex(c, md, NULL) ? 0 : -1;
done:
	EVP_MD_CTX_free(c);
	return rc;
}

int swn_payloads_sha256(int fd, uint64_t *len, unsigned char md[32])
{
	return hash_from(fd, 0, UINT64_MAX, len, md);
}

int swn_payloads_sha256_range(int fd, uint64_t off, uint64_t len, unsigned char md[32])
{
	uint64_t got = 0;

	return hash_from(fd, off, len, &got, md) == 0 && got == len ? 0 : -1;
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

/* Link tmp (synced; "" for a file without a name, O_TMPFILE) to md's
 * name and sync the directory. */
static int link_synced(const char *home, const char *dir, const char *tmp, int fd,
		       const unsigned char md[32], struct swn_err *err)
{
	char path[SWN_PATH_MAX + 80], self[64];
	int dfd, rc;

	if (swn_payloads_path(home, md, path, sizeof path, err) < 0)
		return -1;
	if (fsync(fd) < 0)
		return swn_err_set(err, SWN_E_IO, dir, 0, "cannot sync: %s", strerror(errno));
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	/* The same digest is the same bytes: a file already there stays. */
	if ((tmp[0] ? link(tmp, path) : linkat(AT_FDCWD, self, AT_FDCWD, path, AT_SYMLINK_FOLLOW)) < 0 &&
	    errno != EEXIST)
		return swn_err_set(err, SWN_E_IO, path, 0, "cannot keep the file: %s", strerror(errno));
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return swn_err_set(err, SWN_E_IO, dir, 0, "cannot open the directory: %s", strerror(errno));
	rc = fsync(dfd) < 0 ? swn_err_set(err, SWN_E_IO, dir, 0, "cannot sync the directory: %s",
					  strerror(errno)) : 0;
	close(dfd);
	return rc;
}

/* home/payloads, made if missing, into dir; a fresh temporary file there:
 * without a name where the system allows (O_TMPFILE, linked by its
 * /proc/self/fd name: a crash leaves nothing), tmp then "". */
static int make_temp(const char *home, char *dir, size_t dn, char *tmp, size_t tn,
		     struct swn_err *err)
{
	int fd;

	if (swn_path_join(dir, dn, home, SWN_PAYLOADS_DIR, err) < 0 || swn_mkdir(dir, 0700, err) < 0)
		return -1;
#ifdef O_TMPFILE
	if (tn > 0 && access("/proc/self/fd", X_OK) == 0 &&
	    (fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0) {
		tmp[0] = '\0';
		return fd;
	}
#endif
	if ((size_t)snprintf(tmp, tn, "%s/.part-XXXXXX", dir) >= tn)
		return swn_err_set(err, SWN_E_TOO_LARGE, dir, 0, "the path is too long");
	if ((fd = mkstemp(tmp)) < 0)
		return swn_err_set(err, SWN_E_LOCAL, dir, 0, "cannot make a file: %s", strerror(errno));
	return fd;
}

int swn_payloads_put(const char *home, int fd, uint64_t len, unsigned char md[32],
		     struct swn_err *err)
{
	char dir[SWN_PATH_MAX + 16], tmp[SWN_PATH_MAX + 48];
	int out, rc = -1;

	if ((out = make_temp(home, dir, sizeof dir, tmp, sizeof tmp, err)) < 0)
		return -1;
	if (copy_hashing(fd, len, out, md, tmp, err) == 0 &&
	    link_synced(home, dir, tmp, out, md, err) == 0)
		rc = 0;
	close(out);
	if (tmp[0])
		unlink(tmp);
	return rc;
}

int swn_payloads_temp(const char *home, char *path, size_t n, struct swn_err *err)
{
	char dir[SWN_PATH_MAX + 16];

	return make_temp(home, dir, sizeof dir, path, n, err);
}

int swn_payloads_adopt(const char *home, const char *tmp, int fd, uint64_t *len,
		       unsigned char md[32], struct swn_err *err)
{
	char dir[SWN_PATH_MAX + 16];
	int rc = -1;

	if (swn_path_join(dir, sizeof dir, home, SWN_PAYLOADS_DIR, err) < 0)
		goto done;
	if (swn_payloads_sha256(fd, len, md) < 0) {
		swn_err_set(err, SWN_E_IO, tmp, 0, "cannot read back: %s", strerror(errno));
		goto done;
	}
	rc = link_synced(home, dir, tmp, fd, md, err);
done:
	if (tmp[0])
		unlink(tmp);
	return rc;
}

int swn_payloads_keep(const char *home, const char *tmp, int fd, const unsigned char md[32],
		      struct swn_err *err)
{
	char dir[SWN_PATH_MAX + 16];

	if (swn_path_join(dir, sizeof dir, home, SWN_PAYLOADS_DIR, err) < 0)
		return -1;
	return link_synced(home, dir, tmp, fd, md, err);
}

int swn_payloads_sweep(const char *home, long min_age_s)
{
	char dir[SWN_PATH_MAX + 16];
	struct swn_err err;
	struct dirent *e;
	time_t now = time(NULL);
	int dfd, n = 0;
	DIR *d;

	swn_err_clear(&err);
	if (swn_path_join(dir, sizeof dir, home, SWN_PAYLOADS_DIR, &err) < 0 ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return 0;
	if (!(d = fdopendir(dfd))) {
		close(dfd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (strncmp(e->d_name, ".part-", 6) != 0 ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
		    now - st.st_mtime < min_age_s)
			continue;
		n += unlinkat(dfd, e->d_name, 0) == 0;
	}
	closedir(d);
	return n;
}

int swn_payloads_open(const char *home, const unsigned char md[32], uint64_t len,
		      struct swn_err *err)
{
	char path[SWN_PATH_MAX + 80];
	struct stat st;
	int fd;

	if (swn_payloads_path(home, md, path, sizeof path, err) < 0)
		return -1;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0)
		return swn_err_set(err, errno == ENOENT ? SWN_E_NOT_FOUND : SWN_E_IO, path, 0,
				   "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != len) {
		close(fd);
		return swn_err_set(err, SWN_E_IO, path, 0, "not a regular file of %llu bytes",
				   (unsigned long long)len);
	}
	return fd;
}

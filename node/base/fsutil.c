/* fsutil.c - bounded reads and atomic writes; see fsutil.h. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fsutil.h"

/* What an entry is, in a refusal. */
static const char *kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO (named pipe)";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a device";
}

/* Refuse an entry that is not of the type wanted, saying what it is. */
static int wrong_type(mode_t mode, mode_t want, const char *shown, struct swn_err *err)
{
	if (S_ISLNK(mode))
		return swn_err_set(err, SWN_E_IO, shown, 0, "is a symbolic link, which swnode does not follow");
	return swn_err_set(err, SWN_E_IO, shown, 0, "is %s, not %s", kind(mode), kind(want));
}

/* Open the entry name in dirfd if it is of type want (S_IFREG, S_IFDIR),
 * never through a link; see swn_file_open_at(). */
static int open_entry(int dirfd, const char *name, const char *shown, mode_t want, int flags,
		      struct stat *st, struct swn_err *err)
{
	struct stat entry;
	int fd;

	memset(st, 0, sizeof *st);
	/* Looked at before it is opened: opening a FIFO or a device may
	 * block or do something. */
	if (fstatat(dirfd, name, &entry, AT_SYMLINK_NOFOLLOW) != 0)
		return swn_err_set(err, SWN_E_IO, shown, 0, "cannot open: %s", strerror(errno));
	*st = entry;
	if ((entry.st_mode & S_IFMT) != want)
		return wrong_type(entry.st_mode, want, shown, err);
	/* O_NOFOLLOW and O_NONBLOCK: if the entry was swapped since, the
	 * open neither follows a link nor waits on a FIFO, and fstat says
	 * what it is now. */
	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;

		if (saved == ELOOP)
			return wrong_type(S_IFLNK, want, shown, err);
		return swn_err_set(err, SWN_E_IO, shown, 0, "cannot open: %s", strerror(saved));
	}
	if (fstat(fd, st) != 0 || (st->st_mode & S_IFMT) != want || st->st_dev != entry.st_dev ||
	    st->st_ino != entry.st_ino) {
		mode_t now = st->st_mode;

		close(fd);
		*st = entry;
		if ((now & S_IFMT) != want)
			return wrong_type(now, want, shown, err);
		return swn_err_set(err, SWN_E_IO, shown, 0, "was replaced while it was opened");
	}
	return fd;
}

int swn_file_open_at(int dirfd, const char *name, const char *shown, struct stat *st,
		     struct swn_err *err)
{
	return open_entry(dirfd, name, shown, S_IFREG, O_RDONLY, st, err);
}

int swn_dir_open_at(int dirfd, const char *name, const char *shown, struct stat *st,
		    struct swn_err *err)
{
	return open_entry(dirfd, name, shown, S_IFDIR, O_RDONLY | O_DIRECTORY, st, err);
}

int swn_fd_read(int fd, const char *shown, size_t limit, char **data, size_t *len,
		struct swn_err *err)
{
	struct swn_buf b;
	struct stat st;
	char chunk[65536];
	ssize_t n;

	*data = NULL;
	*len = 0;
	if (fstat(fd, &st) != 0)
		return swn_err_set(err, SWN_E_IO, shown, 0, "cannot read: %s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return swn_err_set(err, SWN_E_IO, shown, 0, "is a directory, not a regular file");
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > limit)
		return swn_err_set(err, SWN_E_TOO_LARGE, shown, 0,
				   "file is %lld bytes, over the limit of %zu bytes; refused without reading it",
				   (long long)st.st_size, limit);
	swn_buf_init(&b, limit);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			swn_err_set(err, SWN_E_IO, shown, 0, "read failed: %s", strerror(errno));
			swn_buf_free(&b);
			return -1;
		}
		if (n == 0)
			break;
		if (swn_buf_add(&b, chunk, (size_t)n, err) < 0) {
			if (err->code == SWN_E_TOO_LARGE)
				snprintf(err->file, sizeof err->file, "%s", shown);
			swn_buf_free(&b);
			return -1;
		}
	}
	if (b.data == NULL && swn_buf_add(&b, "", 0, err) < 0)
		return -1;
	*data = swn_buf_detach(&b, len);
	return 0;
}

/* A file the operator named: a link to it is followed (keys, certificates
 * and configuration are often links, as in a Kubernetes secret or a
 * certificate manager's live directory), but it must be a regular file,
 * looked at before it is opened and opened without blocking. */
static int open_named(const char *path, struct swn_err *err)
{
	struct stat entry, st;
	int fd;

	if (stat(path, &entry) != 0)
		return swn_err_set(err, SWN_E_IO, path, 0, "cannot open: %s", strerror(errno));
	if (!S_ISREG(entry.st_mode))
		return wrong_type(entry.st_mode, S_IFREG, path, err);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return swn_err_set(err, SWN_E_IO, path, 0, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != entry.st_dev ||
	    st.st_ino != entry.st_ino) {
		close(fd);
		return swn_err_set(err, SWN_E_IO, path, 0, "was replaced while it was opened");
	}
	return fd;
}

int swn_file_read(const char *path, size_t limit, char **data, size_t *len,
		  struct swn_err *err)
{
	int fd, rc;

	*data = NULL;
	*len = 0;
	if (strcmp(path, "-") == 0)
		return swn_fd_read(STDIN_FILENO, "<stdin>", limit, data, len, err);
	if ((fd = open_named(path, err)) < 0)
		return -1;
	rc = swn_fd_read(fd, path, limit, data, len, err);
	close(fd);
	return rc;
}

int swn_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

size_t swn_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, p + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done;
		if (n == 0) {
			errno = 0;
			return done;
		}
		done += (size_t)n;
	}
	return done;
}

/* Create a hidden file with an unpredictable name beside name
 * (".NAME.tmp-XXXXXX"), so that a process killed before the rename leaves
 * a file no reader of the directory takes for a document. */
static int create_temp(int dirfd, const char *name, char *tmp, size_t n)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	int tries, fd, w;
	size_t i;

	for (tries = 0; tries < 100; tries++) {
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
			return -1;
		w = snprintf(tmp, n, ".%s.tmp-", name);
		if (w < 0 || (size_t)w + sizeof r >= n) {
			errno = ENAMETOOLONG;
			return -1;
		}
		for (i = 0; i < sizeof r; i++)
			tmp[w + i] = chars[r[i] % (sizeof chars - 1)];
		tmp[w + sizeof r] = '\0';
		fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* len bytes of src_fd from its start to fd, a chunk at a time. */
static int copy_fd(int fd, int src_fd, uint64_t len)
{
	char chunk[64 * 1024];
	uint64_t at = 0;

	while (at < len) {
		size_t want = len - at < sizeof chunk ? (size_t)(len - at) : sizeof chunk;

		if (swn_pread_all(src_fd, chunk, want, at) != want) {
			if (errno == 0)
				errno = EIO;   /* the source is shorter than it was said to be */
			return -1;
		}
		if (swn_write_all(fd, chunk, want) < 0)
			return -1;
		at += want;
	}
	return 0;
}

/* swn_file_write_at with the bytes in memory (src_fd -1) or the first len
 * bytes of src_fd. */
static int write_at(int dirfd, const char *name, const char *shown, const void *data,
		    uint64_t len, int src_fd, mode_t perm, enum swn_write_mode how, struct swn_err *err)
{
	char tmp[4096];
	struct stat st;
	int fd, saved;

	/* Only regular files are replaced: never a FIFO, device or link. */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (how == SWN_WRITE_EXCLUSIVE)
			return swn_err_set(err, SWN_E_EXISTS, shown, 0,
					   "already exists; refusing to overwrite it");
		if (!S_ISREG(st.st_mode))
			return swn_err_set(err, SWN_E_IO, shown, 0,
					   "exists and is not a regular file; refusing to replace it");
	}
	if ((fd = create_temp(dirfd, name, tmp, sizeof tmp)) < 0)
		return swn_err_set(err, SWN_E_IO, shown, 0, "cannot create a file beside it: %s",
				   strerror(errno));
	errno = 0;
	if (fchmod(fd, perm) < 0 ||
	    (src_fd >= 0 ? copy_fd(fd, src_fd, len) : swn_write_all(fd, data, (size_t)len)) < 0 ||
	    fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return swn_err_set(err, SWN_E_IO, shown, 0, "cannot write: %s", strerror(saved));
	}
	if (close(fd) < 0) {
		saved = errno;
		unlinkat(dirfd, tmp, 0);
		return swn_err_set(err, SWN_E_IO, shown, 0, "cannot write: %s", strerror(saved));
	}
	/* link() fails if the target exists, so exclusive creation stays
	 * exclusive even against a concurrent writer. */
	if (how == SWN_WRITE_EXCLUSIVE) {
		if (linkat(dirfd, tmp, dirfd, name, 0) < 0) {
			saved = errno;
			unlinkat(dirfd, tmp, 0);
			if (saved == EEXIST)
				return swn_err_set(err, SWN_E_EXISTS, shown, 0,
						   "already exists; refusing to overwrite it");
			return swn_err_set(err, SWN_E_IO, shown, 0, "cannot create: %s", strerror(saved));
		}
		unlinkat(dirfd, tmp, 0);
	} else if (renameat(dirfd, tmp, dirfd, name) < 0) {
		saved = errno;
		unlinkat(dirfd, tmp, 0);
		return swn_err_set(err, SWN_E_IO, shown, 0, "cannot rename into place: %s",
				   strerror(saved));
	}
	/* The rename or link survives a crash only once the directory is
	 * flushed. */
	if (fsync(dirfd) < 0)
		return swn_err_set(err, SWN_E_IO, shown, 0, "cannot flush its directory: %s",
				   strerror(errno));
	return 0;
}

int swn_file_write_at(int dirfd, const char *name, const char *shown, const void *data,
		      size_t len, mode_t perm, enum swn_write_mode how, struct swn_err *err)
{
	return write_at(dirfd, name, shown, data, len, -1, perm, how, err);
}

static int write_path(const char *path, const void *data, uint64_t len, int src_fd, mode_t perm,
		      enum swn_write_mode how, struct swn_err *err)
{
	char dir[4096];
	const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
	int dirfd, rc;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else if (snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path) >= (int)sizeof dir)
		return swn_err_set(err, SWN_E_TOO_LARGE, path, 0, "path too long");
	if (name[0] == '\0')
		return swn_err_set(err, SWN_E_IO, path, 0, "names a directory, not a file");
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return swn_err_set(err, SWN_E_IO, path, 0, "cannot create a file beside it: %s",
				   strerror(errno));
	rc = write_at(dirfd, name, path, data, len, src_fd, perm, how, err);
	close(dirfd);
	return rc;
}

int swn_file_write(const char *path, const void *data, size_t len, mode_t perm,
		   enum swn_write_mode how, struct swn_err *err)
{
	return write_path(path, data, len, -1, perm, how, err);
}

int swn_file_copy(const char *path, int src_fd, uint64_t len, mode_t perm,
		  enum swn_write_mode how, struct swn_err *err)
{
	return write_path(path, NULL, len, src_fd, perm, how, err);
}

int swn_write_output(const char *path, const void *data, size_t len, struct swn_err *err)
{
	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len)
			return swn_err_set(err, SWN_E_IO, "<stdout>", 0, "cannot write: %s", strerror(errno));
		return 0;
	}
	return swn_file_write(path, data, len, 0644, SWN_WRITE_REPLACE, err);
}

int swn_mkdir(const char *path, mode_t perm, struct swn_err *err)
{
	struct stat st;

	if (mkdir(path, perm) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return swn_err_set(err, SWN_E_IO, path, 0, "cannot create directory: %s",
			   strerror(errno));
}

int swn_path_join(char *out, size_t n, const char *dir, const char *name,
		  struct swn_err *err)
{
	int w;

	if (name[0] == '/')
		w = snprintf(out, n, "%s", name);
	else
		w = snprintf(out, n, "%s/%s", dir, name);
	if (w < 0 || (size_t)w >= n)
		return swn_err_set(err, SWN_E_TOO_LARGE, dir, 0, "path too long");
	return 0;
}

int swn_path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int swn_temp_fd(const char *dir, const char *prefix, struct swn_err *err)
{
	char path[4096];
	int fd;

	if ((size_t)snprintf(path, sizeof path, "%s/%s-XXXXXX", dir, prefix) >= sizeof path)
		return swn_err_set(err, SWN_E_USAGE, NULL, 0, "the directory name is too long");
	if ((fd = mkstemp(path)) < 0)
		return swn_err_set(err, SWN_E_LOCAL, path, 0, "cannot make a temporary file: %s",
				   strerror(errno));
	unlink(path);
	return fd;
}

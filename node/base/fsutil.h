/*
 * fsutil.h - file system helpers: bounded reads, atomic writes, paths, and
 * whole reads and writes on a descriptor.
 *
 * Files are read only if they are regular files, looked at before they are
 * opened and opened without blocking (a FIFO, device, socket or directory
 * is refused by what it is).  swn_file_read() reads a file the operator
 * named and follows a link to it; swn_file_open_at() opens a name in a
 * directory others may write (the spool) and never follows a link.
 * swn_file_read() refuses a file over its limit from its size alone
 * (fstat) before reading, and still stops at the limit for what it reads
 * of standard input.  swn_file_write() never leaves a
 * half-written file at the destination: it writes a temporary file with an
 * unpredictable hidden name in the same directory (".NAME.tmp-XXXXXX"),
 * fsyncs it, renames (or links) it into place and fsyncs the directory.  A
 * process killed in between leaves only that hidden file behind.  It
 * replaces only regular files.
 */
#ifndef SWN_FSUTIL_H
#define SWN_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/err.h"

/* Read a whole file ("-" is stdin) into a NUL-terminated malloc'd buffer. */
int swn_file_read(const char *path, size_t limit, char **data, size_t *len,
		  struct swn_err *err);

/* Open the regular file name in dirfd (AT_FDCWD: the working directory)
 * for reading, as above; shown names it in errors.  Returns the
 * descriptor, with the file's status in st, or -1.  On failure st_mode is
 * 0 if there was no entry to look at, else st is the entry's own status
 * (so that a caller can tell a refused link or FIFO from a vanished file,
 * and which one it was). */
int swn_file_open_at(int dirfd, const char *name, const char *shown, struct stat *st,
		     struct swn_err *err);

/* The same for a directory: a directory only, never through a link. */
int swn_dir_open_at(int dirfd, const char *name, const char *shown, struct stat *st,
		    struct swn_err *err);

/* Read what is left of an open file, as swn_file_read() does. */
int swn_fd_read(int fd, const char *shown, size_t limit, char **data, size_t *len,
		struct swn_err *err);

enum swn_write_mode {
	SWN_WRITE_REPLACE,   /* replace an existing file atomically */
	SWN_WRITE_EXCLUSIVE, /* fail with SWN_E_EXISTS if the file exists */
};

/* Write data to path with the given permission bits, atomically. */
int swn_file_write(const char *path, const void *data, size_t len, mode_t perm,
		   enum swn_write_mode how, struct swn_err *err);

/* The same with the first len bytes of the regular file src_fd (read with
 * pread, a chunk at a time: never whole in memory). */
int swn_file_copy(const char *path, int src_fd, uint64_t len, mode_t perm,
		  enum swn_write_mode how, struct swn_err *err);

/* The same for the file name in the directory dirfd (shown names it in
 * errors): nothing outside that directory is touched, whatever links the
 * path to it holds. */
int swn_file_write_at(int dirfd, const char *name, const char *shown, const void *data,
		      size_t len, mode_t perm, enum swn_write_mode how, struct swn_err *err);

/* A command's output: standard output when path is NULL or "-", otherwise
 * path, written atomically (mode 0644). */
int swn_write_output(const char *path, const void *data, size_t len, struct swn_err *err);

/* Write len bytes to fd at its offset, a short write or EINTR retried:
 * 0, or -1 with errno. */
int swn_write_all(int fd, const void *data, size_t len);

/* A temporary file in dir (mkstemp, prefix e.g. ".swn-xenc"), unlinked at
 * once: gone with its descriptor whatever happens.  The descriptor, or -1
 * with err (SWN_E_LOCAL). */
int swn_temp_fd(const char *dir, const char *prefix, struct swn_err *err);

/* Read len bytes of fd at off into buf with pread (the file offset is not
 * used), EINTR retried: the number read, len unless the file ends first
 * (errno then 0) or a read fails (errno says why). */
size_t swn_pread_all(int fd, void *buf, size_t len, uint64_t off);

/* mkdir that succeeds if the directory already exists. */
int swn_mkdir(const char *path, mode_t perm, struct swn_err *err);

/* dir + "/" + name into out (size n); fails with SWN_E_TOO_LARGE if cut. */
int swn_path_join(char *out, size_t n, const char *dir, const char *name,
		  struct swn_err *err);

int swn_path_exists(const char *path);

#endif

/*
 * crashpoint.c - kill a process with SIGKILL at one exact moment: when it
 * makes a document visible in a directory.  Loaded with LD_PRELOAD by
 * tests/cmd/domestic.sh (compiled there with cc -shared -fPIC); it wraps
 * rename, renameat, renameat2, link and linkat.
 *
 *   CRASH_DIR    the directory watched (an absolute path)
 *   CRASH_AT     kill at the N-th call whose target is a visible name
 *                (not starting with '.') in CRASH_DIR
 *   CRASH_WHEN   "before" (the call is not made) or "after" (it is); or
 *                "fail": no kill, the call fails with EIO instead
 *
 * Without CRASH_DIR it only passes the calls on.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_int calls;

/* The directory a (dirfd, path) target lies in, into dir. */
static void target_dir(int dirfd, const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');
	char link[64];
	ssize_t len;

	if (slash && path[0] == '/') {
		snprintf(dir, n, "%.*s", (int)(slash - path), path);
		return;
	}
	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof link, "/proc/self/cwd");
	else
		snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
	len = readlink(link, dir, n - 1);
	dir[len > 0 ? len : 0] = '\0';
	if (slash)
		snprintf(dir + strlen(dir), n - strlen(dir), "/%.*s", (int)(slash - path), path);
}

/* 1 if this call is the one to die at (and when: -1 before, 1 after; 2:
 * fail it instead). */
static int armed(int dirfd, const char *path)
{
	const char *watch = getenv("CRASH_DIR"), *at = getenv("CRASH_AT"), *when = getenv("CRASH_WHEN");
	const char *base = strrchr(path, '/');
	char dir[PATH_MAX];

	if (!watch || !at)
		return 0;
	base = base ? base + 1 : path;
	if (base[0] == '.')
		return 0;
	target_dir(dirfd, path, dir, sizeof dir);
	if (strcmp(dir, watch) != 0)
		return 0;
	if (atomic_fetch_add(&calls, 1) + 1 != atoi(at))
		return 0;
	if (when && strcmp(when, "fail") == 0)
		return 2;
	return when && strcmp(when, "before") == 0 ? -1 : 1;
}

static void die(void)
{
	raise(SIGKILL);
}

#define WRAP(ret, name, params, args, dirfd, target)                        \
	ret name params                                                     \
	{                                                                   \
		static ret (*real) params;                                  \
		int a = armed(dirfd, target);                               \
		ret r;                                                      \
		if (!real)                                                  \
			*(void **)&real = dlsym(RTLD_NEXT, #name);          \
		if (a < 0)                                                  \
			die();                                              \
		if (a == 2) {                                               \
			errno = EIO;                                        \
			return -1;                                          \
		}                                                           \
		r = real args;                                              \
		if (a == 1)                                                 \
			die();                                              \
		return r;                                                   \
	}

WRAP(int, rename, (const char *o, const char *n), (o, n), AT_FDCWD, n)
WRAP(int, renameat, (int od, const char *o, int nd, const char *n), (od, o, nd, n), nd, n)
WRAP(int, renameat2, (int od, const char *o, int nd, const char *n, unsigned f),
     (od, o, nd, n, f), nd, n)
WRAP(int, link, (const char *o, const char *n), (o, n), AT_FDCWD, n)
WRAP(int, linkat, (int od, const char *o, int nd, const char *n, int f), (od, o, nd, n, f), nd, n)

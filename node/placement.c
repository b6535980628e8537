/* placement.c - received documents into spool/in, exactly once; see
 * placement.h. */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "placement.h"
#include "swn_limits.h"

#define PLACING_PREFIX ".placing-"

/* spool_dir/in as a directory descriptor, never through a link. */
static int open_in(const char *spool_dir, char *in, size_t n, struct swn_err *err)
{
	int fd;

	if ((size_t)snprintf(in, n, "%s/in", spool_dir) >= n)
		return swn_err_set(err, SWN_E_TOO_LARGE, spool_dir, 0, "path too long");
	fd = open(in, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot open the spool directory: %s",
				   strerror(errno));
	return fd;
}

/* Write data to name in dfd, anew (whatever stood there is unlinked
 * first, so a planted link or a hard link to another file is never
 * written through), and fsync it. */
static int write_new(int dfd, const char *in, const char *name, const void *data, size_t len,
		     struct swn_err *err)
{
	const char *p = data;
	int fd, saved;

	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot remove %s: %s", name, strerror(errno));
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot create %s: %s", name, strerror(errno));
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dfd, name, 0);
	return swn_err_set(err, SWN_E_IO, in, 0, "cannot write %s: %s", name, strerror(saved));
}

/* The visible name of a recorded placement: the last part of its path. */
static const char *visible_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Make .placing-SEQ visible as name (the placement is recorded). */
static int reveal(int dfd, const char *in, const char *tmp, const char *name, struct swn_err *err)
{
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/'))
		return swn_err_set(err, SWN_E_IO, in, 0, "the recorded placement '%s' is not a file name",
				   name);
	if (renameat(dfd, tmp, dfd, name) < 0)
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot rename %s to %s: %s", tmp, name,
				   strerror(errno));
	if (fsync(dfd) < 0)
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot sync the directory: %s",
				   strerror(errno));
	return 0;
}

int swn_placement_place(struct swn_ledger *l, const char *spool_dir,
			const struct swn_placement *d, char *path, size_t n,
			struct swn_err *err)
{
	struct swn_event ev = { "in", d->peer, d->agreement, d->doctype, d->msgid,
				"DELIVERED_LOCAL", path };
	static _Thread_local struct swn_ledger_placed before;
	char in[SWN_PATH_MAX + 8], tmp[64], name[128];
	int dfd, state, rc = -1;

	state = swn_ledger_placement(l, d->seq, &before, err);
	if (state < 0)
		return -1;
	if (state == 2) {
		snprintf(path, n, "%s", before.file);
		return 0;   /* placed before: never again */
	}
	snprintf(tmp, sizeof tmp, PLACING_PREFIX "%lld", d->seq);
	snprintf(name, sizeof name, "%s-%08lld.xml", d->doctype, d->seq);
	if ((size_t)snprintf(path, n, "%s/in/%s", spool_dir, name) >= n)
		return swn_err_set(err, SWN_E_TOO_LARGE, spool_dir, 0, "path too long");
	if ((dfd = open_in(spool_dir, in, sizeof in, err)) < 0)
		return -1;
	if (write_new(dfd, in, tmp, d->data, d->len, err) < 0)
		goto done;
	if (swn_ledger_append(l, &ev, NULL, 0, NULL, err) < 0) {
		/* Not recorded: nothing may become visible. */
		unlinkat(dfd, tmp, 0);
		goto done;
	}
	rc = reveal(dfd, in, tmp, name, err);
done:
	close(dfd);
	return rc;
}

/* SEQ of a visible name DOCTYPE-SEQ.xml, or -1. */
static long long visible_seq(const char *name)
{
	size_t n = strlen(name);
	const char *dash;
	char digits[24];
	char *end;
	long long seq;

	if (n < 7 || name[0] == '.' || strchr(name, '/') || strcmp(name + n - 4, ".xml") != 0)
		return -1;
	for (dash = name + n - 5; dash > name && *dash >= '0' && *dash <= '9'; dash--)
		;
	if (*dash != '-' || dash == name || (size_t)(name + n - 4 - (dash + 1)) >= sizeof digits ||
	    name + n - 4 == dash + 1)
		return -1;
	memcpy(digits, dash + 1, (size_t)(name + n - 4 - (dash + 1)));
	digits[name + n - 4 - (dash + 1)] = '\0';
	errno = 0;
	seq = strtoll(digits, &end, 10);
	return errno || *end || seq < 1 ? -1 : seq;
}

int swn_placement_find(struct swn_ledger *l, const char *name, struct swn_ledger_placed *p,
		       struct swn_err *err)
{
	long long seq = visible_seq(name);
	int state;

	if (seq < 0)
		return 0;
	state = swn_ledger_placement(l, seq, p, err);
	if (state < 0)
		return -1;
	return state == 2 && strcmp(visible_name(p->file), name) == 0;
}

int swn_placement_acknowledge(struct swn_ledger *l, const char *spool_dir, const char *name,
			      struct swn_ledger_placed *p, struct swn_err *err)
{
	struct swn_event ev = { "in", p->peer, p->agreement, p->doctype, p->msgid,
				"ACKNOWLEDGED_LOCAL", "taken by the domestic side" };
	char in[SWN_PATH_MAX + 8];
	int found = swn_placement_find(l, name, p, err), dfd, before;

	if (found <= 0)
		return found;
	before = swn_ledger_acknowledged(l, p->peer, p->msgid, err);
	if (before < 0)
		return -1;
	if (!before && swn_ledger_append(l, &ev, NULL, 0, NULL, err) < 0) {
		if (err->code != SWN_E_EXISTS)
			return -1;
		before = 1;   /* acknowledged at the same moment by another request */
	}
	/* Recorded first: a crash now leaves a file the ledger says was
	 * taken, never a taken document the ledger does not know of. */
	if ((dfd = open_in(spool_dir, in, sizeof in, err)) < 0)
		return -1;
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT) {
		swn_err_set(err, SWN_E_IO, in, 0, "cannot remove %s: %s", name, strerror(errno));
		close(dfd);
		return -1;
	}
	close(dfd);
	return before ? 2 : 1;
}

int swn_placement_read(const char *spool_dir, const char *name, size_t limit, char **data,
		       size_t *len, struct swn_err *err)
{
	char in[SWN_PATH_MAX + 8];
	struct stat st;
	ssize_t r;
	size_t got = 0;
	int dfd, fd;

	*data = NULL;
	*len = 0;
	if (visible_seq(name) < 0)
		return 0;
	if ((dfd = open_in(spool_dir, in, sizeof in, err)) < 0)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return errno == ENOENT ? 0 : swn_err_set(err, SWN_E_IO, in, 0, "cannot open %s: %s", name,
							   strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > limit ||
	    !(*data = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return swn_err_set(err, SWN_E_IO, in, 0, "%s is not a readable document of at most %zu bytes",
				   name, limit);
	}
	while (got < (size_t)st.st_size && (r = read(fd, *data + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	(*data)[got] = '\0';
	*len = got;
	return 1;
}

/* SEQ of a ".placing-SEQ" name, or -1. */
static long long placing_seq(const char *name)
{
	const char *p = name + strlen(PLACING_PREFIX);
	char *end;
	long long seq;

	if (strncmp(name, PLACING_PREFIX, strlen(PLACING_PREFIX)) != 0 || *p < '1' || *p > '9')
		return -1;
	errno = 0;
	seq = strtoll(p, &end, 10);
	return errno || *end ? -1 : seq;
}

int swn_placement_recover(struct swn_ledger *l, const char *spool_dir, int *finished,
			  int *removed, struct swn_err *err)
{
	static _Thread_local struct swn_ledger_placed p;
	char in[SWN_PATH_MAX + 8];
	struct dirent *e;
	DIR *dir;
	int dfd, rc = 0;

	*finished = *removed = 0;
	if ((dfd = open_in(spool_dir, in, sizeof in, err)) < 0)
		return -1;
	if (!(dir = fdopendir(dfd))) {
		close(dfd);
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot read the directory: %s", strerror(errno));
	}
	while (rc == 0 && (e = readdir(dir)) != NULL) {
		long long seq = placing_seq(e->d_name);
		int state;

		if (seq < 0) {
			/* What an earlier version's writer left (".NAME.tmp-XXXXXX"). */
			if (e->d_name[0] == '.' && strstr(e->d_name, ".tmp-") &&
			    unlinkat(dfd, e->d_name, 0) == 0)
				(*removed)++;
			continue;
		}
		state = swn_ledger_placement(l, seq, &p, err);
		if (state < 0)
			rc = -1;
		else if (state == 2 && reveal(dfd, in, e->d_name, visible_name(p.file), err) == 0)
			(*finished)++;
		else if (state == 2)
			rc = -1;
		else if (unlinkat(dfd, e->d_name, 0) == 0)
			(*removed)++;
	}
	closedir(dir);
	return rc;
}

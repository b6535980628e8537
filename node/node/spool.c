/* spool.c - spool directories; see spool.h. */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "as4/as4.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/swn_limits.h"
#include "node/node/spool.h"

#define CLAIM_PREFIX ".claim-"
#define REFUSED_PREFIX ".refused-"
#define TOKEN_LEN 36

/* Names in a directory are at most 255 bytes (NAME_MAX), so each name
 * below is written with "%.255s", which cuts nothing.  Paths in messages:
 * the spool directory and two names. */
#define SHOWN_MAX 4700

/* An entry refused for what it is, remembered so that it is logged once
 * while it stays. */
struct refusal {
	dev_t dev;
	ino_t ino;
	char *path;
};

/* What was refused in the last pass and in this one, each with room for
 * SWN_SPOOL_REFUSALS_NAMED: an entry is logged when the last pass did not meet it,
 * and an entry gone frees its room at once. */
struct refusals {
	struct refusal *r;
	size_t n;
};

struct swn_spool {
	char dir[4096];
	struct refusals last, now;
	size_t unnamed, unnamed_logged;   /* refused past the named ones: now, as last logged */
};

/* One pass over spool/out: everything is done relative to these. */
struct pass {
	struct swn_spool *sp;
	int out, failed;                  /* failed: -1 if it could not be opened */
	char failed_why[800];   /* why spool/failed could not be opened */
	swn_spool_fn fn;
	void *ctx;
	int handled;
};

int swn_spool_create(const char *dir, struct swn_err *err)
{
	static const char *const subdirs[] = { "out", "in", "failed" };
	char path[4096];
	size_t i;

	if (swn_mkdir(dir, 0750, err) < 0)
		return -1;
	for (i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++)
		if (swn_path_join(path, sizeof path, dir, subdirs[i], err) < 0 ||
		    swn_mkdir(path, 0750, err) < 0)
			return -1;
	return 0;
}

int swn_spool_new(const char *dir, struct swn_spool **sp, struct swn_err *err)
{
	struct swn_spool *s = calloc(1, sizeof *s);

	*sp = NULL;
	if (s == NULL || !(s->last.r = calloc(SWN_SPOOL_REFUSALS_NAMED, sizeof *s->last.r)) ||
	    !(s->now.r = calloc(SWN_SPOOL_REFUSALS_NAMED, sizeof *s->now.r))) {
		swn_spool_free(s);
		return swn_err_set(err, SWN_E_NOMEM, dir, 0, "out of memory");
	}
	if (snprintf(s->dir, sizeof s->dir, "%s", dir) >= (int)sizeof s->dir) {
		swn_spool_free(s);
		return swn_err_set(err, SWN_E_TOO_LARGE, dir, 0, "path too long");
	}
	*sp = s;
	return 0;
}

static void refusals_clear(struct refusals *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->r[i].path);
	set->n = 0;
}

void swn_spool_free(struct swn_spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->last.r)
		refusals_clear(&sp->last);
	if (sp->now.r)
		refusals_clear(&sp->now);
	free(sp->last.r);
	free(sp->now.r);
	free(sp);
}

/* spool/SUB.  The spool directory itself is the node's configuration (a
 * link there is the operator's); what is in it is never followed. */
static int open_sub(const char *dir, const char *sub, struct swn_err *err)
{
	char shown[4200];
	struct stat st;
	int top, fd;

	snprintf(shown, sizeof shown, "%s/%s", dir, sub);
	if ((top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return swn_err_set(err, SWN_E_IO, dir, 0, "cannot open the spool: %s", strerror(errno));
	fd = swn_dir_open_at(top, sub, shown, &st, err);
	close(top);
	return fd;
}

/* ---- refusals, logged once ---- */

static struct refusal *find(struct refusals *set, const char *path, const struct stat *st)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->r[i].path && set->r[i].dev == st->st_dev && set->r[i].ino == st->st_ino &&
		    strcmp(set->r[i].path, path) == 0)
			return &set->r[i];
	return NULL;
}

/* An entry the spool does not take: logged when first met, then only
 * remembered while it stays. */
static void refuse_entry(struct swn_spool *sp, const char *path, const struct stat *st,
			 const char *why)
{
	struct refusal *before;
	char *copy;

	if (find(&sp->now, path, st))
		return;   /* met twice in one pass */
	if ((before = find(&sp->last, path, st)) != NULL) {
		copy = before->path;   /* moved over: logged already */
		before->path = NULL;
	} else if (sp->now.n == SWN_SPOOL_REFUSALS_NAMED || !(copy = strdup(path))) {
		sp->unnamed++;
		return;
	} else {
		swn_log("spool: %s: %s; left where it is, not sent", path, why);
	}
	if (sp->now.n == SWN_SPOOL_REFUSALS_NAMED) {   /* no room: it will be logged again */
		free(copy);
		return;
	}
	sp->now.r[sp->now.n].dev = st->st_dev;
	sp->now.r[sp->now.n].ino = st->st_ino;
	sp->now.r[sp->now.n++].path = copy;
}

/* After a pass: what it refused is what the next one compares with. */
static void end_of_pass(struct swn_spool *sp)
{
	struct refusals was = sp->last;

	refusals_clear(&was);
	sp->last = sp->now;
	sp->now = was;
	if (sp->unnamed > 0 && sp->unnamed != sp->unnamed_logged)
		swn_log("spool: %zu more entries left where they are, not sent, for the reasons above "
			"(only %d are named)", sp->unnamed, SWN_SPOOL_REFUSALS_NAMED);
	sp->unnamed_logged = sp->unnamed;
	sp->unnamed = 0;
}

/* ---- taking files ---- */

static int waiting(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && !(n > 4 && strcmp(name + n - 4, ".tmp") == 0);
}

/* ".claim-TOKEN-NAME": 1 with the token and the name, else 0. */
static int parse_claim(const char *entry, char token[TOKEN_LEN + 1], const char **name)
{
	size_t pl = strlen(CLAIM_PREFIX);

	if (strncmp(entry, CLAIM_PREFIX, pl) != 0 || strlen(entry) <= pl + TOKEN_LEN + 1 ||
	    entry[pl + TOKEN_LEN] != '-')
		return 0;
	memcpy(token, entry + pl, TOKEN_LEN);
	token[TOKEN_LEN] = '\0';
	*name = entry + pl + TOKEN_LEN + 1;
	return 1;
}

/* Is the entry claimed still the file opened as fd, regular, with no
 * other name? */
static int still_ours(int pfd, const char *claimed, int fd)
{
	struct stat now, mine;

	return fstatat(pfd, claimed, &now, AT_SYMLINK_NOFOLLOW) == 0 && fstat(fd, &mine) == 0 &&
	       S_ISREG(mine.st_mode) && mine.st_nlink == 1 && now.st_dev == mine.st_dev &&
	       now.st_ino == mine.st_ino;
}

/* Claim the file entry, open as fd: rename it to ".claim-TOKEN-NAME"
 * (TOKEN a new UUID that becomes its MessageId), make the rename durable,
 * and check that what was renamed is the file opened (it may have been
 * swapped in between). */
static int claim(struct pass *p, int pfd, const char *entry, int fd, const struct stat *st,
		 const char *shown, char token[TOKEN_LEN + 1], char *claimed, size_t n)
{
	char id[SWN_AS4_ID_BYTES];

	swn_as4_new_id("", id, sizeof id);
	snprintf(token, TOKEN_LEN + 1, "%.*s", TOKEN_LEN, id);
	snprintf(claimed, n, CLAIM_PREFIX "%.36s-%.255s", token, entry);
	if (renameat(pfd, entry, pfd, claimed) < 0) {
		if (errno != ENOENT) {   /* else gone meanwhile */
			char why[200];

			snprintf(why, sizeof why, "cannot be claimed (renamed): %s", strerror(errno));
			refuse_entry(p->sp, shown, st, why);
		}
		return -1;
	}
	if (fsync(pfd) < 0)
		return -1;   /* the claim is there: the next pass takes it */
	if (!still_ours(pfd, claimed, fd)) {
		swn_log("spool: %s was replaced while it was claimed; the claim %s is looked at again at "
			"the next pass", shown, claimed);
		return -1;
	}
	return 0;
}

/* A refused document moves to spool/failed/PARTY-NAME, with its reason in
 * PARTY-NAME.reason.  One that cannot be moved there (spool/failed on
 * another file system, say) is never deleted: it is renamed in its own
 * directory to ".refused-TOKEN-NAME", which no pass takes. */
static void to_failed(struct pass *p, int pfd, const char *party, const char *name,
		      const char *claimed, const char *why)
{
	char failed[520], reason[530], shown[SHOWN_MAX], hidden[300], cause[800];
	struct swn_err err;

	snprintf(cause, sizeof cause, "%s", p->failed_why);
	snprintf(failed, sizeof failed, "%.255s-%.255s", party, name);
	snprintf(reason, sizeof reason, "%s.reason", failed);
	snprintf(shown, sizeof shown, "%s/failed/%s", p->sp->dir, reason);
	swn_err_clear(&err);
	if (p->failed >= 0) {
		/* The document is kept even when its reason cannot be
		 * written (a full disk: a rename needs no space). */
		int written = swn_file_write_at(p->failed, reason, shown, why, strlen(why), 0640,
						SWN_WRITE_REPLACE, &err) == 0;

		if (renameat(pfd, claimed, p->failed, failed) == 0) {
			fsync(p->failed);
			return;
		}
		snprintf(cause, sizeof cause, "%s", strerror(errno));
		if (written)
			unlinkat(p->failed, reason, 0);
	}
	snprintf(shown, sizeof shown, "%s/out/%.255s/%.255s", p->sp->dir, party, claimed);
	snprintf(hidden, sizeof hidden, REFUSED_PREFIX "%.255s", claimed + strlen(CLAIM_PREFIX));
	if (renameat(pfd, claimed, pfd, hidden) == 0)
		swn_log("spool: %s cannot be moved into spool/failed (%s); kept beside it as %s",
			shown, cause, hidden);
	else
		swn_log("spool: %s cannot be moved into spool/failed (%s), nor renamed (%s); left as it is",
			shown, cause, strerror(errno));
}

/* Hand the claimed file to the caller and act on the answer: remove or
 * move the claim only while it is still the file read (whatever was
 * swapped in under its name is looked at by the next pass). */
static void submit(struct pass *p, int pfd, const char *party, const char *name,
		   const char *claimed, int fd, const char *token)
{
	char why[1024], shown[SHOWN_MAX];
	int rc;

	snprintf(shown, sizeof shown, "%s/out/%.255s/%.255s", p->sp->dir, party, claimed);
	why[0] = '\0';
	rc = p->fn(p->ctx, party, shown, fd, token, why, sizeof why);
	if (rc == 1)
		return;
	p->handled++;
	if (!still_ours(pfd, claimed, fd))
		swn_log("spool: %s was replaced while it was read; left for the next pass", shown);
	else if (rc == 0)
		unlinkat(pfd, claimed, 0);
	else
		to_failed(p, pfd, party, name, claimed, why);
}

/* One entry of spool/out/PARTY: a regular file with one name, opened
 * without following a link, claimed unless it is a claim already (one a
 * crash left), then submitted from the descriptor opened. */
static void take_entry(struct pass *p, int pfd, const char *party, const char *entry)
{
	char token[TOKEN_LEN + 1], claimed[300], shown[SHOWN_MAX], why[120];
	const char *name = entry;
	int is_claim = parse_claim(entry, token, &name), fd;
	struct swn_err err;
	struct stat st;

	if (!is_claim && !waiting(entry))
		return;
	snprintf(shown, sizeof shown, "%s/out/%.255s/%.255s", p->sp->dir, party, entry);
	swn_err_clear(&err);
	if ((fd = swn_file_open_at(pfd, entry, shown, &st, &err)) < 0) {
		if (st.st_mode != 0)   /* else gone meanwhile (taken, or renamed by its writer) */
			refuse_entry(p->sp, shown, &st, err.msg);
		return;
	}
	/* A file with another name may be someone's file elsewhere, linked
	 * here by one who cannot read it. */
	if (st.st_nlink != 1) {
		snprintf(why, sizeof why, "has %ju names (hard links); only a file with one name is taken",
			 (uintmax_t)st.st_nlink);
		refuse_entry(p->sp, shown, &st, why);
		close(fd);
		return;
	}
	if (is_claim)
		snprintf(claimed, sizeof claimed, "%s", entry);
	if (is_claim || claim(p, pfd, entry, fd, &st, shown, token, claimed, sizeof claimed) == 0)
		submit(p, pfd, party, name, claimed, fd, token);
	close(fd);
}

/* spool/out/PARTY: a directory, never reached through a link. */
static void scan_party(struct pass *p, const char *party)
{
	char shown[SHOWN_MAX];
	struct swn_err err;
	struct dirent *e;
	struct stat st;
	DIR *d;
	int pfd;

	snprintf(shown, sizeof shown, "%s/out/%.255s", p->sp->dir, party);
	swn_err_clear(&err);
	if ((pfd = swn_dir_open_at(p->out, party, shown, &st, &err)) < 0) {
		if (st.st_mode != 0)
			refuse_entry(p->sp, shown, &st, err.msg);
		return;
	}
	if (!(d = fdopendir(pfd))) {
		close(pfd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		take_entry(p, dirfd(d), party, e->d_name);
	closedir(d);
}

int swn_spool_scan(struct swn_spool *sp, swn_spool_fn fn, void *ctx, struct swn_err *err)
{
	struct pass p = { .sp = sp, .out = -1, .failed = -1, .fn = fn, .ctx = ctx };
	struct swn_err ferr;
	struct dirent *e;
	DIR *d;

	if ((p.out = open_sub(sp->dir, "out", err)) < 0)
		return -1;
	if (!(d = fdopendir(p.out))) {
		close(p.out);
		return swn_err_set(err, SWN_E_IO, sp->dir, 0, "cannot read spool/out: %s", strerror(errno));
	}
	p.out = dirfd(d);
	swn_err_clear(&ferr);
	if ((p.failed = open_sub(sp->dir, "failed", &ferr)) < 0)
		snprintf(p.failed_why, sizeof p.failed_why, "%s", ferr.msg);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			scan_party(&p, e->d_name);
	closedir(d);
	if (p.failed >= 0)
		close(p.failed);
	end_of_pass(sp);
	return p.handled;
}

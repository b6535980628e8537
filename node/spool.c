/* spool.c - spool directories; see spool.h. */
#include "autoconfig.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "as4.h"
#include "fsutil.h"
#include "spool.h"

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

static int waiting(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && !(n > 4 && strcmp(name + n - 4, ".tmp") == 0);
}

static void refuse_file(const char *dir, const char *party, const char *name,
			const char *path, const char *why)
{
	char failed[4096], reason[4200];
	struct swn_err err;

	snprintf(failed, sizeof failed, "%s/failed/%s-%s", dir, party, name);
	snprintf(reason, sizeof reason, "%s.reason", failed);
	swn_err_clear(&err);
	/* The document is kept even when its reason cannot be written (a
	 * full disk: a rename needs no space). */
	swn_file_write(reason, why, strlen(why), 0640, SWN_WRITE_REPLACE, &err);
	if (rename(path, failed) < 0)
		unlink(path);   /* never loop on a file that cannot be moved */
}

/* Flush a directory, so that a rename in it survives a crash. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

#define CLAIM_PREFIX ".claim-"
#define TOKEN_LEN 36

/* A file is claimed before it is submitted: renamed to
 * ".claim-TOKEN-NAME" (TOKEN a new UUID that becomes its MessageId), the
 * rename made durable, then submitted at most once under that MessageId and
 * removed.  A crash anywhere leaves either the file itself (not submitted)
 * or its claim (submitted or not: the next pass submits it, once). */
int swn_spool_scan(const char *dir, swn_spool_fn fn, void *ctx, struct swn_err *err)
{
	char out[4096], pdir[4600], path[5000], claim[5200], why[1024];
	char token[TOKEN_LEN + 1], id[SWN_AS4_ID_BYTES];
	const char *name;
	DIR *d, *p;
	struct dirent *e, *f;
	struct stat st;
	int handled = 0;

	if (swn_path_join(out, sizeof out, dir, "out", err) < 0)
		return -1;
	if (!(d = opendir(out)))
		return swn_err_set(err, SWN_E_IO, out, 0, "cannot read the spool");
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(pdir, sizeof pdir, "%s/%s", out, e->d_name);
		if (stat(pdir, &st) < 0 || !S_ISDIR(st.st_mode) || !(p = opendir(pdir)))
			continue;
		while ((f = readdir(p)) != NULL) {
			size_t pl = strlen(CLAIM_PREFIX);

			if (strncmp(f->d_name, CLAIM_PREFIX, pl) == 0 &&
			    strlen(f->d_name) > pl + TOKEN_LEN + 1 && f->d_name[pl + TOKEN_LEN] == '-') {
				/* claimed before a crash */
				memcpy(token, f->d_name + pl, TOKEN_LEN);
				token[TOKEN_LEN] = '\0';
				name = f->d_name + pl + TOKEN_LEN + 1;
				snprintf(claim, sizeof claim, "%s/%s", pdir, f->d_name);
				if (lstat(claim, &st) < 0 || !S_ISREG(st.st_mode))
					continue;
			} else {
				if (!waiting(f->d_name))
					continue;
				name = f->d_name;
				snprintf(path, sizeof path, "%s/%s", pdir, name);
				if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
					continue;
				swn_as4_new_id("", id, sizeof id);
				snprintf(token, sizeof token, "%.*s", TOKEN_LEN, id);
				snprintf(claim, sizeof claim, "%s/" CLAIM_PREFIX "%s-%s", pdir, token, name);
				if (rename(path, claim) < 0 || sync_dir(pdir) < 0)
					continue;
			}
			why[0] = '\0';
			switch (fn(ctx, e->d_name, claim, token, why, sizeof why)) {
			case 0:
				unlink(claim);
				handled++;
				break;
			case 1:
				break;
			default:
				refuse_file(dir, e->d_name, name, claim, why);
				handled++;
			}
		}
		closedir(p);
	}
	closedir(d);
	return handled;
}

int swn_spool_sweep(const char *dir, struct swn_err *err)
{
	char in[4096], path[4400];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int removed = 0;

	if (swn_path_join(in, sizeof in, dir, "in", err) < 0)
		return -1;
	if (!(d = opendir(in)))
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot read the spool");
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.' || !strstr(e->d_name, ".tmp-"))
			continue;
		snprintf(path, sizeof path, "%s/%s", in, e->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

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

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "trust/config.h"
#include "as4/gzip.h"
#include "ledger/payloads.h"
#include "node/node/placement.h"
#include "node/node/swa_in.h"
#include "base/swn_limits.h"

#define PLACING_PREFIX ".placing-"
#define PART_INFIX "-part-"

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

/* ---- what DELIVERED_LOCAL's reason says ---- */

/* The files placed beside a document: the international document it was
 * mapped from and the loss report of that mapping. */
enum { EXTRA_INTERNATIONAL, EXTRA_LOSS, EXTRAS };
static const char *const extra_tmp[EXTRAS] = { "-international", "-loss" };
static const char *const extra_suffix[EXTRAS] = { ".international", ".loss-report" };

struct extras {
	int has;                 /* 0: a placement recorded without them */
	size_t lost;
	unsigned char md[EXTRAS][32];
};

#define REASON_FORMAT "lost %zu, international sha256:%64[0-9a-f], loss report sha256:%64[0-9a-f]: %n"

static int unhex32(const char *hex, unsigned char out[32])
{
	int i;

	for (i = 0; i < 32; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* The path in a DELIVERED_LOCAL reason, and what it says of the extras
 * (x may be NULL): "lost N, international sha256:HEX, loss report
 * sha256:HEX: PATH", or PATH alone as versions before them wrote it. */
static const char *reason_path(const char *reason, struct extras *x)
{
	char hex[EXTRAS][65];
	struct extras got = { 0, 0, { { 0 } } };
	int used = -1, i;

	if (strncmp(reason, "lost ", 5) == 0 &&
	    sscanf(reason, REASON_FORMAT, &got.lost, hex[0], hex[1], &used) == 3 && used > 0 &&
	    strlen(hex[0]) == 64 && strlen(hex[1]) == 64) {
		got.has = 1;
		for (i = 0; i < EXTRAS; i++)
			if (unhex32(hex[i], got.md[i]) < 0)
				got.has = 0;
	}
	if (x)
		*x = got;
	return got.has ? reason + used : reason;
}

const char *swn_placement_reason_path(const char *reason)
{
	return reason_path(reason, NULL);
}

/* The visible name a placement was recorded under (its DELIVERED_LOCAL
 * reason ends with the file's path): 0, or -1 if it is not a name in
 * spool/in. */
static int placed_name(const struct swn_ledger_placed *p, char *name, size_t n)
{
	const char *path = reason_path(p->file, NULL), *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (*base == '\0' || *base == '.' || strlen(base) >= n)
		return -1;
	memcpy(name, base, strlen(base) + 1);
	return 0;
}

/* Move name in dfd aside to .in-the-way-SEQ-NAME (it is never deleted). */
static int move_aside(int dfd, const char *in, const char *name, long long seq, struct swn_err *err)
{
	char aside[300];

	snprintf(aside, sizeof aside, ".in-the-way-%lld-%.200s", seq, name);
	if (renameat(dfd, name, dfd, aside) < 0)
		return swn_err_set(err, SWN_E_IO, in, 0, "%s is in the way and cannot be moved aside: %s",
				   name, strerror(errno));
	return 0;
}

/* Room for a new file called name in dfd (one of the node's temporary
 * names): a file or link there is unlinked, so that a planted link or a
 * hard link to another file is never written through; a directory
 * planted there is moved aside. */
static int clear_name(int dfd, const char *in, const char *name, long long seq, struct swn_err *err)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : swn_err_set(err, SWN_E_IO, in, 0, "cannot look at %s: %s",
							   name, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return move_aside(dfd, in, name, seq, err);
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot remove %s: %s", name, strerror(errno));
	return 0;
}

/* Write data to name in dfd, anew (clear_name), and fsync it. */
static int write_new(int dfd, const char *in, const char *name, long long seq, const void *data,
		     size_t len, struct swn_err *err)
{
	const char *p = data;
	int fd, saved;

	if (clear_name(dfd, in, name, seq, err) < 0)
		return -1;
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

/* Read name in dfd (a regular file, no link followed, at most limit
 * bytes) and its SHA-256: 1, 0 if there is no such entry, -1. */
static int read_at(int dfd, const char *in, const char *name, size_t limit, char **data,
		   size_t *len, unsigned char digest[32], struct swn_err *err)
{
	struct stat st;
	size_t got = 0;
	ssize_t r;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : swn_err_set(err, SWN_E_IO, in, 0, "cannot open %s: %s",
							   name, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > limit ||
	    !(*data = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return swn_err_set(err, SWN_E_IO, in, 0,
				   "%s is not a readable document of at most %zu bytes", name, limit);
	}
	while (got < (size_t)st.st_size && (r = read(fd, *data + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	(*data)[got] = '\0';
	*len = got;
	SHA256((const unsigned char *)*data, got, digest);
	return 1;
}

/* Make .placing-SEQ (tmp) visible as name, moving aside whatever that is
 * not a regular file stands there (it is never deleted). */
static int reveal(int dfd, const char *in, const char *tmp, long long seq, const char *name,
		  struct swn_err *err)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) &&
	    move_aside(dfd, in, name, seq, err) < 0)
		return -1;
	if (renameat(dfd, tmp, dfd, name) < 0)
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot rename %s to %s: %s", tmp, name,
				   strerror(errno));
	if (fsync(dfd) < 0)
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot sync the directory: %s",
				   strerror(errno));
	return 0;
}

/* ---- attachments ---- */

struct attachments {
	size_t n;
	struct swn_swa_described parts[SWN_MAX_PAYLOAD_PARTS];
};

/* The attachments of (peer, msgid) as its RECEIVED reason names them:
 * every part but the document's (none for the body form).  0, or -1 when
 * the reason does not read. */
static int attachments_of(struct swn_ledger *l, const char *peer, const char *msgid,
			  struct attachments *a, struct swn_err *err)
{
	static _Thread_local struct swn_swa_described all[SWN_MAX_PAYLOAD_PARTS];
	char *reason = malloc(SWN_MAX_ENTRY_BYTES);
	int found, n, i;

	a->n = 0;
	if (!reason)
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	found = swn_ledger_event_reason(l, "in", peer, msgid, "RECEIVED", reason, SWN_MAX_ENTRY_BYTES,
					err);
	n = found == 1 ? swn_swa_reason_parts(reason, all, SWN_MAX_PAYLOAD_PARTS) : 0;
	free(reason);
	if (found < 0)
		return -1;
	if (n < 0)
		return swn_err_set(err, SWN_E_PARSE, NULL, 0, "the RECEIVED entry of %s does not "
				   "read as its parts", msgid);
	for (i = 0; i < n; i++)
		if (all[i].index != SWN_SWA_DOCUMENT_PART)
			a->parts[a->n++] = all[i];
	return 0;
}

static void attachment_names(const char *doc_name, long long seq, unsigned index, char *tmp,
			     size_t tn, char *name, size_t nn)
{
	size_t stem = strlen(doc_name) > 4 ? strlen(doc_name) - 4 : 0;   /* without ".xml" */

	snprintf(tmp, tn, PLACING_PREFIX "%lld" PART_INFIX "%u", seq, index);
	snprintf(name, nn, "%.*s.part-%u.bin", (int)stem, doc_name, index);
}

/* Copy (or gunzip) the regular file src into the new file dst of dfd. */
static int copy_into(int src, int dfd, const char *in, const char *dst, long long seq, int gunzip,
		     struct swn_err *err)
{
	struct swn_gunzip_limits lim = SWN_GUNZIP_LIMITS_DEFAULT;
	unsigned char buf[64 * 1024];
	off_t at = 0;
	ssize_t r;
	int fd, rc = 0;

	if (clear_name(dfd, in, dst, seq, err) < 0)
		return -1;
	fd = openat(dfd, dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot create %s: %s", dst, strerror(errno));
	if (gunzip) {
		rc = swn_gunzip_fd(src, fd, &lim, NULL, err);
	} else {
		while (rc == 0 && (r = pread(src, buf, sizeof buf, at)) != 0) {
			const unsigned char *p = buf;

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				rc = swn_err_set(err, SWN_E_IO, in, 0, "cannot read for %s: %s", dst,
						 strerror(errno));
				break;
			}
			at += r;
			while (r > 0) {
				ssize_t w = write(fd, p, (size_t)r);

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					rc = swn_err_set(err, SWN_E_IO, in, 0, "cannot write %s: %s", dst,
							 strerror(errno));
					break;
				}
				p += w;
				r -= w;
			}
		}
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = swn_err_set(err, SWN_E_IO, in, 0, "cannot sync %s: %s", dst, strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = swn_err_set(err, SWN_E_IO, in, 0, "cannot write %s: %s", dst, strerror(errno));
	if (rc < 0)
		unlinkat(dfd, dst, 0);
	return rc;
}

/* Each attachment of a (the placement's seq, its document's name) written
 * anew from the payload store and revealed. */
static int reveal_attachments(int dfd, const char *in, const char *home, long long seq,
			      const char *doc_name, const struct attachments *a, struct swn_err *err)
{
	char src_path[SWN_PATH_MAX + 100], tmp[96], name[300];
	unsigned char md[32];
	uint64_t len;
	size_t i;

	for (i = 0; i < a->n; i++) {
		const struct swn_swa_described *pt = &a->parts[i];
		struct stat st;
		int src, rc;

		attachment_names(doc_name, seq, pt->index, tmp, sizeof tmp, name, sizeof name);
		if (swn_payloads_path(home, pt->plain_sha256, src_path, sizeof src_path, err) < 0)
			return -1;
		if ((src = open(src_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return swn_err_set(err, SWN_E_IO, src_path, 0, "part %u of message %lld: %s",
					   pt->index, seq, strerror(errno));
		/* The store's file must still be the bytes the entry names. */
		if (fstat(src, &st) < 0 || !S_ISREG(st.st_mode) ||
		    swn_payloads_sha256(src, &len, md) < 0 || len != pt->plain_len ||
		    memcmp(md, pt->plain_sha256, 32) != 0) {
			close(src);
			return swn_err_set(err, SWN_E_IO, src_path, 0, "part %u of message %lld: "
					   "not the bytes its RECEIVED entry names", pt->index, seq);
		}
		rc = copy_into(src, dfd, in, tmp, seq, swn_swa_gzip_type(pt->type) == 1, err);
		close(src);
		if (rc < 0 || reveal(dfd, in, tmp, seq, name, err) < 0)
			return -1;
	}
	return 0;
}

int swn_placement_attachments(struct swn_ledger *l, const char *peer, const char *msgid,
			      const char *doc_name, struct swn_placement_attachment *out, size_t max,
			      struct swn_err *err)
{
	static _Thread_local struct attachments atts;
	char tmp[96];
	size_t i;

	if (attachments_of(l, peer, msgid, &atts, err) < 0)
		return -1;
	for (i = 0; i < atts.n && i < max; i++) {
		out[i].part = atts.parts[i].index;
		attachment_names(doc_name, 0, atts.parts[i].index, tmp, sizeof tmp, out[i].file,
				 sizeof out[i].file);
	}
	return (int)i;
}

/* Remove the attachments of a (visible, and their temporary names). */
static void remove_attachments(int dfd, long long seq, const char *doc_name,
			       const struct attachments *a)
{
	char tmp[96], name[300];
	size_t i;

	for (i = 0; i < a->n; i++) {
		attachment_names(doc_name, seq, a->parts[i].index, tmp, sizeof tmp, name, sizeof name);
		unlinkat(dfd, tmp, 0);
		unlinkat(dfd, name, 0);
	}
}

/* ---- the international document and the loss report ---- */

static void extra_names(const char *doc_name, long long seq, int which, char *tmp, size_t tn,
			char *name, size_t nn)
{
	size_t stem = strlen(doc_name) > 4 ? strlen(doc_name) - 4 : 0;   /* without ".xml" */

	snprintf(tmp, tn, PLACING_PREFIX "%lld%s", seq, extra_tmp[which]);
	snprintf(name, nn, "%.*s%s", (int)stem, doc_name, extra_suffix[which]);
}

/* Reveal each extra still under its temporary name if it holds the bytes
 * recorded; one that does not is removed, not revealed.  One already
 * revealed (no temporary name left) is done. */
static int reveal_extras(int dfd, const char *in, long long seq, const char *doc_name,
			 const struct extras *x, struct swn_err *err)
{
	char tmp[96], name[300], *data;
	unsigned char got[32];
	size_t len;
	int i, found;

	for (i = 0; x->has && i < EXTRAS; i++) {
		extra_names(doc_name, seq, i, tmp, sizeof tmp, name, sizeof name);
		found = read_at(dfd, in, tmp, 2 * SWN_MAX_DOCUMENT_BYTES + 65536, &data, &len, got, err);
		free(data);
		if (found < 0) {
			swn_err_clear(err);
			unlinkat(dfd, tmp, 0);
			continue;
		}
		if (found == 0)
			continue;
		if (memcmp(got, x->md[i], 32) != 0) {
			unlinkat(dfd, tmp, 0);
			continue;
		}
		if (reveal(dfd, in, tmp, seq, name, err) < 0)
			return -1;
	}
	return 0;
}

static void remove_extras(int dfd, long long seq, const char *doc_name)
{
	char tmp[96], name[300];
	int i;

	for (i = 0; i < EXTRAS; i++) {
		extra_names(doc_name, seq, i, tmp, sizeof tmp, name, sizeof name);
		unlinkat(dfd, tmp, 0);
		unlinkat(dfd, name, 0);
	}
}

static void hex32(const unsigned char md[32], char out[65])
{
	int i;

	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int swn_placement_place(struct swn_ledger *l, const char *spool_dir,
			const struct swn_placement *d, char *path, size_t n,
			struct swn_err *err)
{
	static _Thread_local struct swn_ledger_placed before;
	static _Thread_local struct attachments atts;
	static _Thread_local char reason[SWN_PATH_MAX + 400];
	char in[SWN_PATH_MAX + 8], tmp[64], name[128], etmp[EXTRAS][96], ename[300];
	char hex[EXTRAS][65];
	struct swn_event ev = { "in", d->peer, d->agreement, d->doctype, d->msgid,
				"DELIVERED_LOCAL", path };
	struct extras x = { d->international != NULL, d->lost, { { 0 } } };
	const void *edata[EXTRAS] = { d->international, d->loss };
	size_t elen[EXTRAS] = { d->international_len, d->loss_len };
	int dfd, state, rc, i, written = 0;

	state = swn_ledger_placement(l, d->seq, &before, err);
	if (state < 0)
		return -1;
	if (state == 2) {
		snprintf(path, n, "%s", reason_path(before.file, NULL));
		return 0;   /* placed before: never again */
	}
	snprintf(tmp, sizeof tmp, PLACING_PREFIX "%lld", d->seq);
	snprintf(name, sizeof name, "%s-%08lld.xml", d->doctype, d->seq);
	if ((size_t)snprintf(path, n, "%s/in/%s", spool_dir, name) >= n)
		return swn_err_set(err, SWN_E_TOO_LARGE, spool_dir, 0, "path too long");
	if (x.has) {
		for (i = 0; i < EXTRAS; i++) {
			SHA256(edata[i], elen[i], x.md[i]);
			hex32(x.md[i], hex[i]);
			extra_names(name, d->seq, i, etmp[i], sizeof etmp[i], ename, sizeof ename);
		}
		if ((size_t)snprintf(reason, sizeof reason, "lost %zu, international sha256:%s, "
				     "loss report sha256:%s: %s", d->lost, hex[0], hex[1], path) >=
		    sizeof reason)
			return swn_err_set(err, SWN_E_TOO_LARGE, spool_dir, 0, "path too long");
		ev.reason = reason;
	}
	if ((dfd = open_in(spool_dir, in, sizeof in, err)) < 0)
		return -1;
	rc = -1;
	/* Not recorded if the append fails: .placing-SEQ then waits for the
	 * ledger to decide (a commit reported failed may have reached the
	 * disk): removed at start without its record, revealed with it. */
	/* The bytes placed are the entry's evidence: the ledger holds exactly
	 * what the domestic side was given, and its SHA-256 tells the file
	 * the node wrote from one planted in its place.  The extras' digests
	 * are in its reason, for the same check when they are finished. */
	/* Its attachments are read before anything is written: a reason
	 * that does not read is found before the placement is recorded. */
	if (attachments_of(l, d->peer, d->msgid, &atts, err) == 0) {
		for (i = 0; x.has && i < EXTRAS; i++)
			if (write_new(dfd, in, etmp[i], d->seq, edata[i], elen[i], err) < 0)
				break;
		written = !x.has || i == EXTRAS;
	}
	if (written && write_new(dfd, in, tmp, d->seq, d->data, d->len, err) == 0 &&
	    swn_ledger_append(l, &ev, d->data, d->len, NULL, err) == 0)
		rc = reveal_attachments(dfd, in, d->home, d->seq, name, &atts, err) == 0 &&
		     reveal_extras(dfd, in, d->seq, name, &x, err) == 0 &&
		     reveal(dfd, in, tmp, d->seq, name, err) == 0 ? 0 : 1;
	close(dfd);
	return rc;
}

int swn_placement_finish(struct swn_ledger *l, const char *spool_dir, const char *home,
			 long long seq, int remove_unrecorded, enum swn_finish *what,
			 struct swn_err *err)
{
	static _Thread_local struct swn_ledger_placed p;
	static _Thread_local struct attachments atts;
	unsigned char got[32];
	char in[SWN_PATH_MAX + 8], tmp[64], name[256], *data = NULL;
	struct extras x;
	struct swn_err unreadable;
	size_t len;
	int dfd, state, rc = 0, found, taken = 0, ours;

	*what = SWN_FINISH_NOTHING;
	snprintf(tmp, sizeof tmp, PLACING_PREFIX "%lld", seq);
	if ((state = swn_ledger_placement(l, seq, &p, err)) < 0 ||
	    (dfd = open_in(spool_dir, in, sizeof in, err)) < 0)
		return -1;
	if (state < 2) {
		if (remove_unrecorded && unlinkat(dfd, tmp, 0) == 0)
			*what = SWN_FINISH_UNRECORDED;
		close(dfd);
		return 0;
	}
	swn_err_clear(&unreadable);
	found = read_at(dfd, in, tmp, SWN_MAX_DOCUMENT_BYTES, &data, &len, got, &unreadable);
	free(data);
	if (found == 0 || (taken = swn_ledger_acknowledged(l, p.peer, p.msgid, err)) < 0) {
		close(dfd);
		return found == 0 ? 0 : -1;
	}
	/* Revealed only if it is what the node wrote: a regular file with the
	 * recorded bytes (not a link, a FIFO or a file planted in its place). */
	ours = found == 1 && placed_name(&p, name, sizeof name) == 0 &&
	       (!p.has_digest || memcmp(p.digest, got, 32) == 0);
	reason_path(p.file, &x);
	if (taken || !ours) {
		unlinkat(dfd, tmp, 0);
		if (taken && placed_name(&p, name, sizeof name) == 0)
			remove_extras(dfd, seq, name);
		*what = taken ? SWN_FINISH_TAKEN : SWN_FINISH_FOREIGN;
	} else if ((rc = attachments_of(l, p.peer, p.msgid, &atts, err)) == 0 &&
		   (rc = reveal_attachments(dfd, in, home, seq, name, &atts, err)) == 0 &&
		   (rc = reveal_extras(dfd, in, seq, name, &x, err)) == 0 &&
		   (rc = reveal(dfd, in, tmp, seq, name, err)) == 0) {
		*what = SWN_FINISH_REVEALED;
	}
	close(dfd);
	return rc;
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

int swn_placement_pending(const char *spool_dir, void (*fn)(void *ctx, long long seq), void *ctx,
			  struct swn_err *err)
{
	char in[SWN_PATH_MAX + 8];
	long long *seqs = NULL, *grown;
	size_t n = 0, i;
	struct dirent *e;
	DIR *dir;
	int dfd;

	if ((dfd = open_in(spool_dir, in, sizeof in, err)) < 0)
		return -1;
	if (!(dir = fdopendir(dfd))) {
		close(dfd);
		return swn_err_set(err, SWN_E_IO, in, 0, "cannot read the directory: %s", strerror(errno));
	}
	/* Listed first, handled after: fn renames and removes entries. */
	while ((e = readdir(dir)) != NULL) {
		long long seq = placing_seq(e->d_name);

		if (seq < 0)
			continue;
		if (!(grown = realloc(seqs, sizeof *seqs * (n + 1)))) {
			free(seqs);
			closedir(dir);
			return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		}
		seqs = grown;
		seqs[n++] = seq;
	}
	closedir(dir);
	for (i = 0; i < n; i++)
		fn(ctx, seqs[i]);
	free(seqs);
	return 0;
}

struct recovery {
	struct swn_ledger *l;
	const char *spool_dir, *home;
	int finished, removed, failed;
	struct swn_err *err;
};

static void recover_one(void *ctx, long long seq)
{
	struct recovery *r = ctx;
	struct swn_err one;
	enum swn_finish what;

	swn_err_clear(&one);
	if (swn_placement_finish(r->l, r->spool_dir, r->home, seq, 1, &what, &one) < 0) {
		r->failed++;
		if (r->err->code == SWN_OK)
			*r->err = one;
	} else if (what == SWN_FINISH_REVEALED) {
		r->finished++;
	} else if (what != SWN_FINISH_NOTHING) {
		r->removed++;
	}
}

/* Is name ".placing-SEQ-part-N", ".placing-SEQ-international" or
 * ".placing-SEQ-loss" (any SEQ, N)? */
static int is_attachment_tmp(const char *name)
{
	const char *p = name + strlen(PLACING_PREFIX);
	int i;

	if (strncmp(name, PLACING_PREFIX, strlen(PLACING_PREFIX)) != 0)
		return 0;
	p += strspn(p, "0123456789");
	for (i = 0; i < EXTRAS; i++)
		if (strcmp(p, extra_tmp[i]) == 0)
			return 1;
	if (strncmp(p, PART_INFIX, strlen(PART_INFIX)) != 0)
		return 0;
	p += strlen(PART_INFIX);
	return *p != '\0' && p[strspn(p, "0123456789")] == '\0';
}

static long long visible_seq(const char *name);

/* Is name "DOCTYPE-SEQ.part-N.bin", "DOCTYPE-SEQ.international" or
 * "DOCTYPE-SEQ.loss-report", beside a document placed as DOCTYPE-SEQ.xml and
 * acknowledged since? */
static int attachment_taken(struct swn_ledger *l, const char *name)
{
	static _Thread_local struct swn_ledger_placed p;
	const char *part = strstr(name, ".part-"), *n;
	char doc[256];
	struct swn_err err;
	size_t len = strlen(name);
	int i;

	for (i = 0; i < EXTRAS && part == NULL; i++) {
		size_t sl = strlen(extra_suffix[i]);

		if (len > sl && strcmp(name + len - sl, extra_suffix[i]) == 0 && len - sl + 5 < sizeof doc) {
			snprintf(doc, sizeof doc, "%.*s.xml", (int)(len - sl), name);
			swn_err_clear(&err);
			return visible_seq(doc) > 0 && swn_placement_find(l, doc, &p, &err) == 1 &&
			       swn_ledger_acknowledged(l, p.peer, p.msgid, &err) == 1;
		}
	}
	if (part == NULL || part == name || (size_t)(part - name) + 5 > sizeof doc)
		return 0;
	n = part + 6;
	if (*n < '1' || *n > '9' || strcmp(n + strspn(n, "0123456789"), ".bin") != 0)
		return 0;
	snprintf(doc, sizeof doc, "%.*s.xml", (int)(part - name), name);
	swn_err_clear(&err);
	return visible_seq(doc) > 0 && swn_placement_find(l, doc, &p, &err) == 1 &&
	       swn_ledger_acknowledged(l, p.peer, p.msgid, &err) == 1;
}

int swn_placement_recover(struct swn_ledger *l, const char *spool_dir, const char *home,
			  int *finished, int *removed, int *failed, struct swn_err *err)
{
	struct recovery r = { l, spool_dir, home, 0, 0, 0, err };
	char in[SWN_PATH_MAX + 8];
	struct dirent *e;
	DIR *dir;
	int dfd;

	*finished = *removed = *failed = 0;
	if (swn_placement_pending(spool_dir, recover_one, &r, err) < 0)
		return -1;
	/* What an earlier version's writer left (".NAME.tmp-XXXXXX"), an
	 * attachment's temporary file whose document's is gone (finishing
	 * above wrote anew and revealed every one that had it), and the
	 * attachments of a document acknowledged by a request the node did
	 * not live to finish. */
	if ((dfd = open_in(spool_dir, in, sizeof in, err)) >= 0 && (dir = fdopendir(dfd)) != NULL) {
		while ((e = readdir(dir)) != NULL) {
			struct stat st;

			if (((e->d_name[0] == '.' && (strstr(e->d_name, ".tmp-") || is_attachment_tmp(e->d_name))) ||
			     attachment_taken(l, e->d_name)) &&
			    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
			    unlinkat(dfd, e->d_name, 0) == 0)
				r.removed++;
		}
		closedir(dir);
	} else if (dfd >= 0) {
		close(dfd);
	}
	*finished = r.finished;
	*removed = r.removed;
	*failed = r.failed;
	return r.failed ? -1 : 0;
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
	char placed[256];
	int state;

	if (seq < 0)
		return 0;
	state = swn_ledger_placement(l, seq, p, err);
	if (state < 0)
		return -1;
	return state == 2 && placed_name(p, placed, sizeof placed) == 0 && strcmp(placed, name) == 0;
}

int swn_placement_acknowledge(struct swn_ledger *l, const char *spool_dir, const char *name,
			      struct swn_ledger_placed *p, struct swn_err *err)
{
	struct swn_event ev = { "in", p->peer, p->agreement, p->doctype, p->msgid,
				"ACKNOWLEDGED_LOCAL", "taken by the domestic side" };
	static _Thread_local struct attachments atts;
	char in[SWN_PATH_MAX + 8], tmp[64];
	int found = swn_placement_find(l, name, p, err), dfd, before;

	if (found <= 0)
		return found;
	before = swn_ledger_acknowledged(l, p->peer, p->msgid, err);
	if (before < 0)
		return -1;
	if (!before && swn_ledger_append(l, &ev, NULL, 0, NULL, err) < 0) {
		if (err->code != SWN_E_EXISTS)
			return -1;
		swn_err_clear(err);
		before = 1;   /* acknowledged at the same moment by another request */
	}
	/* Recorded first: a crash now leaves a file the ledger says was
	 * taken (never revealed again), never a taken document the ledger
	 * does not know of. */
	if ((dfd = open_in(spool_dir, in, sizeof in, err)) < 0)
		return -1;
	snprintf(tmp, sizeof tmp, PLACING_PREFIX "%lld", visible_seq(name));
	unlinkat(dfd, tmp, 0);
	/* Its reason read when it was placed: it reads now. */
	if (attachments_of(l, p->peer, p->msgid, &atts, err) == 0)
		remove_attachments(dfd, visible_seq(name), name, &atts);
	remove_extras(dfd, visible_seq(name), name);
	swn_err_clear(err);
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT) {
		swn_err_set(err, SWN_E_IO, in, 0, "cannot remove %s: %s", name, strerror(errno));
		close(dfd);
		return -1;
	}
	close(dfd);
	return before ? 2 : 1;
}

int swn_placement_read(const char *spool_dir, const struct swn_ledger_placed *p, size_t limit,
		       char **data, size_t *len, struct swn_err *err)
{
	unsigned char got[32];
	char in[SWN_PATH_MAX + 8], name[256];
	int dfd, found;

	*data = NULL;
	*len = 0;
	if (placed_name(p, name, sizeof name) < 0)
		return 0;
	if ((dfd = open_in(spool_dir, in, sizeof in, err)) < 0)
		return -1;
	found = read_at(dfd, in, name, limit, data, len, got, err);
	close(dfd);
	if (found == 1 && p->has_digest && memcmp(p->digest, got, 32) != 0) {
		free(*data);
		*data = NULL;
		*len = 0;
		return swn_err_set(err, SWN_E_IO, in, 0,
				   "%s is not the document placed there: its SHA-256 differs from the "
				   "one recorded", name);
	}
	return found;
}

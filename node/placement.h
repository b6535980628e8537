/*
 * placement.h - received documents into spool/in, exactly once.
 *
 * A document becomes visible in spool/in only after the ledger records
 * that it was placed (DELIVERED_LOCAL), under a name that carries its
 * identity: DOCTYPE-SEQ.xml, SEQ (eight digits or more) being the
 * sequence number of its RECEIVED entry, unique in this ledger.  Placing
 * goes in three steps:
 *   1. write the document to spool/in/.placing-SEQ and fsync it;
 *   2. record DELIVERED_LOCAL (reason: the file's path), on disk;
 *   3. rename .placing-SEQ to DOCTYPE-SEQ.xml and fsync the directory.
 * A crash before 2 leaves a hidden file and no record: the document is
 * placed again later.  A crash between 2 and 3 leaves the hidden file and
 * the record: swn_placement_recover() finishes the rename at start rather
 * than placing again.  After 3 the document is the domestic side's: it is
 * never placed again, whether or not the file was taken.
 *
 * Every file operation is relative to spool/in opened once as a
 * directory, without following symbolic links.
 *
 * Invariants:
 *  - one DELIVERED_LOCAL per message: a unique index in the ledger, and
 *    callers place one message at a time (inbound holds its slot);
 *  - a visible DOCTYPE-SEQ.xml always has its DELIVERED_LOCAL on disk.
 */
#ifndef SWN_PLACEMENT_H
#define SWN_PLACEMENT_H

#include <stddef.h>

#include "err.h"
#include "ledger.h"

/* A received document in its domestic form, and whose it is. */
struct swn_placement {
	const char *peer, *agreement, *doctype, *msgid;
	long long seq;            /* its RECEIVED entry */
	const void *data;
	size_t len;
};

/* Place d in spool_dir/in.  0 placed now or before (path, size n, gets
 * the file's path); -1 with err (nothing visible, nothing recorded: try
 * again later). */
int swn_placement_place(struct swn_ledger *l, const char *spool_dir,
			const struct swn_placement *d, char *path, size_t n,
			struct swn_err *err);

/* At start, before anything places: rename each .placing-SEQ whose
 * DELIVERED_LOCAL is recorded, remove the others (and the temporary files
 * of earlier versions).  *finished and *removed count them. */
int swn_placement_recover(struct swn_ledger *l, const char *spool_dir, int *finished,
			  int *removed, struct swn_err *err);

/* The placed document called name (DOCTYPE-SEQ.xml, as placed): 1 and p
 * filled, 0 if no placement has that name. */
int swn_placement_find(struct swn_ledger *l, const char *name, struct swn_ledger_placed *p,
		       struct swn_err *err);

/* The domestic side took the document called name: record
 * ACKNOWLEDGED_LOCAL (once) and remove the file from spool/in if it is
 * still there.  1 acknowledged now, 2 before, 0 no such placed document. */
int swn_placement_acknowledge(struct swn_ledger *l, const char *spool_dir, const char *name,
			      struct swn_ledger_placed *p, struct swn_err *err);

/* The document called name as it lies in spool/in (a regular file, not
 * through a link, at most limit bytes): 1 and *data (malloc'd), 0 if it is
 * not there (taken). */
int swn_placement_read(const char *spool_dir, const char *name, size_t limit, char **data,
		       size_t *len, struct swn_err *err);

#endif

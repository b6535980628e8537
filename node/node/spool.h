/*
 * spool.h - the spool directories domestic systems exchange files through.
 *
 * spool/out/PARTY/: domestic documents to send to the peer with party id
 *            PARTY (dropped by domestic systems; write them under a name
 *            starting with '.' or ending in .tmp, then rename: files like
 *            that are never picked up);
 * spool/in:  mapped domestic documents received from peers, each placed
 *            once, whole, by placement.h (names starting with '.' are the
 *            node's own, never documents);
 * spool/failed: outbound files that could not be accepted, kept with the
 *            reason next to them.
 *
 * Whoever may drop files may make anything in spool/out: links, FIFOs,
 * hard links to files elsewhere.  The spool never follows a link nor
 * leaves its own tree: spool/out, spool/in and spool/failed are opened
 * once per use as directories (never through a link), each party's
 * directory likewise, and everything else is done relative to those
 * descriptors.  Only regular files with one name are taken, read from the
 * descriptor opened before they were claimed; anything else is left where
 * it is and logged once.  Nothing is ever deleted that was not submitted.
 */
#ifndef SWN_SPOOL_H
#define SWN_SPOOL_H

#include <stddef.h>

#include "base/err.h"

int swn_spool_create(const char *dir, struct swn_err *err);

/* Called for each document waiting in spool/out, claimed first (renamed
 * to spool/out/PARTY/.claim-TOKEN-NAME, durably): submit it at most once
 * under the MessageId TOKEN gives (a claim left by a crash comes back with
 * the same TOKEN, submitted or not).  fd is the claimed file, open for
 * reading at its start (the callback reads it and leaves it open); name
 * is its path, for messages only.  0 accepted (the file is removed), 1 not
 * now (the ledger cannot record: the claim stays and is tried again at
 * the next pass), -1 refused (the file moves to spool/failed/PARTY-NAME
 * with a PARTY-NAME.reason file holding why; if it cannot be moved there,
 * it stays in its directory as .refused-TOKEN-NAME, which no pass takes). */
typedef int (*swn_spool_fn)(void *ctx, const char *party, const char *name, int fd,
			    const char *token, char *why, size_t n);

/* The spool of a serving node, with what it has refused so far. */
struct swn_spool;

int swn_spool_new(const char *dir, struct swn_spool **sp, struct swn_err *err);
void swn_spool_free(struct swn_spool *sp);

/* One pass over spool/out; returns how many files were handled, -1 if
 * spool/out cannot be read. */
int swn_spool_scan(struct swn_spool *sp, swn_spool_fn fn, void *ctx, struct swn_err *err);

#endif

/*
 * spool.h - the spool directories domestic systems exchange files through.
 *
 * spool/out/PARTY/: domestic documents to send to the peer with party id
 *            PARTY (dropped by domestic systems; write them under a name
 *            starting with '.' or ending in .tmp, then rename: files like
 *            that are never picked up);
 * spool/in:  mapped domestic documents received from peers (each appears
 *            whole, by atomic rename; names starting with '.' are files
 *            being written, never documents);
 * spool/failed: outbound files that could not be accepted, kept with the
 *            reason next to them.
 */
#ifndef SWN_SPOOL_H
#define SWN_SPOOL_H

#include "err.h"

int swn_spool_create(const char *dir, struct swn_err *err);

/* Called for each document waiting in spool/out, claimed first (renamed
 * to spool/out/PARTY/.claim-TOKEN-NAME, durably): submit it at most once
 * under the MessageId TOKEN gives (a claim left by a crash comes back with
 * the same TOKEN, submitted or not).  0 accepted (the file is removed),
 * 1 not now (the ledger cannot record: the claim stays and is tried again
 * at the next pass), -1 refused (the file moves to
 * spool/failed/PARTY-NAME with a PARTY-NAME.reason file holding why). */
typedef int (*swn_spool_fn)(void *ctx, const char *party, const char *path,
			    const char *token, char *why, size_t n);

/* One pass over spool/out; returns how many files were handled. */
int swn_spool_scan(const char *dir, swn_spool_fn fn, void *ctx, struct swn_err *err);

/* Remove the temporary files a killed writer left in spool/in (".*.tmp-*").
 * Only while no other process writes there (the serve lock held). Returns
 * how many were removed. */
int swn_spool_sweep(const char *dir, struct swn_err *err);

#endif

/*
 * placement.h - received documents into spool/in, exactly once.
 *
 * A document becomes visible in spool/in only after the ledger records
 * that it was placed (DELIVERED_LOCAL: its reason ends with the file's
 * path, its evidence the bytes placed), under a name that carries
 * its identity: DOCTYPE-SEQ.xml, SEQ (eight digits or more) being the
 * sequence number of its RECEIVED entry, unique in this ledger.  Placing
 * goes in three steps:
 *   1. write the document to spool/in/.placing-SEQ and fsync it;
 *   2. record DELIVERED_LOCAL, on disk;
 *   3. rename .placing-SEQ to DOCTYPE-SEQ.xml and fsync the directory.
 * After 2 the document is never placed again.  If 3 does not happen (a
 * crash, or the rename fails: something in the way), the placement is
 * finished later from .placing-SEQ: swn_placement_finish() at runtime
 * (redelivery calls it) and swn_placement_recover() at start.  Finishing
 * reveals only the bytes recorded (a file planted under .placing-SEQ is
 * removed, not revealed) and only a document not yet acknowledged.  If 2
 * fails, .placing-SEQ stays for the ledger to decide: removed at start if
 * the record is not there, revealed if it is.
 *
 * Beside the document, also before it is revealed: the international
 * document it was mapped from, as DOCTYPE-SEQ.international, and the
 * loss report of that mapping (loss.h), as DOCTYPE-SEQ.loss-report.  Both
 * are written with the document in step 1 (.placing-SEQ-international,
 * .placing-SEQ-loss) and their SHA-256 recorded in DELIVERED_LOCAL's
 * reason, "lost N, international sha256:HEX, loss report sha256:HEX:
 * PATH"; finishing reveals only the bytes recorded, as for the document.
 *
 * A message's attachments (its payload parts after the first, swa_in.h)
 * are placed beside its document as DOCTYPE-SEQ.part-N.bin, N the MIME
 * part: in step 3, each written from the payload store (payloads.h, the
 * bytes its RECEIVED entry names, checked against their digest, gunzipped
 * when their signed type says application/gzip) to .placing-SEQ-part-N,
 * fsynced and renamed, all before the document is revealed.  So a visible
 * document's attachments are complete; finishing writes them anew; an
 * acknowledgement takes them with the document.  The list of attachments
 * is the RECEIVED entry's reason, read here (swn_swa_reason_parts): one
 * reading, for placing, finishing and acknowledging.
 *
 * Every file operation is relative to spool/in opened once as a
 * directory, without following symbolic links; something that is not a
 * regular file where a document is to appear is moved aside
 * (.in-the-way-SEQ-NAME), never deleted.
 *
 * Invariants:
 *  - one DELIVERED_LOCAL per message: a unique index in the ledger, and
 *    callers place, finish and acknowledge one message at a time (they hold
 *    the message's slot, inbound.h);
 *  - a visible DOCTYPE-SEQ.xml that the node revealed has its
 *    DELIVERED_LOCAL on disk, and the recorded SHA-256 is its content's;
 *  - a document is revealed at most once after it is acknowledged: never.
 */
#ifndef SWN_PLACEMENT_H
#define SWN_PLACEMENT_H

#include <stddef.h>

#include "base/err.h"
#include "ledger/ledger.h"

/* A received document in its domestic form, and whose it is. */
struct swn_placement {
	const char *peer, *agreement, *doctype, *msgid;
	long long seq;            /* its RECEIVED entry */
	const void *data;
	size_t len;
	const char *home;         /* the node directory: its payloads/ */
	/* Placed beside it, when international is not NULL: the international
	 * document it was mapped from and the loss report (loss.h). */
	const void *international, *loss;
	size_t international_len, loss_len, lost;
};

/* The path a DELIVERED_LOCAL reason names (the reason itself when it
 * names nothing else). */
const char *swn_placement_reason_path(const char *reason);

/* Place d in spool_dir/in (path, size n, gets the file's path).  0 visible
 * now or placed before; 1 recorded but not visible yet (finished later;
 * err says why the rename failed); -1 not recorded (err; try again
 * later). */
int swn_placement_place(struct swn_ledger *l, const char *spool_dir,
			const struct swn_placement *d, char *path, size_t n,
			struct swn_err *err);

enum swn_finish {
	SWN_FINISH_NOTHING,       /* no .placing-SEQ, or unrecorded and left */
	SWN_FINISH_REVEALED,      /* the recorded document is visible now */
	SWN_FINISH_TAKEN,         /* removed: the document was acknowledged */
	SWN_FINISH_FOREIGN,       /* removed: not the bytes recorded */
	SWN_FINISH_UNRECORDED,    /* removed: no DELIVERED_LOCAL (remove_unrecorded) */
};

/* Finish what .placing-SEQ holds, as the ledger says (above).  An
 * unrecorded one is removed only with remove_unrecorded (at start: at
 * runtime it may be a placement under way).  0 with *what, -1 with err. */
int swn_placement_finish(struct swn_ledger *l, const char *spool_dir, const char *home,
			 long long seq, int remove_unrecorded, enum swn_finish *what,
			 struct swn_err *err);

/* fn(ctx, SEQ) for each .placing-SEQ in spool_dir/in. */
int swn_placement_pending(const char *spool_dir, void (*fn)(void *ctx, long long seq), void *ctx,
			  struct swn_err *err);

/* At start, before anything places: finish every .placing-SEQ (remove the
 * unrecorded ones), then remove each .placing-SEQ-part-N left without its
 * document, the attachments of acknowledged documents (a crash between
 * the acknowledgement and their removal) and the temporary files of
 * earlier versions.  Goes on
 * past a failure: *failed counts them, err holds the first. */
int swn_placement_recover(struct swn_ledger *l, const char *spool_dir, const char *home,
			  int *finished, int *removed, int *failed, struct swn_err *err);

/* The placed document called name (DOCTYPE-SEQ.xml, as placed): 1 and p
 * filled, 0 if no placement has that name. */
int swn_placement_find(struct swn_ledger *l, const char *name, struct swn_ledger_placed *p,
		       struct swn_err *err);

/* The attachments of the message (peer, msgid) whose document was placed
 * as doc_name (DOCTYPE-SEQ.xml), as its RECEIVED entry names them: their
 * number (at most max; 0 for none), or -1 with err (SWN_E_PARSE: the
 * entry's reason does not read as parts, as those of versions before
 * the media type alone was recorded; SWN_E_DB: the ledger). */
struct swn_placement_attachment {
	unsigned part;            /* the MIME part, 2 or more */
	char file[300];           /* DOCTYPE-SEQ.part-N.bin */
};
int swn_placement_attachments(struct swn_ledger *l, const char *peer, const char *msgid,
			      const char *doc_name, struct swn_placement_attachment *out, size_t max,
			      struct swn_err *err);

/* The domestic side took the document called name: record
 * ACKNOWLEDGED_LOCAL (once) and remove the file, its attachments (and a
 * .placing-SEQ not revealed yet) from spool/in.  1 acknowledged now, 2 before, 0 no such
 * placed document.  The caller holds the message's slot. */
int swn_placement_acknowledge(struct swn_ledger *l, const char *spool_dir, const char *name,
			      struct swn_ledger_placed *p, struct swn_err *err);

/* The document placed as p, as it lies in spool/in (a regular file, not
 * through a link, at most limit bytes): 1 and *data (malloc'd), 0 if it is
 * not there (taken); -1 with err, also when its bytes are not the ones
 * recorded. */
int swn_placement_read(const char *spool_dir, const struct swn_ledger_placed *p, size_t limit,
		       char **data, size_t *len, struct swn_err *err);

#endif

/*
 * agreement.h - bilateral agreements (peers/ID.xml), swnode's P-Modes.
 *
 * An agreement (schemas/agreement.xsd, docs/agreements.md) says who the
 * peer is, where it listens, which certificates are pinned for its TLS
 * client and its signatures (each signing certificate with the window in
 * which it is accepted), which document types flow in which direction with
 * which AS4 Service and Action, the signature algorithms, the retry
 * schedule and the limits.  Its status is draft, active or suspended; only
 * an active agreement carries traffic.
 *
 * This module writes a draft agreement from a peer's certificate bundle
 * and checks agreement files, reporting every problem as FILE:LINE.
 * Agreement files are treated as untrusted input (they are often written
 * from material a peer sent): parsed by xmlsafe, validated, and every
 * pinned certificate checked against the attributes that describe it.
 */
#ifndef SWN_AGREEMENT_H
#define SWN_AGREEMENT_H

#include <time.h>

#include "bundle.h"
#include "config.h"
#include "doctype.h"
#include "err.h"
#include "schema.h"

#define SWN_AGREEMENT_NS "urn:swnode:agreement:1"

/* Defaults written into a draft; operators edit them before activating. */
#define SWN_DRAFT_VALID_DAYS        365
#define SWN_DRAFT_RETRY_INTERVALS   "30 60 120 300 600 1800 3600 7200"
#define SWN_DRAFT_MAX_MESSAGE_BYTES "10485760"
#define SWN_DRAFT_MAX_PER_MINUTE    "60000"
#define SWN_DRAFT_MAX_CLOCK_SKEW    "300"

/* What an agreement id may be, for messages. */
#define SWN_AGREEMENT_ID_RULE \
	"1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"

/* 1 if id may name an agreement (and so a file in peers/). */
int swn_agreement_id_ok(const char *id);

/* Write peers_dir/ID.xml, a draft agreement with the bundle's party. */
int swn_agreement_write_draft(const struct swn_config *cfg,
			      const struct swn_registry *reg,
			      const struct swn_bundle *peer, const char *id,
			      time_t now, char *path_out, size_t path_n,
			      struct swn_err *err);

/* Check one agreement file.  Every problem goes to report; the return
 * value is the number of problems (0: the agreement is sound).  cfg may be
 * NULL (no node to compare the local party and key with). */
int swn_agreement_check(const char *path, const struct swn_registry *reg,
			const struct swn_config *cfg, time_t now,
			swn_report_fn report, void *report_ctx);

#endif

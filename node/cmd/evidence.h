/*
 * evidence.h - the signed message of an evidence bundle, opened to check
 * its signature offline (`swnode ledger check-bundle`).
 *
 * Two forms: the body form's message.xml, signed as it is; and an
 * eDelivery message.mime, the bytes that travelled (payload parts
 * encrypted), whose signature covers each part's plaintext.  For the
 * second, the bundle carries part-N.bin, the plaintext of part N as the
 * ledger entry's reason names it (swa_in.h), and this module checks that
 * each file is that plaintext (length and SHA-256) before it lets the
 * signature be checked over them.  The content key is not in the bundle:
 * that the ciphertext decrypts to these bytes rests on the node's entry,
 * which the checkpoint commits to (docs/ledger.md says so).
 *
 * What it does not do: decide which certificates to try (cmd_audit.c).
 */
#ifndef SWN_EVIDENCE_H
#define SWN_EVIDENCE_H

#include <stddef.h>

#include <openssl/x509.h>

#include "as4/as4.h"
#include "base/err.h"

struct swn_evidence;

/* Open dir/file.  ctype NULL: the body form (an XML message or signal);
 * otherwise the MIME message's Content-Type, and reason the ledger entry's
 * reason naming its parts.  For each part, one line goes to report(arg,
 * ok, what) saying whether part-N.bin is the plaintext the entry names.
 * With reason NULL (and report NULL) only the envelope is read: enough
 * for swn_evidence_msg, not for a signature check.  NULL with err when
 * the file is not such a message or a part file is missing or differs. */
struct swn_evidence *swn_evidence_open(const char *dir, const char *file, const char *ctype,
				       const char *reason,
				       void (*report)(void *arg, int ok, const char *what),
				       void *arg, struct swn_err *err);

/* The parsed message (its header, its signature's references). */
const struct swn_as4_msg *swn_evidence_msg(const struct swn_evidence *e);

/* 0 when the message's signature verifies with cert alone. */
int swn_evidence_verify(struct swn_evidence *e, X509 *cert, struct swn_err *err);

void swn_evidence_free(struct swn_evidence *e);

#endif

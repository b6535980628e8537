/*
 * checkpoint.h - signed checkpoints of the ledger's Merkle tree.
 *
 * A checkpoint is the C2SP tlog-checkpoint body
 *     <origin>\n<tree size, decimal>\n<root hash, base64>\ntime <UTC>\n
 * signed as a C2SP signed note with the node's Ed25519 ledger key:
 *     <body>\n— <key name> <base64(key id || signature)>\n
 * where the key id is the first 4 bytes of
 * SHA-256(key name || 0x0A || 0x01 || public key) and the signature covers
 * the body including its final newline.  The origin and the key name are
 * both "<party id>/swnode-ledger" (a C2SP key name may not contain spaces
 * or '+'; party ids have neither).
 *
 * A verifier key is written "<key name>+<key id, 8 hex>+<base64(0x01 ||
 * public key)>", the form other C2SP tools read.
 */
#ifndef SWN_CHECKPOINT_H
#define SWN_CHECKPOINT_H

#include "base/swn_limits.h"

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "base/err.h"


/* "<party>/swnode-ledger". */
void swn_checkpoint_origin(const char *party, char *out, size_t n);

/* The signed note for (size, root) into out (SWN_NOTE_MAX bytes).  With
 * time (not NULL), an extension line "time <UTC>" follows the root: when
 * the node signed it (C2SP allows extension lines; verifiers that do not
 * know them ignore them). */
int swn_checkpoint_sign(EVP_PKEY *key, const char *origin, uint64_t size,
			const unsigned char root[32], const char *time, char *out, size_t n,
			struct swn_err *err);

/* Parse and verify a signed checkpoint with the Ed25519 public key pub
 * (32 bytes) and the expected origin: 0 valid, with size and root filled;
 * -1 with err otherwise. */
int swn_checkpoint_verify(const char *note, size_t len, const char *origin,
			  const unsigned char pub[32], uint64_t *size,
			  unsigned char root[32], struct swn_err *err);

/* The raw Ed25519 public key of key (32 bytes). */
int swn_checkpoint_pubkey(EVP_PKEY *key, unsigned char pub[32], struct swn_err *err);

/* The verifier key text of (origin, pub). */
void swn_checkpoint_vkey(const char *origin, const unsigned char pub[32], char *out, size_t n);

/* Parse a verifier key text: origin (name) and public key. */
int swn_checkpoint_parse_vkey(const char *vkey, char *name, size_t n,
			      unsigned char pub[32], struct swn_err *err);

#endif

/*
 * ledger.h - the node's exchange ledger (SQLite).
 *
 * The ledger records every exchange as append-only entries, with the exact
 * signed messages and receipts kept as evidence.  This file covers what
 * exists so far: creating the database with its tables and the triggers
 * that refuse UPDATE and DELETE, and opening it.
 *
 * Invariants:
 *  - The database is in WAL mode (a property of the file).  synchronous
 *    is a property of a connection: every connection that writes sets
 *    synchronous=FULL, so an event is on disk before anything acknowledges
 *    it.
 *  - The file is created 0640 (evidence holds trade documents) and never
 *    over an existing one.
 *  - entries and evidence are append-only: triggers abort any UPDATE or
 *    DELETE (a guard against accidents; tampering is for the Merkle tree).
 *  - meta.schema_version says which layout the file has.
 */
#ifndef SWN_LEDGER_H
#define SWN_LEDGER_H

#include "err.h"

#define SWN_LEDGER_SCHEMA_VERSION 1

/* Create a new ledger at path for party_id; fails if the file exists. */
int swn_ledger_create(const char *path, const char *party_id,
		      struct swn_err *err);

#endif

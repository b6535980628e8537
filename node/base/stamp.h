/*
 * stamp.h - time stamps and random ids, for every layer.
 *
 * Times are xsd:dateTime in UTC with milliseconds ("2026-12-04T18:00:00.123Z"),
 * the form of eb:Timestamp and of the ledger's entries.  Random ids are
 * version 4 UUIDs from OpenSSL's generator.
 */
#ifndef SWN_STAMP_H
#define SWN_STAMP_H

#define SWN_STAMP_BYTES 40
#define SWN_UUID_BYTES  37

/* Now, as above. */
void swn_stamp_now(char out[SWN_STAMP_BYTES]);

/* A new random UUID, lower-case hex with dashes. */
void swn_stamp_uuid(char out[SWN_UUID_BYTES]);

#endif

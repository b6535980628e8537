/*
 * party.h - a party of an exchange: its id, the id's type, its role; and
 * the one rule for party ids.
 *
 * A party id names directories and files (spool/out/PARTY/,
 * signing-PARTY.pem and signing-PARTY+N.pem in evidence bundles: no id
 * holds '+'), makes the ledger's checkpoint
 * origin and verifier key name "PARTY/swnode-ledger" (a C2SP key name may
 * hold neither '+' nor spaces) and travels in eb:PartyId.  eDelivery ids
 * fit: "domibus-blue", "urn:oasis:names:tc:ebcore:partyid-type:unregistered:C1".
 * The PartyId type of schemas/node.xsd and schemas/common-cert.xsd says the
 * same, and 255 is SWN_MAX_PARTY_ID_LEN.
 */
#ifndef SWN_PARTY_H
#define SWN_PARTY_H

#include "base/swn_limits.h"

#define SWN_DEFAULT_PARTY_TYPE "urn:oasis:names:tc:ebcore:partyid-type:unregistered"

#define SWN_PARTY_ID_RULE \
	"1-255 ASCII letters, digits, '.', '_', '-' or ':', starting with a letter or digit"

/* 1 if id is a party id by SWN_PARTY_ID_RULE. */
int swn_party_id_ok(const char *id);

/* A party as eb:From and eb:To name it, and as agreements pin it. */
struct swn_party {
	char id[SWN_PARTY_BYTES];
	char type[SWN_PARTY_BYTES];
	char role[SWN_PARTY_BYTES];
};

#endif

/* party.c - the rule for party ids; see party.h. */
#include "autoconfig.h"

#include <string.h>

#include "trust/party.h"

#define PARTY_ID_FIRST "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

int swn_party_id_ok(const char *id)
{
	size_t n = strlen(id);

	return n >= 1 && n <= SWN_MAX_PARTY_ID_LEN && strchr(PARTY_ID_FIRST, id[0]) &&
	       strspn(id, PARTY_ID_FIRST "._-:") == n;
}

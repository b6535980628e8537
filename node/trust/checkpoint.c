/* checkpoint.c - C2SP signed checkpoints; see checkpoint.h. */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "trust/checkpoint.h"

#define EM_DASH "\xE2\x80\x94"

void swn_checkpoint_origin(const char *party, char *out, size_t n)
{
	snprintf(out, n, "%s/swnode-ledger", party);
}

static void key_id(const char *name, const unsigned char pub[32], unsigned char id[4])
{
	unsigned char buf[1100], md[32];
	size_t n = strlen(name);

	if (n > sizeof buf - 34)
		n = sizeof buf - 34;   /* names are far shorter: party ids are <= 255 */
	memcpy(buf, name, n);
	buf[n] = 0x0A;
	buf[n + 1] = 0x01;
	memcpy(buf + n + 2, pub, 32);
	SHA256(buf, n + 34, md);
	memcpy(id, md, 4);
}

int swn_checkpoint_pubkey(EVP_PKEY *key, unsigned char pub[32], struct swn_err *err)
{
	size_t len = 32;

	if (!EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_get_raw_public_key(key, pub, &len) != 1 ||
	    len != 32)
		return swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "the ledger key is not an Ed25519 key");
	return 0;
}

static int b64(const unsigned char *in, size_t n, char *out, size_t cap)
{
	if (cap < 4 * ((n + 2) / 3) + 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return 0;
}

/* Strict standard base64 of exactly want bytes. */
static int unb64(const char *in, size_t len, unsigned char *out, size_t want)
{
	unsigned char buf[132];
	int n;
	size_t pad = 0;

	/* len/4*3 bytes are written: never more than the buffer holds. */
	if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof buf)
		return -1;
	if (in[len - 1] == '=')
		pad++;
	if (in[len - 2] == '=')
		pad++;
	n = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)len);
	if (n < 0 || (size_t)n - pad != want)
		return -1;
	memcpy(out, buf, want);
	return 0;
}

int swn_checkpoint_sign(EVP_PKEY *key, const char *origin, uint64_t size,
			const unsigned char root[32], const char *time, char *out, size_t n,
			struct swn_err *err)
{
	unsigned char pub[32], sig[4 + 64];
	char rootb64[48], sigb64[100];
	size_t siglen = 64;
	EVP_MD_CTX *md = NULL;
	int body;

	if (swn_checkpoint_pubkey(key, pub, err) < 0)
		return -1;
	b64(root, 32, rootb64, sizeof rootb64);
	if (time)
		body = snprintf(out, n, "%s\n%" PRIu64 "\n%s\ntime %s\n", origin, size, rootb64, time);
	else
		body = snprintf(out, n, "%s\n%" PRIu64 "\n%s\n", origin, size, rootb64);
	if (body < 0 || (size_t)body >= n)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "checkpoint too long");
	key_id(origin, pub, sig);
	if (!(md = EVP_MD_CTX_new()) || EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(md, sig + 4, &siglen, (const unsigned char *)out, (size_t)body) != 1 ||
	    siglen != 64) {
		EVP_MD_CTX_free(md);
		return swn_err_set(err, SWN_E_CRYPTO, NULL, 0, "cannot sign the checkpoint");
	}
	EVP_MD_CTX_free(md);
	b64(sig, sizeof sig, sigb64, sizeof sigb64);
	if (snprintf(out + body, n - (size_t)body, "\n" EM_DASH " %s %s\n", origin, sigb64) >=
	    (int)(n - (size_t)body))
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "checkpoint too long");
	return 0;
}

int swn_checkpoint_verify(const char *note, size_t len, const char *origin,
			  const unsigned char pub[32], uint64_t *size,
			  unsigned char root[32], struct swn_err *err)
{
	char line[SWN_NOTE_MAX], prefix[600];
	const char *sep, *p, *end, *nl;
	unsigned char id[4], sig[68];
	size_t bodylen, plen;
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *md = NULL;
	int ok = 0, lines = 0;

	if (len == 0 || len >= SWN_NOTE_MAX)
		return swn_err_set(err, SWN_E_PARSE, NULL, 0, "checkpoint of %zu bytes", len);
	memcpy(line, note, len);
	line[len] = '\0';
	if (strlen(line) != len)
		return swn_err_set(err, SWN_E_PARSE, NULL, 0, "checkpoint contains a NUL byte");
	for (p = line; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			return swn_err_set(err, SWN_E_PARSE, NULL, 0, "checkpoint contains a control character");
	/* The body ends at the last blank line. */
	sep = NULL;
	for (p = line; (p = strstr(p, "\n\n")) != NULL; p++)
		sep = p;
	if (sep == NULL)
		return swn_err_set(err, SWN_E_PARSE, NULL, 0, "not a signed note: no blank line");
	bodylen = (size_t)(sep - line) + 1;
	/* Body: origin, size, root (extension lines are allowed after). */
	p = line;
	nl = memchr(p, '\n', bodylen);
	if (!nl || (size_t)(nl - p) != strlen(origin) || memcmp(p, origin, strlen(origin)) != 0)
		return swn_err_set(err, SWN_E_SIGNATURE, NULL, 0,
				   "checkpoint origin is not '%s'", origin);
	p = nl + 1;
	{
		char *e;
		unsigned long long v;

		if (*p < '0' || *p > '9' || (*p == '0' && p[1] != '\n'))
			return swn_err_set(err, SWN_E_PARSE, NULL, 0, "checkpoint size is not a number");
		v = strtoull(p, &e, 10);
		if (*e != '\n')
			return swn_err_set(err, SWN_E_PARSE, NULL, 0, "checkpoint size is not a number");
		*size = (uint64_t)v;
		p = e + 1;
	}
	nl = strchr(p, '\n');
	if (!nl || unb64(p, (size_t)(nl - p), root, 32) < 0)
		return swn_err_set(err, SWN_E_PARSE, NULL, 0, "checkpoint root is not 32 bytes of base64");
	/* Signature lines: the first by our key decides. */
	plen = (size_t)snprintf(prefix, sizeof prefix, EM_DASH " %s ", origin);
	key_id(origin, pub, id);
	for (p = sep + 2; *p; p = end + 1) {
		end = strchr(p, '\n');
		if (!end)
			return swn_err_set(err, SWN_E_PARSE, NULL, 0, "signature line without a newline");
		if (++lines > 100)
			return swn_err_set(err, SWN_E_PARSE, NULL, 0, "too many signature lines");
		if ((size_t)(end - p) <= plen || memcmp(p, prefix, plen) != 0)
			continue;
		if (unb64(p + plen, (size_t)(end - p) - plen, sig, 68) < 0 || memcmp(sig, id, 4) != 0)
			continue;
		if (!(k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32)) ||
		    !(md = EVP_MD_CTX_new()) || EVP_DigestVerifyInit(md, NULL, NULL, NULL, k) != 1)
			break;
		ok = EVP_DigestVerify(md, sig + 4, 64, (const unsigned char *)line, bodylen) == 1;
		break;
	}
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	if (!ok)
		return swn_err_set(err, SWN_E_SIGNATURE, NULL, 0,
				   "the checkpoint is not signed by the key of %s", origin);
	return 0;
}

void swn_checkpoint_vkey(const char *origin, const unsigned char pub[32], char *out, size_t n)
{
	unsigned char id[4], raw[33];
	char b[64];

	key_id(origin, pub, id);
	raw[0] = 0x01;
	memcpy(raw + 1, pub, 32);
	b64(raw, sizeof raw, b, sizeof b);
	snprintf(out, n, "%s+%02x%02x%02x%02x+%s", origin, id[0], id[1], id[2], id[3], b);
}

int swn_checkpoint_parse_vkey(const char *vkey, char *name, size_t n,
			      unsigned char pub[32], struct swn_err *err)
{
	const char *p1 = strchr(vkey, '+'), *p2 = p1 ? strchr(p1 + 1, '+') : NULL;
	unsigned char raw[33], id[4];
	char hex[9];

	if (!p1 || !p2 || p2 - p1 != 9 || (size_t)(p1 - vkey) >= n ||
	    unb64(p2 + 1, strlen(p2 + 1), raw, 33) < 0 || raw[0] != 0x01)
		return swn_err_set(err, SWN_E_PARSE, NULL, 0, "not an Ed25519 verifier key: %.60s", vkey);
	snprintf(name, n, "%.*s", (int)(p1 - vkey), vkey);
	memcpy(pub, raw + 1, 32);
	key_id(name, pub, id);
	snprintf(hex, sizeof hex, "%02x%02x%02x%02x", id[0], id[1], id[2], id[3]);
	if (memcmp(hex, p1 + 1, 8) != 0)
		return swn_err_set(err, SWN_E_PARSE, NULL, 0, "verifier key id does not match its key");
	return 0;
}

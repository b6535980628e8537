/*
 * proof.c - proof files in JSON (jansson); see proof.h.
 *
 * Base64 is written with OpenSSL's EVP_EncodeBlock (standard alphabet,
 * padding, no line breaks) and read by a strict decoder of its own: the
 * library decoders skip whitespace and accept non-canonical padding bits,
 * and a proof file should have one spelling per hash.
 */
#include "autoconfig.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "ledger/proof.h"

#define B64_HASH_LEN 44   /* base64 of 32 bytes: 43 characters and one '=' */

static const char *const inclusion_keys[] = {
	"type", "leaf_index", "tree_size", "leaf_hash", "root", "proof", NULL,
};
static const char *const consistency_keys[] = {
	"type", "size1", "size2", "root1", "root2", "proof", NULL,
};

/* ---- base64 ---- */

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Check that s (len bytes) is canonical RFC 4648 base64 (standard alphabet,
 * padded, unused bits zero) and set *bytes to its decoded length; decode into
 * out when that length is 32.  0 when canonical, -1 when not.
 */
static int b64_decode_hash(const char *s, size_t len, size_t *bytes,
			   unsigned char out[32])
{
	size_t i, pad = 0, o = 0;
	uint32_t acc = 0;

	*bytes = 0;
	if (len == 0 || len % 4 != 0)
		return -1;
	if (s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len - pad; i++)
		if (b64_value((unsigned char)s[i]) < 0)
			return -1;
	/* The last character before the padding carries bits that must be 0. */
	if (pad == 1 && (b64_value((unsigned char)s[len - 2]) & 0x03) != 0)
		return -1;
	if (pad == 2 && (b64_value((unsigned char)s[len - 3]) & 0x0f) != 0)
		return -1;
	*bytes = len / 4 * 3 - pad;
	if (*bytes != 32)
		return 0;
	for (i = 0; i < len - pad; i++) {
		acc = (acc << 6) | (uint32_t)b64_value((unsigned char)s[i]);
		if (i % 4 == 3) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	/* 32 bytes = ten quanta and 43 - 40 = 3 characters (18 bits, 2 zero). */
	out[o++] = (unsigned char)(acc >> 10);
	out[o++] = (unsigned char)(acc >> 2);
	return 0;
}

static json_t *b64_hash(const unsigned char h[32])
{
	unsigned char s[B64_HASH_LEN + 1];

	if (EVP_EncodeBlock(s, h, 32) != B64_HASH_LEN)
		return NULL;
	return json_stringn((const char *)s, B64_HASH_LEN);
}

/* ---- writing ---- */

static int add(json_t *obj, const char *key, json_t *v)
{
	/* json_object_set_new takes v even when it fails. */
	return v != NULL && json_object_set_new(obj, key, v) == 0 ? 0 : -1;
}

int swn_proof_to_json(const struct swn_proof *p, char **out, struct swn_err *err)
{
	const char *type = NULL, *ka = NULL, *kb = NULL, *k1 = NULL, *k2 = NULL;
	json_t *obj, *path;
	char *s;
	size_t i, len;

	*out = NULL;
	switch (p->type) {
	case SWN_PROOF_INCLUSION:
		type = "inclusion";
		ka = "leaf_index";
		kb = "tree_size";
		k1 = "leaf_hash";
		k2 = "root";
		if (p->a >= p->b)
			return swn_err_set(err, SWN_E_USAGE, NULL, 0,
					   "no leaf %" PRIu64 " in a tree of %" PRIu64
					   " leaves", p->a, p->b);
		break;
	case SWN_PROOF_CONSISTENCY:
		type = "consistency";
		ka = "size1";
		kb = "size2";
		k1 = "root1";
		k2 = "root2";
		if (p->a > p->b)
			return swn_err_set(err, SWN_E_USAGE, NULL, 0,
					   "size1 %" PRIu64 " is larger than size2 %" PRIu64,
					   p->a, p->b);
		break;
	}
	if (type == NULL)
		return swn_err_set(err, SWN_E_USAGE, NULL, 0, "unknown proof type %d",
				   (int)p->type);
	if (p->b > SWN_MERKLE_MAX_SIZE)
		return swn_err_set(err, SWN_E_USAGE, NULL, 0,
				   "tree size %" PRIu64 " is over 2^63 - 1", p->b);
	if (p->n > SWN_MERKLE_MAX_PROOF)
		return swn_err_set(err, SWN_E_USAGE, NULL, 0,
				   "proof of %zu hashes, more than %d", p->n,
				   SWN_MERKLE_MAX_PROOF);

	if ((obj = json_object()) == NULL)
		goto nomem;
	if ((path = json_array()) == NULL) {
		json_decref(obj);
		goto nomem;
	}
	if (add(obj, "type", json_string(type)) < 0 ||
	    add(obj, ka, json_integer((json_int_t)p->a)) < 0 ||
	    add(obj, kb, json_integer((json_int_t)p->b)) < 0 ||
	    add(obj, k1, b64_hash(p->h1)) < 0 ||
	    add(obj, k2, b64_hash(p->h2)) < 0 ||
	    add(obj, "proof", path) < 0) {
		json_decref(obj);
		goto nomem;
	}
	for (i = 0; i < p->n; i++) {
		json_t *h = b64_hash(p->path[i]);

		if (h == NULL || json_array_append_new(path, h) < 0) {
			json_decref(obj);
			goto nomem;
		}
	}
	s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (s == NULL)
		goto nomem;
	len = strlen(s);
	if ((*out = malloc(len + 2)) == NULL) {
		free(s);
		goto nomem;
	}
	memcpy(*out, s, len);
	(*out)[len] = '\n';
	(*out)[len + 1] = '\0';
	free(s);
	return 0;

nomem:
	return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory writing a proof");
}

/* ---- reading ---- */

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:  return "an object";
	case JSON_ARRAY:   return "an array";
	case JSON_STRING:  return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL:    return "a fraction";
	case JSON_TRUE:    return "true";
	case JSON_FALSE:   return "false";
	case JSON_NULL:    return "null";
	}
	return "an unknown JSON value";
}

static int get_size(json_t *obj, const char *key, uint64_t *v, const char *name,
		    struct swn_err *err)
{
	json_t *j = json_object_get(obj, key);
	json_int_t i;

	if (!json_is_integer(j))
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "\"%s\" must be an integer, not %s", key, json_kind(j));
	i = json_integer_value(j);
	if (i < 0)
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "\"%s\" is negative (%lld)", key, (long long)i);
	*v = (uint64_t)i;
	return 0;
}

/* A hash in base64; what is "\"root\"" or "\"proof\"[3]" for messages. */
static int get_hash(json_t *j, const char *what, unsigned char out[32],
		    const char *name, struct swn_err *err)
{
	size_t bytes;

	if (!json_is_string(j))
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "%s must be a base64 string, not %s", what, json_kind(j));
	if (b64_decode_hash(json_string_value(j), json_string_length(j), &bytes,
			    out) < 0)
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "%s is not base64 (RFC 4648: standard alphabet, "
				   "padded, no spaces)", what);
	if (bytes != 32)
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "%s is %zu bytes, not a 32-byte SHA-256 hash", what,
				   bytes);
	return 0;
}

static int known_key(const char *const *keys, const char *key)
{
	for (; *keys != NULL; keys++)
		if (strcmp(*keys, key) == 0)
			return 1;
	return 0;
}

static int parse_object(json_t *obj, const char *name, struct swn_proof *p,
			struct swn_err *err)
{
	const char *const *keys;
	const char *type, *key, *ka, *kb;
	char what[40];
	json_t *t, *v, *path;
	size_t i;

	if (!json_is_object(obj))
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "a proof is a JSON object, not %s", json_kind(obj));
	t = json_object_get(obj, "type");
	if (t == NULL)
		return swn_err_set(err, SWN_E_PARSE, name, 0, "missing \"type\"");
	if (!json_is_string(t))
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "\"type\" must be a string, not %s", json_kind(t));
	type = json_string_value(t);
	if (strcmp(type, "inclusion") == 0) {
		p->type = SWN_PROOF_INCLUSION;
		keys = inclusion_keys;
	} else if (strcmp(type, "consistency") == 0) {
		p->type = SWN_PROOF_CONSISTENCY;
		keys = consistency_keys;
	} else {
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "unknown proof type \"%.64s\" (expected \"inclusion\" "
				   "or \"consistency\")", type);
	}
	for (i = 0; keys[i] != NULL; i++)
		if (json_object_get(obj, keys[i]) == NULL)
			return swn_err_set(err, SWN_E_PARSE, name, 0,
					   "missing \"%s\" in %s proof", keys[i], type);
	json_object_foreach(obj, key, v)
		if (!known_key(keys, key))
			return swn_err_set(err, SWN_E_PARSE, name, 0,
					   "unexpected key \"%.64s\" in %s proof", key, type);

	ka = keys[1];
	kb = keys[2];
	if (get_size(obj, ka, &p->a, name, err) < 0 ||
	    get_size(obj, kb, &p->b, name, err) < 0)
		return -1;
	snprintf(what, sizeof what, "\"%s\"", keys[3]);
	if (get_hash(json_object_get(obj, keys[3]), what, p->h1, name, err) < 0)
		return -1;
	snprintf(what, sizeof what, "\"%s\"", keys[4]);
	if (get_hash(json_object_get(obj, keys[4]), what, p->h2, name, err) < 0)
		return -1;

	path = json_object_get(obj, "proof");
	if (!json_is_array(path))
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "\"proof\" must be an array of base64 hashes, not %s",
				   json_kind(path));
	if (json_array_size(path) > SWN_MERKLE_MAX_PROOF)
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "\"proof\" has %zu hashes, more than %d",
				   json_array_size(path), SWN_MERKLE_MAX_PROOF);
	p->n = json_array_size(path);
	for (i = 0; i < p->n; i++) {
		snprintf(what, sizeof what, "\"proof\"[%zu]", i);
		if (get_hash(json_array_get(path, i), what, p->path[i], name, err) < 0)
			return -1;
	}

	if (p->type == SWN_PROOF_INCLUSION && p->a >= p->b)
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "leaf_index %" PRIu64 " is not in a tree of tree_size %"
				   PRIu64 " (it must be smaller)", p->a, p->b);
	if (p->type == SWN_PROOF_CONSISTENCY && p->a > p->b)
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "size1 %" PRIu64 " is larger than size2 %" PRIu64
				   " (a log only grows)", p->a, p->b);
	return 0;
}

int swn_proof_parse(const char *text, size_t len, const char *name,
		    struct swn_proof *p, struct swn_err *err)
{
	json_error_t je;
	json_t *obj;
	int rc;

	if (name == NULL)
		name = "proof";
	memset(p, 0, sizeof *p);
	if (len == 0)
		return swn_err_set(err, SWN_E_EMPTY, name, 0, "the proof is empty");
	if (len > SWN_PROOF_MAX_BYTES)
		return swn_err_set(err, SWN_E_TOO_LARGE, name, 0,
				   "the proof is %zu bytes, over the limit of %u",
				   len, SWN_PROOF_MAX_BYTES);
	if (memchr(text, '\0', len) != NULL)
		return swn_err_set(err, SWN_E_PARSE, name, 0,
				   "not a JSON proof: it contains a NUL byte");
	obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (obj == NULL)
		return swn_err_set(err, SWN_E_PARSE, name, je.line > 0 ? je.line : 0,
				   "not a JSON proof: %s (column %d)", je.text, je.column);
	rc = parse_object(obj, name, p, err);
	json_decref(obj);
	if (rc < 0)
		memset(p, 0, sizeof *p);
	return rc;
}

int swn_proof_check(const struct swn_proof *p)
{
	if (p->n > SWN_MERKLE_MAX_PROOF)
		return 0;
	switch (p->type) {
	case SWN_PROOF_INCLUSION:
		return swn_merkle_verify_inclusion(p->a, p->b, p->h1,
						   p->path,
						   p->n, p->h2);
	case SWN_PROOF_CONSISTENCY:
		return swn_merkle_verify_consistency(p->a, p->b, p->h1, p->h2,
						     p->path,
						     p->n);
	}
	return 0;
}

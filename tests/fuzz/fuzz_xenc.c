/*
 * fuzz_xenc.c - an encrypted SOAP-with-Attachments message from a peer, as
 * fuzz_mime takes it (the HTTP Content-Type up to the first newline, then
 * the body): read by the MIME reader, the envelope parsed, its XML
 * Encryption read by swn_xenc_read under each of the three profiles and,
 * when it is accepted, decrypted with the receiver's test key of that
 * profile (tests/data/phase4/).  The seeds are phase4's captures, which
 * decrypt.  What an accepted message must keep, or the target aborts:
 * at most 32 EncryptedData, each naming a payload part (never the root)
 * once; swn_xenc_all_encrypted true exactly when every payload is one of
 * them; a decryption that succeeds gives each part the ciphertext's
 * length less IV and tag; one that fails gives nothing.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "as4/as4.h"
#include "as4/mime.h"
#include "as4/xenc.h"
#include "trust/pki.h"
#include "xml/xmlsafe.h"
#include "fuzz.h"

static const struct {
	enum swn_xenc_profile profile;
	const char *dir;
} profiles[3] = {
	{ SWN_XENC_X25519, "edelivery-2.0" },
	{ SWN_XENC_ECDH_P256, "edelivery-2.0-ecdsa" },
	{ SWN_XENC_RSA_OAEP, "edelivery-1.15" },
};

static EVP_PKEY *keys[3];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[1024];
	struct swn_err err;
	int i;

	(void)argc;
	(void)argv;
	fuzz_setup();
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/tests/data/phase4/%s/b-enc.key", SWN_FUZZ_SRCDIR,
			 profiles[i].dir);
		swn_err_clear(&err);
		if (!(keys[i] = swn_key_read(path, &err)))
			fuzz_die("%s", err.msg);
	}
	return 0;
}

static void check_read(const struct swn_xenc *x, const struct swn_mime_message *mm)
{
	int seen[SWN_MIME_MAX_PARTS] = { 0 }, all = mm->nparts > 1;
	size_t i;

	if (x->ndata > SWN_MAX_PAYLOAD_PARTS)
		fuzz_die("%zu EncryptedData", x->ndata);
	for (i = 0; i < x->ndata; i++) {
		if (x->data[i].part == 0 || x->data[i].part >= mm->nparts)
			fuzz_die("an EncryptedData names part %zu of %zu", x->data[i].part, mm->nparts);
		if (seen[x->data[i].part]++)
			fuzz_die("part %zu encrypted twice", x->data[i].part);
	}
	for (i = 1; i < mm->nparts; i++)
		all = all && seen[i];
	if (swn_xenc_all_encrypted(x, mm) != all)
		fuzz_die("swn_xenc_all_encrypted says %d", !all);
}

static void decrypt(const struct swn_xenc *x, const struct swn_mime_message *mm,
		    const uint8_t *body, size_t len, EVP_PKEY *key)
{
	struct swn_xenc_body b = { body, len, -1 };
	struct swn_xenc_plaintext out;
	struct swn_err err;
	size_t i;

	swn_err_clear(&err);
	if (swn_xenc_decrypt_files(x, mm, &b, key, fuzz_tmpdir(), &out, &err) < 0) {
		if (out.nparts != 0)
			fuzz_die("a failed decryption left %zu parts", out.nparts);
		return;
	}
	if (out.nparts != x->ndata)
		fuzz_die("%zu parts decrypted of %zu", out.nparts, x->ndata);
	for (i = 0; i < out.nparts; i++)
		if (out.parts[i].len + SWN_GCM_IV_LEN + SWN_GCM_TAG_LEN !=
		    mm->parts[x->data[i].part].length)
			fuzz_die("part %zu: %llu bytes of plaintext", i,
				 (unsigned long long)out.parts[i].len);
	swn_xenc_plaintext_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ctlen = nl ? (size_t)(nl - data) : size;
	const uint8_t *body = nl ? nl + 1 : data + size;
	size_t len = size - (size_t)(body - data);
	struct swn_mime_message mm;
	struct swn_as4_msg m;
	struct swn_xenc x;
	struct swn_err err;
	xmlDocPtr doc = NULL;
	char *ct = malloc(ctlen + 1);
	int i;

	if (ct == NULL)
		fuzz_die("out of memory");
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	swn_err_clear(&err);
	if (swn_mime_read_mem(ct, body, len, "fuzz", &mm, &err) < 0) {
		free(ct);
		return 0;
	}
	doc = swn_xml_parse(mm.envelope, mm.envelope_len, "fuzz", &err);
	if (doc && swn_as4_parse_swa(doc, "fuzz", &m, &err) == 0)
		for (i = 0; i < 3; i++) {
			swn_err_clear(&err);
			if (swn_xenc_read(&m, &mm, profiles[i].profile, "fuzz", &x, &err) < 0)
				continue;
			check_read(&x, &mm);
			if (x.ndata > 0)
				decrypt(&x, &mm, body, len, keys[i]);
		}
	if (doc)
		xmlFreeDoc(doc);
	swn_mime_message_free(&mm);
	free(ct);
	return 0;
}

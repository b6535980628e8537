/* evidence.c - a bundle's signed message, opened; see evidence.h. */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "as4/as4.h"
#include "as4/mime.h"
#include "as4/wssec.h"
#include "as4/xenc.h"
#include "base/fsutil.h"
#include "base/swn_limits.h"
#include "cmd/evidence.h"
#include "ledger/payloads.h"
#include "node/node/swa_in.h"
#include "xml/xmlsafe.h"

struct swn_evidence {
	char *bytes;             /* the body form, in memory */
	size_t len;
	int fd;                  /* message.mime: read through its file, never whole */
	xmlDocPtr doc;
	struct swn_as4_msg m;
	int mime;
	struct swn_mime_message mm;
	struct swn_xenc_plaintext plain;   /* the bundle's part files */
};

void swn_evidence_free(struct swn_evidence *e)
{
	if (e == NULL)
		return;
	swn_xenc_plaintext_free(&e->plain);
	swn_mime_message_free(&e->mm);
	xmlFreeDoc(e->doc);
	free(e->bytes);
	if (e->fd >= 0)
		close(e->fd);
	free(e);
}

/* Each EncryptedData's part, paired with the entry's description of it by
 * Content-ID, its plaintext opened from part-N.bin and checked. */
static int open_parts(struct swn_evidence *e, const char *dir, const char *reason,
		      void (*report)(void *, int, const char *), void *arg, struct swn_err *err)
{
	static const enum swn_xenc_profile xps[] = { SWN_XENC_X25519, SWN_XENC_ECDH_P256,
						     SWN_XENC_RSA_OAEP };
	struct swn_swa_described d[SWN_MAX_PAYLOAD_PARTS];
	struct swn_xenc x;
	int nd, i, dirfd = -1, rc = -1;
	size_t k;

	/* Which profile's key material it carries does not matter here: only
	 * which parts are encrypted, and their signed types. */
	for (k = 0; k < sizeof xps / sizeof xps[0]; k++) {
		swn_err_clear(err);
		if (swn_xenc_read(&e->m, &e->mm, xps[k], "message.mime", &x, err) == 0)
			break;
	}
	if (k == sizeof xps / sizeof xps[0])
		return -1;
	if (!swn_xenc_all_encrypted(&x, &e->mm))
		return swn_err_set(err, SWN_E_AS4, "message.mime", 0, "not every payload part is encrypted");
	if ((nd = swn_swa_reason_parts(reason, d, SWN_MAX_PAYLOAD_PARTS)) < 0 || (size_t)nd != x.ndata)
		return swn_err_set(err, SWN_E_PARSE, NULL, 0, "the ledger entry names %d parts, "
				   "the message encrypts %zu", nd, x.ndata);
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return swn_err_set(err, SWN_E_IO, dir, 0, "cannot open the bundle");
	for (k = 0; k < x.ndata; k++) {
		struct swn_xenc_plain *f = &e->plain.parts[k];
		const char *cid = e->mm.parts[x.data[k].part].content_id;
		unsigned char md[32];
		uint64_t len;
		char name[32], what[SWN_MIME_ID_BYTES + 120];
		struct stat st;
		int ok;

		for (i = 0; i < nd && strcmp(d[i].cid, cid) != 0; i++)
			;
		if (i == nd) {
			swn_err_set(err, SWN_E_PARSE, NULL, 0, "the ledger entry does not name the part <%s>",
				    cid);
			goto done;
		}
		snprintf(name, sizeof name, "part-%u.bin", d[i].index);
		f->fd = -1;
		e->plain.nparts = k + 1;
		if ((f->fd = swn_file_open_at(dirfd, name, name, &st, err)) < 0)
			goto done;
		ok = swn_payloads_sha256(f->fd, &len, md) == 0 && len == d[i].plain_len &&
		     memcmp(md, d[i].plain_sha256, 32) == 0;
		snprintf(what, sizeof what, "%s is the plaintext of part %u <%s> the entry names (%llu "
			 "bytes)", name, d[i].index, cid, (unsigned long long)d[i].plain_len);
		report(arg, ok, what);
		if (!ok) {
			swn_err_set(err, SWN_E_SIGNATURE, name, 0, "not the plaintext the entry names");
			goto done;
		}
		f->len = len;
		snprintf(f->cid, sizeof f->cid, "%s", cid);
		snprintf(f->mime_type, sizeof f->mime_type, "%s", x.data[k].mime_type);
		snprintf(f->name, sizeof f->name, "part %u", d[i].index);
	}
	rc = 0;
done:
	OPENSSL_cleanse(&x, sizeof x);
	close(dirfd);
	return rc;
}

struct swn_evidence *swn_evidence_open(const char *dir, const char *file, const char *ctype,
				       const char *reason,
				       void (*report)(void *arg, int ok, const char *what),
				       void *arg, struct swn_err *err)
{
	struct swn_evidence *e = calloc(1, sizeof *e);
	char path[SWN_PATH_MAX + 100];
	const char *xml;
	size_t xml_len;

	if (e == NULL) {
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	e->fd = -1;
	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (ctype) {
		struct stat st;

		/* A message with parts may be a gigabyte: only its envelope is
		 * read into memory. */
		e->mime = 1;
		if ((e->fd = swn_file_open_at(AT_FDCWD, path, path, &st, err)) < 0 ||
		    swn_mime_read_fd(ctype, e->fd, file, &e->mm, err) < 0)
			goto fail;
		xml = e->mm.envelope;
		xml_len = e->mm.envelope_len;
	} else {
		if (swn_file_read(path, SWN_MAX_DOCUMENT_BYTES, &e->bytes, &e->len, err) < 0)
			goto fail;
		xml = e->bytes;
		xml_len = e->len;
	}
	if (!(e->doc = swn_xml_parse(xml, xml_len, file, err)))
		goto fail;
	if (ctype ? swn_as4_parse_swa(e->doc, file, &e->m, err) < 0 ||
		    (reason && open_parts(e, dir, reason, report, arg, err) < 0)
		  : swn_as4_parse(e->doc, file, &e->m, err) < 0)
		goto fail;
	return e;
fail:
	swn_evidence_free(e);
	return NULL;
}

const struct swn_as4_msg *swn_evidence_msg(const struct swn_evidence *e)
{
	return &e->m;
}

int swn_evidence_verify(struct swn_evidence *e, X509 *cert, struct swn_err *err)
{
	struct swn_dsig_part parts[SWN_MAX_PAYLOAD_PARTS];
	/* Ed25519 is named: swnode's verifier alone decides it (wssec.h). */
	const char *alg = EVP_PKEY_get_base_id(X509_get0_pubkey(cert)) == EVP_PKEY_ED25519
			  ? "ed25519" : NULL;

	if (!e->mime)
		return swn_wssec_verify(e->doc, &e->m, cert, alg, NULL, err);
	swn_xenc_dsig_parts(&e->plain, parts);
	return swn_wssec_verify_parts(e->doc, &e->m, parts, (int)e->plain.nparts, cert, alg, NULL,
				      err);
}

/* compose.c - document to outgoing UserMessage; see compose.h. */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "as4/compose.h"
#include "as4/gzip.h"
#include "as4/mime.h"
#include "base/fsutil.h"
#include "doc/pipeline.h"
#include "base/stamp.h"
#include "xml/xmlout.h"

int swn_compose_payload(const struct swn_registry *reg, xmlDocPtr doc, const char *name,
			swn_carries_fn carries, void *carries_ctx, struct swn_payload *p,
			struct swn_err *err)
{
	const struct swn_doctype *t;
	struct swn_mapped mapped;
	enum swn_form form;
	int rc;

	memset(p, 0, sizeof *p);
	if (swn_pipeline_validate(reg, doc, name, NULL, NULL, &p->type, &form, err) < 0)
		return -1;
	p->doc = doc;
	if (form != SWN_FORM_DOMESTIC)
		return 0;
	for (t = p->type; carries && t; t = swn_registry_next_sharing(reg, t))
		if (carries(carries_ctx, swn_doctype_id(t))) {
			p->type = t;
			break;
		}
	rc = swn_pipeline_map_valid(p->type, form, doc, name, SWN_FORM_INTERNATIONAL, NULL, NULL,
				    &mapped, &p->mapped, err);
	if (rc == 0)
		p->doc = p->mapped;
	swn_buf_free(&mapped.out);
	return rc;
}

void swn_compose_payload_free(struct swn_payload *p)
{
	xmlFreeDoc(p->mapped);
	memset(p, 0, sizeof *p);
}

void swn_compose_header(const struct swn_agreement *a, const struct swn_agreement_doc *entry,
			const char *msgid, struct swn_as4_user *u)
{
	memset(u, 0, sizeof *u);
	if (msgid)
		snprintf(u->message_id, sizeof u->message_id, "%s", msgid);
	else
		swn_as4_new_id(a->local.id, u->message_id, sizeof u->message_id);
	swn_stamp_now(u->timestamp);
	swn_as4_new_id(a->local.id, u->conversation_id, sizeof u->conversation_id);
	snprintf(u->agreement_ref, sizeof u->agreement_ref, "%s", a->id);
	snprintf(u->service, sizeof u->service, "%s", entry->service);
	snprintf(u->action, sizeof u->action, "%s", entry->action);
	u->from = a->local;
	u->to = a->peer;
}

xmlDocPtr swn_compose_envelope(const struct swn_as4_user *u, const struct swn_payload *p,
			       const struct swn_signer *signer, struct swn_err *err)
{
	struct swn_as4_msg m;
	xmlDocPtr env;

	/* Signing needs the parsed view: which elements carry the wsu:Ids. */
	if (!(env = swn_as4_build_user(u, xmlDocGetRootElement(p->doc), err)) ||
	    swn_as4_parse(env, "envelope", &m, err) < 0 ||
	    (signer && swn_wssec_sign(env, &m, signer, err) < 0)) {
		xmlFreeDoc(env);
		return NULL;
	}
	return env;
}

/* The message's bytes to a file, counted against the agreement's size. */
struct capped_fd {
	int fd;
	uint64_t written, max;
};

static int to_capped_fd(void *ctx, const void *p, size_t n, struct swn_err *err)
{
	struct capped_fd *c = ctx;

	if (n > c->max - c->written)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "the message is over the agreement's "
				   "size limit (%llu bytes)", (unsigned long long)c->max);
	if (swn_write_all(c->fd, p, n) < 0)
		return swn_err_set(err, SWN_E_IO, NULL, 0, "cannot write the message: %s", strerror(errno));
	c->written += n;
	return 0;
}

/* Attachment a (MIME part `part`) gzip'd into out: the file must not
 * change while it is read (its size and modification time are the same
 * after), and it must not compress past what a receiver inflates (the
 * ratio of SWN_GUNZIP_LIMITS_DEFAULT): the peer would refuse it as a
 * decompression bomb after it was recorded as sent. */
static int compress_attachment(const struct swn_compose_attachment *a, size_t part, int out,
			       struct swn_err *err)
{
	const struct swn_gunzip_limits lim = SWN_GUNZIP_LIMITS_DEFAULT;
	const char *name = a->name ? a->name : "an attachment";
	struct stat before, after;
	uint64_t zlen = 0;
	struct swn_err e;

	swn_err_clear(&e);
	if (fstat(a->fd, &before) < 0 || !S_ISREG(before.st_mode))
		return swn_err_set(err, SWN_E_IO, name, 0, "not a regular file");
	if (swn_gzip_compress_fd(a->fd, out, &zlen, &e) < 0)
		return swn_err_set(err, e.code, name, 0, "attachment (part %zu): %s", part + 1, e.msg);
	if (fstat(a->fd, &after) < 0 || after.st_size != before.st_size ||
	    after.st_mtim.tv_sec != before.st_mtim.tv_sec || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec)
		return swn_err_set(err, SWN_E_IO, name, 0, "the attachment changed while it was read: send "
				   "it once it is complete");
	if ((uint64_t)before.st_size > zlen * lim.max_ratio + lim.ratio_slack)
		return swn_err_set(err, SWN_E_TOO_LARGE, name, 0, "the attachment compresses more than "
				   "%llu:1 (%llu bytes to %llu): receivers refuse that as a decompression bomb",
				   (unsigned long long)lim.max_ratio, (unsigned long long)before.st_size,
				   (unsigned long long)zlen);
	return 0;
}

int swn_compose_swa(const struct swn_as4_user *u, const struct swn_payload *p,
		    const struct swn_compose_attachment *att, size_t natt,
		    const struct swn_signer *signer, enum swn_xenc_profile xp, X509 *peer_enc,
		    const char *tmpdir, uint64_t max, int out_fd, char *content_type,
		    size_t n, struct swn_compose_kept *kept, struct swn_err *err)
{
	char cid[1 + SWN_MAX_ATTACHMENTS][SWN_AS4_ID_BYTES];
	struct swn_as4_partinfo pi[1 + SWN_MAX_ATTACHMENTS];
	struct swn_xenc_part_out part[1 + SWN_MAX_ATTACHMENTS];
	struct swn_dsig_part sign[1 + SWN_MAX_ATTACHMENTS];
	struct swn_mime_payload mp[1 + SWN_MAX_ATTACHMENTS];
	struct capped_fd sink = { out_fd, 0, max };
	struct swn_mime_out mo;
	struct swn_as4_msg m;
	xmlDocPtr env = NULL;
	xmlChar *text = NULL;
	char *doc = NULL;
	size_t doc_len = 0, i, nparts = 1 + natt;
	int text_len = 0, rc = -1;

	if (natt > SWN_MAX_ATTACHMENTS)
		return swn_err_set(err, SWN_E_TOO_LARGE, NULL, 0, "%zu attachments: at most %d go with "
				   "a document", natt, SWN_MAX_ATTACHMENTS);
	memset(part, 0, sizeof part);
	for (i = 0; i < nparts; i++) {
		part[i].fd = part[i].out_fd = -1;
		if (kept)
			kept[i].fd = -1;
	}
	/* Compress, sign, encrypt: AS4's order (xenc.h).  The document is
	 * part 1 (swa_in.h), the attachments follow in the order given. */
	for (i = 0; i < nparts; i++) {
		swn_as4_new_id(u->from.id, cid[i], sizeof cid[i]);
		pi[i] = (struct swn_as4_partinfo){ cid[i], i == 0 ? "application/xml" : att[i - 1].mime_type, 1 };
		if ((part[i].fd = swn_temp_fd(tmpdir, ".swn-out", err)) < 0 ||
		    (part[i].out_fd = swn_temp_fd(tmpdir, ".swn-out", err)) < 0)
			goto done;
		part[i].content_id = cid[i];
		part[i].mime_type = "application/gzip";
	}
	if (swn_xml_to_bytes(p->doc, &doc, &doc_len, err) < 0 ||
	    swn_gzip_compress_mem(doc, doc_len, part[0].fd, NULL, err) < 0)
		goto done;
	for (i = 1; i < nparts; i++)
		if (compress_attachment(&att[i - 1], i, part[i].fd, err) < 0)
			goto done;
	if (!(env = swn_as4_build_user_swa(u, pi, nparts, err)) ||
	    swn_as4_parse_swa(env, "envelope", &m, err) < 0)
		goto done;
	swn_xenc_sign_view(part, nparts, sign);
	if (swn_wssec_sign_parts(env, &m, sign, nparts, signer, err) < 0 ||
	    swn_xenc_encrypt_parts(env, &m, part, nparts, xp, peer_enc, err) < 0)
		goto done;
	xmlDocDumpMemoryEnc(env, &text, &text_len, "UTF-8");
	if (text == NULL) {
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "cannot serialise the envelope");
		goto done;
	}
	for (i = 0; i < nparts; i++)
		mp[i] = (struct swn_mime_payload){ cid[i], "application/octet-stream", NULL, 0, part[i].out_fd };
	memset(&mo, 0, sizeof mo);
	mo.envelope = (const char *)text;
	mo.envelope_len = (size_t)text_len;
	mo.payloads = mp;
	mo.npayloads = nparts;
	if (swn_mime_write(&mo, NULL, to_capped_fd, &sink, content_type, n, err) < 0)
		goto done;
	for (i = 0; kept && i < nparts; i++) {
		off_t end = lseek(part[i].fd, 0, SEEK_END);

		if (end < 0) {
			swn_err_set(err, SWN_E_IO, NULL, 0, "cannot measure the plaintext part");
			goto done;
		}
		kept[i].len = (uint64_t)end;
		snprintf(kept[i].cid, sizeof kept[i].cid, "%s", cid[i]);
		kept[i].mime_type = part[i].mime_type;
	}
	for (i = 0; kept && i < nparts; i++) {
		kept[i].fd = part[i].fd;
		part[i].fd = -1;
	}
	rc = 0;
done:
	for (i = 0; i < nparts; i++) {
		if (part[i].fd >= 0)
			close(part[i].fd);
		if (part[i].out_fd >= 0)
			close(part[i].out_fd);
	}
	xmlFree(text);
	xmlFreeDoc(env);
	free(doc);
	return rc;
}

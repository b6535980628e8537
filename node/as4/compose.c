/* compose.c - document to outgoing UserMessage; see compose.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "as4/compose.h"
#include "as4/gzip.h"
#include "as4/mime.h"
#include "base/fsutil.h"
#include "doc/pipeline.h"
#include "base/stamp.h"
#include "xml/xmlout.h"

int swn_compose_payload(const struct swn_registry *reg, xmlDocPtr doc, const char *name,
			struct swn_payload *p, struct swn_err *err)
{
	struct swn_mapped mapped;
	enum swn_form form;
	int rc;

	memset(p, 0, sizeof *p);
	if (swn_pipeline_validate(reg, doc, name, NULL, NULL, &p->type, &form, err) < 0)
		return -1;
	p->doc = doc;
	if (form != SWN_FORM_DOMESTIC)
		return 0;
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

static int to_buf(void *ctx, const void *p, size_t n, struct swn_err *err)
{
	return swn_buf_add(ctx, p, n, err);
}

int swn_compose_swa(const struct swn_as4_user *u, const struct swn_payload *p,
		    const struct swn_signer *signer, enum swn_xenc_profile xp, X509 *peer_enc,
		    const char *tmpdir, size_t max, struct swn_buf *out, char *content_type,
		    size_t n, struct swn_compose_kept *kept, struct swn_err *err)
{
	char cid[SWN_AS4_ID_BYTES];
	struct swn_as4_partinfo pi;
	struct swn_xenc_part_out part;
	struct swn_dsig_part sign;
	struct swn_mime_payload mp;
	struct swn_mime_out mo;
	struct swn_as4_msg m;
	xmlDocPtr env = NULL;
	xmlChar *text = NULL;
	char *doc = NULL;
	size_t doc_len = 0;
	int text_len = 0, rc = -1;

	memset(&part, 0, sizeof part);
	part.fd = part.out_fd = -1;
	if (kept)
		kept->fd = -1;
	swn_buf_free(out);
	swn_buf_init(out, max);
	swn_as4_new_id(u->from.id, cid, sizeof cid);
	pi = (struct swn_as4_partinfo){ cid, "application/xml", 1 };
	/* Compress, sign, encrypt: AS4's order (xenc.h). */
	if (swn_xml_to_bytes(p->doc, &doc, &doc_len, err) < 0 ||
	    (part.fd = swn_temp_fd(tmpdir, ".swn-out", err)) < 0 ||
	    (part.out_fd = swn_temp_fd(tmpdir, ".swn-out", err)) < 0 ||
	    swn_gzip_compress_mem(doc, doc_len, part.fd, NULL, err) < 0 ||
	    !(env = swn_as4_build_user_swa(u, &pi, 1, err)) ||
	    swn_as4_parse_swa(env, "envelope", &m, err) < 0)
		goto done;
	part.content_id = cid;
	part.mime_type = "application/gzip";
	swn_xenc_sign_view(&part, 1, &sign);
	if (swn_wssec_sign_parts(env, &m, &sign, 1, signer, err) < 0 ||
	    swn_xenc_encrypt_parts(env, &m, &part, 1, xp, peer_enc, err) < 0)
		goto done;
	xmlDocDumpMemoryEnc(env, &text, &text_len, "UTF-8");
	if (text == NULL) {
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "cannot serialise the envelope");
		goto done;
	}
	mp = (struct swn_mime_payload){ cid, "application/octet-stream", NULL, 0, part.out_fd };
	memset(&mo, 0, sizeof mo);
	mo.envelope = (const char *)text;
	mo.envelope_len = (size_t)text_len;
	mo.payloads = &mp;
	mo.npayloads = 1;
	rc = swn_mime_write(&mo, NULL, to_buf, out, content_type, n, err);
	if (rc == 0 && kept) {
		off_t end = lseek(part.fd, 0, SEEK_END);

		if (end < 0) {
			rc = swn_err_set(err, SWN_E_IO, NULL, 0, "cannot measure the plaintext part");
			goto done;
		}
		kept->len = (uint64_t)end;
		snprintf(kept->cid, sizeof kept->cid, "%s", cid);
		kept->mime_type = part.mime_type;
		kept->fd = part.fd;
		part.fd = -1;
	}
done:
	if (rc < 0)
		swn_buf_free(out);
	if (part.fd >= 0)
		close(part.fd);
	if (part.out_fd >= 0)
		close(part.out_fd);
	xmlFree(text);
	xmlFreeDoc(env);
	free(doc);
	return rc;
}

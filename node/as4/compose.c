/* compose.c - document to outgoing UserMessage; see compose.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "as4/compose.h"
#include "doc/pipeline.h"
#include "base/stamp.h"

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

/* cmd_as4.c - swnode as4 verify | pack: AS4 messages by hand. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trust/agreement.h"
#include "as4/as4.h"
#include "cmd/cli.h"
#include "as4/compose.h"
#include "base/escape.h"
#include "base/fsutil.h"
#include "trust/pki.h"
#include "base/swn_limits.h"
#include "as4/wssec.h"
#include "xml/xmlout.h"
#include "xml/xmlsafe.h"

static const char *kind_name(enum swn_as4_kind k)
{
	switch (k) {
	case SWN_AS4_USER_MESSAGE: return "UserMessage";
	case SWN_AS4_RECEIPT:      return "Receipt";
	case SWN_AS4_ERROR:        return "Error signal";
	}
	return "?";
}

/* What the message says of itself, escaped: it may hold anything. */
static void print_header(const char *file, const struct swn_as4_msg *m)
{
	char id[SWN_ESCAPED_SIZE(SWN_AS4_ID_BYTES)], ref[SWN_ESCAPED_SIZE(SWN_AS4_ID_BYTES)];
	char from[SWN_ESCAPED_SIZE(SWN_PARTY_BYTES)], to[SWN_ESCAPED_SIZE(SWN_PARTY_BYTES)];

	swn_escape(id, sizeof id, m->message_id);
	if (m->kind == SWN_AS4_USER_MESSAGE) {
		swn_escape(from, sizeof from, m->user.from.id);
		swn_escape(to, sizeof to, m->user.to.id);
		printf("%s: UserMessage %s from %s to %s\n", file, id, from, to);
	} else {
		swn_escape(ref, sizeof ref, m->ref_to[0] ? m->ref_to : "nothing");
		printf("%s: %s %s (reply to %s)\n", file, kind_name(m->kind), id, ref);
	}
}

static void print_reference(const struct swn_dsig_ref *r)
{
	char uri[SWN_ESCAPED_SIZE(sizeof r->uri)], target[SWN_ESCAPED_SIZE(sizeof r->target)];
	char prefixes[SWN_ESCAPED_SIZE(sizeof r->prefixes)];

	swn_escape(uri, sizeof uri, r->uri);
	swn_escape(target, sizeof target, r->target);
	swn_escape(prefixes, sizeof prefixes, r->prefixes);
	printf("reference  %s -> %s: digest %s%s%s%s\n", uri, target,
	       r->digest_ok == 1 ? "matches" : r->digest_ok == 0 ? "DOES NOT MATCH" : "not computed",
	       prefixes[0] ? " (InclusiveNamespaces PrefixList \"" : "", prefixes,
	       prefixes[0] ? "\")" : "");
}

int cmd_as4_verify(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *certpath = NULL, *file;
	struct swn_wssec_report rep;
	struct swn_as4_msg m;
	struct swn_cert_info info;
	struct swn_err err;
	xmlDocPtr doc;
	X509 *cert;
	int c, i, rc;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 'c')
			certpath = optarg;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (certpath == NULL)
		return swn_cli_usage_error(ctx, "--cert PEM is required");
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one FILE");
	file = argv[optind];
	if (swn_cmd_setup(ctx, &err) < 0 || !(cert = swn_cert_read(certpath, &err)))
		return swn_cli_fail(&err);
	if (!(doc = swn_xml_read(file, SWN_MAX_DOCUMENT_BYTES, &err)) ||
	    swn_as4_parse(doc, file, &m, &err) < 0) {
		swn_err_print(&err, stderr);
		printf("%s: not an AS4 message\n", file);
		xmlFreeDoc(doc);
		X509_free(cert);
		return SWN_EXIT_USAGE;
	}
	swn_cert_describe(cert, &info);
	print_header(file, &m);
	rc = swn_wssec_verify(doc, &m, cert, NULL, &rep, &err);
	printf("key        %s (%s, sha256 %s) from %s; the message's own KeyInfo is %s\n",
	       info.subject, rep.sig.sig_alg, info.sha256, certpath,
	       rep.key_info_ignored ? "not used" : "absent");
	for (i = 0; i < rep.sig.nrefs; i++)
		print_reference(&rep.sig.refs[i]);
	if (rep.sig.signature_ok >= 0)
		printf("signature  %s\n", rep.sig.signature_ok ? "verifies with the certificate"
							 : "DOES NOT VERIFY");
	/* "valid" only when every check passed, the last being libxmlsec1's. */
	if (rc == 0 && rep.xmlsec_confirmed) {
		printf("valid\n");
	} else {
		char why[SWN_ESCAPED_SIZE(sizeof err.msg)];

		swn_escape(why, sizeof why, err.msg);
		printf("invalid: %s\n", why);
	}
	xmlFreeDoc(doc);
	X509_free(cert);
	return rc == 0 ? SWN_EXIT_OK : SWN_EXIT_FAIL;
}

/* Build (and sign unless !sign) a UserMessage for doc under agreement a. */
static xmlDocPtr pack(const struct swn_config *cfg, const struct swn_registry *reg,
		      const struct swn_agreement *a, xmlDocPtr doc, const char *name,
		      const char *msgid, int sign, struct swn_as4_user *u, struct swn_err *err)
{
	const struct swn_agreement_doc *entry;
	struct swn_signer *signer = NULL;
	struct swn_payload p;
	xmlDocPtr env = NULL;

	if (swn_compose_payload(reg, doc, name, &p, err) < 0)
		return NULL;
	entry = swn_agreement_doc(a, swn_doctype_id(p.type));
	if (entry == NULL || !entry->out) {
		swn_err_set(err, SWN_E_CONFIG, a->path, 0,
			    "agreement %s does not allow sending %s documents", a->id,
			    swn_doctype_id(p.type));
	} else if (!sign || swn_signer_load(cfg->signing_key, cfg->signing_cert, &signer, err) == 0) {
		swn_compose_header(a, entry, msgid, u);
		env = swn_compose_envelope(u, &p, signer, err);
	}
	swn_signer_free(signer);
	swn_compose_payload_free(&p);
	return env;
}

int cmd_as4_pack(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "agreement", required_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ "message-id", required_argument, NULL, 'm' },
		{ "unsigned", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *id = NULL, *out = NULL, *file, *msgid = NULL;
	int sign = 1;
	char path[SWN_PATH_MAX + 80];
	const struct swn_config *cfg;
	const struct swn_registry *reg;
	struct swn_agreement *a = NULL;
	struct swn_as4_user u;
	struct swn_err err;
	xmlDocPtr doc = NULL, env = NULL;
	char *bytes = NULL;
	size_t len = 0;
	int c, rc = SWN_EXIT_FAIL;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "o:", opts)) != -1) {
		if (c == 'a')
			id = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 'm')
			msgid = optarg;
		else if (c == 'u')
			sign = 0;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (id == NULL)
		return swn_cli_usage_error(ctx, "--agreement ID is required");
	if (msgid && !swn_as4_message_id_ok(msgid))
		return swn_cli_usage_error(ctx, "--message-id must be " SWN_AS4_MESSAGE_ID_RULE);
	if (!swn_agreement_id_ok(id))
		return swn_cli_usage_error(ctx, "agreement id '%s' is not allowed: use " SWN_AGREEMENT_ID_RULE, id);
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one FILE");
	file = argv[optind];
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	cfg = ctx->cfg;
	reg = ctx->reg;
	snprintf(path, sizeof path, "%s/%s.xml", cfg->peers_dir, id);
	if (swn_agreement_load(path, reg, cfg, &a, &err) < 0 ||
	    !(doc = swn_xml_read(file, SWN_MAX_DOCUMENT_BYTES, &err)) ||
	    !(env = pack(cfg, reg, a, doc, file, msgid, sign, &u, &err)))
		goto done;
	/* Never reformat a signed document: the bytes are what was signed. */
	if (swn_xml_to_bytes(env, &bytes, &len, &err) < 0 || swn_write_output(out, bytes, len, &err) < 0)
		goto done;
	fprintf(stderr, "swnode: packed %s as UserMessage %s (%s, %s) %s%s\n",
		file, u.message_id, u.service, u.action, sign ? "signed with " : "unsigned",
		sign ? a->outbound_alg : "");
	rc = SWN_EXIT_OK;
done:
	if (rc != SWN_EXIT_OK)
		swn_cli_fail(&err);
	free(bytes);
	xmlFreeDoc(env);
	xmlFreeDoc(doc);
	swn_agreement_free(a);
	return rc;
}

int cmd_as4_sign(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *file;
	const struct swn_config *cfg;
	struct swn_signer *signer = NULL;
	struct swn_as4_msg m;
	struct swn_err err;
	xmlDocPtr doc = NULL;
	char *bytes = NULL;
	size_t len = 0;
	int c, rc = SWN_EXIT_FAIL;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "o:", opts)) != -1) {
		if (c == 'o')
			out = optarg;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one FILE");
	file = argv[optind];
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	cfg = ctx->cfg;
	if (!(doc = swn_xml_read(file, SWN_MAX_DOCUMENT_BYTES, &err)) ||
	    swn_as4_parse(doc, file, &m, &err) < 0 ||
	    swn_signer_load(cfg->signing_key, cfg->signing_cert, &signer, &err) < 0 ||
	    swn_wssec_sign(doc, &m, signer, &err) < 0)
		goto done;
	if (swn_xml_to_bytes(doc, &bytes, &len, &err) < 0 || swn_write_output(out, bytes, len, &err) < 0)
		goto done;
	rc = SWN_EXIT_OK;
done:
	if (rc != SWN_EXIT_OK)
		swn_cli_fail(&err);
	free(bytes);
	xmlFreeDoc(doc);
	swn_signer_free(signer);
	return rc;
}

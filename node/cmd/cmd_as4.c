/* cmd_as4.c - swnode as4 verify | pack: AS4 messages by hand. */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trust/agreement.h"
#include "as4/as4.h"
#include "cmd/cli.h"
#include "as4/compose.h"
#include "as4/mime.h"
#include "as4/xenc.h"
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

/* The signature's verdict, printed the same way for both forms: the key,
 * each reference, the value, then "valid" or "invalid: why".  rc is the
 * verification's result; confirmed says whether the last check passed
 * (libxmlsec1's re-check for the body form, nothing more for parts). */
static int print_verdict(const struct swn_wssec_report *rep, const struct swn_cert_info *info,
			 const char *certpath, int rc, int confirmed, const struct swn_err *err)
{
	int i;

	printf("key        %s (%s, sha256 %s) from %s; the message's own KeyInfo is %s\n",
	       info->subject, rep->sig.sig_alg, info->sha256, certpath,
	       rep->key_info_ignored ? "not used" : "absent");
	for (i = 0; i < rep->sig.nrefs; i++)
		print_reference(&rep->sig.refs[i]);
	if (rep->sig.signature_ok >= 0)
		printf("signature  %s\n", rep->sig.signature_ok ? "verifies with the certificate"
							  : "DOES NOT VERIFY");
	if (rc == 0 && confirmed) {
		printf("valid\n");
		return SWN_EXIT_OK;
	}
	{
		char why[SWN_ESCAPED_SIZE(sizeof err->msg)];

		swn_escape(why, sizeof why, err->msg);
		printf("invalid: %s\n", why);
	}
	return SWN_EXIT_FAIL;
}

/* The eDelivery profile names and how their content key reaches us. */
static const struct {
	const char *name;
	enum swn_xenc_profile enc;
	int key_type;              /* the receiver's encryption key */
	const char *key_name;
} swa_profiles[] = {
	{ "edelivery-2.0", SWN_XENC_X25519, EVP_PKEY_X25519, "X25519" },
	{ "edelivery-2.0-ecdsa", SWN_XENC_ECDH_P256, EVP_PKEY_EC, "EC P-256" },
	{ "edelivery-1.15", SWN_XENC_RSA_OAEP, EVP_PKEY_RSA, "RSA" },
};

/* What as4 verify needs for a SOAP-with-Attachments message. */
struct swa_args {
	const char *content_type;
	const char *enc_key;
	const char *profile;
};

/* A message with MIME parts (the HTTP body in file, its Content-Type
 * given): read strictly, its parts decrypted with our key, then the
 * signature checked over the decrypted parts, as the node will receive
 * eDelivery AS4 messages.  Exit as cmd_as4_verify's. */
static int verify_swa(const char *file, const struct swa_args *a, X509 *cert,
		      const char *certpath, const struct swn_cert_info *info)
{
	struct swn_mime_message mm = { 0 };
	struct swn_xenc_plaintext out = { 0 };
	struct swn_dsig_part parts[SWN_MAX_PAYLOAD_PARTS];
	struct swn_wssec_report rep;
	static struct swn_xenc x;
	struct swn_as4_msg m;
	struct swn_xenc_body body = { NULL, 0, -1 };
	struct swn_err err;
	struct stat st;
	const char *tmp = getenv("TMPDIR");
	EVP_PKEY *priv = NULL;
	xmlDocPtr doc = NULL;
	size_t i, p;
	int rc = SWN_EXIT_USAGE;

	swn_err_clear(&err);
	memset(&rep, 0, sizeof rep);
	for (p = 0; p < sizeof swa_profiles / sizeof swa_profiles[0]; p++)
		if (strcmp(a->profile, swa_profiles[p].name) == 0)
			break;
	if (p == sizeof swa_profiles / sizeof swa_profiles[0]) {
		fprintf(stderr, "swnode: --profile must be edelivery-2.0, edelivery-2.0-ecdsa or "
			"edelivery-1.15\n");
		return SWN_EXIT_USAGE;
	}
	/* This machine's own files first: a fault here is ours (exit 2, the
	 * file named), never the partner message's. */
	if (!(priv = swn_key_read(a->enc_key, &err))) {
		swn_err_print(&err, stderr);
		goto done;
	}
	if (EVP_PKEY_get_base_id(priv) != swa_profiles[p].key_type) {
		fprintf(stderr, "swnode: %s: %s needs the receiver's %s key\n", a->enc_key,
			a->profile, swa_profiles[p].key_name);
		goto done;
	}
	tmp = tmp && tmp[0] ? tmp : "/tmp";
	if (stat(tmp, &st) < 0 || !S_ISDIR(st.st_mode) || access(tmp, W_OK | X_OK) < 0) {
		fprintf(stderr, "swnode: %s: the parts are decrypted into TMPDIR, which must be a "
			"directory this user can write\n", tmp);
		goto done;
	}
	if ((body.fd = swn_file_open_at(AT_FDCWD, file, file, &st, &err)) < 0 ||
	    swn_mime_read_fd(a->content_type, body.fd, file, &mm, &err) < 0 ||
	    !(doc = swn_xml_parse(mm.envelope, mm.envelope_len, file, &err)) ||
	    swn_as4_parse_swa(doc, file, &m, &err) < 0) {
		swn_err_print(&err, stderr);
		printf("%s: not an AS4 message with MIME parts\n", file);
		goto done;
	}
	print_header(file, &m);
	rc = SWN_EXIT_FAIL;
	if (swn_xenc_read(&m, &mm, swa_profiles[p].enc, file, &x, &err) < 0)
		goto refused;
	if (!swn_xenc_all_encrypted(&x, &mm)) {
		swn_err_set(&err, SWN_E_AS4, file, 0, "not every payload part is encrypted: the "
			    "eDelivery profiles encrypt them all");
		goto refused;
	}
	if (swn_xenc_decrypt_files(&x, &mm, &body, priv, tmp, &out, &err) < 0)
		goto refused;
	for (i = 0; i < out.nparts; i++) {
		char cid[SWN_ESCAPED_SIZE(SWN_MIME_ID_BYTES)], type[SWN_ESCAPED_SIZE(SWN_MIME_VALUE_BYTES)];

		swn_escape(cid, sizeof cid, out.parts[i].cid);
		swn_escape(type, sizeof type, out.parts[i].mime_type);
		printf("part       %s <%s>: %s, %llu bytes, decrypted (%s)\n", out.parts[i].name,
		       cid, type,
		       (unsigned long long)out.parts[i].len, swn_xenc_profile_name(swa_profiles[p].enc));
	}
	swn_xenc_dsig_parts(&out, parts);
	rc = swn_wssec_verify_parts(doc, &m, parts, (int)out.nparts, cert, NULL, &rep, &err);
	rc = print_verdict(&rep, info, certpath, rc, 1, &err);
	goto done;
refused:
	{
		char why[SWN_ESCAPED_SIZE(sizeof err.msg)];

		swn_escape(why, sizeof why, err.msg);
		printf("invalid: %s\n", why);
	}
done:
	swn_xenc_plaintext_free(&out);
	OPENSSL_cleanse(&x, sizeof x);
	EVP_PKEY_free(priv);
	xmlFreeDoc(doc);
	swn_mime_message_free(&mm);
	if (body.fd >= 0)
		close(body.fd);
	return rc;
}

int cmd_as4_verify(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "content-type", required_argument, NULL, 't' },
		{ "enc-key", required_argument, NULL, 'k' },
		{ "profile", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct swa_args swa = { NULL, NULL, NULL };
	const char *certpath = NULL, *file;
	struct swn_wssec_report rep;
	struct swn_as4_msg m;
	struct swn_cert_info info;
	struct swn_err err;
	xmlDocPtr doc;
	X509 *cert;
	int c, rc, ed_signal;

	swn_err_clear(&err);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 'c')
			certpath = optarg;
		else if (c == 't')
			swa.content_type = optarg;
		else if (c == 'k')
			swa.enc_key = optarg;
		else if (c == 'p')
			swa.profile = optarg;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (certpath == NULL)
		return swn_cli_usage_error(ctx, "--cert PEM is required");
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one FILE");
	if (swa.content_type && (!swa.enc_key || !swa.profile))
		return swn_cli_usage_error(ctx, "a message with MIME parts (--content-type) needs "
					   "--enc-key PEM and --profile to decrypt its parts");
	if (!swa.content_type && (swa.enc_key || swa.profile))
		return swn_cli_usage_error(ctx, "--enc-key and --profile go with --content-type");
	file = argv[optind];
	if (swn_cmd_setup(ctx, &err) < 0 || !(cert = swn_cert_read(certpath, &err)))
		return swn_cli_fail(&err);
	if (swa.content_type) {
		swn_cert_describe(cert, &info);
		rc = verify_swa(file, &swa, cert, certpath, &info);
		X509_free(cert);
		return rc;
	}
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
	/* An eDelivery 2.0 signal (Receipt, eb:Error) is signed with Ed25519,
	 * which swnode's verifier alone decides (wssec.h). */
	ed_signal = m.kind != SWN_AS4_USER_MESSAGE &&
		    EVP_PKEY_get_base_id(X509_get0_pubkey(cert)) == EVP_PKEY_ED25519;
	rc = swn_wssec_verify(doc, &m, cert, ed_signal ? "ed25519" : NULL, &rep, &err);
	/* "valid" only when every check passed, the last being libxmlsec1's
	 * where it can check. */
	rc = print_verdict(&rep, &info, certpath, rc, ed_signal || rep.xmlsec_confirmed, &err);
	xmlFreeDoc(doc);
	X509_free(cert);
	return rc;
}

static int agreement_carries(void *ctx, const char *doctype)
{
	const struct swn_agreement_doc *d = swn_agreement_doc(ctx, doctype);

	return d && d->out;
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

	if (swn_compose_payload(reg, doc, name, agreement_carries, (void *)a, &p, err) < 0)
		return NULL;
	entry = swn_agreement_doc(a, swn_doctype_id(p.type));
	if (a->profile->id != SWN_PROFILE_BODY) {
		swn_err_set(err, SWN_E_CONFIG, a->path, 0,
			    "agreement %s uses profile %s; as4 pack writes the body profile only",
			    a->id, a->profile->name);
	} else if (entry == NULL || !entry->out) {
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

/*
 * swa_compose - an eDelivery AS4 request as swnode composes it, for a
 * foreign gateway to judge (tests/cmd/phase4.sh), and its reply checked.
 *
 * compose: one payload as a MIME part, in the order xenc.h gives: the
 *   envelope with its eb:PartInfo, signed over the plaintext
 *   (swn_wssec_sign_parts), encrypted to the recipient's certificate
 *   (swn_xenc_encrypt_parts), MIME-written.  Writes the body to OUT and
 *   prints three lines: "MessageId: ID", "Content-ID: ID" (the part's)
 *   and "Content-Type: VALUE" (the HTTP header's).
 *     swa_compose compose PROFILE SIGN.key SIGN.crt PEER_ENC.crt FROM TO
 *                 SERVICE ACTION MIME_TYPE PAYLOAD OUT
 *   PROFILE is edelivery-1.15, edelivery-2.0-ecdsa or edelivery-2.0.
 *   Environment: SWA_COMPOSE_AGREEMENT sets eb:AgreementRef (default
 *   urn:as4:agreement), SWA_COMPOSE_PARTY_TYPE the PartyId type (default
 *   none), SWA_COMPOSE_PLAIN=1 leaves the part unencrypted,
 *   SWA_COMPOSE_MSGID sets the MessageId.
 *
 * reply: a synchronous reply (one SOAP envelope) checked: "receipt" must
 *   be a Receipt for MESSAGE_ID signed with PEER_SIGN.crt (swnode's
 *   verifier: wssec, or dsig alone for Ed25519), whose NonRepudiationInformation has NREFS references;
 *   "error" an ebMS Error signal for MESSAGE_ID.  Prints what it found;
 *   exit 0 only if it is what was expected.
 *     swa_compose reply receipt|error REPLY PEER_SIGN.crt MESSAGE_ID NREFS
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "as4/as4.h"
#include "as4/dsig.h"
#include "as4/mime.h"
#include "as4/wssec.h"
#include "as4/xenc.h"
#include "base/fsutil.h"
#include "base/stamp.h"
#include "trust/pki.h"
#include "xml/xmlsafe.h"

#define INITIATOR "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/initiator"
#define RESPONDER "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/responder"

static int fail(const char *what, const struct swn_err *err)
{
	fprintf(stderr, "swa_compose: %s: %s\n", what, err ? err->msg : "");
	return 1;
}

static int profile_of(const char *name, enum swn_xenc_profile *p)
{
	if (strcmp(name, "edelivery-1.15") == 0)
		*p = SWN_XENC_RSA_OAEP;
	else if (strcmp(name, "edelivery-2.0-ecdsa") == 0)
		*p = SWN_XENC_ECDH_P256;
	else if (strcmp(name, "edelivery-2.0") == 0)
		*p = SWN_XENC_X25519;
	else
		return -1;
	return 0;
}

static void fill_user(struct swn_as4_user *u, char **argv)
{
	memset(u, 0, sizeof *u);
	if (getenv("SWA_COMPOSE_MSGID"))
		snprintf(u->message_id, sizeof u->message_id, "%s", getenv("SWA_COMPOSE_MSGID"));
	else
		swn_as4_new_id("swnode.invalid", u->message_id, sizeof u->message_id);
	swn_stamp_now(u->timestamp);
	swn_as4_new_id("conversation.swnode.invalid", u->conversation_id,
		       sizeof u->conversation_id);
	snprintf(u->agreement_ref, sizeof u->agreement_ref, "%s",
		 getenv("SWA_COMPOSE_AGREEMENT") ? getenv("SWA_COMPOSE_AGREEMENT") : "urn:as4:agreement");
	if (getenv("SWA_COMPOSE_PARTY_TYPE")) {
		snprintf(u->from.type, sizeof u->from.type, "%s", getenv("SWA_COMPOSE_PARTY_TYPE"));
		snprintf(u->to.type, sizeof u->to.type, "%s", getenv("SWA_COMPOSE_PARTY_TYPE"));
	}
	snprintf(u->from.id, sizeof u->from.id, "%s", argv[4]);
	snprintf(u->from.role, sizeof u->from.role, "%s", INITIATOR);
	snprintf(u->to.id, sizeof u->to.id, "%s", argv[5]);
	snprintf(u->to.role, sizeof u->to.role, "%s", RESPONDER);
	snprintf(u->service, sizeof u->service, "%s", argv[6]);
	snprintf(u->action, sizeof u->action, "%s", argv[7]);
}

/* An unlinked temporary file for the cipher value. */
static int temp_fd(void)
{
	char path[] = "/tmp/swa_compose.XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0)
		unlink(path);
	return fd;
}

static int compose(char **argv)
{
	enum swn_xenc_profile profile;
	struct swn_signer *signer = NULL;
	struct swn_as4_user u;
	struct swn_as4_msg m;
	struct swn_as4_partinfo pi;
	struct swn_xenc_part_out part;
	struct swn_dsig_part sign;
	struct swn_mime_payload mp;
	struct swn_mime_out out;
	struct swn_err err;
	char cid[SWN_AS4_ID_BYTES], ct[512];
	xmlDocPtr doc = NULL;
	xmlChar *env = NULL;
	int env_len = 0, out_fd = -1, rc = 1;
	X509 *peer = NULL;
	/* SWA_COMPOSE_PLAIN=1: signed, not encrypted (a receiver that requires
	 * encryption must refuse it). */
	int plain = getenv("SWA_COMPOSE_PLAIN") && strcmp(getenv("SWA_COMPOSE_PLAIN"), "1") == 0;

	swn_err_clear(&err);
	memset(&part, 0, sizeof part);
	part.fd = part.out_fd = -1;
	if (profile_of(argv[0], &profile) < 0)
		return fail("unknown profile", NULL);
	if (swn_signer_load_swa(argv[1], argv[2], &signer, &err) < 0 ||
	    !(peer = swn_cert_read(argv[3], &err)))
		return fail("keys", &err);
	fill_user(&u, argv);
	swn_as4_new_id("swnode.invalid", cid, sizeof cid);
	pi = (struct swn_as4_partinfo){ cid, argv[8], 0 };
	if (!(doc = swn_as4_build_user_swa(&u, &pi, 1, &err)) ||
	    swn_as4_parse_swa(doc, "composed", &m, &err) < 0) {
		fail("envelope", &err);
		goto out;
	}
	part.content_id = cid;
	part.mime_type = argv[8];
	if ((part.fd = open(argv[9], O_RDONLY)) < 0 || (part.out_fd = temp_fd()) < 0) {
		perror(argv[9]);
		goto out;
	}
	/* Sign the plaintext, then encrypt: AS4's order. */
	swn_xenc_sign_view(&part, 1, &sign);
	if (swn_wssec_sign_parts(doc, &m, &sign, 1, signer, &err) < 0 ||
	    (!plain && swn_xenc_encrypt_parts(doc, &m, &part, 1, profile, peer, &err) < 0)) {
		fail("sign and encrypt", &err);
		goto out;
	}
	xmlDocDumpMemoryEnc(doc, &env, &env_len, "UTF-8");
	mp = plain ? (struct swn_mime_payload){ cid, argv[8], NULL, 0, part.fd }
		   : (struct swn_mime_payload){ cid, "application/octet-stream", NULL, 0, part.out_fd };
	memset(&out, 0, sizeof out);
	out.envelope = (const char *)env;
	out.envelope_len = (size_t)env_len;
	out.payloads = &mp;
	out.npayloads = 1;
	if ((out_fd = open(argv[10], O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0) {
		perror(argv[10]);
		goto out;
	}
	if (swn_mime_write_fd(&out, out_fd, ct, sizeof ct, &err) < 0) {
		fail("MIME", &err);
		goto out;
	}
	printf("MessageId: %s\nContent-ID: %s\nContent-Type: %s\n", u.message_id, cid, ct);
	rc = 0;
out:
	if (out_fd >= 0 && close(out_fd) < 0)
		rc = 1;
	if (part.fd >= 0)
		close(part.fd);
	if (part.out_fd >= 0)
		close(part.out_fd);
	xmlFree(env);
	if (doc)
		xmlFreeDoc(doc);
	X509_free(peer);
	swn_signer_free(signer);
	return rc;
}

/* The ds:References of the Receipt's NonRepudiationInformation. */
static int nri_refs(xmlNodePtr n)
{
	int k = 0;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrEqual(n->name, BAD_CAST "Reference") && n->ns &&
		    xmlStrEqual(n->ns->href, BAD_CAST SWN_NS_DS))
			k++;
		else
			k += nri_refs(n->children);
	}
	return k;
}

/* The reply's signature with cert: through wssec as the node verifies;
 * an Ed25519 one (eDelivery 2.0) with dsig alone, as wssec takes Ed25519
 * only with parts (libxmlsec1 cannot re-check it) and a Receipt has none. */
static int verify_reply(xmlDocPtr doc, const struct swn_as4_msg *m, X509 *cert,
			struct swn_dsig_report *rep, struct swn_err *err)
{
	struct swn_dsig_target targets[2] = {
		{ "eb:Messaging", m->messaging }, { "soap:Body", m->body },
	};
	struct swn_wssec_report wrep;
	xmlNodePtr sig;
	int rc;

	if (EVP_PKEY_get_base_id(X509_get0_pubkey(cert)) != EVP_PKEY_ED25519) {
		rc = swn_wssec_verify(doc, m, cert, NULL, &wrep, err);
		*rep = wrep.sig;
		return rc;
	}
	if (swn_wssec_register_ids(doc, "reply", err) < 0)
		return -1;
	for (sig = m->security ? m->security->children : NULL; sig; sig = sig->next)
		if (sig->type == XML_ELEMENT_NODE && xmlStrEqual(sig->name, BAD_CAST "Signature"))
			break;
	if (sig == NULL)
		return swn_err_set(err, SWN_E_SIGNATURE, NULL, 0, "the reply is not signed");
	return swn_dsig_verify(doc, sig, targets, 2, X509_get0_pubkey(cert), "ed25519", 0, rep,
			       "reply", err);
}

static int reply(char **argv)
{
	struct swn_as4_msg m;
	struct swn_dsig_report rep;
	struct swn_err err;
	char *data = NULL;
	size_t len;
	xmlDocPtr doc = NULL;
	X509 *cert = NULL;
	int want_receipt = strcmp(argv[0], "receipt") == 0, rc = 1, n;

	swn_err_clear(&err);
	if (swn_file_read(argv[1], 1 << 22, &data, &len, &err) < 0 ||
	    !(doc = swn_xml_parse(data, len, argv[1], &err)) ||
	    swn_as4_parse(doc, argv[1], &m, &err) < 0) {
		fail("reply", &err);
		goto out;
	}
	if (strcmp(m.ref_to, argv[3]) != 0) {
		fprintf(stderr, "swa_compose: RefToMessageId '%s', not '%s'\n", m.ref_to, argv[3]);
		goto out;
	}
	if (!want_receipt) {
		if (m.kind != SWN_AS4_ERROR) {
			fprintf(stderr, "swa_compose: not an ebMS Error signal\n");
			goto out;
		}
		printf("error %s: %s\n", m.error_code, m.error_text);
		rc = 0;
		goto out;
	}
	if (m.kind != SWN_AS4_RECEIPT) {
		fprintf(stderr, "swa_compose: not a Receipt (%s %s)\n", m.error_code, m.error_text);
		goto out;
	}
	if (!(cert = swn_cert_read(argv[2], &err)) ||
	    verify_reply(doc, &m, cert, &rep, &err) < 0) {
		fail("the Receipt's signature", &err);
		goto out;
	}
	n = nri_refs(m.receipt->children);
	if (n != atoi(argv[4])) {
		fprintf(stderr, "swa_compose: NonRepudiationInformation has %d references, not %s\n",
			n, argv[4]);
		goto out;
	}
	printf("receipt for %s: signature verified (%s), %d NRI references\n", m.ref_to,
	       rep.sig_alg, n);
	rc = 0;
out:
	X509_free(cert);
	if (doc)
		xmlFreeDoc(doc);
	free(data);
	return rc;
}

int main(int argc, char **argv)
{
	struct swn_err err;
	int rc;

	swn_xml_init();
	swn_err_clear(&err);
	if (swn_wssec_init(&err) < 0)
		return fail("init", &err);
	if (argc == 13 && strcmp(argv[1], "compose") == 0)
		rc = compose(argv + 2);
	else if (argc == 7 && strcmp(argv[1], "reply") == 0 &&
		 (strcmp(argv[2], "receipt") == 0 || strcmp(argv[2], "error") == 0))
		rc = reply(argv + 2);
	else {
		fprintf(stderr, "usage: swa_compose compose PROFILE SIGN.key SIGN.crt PEER_ENC.crt "
			"FROM TO SERVICE ACTION MIME_TYPE PAYLOAD OUT\n"
			"       swa_compose reply receipt|error REPLY PEER_SIGN.crt MESSAGE_ID NREFS\n");
		rc = 2;
	}
	swn_wssec_cleanup();
	swn_xml_cleanup();
	return rc;
}

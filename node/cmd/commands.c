/*
 * commands.c - the command table: every swnode command, its function, the
 * setup it needs (cli.h's flags), its summary and its --help text; and the
 * one way to run a command, shared by the program (main.c) and the fuzz
 * targets, so that both run a command with the same setup.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/commands.h"

static const struct swn_cmd commands[] = {
	{ "as4 pack", cmd_as4_pack, SWN_NEEDS_HOME | SWN_NEEDS_REGISTRY | SWN_NEEDS_XMLSEC,
	  "build and sign an AS4 UserMessage for a document, without sending it",
	  "usage: swnode as4 pack [--home DIR] --agreement ID FILE [-o OUT]\n"
	  "                       [--message-id ID] [--unsigned]\n"
	  "\n"
	  "Runs the document pipeline on FILE (a domestic or international document),\n"
	  "builds the AS4 UserMessage that agreement ID prescribes (parties, Service,\n"
	  "Action) and signs it with the node's signing key.  Writes the message to\n"
	  "OUT or standard output, byte for byte as signed.  For inspection and for\n"
	  "testing a partner's access point; nothing is sent or recorded.\n"
	  "--message-id sets the MessageId; --unsigned leaves the signature out (edit\n"
	  "the message, then sign it with swnode as4 sign).\n" },
	{ "as4 sign", cmd_as4_sign, SWN_NEEDS_HOME | SWN_NEEDS_XMLSEC,
	  "sign an unsigned AS4 message with the node's key",
	  "usage: swnode as4 sign [--home DIR] FILE [-o OUT]\n"
	  "\n"
	  "Signs the AS4 message in FILE (with a wsse:Security header and wsu:Id on\n"
	  "eb:Messaging and soap:Body, as as4 pack --unsigned makes it) with the\n"
	  "node's signing key, exactly as the node signs what it sends.  For testing\n"
	  "how a partner handles hand-made messages.\n" },
	{ "as4 verify", cmd_as4_verify, SWN_NEEDS_XMLSEC,
	  "check the WS-Security signature of an AS4 message against a certificate",
	  "usage: swnode as4 verify FILE --cert PEM\n"
	  "       swnode as4 verify BODY --cert PEM --content-type VALUE --enc-key PEM\n"
	  "                         --profile edelivery-2.0|edelivery-2.0-ecdsa|edelivery-1.15\n"
	  "\n"
	  "Checks the signature of the AS4 message or signal in FILE, whoever made it,\n"
	  "with the public key of certificate PEM alone (no chain, no dates; KeyInfo in\n"
	  "the message is never used).  Prints each ds:Reference, the element it\n"
	  "resolves to and whether its digest matches, then \"valid\" or \"invalid:\" and\n"
	  "the reason.  The references must cover exactly eb:Messaging and soap:Body,\n"
	  "with exclusive C14N and SHA-256; ids must be unique.\n"
	  "\n"
	  "With --content-type, BODY is the HTTP body of an eDelivery AS4 message with\n"
	  "MIME parts (an access point's such as phase4 or Domibus) and VALUE its HTTP\n"
	  "Content-Type: the MIME message is read strictly, its parts decrypted under\n"
	  "the profile with the private key --enc-key (the receiver's), then the\n"
	  "signature checked over eb:Messaging, soap:Body and every decrypted part, the\n"
	  "way the node will receive such messages.  Each part is listed with the type\n"
	  "the signed eb:PartInfo gives it.\n"
	  "Exit 0 valid, 1 invalid, 2 not an AS4 message (or usage).\n" },
	{ "cert export", cmd_cert_export, SWN_NEEDS_HOME,
	  "write this node's certificate bundle for a foreign window",
	  "usage: swnode cert export [--home DIR] [-o FILE]\n"
	  "\n"
	  "Writes the certificate bundle (schemas/bundle.xsd) a foreign window needs:\n"
	  "party id, endpoint, signing and TLS certificates with SHA-256 fingerprints\n"
	  "and validity.  Without -o, or with -o -, it goes to standard output.\n" },
	{ "cert install", cmd_cert_install, SWN_NEEDS_HOME,
	  "install CA-issued certificates for keys made with init --csr",
	  "usage: swnode cert install [--home DIR] [--signing PEM] [--tls PEM]\n"
	  "\n"
	  "Installs a certificate issued for the node's signing or TLS key (after\n"
	  "swnode init --csr).  The certificate must match the node's private key\n"
	  "and be valid now; an existing certificate is replaced.\n" },
	{ "cert add-profile", cmd_cert_add_profile, SWN_NEEDS_HOME,
	  "make the keys of another eDelivery AS4 profile for this node",
	  "usage: swnode cert add-profile [--home DIR] PROFILE [--days N]\n"
	  "\n"
	  "Makes the signing and encryption keys of PROFILE (edelivery-2.0,\n"
	  "edelivery-2.0-ecdsa or edelivery-1.15) with their certificates, as init\n"
	  "--profiles does, and adds them to node.xml.  Export the bundle again and\n"
	  "send it to the peers that will use the profile.\n" },
	{ "cert show", cmd_cert_show, SWN_NEEDS_HOME,
	  "print this node's certificates: subject, fingerprint, validity",
	  "usage: swnode cert show [--home DIR]\n"
	  "\n"
	  "Prints, for the signing and the TLS certificate: subject, key type,\n"
	  "SHA-256 fingerprint and validity (UTC).\n" },
	{ "doctypes", cmd_doctypes, SWN_NEEDS_REGISTRY,
	  "list the registered document types",
	  "usage: swnode doctypes\n"
	  "\n"
	  "Lists the document types of the registry (schemas/doctypes.xml, or\n"
	  "$SWNODE_SCHEMAS/doctypes.xml) with the root element and namespace of\n"
	  "each form.\n" },
	{ "init", cmd_init, SWN_NEW_HOME,
	  "create a node directory: identity, keys, ledger, spool",
	  "usage: swnode init --home DIR --party-id ID [options]\n"
	  "\n"
	  "Creates the node directory DIR: node.xml, a signing key and a TLS key\n"
	  "(mode 0600) with self-signed certificates (or CSRs with --csr), the\n"
	  "Ed25519 ledger key, the eDelivery profiles' keys (--profiles), the ledger\n"
	  "database, peers/ and spool/.  Refuses to touch a directory that already\n"
	  "holds a node.\n"
	  "\n"
	  "  --party-id ID          this node's AS4 party id (required): 1-64 ASCII\n"
	  "                         letters, digits, '.', '_', '-' or ':', starting\n"
	  "                         with a letter or digit\n"
	  "  --party-id-type URI    party id type (default\n"
	  "                         urn:oasis:names:tc:ebcore:partyid-type:unregistered)\n"
	  "  --key TYPE             rsa-2048, rsa-3072 or ec-p256 (default rsa-2048:\n"
	  "                         AS4 rsa-sha256, as the eDelivery profile requires)\n"
	  "  --csr                  write CSRs (csr/*.csr) instead of self-signed\n"
	  "                         certificates; install the issued ones with\n"
	  "                         swnode cert install\n"
	  "  --endpoint URL         URL foreign windows post AS4 messages to\n"
	  "                         (default https://localhost:8443/as4)\n"
	  "  --listen HOST:PORT     partner listener address (default 0.0.0.0:8443)\n"
	  "  --local HOST:PORT      local API address (default 127.0.0.1:8080)\n"
	  "  --org NAME             organisation (certificate subject O)\n"
	  "  --country CC           ISO 3166 country code (certificate subject C)\n"
	  "  --days N               validity of self-signed certificates (default 730)\n"
	  "  --profiles LIST        eDelivery AS4 profiles to make keys for, joined by\n"
	  "                         commas, or none (default edelivery-2.0): each gets\n"
	  "                         a signing key and an encryption key with\n"
	  "                         certificates: edelivery-2.0 Ed25519 and X25519,\n"
	  "                         edelivery-2.0-ecdsa EC P-256 and P-256,\n"
	  "                         edelivery-1.15 RSA-2048 and RSA-2048\n" },
	{ "ledger audit-peer", cmd_ledger_audit_peer, SWN_NEEDS_RUNTIME,
	  "check that a peer's signed checkpoints lie on one append-only history",
	  "usage: swnode ledger audit-peer [--home DIR] PARTY\n"
	  "\n"
	  "Takes every checkpoint PARTY signed and sent in its receipts (kept by this\n"
	  "node), fetches PARTY's current checkpoint and a consistency proof from each\n"
	  "over the agreement's mutual TLS, and checks that all lie on one append-only\n"
	  "history.  Reports each fork or rollback with both signed checkpoints as\n"
	  "evidence.  Exit 0 consistent, 1 inconsistent or the audit could not be done.\n" },
	{ "ledger check-bundle", cmd_ledger_check_bundle, SWN_NEEDS_XMLSEC,
	  "check an evidence bundle offline",
	  "usage: swnode ledger check-bundle [--vkey VKEY] DIR\n"
	  "\n"
	  "Checks an evidence bundle written by swnode ledger export: the checkpoint's\n"
	  "signature under the bundle's ledger key, each entry's inclusion in that\n"
	  "signed tree, that message.xml (message.mime for eDelivery) and receipt.xml\n"
	  "are the bytes the entries name, that each part-N.bin is the plaintext the\n"
	  "entry names, and their AS4 signatures: the message by its sender's, the\n"
	  "receipt by its receiver's certificates in the bundle.  --vkey: the ledger key the\n"
	  "operator published, which the bundle's must equal.  Needs no\n"
	  "node directory.  Exit 0 all hold, 1 something does not, 2 not a bundle.\n" },
	{ "ledger check-proof", cmd_ledger_check_proof, 0,
	  "check an inclusion or consistency proof offline",
	  "usage: swnode ledger check-proof FILE\n"
	  "\n"
	  "Verifies the proof JSON in FILE (from swnode ledger prove) by RFC 9162\n"
	  "2.1.3.2 or 2.1.4.2; needs no node directory.  Exit 0 valid, 1 invalid,\n"
	  "2 malformed input.\n" },
	{ "ledger checkpoint", cmd_ledger_checkpoint, SWN_NEEDS_HOME,
	  "print the latest signed checkpoint of the ledger",
	  "usage: swnode ledger checkpoint [--home DIR] [--vkey]\n"
	  "\n"
	  "Prints the latest checkpoint: a C2SP tlog-checkpoint (origin, size, root)\n"
	  "signed as a C2SP signed note with the node's Ed25519 ledger key.  --vkey\n"
	  "prints the verifier key to publish to auditors instead.\n" },
	{ "ledger export", cmd_ledger_export, SWN_NEEDS_HOME,
	  "write the evidence of one exchange for an auditor",
	  "usage: swnode ledger export [--home DIR] --msgid ID -o OUTDIR\n"
	  "\n"
	  "Writes OUTDIR with the evidence of message ID: the signed message and\n"
	  "receipt byte for byte (with each eDelivery part's plaintext, as signed,\n"
	  "from payloads/), its ledger entries, an inclusion proof for each,\n"
	  "the signed checkpoint, the ledger verifier key, the signers' certificates,\n"
	  "and a README telling an auditor how to check each part (or run swnode\n"
	  "ledger check-bundle OUTDIR).\n" },
	{ "ledger prove", cmd_ledger_prove, SWN_NEEDS_HOME,
	  "print an inclusion or consistency proof",
	  "usage: swnode ledger prove [--home DIR] --seq N [--size M]\n"
	  "       swnode ledger prove [--home DIR] --from M --to N\n"
	  "\n"
	  "Prints, as one line of JSON, the proof that entry N is in the tree of size\n"
	  "M (default: the whole ledger), or that the tree of size M is a prefix of the\n"
	  "tree of size N.  Check it with swnode ledger check-proof.\n" },
	{ "ledger query", cmd_ledger_query, SWN_NEEDS_HOME,
	  "list ledger entries, filtered",
	  "usage: swnode ledger query [--home DIR] [--peer P] [--agreement A] [--type T]\n"
	  "       [--direction in|out] [--state EVENT] [--since TIME] [--until TIME]\n"
	  "       [--msgid ID] [--limit N] [--format table|json|csv]\n"
	  "\n"
	  "Lists the entries that match every filter given (times are UTC ISO 8601,\n"
	  "compared as text), oldest first.  Read-only; works while the node runs.\n" },
	{ "ledger verify", cmd_ledger_verify, SWN_NEEDS_HOME,
	  "recompute the ledger's tree and check every signed checkpoint",
	  "usage: swnode ledger verify [--home DIR] [--vkey VKEY]\n"
	  "\n"
	  "Recomputes every entry's leaf from its canonical bytes, checks each\n"
	  "evidence blob against its digest, the numbering, the root at every signed\n"
	  "checkpoint and the checkpoint's signature (with VKEY, from swnode ledger\n"
	  "checkpoint --vkey, or the node's own ledger key).  Exit 0 if all holds,\n"
	  "1 naming the first bad entry otherwise.\n" },
	{ "map", cmd_map, SWN_NEEDS_REGISTRY,
	  "map a document to the international or domestic form",
	  "usage: swnode map --to international [--as DOCTYPE] FILE [-o OUT]\n"
	  "       swnode map --to domestic [--report REPORT] FILE [-o OUT]\n"
	  "\n"
	  "Detects the document type of FILE (- for standard input), validates it\n"
	  "(schema and rules), maps it with the type's XSLT map and validates the\n"
	  "result against the target form's schema.  Writes the result to OUT\n"
	  "(atomically) or to standard output.  To domestic, the values the domestic\n"
	  "form cannot hold (mapped there and back, compared) are listed on stderr,\n"
	  "or written as a loss report to REPORT (schemas/loss-report.xsd).  To\n"
	  "international, --as picks a partner's form of the same domestic document\n"
	  "(a doctype sharing its domestic form; default: the first in the\n"
	  "registry).  Exit 0 mapped, 1 refused (errors on stderr), 2 usage.\n" },
	{ "peer check", cmd_peer_check, SWN_NEEDS_REGISTRY | SWN_HOME_IF_GIVEN,
	  "check agreements: schema, pinned certificates, consistency",
	  "usage: swnode peer check [--home DIR] [FILE...]\n"
	  "\n"
	  "Checks each agreement FILE (default: every peers/*.xml of the node)\n"
	  "against schemas/agreement.xsd and for consistency: pinned certificates\n"
	  "match their fingerprints and are usable, windows and dates are in order,\n"
	  "document types exist, algorithms match the keys.  Prints FILE:LINE: what\n"
	  "is wrong for each problem.  Exit 0 all sound, 1 problems found.\n" },
	{ "peer import", cmd_peer_import, SWN_NEEDS_HOME | SWN_NEEDS_REGISTRY,
	  "write a draft agreement from a foreign window's bundle",
	  "usage: swnode peer import [--home DIR] BUNDLE --agreement-id ID\n"
	  "                          [--profile PROFILE]\n"
	  "\n"
	  "Checks the certificate bundle BUNDLE and writes peers/ID.xml, a draft\n"
	  "agreement that pins the peer's TLS and signing certificates and allows\n"
	  "every registered document type both ways with default limits.  Compare\n"
	  "the printed fingerprints with the peer over a second channel, edit the\n"
	  "agreement, then set status=\"active\".\n"
	  "--profile names the agreement's AS4 profile: edelivery-2.0 (the default),\n"
	  "edelivery-2.0-ecdsa, edelivery-1.15 (this node and the bundle need that\n"
	  "profile's keys; the agreement then pins the peer's signing and encryption\n"
	  "certificates of it) or body (the payload in the signed SOAP Body, between\n"
	  "swnode nodes only).\n" },
	{ "resend", cmd_resend, SWN_NEEDS_RUNTIME | SWN_NEEDS_OUTBOX,
	  "deliver an outbound message again (after FAILED, or now)",
	  "usage: swnode resend [--home DIR] MSGID\n"
	  "\n"
	  "Queues outbound message MSGID for delivery again, with its attempts reset:\n"
	  "the same signed bytes under the same MessageId (the peer eliminates\n"
	  "duplicates).  The running node (swnode serve) delivers it within a second.\n" },
	{ "send", cmd_send, SWN_NEEDS_RUNTIME | SWN_NEEDS_OUTBOX,
	  "submit a document for delivery to a peer",
	  "usage: swnode send [--home DIR] FILE --to PARTY [--attach TYPE=FILE]...\n"
	  "                   [--wait SECONDS]\n"
	  "\n"
	  "Runs the document pipeline on FILE, builds and signs the AS4 UserMessage\n"
	  "under the active agreement with party PARTY that allows the document type,\n"
	  "records it (ledger SUBMITTED) and queues it.  Prints the MessageId.  The\n"
	  "running node (swnode serve) delivers it; with --wait, send follows the\n"
	  "message until it is DELIVERED (exit 0) or FAILED or the time is up (exit 1).\n"
	  "Dropping FILE into spool/out/PARTY/ does the same.\n"
	  "--attach adds a payload part after the document (up to 31), its media type\n"
	  "TYPE (application/pdf=permit.pdf), under an eDelivery profile only.  Parts\n"
	  "stream through files: a message over 1 MiB is kept in payloads/ by its\n"
	  "SHA-256, not in the ledger's database.\n" },
	{ "serve", cmd_serve, SWN_NEEDS_RUNTIME | SWN_NEEDS_OUTBOX | SWN_TAKES_LOCK,
	  "run the node: partner listener, outbox, spool",
	  "usage: swnode serve [--home DIR] [--listen HOST:PORT] [--workers N]\n"
	  "                    [--local HOST:PORT] [--local-workers N]\n"
	  "                    [--local-max-connections N] [--senders N]\n"
	  "                    [--checkpoint-every SECONDS] [--redeliver-every SECONDS]\n"
	  "                    [--idle-timeout SECONDS] [--handshake-timeout SECONDS]\n"
	  "                    [--request-timeout SECONDS]\n"
	  "                    [--max-connections N] [--max-connections-per-ip N]\n"
	  "                    [--max-handshakes N] [--max-handshakes-per-ip N]\n"
	  "\n"
	  "Listens for AS4 messages over HTTPS with mutual TLS (POST /as4; GET\n"
	  "/healthz) on HOST:PORT (default: node.xml's partner address), delivers\n"
	  "queued messages with retries, and submits documents dropped into\n"
	  "spool/out/PARTY/.  Prints \"ready PORT\" on standard output once it listens.\n"
	  "SIGHUP reloads agreements; SIGTERM stops accepting, finishes the requests in\n"
	  "flight and exits.  --workers defaults to the number of cores.  The ledger\n"
	  "signs a checkpoint with every commit and, even when idle, at least every\n"
	  "--checkpoint-every seconds (default 60; 0: only with commits).  Received\n"
	  "documents not yet placed in spool/in are placed again every\n"
	  "--redeliver-every seconds (default 60).\n"
	  "A connection that sends nothing for --idle-timeout seconds (default 30),\n"
	  "has not completed its TLS handshake --handshake-timeout seconds (default\n"
	  "10, at most the request timeout) after it opened, or a request\n"
	  "--request-timeout seconds (default 60) after its handshake or its last\n"
	  "reply, is closed.  At most --max-connections (default 4096, kept below the\n"
	  "descriptor limit) are open at once, --max-connections-per-ip (default 64)\n"
	  "from one address.  Of them, at most --max-handshakes (default 256) are in\n"
	  "the TLS handshake, --max-handshakes-per-ip (default 16) from one address;\n"
	  "the rest is kept for pinned peers, and for handshakes from addresses a\n"
	  "pinned peer has connected from.\n"
	  "The local API (POST /submit, GET /status/MSGID, GET /healthz) listens on\n"
	  "--local (default: node.xml's local address; loopback only) with\n"
	  "--local-workers loops (default 8) and at most --local-max-connections\n"
	  "(default 256) connections open.  --senders threads (default 16) deliver.\n" },
	{ "status", cmd_status, SWN_NEEDS_RUNTIME | SWN_NEEDS_OUTBOX,
	  "show a message's state and its ledger entries",
	  "usage: swnode status [--home DIR] MSGID\n"
	  "\n"
	  "Prints the outbound queue state (SUBMITTED, RETRYING, DELIVERED, FAILED,\n"
	  "with attempts and the last error) or the inbound state of MSGID, and every\n"
	  "ledger entry about it.  Works while the node runs.\n" },
	{ "validate", cmd_validate, SWN_NEEDS_REGISTRY,
	  "detect a document's type and validate it",
	  "usage: swnode validate FILE...\n"
	  "\n"
	  "For each FILE (- for standard input): detect the document type and form\n"
	  "from the root element and namespace, validate it against its schema and\n"
	  "print FILE: valid TYPE (FORM), or each error as FILE:LINE: element 'X':\n"
	  "what is wrong.  Exit 0 if all are valid, 1 otherwise.\n" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

size_t swn_cmd_count(void)
{
	return NCOMMANDS;
}

const struct swn_cmd *swn_cmd_at(size_t i)
{
	return i < NCOMMANDS ? &commands[i] : NULL;
}

const struct swn_cmd *swn_cmd_lookup(int argc, char **argv, int *used)
{
	size_t i, n;

	for (i = 0; i < NCOMMANDS; i++) {
		const char *name = commands[i].name;
		const char *sp = strchr(name, ' ');

		if (sp == NULL) {
			if (strcmp(argv[0], name) == 0) {
				*used = 1;
				return &commands[i];
			}
			continue;
		}
		n = (size_t)(sp - name);
		if (strlen(argv[0]) == n && strncmp(argv[0], name, n) == 0 &&
		    argc > 1 && strcmp(argv[1], sp + 1) == 0) {
			*used = 2;
			return &commands[i];
		}
	}
	return NULL;
}

int swn_cmd_run(struct swn_ctx *ctx, int argc, char **argv)
{
	const struct swn_cmd *cmd = ctx->cmd;
	int rc = cmd->fn(argc, argv, ctx);

	if (rc == SWN_EXIT_OK && cmd->flags && !ctx->set_up && !ctx->helped) {
		fprintf(stderr, "swnode %s: internal error: the command did not set up what it needs\n",
			cmd->name);
		rc = SWN_EXIT_FAIL;
	}
	swn_cmd_teardown(ctx);
	return rc;
}

/* cmd_audit.c - swnode ledger export | check-bundle: the evidence of one
 * exchange, packed for an auditor and checked offline. */
#include "autoconfig.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "trust/agreement.h"
#include "as4/as4.h"
#include "trust/checkpoint.h"
#include "cmd/cli.h"
#include "base/escape.h"
#include "base/fsutil.h"
#include "net/http_out.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "trust/pki.h"
#include "ledger/proof.h"
#include "ledger/payloads.h"
#include "node/node/runtime.h"
#include "node/node/swa_in.h"
#include "as4/mime.h"
#include "cmd/evidence.h"
#include "base/swn_limits.h"
#include "as4/wssec.h"
#include "xml/xmlsafe.h"

/* An exchange is one message in one direction with one peer: the
 * MessageId alone is chosen by whoever sent it, so a peer could reuse one
 * of ours.  Of each kind of entry that repeats (REFUSED, RETRYING, ...) the
 * first PER_KIND are exported and the rest counted, so that no peer can
 * push an exchange past a cap by provoking entries. */
#define PER_KIND 16
#define MAX_KINDS 32
#define MAX_ROWS (PER_KIND * MAX_KINDS)

struct row {
	long long seq;
	char time[40], dir[4], peer[SWN_PARTY_BYTES], agreement[SWN_MAX_ID_LEN + 1];
	char doctype[40], msgid[SWN_AS4_ID_BYTES], event[32], reason[1200];
	int has_reason, has_digest;
	unsigned char digest[32];
};

struct kind {
	char event[32];
	long long seen;
};

struct rows {
	const char *dir, *peer;          /* the exchange */
	struct row r[MAX_ROWS];
	int n;
	struct kind kinds[MAX_KINDS];
	int nkinds;
	long long omitted;
};

/* Keep the entry if it belongs to the exchange and its kind has room. */
static void collect(void *ctx, long long seq, const char *time, const char *dir,
		    const char *peer, const char *agreement, const char *doctype,
		    const char *msgid, const char *event, const char *reason)
{
	struct rows *rs = ctx;
	struct kind *k = NULL;
	struct row *r;
	int i;

	if (strcmp(dir, rs->dir) != 0 || strcmp(peer, rs->peer) != 0)
		return;
	for (i = 0; i < rs->nkinds && !k; i++)
		if (strcmp(rs->kinds[i].event, event) == 0)
			k = &rs->kinds[i];
	if (k == NULL && rs->nkinds < MAX_KINDS) {
		k = &rs->kinds[rs->nkinds++];
		snprintf(k->event, sizeof k->event, "%s", event);
	}
	if (k == NULL || k->seen++ >= PER_KIND || rs->n >= MAX_ROWS) {
		rs->omitted++;
		return;
	}
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof *r);
	r->seq = seq;
	snprintf(r->time, sizeof r->time, "%s", time);
	snprintf(r->dir, sizeof r->dir, "%s", dir);
	snprintf(r->peer, sizeof r->peer, "%s", peer);
	snprintf(r->agreement, sizeof r->agreement, "%s", agreement);
	snprintf(r->doctype, sizeof r->doctype, "%s", doctype);
	snprintf(r->msgid, sizeof r->msgid, "%s", msgid);
	snprintf(r->event, sizeof r->event, "%s", event);
	r->has_reason = reason != NULL;
	snprintf(r->reason, sizeof r->reason, "%s", reason ? reason : "");
}

/* The exchanges (direction, peer) that entries of one MessageId belong to,
 * and whether each holds its message (SUBMITTED out, RECEIVED in). */
struct exchanges {
	struct {
		char dir[4], peer[SWN_PARTY_BYTES];
		int has_message;
	} x[8];
	int n, more;
};

static void find_exchanges(void *ctx, long long seq, const char *time, const char *dir,
			   const char *peer, const char *agreement, const char *doctype,
			   const char *msgid, const char *event, const char *reason)
{
	struct exchanges *xs = ctx;
	int i, origin = strcmp(event, strcmp(dir, "out") == 0 ? "SUBMITTED" : "RECEIVED") == 0;

	(void)seq; (void)time; (void)agreement; (void)doctype; (void)msgid; (void)reason;
	for (i = 0; i < xs->n; i++)
		if (strcmp(xs->x[i].dir, dir) == 0 && strcmp(xs->x[i].peer, peer) == 0)
			break;
	if (i == xs->n) {
		if (xs->n == (int)(sizeof xs->x / sizeof xs->x[0])) {
			xs->more = 1;
			return;
		}
		snprintf(xs->x[i].dir, sizeof xs->x[i].dir, "%s", dir);
		snprintf(xs->x[i].peer, sizeof xs->x[i].peer, "%s", peer);
		xs->x[i].has_message = 0;
		xs->n++;
	}
	xs->x[i].has_message |= origin;
}

/* Choose the exchange of msgid to export: the one the options name, else
 * the only one that holds a message.  -1 with err (listing them) when
 * that does not decide. */
static int choose_exchange(const struct exchanges *xs, const char *msgid, const char *dir,
			   const char *peer, int *chosen, struct swn_err *err)
{
	char list[1200] = "";
	int i, n = 0, found = -1, with_message = 0, last_with = -1;

	if (xs->more)
		return swn_err_set(err, SWN_E_USAGE, NULL, 0,
				   "message %s names more than %zu exchanges: choose one with --direction and --peer",
				   msgid, sizeof xs->x / sizeof xs->x[0]);

	for (i = 0; i < xs->n; i++) {
		if ((dir && strcmp(dir, xs->x[i].dir) != 0) || (peer && strcmp(peer, xs->x[i].peer) != 0))
			continue;
		n++;
		found = i;
		if (xs->x[i].has_message) {
			with_message++;
			last_with = i;
		}
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s %s %s%s", n > 1 ? "; " : "",
			 xs->x[i].dir, !strcmp(xs->x[i].dir, "out") ? "to" : "from", xs->x[i].peer,
			 xs->x[i].has_message ? "" : " (refusals only)");
	}
	if (n == 0)
		return swn_err_set(err, SWN_E_NOT_FOUND, NULL, 0, "message %s is not in the ledger%s",
				   msgid, dir || peer ? " with that direction and peer" : "");
	*chosen = n == 1 ? found : with_message == 1 ? last_with : -1;
	if (*chosen < 0)
		return swn_err_set(err, SWN_E_USAGE, NULL, 0,
				   "message %s names %d exchanges (%s): choose one with --direction and --peer",
				   msgid, n, list);
	return 0;
}

static int write_text(const char *dir, const char *name, const void *data, size_t len,
		      struct swn_err *err)
{
	char path[SWN_PATH_MAX + 100];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return swn_file_write(path, data, len, 0644, SWN_WRITE_EXCLUSIVE, err);
}

static const char readme[] =
	"# Evidence of one exchange\n\n"
	"One exchange is one message (MessageId) in one direction with one peer.\n"
	"Written by `swnode ledger export`. Check it all at once with\n"
	"`swnode ledger check-bundle DIR` (exit 0: every check holds), or by hand:\n\n"
	"1. `ledger.vkey` is the node's ledger verifier key. Compare it with the key\n"
	"   the operator published; everything below rests on it.\n"
	"2. `checkpoint.txt` is a C2SP signed note (origin, tree size, root) signed\n"
	"   with that key (Ed25519; key id = SHA-256(name || 0x0A || 0x01 || key)[:4]).\n"
	"3. `entries.json` lists the ledger entries of the exchange (of a kind that\n"
	"   repeats, such as REFUSED or RETRYING, the first 16; `omitted.json`, if\n"
	"   present, counts the others by kind). For each,\n"
	"   rebuild the canonical entry bytes (docs/ledger.md), hash them as an RFC 9162\n"
	"   leaf, and check `inclusion-SEQ.json` (`swnode ledger check-proof`): its\n"
	"   leaf_hash is that hash, its tree_size and root are the checkpoint's.\n"
	"4. `message.xml` is the signed AS4 message and `receipt.xml` the signed\n"
	"   receipt, byte for byte; their SHA-256 is the evidence digest of the\n"
	"   SUBMITTED/RECEIVED and DELIVERED/RECEIPT_SENT entries. Check their\n"
	"   signatures with `swnode as4 verify FILE --cert PEM` against the sender's\n"
	"   and the receiver's signing certificates (`signing-PARTY.pem`,\n"
	"   `signing-PARTY+N.pem`).\n"
	"5. An eDelivery message is `message.mime` instead: the MIME message as it\n"
	"   travelled, its payload parts encrypted. Its SUBMITTED or RECEIVED entry\n"
	"   names each part's plaintext (length, SHA-256), which is `part-N.bin`\n"
	"   here; the signature covers those plaintexts (Attachment-Content-\n"
	"   Signature-Transform), and the HTTP Content-Type that reads the MIME\n"
	"   message is in the RECEIVED entry (base64) or, for a message this node\n"
	"   sent, the first line's boundary.\n";

#define SWN_CTYPE_BYTES 1100

/* The reason of the exchange's first entry: SUBMITTED (out), RECEIVED (in). */
static const char *origin_reason(const struct rows *rs, int outbound)
{
	int i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->r[i].event, outbound ? "SUBMITTED" : "RECEIVED") == 0)
			return rs->r[i].has_reason ? rs->r[i].reason : NULL;
	return NULL;
}

/* 1 and its Content-Type if the message is an eDelivery MIME message: a
 * received one's is in its RECEIVED reason, ours is read back from the
 * bytes our MIME writer made (mime.h); else 0 (the body form). */
static int message_ctype(int outbound, const char *reason, const char *bytes, size_t len,
			 char *ctype, size_t n)
{
	if (outbound)
		return swn_mime_written_ctype(bytes, len, ctype, n) == 0;
	return swn_swa_reason_content_type(reason, ctype, n);
}

/* Each part the reason names, from the payload store to out/part-N.bin.
 * A part not kept (recorded before the store) is said, not fatal: the
 * bundle then fails its signature check, and says why. */
static int export_parts(const char *home, const char *out, const char *reason,
			struct swn_err *err)
{
	struct swn_swa_described d[SWN_MAX_PAYLOAD_PARTS];
	int n = swn_swa_reason_parts(reason, d, SWN_MAX_PAYLOAD_PARTS), i;

	/* What cannot be copied is said, and the rest of the bundle written:
	 * check-bundle then fails the signature, with the reason. */
	if (n < 0)
		printf("note: the message's ledger entry does not name its parts as this version "
		       "writes them: no part files, the message's signature cannot be checked from "
		       "the bundle\n");
	else if (n == 0)
		printf("note: the message's ledger entry names no parts (recorded before the node "
		       "kept them): the message's signature cannot be checked from the bundle\n");
	for (i = 0; i < n; i++) {
		char from[SWN_PATH_MAX + 100], to[40], dest[SWN_PATH_MAX + 140];
		int fd, rc;

		if (swn_payloads_path(home, d[i].plain_sha256, from, sizeof from, err) < 0)
			return -1;
		snprintf(to, sizeof to, "part-%u.bin", d[i].index);
		if (!swn_path_exists(from)) {
			printf("note: the plaintext of part %u is not kept (%s): the message's signature "
			       "cannot be checked from the bundle\n", d[i].index, SWN_PAYLOADS_DIR);
			continue;
		}
		/* Copied a chunk at a time: a part may be a gigabyte.  The
		 * plaintext: as private as in payloads/ (docs/security.md). */
		if ((fd = swn_payloads_open(home, d[i].plain_sha256, d[i].plain_len, err)) < 0) {
			printf("note: the plaintext of part %u is not what the entry names (%s): the "
			       "message's signature cannot be checked from the bundle\n", d[i].index, err->msg);
			swn_err_clear(err);
			continue;
		}
		rc = swn_path_join(dest, sizeof dest, out, to, err) < 0 ||
		     swn_file_copy(dest, fd, d[i].plain_len, 0600, SWN_WRITE_EXCLUSIVE, err) < 0 ? -1 : 0;
		close(fd);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int cmd_ledger_export(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "msgid", required_argument, NULL, 'm' },
		{ "direction", required_argument, NULL, 'd' },
		{ "peer", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *msgid = NULL, *out = NULL, *want_dir = NULL, *want_peer = NULL;
	static struct exchanges xs;
	int chosen = -1;
	const struct swn_config *cfg;
	struct swn_ledger *l = NULL;
	struct swn_agreement *a = NULL;
	static struct rows rs;
	struct swn_proof p;
	struct swn_ledger_source src;
	struct swn_err err;
	char note[SWN_NOTE_MAX], origin[600], vkey[800], name[80], path[SWN_PATH_MAX + 80];
	unsigned char pub[32], root[32];
	uint64_t size;
	char *text = NULL, *bytes = NULL;
	size_t len;
	json_t *arr;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int c, i, rc = SWN_EXIT_FAIL;

	swn_err_clear(&err);
	memset(&rs, 0, sizeof rs);
	while ((c = swn_cli_getopt(ctx, argc, argv, "o:", opts)) != -1) {
		if (c == 'm')
			msgid = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 'd')
			want_dir = optarg;
		else if (c == 'p')
			want_peer = optarg;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (!msgid || !out)
		return swn_cli_usage_error(ctx, "--msgid ID and -o DIR are required");
	if (want_dir && strcmp(want_dir, "in") != 0 && strcmp(want_dir, "out") != 0)
		return swn_cli_usage_error(ctx, "--direction must be in or out");
	if (optind < argc)
		return swn_cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	cfg = ctx->cfg;
	if (swn_ledger_open(cfg->ledger_db, cfg->home, NULL, cfg->party_id, &l, &err) < 0)
		return swn_cli_fail(&err);
	memset(&xs, 0, sizeof xs);
	if (want_dir && want_peer) {
		/* Named in full: whatever else the MessageId names. */
		rs.dir = want_dir;
		rs.peer = want_peer;
	} else {
		if (swn_ledger_history(l, msgid, find_exchanges, &xs, &err) < 0)
			goto done;
		if (choose_exchange(&xs, msgid, want_dir, want_peer, &chosen, &err) < 0) {
			if (err.code != SWN_E_USAGE)
				goto done;
			swn_err_print(&err, stderr);
			rc = SWN_EXIT_USAGE;
			goto cleanup;
		}
		rs.dir = xs.x[chosen].dir;
		rs.peer = xs.x[chosen].peer;
	}
	if (swn_ledger_history(l, msgid, collect, &rs, &err) < 0)
		goto done;
	if (rs.n == 0) {
		swn_err_set(&err, SWN_E_NOT_FOUND, NULL, 0, "message %s is not in the ledger with that "
			    "direction and peer", msgid);
		goto done;
	}
	for (i = 0; i < rs.n; i++)
		rs.r[i].has_digest = swn_ledger_entry_evidence_digest(l, rs.r[i].seq, rs.r[i].digest, &err) == 1;
	/* The latest checkpoint covers every entry. */
	if (swn_ledger_checkpoint(l, 0, note, sizeof note, &err) != 1 ||
	    !(key = swn_key_read(cfg->ledger_key, &err)) || swn_checkpoint_pubkey(key, pub, &err) < 0)
		goto done;
	swn_checkpoint_origin(cfg->party_id, origin, sizeof origin);
	if (swn_checkpoint_verify(note, strlen(note), origin, pub, &size, root, &err) < 0)
		goto done;
	if (swn_mkdir(out, 0755, &err) < 0)
		goto done;
	swn_checkpoint_vkey(origin, pub, vkey, sizeof vkey);
	strcat(vkey, "\n");
	if (write_text(out, "README.md", readme, strlen(readme), &err) < 0 ||
	    write_text(out, "ledger.vkey", vkey, strlen(vkey), &err) < 0 ||
	    write_text(out, "checkpoint.txt", note, strlen(note), &err) < 0)
		goto done;
	arr = json_array();
	for (i = 0; i < rs.n; i++) {
		struct row *r = &rs.r[i];
		char b64[48];

		EVP_EncodeBlock((unsigned char *)b64, r->digest, 32);
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?}",
			"seq", (json_int_t)r->seq, "time", r->time, "direction", r->dir, "peer", r->peer,
			"agreement", r->agreement, "doctype", r->doctype, "msgid", r->msgid,
			"event", r->event, "reason", r->has_reason ? r->reason : NULL,
			"evidence", r->has_digest ? b64 : NULL));
		if ((uint64_t)r->seq <= size) {
			if (swn_ledger_prove(l, 1, (uint64_t)r->seq, size, &p, &err) < 0 ||
			    swn_proof_to_json(&p, &text, &err) < 0)
				break;
			snprintf(name, sizeof name, "inclusion-%lld.json", r->seq);
			if (write_text(out, name, text, strlen(text), &err) < 0)
				break;
			free(text);
			text = NULL;
		}
	}
	free(text);
	text = json_dumps(arr, JSON_INDENT(1));
	json_decref(arr);
	if (err.code != SWN_OK || !text || write_text(out, "entries.json", text, strlen(text), &err) < 0)
		goto done;
	free(text);
	text = NULL;
	/* What repeated past PER_KIND entries of a kind: counted, not listed. */
	if (rs.omitted > 0) {
		json_t *o = json_object();

		for (i = 0; i < rs.nkinds; i++)
			if (rs.kinds[i].seen > PER_KIND)
				json_object_set_new(o, rs.kinds[i].event,
						    json_integer(rs.kinds[i].seen - PER_KIND));
		text = json_dumps(o, JSON_INDENT(1));
		json_decref(o);
		if (!text || write_text(out, "omitted.json", text, strlen(text), &err) < 0)
			goto done;
		free(text);
		text = NULL;
	}
	/* The signed message and the receipt, byte for byte. */
	{
		const char *dir = rs.r[0].dir, *peer = rs.r[0].peer;
		int outbound = strcmp(dir, "out") == 0;

		int found = swn_ledger_evidence_open(l, dir, peer, msgid, outbound ? "SUBMITTED" : "RECEIVED",
						     &src, &err);

		/* A message whose file is gone or damaged: said, not a bundle
		 * without it. */
		if (found < 0)
			goto done;
		if (found == 1) {
			const char *reason = origin_reason(&rs, outbound);
			char ctype[SWN_CTYPE_BYTES], head[80];
			size_t hn = src.fd >= 0 ? swn_pread_all(src.fd, head, sizeof head, 0) : 0;
			int mime = message_ctype(outbound, reason, src.fd >= 0 ? head : src.bytes,
						 src.fd >= 0 ? hn : (size_t)src.len, ctype, sizeof ctype);
			const char *mfile = mime ? "message.mime" : "message.xml";

			/* A message kept in payloads/ is copied, not read whole. */
			if (src.fd >= 0)
				snprintf(path, sizeof path, "%s/%s", out, mfile);
			if ((src.fd >= 0 ? swn_file_copy(path, src.fd, src.len, 0644, SWN_WRITE_EXCLUSIVE, &err)
					 : write_text(out, mfile, src.bytes, (size_t)src.len, &err)) < 0 ||
			    (mime && export_parts(cfg->home, out, reason, &err) < 0)) {
				swn_ledger_source_close(&src);
				goto done;
			}
			swn_ledger_source_close(&src);
		}
		if (swn_ledger_evidence(l, dir, peer, msgid, outbound ? "DELIVERED" : "RECEIPT_SENT",
					&bytes, &len, NULL, &err) == 1) {
			if (write_text(out, "receipt.xml", bytes, len, &err) < 0)
				goto done;
			free(bytes);
			bytes = NULL;
		}
		/* The signers' certificates: ours (the body form's, then each
		 * profile's) and the peer's pins. */
		if (!(cert = swn_cert_read(cfg->signing_cert, &err)))
			goto done;
		snprintf(path, sizeof path, "%s/signing-%s.pem", out, cfg->party_id);
		if (swn_cert_write(path, cert, &err) < 0)
			goto done;
		for (i = 0; i < cfg->nprofiles; i++) {
			X509_free(cert);
			if (!(cert = swn_cert_read(cfg->profiles[i].signing_cert, &err)))
				goto done;
			snprintf(path, sizeof path, "%s/signing-%s+%d.pem", out, cfg->party_id, i + 2);
			if (swn_cert_write(path, cert, &err) < 0)
				goto done;
		}
		snprintf(path, sizeof path, "%s/%s.xml", cfg->peers_dir, rs.r[0].agreement);
		/* The peer names files here: only a party id (a ledger made
		 * before the rule may hold anything). */
		if (swn_party_id_ok(peer) && swn_agreement_id_ok(rs.r[0].agreement) &&
		    swn_agreement_load(path, NULL, NULL, &a, &err) == 0) {
			for (i = 0; i < a->nsigning; i++) {
				snprintf(path, sizeof path, "%s/signing-%s+%d.pem", out, peer, i + 1);
				if (swn_cert_write(path, a->signing[i].cert, &err) < 0)
					goto done;
			}
		}
		swn_err_clear(&err);
	}
	printf("wrote the evidence of %s (%s, %s) to %s: %d entries%s, checkpoint of size %llu\n",
	       msgid, rs.dir, rs.peer, out, rs.n, rs.omitted ? " (more counted in omitted.json)" : "",
	       (unsigned long long)size);
	rc = SWN_EXIT_OK;
done:
	if (rc != SWN_EXIT_OK)
		rc = swn_cli_fail(&err);
cleanup:
	free(text);
	free(bytes);
	X509_free(cert);
	EVP_PKEY_free(key);
	swn_agreement_free(a);
	swn_ledger_close(l);
	return rc;
}

/* ---- check-bundle ---- */

static int readf(const char *dir, const char *name, char **data, size_t *len, struct swn_err *err)
{
	char path[SWN_PATH_MAX + 100];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return swn_file_read(path, SWN_MAX_DOCUMENT_BYTES, data, len, err);
}

/* The SHA-256 of the regular file dir/name (never through a link), read
 * a chunk at a time, and its first bytes into head (size n, *got). */
static int digest_file(const char *dir, const char *name, unsigned char md[32], char *head,
		       size_t n, size_t *got, struct swn_err *err)
{
	char path[SWN_PATH_MAX + 100];
	struct stat st;
	uint64_t len = 0;
	int fd, rc;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = swn_file_open_at(AT_FDCWD, path, path, &st, err)) < 0)
		return -1;
	rc = swn_payloads_sha256(fd, &len, md);
	*got = rc == 0 ? swn_pread_all(fd, head, n, 0) : 0;
	close(fd);
	if (rc < 0)
		return swn_err_set(err, SWN_E_IO, path, 0, "cannot read it");
	return 0;
}

/* what quotes the bundle, which may hold anything: escaped. */
static int check(int ok, const char *what)
{
	char shown[SWN_ESCAPED_SIZE(900)];

	swn_escape(shown, sizeof shown, what);
	printf("%s  %s\n", ok ? "ok     " : "FAILED ", shown);
	return ok ? 0 : 1;
}

/* The exporting node's party from its key name "PARTY/swnode-ledger";
 * -1 (err set) if the name is not that, with a party id. */
static int key_party(const char *name, char *party, size_t n, struct swn_err *err)
{
	static const char suffix[] = "/swnode-ledger";
	size_t len = strlen(name), sl = sizeof suffix - 1;

	if (len > sl && len - sl < n && strcmp(name + len - sl, suffix) == 0) {
		snprintf(party, n, "%.*s", (int)(len - sl), name);
		if (swn_party_id_ok(party))
			return 0;
	}
	return swn_err_set(err, SWN_E_PARSE, NULL, 0, "the ledger key's name '%s' is not PARTY%s with a "
			   "party id (" SWN_PARTY_ID_RULE ")", name, suffix);
}

/* Is name party's certificate file: exactly PREFIX.pem or PREFIX+N.pem
 * (N digits)?  '+' is in no party id, so no file is two parties' ("CN-2"
 * must not take CN's "signing-CN+2.pem", "SG" not "signing-SG-NTP+1.pem"). */
static int signing_file_of(const char *name, const char *prefix, size_t plen)
{
	const char *p = name + plen;

	if (strncmp(name, prefix, plen) != 0)
		return 0;
	if (*p == '+') {
		if (!(*++p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return strcmp(p, ".pem") == 0;
}

static void report_check(void *arg, int ok, const char *what)
{
	*(int *)arg += check(ok, what);
}

/* Does a signed file (ctype: an eDelivery message.mime, its parts named by
 * reason; evidence.h) verify with one of party's certificates in the
 * bundle (signing-PARTY.pem, signing-PARTY+N.pem)?  The checks of its part
 * files are added to *bad; why gets what kept it from being checked. */
static int signed_by_one(const char *dir, const char *file, const char *ctype, const char *reason,
			 const char *party, char *who, size_t n, int *bad, char *why, size_t wn)
{
	char prefix[SWN_PARTY_BYTES + 16];
	size_t plen = (size_t)snprintf(prefix, sizeof prefix, "signing-%s", party);
	struct swn_evidence *ev;
	struct swn_err err;
	struct dirent *e;
	DIR *d;
	int ok = 0;

	swn_err_clear(&err);
	why[0] = '\0';
	if (!(ev = swn_evidence_open(dir, file, ctype, reason, report_check, bad, &err))) {
		snprintf(why, wn, "%.300s", err.msg);
		return 0;
	}
	if (!(d = opendir(dir))) {
		swn_evidence_free(ev);
		return 0;
	}
	while (!ok && (e = readdir(d)) != NULL) {
		char path[SWN_PATH_MAX + 300];
		X509 *c;

		if (!signing_file_of(e->d_name, prefix, plen))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		swn_err_clear(&err);
		if (!(c = swn_cert_read(path, &err)))
			continue;
		if (swn_evidence_verify(ev, c, &err) == 0) {
			ok = 1;
			snprintf(who, n, "%s", e->d_name);
		}
		X509_free(c);
	}
	closedir(d);
	swn_evidence_free(ev);
	return ok;
}

/* Does receipt.xml acknowledge the bundle's message file (ctype: an
 * eDelivery message.mime) with MessageId msgid? */
static int receipt_acknowledges(const char *dir, const char *file, const char *ctype,
				const char *msgid)
{
	struct swn_evidence *ev;
	struct swn_as4_msg rm;
	struct swn_err err;
	xmlDocPtr doc = NULL;
	char *data = NULL;
	size_t len;
	int ok;

	swn_err_clear(&err);
	if (!(ev = swn_evidence_open(dir, file, ctype, NULL, NULL, NULL, &err)))
		return 0;
	ok = readf(dir, "receipt.xml", &data, &len, &err) == 0 &&
	     (doc = swn_xml_parse(data, len, "receipt.xml", &err)) != NULL &&
	     swn_as4_parse(doc, "receipt.xml", &rm, &err) == 0 && rm.kind == SWN_AS4_RECEIPT &&
	     strcmp(rm.ref_to, msgid) == 0 && strcmp(swn_evidence_msg(ev)->user.message_id, msgid) == 0 &&
	     swn_as4_receipt_covers(swn_evidence_msg(ev), &rm);
	xmlFreeDoc(doc);
	free(data);
	swn_evidence_free(ev);
	return ok;
}

/* The bundle's message file: message.xml (the body form) or message.mime
 * (eDelivery); NULL when it holds both. */
static const char *message_file(const char *dir)
{
	char x[SWN_PATH_MAX + 20], m[SWN_PATH_MAX + 20];
	struct stat st;
	int has_x, has_m;

	snprintf(x, sizeof x, "%s/message.xml", dir);
	snprintf(m, sizeof m, "%s/message.mime", dir);
	has_x = lstat(x, &st) == 0;
	has_m = lstat(m, &st) == 0;
	return has_x && has_m ? NULL : has_m ? "message.mime" : "message.xml";
}

int cmd_ledger_check_bundle(int argc, char **argv, struct swn_ctx *ctx)
{
	static const struct option opts[] = {
		{ "vkey", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir, *want_vkey = NULL, *msgid0 = NULL, *dir0 = NULL, *peer0 = NULL;
	char self[600];
	char *vk = NULL, *note = NULL, *ents = NULL, name[600], what[900], who[300];
	size_t vklen, nlen, elen;
	unsigned char pub[32], root[32];
	uint64_t size;
	struct swn_err err;
	json_t *arr = NULL, *e;
	json_error_t jerr;
	size_t i;
	int c, bad = 0, has_receipt = 0, has_message = 0;
	const char *msg_file = NULL;
	static char msg_ctype[SWN_CTYPE_BYTES];

	swn_err_clear(&err);
	msg_ctype[0] = '\0';
	while ((c = swn_cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (c == 'v')
			want_vkey = optarg;
		else
			return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	}
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one DIR");
	dir = argv[optind];
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	if (readf(dir, "ledger.vkey", &vk, &vklen, &err) < 0 || readf(dir, "checkpoint.txt", &note, &nlen, &err) < 0 ||
	    readf(dir, "entries.json", &ents, &elen, &err) < 0) {
		swn_err_print(&err, stderr);
		free(vk);
		free(note);
		return SWN_EXIT_USAGE;
	}
	/* The file is the key and a line end. */
	while (vklen > 0 && (vk[vklen - 1] == '\n' || vk[vklen - 1] == '\r'))
		vk[--vklen] = '\0';
	if (swn_checkpoint_parse_vkey(vk, name, sizeof name, pub, &err) < 0 ||
	    key_party(name, self, sizeof self, &err) < 0 ||
	    !(arr = json_loadb(ents, elen, 0, &jerr)) || !json_is_array(arr)) {
		char why[SWN_ESCAPED_SIZE(sizeof err.msg)];

		swn_escape(why, sizeof why, err.msg[0] ? err.msg : jerr.text);
		fprintf(stderr, "swnode: %s: not an evidence bundle: %s\n", dir, why);
		free(vk); free(note); free(ents); json_decref(arr);
		return SWN_EXIT_USAGE;
	}
	printf("ledger key %s\n", vk);
	/* Everything rests on the key: it must be the one the operator
	 * published, not merely the one the bundle brought. */
	if (want_vkey)
		bad += check(strcmp(want_vkey, vk) == 0, "the bundle's ledger key is the published one (--vkey)");
	else
		printf("warning: no --vkey given: the ledger key is the bundle's own; compare it with the published one\n");
	bad += check(swn_checkpoint_verify(note, nlen, name, pub, &size, root, &err) == 0,
		     "checkpoint.txt is signed by that key");
	json_array_foreach(arr, i, e) {
		const char *f[8], *ev = json_string_value(json_object_get(e, "evidence"));
		long long seq = (long long)json_integer_value(json_object_get(e, "seq"));
		unsigned char digest[32], leaf[32];
		struct swn_buf bytes;
		struct swn_proof p;
		char pname[64], *pj = NULL;
		size_t plen;
		int ok;
		static const char *const keys[8] = { "time", "direction", "peer", "agreement",
						     "doctype", "msgid", "event", "reason" };
		int k;

		for (k = 0; k < 8; k++)
			f[k] = json_string_value(json_object_get(e, keys[k]));
		if (msgid0 == NULL) {
			msgid0 = f[5];
			dir0 = f[1];
			peer0 = f[2];
		}
		/* One exchange: the MessageId alone is the sender's choice. */
		if (!f[5] || !msgid0 || strcmp(f[5], msgid0) != 0 || !f[1] || !dir0 ||
		    strcmp(f[1], dir0) != 0 || !f[2] || !peer0 || strcmp(f[2], peer0) != 0) {
			bad += check(0, "every entry in entries.json is about one exchange (message, direction, peer)");
			continue;
		}
		if (ev && (strlen(ev) != 44 || EVP_DecodeBlock(digest, (const unsigned char *)ev, 44) != 33)) {
			bad += check(0, "an evidence digest in entries.json");
			continue;
		}
		swn_buf_init(&bytes, SWN_MAX_ENTRY_BYTES);
		swn_err_clear(&err);
		ok = swn_ledger_entry_bytes(seq, f, ev ? digest : NULL, &bytes, &err) == 0 &&
		     swn_merkle_leaf_hash(bytes.data, bytes.len, leaf) == 0;
		swn_buf_free(&bytes);
		snprintf(pname, sizeof pname, "inclusion-%lld.json", seq);
		ok = ok && readf(dir, pname, &pj, &plen, &err) == 0 &&
		     swn_proof_parse(pj, plen, pname, &p, &err) == 0 && p.type == SWN_PROOF_INCLUSION &&
		     memcmp(p.h1, leaf, 32) == 0 && p.b == size && memcmp(p.h2, root, 32) == 0 &&
		     swn_proof_check(&p) == 1;
		free(pj);
		snprintf(what, sizeof what, "entry %lld (%s %s) is in the signed tree of size %llu",
			 seq, f[1] ? f[1] : "?", f[6] ? f[6] : "?", (unsigned long long)size);
		bad += check(ok, what);
		/* The evidence files are the bytes the entries name. */
		if (ev && f[6] && (!strcmp(f[6], "SUBMITTED") || !strcmp(f[6], "RECEIVED") ||
				   !strcmp(f[6], "DELIVERED") || !strcmp(f[6], "RECEIPT_SENT"))) {
			int is_msg = !strcmp(f[6], "SUBMITTED") || !strcmp(f[6], "RECEIVED");
			const char *file = is_msg ? message_file(dir) : "receipt.xml";
			unsigned char md[32];
			char *data, ctype[SWN_CTYPE_BYTES], why[400];
			int mime = 0;
			size_t dlen;

			if (file == NULL) {
				bad += check(0, "the bundle holds one message file, message.xml or message.mime");
				continue;
			}
			swn_err_clear(&err);
			if (!strcmp(file, "message.mime")) {
				/* Hashed through its file: it may be a gigabyte. */
				char head[80];
				size_t hn = 0;

				ok = digest_file(dir, file, md, head, sizeof head, &hn, &err) == 0 &&
				     memcmp(md, digest, 32) == 0;
				/* The Content-Type that reads an eDelivery message:
				 * in the RECEIVED reason, or our writer's own. */
				if (ok)
					mime = message_ctype(!strcmp(f[6], "SUBMITTED"), f[7], head, hn,
							     ctype, sizeof ctype);
			} else if ((ok = readf(dir, file, &data, &dlen, &err) == 0)) {
				SHA256((const unsigned char *)data, dlen, md);
				ok = memcmp(md, digest, 32) == 0;
				free(data);
			}
			if (is_msg && ok && (!strcmp(file, "message.xml") || mime)) {
				/* How the receipt check below reads the message. */
				msg_file = file;
				snprintf(msg_ctype, sizeof msg_ctype, "%s", mime ? ctype : "");
			}
			if (err.code != SWN_OK)   /* not readable: say which file and why */
				snprintf(what, sizeof what, "%s is the evidence of entry %lld: %.300s: %.400s",
					 file, seq, err.file, err.msg);
			else
				snprintf(what, sizeof what, "%s is the evidence of entry %lld", file, seq);
			bad += check(ok, what);
			/* Sender and receiver by party: the message is signed by
			 * its sender, the receipt by its receiver. */
			{
				int outbound = f[1] && !strcmp(f[1], "out");
				const char *signer = (outbound == is_msg) ? self : (f[2] ? f[2] : "");

				/* The signer's certificates are found by its name. */
				if (!swn_party_id_ok(signer)) {
					snprintf(what, sizeof what, "%s carries a valid signature: entry %lld names "
						 "the peer '%.200s', which is not a party id", file, seq, signer);
					bad += check(0, what);
					continue;
				}
				if (!strcmp(file, "message.mime") && !mime) {
					ok = 0;
					snprintf(why, sizeof why, "entry %lld names no Content-Type that reads it", seq);
				} else {
					ok = signed_by_one(dir, file, mime ? ctype : NULL, f[7], signer, who,
							   sizeof who, &bad, why, sizeof why);
				}
			}
			snprintf(what, sizeof what, "%s carries a valid signature%s%s%s%s", file,
				 ok ? " by " : "", ok ? who : "", !ok && why[0] ? ": " : "", ok ? "" : why);
			bad += check(ok, what);
			if (is_msg)
				has_message = 1;
			else
				has_receipt = 1;
		}
	}
	/* A file no entry names was checked by nothing: it must not pass for
	 * evidence (an entry left out of entries.json). */
	{
		static const char *const files[] = { "message.xml", "message.mime", "receipt.xml" };
		size_t k;

		for (k = 0; k < 3; k++) {
			char path[SWN_PATH_MAX + 20];
			struct stat st;

			snprintf(path, sizeof path, "%s/%s", dir, files[k]);
			if (lstat(path, &st) == 0 && !(k < 2 ? has_message : has_receipt)) {
				snprintf(what, sizeof what, "%s is the evidence of an entry in the bundle", files[k]);
				bad += check(0, what);
			}
		}
	}
	/* The receipt acknowledges this message, not another: its
	 * RefToMessageId, and every reference of the message's signature
	 * repeated in its NonRepudiationInformation. */
	if (has_receipt && msgid0) {
		swn_err_clear(&err);
		snprintf(what, sizeof what, "receipt.xml acknowledges the message (RefToMessageId and "
			 "every signed reference in its NonRepudiationInformation)");
		bad += check(msg_file && receipt_acknowledges(dir, msg_file, msg_ctype[0] ? msg_ctype : NULL,
							       msgid0), what);
	}
	json_decref(arr);   /* msgid0 pointed into it */
	/* Entries of repeated kinds past the first ones are counted only. */
	{
		char *om = NULL;
		size_t omlen;
		json_t *o;
		const char *k;
		json_t *v;

		swn_err_clear(&err);
		if (readf(dir, "omitted.json", &om, &omlen, &err) == 0 &&
		    (o = json_loadb(om, omlen, 0, &jerr)) != NULL) {
			json_object_foreach(o, k, v)
				printf("note     %lld more %s entries of this exchange are counted in omitted.json, not in the bundle\n",
				       (long long)json_integer_value(v), k);
			json_decref(o);
		}
		free(om);
	}
	free(vk);
	free(note);
	free(ents);
	printf("%s\n", bad ? "the bundle does NOT hold" : "the bundle holds");
	return bad ? SWN_EXIT_FAIL : SWN_EXIT_OK;
}

/* ---- audit-peer ---- */

struct kept {
	uint64_t size;
	unsigned char root[32];
	char note[SWN_NOTE_MAX];
	char msgid[SWN_AS4_ID_BYTES];
	long long leaf;
	char received[40];
};

struct kept_list {
	struct kept *k;
	size_t n, cap;
};

static void keep(void *ctx, uint64_t size, const unsigned char *root, const char *note,
		 const char *msgid, long long leaf, const char *received)
{
	struct kept_list *l = ctx;
	struct kept *k;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct kept *g = realloc(l->k, cap * sizeof *g);

		if (!g)
			return;
		l->k = g;
		l->cap = cap;
	}
	k = &l->k[l->n++];
	k->size = size;
	memcpy(k->root, root, 32);
	snprintf(k->note, sizeof k->note, "%s", note);
	snprintf(k->msgid, sizeof k->msgid, "%s", msgid);
	k->leaf = leaf;
	snprintf(k->received, sizeof k->received, "%s", received);
}

/* GET path from the peer's listener, over the agreement's mutual TLS. */
static int peer_get(struct swn_runtime *rt, const struct swn_agreement *a, const char *path,
		    struct swn_buf *reply, struct swn_err *err)
{
	char url[SWN_URL_BYTES + 200];
	const char *host = strstr(a->endpoint, "://");
	const char *slash = host ? strchr(host + 3, '/') : NULL;
	struct swn_post p;
	long status = 0;

	snprintf(url, sizeof url, "%.*s%s", slash ? (int)(slash - a->endpoint) : (int)strlen(a->endpoint),
		 a->endpoint, path);
	p.url = url;
	p.client_cert = rt->cfg.tls_cert;
	p.client_key = rt->cfg.tls_key;
	p.peer_tls = a->tls;
	p.timeout_s = 30;
	if (swn_http_post(&p, NULL, 0, &status, reply, err) < 0)
		return -1;
	if (status != 200)
		return swn_err_set(err, SWN_E_IO, url, 0, "HTTP %ld: %.200s", status,
				   reply->data ? reply->data : "");
	return 0;
}

int cmd_ledger_audit_peer(int argc, char **argv, struct swn_ctx *ctx)
{
	const char *party;
	char cur[SWN_NOTE_MAX];
	struct swn_runtime *rt = NULL;
	const struct swn_agreement *a;
	struct kept_list kl = { NULL, 0, 0 };
	unsigned char root_now[32];
	uint64_t size_now;
	struct swn_buf reply;
	struct swn_err err;
	size_t i, j;
	int c, bad = 0, rc = SWN_EXIT_FAIL;

	swn_err_clear(&err);
	swn_buf_init(&reply, SWN_MAX_PEER_LEDGER_REPLY_BYTES);
	while ((c = swn_cli_getopt(ctx, argc, argv, "", NULL)) != -1)
		return c == 'h' ? SWN_EXIT_OK : SWN_EXIT_USAGE;
	if (optind != argc - 1)
		return swn_cli_usage_error(ctx, "give exactly one PARTY");
	party = argv[optind];
	if (swn_cmd_setup(ctx, &err) < 0)
		return swn_cli_fail(&err);
	rt = ctx->rt;
	swn_runtime_agreements_lock(rt);
	a = swn_runtime_find(rt, NULL, party, NULL);
	if (a == NULL || !a->peer_ledger_key[0]) {
		swn_err_set(&err, SWN_E_CONFIG, NULL, 0, a ? "the agreement with %s pins no ledger key"
							   : "no agreement with %s", party);
		goto done;
	}
	if (swn_ledger_witness_list(rt->ledger, a->peer.id, keep, &kl, &err) < 0)
		goto done;
	printf("%zu checkpoints received from %s in its receipts\n", kl.n, party);
	/* Two different roots for one size: the peer showed two histories. */
	for (i = 0; i + 1 < kl.n; i++)
		for (j = i + 1; j < kl.n && kl.k[j].size == kl.k[i].size; j++)
			if (memcmp(kl.k[i].root, kl.k[j].root, 32) != 0) {
				printf("FORK: two signed checkpoints of size %llu with different roots\n"
				       "-- received with %s at %s:\n%s-- received with %s at %s:\n%s",
				       (unsigned long long)kl.k[i].size, kl.k[i].msgid, kl.k[i].received,
				       kl.k[i].note, kl.k[j].msgid, kl.k[j].received, kl.k[j].note);
				bad++;
			}
	if (peer_get(rt, a, "/ledger/checkpoint", &reply, &err) < 0 ||
	    swn_checkpoint_verify(reply.data, reply.len, a->peer_ledger_name, a->peer_ledger_pub,
				  &size_now, root_now, &err) < 0)
		goto done;
	snprintf(cur, sizeof cur, "%s", reply.data);
	printf("%s's current checkpoint: size %llu\n", party, (unsigned long long)size_now);
	for (i = 0; i < kl.n; i++) {
		struct kept *k = &kl.k[i];
		struct swn_proof p;
		char path[100];
		int ok;

		if (i > 0 && k->size == kl.k[i - 1].size && !memcmp(k->root, kl.k[i - 1].root, 32))
			continue;
		if (k->size > size_now) {
			printf("ROLLBACK: %s signed a checkpoint of size %llu (received with %s at %s) but its "
			       "tree now has %llu entries\n-- then:\n%s-- now:\n%s",
			       party, (unsigned long long)k->size, k->msgid, k->received,
			       (unsigned long long)size_now, k->note, cur);
			bad++;
			continue;
		}
		snprintf(path, sizeof path, "/ledger/consistency?from=%llu&to=%llu",
			 (unsigned long long)k->size, (unsigned long long)size_now);
		swn_buf_free(&reply);
		swn_buf_init(&reply, SWN_MAX_PEER_LEDGER_REPLY_BYTES);
		swn_err_clear(&err);
		ok = peer_get(rt, a, path, &reply, &err) == 0 &&
		     swn_proof_parse(reply.data, reply.len, path, &p, &err) == 0 &&
		     p.type == SWN_PROOF_CONSISTENCY && p.a == k->size && p.b == size_now &&
		     memcmp(p.h1, k->root, 32) == 0 && memcmp(p.h2, root_now, 32) == 0 &&
		     swn_proof_check(&p) == 1;
		if (!ok) {
			char why[SWN_ESCAPED_SIZE(sizeof err.msg)];

			swn_escape(why, sizeof why, err.msg);
			printf("FORK: the checkpoint of size %llu %s signed (received with %s at %s) is not a "
			       "prefix of its current tree%s%s\n-- then:\n%s-- now:\n%s",
			       (unsigned long long)k->size, party, k->msgid, k->received,
			       why[0] ? ": " : "", why, k->note, cur);
			bad++;
		}
	}
	if (!bad)
		printf("consistent: every checkpoint %s signed lies on its current tree of size %llu\n",
		       party, (unsigned long long)size_now);
	rc = bad ? SWN_EXIT_FAIL : SWN_EXIT_OK;
	swn_err_clear(&err);
done:
	swn_runtime_agreements_unlock(rt);
	if (err.code != SWN_OK)
		rc = swn_cli_fail(&err);
	swn_buf_free(&reply);
	free(kl.k);
	return rc;
}

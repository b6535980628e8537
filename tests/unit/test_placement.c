/*
 * Unit tests: a received document and its attachments into spool/in
 * (placement.h), against a real ledger and payload store.
 *
 * One message of three parts: its document (the domestic bytes placed),
 * a raw attachment (part 2) and a gzip'd one (part 3), named by a
 * RECEIVED reason in the ledger's words and kept in payloads/ by digest.
 * Placing shows both attachments beside the document, the gzip'd one
 * inflated; finishing a placement recorded but not revealed writes them
 * anew; a store file that is no longer the bytes recorded reveals
 * nothing; a link planted where an attachment appears is moved aside,
 * never written through; acknowledging takes them; the start removes a
 * temporary attachment without its document and an acknowledged
 * document's attachment left behind, and keeps the others.  A reason an
 * earlier version wrote places nothing and lists as unreadable.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "as4/gzip.h"
#include "ledger/ledger.h"
#include "ledger/payloads.h"
#include "node/node/placement.h"
#include "node/node/swa_in.h"
#include "testlib.h"

static char home[] = "/tmp/swn-placement-XXXXXX";
static char spool[200], in[220];
static struct swn_ledger *l;

static const char doc[] = "<d:Doc xmlns:d=\"urn:d\">the domestic form</d:Doc>\n";
static const char raw[] = "%PDF-1.4 not really a PDF\n";
static const char inflated[] = "a note on the consignment, gzip'd on the way\n";

static void hex(const unsigned char md[32], char out[65])
{
	int i;

	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Keep len bytes (from a temporary file) in the store: their digest. */
static void keep(int fd, uint64_t len, unsigned char md[32])
{
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_msg(swn_payloads_put(home, fd, len, md, &err) == 0, "%s", err.msg);
}

static int temp_fd(void)
{
	char path[] = "/tmp/swn-placement-part-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	return fd;
}

static unsigned char raw_md[32], gz_md[32];
static uint64_t gz_len;

/* The node directory, its ledger, the two attachments in the store, and
 * a RECEIVED entry (seq 1) naming the three parts. */
static void setup(void)
{
	char path[300], reason[2000], h1[65], h2[65], h3[65];
	unsigned char doc_md[32];
	struct swn_err err;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(home));
	snprintf(spool, sizeof spool, "%s/spool", home);
	snprintf(in, sizeof in, "%s/in", spool);
	ck_assert_int_eq(mkdir(spool, 0750), 0);
	ck_assert_int_eq(mkdir(in, 0750), 0);
	snprintf(path, sizeof path, "%s/ledger.db", home);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_ledger_create(path, "SW-B", &err), 0);
	ck_assert_int_eq(swn_ledger_open(path, home, NULL, "SW-B", &l, &err), 0);

	fd = temp_fd();
	ck_assert_int_eq(write(fd, raw, strlen(raw)), (ssize_t)strlen(raw));
	keep(fd, strlen(raw), raw_md);
	close(fd);
	fd = temp_fd();
	ck_assert_int_eq(swn_gzip_compress_mem(inflated, strlen(inflated), fd, &gz_len, &err), 0);
	keep(fd, gz_len, gz_md);
	close(fd);

	SHA256((const unsigned char *)doc, strlen(doc), doc_md);
	hex(doc_md, h1);
	hex(raw_md, h2);
	hex(gz_md, h3);
	/* The ledger's words, as swn_swa_in_describe writes them (the
	 * received sizes and digests do not matter here). */
	snprintf(reason, sizeof reason,
		 SWN_SWA_REASON_PREFIX "YWJj; part 3 <c3@x> application/gzip: received 9 bytes "
		 "sha256:%s, decrypted %llu bytes sha256:%s; part 1 <c1@x> application/xml: received 9 "
		 "bytes sha256:%s, decrypted %zu bytes sha256:%s; part 2 <c2@x> application/pdf: "
		 "received 9 bytes sha256:%s, decrypted %zu bytes sha256:%s",
		 h3, (unsigned long long)gz_len, h3, h1, strlen(doc), h1, h2, strlen(raw), h2);
	{
		struct swn_event ev = { "in", "P4", "P4-20", "eco", "m1@p4", "RECEIVED", reason };
		long long seq;

		ck_assert_msg(swn_ledger_append(l, &ev, "message", 7, &seq, &err) == 0, "%s", err.msg);
		ck_assert_int_eq(seq, 1);
	}
}

static void teardown(void)
{
	char cmd[128];

	swn_ledger_close(l);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(home, "/tmp/swn-placement-XXXXXX");
}

/* The file spool/in/NAME holds exactly want (a regular file). */
static void holds(const char *name, const char *want)
{
	char path[400], got[512];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "%s/%s", in, name);
	ck_assert_msg(lstat(path, &st) == 0 && S_ISREG(st.st_mode), "%s is not a regular file", name);
	ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
	n = read(fd, got, sizeof got - 1);
	close(fd);
	ck_assert_int_ge(n, 0);
	got[n] = '\0';
	ck_assert_str_eq(got, want);
}

/* Write text to path, anew. */
static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static int exists(const char *name)
{
	char path[400];
	struct stat st;

	snprintf(path, sizeof path, "%s/%s", in, name);
	return lstat(path, &st) == 0;
}

static int place(char *path, size_t n, struct swn_err *err)
{
	struct swn_placement d = { "P4", "P4-20", "eco", "m1@p4", 1, doc, strlen(doc), home, NULL, NULL, 0, 0, 0 };

	swn_err_clear(err);
	return swn_placement_place(l, spool, &d, path, n, err);
}

START_TEST(placed_with_attachments)
{
	struct swn_placement_attachment att[4];
	char path[600];
	struct swn_err err;

	ck_assert_msg(place(path, sizeof path, &err) == 0, "%s", err.msg);
	holds("eco-00000001.xml", doc);
	holds("eco-00000001.part-2.bin", raw);
	holds("eco-00000001.part-3.bin", inflated);   /* gzip'd on the way: inflated */
	ck_assert(!exists("eco-00000001.part-1.bin"));   /* the document is not an attachment */
	ck_assert(!exists(".placing-1") && !exists(".placing-1-part-2") && !exists(".placing-1-part-3"));
	/* What GET /inbox lists: in the reason's order, part 3 first. */
	ck_assert_int_eq(swn_placement_attachments(l, "P4", "m1@p4", "eco-00000001.xml", att, 4, &err), 2);
	ck_assert_uint_eq(att[0].part, 3);
	ck_assert_str_eq(att[0].file, "eco-00000001.part-3.bin");
	ck_assert_uint_eq(att[1].part, 2);
	/* Placed once: a second call changes nothing. */
	unlink(strcat(strcpy(path, in), "/eco-00000001.part-2.bin"));
	ck_assert_int_eq(place(path, sizeof path, &err), 0);
	ck_assert(!exists("eco-00000001.part-2.bin"));
}
END_TEST

/* DELIVERED_LOCAL on disk, .placing-1 there, nothing revealed (a crash
 * between steps 2 and 3): finishing writes the attachments anew. */
START_TEST(finished_after_a_crash)
{
	char path[600], tmp[300];
	struct swn_event ev = { "in", "P4", "P4-20", "eco", "m1@p4", "DELIVERED_LOCAL", path };
	enum swn_finish what;
	struct swn_err err;
	int fd;

	snprintf(path, sizeof path, "%s/eco-00000001.xml", in);
	snprintf(tmp, sizeof tmp, "%s/.placing-1", in);
	ck_assert_int_ge(fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0640), 0);
	ck_assert_int_eq(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	close(fd);
	/* and a half-written attachment, as a crash in step 3 leaves it */
	snprintf(tmp, sizeof tmp, "%s/.placing-1-part-2", in);
	ck_assert_int_ge(fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0640), 0);
	ck_assert_int_eq(write(fd, "%PDF", 4), 4);
	close(fd);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_ledger_append(l, &ev, doc, strlen(doc), NULL, &err), 0);
	ck_assert_msg(swn_placement_finish(l, spool, home, 1, 0, &what, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(what, SWN_FINISH_REVEALED);
	holds("eco-00000001.xml", doc);
	holds("eco-00000001.part-2.bin", raw);
	holds("eco-00000001.part-3.bin", inflated);
	ck_assert(!exists(".placing-1-part-2"));
}
END_TEST

/* A store file that is no longer the bytes recorded: recorded, nothing
 * revealed, the reason says which part. */
START_TEST(store_changed)
{
	char path[600], hexd[65], store[400];
	struct swn_err err;

	hex(raw_md, hexd);
	snprintf(store, sizeof store, "%s/payloads/%s", home, hexd);
	ck_assert_int_eq(chmod(store, 0600), 0);
	write_text(store, "other bytes");
	ck_assert_int_eq(place(path, sizeof path, &err), 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "part 2 of message 1: not the bytes its RECEIVED entry names"));
	ck_assert(!exists("eco-00000001.xml"));
	ck_assert(!exists("eco-00000001.part-2.bin"));
}
END_TEST

/* A link planted where an attachment appears is moved aside; the file it
 * points to is not written. */
START_TEST(planted_link)
{
	char path[600], target[300], link_path[400];
	struct swn_err err;
	FILE *f;

	snprintf(target, sizeof target, "%s/outside", home);
	write_text(target, "keep me");
	snprintf(link_path, sizeof link_path, "%s/eco-00000001.part-2.bin", in);
	ck_assert_int_eq(symlink(target, link_path), 0);
	ck_assert_msg(place(path, sizeof path, &err) == 0, "%s", err.msg);
	holds("eco-00000001.part-2.bin", raw);
	ck_assert(exists(".in-the-way-1-eco-00000001.part-2.bin"));
	ck_assert_ptr_nonnull(f = fopen(target, "r"));
	ck_assert_ptr_nonnull(fgets(path, sizeof path, f));
	fclose(f);
	ck_assert_str_eq(path, "keep me");
}
END_TEST

/* Acknowledging takes the attachments; the start removes what a crash
 * left and keeps what is not taken. */
START_TEST(taken_and_swept)
{
	struct swn_ledger_placed p;
	char path[600], other[400];
	int finished, removed, failed;
	struct swn_err err;

	ck_assert_msg(place(path, sizeof path, &err) == 0, "%s", err.msg);
	/* Not acknowledged: the start keeps the attachments; an orphan
	 * temporary attachment goes. */
	snprintf(other, sizeof other, "%s/.placing-7-part-2", in);
	write_text(other, "");
	ck_assert_int_eq(swn_placement_recover(l, spool, home, &finished, &removed, &failed, &err), 0);
	ck_assert_int_eq(removed, 1);
	ck_assert(exists("eco-00000001.part-2.bin") && exists("eco-00000001.part-3.bin"));
	/* Taken: the document and both attachments go. */
	ck_assert_int_eq(swn_placement_acknowledge(l, spool, "eco-00000001.xml", &p, &err), 1);
	ck_assert(!exists("eco-00000001.xml"));
	ck_assert(!exists("eco-00000001.part-2.bin") && !exists("eco-00000001.part-3.bin"));
	/* One left as by a crash after the acknowledgement: the start removes it. */
	snprintf(other, sizeof other, "%s/eco-00000001.part-3.bin", in);
	write_text(other, "");
	ck_assert_int_eq(swn_placement_recover(l, spool, home, &finished, &removed, &failed, &err), 0);
	ck_assert_int_eq(removed, 1);
	ck_assert(!exists("eco-00000001.part-3.bin"));
}
END_TEST

/* A RECEIVED reason as versions before bbbfab3 wrote it (the part's whole
 * signed type, parameters and all) does not read as parts: nothing is
 * placed for it, and the listing is told so (SWN_E_PARSE, not the ledger
 * failing). */
START_TEST(older_reason)
{
	static const char old[] = SWN_SWA_REASON_PREFIX "YWJj; part 1 <c1@x> application/xml; "
		"charset=UTF-8: received 9 bytes sha256:00, decrypted 9 bytes sha256:00";
	struct swn_event ev = { "in", "P4", "P4-20", "eco", "m2@p4", "RECEIVED", old };
	struct swn_placement d = { "P4", "P4-20", "eco", "m2@p4", 2, doc, strlen(doc), home, NULL, NULL, 0, 0, 0 };
	struct swn_placement_attachment att[4];
	char path[600];
	struct swn_err err;

	swn_err_clear(&err);
	ck_assert_int_eq(swn_ledger_append(l, &ev, "message", 7, NULL, &err), 0);
	ck_assert_int_eq(swn_placement_attachments(l, "P4", "m2@p4", "eco-00000002.xml", att, 4, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_PARSE);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_placement_place(l, spool, &d, path, sizeof path, &err), -1);
	ck_assert(!exists("eco-00000002.xml") && !exists(".placing-2"));
}
END_TEST

/* ---- the international document and the loss report beside it ---- */

static const char intl[] = "<I xmlns='urn:i'><X>1</X></I>";
static const char loss[] = "<LossReport xmlns='urn:swnode:loss-report:1' doctype='eco' lost='1'/>";

static int place_extras(char *path, size_t n, struct swn_err *err)
{
	struct swn_placement d = { "P4", "P4-20", "eco", "m1@p4", 1, doc, strlen(doc), home,
				   intl, loss, strlen(intl), strlen(loss), 1 };

	swn_err_clear(err);
	return swn_placement_place(l, spool, &d, path, n, err);
}

START_TEST(placed_with_extras)
{
	struct swn_ledger_placed p;
	char path[600], reason[2100];
	struct swn_err err;

	ck_assert_msg(place_extras(path, sizeof path, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(strrchr(path, '/') + 1, "eco-00000001.xml");
	holds("eco-00000001.xml", doc);
	holds("eco-00000001.international", intl);
	holds("eco-00000001.loss-report", loss);
	ck_assert(!exists(".placing-1-international") && !exists(".placing-1-loss"));
	/* The reason counts the loss and ends with the path. */
	ck_assert_int_eq(swn_ledger_placement(l, 1, &p, &err), 2);
	snprintf(reason, sizeof reason, "%s", p.file);
	ck_assert_msg(strncmp(reason, "lost 1, international sha256:", 29) == 0, "%s", reason);
	ck_assert_str_eq(swn_placement_reason_path(reason), path);
	ck_assert_str_eq(swn_placement_reason_path("/x/spool/in/eco-00000001.xml"),
			 "/x/spool/in/eco-00000001.xml");
	ck_assert_int_eq(swn_placement_find(l, "eco-00000001.xml", &p, &err), 1);
	ck_assert_int_eq(swn_placement_find(l, "eco-00000001.international", &p, &err), 0);
	/* Taken: all three go; a start after a crash that left one removes it. */
	ck_assert_int_eq(swn_placement_acknowledge(l, spool, "eco-00000001.xml", &p, &err), 1);
	ck_assert(!exists("eco-00000001.xml") && !exists("eco-00000001.international") &&
		  !exists("eco-00000001.loss-report"));
	snprintf(path, sizeof path, "%s/eco-00000001.loss-report", in);
	write_text(path, loss);
	{
		int finished, removed, failed;

		ck_assert_int_eq(swn_placement_recover(l, spool, home, &finished, &removed, &failed, &err), 0);
		ck_assert(!exists("eco-00000001.loss-report"));
	}
}
END_TEST

/* Recorded, nothing revealed (a crash between steps 2 and 3), and a loss
 * report planted in place of the one written: finishing reveals the
 * document and the international document, and removes the planted one. */
START_TEST(extras_finished_only_as_recorded)
{
	char path[600], tmp[300], reason[1200], hi[65], hl[65];
	struct swn_event ev = { "in", "P4", "P4-20", "eco", "m1@p4", "DELIVERED_LOCAL", reason };
	unsigned char md[32];
	enum swn_finish what;
	struct swn_err err;

	snprintf(path, sizeof path, "%s/eco-00000001.xml", in);
	SHA256((const unsigned char *)intl, strlen(intl), md);
	hex(md, hi);
	SHA256((const unsigned char *)loss, strlen(loss), md);
	hex(md, hl);
	snprintf(reason, sizeof reason, "lost 1, international sha256:%s, loss report sha256:%s: %s", hi,
		 hl, path);
	snprintf(tmp, sizeof tmp, "%s/.placing-1", in);
	write_text(tmp, doc);
	snprintf(tmp, sizeof tmp, "%s/.placing-1-international", in);
	write_text(tmp, intl);
	snprintf(tmp, sizeof tmp, "%s/.placing-1-loss", in);
	write_text(tmp, "<LossReport lost='0'/>");
	swn_err_clear(&err);
	ck_assert_int_eq(swn_ledger_append(l, &ev, doc, strlen(doc), NULL, &err), 0);
	ck_assert_msg(swn_placement_finish(l, spool, home, 1, 0, &what, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(what, SWN_FINISH_REVEALED);
	holds("eco-00000001.xml", doc);
	holds("eco-00000001.international", intl);
	ck_assert(!exists("eco-00000001.loss-report") && !exists(".placing-1-loss"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("placement");
	TCase *tc = tcase_create("attachments");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, placed_with_attachments);
	tcase_add_test(tc, finished_after_a_crash);
	tcase_add_test(tc, store_changed);
	tcase_add_test(tc, planted_link);
	tcase_add_test(tc, taken_and_swept);
	tcase_add_test(tc, older_reason);
	tcase_add_test(tc, placed_with_extras);
	tcase_add_test(tc, extras_finished_only_as_recorded);
	suite_add_tcase(s, tc);
	return swn_test_run(s);
}

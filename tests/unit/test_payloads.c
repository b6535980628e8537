/*
 * Unit tests: the payload store (payloads.h) and the ledger's words for
 * parts read back (swa_in.h: swn_swa_reason_parts,
 * swn_swa_reason_content_type).
 *
 * The reader is checked against the writer (swn_swa_in_describe over two
 * parts, a SUBMITTED reason as the outbox writes it), then against every
 * way the words can be wrong: each must be refused, never read as other
 * digests.  The store: a file named by the SHA-256 of its bytes, modes
 * 0700 and 0600, the same bytes twice kept once, a short read leaving
 * nothing behind.  One decision of "gzip'd" (swn_swa_gzip_type) over
 * every spelling, and the attachments' check: types, inflation, and the
 * size of all of them together.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "base/swn_limits.h"
#include "as4/gzip.h"
#include "ledger/payloads.h"
#include "node/node/swa_in.h"
#include "testlib.h"

static char home[] = "/tmp/swn-payloads-XXXXXX";

static void make_home(void)
{
	ck_assert_ptr_nonnull(mkdtemp(home));
}

static void remove_home(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(home, "/tmp/swn-payloads-XXXXXX");
}

static int temp_with(const void *data, size_t len)
{
	char path[] = "/tmp/swn-payload-part-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	return fd;
}

static void hex(const unsigned char md[32], char out[65])
{
	int i;

	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ---- the reader against the writer ---- */

START_TEST(describe_then_read)
{
	static const char body[] = "CIPHERTEXT-ONE....CIPHERTEXT-TWO";
	static const char p1[] = "plaintext one", p2[] = "the second plaintext";
	struct swn_mime_part parts[3];
	struct swn_swa_in s;
	struct swn_swa_described d[4];
	unsigned char md[32];
	char text[2000];

	memset(&s, 0, sizeof s);
	memset(parts, 0, sizeof parts);
	strcpy(parts[1].content_id, "a1@x.example");
	parts[1].offset = 0;
	parts[1].length = 14;
	strcpy(parts[2].content_id, "b-2;=@x");
	parts[2].offset = 18;
	parts[2].length = 14;
	s.mm.parts = parts;
	s.mm.nparts = 3;
	s.body = body;
	s.fd = -1;
	s.len = sizeof body - 1;
	s.plain.nparts = 2;
	s.plain.parts[0].fd = temp_with(p1, sizeof p1 - 1);
	s.plain.parts[0].len = sizeof p1 - 1;
	strcpy(s.plain.parts[0].name, "part 1");
	strcpy(s.plain.parts[0].cid, "a1@x.example");
	strcpy(s.plain.parts[0].mime_type, "application/gzip");
	s.plain.parts[1].fd = temp_with(p2, sizeof p2 - 1);
	s.plain.parts[1].len = sizeof p2 - 1;
	strcpy(s.plain.parts[1].name, "part 2");
	strcpy(s.plain.parts[1].cid, "b-2;=@x");
	strcpy(s.plain.parts[1].mime_type, "application/xml; charset=\"UTF-8\"");
	strcpy(text, SWN_SWA_REASON_PREFIX "bXVsdGlwYXJ0L3JlbGF0ZWQ=; ");
	swn_swa_in_describe(&s, text + strlen(text), sizeof text - strlen(text));

	ck_assert_int_eq(swn_swa_reason_parts(text, d, 4), 2);
	ck_assert_uint_eq(d[0].index, 1);
	ck_assert_str_eq(d[0].cid, "a1@x.example");
	ck_assert_str_eq(d[0].type, "application/gzip");
	ck_assert_str_eq(d[1].type, "application/xml");   /* parameters left out */
	ck_assert_uint_eq(d[0].plain_len, sizeof p1 - 1);
	SHA256((const unsigned char *)p1, sizeof p1 - 1, md);
	ck_assert_mem_eq(d[0].plain_sha256, md, 32);
	ck_assert_uint_eq(d[1].index, 2);
	ck_assert_str_eq(d[1].cid, "b-2;=@x");
	ck_assert_uint_eq(d[1].plain_len, sizeof p2 - 1);
	SHA256((const unsigned char *)p2, sizeof p2 - 1, md);
	ck_assert_mem_eq(d[1].plain_sha256, md, 32);
	/* One slot for two parts: refused, not cut short. */
	ck_assert_int_eq(swn_swa_reason_parts(text, d, 1), -1);
	close(s.plain.parts[0].fd);
	close(s.plain.parts[1].fd);
}
END_TEST

START_TEST(submitted_reason)
{
	static const char r[] =
		"document sha256:0000000000000000000000000000000000000000000000000000000000000000"
		"; part 1 <c@SW> application/gzip: plaintext 944 bytes sha256:"
		"52f7519fefa54a82ae6ff2f643c488a17263e689707f0d7c70ea40d1be1741e4";
	struct swn_swa_described d[2];

	ck_assert_int_eq(swn_swa_reason_parts(r, d, 2), 1);
	ck_assert_str_eq(d[0].cid, "c@SW");
	ck_assert_uint_eq(d[0].plain_len, 944);
	ck_assert_uint_eq(d[0].plain_sha256[0], 0x52);
	ck_assert_uint_eq(d[0].plain_sha256[31], 0xe4);
	/* The body form's reasons name no parts. */
	ck_assert_int_eq(swn_swa_reason_parts("document sha256:00", d, 2), 0);
	ck_assert_int_eq(swn_swa_reason_parts(NULL, d, 2), 0);
	ck_assert_int_eq(swn_swa_reason_parts("", d, 2), 0);
}
END_TEST

/* Each wrong form of one part's words: refused. */
static const char *const bad_parts[] = {
	"; part 0 <c> t/s: plaintext 1 bytes sha256:%s",                 /* index 0 */
	"; part 999 <c> t/s: plaintext 1 bytes sha256:%s",               /* index past the limit */
	"; part x <c> t/s: plaintext 1 bytes sha256:%s",
	"; part 1 c t/s: plaintext 1 bytes sha256:%s",                   /* no brackets */
	"; part 1 <> t/s: plaintext 1 bytes sha256:%s",                  /* empty cid */
	"; part 1 <c d> t/s: plaintext 1 bytes sha256:%s",               /* a space in the cid */
	"; part 1 <c>t/s: plaintext 1 bytes sha256:%s",
	"; part 1 <c> t s: plaintext 1 bytes sha256:%s",                 /* a space in the type */
	"; part 1 <c> : plaintext 1 bytes sha256:%s",                    /* no type */
	"; part 1 <c> REFUSED,not-delivered: plaintext 1 bytes sha256:%s", /* not a token */
	"; part 1 <c> t/s;x: plaintext 1 bytes sha256:%s",
	"; part 1 <c> t/s: ciphertext 1 bytes sha256:%s",                /* another word */
	"; part 1 <c> t/s: received 1 bytes sha256:%s",                  /* received, no decrypted */
	"; part 1 <c> t/s: received 1 bytes sha256:%s; decrypted 1 bytes sha256:%s",
	"; part 1 <c> t/s: plaintext bytes sha256:%s",                   /* no size */
	"; part 1 <c> t/s: plaintext -1 bytes sha256:%s",
	"; part 1 <c> t/s: plaintext 99999999999999999999 bytes sha256:%s", /* past 2^64 */
	"; part 1 <c> t/s: plaintext 1 byte sha256:%s",
	"; part 1 <c> t/s: plaintext 1 bytes sha1:%s",
	"; part 1 <c> t/s: plaintext 1 bytes sha256:%.63s",              /* short digest */
	"; part 1 <c> t/s: plaintext 1 bytes sha256:%sX",                /* trailing text */
	"; part 1 <c> t/s: plaintext 1 bytes sha256:%s, more",
	"; part 1 <c> t/s: plaintext 1 bytes sha256:%s; part",
	"; part 1 <c> t/s: plaintext 1 bytes sha256:%s; part 2 <d> t/s: plaintext",
	"; part 1 <c> t/s: plaintext 1 bytes sha256:ABCDEF%.58s",        /* upper case hex */
	"; part 1 <c> t/s: plaintext 1 bytes sha256:g%.63s",
};

START_TEST(refused_forms)
{
	char digest[65], text[600];
	struct swn_swa_described d[4];

	memset(digest, 'a', 64);
	digest[64] = '\0';
	snprintf(text, sizeof text, "document sha256:%s; part 1 <c> t/s: plaintext 1 bytes sha256:%s",
		 digest, digest);
	ck_assert_int_eq(swn_swa_reason_parts(text, d, 4), 1);   /* the yardstick reads */
	snprintf(text, sizeof text, "document sha256:%s", digest);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(text + strlen(text), sizeof text - strlen(text), bad_parts[_i], digest, digest);
#pragma GCC diagnostic pop
	ck_assert_msg(swn_swa_reason_parts(text, d, 4) == -1, "read: %s", text);
}
END_TEST

/* The words in front of the first part: one of the two heads, whole. */
static const char *const bad_heads[] = {
	"",                                                  /* nothing */
	"document sha256:00",                                /* a short digest */
	"document sha256:%.64sX",                            /* more after it */
	"Document sha256:%s",
	"xdocument sha256:%s",
	"document sha256:%s; note",                          /* text between */
	"Content-Type (base64): ",                           /* no base64 */
	"Content-Type (base64): YWJj; x",                    /* text between */
	"Content-Type (base64): YW Jj",
	"Content-Type (base64): YWJj----",                  /* OpenSSL drops trailing '-' */
	"Content-Type (base64): YWJjZ",                     /* not whole quads */
	"a; part 1 <c> t/s: plaintext 1 bytes sha256:%s",    /* a part hidden after another head */
};

START_TEST(refused_heads)
{
	char digest[65], part[200], text[800];
	struct swn_swa_described d[4];

	memset(digest, 'a', 64);
	digest[64] = '\0';
	snprintf(part, sizeof part, "; part 1 <c> t/s: plaintext 1 bytes sha256:%s", digest);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(text, sizeof text, bad_heads[_i], digest);
#pragma GCC diagnostic pop
	strcat(text, part);
	ck_assert_msg(swn_swa_reason_parts(text, d, 4) == -1, "read: %s", text);
	/* The RECEIVED head with its base64, and received digests kept. */
	snprintf(text, sizeof text, SWN_SWA_REASON_PREFIX "YWJj; part 2 <c> t/s: received 7 bytes "
		 "sha256:%s, decrypted 1 bytes sha256:%s", digest, digest);
	ck_assert_int_eq(swn_swa_reason_parts(text, d, 4), 1);
	ck_assert_int_eq(d[0].received, 1);
	ck_assert_uint_eq(d[0].recv_len, 7);
	ck_assert_uint_eq(d[0].recv_sha256[0], 0xaa);
}
END_TEST

START_TEST(content_type_back)
{
	static const char ct[] = "multipart/related; type=\"application/soap+xml\"; boundary=\"b\\\"\t\"";
	char b64[400], reason[600], out[300];

	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)ct, (int)strlen(ct));
	snprintf(reason, sizeof reason, SWN_SWA_REASON_PREFIX "%s; part 1 <c> ...", b64);
	ck_assert_int_eq(swn_swa_reason_content_type(reason, out, sizeof out), 1);
	ck_assert_str_eq(out, ct);
	/* Too small a buffer, no prefix, no ';', bad base64, a NUL inside. */
	ck_assert_int_eq(swn_swa_reason_content_type(reason, out, 10), 0);
	ck_assert_int_eq(swn_swa_reason_content_type("document sha256:00", out, sizeof out), 0);
	ck_assert_int_eq(swn_swa_reason_content_type(SWN_SWA_REASON_PREFIX "YWJj", out, sizeof out), 0);
	ck_assert_int_eq(swn_swa_reason_content_type(SWN_SWA_REASON_PREFIX "YWJ; x", out, sizeof out), 0);
	ck_assert_int_eq(swn_swa_reason_content_type(SWN_SWA_REASON_PREFIX "YQBi; x", out, sizeof out), 0);
	/* Forms EVP_DecodeBlock alone would read as "abc" or "a": one reading only. */
	ck_assert_int_eq(swn_swa_reason_content_type(SWN_SWA_REASON_PREFIX "YWJj----; x", out, sizeof out), 0);
	ck_assert_int_eq(swn_swa_reason_content_type(SWN_SWA_REASON_PREFIX "    YWJj; x", out, sizeof out), 0);
	ck_assert_int_eq(swn_swa_reason_content_type(SWN_SWA_REASON_PREFIX "YWJj\n\n\n\n; x", out, sizeof out), 0);
	ck_assert_int_eq(swn_swa_reason_content_type(SWN_SWA_REASON_PREFIX "YQ==YWJj; x", out, sizeof out), 0);
	ck_assert_int_eq(swn_swa_reason_content_type(SWN_SWA_REASON_PREFIX "YWJj; x", out, sizeof out), 1);
	ck_assert_str_eq(out, "abc");
	ck_assert_int_eq(swn_swa_reason_content_type(SWN_SWA_REASON_PREFIX "YQ==; x", out, sizeof out), 1);
	ck_assert_str_eq(out, "a");
}
END_TEST

/* ---- the store ---- */

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
	closedir(d);
	return n;
}

START_TEST(store_by_digest)
{
	static const char data[] = "the plaintext of a part, as signed";
	unsigned char md[32], want[32], again[32];
	char path[512], dir[300], h[65];
	struct swn_err err;
	struct stat st;
	uint64_t len;
	char got[100];
	int fd, in;

	swn_err_clear(&err);
	fd = temp_with(data, sizeof data - 1);
	ck_assert_int_eq(swn_payloads_put(home, fd, sizeof data - 1, md, &err), 0);
	SHA256((const unsigned char *)data, sizeof data - 1, want);
	ck_assert_mem_eq(md, want, 32);
	ck_assert_int_eq(swn_payloads_path(home, md, path, sizeof path, &err), 0);
	hex(md, h);
	snprintf(dir, sizeof dir, "%s/payloads", home);
	ck_assert_str_eq(strrchr(path, '/') + 1, h);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	in = open(path, O_RDONLY);
	ck_assert_int_ge(in, 0);
	ck_assert_int_eq(read(in, got, sizeof got), (ssize_t)(sizeof data - 1));
	ck_assert_mem_eq(got, data, sizeof data - 1);
	ck_assert_int_eq(swn_payloads_sha256(in, &len, again), 0);
	ck_assert_uint_eq(len, sizeof data - 1);
	ck_assert_mem_eq(again, want, 32);
	close(in);
	/* The same bytes again: one file, nothing left behind. */
	ck_assert_int_eq(swn_payloads_put(home, fd, sizeof data - 1, md, &err), 0);
	ck_assert_int_eq(count_entries(dir), 1);
	/* Fewer bytes than asked for: an error, no file, no temporary. */
	ck_assert_int_eq(swn_payloads_put(home, fd, sizeof data + 10, md, &err), -1);
	ck_assert_int_eq(count_entries(dir), 1);
	/* An empty part is kept too. */
	ck_assert_int_eq(swn_payloads_put(home, fd, 0, md, &err), 0);
	ck_assert_int_eq(count_entries(dir), 2);
	close(fd);
}
END_TEST

START_TEST(store_unwritable)
{
	char dir[300];
	unsigned char md[32];
	struct swn_err err;
	int fd = temp_with("x", 1);

	swn_err_clear(&err);
	snprintf(dir, sizeof dir, "%s/payloads", home);
	/* payloads is a file: nothing can be kept, and err says where. */
	ck_assert_int_eq(close(open(dir, O_CREAT | O_WRONLY, 0600)), 0);
	ck_assert_int_eq(swn_payloads_put(home, fd, 1, md, &err), -1);
	ck_assert_int_ne(err.code, SWN_OK);
	close(fd);
}
END_TEST

/* ---- one decision of "gzip'd", and the attachments' check ---- */

START_TEST(gzip_type_forms)
{
	ck_assert_int_eq(swn_swa_gzip_type("application/gzip"), 1);
	/* application/gzip spelt otherwise: refused, never read two ways */
	ck_assert_int_eq(swn_swa_gzip_type("application/gzip; x=1"), -1);
	ck_assert_int_eq(swn_swa_gzip_type("application/gzip "), -1);
	ck_assert_int_eq(swn_swa_gzip_type(" application/gzip"), -1);
	ck_assert_int_eq(swn_swa_gzip_type("Application/GZIP"), -1);
	ck_assert_int_eq(swn_swa_gzip_type("application/gzip;"), -1);
	ck_assert_int_eq(swn_swa_gzip_type("application/gzip\t;a=b"), -1);
	/* other types */
	ck_assert_int_eq(swn_swa_gzip_type("application/gzipx"), 0);
	ck_assert_int_eq(swn_swa_gzip_type("application/x-gzip"), 0);
	ck_assert_int_eq(swn_swa_gzip_type("application/xml"), 0);
	ck_assert_int_eq(swn_swa_gzip_type(""), 0);
}
END_TEST

/* A message's parts as swa_in holds them once decrypted: part 1 the
 * document, then attachments with these types and claimed lengths. */
static void parts_of(struct swn_swa_in *s, int n, const char *const *types, const int *fds,
		     const uint64_t *lens)
{
	int i;

	memset(s, 0, sizeof *s);
	s->plain.nparts = (size_t)n;
	for (i = 0; i < n; i++) {
		s->plain.parts[i].index = (unsigned)i + 1;
		s->plain.parts[i].fd = fds[i];
		s->plain.parts[i].len = lens[i];
		snprintf(s->plain.parts[i].name, sizeof s->plain.parts[i].name, "part %d", i + 1);
		snprintf(s->plain.parts[i].mime_type, sizeof s->plain.parts[i].mime_type, "%s", types[i]);
	}
}

START_TEST(parts_check)
{
	static unsigned char zeros[1000];
	static struct swn_swa_in s;
	struct swn_err err;
	enum swn_ebms_error code;
	char gz_path[] = "/tmp/swn-payload-gz-XXXXXX";
	int raw = temp_with("not gzip", 8), gz = mkstemp(gz_path), in = temp_with(zeros, sizeof zeros);
	uint64_t gz_len;
	const char *ok_types[] = { "application/xml", "application/octet-stream", "application/gzip" };
	const char *odd_types[] = { "application/xml", "application/gzip; x=1", "application/gzip" };
	const char *lying[] = { "application/xml", "application/gzip", "application/octet-stream" };

	ck_assert_int_ge(gz, 0);
	unlink(gz_path);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gzip_compress_fd(in, gz, &gz_len, &err), 0);
	{
		int fds[] = { raw, raw, gz };
		uint64_t lens[] = { 8, 8, gz_len };

		/* The gzip'd attachment inflates: accepted. */
		parts_of(&s, 3, ok_types, fds, lens);
		ck_assert_int_eq(swn_swa_in_parts_check(&s, &code, &err), 0);
		/* application/gzip spelt otherwise: EBMS:0001, the part named. */
		parts_of(&s, 3, odd_types, fds, lens);
		ck_assert_int_eq(swn_swa_in_parts_check(&s, &code, &err), -1);
		ck_assert_int_eq(code, SWN_EBMS_VALUE_NOT_RECOGNIZED);
		ck_assert_ptr_nonnull(strstr(err.msg, "part 2 is signed as 'application/gzip; x=1'"));
	}
	{
		int fds[] = { raw, raw, raw };
		uint64_t lens[] = { 8, 8, 8 };

		/* Says gzip, is not: EBMS:0303 before any Receipt. */
		parts_of(&s, 3, lying, fds, lens);
		swn_err_clear(&err);
		ck_assert_int_eq(swn_swa_in_parts_check(&s, &code, &err), -1);
		ck_assert_int_eq(code, SWN_EBMS_DECOMPRESSION_FAILURE);
		ck_assert_ptr_nonnull(strstr(err.msg, "part 2: "));
	}
	{
		/* The attachments together: the document does not count, the
		 * budget is shared, an inflated part counts as inflated. */
		int fds[] = { raw, raw, gz };
		uint64_t fill = SWN_SWA_MAX_ATTACHMENT_BYTES - sizeof zeros;
		uint64_t lens[] = { SWN_SWA_MAX_ATTACHMENT_BYTES, fill, gz_len };

		parts_of(&s, 3, ok_types, fds, lens);
		swn_err_clear(&err);
		ck_assert_int_eq(swn_swa_in_parts_check(&s, &code, &err), 0);   /* exactly the budget */
		lens[1] = fill + 1;
		parts_of(&s, 3, ok_types, fds, lens);
		ck_assert_int_eq(swn_swa_in_parts_check(&s, &code, &err), -1);   /* one byte over */
		ck_assert_int_eq(code, SWN_EBMS_DECOMPRESSION_FAILURE);
		ck_assert_ptr_nonnull(strstr(err.msg, "part 3"));
	}
	{
		const char *two_raw[] = { "application/xml", "application/octet-stream",
					  "application/octet-stream" };
		int fds[] = { raw, raw, raw };
		uint64_t lens[] = { 8, SWN_SWA_MAX_ATTACHMENT_BYTES / 2 + 1, SWN_SWA_MAX_ATTACHMENT_BYTES / 2 };

		parts_of(&s, 3, two_raw, fds, lens);
		swn_err_clear(&err);
		ck_assert_int_eq(swn_swa_in_parts_check(&s, &code, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "the attachments hold more than"));
	}
	close(raw);
	close(gz);
	close(in);
}
END_TEST

/* The temporary files a killed process left (".part-*" older than the
 * age given) are removed at start; a fresh one, a link under such a name
 * and the kept files stay. */
START_TEST(sweep_removes_old_temporaries)
{
	char dir_[] = "/tmp/swn-sweep-XXXXXX", p[300];
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir_));
	snprintf(p, sizeof p, "%s/payloads", dir_);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/payloads/.part-old", dir_);
	ck_assert_int_ge(fd = open(p, O_CREAT | O_WRONLY, 0600), 0);
	close(fd);
	ck_assert_int_eq(utimensat(AT_FDCWD, p, old, 0), 0);
	snprintf(p, sizeof p, "%s/payloads/.part-new", dir_);
	ck_assert_int_ge(fd = open(p, O_CREAT | O_WRONLY, 0600), 0);
	close(fd);
	snprintf(p, sizeof p, "%s/payloads/0000", dir_);
	ck_assert_int_ge(fd = open(p, O_CREAT | O_WRONLY, 0600), 0);
	close(fd);
	ck_assert_int_eq(utimensat(AT_FDCWD, p, old, 0), 0);
	snprintf(p, sizeof p, "%s/payloads/.part-link", dir_);
	ck_assert_int_eq(symlink("/etc/hostname", p), 0);
	ck_assert_int_eq(swn_payloads_sweep(dir_, 3600), 1);
	snprintf(p, sizeof p, "%s/payloads/.part-old", dir_);
	ck_assert_int_eq(access(p, F_OK), -1);
	snprintf(p, sizeof p, "%s/payloads/.part-new", dir_);
	ck_assert_int_eq(unlink(p), 0);
	snprintf(p, sizeof p, "%s/payloads/0000", dir_);
	ck_assert_int_eq(unlink(p), 0);
	snprintf(p, sizeof p, "%s/payloads/.part-link", dir_);
	ck_assert_int_eq(unlink(p), 0);
	snprintf(p, sizeof p, "%s/payloads", dir_);
	ck_assert_int_eq(rmdir(p), 0);
	ck_assert_int_eq(rmdir(dir_), 0);
	ck_assert_int_eq(swn_payloads_sweep(dir_, 0), 0);   /* no directory: nothing */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("payloads");
	TCase *words = tcase_create("reason words");
	TCase *store = tcase_create("store");

	tcase_add_test(words, describe_then_read);
	tcase_add_test(words, submitted_reason);
	tcase_add_loop_test(words, refused_forms, 0, (int)(sizeof bad_parts / sizeof bad_parts[0]));
	tcase_add_loop_test(words, refused_heads, 0, (int)(sizeof bad_heads / sizeof bad_heads[0]));
	tcase_add_test(words, content_type_back);
	tcase_add_test(words, gzip_type_forms);
	tcase_add_test(words, parts_check);
	suite_add_tcase(s, words);
	tcase_add_checked_fixture(store, make_home, remove_home);
	tcase_add_test(store, store_by_digest);
	tcase_add_test(store, store_unwritable);
	tcase_add_test(store, sweep_removes_old_temporaries);
	suite_add_tcase(s, store);
	return swn_test_run(s);
}

/* Unit tests: the SOAP-with-Attachments reader and writer (as4/mime.h). */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "as4/mime.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "base/swn_limits.h"
#include "testlib.h"

#define CT "multipart/related; type=\"application/soap+xml\"; boundary=\"BB\"; start=\"<root@x>\""
#define ROOT "--BB\r\nContent-Type: application/soap+xml; charset=UTF-8\r\n" \
	"Content-ID: <root@x>\r\n\r\n<env/>\r\n"
#define P1_HEAD "--BB\r\nContent-Type: application/octet-stream\r\n" \
	"Content-Transfer-Encoding: binary\r\nContent-ID: <p1@x>\r\n\r\n"
#define P1 P1_HEAD "PAYLOAD\r\n"
#define END "--BB--\r\n"

static int read_mem(const char *ct, const char *body, size_t len, struct swn_mime_message *m,
		    struct swn_err *err)
{
	swn_err_clear(err);
	return swn_mime_read_mem(ct, body, len, "t.mime", m, err);
}

/* The message is refused with this code and the reason contains why. */
static void refused_len(const char *ct, const char *body, size_t len, enum swn_code code,
			const char *why)
{
	struct swn_mime_message m;
	struct swn_err err;

	ck_assert_msg(read_mem(ct, body, len, &m, &err) < 0, "accepted, expected '%s'", why);
	ck_assert_msg(err.code == code, "code %s for '%s' (%s)", swn_code_name(err.code), why,
		      err.msg);
	ck_assert_msg(strstr(err.msg, why) != NULL, "'%s' not in '%s'", why, err.msg);
	ck_assert_ptr_null(m.parts);
	ck_assert_ptr_null(m.envelope);
}

static void refused(const char *ct, const char *body, enum swn_code code, const char *why)
{
	refused_len(ct, body, strlen(body), code, why);
}

static int buf_sink(void *ctx, const void *p, size_t n, struct swn_err *err)
{
	return swn_buf_add(ctx, p, n, err);
}

/* A payload that tries every trap: CR, LF, "--", bare line ends before
 * dashes, near-boundary strings, NUL. */
static const char tricky[] = "\r\n--\r\n--swnode-\r\n--swnode-0123\n--\r--BB\r\n-- \r\n\0\r\n\r\n";

START_TEST(accepts_the_basic_message)
{
	const char *body = ROOT P1 END;
	struct swn_mime_message m;
	struct swn_err err;

	ck_assert_int_eq(read_mem(CT, body, strlen(body), &m, &err), 0);
	ck_assert_uint_eq(m.nparts, 2);
	ck_assert_str_eq(m.boundary, "BB");
	ck_assert_str_eq(m.parts[0].content_id, "root@x");
	ck_assert_str_eq(m.parts[0].media_type, "application/soap+xml");
	ck_assert_int_eq(m.parts[0].cte, SWN_MIME_CTE_ABSENT);
	ck_assert_str_eq(m.envelope, "<env/>");
	ck_assert_uint_eq(m.envelope_len, 6);
	ck_assert_str_eq(m.parts[1].content_id, "p1@x");
	ck_assert_str_eq(m.parts[1].content_type, "application/octet-stream");
	ck_assert_int_eq(m.parts[1].cte, SWN_MIME_CTE_BINARY);
	ck_assert_uint_eq(m.parts[1].length, 7);
	ck_assert_int_eq(memcmp(body + m.parts[1].offset, "PAYLOAD", 7), 0);
	swn_mime_message_free(&m);
}
END_TEST

START_TEST(accepts_what_the_grammar_allows)
{
	struct swn_mime_message m;
	struct swn_err err;
	/* No start; preamble and epilogue; padding; folding; an empty payload;
	 * parameter names in any case, white space around '=' and ';', escapes. */
	const char *ct = " Multipart/Related ;TYPE = \"Application/SOAP+XML\";boundary=\"a\\(b c\"";
	const char *body = "preamble line\r\n--a(b c  \r\nContent-Type: application/soap+xml;\r\n"
		"\taction=\"urn:x\"\r\n\r\n<e/>\r\n--a(b c\t\r\nContent-ID:\r\n <p@x>\r\n"
		"Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: 8BIT\r\n"
		"Content-Description: x\r\n\r\n\r\n--a(b c-- \r\nepilogue\r\n";

	ck_assert_msg(read_mem(ct, body, strlen(body), &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(m.boundary, "a(b c");
	ck_assert_uint_eq(m.nparts, 2);
	ck_assert_str_eq(m.parts[0].content_id, "");
	ck_assert_str_eq(m.parts[0].content_type, "application/soap+xml;\taction=\"urn:x\"");
	ck_assert_str_eq(m.envelope, "<e/>");
	ck_assert_str_eq(m.parts[1].content_id, "p@x");
	ck_assert_int_eq(m.parts[1].cte, SWN_MIME_CTE_8BIT);
	ck_assert_uint_eq(m.parts[1].length, 0);
	swn_mime_message_free(&m);
	/* The root alone; the close delimiter at the very end. */
	body = "--BB\r\nContent-Type: application/soap+xml\r\n\r\n<e/>\r\n--BB--";
	ck_assert_int_eq(read_mem(CT "x", body, strlen(body), &m, &err), -1);
	ck_assert_int_eq(read_mem("multipart/related; boundary=BB; type=\"application/soap+xml\"",
				  body, strlen(body), &m, &err), 0);
	ck_assert_uint_eq(m.nparts, 1);
	swn_mime_message_free(&m);
}
END_TEST

START_TEST(content_type_refusals)
{
	const char *body = ROOT P1 END;
	char longb[128];

	refused("text/xml", body, SWN_E_AS4, "not multipart/related");
	refused("multipart/mixed; boundary=BB; type=\"application/soap+xml\"", body, SWN_E_AS4,
		"not multipart/related");
	refused("multipart/related; type=\"application/soap+xml\"", body, SWN_E_AS4, "no boundary");
	memset(longb, 'b', 71);
	longb[71] = '\0';
	{
		char ct[256];

		snprintf(ct, sizeof ct, "multipart/related; boundary=%s; type=\"application/soap+xml\"", longb);
		refused(ct, body, SWN_E_AS4, "1 to 70");
	}
	refused("multipart/related; boundary=\"B@B\"; type=\"application/soap+xml\"", body, SWN_E_AS4,
		"bchars");
	refused("multipart/related; boundary=\"BB \"; type=\"application/soap+xml\"", body, SWN_E_AS4,
		"not ending in a space");
	refused("multipart/related; boundary=\"\"; type=\"application/soap+xml\"", body, SWN_E_AS4,
		"1 to 70");
	refused("multipart/related; boundary=BB", body, SWN_E_AS4, "SOAP 1.2 only");
	refused("multipart/related; boundary=BB; type=\"text/xml\"", body, SWN_E_AS4, "SOAP 1.2 only");
	/* RFC 2045: a value with a tspecial is a quoted string (CORE C.2's example is not). */
	refused("multipart/related; boundary=BB; type=application/soap+xml", body, SWN_E_AS4,
		"parameter 'type': a value with '/' must be quoted");
	refused("multipart/related; boundary=BB; type=\"application/soap+xml\"; start=\"root@x\"", body,
		SWN_E_AS4, "is not <id-left@id-right>");
	refused("multipart/related; boundary=BB; type=\"application/soap+xml\"; start=<root@x>", body,
		SWN_E_AS4, "a parameter value expected, not '<'");
	refused("multipart/related; boundary=BB; boundary=CC; type=\"application/soap+xml\"", body,
		SWN_E_AS4, "given twice");
	refused("multipart/related; BOUNDARY=BB; boundary=BB; type=\"application/soap+xml\"", body,
		SWN_E_AS4, "given twice");
	refused("multipart/related; boundary*=BB; type=\"application/soap+xml\"", body, SWN_E_AS4,
		"RFC 2231");
	refused("multipart/related; boundary*0=BB; type=\"application/soap+xml\"", body, SWN_E_AS4,
		"RFC 2231");
	refused("multipart/related (c); boundary=BB; type=\"application/soap+xml\"", body, SWN_E_AS4,
		"comments");
	refused("multipart/related; boundary=BB; type=\"application/soap+xml\";", body, SWN_E_AS4,
		"no parameter after it");
	refused("multipart/related; type=\"application/soap+xml\"; boundary=\"BB", body, SWN_E_AS4,
		"not closed");
	refused("multipart/related; boundary=\"B\xc3\xa9\"; type=\"application/soap+xml\"", body,
		SWN_E_AS4, "byte 0xc3");
	refused("multipart/related; boundary BB", body, SWN_E_AS4, "no '='");
	refused("multipart; boundary=BB", body, SWN_E_AS4, "not type/subtype");
	refused("", body, SWN_E_AS4, "missing");
}
END_TEST

START_TEST(structure_refusals)
{
	refused(CT, ROOT P1, SWN_E_AS4, "no close delimiter");
	refused(CT, ROOT P1 "--BB\r\n", SWN_E_AS4, "ends inside part 3's header block");
	refused(CT, ROOT P1 "--BB", SWN_E_AS4, "without the close delimiter");
	refused(CT, "--BB--\r\n", SWN_E_AS4, "no parts");
	refused(CT, "hello", SWN_E_AS4, "no delimiter --BB");
	refused(CT, ROOT "--BBx\r\n" END, SWN_E_AS4, "begins with the boundary but is not a delimiter");
	refused(CT, ROOT "--BB--x\r\n", SWN_E_AS4, "not a delimiter");
	refused(CT, ROOT "--BB\n" END, SWN_E_AS4, "bare LF");
	refused(CT, "pre\n--BB\r\n", SWN_E_AS4, "first delimiter follows a bare LF");
	refused(CT, "pre\r--BB\r\n", SWN_E_AS4, "first delimiter follows a bare CR");
	/* The boundary at a line start after a bare LF or CR inside content. */
	refused(CT, ROOT P1_HEAD "a\n--BB\r\nb\r\n" END, SWN_E_AS4, "after a bare LF");
	refused(CT, ROOT P1_HEAD "a\r--BB\r\nb\r\n" END, SWN_E_AS4, "after a bare CR");
	refused(CT, ROOT P1_HEAD "a\r\n--BBjunk\r\n" END, SWN_E_AS4, "not a delimiter");
	refused(CT, ROOT P1 END "epi\n--BB\r\n", SWN_E_AS4, "after the close delimiter");
	refused(CT, ROOT P1 "--BB--junk", SWN_E_AS4, "not a delimiter");
}
END_TEST

START_TEST(limit_refusals)
{
	static char body[2 * 1024 * 1024];
	size_t n;
	int i;

	/* Preamble: at the limit accepted, one over refused. */
	memset(body, 'p', SWN_MIME_MAX_PREAMBLE_BYTES);
	n = SWN_MIME_MAX_PREAMBLE_BYTES;
	n += (size_t)sprintf(body + n, "\r\n" ROOT END);
	{
		struct swn_mime_message m;
		struct swn_err err;

		ck_assert_int_eq(read_mem(CT, body, n, &m, &err), 0);
		swn_mime_message_free(&m);
	}
	memset(body, 'p', SWN_MIME_MAX_PREAMBLE_BYTES + 1);
	n = SWN_MIME_MAX_PREAMBLE_BYTES + 1;
	n += (size_t)sprintf(body + n, "\r\n" ROOT END);
	refused_len(CT, body, n, SWN_E_TOO_LARGE, "preamble");
	/* Epilogue. */
	n = (size_t)sprintf(body, ROOT END);
	memset(body + n, 'e', SWN_MIME_MAX_EPILOGUE_BYTES + 1);
	refused_len(CT, body, n + SWN_MIME_MAX_EPILOGUE_BYTES + 1, SWN_E_TOO_LARGE, "epilogue");
	/* Padding after the boundary. */
	n = (size_t)sprintf(body, "--BB");
	memset(body + n, ' ', SWN_MIME_MAX_PADDING_BYTES + 1);
	n += SWN_MIME_MAX_PADDING_BYTES + 1;
	n += (size_t)sprintf(body + n, "\r\n");
	refused_len(CT, body, n, SWN_E_TOO_LARGE, "padding");
	/* Parts: the root and SWN_MAX_PAYLOAD_PARTS payloads pass, one more does not. */
	n = (size_t)sprintf(body, ROOT);
	for (i = 1; i < SWN_MIME_MAX_PARTS; i++)
		n += (size_t)sprintf(body + n, "--BB\r\nContent-Type: a/b\r\nContent-ID: <p%d@x>\r\n\r\nx\r\n", i);
	n += (size_t)sprintf(body + n, END);
	{
		struct swn_mime_message m;
		struct swn_err err;

		ck_assert_int_eq(read_mem(CT, body, n, &m, &err), 0);
		ck_assert_uint_eq(m.nparts, SWN_MIME_MAX_PARTS);
		swn_mime_message_free(&m);
	}
	n -= strlen(END);
	n += (size_t)sprintf(body + n, "--BB\r\nContent-Type: a/b\r\nContent-ID: <last@x>\r\n\r\nx\r\n" END);
	{
		char why[40];

		snprintf(why, sizeof why, "more than %d parts", SWN_MIME_MAX_PARTS);
		refused_len(CT, body, n, SWN_E_TOO_LARGE, why);
	}
	/* Header fields: count and bytes. */
	n = (size_t)sprintf(body, ROOT "--BB\r\nContent-Type: a/b\r\nContent-ID: <p@x>\r\n");
	for (i = 0; i < SWN_MIME_MAX_HEADERS - 1; i++)
		n += (size_t)sprintf(body + n, "X-%d: v\r\n", i);
	n += (size_t)sprintf(body + n, "\r\nx\r\n" END);
	refused_len(CT, body, n, SWN_E_TOO_LARGE, "more than 32 header fields");
	n = (size_t)sprintf(body, ROOT "--BB\r\nContent-Type: a/b\r\nContent-ID: <p@x>\r\nX: ");
	memset(body + n, 'v', SWN_MIME_MAX_HEADER_BYTES);
	n += SWN_MIME_MAX_HEADER_BYTES;
	n += (size_t)sprintf(body + n, "\r\n\r\nx\r\n" END);
	refused_len(CT, body, n, SWN_E_TOO_LARGE, "header block over 8192 bytes");
	/* A Content-Type value too long to keep. */
	n = (size_t)sprintf(body, ROOT "--BB\r\nContent-ID: <p@x>\r\nContent-Type: a/b; x=");
	memset(body + n, 'v', SWN_MIME_VALUE_BYTES);
	n += SWN_MIME_VALUE_BYTES;
	n += (size_t)sprintf(body + n, "\r\n\r\nx\r\n" END);
	refused_len(CT, body, n, SWN_E_TOO_LARGE, "content-type longer than");
}
END_TEST

START_TEST(header_refusals)
{
#define PART(h) ROOT "--BB\r\n" h "\r\nx\r\n" END
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p@x>\r\nContent-Type: a/c\r\n"),
		SWN_E_AS4, "content-type given twice");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p@x>\r\ncontent-id: <q@x>\r\n"),
		SWN_E_AS4, "content-id given twice");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p@x>\r\nContent-Length: 1\r\n"),
		SWN_E_AS4, "Content-Length is not accepted");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID <p@x>\r\n"), SWN_E_AS4, "not 'Name: value'");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p@x>\r\nno colon\r\n"), SWN_E_AS4,
		"not 'Name: value'");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p@x>\r\nX: caf\xc3\xa9\r\n"), SWN_E_AS4,
		"byte 0xc3");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p@x>\r\nX: a\x01\r\n"), SWN_E_AS4,
		"byte 0x01");
	refused(CT, PART(" folded: x\r\nContent-Type: a/b\r\n"), SWN_E_AS4, "begins with white space");
	refused(CT, PART("Content-Type: a/b\nContent-ID: <p@x>\r\n"), SWN_E_AS4, "bare LF");
	refused(CT, PART("Content-Type: a/b\rContent-ID: <p@x>\r\n"), SWN_E_AS4, "bare CR");
	refused(CT, PART("Content-Type: a/b\r\n--BB: x\r\n"), SWN_E_AS4, "header block begins with the boundary");
	refused(CT, ROOT "--BB\r\n\r\nx\r\n" END, SWN_E_AS4, "part 2 has no header fields");
	refused(CT, ROOT "--BB\r\nContent-Type: a/b\r\nContent-ID: <p@x>\r\n\r\n" END, SWN_E_AS4,
		"no empty line and content");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID:\r\n"), SWN_E_AS4, "content-id is empty");
	/* Part rules. */
	refused(CT, PART("Content-ID: <p@x>\r\n"), SWN_E_AS4, "part 2 has no Content-Type");
	refused(CT, PART("Content-Type: a/b\r\n"), SWN_E_AS4, "part 2 has no Content-ID");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <root@x>\r\n"), SWN_E_AS4,
		"is also part 1's");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: p@x\r\n"), SWN_E_AS4, "not <id-left@id-right>");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <px>\r\n"), SWN_E_AS4, "not <id-left@id-right>");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p@x@y>\r\n"), SWN_E_AS4, "not <id-left@id-right>");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p x@y>\r\n"), SWN_E_AS4, "not <id-left@id-right>");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p@x> (c)\r\n"), SWN_E_AS4, "not <id-left@id-right>");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p@x>\r\nContent-Transfer-Encoding: base64\r\n"),
		SWN_E_AS4, "Content-Transfer-Encoding base64 is not accepted");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p@x>\r\nContent-Transfer-Encoding: "
			 "quoted-printable\r\n"), SWN_E_AS4, "quoted-printable is not accepted");
	refused(CT, PART("Content-Type: a/b\r\nContent-ID: <p@x>\r\nContent-Transfer-Encoding: x-gzip\r\n"),
		SWN_E_AS4, "unknown Content-Transfer-Encoding");
	refused(CT, PART("Content-Type: multipart/mixed; boundary=CC\r\nContent-ID: <p@x>\r\n"), SWN_E_AS4,
		"nested multiparts are not accepted");
	refused(CT, PART("Content-Type: a/b; x=1; x=2\r\nContent-ID: <p@x>\r\n"), SWN_E_AS4,
		"part 2: Content-Type: parameter 'x' given twice");
	/* The root. */
	refused(CT, "--BB\r\nContent-Type: text/xml\r\nContent-ID: <root@x>\r\n\r\n<e/>\r\n" END,
		SWN_E_AS4, "the first part must be the SOAP 1.2 envelope");
	refused(CT, "--BB\r\nContent-Type: application/soap+xml; charset=ISO-8859-1\r\n"
		"Content-ID: <root@x>\r\n\r\n<e/>\r\n" END, SWN_E_AS4, "must be UTF-8");
	refused(CT, "--BB\r\nContent-Type: application/soap+xml; type=x\r\nContent-ID: <root@x>\r\n"
		"\r\n<e/>\r\n" END, SWN_E_AS4, "parameter type not accepted on the envelope");
	refused(CT, "--BB\r\nContent-Type: application/soap+xml\r\nContent-ID: <other@x>\r\n\r\n<e/>\r\n"
		END, SWN_E_AS4, "start names <root@x>, but the first part's Content-ID is <other@x>");
	refused(CT, "--BB\r\nContent-Type: application/soap+xml\r\n\r\n<e/>\r\n" END, SWN_E_AS4,
		"Content-ID is (none)");
	refused(CT, P1 ROOT END, SWN_E_AS4, "the first part must be the SOAP 1.2 envelope");
#undef PART
}
END_TEST

/* Every id character through swn_mime_cid_href and back: the characters
 * on which RFC 2392 and WSS4J agree stand as they are, the others are
 * refused both ways (no escape is decoded). */
START_TEST(cid_hrefs)
{
	static const char *const refused[] = {
		"cid:a#b@x", "cid:a?b@x", "cid:a{b@x", "cid:a|b@x", "cid:a}b@x", "cid:a^b@x",
		"cid:a`b@x", "cid:a b@x", "cid:a\"b@x", "cid:a[b@x", "cid:p1@x#frag", "cid:a+b@x",
		"cid:a%40b@x", "cid:p1%40x", "cid:%70%31@x", "cid:p1%4@x", "cid:p1%00@x", "CID:p1@x",
		"Cid:p1@x", "cid:<p1@x>", "cid:", "cid:ab", "cid:a@b@x", "cid:@x", "cid:a@", "p1@x",
		" cid:p1@x", "cid:p1@x ", "cid:p1@x\n", "cid:caf\xc3\xa9@x", NULL,
	};
	const char *safe = "-._~!$&'()*,;=:/", *atext = "!#$%&'*+-/=?^_`{|}~.";
	char id[SWN_MIME_ID_BYTES], uri[SWN_MIME_ID_BYTES + 8], back[SWN_MIME_ID_BYTES];
	struct swn_err err;
	int c, i;

	for (c = 1; c < 0x80; c++) {
		/* in an id (atext or '.') and in a cid: URI as it is */
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 (strchr(safe, c) != NULL && strchr(atext, c) != NULL);

		snprintf(id, sizeof id, "a%cb@x", c);
		if (c == '@')
			continue;
		snprintf(uri, sizeof uri, "cid:%s", id);
		swn_err_clear(&err);
		if (!ok) {
			ck_assert_msg(swn_mime_cid_href(id, back, sizeof back) < 0, "0x%02x written", c);
			ck_assert_msg(swn_mime_cid_decode(uri, back, sizeof back, &err) < 0,
				      "0x%02x read", c);
			continue;
		}
		ck_assert_msg(swn_mime_cid_href(id, back, sizeof back) == 0, "0x%02x not written", c);
		ck_assert_str_eq(back, uri);
		ck_assert_msg(swn_mime_cid_decode(uri, back, sizeof back, &err) == 0, "%s: %s", uri,
			      err.msg);
		ck_assert_str_eq(back, id);
	}
	ck_assert_int_lt(swn_mime_cid_href("ab", uri, sizeof uri), 0);     /* no @ */
	ck_assert_int_lt(swn_mime_cid_href("a@b", uri, 7), 0);             /* no room */
	ck_assert_int_eq(swn_mime_cid_href("a@b", uri, 8), 0);
	for (i = 0; refused[i]; i++) {
		swn_err_clear(&err);
		ck_assert_msg(swn_mime_cid_decode(refused[i], back, sizeof back, &err) < 0,
			      "%s accepted", refused[i]);
	}
	swn_err_clear(&err);
	ck_assert_int_lt(swn_mime_cid_decode("cid:p1%40x", back, sizeof back, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "'%' may not stand in a cid: URI"));
}
END_TEST

START_TEST(cid_uris)
{
	const char *body = ROOT P1 "--BB\r\nContent-Type: a/b\r\nContent-ID: <a%40b@x>\r\n\r\ny\r\n" END;
	struct swn_mime_message m;
	struct swn_err err;

	ck_assert_int_eq(read_mem(CT, body, strlen(body), &m, &err), 0);
	ck_assert_int_eq(swn_mime_find_cid(&m, "cid:p1@x", &err), 1);
	ck_assert_int_eq(swn_mime_find_cid(&m, "cid:root@x", &err), 0);
	/* "%" is atext, so <a%40b@x> is a Content-ID; but no cid: URI can
	 * name it: RFC 2392 would write cid:a%2540b@x, WSS4J cid:a%40b@x */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_mime_find_cid(&m, "cid:a%2540b@x", &err), -1);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_mime_find_cid(&m, "cid:a%40b@x", &err), -1);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_mime_find_cid(&m, "cid:P1@x", &err), -1);      /* case counts */
	ck_assert_int_eq(err.code, SWN_E_NOT_FOUND);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_mime_find_cid(&m, "p1@x", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a cid: URI"));
	swn_err_clear(&err);
	ck_assert_int_eq(swn_mime_find_cid(&m, "cid:a@b@x", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not name a Content-ID"));
	swn_mime_message_free(&m);
}
END_TEST

/* Write, read back, compare every part. */
static void round_trip(size_t nparts)
{
	static const char *types[] = { "application/gzip", "application/xml; charset=UTF-8",
				       "application/octet-stream" };
	struct swn_mime_payload pl[3];
	char ids[3][32], ct[512], data[3][256];
	struct swn_mime_out out = { .envelope = "<S:Envelope/>\r\n--", .envelope_len = 17,
				    .root_id = "root@swnode", .action = "urn:a \"q\"",
				    .payloads = pl, .npayloads = nparts };
	struct swn_mime_message m;
	struct swn_err err;
	struct swn_buf b;
	size_t i;

	for (i = 0; i < nparts; i++) {
		snprintf(ids[i], sizeof ids[i], "part%zu@swnode", i);
		memcpy(data[i], tricky, sizeof tricky);
		memset(data[i] + sizeof tricky, (int)('a' + i), sizeof data[i] - sizeof tricky);
		pl[i] = (struct swn_mime_payload){ .content_id = ids[i], .content_type = types[i],
						    .data = data[i], .len = sizeof data[i] - i * 7,
						    .fd = -1 };
	}
	swn_buf_init(&b, 1 << 20);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_mime_write(&out, NULL, buf_sink, &b, ct, sizeof ct, &err), 0);
	ck_assert_ptr_nonnull(strstr(ct, "; start=\"<root@swnode>\""));
	ck_assert_int_eq(read_mem(ct, b.data, b.len, &m, &err), 0);
	ck_assert_uint_eq(m.nparts, nparts + 1);
	ck_assert_uint_eq(m.envelope_len, out.envelope_len);
	ck_assert_int_eq(memcmp(m.envelope, out.envelope, out.envelope_len), 0);
	ck_assert_str_eq(m.parts[0].content_id, "root@swnode");
	ck_assert_str_eq(m.parts[0].content_type, "application/soap+xml; charset=UTF-8; action=\"urn:a \\\"q\\\"\"");
	for (i = 0; i < nparts; i++) {
		const struct swn_mime_part *p = &m.parts[i + 1];

		ck_assert_str_eq(p->content_id, ids[i]);
		ck_assert_str_eq(p->content_type, types[i]);
		ck_assert_int_eq(p->cte, SWN_MIME_CTE_BINARY);
		ck_assert_uint_eq(p->length, pl[i].len);
		ck_assert_int_eq(memcmp(b.data + p->offset, data[i], pl[i].len), 0);
	}
	/* CRLF everywhere outside the contents. */
	ck_assert_int_eq(memcmp(b.data + b.len - 2, "\r\n", 2), 0);
	swn_mime_message_free(&m);
	swn_buf_free(&b);
}

START_TEST(round_trip_one_part)
{
	round_trip(1);
}
END_TEST

START_TEST(round_trip_three_parts)
{
	round_trip(3);
}
END_TEST

START_TEST(writer_boundary_and_checks)
{
	struct swn_mime_payload pl = { .content_id = "p@x", .content_type = "a/b",
				       .data = "xxBByy", .len = 6, .fd = -1 };
	struct swn_mime_out out = { .envelope = "<e/>", .envelope_len = 4, .payloads = &pl,
				    .npayloads = 1 };
	struct swn_mime_message m;
	struct swn_err err;
	struct swn_buf b;
	char ct[512], first[512];

	swn_buf_init(&b, 1 << 20);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_mime_write(&out, "BB", buf_sink, &b, ct, sizeof ct, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "occurs in a part"));
	ck_assert_uint_eq(b.len, 0);   /* nothing written */
	swn_err_clear(&err);
	ck_assert_int_eq(swn_mime_write(&out, "CC", buf_sink, &b, ct, sizeof ct, &err), 0);
	ck_assert_str_eq(ct, "multipart/related; type=\"application/soap+xml\"; boundary=\"CC\"");
	ck_assert_int_eq(read_mem(ct, b.data, b.len, &m, &err), 0);   /* no root id, no start */
	ck_assert_str_eq(m.parts[0].content_id, "");
	swn_mime_message_free(&m);
	swn_buf_free(&b);
	/* Fresh random boundaries. */
	swn_buf_init(&b, 1 << 20);
	ck_assert_int_eq(swn_mime_write(&out, NULL, buf_sink, &b, first, sizeof first, &err), 0);
	swn_buf_free(&b);
	swn_buf_init(&b, 1 << 20);
	ck_assert_int_eq(swn_mime_write(&out, NULL, buf_sink, &b, ct, sizeof ct, &err), 0);
	ck_assert_str_ne(ct, first);
	swn_buf_free(&b);
	/* What the reader would refuse is not written. */
	swn_buf_init(&b, 1 << 20);
	pl.content_id = "nobrackets";
	ck_assert_int_eq(swn_mime_write(&out, NULL, buf_sink, &b, ct, sizeof ct, &err), -1);
	swn_err_clear(&err);
	pl.content_id = "p@x";
	pl.content_type = "multipart/mixed; boundary=x";
	ck_assert_int_eq(swn_mime_write(&out, NULL, buf_sink, &b, ct, sizeof ct, &err), -1);
	swn_err_clear(&err);
	pl.content_type = "a/b\r\nX-Injected: 1";
	ck_assert_int_eq(swn_mime_write(&out, NULL, buf_sink, &b, ct, sizeof ct, &err), -1);
	swn_err_clear(&err);
	pl.content_type = "a/b";
	out.root_id = "p@x";
	ck_assert_int_eq(swn_mime_write(&out, NULL, buf_sink, &b, ct, sizeof ct, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "root's id"));
	ck_assert_uint_eq(b.len, 0);
	swn_buf_free(&b);
}
END_TEST

static long max_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Fill fd with n bytes of a pattern holding near-boundary strings. */
static void fill_file(int fd, size_t n)
{
	char chunk[65536];
	size_t i;

	for (i = 0; i < sizeof chunk; i++)
		chunk[i] = (char)(i * 7 + 3);
	memcpy(chunk + 100, tricky, sizeof tricky);
	for (i = 0; i < n; i += sizeof chunk)
		ck_assert_int_eq(write(fd, chunk, n - i < sizeof chunk ? n - i : sizeof chunk) > 0, 1);
}

START_TEST(file_descriptor_path)
{
	char dir[] = "/tmp/test_mime.XXXXXX", path[128], msgpath[128], ct[512];
	const size_t big = 6u * 1024 * 1024 + 13;
	struct swn_mime_payload pl[2];
	struct swn_mime_out out = { .envelope = "<e/>", .envelope_len = 4, .root_id = "r@x",
				    .payloads = pl, .npayloads = 2 };
	struct swn_mime_message m;
	struct swn_err err;
	long before;
	int pfd, mfd;
	char a[65536], b[65536];
	uint64_t off;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/payload", dir);
	snprintf(msgpath, sizeof msgpath, "%s/message", dir);
	pfd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(pfd, 0);
	fill_file(pfd, big);
	pl[0] = (struct swn_mime_payload){ .content_id = "small@x", .content_type = "text/plain",
					    .data = "small", .len = 5, .fd = -1 };
	pl[1] = (struct swn_mime_payload){ .content_id = "big@x", .content_type = "application/gzip",
					    .fd = pfd };
	mfd = open(msgpath, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(mfd, 0);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_mime_write_fd(&out, mfd, ct, sizeof ct, &err), 0);
	before = max_rss_kb();
	ck_assert_int_eq(swn_mime_read_fd(ct, mfd, msgpath, &m, &err), 0);
	/* Read through its window: the body was never in memory. */
	ck_assert_msg(max_rss_kb() - before < 2048, "reading grew the process by %ld KB",
		      max_rss_kb() - before);
	ck_assert_uint_eq(m.nparts, 3);
	ck_assert_str_eq(m.envelope, "<e/>");
	ck_assert_str_eq(m.parts[2].content_id, "big@x");
	ck_assert_uint_eq(m.parts[2].length, big);
	ck_assert_int_eq(pread(mfd, a, 5, (off_t)m.parts[1].offset), 5);
	ck_assert_int_eq(memcmp(a, "small", 5), 0);
	for (off = 0; off < big; off += sizeof a) {
		size_t n = big - off < sizeof a ? (size_t)(big - off) : sizeof a;

		ck_assert_int_eq(pread(pfd, a, n, (off_t)off), (ssize_t)n);
		ck_assert_int_eq(pread(mfd, b, n, (off_t)(m.parts[2].offset + off)), (ssize_t)n);
		ck_assert_int_eq(memcmp(a, b, n), 0);
	}
	/* After the part: the CRLF and the close delimiter. */
	ck_assert_int_eq(pread(mfd, a, 4, (off_t)(m.parts[2].offset + big)), 4);
	ck_assert_int_eq(memcmp(a, "\r\n--", 4), 0);
	off = m.parts[2].offset;
	swn_mime_message_free(&m);
	/* Cut short, the same file is refused. */
	ck_assert_int_eq(ftruncate(mfd, (off_t)(off + big / 2)) == 0, 1);
	ck_assert_int_eq(swn_mime_read_fd(ct, mfd, msgpath, &m, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no close delimiter"));
	close(pfd);
	close(mfd);
	unlink(path);
	unlink(msgpath);
	rmdir(dir);
}
END_TEST

START_TEST(envelope_over_the_limit)
{
	char dir[] = "/tmp/test_mime.XXXXXX", path[128];
	const char *head = "--BB\r\nContent-Type: application/soap+xml\r\nContent-ID: <root@x>\r\n\r\n";
	struct swn_mime_message m;
	struct swn_err err;
	off_t at;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/message", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	/* A sparse envelope one byte over the limit. */
	at = (off_t)strlen(head) + SWN_MAX_DOCUMENT_BYTES + 1;
	ck_assert_int_eq(pwrite(fd, "\r\n" END, 2 + strlen(END), at), (ssize_t)(2 + strlen(END)));
	swn_err_clear(&err);
	ck_assert_int_eq(swn_mime_read_fd(CT, fd, path, &m, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "the envelope is 67108865 bytes"));
	close(fd);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* A sample file: the HTTP Content-Type on its first line, then the body. */
static int read_sample(const char *name, struct swn_mime_message *m, char **data,
		       struct swn_err *err)
{
	const char *dir = getenv("TESTDATA");
	char path[1024], *nl;
	size_t len;

	ck_assert_msg(dir != NULL, "TESTDATA must name tests/data");
	snprintf(path, sizeof path, "%s/mime/%s", dir, name);
	swn_err_clear(err);
	ck_assert_int_eq(swn_file_read(path, 1 << 20, data, &len, err), 0);
	nl = strchr(*data, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	return swn_mime_read_mem(*data, nl + 1, len - (size_t)(nl + 1 - *data), name, m, err);
}

START_TEST(rfc2387_shaped_sample)
{
	struct swn_mime_message m;
	struct swn_err err;
	char *data;
	const char *body;

	ck_assert_int_eq(read_sample("rfc2387-shape.mime", &m, &data, &err), 0);
	body = data + strlen(data) + 1;
	ck_assert_uint_eq(m.nparts, 2);
	ck_assert_str_eq(m.boundary, "example-1");
	ck_assert_str_eq(m.parts[0].content_id, "950120.aaCC@XIson.com");
	ck_assert_ptr_nonnull(strstr(m.envelope, "<S:Body/></S:Envelope>"));
	ck_assert_str_eq(m.parts[1].content_id, "950120.aaCB@XIson.com");
	ck_assert_str_eq(m.parts[1].media_type, "application/octet-stream");
	/* The content ends with the empty line before the close delimiter. */
	ck_assert_uint_eq(m.parts[1].length, 32);
	ck_assert_int_eq(memcmp(body + m.parts[1].offset, "25\r\n10\r\n34\r\n10\r\n25\r\n21\r\n26\r\n10\r\n", 32), 0);
	ck_assert_int_eq(swn_mime_find_cid(&m, "cid:950120.aaCB@XIson.com", &err), 1);
	swn_mime_message_free(&m);
	free(data);
	/* The same shape with the RFC's base64 payload is refused, saying why. */
	ck_assert_int_eq(read_sample("rfc2387-base64.mime", &m, &data, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "part 2: Content-Transfer-Encoding base64 is not accepted"));
	free(data);
}
END_TEST

/* A real message from phase4 (eDelivery AS4 2.0, two payloads, encrypted),
 * as its sender wrote it: MIME header fields, an empty line, the body. */
START_TEST(phase4_sample)
{
	const char *dir = getenv("TESTDATA");
	char path[1024], ct[512], *data, *end, *field, *href;
	struct swn_mime_message m;
	struct swn_err err;
	size_t len, n, found = 0;

	ck_assert_msg(dir != NULL, "TESTDATA must name tests/data");
	snprintf(path, sizeof path, "%s/mime/phase4-edelivery-2.0-2parts.http", dir);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_file_read(path, 1 << 20, &data, &len, &err), 0);
	end = strstr(data, "\r\n\r\n");
	field = strstr(data, "\r\nContent-Type: ");
	ck_assert_ptr_nonnull(end);
	ck_assert_msg(field != NULL && field < end, "no Content-Type in the sample's header");
	field += strlen("\r\nContent-Type: ");
	n = strcspn(field, "\r");
	ck_assert_uint_lt(n, sizeof ct);
	memcpy(ct, field, n);
	ct[n] = '\0';
	end += 4;
	ck_assert_msg(swn_mime_read_mem(ct, end, len - (size_t)(end - data), path, &m, &err) == 0,
		      "%s", err.msg);
	ck_assert_str_eq(m.boundary, "----=_Part_0_1365197105.1796454975286");
	ck_assert_uint_eq(m.nparts, 3);
	ck_assert_str_eq(m.parts[0].content_id, "");   /* phase4 sends no start, no root id */
	ck_assert_str_eq(m.parts[0].content_type, "application/soap+xml;charset=UTF-8");
	ck_assert_str_eq(m.parts[1].content_id, "phase4-att-da7800a5-8dc7-4d2f-93e5-9f4d7a2a7585@cid");
	ck_assert_str_eq(m.parts[2].content_id, "phase4-att-fb6332f8-fd73-42c2-9664-95d94df0f6f4@cid");
	ck_assert_int_eq(m.parts[1].cte, SWN_MIME_CTE_BINARY);
	/* AES-128-GCM: 12 bytes of IV, the payload (94 and 36 bytes), 16 of tag. */
	ck_assert_uint_eq(m.parts[1].length, 12 + 94 + 16);
	ck_assert_uint_eq(m.parts[2].length, 12 + 36 + 16);
	{
		static const char close[] = "\r\n------=_Part_0_1365197105.1796454975286--";

		ck_assert_int_eq(memcmp(end + m.parts[2].offset + m.parts[2].length, close,
					sizeof close - 1), 0);
	}
	ck_assert_ptr_nonnull(strstr(m.envelope, "</S12:Envelope>"));
	/* Every eb:PartInfo href of the envelope names a part, in order. */
	for (href = strstr(m.envelope, "href=\"cid:"); href != NULL;
	     href = strstr(href + 1, "href=\"cid:")) {
		char uri[256];

		n = strcspn(href + 6, "\"");
		ck_assert_uint_lt(n, sizeof uri);
		memcpy(uri, href + 6, n);
		uri[n] = '\0';
		ck_assert_int_eq(swn_mime_find_cid(&m, uri, &err), (long)++found);
	}
	ck_assert_uint_eq(found, 2);
	swn_mime_message_free(&m);
	free(data);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mime");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, accepts_the_basic_message);
	tcase_add_test(tc, accepts_what_the_grammar_allows);
	tcase_add_test(tc, content_type_refusals);
	tcase_add_test(tc, structure_refusals);
	tcase_add_test(tc, limit_refusals);
	tcase_add_test(tc, header_refusals);
	tcase_add_test(tc, cid_uris);
	tcase_add_test(tc, cid_hrefs);
	tcase_add_test(tc, round_trip_one_part);
	tcase_add_test(tc, round_trip_three_parts);
	tcase_add_test(tc, writer_boundary_and_checks);
	tcase_add_test(tc, file_descriptor_path);
	tcase_add_test(tc, envelope_over_the_limit);
	tcase_add_test(tc, rfc2387_shaped_sample);
	tcase_add_test(tc, phase4_sample);
	suite_add_tcase(s, tc);
	return swn_test_run(s);
}

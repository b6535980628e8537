/*
 * Unit tests: one gzip member per payload part (gzip.h).
 *
 * Round trips from memory, from files and from a range of a file, of 0
 * bytes, 1 byte, 1 MB of random bytes and 5 MB of XML, checked byte for
 * byte.  zlib's own gzip file functions (gzdopen, gzread, gzwrite: code
 * of zlib this module does not call) are the yardstick both ways: they
 * read what the writer makes, and the reader takes what they make and a
 * member whose header carries every optional field.  Then every refusal:
 * data cut at every length, each check of the trailer and the header, a
 * byte after the member, a second member, not gzip at all, empty; bombs
 * stopped by the ratio and by the size limit before they are inflated,
 * the sink never given a byte past the limit.  Where a gzip command is
 * installed it reads the writer's output too (not required).
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "as4/gzip.h"
#include "base/buf.h"
#include "base/swn_limits.h"
#include "testlib.h"

/* ------------------------------------------------------------------------
 * Helpers.
 */

#define MB (1024u * 1024u)

static int buf_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	return swn_buf_add(arg, p, n, err);
}

/* A sink that only counts, and remembers the largest piece it was given. */
struct count {
	uint64_t n;
	size_t biggest;
};

static int count_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	struct count *c = arg;

	(void)p;
	(void)err;
	c->n += n;
	if (n > c->biggest)
		c->biggest = n;
	return 0;
}

/* Deterministic bytes (xorshift64), so that a failure repeats. */
static unsigned char *random_bytes(size_t n, uint64_t seed)
{
	unsigned char *p = malloc(n ? n : 1);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		p[i] = (unsigned char)(seed >> 24);
	}
	return p;
}

/* About n bytes of XML records that differ from one another (a real
 * payload's 33:1), or, same, all alike (340:1). */
static char *xml_records(size_t n, int same, size_t *len)
{
	char *p = malloc(n + 256);
	size_t at = 0;
	unsigned i = 0;

	ck_assert_ptr_nonnull(p);
	at += (size_t)sprintf(p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<list>\n");
	while (at < n) {
		at += (size_t)sprintf(p + at,
				      "<item><id>%u</id><name>Widget %u</name><qty>%u</qty>"
				      "<price currency=\"EUR\">%u.%02u</price></item>\n",
				      same ? 1 : i, same ? 7 : i % 97, same ? 1 : i % 13,
				      same ? 9 : i % 1000, same ? 99 : i % 100);
		i++;
	}
	at += (size_t)sprintf(p + at, "</list>\n");
	*len = at;
	return p;
}

static int tmp_fd(void)
{
	char path[] = "/tmp/swn-gzip.XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	return fd;
}

static int file_of(const void *p, size_t n)
{
	int fd = tmp_fd();

	ck_assert_int_eq(pwrite(fd, p, n, 0), (ssize_t)n);
	return fd;
}

/* The whole file fd into a malloc'd block (*n bytes). */
static unsigned char *slurp(int fd, size_t *n)
{
	struct stat st;
	unsigned char *p;

	ck_assert_int_eq(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pread(fd, p, (size_t)st.st_size, 0), (ssize_t)st.st_size);
	*n = (size_t)st.st_size;
	return p;
}

/* The writer's member of n bytes at p, in memory. */
static unsigned char *gz(const void *p, size_t n, size_t *clen)
{
	struct swn_gzip_source src = { n ? p : "", -1, 0, n };
	struct swn_buf b;
	struct swn_err err;
	uint64_t len;
	unsigned char *out;

	swn_buf_init(&b, 64 * MB);
	swn_err_clear(&err);
	ck_assert_msg(swn_gzip_compress(&src, buf_sink, &b, &len, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(len, b.len);
	out = malloc(b.len);
	ck_assert_ptr_nonnull(out);
	memcpy(out, b.data, b.len);
	*clen = b.len;
	swn_buf_free(&b);
	return out;
}

/* Gunzip n bytes at p (memory) with lim into out; the reader's result. */
static int gunzip_mem(const void *p, size_t n, const struct swn_gunzip_limits *lim,
		      struct swn_buf *out, struct swn_err *err)
{
	struct swn_gzip_source src = { n ? p : "", -1, 0, n };
	uint64_t len = 12345;
	int rc;

	swn_buf_init(out, 64 * MB);
	swn_err_clear(err);
	rc = swn_gunzip_stream(&src, lim, buf_sink, out, &len, err);
	ck_assert_uint_eq(len, out->len);
	return rc;
}

/* The reader refuses n bytes at p with code, its message holding what. */
static void refused(const void *p, size_t n, enum swn_code code, const char *what)
{
	struct swn_buf out;
	struct swn_err err;

	ck_assert_int_eq(gunzip_mem(p, n, NULL, &out, &err), -1);
	ck_assert_msg(err.code == code, "code %s, not %s: %s", swn_code_name(err.code),
		      swn_code_name(code), err.msg);
	ck_assert_msg(strncmp(err.msg, "gzip: ", 6) == 0, "no 'gzip: ' in '%s'", err.msg);
	ck_assert_msg(strstr(err.msg, what) != NULL, "'%s' not in '%s'", what, err.msg);
	swn_buf_free(&out);
}

/* zlib's inflate on its own, a yardstick: the one member at p. */
static void zlib_reads(const unsigned char *c, size_t clen, const void *want, size_t n)
{
	unsigned char *got = malloc(n + 1);
	z_stream z;

	ck_assert_ptr_nonnull(got);
	memset(&z, 0, sizeof z);
	ck_assert_int_eq(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	z.next_in = (unsigned char *)c;
	z.avail_in = (uInt)clen;
	z.next_out = got;
	z.avail_out = (uInt)n + 1;
	ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	ck_assert_uint_eq(z.total_out, n);
	ck_assert_uint_eq(z.avail_in, 0);
	ck_assert(memcmp(got, want, n) == 0);
	inflateEnd(&z);
	free(got);
}

/* ------------------------------------------------------------------------
 * Round trips.
 */

struct sample {
	unsigned char *p;
	size_t n;
};

static struct sample samples[4];

static void make_samples(void)
{
	size_t n;

	samples[0].p = random_bytes(0, 1);
	samples[0].n = 0;
	samples[1].p = random_bytes(1, 2);
	samples[1].n = 1;
	samples[2].p = random_bytes(MB, 3);
	samples[2].n = MB;
	samples[3].p = (unsigned char *)xml_records(5 * MB, 0, &n);
	samples[3].n = n;
}

static void free_samples(void)
{
	size_t i;

	for (i = 0; i < 4; i++)
		free(samples[i].p);
}

START_TEST(round_trip_mem)
{
	const struct sample *s = &samples[_i];
	struct swn_buf out;
	struct swn_err err;
	unsigned char *c;
	size_t clen;

	c = gz(s->p, s->n, &clen);
	zlib_reads(c, clen, s->p, s->n);
	ck_assert_msg(gunzip_mem(c, clen, NULL, &out, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(out.len, s->n);
	ck_assert(s->n == 0 || memcmp(out.data, s->p, s->n) == 0);
	swn_buf_free(&out);
	free(c);
}
END_TEST

/* Compressed from a file, gunzipped from a file and from a range of one
 * (a MIME part in its body), written at the descriptors' offsets. */
START_TEST(round_trip_fd)
{
	const struct sample *s = &samples[_i];
	static const char before[] = "--boundary\r\n\r\n", after[] = "\r\n--boundary--\r\n";
	struct swn_gzip_source part;
	struct swn_buf out;
	struct swn_err err;
	int in = file_of(s->p, s->n), packed = tmp_fd(), plain = tmp_fd(), body = tmp_fd();
	unsigned char *c, *u, *mc;
	uint64_t clen, ulen;
	size_t n, m, mlen;

	swn_err_clear(&err);
	/* the writer writes at the descriptor's offset */
	ck_assert_int_eq(write(packed, "HEAD", 4), 4);
	ck_assert_int_eq(lseek(in, 7, SEEK_SET), 7);   /* not used: pread from 0 */
	ck_assert_msg(swn_gzip_compress_fd(in, packed, &clen, &err) == 0, "%s", err.msg);
	c = slurp(packed, &n);
	ck_assert_uint_eq(n, clen + 4);
	ck_assert(memcmp(c, "HEAD", 4) == 0);
	zlib_reads(c + 4, n - 4, s->p, s->n);

	/* the same bytes as from memory */
	mc = gz(s->p, s->n, &mlen);
	ck_assert_uint_eq(mlen, clen);
	ck_assert(memcmp(mc, c + 4, mlen) == 0);
	free(mc);

	/* gunzip the whole file */
	ck_assert_int_eq(ftruncate(packed, 0), 0);
	ck_assert_int_eq(pwrite(packed, c + 4, n - 4, 0), (ssize_t)(n - 4));
	ck_assert_int_eq(write(plain, "X", 1), 1);
	ck_assert_msg(swn_gunzip_fd(packed, plain, NULL, &ulen, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(ulen, s->n);
	u = slurp(plain, &m);
	ck_assert_uint_eq(m, s->n + 1);
	ck_assert(u[0] == 'X' && memcmp(u + 1, s->p, s->n) == 0);
	free(u);

	/* and the member as a range of a larger file */
	ck_assert_int_eq(pwrite(body, before, sizeof before - 1, 0), (ssize_t)(sizeof before - 1));
	ck_assert_int_eq(pwrite(body, c + 4, n - 4, sizeof before - 1), (ssize_t)(n - 4));
	ck_assert_int_eq(pwrite(body, after, sizeof after - 1, (off_t)(sizeof before - 1 + n - 4)),
			 (ssize_t)(sizeof after - 1));
	part.mem = NULL;
	part.fd = body;
	part.offset = sizeof before - 1;
	part.length = n - 4;
	swn_buf_init(&out, 64 * MB);
	ck_assert_msg(swn_gunzip_stream(&part, NULL, buf_sink, &out, &ulen, &err) == 0, "%s",
		      err.msg);
	ck_assert_uint_eq(out.len, s->n);
	ck_assert(s->n == 0 || memcmp(out.data, s->p, s->n) == 0);
	swn_buf_free(&out);

	/* one byte more of the range is the body's next byte: refused */
	part.length++;
	swn_buf_init(&out, 64 * MB);
	ck_assert_int_eq(swn_gunzip_stream(&part, NULL, buf_sink, &out, &ulen, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_AS4);
	swn_buf_free(&out);

	free(c);
	close(in);
	close(packed);
	close(plain);
	close(body);
}
END_TEST

/* The header: no name, MTIME 0, XFL 0 (level 6), OS 255; the same input
 * always gives the same bytes. */
START_TEST(writer_header)
{
	static const unsigned char want[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff };
	struct swn_err err;
	unsigned char *a, *b;
	size_t alen, blen;
	uint64_t len;
	int fd = tmp_fd();

	a = gz(samples[3].p, samples[3].n, &alen);
	b = gz(samples[3].p, samples[3].n, &blen);
	ck_assert_uint_eq(alen, blen);
	ck_assert(memcmp(a, b, alen) == 0);
	ck_assert(memcmp(a, want, sizeof want) == 0);
	/* varied records: compressed, and well under the ratio limit */
	ck_assert_uint_lt(alen * 10, samples[3].n);
	ck_assert_uint_gt(alen * (SWN_GUNZIP_MAX_RATIO / 2), samples[3].n);
	free(a);
	free(b);

	/* nothing: header, an empty final block, trailer; from memory to a
	 * descriptor the same, with a NULL pointer */
	a = gz("", 0, &alen);
	ck_assert_uint_eq(alen, 20);
	ck_assert(memcmp(a, want, sizeof want) == 0);
	swn_err_clear(&err);
	ck_assert_msg(swn_gzip_compress_mem(NULL, 0, fd, &len, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(len, 20);
	b = slurp(fd, &blen);
	ck_assert_uint_eq(blen, 20);
	ck_assert(memcmp(a, b, 20) == 0);
	free(a);
	free(b);
	close(fd);
}
END_TEST

/* zlib's gzip file functions read what the writer made, and make what the
 * reader takes; the system's gzip command too, if there is one. */
START_TEST(zlib_file_functions)
{
	const struct sample *s = &samples[3];
	struct swn_err err;
	int fd = tmp_fd(), out = tmp_fd();
	unsigned char *got = malloc(s->n + 1), *u;
	gzFile g;
	size_t m;
	uint64_t ulen;
	int n;

	ck_assert_ptr_nonnull(got);
	swn_err_clear(&err);
	ck_assert_msg(swn_gzip_compress_mem(s->p, s->n, fd, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	g = gzdopen(dup(fd), "rb");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(gzdirect(g), 0);
	n = gzread(g, got, (unsigned)s->n + 1);
	ck_assert_int_eq(n, (int)s->n);
	ck_assert(memcmp(got, s->p, s->n) == 0);
	ck_assert_int_eq(gzclose(g), Z_OK);

	if (system("command -v gzip >/dev/null 2>&1") == 0) {
		char cmd[128];

		snprintf(cmd, sizeof cmd, "gzip -t </proc/self/fd/%d", fd);
		ck_assert_int_eq(system(cmd), 0);
	}

	/* zlib's gzwrite, at its best compression */
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	g = gzdopen(dup(fd), "wb9");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(gzwrite(g, s->p, (unsigned)s->n), (int)s->n);
	ck_assert_int_eq(gzclose(g), Z_OK);
	ck_assert_msg(swn_gunzip_fd(fd, out, NULL, &ulen, &err) == 0, "%s", err.msg);
	u = slurp(out, &m);
	ck_assert_uint_eq(m, s->n);
	ck_assert(memcmp(u, s->p, s->n) == 0);
	free(u);
	free(got);
	close(fd);
	close(out);
}
END_TEST

/* A member as zlib writes it with a header of every optional field:
 * FEXTRA, FNAME, FCOMMENT, FHCRC, an MTIME and OS 3. */
/* zlib's deflate alone, with the header h (level 9): the member of the n
 * bytes at p into out (room for cap bytes); its length. */
static size_t zlib_member(gz_header *h, const void *p, size_t n, unsigned char *out, size_t cap)
{
	z_stream z;
	size_t len;

	memset(&z, 0, sizeof z);
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY),
			 Z_OK);
	ck_assert_int_eq(deflateSetHeader(&z, h), Z_OK);
	z.next_in = (unsigned char *)p;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	len = z.total_out;
	deflateEnd(&z);
	return len;
}

static unsigned char *full_header_member(const void *p, size_t n, size_t *clen)
{
	static unsigned char extra[] = { 'S', 'W', 4, 0, 1, 2, 3, 4 };
	unsigned char *out = malloc(n + 1024);
	gz_header h;

	ck_assert_ptr_nonnull(out);
	memset(&h, 0, sizeof h);
	h.text = 1;
	h.time = 1700000000;
	h.os = 3;
	h.extra = extra;
	h.extra_len = sizeof extra;
	h.name = (Bytef *)"payload.xml";
	h.comment = (Bytef *)"written by zlib";
	h.hcrc = 1;
	*clen = zlib_member(&h, p, n, out, n + 1024);
	ck_assert_int_eq(out[3], 0x1f);   /* FTEXT FHCRC FEXTRA FNAME FCOMMENT */
	return out;
}

START_TEST(header_fields)
{
	const struct sample *s = &samples[3];
	struct swn_buf out;
	struct swn_err err;
	unsigned char *c;
	size_t clen;

	c = full_header_member(s->p, s->n, &clen);
	ck_assert_msg(gunzip_mem(c, clen, NULL, &out, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(out.len, s->n);
	ck_assert(memcmp(out.data, s->p, s->n) == 0);
	swn_buf_free(&out);
	/* the header's CRC-16 is checked: one byte of the name changed */
	c[10 + 8 + 2] ^= 1;
	refused(c, clen, SWN_E_AS4, "FHCRC");
	c[10 + 8 + 2] ^= 1;
	/* cut inside each field of the header */
	refused(c, 12, SWN_E_AS4, "header");
	refused(c, 22, SWN_E_AS4, "header");
	refused(c, 36, SWN_E_AS4, "header");
	refused(c, 49, SWN_E_AS4, "header");
	refused(c, 50, SWN_E_AS4, "ends before the end of its gzip member");
	free(c);
}
END_TEST

/* ------------------------------------------------------------------------
 * Refusals.
 */

/* Cut at every length: header, deflate data, trailer. */
START_TEST(truncated)
{
	size_t n, clen, i;
	char *x = xml_records(4096, 0, &n);
	unsigned char *c = gz(x, n, &clen);

	for (i = 1; i < 10; i++)
		refused(c, i, SWN_E_AS4, "ends inside the gzip header");
	for (i = 10; i < clen; i++)
		refused(c, i, SWN_E_AS4, "ends before the end of its gzip member");
	free(c);
	free(x);
}
END_TEST

/* A large member cut in the middle and in the trailer, read from a file
 * through several chunks. */
START_TEST(truncated_large)
{
	const size_t cuts[] = { 70000, 300000, 0 /* middle */, 8, 4, 1 };
	struct swn_err err;
	struct count got;
	unsigned char *c;
	size_t clen, i;
	int fd;

	c = gz(samples[2].p, samples[2].n, &clen);
	fd = file_of(c, clen);
	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		struct swn_gzip_source src = { NULL, fd, 0, 0 };

		src.length = cuts[i] == 0 ? clen / 2 : cuts[i] < 10 ? clen - cuts[i] : cuts[i];
		memset(&got, 0, sizeof got);
		swn_err_clear(&err);
		ck_assert_int_eq(swn_gunzip_stream(&src, NULL, count_sink, &got, NULL, &err), -1);
		ck_assert_msg(err.code == SWN_E_AS4 && strstr(err.msg, "ends before"), "%zu: %s",
			      (size_t)src.length, err.msg);
		ck_assert_uint_le(got.n, samples[2].n);
	}
	close(fd);
	free(c);
}
END_TEST

START_TEST(trailer_checked)
{
	size_t n, clen, i;
	char *x = xml_records(100000, 0, &n);
	unsigned char *c = gz(x, n, &clen);

	for (i = clen - 8; i < clen - 4; i++) {
		c[i] ^= 0x40;
		refused(c, clen, SWN_E_AS4, "CRC-32");
		c[i] ^= 0x40;
	}
	for (i = clen - 4; i < clen; i++) {
		c[i] ^= 0x01;
		refused(c, clen, SWN_E_AS4, "ISIZE");
		c[i] ^= 0x01;
	}
	/* a byte of the deflate data changed: refused, whichever check sees it */
	c[clen / 2] ^= 0x10;
	refused(c, clen, SWN_E_AS4, "gzip: ");
	free(c);
	free(x);
}
END_TEST

START_TEST(after_the_member)
{
	size_t n, clen, c2len;
	char *x = xml_records(10000, 0, &n);
	unsigned char *c = gz(x, n, &clen), *two = malloc(2 * clen + 16), *c2;

	ck_assert_ptr_nonnull(two);
	memcpy(two, c, clen);
	two[clen] = 0;   /* one byte of garbage: a padding zero */
	refused(two, clen + 1, SWN_E_AS4, "data follows the end of the gzip member (1 byte)");
	two[clen] = 0x1f;   /* a second member's first byte only */
	refused(two, clen + 1, SWN_E_AS4, "data follows");
	memset(two + clen, 0, 16);
	refused(two, clen + 16, SWN_E_AS4, "(16 bytes)");
	/* a second member, as `cat a.gz b.gz` makes: gunzip would read both */
	c2 = gz("second", 6, &c2len);
	memcpy(two + clen, c2, c2len);
	refused(two, clen + c2len, SWN_E_AS4, "a second gzip member follows the first");
	/* the same member twice */
	memcpy(two + clen, c, clen);
	refused(two, 2 * clen, SWN_E_AS4, "a second gzip member");
	free(c2);
	free(two);
	free(c);
	free(x);
}
END_TEST

/* A member of exactly size bytes: "payload" with a header whose FEXTRA
 * field pads it (zlib writes and reads one of up to 65,535 bytes). */
static unsigned char *member_of_size(size_t size)
{
	static unsigned char extra[65535];
	unsigned char *out = malloc(size + 64);
	gz_header h;
	size_t base;

	ck_assert_ptr_nonnull(out);
	memset(&h, 0, sizeof h);
	h.extra = extra;
	base = zlib_member(&h, "payload", 7, out, size + 64);
	h.extra_len = (uInt)(size - base);
	ck_assert_uint_eq(zlib_member(&h, "payload", 7, out, size + 64), size);
	return out;
}

/* The member ends just before, at and just after the end of a chunk of
 * the file, and a second member's magic follows it, in the same chunk or
 * the next, whole or split. */
START_TEST(after_the_member_in_file)
{
	const size_t sizes[] = { SWN_GZIP_CHUNK_BYTES - 1, SWN_GZIP_CHUNK_BYTES,
				 SWN_GZIP_CHUNK_BYTES + 1 };
	struct swn_gzip_source src = { NULL, -1, 0, 0 };
	struct swn_buf out;
	struct swn_err err;
	unsigned char *c;
	size_t i;
	int fd;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		c = member_of_size(sizes[i]);
		c[sizes[i]] = 0x1f;
		c[sizes[i] + 1] = 0x8b;
		fd = file_of(c, sizes[i] + 2);
		src.fd = fd;
		src.length = sizes[i];
		swn_buf_init(&out, MB);
		swn_err_clear(&err);
		ck_assert_msg(swn_gunzip_stream(&src, NULL, buf_sink, &out, NULL, &err) == 0, "%s",
			      err.msg);
		ck_assert_uint_eq(out.len, 7);
		ck_assert(memcmp(out.data, "payload", 7) == 0);
		swn_buf_free(&out);
		src.length = sizes[i] + 2;
		swn_buf_init(&out, MB);
		ck_assert_int_eq(swn_gunzip_stream(&src, NULL, buf_sink, &out, NULL, &err), -1);
		ck_assert_msg(strstr(err.msg, "a second gzip member follows the first (2 bytes") !=
			      NULL, "%zu: %s", sizes[i], err.msg);
		swn_buf_free(&out);
		close(fd);
		free(c);
	}
}
END_TEST

/* The writer's member of a 1 MB payload and a second one after it, from a
 * file: the first inflated whole, then the second refused. */
START_TEST(second_member_in_file)
{
	struct swn_err err;
	unsigned char *c, *c2, *all;
	size_t clen, c2len;
	uint64_t ulen;
	int fd, out = tmp_fd();

	c = gz(samples[2].p, samples[2].n, &clen);
	c2 = gz("x", 1, &c2len);
	all = malloc(clen + c2len);
	ck_assert_ptr_nonnull(all);
	memcpy(all, c, clen);
	memcpy(all + clen, c2, c2len);
	fd = file_of(all, clen + c2len);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gunzip_fd(fd, out, NULL, &ulen, &err), -1);
	ck_assert_msg(strstr(err.msg, "a second gzip member") != NULL, "%s", err.msg);
	ck_assert_uint_eq(ulen, samples[2].n);
	close(fd);
	close(out);
	free(c);
	free(c2);
	free(all);
}
END_TEST

START_TEST(not_gzip)
{
	static const unsigned char zlib_format[] = { 0x78, 0x9c, 3, 0, 0, 0, 0, 1 };
	unsigned char *c;
	size_t clen;

	refused("", 0, SWN_E_AS4, "empty");
	refused("<?xml version=\"1.0\"?><a/>", 25, SWN_E_AS4, "not gzip data");
	refused(zlib_format, sizeof zlib_format, SWN_E_AS4, "not gzip data");
	refused("\x1f", 1, SWN_E_AS4, "ends inside the gzip header");
	refused("\x00", 1, SWN_E_AS4, "not gzip data");
	refused("\x1f\x8c", 2, SWN_E_AS4, "not gzip data");
	c = gz("abc", 3, &clen);
	c[2] = 7;   /* a compression method other than deflate */
	refused(c, clen, SWN_E_AS4, "not deflate");
	c[2] = 8;
	c[3] = 0x20;   /* a reserved flag */
	refused(c, clen, SWN_E_AS4, "reserved flag");
	c[3] = 0;
	c[10] = 0x07;   /* a final deflate block of the reserved type 3 */
	refused(c, clen, SWN_E_AS4, "the data is corrupt (zlib: invalid block type)");
	free(c);
}
END_TEST

/* 100 MB of zeros in about 100 KB: stopped by the ratio with the default
 * limits, and by max_out with no ratio, before it is inflated. */
static unsigned char *zeros_member(size_t n, size_t *clen)
{
	unsigned char *zero = calloc(1, 64 * 1024), *out = malloc(n / 500);
	z_stream z;
	int ret = Z_OK;

	ck_assert_ptr_nonnull(zero);
	ck_assert_ptr_nonnull(out);
	memset(&z, 0, sizeof z);
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_out = out;
	z.avail_out = (uInt)(n / 500);
	while (n > 0) {
		z.next_in = zero;
		z.avail_in = (uInt)(n < 64 * 1024 ? n : 64 * 1024);
		n -= z.avail_in;
		ret = deflate(&z, n == 0 ? Z_FINISH : Z_NO_FLUSH);
		ck_assert_int_ne(ret, Z_STREAM_ERROR);
		ck_assert_uint_eq(z.avail_in, 0);
	}
	ck_assert_int_eq(ret, Z_STREAM_END);
	*clen = z.total_out;
	deflateEnd(&z);
	free(zero);
	return out;
}

START_TEST(bomb)
{
	const size_t n = 100 * MB;
	struct swn_gunzip_limits size_only = { MB, 0, 0 };
	struct swn_gunzip_limits none = { UINT64_MAX, 0, 0 };
	struct swn_gzip_source src = { NULL, -1, 0, 0 };
	struct rusage before, after;
	struct swn_err err;
	struct count got;
	unsigned char *c;
	size_t clen;
	uint64_t ulen;

	c = zeros_member(n, &clen);
	ck_assert_uint_lt(clen, 120 * 1024);
	src.mem = c;
	src.length = clen;

	/* the default ratio: 200 times what was read, and 1 MB */
	memset(&got, 0, sizeof got);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gunzip_stream(&src, NULL, count_sink, &got, &ulen, &err), -1);
	ck_assert_msg(err.code == SWN_E_TOO_LARGE && strstr(err.msg, "decompression bomb"), "%s",
		      err.msg);
	ck_assert_uint_eq(ulen, got.n);
	ck_assert_uint_le(got.n, SWN_GUNZIP_MAX_RATIO * (uint64_t)clen + SWN_GUNZIP_RATIO_SLACK_BYTES);
	ck_assert_uint_lt(got.n, n / 4);
	ck_assert_uint_le(got.biggest, SWN_GZIP_CHUNK_BYTES);

	/* max_out alone: the sink never gets the byte past it */
	memset(&got, 0, sizeof got);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gunzip_stream(&src, &size_only, count_sink, &got, &ulen, &err), -1);
	ck_assert_msg(err.code == SWN_E_TOO_LARGE && strstr(err.msg, "more than 1048576 bytes"),
		      "%s", err.msg);
	ck_assert_uint_le(got.n, MB);
	ck_assert_uint_gt(got.n, MB - SWN_GZIP_CHUNK_BYTES);

	/* without limits it is what it says: 100 MB, inflated in fixed
	 * memory (the process's peak grows by less than 4 MB) */
	memset(&got, 0, sizeof got);
	ck_assert_int_eq(getrusage(RUSAGE_SELF, &before), 0);
	ck_assert_msg(swn_gunzip_stream(&src, &none, count_sink, &got, &ulen, &err) == 0, "%s",
		      err.msg);
	ck_assert_int_eq(getrusage(RUSAGE_SELF, &after), 0);
	ck_assert_uint_eq(got.n, n);
	ck_assert_int_lt(after.ru_maxrss - before.ru_maxrss, 4 * 1024);   /* KB */
	free(c);
}
END_TEST

/* max_out exactly at the size passes, one byte below refuses; records all
 * alike (340:1) are over the default ratio and pass without one. */
START_TEST(limits)
{
	const struct sample *s = &samples[3];
	struct swn_gunzip_limits lim = { 0, 0, 0 };
	struct swn_buf out;
	struct swn_err err;
	unsigned char *c;
	size_t clen, n;
	char *same;

	c = gz(s->p, s->n, &clen);
	lim.max_out = s->n;
	ck_assert_msg(gunzip_mem(c, clen, &lim, &out, &err) == 0, "%s", err.msg);
	swn_buf_free(&out);
	lim.max_out = s->n - 1;
	ck_assert_int_eq(gunzip_mem(c, clen, &lim, &out, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
	ck_assert_uint_le(out.len, s->n - 1);
	swn_buf_free(&out);
	/* the ratio exactly: the whole of it at ratio 1 with slack = the rest */
	lim.max_out = UINT64_MAX;
	lim.max_ratio = 1;
	lim.ratio_slack = s->n - clen;
	ck_assert_msg(gunzip_mem(c, clen, &lim, &out, &err) == 0, "%s", err.msg);
	swn_buf_free(&out);
	lim.ratio_slack = 0;
	ck_assert_int_eq(gunzip_mem(c, clen, &lim, &out, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
	swn_buf_free(&out);
	free(c);

	same = xml_records(5 * MB, 1, &n);
	c = gz(same, n, &clen);
	ck_assert_uint_gt(n / clen, SWN_GUNZIP_MAX_RATIO);
	ck_assert_int_eq(gunzip_mem(c, clen, NULL, &out, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);
	swn_buf_free(&out);
	lim.max_out = SWN_GZIP_MAX_PAYLOAD_BYTES;
	lim.max_ratio = 0;
	ck_assert_msg(gunzip_mem(c, clen, &lim, &out, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(out.len, n);
	ck_assert(memcmp(out.data, same, n) == 0);
	swn_buf_free(&out);
	free(c);
	free(same);
}
END_TEST

static int failing_sink(void *arg, const unsigned char *p, size_t n, struct swn_err *err)
{
	int *calls = arg;

	(void)p;
	(void)n;
	if (++*calls == 2)
		return swn_err_set(err, SWN_E_LOCAL, NULL, 0, "the sink is full");
	return 0;
}

/* Errors of the input, the output and the sink. */
START_TEST(io_errors)
{
	struct swn_gzip_source src = { NULL, -1, 0, 0 };
	struct swn_err err;
	unsigned char *c;
	size_t clen;
	uint64_t len;
	int fd, pipefd[2], calls = 0;

	c = gz(samples[2].p, samples[2].n, &clen);
	fd = file_of(c, clen);

	/* the sink's error is passed on as it set it */
	src.mem = c;
	src.length = clen;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gunzip_stream(&src, NULL, failing_sink, &calls, &len, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_LOCAL);
	ck_assert_str_eq(err.msg, "the sink is full");
	/* what the sink accepted: its first piece */
	ck_assert_uint_gt(len, 0);
	ck_assert_uint_le(len, SWN_GZIP_CHUNK_BYTES);
	calls = 0;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gzip_compress(&src, failing_sink, &calls, &len, &err), -1);
	ck_assert_str_eq(err.msg, "the sink is full");

	/* a range past the end of the file */
	src.mem = NULL;
	src.fd = fd;
	src.length = clen + 100;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gunzip_stream(&src, NULL, failing_sink, &calls, NULL, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_IO);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gzip_compress(&src, failing_sink, &calls, NULL, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_IO);

	/* a pipe is not a regular file; a descriptor open to read cannot be
	 * written */
	ck_assert_int_eq(pipe(pipefd), 0);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gunzip_fd(pipefd[0], fd, NULL, NULL, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_IO);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gzip_compress_fd(pipefd[0], fd, NULL, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_IO);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gunzip_fd(fd, pipefd[0], NULL, &len, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_LOCAL);
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gzip_compress_mem("abc", 3, pipefd[0], &len, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_LOCAL);
	ck_assert_uint_eq(len, 0);

	/* over the payload limit, refused before a byte is read */
	src.mem = c;
	src.length = SWN_GZIP_MAX_PAYLOAD_BYTES + 1;
	swn_err_clear(&err);
	ck_assert_int_eq(swn_gzip_compress(&src, failing_sink, &calls, NULL, &err), -1);
	ck_assert_int_eq(err.code, SWN_E_TOO_LARGE);

	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
	free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gzip");
	TCase *trip = tcase_create("round trips");
	TCase *refuse = tcase_create("refusals");
	TCase *bombs = tcase_create("limits");

	tcase_set_timeout(trip, 60);
	tcase_add_checked_fixture(trip, make_samples, free_samples);
	tcase_add_loop_test(trip, round_trip_mem, 0, 4);
	tcase_add_loop_test(trip, round_trip_fd, 0, 4);
	tcase_add_test(trip, writer_header);
	tcase_add_test(trip, zlib_file_functions);
	tcase_add_test(trip, header_fields);
	suite_add_tcase(s, trip);

	tcase_set_timeout(refuse, 60);
	tcase_add_checked_fixture(refuse, make_samples, free_samples);
	tcase_add_test(refuse, truncated);
	tcase_add_test(refuse, truncated_large);
	tcase_add_test(refuse, trailer_checked);
	tcase_add_test(refuse, after_the_member);
	tcase_add_test(refuse, after_the_member_in_file);
	tcase_add_test(refuse, second_member_in_file);
	tcase_add_test(refuse, not_gzip);
	tcase_add_test(refuse, io_errors);
	suite_add_tcase(s, refuse);

	tcase_set_timeout(bombs, 60);
	tcase_add_checked_fixture(bombs, make_samples, free_samples);
	tcase_add_test(bombs, bomb);
	tcase_add_test(bombs, limits);
	suite_add_tcase(s, bombs);
	return swn_test_run(s);
}

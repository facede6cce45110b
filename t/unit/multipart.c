/*
 * multipart.c — TAP tests for lib/multipart.c: every body is fed whole,
 * split at every point, a byte at a time and in random pieces, and must
 * give the same parts each way.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

static int tests, failures;

/* Print one TAP line for cond; returns cond. */
static int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failures++;
	printf("%sok %d - ", cond ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

/* What the callbacks saw, as text: "[name|filename|type]data<end>". */
struct log {
	char *buf;
	size_t len, cap;
	int stop_at_begin;	/* abort on the Nth part_begin (1-based) */
	int begins;
	size_t max_piece;	/* largest part_data piece */
};

static void
log_add(struct log *l, const char *data, size_t len)
{
	if (l->len + len + 1 > l->cap) {
		while (l->len + len + 1 > l->cap)
			l->cap = l->cap ? l->cap * 2 : 4096;
		if ((l->buf = realloc(l->buf, l->cap)) == NULL)
			abort();
	}
	memcpy(l->buf + l->len, data, len);
	l->len += len;
	l->buf[l->len] = '\0';
}

static int
on_begin(void *arg, const struct osb_multipart_part *p)
{
	struct log *l = arg;
	char line[1600];

	snprintf(line, sizeof(line), "[%s|%s%s|%s]", p->name,
	    p->has_filename ? "=" : "", p->filename, p->content_type);
	log_add(l, line, strlen(line));
	return ++l->begins == l->stop_at_begin;
}

static int
on_data(void *arg, const char *data, size_t len)
{
	struct log *l = arg;

	if (len > l->max_piece)
		l->max_piece = len;
	log_add(l, data, len);
	return 0;
}

static int
on_end(void *arg)
{
	log_add(arg, "<end>", 5);
	return 0;
}

static const struct osb_multipart_callbacks callbacks = {
	on_begin, on_data, on_end
};

/*
 * Parse body fed in pieces: cuts[] are the offsets where a piece ends
 * (ncuts of them, ascending). Returns the finish status; l gets the log.
 */
static int
parse_cut(const char *boundary, const char *body, size_t len,
    const size_t *cuts, size_t ncuts, struct log *l)
{
	struct osb_multipart *mp;
	size_t at = 0, i, end;
	int rc = OSB_MULTIPART_OK;

	memset(l, 0, sizeof(*l));
	log_add(l, "", 0);
	if ((mp = osb_multipart_new(boundary, &callbacks, l)) == NULL)
		abort();
	for (i = 0; i <= ncuts && rc == OSB_MULTIPART_OK; i++) {
		end = i < ncuts ? cuts[i] : len;
		rc = osb_multipart_feed(mp, body + at, end - at);
		at = end;
	}
	rc = osb_multipart_finish(mp);
	osb_multipart_free(mp);
	return rc;
}

static int
parse_whole(const char *boundary, const char *body, size_t len,
    struct log *l)
{
	return parse_cut(boundary, body, len, NULL, 0, l);
}

/*
 * Feed body whole, split in two at every offset, a byte at a time and in
 * random pieces; every way must give want_rc and the log want.
 */
static int
same_every_way(const char *boundary, const char *body, size_t len,
    int want_rc, const char *want, size_t want_len)
{
	struct log l;
	size_t cut, *cuts, i, n;
	int rc, round, good = 1;

	if ((cuts = calloc(len + 1, sizeof(*cuts))) == NULL)
		abort();
	for (cut = 0; cut <= len && good; cut++) {
		rc = parse_cut(boundary, body, len, &cut, 1, &l);
		good = rc == want_rc && l.len == want_len &&
		    memcmp(l.buf, want, want_len) == 0;
		if (!good)
			printf("# split at %zu: rc %d, got \"%s\"\n", cut, rc,
			    l.buf);
		free(l.buf);
	}
	for (i = 0; i < len; i++)
		cuts[i] = i + 1;
	rc = parse_cut(boundary, body, len, cuts, len, &l);
	if (good && !(rc == want_rc && l.len == want_len &&
	    memcmp(l.buf, want, want_len) == 0)) {
		printf("# bytewise: rc %d, got \"%s\"\n", rc, l.buf);
		good = 0;
	}
	free(l.buf);
	for (round = 0; round < 50 && good; round++) {
		for (n = 0, i = 0; i < len; n++) {
			i += 1 + (size_t)(random() % 40);
			cuts[n] = i < len ? i : len;
		}
		rc = parse_cut(boundary, body, len, cuts, n, &l);
		good = rc == want_rc && l.len == want_len &&
		    memcmp(l.buf, want, want_len) == 0;
		free(l.buf);
	}
	free(cuts);
	return good;
}

#define S(x) x, sizeof(x) - 1

static void
test_boundary(void)
{
	char b[OSB_MULTIPART_MAX_BOUNDARY + 1];
	char longtype[512];

	ok(osb_multipart_boundary("multipart/form-data; boundary=abc", b,
	    sizeof(b)) == 0 && strcmp(b, "abc") == 0, "boundary: plain");
	ok(osb_multipart_boundary(
	    "Multipart/Form-Data;charset=utf-8; Boundary=\"a b;c\"", b,
	    sizeof(b)) == 0 && strcmp(b, "a b;c") == 0,
	    "boundary: quoted, any case, after another parameter");
	ok(osb_multipart_boundary("multipart/form-data", b, sizeof(b)) == -1,
	    "boundary: missing");
	ok(osb_multipart_boundary("multipart/form-data; boundary=", b,
	    sizeof(b)) == -1, "boundary: empty");
	ok(osb_multipart_boundary("application/json; boundary=x", b,
	    sizeof(b)) == -1, "boundary: not multipart");
	ok(osb_multipart_boundary("multipart/form-dataX; boundary=x", b,
	    sizeof(b)) == -1, "boundary: type prefix only");
	ok(osb_multipart_boundary(NULL, b, sizeof(b)) == -1,
	    "boundary: no content type");
	snprintf(longtype, sizeof(longtype),
	    "multipart/form-data; boundary=%0*d",
	    OSB_MULTIPART_MAX_BOUNDARY + 1, 0);
	ok(osb_multipart_boundary(longtype, b, sizeof(b)) == -1,
	    "boundary: longer than %d", OSB_MULTIPART_MAX_BOUNDARY);
	ok(osb_multipart_new("", &callbacks, NULL) == NULL,
	    "parser refuses an empty boundary");
}

static void
test_bodies(void)
{
	static const char two[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"metadata\"; "
	    "filename=\"metadata\"\r\n"
	    "Content-Type: application/json\r\n"
	    "\r\n"
	    "{\"path\":\"/tmp/a\"}\r\n"
	    "--XyZ\r\n"
	    "content-disposition: form-data; name=file; "
	    "filename=\"a \\\"q\\\"\"\r\n"
	    "\r\n"
	    "line1\r\n--XyY\r\n--Xy\r\r\n-\r\n--X\r\n"
	    "\r\n"
	    "--XyZ--\r\n";
	static const char two_log[] =
	    "[metadata|=metadata|application/json]{\"path\":\"/tmp/a\"}<end>"
	    "[file|=a \"q\"|]line1\r\n--XyY\r\n--Xy\r\r\n-\r\n--X\r\n"
	    "<end>";
	static const char framing[] =
	    "preamble text\r\n--b  \t\r\n"
	    "\r\n"
	    "\r\n--b\r\n"
	    "\r\n"
	    "no headers\r\n"
	    "--b\r\n"
	    "Content-Disposition: form-data; name=\"empty\"\r\n"
	    "\r\n"
	    "\r\n"
	    "--b--epilogue \r\n--b\r\n junk";
	static const char framing_log[] =
	    "[||]<end>[||]no headers<end>[empty||]<end>";

	ok(same_every_way("XyZ", S(two), OSB_MULTIPART_OK, S(two_log)),
	    "two parts with delimiter look-alikes, any split");
	ok(same_every_way("b", S(framing), OSB_MULTIPART_OK, S(framing_log)),
	    "preamble, padding, part without headers, empty part, epilogue");
	ok(same_every_way("b", S("--b\r\n\r\nabc\r\n--b"), OSB_MULTIPART_BAD,
	    S("[||]abc<end>")), "closing dashes missing: bad, part done");
	ok(same_every_way("b", S("--b\r\n\r\nabc\r\n--"), OSB_MULTIPART_BAD,
	    S("[||]abc")), "cut inside the delimiter: bad, part not ended");
	ok(same_every_way("b", S("--b\r\nName: x"), OSB_MULTIPART_BAD, S("")),
	    "cut inside the headers: bad, no part");
	ok(same_every_way("b", S("no boundary at all"), OSB_MULTIPART_BAD,
	    S("")), "no boundary: bad");
	ok(same_every_way("b", S(""), OSB_MULTIPART_BAD, S("")),
	    "empty body: bad");
	ok(same_every_way("b", S("--b\r\n\r\nx\r\n--bX\r\n"), OSB_MULTIPART_BAD,
	    S("[||]x<end>")), "junk after a boundary: bad");
	ok(same_every_way("b", S("--b\r\nA: b\nC: d\r\n\r\nx\r\n--b--"),
	    OSB_MULTIPART_BAD, S("")), "header line ending in bare LF: bad");
	ok(same_every_way("b", S("--b-x"), OSB_MULTIPART_BAD, S("")),
	    "single dash after a boundary: bad");
	ok(same_every_way("b", S("--b\r\n\r\n--b--"), OSB_MULTIPART_BAD,
	    S("[||]--b--")),
	    "no CRLF before the closing delimiter: still body");
}

static void
test_errors(void)
{
	struct osb_multipart *mp;
	struct log l;
	char *big;
	size_t n = OSB_MULTIPART_MAX_HEADERS + 100;
	int rc;

	if ((big = malloc(n + 64)) == NULL)
		abort();
	memcpy(big, "--b\r\nX: ", 8);
	memset(big + 8, 'a', n - 8);
	memcpy(big + n, "\r\n\r\nbody\r\n--b--", 15);
	rc = parse_whole("b", big, n + 15, &l);
	ok(rc == OSB_MULTIPART_TOO_BIG && l.len == 0,
	    "headers larger than %d bytes: too big", OSB_MULTIPART_MAX_HEADERS);
	free(l.buf);
	free(big);

	memset(&l, 0, sizeof(l));
	l.stop_at_begin = 2;
	mp = osb_multipart_new("b", &callbacks, &l);
	rc = osb_multipart_feed(mp,
	    S("--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b--"));
	ok(rc == OSB_MULTIPART_ABORTED &&
	    strcmp(l.buf, "[||]one<end>[||]") == 0,
	    "a callback stops the parse");
	ok(osb_multipart_feed(mp, S("more")) == OSB_MULTIPART_ABORTED &&
	    osb_multipart_finish(mp) == OSB_MULTIPART_ABORTED &&
	    strcmp(osb_multipart_error(mp), "stopped by the receiver") == 0,
	    "the error sticks: %s", osb_multipart_error(mp));
	ok(!osb_multipart_complete(mp), "a stopped parse is not complete");
	osb_multipart_free(mp);
	free(l.buf);
}

/* A large binary part in random pieces: bytes intact, no tiny pieces. */
static void
test_binary(void)
{
	static const char head[] = "--0123456789abcdef\r\n"
	    "Content-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n"
	    "\r\n";
	static const char tail[] = "\r\n--0123456789abcdef--\r\n";
	size_t n = 4 << 20, len = sizeof(head) - 1 + n + sizeof(tail) - 1;
	size_t i, cuts[2048], ncuts = 0, at = 0;
	char *body, *want;
	struct log l;
	int rc;

	body = malloc(len);
	want = malloc(n + 64);
	if (body == NULL || want == NULL)
		abort();
	memcpy(body, head, sizeof(head) - 1);
	for (i = 0; i < n; i++) {
		/* Plenty of CRs and dashes to tempt the scanner. */
		switch (random() % 8) {
		case 0: body[sizeof(head) - 1 + i] = '\r'; break;
		case 1: body[sizeof(head) - 1 + i] = '\n'; break;
		case 2: body[sizeof(head) - 1 + i] = '-'; break;
		default: body[sizeof(head) - 1 + i] = (char)random();
		}
	}
	memcpy(body + sizeof(head) - 1 + n, tail, sizeof(tail) - 1);
	while (ncuts < 2047 && at < len) {
		at += 1 + (size_t)(random() % 8192);
		cuts[ncuts++] = at < len ? at : len;
	}
	rc = parse_cut("0123456789abcdef", body, len, cuts, ncuts, &l);
	memcpy(want, "[file|=f|]", 10);
	memcpy(want + 10, body + sizeof(head) - 1, n);
	memcpy(want + 10 + n, "<end>", 5);
	ok(rc == OSB_MULTIPART_OK && l.len == n + 15 &&
	    memcmp(l.buf, want, n + 15) == 0,
	    "4 MiB of binary data in random pieces comes out intact");
	free(l.buf);
	rc = parse_whole("0123456789abcdef", body, len, &l);
	ok(rc == OSB_MULTIPART_OK && l.max_piece >= n - 64,
	    "a body fed whole comes out in one piece, not many");
	free(l.buf);
	free(body);
	free(want);
}

/* Random bytes and mutated bodies must never crash (run under ASan). */
static void
test_garbage(void)
{
	static const char seed[] = "--b\r\nContent-Disposition: form-data; "
	    "name=\"a\"; filename=\"x\\\"\r\n\r\ndata\r\n--b\r\n\r\n\r\n--b--";
	char buf[sizeof(seed) + 16];
	struct log l;
	int round, i, rc, sane = 1;

	for (round = 0; round < 20000; round++) {
		memcpy(buf, seed, sizeof(seed));
		for (i = 0; i < 1 + round % 4; i++)
			buf[random() % (sizeof(seed) - 1)] = "\r\n-\"\\b;= x"
			    [random() % 10];
		if (round % 3 == 0)
			for (i = 0; i < (int)sizeof(seed) - 1; i++)
				buf[i] = (char)random();
		rc = parse_whole("b", buf, sizeof(seed) - 1 - round % 7, &l);
		if (rc != OSB_MULTIPART_OK && rc != OSB_MULTIPART_BAD)
			sane = 0;
		free(l.buf);
	}
	ok(sane, "20000 mutated bodies parse or fail cleanly");
}

int
main(void)
{
	srandom(20240601);
	test_boundary();
	test_bodies();
	test_errors();
	test_binary();
	test_garbage();
	printf("1..%d\n", tests);
	return failures != 0;
}

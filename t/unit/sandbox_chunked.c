/*
 * sandbox_chunked.c — the proxy's chunked body decoder (chunked.c)
 * against hand-made bodies, each fed whole, byte by byte and cut in two
 * at every position: the data and the verdict must not depend on how the
 * bytes arrive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunked.h"

static int ntest;

/* One TAP result. */
static void
ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, what);
}

/*
 * Decode body delivered in pieces of step bytes (0: cut once at split);
 * the data in out. Returns 1 at the end of the body, 0 when it wants
 * more, -1 when it was refused.
 */
static int
decode(const char *body, size_t step, size_t split, char *out, size_t cap)
{
	struct chunked c;
	char buf[4096];
	size_t len = strlen(body), have = 0, fed = 0, used, o = 0, piece;
	ssize_t n;

	chunked_init(&c);
	out[0] = '\0';
	while (c.state != CHUNKED_END) {
		n = chunked_decode(&c, buf, have, &used, out + o, cap - o - 1);
		if (n < 0)
			return -1;
		memmove(buf, buf + used, have - used);
		have -= used;
		o += (size_t)n;
		out[o] = '\0';
		if (n > 0 || c.state == CHUNKED_END)
			continue;
		if (fed == len)
			return 0;
		piece = step ? step : (fed < split ? split : len - fed);
		if (piece > len - fed)
			piece = len - fed;
		if (piece == 0)
			piece = len - fed;
		memcpy(buf + have, body + fed, piece);
		have += piece;
		fed += piece;
	}
	return 1;
}

/* body decodes to want (rc 1), or is refused (want NULL, rc -1), or
 * wants more (rc 0), however it is cut. */
static void
check(const char *what, const char *body, const char *want, int rc)
{
	char out[4096];
	size_t split, len = strlen(body);
	int good = 1;

	for (split = 0; split <= len && good; split++)
		good = decode(body, 0, split, out, sizeof(out)) == rc &&
		    (want == NULL || strcmp(out, want) == 0);
	good = good && decode(body, 1, 0, out, sizeof(out)) == rc &&
	    (want == NULL || strcmp(out, want) == 0);
	ok(good, what);
}

int
main(void)
{
	char big[3000];

	check("one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", 1);
	check("several chunks", "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", "abcde", 1);
	check("hex sizes, either case", "a\r\n0123456789\r\nA\r\n"
	    "abcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij", 1);
	check("an extension and a trailer", "4;name=v\r\ndata\r\n0\r\n"
	    "X-Sum: 1\r\n\r\n", "data", 1);
	check("bare LF line ends", "2\nhi\n0\n\n", "hi", 1);
	check("spaces before an extension", "2 ;x\r\nhi\r\n0\r\n\r\n", "hi", 1);
	check("an empty body", "0\r\n\r\n", "", 1);
	check("cut short in the data", "5\r\nhel", "hel", 0);
	check("cut short before the trailer ends", "1\r\nx\r\n0\r\n", "x", 0);
	check("no size", "\r\nhello\r\n0\r\n\r\n", NULL, -1);
	check("a sign", "-1\r\nx\r\n", NULL, -1);
	check("0x", "0x5\r\nhello\r\n0\r\n\r\n", NULL, -1);
	check("leading space", " 5\r\nhello\r\n0\r\n\r\n", NULL, -1);
	check("junk after the size", "5x\r\nhello\r\n0\r\n\r\n", NULL, -1);
	check("an overflowing size", "10000000000000000\r\n", NULL, -1);
	check("data longer than its size", "2\r\nabc\r\n0\r\n\r\n", NULL, -1);
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	check("a size line past the limit", big, NULL, -1);
	printf("1..%d\n", ntest);
	return 0;
}

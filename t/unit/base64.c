/* base64.c — RFC 4648 test vectors both ways, binary round trip, refusals. */
#include <stdio.h>
#include <string.h>

#include "base64.h"

static int ntest;

/* One TAP result. */
static void
ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, what);
}

int
main(void)
{
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" }
	};
	struct osb_buf b = { 0 };
	unsigned char bin[256];
	char out[OSB_BASE64_LEN(256)];
	size_t i;
	int enc = 1, dec = 1;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		osb_base64_encode(vec[i][0], strlen(vec[i][0]), out);
		enc &= strcmp(out, vec[i][1]) == 0;
		b.len = 0;
		dec &= osb_base64_decode(vec[i][1], &b) == 0 &&
		    b.len == strlen(vec[i][0]) &&
		    memcmp(b.data ? b.data : "", vec[i][0], b.len) == 0;
	}
	ok(enc, "encode: the RFC 4648 test vectors");
	ok(dec, "decode: the RFC 4648 test vectors");
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(255 - i);
	b.len = 0;
	ok(osb_base64_encode(bin, sizeof(bin), out) == OSB_BASE64_LEN(256) - 1 &&
	    osb_base64_decode(out, &b) == 0 && b.len == sizeof(bin) &&
	    memcmp(b.data, bin, sizeof(bin)) == 0,
	    "every byte value round-trips");
	b.len = 0;
	ok(osb_base64_decode("Zm9v\nYmFy", &b) == 0 && b.len == 6 &&
	    memcmp(b.data, "foobar", 6) == 0, "decode skips whitespace");
	ok(osb_base64_decode("Zm9v*", &b) == -1, "decode refuses a stray byte");
	osb_buf_free(&b);
	printf("1..%d\n", ntest);
	return 0;
}

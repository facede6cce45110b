/*
 * ws.c — RFC 6455 framing: the handshake key, the RFC's own examples,
 * headers of each length, fragments with control frames between them,
 * bytes arriving one at a time, and every protocol error the reader
 * refuses.
 */
#include <stdio.h>
#include <string.h>

#include "ws.h"

static int ntest;

/* One TAP result. */
static void
ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, what);
}

/* Feed n bytes to a reader of side masked; the one message they hold. */
static int
one_message(int masked, const void *in, size_t n, int *op, char *out,
    size_t *len)
{
	struct osb_ws_reader r = { .masked = masked, .max = 1 << 20 };
	const unsigned char *data;
	int rc;

	osb_ws_feed(&r, in, n);
	if ((rc = osb_ws_next(&r, op, &data, len)) == 1)
		memcpy(out, data, *len);
	osb_ws_reader_free(&r);
	return rc;
}

/* The error a reader of side masked gives for n bytes, or NULL. */
static const char *
error_of(int masked, const void *in, size_t n, size_t max, int *code)
{
	struct osb_ws_reader r = { .masked = masked, .max = max };
	const unsigned char *data;
	size_t len;
	int op, rc;

	osb_ws_feed(&r, in, n);
	while ((rc = osb_ws_next(&r, &op, &data, &len)) == 1)
		;
	*code = r.close_code;
	osb_ws_reader_free(&r);
	return rc == -1 ? r.why : NULL;
}

static void
test_handshake(void)
{
	char accept[OSB_WS_ACCEPT_LEN + 1], key[25], key2[25];

	osb_ws_accept("dGhlIHNhbXBsZSBub25jZQ==", accept);
	ok(strcmp(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0,
	    "accept: the RFC's example key");
	osb_ws_new_key(key);
	osb_ws_new_key(key2);
	ok(strlen(key) == 24 && key[22] == '=' && strcmp(key, key2) != 0,
	    "new keys: 16 bytes in base64, a fresh one each time");
}

static void
test_rfc_examples(void)
{
	static const unsigned char unmasked[] = { 0x81, 0x05, 'H', 'e', 'l',
	    'l', 'o' };
	static const unsigned char masked[] = { 0x81, 0x85, 0x37, 0xfa, 0x21,
	    0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	static const unsigned char frags[] = { 0x01, 0x03, 'H', 'e', 'l',
	    0x89, 0x02, 'h', 'i', 0x80, 0x02, 'l', 'o' };
	struct osb_ws_reader r = { .masked = 0, .max = 100 };
	const unsigned char *data;
	char out[64];
	size_t len;
	int op, rc1, op1, rc2;

	ok(one_message(0, unmasked, sizeof(unmasked), &op, out, &len) == 1 &&
	    op == OSB_WS_TEXT && len == 5 && memcmp(out, "Hello", 5) == 0,
	    "an unmasked text frame (RFC 6455 5.7)");
	ok(one_message(1, masked, sizeof(masked), &op, out, &len) == 1 &&
	    op == OSB_WS_TEXT && len == 5 && memcmp(out, "Hello", 5) == 0,
	    "a masked text frame (RFC 6455 5.7)");
	osb_ws_feed(&r, frags, sizeof(frags));
	rc1 = osb_ws_next(&r, &op1, &data, &len);
	ok(rc1 == 1 && op1 == OSB_WS_PING && len == 2 &&
	    memcmp(data, "hi", 2) == 0,
	    "a ping between fragments comes out first");
	rc2 = osb_ws_next(&r, &op, &data, &len);
	ok(rc2 == 1 && op == OSB_WS_TEXT && len == 5 &&
	    memcmp(data, "Hello", 5) == 0, "then the fragments, joined");
	ok(osb_ws_next(&r, &op, &data, &len) == 0, "then: nothing more");
	osb_ws_reader_free(&r);
}

/* A header of each length, written then read back, masked and not. */
static void
test_lengths(void)
{
	static const size_t sizes[] = { 0, 125, 126, 65535, 65536, 200000 };
	static unsigned char frame[200000 + OSB_WS_HEADER_MAX], out[200000];
	const unsigned char mask[4] = { 1, 2, 3, 4 };
	size_t i, h, len, want;
	int all = 1, op, m;

	for (m = 0; m < 2; m++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			want = sizes[i];
			h = osb_ws_header(frame, OSB_WS_BINARY, want,
			    m ? mask : NULL);
			all &= h == (want < 126 ? 2u : want < 65536 ? 4u :
			    10u) + (m ? 4u : 0u);
			memset(frame + h, 'x', want);
			if (m)
				osb_ws_mask(frame + h, want, mask, 0);
			all &= one_message(m, frame, h + want, &op,
			    (char *)out, &len) == 1 && op == OSB_WS_BINARY &&
			    len == want && (want == 0 || (out[0] == 'x' &&
			    out[want - 1] == 'x'));
		}
	ok(all, "7-bit, 16-bit and 64-bit lengths, masked or not, round-trip");
}

/* A message fed a byte at a time comes out once, whole. */
static void
test_byte_by_byte(void)
{
	static const unsigned char masked[] = { 0x81, 0x85, 0x37, 0xfa, 0x21,
	    0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	struct osb_ws_reader r = { .masked = 1, .max = 100 };
	const unsigned char *data;
	size_t i, len = 0;
	int op, got = 0, rc = 0;

	for (i = 0; i < sizeof(masked); i++) {
		osb_ws_feed(&r, masked + i, 1);
		while ((rc = osb_ws_next(&r, &op, &data, &len)) == 1)
			got++;
	}
	ok(got == 1 && rc == 0 && len == 5, "bytes one at a time: one message");
	osb_ws_reader_free(&r);
}

static void
test_errors(void)
{
	static const struct {
		int masked;
		const char *in;
		size_t n;
		size_t max;
		const char *why;
		int code;
	} bad[] = {
		{ 1, "\x81\x01x", 3, 100, "an unmasked frame from the client",
		    1002 },
		{ 0, "\x81\x81\0\0\0\0x", 7, 100,
		    "a masked frame from the server", 1002 },
		{ 0, "\xc1\x01x", 3, 100, "reserved bits set", 1002 },
		{ 0, "\x83\x00", 2, 100, "unknown opcode", 1002 },
		{ 0, "\x09\x00", 2, 100,
		    "a control frame fragmented or over 125 bytes", 1002 },
		{ 0, "\x89\x7e\x00\x7e", 4, 1000,
		    "a control frame fragmented or over 125 bytes", 1002 },
		{ 0, "\x80\x01x", 3, 100,
		    "a continuation frame with no message", 1002 },
		{ 0, "\x01\x01x\x81\x01y", 6, 100,
		    "a new message inside a fragmented one", 1002 },
		{ 0, "\x82\x7f\x80\0\0\0\0\0\0\0", 10, 100,
		    "frame length out of range", 1002 },
		{ 0, "\x82\x0b", 2, 10, "message too big", 1009 },
		{ 0, "\x02\x06xxxxxx\x80\x06xxxxxx", 16, 10, "message too big",
		    1009 },
	};
	size_t i;
	const char *why;
	char what[160];
	int code;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = error_of(bad[i].masked, bad[i].in, bad[i].n, bad[i].max,
		    &code);
		snprintf(what, sizeof(what), "refused: %s (%d)", bad[i].why,
		    bad[i].code);
		ok(why != NULL && strcmp(why, bad[i].why) == 0 &&
		    code == bad[i].code, what);
	}
}

static void
test_close_payload(void)
{
	char reason[8];
	int code;

	ok(osb_ws_close_payload((const unsigned char *)"\x03\xe8" "bye", 5,
	    &code, reason, sizeof(reason)) == 0 && code == 1000 &&
	    strcmp(reason, "bye") == 0, "close: code and reason");
	ok(osb_ws_close_payload(NULL, 0, &code, reason, sizeof(reason)) == 0 &&
	    code == 1005 && reason[0] == '\0', "close: none given is 1005");
	ok(osb_ws_close_payload((const unsigned char *)"\x03", 1, &code,
	    reason, sizeof(reason)) == -1, "close: one byte is malformed");
	ok(osb_ws_close_payload((const unsigned char *)"\x0f\xa1"
	    "a long reason", 15, &code, reason, sizeof(reason)) == 0 &&
	    code == 4001 && strcmp(reason, "a long ") == 0,
	    "close: a long reason is cut to fit");
}

int
main(void)
{
	test_handshake();
	test_rfc_examples();
	test_lengths();
	test_byte_by_byte();
	test_errors();
	test_close_payload();
	printf("1..%d\n", ntest);
	return 0;
}

/*
 * ws.c — libFuzzer harness for the WebSocket reader: the first byte picks
 * the side (masked or not) and where to split; the input is fed whole,
 * then in two pieces with the messages taken between them, and both reads
 * must give the same messages and the same end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws.h"

struct tally {
	size_t messages, bytes;
	unsigned sum;
	int end;
};

/* Take every message the reader has; its end state in t->end. */
static void
drain(struct osb_ws_reader *r, struct tally *t)
{
	const unsigned char *data;
	size_t len, i;
	int op;

	while ((t->end = osb_ws_next(r, &op, &data, &len)) == 1) {
		t->messages++;
		t->bytes += len;
		for (i = 0; i < len; i++)
			t->sum = t->sum * 31 + data[i] + (unsigned)op;
	}
}

static struct tally
read_all(const uint8_t *data, size_t size, size_t split, int masked)
{
	struct osb_ws_reader r = { .masked = masked, .max = 1 << 16 };
	struct tally t = { 0, 0, 0, 0 };

	osb_ws_feed(&r, data, split);
	drain(&r, &t);
	if (t.end == 0) {
		osb_ws_feed(&r, data + split, size - split);
		drain(&r, &t);
	}
	osb_ws_reader_free(&r);
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally whole, pieces;
	int masked;

	if (size < 2)
		return 0;
	masked = data[0] & 1;
	data++, size--;
	whole = read_all(data, size, size, masked);
	pieces = read_all(data, size, data[0] % size, masked);
	if (whole.messages != pieces.messages || whole.bytes != pieces.bytes ||
	    whole.sum != pieces.sum || whole.end != pieces.end)
		abort();
	return 0;
}

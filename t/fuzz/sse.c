/*
 * sse.c — libFuzzer harness for the SSE parser: the input is fed whole,
 * then again split where its first byte says, and both parses must give
 * the same events.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"

struct tally {
	size_t events, bytes;
};

static int
count_event(const struct osb_sse_event *ev, void *arg)
{
	struct tally *t = arg;

	t->events++;
	t->bytes += ev->len;
	return 0;
}

static struct tally
parse(const uint8_t *data, size_t size, size_t split)
{
	struct tally t = { 0, 0 };
	struct osb_sse p;

	osb_sse_init(&p, count_event, &t);
	if (osb_sse_feed(&p, (const char *)data, split) == 0)
		osb_sse_feed(&p, (const char *)data + split, size - split);
	osb_sse_free(&p);
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally whole, pieces;

	if (size == 0)
		return 0;
	whole = parse(data, size, size);
	pieces = parse(data, size, data[0] % size);
	if (whole.events != pieces.events || whole.bytes != pieces.bytes)
		abort();
	return 0;
}

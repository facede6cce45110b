/*
 * sandbox_chunked.c — libFuzzer harness for the proxy's chunked body
 * decoder: the input is decoded whole, then again cut where its first
 * byte says, with a small output buffer; both must give the same data
 * and verdict.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunked.h"

struct result {
	int rc;
	size_t bytes;
	uint32_t sum;
};

/* Decode data, fed in two pieces cut at split, out max bytes a call. */
static struct result
run(const uint8_t *data, size_t size, size_t split, size_t max)
{
	struct result r = { 0, 0, 0 };
	struct chunked c;
	char out[64];
	size_t fed = 0, avail = split, used, i;
	ssize_t n;

	chunked_init(&c);
	for (;;) {
		n = chunked_decode(&c, (const char *)data + fed, avail - fed,
		    &used, out, max);
		fed += used;
		if (n < 0) {
			r.rc = -1;
			return r;
		}
		for (i = 0; i < (size_t)n; i++)
			r.sum = r.sum * 31 + (uint8_t)out[i];
		r.bytes += (size_t)n;
		if (c.state == CHUNKED_END) {
			r.rc = 1;
			return r;
		}
		if (n == 0) {
			if (avail == size)
				return r;
			avail = size;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result whole, cut;

	if (size == 0)
		return 0;
	whole = run(data, size, size, 64);
	cut = run(data, size, data[0] % size, 1 + data[0] % 7);
	if (whole.rc != cut.rc || (whole.rc >= 0 &&
	    (whole.bytes != cut.bytes || whole.sum != cut.sum)))
		abort();
	return 0;
}

/*
 * multipart.c — libFuzzer harness for the multipart parser: the input is
 * a body for boundary "b", fed whole and then in pieces of the size its
 * first byte says; both parses must agree on the outcome and the bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "multipart.h"

struct tally {
	size_t parts, bytes;
};

static int
on_begin(void *arg, const struct osb_multipart_part *part)
{
	((struct tally *)arg)->parts++;
	return 0;
}

static int
on_data(void *arg, const char *data, size_t len)
{
	((struct tally *)arg)->bytes += len;
	return 0;
}

static int
on_end(void *arg)
{
	return 0;
}

static int
parse(const uint8_t *data, size_t size, size_t piece, struct tally *t)
{
	static const struct osb_multipart_callbacks cb = {
		on_begin, on_data, on_end
	};
	struct osb_multipart *mp = osb_multipart_new("b", &cb, t);
	size_t off, n;
	int rc = OSB_MULTIPART_OK;

	if (mp == NULL)
		abort();
	for (off = 0; off < size && rc == OSB_MULTIPART_OK; off += n) {
		n = size - off < piece ? size - off : piece;
		rc = osb_multipart_feed(mp, (const char *)data + off, n);
	}
	rc = osb_multipart_finish(mp);
	osb_multipart_free(mp);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally whole = { 0, 0 }, pieces = { 0, 0 };
	int a, b;

	if (size == 0)
		return 0;
	a = parse(data, size, size, &whole);
	b = parse(data, size, (size_t)data[0] % 7 + 1, &pieces);
	if (a != b || whole.parts != pieces.parts ||
	    (a == OSB_MULTIPART_OK && whole.bytes != pieces.bytes))
		abort();
	return 0;
}

/*
 * chunked.h — the decoder of a chunked message body (RFC 9112, 7.1):
 * size lines (with extensions), each chunk's data and the CRLF after it,
 * the last chunk and its trailer lines, fed in pieces of any size.
 * Lines may end in a bare LF, as lenient parsers allow.
 */
#ifndef OSB_SANDBOX_CHUNKED_H
#define OSB_SANDBOX_CHUNKED_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A size or trailer line longer than this is refused. */
#define CHUNKED_MAX_LINE 1024

enum chunked_state {
	CHUNKED_SIZE,		/* a size line is next */
	CHUNKED_DATA,		/* left bytes of a chunk */
	CHUNKED_CRLF,		/* the CRLF after a chunk's data */
	CHUNKED_TRAILER,	/* trailer lines up to an empty one */
	CHUNKED_END		/* the body is over */
};

struct chunked {
	enum chunked_state state;
	uint64_t left;
};

/* A decoder at the start of a body. */
void chunked_init(struct chunked *);

/*
 * Decode from in (len bytes), *used getting the bytes consumed: copies
 * data (at most max bytes, of one chunk) to out and returns its length;
 * returns 0 when more input is needed or the body is over (state
 * CHUNKED_END), -1 on bytes that are not chunked encoding.
 */
ssize_t chunked_decode(struct chunked *, const char *in, size_t len,
    size_t *used, char *out, size_t max);

#endif

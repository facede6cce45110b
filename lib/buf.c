/* buf.c — a growable byte buffer. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* The room a buffer starts with. */
#define BUF_MIN 256

/* Room for more bytes and a NUL, doubling; 0 or -1. */
int
osb_buf_reserve(struct osb_buf *b, size_t more)
{
	size_t cap;
	char *grown;

	if (more >= SIZE_MAX / 2 - b->len) {
		errno = ENOMEM;
		return -1;
	}
	if (b->len + more < b->cap)
		return 0;
	for (cap = b->cap ? b->cap : BUF_MIN; cap <= b->len + more; cap *= 2)
		;
	if ((grown = realloc(b->data, cap)) == NULL)
		return -1;
	b->data = grown;
	b->cap = cap;
	return 0;
}

/* len bytes of data at the end, then a NUL; 0 or -1. */
int
osb_buf_append(struct osb_buf *b, const void *data, size_t len)
{
	if (osb_buf_reserve(b, len) < 0)
		return -1;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* Release the buffer, leaving it empty. */
void
osb_buf_free(struct osb_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

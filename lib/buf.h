/*
 * buf.h — a growable byte buffer: appends double its room, so a body,
 * a line or a path of any length is built in few reallocations.
 */
#ifndef OSB_BUF_H
#define OSB_BUF_H

#include <stddef.h>

/*
 * After a successful append, data holds len bytes and a NUL after them.
 * Lowering len keeps the room (data[len] is then the caller's to set).
 * Zero-initialised it is empty, with nothing allocated.
 */
struct osb_buf {
	char *data;
	size_t len, cap;
};

/* Make room for more bytes and a NUL after them; 0, or -1 when out of
 * memory (the buffer is left as it was). */
int osb_buf_reserve(struct osb_buf *, size_t more);
/* Append len bytes of data; 0, or -1 when out of memory (nothing is). */
int osb_buf_append(struct osb_buf *, const void *data, size_t len);
/* Release the buffer, leaving it empty. */
void osb_buf_free(struct osb_buf *);

#endif

/*
 * sse.h — an incremental Server-Sent Events parser: bytes in, in whatever
 * pieces they arrive, events out through a callback.
 *
 * It reads standard frames (data: lines, joined with "\n"; event:, id: and
 * retry: fields; ":" comments) and the Go execd's framing, a bare JSON
 * object on a line of its own, both ended by a blank line. Lines end with
 * LF, CRLF or CR.
 */
#ifndef OSB_SSE_H
#define OSB_SSE_H

#include <stddef.h>

#include "buf.h"

struct osb_sse_event {
	const char *type;	/* the event: field, "" when none */
	const char *id;		/* the last id: seen, "" when none */
	const char *data;	/* NUL-terminated; may hold NULs from wire */
	size_t len;
};

/* An event is complete; return 0 to go on, -1 to stop the parse. */
typedef int (*osb_sse_handler)(const struct osb_sse_event *, void *arg);

struct osb_sse {
	osb_sse_handler handler;
	void *arg;
	struct osb_buf line;	/* the line being read */
	struct osb_buf data;	/* the event's data so far, each line + "\n" */
	char type[64];
	char id[256];
	long retry;		/* the last retry: in ms, -1 when none */
	int after_cr;		/* the last byte was CR: an LF next pairs it */
	int has_data;		/* a data line (even empty) was seen */
};

void osb_sse_init(struct osb_sse *, osb_sse_handler, void *arg);
/*
 * Parse len more bytes. Returns 0; -1 when the handler stopped the parse,
 * memory ran out or a line grew past OSB_SSE_MAX_LINE.
 */
int osb_sse_feed(struct osb_sse *, const char *buf, size_t len);
void osb_sse_free(struct osb_sse *);

#define OSB_SSE_MAX_LINE (64 * 1024 * 1024)

#endif

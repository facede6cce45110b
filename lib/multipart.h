/*
 * multipart.h — an incremental multipart/form-data parser (RFC 7578 over
 * RFC 2046): bytes go in as they arrive, in pieces of any size, and parts
 * come out through callbacks. Nothing is buffered but one part's headers
 * and less than a delimiter's worth of lookahead, so a body of any size
 * passes through in constant memory.
 */
#ifndef OSB_MULTIPART_H
#define OSB_MULTIPART_H

#include <stddef.h>

/* RFC 2046 allows 70; be lenient, but keep the delimiter small. */
#define OSB_MULTIPART_MAX_BOUNDARY 200
/* A part's header block larger than this is refused (OSB_MULTIPART_TOO_BIG). */
#define OSB_MULTIPART_MAX_HEADERS (16 * 1024)

enum osb_multipart_status {
	OSB_MULTIPART_OK = 0,
	OSB_MULTIPART_BAD = -1,		/* malformed or truncated body */
	OSB_MULTIPART_TOO_BIG = -2,	/* part headers too large */
	OSB_MULTIPART_ABORTED = -3	/* a callback asked to stop */
};

/* What a part's headers said; strings are "" when absent. */
struct osb_multipart_part {
	char name[256];		/* Content-Disposition name= */
	char filename[1024];	/* Content-Disposition filename= */
	int has_filename;
	char content_type[256];
};

/*
 * The callbacks each return 0 to go on, or nonzero to stop the parse
 * (osb_multipart_feed then returns OSB_MULTIPART_ABORTED). part_data gets
 * a part's body in pieces of any size, zero or more times between
 * part_begin and part_end; the bytes are only valid during the call.
 */
struct osb_multipart_callbacks {
	int (*part_begin)(void *arg, const struct osb_multipart_part *);
	int (*part_data)(void *arg, const char *data, size_t len);
	int (*part_end)(void *arg);
};

struct osb_multipart;

/*
 * Copy the boundary out of a Content-Type value
 * ("multipart/form-data; boundary=xyz"). Returns 0, or -1 when the type is
 * not multipart/form-data or the boundary is missing or too long.
 */
int osb_multipart_boundary(const char *content_type, char *buf, size_t len);

/* A parser for a body with this boundary; NULL when out of memory. */
struct osb_multipart *osb_multipart_new(const char *boundary,
    const struct osb_multipart_callbacks *, void *arg);
/* Parse the next piece of body. Returns an osb_multipart_status; after an
 * error every further call returns the same error. */
int osb_multipart_feed(struct osb_multipart *, const char *data, size_t len);
/* The body has ended: OSB_MULTIPART_OK when the closing boundary was seen,
 * OSB_MULTIPART_BAD when the body was cut short, or the earlier error. */
int osb_multipart_finish(struct osb_multipart *);
/* Nonzero once the closing boundary has been seen. */
int osb_multipart_complete(const struct osb_multipart *);
/* What went wrong, as a lowercase phrase ("" when nothing did). */
const char *osb_multipart_error(const struct osb_multipart *);
void osb_multipart_free(struct osb_multipart *);

#endif

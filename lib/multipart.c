/*
 * multipart.c — incremental multipart/form-data parser.
 *
 * The body is a preamble, then parts each introduced by the delimiter
 * CRLF "--" boundary, then "--" and an epilogue. The parser pretends a CRLF
 * came before the first byte, so the first delimiter looks like every other
 * one. Part bodies are scanned with memmem for the whole delimiter; only a
 * tail that could be the start of a delimiter split across two pieces is
 * held back until the next piece shows what it is.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"

enum state {
	S_PREAMBLE,		/* before the first delimiter: dropped */
	S_AFTER_DELIM,		/* "--" ends the body, CRLF starts a part */
	S_DASH,			/* seen one '-' of the closing "--" */
	S_PADDING,		/* transport padding before the CRLF */
	S_CR,			/* seen the CR of the CRLF */
	S_HEADERS,		/* collecting a part's header block */
	S_BODY,			/* a part's body */
	S_EPILOGUE,		/* after the closing delimiter: dropped */
	S_FAILED
};

#define DELIM_MAX (4 + OSB_MULTIPART_MAX_BOUNDARY)

struct osb_multipart {
	enum state state;
	int status;
	char error[160];
	struct osb_multipart_callbacks cb;
	void *arg;
	char delim[DELIM_MAX];	/* CRLF "--" boundary */
	size_t dlen;
	char held[DELIM_MAX];	/* lookahead that may begin a delimiter */
	size_t held_len;
	char *hdr;		/* the current part's header block */
	size_t hdr_len;
};

/* Record the first error; returns it. */
static int
fail(struct osb_multipart *mp, int status, const char *what)
{
	if (mp->state != S_FAILED) {
		mp->state = S_FAILED;
		mp->status = status;
		snprintf(mp->error, sizeof(mp->error), "%s", what);
	}
	return mp->status;
}

/* A callback said stop; returns OSB_MULTIPART_ABORTED. */
static int
stopped(struct osb_multipart *mp)
{
	return fail(mp, OSB_MULTIPART_ABORTED, "stopped by the receiver");
}

/*
 * Parse the next "; key=value" parameter of a header value from *pp into
 * key and val (truncated to fit). Quoted values lose their quotes and
 * backslash escapes. Returns 1 with *pp advanced, 0 when none is left.
 */
static int
next_param(const char **pp, char *key, size_t klen, char *val, size_t vlen)
{
	const char *p = *pp, *start;
	size_t n = 0;

	while (*p == ';' || *p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	start = p;
	while (*p && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
		p++;
	snprintf(key, klen, "%.*s", (int)(p - start), start);
	while (*p == ' ' || *p == '\t')
		p++;
	val[0] = '\0';
	if (*p == '=') {
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (n + 1 < vlen)
					val[n++] = *p;
			}
			val[n] = '\0';
			if (*p == '"')
				p++;
		} else {
			start = p;
			while (*p && *p != ';' && *p != ' ' && *p != '\t')
				p++;
			snprintf(val, vlen, "%.*s", (int)(p - start), start);
		}
	}
	while (*p && *p != ';')
		p++;
	*pp = p;
	return 1;
}

/* The boundary parameter of a multipart/form-data Content-Type. */
int
osb_multipart_boundary(const char *content_type, char *buf, size_t len)
{
	static const char type[] = "multipart/form-data";
	char key[32], val[OSB_MULTIPART_MAX_BOUNDARY + 2];
	const char *p = content_type;

	if (p == NULL)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, type, sizeof(type) - 1) != 0)
		return -1;
	p += sizeof(type) - 1;
	if (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t')
		return -1;
	while (next_param(&p, key, sizeof(key), val, sizeof(val))) {
		if (strcasecmp(key, "boundary") != 0)
			continue;
		if (val[0] == '\0' || strlen(val) >= len ||
		    strlen(val) > OSB_MULTIPART_MAX_BOUNDARY)
			return -1;
		strlcpy(buf, val, len);
		return 0;
	}
	return -1;
}

/* A parser waiting for the first delimiter; NULL when out of memory. */
struct osb_multipart *
osb_multipart_new(const char *boundary,
    const struct osb_multipart_callbacks *cb, void *arg)
{
	struct osb_multipart *mp;
	size_t blen = strlen(boundary);

	if (blen == 0 || blen > OSB_MULTIPART_MAX_BOUNDARY)
		return NULL;
	if ((mp = calloc(1, sizeof(*mp))) == NULL)
		return NULL;
	if ((mp->hdr = malloc(OSB_MULTIPART_MAX_HEADERS)) == NULL) {
		free(mp);
		return NULL;
	}
	mp->cb = *cb;
	mp->arg = arg;
	memcpy(mp->delim, "\r\n--", 4);
	memcpy(mp->delim + 4, boundary, blen);
	mp->dlen = 4 + blen;
	/* The CRLF the first delimiter lacks when there is no preamble. */
	memcpy(mp->held, "\r\n", 2);
	mp->held_len = 2;
	mp->state = S_PREAMBLE;
	return mp;
}

/* Release the parser (NULL is fine). */
void
osb_multipart_free(struct osb_multipart *mp)
{
	if (mp == NULL)
		return;
	free(mp->hdr);
	free(mp);
}

/* The reason for the first error, or "". */
const char *
osb_multipart_error(const struct osb_multipart *mp)
{
	return mp->error;
}

/* Nonzero once the closing delimiter went by. */
int
osb_multipart_complete(const struct osb_multipart *mp)
{
	return mp->state == S_EPILOGUE;
}

/* Hand body bytes on (preamble bytes are dropped). Returns 0 or an error. */
static int
emit(struct osb_multipart *mp, const char *data, size_t len)
{
	if (mp->state != S_BODY || len == 0)
		return 0;
	if (mp->cb.part_data && mp->cb.part_data(mp->arg, data, len) != 0)
		return stopped(mp);
	return 0;
}

/*
 * The length of the longest tail of buf that is a proper prefix of the
 * delimiter: bytes that might be completed by the next piece.
 */
static size_t
partial_tail(const struct osb_multipart *mp, const char *buf, size_t len)
{
	size_t from = len > mp->dlen - 1 ? len - (mp->dlen - 1) : 0;
	const char *p = buf + from, *end = buf + len;

	while ((p = memchr(p, '\r', (size_t)(end - p))) != NULL) {
		if (memcmp(p, mp->delim, (size_t)(end - p)) == 0)
			return (size_t)(end - p);
		p++;
	}
	return 0;
}

/* The delimiter was found: the part (if any) ends. Returns 0 or an error. */
static int
delimiter_found(struct osb_multipart *mp)
{
	if (mp->state == S_BODY && mp->cb.part_end && mp->cb.part_end(mp->arg))
		return stopped(mp);
	mp->state = S_AFTER_DELIM;
	return 0;
}

/*
 * Hand on what comes in buf before hit, the delimiter, and end the part;
 * without one, all but a tail that may begin a delimiter, which is held
 * back. Returns how much of buf is done with: up to the end of the
 * delimiter, or all of it.
 */
static size_t
settle(struct osb_multipart *mp, const char *buf, size_t len,
    const char *hit)
{
	size_t at, keep;

	if (hit != NULL) {
		at = (size_t)(hit - buf);
		if (emit(mp, buf, at) == 0)
			delimiter_found(mp);
		return at + mp->dlen;
	}
	keep = partial_tail(mp, buf, len);
	if (emit(mp, buf, len - keep) == 0) {
		memcpy(mp->held, buf + len - keep, keep);
		mp->held_len = keep;
	}
	return len;
}

/*
 * Settle the held-back lookahead against the start of data. Returns the
 * bytes of data used (all of it when it was too short to decide), with
 * held_len 0 unless all of data went into the lookahead.
 */
static size_t
scan_held(struct osb_multipart *mp, const char *data, size_t len)
{
	char win[2 * DELIM_MAX];
	size_t take = len < mp->dlen - 1 ? len : mp->dlen - 1;
	size_t held = mp->held_len, wlen = held + take;
	const char *hit;

	memcpy(win, mp->held, held);
	memcpy(win + held, data, take);
	hit = memmem(win, wlen, mp->delim, mp->dlen);
	mp->held_len = 0;
	if (hit == NULL && take < len) {
		/* take covers any delimiter starting in held: none does. */
		emit(mp, win, held);
		return 0;
	}
	/* A delimiter found starts within held: take holds all of it. */
	return settle(mp, win, wlen, hit) - held;
}

/* S_PREAMBLE and S_BODY: look for the delimiter. Returns bytes used. */
static size_t
scan(struct osb_multipart *mp, const char *data, size_t len)
{
	if (mp->held_len > 0)
		return scan_held(mp, data, len);
	return settle(mp, data, len, memmem(data, len, mp->delim, mp->dlen));
}

/* The few bytes after a delimiter, one at a time. Returns 1 (used). */
static size_t
after_delimiter(struct osb_multipart *mp, char c)
{
	switch (mp->state) {
	case S_AFTER_DELIM:
		if (c == '-')
			mp->state = S_DASH;
		else if (c == '\r')
			mp->state = S_CR;
		else if (c == ' ' || c == '\t')
			mp->state = S_PADDING;
		else
			fail(mp, OSB_MULTIPART_BAD, "junk after a boundary");
		break;
	case S_DASH:
		if (c == '-')
			mp->state = S_EPILOGUE;
		else
			fail(mp, OSB_MULTIPART_BAD, "junk after a boundary");
		break;
	case S_PADDING:
		if (c == '\r')
			mp->state = S_CR;
		else if (c != ' ' && c != '\t')
			fail(mp, OSB_MULTIPART_BAD, "junk after a boundary");
		break;
	default:	/* S_CR */
		if (c == '\n') {
			mp->state = S_HEADERS;
			mp->hdr_len = 0;
		} else
			fail(mp, OSB_MULTIPART_BAD,
			    "boundary not followed by CRLF");
	}
	return 1;
}

/* The value when line is header name (any case), else NULL. */
static char *
header_value(char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

/* Fill part from a Content-Disposition value. */
static void
parse_disposition(struct osb_multipart_part *part, const char *v)
{
	char key[32], val[sizeof(part->filename)];

	v += strcspn(v, ";");	/* skip "form-data" */
	while (next_param(&v, key, sizeof(key), val, sizeof(val))) {
		if (strcasecmp(key, "name") == 0)
			strlcpy(part->name, val, sizeof(part->name));
		else if (strcasecmp(key, "filename") == 0) {
			strlcpy(part->filename, val, sizeof(part->filename));
			part->has_filename = 1;
		}
	}
}

/* The header block is complete: parse it and start the part. */
static int
begin_part(struct osb_multipart *mp)
{
	struct osb_multipart_part part;
	char *line, *next, *end, *v;

	memset(&part, 0, sizeof(part));
	mp->hdr[mp->hdr_len] = '\0';
	for (line = mp->hdr; *line; line = next) {
		if ((end = strstr(line, "\r\n")) == NULL)
			break;
		*end = '\0';
		next = end + 2;
		for (v = end; v > line && (v[-1] == ' ' || v[-1] == '\t'); v--)
			v[-1] = '\0';
		if ((v = header_value(line, "Content-Disposition")))
			parse_disposition(&part, v);
		else if ((v = header_value(line, "Content-Type")))
			strlcpy(part.content_type, v,
			    sizeof(part.content_type));
	}
	mp->state = S_BODY;
	if (mp->cb.part_begin && mp->cb.part_begin(mp->arg, &part) != 0)
		return stopped(mp);
	return 0;
}

/*
 * S_HEADERS: collect the header block up to the empty line. Returns the
 * bytes used.
 */
static size_t
collect_headers(struct osb_multipart *mp, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		/* Keep one byte for the NUL begin_part adds. */
		if (mp->hdr_len + 1 >= OSB_MULTIPART_MAX_HEADERS) {
			fail(mp, OSB_MULTIPART_TOO_BIG,
			    "part headers too large");
			return len;
		}
		mp->hdr[mp->hdr_len++] = data[i];
		if (data[i] != '\n')
			continue;
		if (mp->hdr_len < 2 || mp->hdr[mp->hdr_len - 2] != '\r') {
			fail(mp, OSB_MULTIPART_BAD,
			    "part header line without CRLF");
			return len;
		}
		if (mp->hdr_len == 2 || (mp->hdr_len >= 4 &&
		    memcmp(mp->hdr + mp->hdr_len - 4, "\r\n\r\n", 4) == 0)) {
			mp->hdr_len -= 2;	/* keep each line's own CRLF */
			begin_part(mp);
			return i + 1;
		}
	}
	return len;
}

/* Run the state machine over the next piece; returns the status. */
int
osb_multipart_feed(struct osb_multipart *mp, const char *data, size_t len)
{
	size_t used;

	while (len > 0 && mp->state != S_FAILED) {
		switch (mp->state) {
		case S_PREAMBLE:
		case S_BODY:
			used = scan(mp, data, len);
			break;
		case S_HEADERS:
			used = collect_headers(mp, data, len);
			break;
		case S_EPILOGUE:
			used = len;
			break;
		default:
			used = after_delimiter(mp, *data);
		}
		data += used;
		len -= used;
	}
	return mp->status;
}

/* The end of the body: anything short of the closing delimiter is bad. */
int
osb_multipart_finish(struct osb_multipart *mp)
{
	if (mp->state == S_FAILED || mp->state == S_EPILOGUE)
		return mp->status;
	return fail(mp, OSB_MULTIPART_BAD, mp->state == S_PREAMBLE ?
	    "no multipart boundary in the body" :
	    "body ended before the closing boundary");
}

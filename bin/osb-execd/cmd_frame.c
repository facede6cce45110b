/*
 * cmd_frame.c — a child's output bytes as stdout/stderr events. The Go
 * execd sends one event per line (its readFromPos): the terminator
 * removed, "\n", "\r" and "\r\n" each ending a line, an empty line as the
 * text "\n", the unterminated tail when the command ends; the SDKs rely on
 * that. Clients that want the bytes back exactly ask for raw framing, an
 * extension: events as the bytes come, cut anywhere but inside a UTF-8
 * sequence, and where they are not UTF-8 the bytes themselves in base64
 * ("osb_bytes") beside the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "command.h"

/*
 * The length of the UTF-8 sequence at p (n bytes there): > 0 when valid,
 * 0 when it is cut short by the end of the data, -1 when invalid.
 */
static int
utf8_sequence(const unsigned char *p, size_t n)
{
	uint32_t cp, min;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2, cp = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3, cp = p[0] & 0x0f, min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4, cp = p[0] & 0x07, min = 0x10000;
	} else
		return -1;
	for (i = 1; i < len; i++) {
		if (i >= n)
			return 0;
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	return (int)len;
}

/*
 * Copy src to dst (room for 3 bytes per source byte) as valid UTF-8.
 * Returns the bytes written; *used is how much of src went, the rest is
 * the start of a sequence cut short (only when !flush).
 */
static size_t
utf8_clean(const unsigned char *src, size_t n, char *dst, int flush,
    size_t *used)
{
	size_t i = 0, o = 0;
	int len;

	while (i < n) {
		len = utf8_sequence(src + i, n - i);
		if (len == 0 && !flush)
			break;
		if (len <= 0) {
			memcpy(dst + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(dst + o, src + i, (size_t)len);
		o += (size_t)len;
		i += (size_t)len;
	}
	*used = i;
	return o;
}

/*
 * The bytes of an event as "osb_bytes" (base64), for a client that wants
 * them exactly: text has U+FFFD where they were not UTF-8.
 */
static void
add_bytes(json_t *ev, const unsigned char *src, size_t n)
{
	char *b64;

	if (ev == NULL || (b64 = malloc(OSB_BASE64_LEN(n))) == NULL)
		return;
	osb_base64_encode(src, n, b64);
	json_object_set_new(ev, "osb_bytes", json_string(b64));
	free(b64);
}

/*
 * A TYPE event of n bytes at src as UTF-8; with !flush an incomplete
 * sequence at the end is left out, *used says how much went; with exact,
 * bytes that are not UTF-8 go in osb_bytes too. NULL when there is
 * nothing to send (or no memory).
 */
static json_t *
text_event(const char *type, const unsigned char *src, size_t n, int flush,
    int exact, size_t *used)
{
	char *clean;
	size_t out;
	json_t *ev = NULL;

	*used = 0;
	if (n == 0 || (clean = malloc(n * 3)) == NULL)
		return NULL;
	if ((out = utf8_clean(src, n, clean, flush, used)) > 0)
		ev = json_pack("{s:s, s:s%}", "type", type, "text", clean,
		    out);
	if (exact && (out != *used || memcmp(clean, src, out) != 0))
		add_bytes(ev, src, *used);
	free(clean);
	return ev;
}

/* Append n bytes to the frame's pending data; -1 when out of memory. */
static int
frame_append(struct out_frame *f, const char *data, size_t n)
{
	size_t cap;
	char *p;

	if (f->len + n > f->cap) {
		cap = f->cap ? f->cap : 256;
		while (cap < f->len + n)
			cap *= 2;
		if ((p = realloc(f->buf, cap)) == NULL)
			return -1;
		f->buf = p;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, data, n);
	f->len += n;
	return 0;
}

/* Raw framing: what is pending, up to a cut-short UTF-8 sequence. */
static void
frame_raw(struct out_frame *f, const char *type, struct evq *q, int flush)
{
	size_t used;

	evq_push(q, text_event(type, (unsigned char *)f->buf, f->len, flush,
	    1, &used));
	memmove(f->buf, f->buf + used, f->len - used);
	f->len -= used;
}

/*
 * Line framing: every complete line pending (no terminator before from:
 * those were taken already); the tail too when flush, or when it has grown
 * to CMD_LINE_MAX, so that a command writing no newline cannot take all
 * memory.
 */
static void
frame_lines(struct out_frame *f, const char *type, struct evq *q,
    size_t from, int flush)
{
	size_t start = 0, i, used;
	char b;

	for (i = from; i < f->len; i++) {
		b = f->buf[i];
		if (b != '\n' && b != '\r')
			continue;
		if (i > start)
			evq_push(q, text_event(type, (unsigned char *)f->buf +
			    start, i - start, 1, 0, &used));
		else if (!(b == '\n' && f->cr))
			evq_push(q, json_pack("{s:s, s:s}", "type", type,
			    "text", "\n"));
		f->cr = b == '\r';
		start = i + 1;
	}
	if (start < f->len)
		f->cr = 0;
	if (start < f->len && (flush || f->len - start >= CMD_LINE_MAX)) {
		evq_push(q, text_event(type, (unsigned char *)f->buf + start,
		    f->len - start, 1, 0, &used));
		start = f->len;
	}
	memmove(f->buf, f->buf + start, f->len - start);
	f->len -= start;
}

/* Queue n bytes of output as events; see command.h. */
void
cmd_frame_output(struct out_frame *f, const char *type, struct evq *q,
    const char *data, size_t n, int flush)
{
	size_t from = f->len;

	if (q == NULL) {
		cmd_frame_reset(f);
		return;
	}
	/* Nothing pending; or no memory: this piece is lost, not all. */
	if ((n == 0 && f->len == 0) || (n > 0 &&
	    frame_append(f, data, n) == -1)) {
		if (flush)
			cmd_frame_reset(f);
		return;
	}
	if (f->raw)
		frame_raw(f, type, q, flush);
	else
		frame_lines(f, type, q, from, flush);
	if (flush)
		cmd_frame_reset(f);
}

/* Forget what is pending and give its memory back. */
void
cmd_frame_reset(struct out_frame *f)
{
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
	f->cr = 0;
}

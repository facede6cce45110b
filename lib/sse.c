/*
 * sse.c — Server-Sent Events, parsed as the HTML standard says, plus the
 * bare-JSON framing of the Go execd (a line starting with '{' is taken as
 * a data line).
 */
#include <stdio.h>
#include <string.h>

#include "sse.h"

/* A parser handing events to handler. */
void
osb_sse_init(struct osb_sse *p, osb_sse_handler handler, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->handler = handler;
	p->arg = arg;
	p->retry = -1;
}

/* Release the parser's buffers. */
void
osb_sse_free(struct osb_sse *p)
{
	osb_buf_free(&p->line);
	osb_buf_free(&p->data);
}

/* Append n bytes of v to b; -1 when out of memory or past the limit. */
static int
add(struct osb_buf *b, const char *v, size_t n)
{
	if (b->len + n + 1 > OSB_SSE_MAX_LINE)
		return -1;
	return osb_buf_append(b, v, n);
}

/* Blank line: hand over the event if it has data, then start afresh. */
static int
dispatch(struct osb_sse *p)
{
	struct osb_sse_event ev;
	int rc = 0;

	if (p->has_data) {
		/* Each data line added "\n"; the last one is not data. */
		if (p->data.len > 0)
			p->data.len--;
		p->data.data[p->data.len] = '\0';
		ev.type = p->type;
		ev.id = p->id;
		ev.data = p->data.data;
		ev.len = p->data.len;
		rc = p->handler(&ev, p->arg);
	}
	p->data.len = 0;
	p->has_data = 0;
	p->type[0] = '\0';
	return rc;
}

/* A data line: its value and a "\n" onto the event's data. */
static int
add_data(struct osb_sse *p, const char *v, size_t n)
{
	if (add(&p->data, v, n) < 0 || add(&p->data, "\n", 1) < 0)
		return -1;
	p->has_data = 1;
	return 0;
}

/* retry: only all-digit values count. */
static void
set_retry(struct osb_sse *p, const char *v, size_t n)
{
	long ms = 0;
	size_t i;

	if (n == 0 || n > 9)
		return;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return;
		ms = ms * 10 + (v[i] - '0');
	}
	p->retry = ms;
}

/* One complete line (without its end). */
static int
process_line(struct osb_sse *p, const char *l, size_t n)
{
	const char *colon, *v;
	size_t fn, vn;

	if (n == 0)
		return dispatch(p);
	if (l[0] == ':')
		return 0;
	if (l[0] == '{')
		return add_data(p, l, n);
	colon = memchr(l, ':', n);
	fn = colon ? (size_t)(colon - l) : n;
	v = colon ? colon + 1 : l + n;
	vn = n - (size_t)(v - l);
	if (vn > 0 && *v == ' ') {
		v++;
		vn--;
	}
	if (fn == 4 && memcmp(l, "data", 4) == 0)
		return add_data(p, v, vn);
	if (fn == 5 && memcmp(l, "event", 5) == 0)
		snprintf(p->type, sizeof(p->type), "%.*s", (int)vn, v);
	else if (fn == 2 && memcmp(l, "id", 2) == 0 && !memchr(v, '\0', vn))
		snprintf(p->id, sizeof(p->id), "%.*s", (int)vn, v);
	else if (fn == 5 && memcmp(l, "retry", 5) == 0)
		set_retry(p, v, vn);
	return 0;
}

/* Parse the next len bytes, in any pieces. */
int
osb_sse_feed(struct osb_sse *p, const char *buf, size_t len)
{
	const char *end = buf + len, *nl;
	size_t n;

	while (buf < end) {
		if (p->after_cr) {
			p->after_cr = 0;
			if (*buf == '\n') {
				buf++;
				continue;
			}
		}
		for (nl = buf; nl < end && *nl != '\n' && *nl != '\r'; nl++)
			;
		n = (size_t)(nl - buf);
		if (add(&p->line, buf, n) < 0)
			return -1;
		if (nl == end)
			break;
		p->after_cr = *nl == '\r';
		buf = nl + 1;
		n = p->line.len;
		p->line.len = 0;
		if (process_line(p, p->line.data, n) == -1)
			return -1;
	}
	return 0;
}

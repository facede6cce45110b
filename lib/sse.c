/*
 * sse.c — Server-Sent Events, parsed as the HTML standard says, plus the
 * bare-JSON framing of the Go execd (a line starting with '{' is taken as
 * a data line).
 */
#include <stdlib.h>
#include <string.h>

#include "sse.h"

void
osb_sse_init(struct osb_sse *p, osb_sse_handler handler, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->handler = handler;
	p->arg = arg;
	p->retry = -1;
}

void
osb_sse_free(struct osb_sse *p)
{
	free(p->line);
	free(p->data);
	p->line = p->data = NULL;
	p->line_len = p->line_cap = p->data_len = p->data_cap = 0;
}

/*
 * Make room for need more bytes (and a NUL) in *buf. Returns 0, -1 when out
 * of memory or past the line limit.
 */
static int
reserve(char **buf, size_t *cap, size_t len, size_t need)
{
	size_t ncap;
	char *grown;

	if (len + need + 1 <= *cap)
		return 0;
	if (len + need + 1 > OSB_SSE_MAX_LINE)
		return -1;
	for (ncap = *cap ? *cap : 256; ncap < len + need + 1; ncap *= 2)
		;
	if ((grown = realloc(*buf, ncap)) == NULL)
		return -1;
	*buf = grown;
	*cap = ncap;
	return 0;
}

/* Blank line: hand over the event if it has data, then start afresh. */
static int
dispatch(struct osb_sse *p)
{
	struct osb_sse_event ev;
	int rc = 0;

	if (p->has_data) {
		/* Each data line added "\n"; the last one is not data. */
		if (p->data_len > 0)
			p->data_len--;
		p->data[p->data_len] = '\0';
		ev.type = p->type;
		ev.id = p->id;
		ev.data = p->data;
		ev.len = p->data_len;
		rc = p->handler(&ev, p->arg);
	}
	p->data_len = 0;
	p->has_data = 0;
	p->type[0] = '\0';
	return rc;
}

/* A data line: its value and a "\n" onto the event's data. */
static int
add_data(struct osb_sse *p, const char *v, size_t n)
{
	if (reserve(&p->data, &p->data_cap, p->data_len, n + 1) == -1)
		return -1;
	memcpy(p->data + p->data_len, v, n);
	p->data_len += n;
	p->data[p->data_len++] = '\n';
	p->data[p->data_len] = '\0';
	p->has_data = 1;
	return 0;
}

/* Copy a field value into a fixed buffer, cut short if it must be. */
static void
set_field(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
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
		set_field(p->type, sizeof(p->type), v, vn);
	else if (fn == 2 && memcmp(l, "id", 2) == 0 && !memchr(v, '\0', vn))
		set_field(p->id, sizeof(p->id), v, vn);
	else if (fn == 5 && memcmp(l, "retry", 5) == 0)
		set_retry(p, v, vn);
	return 0;
}

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
		if (reserve(&p->line, &p->line_cap, p->line_len, n) == -1)
			return -1;
		memcpy(p->line + p->line_len, buf, n);
		p->line_len += n;
		if (nl == end)
			break;
		p->after_cr = *nl == '\r';
		buf = nl + 1;
		n = p->line_len;
		p->line_len = 0;
		if (process_line(p, p->line, n) == -1)
			return -1;
	}
	return 0;
}

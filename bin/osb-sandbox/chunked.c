/*
 * chunked.c — a chunked body decoded step by step (see chunked.h).
 */
#include <string.h>

#include "chunked.h"

void
chunked_init(struct chunked *c)
{
	c->state = CHUNKED_SIZE;
	c->left = 0;
}

/* The value of hex digit ch, or -1. */
static int
hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * A size line (len bytes, no line end) into *size: hex digits, then
 * nothing or an extension after ';' (spaces and tabs may come first).
 * No sign, no "0x", no overflow. Returns 0, or -1.
 */
static int
size_line(const char *line, size_t len, uint64_t *size)
{
	size_t i;
	int d;

	*size = 0;
	for (i = 0; i < len && (d = hex_value(line[i])) >= 0; i++) {
		if (*size >> 60)
			return -1;
		*size = *size << 4 | (uint64_t)d;
	}
	if (i == 0)
		return -1;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i == len || line[i] == ';' ? 0 : -1;
}

/* One framing line: the size, the CRLF after data, or a trailer line.
 * 0 when the line is not all in yet, 1 after a step, -1 when bad. */
static int
take_line(struct chunked *c, const char *in, size_t len, size_t *used)
{
	const char *nl = memchr(in, '\n', len);
	size_t n;

	if (nl == NULL)
		return len > CHUNKED_MAX_LINE ? -1 : 0;
	n = (size_t)(nl - in);
	*used = n + 1;
	if (n > 0 && in[n - 1] == '\r')
		n--;
	if (n > CHUNKED_MAX_LINE)
		return -1;
	switch (c->state) {
	case CHUNKED_SIZE:
		if (size_line(in, n, &c->left) < 0)
			return -1;
		c->state = c->left ? CHUNKED_DATA : CHUNKED_TRAILER;
		return 1;
	case CHUNKED_CRLF:
		if (n != 0)
			return -1;
		c->state = CHUNKED_SIZE;
		return 1;
	default:
		if (n == 0)
			c->state = CHUNKED_END;
		return 1;
	}
}

ssize_t
chunked_decode(struct chunked *c, const char *in, size_t len, size_t *used,
    char *out, size_t max)
{
	size_t step, n;
	int rc;

	*used = 0;
	for (;;) {
		switch (c->state) {
		case CHUNKED_END:
			return 0;
		case CHUNKED_DATA:
			n = len - *used;
			if (n > max)
				n = max;
			if (n > c->left)
				n = (size_t)c->left;
			if (n == 0)
				return 0;
			memcpy(out, in + *used, n);
			*used += n;
			if ((c->left -= n) == 0)
				c->state = CHUNKED_CRLF;
			return (ssize_t)n;
		default:
			step = 0;
			rc = take_line(c, in + *used, len - *used, &step);
			if (rc <= 0)
				return rc;
			*used += step;
		}
	}
}

/* util.c — durations, shell quoting, whole writes, UTF-8. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/*
 * Units in the order they are tried ("ms" before "m", so that it is not
 * read as minutes then seconds), with rank the order they must appear in.
 */
static const struct {
	const char *name;
	int64_t ms;
	int rank;
} units[] = {
	{ "ms", 1, 3 }, { "h", 3600000, 0 }, { "m", 60000, 1 }, { "s", 1000, 2 },
};

/*
 * Read the unit at *p. Returns its index in units and moves *p past it,
 * or -1.
 */
static int
read_unit(const char **p)
{
	size_t i, n;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		n = strlen(units[i].name);
		if (strncmp(*p, units[i].name, n) == 0) {
			*p += n;
			return (int)i;
		}
	}
	return -1;
}

/* Read decimal digits at *p into *n. Returns 0, -1 on none or overflow. */
static int
read_number(const char **p, int64_t *n)
{
	if (!isdigit((unsigned char)**p))
		return -1;
	for (*n = 0; isdigit((unsigned char)**p); (*p)++) {
		if (*n > (INT64_MAX / 3600000 - 9) / 10)
			return -1;
		*n = *n * 10 + (**p - '0');
	}
	return 0;
}

int
osb_duration_parse(const char *s, int64_t *ms)
{
	const char *p = s;
	int64_t n, total = 0;
	int u, rank = -1;

	if (strcasecmp(s, "none") == 0) {
		*ms = OSB_DURATION_NONE;
		return 0;
	}
	if (read_number(&p, &n) == -1)
		return -1;
	if (*p == '\0') {
		*ms = n * 1000;
		return 0;
	}
	for (;;) {
		if ((u = read_unit(&p)) == -1 || units[u].rank <= rank)
			return -1;
		rank = units[u].rank;
		total += n * units[u].ms;
		if (total > INT64_MAX / 2)
			return -1;
		if (*p == '\0')
			break;
		if (read_number(&p, &n) == -1)
			return -1;
	}
	*ms = total;
	return 0;
}

/* Can word w stand in a command line without quotes? */
static int
shell_safe(const char *w)
{
	if (*w == '\0')
		return 0;
	for (; *w != '\0'; w++)
		if (!isalnum((unsigned char)*w) && strchr("_@%+=:,./-", *w) == NULL)
			return 0;
	return 1;
}

char *
osb_shell_join(int argc, char *const argv[])
{
	size_t len = 1;
	char *out, *o;
	const char *c;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	if ((out = o = malloc(len)) == NULL)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i > 0)
			*o++ = ' ';
		if (shell_safe(argv[i])) {
			o = stpcpy(o, argv[i]);
			continue;
		}
		/* Inside '...' only ' itself needs care: end, \', reopen. */
		*o++ = '\'';
		for (c = argv[i]; *c != '\0'; c++) {
			if (*c == '\'')
				o = stpcpy(o, "'\\''");
			else
				*o++ = *c;
		}
		*o++ = '\'';
	}
	*o = '\0';
	return out;
}

int
osb_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void
osb_hold_std_fds(void)
{
	int fd;

	/* In order: open() takes the lowest free number, this one. */
	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) != fd)
			return;
}

/*
 * The length of the UTF-8 sequence at s (at most n bytes), 0 when s does
 * not start one: no overlong forms, no surrogates, nothing past U+10FFFF
 * (what jansson accepts in a string).
 */
static size_t
utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* The second byte carries the range checks. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

int
osb_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), step;

	for (; n > 0; p += step, n -= step)
		if ((step = utf8_sequence(p, n)) == 0)
			return 0;
	return 1;
}

char *
osb_utf8_repair(const char *s, size_t len, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out, *o;
	size_t step;

	/* U+FFFD is three bytes for the one it replaces. */
	if (len > (SIZE_MAX - 1) / 3 || (out = o = malloc(len * 3 + 1)) == NULL)
		return NULL;
	while (len > 0) {
		if ((step = utf8_sequence(p, len)) == 0) {
			o = stpcpy(o, "\xef\xbf\xbd");
			step = 1;
		} else {
			memcpy(o, p, step);
			o += step;
		}
		p += step;
		len -= step;
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

/*
 * toml.c — a line reader for the subset of TOML the config file uses, and
 * TOML strings for writing it.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

int
osb_toml_error(struct osb_error *err, const struct osb_toml_pos *pos,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pos->path != NULL)
		osb_error_set(err, 0, "", "%s:%d: %s", pos->path, pos->line,
		    msg);
	else
		osb_error_set(err, 0, "", "%s", msg);
	return -1;
}

/* May c be part of a bare key? */
static int
is_bare(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/* p past spaces and tabs. */
static const char *
skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Only blanks and a comment may follow a value or a header. */
static int
line_rest_ok(const char *p)
{
	p = skip_blank(p);
	return *p == '\0' || *p == '#' || *p == '\n' || (*p == '\r' && p[1] == '\n');
}

/*
 * A bare key, or a section name (dots allowed: [a.b]), at *p into buf.
 * Returns 0 and moves *p past it, -1 when there is none or it does not fit.
 */
static int
read_key(const char **p, char *buf, size_t len, int dots)
{
	size_t n = 0;

	while (is_bare((unsigned char)(*p)[n]) || (dots && (*p)[n] == '.'))
		n++;
	if (n == 0 || n >= len)
		return -1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p += n;
	return 0;
}

/* The character a basic-string escape stands for, or -1. */
static int
unescape(int c)
{
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'b': return '\b';
	case 'f': return '\f';
	case '"': return '"';
	case '\\': return '\\';
	}
	return -1;
}

/* Code point cp as UTF-8 at *out, which moves past it. */
static void
put_utf8(unsigned char **out, unsigned long cp)
{
	unsigned char *o = *out;

	if (cp < 0x80) {
		*o++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*o++ = (unsigned char)(0xc0 | cp >> 6);
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (unsigned char)(0xe0 | cp >> 12);
		*o++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (unsigned char)(0xf0 | cp >> 18);
		*o++ = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*out = o;
}

/*
 * A \uXXXX or \UXXXXXXXX escape at *s (at the u): the code point, UTF-8
 * encoded, at *o. Returns 0 with both moved past, -1 when it is not one.
 */
static int
unicode_escape(const char **s, char **o)
{
	int digits = **s == 'u' ? 4 : 8, i;
	unsigned long cp = 0;
	const char *h = *s + 1;

	for (i = 0; i < digits; i++, h++) {
		if (!isxdigit((unsigned char)*h))
			return -1;
		cp = cp * 16 + (unsigned long)(isdigit((unsigned char)*h) ?
		    *h - '0' : tolower((unsigned char)*h) - 'a' + 10);
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	put_utf8((unsigned char **)o, cp);
	*s = h - 1;
	return 0;
}

/*
 * A quoted string at *p (after the opening quote q): '...' taken as it is,
 * "..." with the common escapes. Returns 0 with v filled and *p past the
 * closing quote, -1 with err set.
 */
static int
read_string(const char **p, char q, struct osb_toml_value *v,
    const struct osb_toml_pos *pos, struct osb_error *err)
{
	const char *s = *p;
	char *o;
	int c;

	if (s[0] == q && s[1] == q)
		return osb_toml_error(err, pos,
		    "multi-line strings are not supported");
	if ((v->s = o = malloc(strlen(s) + 1)) == NULL)
		return osb_toml_error(err, pos, "out of memory");
	v->type = OSB_TOML_STRING;
	for (; *s != q; s++) {
		if (*s == '\0' || *s == '\n')
			return osb_toml_error(err, pos, "unterminated string");
		if (q == '"' && *s == '\\' && (s[1] == 'u' || s[1] == 'U')) {
			s++;
			if (unicode_escape(&s, &o) == -1)
				return osb_toml_error(err, pos, "bad unicode "
				    "escape '\\%c...' (\\uXXXX or \\UXXXXXXXX)",
				    *s);
		} else if (q == '"' && *s == '\\') {
			if ((c = unescape((unsigned char)*++s)) == -1)
				return osb_toml_error(err, pos,
				    "unsupported escape '\\%c'", *s ? *s : ' ');
			*o++ = (char)c;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	*p = s + 1;
	return 0;
}

/* The complaint about a value of a type the reader does not know. */
static int
unsupported_value(struct osb_error *err, const struct osb_toml_pos *pos)
{
	return osb_toml_error(err, pos, "unsupported value (expected a "
	    "\"string\", a number, true or false)");
}

/*
 * A float ("2.5", "-1e3", "1_000.5") at *p. Returns 0 with v filled and
 * *p past it, -1 with err set.
 */
static int
read_float(const char **p, struct osb_toml_value *v,
    const struct osb_toml_pos *pos, struct osb_error *err)
{
	const char *s = *p;
	char buf[64], *end;
	size_t n = 0;

	for (; isdigit((unsigned char)*s) || (*s != '\0' &&
	    strchr("+-._eE", *s) != NULL); s++) {
		if (n + 1 >= sizeof(buf))
			return unsupported_value(err, pos);
		if (*s != '_')
			buf[n++] = *s;
	}
	buf[n] = '\0';
	v->f = strtod(buf, &end);
	if (n == 0 || *end != '\0' || is_bare((unsigned char)*s))
		return unsupported_value(err, pos);
	v->type = OSB_TOML_FLOAT;
	*p = s;
	return 0;
}

/*
 * An integer ("30", "-1", "1_000"), float or boolean at *p. Returns 0
 * with v filled and *p past it, -1 with err set.
 */
static int
read_scalar(const char **p, struct osb_toml_value *v,
    const struct osb_toml_pos *pos, struct osb_error *err)
{
	const char *s = *p;
	long long n = 0;
	int neg = 0, digits = 0;

	if (strncmp(s, "true", 4) == 0 || strncmp(s, "false", 5) == 0) {
		v->type = OSB_TOML_BOOL;
		v->i = *s == 't';
		*p = s + (*s == 't' ? 4 : 5);
		return 0;
	}
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s) || (*s == '_' && digits); s++) {
		if (*s == '_')
			continue;
		if (n > (LLONG_MAX - 9) / 10)
			return osb_toml_error(err, pos, "number too large");
		n = n * 10 + (*s - '0');
		digits++;
	}
	if (digits > 0 && (*s == '.' || *s == 'e' || *s == 'E'))
		return read_float(p, v, pos, err);
	if (digits == 0 || is_bare((unsigned char)*s) || *s == '.')
		return unsupported_value(err, pos);
	v->type = OSB_TOML_INT;
	v->i = neg ? -n : n;
	*p = s;
	return 0;
}

/* The value at *p: a quoted string, a number or a boolean. */
static int
read_value(const char **p, struct osb_toml_value *v,
    const struct osb_toml_pos *pos, struct osb_error *err)
{
	if (**p == '"' || **p == '\'') {
		(*p)++;
		return read_string(p, (*p)[-1], v, pos, err);
	}
	return read_scalar(p, v, pos, err);
}

/* The rest of a "[name]" line, at p (past the '['), into l. */
static int
read_section(const char *p, struct osb_toml_line *l,
    const struct osb_toml_pos *pos, struct osb_error *err)
{
	p = skip_blank(p);
	if (read_key(&p, l->name, sizeof(l->name), 1) == -1 ||
	    *(p = skip_blank(p)) != ']' || !line_rest_ok(p + 1))
		return osb_toml_error(err, pos, "bad section header");
	l->kind = OSB_TOML_SECTION;
	return 0;
}

int
osb_toml_read_line(const char *text, struct osb_toml_line *l,
    const struct osb_toml_pos *pos, struct osb_error *err)
{
	const char *p = skip_blank(text);

	memset(l, 0, sizeof(*l));
	if (line_rest_ok(p))
		return 0;
	if (*p == '[')
		return read_section(p + 1, l, pos, err);
	if (read_key(&p, l->name, sizeof(l->name), 0) == -1 ||
	    *(p = skip_blank(p)) != '=')
		return osb_toml_error(err, pos, "expected key = value");
	p = skip_blank(p + 1);
	l->value_start = (size_t)(p - text);
	if (read_value(&p, &l->value, pos, err) == -1)
		goto fail;
	l->value_end = (size_t)(p - text);
	if (!line_rest_ok(p)) {
		osb_toml_error(err, pos, "unexpected text after the value");
		goto fail;
	}
	l->kind = OSB_TOML_KEY;
	return 0;
fail:
	osb_toml_line_free(l);
	return -1;
}

void
osb_toml_line_free(struct osb_toml_line *l)
{
	free(l->value.s);
	l->value.s = NULL;
}

char *
osb_toml_quote(const char *s)
{
	/* At most 6 bytes per byte (\u00XX), the quotes and the NUL. */
	char *q = malloc(strlen(s) * 6 + 3), *o = q;
	unsigned char c;

	if (q == NULL)
		return NULL;
	*o++ = '"';
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c == '\n' || c == '\t' || c == '\r' || c == '\b' ||
		    c == '\f') {
			*o++ = '\\';
			*o++ = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ?
			    'r' : c == '\b' ? 'b' : 'f';
		} else if (c < 0x20 || c == 0x7f) {
			o += sprintf(o, "\\u%04x", c);
		} else {
			*o++ = (char)c;
		}
	}
	*o++ = '"';
	*o = '\0';
	return q;
}

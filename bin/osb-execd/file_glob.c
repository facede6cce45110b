/*
 * file_glob.c — doublestar glob matching.
 *
 * Alternatives are expanded once, when the pattern is compiled, into a
 * list of plain patterns; each is matched with one backtracking point for
 * the last "*" and one for the last "**", which keeps matching linear in
 * practice however many stars a pattern has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_glob.h"

/* Expanding "{a,b}{c,d}..." doubles each time: refuse past this. */
#define MAX_ALTERNATIVES 1024
/*
 * Expanding braces and matching "!(" groups recurse once per group, on a
 * connection thread's small stack: refuse more groups than this.
 */
#define MAX_GROUPS 64

struct file_glob {
	char **alt;		/* the pattern with its braces expanded */
	size_t n;
	int has_slash;
};

/* Index of the ']' closing the class that opens at p[0], or 0. */
static size_t
class_end(const char *p)
{
	size_t i = 1;

	if (p[i] == '!' || p[i] == '^')
		i++;
	if (p[i] == ']' || p[i] == '\0')
		return 0;	/* an empty class, or none */
	for (; p[i] && p[i] != ']'; i++)
		if (p[i] == '\\' && p[i + 1])
			i++;
	return p[i] == ']' ? i : 0;
}

/* Index of the ')' closing the group that opens at p[0], or 0. */
static size_t
paren_end(const char *p)
{
	size_t i, depth = 0;

	for (i = 0; p[i]; i++) {
		if (p[i] == '\\' && p[i + 1])
			i++;
		else if (p[i] == '(')
			depth++;
		else if (p[i] == ')' && --depth == 0)
			return i;
	}
	return 0;
}

/* Nonzero when the pattern is well formed: quotes quote something,
 * classes close and are not empty, braces and "!(" groups close. The
 * groups are counted in *groups. */
static int
well_formed(const char *p, size_t *groups)
{
	size_t end;
	int depth = 0;

	*groups = 0;
	for (; *p; p++) {
		if (*p == '\\') {
			if (*++p == '\0')
				return 0;
		} else if (*p == '[') {
			if ((end = class_end(p)) == 0)
				return 0;
			p += end;
		} else if (*p == '!' && p[1] == '(') {
			if (paren_end(p + 1) == 0)
				return 0;
			(*groups)++;
		} else if (*p == '{') {
			depth++;
			(*groups)++;
		} else if (*p == '}' && depth-- == 0)
			return 0;
	}
	return depth == 0;
}

/* Offset of the first '{' outside quotes and classes, or -1. */
static long
first_brace(const char *p)
{
	const char *s;

	for (s = p; *s; s++) {
		if (*s == '\\')
			s++;
		else if (*s == '[')
			s += class_end(s);
		else if (*s == '{')
			return (long)(s - p);
	}
	return -1;
}

/* Add one brace-free pattern; -1 when there are too many. */
static int
add_alternative(struct file_glob *g, char *pattern)
{
	char **grown;

	if (g->n == MAX_ALTERNATIVES ||
	    (grown = reallocarray(g->alt, g->n + 1, sizeof(*g->alt))) == NULL) {
		free(pattern);
		return -1;
	}
	g->alt = grown;
	g->alt[g->n++] = pattern;
	return 0;
}

/*
 * Index of the ',' or '}' that ends the alternative of a brace group
 * starting at p[i]: the first one outside quotes, classes and nested
 * groups.
 */
static size_t
alternative_end(const char *p, size_t i)
{
	size_t depth = 0;

	for (; p[i]; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '[')
			i += class_end(p + i);
		else if (p[i] == '{')
			depth++;
		else if ((p[i] == '}' || p[i] == ',') && depth == 0)
			break;
		else if (p[i] == '}')
			depth--;
	}
	return i;
}

/*
 * Expand the first brace group of pattern (which this takes over) and,
 * recursing, the groups after it. Returns 0 or -1.
 */
static int
expand(struct file_glob *g, char *pattern)
{
	long open = first_brace(pattern);
	size_t start, end, close;
	char *alt;
	int rc = 0;

	if (open < 0)
		return add_alternative(g, pattern);
	close = (size_t)open;
	do
		close = alternative_end(pattern, close + 1);
	while (pattern[close] == ',');
	for (start = (size_t)open + 1; start <= close && rc == 0;
	    start = end + 1) {
		end = alternative_end(pattern, start);
		/* prefix, this alternative, what follows the group */
		if (asprintf(&alt, "%.*s%.*s%s", (int)open, pattern,
		    (int)(end - start), pattern + start,
		    pattern + close + 1) < 0)
			rc = -1;
		else
			rc = expand(g, alt);
	}
	free(pattern);
	return rc;
}

/* Decode the UTF-8 character at s into *r; returns its length (a bad
 * byte is a character of its own). */
static size_t
rune_at(const char *s, unsigned *r)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i;
	unsigned v;

	if (u[0] < 0x80 || u[0] >= 0xf8 || (u[0] & 0xc0) == 0x80) {
		*r = u[0];
		return 1;
	}
	n = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : 2;
	v = u[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*r = u[0];
			return 1;
		}
		v = v << 6 | (u[i] & 0x3f);
	}
	*r = v;
	return n;
}

/* A class member at *pp, quoted or not; advances *pp past it. */
static unsigned
class_rune(const char **pp)
{
	unsigned r;

	if (**pp == '\\')
		(*pp)++;
	*pp += rune_at(*pp, &r);
	return r;
}

/*
 * Does the character r match the class at p ("[...]")? *end gets the
 * byte after the class.
 */
static int
class_match(const char *p, unsigned r, const char **end)
{
	const char *close = p + class_end(p);
	unsigned lo, hi;
	int negate, hit = 0;

	p++;
	if ((negate = *p == '!' || *p == '^'))
		p++;
	while (p < close) {
		lo = hi = class_rune(&p);
		if (*p == '-' && p + 1 < close) {
			p++;
			hi = class_rune(&p);
		}
		if (lo <= r && r <= hi)
			hit = 1;
	}
	*end = close + 1;
	return hit != negate;
}

/* Nonzero when what is left of a pattern matches the empty string. */
static int
matches_nothing(const char *p)
{
	/* A trailing doublestar segment may be empty, slash and all. */
	if (strcmp(p, "/**") == 0 || strcmp(p, "**/") == 0)
		return 1;
	return p[strspn(p, "*")] == '\0';
}

static int match_plain(const char *, const char *);

/*
 * "!(x)" at bang: the name matches when the pattern with x in the place
 * of the group does not (as the Go execd's glob has it).
 */
static int
match_negated(const char *pat, const char *bang, const char *name)
{
	size_t close = paren_end(bang + 1);
	char *with;
	int rc;

	if (asprintf(&with, "%.*s%.*s%s", (int)(bang - pat), pat,
	    (int)close - 1, bang + 2, bang + close + 2) < 0)
		return 0;
	rc = !match_plain(with, name);
	free(with);
	return rc;
}

/*
 * Match one brace-free pattern. On a mismatch the matcher goes back to
 * the last "*" and lets it take one more character (never a slash), or
 * else to the last "**" and lets it take one more path segment.
 */
static int
match_plain(const char *pat, const char *name)
{
	const char *p = pat, *n = name, *next, *lit;
	const char *star_p = NULL, *star_n = NULL, *ds_p = NULL, *ds_n = NULL;
	int seg_start = 1;
	unsigned r;
	size_t len;

	while (*n) {
		if (*p == '*' && p[1] == '*' && seg_start &&
		    (p[2] == '\0' || p[2] == '/')) {
			if (p[2] == '\0')
				return 1;
			ds_p = p += 3;
			ds_n = n;
			star_p = NULL;
			continue;
		}
		if (*p == '*') {
			p += strspn(p, "*");
			star_p = p;
			star_n = n;
			seg_start = 0;
			continue;
		}
		len = rune_at(n, &r);
		if (*p == '?') {
			if (r != '/') {
				p++;
				n += len;
				seg_start = 0;
				continue;
			}
		} else if (*p == '[') {
			if (class_match(p, r, &next)) {
				p = next;
				n += len;
				seg_start = 0;
				continue;
			}
		} else if (*p == '!' && p[1] == '(' && paren_end(p + 1)) {
			/* Unclosed, as brace expansion can leave a group
			 * ("{!(a,b)}"), it is literal text: taken as a
			 * group it would recurse for ever. */
			return match_negated(pat, p, name);
		} else if (*p != '\0') {
			lit = p + (*p == '\\');
			if (*lit == *n) {
				seg_start = *lit == '/';
				p = lit + 1;
				n++;
				continue;
			}
		}
		/* mismatch: backtrack */
		if (star_p && *star_n != '/') {
			star_n += rune_at(star_n, &r);
			p = star_p;
			n = star_n;
			seg_start = 0;
			continue;
		}
		if (ds_p && (next = strchr(ds_n, '/')) != NULL) {
			ds_n = next + 1;
			p = ds_p;
			n = ds_n;
			star_p = NULL;
			seg_start = 1;
			continue;
		}
		return 0;
	}
	return matches_nothing(p);
}

/* Check pattern and expand its braces; NULL with a reason in err. */
struct file_glob *
file_glob_new(const char *pattern, char *err, size_t errlen)
{
	struct file_glob *g;
	size_t groups;
	char *copy;

	if (!well_formed(pattern, &groups)) {
		snprintf(err, errlen, "syntax error in pattern");
		return NULL;
	}
	if (groups > MAX_GROUPS) {
		snprintf(err, errlen, "more than %d groups", MAX_GROUPS);
		return NULL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (copy = strdup(pattern)) == NULL || expand(g, copy) < 0) {
		snprintf(err, errlen, g && g->n == MAX_ALTERNATIVES ?
		    "more than %d alternatives" : "out of memory",
		    MAX_ALTERNATIVES);
		file_glob_free(g);
		return NULL;
	}
	g->has_slash = strchr(pattern, '/') != NULL;
	return g;
}

/* Nonzero when any alternative matches name. */
int
file_glob_match(const struct file_glob *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (match_plain(g->alt[i], name))
			return 1;
	return 0;
}

/* Nonzero when the pattern names a slash. */
int
file_glob_has_slash(const struct file_glob *g)
{
	return g->has_slash;
}

/* Release g (NULL is fine). */
void
file_glob_free(struct file_glob *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++)
		free(g->alt[i]);
	free(g->alt);
	free(g);
}

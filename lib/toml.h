/*
 * toml.h — the subset of TOML the OpenSandbox config file uses, a line at
 * a time: [section] headers, bare keys, and values that are strings
 * ("basic" or 'literal'), integers, floats or booleans, with # comments.
 * Anything else is an error naming file:line, so that a typo never
 * silently becomes a default. And the writer's half: text as a TOML
 * string.
 */
#ifndef OSB_TOML_H
#define OSB_TOML_H

#include <stddef.h>

#include "error.h"

enum osb_toml_type {
	OSB_TOML_STRING, OSB_TOML_INT, OSB_TOML_FLOAT, OSB_TOML_BOOL
};

/* A value: s for a string (malloc'd), i for an integer or boolean, f for a float. */
struct osb_toml_value {
	enum osb_toml_type type;
	char *s;
	long long i;
	double f;
};

/* Where a line comes from, for "path:line: " in errors; path NULL: no prefix. */
struct osb_toml_pos {
	const char *path;
	int line;
};

/* What a line holds. */
enum osb_toml_kind {
	OSB_TOML_BLANK,		/* nothing but blanks and a comment */
	OSB_TOML_SECTION,	/* [name] */
	OSB_TOML_KEY		/* name = value */
};

struct osb_toml_line {
	enum osb_toml_kind kind;
	char name[128];			/* the section's or the key's */
	struct osb_toml_value value;	/* OSB_TOML_KEY */
	size_t value_start, value_end;	/* where the value stands in the line */
};

/*
 * Read one line of a file (its newline may be there or not). Returns 0
 * with l filled (free with osb_toml_line_free), -1 with err set.
 */
int osb_toml_read_line(const char *text, struct osb_toml_line *l,
    const struct osb_toml_pos *, struct osb_error *);
void osb_toml_line_free(struct osb_toml_line *);

/* Set err to "path:line: formatted" (see osb_toml_pos) and return -1. */
int osb_toml_error(struct osb_error *, const struct osb_toml_pos *,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * s as a TOML basic string, quotes included, that osb_toml_read_line reads
 * back as s. Returns malloc'd text, NULL when out of memory.
 */
char *osb_toml_quote(const char *s);

#endif

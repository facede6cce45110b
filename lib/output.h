/*
 * output.h — everything libosb users print goes through here: documents as
 * table, json or yaml, event streams as JSON lines, errors and progress on
 * stderr. Colour only on a terminal and never with NO_COLOR.
 */
#ifndef OSB_OUTPUT_H
#define OSB_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "error.h"

enum osb_format { OSB_TABLE, OSB_JSON, OSB_YAML };

/* The exit status of a usage error, for every program. */
#define OSB_EXIT_USAGE	2

/* "table", "json", "yaml" → format; -1 on anything else. */
int osb_format_parse(const char *, enum osb_format *);

/*
 * A table column: heading, the object key it shows, and an optional
 * formatter (NULL: strings as they are, numbers and booleans as JSON).
 */
struct osb_column {
	const char *heading;
	const char *key;
	char *(*format)(const json_t *value);	/* returns malloc'd text */
};

/*
 * Print doc in the format. For a table, an array of objects becomes one row
 * per element under the columns; a single object becomes KEY VALUE lines
 * (columns, if given, choose and order the keys). Returns 0, -1 on a write
 * error.
 */
int osb_print(FILE *, enum osb_format, const json_t *doc,
    const struct osb_column *cols, size_t ncols);
/* One JSON object on one line (streams, -o json events). */
int osb_print_line(FILE *, const json_t *);
/* "prog: message" on stderr (the err's message, with its code when set). */
void osb_print_error(const char *prog, const struct osb_error *);
/* "prog: formatted" on stderr. */
void osb_warnx(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * A usage error on stderr: "prog: formatted", then "usage: prog SYNOPSIS",
 * or "Try 'prog --help'." when synopsis is NULL. Returns OSB_EXIT_USAGE.
 */
int osb_print_usage_error(const char *prog, const char *synopsis,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * Say what ended a command line early (an osb_cli_result of cli.h): for
 * --help the program's usage text and the global options, for --version
 * "prog VERSION", both on stdout; a usage error (err) on stderr. Returns
 * the exit status: 0, or OSB_EXIT_USAGE.
 */
int osb_print_cli_end(const char *prog, const char *usage, int result,
    const struct osb_error *err);
/* A transfer progress line on stderr, redrawn in place; only when stderr
 * is a terminal. done == total ends the line. */
void osb_print_progress(const char *what, int64_t done, int64_t total);
/* One line of the -v trace on stderr: "mark text[len]tail" ("> ", "< ",
 * "* " as curl -v marks them). */
void osb_print_trace(char mark, const char *text, size_t len,
    const char *tail);
/* Nonzero when colour may be used on f (a terminal, no NO_COLOR, not off). */
int osb_color(FILE *f);
void osb_set_color(int on);

#endif

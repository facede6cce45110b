/*
 * output.c — the printers: tables for people, json and yaml for programs,
 * JSON lines for streams, and the one place that writes errors and progress
 * to stderr.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libutil.h>
#include <jansson.h>
#include <yaml.h>

#include "cli.h"
#include "output.h"

static int color_on = 1;

/* A table being laid out: cells[row * ncols + col]. */
struct table {
	char **cells;
	size_t ncols, nrows;
	size_t *width;
};

int
osb_format_parse(const char *s, enum osb_format *fmt)
{
	if (strcmp(s, "table") == 0)
		*fmt = OSB_TABLE;
	else if (strcmp(s, "json") == 0)
		*fmt = OSB_JSON;
	else if (strcmp(s, "yaml") == 0)
		*fmt = OSB_YAML;
	else
		return -1;
	return 0;
}

void
osb_set_color(int on)
{
	color_on = on;
}

/* Colour needs a terminal, no NO_COLOR (any non-empty value) and no --no-color. */
int
osb_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	if (!color_on || (nc != NULL && *nc != '\0'))
		return 0;
	return isatty(fileno(f));
}

/*
 * The text a table cell shows for v: strings as they are, null as "-",
 * everything else as compact JSON. Returns malloc'd text.
 */
static char *
cell_text(const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return strdup("-");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/*
 * Make s safe for one table cell: line breaks, tabs and other control
 * characters would break the columns, so they become C escapes. Takes
 * ownership of s; returns malloc'd text or NULL.
 */
static char *
cell_clean(char *s)
{
	char *out, *o;
	const unsigned char *p;

	if (s == NULL)
		return NULL;
	for (p = (unsigned char *)s; *p != '\0' && *p >= 0x20 && *p != 0x7f; p++)
		;
	if (*p == '\0')
		return s;
	if ((out = malloc(strlen(s) * 4 + 1)) == NULL) {
		free(s);
		return NULL;
	}
	for (o = out, p = (unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n')
			o += sprintf(o, "\\n");
		else if (*p == '\t')
			o += sprintf(o, "\\t");
		else if (*p == '\r')
			o += sprintf(o, "\\r");
		else if (*p < 0x20 || *p == 0x7f)
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (char)*p;
	}
	*o = '\0';
	free(s);
	return out;
}

/* Code points a terminal shows two columns wide (East Asian wide and
 * fullwidth, emoji), and ones it shows in none (combining marks). */
static const struct cp_range {
	uint32_t lo, hi;
} wide_ranges[] = {
	{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
	{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
	{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe30, 0xfe4f },
	{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
	{ 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
}, zero_ranges[] = {
	{ 0x0300, 0x036f }, { 0x200b, 0x200f }, { 0x20d0, 0x20ff },
	{ 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
};

/* Is cp in one of the n ranges? */
static int
in_ranges(uint32_t cp, const struct cp_range *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return 1;
	return 0;
}

/*
 * Columns s takes on a terminal, so that columns line up: a code point
 * takes one, two when wide, none when combining. s is valid UTF-8 (JSON
 * text).
 */
static size_t
text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	uint32_t cp;
	int more;

	while (*p != '\0') {
		more = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc0 ? 1 : 0;
		cp = more ? *p & (0x3f >> more) : *p;
		for (p++; more > 0 && (*p & 0xc0) == 0x80; more--, p++)
			cp = cp << 6 | (*p & 0x3f);
		if (in_ranges(cp, zero_ranges, sizeof(zero_ranges) /
		    sizeof(zero_ranges[0])))
			continue;
		n += in_ranges(cp, wide_ranges, sizeof(wide_ranges) /
		    sizeof(wide_ranges[0])) ? 2 : 1;
	}
	return n;
}

/*
 * A heading for key or caller heading s: upper case, with camelCase
 * boundaries turned into '_' ("exitCode" → "EXIT_CODE"). Returns malloc'd
 * text.
 */
static char *
heading_text(const char *s)
{
	char *h, *o;
	const char *p;

	if ((h = malloc(strlen(s) * 2 + 1)) == NULL)
		return NULL;
	for (o = h, p = s; *p != '\0'; p++) {
		if (p > s && isupper((unsigned char)*p) &&
		    (islower((unsigned char)p[-1]) || isdigit((unsigned char)p[-1])))
			*o++ = '_';
		*o++ = (char)toupper((unsigned char)*p);
	}
	*o = '\0';
	return h;
}

/* Free the cells and widths (of a table set up or half set up). */
static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; t->cells != NULL && i < t->ncols * t->nrows; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->width);
}

/* Room for nrows rows of ncols cells. Returns 0, -1 when out of memory. */
static int
table_alloc(struct table *t, size_t nrows, size_t ncols)
{
	t->nrows = nrows;
	t->ncols = ncols;
	t->cells = calloc(nrows * ncols + 1, sizeof(char *));
	t->width = calloc(ncols + 1, sizeof(size_t));
	return t->cells && t->width ? 0 : -1;
}

/* Set a cell (taking ownership of text). Returns 0, -1 when text is NULL. */
static int
table_set(struct table *t, size_t row, size_t col, char *text)
{
	size_t w;

	if ((text = cell_clean(text)) == NULL)
		return -1;
	t->cells[row * t->ncols + col] = text;
	if ((w = text_width(text)) > t->width[col])
		t->width[col] = w;
	return 0;
}

/* A cell, in bold when asked (headings on a colour terminal). */
static void
put_cell(FILE *f, const char *s, int bold)
{
	fputs(bold ? "\033[1m" : "", f);
	fputs(s, f);
	fputs(bold ? "\033[0m" : "", f);
}

/*
 * Write the table: columns two spaces apart, the last one unpadded so lines
 * carry no trailing blanks. The headings are the first row (rows of
 * objects) or the first column (fields of one object): bold on a colour
 * terminal. Returns 0, -1 on a write error.
 */
static int
table_write(FILE *f, const struct table *t, int heading_row)
{
	int color = osb_color(f);
	size_t r, c, pad;
	const char *s;

	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			s = t->cells[r * t->ncols + c];
			put_cell(f, s, color &&
			    (heading_row ? r == 0 : c == 0));
			if (c + 1 == t->ncols)
				break;
			for (pad = text_width(s); pad < t->width[c] + 2; pad++)
				putc(' ', f);
		}
		putc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

/*
 * The keys an array's rows show when no columns were given: every key of
 * every object element, in the order first seen. Returns a new array.
 */
static json_t *
row_keys(const json_t *rows)
{
	json_t *keys = json_array(), *seen = json_object(), *row, *v;
	const char *k;
	size_t i;

	json_array_foreach(rows, i, row) {
		if (!json_is_object(row))
			continue;
		json_object_foreach(row, k, v) {
			if (json_object_get(seen, k) != NULL)
				continue;
			json_object_set_new(seen, k, json_true());
			json_array_append_new(keys, json_string(k));
		}
	}
	json_decref(seen);
	return keys;
}

/* The key column c shows: the column's, or the c-th derived one. */
static const char *
key_at(const struct osb_column *cols, const json_t *keys, size_t c)
{
	return cols ? cols[c].key : json_string_value(json_array_get(keys, c));
}

/* Cell text for v under column c (its formatter when there is one). */
static char *
value_at(const struct osb_column *cols, size_t c, const json_t *v)
{
	if (cols != NULL && cols[c].format != NULL)
		return cols[c].format(v);
	return cell_text(v);
}

/* An array of objects: a heading row, then one row per element. */
static int
print_rows(FILE *f, const json_t *rows, const struct osb_column *cols,
    size_t ncols)
{
	struct table t = { 0 };
	json_t *keys = NULL, *row;
	size_t r, c;
	int rc = -1;

	if (cols == NULL) {
		keys = row_keys(rows);
		ncols = json_array_size(keys);
	}
	if (table_alloc(&t, json_array_size(rows) + 1, ncols) == -1)
		goto out;
	for (c = 0; c < ncols; c++)
		if (table_set(&t, 0, c, heading_text(cols ? cols[c].heading :
		    key_at(cols, keys, c))) == -1)
			goto out;
	json_array_foreach(rows, r, row)
		for (c = 0; c < ncols; c++)
			if (table_set(&t, r + 1, c, value_at(cols, c,
			    json_object_get(row, key_at(cols, keys, c)))) == -1)
				goto out;
	rc = table_write(f, &t, 1);
out:
	json_decref(keys);
	table_free(&t);
	return rc;
}

/* One object: a KEY VALUE line per key (or per column, in their order). */
static int
print_fields(FILE *f, const json_t *obj, const struct osb_column *cols,
    size_t ncols)
{
	struct table t = { 0 };
	const char *k;
	json_t *v;
	size_t r = 0;
	int rc = -1;

	if (table_alloc(&t, cols ? ncols : json_object_size(obj), 2) == -1)
		goto out;
	if (cols != NULL) {
		for (r = 0; r < ncols; r++)
			if (table_set(&t, r, 0, heading_text(cols[r].heading)) ||
			    table_set(&t, r, 1, value_at(cols, r,
			    json_object_get(obj, cols[r].key))))
				goto out;
	} else {
		json_object_foreach((json_t *)obj, k, v) {
			if (table_set(&t, r, 0, heading_text(k)) ||
			    table_set(&t, r, 1, cell_text(v)))
				goto out;
			r++;
		}
	}
	rc = table_write(f, &t, 0);
out:
	table_free(&t);
	return rc;
}

/* Anything else: one value per line (the elements of an array of scalars). */
static int
print_values(FILE *f, const json_t *doc)
{
	json_t *v;
	size_t i;
	char *s;

	if (!json_is_array(doc)) {
		if ((s = cell_clean(cell_text(doc))) == NULL)
			return -1;
		fprintf(f, "%s\n", s);
		free(s);
		return ferror(f) ? -1 : 0;
	}
	json_array_foreach(doc, i, v)
		if (print_values(f, v) == -1)
			return -1;
	return 0;
}

/* Does the array hold at least one object (then it is a table of rows)? */
static int
has_objects(const json_t *a)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_is_object(v))
			return 1;
	return 0;
}

/* The table form of doc: fields of an object, rows of an array, or values. */
static int
print_table(FILE *f, const json_t *doc, const struct osb_column *cols,
    size_t ncols)
{
	if (json_is_object(doc))
		return print_fields(f, doc, cols, ncols);
	if (json_is_array(doc) && (cols != NULL || has_objects(doc)))
		return print_rows(f, doc, cols, ncols);
	return print_values(f, doc);
}

/* libyaml's emitter writes through this into a stdio stream. */
static int
yaml_write(void *arg, unsigned char *buf, size_t len)
{
	return fwrite(buf, 1, len, arg) == len;
}

/*
 * Would a plain YAML scalar s read back as something other than a string:
 * null, a boolean, a number (strtod's idea of one covers hex, exponents,
 * inf and nan), a YAML 1.1 sexagesimal ("1:20") or timestamp? Then it must
 * be quoted. Erring towards quoting costs two characters, nothing more.
 */
static int
yaml_ambiguous(const char *s)
{
	static const char *const words[] = {
		"", "~", "null", "true", "false", "yes", "no", "on", "off",
		"y", "n", "=", "<<", ".inf", "-.inf", "+.inf", ".nan", NULL
	};
	const char *const *w;
	char *end;

	for (w = words; *w != NULL; w++)
		if (strcasecmp(s, *w) == 0)
			return 1;
	strtod(s, &end);
	if (end != s && *end == '\0')
		return 1;
	if (strspn(s, "0123456789") == 4 && s[4] == '-')
		return 1;
	/* Binary, octal and hex integers ("0b101", "-0o17"), which strtod
	 * reads only in part. */
	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && s[1] != '\0' && strchr("bBoOxX", s[1]) != NULL)
		return 1;
	return (isdigit((unsigned char)*s) || *s == '-' || *s == '+') &&
	    s[strspn(s, "0123456789_:.+-")] == '\0';
}

/* A scalar event for v: strings quoted when they must be, the rest plain. */
static int
yaml_scalar(yaml_emitter_t *em, const json_t *v)
{
	yaml_event_t ev;
	char *text;
	size_t len;
	int plain = 1, ok;

	if (json_is_string(v)) {
		/* By length: a NUL in the text is text too (written "\0"). */
		len = json_string_length(v);
		if ((text = malloc(len + 1)) != NULL)
			memcpy(text, json_string_value(v), len + 1);
		plain = !yaml_ambiguous(json_string_value(v));
	} else {
		text = json_is_null(v) ? strdup("null") :
		    json_dumps(v, JSON_ENCODE_ANY);
		len = text ? strlen(text) : 0;
	}
	if (text == NULL)
		return 0;
	ok = yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (yaml_char_t *)text, (int)len, plain, 1, YAML_ANY_SCALAR_STYLE) &&
	    yaml_emitter_emit(em, &ev);
	free(text);
	return ok;
}

/* Emit v and everything under it. Returns 1, 0 on failure (libyaml's way). */
static int
yaml_node(yaml_emitter_t *em, const json_t *v)
{
	yaml_event_t ev;
	const char *k;
	json_t *item, *key;
	size_t i;

	if (json_is_object(v)) {
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
		    YAML_BLOCK_MAPPING_STYLE) || !yaml_emitter_emit(em, &ev))
			return 0;
		json_object_foreach((json_t *)v, k, item) {
			key = json_string(k);
			if (key == NULL || !yaml_scalar(em, key)) {
				json_decref(key);
				return 0;
			}
			json_decref(key);
			if (!yaml_node(em, item))
				return 0;
		}
		return yaml_mapping_end_event_initialize(&ev) &&
		    yaml_emitter_emit(em, &ev);
	}
	if (json_is_array(v)) {
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		    YAML_BLOCK_SEQUENCE_STYLE) || !yaml_emitter_emit(em, &ev))
			return 0;
		json_array_foreach(v, i, item)
			if (!yaml_node(em, item))
				return 0;
		return yaml_sequence_end_event_initialize(&ev) &&
		    yaml_emitter_emit(em, &ev);
	}
	return yaml_scalar(em, v);
}

/* doc as one YAML document, UTF-8 as it is, no "---" or "..." markers. */
static int
print_yaml(FILE *f, const json_t *doc)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	int ok;

	if (!yaml_emitter_initialize(&em))
		return -1;
	yaml_emitter_set_output(&em, yaml_write, f);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	    yaml_emitter_emit(&em, &ev) &&
	    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	    yaml_emitter_emit(&em, &ev) &&
	    yaml_node(&em, doc) &&
	    yaml_document_end_event_initialize(&ev, 1) &&
	    yaml_emitter_emit(&em, &ev) &&
	    yaml_stream_end_event_initialize(&ev) &&
	    yaml_emitter_emit(&em, &ev) &&
	    yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	return ok && !ferror(f) ? 0 : -1;
}

int
osb_print(FILE *f, enum osb_format fmt, const json_t *doc,
    const struct osb_column *cols, size_t ncols)
{
	switch (fmt) {
	case OSB_JSON:
		if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_ENCODE_ANY) == -1)
			return -1;
		putc('\n', f);
		break;
	case OSB_YAML:
		return print_yaml(f, doc);
	case OSB_TABLE:
		return print_table(f, doc, cols, ncols);
	}
	return ferror(f) ? -1 : 0;
}

int
osb_print_line(FILE *f, const json_t *v)
{
	if (json_dumpf(v, f, JSON_COMPACT | JSON_ENCODE_ANY) == -1)
		return -1;
	putc('\n', f);
	return ferror(f) ? -1 : 0;
}

/*
 * "prog: message", with "(404 FILE_NOT_FOUND)" after it when the server
 * gave a code (the status alone says little a message does not).
 */
void
osb_print_error(const char *prog, const struct osb_error *err)
{
	if (err->code[0] != '\0' && err->status > 0)
		fprintf(stderr, "%s: %s (%ld %s)\n", prog, err->message,
		    err->status, err->code);
	else if (err->code[0] != '\0')
		fprintf(stderr, "%s: %s (%s)\n", prog, err->message, err->code);
	else
		fprintf(stderr, "%s: %s\n", prog, err->message);
}

/* "prog: formatted" on stderr, the line not yet ended. */
static void
put_message(const char *prog, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
}

void
osb_warnx(const char *prog, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_message(prog, fmt, ap);
	va_end(ap);
	putc('\n', stderr);
}

int
osb_print_usage_error(const char *prog, const char *synopsis,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_message(prog, fmt, ap);
	va_end(ap);
	if (synopsis != NULL)
		fprintf(stderr, "\nusage: %s %s\n", prog, synopsis);
	else
		fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return OSB_EXIT_USAGE;
}

int
osb_print_cli_end(const char *prog, const char *usage, int result,
    const struct osb_error *err)
{
	switch (result) {
	case OSB_CLI_HELP:
		fputs(usage, stdout);
		fputs(osb_cli_global_help, stdout);
		return 0;
	case OSB_CLI_VERSION:
		printf("%s %s\n", prog, OSB_VERSION);
		return 0;
	}
	return osb_print_usage_error(prog, NULL, "%s", err->message);
}

/* n bytes as "1.5MB"-style text: four characters and a B at most. */
static void
human_bytes(char *buf, int64_t n)
{
	humanize_number(buf, 6, n, "B", HN_AUTOSCALE, HN_DECIMAL | HN_NOSPACE);
}

void
osb_print_progress(const char *what, int64_t done, int64_t total)
{
	char d[8], t[8];

	if (!isatty(STDERR_FILENO))
		return;
	human_bytes(d, done);
	if (total > 0) {
		human_bytes(t, total);
		fprintf(stderr, "\r\033[K%s: %s / %s (%d%%)", what, d, t,
		    (int)(done * 100 / total));
	} else {
		fprintf(stderr, "\r\033[K%s: %s", what, d);
	}
	if (done == total)
		putc('\n', stderr);
	fflush(stderr);
}

void
osb_print_trace(char mark, const char *text, size_t len, const char *tail)
{
	fprintf(stderr, "%c %.*s%s\n", mark, (int)len, text, tail);
}

/* toml.c — the config file's line reader and the TOML strings it writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "toml.h"

static int ntest;

/* One TAP result. */
static void
ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, what);
}

/* line reads as kind with name (and, for a key, its value where it stands). */
static void
reads(const char *line, enum osb_toml_kind kind, const char *name,
    const char *value)
{
	struct osb_toml_pos pos = { "f", 1 };
	struct osb_toml_line l;
	struct osb_error err;
	char what[160];
	int good;

	snprintf(what, sizeof(what), "'%.*s' reads", (int)strcspn(line, "\r\n"),
	    line);
	if (osb_toml_read_line(line, &l, &pos, &err) == -1) {
		ok(0, what);
		printf("# %s\n", err.message);
		return;
	}
	good = l.kind == kind && strcmp(l.name, name) == 0;
	if (kind == OSB_TOML_KEY)
		good = good && strlen(value) == l.value_end - l.value_start &&
		    strncmp(line + l.value_start, value, strlen(value)) == 0;
	ok(good, what);
	osb_toml_line_free(&l);
}

/* line is refused with message, after "f:1: ". */
static void
refused(const char *line, const char *message)
{
	struct osb_toml_pos pos = { "f", 1 };
	struct osb_toml_line l;
	struct osb_error err;
	char what[160], want[300];

	snprintf(what, sizeof(what), "'%.*s' is refused: %s",
	    (int)strcspn(line, "\r\n"), line, message);
	snprintf(want, sizeof(want), "f:1: %s", message);
	ok(osb_toml_read_line(line, &l, &pos, &err) == -1 &&
	    strcmp(err.message, want) == 0, what);
}

/* s, quoted, reads back as s. */
static void
round_trip(const char *what, const char *s)
{
	struct osb_toml_pos pos = { "f", 1 };
	struct osb_toml_line l;
	struct osb_error err;
	char *q = osb_toml_quote(s), *line = NULL;

	if (q == NULL || asprintf(&line, "k = %s\n", q) == -1) {
		ok(0, what);
	} else if (osb_toml_read_line(line, &l, &pos, &err) == -1) {
		ok(0, what);
		printf("# %s: %s\n", line, err.message);
	} else {
		ok(l.value.type == OSB_TOML_STRING &&
		    strcmp(l.value.s, s) == 0, what);
		osb_toml_line_free(&l);
	}
	free(line);
	free(q);
}

/* key set to value writes want, or is refused (want NULL). */
static void
value_text(const char *key, const char *value, const char *want)
{
	struct osb_error err;
	char what[160], *got = osb_config_value_text(key, value, &err);

	snprintf(what, sizeof(what), "%s %s is %s", key, value,
	    want ? want : "refused");
	ok(want ? got != NULL && strcmp(got, want) == 0 : got == NULL, what);
	free(got);
}

/* secret masks to want. */
static void
masked(const char *secret, const char *want)
{
	char what[160], *got = osb_config_mask(secret);

	snprintf(what, sizeof(what), "'%s' masks to '%s'", secret, want);
	ok(got != NULL && strcmp(got, want) == 0, what);
	free(got);
}

int
main(void)
{
	reads("", OSB_TOML_BLANK, "", NULL);
	reads("  # a comment\n", OSB_TOML_BLANK, "", NULL);
	reads("[connection]\n", OSB_TOML_SECTION, "connection", NULL);
	reads(" [ a.b ] # x\r\n", OSB_TOML_SECTION, "a.b", NULL);
	reads("domain = \"x\"  # c\n", OSB_TOML_KEY, "domain", "\"x\"");
	reads("\tn=1_000\n", OSB_TOML_KEY, "n", "1_000");
	reads("f = -2.5e3", OSB_TOML_KEY, "f", "-2.5e3");
	reads("b = false\n", OSB_TOML_KEY, "b", "false");
	reads("s = 'C:\\x'\n", OSB_TOML_KEY, "s", "'C:\\x'");
	refused("domain\n", "expected key = value");
	refused("[open\n", "bad section header");
	refused("k = \"abc\n", "unterminated string");
	refused("k = \"\"\"x\"\"\"\n", "multi-line strings are not supported");
	refused("k = yes\n", "unsupported value (expected a \"string\", a "
	    "number, true or false)");
	refused("k = 1 2\n", "unexpected text after the value");
	refused("k = 99999999999999999999\n", "number too large");
	refused("k = \"\\ud800\"\n", "bad unicode escape '\\u...' (\\uXXXX or "
	    "\\UXXXXXXXX)");
	round_trip("plain text round-trips", "localhost:8080");
	round_trip("quotes and backslashes round-trip", "a \"b\" \\c");
	round_trip("control characters round-trip", "t\tn\nr\rb\bf\f\001\177");
	round_trip("UTF-8 round-trips", "caf\xc3\xa9 \xf0\x9f\x90\x99");
	round_trip("the empty string round-trips", "");
	value_text("connection.domain", "h:1", "\"h:1\"");
	value_text("connection.request_timeout", "30", "30");
	value_text("connection.request_timeout", "1h", "3600");
	value_text("connection.request_timeout", "0.5", "0.5");
	value_text("connection.request_timeout", "30 ", NULL);
	value_text("connection.request_timeout", "1e999", NULL);
	value_text("output.color", "False", "false");
	value_text("output.format", "yaml", "\"yaml\"");
	value_text("output.format", "csv", NULL);
	value_text("defaults.timeout", "1h30m", "\"1h30m\"");
	value_text("defaults.nope", "x", NULL);
	masked("", "");
	masked("ab", "**");
	masked("abcd", "****");
	masked("abcdef", "ab**ef");
	masked("ab\xc3\xa9\xc3\xa9xy", "ab****xy");
	printf("1..%d\n", ntest);
	return 0;
}

/*
 * toml.c — libFuzzer harness for the config file's line reader: each line
 * of the input is read; a string value it reads must quote and read back
 * as itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

/* A string value, quoted, reads back the same; abort() otherwise. */
static void
check_round_trip(const char *s)
{
	struct osb_toml_pos pos = { NULL, 0 };
	struct osb_toml_line l;
	struct osb_error err;
	char *q = osb_toml_quote(s), *line = NULL;

	if (q == NULL || asprintf(&line, "k = %s", q) == -1)
		abort();
	if (osb_toml_read_line(line, &l, &pos, &err) == -1 ||
	    strcmp(l.value.s, s) != 0)
		abort();
	osb_toml_line_free(&l);
	free(line);
	free(q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osb_toml_pos pos = { "fuzz", 0 };
	struct osb_toml_line l;
	struct osb_error err;
	char *text, *line, *next;

	if ((text = strndup((const char *)data, size)) == NULL)
		return 0;
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		pos.line++;
		if (osb_toml_read_line(line, &l, &pos, &err) == -1)
			continue;
		if (l.kind == OSB_TOML_KEY && l.value.type == OSB_TOML_STRING)
			check_round_trip(l.value.s);
		osb_toml_line_free(&l);
	}
	free(text);
	return 0;
}

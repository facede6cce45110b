/*
 * execd_glob.c — libFuzzer harness for osb-execd's glob patterns: the
 * input is a pattern, a newline, and a name; the pattern is compiled and,
 * when it is good, matched against the name. Nothing may crash, and a
 * pattern with no special character matches itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "file_glob.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pattern, *name, err[128];
	struct file_glob *g;
	size_t n;

	if ((pattern = malloc(size + 1)) == NULL)
		return 0;
	memcpy(pattern, data, size);
	pattern[size] = '\0';
	n = strcspn(pattern, "\n");
	name = pattern[n] ? pattern + n + 1 : pattern + n;
	pattern[n] = '\0';
	if ((g = file_glob_new(pattern, err, sizeof(err))) != NULL) {
		(void)file_glob_match(g, name);
		if (pattern[strcspn(pattern, "*?[]{}!\\")] == '\0' &&
		    !file_glob_match(g, pattern))
			abort();
		file_glob_free(g);
	}
	free(pattern);
	return 0;
}

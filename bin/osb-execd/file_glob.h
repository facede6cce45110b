/*
 * file_glob.h — glob patterns as the Go execd's search takes them
 * (doublestar rules): "*" and "?" within one path segment, "**" across
 * segments when it stands alone between slashes, "[a-z]" and "[!a]"
 * classes, "{a,b}" alternatives (nested too), "!(x)" for "not with x
 * here", "\" to quote.
 */
#ifndef EXECD_FILE_GLOB_H
#define EXECD_FILE_GLOB_H

#include <stddef.h>

struct file_glob;

/* Compile pattern; NULL with the reason in err when it is malformed. */
struct file_glob *file_glob_new(const char *pattern, char *err,
    size_t errlen);
/* Nonzero when name matches. */
int file_glob_match(const struct file_glob *, const char *name);
/* Nonzero when the pattern names a slash, so it is about whole paths. */
int file_glob_has_slash(const struct file_glob *);
void file_glob_free(struct file_glob *);

#endif

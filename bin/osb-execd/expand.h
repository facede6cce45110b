/*
 * expand.h — $NAME and ${NAME} in paths and values, expanded from an
 * environment as the Go execd expands them.
 */
#ifndef EXECD_EXPAND_H
#define EXECD_EXPAND_H

#include <stddef.h>

#include "buf.h"

/* The value of name (len bytes) in envp, or NULL. */
const char *env_lookup(char *const *envp, const char *name, size_t len);

/*
 * Append s to out with $NAME and ${NAME} (NAME [A-Za-z_][A-Za-z0-9_]*)
 * replaced by their values in envp; a "$" that starts no name stays. An
 * unset name is empty when undef is NULL, else the expansion stops there
 * with the name in undef. Returns 0, 1 for an unset name, or -1 when out
 * of memory.
 */
int expand_vars(const char *s, char *const *envp, struct osb_buf *out,
    char *undef, size_t undeflen);

#endif

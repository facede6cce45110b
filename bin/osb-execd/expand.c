/* expand.c — $NAME and ${NAME} expanded from an environment. */
#include <stdio.h>
#include <string.h>

#include "expand.h"

/* The value of name in envp, or NULL. */
const char *
env_lookup(char *const *envp, const char *name, size_t len)
{
	for (; *envp; envp++)
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

/* Whether c may appear in a variable name (first: not a digit). */
static int
var_char(char c, int first)
{
	return c == '_' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	    (!first && c >= '0' && c <= '9');
}

/* Length of the variable name at s, or 0. */
static size_t
var_name_len(const char *s)
{
	size_t n = 0;

	while (var_char(s[n], n == 0))
		n++;
	return n;
}

/* s expanded onto out; see expand.h. */
int
expand_vars(const char *s, char *const *envp, struct osb_buf *out,
    char *undef, size_t undeflen)
{
	const char *name, *val;
	size_t len, skip;
	int rc = osb_buf_append(out, "", 0);

	while (*s && rc == 0) {
		if (*s != '$') {
			len = strcspn(s, "$");
			rc = osb_buf_append(out, s, len);
			s += len;
			continue;
		}
		name = s + 1 + (s[1] == '{');
		len = var_name_len(name);
		skip = s[1] == '{' ? (name[len] == '}' ? len + 3 : 0) : len + 1;
		if (len == 0 || skip == 0) {
			rc = osb_buf_append(out, s, 1);
			s++;
			continue;
		}
		if ((val = env_lookup(envp, name, len)) == NULL && undef) {
			snprintf(undef, undeflen, "%.*s", (int)len, name);
			return 1;
		}
		if (val)
			rc = osb_buf_append(out, val, strlen(val));
		s += skip;
	}
	return rc;
}

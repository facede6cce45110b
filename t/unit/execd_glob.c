/*
 * execd_glob.c — osb-execd's glob patterns (file_glob.c) as the Go
 * execd's doublestar matches them: what matches, what does not, and the
 * patterns refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_glob.h"

static int ntest;

/* One TAP result. */
static void
ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, what);
}

/* pattern compiles, and matches name when want, not otherwise. */
static void
match(const char *pattern, const char *name, int want)
{
	char what[512], err[128];
	struct file_glob *g = file_glob_new(pattern, err, sizeof(err));

	snprintf(what, sizeof(what), "'%s' %s '%s'", pattern,
	    want ? "matches" : "does not match", name);
	ok(g != NULL && !!file_glob_match(g, name) == want, what);
	file_glob_free(g);
}

/* pattern compiles and a match of name comes to an end. */
static void
ends(const char *pattern, const char *name)
{
	char what[512], err[128];
	struct file_glob *g = file_glob_new(pattern, err, sizeof(err));

	snprintf(what, sizeof(what), "'%s' against '%s' comes to an end",
	    pattern, name);
	ok(g != NULL && file_glob_match(g, name) >= 0, what);
	file_glob_free(g);
}

/* pattern is refused with a reason. */
static void
refused(const char *pattern)
{
	char what[512], err[128] = "";
	struct file_glob *g = file_glob_new(pattern, err, sizeof(err));

	snprintf(what, sizeof(what), "'%s' is refused (%s)", pattern, err);
	ok(g == NULL && err[0] != '\0', what);
	file_glob_free(g);
}

/* A pattern of n "{a,b}" groups, which would expand to 2^n. */
static void
brace_bomb(int n)
{
	char pattern[1024] = "", what[64], err[128];
	struct file_glob *g;
	int i;

	for (i = 0; i < n; i++)
		strlcat(pattern, "{a,b}", sizeof(pattern));
	g = file_glob_new(pattern, err, sizeof(err));
	snprintf(what, sizeof(what), "%d brace groups are refused", n);
	ok(g == NULL, what);
	file_glob_free(g);
}

int
main(void)
{
	char deep[8192];
	size_t i;

	match("*.txt", "a.txt", 1);
	match("*.txt", "a.log", 0);
	match("*.txt", "dir/a.txt", 0);
	match("?.txt", "a.txt", 1);
	match("?.txt", "ab.txt", 0);
	match("a?c", "a/c", 0);
	match("**/*.c", "src/lib/x.c", 1);
	match("**/*.c", "x.c", 1);
	match("src/**", "src/a/b", 1);
	match("src/**/x", "src/x", 1);
	match("src/**/x", "src/a/b/x", 1);
	match("src/**/x", "srcx", 0);
	match("[a-c]at", "bat", 1);
	match("[a-c]at", "rat", 0);
	match("[!a-c]at", "rat", 1);
	match("[^a-c]at", "cat", 0);
	match("[é]", "é", 1);
	match("{a,b}.txt", "b.txt", 1);
	match("{a,{b,c}}.txt", "c.txt", 1);
	match("{a,b}.txt", "c.txt", 0);
	match("!(x)*", "yes", 1);
	match("\\*", "*", 1);
	match("\\*", "a", 0);
	match("a*b*c*d", "aXbXcXd", 1);
	match("", "", 1);
	match("", "a", 0);
	/* Found by the fuzzer: braces that cut a "!(" group open. */
	ends("!(!({,{,a,}b{c,c}a,{}))}", "*");
	match("{!(a,b)}", "!(a", 1);
	refused("[");
	refused("[]");
	refused("{a,b");
	refused("!(x");
	brace_bomb(12);
	/* Stars against a long name must not take exponential time. */
	memset(deep, 'a', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	match("*a*a*a*a*a*a*a*a*a*b", deep, 0);
	for (i = 0; i < 4000; i++)
		deep[2 * i] = 'x', deep[2 * i + 1] = '/';
	deep[7999] = '\0';
	match("**/**/**/**/**/y", deep, 0);
	printf("1..%d\n", ntest);
	return 0;
}

/* util.c — durations, shell quoting and UTF-8 checks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int ntest;

/* One TAP result. */
static void
ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, what);
}

/* s parses as want milliseconds. */
static void
duration(const char *s, int64_t want)
{
	char what[128];
	int64_t ms = 12345;

	snprintf(what, sizeof(what), "duration '%s' is %lld ms", s,
	    (long long)want);
	ok(osb_duration_parse(s, &ms) == 0 && ms == want, what);
}

/* s is refused. */
static void
bad_duration(const char *s)
{
	char what[128];
	int64_t ms;

	snprintf(what, sizeof(what), "'%s' is not a duration", s);
	ok(osb_duration_parse(s, &ms) == -1, what);
}

/* argv joins to exactly want. */
static void
quoted(const char *what, int argc, char *const argv[], const char *want)
{
	char *got = osb_shell_join(argc, argv);

	ok(got != NULL && strcmp(got, want) == 0, what);
	if (got && strcmp(got, want) != 0)
		printf("# got %s\n", got);
	free(got);
}

/* in (len bytes) repairs to exactly want. */
static void
repaired(const char *what, const char *in, size_t len, const char *want,
    size_t wantlen)
{
	size_t n = 0;
	char *got = osb_utf8_repair(in, len, &n);

	ok(got != NULL && n == wantlen && memcmp(got, want, n) == 0 &&
	    got[n] == '\0', what);
	free(got);
}

/* Valid and invalid UTF-8, and the repair of invalid bytes. */
static void
utf8(void)
{
	ok(osb_utf8_valid(""), "the empty string is UTF-8");
	ok(osb_utf8_valid("plain ascii ~\x7f"), "ASCII is UTF-8");
	ok(osb_utf8_valid("\xc3\xa9 \xe5\xae\xbd \xf0\x9f\x98\x80 "
	    "\xf4\x8f\xbf\xbf"), "two, three and four byte forms");
	ok(!osb_utf8_valid("a\xff"), "0xff is not UTF-8");
	ok(!osb_utf8_valid("\xc3"), "a cut sequence is not UTF-8");
	ok(!osb_utf8_valid("\xc0\xaf"), "an overlong form is not UTF-8");
	ok(!osb_utf8_valid("\xe0\x80\xaf"), "an overlong three bytes is not");
	ok(!osb_utf8_valid("\xed\xa0\x80"), "a surrogate is not UTF-8");
	ok(!osb_utf8_valid("\xf4\x90\x80\x80"), "past U+10FFFF is not UTF-8");
	ok(!osb_utf8_valid("\xe5\xae"), "a sequence cut by the end is not");
	repaired("valid text and NULs stay as they are", "a\0\xc3\xa9", 4,
	    "a\0\xc3\xa9", 4);
	repaired("each bad byte becomes U+FFFD", "a\xff\xfe" "b", 4,
	    "a\xef\xbf\xbd\xef\xbf\xbd" "b", 8);
	repaired("a cut sequence at the end is replaced", "x\xe5\xae", 3,
	    "x\xef\xbf\xbd\xef\xbf\xbd", 7);
	repaired("nothing in, nothing out", "", 0, "", 0);
}

int
main(void)
{
	char *plain[] = { "ls", "-la", "/tmp/x_y.z", "a=b,c:d@e%f+g" };
	char *spaces[] = { "echo", "a b", "" };
	char *quotes[] = { "printf", "it's", "\"$HOME\"", "`x`;|&" };
	char *newline[] = { "a\nb", "*" };

	duration("30s", 30000);
	duration("10m", 600000);
	duration("2h", 7200000);
	duration("1h30m", 5400000);
	duration("500ms", 500);
	duration("1m30s500ms", 90500);
	duration("45", 45000);
	duration("0", 0);
	duration("none", OSB_DURATION_NONE);
	duration("NONE", OSB_DURATION_NONE);
	bad_duration("");
	bad_duration("s");
	bad_duration("10x");
	bad_duration("30m1h");
	bad_duration("1h1h");
	bad_duration("-5s");
	bad_duration("1.5s");
	bad_duration(" 5s");
	bad_duration("99999999999999999999h");
	quoted("safe words stay bare", 4, plain,
	    "ls -la /tmp/x_y.z a=b,c:d@e%f+g");
	quoted("spaces and the empty word are quoted", 3, spaces,
	    "echo 'a b' ''");
	quoted("quotes, $ and metacharacters survive", 4, quotes,
	    "printf 'it'\\''s' '\"$HOME\"' '`x`;|&'");
	quoted("newlines and globs are quoted", 2, newline, "'a\nb' '*'");
	utf8();
	printf("1..%d\n", ntest);
	return 0;
}

/* local.c — the local runtime's parsers: resource quantities, RFC 3339
 * times, sandbox ids. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "local_plan.h"
#include "local_state.h"

static int ntest;

/* One TAP result. */
static void
ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, what);
}

/* s is a CPU quantity of want millicores (want < 0: not one). */
static void
cpu(const char *s, int64_t want)
{
	char what[128];
	int64_t got = 0;
	int rc = local_parse_cpu(s, &got);

	snprintf(what, sizeof(what), "cpu '%s' is %lld", s, (long long)want);
	ok(want < 0 ? rc == -1 : rc == 0 && got == want, what);
}

/* s is a memory quantity of want bytes (want < 0: not one). */
static void
memory(const char *s, int64_t want)
{
	char what[128];
	int64_t got = 0;
	int rc = local_parse_memory(s, &got);

	snprintf(what, sizeof(what), "memory '%s' is %lld", s, (long long)want);
	ok(want < 0 ? rc == -1 : rc == 0 && got == want, what);
}

/* s is the time want ms after the epoch (want < 0: not a time). */
static void
when(const char *s, int64_t want)
{
	char what[128];
	int64_t got = 0;
	int rc = local_time_parse(s, &got);

	snprintf(what, sizeof(what), "time '%s' is %lld ms", s, (long long)want);
	ok(want < 0 ? rc == -1 : rc == 0 && got == want, what);
}

int
main(void)
{
	char buf[64];
	int64_t ms;

	cpu("500m", 500);
	cpu("2", 2000);
	cpu("1.5", 1500);
	cpu("0.25", 250);
	cpu("0", -1);
	cpu("-1", -1);
	cpu("1.5x", -1);
	cpu("m", -1);
	cpu("", -1);

	memory("512Mi", 512LL << 20);
	memory("1Gi", 1LL << 30);
	memory("1.5Gi", 3LL << 29);
	memory("100M", 100000000);
	memory("64k", 64000);
	memory("64K", 64000);
	memory("1024", 1024);
	memory("lots", -1);
	memory("-1Gi", -1);
	memory("1Zi", -1);
	memory("1 Gi", -1);

	when("2025-11-16T14:30:45Z", 1763303445000);
	when("2025-11-16T14:30:45.123Z", 1763303445123);
	when("2025-11-16T14:30:45.123456+00:00", 1763303445123);
	when("2025-11-16T16:30:45+02:00", 1763303445000);
	when("2025-11-16T12:00:45-0230", 1763303445000);
	when("2025-11-16 14:30:45z", 1763303445000);
	when("2025-11-16T14:30:45", -1);
	when("2025-13-16T14:30:45Z", -1);
	when("2025-11-16T14:30Z", -1);
	when("yesterday", -1);

	local_time_format(1763303445123, buf, sizeof(buf));
	ok(strcmp(buf, "2025-11-16T14:30:45.123Z") == 0,
	    "times are written in UTC with milliseconds");
	ok(local_time_parse(buf, &ms) == 0 && ms == 1763303445123,
	    "and read back the same");
	local_time_format(1763303445000, buf, sizeof(buf));
	ok(strcmp(buf, "2025-11-16T14:30:45Z") == 0,
	    "whole seconds without a fraction");

	ok(local_id_valid("0123456789abcdef0123456789abcdef"), "an id is 32 hex");
	ok(!local_id_valid("0123456789ABCDEF0123456789abcdef"),
	    "in lower case");
	ok(!local_id_valid("0123456789abcdef"), "not shorter");
	ok(!local_id_valid("../../../../../../../../etc/passwd"),
	    "and names no path");
	local_id_new(buf);
	ok(local_id_valid(buf), "a new id is an id");

	printf("1..%d\n", ntest);
	return 0;
}

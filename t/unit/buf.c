/* buf.c — the growable buffer: appends, NUL ending, room kept, reuse. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"

static int ntest;

/* One TAP result. */
static void
ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, what);
}

int
main(void)
{
	struct osb_buf b = { 0 };
	char big[100000];
	size_t i, cap;
	int all = 1;

	ok(osb_buf_append(&b, "", 0) == 0 && b.len == 0 && b.data &&
	    b.data[0] == '\0', "an empty append gives an empty string");
	ok(osb_buf_append(&b, "abc", 3) == 0 && b.len == 3 &&
	    strcmp(b.data, "abc") == 0, "append: bytes and a NUL after them");
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	for (i = 0; i < 10 && all; i++)
		all = osb_buf_append(&b, big, sizeof(big)) == 0;
	ok(all && b.len == 3 + 10 * sizeof(big) && b.data[b.len] == '\0' &&
	    memcmp(b.data + 3 + 9 * sizeof(big), big, sizeof(big)) == 0,
	    "ten 100 kB appends arrive whole and in order");
	ok(b.cap > b.len, "room for the NUL is always kept");
	cap = b.cap;
	b.len = 0;
	ok(osb_buf_append(&b, "x", 1) == 0 && b.cap == cap &&
	    strcmp(b.data, "x") == 0, "lowering len reuses the room");
	ok(osb_buf_reserve(&b, 5000000) == 0 && b.cap >= b.len + 5000001 &&
	    strcmp(b.data, "x") == 0, "reserve grows without touching data");
	ok(osb_buf_reserve(&b, SIZE_MAX) == -1 && strcmp(b.data, "x") == 0,
	    "an impossible reserve fails and leaves the buffer as it was");
	osb_buf_free(&b);
	ok(b.data == NULL && b.len == 0 && b.cap == 0, "free leaves it empty");
	printf("1..%d\n", ntest);
	return 0;
}

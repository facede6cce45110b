/*
 * sse.c — the SSE parser against hand-made streams, each fed whole, byte
 * by byte and split in two at every position: the events must not depend
 * on how the bytes arrive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"

static int ntest;

/* Events rendered as "type|id|data;" so that streams compare as strings. */
struct seen {
	char text[4096];
	int stop_after;		/* stop the parse after this many; 0: never */
	int count;
};

/* The handler: append the event to the seen text. */
static int
record(const struct osb_sse_event *ev, void *arg)
{
	struct seen *s = arg;
	size_t used = strlen(s->text);

	snprintf(s->text + used, sizeof(s->text) - used, "%s|%s|%.*s;",
	    ev->type, ev->id, (int)ev->len, ev->data);
	s->count++;
	return s->stop_after && s->count >= s->stop_after ? -1 : 0;
}

/* One TAP result. */
static void
ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, what);
}

/* Parse in, in pieces of size step (0: in two, cut at split). */
static int
parse(const char *in, size_t step, size_t split, struct seen *s)
{
	struct osb_sse p;
	size_t len = strlen(in), at = 0, n;
	int rc = 0;

	memset(s->text, 0, sizeof(s->text));
	s->count = 0;
	osb_sse_init(&p, record, s);
	if (step == 0) {
		rc = osb_sse_feed(&p, in, split);
		if (rc == 0)
			rc = osb_sse_feed(&p, in + split, len - split);
	}
	for (; step && at < len && rc == 0; at += n) {
		n = step < len - at ? step : len - at;
		rc = osb_sse_feed(&p, in + at, n);
	}
	osb_sse_free(&p);
	return rc;
}

/* in gives want however it is cut. */
static void
check(const char *what, const char *in, const char *want)
{
	struct seen s = { .stop_after = 0 };
	size_t split, len = strlen(in);
	int good = 1;

	parse(in, len ? len : 1, 0, &s);
	if (strcmp(s.text, want) != 0) {
		printf("# whole: got '%s' want '%s'\n", s.text, want);
		good = 0;
	}
	parse(in, 1, 0, &s);
	if (strcmp(s.text, want) != 0) {
		printf("# bytewise: got '%s'\n", s.text);
		good = 0;
	}
	for (split = 0; split <= len; split++) {
		parse(in, 0, split, &s);
		if (strcmp(s.text, want) != 0) {
			printf("# split at %zu: got '%s'\n", split, s.text);
			good = 0;
			break;
		}
	}
	ok(good, what);
}

/* A handler can stop the parse. */
static void
test_stop(void)
{
	struct seen s = { .stop_after = 1 };
	int rc;

	rc = parse("data: a\n\ndata: b\n\n", 100, 0, &s);
	ok(rc == -1 && strcmp(s.text, "||a;") == 0,
	    "a handler returning -1 stops the parse");
}

/* retry: is kept for a reconnecting caller. */
static void
test_retry(void)
{
	struct osb_sse p;
	struct seen s = { .stop_after = 0 };
	const char *in = "retry: 2500\nretry: x\ndata: r\n\n";

	osb_sse_init(&p, record, &s);
	osb_sse_feed(&p, in, strlen(in));
	ok(p.retry == 2500, "retry: keeps the last all-digit value");
	osb_sse_free(&p);
}

/* Lines longer than any buffer size grow as needed. */
static void
test_big_line(void)
{
	struct seen s = { .stop_after = 0 };
	size_t n = 1 << 20;
	char *in = malloc(n + 16);

	memcpy(in, "data: ", 6);
	memset(in + 6, 'x', n);
	memcpy(in + 6 + n, "\n\n", 3);
	memset(s.text, 0, sizeof(s.text));
	{
		struct osb_sse p;

		osb_sse_init(&p, record, &s);
		osb_sse_feed(&p, in, strlen(in));
		osb_sse_free(&p);
	}
	ok(s.count == 1, "a 1 MiB data line arrives as one event");
	free(in);
}

int
main(void)
{
	check("standard data: frame", "data: {\"a\":1}\n\n", "||{\"a\":1};");
	check("data lines are joined with a newline",
	    "data: a\ndata: b\ndata:\n\n", "||a\nb\n;");
	check("Go execd bare JSON objects",
	    "{\"type\":\"init\",\"text\":\"x\"}\n\n{\"type\":\"stdout\"}\n\n",
	    "||{\"type\":\"init\",\"text\":\"x\"};||{\"type\":\"stdout\"};");
	check("both framings in one stream",
	    "{\"n\":1}\n\ndata: {\"n\":2}\n\n", "||{\"n\":1};||{\"n\":2};");
	check("CRLF line ends", "data: x\r\n\r\ndata: y\r\n\r\n", "||x;||y;");
	check("CR line ends", "data: x\r\rdata: y\r\r", "||x;||y;");
	check("comments are skipped", ": hi\ndata: x\n: mid\n\n: alone\n\n",
	    "||x;");
	check("event: and id: fields", "event: foo\nid: 7\ndata: z\n\n"
	    "data: w\n\n", "foo|7|z;|7|w;");
	check("a field with no colon has an empty value", "data\n\n", "||;");
	check("only one space after the colon is dropped",
	    "data:x\n\ndata:  y\n\n", "||x;|| y;");
	check("a frame without data is not an event", "event: e\n\ndata: d\n\n",
	    "||d;");
	check("unknown fields are ignored", "foo: bar\ndata: x\nbaz\n\n",
	    "||x;");
	check("an unfinished event is not delivered", "data: x\n\ndata: y\n",
	    "||x;");
	check("blank lines alone give nothing", "\n\n\r\n\n", "");
	test_stop();
	test_retry();
	test_big_line();
	printf("1..%d\n", ntest);
	return 0;
}

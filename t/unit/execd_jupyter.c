/*
 * execd_jupyter.c — osb-execd's Jupyter message parser (jupyter_msg.c):
 * frames signed right parse, whatever identities come first; a wrong or
 * missing signature, a missing delimiter or part, or a part that is not
 * a JSON object drops the message; strings may hold U+0000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jupyter_msg.h"
#include "kernel_libs.h"

static int ntest;

/* One TAP result. */
static void
ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, what);
}

/* A message: nid identity frames, the delimiter, a signature (of the
 * four JSON parts, or sig when given), the parts. n frames in f. */
struct built {
	struct jupyter_frame f[12];
	int n;
	char sig[JUPYTER_SIG_HEX + 1];
};

static void
build(struct jupyter_session *s, struct built *b, int nid,
    const char *const json[4], const char *sig)
{
	const void *part[4];
	size_t len[4];
	int k;

	b->n = 0;
	for (k = 0; k < nid; k++) {
		b->f[b->n].data = "identity";
		b->f[b->n++].len = 8;
	}
	b->f[b->n].data = "<IDS|MSG>";
	b->f[b->n++].len = 9;
	for (k = 0; k < 4; k++) {
		part[k] = json[k];
		len[k] = strlen(json[k]);
	}
	if (sig)
		snprintf(b->sig, sizeof(b->sig), "%s", sig);
	else if (jupyter_sign(s, part, len, 4, b->sig) < 0)
		b->sig[0] = '\0';
	b->f[b->n].data = b->sig;
	b->f[b->n++].len = strlen(b->sig);
	for (k = 0; k < 4; k++) {
		b->f[b->n].data = json[k];
		b->f[b->n++].len = len[k];
	}
}

int
main(void)
{
	static const char *const good[4] = {
		"{\"msg_id\":\"m2\",\"msg_type\":\"stream\"}",
		"{\"msg_id\":\"m1\"}", "{}",
		"{\"name\":\"stdout\",\"text\":\"a\\u0000b\\n\"}"
	};
	static const char *const no_type[4] = {
		"{\"msg_id\":\"m2\"}", "{}", "{}", "{}"
	};
	static const char *const not_object[4] = {
		"{\"msg_type\":\"x\"}", "{}", "[]", "{}"
	};
	static const char *const not_json[4] = {
		"{\"msg_type\":\"x\"}", "{}", "{}", "{\"text\":"
	};
	struct jupyter_session *s, *other;
	struct jupyter_msg msg;
	struct built b;
	json_t *text;
	char err[256];

	if (kernel_libs_load(err, sizeof(err)) < 0) {
		printf("1..0 # SKIP %s\n", err);
		return 0;
	}
	s = jupyter_session_new("secret");
	other = jupyter_session_new("another key");
	ok(s != NULL && other != NULL, "sessions with keys");

	build(s, &b, 2, good, NULL);
	ok(jupyter_parse(s, b.f, b.n, &msg) == 0 &&
	    strcmp(msg.type, "stream") == 0 &&
	    strcmp(msg.parent_id, "m1") == 0,
	    "a signed message after two identities parses");
	text = json_object_get(msg.content, "text");
	ok(json_string_length(text) == 4 &&
	    memcmp(json_string_value(text), "a\0b\n", 4) == 0,
	    "a string holding U+0000 is kept whole");
	jupyter_msg_free(&msg);

	build(s, &b, 0, good, NULL);
	ok(jupyter_parse(s, b.f, b.n, &msg) == 0, "no identities parse too");
	jupyter_msg_free(&msg);

	build(s, &b, 1, good, NULL);
	ok(jupyter_parse(other, b.f, b.n, &msg) == -1,
	    "signed with another key: dropped");
	build(s, &b, 1, good, "0123");
	ok(jupyter_parse(s, b.f, b.n, &msg) == -1, "a short signature: dropped");
	build(s, &b, 1, good, "");
	ok(jupyter_parse(s, b.f, b.n, &msg) == -1, "no signature: dropped");
	build(s, &b, 1, good, NULL);
	b.f[1].data = "<IDS|MSX>";
	ok(jupyter_parse(s, b.f, b.n, &msg) == -1, "no delimiter: dropped");
	build(s, &b, 1, good, NULL);
	ok(jupyter_parse(s, b.f, b.n - 1, &msg) == -1,
	    "a part missing: dropped");
	build(s, &b, 1, no_type, NULL);
	ok(jupyter_parse(s, b.f, b.n, &msg) == -1, "no msg_type: dropped");
	build(s, &b, 1, not_object, NULL);
	ok(jupyter_parse(s, b.f, b.n, &msg) == -1,
	    "a part that is not an object: dropped");
	build(s, &b, 1, not_json, NULL);
	ok(jupyter_parse(s, b.f, b.n, &msg) == -1,
	    "a part that is not JSON: dropped");
	ok(msg.header == NULL && msg.content == NULL,
	    "a dropped message holds nothing");
	jupyter_session_free(s);
	jupyter_session_free(other);
	printf("1..%d\n", ntest);
	return 0;
}

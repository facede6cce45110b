/*
 * execd_jupyter.c — libFuzzer harness for osb-execd's Jupyter message
 * parser: the input is frames cut at each 0xff byte. When the first byte
 * is odd, the frame after the delimiter gets the right signature of the
 * four after it, so that the JSON parts are reached; a message parsed
 * must hold all four parts and a type.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jupyter_msg.h"
#include "kernel_libs.h"

#define MAX_FRAMES 16

static struct jupyter_session *session;

/* Cut data into frames at 0xff bytes; their count. */
static int
cut(const uint8_t *data, size_t size, struct jupyter_frame *f)
{
	size_t start = 0, i;
	int n = 0;

	for (i = 0; i <= size && n < MAX_FRAMES; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		f[n].data = data + start;
		f[n++].len = i - start;
		start = i + 1;
	}
	return n;
}

/* Sign the four frames after the delimiter, into sig. */
static void
sign_after_delimiter(struct jupyter_frame *f, int n, char *sig)
{
	const void *part[4];
	size_t len[4];
	int d, k;

	for (d = 0; d < n; d++)
		if (f[d].len == 9 && memcmp(f[d].data, "<IDS|MSG>", 9) == 0)
			break;
	if (d + 5 >= n)
		return;
	for (k = 0; k < 4; k++) {
		part[k] = f[d + 2 + k].data;
		len[k] = f[d + 2 + k].len;
	}
	if (jupyter_sign(session, part, len, 4, sig) == 0) {
		f[d + 1].data = sig;
		f[d + 1].len = JUPYTER_SIG_HEX;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jupyter_frame f[MAX_FRAMES];
	struct jupyter_msg msg;
	char sig[JUPYTER_SIG_HEX + 1], err[256];
	int n;

	if (session == NULL) {
		if (kernel_libs_load(err, sizeof(err)) < 0 ||
		    (session = jupyter_session_new("fuzz")) == NULL) {
			fprintf(stderr, "%s\n", err);
			abort();
		}
	}
	if (size == 0)
		return 0;
	n = cut(data + 1, size - 1, f);
	if (data[0] & 1)
		sign_after_delimiter(f, n, sig);
	if (jupyter_parse(session, f, n, &msg) == 0) {
		if (msg.header == NULL || msg.parent == NULL ||
		    msg.metadata == NULL || msg.content == NULL ||
		    msg.type == NULL || msg.parent_id == NULL)
			abort();
		jupyter_msg_free(&msg);
	}
	return 0;
}

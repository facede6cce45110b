/*
 * pty_replay.c — a PTY session's replay buffer: the last
 * PTY_REPLAY_SIZE bytes of output in a ring, the byte at absolute offset
 * o at o % PTY_REPLAY_SIZE, so that a client that comes back can ask for
 * what it missed from where it left off.
 */
#include <stdlib.h>
#include <string.h>

#include "pty.h"

int
pty_replay_add(struct pty_replay *r, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t at, first;

	if (r->buf == NULL && (r->buf = malloc(PTY_REPLAY_SIZE)) == NULL)
		return -1;
	if (n > PTY_REPLAY_SIZE) {
		r->total += (int64_t)(n - PTY_REPLAY_SIZE);
		p += n - PTY_REPLAY_SIZE;
		n = PTY_REPLAY_SIZE;
	}
	at = (size_t)(r->total % PTY_REPLAY_SIZE);
	first = n < PTY_REPLAY_SIZE - at ? n : PTY_REPLAY_SIZE - at;
	memcpy(r->buf + at, p, first);
	memcpy(r->buf, p + first, n - first);
	r->total += (int64_t)n;
	return 0;
}

void
pty_replay_from(const struct pty_replay *r, int64_t since, int64_t *start,
    const unsigned char **a, size_t *alen, const unsigned char **b,
    size_t *blen)
{
	int64_t oldest = r->total - PTY_REPLAY_SIZE;
	size_t at, count;

	if (oldest < 0)
		oldest = 0;
	if (since < oldest)
		since = oldest;
	*start = since;
	*alen = *blen = 0;
	*a = *b = NULL;
	if (since >= r->total)
		return;
	count = (size_t)(r->total - since);
	at = (size_t)(since % PTY_REPLAY_SIZE);
	*a = r->buf + at;
	*alen = count < PTY_REPLAY_SIZE - at ? count : PTY_REPLAY_SIZE - at;
	*b = r->buf;
	*blen = count - *alen;
}

void
pty_replay_free(struct pty_replay *r)
{
	free(r->buf);
	r->buf = NULL;
}

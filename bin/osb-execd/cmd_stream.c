/*
 * cmd_stream.c — what commands and sessions send: the queue between the
 * thread reading a child's output and the SSE stream of the request that
 * started it, and the events themselves.
 */
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"

/* Text queued for a slow stream before the reader stops reading. */
#define EVQ_MAX_BYTES (1024 * 1024)

static const char *const stream_type[2] = { "stdout", "stderr" };

struct evq_item {
	struct evq_item *next;
	json_t *ev;
	size_t size;
};

struct evq {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct evq_item *head, **tail;	/* oldest first */
	size_t bytes;
	int ended;
	int listening;
	int refs;
};

/* An empty queue with both references taken; NULL when out of memory. */
struct evq *
evq_new(void)
{
	struct evq *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	pthread_mutex_init(&q->lock, NULL);
	cmd_cond_init(&q->cond);
	q->tail = &q->head;
	q->listening = 1;
	q->refs = 2;
	return q;
}

/* Drop every queued event. Called with the lock held. */
static void
evq_clear(struct evq *q)
{
	struct evq_item *it;

	while ((it = q->head) != NULL) {
		q->head = it->next;
		json_decref(it->ev);
		free(it);
	}
	q->tail = &q->head;
	q->bytes = 0;
}

/* Release one side's reference; the last one frees the queue. */
static void
evq_unref(struct evq *q)
{
	int last;

	pthread_mutex_lock(&q->lock);
	last = --q->refs == 0;
	pthread_mutex_unlock(&q->lock);
	if (!last)
		return;
	evq_clear(q);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* Queue ev (stolen) for the stream; dropped once it is gone. */
void
evq_push(struct evq *q, json_t *ev)
{
	struct evq_item *it;
	json_t *text;

	if (ev == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	if (!q->listening || (it = malloc(sizeof(*it))) == NULL) {
		pthread_mutex_unlock(&q->lock);
		json_decref(ev);
		return;
	}
	it->ev = ev;
	text = json_object_get(ev, "text");
	it->size = text ? json_string_length(text) : 0;
	it->next = NULL;
	*q->tail = it;
	q->tail = &it->next;
	q->bytes += it->size;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

/* The producer is done: the stream ends after what is queued. */
void
evq_end(struct evq *q)
{
	pthread_mutex_lock(&q->lock);
	q->ended = 1;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	evq_unref(q);
}

/* Wait while a listening stream has too much text queued; 1: room. */
int
evq_wait_room(struct evq *q, int timeout_ms)
{
	int64_t deadline = cmd_clock_ms() + timeout_ms;
	int room;

	pthread_mutex_lock(&q->lock);
	while (q->listening && q->bytes > EVQ_MAX_BYTES &&
	    cmd_cond_wait(&q->cond, &q->lock, deadline) != ETIMEDOUT)
		;
	room = !q->listening || q->bytes <= EVQ_MAX_BYTES;
	pthread_mutex_unlock(&q->lock);
	return room;
}

/* The next event: 1 with *ev, 0 after timeout_ms, -1 at the end. */
int
evq_next(void *arg, json_t **ev, int timeout_ms)
{
	struct evq *q = arg;
	int64_t deadline = cmd_clock_ms() + timeout_ms;
	struct evq_item *it;
	int rc;

	pthread_mutex_lock(&q->lock);
	while (q->head == NULL && !q->ended &&
	    cmd_cond_wait(&q->cond, &q->lock, deadline) != ETIMEDOUT)
		;
	if ((it = q->head) != NULL) {
		if ((q->head = it->next) == NULL)
			q->tail = &q->head;
		q->bytes -= it->size;
		pthread_cond_broadcast(&q->cond);
		*ev = it->ev;
		free(it);
		rc = 1;
	} else
		rc = q->ended ? -1 : 0;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

/* The stream is gone: drop what it did not take, and its reference. */
void
evq_detach(void *arg)
{
	struct evq *q = arg;

	pthread_mutex_lock(&q->lock);
	q->listening = 0;
	evq_clear(q);
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	evq_unref(q);
}

/*
 * The length of the UTF-8 sequence at p (n bytes there): > 0 when valid,
 * 0 when it is cut short by the end of the data, -1 when invalid.
 */
static int
utf8_sequence(const unsigned char *p, size_t n)
{
	uint32_t cp, min;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2, cp = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3, cp = p[0] & 0x0f, min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4, cp = p[0] & 0x07, min = 0x10000;
	} else
		return -1;
	for (i = 1; i < len; i++) {
		if (i >= n)
			return 0;
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	return (int)len;
}

/*
 * Copy src to dst (room for 3 bytes per source byte) as valid UTF-8.
 * Returns the bytes written; *used is how much of src went, the rest is
 * the start of a sequence cut short (only when !flush).
 */
static size_t
utf8_clean(const unsigned char *src, size_t n, char *dst, int flush,
    size_t *used)
{
	size_t i = 0, o = 0;
	int len;

	while (i < n) {
		len = utf8_sequence(src + i, n - i);
		if (len == 0 && !flush)
			break;
		if (len <= 0) {
			memcpy(dst + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(dst + o, src + i, (size_t)len);
		o += (size_t)len;
		i += (size_t)len;
	}
	*used = i;
	return o;
}

/*
 * A TYPE event with data as UTF-8 after what carry held; an incomplete
 * sequence at the end waits in carry unless flush. NULL: nothing to send.
 */
static json_t *
text_event(const char *type, struct utf8_carry *carry, const char *data,
    size_t len, int flush)
{
	unsigned char *src;
	char *clean;
	size_t n = carry->n + len, used, out;
	json_t *ev = NULL;

	if (n == 0)
		return NULL;
	src = malloc(n);
	clean = malloc(n * 3);
	if (src == NULL || clean == NULL)
		goto out;
	memcpy(src, carry->b, carry->n);
	memcpy(src + carry->n, data, len);
	out = utf8_clean(src, n, clean, flush, &used);
	carry->n = n - used;
	memcpy(carry->b, src + used, carry->n);
	if (out > 0)
		ev = json_pack("{s:s, s:s%}", "type", type, "text", clean,
		    out);
out:
	free(src);
	free(clean);
	return ev;
}

/* Read a piece of output and queue it; see command.h. */
ssize_t
cmd_read_output(int *fd, int which, struct utf8_carry *carry, struct evq *q,
    char *buf)
{
	ssize_t n = read(*fd, buf, CMD_READ_CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return -1;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		if (q)
			evq_push(q, text_event(stream_type[which], carry,
			    NULL, 0, 1));
		return 0;
	}
	if (q)
		evq_push(q, text_event(stream_type[which], carry, buf,
		    (size_t)n, 0));
	return n;
}

/* The last events of a run. */
void
cmd_last_events(struct evq *q, struct utf8_carry carry[2], int code,
    const char *why, int64_t execution_ms)
{
	char evalue[16];
	int i;

	for (i = 0; i < 2; i++)
		evq_push(q, text_event(stream_type[i], &carry[i], NULL, 0, 1));
	if (why == NULL)
		evq_push(q, cmd_complete_event(execution_ms));
	else {
		snprintf(evalue, sizeof(evalue), "%d", code);
		evq_push(q, cmd_error_event(evalue, why));
	}
}

/* {"type":"init","text":ID} */
json_t *
cmd_init_event(const char *id)
{
	return json_pack("{s:s, s:s}", "type", "init", "text", id);
}

/* {"type":"execution_complete","execution_time":MS} */
json_t *
cmd_complete_event(int64_t execution_ms)
{
	return json_pack("{s:s, s:I}", "type", "execution_complete",
	    "execution_time", (json_int_t)execution_ms);
}

/* {"type":"error","error":{"ename":"CommandExecError",...}} */
json_t *
cmd_error_event(const char *evalue, const char *traceback)
{
	return json_pack("{s:s, s:{s:s, s:s, s:[s]}}", "type", "error",
	    "error", "ename", "CommandExecError", "evalue", evalue,
	    "traceback", traceback);
}

/* A wait status as Go's os/exec words it: "exit status 3", "signal: killed". */
void
cmd_exit_describe(int wstatus, struct cmd_exit *e)
{
	const char *name;

	if (WIFSIGNALED(wstatus)) {
		name = strsignal(WTERMSIG(wstatus));
		e->code = -1;
		snprintf(e->text, sizeof(e->text), "signal: %c%s%s",
		    tolower((unsigned char)name[0]), name + 1,
		    WCOREDUMP(wstatus) ? " (core dumped)" : "");
		return;
	}
	e->code = WEXITSTATUS(wstatus);
	if (e->code)
		snprintf(e->text, sizeof(e->text), "exit status %d", e->code);
	else
		e->text[0] = '\0';
}

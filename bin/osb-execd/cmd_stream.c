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

/* Read a piece of output and queue it; see command.h. */
ssize_t
cmd_read_output(int *fd, int which, struct out_frame *f, struct evq *q,
    char *buf)
{
	ssize_t n = read(*fd, buf, CMD_READ_CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return -1;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		cmd_frame_output(f, stream_type[which], q, NULL, 0, 1);
		return 0;
	}
	cmd_frame_output(f, stream_type[which], q, buf, (size_t)n, 0);
	return n;
}

/* The last events of a run. */
void
cmd_last_events(struct evq *q, struct out_frame *frame, int code,
    const char *why, int64_t execution_ms)
{
	char evalue[16];
	int i;

	for (i = 0; i < 2; i++)
		cmd_frame_output(&frame[i], stream_type[i], q, NULL, 0, 1);
	if (why == NULL)
		evq_push(q, cmd_complete_event(execution_ms));
	else {
		snprintf(evalue, sizeof(evalue), "%d", code);
		evq_push(q, cmd_error_event(evalue, why));
	}
}

/*
 * {"type":"init","text":ID}; with raw framing it says so, for a client to
 * tell that the server honoured the extension.
 */
json_t *
cmd_init_event(const char *id, int raw)
{
	json_t *ev = json_pack("{s:s, s:s}", "type", "init", "text", id);

	if (ev != NULL && raw)
		json_object_set_new(ev, "osb_framing", json_string("raw"));
	return ev;
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

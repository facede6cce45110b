/*
 * cmd_run.c — what running a command and running in a session share
 * besides their events: clocks and waits, ids, reader threads, the
 * interrupt, and the members of a run request.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "command.h"

/* The stack of a reader thread: it holds one read buffer and little else. */
#define THREAD_STACK (256 * 1024)

/* Monotonic milliseconds. */
int64_t
cmd_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Initialise cond to time its waits on CLOCK_MONOTONIC. */
void
cmd_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
}

/* Wait on cond until deadline_ms; 0, or ETIMEDOUT. */
int
cmd_cond_wait(pthread_cond_t *cond, pthread_mutex_t *lock,
    int64_t deadline_ms)
{
	struct timespec ts;

	ts.tv_sec = deadline_ms / 1000;
	ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000;
	return pthread_cond_timedwait(cond, lock, &ts);
}

/* A random version 4 uuid, dashed or as 32 hex digits. */
void
cmd_random_id(char *buf, size_t len, int dashed)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t i, o = 0, dash;

	arc4random_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;	/* a version 4 uuid, as Go's */
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0; i < sizeof(b); i++) {
		dash = dashed && (i == 4 || i == 6 || i == 8 || i == 10);
		if (o + 2 + dash >= len)
			break;
		if (dash)
			buf[o++] = '-';
		buf[o++] = hex[b[i] >> 4];
		buf[o++] = hex[b[i] & 15];
	}
	buf[o] = '\0';
}

/* Start a detached thread; 0, or -1 when it can't be had. */
int
cmd_thread_start(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	rc = pthread_create(&tid, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc == 0 ? 0 : -1;
}

/* Milliseconds from now to until for poll(2); -1 for no end. */
int
cmd_poll_timeout(int64_t until, int64_t now, int reap_poll)
{
	int64_t t = until == INT64_MAX ? INT64_MAX : until - now;

	if (reap_poll && t > CMD_REAP_POLL_MS)
		t = CMD_REAP_POLL_MS;
	if (t == INT64_MAX)
		return -1;
	return t < 0 ? 0 : t > INT_MAX ? INT_MAX : (int)t;
}

/* Signal after signal, each waited on, until it no longer runs. */
void
cmd_stop_locked(const struct cmd_stop *st, const int *sigs, size_t n)
{
	int64_t deadline;
	pid_t group;
	size_t i;

	for (i = 0; i < n && st->running(st->arg); i++) {
		if ((group = st->group(st->arg)) > 0)
			kill(-group, sigs[i]);
		deadline = cmd_clock_ms() + CMD_GRACE_MS;
		while (st->running(st->arg) && cmd_cond_wait(st->cond,
		    st->lock, deadline) != ETIMEDOUT)
			;
	}
}

/* "command": required, a non-empty string. */
int
cmd_parse_command(json_t *doc, const char **command, char *err,
    size_t errlen)
{
	json_t *v = json_object_get(doc, "command");

	if (!json_is_string(v) || json_string_length(v) == 0) {
		snprintf(err, errlen, "\"command\" is required: a non-empty "
		    "string");
		return -1;
	}
	*command = json_string_value(v);
	return 0;
}

/* "cwd": a string. */
int
cmd_parse_cwd(json_t *doc, const char **cwd, char *err, size_t errlen)
{
	json_t *v = json_object_get(doc, "cwd");

	*cwd = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "\"cwd\" must be a string");
		return -1;
	}
	*cwd = json_string_value(v);
	return 0;
}

/* "timeout": milliseconds, a non-negative integer. */
int
cmd_parse_timeout(json_t *doc, int64_t *timeout_ms, char *err,
    size_t errlen)
{
	json_t *v = json_object_get(doc, "timeout");

	*timeout_ms = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "\"timeout\" must be a non-negative "
		    "integer (milliseconds)");
		return -1;
	}
	*timeout_ms = json_integer_value(v);
	return 0;
}

/* "osb_framing": "lines" or "raw"; see command.h. */
int
cmd_parse_framing(json_t *doc, int *raw, char *err, size_t errlen)
{
	json_t *v = json_object_get(doc, "osb_framing");
	const char *s = json_string_value(v);

	*raw = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (s == NULL || (strcmp(s, "lines") != 0 && strcmp(s, "raw") != 0)) {
		snprintf(err, errlen, "\"osb_framing\" must be \"lines\" or "
		    "\"raw\"");
		return -1;
	}
	*raw = strcmp(s, "raw") == 0;
	return 0;
}

/* start_ms + timeout_ms; a timeout past the end of time is none. */
int64_t
cmd_deadline(int64_t start_ms, int64_t timeout_ms)
{
	if (timeout_ms > 0 && timeout_ms < INT64_MAX - start_ms)
		return start_ms + timeout_ms;
	return 0;
}

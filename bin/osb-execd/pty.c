/*
 * pty.c — the /pty routes and the registry of PTY sessions; the process
 * is pty_proc.c's, the WebSocket pty_ws.c's.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "log.h"
#include "pty.h"

/* The registry. Lock order: pty_lock, then a session's lock. */
static pthread_mutex_t pty_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pty_session *sessions;

/* References are atomic: taken with or without either lock held. */
void
pty_ref(struct pty_session *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

void
pty_unref(struct pty_session *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (s->in_fd >= 0)
		close(s->in_fd);
	pty_replay_free(&s->replay);
	pthread_mutex_destroy(&s->lock);
	free(s->cwd);
	free(s->command);
	free(s);
}

/* The session called id with a reference taken, or NULL. */
static struct pty_session *
pty_find(const char *id)
{
	struct pty_session *s;

	pthread_mutex_lock(&pty_lock);
	for (s = sessions; s; s = s->next)
		if (strcmp(s->id, id) == 0)
			break;
	if (s)
		pty_ref(s);
	pthread_mutex_unlock(&pty_lock);
	return s;
}

/* 404 for a session that is not there. */
static int
not_found(struct osb_req *req, const char *id)
{
	return osb_reply_error(req, 404, "CONTEXT_NOT_FOUND",
	    "pty session %s not found", id);
}

/* An optional string member of a create body; 0, or -1 with err set. */
static int
optional_string(json_t *doc, const char *name, const char **out, char *err,
    size_t errlen)
{
	json_t *v = json_object_get(doc, name);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "\"%s\" must be a string", name);
		return -1;
	}
	*out = *json_string_value(v) ? json_string_value(v) : NULL;
	return 0;
}

/* A new session for a create body (NULL: none); replies on failure. */
static struct pty_session *
pty_new(struct osb_req *req, json_t *doc)
{
	const char *cwd = NULL, *command = NULL;
	struct pty_session *s;
	char err[512], *dir = NULL;

	if (doc != NULL && (!json_is_object(doc) ||
	    optional_string(doc, "cwd", &cwd, err, sizeof(err)) < 0 ||
	    optional_string(doc, "command", &command, err, sizeof(err)) < 0)) {
		if (!json_is_object(doc))
			snprintf(err, sizeof(err), "the body must be a JSON "
			    "object");
		osb_reply_error(req, 400, OSB_E_INVALID, "error parsing "
		    "request: %s", err);
		return NULL;
	}
	if (cmd_resolve_dir(cwd, environ, 1, &dir, err, sizeof(err)) < 0) {
		osb_reply_error(req, 500, OSB_E_RUNTIME, "error creating pty "
		    "session: %s", err);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (command && (s->command = strdup(command)) == NULL)) {
		free(s);
		free(dir);
		osb_reply_error(req, 500, OSB_E_RUNTIME, "out of memory");
		return NULL;
	}
	s->cwd = dir;
	s->in_fd = -1;
	s->refs = 1;
	pthread_mutex_init(&s->lock, NULL);
	cmd_random_id(s->id, sizeof(s->id), 1);
	return s;
}

/* POST /pty */
int
pty_create(struct osb_req *req)
{
	struct pty_session *s;
	json_t *doc = NULL;

	if (req->body.len > 0 && (doc = osb_req_json(req)) == NULL)
		return 0;
	s = pty_new(req, doc);
	json_decref(doc);
	if (s == NULL)
		return 0;
	pthread_mutex_lock(&pty_lock);
	s->next = sessions;
	sessions = s;
	pthread_mutex_unlock(&pty_lock);
	execd_log(LOG_INFO_, "created pty session %s", s->id);
	return osb_reply_json(req, 201, json_pack("{s:s}", "session_id",
	    s->id));
}

/* GET /pty/{id} */
int
pty_status(struct osb_req *req)
{
	struct pty_session *s;
	json_t *doc;

	if ((s = pty_find(req->params[0])) == NULL)
		return not_found(req, req->params[0]);
	pthread_mutex_lock(&s->lock);
	doc = json_pack("{s:s, s:b, s:I}", "session_id", s->id, "running",
	    s->running, "output_offset", (json_int_t)s->replay.total);
	pthread_mutex_unlock(&s->lock);
	pty_unref(s);
	return osb_reply_json(req, 200, doc);
}

/* Take s out of the registry; 0, or -1 when it was not in it. */
static int
pty_unlink(struct pty_session *s)
{
	struct pty_session **pp;
	int found = 0;

	pthread_mutex_lock(&pty_lock);
	for (pp = &sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			found = 1;
			break;
		}
	pthread_mutex_unlock(&pty_lock);
	return found ? 0 : -1;
}

/*
 * Kill the process's group; its output thread then tells the client how
 * it ended. A session whose process never started ends its client here.
 */
static void
pty_kill(struct pty_session *s)
{
	pthread_mutex_lock(&s->lock);
	if (s->running)
		kill(-s->pid, SIGKILL);
	else if (s->client) {
		osb_ws_close(s->client, OSB_WS_GOING_AWAY, "session deleted");
		osb_ws_shutdown(s->client);
	}
	pthread_mutex_unlock(&s->lock);
}

/* DELETE /pty/{id} */
int
pty_delete(struct osb_req *req)
{
	struct pty_session *s;

	if ((s = pty_find(req->params[0])) == NULL)
		return not_found(req, req->params[0]);
	pty_kill(s);
	if (pty_unlink(s) == 0)
		pty_unref(s);	/* the registry's */
	pty_unref(s);
	execd_log(LOG_INFO_, "deleted pty session %s", req->params[0]);
	return osb_reply_empty(req, 200);
}

/* A query argument as an int64, dflt when absent or not a number. */
static int64_t
query_int64(struct osb_req *req, const char *name, int64_t dflt)
{
	const char *v = osb_req_query(req, name), *errstr;
	long long n;

	if (v == NULL)
		return dflt;
	n = strtonum(v, 0, INT64_MAX, &errstr);
	return errstr ? dflt : n;
}

/*
 * GET /pty/{id}/ws: 404 and 409 (someone is connected and this is not a
 * takeover) are answered before the switch, as upstream does.
 */
int
pty_ws(struct osb_req *req)
{
	const char *takeover = osb_req_query(req, "takeover");
	const char *pty = osb_req_query(req, "pty");
	struct pty_conn *pc;
	struct pty_session *s;
	int busy;

	if ((s = pty_find(req->params[0])) == NULL)
		return not_found(req, req->params[0]);
	pthread_mutex_lock(&s->lock);
	busy = s->client != NULL;
	pthread_mutex_unlock(&s->lock);
	if (busy && (takeover == NULL || strcmp(takeover, "1") != 0)) {
		pty_unref(s);
		return osb_reply_error(req, 409, "ALREADY_CONNECTED",
		    "another client is already connected to pty session %s",
		    req->params[0]);
	}
	if ((pc = calloc(1, sizeof(*pc))) == NULL) {
		pty_unref(s);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	}
	pc->s = s;
	pc->takeover = takeover != NULL && strcmp(takeover, "1") == 0;
	pc->pipe_mode = pty != NULL && strcmp(pty, "0") == 0;
	pc->since = query_int64(req, "since", 0);
	return osb_reply_websocket(req, pty_ws_run, pty_conn_free, pc);
}

void
pty_conn_free(void *arg)
{
	struct pty_conn *pc = arg;

	pty_unref(pc->s);
	free(pc);
}

void
pty_shutdown(void)
{
	struct pty_session *s;

	pthread_mutex_lock(&pty_lock);
	for (s = sessions; s; s = s->next) {
		pthread_mutex_lock(&s->lock);
		if (s->running)
			kill(-s->pid, SIGKILL);
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_unlock(&pty_lock);
}

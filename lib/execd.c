/*
 * execd.c — the command and session calls of the execd API.
 *
 * Streams are read as they arrive: body bytes go through the SSE parser,
 * each event's JSON to the caller, so output shows up while the command
 * is still running.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "execd.h"
#include "http.h"
#include "sse.h"
#include "util.h"

/* A stream being read. */
struct stream {
	struct osb_sse sse;
	const struct osb_execd_stream *st;
	struct osb_error *err;
	const char *what;
	int bad;		/* the server sent something not an event */
	int events;		/* how many have come */
	volatile sig_atomic_t give_up;	/* asked to stop before the first */
};

/* An SSE event: its data must be a JSON object. */
static int
stream_event(const struct osb_sse_event *ev, void *arg)
{
	struct stream *s = arg;
	json_error_t jerr;
	json_t *doc;
	int rc;

	doc = json_loadb(ev->data, ev->len, JSON_ALLOW_NUL, &jerr);
	if (!json_is_object(doc)) {
		osb_error_set(s->err, 0, "", "%s: bad event from the server: "
		    "%s: %.80s", s->what, doc ? "not an object" : jerr.text,
		    ev->data);
		json_decref(doc);
		s->bad = 1;
		return -1;
	}
	s->events++;
	rc = s->st->on_event(doc, s->st->arg);
	json_decref(doc);
	return rc;
}

/* Body bytes of a stream, into the parser. */
static int
stream_sink(const char *data, size_t len, void *arg)
{
	struct stream *s = arg;

	return osb_sse_feed(&s->sse, data, len);
}

/* The transfer moves (or waits): time for the caller's idle work. */
static void
stream_progress(int64_t done, int64_t total, void *arg)
{
	struct stream *s = arg;

	if (s->st->stop != NULL && *s->st->stop && s->events == 0)
		s->give_up = 1;
	if (s->st->on_idle != NULL)
		s->st->on_idle(s->st->arg);
}

/*
 * POST body (a JSON document, taken) to path and read the reply as an
 * event stream. The request has no overall timeout: a command may run
 * for as long as it likes; its reply must begin within the endpoint's.
 */
int
osb_execd_post_stream(const struct osb_endpoint *ep, const char *path,
    json_t *body, const char *what, const struct osb_execd_stream *st,
    struct osb_error *err)
{
	struct osb_endpoint streaming = *ep;
	struct stream s = { .st = st, .err = err, .what = what };
	struct osb_error herr = { 0 };
	struct osb_http_req req = {
		.method = "POST", .path = path, .what = what,
		.content_type = "application/json",
		.sink = stream_sink, .sink_arg = &s,
	};
	char *text;
	int rc;

	if (body == NULL || (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		json_decref(body);
		osb_error_set(err, 0, "", "%s: out of memory", what);
		return -1;
	}
	json_decref(body);
	req.progress = stream_progress;
	req.progress_arg = &s;
	req.cancel = &s.give_up;
	/* The request timeout, for the reply to begin; none for the run. */
	req.reply_wait_s = ep->timeout_s;
	req.body = text;
	req.body_len = strlen(text);
	streaming.timeout_s = 0;
	osb_sse_init(&s.sse, stream_event, &s);
	rc = osb_http_do(&streaming, &req, NULL, &herr);
	/* A bad event already said what was wrong with it. */
	if (rc == -1 && !s.bad && err != NULL)
		*err = herr;
	osb_sse_free(&s.sse);
	free(text);
	return rc;
}

/*
 * Can text s (NULL: not given) go in a JSON body? Returns 0, or -1 with
 * err naming it: jansson refuses bytes that are not UTF-8, and an unnamed
 * failure would read as "out of memory" or drop the member unseen.
 */
int
osb_execd_check_text(const char *what, const char *name, const char *s,
    struct osb_error *err)
{
	if (s == NULL || osb_utf8_valid(s))
		return 0;
	osb_error_set(err, 0, "", "%s: the %s is not valid UTF-8, which the "
	    "API cannot carry", what, name);
	return -1;
}

/* Add key: value to obj when value is set (NULL-safe for strings). */
static void
set_string(json_t *obj, const char *key, const char *value)
{
	if (obj != NULL && value != NULL)
		json_object_set_new(obj, key, json_string(value));
}

/* Add key: value to obj. */
static void
set_integer(json_t *obj, const char *key, json_int_t value)
{
	if (obj != NULL)
		json_object_set_new(obj, key, json_integer(value));
}

int
osb_execd_run(const struct osb_endpoint *ep, const struct osb_execd_cmd *cmd,
    const struct osb_execd_stream *st, struct osb_error *err)
{
	json_t *body;

	if (osb_execd_check_text("run", "command", cmd->command, err) == -1 ||
	    osb_execd_check_text("run", "working directory", cmd->cwd,
	    err) == -1)
		return -1;
	body = json_pack("{s:s}", "command", cmd->command);
	set_string(body, "cwd", cmd->cwd);
	if (cmd->background)
		json_object_set_new(body, "background", json_true());
	if (cmd->timeout_ms > 0)
		set_integer(body, "timeout", cmd->timeout_ms);
	if (cmd->uid >= 0)
		set_integer(body, "uid", cmd->uid);
	if (cmd->gid >= 0)
		set_integer(body, "gid", cmd->gid);
	if (cmd->envs != NULL && body != NULL)
		json_object_set(body, "envs", cmd->envs);
	set_string(body, "osb_framing", "raw");
	return osb_execd_post_stream(ep, "/command", body, "run", st, err);
}

/* GET or DELETE path; the reply body parsed as JSON into *doc if wanted. */
static int
call(const struct osb_endpoint *ep, const char *method, const char *path,
    const char *what, const char *body, json_t **doc, struct osb_error *err)
{
	struct osb_http_req req = {
		.method = method, .path = path, .what = what,
	};
	struct osb_http_reply reply;
	json_error_t jerr;

	if (body != NULL) {
		req.body = body;
		req.body_len = strlen(body);
		req.content_type = "application/json";
	}
	if (osb_http_do(ep, &req, &reply, err) == -1) {
		/* A refusal's body is in the reply too. */
		osb_http_reply_free(&reply);
		return -1;
	}
	if (doc != NULL &&
	    (*doc = json_loadb(reply.body ? reply.body : "", reply.len, 0,
	    &jerr)) == NULL) {
		osb_error_set(err, reply.status, "", "%s: bad reply from the "
		    "server: %s", what, jerr.text);
		osb_http_reply_free(&reply);
		return -1;
	}
	osb_http_reply_free(&reply);
	return 0;
}

/* A request about one command or session: its path and its name. */
struct target {
	char path[1024];	/* prefix + escaped id + suffix */
	char what[320];		/* "status 42", for error messages */
};

/*
 * Fill t for verb on id at prefix + id + suffix. Returns 0, -1 with err
 * set when the id will not do.
 */
static int
target(struct target *t, const char *verb, const char *id,
    const char *prefix, const char *suffix, struct osb_error *err)
{
	char *e;
	int n;

	snprintf(t->what, sizeof(t->what), "%s %s", verb, id);
	if ((e = osb_http_escape(id)) == NULL) {
		osb_error_set(err, 0, "", "%s: out of memory", t->what);
		return -1;
	}
	n = snprintf(t->path, sizeof(t->path), "%s%s%s", prefix, e, suffix);
	free(e);
	if (n < 0 || (size_t)n >= sizeof(t->path)) {
		osb_error_set(err, 0, "", "%s: id too long", t->what);
		return -1;
	}
	return 0;
}

/*
 * method on prefix + id + suffix, without a body; the reply parsed into
 * *doc when doc is set.
 */
static int
call_target(const struct osb_endpoint *ep, const char *method,
    const char *verb, const char *id, const char *prefix, const char *suffix,
    json_t **doc, struct osb_error *err)
{
	struct target t = { 0 };

	if (target(&t, verb, id, prefix, suffix, err) == -1)
		return -1;
	return call(ep, method, t.path, t.what, NULL, doc, err);
}

int
osb_execd_status(const struct osb_endpoint *ep, const char *id,
    json_t **status, struct osb_error *err)
{
	return call_target(ep, "GET", "status", id, "/command/status/", "",
	    status, err);
}

int
osb_execd_logs(const struct osb_endpoint *ep, const char *id, int64_t cursor,
    char **text, size_t *len, int64_t *next, struct osb_error *err)
{
	struct osb_http_req req = { .method = "GET" };
	struct osb_http_reply reply;
	char suffix[48] = "/logs";
	struct target t = { 0 };
	const char *tail;

	if (cursor >= 0)
		snprintf(suffix, sizeof(suffix), "/logs?cursor=%" PRId64,
		    cursor);
	if (target(&t, "logs", id, "/command/", suffix, err) == -1)
		return -1;
	req.path = t.path;
	req.what = t.what;
	if (osb_http_do(ep, &req, &reply, err) == -1) {
		osb_http_reply_free(&reply);
		return -1;
	}
	tail = osb_http_reply_header(&reply, "EXECD-COMMANDS-TAIL-CURSOR");
	*next = tail ? strtoll(tail, NULL, 10) : -1;
	*len = reply.len;
	*text = reply.body ? reply.body : strdup("");
	reply.body = NULL;
	osb_http_reply_free(&reply);
	if (*text == NULL) {
		osb_error_set(err, 0, "", "%s: out of memory", t.what);
		return -1;
	}
	return 0;
}

int
osb_execd_interrupt(const struct osb_endpoint *ep, const char *id,
    struct osb_error *err)
{
	return call_target(ep, "DELETE", "interrupt", id, "/command?id=", "",
	    NULL, err);
}

int
osb_execd_session_create(const struct osb_endpoint *ep, const char *cwd,
    char **id, struct osb_error *err)
{
	json_t *body = json_object(), *doc = NULL;
	const char *sid;
	char *text;
	int rc;

	if (osb_execd_check_text("create session", "working directory", cwd,
	    err) == -1) {
		json_decref(body);
		return -1;
	}
	set_string(body, "cwd", cwd);
	if ((text = json_dumps(body, JSON_COMPACT)) == NULL) {
		json_decref(body);
		osb_error_set(err, 0, "", "create session: out of memory");
		return -1;
	}
	json_decref(body);
	rc = call(ep, "POST", "/session", "create session", text, &doc, err);
	free(text);
	if (rc == -1)
		return -1;
	if ((sid = json_string_value(json_object_get(doc, "session_id"))) ==
	    NULL) {
		osb_error_set(err, 0, "", "create session: bad reply from the "
		    "server: no session_id");
		json_decref(doc);
		return -1;
	}
	*id = strdup(sid);
	json_decref(doc);
	return 0;
}

int
osb_execd_session_run(const struct osb_endpoint *ep, const char *session,
    const char *command, const char *cwd, int64_t timeout_ms,
    const struct osb_execd_stream *st, struct osb_error *err)
{
	struct target t = { 0 };
	json_t *body;

	if (target(&t, "session", session, "/session/", "/run", err) == -1 ||
	    osb_execd_check_text(t.what, "command", command, err) == -1 ||
	    osb_execd_check_text(t.what, "working directory", cwd,
	    err) == -1)
		return -1;
	body = json_pack("{s:s}", "command", command);
	set_string(body, "cwd", cwd);
	if (timeout_ms > 0)
		set_integer(body, "timeout", timeout_ms);
	set_string(body, "osb_framing", "raw");
	return osb_execd_post_stream(ep, t.path, body, t.what, st, err);
}

int
osb_execd_session_delete(const struct osb_endpoint *ep, const char *session,
    struct osb_error *err)
{
	return call_target(ep, "DELETE", "delete session", session,
	    "/session/", "", NULL, err);
}

int
osb_execd_pty_create(const struct osb_endpoint *ep, const char *cwd,
    const char *command, char **id, struct osb_error *err)
{
	json_t *body = json_object(), *doc = NULL;
	const char *sid;
	char *text = NULL;
	int rc = -1;

	*id = NULL;
	if (osb_execd_check_text("start terminal", "working directory", cwd,
	    err) == -1 ||
	    osb_execd_check_text("start terminal", "command", command, err) == -1)
		goto out;
	set_string(body, "cwd", cwd);
	set_string(body, "command", command);
	if ((text = json_dumps(body, JSON_COMPACT)) == NULL) {
		osb_error_set(err, 0, "", "start terminal: out of memory");
		goto out;
	}
	if (call(ep, "POST", "/pty", "start terminal", text, &doc, err) == -1)
		goto out;
	if ((sid = json_string_value(json_object_get(doc, "session_id"))) ==
	    NULL || (*id = strdup(sid)) == NULL)
		osb_error_set(err, 0, "", "start terminal: bad reply from the "
		    "server: no session_id");
	else
		rc = 0;
out:
	json_decref(body);
	json_decref(doc);
	free(text);
	return rc;
}

int
osb_execd_pty_delete(const struct osb_endpoint *ep, const char *id,
    struct osb_error *err)
{
	return call_target(ep, "DELETE", "end terminal", id, "/pty/", "", NULL,
	    err);
}

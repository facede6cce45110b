/*
 * execd.h — client for the command and session endpoints of the execd
 * API (specs/execd-api.yaml), over the endpoint osb_resolve_execd() gave.
 *
 * Every call returns 0, or -1 with err naming what was being done
 * ("status 42: command not found: 42 (404 INVALID_REQUEST_BODY)").
 * Documents come back as the API's own JSON, released with json_decref().
 */
#ifndef OSB_EXECD_H
#define OSB_EXECD_H

#include <stdint.h>

#include <signal.h>

#include <jansson.h>

#include "error.h"
#include "http.h"

/* A command to run (POST /command). */
struct osb_execd_cmd {
	const char *command;	/* one shell command line */
	const char *cwd;	/* NULL: the server's */
	int background;
	int64_t timeout_ms;	/* 0: none */
	long uid, gid;		/* -1: the server's */
	json_t *envs;		/* {"NAME": "value"} or NULL */
};

/*
 * An event of a command's stream ({"type": "stdout", "text": ...}), as the
 * server sent it; text may hold NULs (use json_string_length). Return 0 to
 * go on, -1 to stop reading the stream.
 */
typedef int (*osb_execd_event_fn)(json_t *event, void *arg);

/* Things a stream reader may be told while the stream is quiet. */
struct osb_execd_stream {
	osb_execd_event_fn on_event;
	void *arg;
	/* Called now and then while waiting for events (NULL: never). */
	void (*on_idle)(void *arg);
	/* Until the first event: a nonzero *stop gives up (a signal), and
	 * so does no reply within the endpoint's request timeout. Once the
	 * command runs, its output may take as long as it likes. */
	const volatile sig_atomic_t *stop;
};

/*
 * POST body (a JSON document, taken) to path and hand each event of the
 * reply's stream (SSE, each event's data a JSON object) to st->on_event
 * as it arrives; what names the call in errors ("run"). The stream has no
 * overall timeout; its reply must begin within ep's. 0, or -1 with err.
 */
int osb_execd_post_stream(const struct osb_endpoint *ep, const char *path,
    json_t *body, const char *what, const struct osb_execd_stream *st,
    struct osb_error *err);
/*
 * Can text s (NULL: not given) go in a JSON body? 0, or -1 with err
 * saying that what's name is not valid UTF-8, which the API cannot carry.
 */
int osb_execd_check_text(const char *what, const char *name, const char *s,
    struct osb_error *err);

/*
 * Run cmd, handing each event of its stream to st->on_event as it arrives.
 * The runs ask for raw framing (osb_framing, an osb-execd extension): a
 * server that honours it says "osb_framing": "raw" in the init event and
 * sends output as it came; any other sends a line per event, terminator
 * removed ("\n" for an empty line), as the Go execd does.
 * Returns 0 when the stream ended (whatever the command's fate: that is in
 * the events), -1 when the request failed or the callback stopped it.
 */
int osb_execd_run(const struct osb_endpoint *, const struct osb_execd_cmd *,
    const struct osb_execd_stream *, struct osb_error *);

/* The status object of command id (GET /command/status/{id}). */
int osb_execd_status(const struct osb_endpoint *, const char *id,
    json_t **status, struct osb_error *);

/*
 * A background command's output from cursor on (-1: all of it) into *text
 * (malloc'd, *len bytes, NUL-ended) and the cursor to ask for next time
 * into *next (-1 when the server did not say).
 */
int osb_execd_logs(const struct osb_endpoint *, const char *id,
    int64_t cursor, char **text, size_t *len, int64_t *next,
    struct osb_error *);

/* Interrupt command (or session run) id (DELETE /command?id=). */
int osb_execd_interrupt(const struct osb_endpoint *, const char *id,
    struct osb_error *);

/* A new bash session starting in cwd (NULL: the server's); its id. */
int osb_execd_session_create(const struct osb_endpoint *, const char *cwd,
    char **id, struct osb_error *);
/* Run command in session; events as osb_execd_run. */
int osb_execd_session_run(const struct osb_endpoint *, const char *session,
    const char *command, const char *cwd, int64_t timeout_ms,
    const struct osb_execd_stream *, struct osb_error *);
int osb_execd_session_delete(const struct osb_endpoint *, const char *session,
    struct osb_error *);

/*
 * Interactive sessions (POST /pty, DELETE /pty/{id}): a new one running
 * command (NULL: bash) in cwd (NULL: the server's), its id in *id.
 */
int osb_execd_pty_create(const struct osb_endpoint *, const char *cwd,
    const char *command, char **id, struct osb_error *);
int osb_execd_pty_delete(const struct osb_endpoint *, const char *id,
    struct osb_error *);

#endif

/*
 * code.h — client for the code interpreter endpoints of the execd API
 * (/code*, specs/execd-api.yaml): contexts, runs and their event
 * streams, interrupts.
 *
 * Every call returns 0, or -1 with err naming what was being done
 * ("context 3f2a: context 3f2a not found (404 CONTEXT_NOT_FOUND)").
 * Documents come back as the API's own JSON, released with json_decref().
 */
#ifndef OSB_CODE_H
#define OSB_CODE_H

#include <jansson.h>

#include "error.h"
#include "execd.h"
#include "http.h"

/* Code to run (POST /code). */
struct osb_code_run {
	const char *code;
	const char *context;	/* a context id; NULL: the language's default */
	const char *language;	/* "python", "bash"...; NULL: none */
};

/*
 * Run code, handing each event of its stream (init, stdout, stderr,
 * execution_count, result, error, execution_complete) to st->on_event as
 * it arrives. Returns 0 when the stream ended, -1 when the request
 * failed or the callback stopped it.
 */
int osb_code_run(const struct osb_endpoint *, const struct osb_code_run *,
    const struct osb_execd_stream *, struct osb_error *);

/* A new context for language, starting in cwd (NULL: the server's):
 * {"id", "language"}. */
int osb_code_context_create(const struct osb_endpoint *, const char *language,
    const char *cwd, json_t **context, struct osb_error *);
/* The contexts, of language or (NULL) all: an array. */
int osb_code_context_list(const struct osb_endpoint *, const char *language,
    json_t **list, struct osb_error *);
/* One context. */
int osb_code_context_get(const struct osb_endpoint *, const char *id,
    json_t **context, struct osb_error *);
/* Delete one context, and its kernel. */
int osb_code_context_delete(const struct osb_endpoint *, const char *id,
    struct osb_error *);
/* Delete every context of language. */
int osb_code_context_delete_language(const struct osb_endpoint *,
    const char *language, struct osb_error *);
/* Interrupt what context id runs (DELETE /code?id=). */
int osb_code_interrupt(const struct osb_endpoint *, const char *id,
    struct osb_error *);

#endif

/*
 * code.c — the code interpreter calls of the execd API. A run's stream
 * is read as a command's is (osb_execd_post_stream).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "code.h"
#include "http.h"
#include "util.h"

/* body (taken) as compact JSON text; NULL with err when out of memory. */
static char *
body_text(json_t *body, const char *what, struct osb_error *err)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	if (text == NULL)
		osb_error_set(err, 0, "", "%s: out of memory", what);
	return text;
}

int
osb_code_run(const struct osb_endpoint *ep, const struct osb_code_run *run,
    const struct osb_execd_stream *st, struct osb_error *err)
{
	json_t *body, *ctx;

	if (osb_execd_check_text("run", "code", run->code, err) == -1)
		return -1;
	body = json_pack("{s:s}", "code", run->code);
	if (body && (run->context || run->language)) {
		ctx = json_object();
		if (run->context)
			json_object_set_new(ctx, "id", json_string(run->context));
		if (run->language)
			json_object_set_new(ctx, "language",
			    json_string(run->language));
		json_object_set_new(body, "context", ctx);
	}
	/* A cell may run for as long as it likes. */
	return osb_execd_post_stream(ep, "/code", body, "run", st, err);
}

/* method path with body (may be NULL); the reply parsed into *doc when
 * doc is set. */
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
		osb_http_reply_free(&reply);
		return -1;
	}
	if (doc != NULL && (*doc = json_loadb(reply.body ? reply.body : "",
	    reply.len, 0, &jerr)) == NULL) {
		osb_error_set(err, reply.status, "", "%s: bad reply from the "
		    "server: %s", what, jerr.text);
		osb_http_reply_free(&reply);
		return -1;
	}
	osb_http_reply_free(&reply);
	return 0;
}

/*
 * method on prefix + escaped value; what is verb and value. The reply
 * parsed into *doc when doc is set.
 */
static int
call_on(const struct osb_endpoint *ep, const char *method, const char *verb,
    const char *prefix, const char *value, json_t **doc,
    struct osb_error *err)
{
	char path[1024], what[320], *e;
	int n;

	snprintf(what, sizeof(what), "%s%s%s", verb, value ? " " : "",
	    value ? value : "");
	if ((e = osb_http_escape(value ? value : "")) == NULL) {
		osb_error_set(err, 0, "", "%s: out of memory", what);
		return -1;
	}
	n = snprintf(path, sizeof(path), "%s%s", prefix, e);
	free(e);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		osb_error_set(err, 0, "", "%s: too long", what);
		return -1;
	}
	return call(ep, method, path, what, NULL, doc, err);
}

int
osb_code_context_create(const struct osb_endpoint *ep, const char *language,
    const char *cwd, json_t **context, struct osb_error *err)
{
	json_t *body;
	char *text;
	int rc;

	if (osb_execd_check_text("create context", "language", language, err) == -1 ||
	    osb_execd_check_text("create context", "working directory", cwd,
	    err) == -1)
		return -1;
	body = json_pack("{s:s}", "language", language);
	if (body && cwd)
		json_object_set_new(body, "cwd", json_string(cwd));
	if ((text = body_text(body, "create context", err)) == NULL)
		return -1;
	rc = call(ep, "POST", "/code/context", "create context", text,
	    context, err);
	free(text);
	return rc;
}

int
osb_code_context_list(const struct osb_endpoint *ep, const char *language,
    json_t **list, struct osb_error *err)
{
	if (language == NULL)
		return call(ep, "GET", "/code/contexts", "list contexts", NULL,
		    list, err);
	return call_on(ep, "GET", "list contexts of", "/code/contexts?language=",
	    language, list, err);
}

int
osb_code_context_get(const struct osb_endpoint *ep, const char *id,
    json_t **context, struct osb_error *err)
{
	return call_on(ep, "GET", "context", "/code/contexts/", id, context,
	    err);
}

int
osb_code_context_delete(const struct osb_endpoint *ep, const char *id,
    struct osb_error *err)
{
	return call_on(ep, "DELETE", "delete context", "/code/contexts/", id,
	    NULL, err);
}

int
osb_code_context_delete_language(const struct osb_endpoint *ep,
    const char *language, struct osb_error *err)
{
	return call_on(ep, "DELETE", "delete contexts of",
	    "/code/contexts?language=", language, NULL, err);
}

int
osb_code_interrupt(const struct osb_endpoint *ep, const char *id,
    struct osb_error *err)
{
	return call_on(ep, "DELETE", "interrupt", "/code?id=", id, NULL, err);
}

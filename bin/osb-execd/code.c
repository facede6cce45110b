/*
 * code.c — the /code endpoints: requests checked and answered as the Go
 * execd answers them, contexts from the registry (code_context.c), runs
 * handed to a kernel (kernel.c) or a bash session (code_bash.c).
 *
 * A run that names neither a context nor a language is a shell command
 * (POST /command's own run), as in the Go execd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "code.h"
#include "code_bash.h"
#include "code_context.h"
#include "command.h"
#include "kernel.h"
#include "kernel_spec.h"
#include "session.h"

#define E_NOT_FOUND "CONTEXT_NOT_FOUND"

/* What a failed lookup or start says: the status and message to reply. */
struct failure {
	unsigned status;
	const char *code;
	char message[700];
};

/* A run's stream: the cell and its event queue. */
struct cell_stream {
	struct evq *q;
	struct kernel_cell *cell;
};

/* Reply f. */
static int
reply_failure(struct osb_req *req, const struct failure *f)
{
	return osb_reply_error(req, f->status, f->code, "%s", f->message);
}

/* Compare two JSON strings, for qsort. */
static int
by_string(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
	    json_string_value(*(json_t *const *)b));
}

/* The languages this daemon runs, sorted and joined with ", ". */
static void
languages(char *buf, size_t len)
{
	json_t *list = json_array(), *sorted[64];
	size_t i, n;

	buf[0] = '\0';
	if (list == NULL)
		return;
	json_array_append_new(list, json_string("bash"));
	kernel_spec_languages(list);
	for (n = 0; n < json_array_size(list) && n < 64; n++)
		sorted[n] = json_array_get(list, n);
	qsort(sorted, n, sizeof(sorted[0]), by_string);
	for (i = 0; i < n; i++) {
		strlcat(buf, i ? ", " : "", len);
		strlcat(buf, json_string_value(sorted[i]), len);
	}
	json_decref(list);
}

/* f: language is not one this daemon runs. */
static void
unsupported(const char *language, struct failure *f)
{
	char langs[400];

	languages(langs, sizeof(langs));
	f->status = 400;
	f->code = OSB_E_INVALID;
	snprintf(f->message, sizeof(f->message), "unsupported language '%s': "
	    "this execd runs %s", language, langs);
}

/* A kernel context for language on spec (taken), ready; NULL with f. */
static struct code_ctx *
open_kernel(struct kernel_spec *spec, const char *language, const char *dir,
    int as_default, struct failure *f)
{
	struct code_ctx *c;
	char why[512];

	if ((c = code_ctx_add_kernel(language, spec, dir, as_default)) == NULL) {
		snprintf(f->message, sizeof(f->message), "out of memory, or "
		    "shutting down");
		return NULL;
	}
	if (kernel_wait_ready(c->kernel, why, sizeof(why)) < 0) {
		snprintf(f->message, sizeof(f->message), "%s", why);
		code_ctx_remove(c);
		code_ctx_unref(c);
		return NULL;
	}
	return c;
}

/* A bash session context; NULL with f. */
static struct code_ctx *
open_session(const char *language, const char *dir, int as_default,
    struct failure *f)
{
	struct code_ctx *c;
	char id[40];
	int bad, raced;

	if (session_open(dir, id, sizeof(id), &bad, f->message,
	    sizeof(f->message)) < 0) {
		if (bad) {
			f->status = 400;
			f->code = OSB_E_INVALID;
		}
		return NULL;
	}
	c = code_ctx_add_session(language, id, as_default, &raced);
	if (c == NULL || raced)
		session_close(id);
	if (c == NULL)
		snprintf(f->message, sizeof(f->message), "out of memory, or "
		    "shutting down");
	return c;
}

/*
 * A new context for language in dir (NULL: ours), ready to run: on the
 * language's kernel, or a bash session when bash has none. Returns it
 * held, or NULL with f filled in.
 */
static struct code_ctx *
open_context(const char *language, const char *dir,
    int as_default, struct failure *f)
{
	struct kernel_spec *spec = kernel_spec_find(language);

	f->status = 500;
	f->code = OSB_E_RUNTIME;
	if (spec)
		return open_kernel(spec, language, dir, as_default, f);
	if (strcmp(language, "bash") == 0)
		return open_session(language, dir, as_default, f);
	unsupported(language, f);
	return NULL;
}

/* A string member of obj: 0 with *s (NULL when absent, null or ""), or
 * -1 when it is something else. */
static int
string_member(json_t *obj, const char *key, const char **s)
{
	json_t *v = json_object_get(obj, key);

	*s = json_string_value(v);
	if (*s && **s == '\0')
		*s = NULL;
	return v == NULL || json_is_null(v) || json_is_string(v) ? 0 : -1;
}

/* Reply 400 for a bad body. */
static int
invalid(struct osb_req *req, const char *why)
{
	return osb_reply_error(req, 400, OSB_E_INVALID, "invalid request: %s",
	    why);
}

/* POST /code/context: {"language", "cwd"}; the new context. */
int
code_context_create(struct osb_req *req)
{
	const char *language, *cwd = NULL;
	char err[512], *dir = NULL;
	struct failure f;
	struct code_ctx *c;
	json_t *doc, *reply;
	int rc;

	if ((doc = osb_req_json(req)) == NULL)
		return 0;
	if (!json_is_object(doc) || string_member(doc, "language",
	    &language) < 0 || language == NULL) {
		languages(err, sizeof(err));
		rc = osb_reply_error(req, 400, OSB_E_INVALID, "invalid "
		    "request: language is required (this execd runs %s)", err);
	} else if (cmd_parse_cwd(doc, &cwd, err, sizeof(err)) < 0 ||
	    cmd_resolve_dir(cwd, environ, 1, &dir, err, sizeof(err)) < 0)
		rc = invalid(req, err);
	else if ((c = open_context(language, dir, 0, &f)) == NULL)
		rc = f.status == 500 ? osb_reply_error(req, 500, f.code,
		    "error creating code context: %s", f.message) :
		    reply_failure(req, &f);
	else {
		reply = json_pack("{s:s, s:s}", "id", c->id, "language",
		    c->language);
		if (reply && cwd)
			json_object_set_new(reply, "cwd", json_string(cwd));
		code_ctx_unref(c);
		rc = osb_reply_json(req, 200, reply);
	}
	free(dir);
	json_decref(doc);
	return rc;
}

/* GET /code/contexts?language=: the contexts, of one language or all. */
int
code_contexts_list(struct osb_req *req)
{
	const char *language = osb_req_query(req, "language");
	struct code_ctx **list;
	json_t *doc;
	size_t n, i;

	if (code_ctx_all(language && *language ? language : NULL, &list,
	    &n) < 0 || (doc = json_array()) == NULL) {
		if (list) {
			for (i = 0; i < n; i++)
				code_ctx_unref(list[i]);
			free(list);
		}
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	}
	for (i = 0; i < n; i++) {
		json_array_append_new(doc, code_ctx_json(list[i]));
		code_ctx_unref(list[i]);
	}
	free(list);
	return osb_reply_json(req, 200, doc);
}

/* Remove c (held) and end what it runs on. */
static void
delete_context(struct code_ctx *c)
{
	if (code_ctx_remove(c) == 0 && c->kernel == NULL)
		session_close(c->id);
	code_ctx_unref(c);
}

/* DELETE /code/contexts?language=: all of a language's contexts. */
int
code_contexts_delete(struct osb_req *req)
{
	const char *language = osb_req_query(req, "language");
	struct code_ctx **list;
	size_t n, i;

	if (language == NULL || *language == '\0')
		return osb_reply_error(req, 400, OSB_E_MISSING,
		    "missing query parameter 'language'");
	if (code_ctx_all(language, &list, &n) < 0)
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	/* All asked first, so that the kernels go in parallel. */
	for (i = 0; i < n; i++)
		if (list[i]->kernel)
			kernel_stop(list[i]->kernel);
	for (i = 0; i < n; i++)
		delete_context(list[i]);
	free(list);
	return osb_reply_empty(req, 200);
}

/* The context of the request's path, held; NULL after a 404 reply. */
static struct code_ctx *
path_context(struct osb_req *req)
{
	struct code_ctx *c;

	if ((c = code_ctx_find(req->params[0])) == NULL)
		osb_reply_error(req, 404, E_NOT_FOUND, "context %s not found",
		    req->params[0]);
	return c;
}

/* GET /code/contexts/{id} */
int
code_context_get(struct osb_req *req)
{
	struct code_ctx *c;
	json_t *doc;

	if ((c = path_context(req)) == NULL)
		return 0;
	doc = code_ctx_json(c);
	code_ctx_unref(c);
	return osb_reply_json(req, 200, doc);
}

/* DELETE /code/contexts/{id} */
int
code_context_delete(struct osb_req *req)
{
	struct code_ctx *c;

	if ((c = path_context(req)) == NULL)
		return 0;
	delete_context(c);
	return osb_reply_empty(req, 200);
}

/* osb_sse_next of a cell's stream. */
static int
cell_next(void *arg, json_t **ev, int timeout_ms)
{
	struct cell_stream *cs = arg;

	return evq_next(cs->q, ev, timeout_ms);
}

/* The cell's stream is over. */
static void
cell_done(void *arg)
{
	struct cell_stream *cs = arg;

	kernel_cell_gone(cs->cell);
	free(cs);
}

/* Run code on c's kernel and reply with the cell's events. */
static int
run_in_kernel(struct osb_req *req, struct code_ctx *c, const char *code)
{
	struct cell_stream *cs;
	char why[512];

	if ((cs = calloc(1, sizeof(*cs))) == NULL ||
	    (cs->q = evq_new()) == NULL) {
		free(cs);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	}
	evq_push(cs->q, cmd_init_event(c->id, 0));
	if ((cs->cell = kernel_submit(c->kernel, code, cs->q, why,
	    sizeof(why))) == NULL) {
		evq_end(cs->q);
		evq_detach(cs->q);
		free(cs);
		return osb_reply_error(req, 409, OSB_E_RUNTIME, "context %s: "
		    "%s; delete it and create another", c->id, why);
	}
	return osb_reply_sse(req, cell_next, cell_done, cs, CMD_PING_MS);
}

/* Run code as a shell command: POST /command with it. */
static int
run_as_command(struct osb_req *req, const char *code)
{
	json_t *body = json_pack("{s:s}", "command", code);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	osb_buf_free(&req->body);
	if (text == NULL || osb_buf_append(&req->body, text, strlen(text)) < 0) {
		free(text);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	}
	free(text);
	return command_run(req);
}

/*
 * The parts of a POST /code body: code, and the context's id and
 * language (NULL when not given). Returns 0, or -1 after a 400 reply.
 */
static int
parse_run(struct osb_req *req, json_t *doc, const char **code,
    const char **id, const char **language)
{
	json_t *ctx = json_object_get(doc, "context");

	*id = *language = NULL;
	if (!json_is_object(doc))
		return invalid(req, "the body must be a JSON object"), -1;
	if (string_member(doc, "code", code) < 0 || *code == NULL)
		return invalid(req, "code is required"), -1;
	if (ctx && !json_is_null(ctx) && !json_is_object(ctx))
		return invalid(req, "context must be an object"), -1;
	if (string_member(ctx, "id", id) < 0)
		return invalid(req, "context.id must be a string"), -1;
	if (string_member(ctx, "language", language) < 0)
		return invalid(req, "context.language must be a string"), -1;
	return 0;
}

/* The context a run names, or the language's default (made on first
 * use); held, or NULL after an error reply. */
static struct code_ctx *
run_context(struct osb_req *req, const char *id, const char *language)
{
	struct failure f;
	struct code_ctx *c;

	if (id) {
		if ((c = code_ctx_find(id)) == NULL)
			osb_reply_error(req, 404, E_NOT_FOUND,
			    "context %s not found", id);
		return c;
	}
	if ((c = code_ctx_default(language)) != NULL)
		return c;
	if ((c = open_context(language, NULL, 1, &f)) == NULL) {
		if (f.status == 500)
			osb_reply_error(req, 500, f.code, "error running code: "
			    "%s", f.message);
		else
			reply_failure(req, &f);
	}
	return c;
}

/* POST /code: {"code", "context": {"id", "language"}}; events as SSE. */
int
code_run(struct osb_req *req)
{
	const char *code, *id, *language;
	struct code_ctx *c;
	json_t *doc;
	int rc = 0;

	if ((doc = osb_req_json(req)) == NULL)
		return 0;
	if (parse_run(req, doc, &code, &id, &language) == 0) {
		if (id == NULL && language == NULL)
			rc = run_as_command(req, code);
		else if ((c = run_context(req, id, language)) != NULL) {
			rc = c->kernel ? run_in_kernel(req, c, code) :
			    code_bash_run(req, c->id, code);
			code_ctx_unref(c);
		}
	}
	json_decref(doc);
	return rc;
}

/* DELETE /code?id=: interrupt a context's cell; other ids (commands,
 * bash sessions) as DELETE /command does. */
int
code_interrupt(struct osb_req *req)
{
	const char *id = osb_req_query(req, "id");
	struct code_ctx *c;
	char why[512];
	int rc;

	if (id == NULL || *id == '\0')
		return osb_reply_error(req, 400, OSB_E_MISSING,
		    "missing query parameter 'id'");
	if ((c = code_ctx_find(id)) == NULL || c->kernel == NULL) {
		if (c)
			code_ctx_unref(c);
		return command_interrupt(req);
	}
	rc = kernel_interrupt(c->kernel, why, sizeof(why));
	code_ctx_unref(c);
	if (rc < 0)
		return osb_reply_error(req, 409, OSB_E_RUNTIME, "context %s: %s",
		    id, why);
	return osb_reply_empty(req, 200);
}

void
code_shutdown(void)
{
	code_ctx_shutdown();
}

/*
 * code_context.h — the registry of code contexts: each is a Jupyter
 * kernel, or for bash where no bash kernel is installed one of the
 * daemon's bash sessions (code_bash.c). A language also has a default
 * context, made on the first run that names no context.
 */
#ifndef EXECD_CODE_CONTEXT_H
#define EXECD_CODE_CONTEXT_H

#include <stddef.h>

#include <jansson.h>

#include "kernel.h"

struct code_ctx {
	struct code_ctx *next;
	char id[40];		/* 32 hex digits; a bash session's own id */
	char *language;		/* as the client named it */
	struct kernel *kernel;	/* NULL: a bash session */
	int is_default;		/* the language's default context */
	int refs;		/* the registry's, and each user's */
};

/*
 * A new context for language on the kernel of spec (taken), starting in
 * cwd (NULL: ours), registered. With as_default it becomes the
 * language's default, unless a live one has appeared meanwhile: that one
 * is returned instead. Returns the context held for the caller, its
 * kernel perhaps still starting; NULL when out of memory or shutting
 * down.
 */
struct code_ctx *code_ctx_add_kernel(const char *language,
    struct kernel_spec *spec, const char *cwd, int as_default);

/*
 * Register the bash session id as a context of language; as the
 * language's default when as_default, unless a live one has appeared
 * meanwhile: that one is returned instead, with *raced set (the session
 * is then the caller's to end). Returns the context held for the
 * caller, NULL when out of memory or shutting down.
 */
struct code_ctx *code_ctx_add_session(const char *language, const char *id,
    int as_default, int *raced);

/* The context id, held for the caller; NULL when there is none. */
struct code_ctx *code_ctx_find(const char *id);
/* language's default context when it has one that is alive, held. */
struct code_ctx *code_ctx_default(const char *language);
void code_ctx_unref(struct code_ctx *);

/*
 * Take the context out of the registry: its kernel is shut down (and
 * waited for). A bash session is the caller's to end. Returns 0, -1 when
 * it was not registered (any more).
 */
int code_ctx_remove(struct code_ctx *);

/* The contexts of language (NULL: all), held, in *list (n of them; the
 * caller unrefs each and frees the array). 0, or -1 out of memory. */
int code_ctx_all(const char *language, struct code_ctx ***list, size_t *n);

/* {"id", "language", "state"[, "error"]} of a context. */
json_t *code_ctx_json(struct code_ctx *);

/* On shutdown: no new contexts; every kernel shut down and released. */
void code_ctx_shutdown(void);

#endif

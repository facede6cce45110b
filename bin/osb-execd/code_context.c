/*
 * code_context.c — the contexts, under one lock: a list, each with a
 * reference count, so that a context deleted while a request still uses
 * it lives on until that request is done with it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "code_context.h"
#include "command.h"

static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static struct code_ctx *contexts;
static int shutting_down;

/* Free a context no one holds any more. */
static void
ctx_free(struct code_ctx *c)
{
	if (c->kernel)
		kernel_unref(c->kernel);
	free(c->language);
	free(c);
}

void
code_ctx_unref(struct code_ctx *c)
{
	int last;

	pthread_mutex_lock(&ctx_lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&ctx_lock);
	if (last)
		ctx_free(c);
}

/* Is c alive (a session, or a kernel not dead)? */
static int
alive(struct code_ctx *c)
{
	return c->kernel == NULL || kernel_state(c->kernel, NULL, 0) !=
	    KERNEL_DEAD;
}

/* language's live default, held; ctx_lock held. */
static struct code_ctx *
default_locked(const char *language)
{
	struct code_ctx *c;

	for (c = contexts; c; c = c->next)
		if (c->is_default && strcmp(c->language, language) == 0 &&
		    alive(c)) {
			c->refs++;
			return c;
		}
	return NULL;
}

/* A context of language, unregistered, with two references (the
 * registry's and the caller's); NULL when out of memory. */
static struct code_ctx *
ctx_new(const char *language)
{
	struct code_ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->language = strdup(language)) == NULL) {
		free(c);
		return NULL;
	}
	c->refs = 2;
	return c;
}

/* Put c in the registry, as language's default when as_default (any
 * other default of the language is one no more); ctx_lock held. */
static void
register_locked(struct code_ctx *c, int as_default)
{
	struct code_ctx *o;

	if (as_default)
		for (o = contexts; o; o = o->next)
			if (o->is_default && strcmp(o->language, c->language) ==
			    0)
				o->is_default = 0;
	c->is_default = as_default;
	c->next = contexts;
	contexts = c;
}

struct code_ctx *
code_ctx_add_kernel(const char *language, struct kernel_spec *spec,
    const char *cwd, int as_default)
{
	struct code_ctx *c = NULL, *d;

	pthread_mutex_lock(&ctx_lock);
	if (as_default && (d = default_locked(language)) != NULL) {
		pthread_mutex_unlock(&ctx_lock);
		kernel_spec_free(spec);
		return d;
	}
	if (!shutting_down && (c = ctx_new(language)) != NULL) {
		cmd_random_id(c->id, sizeof(c->id), 0);
		if ((c->kernel = kernel_start(spec, cwd, c->id)) == NULL) {
			ctx_free(c);
			c = NULL;
		} else
			register_locked(c, as_default);
		spec = NULL;
	}
	pthread_mutex_unlock(&ctx_lock);
	kernel_spec_free(spec);
	return c;
}

struct code_ctx *
code_ctx_add_session(const char *language, const char *id, int as_default,
    int *raced)
{
	struct code_ctx *c = NULL;

	pthread_mutex_lock(&ctx_lock);
	*raced = as_default && (c = default_locked(language)) != NULL;
	if (!*raced && !shutting_down && (c = ctx_new(language)) != NULL) {
		strlcpy(c->id, id, sizeof(c->id));
		register_locked(c, as_default);
	}
	pthread_mutex_unlock(&ctx_lock);
	return c;
}

struct code_ctx *
code_ctx_find(const char *id)
{
	struct code_ctx *c;

	pthread_mutex_lock(&ctx_lock);
	for (c = contexts; c && strcmp(c->id, id) != 0; c = c->next)
		;
	if (c)
		c->refs++;
	pthread_mutex_unlock(&ctx_lock);
	return c;
}

struct code_ctx *
code_ctx_default(const char *language)
{
	struct code_ctx *c;

	pthread_mutex_lock(&ctx_lock);
	c = default_locked(language);
	pthread_mutex_unlock(&ctx_lock);
	return c;
}

/* Unlink c from the registry; 1 when it was there. ctx_lock held. */
static int
unlink_locked(struct code_ctx *c)
{
	struct code_ctx **pp;

	for (pp = &contexts; *pp && *pp != c; pp = &(*pp)->next)
		;
	if (*pp == NULL)
		return 0;
	*pp = c->next;
	return 1;
}

/* Shut c's kernel down and wait for it, then drop the registry's
 * reference. */
static void
retire(struct code_ctx *c)
{
	if (c->kernel) {
		kernel_stop(c->kernel);
		kernel_join(c->kernel);
	}
	code_ctx_unref(c);
}

int
code_ctx_remove(struct code_ctx *c)
{
	int was;

	pthread_mutex_lock(&ctx_lock);
	was = unlink_locked(c);
	pthread_mutex_unlock(&ctx_lock);
	if (!was)
		return -1;
	retire(c);
	return 0;
}

int
code_ctx_all(const char *language, struct code_ctx ***list, size_t *n)
{
	struct code_ctx *c;
	size_t count = 0;

	*n = 0;
	pthread_mutex_lock(&ctx_lock);
	for (c = contexts; c; c = c->next)
		count++;
	if ((*list = calloc(count + 1, sizeof(**list))) == NULL) {
		pthread_mutex_unlock(&ctx_lock);
		return -1;
	}
	for (c = contexts; c; c = c->next)
		if (language == NULL || strcmp(c->language, language) == 0) {
			c->refs++;
			(*list)[(*n)++] = c;
		}
	pthread_mutex_unlock(&ctx_lock);
	/* Oldest first: the registry keeps the newest first. */
	for (count = 0; count < *n / 2; count++) {
		c = (*list)[count];
		(*list)[count] = (*list)[*n - 1 - count];
		(*list)[*n - 1 - count] = c;
	}
	return 0;
}

json_t *
code_ctx_json(struct code_ctx *c)
{
	enum kernel_state st;
	char why[512];
	json_t *doc;

	doc = json_pack("{s:s, s:s}", "id", c->id, "language", c->language);
	if (doc == NULL || c->kernel == NULL)
		return doc;
	st = kernel_state(c->kernel, why, sizeof(why));
	json_object_set_new(doc, "state", json_string(kernel_state_name(st)));
	if (st == KERNEL_DEAD)
		json_object_set_new(doc, "error", json_string(why));
	return doc;
}

void
code_ctx_shutdown(void)
{
	struct code_ctx *all, *c;

	pthread_mutex_lock(&ctx_lock);
	shutting_down = 1;
	all = contexts;
	contexts = NULL;
	pthread_mutex_unlock(&ctx_lock);
	/* All asked at once, so that they go in parallel. */
	for (c = all; c; c = c->next)
		if (c->kernel)
			kernel_stop(c->kernel);
	while ((c = all) != NULL) {
		all = c->next;
		retire(c);
	}
	kernel_release_all();
}

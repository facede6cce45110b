/*
 * lifecycle.h — the sandbox lifecycle API (specs/sandbox-lifecycle.yml),
 * spoken to a remote OpenSandbox server when a domain is configured, or to
 * the embedded local runtime (local.h) when none is. Both sides take and
 * give the API's own JSON objects, so a program never knows which it has.
 */
#ifndef OSB_LIFECYCLE_H
#define OSB_LIFECYCLE_H

#include <stddef.h>

#include <jansson.h>

#include "config.h"
#include "error.h"
#include "http.h"

struct osb_lifecycle;

/* What GET /sandboxes filters on: states OR'ed, "key=value" metadata
 * AND'ed, a 1-based page of page_size items (0: the API's defaults). */
struct osb_list_query {
	const char *const *states;
	size_t nstates;
	const char *const *metadata;
	size_t nmetadata;
	int page;
	int page_size;
};

struct osb_local;

/* Remote when cfg names a domain, local otherwise. NULL with err set. */
struct osb_lifecycle *osb_lifecycle_open(const struct osb_config *,
    struct osb_error *);
void osb_lifecycle_close(struct osb_lifecycle *);
int osb_lifecycle_is_local(const struct osb_lifecycle *);
/* The embedded local runtime, NULL when remote. */
struct osb_local *osb_lifecycle_local(const struct osb_lifecycle *);

int osb_lifecycle_create(struct osb_lifecycle *, const json_t *request,
    json_t **sandbox, struct osb_error *);
/* *page: ListSandboxesResponse {"items": [...], "pagination": {...}}. */
int osb_lifecycle_list(struct osb_lifecycle *, const struct osb_list_query *,
    json_t **page, struct osb_error *);
int osb_lifecycle_get(struct osb_lifecycle *, const char *id,
    json_t **sandbox, struct osb_error *);
int osb_lifecycle_delete(struct osb_lifecycle *, const char *id,
    struct osb_error *);
int osb_lifecycle_pause(struct osb_lifecycle *, const char *id,
    struct osb_error *);
int osb_lifecycle_resume(struct osb_lifecycle *, const char *id,
    struct osb_error *);
int osb_lifecycle_renew(struct osb_lifecycle *, const char *id,
    const char *expires_at, json_t **reply, struct osb_error *);
/* RFC 7396 merge patch of the metadata; *sandbox: the Sandbox after it. */
int osb_lifecycle_patch_metadata(struct osb_lifecycle *, const char *id,
    const json_t *patch, json_t **sandbox, struct osb_error *);
int osb_lifecycle_endpoint(struct osb_lifecycle *, const char *id, int port,
    json_t **endpoint, struct osb_error *);

/* A full id from an id or unique prefix; an ambiguous prefix is an error
 * listing the matches. Caller frees *id. */
int osb_lifecycle_complete_id(struct osb_lifecycle *, const char *prefix,
    char **id, struct osb_error *);
/* The execd of sandbox id as an endpoint with its headers. */
int osb_lifecycle_execd(struct osb_lifecycle *, const char *id,
    struct osb_endpoint *, struct osb_error *);
/* Port of sandbox id (the egress API's, 18080) as an endpoint with the
 * headers the lifecycle API names for it. */
int osb_lifecycle_port(struct osb_lifecycle *, const char *id, int port,
    struct osb_endpoint *, struct osb_error *);

/* Filter and page a whole list as GET /sandboxes does (serve and local
 * mode share it). Returns a new ListSandboxesResponse. */
json_t *osb_lifecycle_page(const json_t *all, const struct osb_list_query *);

#endif

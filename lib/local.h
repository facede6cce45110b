/*
 * local.h — the embedded local runtime: sandboxes as containers on this
 * host, run by an OCI runtime and watched by a supervisor each, state kept
 * as one JSON file per sandbox under a state directory.
 *
 * Requests and replies are the lifecycle API's own JSON objects
 * (specs/sandbox-lifecycle.yml: CreateSandboxRequest, Sandbox, Endpoint, ...),
 * so osb-sandbox and `osb-sandbox serve` pass them through unchanged. On
 * failure err carries the status and code the API would answer with (400
 * INVALID_REQUEST, 404 SANDBOX_NOT_FOUND, 409 ..., 500 ...).
 */
#ifndef OSB_LOCAL_H
#define OSB_LOCAL_H

#include <jansson.h>

#include "error.h"

struct osb_local;

/* Open the state directory (NULL: $XDG_STATE_HOME/osb, else
 * ~/.local/state/osb), creating it. NULL with err set on failure. */
struct osb_local *osb_local_open(const char *state_dir, struct osb_error *);
void osb_local_close(struct osb_local *);
/* The OCI runtime new sandboxes run on: a name on PATH or a path
 * (default runc). */
void osb_local_set_runtime(struct osb_local *, const char *runtime);
/* As serve is: host volumes only under host_paths, image directories
 * only under image_paths (NULL-ended; none: refuse all). The arrays
 * must outlive the handle. */
void osb_local_restrict(struct osb_local *, const char *const *host_paths,
    const char *const *image_paths);

/* Create and start a sandbox; returns once it is Running and its execd
 * answers (or Failed with err set). *sandbox: CreateSandboxResponse. */
int osb_local_create(struct osb_local *, const json_t *request,
    json_t **sandbox, struct osb_error *);
/* Every sandbox, oldest first: a JSON array of Sandbox objects. */
int osb_local_list(struct osb_local *, json_t **sandboxes, struct osb_error *);
int osb_local_get(struct osb_local *, const char *id, json_t **sandbox,
    struct osb_error *);
int osb_local_delete(struct osb_local *, const char *id, struct osb_error *);
int osb_local_pause(struct osb_local *, const char *id, struct osb_error *);
int osb_local_resume(struct osb_local *, const char *id, struct osb_error *);
/* expires_at: RFC 3339; *reply: {"expiresAt": ...}. */
int osb_local_renew(struct osb_local *, const char *id, const char *expires_at,
    json_t **reply, struct osb_error *);
/* RFC 7396 merge patch of metadata; *metadata: the result. */
int osb_local_patch_metadata(struct osb_local *, const char *id,
    const json_t *patch, json_t **metadata, struct osb_error *);
/* *endpoint: {"endpoint": "127.x.y.z:PORT", "headers": {...}}: the
 * sandbox's own loopback address, its port published there under the
 * same number; port 44772 is its execd, with its token. */
int osb_local_endpoint(struct osb_local *, const char *id, int port,
    json_t **endpoint, struct osb_error *);

#endif

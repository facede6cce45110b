/*
 * serve_api.c — the handlers of the lifecycle API over the local runtime.
 * Requests and replies are the API's own JSON, passed through; what is
 * checked here is what the HTTP layer carries (query, path, body shape),
 * the rest is the runtime's to judge.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lifecycle.h"
#include "serve_http.h"

/* The largest page the reference server gives. */
#define MAX_PAGE_SIZE 200
#define DEFAULT_PAGE_SIZE 20
#define RESERVED_PREFIX "opensandbox.io/"

/* "key=value" pairs of the metadata filter. */
struct pairs {
	char **kv;
	size_t n;
};

/* GET /health: the server is up. */
int
api_health(struct osb_req *req)
{
	return serve_reply_json(req, 200, json_pack("{s:s}", "status",
	    "healthy"));
}

/*
 * Query argument name as an integer in [min, max] into *v (def when
 * absent); -1 after a 400 reply.
 */
static int
query_int(struct osb_req *req, const char *name, long min, long max,
    long def, long *v)
{
	const char *s = osb_req_query(req, name);
	char *end;

	*v = def;
	if (s == NULL)
		return 0;
	*v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *v < min || *v > max) {
		serve_reply_error(req, 400, "INVALID_PARAMETER",
		    "query parameter %s: %s is not an integer from %ld to %ld",
		    name, s, min, max);
		return -1;
	}
	return 0;
}

/* The value of hex digit c. */
static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* s (len bytes) decoded as a form value ("%XX", "+" for space); malloc'd. */
static char *
form_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < len &&
		    isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			*o++ = (char)(hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]));
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/* Add "key=value" to p, in place of an earlier pair of the same key (the
 * last one wins, as in a dict); 0 or -1. */
static int
pairs_put(struct pairs *p, char *key, char *value)
{
	char *kv, **grown;
	size_t i, klen = strlen(key);

	if (asprintf(&kv, "%s=%s", key, value) < 0)
		return -1;
	for (i = 0; i < p->n; i++) {
		if (strncmp(p->kv[i], key, klen) == 0 &&
		    p->kv[i][klen] == '=') {
			free(p->kv[i]);
			p->kv[i] = kv;
			return 0;
		}
	}
	if ((grown = reallocarray(p->kv, p->n + 1, sizeof(*grown))) == NULL) {
		free(kv);
		return -1;
	}
	p->kv = grown;
	p->kv[p->n++] = kv;
	return 0;
}

/* Release the pairs, leaving p empty. */
static void
pairs_free(struct pairs *p)
{
	while (p->n > 0)
		free(p->kv[--p->n]);
	free(p->kv);
	p->kv = NULL;
}

/* One "k=v" field of the metadata filter into p; 0, -1 when malformed. */
static int
metadata_field(struct pairs *p, const char *field, size_t len)
{
	const char *eq = memchr(field, '=', len);
	char *key, *value;
	int rc = -1;

	if (eq == NULL)
		return -1;
	key = form_decode(field, (size_t)(eq - field));
	value = form_decode(eq + 1, len - (size_t)(eq - field) - 1);
	if (key && value)
		rc = pairs_put(p, key, value);
	free(key);
	free(value);
	return rc;
}

/*
 * The metadata filter: one query value "k=v&k2=v2", each key and value
 * form-encoded in it (the spec's encoding, read as Python's strict
 * parse_qsl reads it: an empty field or one without "=" is an error).
 * 0, or -1 after a 400 reply.
 */
static int
metadata_filter(struct osb_req *req, struct pairs *p)
{
	const char *s = osb_req_query(req, "metadata"), *field;
	size_t len;

	if (s == NULL || *s == '\0')
		return 0;
	for (field = s;; field += len + 1) {
		len = strcspn(field, "&");
		if (metadata_field(p, field, len) == -1) {
			pairs_free(p);
			serve_reply_error(req, 400, "INVALID_METADATA_FORMAT",
			    "invalid metadata filter: bad field '%.*s' in "
			    "'%s' (want key=value&key=value)", (int)len,
			    field, s);
			return -1;
		}
		if (field[len] == '\0')
			return 0;
	}
}

/* GET /sandboxes: filtered by state (OR) and metadata (AND), paged. */
int
api_list(struct osb_req *req)
{
	struct osb_list_query q = { 0 };
	struct osb_error err = { 0 };
	struct pairs meta = { 0 };
	const char **states;
	json_t *all, *page;
	long pageno, size;

	if (query_int(req, "page", 1, INT_MAX, 1, &pageno) == -1 ||
	    query_int(req, "pageSize", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE,
	    &size) == -1 || metadata_filter(req, &meta) == -1)
		return -1;
	if ((states = osb_req_query_all(req, "state", &q.nstates)) == NULL) {
		pairs_free(&meta);
		return serve_reply_error(req, 500, "INTERNAL_ERROR",
		    "out of memory");
	}
	q.states = states;
	q.metadata = (const char *const *)meta.kv;
	q.nmetadata = meta.n;
	q.page = (int)pageno;
	q.page_size = (int)size;
	if (osb_local_list(serve.local, &all, &err) == 0) {
		page = osb_lifecycle_page(all, &q);
		json_decref(all);
		serve_reply_json(req, 200, page);
	} else
		serve_reply_failure(req, &err);
	free(states);
	pairs_free(&meta);
	return 0;
}

/* A 400 when key is under the reserved prefix, which the runtime's own
 * metadata uses; 0 or -1. */
static int
refuse_reserved(struct osb_req *req, const char *key)
{
	if (strncmp(key, RESERVED_PREFIX, sizeof(RESERVED_PREFIX) - 1) != 0)
		return 0;
	serve_reply_error(req, 400, "INVALID_REQUEST", "metadata %s: keys "
	    "under " RESERVED_PREFIX " are reserved", key);
	return -1;
}

/* A 400 when the create request's metadata has a reserved key; 0 or -1. */
static int
check_create_metadata(struct osb_req *req, const json_t *body)
{
	const char *key;
	json_t *value, *metadata = json_object_get(body, "metadata");

	if (!json_is_object(metadata))
		return 0;
	json_object_foreach(metadata, key, value)
		if (refuse_reserved(req, key) == -1)
			return -1;
	return 0;
}

/* POST /sandboxes: 202 once the sandbox runs, with its Location. */
int
api_create(struct osb_req *req)
{
	struct osb_error err = { 0 };
	struct MHD_Response *r;
	json_t *body, *sandbox;
	char location[512];

	if ((body = serve_body_object(req)) == NULL)
		return -1;
	if (check_create_metadata(req, body) == -1) {
		json_decref(body);
		return -1;
	}
	if (osb_local_create(serve.local, body, &sandbox, &err) == -1) {
		json_decref(body);
		return serve_reply_failure(req, &err);
	}
	json_decref(body);
	snprintf(location, sizeof(location), "/v1/sandboxes/%s",
	    json_string_value(json_object_get(sandbox, "id")));
	if ((r = osb_response_json(sandbox)) != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
	return serve_reply(req, 202, r);
}

/* GET /sandboxes/{id}. */
int
api_get(struct osb_req *req)
{
	struct osb_error err = { 0 };
	json_t *sandbox;

	if (osb_local_get(serve.local, req->params[0], &sandbox, &err) == -1)
		return serve_reply_failure(req, &err);
	return serve_reply_json(req, 200, sandbox);
}

/* DELETE /sandboxes/{id}: 204 once it is gone. */
int
api_delete(struct osb_req *req)
{
	struct osb_error err = { 0 };

	if (osb_local_delete(serve.local, req->params[0], &err) == -1)
		return serve_reply_failure(req, &err);
	return serve_reply_empty(req, 204);
}

/* POST /sandboxes/{id}/pause: 202. */
int
api_pause(struct osb_req *req)
{
	struct osb_error err = { 0 };

	if (osb_local_pause(serve.local, req->params[0], &err) == -1)
		return serve_reply_failure(req, &err);
	return serve_reply_empty(req, 202);
}

/* POST /sandboxes/{id}/resume: 202. */
int
api_resume(struct osb_req *req)
{
	struct osb_error err = { 0 };

	if (osb_local_resume(serve.local, req->params[0], &err) == -1)
		return serve_reply_failure(req, &err);
	return serve_reply_empty(req, 202);
}

/* POST /sandboxes/{id}/renew-expiration {"expiresAt": RFC 3339}. */
int
api_renew(struct osb_req *req)
{
	struct osb_error err = { 0 };
	json_t *body, *reply;
	const char *at;
	int rc;

	if ((body = serve_body_object(req)) == NULL)
		return -1;
	if ((at = json_string_value(json_object_get(body, "expiresAt"))) ==
	    NULL) {
		json_decref(body);
		return serve_reply_error(req, 400, "INVALID_REQUEST",
		    "request body: expiresAt (an RFC 3339 time) is required");
	}
	if (osb_local_renew(serve.local, req->params[0], at, &reply,
	    &err) == -1)
		rc = serve_reply_failure(req, &err);
	else
		rc = serve_reply_json(req, 200, reply);
	json_decref(body);
	return rc;
}

/* A 400 unless patch is a merge patch of metadata: string or null
 * values, no reserved keys. 0 or -1. */
static int
check_metadata_patch(struct osb_req *req, const json_t *patch)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)patch, key, value) {
		if (!json_is_string(value) && !json_is_null(value)) {
			serve_reply_error(req, 400, "INVALID_REQUEST",
			    "metadata %s: the value must be a string or null",
			    key);
			return -1;
		}
		if (refuse_reserved(req, key) == -1)
			return -1;
	}
	return 0;
}

/* Apply patch to sandbox id's metadata; the whole Sandbox after it. */
static int
patch_metadata(const char *id, const json_t *patch, json_t **sandbox,
    struct osb_error *err)
{
	json_t *metadata;

	if (osb_local_patch_metadata(serve.local, id, patch, &metadata,
	    err) == -1)
		return -1;
	json_decref(metadata);
	return osb_local_get(serve.local, id, sandbox, err);
}

/* PATCH /sandboxes/{id}/metadata: merge patch; the whole Sandbox back. */
int
api_patch_metadata(struct osb_req *req)
{
	struct osb_error err = { 0 };
	json_t *patch, *sandbox;
	int rc;

	if ((patch = serve_body_object(req)) == NULL)
		return -1;
	if (check_metadata_patch(req, patch) == -1)
		rc = -1;
	else if (patch_metadata(req->params[0], patch, &sandbox, &err) == -1)
		rc = serve_reply_failure(req, &err);
	else
		rc = serve_reply_json(req, 200, sandbox);
	json_decref(patch);
	return rc;
}

/* A query flag as FastAPI reads booleans into *v; -1 after a 400. */
static int
query_bool(struct osb_req *req, const char *name, int *v)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };
	static const char *const no[] = { "false", "0", "no", "off" };
	const char *s = osb_req_query(req, name);
	size_t i;

	*v = 0;
	if (s == NULL)
		return 0;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	serve_reply_error(req, 400, "INVALID_PARAMETER",
	    "query parameter %s: %s is not a boolean", name, s);
	return -1;
}

/*
 * endpoint through this server's proxy: "HOST/sandboxes/ID/proxy/PORT",
 * HOST the address serve advertises: never the client's Host header,
 * which anyone can set to send the next client elsewhere.
 */
static int
proxy_endpoint(struct osb_req *req, json_t *endpoint, const char *id,
    long port)
{
	char *url;

	(void)req;
	if (asprintf(&url, "%s/sandboxes/%s/proxy/%ld", serve.advertise, id,
	    port) < 0)
		return -1;
	json_object_set_new(endpoint, "endpoint", json_string(url));
	free(url);
	return 0;
}

/*
 * GET /sandboxes/{id}/endpoints/{port}[?use_server_proxy=true]: where the
 * port is, with the headers to send there (the execd's token).
 */
int
api_endpoint(struct osb_req *req)
{
	struct osb_error err = { 0 };
	const char *id = req->params[0], *ps = req->params[1], *where;
	json_t *endpoint;
	char *end;
	long port;
	int proxied;

	port = strtol(ps, &end, 10);
	if (!isdigit((unsigned char)*ps) || *end != '\0' || port < 1 ||
	    port > 65535)
		return serve_reply_error(req, 400, "INVALID_PARAMETER",
		    "port %s: not a port number (1-65535)", ps);
	if (query_bool(req, "use_server_proxy", &proxied) == -1)
		return -1;
	if (osb_req_query(req, "expires") != NULL)
		return serve_reply_error(req, 400, "INVALID_PARAMETER",
		    proxied ? "use_server_proxy cannot be combined with "
		    "expires: signed endpoints need a gateway route" :
		    "expires: signed endpoints are not supported by the local "
		    "runtime");
	if (osb_local_endpoint(serve.local, id, (int)port, &endpoint,
	    &err) == -1)
		return serve_reply_failure(req, &err);
	/* A unix socket (a sandbox with no network) is only ours to reach. */
	where = json_string_value(json_object_get(endpoint, "endpoint"));
	if (where && strncmp(where, "unix://", 7) == 0)
		proxied = 1;
	if (proxied && proxy_endpoint(req, endpoint, id, port) == -1) {
		json_decref(endpoint);
		return serve_reply_error(req, 500, "INTERNAL_ERROR",
		    "out of memory");
	}
	return serve_reply_json(req, 200, endpoint);
}

/* The snapshot endpoints: the local runtime keeps none. */
int
api_snapshots(struct osb_req *req)
{
	return serve_reply_error(req, 501, "SNAPSHOT_NOT_SUPPORTED",
	    "snapshots are not supported by the local runtime");
}

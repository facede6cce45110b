/*
 * lifecycle.c — the sandbox lifecycle API, local or remote.
 *
 * Without a domain every call goes to the embedded runtime (local.h). With
 * one, each is an HTTP request to {protocol}://{domain}/v1 carrying
 * OPEN-SANDBOX-API-KEY and an X-Request-ID of its own, so a failure can be
 * found in the server's log. Either way the caller gets the API's JSON.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "lifecycle.h"
#include "local.h"

#define EXECD_PORT 44772
/* The largest page the reference server gives: fewest requests for all. */
#define ALL_PAGE_SIZE 200
#define DEFAULT_PAGE_SIZE 20

struct osb_lifecycle {
	struct osb_local *local;	/* NULL: remote */
	struct osb_endpoint api;	/* remote: .../v1 with the API key */
	char protocol[8];		/* of endpoints the server names */
	long timeout_s;
	int use_server_proxy;		/* ask for endpoints through it */
};

/*
 * The API's base URL from a domain as people write it: "host:port",
 * "host/prefix", or a whole URL whose scheme then wins over protocol; a
 * trailing "/v1" or "/" is dropped before "/v1" goes on.
 */
static int
remote_base(struct osb_lifecycle *lc, const struct osb_config *cfg,
    struct osb_error *err)
{
	const char *domain = cfg->domain, *proto = cfg->protocol;
	char url[1024];
	size_t len;

	if (proto == NULL || *proto == '\0')
		proto = "http";
	if (strncmp(domain, "https://", 8) == 0)
		proto = "https";
	else if (strncmp(domain, "http://", 7) == 0)
		proto = "http";
	else if (strcmp(proto, "http") != 0 && strcmp(proto, "https") != 0) {
		osb_error_set(err, 0, "", "protocol %s: must be http or https",
		    proto);
		return -1;
	}
	strlcpy(lc->protocol, proto, sizeof(lc->protocol));
	if (strstr(domain, "://") != NULL)
		len = strlcpy(url, domain, sizeof(url));
	else
		len = (size_t)snprintf(url, sizeof(url), "%s://%s", proto,
		    domain);
	if (len >= sizeof(url) - 4) {
		osb_error_set(err, 0, "", "domain %.40s...: too long", domain);
		return -1;
	}
	while (len > 0 && url[len - 1] == '/')
		url[--len] = '\0';
	if (len >= 3 && strcmp(url + len - 3, "/v1") == 0)
		url[len -= 3] = '\0';
	strlcat(url, "/v1", sizeof(url));
	return osb_endpoint_init(&lc->api, url, err);
}

/* Remote when cfg names a domain, local otherwise. */
struct osb_lifecycle *
osb_lifecycle_open(const struct osb_config *cfg, struct osb_error *err)
{
	struct osb_lifecycle *lc;

	if ((lc = calloc(1, sizeof(*lc))) == NULL) {
		osb_error_set(err, 0, "", "out of memory");
		return NULL;
	}
	lc->timeout_s = cfg->request_timeout;
	lc->use_server_proxy = cfg->use_server_proxy;
	if (cfg->domain == NULL || *cfg->domain == '\0') {
		strlcpy(lc->protocol, "http", sizeof(lc->protocol));
		if ((lc->local = osb_local_open(NULL, err)) == NULL) {
			free(lc);
			return NULL;
		}
		return lc;
	}
	if (remote_base(lc, cfg, err) == -1)
		goto fail;
	lc->api.timeout_s = cfg->request_timeout;
	if (cfg->api_key && *cfg->api_key && osb_endpoint_add_header(&lc->api,
	    "OPEN-SANDBOX-API-KEY", cfg->api_key) == -1) {
		osb_error_set(err, 0, "", "out of memory");
		goto fail;
	}
	return lc;
fail:
	osb_endpoint_free(&lc->api);
	free(lc);
	return NULL;
}

/* Release the client (and the local runtime handle). */
void
osb_lifecycle_close(struct osb_lifecycle *lc)
{
	if (lc == NULL)
		return;
	if (lc->local)
		osb_local_close(lc->local);
	osb_endpoint_free(&lc->api);
	free(lc);
}

/* Nonzero when the sandboxes are this host's own. */
int
osb_lifecycle_is_local(const struct osb_lifecycle *lc)
{
	return lc->local != NULL;
}

struct osb_local *
osb_lifecycle_local(const struct osb_lifecycle *lc)
{
	return lc->local;
}

/* "X-Request-ID: " and 32 random hex digits into line (64 bytes). */
static void
request_id_header(char *line, size_t n)
{
	unsigned char raw[16];
	size_t i, len;

	arc4random_buf(raw, sizeof(raw));
	len = strlcpy(line, "X-Request-ID: ", n);
	for (i = 0; i < sizeof(raw) && len + 2 < n; i++, len += 2)
		snprintf(line + len, n - len, "%02x", raw[i]);
}

/*
 * One request to the remote API: method, path under /v1, an optional JSON
 * body; the reply's JSON in *doc when doc is not NULL. 0 or -1.
 */
static int
remote_call(struct osb_lifecycle *lc, const char *method, const char *path,
    const json_t *body, json_t **doc, const char *what,
    struct osb_error *err)
{
	struct osb_http_reply reply;
	struct osb_http_req req = { 0 };
	char idline[64], *text = NULL;
	const char *headers[3] = { idline, "Accept: application/json", NULL };
	json_error_t jerr;
	int rc;

	request_id_header(idline, sizeof(idline));
	if (body && (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		osb_error_set(err, 0, "", "%s: out of memory", what);
		return -1;
	}
	req.method = method;
	req.path = path;
	req.headers = headers;
	req.body = text;
	req.body_len = text ? strlen(text) : 0;
	req.content_type = text ? "application/json" : NULL;
	req.what = what;
	rc = osb_http_do(&lc->api, &req, &reply, err);
	free(text);
	if (rc == -1 || doc == NULL) {
		osb_http_reply_free(&reply);
		return rc;
	}
	*doc = json_loadb(reply.body ? reply.body : "", reply.len, 0, &jerr);
	if (*doc == NULL)
		osb_error_set(err, reply.status, "", "%s: the server's reply "
		    "is not JSON: %s", what, jerr.text);
	osb_http_reply_free(&reply);
	return *doc ? 0 : -1;
}

/* "/sandboxes/ID" + rest with id escaped into path (size n); 0 or -1. */
static int
sandbox_path(char *path, size_t n, const char *id, const char *rest,
    struct osb_error *err)
{
	char *esc = osb_http_escape(id);
	int len;

	if (esc == NULL) {
		osb_error_set(err, 0, "", "sandbox %s: out of memory", id);
		return -1;
	}
	len = snprintf(path, n, "/sandboxes/%s%s", esc, rest);
	free(esc);
	if (len < 0 || (size_t)len >= n) {
		osb_error_set(err, 0, "", "sandbox %.40s...: id too long", id);
		return -1;
	}
	return 0;
}

/* A request about sandbox id: method on /sandboxes/ID + rest. */
static int
remote_sandbox_call(struct osb_lifecycle *lc, const char *method,
    const char *id, const char *rest, const json_t *body, json_t **doc,
    const char *verb, struct osb_error *err)
{
	char path[1024], what[256];

	if (sandbox_path(path, sizeof(path), id, rest, err) == -1)
		return -1;
	snprintf(what, sizeof(what), "%s sandbox %s", verb, id);
	return remote_call(lc, method, path, body, doc, what, err);
}

/* POST /sandboxes: *sandbox is the CreateSandboxResponse. */
int
osb_lifecycle_create(struct osb_lifecycle *lc, const json_t *request,
    json_t **sandbox, struct osb_error *err)
{
	if (lc->local)
		return osb_local_create(lc->local, request, sandbox, err);
	return remote_call(lc, "POST", "/sandboxes", request, sandbox,
	    "create sandbox", err);
}

/* Append "?name=value", or "&name=value" after the first, to the path
 * in b (value escaped); 0 or -1. */
static int
query_add(struct osb_buf *b, const char *name, const char *value)
{
	char *esc = osb_http_escape(value);
	int rc;

	if (esc == NULL)
		return -1;
	rc = osb_buf_append(b, memchr(b->data, '?', b->len) ? "&" : "?",
	    1) == 0 &&
	    osb_buf_append(b, name, strlen(name)) == 0 &&
	    osb_buf_append(b, "=", 1) == 0 &&
	    osb_buf_append(b, esc, strlen(esc)) == 0 ? 0 : -1;
	free(esc);
	return rc;
}

/*
 * The metadata filter as the spec encodes it: one query value holding
 * "k=v&k2=v2", key and value each escaped first so that an "&" or "="
 * of theirs survives the server's split. NULL when out of memory.
 */
static char *
metadata_filter(const struct osb_list_query *q)
{
	struct osb_buf b = { 0 };
	char *key, *val;
	size_t i;
	int ok = 1;

	for (i = 0; i < q->nmetadata && ok; i++) {
		const char *kv = q->metadata[i], *eq = strchr(kv, '=');
		char *name = eq ? strndup(kv, (size_t)(eq - kv)) : strdup(kv);

		key = name ? osb_http_escape(name) : NULL;
		val = osb_http_escape(eq ? eq + 1 : "");
		ok = key && val &&
		    (i == 0 || osb_buf_append(&b, "&", 1) == 0) &&
		    osb_buf_append(&b, key, strlen(key)) == 0 &&
		    osb_buf_append(&b, "=", 1) == 0 &&
		    osb_buf_append(&b, val, strlen(val)) == 0;
		free(name);
		free(key);
		free(val);
	}
	if (!ok || osb_buf_append(&b, "", 0) == -1) {
		osb_buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* The query string of GET /sandboxes for q into b; 0 or -1. */
static int
list_query(struct osb_buf *b, const struct osb_list_query *q)
{
	char num[32], *meta;
	size_t i;
	int rc;

	for (i = 0; i < q->nstates; i++)
		if (query_add(b, "state", q->states[i]) == -1)
			return -1;
	if (q->nmetadata) {
		if ((meta = metadata_filter(q)) == NULL)
			return -1;
		rc = query_add(b, "metadata", meta);
		free(meta);
		if (rc == -1)
			return -1;
	}
	if (q->page > 0) {
		snprintf(num, sizeof(num), "%d", q->page);
		if (query_add(b, "page", num) == -1)
			return -1;
	}
	if (q->page_size > 0) {
		snprintf(num, sizeof(num), "%d", q->page_size);
		if (query_add(b, "pageSize", num) == -1)
			return -1;
	}
	return 0;
}

/* GET /sandboxes with q, remotely. */
static int
remote_list(struct osb_lifecycle *lc, const struct osb_list_query *q,
    json_t **page, struct osb_error *err)
{
	struct osb_buf path = { 0 };
	int rc;

	if (osb_buf_append(&path, "/sandboxes", 10) == -1 ||
	    list_query(&path, q) == -1) {
		osb_buf_free(&path);
		osb_error_set(err, 0, "", "list sandboxes: out of memory");
		return -1;
	}
	rc = remote_call(lc, "GET", path.data, NULL, page, "list sandboxes",
	    err);
	osb_buf_free(&path);
	if (rc == 0 && !json_is_array(json_object_get(*page, "items"))) {
		osb_error_set(err, 0, "", "list sandboxes: the server's reply "
		    "has no items");
		json_decref(*page);
		*page = NULL;
		return -1;
	}
	return rc;
}

/* GET /sandboxes with q: *page is a ListSandboxesResponse. */
int
osb_lifecycle_list(struct osb_lifecycle *lc, const struct osb_list_query *q,
    json_t **page, struct osb_error *err)
{
	json_t *all;

	if (lc->local == NULL)
		return remote_list(lc, q, page, err);
	if (osb_local_list(lc->local, &all, err) == -1)
		return -1;
	*page = osb_lifecycle_page(all, q);
	json_decref(all);
	if (*page == NULL) {
		osb_error_set(err, 0, "", "list sandboxes: out of memory");
		return -1;
	}
	return 0;
}

/* GET /sandboxes/{id}: *sandbox is the Sandbox. */
int
osb_lifecycle_get(struct osb_lifecycle *lc, const char *id, json_t **sandbox,
    struct osb_error *err)
{
	if (lc->local)
		return osb_local_get(lc->local, id, sandbox, err);
	return remote_sandbox_call(lc, "GET", id, "", NULL, sandbox, "get",
	    err);
}

/* DELETE /sandboxes/{id}. */
int
osb_lifecycle_delete(struct osb_lifecycle *lc, const char *id,
    struct osb_error *err)
{
	if (lc->local)
		return osb_local_delete(lc->local, id, err);
	return remote_sandbox_call(lc, "DELETE", id, "", NULL, NULL, "kill",
	    err);
}

/* POST /sandboxes/{id}/pause. */
int
osb_lifecycle_pause(struct osb_lifecycle *lc, const char *id,
    struct osb_error *err)
{
	if (lc->local)
		return osb_local_pause(lc->local, id, err);
	return remote_sandbox_call(lc, "POST", id, "/pause", NULL, NULL,
	    "pause", err);
}

/* POST /sandboxes/{id}/resume. */
int
osb_lifecycle_resume(struct osb_lifecycle *lc, const char *id,
    struct osb_error *err)
{
	if (lc->local)
		return osb_local_resume(lc->local, id, err);
	return remote_sandbox_call(lc, "POST", id, "/resume", NULL, NULL,
	    "resume", err);
}

/* POST /sandboxes/{id}/renew-expiration: *reply is {"expiresAt"}. */
int
osb_lifecycle_renew(struct osb_lifecycle *lc, const char *id,
    const char *expires_at, json_t **reply, struct osb_error *err)
{
	json_t *body;
	int rc;

	if (lc->local)
		return osb_local_renew(lc->local, id, expires_at, reply, err);
	if ((body = json_pack("{s:s}", "expiresAt", expires_at)) == NULL) {
		osb_error_set(err, 0, "", "renew sandbox %s: bad time %s", id,
		    expires_at);
		return -1;
	}
	rc = remote_sandbox_call(lc, "POST", id, "/renew-expiration", body,
	    reply, "renew", err);
	json_decref(body);
	return rc;
}

/* PATCH /sandboxes/{id}/metadata: *sandbox is the Sandbox after it. */
int
osb_lifecycle_patch_metadata(struct osb_lifecycle *lc, const char *id,
    const json_t *patch, json_t **sandbox, struct osb_error *err)
{
	json_t *metadata;

	if (lc->local == NULL)
		return remote_sandbox_call(lc, "PATCH", id, "/metadata", patch,
		    sandbox, "patch metadata of", err);
	if (osb_local_patch_metadata(lc->local, id, patch, &metadata,
	    err) == -1)
		return -1;
	json_decref(metadata);
	return osb_local_get(lc->local, id, sandbox, err);
}

/* GET /sandboxes/{id}/endpoints/{port}: *endpoint is an Endpoint. */
int
osb_lifecycle_endpoint(struct osb_lifecycle *lc, const char *id, int port,
    json_t **endpoint, struct osb_error *err)
{
	char rest[64];
	int rc;

	if (lc->local)
		return osb_local_endpoint(lc->local, id, port, endpoint, err);
	snprintf(rest, sizeof(rest), "/endpoints/%d%s", port,
	    lc->use_server_proxy ? "?use_server_proxy=true" : "");
	rc = remote_sandbox_call(lc, "GET", id, rest, NULL, endpoint,
	    "get endpoint of", err);
	if (rc == 0 && !json_is_string(json_object_get(*endpoint,
	    "endpoint"))) {
		osb_error_set(err, 0, "", "get endpoint of sandbox %s: the "
		    "server's reply names no endpoint", id);
		json_decref(*endpoint);
		*endpoint = NULL;
		return -1;
	}
	return rc;
}

/* Every sandbox, all pages of the list gathered into one array. */
static int
list_all(struct osb_lifecycle *lc, json_t **all, struct osb_error *err)
{
	struct osb_list_query q = { .page = 1, .page_size = ALL_PAGE_SIZE };
	json_t *page;
	int more;

	if (lc->local)
		return osb_local_list(lc->local, all, err);
	if ((*all = json_array()) == NULL) {
		osb_error_set(err, 0, "", "list sandboxes: out of memory");
		return -1;
	}
	do {
		if (remote_list(lc, &q, &page, err) == -1) {
			json_decref(*all);
			*all = NULL;
			return -1;
		}
		json_array_extend(*all, json_object_get(page, "items"));
		more = json_is_true(json_object_get(json_object_get(page,
		    "pagination"), "hasNextPage")) &&
		    json_array_size(json_object_get(page, "items")) > 0;
		json_decref(page);
		q.page++;
	} while (more);
	return 0;
}

/* The ids in all that start with prefix, sorted, as a new array of
 * strings. */
static json_t *
ids_with_prefix(const json_t *all, const char *prefix)
{
	json_t *ids = json_array(), *sb;
	size_t i, at, len = strlen(prefix);
	const char *id;

	json_array_foreach(all, i, sb) {
		id = json_string_value(json_object_get(sb, "id"));
		if (id == NULL || strncmp(id, prefix, len) != 0)
			continue;
		for (at = 0; at < json_array_size(ids) && strcmp(id,
		    json_string_value(json_array_get(ids, at))) > 0; at++)
			;
		json_array_insert_new(ids, at, json_string(id));
	}
	return ids;
}

/* err says prefix fits every id of ids, naming them (a few at most). */
static void
ambiguous(const char *prefix, const json_t *ids, struct osb_error *err)
{
	char list[768] = "";
	json_t *id;
	size_t i;

	json_array_foreach(ids, i, id) {
		if (i > 0)
			strlcat(list, ", ", sizeof(list));
		if (strlcat(list, json_string_value(id), sizeof(list)) >=
		    sizeof(list) - 8) {
			strlcat(list, "...", sizeof(list));
			break;
		}
	}
	osb_error_set(err, 0, "", "%s: ambiguous id prefix: %zu sandboxes "
	    "match: %s", prefix, json_array_size(ids), list);
}

/*
 * The full id of an id or unique prefix: an exact id is taken as it is
 * (one request), any other is looked for among all sandboxes.
 */
int
osb_lifecycle_complete_id(struct osb_lifecycle *lc, const char *prefix,
    char **id, struct osb_error *err)
{
	json_t *sb = NULL, *all, *ids;
	int rc = -1;

	if (*prefix == '\0') {
		osb_error_set(err, 0, "", "empty sandbox id");
		return -1;
	}
	if (osb_lifecycle_get(lc, prefix, &sb, err) == 0) {
		json_decref(sb);
		*id = strdup(prefix);
		return *id ? 0 : -1;
	}
	if (err->status != 404 || list_all(lc, &all, err) == -1)
		return -1;
	ids = ids_with_prefix(all, prefix);
	if (json_array_size(ids) == 1) {
		*id = strdup(json_string_value(json_array_get(ids, 0)));
		rc = *id ? 0 : -1;
	} else if (json_array_size(ids) == 0)
		osb_error_set(err, 404, "SANDBOX_NOT_FOUND", "%s: no such "
		    "sandbox", prefix);
	else
		ambiguous(prefix, ids, err);
	json_decref(ids);
	json_decref(all);
	return rc;
}

/*
 * ep for an endpoint object {"endpoint": "host:port" or "host/path",
 * "headers": {...}}, in the scheme of the API it came from.
 */
static int
endpoint_from_json(struct osb_lifecycle *lc, const char *id,
    const json_t *doc, struct osb_endpoint *ep, struct osb_error *err)
{
	const char *where = json_string_value(json_object_get(doc, "endpoint"));
	const char *name;
	char url[1024];
	json_t *value;

	if (where == NULL) {
		osb_error_set(err, 0, "", "sandbox %s: no execd endpoint", id);
		return -1;
	}
	if (strstr(where, "://"))
		strlcpy(url, where, sizeof(url));
	else
		snprintf(url, sizeof(url), "%s://%s", lc->protocol, where);
	if (osb_endpoint_init(ep, url, err) == -1)
		return -1;
	ep->timeout_s = lc->timeout_s;
	json_object_foreach(json_object_get(doc, "headers"), name, value) {
		if (json_is_string(value) && osb_endpoint_add_header(ep, name,
		    json_string_value(value)) == -1) {
			osb_endpoint_free(ep);
			osb_error_set(err, 0, "", "sandbox %s: out of memory",
			    id);
			return -1;
		}
	}
	return 0;
}

/*
 * A sandbox that is not Running has no execd to answer: a paused one
 * would take a request and never reply. 0, or -1 with err saying what it
 * is instead (409).
 */
static int
refuse_unless_running(struct osb_lifecycle *lc, const char *id,
    struct osb_error *err)
{
	const char *state;
	char lower[32];
	json_t *sb;
	size_t i;

	if (osb_lifecycle_get(lc, id, &sb, err) == -1)
		return -1;
	state = json_string_value(json_object_get(json_object_get(sb,
	    "status"), "state"));
	if (state == NULL || strcmp(state, "Running") == 0) {
		json_decref(sb);
		return 0;
	}
	for (i = 0; i < sizeof(lower) - 1 && state[i] != '\0'; i++)
		lower[i] = (char)tolower((unsigned char)state[i]);
	lower[i] = '\0';
	osb_error_set(err, 409, "SANDBOX_STATE_CONFLICT", "sandbox %s is %s%s",
	    id, lower, strcmp(state, "Paused") == 0 ? " (osb-sandbox resume "
	    "it first)" : "");
	json_decref(sb);
	return -1;
}

/* The execd of sandbox id, with the headers it wants. */
int
osb_lifecycle_execd(struct osb_lifecycle *lc, const char *id,
    struct osb_endpoint *ep, struct osb_error *err)
{
	json_t *doc;
	int rc;

	if (refuse_unless_running(lc, id, err) == -1 ||
	    osb_lifecycle_endpoint(lc, id, EXECD_PORT, &doc, err) == -1)
		return -1;
	rc = endpoint_from_json(lc, id, doc, ep, err);
	json_decref(doc);
	return rc;
}

/* Port of sandbox id as an endpoint with the headers it wants. */
int
osb_lifecycle_port(struct osb_lifecycle *lc, const char *id, int port,
    struct osb_endpoint *ep, struct osb_error *err)
{
	json_t *doc;
	int rc;

	if (osb_lifecycle_endpoint(lc, id, port, &doc, err) == -1)
		return -1;
	rc = endpoint_from_json(lc, id, doc, ep, err);
	json_decref(doc);
	return rc;
}

/* Does sandbox sb's state match one of q's states (any, when none)? */
static int
state_matches(const json_t *sb, const struct osb_list_query *q)
{
	const char *state = json_string_value(json_object_get(
	    json_object_get(sb, "status"), "state"));
	size_t i;

	if (q->nstates == 0)
		return 1;
	for (i = 0; state && i < q->nstates; i++)
		if (strcasecmp(state, q->states[i]) == 0)
			return 1;
	return 0;
}

/* Does sb's metadata hold every "key=value" of q? */
static int
metadata_matches(const json_t *sb, const struct osb_list_query *q)
{
	const json_t *meta = json_object_get(sb, "metadata");
	const char *kv, *eq, *have;
	char key[256];
	size_t i;

	for (i = 0; i < q->nmetadata; i++) {
		kv = q->metadata[i];
		eq = strchr(kv, '=');
		if (eq == NULL || (size_t)(eq - kv) >= sizeof(key))
			return 0;
		memcpy(key, kv, (size_t)(eq - kv));
		key[eq - kv] = '\0';
		have = json_string_value(json_object_get(meta, key));
		if (have == NULL || strcmp(have, eq + 1) != 0)
			return 0;
	}
	return 1;
}

/* The page of all that q asks for, with its pagination. */
json_t *
osb_lifecycle_page(const json_t *all, const struct osb_list_query *q)
{
	json_t *items = json_array(), *sb;
	long page = q->page > 0 ? q->page : 1;
	long size = q->page_size > 0 ? q->page_size : DEFAULT_PAGE_SIZE;
	long total = 0, pages;
	size_t i;

	json_array_foreach(all, i, sb) {
		if (!state_matches(sb, q) || !metadata_matches(sb, q))
			continue;
		if (total / size == page - 1)
			json_array_append(items, sb);
		total++;
	}
	pages = (total + size - 1) / size;
	return json_pack("{s:o, s:{s:I, s:I, s:I, s:I, s:b}}", "items", items,
	    "pagination", "page", (json_int_t)page, "pageSize",
	    (json_int_t)size, "totalItems", (json_int_t)total, "totalPages",
	    (json_int_t)pages, "hasNextPage", page < pages);
}

/*
 * serve_http.c — the request plumbing of `osb-sandbox serve`: routes with
 * or without the /v1 prefix (the reference server answers both, and its
 * proxy endpoints have none), the API key, X-Request-ID, the log.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"
#include "serve_http.h"
#include "util.h"

#define API_KEY_HEADER "OPEN-SANDBOX-API-KEY"
#define REQUEST_ID_HEADER "X-Request-ID"
/* Bodies of the API (not the proxy) are small JSON documents. */
#define MAX_API_BODY (1024 * 1024)

/* The lifecycle API, below the optional /v1. */
static const struct osb_route api_routes[] = {
	{ "GET", "/sandboxes", api_list, NULL, NULL },
	{ "POST", "/sandboxes", api_create, NULL, NULL },
	{ "GET", "/sandboxes/{}", api_get, NULL, NULL },
	{ "DELETE", "/sandboxes/{}", api_delete, NULL, NULL },
	{ "PATCH", "/sandboxes/{}/metadata", api_patch_metadata, NULL, NULL },
	{ "POST", "/sandboxes/{}/pause", api_pause, NULL, NULL },
	{ "POST", "/sandboxes/{}/resume", api_resume, NULL, NULL },
	{ "POST", "/sandboxes/{}/renew-expiration", api_renew, NULL, NULL },
	{ "GET", "/sandboxes/{}/endpoints/{}", api_endpoint, NULL, NULL },
	{ "POST", "/sandboxes/{}/snapshots", api_snapshots, NULL, NULL },
	{ "GET", "/snapshots", api_snapshots, NULL, NULL },
	{ "GET", "/snapshots/{}", api_snapshots, NULL, NULL },
	{ "DELETE", "/snapshots/{}", api_snapshots, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

/* Reachable without the API key, as with the reference server. */
static const struct osb_route health_route =
	{ "GET", "/health", api_health, NULL, NULL };

/* Queue r; serve_decorate adds the request's X-Request-ID. */
int
serve_reply(struct osb_req *req, unsigned status, struct MHD_Response *r)
{
	return osb_reply_response(req, status, r);
}

/* Add the request's X-Request-ID to r, whoever replies (server.c's own
 * 413 of a body too large included). */
void
serve_decorate(struct osb_req *req, struct MHD_Response *r)
{
	struct serve_req *sr = req->state;

	if (sr)
		MHD_add_response_header(r, REQUEST_ID_HEADER, sr->request_id);
}

/* Reply doc (stolen) as JSON. */
int
serve_reply_json(struct osb_req *req, unsigned status, json_t *doc)
{
	struct MHD_Response *r = osb_response_json(doc);

	if (r == NULL)
		return serve_reply_error(req, 500, "INTERNAL_ERROR",
		    "out of memory");
	return serve_reply(req, status, r);
}

/* Reply status with no body. */
int
serve_reply_empty(struct osb_req *req, unsigned status)
{
	return serve_reply(req, status, MHD_create_response_from_buffer(0, "",
	    MHD_RESPMEM_PERSISTENT));
}

/* Reply {"code","message"}. */
int
serve_reply_error(struct osb_req *req, unsigned status, const char *code,
    const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return serve_reply(req, status, osb_response_error(code, "%s",
	    message));
}

/* The code the API gives a status when the runtime named none. */
static const char *
default_code(long status)
{
	switch (status) {
	case 400:
		return "INVALID_REQUEST";
	case 404:
		return "NOT_FOUND";
	case 409:
		return "CONFLICT";
	default:
		return "INTERNAL_ERROR";
	}
}

/* Reply what err says went wrong. */
int
serve_reply_failure(struct osb_req *req, const struct osb_error *err)
{
	long status = err->status >= 400 && err->status < 600 ?
	    err->status : 500;

	return serve_reply_error(req, (unsigned)status,
	    err->code[0] ? err->code : default_code(status), "%s",
	    err->message);
}

/* The body as a JSON object, or NULL after a 400 reply. */
json_t *
serve_body_object(struct osb_req *req)
{
	json_error_t jerr;
	json_t *doc;

	if (req->body.len == 0) {
		serve_reply_error(req, 400, "INVALID_REQUEST",
		    "request body: empty, a JSON object is needed");
		return NULL;
	}
	doc = json_loadb(req->body.data, req->body.len, 0, &jerr);
	if (doc == NULL) {
		serve_reply_error(req, 400, "INVALID_REQUEST",
		    "request body: invalid JSON: %s (line %d, column %d)",
		    jerr.text, jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		serve_reply_error(req, 400, "INVALID_REQUEST",
		    "request body: a JSON object is needed");
		return NULL;
	}
	return doc;
}

/* The client's X-Request-ID (printable, trimmed) or a new random one. */
static void
set_request_id(struct osb_req *req, struct serve_req *sr)
{
	const char *given = osb_req_header(req, REQUEST_ID_HEADER);
	unsigned char raw[16];
	size_t len, i;

	if (given) {
		while (*given == ' ' || *given == '\t')
			given++;
		len = strlen(given);
		while (len > 0 && (given[len - 1] == ' ' ||
		    given[len - 1] == '\t'))
			len--;
		for (i = 0; i < len; i++)
			if (given[i] < 0x20 || given[i] > 0x7e)
				break;
		if (len > 0 && i == len && len < sizeof(sr->request_id)) {
			memcpy(sr->request_id, given, len);
			sr->request_id[len] = '\0';
			return;
		}
	}
	arc4random_buf(raw, sizeof(raw));
	for (i = 0; i < sizeof(raw); i++)
		snprintf(sr->request_id + 2 * i, 3, "%02x", raw[i]);
}

/* Compare in time that depends on the lengths only. */
static int
same_key(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	volatile unsigned char diff = la != lb;

	for (i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

/* Nonzero when the API key is right or none is needed; else a 401. */
static int
key_ok(struct osb_req *req)
{
	const char *got;

	if (serve.api_key == NULL)
		return 1;
	got = osb_req_header(req, API_KEY_HEADER);
	if (got == NULL || *got == '\0') {
		serve_reply_error(req, 401, "MISSING_API_KEY", "authentication "
		    "credentials are missing: send the API key in the "
		    API_KEY_HEADER " header");
		return 0;
	}
	if (!same_key(got, serve.api_key)) {
		serve_reply_error(req, 401, "INVALID_API_KEY", "authentication "
		    "credentials are invalid: check the API key");
		return 0;
	}
	return 1;
}

/* path without a leading "/v1" segment. */
static const char *
api_path(const char *path)
{
	if (strncmp(path, "/v1", 3) == 0 && (path[3] == '/' ||
	    path[3] == '\0'))
		return path + 3;
	return path;
}

/* The route of the table for path and req's method; 405 or 404 when
 * there is none. */
static const struct osb_route *
table_route(struct osb_req *req, const char *path)
{
	const struct osb_route *r;
	int path_known = 0;

	for (r = api_routes; r->method; r++) {
		if (!osb_route_match(r->pattern, path, req))
			continue;
		if (strcmp(r->method, req->method) != 0) {
			path_known = 1;
			continue;
		}
		/* server.c answers a longer one, chunked or not. */
		req->max_body = MAX_API_BODY;
		return r;
	}
	if (path_known)
		serve_reply_error(req, 405, "METHOD_NOT_ALLOWED",
		    "method %s not allowed on %s", req->method, req->path);
	else
		serve_reply_error(req, 404, "NOT_FOUND",
		    "no such endpoint: %s %s", req->method, req->path);
	return NULL;
}

/* Pick the route of a new request; NULL once it has been answered. */
const struct osb_route *
serve_pick(struct osb_req *req)
{
	struct serve_req *sr;
	const char *path = api_path(req->path);

	if ((sr = calloc(1, sizeof(*sr))) == NULL)
		return NULL;
	req->state = sr;
	sr->start_ms = osb_now_ms();
	set_request_id(req, sr);
	if (proxy_matches(req, path))
		return &proxy_route;
	if (strcmp(path, "/health") == 0 && strcmp(req->method, "GET") == 0)
		return &health_route;
	if (!key_ok(req))
		return NULL;
	return table_route(req, path);
}

/* "127.0.0.1" or "::1" of the client into buf. */
static void
client_address(struct osb_req *req, char *buf, size_t n)
{
	const union MHD_ConnectionInfo *info;
	const struct sockaddr *sa;

	snprintf(buf, n, "-");
	info = MHD_get_connection_info(req->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info == NULL || (sa = info->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, buf, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr, buf, (socklen_t)n);
}

/* path (at most n - 1 bytes of it) with spaces, controls and bytes past
 * ASCII as %XX, so that a log line keeps its fields apart. */
static void
log_path(const char *path, char *out, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	size_t o = 0;

	for (p = (const unsigned char *)path; *p && o + 4 < n; p++) {
		if (*p > 0x20 && *p < 0x7f) {
			out[o++] = (char)*p;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[*p >> 4];
		out[o++] = hex[*p & 15];
	}
	out[o] = '\0';
}

/*
 * One line for the request on stderr, written at once so that lines of
 * requests ending together never mix: time, client, method, path,
 * status, milliseconds, request id.
 */
static void
log_request(struct osb_req *req, const struct serve_req *sr)
{
	char line[2048], when[32], addr[64], path[1500];
	time_t now = time(NULL);
	struct tm tm;
	int len;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	client_address(req, addr, sizeof(addr));
	log_path(req->path, path, sizeof(path));
	len = snprintf(line, sizeof(line), "%s %s %s %s %u %lldms %s\n",
	    when, addr, req->method, path, osb_req_status(req),
	    (long long)(osb_now_ms() - sr->start_ms), sr->request_id);
	if (len > (int)sizeof(line) - 1) {
		len = (int)sizeof(line) - 1;
		line[len - 1] = '\n';
	}
	(void)osb_write_all(STDERR_FILENO, line, (size_t)len);
}

/* The request is over: log it, free its state. */
void
serve_completed(struct osb_req *req)
{
	struct serve_req *sr = req->state;

	if (sr == NULL)
		return;
	if (!serve.quiet)
		log_request(req, sr);
	proxy_release(req);
	free(sr);
	req->state = NULL;
}

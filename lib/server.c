/*
 * server.c — libmicrohttpd plumbing for osb-execd and `osb-sandbox serve`.
 *
 * Thread per connection: handlers and stream producers may block. A request
 * goes through on_request() several times (headers, body pieces, end); the
 * route is picked at the first call, the body collected or handed on in
 * pieces, and the handler runs at the last call.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"
#include "util.h"

struct osb_server {
	struct MHD_Daemon *daemon;
	struct osb_server_config cfg;
	struct osb_server_hooks hooks;	/* zero: routes from cfg */
};

/* A request that answered while its body was still coming in. */
struct held_reply {
	unsigned status;
	struct MHD_Response *response;
};

struct req_private {
	struct osb_req req;
	const struct osb_server *srv;
	struct held_reply held;
	int in_body;		/* inside on_body: replies are held */
	int seen_handler;	/* on_done is owed */
};

struct sse_stream {
	osb_sse_next next;
	void (*done)(void *);
	void *arg;
	int ping_ms;
	int ended;
	struct osb_buf pending;	/* formatted frames not yet handed to MHD */
	size_t pending_off;
};

static atomic_int server_stopping;

/*
 * What uri_log() returns for a request whose path holds an escaped NUL
 * ("/ping%00x"): libmicrohttpd hands on_request the path decoded and so
 * cut short at the NUL ("/ping"), which would route it elsewhere.
 */
static char path_has_nul;

/* The descriptor limit the process started with, for its children. */
static struct rlimit nofile_at_start;
static int nofile_raised;

/* Unix time in milliseconds. */
int64_t
osb_now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Nonzero once the server is stopping. */
int
osb_server_stopping(void)
{
	return atomic_load(&server_stopping);
}

/*
 * Returns 1 when path matches pattern ("{}" matches one segment), storing
 * the captures in req->params (copied into req->param_buf).
 */
static int
route_matches(const char *pattern, const char *path, struct osb_req *req)
{
	size_t used = 0, n = 0;

	while (*pattern && *path) {
		if (pattern[0] == '{' && pattern[1] == '}') {
			size_t len = strcspn(path, "/");

			if (len == 0 || n == OSB_MAX_PARAMS ||
			    used + len + 1 > sizeof(req->param_buf))
				return 0;
			memcpy(req->param_buf + used, path, len);
			req->param_buf[used + len] = '\0';
			req->params[n++] = req->param_buf + used;
			used += len + 1;
			pattern += 2;
			path += len;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

/*
 * The route for the request, or NULL; *path_known is set when some route
 * has the path under another method (so the answer is 405, not 404).
 */
static const struct osb_route *
find_route(const struct osb_server_config *cfg, struct osb_req *req,
    int *path_known)
{
	const struct osb_route *r;

	*path_known = 0;
	for (r = cfg->routes; r->method; r++) {
		if (!route_matches(r->pattern, req->path, req))
			continue;
		if (strcmp(r->method, req->method) == 0)
			return r;
		*path_known = 1;
	}
	return NULL;
}

/* Compare in time that depends on the length only, not on the contents. */
static int
equal_secret(const char *a, const char *b, size_t len)
{
	volatile unsigned char diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

/* Nonzero when the request carries the access token (or none is needed). */
static int
token_ok(const struct osb_server_config *cfg, struct osb_req *req)
{
	const char *got;
	size_t want_len;

	if (cfg->token == NULL || cfg->token[0] == '\0')
		return 1;
	got = osb_req_header(req, cfg->token_header);
	if (got == NULL)
		return 0;
	want_len = strlen(cfg->token);
	if (strlen(got) != want_len)
		return 0;
	return equal_secret(got, cfg->token, want_len);
}

/* The query argument name, or NULL. */
const char *
osb_req_query(struct osb_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

struct query_walk {
	const char *name;
	const char **list;
	size_t n, cap;
	int failed;
};

/* MHD_get_connection_values callback: collect the values of w->name. */
static enum MHD_Result
collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct query_walk *w = cls;
	const char **grown;

	(void)kind;
	if (strcmp(key, w->name) != 0 || value == NULL)
		return MHD_YES;
	if (w->n + 1 >= w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		grown = reallocarray(w->list, w->cap, sizeof(*w->list));
		if (grown == NULL) {
			w->failed = 1;
			return MHD_NO;
		}
		w->list = grown;
	}
	w->list[w->n++] = value;
	return MHD_YES;
}

/* Every value of query argument name, in a NULL-ended array. */
const char **
osb_req_query_all(struct osb_req *req, const char *name, size_t *n)
{
	struct query_walk w = { name, NULL, 0, 0, 0 };

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
	    collect_query, &w);
	if (w.failed || w.list == NULL) {
		free(w.list);
		w.list = calloc(1, sizeof(*w.list));
		w.n = 0;
		if (w.list == NULL)
			return NULL;
	}
	w.list[w.n] = NULL;
	*n = w.n;
	return w.list;
}

/* The request header name, or NULL. */
const char *
osb_req_header(struct osb_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* The body as JSON, or NULL after a 400 reply. */
json_t *
osb_req_json(struct osb_req *req)
{
	json_error_t jerr;
	json_t *doc;

	if (req->body.len == 0) {
		osb_reply_error(req, 400, OSB_E_INVALID,
		    "error parsing request: empty body");
		return NULL;
	}
	doc = json_loadb(req->body.data, req->body.len, 0, &jerr);
	if (doc == NULL)
		osb_reply_error(req, 400, OSB_E_INVALID,
		    "error parsing request, invalid JSON: %s (line %d)",
		    jerr.text, jerr.line);
	return doc;
}

/* The code of server.c's own 400 and 413 replies. */
static const char *
invalid_code(const struct req_private *priv)
{
	return priv->srv->cfg.invalid_code ? priv->srv->cfg.invalid_code :
	    OSB_E_INVALID;
}

/* Queue response (or hold it until the body is in); 0 or -1. */
int
osb_reply_response(struct osb_req *req, unsigned status,
    struct MHD_Response *response)
{
	struct req_private *priv = (struct req_private *)req;
	enum MHD_Result ok;

	if (response == NULL)
		return -1;
	if (req->replied) {
		MHD_destroy_response(response);
		return -1;
	}
	req->replied = 1;
	if (priv->srv->hooks.decorate)
		priv->srv->hooks.decorate(req, response);
	if (priv->in_body) {
		priv->held.status = status;
		priv->held.response = response;
		return 0;
	}
	ok = MHD_queue_response(req->conn, status, response);
	MHD_destroy_response(response);
	return ok == MHD_YES ? 0 : -1;
}

/* A response holding doc (stolen) as compact JSON; NULL when out of
 * memory. */
static struct MHD_Response *
json_response(json_t *doc)
{
	struct MHD_Response *r;
	char *text;

	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (text == NULL)
		return NULL;
	r = MHD_create_response_from_buffer(strlen(text), text,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return NULL;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");
	return r;
}

/* {"code": code, "message": fmt formatted with ap} as a response. */
static struct MHD_Response *
error_response(const char *code, const char *fmt, va_list ap)
{
	char message[1024], *text;
	size_t len;
	json_t *doc;

	/* A path or name in the message may hold bytes JSON can't carry. */
	vsnprintf(message, sizeof(message), fmt, ap);
	if ((text = osb_utf8_repair(message, strlen(message), &len)) == NULL)
		return NULL;
	doc = json_pack("{s:s, s:s%}", "code", code, "message", text, len);
	free(text);
	return json_response(doc);
}

/* A response holding {"code": code, "message": the formatted text}. */
struct MHD_Response *
osb_response_error(const char *code, const char *fmt, ...)
{
	struct MHD_Response *r;
	va_list ap;

	va_start(ap, fmt);
	r = error_response(code, fmt, ap);
	va_end(ap);
	return r;
}

/* Reply doc (stolen); a 500 error when it can't be sent as it is. */
int
osb_reply_json(struct osb_req *req, unsigned status, json_t *doc)
{
	struct MHD_Response *r = json_response(doc);

	if (r == NULL)
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	return osb_reply_response(req, status, r);
}

/* Reply {"code","message"} with status. */
int
osb_reply_error(struct osb_req *req, unsigned status, const char *code,
    const char *fmt, ...)
{
	struct MHD_Response *r;
	va_list ap;

	va_start(ap, fmt);
	r = error_response(code, fmt, ap);
	va_end(ap);
	return osb_reply_response(req, status, r);
}

/* Reply status with no body. */
int
osb_reply_empty(struct osb_req *req, unsigned status)
{
	return osb_reply_response(req, status,
	    MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT));
}

/* Append one event as an SSE frame to the stream's pending bytes. */
static int
sse_queue_event(struct sse_stream *s, json_t *event)
{
	char *text;
	size_t len;
	int rc = -1;

	if (json_object_get(event, "timestamp") == NULL)
		json_object_set_new(event, "timestamp",
		    json_integer(osb_now_ms()));
	text = json_dumps(event, JSON_COMPACT);
	json_decref(event);
	if (text == NULL)
		return -1;
	len = strlen(text);
	/* Room for the whole frame first: no frame goes out in part. */
	if (osb_buf_reserve(&s->pending, len + 8) == 0) {
		osb_buf_append(&s->pending, "data: ", 6);
		osb_buf_append(&s->pending, text, len);
		osb_buf_append(&s->pending, "\n\n", 2);
		rc = 0;
	}
	free(text);
	return rc;
}

/* Fill pending with at least one frame; -1 at the end of the stream. */
static int
sse_fill(struct sse_stream *s)
{
	json_t *event;
	int timeout = s->ping_ms > 0 ? s->ping_ms : 1000;

	while (!s->ended) {
		event = NULL;
		switch (s->next(s->arg, &event, timeout)) {
		case 1:
			return sse_queue_event(s, event);
		case 0:
			if (osb_server_stopping())
				s->ended = 1;
			else if (s->ping_ms > 0)
				return sse_queue_event(s, json_pack(
				    "{s:s, s:s}", "type", "ping", "text",
				    "pong"));
			break;
		default:
			s->ended = 1;
		}
	}
	return -1;
}

/* MHD content reader: pending frames, filled up as needed. */
static ssize_t
sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse_stream *s = cls;
	size_t n;

	(void)pos;
	if (s->pending_off == s->pending.len) {
		s->pending_off = s->pending.len = 0;
		if (sse_fill(s) < 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = s->pending.len - s->pending_off;
	if (n > max)
		n = max;
	memcpy(buf, s->pending.data + s->pending_off, n);
	s->pending_off += n;
	return (ssize_t)n;
}

/* MHD content reader free: the stream is over. */
static void
sse_free(void *cls)
{
	struct sse_stream *s = cls;

	if (s->done)
		s->done(s->arg);
	osb_buf_free(&s->pending);
	free(s);
}

/* Reply 200 with an SSE stream fed by next. */
int
osb_reply_sse(struct osb_req *req, osb_sse_next next, void (*done)(void *),
    void *arg, int ping_ms)
{
	struct sse_stream *s;
	struct MHD_Response *r;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		if (done)
			done(arg);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	}
	s->next = next;
	s->done = done;
	s->arg = arg;
	s->ping_ms = ping_ms;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024,
	    sse_read, s, sse_free);
	if (r == NULL) {
		sse_free(s);
		return -1;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/event-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	return osb_reply_response(req, 200, r);
}

/*
 * MHD_get_connection_values_n callback: stop at the first argument whose
 * name or value holds a NUL byte (a decoded %00), noting its name in
 * *cls. As a C string it would be cut short there, and a path cut short
 * names another file: "/x/%00y" would be "/x/".
 */
static enum MHD_Result
find_nul(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	const char **bad = cls;

	(void)kind;
	if (strlen(key) == key_size &&
	    (value == NULL || strlen(value) == value_size))
		return MHD_YES;
	*bad = key;
	return MHD_NO;
}

/* The route of req from the table, after the token check; -1 once an
 * error reply is queued. */
static int
table_route(const struct osb_server_config *cfg, struct osb_req *req)
{
	int path_known;

	if (!token_ok(cfg, req)) {
		osb_reply_error(req, 401, OSB_E_AUTH,
		    "missing or invalid %s", cfg->token_header);
		return -1;
	}
	if ((req->route = find_route(cfg, req, &path_known)) != NULL)
		return 0;
	if (path_known)
		osb_reply_error(req, 405, OSB_E_INVALID,
		    "method %s not allowed on %s", req->method, req->path);
	else
		osb_reply_error(req, 404, "NOT_FOUND", "no such endpoint: %s %s",
		    req->method, req->path);
	return -1;
}

/* First call for a request: check the token, pick the route. */
static void
begin_request(const struct osb_server *srv, struct req_private *priv,
    int nul_in_path)
{
	struct osb_req *req = &priv->req;
	const char *clen, *bad = NULL;

	if (srv->hooks.pick) {
		if ((req->route = srv->hooks.pick(req)) == NULL) {
			if (!req->replied)
				osb_reply_error(req, 500, OSB_E_RUNTIME,
				    "%s %s: no route and no reply",
				    req->method, req->path);
			return;
		}
	} else if (table_route(&srv->cfg, req) < 0)
		return;
	if (nul_in_path) {
		osb_reply_error(req, 400, invalid_code(priv),
		    "the path holds a NUL byte (%%00)");
		return;
	}
	MHD_get_connection_values_n(req->conn, MHD_GET_ARGUMENT_KIND,
	    find_nul, &bad);
	if (bad) {
		osb_reply_error(req, 400, invalid_code(priv),
		    "query parameter '%s' holds a NUL byte", bad);
		return;
	}
	if (req->max_body == 0 || req->max_body > OSB_MAX_BODY)
		req->max_body = OSB_MAX_BODY;
	clen = osb_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (req->route->on_body == NULL && clen &&
	    strtoull(clen, NULL, 10) > req->max_body)
		osb_reply_error(req, 413, invalid_code(priv),
		    "request body too large: %s bytes (limit %zu)", clen,
		    req->max_body);
}

/* A piece of body: hand it on or collect it (up to req->max_body);
 * errors are held. */
static void
take_body(struct req_private *priv, const char *data, size_t len)
{
	struct osb_req *req = &priv->req;

	if (req->replied || req->body_failed)
		return;
	if (req->route->on_body) {
		priv->seen_handler = 1;
		priv->in_body = 1;
		if (req->route->on_body(req, data, len) < 0)
			req->body_failed = 1;
		priv->in_body = 0;
	} else if (req->body.len + len > req->max_body ||
	    osb_buf_append(&req->body, data, len) < 0) {
		priv->in_body = 1;
		osb_reply_error(req, 413, invalid_code(priv),
		    "request body too large (limit %zu bytes)", req->max_body);
		priv->in_body = 0;
	}
}

/*
 * Time a connection out only while it waits for a request or its body:
 * a handler or a stream may take as long as it needs (a command's
 * output may pause for minutes), and libmicrohttpd would otherwise close
 * a connection whose handler returned after the timeout had passed.
 */
static void
set_idle_timeout(const struct req_private *priv, int on)
{
	const struct osb_server_config *cfg = &priv->srv->cfg;

	MHD_set_connection_option(priv->req.conn, MHD_CONNECTION_OPTION_TIMEOUT,
	    on ? (cfg->idle_timeout ? cfg->idle_timeout : OSB_IDLE_TIMEOUT) :
	    0u);
}

/* MHD access handler: called for the headers, each body piece and the end. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct osb_server *srv = cls;
	struct req_private *priv = *con_cls;
	struct osb_req *req;
	int nul_in_path = priv == (void *)&path_has_nul;

	(void)version;
	if (priv == NULL || nul_in_path) {
		if ((priv = calloc(1, sizeof(*priv))) == NULL)
			return MHD_NO;
		*con_cls = priv;
		priv->srv = srv;
		priv->req.conn = conn;
		priv->req.method = method;
		priv->req.path = url;
		begin_request(srv, priv, nul_in_path);
		return MHD_YES;
	}
	req = &priv->req;
	if (*upload_data_size > 0) {
		take_body(priv, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (priv->held.response) {
		MHD_queue_response(conn, priv->held.status,
		    priv->held.response);
		MHD_destroy_response(priv->held.response);
		priv->held.response = NULL;
		return MHD_YES;
	}
	if (req->replied)
		return MHD_YES;
	priv->seen_handler = 1;
	set_idle_timeout(priv, 0);
	req->route->handle(req);
	if (!req->replied)
		osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "%s %s: no reply", req->method, req->path);
	/* Returning with nothing queued would have MHD call again at once. */
	if (!req->replied && osb_reply_empty(req, 500) < 0)
		return MHD_NO;
	return MHD_YES;
}

/* MHD completion: release the request, telling the route first. */
static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct osb_server *srv = cls;
	struct req_private *priv = *con_cls;

	(void)toe;
	if (priv == NULL || priv == (void *)&path_has_nul)
		return;
	set_idle_timeout(priv, 1);
	if (srv->hooks.completed)
		srv->hooks.completed(&priv->req);
	if (priv->seen_handler && priv->req.route->on_done)
		priv->req.route->on_done(&priv->req);
	if (priv->held.response)
		MHD_destroy_response(priv->held.response);
	osb_buf_free(&priv->req.body);
	free(priv);
	*con_cls = NULL;
}

/*
 * MHD URI log callback, called with the request target as it came: its
 * return is the request's first *con_cls, &path_has_nul when the path
 * (not the query) holds an escaped NUL.
 */
static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const char *p;

	(void)cls;
	(void)conn;
	for (p = uri; *p && *p != '?'; p++)
		if (p[0] == '%' && p[1] == '0' && p[2] == '0')
			return &path_has_nul;
	return NULL;
}

/*
 * Raise the soft descriptor limit to the hard one: each connection is a
 * descriptor, and each command several more. Returns the soft limit now.
 */
static rlim_t
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		nofile_at_start = rl;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			(void)getrlimit(RLIMIT_NOFILE, &rl);
		else
			nofile_raised = 1;
	}
	return rl.rlim_cur;
}

/* In a child: the limit back as it was (setrlimit is safe after fork). */
void
osb_server_child_limits(void)
{
	if (nofile_raised)
		(void)setrlimit(RLIMIT_NOFILE, &nofile_at_start);
}

/*
 * How many connections at once: half the descriptors (the rest are for
 * what the handlers open), at most 65536.
 */
static unsigned
connection_limit(rlim_t nofile)
{
	rlim_t n = nofile / 2;

	if (n > 65536)
		n = 65536;
	return n < 64 ? 64 : (unsigned)n;
}

/*
 * Resolve "ADDR", "ADDR:PORT", "[V6]:PORT" into ss; the port defaults to
 * port. Returns 0, or -1 with a message.
 */
static int
parse_listen(const char *spec, unsigned short port,
    struct sockaddr_storage *ss, char *errbuf, size_t errlen)
{
	char host[256], portstr[16];
	const char *colon;
	struct addrinfo hints, *ai;
	int rc;

	snprintf(portstr, sizeof(portstr), "%u", port);
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || (size_t)(end - spec - 1) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(end - spec - 1),
		    spec + 1);
		if (end[1] == ':')
			snprintf(portstr, sizeof(portstr), "%s", end + 2);
	} else if ((colon = strchr(spec, ':')) && !strchr(colon + 1, ':')) {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		snprintf(portstr, sizeof(portstr), "%s", colon + 1);
	} else
		snprintf(host, sizeof(host), "%s", spec);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, portstr, &hints, &ai)) != 0) {
		snprintf(errbuf, errlen, "listen %s: %s", spec,
		    gai_strerror(rc));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return 0;
bad:
	snprintf(errbuf, errlen, "listen %s: bad address", spec);
	return -1;
}

/* A --max-client-connections value into *n; 0 or -1 with a message. */
int
osb_server_parse_limit(const char *arg, unsigned *n, char *errbuf,
    size_t errlen)
{
	const char *errstr;
	long long v = strtonum(arg, 1, 65535, &errstr);

	if (errstr) {
		snprintf(errbuf, errlen, "connection limit %s: %s (1-65535)",
		    arg, errstr);
		return -1;
	}
	*n = (unsigned)v;
	return 0;
}

/* An --idle-timeout value into *secs; 0 or -1 with a message. */
int
osb_server_parse_timeout(const char *arg, unsigned *secs, char *errbuf,
    size_t errlen)
{
	int64_t ms;

	if (osb_duration_parse(arg, &ms) < 0 || ms < 1000 ||
	    ms > 86400 * 1000) {
		snprintf(errbuf, errlen, "idle timeout %s: not a duration "
		    "from 1s to 24h", arg);
		return -1;
	}
	*secs = (unsigned)(ms / 1000);
	return 0;
}

/* Listen and serve in libmicrohttpd's threads. */
struct osb_server *
osb_server_start(const struct osb_server_config *cfg, char *errbuf,
    size_t errlen)
{
	return osb_server_start_hooked(cfg, NULL, errbuf, errlen);
}

/* Listen and serve, routes picked by hooks->pick (NULL: from cfg). */
struct osb_server *
osb_server_start_hooked(const struct osb_server_config *cfg,
    const struct osb_server_hooks *hooks, char *errbuf, size_t errlen)
{
	struct osb_server *srv;
	struct sockaddr_storage ss;
	/*
	 * poll(), not select(): select() can't watch a descriptor past
	 * FD_SETSIZE (1024), so the connection that got one was dropped.
	 * libmicrohttpd has no epoll with a thread per connection.
	 */
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_POLL |
	    MHD_ALLOW_UPGRADE;	/* WebSockets: server_ws.c */
	unsigned limit = connection_limit(raise_nofile());
	struct MHD_OptionItem where[3];
	size_t n = 0;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	srv->cfg = *cfg;
	if (hooks)
		srv->hooks = *hooks;
	if (cfg->listen) {
		if (parse_listen(cfg->listen, cfg->port, &ss, errbuf,
		    errlen) < 0) {
			free(srv);
			return NULL;
		}
		if (ss.ss_family == AF_INET6)
			flags |= MHD_USE_IPv6;
	}
	/* Where to listen: an address, or a socket already listening. */
	if (cfg->listen)
		where[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0,
		    &ss };
	if (cfg->listen_fd > 0)
		where[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET,
		    cfg->listen_fd, NULL };
	where[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	errno = 0;
	srv->daemon = MHD_start_daemon(flags, cfg->port, NULL, NULL,
	    on_request, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
	    MHD_OPTION_CONNECTION_LIMIT, limit,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_address_limit ?
	    cfg->per_address_limit : (unsigned)OSB_PER_ADDRESS_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout ?
	    cfg->idle_timeout : (unsigned)OSB_IDLE_TIMEOUT,
	    MHD_OPTION_ARRAY, where,
	    MHD_OPTION_END);
	if (srv->daemon == NULL) {
		snprintf(errbuf, errlen, "listen on %s port %u: %s",
		    cfg->listen ? cfg->listen : "*", cfg->port,
		    errno ? strerror(errno) : "cannot start server");
		free(srv);
		return NULL;
	}
	return srv;
}

/* Close the listening socket; open connections go on. */
void
osb_server_quiesce(struct osb_server *srv)
{
	MHD_socket fd = MHD_quiesce_daemon(srv->daemon);

	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

/* How many connections are open. */
unsigned
osb_server_connections(struct osb_server *srv)
{
	const union MHD_DaemonInfo *info;

	info = MHD_get_daemon_info(srv->daemon,
	    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return info ? info->num_connections : 0;
}

/* End everything and free the server. */
void
osb_server_stop(struct osb_server *srv)
{
	atomic_store(&server_stopping, 1);
	MHD_stop_daemon(srv->daemon);
	free(srv);
}

/* A JSON response for the caller to finish. */
struct MHD_Response *
osb_response_json(json_t *doc)
{
	return json_response(doc);
}

/* The status queued so far, 0 when none. */
unsigned
osb_req_status(struct osb_req *req)
{
	const union MHD_ConnectionInfo *info;

	info = MHD_get_connection_info(req->conn,
	    MHD_CONNECTION_INFO_HTTP_STATUS);
	return info ? info->http_status : 0;
}

/* Does path match pattern? Captures to req->params. */
int
osb_route_match(const char *pattern, const char *path, struct osb_req *req)
{
	return route_matches(pattern, path, req);
}

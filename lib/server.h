/*
 * server.h — the HTTP server plumbing shared by osb-execd and
 * `osb-sandbox serve`: libmicrohttpd in thread-per-connection mode, a route
 * table, access-token check, JSON and error replies, and SSE streams.
 *
 * Each connection has its own thread, so a handler or a stream producer may
 * block (waiting for a child's output, say) without holding up anyone else.
 * No connection may hold the server: a connection idle between requests
 * (or before its first) is closed after a timeout, one client address may
 * hold only so many, and the descriptor limit is raised to the hard one.
 */
#ifndef OSB_SERVER_H
#define OSB_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <microhttpd.h>

#include "buf.h"

#define OSB_MAX_PARAMS 4
/* Bodies of ordinary (non-streaming) routes are collected up to this size. */
#define OSB_MAX_BODY (8 * 1024 * 1024)
/* Connections one client address may hold open at once. */
#define OSB_PER_ADDRESS_LIMIT 4096
/* Seconds a connection may sit idle outside a request's handler. */
#define OSB_IDLE_TIMEOUT 60

struct osb_req;

/*
 * A route: method, a path pattern where a segment "{}" matches any one
 * segment (captured in req->params), and the handler called once the whole
 * body has arrived. A route with on_body gets the body in pieces as it
 * arrives instead of collected (uploads); on_body returns 0 to go on, -1
 * once it has queued an error reply (the rest of the body is then read and
 * dropped). on_done is called once per request that got as far as the
 * handler or on_body, however it ended (client gone, error), to release
 * req->state.
 */
struct osb_route {
	const char *method;
	const char *pattern;
	int (*handle)(struct osb_req *);
	int (*on_body)(struct osb_req *, const char *data, size_t len);
	void (*on_done)(struct osb_req *);
};

struct osb_req {
	struct MHD_Connection *conn;
	const struct osb_route *route;
	const char *method;
	const char *path;		/* without the query string */
	const char *params[OSB_MAX_PARAMS];	/* "{}" captures, in order */
	struct osb_buf body;		/* collected body */
	int replied;			/* a response has been queued */
	int body_failed;		/* on_body returned -1: drop the rest */
	size_t max_body;		/* collected body limit; 0: OSB_MAX_BODY */
	void *state;			/* the handler's own */
	char param_buf[512];
};

struct osb_server_config {
	const char *listen;	/* "ADDR[:PORT]", "[v6]:PORT"; NULL: all */
	unsigned short port;
	int listen_fd;		/* > 0: serve on this listening socket */
	const char *token;		/* NULL or "": no token check */
	const char *token_header;	/* "X-EXECD-ACCESS-TOKEN" */
	/* The route table, ending with a NULL method. The first match
	 * wins; a path that matches with another method gets 405. */
	const struct osb_route *routes;
	unsigned per_address_limit;	/* 0: OSB_PER_ADDRESS_LIMIT */
	unsigned idle_timeout;		/* seconds; 0: OSB_IDLE_TIMEOUT */
	/* The code of the 400 and 413 replies of server.c itself;
	 * NULL: OSB_E_INVALID. */
	const char *invalid_code;
};

struct osb_server;

/* The value of a --max-client-connections option (1..65535) into *n;
 * -1 with a message in errbuf when it is not one. */
int osb_server_parse_limit(const char *arg, unsigned *n, char *errbuf,
    size_t errlen);
/* The value of an --idle-timeout option (a duration, 1s..1d) into *secs;
 * -1 with a message in errbuf when it is not one. */
int osb_server_parse_timeout(const char *arg, unsigned *secs, char *errbuf,
    size_t errlen);

/*
 * In a child between fork and exec: put back the descriptor limit the
 * process started with (osb_server_start raised it), as programs that
 * close every descriptor up to the limit expect. Async-signal-safe.
 */
void osb_server_child_limits(void);

/* Start serving; NULL with a message in errbuf when the socket can't be had. */
struct osb_server *osb_server_start(const struct osb_server_config *,
    char *errbuf, size_t errlen);
/* Stop accepting new connections; streams already open go on. */
void osb_server_quiesce(struct osb_server *);
/* Number of connections still open. */
unsigned osb_server_connections(struct osb_server *);
/* Wake all streams for good (they end), close everything and free. */
void osb_server_stop(struct osb_server *);
/* Nonzero once osb_server_stop has begun: producers should finish. */
int osb_server_stopping(void);

/* The query argument NAME, or NULL. */
const char *osb_req_query(struct osb_req *, const char *name);
/* Every value of query argument NAME (path=a&path=b), NULL-terminated in
 * a malloc'd array the caller frees (the strings belong to the request);
 * *n gets the count. */
const char **osb_req_query_all(struct osb_req *, const char *name, size_t *n);
/* The request header NAME, or NULL. */
const char *osb_req_header(struct osb_req *, const char *name);
/* Parse the body as JSON (any value); on failure replies 400
 * INVALID_REQUEST_BODY and returns NULL. The caller checks the type. */
json_t *osb_req_json(struct osb_req *);

/*
 * Replies. Each returns 0, or -1 when the response could not be queued.
 * Called from on_body (mid-upload) they are held and sent once the body has
 * been read, since libmicrohttpd can't answer in the middle of a body.
 */
int osb_reply_json(struct osb_req *, unsigned status, json_t *steal);
int osb_reply_error(struct osb_req *, unsigned status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int osb_reply_empty(struct osb_req *, unsigned status);
/* Queue a libmicrohttpd response built by the caller (destroys it; NULL
 * is taken as out of memory and returns -1). */
int osb_reply_response(struct osb_req *, unsigned status,
    struct MHD_Response *);
/*
 * The response osb_reply_error sends, for a caller to add headers to
 * before osb_reply_response; NULL when out of memory.
 */
struct MHD_Response *osb_response_error(const char *code, const char *fmt,
    ...) __attribute__((format(printf, 2, 3)));

/*
 * Server-Sent Events. next() is called whenever the stream needs more; it
 * may block up to timeout_ms and returns 1 with *event set (stolen), 0 when
 * nothing came in time (a {"type":"ping","text":"pong"} event is sent when
 * ping_ms is set), or -1 at the end of the stream. done() is called once,
 * when the stream ends or the client goes away. Each event goes out as
 * "data: <json>\n\n" with a "timestamp" (Unix ms) added when missing.
 */
typedef int (*osb_sse_next)(void *arg, json_t **event, int timeout_ms);
int osb_reply_sse(struct osb_req *, osb_sse_next next, void (*done)(void *),
    void *arg, int ping_ms);

/* Unix time in milliseconds. */
int64_t osb_now_ms(void);

/* Common error codes of the execd API. */
#define OSB_E_INVALID	"INVALID_REQUEST_BODY"
#define OSB_E_MISSING	"MISSING_QUERY"
#define OSB_E_NOTFOUND	"FILE_NOT_FOUND"
#define OSB_E_RUNTIME	"RUNTIME_ERROR"
#define OSB_E_AUTH	"UNAUTHORIZED"

/*
 * A server whose routes a function picks instead of a fixed table
 * (osb-sandbox serve: its proxy route takes any path below it, and it
 * answers unknown paths and bad keys itself). pick is called once per
 * request, with the headers in and no body yet: it returns the route
 * (setting req->params and req->state as it likes), or NULL once it has
 * queued a reply of its own. completed is called once for every request,
 * however it ended, before the request is released. decorate, when set, is
 * given every response before it is queued (to add headers). The
 * config's routes, token and token_header are not used.
 */
struct osb_server_hooks {
	const struct osb_route *(*pick)(struct osb_req *);
	void (*completed)(struct osb_req *);
	void (*decorate)(struct osb_req *, struct MHD_Response *);
};
struct osb_server *osb_server_start_hooked(const struct osb_server_config *,
    const struct osb_server_hooks *, char *errbuf, size_t errlen);
/* A response holding doc (stolen) as JSON, for a caller to add headers
 * to before osb_reply_response; NULL when out of memory. */
struct MHD_Response *osb_response_json(json_t *doc);
/* The status queued for the request so far (0: none yet). */
unsigned osb_req_status(struct osb_req *);
/* Does path match pattern ("{}": any one segment)? The captures go to
 * req->params. */
int osb_route_match(const char *pattern, const char *path, struct osb_req *);

#endif

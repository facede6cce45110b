/*
 * serve_http.h — what every request of `osb-sandbox serve` goes through:
 * the route picked, the API key checked, an X-Request-ID on every reply,
 * one log line when it is over. The handlers live in serve_api.c and
 * proxy.c.
 */
#ifndef OSB_SANDBOX_SERVE_HTTP_H
#define OSB_SANDBOX_SERVE_HTTP_H

#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "local.h"
#include "server.h"

/* The server's settings and the runtime its handlers act on. */
struct serve {
	struct osb_local *local;
	const char *api_key;	/* NULL: no check */
	const char *listen;	/* ADDR:PORT */
	const char *advertise;	/* HOST:PORT in proxy endpoints */
	int quiet;		/* no request log */
	char **host_paths;	/* --allow-host-path, NULL-ended */
	char **image_paths;	/* --allow-image-path, NULL-ended */
	const char *runtime;	/* --runtime */
	unsigned per_client;	/* connections per client address; 0: default */
	unsigned idle_s;	/* idle connection timeout; 0: default */
};

extern struct serve serve;

/* Each request's own, in req->state. */
struct serve_req {
	char request_id[129];
	int64_t start_ms;
	const char *tail;	/* proxy: the path below .../proxy/PORT */
	void *proxy;		/* proxy.c's state of the request */
};

const struct osb_route *serve_pick(struct osb_req *);
void serve_completed(struct osb_req *);
void serve_decorate(struct osb_req *, struct MHD_Response *);

/* Replies, each with the request's X-Request-ID; 0 or -1. */
int serve_reply(struct osb_req *, unsigned status, struct MHD_Response *);
int serve_reply_json(struct osb_req *, unsigned status, json_t *steal);
int serve_reply_empty(struct osb_req *, unsigned status);
int serve_reply_error(struct osb_req *, unsigned status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The status and code err carries (500 when none). */
int serve_reply_failure(struct osb_req *, const struct osb_error *);
/* The body as a JSON object, or NULL after a 400 reply. */
json_t *serve_body_object(struct osb_req *);

/* Handlers of the lifecycle API (serve_api.c). */
int api_list(struct osb_req *);
int api_create(struct osb_req *);
int api_get(struct osb_req *);
int api_delete(struct osb_req *);
int api_pause(struct osb_req *);
int api_resume(struct osb_req *);
int api_renew(struct osb_req *);
int api_patch_metadata(struct osb_req *);
int api_endpoint(struct osb_req *);
int api_snapshots(struct osb_req *);
int api_health(struct osb_req *);

#endif

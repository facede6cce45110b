/*
 * proxy.h — /sandboxes/{id}/proxy/{port}/...: HTTP to a port of a
 * sandbox through the server, bodies streamed both ways as they come
 * (uploads, downloads, SSE), never held whole.
 */
#ifndef OSB_SANDBOX_PROXY_H
#define OSB_SANDBOX_PROXY_H

#include <stdint.h>

#include "buf.h"
#include "chunked.h"
#include "server.h"

extern const struct osb_route proxy_route;

/*
 * Is path (without /v1) a proxy path, /sandboxes/ID/proxy/PORT[/...]?
 * Then ID and PORT go to req->params and the rest to the request's
 * serve_req tail.
 */
int proxy_matches(struct osb_req *, const char *path);
/* Release what the request's proxying still holds (serve_completed). */
void proxy_release(struct osb_req *);

/* How the body of the sandbox's reply is delimited, and where its reader
 * is in it. */
enum proxy_framing {
	BODY_LENGTH,		/* left bytes, then the end */
	BODY_CLOSE,		/* until the connection closes */
	BODY_CHUNKED,		/* chunked: the decoder's state in chunk */
	BODY_END
};

/* One proxied request: the connection to the sandbox's port. */
struct proxy {
	int fd;			/* to the sandbox, -1 before it is open */
	int client_fd;		/* to watch for the client leaving */
	int chunked;		/* the request body goes chunked */
	int write_failed;	/* the sandbox stopped taking the body */
	char target[300];	/* "127.0.0.1:PORT" for messages */
	char host[300];		/* the Host header it gets */
	char prefix[512];	/* path of the endpoint before ours */
	struct osb_buf in;	/* read from the sandbox, from in_off on */
	size_t in_off;
	enum proxy_framing framing;
	uint64_t left;
	struct chunked chunk;
	int websocket;		/* a WebSocket handshake goes on */
	int tunnel_refs;	/* after a 101: atomic, see proxy_upgrade.c */
};

/* proxy_dial.c: connect p to the address the runtime names for the
 * port; the socket, or -1 with errno set (EINVAL: not an address). */
int proxy_dial(struct proxy *, const char *endpoint);

/* proxy_reply.c: read the sandbox's reply head and answer with it, its
 * body streamed from p, which the reply then owns; 0 or -1. */
int proxy_relay_reply(struct osb_req *, struct proxy *);
/* Close the connection to the sandbox and free p. */
void proxy_free(struct proxy *);
/* Add the header lines of a reply head (len bytes) to r, but hop-by-hop
 * ones and those libmicrohttpd or serve set. */
void proxy_add_headers(struct MHD_Response *r, const char *head, size_t len);

/* proxy_upgrade.c: the sandbox answered a WebSocket handshake with 101
 * (head, len bytes): answer so, then pass bytes both ways; 0 or -1. */
int proxy_relay_upgrade(struct osb_req *, struct proxy *, const char *head,
    size_t len);
/* Drop a reference to a proxy that switched protocols. */
void proxy_tunnel_unref(struct proxy *);
/* Is name one of the comma-separated names of list (a Connection
 * header's: hop-by-hop headers of that message)? */
int proxy_listed(const char *list, const char *name);

#endif

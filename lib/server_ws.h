/*
 * server_ws.h — WebSocket connections on the HTTP server (server.h):
 * the RFC 6455 handshake answered on libmicrohttpd's connection upgrade,
 * then the socket handed to a thread of its own, with frames read and
 * written through ws.h.
 */
#ifndef OSB_SERVER_WS_H
#define OSB_SERVER_WS_H

#include <sys/uio.h>

#include <stddef.h>

#include <jansson.h>

#include "server.h"
#include "ws.h"

struct osb_ws;

/*
 * Answer req's handshake. When it is valid the reply is 101 and, once it
 * has gone out, run(ws, arg) is called on a thread of its own; the
 * connection closes when it returns. Otherwise the reply is 400 naming
 * what is wrong. Either way release(arg) is called once arg is no longer
 * used (also when the client goes before the switch). The route's on_done
 * must be osb_websocket_done. Returns 0, or -1 when nothing could be
 * queued.
 */
int osb_reply_websocket(struct osb_req *, void (*run)(struct osb_ws *,
    void *), void (*release)(void *), void *arg);
/* The on_done of a route that answers with osb_reply_websocket. */
void osb_websocket_done(struct osb_req *);

/* The socket, to poll for reading. */
int osb_ws_fd(struct osb_ws *);
/*
 * Read what the socket has (it blocks until something comes). Returns
 * the bytes read, 0 when the client has gone, -1 on an error.
 */
ssize_t osb_ws_read(struct osb_ws *);
/*
 * The next message read so far, as osb_ws_next (ws.h): 1, 0 for none
 * yet, -1 on a protocol error (a close frame saying so has gone out).
 * Pings are answered here and not handed over.
 */
int osb_ws_message(struct osb_ws *, int *op, const unsigned char **data,
    size_t *len);
/*
 * Send a message of opcode op made of the n pieces of iov, whole. Safe
 * from any thread; a client that takes nothing for OSB_WS_SEND_TIMEOUT_S
 * fails it. Returns 0, -1 when it could not (the connection is then
 * shut down).
 */
#define OSB_WS_SEND_TIMEOUT_S 10
int osb_ws_sendv(struct osb_ws *, int op, const struct iovec *iov, int n);
int osb_ws_send(struct osb_ws *, int op, const void *data, size_t len);
/* A text message holding doc as compact JSON (doc is stolen). */
int osb_ws_send_json(struct osb_ws *, json_t *doc);
/* Send a close frame with code and reason (once; later calls do nothing). */
void osb_ws_close(struct osb_ws *, int code, const char *reason);
/* Wake the thread reading ws: its reads see the end. Any thread. */
void osb_ws_shutdown(struct osb_ws *);

#endif

/*
 * ws_client.h — a WebSocket client over libcurl: curl connects (TCP, TLS,
 * a unix socket, as for any request to the endpoint), then the RFC 6455
 * handshake and frames go over that connection (ws.h). Debian's libcurl
 * has no WebSocket support of its own.
 */
#ifndef OSB_WS_CLIENT_H
#define OSB_WS_CLIENT_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>

#include "error.h"
#include "http.h"
#include "ws.h"

struct osb_ws_client;

/*
 * Connect to path (escaped, with its query) below ep's base, with ep's
 * headers, and switch to WebSocket. A reply other than 101 is an error
 * with the server's status, code and message, what naming the operation.
 */
int osb_ws_client_open(const struct osb_endpoint *, const char *path,
    const char *what, struct osb_ws_client **, struct osb_error *);
/* The socket, to poll for reading. */
int osb_ws_client_fd(const struct osb_ws_client *);
/*
 * Take what has come in without waiting, up to a MiB. Returns 1 when the
 * connection is still open, 2 when there may be more to take (bytes a
 * TLS layer holds are not seen by poll: read again), 0 when the server
 * has closed it, -1 on an error (err says which).
 */
int osb_ws_client_read(struct osb_ws_client *, struct osb_error *);
/*
 * The next message taken so far, as osb_ws_next: 1, 0 for none yet, -1
 * on a protocol error (err says which). Pings are answered here.
 */
int osb_ws_client_message(struct osb_ws_client *, int *op,
    const unsigned char **data, size_t *len, struct osb_error *);
/* Send a message of the n pieces of iov, masked; 0, or -1 with err set. */
int osb_ws_client_sendv(struct osb_ws_client *, int op,
    const struct iovec *iov, int n, struct osb_error *);
int osb_ws_client_send(struct osb_ws_client *, int op, const void *data,
    size_t len, struct osb_error *);
/* Close the connection and free it (NULL: nothing). */
void osb_ws_client_free(struct osb_ws_client *);

#endif

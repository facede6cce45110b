/*
 * server_ws.c — WebSocket connections on the HTTP server; see
 * server_ws.h. A connection is held by the request (until libmicrohttpd
 * is done with it) and by the thread that runs it; the last to let go
 * releases the caller's argument.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base64.h"
#include "server_ws.h"
#include "ws.h"

/* The largest message a client may send: stdin and control frames. */
#define WS_MAX_MESSAGE (1024 * 1024)
#define WS_READ_CHUNK 16384

struct osb_ws {
	pthread_mutex_t lock;		/* writes, refs */
	int refs;
	int upgraded;			/* the upgrade handler has run */
	int fd;
	struct MHD_UpgradeResponseHandle *urh;
	struct osb_ws_reader reader;
	int close_sent;
	void (*run)(struct osb_ws *, void *);
	void (*release)(void *);
	void *arg;
};

/* Drop n references; the last one releases the caller's argument. */
static void
ws_unref(struct osb_ws *ws, int n)
{
	int last;

	pthread_mutex_lock(&ws->lock);
	last = (ws->refs -= n) == 0;
	pthread_mutex_unlock(&ws->lock);
	if (!last)
		return;
	ws->release(ws->arg);
	osb_ws_reader_free(&ws->reader);
	pthread_mutex_destroy(&ws->lock);
	free(ws);
}

/* Does header value v hold token (comma-separated, any case)? */
static int
has_token(const char *v, const char *token)
{
	size_t n = strlen(token);
	const char *p;

	for (p = v; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		p += strspn(p, " \t");
		if (strncasecmp(p, token, n) == 0 &&
		    strchr(" \t,", p[n] ? p[n] : ','))
			return 1;
	}
	return 0;
}

/* What is wrong with the handshake of req, or NULL when nothing is. */
static const char *
handshake_problem(struct osb_req *req)
{
	const char *upgrade = osb_req_header(req, "Upgrade");
	const char *connection = osb_req_header(req, "Connection");
	const char *version = osb_req_header(req, "Sec-WebSocket-Version");
	const char *key = osb_req_header(req, "Sec-WebSocket-Key");
	struct osb_buf nonce = { 0 };
	int bad_key;

	if (upgrade == NULL || !has_token(upgrade, "websocket"))
		return "no 'websocket' in the Upgrade header";
	if (connection == NULL || !has_token(connection, "upgrade"))
		return "no 'upgrade' in the Connection header";
	if (version == NULL || strcmp(version, "13") != 0)
		return "Sec-WebSocket-Version is not 13";
	bad_key = key == NULL || osb_base64_decode(key, &nonce) < 0 ||
	    nonce.len != 16;
	osb_buf_free(&nonce);
	return bad_key ? "Sec-WebSocket-Key is not 16 bytes in base64" : NULL;
}

/* The connection's own thread: run it, then close it. */
static void *
ws_thread(void *arg)
{
	struct osb_ws *ws = arg;

	ws->run(ws, ws->arg);
	MHD_upgrade_action(ws->urh, MHD_UPGRADE_ACTION_CLOSE);
	ws_unref(ws, 1);
	return NULL;
}

/*
 * libmicrohttpd has sent the 101: the socket is ours. It is made
 * blocking, with a send timeout so that a client that reads nothing
 * cannot hold a writer for ever.
 */
static void
on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls,
    const char *extra, size_t extra_len, MHD_socket sock,
    struct MHD_UpgradeResponseHandle *urh)
{
	struct osb_ws *ws = cls;
	struct timeval tv = { OSB_WS_SEND_TIMEOUT_S, 0 };
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	(void)conn;
	(void)con_cls;
	ws->upgraded = 1;
	ws->fd = sock;
	ws->urh = urh;
	fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) & ~O_NONBLOCK);
	setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	osb_ws_feed(&ws->reader, extra, extra_len);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	rc = pthread_create(&t, &attr, ws_thread, ws);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
		ws_unref(ws, 1);
	}
}

int
osb_reply_websocket(struct osb_req *req, void (*run)(struct osb_ws *, void *),
    void (*release)(void *), void *arg)
{
	char accept[OSB_WS_ACCEPT_LEN + 1];
	struct MHD_Response *resp;
	struct osb_ws *ws;
	const char *why;

	if ((why = handshake_problem(req)) != NULL) {
		release(arg);
		return osb_reply_error(req, 400, OSB_E_INVALID,
		    "not a WebSocket handshake: %s", why);
	}
	if ((ws = calloc(1, sizeof(*ws))) == NULL) {
		release(arg);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	}
	pthread_mutex_init(&ws->lock, NULL);
	ws->refs = 2;
	ws->fd = -1;
	ws->reader.masked = 1;
	ws->reader.max = WS_MAX_MESSAGE;
	ws->run = run;
	ws->release = release;
	ws->arg = arg;
	req->state = ws;
	osb_ws_accept(osb_req_header(req, "Sec-WebSocket-Key"), accept);
	if ((resp = MHD_create_response_for_upgrade(on_upgrade, ws)) != NULL &&
	    (MHD_add_response_header(resp, "Upgrade", "websocket") != MHD_YES ||
	    MHD_add_response_header(resp, "Sec-WebSocket-Accept", accept) !=
	    MHD_YES)) {
		MHD_destroy_response(resp);
		resp = NULL;
	}
	return osb_reply_response(req, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
}

void
osb_websocket_done(struct osb_req *req)
{
	struct osb_ws *ws = req->state;

	/* Without the switch no thread ever took its reference. */
	if (ws != NULL)
		ws_unref(ws, ws->upgraded ? 1 : 2);
	req->state = NULL;
}

int
osb_ws_fd(struct osb_ws *ws)
{
	return ws->fd;
}

ssize_t
osb_ws_read(struct osb_ws *ws)
{
	char buf[WS_READ_CHUNK];
	ssize_t n;

	while ((n = recv(ws->fd, buf, sizeof(buf), 0)) < 0 && errno == EINTR)
		;
	if (n > 0 && osb_ws_feed(&ws->reader, buf, (size_t)n) < 0)
		return -1;
	return n;
}

int
osb_ws_message(struct osb_ws *ws, int *op, const unsigned char **data,
    size_t *len)
{
	int rc;

	while ((rc = osb_ws_next(&ws->reader, op, data, len)) == 1 &&
	    *op == OSB_WS_PING)
		osb_ws_send(ws, OSB_WS_PONG, *data, *len);
	if (rc < 0)
		osb_ws_close(ws, ws->reader.close_code, ws->reader.why);
	return rc;
}

/* Write all of iov (n pieces, changed on the way); 0 or -1. */
static int
write_all(int fd, struct iovec *iov, int n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = writev(fd, iov, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++, n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
osb_ws_sendv(struct osb_ws *ws, int op, const struct iovec *iov, int n)
{
	unsigned char header[OSB_WS_HEADER_MAX];
	struct iovec all[8];
	size_t len = 0;
	int i, rc;

	if (n > 7)
		return -1;
	for (i = 0; i < n; i++) {
		len += iov[i].iov_len;
		all[i + 1] = iov[i];
	}
	all[0].iov_base = header;
	all[0].iov_len = osb_ws_header(header, op, len, NULL);
	pthread_mutex_lock(&ws->lock);
	if ((rc = write_all(ws->fd, all, n + 1)) < 0)
		shutdown(ws->fd, SHUT_RDWR);
	pthread_mutex_unlock(&ws->lock);
	return rc;
}

int
osb_ws_send(struct osb_ws *ws, int op, const void *data, size_t len)
{
	struct iovec iov = { (void *)data, len };

	return osb_ws_sendv(ws, op, &iov, 1);
}

int
osb_ws_send_json(struct osb_ws *ws, json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	int rc = -1;

	if (text != NULL)
		rc = osb_ws_send(ws, OSB_WS_TEXT, text, strlen(text));
	free(text);
	json_decref(doc);
	return rc;
}

void
osb_ws_close(struct osb_ws *ws, int code, const char *reason)
{
	unsigned char payload[125];
	size_t n = strlen(reason);
	int sent;

	pthread_mutex_lock(&ws->lock);
	sent = ws->close_sent;
	ws->close_sent = 1;
	pthread_mutex_unlock(&ws->lock);
	if (sent)
		return;
	if (n > sizeof(payload) - 2)
		n = sizeof(payload) - 2;
	payload[0] = (unsigned char)(code >> 8);
	payload[1] = (unsigned char)code;
	memcpy(payload + 2, reason, n);
	osb_ws_send(ws, OSB_WS_CLOSE, payload, n + 2);
}

void
osb_ws_shutdown(struct osb_ws *ws)
{
	shutdown(ws->fd, SHUT_RDWR);
}

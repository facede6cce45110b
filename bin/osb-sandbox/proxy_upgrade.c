/*
 * proxy_upgrade.c — a WebSocket through the proxy: the handshake goes on
 * to the sandbox like any request, and when the sandbox answers 101 the
 * client gets that answer and, once libmicrohttpd hands its socket over,
 * bytes go both ways untouched until either side ends.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "proxy.h"
#include "serve_http.h"
#include "util.h"

#define TUNNEL_CHUNK (64 * 1024)
/* How often a quiet tunnel looks whether the server stops. */
#define TUNNEL_POLL_MS 500

/* The tunnel of an upgraded connection. */
struct tunnel {
	struct proxy *p;
	int client;
	struct MHD_UpgradeResponseHandle *urh;
};

/* Drop a reference to p: the request's or the tunnel's. */
void
proxy_tunnel_unref(struct proxy *p)
{
	if (__atomic_sub_fetch(&p->tunnel_refs, 1, __ATOMIC_ACQ_REL) == 0)
		proxy_free(p);
}

/* Move what one side has to the other; 0 at its end or on an error. */
static int
pass(int from, int to, char *buf)
{
	ssize_t n;

	while ((n = read(from, buf, TUNNEL_CHUNK)) < 0 && errno == EINTR)
		;
	if (n > 0 && osb_write_all(to, buf, (size_t)n) == 0)
		return 1;
	shutdown(to, SHUT_WR);
	return 0;
}

/* Bytes both ways until both sides have ended (or the server stops). */
static void
splice_both(int client, int sandbox, char *buf)
{
	struct pollfd pfd[2] = { { client, POLLIN, 0 },
	    { sandbox, POLLIN, 0 } };
	int open[2] = { 1, 1 }, n;

	while ((open[0] || open[1]) && !osb_server_stopping()) {
		pfd[0].fd = open[0] ? client : -1;
		pfd[1].fd = open[1] ? sandbox : -1;
		if ((n = poll(pfd, 2, TUNNEL_POLL_MS)) < 0 && errno != EINTR)
			return;
		if (n <= 0)
			continue;
		if (pfd[0].revents && !pass(client, sandbox, buf))
			open[0] = 0;
		if (pfd[1].revents && !pass(sandbox, client, buf))
			open[1] = 0;
	}
}

static void *
tunnel_thread(void *arg)
{
	struct tunnel *t = arg;
	struct proxy *p = t->p;
	char *buf = malloc(TUNNEL_CHUNK);

	/* What the sandbox sent after its 101 goes first. */
	if (buf != NULL && osb_write_all(t->client, p->in.data + p->in_off,
	    p->in.len - p->in_off) == 0)
		splice_both(t->client, p->fd, buf);
	free(buf);
	MHD_upgrade_action(t->urh, MHD_UPGRADE_ACTION_CLOSE);
	proxy_tunnel_unref(p);
	free(t);
	return NULL;
}

/* libmicrohttpd sent the 101: the client's socket is ours. */
static void
on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls,
    const char *extra, size_t extra_len, MHD_socket sock,
    struct MHD_UpgradeResponseHandle *urh)
{
	struct proxy *p = cls;
	struct tunnel *t;
	pthread_attr_t attr;
	pthread_t tid;
	int rc = -1;

	(void)conn;
	(void)con_cls;
	__atomic_add_fetch(&p->tunnel_refs, 1, __ATOMIC_ACQ_REL);
	fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) & ~O_NONBLOCK);
	if ((t = malloc(sizeof(*t))) != NULL &&
	    osb_write_all(p->fd, extra, extra_len) == 0) {
		t->p = p;
		t->client = sock;
		t->urh = urh;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&tid, &attr, tunnel_thread, t);
		pthread_attr_destroy(&attr);
	}
	if (rc != 0) {
		free(t);
		MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
		proxy_tunnel_unref(p);
	}
}

/*
 * The sandbox switched protocols: answer the client with its 101 and
 * headers. p stays the request's (proxy_release drops that reference);
 * the tunnel takes one of its own when it starts.
 */
int
proxy_relay_upgrade(struct osb_req *req, struct proxy *p, const char *head,
    size_t len)
{
	struct MHD_Response *r;

	if ((r = MHD_create_response_for_upgrade(on_upgrade, p)) == NULL) {
		serve_reply_error(req, 500, "INTERNAL_ERROR", "out of memory");
		return -1;
	}
	p->tunnel_refs = 1;
	proxy_add_headers(r, head, len);
	MHD_add_response_header(r, "Upgrade", "websocket");
	return serve_reply(req, MHD_HTTP_SWITCHING_PROTOCOLS, r);
}

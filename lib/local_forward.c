/*
 * local_forward.c — a relay from a unix socket to a loopback TCP port:
 * each accepted connection paired with one to the port, bytes moved both
 * ways through a buffer per direction, a half-close passed on.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_forward.h"

#define RELAY_BUF 65536

/* One direction of a connection: from fd[from] to fd[!from]. */
struct flow {
	char buf[RELAY_BUF];
	size_t off, len;
	int eof;		/* the source said it is done */
	int shut;		/* and that was passed on */
};

struct conn {
	int fd[2];		/* the client's, execd's */
	struct flow flow[2];	/* [0]: client to execd, [1]: back */
	struct conn *next;
};

struct local_forward {
	int listen_fd;
	int port;
	struct conn *conns;
	size_t nconns;
};

/* Bind and listen on the unix socket at path (replacing a stale one). */
struct local_forward *
local_forward_open(const char *path, int port)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct local_forward *f;

	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->port = port;
	unlink(path);
	if ((f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    bind(f->listen_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(f->listen_fd, 128) == -1) {
		if (f->listen_fd != -1)
			close(f->listen_fd);
		free(f);
		return NULL;
	}
	return f;
}

/* Close both ends of c and free it. */
static void
conn_free(struct conn *c)
{
	close(c->fd[0]);
	close(c->fd[1]);
	free(c);
}

/* Close the listener and every relayed connection. */
void
local_forward_close(struct local_forward *f)
{
	struct conn *c, *next;

	if (f == NULL)
		return;
	for (c = f->conns; c != NULL; c = next) {
		next = c->next;
		conn_free(c);
	}
	close(f->listen_fd);
	free(f);
}

/* The listener, and two per connection. */
size_t
local_forward_nfds(const struct local_forward *f)
{
	return f ? 1 + 2 * f->nconns : 0;
}

/* Accept a client and connect it to the port. */
static void
accept_one(struct local_forward *f)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct conn *c;
	int cfd, sfd;

	if ((cfd = accept4(f->listen_fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) == -1)
		return;
	sin.sin_port = htons((unsigned short)f->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Loopback answers at once: a blocking connect costs nothing. */
	if ((sfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(sfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    fcntl(sfd, F_SETFL, O_NONBLOCK) == -1 ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		if (sfd != -1)
			close(sfd);
		close(cfd);
		return;
	}
	c->fd[0] = cfd;
	c->fd[1] = sfd;
	c->next = f->conns;
	f->conns = c;
	f->nconns++;
}

/* The listener first, then each connection's two ends. */
size_t
local_forward_fill(struct local_forward *f, struct pollfd *pfd)
{
	struct conn *c;
	size_t n = 0;
	int i;

	pfd[n++] = (struct pollfd){ f->listen_fd, POLLIN, 0 };
	for (c = f->conns; c != NULL; c = c->next)
		for (i = 0; i < 2; i++) {
			/* fd[i] reads flow[i] and writes flow[!i]. */
			short ev = 0;

			if (!c->flow[i].eof && c->flow[i].len == 0)
				ev |= POLLIN;
			if (c->flow[!i].len > 0)
				ev |= POLLOUT;
			pfd[n++] = (struct pollfd){ c->fd[i], ev, 0 };
		}
	return n;
}

/* Move what can move in flow d of c. 0, -1 when the connection broke. */
static int
move(struct conn *c, int d)
{
	struct flow *fl = &c->flow[d];
	ssize_t n;

	if (fl->len == 0 && !fl->eof) {
		n = read(c->fd[d], fl->buf, sizeof(fl->buf));
		if (n == 0)
			fl->eof = 1;
		else if (n > 0)
			fl->len = (size_t)n, fl->off = 0;
		else if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
	while (fl->len > 0) {
		n = write(c->fd[!d], fl->buf + fl->off, fl->len);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		fl->off += (size_t)n;
		fl->len -= (size_t)n;
	}
	if (fl->eof && !fl->shut) {
		shutdown(c->fd[!d], SHUT_WR);
		fl->shut = 1;
	}
	return 0;
}

/* Relay what is ready; accept a new client last. */
void
local_forward_run(struct local_forward *f, const struct pollfd *pfd, size_t n)
{
	struct conn **pp = &f->conns, *c;
	size_t i = 1;
	int broke;

	if (n == 0)
		return;
	/* The connections in the order local_forward_fill listed them. */
	while ((c = *pp) != NULL && i + 1 < n) {
		broke = 0;
		if ((pfd[i].revents | pfd[i + 1].revents) != 0)
			broke = move(c, 0) == -1 || move(c, 1) == -1 ||
			    ((pfd[i].revents | pfd[i + 1].revents) & POLLERR);
		i += 2;
		if (broke || (c->flow[0].shut && c->flow[1].shut)) {
			*pp = c->next;
			conn_free(c);
			f->nconns--;
		} else {
			pp = &c->next;
		}
	}
	if (pfd[0].revents & POLLIN)
		accept_one(f);
}

/*
 * proxy_dial.c — a connection to the address the runtime names for a
 * port of a sandbox: "127.0.0.1:PORT" or "[::1]:PORT", maybe with a
 * "/path" prefix after it, or "unix:///path" for the execd of a sandbox
 * that has no network of its own.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"

/* A sandbox that stops reading the body for this long is given up on. */
#define SEND_TIMEOUT_S 60

/* Set the options every connection to a sandbox has; returns fd. */
static int
tune(int fd)
{
	struct timeval tv = { SEND_TIMEOUT_S, 0 };
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* A socket connected to the unix socket path; -1 with errno set. */
static int
dial_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, saved;

	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return tune(fd);
}

/* A socket connected to host:port; -1 with errno set. */
static int
dial_tcp(const char *host, const char *port)
{
	struct addrinfo hints, *ai, *a;
	int fd = -1, saved = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		errno = EHOSTUNREACH;
		return -1;
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		saved = errno;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		errno = saved;
		return -1;
	}
	return tune(fd);
}

/*
 * Split "HOST:PORT[/prefix]" into p->target (HOST:PORT), p->prefix, and
 * the host and port to connect to; -1 when it is not of that form.
 */
static int
split_tcp(struct proxy *p, const char *endpoint, char *host, size_t hostlen,
    char *port, size_t portlen)
{
	const char *slash = strchr(endpoint, '/'), *colon;
	size_t len = slash ? (size_t)(slash - endpoint) : strlen(endpoint);

	if (len >= sizeof(p->target))
		return -1;
	memcpy(p->target, endpoint, len);
	p->target[len] = '\0';
	strlcpy(p->prefix, slash ? slash : "", sizeof(p->prefix));
	if ((colon = strrchr(p->target, ':')) == NULL || colon[1] == '\0')
		return -1;
	if (p->target[0] == '[') {
		if (colon[-1] != ']')
			return -1;
		snprintf(host, hostlen, "%.*s", (int)(colon - p->target - 2),
		    p->target + 1);
	} else
		snprintf(host, hostlen, "%.*s", (int)(colon - p->target),
		    p->target);
	snprintf(port, portlen, "%s", colon + 1);
	return 0;
}

/* Connect p to endpoint; the socket, or -1 with errno set (EINVAL: not
 * an address this proxy knows). */
int
proxy_dial(struct proxy *p, const char *endpoint)
{
	char host[256], port[16];

	if (strncmp(endpoint, "unix://", 7) == 0) {
		strlcpy(p->target, endpoint, sizeof(p->target));
		strlcpy(p->host, "localhost", sizeof(p->host));
		return dial_unix(endpoint + 7);
	}
	if (strstr(endpoint, "://") != NULL || split_tcp(p, endpoint, host,
	    sizeof(host), port, sizeof(port)) == -1) {
		errno = EINVAL;
		return -1;
	}
	strlcpy(p->host, p->target, sizeof(p->host));
	return dial_tcp(host, port);
}

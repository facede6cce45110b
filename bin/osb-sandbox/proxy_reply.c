/*
 * proxy_reply.c — the reply half of the proxy: read the sandbox's status
 * line and headers, answer the client with them, then hand its body on
 * as it arrives, decoding a chunked one (libmicrohttpd frames ours).
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "proxy.h"
#include "serve_http.h"

/* A reply head larger than this is refused. */
#define MAX_HEAD (64 * 1024)
#define READ_SIZE (64 * 1024)
/* How often a quiet sandbox is checked for the client leaving or the
 * server stopping. */
#define POLL_MS 500

/* Reply headers not passed back: hop-by-hop ones and those
 * libmicrohttpd or serve set themselves. */
static const char *const dropped_headers[] = {
	"connection", "keep-alive", "proxy-authenticate",
	"proxy-authorization", "te", "trailer", "transfer-encoding",
	"upgrade", "content-length", "date", "x-request-id"
};

/* Wait for bytes from the sandbox; -1 when the client left, the server
 * stops, or poll fails. */
static int
proxy_wait(struct proxy *p)
{
	struct pollfd pfd[2] = {
		{ p->fd, POLLIN, 0 },
		{ p->client_fd, POLLRDHUP, 0 }
	};
	int n;

	for (;;) {
		n = poll(pfd, p->client_fd >= 0 ? 2 : 1, POLL_MS);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0 && pfd[0].revents)
			return 0;
		if (n > 0 && (pfd[1].revents & (POLLRDHUP | POLLHUP |
		    POLLERR)))
			return -1;
		if (osb_server_stopping())
			return -1;
	}
}

/* More bytes from the sandbox into p->in; their count, 0 at EOF, -1. */
static ssize_t
proxy_fill(struct proxy *p)
{
	ssize_t n;

	if (p->in_off == p->in.len)
		p->in_off = p->in.len = 0;
	else if (p->in_off > 0 && p->in.cap - p->in.len < READ_SIZE) {
		memmove(p->in.data, p->in.data + p->in_off,
		    p->in.len - p->in_off);
		p->in.len -= p->in_off;
		p->in_off = 0;
	}
	if (osb_buf_reserve(&p->in, READ_SIZE) == -1)
		return -1;
	do
		n = recv(p->fd, p->in.data + p->in.len, READ_SIZE, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		p->in.len += (size_t)n;
	return n;
}

/* Close the connection to the sandbox and free p. */
void
proxy_free(struct proxy *p)
{
	if (p->fd >= 0)
		close(p->fd);
	osb_buf_free(&p->in);
	free(p);
}

/* Copy up to max body bytes the framing allows from the buffer. */
static size_t
take_data(struct proxy *p, char *buf, size_t max)
{
	size_t n = p->in.len - p->in_off;

	if (n > max)
		n = max;
	if (p->framing == BODY_LENGTH && n > p->left)
		n = (size_t)p->left;
	memcpy(buf, p->in.data + p->in_off, n);
	p->in_off += n;
	if (p->framing == BODY_LENGTH && (p->left -= n) == 0)
		p->framing = BODY_END;
	return n;
}

/* Body bytes from what is buffered: their count, 0 when none is in (or
 * the end is reached), -1 on a broken chunked encoding. */
static ssize_t
take_body(struct proxy *p, char *buf, size_t max)
{
	size_t used;
	ssize_t n;

	switch (p->framing) {
	case BODY_END:
		return 0;
	case BODY_CHUNKED:
		n = chunked_decode(&p->chunk, p->in.data + p->in_off,
		    p->in.len - p->in_off, &used, buf, max);
		p->in_off += used;
		if (p->chunk.state == CHUNKED_END)
			p->framing = BODY_END;
		return n;
	default:
		return (ssize_t)take_data(p, buf, max);
	}
}

/* libmicrohttpd content reader: the body as it comes from the sandbox. */
static ssize_t
read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct proxy *p = cls;
	ssize_t n;

	(void)pos;
	for (;;) {
		if ((n = take_body(p, buf, max)) != 0)
			return n > 0 ? n : MHD_CONTENT_READER_END_WITH_ERROR;
		if (p->framing == BODY_END)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (proxy_wait(p) == -1 || (n = proxy_fill(p)) < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (n == 0)
			return p->framing == BODY_CLOSE ?
			    MHD_CONTENT_READER_END_OF_STREAM :
			    MHD_CONTENT_READER_END_WITH_ERROR;
	}
}

/* libmicrohttpd content reader free: the reply is over. */
static void
free_body(void *cls)
{
	proxy_free(cls);
}

/* Find the end of the reply head in the buffer: its length with the
 * blank line, 0 while it is not all in. */
static size_t
head_length(const struct proxy *p)
{
	const char *at = p->in.data + p->in_off;
	size_t avail = p->in.len - p->in_off, i;

	for (i = 0; i + 1 < avail; i++) {
		if (at[i] != '\n')
			continue;
		if (at[i + 1] == '\n')
			return i + 2;
		if (i + 2 < avail && at[i + 1] == '\r' && at[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Read until a whole head is buffered; its length, or 0 when the
 * sandbox closed, broke off or sent too much. */
static size_t
read_head(struct proxy *p)
{
	size_t len;
	ssize_t n;

	while ((len = head_length(p)) == 0) {
		if (p->in.len - p->in_off > MAX_HEAD || proxy_wait(p) == -1 ||
		    (n = proxy_fill(p)) <= 0)
			return 0;
	}
	return len;
}

/* The value of header name in head (len bytes), copied to buf; NULL. */
static const char *
head_value(const char *head, size_t len, const char *name, char *buf,
    size_t n)
{
	const char *line = memchr(head, '\n', len), *end, *v;
	size_t nlen = strlen(name);

	for (; line && line < head + len; line = end) {
		line++;
		end = memchr(line, '\n', (size_t)(head + len - line));
		if (end == NULL)
			break;
		if ((size_t)(end - line) <= nlen || line[nlen] != ':' ||
		    strncasecmp(line, name, nlen) != 0)
			continue;
		for (v = line + nlen + 1; *v == ' ' || *v == '\t'; v++)
			;
		snprintf(buf, n, "%.*s", (int)(end - v), v);
		buf[strcspn(buf, "\r")] = '\0';
		return buf;
	}
	return NULL;
}

/* Is header name one the reply does not pass back? */
static int
dropped(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(dropped_headers) / sizeof(*dropped_headers);
	    i++)
		if (strcasecmp(name, dropped_headers[i]) == 0)
			return 1;
	return 0;
}

/* Add the head's header lines (after the status line) to r, but those
 * its Connection header names. */
void
proxy_add_headers(struct MHD_Response *r, const char *head, size_t len)
{
	const char *line = memchr(head, '\n', len), *end, *colon, *v;
	char name[256], value[8192], connection[1024];

	if (head_value(head, len, "Connection", connection,
	    sizeof(connection)) == NULL)
		connection[0] = '\0';
	for (; line && line < head + len; line = end) {
		line++;
		end = memchr(line, '\n', (size_t)(head + len - line));
		if (end == NULL || (colon = memchr(line, ':',
		    (size_t)(end - line))) == NULL ||
		    (size_t)(colon - line) >= sizeof(name))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(colon - line), line);
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		snprintf(value, sizeof(value), "%.*s", (int)(end - v), v);
		value[strcspn(value, "\r")] = '\0';
		if (!dropped(name) && !proxy_listed(connection, name))
			MHD_add_response_header(r, name, value);
	}
}

/*
 * The response for a head: how its body is framed decides the size
 * libmicrohttpd is told (none for HEAD, 204 and 304 replies).
 */
static struct MHD_Response *
reply_for(struct osb_req *req, struct proxy *p, int status,
    const char *head, size_t len)
{
	char te[128], clen[32];
	uint64_t size = MHD_SIZE_UNKNOWN;
	char *end;

	if (head_value(head, len, "Transfer-Encoding", te, sizeof(te)) &&
	    strcasecmp(te, "identity") != 0) {
		p->framing = BODY_CHUNKED;
		chunked_init(&p->chunk);
	} else if (head_value(head, len, "Content-Length", clen,
	    sizeof(clen))) {
		p->framing = BODY_LENGTH;
		p->left = size = strtoull(clen, &end, 10);
		if (end == clen || *end != '\0')
			return NULL;
		if (size == 0)
			p->framing = BODY_END;
	} else
		p->framing = BODY_CLOSE;
	if (strcmp(req->method, "HEAD") == 0 || status == 204 ||
	    status == 304) {
		p->framing = BODY_END;
		if (size == MHD_SIZE_UNKNOWN)
			size = 0;
	}
	return MHD_create_response_from_callback(size, 32 * 1024, read_body,
	    p, free_body);
}

/* Read the sandbox's reply head and answer the client with it. */
int
proxy_relay_reply(struct osb_req *req, struct proxy *p)
{
	struct serve_req *sr = req->state;
	struct MHD_Response *r;
	size_t len;
	const char *head;
	int status;

	do {
		if ((len = read_head(p)) == 0) {
			serve_reply_error(req, 502, "PROXY_ERROR", "sandbox %s "
			    "port %s: no reply (%s)", req->params[0],
			    req->params[1], p->target);
			return -1;
		}
		head = p->in.data + p->in_off;
		p->in_off += len;
		if (sscanf(head, "HTTP/%*d.%*d %3d", &status) != 1 ||
		    status < 100 || status > 999) {
			serve_reply_error(req, 502, "PROXY_ERROR", "sandbox %s "
			    "port %s: not an HTTP reply (%s)", req->params[0],
			    req->params[1], p->target);
			return -1;
		}
		if (status == 101 && p->websocket)
			return proxy_relay_upgrade(req, p, head, len);
	} while (status < 200);
	if ((r = reply_for(req, p, status, head, len)) == NULL) {
		serve_reply_error(req, 502, "PROXY_ERROR", "sandbox %s port "
		    "%s: bad reply head (%s)", req->params[0], req->params[1],
		    p->target);
		return -1;
	}
	sr->proxy = NULL;	/* the response owns p now */
	proxy_add_headers(r, head, len);
	return serve_reply(req, (unsigned)status, r);
}

/* ws_client.c — WebSocket over a libcurl connection; see ws_client.h. */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "buf.h"
#include "ws_client.h"

/* The most a handshake reply may take, headers and body. */
#define REPLY_MAX 65536
/* The most the server may send in one message: a whole replay and more. */
#define MESSAGE_MAX (16 * 1024 * 1024)
#define READ_CHUNK 65536
/* The most osb_ws_client_read takes at once, to be handled before more. */
#define READ_MAX (16 * READ_CHUNK)
#define HANDSHAKE_TIMEOUT_MS 30000

struct osb_ws_client {
	CURL *curl;
	int fd;
	const char *what;
	struct osb_ws_reader reader;
	struct osb_buf out;		/* a frame being built */
};

/* Wait until fd can be read (events POLLIN) or written (POLLOUT). */
static int
wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { fd, events, 0 };
	int rc;

	while ((rc = poll(&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return rc;
}

/* Send all of n bytes through curl; 0, or -1 with err set. */
static int
send_all(struct osb_ws_client *c, const void *data, size_t n,
    struct osb_error *err)
{
	const char *p = data;
	size_t sent;
	CURLcode rc;

	while (n > 0) {
		rc = curl_easy_send(c->curl, p, n, &sent);
		if (rc == CURLE_AGAIN) {
			wait_fd(c->fd, POLLOUT, -1);
			continue;
		}
		if (rc != CURLE_OK) {
			osb_error_set(err, 0, "", "%s: send: %s", c->what,
			    curl_easy_strerror(rc));
			return -1;
		}
		p += sent;
		n -= sent;
	}
	return 0;
}

/* Connect curl to ep (no request yet); 0, or -1 with err set. */
static int
connect_curl(struct osb_ws_client *c, const struct osb_endpoint *ep,
    struct osb_error *err)
{
	curl_socket_t sock;
	CURLcode rc;

	if ((c->curl = curl_easy_init()) == NULL) {
		osb_error_set(err, 0, "", "%s: out of memory", c->what);
		return -1;
	}
	curl_easy_setopt(c->curl, CURLOPT_URL, ep->base);
	curl_easy_setopt(c->curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c->curl, CURLOPT_VERBOSE, (long)osb_http_verbose);
	if (ep->unix_socket[0] != '\0')
		curl_easy_setopt(c->curl, CURLOPT_UNIX_SOCKET_PATH,
		    ep->unix_socket);
	if ((rc = curl_easy_perform(c->curl)) != CURLE_OK ||
	    curl_easy_getinfo(c->curl, CURLINFO_ACTIVESOCKET, &sock) !=
	    CURLE_OK) {
		osb_error_set(err, 0, "", "%s: cannot connect: %s (%s)",
		    c->what, curl_easy_strerror(rc), ep->base);
		return -1;
	}
	c->fd = (int)sock;
	return 0;
}

/* The host[:port] and the path prefix of a base URL. */
static void
split_base(const char *base, char *host, size_t hostlen, const char **prefix)
{
	const char *p = strstr(base, "://"), *slash;

	p = p ? p + 3 : base;
	slash = strchr(p, '/');
	snprintf(host, hostlen, "%.*s", (int)(slash ? slash - p :
	    (ptrdiff_t)strlen(p)), p);
	*prefix = slash ? slash : "";
}

/* The handshake request for path, into b. */
static int
build_request(struct osb_buf *b, const struct osb_endpoint *ep,
    const char *path, const char *key)
{
	const struct curl_slist *h;
	const char *prefix;
	char host[512], *head = NULL;
	int n, rc;

	split_base(ep->base, host, sizeof(host), &prefix);
	n = asprintf(&head, "GET %s%s HTTP/1.1\r\nHost: %s\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n",
	    prefix, path, host, key);
	if (n < 0)
		return -1;
	rc = osb_buf_append(b, head, (size_t)n);
	free(head);
	for (h = ep->headers; h && rc == 0; h = h->next)
		if ((rc = osb_buf_append(b, h->data, strlen(h->data))) == 0)
			rc = osb_buf_append(b, "\r\n", 2);
	return rc == 0 ? osb_buf_append(b, "\r\n", 2) : -1;
}

/*
 * Read the reply into b until its headers are in (and with a non-101
 * status its body, as Content-Length says): returns the header length,
 * or -1 with err set.
 */
static long
read_reply(struct osb_ws_client *c, struct osb_buf *b, struct osb_error *err)
{
	char chunk[4096], *end = NULL, *cl;
	size_t n, want = 0;
	CURLcode rc;

	for (;;) {
		if (end == NULL && (end = strstr(b->data ? b->data : "",
		    "\r\n\r\n")) != NULL) {
			cl = strcasestr(b->data, "\r\nContent-Length:");
			want = (size_t)(end - b->data) + 4;
			if (strncmp(b->data + 9, "101", 3) == 0)
				return (long)want;
			if (cl != NULL && cl < end)
				want += strtoul(cl + 17, NULL, 10);
		}
		if (end != NULL && b->len >= want)
			return (long)(end - b->data) + 4;
		rc = curl_easy_recv(c->curl, chunk, sizeof(chunk), &n);
		if (rc == CURLE_AGAIN) {
			if (wait_fd(c->fd, POLLIN, HANDSHAKE_TIMEOUT_MS) == 0)
				break;
			continue;
		}
		if (rc != CURLE_OK || n == 0 || b->len + n > REPLY_MAX)
			break;
		if (osb_buf_append(b, chunk, n) < 0)
			break;
	}
	if (end != NULL)	/* closed early: what came of the body */
		return (long)(end - b->data) + 4;
	osb_error_set(err, 0, "", "%s: no WebSocket handshake reply", c->what);
	return -1;
}

/* Check a reply of hlen header bytes in b; 0, or -1 with err set. */
static int
check_reply(struct osb_ws_client *c, const struct osb_buf *b, size_t hlen,
    const char *key, struct osb_error *err)
{
	char accept[OSB_WS_ACCEPT_LEN + 1], *a;
	long status = strtol(b->data + 9, NULL, 10);

	if (strncmp(b->data, "HTTP/1.", 7) != 0) {
		osb_error_set(err, 0, "", "%s: not an HTTP reply", c->what);
		return -1;
	}
	if (status != 101) {
		osb_http_error_from_body(status, b->data + hlen, b->len - hlen,
		    c->what, err);
		return -1;
	}
	osb_ws_accept(key, accept);
	a = strcasestr(b->data, "\r\nSec-WebSocket-Accept:");
	if (a == NULL || a > b->data + hlen || strncmp(a + 23 + strspn(a + 23,
	    " \t"), accept, OSB_WS_ACCEPT_LEN) != 0) {
		osb_error_set(err, 0, "", "%s: the server's WebSocket handshake "
		    "is wrong (Sec-WebSocket-Accept)", c->what);
		return -1;
	}
	/* Frames that came with the reply. */
	return osb_ws_feed(&c->reader, b->data + hlen, b->len - hlen);
}

int
osb_ws_client_open(const struct osb_endpoint *ep, const char *path,
    const char *what, struct osb_ws_client **out, struct osb_error *err)
{
	struct osb_ws_client *c;
	struct osb_buf b = { 0 };
	char key[25];
	long hlen;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		osb_error_set(err, 0, "", "%s: out of memory", what);
		return -1;
	}
	c->what = what;
	c->fd = -1;
	c->reader.max = MESSAGE_MAX;
	osb_ws_new_key(key);
	if (connect_curl(c, ep, err) < 0)
		goto fail;
	if (build_request(&b, ep, path, key) < 0) {
		osb_error_set(err, 0, "", "%s: out of memory", what);
		goto fail;
	}
	if (send_all(c, b.data, b.len, err) < 0)
		goto fail;
	osb_buf_free(&b);	/* the reply is read into it, from empty */
	if ((hlen = read_reply(c, &b, err)) < 0 ||
	    check_reply(c, &b, (size_t)hlen, key, err) < 0)
		goto fail;
	osb_buf_free(&b);
	*out = c;
	return 0;
fail:
	osb_buf_free(&b);
	osb_ws_client_free(c);
	return -1;
}

int
osb_ws_client_fd(const struct osb_ws_client *c)
{
	return c->fd;
}

int
osb_ws_client_read(struct osb_ws_client *c, struct osb_error *err)
{
	char chunk[READ_CHUNK];
	size_t n, taken;
	CURLcode rc;

	for (taken = 0; taken < READ_MAX; taken += n) {
		rc = curl_easy_recv(c->curl, chunk, sizeof(chunk), &n);
		if (rc == CURLE_AGAIN)
			return 1;
		if (rc != CURLE_OK) {
			osb_error_set(err, 0, "", "%s: receive: %s", c->what,
			    curl_easy_strerror(rc));
			return -1;
		}
		if (n == 0)
			return 0;
		if (osb_ws_feed(&c->reader, chunk, n) < 0) {
			osb_error_set(err, 0, "", "%s: out of memory", c->what);
			return -1;
		}
	}
	return 2;
}

int
osb_ws_client_message(struct osb_ws_client *c, int *op,
    const unsigned char **data, size_t *len, struct osb_error *err)
{
	int rc;

	while ((rc = osb_ws_next(&c->reader, op, data, len)) == 1 &&
	    *op == OSB_WS_PING)
		if (osb_ws_client_send(c, OSB_WS_PONG, *data, *len, err) < 0)
			return -1;
	if (rc < 0)
		osb_error_set(err, 0, "", "%s: WebSocket protocol error: %s",
		    c->what, c->reader.why);
	return rc;
}

int
osb_ws_client_sendv(struct osb_ws_client *c, int op, const struct iovec *iov,
    int n, struct osb_error *err)
{
	unsigned char header[OSB_WS_HEADER_MAX], mask[4];
	size_t len = 0, hlen, at;
	int i;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	arc4random_buf(mask, sizeof(mask));
	hlen = osb_ws_header(header, op, len, mask);
	c->out.len = 0;
	if (osb_buf_reserve(&c->out, hlen + len) < 0) {
		osb_error_set(err, 0, "", "%s: out of memory", c->what);
		return -1;
	}
	memcpy(c->out.data, header, hlen);
	for (at = hlen, i = 0; i < n; i++) {
		memcpy(c->out.data + at, iov[i].iov_base, iov[i].iov_len);
		at += iov[i].iov_len;
	}
	osb_ws_mask((unsigned char *)c->out.data + hlen, len, mask, 0);
	c->out.len = at;
	return send_all(c, c->out.data, c->out.len, err);
}

int
osb_ws_client_send(struct osb_ws_client *c, int op, const void *data,
    size_t len, struct osb_error *err)
{
	struct iovec iov = { (void *)data, len };

	return osb_ws_client_sendv(c, op, &iov, 1, err);
}

void
osb_ws_client_free(struct osb_ws_client *c)
{
	if (c == NULL)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	osb_ws_reader_free(&c->reader);
	osb_buf_free(&c->out);
	free(c);
}

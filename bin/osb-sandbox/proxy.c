/*
 * proxy.c — the request half of the proxy: find the sandbox's port, open
 * a connection to it, send the request head and stream the body as it
 * arrives. One connection per request ("Connection: close"), so that the
 * reply's end is never in doubt.
 */
#include <sys/socket.h>

#include <netdb.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http.h"
#include "local.h"
#include "proxy.h"
#include "serve_http.h"
#include "util.h"

static int proxy_finish(struct osb_req *);
static int proxy_body(struct osb_req *, const char *, size_t);

const struct osb_route proxy_route =
	{ "*", "/sandboxes/{}/proxy/{}/...", proxy_finish, proxy_body, NULL };

/* Request headers never passed on: hop-by-hop ones, those we set, and
 * credentials meant for this server, not for the sandbox. */
static const char *const dropped_headers[] = {
	"connection", "keep-alive", "proxy-authenticate",
	"proxy-authorization", "te", "trailer", "transfer-encoding",
	"upgrade", "host", "content-length", "expect", "authorization",
	"cookie", "open-sandbox-api-key",
	/* put_forwarded() says who the client is; the client can't. */
	"x-forwarded-for"
};

/* Is path /sandboxes/ID/proxy/PORT[/...]? Captures as proxy.h says. */
int
proxy_matches(struct osb_req *req, const char *path)
{
	struct serve_req *sr = req->state;
	const char *id, *port;
	size_t idlen, portlen;

	if (strncmp(path, "/sandboxes/", 11) != 0)
		return 0;
	id = path + 11;
	idlen = strcspn(id, "/");
	if (idlen == 0 || strncmp(id + idlen, "/proxy/", 7) != 0)
		return 0;
	port = id + idlen + 7;
	for (portlen = 0; isdigit((unsigned char)port[portlen]); portlen++)
		;
	/* Five digits at most: atoi() of it can't overflow. */
	if (portlen == 0 || portlen > 5 || (port[portlen] != '/' &&
	    port[portlen] != '\0') || idlen + portlen + 2 >
	    sizeof(req->param_buf))
		return 0;
	memcpy(req->param_buf, id, idlen);
	req->param_buf[idlen] = '\0';
	memcpy(req->param_buf + idlen + 1, port, portlen);
	req->param_buf[idlen + 1 + portlen] = '\0';
	req->params[0] = req->param_buf;
	req->params[1] = req->param_buf + idlen + 1;
	sr->tail = port + portlen;
	return 1;
}

/* Does the path hold a ".." segment? It is not passed on. */
static int
has_dotdot(const char *path)
{
	const char *p;

	for (p = strstr(path, ".."); p; p = strstr(p + 2, ".."))
		if ((p == path || p[-1] == '/') && (p[2] == '/' ||
		    p[2] == '\0'))
			return 1;
	return 0;
}

/* Is name in the comma-separated list? */
int
proxy_listed(const char *list, const char *name)
{
	size_t len = strlen(name), n;

	while (*list) {
		list += strspn(list, " \t,");
		n = strcspn(list, " \t,");
		if (n == len && strncasecmp(list, name, len) == 0)
			return 1;
		list += n;
	}
	return 0;
}

/* Append s to b; 0 or -1. */
static int
put(struct osb_buf *b, const char *s)
{
	return osb_buf_append(b, s, strlen(s));
}

/* Append path to b, escaping what a request line can't hold. */
static int
put_path(struct osb_buf *b, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char esc[3];

	for (p = (const unsigned char *)path; *p; p++) {
		if (isalnum(*p) || strchr("/-._~!$&'()*+,;=:@", *p)) {
			if (osb_buf_append(b, p, 1) == -1)
				return -1;
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[*p >> 4];
		esc[2] = hex[*p & 15];
		if (osb_buf_append(b, esc, 3) == -1)
			return -1;
	}
	return 0;
}

struct head_walk {
	struct osb_buf *b;
	const char *connection;	/* the request's Connection header */
	int first;		/* no query argument written yet */
	int failed;
};

/* MHD_get_connection_values callback: a query argument, escaped again. */
static enum MHD_Result
put_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct head_walk *w = cls;
	char *k = osb_http_escape(key), *v = value ? osb_http_escape(value) :
	    NULL;

	(void)kind;
	if (k == NULL || (value && v == NULL) ||
	    put(w->b, w->first ? "?" : "&") == -1 || put(w->b, k) == -1 ||
	    (v && (put(w->b, "=") == -1 || put(w->b, v) == -1)))
		w->failed = 1;
	w->first = 0;
	free(k);
	free(v);
	return w->failed ? MHD_NO : MHD_YES;
}

/* MHD_get_connection_values callback: a request header to pass on. */
static enum MHD_Result
put_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct head_walk *w = cls;
	size_t i;

	(void)kind;
	for (i = 0; i < sizeof(dropped_headers) / sizeof(*dropped_headers);
	    i++)
		if (strcasecmp(key, dropped_headers[i]) == 0)
			return MHD_YES;
	if (w->connection && proxy_listed(w->connection, key))
		return MHD_YES;
	if (put(w->b, key) == -1 || put(w->b, ": ") == -1 ||
	    put(w->b, value ? value : "") == -1 || put(w->b, "\r\n") == -1)
		w->failed = 1;
	return w->failed ? MHD_NO : MHD_YES;
}

/* The client's address for X-Forwarded-For, or "". */
static void
client_host(struct osb_req *req, char *buf, size_t n)
{
	const union MHD_ConnectionInfo *info;

	buf[0] = '\0';
	info = MHD_get_connection_info(req->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info && info->client_addr)
		getnameinfo(info->client_addr,
		    info->client_addr->sa_family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
		    buf, (socklen_t)n, NULL, 0, NI_NUMERICHOST);
}

/* The forwarding headers: X-Forwarded-For always the client's own
 * address, the others unless the client brought its own. */
static int
put_forwarded(struct osb_req *req, struct osb_buf *b)
{
	const char *host = osb_req_header(req, MHD_HTTP_HEADER_HOST);
	char addr[64];

	if (osb_req_header(req, "X-Forwarded-Proto") == NULL &&
	    put(b, "X-Forwarded-Proto: http\r\n") == -1)
		return -1;
	if (host && osb_req_header(req, "X-Forwarded-Host") == NULL &&
	    (put(b, "X-Forwarded-Host: ") == -1 || put(b, host) == -1 ||
	    put(b, "\r\n") == -1))
		return -1;
	client_host(req, addr, sizeof(addr));
	if (*addr && (put(b, "X-Forwarded-For: ") == -1 || put(b, addr) == -1 ||
	    put(b, "\r\n") == -1))
		return -1;
	return 0;
}

/* How the request body is passed on: its length, chunked, or none. */
static int
put_framing(struct osb_req *req, struct proxy *p, struct osb_buf *b)
{
	const char *clen = osb_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = osb_req_header(req,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING);

	if (te && strcasecmp(te, "identity") != 0) {
		p->chunked = 1;
		return put(b, "Transfer-Encoding: chunked\r\n");
	}
	if (clen)
		return put(b, "Content-Length: ") == -1 || put(b, clen) == -1 ||
		    put(b, "\r\n") == -1 ? -1 : 0;
	return 0;
}

/* The request head for the sandbox into b; 0 or -1. */
static int
build_head(struct osb_req *req, struct proxy *p, struct osb_buf *b)
{
	struct serve_req *sr = req->state;
	struct head_walk w = { b, NULL, 1, 0 };

	if (put(b, req->method) == -1 || put(b, " ") == -1 ||
	    put_path(b, p->prefix) == -1 ||
	    put_path(b, *sr->tail ? sr->tail : "/") == -1)
		return -1;
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
	    put_query_arg, &w);
	if (w.failed || put(b, " HTTP/1.1\r\nHost: ") == -1 ||
	    put(b, p->host) == -1 || put(b, p->websocket ?
	    "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" :
	    "\r\nConnection: close\r\n") == -1)
		return -1;
	w.connection = osb_req_header(req, MHD_HTTP_HEADER_CONNECTION);
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, put_header, &w);
	if (w.failed || put_forwarded(req, b) == -1 ||
	    put_framing(req, p, b) == -1)
		return -1;
	return put(b, "\r\n");
}

/* The client's socket, watched while the sandbox is quiet. */
static int
client_fd(struct osb_req *req)
{
	const union MHD_ConnectionInfo *info;

	info = MHD_get_connection_info(req->conn,
	    MHD_CONNECTION_INFO_CONNECTION_FD);
	return info ? info->connect_fd : -1;
}

/* The address the runtime names for the sandbox's port, malloc'd;
 * NULL after a reply. */
static char *
locate(struct osb_req *req)
{
	struct osb_error err = { 0 };
	const char *where;
	json_t *endpoint;
	char *copy;

	if (osb_local_endpoint(serve.local, req->params[0],
	    atoi(req->params[1]), &endpoint, &err) == -1) {
		serve_reply_failure(req, &err);
		return NULL;
	}
	where = json_string_value(json_object_get(endpoint, "endpoint"));
	if ((copy = strdup(where ? where : "")) == NULL)
		serve_reply_error(req, 500, "INTERNAL_ERROR", "out of memory");
	json_decref(endpoint);
	return copy;
}

/* A WebSocket handshake (GET, Upgrade: websocket), passed on as one. */
static int
is_websocket(struct osb_req *req)
{
	const char *up = osb_req_header(req, "Upgrade");

	return up != NULL && strcasecmp(up, "websocket") == 0 &&
	    strcmp(req->method, "GET") == 0;
}

/* Connect to the sandbox's port and send the head; -1 after a reply. */
static int
open_upstream(struct osb_req *req, struct proxy *p)
{
	struct osb_buf head = { 0 };
	char reason[128], *where;
	int rc;

	if ((where = locate(req)) == NULL)
		return -1;
	p->fd = proxy_dial(p, where);
	if (p->fd == -1) {
		strlcpy(reason, errno == EINVAL ? "no address to reach it at" :
		    strerror(errno), sizeof(reason));
		reason[0] = (char)tolower((unsigned char)reason[0]);
		serve_reply_error(req, 502, "PROXY_ERROR", "sandbox %s port "
		    "%s: cannot connect: %s (%s)", req->params[0],
		    req->params[1], reason, where);
		free(where);
		return -1;
	}
	free(where);
	p->client_fd = client_fd(req);
	if ((rc = build_head(req, p, &head)) == -1)
		serve_reply_error(req, 500, "INTERNAL_ERROR", "out of memory");
	else if (osb_write_all(p->fd, head.data, head.len) == -1)
		p->write_failed = 1;
	osb_buf_free(&head);
	return rc;
}

/* The request's proxy, opened on first use; NULL after a reply. */
static struct proxy *
request_proxy(struct osb_req *req)
{
	struct serve_req *sr = req->state;
	struct proxy *p = sr->proxy;

	if (p)
		return p;
	if (has_dotdot(sr->tail)) {
		serve_reply_error(req, 400, "INVALID_REQUEST",
		    "proxy path %s: \"..\" is not allowed", sr->tail);
		return NULL;
	}
	if (osb_req_header(req, "Upgrade") != NULL && !is_websocket(req)) {
		serve_reply_error(req, 400, "INVALID_REQUEST",
		    "proxy: protocol upgrades other than websocket are not "
		    "supported");
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		serve_reply_error(req, 500, "INTERNAL_ERROR", "out of memory");
		return NULL;
	}
	p->fd = -1;
	p->websocket = is_websocket(req);
	sr->proxy = p;
	if (open_upstream(req, p) == -1)
		return NULL;
	return p;
}

/* Send len bytes of body on, as a chunk when the body goes chunked. */
static int
send_body(struct proxy *p, const char *data, size_t len)
{
	char size[32];

	if (!p->chunked)
		return osb_write_all(p->fd, data, len);
	snprintf(size, sizeof(size), "%zx\r\n", len);
	if (osb_write_all(p->fd, size, strlen(size)) == -1 ||
	    osb_write_all(p->fd, data, len) == -1)
		return -1;
	return osb_write_all(p->fd, "\r\n", 2);
}

/* A piece of the request body: straight on to the sandbox. A sandbox
 * that stops taking it may still have answered: that is read at the end. */
static int
proxy_body(struct osb_req *req, const char *data, size_t len)
{
	struct proxy *p = request_proxy(req);

	if (p == NULL)
		return -1;
	if (!p->write_failed && send_body(p, data, len) == -1)
		p->write_failed = 1;
	return 0;
}

/* The whole request is in: end its body, relay the sandbox's reply. */
static int
proxy_finish(struct osb_req *req)
{
	struct proxy *p = request_proxy(req);

	if (p == NULL)
		return -1;
	if (p->chunked && !p->write_failed &&
	    osb_write_all(p->fd, "0\r\n\r\n", 5) == -1)
		p->write_failed = 1;
	return proxy_relay_reply(req, p);
}

/* Release the request's proxy unless its reply took it. */
void
proxy_release(struct osb_req *req)
{
	struct serve_req *sr = req->state;
	struct proxy *p = sr->proxy;

	if (p && p->tunnel_refs > 0)
		proxy_tunnel_unref(p);
	else if (p)
		proxy_free(p);
	sr->proxy = NULL;
}

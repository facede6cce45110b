/*
 * http.c — libcurl under every API client.
 *
 * One easy handle for the process, reset between requests, so a run of
 * requests to one execd reuses its connection. A 2xx body is collected or
 * handed to the caller's sink; any other body is collected and read as
 * {"code","message"} for the error.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "http_trace.h"

int osb_http_verbose;

static CURL *shared_handle;

/* A body this large is an upload: see setup_handle. */
#define UPLOAD_FRESH_BYTES	(64 * 1024)

struct transfer {
	const struct osb_http_req *req;
	struct osb_http_reply *reply;
	struct osb_buf body;	/* collected, for the reply */
	int streaming;		/* status known to be 2xx and sink set */
	int sink_failed;
	int replied;		/* a byte of the reply has come */
	int gave_up;		/* no reply within req->reply_wait_s */
	int cancelled;		/* by req->cancel */
	struct timespec start;
	struct osb_http_trace trace;
};

/* ep for url, http:// assumed, without a trailing slash. */
int
osb_endpoint_init(struct osb_endpoint *ep, const char *url,
    struct osb_error *err)
{
	size_t len;

	memset(ep, 0, sizeof(*ep));
	if (strncmp(url, "unix://", 7) == 0) {
		if (url[7] != '/' || strlcpy(ep->unix_socket, url + 7,
		    sizeof(ep->unix_socket)) >= sizeof(ep->unix_socket)) {
			osb_error_set(err, 0, "", "%.60s: not a unix socket "
			    "path (or too long)", url);
			return -1;
		}
		strlcpy(ep->base, "http://localhost", sizeof(ep->base));
		return 0;
	}
	if (strstr(url, "://") == NULL)
		len = (size_t)snprintf(ep->base, sizeof(ep->base), "http://%s",
		    url);
	else
		len = strlcpy(ep->base, url, sizeof(ep->base));
	if (len >= sizeof(ep->base)) {
		osb_error_set(err, 0, "", "%.40s...: url too long", url);
		return -1;
	}
	while (len > 0 && ep->base[len - 1] == '/')
		ep->base[--len] = '\0';
	return 0;
}

/* Add "name: value" to every request to ep; 0 or -1. */
int
osb_endpoint_add_header(struct osb_endpoint *ep, const char *name,
    const char *value)
{
	struct curl_slist *grown;
	char *line;

	if (asprintf(&line, "%s: %s", name, value) < 0)
		return -1;
	grown = curl_slist_append(ep->headers, line);
	free(line);
	if (grown == NULL)
		return -1;
	ep->headers = grown;
	return 0;
}

/* Release the endpoint's headers. */
void
osb_endpoint_free(struct osb_endpoint *ep)
{
	curl_slist_free_all(ep->headers);
	ep->headers = NULL;
}

/* Once the headers are in: decide between streaming and collecting. */
static int
headers_complete(struct transfer *t)
{
	const struct osb_http_req *req = t->req;

	if (t->reply->status < 200 || t->reply->status > 299)
		return 0;
	if (req->on_headers && req->on_headers(t->reply->status,
	    req->sink_arg) < 0)
		return -1;
	t->streaming = req->sink != NULL;
	return 0;
}

/* libcurl header callback: status line, header lines, the blank end. */
static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n, trimmed = len;
	struct curl_slist *grown;
	char *line;
	long status;

	t->replied = 1;
	while (trimmed > 0 && isspace((unsigned char)data[trimmed - 1]))
		trimmed--;
	if (trimmed == 0) {
		/* The blank line after a 1xx (100 Continue) is not the end. */
		if (t->reply->status >= 200 && headers_complete(t) < 0)
			return 0;
		return len;
	}
	if (len > 5 && strncmp(data, "HTTP/", 5) == 0 &&
	    sscanf(data, "HTTP/%*s %ld", &status) == 1) {
		t->reply->status = status;
		curl_slist_free_all(t->reply->headers);
		t->reply->headers = NULL;
		return len;
	}
	if ((line = strndup(data, trimmed)) == NULL)
		return 0;
	grown = curl_slist_append(t->reply->headers, line);
	free(line);
	if (grown == NULL)
		return 0;
	t->reply->headers = grown;
	return len;
}

/* libcurl write callback: a 2xx body to the sink, else collected. */
static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;

	if (t->streaming) {
		if (t->req->sink(data, len, t->req->sink_arg) < 0) {
			t->sink_failed = 1;
			return 0;
		}
		return len;
	}
	return osb_buf_append(&t->body, data, len) < 0 ? 0 : len;
}

/* libcurl progress callback: the larger direction to the caller. */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer *t = arg;
	const struct osb_http_req *req = t->req;
	struct timespec now;

	if (req->progress != NULL) {
		if (ultotal > dltotal)
			req->progress(ulnow, ultotal, req->progress_arg);
		else
			req->progress(dlnow, dltotal, req->progress_arg);
	}
	if (req->cancel != NULL && *req->cancel) {
		t->cancelled = 1;
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (req->reply_wait_s > 0 && !t->replied &&
	    now.tv_sec - t->start.tv_sec >= req->reply_wait_s) {
		t->gave_up = 1;
		return 1;
	}
	return 0;
}

/* The value of reply header name, or NULL. */
const char *
osb_http_reply_header(const struct osb_http_reply *reply, const char *name)
{
	const struct curl_slist *h;
	size_t len = strlen(name);

	for (h = reply->headers; h; h = h->next) {
		if (strncasecmp(h->data, name, len) == 0 &&
		    h->data[len] == ':') {
			const char *v = h->data + len + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			return v;
		}
	}
	return NULL;
}

/* Release what the reply holds, leaving it empty. */
void
osb_http_reply_free(struct osb_http_reply *reply)
{
	if (reply == NULL)
		return;
	free(reply->body);
	curl_slist_free_all(reply->headers);
	memset(reply, 0, sizeof(*reply));
}

/* s percent-encoded, malloc'd; NULL when out of memory. */
char *
osb_http_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *copy;

	if (e == NULL)
		return NULL;
	copy = strdup(e);
	curl_free(e);
	return copy;
}

/* The process's easy handle, made on first use. */
static CURL *
handle(void)
{
	if (shared_handle == NULL) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		shared_handle = curl_easy_init();
	}
	return shared_handle;
}

/* A multipart body on the process's handle. */
curl_mime *
osb_http_mime_new(void)
{
	CURL *c = handle();

	return c ? curl_mime_init(c) : NULL;
}

/* Fill err from a non-2xx reply: the server's code and message if any. */
static void
error_from_reply(const struct osb_http_req *req,
    const struct osb_http_reply *reply, struct osb_error *err)
{
	osb_http_error_from_body(reply->status, reply->body, reply->len,
	    req->what ? req->what : req->path, err);
}

void
osb_http_error_from_body(long status, const char *text, size_t len,
    const char *what, struct osb_error *err)
{
	struct osb_http_reply r = { status, (char *)text, len, NULL };
	struct osb_http_reply *reply = &r;
	json_t *doc = NULL, *body, *code, *msg;

	if (reply->body && reply->len)
		doc = json_loadb(reply->body, reply->len, 0, NULL);
	/* FastAPI servers wrap it: {"detail": {"code", "message"}}, or
	 * {"detail": "text"}. */
	body = json_object_get(doc, "detail");
	if (!json_is_object(body))
		body = doc;
	code = json_object_get(body, "code");
	msg = json_object_get(body, "message");
	if (!json_is_string(msg))
		msg = json_object_get(doc, "error");
	if (!json_is_string(msg))
		msg = json_object_get(doc, "detail");
	if (json_is_string(msg) &&
	    strncmp(json_string_value(msg), what, strlen(what)) == 0)
		/* The server already named the operation. */
		osb_error_set(err, reply->status,
		    json_is_string(code) ? json_string_value(code) : "",
		    "%s", json_string_value(msg));
	else if (json_is_string(msg))
		osb_error_set(err, reply->status,
		    json_is_string(code) ? json_string_value(code) : "",
		    "%s: %s", what, json_string_value(msg));
	else
		osb_error_set(err, reply->status, "", "%s: HTTP %ld%s%.200s",
		    what, reply->status, reply->len ? ": " : "",
		    reply->len ? reply->body : "");
	json_decref(doc);
}

/* Headers for this request: the endpoint's, then the request's own. */
static struct curl_slist *
request_headers(const struct osb_endpoint *ep, const struct osb_http_req *req)
{
	struct curl_slist *list = NULL, *grown;
	const struct curl_slist *h;
	const char *const *extra;
	char ctype[256];

	/* No "Expect: 100-continue" round trip before a body. */
	list = curl_slist_append(list, "Expect:");
	for (h = ep->headers; h && list; h = h->next)
		list = (grown = curl_slist_append(list, h->data)) ? grown :
		    (curl_slist_free_all(list), NULL);
	for (extra = req->headers; extra && *extra && list; extra++)
		list = (grown = curl_slist_append(list, *extra)) ? grown :
		    (curl_slist_free_all(list), NULL);
	if (req->content_type && list) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s",
		    req->content_type);
		list = (grown = curl_slist_append(list, ctype)) ? grown :
		    (curl_slist_free_all(list), NULL);
	}
	return list;
}

/* The body and method of req on c. */
static void
set_body(CURL *c, const struct osb_http_req *req, const char *method)
{
	if (req->mime)
		curl_easy_setopt(c, CURLOPT_MIMEPOST, req->mime);
	else if (req->body || strcmp(method, "POST") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
		    req->body ? req->body : "");
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
}

/* Set up c for req; the header list and error buffer outlive the call. */
static void
setup_handle(CURL *c, const struct osb_endpoint *ep,
    const struct osb_http_req *req, struct transfer *t,
    struct curl_slist *headers, const char *url, char *curlerr)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curlerr);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
	curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
	curl_easy_setopt(c, CURLOPT_VERBOSE, (long)osb_http_verbose);
	if (osb_http_verbose) {
		t->trace.stopped = &t->sink_failed;
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, osb_http_trace);
		curl_easy_setopt(c, CURLOPT_DEBUGDATA, &t->trace);
	}
	if (ep->unix_socket[0] != '\0')
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, ep->unix_socket);
	if (ep->timeout_s > 0)
		curl_easy_setopt(c, CURLOPT_TIMEOUT, ep->timeout_s);
	if (req->progress || req->reply_wait_s > 0 || req->cancel) {
		clock_gettime(CLOCK_MONOTONIC, &t->start);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, t);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	/* curl sends a request again when a connection it reused dies
	 * under it: an upload that broke would end as "connection refused"
	 * from the retry. An upload gets a connection of its own. */
	if (req->mime != NULL || req->body_len > UPLOAD_FRESH_BYTES)
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	set_body(c, req, req->method ? req->method : "GET");
}

/*
 * Did a transfer that had begun break off (the peer went away)? Then how
 * far it got, into buf: "1048576 of 2097152 bytes sent".
 */
static int
broke_after(CURL *c, CURLcode rc, char *buf, size_t n)
{
	curl_off_t up = 0, down = 0, total = -1;

	if (rc != CURLE_SEND_ERROR && rc != CURLE_RECV_ERROR &&
	    rc != CURLE_PARTIAL_FILE && rc != CURLE_GOT_NOTHING)
		return 0;
	curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &down);
	if (up > 0) {
		curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_UPLOAD_T, &total);
		if (total > 0)
			snprintf(buf, n, "%lld of %lld bytes sent",
			    (long long)up, (long long)total);
		else
			snprintf(buf, n, "%lld bytes sent", (long long)up);
		return 1;
	}
	if (down > 0) {
		snprintf(buf, n, "%lld bytes received", (long long)down);
		return 1;
	}
	return 0;
}

/*
 * Fill err for a transfer curl could not complete: the system's reason
 * when connecting failed ("cannot connect: connection refused"), curl's
 * own message otherwise.
 */
static void
transfer_failure(CURL *c, CURLcode rc, const char *curlerr,
    const char *what, const char *base, struct osb_error *err)
{
	char reason[128], moved[64];
	long os_errno = 0;

	if (rc == CURLE_COULDNT_CONNECT &&
	    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK &&
	    os_errno != 0) {
		strlcpy(reason, strerror((int)os_errno), sizeof(reason));
		reason[0] = (char)tolower((unsigned char)reason[0]);
		osb_error_set(err, 0, "", "%s: cannot connect: %s (%s)", what,
		    reason, base);
	} else if (broke_after(c, rc, moved, sizeof(moved)))
		osb_error_set(err, 0, "", "%s: the transfer broke after %s: "
		    "%s (%s)", what, moved, curlerr[0] ? curlerr :
		    curl_easy_strerror(rc), base);
	else
		osb_error_set(err, 0, "", "%s: %s (%s)", what,
		    curlerr[0] ? curlerr : curl_easy_strerror(rc), base);
}

/* Turn the outcome of a transfer into 0, or -1 with err filled. */
static int
transfer_result(const struct osb_endpoint *ep, const struct transfer *t,
    CURL *c, CURLcode rc, const char *curlerr, struct osb_error *err)
{
	const struct osb_http_req *req = t->req;
	const char *what = req->what ? req->what : req->path;

	if (t->sink_failed) {
		osb_error_set(err, 0, "", "%s: stopped by the receiver", what);
		return -1;
	}
	if (t->cancelled) {
		osb_error_set(err, 0, "", "%s: interrupted", what);
		return -1;
	}
	if (t->gave_up) {
		osb_error_set(err, 0, "", "%s: no reply within %ld s (%s)", what,
		    req->reply_wait_s, ep->unix_socket[0] ? ep->unix_socket :
		    ep->base);
		return -1;
	}
	if (rc != CURLE_OK) {
		transfer_failure(c, rc, curlerr, what, ep->unix_socket[0] ?
		    ep->unix_socket : ep->base, err);
		return -1;
	}
	if (t->reply->status < 200 || t->reply->status > 299) {
		error_from_reply(req, t->reply, err);
		return -1;
	}
	return 0;
}

/* One request; see http.h. */
int
osb_http_do(const struct osb_endpoint *ep, const struct osb_http_req *req,
    struct osb_http_reply *reply, struct osb_error *err)
{
	static int depth;
	struct osb_http_reply local = { 0 };
	struct transfer t = { 0 };
	struct curl_slist *headers = NULL;
	char *url = NULL, curlerr[CURL_ERROR_SIZE] = "";
	CURLcode code;
	CURL *c;
	int rc;

	if (reply == NULL)
		reply = &local;
	memset(reply, 0, sizeof(*reply));
	t.req = req;
	t.reply = reply;
	/*
	 * A request made from a callback of one in progress (an interrupt
	 * sent while a stream is read) gets a handle of its own.
	 */
	c = depth > 0 ? curl_easy_init() : handle();
	/* The URL as long as it is: a cut one would name other files. */
	if (c == NULL || (headers = request_headers(ep, req)) == NULL ||
	    asprintf(&url, "%s%s", ep->base, req->path) < 0) {
		if (c != NULL && c != shared_handle)
			curl_easy_cleanup(c);
		curl_slist_free_all(headers);
		osb_error_set(err, 0, "", "%s: out of memory",
		    req->what ? req->what : req->path);
		return -1;
	}
	if (c == shared_handle)
		curl_easy_reset(c);
	setup_handle(c, ep, req, &t, headers, url, curlerr);
	depth++;
	code = curl_easy_perform(c);
	depth--;
	reply->body = t.body.data;
	reply->len = t.body.len;
	rc = transfer_result(ep, &t, c, code, curlerr, err);
	if (c != shared_handle)
		curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	free(url);
	if (rc < 0 || reply == &local)
		osb_http_reply_free(reply);
	return rc;
}

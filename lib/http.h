/*
 * http.h — the HTTP client under every API client: one libcurl handle reused
 * for the whole process, the endpoint's headers on every request, bodies
 * collected or streamed, and non-2xx replies turned into struct osb_error
 * from their {"code","message"} body.
 */
#ifndef OSB_HTTP_H
#define OSB_HTTP_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include <curl/curl.h>

#include "error.h"

/* Where requests go: a base URL and the headers every request carries. */
struct osb_endpoint {
	char base[1024];		/* "http://127.0.0.1:44772", no "/" */
	struct curl_slist *headers;	/* "Name: value" lines */
	long timeout_s;			/* whole request, 0: none (streams) */
	char unix_socket[108];		/* connect here instead, "" for TCP */
};

/*
 * Fill ep from a URL (scheme optional: http:// is assumed). A URL
 * "unix:///path/to/socket" means HTTP over that unix socket (an execd
 * in a sandbox with no network of its own).
 */
int osb_endpoint_init(struct osb_endpoint *, const char *url,
    struct osb_error *);
int osb_endpoint_add_header(struct osb_endpoint *, const char *name,
    const char *value);
void osb_endpoint_free(struct osb_endpoint *);

/* A body piece arrives; return 0 to go on, -1 to abort the transfer. */
typedef int (*osb_http_sink)(const char *data, size_t len, void *arg);

struct osb_http_req {
	const char *method;		/* "GET" when NULL */
	const char *path;		/* "/files/info?path=%2Fx", escaped */
	const char *content_type;	/* of body */
	const void *body;
	size_t body_len;
	curl_mime *mime;		/* multipart body instead of body */
	const char *const *headers;	/* extra "Name: value", NULL-ended */
	osb_http_sink sink;		/* stream a 2xx body here */
	void *sink_arg;
	/* Called once the status and headers of a 2xx reply are in, before
	 * any body: lets a caller see Content-Range before bytes arrive. */
	int (*on_headers)(long status, void *arg);
	/* Called as bytes move (upload or download, whichever is larger). */
	void (*progress)(int64_t done, int64_t total, void *arg);
	void *progress_arg;
	/* For a request with no overall timeout (a stream): give up when
	 * no reply has begun after this many seconds (0: wait), or when
	 * *cancel becomes nonzero (checked as the transfer waits). */
	long reply_wait_s;
	const volatile sig_atomic_t *cancel;
	const char *what;		/* "upload /x" for error messages */
};

struct osb_http_reply {
	long status;
	char *body;		/* collected unless streamed; NUL-ended */
	size_t len;
	struct curl_slist *headers;	/* reply header lines, trimmed */
};

/*
 * Do one request. Returns 0 on a 2xx reply; -1 otherwise with err filled
 * ("what: connection refused (http://...)", or the server's message and
 * code with its status) and reply left empty. reply may be NULL when the
 * caller needs nothing. A callback of a request in progress may make a
 * request of its own (it goes on a connection of its own).
 */
int osb_http_do(const struct osb_endpoint *, const struct osb_http_req *,
    struct osb_http_reply *, struct osb_error *);
/*
 * Fill err for a reply of status with body text (len bytes) to what: the
 * server's {"code", "message"} when it sent one.
 */
void osb_http_error_from_body(long status, const char *text, size_t len,
    const char *what, struct osb_error *);
/* The value of reply header NAME (case-insensitive), or NULL. */
const char *osb_http_reply_header(const struct osb_http_reply *,
    const char *name);
void osb_http_reply_free(struct osb_http_reply *);

/* A multipart body for osb_http_req.mime; free with curl_mime_free. */
curl_mime *osb_http_mime_new(void);

/* Percent-encode s for a query value; caller frees. */
char *osb_http_escape(const char *s);

/* Trace every request on stderr (-v). */
extern int osb_http_verbose;

#endif

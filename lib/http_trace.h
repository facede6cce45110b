/*
 * http_trace.h — the -v trace of HTTP requests: libcurl's debug output
 * ("* " notes, "> " request and "< " reply headers) with the values of
 * secret headers (execd token, API key, credentials) replaced by
 * "[redacted]", and without curl's alarm when the reader stopped a
 * stream on purpose.
 */
#ifndef OSB_HTTP_TRACE_H
#define OSB_HTTP_TRACE_H

#include <stddef.h>

#include <curl/curl.h>

/* What the trace of one transfer needs to know. */
struct osb_http_trace {
	const int *stopped;	/* nonzero once our reader ended the body */
};

/* A CURLOPT_DEBUGFUNCTION; CURLOPT_DEBUGDATA is a struct osb_http_trace. */
int osb_http_trace(CURL *, curl_infotype, char *data, size_t len,
    void *arg);
/* Is the header line (Name: value) one whose value is a secret? */
int osb_http_secret_header(const char *line, size_t len);

#endif

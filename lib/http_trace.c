/*
 * http_trace.c — libcurl's debug output as the -v trace, secrets
 * redacted (see http_trace.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http_trace.h"
#include "output.h"

/* Headers whose values are credentials. */
static const char *const secret_headers[] = {
	"X-EXECD-ACCESS-TOKEN", "OPEN-SANDBOX-API-KEY", "Authorization",
	"Proxy-Authorization", "Cookie", "Set-Cookie"
};

int
osb_http_secret_header(const char *line, size_t len)
{
	size_t i, n;

	for (i = 0; i < sizeof(secret_headers) / sizeof(*secret_headers);
	    i++) {
		n = strlen(secret_headers[i]);
		if (len > n && line[n] == ':' &&
		    strncasecmp(line, secret_headers[i], n) == 0)
			return 1;
	}
	return 0;
}

/* One line of the trace, its end (CR, LF) dropped. */
static void
trace_line(char mark, const char *line, size_t len)
{
	const char *colon;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (mark != '*' && osb_http_secret_header(line, len)) {
		colon = memchr(line, ':', len);
		osb_print_trace(mark, line, (size_t)(colon - line) + 1,
		    " [redacted]");
		return;
	}
	osb_print_trace(mark, line, len, "");
}

/* Each line of a block of headers or notes. */
static void
trace_block(char mark, const char *data, size_t len)
{
	const char *nl;
	size_t n;

	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl ? (size_t)(nl - data) + 1 : len;
		if (n > 2 || (data[0] != '\r' && data[0] != '\n'))
			trace_line(mark, data, n);
		data += n;
		len -= n;
	}
}

int
osb_http_trace(CURL *c, curl_infotype type, char *data, size_t len,
    void *arg)
{
	const struct osb_http_trace *t = arg;

	(void)c;
	switch (type) {
	case CURLINFO_TEXT:
		/* Our reader ends a stream at its last event, and curl
		 * says "Failure writing output" or "Failed reading the
		 * chunked-encoded stream": not a fault. */
		if (t->stopped && *t->stopped && strncmp(data, "Fail", 4) == 0)
			return 0;
		trace_block('*', data, len);
		break;
	case CURLINFO_HEADER_OUT:
		trace_block('>', data, len);
		break;
	case CURLINFO_HEADER_IN:
		trace_block('<', data, len);
		break;
	default:
		break;
	}
	return 0;
}

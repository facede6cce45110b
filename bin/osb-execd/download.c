/*
 * download.c — GET /files/download?path=...: the file straight from disk
 * (libmicrohttpd sends it with sendfile), whole or the first range of a
 * Range: bytes=... header, as the Go execd serves it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "file_util.h"

/* A decimal number of digits only; -1 when s is not one. */
static long long
range_number(const char *s, size_t len)
{
	long long v = 0;
	size_t i;

	if (len == 0 || len > 18)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * One range spec ("a-b", "a-", "-n", spaces around allowed) against size:
 * 1 with *start and *len when satisfiable, 0 when it lies past the end,
 * -1 when malformed.
 */
static int
range_spec(const char *s, size_t n, long long size, long long *start,
    long long *len)
{
	const char *dash = memchr(s, '-', n);
	long long a, b;
	size_t alen, blen;

	if (dash == NULL)
		return -1;
	alen = (size_t)(dash - s);
	blen = n - alen - 1;
	while (alen > 0 && s[alen - 1] == ' ')
		alen--;
	for (dash++; blen > 0 && *dash == ' '; blen--)
		dash++;
	if (alen == 0) {			/* "-n": the last n bytes */
		if ((b = range_number(dash, blen)) < 0)
			return -1;
		*start = size - (b < size ? b : size);
		*len = size - *start;
	} else {
		if ((a = range_number(s, alen)) < 0)
			return -1;
		*start = a;
		*len = size - a;
		if (blen > 0) {
			if ((b = range_number(dash, blen)) < 0 || b < a)
				return -1;
			*len = b - a + 1;
		}
	}
	if (*start >= size)
		return 0;
	if (*start + *len > size)
		*len = size - *start;
	return 1;
}

/*
 * Parse a Range header: 0 with the first satisfiable range, -1 when it is
 * malformed or nothing in it is satisfiable. Later ranges are checked
 * but not served: the reply holds one range, as Go's does.
 */
static int
parse_range(const char *header, long long size, long long *start,
    long long *len)
{
	const char *p, *end;
	long long s, l;
	int found = 0, rc;
	size_t n;

	if (strncmp(header, "bytes=", 6) != 0)
		return -1;
	for (p = header + 6; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",");
		while (p < end && *p == ' ')
			p++;
		if ((n = (size_t)(end - p)) == 0)
			continue;
		if ((rc = range_spec(p, n, size, &s, &l)) < 0)
			return -1;
		if (rc == 1 && !found) {
			*start = s;
			*len = l;
			found = 1;
		}
	}
	return found ? 0 : -1;
}

/* RFC 5987 attr-char: what filename*= may carry unescaped. */
static int
attr_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!#$&+-.^_`|~", c) != NULL;
}

/*
 * Content-Disposition for name: plain when it is printable ASCII, else
 * percent-encoded both as the fallback and as RFC 5987 filename*.
 */
static void
disposition(const char *name, char *buf, size_t len)
{
	char enc[3 * 256 + 1];
	const unsigned char *p;
	size_t n = 0;
	int plain = 1;

	for (p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			plain = 0;
	if (plain) {
		snprintf(buf, len, "attachment; filename=\"%s\"", name);
		return;
	}
	for (p = (const unsigned char *)name; *p && n + 4 < sizeof(enc); p++) {
		if (attr_char(*p))
			enc[n++] = (char)*p;
		else
			n += (size_t)snprintf(enc + n, 4, "%%%02X", *p);
	}
	enc[n] = '\0';
	snprintf(buf, len, "attachment; filename=\"%s\"; filename*=UTF-8''%s",
	    enc, enc);
}

/* 416: a JSON error, and a Content-Range that gives the size. */
static int
reply_unsatisfiable(struct osb_req *req, const char *path, long long size,
    const char *range)
{
	struct MHD_Response *r;
	char crange[64];

	r = osb_response_error("INVALID_RANGE",
	    "download %s: range %s not satisfiable (size %lld)", path, range,
	    size);
	if (r == NULL)
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	snprintf(crange, sizeof(crange), "bytes */%lld", size);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, crange);
	return osb_reply_response(req, 416, r);
}

/* Headers every file reply carries. */
static void
add_file_headers(struct MHD_Response *r, const char *path,
    const struct stat *st)
{
	char buf[2048];
	struct tm tm;

	disposition(strrchr(path, '/') + 1, buf, sizeof(buf));
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/octet-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, buf);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	gmtime_r(&st->st_mtime, &tm);
	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, buf);
}

/* Serve the open regular file fd (which the response takes over). */
static int
send_file(struct osb_req *req, const char *path, int fd,
    const struct stat *st)
{
	const char *range = osb_req_header(req, MHD_HTTP_HEADER_RANGE);
	long long size = st->st_size, start = 0, len = size;
	struct MHD_Response *r;
	char crange[96];

	if (range && parse_range(range, size, &start, &len) < 0) {
		close(fd);
		return reply_unsatisfiable(req, path, size, range);
	}
	r = MHD_create_response_from_fd_at_offset64((uint64_t)len, fd,
	    (uint64_t)start);
	if (r == NULL) {
		close(fd);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "download %s: out of memory", path);
	}
	add_file_headers(r, path, st);
	if (range == NULL)
		return osb_reply_response(req, 200, r);
	snprintf(crange, sizeof(crange), "bytes %lld-%lld/%lld", start,
	    start + len - 1, size);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, crange);
	return osb_reply_response(req, 206, r);
}

/* Serve path= whole or ranged, or reply why not. */
int
files_download(struct osb_req *req)
{
	const char *q = osb_req_query(req, "path");
	struct stat st;
	char *path;
	int fd, rc;

	if (q == NULL || *q == '\0')
		return osb_reply_error(req, 400, OSB_E_MISSING,
		    "missing query parameter 'path'");
	if ((path = file_path(req, q)) == NULL)
		return 0;
	/* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = file_reply_errno(req, errno, "open", path);
		if (fd >= 0)
			close(fd);
	} else if (!S_ISREG(st.st_mode)) {
		rc = osb_reply_error(req, 400, OSB_E_INVALID,
		    "download %s: %s", path, S_ISDIR(st.st_mode) ?
		    "is a directory" : "not a regular file");
		close(fd);
	} else
		rc = send_file(req, path, fd, &st);
	free(path);
	return rc;
}

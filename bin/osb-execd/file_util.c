/*
 * file_util.c — paths as the API takes them, errno replies, directories
 * made on the way, temp files and buffered writes for the file and
 * directory endpoints.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "expand.h"
#include "file_util.h"
#include "util.h"

/* Rewrite an absolute path in place without ".", ".." and empty segments. */
static void
clean_path(char *path)
{
	char *out = path + 1, *in = path, *slash;
	size_t seg;

	while (*in) {
		while (*in == '/')
			in++;
		if ((seg = strcspn(in, "/")) == 0)
			break;
		if (seg == 1 && in[0] == '.') {
			in++;
			continue;
		}
		if (seg == 2 && in[0] == '.' && in[1] == '.') {
			for (slash = out - 1; slash > path && *slash != '/';
			    slash--)
				;
			out = slash == path ? path + 1 : slash;
			in += 2;
			continue;
		}
		if (out > path + 1)
			*out++ = '/';
		memmove(out, in, seg);
		out += seg;
		in += seg;
	}
	*out = '\0';
}

/* $HOME, or the user's home from the password file, or "/". */
static const char *
home_dir(char *buf, size_t len)
{
	const char *home = getenv("HOME");
	struct passwd pw, *found = NULL;
	char pwbuf[4096];

	if (home && *home)
		return home;
	if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &found) == 0 &&
	    found && found->pw_dir && *found->pw_dir) {
		strlcpy(buf, found->pw_dir, len);
		return buf;
	}
	return "/";
}

/* Replace the first skip bytes of t's text with base and a slash. */
static int
put_before(struct osb_buf *t, const char *base, size_t skip)
{
	struct osb_buf out = { 0 };
	int rc = 0;

	if (osb_buf_append(&out, base, strlen(base)) < 0 ||
	    osb_buf_append(&out, "/", 1) < 0 ||
	    osb_buf_append(&out, t->data + skip, t->len - skip) < 0)
		rc = -1;
	osb_buf_free(t);
	*t = out;
	return rc;
}

/* Expand a leading "~", then put the working directory before a relative
 * path. Returns 0, or -1 with errno set. */
static int
make_absolute(struct osb_buf *t)
{
	char dir[PATH_MAX];

	if (strcmp(t->data, "~") == 0 || strncmp(t->data, "~/", 2) == 0)
		if (put_before(t, home_dir(dir, sizeof(dir)), 1) < 0)
			return -1;
	if (t->data[0] == '/')
		return 0;
	if (getcwd(dir, sizeof(dir)) == NULL)
		return -1;
	return put_before(t, dir, 0);
}

/* Expand, make absolute and clean path; NULL after a reply. */
char *
file_path(struct osb_req *req, const char *path)
{
	struct osb_buf t = { 0 };
	char undef[256];
	int rc;

	if (path == NULL || *path == '\0') {
		osb_reply_error(req, 400, OSB_E_INVALID, "empty path");
		return NULL;
	}
	rc = expand_vars(path, environ, &t, undef, sizeof(undef));
	if (rc == 1) {
		osb_reply_error(req, 400, OSB_E_INVALID,
		    "%s: undefined environment variable %s", path, undef);
		osb_buf_free(&t);
		return NULL;
	}
	if (rc < 0 || make_absolute(&t) < 0) {
		osb_reply_error(req, 500, OSB_E_RUNTIME, "%s: %s", path,
		    strerror(errno));
		osb_buf_free(&t);
		return NULL;
	}
	clean_path(t.data);
	return t.data;
}

/* The path= arguments; NULL after a reply when there are none. */
static const char **
query_paths(struct osb_req *req, size_t *n)
{
	const char **paths = osb_req_query_all(req, "path", n);

	if (paths == NULL) {
		osb_reply_error(req, 500, OSB_E_RUNTIME, "out of memory");
		return NULL;
	}
	if (*n == 0) {
		free(paths);
		osb_reply_error(req, 400, OSB_E_MISSING,
		    "missing query parameter 'path'");
		return NULL;
	}
	return paths;
}

/* fn for each path= argument; see file_util.h. */
int
file_each_path(struct osb_req *req, file_path_fn fn, void *arg)
{
	const char **paths;
	size_t n, i;
	char *abs;

	if ((paths = query_paths(req, &n)) == NULL)
		return -1;
	for (i = 0; i < n && !req->replied; i++) {
		if ((abs = file_path(req, paths[i])) == NULL)
			break;
		fn(req, paths[i], abs, arg);
		free(abs);
	}
	free(paths);
	return req->replied ? -1 : 0;
}

/* strerror(3) into buf, its first letter lowercased, as error messages
 * want it. */
static const char *
lowercase_strerror(int errnum, char *buf, size_t len)
{
	const char *s = strerror_r(errnum, buf, len);

	if (s != buf)
		strlcpy(buf, s, len);
	if (isupper((unsigned char)buf[0]) && islower((unsigned char)buf[1]))
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

/* 404 for a missing path, 500 for anything else. A path too long for
 * the message loses its middle, so that the reason still shows. */
int
file_reply_errno(struct osb_req *req, int errnum, const char *op,
    const char *path)
{
	char reason[128], shown[768];
	size_t len = strlen(path);

	lowercase_strerror(errnum, reason, sizeof(reason));
	if (len >= sizeof(shown))
		snprintf(shown, sizeof(shown), "%.380s...%s", path,
		    path + len - 380);
	else
		strlcpy(shown, path, sizeof(shown));
	if (errnum == ENOENT)
		return osb_reply_error(req, 404, OSB_E_NOTFOUND, "%s %s: %s",
		    op, shown, reason);
	return osb_reply_error(req, 500, OSB_E_RUNTIME, "%s %s: %s", op,
	    shown, reason);
}

/* The JSON object body; NULL after a 400 reply. */
json_t *
file_body_object(struct osb_req *req, const char *what)
{
	json_t *body = osb_req_json(req);

	if (body != NULL && !json_is_object(body)) {
		osb_reply_error(req, 400, OSB_E_INVALID,
		    "error parsing request: body must be an object of %s",
		    what);
		json_decref(body);
		return NULL;
	}
	return body;
}

/* mkdir that is happy when a directory (or a link to one) is there. */
static int
mkdir_once(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* mkdir -p path; -1 with errno set. */
int
file_mkdirs(const char *path, mode_t mode)
{
	char *copy, *p;
	int rc = 0;

	if (mkdir_once(path, mode) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	if ((copy = strdup(path)) == NULL)
		return -1;
	for (p = strchr(copy + 1, '/'); p && rc == 0; p = strchr(p + 1, '/')) {
		*p = '\0';
		rc = mkdir_once(copy, mode);
		*p = '/';
	}
	free(copy);
	return rc < 0 ? -1 : mkdir_once(path, mode);
}

/* mkostemp(3) next to target; -1 with errno set. */
int
file_tmp_create(const char *target, char **tmp_path)
{
	const char *slash = strrchr(target, '/');
	size_t dirlen = slash ? (size_t)(slash - target) : 0;

	return file_tmp_create_in(target, dirlen, target, tmp_path);
}

/* mkostemp(3) in the first dirlen bytes of dir, named for target's last
 * component; -1 with errno set. */
int
file_tmp_create_in(const char *dir, size_t dirlen, const char *target,
    char **tmp_path)
{
	const char *slash = strrchr(target, '/');
	const char *base = slash ? slash + 1 : target;
	int fd;

	/* ".NAME.osb-XXXXXX", short enough for NAME_MAX whatever NAME is. */
	if (asprintf(tmp_path, "%.*s/.%.200s.osb-XXXXXX", (int)dirlen, dir,
	    base) < 0) {
		*tmp_path = NULL;
		return -1;
	}
	if ((fd = mkostemp(*tmp_path, O_CLOEXEC)) < 0) {
		free(*tmp_path);
		*tmp_path = NULL;
	}
	return fd;
}

/* Allocate the sink's buffer; -1 when out of memory. */
int
file_sink_init(struct file_sink *s, int fd, size_t cap)
{
	s->fd = fd;
	s->len = 0;
	s->cap = cap;
	return (s->buf = malloc(cap)) == NULL ? -1 : 0;
}

/* Write out and empty the buffer; -1 with errno set. */
int
file_sink_flush(struct file_sink *s)
{
	size_t len = s->len;

	s->len = 0;
	return osb_write_all(s->fd, s->buf, len);
}

/* Buffer data, writing out whenever the buffer fills. */
int
file_sink_put(struct file_sink *s, const char *data, size_t len)
{
	if (s->len + len > s->cap) {
		if (file_sink_flush(s) < 0)
			return -1;
		/* Big pieces go straight out: copying them buys nothing. */
		if (len >= s->cap / 2)
			return osb_write_all(s->fd, data, len);
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	return 0;
}

/* Drop the buffer and whatever it holds. */
void
file_sink_free(struct file_sink *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = 0;
}

/* A JSON string of name, repaired to UTF-8; NULL when out of memory. */
json_t *
file_name_json(const char *name)
{
	json_t *s;
	size_t len;
	char *text;

	if ((text = osb_utf8_repair(name, strlen(name), &len)) == NULL)
		return NULL;
	s = json_stringn(text, len);
	free(text);
	return s;
}

/* obj[name] = value (stolen) under the repaired name; 0, or -1. */
int
file_name_set(json_t *obj, const char *name, json_t *value)
{
	char *key;
	size_t len;
	int rc;

	if ((key = osb_utf8_repair(name, strlen(name), &len)) == NULL) {
		json_decref(value);
		return -1;
	}
	rc = json_object_set_new(obj, key, value);
	free(key);
	return rc;
}

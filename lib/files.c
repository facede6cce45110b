/*
 * files.c — the execd file endpoints. Most calls are a query string or a
 * small JSON document; uploads are multipart bodies whose file parts curl
 * pulls from their sources as it sends, and downloads go from curl's
 * buffer straight to a descriptor, so no file is ever held in memory.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "files.h"
#include "util.h"

/* Where one upload's bytes come from while curl sends them. */
struct upload_src {
	const struct osb_upload *up;
	int fd;			/* -1 until a local file is opened */
	int owned;		/* fd was opened here */
	off_t start;		/* where the content begins in fd */
	int64_t done;		/* bytes handed to curl */
	char failure[160];	/* why reading stopped, "" if it did not */
};

/* What a download writes into. */
struct download {
	int fd;
	int64_t offset;
	int error;		/* errno of a failed write */
	osb_files_progress progress;
	void *arg;
};

/* What a call is about, for its error messages. */
struct about {
	char what[1200];	/* "rm /a and 2 more" */
	const char *path;	/* a 404 says this path ... */
	const char *noun;	/* ... is no such noun; NULL: as the server said */
};

/*
 * a for op on the n paths (only the first is named: "rm /a and 2 more"),
 * a 404 naming the first as no such noun.
 */
static void
describe(struct about *a, const char *op, const char *const *paths, size_t n,
    const char *noun)
{
	a->path = n ? paths[0] : "";
	a->noun = noun;
	if (n > 1)
		snprintf(a->what, sizeof(a->what), "%s %s and %zu more", op,
		    a->path, n - 1);
	else
		snprintf(a->what, sizeof(a->what), "%s %s", op, a->path);
}

/*
 * A 404 names the missing path the way cat(1) would ("/x: no such file"),
 * keeping the server's status and code.
 */
static void
name_missing(struct osb_error *err, const struct about *a)
{
	struct osb_error was;

	if (err == NULL || err->status != 404 || a->noun == NULL)
		return;
	was = *err;
	osb_error_set(err, 404, was.code, "%s: no such %s", a->path, a->noun);
}

/* "what: out of memory". Returns -1. */
static int
out_of_memory(const struct about *a, struct osb_error *err)
{
	osb_error_set(err, 0, "", "%s: out of memory", a->what);
	return -1;
}

/*
 * Can text s (NULL: none) go in a JSON body? Returns 0, or -1 with err
 * naming it: JSON holds only UTF-8, and jansson's refusal would otherwise
 * read as "out of memory".
 */
static int
check_text(const struct about *a, const char *s, struct osb_error *err)
{
	if (s == NULL || osb_utf8_valid(s))
		return 0;
	if (strcmp(s, a->path) == 0)
		osb_error_set(err, 0, "", "%s: the path is not valid UTF-8, "
		    "which the API cannot carry", a->what);
	else
		osb_error_set(err, 0, "", "%s: '%s' is not valid UTF-8, which "
		    "the API cannot carry", a->what, s);
	return -1;
}

/* check_text() of the n paths and of perm's names (perm may be NULL). */
static int
check_texts(const struct about *a, const char *const *paths, size_t n,
    const struct osb_file_perm *perm, struct osb_error *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (check_text(a, paths[i], err) < 0)
			return -1;
	if (perm != NULL && (check_text(a, perm->owner, err) < 0 ||
	    check_text(a, perm->group, err) < 0))
		return -1;
	return 0;
}

/* Permission bits 0755 as the API writes them: the number 755. */
static json_int_t
api_mode(unsigned mode)
{
	json_int_t v = 0, place = 1;

	for (; mode != 0; mode >>= 3, place *= 10)
		v += (json_int_t)(mode & 7) * place;
	return v;
}

/* The API's Permission object for perm; NULL when out of memory. */
static json_t *
perm_json(const struct osb_file_perm *perm)
{
	json_t *o = json_pack("{s:I}", "mode", api_mode(perm->mode));

	if (o != NULL && perm->owner != NULL &&
	    json_object_set_new(o, "owner", json_string(perm->owner)) < 0)
		goto fail;
	if (o != NULL && perm->group != NULL &&
	    json_object_set_new(o, "group", json_string(perm->group)) < 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* "?name=value" (sep '?') or "&name=value" into f, value escaped. */
static int
put_param(FILE *f, char sep, const char *name, const char *value)
{
	char *e;

	if ((e = osb_http_escape(value)) == NULL)
		return -1;
	fprintf(f, "%c%s=%s", sep, name, e);
	free(e);
	return 0;
}

/*
 * base + "?path=p1&path=p2...", then "&name=value" when value is set.
 * Returns malloc'd text, NULL when out of memory.
 */
static char *
query_path(const char *base, const char *const *paths, size_t n,
    const char *name, const char *value)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;
	int ok;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	fputs(base, f);
	for (i = 0; i < n && put_param(f, i ? '&' : '?', "path",
	    paths[i]) == 0; i++)
		;
	ok = i == n && (value == NULL || put_param(f, '&', name, value) == 0);
	if (fclose(f) != 0 || !ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * The reply body as JSON of the expected type (an object or an array).
 * An empty body or null, which servers send for "nothing to say", reads
 * as an empty document of that type. Returns NULL with err set otherwise.
 */
static json_t *
parse_reply(const struct osb_http_reply *reply, json_type type,
    const char *what, struct osb_error *err)
{
	json_error_t jerr;
	json_t *doc;

	if (reply->len == 0 || reply->body == NULL)
		doc = json_null();
	else if ((doc = json_loadb(reply->body, reply->len, JSON_DECODE_ANY,
	    &jerr)) == NULL) {
		osb_error_set(err, reply->status, "",
		    "%s: bad reply from server: %s", what, jerr.text);
		return NULL;
	}
	if (json_is_null(doc))
		return type == JSON_ARRAY ? json_array() : json_object();
	if (json_typeof(doc) != type) {
		osb_error_set(err, reply->status, "",
		    "%s: bad reply from server: not an %s", what,
		    type == JSON_ARRAY ? "array" : "object");
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/*
 * One request with an optional JSON text body; when out is set, the reply
 * is parsed into it as a document of type. Returns 0, or -1 with err set.
 */
static int
call(const struct osb_endpoint *ep, const char *method, const char *path,
    const char *text, json_t **out, json_type type, const struct about *a,
    struct osb_error *err)
{
	struct osb_http_req req = { 0 };
	struct osb_http_reply reply = { 0 };
	int rc = -1;

	req.method = method;
	req.path = path;
	req.what = a->what;
	if (text != NULL) {
		req.body = text;
		req.body_len = strlen(text);
		req.content_type = "application/json";
	}
	if (osb_http_do(ep, &req, &reply, err) == 0) {
		rc = 0;
		if (out != NULL &&
		    (*out = parse_reply(&reply, type, a->what, err)) == NULL)
			rc = -1;
	} else
		name_missing(err, a);
	osb_http_reply_free(&reply);
	return rc;
}

/*
 * call() without a body, to path (malloc'd, taken; NULL when building it
 * ran out of memory).
 */
static int
ask(const struct osb_endpoint *ep, const char *method, char *path,
    json_t **out, json_type type, const struct about *a,
    struct osb_error *err)
{
	int rc;

	if (path == NULL)
		return out_of_memory(a, err);
	rc = call(ep, method, path, NULL, out, type, a, err);
	free(path);
	return rc;
}

/*
 * call() to POST body (taken; NULL when building it ran out of memory) to
 * path.
 */
static int
post(const struct osb_endpoint *ep, const char *path, json_t *body,
    json_t **out, json_type type, const struct about *a,
    struct osb_error *err)
{
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	int rc;

	json_decref(body);
	if (text == NULL)
		return out_of_memory(a, err);
	rc = call(ep, "POST", path, text, out, type, a, err);
	free(text);
	return rc;
}

/*
 * The one FileInfo in a {path: FileInfo} reply: the entry under path, or
 * the only entry when the server keyed it differently (an expanded path).
 */
static json_t *
info_entry(json_t *info, const char *path)
{
	json_t *v = json_object_get(info, path);

	if (v == NULL && json_object_size(info) == 1)
		v = json_object_iter_value(json_object_iter(info));
	return json_is_object(v) ? v : NULL;
}

int
osb_files_stat(const struct osb_endpoint *ep, const char *path,
    json_t **fileinfo, struct osb_error *err)
{
	struct about a;
	json_t *info, *v;

	describe(&a, "stat", &path, 1, "file");
	if (ask(ep, "GET", query_path("/files/info", &path, 1, NULL, NULL),
	    &info, JSON_OBJECT, &a, err) < 0)
		return -1;
	if ((v = info_entry(info, path)) == NULL) {
		osb_error_set(err, 0, "", "%s: bad reply from server: "
		    "no entry for the path", a.what);
		json_decref(info);
		return -1;
	}
	*fileinfo = json_incref(v);
	json_decref(info);
	return 0;
}

/* Bytes of path query per request: well inside what servers and the
 * proxies before them take in a request line. */
#define QUERY_MAX	4000

/* How many of the n paths (one at least) go in one request's query. */
static size_t
batch_of(const char *const *paths, size_t n)
{
	size_t i, len = 0;
	const char *c;

	for (i = 0; i < n; i++) {
		len += sizeof("&path=") - 1;
		/* Escaped, a byte takes three unless it is unreserved. */
		for (c = paths[i]; *c != '\0'; c++)
			len += isalnum((unsigned char)*c) ||
			    strchr("-._~", *c) != NULL ? 1 : 3;
		if (i > 0 && len > QUERY_MAX)
			break;
	}
	return i;
}

/*
 * method on base?path=... for the n paths, in as many requests as keep
 * each URL short; with out set, the replies' objects merged into *out. A
 * 404 names the first path of its request as no such noun (NULL: as the
 * server said). Returns 0, or -1 with err set.
 */
static int
ask_paths(const struct osb_endpoint *ep, const char *method, const char *base,
    const char *op, const char *noun, const char *const *paths, size_t n,
    json_t **out, struct osb_error *err)
{
	struct about a;
	json_t *part;
	size_t i, k;

	describe(&a, op, paths, n, noun);
	if (out != NULL && (*out = json_object()) == NULL)
		return out_of_memory(&a, err);
	for (i = 0; i < n; i += k) {
		k = batch_of(paths + i, n - i);
		describe(&a, op, paths + i, k, noun);
		if (ask(ep, method, query_path(base, paths + i, k, NULL, NULL),
		    out ? &part : NULL, JSON_OBJECT, &a, err) < 0)
			goto fail;
		if (out != NULL && json_object_update(*out, part) < 0) {
			json_decref(part);
			out_of_memory(&a, err);
			goto fail;
		}
		if (out != NULL)
			json_decref(part);
	}
	return 0;
fail:
	if (out != NULL) {
		json_decref(*out);
		*out = NULL;
	}
	return -1;
}

int
osb_files_info(const struct osb_endpoint *ep, const char *const *paths,
    size_t n, json_t **info, struct osb_error *err)
{
	json_t *one;
	size_t i;

	if (ask_paths(ep, "GET", "/files/info", "stat", n == 1 ? "file" : NULL,
	    paths, n, info, err) == 0)
		return 0;
	if (err == NULL || err->status != 404 || n == 1)
		return -1;
	/* The server stops at the first missing path without naming it
	 * reliably: ask for each to say which. */
	for (i = 0; i < n; i++) {
		if (osb_files_stat(ep, paths[i], &one, err) < 0)
			return -1;
		json_decref(one);
	}
	return -1;
}

int
osb_files_rm(const struct osb_endpoint *ep, const char *const *paths,
    size_t n, struct osb_error *err)
{
	return ask_paths(ep, "DELETE", "/files", "rm", "file", paths, n, NULL,
	    err);
}

int
osb_files_rmdir(const struct osb_endpoint *ep, const char *const *paths,
    size_t n, struct osb_error *err)
{
	return ask_paths(ep, "DELETE", "/directories", "rmdir", "directory",
	    paths, n, NULL, err);
}

/* {path: perm} for each path; NULL when out of memory. */
static json_t *
perm_map(const char *const *paths, size_t n, const struct osb_file_perm *perm)
{
	json_t *map = json_object();
	size_t i;

	for (i = 0; map != NULL && i < n; i++)
		if (json_object_set_new(map, paths[i], perm_json(perm)) < 0) {
			json_decref(map);
			map = NULL;
		}
	return map;
}

int
osb_files_chmod(const struct osb_endpoint *ep, const char *const *paths,
    size_t n, const struct osb_file_perm *perm, struct osb_error *err)
{
	struct about a;

	describe(&a, "chmod", paths, n, "file");
	if (check_texts(&a, paths, n, perm, err) < 0)
		return -1;
	return post(ep, "/files/permissions", perm_map(paths, n, perm), NULL,
	    JSON_OBJECT, &a, err);
}

int
osb_files_mkdir(const struct osb_endpoint *ep, const char *const *paths,
    size_t n, const struct osb_file_perm *perm, struct osb_error *err)
{
	struct about a;

	describe(&a, "mkdir", paths, n, NULL);
	if (check_texts(&a, paths, n, perm, err) < 0)
		return -1;
	return post(ep, "/directories", perm_map(paths, n, perm), NULL,
	    JSON_OBJECT, &a, err);
}

int
osb_files_mv(const struct osb_endpoint *ep, const char *src,
    const char *dest, struct osb_error *err)
{
	struct about a;

	describe(&a, "mv", &src, 1, "file");
	snprintf(a.what, sizeof(a.what), "mv %s %s", src, dest);
	if (check_text(&a, src, err) < 0 || check_text(&a, dest, err) < 0)
		return -1;
	return post(ep, "/files/mv", json_pack("[{s:s, s:s}]", "src", src,
	    "dest", dest), NULL, JSON_OBJECT, &a, err);
}

int
osb_files_search(const struct osb_endpoint *ep, const char *dir,
    const char *pattern, json_t **found, struct osb_error *err)
{
	struct about a;

	describe(&a, "search", &dir, 1, "directory");
	return ask(ep, "GET", query_path("/files/search", &dir, 1, "pattern",
	    pattern), found, JSON_ARRAY, &a, err);
}

int
osb_files_list(const struct osb_endpoint *ep, const char *dir, int depth,
    json_t **entries, struct osb_error *err)
{
	struct about a;
	char levels[16];

	describe(&a, "ls", &dir, 1, "directory");
	snprintf(levels, sizeof(levels), "%d", depth);
	return ask(ep, "GET", query_path("/directories/list", &dir, 1,
	    "depth", levels), entries, JSON_ARRAY, &a, err);
}

int
osb_files_replace(const struct osb_endpoint *ep, const char *const *paths,
    size_t n, const char *old, const char *new, json_t **counts,
    struct osb_error *err)
{
	json_t *body = json_object();
	struct about a;
	size_t i;

	describe(&a, "replace in", paths, n, "file");
	if (check_texts(&a, paths, n, NULL, err) < 0 ||
	    check_text(&a, old, err) < 0 || check_text(&a, new, err) < 0) {
		json_decref(body);
		return -1;
	}
	for (i = 0; body != NULL && i < n; i++)
		if (json_object_set_new(body, paths[i], json_pack("{s:s, s:s}",
		    "old", old, "new", new)) < 0) {
			json_decref(body);
			body = NULL;
		}
	return post(ep, "/files/replace?verbose=true", body, counts,
	    JSON_OBJECT, &a, err);
}

/* Open a local source on first use. Returns 0, -1 with s->failure set. */
static int
source_open(struct upload_src *s)
{
	if (s->fd >= 0)
		return 0;
	if ((s->fd = open(s->up->local, O_RDONLY | O_CLOEXEC)) < 0) {
		strlcpy(s->failure, strerror(errno), sizeof(s->failure));
		return -1;
	}
	s->owned = 1;
	s->start = 0;
	return 0;
}

/* Close a descriptor opened here; one handed in stays open. */
static void
source_close(struct upload_src *s)
{
	if (s->owned && s->fd >= 0)
		close(s->fd);
	if (s->owned)
		s->fd = -1;
}

/* curl wants up to size * nitems more bytes of this part. */
static size_t
upload_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload_src *s = arg;
	size_t want = size * nitems;
	ssize_t n;

	if (s->up->size >= 0 && (int64_t)want > s->up->size - s->done)
		want = (size_t)(s->up->size - s->done);
	if (want == 0)
		return 0;
	if (s->up->data != NULL) {
		memcpy(buf, (const char *)s->up->data + s->done, want);
		s->done += (int64_t)want;
		return want;
	}
	if (source_open(s) < 0)
		return CURL_READFUNC_ABORT;
	do
		n = read(s->fd, buf, want);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		strlcpy(s->failure, strerror(errno), sizeof(s->failure));
		return CURL_READFUNC_ABORT;
	}
	if (n == 0 && s->up->size >= 0) {
		/* The length went out in the headers: it cannot change now. */
		strlcpy(s->failure, "file shrank while being sent",
		    sizeof(s->failure));
		return CURL_READFUNC_ABORT;
	}
	s->done += n;
	/* Done with this file: keep one descriptor open at a time. */
	if (n == 0 || s->done == s->up->size)
		source_close(s);
	return (size_t)n;
}

/* curl rewinds a part (to resend it). */
static int
upload_seek(void *arg, curl_off_t offset, int origin)
{
	struct upload_src *s = arg;

	if (origin != SEEK_SET)
		return CURL_SEEKFUNC_CANTSEEK;
	if (s->up->data == NULL) {
		if (source_open(s) < 0)
			return CURL_SEEKFUNC_FAIL;
		if (s->start < 0 ||
		    lseek(s->fd, s->start + offset, SEEK_SET) < 0)
			return CURL_SEEKFUNC_CANTSEEK;
	}
	s->done = offset;
	return CURL_SEEKFUNC_OK;
}

/* curl is done with the part. */
static void
upload_free(void *arg)
{
	source_close(arg);
}

/* The metadata document of one upload: {"path", "mode", ...}. */
static char *
upload_metadata(const struct osb_upload *up)
{
	json_t *meta = perm_json(&up->perm);
	char *text = NULL;

	if (meta != NULL &&
	    json_object_set_new(meta, "path", json_string(up->remote)) == 0)
		text = json_dumps(meta, JSON_COMPACT);
	json_decref(meta);
	return text;
}

/*
 * Add the two parts the server reads for one file: "metadata" (a JSON
 * file part) then "file". Returns 0, -1 when out of memory.
 */
static int
add_upload_parts(curl_mime *mime, struct upload_src *s)
{
	const char *base = strrchr(s->up->remote, '/');
	curl_mimepart *part;
	char *meta;
	int rc = -1;

	base = base && base[1] ? base + 1 : s->up->remote;
	if ((meta = upload_metadata(s->up)) == NULL)
		return -1;
	if ((part = curl_mime_addpart(mime)) != NULL &&
	    curl_mime_name(part, "metadata") == CURLE_OK &&
	    curl_mime_filename(part, "metadata") == CURLE_OK &&
	    curl_mime_type(part, "application/json") == CURLE_OK &&
	    curl_mime_data(part, meta, CURL_ZERO_TERMINATED) == CURLE_OK &&
	    (part = curl_mime_addpart(mime)) != NULL &&
	    curl_mime_name(part, "file") == CURLE_OK &&
	    curl_mime_filename(part, base) == CURLE_OK &&
	    curl_mime_type(part, "application/octet-stream") == CURLE_OK &&
	    curl_mime_data_cb(part, s->up->size, upload_read, upload_seek,
	    upload_free, s) == CURLE_OK)
		rc = 0;
	free(meta);
	return rc;
}

/* Sources for the n uploads, descriptors not yet opened. */
static struct upload_src *
upload_sources(const struct osb_upload *ups, size_t n)
{
	struct upload_src *srcs = calloc(n ? n : 1, sizeof(*srcs));
	size_t i;

	for (i = 0; srcs != NULL && i < n; i++) {
		srcs[i].up = &ups[i];
		srcs[i].fd = ups[i].local ? -1 : ups[i].fd;
		srcs[i].start = srcs[i].fd >= 0 ?
		    lseek(srcs[i].fd, 0, SEEK_CUR) : -1;
	}
	return srcs;
}

/* After a failed upload: a local read problem explains it better. */
static void
upload_failure(const struct upload_src *srcs, size_t n, struct osb_error *err)
{
	const struct osb_upload *up;
	size_t i;

	for (i = 0; i < n; i++) {
		if (srcs[i].failure[0] == '\0')
			continue;
		up = srcs[i].up;
		if (up->local != NULL)
			osb_error_set(err, 0, "", "upload %s: %s", up->local,
			    srcs[i].failure);
		else
			osb_error_set(err, 0, "", "upload %s: reading: %s",
			    up->remote, srcs[i].failure);
		return;
	}
}

int
osb_files_upload(const struct osb_endpoint *ep, const struct osb_upload *ups,
    size_t n, osb_files_progress progress, void *arg, struct osb_error *err)
{
	struct osb_http_req req = { 0 };
	struct upload_src *srcs;
	curl_mime *mime = NULL;
	struct about a;
	size_t i;
	int rc = -1;

	describe(&a, "upload", n ? &ups[0].remote : NULL, n, NULL);
	for (i = 0; i < n; i++)
		if (check_texts(&a, &ups[i].remote, 1, &ups[i].perm, err) < 0)
			return -1;
	if ((srcs = upload_sources(ups, n)) == NULL ||
	    (mime = osb_http_mime_new()) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if (add_upload_parts(mime, &srcs[i]) < 0)
			goto oom;
	req.method = "POST";
	req.path = "/files/upload";
	req.mime = mime;
	req.progress = progress;
	req.progress_arg = arg;
	req.what = a.what;
	if ((rc = osb_http_do(ep, &req, NULL, err)) < 0)
		upload_failure(srcs, n, err);
	goto done;
oom:
	out_of_memory(&a, err);
done:
	curl_mime_free(mime);	/* closes what upload_free is given */
	free(srcs);
	return rc;
}

/*
 * The reply status is in: a 200 to a Range request means the server sends
 * the whole file after all, so start the output over.
 */
static int
download_headers(long status, void *arg)
{
	struct download *d = arg;

	if (status != 200 || d->offset == 0)
		return 0;
	if (ftruncate(d->fd, 0) < 0 || lseek(d->fd, 0, SEEK_SET) < 0) {
		d->error = errno;
		return -1;
	}
	d->offset = 0;
	return 0;
}

/* A piece of the file: all of it goes to the descriptor. */
static int
download_write(const char *data, size_t len, void *arg)
{
	struct download *d = arg;

	if (osb_write_all(d->fd, data, len) == -1) {
		d->error = errno;
		return -1;
	}
	return 0;
}

/* Progress of the whole file, counting what an earlier run fetched. */
static void
download_progress(int64_t done, int64_t total, void *arg)
{
	struct download *d = arg;

	d->progress(d->offset + done, total > 0 ? d->offset + total : -1,
	    d->arg);
}

int
osb_files_download(const struct osb_endpoint *ep, const char *path, int fd,
    int64_t offset, osb_files_progress progress, void *arg,
    struct osb_error *err)
{
	struct download d = { fd, offset, 0, progress, arg };
	struct osb_http_req req = { 0 };
	char range[64], *query;
	const char *headers[] = { range, NULL };
	struct about a;
	int rc;

	describe(&a, "download", &path, 1, "file");
	if ((query = query_path("/files/download", &path, 1, NULL,
	    NULL)) == NULL)
		return out_of_memory(&a, err);
	snprintf(range, sizeof(range), "Range: bytes=%lld-", (long long)offset);
	req.path = query;
	req.what = a.what;
	req.headers = offset > 0 ? headers : NULL;
	req.sink = download_write;
	req.sink_arg = &d;
	req.on_headers = download_headers;
	if (progress != NULL) {
		req.progress = download_progress;
		req.progress_arg = &d;
	}
	rc = osb_http_do(ep, &req, NULL, err);
	if (rc < 0 && d.error != 0)
		osb_error_set(err, 0, "", "%s: writing: %s", a.what,
		    strerror(d.error));
	else if (rc < 0)
		name_missing(err, &a);
	free(query);
	return rc;
}

/*
 * file_replace.c — POST /files/replace {path: {old, new}}: replace every
 * occurrence of old with new in each file. The file is streamed through a
 * temp file in its own directory that then takes its place, with the old
 * file's mode and owner, so a reader never sees half of it. With
 * ?verbose=true the reply counts the replacements: {path: {replacedCount}}.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_util.h"
#include "tmp_journal.h"

#define CHUNK (1024 * 1024)

struct edit {
	const char *old, *new;
	size_t old_len, new_len;
	long long count;
};

/*
 * Copy in to out replacing e->old with e->new, counting in e->count.
 * Reads in large chunks, keeping back a tail that may begin an occurrence.
 * Returns 0, or -1 with errno set.
 */
static int
copy_replacing(int in, struct file_sink *out, struct edit *e)
{
	size_t cap = CHUNK > 2 * e->old_len ? CHUNK : 2 * e->old_len;
	size_t keep = 0, avail, pos, tail;
	char *buf, *hit;
	ssize_t n;
	int rc = -1;

	if ((buf = malloc(cap)) == NULL)
		return -1;
	for (;;) {
		if ((n = read(in, buf + keep, cap - keep)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		avail = keep + (size_t)n;
		pos = 0;
		while ((hit = memmem(buf + pos, avail - pos, e->old,
		    e->old_len)) != NULL) {
			if (file_sink_put(out, buf + pos,
			    (size_t)(hit - buf) - pos) < 0 ||
			    file_sink_put(out, e->new, e->new_len) < 0)
				goto done;
			e->count++;
			pos = (size_t)(hit - buf) + e->old_len;
		}
		if (n == 0) {
			if (file_sink_put(out, buf + pos, avail - pos) == 0)
				rc = file_sink_flush(out);
			break;
		}
		/* Keep back what may be the start of an occurrence. */
		tail = pos;
		if (avail - pos >= e->old_len)
			tail = avail - (e->old_len - 1);
		if (file_sink_put(out, buf + pos, tail - pos) < 0)
			break;
		keep = avail - tail;
		memmove(buf, buf + tail, keep);
	}
done:
	free(buf);
	return rc;
}

/* Put tmp (open as fd) in the place of path, with st's mode and owner. */
static int
install(int fd, const char *tmp, const char *path, const struct stat *st)
{
	if (fchmod(fd, st->st_mode & 07777) < 0)
		return -1;
	/* Only root can give a file away; others keep their own files. */
	if (fchown(fd, st->st_uid, st->st_gid) < 0 && errno != EPERM)
		return -1;
	return rename(tmp, path);
}

/*
 * Apply e to the file at path. Returns 0, or -1 after replying. A file
 * without any occurrence is left untouched.
 */
static int
replace_in_file(struct osb_req *req, const char *path, struct edit *e)
{
	char real[PATH_MAX], *tmp = NULL;
	const char *op = "open";
	struct file_sink sink = { .buf = NULL };
	struct tmp_entry entry = { "" };
	struct stat st;
	int in = -1, out = -1, rc = -1;

	/* Follow links, so the file they point at is the one replaced. */
	if (realpath(path, real) == NULL ||
	    (in = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		goto fail;
	op = "stat";
	if (fstat(in, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		osb_reply_error(req, 400, OSB_E_INVALID,
		    "replace %s: not a regular file", path);
		goto out;
	}
	op = "create temp file for";
	if ((out = file_tmp_create(real, &tmp)) < 0)
		goto fail;
	tmp_journal_note(tmp, &entry);
	op = "write";
	if (file_sink_init(&sink, out, CHUNK) < 0 ||
	    copy_replacing(in, &sink, e) < 0)
		goto fail;
	op = "replace";
	if (e->count > 0 && install(out, tmp, real, &st) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	file_reply_errno(req, errno, op, path);
out:
	if (tmp && (rc < 0 || e->count == 0))
		unlink(tmp);
	tmp_journal_forget(&entry);
	free(tmp);
	file_sink_free(&sink);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* The edit for one file of the body; -1 after replying 400. */
static int
parse_edit(struct osb_req *req, const char *path, json_t *item,
    struct edit *e)
{
	memset(e, 0, sizeof(*e));
	e->new = "";
	if (json_unpack(item, "{s:s%, s?s%}", "old", &e->old, &e->old_len,
	    "new", &e->new, &e->new_len) < 0 || e->old_len == 0) {
		osb_reply_error(req, 400, OSB_E_INVALID,
		    "%s: old must be a non-empty string, new a string", path);
		return -1;
	}
	return 0;
}

/* Check every edit, then apply them file by file. */
int
files_replace(struct osb_req *req)
{
	const char *verbose = osb_req_query(req, "verbose");
	json_t *body, *item, *counts;
	const char *path;
	struct edit e;
	char *abs;

	if ((body = file_body_object(req, "path: {old, new}")) == NULL)
		return 0;
	json_object_foreach(body, path, item)
		if (parse_edit(req, path, item, &e) < 0)
			break;
	counts = json_object();
	json_object_foreach(body, path, item) {
		if (req->replied || parse_edit(req, path, item, &e) < 0 ||
		    (abs = file_path(req, path)) == NULL)
			break;
		if (replace_in_file(req, abs, &e) == 0)
			file_name_set(counts, path, json_pack("{s:I}",
			    "replacedCount", (json_int_t)e.count));
		free(abs);
	}
	json_decref(body);
	if (req->replied) {
		json_decref(counts);
		return 0;
	}
	if (verbose && strcmp(verbose, "true") == 0)
		return osb_reply_json(req, 200, counts);
	json_decref(counts);
	return osb_reply_empty(req, 200);
}

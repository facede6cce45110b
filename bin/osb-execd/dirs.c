/*
 * dirs.c — GET /directories/list, POST /directories (mkdir -p) and
 * DELETE /directories (rm -rf).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_util.h"

struct listing {
	struct osb_req *req;
	struct file_names names;
	json_t *entries;
	int max_depth;
};

/* file_walk callback: every entry goes in, directories are walked into
 * while above the depth asked for. */
static int
list_entry(void *arg, const char *path, const struct stat *st, int depth)
{
	struct listing *l = arg;
	json_t *info;

	if ((info = file_info(path, st, &l->names)) == NULL ||
	    json_array_append_new(l->entries, info) < 0) {
		osb_reply_error(l->req, 500, OSB_E_RUNTIME, "out of memory");
		return -1;
	}
	return depth < l->max_depth;
}

/* The depth= argument (1 when absent); -1 when it is not a count. */
static int
parse_depth(const char *s)
{
	const char *err = NULL;
	int depth;

	if (s == NULL || *s == '\0')
		return 1;
	depth = (int)strtonum(s, 0, 1000000, &err);
	return err ? -1 : depth;
}

/* List the directory dir (already checked to be one) into l. */
static void
list_dir(struct listing *l, const char *dir)
{
	char *failed;

	if (l->max_depth > 0 && file_walk(dir, list_entry, l, &failed) < 0 &&
	    !l->req->replied) {
		file_reply_errno(l->req, errno, "list", failed ? failed : dir);
		free(failed);
	}
}

/*
 * [FileInfo] of the entries below path, down to depth levels, each
 * directory's entries in lexical order followed by their own. A link is
 * listed as one and never followed, so the root may not be one either.
 */
int
dirs_list(struct osb_req *req)
{
	struct listing l = { .req = req };
	const char *q = osb_req_query(req, "path");
	struct stat st;
	char *dir;

	if (q == NULL || *q == '\0')
		return osb_reply_error(req, 400, OSB_E_MISSING,
		    "missing query parameter 'path'");
	if ((l.max_depth = parse_depth(osb_req_query(req, "depth"))) < 0)
		return osb_reply_error(req, 400, OSB_E_INVALID,
		    "invalid query parameter 'depth': %s",
		    osb_req_query(req, "depth"));
	if ((dir = file_path(req, q)) == NULL)
		return 0;
	if (lstat(dir, &st) < 0)
		file_reply_errno(req, errno, "list", dir);
	else if (S_ISLNK(st.st_mode))
		osb_reply_error(req, 400, OSB_E_INVALID,
		    "path is a symbolic link, refusing to traverse: %s", dir);
	else if (!S_ISDIR(st.st_mode))
		osb_reply_error(req, 400, OSB_E_INVALID,
		    "path is not a directory: %s", dir);
	else if ((l.entries = json_array()) != NULL)
		list_dir(&l, dir);
	free(dir);
	if (req->replied) {
		json_decref(l.entries);
		return 0;
	}
	return osb_reply_json(req, 200, l.entries);
}

/* file_perm_fn: mkdir -p, then the permission. */
static int
mkdir_one(const char *abs, const struct file_perm *perm, const char **op)
{
	/* New directories get 0777 less the umask, as in Go. */
	*op = "mkdir";
	if (file_mkdirs(abs, 0777) < 0)
		return -1;
	return file_perm_apply(abs, -1, perm, op);
}

/* Create directories with their parents: {path: {owner, group, mode}}.
 * All entries are checked before any is made. */
int
dirs_make(struct osb_req *req)
{
	return file_each_perm(req, mkdir_one);
}

/* What rm -rf has seen: the directories to remove once emptied. */
struct removal {
	char **dirs;
	size_t n, cap;
	int error;
	char *failed;
};

/* Note why the removal failed at path; returns -1. */
static int
removal_failed(struct removal *r, const char *path)
{
	r->error = errno;
	r->failed = strdup(path);
	return -1;
}

/* file_walk callback: unlink files now, keep directories for later. */
static int
remove_entry(void *arg, const char *path, const struct stat *st, int depth)
{
	struct removal *r = arg;
	char **grown;

	(void)depth;
	if (!S_ISDIR(st->st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return removal_failed(r, path);
		return 0;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		grown = reallocarray(r->dirs, r->cap, sizeof(*grown));
		if (grown == NULL)
			return removal_failed(r, path);
		r->dirs = grown;
	}
	if ((r->dirs[r->n] = strdup(path)) == NULL)
		return removal_failed(r, path);
	r->n++;
	return 1;
}

/* Set *failed to a copy of path, keeping errno; returns -1. */
static int
failed_at(const char *path, char **failed)
{
	int saved = errno;

	*failed = strdup(path);
	errno = saved;
	return -1;
}

/*
 * rm -rf path: files go as the walk finds them, then the directories in
 * the reverse of the order they were found (children before parents).
 * Returns 0, or -1 with errno set and *failed the path that resisted.
 */
static int
remove_tree(const char *path, char **failed)
{
	struct removal r = { NULL, 0, 0, 0, NULL };
	struct stat st;
	int rc = 0;

	*failed = NULL;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : failed_at(path, failed);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 && errno != ENOENT ?
		    failed_at(path, failed) : 0;
	if (file_walk(path, remove_entry, &r, failed) < 0) {
		rc = -1;
		if (r.failed) {
			*failed = r.failed;
			errno = r.error;
		}
	}
	for (; r.n > 0; free(r.dirs[--r.n]))
		if (rc == 0 && rmdir(r.dirs[r.n - 1]) < 0 && errno != ENOENT)
			rc = failed_at(r.dirs[r.n - 1], failed);
	free(r.dirs);
	if (rc == 0 && rmdir(path) < 0 && errno != ENOENT)
		rc = failed_at(path, failed);
	return rc;
}

/* file_path_fn: rm -rf. */
static void
remove_one(struct osb_req *req, const char *path, const char *abs,
    void *arg)
{
	char *failed;

	if (remove_tree(abs, &failed) < 0) {
		file_reply_errno(req, errno, "remove", failed ? failed : abs);
		free(failed);
	}
}

/* Remove directories with all they hold; missing ones are no error. */
int
dirs_remove(struct osb_req *req)
{
	if (file_each_path(req, remove_one, NULL) == 0)
		return osb_reply_empty(req, 200);
	return 0;
}

/*
 * files.c — the small file endpoints: GET /files/info, DELETE /files,
 * POST /files/permissions, POST /files/mv.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_util.h"

/* What GET /files/info collects. */
struct infos {
	json_t *out;
	struct file_names names;
};

/* file_path_fn: the FileInfo of one path into the reply. */
static void
info_one(struct osb_req *req, const char *path, const char *abs, void *arg)
{
	struct infos *in = arg;
	struct stat st;
	json_t *info;

	if (lstat(abs, &st) < 0)
		file_reply_errno(req, errno, "stat", abs);
	else if ((info = file_info(abs, &st, &in->names)) == NULL ||
	    file_name_set(in->out, path, info) < 0)
		osb_reply_error(req, 500, OSB_E_RUNTIME, "out of memory");
}

/* {path: FileInfo} for every path= given; the first missing one is 404. */
int
files_info(struct osb_req *req)
{
	struct infos in = { .out = json_object() };

	if (file_each_path(req, info_one, &in) == 0)
		return osb_reply_json(req, 200, in.out);
	json_decref(in.out);
	return 0;
}

/* file_path_fn: unlink(2), which refuses directories (EISDIR): just
 * right. A file already gone is no error. */
static void
remove_one(struct osb_req *req, const char *path, const char *abs,
    void *arg)
{
	if (unlink(abs) < 0 && errno != ENOENT)
		file_reply_errno(req, errno, "remove", abs);
}

/* Delete files (never directories). */
int
files_remove(struct osb_req *req)
{
	if (file_each_path(req, remove_one, NULL) == 0)
		return osb_reply_empty(req, 200);
	return 0;
}

/* file_perm_fn: apply the permission to the path. */
static int
chmod_one(const char *abs, const struct file_perm *perm, const char **op)
{
	return file_perm_apply(abs, -1, perm, op);
}

/* Set mode, owner and group: {path: {owner, group, mode}}. All entries
 * are checked before any is applied. */
int
files_chmod(struct osb_req *req)
{
	return file_each_perm(req, chmod_one);
}

/* The directory part of an absolute path, malloc'd ("/" for "/x"). */
static char *
parent_dir(const char *abs)
{
	const char *slash = strrchr(abs, '/');

	return strndup(abs, slash > abs ? (size_t)(slash - abs) : 1);
}

/* Rename src to dest, creating dest's directory; dest must not exist. */
static void
move_one(struct osb_req *req, const char *src, const char *dest)
{
	struct stat st;
	char *dir;
	int rc;

	if (lstat(src, &st) < 0) {
		file_reply_errno(req, errno, "mv", src);
		return;
	}
	if ((dir = parent_dir(dest)) == NULL || file_mkdirs(dir, 0755) < 0) {
		file_reply_errno(req, errno, "mkdir", dir ? dir : dest);
		free(dir);
		return;
	}
	free(dir);
	/* RENAME_NOREPLACE checks and renames in one step; a filesystem
	 * without it gets the check and the rename apart. */
	rc = renameat2(AT_FDCWD, src, AT_FDCWD, dest, RENAME_NOREPLACE);
	if (rc < 0 && errno == EINVAL) {
		if (lstat(dest, &st) == 0)
			errno = EEXIST;
		else
			rc = rename(src, dest);
	}
	if (rc < 0 && errno == EEXIST)
		osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "mv %s %s: destination path already exists", src, dest);
	else if (rc < 0)
		file_reply_errno(req, errno, "mv", src);
}

/* Move files: [{src, dest}]. All entries are checked before any moves. */
int
files_move(struct osb_req *req)
{
	json_t *body, *item;
	const char *src, *dest;
	char *abs_src, *abs_dest;
	size_t i;

	if ((body = osb_req_json(req)) == NULL)
		return 0;
	if (!json_is_array(body))
		osb_reply_error(req, 400, OSB_E_INVALID,
		    "error parsing request: body must be an array of "
		    "{\"src\", \"dest\"}");
	json_array_foreach(body, i, item) {
		if (req->replied)
			break;
		if (json_unpack(item, "{s:s, s:s}", "src", &src, "dest",
		    &dest) < 0 || *src == '\0' || *dest == '\0')
			osb_reply_error(req, 400, OSB_E_INVALID,
			    "item %zu: src and dest must be non-empty strings",
			    i);
	}
	json_array_foreach(body, i, item) {
		if (req->replied)
			break;
		json_unpack(item, "{s:s, s:s}", "src", &src, "dest", &dest);
		abs_src = file_path(req, src);
		abs_dest = abs_src ? file_path(req, dest) : NULL;
		if (abs_dest)
			move_one(req, abs_src, abs_dest);
		free(abs_src);
		free(abs_dest);
	}
	json_decref(body);
	return req->replied ? 0 : osb_reply_empty(req, 200);
}

/*
 * files.c — the route table of the file endpoints, and the small ones:
 * GET /files/info, DELETE /files, POST /files/permissions, POST /files/mv.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_util.h"
#include "files.h"

const struct osb_route file_routes[] = {
	{ "GET", "/files/info", files_info, NULL, NULL },
	{ "DELETE", "/files", files_remove, NULL, NULL },
	{ "POST", "/files/permissions", files_chmod, NULL, NULL },
	{ "POST", "/files/mv", files_move, NULL, NULL },
	{ "GET", "/files/search", files_search, NULL, NULL },
	{ "POST", "/files/replace", files_replace, NULL, NULL },
	{ "POST", "/files/upload", upload_finish, upload_body, upload_done },
	{ "GET", "/files/download", files_download, NULL, NULL },
	{ "GET", "/directories/list", dirs_list, NULL, NULL },
	{ "POST", "/directories", dirs_make, NULL, NULL },
	{ "DELETE", "/directories", dirs_remove, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

/* {path: FileInfo} for every path= given; the first missing one is 404. */
int
files_info(struct osb_req *req)
{
	struct file_names names = { 0 };
	const char **paths;
	json_t *out, *info;
	struct stat st;
	size_t n, i;
	char *abs;

	if ((paths = file_query_paths(req, &n)) == NULL)
		return 0;
	out = json_object();
	for (i = 0; i < n && !req->replied; i++) {
		if ((abs = file_path(req, paths[i])) == NULL)
			break;
		if (lstat(abs, &st) < 0)
			file_reply_errno(req, errno, "stat", abs);
		else if ((info = file_info(abs, &st, &names)) == NULL ||
		    json_object_set_new(out, paths[i], info) < 0)
			osb_reply_error(req, 500, OSB_E_RUNTIME,
			    "out of memory");
		free(abs);
	}
	free(paths);
	if (req->replied) {
		json_decref(out);
		return 0;
	}
	return osb_reply_json(req, 200, out);
}

/* Delete files (never directories); a file already gone is no error. */
int
files_remove(struct osb_req *req)
{
	const char **paths;
	size_t n, i;
	char *abs;

	if ((paths = file_query_paths(req, &n)) == NULL)
		return 0;
	for (i = 0; i < n && !req->replied; i++) {
		if ((abs = file_path(req, paths[i])) == NULL)
			break;
		/* unlink(2) refuses directories with EISDIR: just right. */
		if (unlink(abs) < 0 && errno != ENOENT)
			file_reply_errno(req, errno, "remove", abs);
		free(abs);
	}
	free(paths);
	return req->replied ? 0 : osb_reply_empty(req, 200);
}

/* Set mode, owner and group: {path: {owner, group, mode}}. All entries
 * are checked before any is applied. */
int
files_chmod(struct osb_req *req)
{
	struct file_perm *perms;
	const char *path, *op;
	json_t *body, *value;
	size_t i = 0;
	char *abs;

	if ((body = file_body_object(req, "path: permission")) == NULL)
		return 0;
	if ((perms = file_perms_of(req, body)) != NULL) {
		json_object_foreach(body, path, value) {
			if ((abs = file_path(req, path)) == NULL)
				break;
			if (file_perm_apply(abs, -1, &perms[i++], &op) < 0)
				file_reply_errno(req, errno, op, abs);
			free(abs);
			if (req->replied)
				break;
		}
	}
	free(perms);
	json_decref(body);
	return req->replied ? 0 : osb_reply_empty(req, 200);
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

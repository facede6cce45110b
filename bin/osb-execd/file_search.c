/*
 * file_search.c — GET /files/search?path=DIR&pattern=GLOB: the files (not
 * directories) under DIR whose name matches GLOB, in lexical order, with
 * their FileInfo. As in the Go execd the pattern is matched against each
 * file's name; a pattern with a slash in it is matched against the path
 * below DIR instead, so it can name directories too. Links are reported,
 * never followed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "file_glob.h"
#include "file_util.h"

struct search {
	struct osb_req *req;
	struct file_glob *glob;
	struct file_names names;
	json_t *found;
	size_t root_len;
};

/* Add the entry at path to the results when it matches. Returns 0, or
 * -1 after replying. */
static int
consider(struct search *s, const char *path, const struct stat *st)
{
	const char *name = strrchr(path, '/') + 1;
	json_t *info;

	/* Below the root; the root itself, a file, goes by its name. */
	if (file_glob_has_slash(s->glob) && strlen(path) > s->root_len)
		name = path + s->root_len + (s->root_len > 1);
	if (!file_glob_match(s->glob, name))
		return 0;
	if ((info = file_info(path, st, &s->names)) == NULL ||
	    json_array_append_new(s->found, info) < 0) {
		osb_reply_error(s->req, 500, OSB_E_RUNTIME, "out of memory");
		return -1;
	}
	return 0;
}

/* file_walk callback: walk into directories, consider everything else. */
static int
visit(void *arg, const char *path, const struct stat *st, int depth)
{
	(void)depth;
	if (S_ISDIR(st->st_mode))
		return 1;
	return consider(arg, path, st);
}

/* Search below root (or root itself, when it is not a directory). */
static void
search_root(struct search *s, const char *root)
{
	struct stat st;
	char *failed;

	s->root_len = strlen(root);
	if (stat(root, &st) < 0) {
		file_reply_errno(s->req, errno, "search", root);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		consider(s, root, &st);
		return;
	}
	if (file_walk(root, visit, s, &failed) < 0 && !s->req->replied)
		file_reply_errno(s->req, errno, "search",
		    failed ? failed : root);
	free(failed);
}

/* [FileInfo] of the matching files under path=, or an error reply. */
int
files_search(struct osb_req *req)
{
	struct search s = { .req = req };
	const char *dir = osb_req_query(req, "path");
	const char *pattern = osb_req_query(req, "pattern");
	char err[128], *root;

	if (dir == NULL || *dir == '\0')
		return osb_reply_error(req, 400, OSB_E_MISSING,
		    "missing query parameter 'path'");
	if (pattern == NULL || *pattern == '\0')
		pattern = "**";
	if ((s.glob = file_glob_new(pattern, err, sizeof(err))) == NULL)
		return osb_reply_error(req, 400, OSB_E_INVALID,
		    "invalid pattern %s: %s", pattern, err);
	if ((root = file_path(req, dir)) != NULL &&
	    (s.found = json_array()) != NULL)
		search_root(&s, root);
	free(root);
	file_glob_free(s.glob);
	if (req->replied) {
		json_decref(s.found);
		return 0;
	}
	return osb_reply_json(req, 200, s.found);
}

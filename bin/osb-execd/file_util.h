/*
 * file_util.h — what the file and directory endpoints share: paths as the
 * API takes them, FileInfo objects, permissions, errno replies, temp files.
 */
#ifndef EXECD_FILE_UTIL_H
#define EXECD_FILE_UTIL_H

#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>

#include "files.h"
#include "server.h"

/* A file's mode, owner and group to set; unset parts are left alone. */
struct file_perm {
	mode_t mode;
	int set_mode;
	uid_t uid;		/* (uid_t)-1: leave */
	gid_t gid;		/* (gid_t)-1: leave */
};

/* The name of a user or group id, once looked up. */
struct id_name {
	unsigned long id;
	int have;
	char name[64];
};

/* Owner and group names already looked up, for one request. */
struct file_names {
	struct id_name user, group;
};

/* Buffered writes to a descriptor: few, large write(2)s. */
struct file_sink {
	int fd;
	char *buf;
	size_t len, cap;
};

/*
 * The API's path made usable: "~" and "$VAR" or "${VAR}" expanded as the
 * Go execd does, made absolute and clean (no ".", "..", "//"). Returns a
 * malloc'd path, or NULL after replying 400 (undefined variable) or 500.
 */
char *file_path(struct osb_req *, const char *path);

/*
 * Call fn with each "path" query argument and its file_path(), until fn
 * replies or a path is bad. Returns 0 when nothing replied, -1 after a
 * reply (400 MISSING_QUERY when there is no path at all).
 */
typedef void (*file_path_fn)(struct osb_req *, const char *path,
    const char *abs, void *arg);
int file_each_path(struct osb_req *, file_path_fn, void *arg);

/* The request body as a JSON object, or NULL after replying 400 saying
 * it must be an object of what ("path: permission"). */
json_t *file_body_object(struct osb_req *, const char *what);

/*
 * Reply to a failed operation on path: 404 FILE_NOT_FOUND when the path
 * does not exist, 500 RUNTIME_ERROR otherwise, with the message
 * "OP PATH: REASON".
 */
int file_reply_errno(struct osb_req *, int errnum, const char *op,
    const char *path);

/*
 * A file name as a JSON string, and obj[name] = value (stolen): bytes that
 * are not UTF-8 become U+FFFD, as the Go execd's encoder does, since JSON
 * can't carry them. NULL or -1 when out of memory.
 */
json_t *file_name_json(const char *name);
int file_name_set(json_t *obj, const char *name, json_t *value);

/* The FileInfo object of path, whose lstat(2) is st. */
json_t *file_info(const char *path, const struct stat *st,
    struct file_names *);

/*
 * Read a Permission object ({"owner","group","mode"}, all optional; mode
 * as octal digits written in decimal, 755). Unknown owner or group names
 * are logged and left alone, as the Go execd does. Returns 0, or -1 with
 * the reason in err.
 */
int file_perm_parse(const json_t *obj, struct file_perm *, char *err,
    size_t errlen);

/*
 * For a body {path: Permission}: check every entry, then call fn with
 * each file_path() and its permission until fn fails (-1 with errno set
 * and *op naming the call). Replies: 200 once all went well, the
 * failure as file_reply_errno() does, or 400 for a bad body. Returns 0.
 */
typedef int (*file_perm_fn)(const char *abs, const struct file_perm *,
    const char **op);
int file_each_perm(struct osb_req *, file_perm_fn);

/* Apply perm to the open fd, or to path when fd is -1. Returns 0, or -1
 * with errno set and *op naming the call that failed. */
int file_perm_apply(const char *path, int fd, const struct file_perm *,
    const char **op);

/* mkdir -p with mode for the directories it creates. Returns 0, or -1 with
 * errno set. */
int file_mkdirs(const char *path, mode_t mode);

/*
 * Create an empty temp file in the directory of target, named so a
 * listing shows what it is for. Returns its descriptor (close-on-exec)
 * with *tmp_path malloc'd, or -1 with errno set.
 */
int file_tmp_create(const char *target, char **tmp_path);
/* The same in the first dirlen bytes of dir ("" for the root), named
 * for target: for a target whose directory is not made yet. */
int file_tmp_create_in(const char *dir, size_t dirlen, const char *target,
    char **tmp_path);

/*
 * Called by file_walk for each entry below the root, path being its full
 * path, st its lstat(2), depth 1 for the root's own entries. Returns 1 to
 * walk into the entry (when it is a directory: links are never walked),
 * 0 not to, -1 to stop the walk.
 */
typedef int (*file_walk_fn)(void *arg, const char *path,
    const struct stat *st, int depth);

/*
 * Walk the directory root depth first, each directory's entries in
 * lexical order; entries that vanish meanwhile are skipped. Returns 0, or
 * -1 when fn said stop (*failed NULL) or a directory could not be read
 * (*failed its malloc'd path, errno set). Uses no stack per level, so any
 * depth is safe on a small thread stack.
 */
int file_walk(const char *root, file_walk_fn fn, void *arg, char **failed);

/* A sink of cap bytes writing to fd; -1 when out of memory. */
int file_sink_init(struct file_sink *, int fd, size_t cap);
/* Write len bytes through the sink; -1 with errno set. */
int file_sink_put(struct file_sink *, const char *data, size_t len);
/* Write out what the sink holds; -1 with errno set. */
int file_sink_flush(struct file_sink *);
/* Release the buffer (whatever it held is dropped). */
void file_sink_free(struct file_sink *);

#endif

/*
 * files.h — client for the execd file endpoints (the Filesystem part of
 * specs/execd-api.yaml): metadata, remove, permissions, move, search,
 * replace, streamed upload and download, directory listing, creation and
 * removal.
 *
 * Every call takes the endpoint osb_resolve_execd() gave and returns 0, or
 * -1 with err naming the operation and the path ("rm /x: ..."; a missing
 * file is "/x: no such file" with status 404). Documents come back as the
 * API's own JSON, which the caller releases with json_decref().
 */
#ifndef OSB_FILES_H
#define OSB_FILES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "http.h"

/*
 * Ownership and permission bits to give a file. mode holds the bits as the
 * kernel has them (0644); 0 leaves the server's default. owner and group
 * are names; NULL leaves them as they are.
 */
struct osb_file_perm {
	unsigned mode;
	const char *owner;
	const char *group;
};

/* Transfer progress: bytes done of total (total -1 when unknown). */
typedef void (*osb_files_progress)(int64_t done, int64_t total, void *arg);

/* {path: FileInfo} for the n paths (GET /files/info). */
int osb_files_info(const struct osb_endpoint *, const char *const *paths,
    size_t n, json_t **info, struct osb_error *);
/* The FileInfo of one path. */
int osb_files_stat(const struct osb_endpoint *, const char *path,
    json_t **fileinfo, struct osb_error *);
/* Delete files, not directories (DELETE /files). */
int osb_files_rm(const struct osb_endpoint *, const char *const *paths,
    size_t n, struct osb_error *);
/* Set mode, owner and group of the n paths (POST /files/permissions). */
int osb_files_chmod(const struct osb_endpoint *, const char *const *paths,
    size_t n, const struct osb_file_perm *, struct osb_error *);
/* Rename src to dest; dest must not exist (POST /files/mv). */
int osb_files_mv(const struct osb_endpoint *, const char *src,
    const char *dest, struct osb_error *);
/* [FileInfo] of the files under dir whose name matches the glob pattern
 * (NULL: all files). */
int osb_files_search(const struct osb_endpoint *, const char *dir,
    const char *pattern, json_t **found, struct osb_error *);
/* Replace every old with new in the n files; counts is
 * {path: {"replacedCount": N}}, or an empty object from a server that does
 * not count (POST /files/replace?verbose=true). */
int osb_files_replace(const struct osb_endpoint *, const char *const *paths,
    size_t n, const char *old, const char *new, json_t **counts,
    struct osb_error *);
/* [FileInfo] of the entries under dir down to depth levels
 * (GET /directories/list). */
int osb_files_list(const struct osb_endpoint *, const char *dir, int depth,
    json_t **entries, struct osb_error *);
/* Create directories and their missing parents (POST /directories). */
int osb_files_mkdir(const struct osb_endpoint *, const char *const *paths,
    size_t n, const struct osb_file_perm *, struct osb_error *);
/* Remove directories with everything in them (DELETE /directories). */
int osb_files_rmdir(const struct osb_endpoint *, const char *const *paths,
    size_t n, struct osb_error *);

/*
 * One file to upload, from exactly one of: a local file opened when its
 * bytes are needed (local), an open descriptor read from its current
 * position (fd >= 0), or a buffer (data). size is the byte count; -1 for a
 * descriptor of unknown length (a pipe) sends until end of file, as a
 * chunked request.
 */
struct osb_upload {
	const char *remote;		/* path in the sandbox */
	const char *local;
	int fd;
	const void *data;
	int64_t size;
	struct osb_file_perm perm;
};

/*
 * Upload the n files in one multipart request (POST /files/upload),
 * streaming each from its source: no file is held in memory.
 */
int osb_files_upload(const struct osb_endpoint *, const struct osb_upload *,
    size_t n, osb_files_progress, void *arg, struct osb_error *);

/*
 * Write the file at path into fd, from byte offset on (a Range request;
 * fd must already be positioned there). If the server sends the whole file
 * instead, fd is truncated and written from its start (it must be
 * seekable then). Progress counts from offset.
 */
int osb_files_download(const struct osb_endpoint *, const char *path,
    int fd, int64_t offset, osb_files_progress, void *arg,
    struct osb_error *);

#endif

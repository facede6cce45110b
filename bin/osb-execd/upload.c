/*
 * upload.c — POST /files/upload: a multipart/form-data body of
 * "metadata" parts ({"path","owner","group","mode"}), each followed by the
 * "file" part it describes.
 *
 * The body is parsed as it arrives and each file streamed into a temp file
 * next to its target (in the deepest directory of its path that exists);
 * memory use does not grow with the file. The missing directories are
 * made and the files renamed into place only once the whole body has been
 * read and found good, so a 4xx reply means nothing was changed. A body that breaks off
 * or goes wrong leaves no temp file behind; the temp files are journaled
 * (tmp_journal.h), so a daemon killed mid-upload has its swept at the
 * next start.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "file_util.h"
#include "multipart.h"
#include "tmp_journal.h"

#define META_MAX (64 * 1024)
#define WRITE_BUF (1024 * 1024)

/* Error codes of this endpoint, as the Go execd has them. */
#define E_FILE		"INVALID_FILE"
#define E_CONTENT	"INVALID_FILE_CONTENT"
#define E_METADATA	"INVALID_FILE_METADATA"

enum part_kind { PART_NONE, PART_META, PART_FILE, PART_OTHER };

/* A file written in full, waiting for the body to end well. */
struct staged {
	char *tmp;
	char *target;
	struct tmp_entry entry;
};

struct upload {
	struct osb_req *req;
	struct osb_multipart *mp;
	enum part_kind part;
	struct osb_buf meta;	/* the metadata part so far */
	/* What the last metadata part asked for, until its file part ends. */
	char *target;
	size_t tmpdir_len;	/* target's prefix that exists: the temp's dir */
	struct file_perm perm;
	/* The file part being written. */
	int fd;
	char *tmp;
	struct tmp_entry entry;
	struct file_sink sink;
	/* The files written in full, in the order they came. */
	struct staged *staged;
	size_t nstaged;
	unsigned files;		/* files written in full */
};

/* Drop the file being written, if any. */
static void
discard_file(struct upload *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	if (u->tmp) {
		unlink(u->tmp);
		tmp_journal_forget(&u->entry);
	}
	free(u->tmp);
	u->tmp = NULL;
	file_sink_free(&u->sink);
}

/* Drop the staged files: their temp files go. */
static void
discard_staged(struct upload *u)
{
	size_t i;

	for (i = 0; i < u->nstaged; i++) {
		unlink(u->staged[i].tmp);
		tmp_journal_forget(&u->staged[i].entry);
		free(u->staged[i].tmp);
		free(u->staged[i].target);
	}
	free(u->staged);
	u->staged = NULL;
	u->nstaged = 0;
}

/* Reply to a failed system call on path and drop the file; returns -1. */
static int
fail_errno(struct upload *u, const char *op, const char *path)
{
	file_reply_errno(u->req, errno, op, path);
	discard_file(u);
	return -1;
}

/*
 * Follow a link at the target, as writing through it would, and default
 * the permissions to those of the file being replaced, else to 0755 (the
 * API's default mode). Returns 0, or -1 with errno set when the target is
 * a directory.
 */
static int
settle_target(struct upload *u)
{
	char real[PATH_MAX], *copy;
	struct stat st;

	if (realpath(u->target, real) != NULL && (copy = strdup(real))) {
		free(u->target);
		u->target = copy;
	}
	if (stat(u->target, &st) < 0) {
		if (!u->perm.set_mode)
			u->perm.mode = 0755;
		u->perm.set_mode = 1;
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (!u->perm.set_mode)
		u->perm.mode = st.st_mode & 07777;
	u->perm.set_mode = 1;
	if (u->perm.uid == (uid_t)-1 && u->perm.gid == (gid_t)-1) {
		u->perm.uid = st.st_uid;
		u->perm.gid = st.st_gid;
	}
	return 0;
}

/*
 * The deepest directory of the target's path that exists, as the length
 * of that prefix of u->target: its temp file goes there, and the missing
 * directories below it are made at the commit. -1 with errno set when a
 * part of the path is not a directory or that directory can't be written,
 * as making the rest would fail.
 */
static int
find_tmp_dir(struct upload *u)
{
	struct stat st;
	char *dir, *slash;
	int rc = -1;

	if ((dir = strdup(u->target)) == NULL)
		return -1;
	for (;;) {
		slash = strrchr(dir, '/');
		*slash = '\0';
		if (stat(*dir ? dir : "/", &st) == 0)
			break;
		if (errno != ENOENT || slash == dir)
			goto out;
	}
	if (!S_ISDIR(st.st_mode))
		errno = ENOTDIR;
	else if (access(*dir ? dir : "/", W_OK | X_OK) == 0) {
		u->tmpdir_len = strlen(dir);
		rc = 0;
	}
out:
	free(dir);
	return rc;
}

/* Check a metadata JSON and note its path and permissions. */
static int
metadata_done(struct upload *u)
{
	json_error_t jerr;
	json_t *meta;
	const char *path = NULL;
	char err[128], *slash;
	int rc = -1, saved;

	meta = json_loadb(u->meta.data ? u->meta.data : "", u->meta.len, 0,
	    &jerr);
	if (meta == NULL || !json_is_object(meta))
		osb_reply_error(u->req, 400, E_METADATA,
		    "invalid metadata format: %s", meta ? "not an object" :
		    jerr.text);
	else if (json_unpack(json_object_get(meta, "path"), "s", &path) < 0 ||
	    *path == '\0')
		osb_reply_error(u->req, 400, E_METADATA,
		    "metadata path is empty");
	else if (file_perm_parse(meta, &u->perm, err, sizeof(err)) < 0)
		osb_reply_error(u->req, 400, E_METADATA, "%s: %s", path, err);
	else if ((u->target = file_path(u->req, path)) != NULL)
		rc = 0;
	json_decref(meta);
	if (rc < 0)
		return -1;
	if (find_tmp_dir(u) < 0) {
		saved = errno;
		slash = strrchr(u->target, '/');
		*slash = '\0';
		errno = saved;
		rc = fail_errno(u, "mkdir", *u->target ? u->target : "/");
		*slash = '/';
		return rc;
	}
	if (settle_target(u) < 0)
		return fail_errno(u, "upload", u->target);
	return 0;
}

/* The file part ended: give it its permissions and stage it. */
static int
file_done(struct upload *u)
{
	const char *op = "write";
	struct staged *grown;

	if (file_sink_flush(&u->sink) < 0 ||
	    file_perm_apply(NULL, u->fd, &u->perm, &op) < 0)
		return fail_errno(u, op, u->target);
	if (close(u->fd) < 0) {
		u->fd = -1;
		return fail_errno(u, "write", u->target);
	}
	u->fd = -1;
	grown = reallocarray(u->staged, u->nstaged + 1, sizeof(*u->staged));
	if (grown == NULL)
		return fail_errno(u, "stage", u->target);
	u->staged = grown;
	u->staged[u->nstaged].tmp = u->tmp;
	u->staged[u->nstaged].target = u->target;
	u->staged[u->nstaged].entry = u->entry;
	u->nstaged++;
	u->tmp = NULL;
	u->target = NULL;
	file_sink_free(&u->sink);
	u->files++;
	return 0;
}

/*
 * Put staged file i in place: its directory made (as the Go execd makes
 * it, 0777 less the umask), the temp file renamed over the target. 0, or
 * -1 with errno set.
 */
static int
commit_one(struct upload *u, size_t i)
{
	char *slash = strrchr(u->staged[i].target, '/');
	int rc = 0;

	*slash = '\0';
	if (slash > u->staged[i].target)
		rc = file_mkdirs(u->staged[i].target, 0777);
	*slash = '/';
	return rc < 0 ? -1 : rename(u->staged[i].tmp, u->staged[i].target);
}

/*
 * Put every staged file in place, in order. Returns 0, or -1 after a 500
 * naming the file that failed and those already in place (rarely: the
 * directories were checked, the renames stay on one file system, but the
 * reply must not lie).
 */
static int
commit_staged(struct upload *u)
{
	struct osb_buf done = { 0 };
	size_t i;
	int saved;

	for (i = 0; i < u->nstaged; i++) {
		if (commit_one(u, i) < 0)
			break;
		tmp_journal_forget(&u->staged[i].entry);
		if (done.len)
			osb_buf_append(&done, ", ", 2);
		osb_buf_append(&done, u->staged[i].target,
		    strlen(u->staged[i].target));
		free(u->staged[i].tmp);
		free(u->staged[i].target);
	}
	if (i == u->nstaged) {
		free(u->staged);
		u->staged = NULL;
		u->nstaged = 0;
		osb_buf_free(&done);
		return 0;
	}
	saved = errno;
	osb_reply_error(u->req, 500, OSB_E_RUNTIME, "upload %s: %s (in "
	    "place already: %.*s)", u->staged[i].target, strerror(saved),
	    (int)done.len, done.len ? done.data : "none");
	/* The failed one and the rest: their targets stay as they were. */
	memmove(u->staged, u->staged + i, (u->nstaged - i) *
	    sizeof(*u->staged));
	u->nstaged -= i;
	osb_buf_free(&done);
	return -1;
}

/* A part starts: metadata, a file (after its metadata), or ignored. */
static int
on_part_begin(void *arg, const struct osb_multipart_part *part)
{
	struct upload *u = arg;

	u->part = PART_OTHER;
	if (strcmp(part->name, "metadata") == 0) {
		if (u->target) {
			osb_reply_error(u->req, 400, E_FILE,
			    "metadata and file count mismatch: no file part "
			    "for %s", u->target);
			return -1;
		}
		u->part = PART_META;
		u->meta.len = 0;
	} else if (strcmp(part->name, "file") == 0) {
		if (u->target == NULL) {
			osb_reply_error(u->req, 400, E_METADATA,
			    "metadata file is missing: a file part must "
			    "follow a metadata part");
			return -1;
		}
		if ((u->fd = file_tmp_create_in(u->target, u->tmpdir_len,
		    u->target, &u->tmp)) < 0 ||
		    file_sink_init(&u->sink, u->fd, WRITE_BUF) < 0)
			return fail_errno(u, "create temp file for", u->target);
		tmp_journal_note(u->tmp, &u->entry);
		u->part = PART_FILE;
	}
	return 0;
}

/* Add to the metadata part, which must stay small. */
static int
add_metadata(struct upload *u, const char *data, size_t len)
{
	if (u->meta.len + len > META_MAX) {
		osb_reply_error(u->req, 413, E_METADATA,
		    "metadata part larger than %d bytes", META_MAX);
		return -1;
	}
	if (osb_buf_append(&u->meta, data, len) < 0) {
		osb_reply_error(u->req, 500, OSB_E_RUNTIME, "out of memory");
		return -1;
	}
	return 0;
}

/* Part bytes: into the metadata buffer or the temp file. */
static int
on_part_data(void *arg, const char *data, size_t len)
{
	struct upload *u = arg;

	if (u->part == PART_META)
		return add_metadata(u, data, len);
	if (u->part == PART_FILE && file_sink_put(&u->sink, data, len) < 0)
		return fail_errno(u, "write", u->target);
	return 0;
}

/* A part ends: check the metadata, or put the file in place. */
static int
on_part_end(void *arg)
{
	struct upload *u = arg;
	enum part_kind part = u->part;

	u->part = PART_NONE;
	if (part == PART_META)
		return metadata_done(u);
	if (part == PART_FILE)
		return file_done(u);
	return 0;
}

static const struct osb_multipart_callbacks callbacks = {
	on_part_begin, on_part_data, on_part_end
};

/* The upload of this request, made at its first piece of body; NULL
 * after replying. */
static struct upload *
upload_start(struct osb_req *req)
{
	const char *ctype = osb_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	char boundary[OSB_MULTIPART_MAX_BOUNDARY + 1];
	struct upload *u;

	if (osb_multipart_boundary(ctype, boundary, sizeof(boundary)) < 0) {
		osb_reply_error(req, 400, E_FILE, "multipart form is empty: "
		    "Content-Type %s is not multipart/form-data with a "
		    "boundary", ctype ? ctype : "missing");
		return NULL;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (u->mp = osb_multipart_new(boundary, &callbacks, u)) == NULL) {
		free(u);
		osb_reply_error(req, 500, OSB_E_RUNTIME, "out of memory");
		return NULL;
	}
	u->req = req;
	u->fd = -1;
	req->state = u;
	return u;
}

/* Reply to what the parser found wrong (callbacks reply for themselves). */
static void
reply_parse_error(struct osb_req *req, struct upload *u, int status)
{
	if (req->replied)
		return;
	if (status == OSB_MULTIPART_TOO_BIG)
		osb_reply_error(req, 413, E_FILE,
		    "bad multipart body: part headers larger than %d bytes",
		    OSB_MULTIPART_MAX_HEADERS);
	else
		osb_reply_error(req, 400, E_FILE, "bad multipart body: %s",
		    osb_multipart_error(u->mp));
}

/* A piece of the body, fed to the parser; -1 after a reply. */
int
upload_body(struct osb_req *req, const char *data, size_t len)
{
	struct upload *u = req->state;
	int status;

	if (u == NULL && (u = upload_start(req)) == NULL)
		return -1;
	if ((status = osb_multipart_feed(u->mp, data, len)) == 0)
		return 0;
	reply_parse_error(req, u, status);
	discard_file(u);
	discard_staged(u);
	return -1;
}


/* The whole body is in: it must have ended properly, every metadata part
 * with its file. */
int
upload_finish(struct osb_req *req)
{
	struct upload *u = req->state;
	int status;

	if (u == NULL)
		return osb_reply_error(req, 400, E_FILE,
		    "multipart form is empty");
	if ((status = osb_multipart_finish(u->mp)) != 0) {
		reply_parse_error(req, u, status);
		discard_file(u);
		discard_staged(u);
		return 0;
	}
	if (u->target && u->files == 0)
		osb_reply_error(req, 400, E_CONTENT, "file is missing for %s",
		    u->target);
	else if (u->target)
		osb_reply_error(req, 400, E_FILE, "metadata and file count "
		    "mismatch: no file part for %s", u->target);
	else if (u->files == 0)
		osb_reply_error(req, 400, E_METADATA,
		    "metadata file is missing");
	else if (commit_staged(u) == 0)
		osb_reply_empty(req, 200);
	/* Nothing is left after a commit; after a refusal, all of it. */
	discard_staged(u);
	return 0;
}

/* However the request ended (the client may have gone mid-file), nothing
 * half-written stays. */
void
upload_done(struct osb_req *req)
{
	struct upload *u = req->state;

	if (u == NULL)
		return;
	discard_file(u);
	discard_staged(u);
	osb_multipart_free(u->mp);
	osb_buf_free(&u->meta);
	free(u->target);
	free(u);
	req->state = NULL;
}

/*
 * local_state.h — where the local runtime keeps its sandboxes: a directory
 * per sandbox under the state directory, holding state.json (the record),
 * a lock file, and the logs of the supervisor, execd and entrypoint.
 *
 * A record is {"sandbox": the API's Sandbox object, "runtime": what only
 * the runtime needs (supervisor and init pids, its address, execd's
 * token, the OCI runtime)}. It is replaced whole (temp file + rename), so
 * a reader never sees half of one; changes are made under the sandbox's
 * flock.
 */
#ifndef OSB_LOCAL_STATE_H
#define OSB_LOCAL_STATE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "error.h"

struct osb_local {
	char dir[PATH_MAX];	/* the state directory, .../osb */
	char execd[PATH_MAX];	/* the osb-execd sandboxes run */
	char init[PATH_MAX];	/* their osb-init, next to it */
	char runtime[PATH_MAX];	/* the OCI runtime: a name or a path */
	/* Where volumes and image directories may come from (serve's
	 * --allow-host-path, --allow-image-path); not restricted: any. */
	int restricted;
	const char *const *host_paths, *const *image_paths;
};

/* Length of an id: 32 lowercase hex digits; the hostname is the first 12. */
#define LOCAL_ID_LEN	32
#define LOCAL_SHORT_LEN	12

/* dir/id/name into buf (PATH_MAX); -1 when it does not fit. */
int local_path(const struct osb_local *, const char *id, const char *name,
    char *buf);
/* Set why (n bytes) to the formatted reason, then ": " and errno's text
 * when errno is set. Returns -1, for "return local_why(...)". */
int local_why(char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* This machine's architecture as the API and Go name it ("amd64",
 * "arm64"), "" for another. */
const char *local_host_arch(void);

/* The OCI runtime's state directory, dir/runtime, into buf (PATH_MAX;
 * the state directory's path is short enough for it). */
void local_runtime_root(const struct osb_local *, char *buf);
/* Is s the form of an id (so that it can name a path safely)? */
int local_id_valid(const char *s);
/* A new random id into buf (LOCAL_ID_LEN + 1). */
void local_id_new(char *buf);

/* Make the directory of a new sandbox, with its lock file. 0 or -1. */
int local_create_dir(const struct osb_local *, const char *id);
/* Take the sandbox's lock: an fd, or -1 (errno ENOENT: no such sandbox). */
int local_lock(const struct osb_local *, const char *id);
void local_unlock(int fd);

/* The record of id; NULL with err set (404 SANDBOX_NOT_FOUND when gone). */
json_t *local_read(const struct osb_local *, const char *id,
    struct osb_error *);
/* Replace the record of id (the caller holds the lock). 0 or -1. */
int local_write(const struct osb_local *, const char *id, const json_t *rec,
    struct osb_error *);

/* A change to a record, made under its lock: 0 to write it, 1 to leave it
 * as it is, -1 to fail with err set. */
typedef int (*local_change_fn)(json_t *rec, void *arg, struct osb_error *);
/* Lock, read, change, write, unlock. *out (when not NULL) gets the record
 * after the change. 0 or -1. */
int local_update(const struct osb_local *, const char *id, local_change_fn,
    void *arg, json_t **out, struct osb_error *);

/* The ids of every sandbox directory (malloc'd array of malloc'd
 * strings, *n of them). 0 or -1. */
int local_ids(const struct osb_local *, char ***ids, size_t *n,
    struct osb_error *);
void local_ids_free(char **ids, size_t n);

/* Remove path and everything under it (not crossing mounts). 0 or -1. */
int local_remove_tree(const char *path);

/* The sandbox's state ("Running"), "" when the record has none. */
const char *local_state_of(const json_t *rec);
/* Set status {state, reason, message, lastTransitionAt now}; reason and
 * message may be NULL (left out). */
void local_set_status(json_t *rec, const char *state, const char *reason,
    const char *message);
/* Is state one a sandbox ends in (Terminated, Failed)? */
int local_state_final(const char *state);

/* The integer runtime.key of rec, or -1. */
json_int_t local_runtime_int(const json_t *rec, const char *key);
/* The string runtime.key of rec, or NULL. */
const char *local_runtime_str(const json_t *rec, const char *key);

/* When pid started, in clock ticks since boot (/proc/pid/stat), or -1
 * when there is no such process. Tells a pid from a reused one. */
long long local_proc_start(pid_t pid);
/* Is the process the record names under key ("supervisor", "init")
 * still the one that was started? */
int local_proc_alive(const json_t *rec, const char *key);

/* Milliseconds since the epoch, now. */
int64_t local_now_ms(void);
/* ms as RFC 3339 UTC ("2025-11-16T14:30:45.123Z", "...:45Z" for whole
 * seconds) into buf (32 bytes). */
void local_time_format(int64_t ms, char *buf, size_t n);
/* RFC 3339 ("...Z", "+02:00", fractions) to ms; 0 or -1. */
int local_time_parse(const char *s, int64_t *ms);

#endif

/*
 * local_state.c — the local runtime's records: one directory per sandbox,
 * its state.json replaced whole under the sandbox's flock.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/time.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "local_state.h"
#include "util.h"

#define STATE_FILE	"state.json"
#define STATE_TEMP	"state.json.tmp"
#define LOCK_FILE	"lock"

/* dir/id or dir/id/name. */
int
local_path(const struct osb_local *l, const char *id, const char *name,
    char *buf)
{
	int n;

	if (name == NULL)
		n = snprintf(buf, PATH_MAX, "%s/%s", l->dir, id);
	else
		n = snprintf(buf, PATH_MAX, "%s/%s/%s", l->dir, id, name);
	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

int
local_why(char *why, size_t n, const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	len = strlen(why);
	if (saved != 0 && len < n)
		snprintf(why + len, n - len, ": %s", strerror(saved));
	return -1;
}

const char *
local_host_arch(void)
{
	struct utsname u;

	if (uname(&u) == -1)
		return "";
	if (strcmp(u.machine, "x86_64") == 0)
		return "amd64";
	if (strcmp(u.machine, "aarch64") == 0)
		return "arm64";
	return "";
}

void
local_runtime_root(const struct osb_local *l, char *buf)
{
	if (snprintf(buf, PATH_MAX, "%s/runtime", l->dir) >= PATH_MAX)
		*buf = '\0';
}

/* Exactly LOCAL_ID_LEN lowercase hex digits. */
int
local_id_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return i == LOCAL_ID_LEN;
}

/* 16 random bytes in hex. */
void
local_id_new(char *buf)
{
	unsigned char raw[LOCAL_ID_LEN / 2];
	size_t i;

	arc4random_buf(raw, sizeof(raw));
	for (i = 0; i < sizeof(raw); i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
}

/* flock the sandbox's lock file, waiting for it. */
int
local_lock(const struct osb_local *l, const char *id)
{
	char path[PATH_MAX];
	int fd;

	if (local_path(l, id, LOCK_FILE, path) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* No O_CREAT: a sandbox being removed must not get its lock back. */
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* The directory (0700) and an empty lock file. */
int
local_create_dir(const struct osb_local *l, const char *id)
{
	char path[PATH_MAX];
	int fd;

	if (local_path(l, id, NULL, path) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(path, 0700) == -1 || local_path(l, id, LOCK_FILE, path) == -1)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	close(fd);
	return 0;
}

/* Closing the descriptor drops the flock. */
void
local_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* err for a sandbox that is not there. */
static void
not_found(const char *id, struct osb_error *err)
{
	osb_error_set(err, 404, "SANDBOX_NOT_FOUND", "sandbox %s: no such "
	    "sandbox", id);
}

/* Read and parse state.json. */
json_t *
local_read(const struct osb_local *l, const char *id, struct osb_error *err)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *rec;

	if (!local_id_valid(id) || local_path(l, id, STATE_FILE, path) == -1) {
		not_found(id, err);
		return NULL;
	}
	if ((rec = json_load_file(path, 0, &jerr)) != NULL &&
	    json_is_object(json_object_get(rec, "sandbox")))
		return rec;
	json_decref(rec);
	if (access(path, F_OK) == -1 && errno == ENOENT)
		not_found(id, err);
	else
		osb_error_set(err, 500, "RUNTIME_ERROR", "sandbox %s: %s: %s",
		    id, path, jerr.text);
	return NULL;
}

/* state.json.tmp, then renamed over state.json. */
int
local_write(const struct osb_local *l, const char *id, const json_t *rec,
    struct osb_error *err)
{
	char tmp[PATH_MAX], path[PATH_MAX], *text;
	int fd, rc;

	if (local_path(l, id, STATE_TEMP, tmp) == -1 ||
	    local_path(l, id, STATE_FILE, path) == -1 ||
	    (text = json_dumps(rec, JSON_COMPACT)) == NULL) {
		osb_error_set(err, 500, "RUNTIME_ERROR", "sandbox %s: cannot "
		    "write its state", id);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	rc = fd == -1 || osb_write_all(fd, text, strlen(text)) == -1 ||
	    close(fd) == -1 || rename(tmp, path) == -1 ? -1 : 0;
	if (rc == -1) {
		osb_error_set(err, 500, "RUNTIME_ERROR", "sandbox %s: write "
		    "%s: %s", id, path, strerror(errno));
		if (fd != -1)
			unlink(tmp);
	}
	free(text);
	return rc;
}

/* A read-modify-write of the record under its lock. */
int
local_update(const struct osb_local *l, const char *id, local_change_fn change,
    void *arg, json_t **out, struct osb_error *err)
{
	json_t *rec = NULL;
	int fd, rc = -1;

	if ((fd = local_lock(l, id)) == -1) {
		if (errno == ENOENT || errno == ENAMETOOLONG)
			not_found(id, err);
		else
			osb_error_set(err, 500, "RUNTIME_ERROR", "sandbox %s: "
			    "lock: %s", id, strerror(errno));
		return -1;
	}
	if ((rec = local_read(l, id, err)) == NULL)
		goto out;
	if ((rc = change(rec, arg, err)) == 0)
		rc = local_write(l, id, rec, err);
	else if (rc == 1)
		rc = 0;
out:
	local_unlock(fd);
	if (rc == 0 && out != NULL)
		*out = json_incref(rec);
	json_decref(rec);
	return rc;
}

/* Free what local_ids gave. */
void
local_ids_free(char **ids, size_t n)
{
	size_t i;

	for (i = 0; ids != NULL && i < n; i++)
		free(ids[i]);
	free(ids);
}

/* The names in the state directory that are ids. */
int
local_ids(const struct osb_local *l, char ***ids, size_t *n,
    struct osb_error *err)
{
	struct dirent *de;
	size_t cap = 0;
	char **grown;
	DIR *d;

	*ids = NULL;
	*n = 0;
	if ((d = opendir(l->dir)) == NULL) {
		osb_error_set(err, 500, "RUNTIME_ERROR", "list sandboxes: %s: "
		    "%s", l->dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!local_id_valid(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = reallocarray(*ids, cap,
			    sizeof(char *))) == NULL)
				break;
			*ids = grown;
		}
		if (((*ids)[*n] = strdup(de->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	if (de != NULL) {
		local_ids_free(*ids, *n);
		*ids = NULL;
		*n = 0;
		osb_error_set(err, 500, "RUNTIME_ERROR", "list sandboxes: out "
		    "of memory");
		return -1;
	}
	return 0;
}

/* nftw callback: remove what is found, children first. */
static int
remove_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_DP)
		return rmdir(path) == -1 && errno != ENOENT ? -1 : 0;
	return unlink(path) == -1 && errno != ENOENT ? -1 : 0;
}

/* rm -rf, without following symlinks. */
int
local_remove_tree(const char *path)
{
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* sandbox.status.state of rec. */
const char *
local_state_of(const json_t *rec)
{
	const char *s = json_string_value(json_object_get(json_object_get(
	    json_object_get(rec, "sandbox"), "status"), "state"));

	return s ? s : "";
}

/* A new status object, stamped now. */
void
local_set_status(json_t *rec, const char *state, const char *reason,
    const char *message)
{
	json_t *status = json_object();
	char now[32];

	local_time_format(local_now_ms(), now, sizeof(now));
	json_object_set_new(status, "state", json_string(state));
	if (reason != NULL)
		json_object_set_new(status, "reason", json_string(reason));
	if (message != NULL)
		json_object_set_new(status, "message", json_string(message));
	json_object_set_new(status, "lastTransitionAt", json_string(now));
	json_object_set_new(json_object_get(rec, "sandbox"), "status", status);
}

/* Terminated and Failed are for good. */
int
local_state_final(const char *state)
{
	return strcmp(state, "Terminated") == 0 || strcmp(state, "Failed") == 0;
}

/* runtime.key as an integer. */
json_int_t
local_runtime_int(const json_t *rec, const char *key)
{
	const json_t *v = json_object_get(json_object_get(rec, "runtime"), key);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* runtime.key as a string. */
const char *
local_runtime_str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(json_object_get(rec,
	    "runtime"), key));
}

/* Field 22 of /proc/pid/stat, -1 for a zombie or none. */
long long
local_proc_start(pid_t pid)
{
	char path[64], buf[1024], *p;
	long long start = -1;
	ssize_t len;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	/* The name may hold spaces and parentheses: count from the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	/* After ")": state is field 3, starttime field 22. */
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p != NULL)
		start = strtoll(p + 1, NULL, 10);
	/* A zombie has ended: its tree is gone or going. */
	if (strncmp(strrchr(buf, ')'), ") Z", 3) == 0)
		return -1;
	return start;
}

/* The pid under key, started when runtime.<key>Start says. */
int
local_proc_alive(const json_t *rec, const char *key)
{
	char startkey[64];
	json_int_t pid = local_runtime_int(rec, key);
	long long start;

	snprintf(startkey, sizeof(startkey), "%sStart", key);
	if (pid <= 0)
		return 0;
	start = local_proc_start((pid_t)pid);
	return start >= 0 && start == local_runtime_int(rec, startkey);
}

/* CLOCK_REALTIME in milliseconds. */
int64_t
local_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* UTC, with milliseconds unless there are none. */
void
local_time_format(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	char secs[24];

	gmtime_r(&t, &tm);
	strftime(secs, sizeof(secs), "%Y-%m-%dT%H:%M:%S", &tm);
	/* Whole seconds as callers often write them: a renewal to
	 * "...:45Z" says "...:45Z" back. */
	if (ms % 1000 == 0)
		snprintf(buf, n, "%sZ", secs);
	else
		snprintf(buf, n, "%s.%03dZ", secs, (int)(ms % 1000));
}

/* Read exactly n digits at *p into *v. 0 or -1. */
static int
digits(const char **p, int n, int *v)
{
	for (*v = 0; n > 0; n--, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

/* The zone at p ("Z", "+HH:MM", "-HHMM") in seconds east into *off. */
static int
zone(const char *p, long *off)
{
	int h, m, sign;

	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*off = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &h) == -1)
		return -1;
	if (*p == ':')
		p++;
	if (digits(&p, 2, &m) == -1 || *p != '\0' || h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600L + m * 60L);
	return 0;
}

/* YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM). */
int
local_time_parse(const char *s, int64_t *ms)
{
	struct tm tm = { 0 };
	const char *p = s;
	int y, mo, d, h, mi, sec, frac = 0, scale = 100;
	long off;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d) || (*p != 'T' && *p != 't' &&
	    *p != ' ') || (p++, digits(&p, 2, &h)) || *p++ != ':' ||
	    digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
			frac += (*p - '0') * scale;
	}
	if (zone(p, &off) == -1 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ms = ((int64_t)timegm(&tm) - off) * 1000 + frac;
	return 0;
}

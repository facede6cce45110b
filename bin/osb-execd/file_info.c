/*
 * file_info.c — FileInfo objects, and permissions read from the API and
 * applied to files.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "file_util.h"
#include "log.h"

/* RFC 3339 UTC with nanoseconds, trailing zeros dropped (as Go prints). */
static json_t *
time_json(const struct timespec *ts)
{
	char buf[64], frac[24];
	struct tm tm;
	time_t sec = ts->tv_sec;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	if (ts->tv_nsec > 0) {
		snprintf(frac, sizeof(frac), ".%09ld", ts->tv_nsec);
		for (size_t end = strlen(frac); frac[end - 1] == '0'; end--)
			frac[end - 1] = '\0';
		n += strlcpy(buf + n, frac, sizeof(buf) - n);
	}
	strlcpy(buf + n, "Z", sizeof(buf) - n);
	return json_string(buf);
}

/* The user name of uid (its number when it has none), cached in names. */
static const char *
user_name(uid_t uid, struct file_names *names)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (names->have_user && names->uid == uid)
		return names->user;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found)
		strlcpy(names->user, found->pw_name, sizeof(names->user));
	else
		snprintf(names->user, sizeof(names->user), "%lu",
		    (unsigned long)uid);
	names->uid = uid;
	names->have_user = 1;
	return names->user;
}

/* The group name of gid (its number when it has none), cached in names. */
static const char *
group_name(gid_t gid, struct file_names *names)
{
	struct group gr, *found = NULL;
	char buf[4096];

	if (names->have_group && names->gid == gid)
		return names->group;
	if (getgrgid_r(gid, &gr, buf, sizeof(buf), &found) == 0 && found)
		strlcpy(names->group, found->gr_name, sizeof(names->group));
	else
		snprintf(names->group, sizeof(names->group), "%lu",
		    (unsigned long)gid);
	names->gid = gid;
	names->have_group = 1;
	return names->group;
}

/* "file", "directory", "symlink" or "other". */
static const char *
file_type(mode_t mode)
{
	if (S_ISLNK(mode))
		return "symlink";
	if (S_ISDIR(mode))
		return "directory";
	if (S_ISREG(mode))
		return "file";
	return "other";
}

/* {path, type, size, modified_at, created_at, owner, group, mode}. */
json_t *
file_info(const char *path, const struct stat *st, struct file_names *names)
{
	/* The API writes modes as octal digits read as decimal: 755. */
	int mode = (int)((st->st_mode >> 6) & 7) * 100 +
	    (int)((st->st_mode >> 3) & 7) * 10 + (int)(st->st_mode & 7);

	return json_pack("{s:s, s:s, s:I, s:o, s:o, s:s, s:s, s:i}",
	    "path", path,
	    "type", file_type(st->st_mode),
	    "size", (json_int_t)st->st_size,
	    "modified_at", time_json(&st->st_mtim),
	    "created_at", time_json(&st->st_ctim),
	    "owner", user_name(st->st_uid, names),
	    "group", group_name(st->st_gid, names),
	    "mode", mode);
}

/* Decimal digits of an octal mode (755) to the mode (0755); -1 if bad. */
static long
octal_digits(json_int_t v)
{
	long mode = 0, scale = 1;

	if (v < 0 || v > 7777)
		return -1;
	for (; v > 0; v /= 10, scale *= 8) {
		if (v % 10 > 7)
			return -1;
		mode += (long)(v % 10) * scale;
	}
	return mode;
}

/* Look up a user by name (or number); (uid_t)-1 when there is none. */
static uid_t
lookup_user(const char *name)
{
	struct passwd pw, *found = NULL;
	char buf[4096], *end;
	unsigned long id;

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &found) == 0 && found)
		return found->pw_uid;
	errno = 0;
	id = strtoul(name, &end, 10);
	if (isdigit((unsigned char)name[0]) && *end == '\0' && errno == 0 &&
	    id < (uid_t)-1)
		return (uid_t)id;
	execd_log(LOG_WARN_, "no user %s: owner left as it is", name);
	return (uid_t)-1;
}

/* Look up a group by name (or number); (gid_t)-1 when there is none. */
static gid_t
lookup_group(const char *name)
{
	struct group gr, *found = NULL;
	char buf[4096], *end;
	unsigned long id;

	if (getgrnam_r(name, &gr, buf, sizeof(buf), &found) == 0 && found)
		return found->gr_gid;
	errno = 0;
	id = strtoul(name, &end, 10);
	if (isdigit((unsigned char)name[0]) && *end == '\0' && errno == 0 &&
	    id < (gid_t)-1)
		return (gid_t)id;
	execd_log(LOG_WARN_, "no group %s: group left as it is", name);
	return (gid_t)-1;
}

/* The string member key of obj in *s (NULL when absent, null or "");
 * -1 when it is something else. */
static int
optional_string(const json_t *obj, const char *key, const char **s)
{
	const json_t *v = json_object_get(obj, key);

	*s = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	if (json_string_length(v) > 0)
		*s = json_string_value(v);
	return 0;
}

/* Read {"owner","group","mode"} into perm; -1 with a reason in err. */
int
file_perm_parse(const json_t *obj, struct file_perm *perm, char *err,
    size_t errlen)
{
	const json_t *mode;
	const char *owner, *group;
	long m;

	perm->set_mode = 0;
	perm->mode = 0;
	perm->uid = (uid_t)-1;
	perm->gid = (gid_t)-1;
	if (!json_is_object(obj)) {
		snprintf(err, errlen, "permission must be an object");
		return -1;
	}
	mode = json_object_get(obj, "mode");
	if (mode && !json_is_null(mode)) {
		if (!json_is_integer(mode) ||
		    (m = octal_digits(json_integer_value(mode))) < 0) {
			snprintf(err, errlen,
			    "mode must be octal digits like 755");
			return -1;
		}
		perm->mode = (mode_t)m;
		perm->set_mode = m != 0;	/* 0 leaves it, as in Go */
	}
	if (optional_string(obj, "owner", &owner) < 0 ||
	    optional_string(obj, "group", &group) < 0) {
		snprintf(err, errlen, "owner and group must be strings");
		return -1;
	}
	if (owner)
		perm->uid = lookup_user(owner);
	if (group)
		perm->gid = lookup_group(group);
	return 0;
}

/* The Permission of each member of body, in order; NULL after a reply. */
struct file_perm *
file_perms_of(struct osb_req *req, json_t *body)
{
	struct file_perm *perms;
	const char *path;
	json_t *value;
	char err[128];
	size_t i = 0;

	perms = calloc(json_object_size(body) + 1, sizeof(*perms));
	if (perms == NULL) {
		osb_reply_error(req, 500, OSB_E_RUNTIME, "out of memory");
		return NULL;
	}
	json_object_foreach(body, path, value) {
		if (file_perm_parse(value, &perms[i++], err, sizeof(err)) < 0) {
			osb_reply_error(req, 400, OSB_E_INVALID, "%s: %s", path,
			    err);
			free(perms);
			return NULL;
		}
	}
	return perms;
}

/* chmod then chown, by descriptor or path; -1 with *op what failed. */
int
file_perm_apply(const char *path, int fd, const struct file_perm *perm,
    const char **op)
{
	int rc;

	if (perm->set_mode) {
		*op = "chmod";
		rc = fd >= 0 ? fchmod(fd, perm->mode) : chmod(path, perm->mode);
		if (rc < 0)
			return -1;
	}
	if (perm->uid != (uid_t)-1 || perm->gid != (gid_t)-1) {
		*op = "chown";
		rc = fd >= 0 ? fchown(fd, perm->uid, perm->gid) :
		    chown(path, perm->uid, perm->gid);
		if (rc < 0)
			return -1;
	}
	return 0;
}

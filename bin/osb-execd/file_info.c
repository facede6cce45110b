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

/* The name of a user id (a group id when group) into buf; -1: none. */
static int
id_to_name(unsigned long id, int group, char *buf, size_t len)
{
	struct passwd pw, *user = NULL;
	struct group gr, *grp = NULL;
	char tmp[4096];

	if (group && getgrgid_r((gid_t)id, &gr, tmp, sizeof(tmp), &grp) == 0 &&
	    grp)
		strlcpy(buf, grp->gr_name, len);
	else if (!group && getpwuid_r((uid_t)id, &pw, tmp, sizeof(tmp),
	    &user) == 0 && user)
		strlcpy(buf, user->pw_name, len);
	else
		return -1;
	return 0;
}

/* The name of id (its number when it has none), looked up once in c. */
static const char *
cached_name(struct id_name *c, unsigned long id, int group)
{
	if (c->have && c->id == id)
		return c->name;
	if (id_to_name(id, group, c->name, sizeof(c->name)) < 0)
		snprintf(c->name, sizeof(c->name), "%lu", id);
	c->id = id;
	c->have = 1;
	return c->name;
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

	return json_pack("{s:o, s:s, s:I, s:o, s:o, s:s, s:s, s:i}",
	    "path", file_name_json(path),
	    "type", file_type(st->st_mode),
	    "size", (json_int_t)st->st_size,
	    "modified_at", time_json(&st->st_mtim),
	    "created_at", time_json(&st->st_ctim),
	    "owner", cached_name(&names->user, st->st_uid, 0),
	    "group", cached_name(&names->group, st->st_gid, 1),
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

/*
 * The id of the user (the group when group) of that name, or written as
 * a number; -1 when there is none.
 */
static long long
name_to_id(const char *name, int group)
{
	struct passwd pw, *user = NULL;
	struct group gr, *grp = NULL;
	char buf[4096], *end;
	unsigned long id;

	if (group && getgrnam_r(name, &gr, buf, sizeof(buf), &grp) == 0 && grp)
		return grp->gr_gid;
	if (!group && getpwnam_r(name, &pw, buf, sizeof(buf), &user) == 0 &&
	    user)
		return user->pw_uid;
	errno = 0;
	id = strtoul(name, &end, 10);
	/* uid_t and gid_t are alike; -1 of either means "leave it". */
	if (isdigit((unsigned char)name[0]) && *end == '\0' && errno == 0 &&
	    id < (uid_t)-1)
		return (long long)id;
	return -1;
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
	/* The Go execd logs an unknown name and leaves the owner, so the
	 * client is told all went well when it did not: log it, refuse. */
	if (owner && (perm->uid = (uid_t)name_to_id(owner, 0)) == (uid_t)-1) {
		execd_log(LOG_WARN_, "no user %s: refused", owner);
		snprintf(err, errlen, "owner %s: no such user", owner);
		return -1;
	}
	if (group && (perm->gid = (gid_t)name_to_id(group, 1)) == (gid_t)-1) {
		execd_log(LOG_WARN_, "no group %s: refused", group);
		snprintf(err, errlen, "group %s: no such group", group);
		return -1;
	}
	return 0;
}

/* The Permission of each member of body, in order (a malloc'd array);
 * NULL after replying 400 naming the bad one, or 500. */
static struct file_perm *
perms_of(struct osb_req *req, json_t *body)
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

/* fn for each entry of a {path: Permission} body; see file_util.h. */
int
file_each_perm(struct osb_req *req, file_perm_fn fn)
{
	struct file_perm *perms;
	const char *path, *op;
	json_t *body, *value;
	size_t i = 0;
	char *abs;

	if ((body = file_body_object(req, "path: permission")) == NULL)
		return 0;
	if ((perms = perms_of(req, body)) != NULL) {
		json_object_foreach(body, path, value) {
			if ((abs = file_path(req, path)) == NULL)
				break;
			if (fn(abs, &perms[i++], &op) < 0)
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

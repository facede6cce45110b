/*
 * tmp_journal.c — temp files noted as symlinks in a locked directory per
 * daemon; those of dead daemons swept at start (see tmp_journal.h).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmp_journal.h"

#define RUN_PREFIX "run."
#define LOCK_NAME "lock"

static char run_dir[PATH_MAX];	/* "" until tmp_journal_open worked */
static int lock_fd = -1;
static atomic_uint next_entry;

/* dir/name into buf; -1 when it does not fit. */
static int
join(char *buf, size_t n, const char *dir, const char *name)
{
	int len = snprintf(buf, n, "%s/%s", dir, name);

	return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* The journal root of this user into buf; -1 when it can't be used. */
static int
journal_root(char *buf, size_t n, char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	struct stat st;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(buf, n, "%s/osb-execd-journal-%u", dir, (unsigned)getuid());
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		goto fail;
	/* Anyone may make a name in /tmp: it must be our own directory. */
	if (lstat(buf, &st) < 0)
		goto fail;
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "temp file journal %s: not a private "
		    "directory of ours", buf);
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "temp file journal %s: %s", buf,
	    strerror(errno));
	return -1;
}

/* Is path's last component one of our temp names, ".NAME.osb-XXXXXX"? */
static int
ours(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	return base[0] == '.' && len > 12 &&
	    strncmp(base + len - 11, ".osb-", 5) == 0;
}

/* Remove the temp files a dead daemon's journal dir names, then the
 * dir; the number removed. */
static int
sweep_dir(const char *dir)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	DIR *d;
	ssize_t len;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (join(path, sizeof(path), dir, de->d_name) < 0)
			continue;
		len = readlink(path, target, sizeof(target) - 1);
		if (len > 0) {
			target[len] = '\0';
			if (ours(target) && unlink(target) == 0)
				n++;
		}
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
	return n;
}

/* Sweep every journal dir under root whose lock nobody holds. */
static int
sweep_dead(const char *root)
{
	char dir[PATH_MAX], lock[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int fd, n = 0;

	if ((d = opendir(root)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, RUN_PREFIX, strlen(RUN_PREFIX)) != 0)
			continue;
		if (join(dir, sizeof(dir), root, de->d_name) < 0 ||
		    join(lock, sizeof(lock), dir, LOCK_NAME) < 0)
			continue;
		fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		/* No lock: a daemon between mkdtemp and its lock, or one
		 * that died there; the next start will see. */
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			n += sweep_dir(dir);
		close(fd);
	}
	closedir(d);
	return n;
}

/* Make our journal dir and lock it; sweep the dead ones. */
int
tmp_journal_open(char *err, size_t errlen)
{
	char root[PATH_MAX - 32], lock[PATH_MAX], final[PATH_MAX];
	int n;

	if (journal_root(root, sizeof(root), err, errlen) < 0)
		return -1;
	n = sweep_dead(root);
	snprintf(run_dir, sizeof(run_dir), "%s/" RUN_PREFIX "XXXXXX", root);
	if (mkdtemp(run_dir) == NULL)
		goto fail;
	/* Locked before it has its name: a sweeper never sees it free. */
	if (join(lock, sizeof(lock), run_dir, LOCK_NAME ".new") < 0 ||
	    join(final, sizeof(final), run_dir, LOCK_NAME) < 0) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	lock_fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX) < 0 ||
	    rename(lock, final) < 0)
		goto fail;
	return n;
fail:
	snprintf(err, errlen, "temp file journal %s: %s", run_dir,
	    strerror(errno));
	run_dir[0] = '\0';
	return -1;
}

/* A symlink in our journal naming tmp. */
void
tmp_journal_note(const char *tmp, struct tmp_entry *e)
{
	char path[PATH_MAX];

	e->name[0] = '\0';
	if (run_dir[0] == '\0')
		return;
	snprintf(e->name, sizeof(e->name), "t%u",
	    atomic_fetch_add(&next_entry, 1));
	if (join(path, sizeof(path), run_dir, e->name) < 0 ||
	    symlink(tmp, path) < 0)
		e->name[0] = '\0';
}

/* Remove tmp's symlink. */
void
tmp_journal_forget(struct tmp_entry *e)
{
	char path[PATH_MAX];

	if (run_dir[0] == '\0' || e->name[0] == '\0')
		return;
	if (join(path, sizeof(path), run_dir, e->name) == 0)
		unlink(path);
	e->name[0] = '\0';
}

/* Remove our journal dir (empty by now, unless a request is still
 * writing, whose temp file the next start sweeps). */
void
tmp_journal_close(void)
{
	char root[PATH_MAX], *slash;

	if (run_dir[0] == '\0')
		return;
	sweep_dir(run_dir);
	close(lock_fd);
	lock_fd = -1;
	/* The root too when no other daemon uses it. */
	snprintf(root, sizeof(root), "%s", run_dir);
	if ((slash = strrchr(root, '/')) != NULL) {
		*slash = '\0';
		rmdir(root);
	}
	run_dir[0] = '\0';
}

/*
 * local_root.c — a sandbox's root file system, made in the supervisor's
 * own mount namespace out of idmapped clones of the host's directories
 * and overlays on them. Paths given to the kernel are relative to the
 * sandbox's directory (the supervisor's working directory): the state
 * path may hold a ',' or ':' that overlay's options cannot.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_oci.h"
#include "local_root.h"

/* The host's software, shared copy-on-write; a link on the host (a
 * merged /usr) is the same link in the sandbox. */
static const char *const software[] = { "usr", "etc", "opt", "bin", "sbin",
    "lib", "lib32", "lib64", "libx32", NULL };
/* Mount points in every root, with their modes; then the directories
 * that are fresh and empty in a host root. */
static const struct { const char *name; mode_t mode; } fresh[] = {
	{ "proc", 0555 }, { "sys", 0555 }, { "dev", 0755 }, { "tmp", 01777 },
	{ ".osb", 0755 },
#define NMOUNTPOINTS 5
	{ "root", 0700 }, { "home", 0755 }, { "var", 0755 },
	{ "var/tmp", 01777 }, { "srv", 0755 }, { "mnt", 0755 },
	{ "media", 0755 }, { "run", 0755 },
};
/* Secrets of the host's /etc no sandbox sees. */
static const char *const hidden[] = { "etc/shadow", "etc/shadow-",
    "etc/gshadow", "etc/gshadow-", "etc/ssh/ssh_host_*_key", NULL };

/*
 * A user namespace mapping 0..LOCAL_ID_COUNT to id_base..: a child
 * made in it holds it while we open it. Its fd, or -1.
 */
static int
map_userns(unsigned id_base)
{
	char path[64], map[64];
	int fd = -1, go[2], mfd;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		char c;

		close(go[1]);
		if (unshare(CLONE_NEWUSER) == -1)
			_exit(1);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	if (pid == -1) {
		close(go[1]);
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u %d\n", id_base, LOCAL_ID_COUNT);
	/* Wait until the child is in its namespace: its map is writable. */
	for (int tries = 0; tries < 10000 && fd == -1; tries++) {
		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		if ((mfd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
			break;
		if (write(mfd, map, strlen(map)) > 0) {
			close(mfd);
			snprintf(path, sizeof(path), "/proc/%d/gid_map",
			    (int)pid);
			if ((mfd = open(path, O_WRONLY | O_CLOEXEC)) != -1 &&
			    write(mfd, map, strlen(map)) > 0) {
				snprintf(path, sizeof(path), "/proc/%d/ns/user",
				    (int)pid);
				fd = open(path, O_RDONLY | O_CLOEXEC);
			}
		}
		if (mfd != -1)
			close(mfd);
		if (fd == -1)
			usleep(100);
	}
	close(go[1]);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
	return fd;
}

/* A detached clone of the tree at fd (AT_EMPTY_PATH) or path, its ids
 * mapped through userns (-1: as they are). -1 with errno set. */
static int
clone_mapped(int dirfd, const char *path, int userns)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP,
	    .userns_fd = (unsigned)userns };
	int fd = (int)syscall(SYS_open_tree, dirfd, path, OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_RECURSIVE | (*path ? 0 : AT_EMPTY_PATH));
	int saved;

	if (fd == -1 || userns == -1)
		return fd;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
	    &attr, sizeof(attr)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Attach the detached mount fd on target (made: a directory, or an
 * empty file for a file). 0 or -1. */
static int
attach(int fd, const char *target)
{
	struct stat st;
	int t;

	if (fstat(fd, &st) == -1)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(target, 0700) == -1 && errno != EEXIST)
			return -1;
	} else if ((t = open(target, O_WRONLY | O_CREAT | O_CLOEXEC,
	    0600)) != -1)
		close(t);
	return (int)syscall(SYS_move_mount, fd, "", AT_FDCWD, target,
	    MOVE_MOUNT_F_EMPTY_PATH);
}

/* mkdir path owned by the sandbox's root, with mode. 0 or -1. */
static int
make_dir(const char *path, mode_t mode, unsigned id_base)
{
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		return -1;
	if (chmod(path, mode) == -1)
		return -1;
	return chown(path, id_base, id_base);
}

/*
 * An overlay of the host's (or an image's) directory host on target:
 * lower/NAME the idmapped clone, upper/NAME and work/NAME its writable
 * layer, the upper's root owned and moded as the lower's is inside.
 */
static int
overlay(const char *host, const char *name, const char *target, int userns,
    unsigned id_base, char *why, size_t n)
{
	char lower[PATH_MAX], upper[PATH_MAX], work[PATH_MAX];
	char opts[3 * PATH_MAX + 64];
	struct stat st;
	int fd;

	snprintf(lower, sizeof(lower), "lower/%s", name);
	snprintf(upper, sizeof(upper), "upper/%s", name);
	snprintf(work, sizeof(work), "work/%s", name);
	if (stat(host, &st) == -1)
		return local_why(why, n, "%s", host);
	if ((fd = clone_mapped(AT_FDCWD, host, userns)) == -1)
		return local_why(why, n, "map the ids of %s", host);
	if (attach(fd, lower) == -1) {
		close(fd);
		return local_why(why, n, "mount %s", host);
	}
	close(fd);
	/* Without root (userns -1) the host's ids are not ours to give: the
	 * layer is ours, root's inside, and overlay keeps its own attributes
	 * in user xattrs. */
	if (mkdir(upper, st.st_mode & 07777) == -1 || (userns != -1 &&
	    chown(upper, st.st_uid + id_base, st.st_gid + id_base) == -1) ||
	    mkdir(work, 0700) == -1)
		return local_why(why, n, "make the layer of %s", host);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s%s",
	    lower, upper, work, userns == -1 ? ",userxattr" : "");
	if (mount("overlay", target, "overlay", 0, opts) == -1)
		return local_why(why, n, "mount an overlay of %s", host);
	return 0;
}

/* A file at path with text, the sandbox's root's. */
static int
put_file(const char *path, const char *text, unsigned id_base)
{
	FILE *f;
	int bad;

	(void)!unlink(path);
	if ((f = fopen(path, "we")) == NULL)
		return -1;
	bad = fputs(text, f) == EOF;
	if (fclose(f) == EOF || bad)
		return -1;
	return chown(path, id_base, id_base);
}

/* Hide the host's secrets: removed through the overlay, they are
 * whiteouts in its layer. */
static void
hide_secrets(void)
{
	char path[PATH_MAX];
	glob_t g;
	size_t i, j;

	for (i = 0; hidden[i] != NULL; i++) {
		snprintf(path, sizeof(path), "rootfs/%s", hidden[i]);
		if (glob(path, 0, NULL, &g) != 0)
			continue;
		for (j = 0; j < g.gl_pathc; j++)
			(void)!unlink(g.gl_pathv[j]);
		globfree(&g);
	}
}

/* The host root: the software copy-on-write, the rest fresh. */
static int
host_root(int userns, unsigned id_base, char *why, size_t n)
{
	char host[PATH_MAX], target[PATH_MAX], link[PATH_MAX];
	struct stat st;
	ssize_t len;
	size_t i;

	for (i = 0; software[i] != NULL; i++) {
		snprintf(host, sizeof(host), "/%s", software[i]);
		snprintf(target, sizeof(target), "rootfs/%s", software[i]);
		if (lstat(host, &st) == -1)
			continue;
		if (S_ISLNK(st.st_mode)) {
			if ((len = readlink(host, link, sizeof(link) - 1)) <= 0)
				continue;
			link[len] = '\0';
			if (symlink(link, target) == -1 ||
			    lchown(target, id_base, id_base) == -1)
				return local_why(why, n, "link %s", target);
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (make_dir(target, st.st_mode & 07777, id_base) == -1)
			return local_why(why, n, "mkdir %s", target);
		if (overlay(host, software[i], target, userns, id_base, why,
		    n) == -1)
			return -1;
	}
	hide_secrets();
	return 0;
}

/* An image directory as the lower layer of the whole root. */
static int
image_root(const char *image, int userns, unsigned id_base, char *why,
    size_t n)
{
	if (overlay(image, "root", "rootfs", userns, id_base, why, n) == -1)
		return -1;
	if (make_dir("rootfs/etc", 0755, id_base) == -1)
		return local_why(why, n, "make /etc in %s", image);
	return 0;
}

/* Mount points and the files every sandbox has: /etc/hosts, its
 * resolver (the user-mode network's), osb's programs' places. */
static int
finish_root(int image, const char *hostname, unsigned id_base, char *why,
    size_t n)
{
	char path[PATH_MAX], text[256];
	size_t i;

	for (i = 0; i < (image ? NMOUNTPOINTS : sizeof(fresh) /
	    sizeof(fresh[0])); i++) {
		snprintf(path, sizeof(path), "rootfs/%s", fresh[i].name);
		if (make_dir(path, fresh[i].mode, id_base) == -1)
			return local_why(why, n, "mkdir /%s", fresh[i].name);
	}
	snprintf(text, sizeof(text), "127.0.0.1\tlocalhost\n::1\tlocalhost "
	    "ip6-localhost ip6-loopback\n10.0.2.100\t%s\n", hostname);
	snprintf(path, sizeof(path), "rootfs/etc/hosts");
	if (put_file(path, text, id_base) == -1)
		return local_why(why, n, "write /etc/hosts");
	snprintf(path, sizeof(path), "rootfs/etc/hostname");
	snprintf(text, sizeof(text), "%s\n", hostname);
	if (put_file(path, text, id_base) == -1)
		return local_why(why, n, "write /etc/hostname");
	snprintf(path, sizeof(path), "rootfs/etc/resolv.conf");
	if (put_file(path, "nameserver 10.0.2.3\n", id_base) == -1)
		return local_why(why, n, "write /etc/resolv.conf");
	return 0;
}

int
local_open_beneath(const char *base, const char *sub)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	int dfd, fd, saved;

	if ((dfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (sub == NULL || *sub == '\0')
		return dfd;
	fd = (int)syscall(SYS_openat2, dfd, sub, &how, sizeof(how));
	saved = errno;
	close(dfd);
	errno = saved;
	return fd;
}

/* Each volume: its source (subPath beneath it) cloned, ids mapped, at
 * volumes/N; vols[i].source names it for the runtime. */
static int
clone_volumes(const char *sbdir, const struct local_plan *plan, int userns,
    struct local_mount *vols, char *why, size_t n)
{
	char at[64];
	size_t i;
	int src, fd;

	if (plan->nmounts > 0 && mkdir("volumes", 0700) == -1)
		return local_why(why, n, "mkdir volumes");
	for (i = 0; i < plan->nmounts; i++) {
		vols[i] = plan->mounts[i];
		if ((src = local_open_beneath(plan->mounts[i].source,
		    plan->mounts[i].sub)) == -1)
			return local_why(why, n, "volume %s%s%s",
			    plan->mounts[i].source, *plan->mounts[i].sub ?
			    "/" : "", plan->mounts[i].sub);
		fd = clone_mapped(src, "", userns);
		close(src);
		snprintf(at, sizeof(at), "volumes/%zu", i);
		if (fd == -1 || attach(fd, at) == -1) {
			if (fd != -1)
				close(fd);
			return local_why(why, n, "mount volume %s",
			    plan->mounts[i].source);
		}
		close(fd);
		snprintf(vols[i].source, sizeof(vols[i].source), "%s/%s",
		    sbdir, at);
		vols[i].sub[0] = '\0';
	}
	return 0;
}

/* Places on the host that every user may pass through: one of them,
 * covered by a tmpfs in our mount namespace only, is where the runtime
 * finds the root and the sources of the binds. In a user namespace it
 * cannot pass through osb's private state directory. */
static const char *const stages[] = { "/mnt", "/media", "/srv", "/run",
    NULL };

/* Cover a stage with a tmpfs of our own; its path into stage. */
static int
make_stage(char *stage, char *why, size_t n)
{
	struct stat st;
	size_t i;

	for (i = 0; stages[i] != NULL; i++)
		if (stat(stages[i], &st) == 0 && S_ISDIR(st.st_mode) &&
		    (st.st_mode & 0001) && mount("osb", stages[i], "tmpfs",
		    MS_NOSUID | MS_NODEV, "mode=0755,size=64k") == 0) {
			strlcpy(stage, stages[i], PATH_MAX);
			return 0;
		}
	return local_why(why, n, "no directory to stage the sandbox's root in "
	    "(one of /mnt, /media, /srv, /run)");
}

int
local_stage_bind(const char *stage, const char *source, const char *name,
    char *out)
{
	struct stat st;
	int fd;

	if (snprintf(out, PATH_MAX, "%s/%s", stage, name) >= PATH_MAX ||
	    stat(source, &st) == -1)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(out, 0755) == -1 && errno != EEXIST)
			return -1;
	} else if ((fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) != -1)
		close(fd);
	else
		return -1;
	return mount(source, out, NULL, MS_BIND | MS_REC, NULL);
}

int
local_root_build(const char *sbdir, const struct local_plan *plan,
    const char *hostname, int rootless, struct local_mount *vols,
    char *stage, char *why, size_t n)
{
	unsigned id_base = rootless ? 0 : LOCAL_ID_BASE;
	char path[PATH_MAX];
	int userns = -1, rc;

	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return local_why(why, n, "make a mount namespace");
	if (!rootless && (userns = map_userns(id_base)) == -1)
		return local_why(why, n, "make a user namespace for ids %u-%u",
		    id_base, id_base + LOCAL_ID_COUNT - 1);
	if (make_dir("rootfs", 0755, id_base) == -1 ||
	    mkdir("lower", 0700) == -1 || mkdir("upper", 0755) == -1 ||
	    mkdir("work", 0700) == -1)
		rc = local_why(why, n, "make the layers in %s", sbdir);
	else if (plan->rootfs)
		rc = image_root(plan->lower, userns, id_base, why, n);
	else
		rc = host_root(userns, id_base, why, n);
	if (rc == 0)
		rc = finish_root(plan->rootfs, hostname, id_base, why, n);
	if (rc == 0)
		rc = clone_volumes(sbdir, plan, userns, vols, why, n);
	if (userns != -1)
		close(userns);
	if (rc == 0)
		rc = make_stage(stage, why, n);
	if (rc == 0 && (snprintf(path, sizeof(path), "%s/rootfs", stage),
	    mkdir(path, 0755) == -1 || mount("rootfs", path, NULL, MS_BIND |
	    MS_REC, NULL) == -1))
		rc = local_why(why, n, "stage the root in %s", stage);
	return rc;
}

/* Unmount everything under dir in our namespace, deepest first (lazily:
 * nothing in it is in use once the sandbox is gone). */
void
local_root_unmount(const char *dir)
{
	char line[2 * PATH_MAX], at[PATH_MAX];
	size_t len = strlen(dir);
	int found = 1, pass;
	FILE *f;

	/* A pass unmounts what it sees; what was under it goes along. */
	for (pass = 0; found && pass < 8; pass++) {
		found = 0;
		if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
			return;
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "%*s %*s %*s %*s %4095s", at) == 1 &&
			    strncmp(at, dir, len) == 0 && at[len] == '/' &&
			    umount2(at, MNT_DETACH) == 0)
				found = 1;
		fclose(f);
	}
}

/*
 * local_root.c — the sandbox's file system, built in its own mount
 * namespace. Everything taken from the host (device nodes, volume
 * sources, the loader and libraries execd needs in a rootfs) is cloned
 * as a detached mount before the pivot and attached after it, so that a
 * symlink in the sandbox's tree can never lead a mount back onto the
 * host's.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <link.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_root.h"

static const char *const devices[] = { "null", "zero", "full", "random",
    "urandom", "tty" };
#define NDEVICES (sizeof(devices) / sizeof(devices[0]))

/* What is taken from the host: detached clones of its mounts (execd
 * itself opened O_PATH, to be run by descriptor). */
struct host {
	int dev[NDEVICES];
	int sys;
	int *vol;		/* one per plan mount */
	int execd;
	/* An image's rootfs: osb-execd, the loader and library dirs. */
	int execd_tree, loader;
	int libs[LOCAL_MAX_LIBDIRS];
	int nlibs;
};

/* Set why to the formatted reason and errno's text. Returns -1. */
static int __attribute__((format(printf, 3, 4)))
fail(char *why, size_t n, const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	len = strlen(why);
	if (saved != 0)
		snprintf(why + len, n - len, ": %s", strerror(saved));
	return -1;
}

/* A detached copy of the mount at path (and those under it), to be
 * attached in the sandbox's root. */
static int
clone_tree(const char *path)
{
	return open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_RECURSIVE);
}

/* The libraries this process (a copy of the program that runs
 * osb-execd, linked alike) has loaded: their directories and the
 * loader, the first from PT_INTERP. */
struct libscan {
	char loader[PATH_MAX];
	char dirs[LOCAL_MAX_LIBDIRS][PATH_MAX];
	int n;
};

/* dl_iterate_phdr callback: note one loaded object. */
static int
scan_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct libscan *ls = arg;
	char real[PATH_MAX];
	const char *dir;
	int i;

	(void)size;
	if (info->dlpi_name[0] == '\0') {
		for (i = 0; i < info->dlpi_phnum; i++)
			if (info->dlpi_phdr[i].p_type == PT_INTERP)
				strlcpy(ls->loader, (const char *)(info->dlpi_addr
				    + info->dlpi_phdr[i].p_vaddr),
				    sizeof(ls->loader));
		return 0;
	}
	if (strchr(info->dlpi_name, '/') == NULL ||
	    realpath(info->dlpi_name, real) == NULL)
		return 0;
	dir = dirname(real);
	for (i = 0; i < ls->n; i++)
		if (strcmp(ls->dirs[i], dir) == 0)
			return 0;
	if (ls->n < LOCAL_MAX_LIBDIRS)
		strlcpy(ls->dirs[ls->n++], dir, sizeof(ls->dirs[0]));
	return 0;
}

/* For an image's rootfs: osb-execd, the loader, the library dirs. */
static int
open_loader(const struct local_spawn *s, struct host *h, char *why, size_t n)
{
	struct libscan ls = { .n = 0 };
	int i;

	dl_iterate_phdr(scan_object, &ls);
	if (ls.loader[0] == '\0')
		return fail(why, n, "osb-execd: no program interpreter to run "
		    "it in a rootfs");
	if ((h->execd_tree = clone_tree(s->execd)) == -1)
		return fail(why, n, "clone %s", s->execd);
	if ((h->loader = clone_tree(ls.loader)) == -1)
		return fail(why, n, "clone %s", ls.loader);
	for (i = 0; i < ls.n; i++)
		if ((h->libs[h->nlibs++] = clone_tree(ls.dirs[i])) == -1)
			return fail(why, n, "clone %s", ls.dirs[i]);
	return 0;
}

/* Take what the root needs from the host: clones of its mounts made in
 * our new mount namespace (a clone must come from the caller's). */
static int
open_host(const struct local_spawn *s, struct host *h, char *why, size_t n)
{
	char path[64];
	size_t i;

	for (i = 0; i < NDEVICES; i++) {
		snprintf(path, sizeof(path), "/dev/%s", devices[i]);
		if ((h->dev[i] = clone_tree(path)) == -1)
			return fail(why, n, "clone %s", path);
	}
	if ((h->sys = clone_tree("/sys")) == -1)
		return fail(why, n, "clone /sys");
	if ((h->vol = calloc(s->plan->nmounts + 1, sizeof(int))) == NULL)
		return fail(why, n, "volumes");
	/* -1 ends the list for close_host. */
	for (i = 0; i <= s->plan->nmounts; i++)
		h->vol[i] = -1;
	for (i = 0; i < s->plan->nmounts; i++)
		if ((h->vol[i] = clone_tree(s->plan->mounts[i].source)) == -1)
			return fail(why, n, "volume %s",
			    s->plan->mounts[i].source);
	if (s->plan->rootfs)
		return open_loader(s, h, why, n);
	if ((h->execd = open(s->execd, O_PATH | O_CLOEXEC)) == -1)
		return fail(why, n, "open %s", s->execd);
	return 0;
}

/* mkdir -p path (inside the new root). 0 or -1. */
static int
mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX], *p;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) == -1 && errno != EEXIST ? -1 : 0;
}

/* Attach the detached mount fd onto target, a directory or a file made
 * for it; read-only all the way down when asked. 0 or -1. */
static int
bind_fd(int fd, const char *target, int read_only)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	char parent[PATH_MAX];
	struct stat st;
	int tfd;

	if (fstat(fd, &st) == -1)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		if (mkdir_p(target, 0755) == -1)
			return -1;
	} else {
		strlcpy(parent, target, sizeof(parent));
		if (mkdir_p(dirname(parent), 0755) == -1)
			return -1;
		tfd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (tfd == -1 && errno != EISDIR)
			return -1;
		if (tfd != -1)
			close(tfd);
	}
	if (read_only && mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
	    &ro, sizeof(ro)) == -1)
		return -1;
	return move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
}

/* Mount an overlay of lower on target, its upper and work directories
 * upper/NAME and work/NAME (relative: the state path may hold a ',' or
 * ':'). Without root, overlay keeps its attributes in user xattrs. */
static int
overlay(const char *lower, const char *name, const char *target, int userns)
{
	char opts[PATH_MAX * 2];

	snprintf(opts, sizeof(opts), "upper%s", name);
	if (mkdir(opts, 0755) == -1 && errno != EEXIST)
		return -1;
	snprintf(opts, sizeof(opts), "work%s", name);
	if (mkdir(opts, 0700) == -1 && errno != EEXIST)
		return -1;
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=upper%s,"
	    "workdir=work%s%s", lower, name, name, userns ? ",userxattr" : "");
	return mount("overlay", target, "overlay", 0, opts);
}

/*
 * Without root, the host's / cannot be a lower layer whole: the mounts
 * under it are locked to the user namespace. Then the root is a tmpfs
 * with an overlay on each top-level directory that allows one (the
 * kernel's own file systems are mounted afresh later), its symlinks
 * copied.
 */
static int
overlay_each(const char *lower, int userns)
{
	char path[PATH_MAX], name[PATH_MAX + 1], target[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	ssize_t len;
	DIR *d;

	if (mount("osb", "merged", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=0755") == -1 || (d = opendir(lower)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", strcmp(lower, "/") ?
		    lower : "", de->d_name) >= (int)sizeof(path))
			continue;
		snprintf(name, sizeof(name), "/%s", de->d_name);
		snprintf(target, sizeof(target), "merged/%s", de->d_name);
		if (de->d_type == DT_LNK) {
			if ((len = readlink(path, link, sizeof(link) - 1)) > 0) {
				link[len] = '\0';
				(void)!symlink(link, target);
			}
			continue;
		}
		if (de->d_type != DT_DIR || mkdir(target, 0755) == -1)
			continue;
		/* /proc, /sys, /dev, /tmp are made afresh; what cannot be a
		 * layer stays an empty directory. */
		if (strcmp(name, "/proc") && strcmp(name, "/sys") &&
		    strcmp(name, "/dev") && strcmp(name, "/tmp"))
			(void)overlay(path, name, target, userns);
	}
	closedir(d);
	return 0;
}

/* The tmpfs for the writable layer, and the overlay on it. */
static int
enter_overlay(const struct local_spawn *s, char *why, size_t n)
{
	char root[PATH_MAX];

	snprintf(root, sizeof(root), "%s/root", s->sbdir);
	if (mount("osb", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == -1)
		return fail(why, n, "mount tmpfs on %s", root);
	if (chdir(root) == -1 || mkdir("merged", 0755) == -1)
		return fail(why, n, "make the layers in %s", root);
	if (overlay(s->plan->lower, "", "merged", s->userns) == -1 &&
	    (!s->userns || errno != EINVAL ||
	    overlay_each(s->plan->lower, s->userns) == -1))
		return fail(why, n, "mount the overlay on %s", s->plan->lower);
	return 0;
}

/* Make merged/ the root, the host's out of sight. */
static int
pivot(char *why, size_t n)
{
	if (chdir("merged") == -1 || syscall(SYS_pivot_root, ".", ".") == -1 ||
	    umount2(".", MNT_DETACH) == -1 || chdir("/") == -1)
		return fail(why, n, "pivot into the sandbox's root");
	return 0;
}

/*
 * /proc of the sandbox's pid namespace, /sys read-only, in the new root
 * at merged/ before the pivot: in a user namespace the kernel lets proc
 * and sysfs be mounted only while a full view of them is still in sight.
 */
static int
mount_kernel(const struct host *h, char *why, size_t n)
{
	if (mkdir_p("merged/proc", 0555) == -1 || mount("proc", "merged/proc",
	    "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		return fail(why, n, "mount /proc");
	if (mkdir_p("merged/sys", 0555) == -1)
		return fail(why, n, "mkdir /sys");
	if (mount("sysfs", "merged/sys", "sysfs", MS_RDONLY | MS_NOSUID |
	    MS_NODEV | MS_NOEXEC, NULL) == 0)
		return 0;
	/* Not ours to mount (a user namespace on the host's network): the
	 * host's, read-only. */
	if (bind_fd(h->sys, "merged/sys", 1) == -1)
		return fail(why, n, "mount /sys");
	return 0;
}

/* A /dev of its own: a few safe devices, ptys, shm. */
static int
make_dev(const struct host *h, char *why, size_t n)
{
	static const char *const links[][2] = { { "/proc/self/fd", "/dev/fd" },
	    { "/proc/self/fd/0", "/dev/stdin" },
	    { "/proc/self/fd/1", "/dev/stdout" },
	    { "/proc/self/fd/2", "/dev/stderr" }, { "pts/ptmx", "/dev/ptmx" } };
	char path[64];
	size_t i;

	if (mkdir_p("/dev", 0755) == -1 || mount("osb", "/dev", "tmpfs",
	    MS_NOSUID | MS_NOEXEC, "mode=0755,size=1m") == -1)
		return fail(why, n, "mount /dev");
	for (i = 0; i < NDEVICES; i++) {
		snprintf(path, sizeof(path), "/dev/%s", devices[i]);
		if (bind_fd(h->dev[i], path, 0) == -1)
			return fail(why, n, "bind %s", path);
	}
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) == -1)
			return fail(why, n, "symlink %s", links[i][1]);
	if (mkdir("/dev/pts", 0755) == -1 || mount("devpts", "/dev/pts",
	    "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,"
	    "mode=0620") == -1)
		return fail(why, n, "mount /dev/pts");
	if (mkdir("/dev/shm", 01777) == -1 || mount("shm", "/dev/shm", "tmpfs",
	    MS_NOSUID | MS_NODEV, "mode=1777") == -1)
		return fail(why, n, "mount /dev/shm");
	return 0;
}

/* /tmp of its own, and the volumes. */
static int
mount_volumes(const struct local_spawn *s, const struct host *h, char *why,
    size_t n)
{
	const struct local_mount *m;
	size_t i;

	if (mkdir_p("/tmp", 01777) == -1 || mount("tmp", "/tmp", "tmpfs",
	    MS_NOSUID | MS_NODEV, "mode=1777") == -1)
		return fail(why, n, "mount /tmp");
	for (i = 0; i < s->plan->nmounts; i++) {
		m = &s->plan->mounts[i];
		if (bind_fd(h->vol[i], m->target, m->read_only) == -1)
			return fail(why, n, "mount %s on %s", m->source,
			    m->target);
	}
	return 0;
}

/* In an image's rootfs: the host's loader, libraries and osb-execd
 * under /.osb, read-only, and the command line that runs them. */
static int
bind_loader(const struct host *h, struct local_execd_exec *ex, char *why,
    size_t n)
{
	char dir[64];
	size_t len;
	int i;

	if (bind_fd(h->loader, "/.osb/ld.so", 1) == -1 ||
	    bind_fd(h->execd_tree, "/.osb/osb-execd", 1) == -1)
		return fail(why, n, "bind osb-execd into /.osb");
	for (i = 0; i < h->nlibs; i++) {
		snprintf(dir, sizeof(dir), "/.osb/lib/%d", i);
		if (bind_fd(h->libs[i], dir, 1) == -1)
			return fail(why, n, "bind %s", dir);
		len = strlen(ex->libpath);
		snprintf(ex->libpath + len, sizeof(ex->libpath) - len, "%s%s",
		    i ? ":" : "", dir);
	}
	strlcpy(ex->loader, "/.osb/ld.so", sizeof(ex->loader));
	return 0;
}

/*
 * Close what was opened on the host, but keep keep: a process of the
 * sandbox able to reach init's descriptors (/proc/1/fd) must not find a
 * way out through a directory of the host.
 */
static void
close_host(struct host *h, int keep)
{
	size_t i;
	int j;

	for (i = 0; i < NDEVICES; i++)
		if (h->dev[i] > 0)
			close(h->dev[i]);
	for (i = 0; h->vol != NULL && h->vol[i] > 0; i++)
		close(h->vol[i]);
	for (j = 0; j < h->nlibs; j++)
		if (h->libs[j] > 0)
			close(h->libs[j]);
	if (h->sys > 0)
		close(h->sys);
	if (h->loader > 0)
		close(h->loader);
	if (h->execd_tree > 0)
		close(h->execd_tree);
	if (h->execd > 0 && h->execd != keep)
		close(h->execd);
	free(h->vol);
}

/* The steps, in order, from the host's mounts to the sandbox's. */
static int
build(const struct local_spawn *s, struct host *h, struct local_execd_exec *ex,
    char *why, size_t n)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC) == -1)
		return fail(why, n, "unshare mount, uts and ipc namespaces");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return fail(why, n, "make the mounts private");
	if (open_host(s, h, why, n) == -1)
		return -1;
	if (sethostname(s->id, LOCAL_SHORT_LEN) == -1)
		return fail(why, n, "set the hostname");
	if (enter_overlay(s, why, n) == -1 || mount_kernel(h, why, n) == -1 ||
	    pivot(why, n) == -1 || make_dev(h, why, n) == -1 ||
	    mount_volumes(s, h, why, n) == -1)
		return -1;
	if (s->plan->rootfs)
		return bind_loader(h, ex, why, n);
	ex->fd = h->execd;
	return 0;
}

/* Build the root, closing every host descriptor but execd's. */
int
local_root_build(const struct local_spawn *s, struct local_execd_exec *ex,
    char *why, size_t n)
{
	struct host h;
	size_t i;
	int rc;

	memset(&h, 0, sizeof(h));
	h.sys = h.execd = h.execd_tree = h.loader = -1;
	for (i = 0; i < NDEVICES; i++)
		h.dev[i] = -1;
	memset(ex, 0, sizeof(*ex));
	ex->fd = -1;
	rc = build(s, &h, ex, why, n);
	close_host(&h, ex->fd);
	return rc;
}

/*
 * local_userns.c — what a supervisor without root does: become root of a
 * user namespace of its own (mapping only its user), and pause a sandbox
 * with signals where there is no cgroup freezer.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_userns.h"
/* Without root: become root of a user namespace of our own, mapping
 * only our user, where the root, the mounts and the runtime are ours to
 * make. 0 or -1. */
int
local_userns_enter(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	int fd, ok;

	if (unshare(CLONE_NEWUSER) == -1)
		return -1;
	if ((fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC)) != -1) {
		(void)!write(fd, "deny", 4);
		close(fd);
	}
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
	ok = fd != -1 && write(fd, map, strlen(map)) > 0;
	if (fd != -1)
		close(fd);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	fd = open("/proc/self/gid_map", O_WRONLY | O_CLOEXEC);
	ok = ok && fd != -1 && write(fd, map, strlen(map)) > 0;
	if (fd != -1)
		close(fd);
	return ok ? 0 : -1;
}


/* Send sig to every process of the sandbox (its pid namespace): a pause
 * where there is no freezer. */
void
local_userns_signal_all(pid_t init, int sig)
{
	char path[64], ns[64], their[64];
	struct dirent *de;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)init);
	if ((n = readlink(path, ns, sizeof(ns) - 1)) <= 0 ||
	    (d = opendir("/proc")) == NULL)
		return;
	ns[n] = '\0';
	while ((de = readdir(d)) != NULL) {
		if (strspn(de->d_name, "0123456789") != strlen(de->d_name) ||
		    strlen(de->d_name) > 20)
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/ns/pid", de->d_name);
		if ((n = readlink(path, their, sizeof(their) - 1)) <= 0)
			continue;
		their[n] = '\0';
		if (strcmp(ns, their) == 0)
			kill((pid_t)atoi(de->d_name), sig);
	}
	closedir(d);
}

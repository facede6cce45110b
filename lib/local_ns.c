/*
 * local_ns.c — namespaces the supervisor enters before its sandbox
 * starts, a free port for execd, and pause by signals where there is no
 * cgroup freezer.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_ns.h"
#include "util.h"

/* Bind port 0 of loopback, and see what the kernel gave. */
int
local_free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd, port = -1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Bring up lo in a new network namespace. 0 or -1. */
static int
loopback_up(void)
{
	struct ifreq ifr;
	int fd, rc;

	memset(&ifr, 0, sizeof(ifr));
	strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (rc == 0)
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return rc;
}

/* Write text to a file of /proc/self. 0 or -1. */
static int
proc_write(const char *name, const char *text)
{
	char path[64];
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/self/%s", name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = osb_write_all(fd, text, strlen(text));
	close(fd);
	return rc;
}

/* Without root: a user namespace where we are root. setgroups must be
 * denied before an unprivileged process may write its gid_map. */
int
local_ns_user(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER) == -1 ||
	    proc_write("setgroups", "deny") == -1)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (proc_write("uid_map", map) == -1)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	return proc_write("gid_map", map);
}

/* unshare the network, then lo up: a new namespace starts with it down. */
int
local_ns_net(void)
{
	return unshare(CLONE_NEWNET) == -1 ? -1 : loopback_up();
}

/* SIGSTOP or SIGCONT to each process whose pid namespace is init's:
 * the freezer of a machine without cgroups. */
void
local_ns_signal_all(pid_t init, int sig)
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
		if (strlen(de->d_name) > 20)
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

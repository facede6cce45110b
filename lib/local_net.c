/*
 * local_net.c — slirp4netns for a sandbox's network namespace, its API
 * for publishing ports, and nftables for a deny-all policy.
 */
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "local_net.h"
#include "local_runc.h"
#include "util.h"

/* Outbound: loopback, and replies on connections made to the sandbox. */
static const char deny_rules[] =
    "table inet osb {\n"
    "\tchain output {\n"
    "\t\ttype filter hook output priority 0; policy drop;\n"
    "\t\toifname \"lo\" accept\n"
    "\t\tct state established,related accept\n"
    "\t}\n"
    "}\n";

/* Does a sandbox record have addr? */
static int
address_taken(const struct osb_local *l, const char *addr)
{
	struct osb_error err = { 0 };
	const char *a;
	char **ids;
	size_t n, i;
	json_t *rec;
	int taken = 0;

	if (local_ids(l, &ids, &n, &err) == -1)
		return 0;
	for (i = 0; i < n && !taken; i++) {
		if ((rec = local_read(l, ids[i], &err)) == NULL)
			continue;
		a = local_runtime_str(rec, "address");
		taken = a != NULL && strcmp(a, addr) == 0;
		json_decref(rec);
	}
	local_ids_free(ids, n);
	return taken;
}

/* Random, away from 127.0.x.x where the host's own services live. */
void
local_net_address(const struct osb_local *l, char *addr)
{
	unsigned char b[3];
	int tries;

	for (tries = 0; tries < 100; tries++) {
		arc4random_buf(b, sizeof(b));
		snprintf(addr, 16, "127.%d.%d.%d", 1 + b[0] % 254, b[1],
		    2 + b[2] % 252);
		if (!address_taken(l, addr))
			return;
	}
}

/* In nft's child: the cgroup2 hierarchy at /sys/fs/cgroup, where nft
 * looks for the paths of "socket cgroupv2" (hosts with both
 * hierarchies have it at /sys/fs/cgroup/unified). */
static void
cgroup2_at_root(void)
{
	if (access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) != 0)
		return;
	if (unshare(CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		(void)mount("/sys/fs/cgroup/unified", "/sys/fs/cgroup", NULL,
		    MS_BIND, NULL);
}

/*
 * The middle process of local_net_run: into the network namespace
 * (ns, an open descriptor), then the command as its child, whose exit
 * status goes to report as one byte. Its own status tells nothing.
 */
static void __attribute__((noreturn))
run_middle(int ns, int cgroup, const char *path, char *const argv[],
    const int in[2], int report)
{
	unsigned char code = 126;
	sigset_t none;
	int status = 0;
	pid_t c;

	close(in[1]);
	if (setns(ns, CLONE_NEWNET) == 0) {
		if (cgroup)
			cgroup2_at_root();
		if ((c = fork()) == 0) {
			/* The supervisor blocks signals for its signalfd:
			 * a daemon must still end on SIGTERM. */
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			dup2(in[0], STDIN_FILENO);
			execv(path, argv);
			_exit(127);
		}
		while (c > 0 && waitpid(c, &status, 0) == -1 && errno == EINTR)
			;
		code = c == -1 ? 125 : WIFEXITED(status) ?
		    (unsigned char)WEXITSTATUS(status) : 128;
	}
	(void)!write(report, &code, 1);
	_exit(0);
}

int
local_net_run(pid_t pid, int cgroup, const char *path, char *const argv[],
    const char *input, char *why, size_t n)
{
	char ns[64];
	unsigned char code;
	int in[2] = { -1, -1 }, rep[2] = { -1, -1 }, fd, rc = -1;
	pid_t child;

	snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)pid);
	if ((fd = open(ns, O_RDONLY | O_CLOEXEC)) == -1)
		return local_why(why, n, "the sandbox's network namespace");
	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(rep, O_CLOEXEC) == -1 ||
	    (child = fork()) == -1) {
		local_why(why, n, "run %s", argv[0]);
		goto out;
	}
	if (child == 0)
		run_middle(fd, cgroup, path, argv, in, rep[1]);
	close(rep[1]);
	rep[1] = -1;
	close(in[0]);
	in[0] = -1;
	if (input != NULL)
		(void)osb_write_all(in[1], input, strlen(input));
	close(in[1]);
	in[1] = -1;
	/* The status comes down the pipe: whoever reaps the middle
	 * process (the supervisor reaps every child) does not matter. */
	if (read(rep[0], &code, 1) == 1)
		rc = code;
	else
		local_why(why, n, "run %s: it ended without a word", argv[0]);
	(void)waitpid(child, NULL, 0);
out:
	close(fd);
	if (in[0] != -1)
		close(in[0]);
	if (in[1] != -1)
		close(in[1]);
	if (rep[0] != -1)
		close(rep[0]);
	if (rep[1] != -1)
		close(rep[1]);
	return rc;
}

int
local_net_nft(pid_t pid, const char *rules, char *why, size_t n)
{
	char nft[PATH_MAX];
	char *argv[] = { "nft", "-f", "-", NULL };
	int rc;

	if (local_find_tool("nft", nft, why, n) == -1)
		return -1;
	if ((rc = local_net_run(pid, 1, nft, argv, rules, why, n)) == 0)
		return 0;
	if (rc > 0) {
		errno = 0;
		local_why(why, n, "nft in the sandbox's network namespace: "
		    "exited with status %d", rc);
	}
	return -1;
}

/* The last line of the file at path (in the working directory) that is
 * not a warning. */
static void
last_line(const char *path, char *buf, size_t n)
{
	char line[512];
	FILE *f = fopen(path, "re");

	*buf = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] != '\n' && strncmp(line, "WARNING", 7) != 0)
			strlcpy(buf, line, n);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* In the child: slirp4netns for pid, told to say when it is ready; its
 * words in network.log. */
static void __attribute__((noreturn))
exec_slirp(const char *slirp, pid_t pid, const char *sock, int ready,
    int exit_fd)
{
	char p[16], r[16], e[16];
	int null = open("/dev/null", O_RDWR);
	int log = open("network.log", O_WRONLY | O_CREAT | O_APPEND, 0600);

	snprintf(p, sizeof(p), "%d", (int)pid);
	snprintf(r, sizeof(r), "%d", ready);
	snprintf(e, sizeof(e), "%d", exit_fd);
	fcntl(ready, F_SETFD, 0);
	fcntl(exit_fd, F_SETFD, 0);
	dup2(null, STDIN_FILENO);
	dup2(log != -1 ? log : null, STDOUT_FILENO);
	dup2(log != -1 ? log : null, STDERR_FILENO);
	setsid();
	execl(slirp, "slirp4netns", "--configure", "--mtu=65520",
	    "--disable-host-loopback", "--enable-sandbox", "--enable-seccomp",
	    "--api-socket", sock, "--ready-fd", r, "--exit-fd", e, p, "tap0",
	    (char *)NULL);
	_exit(127);
}

pid_t
local_net_start(pid_t pid, const char *sock, int exit_fd, int deny,
    char *why, size_t n)
{
	char slirp[PATH_MAX], line[200], c;
	int ready[2], status;
	pid_t child;

	if (local_find_tool("slirp4netns", slirp, why, n) == -1)
		return -1;
	if (pipe2(ready, O_CLOEXEC) == -1 || (child = fork()) == -1) {
		snprintf(why, n, "start slirp4netns: %s", strerror(errno));
		return -1;
	}
	if (child == 0)
		exec_slirp(slirp, pid, sock, ready[1], exit_fd);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		last_line("network.log", line, sizeof(line));
		snprintf(why, n, "slirp4netns could not set up the sandbox's "
		    "network: %s", *line ? line : "it ended without a word");
		return -1;
	}
	close(ready[0]);
	if (deny && local_net_nft(pid, deny_rules, why, n) == -1) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		return -1;
	}
	return child;
}

/* One request to slirp4netns's API; its reply, or NULL with why. */
static json_t *
api_call(const char *sock, const json_t *req, char *why, size_t n)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[8192], *text;
	size_t len = 0;
	ssize_t got;
	json_t *reply;
	int fd;

	strlcpy(sun.sun_path, sock, sizeof(sun.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(why, n, "the sandbox's network (%s): %s", sock,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	text = json_dumps(req, JSON_COMPACT);
	if (text == NULL || osb_write_all(fd, text, strlen(text)) == -1) {
		free(text);
		close(fd);
		snprintf(why, n, "the sandbox's network: write: %s",
		    strerror(errno));
		return NULL;
	}
	free(text);
	shutdown(fd, SHUT_WR);
	while (len < sizeof(buf) - 1 && (got = read(fd, buf + len,
	    sizeof(buf) - 1 - len)) > 0)
		len += (size_t)got;
	close(fd);
	buf[len] = '\0';
	if ((reply = json_loads(buf, 0, NULL)) == NULL)
		snprintf(why, n, "the sandbox's network: a reply that is not "
		    "JSON");
	return reply;
}

/* Is addr:port forwarded already? */
static int
published(const char *sock, const char *addr, int port)
{
	json_t *req = json_pack("{s:s}", "execute", "list_hostfwd"), *reply;
	json_t *e;
	char why[256];
	size_t i;
	int found = 0;

	reply = api_call(sock, req, why, sizeof(why));
	json_decref(req);
	json_array_foreach(json_object_get(reply, "entries"), i, e) {
		if (json_integer_value(json_object_get(e, "host_port")) == port
		    && json_is_string(json_object_get(e, "host_addr")) &&
		    strcmp(json_string_value(json_object_get(e, "host_addr")),
		    addr) == 0)
			found = 1;
	}
	json_decref(reply);
	return found;
}

int
local_net_publish(const char *sock, const char *addr, int port, char *why,
    size_t n)
{
	json_t *req, *reply;
	const char *desc;
	int rc = 0;

	if (published(sock, addr, port))
		return 0;
	req = json_pack("{s:s, s:{s:s, s:s, s:i, s:i}}", "execute",
	    "add_hostfwd", "arguments", "proto", "tcp", "host_addr", addr,
	    "host_port", port, "guest_port", port);
	reply = api_call(sock, req, why, n);
	json_decref(req);
	if (reply == NULL)
		return -1;
	/* Another caller may have published it meanwhile. */
	if (json_object_get(reply, "error") != NULL &&
	    !published(sock, addr, port)) {
		desc = json_string_value(json_object_get(json_object_get(reply,
		    "error"), "desc"));
		snprintf(why, n, "publish port %d at %s: the port is taken on "
		    "the host (slirp4netns: %s)", port, addr, desc ? desc :
		    "refused");
		rc = -1;
	}
	json_decref(reply);
	return rc;
}

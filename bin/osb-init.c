/*
 * osb-init — pid 1 of a local sandbox, started by the OCI runtime.
 *
 *	osb-init [-m BYTES] [-p PROCS] [-u UID:GID] EXECD-COMMAND... --
 *	    ENTRYPOINT...
 *
 * -m and -p are the memory and pids limits of a sandbox without cgroups,
 * set here as rlimits (address space, processes) for all it starts: the
 * runtime's own rlimits would bind it before it is set up. -u is the user
 * the entrypoint runs as (an image's User); execd stays root.
 *
 * It listens on execd's port, hands the socket to osb-execd as
 * descriptor 3 (so a connection made before execd is up waits instead of
 * being refused), starts the entrypoint, reaps every orphan, and tells
 * the supervisor on descriptor 3 when execd or the entrypoint ends. When
 * the supervisor goes away, so does the sandbox: init kills everything
 * and exits.
 *
 * Linked statically: it runs in any root file system.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_event.h"

#define TOKEN_VAR "EXECD_ACCESS_TOKEN="

/* Tell the supervisor something; a pipe write this small is atomic. */
static void __attribute__((format(printf, 4, 5)))
send_event(int fd, char kind, int status, const char *fmt, ...)
{
	struct local_event ev;
	va_list ap;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.status = status;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(ev.text, sizeof(ev.text), fmt, ap);
		va_end(ap);
	}
	(void)!write(fd, &ev, sizeof(ev));
}

/* A socket listening on execd's port, on every address of the sandbox
 * (IPv6 and IPv4 where there is IPv6). -1 when it cannot be had. */
static int
listen_execd(void)
{
	struct sockaddr_in6 six = { .sin6_family = AF_INET6,
	    .sin6_port = htons(LOCAL_EXECD_PORT) };
	struct sockaddr_in four = { .sin_family = AF_INET,
	    .sin_port = htons(LOCAL_EXECD_PORT) };
	int fd, one = 1, zero = 0;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd != -1) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, (struct sockaddr *)&six, sizeof(six)) == 0 &&
		    listen(fd, 1024) == 0)
			return fd;
		close(fd);
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&four, sizeof(four)) == 0 &&
	    listen(fd, 1024) == 0)
		return fd;
	close(fd);
	return -1;
}

/* The environment without the execd token: the entrypoint's. */
static void
drop_token(void)
{
	char **p, **q;

	for (p = q = environ; *p != NULL; p++)
		if (strncmp(*p, TOKEN_VAR, sizeof(TOKEN_VAR) - 1) != 0)
			*q++ = *p;
	*q = NULL;
}

/* The entrypoint's user, -u; -1: init's own. */
static long entry_uid = -1, entry_gid = -1;

/* In a child about to exec: default signals, its own session; execd
 * works from /, the entrypoint where the image's WorkingDir put init. */
static void
child_setup(int to_root)
{
	sigset_t none;
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (to_root)
		(void)!chdir("/");
}

/* Start osb-execd: the socket as its fd 3, its log as stdout and
 * stderr. Returns its pid, -1. */
static pid_t
start_execd(char **argv, int sock)
{
	pid_t pid = fork();
	int ev;

	if (pid != 0)
		return pid;
	child_setup(1);
	/* The socket takes descriptor 3: the event pipe moves aside. */
	ev = fcntl(LOCAL_EVENT_FD, F_DUPFD_CLOEXEC, 10);
	dup2(LOCAL_EXECD_LOG_FD, STDOUT_FILENO);
	dup2(LOCAL_EXECD_LOG_FD, STDERR_FILENO);
	close(LOCAL_EXECD_LOG_FD);
	if (dup2(sock, 3) == -1)
		_exit(126);
	close(sock);
	execv(argv[0], argv);
	send_event(ev, LOCAL_EV_SETUP, 0, "start osb-execd: %s: %s", argv[0],
	    strerror(errno));
	_exit(127);
}

/* Start the entrypoint, with the sandbox's PATH, and wait until it has
 * been exec'd: a program that cannot start has said so (its event goes
 * before execd's readiness). Returns its pid, -1. */
static pid_t
start_entrypoint(char **argv)
{
	int null, started[2];
	pid_t pid;
	char c;

	if (pipe2(started, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid != 0) {
		close(started[1]);
		/* End of file: exec'd, or gone after its event. */
		while (read(started[0], &c, 1) == -1 && errno == EINTR)
			;
		close(started[0]);
		return pid;
	}
	close(started[0]);
	child_setup(0);
	if ((null = open("/dev/null", O_RDONLY)) != -1 && null != 0) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	fcntl(LOCAL_EVENT_FD, F_SETFD, FD_CLOEXEC);
	close(LOCAL_EXECD_LOG_FD);
	drop_token();
	if (entry_uid >= 0 && (setgroups(0, NULL) == -1 ||
	    setgid((gid_t)entry_gid) == -1 || setuid((uid_t)entry_uid) == -1)) {
		send_event(LOCAL_EVENT_FD, LOCAL_EV_ENTRY, 126 << 8,
		    "entrypoint: become user %ld:%ld: %s", entry_uid,
		    entry_gid, strerror(errno));
		_exit(126);
	}
	execvp(argv[0], argv);
	send_event(LOCAL_EVENT_FD, LOCAL_EV_ENTRY, 127 << 8,
	    "entrypoint %s: %s", argv[0], strerror(errno));
	_exit(127);
}

/* Reap every child there is; tell the supervisor about ours. */
static void
reap(pid_t execd, pid_t entry)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == execd || pid == entry)
			send_event(LOCAL_EVENT_FD, pid == execd ?
			    LOCAL_EV_EXECD : LOCAL_EV_ENTRY, status, NULL);
	}
}

/* Reap until the supervisor's end of the pipe closes, then end the
 * sandbox: pid 1 exiting takes every process of it along. */
static void __attribute__((noreturn))
serve(int sigfd, pid_t execd, pid_t entry)
{
	struct pollfd pfd[2] = { { sigfd, POLLIN, 0 },
	    { LOCAL_EVENT_FD, 0, 0 } };
	struct signalfd_siginfo si;

	for (;;) {
		if (poll(pfd, 2, -1) == -1)
			continue;
		if (pfd[0].revents && read(sigfd, &si, sizeof(si)) > 0)
			reap(execd, entry);
		if (pfd[1].revents & (POLLERR | POLLHUP)) {
			kill(-1, SIGKILL);
			_exit(1);
		}
	}
}

/* -m BYTES, -p PROCS: set the rlimit; -u UID:GID: keep it. The index of
 * the first word after them, or -1 on a bad one. */
static int
take_limits(int argc, char **argv)
{
	struct rlimit rl;
	char *end;
	int i, res;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-u") == 0) {
			entry_uid = strtol(argv[i + 1], &end, 10);
			if (*end != ':' || entry_uid < 0)
				return -1;
			entry_gid = strtol(end + 1, &end, 10);
			if (*end != '\0' || entry_gid < 0)
				return -1;
			continue;
		}
		if (strcmp(argv[i], "-m") == 0)
			res = RLIMIT_AS;
		else if (strcmp(argv[i], "-p") == 0)
			res = RLIMIT_NPROC;
		else
			break;
		rl.rlim_cur = rl.rlim_max = strtoull(argv[i + 1], &end, 10);
		if (*end != '\0' || setrlimit(res, &rl) == -1)
			return -1;
	}
	return i;
}

int
main(int argc, char **argv)
{
	char **entry = NULL;
	sigset_t set;
	pid_t execd, ent;
	int i, first, sock, sigfd;

	if ((first = take_limits(argc, argv)) == -1) {
		send_event(LOCAL_EVENT_FD, LOCAL_EV_SETUP, 0, "set the limits "
		    "as rlimits: %s", strerror(errno));
		return 1;
	}
	for (i = first; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			entry = argv + i + 1;
			break;
		}
	if (first >= argc || entry == NULL || *entry == NULL) {
		fprintf(stderr, "usage: osb-init [-m BYTES] [-p PROCS] "
		    "[-u UID:GID] EXECD-COMMAND... -- ENTRYPOINT...\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((sigfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1 ||
	    (sock = listen_execd()) == -1) {
		send_event(LOCAL_EVENT_FD, LOCAL_EV_SETUP, 0,
		    "listen on port %d: %s", LOCAL_EXECD_PORT, strerror(errno));
		return 1;
	}
	if ((execd = start_execd(argv + first, sock)) == -1 ||
	    (ent = start_entrypoint(entry)) == -1) {
		send_event(LOCAL_EVENT_FD, LOCAL_EV_SETUP, 0, "fork: %s",
		    strerror(errno));
		return 1;
	}
	close(sock);
	send_event(LOCAL_EVENT_FD, LOCAL_EV_READY, 0, NULL);
	serve(sigfd, execd, ent);
}

/*
 * local_spawn.c — a sandbox's init: pid 1 of its pid namespace, child of
 * the supervisor. It dies with the supervisor (PR_SET_PDEATHSIG), and
 * with it, by the kernel's doing, every process of the sandbox.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_cgroup.h"
#include "local_root.h"
#include "local_spawn.h"

#define BASE_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Tell the supervisor something; a pipe write this small is atomic. */
static void
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

/* Is the supervisor (the pipe's reader) gone already? */
static int
orphaned(int fd)
{
	struct pollfd p = { fd, POLLOUT, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/*
 * The environment of the sandbox's processes: a base (PATH, HOME,
 * HOSTNAME) under the request's env, and the execd token for execd only.
 * A NULL-ended array in static storage of init's own copy.
 */
static char **
environment(const struct local_spawn *s, int for_execd)
{
	static char host[32 + LOCAL_SHORT_LEN], token[128];
	char **env, **p;
	size_t n = 0;

	for (p = s->plan->env; *p != NULL; p++)
		n++;
	if ((env = calloc(n + 5, sizeof(char *))) == NULL)
		return NULL;
	n = 0;
	snprintf(host, sizeof(host), "HOSTNAME=%.*s", LOCAL_SHORT_LEN, s->id);
	env[n++] = "PATH=" BASE_PATH;
	env[n++] = "HOME=/root";
	env[n++] = host;
	if (for_execd) {
		snprintf(token, sizeof(token), "EXECD_ACCESS_TOKEN=%s", s->token);
		env[n++] = token;
	}
	/* putenv semantics by hand: the request's later entries win. */
	for (p = s->plan->env; *p != NULL; p++) {
		size_t k, len = strcspn(*p, "=") + 1;

		for (k = 0; k < n && strncmp(env[k], *p, len) != 0; k++)
			;
		env[k] = *p;
		if (k == n)
			n++;
	}
	env[n] = NULL;
	return env;
}

/* In a child about to exec: its own session, the rlimits, stdin from
 * /dev/null, stdout and stderr to the log at logpath. */
static void
child_setup(const struct local_spawn *s, int logfd)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC), sig;

	/* Whatever the caller ignored (a shell's background job ignores
	 * SIGINT) is not for the sandbox. */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	setsid();
	local_rlimits_apply(&s->rlimits);
	if (null != -1)
		dup2(null, STDIN_FILENO);
	dup2(logfd, STDOUT_FILENO);
	dup2(logfd, STDERR_FILENO);
	(void)!chdir("/");
	signal(SIGPIPE, SIG_DFL);
}

/* Start osb-execd on its port. Returns its pid, -1. */
static pid_t
start_execd(const struct local_spawn *s, const struct local_execd_exec *ex,
    int logfd)
{
	char port[16];
	char *argv[] = { "osb-execd", "--listen", "127.0.0.1", "--port", port,
	    NULL };
	char *loader_argv[] = { "ld.so", "--library-path", (char *)ex->libpath,
	    "/.osb/osb-execd", "--listen", "127.0.0.1", "--port", port, NULL };
	char **env = environment(s, 1);
	pid_t pid;

	snprintf(port, sizeof(port), "%d", s->port);
	if (env == NULL || (pid = fork()) == -1)
		return -1;
	if (pid > 0) {
		free(env);
		return pid;
	}
	child_setup(s, logfd);
	if (ex->loader[0] != '\0')
		execve(ex->loader, loader_argv, env);
	else
		syscall(SYS_execveat, ex->fd, "", argv, env, AT_EMPTY_PATH);
	send_event(s->event_fd, LOCAL_EV_SETUP, 0, "start osb-execd: %s",
	    strerror(errno));
	_exit(127);
}

/* Start the entrypoint. Returns its pid, -1. */
static pid_t
start_entrypoint(const struct local_spawn *s, int logfd)
{
	char **env = environment(s, 0), **argv = s->plan->entrypoint;
	pid_t pid;

	if (env == NULL || (pid = fork()) == -1)
		return -1;
	if (pid > 0) {
		free(env);
		return pid;
	}
	child_setup(s, logfd);
	/* execvpe looks argv[0] up in the sandbox's PATH, not ours. */
	environ = env;
	execvp(argv[0], argv);
	send_event(s->event_fd, LOCAL_EV_ENTRY, 127 << 8, "entrypoint %s: %s",
	    argv[0], strerror(errno));
	_exit(127);
}

/* A log file in the sandbox's directory, opened before the pivot. */
static int
open_log(const struct local_spawn *s, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", s->sbdir, name);
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

/* SIGCHLD wakes pause(); nothing else to do. */
static void
on_child(int sig)
{
	(void)sig;
}

/* Reap everything forever, telling the supervisor about execd and the
 * entrypoint. */
static void __attribute__((noreturn))
reap(const struct local_spawn *s, pid_t execd, pid_t entry)
{
	int status;
	pid_t pid;

	for (;;) {
		if ((pid = waitpid(-1, &status, 0)) == -1) {
			if (errno == ECHILD)
				pause();
			continue;
		}
		if (pid == execd)
			send_event(s->event_fd, LOCAL_EV_EXECD, status, NULL);
		else if (pid == entry)
			send_event(s->event_fd, LOCAL_EV_ENTRY, status, NULL);
	}
}

/* Set up the sandbox, start execd and the entrypoint, reap forever. */
void
local_init_main(const struct local_spawn *s)
{
	struct local_execd_exec ex;
	char why[sizeof(((struct local_event *)0)->text)];
	int execd_log, entry_log;
	pid_t execd, entry;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (orphaned(s->event_fd))
		_exit(1);
	prctl(PR_SET_NAME, "osb-init");
	signal(SIGCHLD, on_child);
	signal(SIGPIPE, SIG_IGN);
	execd_log = open_log(s, "execd.log");
	entry_log = open_log(s, "entrypoint.log");
	if (execd_log == -1 || entry_log == -1) {
		send_event(s->event_fd, LOCAL_EV_SETUP, 0, "open the logs in "
		    "%s: %s", s->sbdir, strerror(errno));
		_exit(1);
	}
	if (local_cgroup_join(s->cgroup) == -1) {
		send_event(s->event_fd, LOCAL_EV_SETUP, 0, "join the cgroups: "
		    "%s", strerror(errno));
		_exit(1);
	}
	if (local_root_build(s, &ex, why, sizeof(why)) == -1) {
		send_event(s->event_fd, LOCAL_EV_SETUP, 0, "%s", why);
		_exit(1);
	}
	if ((execd = start_execd(s, &ex, execd_log)) == -1 ||
	    (entry = start_entrypoint(s, entry_log)) == -1) {
		send_event(s->event_fd, LOCAL_EV_SETUP, 0, "fork: %s",
		    strerror(errno));
		_exit(1);
	}
	if (ex.fd != -1)
		close(ex.fd);
	reap(s, execd, entry);
}

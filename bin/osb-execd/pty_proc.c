/*
 * pty_proc.c — a PTY session's process: started on a pseudo-terminal (it
 * leads a new session with the terminal as its controlling one) or on
 * pipes (a process group of its own), and the thread that reads its
 * output into the replay buffer and on to the client, then says how it
 * ended.
 */
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "command.h"
#include "log.h"
#include "pty.h"

#define PTY_READ_CHUNK (32 * 1024)

/* What the output thread works with. */
struct pump {
	struct pty_session *s;		/* a reference */
	int fd[2];			/* stdout (or the terminal), stderr */
	int pidfd;
	pid_t pid;
};

/* One piece of output: into the replay buffer, and to the client. */
static void
deliver(struct pty_session *s, unsigned char type, const char *data,
    size_t n)
{
	struct iovec iov[2] = { { &type, 1 }, { (void *)data, n } };

	pthread_mutex_lock(&s->lock);
	pty_replay_add(&s->replay, data, n);
	if (s->client)
		osb_ws_sendv(s->client, OSB_WS_BINARY, iov, 2);
	pthread_mutex_unlock(&s->lock);
}

/* Read once from output fd i; at its end (EIO: hung up) close it. */
static void
pump_read(struct pump *p, int i, char *buf)
{
	ssize_t n = read(p->fd[i], buf, PTY_READ_CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(p->fd[i]);
		p->fd[i] = -1;
		return;
	}
	deliver(p->s, i == 0 ? PTY_STDOUT : PTY_STDERR, buf, (size_t)n);
}

/* Read whatever output is there now, without waiting for more. */
static void
pump_drain(struct pump *p, char *buf)
{
	struct pollfd pfd;
	int i;

	for (i = 0; i < 2; i++) {
		pfd.fd = p->fd[i];
		pfd.events = POLLIN;
		while (p->fd[i] >= 0 && poll(&pfd, 1, 0) == 1)
			pump_read(p, i, buf);
	}
}

/* Has the process exited? Reaps it and sets *status when it has. */
static int
pump_reaped(struct pump *p, int *status)
{
	pid_t r;

	while ((r = waitpid(p->pid, status, WNOHANG)) < 0 && errno == EINTR)
		;
	return r == p->pid;
}

/*
 * The process has ended: record how, give its terminal or stdin back
 * (/dev/null takes the fd's place at once, so a writer never writes to a
 * stranger), and tell the client, then close it.
 */
static void
pump_finish(struct pump *p, int status)
{
	struct pty_session *s = p->s;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	pthread_mutex_lock(&s->lock);
	s->running = 0;
	s->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (devnull >= 0)
		dup3(devnull, s->in_fd, O_CLOEXEC);
	if (s->client) {
		/* osb_signal, an extension: which signal, where -1 says one did. */
		osb_ws_send_json(s->client, WIFSIGNALED(status) ?
		    json_pack("{s:s, s:i, s:i}", "type", "exit", "exit_code",
		    s->exit_code, "osb_signal", WTERMSIG(status)) :
		    json_pack("{s:s, s:i}", "type", "exit", "exit_code",
		    s->exit_code));
		osb_ws_close(s->client, OSB_WS_NORMAL, "process exited");
		osb_ws_shutdown(s->client);
	}
	pthread_mutex_unlock(&s->lock);
	if (devnull >= 0)
		close(devnull);
	execd_log(LOG_INFO_, "pty session %s: process exited (%d)", s->id,
	    s->exit_code);
}

/* The output thread: until the process has exited, then its last output. */
static void *
pump_thread(void *arg)
{
	struct pump *p = arg;
	struct pollfd pfd[3];
	char *buf = malloc(PTY_READ_CHUNK);
	int n, i, slot[2], status = 0;

	while (buf != NULL && !pump_reaped(p, &status)) {
		for (n = 0, i = 0; i < 2; i++) {
			slot[i] = p->fd[i] >= 0 ? n : -1;
			if (p->fd[i] >= 0) {
				pfd[n].fd = p->fd[i];
				pfd[n++].events = POLLIN;
			}
		}
		if (p->pidfd >= 0) {
			pfd[n].fd = p->pidfd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, p->pidfd >= 0 ? -1 :
		    CMD_REAP_POLL_MS) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++)
			if (slot[i] >= 0 && pfd[slot[i]].revents)
				pump_read(p, i, buf);
	}
	if (buf != NULL)
		pump_drain(p, buf);
	else
		while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
			;
	pump_finish(p, status);
	for (i = 0; i < 2; i++)
		if (p->fd[i] >= 0)
			close(p->fd[i]);
	if (p->pidfd >= 0)
		close(p->pidfd);
	pty_unref(p->s);
	free(buf);
	free(p);
	return NULL;
}

/* A new pseudo-terminal of 80x24: the master, and the terminal in *tty. */
static int
open_terminal(int *tty, char *err, size_t errlen)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char name[128];
	int master;

	if ((master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 ||
	    grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, name, sizeof(name)) != 0 ||
	    (*tty = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "pseudo-terminal: %s", strerror(errno));
		if (master >= 0)
			close(master);
		return -1;
	}
	ioctl(master, TIOCSWINSZ, &ws);
	return master;
}

/*
 * The fds for the child (sp) and ours (in, out[2]): a terminal, or three
 * pipes. Returns 0, or -1 with err set and nothing left open.
 */
static int
make_fds(int pipe_mode, struct cmd_spawn *sp, int *in, int out[2],
    char *err, size_t errlen)
{
	int p[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } }, i, tty;

	out[1] = -1;
	if (!pipe_mode) {
		if ((*in = open_terminal(&tty, err, errlen)) < 0)
			return -1;
		if ((out[0] = fcntl(*in, F_DUPFD_CLOEXEC, 0)) < 0) {
			snprintf(err, errlen, "dup: %s", strerror(errno));
			close(*in);
			close(tty);
			return -1;
		}
		sp->fd[0] = sp->fd[1] = sp->fd[2] = tty;
		sp->tty = 1;
		return 0;
	}
	for (i = 0; i < 3; i++)
		if (pipe2(p[i], O_CLOEXEC) < 0) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			while (i-- > 0) {
				close(p[i][0]);
				close(p[i][1]);
			}
			return -1;
		}
	sp->fd[0] = p[0][0];
	sp->fd[1] = p[1][1];
	sp->fd[2] = p[2][1];
	*in = p[0][1];
	out[0] = p[1][0];
	out[1] = p[2][0];
	return 0;
}

/* Close the child's ends of the fds make_fds made. */
static void
close_child_fds(const struct cmd_spawn *sp)
{
	int i;

	for (i = 0; i < 3; i++)
		if (sp->fd[i] >= 0 && (i == 0 || sp->fd[i] != sp->fd[0]))
			close(sp->fd[i]);
}

/* Spawn the process of s on the fds of sp; its pid or -1. */
static pid_t
spawn_process(struct pty_session *s, struct cmd_spawn *sp, char *err,
    size_t errlen)
{
	const char *shell = cmd_shell(), *argv[6];
	char **env;
	pid_t pid;
	int n = 0;

	argv[n++] = shell;
	if (strcmp(shell + strlen(shell) - 4, "bash") == 0) {
		argv[n++] = "--norc";
		argv[n++] = "--noprofile";
	}
	if (s->command) {
		argv[n++] = "-c";
		argv[n++] = s->command;
	}
	argv[n] = NULL;
	if ((env = cmd_env_build(NULL)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sp->argv = argv;
	sp->envp = env;
	sp->cwd = s->cwd;
	pid = cmd_spawn(sp, err, errlen);
	cmd_env_free(env);
	return pid;
}

int
pty_proc_start(struct pty_session *s, int pipe_mode, char *err,
    size_t errlen)
{
	struct cmd_spawn sp = { .fd = { -1, -1, -1, -1, -1 } };
	struct pump *p;
	int in, out[2];

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (make_fds(pipe_mode, &sp, &in, out, err, errlen) < 0) {
		free(p);
		return -1;
	}
	p->pid = spawn_process(s, &sp, err, errlen);
	close_child_fds(&sp);
	if (p->pid < 0) {
		close(in);
		close(out[0]);
		if (out[1] >= 0)
			close(out[1]);
		free(p);
		return -1;
	}
	s->started = s->running = 1;
	s->pipe_mode = pipe_mode;
	s->pid = p->pid;
	/* A restart keeps the fd's number: a writer may hold it. */
	if (s->in_fd >= 0) {
		dup3(in, s->in_fd, O_CLOEXEC);
		close(in);
	} else
		s->in_fd = in;
	p->s = s;
	p->fd[0] = out[0];
	p->fd[1] = out[1];
	p->pidfd = cmd_pidfd(p->pid);
	pty_ref(s);
	if (cmd_thread_start(pump_thread, p) < 0) {
		/* Nothing would ever read its output: it cannot run. */
		kill(-p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
		close(out[0]);
		if (out[1] >= 0)
			close(out[1]);
		if (p->pidfd >= 0)
			close(p->pidfd);
		s->running = 0;
		s->exit_code = -1;
		pty_unref(s);	/* ours, taken just now: never the last */
		free(p);
		snprintf(err, errlen, "cannot start a thread for its output");
		return -1;
	}
	execd_log(LOG_INFO_, "pty session %s: started %s in %s mode", s->id,
	    s->command ? s->command : "bash", pipe_mode ? "pipe" : "pty");
	return 0;
}

void
pty_proc_resize(struct pty_session *s, int cols, int rows)
{
	struct winsize ws = { .ws_row = (unsigned short)rows,
	    .ws_col = (unsigned short)cols };

	if (s->running && !s->pipe_mode)
		ioctl(s->in_fd, TIOCSWINSZ, &ws);
}

/*
 * guard.c — a process that kills the daemon's process groups when the
 * daemon is gone (see guard.h).
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard.h"

/* The daemon's end of the pipe to the guard; -1: no guard. */
static int guard_fd = -1;

/* The groups the guard watches. */
struct groups {
	pid_t *pgid;
	size_t n, cap;
	size_t pruned_at;	/* n after the last prune */
};

/* Drop the groups that have no process left: the table stays as large
 * as the number of commands running, not of those ever run. */
static void
prune(struct groups *g)
{
	size_t i, kept = 0;

	for (i = 0; i < g->n; i++)
		if (kill(-g->pgid[i], 0) == 0 || errno != ESRCH)
			g->pgid[kept++] = g->pgid[i];
	g->n = g->pruned_at = kept;
}

/* Add pgid; a full table is pruned first, then grown. */
static void
add(struct groups *g, pid_t pgid)
{
	pid_t *grown;

	if (g->n >= 2 * g->pruned_at + 64)
		prune(g);
	if (g->n == g->cap) {
		grown = reallocarray(g->pgid, g->cap ? g->cap * 2 : 256,
		    sizeof(*g->pgid));
		if (grown == NULL)
			return;
		g->pgid = grown;
		g->cap = g->cap ? g->cap * 2 : 256;
	}
	g->pgid[g->n++] = pgid;
}

/* The guard: read groups until the daemon's end closes, then kill them. */
static void __attribute__((noreturn))
guard_main(int fd)
{
	struct groups g = { 0 };
	pid_t buf[256];
	ssize_t n, i;

	prctl(PR_SET_NAME, "osb-execd-guard");
	/* A terminal's ^C or a SIGTERM to the daemon's group is for the
	 * daemon: the guard goes when the daemon has gone. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n / (ssize_t)sizeof(*buf); i++)
			add(&g, buf[i]);
	}
	for (i = 0; i < (ssize_t)g.n; i++)
		kill(-g.pgid[i], SIGKILL);
	_exit(0);
}

/* Fork the guard with the read end of a fresh pipe. */
int
guard_start(char *err, size_t errlen)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "guard pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "fork guard: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		/* Nothing of the daemon's but the pipe: a listening
		 * socket held here would outlive the daemon. */
		if (p[1] != 3)
			close(p[1]);
		if (dup2(p[0], 3) < 0)
			_exit(1);
#ifdef SYS_close_range
		syscall(SYS_close_range, 4, ~0U, 0);
#endif
		guard_main(3);
	}
	close(p[0]);
	guard_fd = p[1];
	return 0;
}

/* Tell the guard about pgid. */
void
guard_watch(pid_t pgid)
{
	ssize_t n;

	if (guard_fd < 0)
		return;
	/* One small write: atomic, whatever other threads write. */
	while ((n = write(guard_fd, &pgid, sizeof(pgid))) < 0 &&
	    errno == EINTR)
		;
}

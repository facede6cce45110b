/*
 * cmd_spawn.c — starting a child for a command or a session: its
 * environment, working directory, credentials, file descriptors and
 * process group, with failures before exec reported back to the parent.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "command.h"
#include "expand.h"
#include "guard.h"

/* Where fd[i] of struct cmd_spawn ends up in the child. */
static const int spawn_target[5] = { 0, 1, 2, CMD_FD_MARK, CMD_FD_ERR };
/* The child's copy of the error pipe, above the targets. */
#define ERRPIPE_FD (CMD_FD_ERR + 1)

enum { FAIL_FDS = 1, FAIL_GROUPS, FAIL_GID, FAIL_UID, FAIL_CHDIR, FAIL_EXEC };

struct child_failure {
	int step;
	int err;
};

/* Credentials worked out before fork: lookups are not fork-safe. */
struct creds {
	gid_t gid;
	gid_t *groups;
	int ngroups;
};

/*
 * path with $NAME and ${NAME} expanded from envp, every one of them set:
 * a path must not quietly lose a part. Returns malloc'd text, or NULL
 * with err set.
 */
static char *
expand_path(const char *path, char *const *envp, char *err, size_t errlen)
{
	struct osb_buf b = { 0 };
	char name[256];

	switch (expand_vars(path, envp, &b, name, sizeof(name))) {
	case 0:
		return b.data;
	case 1:
		snprintf(err, errlen, "path references undefined environment "
		    "variable: %s", name);
		break;
	default:
		snprintf(err, errlen, "out of memory");
	}
	osb_buf_free(&b);
	return NULL;
}

/* mkdir -p path; 0 or -1 with errno set. */
static int
mkdir_p(char *path)
{
	char *p;

	if (*path == '\0')
		return 0;
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char c = *p;

			*p = '\0';
			if (mkdir(path, 0777) < 0 && errno != EEXIST) {
				*p = c;
				return -1;
			}
			*p = c;
		}
		if (*p == '\0')
			return 0;
	}
}

/* "~" and "~/..." with $HOME from envp; takes p, NULL when out of memory. */
static char *
expand_home(char *p, char *const *envp)
{
	const char *home;
	char *joined;

	if (p[0] != '~' || (p[1] != '\0' && p[1] != '/') ||
	    (home = env_lookup(envp, "HOME", 4)) == NULL)
		return p;
	if (asprintf(&joined, "%s%s", home, p + 1) < 0)
		joined = NULL;
	free(p);
	return joined;
}

/* See command.h: path expanded, made when create, checked a directory. */
int
cmd_resolve_dir(const char *path, char *const *envp, int create,
    char **dir, char *err, size_t errlen)
{
	struct stat st;
	char *p;

	*dir = NULL;
	if (path == NULL || *path == '\0')
		return 0;
	if ((p = expand_path(path, envp, err, errlen)) == NULL)
		return -1;
	if ((p = expand_home(p, envp)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (create && mkdir_p(p) < 0) {
		snprintf(err, errlen, "create working directory %s: %s", path,
		    strerror(errno));
		free(p);
		return -1;
	}
	if (stat(p, &st) < 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "working directory does not "
			    "exist: %s", path);
		else
			snprintf(err, errlen, "cannot access working "
			    "directory %s: %s", path, strerror(errno));
		free(p);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "working directory path is not a "
		    "directory: %s", path);
		free(p);
		return -1;
	}
	*dir = p;
	return 0;
}

/* Set name=value in env (n entries, room for one more); 0 or -1. */
static int
env_set(char **env, size_t *n, const char *name, size_t namelen,
    const char *value)
{
	char *kv;
	size_t i;

	if (asprintf(&kv, "%.*s=%s", (int)namelen, name, value) < 0)
		return -1;
	for (i = 0; i < *n; i++) {
		if (strncmp(env[i], kv, namelen + 1) == 0) {
			free(env[i]);
			env[i] = kv;
			return 0;
		}
	}
	env[(*n)++] = kv;
	env[*n] = NULL;
	return 0;
}

/* Grow env to hold more entries; NULL when out of memory. */
static char **
env_grow(char **env, size_t n, size_t more)
{
	char **grown = reallocarray(env, n + more + 1, sizeof(*env));

	if (grown == NULL)
		cmd_env_free(env);
	return grown;
}

/*
 * Add the KEY=VALUE lines of the file $EXECD_ENVS names ('#' comments,
 * values expanded from the daemon's environment). A file that can't be
 * read adds nothing, as for the Go execd.
 */
static char **
env_add_file(char **env, size_t *n)
{
	const char *path = getenv("EXECD_ENVS");
	struct osb_buf val = { 0 };
	char *line = NULL, *p, *eq, *end;
	size_t cap = 0;
	FILE *f;

	if (path == NULL || *path == '\0' || (f = fopen(path, "re")) == NULL)
		return env;
	while (env && getline(&line, &cap, f) > 0) {
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		end = p + strlen(p);
		while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
		    end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p == '\0' || *p == '#' || (eq = strchr(p, '=')) == NULL)
			continue;
		val.len = 0;
		if (expand_vars(eq + 1, environ, &val, NULL, 0) < 0 ||
		    (env = env_grow(env, *n, 1)) == NULL ||
		    env_set(env, n, p, (size_t)(eq - p), val.data) < 0) {
			cmd_env_free(env);
			env = NULL;
		}
	}
	osb_buf_free(&val);
	free(line);
	fclose(f);
	return env;
}

/* environ, then $EXECD_ENVS, then envs; NULL when out of memory. */
char **
cmd_env_build(json_t *envs)
{
	const char *key;
	json_t *val;
	char **env;
	size_t n = 0, i;

	while (environ[n])
		n++;
	if ((env = calloc(n + 1, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((env[i] = strdup(environ[i])) == NULL) {
			cmd_env_free(env);
			return NULL;
		}
	}
	if ((env = env_add_file(env, &n)) == NULL)
		return NULL;
	if (envs && (env = env_grow(env, n, json_object_size(envs))) == NULL)
		return NULL;
	json_object_foreach(envs, key, val) {
		if (env_set(env, &n, key, strlen(key),
		    json_string_value(val)) < 0) {
			cmd_env_free(env);
			return NULL;
		}
	}
	return env;
}

/* Free what cmd_env_build made. */
void
cmd_env_free(char **env)
{
	char **p;

	if (env == NULL)
		return;
	for (p = env; *p; p++)
		free(*p);
	free(env);
}

/* bash on PATH, else /bin/sh; looked up once. */
static char shell_path[4096];

/* Set shell_path: the first bash on PATH, else /bin/sh. */
static void
find_shell(void)
{
	const char *path = getenv("PATH");
	const char *dir, *end;

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (dir = path; *dir; dir = *end ? end + 1 : end) {
		end = dir + strcspn(dir, ":");
		if (end == dir)
			continue;
		snprintf(shell_path, sizeof(shell_path), "%.*s/bash",
		    (int)(end - dir), dir);
		if (shell_path[0] == '/' && access(shell_path, X_OK) == 0)
			return;
	}
	strlcpy(shell_path, "/bin/sh", sizeof(shell_path));
}

/* The shell commands run with. */
const char *
cmd_shell(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, find_shell);
	return shell_path;
}

/* A pidfd for pid (readable once it exits), or -1 on old kernels. */
int
cmd_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/*
 * The primary group and supplementary groups of uid, as login would set
 * them; a uid with no passwd entry gets gid 0 and no groups. An explicit
 * gid wins. Returns 0, -1 when out of memory.
 */
static int
creds_lookup(const struct cmd_spawn *sp, struct creds *cr)
{
	struct passwd pw, *found = NULL;
	char *pwbuf;
	gid_t *grown;
	int n = 32;

	cr->gid = sp->set_gid ? sp->gid : 0;
	cr->groups = NULL;
	cr->ngroups = 0;
	if (!sp->set_uid)
		return 0;
	if ((pwbuf = malloc(16384)) == NULL)
		return -1;
	if (getpwuid_r(sp->uid, &pw, pwbuf, 16384, &found) != 0 ||
	    found == NULL) {
		free(pwbuf);
		return 0;
	}
	if (!sp->set_gid)
		cr->gid = pw.pw_gid;
	for (;;) {
		if ((grown = reallocarray(cr->groups, (size_t)n,
		    sizeof(gid_t))) == NULL) {
			free(cr->groups);
			free(pwbuf);
			return -1;
		}
		cr->groups = grown;
		cr->ngroups = n;
		if (getgrouplist(pw.pw_name, pw.pw_gid, cr->groups,
		    &cr->ngroups) >= 0)
			break;
		n = cr->ngroups > n ? cr->ngroups : n * 2;
	}
	free(pwbuf);
	return 0;
}

/* In the child: close fds lo..hi (those not close-on-exec leak otherwise). */
static void
close_fds(unsigned lo, unsigned hi)
{
#ifdef SYS_close_range
	syscall(SYS_close_range, lo, hi, 0);
#else
	(void)lo;
	(void)hi;
#endif
}

/* In the child: report the failed step and its errno on errpipe, then go. */
static void __attribute__((noreturn))
child_fail(int errpipe, int step)
{
	struct child_failure f = { step, errno };

	(void)!write(errpipe, &f, sizeof(f));
	_exit(127);
}

/*
 * In the child, between fork and exec: only async-signal-safe calls.
 * Signal dispositions and mask back to defaults (the daemon ignores
 * SIGPIPE, and an ignored signal stays ignored across exec), the fds
 * moved into place and every other one closed.
 */
static void __attribute__((noreturn))
spawn_child(const struct cmd_spawn *sp, const struct creds *cr, int devnull,
    int errpipe)
{
	struct sigaction sa;
	sigset_t none;
	int tmp[5], i, sig;

	if (sp->tty)
		setsid();
	else
		setpgid(0, 0);
	osb_server_child_limits();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/*
	 * Copies above every target first, the error pipe's too, so that no
	 * move clobbers one: with many fds open, any of those given may be
	 * ERRPIPE_FD or a target.
	 */
	if ((errpipe = fcntl(errpipe, F_DUPFD, ERRPIPE_FD + 1)) < 0)
		_exit(127);
	for (i = 0; i < 5; i++) {
		tmp[i] = i == 0 && sp->fd[0] < 0 ? devnull : sp->fd[i];
		if (tmp[i] >= 0 &&
		    (tmp[i] = fcntl(tmp[i], F_DUPFD, ERRPIPE_FD + 1)) < 0)
			child_fail(errpipe, FAIL_FDS);
	}
	if (dup3(errpipe, ERRPIPE_FD, O_CLOEXEC) < 0)
		child_fail(errpipe, FAIL_FDS);
	for (i = 0; i < 5; i++)
		if (tmp[i] >= 0 && dup2(tmp[i], spawn_target[i]) < 0)
			child_fail(ERRPIPE_FD, FAIL_FDS);
	close_fds(3, CMD_FD_MARK - 1);
	for (i = 3; i < 5; i++)
		if (tmp[i] < 0)
			close(spawn_target[i]);
	close_fds(ERRPIPE_FD + 1, ~0U);
	if (sp->tty && ioctl(0, TIOCSCTTY, 0) < 0)
		child_fail(ERRPIPE_FD, FAIL_FDS);
	if (sp->set_uid) {
		if (setgroups((size_t)cr->ngroups, cr->groups) < 0)
			child_fail(ERRPIPE_FD, FAIL_GROUPS);
		if (setgid(cr->gid) < 0)
			child_fail(ERRPIPE_FD, FAIL_GID);
		if (setuid(sp->uid) < 0)
			child_fail(ERRPIPE_FD, FAIL_UID);
	}
	if (sp->cwd && chdir(sp->cwd) < 0)
		child_fail(ERRPIPE_FD, FAIL_CHDIR);
	execve(sp->argv[0], (char *const *)sp->argv, sp->envp);
	child_fail(ERRPIPE_FD, FAIL_EXEC);
}

/* Describe a failure the child reported. */
static void
failure_text(const struct cmd_spawn *sp, const struct creds *cr,
    const struct child_failure *f, char *err, size_t errlen)
{
	const char *why = strerror(f->err);

	switch (f->step) {
	case FAIL_GROUPS:
		snprintf(err, errlen, "setgroups: %s", why);
		break;
	case FAIL_GID:
		snprintf(err, errlen, "setgid %u: %s", (unsigned)cr->gid, why);
		break;
	case FAIL_UID:
		snprintf(err, errlen, "setuid %u: %s", (unsigned)sp->uid, why);
		break;
	case FAIL_CHDIR:
		snprintf(err, errlen, "chdir %s: %s", sp->cwd, why);
		break;
	case FAIL_EXEC:
		snprintf(err, errlen, "exec %s: %s", sp->argv[0], why);
		break;
	default:
		snprintf(err, errlen, "set up file descriptors: %s", why);
	}
}

/*
 * Fork and exec sp; waits only until the child has exec'd (or said why it
 * could not). Returns the pid, or -1 with err set and the child reaped.
 */
pid_t
cmd_spawn(const struct cmd_spawn *sp, char *err, size_t errlen)
{
	struct child_failure f;
	struct creds cr;
	int ep[2], devnull;
	pid_t pid;
	ssize_t n;

	if (creds_lookup(sp, &cr) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "%s: %s", devnull < 0 ? "/dev/null" :
		    "pipe", strerror(errno));
		if (devnull >= 0)
			close(devnull);
		free(cr.groups);
		return -1;
	}
	if ((pid = fork()) == 0)
		spawn_child(sp, &cr, devnull, ep[1]);
	close(ep[1]);
	close(devnull);
	/* The group exists before the guard hears of it, whichever of
	 * parent and child runs first (it fails once the child has exec'd,
	 * when the child has made it already). A terminal's child makes a
	 * session of its own instead, which a group leader cannot. */
	if (pid > 0) {
		if (!sp->tty)
			setpgid(pid, pid);
		guard_watch(pid);
	}
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(ep[0]);
		free(cr.groups);
		return -1;
	}
	/* EOF: exec went through (the pipe is close-on-exec). */
	while ((n = read(ep[0], &f, sizeof(f))) < 0 && errno == EINTR)
		;
	close(ep[0]);
	if (n == (ssize_t)sizeof(f)) {
		failure_text(sp, &cr, &f, err, errlen);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		pid = -1;
	}
	free(cr.groups);
	return pid;
}

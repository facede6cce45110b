/*
 * kernel_launch.c — a kernel process, started as jupyter_client starts
 * one: argv from the kernelspec with {connection_file} and {resource_dir}
 * filled in, the kernelspec's env over ours, a session of its own (an
 * interrupt signals its whole group, and a terminal's ^C never reaches
 * it).
 *
 * No orphans: the child asks for SIGKILL when its parent goes
 * (PR_SET_PDEATHSIG), which covers the daemon being killed outright.
 * That signal comes when the *thread* that forked exits, not the
 * process, and connection threads come and go: so every kernel is forked
 * by one launcher thread that lives as long as the daemon serves.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "command.h"
#include "expand.h"
#include "kernel_launch.h"

#define CONNECTION_FILE "connection.json"
#define LOG_FILE "kernel.log"
/* The child's copy of the error pipe. */
#define ERRPIPE_FD 3

/* What the launcher thread is asked to start. */
struct launch_job {
	const char *path;
	char *const *argv;
	char *const *envp;
	const char *cwd;
	int logfd;
	pid_t pid;		/* > 0 once started */
	int step, err;		/* why not: the step that failed, errno */
	int done;
};

enum { STEP_FORK = 1, STEP_FDS, STEP_CHDIR, STEP_EXEC, STEP_STOPPED };

static pthread_mutex_t launch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t launch_cond = PTHREAD_COND_INITIALIZER;
static struct launch_job *launch_pending;
static pthread_t launcher;
static int launcher_started, launcher_stopping;

/*
 * In the child, between fork and exec: only async-signal-safe calls. A
 * session of its own, death with the parent (unless that has already
 * happened), default signals, stdin from /dev/null, stdout and stderr to
 * the log, nothing else open.
 */
static void __attribute__((noreturn))
launch_child(const struct launch_job *j, pid_t parent, int devnull,
    int errpipe)
{
	struct sigaction sa;
	sigset_t none;
	int step = STEP_FDS, sig, ep, dn, lf, why[2];

	setsid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	osb_server_child_limits();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Copies above the targets first: any fd given may be 0, 1 or 2. */
	if ((ep = fcntl(errpipe, F_DUPFD_CLOEXEC, 10)) < 0)
		_exit(127);
	if ((dn = fcntl(devnull, F_DUPFD, 10)) < 0 ||
	    (lf = fcntl(j->logfd, F_DUPFD, 10)) < 0 || dup2(dn, 0) < 0 ||
	    dup2(lf, 1) < 0 || dup2(lf, 2) < 0 ||
	    dup3(ep, ERRPIPE_FD, O_CLOEXEC) < 0)
		goto fail;
	ep = ERRPIPE_FD;
#ifdef SYS_close_range
	syscall(SYS_close_range, ERRPIPE_FD + 1, ~0U, 0);
#endif
	step = STEP_CHDIR;
	if (j->cwd && chdir(j->cwd) < 0)
		goto fail;
	step = STEP_EXEC;
	execve(j->path, j->argv, j->envp);
fail:
	why[0] = step;
	why[1] = errno;
	(void)!write(ep, why, sizeof(why));
	_exit(127);
}

/* Fork and exec job j; fills j->pid, or j->step and j->err. */
static void
launch_fork(struct launch_job *j)
{
	pid_t parent = getpid();
	int ep[2], devnull, why[2];
	ssize_t n;

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		j->step = STEP_FDS;
		j->err = errno;
		if (devnull >= 0)
			close(devnull);
		return;
	}
	if ((j->pid = fork()) == 0)
		launch_child(j, parent, devnull, ep[1]);
	j->err = errno;
	close(ep[1]);
	close(devnull);
	if (j->pid < 0) {
		j->step = STEP_FORK;
		j->pid = 0;
		close(ep[0]);
		return;
	}
	/* EOF: exec went through (the pipe is close-on-exec). */
	while ((n = read(ep[0], why, sizeof(why))) < 0 && errno == EINTR)
		;
	close(ep[0]);
	if (n == (ssize_t)sizeof(why)) {
		j->step = why[0];
		j->err = why[1];
		while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
			;
		j->pid = 0;
	}
}

/* The launcher thread: forks what it is given until told to stop. */
static void *
launcher_thread(void *arg)
{
	struct launch_job *j;

	(void)arg;
	pthread_mutex_lock(&launch_lock);
	for (;;) {
		while (launch_pending == NULL && !launcher_stopping)
			pthread_cond_wait(&launch_cond, &launch_lock);
		if ((j = launch_pending) == NULL)
			break;
		pthread_mutex_unlock(&launch_lock);
		launch_fork(j);
		pthread_mutex_lock(&launch_lock);
		j->done = 1;
		launch_pending = NULL;
		pthread_cond_broadcast(&launch_cond);
	}
	pthread_mutex_unlock(&launch_lock);
	return NULL;
}

/* Have the launcher thread start j, and wait until it has. */
static void
launch_run(struct launch_job *j)
{
	pthread_mutex_lock(&launch_lock);
	if (!launcher_started && !launcher_stopping &&
	    pthread_create(&launcher, NULL, launcher_thread, NULL) == 0)
		launcher_started = 1;
	while (launch_pending != NULL && !launcher_stopping)
		pthread_cond_wait(&launch_cond, &launch_lock);
	if (!launcher_started || launcher_stopping) {
		j->step = STEP_STOPPED;
		pthread_mutex_unlock(&launch_lock);
		return;
	}
	launch_pending = j;
	pthread_cond_broadcast(&launch_cond);
	while (!j->done)
		pthread_cond_wait(&launch_cond, &launch_lock);
	pthread_mutex_unlock(&launch_lock);
}

void
kernel_launcher_stop(void)
{
	pthread_mutex_lock(&launch_lock);
	launcher_stopping = 1;
	pthread_cond_broadcast(&launch_cond);
	pthread_mutex_unlock(&launch_lock);
	if (launcher_started)
		pthread_join(launcher, NULL);
	launcher_started = 0;
}

/* Five distinct free loopback ports into kp->port; 0 or -1 with err. */
static int
pick_ports(struct kernel_proc *kp, char *err, size_t errlen)
{
	struct sockaddr_in sin;
	socklen_t len;
	int fd[KCH_N], i, n, rc = 0;

	for (n = 0; n < KCH_N && rc == 0; n++) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(sin);
		if ((fd[n] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
		    0)) < 0 || bind(fd[n], (struct sockaddr *)&sin,
		    sizeof(sin)) < 0 || getsockname(fd[n],
		    (struct sockaddr *)&sin, &len) < 0) {
			snprintf(err, errlen, "pick a port: %s",
			    strerror(errno));
			rc = -1;
		}
		kp->port[n] = ntohs(sin.sin_port);
	}
	for (i = 0; i < n; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return rc;
}

/* path in the kernel's directory into buf. */
static const char *
in_dir(const struct kernel_proc *kp, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", kp->dir, name);
	return buf;
}

/* Write the connection file (mode 0600); 0 or -1 with err set. */
static int
write_connection_file(const struct kernel_proc *kp, const char *name,
    char *err, size_t errlen)
{
	char path[600];
	json_t *doc;
	int fd, rc;

	doc = json_pack("{s:i, s:i, s:i, s:i, s:i, s:s, s:s, s:s, s:s, s:s}",
	    "shell_port", kp->port[KCH_SHELL], "iopub_port",
	    kp->port[KCH_IOPUB], "stdin_port", kp->port[KCH_STDIN],
	    "control_port", kp->port[KCH_CONTROL], "hb_port",
	    kp->port[KCH_HB], "ip", "127.0.0.1", "key", kp->key, "transport",
	    "tcp", "signature_scheme", "hmac-sha256", "kernel_name", name);
	in_dir(kp, CONNECTION_FILE, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	rc = doc && fd >= 0 ? json_dumpfd(doc, fd, JSON_INDENT(1)) : -1;
	if (rc < 0)
		snprintf(err, errlen, "write %s: %s", path, fd < 0 ?
		    strerror(errno) : "out of memory");
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		snprintf(err, errlen, "write %s: %s", path, strerror(errno));
		rc = -1;
	}
	json_decref(doc);
	return rc;
}

/* arg with each {connection_file} and {resource_dir} filled in. */
static char *
fill_arg(const char *arg, const char *conn, const char *res)
{
	static const char *const names[] = { "{connection_file}",
	    "{resource_dir}" };
	const char *values[] = { conn, res };
	struct osb_buf b = { 0 };
	const char *p = arg;
	size_t k;

	while (*p) {
		for (k = 0; k < 2; k++)
			if (strncmp(p, names[k], strlen(names[k])) == 0)
				break;
		if (k < 2) {
			if (osb_buf_append(&b, values[k], strlen(values[k])) < 0)
				break;
			p += strlen(names[k]);
		} else if (osb_buf_append(&b, p++, 1) < 0)
			break;
	}
	if (*p || osb_buf_append(&b, "", 0) < 0) {
		osb_buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* Free a NULL-terminated vector. */
static void
free_vec(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* The kernelspec's argv filled in for kp; NULL when out of memory. */
static char **
kernel_argv(const struct kernel_spec *ks, const struct kernel_proc *kp)
{
	char conn[600], **argv;
	size_t n, i;

	for (n = 0; ks->argv[n]; n++)
		;
	if ((argv = calloc(n + 1, sizeof(*argv))) == NULL)
		return NULL;
	in_dir(kp, CONNECTION_FILE, conn, sizeof(conn));
	for (i = 0; i < n; i++)
		if ((argv[i] = fill_arg(ks->argv[i], conn, ks->dir)) == NULL) {
			free_vec(argv);
			return NULL;
		}
	return argv;
}

/* Our environment, the kernelspec's over it, and JPY_PARENT_PID. */
static char **
kernel_env(const struct kernel_spec *ks)
{
	json_t *env = ks->env ? json_deep_copy(ks->env) : json_object();
	char pid[32];
	char **envp;

	if (env == NULL)
		return NULL;
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	json_object_set_new(env, "JPY_PARENT_PID", json_string(pid));
	envp = cmd_env_build(env);
	json_decref(env);
	return envp;
}

/*
 * The program to exec for name: as it is when it holds a "/", else
 * found on PATH (envp's). Returns malloc'd text, or NULL with err set.
 */
static char *
find_program(const char *name, char *const *envp, char *err, size_t errlen)
{
	const char *path = env_lookup(envp, "PATH", 4), *dir, *end;
	char buf[4096];

	if (strchr(name, '/'))
		return strdup(name);
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (dir = path; *dir; dir = *end ? end + 1 : end) {
		end = dir + strcspn(dir, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - dir), dir,
		    name);
		if (end > dir && access(buf, X_OK) == 0)
			return strdup(buf);
	}
	snprintf(err, errlen, "%s: not found on PATH", name);
	return NULL;
}

/* Why job j did not start, into err. */
static void
launch_failure(const struct launch_job *j, char *err, size_t errlen)
{
	const char *why = strerror(j->err);

	switch (j->step) {
	case STEP_STOPPED:
		snprintf(err, errlen, "the daemon is shutting down");
		break;
	case STEP_CHDIR:
		snprintf(err, errlen, "chdir %s: %s", j->cwd, why);
		break;
	case STEP_EXEC:
		snprintf(err, errlen, "exec %s: %s", j->path, why);
		break;
	default:
		snprintf(err, errlen, "%s: %s", j->step == STEP_FORK ? "fork" :
		    "set up file descriptors", why);
	}
}

/* Start the process of ks with kp's directory made; 0 or -1 with err. */
static int
start_process(const struct kernel_spec *ks, const char *cwd,
    struct kernel_proc *kp, char *err, size_t errlen)
{
	struct launch_job j = { .cwd = cwd, .logfd = -1 };
	char **argv = kernel_argv(ks, kp), **envp = kernel_env(ks);
	char *path = NULL, log[600];

	if (argv == NULL || envp == NULL)
		snprintf(err, errlen, "out of memory");
	else if ((path = find_program(argv[0], envp, err, errlen)) != NULL &&
	    (j.logfd = open(in_dir(kp, LOG_FILE, log, sizeof(log)),
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
		snprintf(err, errlen, "%s: %s", log, strerror(errno));
	if (j.logfd >= 0) {
		j.path = path;
		j.argv = argv;
		j.envp = envp;
		launch_run(&j);
		close(j.logfd);
		if ((kp->pid = j.pid) == 0)
			launch_failure(&j, err, errlen);
	}
	free(path);
	free_vec(argv);
	cmd_env_free(envp);
	return kp->pid > 0 ? 0 : -1;
}

/* A private directory for a kernel into kp->dir; 0 or -1 with err. */
static int
make_dir(struct kernel_proc *kp, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(kp->dir, sizeof(kp->dir), "%s/osb-kernel-XXXXXX", tmp);
	if (mkdtemp(kp->dir) == NULL) {
		snprintf(err, errlen, "make a directory in %s: %s", tmp,
		    strerror(errno));
		kp->dir[0] = '\0';
		return -1;
	}
	return 0;
}

int
kernel_launch(const struct kernel_spec *ks, const char *cwd,
    struct kernel_proc *kp, char *err, size_t errlen)
{
	unsigned char raw[32];
	size_t i;

	memset(kp, 0, sizeof(*kp));
	kp->pidfd = -1;
	arc4random_buf(raw, sizeof(raw));
	for (i = 0; i < sizeof(raw); i++)
		snprintf(kp->key + 2 * i, 3, "%02x", raw[i]);
	if (make_dir(kp, err, errlen) < 0 || pick_ports(kp, err, errlen) < 0 ||
	    write_connection_file(kp, ks->name, err, errlen) < 0 ||
	    start_process(ks, cwd, kp, err, errlen) < 0) {
		kernel_proc_release(kp);
		return -1;
	}
	kp->pidfd = cmd_pidfd(kp->pid);
	return 0;
}

void
kernel_log_tail(const struct kernel_proc *kp, char *buf, size_t len)
{
	char path[600], tail[1024], *line, *end;
	ssize_t n = 0;
	off_t size;
	int fd;

	buf[0] = '\0';
	if ((fd = open(in_dir(kp, LOG_FILE, path, sizeof(path)),
	    O_RDONLY | O_CLOEXEC)) < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size > 0)
		n = pread(fd, tail, sizeof(tail) - 1, size > (off_t)sizeof(tail)
		    - 1 ? size - (off_t)sizeof(tail) + 1 : 0);
	close(fd);
	if (n <= 0)
		return;
	tail[n] = '\0';
	for (end = tail + n; end > tail && (end[-1] == '\n' ||
	    end[-1] == '\r' || end[-1] == ' '); end--)
		;
	*end = '\0';
	line = strrchr(tail, '\n');
	strlcpy(buf, line ? line + 1 : tail, len);
}

void
kernel_proc_release(struct kernel_proc *kp)
{
	char path[600];

	if (kp->pidfd >= 0)
		close(kp->pidfd);
	kp->pidfd = -1;
	if (kp->dir[0] == '\0')
		return;
	unlink(in_dir(kp, CONNECTION_FILE, path, sizeof(path)));
	unlink(in_dir(kp, LOG_FILE, path, sizeof(path)));
	rmdir(kp->dir);
	kp->dir[0] = '\0';
}

/*
 * local_super.c — the supervisor of one sandbox: brings it up (record,
 * root, bundle, the OCI runtime's container, its network), says so to the
 * CLI that asked, then owns it until kill, expiry or failure.
 */
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "local_bundle.h"
#include "local_event.h"
#include "local_egress.h"
#include "local_egress_api.h"
#include "local_net.h"
#include "local_root.h"
#include "local_runc.h"
#include "local_super.h"
#include "local_userns.h"
#include "util.h"

#define READY_WAIT_MS	30000

struct super {
	const struct osb_local *l;
	const struct local_plan *plan;
	char id[LOCAL_ID_LEN + 1];
	char sbdir[PATH_MAX];
	pid_t init;		/* its pid 1, our child once created */
	pid_t slirp;		/* its network */
	int slirp_hold;		/* slirp4netns ends when this closes */
	pid_t dns;		/* dnsmasq of its egress policy, 0: none */
	int created;		/* the runtime knows the container */
	int listening;		/* init has execd's socket */
	int report_fd;		/* to the CLI until it has its answer */
	int ev_fd;		/* from init */
	int sig_fd, timer_fd;
	char address[16];	/* its ports are published here */
	char stage[PATH_MAX];	/* where the runtime finds its root */
	char token[33];
	char egress_token[33];	/* for its egress API, never in it */
	char runtime[PATH_MAX];	/* the OCI runtime's full path */
	int rootless;		/* not root: in a user namespace of ours */
	char entry_text[240];	/* why the entrypoint could not start */
	char entry_end[400];	/* how it ended, once it has */
	char note[512];		/* what the Running status says */
};

/* The file name in the sandbox's directory into path (PATH_MAX); the
 * longest name was tried before the supervisor started. */
static void
sb_file(const struct super *s, const char *name, char *path)
{
	if (local_path(s->l, s->id, name, path) == -1)
		*path = '\0';
}

/* A line in the supervisor's log (its stderr). */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	char now[32];
	va_list ap;

	local_time_format(local_now_ms(), now, sizeof(now));
	fprintf(stderr, "%s ", now);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* What a status change writes: state (NULL: the one it is in, with
 * reason and message new when reason is set), reason, message, runtime
 * fields. */
struct change {
	const char *state, *reason, *message;
	json_t *runtime;	/* merged into "runtime" when not NULL */
	const char *only_from;	/* change only a sandbox in this state */
};

/* local_change_fn: apply a struct change. */
static int
apply_change(json_t *rec, void *arg, struct osb_error *err)
{
	struct change *c = arg;

	(void)err;
	if (c->only_from && strcmp(local_state_of(rec), c->only_from) != 0)
		return 1;
	if (c->runtime)
		json_object_update(json_object_get(rec, "runtime"), c->runtime);
	if (c->state)
		local_set_status(rec, c->state, c->reason, c->message);
	else if (c->reason)
		local_set_status(rec, local_state_of(rec), c->reason,
		    c->message);
	return 0;
}

/* Change the record; a failure is only logged (the CLI will see). */
static void
record(struct super *s, struct change *c)
{
	struct osb_error err = { 0 };

	if (local_update(s->l, s->id, apply_change, c, NULL, &err) == -1)
		say("update the record: %s", err.message);
}

/* Tell the CLI that asked for the sandbox how it went, once. */
static void
report(struct super *s, const char *msg)
{
	if (s->report_fd == -1)
		return;
	(void)!write(s->report_fd, msg, strlen(msg));
	close(s->report_fd);
	s->report_fd = -1;
}

/* How the supervisor runs the OCI runtime: its state under ours, its
 * log in the sandbox's directory. */
static struct local_runc
runtime_of(const struct super *s, char *root, char *log)
{
	struct local_runc r = { s->runtime, root, log, -1, NULL };

	local_runtime_root(s->l, root);
	sb_file(s, "runtime.log", log);
	return r;
}

/* Run the runtime with args ("kill", ID, "KILL"). 0 or -1 (logged). */
static int
runtime_cmd(struct super *s, char *const args[])
{
	char root[PATH_MAX], log[PATH_MAX], why[300];
	struct local_runc r = runtime_of(s, root, log);

	if (local_runc(&r, args, why, sizeof(why)) == -1) {
		say("%s %s: %s", s->runtime, args[0], why);
		return -1;
	}
	return 0;
}

/* End every process of the sandbox, its network and the runtime's
 * container. */
static void
kill_tree(struct super *s)
{
	char *delete_args[] = { "delete", "--force", s->id, NULL };

	/* The sandbox's pid 1 is our child: its end is every process's. */
	if (s->init > 0) {
		kill(s->init, SIGKILL);
		while (waitpid(s->init, NULL, 0) == -1 && errno == EINTR)
			;
	}
	if (s->created) {
		runtime_cmd(s, delete_args);
		s->created = 0;
	}
	s->init = 0;
	if (s->slirp_hold != -1) {
		close(s->slirp_hold);
		s->slirp_hold = -1;
	}
	if (s->slirp > 0) {
		kill(s->slirp, SIGKILL);
		while (waitpid(s->slirp, NULL, 0) == -1 && errno == EINTR)
			;
		s->slirp = 0;
	}
	local_egress_api_stop();
	local_egress_stop(&s->dns);
	/* The root's mounts are in our namespace: gone before the tree. */
	if (s->stage[0] != '\0') {
		local_root_unmount(s->stage);
		umount2(s->stage, MNT_DETACH);
	}
	local_root_unmount(s->sbdir);
}

/* Remove the sandbox's record and directory (the record first: it is
 * gone for readers from then on). */
static void
remove_sandbox(struct super *s)
{
	char path[PATH_MAX];
	int fd = local_lock(s->l, s->id);

	if (local_path(s->l, s->id, "state.json", path) == 0)
		unlink(path);
	local_unlock(fd);
	if (local_remove_tree(s->sbdir) == -1)
		say("remove %s: %s", s->sbdir, strerror(errno));
}

/* The end: the container, its network, and the sandbox unless it
 * failed. */
static void __attribute__((noreturn))
finish(struct super *s, const char *state, const char *reason,
    const char *message)
{
	struct change c = { state, reason, message, NULL, NULL };

	kill_tree(s);
	record(s, &c);
	say("%s (%s)%s%s", state, reason, message ? ": " : "",
	    message ? message : "");
	if (strcmp(state, "Terminated") == 0)
		remove_sandbox(s);
	_exit(0);
}

/* The create failed: say why to the CLI and leave nothing behind. */
static void __attribute__((noreturn))
fail_create(struct super *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("create failed: %s", msg);
	kill_tree(s);
	/* Nobody to hear it: keep the sandbox, Failed, for a reader. */
	if (s->report_fd == -1 || write(s->report_fd, msg, strlen(msg)) < 0) {
		struct change c = { "Failed", "provision_failed", msg, NULL,
		    NULL };

		record(s, &c);
		_exit(1);
	}
	close(s->report_fd);
	remove_sandbox(s);
	_exit(1);
}

/* Be a quiet background process: name, log as stderr, no other fds,
 * the signals we act on through a signalfd. */
static int
become_supervisor(struct super *s)
{
	char path[PATH_MAX];
	sigset_t set;
	int fd;

	prctl(PR_SET_NAME, "osb-supervise");
	sb_file(s, "supervisor.log", path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600)) == -1)
		return -1;
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	if ((fd = open("/dev/null", O_RDONLY)) != -1) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	/* Whatever the caller had open (a server's sockets, a pipe a shell
	 * waits on) is not ours to keep. */
	if (s->report_fd > 3) {
		dup2(s->report_fd, 3);
		s->report_fd = 3;
	}
	syscall(SYS_close_range, s->report_fd == 3 ? 4 : 3, ~0U, 0);
	fcntl(s->report_fd, F_SETFD, FD_CLOEXEC);
	if (chdir(s->sbdir) == -1)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_SETMASK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	s->sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	s->timer_fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
	return s->sig_fd == -1 || s->timer_fd == -1 ? -1 : 0;
}

/* The first record: Pending, with who supervises it. */
static void
first_record(struct super *s, const json_t *rec)
{
	struct osb_error err = { 0 };
	json_t *copy = json_deep_copy(rec), *rt;
	int fd;

	rt = json_object_get(copy, "runtime");
	json_object_set_new(rt, "supervisor", json_integer(getpid()));
	json_object_set_new(rt, "supervisorStart",
	    json_integer(local_proc_start(getpid())));
	json_object_set_new(rt, "address", json_string(s->address));
	json_object_set_new(rt, "token", json_string(s->token));
	json_object_set_new(rt, "egressToken", json_string(s->egress_token));
	json_object_set_new(rt, "runtime", json_string(s->runtime));
	fd = local_lock(s->l, s->id);
	if (local_write(s->l, s->id, copy, &err) == -1)
		say("%s", err.message);
	local_unlock(fd);
	json_decref(copy);
}


/* Without cgroups, the limits that are rlimits (or nothing), said in
 * the status. */
static void
note_rlimits(struct super *s)
{
	static const char *const notes[] = {
	    "resourceLimits.cpu not enforced (no cgroup cpu controller)",
	    "resourceLimits.memory set as an address space rlimit (no cgroup "
	    "memory controller)",
	    "resourceLimits.pids set as a process rlimit of the user (no "
	    "cgroup pids controller)" };
	const int64_t asked[] = { s->plan->limits.cpu_millis,
	    s->plan->limits.memory, s->plan->limits.pids };
	size_t i, len;

	for (i = 0; i < 3; i++) {
		if (asked[i] <= 0)
			continue;
		len = strlen(s->note);
		snprintf(s->note + len, sizeof(s->note) - len, "%s%s",
		    len ? "; " : "", notes[i]);
	}
}

/* The egress API on the sandbox's address, with the policy enforced
 * now (deny-all without rules is one too). */
static void
start_egress_api(struct super *s)
{
	json_t *deny = json_pack("{s:s, s:[]}", "defaultAction", "deny",
	    "egress");
	const json_t *p = s->plan->egress != NULL ? s->plan->egress :
	    s->plan->deny_net ? deny : NULL;
	char why[256];

	if (local_egress_api_start(s->address, s->egress_token, s->init, p,
	    s->sbdir, &s->dns, why, sizeof(why)) == -1) {
		json_decref(deny);
		fail_create(s, "the egress API: %s", why);
	}
	json_decref(deny);
}

/* The root, the bundle, the container created (init waiting to be
 * started), its network, and then started. */
static void
start_sandbox(struct super *s)
{
	char root[PATH_MAX], log[PATH_MAX], why[400], sock[PATH_MAX];
	struct local_runc r = runtime_of(s, root, log);
	struct local_bundle bundle;
	json_t *rt;
	struct local_mount *vols;
	int ev[2], hold[2], keep[3], out;
	char *create[] = { "create", "--bundle", s->sbdir, "--pid-file",
	    "init.pid", "--preserve-fds", "2", s->id, NULL };
	char *start[] = { "start", s->id, NULL };
	FILE *f;

	if ((vols = calloc(s->plan->nmounts + 1, sizeof(*vols))) == NULL)
		fail_create(s, "out of memory");
	if (local_root_build(s->sbdir, s->plan, s->id, s->rootless, vols,
	    s->stage, why, sizeof(why)) == -1)
		fail_create(s, "%s", why);
	bundle = (struct local_bundle){ s->l, s->plan, s->id, s->token,
	    s->stage, vols, s->rootless };
	if (local_bundle_write(&bundle, why, sizeof(why)) == -1)
		fail_create(s, "%s", why);
	free(vols);
	if (pipe2(ev, O_CLOEXEC) == -1 || pipe2(hold, O_CLOEXEC) == -1)
		fail_create(s, "pipe: %s", strerror(errno));
	keep[0] = ev[1];
	keep[1] = open("execd.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600);
	keep[2] = -1;
	out = open("entrypoint.log", O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0600);
	if (keep[1] == -1 || out == -1)
		fail_create(s, "open the logs in %s: %s", s->sbdir,
		    strerror(errno));
	r.out = out;
	r.keep = keep;
	s->ev_fd = ev[0];
	s->created = 1;
	if (local_runc(&r, create, why, sizeof(why)) == -1)
		fail_create(s, "%s create: %s", s->runtime, why);
	close(ev[1]);
	close(keep[1]);
	close(out);
	if ((f = fopen("init.pid", "re")) == NULL || fscanf(f, "%d",
	    &s->init) != 1)
		fail_create(s, "%s create: no pid of the sandbox's init",
		    s->runtime);
	fclose(f);
	rt = json_pack("{s:i, s:I}", "init", (int)s->init, "initStart",
	    (json_int_t)local_proc_start(s->init));
	record(s, &(struct change){ NULL, NULL, NULL, rt, NULL });
	json_decref(rt);
	sb_file(s, "network.sock", sock);
	s->slirp_hold = hold[1];
	if ((s->slirp = local_net_start(s->init, sock, hold[0],
	    s->plan->deny_net, why, sizeof(why))) == -1)
		fail_create(s, "%s", why);
	close(hold[0]);
	if (s->plan->egress != NULL && local_egress_apply(s->init,
	    s->plan->egress, s->sbdir, &s->dns, why, sizeof(why)) == -1)
		fail_create(s, "%s", why);
	if (!s->rootless)
		start_egress_api(s);
	if (local_net_publish(sock, s->address, LOCAL_EXECD_PORT, why,
	    sizeof(why)) == -1)
		fail_create(s, "%s", why);
	r.out = -1;
	r.keep = NULL;
	if (local_runc(&r, start, why, sizeof(why)) == -1)
		fail_create(s, "%s start: %s", s->runtime, why);
}

/* Does execd answer? A request through the published port: the
 * reply comes once execd is up, whatever slirp4netns accepts. */
static int
execd_answers(const struct super *s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct timeval tv = { 5, 0 };
	char req[128], buf[16];
	int fd, ok = 0;

	sin.sin_port = htons(LOCAL_EXECD_PORT);
	inet_pton(AF_INET, s->address, &sin.sin_addr);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	snprintf(req, sizeof(req), "GET /ping HTTP/1.0\r\n"
	    "X-EXECD-ACCESS-TOKEN: %s\r\n\r\n", s->token);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    osb_write_all(fd, req, strlen(req)) == 0 &&
	    read(fd, buf, sizeof(buf)) >= 12)
		ok = strncmp(buf + 9, "200", 3) == 0;
	close(fd);
	return ok;
}

/* "exited with status 3", "killed by signal 9" for a wait status. */
static void
describe_exit(int status, char *buf, size_t n)
{
	if (WIFSIGNALED(status))
		snprintf(buf, n, "killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		snprintf(buf, n, "exited with status %d", WEXITSTATUS(status));
}

/* Wait for init, which has ended (its pipe closed); its wait status. */
static int
reap_init(struct super *s)
{
	int status = 0;

	while (waitpid(s->init, &status, 0) == -1 && errno == EINTR)
		;
	s->init = 0;
	return status;
}

/* The entrypoint ended: the sandbox stays, its status says so. */
static void
entrypoint_ended(struct super *s, const struct local_event *ev)
{
	char how[128], msg[400];

	if (ev->text[0] != '\0') {
		strlcpy(s->entry_text, ev->text, sizeof(s->entry_text));
		return;
	}
	describe_exit(ev->status, how, sizeof(how));
	if (s->entry_text[0] != '\0')
		snprintf(msg, sizeof(msg), "entrypoint %s (%s)", how,
		    s->entry_text);
	else
		snprintf(msg, sizeof(msg), "entrypoint %s", how);
	say("%s", msg);
	strlcpy(s->entry_end, msg, sizeof(s->entry_end));
	record(s, &(struct change){ NULL, "entrypoint_exited", msg, NULL,
	    NULL });
}

/* Read an event from init; 0, or -1 when init is gone. */
static int
read_event(struct super *s, struct local_event *ev)
{
	ssize_t n = read(s->ev_fd, ev, sizeof(*ev));

	if (n == (ssize_t)sizeof(*ev))
		return 0;
	if (n < 0 && errno == EINTR)
		return read_event(s, ev);
	return -1;
}

/* The last line execd logged, for a failure message. */
static void
execd_last_words(const struct super *s, char *buf, size_t n)
{
	char path[PATH_MAX], line[512];
	FILE *f;

	*buf = '\0';
	sb_file(s, "execd.log", path);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] != '\n')
			strlcpy(buf, line, n);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* An event while the sandbox is coming up. */
static void
pending_event(struct super *s)
{
	struct local_event ev;
	char how[128], last[300];

	if (read_event(s, &ev) == -1) {
		describe_exit(reap_init(s), how, sizeof(how));
		fail_create(s, "the sandbox's init %s during setup", how);
	}
	if (ev.kind == LOCAL_EV_READY) {
		s->listening = 1;
		return;
	}
	if (ev.kind == LOCAL_EV_SETUP)
		fail_create(s, "%s", ev.text);
	if (ev.kind == LOCAL_EV_EXECD) {
		describe_exit(ev.status, how, sizeof(how));
		execd_last_words(s, last, sizeof(last));
		fail_create(s, "osb-execd %s%s%s", how, *last ? ": " : "",
		    last);
	}
	/* A sandbox whose entrypoint cannot start does not run, as a
	 * container whose process cannot start. */
	if (ev.kind == LOCAL_EV_ENTRY && ev.text[0] != '\0')
		fail_create(s, "%s", ev.text);
	entrypoint_ended(s, &ev);
}

/* A signal while the sandbox is coming up: only kill counts. */
static void
pending_signal(struct super *s)
{
	struct signalfd_siginfo si;
	char how[128];
	int status;

	if (read(s->sig_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
		report(s, "killed while it was starting");
		finish(s, "Terminated", "user_delete", NULL);
	}
	if (si.ssi_signo == SIGCHLD && waitpid(s->init, &status, WNOHANG) ==
	    s->init) {
		s->init = 0;
		describe_exit(status, how, sizeof(how));
		fail_create(s, "the sandbox's init %s during setup", how);
	}
}

/* The status of a running sandbox: how its entrypoint ended, or what
 * the runtime could not do as asked. */
static void
set_running(struct super *s, const char *from)
{
	if (s->entry_end[0] != '\0')
		record(s, &(struct change){ "Running", "entrypoint_exited",
		    s->entry_end, NULL, from });
	else
		record(s, &(struct change){ "Running", "running",
		    s->note[0] ? s->note : NULL, NULL, from });
}

/* Wait until init listens for execd and execd answers, then say
 * Running. */
static void
wait_ready(struct super *s)
{
	struct pollfd pfd[2] = { { s->ev_fd, POLLIN, 0 }, { s->sig_fd, POLLIN,
	    0 } };
	int64_t start = local_now_ms();

	while (!s->listening || !execd_answers(s)) {
		if (local_now_ms() - start > READY_WAIT_MS)
			fail_create(s, "osb-execd did not answer within %d s",
			    READY_WAIT_MS / 1000);
		/* Not listening: wait for init's word. Listening but no
		 * answer: execd is ending, and says so next. */
		if (poll(pfd, 2, s->listening ? 10 : 1000) > 0) {
			if (pfd[0].revents)
				pending_event(s);
			if (pfd[1].revents)
				pending_signal(s);
		}
	}
	set_running(s, "Pending");
	say("Running: osb-execd at %s:%d", s->address, LOCAL_EXECD_PORT);
	report(s, "ok");
}

/* Arm the expiry timer from the record's expiresAt (or disarm it). */
static void
arm_expiry(struct super *s)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	struct osb_error err = { 0 };
	const char *when;
	json_t *rec;
	int64_t ms;

	if ((rec = local_read(s->l, s->id, &err)) == NULL)
		return;
	when = json_string_value(json_object_get(json_object_get(rec,
	    "sandbox"), "expiresAt"));
	if (when != NULL && local_time_parse(when, &ms) == 0) {
		its.it_value.tv_sec = ms / 1000;
		its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
	json_decref(rec);
}

/* pause (SIGUSR1) or resume (SIGUSR2), asked for by the CLI, which set
 * Pausing or Resuming. */
static void
freeze(struct super *s, int on)
{
	const char *from = on ? "Pausing" : "Resuming";
	char *args[] = { on ? "pause" : "resume", s->id, NULL };

	if (s->rootless)
		local_userns_signal_all(s->init, on ? SIGSTOP : SIGCONT);
	else if (runtime_cmd(s, args) == -1) {
		/* As it was: the CLI waiting on the change hears so. */
		record(s, &(struct change){ on ? "Running" : "Paused", NULL,
		    NULL, NULL, from });
		return;
	}
	if (on)
		record(s, &(struct change){ "Paused", "paused", NULL, NULL,
		    from });
	else
		set_running(s, from);
	say("%s", on ? "Paused" : "Running");
}

/* Init is gone, with the wait status given (or, for -1, still to be
 * had): the sandbox has failed. */
static void __attribute__((noreturn))
init_ended(struct super *s, int status)
{
	char how[128], msg[200];

	if (status == -1)
		status = reap_init(s);
	s->init = 0;
	describe_exit(status, how, sizeof(how));
	snprintf(msg, sizeof(msg), "the sandbox's init %s", how);
	finish(s, "Failed", "runtime_error", msg);
}

/* A signal from a CLI (or init's end). */
static void
on_signal(struct super *s)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	if (read(s->sig_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	switch (si.ssi_signo) {
	case SIGTERM:
	case SIGINT:
		finish(s, "Terminated", "user_delete", NULL);
	case SIGUSR1:
		freeze(s, 1);
		break;
	case SIGUSR2:
		freeze(s, 0);
		break;
	case SIGHUP:
		arm_expiry(s);
		break;
	case SIGCHLD:
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid == s->init)
				init_ended(s, status);
			if (pid == s->slirp) {
				s->slirp = 0;
				finish(s, "Failed", "network_error", "its "
				    "network (slirp4netns) ended");
			}
		}
		break;
	}
}

/* An event from init while running. */
static void
on_event(struct super *s)
{
	struct local_event ev;
	char how[128], msg[400], last[200];

	/* The pipe closes when init ends. */
	if (read_event(s, &ev) == -1)
		init_ended(s, -1);
	if (ev.kind == LOCAL_EV_READY)
		return;
	if (ev.kind == LOCAL_EV_ENTRY) {
		entrypoint_ended(s, &ev);
		return;
	}
	describe_exit(ev.status, how, sizeof(how));
	execd_last_words(s, last, sizeof(last));
	snprintf(msg, sizeof(msg), "osb-execd %s%s%s", how, *last ? ": " : "",
	    last);
	finish(s, "Failed", "execd_exited", msg);
}

/* expiresAt has come: Stopping, then the end. */
static void __attribute__((noreturn))
expire(struct super *s)
{
	record(s, &(struct change){ "Stopping", "ttl_expiry", "the sandbox "
	    "expired", NULL, NULL });
	finish(s, "Terminated", "ttl_expiry", NULL);
}

/* Serve the sandbox until it ends. */
static void __attribute__((noreturn))
run(struct super *s)
{
	struct pollfd pfd[3] = { { s->sig_fd, POLLIN, 0 }, { s->ev_fd, POLLIN,
	    0 }, { s->timer_fd, POLLIN, 0 } };
	uint64_t ticks;

	arm_expiry(s);
	for (;;) {
		if (poll(pfd, 3, -1) <= 0)
			continue;
		if (pfd[0].revents)
			on_signal(s);
		if (pfd[1].revents)
			on_event(s);
		if (pfd[2].revents && read(s->timer_fd, &ticks,
		    sizeof(ticks)) == (ssize_t)sizeof(ticks))
			expire(s);
	}
}

/* The supervisor's whole life. */
static void __attribute__((noreturn))
supervise(struct super *s, const json_t *rec)
{
	unsigned char raw[16];
	char why[300] = "";
	size_t i;

	if (local_create_dir(s->l, s->id) == -1 || become_supervisor(s) == -1) {
		report(s, strerror(errno));
		_exit(1);
	}
	arc4random_buf(raw, sizeof(raw));
	for (i = 0; i < sizeof(raw); i++)
		snprintf(s->token + 2 * i, 3, "%02x", raw[i]);
	arc4random_buf(raw, sizeof(raw));
	for (i = 0; i < sizeof(raw); i++)
		snprintf(s->egress_token + 2 * i, 3, "%02x", raw[i]);
	local_net_address(s->l, s->address);
	if (local_find_tool(s->l->runtime, s->runtime, why, sizeof(why)) == -1)
		strlcpy(s->runtime, s->l->runtime, sizeof(s->runtime));
	first_record(s, rec);
	strlcpy(s->note, s->plan->note, sizeof(s->note));
	if (*why != '\0' && access(s->runtime, X_OK) == -1)
		fail_create(s, "%s", why);
	if ((s->rootless = geteuid() != 0) && local_userns_enter() == -1)
		fail_create(s, "make a user namespace: %s", strerror(errno));
	if (s->rootless)
		note_rlimits(s);
	/* The sandbox's init, orphaned by the runtime, is ours to reap. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	start_sandbox(s);
	wait_ready(s);
	run(s);
}

/* Fork twice, so that the supervisor is no child of ours and
 * outlives us; the middle process ends at once. */
int
local_super_start(const struct osb_local *l, const json_t *rec,
    const struct local_plan *plan, struct osb_error *err)
{
	struct super s = { .l = l, .plan = plan, .ev_fd = -1, .sig_fd = -1,
	    .timer_fd = -1, .slirp_hold = -1 };
	const char *id = json_string_value(json_object_get(json_object_get(rec,
	    "sandbox"), "id"));
	char path[PATH_MAX];
	int rep[2], status;
	pid_t a, b;

	strlcpy(s.id, id, sizeof(s.id));
	if (local_path(l, id, NULL, s.sbdir) == -1 ||
	    local_path(l, id, "supervisor.log", path) == -1 ||
	    pipe2(rep, O_CLOEXEC) == -1 || (a = fork()) == -1) {
		osb_error_set(err, 500, "RUNTIME_ERROR", "create sandbox: start "
		    "its supervisor: %s", strerror(errno));
		return -1;
	}
	if (a == 0) {
		/* A session of its own, and no parent to wait for it. */
		close(rep[0]);
		setsid();
		if ((b = fork()) != 0)
			_exit(b == -1);
		s.report_fd = rep[1];
		supervise(&s, rec);
	}
	close(rep[1]);
	while (waitpid(a, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		close(rep[0]);
		osb_error_set(err, 500, "RUNTIME_ERROR", "create sandbox: could "
		    "not fork its supervisor");
		return -1;
	}
	return rep[0];
}

/* Only to the supervisor the record names, still the same process. */
int
local_super_signal(const json_t *rec, int sig)
{
	if (!local_proc_alive(rec, "supervisor"))
		return -1;
	return kill((pid_t)local_runtime_int(rec, "supervisor"), sig);
}

/* The runtime's container of a sandbox whose supervisor is gone: its
 * init has ended everything already (its pipe to the supervisor
 * closed); the runtime forgets it and removes its cgroups. */
void
local_super_reap(const struct osb_local *l, const json_t *rec)
{
	char root[PATH_MAX], log[PATH_MAX], why[300];
	const char *runtime = local_runtime_str(rec, "runtime");
	const char *id = json_string_value(json_object_get(json_object_get(rec,
	    "sandbox"), "id"));
	struct local_runc r = { runtime, root, log, -1, NULL };
	char *args[] = { "delete", "--force", (char *)id, NULL };

	if (runtime == NULL || id == NULL)
		return;
	local_runtime_root(l, root);
	if (local_path(l, id, "runtime.log", log) == -1)
		return;
	(void)local_runc(&r, args, why, sizeof(why));
}

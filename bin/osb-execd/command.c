/*
 * command.c — POST /command and what follows from it. A command runs as
 * `bash -c COMMAND` at the head of its own process group. One thread per
 * command reads its output as it comes, reaps it (waitpid on its pid
 * only), enforces its timeout and tells the stream how it ended; the
 * registry keeps every running command and the latest finished ones for
 * status and logs.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "log.h"
#include "session.h"

/* Finished commands kept for status and logs; older ones are dropped. */
#define MAX_FINISHED 128
/*
 * Once the command has exited, how long output may still come from
 * something it left behind holding the pipes (`daemon &`) before the
 * stream ends anyway.
 */
#define DRAIN_MS 100

struct cmd {
	struct cmd *next;	/* in the registry, newest first */
	char id[33];
	char *content;
	pid_t pid;		/* > 0 until reaped: safe to signal -pid */
	int running;
	int interrupted;	/* its whole group goes when it ends */
	int background;
	int exit_code;
	char error[128];
	struct timespec started, finished;
	int64_t start_ms;	/* cmd_clock_ms() */
	int64_t deadline_ms;	/* 0: no timeout */
	int log_fd;		/* background: stdout and stderr, unlinked */
	int refs;		/* the registry's, the thread's, waiters' */
};

/* What the reader thread of one command works with. */
struct watch {
	struct cmd *c;
	struct evq *q;		/* foreground: the stream; NULL: none */
	int pidfd;
	int fd[2];		/* stdout, stderr; -1 once at EOF */
	struct out_frame frame[2];
	int exited, wstatus, timed_out;
	int64_t drain_until;
	int lingering;		/* reported: only leftovers write now */
};

/* A parsed POST /command body. */
struct run_req {
	const char *command;
	const char *cwd;
	int background;
	int raw;		/* osb_framing "raw" */
	int64_t timeout_ms;
	int set_uid, set_gid;
	uid_t uid;
	gid_t gid;
	json_t *envs;
};

static pthread_mutex_t cmd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cmd_finished;	/* broadcast as each one ends */
static pthread_once_t cmd_once = PTHREAD_ONCE_INIT;
static struct cmd *cmds;
static unsigned nfinished;

/* The condition variable needs the monotonic clock: set up once. */
static void
cmd_init_once(void)
{
	cmd_cond_init(&cmd_finished);
}

/* Drop a reference; called with cmd_lock held. */
static void
cmd_unref_locked(struct cmd *c)
{
	if (--c->refs > 0)
		return;
	if (c->log_fd >= 0)
		close(c->log_fd);
	free(c->content);
	free(c);
}

/* Drop a reference, taking the lock. */
static void
cmd_unref(struct cmd *c)
{
	pthread_mutex_lock(&cmd_lock);
	cmd_unref_locked(c);
	pthread_mutex_unlock(&cmd_lock);
}

/* The command with that id, or NULL; called with cmd_lock held. */
static struct cmd *
cmd_find(const char *id)
{
	struct cmd *c;

	for (c = cmds; c; c = c->next)
		if (strcmp(c->id, id) == 0)
			return c;
	return NULL;
}

/* Forget the oldest finished commands beyond MAX_FINISHED. */
static void
cmd_evict_locked(void)
{
	struct cmd **pp, **oldest, *c;

	while (nfinished > MAX_FINISHED) {
		oldest = NULL;
		for (pp = &cmds; *pp; pp = &(*pp)->next)
			if (!(*pp)->running)
				oldest = pp;
		if (oldest == NULL)
			return;
		c = *oldest;
		*oldest = c->next;
		nfinished--;
		cmd_unref_locked(c);
	}
}

/* Record how c ended and wake whoever waits for it. */
static void
cmd_mark_finished(struct cmd *c, int code, const char *error)
{
	pthread_mutex_lock(&cmd_lock);
	c->running = 0;
	c->pid = 0;
	c->exit_code = code;
	strlcpy(c->error, error, sizeof(c->error));
	clock_gettime(CLOCK_REALTIME, &c->finished);
	nfinished++;
	cmd_evict_locked();
	pthread_cond_broadcast(&cmd_finished);
	pthread_mutex_unlock(&cmd_lock);
	execd_log(LOG_INFO_, "command %s finished: %s", c->id,
	    *error ? error : "exit status 0");
}

/*
 * Reap the command if it has exited; kill its group at the deadline. An
 * interrupted or timed out command takes what it left behind in its group
 * with it: killed while the unreaped leader still holds the group's id.
 */
static void
watch_check(struct watch *w, int64_t now)
{
	struct cmd *c = w->c;
	siginfo_t si;

	pthread_mutex_lock(&cmd_lock);
	si.si_pid = 0;
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) ==
	    0 && si.si_pid == c->pid) {
		if (c->interrupted || w->timed_out)
			kill(-c->pid, SIGKILL);
		waitpid(c->pid, &w->wstatus, 0);
		w->exited = 1;
		w->drain_until = now + DRAIN_MS;
		c->pid = 0;
	} else if (c->deadline_ms && now >= c->deadline_ms && !w->timed_out) {
		kill(-c->pid, SIGKILL);
		w->timed_out = 1;
	}
	pthread_mutex_unlock(&cmd_lock);
}

/* How long poll may sleep: -1 for as long as it takes. */
static int
watch_timeout(const struct watch *w, int64_t now)
{
	int64_t until = INT64_MAX;

	if (w->lingering)
		return -1;
	if (w->exited)
		until = w->drain_until;
	else if (w->c->deadline_ms && !w->timed_out)
		until = w->c->deadline_ms;
	return cmd_poll_timeout(until, now, !w->exited && w->pidfd < 0);
}

/*
 * One round: wait for output, exit or a deadline, and deal with it. While
 * the command runs and its stream has too much queued, its pipes are left
 * unread: the command waits for a slow client, as a write to it would,
 * instead of the queue growing without end. Once it has exited, what it
 * left in the pipes is read at once, before the drain window closes.
 */
static void
watch_round(struct watch *w, char *buf)
{
	struct pollfd pfd[3];
	int64_t now;
	int n = 0, i, slot[2] = { -1, -1 }, room = 1;

	if (w->q && !w->exited)
		room = evq_wait_room(w->q, 1000);
	now = cmd_clock_ms();
	for (i = 0; i < 2 && room; i++) {
		if (w->fd[i] < 0)
			continue;
		slot[i] = n;
		pfd[n].fd = w->fd[i];
		pfd[n++].events = POLLIN;
	}
	if (!w->exited && w->pidfd >= 0) {
		pfd[n].fd = w->pidfd;
		pfd[n++].events = POLLIN;
	}
	if (poll(pfd, (nfds_t)n, room ? watch_timeout(w, now) : 0) < 0 &&
	    errno != EINTR)
		return;
	for (i = 0; i < 2; i++)
		if (slot[i] >= 0 && pfd[slot[i]].revents)
			cmd_read_output(&w->fd[i], i, &w->frame[i], w->q, buf);
	if (!w->exited)
		watch_check(w, cmd_clock_ms());
}

/*
 * The drain window is over: take what the pipes hold right now, up to
 * what they can hold. That much may be the command's own last output,
 * which a reader thread slow to be scheduled must not lose; what its
 * leftovers write from now on is theirs.
 */
static void
watch_flush(struct watch *w, char *buf)
{
	struct pollfd pfd;
	ssize_t n;
	int i, left;

	for (i = 0; i < 2; i++) {
		if (w->fd[i] < 0)
			continue;
		if ((left = fcntl(w->fd[i], F_GETPIPE_SZ)) < 0)
			left = 65536;
		pfd.fd = w->fd[i];
		pfd.events = POLLIN;
		while (left > 0 && w->fd[i] >= 0 && poll(&pfd, 1, 0) == 1 &&
		    (n = cmd_read_output(&w->fd[i], i, &w->frame[i], w->q,
		    buf)) > 0)
			left -= (int)n;
	}
}

/* Tell the stream how the command ended, then close it. */
static void
watch_report(struct watch *w, const struct cmd_exit *e)
{
	if (w->q == NULL)
		return;
	cmd_last_events(w->q, w->frame, e->code, e->code == 0 &&
	    e->text[0] == '\0' ? NULL : e->text,
	    cmd_clock_ms() - w->c->start_ms);
	evq_end(w->q);
	w->q = NULL;
}

/*
 * The reader thread: until the command has exited and its pipes are done
 * (or the drain window is over), then on reading and dropping whatever
 * its leftovers still write, so that they never block or get SIGPIPE.
 */
static void *
cmd_thread(void *arg)
{
	struct watch *w = arg;
	struct cmd_exit e;
	char buf[CMD_READ_CHUNK];
	int64_t now;

	for (;;) {
		now = cmd_clock_ms();
		if (w->exited && ((w->fd[0] < 0 && w->fd[1] < 0) ||
		    now >= w->drain_until))
			break;
		watch_round(w, buf);
	}
	watch_flush(w, buf);
	cmd_exit_describe(w->wstatus, &e);
	cmd_mark_finished(w->c, e.code, e.text);
	watch_report(w, &e);
	w->lingering = 1;
	while (w->fd[0] >= 0 || w->fd[1] >= 0)
		watch_round(w, buf);
	if (w->pidfd >= 0)
		close(w->pidfd);
	cmd_unref(w->c);
	free(w);
	return NULL;
}

/* A JSON member that is absent or null. */
static int
absent(json_t *v)
{
	return v == NULL || json_is_null(v);
}

/* An optional unsigned 32-bit id member; 0, or -1 with err set. */
static int
parse_id(json_t *doc, const char *name, int *set, unsigned *val, char *err,
    size_t errlen)
{
	json_t *v = json_object_get(doc, name);

	*set = 0;
	if (absent(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)UINT32_MAX - 1) {
		snprintf(err, errlen, "\"%s\" must be an integer from 0 to "
		    "4294967294", name);
		return -1;
	}
	*set = 1;
	*val = (unsigned)json_integer_value(v);
	return 0;
}

/* Check that envs is an object of strings with sane names. */
static int
parse_envs(json_t *envs, char *err, size_t errlen)
{
	const char *key;
	json_t *val;

	if (!json_is_object(envs)) {
		snprintf(err, errlen, "\"envs\" must be an object of strings");
		return -1;
	}
	json_object_foreach(envs, key, val) {
		if (*key == '\0' || strchr(key, '=') || !json_is_string(val)) {
			snprintf(err, errlen, "\"envs\": bad entry \"%s\": "
			    "names must be non-empty without '=', values "
			    "strings", key);
			return -1;
		}
	}
	return 0;
}

/* Fill r from a POST /command body; 0, or -1 with err set. */
static int
parse_run_request(json_t *doc, struct run_req *r, char *err, size_t errlen)
{
	json_t *v;
	unsigned uid = 0, gid = 0;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "the body must be a JSON object");
		return -1;
	}
	if (cmd_parse_command(doc, &r->command, err, errlen) < 0 ||
	    cmd_parse_cwd(doc, &r->cwd, err, errlen) < 0)
		return -1;
	v = json_object_get(doc, "background");
	if (!absent(v) && !json_is_boolean(v)) {
		snprintf(err, errlen, "\"background\" must be a boolean");
		return -1;
	}
	r->background = json_is_true(v);
	if (cmd_parse_timeout(doc, &r->timeout_ms, err, errlen) < 0 ||
	    cmd_parse_framing(doc, &r->raw, err, errlen) < 0 ||
	    parse_id(doc, "uid", &r->set_uid, &uid, err, errlen) < 0 ||
	    parse_id(doc, "gid", &r->set_gid, &gid, err, errlen) < 0)
		return -1;
	r->uid = uid;
	r->gid = gid;
	if (r->set_gid && !r->set_uid) {
		snprintf(err, errlen, "uid is required when gid is provided");
		return -1;
	}
	v = json_object_get(doc, "envs");
	if (!absent(v) && parse_envs(v, err, errlen) < 0)
		return -1;
	r->envs = absent(v) ? NULL : v;
	return 0;
}

/* A new record for r, not yet registered; NULL when out of memory. */
static struct cmd *
cmd_new(const struct run_req *r)
{
	struct cmd *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->content = strdup(r->command)) == NULL) {
		free(c);
		return NULL;
	}
	cmd_random_id(c->id, sizeof(c->id), 0);
	c->background = r->background;
	c->log_fd = -1;
	c->refs = 1;
	clock_gettime(CLOCK_REALTIME, &c->started);
	c->start_ms = cmd_clock_ms();
	c->deadline_ms = cmd_deadline(c->start_ms, r->timeout_ms);
	return c;
}

/* An unlinked file for a background command's output; -1 on failure. */
static int
open_log_file(char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/osb-execd-XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "output file in %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	unlink(path);
	return fd;
}

/*
 * Spawn c and set its reader thread going; the command's stdout and
 * stderr go to pipes for the stream q, or to the log file in the
 * background. Returns 0, or -1 with err set (nothing left running).
 */
static int
cmd_start(struct cmd *c, const struct run_req *r, char **env,
    const char *cwd, struct evq *q, char *err, size_t errlen)
{
	const char *argv[] = { cmd_shell(), "-c", r->command, NULL };
	struct cmd_spawn sp = { argv, env, cwd, r->set_uid, r->set_gid,
	    r->uid, r->gid, { -1, -1, -1, -1, -1 }, 0 };
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	struct watch *w;
	pid_t pid;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->c = c;
	w->fd[0] = w->fd[1] = -1;
	if (c->background)
		sp.fd[1] = sp.fd[2] = c->log_fd;
	else {
		if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			goto fail;
		}
		sp.fd[1] = outp[1];
		sp.fd[2] = errp[1];
		w->fd[0] = outp[0];
		w->fd[1] = errp[0];
		w->q = q;
		w->frame[0].raw = w->frame[1].raw = r->raw;
	}
	pid = cmd_spawn(&sp, err, errlen);
	if (outp[1] >= 0)
		close(outp[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (pid < 0)
		goto fail;
	w->pidfd = cmd_pidfd(pid);
	pthread_mutex_lock(&cmd_lock);
	c->pid = pid;
	c->refs++;
	pthread_mutex_unlock(&cmd_lock);
	if (cmd_thread_start(cmd_thread, w) == 0)
		return 0;
	/* No thread to watch it: it can't run. */
	pthread_mutex_lock(&cmd_lock);
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
	c->pid = 0;
	c->refs--;
	pthread_mutex_unlock(&cmd_lock);
	if (w->pidfd >= 0)
		close(w->pidfd);
	snprintf(err, errlen, "cannot start a thread for the command");
fail:
	if (w->fd[0] >= 0)
		close(w->fd[0]);
	if (w->fd[1] >= 0)
		close(w->fd[1]);
	free(w);
	return -1;
}

/* Add c to the registry as running: from now on it can be found. */
static void
cmd_register(struct cmd *c)
{
	pthread_mutex_lock(&cmd_lock);
	c->running = 1;
	c->next = cmds;
	cmds = c;
	pthread_mutex_unlock(&cmd_lock);
}

/*
 * Run the command of a valid request, with the stream's events queued on
 * q: init, then either what the reader thread sends, execution_complete
 * right away in the background, or the error that kept it from starting.
 */
static void
run_validated(const struct run_req *r, char **env, const char *cwd,
    struct evq *q, struct cmd *c)
{
	char err[512];

	cmd_register(c);
	evq_push(q, cmd_init_event(c->id, r->raw));
	if (cmd_start(c, r, env, cwd, q, err, sizeof(err)) < 0) {
		execd_log(LOG_ERR_, "command %s: %s", c->id, err);
		cmd_mark_finished(c, 255, err);
		evq_push(q, cmd_error_event(err, err));
		evq_end(q);
		return;
	}
	execd_log(LOG_INFO_, "command %s started%s", c->id,
	    c->background ? " in the background" : "");
	if (c->background) {
		evq_push(q, cmd_complete_event(cmd_clock_ms() - c->start_ms));
		evq_end(q);
	}
}

/* POST /command */
int
command_run(struct osb_req *req)
{
	struct run_req r;
	struct cmd *c;
	struct evq *q = NULL;
	char err[512], *cwd = NULL, **env = NULL;
	json_t *doc;

	pthread_once(&cmd_once, cmd_init_once);
	if ((doc = osb_req_json(req)) == NULL)
		return 0;
	if (parse_run_request(doc, &r, err, sizeof(err)) < 0) {
		osb_reply_error(req, 400, OSB_E_INVALID, "invalid request: %s",
		    err);
		goto out;
	}
	if ((env = cmd_env_build(r.envs)) == NULL) {
		osb_reply_error(req, 500, OSB_E_RUNTIME, "out of memory");
		goto out;
	}
	if (cmd_resolve_dir(r.cwd, env, 0, &cwd, err, sizeof(err)) < 0) {
		osb_reply_error(req, 400, OSB_E_INVALID, "invalid request: %s",
		    err);
		goto out;
	}
	if ((c = cmd_new(&r)) == NULL || (q = evq_new()) == NULL) {
		if (c)
			cmd_unref(c);
		osb_reply_error(req, 500, OSB_E_RUNTIME, "out of memory");
		goto out;
	}
	if (c->background &&
	    (c->log_fd = open_log_file(err, sizeof(err))) < 0) {
		cmd_unref(c);
		evq_end(q);
		evq_detach(q);
		osb_reply_error(req, 500, OSB_E_RUNTIME, "%s", err);
		goto out;
	}
	run_validated(&r, env, cwd, q, c);
	/* The thread's end of q is its own; this one is the stream's. */
	osb_reply_sse(req, evq_next, evq_detach, q, CMD_PING_MS);
out:
	cmd_env_free(env);
	free(cwd);
	json_decref(doc);
	return 0;
}

/* cmd_stop: whether the command runs. */
static int
cmd_running(void *c)
{
	return ((struct cmd *)c)->running;
}

/* cmd_stop: the command's group, 0 once it is reaped. */
static pid_t
cmd_group(void *c)
{
	return ((struct cmd *)c)->pid;
}

/*
 * Interrupt a running command: SIGINT to its group, then SIGTERM, then
 * SIGKILL, each given CMD_GRACE_MS to work; returns once it has ended
 * (and the rest of its group with it, see watch_check).
 * Called with cmd_lock held.
 */
static void
cmd_interrupt_locked(struct cmd *c)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGKILL };
	const struct cmd_stop st = { &cmd_lock, &cmd_finished, cmd_running,
	    cmd_group, c };

	c->refs++;
	c->interrupted = 1;
	cmd_stop_locked(&st, sigs, sizeof(sigs) / sizeof(sigs[0]));
	cmd_unref_locked(c);
}

/* DELETE /command?id=ID: a command, or the current run of a session. */
int
command_interrupt(struct osb_req *req)
{
	const char *id = osb_req_query(req, "id");
	struct cmd *c;
	int running = 0;

	pthread_once(&cmd_once, cmd_init_once);
	if (id == NULL || *id == '\0')
		return osb_reply_error(req, 400, OSB_E_MISSING,
		    "missing query parameter 'id'");
	pthread_mutex_lock(&cmd_lock);
	if ((c = cmd_find(id)) != NULL && (running = c->running))
		cmd_interrupt_locked(c);
	pthread_mutex_unlock(&cmd_lock);
	if (c == NULL) {
		switch (session_interrupt(id)) {
		case -1:
			return osb_reply_error(req, 404, OSB_E_INVALID,
			    "command not found: %s", id);
		case 1:
			return osb_reply_error(req, 409, OSB_E_RUNTIME,
			    "session %s is not running a command", id);
		}
	} else if (!running)
		return osb_reply_error(req, 409, OSB_E_RUNTIME,
		    "command %s is not running", id);
	execd_log(LOG_INFO_, "interrupted %s", id);
	return osb_reply_empty(req, 200);
}

/* ts as RFC 3339 in UTC with milliseconds. */
static json_t *
rfc3339(const struct timespec *ts)
{
	char buf[64];
	struct tm tm;
	size_t n;

	gmtime_r(&ts->tv_sec, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%03ldZ", ts->tv_nsec / 1000000);
	return json_string(buf);
}

/* The status document of c; called with cmd_lock held. */
static json_t *
cmd_status(const struct cmd *c)
{
	json_t *doc;

	doc = json_pack("{s:s, s:s, s:b, s:o, s:o, s:o}", "id", c->id,
	    "content", c->content, "running", c->running,
	    "exit_code", c->running ? json_null() :
	    json_integer(c->exit_code),
	    "started_at", rfc3339(&c->started),
	    "finished_at", c->running ? json_null() : rfc3339(&c->finished));
	if (doc && c->error[0])
		json_object_set_new(doc, "error", json_string(c->error));
	return doc;
}

/* GET /command/status/{id} */
int
command_status(struct osb_req *req)
{
	const char *id = req->params[0];
	struct cmd *c;
	json_t *doc;

	pthread_mutex_lock(&cmd_lock);
	if ((c = cmd_find(id)) == NULL) {
		pthread_mutex_unlock(&cmd_lock);
		return osb_reply_error(req, 404, OSB_E_INVALID,
		    "command not found: %s", id);
	}
	doc = cmd_status(c);
	pthread_mutex_unlock(&cmd_lock);
	return osb_reply_json(req, 200, doc);
}

/*
 * The log of a background command from byte offset cursor on, sent
 * straight from the file; the header says where the next read starts.
 */
static int
reply_log(struct osb_req *req, int fd, int64_t cursor)
{
	struct MHD_Response *r;
	struct stat st;
	char next[32];
	int64_t len;

	if (fstat(fd, &st) < 0) {
		close(fd);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "read command output: %s", strerror(errno));
	}
	len = st.st_size > cursor ? st.st_size - cursor : 0;
	if (len > 0)
		r = MHD_create_response_from_fd_at_offset64((uint64_t)len, fd,
		    (uint64_t)cursor);
	else {
		close(fd);
		r = MHD_create_response_from_buffer(0, "",
		    MHD_RESPMEM_PERSISTENT);
	}
	if (r == NULL) {
		if (len > 0)
			close(fd);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	}
	snprintf(next, sizeof(next), "%" PRId64, cursor + len);
	MHD_add_response_header(r, "EXECD-COMMANDS-TAIL-CURSOR", next);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	return osb_reply_response(req, 200, r);
}

/* GET /command/{id}/logs?cursor=N */
int
command_logs(struct osb_req *req)
{
	const char *id = req->params[0], *arg = osb_req_query(req, "cursor");
	struct cmd *c;
	long long cursor = 0;
	char *end;
	int fd = -1, background = 0;

	/* Like the Go execd: a cursor that is not a number means 0. */
	if (arg) {
		errno = 0;
		cursor = strtoll(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || errno)
			cursor = 0;
	}
	if (cursor < 0)
		return osb_reply_error(req, 400, OSB_E_INVALID,
		    "invalid cursor %lld: must not be negative", cursor);
	pthread_mutex_lock(&cmd_lock);
	if ((c = cmd_find(id)) != NULL && (background = c->background))
		fd = fcntl(c->log_fd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&cmd_lock);
	if (c == NULL)
		return osb_reply_error(req, 400, OSB_E_INVALID,
		    "command not found: %s", id);
	if (!background)
		return osb_reply_error(req, 400, OSB_E_INVALID,
		    "command %s is not running in background", id);
	if (fd < 0)
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "read command output: %s", strerror(errno));
	return reply_log(req, fd, cursor);
}

/*
 * Signal every command still running and wait up to wait_ms for them to
 * end. Called with cmd_lock held.
 */
static void
signal_all_locked(int sig, int wait_ms)
{
	int64_t deadline = cmd_clock_ms() + wait_ms;
	struct cmd *c;
	int left;

	do {
		left = 0;
		for (c = cmds; c; c = c->next) {
			if (!c->running)
				continue;
			if (c->pid > 0 && sig) {
				c->interrupted = 1;
				kill(-c->pid, sig);
			}
			left++;
		}
		sig = 0;
	} while (left && cmd_cond_wait(&cmd_finished, &cmd_lock,
	    deadline) != ETIMEDOUT);
}

/*
 * SIGTERM to every command group, SIGKILL to what is left half a second
 * later, then the sessions' shells.
 */
void
command_shutdown(void)
{
	pthread_once(&cmd_once, cmd_init_once);
	pthread_mutex_lock(&cmd_lock);
	signal_all_locked(SIGTERM, 500);
	signal_all_locked(SIGKILL, 500);
	pthread_mutex_unlock(&cmd_lock);
	session_shutdown();
}

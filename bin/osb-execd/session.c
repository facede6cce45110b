/*
 * session.c — bash sessions. A session is one interactive bash reading
 * command lines from a socket: interactive, because an interrupt then ends
 * the command at hand and not the shell. Each run is one line that
 * sources the command in the shell itself, so whatever it changes stays
 * for the next. `exit` is an alias of `return` there: it ends the run
 * with its status, not the shell and all it holds (sourced, so `return`
 * works outside functions, where eval's would not). The shell's PROMPT_COMMAND, which runs after every line however it
 * ended, writes "SEQ STATUS" to a private fd (CMD_FD_MARK): that is how
 * the end of a run and its exit status are known. The line first writes
 * "SEQ begin": until then the shell may still be reading it, and an
 * interrupt would cut it in two, so none is sent before. The command's
 * stderr is CMD_FD_ERR; the shell's own chatter (job notices, the newline
 * after an interrupt) goes to /dev/null.
 *
 * One thread per shell reads its output all the time, so that background
 * jobs never block on a full pipe between runs, and hands what comes
 * during a run to that run's stream.
 */
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "log.h"
#include "session.h"
#include "util.h"

#define MARK_MAX 64

/* The shell thread's fds: the shell's stdout, its commands' stderr, marks. */
enum { OUT = CMD_OUT, ERR = CMD_ERR, MARK, NFD };

struct run {
	struct evq *q;
	unsigned seq;
	int64_t start_ms, timeout_ms;
	int64_t deadline_ms;	/* 0: none */
	int64_t kill_at;	/* timed out: SIGKILL the shell then */
	int timed_out;
	int started;		/* the shell has read the whole line */
	int raw;		/* osb_framing "raw" */
};

struct shell {
	struct session *s;
	pid_t pid;		/* > 0 until reaped */
	int in_fd;		/* command lines go here */
	int wake_fd;		/* eventfd: a run has begun */
	int pidfd;
	int fd[NFD];		/* the thread's: stdout, stderr, marks */
	struct out_frame frame[2];
	char mark[MARK_MAX];
	size_t marklen;
	int refs;		/* the thread's, writers' */
};

struct session {
	struct session *next;
	char id[37];
	char *cwd;		/* where a new shell starts */
	struct shell *sh;	/* NULL: none yet, or it ended */
	struct run *run;	/* the run in progress */
	unsigned seq;
	int deleted;		/* out of the registry: no new shell */
	int refs;		/* the registry's, the thread's, streams' */
};

/* What a run's SSE stream holds. */
struct run_stream {
	struct evq *q;
	struct session *s;
	unsigned seq;
};

static pthread_mutex_t sess_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sess_cond;	/* a run ended, a shell went */
static pthread_once_t sess_once = PTHREAD_ONCE_INIT;
static struct session *sessions;

/* The condition variable needs the monotonic clock: set up once. */
static void
sess_init_once(void)
{
	cmd_cond_init(&sess_cond);
}

/* Drop a session reference; called with sess_lock held. */
static void
session_unref_locked(struct session *s)
{
	if (--s->refs > 0)
		return;
	free(s->cwd);
	free(s);
}

/* Drop a shell reference; called with sess_lock held. */
static void
shell_unref_locked(struct shell *sh)
{
	int i;

	if (--sh->refs > 0)
		return;
	for (i = 0; i < NFD; i++)
		if (sh->fd[i] >= 0)
			close(sh->fd[i]);
	if (sh->in_fd >= 0)
		close(sh->in_fd);
	if (sh->wake_fd >= 0)
		close(sh->wake_fd);
	if (sh->pidfd >= 0)
		close(sh->pidfd);
	cmd_frame_reset(&sh->frame[OUT]);
	cmd_frame_reset(&sh->frame[ERR]);
	free(sh);
}

/* The session with that id, or NULL; called with sess_lock held. */
static struct session *
session_find(const char *id)
{
	struct session *s;

	for (s = sessions; s; s = s->next)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

/* Whether run seq of s is still in progress; sess_lock held. */
static int
run_going(const struct session *s, unsigned seq)
{
	return s->run && s->run->seq == seq;
}

/* Write src at dst as one bash $'...' word; returns the end. */
static char *
ansi_quote(char *dst, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;

	*dst++ = '$';
	*dst++ = '\'';
	for (p = (const unsigned char *)src; *p; p++) {
		if (*p == '\\' || *p == '\'') {
			*dst++ = '\\';
			*dst++ = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f) {
			*dst++ = '\\';
			*dst++ = 'x';
			*dst++ = hex[*p >> 4];
			*dst++ = hex[*p & 15];
		} else
			*dst++ = (char)*p;
	}
	*dst++ = '\'';
	return dst;
}

/*
 * The line that runs command as run seq: in the shell itself, stdin from
 * /dev/null, stderr to its own pipe, the mark fd out of its reach. One
 * line whatever the command holds, so one prompt (one mark) per run.
 */
static char *
run_line(unsigned seq, const char *cwd, const char *command)
{
	size_t need = 4 * (strlen(command) + (cwd ? strlen(cwd) : 0)) + 128;
	char *line, *p;

	if ((line = malloc(need)) == NULL)
		return NULL;
	p = line + sprintf(line, "__osb_seq=%u; __osb_done begin; { ", seq);
	if (cwd) {
		p = stpcpy(p, "cd -- ");
		p = ansi_quote(p, cwd);
		p = stpcpy(p, " && ");
	}
	p = stpcpy(p, ". <(printf %s ");
	p = ansi_quote(p, command);
	sprintf(p, "); } </dev/null 2>&%d %d>&- %d>&-\n", CMD_FD_ERR,
	    CMD_FD_ERR, CMD_FD_MARK);
	return line;
}

/* Send the run's events for its end, and let the session go on. */
static void
run_finish(struct shell *sh, struct run *run, int code, const char *text)
{
	struct session *s = sh->s;
	char why[128];

	if (run->timed_out)
		snprintf(why, sizeof(why), "command timed out after %lld ms",
		    (long long)run->timeout_ms);
	else if (text == NULL)
		snprintf(why, sizeof(why), "command exited with code %d", code);
	else
		strlcpy(why, text, sizeof(why));
	sh->frame[0].raw = sh->frame[1].raw = run->raw;
	cmd_last_events(run->q, sh->frame, code, code == 0 &&
	    !run->timed_out && text == NULL ? NULL : why,
	    cmd_clock_ms() - run->start_ms);
	pthread_mutex_lock(&sess_lock);
	s->run = NULL;
	pthread_cond_broadcast(&sess_cond);
	pthread_mutex_unlock(&sess_lock);
	evq_end(run->q);
	free(run);
}

/*
 * Read once from output fd i: to the run's stream, or dropped between
 * runs. Returns the bytes read, 0 at EOF (fd closed), -1 for nothing.
 */
static ssize_t
shell_read_output(struct shell *sh, int i, struct run *run, char *buf)
{
	if (run)
		sh->frame[i].raw = run->raw;
	return cmd_read_output(&sh->fd[i], i, &sh->frame[i],
	    run ? run->q : NULL, buf);
}

/* Everything the pipes hold now (the run's output before its mark). */
static void
shell_drain(struct shell *sh, struct run *run, char *buf)
{
	int i;

	for (i = 0; i < 2; i++)
		while (sh->fd[i] >= 0 &&
		    shell_read_output(sh, i, run, buf) > 0)
			;
}

/* Read marks; the one of the current run ends it. */
static void
shell_read_marks(struct shell *sh, struct run **run, char *buf)
{
	char chunk[256], word[16];
	unsigned seq;
	ssize_t n, i;

	n = read(sh->fd[MARK], chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close(sh->fd[MARK]);
		sh->fd[MARK] = -1;
		return;
	}
	for (i = 0; i < n; i++) {
		if (chunk[i] != '\n') {
			if (sh->marklen < MARK_MAX - 1)
				sh->mark[sh->marklen++] = chunk[i];
			continue;
		}
		sh->mark[sh->marklen] = '\0';
		sh->marklen = 0;
		if (*run == NULL || sscanf(sh->mark, "%u %15s", &seq,
		    word) != 2 || seq != (*run)->seq)
			continue;
		if (strcmp(word, "begin") == 0) {
			pthread_mutex_lock(&sess_lock);
			(*run)->started = 1;
			pthread_cond_broadcast(&sess_cond);
			pthread_mutex_unlock(&sess_lock);
			continue;
		}
		shell_drain(sh, *run, buf);
		run_finish(sh, *run, atoi(word), NULL);
		*run = NULL;
	}
}

/* How long poll may sleep for this run: -1 for as long as it takes. */
static int
shell_timeout(const struct shell *sh, const struct run *run, int64_t now)
{
	int64_t until = INT64_MAX;

	if (run && run->timed_out)
		until = run->kill_at;
	else if (run && run->deadline_ms)
		until = run->deadline_ms;
	return cmd_poll_timeout(until, now, sh->pidfd < 0);
}

/*
 * The run's timeout: SIGINT to the shell's group first (the command ends,
 * the shell stays), SIGKILL when that was not enough.
 */
static void
shell_enforce_timeout(struct shell *sh, struct run *run, int64_t now)
{
	if (run == NULL || (!run->timed_out && (run->deadline_ms == 0 ||
	    now < run->deadline_ms)) || (run->timed_out && now < run->kill_at))
		return;
	pthread_mutex_lock(&sess_lock);
	if (sh->pid > 0 && (run->timed_out || run->started))
		kill(-sh->pid, run->timed_out ? SIGKILL : SIGINT);
	pthread_mutex_unlock(&sess_lock);
	run->kill_at = run->timed_out ? INT64_MAX : now + CMD_GRACE_MS;
	run->timed_out = 1;
}

/*
 * Reap the shell if it has exited; returns 1 when it has, with *run the
 * run in progress then. The session lets go of the shell in the same
 * step, so a run that comes after gets a new one: none can be handed to
 * the dead shell, whose thread would never end it.
 */
static int
shell_reaped(struct shell *sh, int *wstatus, struct run **run)
{
	int gone = 0;

	pthread_mutex_lock(&sess_lock);
	if (waitpid(sh->pid, wstatus, WNOHANG) == sh->pid) {
		sh->pid = 0;
		if (sh->s->sh == sh)
			sh->s->sh = NULL;
		*run = sh->s->run;
		gone = 1;
	}
	pthread_mutex_unlock(&sess_lock);
	return gone;
}

/*
 * One round of the shell thread; returns 1 once the shell is gone. While
 * the run's stream has too much queued, the output pipes are left unread:
 * the command waits for its slow client instead of the queue growing.
 */
static int
shell_round(struct shell *sh, char *buf)
{
	struct pollfd pfd[NFD + 2];
	struct cmd_exit e;
	struct run *run;
	uint64_t ticks;
	int n = 0, i, slot[NFD], wstatus, timeout, room = 1;

	pthread_mutex_lock(&sess_lock);
	run = sh->s->run;
	pthread_mutex_unlock(&sess_lock);
	if (run)
		room = evq_wait_room(run->q, 1000);
	timeout = room ? shell_timeout(sh, run, cmd_clock_ms()) : 0;
	for (i = 0; i < NFD; i++) {
		slot[i] = sh->fd[i] >= 0 && (room || i == MARK) ? n : -1;
		if (slot[i] >= 0) {
			pfd[n].fd = sh->fd[i];
			pfd[n++].events = POLLIN;
		}
	}
	pfd[n].fd = sh->wake_fd;
	pfd[n++].events = POLLIN;
	if (sh->pidfd >= 0) {
		pfd[n].fd = sh->pidfd;
		pfd[n++].events = POLLIN;
	}
	if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
		return 0;
	(void)!read(sh->wake_fd, &ticks, sizeof(ticks));
	/* A run may have begun while poll slept: its output is its own. */
	pthread_mutex_lock(&sess_lock);
	run = sh->s->run;
	pthread_mutex_unlock(&sess_lock);
	for (i = 0; i < 2; i++)
		if (slot[i] >= 0 && pfd[slot[i]].revents)
			shell_read_output(sh, i, run, buf);
	if (slot[MARK] >= 0 && pfd[slot[MARK]].revents)
		shell_read_marks(sh, &run, buf);
	if (shell_reaped(sh, &wstatus, &run)) {
		shell_drain(sh, run, buf);
		if (run) {
			cmd_exit_describe(wstatus, &e);
			run_finish(sh, run, e.code, WIFSIGNALED(wstatus) ?
			    e.text : NULL);
		}
		return 1;
	}
	shell_enforce_timeout(sh, run, cmd_clock_ms());
	return 0;
}

/* The shell thread: reads until the shell is gone, then lets go of it. */
static void *
shell_thread(void *arg)
{
	struct shell *sh = arg;
	struct session *s = sh->s;
	char buf[CMD_READ_CHUNK];

	while (!shell_round(sh, buf))
		;
	execd_log(LOG_INFO_, "session %s: shell ended", s->id);
	pthread_mutex_lock(&sess_lock);
	pthread_cond_broadcast(&sess_cond);
	shell_unref_locked(sh);
	session_unref_locked(s);
	pthread_mutex_unlock(&sess_lock);
	return NULL;
}

/* Make the shell quiet and set up its marks (the fds are literal here). */
static void
shell_send_setup(struct shell *sh)
{
	char line[512];

	snprintf(line, sizeof(line),
	    "PS1= PS2= PS0=; unset PROMPT_COMMAND HISTFILE MAILCHECK; "
	    "set +o history +H; __osb_seq=0; "
	    "__osb_done() { printf '%%s %%s\\n' \"$__osb_seq\" \"$1\" >&%d; }; "
	    "readonly -f __osb_done; PROMPT_COMMAND='__osb_done $?'; "
	    "readonly PROMPT_COMMAND; shopt -s expand_aliases; "
	    "alias exit=return\n", CMD_FD_MARK);
	/* A shell that is gone already is noticed by its thread. */
	(void)osb_write_all(sh->in_fd, line, strlen(line));
}

/* A new shell with no fds; NULL when out of memory. */
static struct shell *
shell_new(void)
{
	struct shell *sh;
	int i;

	if ((sh = calloc(1, sizeof(*sh))) == NULL)
		return NULL;
	sh->in_fd = sh->wake_fd = sh->pidfd = -1;
	for (i = 0; i < NFD; i++)
		sh->fd[i] = -1;
	sh->refs = 1;
	return sh;
}

/* Close the child's ends once it has them. */
static void
close_child_ends(int sock, int p[NFD][2], int devnull)
{
	int i;

	if (sock >= 0)
		close(sock);
	for (i = 0; i < NFD; i++)
		if (p[i][1] >= 0)
			close(p[i][1]);
	if (devnull >= 0)
		close(devnull);
}

/*
 * Start `bash -i` for s in s->cwd, with its fds as described at the top,
 * and send it the setup line. Returns the shell (no thread yet), or NULL
 * with err set.
 */
static struct shell *
shell_spawn(struct session *s, char *err, size_t errlen)
{
	const char *bash = cmd_shell();
	const char *argv[] = { bash, "--noprofile", "--norc", "--noediting",
	    "+m", "-i", NULL };
	struct cmd_spawn sp = { argv, NULL, s->cwd, 0, 0, 0, 0,
	    { -1, -1, -1, -1, -1 }, 0 };
	int sv[2] = { -1, -1 }, p[NFD][2], devnull = -1, i, ok;
	struct shell *sh;
	char **env = NULL;

	if (strlen(bash) < 5 || strcmp(bash + strlen(bash) - 5, "/bash")) {
		snprintf(err, errlen, "sessions need bash, and there is none "
		    "on PATH");
		return NULL;
	}
	if ((sh = shell_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < NFD; i++)
		p[i][0] = p[i][1] = -1;
	ok = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0;
	for (i = 0; ok && i < NFD; i++)
		ok = pipe2(p[i], O_CLOEXEC) == 0 &&
		    fcntl(p[i][0], F_SETFL, O_NONBLOCK) == 0;
	ok = ok && (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0 &&
	    (sh->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) >= 0;
	if (!ok)
		snprintf(err, errlen, "session pipes: %s", strerror(errno));
	else if ((env = cmd_env_build(NULL)) == NULL) {
		snprintf(err, errlen, "out of memory");
		ok = 0;
	}
	sh->in_fd = sv[0];
	for (i = 0; i < NFD; i++)
		sh->fd[i] = p[i][0];
	if (ok) {
		sp.envp = env;
		sp.fd[0] = sv[1];
		sp.fd[1] = p[OUT][1];
		sp.fd[2] = devnull;
		sp.fd[3] = p[MARK][1];
		sp.fd[4] = p[ERR][1];
		ok = (sh->pid = cmd_spawn(&sp, err, errlen)) > 0;
	}
	close_child_ends(sv[1], p, devnull);
	cmd_env_free(env);
	if (!ok) {
		pthread_mutex_lock(&sess_lock);
		shell_unref_locked(sh);
		pthread_mutex_unlock(&sess_lock);
		return NULL;
	}
	sh->pidfd = cmd_pidfd(sh->pid);
	shell_send_setup(sh);
	return sh;
}

/*
 * Give s a running shell with its thread; 0, or -1 with err set (and
 * nothing left running). A session deleted while its shell was starting
 * gets none: nothing could end it any more.
 */
static int
shell_launch(struct session *s, char *err, size_t errlen)
{
	struct shell *sh;

	if ((sh = shell_spawn(s, err, errlen)) == NULL)
		return -1;
	pthread_mutex_lock(&sess_lock);
	if (s->deleted)
		snprintf(err, errlen, "session %s not found", s->id);
	else {
		sh->s = s;
		s->sh = sh;
		s->refs++;
		if (cmd_thread_start(shell_thread, sh) == 0) {
			pthread_mutex_unlock(&sess_lock);
			execd_log(LOG_INFO_, "session %s: shell started",
			    s->id);
			return 0;
		}
		s->sh = NULL;
		s->refs--;
		snprintf(err, errlen, "cannot start a thread for the session");
	}
	kill(-sh->pid, SIGKILL);
	waitpid(sh->pid, NULL, 0);
	shell_unref_locked(sh);
	pthread_mutex_unlock(&sess_lock);
	return -1;
}

/* Whether the body is empty or blank (POST /session allows that). */
static int
body_blank(const struct osb_req *req)
{
	size_t i;

	for (i = 0; i < req->body.len; i++)
		if (!strchr(" \t\r\n", req->body.data[i]))
			return 0;
	return 1;
}

/* Create a session in dir (may be NULL) and register it. */
static struct session *
session_new(char *dir)
{
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	cmd_random_id(s->id, sizeof(s->id), 1);
	s->cwd = dir;
	s->refs = 1;
	return s;
}

int
session_open(const char *cwd, char *id, size_t idlen, int *bad, char *err,
    size_t errlen)
{
	struct session *s;
	char *dir = NULL;

	pthread_once(&sess_once, sess_init_once);
	*bad = 1;
	if (cmd_resolve_dir(cwd, environ, 1, &dir, err, errlen) < 0)
		return -1;
	*bad = 0;
	if ((s = session_new(dir)) == NULL) {
		free(dir);
		strlcpy(err, "out of memory", errlen);
		return -1;
	}
	if (shell_launch(s, err, errlen) < 0) {
		pthread_mutex_lock(&sess_lock);
		session_unref_locked(s);
		pthread_mutex_unlock(&sess_lock);
		return -1;
	}
	pthread_mutex_lock(&sess_lock);
	s->next = sessions;
	sessions = s;
	strlcpy(id, s->id, idlen);
	pthread_mutex_unlock(&sess_lock);
	return 0;
}

/* POST /session: a session with its shell started, in cwd (made). */
int
session_create(struct osb_req *req)
{
	const char *cwd = NULL;
	char err[512], id[64];
	json_t *doc = NULL;
	int bad, rc;

	if (!body_blank(req)) {
		if ((doc = osb_req_json(req)) == NULL)
			return 0;
		if (!json_is_object(doc) || cmd_parse_cwd(doc, &cwd, err,
		    sizeof(err)) < 0) {
			if (!json_is_object(doc))
				strlcpy(err, "the body must be a JSON object",
				    sizeof(err));
			json_decref(doc);
			return osb_reply_error(req, 400, OSB_E_INVALID,
			    "invalid request: %s", err);
		}
	}
	rc = session_open(cwd, id, sizeof(id), &bad, err, sizeof(err));
	json_decref(doc);
	if (rc < 0 && bad)
		return osb_reply_error(req, 400, OSB_E_INVALID,
		    "invalid request: %s", err);
	if (rc < 0)
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "error creating session: %s", err);
	return osb_reply_json(req, 200, json_pack("{s:s}", "session_id", id));
}

/* Fill a run from a POST /session/{id}/run body; 0 or -1 with err set. */
static int
parse_run(json_t *doc, struct run *run, const char **command,
    const char **cwd, char *err, size_t errlen)
{
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "the body must be a JSON object");
		return -1;
	}
	if (cmd_parse_command(doc, command, err, errlen) < 0 ||
	    cmd_parse_cwd(doc, cwd, err, errlen) < 0 ||
	    cmd_parse_timeout(doc, &run->timeout_ms, err, errlen) < 0 ||
	    cmd_parse_framing(doc, &run->raw, err, errlen) < 0)
		return -1;
	run->start_ms = cmd_clock_ms();
	run->deadline_ms = cmd_deadline(run->start_ms, run->timeout_ms);
	return 0;
}

/* A run of a session, for cmd_stop. */
struct run_ref {
	struct session *s;
	unsigned seq;
};

/* cmd_stop: whether the run goes on. */
static int
run_ref_going(void *arg)
{
	struct run_ref *ref = arg;

	return run_going(ref->s, ref->seq);
}

/* cmd_stop: the group of the session's shell, 0 when it has none. */
static pid_t
run_ref_group(void *arg)
{
	struct run_ref *ref = arg;

	return ref->s->sh ? ref->s->sh->pid : 0;
}

/*
 * End run seq of s if it is still going: SIGINT to the shell's group once
 * the shell has read the run's line, then SIGKILL (the shell too: the
 * next run gets a new one), each given CMD_GRACE_MS. Called with sess_lock
 * held.
 */
static void
stop_run_locked(struct session *s, unsigned seq)
{
	static const int sigs[] = { SIGINT, SIGKILL };
	int64_t deadline = cmd_clock_ms() + CMD_GRACE_MS;
	struct run_ref ref = { s, seq };
	const struct cmd_stop st = { &sess_lock, &sess_cond, run_ref_going,
	    run_ref_group, &ref };

	s->refs++;
	while (run_going(s, seq) && !s->run->started &&
	    cmd_cond_wait(&sess_cond, &sess_lock, deadline) != ETIMEDOUT)
		;
	cmd_stop_locked(&st, sigs, sizeof(sigs) / sizeof(sigs[0]));
	session_unref_locked(s);
}

/* osb_sse_next of a run's stream. */
static int
run_stream_next(void *arg, json_t **ev, int timeout_ms)
{
	struct run_stream *rs = arg;

	return evq_next(rs->q, ev, timeout_ms);
}

/* The stream is over; a run its client left is stopped. */
static void
run_stream_done(void *arg)
{
	struct run_stream *rs = arg;

	pthread_mutex_lock(&sess_lock);
	stop_run_locked(rs->s, rs->seq);
	session_unref_locked(rs->s);
	pthread_mutex_unlock(&sess_lock);
	evq_detach(rs->q);
	free(rs);
}

/*
 * Make run the session's current one; replies and returns -1 when the
 * session is missing or busy. On success the stream holds a reference.
 */
static int
run_claim(struct osb_req *req, const char *id, struct run *run,
    struct session **sp)
{
	struct session *s;

	pthread_mutex_lock(&sess_lock);
	if ((s = session_find(id)) == NULL || s->run) {
		pthread_mutex_unlock(&sess_lock);
		if (s == NULL)
			return osb_reply_error(req, 404, "CONTEXT_NOT_FOUND",
			    "session %s not found", id), -1;
		return osb_reply_error(req, 409, OSB_E_RUNTIME,
		    "session %s is busy running another command", id), -1;
	}
	run->seq = ++s->seq;
	s->run = run;
	s->refs++;
	pthread_mutex_unlock(&sess_lock);
	*sp = s;
	return 0;
}

/*
 * Hand run seq's line to the shell of s and wake its thread (to time the
 * run). Without a line (out of memory) the shell is killed, which ends
 * the run; without a shell it has died already and ended the run itself.
 */
static void
run_send(struct session *s, unsigned seq, const char *cwd,
    const char *command)
{
	char *line = run_line(seq, cwd, command);
	struct shell *sh;
	uint64_t one = 1;

	pthread_mutex_lock(&sess_lock);
	if ((sh = s->sh) != NULL) {
		sh->refs++;
		if (line == NULL && sh->pid > 0)
			kill(-sh->pid, SIGKILL);
	}
	pthread_mutex_unlock(&sess_lock);
	if (sh == NULL) {
		free(line);
		return;
	}
	(void)!write(sh->wake_fd, &one, sizeof(one));
	if (line)
		(void)osb_write_all(sh->in_fd, line, strlen(line));
	free(line);
	pthread_mutex_lock(&sess_lock);
	shell_unref_locked(sh);
	pthread_mutex_unlock(&sess_lock);
}

/* Undo run_claim when the run could not start. */
static void
run_unclaim(struct session *s, struct run *run)
{
	pthread_mutex_lock(&sess_lock);
	if (s->run == run)
		s->run = NULL;
	pthread_cond_broadcast(&sess_cond);
	session_unref_locked(s);
	pthread_mutex_unlock(&sess_lock);
}

/* Run a parsed request in session id and reply with its stream. */
static int
run_in_session(struct osb_req *req, const char *id, struct run *run,
    const char *command, const char *cwd)
{
	struct run_stream *rs;
	struct session *s;
	char err[512];
	unsigned seq;
	int need_shell, deleted;

	if ((rs = calloc(1, sizeof(*rs))) == NULL ||
	    (run->q = evq_new()) == NULL) {
		free(rs);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	}
	rs->q = run->q;
	evq_push(run->q, cmd_init_event(id, run->raw));
	if (run_claim(req, id, run, &s) < 0)
		goto fail;
	seq = run->seq;
	pthread_mutex_lock(&sess_lock);
	need_shell = s->sh == NULL;
	pthread_mutex_unlock(&sess_lock);
	if (need_shell && shell_launch(s, err, sizeof(err)) < 0) {
		pthread_mutex_lock(&sess_lock);
		deleted = s->deleted;
		pthread_mutex_unlock(&sess_lock);
		run_unclaim(s, run);
		if (deleted)
			osb_reply_error(req, 404, "CONTEXT_NOT_FOUND",
			    "session %s not found", id);
		else
			osb_reply_error(req, 500, OSB_E_RUNTIME,
			    "error running in session: %s", err);
		goto fail;
	}
	rs->s = s;
	rs->seq = seq;
	run_send(s, seq, cwd, command);
	return osb_reply_sse(req, run_stream_next, run_stream_done, rs,
	    CMD_PING_MS);
fail:
	evq_end(rs->q);
	evq_detach(rs->q);
	free(rs);
	free(run);
	return 0;
}

/* POST /session/{id}/run */
int
session_run(struct osb_req *req)
{
	const char *command, *cwd;
	struct run *run;
	char err[512], *dir = NULL;
	json_t *doc;
	int rc;

	pthread_once(&sess_once, sess_init_once);
	if ((doc = osb_req_json(req)) == NULL)
		return 0;
	if ((run = calloc(1, sizeof(*run))) == NULL) {
		json_decref(doc);
		return osb_reply_error(req, 500, OSB_E_RUNTIME,
		    "out of memory");
	}
	if (parse_run(doc, run, &command, &cwd, err, sizeof(err)) < 0 ||
	    cmd_resolve_dir(cwd, environ, 0, &dir, err, sizeof(err)) < 0) {
		free(run);
		json_decref(doc);
		return osb_reply_error(req, 400, OSB_E_INVALID,
		    "invalid request: %s", err);
	}
	rc = run_in_session(req, req->params[0], run, command, dir);
	free(dir);
	json_decref(doc);
	return rc;
}

int
session_close(const char *id)
{
	struct session *s, **pp;

	pthread_once(&sess_once, sess_init_once);
	pthread_mutex_lock(&sess_lock);
	if ((s = session_find(id)) == NULL) {
		pthread_mutex_unlock(&sess_lock);
		return -1;
	}
	for (pp = &sessions; *pp != s; pp = &(*pp)->next)
		;
	*pp = s->next;
	s->deleted = 1;
	if (s->sh && s->sh->pid > 0)
		kill(-s->sh->pid, SIGKILL);
	session_unref_locked(s);
	pthread_mutex_unlock(&sess_lock);
	execd_log(LOG_INFO_, "session %s deleted", id);
	return 0;
}

/* DELETE /session/{id}: forget it and kill its shell's group. */
int
session_delete(struct osb_req *req)
{
	if (session_close(req->params[0]) < 0)
		return osb_reply_error(req, 404, "CONTEXT_NOT_FOUND",
		    "session %s not found", req->params[0]);
	return osb_reply_empty(req, 200);
}

/* DELETE /command?id=SESSION: stop the run in progress. */
int
session_interrupt(const char *id)
{
	struct session *s;
	int rc = 0;

	pthread_once(&sess_once, sess_init_once);
	pthread_mutex_lock(&sess_lock);
	if ((s = session_find(id)) == NULL)
		rc = -1;
	else if (s->run == NULL)
		rc = 1;
	else
		stop_run_locked(s, s->run->seq);
	pthread_mutex_unlock(&sess_lock);
	return rc;
}

/* Whether any session still has a shell; sess_lock held. */
static int
shells_left(void)
{
	struct session *s;

	for (s = sessions; s; s = s->next)
		if (s->sh)
			return 1;
	return 0;
}

/* SIGKILL every shell's group; wait up to 500 ms for them to go. */
void
session_shutdown(void)
{
	struct session *s;
	int64_t deadline = cmd_clock_ms() + 500;

	pthread_once(&sess_once, sess_init_once);
	pthread_mutex_lock(&sess_lock);
	for (s = sessions; s; s = s->next)
		if (s->sh && s->sh->pid > 0)
			kill(-s->sh->pid, SIGKILL);
	while (shells_left() && cmd_cond_wait(&sess_cond, &sess_lock,
	    deadline) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&sess_lock);
}

/*
 * command.h — shell commands and bash sessions of osb-execd:
 *
 *   POST   /command                  run, events as SSE
 *   DELETE /command?id=ID            interrupt (a command or a session's run)
 *   GET    /command/status/{id}      state of a command
 *   GET    /command/{id}/logs        output of a background command
 *   POST   /session                  start a bash session
 *   POST   /session/{id}/run         run in it, events as SSE
 *   DELETE /session/{id}             end it
 *
 * The second half is what command.c, session.c and the cmd_*.c files share:
 * the event queue between a reader thread and an SSE stream, the event
 * builders, and process spawning.
 */
#ifndef EXECD_COMMAND_H
#define EXECD_COMMAND_H

#include <sys/types.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "server.h"

/* POST /command, DELETE /command, GET /command/status/{id} and
 * GET /command/{id}/logs; the session routes are in session.h. */
int command_run(struct osb_req *);
int command_interrupt(struct osb_req *);
int command_status(struct osb_req *);
int command_logs(struct osb_req *);

/*
 * On shutdown: end every command's process group (SIGTERM, then SIGKILL
 * half a second later) and every session's shell (SIGKILL), so that their
 * streams end.
 */
void command_shutdown(void);

/* ---- shared by command.c, session.c and cmd_*.c ---- */

/* Keep-alive ping interval of the event streams. */
#define CMD_PING_MS 3000
/* Interrupt: time a process group gets after each signal. */
#define CMD_GRACE_MS 1000
/* The most a reader thread reads from a pipe at once. */
#define CMD_READ_CHUNK 16384
/* Without a pidfd, how often to look whether a child has exited. */
#define CMD_REAP_POLL_MS 50

/* Monotonic milliseconds, for deadlines. */
int64_t cmd_clock_ms(void);
/* A condition variable timed on the monotonic clock. */
void cmd_cond_init(pthread_cond_t *);
/* pthread_cond_timedwait until deadline_ms (cmd_clock_ms time). */
int cmd_cond_wait(pthread_cond_t *, pthread_mutex_t *, int64_t deadline_ms);
/* A random id: 32 hex digits, or the 8-4-4-4-12 uuid form when dashed. */
void cmd_random_id(char *buf, size_t len, int dashed);
/* Start fn(arg) on a detached thread with a small stack; 0 or -1. */
int cmd_thread_start(void *(*fn)(void *), void *arg);
/*
 * The poll(2) timeout that ends at until (INT64_MAX: never), cut to
 * CMD_REAP_POLL_MS when reap_poll (no pidfd tells when the child exits).
 */
int cmd_poll_timeout(int64_t until, int64_t now, int reap_poll);

/*
 * An interrupt: signals sent in turn to a process group, each given
 * CMD_GRACE_MS to end what runs. Whether it still runs and which group
 * to signal are the caller's to say; cond is broadcast when that changes.
 */
struct cmd_stop {
	pthread_mutex_t *lock;
	pthread_cond_t *cond;
	int (*running)(void *arg);
	pid_t (*group)(void *arg);	/* > 0: the group to signal now */
	void *arg;
};
/* Send the signals until it no longer runs; called with the lock held. */
void cmd_stop_locked(const struct cmd_stop *, const int *sigs, size_t n);

/*
 * The members of a run request both POST /command and POST
 * /session/{id}/run take. Each returns 0 (a member that is absent or
 * null leaves the default: NULL, 0), or -1 with why in err.
 */
int cmd_parse_command(json_t *doc, const char **command, char *err,
    size_t errlen);
int cmd_parse_cwd(json_t *doc, const char **cwd, char *err, size_t errlen);
int cmd_parse_timeout(json_t *doc, int64_t *timeout_ms, char *err,
    size_t errlen);
/* The deadline of a run started at start_ms (cmd_clock_ms time), 0: none. */
int64_t cmd_deadline(int64_t start_ms, int64_t timeout_ms);

/*
 * An event queue: a reader thread pushes events, one SSE stream takes
 * them. It holds a reference for each side; evq_end() drops the
 * producer's, evq_detach() (the stream's done callback) the stream's.
 */
struct evq;

struct evq *evq_new(void);
/* Queue ev (stolen); dropped when the stream has gone away. */
void evq_push(struct evq *, json_t *ev);
/* The producer is done: the stream ends once the queue is empty. */
void evq_end(struct evq *);
/*
 * Back-pressure: wait up to timeout_ms while too much text is queued for a
 * stream that is still reading. Returns 1 when there is room.
 */
int evq_wait_room(struct evq *, int timeout_ms);
/* osb_sse_next over an evq. */
int evq_next(void *evq, json_t **ev, int timeout_ms);
/* The stream's done callback: no one listens any more. */
void evq_detach(void *evq);

/*
 * A child's stdout and stderr (CMD_OUT, CMD_ERR) as "stdout"/"stderr"
 * events (cmd_frame.c): a line each, as the Go execd frames them, or with
 * raw set the bytes as they come. JSON text must be UTF-8: invalid bytes
 * become U+FFFD, a sequence split across two reads waits for its end.
 */
enum { CMD_OUT, CMD_ERR };
/* A line longer than this goes out in pieces of this size. */
#define CMD_LINE_MAX (16 * 1024 * 1024)
struct out_frame {
	int raw;		/* the osb_framing "raw" extension */
	int cr;			/* lines: the last terminator was \r */
	char *buf;		/* bytes not yet sent */
	size_t len, cap;
};
/*
 * Queue n bytes of output of stream type on q as events; with flush, what
 * is pending goes too and f is reset. With q NULL (no one listens) the
 * bytes are dropped.
 */
void cmd_frame_output(struct out_frame *f, const char *type, struct evq *q,
    const char *data, size_t n, int flush);
/* Forget what is pending and free it. */
void cmd_frame_reset(struct out_frame *f);
/*
 * The "osb_framing" member of a run request: absent or "lines" (0), or
 * "raw" (1) in *raw. Returns 0, or -1 with why in err.
 */
int cmd_parse_framing(json_t *doc, int *raw, char *err, size_t errlen);
/*
 * Read once (into buf, CMD_READ_CHUNK bytes) from *fd, output stream
 * which, and queue what came on q (dropped when q is NULL). Returns the
 * bytes read, 0 at the end (*fd closed and set to -1, what was pending
 * sent), or -1 when there was nothing to read.
 */
ssize_t cmd_read_output(int *fd, int which, struct out_frame *,
    struct evq *q, char *buf);
/*
 * The last events of a run: what frame[CMD_OUT], frame[CMD_ERR] still
 * hold, then execution_complete when why is NULL, else an error event
 * with code and why.
 */
void cmd_last_events(struct evq *q, struct out_frame *frame, int code,
    const char *why, int64_t execution_ms);
json_t *cmd_init_event(const char *id, int raw);
json_t *cmd_complete_event(int64_t execution_ms);
json_t *cmd_error_event(const char *evalue, const char *traceback);

/* How a process ended, the Go execd's way. */
struct cmd_exit {
	int code;		/* exit status; -1 when killed by a signal */
	char text[96];		/* "exit status 3", "signal: killed", "" */
};
void cmd_exit_describe(int wstatus, struct cmd_exit *);

/*
 * What to run and how: argv[0] an absolute path, envp the whole
 * environment, cwd NULL to stay, fds that become 0, 1, 2 and (when not -1)
 * CMD_FD_MARK and CMD_FD_ERR. The child leads a new process group, or
 * with tty a new session whose controlling terminal is its fd 0.
 */
#define CMD_FD_MARK 100
#define CMD_FD_ERR 101
struct cmd_spawn {
	const char *const *argv;
	char *const *envp;
	const char *cwd;
	int set_uid, set_gid;
	uid_t uid;
	gid_t gid;
	int fd[5];
	int tty;	/* fd 0 is a terminal: lead a new session on it */
};
/* The child's pid, or -1 with why in err ("chdir /x: Permission denied"). */
pid_t cmd_spawn(const struct cmd_spawn *, char *err, size_t errlen);
/* A pollable fd that becomes readable when pid exits, or -1. */
int cmd_pidfd(pid_t);
/* bash when there is one on PATH, else /bin/sh. */
const char *cmd_shell(void);

/*
 * The daemon's environment, then the file $EXECD_ENVS names, then envs (a
 * JSON object of strings, may be NULL). NULL when out of memory.
 */
char **cmd_env_build(json_t *envs);
void cmd_env_free(char **);
/*
 * Expand "~" and $VAR/${VAR} (from envp) in path and check that it names
 * a directory, creating it first (mkdir -p) when create is set. Returns 0
 * with the malloc'd result in *dir (NULL for an empty path), or -1 with
 * why in err.
 */
int cmd_resolve_dir(const char *path, char *const *envp, int create,
    char **dir, char *err, size_t errlen);

#endif

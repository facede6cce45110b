/*
 * pty.h — interactive terminal sessions, upstream's /pty API:
 *
 *   POST   /pty                 {"cwd", "command"} → 201 {"session_id"}
 *   GET    /pty/{id}            {"session_id", "running", "output_offset"}
 *   DELETE /pty/{id}            kill its process, forget it
 *   GET    /pty/{id}/ws         the WebSocket: output, stdin, signals, size
 *
 * A session's process (bash --norc --noprofile [-c command]) starts when
 * the first WebSocket connects: on a pseudo-terminal, or with ?pty=0 on
 * pipes. Its output is kept in a replay buffer of the last 1 MiB for
 * whoever connects next; one client at a time, ?takeover=1 evicts it.
 *
 * The second half is what pty.c, pty_proc.c and pty_ws.c share.
 */
#ifndef EXECD_PTY_H
#define EXECD_PTY_H

#include <sys/types.h>

#include <pthread.h>
#include <stdint.h>

#include "server.h"
#include "server_ws.h"

int pty_create(struct osb_req *);
int pty_status(struct osb_req *);
int pty_delete(struct osb_req *);
int pty_ws(struct osb_req *);
/* On shutdown: kill every session's process, so that its client ends. */
void pty_shutdown(void);

/* ---- shared by pty.c, pty_proc.c and pty_ws.c ---- */

/* The binary frames' leading type byte. */
enum { PTY_STDIN = 0x00, PTY_STDOUT = 0x01, PTY_STDERR = 0x02,
	PTY_REPLAY = 0x03 };

#define PTY_REPLAY_SIZE (1024 * 1024)

/* The last PTY_REPLAY_SIZE bytes of output, and how many ever came. */
struct pty_replay {
	unsigned char *buf;		/* PTY_REPLAY_SIZE, allocated on use */
	int64_t total;
};

struct pty_session {
	struct pty_session *next;	/* in the registry */
	char id[37];
	char *cwd, *command;		/* NULL: the daemon's; bash */
	pthread_mutex_t lock;		/* everything below */
	int refs;			/* atomic: the registry's, threads', requests' */
	int started;			/* a process was started */
	int running;
	int pipe_mode;
	pid_t pid;			/* > 0 while running: its group too */
	int exit_code;
	int in_fd;			/* master, or the stdin pipe; -1 */
	struct pty_replay replay;
	struct osb_ws *client;		/* the one connected, or NULL */
};

/* Take a reference (lock held or not: refs has its own rules). */
void pty_ref(struct pty_session *);
void pty_unref(struct pty_session *);

/*
 * Start s's process on a pseudo-terminal (80x24) or on pipes, and a
 * thread that reads its output into the replay buffer and to the client.
 * Called with s->lock held. Returns 0, or -1 with why in err.
 */
int pty_proc_start(struct pty_session *, int pipe_mode, char *err,
    size_t errlen);
/* Set the terminal's size (no-op on pipes); called with s->lock held. */
void pty_proc_resize(struct pty_session *, int cols, int rows);

/* Append n bytes to the replay buffer; -1 when out of memory. */
int pty_replay_add(struct pty_replay *, const void *data, size_t n);
/*
 * What is kept from byte offset since on: *start (the offset of the
 * first byte kept from since), and two pieces to send in order.
 */
void pty_replay_from(const struct pty_replay *, int64_t since,
    int64_t *start, const unsigned char **a, size_t *alen,
    const unsigned char **b, size_t *blen);
void pty_replay_free(struct pty_replay *);

/* The WebSocket of GET /pty/{id}/ws, once switched (pty_ws.c). */
struct pty_conn {
	struct pty_session *s;		/* a reference */
	int pipe_mode;			/* ?pty=0 */
	int takeover;			/* ?takeover=1 */
	int64_t since;			/* ?since=N */
	int stdin_failed;		/* the process takes no more stdin */
};
void pty_ws_run(struct osb_ws *, void *conn);
void pty_conn_free(void *conn);

#endif

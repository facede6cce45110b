/*
 * pty_ws.c — the WebSocket of a PTY session, as upstream speaks it.
 * Server to client: binary frames whose first byte is the type (0x01
 * output, 0x02 stderr in pipe mode, 0x03 replay: an 8-byte big-endian
 * offset, then the bytes kept from it), and JSON text frames: connected,
 * exit, error, pong. Client to server: binary 0x00 stdin, or JSON stdin,
 * signal, resize and ping; and osb_eof (an extension: end the process's
 * stdin, in pipe mode).
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "pty.h"

/* How often a ping goes out; a client silent for twice that is gone. */
#define PTY_PING_MS 30000

/* {"type":"error","error":why,"code":code} */
static void
send_error(struct osb_ws *ws, const char *code, const char *why)
{
	osb_ws_send_json(ws, json_pack("{s:s, s:s, s:s}", "type", "error",
	    "error", why, "code", code));
}

/* The replay frame of what s kept from since on, when it kept any. */
static int
send_replay(struct osb_ws *ws, struct pty_session *s, int64_t since)
{
	unsigned char head[9];
	const unsigned char *a, *b;
	struct iovec iov[3];
	size_t alen, blen;
	int64_t start;
	int i;

	pty_replay_from(&s->replay, since, &start, &a, &alen, &b, &blen);
	if (alen + blen == 0)
		return 0;
	head[0] = PTY_REPLAY;
	for (i = 0; i < 8; i++)
		head[1 + i] = (unsigned char)((uint64_t)start >> (56 - 8 * i));
	iov[0].iov_base = head;
	iov[0].iov_len = sizeof(head);
	iov[1].iov_base = (void *)a;
	iov[1].iov_len = alen;
	iov[2].iov_base = (void *)b;
	iov[2].iov_len = blen;
	return osb_ws_sendv(ws, OSB_WS_BINARY, iov, 3);
}

/*
 * Become the session's client: evict the one there on a takeover, start
 * the process when none runs, replay what was missed, say connected.
 * Called with s->lock held. Returns 0, or -1 once the client was told why
 * not.
 */
static int
attach_locked(struct pty_conn *pc, struct osb_ws *ws)
{
	struct pty_session *s = pc->s;
	char err[512];

	if (s->client && !pc->takeover) {
		snprintf(err, sizeof(err), "another client is already "
		    "connected to pty session %s", s->id);
		send_error(ws, "ALREADY_CONNECTED", err);
		return -1;
	}
	if (s->client) {
		osb_ws_close(s->client, 4001, "TAKEN_OVER");
		osb_ws_shutdown(s->client);
		s->client = NULL;
	}
	if (!s->running && pty_proc_start(s, pc->pipe_mode, err,
	    sizeof(err)) < 0) {
		send_error(ws, "START_FAILED", err);
		return -1;
	}
	if (send_replay(ws, s, pc->since) < 0 ||
	    osb_ws_send_json(ws, json_pack("{s:s, s:s, s:s}", "type",
	    "connected", "session_id", s->id, "mode", s->pipe_mode ? "pipe" :
	    "pty")) < 0)
		return -1;
	s->client = ws;
	return 0;
}

/*
 * Write n bytes to the process's stdin. When it takes no more (it ended,
 * or closed it) the client is told once and the rest is dropped: the
 * connection stays for the output and the exit, as a pipe's writer
 * would learn no more than that.
 */
static void
write_stdin(struct osb_ws *ws, struct pty_conn *pc, const void *data,
    size_t n)
{
	struct pty_session *s = pc->s;
	const char *p = data;
	ssize_t w;
	int fd;

	if (pc->stdin_failed)
		return;

	pthread_mutex_lock(&s->lock);
	fd = s->in_fd;
	pthread_mutex_unlock(&s->lock);
	/* Unlocked: a full terminal may block us, never the output. */
	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			send_error(ws, "STDIN_WRITE_FAILED", strerror(errno));
			pc->stdin_failed = 1;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* The signal a client names, 0 for one it may not send. */
static int
signal_named(const char *name)
{
	static const struct {
		const char *name;
		int sig;
	} known[] = { { "SIGINT", SIGINT }, { "SIGTERM", SIGTERM },
	    { "SIGKILL", SIGKILL }, { "SIGQUIT", SIGQUIT },
	    { "SIGHUP", SIGHUP } };
	size_t i;

	for (i = 0; name && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(name, known[i].name) == 0)
			return known[i].sig;
	return 0;
}

/* osb_eof: in pipe mode the process's stdin ends (/dev/null takes it). */
static void
end_stdin(struct pty_session *s)
{
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	pthread_mutex_lock(&s->lock);
	if (devnull >= 0 && s->running && s->pipe_mode)
		dup3(devnull, s->in_fd, O_CLOEXEC);
	pthread_mutex_unlock(&s->lock);
	if (devnull >= 0)
		close(devnull);
}

/* A control frame of the client (JSON text). */
static void
handle_text(struct osb_ws *ws, struct pty_conn *pc, json_t *f)
{
	struct pty_session *s = pc->s;
	const char *type = json_string_value(json_object_get(f, "type"));
	const char *data = json_string_value(json_object_get(f, "data"));
	json_int_t cols = json_integer_value(json_object_get(f, "cols"));
	json_int_t rows = json_integer_value(json_object_get(f, "rows"));
	int sig = signal_named(json_string_value(json_object_get(f,
	    "signal")));
	char why[128];

	if (type == NULL)
		type = "";
	if (strcmp(type, "stdin") == 0) {
		write_stdin(ws, pc, data ? data : "", data ? strlen(data) : 0);
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (strcmp(type, "signal") == 0 && sig && s->running)
		kill(-s->pid, sig);
	else if (strcmp(type, "resize") == 0 && cols > 0 && rows > 0 &&
	    cols < 65536 && rows < 65536)
		pty_proc_resize(s, (int)cols, (int)rows);
	pthread_mutex_unlock(&s->lock);
	if (strcmp(type, "ping") == 0)
		osb_ws_send_json(ws, json_pack("{s:s}", "type", "pong"));
	else if (strcmp(type, "osb_eof") == 0)
		end_stdin(s);
	else if (strcmp(type, "signal") != 0 && strcmp(type, "resize") != 0) {
		snprintf(why, sizeof(why), "unknown frame type \"%.64s\"",
		    type);
		send_error(ws, "INVALID_FRAME", why);
	}
}

/* One message of the client; -1 to end the connection. */
static int
handle_message(struct osb_ws *ws, struct pty_conn *pc, int op,
    const unsigned char *data, size_t len)
{
	json_t *f;
	int code, rc = 0;

	switch (op) {
	case OSB_WS_BINARY:
		if (len > 0 && data[0] == PTY_STDIN)
			write_stdin(ws, pc, data + 1, len - 1);
		break;
	case OSB_WS_TEXT:
		/* Not JSON: ignored, as upstream does. */
		if ((f = json_loadb((const char *)data, len, 0, NULL)) != NULL)
			handle_text(ws, pc, f);
		json_decref(f);
		break;
	case OSB_WS_CLOSE:
		if (osb_ws_close_payload(data, len, &code, NULL, 0) < 0 ||
		    code == 1005)
			code = OSB_WS_NORMAL;
		osb_ws_close(ws, code, "");
		rc = -1;
		break;
	}
	return rc;
}

/* Read and handle the client's messages until it goes or is sent away. */
static void
serve_client(struct osb_ws *ws, struct pty_conn *pc)
{
	struct pollfd pfd = { osb_ws_fd(ws), POLLIN, 0 };
	const unsigned char *data;
	int64_t heard = cmd_clock_ms();
	size_t len;
	int op, rc;

	for (;;) {
		if ((rc = poll(&pfd, 1, PTY_PING_MS)) < 0 && errno != EINTR)
			return;
		if (rc == 0) {
			if (cmd_clock_ms() - heard > 2 * PTY_PING_MS)
				return;
			osb_ws_send(ws, OSB_WS_PING, "", 0);
			continue;
		}
		if (rc < 0 || osb_ws_read(ws) <= 0)
			return;
		heard = cmd_clock_ms();
		while ((rc = osb_ws_message(ws, &op, &data, &len)) == 1)
			if (handle_message(ws, pc, op, data, len) < 0)
				return;
		if (rc < 0)
			return;
	}
}

void
pty_ws_run(struct osb_ws *ws, void *arg)
{
	struct pty_conn *pc = arg;
	struct pty_session *s = pc->s;
	int attached;

	pthread_mutex_lock(&s->lock);
	attached = attach_locked(pc, ws) == 0;
	pthread_mutex_unlock(&s->lock);
	if (attached)
		serve_client(ws, pc);
	pthread_mutex_lock(&s->lock);
	if (s->client == ws)
		s->client = NULL;
	pthread_mutex_unlock(&s->lock);
}

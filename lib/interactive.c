/*
 * interactive.c — relay between our descriptors and a PTY session's
 * WebSocket (upstream's protocol: binary frames with a type byte, JSON
 * text frames for the rest), with our terminal raw while it runs.
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "execd.h"
#include "interactive.h"
#include "util.h"
#include "ws_client.h"

#define STDIN_CHUNK 65536

/* The login shell of whoever the execd runs things as. */
#define LOGIN_SHELL "s=$(getent passwd \"$(id -u)\" 2>/dev/null | " \
	"cut -d: -f7); exec \"${s:-/bin/sh}\" -l"

/* Signals caught while it runs, written to a pipe for the relay's poll. */
static int signal_pipe[2] = { -1, -1 };

struct relay {
	struct osb_ws_client *ws;
	const struct osb_interactive *opt;
	int stdin_open;
	int status;		/* -1 until the exit frame */
	int stopped;		/* our stdout failed, or a signal ended us */
	int write_errno;	/* why our stdout or stderr failed */
	struct termios saved;
	int raw;		/* saved holds the terminal's settings */
	struct sigaction old[5];
};

static const int caught[5] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGPIPE };

static void
on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	(void)!write(signal_pipe[1], &b, 1);
	errno = saved;
}

/*
 * Catch the signals the relay forwards, and take EPIPE over SIGPIPE: a
 * reader of our output that goes away must end the command there too.
 * 0, or -1 with err set.
 */
static int
catch_signals(struct relay *r, struct osb_error *err)
{
	struct sigaction sa;
	int i;

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		osb_error_set(err, 0, "", "pipe: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 5; i++) {
		sa.sa_handler = caught[i] == SIGPIPE ? SIG_IGN : on_signal;
		sigaction(caught[i], &sa, &r->old[i]);
	}
	return 0;
}

static void
restore_signals(struct relay *r)
{
	int i;

	for (i = 0; i < 5; i++)
		sigaction(caught[i], &r->old[i], NULL);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	signal_pipe[0] = signal_pipe[1] = -1;
}

/* Our terminal raw, its settings kept for restore_terminal. */
static void
raw_terminal(struct relay *r)
{
	struct termios t;

	if (!r->opt->tty || !r->opt->forward_stdin ||
	    tcgetattr(STDIN_FILENO, &r->saved) < 0)
		return;
	t = r->saved;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &t) == 0)
		r->raw = 1;
}

static void
restore_terminal(struct relay *r)
{
	if (r->raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &r->saved);
	r->raw = 0;
}

/* Append "export 'NAME=value'; " to b; 0 or -1. */
static int
add_export(struct osb_buf *b, const char *name, const char *value)
{
	char *argv[2] = { "export", NULL }, *line;
	int rc;

	if (asprintf(&argv[1], "%s=%s", name, value) < 0)
		return -1;
	line = osb_shell_join(2, argv);
	free(argv[1]);
	rc = line ? osb_buf_append(b, line, strlen(line)) : -1;
	free(line);
	return rc == 0 ? osb_buf_append(b, "; ", 2) : -1;
}

/*
 * The command line the session runs: the variables and TERM exported
 * (the API takes no environment), then the command or the login shell.
 * NULL when out of memory.
 */
static char *
session_command(const struct osb_interactive *opt)
{
	const char *cmd = opt->command ? opt->command : LOGIN_SHELL, *name;
	struct osb_buf b = { 0 };
	json_t *value;
	int rc = 0;

	json_object_foreach(opt->envs, name, value)
		if (rc == 0)
			rc = add_export(&b, name, json_string_value(value));
	if (rc == 0 && opt->tty && opt->term && *opt->term)
		rc = add_export(&b, "TERM", opt->term);
	if (rc == 0)
		rc = osb_buf_append(&b, cmd, strlen(cmd));
	if (rc < 0)
		osb_buf_free(&b);
	return b.data;
}

/* Send a JSON control frame (doc is stolen); 0 or -1. */
static int
send_json(struct relay *r, json_t *doc, struct osb_error *err)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	int rc = -1;

	if (text != NULL)
		rc = osb_ws_client_send(r->ws, OSB_WS_TEXT, text, strlen(text),
		    err);
	else
		osb_error_set(err, 0, "", "out of memory");
	free(text);
	json_decref(doc);
	return rc;
}

/* Tell the terminal there our window's size. */
static int
send_size(struct relay *r, struct osb_error *err)
{
	struct winsize w;

	if (!r->opt->tty || ioctl(STDIN_FILENO, TIOCGWINSZ, &w) < 0 ||
	    w.ws_col == 0 || w.ws_row == 0)
		return 0;
	return send_json(r, json_pack("{s:s, s:i, s:i}", "type", "resize",
	    "cols", w.ws_col, "rows", w.ws_row), err);
}

/*
 * Signals that came: resize; without our terminal raw, pass them on to the
 * command (its own terminal sends it Ctrl-C); with it, they can only have
 * come from elsewhere, for us: stop, as 128+N.
 */
static int
take_signals(struct relay *r, struct osb_error *err)
{
	unsigned char sig;
	const char *name;

	while (read(signal_pipe[0], &sig, 1) == 1) {
		if (sig == SIGWINCH) {
			if (send_size(r, err) < 0)
				return -1;
			continue;
		}
		if (r->raw) {
			r->status = 128 + sig;
			r->stopped = 1;
			return 0;
		}
		name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" :
		    "SIGHUP";
		if (send_json(r, json_pack("{s:s, s:s}", "type", "signal",
		    "signal", name), err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Forward what stdin has; at its end, say so (pipes) or stop reading.
 * When the server takes no more, stdin is left: the command has ended,
 * and how is in what is still to be read.
 */
static int
take_stdin(struct relay *r, char *buf, struct osb_error *err)
{
	struct iovec iov[2];
	unsigned char type = 0x00;
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, STDIN_CHUNK)) < 0 &&
	    errno == EINTR)
		;
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		r->stdin_open = 0;
		if (!r->opt->tty)
			send_json(r, json_pack("{s:s}", "type", "osb_eof"),
			    err);
		return 0;
	}
	iov[0].iov_base = &type;
	iov[0].iov_len = 1;
	iov[1].iov_base = buf;
	iov[1].iov_len = (size_t)n;
	if (osb_ws_client_sendv(r->ws, OSB_WS_BINARY, iov, 2, err) < 0)
		r->stdin_open = 0;
	return 0;
}

/* Output of the command: 0x01 stdout, 0x02 stderr, 0x03 replay. */
static void
show_output(struct relay *r, const unsigned char *data, size_t len)
{
	int fd = data[0] == 0x02 ? STDERR_FILENO : STDOUT_FILENO;
	size_t skip = data[0] == 0x03 ? 9 : 1;

	if (data[0] > 0x03 || len < skip || r->stopped)
		return;
	if (osb_write_all(fd, data + skip, len - skip) < 0) {
		r->write_errno = errno;
		r->stopped = 1;
	}
}

/*
 * A JSON frame of the server: exit and error matter. Errors end the
 * session but two: the command takes no more stdin (what is left of ours
 * is not read), and a frame the server does not know (the Go execd does
 * not know osb_eof: its command's stdin never ends).
 */
static int
take_text(struct relay *r, const unsigned char *data, size_t len,
    struct osb_error *err)
{
	json_t *f = json_loadb((const char *)data, len, 0, NULL);
	const char *type = json_string_value(json_object_get(f, "type"));
	const char *code = json_string_value(json_object_get(f, "code"));
	json_t *sig = json_object_get(f, "osb_signal");
	int rc = 0;

	if (code == NULL)
		code = "";
	if (type != NULL && strcmp(type, "exit") == 0) {
		r->status = (int)json_integer_value(json_object_get(f,
		    "exit_code")) & 0xff;
		if (json_is_integer(sig))
			r->status = 128 + (int)json_integer_value(sig);
	} else if (type != NULL && strcmp(type, "error") == 0 &&
	    strcmp(code, "STDIN_WRITE_FAILED") == 0) {
		r->stdin_open = 0;
	} else if (type != NULL && strcmp(type, "error") == 0 &&
	    strcmp(code, "INVALID_FRAME") != 0) {
		osb_error_set(err, 0, code, "terminal: %s",
		    json_string_value(json_object_get(f, "error")) ?
		    json_string_value(json_object_get(f, "error")) : "error");
		rc = -1;
	}
	json_decref(f);
	return rc;
}

/*
 * Take the messages that have come, a MiB at a time; 1 to go on, 0 at
 * the end, -1 on an error.
 */
static int
take_messages(struct relay *r, struct osb_error *err)
{
	const unsigned char *data;
	size_t len;
	int op, rc = 0, open;

	do {
		if ((open = osb_ws_client_read(r->ws, err)) < 0)
			return -1;
		while (!r->stopped && (rc = osb_ws_client_message(r->ws, &op,
		    &data, &len, err)) == 1) {
			if (op == OSB_WS_BINARY && len > 0)
				show_output(r, data, len);
			else if (op == OSB_WS_TEXT &&
			    take_text(r, data, len, err) < 0)
				return -1;
			else if (op == OSB_WS_CLOSE)
				return 0;
		}
		if (!r->stopped && rc < 0)
			return -1;
	} while (open == 2 && !r->stopped);
	return open != 0;
}

/* Relay until the command has ended; 0, or -1 with err set. */
static int
relay(struct relay *r, struct osb_error *err)
{
	struct pollfd pfd[3];
	char *buf = malloc(STDIN_CHUNK);
	int rc = 0, n;

	if (buf == NULL) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	while (rc == 0 && !r->stopped) {
		pfd[0] = (struct pollfd){ osb_ws_client_fd(r->ws), POLLIN, 0 };
		pfd[1] = (struct pollfd){ signal_pipe[0], POLLIN, 0 };
		pfd[2] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
		n = r->stdin_open ? 3 : 2;
		if (poll(pfd, (nfds_t)n, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents && take_signals(r, err) < 0)
			rc = -1;
		else if (n == 3 && pfd[2].revents && take_stdin(r, buf,
		    err) < 0)
			rc = -1;
		else if (pfd[0].revents && (n = take_messages(r, err)) <= 0)
			rc = n < 0 ? -1 : 1;
	}
	free(buf);
	if (r->write_errno == EPIPE && rc == 0)
		r->status = 128 + SIGPIPE;	/* as a shell would say */
	else if (r->write_errno != 0 && rc == 0) {
		osb_error_set(err, 0, "", "output: %s",
		    strerror(r->write_errno));
		return -1;
	}
	if (rc < 0 || r->status >= 0 || r->stopped)
		return rc < 0 ? -1 : 0;
	osb_error_set(err, 0, "", "terminal: the connection ended before "
	    "the command did");
	return -1;
}

/* Connect to session id's WebSocket and relay; see osb_interactive_run. */
static int
attach(const struct osb_endpoint *ep, const char *id, struct relay *r,
    struct osb_error *err)
{
	char path[256];
	int rc;

	snprintf(path, sizeof(path), "/pty/%s/ws%s", id, r->opt->tty ? "" :
	    "?pty=0");
	if (osb_ws_client_open(ep, path, "terminal", &r->ws, err) < 0)
		return -1;
	if (catch_signals(r, err) < 0) {
		osb_ws_client_free(r->ws);
		return -1;
	}
	raw_terminal(r);
	rc = send_size(r, err) < 0 ? -1 : relay(r, err);
	restore_terminal(r);
	restore_signals(r);
	osb_ws_client_free(r->ws);
	return rc;
}

int
osb_interactive_run(const struct osb_endpoint *ep,
    const struct osb_interactive *opt, int *status, struct osb_error *err)
{
	struct relay r = { .opt = opt, .status = -1,
	    .stdin_open = opt->forward_stdin };
	struct osb_error ignored = { 0 };
	char *line, *id = NULL;
	int rc;

	if ((line = session_command(opt)) == NULL) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	rc = osb_execd_pty_create(ep, opt->cwd, line, &id, err);
	free(line);
	if (rc < 0)
		return -1;
	rc = attach(ep, id, &r, err);
	osb_execd_pty_delete(ep, id, &ignored);
	free(id);
	*status = r.status >= 0 ? r.status : 0;
	return rc;
}

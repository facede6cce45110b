/*
 * interactive.h — a command in a sandbox wired to our own terminal or
 * standard input, over the execd's /pty API: with a terminal, ours in raw
 * mode (always restored) and its size followed; without, standard input
 * forwarded until its end and the command's stdout and stderr kept apart.
 */
#ifndef OSB_INTERACTIVE_H
#define OSB_INTERACTIVE_H

#include <jansson.h>

#include "buf.h"
#include "error.h"
#include "http.h"

struct osb_interactive {
	const char *command;	/* a shell command line; NULL: login shell */
	const char *cwd;	/* NULL: the server's */
	json_t *envs;		/* {"NAME": "value"} to export, or NULL */
	int forward_stdin;	/* -i */
	int tty;		/* -t: a terminal there, ours raw */
	const char *term;	/* TERM for the terminal there, or NULL */
};

/*
 * Run it until the command ends: its exit status in *status (128+N when
 * signal N ended it). While it runs, SIGWINCH resizes its terminal, and
 * SIGINT, SIGTERM and SIGHUP go to the command, unless our terminal is
 * raw (its keys go instead): then they end the session, status 128+N.
 * Our output going away (EPIPE) ends it too, as 128+SIGPIPE. Returns 0,
 * or -1 with err set when it could not be started or the connection
 * failed.
 */
int osb_interactive_run(const struct osb_endpoint *,
    const struct osb_interactive *, int *status, struct osb_error *);

#endif

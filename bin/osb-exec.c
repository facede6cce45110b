/*
 * osb-exec — run commands in a sandbox: in the foreground with their
 * output streamed here byte for byte and their exit status as ours, or in
 * the background, then status, logs and interrupt; interactively, on a
 * terminal or with our stdin (-i, -t); and bash sessions that keep their
 * state between runs.
 */
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base64.h"
#include "buf.h"
#include "cli.h"
#include "config.h"
#include "execd.h"
#include "http.h"
#include "interactive.h"
#include "output.h"
#include "resolve.h"
#include "util.h"

#define PROG		"osb-exec"
#define EXIT_OSB	125	/* osb itself failed, not the command */
#define EXIT_TIMED_OUT	124	/* --timeout ended it, as timeout(1) says */
#define EXIT_CANNOT_RUN	126	/* the command could not be started */
#define MAX_OPERANDS	2
/* logs -f: how long to wait between polls, at first and at most. */
#define FOLLOW_MIN_MS	100
#define FOLLOW_MAX_MS	1000


/* The options of subcommands, as bits for checking who may use which. */
enum {
	OPT_BACKGROUND = 1 << 0, OPT_WORKDIR = 1 << 1, OPT_ENV = 1 << 2,
	OPT_TIMEOUT = 1 << 3, OPT_USER = 1 << 4, OPT_CURSOR = 1 << 5,
	OPT_FOLLOW = 1 << 6, OPT_INTERACTIVE = 1 << 7, OPT_TTY = 1 << 8
};

/* getopt values of the long-only ones. */
enum { LOPT_CURSOR = OSB_OPT_FIRST_LOCAL, LOPT_CWD, LOPT_TIMEOUT };

struct opts {
	const char *workdir;		/* -w, --cwd */
	json_t *envs;			/* -e */
	int64_t timeout_ms;		/* -t; 0: none */
	long uid, gid;			/* -u; -1: the server's */
	int64_t cursor;			/* --cursor; -1: from the start */
	int background, follow;
	int interactive, tty;		/* -i, -t */
	unsigned seen;			/* OPT_* bits given */
	int argc;			/* the command line, for -t DURATION */
	char **argv;
};

struct ctx {
	struct osb_config cfg;
	struct osb_endpoint ep;
	struct opts o;
	const struct subcommand *sub;
	char *operands[MAX_OPERANDS];	/* SANDBOX, then ID or SESSION */
	int noperands;
	char **command;			/* COMMAND [ARG...] of run */
	int ncommand;
	char *line;			/* the command as one command line */
};

struct subcommand {
	const char *name;
	int (*run)(struct ctx *);
	int noperands;			/* SANDBOX and the ids after it */
	int takes_command;		/* COMMAND [ARG...] follows */
	unsigned allowed;		/* OPT_* bits it takes */
	const char *synopsis;
};

/* A foreground stream being shown. */
struct stream {
	struct ctx *c;
	char id[256];			/* from the init event */
	int status;			/* exit status once known, -1 before */
	int write_errno;		/* our stdout or stderr failed */
	int interrupted;		/* the interrupt has been sent */
	int raw;			/* the server sends bytes, not lines */
	struct timespec start;		/* when the run was asked for */
	int started;			/* its init event came */
};

static volatile sig_atomic_t got_signal;

static const struct option long_options[] = {
	OSB_GLOBAL_OPTIONS,
	{ "background", no_argument, NULL, 'd' },
	{ "workdir", required_argument, NULL, 'w' },
	{ "cwd", required_argument, NULL, LOPT_CWD },
	{ "env", required_argument, NULL, 'e' },
	{ "timeout", required_argument, NULL, LOPT_TIMEOUT },
	{ "interactive", no_argument, NULL, 'i' },
	{ "tty", no_argument, NULL, 't' },
	{ "user", required_argument, NULL, 'u' },
	{ "cursor", required_argument, NULL, LOPT_CURSOR },
	{ "follow", no_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 }
};

static const struct osb_cli_flag option_names[] = {
	{ OPT_BACKGROUND, "-d/--background" }, { OPT_WORKDIR, "-w/--workdir" },
	{ OPT_ENV, "-e/--env" }, { OPT_TIMEOUT, "-t/--timeout" },
	{ OPT_USER, "-u/--user" }, { OPT_CURSOR, "--cursor" },
	{ OPT_FOLLOW, "-f/--follow" }, { OPT_INTERACTIVE, "-i/--interactive" },
	{ OPT_TTY, "-t/--tty" }
};

static const char usage_text[] =
"usage: " PROG " [options] SANDBOX [--] COMMAND [ARG...]\n"
"       " PROG " [options] -i|-t|-it SANDBOX [[--] COMMAND [ARG...]]\n"
"       " PROG " [options] run SANDBOX [--] COMMAND [ARG...]\n"
"       " PROG " [options] status SANDBOX ID\n"
"       " PROG " [options] logs SANDBOX ID [--cursor N] [-f]\n"
"       " PROG " [options] interrupt SANDBOX ID\n"
"       " PROG " [options] session create SANDBOX [--cwd DIR]\n"
"       " PROG " [options] session run SANDBOX SESSION [-w DIR] "
"[--timeout DUR] [--] COMMAND [ARG...]\n"
"       " PROG " [options] session rm SANDBOX SESSION\n"
"\n"
"Run a command in a sandbox. SANDBOX is a sandbox id, a unique prefix of\n"
"one, or an execd URL (http://127.0.0.1:44772). One COMMAND argument is a\n"
"shell command line, used as it is; several are quoted so that each\n"
"arrives as one word. Output streams here as it is written, and the exit\n"
"status is the command's: 125 when osb itself failed, 126 when the command\n"
"could not be started, 128+N when this program was stopped by signal N.\n"
"\n"
"Command options:\n"
"  -d, --background      start the command and print its id\n"
"  -w, --workdir DIR     working directory (session create: also --cwd)\n"
"  -e, --env KEY=VALUE   set a variable (repeatable)\n"
"  -i, --interactive     forward stdin to the command until its end\n"
"  -t, --tty             run it on a terminal (-it: ours, raw); no\n"
"                        COMMAND: the login shell\n"
"      --timeout DUR     kill the command after DUR (30s, 10m, 1h30m);\n"
"                        also -t DUR\n"
"  -u, --user UID[:GID]  run as this numeric user and group\n"
"      --cursor N        logs: start at this cursor\n"
"  -f, --follow          logs: keep printing until the command ends\n"
"  -o json               run: print the event stream as JSON lines\n"
"\n";

static int cmd_run(struct ctx *);
static int cmd_status(struct ctx *);
static int cmd_logs(struct ctx *);
static int cmd_interrupt(struct ctx *);
static int cmd_session_create(struct ctx *);
static int cmd_session_run(struct ctx *);
static int cmd_session_rm(struct ctx *);

static const struct subcommand subcommands[] = {
	{ "run", cmd_run, 1, 1, OPT_BACKGROUND | OPT_WORKDIR | OPT_ENV |
	    OPT_TIMEOUT | OPT_USER | OPT_INTERACTIVE | OPT_TTY,
	    "run SANDBOX [-d] [-i] [-t] [-w DIR] [-e KEY=VALUE] "
	    "[--timeout DUR] [-u UID[:GID]] [--] COMMAND [ARG...]" },
	{ "status", cmd_status, 2, 0, 0, "status SANDBOX ID" },
	{ "logs", cmd_logs, 2, 0, OPT_CURSOR | OPT_FOLLOW,
	    "logs SANDBOX ID [--cursor N] [-f]" },
	{ "interrupt", cmd_interrupt, 2, 0, 0, "interrupt SANDBOX ID" },
	{ "session create", cmd_session_create, 1, 0, OPT_WORKDIR,
	    "session create SANDBOX [--cwd DIR]" },
	{ "session run", cmd_session_run, 2, 1, OPT_WORKDIR | OPT_TIMEOUT,
	    "session run SANDBOX SESSION [-w DIR] [--timeout DUR] [--] "
	    "COMMAND [ARG...]" },
	{ "session rm", cmd_session_rm, 2, 0, 0, "session rm SANDBOX SESSION" },
	{ "session delete", cmd_session_rm, 2, 0, 0,
	    "session delete SANDBOX SESSION" },
};

#define NSUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))
#define NOPTION_NAMES (sizeof(option_names) / sizeof(option_names[0]))

/*
 * Print err, and how to give a token when the server wants one and none
 * was given. Returns status.
 */
static int
fail(const struct ctx *c, const struct osb_error *err, int status)
{
	osb_print_error(PROG, err);
	if (err->status == 401 && c->cfg.execd_token == NULL)
		osb_warnx(PROG, "%s wants an access token: give it with "
		    "--execd-token or OSB_EXECD_TOKEN", c->ep.base);
	return status;
}

/* -e KEY=VALUE into the envs object. Returns 0, -1 with err set. */
static int
take_env(struct opts *o, const char *arg, struct osb_error *err)
{
	const char *eq = strchr(arg, '=');
	char *key;

	if (eq == NULL || eq == arg) {
		osb_error_set(err, 0, "", "-e: expected KEY=VALUE, got '%s'",
		    arg);
		return -1;
	}
	/* JSON carries only UTF-8: say so rather than drop the variable. */
	if (!osb_utf8_valid(arg)) {
		osb_error_set(err, 0, "", "-e: '%s' is not valid UTF-8, which "
		    "the API cannot carry", arg);
		return -1;
	}
	if ((o->envs == NULL && (o->envs = json_object()) == NULL) ||
	    (key = strndup(arg, (size_t)(eq - arg))) == NULL) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	json_object_set_new(o->envs, key, json_string(eq + 1));
	free(key);
	return 0;
}

/* -u UID[:GID], numeric. Returns 0, -1 with err set. */
static int
take_user(struct opts *o, const char *arg, struct osb_error *err)
{
	const char *errstr = NULL;
	char *copy, *colon;

	if ((copy = strdup(arg)) == NULL) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	if ((colon = strchr(copy, ':')) != NULL)
		*colon++ = '\0';
	o->uid = (long)strtonum(copy, 0, 4294967294LL, &errstr);
	if (errstr == NULL && colon != NULL)
		o->gid = (long)strtonum(colon, 0, 4294967294LL, &errstr);
	free(copy);
	if (errstr != NULL) {
		osb_error_set(err, 0, "", "-u: expected a numeric UID[:GID], "
		    "got '%s'", arg);
		return -1;
	}
	return 0;
}

/* --timeout DURATION; "none" and 0 mean no timeout. 0, -1 with err set. */
static int
take_timeout(struct opts *o, const char *arg, struct osb_error *err)
{
	if (osb_duration_parse(arg, &o->timeout_ms) == -1) {
		osb_error_set(err, 0, "", "--timeout: not a duration: '%s' "
		    "(30s, 10m, 1h30m, none)", arg);
		return -1;
	}
	if (o->timeout_ms == OSB_DURATION_NONE)
		o->timeout_ms = 0;
	return 0;
}

/* --cursor N. Returns 0, -1 with err set. */
static int
take_cursor(struct opts *o, const char *arg, struct osb_error *err)
{
	const char *errstr;

	o->cursor = strtonum(arg, 0, INT64_MAX, &errstr);
	if (errstr != NULL) {
		osb_error_set(err, 0, "", "--cursor: not a cursor: '%s'", arg);
		return -1;
	}
	return 0;
}

/*
 * -t: a terminal, or with a duration right after it the timeout, as -t
 * was before it meant a terminal (and still is in the Python CLI). Only a
 * -t that ends its word can have a value after it ("-it 30s" can).
 */
static int
take_t(struct opts *o, struct osb_error *err)
{
	const char *word = optind > 0 ? o->argv[optind - 1] : NULL;
	size_t n = word ? strlen(word) : 0;
	int64_t ms;

	if (n >= 2 && word[0] == '-' && word[1] != '-' && word[n - 1] == 't' &&
	    optind < o->argc && osb_duration_parse(o->argv[optind], &ms) == 0) {
		o->seen |= OPT_TIMEOUT;
		return take_timeout(o, o->argv[optind++], err);
	}
	o->tty = 1;
	o->seen |= OPT_TTY;
	return 0;
}

/*
 * Record one of the subcommand options (an osb_cli take callback).
 * Returns 0, -1 with err set for a bad value.
 */
static int
take_option(void *arg, int opt, const char *value, struct osb_error *err)
{
	struct opts *o = arg;

	switch (opt) {
	case 'd': o->background = 1; o->seen |= OPT_BACKGROUND; return 0;
	case 'f': o->follow = 1; o->seen |= OPT_FOLLOW; return 0;
	case 'w':
	case LOPT_CWD: o->workdir = value; o->seen |= OPT_WORKDIR; return 0;
	case 'e': o->seen |= OPT_ENV; return take_env(o, value, err);
	case 'i': o->interactive = 1; o->seen |= OPT_INTERACTIVE; return 0;
	case 't': return take_t(o, err);
	case LOPT_TIMEOUT: o->seen |= OPT_TIMEOUT;
	    return take_timeout(o, value, err);
	case 'u': o->seen |= OPT_USER; return take_user(o, value, err);
	case LOPT_CURSOR: o->seen |= OPT_CURSOR; return take_cursor(o, value,
	    err);
	}
	osb_error_set(err, 0, "", "unknown option");
	return -1;
}

/* The subcommand called name ("session run"), or NULL. */
static const struct subcommand *
find_subcommand(const char *name)
{
	return osb_cli_lookup(subcommands, NSUBCOMMANDS,
	    sizeof(subcommands[0]), name);
}

/*
 * The subcommand an operand names: "run", "status"..., or "session"
 * with the word after it (taken from argv). NULL when it names none: it
 * is then the SANDBOX of a plain run. Sets *rc to 2 on a bad session word.
 */
static const struct subcommand *
subcommand_of(const char *word, int argc, char **argv, int *rc)
{
	const struct subcommand *sub;
	char name[64];

	if (strchr(word, ' ') != NULL)
		return NULL;
	if (strcmp(word, "session") != 0)
		return find_subcommand(word);
	if (optind >= argc) {
		*rc = osb_print_usage_error(PROG, NULL, "session: missing "
		    "command (create, run or rm)");
		return NULL;
	}
	snprintf(name, sizeof(name), "session %s", argv[optind]);
	if (strchr(argv[optind], ' ') != NULL ||
	    (sub = find_subcommand(name)) == NULL) {
		*rc = osb_print_usage_error(PROG, NULL, "session: unknown "
		    "command '%s' (create, run or rm)", argv[optind]);
		return NULL;
	}
	optind++;
	return sub;
}

/*
 * Take one operand: the subcommand (a first word that names none is the
 * SANDBOX of a plain run), then its operands; the word after them starts
 * COMMAND of the runs. Returns -1 to go on, 0 when COMMAND has started,
 * otherwise the exit status.
 */
static int
take_operand(struct ctx *c, char *word, int argc, char **argv)
{
	int rc = -1;

	if (c->sub != NULL && c->sub->takes_command &&
	    c->noperands == c->sub->noperands) {
		c->command = &argv[optind - 1];
		c->ncommand = argc - optind + 1;
		return 0;
	}
	if (c->sub == NULL && c->noperands == 0) {
		c->sub = subcommand_of(word, argc, argv, &rc);
		if (rc >= 0 || c->sub != NULL)
			return rc;
		c->sub = find_subcommand("run");
	}
	if (c->noperands == c->sub->noperands)
		return osb_print_usage_error(PROG, c->sub->synopsis, "%s: too "
		    "many operands: '%s'", c->sub->name, word);
	c->operands[c->noperands++] = word;
	return -1;
}

/*
 * The whole command line: options anywhere before COMMAND, the
 * subcommand, its operands, then COMMAND [ARG...] for the runs. Returns -1
 * to go on, otherwise the exit status.
 */
static int
parse_command_line(struct ctx *c, int argc, char **argv)
{
	struct osb_cli cli = { OSB_CLI_SHORTOPTS("dw:e:itu:f"), long_options,
	    &c->cfg, take_option, &c->o, 0 };
	struct osb_error err = { 0 };
	char *word;
	int rc;

	c->o.argc = argc;
	c->o.argv = argv;
	while ((rc = osb_cli_next(&cli, argc, argv, &word, &err)) ==
	    OSB_CLI_OPERAND) {
		if ((rc = take_operand(c, word, argc, argv)) == 0)
			return -1;	/* the rest is COMMAND [ARG...] */
		if (rc > 0)
			return rc;
	}
	return rc == OSB_CLI_END ? -1 :
	    osb_print_cli_end(PROG, usage_text, rc, &err);
}

/* Do operands and options fit the subcommand? -1, or 2 after saying why. */
static int
check_usage(struct ctx *c)
{
	const struct subcommand *sub = c->sub;
	const char *misplaced;

	if (sub == NULL)
		return osb_print_usage_error(PROG, NULL, "missing SANDBOX");
	if (c->noperands < sub->noperands)
		return osb_print_usage_error(PROG, sub->synopsis, "%s: missing "
		    "%s", sub->name, c->noperands == 0 ? "SANDBOX" :
		    strncmp(sub->name, "session", 7) == 0 ? "SESSION" : "ID");
	if (sub->takes_command && c->ncommand == 0 && !c->o.tty)
		return osb_print_usage_error(PROG, sub->synopsis, "%s: missing "
		    "COMMAND", sub->name);
	if ((misplaced = osb_cli_misplaced(c->o.seen, sub->allowed,
	    option_names, NOPTION_NAMES)) != NULL)
		return osb_print_usage_error(PROG, sub->synopsis, "%s: %s does "
		    "not apply", sub->name, misplaced);
	if ((c->o.interactive || c->o.tty) && (misplaced = osb_cli_misplaced(
	    c->o.seen, OPT_INTERACTIVE | OPT_TTY | OPT_WORKDIR | OPT_ENV,
	    option_names, NOPTION_NAMES)) != NULL)
		return osb_print_usage_error(PROG, sub->synopsis, "%s: %s does "
		    "not apply with -i or -t", sub->name, misplaced);
	return -1;
}

/* A signal to stop: the first one interrupts the command, a second kills. */
static void
on_signal(int sig)
{
	if (got_signal) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	got_signal = sig;
}

/*
 * Catch SIGINT, SIGTERM and SIGHUP without SA_RESTART, so that the wait
 * for the stream wakes up at once; and take EPIPE over SIGPIPE, so that a
 * reader going away can stop the remote command too.
 */
static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * Once a signal came and the command's id is known: interrupt it, once.
 * The stream goes on to show the command's last output and end. A failure
 * is not worth a word: the command may have ended meanwhile.
 */
static void
interrupt_if_asked(void *arg)
{
	struct stream *s = arg;
	struct osb_error err = { 0 };

	if (got_signal && s->id[0] != '\0' && !s->interrupted) {
		s->interrupted = 1;
		osb_execd_interrupt(&s->c->ep, s->id, &err);
	}
}

/*
 * The exit status a shell would give for the error event of a command:
 * evalue is its exit code, or -1 with "signal: killed" in the traceback
 * for a command a signal ended (128+N), or a message when it could not
 * start at all (126, the message said).
 */
static int
exit_status_of(const json_t *error)
{
	const char *evalue = json_string_value(json_object_get(error, "evalue"));
	const char *tb = json_string_value(json_array_get(json_object_get(error,
	    "traceback"), 0));
	char *end;
	long n;
	int sig;

	if (evalue == NULL)
		evalue = "";
	n = strtol(evalue, &end, 10);
	if (*evalue == '\0' || *end != '\0') {
		osb_warnx(PROG, "%s", *evalue ? evalue : "the command failed");
		return EXIT_CANNOT_RUN;
	}
	if (n >= 0)
		return (int)(n & 0xff);
	if (tb != NULL && strncmp(tb, "signal: ", 8) == 0)
		for (sig = 1; sig < NSIG; sig++)
			if (strsignal(sig) && strcasecmp(strsignal(sig),
			    tb + 8) == 0)
				return 128 + sig;
	return 1;
}

/*
 * stdout and stderr events to ours: byte for byte from a server that
 * frames raw (osb_bytes, when there, holds bytes the text could not);
 * from one that sends lines, each line and a newline (an empty line comes
 * as "\n", which is the newline alone).
 */
static int
show_output(struct stream *s, const json_t *ev, const char *type)
{
	const json_t *text = json_object_get(ev, "text");
	const char *p = json_string_value(text) ? json_string_value(text) : "";
	const char *b64 = json_string_value(json_object_get(ev, "osb_bytes"));
	struct osb_buf bytes = { 0 };
	size_t len = json_string_length(text);
	int fd = strcmp(type, "stdout") == 0 ? STDOUT_FILENO : STDERR_FILENO;
	int rc = 0;

	if (s->raw && b64 != NULL && osb_base64_decode(b64, &bytes) == 0) {
		p = bytes.data ? bytes.data : "";
		len = bytes.len;
	}
	if (osb_write_all(fd, p, len) == -1 || (!s->raw &&
	    !(len == 1 && p[0] == '\n') && osb_write_all(fd, "\n", 1) == -1)) {
		s->write_errno = errno;
		rc = -1;
	}
	osb_buf_free(&bytes);
	return rc;
}

/*
 * Does a foreground stream print its events as JSON lines? Only when -o
 * json is on this command line: a format from the environment or the
 * config file is for documents, and must not turn a command's bytes
 * (`osb-exec S cat f >copy`) into events.
 */
static int
events_as_json(const struct ctx *c)
{
	return c->cfg.format == OSB_JSON && (c->cfg.set & OSB_SET_FORMAT);
}

/*
 * One event of a foreground stream. Reading stops at the event that ends
 * the command: a server may hold the stream open for a while after it.
 */
static int
on_event(json_t *ev, void *arg)
{
	struct stream *s = arg;
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *text = json_string_value(json_object_get(ev, "text"));

	if (type == NULL)
		type = "";
	if (strcmp(type, "init") == 0)
		s->raw = json_is_string(json_object_get(ev, "osb_framing")) &&
		    strcmp(json_string_value(json_object_get(ev,
		    "osb_framing")), "raw") == 0;
	if (events_as_json(s->c)) {
		if (osb_print_line(stdout, ev) == -1 || fflush(stdout) == EOF) {
			s->write_errno = errno;
			return -1;
		}
	} else if ((strcmp(type, "stdout") == 0 ||
	    strcmp(type, "stderr") == 0) && show_output(s, ev, type) == -1) {
		return -1;
	}
	if (strcmp(type, "init") == 0)
		s->started = 1;
	if (strcmp(type, "init") == 0 && text != NULL && s->id[0] == '\0')
		strlcpy(s->id, text, sizeof(s->id));
	else if (strcmp(type, "execution_complete") == 0)
		s->status = 0;
	else if (strcmp(type, "error") == 0)
		s->status = exit_status_of(json_object_get(ev, "error"));
	interrupt_if_asked(s);
	return s->status >= 0 ? -1 : 0;
}

/*
 * Was a command that SIGKILL ended stopped by its --timeout (the server
 * kills it when its time is up)? Says so when it was.
 */
static int
timed_out(const struct stream *s)
{
	struct timespec now;
	int64_t ms, limit = s->c->o.timeout_ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - s->start.tv_sec) * 1000 +
	    (now.tv_nsec - s->start.tv_nsec) / 1000000;
	if (limit <= 0 || ms < limit)
		return 0;
	if (limit % 1000 == 0)
		osb_warnx(PROG, "the command timed out after %llds",
		    (long long)(limit / 1000));
	else
		osb_warnx(PROG, "the command timed out after %lldms",
		    (long long)limit);
	return 1;
}

/*
 * How a foreground run ends: the command's status; 128+N after signal N
 * (once the interrupt has gone out); our own output failing stops the
 * command too (a reader that went away is the SIGPIPE a shell would see).
 */
static int
finish_stream(struct stream *s, int rc, const struct osb_error *err)
{
	struct osb_error ierr = { 0 };

	if (got_signal)
		return 128 + got_signal;
	if (s->write_errno != 0) {
		if (s->id[0] != '\0')
			osb_execd_interrupt(&s->c->ep, s->id, &ierr);
		if (s->write_errno == EPIPE)
			return 128 + SIGPIPE;
		osb_warnx(PROG, "output: %s", strerror(s->write_errno));
		return EXIT_OSB;
	}
	if (s->status == 128 + SIGKILL && timed_out(s))
		return EXIT_TIMED_OUT;
	if (s->status >= 0)
		return s->status;
	if (rc == -1 && s->started && err->status == 0) {
		osb_warnx(PROG, "%s: the sandbox or its execd went away before "
		    "the command ended", s->c->operands[0]);
		return EXIT_OSB;
	}
	if (rc == -1)
		return fail(s->c, err, EXIT_OSB);
	osb_warnx(PROG, "%s: the stream ended before the command did",
	    s->c->ep.base);
	return EXIT_OSB;
}

/* COMMAND [ARG...] as the one command line the server runs. */
static char *
command_line(const struct ctx *c)
{
	if (c->ncommand == 1)
		return strdup(c->command[0]);
	return osb_shell_join(c->ncommand, c->command);
}

/* -d: the init event carries the id; that is all there is to wait for. */
static int
on_background_event(json_t *ev, void *arg)
{
	struct stream *s = arg;
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *text = json_string_value(json_object_get(ev, "text"));

	if (type == NULL || strcmp(type, "init") != 0 || text == NULL)
		return 0;
	strlcpy(s->id, text, sizeof(s->id));
	return -1;
}

/* Print the id of a command or session: a line, or {"key": id}. */
static int
print_id(const struct ctx *c, const char *key, const char *id)
{
	json_t *doc;
	int rc;

	if (c->cfg.format == OSB_TABLE || c->cfg.quiet)
		return printf("%s\n", id) < 0 ? -1 : 0;
	if ((doc = json_pack("{s:s}", key, id)) == NULL)
		return -1;
	rc = osb_print(stdout, c->cfg.format, doc, NULL, 0);
	json_decref(doc);
	return rc;
}

/* run -d: start the command, print its id. Returns the exit status. */
static int
run_background(struct ctx *c, const struct osb_execd_cmd *cmd)
{
	struct stream s = { .c = c, .status = -1 };
	struct osb_execd_stream st = { .on_event = on_background_event,
	    .arg = &s };
	struct osb_error err = { 0 };

	if (osb_execd_run(&c->ep, cmd, &st, &err) == -1 && s.id[0] == '\0')
		return fail(c, &err, 1);
	if (s.id[0] == '\0') {
		osb_warnx(PROG, "%s: no command id in the reply", c->ep.base);
		return 1;
	}
	return print_id(c, "id", s.id) == -1 ? 1 : 0;
}

/*
 * Show a stream in the foreground: cmd's, or with cmd NULL the run of the
 * command line in the SESSION operand. Returns the exit status.
 */
static int
run_foreground(struct ctx *c, const struct osb_execd_cmd *cmd)
{
	struct stream s = { .c = c, .status = -1 };
	struct osb_execd_stream st = { .on_event = on_event,
	    .on_idle = interrupt_if_asked, .arg = &s, .stop = &got_signal };
	struct osb_error err = { 0 };
	const char *session = c->operands[1];
	int rc;

	catch_signals();
	clock_gettime(CLOCK_MONOTONIC, &s.start);
	if (cmd != NULL) {
		rc = osb_execd_run(&c->ep, cmd, &st, &err);
	} else {
		/* A session's run is interrupted by the session's id. */
		strlcpy(s.id, session, sizeof(s.id));
		rc = osb_execd_session_run(&c->ep, session, c->line,
		    c->o.workdir, c->o.timeout_ms, &st, &err);
	}
	return finish_stream(&s, rc, &err);
}

/*
 * -i, -t, -it: the command on the execd's terminal API, wired to ours.
 * -it wants a terminal here to give.
 */
static int
run_interactive(struct ctx *c)
{
	struct osb_interactive opt = { .command = c->line,
	    .cwd = c->o.workdir, .envs = c->o.envs,
	    .forward_stdin = c->o.interactive, .tty = c->o.tty,
	    .term = getenv("TERM") };
	struct osb_error err = { 0 };
	int status = 0;

	if (c->o.interactive && c->o.tty && !isatty(STDIN_FILENO)) {
		osb_warnx(PROG, "-it: the input is not a terminal (use -i "
		    "alone for a pipe or a file)");
		return EXIT_OSB;
	}
	if (osb_interactive_run(&c->ep, &opt, &status, &err) < 0)
		return fail(c, &err, EXIT_OSB);
	return status;
}

/* run: in the foreground, or -d in the background; -i and -t interactive. */
static int
cmd_run(struct ctx *c)
{
	struct osb_execd_cmd cmd = {
		.command = c->line, .cwd = c->o.workdir,
		.background = c->o.background, .timeout_ms = c->o.timeout_ms,
		.uid = c->o.uid, .gid = c->o.gid, .envs = c->o.envs,
	};

	if (c->o.interactive || c->o.tty)
		return run_interactive(c);
	if (c->o.background)
		return run_background(c, &cmd);
	return run_foreground(c, &cmd);
}

/* session run: like a foreground run, in the session's shell. */
static int
cmd_session_run(struct ctx *c)
{
	return run_foreground(c, NULL);
}

/* The status of command ID into *doc. Returns 0, -1 after saying why. */
static int
fetch_status(struct ctx *c, json_t **doc)
{
	struct osb_error err = { 0 };

	if (osb_execd_status(&c->ep, c->operands[1], doc, &err) == -1)
		return fail(c, &err, -1);
	return 0;
}

static const struct osb_column status_columns[] = {
	{ "id", "id", NULL },
	{ "command", "content", NULL },
	{ "running", "running", NULL },
	{ "exit_code", "exit_code", NULL },
	{ "error", "error", NULL },
	{ "started", "started_at", NULL },
	{ "finished", "finished_at", NULL },
};

/* status: the status object in the chosen format. */
static int
cmd_status(struct ctx *c)
{
	json_t *doc;
	int rc;

	if (fetch_status(c, &doc) == -1)
		return 1;
	rc = osb_print(stdout, c->cfg.format, doc, status_columns,
	    sizeof(status_columns) / sizeof(status_columns[0]));
	json_decref(doc);
	return rc == -1 ? 1 : 0;
}

/*
 * Print a piece of log: the bytes as they are, or {"content", "cursor"}
 * (as a document, or one line per piece when following).
 */
static int
print_logs(const struct ctx *c, const char *text, size_t len, int64_t next)
{
	json_t *doc;
	char *utf8;
	int rc;

	if (c->cfg.format == OSB_TABLE) {
		if (fwrite(text, 1, len, stdout) != len || fflush(stdout) == EOF)
			return -1;
		return 0;
	}
	/* JSON text is UTF-8: other bytes become U+FFFD, as in the events. */
	if ((utf8 = osb_utf8_repair(text, len, &len)) == NULL)
		return -1;
	doc = json_pack("{s:s%, s:I}", "content", utf8, len, "cursor",
	    (json_int_t)next);
	free(utf8);
	if (doc == NULL)
		return -1;
	rc = c->o.follow ? osb_print_line(stdout, doc) :
	    osb_print(stdout, c->cfg.format, doc, NULL, 0);
	json_decref(doc);
	return rc == -1 || fflush(stdout) == EOF ? -1 : 0;
}

/* One logs call from *cursor on, printed; *cursor moves on. */
static int
logs_once(struct ctx *c, int64_t *cursor, size_t *got)
{
	struct osb_error err = { 0 };
	int64_t next;
	char *text;
	int rc;

	if (osb_execd_logs(&c->ep, c->operands[1], *cursor, &text, got,
	    &next, &err) == -1)
		return fail(c, &err, -1);
	rc = (*got > 0 || !c->o.follow) ? print_logs(c, text, *got, next) : 0;
	free(text);
	if (rc == -1) {
		osb_warnx(PROG, "stdout: %s", strerror(errno));
		return -1;
	}
	if (next >= 0)
		*cursor = next;
	return 0;
}

/*
 * Is the command still running? 1, 0 with its exit status in *status
 * (as a shell gives it: 128+N for a signal), -1 on error (said).
 */
static int
still_running(struct ctx *c, int *status)
{
	json_int_t code;
	json_t *doc;
	int running;

	if (fetch_status(c, &doc) == -1)
		return -1;
	running = json_is_true(json_object_get(doc, "running"));
	code = json_integer_value(json_object_get(doc, "exit_code"));
	*status = code >= 0 ? (int)(code & 0xff) : 1;
	json_decref(doc);
	return running;
}

/* Wait ms milliseconds. */
static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * logs -f: poll from the cursor until the command has ended, then exit
 * with its status, as the command would have. The status is asked before
 * the logs, so the read after "not running" has it all.
 */
static int
follow_logs(struct ctx *c)
{
	int64_t cursor = c->o.seen & OPT_CURSOR ? c->o.cursor : 0;
	int running, status = 0, wait_ms = FOLLOW_MIN_MS;
	size_t got;

	for (;;) {
		if ((running = still_running(c, &status)) == -1 ||
		    logs_once(c, &cursor, &got) == -1)
			return 1;
		if (!running)
			return status;
		wait_ms = got > 0 ? FOLLOW_MIN_MS : wait_ms * 2;
		if (wait_ms > FOLLOW_MAX_MS)
			wait_ms = FOLLOW_MAX_MS;
		sleep_ms(wait_ms);
	}
}

/* logs: the output so far (from --cursor), or -f until the end. */
static int
cmd_logs(struct ctx *c)
{
	int64_t cursor = c->o.seen & OPT_CURSOR ? c->o.cursor : -1;
	size_t got;

	if (c->o.follow)
		return follow_logs(c);
	return logs_once(c, &cursor, &got) == -1 ? 1 : 0;
}

/*
 * Hand the ID or SESSION operand to call; silent when it worked. Returns
 * the exit status.
 */
static int
call_quietly(struct ctx *c, int (*call)(const struct osb_endpoint *,
    const char *, struct osb_error *))
{
	struct osb_error err = { 0 };

	if (call(&c->ep, c->operands[1], &err) == -1)
		return fail(c, &err, 1);
	return 0;
}

/* interrupt: stop a running command. */
static int
cmd_interrupt(struct ctx *c)
{
	return call_quietly(c, osb_execd_interrupt);
}

/* session create: print the new session's id. */
static int
cmd_session_create(struct ctx *c)
{
	struct osb_error err = { 0 };
	char *id;
	int rc;

	if (osb_execd_session_create(&c->ep, c->o.workdir, &id, &err) == -1)
		return fail(c, &err, 1);
	rc = print_id(c, "session_id", id);
	free(id);
	return rc == -1 ? 1 : 0;
}

/* session rm: end the session's shell. */
static int
cmd_session_rm(struct ctx *c)
{
	return call_quietly(c, osb_execd_session_delete);
}

/* Settings and endpoint, then the subcommand. Returns the exit status. */
static int
run(struct ctx *c)
{
	struct osb_error err = { 0 };
	int failed = c->sub->takes_command && !c->o.background ? EXIT_OSB : 1;
	int rc;

	if (c->sub->takes_command && c->ncommand > 0 &&
	    (c->line = command_line(c)) == NULL) {
		osb_warnx(PROG, "out of memory");
		return EXIT_OSB;
	}
	if (osb_config_load(&c->cfg, &err) == -1 ||
	    osb_resolve_execd(&c->cfg, c->operands[0], &c->ep, &err) == -1)
		return fail(c, &err, failed);
	rc = c->sub->run(c);
	if (fflush(stdout) == EOF && rc == 0) {
		osb_warnx(PROG, "stdout: %s", strerror(errno));
		rc = failed;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct ctx c = { .o = { .uid = -1, .gid = -1, .cursor = -1 } };
	int rc;

	osb_hold_std_fds();
	if ((rc = parse_command_line(&c, argc, argv)) < 0 &&
	    (rc = check_usage(&c)) < 0)
		rc = run(&c);
	json_decref(c.o.envs);
	free(c.line);
	osb_endpoint_free(&c.ep);
	osb_config_free(&c.cfg);
	return rc;
}

/*
 * osb-code — run code in a sandbox's code interpreter: Python (or any
 * language with a Jupyter kernel there, and bash) in contexts that keep
 * their state between runs, with output streamed here, results printed
 * or saved, tracebacks on stderr; and the contexts themselves.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base64.h"
#include "buf.h"
#include "cli.h"
#include "code.h"
#include "config.h"
#include "http.h"
#include "output.h"
#include "resolve.h"
#include "util.h"

#define PROG			"osb-code"
#define DEFAULT_LANGUAGE	"python"

/* The options of subcommands, as bits for checking who may use which. */
enum {
	OPT_LANGUAGE = 1 << 0, OPT_CODE = 1 << 1, OPT_CONTEXT = 1 << 2,
	OPT_SAVE_DIR = 1 << 3, OPT_CWD = 1 << 4, OPT_ALL = 1 << 5
};

/* getopt values of the long-only ones. */
enum { LOPT_CONTEXT = OSB_OPT_FIRST_LOCAL, LOPT_SAVE_DIR, LOPT_CWD,
    LOPT_ALL };

struct opts {
	const char *language;		/* -l */
	const char *code;		/* -c */
	const char *context;		/* --context */
	const char *save_dir;		/* --save-dir */
	const char *cwd;		/* --cwd */
	int all;			/* --all */
	unsigned seen;			/* OPT_* bits given */
};

struct ctx {
	struct osb_config cfg;
	struct osb_endpoint ep;
	struct opts o;
	const struct subcommand *sub;
	char **operands;		/* SANDBOX, then the others */
	int noperands;
};

struct subcommand {
	const char *name;
	int (*run)(struct ctx *);
	int min, max;			/* operands, SANDBOX included */
	unsigned allowed;		/* OPT_* bits it takes */
	const char *synopsis;
	const char *missing;		/* what the first missing operand is */
};

/* A run's stream being shown. */
struct stream {
	struct ctx *c;
	char context[128];		/* from the init event */
	int status;			/* exit status once known, -1 before */
	int write_errno;		/* our stdout or stderr failed */
	int interrupted;		/* the interrupt has been sent */
	int saved;			/* results saved so far, for names */
};

static volatile sig_atomic_t got_signal;

static const struct option long_options[] = {
	OSB_GLOBAL_OPTIONS,
	{ "language", required_argument, NULL, 'l' },
	{ "code", required_argument, NULL, 'c' },
	{ "context", required_argument, NULL, LOPT_CONTEXT },
	{ "save-dir", required_argument, NULL, LOPT_SAVE_DIR },
	{ "cwd", required_argument, NULL, LOPT_CWD },
	{ "all", no_argument, NULL, LOPT_ALL },
	{ NULL, 0, NULL, 0 }
};

static const struct osb_cli_flag option_names[] = {
	{ OPT_LANGUAGE, "-l/--language" }, { OPT_CODE, "-c/--code" },
	{ OPT_CONTEXT, "--context" }, { OPT_SAVE_DIR, "--save-dir" },
	{ OPT_CWD, "--cwd" }, { OPT_ALL, "--all" }
};

static const char usage_text[] =
"usage: " PROG " [options] run SANDBOX [-l LANG] [--context ID] "
"[--save-dir DIR]\n"
"                [-c CODE | FILE]\n"
"       " PROG " [options] context create SANDBOX [-l LANG] [--cwd DIR]\n"
"       " PROG " [options] context list SANDBOX [-l LANG]\n"
"       " PROG " [options] context get SANDBOX ID\n"
"       " PROG " [options] context rm SANDBOX ID... | --all [-l LANG]\n"
"       " PROG " [options] interrupt SANDBOX CONTEXT\n"
"\n"
"Run code in a sandbox's code interpreter. SANDBOX is a sandbox id, a\n"
"unique prefix of one, or an execd URL (http://127.0.0.1:44772). The code\n"
"is CODE, the file FILE, or standard input (also FILE -). A context keeps\n"
"its state from one run to the next; without --context the code runs in\n"
"the language's default one. Output streams here as it is written; a\n"
"result's text is printed; an error's traceback goes to stderr and the\n"
"exit status is 1.\n"
"\n"
"Code options:\n"
"  -l, --language LANG   python (the default), bash, or another language\n"
"                        with a Jupyter kernel in the sandbox\n"
"  -c, --code CODE       run: the code to run\n"
"      --context ID      run: in this context\n"
"      --save-dir DIR    run: write images and other results that are not\n"
"                        text to files in DIR, and print their names\n"
"      --cwd DIR         context create: the working directory\n"
"      --all             context rm: every context (of LANG with -l)\n"
"  -o json               run: print the events as JSON lines\n"
"\n";

static int cmd_run(struct ctx *);
static int cmd_context_create(struct ctx *);
static int cmd_context_list(struct ctx *);
static int cmd_context_get(struct ctx *);
static int cmd_context_rm(struct ctx *);
static int cmd_interrupt(struct ctx *);

static const struct subcommand subcommands[] = {
	{ "run", cmd_run, 1, 2, OPT_LANGUAGE | OPT_CODE | OPT_CONTEXT |
	    OPT_SAVE_DIR, "run SANDBOX [-l LANG] [--context ID] "
	    "[--save-dir DIR] [-c CODE | FILE]", "SANDBOX" },
	{ "context create", cmd_context_create, 1, 1, OPT_LANGUAGE | OPT_CWD,
	    "context create SANDBOX [-l LANG] [--cwd DIR]", "SANDBOX" },
	{ "context list", cmd_context_list, 1, 1, OPT_LANGUAGE,
	    "context list SANDBOX [-l LANG]", "SANDBOX" },
	{ "context ls", cmd_context_list, 1, 1, OPT_LANGUAGE,
	    "context ls SANDBOX [-l LANG]", "SANDBOX" },
	{ "context get", cmd_context_get, 2, 2, 0, "context get SANDBOX ID",
	    "ID" },
	{ "context rm", cmd_context_rm, 1, -1, OPT_ALL | OPT_LANGUAGE,
	    "context rm SANDBOX ID... | --all [-l LANG]", "ID" },
	{ "context delete", cmd_context_rm, 1, -1, OPT_ALL | OPT_LANGUAGE,
	    "context delete SANDBOX ID... | --all [-l LANG]", "ID" },
	{ "interrupt", cmd_interrupt, 2, 2, 0, "interrupt SANDBOX CONTEXT",
	    "CONTEXT" },
};

#define NSUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))
#define NOPTION_NAMES (sizeof(option_names) / sizeof(option_names[0]))

/*
 * Print err, and how to give a token when the server wants one and none
 * was given. Returns 1.
 */
static int
fail(const struct ctx *c, const struct osb_error *err)
{
	osb_print_error(PROG, err);
	if (err->status == 401 && c->cfg.execd_token == NULL)
		osb_warnx(PROG, "%s wants an access token: give it with "
		    "--execd-token or OSB_EXECD_TOKEN", c->ep.base);
	return 1;
}

/* An option value must be text the API can carry. */
static int
take_text(const char **dst, const char *name, const char *arg,
    struct osb_error *err)
{
	if (!osb_utf8_valid(arg)) {
		osb_error_set(err, 0, "", "%s: '%s' is not valid UTF-8, which "
		    "the API cannot carry", name, arg);
		return -1;
	}
	*dst = arg;
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
	case 'l':
		o->seen |= OPT_LANGUAGE;
		return take_text(&o->language, "-l", value, err);
	case 'c':
		o->seen |= OPT_CODE;
		o->code = value;
		return 0;
	case LOPT_CONTEXT:
		o->seen |= OPT_CONTEXT;
		return take_text(&o->context, "--context", value, err);
	case LOPT_SAVE_DIR:
		o->seen |= OPT_SAVE_DIR;
		o->save_dir = value;
		return 0;
	case LOPT_CWD:
		o->seen |= OPT_CWD;
		return take_text(&o->cwd, "--cwd", value, err);
	case LOPT_ALL:
		o->seen |= OPT_ALL;
		o->all = 1;
		return 0;
	}
	osb_error_set(err, 0, "", "unknown option");
	return -1;
}

/* The subcommand called name ("context create"), or NULL. */
static const struct subcommand *
find_subcommand(const char *name)
{
	return osb_cli_lookup(subcommands, NSUBCOMMANDS,
	    sizeof(subcommands[0]), name);
}

/*
 * The subcommand word names: "run", "interrupt", or "context" with the
 * word after it (taken from argv). Returns the exit status of a usage
 * error, or -1 with c->sub set.
 */
static int
take_subcommand(struct ctx *c, const char *word, int argc, char **argv)
{
	char name[64];

	if (strcmp(word, "context") != 0) {
		if (strchr(word, ' ') || (c->sub = find_subcommand(word)) ==
		    NULL)
			return osb_print_usage_error(PROG, NULL, "unknown "
			    "command '%s' (run, context or interrupt)", word);
		return -1;
	}
	if (optind >= argc)
		return osb_print_usage_error(PROG, NULL, "context: missing "
		    "command (create, list, get or rm)");
	snprintf(name, sizeof(name), "context %s", argv[optind]);
	if (strchr(argv[optind], ' ') != NULL ||
	    (c->sub = find_subcommand(name)) == NULL)
		return osb_print_usage_error(PROG, NULL, "context: unknown "
		    "command '%s' (create, list, get or rm)", argv[optind]);
	optind++;
	return -1;
}

/*
 * The whole command line: the subcommand, its operands, options
 * anywhere. Returns -1 to go on, otherwise the exit status.
 */
static int
parse_command_line(struct ctx *c, int argc, char **argv)
{
	struct osb_cli cli = { OSB_CLI_SHORTOPTS("l:c:"), long_options,
	    &c->cfg, take_option, &c->o, 0 };
	struct osb_error err = { 0 };
	char *word;
	int rc;

	if ((c->operands = calloc((size_t)argc + 1, sizeof(char *))) == NULL) {
		osb_warnx(PROG, "out of memory");
		return 1;
	}
	while ((rc = osb_cli_next(&cli, argc, argv, &word, &err)) ==
	    OSB_CLI_OPERAND) {
		if (c->sub == NULL) {
			if ((rc = take_subcommand(c, word, argc, argv)) >= 0)
				return rc;
		} else if (c->sub->max >= 0 && c->noperands == c->sub->max)
			return osb_print_usage_error(PROG, c->sub->synopsis,
			    "%s: too many operands: '%s'", c->sub->name, word);
		else
			c->operands[c->noperands++] = word;
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
		return osb_print_usage_error(PROG, NULL, "missing command "
		    "(run, context or interrupt)");
	if (c->noperands < sub->min)
		return osb_print_usage_error(PROG, sub->synopsis, "%s: missing "
		    "%s", sub->name, c->noperands == 0 ? "SANDBOX" :
		    sub->missing);
	if ((misplaced = osb_cli_misplaced(c->o.seen, sub->allowed,
	    option_names, NOPTION_NAMES)) != NULL)
		return osb_print_usage_error(PROG, sub->synopsis, "%s: %s does "
		    "not apply", sub->name, misplaced);
	if (sub->run == cmd_run && c->o.code && c->noperands > 1)
		return osb_print_usage_error(PROG, sub->synopsis, "run: -c and "
		    "FILE both name the code: give one");
	if (sub->run == cmd_context_rm && (c->o.all == (c->noperands > 1)))
		return osb_print_usage_error(PROG, sub->synopsis, "%s: give "
		    "IDs or --all", sub->name);
	if (sub->run == cmd_context_rm && !c->o.all && c->o.language)
		return osb_print_usage_error(PROG, sub->synopsis, "%s: -l "
		    "goes with --all", sub->name);
	return -1;
}

/* A signal to stop: the first one interrupts the code, a second kills. */
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
 * for the stream wakes up at once; and take EPIPE over SIGPIPE.
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
 * Once a signal came and the context is known: interrupt what it runs,
 * once. The stream goes on to its end (the KeyboardInterrupt).
 */
static void
interrupt_if_asked(void *arg)
{
	struct stream *s = arg;
	struct osb_error err = { 0 };

	if (got_signal && s->context[0] != '\0' && !s->interrupted) {
		s->interrupted = 1;
		osb_code_interrupt(&s->c->ep, s->context, &err);
	}
}

/* Write len bytes of text to fd; -1 (errno kept in s) on failure. */
static int
put(struct stream *s, int fd, const char *text, size_t len)
{
	if (osb_write_all(fd, text, len) == -1) {
		s->write_errno = errno;
		return -1;
	}
	return 0;
}

/* Drop ANSI escape sequences (IPython colours its tracebacks). */
static void
strip_ansi(struct osb_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s != '\033') {
			osb_buf_append(b, s, 1);
			continue;
		}
		if (s[1] == '[')
			for (s += 2; *s && !(*s >= '@' && *s <= '~'); s++)
				;
		if (*s == '\0')
			break;
	}
}

/* An error event: its traceback (or "ename: evalue") on stderr. */
static int
show_error(struct stream *s, json_t *error)
{
	json_t *tb = json_object_get(error, "traceback"), *line;
	const char *ename, *evalue;
	struct osb_buf b = { 0 };
	size_t i;
	int rc;

	json_array_foreach(tb, i, line) {
		if (!json_is_string(line))
			continue;
		if (osb_color(stderr))
			osb_buf_append(&b, json_string_value(line),
			    json_string_length(line));
		else
			strip_ansi(&b, json_string_value(line));
		osb_buf_append(&b, "\n", 1);
	}
	if (b.len == 0) {
		ename = json_string_value(json_object_get(error, "ename"));
		evalue = json_string_value(json_object_get(error, "evalue"));
		osb_buf_append(&b, ename ? ename : "Error", strlen(ename ?
		    ename : "Error"));
		if (evalue && *evalue) {
			osb_buf_append(&b, ": ", 2);
			osb_buf_append(&b, evalue, strlen(evalue));
		}
		osb_buf_append(&b, "\n", 1);
	}
	rc = put(s, STDERR_FILENO, b.data ? b.data : "", b.len);
	osb_buf_free(&b);
	return rc;
}

/* The file name ending of a MIME type. */
static const char *
extension(const char *mime)
{
	static const char *const known[][2] = {
		{ "image/png", "png" }, { "image/jpeg", "jpg" },
		{ "image/gif", "gif" }, { "image/svg+xml", "svg" },
		{ "image/webp", "webp" }, { "text/html", "html" },
		{ "text/markdown", "md" }, { "text/latex", "tex" },
		{ "application/json", "json" }, { "application/pdf", "pdf" },
		{ "application/javascript", "js" },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(mime, known[i][0]) == 0)
			return known[i][1];
	return "out";
}

/* Is data of this MIME type base64 on the wire (binary)? */
static int
is_binary(const char *mime)
{
	return (strncmp(mime, "image/", 6) == 0 &&
	    strcmp(mime, "image/svg+xml") != 0) ||
	    strncmp(mime, "audio/", 6) == 0 || strncmp(mime, "video/", 6) == 0 ||
	    strcmp(mime, "application/pdf") == 0 ||
	    strcmp(mime, "application/octet-stream") == 0;
}

/* The bytes to save of a result's value for mime into b. */
static int
result_bytes(const char *mime, json_t *value, struct osb_buf *b)
{
	char *text;
	int rc;

	if (json_is_string(value) && is_binary(mime))
		return osb_base64_decode(json_string_value(value), b);
	if (json_is_string(value))
		return osb_buf_append(b, json_string_value(value),
		    json_string_length(value));
	if ((text = json_dumps(value, JSON_INDENT(2))) == NULL)
		return -1;
	rc = osb_buf_append(b, text, strlen(text));
	free(text);
	return rc;
}

/*
 * Write a result's value for mime to a new file in the save directory,
 * result-N.EXT, and print its name. Returns 0, -1 after saying why.
 */
static int
save_result(struct stream *s, const char *mime, json_t *value)
{
	struct osb_buf b = { 0 }, name = { 0 };
	char path[4096];
	int fd = -1, n, rc = -1;

	if (result_bytes(mime, value, &b) < 0) {
		osb_warnx(PROG, "result %s: not valid base64, not saved", mime);
		osb_buf_free(&b);
		return -1;
	}
	for (n = s->saved + 1; fd < 0 && n < s->saved + 100000; n++) {
		snprintf(path, sizeof(path), "%s/result-%d.%s",
		    s->c->o.save_dir, n, extension(mime));
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	s->saved = n - 1;
	if (fd < 0)
		osb_warnx(PROG, "%s: %s", path, strerror(errno));
	else if (osb_write_all(fd, b.data ? b.data : "", b.len) < 0 ||
	    close(fd) < 0)
		osb_warnx(PROG, "%s: %s", path, strerror(errno));
	else if (osb_buf_append(&name, path, strlen(path)) == 0 &&
	    osb_buf_append(&name, "\n", 1) == 0)
		rc = put(s, STDOUT_FILENO, name.data, name.len);
	osb_buf_free(&b);
	osb_buf_free(&name);
	return rc;
}

/*
 * A result event: its text on stdout (with a newline), the rest saved
 * with --save-dir or named on stderr.
 */
static int
show_result(struct stream *s, json_t *results)
{
	json_t *text = json_object_get(results, "text"), *value;
	const char *mime;
	int rc = 0;

	if (json_is_string(text) && (put(s, STDOUT_FILENO,
	    json_string_value(text), json_string_length(text)) < 0 ||
	    put(s, STDOUT_FILENO, "\n", 1) < 0))
		return -1;
	json_object_foreach(results, mime, value) {
		if (strcmp(mime, "text") == 0 || strcmp(mime, "text/plain") == 0)
			continue;
		if (s->c->o.save_dir == NULL)
			osb_warnx(PROG, "%s result not shown (--save-dir DIR "
			    "saves it)", mime);
		else if (save_result(s, mime, value) < 0)
			rc = s->write_errno ? -1 : 0;
	}
	return rc;
}

/*
 * Does a run print its events as JSON lines? Only when -o json is on
 * this command line: a format from the environment or the config file
 * is for documents.
 */
static int
events_as_json(const struct ctx *c)
{
	return c->cfg.format == OSB_JSON && (c->cfg.set & OSB_SET_FORMAT);
}

/* One event shown the plain way. */
static int
show_event(struct stream *s, const char *type, json_t *ev)
{
	json_t *text = json_object_get(ev, "text");

	if (strcmp(type, "stdout") == 0 || strcmp(type, "stderr") == 0)
		return put(s, strcmp(type, "stdout") == 0 ? STDOUT_FILENO :
		    STDERR_FILENO, json_string_value(text) ?
		    json_string_value(text) : "", json_string_length(text));
	if (strcmp(type, "result") == 0)
		return show_result(s, json_object_get(ev, "results"));
	if (strcmp(type, "error") == 0)
		return show_error(s, json_object_get(ev, "error"));
	return 0;
}

/* One event of the stream; reading stops at the one that ends the run. */
static int
on_event(json_t *ev, void *arg)
{
	struct stream *s = arg;
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *text = json_string_value(json_object_get(ev, "text"));

	if (type == NULL)
		type = "";
	if (events_as_json(s->c)) {
		if (osb_print_line(stdout, ev) == -1 || fflush(stdout) == EOF) {
			s->write_errno = errno;
			return -1;
		}
	} else if (show_event(s, type, ev) < 0 && s->write_errno)
		return -1;
	if (strcmp(type, "init") == 0 && text != NULL &&
	    s->context[0] == '\0')
		strlcpy(s->context, text, sizeof(s->context));
	else if (strcmp(type, "execution_complete") == 0)
		s->status = 0;
	else if (strcmp(type, "error") == 0)
		s->status = 1;
	interrupt_if_asked(s);
	return s->status >= 0 ? -1 : 0;
}

/* The code to run: -c, FILE, or stdin ("-" or none); NULL after saying
 * why. */
static char *
read_code(struct ctx *c)
{
	const char *file = c->noperands > 1 ? c->operands[1] : "-";
	struct osb_buf b = { 0 };
	char chunk[65536];
	ssize_t n;
	int fd;

	if (c->o.code)
		return strdup(c->o.code);
	if (strcmp(file, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		osb_warnx(PROG, "%s: %s", file, strerror(errno));
		return NULL;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || osb_buf_append(&b, chunk, (size_t)n) < 0) {
			osb_warnx(PROG, "%s: %s", strcmp(file, "-") ? file :
			    "stdin", n < 0 ? strerror(errno) : "out of memory");
			osb_buf_free(&b);
			b.data = NULL;
			break;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (b.data == NULL && n == 0 && (b.data = strdup("")) == NULL)
		osb_warnx(PROG, "out of memory");
	return b.data;
}

/* --save-dir: there, or made. 0, or -1 after saying why. */
static int
make_save_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		osb_warnx(PROG, "--save-dir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		osb_warnx(PROG, "--save-dir %s: not a directory", dir);
		return -1;
	}
	return 0;
}

/* How a run ends: its status, 128+N after signal N, 1 when the stream
 * broke off or our output failed. */
static int
finish_run(struct stream *s, int rc, const struct osb_error *err)
{
	if (got_signal)
		return 128 + got_signal;
	if (s->write_errno != 0) {
		if (s->write_errno == EPIPE)
			return 128 + SIGPIPE;
		osb_warnx(PROG, "output: %s", strerror(s->write_errno));
		return 1;
	}
	if (s->status >= 0)
		return s->status;
	if (rc == -1)
		return fail(s->c, err);
	osb_warnx(PROG, "%s: the stream ended before the code did",
	    s->c->ep.base);
	return 1;
}

/* run: the code, in the foreground. */
static int
cmd_run(struct ctx *c)
{
	struct stream s = { .c = c, .status = -1 };
	struct osb_execd_stream st = { .on_event = on_event,
	    .on_idle = interrupt_if_asked, .arg = &s };
	struct osb_code_run run = { .context = c->o.context,
	    .language = c->o.language ? c->o.language : DEFAULT_LANGUAGE };
	struct osb_error err = { 0 };
	char *code;
	int rc;

	if (c->o.save_dir && make_save_dir(c->o.save_dir) < 0)
		return 1;
	if ((code = read_code(c)) == NULL)
		return 1;
	run.code = code;
	if (c->o.context)
		strlcpy(s.context, c->o.context, sizeof(s.context));
	catch_signals();
	rc = osb_code_run(&c->ep, &run, &st, &err);
	free(code);
	return finish_run(&s, rc, &err);
}

static const struct osb_column context_columns[] = {
	{ "id", "id", NULL },
	{ "language", "language", NULL },
	{ "state", "state", NULL },
};
#define NCONTEXT_COLUMNS (sizeof(context_columns) / sizeof(context_columns[0]))

/* Print a context or a list of them: ids alone with -q. */
static int
print_contexts(const struct ctx *c, const json_t *doc)
{
	const json_t *one;
	size_t i;

	if (c->cfg.quiet) {
		if (json_is_object(doc))
			return printf("%s\n", json_string_value(json_object_get(
			    doc, "id"))) < 0 ? -1 : 0;
		json_array_foreach(doc, i, one)
			if (printf("%s\n", json_string_value(json_object_get(
			    one, "id"))) < 0)
				return -1;
		return 0;
	}
	return osb_print(stdout, c->cfg.format, doc, context_columns,
	    NCONTEXT_COLUMNS);
}

/* context create: the new context's id (the whole of it with -o). */
static int
cmd_context_create(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *doc;
	int rc;

	if (osb_code_context_create(&c->ep, c->o.language ? c->o.language :
	    DEFAULT_LANGUAGE, c->o.cwd, &doc, &err) == -1)
		return fail(c, &err);
	if (c->cfg.format == OSB_TABLE || c->cfg.quiet)
		rc = printf("%s\n", json_string_value(json_object_get(doc,
		    "id"))) < 0 ? -1 : 0;
	else
		rc = osb_print(stdout, c->cfg.format, doc, NULL, 0);
	json_decref(doc);
	return rc == -1 ? 1 : 0;
}

/* context list: the contexts, of -l's language or all. */
static int
cmd_context_list(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *doc;
	int rc;

	if (osb_code_context_list(&c->ep, c->o.language, &doc, &err) == -1)
		return fail(c, &err);
	rc = print_contexts(c, doc);
	json_decref(doc);
	return rc == -1 ? 1 : 0;
}

/* context get: one context. */
static int
cmd_context_get(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *doc;
	int rc;

	if (osb_code_context_get(&c->ep, c->operands[1], &doc, &err) == -1)
		return fail(c, &err);
	rc = print_contexts(c, doc);
	json_decref(doc);
	return rc == -1 ? 1 : 0;
}

/* context rm --all without -l: every context, one by one. */
static int
rm_every_context(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *list, *one;
	size_t i;
	int rc = 0;

	if (osb_code_context_list(&c->ep, NULL, &list, &err) == -1)
		return fail(c, &err);
	json_array_foreach(list, i, one) {
		/* Gone meanwhile is gone all the same. */
		if (osb_code_context_delete(&c->ep, json_string_value(
		    json_object_get(one, "id")), &err) == -1 &&
		    err.status != 404)
			rc = fail(c, &err);
	}
	json_decref(list);
	return rc;
}

/* context rm: the IDs given, or --all (of -l's language). */
static int
cmd_context_rm(struct ctx *c)
{
	struct osb_error err = { 0 };
	int i, rc = 0;

	if (c->o.all && c->o.language == NULL)
		return rm_every_context(c);
	if (c->o.all) {
		if (osb_code_context_delete_language(&c->ep, c->o.language,
		    &err) == -1)
			return fail(c, &err);
		return 0;
	}
	for (i = 1; i < c->noperands; i++)
		if (osb_code_context_delete(&c->ep, c->operands[i], &err) == -1)
			rc = fail(c, &err);
	return rc;
}

/* interrupt: what the context runs. */
static int
cmd_interrupt(struct ctx *c)
{
	struct osb_error err = { 0 };

	if (osb_code_interrupt(&c->ep, c->operands[1], &err) == -1)
		return fail(c, &err);
	return 0;
}

/* Settings and endpoint, then the subcommand. Returns the exit status. */
static int
run(struct ctx *c)
{
	struct osb_error err = { 0 };
	int rc;

	if (osb_config_load(&c->cfg, &err) == -1 ||
	    osb_resolve_execd(&c->cfg, c->operands[0], &c->ep, &err) == -1)
		return fail(c, &err);
	rc = c->sub->run(c);
	if (fflush(stdout) == EOF && rc == 0) {
		osb_warnx(PROG, "stdout: %s", strerror(errno));
		rc = 1;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct ctx c = { 0 };
	int rc;

	osb_hold_std_fds();
	if ((rc = parse_command_line(&c, argc, argv)) < 0 &&
	    (rc = check_usage(&c)) < 0)
		rc = run(&c);
	free(c.operands);
	osb_endpoint_free(&c.ep);
	osb_config_free(&c.cfg);
	return rc;
}

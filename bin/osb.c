/*
 * osb — the front door. `osb GROUP [ARG...]` runs the program osb-GROUP
 * (as git runs git-COMMAND), found in the directory osb itself runs from,
 * else on PATH, passing on the options given before GROUP; `osb config`
 * creates, shows and changes the config file itself. The groups are the
 * Python osb CLI's where a program of ours does their work.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "config_file.h"
#include "output.h"
#include "util.h"

#define PROG		"osb"
#define EXIT_CANNOT_RUN	126	/* found, but it would not start */
#define EXIT_NOT_FOUND	127	/* as a shell says of a command */
#define MAX_OPERANDS	2	/* config set KEY VALUE */

/* getopt value of --force. */
enum { LOPT_FORCE = OSB_OPT_FIRST_LOCAL };

/* A command of osb: the program that does it, or NULL for osb's own. */
struct group {
	const char *name;
	const char *program;
};

struct ctx {
	struct osb_config cfg;
	int force;			/* --force */
	const char *config_cmd;		/* init, show or set */
	char *operands[MAX_OPERANDS];	/* of config set */
	int noperands;
};

static const struct group groups[] = {
	{ "sandbox", "osb-sandbox" },
	{ "exec", "osb-exec" },
	{ "command", "osb-exec" },
	{ "file", "osb-file" },
	{ "code", "osb-code" },
	{ "policy", "osb-policy" },
	{ "egress", "osb-policy" },
	{ "config", NULL },
	{ "help", NULL },
};

#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static const struct option long_options[] = {
	OSB_GLOBAL_OPTIONS,
	{ "force", no_argument, NULL, LOPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

static const char usage_text[] =
"usage: " PROG " [options] COMMAND [ARG...]\n"
"       " PROG " [options] config init [--force]\n"
"       " PROG " [options] config show\n"
"       " PROG " [options] config set KEY VALUE\n"
"       " PROG " [options] help [COMMAND]\n"
"\n"
"The OpenSandbox command line. Each COMMAND but config and help is a\n"
"program of its own, osb-COMMAND, run with the options given before\n"
"COMMAND and the arguments after it; it is looked for in the directory\n"
"osb runs from, then on PATH. 'osb help COMMAND' shows its help.\n"
"\n"
"Commands:\n"
"  sandbox   create, list, pause, resume and kill sandboxes (osb-sandbox)\n"
"  exec      run commands in a sandbox (osb-exec)\n"
"  command   the same as exec\n"
"  file      move and change files in a sandbox (osb-file)\n"
"  code      run code in a sandbox's interpreters (osb-code)\n"
"  policy    a sandbox's network egress policy (osb-policy)\n"
"  egress    the same as policy\n"
"  config    create, show and change the config file\n"
"  help      show the help of a command\n"
"\n"
"Config commands:\n"
"  init      write a config file with every key commented out\n"
"  show      print the settings in effect, the API key masked\n"
"  set       set SECTION.KEY (connection.domain...) to VALUE\n"
"\n"
"Config options:\n"
"      --force               init: replace an existing file\n"
"\n";

/* The command called name, or NULL. */
static const struct group *
find_group(const char *name)
{
	return osb_cli_lookup(groups, NGROUPS, sizeof(groups[0]), name);
}

/* Record --force (an osb_cli take callback). */
static int
take_option(void *arg, int opt, const char *value, struct osb_error *err)
{
	struct ctx *c = arg;

	if (opt == LOPT_FORCE) {
		c->force = 1;
		return 0;
	}
	osb_error_set(err, 0, "", "unknown option");
	return -1;
}

/*
 * The path of program in the directory this osb runs from, when it can
 * be run; NULL otherwise. Returns malloc'd text.
 */
static char *
sibling_program(const char *program)
{
	char self[PATH_MAX], *slash, *path;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return NULL;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return NULL;
	if (asprintf(&path, "%.*s/%s", (int)(slash - self), self,
	    program) == -1)
		return NULL;
	if (access(path, X_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/*
 * Run the program of group g with args (args[0] its name): the one next
 * to osb, else the one on PATH. Returns only when neither would run, with
 * the exit status after saying why.
 */
static int
run_program(const struct group *g, char **args)
{
	char *path;

	fflush(stdout);
	if ((path = sibling_program(g->program)) != NULL) {
		execv(path, args);
		osb_warnx(PROG, "cannot run %s: %s", path, strerror(errno));
		free(path);
		return EXIT_CANNOT_RUN;
	}
	execvp(g->program, args);
	if (errno == ENOENT) {
		osb_warnx(PROG, "'%s' is not installed (%s not found)", g->name,
		    g->program);
		return EXIT_NOT_FOUND;
	}
	osb_warnx(PROG, "cannot run %s: %s", g->program, strerror(errno));
	return EXIT_CANNOT_RUN;
}

/*
 * Run group g's program with the options osb was given before the group
 * (argv[1] up to the group at argv[at], less a "--" that ended them) and
 * the words after it. Returns only on failure, with the exit status.
 */
static int
pass_on(const struct group *g, int argc, char **argv, int at, int dashdash)
{
	char **args;
	int i, n = 0, rc;

	if ((args = reallocarray(NULL, (size_t)argc + 1, sizeof(*args))) ==
	    NULL) {
		osb_warnx(PROG, "out of memory");
		return 1;
	}
	args[n++] = (char *)g->program;
	for (i = 1; i < at - dashdash; i++)
		args[n++] = argv[i];
	for (i = at + 1; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	rc = run_program(g, args);
	free(args);
	return rc;
}

/*
 * help [COMMAND]: osb's own help, or the program's (its --help).
 * Returns the exit status when it does not run a program.
 */
static int
help(int argc, char **argv)
{
	const struct group *g;
	char *args[3];

	if (optind < argc - 1)
		return osb_print_usage_error(PROG, "help [COMMAND]", "help: "
		    "too many operands: '%s'", argv[optind + 1]);
	if (optind == argc)
		return osb_print_cli_end(PROG, usage_text, OSB_CLI_HELP, NULL);
	if ((g = find_group(argv[optind])) == NULL)
		return osb_print_usage_error(PROG, NULL, "help: unknown "
		    "command '%s'", argv[optind]);
	if (g->program == NULL)
		return osb_print_cli_end(PROG, usage_text, OSB_CLI_HELP, NULL);
	args[0] = (char *)g->program;
	args[1] = "--help";
	args[2] = NULL;
	return run_program(g, args);
}

/*
 * The rest of `osb config ...`: the subcommand, its operands and options
 * anywhere among them. Returns -1 to go on, otherwise the exit status.
 */
static int
parse_config(struct ctx *c, struct osb_cli *cli, int argc, char **argv)
{
	struct osb_error err = { 0 };
	char *word;
	int rc;

	while ((rc = osb_cli_next(cli, argc, argv, &word, &err)) ==
	    OSB_CLI_OPERAND) {
		if (c->config_cmd == NULL) {
			if (strcmp(word, "init") != 0 &&
			    strcmp(word, "show") != 0 &&
			    strcmp(word, "set") != 0)
				return osb_print_usage_error(PROG, NULL,
				    "config: unknown command '%s' (init, show "
				    "or set)", word);
			c->config_cmd = word;
		} else if (c->noperands == MAX_OPERANDS ||
		    strcmp(c->config_cmd, "set") != 0) {
			return osb_print_usage_error(PROG, NULL, "config %s: "
			    "too many operands: '%s'", c->config_cmd, word);
		} else {
			c->operands[c->noperands++] = word;
		}
	}
	return rc == OSB_CLI_END ? -1 :
	    osb_print_cli_end(PROG, usage_text, rc, &err);
}

/* Do the config command's operands and options fit it? -1, or 2. */
static int
check_config(const struct ctx *c)
{
	if (c->config_cmd == NULL)
		return osb_print_usage_error(PROG, NULL, "config: missing "
		    "command (init, show or set)");
	if (strcmp(c->config_cmd, "set") == 0 && c->noperands < 2)
		return osb_print_usage_error(PROG, "config set KEY VALUE",
		    "config set: missing %s", c->noperands ? "VALUE" : "KEY");
	if (c->force && strcmp(c->config_cmd, "init") != 0)
		return osb_print_usage_error(PROG, NULL, "config %s: --force "
		    "does not apply", c->config_cmd);
	return -1;
}

/*
 * Say how init or set went: the message as a line, or as {"status",
 * "message"} (the Python CLI's shape) in json and yaml; nothing with -q.
 */
static int
report(const struct ctx *c, const char *status, const char *message)
{
	json_t *doc;
	int rc;

	if (c->cfg.format == OSB_TABLE)
		return c->cfg.quiet || printf("%s\n", message) >= 0 ? 0 : -1;
	if ((doc = json_pack("{s:s, s:s}", "status", status, "message",
	    message)) == NULL)
		return -1;
	rc = osb_print(stdout, c->cfg.format, doc, NULL, 0);
	json_decref(doc);
	return rc;
}

/*
 * The config file's path: --config, or the default one. Returns
 * malloc'd text, NULL after saying why.
 */
static char *
config_path(const struct ctx *c)
{
	char *path = c->cfg.config_path ? strdup(c->cfg.config_path) :
	    osb_config_default_path();

	if (path == NULL)
		osb_warnx(PROG, "no home directory for the config file: give "
		    "one with --config");
	return path;
}

/*
 * config init: the file, unless it exists (said, but not an error: the
 * Python CLI's way, which scripts that run it each time rely on).
 */
static int
config_init(struct ctx *c)
{
	struct osb_error err = { 0 };
	char msg[PATH_MAX + 64], *path;
	int rc;

	if ((path = config_path(c)) == NULL)
		return 1;
	rc = osb_config_file_init(path, c->force, &err);
	if (rc == 0) {
		snprintf(msg, sizeof(msg), "Config file created: %s", path);
		rc = report(c, "ok", msg);
	} else if (rc == 1 && c->cfg.format == OSB_TABLE) {
		osb_warnx(PROG, "%s exists; left as it is (--force replaces it)",
		    path);
		rc = 0;
	} else if (rc == 1) {
		snprintf(msg, sizeof(msg), "Config file already exists at %s. "
		    "Use --force to overwrite.", path);
		rc = report(c, "warning", msg);
	} else {
		osb_print_error(PROG, &err);
	}
	free(path);
	return rc == 0 ? 0 : 1;
}

/* config show: the settings in effect, from every source. */
static int
config_show(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *doc;
	int rc;

	if (osb_config_load(&c->cfg, &err) == -1) {
		osb_print_error(PROG, &err);
		return 1;
	}
	if ((doc = osb_config_describe(&c->cfg)) == NULL) {
		osb_warnx(PROG, "out of memory");
		return 1;
	}
	rc = osb_print(stdout, c->cfg.format, doc, NULL, 0);
	json_decref(doc);
	return rc == 0 ? 0 : 1;
}

/* config set KEY VALUE: the one line changed; an API key is not echoed. */
static int
config_set(struct ctx *c)
{
	struct osb_error err = { 0 };
	const char *key = c->operands[0], *value = c->operands[1];
	char *path, *shown, *msg;
	int rc;

	if ((path = config_path(c)) == NULL)
		return 1;
	rc = osb_config_file_set(path, key, value, &err);
	free(path);
	if (rc == -1) {
		osb_print_error(PROG, &err);
		return 1;
	}
	shown = strcmp(key, "connection.api_key") == 0 ?
	    osb_config_mask(value) : strdup(value);
	if (shown == NULL || asprintf(&msg, "Set %s = %s", key, shown) == -1) {
		free(shown);
		return 1;
	}
	rc = report(c, "ok", msg);
	free(msg);
	free(shown);
	return rc == 0 ? 0 : 1;
}

/*
 * osb config ...: init and set take only -o from the settings, so that
 * they work whatever the file, environment or a mistake in either says.
 */
static int
config(struct ctx *c, struct osb_cli *cli, int argc, char **argv)
{
	int rc;

	if ((rc = parse_config(c, cli, argc, argv)) >= 0 ||
	    (rc = check_config(c)) >= 0)
		return rc;
	if (strcmp(c->config_cmd, "init") == 0)
		rc = config_init(c);
	else if (strcmp(c->config_cmd, "show") == 0)
		rc = config_show(c);
	else
		rc = config_set(c);
	if (fflush(stdout) == EOF && rc == 0) {
		osb_warnx(PROG, "stdout: %s", strerror(errno));
		rc = 1;
	}
	return rc;
}

/*
 * The global options up to COMMAND, then COMMAND: run its program, or
 * config or help here. Returns the exit status.
 */
static int
dispatch(struct ctx *c, int argc, char **argv)
{
	struct osb_cli cli = { OSB_CLI_SHORTOPTS(""), long_options, &c->cfg,
	    take_option, c, 0 };
	struct osb_error err = { 0 };
	const struct group *g;
	char *word;
	int rc;

	if ((rc = osb_cli_next(&cli, argc, argv, &word, &err)) == OSB_CLI_END)
		return osb_print_usage_error(PROG, NULL, "missing command");
	if (rc != OSB_CLI_OPERAND)
		return osb_print_cli_end(PROG, usage_text, rc, &err);
	if ((g = find_group(word)) == NULL)
		return osb_print_usage_error(PROG, NULL, "unknown command '%s'",
		    word);
	if (strcmp(g->name, "config") == 0)
		return config(c, &cli, argc, argv);
	if (c->force)
		return osb_print_usage_error(PROG, NULL, "--force applies to "
		    "config init only");
	if (strcmp(g->name, "help") == 0)
		return help(argc, argv);
	return pass_on(g, argc, argv, optind - 1, cli.options_done);
}

int
main(int argc, char **argv)
{
	struct ctx c = { 0 };
	int rc;

	osb_hold_std_fds();
	rc = dispatch(&c, argc, argv);
	osb_config_free(&c.cfg);
	return rc;
}

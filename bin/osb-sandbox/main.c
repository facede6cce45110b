/*
 * osb-sandbox — sandbox lifecycle: create, list, get, kill, pause,
 * resume, renew, endpoint, health, metrics; and `serve`, this machine as
 * a lifecycle server. Sandboxes are this host's own (the local runtime)
 * unless a lifecycle server is configured.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "output.h"
#include "sandbox.h"
#include "serve.h"
#include "util.h"

/* getopt values of the long-only options. */
enum {
	LOPT_RESOURCE = OSB_OPT_FIRST_LOCAL, LOPT_ENTRYPOINT, LOPT_NETPOLICY,
	LOPT_VOLUMES, LOPT_EXTENSION, LOPT_SKIP_HEALTH, LOPT_READY_TIMEOUT,
	LOPT_AUTH_USER, LOPT_AUTH_PASS, LOPT_CRED_PROXY, LOPT_PAGE,
	LOPT_PAGE_SIZE, LOPT_WATCH, LOPT_RESUME_TIMEOUT
};

static const struct option long_options[] = {
	OSB_GLOBAL_OPTIONS,
	{ "image", required_argument, NULL, 'i' },
	{ "timeout", required_argument, NULL, 't' },
	{ "env", required_argument, NULL, 'e' },
	{ "metadata", required_argument, NULL, 'm' },
	{ "resource", required_argument, NULL, LOPT_RESOURCE },
	{ "entrypoint", required_argument, NULL, LOPT_ENTRYPOINT },
	{ "network-policy-file", required_argument, NULL, LOPT_NETPOLICY },
	{ "volumes-file", required_argument, NULL, LOPT_VOLUMES },
	{ "extension", required_argument, NULL, LOPT_EXTENSION },
	{ "skip-health-check", no_argument, NULL, LOPT_SKIP_HEALTH },
	{ "ready-timeout", required_argument, NULL, LOPT_READY_TIMEOUT },
	{ "image-auth-username", required_argument, NULL, LOPT_AUTH_USER },
	{ "image-auth-password", required_argument, NULL, LOPT_AUTH_PASS },
	{ "credential-proxy", no_argument, NULL, LOPT_CRED_PROXY },
	{ "state", required_argument, NULL, 's' },
	{ "page", required_argument, NULL, LOPT_PAGE },
	{ "page-size", required_argument, NULL, LOPT_PAGE_SIZE },
	{ "all", no_argument, NULL, 'a' },
	{ "port", required_argument, NULL, 'p' },
	{ "watch", no_argument, NULL, LOPT_WATCH },
	{ "resume-timeout", required_argument, NULL, LOPT_RESUME_TIMEOUT },
	{ NULL, 0, NULL, 0 }
};

static const struct osb_cli_flag option_names[] = {
	{ OPT_IMAGE, "-i/--image" }, { OPT_TIMEOUT, "-t/--timeout" },
	{ OPT_ENV, "-e/--env" }, { OPT_METADATA, "-m/--metadata" },
	{ OPT_RESOURCE, "--resource" }, { OPT_ENTRYPOINT, "--entrypoint" },
	{ OPT_NETPOLICY, "--network-policy-file" },
	{ OPT_VOLUMES, "--volumes-file" }, { OPT_EXTENSION, "--extension" },
	{ OPT_SKIP_HEALTH, "--skip-health-check" },
	{ OPT_READY_TIMEOUT, "--ready-timeout" },
	{ OPT_AUTH_USER, "--image-auth-username" },
	{ OPT_AUTH_PASS, "--image-auth-password" },
	{ OPT_CRED_PROXY, "--credential-proxy" }, { OPT_STATE, "-s/--state" },
	{ OPT_PAGE, "--page" }, { OPT_PAGE_SIZE, "--page-size" },
	{ OPT_ALL, "-a/--all" }, { OPT_PORT, "-p/--port" },
	{ OPT_WATCH, "--watch" }, { OPT_RESUME_TIMEOUT, "--resume-timeout" },
};

#define CREATE_OPTS (OPT_IMAGE | OPT_TIMEOUT | OPT_ENV | OPT_METADATA | \
	OPT_RESOURCE | OPT_ENTRYPOINT | OPT_NETPOLICY | OPT_VOLUMES | \
	OPT_EXTENSION | OPT_SKIP_HEALTH | OPT_READY_TIMEOUT | OPT_AUTH_USER | \
	OPT_AUTH_PASS | OPT_CRED_PROXY)

static const struct command commands[] = {
	{ "create", cmd_create, 0, 0, CREATE_OPTS,
	    "create [-i IMAGE] [-t DURATION|none] [-e KEY=VALUE]... "
	    "[-m KEY=VALUE]... [--resource KEY=VALUE]... [--entrypoint ARG]... "
	    "[--network-policy-file FILE] [--volumes-file FILE] "
	    "[--extension KEY=VALUE]... [--skip-health-check] "
	    "[--ready-timeout DURATION]" },
	{ "list", cmd_list, 0, 0, OPT_STATE | OPT_METADATA | OPT_PAGE |
	    OPT_PAGE_SIZE | OPT_ALL,
	    "list [-s STATE]... [-m KEY=VALUE]... [--page N] [--page-size N] "
	    "[-a]" },
	{ "ls", cmd_list, 0, 0, OPT_STATE | OPT_METADATA | OPT_PAGE |
	    OPT_PAGE_SIZE | OPT_ALL,
	    "ls [-s STATE]... [-m KEY=VALUE]... [--page N] [--page-size N] "
	    "[-a]" },
	{ "get", cmd_get, 1, 1, 0, "get SANDBOX" },
	{ "kill", cmd_kill, 0, -1, OPT_ALL, "kill SANDBOX... | kill --all" },
	{ "pause", cmd_pause, 1, 1, 0, "pause SANDBOX" },
	{ "resume", cmd_resume, 1, 1, OPT_SKIP_HEALTH | OPT_RESUME_TIMEOUT,
	    "resume SANDBOX [--skip-health-check] [--resume-timeout DURATION]" },
	{ "renew", cmd_renew, 1, 1, OPT_TIMEOUT, "renew SANDBOX -t DURATION" },
	{ "endpoint", cmd_endpoint, 1, 1, OPT_PORT, "endpoint SANDBOX -p PORT" },
	{ "health", cmd_health, 1, 1, 0, "health SANDBOX" },
	{ "metrics", cmd_metrics, 1, 1, OPT_WATCH, "metrics SANDBOX [--watch]" },
	{ "image", cmd_image, 0, -1, OPT_AUTH_USER | OPT_AUTH_PASS,
	    "image pull IMAGE | image ls | image rm IMAGE... | image prune" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))
#define NOPTION_NAMES (sizeof(option_names) / sizeof(option_names[0]))

static const char usage_text[] =
"usage: " PROG " [options] create [-i IMAGE] [-t DURATION|none] [-q] ...\n"
"       " PROG " [options] list [-s STATE]... [-m KEY=VALUE]... [-a]\n"
"       " PROG " [options] get SANDBOX\n"
"       " PROG " [options] kill SANDBOX... | kill --all\n"
"       " PROG " [options] pause|resume|health SANDBOX\n"
"       " PROG " [options] renew SANDBOX -t DURATION\n"
"       " PROG " [options] endpoint SANDBOX -p PORT\n"
"       " PROG " [options] metrics SANDBOX [--watch]\n"
"       " PROG " [options] image pull IMAGE\n"
"       " PROG " [options] image ls\n"
"       " PROG " [options] image rm IMAGE...\n"
"       " PROG " [options] image prune\n"
"       " PROG " serve [--listen ADDR:PORT] [--api-key KEY] ... (serve --help)\n"
"\n"
"Create and manage sandboxes. Without a lifecycle server configured\n"
"(--domain, OPEN_SANDBOX_DOMAIN, the config file) they run on this host:\n"
"containers on an OCI runtime ($OSB_RUNTIME, default runc) with an\n"
"osb-execd each, state under $XDG_STATE_HOME/osb. SANDBOX is a sandbox\n"
"id or a unique prefix of one.\n"
"\n"
"Create options:\n"
"  -i, --image IMAGE          a registry image (pulled unless cached),\n"
"                             docker-archive:PATH, oci-archive:PATH, a\n"
"                             rootfs directory, or / for the host's\n"
"                             software (default: [defaults] image, else /)\n"
"  -t, --timeout DURATION     lifetime (10m, 1h), none for manual cleanup\n"
"                             (default: [defaults] timeout, else 10m)\n"
"  -e, --env KEY=VALUE        environment variable (repeatable)\n"
"  -m, --metadata KEY=VALUE   metadata (repeatable)\n"
"      --resource KEY=VALUE   resource limit: cpu=500m memory=512Mi pids=64\n"
"      --entrypoint ARG       entrypoint argv item (repeat for each word)\n"
"      --network-policy-file FILE  network policy JSON\n"
"      --volumes-file FILE    volumes JSON (an array of volume objects)\n"
"      --extension KEY=VALUE  extension parameter (repeatable)\n"
"      --image-auth-username USER, --image-auth-password PASSWORD\n"
"                             registry credentials (never stored here)\n"
"      --credential-proxy     credential vault proxy (remote servers)\n"
"      --skip-health-check    do not wait for the sandbox's execd\n"
"      --ready-timeout DURATION  how long to wait for it (default 30s)\n"
"\n"
"Other options:\n"
"  -s, --state STATE          list: only this state (repeatable: any of)\n"
"  -m, --metadata KEY=VALUE   list: only with this metadata (all given)\n"
"      --page N, --page-size N  list: one page (default 1, 20)\n"
"  -a, --all                  list: every page; kill: every sandbox\n"
"  -t, --timeout DURATION     renew: the new lifetime from now\n"
"  -p, --port PORT            endpoint: the sandbox's port\n"
"      --watch                metrics: a line per second until interrupted\n"
"      --skip-health-check    resume: do not wait for execd\n"
"      --resume-timeout DURATION  resume: how long to wait (default 30s)\n"
"      --image-auth-username USER, --image-auth-password PASSWORD\n"
"                             image pull: registry credentials\n"
"\n";

/* "KEY=VALUE" into object obj (made when NULL). 0, or -1 with err set. */
static int
take_pair(json_t **obj, const char *opt, const char *arg,
    struct osb_error *err)
{
	const char *eq = strchr(arg, '=');
	char *key;

	if (eq == NULL || eq == arg) {
		osb_error_set(err, 0, "", "%s: expected KEY=VALUE, got '%s'",
		    opt, arg);
		return -1;
	}
	if (!osb_utf8_valid(arg)) {
		osb_error_set(err, 0, "", "%s: '%s' is not valid UTF-8", opt,
		    arg);
		return -1;
	}
	if ((*obj == NULL && (*obj = json_object()) == NULL) ||
	    (key = strndup(arg, (size_t)(eq - arg))) == NULL) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	json_object_set_new(*obj, key, json_string(eq + 1));
	free(key);
	return 0;
}

/* Append a string to array *a (made when NULL). 0 or -1. */
static int
take_word(json_t **a, const char *opt, const char *arg, struct osb_error *err)
{
	if (!osb_utf8_valid(arg)) {
		osb_error_set(err, 0, "", "%s: '%s' is not valid UTF-8", opt,
		    arg);
		return -1;
	}
	if (*a == NULL)
		*a = json_array();
	json_array_append_new(*a, json_string(arg));
	return 0;
}

/* -m KEY=VALUE, kept as written: create makes it an object, list a
 * filter. */
static int
take_metadata(struct opts *o, const char *arg, struct osb_error *err)
{
	if (strchr(arg, '=') == NULL || *arg == '=') {
		osb_error_set(err, 0, "", "-m: expected KEY=VALUE, got '%s'",
		    arg);
		return -1;
	}
	return take_word(&o->metadata, "-m", arg, err);
}

/* -s STATE, any case, as the API spells it. */
static int
take_state(struct opts *o, const char *arg, struct osb_error *err)
{
	static const char *const states[] = { "Failed", "Paused", "Pausing",
	    "Pending", "Resuming", "Running", "Stopping", "Terminated" };
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcasecmp(arg, states[i]) == 0)
			return take_word(&o->states, "-s", states[i], err);
	osb_error_set(err, 0, "", "-s: invalid sandbox state '%s'. Valid "
	    "values: Failed, Paused, Pausing, Pending, Resuming, Running, "
	    "Stopping, Terminated", arg);
	return -1;
}

/* A number from min to max for option opt. */
static int
take_number(int *dst, const char *opt, const char *arg, int min, int max,
    struct osb_error *err)
{
	const char *errstr;

	*dst = (int)strtonum(arg, min, max, &errstr);
	if (errstr != NULL) {
		osb_error_set(err, 0, "", "%s: '%s' is not a number from %d to "
		    "%d", opt, arg, min, max);
		return -1;
	}
	return 0;
}

/* A duration for opt into *ms ("none" refused). */
static int
take_duration(int64_t *ms, const char *opt, const char *arg,
    struct osb_error *err)
{
	if (osb_duration_parse(arg, ms) == -1 || *ms == OSB_DURATION_NONE) {
		osb_error_set(err, 0, "", "%s: not a duration: '%s' (30s, 10m, "
		    "1h30m)", opt, arg);
		return -1;
	}
	return 0;
}

/* The bit of an option's getopt value. */
static unsigned
option_bit(int opt)
{
	switch (opt) {
	case 'i': return OPT_IMAGE;
	case 't': return OPT_TIMEOUT;
	case 'e': return OPT_ENV;
	case 'm': return OPT_METADATA;
	case 's': return OPT_STATE;
	case 'a': return OPT_ALL;
	case 'p': return OPT_PORT;
	case LOPT_RESOURCE: return OPT_RESOURCE;
	case LOPT_ENTRYPOINT: return OPT_ENTRYPOINT;
	case LOPT_NETPOLICY: return OPT_NETPOLICY;
	case LOPT_VOLUMES: return OPT_VOLUMES;
	case LOPT_EXTENSION: return OPT_EXTENSION;
	case LOPT_SKIP_HEALTH: return OPT_SKIP_HEALTH;
	case LOPT_READY_TIMEOUT: return OPT_READY_TIMEOUT;
	case LOPT_AUTH_USER: return OPT_AUTH_USER;
	case LOPT_AUTH_PASS: return OPT_AUTH_PASS;
	case LOPT_CRED_PROXY: return OPT_CRED_PROXY;
	case LOPT_PAGE: return OPT_PAGE;
	case LOPT_PAGE_SIZE: return OPT_PAGE_SIZE;
	case LOPT_WATCH: return OPT_WATCH;
	case LOPT_RESUME_TIMEOUT: return OPT_RESUME_TIMEOUT;
	}
	return 0;
}

/* Record one subcommand option (an osb_cli take callback). */
static int
take_option(void *arg, int opt, const char *value, struct osb_error *err)
{
	struct opts *o = arg;

	o->seen |= option_bit(opt);
	switch (opt) {
	case 'i': o->image = value; return 0;
	case 't': o->timeout = value; return 0;
	case 'e': return take_pair(&o->env, "-e", value, err);
	case 'm': return take_metadata(o, value, err);
	case 's': return take_state(o, value, err);
	case 'a': o->all = 1; return 0;
	case 'p': return take_number(&o->port, "-p", value, 1, 65535, err);
	case LOPT_RESOURCE: return take_pair(&o->resources, "--resource",
	    value, err);
	case LOPT_ENTRYPOINT: return take_word(&o->entrypoint, "--entrypoint",
	    value, err);
	case LOPT_NETPOLICY: o->network_policy_file = value; return 0;
	case LOPT_VOLUMES: o->volumes_file = value; return 0;
	case LOPT_EXTENSION: return take_pair(&o->extensions, "--extension",
	    value, err);
	case LOPT_SKIP_HEALTH: o->skip_health = 1; return 0;
	case LOPT_READY_TIMEOUT: return take_duration(&o->ready_timeout_ms,
	    "--ready-timeout", value, err);
	case LOPT_RESUME_TIMEOUT: return take_duration(&o->ready_timeout_ms,
	    "--resume-timeout", value, err);
	case LOPT_AUTH_USER: o->auth_user = value; return 0;
	case LOPT_AUTH_PASS: o->auth_pass = value; return 0;
	case LOPT_CRED_PROXY: o->credential_proxy = 1; return 0;
	case LOPT_PAGE: return take_number(&o->page, "--page", value, 1,
	    1000000, err);
	case LOPT_PAGE_SIZE: return take_number(&o->page_size, "--page-size",
	    value, 1, 1000000, err);
	case LOPT_WATCH: o->watch = 1; return 0;
	}
	osb_error_set(err, 0, "", "unknown option");
	return -1;
}

/* The subcommand called name, or NULL. */
static const struct command *
find_command(const char *name)
{
	return osb_cli_lookup(commands, NCOMMANDS, sizeof(commands[0]), name);
}

/*
 * The command line: options anywhere, the subcommand, its operands.
 * `serve` hands the rest of the line to serve_main. Returns -1 to go on,
 * otherwise the exit status.
 */
static int
parse_command_line(struct ctx *c, int argc, char **argv)
{
	struct osb_cli cli = { OSB_CLI_SHORTOPTS("i:t:e:m:s:ap:"), long_options,
	    &c->cfg, take_option, &c->o, 0 };
	struct osb_error err = { 0 };
	char *word;
	int rc;

	if ((c->operands = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		return 1;
	while ((rc = osb_cli_next(&cli, argc, argv, &word, &err)) ==
	    OSB_CLI_OPERAND) {
		if (c->cmd != NULL) {
			c->operands[c->noperands++] = word;
			continue;
		}
		if (strcmp(word, "serve") == 0)
			return serve_main(argc - optind + 1, argv + optind - 1);
		if ((c->cmd = find_command(word)) == NULL)
			return osb_print_usage_error(PROG, NULL, "unknown "
			    "command '%s'", word);
	}
	return rc == OSB_CLI_END ? -1 :
	    osb_print_cli_end(PROG, usage_text, rc, &err);
}

/* Do operands and options fit the subcommand? -1, or 2 after saying why. */
static int
check_usage(const struct ctx *c)
{
	const struct command *cmd = c->cmd;
	const char *misplaced;

	if (cmd == NULL)
		return osb_print_usage_error(PROG, NULL, "missing command "
		    "(create, list, get, kill, pause, resume, renew, endpoint, "
		    "health, metrics, image, serve)");
	if (c->noperands < cmd->min_operands)
		return osb_print_usage_error(PROG, cmd->synopsis, "%s: missing "
		    "SANDBOX", cmd->name);
	if (cmd->max_operands >= 0 && c->noperands > cmd->max_operands)
		return osb_print_usage_error(PROG, cmd->synopsis, "%s: too many "
		    "operands: '%s'", cmd->name, c->operands[cmd->max_operands]);
	if ((misplaced = osb_cli_misplaced(c->o.seen, cmd->allowed,
	    option_names, NOPTION_NAMES)) != NULL)
		return osb_print_usage_error(PROG, cmd->synopsis, "%s: %s does "
		    "not apply", cmd->name, misplaced);
	return -1;
}

/* Settings, the lifecycle client, then the subcommand. */
static int
run(struct ctx *c)
{
	struct osb_error err = { 0 };
	int rc;

	if (osb_config_load(&c->cfg, &err) == -1)
		return fail(&err);
	if ((c->lc = osb_lifecycle_open(&c->cfg, &err)) == NULL)
		return fail(&err);
	rc = c->cmd->run(c);
	if (fflush(stdout) == EOF && rc == 0) {
		osb_warnx(PROG, "stdout: write error");
		rc = 1;
	}
	return rc;
}

/* Release what the options hold. */
static void
opts_free(struct opts *o)
{
	json_decref(o->env);
	json_decref(o->metadata);
	json_decref(o->extensions);
	json_decref(o->resources);
	json_decref(o->entrypoint);
	json_decref(o->states);
}

/* Parse, check, run; the exit status of the subcommand. */
int
main(int argc, char **argv)
{
	struct ctx c = { .o = { .ready_timeout_ms = READY_TIMEOUT_MS } };
	int rc;

	osb_hold_std_fds();
	if ((rc = parse_command_line(&c, argc, argv)) < 0 &&
	    (rc = check_usage(&c)) < 0)
		rc = run(&c);
	osb_lifecycle_close(c.lc);
	opts_free(&c.o);
	free(c.operands);
	osb_config_free(&c.cfg);
	return rc;
}

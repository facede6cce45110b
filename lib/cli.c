/* cli.c — the command line, read the same way by every program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "util.h"

/* take_option: the option was applied, look for more. */
#define GO_ON	(-1)

const char osb_cli_global_help[] =
"Global options:\n"
"  -o, --output FORMAT       table, json or yaml (OPEN_SANDBOX_OUTPUT)\n"
"      --domain HOST[:PORT]  lifecycle server (OPEN_SANDBOX_DOMAIN)\n"
"      --protocol PROTO      http or https (OPEN_SANDBOX_PROTOCOL)\n"
"      --api-key KEY         lifecycle API key (OPEN_SANDBOX_API_KEY)\n"
"      --request-timeout S   seconds per request (OPEN_SANDBOX_REQUEST_TIMEOUT)\n"
"      --config PATH         config file (default ~/.opensandbox/config.toml)\n"
"      --execd-token TOKEN   execd access token (OSB_EXECD_TOKEN)\n"
"  -v, --verbose             trace HTTP requests on stderr\n"
"      --no-color            no colour, even on a terminal (NO_COLOR)\n"
"  -q, --quiet               print ids only\n"
"  -h, --help                print this help\n"
"      --version             print the version\n";

/* Replace *dst with a copy of arg. Returns 1 (applied), -1 out of memory. */
static int
take_string(char **dst, const char *arg, struct osb_error *err)
{
	char *copy;

	if ((copy = strdup(arg)) == NULL) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	free(*dst);
	*dst = copy;
	return 1;
}

/* -o FORMAT. */
static int
take_format(struct osb_config *cfg, const char *arg, struct osb_error *err)
{
	if (osb_format_parse(arg, &cfg->format) == -1) {
		osb_error_set(err, 0, "", "--output: unknown format '%s' "
		    "(table, json or yaml)", arg);
		return -1;
	}
	cfg->set |= OSB_SET_FORMAT;
	return 1;
}

/* --request-timeout SECS (a duration works too). */
static int
take_timeout(struct osb_config *cfg, const char *arg, struct osb_error *err)
{
	int64_t ms;

	if (osb_duration_parse(arg, &ms) == -1 || ms == OSB_DURATION_NONE) {
		osb_error_set(err, 0, "", "--request-timeout: not a number of "
		    "seconds: '%s'", arg);
		return -1;
	}
	cfg->request_timeout = (long)((ms + 999) / 1000);
	cfg->set |= OSB_SET_TIMEOUT;
	return 1;
}

/*
 * Apply global option opt with its argument to cfg. Returns 1 when it was
 * a global one, 0 when it is not, -1 when its argument is bad (err says
 * why).
 */
static int
take_global(struct osb_config *cfg, int opt, const char *arg,
    struct osb_error *err)
{
	switch (opt) {
	case 'o':
		return take_format(cfg, arg, err);
	case OSB_OPT_DOMAIN:
		return take_string(&cfg->domain, arg, err);
	case OSB_OPT_PROTOCOL:
		if (strcmp(arg, "http") != 0 && strcmp(arg, "https") != 0) {
			osb_error_set(err, 0, "", "--protocol: unknown protocol "
			    "'%s' (http or https)", arg);
			return -1;
		}
		return take_string(&cfg->protocol, arg, err);
	case OSB_OPT_API_KEY:
		return take_string(&cfg->api_key, arg, err);
	case OSB_OPT_REQUEST_TIMEOUT:
		return take_timeout(cfg, arg, err);
	case OSB_OPT_CONFIG:
		return take_string(&cfg->config_path, arg, err);
	case OSB_OPT_EXECD_TOKEN:
		return take_string(&cfg->execd_token, arg, err);
	case 'v':
		cfg->verbose = 1;
		return 1;
	case OSB_OPT_NO_COLOR:
		cfg->color = 0;
		cfg->set |= OSB_SET_COLOR;
		return 1;
	case 'q':
		cfg->quiet = 1;
		return 1;
	}
	return 0;
}

/*
 * The option a getopt complaint is about, in buf: a long option as it was
 * written (up to any "="), a short one as "-x" even inside "-qx", where
 * the word alone would not say which letter.
 */
static const char *
option_named(const char *word, char *buf, size_t len)
{
	if (strncmp(word, "--", 2) == 0)
		snprintf(buf, len, "%.*s", (int)strcspn(word, "="), word);
	else
		snprintf(buf, len, "-%c", optopt);
	return buf;
}

/*
 * One getopt_long result, opt, read from word (the word getopt was
 * reading): a global option, the program's own, or what ends the walk.
 * Returns GO_ON or an osb_cli_result.
 */
static int
take_option(struct osb_cli *cli, int opt, const char *word,
    struct osb_error *err)
{
	char name[128];
	int rc;

	switch (opt) {
	case 'h':
		return OSB_CLI_HELP;
	case OSB_OPT_VERSION:
		return OSB_CLI_VERSION;
	case '?':
		/* getopt names the option of "--flag=value" in optopt. */
		osb_error_set(err, 0, "", strncmp(word, "--", 2) == 0 &&
		    optopt != 0 ? "option '%s' takes no value" :
		    "unknown option '%s'",
		    option_named(word, name, sizeof(name)));
		return OSB_CLI_USAGE;
	case ':':
		osb_error_set(err, 0, "", "option '%s' needs a value",
		    option_named(word, name, sizeof(name)));
		return OSB_CLI_USAGE;
	}
	if ((rc = take_global(cli->cfg, opt, optarg, err)) == 0)
		rc = cli->take(cli->arg, opt, optarg, err) == 0 ? 1 : -1;
	return rc < 0 ? OSB_CLI_USAGE : GO_ON;
}

/* Is argv[optind] (still) an option to parse? Takes "--" as the end. */
static int
at_option(struct osb_cli *cli, int argc, char **argv)
{
	if (cli->options_done || optind >= argc)
		return 0;
	if (strcmp(argv[optind], "--") == 0) {
		optind++;
		cli->options_done = 1;
		return 0;
	}
	return argv[optind][0] == '-' && argv[optind][1] != '\0';
}

/*
 * getopt is only asked while an option is next: glibc's rewinds optind
 * when called at the end after a "--", so the end and "--" are ours to see.
 */
enum osb_cli_result
osb_cli_next(struct osb_cli *cli, int argc, char **argv, char **word,
    struct osb_error *err)
{
	const char *reading;
	int opt, rc;

	opterr = 0;
	while (at_option(cli, argc, argv)) {
		/* Inside "-abc" optind stays on the word until its end. */
		reading = argv[optind];
		if ((opt = getopt_long(argc, argv, cli->shortopts,
		    cli->longopts, NULL)) == -1)
			break;
		if ((rc = take_option(cli, opt, reading, err)) != GO_ON)
			return rc;
	}
	if (optind >= argc)
		return OSB_CLI_END;
	*word = argv[optind++];
	return OSB_CLI_OPERAND;
}

const void *
osb_cli_lookup(const void *table, size_t n, size_t size, const char *name)
{
	const char *entry = table;
	size_t i;

	for (i = 0; i < n; i++, entry += size)
		if (strcmp(*(const char *const *)(const void *)entry,
		    name) == 0)
			return entry;
	return NULL;
}

const char *
osb_cli_misplaced(unsigned given, unsigned allowed,
    const struct osb_cli_flag *flags, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((given & flags[i].bit) && !(allowed & flags[i].bit))
			return flags[i].name;
	return NULL;
}

/*
 * cli.h — the command line every program reads the same way: the global
 * options, so that each program's getopt_long table and --help say the
 * same thing, and a walker that takes options anywhere among the operands
 * until "--". A program appends its own options to OSB_GLOBAL_OPTIONS and
 * OSB_CLI_SHORTOPTS, and records them in its osb_cli take callback.
 *
 *   -o/--output FORMAT   --domain D   --protocol P   --api-key K
 *   --request-timeout S  --config PATH   --execd-token T   -v/--verbose
 *   --no-color   -q/--quiet   -h/--help   --version
 */
#ifndef OSB_CLI_H
#define OSB_CLI_H

#include <stddef.h>

#include <getopt.h>

#include "config.h"
#include "error.h"

/* Option values of the long-only globals (above any char). */
enum {
	OSB_OPT_DOMAIN = 0x100, OSB_OPT_PROTOCOL, OSB_OPT_API_KEY,
	OSB_OPT_REQUEST_TIMEOUT, OSB_OPT_CONFIG, OSB_OPT_EXECD_TOKEN,
	OSB_OPT_NO_COLOR, OSB_OPT_VERSION,
	OSB_OPT_FIRST_LOCAL = 0x200	/* programs number theirs from here */
};

/*
 * A program's getopt optstring: its own short options after the globals'
 * (-o, -v, -q, -h). "+" keeps getopt from reordering argv (the walker
 * finds the operands itself), ":" makes a missing value an error of its
 * own.
 */
#define OSB_CLI_SHORTOPTS(own)	"+:o:vqh" own

#define OSB_GLOBAL_OPTIONS \
	{ "output", required_argument, NULL, 'o' }, \
	{ "domain", required_argument, NULL, OSB_OPT_DOMAIN }, \
	{ "protocol", required_argument, NULL, OSB_OPT_PROTOCOL }, \
	{ "api-key", required_argument, NULL, OSB_OPT_API_KEY }, \
	{ "request-timeout", required_argument, NULL, OSB_OPT_REQUEST_TIMEOUT }, \
	{ "config", required_argument, NULL, OSB_OPT_CONFIG }, \
	{ "execd-token", required_argument, NULL, OSB_OPT_EXECD_TOKEN }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "no-color", no_argument, NULL, OSB_OPT_NO_COLOR }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, OSB_OPT_VERSION }

/* The lines --help prints for the global options. */
extern const char osb_cli_global_help[];

/* What osb_cli_next found. */
enum osb_cli_result {
	OSB_CLI_OPERAND,	/* the next operand */
	OSB_CLI_END,		/* the command line is used up */
	OSB_CLI_HELP,		/* -h/--help */
	OSB_CLI_VERSION,	/* --version */
	OSB_CLI_USAGE		/* a usage error, err says which */
};

/* A command line being walked; zero options_done before the first call. */
struct osb_cli {
	const char *shortopts;		/* OSB_CLI_SHORTOPTS("...") */
	const struct option *longopts;	/* OSB_GLOBAL_OPTIONS, then the own */
	struct osb_config *cfg;		/* where global options go */
	/* Record a program option. Returns 0, -1 with err set (a bad value). */
	int (*take)(void *arg, int opt, const char *value, struct osb_error *);
	void *arg;
	int options_done;		/* "--" was seen */
};

/*
 * Apply the options up to the next operand, then hand over that operand
 * in *word and step past it. Once "--" is seen, every word is an operand;
 * the operands not yet taken are argv[optind..argc-1]. Returns an
 * osb_cli_result; after OSB_CLI_HELP, _VERSION or _USAGE the walk is over.
 */
enum osb_cli_result osb_cli_next(struct osb_cli *, int argc, char **argv,
    char **word, struct osb_error *);

/*
 * The entry called name in a table of n entries, each size bytes and
 * starting with its name (a const char *); NULL when there is none.
 */
const void *osb_cli_lookup(const void *table, size_t n, size_t size,
    const char *name);

/* A program option's bit and the name usage errors call it by. */
struct osb_cli_flag {
	unsigned bit;
	const char *name;		/* "-m/--mode" */
};

/*
 * The name of the first of the n flags that is in given but not in
 * allowed (an option the subcommand does not take), NULL when all apply.
 */
const char *osb_cli_misplaced(unsigned given, unsigned allowed,
    const struct osb_cli_flag *, size_t n);

#endif

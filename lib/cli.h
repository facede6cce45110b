/*
 * cli.h — the global options every program accepts, so that each program's
 * getopt_long table and --help say the same thing. A program appends its own
 * options to OSB_GLOBAL_OPTIONS and hands any global one to
 * osb_cli_global_option().
 *
 *   -o/--output FORMAT   --domain D   --protocol P   --api-key K
 *   --request-timeout S  --config PATH   --execd-token T   -v/--verbose
 *   --no-color   -q/--quiet   -h/--help   --version
 */
#ifndef OSB_CLI_H
#define OSB_CLI_H

#include <getopt.h>

#include "config.h"

/* Option values of the long-only globals (above any char). */
enum {
	OSB_OPT_DOMAIN = 0x100, OSB_OPT_PROTOCOL, OSB_OPT_API_KEY,
	OSB_OPT_REQUEST_TIMEOUT, OSB_OPT_CONFIG, OSB_OPT_EXECD_TOKEN,
	OSB_OPT_NO_COLOR, OSB_OPT_VERSION,
	OSB_OPT_FIRST_LOCAL = 0x200	/* programs number theirs from here */
};

/* Short options of the globals, for a program's optstring. */
#define OSB_GLOBAL_SHORTOPTS "o:vqh"

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

/*
 * Apply global option opt (a getopt_long return) with its argument to cfg.
 * Returns 1 when opt was a global one and was applied, 0 when it is not a
 * global option, -1 when its argument is bad (err says why: a usage error).
 * -h and --version are left to the program (returns 0).
 */
int osb_cli_global_option(struct osb_config *, int opt, const char *arg,
    struct osb_error *);

/* The lines --help prints for the global options. */
extern const char osb_cli_global_help[];

#endif

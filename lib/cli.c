/* cli.c — the global options, applied the same way by every program. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "util.h"

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

int
osb_cli_global_option(struct osb_config *cfg, int opt, const char *arg,
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

/*
 * config.h — settings every program shares, from flags > environment >
 * config file (~/.opensandbox/config.toml) > defaults; and what `osb
 * config` needs to show them and to write the file (config_file.h).
 */
#ifndef OSB_CONFIG_H
#define OSB_CONFIG_H

#include <jansson.h>

#include "error.h"
#include "output.h"

struct osb_config {
	char *config_path;	/* --config, default ~/.opensandbox/config.toml */
	char *api_key;		/* [connection] api_key, OPEN_SANDBOX_API_KEY */
	char *domain;		/* [connection] domain, OPEN_SANDBOX_DOMAIN */
	char *protocol;		/* [connection] protocol: http or https */
	long request_timeout;	/* seconds; [connection] request_timeout */
	int use_server_proxy;	/* [connection] use_server_proxy,
				   OPEN_SANDBOX_USE_SERVER_PROXY */
	char *execd_token;	/* --execd-token, OSB_EXECD_TOKEN */
	enum osb_format format;	/* -o, OPEN_SANDBOX_OUTPUT, [output] format */
	int color;		/* [output] color, --no-color, NO_COLOR */
	char *default_image;	/* [defaults] image */
	char *default_timeout;	/* [defaults] timeout (a duration) */
	int verbose;		/* -v */
	int quiet;		/* -q: ids only */
	unsigned set;		/* OSB_SET_* bits: what flags gave */
};

#define OSB_SET_FORMAT	0x01
#define OSB_SET_COLOR	0x02
#define OSB_SET_TIMEOUT	0x04
#define OSB_SET_PROXY	0x08

/*
 * Fill in what flags did not set, from the environment, then the config
 * file, then defaults. A missing config file is fine; a malformed one is an
 * error naming the file and line.
 */
int osb_config_load(struct osb_config *, struct osb_error *);
void osb_config_free(struct osb_config *);

/*
 * ~/.opensandbox/config.toml, home from $HOME or else the password file.
 * Returns malloc'd text, NULL without a home.
 */
char *osb_config_default_path(void);

/*
 * The TOML text of value for key ("connection.domain"), typed as the key
 * wants it: a string quoted, a number of seconds or a boolean bare.
 * Returns malloc'd text, NULL with err set when key is not one of the
 * settings or value is not one it may have (said as the file reader
 * would, without file and line).
 */
char *osb_config_value_text(const char *key, const char *value,
    struct osb_error *);

/*
 * A secret with all but two characters at each end hidden (all of a
 * short one). Returns malloc'd text, NULL when out of memory.
 */
char *osb_config_mask(const char *secret);

/*
 * The loaded settings as one object, the API key masked, with where the
 * file is and whether it exists. Returns a new reference, NULL when out
 * of memory.
 */
json_t *osb_config_describe(const struct osb_config *);

#endif

/*
 * config.h — settings every program shares, from flags > environment >
 * config file (~/.opensandbox/config.toml) > defaults.
 */
#ifndef OSB_CONFIG_H
#define OSB_CONFIG_H

#include "error.h"
#include "output.h"

struct osb_config {
	char *config_path;	/* --config, default ~/.opensandbox/config.toml */
	char *api_key;		/* [connection] api_key, OPEN_SANDBOX_API_KEY */
	char *domain;		/* [connection] domain, OPEN_SANDBOX_DOMAIN */
	char *protocol;		/* [connection] protocol: http or https */
	long request_timeout;	/* seconds; [connection] request_timeout */
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

/*
 * Fill in what flags did not set, from the environment, then the config
 * file, then defaults. A missing config file is fine; a malformed one is an
 * error naming the file and line.
 */
int osb_config_load(struct osb_config *, struct osb_error *);
void osb_config_free(struct osb_config *);

#endif

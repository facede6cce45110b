/*
 * sandbox.h — what the files of osb-sandbox share: the parsed command
 * line, the lifecycle client, and the helpers every subcommand uses.
 */
#ifndef OSB_SANDBOX_H
#define OSB_SANDBOX_H

#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "error.h"
#include "http.h"
#include "lifecycle.h"

#define PROG		"osb-sandbox"
#define EXECD_PORT	44772
/* How long create and resume wait for Running and a healthy execd. */
#define READY_TIMEOUT_MS	30000

/* The options of subcommands, as bits for checking who takes which. */
enum {
	OPT_IMAGE = 1 << 0, OPT_TIMEOUT = 1 << 1, OPT_ENV = 1 << 2,
	OPT_METADATA = 1 << 3, OPT_RESOURCE = 1 << 4, OPT_ENTRYPOINT = 1 << 5,
	OPT_NETPOLICY = 1 << 6, OPT_VOLUMES = 1 << 7, OPT_EXTENSION = 1 << 8,
	OPT_SKIP_HEALTH = 1 << 9, OPT_READY_TIMEOUT = 1 << 10,
	OPT_AUTH_USER = 1 << 11, OPT_AUTH_PASS = 1 << 12,
	OPT_CRED_PROXY = 1 << 13, OPT_STATE = 1 << 14, OPT_PAGE = 1 << 15,
	OPT_PAGE_SIZE = 1 << 16, OPT_ALL = 1 << 17, OPT_PORT = 1 << 18,
	OPT_WATCH = 1 << 19, OPT_RESUME_TIMEOUT = 1 << 20
};

struct opts {
	const char *image;		/* -i */
	const char *timeout;		/* -t, as written */
	json_t *env;			/* -e: {"K": "V"} */
	json_t *metadata;		/* -m: ["K=V", ...] (create: an object) */
	json_t *extensions;		/* --extension: {"K": "V"} */
	json_t *resources;		/* --resource: {"K": "V"} */
	json_t *entrypoint;		/* --entrypoint: [...] */
	json_t *states;			/* -s: [...], canonical names */
	const char *network_policy_file, *volumes_file;
	const char *auth_user, *auth_pass;
	int64_t ready_timeout_ms;	/* --ready-timeout, --resume-timeout */
	int page, page_size;
	int port;			/* -p */
	int all, watch, skip_health, credential_proxy;
	unsigned seen;			/* OPT_* bits given */
};

struct ctx {
	struct osb_config cfg;
	struct opts o;
	const struct command *cmd;
	char **operands;		/* after the subcommand */
	int noperands;
	struct osb_lifecycle *lc;
};

struct command {
	const char *name;
	int (*run)(struct ctx *);
	int min_operands, max_operands;	/* max -1: any number */
	unsigned allowed;		/* OPT_* bits it takes */
	const char *synopsis;
};

/* Subcommands, each in the file named for what it does. */
int cmd_create(struct ctx *);
int cmd_list(struct ctx *);
int cmd_get(struct ctx *);
int cmd_kill(struct ctx *);
int cmd_pause(struct ctx *);
int cmd_resume(struct ctx *);
int cmd_renew(struct ctx *);
int cmd_endpoint(struct ctx *);
int cmd_health(struct ctx *);
int cmd_metrics(struct ctx *);
int cmd_image(struct ctx *);

/* Print err as this program's error. Returns 1 (the exit status). */
int fail(const struct osb_error *);
/* The full id of operand ref (an id or unique prefix) into *id (caller
 * frees). 0, or -1 after saying why. */
int resolve_id(struct ctx *, const char *ref, char **id);
/* Print doc in the chosen format (a table of fields or rows). 0 or 1. */
int print_doc(const struct ctx *, const json_t *doc);
/* The Sandbox as table fields: status and image flattened. New ref. */
json_t *sandbox_view(const json_t *sb);
/* Does execd of sandbox id answer GET /ping? 0, or -1 with err set. */
int ping_execd(struct ctx *, const char *id, struct osb_error *);
/*
 * Wait up to ms for sandbox id to be Running (a remote server provisions
 * in the background), then, unless skip_health, for its execd to answer.
 * 0, or -1 with err set.
 */
int wait_ready(struct ctx *, const char *id, int64_t ms, int skip_health,
    struct osb_error *);
/* Sleep ms milliseconds. */
void sleep_ms(int ms);

#endif

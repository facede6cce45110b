/*
 * local_plan.h — a CreateSandboxRequest checked and turned into what the
 * local runtime does: the new sandbox's record, and a plan for its
 * supervisor (root layers, limits, mounts, network, argv and environment).
 */
#ifndef OSB_LOCAL_PLAN_H
#define OSB_LOCAL_PLAN_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "local_state.h"

/* resourceLimits the runtime enforces; 0: not asked for. */
struct local_limits {
	int64_t cpu_millis;	/* "500m" → 500, "2" → 2000 */
	int64_t memory;		/* bytes */
	int64_t pids;
};

/* A bind mount into the sandbox. */
struct local_mount {
	char source[PATH_MAX];	/* the volume on the host, real path */
	char sub[PATH_MAX];	/* subPath beneath it, "" for none */
	char target[PATH_MAX];	/* in the sandbox, absolute */
	int read_only;
};

struct local_plan {
	char lower[PATH_MAX];	/* an image's rootfs directory */
	int rootfs;		/* lower is one; else the host root */
	struct local_limits limits;
	int deny_net;		/* deny-all: nothing leaves the sandbox */
	json_t *egress;		/* a networkPolicy with rules, or NULL */
	int64_t timeout_ms;	/* 0: no expiry */
	struct local_mount *mounts;
	size_t nmounts;
	char **entrypoint;	/* NULL-ended */
	char **env;		/* NULL-ended KEY=VALUE, the request's env */
	char note[512];		/* for the Running status message */
	/* A pulled image's config, under the request's entrypoint and env. */
	json_t *image_args;	/* Entrypoint + Cmd, or NULL */
	json_t *image_env;	/* ["KEY=VALUE", ...], or NULL */
	char cwd[PATH_MAX];	/* WorkingDir; "" for / */
	long uid, gid;		/* User, resolved; 0: root */
	char image_digest[80];	/* the manifest's; "" for a directory */
};

/*
 * Check request; on success return the record of sandbox id (Pending)
 * and fill plan. NULL with err set (400 INVALID_REQUEST and what is
 * wrong) otherwise. Named volumes are created here.
 */
json_t *local_plan_make(const struct osb_local *, const json_t *request,
    const char *id, struct local_plan *, struct osb_error *);
void local_plan_free(struct local_plan *);

/* A quantity of resourceLimits: "500m"/"2" cores to millicores, "512Mi"
 * to bytes. 0, or -1 when s is not one. */
int local_parse_cpu(const char *s, int64_t *millis);
int local_parse_memory(const char *s, int64_t *bytes);

#endif

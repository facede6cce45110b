/*
 * local_bundle.h — the OCI bundle of a sandbox, written by its supervisor
 * once the root is built: config.json (see local_oci.h) from the plan,
 * with osb's programs and the volumes staged where the runtime reaches
 * them from inside the sandbox's user namespace.
 */
#ifndef OSB_LOCAL_BUNDLE_H
#define OSB_LOCAL_BUNDLE_H

#include <stddef.h>

#include "local_plan.h"
#include "local_state.h"

struct local_bundle {
	const struct osb_local *l;
	const struct local_plan *plan;
	const char *id;
	const char *token;		/* execd's */
	const char *stage;		/* local_root_build's */
	struct local_mount *vols;	/* its volumes: sources staged here */
	int rootless;
};

/* Stage the binds and write config.json in the working directory. 0, or
 * -1 with the reason in why. */
int local_bundle_write(const struct local_bundle *, char *why, size_t n);

#endif

/*
 * local_oci.h — the OCI runtime spec (config.json) of a sandbox: Docker's
 * defaults (its capability set, no_new_privs, its seccomp profile, masked
 * and read-only /proc and /sys paths, a minimal /dev), every namespace
 * including a user namespace of its own, cgroup limits, and the mounts.
 */
#ifndef OSB_LOCAL_OCI_H
#define OSB_LOCAL_OCI_H

#include <jansson.h>

#include "local_plan.h"

/* The host ids a sandbox's root and users are: LOCAL_ID_BASE up. */
#define LOCAL_ID_BASE	100000
#define LOCAL_ID_COUNT	65536

/* A bind mount of the host into the sandbox (osb's own programs). */
struct local_bind {
	const char *source, *target;
};

struct local_oci {
	const char *hostname;
	const char *rootfs;		/* absolute, on the host */
	char *const *args;		/* the init's command line */
	char *const *env;		/* KEY=VALUE, NULL-ended */
	const struct local_limits *limits;
	const struct local_mount *volumes;	/* sources on the host */
	size_t nvolumes;
	const struct local_bind *binds;	/* read-only, ending with NULL */
	const char *cgroups_path;	/* NULL: no cgroups here */
	const json_t *seccomp;		/* linux.seccomp, or NULL */
	unsigned id_base;		/* host uid/gid of the sandbox's 0 */
	/* Without root: the caller is already in a user namespace of its
	 * own, which the sandbox shares. */
	int rootless;
	const char *cwd;		/* the init's; NULL or "": / */
};

/* The spec as a JSON object. */
json_t *local_oci_config(const struct local_oci *);

#endif

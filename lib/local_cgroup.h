/*
 * local_cgroup.h — a sandbox's resource limits and its freezer: cgroup v1
 * (a group per controller, under the caller's own) or v2 (a group under
 * osb/ at the root of the unified tree), rlimits where neither is there.
 *
 * What was made is described by a JSON object kept in the record, so that
 * whoever cleans up later (the supervisor, or a CLI after the supervisor
 * died) finds it: {"version": 1, "dirs": [...], "freezer": DIR}.
 */
#ifndef OSB_LOCAL_CGROUP_H
#define OSB_LOCAL_CGROUP_H

#include <stddef.h>

#include <jansson.h>

#include "local_plan.h"

/*
 * Make the cgroups of sandbox id with limits set. Returns the description
 * (possibly with no dirs at all: no cgroups here); the limits it could
 * not set are named in note (appended) and left to local_rlimits_apply.
 * NULL when out of memory.
 */
json_t *local_cgroup_create(const char *id, struct local_limits *,
    char *note, size_t notelen);
/* Move the calling process into the cgroups. 0 or -1. */
int local_cgroup_join(const json_t *cg);
/* Freeze (on) or thaw the whole group and wait until it is so. 0; -1
 * when there is no freezer or it failed. */
int local_cgroup_freeze(const json_t *cg, int on);
/* Remove the cgroups (once their processes are gone). */
void local_cgroup_remove(const json_t *cg);
/* The limits left to rlimits (the ones cgroups did not take). */
void local_rlimits_apply(const struct local_limits *);

#endif

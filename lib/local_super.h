/*
 * local_super.h — the supervisor of a sandbox: a process of its own
 * (double-forked, in a session of its own, printing only to its log in the
 * sandbox's directory) that owns the sandbox's process tree. It brings
 * the sandbox up, then acts on signals from the CLI, which changes the
 * record first and signals after:
 *
 *   SIGTERM  kill: end the tree, remove the sandbox
 *   SIGUSR1  pause: freeze the tree (Pausing → Paused)
 *   SIGUSR2  resume: thaw it (Resuming → Running)
 *   SIGHUP   renew: read expiresAt again
 *
 * and ends the sandbox itself at expiresAt. Its death kills the tree;
 * readers then find it gone and mark the sandbox Failed.
 */
#ifndef OSB_LOCAL_SUPER_H
#define OSB_LOCAL_SUPER_H

#include <jansson.h>

#include "error.h"
#include "local_plan.h"
#include "local_state.h"

/*
 * Start the supervisor of the sandbox rec describes (Pending, with plan).
 * Returns the read end of a pipe on which it says "ok" once the sandbox
 * runs with execd answering, or why it failed; -1 with err set when it
 * could not even be started.
 */
int local_super_start(const struct osb_local *, const json_t *rec,
    const struct local_plan *, struct osb_error *);

/* The signals above, to the supervisor of rec. 0, -1 when it is gone. */
int local_super_signal(const json_t *rec, int sig);

/*
 * Clean up after a sandbox whose supervisor is gone: the runtime's
 * container (what is left of its processes, its cgroups). The record
 * stays.
 */
void local_super_reap(const struct osb_local *, const json_t *rec);

#endif

/*
 * local_spawn.h — the init of a sandbox: the first process of its pid
 * namespace. It builds the sandbox's root (an overlay on a private tmpfs,
 * its own /proc, /dev, /tmp, the volumes), starts osb-execd and the
 * entrypoint in it, reaps everything, and tells the supervisor when
 * execd or the entrypoint ends.
 */
#ifndef OSB_LOCAL_SPAWN_H
#define OSB_LOCAL_SPAWN_H

#include <sys/types.h>

#include <jansson.h>

#include "local_plan.h"

/* What init tells the supervisor, one write each. */
struct local_event {
	char kind;		/* LOCAL_EV_* */
	int status;		/* wait status of the process that ended */
	char text[240];		/* why setup or the entrypoint's exec failed */
};

#define LOCAL_EV_SETUP	'S'	/* the sandbox could not be set up */
#define LOCAL_EV_ENTRY	'E'	/* the entrypoint ended */
#define LOCAL_EV_EXECD	'X'	/* osb-execd ended */

struct local_spawn {
	const char *id;
	const char *sbdir;		/* the sandbox's directory, on the host */
	const struct local_plan *plan;
	const json_t *cgroup;		/* local_cgroup_create's description */
	struct local_limits rlimits;	/* the limits cgroups did not take */
	const char *execd;		/* osb-execd on the host */
	int port;			/* execd's port */
	const char *token;		/* execd's access token */
	int event_fd;			/* write end of the pipe to the supervisor */
	int userns;			/* in a user namespace of our own */
};

/* Be the sandbox's init; never returns. */
void local_init_main(const struct local_spawn *) __attribute__((noreturn));

#endif

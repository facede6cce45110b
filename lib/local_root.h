/*
 * local_root.h — the file system a sandbox sees, built by its init in a
 * mount namespace of its own: a tmpfs holding the overlay's upper and
 * work directories (so the sandbox's writes stay in memory and vanish
 * with it), the overlay over the host's / or an image's rootfs as the new
 * root, then /proc, /sys, /dev, /tmp and the volumes inside it.
 */
#ifndef OSB_LOCAL_ROOT_H
#define OSB_LOCAL_ROOT_H

#include <stddef.h>

#include "local_spawn.h"

/* Up to this many library directories osb-execd needs in a rootfs. */
#define LOCAL_MAX_LIBDIRS 8

/* How init starts osb-execd once the root is in place. */
struct local_execd_exec {
	int fd;			/* osb-execd opened on the host: execveat it */
	/* In an image's rootfs the host's loader runs it instead: */
	char loader[64];	/* "/.osb/ld.so", "" when not needed */
	char libpath[256];	/* its --library-path */
};

/*
 * Unshare the mount, uts and ipc namespaces, set the hostname, build the
 * root and pivot into it. Returns 0 with how to start execd in ex, or -1
 * with the reason in why.
 */
int local_root_build(const struct local_spawn *, struct local_execd_exec *ex,
    char *why, size_t whylen);

#endif

/*
 * local_ns.h — what a supervisor does to the host before its sandbox
 * starts, and the pause of a machine without a cgroup freezer: a user
 * namespace when not root, a network namespace of loopback alone, a free
 * loopback port, a signal to every process of a pid namespace.
 */
#ifndef OSB_LOCAL_NS_H
#define OSB_LOCAL_NS_H

#include <sys/types.h>

/* Become root of a user namespace of our own (uid and gid mapped to
 * ours), so that the other namespaces and mounts can be made. 0 or -1. */
int local_ns_user(void);
/* Move into a new network namespace with its loopback up. 0 or -1. */
int local_ns_net(void);
/* A loopback port nobody listens on now, or -1. */
int local_free_port(void);
/* Send sig to every process in the pid namespace whose init is init. */
void local_ns_signal_all(pid_t init, int sig);

#endif

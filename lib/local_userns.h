/*
 * local_userns.h — the local runtime without root: a user namespace of
 * the supervisor's own in which it is root (and the OCI runtime runs
 * rootless), and a pause by signals.
 */
#ifndef OSB_LOCAL_USERNS_H
#define OSB_LOCAL_USERNS_H

#include <sys/types.h>

/* Become root of a new user namespace mapping only our user and group,
 * where the root, the mounts and the runtime are ours to make. 0 or -1
 * (errno set). */
int local_userns_enter(void);
/* Send sig to every process in the pid namespace of init. */
void local_userns_signal_all(pid_t init, int sig);

#endif

/*
 * kernel_launch.h — starting a Jupyter kernel process from its
 * kernelspec: a private directory (mode 0700) holding the connection file
 * and the kernel's own output, five free loopback ports, and the process
 * in a session of its own that dies with the daemon.
 */
#ifndef EXECD_KERNEL_LAUNCH_H
#define EXECD_KERNEL_LAUNCH_H

#include <sys/types.h>

#include <stddef.h>

#include "kernel_spec.h"

/* The kernel's channels, in the order of the ports. */
enum { KCH_SHELL, KCH_IOPUB, KCH_STDIN, KCH_CONTROL, KCH_HB, KCH_N };

struct kernel_proc {
	pid_t pid;		/* leads its own session and group; 0: none */
	int pidfd;		/* readable once it exits; -1: none */
	char dir[512];		/* the private directory, "" when none */
	char key[65];		/* the HMAC key, hex */
	int port[KCH_N];	/* on 127.0.0.1 */
};

/*
 * Start the kernel of spec in cwd (NULL: ours), its stdout and stderr
 * to a log in its directory. Returns 0 with kp filled, or -1 with err set
 * and nothing left behind.
 */
int kernel_launch(const struct kernel_spec *, const char *cwd,
    struct kernel_proc *kp, char *err, size_t errlen);

/* The last line of what the kernel wrote to its log, "" when none. */
void kernel_log_tail(const struct kernel_proc *, char *buf, size_t len);

/* Remove the private directory and close the pidfd (the process must
 * have been reaped). */
void kernel_proc_release(struct kernel_proc *);

/* On shutdown, once every kernel is gone: end the launcher thread. */
void kernel_launcher_stop(void);

#endif

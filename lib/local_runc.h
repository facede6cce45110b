/*
 * local_runc.h — the OCI runtime's command line (runc by default; crun,
 * runsc where chosen), with its state under osb's state directory and its
 * errors read from its JSON log, and the other tools the local runtime
 * runs, found on PATH with the package to install when they are not.
 */
#ifndef OSB_LOCAL_RUNC_H
#define OSB_LOCAL_RUNC_H

#include <stddef.h>
#include <sys/types.h>

/* The runtime used when none is chosen. */
#define LOCAL_DEFAULT_RUNTIME "runc"

/*
 * The full path of program name into path (PATH_MAX), looked up on
 * PATH and in the sbin directories; 0, or -1 with why saying what to
 * install ("runc not found: apt-get install runc").
 */
int local_find_tool(const char *name, char *path, char *why, size_t n);

/* How one runtime command runs. */
struct local_runc {
	const char *runtime;	/* its full path */
	const char *root;	/* --root: its state directory */
	const char *log;	/* --log: its JSON log, where errors go */
	int out;		/* stdout and stderr, -1: /dev/null */
	const int *keep;	/* passed as 3, 4, ... (-1 ends), or NULL */
};

/*
 * Run the runtime with args (NULL-ended, after its global options) and
 * wait for it. 0, or -1 with why holding what it said went wrong.
 */
int local_runc(const struct local_runc *, char *const args[], char *why,
    size_t n);

#endif

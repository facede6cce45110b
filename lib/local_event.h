/*
 * local_event.h — what a sandbox's init (osb-init, pid 1 inside the
 * container) tells its supervisor on the host, one fixed-size write per
 * event on the pipe the runtime hands it as descriptor 3.
 */
#ifndef OSB_LOCAL_EVENT_H
#define OSB_LOCAL_EVENT_H

struct local_event {
	char kind;		/* LOCAL_EV_* */
	int status;		/* wait status of the process that ended */
	char text[240];		/* why setup or the entrypoint failed */
};

#define LOCAL_EV_READY	'R'	/* execd's socket is listening */
#define LOCAL_EV_SETUP	'S'	/* the sandbox could not be set up */
#define LOCAL_EV_ENTRY	'E'	/* the entrypoint ended */
#define LOCAL_EV_EXECD	'X'	/* osb-execd ended */

/* Descriptors the runtime passes to init (--preserve-fds 2). */
#define LOCAL_EVENT_FD		3
#define LOCAL_EXECD_LOG_FD	4

/* Where execd listens inside every sandbox, as upstream. */
#define LOCAL_EXECD_PORT	44772

#endif

/*
 * session.h — bash sessions: one long-lived interactive bash per session,
 * so that the working directory, variables, functions and aliases of one
 * run are there for the next.
 */
#ifndef EXECD_SESSION_H
#define EXECD_SESSION_H

#include "server.h"

/* POST /session: {"cwd": ...} optional; replies {"session_id": ...}. */
int session_create(struct osb_req *);
/*
 * Start a session in cwd (NULL: the daemon's; made when missing) and
 * put its id in id: 0, or -1 with err set and *bad set when the cwd
 * was the fault rather than the daemon. The code interpreter's bash
 * contexts use this and session_close.
 */
int session_open(const char *cwd, char *id, size_t idlen, int *bad,
    char *err, size_t errlen);
/* End session id: 0, or -1 when there is no such session. */
int session_close(const char *id);
/* POST /session/{id}/run: {"command", "cwd", "timeout"}; SSE. */
int session_run(struct osb_req *);
/* DELETE /session/{id} */
int session_delete(struct osb_req *);
/*
 * Interrupt the run in progress in session id (DELETE /command?id=): 0
 * once it has ended, 1 when nothing runs, -1 when there is no such session.
 */
int session_interrupt(const char *id);
/* Kill every session's shell and wait a little for them to go. */
void session_shutdown(void);

#endif

/*
 * code_bash.h — bash contexts where no bash kernel is installed: each is
 * one of the daemon's bash sessions (session.h), whose shell keeps its
 * state from one run to the next as a kernel would. The context's id is
 * the session's.
 */
#ifndef EXECD_CODE_BASH_H
#define EXECD_CODE_BASH_H

#include "server.h"

/* Run code in session id and reply to req with the run's events. */
int code_bash_run(struct osb_req *req, const char *id, const char *code);

#endif

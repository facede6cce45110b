/*
 * guard.h — the commands die with the daemon.
 *
 * A small guard process, forked at start before any thread, is told the
 * process group of every command and session shell the daemon starts. It
 * holds the read end of a pipe only the daemon writes to: when the daemon
 * is gone, however it went (kill -9 too), the pipe ends and the guard
 * kills every one of those groups still there, then exits.
 */
#ifndef EXECD_GUARD_H
#define EXECD_GUARD_H

#include <sys/types.h>

/* Fork the guard; 0, or -1 with the reason in err (commands then
 * outlive a daemon that is killed). Call before any thread starts. */
int guard_start(char *err, size_t errlen);
/* Have the guard kill process group pgid if the daemon dies. */
void guard_watch(pid_t pgid);

#endif

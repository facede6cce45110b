/*
 * local_forward.h — the way into a sandbox with no network of its own to
 * share: a unix socket in its state directory, each connection to it
 * relayed to osb-execd on the sandbox's loopback. The supervisor, living
 * in the sandbox's network namespace, runs it from its poll loop.
 */
#ifndef OSB_LOCAL_FORWARD_H
#define OSB_LOCAL_FORWARD_H

#include <poll.h>
#include <stddef.h>

struct local_forward;

/* Listen on path, relaying to 127.0.0.1:port. NULL (errno set). */
struct local_forward *local_forward_open(const char *path, int port);
void local_forward_close(struct local_forward *);
/* How many pollfds local_forward_fill may fill. */
size_t local_forward_nfds(const struct local_forward *);
/* Fill pfd with what the relay waits for; returns how many. */
size_t local_forward_fill(struct local_forward *, struct pollfd *pfd);
/* Act on what poll found in the n pollfds local_forward_fill gave. */
void local_forward_run(struct local_forward *, const struct pollfd *pfd,
    size_t n);

#endif

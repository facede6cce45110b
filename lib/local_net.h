/*
 * local_net.h — a sandbox's network: its own network namespace, outbound
 * traffic through slirp4netns (user-mode networking, the host's loopback
 * out of reach), and its ports published on a loopback address of its
 * own, 127.x.y.z, under the same numbers. A deny-all policy keeps only
 * loopback and the connections made to its published ports (nftables in
 * its namespace, out of reach of its root, which has no CAP_NET_ADMIN).
 */
#ifndef OSB_LOCAL_NET_H
#define OSB_LOCAL_NET_H

#include <stddef.h>
#include <sys/types.h>

#include "local_state.h"

/* A loopback address no other sandbox has, into addr (16 bytes). */
void local_net_address(const struct osb_local *, char *addr);

/*
 * Give the network namespace of process pid its way out: slirp4netns,
 * its API socket at sock, running until exit_fd (the read end of a pipe
 * whose write end the caller keeps) closes. With deny, nothing leaves.
 * Returns slirp4netns's pid, or -1 with why.
 */
pid_t local_net_start(pid_t pid, const char *sock, int exit_fd, int deny,
    char *why, size_t n);

/*
 * fork(), but the child's end sends no SIGCHLD, so that a thread can
 * wait for it (waitpid with __WALL) while another reaps every child
 * that signals. No fork handlers run in the child: it may only exec.
 */
pid_t local_net_fork(void);

/*
 * Run nft -f with rules in the network namespace of process pid. 0, or
 * -1 with why.
 */
int local_net_nft(pid_t pid, const char *rules, char *why, size_t n);

/*
 * Publish the sandbox's port at addr:port on the host (done once; again
 * is a no-op). 0, or -1 with why ("port 8080 of 127.3.4.5 is taken").
 */
int local_net_publish(const char *sock, const char *addr, int port,
    char *why, size_t n);

#endif

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
 * Run the program at path with argv in the network namespace of process
 * pid (with cgroup, where nft finds cgroup v2 paths), input on its stdin
 * (NULL: none), its signals unblocked. Its exit status (128: killed), or
 * -1 with why. Safe in a thread while another reaps every child.
 */
int local_net_run(pid_t pid, int cgroup, const char *path,
    char *const argv[], const char *input, char *why, size_t n);

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

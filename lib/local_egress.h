/*
 * local_egress.h — a sandbox's egress policy enforced in its network
 * namespace by its supervisor: nftables rules (addresses and CIDRs, and
 * the addresses learned from allowed names) and dnsmasq as the only
 * resolver the sandbox can reach (denied names get NXDOMAIN). Both run
 * outside the sandbox's cgroup, which is what the rules tell apart.
 */
#ifndef OSB_LOCAL_EGRESS_H
#define OSB_LOCAL_EGRESS_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* The kind of a rule's target. */
enum egress_kind { EGRESS_BAD, EGRESS_NAME, EGRESS_WILDCARD, EGRESS_IP4,
    EGRESS_IP6 };

/* What target is: a name, *.name, an IPv4/IPv6 address or CIDR. */
enum egress_kind local_egress_kind(const char *target);

/*
 * Check a NetworkPolicy ({"defaultAction", "egress": [{"action",
 * "target"}]}), where is the field's name for messages. 0, or -1 with
 * why ("networkPolicy.egress[1].target: ...").
 */
int local_egress_check(const json_t *policy, const char *where, char *why,
    size_t n);

/* The policy with one rule per target, the first, and defaultAction
 * set (deny unless given). A new reference. */
json_t *local_egress_normal(const json_t *policy);

/*
 * Enforce policy in the network namespace of process init, whose
 * cgroup (v2) is the sandbox's, replacing what was enforced: nftables,
 * then a new dnsmasq (its files in dir) for the old one in *dns (0:
 * none). The upstream resolver is $OSB_EGRESS_DNS ("IP" or "IP#PORT"),
 * else the user-mode network's. 0, or -1 with why.
 */
int local_egress_apply(pid_t init, const json_t *policy, const char *dir,
    pid_t *dns, char *why, size_t n);

/* Stop the dnsmasq in *dns, if any. */
void local_egress_stop(pid_t *dns);

#endif

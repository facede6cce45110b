/*
 * local_egress.c — a sandbox's egress policy as nftables rules and a
 * dnsmasq configuration, and their enforcement in its network namespace.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "local_egress.h"
#include "local_net.h"
#include "local_runc.h"
#include "util.h"

/* The user-mode network's resolver, dnsmasq's upstream by default. */
#define SLIRP_DNS	"10.0.2.3"

/* Append formatted text to b; out of memory shows as data NULL at the
 * end, which the caller checks once. */
static void __attribute__((format(printf, 2, 3)))
bprintf(struct osb_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len < 0 || osb_buf_append(b, s, (size_t)len) == -1)
		osb_buf_free(b);
	if (len >= 0)
		free(s);
}

/* Is s a DNS name: labels of letters, digits and '-', dot-separated? */
static int
dns_name(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > 253 || *s == '.' || s[len - 1] == '.')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)*s) || *s == '-' ||
		    *s == '_') {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return 1;
}

/* Is s an address of family af, or one with a /prefix? */
static int
address(int af, const char *s)
{
	unsigned char bin[16];
	char host[64], *slash, *end;
	long bits;

	if (strlcpy(host, s, sizeof(host)) >= sizeof(host))
		return 0;
	if ((slash = strchr(host, '/')) != NULL) {
		*slash++ = '\0';
		errno = 0;
		bits = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || bits < 0 ||
		    bits > (af == AF_INET ? 32 : 128))
			return 0;
	}
	return inet_pton(af, host, bin) == 1;
}

enum egress_kind
local_egress_kind(const char *t)
{
	if (address(AF_INET, t))
		return EGRESS_IP4;
	if (address(AF_INET6, t))
		return EGRESS_IP6;
	if (strncmp(t, "*.", 2) == 0 && dns_name(t + 2) &&
	    strchr(t + 2, '.') != NULL)
		return EGRESS_WILDCARD;
	if (dns_name(t) && strspn(t, "0123456789.") != strlen(t))
		return EGRESS_NAME;
	return EGRESS_BAD;
}

/* Is s "allow" or "deny"? */
static int
action(const json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL && (strcmp(s, "allow") == 0 ||
	    strcmp(s, "deny") == 0);
}

/* Check one rule of the policy. */
static int
check_rule(const json_t *r, const char *where, size_t i, char *why,
    size_t n)
{
	const char *k, *t;
	json_t *v;

	if (!json_is_object(r))
		return local_why(why, n, "%s.egress[%zu]: must be an object "
		    "with action and target", where, i);
	json_object_foreach((json_t *)r, k, v) {
		if (strcmp(k, "action") != 0 && strcmp(k, "target") != 0)
			return local_why(why, n, "%s.egress[%zu].%s: unknown "
			    "field", where, i, k);
	}
	if (!action(json_object_get(r, "action")))
		return local_why(why, n, "%s.egress[%zu].action: must be "
		    "allow or deny", where, i);
	t = json_string_value(json_object_get(r, "target"));
	if (t == NULL || local_egress_kind(t) == EGRESS_BAD)
		return local_why(why, n, "%s.egress[%zu].target: must be a "
		    "name, *.name, an IP address or a CIDR", where, i);
	return 0;
}

int
local_egress_check(const json_t *p, const char *where, char *why, size_t n)
{
	const json_t *egress, *d, *r;
	const char *k;
	json_t *v;
	size_t i;

	errno = 0;
	if (!json_is_object(p))
		return local_why(why, n, "%s: must be an object", where);
	json_object_foreach((json_t *)p, k, v) {
		if (strcmp(k, "defaultAction") != 0 && strcmp(k, "egress") != 0)
			return local_why(why, n, "%s.%s: unknown field", where,
			    k);
	}
	d = json_object_get(p, "defaultAction");
	if (d != NULL && !json_is_null(d) && !action(d))
		return local_why(why, n, "%s.defaultAction: must be allow or "
		    "deny", where);
	egress = json_object_get(p, "egress");
	if (egress != NULL && !json_is_null(egress) && !json_is_array(egress))
		return local_why(why, n, "%s.egress: must be an array of "
		    "rules", where);
	json_array_foreach(egress, i, r) {
		if (check_rule(r, where, i, why, n) == -1)
			return -1;
	}
	return 0;
}

/* Is target in the rules already? Names compare without case. */
static int
has_target(const json_t *rules, const char *t)
{
	const json_t *r;
	size_t i;

	json_array_foreach(rules, i, r) {
		if (strcasecmp(json_string_value(json_object_get(r, "target")),
		    t) == 0)
			return 1;
	}
	return 0;
}

json_t *
local_egress_normal(const json_t *p)
{
	const char *d = json_string_value(json_object_get(p, "defaultAction"));
	json_t *rules = json_array(), *r;
	const char *t;
	size_t i;

	json_array_foreach(json_object_get(p, "egress"), i, r) {
		t = json_string_value(json_object_get(r, "target"));
		if (!has_target(rules, t))
			json_array_append_new(rules, json_pack("{s:O, s:s}",
			    "action", json_object_get(r, "action"), "target",
			    t));
	}
	return json_pack("{s:s, s:o}", "defaultAction", d != NULL ? d :
	    "deny", "egress", rules);
}

/* The sandbox's cgroup v2 path ("osb/ID") from /proc/PID/cgroup, and
 * its depth. -1 when it has none. */
static int
cgroup_of(pid_t pid, char *path, size_t n, int *level)
{
	char file[64], line[PATH_MAX + 8], *p;
	FILE *f;
	int found = 0;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	if ((f = fopen(file, "re")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "0::/", 4) != 0 || line[4] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		strlcpy(path, line + 4, n);
		found = 1;
	}
	fclose(f);
	if (!found)
		return -1;
	for (*level = 1, p = path; (p = strchr(p, '/')) != NULL; p++)
		(*level)++;
	return 0;
}

/* The nftables table for policy, for the sandbox in cgroup cg. */
static void
nft_rules(struct osb_buf *b, const json_t *p, const char *cg, int level)
{
	const char *d = json_string_value(json_object_get(p, "defaultAction"));
	const char *t, *verdict;
	const json_t *r;
	size_t i;
	enum egress_kind k;

	/* Declared, then deleted: gone whether or not it was there. */
	bprintf(b, "table inet osb\ndelete table inet osb\n"
	    "table inet osb {\n"
	    "\tset dns4 { type ipv4_addr; }\n"
	    "\tset dns6 { type ipv6_addr; }\n"
	    "\tchain dns {\n"
	    "\t\ttype nat hook output priority -100; policy accept;\n"
	    "\t\tsocket cgroupv2 level %d \"%s\" meta l4proto { tcp, udp } "
	    "th dport 53 redirect to :53\n"
	    "\t}\n"
	    "\tchain output {\n"
	    "\t\ttype filter hook output priority 0; policy accept;\n"
	    /* First: the packets of a transfer cost no socket lookup. */
	    "\t\tct state established,related accept\n"
	    "\t\tsocket cgroupv2 level %d \"%s\" jump sandbox\n"
	    "\t}\n"
	    "\tchain sandbox {\n"
	    "\t\toifname \"lo\" accept\n"
	    /* What the dns chain redirected: its device is still the
	     * one the sandbox aimed at. */
	    "\t\tip daddr 127.0.0.0/8 accept\n"
	    "\t\tip6 daddr ::1 accept\n"
	    "\t\tct state established,related accept\n", level, cg, level, cg);
	json_array_foreach(json_object_get(p, "egress"), i, r) {
		t = json_string_value(json_object_get(r, "target"));
		verdict = strcmp(json_string_value(json_object_get(r,
		    "action")), "allow") == 0 ? "accept" : "drop";
		if ((k = local_egress_kind(t)) == EGRESS_IP4)
			bprintf(b, "\t\tip daddr %s %s\n", t, verdict);
		else if (k == EGRESS_IP6)
			bprintf(b, "\t\tip6 daddr %s %s\n", t, verdict);
	}
	bprintf(b, "\t\tip daddr @dns4 accept\n"
	    "\t\tip6 daddr @dns6 accept\n"
	    "\t\t%s\n\t}\n}\n", strcmp(d, "allow") == 0 ? "accept" : "drop");
}

/* A name's rule in dnsmasq covers the names under it too: they go back
 * to the default, unless a rule of *.name says otherwise. */
static void
exact(struct osb_buf *b, const json_t *p, const char *t, const char *d)
{
	char star[260];

	snprintf(star, sizeof(star), "*.%s", t);
	if (has_target(json_object_get(p, "egress"), star))
		return;
	if (strcmp(d, "deny") == 0)
		bprintf(b, "address=/%s/\n", star);
	else
		bprintf(b, "server=/%s/#\n", star);
}

/* dnsmasq's configuration for policy: denied names answered NXDOMAIN,
 * allowed ones forwarded and their addresses put in the sets. */
static void
dnsmasq_conf(struct osb_buf *b, const json_t *p, const char *dir,
    const char *up)
{
	const char *d = json_string_value(json_object_get(p, "defaultAction"));
	const char *t;
	const json_t *r;
	size_t i;

	bprintf(b, "port=53\nlisten-address=127.0.0.1\n"
	    "bind-interfaces\nno-resolv\nno-hosts\nno-poll\nno-negcache\n"
	    "user=root\ngroup=root\n"
	    "pid-file=%s/dnsmasq.pid\nlog-facility=%s/dnsmasq.log\n", dir,
	    dir);
	if (strcmp(d, "allow") == 0)
		bprintf(b, "server=%s\n", up);
	else
		bprintf(b, "address=/#/\n");
	json_array_foreach(json_object_get(p, "egress"), i, r) {
		t = json_string_value(json_object_get(r, "target"));
		if (local_egress_kind(t) != EGRESS_NAME &&
		    local_egress_kind(t) != EGRESS_WILDCARD)
			continue;
		if (strcmp(json_string_value(json_object_get(r, "action")),
		    "deny") == 0)
			bprintf(b, "address=/%s/\n", t);
		else
			/* nftset takes no "*.": the base name's set takes
			 * only what was forwarded, the wildcard's names. */
			bprintf(b, "server=/%s/%s\nnftset=/%s/4#inet#osb#dns4,"
			    "6#inet#osb#dns6\n", t, up,
			    strncmp(t, "*.", 2) == 0 ? t + 2 : t);
		if (local_egress_kind(t) == EGRESS_NAME)
			exact(b, p, t, d);
	}
}

/* The upstream resolver: $OSB_EGRESS_DNS when it is one. */
static const char *
upstream(void)
{
	const char *e = getenv("OSB_EGRESS_DNS");

	if (e == NULL || *e == '\0' || strlen(e) > 60 ||
	    strspn(e, "0123456789abcdefABCDEF.:#") != strlen(e))
		return SLIRP_DNS;
	return e;
}

/* Write text to dir/name. */
static int
put(const char *dir, const char *name, const char *text, char *why,
    size_t n)
{
	char path[PATH_MAX];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return local_why(why, n, "write %s", path);
	rc = osb_write_all(fd, text, strlen(text));
	close(fd);
	if (rc == -1)
		return local_why(why, n, "write %s", path);
	return 0;
}

/* The pid dnsmasq wrote, or 0. */
static pid_t
pid_in(const char *dir)
{
	char path[PATH_MAX];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/dnsmasq.pid", dir);
	if ((f = fopen(path, "re")) != NULL) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

/*
 * dnsmasq in the network namespace of init; it forks into the
 * background once it listens, and its first process says whether it
 * could. Its pid, or -1 with why.
 */
static pid_t
start_dnsmasq(pid_t init, const char *dir, char *why, size_t n)
{
	char prog[PATH_MAX], conf[PATH_MAX + 16], pidf[PATH_MAX];
	char *argv[] = { "dnsmasq", conf, NULL };
	pid_t child;
	int rc;

	if (local_find_tool("dnsmasq", prog, why, n) == -1)
		return -1;
	snprintf(conf, sizeof(conf), "--conf-file=%s/dnsmasq.conf", dir);
	snprintf(pidf, sizeof(pidf), "%s/dnsmasq.pid", dir);
	(void)unlink(pidf);
	if ((rc = local_net_run(init, 0, prog, argv, NULL, why, n)) == -1)
		return -1;
	errno = 0;
	if (rc != 0)
		return local_why(why, n, "dnsmasq for the egress policy: "
		    "exited with status %d (see %s/dnsmasq.log)", rc, dir);
	if ((child = pid_in(dir)) <= 0 || kill(child, 0) == -1)
		return local_why(why, n, "dnsmasq for the egress policy: no "
		    "pid file");
	return child;
}

/* Has pid ended (a zombie has)? */
static int
ended(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	int zombie = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 1;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL)
		zombie = p[1] == ' ' && p[2] == 'Z';
	fclose(f);
	return zombie;
}

void
local_egress_stop(pid_t *dns)
{
	int i;

	if (*dns <= 0)
		return;
	kill(*dns, SIGTERM);
	/* Not our child: wait for its end by polling, 1 s at most. */
	for (i = 0; i < 1000 && !ended(*dns); i++)
		usleep(1000);
	if (i == 1000)
		kill(*dns, SIGKILL);
	*dns = 0;
}

int
local_egress_apply(pid_t init, const json_t *policy, const char *dir,
    pid_t *dns, char *why, size_t n)
{
	struct osb_buf nft = { 0 }, conf = { 0 };
	char cg[PATH_MAX];
	json_t *p;
	int level, rc = -1;

	errno = 0;
	if (cgroup_of(init, cg, sizeof(cg), &level) == -1)
		return local_why(why, n, "egress rules need the sandbox in a "
		    "cgroup (v2) of its own, which a supervisor without root "
		    "does not make");
	p = local_egress_normal(policy);
	nft_rules(&nft, p, cg, level);
	dnsmasq_conf(&conf, p, dir, upstream());
	if (nft.data == NULL || conf.data == NULL) {
		local_why(why, n, "egress policy: out of memory");
		goto out;
	}
	if (put(dir, "dnsmasq.conf", conf.data, why, n) == -1 ||
	    local_net_nft(init, nft.data, why, n) == -1)
		goto out;
	local_egress_stop(dns);
	if ((*dns = start_dnsmasq(init, dir, why, n)) == -1) {
		*dns = 0;
		goto out;
	}
	rc = 0;
out:
	json_decref(p);
	osb_buf_free(&nft);
	osb_buf_free(&conf);
	return rc;
}

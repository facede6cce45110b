/*
 * local_bundle.c — a sandbox's OCI bundle: what the runtime binds in
 * (osb-init and osb-execd, and in an image's root the host's loader and
 * libraries that execd needs), staged where the runtime can reach them,
 * init's command line and environment, and config.json.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_bundle.h"
#include "local_oci.h"
#include "local_root.h"
#include "local_seccomp.h"

#define MAX_LIBDIRS	8

/* The cgroups the runtime makes limits in, where there are any. */
static const char *
cgroups_path(const struct local_bundle *b, char *buf, size_t n)
{
	if (b->rootless || (access("/sys/fs/cgroup/cgroup.controllers",
	    F_OK) != 0 && access("/sys/fs/cgroup/memory", F_OK) != 0))
		return NULL;
	snprintf(buf, n, "/osb/%s", b->id);
	return buf;
}

/* How init starts osb-execd: the host's program, and in an image's
 * root the host's loader and libraries with it, all under /.osb. */
struct execd_plan {
	struct local_bind binds[MAX_LIBDIRS + 4];
	char *argv[8];
	char libpath[MAX_LIBDIRS * 16];
	char loader[PATH_MAX];
	char dirs[MAX_LIBDIRS][PATH_MAX];
	char targets[MAX_LIBDIRS][16];
	char staged[MAX_LIBDIRS + 4][PATH_MAX];
};

/* dl_iterate_phdr callback: note the loader and library directories
 * of this program, linked as osb-execd is. */
static int
scan_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct execd_plan *e = arg;
	char real[PATH_MAX], *dir;
	int i, n;

	(void)size;
	if (info->dlpi_name[0] == '\0') {
		for (i = 0; i < info->dlpi_phnum; i++)
			if (info->dlpi_phdr[i].p_type == PT_INTERP)
				strlcpy(e->loader, (const char *)
				    (info->dlpi_addr +
				    info->dlpi_phdr[i].p_vaddr),
				    sizeof(e->loader));
		return 0;
	}
	if (strchr(info->dlpi_name, '/') == NULL ||
	    realpath(info->dlpi_name, real) == NULL)
		return 0;
	dir = dirname(real);
	for (n = 0; n < MAX_LIBDIRS && e->dirs[n][0] != '\0'; n++)
		if (strcmp(e->dirs[n], dir) == 0)
			return 0;
	if (n < MAX_LIBDIRS)
		strlcpy(e->dirs[n], dir, sizeof(e->dirs[n]));
	return 0;
}

/* The binds and init's command line for execd. */
static void
plan_execd(const struct local_bundle *b, struct execd_plan *e)
{
	size_t nb = 0, na = 0, len;
	int i;

	memset(e, 0, sizeof(*e));
	e->binds[nb++] = (struct local_bind){ b->l->init, "/.osb/osb-init" };
	e->binds[nb++] = (struct local_bind){ b->l->execd, "/.osb/osb-execd" };
	if (b->plan->rootfs) {
		dl_iterate_phdr(scan_object, e);
		e->binds[nb++] = (struct local_bind){ e->loader,
		    "/.osb/ld.so" };
		for (i = 0; i < MAX_LIBDIRS && e->dirs[i][0] != '\0'; i++) {
			snprintf(e->targets[i], sizeof(e->targets[i]),
			    "/.osb/lib/%d", i);
			e->binds[nb++] = (struct local_bind){ e->dirs[i],
			    e->targets[i] };
			len = strlen(e->libpath);
			snprintf(e->libpath + len, sizeof(e->libpath) - len,
			    "%s%s", i ? ":" : "", e->targets[i]);
		}
		e->argv[na++] = "/.osb/ld.so";
		e->argv[na++] = "--library-path";
		e->argv[na++] = e->libpath;
	}
	e->argv[na++] = "/.osb/osb-execd";
	e->argv[na++] = "--listen-fd";
	e->argv[na++] = "3";
}

/* The environment of the sandbox: a base under the request's env, and
 * the execd token (which init keeps from the entrypoint). */
static char **
environment(const struct local_bundle *b)
{
	static char host[32 + LOCAL_SHORT_LEN], token[64];
	char **env, **p;
	size_t n = 0, k, len;

	for (p = b->plan->env; *p != NULL; p++)
		n++;
	if ((env = calloc(n + 5, sizeof(char *))) == NULL)
		return NULL;
	n = 0;
	snprintf(host, sizeof(host), "HOSTNAME=%.*s", LOCAL_SHORT_LEN, b->id);
	snprintf(token, sizeof(token), "EXECD_ACCESS_TOKEN=%s", b->token);
	env[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
	    "/sbin:/bin";
	env[n++] = "HOME=/root";
	env[n++] = host;
	env[n++] = token;
	/* The request's later entries win, as putenv would have it. */
	for (p = b->plan->env; *p != NULL; p++) {
		len = strcspn(*p, "=") + 1;
		for (k = 0; k < n && strncmp(env[k], *p, len) != 0; k++)
			;
		env[k] = *p;
		if (k == n)
			n++;
	}
	env[n] = NULL;
	return env;
}

/* init's command line: osb-init, the limits it sets as rlimits where
 * there are no cgroups, execd's, "--", the entrypoint. */
static char **
init_args(const struct local_bundle *b, const struct execd_plan *e, char *mem,
    char *pids, char *user)
{
	size_t n = 0, i;
	char **argv;

	for (i = 0; b->plan->entrypoint[i] != NULL; i++)
		;
	if ((argv = calloc(i + 16, sizeof(char *))) == NULL)
		return NULL;
	argv[n++] = "/.osb/osb-init";
	if (b->rootless && b->plan->limits.memory > 0) {
		snprintf(mem, 24, "%lld", (long long)b->plan->limits.memory);
		argv[n++] = "-m";
		argv[n++] = mem;
	}
	if (b->rootless && b->plan->limits.pids > 0) {
		snprintf(pids, 24, "%lld", (long long)b->plan->limits.pids);
		argv[n++] = "-p";
		argv[n++] = pids;
	}
	if (b->plan->uid != 0 || b->plan->gid != 0) {
		snprintf(user, 48, "%ld:%ld", b->plan->uid, b->plan->gid);
		argv[n++] = "-u";
		argv[n++] = user;
	}
	for (i = 0; e->argv[i] != NULL; i++)
		argv[n++] = e->argv[i];
	argv[n++] = "--";
	for (i = 0; b->plan->entrypoint[i] != NULL; i++)
		argv[n++] = b->plan->entrypoint[i];
	return argv;
}

/* Stage what the runtime binds into the sandbox where it can reach it
 * from inside the sandbox's user namespace: osb's programs (e's binds)
 * and the volumes. */
static int
stage_binds(const struct local_bundle *b, struct execd_plan *e, char *why,
    size_t n)
{
	char name[32], staged[PATH_MAX];
	size_t i;

	for (i = 0; e->binds[i].source != NULL; i++) {
		snprintf(name, sizeof(name), "b%zu", i);
		if (local_stage_bind(b->stage, e->binds[i].source, name,
		    e->staged[i]) == -1)
			return local_why(why, n, "stage %s in %s",
			    e->binds[i].source, b->stage);
		e->binds[i].source = e->staged[i];
	}
	for (i = 0; i < b->plan->nmounts; i++) {
		snprintf(name, sizeof(name), "v%zu", i);
		if (local_stage_bind(b->stage, b->vols[i].source, name,
		    staged) == -1)
			return local_why(why, n, "stage volume %s in %s",
			    b->plan->mounts[i].source, b->stage);
		strlcpy(b->vols[i].source, staged, sizeof(b->vols[i].source));
	}
	return 0;
}

int
local_bundle_write(const struct local_bundle *b, char *why, size_t n)
{
	char cg[LOCAL_ID_LEN + 8], host[LOCAL_SHORT_LEN + 1];
	char rootfs[PATH_MAX], mem[24], pids[24], user[48];
	struct execd_plan e;
	char **env, **args;
	json_t *seccomp, *config;
	struct local_oci o;
	size_t len;
	int rc;

	if ((seccomp = local_seccomp_load(LOCAL_SECCOMP_PROFILE, why,
	    n)) == NULL) {
		len = strlen(why);
		snprintf(why + len, n - len, " (apt-get install "
		    "golang-github-containers-common)");
		return -1;
	}
	plan_execd(b, &e);
	if (stage_binds(b, &e, why, n) == -1) {
		json_decref(seccomp);
		return -1;
	}
	env = environment(b);
	args = init_args(b, &e, mem, pids, user);
	strlcpy(host, b->id, sizeof(host));
	snprintf(rootfs, sizeof(rootfs), "%.*s/rootfs", PATH_MAX - 8,
	    b->stage);
	o = (struct local_oci){ host, rootfs, args, env, &b->plan->limits,
	    b->vols, b->plan->nmounts, e.binds, cgroups_path(b, cg, sizeof(cg)),
	    seccomp, LOCAL_ID_BASE, b->rootless, b->plan->cwd };
	config = env && args ? local_oci_config(&o) : NULL;
	rc = config ? json_dump_file(config, "config.json", JSON_INDENT(1)) :
	    -1;
	json_decref(config);
	json_decref(seccomp);
	free(env);
	free(args);
	if (rc == -1)
		return local_why(why, n, "write config.json");
	return 0;
}

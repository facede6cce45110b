/*
 * local_cgroup.c — cgroups for a sandbox: found through
 * /proc/self/mountinfo and /proc/self/cgroup, made, limited, frozen,
 * removed.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "local_cgroup.h"
#include "util.h"

#define CFS_PERIOD_US	100000
#define FREEZE_WAIT_MS	5000

/* Write text to dir/file. 0 or -1. */
static int
put(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	int fd, rc;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -1;
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = osb_write_all(fd, text, strlen(text));
	return close(fd) == -1 ? -1 : rc;
}

/* The first line of dir/file into buf. 0 or -1. */
static int
get(const char *dir, const char *file, char *buf, size_t n)
{
	char path[PATH_MAX];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	rc = fgets(buf, (int)n, f) == NULL ? -1 : 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return rc;
}

/* Is word one of the comma-separated words of list? */
static int
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 1 :
	    NULL)
		if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0' ||
		    p[n] == ' ' || p[n] == '\n'))
			return 1;
	return 0;
}

/*
 * The mount of a cgroup hierarchy from /proc/self/mountinfo: fstype
 * "cgroup" with controller among its options (v1), or "cgroup2" when
 * controller is NULL. Mount point and root into mnt and root.
 */
static int
find_mount(const char *controller, char *mnt, char *root)
{
	char line[4096], m[PATH_MAX], r[PATH_MAX], fstype[64], opts[1024];
	const char *dash;
	FILE *f;
	int found = 0;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if ((dash = strstr(line, " - ")) == NULL ||
		    sscanf(line, "%*s %*s %*s %4095s %4095s", r, m) != 2 ||
		    sscanf(dash + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (controller == NULL ? strcmp(fstype, "cgroup2") == 0 :
		    strcmp(fstype, "cgroup") == 0 && has_word(opts, controller)) {
			strlcpy(mnt, m, PATH_MAX);
			strlcpy(root, r, PATH_MAX);
			found = 1;
		}
	}
	fclose(f);
	return found ? 0 : -1;
}

/* Our own cgroup in the v1 hierarchy of controller (from
 * /proc/self/cgroup) into path. */
static int
own_cgroup(const char *controller, char *path)
{
	char line[4096], *list, *p;
	FILE *f;
	int found = 0;

	if ((f = fopen("/proc/self/cgroup", "re")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((list = strchr(line, ':')) == NULL ||
		    (p = strchr(++list, ':')) == NULL)
			continue;
		*p++ = '\0';
		if (has_word(list, controller)) {
			strlcpy(path, p, PATH_MAX);
			found = 1;
		}
	}
	fclose(f);
	return found ? 0 : -1;
}

/* Make the v1 group of controller for sandbox id into dir. 0 or -1. */
static int
v1_group(const char *controller, const char *id, char *dir)
{
	char mnt[PATH_MAX], root[PATH_MAX], own[PATH_MAX];
	const char *rel;

	if (find_mount(controller, mnt, root) == -1 ||
	    own_cgroup(controller, own) == -1)
		return -1;
	/* Inside a container the hierarchy's root is not the mount's. */
	rel = own;
	if (strcmp(root, "/") != 0 && strncmp(own, root, strlen(root)) == 0)
		rel = own + strlen(root);
	if (strcmp(rel, "/") == 0)
		rel = "";
	if (snprintf(dir, PATH_MAX, "%s%s/osb-%s", mnt, rel, id) >= PATH_MAX)
		return -1;
	return mkdir(dir, 0755) == -1 && errno != EEXIST ? -1 : 0;
}

/* Append ", what" (or "what") to note. */
static void
note_add(char *note, size_t n, const char *what)
{
	size_t len = strlen(note);

	snprintf(note + len, n - len, "%s%s", len ? "; " : "", what);
}

/* Set the limits a v1 controller takes. 0, or -1 with the limit kept. */
static int
v1_limit(const char *controller, const char *dir, struct local_limits *lim)
{
	char num[32];

	if (strcmp(controller, "cpu") == 0) {
		snprintf(num, sizeof(num), "%lld", (long long)lim->cpu_millis *
		    (CFS_PERIOD_US / 1000));
		if (put(dir, "cpu.cfs_period_us", "100000") == -1 ||
		    put(dir, "cpu.cfs_quota_us", num) == -1)
			return -1;
		lim->cpu_millis = 0;
	} else if (strcmp(controller, "memory") == 0) {
		snprintf(num, sizeof(num), "%lld", (long long)lim->memory);
		if (put(dir, "memory.limit_in_bytes", num) == -1)
			return -1;
		/* No swapping past the limit either, where swap is counted. */
		put(dir, "memory.memsw.limit_in_bytes", num);
		lim->memory = 0;
	} else if (strcmp(controller, "pids") == 0) {
		snprintf(num, sizeof(num), "%lld", (long long)lim->pids);
		if (put(dir, "pids.max", num) == -1)
			return -1;
		lim->pids = 0;
	}
	return 0;
}

/* Is the limit of controller asked for? */
static int
wanted(const char *controller, const struct local_limits *lim)
{
	if (strcmp(controller, "cpu") == 0)
		return lim->cpu_millis > 0;
	if (strcmp(controller, "memory") == 0)
		return lim->memory > 0;
	if (strcmp(controller, "pids") == 0)
		return lim->pids > 0;
	return 1;	/* the freezer, always */
}

/* cgroup v1: one group per controller the sandbox needs. */
static void
v1_create(json_t *cg, const char *id, struct local_limits *lim)
{
	static const char *const controllers[] = { "freezer", "cpu", "memory",
	    "pids" };
	char dir[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++) {
		if (!wanted(controllers[i], lim) ||
		    v1_group(controllers[i], id, dir) == -1)
			continue;
		json_array_append_new(json_object_get(cg, "dirs"),
		    json_string(dir));
		if (i == 0)
			json_object_set_new(cg, "freezer", json_string(dir));
		else if (v1_limit(controllers[i], dir, lim) == -1)
			continue;
	}
}

/* cgroup v2: osb/<id> under the root of the unified tree, the
 * controllers enabled on the way down. 0 or -1 (not v2 here). */
static int
v2_create(json_t *cg, const char *id, struct local_limits *lim)
{
	char mnt[PATH_MAX], root[PATH_MAX], parent[PATH_MAX], dir[PATH_MAX];
	char num[64], have[256];

	if (find_mount(NULL, mnt, root) == -1 ||
	    get(mnt, "cgroup.controllers", have, sizeof(have)) == -1 ||
	    strstr(have, "memory") == NULL)
		return -1;
	if (snprintf(parent, sizeof(parent), "%s/osb", mnt) >=
	    (int)sizeof(parent) || snprintf(dir, sizeof(dir), "%s/%s", parent,
	    id) >= (int)sizeof(dir))
		return -1;
	put(mnt, "cgroup.subtree_control", "+cpu +memory +pids");
	if ((mkdir(parent, 0755) == -1 && errno != EEXIST) ||
	    (put(parent, "cgroup.subtree_control", "+cpu +memory +pids"),
	    mkdir(dir, 0755) == -1))
		return -1;
	json_object_set_new(cg, "version", json_integer(2));
	json_array_append_new(json_object_get(cg, "dirs"), json_string(dir));
	json_object_set_new(cg, "freezer", json_string(dir));
	snprintf(num, sizeof(num), "%lld %d", (long long)lim->cpu_millis *
	    (CFS_PERIOD_US / 1000), CFS_PERIOD_US);
	if (lim->cpu_millis > 0 && put(dir, "cpu.max", num) == 0)
		lim->cpu_millis = 0;
	snprintf(num, sizeof(num), "%lld", (long long)lim->memory);
	if (lim->memory > 0 && put(dir, "memory.max", num) == 0) {
		put(dir, "memory.swap.max", "0");
		lim->memory = 0;
	}
	snprintf(num, sizeof(num), "%lld", (long long)lim->pids);
	if (lim->pids > 0 && put(dir, "pids.max", num) == 0)
		lim->pids = 0;
	return 0;
}

/* v1 where its controllers are mounted, else v2, else none. */
json_t *
local_cgroup_create(const char *id, struct local_limits *lim, char *note,
    size_t notelen)
{
	json_t *cg = json_pack("{s:i, s:[]}", "version", 1, "dirs");
	char mnt[PATH_MAX], root[PATH_MAX];

	if (cg == NULL)
		return NULL;
	/* A machine with v1 controllers mounted uses them (hybrid too). */
	if (find_mount("memory", mnt, root) == 0 || v2_create(cg, id, lim) == -1)
		v1_create(cg, id, lim);
	if (lim->cpu_millis > 0) {
		note_add(note, notelen, "resourceLimits.cpu not enforced (no "
		    "cgroup cpu controller)");
		lim->cpu_millis = 0;
	}
	if (lim->memory > 0)
		note_add(note, notelen, "resourceLimits.memory set as an "
		    "address space rlimit (no cgroup memory controller)");
	if (lim->pids > 0)
		note_add(note, notelen, "resourceLimits.pids set as a process "
		    "rlimit of the user (no cgroup pids controller)");
	return cg;
}

/* Write 0 (the caller) into each group's cgroup.procs. */
int
local_cgroup_join(const json_t *cg)
{
	json_t *dir;
	size_t i;

	json_array_foreach(json_object_get(cg, "dirs"), i, dir) {
		if (put(json_string_value(dir), "cgroup.procs", "0") == -1)
			return -1;
	}
	return 0;
}

/* v1 freezer.state or v2 cgroup.freeze, then wait for it to hold. */
int
local_cgroup_freeze(const json_t *cg, int on)
{
	const char *dir = json_string_value(json_object_get(cg, "freezer"));
	int v2 = json_integer_value(json_object_get(cg, "version")) == 2;
	const char *file = v2 ? "cgroup.freeze" : "freezer.state";
	const char *want = v2 ? (on ? "1" : "0") : (on ? "FROZEN" : "THAWED");
	struct timespec ts = { 0, 2 * 1000000 };
	char state[64];
	int waited;

	if (dir == NULL || put(dir, file, want) == -1)
		return -1;
	/* v2 says it is done in cgroup.events "frozen 1". */
	for (waited = 0; waited < FREEZE_WAIT_MS; waited += 2) {
		if (v2) {
			char path[PATH_MAX], line[64];
			FILE *f;
			int frozen = -1;

			snprintf(path, sizeof(path), "%s/cgroup.events", dir);
			if ((f = fopen(path, "re")) == NULL)
				return -1;
			while (fgets(line, sizeof(line), f) != NULL)
				if (sscanf(line, "frozen %d", &frozen) == 1)
					break;
			fclose(f);
			if (frozen == on)
				return 0;
		} else if (get(dir, file, state, sizeof(state)) == 0 &&
		    strcmp(state, want) == 0) {
			return 0;
		} else if (on) {
			put(dir, file, want);	/* FREEZING may need a nudge */
		}
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* rmdir each group. */
void
local_cgroup_remove(const json_t *cg)
{
	struct timespec ts = { 0, 5 * 1000000 };
	json_t *dir;
	size_t i;
	int tries;

	json_array_foreach(json_object_get(cg, "dirs"), i, dir) {
		/* The last tasks may still be leaving: try for a while. */
		for (tries = 0; tries < 200; tries++) {
			if (rmdir(json_string_value(dir)) == 0 || errno == ENOENT)
				break;
			if (errno != EBUSY)
				break;
			nanosleep(&ts, NULL);
		}
	}
}

/* RLIMIT_AS for memory, RLIMIT_NPROC for pids. */
void
local_rlimits_apply(const struct local_limits *lim)
{
	struct rlimit rl;

	if (lim->memory > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)lim->memory;
		setrlimit(RLIMIT_AS, &rl);
	}
	if (lim->pids > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)lim->pids;
		setrlimit(RLIMIT_NPROC, &rl);
	}
}

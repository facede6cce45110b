/*
 * local_oci.c — a sandbox's config.json, as Docker would write it for a
 * container of its default profile in a user namespace of its own.
 */
#include <stdio.h>
#include <string.h>

#include "local_oci.h"
#include "local_seccomp.h"

/* Docker's masked and read-only paths. */
static const char *const masked[] = { "/proc/asound", "/proc/acpi",
    "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
    "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
    "/sys/devices/virtual/powercap", NULL };
static const char *const read_only[] = { "/proc/bus", "/proc/fs",
    "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL };

/* A JSON array of the strings of a NULL-ended array. */
static json_t *
strings(const char *const *v)
{
	json_t *a = json_array();

	for (; v != NULL && *v != NULL; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

/* The kernel file systems every sandbox has, as Docker mounts them (a
 * rootless sandbox has no group 5 for its terminals). */
static json_t *
base_mounts(int rootless)
{
	json_t *m;

	m = json_pack("[{s:s, s:s, s:s}, "
	    "{s:s, s:s, s:s, s:[s,s,s,s]}, "
	    "{s:s, s:s, s:s, s:[s,s,s,s,s,s]}, "
	    "{s:s, s:s, s:s, s:[s,s,s,s,s]}, "
	    "{s:s, s:s, s:s, s:[s,s,s]}, "
	    "{s:s, s:s, s:s, s:[s,s,s,s]}, "
	    "{s:s, s:s, s:s, s:[s,s,s]}]",
	    "destination", "/proc", "type", "proc", "source", "proc",
	    "destination", "/dev", "type", "tmpfs", "source", "tmpfs",
	    "options", "nosuid", "strictatime", "mode=755", "size=65536k",
	    "destination", "/dev/pts", "type", "devpts", "source", "devpts",
	    "options", "nosuid", "noexec", "newinstance", "ptmxmode=0666",
	    "mode=0620", "gid=5",
	    "destination", "/dev/shm", "type", "tmpfs", "source", "shm",
	    "options", "nosuid", "noexec", "nodev", "mode=1777",
	    "size=65536k",
	    "destination", "/dev/mqueue", "type", "mqueue", "source", "mqueue",
	    "options", "nosuid", "noexec", "nodev",
	    "destination", "/sys", "type", "sysfs", "source", "sysfs",
	    "options", "nosuid", "noexec", "nodev", "ro",
	    "destination", "/tmp", "type", "tmpfs", "source", "tmpfs",
	    "options", "nosuid", "nodev", "mode=1777");
	if (rootless)
		json_array_remove(json_object_get(json_array_get(m, 2),
		    "options"), 5);
	return m;
}

/* A bind mount; read-only when ro. */
static json_t *
bind_mount(const char *source, const char *target, int ro)
{
	json_t *m = json_pack("{s:s, s:s, s:s, s:[s,s,s]}", "destination",
	    target, "type", "bind", "source", source, "options", "rbind",
	    "rprivate", "nosuid");

	if (ro)
		json_array_append_new(json_object_get(m, "options"),
		    json_string("ro"));
	return m;
}

/* The mounts: kernel file systems, osb's programs, the volumes. */
static json_t *
mounts(const struct local_oci *o)
{
	json_t *all = base_mounts(o->rootless);
	const struct local_bind *b;
	size_t i;

	for (b = o->binds; b != NULL && b->source != NULL; b++)
		json_array_append_new(all, bind_mount(b->source, b->target, 1));
	for (i = 0; i < o->nvolumes; i++)
		json_array_append_new(all, bind_mount(o->volumes[i].source,
		    o->volumes[i].target, o->volumes[i].read_only));
	return all;
}

/* The process: init, as root of the sandbox, Docker's capabilities. */
static json_t *
process(const struct local_oci *o)
{
	json_t *caps = strings(local_default_caps), *p;

	p = json_pack("{s:b, s:{s:i, s:i}, s:o, s:o, s:s, "
	    "s:{s:O, s:O, s:O}, s:b}",
	    "terminal", 0, "user", "uid", 0, "gid", 0,
	    "args", strings((const char *const *)o->args),
	    "env", strings((const char *const *)o->env),
	    "cwd", o->cwd && *o->cwd ? o->cwd : "/",
	    "capabilities", "bounding", caps, "effective", caps, "permitted",
	    caps, "noNewPrivileges", 1);
	json_decref(caps);
	return p;
}

/* cgroup limits from resourceLimits; every device denied but the few
 * the runtime makes. */
static json_t *
resources(const struct local_limits *lim)
{
	json_t *r = json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0,
	    "access", "rwm");

	if (lim->memory > 0)
		json_object_set_new(r, "memory", json_pack("{s:I, s:I}",
		    "limit", (json_int_t)lim->memory, "swap",
		    (json_int_t)lim->memory));
	if (lim->cpu_millis > 0)
		json_object_set_new(r, "cpu", json_pack("{s:I, s:I}", "quota",
		    (json_int_t)lim->cpu_millis * 100, "period",
		    (json_int_t)100000));
	if (lim->pids > 0)
		json_object_set_new(r, "pids", json_pack("{s:I}", "limit",
		    (json_int_t)lim->pids));
	return r;
}

/* linux: namespaces, id maps, cgroups, seccomp, masked paths. */
static json_t *
linux_section(const struct local_oci *o)
{
	json_t *l = json_pack("{s:[{s:s},{s:s},{s:s},{s:s},{s:s},{s:s}], "
	    "s:[{s:i, s:i, s:i}], s:[{s:i, s:i, s:i}], s:o, s:o, s:s}",
	    "namespaces", "type", "pid", "type", "network", "type", "ipc",
	    "type", "uts", "type", "mount", "type", "user",
	    "uidMappings", "containerID", 0, "hostID", (int)o->id_base,
	    "size", LOCAL_ID_COUNT,
	    "gidMappings", "containerID", 0, "hostID", (int)o->id_base,
	    "size", LOCAL_ID_COUNT,
	    "maskedPaths", strings(masked), "readonlyPaths", strings(read_only),
	    "rootfsPropagation", "rprivate");

	if (o->rootless) {
		json_array_remove(json_object_get(l, "namespaces"), 5);
		json_object_del(l, "uidMappings");
		json_object_del(l, "gidMappings");
	}
	if (o->cgroups_path != NULL) {
		json_object_set_new(l, "cgroupsPath",
		    json_string(o->cgroups_path));
		json_object_set_new(l, "resources",
		    resources(o->limits));
	}
	if (o->seccomp != NULL)
		json_object_set(l, "seccomp", (json_t *)o->seccomp);
	return l;
}

json_t *
local_oci_config(const struct local_oci *o)
{
	return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}",
	    "ociVersion", "1.0.2", "process", process(o), "root", "path",
	    o->rootfs, "readonly", 0, "hostname", o->hostname, "mounts",
	    mounts(o), "linux", linux_section(o));
}

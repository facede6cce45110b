/*
 * local_seccomp.c — Docker's seccomp profile format to the OCI spec's.
 * The profile's rules are kept as they are (names, action, errno, args);
 * only which rules apply is decided here, by the same tests Docker makes:
 * excluded or included architectures, capabilities and kernel versions.
 */
#include <sys/utsname.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local_seccomp.h"
#include "local_state.h"

const char *const local_default_caps[] = { "CAP_CHOWN", "CAP_DAC_OVERRIDE",
    "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
    "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL };

/*
 * What Docker's profile allows only with CAP_SYS_ADMIN, which no sandbox
 * has, and containers-common's profile (Podman's: it leaves them to
 * unprivileged user namespaces) allows to all: namespaces, mounts,
 * keyrings, reboot. Refused as Docker refuses them, with EPERM; clone
 * is allowed without namespace flags only, and clone3, whose flags a
 * filter cannot see, answers ENOSYS so that the C library falls back to
 * clone.
 */
static const char *const admin_only[] = { "unshare", "setns", "mount",
    "umount", "umount2", "pivot_root", "fsopen", "fsmount", "fsconfig",
    "move_mount", "open_tree", "mount_setattr", "keyctl", "add_key",
    "request_key", "reboot", "clone", "clone3", NULL };
/* CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET */
#define CLONE_NAMESPACES 0x7E020000ULL

/* The profile's name for an architecture, as Go names it. */
static const char *
native_arch(const char *arch)
{
	if (strcmp(arch, "amd64") == 0)
		return "SCMP_ARCH_X86_64";
	if (strcmp(arch, "arm64") == 0)
		return "SCMP_ARCH_AARCH64";
	return NULL;
}

/* Is s one of the strings of array a? */
static int
in_array(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	}
	return 0;
}

/* Is cap in the default set? */
static int
have_cap(const char *cap)
{
	size_t i;

	for (i = 0; local_default_caps[i] != NULL; i++)
		if (strcmp(local_default_caps[i], cap) == 0)
			return 1;
	return 0;
}

/* Is the running kernel at least "major.minor"? */
static int
kernel_at_least(const char *version)
{
	struct utsname u;
	int have[2] = { 0, 0 }, want[2] = { 0, 0 };

	if (uname(&u) == -1)
		return 0;
	sscanf(u.release, "%d.%d", &have[0], &have[1]);
	sscanf(version, "%d.%d", &want[0], &want[1]);
	return have[0] != want[0] ? have[0] > want[0] : have[1] >= want[1];
}

/* Does any capability of the array caps hold? Every one? */
static int
caps_any(const json_t *caps)
{
	size_t i;
	json_t *v;

	json_array_foreach(caps, i, v) {
		if (json_is_string(v) && have_cap(json_string_value(v)))
			return 1;
	}
	return 0;
}

static int
caps_all(const json_t *caps)
{
	size_t i;
	json_t *v;

	json_array_foreach(caps, i, v) {
		if (!json_is_string(v) || !have_cap(json_string_value(v)))
			return 0;
	}
	return 1;
}

/* Does the rule apply to arch with the default capabilities? */
static int
rule_applies(const json_t *rule, const char *arch)
{
	const json_t *inc = json_object_get(rule, "includes");
	const json_t *exc = json_object_get(rule, "excludes");
	const char *k;

	if (json_array_size(json_object_get(exc, "arches")) > 0 &&
	    in_array(json_object_get(exc, "arches"), arch))
		return 0;
	if (caps_any(json_object_get(exc, "caps")))
		return 0;
	if ((k = json_string_value(json_object_get(exc, "minKernel"))) &&
	    kernel_at_least(k))
		return 0;
	if (json_array_size(json_object_get(inc, "arches")) > 0 &&
	    !in_array(json_object_get(inc, "arches"), arch))
		return 0;
	if (!caps_all(json_object_get(inc, "caps")))
		return 0;
	if ((k = json_string_value(json_object_get(inc, "minKernel"))) &&
	    !kernel_at_least(k))
		return 0;
	return 1;
}

/* The OCI form of a rule: names, action, errnoRet, args. */
static json_t *
oci_rule(const json_t *rule)
{
	json_t *out = json_object(), *v;

	json_object_set_new(out, "names",
	    json_deep_copy(json_object_get(rule, "names")));
	json_object_set(out, "action", json_object_get(rule, "action"));
	if (json_is_integer(v = json_object_get(rule, "errnoRet")))
		json_object_set(out, "errnoRet", v);
	if (json_array_size(v = json_object_get(rule, "args")) > 0)
		json_object_set(out, "args", v);
	return out;
}

/* The architectures the filter covers: arch and its sub-architectures. */
static json_t *
architectures(const json_t *profile, const char *native)
{
	json_t *out = json_array(), *m, *sub;
	size_t i, j;

	json_array_foreach(json_object_get(profile, "archMap"), i, m) {
		if (!json_is_string(json_object_get(m, "architecture")) ||
		    strcmp(json_string_value(json_object_get(m,
		    "architecture")), native) != 0)
			continue;
		json_array_append_new(out, json_string(native));
		json_array_foreach(json_object_get(m, "subArchitectures"), j,
		    sub) {
			if (json_is_string(sub))
				json_array_append(out, sub);
		}
	}
	return out;
}

/* Is name one of admin_only? */
static int
admin_only_call(const char *name)
{
	size_t i;

	for (i = 0; admin_only[i] != NULL; i++)
		if (strcmp(admin_only[i], name) == 0)
			return 1;
	return 0;
}

/* Take the admin_only calls out of the rules that allow them, and add
 * Docker's rules for them. */
static void
restrict_admin(json_t *rules)
{
	json_t *rule, *names, *name;
	const char *action;
	size_t i = 0, j;

	while (i < json_array_size(rules)) {
		rule = json_array_get(rules, i);
		action = json_string_value(json_object_get(rule, "action"));
		names = json_object_get(rule, "names");
		for (j = 0; action != NULL && strcmp(action,
		    "SCMP_ACT_ALLOW") == 0 && j < json_array_size(names); ) {
			name = json_array_get(names, j);
			if (json_is_string(name) &&
			    admin_only_call(json_string_value(name)))
				json_array_remove(names, j);
			else
				j++;
		}
		/* A rule with no call left would be refused by the runtime. */
		if (json_array_size(names) == 0)
			json_array_remove(rules, i);
		else
			i++;
	}
	json_array_append_new(rules, json_pack("{s:[ssssssssssssssss], s:s, "
	    "s:i}", "names", "unshare", "setns", "mount", "umount", "umount2",
	    "pivot_root", "fsopen", "fsmount", "fsconfig", "move_mount",
	    "open_tree", "mount_setattr", "keyctl", "add_key", "request_key",
	    "reboot", "action", "SCMP_ACT_ERRNO", "errnoRet", 1));
	json_array_append_new(rules, json_pack("{s:[s], s:s, s:i}", "names",
	    "clone3", "action", "SCMP_ACT_ERRNO", "errnoRet", 38));
	json_array_append_new(rules, json_pack("{s:[s], s:s, s:[{s:i, s:I, "
	    "s:i, s:s}]}", "names", "clone", "action", "SCMP_ACT_ALLOW",
	    "args", "index", 0, "value", (json_int_t)CLONE_NAMESPACES,
	    "valueTwo", 0, "op", "SCMP_CMP_MASKED_EQ"));
}

json_t *
local_seccomp_translate(const json_t *profile, const char *arch, char *why,
    size_t n)
{
	const char *native = native_arch(arch);
	json_t *out, *rules, *rule;
	size_t i;

	if (!json_is_string(json_object_get(profile, "defaultAction")) ||
	    !json_is_array(json_object_get(profile, "syscalls"))) {
		snprintf(why, n, "not a seccomp profile: it needs "
		    "defaultAction and syscalls");
		return NULL;
	}
	if (native == NULL) {
		snprintf(why, n, "no seccomp architecture for %s", arch);
		return NULL;
	}
	rules = json_array();
	json_array_foreach(json_object_get(profile, "syscalls"), i, rule) {
		if (json_is_array(json_object_get(rule, "names")) &&
		    rule_applies(rule, arch))
			json_array_append_new(rules, oci_rule(rule));
	}
	restrict_admin(rules);
	out = json_pack("{s:O, s:o, s:o}", "defaultAction",
	    json_object_get(profile, "defaultAction"), "architectures",
	    architectures(profile, native), "syscalls", rules);
	if (json_is_integer(json_object_get(profile, "defaultErrnoRet")))
		json_object_set(out, "defaultErrnoRet",
		    json_object_get(profile, "defaultErrnoRet"));
	return out;
}

json_t *
local_seccomp_load(const char *path, char *why, size_t n)
{
	json_error_t jerr;
	json_t *profile, *out;
	size_t len;

	if ((profile = json_load_file(path, 0, &jerr)) == NULL) {
		snprintf(why, n, "seccomp profile %s: %s", path, jerr.text);
		return NULL;
	}
	len = (size_t)snprintf(why, n, "seccomp profile %s: ", path);
	out = local_seccomp_translate(profile, local_host_arch(),
	    why + (len < n ? len : 0), len < n ? n - len : 0);
	json_decref(profile);
	return out;
}

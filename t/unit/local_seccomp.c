/* local_seccomp.c — Docker's profile format to the OCI spec's: which
 * rules apply (architectures, capabilities, kernel), what they keep,
 * and the calls Docker refuses without CAP_SYS_ADMIN. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "local_seccomp.h"

static int ntest;

/* One TAP result. */
static void
ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, what);
}

/* Is name among the names of a rule of out with action (and args when
 * with_args)? */
static int
has(const json_t *out, const char *name, const char *action, int with_args)
{
	json_t *rule, *n;
	size_t i, j;

	json_array_foreach(json_object_get(out, "syscalls"), i, rule) {
		if (strcmp(json_string_value(json_object_get(rule, "action")),
		    action) != 0 || (json_object_get(rule, "args") != NULL) !=
		    with_args)
			continue;
		json_array_foreach(json_object_get(rule, "names"), j, n) {
			if (strcmp(json_string_value(n), name) == 0)
				return 1;
		}
	}
	return 0;
}

static const char profile[] = "{"
    "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
    "\"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\","
    "  \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]},"
    " {\"architecture\": \"SCMP_ARCH_AARCH64\","
    "  \"subArchitectures\": [\"SCMP_ARCH_ARM\"]}],"
    "\"syscalls\": ["
    " {\"names\": [\"read\", \"write\", \"unshare\", \"clone\", \"mount\"],"
    "  \"action\": \"SCMP_ACT_ALLOW\"},"
    " {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
    "  \"args\": [{\"index\": 0, \"value\": 8, \"valueTwo\": 0,"
    "  \"op\": \"SCMP_CMP_EQ\"}]},"
    " {\"names\": [\"arch_prctl\"], \"action\": \"SCMP_ACT_ALLOW\","
    "  \"includes\": {\"arches\": [\"amd64\"]}},"
    " {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ALLOW\","
    "  \"includes\": {\"caps\": [\"CAP_SYS_PTRACE\"]}},"
    " {\"names\": [\"chroot\"], \"action\": \"SCMP_ACT_ALLOW\","
    "  \"includes\": {\"caps\": [\"CAP_SYS_CHROOT\"]}},"
    " {\"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1,"
    "  \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
    " {\"names\": [\"acct\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1,"
    "  \"excludes\": {\"caps\": [\"CAP_KILL\"]}},"
    " {\"names\": [\"old\"], \"action\": \"SCMP_ACT_ALLOW\","
    "  \"includes\": {\"minKernel\": \"99.0\"}},"
    " {\"names\": [\"mount_setattr\"], \"action\": \"SCMP_ACT_ALLOW\"}"
    "]}";

int
main(void)
{
	json_t *in = json_loads(profile, 0, NULL), *out;
	char why[256] = "";

	out = local_seccomp_translate(in, "amd64", why, sizeof(why));
	ok(out != NULL, "a profile translates");
	ok(strcmp(json_string_value(json_object_get(out, "defaultAction")),
	    "SCMP_ACT_ERRNO") == 0 && json_integer_value(json_object_get(out,
	    "defaultErrnoRet")) == 38, "the default action and errno are kept");
	ok(json_array_size(json_object_get(out, "architectures")) == 3 &&
	    strcmp(json_string_value(json_array_get(json_object_get(out,
	    "architectures"), 0)), "SCMP_ARCH_X86_64") == 0,
	    "the architecture and its sub-architectures");
	ok(has(out, "read", "SCMP_ACT_ALLOW", 0) &&
	    has(out, "write", "SCMP_ACT_ALLOW", 0), "plain rules are kept");
	ok(has(out, "personality", "SCMP_ACT_ALLOW", 1),
	    "a rule with arguments keeps them");
	ok(has(out, "arch_prctl", "SCMP_ACT_ALLOW", 0),
	    "a rule for this architecture applies");
	ok(!has(out, "ptrace", "SCMP_ACT_ALLOW", 0),
	    "a rule for a capability the sandbox lacks does not apply");
	ok(has(out, "chroot", "SCMP_ACT_ALLOW", 0),
	    "a rule for a capability of Docker's set applies");
	ok(has(out, "bpf", "SCMP_ACT_ERRNO", 0),
	    "a refusal excluded for a capability the sandbox lacks applies");
	ok(!has(out, "acct", "SCMP_ACT_ERRNO", 0),
	    "a refusal excluded for a capability it has does not");
	ok(!has(out, "old", "SCMP_ACT_ALLOW", 0),
	    "a rule for a newer kernel does not apply");
	ok(!has(out, "unshare", "SCMP_ACT_ALLOW", 0) &&
	    !has(out, "mount", "SCMP_ACT_ALLOW", 0) &&
	    !has(out, "mount_setattr", "SCMP_ACT_ALLOW", 0) &&
	    has(out, "unshare", "SCMP_ACT_ERRNO", 0) &&
	    has(out, "mount", "SCMP_ACT_ERRNO", 0),
	    "namespaces and mounts are refused, as Docker refuses them");
	ok(!has(out, "clone", "SCMP_ACT_ALLOW", 0) &&
	    has(out, "clone", "SCMP_ACT_ALLOW", 1) &&
	    has(out, "clone3", "SCMP_ACT_ERRNO", 0),
	    "clone only without namespace flags; clone3 not at all");
	json_decref(out);

	out = local_seccomp_translate(in, "arm64", why, sizeof(why));
	ok(out != NULL && !has(out, "arch_prctl", "SCMP_ACT_ALLOW", 0) &&
	    strcmp(json_string_value(json_array_get(json_object_get(out,
	    "architectures"), 0)), "SCMP_ARCH_AARCH64") == 0,
	    "another architecture: its rules, its sub-architectures");
	json_decref(out);

	ok(local_seccomp_translate(in, "mips", why, sizeof(why)) == NULL &&
	    strcmp(why, "no seccomp architecture for mips") == 0,
	    "an architecture with no name: refused, saying so");
	json_decref(in);
	in = json_loads("{\"syscalls\": []}", 0, NULL);
	ok(local_seccomp_translate(in, "amd64", why, sizeof(why)) == NULL &&
	    strcmp(why, "not a seccomp profile: it needs defaultAction and "
	    "syscalls") == 0, "no defaultAction: not a profile");
	json_decref(in);
	ok(local_seccomp_load("/nonexistent/seccomp.json", why,
	    sizeof(why)) == NULL && strncmp(why, "seccomp profile "
	    "/nonexistent/seccomp.json: unable to open", 50) == 0,
	    "a missing profile: its path, and why");
	out = local_seccomp_load(LOCAL_SECCOMP_PROFILE, why, sizeof(why));
	ok(out == NULL || (has(out, "read", "SCMP_ACT_ALLOW", 0) &&
	    has(out, "mount", "SCMP_ACT_ERRNO", 0)),
	    "the installed profile translates (when there is one)");
	json_decref(out);
	printf("1..%d\n", ntest);
	return 0;
}

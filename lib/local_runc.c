/*
 * local_runc.c — running the OCI runtime and the local runtime's other
 * tools.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "local_runc.h"

/* The Debian package each tool comes in. */
static const char *const packages[][2] = { { "runc", "runc" },
    { "crun", "crun" }, { "runsc", "gvisor (gVisor's runsc)" },
    { "slirp4netns", "slirp4netns" }, { "nft", "nftables" },
    { "dnsmasq", "dnsmasq-base" } };

/* The package that has name, or name itself. */
static const char *
package_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(packages) / sizeof(packages[0]); i++)
		if (strcmp(packages[i][0], name) == 0)
			return packages[i][1];
	return name;
}

int
local_find_tool(const char *name, char *path, char *why, size_t n)
{
	const char *env = getenv("PATH");
	char dirs[4096], *dir, *save = NULL;

	if (strchr(name, '/') != NULL) {
		if (access(name, X_OK) == 0 && realpath(name, path) != NULL)
			return 0;
		snprintf(why, n, "%s: %s", name, strerror(errno));
		return -1;
	}
	snprintf(dirs, sizeof(dirs), "%s:/usr/local/sbin:/usr/sbin:/sbin",
	    env != NULL ? env : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		if (snprintf(path, PATH_MAX, "%s/%s", dir, name) < PATH_MAX &&
		    access(path, X_OK) == 0)
			return 0;
	}
	snprintf(why, n, "%s not found: apt-get install %s", name,
	    package_of(name));
	return -1;
}

/* The last error the runtime logged (its JSON lines' "msg"). */
static void
last_error(const char *log, char *why, size_t n)
{
	char line[2048];
	json_t *j;
	FILE *f;

	if ((f = fopen(log, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((j = json_loads(line, 0, NULL)) == NULL) {
			/* Not JSON: a runtime that writes plain text. */
			line[strcspn(line, "\n")] = '\0';
			if (*line != '\0')
				snprintf(why, n, "%s", line);
			continue;
		}
		if (json_is_string(json_object_get(j, "msg")) &&
		    strcmp(json_string_value(json_object_get(j, "level")) ?
		    json_string_value(json_object_get(j, "level")) : "",
		    "error") == 0)
			snprintf(why, n, "%s", json_string_value(
			    json_object_get(j, "msg")));
		json_decref(j);
	}
	fclose(f);
}

/* In the child: descriptors in place, then exec the runtime. */
static void __attribute__((noreturn))
exec_runtime(const struct local_runc *r, char *const args[])
{
	char *argv[32];
	int null = open("/dev/null", O_RDWR), i, n = 0, fd = 3;

	argv[n++] = (char *)r->runtime;
	argv[n++] = "--root";
	argv[n++] = (char *)r->root;
	argv[n++] = "--log";
	argv[n++] = (char *)r->log;
	argv[n++] = "--log-format";
	argv[n++] = "json";
	for (i = 0; args[i] != NULL && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	dup2(null, STDIN_FILENO);
	dup2(r->out != -1 ? r->out : null, STDOUT_FILENO);
	dup2(r->out != -1 ? r->out : null, STDERR_FILENO);
	/* Move the kept descriptors out of the way, then into 3, 4, ... */
	for (i = 0; r->keep != NULL && r->keep[i] != -1; i++)
		if (r->keep[i] < 64 && dup2(r->keep[i], 64 + i) == -1)
			_exit(126);
	for (i = 0; r->keep != NULL && r->keep[i] != -1; i++)
		if (dup2(r->keep[i] < 64 ? 64 + i : r->keep[i], fd++) == -1)
			_exit(126);
	syscall(SYS_close_range, fd, ~0U, 0);
	for (i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	execv(r->runtime, argv);
	_exit(127);
}

int
local_runc(const struct local_runc *r, char *const args[], char *why,
    size_t n)
{
	sigset_t all, old;
	int status;
	pid_t pid;

	*why = '\0';
	(void)!truncate(r->log, 0);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		exec_runtime(r, args);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		snprintf(why, n, "fork: %s", strerror(errno));
		return -1;
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	last_error(r->log, why, n);
	if (*why == '\0')
		snprintf(why, n, "%s %s: exited with status %d", r->runtime,
		    args[0], WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
		    WTERMSIG(status));
	return -1;
}

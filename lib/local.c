/*
 * local.c — the embedded local runtime's API: requests and replies in the
 * lifecycle API's JSON, over the records of local_state.c and the
 * supervisors of local_super.c. A record is changed first, under its lock,
 * and its supervisor signalled after; a sandbox whose supervisor is gone
 * is marked Failed by whoever reads it first.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "local.h"
#include "local_event.h"
#include "local_egress_api.h"
#include "local_net.h"
#include "local_plan.h"
#include "local_runc.h"
#include "local_state.h"
#include "local_super.h"

#define EXECD_PORT	LOCAL_EXECD_PORT
#define STOP_WAIT_MS	10000
#define FREEZE_WAIT_MS	10000
#define RUNTIME		"RUNTIME_ERROR"

/* mkdir -p path, 0700. 0 or -1. */
static int
make_dirs(char *path)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0700) == -1 && errno != EEXIST ? -1 : 0;
}

/* The state directory when none is given: $XDG_STATE_HOME/osb, else
 * ~/.local/state/osb. */
static int
default_dir(char *buf, struct osb_error *err)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (xdg != NULL && *xdg == '/')
		n = snprintf(buf, PATH_MAX, "%s/osb", xdg);
	else if (home != NULL && *home != '\0')
		n = snprintf(buf, PATH_MAX, "%s/.local/state/osb", home);
	else {
		osb_error_set(err, 0, "", "local runtime: no state directory "
		    "(set XDG_STATE_HOME or HOME)");
		return -1;
	}
	if (n < 0 || n >= PATH_MAX) {
		osb_error_set(err, 0, "", "local runtime: state path too long");
		return -1;
	}
	return 0;
}

/* osb-execd next to the running program (in bin/), osb-init in the
 * libexec/osb beside that bin/. */
static void
find_execd(struct osb_local *l)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	strlcpy(l->execd, "osb-execd", sizeof(l->execd));
	strlcpy(l->init, "osb-init", sizeof(l->init));
	if (n <= 0)
		return;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return;
	*slash = '\0';
	if (snprintf(l->execd, sizeof(l->execd), "%s/osb-execd", self) >=
	    (int)sizeof(l->execd))
		strlcpy(l->execd, "osb-execd", sizeof(l->execd));
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	if (snprintf(l->init, sizeof(l->init), "%s/libexec/osb/osb-init",
	    self) >= (int)sizeof(l->init))
		strlcpy(l->init, "osb-init", sizeof(l->init));
}

/* The state directory made, osb-execd found. */
struct osb_local *
osb_local_open(const char *state_dir, struct osb_error *err)
{
	struct osb_local *l;
	const char *runtime;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		osb_error_set(err, 0, "", "local runtime: out of memory");
		return NULL;
	}
	if (state_dir != NULL)
		strlcpy(l->dir, state_dir, sizeof(l->dir));
	else if (default_dir(l->dir, err) == -1) {
		free(l);
		return NULL;
	}
	if (make_dirs(l->dir) == -1) {
		osb_error_set(err, 0, "", "local runtime: %s: %s", l->dir,
		    strerror(errno));
		free(l);
		return NULL;
	}
	find_execd(l);
	runtime = getenv("OSB_RUNTIME");
	strlcpy(l->runtime, runtime && *runtime ? runtime :
	    LOCAL_DEFAULT_RUNTIME, sizeof(l->runtime));
	return l;
}

/* The OCI runtime new sandboxes run on. */
void
osb_local_set_runtime(struct osb_local *l, const char *runtime)
{
	strlcpy(l->runtime, runtime, sizeof(l->runtime));
}

/* Restrict host volumes and image directories to these prefixes. */
void
osb_local_restrict(struct osb_local *l, const char *const *host_paths,
    const char *const *image_paths)
{
	l->restricted = 1;
	l->host_paths = host_paths;
	l->image_paths = image_paths;
}

/* Release the runtime handle (the sandboxes run on). */
void
osb_local_close(struct osb_local *l)
{
	free(l);
}

/* local_change_fn: Failed, when the supervisor is still found gone under
 * the lock (it may have finished a change meanwhile). */
static int
mark_failed(json_t *rec, void *arg, struct osb_error *err)
{
	char msg[128];

	(void)arg;
	(void)err;
	if (local_state_final(local_state_of(rec)) ||
	    local_proc_alive(rec, "supervisor"))
		return 1;
	snprintf(msg, sizeof(msg), "its supervisor (pid %lld) is gone",
	    (long long)local_runtime_int(rec, "supervisor"));
	local_set_status(rec, "Failed", "supervisor_died", msg);
	return 0;
}

/* The record of id, marked Failed first when its supervisor is gone. */
static json_t *
read_checked(struct osb_local *l, const char *id, struct osb_error *err)
{
	json_t *rec, *after = NULL;

	if ((rec = local_read(l, id, err)) == NULL)
		return NULL;
	if (local_state_final(local_state_of(rec)) ||
	    local_proc_alive(rec, "supervisor"))
		return rec;
	if (local_update(l, id, mark_failed, NULL, &after, err) == -1) {
		json_decref(rec);
		return NULL;
	}
	local_super_reap(l, after);
	json_decref(rec);
	return after;
}

/* A new reference to the Sandbox object of rec; drops rec. */
static json_t *
sandbox_of(json_t *rec)
{
	json_t *sb = json_incref(json_object_get(rec, "sandbox"));

	json_decref(rec);
	return sb;
}

/* Read the supervisor's verdict on the create from fd (it closes it). */
static int
read_verdict(int fd, char *buf, size_t n)
{
	size_t len = 0;
	ssize_t got;

	while (len + 1 < n) {
		got = read(fd, buf + len, n - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	buf[len] = '\0';
	close(fd);
	return strcmp(buf, "ok") == 0 ? 0 : -1;
}

/* The CreateSandboxResponse fields of a Sandbox. */
static json_t *
create_response(const json_t *sb)
{
	static const char *const keys[] = { "id", "status", "metadata",
	    "platform", "expiresAt", "createdAt", "entrypoint" };
	json_t *reply = json_object(), *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((v = json_object_get(sb, keys[i])) != NULL)
			json_object_set(reply, keys[i], v);
	return reply;
}

/* Check the request, start a supervisor, and wait for its verdict. */
int
osb_local_create(struct osb_local *l, const json_t *request, json_t **sandbox,
    struct osb_error *err)
{
	struct local_plan plan;
	char id[LOCAL_ID_LEN + 1], verdict[600], path[PATH_MAX];
	json_t *rec;
	int fd;

	local_id_new(id);
	if ((rec = local_plan_make(l, request, id, &plan, err)) == NULL) {
		osb_error_prefix(err, "create sandbox");
		return -1;
	}
	if (access(l->execd, X_OK) == -1 || access(l->init, X_OK) == -1) {
		osb_error_set(err, 500, RUNTIME, "create sandbox: %s: %s (%s)",
		    access(l->execd, X_OK) ? l->execd : l->init,
		    strerror(errno), access(l->execd, X_OK) ? "it must be next "
		    "to this program" : "the sandboxes' init, installed with "
		    "osb");
		fd = -1;
	} else if (local_find_tool(l->runtime, path, verdict,
	    sizeof(verdict)) == -1) {
		osb_error_set(err, 500, RUNTIME, "create sandbox: %s",
		    verdict);
		fd = -1;
	} else
		fd = local_super_start(l, rec, &plan, err);
	local_plan_free(&plan);
	json_decref(rec);
	if (fd == -1)
		return -1;
	if (read_verdict(fd, verdict, sizeof(verdict)) == -1) {
		osb_error_set(err, 500, RUNTIME, "create sandbox: %s",
		    *verdict ? verdict : "its supervisor ended without a word");
		return -1;
	}
	if ((rec = read_checked(l, id, err)) == NULL)
		return -1;
	*sandbox = create_response(json_object_get(rec, "sandbox"));
	json_decref(rec);
	return 0;
}

/* Order of osb_local_list: oldest first, then by id. */
static int
by_age(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *cx = json_string_value(json_object_get(x, "createdAt"));
	const char *cy = json_string_value(json_object_get(y, "createdAt"));
	int c = strcmp(cx ? cx : "", cy ? cy : "");

	return c != 0 ? c : strcmp(json_string_value(json_object_get(x, "id")),
	    json_string_value(json_object_get(y, "id")));
}

/* Every sandbox there is, oldest first. */
int
osb_local_list(struct osb_local *l, json_t **sandboxes, struct osb_error *err)
{
	struct osb_error ignored = { 0 };
	json_t **all, *rec;
	char **ids;
	size_t n, i, got = 0;

	if (local_ids(l, &ids, &n, err) == -1)
		return -1;
	if ((all = calloc(n + 1, sizeof(*all))) == NULL) {
		local_ids_free(ids, n);
		osb_error_set(err, 500, RUNTIME, "list sandboxes: out of memory");
		return -1;
	}
	/* A sandbox going away meanwhile is simply not listed. */
	for (i = 0; i < n; i++)
		if ((rec = read_checked(l, ids[i], &ignored)) != NULL)
			all[got++] = sandbox_of(rec);
	local_ids_free(ids, n);
	qsort(all, got, sizeof(*all), by_age);
	*sandboxes = json_array();
	for (i = 0; i < got; i++)
		json_array_append_new(*sandboxes, all[i]);
	free(all);
	return 0;
}

/* The Sandbox object of id. */
int
osb_local_get(struct osb_local *l, const char *id, json_t **sandbox,
    struct osb_error *err)
{
	json_t *rec;

	if ((rec = read_checked(l, id, err)) == NULL)
		return -1;
	*sandbox = json_deep_copy(json_object_get(rec, "sandbox"));
	json_decref(rec);
	return 0;
}

/* Wait up to ms for process pid to end. 0, or -1 when it did not. */
static int
wait_gone(pid_t pid, int ms)
{
	struct pollfd p;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd == -1)
		return errno == ESRCH ? 0 : -1;
	p.fd = fd;
	p.events = POLLIN;
	while (poll(&p, 1, ms) == -1 && errno == EINTR)
		;
	close(fd);
	return p.revents & POLLIN ? 0 : -1;
}

/* Remove whatever is left of sandbox id: the tree, its cgroups, the
 * directory (the record first). */
static void
remove_remains(struct osb_local *l, const char *id, const json_t *rec)
{
	char path[PATH_MAX];
	int fd;

	local_super_reap(l, rec);
	if ((fd = local_lock(l, id)) == -1)
		return;
	if (local_path(l, id, "state.json", path) == 0)
		unlink(path);
	local_unlock(fd);
	if (local_path(l, id, NULL, path) == 0)
		local_remove_tree(path);
}

/* local_change_fn: Stopping, for a kill; refused while already ending. */
static int
set_stopping(json_t *rec, void *arg, struct osb_error *err)
{
	(void)arg;
	(void)err;
	if (strcmp(local_state_of(rec), "Stopping") == 0)
		return 1;
	local_set_status(rec, "Stopping", "user_delete", "killing the sandbox");
	return 0;
}

/* Kill sandbox id: its supervisor ends the tree; whatever is left
 * (a supervisor gone) is cleaned up here. */
int
osb_local_delete(struct osb_local *l, const char *id, struct osb_error *err)
{
	json_t *rec;
	pid_t sup;

	if ((rec = read_checked(l, id, err)) == NULL)
		return -1;
	sup = (pid_t)local_runtime_int(rec, "supervisor");
	if (!local_state_final(local_state_of(rec))) {
		json_decref(rec);
		if (local_update(l, id, set_stopping, NULL, &rec, err) == -1)
			return -1;
		/* The supervisor ends the tree and removes the sandbox. */
		if (local_super_signal(rec, SIGTERM) == 0 &&
		    wait_gone(sup, STOP_WAIT_MS) == -1)
			kill(sup, SIGKILL);
	}
	remove_remains(l, id, rec);
	json_decref(rec);
	return 0;
}

/* A state change the supervisor completes: from → during, then wait
 * until it leaves during. */
struct transition {
	const char *from, *during, *verb;
};

/* local_change_fn: from → during, or 409 naming the state it is in. */
static int
begin_transition(json_t *rec, void *arg, struct osb_error *err)
{
	const struct transition *t = arg;
	const char *state = local_state_of(rec);
	const char *id = json_string_value(json_object_get(json_object_get(rec,
	    "sandbox"), "id"));

	if (strcmp(state, t->from) != 0) {
		osb_error_set(err, 409, "SANDBOX_STATE_CONFLICT", "%s sandbox "
		    "%s: it is %s, and only a %s sandbox can be %sd", t->verb,
		    id, state, t->from, t->verb);
		return -1;
	}
	local_set_status(rec, t->during, NULL, NULL);
	return 0;
}

/* Sleep a little while waiting for a supervisor. */
static void
nap(void)
{
	struct timespec ts = { 0, 2 * 1000000 };

	nanosleep(&ts, NULL);
}

/* Ask the supervisor for a transition and wait for its end. */
static int
transition(struct osb_local *l, const char *id, const struct transition *t,
    int sig, struct osb_error *err)
{
	json_t *rec;
	int waited;

	if ((rec = read_checked(l, id, err)) == NULL)
		return -1;
	json_decref(rec);
	if (local_update(l, id, begin_transition, (void *)t, &rec, err) == -1)
		return -1;
	if (local_super_signal(rec, sig) == -1) {
		json_decref(rec);
		osb_error_set(err, 500, RUNTIME, "%s sandbox %s: its supervisor "
		    "is gone", t->verb, id);
		return -1;
	}
	for (waited = 0; waited < FREEZE_WAIT_MS; waited += 2) {
		json_decref(rec);
		if ((rec = local_read(l, id, err)) == NULL)
			return -1;
		if (strcmp(local_state_of(rec), t->during) != 0) {
			json_decref(rec);
			return 0;
		}
		nap();
	}
	json_decref(rec);
	osb_error_set(err, 500, RUNTIME, "%s sandbox %s: still %s after %d s",
	    t->verb, id, t->during, FREEZE_WAIT_MS / 1000);
	return -1;
}

/* Running → Pausing → Paused, by the supervisor. */
int
osb_local_pause(struct osb_local *l, const char *id, struct osb_error *err)
{
	static const struct transition t = { "Running", "Pausing", "pause" };

	return transition(l, id, &t, SIGUSR1, err);
}

/* Paused → Resuming → Running, by the supervisor. */
int
osb_local_resume(struct osb_local *l, const char *id, struct osb_error *err)
{
	static const struct transition t = { "Paused", "Resuming", "resume" };

	return transition(l, id, &t, SIGUSR2, err);
}

/* local_change_fn: the new expiresAt, to a sandbox still alive. */
static int
set_expiry(json_t *rec, void *arg, struct osb_error *err)
{
	const char *state = local_state_of(rec);

	if (local_state_final(state) || strcmp(state, "Stopping") == 0) {
		osb_error_set(err, 409, "SANDBOX_STATE_CONFLICT", "renew "
		    "sandbox %s: it is %s", json_string_value(json_object_get(
		    json_object_get(rec, "sandbox"), "id")), state);
		return -1;
	}
	json_object_set_new(json_object_get(rec, "sandbox"), "expiresAt",
	    json_string(arg));
	return 0;
}

/* A new expiresAt, in the future; the supervisor rearms its timer. */
int
osb_local_renew(struct osb_local *l, const char *id, const char *expires_at,
    json_t **reply, struct osb_error *err)
{
	char when[32];
	json_t *rec;
	int64_t ms;

	if (local_time_parse(expires_at, &ms) == -1) {
		osb_error_set(err, 400, "INVALID_REQUEST", "renew sandbox %s: "
		    "expiresAt: '%s' is not an RFC 3339 time", id, expires_at);
		return -1;
	}
	if (ms <= local_now_ms()) {
		osb_error_set(err, 400, "INVALID_REQUEST", "renew sandbox %s: "
		    "expiresAt %s is not in the future", id, expires_at);
		return -1;
	}
	if ((rec = read_checked(l, id, err)) == NULL)
		return -1;
	json_decref(rec);
	local_time_format(ms, when, sizeof(when));
	if (local_update(l, id, set_expiry, when, &rec, err) == -1)
		return -1;
	local_super_signal(rec, SIGHUP);
	json_decref(rec);
	*reply = json_pack("{s:s}", "expiresAt", when);
	return 0;
}

/* local_change_fn: RFC 7396 merge of the patch into metadata. */
static int
merge_metadata(json_t *rec, void *arg, struct osb_error *err)
{
	json_t *meta = json_object_get(json_object_get(rec, "sandbox"),
	    "metadata"), *v;
	const json_t *patch = arg;
	const char *k;

	if (!json_is_object(meta)) {
		meta = json_object();
		json_object_set_new(json_object_get(rec, "sandbox"),
		    "metadata", meta);
	}
	json_object_foreach((json_t *)patch, k, v) {
		if (strncmp(k, "opensandbox.io/", 15) == 0) {
			osb_error_set(err, 400, "INVALID_REQUEST", "metadata "
			    "key %s: the opensandbox.io/ prefix is reserved",
			    k);
			return -1;
		}
		if (json_is_null(v))
			json_object_del(meta, k);
		else if (json_is_string(v))
			json_object_set(meta, k, v);
		else {
			osb_error_set(err, 400, "INVALID_REQUEST", "metadata "
			    "key %s: the value must be a string or null", k);
			return -1;
		}
	}
	return 0;
}

/* Merge patch into the metadata of id. */
int
osb_local_patch_metadata(struct osb_local *l, const char *id,
    const json_t *patch, json_t **metadata, struct osb_error *err)
{
	json_t *rec;

	if (!json_is_object(patch)) {
		osb_error_set(err, 400, "INVALID_REQUEST", "patch metadata of "
		    "sandbox %s: the patch must be a JSON object", id);
		return -1;
	}
	if ((rec = read_checked(l, id, err)) == NULL)
		return -1;
	json_decref(rec);
	if (local_update(l, id, merge_metadata, (void *)patch, &rec, err) == -1)
		return -1;
	*metadata = json_deep_copy(json_object_get(json_object_get(rec,
	    "sandbox"), "metadata"));
	json_decref(rec);
	return 0;
}

/* Where port of sandbox id is reached from here, with the headers
 * to send: its own loopback address, the port published there on first
 * asking; the execd token for execd's port. */
int
osb_local_endpoint(struct osb_local *l, const char *id, int port,
    json_t **endpoint, struct osb_error *err)
{
	const char *addr, *token;
	char where[64], sock[PATH_MAX], why[300];
	json_t *rec;

	if (port < 1 || port > 65535) {
		osb_error_set(err, 400, "INVALID_REQUEST", "endpoint of sandbox "
		    "%s: port %d is not in 1-65535", id, port);
		return -1;
	}
	if ((rec = read_checked(l, id, err)) == NULL)
		return -1;
	addr = local_runtime_str(rec, "address");
	token = local_runtime_str(rec, "token");
	if (addr == NULL || local_state_final(local_state_of(rec))) {
		osb_error_set(err, 409, "SANDBOX_STATE_CONFLICT", "endpoint of "
		    "sandbox %s: it is %s", id, local_state_of(rec));
		json_decref(rec);
		return -1;
	}
	if (port != EXECD_PORT && port != LOCAL_EGRESS_PORT &&
	    (local_path(l, id, "network.sock",
	    sock) == -1 || local_net_publish(sock, addr, port, why,
	    sizeof(why)) == -1)) {
		osb_error_set(err, 500, RUNTIME, "endpoint of sandbox %s: %s",
		    id, why);
		json_decref(rec);
		return -1;
	}
	snprintf(where, sizeof(where), "%s:%d", addr, port);
	*endpoint = json_pack("{s:s, s:{}}", "endpoint", where, "headers");
	if (port == EXECD_PORT && token != NULL)
		json_object_set_new(json_object_get(*endpoint, "headers"),
		    "X-EXECD-ACCESS-TOKEN", json_string(token));
	/* The egress API is the supervisor's, on the host: no port of
	 * the sandbox's to publish. */
	token = local_runtime_str(rec, "egressToken");
	if (port == LOCAL_EGRESS_PORT && token != NULL)
		json_object_set_new(json_object_get(*endpoint, "headers"),
		    LOCAL_EGRESS_HEADER, json_string(token));
	json_decref(rec);
	return 0;
}

/*
 * common.c — what the subcommands of osb-sandbox share: errors, ids from
 * prefixes, printing, and waiting for a sandbox to be ready.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "sandbox.h"

/* "osb-sandbox: message (status CODE)" on stderr; 1. */
int
fail(const struct osb_error *err)
{
	osb_print_error(PROG, err);
	return 1;
}

/* An exact id or a unique prefix, through the lifecycle client. */
int
resolve_id(struct ctx *c, const char *ref, char **id)
{
	struct osb_error err = { 0 };

	if (osb_lifecycle_complete_id(c->lc, ref, id, &err) == -1) {
		fail(&err);
		return -1;
	}
	return 0;
}

/* osb_print in the chosen format, without columns. */
int
print_doc(const struct ctx *c, const json_t *doc)
{
	return osb_print(stdout, c->cfg.format, doc, NULL, 0) == -1 ? 1 : 0;
}

/* What get and create show as a table: status and image flattened,
 * empty objects left out, "never" for no expiry. */
json_t *
sandbox_view(const json_t *sb)
{
	static const char *const rest[] = { "entrypoint", "metadata",
	    "resourceLimits", "env", "networkPolicy", "volumes", "extensions",
	    "platform", "createdAt", "expiresAt" };
	const json_t *status = json_object_get(sb, "status");
	json_t *v;
	json_t *view = json_object();
	size_t i;

	json_object_set(view, "id", json_object_get(sb, "id"));
	json_object_set(view, "status", json_object_get(status, "state"));
	if ((v = json_object_get(status, "reason")) != NULL)
		json_object_set(view, "status_reason", v);
	if ((v = json_object_get(status, "message")) != NULL)
		json_object_set(view, "status_message", v);
	if ((v = json_object_get(json_object_get(sb, "image"), "uri")) != NULL)
		json_object_set(view, "image", v);
	for (i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		if ((v = json_object_get(sb, rest[i])) != NULL &&
		    !(json_is_object(v) && json_object_size(v) == 0))
			json_object_set(view, rest[i], v);
	if (json_object_get(view, "expiresAt") == NULL)
		json_object_set_new(view, "expiresAt", json_string("never"));
	return view;
}

/* nanosleep for ms milliseconds. */
void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* GET /ping on the sandbox's execd, a few seconds at most. */
int
ping_execd(struct ctx *c, const char *id, struct osb_error *err)
{
	struct osb_http_req req = { .path = "/ping", .what = "ping execd" };
	struct osb_endpoint ep;
	int rc;

	if (osb_lifecycle_execd(c->lc, id, &ep, err) == -1)
		return -1;
	if (ep.timeout_s == 0 || ep.timeout_s > 3)
		ep.timeout_s = 3;
	rc = osb_http_do(&ep, &req, NULL, err);
	osb_endpoint_free(&ep);
	if (rc == -1)
		osb_error_prefix(err, "sandbox %s", id);
	return rc;
}

/* Milliseconds on a clock that only goes forward. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for state Running; 0, or -1 with err set. */
static int
wait_running(struct ctx *c, const char *id, int64_t deadline,
    struct osb_error *err)
{
	const char *state;
	json_t *sb;
	int wait = 50;

	for (;;) {
		if (osb_lifecycle_get(c->lc, id, &sb, err) == -1)
			return -1;
		state = json_string_value(json_object_get(json_object_get(sb,
		    "status"), "state"));
		if (state != NULL && strcmp(state, "Running") == 0) {
			json_decref(sb);
			return 0;
		}
		if (state == NULL || strcmp(state, "Failed") == 0 ||
		    strcmp(state, "Terminated") == 0 || now_ms() > deadline) {
			const char *msg = json_string_value(json_object_get(
			    json_object_get(sb, "status"), "message"));

			osb_error_set(err, 0, "", "sandbox %s is %s%s%s", id,
			    state ? state : "in no state", msg ? ": " : "",
			    msg ? msg : "");
			json_decref(sb);
			return -1;
		}
		json_decref(sb);
		sleep_ms(wait);
		wait = wait < 500 ? wait * 2 : 500;
	}
}

/* Running first, then a healthy execd, within ms. */
int
wait_ready(struct ctx *c, const char *id, int64_t ms, int skip_health,
    struct osb_error *err)
{
	int64_t deadline = now_ms() + ms;
	int wait = 10;

	if (wait_running(c, id, deadline, err) == -1)
		return -1;
	if (skip_health)
		return 0;
	while (ping_execd(c, id, err) == -1) {
		if (now_ms() > deadline)
			return -1;
		sleep_ms(wait);
		wait = wait < 200 ? wait * 2 : 200;
	}
	return 0;
}

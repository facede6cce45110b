/*
 * access.c — the subcommands that reach into a sandbox: endpoint (where a
 * port of it is reached), health (does its execd answer) and metrics (its
 * execd's numbers, once or as they come).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "sandbox.h"
#include "sse.h"

/* A metrics stream being shown. */
struct watch {
	const struct ctx *c;
	struct osb_sse sse;
	int failed;		/* our stdout broke */
};

/* endpoint: where the port is reached, and the headers to send. */
int
cmd_endpoint(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *ep;
	char *id;
	int rc;

	if (!(c->o.seen & OPT_PORT))
		return osb_print_usage_error(PROG, c->cmd->synopsis, "endpoint: "
		    "missing -p PORT");
	if (resolve_id(c, c->operands[0], &id) == -1)
		return 1;
	rc = osb_lifecycle_endpoint(c->lc, id, c->o.port, &ep, &err);
	free(id);
	if (rc == -1)
		return fail(&err);
	if (c->cfg.quiet)
		rc = printf("%s\n", json_string_value(json_object_get(ep,
		    "endpoint"))) < 0 ? 1 : 0;
	else
		rc = print_doc(c, ep);
	json_decref(ep);
	return rc;
}

/* Is sandbox id Running? 0, or -1 with err saying what it is instead
 * (a paused sandbox's execd would only keep us waiting). */
static int
is_running(struct ctx *c, const char *id, struct osb_error *err)
{
	const char *state;
	json_t *sb;
	int rc;

	if (osb_lifecycle_get(c->lc, id, &sb, err) == -1)
		return -1;
	state = json_string_value(json_object_get(json_object_get(sb,
	    "status"), "state"));
	rc = state != NULL && strcmp(state, "Running") == 0 ? 0 : -1;
	if (rc == -1)
		osb_error_set(err, 0, "", "it is %s", state ? state :
		    "in no state");
	json_decref(sb);
	return rc;
}

/* health: healthy when Running and execd answers; exit 1 when not. */
int
cmd_health(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *doc;
	char *id;
	int healthy, rc = 0;

	if (resolve_id(c, c->operands[0], &id) == -1)
		return 1;
	healthy = is_running(c, id, &err) == 0 && ping_execd(c, id, &err) == 0;
	if (c->cfg.format == OSB_TABLE || c->cfg.quiet) {
		if (healthy)
			rc = printf("Sandbox %s is healthy\n", id) < 0;
		else
			osb_warnx(PROG, "sandbox %s is unhealthy: %s", id,
			    err.message);
	} else {
		doc = json_pack("{s:s, s:b}", "sandbox_id", id, "healthy",
		    healthy);
		rc = print_doc(c, doc);
		json_decref(doc);
	}
	free(id);
	return healthy ? rc : 1;
}

/* The execd of sandbox ref, for the metrics calls. */
static int
execd_of(struct ctx *c, struct osb_endpoint *ep)
{
	struct osb_error err = { 0 };
	char *id;
	int rc;

	if (resolve_id(c, c->operands[0], &id) == -1)
		return -1;
	rc = osb_lifecycle_execd(c->lc, id, ep, &err);
	free(id);
	if (rc == -1)
		fail(&err);
	return rc;
}

/* One sample as a line: "[time] cpu=..% cores=.. mem=../..MiB". */
static int
print_sample(const struct ctx *c, const json_t *m)
{
	double ms = json_number_value(json_object_get(m, "timestamp"));
	time_t t = (time_t)(ms / 1000);
	char when[32];

	if (c->cfg.format == OSB_JSON)
		return osb_print_line(stdout, m);
	if (c->cfg.format == OSB_YAML)
		return osb_print(stdout, OSB_YAML, m, NULL, 0);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	return printf("[%s] cpu=%.2f%% cores=%g mem=%.2f/%.2fMiB\n", when,
	    json_number_value(json_object_get(m, "cpu_used_pct")),
	    json_number_value(json_object_get(m, "cpu_count")),
	    json_number_value(json_object_get(m, "mem_used_mib")),
	    json_number_value(json_object_get(m, "mem_total_mib"))) < 0 ? -1 : 0;
}

/* An event of the metrics stream: a sample, shown at once. */
static int
on_sample(const struct osb_sse_event *ev, void *arg)
{
	struct watch *w = arg;
	json_t *m = json_loadb(ev->data, ev->len, 0, NULL);
	int rc = 0;

	if (json_is_object(m) && json_object_get(m, "error") != NULL)
		osb_warnx(PROG, "metrics stream error: %s", json_string_value(
		    json_object_get(m, "error")));
	else if (json_is_object(m) && (print_sample(w->c, m) == -1 ||
	    fflush(stdout) == EOF))
		rc = w->failed = -1;
	json_decref(m);
	return rc;
}

/* Bytes of the stream into the SSE parser. */
static int
on_bytes(const char *data, size_t len, void *arg)
{
	struct watch *w = arg;

	return osb_sse_feed(&w->sse, data, len);
}

/* SIGINT, SIGTERM: the watch is over, and well: each sample was flushed
 * as it was printed, so there is nothing to finish. */
static void
on_stop(int sig)
{
	(void)sig;
	_exit(0);
}

/* --watch: the samples as they come, until the stream ends or we are
 * interrupted. */
static int
watch(struct ctx *c, const struct osb_endpoint *ep)
{
	struct watch w = { .c = c };
	struct osb_http_req req = { .path = "/metrics/watch",
	    .headers = (const char *const[]){ "Accept: text/event-stream",
	    NULL }, .sink = on_bytes, .sink_arg = &w, .what = "watch metrics" };
	struct osb_endpoint stream = *ep;
	struct osb_error err = { 0 };
	struct sigaction sa;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	osb_sse_init(&w.sse, on_sample, &w);
	stream.timeout_s = 0;
	rc = osb_http_do(&stream, &req, NULL, &err);
	osb_sse_free(&w.sse);
	if (w.failed)
		return 1;
	return rc == -1 ? fail(&err) : 0;
}

/* metrics: one sample, or --watch them come. */
int
cmd_metrics(struct ctx *c)
{
	struct osb_http_req req = { .path = "/metrics", .what = "metrics" };
	struct osb_http_reply reply;
	struct osb_error err = { 0 };
	struct osb_endpoint ep;
	json_t *m;
	int rc;

	if (execd_of(c, &ep) == -1)
		return 1;
	if (c->o.watch) {
		rc = watch(c, &ep);
		osb_endpoint_free(&ep);
		return rc;
	}
	rc = osb_http_do(&ep, &req, &reply, &err);
	osb_endpoint_free(&ep);
	if (rc == -1)
		return fail(&err);
	m = json_loadb(reply.body ? reply.body : "", reply.len, 0, NULL);
	osb_http_reply_free(&reply);
	if (!json_is_object(m)) {
		json_decref(m);
		osb_warnx(PROG, "metrics: the reply is not a JSON object");
		return 1;
	}
	rc = print_doc(c, m);
	json_decref(m);
	return rc;
}

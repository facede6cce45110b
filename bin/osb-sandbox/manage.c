/*
 * manage.c — the subcommands that act on sandboxes by id: get, kill,
 * pause, resume, renew.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "sandbox.h"
#include "util.h"

/* "Sandbox paused: ID", the id (-q), or {"sandbox_id", "status"}. */
static int
print_outcome(const struct ctx *c, const char *id, const char *status,
    const char *line)
{
	json_t *doc;
	int rc;

	if (c->cfg.quiet)
		return printf("%s\n", id) < 0 ? 1 : 0;
	if (c->cfg.format == OSB_TABLE)
		return printf("%s: %s\n", line, id) < 0 ? 1 : 0;
	doc = json_pack("{s:s, s:s}", "sandbox_id", id, "status", status);
	rc = print_doc(c, doc);
	json_decref(doc);
	return rc;
}

/* get: a sandbox as a table of fields, or the API object. */
int
cmd_get(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *sb, *view;
	char *id;
	int rc;

	if (resolve_id(c, c->operands[0], &id) == -1)
		return 1;
	if (osb_lifecycle_get(c->lc, id, &sb, &err) == -1) {
		free(id);
		return fail(&err);
	}
	free(id);
	if (c->cfg.quiet)
		rc = printf("%s\n", json_string_value(json_object_get(sb,
		    "id"))) < 0 ? 1 : 0;
	else if (c->cfg.format == OSB_TABLE) {
		view = sandbox_view(sb);
		rc = print_doc(c, view);
		json_decref(view);
	} else
		rc = print_doc(c, sb);
	json_decref(sb);
	return rc;
}

/* The ids of every sandbox, for kill --all, into *ids. */
static int
every_id(struct ctx *c, json_t **ids, struct osb_error *err)
{
	struct osb_list_query q = { .page = 1, .page_size = 200 };
	json_t *page, *sb;
	size_t i;
	int more;

	*ids = json_array();
	do {
		if (osb_lifecycle_list(c->lc, &q, &page, err) == -1)
			return -1;
		json_array_foreach(json_object_get(page, "items"), i, sb) {
			json_array_append(*ids, json_object_get(sb, "id"));
		}
		more = json_is_true(json_object_get(json_object_get(page,
		    "pagination"), "hasNextPage")) &&
		    json_array_size(json_object_get(page, "items")) > 0;
		json_decref(page);
		q.page++;
	} while (more);
	return 0;
}

/* Kill one sandbox (an id or prefix); its row goes into rows. */
static int
kill_one(struct ctx *c, const char *ref, json_t *rows)
{
	struct osb_error err = { 0 };
	char *id;

	if (resolve_id(c, ref, &id) == -1)
		return 1;
	if (osb_lifecycle_delete(c->lc, id, &err) == -1) {
		free(id);
		return fail(&err);
	}
	json_array_append_new(rows, json_pack("{s:s, s:s}", "sandbox_id", id,
	    "status", "terminated"));
	free(id);
	return 0;
}

/* kill: each sandbox named, or every one with --all. */
int
cmd_kill(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *ids = NULL, *rows = json_array(), *row;
	int i, rc = 0;
	size_t k;

	if (c->o.all == (c->noperands > 0)) {
		json_decref(rows);
		return osb_print_usage_error(PROG, c->cmd->synopsis, "kill: "
		    "give SANDBOX... or --all");
	}
	if (c->o.all && every_id(c, &ids, &err) == -1) {
		json_decref(ids);
		json_decref(rows);
		return fail(&err);
	}
	/* Each is killed on its own: one failing stops none of the others. */
	for (i = 0; i < c->noperands; i++)
		rc |= kill_one(c, c->operands[i], rows);
	json_array_foreach(ids, k, row) {
		rc |= kill_one(c, json_string_value(row), rows);
	}
	if (c->cfg.quiet) {
		json_array_foreach(rows, k, row) {
			printf("%s\n", json_string_value(json_object_get(row,
			    "sandbox_id")));
		}
	} else if (json_array_size(rows) > 0 && osb_print(stdout, c->cfg.format,
	    rows, NULL, 0) == -1)
		rc = 1;
	json_decref(ids);
	json_decref(rows);
	return rc;
}

/* pause: freeze the sandbox. */
int
cmd_pause(struct ctx *c)
{
	struct osb_error err = { 0 };
	char *id;
	int rc;

	if (resolve_id(c, c->operands[0], &id) == -1)
		return 1;
	if (osb_lifecycle_pause(c->lc, id, &err) == -1)
		rc = fail(&err);
	else
		rc = print_outcome(c, id, "paused", "Sandbox paused");
	free(id);
	return rc;
}

/* resume: thaw it, and wait until its execd answers. */
int
cmd_resume(struct ctx *c)
{
	struct osb_error err = { 0 };
	char *id;
	int rc;

	if (resolve_id(c, c->operands[0], &id) == -1)
		return 1;
	if (osb_lifecycle_resume(c->lc, id, &err) == -1 ||
	    wait_ready(c, id, c->o.ready_timeout_ms, c->o.skip_health,
	    &err) == -1)
		rc = fail(&err);
	else
		rc = print_outcome(c, id, "running", "Sandbox resumed");
	free(id);
	return rc;
}

/* renew's -t DURATION: required, and a lifetime from now. */
static int
renew_until(const struct ctx *c, char *when, size_t n)
{
	struct timespec ts;
	int64_t ms;
	time_t t;

	if (c->o.timeout == NULL)
		return osb_print_usage_error(PROG, c->cmd->synopsis, "renew: "
		    "missing -t DURATION");
	if (osb_duration_parse(c->o.timeout, &ms) == -1 ||
	    ms == OSB_DURATION_NONE || ms == 0)
		return osb_print_usage_error(PROG, c->cmd->synopsis, "renew: "
		    "-t: not a duration: '%s' (30m, 2h)", c->o.timeout);
	clock_gettime(CLOCK_REALTIME, &ts);
	ms += (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	t = (time_t)(ms / 1000);
	strftime(when, n, "%Y-%m-%dT%H:%M:%S", gmtime(&t));
	snprintf(when + strlen(when), n - strlen(when), ".%03dZ",
	    (int)(ms % 1000));
	return -1;
}

/* renew: expire DURATION from now. */
int
cmd_renew(struct ctx *c)
{
	struct osb_error err = { 0 };
	char when[64], *id;
	json_t *reply, *doc;
	int rc;

	if ((rc = renew_until(c, when, sizeof(when))) >= 0)
		return rc;
	if (resolve_id(c, c->operands[0], &id) == -1)
		return 1;
	if (osb_lifecycle_renew(c->lc, id, when, &reply, &err) == -1) {
		free(id);
		return fail(&err);
	}
	if (c->cfg.quiet)
		rc = printf("%s\n", id) < 0 ? 1 : 0;
	else if (c->cfg.format == OSB_TABLE) {
		doc = json_pack("{s:s, s:O}", "sandbox_id", id, "expires_at",
		    json_object_get(reply, "expiresAt"));
		rc = print_doc(c, doc);
		json_decref(doc);
	} else
		rc = print_doc(c, reply);
	json_decref(reply);
	free(id);
	return rc;
}

/*
 * local_egress_api.c — GET/PATCH/DELETE /policy for one sandbox, in its
 * supervisor: a policy change is enforced before the reply.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "local_egress.h"
#include "local_egress_api.h"
#include "server.h"
#include "util.h"

/* The one sandbox this supervisor serves; mu orders the changes. */
static struct {
	pthread_mutex_t mu;
	struct osb_server *srv;
	pid_t init;
	pid_t *dns;
	char dir[PATH_MAX];
	json_t *policy;		/* enforced; NULL: allow-all, nothing */
} api = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* The PolicyStatusResponse for the enforced policy. */
static json_t *
status(void)
{
	const char *d = api.policy == NULL ? "allow" : json_string_value(
	    json_object_get(api.policy, "defaultAction"));
	json_t *p = api.policy != NULL ? json_incref(api.policy) :
	    json_pack("{s:s, s:[]}", "defaultAction", "allow", "egress");

	return json_pack("{s:s, s:s, s:s, s:o}", "status", "ok", "mode",
	    strcmp(d, "deny") == 0 ? "deny_all" : "allow_all",
	    "enforcementMode", "dns+nft", "policy", p);
}

/* Reply with the status, or 500 with why. */
static int
reply_status(struct osb_req *req, int rc, const char *why)
{
	if (rc == -1)
		return osb_reply_error(req, 500, "INTERNAL_ERROR", "%s", why);
	return osb_reply_json(req, 200, status());
}

static int
get_policy(struct osb_req *req)
{
	int rc;

	pthread_mutex_lock(&api.mu);
	rc = reply_status(req, 0, NULL);
	pthread_mutex_unlock(&api.mu);
	return rc;
}

/* Enforce p (a new reference, taken) and keep it. 0, or -1 with why. */
static int
enforce(json_t *p, char *why, size_t n)
{
	if (local_egress_apply(api.init, p, api.dir, api.dns, why, n) == -1) {
		json_decref(p);
		return -1;
	}
	json_decref(api.policy);
	api.policy = p;
	return 0;
}

/* PATCH: the incoming rules first, then the enforced ones. */
static int
patch_policy(struct osb_req *req)
{
	json_t *body = osb_req_json(req), *merged, *p, *r;
	char why[300];
	size_t i;
	int rc;

	if (body == NULL)
		return 0;
	p = json_pack("{s:o}", "egress", body);
	if (!json_is_array(body) || json_array_size(body) == 0)
		strlcpy(why, "the body must be a non-empty array of rules",
		    sizeof(why));
	else if (local_egress_check(p, "policy", why, sizeof(why)) == 0)
		*why = '\0';
	if (*why != '\0') {
		json_decref(p);
		return osb_reply_error(req, 400, "INVALID_REQUEST", "%s", why);
	}
	pthread_mutex_lock(&api.mu);
	merged = json_copy(json_object_get(p, "egress"));
	json_array_foreach(json_object_get(api.policy, "egress"), i, r) {
		json_array_append(merged, r);
	}
	json_object_set_new(p, "egress", merged);
	json_object_set_new(p, "defaultAction", json_string(api.policy ==
	    NULL ? "allow" : json_string_value(json_object_get(api.policy,
	    "defaultAction"))));
	rc = enforce(local_egress_normal(p), why, sizeof(why));
	json_decref(p);
	rc = reply_status(req, rc, why);
	pthread_mutex_unlock(&api.mu);
	return rc;
}

/* Is t among the strings of targets? */
static int
listed(const json_t *targets, const char *t)
{
	const json_t *v;
	size_t i;

	json_array_foreach(targets, i, v) {
		if (json_is_string(v) && strcasecmp(json_string_value(v), t)
		    == 0)
			return 1;
	}
	return 0;
}

/* DELETE: the rules of the targets go; absent ones are no error. */
static int
delete_rules(struct osb_req *req)
{
	json_t *body = osb_req_json(req), *p, *keep, *r;
	char why[300];
	size_t i;
	int rc = 0;

	if (body == NULL)
		return 0;
	json_array_foreach(body, i, r) {
		if (!json_is_string(r))
			rc = -1;
	}
	if (!json_is_array(body) || json_array_size(body) == 0 || rc == -1) {
		json_decref(body);
		return osb_reply_error(req, 400, "INVALID_REQUEST", "the body "
		    "must be a non-empty array of targets");
	}
	pthread_mutex_lock(&api.mu);
	if (api.policy != NULL) {
		keep = json_array();
		json_array_foreach(json_object_get(api.policy, "egress"), i, r) {
			if (!listed(body, json_string_value(json_object_get(r,
			    "target"))))
				json_array_append(keep, r);
		}
		p = json_pack("{s:O, s:o}", "defaultAction",
		    json_object_get(api.policy, "defaultAction"), "egress",
		    keep);
		rc = enforce(p, why, sizeof(why));
	}
	json_decref(body);
	rc = reply_status(req, rc, why);
	pthread_mutex_unlock(&api.mu);
	return rc;
}

static int
no_vault(struct osb_req *req)
{
	return osb_reply_error(req, 501, "NOT_IMPLEMENTED", "the credential "
	    "vault is not supported by the local runtime");
}

static const struct osb_route routes[] = {
	{ "GET", "/policy", get_policy, NULL, NULL },
	{ "PATCH", "/policy", patch_policy, NULL, NULL },
	{ "DELETE", "/policy", delete_rules, NULL, NULL },
	{ "GET", "/credential-vault", no_vault, NULL, NULL },
	{ "POST", "/credential-vault", no_vault, NULL, NULL },
	{ "PUT", "/credential-vault", no_vault, NULL, NULL },
	{ "DELETE", "/credential-vault", no_vault, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

int
local_egress_api_start(const char *addr, const char *token, pid_t init,
    const json_t *policy, const char *dir, pid_t *dns, char *why, size_t n)
{
	struct osb_server_config cfg = { .listen = addr,
	    .port = LOCAL_EGRESS_PORT, .token = token,
	    .token_header = LOCAL_EGRESS_HEADER, .routes = routes };

	api.init = init;
	api.dns = dns;
	strlcpy(api.dir, dir, sizeof(api.dir));
	api.policy = policy != NULL ? json_deep_copy(policy) : NULL;
	if ((api.srv = osb_server_start(&cfg, why, n)) == NULL)
		return -1;
	return 0;
}

void
local_egress_api_stop(void)
{
	if (api.srv != NULL)
		osb_server_stop(api.srv);
	api.srv = NULL;
	json_decref(api.policy);
	api.policy = NULL;
}

/*
 * create.c — `osb-sandbox create`: a CreateSandboxRequest from the
 * options, as the Python CLI and the SDKs build it, then the wait until
 * the sandbox runs and its execd answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_image.h"
#include "output.h"
#include "sandbox.h"
#include "util.h"

/* What the SDKs send when not told otherwise. */
#define DEFAULT_TIMEOUT_S	600
#define DEFAULT_CPU		"1"
#define DEFAULT_MEMORY		"2Gi"

/* A JSON document from file. NULL after saying why. */
static json_t *
load_file(const char *opt, const char *path)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

	if (doc == NULL && jerr.line > 0)
		osb_warnx(PROG, "%s %s: line %d: %s", opt, path, jerr.line,
		    jerr.text);
	else if (doc == NULL)
		osb_warnx(PROG, "%s %s: %s", opt, path, jerr.text);
	return doc;
}

/* Does the local runtime take the entrypoint from the image (a registry
 * image's Entrypoint and Cmd)? Servers need one in the request. */
static int
image_runs_itself(const struct ctx *c, const json_t *req)
{
	const char *uri = json_string_value(json_object_get(
	    json_object_get(req, "image"), "uri"));

	return osb_lifecycle_is_local(c->lc) && uri != NULL && *uri != '/';
}

/* The image: -i, [defaults] image, or (here only) the host's root. */
static int
set_image(struct ctx *c, json_t *req)
{
	const char *image = c->o.image ? c->o.image : c->cfg.default_image;
	json_t *spec;

	if (image == NULL || *image == '\0') {
		if (!osb_lifecycle_is_local(c->lc))
			return osb_print_usage_error(PROG, NULL, "create: "
			    "sandbox image is required: pass --image or set "
			    "defaults.image in the config file");
		image = "/";
	}
	spec = json_pack("{s:s}", "uri", image);
	if (c->o.auth_user != NULL)
		json_object_set_new(spec, "auth", json_pack("{s:s, s:s}",
		    "username", c->o.auth_user, "password", c->o.auth_pass));
	json_object_set_new(req, "image", spec);
	return -1;
}

/* timeout: -t, [defaults] timeout, else the SDKs' 10 minutes; "none"
 * is null (manual cleanup). */
static int
set_timeout(struct ctx *c, json_t *req)
{
	const char *t = c->o.timeout ? c->o.timeout : c->cfg.default_timeout;
	int64_t ms = (int64_t)DEFAULT_TIMEOUT_S * 1000;

	if (t != NULL && osb_duration_parse(t, &ms) == -1)
		return osb_print_usage_error(PROG, NULL, "create: -t: not a "
		    "duration: '%s' (10m, 1h, none)", t);
	if (ms == OSB_DURATION_NONE)
		json_object_set_new(req, "timeout", json_null());
	else
		json_object_set_new(req, "timeout",
		    json_integer((ms + 999) / 1000));
	return -1;
}

/* The objects and arrays of the options, with the SDKs' defaults. */
static void
set_maps(struct ctx *c, json_t *req)
{
	json_t *meta = json_object(), *kv;
	const char *s, *eq;
	char *key;
	size_t i;

	json_array_foreach(c->o.metadata, i, kv) {
		s = json_string_value(kv);
		eq = strchr(s, '=');
		if ((key = strndup(s, (size_t)(eq - s))) != NULL)
			json_object_set_new(meta, key, json_string(eq + 1));
		free(key);
	}
	json_object_set_new(req, "metadata", meta);
	json_object_set_new(req, "env", c->o.env ? json_incref(c->o.env) :
	    json_object());
	json_object_set_new(req, "extensions", c->o.extensions ?
	    json_incref(c->o.extensions) : json_object());
	json_object_set_new(req, "resourceLimits", c->o.resources ?
	    json_incref(c->o.resources) : json_pack("{s:s, s:s}", "cpu",
	    DEFAULT_CPU, "memory", DEFAULT_MEMORY));
	if (c->o.entrypoint != NULL)
		json_object_set_new(req, "entrypoint",
		    json_incref(c->o.entrypoint));
	else if (!image_runs_itself(c, req))
		json_object_set_new(req, "entrypoint", json_pack("[s, s, s]",
		    "tail", "-f", "/dev/null"));
}

/* --network-policy-file (defaultAction deny unless it says) and
 * --volumes-file (an array). -1, or the exit status. */
static int
set_files(struct ctx *c, json_t *req)
{
	json_t *doc;

	if (c->o.network_policy_file != NULL) {
		if ((doc = load_file("--network-policy-file",
		    c->o.network_policy_file)) == NULL)
			return 1;
		if (json_is_object(doc) && !json_object_get(doc,
		    "defaultAction"))
			json_object_set_new(doc, "defaultAction",
			    json_string("deny"));
		json_object_set_new(req, "networkPolicy", doc);
	}
	if (c->o.credential_proxy)
		json_object_set_new(req, "credentialProxy",
		    json_pack("{s:b}", "enabled", 1));
	if (c->o.volumes_file == NULL)
		return -1;
	if ((doc = load_file("--volumes-file", c->o.volumes_file)) == NULL)
		return 1;
	if (!json_is_array(doc)) {
		osb_warnx(PROG, "--volumes-file %s: must hold a JSON array of "
		    "volumes", c->o.volumes_file);
		json_decref(doc);
		return 1;
	}
	json_object_set_new(req, "volumes", doc);
	return -1;
}

/* Options that only go together. -1, or the exit status. */
static int
check_pairs(const struct ctx *c)
{
	if ((c->o.auth_user == NULL) != (c->o.auth_pass == NULL))
		return osb_print_usage_error(PROG, NULL, "create: pass both "
		    "--image-auth-username and --image-auth-password together");
	if (c->o.credential_proxy && c->o.network_policy_file == NULL)
		return osb_print_usage_error(PROG, NULL, "create: "
		    "--credential-proxy requires --network-policy-file");
	return -1;
}

/* The request from the options into *req. -1, or the exit status. */
static int
build_request(struct ctx *c, json_t **req)
{
	int rc;

	*req = json_object();
	if ((rc = check_pairs(c)) >= 0 || (rc = set_image(c, *req)) >= 0 ||
	    (rc = set_timeout(c, *req)) >= 0)
		return rc;
	set_maps(c, *req);
	return set_files(c, *req);
}

/* Print the new sandbox: its id (-q), fields, or the API object. */
static int
print_created(struct ctx *c, const char *id)
{
	struct osb_error err = { 0 };
	json_t *sb, *view;
	int rc;

	if (c->cfg.quiet)
		return printf("%s\n", id) < 0 ? 1 : 0;
	if (osb_lifecycle_get(c->lc, id, &sb, &err) == -1)
		return fail(&err);
	if (c->cfg.format == OSB_TABLE) {
		view = sandbox_view(sb);
		rc = print_doc(c, view);
		json_decref(view);
	} else
		rc = print_doc(c, sb);
	json_decref(sb);
	return rc;
}

/* A pull takes a while: say so on a terminal. */
static void
say_pull(const struct ctx *c, const json_t *req)
{
	const char *uri = json_string_value(json_object_get(
	    json_object_get(req, "image"), "uri"));

	if (image_runs_itself(c, req) && !c->cfg.quiet && isatty(2) &&
	    !local_image_cached(osb_lifecycle_local(c->lc), uri))
		fprintf(stderr, "Pulling %s ...\n", uri);
}

/* create: the request, the create, the wait, the output. */
int
cmd_create(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *req, *created = NULL;
	char *id = NULL;
	int rc;

	if ((rc = build_request(c, &req)) >= 0) {
		json_decref(req);
		return rc;
	}
	say_pull(c, req);
	rc = osb_lifecycle_create(c->lc, req, &created, &err);
	json_decref(req);
	if (rc == -1)
		return fail(&err);
	if ((id = strdup(json_string_value(json_object_get(created, "id")) ?
	    json_string_value(json_object_get(created, "id")) : "")) == NULL ||
	    *id == '\0') {
		osb_warnx(PROG, "create: the server's reply has no sandbox id");
		rc = 1;
	} else if (wait_ready(c, id, c->o.ready_timeout_ms, c->o.skip_health,
	    &err) == -1) {
		osb_error_prefix(&err, "create: sandbox %s is not ready", id);
		rc = fail(&err);
	} else
		rc = print_created(c, id);
	json_decref(created);
	free(id);
	return rc;
}

/*
 * image.c — `osb-sandbox image pull|ls|rm|prune`: the local runtime's
 * cache of registry images. Remote servers keep their own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_image.h"
#include "output.h"
#include "sandbox.h"

static const struct osb_column columns[] = {
	{ "image", "uri", NULL },
	{ "digest", "digest", NULL },
	{ "pulled", "pulledAt", NULL },
};

/* pull IMAGE: into the cache unless it is there. */
static int
image_pull(struct ctx *c, struct osb_local *l, const char *uri)
{
	struct osb_error err = { 0 };
	struct local_image img;
	json_t *auth = NULL, *doc;
	int rc;

	if (c->o.auth_user != NULL)
		auth = json_pack("{s:s, s:s}", "username", c->o.auth_user,
		    "password", c->o.auth_pass ? c->o.auth_pass : "");
	if (!local_image_cached(l, uri) && isatty(2) && !c->cfg.quiet)
		fprintf(stderr, "Pulling %s ...\n", uri);
	rc = local_image_get(l, uri, auth, &img, &err);
	json_decref(auth);
	if (rc == -1)
		return fail(&err);
	if (c->cfg.quiet)
		rc = printf("%s\n", img.digest) < 0;
	else {
		doc = json_pack("{s:s, s:s, s:b}", "uri", uri, "digest",
		    img.digest, "pulled", img.pulled);
		rc = print_doc(c, doc);
		json_decref(doc);
	}
	local_image_free(&img);
	return rc;
}

/* ls: the cached images, by name. */
static int
image_ls(struct ctx *c, struct osb_local *l)
{
	struct osb_error err = { 0 };
	json_t *list, *v;
	size_t i;
	int rc = 0;

	if ((list = local_image_list(l, &err)) == NULL)
		return fail(&err);
	if (c->cfg.quiet) {
		json_array_foreach(list, i, v) {
			if (printf("%s\n", json_string_value(json_object_get(v,
			    "uri"))) < 0)
				rc = 1;
		}
	} else if (c->cfg.format != OSB_TABLE)
		rc = print_doc(c, list);
	else if (json_array_size(list) == 0)
		fprintf(stderr, "No images cached.\n");
	else
		rc = osb_print(stdout, OSB_TABLE, list, columns,
		    sizeof(columns) / sizeof(columns[0])) == -1;
	json_decref(list);
	return rc;
}

/* rm IMAGE...: forget each; 1 when one was not there. */
static int
image_rm(struct ctx *c, struct osb_local *l)
{
	struct osb_error err = { 0 };
	int i, rc = 0;

	for (i = 1; i < c->noperands; i++)
		if (local_image_remove(l, c->operands[i], &err) == -1)
			rc = fail(&err);
	return rc;
}

/* prune: what nothing uses. */
static int
image_prune(struct ctx *c, struct osb_local *l)
{
	struct osb_error err = { 0 };
	json_t *doc;
	int n, rc = 0;

	if ((n = local_image_prune(l, &err)) == -1)
		return fail(&err);
	if (c->cfg.format != OSB_TABLE && !c->cfg.quiet) {
		doc = json_pack("{s:i}", "removed", n);
		rc = print_doc(c, doc);
		json_decref(doc);
	} else if (!c->cfg.quiet)
		rc = printf("Removed %d unpacked image%s.\n", n,
		    n == 1 ? "" : "s") < 0;
	return rc;
}

int
cmd_image(struct ctx *c)
{
	struct osb_local *l = osb_lifecycle_local(c->lc);
	const char *verb = c->operands[0];
	int want;

	if (verb == NULL)
		return osb_print_usage_error(PROG, c->cmd->synopsis, "image: "
		    "missing action (pull, ls, rm, prune)");
	if (l == NULL) {
		osb_warnx(PROG, "image: the image cache is the local runtime's; "
		    "a lifecycle server pulls images itself");
		return 1;
	}
	want = strcmp(verb, "pull") == 0 ? 2 : strcmp(verb, "rm") == 0 ? -1 :
	    strcmp(verb, "ls") == 0 || strcmp(verb, "prune") == 0 ? 1 : 0;
	if (want == 0)
		return osb_print_usage_error(PROG, c->cmd->synopsis, "image: "
		    "unknown action '%s' (pull, ls, rm, prune)", verb);
	if ((want == -1 && c->noperands < 2) || (want > 0 && c->noperands <
	    want))
		return osb_print_usage_error(PROG, c->cmd->synopsis, "image %s: "
		    "missing IMAGE", verb);
	if (want > 0 && c->noperands > want)
		return osb_print_usage_error(PROG, c->cmd->synopsis, "image %s: "
		    "too many operands: '%s'", verb, c->operands[want]);
	if ((c->o.seen & (OPT_AUTH_USER | OPT_AUTH_PASS)) && want != 2)
		return osb_print_usage_error(PROG, c->cmd->synopsis, "image %s: "
		    "--image-auth-* apply to pull", verb);
	if (*verb == 'p' && verb[1] == 'u')
		return image_pull(c, l, c->operands[1]);
	if (*verb == 'l')
		return image_ls(c, l);
	if (*verb == 'r')
		return image_rm(c, l);
	return image_prune(c, l);
}

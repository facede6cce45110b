/*
 * osb-policy — a sandbox's network egress policy through its egress API
 * (port 18080, reached where the lifecycle API says): show it, allow or
 * deny targets, remove rules, and ask which rule a name would meet.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "http.h"
#include "lifecycle.h"
#include "output.h"
#include "util.h"

#define PROG		"osb-policy"
#define EGRESS_PORT	18080

struct ctx {
	struct osb_config cfg;
	struct osb_endpoint ep;
	char **operands;
	int noperands;
};

static const char usage_text[] =
"usage: osb-policy [options] get SANDBOX\n"
"       osb-policy [options] allow|deny SANDBOX TARGET...\n"
"       osb-policy [options] rm SANDBOX TARGET...\n"
"       osb-policy [options] check SANDBOX NAME\n"
"\n"
"A sandbox's network egress policy, through its egress API. TARGET is\n"
"a name (pypi.org), a wildcard (*.example.com: the names under it), an\n"
"IPv4 or IPv6 address or CIDR. The first rule for a target wins; allow\n"
"and deny put theirs before the rules there are. SANDBOX is a sandbox id\n"
"or a unique prefix of one. `osb egress get|patch` are the same.\n"
"\n"
"Commands:\n"
"  get     the enforced policy: default action and rules\n"
"  allow   allow the targets (PATCH /policy)\n"
"  deny    deny the targets (PATCH /policy)\n"
"  patch   the same as allow\n"
"  rm      remove the rules of the targets (DELETE /policy)\n"
"  check   which rule NAME (a name or an address) meets, and so whether\n"
"          the sandbox may reach it\n";

static const struct option long_options[] = {
	OSB_GLOBAL_OPTIONS,
	{ NULL, 0, NULL, 0 }
};

static int
take_option(void *arg, int opt, const char *value, struct osb_error *err)
{
	osb_error_set(err, 0, "", "unknown option");
	return -1;
}

/* The egress API of SANDBOX (id or prefix) into c->ep. */
static int
resolve(struct ctx *c, const char *ref, struct osb_error *err)
{
	struct osb_lifecycle *lc;
	char *id = NULL;
	int rc = -1;

	if ((lc = osb_lifecycle_open(&c->cfg, err)) == NULL)
		return -1;
	if (osb_lifecycle_complete_id(lc, ref, &id, err) == 0)
		rc = osb_lifecycle_port(lc, id, EGRESS_PORT, &c->ep, err);
	free(id);
	osb_lifecycle_close(lc);
	return rc;
}

/* One request to /policy; the reply's JSON, or NULL with err. */
static json_t *
call(struct ctx *c, const char *method, const json_t *body,
    struct osb_error *err)
{
	struct osb_http_req req = { .method = method, .path = "/policy",
	    .what = "egress policy" };
	struct osb_http_reply reply = { 0 };
	char *text = NULL;
	json_t *doc;

	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
		req.body = text;
		req.body_len = text != NULL ? strlen(text) : 0;
		req.content_type = "application/json";
	}
	if (osb_http_do(&c->ep, &req, &reply, err) == -1) {
		free(text);
		return NULL;
	}
	free(text);
	doc = json_loadb(reply.body != NULL ? reply.body : "", reply.len, 0,
	    NULL);
	osb_http_reply_free(&reply);
	if (doc == NULL)
		osb_error_set(err, 0, "", "egress policy: a reply that is not "
		    "JSON");
	return doc;
}

static const struct osb_column rule_columns[] = {
	{ "ACTION", "action", NULL },
	{ "TARGET", "target", NULL },
};

/* The policy: in a table, the default and then the rules in order. */
static int
print_policy(struct ctx *c, const json_t *doc)
{
	const json_t *p = json_object_get(doc, "policy");

	if (c->cfg.format != OSB_TABLE)
		return osb_print(stdout, c->cfg.format, p, NULL, 0);
	printf("default: %s\n", json_string_value(json_object_get(p,
	    "defaultAction")));
	if (json_array_size(json_object_get(p, "egress")) == 0)
		return 0;
	return osb_print(stdout, c->cfg.format, json_object_get(p, "egress"),
	    rule_columns, 2);
}

/* Does the rule's target t cover name? */
static int
covers(const char *t, const char *name)
{
	unsigned char a[16], b[16];
	char host[64], *slash;
	size_t tl = strlen(t), nl = strlen(name);
	int af, bits, i;

	if (strncmp(t, "*.", 2) == 0)
		return nl > tl - 1 && strcasecmp(name + nl - (tl - 1), t + 1)
		    == 0;
	if (strlcpy(host, t, sizeof(host)) >= sizeof(host))
		return 0;
	slash = strchr(host, '/');
	if (slash != NULL)
		*slash++ = '\0';
	af = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(af, host, a) != 1)
		return strcasecmp(t, name) == 0;
	if (inet_pton(af, name, b) != 1)
		return 0;
	bits = slash != NULL ? atoi(slash) : (af == AF_INET ? 32 : 128);
	for (i = 0; bits > 0; i++, bits -= 8) {
		unsigned char mask = bits >= 8 ? 0xff :
		    (unsigned char)(0xff << (8 - bits));
		if ((a[i] & mask) != (b[i] & mask))
			return 0;
	}
	return 1;
}

static int
cmd_check(struct ctx *c, const json_t *doc)
{
	const json_t *p = json_object_get(doc, "policy"), *r;
	const char *name = c->operands[1], *action = NULL, *by = NULL;
	json_t *out;
	size_t i;
	int rc;

	json_array_foreach(json_object_get(p, "egress"), i, r) {
		if (covers(json_string_value(json_object_get(r, "target")),
		    name)) {
			action = json_string_value(json_object_get(r,
			    "action"));
			by = json_string_value(json_object_get(r, "target"));
			break;
		}
	}
	if (action == NULL)
		action = json_string_value(json_object_get(p,
		    "defaultAction"));
	out = json_pack("{s:s, s:s, s:s?}", "name", name, "action", action,
	    "rule", by);
	if (c->cfg.format == OSB_TABLE)
		rc = printf("%s: %s (%s)\n", name, action, by != NULL ? by :
		    "the default") < 0 ? -1 : 0;
	else
		rc = osb_print(stdout, c->cfg.format, out, NULL, 0);
	json_decref(out);
	if (rc == -1)
		return 1;
	return strcmp(action, "allow") == 0 ? 0 : 1;
}

/* The body of allow/deny (rules) or rm (targets). */
static json_t *
body_of(struct ctx *c, const char *action)
{
	json_t *b = json_array();
	int i;

	for (i = 1; i < c->noperands; i++)
		json_array_append_new(b, action == NULL ?
		    json_string(c->operands[i]) : json_pack("{s:s, s:s}",
		    "action", action, "target", c->operands[i]));
	return b;
}

static int
run(struct ctx *c, const char *cmd)
{
	struct osb_error err = { 0 };
	const char *method = "GET", *action = NULL;
	json_t *body = NULL, *doc;
	int rc;

	if (strcmp(cmd, "allow") == 0 || strcmp(cmd, "patch") == 0)
		method = "PATCH", action = "allow";
	else if (strcmp(cmd, "deny") == 0)
		method = "PATCH", action = "deny";
	else if (strcmp(cmd, "rm") == 0)
		method = "DELETE";
	if (strcmp(method, "GET") != 0)
		body = body_of(c, action);
	if (osb_config_load(&c->cfg, &err) == -1 ||
	    resolve(c, c->operands[0], &err) == -1 ||
	    (doc = call(c, method, body, &err)) == NULL) {
		json_decref(body);
		osb_print_error(PROG, &err);
		return 1;
	}
	json_decref(body);
	rc = strcmp(cmd, "check") == 0 ? cmd_check(c, doc) :
	    print_policy(c, doc) == -1;
	json_decref(doc);
	return rc;
}

/* Does the command take this many operands? -1, or 2 after saying. */
static int
check_usage(const char *cmd, int n)
{
	static const char *const cmds[] = { "get", "allow", "deny", "patch",
	    "rm", "check" };
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		return osb_print_usage_error(PROG, NULL, "unknown command "
		    "'%s'", cmd);
	if (n == 0)
		return osb_print_usage_error(PROG, NULL, "%s: missing SANDBOX",
		    cmd);
	if (strcmp(cmd, "get") == 0 && n > 1)
		return osb_print_usage_error(PROG, NULL, "get: too many "
		    "operands: '%s'", "TARGET");
	if (strcmp(cmd, "check") == 0 && n != 2)
		return osb_print_usage_error(PROG, NULL, "check: give SANDBOX "
		    "and one NAME");
	if (strcmp(cmd, "get") != 0 && strcmp(cmd, "check") != 0 && n < 2)
		return osb_print_usage_error(PROG, NULL, "%s: missing TARGET",
		    cmd);
	return -1;
}

int
main(int argc, char **argv)
{
	struct ctx c = { 0 };
	struct osb_cli cli = { OSB_CLI_SHORTOPTS(""), long_options, &c.cfg,
	    take_option, &c, 0 };
	struct osb_error err = { 0 };
	const char *cmd = NULL;
	char *word;
	int rc;

	osb_hold_std_fds();
	if ((c.operands = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		return 1;
	while ((rc = osb_cli_next(&cli, argc, argv, &word, &err)) ==
	    OSB_CLI_OPERAND) {
		if (cmd == NULL)
			cmd = word;
		else
			c.operands[c.noperands++] = word;
	}
	if (rc != OSB_CLI_END)
		rc = osb_print_cli_end(PROG, usage_text, rc, &err);
	else if (cmd == NULL)
		rc = osb_print_usage_error(PROG, NULL, "missing command (get, "
		    "allow, deny, rm or check)");
	else if ((rc = check_usage(cmd, c.noperands)) < 0)
		rc = run(&c, cmd);
	free(c.operands);
	osb_endpoint_free(&c.ep);
	osb_config_free(&c.cfg);
	return rc;
}

/*
 * list.c — `osb-sandbox list`: a page of sandboxes (or all of them),
 * filtered by state and metadata, as a table of one row per sandbox,
 * their ids, or the API's ListSandboxesResponse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "sandbox.h"

/* The page size of --all: the largest the reference server gives. */
#define ALL_PAGE_SIZE 200

static const struct osb_column columns[] = {
	{ "id", "id", NULL },
	{ "state", "state", NULL },
	{ "image", "image", NULL },
	{ "age", "age", NULL },
	{ "expires", "expires", NULL },
};

/* RFC 3339 UTC ("...Z", fractions allowed) to seconds, or -1. */
static time_t
parse_time(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	return timegm(&tm);
}

/* A span of seconds as people say it: 45s, 12m, 3h, 2d. */
static void
span(long long s, char *buf, size_t n)
{
	if (s < 60)
		snprintf(buf, n, "%llds", s < 0 ? 0 : s);
	else if (s < 3600)
		snprintf(buf, n, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(buf, n, "%lldh", s / 3600);
	else
		snprintf(buf, n, "%lldd", s / 86400);
}

/* The table row of a Sandbox: id, state, image, age, time left. */
static json_t *
row_of(const json_t *sb, time_t now)
{
	time_t created = parse_time(json_string_value(json_object_get(sb,
	    "createdAt")));
	time_t expires = parse_time(json_string_value(json_object_get(sb,
	    "expiresAt")));
	const char *state = json_string_value(json_object_get(
	    json_object_get(sb, "status"), "state"));
	const char *image = json_string_value(json_object_get(
	    json_object_get(sb, "image"), "uri"));
	char age[32] = "-", left[32] = "never";

	if (created >= 0)
		span(now - created, age, sizeof(age));
	if (expires >= 0) {
		span(expires - now, left + 3, sizeof(left) - 3);
		memcpy(left, "in ", 3);
	}
	return json_pack("{s:O, s:s, s:s, s:s, s:s}", "id",
	    json_object_get(sb, "id"), "state", state ? state : "-", "image",
	    image ? image : "-", "age", age, "expires", left);
}

/* The query the options ask for. */
static void
make_query(const struct ctx *c, struct osb_list_query *q,
    const char **states, const char **meta)
{
	size_t i;

	memset(q, 0, sizeof(*q));
	for (i = 0; i < json_array_size(c->o.states); i++)
		states[i] = json_string_value(json_array_get(c->o.states, i));
	for (i = 0; i < json_array_size(c->o.metadata); i++)
		meta[i] = json_string_value(json_array_get(c->o.metadata, i));
	q->states = states;
	q->nstates = json_array_size(c->o.states);
	q->metadata = meta;
	q->nmetadata = json_array_size(c->o.metadata);
	q->page = c->o.all ? 1 : c->o.page;
	q->page_size = c->o.all ? ALL_PAGE_SIZE : c->o.page_size;
}

/* Every page of q gathered into one ListSandboxesResponse. */
static int
fetch_all(struct ctx *c, struct osb_list_query *q, json_t **doc,
    struct osb_error *err)
{
	json_t *items = json_array(), *page;
	int more;

	do {
		if (osb_lifecycle_list(c->lc, q, &page, err) == -1) {
			json_decref(items);
			return -1;
		}
		json_array_extend(items, json_object_get(page, "items"));
		more = json_is_true(json_object_get(json_object_get(page,
		    "pagination"), "hasNextPage")) &&
		    json_array_size(json_object_get(page, "items")) > 0;
		json_decref(page);
		q->page++;
	} while (more);
	*doc = json_pack("{s:o, s:{s:i, s:I, s:I, s:i, s:b}}", "items", items,
	    "pagination", "page", 1, "pageSize",
	    (json_int_t)json_array_size(items), "totalItems",
	    (json_int_t)json_array_size(items), "totalPages",
	    json_array_size(items) > 0, "hasNextPage", 0);
	return 0;
}

/* The table, or the ids (-q). */
static int
print_rows(const struct ctx *c, const json_t *doc)
{
	const json_t *items = json_object_get(doc, "items"), *pg, *sb;
	time_t now = time(NULL);
	json_t *rows;
	size_t i;
	int rc;

	if (c->cfg.quiet) {
		json_array_foreach(items, i, sb) {
			if (printf("%s\n", json_string_value(json_object_get(sb,
			    "id"))) < 0)
				return 1;
		}
		return 0;
	}
	if (json_array_size(items) == 0) {
		fprintf(stderr, "No sandboxes found.\n");
		return 0;
	}
	rows = json_array();
	json_array_foreach(items, i, sb) {
		json_array_append_new(rows, row_of(sb, now));
	}
	rc = osb_print(stdout, OSB_TABLE, rows, columns,
	    sizeof(columns) / sizeof(columns[0])) == -1 ? 1 : 0;
	json_decref(rows);
	pg = json_object_get(doc, "pagination");
	if (json_is_true(json_object_get(pg, "hasNextPage")) && isatty(2))
		fprintf(stderr, "(page %lld of %lld: --page N for another, "
		    "-a for all)\n",
		    (long long)json_integer_value(json_object_get(pg, "page")),
		    (long long)json_integer_value(json_object_get(pg,
		    "totalPages")));
	return rc;
}

/* list: a page, or every page with -a, in the chosen form. */
int
cmd_list(struct ctx *c)
{
	const char *states[16], *meta[64];
	struct osb_list_query q;
	struct osb_error err = { 0 };
	json_t *doc;
	int rc;

	if (json_array_size(c->o.states) > 16 ||
	    json_array_size(c->o.metadata) > 64)
		return osb_print_usage_error(PROG, NULL, "list: too many "
		    "filters");
	make_query(c, &q, states, meta);
	if ((c->o.all ? fetch_all(c, &q, &doc, &err) :
	    osb_lifecycle_list(c->lc, &q, &doc, &err)) == -1)
		return fail(&err);
	if (c->cfg.format == OSB_TABLE || c->cfg.quiet)
		rc = print_rows(c, doc);
	else
		rc = print_doc(c, doc);
	json_decref(doc);
	return rc;
}

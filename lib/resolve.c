/* resolve.c — a SANDBOX operand to the execd endpoint that serves it. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "lifecycle.h"
#include "resolve.h"

/*
 * Is ref an execd URL: http:// or https://, or host:port with a numeric
 * port ("127.0.0.1:44772", "[::1]:44772")? Sandbox ids never hold a ':'.
 */
static int
is_execd_url(const char *ref)
{
	const char *colon, *p;

	if (strncmp(ref, "http://", 7) == 0 || strncmp(ref, "https://", 8) == 0)
		return 1;
	if ((colon = strrchr(ref, ':')) == NULL || colon == ref ||
	    colon[1] == '\0')
		return 0;
	for (p = colon + 1; *p != '\0' && *p != '/'; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}

/* The endpoint of an execd URL, with the execd token when there is one. */
static int
resolve_url(const struct osb_config *cfg, const char *url,
    struct osb_endpoint *ep, struct osb_error *err)
{
	if (osb_endpoint_init(ep, url, err) == -1)
		return -1;
	ep->timeout_s = cfg->request_timeout;
	if (cfg->execd_token != NULL && osb_endpoint_add_header(ep,
	    "X-EXECD-ACCESS-TOKEN", cfg->execd_token) == -1) {
		osb_endpoint_free(ep);
		osb_error_set(err, 0, "", "%s: out of memory", url);
		return -1;
	}
	return 0;
}

/*
 * The execd of a sandbox named by id or unique id prefix, wherever the
 * configuration says sandboxes live (a server, or this host).
 */
static int
resolve_sandbox(const struct osb_config *cfg, const char *ref,
    struct osb_endpoint *ep, struct osb_error *err)
{
	struct osb_lifecycle *lc;
	char *id = NULL;
	int rc = -1;

	if ((lc = osb_lifecycle_open(cfg, err)) == NULL)
		return -1;
	if (osb_lifecycle_complete_id(lc, ref, &id, err) == 0)
		rc = osb_lifecycle_execd(lc, id, ep, err);
	free(id);
	osb_lifecycle_close(lc);
	return rc;
}

/* The execd endpoint of ref: an execd URL, or a sandbox id or prefix. */
int
osb_resolve_execd(const struct osb_config *cfg, const char *ref,
    struct osb_endpoint *ep, struct osb_error *err)
{
	if (*ref == '\0') {
		osb_error_set(err, 0, "", "empty sandbox reference");
		return -1;
	}
	if (is_execd_url(ref))
		return resolve_url(cfg, ref, ep, err);
	return resolve_sandbox(cfg, ref, ep, err);
}

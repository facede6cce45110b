/* resolve.c — a SANDBOX operand to the execd endpoint that serves it. */
#include <ctype.h>
#include <string.h>

#include "http.h"
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
	osb_error_set(err, 0, "", "%s: sandbox ids need a lifecycle server or "
	    "the local runtime (not available yet); use an execd URL", ref);
	return -1;
}

/*
 * resolve.h — a SANDBOX operand to the execd endpoint that serves it.
 *
 * An operand with a scheme or of the form host:port is an execd URL, used
 * as it is with the execd token (--execd-token, OSB_EXECD_TOKEN) as
 * X-EXECD-ACCESS-TOKEN. Anything else is a sandbox id or unique id prefix,
 * looked up where the configuration says sandboxes live (lifecycle.h: a
 * server, or this host), its execd reached through the endpoint and
 * headers the lifecycle API names for port 44772; an ambiguous prefix is
 * an error listing the ids it matches.
 */
#ifndef OSB_RESOLVE_H
#define OSB_RESOLVE_H

#include "config.h"
#include "error.h"
#include "http.h"

/* Returns 0 with ep filled (caller frees with osb_endpoint_free), or -1. */
int osb_resolve_execd(const struct osb_config *, const char *ref,
    struct osb_endpoint *, struct osb_error *);

#endif

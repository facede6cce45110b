/*
 * local_egress_api.h — the egress API of a local sandbox (the upstream
 * egress sidecar's GET/PATCH/DELETE /policy), served by its supervisor
 * on the sandbox's host loopback address, port 18080, and changing the
 * enforced policy live.
 */
#ifndef OSB_LOCAL_EGRESS_API_H
#define OSB_LOCAL_EGRESS_API_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#define LOCAL_EGRESS_PORT	18080
#define LOCAL_EGRESS_HEADER	"OPENSANDBOX-EGRESS-AUTH"

/*
 * Serve the API at addr:18080 for the sandbox whose init is init, its
 * policy (NULL: allow-all, none enforced) enforced with the files in dir
 * and the dnsmasq in *dns (kept up to date, read by the caller at the
 * end), requests needing token. 0, or -1 with why.
 */
int local_egress_api_start(const char *addr, const char *token, pid_t init,
    const json_t *policy, const char *dir, pid_t *dns, char *why, size_t n);

/* Stop serving. */
void local_egress_api_stop(void);

#endif

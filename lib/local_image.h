/*
 * local_image.h — container images for the local runtime: pulled with
 * skopeo into one OCI layout under the state directory (layers shared
 * between images), unpacked once with umoci into a directory named by the
 * manifest's digest, and used read-only as the lower layer of sandboxes'
 * roots.
 */
#ifndef OSB_LOCAL_IMAGE_H
#define OSB_LOCAL_IMAGE_H

#include <jansson.h>

#include "error.h"
#include "local_state.h"

/* What an image says about how its containers run. */
struct local_image {
	char rootfs[PATH_MAX];	/* the unpacked root, read-only */
	char digest[80];	/* the manifest's, "sha256:..." */
	json_t *args;		/* Entrypoint + Cmd; empty: none */
	json_t *env;		/* ["KEY=VALUE", ...] */
	char cwd[PATH_MAX];	/* WorkingDir, "/" when none */
	long uid, gid;		/* User, resolved in the image */
	int pulled;		/* 1: fetched now; 0: it was cached */
};

/*
 * Is uri an image reference (a registry name, docker-archive:PATH,
 * oci-archive:PATH) rather than a directory?
 */
int local_image_is_ref(const char *uri);

/*
 * The image uri, from the cache or pulled into it (auth: an object of
 * username and password, or NULL). 0, or -1 with err naming the
 * registry's reason. Free with local_image_free.
 */
int local_image_get(const struct osb_local *, const char *uri,
    const json_t *auth, struct local_image *, struct osb_error *);
void local_image_free(struct local_image *);

#endif

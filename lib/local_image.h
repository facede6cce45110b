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

/* Is the image uri in the cache (a create would not pull it)? */
int local_image_cached(const struct osb_local *, const char *uri);

/* The cached images: [{uri, digest, pulledAt}, ...], by uri. NULL with
 * err set. */
json_t *local_image_list(const struct osb_local *, struct osb_error *);

/* Forget the image uri (404 IMAGE_NOT_FOUND when it is not cached); prune
 * removes what only it used. 0, or -1 with err set. */
int local_image_remove(const struct osb_local *, const char *uri,
    struct osb_error *);

/* Remove the unpacked roots and layers no cached image and no live
 * sandbox uses, and what interrupted pulls left. The number of roots
 * removed, or -1 with err set. */
int local_image_prune(const struct osb_local *, struct osb_error *);

#endif

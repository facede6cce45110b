/*
 * local_root.h — the root file system of a sandbox, made by its
 * supervisor in a mount namespace of its own (so nothing of it shows on
 * the host, and it all goes when the sandbox does) for the OCI runtime
 * to start the sandbox in.
 *
 * The host's files are seen through idmapped mounts: the sandbox's ids
 * (its root is LOCAL_ID_BASE on the host) read as the host's, so its
 * root owns what the host's root owns, inside. Writes go to a private
 * copy-on-write layer (overlayfs) in the sandbox's directory.
 *
 *   host root:  /usr /etc /opt (and /bin /lib... where they are not
 *               links) from the host, copy-on-write; /root /home /var
 *               /srv /mnt /media /run /tmp fresh and empty; a few
 *               secrets of /etc (shadow, ssh host keys) hidden.
 *   an image:   the image directory as the lower layer of the whole root.
 *
 * Volumes are cloned as idmapped mounts too, their subPath resolved
 * beneath the volume: a symlink cannot lead out of it.
 *
 * Without root (rootless: the caller is root of a user namespace of its
 * own, mapping only its user) there are no idmapped mounts: the host's
 * files are nobody's inside, so its software is there to read and run
 * but not to change; the fresh directories and new files are the
 * sandbox's.
 */
#ifndef OSB_LOCAL_ROOT_H
#define OSB_LOCAL_ROOT_H

#include <stddef.h>

#include "local_plan.h"

/*
 * In the calling process: a mount namespace of its own, and in it
 * sbdir/rootfs ready to be a root (mount points made), the volumes of
 * plan cloned under sbdir/volumes with their sources in vols (plan's
 * mounts with the source replaced). The root is staged at stage/rootfs
 * (stage: PATH_MAX), in a directory every user may pass through, as the
 * runtime must in the sandbox's user namespace; local_stage_bind puts
 * the sources of binds there too. 0, or -1 with the reason in why.
 */
int local_root_build(const char *sbdir, const struct local_plan *plan,
    const char *hostname, int rootless, struct local_mount *vols,
    char *stage, char *why, size_t n);
/* Bind source (a file or a directory) at stage/name; its path into out
 * (PATH_MAX). 0 or -1 with errno set. */
int local_stage_bind(const char *stage, const char *source, const char *name,
    char *out);

/* Unmount everything under dir (a sandbox's) in our namespace. */
void local_root_unmount(const char *dir);

/*
 * The directory sub beneath base, not leaving it by a symlink or "..":
 * an O_PATH descriptor, or -1 with errno set (EXDEV: it would leave).
 */
int local_open_beneath(const char *base, const char *sub);

#endif

/*
 * local_seccomp.h — Docker's default seccomp profile, as Debian's
 * containers-common ships it, turned into the OCI runtime spec's
 * linux.seccomp for a sandbox with Docker's default capabilities on
 * this machine's architecture: rules gated on capabilities or
 * architectures are kept only where they apply, as Docker does.
 */
#ifndef OSB_LOCAL_SECCOMP_H
#define OSB_LOCAL_SECCOMP_H

#include <stddef.h>

#include <jansson.h>

/* Where containers-common installs the profile. */
#define LOCAL_SECCOMP_PROFILE "/usr/share/containers/seccomp.json"

/* Docker's default capability set, NULL-ended ("CAP_CHOWN", ...). */
extern const char *const local_default_caps[];

/*
 * The OCI seccomp object for the profile at path (Docker's format); NULL
 * with the reason in why when it cannot be read or makes no sense.
 */
json_t *local_seccomp_load(const char *path, char *why, size_t n);
/* The same from a profile already parsed (for the unit tests). */
json_t *local_seccomp_translate(const json_t *profile, const char *arch,
    char *why, size_t n);

#endif

/*
 * local_request.c — a CreateSandboxRequest checked field by field, the
 * way the lifecycle server answers: 400 INVALID_REQUEST naming the field.
 * What the local runtime cannot do is refused here, never ignored.
 */
#include <sys/stat.h>
#include <sys/utsname.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "local_egress.h"
#include "local_image.h"
#include "local_plan.h"
#include "local_root.h"

#define INVALID	"INVALID_REQUEST"
#define MIN_TIMEOUT_S	60

static const char *const default_entrypoint[] = { "tail", "-f", "/dev/null",
    NULL };

/* err: 400 INVALID_REQUEST with the message. Returns -1. */
static int __attribute__((format(printf, 2, 3)))
invalid(struct osb_error *err, const char *fmt, ...)
{
	char msg[sizeof(err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	osb_error_set(err, 400, INVALID, "%s", msg);
	return -1;
}

/* Is v absent or null? */
static int
absent(const json_t *v)
{
	return v == NULL || json_is_null(v);
}

/* Is v an object whose values are all strings? */
static int
string_map(const json_t *v)
{
	const char *k;
	json_t *x;

	if (!json_is_object(v))
		return 0;
	json_object_foreach((json_t *)v, k, x) {
		if (!json_is_string(x))
			return 0;
	}
	return 1;
}

/* A number with an optional fraction at *p ("1", "0.5"). 0 or -1. */
static int
read_decimal(const char **p, double *v)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -1;
	errno = 0;
	*v = strtod(*p, &end);
	if (errno != 0 || end == *p || !isfinite(*v))
		return -1;
	*p = end;
	return 0;
}

/* Cores, or millicores with "m". */
int
local_parse_cpu(const char *s, int64_t *millis)
{
	const char *p = s;
	double v;

	if (read_decimal(&p, &v) == -1)
		return -1;
	if (*p == 'm' && p[1] == '\0')
		v /= 1000;
	else if (*p != '\0')
		return -1;
	if (v <= 0 || v > 1e6)
		return -1;
	*millis = (int64_t)llround(v * 1000);
	return *millis > 0 ? 0 : -1;
}

/* Bytes, with Ki Mi Gi Ti Pi (1024s) or k M G T P (1000s). */
int
local_parse_memory(const char *s, int64_t *bytes)
{
	static const char *const bin[] = { "Ki", "Mi", "Gi", "Ti", "Pi" };
	static const char *const dec[] = { "k", "M", "G", "T", "P" };
	const char *p = s;
	double v, unit = 1;
	size_t i;

	if (read_decimal(&p, &v) == -1)
		return -1;
	for (i = 0; *p != '\0' && i < sizeof(bin) / sizeof(bin[0]); i++) {
		if (strcmp(p, bin[i]) == 0) {
			unit = pow(1024, (double)(i + 1));
			break;
		}
		if (strcmp(p, dec[i]) == 0 || (i == 0 && strcmp(p, "K") == 0)) {
			unit = pow(1000, (double)(i + 1));
			break;
		}
	}
	if (*p != '\0' && unit == 1)
		return -1;
	v *= unit;
	if (v < 1 || v > 9e18)
		return -1;
	*bytes = (int64_t)v;
	return 0;
}

/* A NULL-ended copy of an array of strings. NULL when out of memory. */
static char **
argv_of(const json_t *a)
{
	char **argv = calloc(json_array_size(a) + 1, sizeof(char *));
	json_t *v;
	size_t i;

	if (argv == NULL)
		return NULL;
	json_array_foreach(a, i, v) {
		if ((argv[i] = strdup(json_string_value(v))) == NULL) {
			while (i > 0)
				free(argv[--i]);
			free(argv);
			return NULL;
		}
	}
	return argv;
}

/* Free a NULL-ended array of strings. */
static void
argv_free(char **argv)
{
	char **p;

	for (p = argv; p != NULL && *p != NULL; p++)
		free(*p);
	free(argv);
}

/* Is path (a real path) under one of the prefixes? */
static int
under_prefix(const char *path, const char *const *prefixes)
{
	size_t len;

	for (; prefixes != NULL && *prefixes != NULL; prefixes++) {
		len = strlen(*prefixes);
		while (len > 1 && (*prefixes)[len - 1] == '/')
			len--;
		if (strncmp(path, *prefixes, len) == 0 && (path[len] == '\0' ||
		    path[len] == '/' || len == 1))
			return 1;
	}
	return 0;
}

/* A registry image (or an archive of one), from the cache or pulled:
 * its root the lower layer, its config kept for the entrypoint, env and
 * working directory. */
static int
take_registry_image(const struct osb_local *l, const char *uri,
    const json_t *auth, struct local_plan *plan, struct osb_error *err)
{
	struct local_image img;

	if (l->restricted)
		return invalid(err, "image.uri: %s: serve does not pull "
		    "registry images yet; give a rootfs directory under "
		    "--allow-image-path", uri);
	if (local_image_get(l, uri, auth, &img, err) == -1)
		return -1;
	strlcpy(plan->lower, img.rootfs, sizeof(plan->lower));
	plan->rootfs = 1;
	plan->image_args = json_incref(img.args);
	plan->image_env = json_incref(img.env);
	if (strcmp(img.cwd, "/") != 0)
		strlcpy(plan->cwd, img.cwd, sizeof(plan->cwd));
	plan->uid = img.uid;
	plan->gid = img.gid;
	strlcpy(plan->image_digest, img.digest, sizeof(plan->image_digest));
	if (img.pulled)
		snprintf(plan->note, sizeof(plan->note), "pulled %s", uri);
	local_image_free(&img);
	return 0;
}

/* image: {uri, auth}: "/" is the host root, another absolute path a
 * rootfs directory, anything else an image to pull. The auth is
 * checked and passed to the pull, never kept. */
static int
take_image(const struct osb_local *l, const json_t *req, json_t *sb,
    struct local_plan *plan, struct osb_error *err)
{
	const json_t *image = json_object_get(req, "image"), *auth;
	const char *uri = json_string_value(json_object_get(image, "uri"));
	struct stat st;

	if (!absent(json_object_get(req, "snapshotId")))
		return invalid(err, "snapshotId: snapshots are not supported "
		    "by the local runtime");
	if (!json_is_object(image) || uri == NULL || *uri == '\0')
		return invalid(err, "image.uri: required (a rootfs directory, "
		    "or / for the host's root)");
	auth = json_object_get(image, "auth");
	if (!absent(auth) && (!json_is_object(auth) || !string_map(auth)))
		return invalid(err, "image.auth: must be {\"username\": ..., "
		    "\"password\": ...}");
	json_object_set_new(sb, "image", json_pack("{s:s}", "uri", uri));
	if (local_image_is_ref(uri))
		return take_registry_image(l, uri, absent(auth) ? NULL : auth,
		    plan, err);
	if (strcmp(uri, "/") == 0)
		return 0;
	if (realpath(uri, plan->lower) == NULL || stat(plan->lower, &st) == -1
	    || !S_ISDIR(st.st_mode))
		return invalid(err, "image.uri: %s: not a rootfs directory",
		    uri);
	if (l->restricted && !under_prefix(plan->lower, l->image_paths))
		return invalid(err, "image.uri: %s: not under an allowed image "
		    "path (serve --allow-image-path)", uri);
	plan->rootfs = strcmp(plan->lower, "/") != 0;
	return 0;
}

/* platform: must be what this host is. */
static int
take_platform(const json_t *req, json_t *sb, struct osb_error *err)
{
	const json_t *pf = json_object_get(req, "platform");
	const char *os, *arch;

	if (absent(pf))
		return 0;
	os = json_string_value(json_object_get(pf, "os"));
	arch = json_string_value(json_object_get(pf, "arch"));
	if (os == NULL || arch == NULL)
		return invalid(err, "platform: needs os and arch");
	if (strcmp(os, "linux") != 0 || strcmp(arch, local_host_arch()) != 0)
		return invalid(err, "platform %s/%s: this host is linux/%s",
		    os, arch, local_host_arch());
	json_object_set(sb, "platform", (json_t *)pf);
	return 0;
}

/* timeout: null or absent (no expiry), or whole seconds >= 60. */
static int
take_timeout(const json_t *req, json_t *sb, struct local_plan *plan,
    struct osb_error *err)
{
	const json_t *t = json_object_get(req, "timeout");
	char when[32];

	if (absent(t))
		return 0;
	if (!json_is_integer(t) || json_integer_value(t) < MIN_TIMEOUT_S ||
	    json_integer_value(t) > 100L * 365 * 86400)
		return invalid(err, "timeout: must be a number of seconds, at "
		    "least %d, or null for no expiry", MIN_TIMEOUT_S);
	plan->timeout_ms = json_integer_value(t) * 1000;
	local_time_format(local_now_ms() + plan->timeout_ms, when,
	    sizeof(when));
	json_object_set_new(sb, "expiresAt", json_string(when));
	return 0;
}

/* entrypoint: at least one string; tail -f /dev/null when absent. */
static int
take_entrypoint(const json_t *req, json_t *sb, struct local_plan *plan,
    struct osb_error *err)
{
	json_t *ep = json_object_get(req, "entrypoint"), *v;
	size_t i;

	if (absent(ep) && json_array_size(plan->image_args) > 0) {
		ep = json_incref(plan->image_args);
	} else if (absent(ep)) {
		ep = json_array();
		for (i = 0; default_entrypoint[i] != NULL; i++)
			json_array_append_new(ep,
			    json_string(default_entrypoint[i]));
	} else {
		if (!json_is_array(ep) || json_array_size(ep) == 0)
			return invalid(err, "entrypoint: must be a non-empty "
			    "array of strings");
		json_array_foreach(ep, i, v) {
			if (!json_is_string(v) || (i == 0 &&
			    json_string_length(v) == 0))
				return invalid(err, "entrypoint[%zu]: must be a "
				    "string%s", i, i == 0 ? " naming a program" :
				    "");
		}
		json_incref(ep);
	}
	json_object_set_new(sb, "entrypoint", ep);
	if ((plan->entrypoint = argv_of(ep)) == NULL)
		return invalid(err, "entrypoint: out of memory");
	return 0;
}

/* env, metadata, extensions: objects of strings, kept as they are. */
static int
take_maps(const json_t *req, json_t *sb, struct local_plan *plan,
    struct osb_error *err)
{
	static const char *const names[] = { "env", "metadata", "extensions" };
	const json_t *v;
	const char *k;
	size_t i, n = 0;
	json_t *x;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		v = json_object_get(req, names[i]);
		if (absent(v)) {
			json_object_set_new(sb, names[i], json_object());
			continue;
		}
		if (!string_map(v))
			return invalid(err, "%s: must be an object of strings",
			    names[i]);
		json_object_set(sb, names[i], (json_t *)v);
	}
	v = json_object_get(sb, "env");
	if ((plan->env = calloc(json_array_size(plan->image_env) +
	    json_object_size(v) + 1, sizeof(char *))) == NULL)
		return invalid(err, "env: out of memory");
	/* The image's first: the request's later entries win. */
	json_array_foreach(plan->image_env, i, x) {
		if (json_is_string(x) && strchr(json_string_value(x), '=') &&
		    (plan->env[n] = strdup(json_string_value(x))) != NULL)
			n++;
	}
	json_object_foreach((json_t *)v, k, x) {
		if (*k == '\0' || strchr(k, '=') != NULL)
			return invalid(err, "env: '%s' is not a variable name",
			    k);
		if (asprintf(&plan->env[n++], "%s=%s", k,
		    json_string_value(x)) < 0) {
			plan->env[--n] = NULL;
			return invalid(err, "env: out of memory");
		}
	}
	return 0;
}

/* resourceLimits: cpu, memory and pids enforced; other keys kept and
 * named in the status message as not enforced. */
static int
take_limits(const json_t *req, json_t *sb, struct local_plan *plan,
    struct osb_error *err)
{
	const json_t *rl = json_object_get(req, "resourceLimits");
	char others[256] = "";
	const char *k, *s, *errstr;
	json_t *v;
	size_t len;

	if (absent(rl)) {
		json_object_set_new(sb, "resourceLimits", json_object());
		return 0;
	}
	if (!string_map(rl))
		return invalid(err, "resourceLimits: must be an object of "
		    "strings (\"cpu\": \"500m\", \"memory\": \"512Mi\")");
	json_object_foreach((json_t *)rl, k, v) {
		s = json_string_value(v);
		if (strcmp(k, "cpu") == 0) {
			if (local_parse_cpu(s, &plan->limits.cpu_millis) == -1)
				return invalid(err, "resourceLimits.cpu: '%s' "
				    "is not a CPU quantity (500m, 2)", s);
		} else if (strcmp(k, "memory") == 0) {
			if (local_parse_memory(s, &plan->limits.memory) == -1)
				return invalid(err, "resourceLimits.memory: "
				    "'%s' is not a memory quantity (512Mi, "
				    "1Gi)", s);
		} else if (strcmp(k, "pids") == 0) {
			plan->limits.pids = strtonum(s, 1, 4194304, &errstr);
			if (errstr != NULL)
				return invalid(err, "resourceLimits.pids: '%s' "
				    "is not a number of processes", s);
		} else {
			len = strlen(others);
			snprintf(others + len, sizeof(others) - len, "%s%s",
			    len ? ", " : "", k);
		}
	}
	json_object_set(sb, "resourceLimits", (json_t *)rl);
	if (*others != '\0') {
		len = strlen(plan->note);
		snprintf(plan->note + len, sizeof(plan->note) - len,
		    "%sresourceLimits not enforced here: %s", len ? "; " : "",
		    others);
	}
	return 0;
}

/* networkPolicy: allow-all; deny with no rules (loopback only); or
 * rules, which the supervisor enforces (local_egress). */
static int
take_network(const json_t *req, json_t *sb, struct local_plan *plan,
    struct osb_error *err)
{
	const json_t *np = json_object_get(req, "networkPolicy");
	const char *action;
	char why[256];

	if (absent(np))
		return 0;
	if (local_egress_check(np, "networkPolicy", why, sizeof(why)) == -1)
		return invalid(err, "%s", why);
	json_object_set(sb, "networkPolicy", (json_t *)np);
	if (json_object_size(np) == 0)
		return 0;
	action = json_string_value(json_object_get(np, "defaultAction"));
	if (json_array_size(json_object_get(np, "egress")) > 0) {
		plan->egress = local_egress_normal(np);
		return 0;
	}
	plan->deny_net = action == NULL || strcmp(action, "deny") == 0;
	return 0;
}

/* credentialProxy: only {"enabled": false} (or nothing) can be honoured. */
static int
take_credential_proxy(const json_t *req, struct osb_error *err)
{
	const json_t *cp = json_object_get(req, "credentialProxy");

	if (absent(cp))
		return 0;
	if (!json_is_object(cp))
		return invalid(err, "credentialProxy: must be an object");
	if (json_is_true(json_object_get(cp, "enabled")))
		return invalid(err, "credentialProxy: not supported by the "
		    "local runtime");
	return 0;
}

/* Is s a DNS label (lowercase letters, digits, inner '-'; 1-63)? */
static int
dns_label(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i])
		    && s[i] != '-')
			return 0;
	return 1;
}

/* Does path hold a ".." component? */
static int
has_dotdot(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, "..")) != NULL) {
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 1;
		p += 2;
	}
	return 0;
}

/* The directory of named volume claim, made when create says so. */
static int
pvc_dir(const struct osb_local *l, const char *vname, const json_t *pvc,
    char *dir, struct osb_error *err)
{
	const char *claim = json_string_value(json_object_get(pvc, "claimName"));
	const json_t *create = json_object_get(pvc, "createIfNotExists");
	char parent[PATH_MAX];

	if (claim == NULL || !dns_label(claim))
		return invalid(err, "volume %s: pvc.claimName must be a DNS "
		    "label", vname);
	if (snprintf(parent, sizeof(parent), "%s/volumes", l->dir) >=
	    (int)sizeof(parent) || snprintf(dir, PATH_MAX, "%s/%s", parent,
	    claim) >= PATH_MAX)
		return invalid(err, "volume %s: state path too long", vname);
	if (access(dir, F_OK) == 0)
		return 0;
	if (json_is_false(create))
		return invalid(err, "volume %s: pvc %s does not exist and "
		    "createIfNotExists is false", vname, claim);
	if ((mkdir(parent, 0700) == -1 && errno != EEXIST) ||
	    (mkdir(dir, 0755) == -1 && errno != EEXIST)) {
		osb_error_set(err, 500, "RUNTIME_ERROR", "volume %s: create "
		    "%s: %s", vname, dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* For a pvc that is asked to: make subPath beneath the volume. */
static int
make_sub(const char *name, const char *base, const char *sub,
    struct osb_error *err)
{
	char parent[PATH_MAX], *slash;
	int fd;

	strlcpy(parent, sub, sizeof(parent));
	slash = strrchr(parent, '/');
	if (slash != NULL)
		*slash = '\0';
	if ((fd = local_open_beneath(base, slash ? parent : "")) == -1)
		return invalid(err, "volume %s: subPath %s: %s", name, sub,
		    errno == EXDEV ? "it leads out of the volume" :
		    strerror(errno));
	if (mkdirat(fd, slash ? slash + 1 : sub, 0755) == -1 &&
	    errno != EEXIST) {
		close(fd);
		return invalid(err, "volume %s: subPath %s: %s", name, sub,
		    strerror(errno));
	}
	close(fd);
	return 0;
}

/* The host source of volume v into m: the volume's real path, and the
 * subPath beneath it, checked not to lead out of it. */
static int
volume_source(const struct osb_local *l, const char *name, const json_t *v,
    struct local_mount *m, struct osb_error *err)
{
	const json_t *host = json_object_get(v, "host");
	const json_t *pvc = json_object_get(v, "pvc");
	const char *sub = json_string_value(json_object_get(v, "subPath"));
	char base[PATH_MAX];
	const char *hp;
	int fd;

	if (!absent(json_object_get(v, "ossfs")))
		return invalid(err, "volume %s: ossfs is not supported by the "
		    "local runtime", name);
	if (absent(host) == absent(pvc))
		return invalid(err, "volume %s: must name exactly one backend "
		    "(host or pvc)", name);
	if (!absent(json_object_get(v, "subPath")) && (sub == NULL ||
	    *sub == '/' || has_dotdot(sub)))
		return invalid(err, "volume %s: subPath must be a relative "
		    "path without '..'", name);
	if (!absent(host)) {
		hp = json_string_value(json_object_get(host, "path"));
		if (hp == NULL || *hp != '/')
			return invalid(err, "volume %s: host.path must be an "
			    "absolute path", name);
		strlcpy(base, hp, sizeof(base));
	} else if (pvc_dir(l, name, pvc, base, err) == -1)
		return -1;
	if (realpath(base, m->source) == NULL)
		return invalid(err, "volume %s: %s: %s", name, base,
		    strerror(errno));
	if (!absent(host) && l->restricted &&
	    !under_prefix(m->source, l->host_paths))
		return invalid(err, "volume %s: host path %s is not allowed: "
		    "serve mounts only what is under --allow-host-path", name,
		    m->source);
	strlcpy(m->sub, sub ? sub : "", sizeof(m->sub));
	if (!absent(pvc) && sub != NULL &&
	    make_sub(name, m->source, sub, err) == -1)
		return -1;
	if ((fd = local_open_beneath(m->source, m->sub)) == -1)
		return invalid(err, "volume %s: %s%s%s: %s", name, m->source,
		    *m->sub ? "/" : "", m->sub, errno == EXDEV ? "it leads "
		    "out of the volume" : strerror(errno));
	close(fd);
	return 0;
}

/* One volume: name, mountPath, readOnly, and its source. */
static int
take_volume(const struct osb_local *l, const json_t *v, struct local_plan *plan,
    size_t i, struct osb_error *err)
{
	const char *name = json_string_value(json_object_get(v, "name"));
	const char *target = json_string_value(json_object_get(v, "mountPath"));
	const json_t *ro = json_object_get(v, "readOnly");
	struct local_mount *m = &plan->mounts[i];
	size_t j;

	if (!json_is_object(v))
		return invalid(err, "volumes[%zu]: must be an object", i);
	if (name == NULL || !dns_label(name))
		return invalid(err, "volumes[%zu].name: must be a DNS label", i);
	if (target == NULL || *target != '/' || has_dotdot(target) ||
	    strspn(target, "/") == strlen(target))
		return invalid(err, "volume %s: mountPath must be an absolute "
		    "path below / without '..'", name);
	if (!absent(ro) && !json_is_boolean(ro))
		return invalid(err, "volume %s: readOnly must be true or false",
		    name);
	for (j = 0; j < i; j++)
		if (strcmp(plan->mounts[j].target, target) == 0)
			return invalid(err, "volume %s: mountPath %s is "
			    "mounted twice", name, target);
	strlcpy(m->target, target, sizeof(m->target));
	m->read_only = json_is_true(ro);
	if (volume_source(l, name, v, m, err) == -1)
		return -1;
	plan->nmounts = i + 1;
	return 0;
}

/* volumes: host binds and named volumes; names unique. */
static int
take_volumes(const struct osb_local *l, const json_t *req, json_t *sb,
    struct local_plan *plan, struct osb_error *err)
{
	const json_t *vols = json_object_get(req, "volumes");
	const char *a, *b;
	size_t i, j;

	if (absent(vols))
		return 0;
	if (!json_is_array(vols))
		return invalid(err, "volumes: must be an array");
	for (i = 0; i < json_array_size(vols); i++)
		for (j = 0; j < i; j++) {
			a = json_string_value(json_object_get(
			    json_array_get(vols, i), "name"));
			b = json_string_value(json_object_get(
			    json_array_get(vols, j), "name"));
			if (a && b && strcmp(a, b) == 0)
				return invalid(err, "volume %s: the name is "
				    "used twice", a);
		}
	if ((plan->mounts = calloc(json_array_size(vols) + 1,
	    sizeof(*plan->mounts))) == NULL)
		return invalid(err, "volumes: out of memory");
	for (i = 0; i < json_array_size(vols); i++)
		if (take_volume(l, json_array_get(vols, i), plan, i, err) == -1)
			return -1;
	json_object_set(sb, "volumes", (json_t *)vols);
	return 0;
}

/* The record of a new sandbox from the request, field by field. */
json_t *
local_plan_make(const struct osb_local *l, const json_t *req, const char *id,
    struct local_plan *plan, struct osb_error *err)
{
	json_t *sb = json_object(), *rec;
	const json_t *sa = json_object_get(req, "secureAccess");
	char now[32];

	memset(plan, 0, sizeof(*plan));
	rec = json_pack("{s:o, s:{}}", "sandbox", sb, "runtime");
	if (!json_is_object(req)) {
		invalid(err, "the request body must be a JSON object");
		goto fail;
	}
	json_object_set_new(sb, "id", json_string(id));
	local_time_format(local_now_ms(), now, sizeof(now));
	json_object_set_new(sb, "createdAt", json_string(now));
	local_set_status(rec, "Pending", "provisioning", "starting the "
	    "sandbox");
	if (!absent(sa) && !json_is_boolean(sa)) {
		invalid(err, "secureAccess: must be true or false");
		goto fail;
	}
	if (take_image(l, req, sb, plan, err) == -1 ||
	    take_platform(req, sb, err) == -1 ||
	    take_timeout(req, sb, plan, err) == -1 ||
	    take_entrypoint(req, sb, plan, err) == -1 ||
	    take_maps(req, sb, plan, err) == -1 ||
	    take_limits(req, sb, plan, err) == -1 ||
	    take_network(req, sb, plan, err) == -1 ||
	    take_credential_proxy(req, err) == -1 ||
	    take_volumes(l, req, sb, plan, err) == -1)
		goto fail;
	/* What image prune must leave while the sandbox lives. */
	if (*plan->image_digest)
		json_object_set_new(json_object_get(rec, "runtime"),
		    "imageDigest", json_string(plan->image_digest));
	return rec;
fail:
	json_decref(rec);
	local_plan_free(plan);
	return NULL;
}

/* Release what the plan holds. */
void
local_plan_free(struct local_plan *plan)
{
	argv_free(plan->entrypoint);
	argv_free(plan->env);
	free(plan->mounts);
	json_decref(plan->image_args);
	json_decref(plan->image_env);
	plan->image_args = plan->image_env = NULL;
	plan->entrypoint = plan->env = NULL;
	plan->mounts = NULL;
	plan->nmounts = 0;
	json_decref(plan->egress);
	plan->egress = NULL;
}

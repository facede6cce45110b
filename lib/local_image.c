/*
 * local_image.c — images pulled with skopeo and unpacked with umoci; no
 * registry client of our own. Under the state directory:
 *
 *   images/oci/          one OCI layout: blobs shared between images,
 *                        each reference tagged by the hash of its name
 *   images/roots/HEX/    the unpacked bundle of the manifest sha256:HEX
 *                        (rootfs/ and umoci's config.json)
 *   images/refs/KEY      {uri, digest, pulledAt}: written last, so a pull
 *                        that was interrupted is never taken as complete
 *   images/tmp/          bundles being unpacked, renamed into roots/
 *   images/lock          flock: one pull at a time, so that concurrent
 *                        creates of an image pull it once
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sha2.h>

#include "local_image.h"
#include "local_runc.h"

#define INVALID	"INVALID_REQUEST"
#define RUNTIME	"RUNTIME_ERROR"

int
local_image_is_ref(const char *uri)
{
	return uri != NULL && *uri != '\0' && *uri != '/';
}

/* dir/images/name into buf (PATH_MAX). */
static int
image_path(const struct osb_local *l, const char *name, char *buf)
{
	int n = snprintf(buf, PATH_MAX, "%.*s/images%s%s", PATH_MAX - 128,
	    l->dir, *name ? "/" : "", name);

	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* The key of a reference: the hex sha256 of its text. */
static void
ref_key(const char *uri, char key[65])
{
	SHA256Data((const uint8_t *)uri, strlen(uri), key);
}

/* Is the registry of a docker reference on loopback, where plain HTTP is
 * allowed? */
static int
loopback_registry(const char *ref)
{
	const char *slash = strchr(ref, '/');
	char host[256];
	size_t n;

	if (slash == NULL || (n = (size_t)(slash - ref)) >= sizeof(host))
		return 0;
	memcpy(host, ref, n);
	host[n] = '\0';
	if (host[0] == '[')	/* [::1]:5000 */
		return strncmp(host, "[::1]", 5) == 0;
	host[strcspn(host, ":")] = '\0';
	return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0;
}

/* The skopeo source of uri: archives as they are, names over docker://. */
static int
source_of(const char *uri, char *src, size_t n)
{
	if (strncmp(uri, "docker-archive:", 15) == 0 ||
	    strncmp(uri, "oci-archive:", 12) == 0)
		return snprintf(src, n, "%s", uri) >= (int)n ? -1 : 0;
	if (strncmp(uri, "docker://", 9) == 0)
		uri += 9;
	return snprintf(src, n, "docker://%s", uri) >= (int)n ? -1 : 0;
}

/* What a tool said last: the msg="..." of a logrus line, else the line. */
static void
tool_reason(char *text, char *why, size_t n)
{
	char *line, *msg, *end;
	size_t len = strlen(text);

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	line = strrchr(text, '\n') ? strrchr(text, '\n') + 1 : text;
	if ((msg = strstr(line, "msg=\"")) != NULL) {
		msg += 5;
		for (end = msg; *end && !(*end == '"' && end[-1] != '\\'); end++)
			;
		*end = '\0';
		line = msg;
	}
	/* skopeo's "initializing source docker://REF: " names what the
	 * error already does; the registry's reason may come twice. */
	if (strncmp(line, "initializing source ", 20) == 0 &&
	    (msg = strstr(line + 20, ": ")) != NULL)
		line = msg + 2;
	len = strlen(line);
	if ((msg = strrchr(line, ':')) != NULL && msg[1] == ' ' &&
	    (size_t)(msg - line) >= strlen(msg + 2) &&
	    strncmp(msg - strlen(msg + 2), msg + 2, strlen(msg + 2)) == 0)
		*msg = '\0';
	for (msg = end = line; *msg; msg++)	/* logrus quoted it */
		if (!(msg[0] == '\\' && msg[1] == '"'))
			*end++ = *msg;
	*end = '\0';
	snprintf(why, n, "%s", *line ? line : "it failed without a word");
}

/* Run argv (argv[0] a full path), its output to out (-1: /dev/null) and
 * its stderr kept; 0 when it succeeds, or -1 with why its reason. */
static int
run_tool(char *const argv[], int out, char *why, size_t n)
{
	char text[8192];
	size_t len = 0;
	ssize_t r;
	int p[2], status, null;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return local_why(why, n, "pipe");
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return local_why(why, n, "fork");
	}
	if (pid == 0) {
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(out >= 0 ? out : null, 1);
		dup2(p[1], 2);
		execv(argv[0], argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	/* Keep the end of what it says: the reason comes last. */
	while ((r = read(p[0], text + len, sizeof(text) - 1 - len)) > 0 ||
	    (r == -1 && errno == EINTR)) {
		if (r > 0 && (len += (size_t)r) == sizeof(text) - 1) {
			memmove(text, text + len / 2, len - len / 2);
			len -= len / 2;
		}
	}
	close(p[0]);
	text[len] = '\0';
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	tool_reason(text, why, n);
	return -1;
}

/* The image config umoci left in bundle/config.json, into img. */
static int
read_config(const char *bundle, struct local_image *img, char *why, size_t n)
{
	char path[PATH_MAX + 16];
	json_t *c, *proc, *user;
	const char *cwd;

	snprintf(path, sizeof(path), "%s/config.json", bundle);
	if ((c = json_load_file(path, 0, NULL)) == NULL)
		return local_why(why, n, "read %s", path);
	proc = json_object_get(c, "process");
	user = json_object_get(proc, "user");
	img->args = json_incref(json_is_array(json_object_get(proc, "args")) ?
	    json_object_get(proc, "args") : json_array());
	img->env = json_incref(json_is_array(json_object_get(proc, "env")) ?
	    json_object_get(proc, "env") : json_array());
	cwd = json_string_value(json_object_get(proc, "cwd"));
	snprintf(img->cwd, sizeof(img->cwd), "%s", cwd && *cwd ? cwd : "/");
	img->uid = (long)json_integer_value(json_object_get(user, "uid"));
	img->gid = (long)json_integer_value(json_object_get(user, "gid"));
	json_decref(c);
	return 0;
}

/* The record of a cached reference, or NULL. */
static json_t *
read_ref(const struct osb_local *l, const char *uri)
{
	char key[65], name[80], path[PATH_MAX];

	ref_key(uri, key);
	snprintf(name, sizeof(name), "refs/%s", key);
	if (image_path(l, name, path) == -1)
		return NULL;
	return json_load_file(path, 0, NULL);
}

/* The bundle directory of digest ("sha256:HEX") into buf. */
static int
root_of(const struct osb_local *l, const char *digest, char *buf)
{
	char name[100];
	const char *hex = strchr(digest, ':');

	snprintf(name, sizeof(name), "roots/%s", hex ? hex + 1 : digest);
	return image_path(l, name, buf);
}

/* Take the image from the cache when its record and bundle are there. */
static int
from_cache(const struct osb_local *l, const char *uri,
    struct local_image *img, char *why, size_t n)
{
	json_t *rec = read_ref(l, uri);
	const char *digest = json_string_value(json_object_get(rec, "digest"));
	char bundle[PATH_MAX];
	struct stat st;
	int rc = -1;

	if (digest != NULL && root_of(l, digest, bundle) == 0 &&
	    snprintf(img->rootfs, sizeof(img->rootfs), "%s/rootfs", bundle) <
	    (int)sizeof(img->rootfs) && stat(img->rootfs, &st) == 0 &&
	    read_config(bundle, img, why, n) == 0) {
		snprintf(img->digest, sizeof(img->digest), "%s", digest);
		rc = 0;
	}
	json_decref(rec);
	return rc;
}

/* Make the directories of the cache. */
static int
make_dirs(const struct osb_local *l, char *why, size_t n)
{
	static const char *const dirs[] = { "", "oci", "roots", "refs", "tmp" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (image_path(l, dirs[i], path) == -1 || (mkdir(path, 0700) ==
		    -1 && errno != EEXIST))
			return local_why(why, n, "create %s", path);
	return 0;
}

/* skopeo copy uri into the layout, tagged key; the manifest's digest into
 * digest. */
static int
copy_image(const struct osb_local *l, const char *uri, const json_t *auth,
    const char *key, const char *tmp, char *digest, char *why, size_t n)
{
	char skopeo[PATH_MAX], src[PATH_MAX + 32], dst[PATH_MAX + 80];
	char layout[PATH_MAX], dfile[PATH_MAX + 16], creds[1024];
	const char *argv[12];
	size_t a = 0;
	FILE *f;
	int rc;

	if (local_find_tool("skopeo", skopeo, why, n) == -1)
		return -1;
	if (source_of(uri, src, sizeof(src)) == -1 ||
	    image_path(l, "oci", layout) == -1)
		return local_why(why, n, "the reference is too long");
	snprintf(dst, sizeof(dst), "oci:%s:%s", layout, key);
	snprintf(dfile, sizeof(dfile), "%s/digest", tmp);
	argv[a++] = skopeo;
	argv[a++] = "--insecure-policy";
	argv[a++] = "copy";
	argv[a++] = "--quiet";
	argv[a++] = "--digestfile";
	argv[a++] = dfile;
	if (strncmp(src, "docker://", 9) == 0 && loopback_registry(src + 9))
		argv[a++] = "--src-tls-verify=false";
	if (auth != NULL && json_object_size(auth) > 0) {
		snprintf(creds, sizeof(creds), "%s:%s", json_string_value(
		    json_object_get(auth, "username")) ?: "", json_string_value(
		    json_object_get(auth, "password")) ?: "");
		argv[a++] = "--src-creds";
		argv[a++] = creds;
	}
	argv[a++] = src;
	argv[a++] = dst;
	argv[a] = NULL;
	rc = run_tool((char *const *)argv, -1, why, n);
	explicit_bzero(creds, sizeof(creds));
	if (rc == -1)
		return -1;
	if ((f = fopen(dfile, "r")) == NULL || fscanf(f, "%79s", digest) != 1) {
		if (f != NULL)
			fclose(f);
		return local_why(why, n, "read the digest skopeo wrote");
	}
	fclose(f);
	unlink(dfile);
	return 0;
}

/* umoci unpack the layout's key into tmp/bundle, renamed to its root. */
static int
unpack_image(const struct osb_local *l, const char *key, const char *tmp,
    const char *digest, char *why, size_t n)
{
	char umoci[PATH_MAX], image[PATH_MAX + 80], layout[PATH_MAX];
	char bundle[PATH_MAX + 16], root[PATH_MAX];
	const char *argv[8];
	size_t a = 0;

	if (root_of(l, digest, root) == -1)
		return local_why(why, n, "the digest is too long");
	if (access(root, F_OK) == 0)	/* another name of the same image */
		return 0;
	if (local_find_tool("umoci", umoci, why, n) == -1)
		return -1;
	image_path(l, "oci", layout);
	snprintf(image, sizeof(image), "%s:%s", layout, key);
	snprintf(bundle, sizeof(bundle), "%s/bundle", tmp);
	argv[a++] = umoci;
	argv[a++] = "unpack";
	if (geteuid() != 0)
		argv[a++] = "--rootless";
	argv[a++] = "--image";
	argv[a++] = image;
	argv[a++] = bundle;
	argv[a] = NULL;
	if (run_tool((char *const *)argv, -1, why, n) == -1)
		return -1;
	if (rename(bundle, root) == -1 && errno != EEXIST && errno != ENOTEMPTY)
		return local_why(why, n, "rename %s to %s", bundle, root);
	return 0;
}

/* Write the reference's record, atomically: it makes the pull complete. */
static int
write_ref(const struct osb_local *l, const char *uri, const char *key,
    const char *digest, char *why, size_t n)
{
	char name[80], path[PATH_MAX], tmp[PATH_MAX + 8], now[32];
	json_t *rec;
	int rc;

	snprintf(name, sizeof(name), "refs/%s", key);
	image_path(l, name, path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	local_time_format(local_now_ms(), now, sizeof(now));
	rec = json_pack("{s:s, s:s, s:s}", "uri", uri, "digest", digest,
	    "pulledAt", now);
	rc = rec ? json_dump_file(rec, tmp, 0) : -1;
	json_decref(rec);
	if (rc == -1 || rename(tmp, path) == -1)
		return local_why(why, n, "write %s", path);
	return 0;
}

/* Pull uri: copy, unpack, record. */
static int
pull(const struct osb_local *l, const char *uri, const json_t *auth,
    char *digest, char *why, size_t n)
{
	char key[65], tmpl[PATH_MAX];
	int rc;

	ref_key(uri, key);
	if (image_path(l, "tmp/pull.XXXXXX", tmpl) == -1 ||
	    mkdtemp(tmpl) == NULL)
		return local_why(why, n, "create a directory under %s/images",
		    l->dir);
	rc = copy_image(l, uri, auth, key, tmpl, digest, why, n);
	if (rc == 0)
		rc = unpack_image(l, key, tmpl, digest, why, n);
	if (rc == 0)
		rc = write_ref(l, uri, key, digest, why, n);
	local_remove_tree(tmpl);
	return rc;
}

/* Hold the cache's lock: fd, or -1. */
static int
lock_cache(const struct osb_local *l, char *why, size_t n)
{
	char path[PATH_MAX];
	int fd;

	if (make_dirs(l, why, n) == -1)
		return -1;
	image_path(l, "lock", path);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return local_why(why, n, "open %s", path);
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			close(fd);
			return local_why(why, n, "lock %s", path);
		}
	return fd;
}

int
local_image_get(const struct osb_local *l, const char *uri,
    const json_t *auth, struct local_image *img, struct osb_error *err)
{
	char why[1024], digest[80];
	int lock, rc;

	memset(img, 0, sizeof(*img));
	/* A cached image needs no lock: its root is renamed into place
	 * and its record written after. */
	if (from_cache(l, uri, img, why, sizeof(why)) == 0)
		return 0;
	local_image_free(img);
	if ((lock = lock_cache(l, why, sizeof(why))) == -1) {
		osb_error_set(err, 500, RUNTIME, "image %s: %s", uri, why);
		return -1;
	}
	if (from_cache(l, uri, img, why, sizeof(why)) == 0) {
		close(lock);
		return 0;
	}
	local_image_free(img);
	rc = pull(l, uri, auth, digest, why, sizeof(why));
	if (rc == 0 && (rc = from_cache(l, uri, img, why, sizeof(why))) == -1)
		snprintf(why, sizeof(why), "unpacked, but not found in the "
		    "cache");
	close(lock);
	if (rc == -1) {
		local_image_free(img);
		osb_error_set(err, strstr(why, "not found: apt-get") ? 500 :
		    400, strstr(why, "not found: apt-get") ? RUNTIME : INVALID,
		    "image %s: %s", uri, why);
		return -1;
	}
	img->pulled = 1;
	return 0;
}

void
local_image_free(struct local_image *img)
{
	json_decref(img->args);
	json_decref(img->env);
	img->args = img->env = NULL;
}

int
local_image_cached(const struct osb_local *l, const char *uri)
{
	json_t *rec = read_ref(l, uri);
	const char *digest = json_string_value(json_object_get(rec, "digest"));
	char root[PATH_MAX];
	int yes;

	yes = digest != NULL && root_of(l, digest, root) == 0 &&
	    access(root, F_OK) == 0;
	json_decref(rec);
	return yes;
}

/* Each record under refs/, loaded, to fn; stops at fn's -1. */
static int
each_ref(const struct osb_local *l, int (*fn)(json_t *, const char *,
    void *), void *arg)
{
	char dir[PATH_MAX], path[PATH_MAX + 80];
	struct dirent *e;
	json_t *rec;
	DIR *d;
	int rc = 0;

	if (image_path(l, "refs", dir) == -1 || (d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (strlen(e->d_name) != 64)	/* ., .., *.tmp */
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((rec = json_load_file(path, 0, NULL)) == NULL)
			continue;
		rc = fn(rec, e->d_name, arg);
		json_decref(rec);
	}
	closedir(d);
	return rc;
}

static int
list_one(json_t *rec, const char *key, void *arg)
{
	json_array_append(arg, rec);
	return 0;
}

static int
by_uri(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a,
	    "uri")), json_string_value(json_object_get(*(json_t *const *)b,
	    "uri")));
}

json_t *
local_image_list(const struct osb_local *l, struct osb_error *err)
{
	json_t *list = json_array(), *sorted, **v;
	size_t i, n;

	if (each_ref(l, list_one, list) == -1) {
		osb_error_set(err, 500, RUNTIME, "images: read %s/images/refs: "
		    "%s", l->dir, strerror(errno));
		json_decref(list);
		return NULL;
	}
	n = json_array_size(list);
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return list;
	for (i = 0; i < n; i++)
		v[i] = json_array_get(list, i);
	qsort(v, n, sizeof(*v), by_uri);
	sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	free(v);
	json_decref(list);
	return sorted;
}

int
local_image_remove(const struct osb_local *l, const char *uri,
    struct osb_error *err)
{
	char key[65], name[80], path[PATH_MAX], why[512];
	int lock, rc;

	if ((lock = lock_cache(l, why, sizeof(why))) == -1) {
		osb_error_set(err, 500, RUNTIME, "image %s: %s", uri, why);
		return -1;
	}
	ref_key(uri, key);
	snprintf(name, sizeof(name), "refs/%s", key);
	image_path(l, name, path);
	rc = unlink(path);
	close(lock);
	if (rc == -1 && errno == ENOENT)
		osb_error_set(err, 404, "IMAGE_NOT_FOUND", "image %s: not in "
		    "the cache", uri);
	else if (rc == -1)
		osb_error_set(err, 500, RUNTIME, "image %s: remove %s: %s", uri,
		    path, strerror(errno));
	return rc;
}

/* The digests in use: by a cached image or by a sandbox not yet ended. */
static int
keep_ref(json_t *rec, const char *key, void *arg)
{
	json_object_set_new(arg, json_string_value(json_object_get(rec,
	    "digest")) ?: "", json_true());
	return 0;
}

static json_t *
digests_in_use(const struct osb_local *l, struct osb_error *err)
{
	json_t *used = json_object(), *rec;
	char **ids;
	size_t n, i;
	const char *d;

	if (local_ids(l, &ids, &n, err) == -1) {
		json_decref(used);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if ((rec = local_read(l, ids[i], err)) == NULL)
			continue;
		d = local_runtime_str(rec, "imageDigest");
		if (d != NULL && !local_state_final(local_state_of(rec)))
			json_object_set_new(used, d, json_true());
		json_decref(rec);
	}
	local_ids_free(ids, n);
	each_ref(l, keep_ref, used);
	return used;
}

/* Remove the roots no digest in used names; the number removed. */
static int
prune_roots(const struct osb_local *l, const json_t *used)
{
	char dir[PATH_MAX], path[PATH_MAX + 256], digest[300];
	struct dirent *e;
	DIR *d;
	int n = 0;

	if (image_path(l, "roots", dir) == -1 || (d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (*e->d_name == '.')
			continue;
		snprintf(digest, sizeof(digest), "sha256:%s", e->d_name);
		if (json_object_get(used, digest) != NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (local_remove_tree(path) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Untag in the layout what no reference names, then collect its
 * unreferenced blobs with umoci gc. */
static int
prune_layout(const struct osb_local *l, char *why, size_t n)
{
	char umoci[PATH_MAX], layout[PATH_MAX], image[PATH_MAX + 80];
	char name[80], path[PATH_MAX];
	json_t *index, *m;
	const char *tag;
	size_t i;

	if (image_path(l, "oci", layout) == -1)
		return local_why(why, n, "the state path is too long");
	snprintf(image, sizeof(image), "%s/index.json", layout);
	if ((index = json_load_file(image, 0, NULL)) == NULL)
		return 0;	/* nothing pulled yet */
	if (local_find_tool("umoci", umoci, why, n) == -1) {
		json_decref(index);
		return -1;
	}
	json_array_foreach(json_object_get(index, "manifests"), i, m) {
		tag = json_string_value(json_object_get(json_object_get(m,
		    "annotations"), "org.opencontainers.image.ref.name"));
		snprintf(name, sizeof(name), "refs/%s", tag ? tag : "");
		if (tag == NULL || (image_path(l, name, path) == 0 &&
		    access(path, F_OK) == 0))
			continue;
		snprintf(image, sizeof(image), "%s:%s", layout, tag);
		if (run_tool((char *const[]){ umoci, "rm", "--image", image,
		    NULL }, -1, why, n) == -1) {
			json_decref(index);
			return -1;
		}
	}
	json_decref(index);
	return run_tool((char *const[]){ umoci, "gc", "--layout", layout,
	    NULL }, -1, why, n);
}

int
local_image_prune(const struct osb_local *l, struct osb_error *err)
{
	char why[1024], tmp[PATH_MAX];
	json_t *used;
	int lock, n = -1;

	if ((lock = lock_cache(l, why, sizeof(why))) == -1) {
		osb_error_set(err, 500, RUNTIME, "images: %s", why);
		return -1;
	}
	/* Under the lock no pull is under way: tmp/ is all leftovers. */
	image_path(l, "tmp", tmp);
	if ((used = digests_in_use(l, err)) != NULL &&
	    local_remove_tree(tmp) == 0 && mkdir(tmp, 0700) == 0) {
		n = prune_roots(l, used);
		if (prune_layout(l, why, sizeof(why)) == -1) {
			osb_error_set(err, 500, RUNTIME, "images: prune: %s",
			    why);
			n = -1;
		}
	} else if (used != NULL)
		osb_error_set(err, 500, RUNTIME, "images: clear %s: %s", tmp,
		    strerror(errno));
	json_decref(used);
	close(lock);
	return n;
}

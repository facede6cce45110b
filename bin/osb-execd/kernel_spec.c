/*
 * kernel_spec.c — finding and reading kernelspecs. They are read afresh
 * for every lookup: a kernel installed while the daemon runs is found,
 * and a handful of small files costs nothing next to starting a kernel.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "kernel_spec.h"
#include "log.h"

#define MAX_SPECS 64

/* The kernelspecs found, in search order, one per name. */
struct spec_list {
	struct kernel_spec *spec[MAX_SPECS];
	size_t n;
};

/* Release a kernelspec. */
void
kernel_spec_free(struct kernel_spec *ks)
{
	char **a;

	if (ks == NULL)
		return;
	for (a = ks->argv; a && *a; a++)
		free(*a);
	free(ks->argv);
	free(ks->name);
	free(ks->dir);
	free(ks->language);
	json_decref(ks->env);
	free(ks);
}

/* argv from a kernel.json "argv": a non-empty array of strings. */
static char **
spec_argv(json_t *a)
{
	size_t i, n = json_array_size(a);
	char **argv;

	if (n == 0 || (argv = calloc(n + 1, sizeof(*argv))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));

		if (s == NULL || (argv[i] = strdup(s)) == NULL) {
			while (i-- > 0)
				free(argv[i]);
			free(argv);
			return NULL;
		}
	}
	return argv;
}

/* Is env absent, or an object of strings? */
static int
env_ok(json_t *env)
{
	const char *key;
	json_t *v;

	if (env == NULL)
		return 1;
	if (!json_is_object(env))
		return 0;
	json_object_foreach(env, key, v)
		if (!json_is_string(v))
			return 0;
	return 1;
}

/* The kernelspec in dir (named name), or NULL when it is not a valid one. */
static struct kernel_spec *
spec_read(const char *dir, const char *name)
{
	struct kernel_spec *ks;
	char path[4096];
	json_t *doc, *env;
	const char *lang, *mode;

	if (snprintf(path, sizeof(path), "%s/kernel.json", dir) >=
	    (int)sizeof(path) || (doc = json_load_file(path, 0, NULL)) == NULL)
		return NULL;
	lang = json_string_value(json_object_get(doc, "language"));
	mode = json_string_value(json_object_get(doc, "interrupt_mode"));
	env = json_object_get(doc, "env");
	if ((ks = calloc(1, sizeof(*ks))) == NULL || lang == NULL ||
	    !env_ok(env) ||
	    (ks->argv = spec_argv(json_object_get(doc, "argv"))) == NULL ||
	    (ks->name = strdup(name)) == NULL ||
	    (ks->dir = strdup(dir)) == NULL ||
	    (ks->language = strdup(lang)) == NULL) {
		execd_log(LOG_WARN_, "kernelspec %s: not valid, skipped", path);
		kernel_spec_free(ks);
		json_decref(doc);
		return NULL;
	}
	ks->interrupt_message = mode && strcmp(mode, "message") == 0;
	ks->env = json_incref(env);
	json_decref(doc);
	return ks;
}

/* Is a kernelspec of this name (Jupyter's are case-blind) listed? */
static int
listed(const struct spec_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->spec[i]->name, name) == 0)
			return 1;
	return 0;
}

/* Add the kernelspecs of data directory base (its kernels/). */
static void
scan_dir(struct spec_list *l, const char *base)
{
	char kernels[4096], dir[4096];
	struct dirent *de;
	struct kernel_spec *ks;
	DIR *d;

	if (base == NULL || *base == '\0')
		return;
	if (snprintf(kernels, sizeof(kernels), "%s/kernels", base) >=
	    (int)sizeof(kernels) || (d = opendir(kernels)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && l->n < MAX_SPECS) {
		if (de->d_name[0] == '.' || listed(l, de->d_name) ||
		    snprintf(dir, sizeof(dir), "%s/%s", kernels, de->d_name) >=
		    (int)sizeof(dir))
			continue;
		if ((ks = spec_read(dir, de->d_name)) != NULL)
			l->spec[l->n++] = ks;
	}
	closedir(d);
}

/* Each directory of a colon-separated list, scanned. */
static void
scan_path(struct spec_list *l, const char *path)
{
	char *copy, *p, *dir;

	if (path == NULL || (copy = strdup(path)) == NULL)
		return;
	for (p = copy; (dir = strsep(&p, ":")) != NULL; )
		scan_dir(l, dir);
	free(copy);
}

/* env's value with suffix after it, into buf; "" when env is unset. */
static const char *
under(char *buf, size_t len, const char *env, const char *suffix)
{
	const char *v = getenv(env);

	if (v == NULL || *v == '\0')
		return "";
	snprintf(buf, len, "%s%s", v, suffix);
	return buf;
}

/* Every kernelspec along Jupyter's data path, in its order. */
static void
scan_all(struct spec_list *l)
{
	char buf[4096];
	const char *user = getenv("JUPYTER_DATA_DIR");

	l->n = 0;
	scan_path(l, getenv("JUPYTER_PATH"));
	if (user == NULL || *user == '\0')
		user = *under(buf, sizeof(buf), "XDG_DATA_HOME", "/jupyter") ?
		    buf : under(buf, sizeof(buf), "HOME",
		    "/.local/share/jupyter");
	scan_dir(l, user);
	scan_dir(l, under(buf, sizeof(buf), "VIRTUAL_ENV", "/share/jupyter"));
	scan_dir(l, under(buf, sizeof(buf), "CONDA_PREFIX", "/share/jupyter"));
	scan_dir(l, "/usr/local/share/jupyter");
	scan_dir(l, "/usr/share/jupyter");
}

/* Release the list's kernelspecs but keep (the index of) one. */
static struct kernel_spec *
keep_one(struct spec_list *l, size_t keep)
{
	struct kernel_spec *ks = keep < MAX_SPECS && keep < l->n ?
	    l->spec[keep] : NULL;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (i != keep)
			kernel_spec_free(l->spec[i]);
	l->n = 0;
	return ks;
}

struct kernel_spec *
kernel_spec_find(const char *language)
{
	struct spec_list l;
	size_t i, best = MAX_SPECS;

	scan_all(&l);
	for (i = 0; i < l.n; i++) {
		if (strcasecmp(l.spec[i]->language, language) != 0)
			continue;
		if (strcasecmp(language, "python") == 0 &&
		    strcasecmp(l.spec[i]->name, "python3") == 0) {
			best = i;
			break;
		}
		if (best == MAX_SPECS ||
		    strcmp(l.spec[i]->name, l.spec[best]->name) < 0)
			best = i;
	}
	return keep_one(&l, best);
}

void
kernel_spec_languages(json_t *list)
{
	struct spec_list l;
	size_t i, j;

	scan_all(&l);
	for (i = 0; i < l.n; i++) {
		for (j = 0; j < json_array_size(list); j++)
			if (strcasecmp(json_string_value(json_array_get(list,
			    j)), l.spec[i]->language) == 0)
				break;
		if (j == json_array_size(list))
			json_array_append_new(list,
			    json_string(l.spec[i]->language));
	}
	keep_one(&l, MAX_SPECS);
}

/*
 * file_walk.c — walking a directory tree depth first in lexical order,
 * with an explicit stack, so no depth can overflow a connection thread's
 * small stack.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "file_util.h"

/* qsort(3) order for names: bytewise, as Go's os.ReadDir sorts. */
static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Free the n names and their array. */
static void
free_names(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/*
 * The names in directory path (without "." and ".."), sorted, in a
 * malloc'd array of malloc'd strings; NULL with errno set on failure.
 */
static char **
sorted_names(const char *path, size_t *n)
{
	DIR *dir;
	struct dirent *de;
	char **names, **grown;
	size_t cap = 16;
	int saved;

	*n = 0;
	if ((names = calloc(cap, sizeof(*names))) == NULL)
		return NULL;
	if ((dir = opendir(path)) == NULL) {
		free(names);
		return NULL;
	}
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			grown = reallocarray(names, cap * 2, sizeof(*names));
			if (grown == NULL)
				break;
			names = grown;
			cap *= 2;
		}
		if ((names[*n] = strdup(de->d_name)) == NULL)
			break;
		(*n)++;
	}
	saved = errno;
	closedir(dir);
	if (saved != 0) {
		free_names(names, *n);
		errno = saved;
		return NULL;
	}
	qsort(names, *n, sizeof(*names), by_name);
	return names;
}

/* A directory being walked: its sorted names and where we are in them. */
struct walk_frame {
	char **names;
	size_t n, next;
	size_t len;		/* of the directory's path */
	int depth;		/* of its entries */
};

struct walk {
	struct walk_frame *stack;
	size_t top, cap;
	struct osb_buf path;	/* of the entry at hand */
};

/* Start walking the directory at w->path. Returns 1 when pushed, 0 when
 * it vanished, -1 with errno set. */
static int
walk_push(struct walk *w, int depth)
{
	struct walk_frame *grown, *f;
	char **names;
	size_t n;

	if ((names = sorted_names(w->path.data, &n)) == NULL)
		return errno == ENOENT ? 0 : -1;
	if (w->top == w->cap) {
		grown = reallocarray(w->stack, w->cap ? w->cap * 2 : 16,
		    sizeof(*grown));
		if (grown == NULL) {
			free_names(names, n);
			return -1;
		}
		w->stack = grown;
		w->cap = w->cap ? w->cap * 2 : 16;
	}
	f = &w->stack[w->top++];
	f->names = names;
	f->n = n;
	f->next = 0;
	f->len = w->path.len;
	f->depth = depth;
	return 1;
}

/* Put the next entry of the top directory in w->path; -1 when out of
 * memory. */
static int
walk_next_path(struct walk *w)
{
	struct walk_frame *f = &w->stack[w->top - 1];
	const char *name = f->names[f->next++];

	/* The root "/" ends in a slash already. */
	w->path.len = f->len;
	if (f->len > 1 && osb_buf_append(&w->path, "/", 1) < 0)
		return -1;
	return osb_buf_append(&w->path, name, strlen(name));
}

/* Walk root with an explicit stack of directories; see file_util.h. */
int
file_walk(const char *root, file_walk_fn fn, void *arg, char **failed)
{
	struct walk w = { 0 };
	struct walk_frame *f;
	struct stat st;
	int rc = 0, stopped = 0, want, depth, saved;

	*failed = NULL;
	if (osb_buf_append(&w.path, root, strlen(root)) < 0)
		return -1;
	if (walk_push(&w, 1) < 0)
		rc = -1;
	while (rc == 0 && w.top > 0) {
		f = &w.stack[w.top - 1];
		if (f->next == f->n) {
			free_names(f->names, f->n);
			w.top--;
			continue;
		}
		depth = f->depth;
		if (walk_next_path(&w) < 0) {
			rc = -1;
		} else if (lstat(w.path.data, &st) < 0) {
			if (errno != ENOENT)	/* gone meanwhile: skip it */
				rc = -1;
		} else if ((want = fn(arg, w.path.data, &st, depth)) < 0) {
			stopped = 1;
			rc = -1;
		} else if (want == 1 && S_ISDIR(st.st_mode) &&
		    walk_push(&w, depth + 1) < 0)
			rc = -1;
	}
	if (rc < 0 && !stopped) {
		saved = errno;
		*failed = strdup(w.path.data);
		errno = saved;
	}
	while (w.top > 0) {
		f = &w.stack[--w.top];
		free_names(f->names, f->n);
	}
	free(w.stack);
	osb_buf_free(&w.path);
	return rc;
}

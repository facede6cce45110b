/*
 * kernel_spec.h — Jupyter kernelspecs: the kernel.json files that say how
 * to start the kernel of a language, found where Jupyter looks for them.
 *
 * The directories searched, in order (the first kernelspec of a name
 * wins): each of $JUPYTER_PATH, the user's data directory
 * ($JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter or
 * ~/.local/share/jupyter), the active environment's share/jupyter
 * ($VIRTUAL_ENV, $CONDA_PREFIX), then /usr/local/share/jupyter and
 * /usr/share/jupyter; kernelspecs are in their kernels/NAME/kernel.json.
 */
#ifndef EXECD_KERNEL_SPEC_H
#define EXECD_KERNEL_SPEC_H

#include <stddef.h>

#include <jansson.h>

struct kernel_spec {
	char *name;		/* the directory's name */
	char *dir;		/* the resource directory, holding kernel.json */
	char **argv;		/* NULL-terminated; {connection_file} etc. */
	char *language;
	json_t *env;		/* {"NAME": "value"} or NULL */
	int interrupt_message;	/* interrupt_mode "message", not "signal" */
};

/*
 * The kernelspec that runs language: for "python" the one named
 * python3 when there is one, else the first by name whose language is
 * language (in any case). NULL when there is none.
 */
struct kernel_spec *kernel_spec_find(const char *language);
void kernel_spec_free(struct kernel_spec *);

/* Add the language of every kernelspec to list (a JSON array of
 * strings), each once. */
void kernel_spec_languages(json_t *list);

#endif

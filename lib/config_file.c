/*
 * config_file.c — `osb config init` and `osb config set`: the config file
 * written whole from a template, or edited a line at a time so that the
 * person's own lines and comments stay where they were.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_file.h"
#include "toml.h"
#include "util.h"

static const char template_text[] =
"# Settings of osb and the OpenSandbox CLI; see osb-config(5).\n"
"# Command line options win over environment variables, which win over\n"
"# this file. Take the '#' off a key to set it, or run\n"
"# `osb config set SECTION.KEY VALUE`.\n"
"\n"
"[connection]\n"
"# api_key = \"your-api-key\"\n"
"# domain = \"localhost:8080\"\n"
"# protocol = \"http\"\n"
"# request_timeout = 30\n"
"# use_server_proxy = false\n"
"\n"
"[output]\n"
"# format = \"table\"\n"
"# color = true\n"
"\n"
"[defaults]\n"
"# image = \"python:3.11\"\n"
"# timeout = \"10m\"\n";

/* Where `set` puts the key: line indexes, -1 for none. */
struct placement {
	const char *section, *key;	/* "connection", "domain" */
	long line;		/* the key's own line */
	long example;		/* a commented-out "# key = ..." line */
	long end;		/* the last line of the section's first block */
	int in_section;		/* the line being read is in the section */
	int gap;		/* a blank line since end */
	int block_done;		/* the section's first block has ended */
};

/* A line of the file: where it starts in the text, its length with its newline. */
struct span {
	size_t off, len;
};

/*
 * The file path names: a symbolic link's target, so that writing keeps
 * the link. Returns malloc'd text, NULL when out of memory.
 */
static char *
link_target(const char *path)
{
	struct stat st;
	char *real;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (real = realpath(path, NULL)) != NULL)
		return real;
	return strdup(path);
}

/* Make the directories above path that are missing, mode 0700. */
static int
make_parents(const char *path, struct osb_error *err)
{
	char *dir, *p;
	int rc = 0;

	if ((dir = strdup(path)) == NULL) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	for (p = dir + 1; rc == 0 && (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			osb_error_set(err, 0, "", "%s: %s", dir,
			    strerror(errno));
			rc = -1;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

/*
 * Write len bytes of data to a temp file next to path, mode 0600, and
 * put it in place: renamed over path, or with replace 0 linked to it so
 * that an existing file stays. Returns 0, 1 when path exists and replace
 * is 0, -1 with err set.
 */
static int
write_file(const char *path, const char *data, size_t len, int replace,
    struct osb_error *err)
{
	char *tmp;
	int fd, rc = 0;

	if (asprintf(&tmp, "%s.XXXXXX", path) == -1) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	/* mkstemp makes the file 0600 whatever the umask. */
	if ((fd = mkstemp(tmp)) == -1) {
		osb_error_set(err, 0, "", "%s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	if (osb_write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		osb_error_set(err, 0, "", "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (close(fd) == -1 && rc == 0) {
		osb_error_set(err, 0, "", "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && (replace ? rename(tmp, path) : link(tmp, path)) == -1) {
		rc = !replace && errno == EEXIST ? 1 : -1;
		if (rc == -1)
			osb_error_set(err, 0, "", "%s: %s", path,
			    strerror(errno));
	}
	if (rc != 0 || !replace)
		unlink(tmp);
	free(tmp);
	return rc;
}

int
osb_config_file_init(const char *path, int force, struct osb_error *err)
{
	char *target;
	int rc;

	if ((target = link_target(path)) == NULL) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	rc = make_parents(target, err);
	if (rc == 0)
		rc = write_file(target, template_text, sizeof(template_text) - 1,
		    force, err);
	free(target);
	return rc;
}

/* The whole file at path into b. Returns 0, -1 with err set. */
static int
read_file(const char *path, struct osb_buf *b, struct osb_error *err)
{
	char chunk[8192];
	size_t n;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			osb_error_set(err, 0, "", "%s: no such file (run 'osb "
			    "config init' first)", path);
		else
			osb_error_set(err, 0, "", "%s: %s", path,
			    strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (osb_buf_append(b, chunk, n) == -1) {
			osb_error_set(err, 0, "", "out of memory");
			rc = -1;
			break;
		}
	if (rc == 0 && ferror(f)) {
		osb_error_set(err, 0, "", "%s: %s", path, strerror(errno));
		rc = -1;
	}
	fclose(f);
	return rc;
}

/* The lines of text (len bytes), each with its newline, into a new array. */
static struct span *
split_lines(const char *text, size_t len, size_t *nlines)
{
	struct span *lines = NULL, *grown;
	size_t off = 0, n = 0, cap = 0;
	const char *nl;

	while (off < len) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = reallocarray(lines, cap,
			    sizeof(*lines))) == NULL) {
				free(lines);
				return NULL;
			}
			lines = grown;
		}
		nl = memchr(text + off, '\n', len - off);
		lines[n].off = off;
		lines[n].len = nl ? (size_t)(nl - text) + 1 - off : len - off;
		off += lines[n++].len;
	}
	*nlines = n;
	return lines != NULL ? lines : malloc(1);
}

/* Is line, read as a blank or comment line, "# key = ..." for key? */
static int
is_example(const char *line, const char *key)
{
	size_t n = strlen(key);

	line += strspn(line, " \t");
	if (*line++ != '#')
		return 0;
	line += strspn(line, " \t");
	if (strncmp(line, key, n) != 0)
		return 0;
	line += n;
	line += strspn(line, " \t");
	return *line == '=';
}

/* Note what line i (text, as read into l) is to the placement. */
static void
place(struct placement *pl, long i, const char *text,
    const struct osb_toml_line *l)
{
	if (l->kind == OSB_TOML_SECTION) {
		if (pl->end >= 0 && pl->in_section)
			pl->block_done = 1;
		pl->in_section = strcmp(l->name, pl->section) == 0;
		if (pl->in_section && pl->end < 0) {
			pl->end = i;
			pl->gap = 0;
		}
		return;
	}
	if (!pl->in_section)
		return;
	if (l->kind == OSB_TOML_KEY && pl->line < 0 &&
	    strcmp(l->name, pl->key) == 0)
		pl->line = i;
	else if (l->kind == OSB_TOML_BLANK && pl->example < 0 &&
	    is_example(text, pl->key))
		pl->example = i;
	if (pl->block_done)
		return;
	/*
	 * The section ends at its last key, or at a comment that follows
	 * on without a blank line: a comment after a blank line is more
	 * likely about the next section than this one.
	 */
	if (text[strspn(text, " \t\r\n")] == '\0')
		pl->gap = 1;
	else if (l->kind == OSB_TOML_KEY || !pl->gap) {
		pl->end = i;
		pl->gap = 0;
	}
}

/*
 * Read every line of the file (text, split into lines) as the config
 * reader would, noting where the key goes and, for its own line, where
 * its value stands (*vstart, *vend). Returns 0, -1 with err set at the
 * first line the reader cannot read.
 */
static int
find_place(const char *path, const char *text, const struct span *lines,
    size_t nlines, struct placement *pl, size_t *vstart, size_t *vend,
    struct osb_error *err)
{
	struct osb_toml_pos pos = { path, 0 };
	struct osb_toml_line l;
	char *line;
	size_t i;

	for (i = 0; i < nlines; i++) {
		pos.line = (int)i + 1;
		if ((line = strndup(text + lines[i].off, lines[i].len)) == NULL)
			return osb_toml_error(err, &pos, "out of memory");
		if (osb_toml_read_line(line, &l, &pos, err) == -1) {
			free(line);
			return -1;
		}
		place(pl, (long)i, line, &l);
		if (pl->line == (long)i) {
			*vstart = l.value_start;
			*vend = l.value_end;
		}
		osb_toml_line_free(&l);
		free(line);
	}
	return 0;
}

/* The newline that ends line (len bytes): "\r\n", "\n" or none. */
static const char *
line_end(const char *line, size_t len)
{
	if (len >= 2 && line[len - 2] == '\r' && line[len - 1] == '\n')
		return "\r\n";
	return len >= 1 && line[len - 1] == '\n' ? "\n" : "";
}

/* Append the formatted text to b. Returns 0, -1 when out of memory. */
static int __attribute__((format(printf, 2, 3)))
append(struct osb_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	n = osb_buf_append(b, s, (size_t)n);
	free(s);
	return n;
}

/*
 * Line i of the text, as it goes into the new file: the key's own line
 * with the new value in place of the old one; the example with the key
 * set, indented as it was; the end of the section with the key after it.
 */
static int
put_line(struct osb_buf *out, const char *text, const struct span *ln,
    long i, const struct placement *pl, const char *value, size_t vstart,
    size_t vend)
{
	const char *line = text + ln->off;
	const char *eol = line_end(line, ln->len);

	if (i == pl->line)
		return append(out, "%.*s%s%.*s", (int)vstart, line, value,
		    (int)(ln->len - vend), line + vend);
	if (pl->line < 0 && i == pl->example)
		return append(out, "%.*s%s = %s%s", (int)strspn(line, " \t"),
		    line, pl->key, value, eol);
	if (osb_buf_append(out, line, ln->len) == -1)
		return -1;
	if (pl->line < 0 && pl->example < 0 && i == pl->end)
		return append(out, "%s%s = %s\n", *eol ? "" : "\n", pl->key,
		    value);
	return 0;
}

/* The new file text into out, the key set to value. */
static int
edit(struct osb_buf *out, const struct osb_buf *in, const struct span *lines,
    size_t nlines, const struct placement *pl, const char *value,
    size_t vstart, size_t vend)
{
	size_t i;

	for (i = 0; i < nlines; i++)
		if (put_line(out, in->data, &lines[i], (long)i, pl, value,
		    vstart, vend) == -1)
			return -1;
	if (pl->end >= 0)
		return 0;
	/* No such section: a new one at the end, after a blank line. */
	return append(out, "%s%s[%s]\n%s = %s\n", in->len == 0 ||
	    in->data[in->len - 1] == '\n' ? "" : "\n", in->len ? "\n" : "",
	    pl->section, pl->key, value);
}

/*
 * Set section.key (in section, split here) in the file at path to value
 * (TOML text). Returns 0, -1 with err set.
 */
static int
set_in_file(const char *path, char *section, const char *value,
    struct osb_error *err)
{
	struct placement pl = { section, NULL, -1, -1, -1, 0, 0, 0 };
	struct osb_buf in = { 0 }, out = { 0 };
	struct span *lines = NULL;
	size_t nlines = 0, vstart = 0, vend = 0;
	char *dot = strchr(section, '.');
	int rc = -1;

	*dot = '\0';
	pl.key = dot + 1;
	if (read_file(path, &in, err) == -1)
		goto out;
	if ((lines = split_lines(in.data, in.len, &nlines)) == NULL) {
		osb_error_set(err, 0, "", "out of memory");
		goto out;
	}
	if (find_place(path, in.data, lines, nlines, &pl, &vstart, &vend,
	    err) == -1)
		goto out;
	if (edit(&out, &in, lines, nlines, &pl, value, vstart, vend) == -1) {
		osb_error_set(err, 0, "", "out of memory");
		goto out;
	}
	rc = write_file(path, out.data ? out.data : "", out.len, 1, err);
out:
	free(lines);
	osb_buf_free(&in);
	osb_buf_free(&out);
	return rc;
}

int
osb_config_file_set(const char *path, const char *key, const char *value,
    struct osb_error *err)
{
	char *text, *target = NULL, *name = NULL;
	int rc = -1;

	if ((text = osb_config_value_text(key, value, err)) == NULL)
		return -1;
	if ((target = link_target(path)) == NULL ||
	    (name = strdup(key)) == NULL)
		osb_error_set(err, 0, "", "out of memory");
	else
		rc = set_in_file(target, name, text, err);
	free(name);
	free(target);
	free(text);
	return rc;
}

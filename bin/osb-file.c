/*
 * osb-file — files in a sandbox: cat, write, upload, download, rm, mv,
 * mkdir, rmdir, ls, search, stat, chmod, replace.
 *
 * Each command checks its operands, makes its calls through libosb's files
 * client and prints through the output module; transfers stream between
 * the descriptor and the wire without holding a file in memory.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "files.h"
#include "http.h"
#include "output.h"
#include "resolve.h"
#include "util.h"

#define PROG		"osb-file"
/* Transfers smaller than this finish before a progress line would help. */
#define PROGRESS_MIN	(4 * 1024 * 1024)
/* Files per upload request: bounds what one failure costs. */
#define UPLOAD_BATCH	64
/*
 * write without -m: what a shell's "> file" gives under umask 022. The
 * server's own default is 0755, right for uploads of unknown files but
 * not for text written from here.
 */
#define WRITE_MODE	0644

/* The command's own options, as bits for checking who may use which. */
enum {
	OPT_CONTENT = 1 << 0, OPT_MODE = 1 << 1, OPT_OWNER = 1 << 2,
	OPT_GROUP = 1 << 3, OPT_OLD = 1 << 4, OPT_NEW = 1 << 5,
	OPT_DEPTH = 1 << 6, OPT_LONG = 1 << 7, OPT_PARENTS = 1 << 8,
	OPT_CONTINUE = 1 << 9
};

/* getopt values of the long-only ones. */
enum {
	LOPT_OWNER = OSB_OPT_FIRST_LOCAL, LOPT_GROUP, LOPT_OLD, LOPT_NEW
};

struct opts {
	const char *content;
	const char *old, *new;
	struct osb_file_perm perm;	/* -m, --owner, --group */
	int depth;
	int long_format;
	int parents;
	int resume;			/* download -C */
	unsigned seen;			/* OPT_* bits given */
};

/* Everything a command needs: settings, where execd is, its operands. */
struct ctx {
	struct osb_config cfg;
	struct osb_endpoint ep;
	struct opts o;
	char **words;			/* COMMAND SANDBOX ARGS... */
	int nwords;
	int argc;			/* operands after SANDBOX */
	char **argv;
};

struct command {
	const char *name;
	int (*run)(struct ctx *);
	int min, max;			/* operands after SANDBOX; -1: any */
	unsigned allowed;		/* OPT_* bits it takes */
	const char *synopsis;
};

/* The transfer a progress line is shown for. */
struct progress {
	const char *what;
	struct timespec last;
	int shown;			/* 1: a line is open, 2: ended */
};

static const struct option long_options[] = {
	OSB_GLOBAL_OPTIONS,
	{ "content", required_argument, NULL, 'c' },
	{ "mode", required_argument, NULL, 'm' },
	{ "owner", required_argument, NULL, LOPT_OWNER },
	{ "group", required_argument, NULL, LOPT_GROUP },
	{ "old", required_argument, NULL, LOPT_OLD },
	{ "new", required_argument, NULL, LOPT_NEW },
	{ "depth", required_argument, NULL, 'd' },
	{ "long", no_argument, NULL, 'l' },
	{ "parents", no_argument, NULL, 'p' },
	{ "continue", no_argument, NULL, 'C' },
	{ NULL, 0, NULL, 0 }
};

/* Option bits and the names usage errors call them by. */
static const struct osb_cli_flag option_names[] = {
	{ OPT_CONTENT, "-c/--content" }, { OPT_MODE, "-m/--mode" },
	{ OPT_OWNER, "--owner" }, { OPT_GROUP, "--group" },
	{ OPT_OLD, "--old" }, { OPT_NEW, "--new" },
	{ OPT_DEPTH, "-d/--depth" }, { OPT_LONG, "-l/--long" },
	{ OPT_PARENTS, "-p/--parents" }, { OPT_CONTINUE, "-C/--continue" }
};

static const char usage_text[] =
"usage: " PROG " [options] COMMAND SANDBOX ARGS...\n"
"\n"
"Files in a sandbox. SANDBOX is a sandbox id, a unique prefix of one, or an\n"
"execd URL (http://127.0.0.1:44772). Options may come before or after the\n"
"command; -- ends them.\n"
"\n"
"Commands:\n"
"  cat SANDBOX PATH...              write the files to stdout\n"
"  write SANDBOX PATH               write -c TEXT, or stdin, to PATH\n"
"  upload SANDBOX LOCAL... REMOTE   copy files and directories in; REMOTE is\n"
"                                   a directory when there are several\n"
"                                   sources, it ends in /, or it is one\n"
"  download SANDBOX REMOTE [LOCAL]  copy a file out (LOCAL: the file's name\n"
"                                   here; - is stdout); LOCAL is replaced\n"
"                                   only once the whole file has come\n"
"  rm SANDBOX PATH...               remove files\n"
"  mv SANDBOX SRC DEST              rename, or move into DEST if a directory\n"
"  mkdir SANDBOX PATH...            create directories\n"
"  rmdir SANDBOX PATH...            remove directories and all they hold\n"
"  ls SANDBOX PATH                  list a directory\n"
"  search SANDBOX DIR [PATTERN]     files under DIR whose name matches the\n"
"                                   glob PATTERN (default: all)\n"
"  stat SANDBOX PATH...             show type, size, mode, owner, times\n"
"  chmod SANDBOX MODE PATH...       set the octal MODE (and owner, group)\n"
"  replace SANDBOX PATH...          replace --old text with --new text and\n"
"                                   print how often per file\n"
"\n"
"Command options:\n"
"  -c, --content TEXT  write: the content (default: read stdin)\n"
"  -m, --mode MODE     write, mkdir: octal permission bits (644, 0755)\n"
"      --owner USER    write, chmod: owner\n"
"      --group GROUP   write, chmod: group\n"
"  -p, --parents       mkdir: make missing parents, no error if it exists\n"
"  -l, --long          ls: mode, owner, group, size, time and name\n"
"  -C, --continue      download: resume the partial LOCAL an interrupted\n"
"                      download -C left (same size so far, same time)\n"
"  -d, --depth N       ls: descend N levels (default 1)\n"
"      --old TEXT      replace: the text to replace (not empty)\n"
"      --new TEXT      replace: what replaces it\n"
"\n";

static int cmd_cat(struct ctx *);
static int cmd_write(struct ctx *);
static int cmd_upload(struct ctx *);
static int cmd_download(struct ctx *);
static int cmd_rm(struct ctx *);
static int cmd_mv(struct ctx *);
static int cmd_mkdir(struct ctx *);
static int cmd_rmdir(struct ctx *);
static int cmd_ls(struct ctx *);
static int cmd_search(struct ctx *);
static int cmd_stat(struct ctx *);
static int cmd_chmod(struct ctx *);
static int cmd_replace(struct ctx *);

static const struct command commands[] = {
	{ "cat", cmd_cat, 1, -1, 0, "cat SANDBOX PATH..." },
	{ "write", cmd_write, 1, 1, OPT_CONTENT | OPT_MODE | OPT_OWNER |
	    OPT_GROUP, "write SANDBOX PATH [-c TEXT] [-m MODE] [--owner USER] "
	    "[--group GROUP]" },
	{ "upload", cmd_upload, 2, -1, 0, "upload SANDBOX LOCAL... REMOTE" },
	{ "download", cmd_download, 1, 2, OPT_CONTINUE,
	    "download SANDBOX [-C] REMOTE [LOCAL|-]" },
	{ "rm", cmd_rm, 1, -1, 0, "rm SANDBOX PATH..." },
	{ "mv", cmd_mv, 2, 2, 0, "mv SANDBOX SRC DEST" },
	{ "mkdir", cmd_mkdir, 1, -1, OPT_MODE | OPT_PARENTS,
	    "mkdir SANDBOX [-p] [-m MODE] PATH..." },
	{ "rmdir", cmd_rmdir, 1, -1, 0, "rmdir SANDBOX PATH..." },
	{ "ls", cmd_ls, 1, 1, OPT_LONG | OPT_DEPTH,
	    "ls SANDBOX [-l] [-d DEPTH] PATH" },
	{ "search", cmd_search, 1, 2, 0, "search SANDBOX DIR [PATTERN]" },
	{ "stat", cmd_stat, 1, -1, 0, "stat SANDBOX PATH..." },
	{ "chmod", cmd_chmod, 2, -1, OPT_OWNER | OPT_GROUP,
	    "chmod SANDBOX MODE PATH... [--owner USER] [--group GROUP]" },
	{ "replace", cmd_replace, 1, -1, OPT_OLD | OPT_NEW,
	    "replace SANDBOX PATH... --old TEXT --new TEXT" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))
#define NOPTION_NAMES (sizeof(option_names) / sizeof(option_names[0]))

/* Print err as "osb-file: message (status code)". Returns 1. */
static int
fail(const struct osb_error *err)
{
	osb_print_error(PROG, err);
	return 1;
}

/* "osb-file: formatted" for a runtime failure. Returns 1. */
static int
failx(const char *fmt, ...)
{
	struct osb_error err = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err.message, sizeof(err.message), fmt, ap);
	va_end(ap);
	return fail(&err);
}

/*
 * Octal permission bits ("644", "0755", up to 7777) into *mode.
 * Returns 0, -1 when s is not that.
 */
static int
parse_mode(const char *s, unsigned *mode)
{
	char *end;
	unsigned long v;

	if (*s == '\0' || strspn(s, "01234567") != strlen(s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno != 0 || v > 07777)
		return -1;
	*mode = (unsigned)v;
	return 0;
}

/*
 * Record one of the command options (an osb_cli take callback). Returns 0,
 * -1 with err set for a bad value.
 */
static int
take_option(void *arg, int opt, const char *value, struct osb_error *err)
{
	struct opts *o = arg;
	const char *errstr;

	switch (opt) {
	case 'c': o->content = value; o->seen |= OPT_CONTENT; break;
	case LOPT_OWNER: o->perm.owner = value; o->seen |= OPT_OWNER; break;
	case LOPT_GROUP: o->perm.group = value; o->seen |= OPT_GROUP; break;
	case LOPT_OLD: o->old = value; o->seen |= OPT_OLD; break;
	case LOPT_NEW: o->new = value; o->seen |= OPT_NEW; break;
	case 'l': o->long_format = 1; o->seen |= OPT_LONG; break;
	case 'p': o->parents = 1; o->seen |= OPT_PARENTS; break;
	case 'C': o->resume = 1; o->seen |= OPT_CONTINUE; break;
	case 'm':
		if (parse_mode(value, &o->perm.mode) < 0) {
			osb_error_set(err, 0, "", "-m: not an octal mode: '%s'",
			    value);
			return -1;
		}
		/* Sent as 0 it would give the server's default, 0755. */
		if (o->perm.mode == 0) {
			osb_error_set(err, 0, "", "-m: mode 0 cannot be set (the "
			    "API reads 0 as \"the default mode\")");
			return -1;
		}
		o->seen |= OPT_MODE;
		break;
	case 'd':
		o->depth = (int)strtonum(value, 0, 1000000, &errstr);
		if (errstr != NULL) {
			osb_error_set(err, 0, "", "-d: depth is %s: '%s'",
			    errstr, value);
			return -1;
		}
		o->seen |= OPT_DEPTH;
		break;
	default:
		osb_error_set(err, 0, "", "unknown option");
		return -1;
	}
	return 0;
}

/*
 * The command line: options anywhere until "--", the operands in order
 * into c->words. Returns -1 to go on, otherwise the exit status (help and
 * --version print and return 0).
 */
static int
parse_command_line(struct ctx *c, int argc, char **argv)
{
	struct osb_cli cli = { OSB_CLI_SHORTOPTS("c:m:d:lpC"), long_options,
	    &c->cfg, take_option, &c->o, 0 };
	struct osb_error err = { 0 };
	char *word;
	int rc;

	if ((c->words = calloc((size_t)argc, sizeof(*c->words))) == NULL)
		return failx("out of memory");
	while ((rc = osb_cli_next(&cli, argc, argv, &word, &err)) ==
	    OSB_CLI_OPERAND)
		c->words[c->nwords++] = word;
	return rc == OSB_CLI_END ? -1 :
	    osb_print_cli_end(PROG, usage_text, rc, &err);
}

/* The command called name, or NULL. */
static const struct command *
find_command(const char *name)
{
	return osb_cli_lookup(commands, NCOMMANDS, sizeof(commands[0]), name);
}

/* Operand count and options fit cmd? Returns 0, or 2 after saying why. */
static int
check_usage(const struct command *cmd, const struct ctx *c)
{
	const char *misplaced;

	if (c->argc < cmd->min)
		return osb_print_usage_error(PROG, cmd->synopsis, "%s: missing "
		    "operand", cmd->name);
	if (cmd->max >= 0 && c->argc > cmd->max)
		return osb_print_usage_error(PROG, cmd->synopsis, "%s: too many "
		    "operands", cmd->name);
	if ((misplaced = osb_cli_misplaced(c->o.seen, cmd->allowed,
	    option_names, NOPTION_NAMES)) != NULL)
		return osb_print_usage_error(PROG, cmd->synopsis, "%s: %s does "
		    "not apply", cmd->name, misplaced);
	return 0;
}

/*
 * Redraw the progress line, on a terminal, for big transfers, at most ten
 * times a second.
 */
static void
progress_update(int64_t done, int64_t total, void *arg)
{
	struct progress *p = arg;
	struct timespec now;

	if ((total < PROGRESS_MIN && done < PROGRESS_MIN) || p->shown == 2 ||
	    !isatty(STDERR_FILENO))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (p->shown && done != total &&
	    (now.tv_sec - p->last.tv_sec) * 1000000000L +
	    (now.tv_nsec - p->last.tv_nsec) < 100000000L)
		return;
	p->last = now;
	osb_print_progress(p->what, done, total);
	p->shown = done == total ? 2 : 1;
}

/* End a progress line left open, so what follows starts a line. */
static void
progress_end(const struct progress *p)
{
	if (p->shown == 1)
		fputc('\n', stderr);
}

/* The last path component of s, trailing slashes ignored, in buf. */
static const char *
base_name(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s);
	const char *b;

	while (n > 1 && s[n - 1] == '/')
		n--;
	for (b = s + n; b > s && b[-1] != '/'; b--)
		;
	snprintf(buf, len, "%.*s", (int)(s + n - b), b);
	return buf;
}

/* dir/name without a doubled slash. Returns malloc'd text or NULL. */
static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *s;

	while (*name == '/')
		name++;
	if (*name == '\0')
		return strdup(dir);
	if (asprintf(&s, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/",
	    name) < 0)
		return NULL;
	return s;
}

/* Does s end in '/' (a directory, as cp reads it)? */
static int
ends_with_slash(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '/';
}

/*
 * "2026-12-04T15:32:08.123456789Z" (FileInfo's modified_at) into ts.
 * Returns 0, -1 when it is not that (a server with another format: no
 * -C resume then, only fresh starts).
 */
static int
parse_time(const char *s, struct timespec *ts)
{
	struct tm tm = { 0 };
	const char *p;
	long ns = 0, scale = 100000000L;

	if (s == NULL || (p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ns += (*p - '0') * scale;
	if (strcmp(p, "Z") != 0)
		return -1;
	ts->tv_sec = timegm(&tm);
	ts->tv_nsec = ns;
	return 0;
}

/*
 * The FileInfo "type" of path in type (bounded), its size in *size and
 * its modified time in *mtime (each when not NULL; tv_sec -1 when the
 * time can't be read). Returns 0; 1 when there is no such path and -1 on
 * any other error, with err filled either way.
 */
static int
remote_kind(struct ctx *c, const char *path, char *type, size_t len,
    int64_t *size, struct timespec *mtime, struct osb_error *err)
{
	json_t *info;

	if (osb_files_stat(&c->ep, path, &info, err) < 0)
		return err->status == 404 ? 1 : -1;
	snprintf(type, len, "%s",
	    json_string_value(json_object_get(info, "type")) ?: "");
	if (size != NULL)
		*size = json_integer_value(json_object_get(info, "size"));
	if (mtime != NULL && parse_time(json_string_value(json_object_get(
	    info, "modified_at")), mtime) < 0)
		mtime->tv_sec = -1;
	json_decref(info);
	return 0;
}

/* Is path a directory in the sandbox? 1 yes, 0 no or missing, -1 after
 * printing an error. */
static int
remote_is_dir(struct ctx *c, const char *path)
{
	struct osb_error err = { 0 };
	char type[32];
	int rc = remote_kind(c, path, type, sizeof(type), NULL, NULL, &err);

	if (rc < 0)
		return -fail(&err);
	return rc == 0 && strcmp(type, "directory") == 0;
}

/* Transfers take as long as they take, unless --request-timeout says. */
static void
transfer_timeout(struct ctx *c)
{
	if (!(c->cfg.set & OSB_SET_TIMEOUT))
		c->ep.timeout_s = 0;
}

/*
 * cat PATH...: each file to stdout, going on past failures. Returns the
 * exit status, as every cmd_* does.
 */
static int
cmd_cat(struct ctx *c)
{
	struct osb_error err = { 0 };
	struct progress p;
	int i, failed, rc = 0;

	transfer_timeout(c);
	for (i = 0; i < c->argc; i++) {
		memset(&p, 0, sizeof(p));
		p.what = c->argv[i];
		failed = osb_files_download(&c->ep, c->argv[i], STDOUT_FILENO,
		    0, progress_update, &p, &err) < 0;
		progress_end(&p);
		if (failed)
			rc = fail(&err);
	}
	return rc;
}

/* Bytes left to read on fd from where it is, or -1 (a pipe, a tty). */
static int64_t
remaining_size(int fd)
{
	struct stat st;
	off_t pos;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (pos = lseek(fd, 0, SEEK_CUR)) < 0)
		return -1;
	return st.st_size > pos ? st.st_size - pos : 0;
}

/* write PATH: -c TEXT or stdin, streamed, to PATH. */
static int
cmd_write(struct ctx *c)
{
	struct osb_upload up = { 0 };
	struct osb_error err = { 0 };
	struct progress p = { 0 };
	int rc;

	up.remote = c->argv[0];
	up.perm = c->o.perm;
	if (!(c->o.seen & OPT_MODE))
		up.perm.mode = WRITE_MODE;
	if (c->o.content != NULL) {
		up.fd = -1;
		up.data = c->o.content;
		up.size = (int64_t)strlen(c->o.content);
	} else {
		if (isatty(STDIN_FILENO))
			osb_warnx(PROG, "reading stdin (Ctrl-D ends it)");
		up.fd = STDIN_FILENO;
		up.size = remaining_size(STDIN_FILENO);
	}
	p.what = up.remote;
	transfer_timeout(c);
	rc = osb_files_upload(&c->ep, &up, 1, progress_update, &p, &err);
	progress_end(&p);
	return rc < 0 ? fail(&err) : 0;
}

/*
 * Uploads being gathered: files, and directories to create first. The
 * three arrays have room for cap entries each, whichever kind comes.
 */
struct plan {
	struct osb_upload *files;
	size_t nfiles;
	char **dirs;
	struct osb_file_perm *dirperms;
	size_t ndirs;
	size_t cap;
};

/* Room for one more entry. Returns 0, -1 when out of memory. */
static int
plan_grow(struct plan *pl)
{
	size_t cap = pl->cap ? pl->cap * 2 : 16;
	void *p;

	if (pl->nfiles + pl->ndirs < pl->cap)
		return 0;
	if ((p = reallocarray(pl->files, cap, sizeof(*pl->files))) == NULL)
		return -1;
	pl->files = p;
	if ((p = reallocarray(pl->dirs, cap, sizeof(*pl->dirs))) == NULL)
		return -1;
	pl->dirs = p;
	if ((p = reallocarray(pl->dirperms, cap,
	    sizeof(*pl->dirperms))) == NULL)
		return -1;
	pl->dirperms = p;
	pl->cap = cap;
	return 0;
}

/*
 * Add local (a file with st) to go to remote, or remote as a directory to
 * create. Takes remote (malloc'd). Returns 0, -1 when out of memory.
 */
static int
plan_add(struct plan *pl, const char *local, const struct stat *st,
    char *remote)
{
	struct osb_upload *up;
	char *copy;

	if (remote == NULL || plan_grow(pl) < 0) {
		free(remote);
		return -1;
	}
	if (S_ISDIR(st->st_mode)) {
		pl->dirperms[pl->ndirs] = (struct osb_file_perm){
		    st->st_mode & 0777, NULL, NULL };
		pl->dirs[pl->ndirs++] = remote;
		return 0;
	}
	if ((copy = strdup(local)) == NULL) {
		free(remote);
		return -1;
	}
	up = &pl->files[pl->nfiles++];
	memset(up, 0, sizeof(*up));
	up->remote = remote;
	up->local = copy;
	up->fd = -1;
	up->size = st->st_size;
	up->perm.mode = st->st_mode & 0777;
	return 0;
}

/* Release what plan_add gathered. */
static void
plan_free(struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->nfiles; i++) {
		free((char *)pl->files[i].remote);
		free((char *)pl->files[i].local);
	}
	for (i = 0; i < pl->ndirs; i++)
		free(pl->dirs[i]);
	free(pl->files);
	free(pl->dirs);
	free(pl->dirperms);
}

/* Plan one entry of a walk: src's tree goes under root. Returns 0, or 1
 * after printing an error. */
static int
plan_entry(struct plan *pl, const FTSENT *e, const char *src,
    const char *root)
{
	switch (e->fts_info) {
	case FTS_D:
	case FTS_F:
		if (plan_add(pl, e->fts_path, e->fts_statp,
		    join(root, e->fts_path + strlen(src))) < 0)
			return failx("upload %s: out of memory", src);
		return 0;
	case FTS_DP:
		return 0;
	case FTS_DC:
		osb_warnx(PROG, "upload %s: skipping a directory cycle",
		    e->fts_path);
		return 0;
	case FTS_DNR:
	case FTS_ERR:
	case FTS_NS:
		return failx("upload %s: %s", e->fts_path,
		    strerror(e->fts_errno));
	}
	return failx("upload %s: not a regular file or directory",
	    e->fts_path);
}

/*
 * Add the tree at src (no trailing slash) to go under root, following
 * symbolic links as cp -rL does. Returns 0, or 1 after printing an error.
 */
static int
plan_tree(struct plan *pl, const char *src, const char *root)
{
	char *const roots[] = { (char *)src, NULL };
	FTSENT *e;
	FTS *fts;
	int rc = 0;

	if ((fts = fts_open(roots, FTS_LOGICAL | FTS_NOCHDIR, NULL)) == NULL)
		return failx("upload %s: %s", src, strerror(errno));
	while (rc == 0) {
		errno = 0;
		if ((e = fts_read(fts)) == NULL) {
			if (errno != 0)
				rc = failx("upload %s: %s", src,
				    strerror(errno));
			break;
		}
		rc = plan_entry(pl, e, src, root);
	}
	fts_close(fts);
	return rc;
}

/*
 * Plan one source: a file goes to dest (or into it), a directory's tree
 * under it. Returns 0, or 1 after printing an error.
 */
static int
plan_source(struct plan *pl, const char *src, const char *dest, int into)
{
	char name[1024], *trimmed, *root;
	struct stat st;
	size_t n;
	int rc;

	if (stat(src, &st) < 0)
		return failx("upload %s: %s", src, strerror(errno));
	base_name(src, name, sizeof(name));
	if (!S_ISDIR(st.st_mode)) {
		if (!S_ISREG(st.st_mode))
			return failx("upload %s: not a regular file or "
			    "directory", src);
		root = into ? join(dest, name) : strdup(dest);
		return plan_add(pl, src, &st, root) < 0 ?
		    failx("upload %s: out of memory", src) : 0;
	}
	/* "dir/." and "/" have no name of their own: their contents go. */
	if (into && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	    strcmp(name, "/") != 0)
		root = join(dest, name);
	else
		root = strdup(dest);
	if ((trimmed = strdup(src)) == NULL || root == NULL) {
		free(trimmed);
		free(root);
		return failx("upload %s: out of memory", src);
	}
	for (n = strlen(trimmed); n > 1 && trimmed[n - 1] == '/'; n--)
		trimmed[n - 1] = '\0';
	rc = plan_tree(pl, trimmed, root);
	free(trimmed);
	free(root);
	return rc;
}

/*
 * Create the planned directories, a run of equal modes per request, then
 * send the files in batches. Returns 0, or 1 after printing an error.
 */
static int
plan_run(struct ctx *c, struct plan *pl)
{
	struct osb_error err = { 0 };
	struct progress p = { 0 };
	size_t i, n;

	for (i = 0; i < pl->ndirs; i += n) {
		for (n = 1; i + n < pl->ndirs &&
		    pl->dirperms[i + n].mode == pl->dirperms[i].mode; n++)
			;
		if (osb_files_mkdir(&c->ep, (const char *const *)&pl->dirs[i],
		    n, &pl->dirperms[i], &err) < 0)
			return fail(&err);
	}
	for (i = 0; i < pl->nfiles; i += n) {
		n = pl->nfiles - i < UPLOAD_BATCH ? pl->nfiles - i :
		    UPLOAD_BATCH;
		p.what = n == 1 ? pl->files[i].remote : "upload";
		p.shown = 0;
		if (osb_files_upload(&c->ep, &pl->files[i], n, progress_update,
		    &p, &err) < 0) {
			progress_end(&p);
			return fail(&err);
		}
	}
	progress_end(&p);
	return 0;
}

/* upload LOCAL... REMOTE: files and trees, like cp -r. */
static int
cmd_upload(struct ctx *c)
{
	struct plan pl = { 0 };
	const char *dest = c->argv[c->argc - 1];
	int i, into, rc = 0;

	into = c->argc > 2 || ends_with_slash(dest);
	if (!into && (into = remote_is_dir(c, dest)) < 0)
		return 1;
	transfer_timeout(c);
	for (i = 0; rc == 0 && i < c->argc - 1; i++)
		rc = plan_source(&pl, c->argv[i], dest, into);
	if (rc == 0)
		rc = plan_run(c, &pl);
	plan_free(&pl);
	return rc;
}

/*
 * Where a download goes: a temp file next to LOCAL renamed over it once
 * the whole file is in, so that a failure leaves LOCAL as it was; with
 * -C, LOCAL itself, stamped with the remote file's time as it grows so a
 * later -C can tell it is a partial copy of that file.
 */
struct dest {
	const char *local;
	char *tmp;			/* NULL: writing LOCAL itself */
	int fd;
	int64_t offset;			/* bytes already there (-C) */
	struct timespec stamp;		/* the remote file's mtime */
	int stamping;			/* -C: keep LOCAL's mtime at stamp */
	struct progress progress;
};

/* The temp file to remove if a signal ends the program mid-download. */
static char *volatile doomed_tmp;

/* SIGINT, SIGTERM, SIGHUP mid-download: no temp file stays behind. */
static void
remove_tmp_and_die(int sig)
{
	if (doomed_tmp)
		unlink(doomed_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Remove the temp file if a signal comes (tmp NULL: stop that). */
static void
guard_tmp(char *tmp)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tmp ? remove_tmp_and_die : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	doomed_tmp = tmp;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Progress, and with -C the remote's time kept on LOCAL: a write moves
 * it to now, and a LOCAL whose time is not the remote's is never
 * resumed, so a run killed between the two only costs a fresh start. */
static void
download_progress(int64_t done, int64_t total, void *arg)
{
	struct dest *d = arg;
	struct timespec times[2];

	if (d->stamping) {
		times[0].tv_nsec = UTIME_OMIT;
		times[1] = d->stamp;
		futimens(d->fd, times);
	}
	progress_update(done, total, &d->progress);
}

/* Stream remote into fd from offset on, with a progress line. */
static int
download_to(struct ctx *c, const char *remote, struct dest *d)
{
	struct osb_error err = { 0 };
	int rc;

	d->progress.what = remote;
	transfer_timeout(c);
	rc = osb_files_download(&c->ep, remote, d->fd, d->offset,
	    download_progress, d, &err);
	progress_end(&d->progress);
	return rc < 0 ? fail(&err) : 0;
}

/*
 * -C: open LOCAL to go on from where an earlier -C stopped: a regular
 * file no longer than the remote one (rsize) and stamped with its time.
 * Anything else is started afresh, saying so when it held something.
 * Returns the descriptor, -1 after printing an error.
 */
static int
open_resume(struct dest *d, int64_t rsize)
{
	struct stat st;
	int fd;

	d->offset = 0;
	d->stamping = 1;
	if ((fd = open(d->local, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) < 0)
		return -failx("download: %s: %s", d->local, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		d->stamping = 0;
		return fd;
	}
	if (st.st_size <= rsize && st.st_mtim.tv_sec == d->stamp.tv_sec &&
	    st.st_mtim.tv_nsec == d->stamp.tv_nsec)
		d->offset = st.st_size;
	else if (st.st_size > 0)
		fprintf(stderr, PROG ": download: %s is not a partial copy of "
		    "the remote file (its size or time differs): starting "
		    "afresh\n", d->local);
	if (ftruncate(fd, d->offset) < 0 ||
	    lseek(fd, d->offset, SEEK_SET) < 0) {
		failx("download: %s: %s", d->local, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Open where the download goes: LOCAL itself when it exists and is not a
 * regular file (/dev/null, a pipe), else a temp file next to it with the
 * mode LOCAL has, or a new file would get. Returns the descriptor, -1
 * after printing an error.
 */
static int
open_dest(struct dest *d)
{
	char name[1024], *slash;
	struct stat st;
	mode_t mask;
	int fd;

	if (stat(d->local, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((fd = open(d->local, O_WRONLY | O_CLOEXEC)) < 0)
			failx("download: %s: %s", d->local, strerror(errno));
		return fd;
	}
	base_name(d->local, name, sizeof(name));
	slash = strrchr(d->local, '/');
	if (asprintf(&d->tmp, "%.*s.%.200s.osb-XXXXXX", slash ? (int)(slash -
	    d->local + 1) : 0, d->local, name) < 0) {
		d->tmp = NULL;
		return -failx("download: out of memory");
	}
	if ((fd = mkostemp(d->tmp, O_CLOEXEC)) < 0) {
		failx("download: %s: %s", d->local, strerror(errno));
		free(d->tmp);
		d->tmp = NULL;
		return -1;
	}
	guard_tmp(d->tmp);
	if (access(d->local, F_OK) != 0) {
		mask = umask(0);
		umask(mask);
		st.st_mode = 0666 & ~mask;
	}
	(void)fchmod(fd, st.st_mode & 07777);
	return fd;
}

/* The download is over (rc its status): close, and put the temp file in
 * place or remove it. Returns the exit status. */
static int
finish_dest(struct dest *d, int rc)
{
	struct timespec times[2];

	if (rc == 0 && d->stamping) {
		times[0].tv_nsec = UTIME_OMIT;
		times[1] = d->stamp;
		futimens(d->fd, times);
	}
	if (close(d->fd) < 0 && rc == 0)
		rc = failx("download: %s: %s", d->local, strerror(errno));
	if (d->tmp == NULL)
		return rc;
	if (rc == 0 && rename(d->tmp, d->local) < 0)
		rc = failx("download: %s: %s", d->local, strerror(errno));
	if (rc != 0)
		unlink(d->tmp);
	guard_tmp(NULL);
	free(d->tmp);
	d->tmp = NULL;
	return rc;
}

/* download [-C] REMOTE [LOCAL|-]: one file out. */
static int
cmd_download(struct ctx *c)
{
	struct osb_error err = { 0 };
	struct dest d = { 0 };
	const char *remote = c->argv[0];
	const char *local = c->argc > 1 ? c->argv[1] : NULL;
	char name[1024], type[32], *joined = NULL;
	int64_t rsize = 0;
	struct stat st;
	int rc;

	if (local != NULL && strcmp(local, "-") == 0) {
		d.fd = STDOUT_FILENO;
		return download_to(c, remote, &d);
	}
	if (remote_kind(c, remote, type, sizeof(type), &rsize, &d.stamp,
	    &err) != 0)
		return fail(&err);
	if (strcmp(type, "directory") == 0)
		return failx("download %s: is a directory", remote);
	base_name(remote, name, sizeof(name));
	if (local == NULL)
		local = name;
	else if (stat(local, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (local = joined = join(local, name)) == NULL)
		return failx("download %s: out of memory", remote);
	d.local = local;
	d.fd = c->o.resume && d.stamp.tv_sec >= 0 ? open_resume(&d, rsize) :
	    open_dest(&d);
	if (d.fd < 0)
		rc = 1;
	else if (d.stamping && d.offset == rsize)
		rc = finish_dest(&d, 0);	/* all there already */
	else
		rc = finish_dest(&d, download_to(c, remote, &d));
	free(joined);
	return rc;
}

/*
 * rm PATH... (dirs 0) or rmdir PATH... (dirs 1): before any is removed,
 * every path must exist and be a file for rm, a directory for rmdir.
 * Returns the exit status.
 */
static int
remove_paths(struct ctx *c, int dirs)
{
	struct osb_error err = { 0 };
	char type[32];
	int i;

	for (i = 0; i < c->argc; i++) {
		if (remote_kind(c, c->argv[i], type, sizeof(type), NULL, NULL,
		    &err) != 0)
			return fail(&err);
		if (dirs && strcmp(type, "directory") != 0)
			return failx("rmdir %s: not a directory", c->argv[i]);
		if (!dirs && strcmp(type, "directory") == 0)
			return failx("rm %s: is a directory (rmdir removes "
			    "directories)", c->argv[i]);
	}
	if ((dirs ? osb_files_rmdir : osb_files_rm)(&c->ep,
	    (const char *const *)c->argv, (size_t)c->argc, &err) < 0)
		return fail(&err);
	return 0;
}

/* rm PATH...: files only, and all of them must exist. */
static int
cmd_rm(struct ctx *c)
{
	return remove_paths(c, 0);
}

/* mv SRC DEST: rename, or move into DEST when it is a directory. */
static int
cmd_mv(struct ctx *c)
{
	struct osb_error err = { 0 };
	const char *src = c->argv[0], *dest = c->argv[1];
	char name[1024], *final;
	int into, rc = 0;

	into = ends_with_slash(dest);
	if (!into && (into = remote_is_dir(c, dest)) < 0)
		return 1;
	base_name(src, name, sizeof(name));
	if ((final = into ? join(dest, name) : strdup(dest)) == NULL)
		return failx("mv %s: out of memory", src);
	if (osb_files_mv(&c->ep, src, final, &err) < 0)
		rc = fail(&err);
	free(final);
	return rc;
}

/* The directory part of path: "a/b" for "a/b/c", "." for "c", "/" for
 * "/c"; in buf. */
static const char *
dir_name(const char *path, char *buf, size_t len)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 0)
		snprintf(buf, len, ".");
	else
		snprintf(buf, len, "%.*s", (int)n, path);
	return buf;
}

/*
 * Without -p, mkdir(1)'s rules: path must not exist and its parent must
 * be a directory. Returns 0, or 1 after printing why not.
 */
static int
check_new_dir(struct ctx *c, const char *path)
{
	struct osb_error err = { 0 };
	char parent[1024], type[32];

	switch (remote_kind(c, path, type, sizeof(type), NULL, NULL, &err)) {
	case 0:
		return failx("mkdir %s: already exists", path);
	case -1:
		return fail(&err);
	}
	dir_name(path, parent, sizeof(parent));
	switch (remote_kind(c, parent, type, sizeof(type), NULL, NULL, &err)) {
	case 1:
		return failx("mkdir %s: no such directory %s (-p makes it)",
		    path, parent);
	case -1:
		return fail(&err);
	}
	if (strcmp(type, "directory") != 0)
		return failx("mkdir %s: %s is not a directory", path, parent);
	return 0;
}

/* mkdir [-p] [-m MODE] PATH... */
static int
cmd_mkdir(struct ctx *c)
{
	struct osb_error err = { 0 };
	int i;

	for (i = 0; !c->o.parents && i < c->argc; i++)
		if (check_new_dir(c, c->argv[i]) != 0)
			return 1;
	if (osb_files_mkdir(&c->ep, (const char *const *)c->argv,
	    (size_t)c->argc, &c->o.perm, &err) < 0)
		return fail(&err);
	return 0;
}

/* rmdir PATH...: directories, with all they hold. */
static int
cmd_rmdir(struct ctx *c)
{
	return remove_paths(c, 1);
}

/*
 * An RFC 3339 time ("2025-11-16T14:30:45.5+08:00") as local
 * "2025-11-16 06:30"; text that is not one is shown as it is. Returns
 * malloc'd text (an osb_column formatter).
 */
static char *
format_time(const json_t *v)
{
	const char *s = json_string_value(v), *p;
	struct tm tm = { 0 };
	char buf[64];
	long off = 0;
	int h, m;
	time_t t;

	if (s == NULL)
		return strdup("-");
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return strdup(s);
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &h, &m) == 2)
		off = (*p == '-' ? -1L : 1L) * (h * 3600L + m * 60L);
	else if (*p != 'Z')
		return strdup(s);
	t = timegm(&tm) - off;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm) == 0)
		return strdup(s);
	return strdup(buf);
}

/* The API's mode (644: octal digits as a decimal number) with the type
 * as ls -l shows it: "-rw-r--r--". */
static void
mode_string(const char *type, json_int_t api, char *buf)
{
	static const char rwx[] = "rwxrwxrwx";
	unsigned bits = 0, place = 0;
	int i;

	for (; api > 0; api /= 10, place += 3)
		bits |= (unsigned)(api % 10 & 7) << place;
	buf[0] = strcmp(type, "directory") == 0 ? 'd' :
	    strcmp(type, "symlink") == 0 ? 'l' :
	    strcmp(type, "file") == 0 ? '-' : '?';
	for (i = 0; i < 9; i++)
		buf[i + 1] = bits & (0400u >> i) ? rwx[i] : '-';
	buf[10] = '\0';
}

/*
 * Where the listed names start: the listing holds the directory's
 * children and their descendants, so the shortest parent of any entry is
 * the directory itself (however the server spelled it).
 */
static size_t
listing_root(const json_t *entries)
{
	size_t i, root = SIZE_MAX, n;
	const char *path, *slash;
	json_t *e;

	json_array_foreach(entries, i, e) {
		path = json_string_value(json_object_get(e, "path"));
		if (path == NULL || (slash = strrchr(path, '/')) == NULL)
			continue;
		if ((n = (size_t)(slash - path)) < root)
			root = n;
	}
	return root;
}

/* One table row for an ls entry named name (long format with -l). */
static json_t *
ls_row(const struct ctx *c, const json_t *e, const char *name)
{
	const char *type = json_string_value(json_object_get(e, "type"));
	char mode[11];

	if (!c->o.long_format)
		return json_pack("{s:s}", "name", name);
	mode_string(type ? type : "", json_integer_value(json_object_get(e,
	    "mode")), mode);
	return json_pack("{s:s, s:O?, s:O?, s:O?, s:O?, s:s}", "mode", mode,
	    "owner", json_object_get(e, "owner"),
	    "group", json_object_get(e, "group"),
	    "size", json_object_get(e, "size"),
	    "modified_at", json_object_get(e, "modified_at"), "name", name);
}

static const struct osb_column ls_columns[] = {
	{ "MODE", "mode", NULL }, { "OWNER", "owner", NULL },
	{ "GROUP", "group", NULL }, { "SIZE", "size", NULL },
	{ "MODIFIED", "modified_at", format_time }, { "NAME", "name", NULL },
};

/* The listing as a table of names (relative to the directory). */
static int
print_listing(const struct ctx *c, const json_t *entries)
{
	size_t i, root = listing_root(entries);
	json_t *rows = json_array(), *e;
	const char *path, *name;
	int rc;

	json_array_foreach(entries, i, e) {
		if ((path = json_string_value(json_object_get(e,
		    "path"))) == NULL)
			continue;
		name = root < strlen(path) ? path + root + 1 : path;
		if (c->cfg.quiet)
			printf("%s\n", name);
		else if (json_array_append_new(rows, ls_row(c, e, name)) < 0)
			break;
	}
	if (c->cfg.quiet)
		rc = 0;
	else if (c->o.long_format)
		rc = osb_print(stdout, OSB_TABLE, rows, ls_columns, 6);
	else
		rc = osb_print(stdout, OSB_TABLE, rows, ls_columns + 5, 1);
	json_decref(rows);
	return rc < 0 || i < json_array_size(entries) ?
	    failx("ls: out of memory or output error") : 0;
}

/* ls [-l] [-d DEPTH] DIR: names, a long table, or the API listing. */
static int
cmd_ls(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *entries;
	int depth = c->o.seen & OPT_DEPTH ? c->o.depth : 1, rc;

	if (osb_files_list(&c->ep, c->argv[0], depth, &entries, &err) < 0)
		return fail(&err);
	if (c->cfg.format != OSB_TABLE)
		rc = osb_print(stdout, c->cfg.format, entries, NULL, 0) < 0;
	else
		rc = print_listing(c, entries);
	json_decref(entries);
	return rc;
}

static const struct osb_column info_columns[] = {
	{ "PATH", "path", NULL }, { "TYPE", "type", NULL },
	{ "SIZE", "size", NULL }, { "MODE", "mode", NULL },
	{ "OWNER", "owner", NULL }, { "GROUP", "group", NULL },
	{ "MODIFIED", "modified_at", format_time },
};

/* search DIR [PATTERN]: matching files as a table or the API list. */
static int
cmd_search(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *found, *e;
	size_t i;
	int rc = 0;

	if (osb_files_search(&c->ep, c->argv[0], c->argc > 1 ? c->argv[1] :
	    NULL, &found, &err) < 0)
		return fail(&err);
	if (c->cfg.quiet && c->cfg.format == OSB_TABLE) {
		json_array_foreach(found, i, e) {
			printf("%s\n", json_string_value(json_object_get(e,
			    "path")) ?: "");
		}
	} else
		rc = osb_print(stdout, c->cfg.format, found, info_columns,
		    7) < 0;
	json_decref(found);
	return rc;
}

/* stat PATH...: a row per path, or the API map. */
static int
cmd_stat(struct ctx *c)
{
	struct osb_error err = { 0 };
	json_t *info, *rows, *v;
	const char *key;
	int rc;

	if (osb_files_info(&c->ep, (const char *const *)c->argv,
	    (size_t)c->argc, &info, &err) < 0)
		return fail(&err);
	if (c->cfg.format != OSB_TABLE)
		rc = osb_print(stdout, c->cfg.format, info, NULL, 0) < 0;
	else {
		rows = json_array();
		json_object_foreach(info, key, v) {
			json_array_append(rows, v);
		}
		rc = osb_print(stdout, OSB_TABLE, rows, info_columns, 7) < 0;
		json_decref(rows);
	}
	json_decref(info);
	return rc;
}

/* chmod MODE PATH... [--owner U] [--group G] */
static int
cmd_chmod(struct ctx *c)
{
	const struct command *cmd = find_command("chmod");
	struct osb_error err = { 0 };
	struct osb_file_perm perm = c->o.perm;

	if (parse_mode(c->argv[0], &perm.mode) < 0)
		return osb_print_usage_error(PROG, cmd->synopsis, "chmod: not "
		    "an octal mode: '%s'", c->argv[0]);
	if (perm.mode == 0)
		return osb_print_usage_error(PROG, cmd->synopsis, "chmod: mode "
		    "0 cannot be set (the API reads 0 as \"leave the mode\")");
	if (osb_files_chmod(&c->ep, (const char *const *)c->argv + 1,
	    (size_t)c->argc - 1, &perm, &err) < 0)
		return fail(&err);
	return 0;
}

static const struct osb_column replace_columns[] = {
	{ "PATH", "path", NULL }, { "REPLACED", "replaced", NULL },
};

/* replace PATH... --old X --new Y: counts per file. */
static int
cmd_replace(struct ctx *c)
{
	const struct command *cmd = find_command("replace");
	struct osb_error err = { 0 };
	json_t *counts, *rows, *n;
	int i, rc;

	if (c->o.old == NULL || c->o.new == NULL)
		return osb_print_usage_error(PROG, cmd->synopsis, "replace: "
		    "--old and --new are needed");
	if (*c->o.old == '\0')
		return osb_print_usage_error(PROG, cmd->synopsis, "replace: "
		    "--old must not be empty");
	if (osb_files_replace(&c->ep, (const char *const *)c->argv,
	    (size_t)c->argc, c->o.old, c->o.new, &counts, &err) < 0)
		return fail(&err);
	if (c->cfg.format != OSB_TABLE)
		rc = osb_print(stdout, c->cfg.format, counts, NULL, 0) < 0;
	else {
		rows = json_array();
		for (i = 0; i < c->argc; i++) {
			n = json_object_get(json_object_get(counts,
			    c->argv[i]), "replacedCount");
			json_array_append_new(rows, json_pack("{s:s, s:O?}",
			    "path", c->argv[i], "replaced", n));
		}
		rc = osb_print(stdout, OSB_TABLE, rows, replace_columns,
		    2) < 0;
		json_decref(rows);
	}
	json_decref(counts);
	return rc;
}

/* The operands COMMAND SANDBOX ARGS..., run. Returns the exit status. */
static int
run(struct ctx *c)
{
	struct osb_error err = { 0 };
	const struct command *cmd;
	int rc;

	if (c->nwords < 1)
		return osb_print_usage_error(PROG, NULL, "missing command");
	if ((cmd = find_command(c->words[0])) == NULL)
		return osb_print_usage_error(PROG, NULL, "unknown command '%s'",
		    c->words[0]);
	if (c->nwords < 2)
		return osb_print_usage_error(PROG, cmd->synopsis, "%s: missing "
		    "SANDBOX", cmd->name);
	c->argc = c->nwords - 2;
	c->argv = c->words + 2;
	if ((rc = check_usage(cmd, c)) != 0)
		return rc;
	if (osb_config_load(&c->cfg, &err) < 0 ||
	    osb_resolve_execd(&c->cfg, c->words[1], &c->ep, &err) < 0)
		return fail(&err);
	rc = cmd->run(c);
	if (fflush(stdout) == EOF && rc == 0)
		rc = failx("stdout: %s", strerror(errno));
	return rc;
}

int
main(int argc, char **argv)
{
	struct ctx c = { 0 };
	int rc;

	osb_hold_std_fds();
	if ((rc = parse_command_line(&c, argc, argv)) < 0)
		rc = run(&c);
	free(c.words);
	osb_endpoint_free(&c.ep);
	osb_config_free(&c.cfg);
	return rc;
}

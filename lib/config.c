/*
 * config.c — settings from flags > environment > config file > defaults.
 *
 * The config file is the Python osb CLI's ~/.opensandbox/config.toml, read
 * with a reader for the subset of TOML it uses: [section] headers, bare
 * keys, and values that are strings ("basic" or 'literal'), integers,
 * floats (its `config set` writes "2.5" as one) or booleans, with #
 * comments. Anything else is an error naming file:line,
 * so a typo never silently becomes a default.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "output.h"
#include "util.h"

#define DEFAULT_PROTOCOL	"http"
#define DEFAULT_TIMEOUT_S	30

/* A value from the file. */
struct tval {
	enum { TV_STRING, TV_INT, TV_FLOAT, TV_BOOL } type;
	char *s;		/* TV_STRING, malloc'd */
	long long i;		/* TV_INT, TV_BOOL */
	double f;		/* TV_FLOAT */
};

/* Where the file is being read: for "path:line: " in errors. */
struct tpos {
	const char *path;
	int line;
};

/* Replace *dst with a copy of src. Returns 0, -1 when out of memory. */
static int
set_string(char **dst, const char *src)
{
	char *copy;

	if ((copy = strdup(src)) == NULL)
		return -1;
	free(*dst);
	*dst = copy;
	return 0;
}

/*
 * Set *dst to a copy of src unless a source that comes first gave it.
 * Returns 0, -1 when out of memory.
 */
static int
fill_string(char **dst, const char *src)
{
	return *dst != NULL ? 0 : set_string(dst, src);
}

/*
 * Whether a source may still give the setting of bit: not when a source
 * that comes first gave it. Either way it is given now.
 */
static int
claim(struct osb_config *cfg, unsigned bit)
{
	int unclaimed = !(cfg->set & bit);

	cfg->set |= bit;
	return unclaimed;
}

/* Is p one of the protocols we speak? */
static int
protocol_ok(const char *p)
{
	return strcmp(p, "http") == 0 || strcmp(p, "https") == 0;
}

/*
 * A request timeout in whole seconds from a duration ("30", "30s", "1m").
 * Returns 0, -1 when s is not one.
 */
static int
parse_timeout(const char *s, long *secs)
{
	int64_t ms;

	if (osb_duration_parse(s, &ms) == -1 || ms == OSB_DURATION_NONE)
		return -1;
	*secs = (long)((ms + 999) / 1000);
	return 0;
}

/*
 * The value of environment variable name into *dst, unless flags gave it.
 * Returns 0, -1 when out of memory.
 */
static int
env_string(char **dst, const char *name)
{
	const char *v = getenv(name);

	return v == NULL || *v == '\0' ? 0 : fill_string(dst, v);
}

/* The environment, for what flags left unset. Returns 0, -1 on a bad value. */
static int
load_env(struct osb_config *cfg, struct osb_error *err)
{
	const char *v;

	if (cfg->protocol == NULL && (v = getenv("OPEN_SANDBOX_PROTOCOL")) &&
	    *v && !protocol_ok(v)) {
		osb_error_set(err, 0, "", "OPEN_SANDBOX_PROTOCOL: unknown "
		    "protocol '%s' (http or https)", v);
		return -1;
	}
	if ((v = getenv("OPEN_SANDBOX_REQUEST_TIMEOUT")) && *v &&
	    claim(cfg, OSB_SET_TIMEOUT) &&
	    parse_timeout(v, &cfg->request_timeout) == -1) {
		osb_error_set(err, 0, "", "OPEN_SANDBOX_REQUEST_TIMEOUT: not a "
		    "number of seconds: '%s'", v);
		return -1;
	}
	if ((v = getenv("OPEN_SANDBOX_OUTPUT")) && *v &&
	    claim(cfg, OSB_SET_FORMAT) &&
	    osb_format_parse(v, &cfg->format) == -1) {
		osb_error_set(err, 0, "", "OPEN_SANDBOX_OUTPUT: unknown format "
		    "'%s' (table, json or yaml)", v);
		return -1;
	}
	if ((v = getenv("NO_COLOR")) && *v && claim(cfg, OSB_SET_COLOR))
		cfg->color = 0;
	if (env_string(&cfg->api_key, "OPEN_SANDBOX_API_KEY") == -1 ||
	    env_string(&cfg->domain, "OPEN_SANDBOX_DOMAIN") == -1 ||
	    env_string(&cfg->protocol, "OPEN_SANDBOX_PROTOCOL") == -1 ||
	    env_string(&cfg->execd_token, "OSB_EXECD_TOKEN") == -1) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	return 0;
}

/* Set err to "path:line: formatted" and return -1. */
static int __attribute__((format(printf, 3, 4)))
file_error(struct osb_error *err, const struct tpos *pos, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	osb_error_set(err, 0, "", "%s:%d: %s", pos->path, pos->line, msg);
	return -1;
}

/* May c be part of a bare key? */
static int
is_bare(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/* p past spaces and tabs. */
static const char *
skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Only blanks and a comment may follow a value or a header. */
static int
line_rest_ok(const char *p)
{
	p = skip_blank(p);
	return *p == '\0' || *p == '#' || *p == '\n' || (*p == '\r' && p[1] == '\n');
}

/*
 * A bare key, or a section name (dots allowed: [a.b]), at *p into buf.
 * Returns 0 and moves *p past it, -1 when there is none or it does not fit.
 */
static int
read_key(const char **p, char *buf, size_t len, int dots)
{
	size_t n = 0;

	while (is_bare((unsigned char)(*p)[n]) || (dots && (*p)[n] == '.'))
		n++;
	if (n == 0 || n >= len)
		return -1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p += n;
	return 0;
}

/* The character a basic-string escape stands for, or -1. */
static int
unescape(int c)
{
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'b': return '\b';
	case 'f': return '\f';
	case '"': return '"';
	case '\\': return '\\';
	}
	return -1;
}

/*
 * A \uXXXX or \UXXXXXXXX escape at *s (at the u): the code point, UTF-8
 * encoded, at *o. Returns 0 with both moved past, -1 when it is not one.
 */
static int
unicode_escape(const char **s, char **o)
{
	int digits = **s == 'u' ? 4 : 8, i;
	unsigned char *out = (unsigned char *)*o;
	unsigned long cp = 0;
	const char *h = *s + 1;

	for (i = 0; i < digits; i++, h++) {
		if (!isxdigit((unsigned char)*h))
			return -1;
		cp = cp * 16 + (unsigned long)(isdigit((unsigned char)*h) ?
		    *h - '0' : tolower((unsigned char)*h) - 'a' + 10);
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	if (cp < 0x80) {
		*out++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*out++ = (unsigned char)(0xc0 | cp >> 6);
		*out++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*out++ = (unsigned char)(0xe0 | cp >> 12);
		*out++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		*out++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*out++ = (unsigned char)(0xf0 | cp >> 18);
		*out++ = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		*out++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		*out++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*o = (char *)out;
	*s = h - 1;
	return 0;
}

/*
 * A quoted string at *p (after the opening quote q): '...' taken as it is,
 * "..." with the common escapes. Returns 0 with v filled and *p past the
 * closing quote, -1 with err set.
 */
static int
read_string(const char **p, char q, struct tval *v, const struct tpos *pos,
    struct osb_error *err)
{
	const char *s = *p;
	char *o;
	int c;

	if (s[0] == q && s[1] == q)
		return file_error(err, pos, "multi-line strings are not supported");
	if ((v->s = o = malloc(strlen(s) + 1)) == NULL)
		return file_error(err, pos, "out of memory");
	v->type = TV_STRING;
	for (; *s != q; s++) {
		if (*s == '\0' || *s == '\n')
			return file_error(err, pos, "unterminated string");
		if (q == '"' && *s == '\\' && (s[1] == 'u' || s[1] == 'U')) {
			s++;
			if (unicode_escape(&s, &o) == -1)
				return file_error(err, pos, "bad unicode escape "
				    "'\\%c...' (\\uXXXX or \\UXXXXXXXX)", *s);
		} else if (q == '"' && *s == '\\') {
			if ((c = unescape((unsigned char)*++s)) == -1)
				return file_error(err, pos,
				    "unsupported escape '\\%c'", *s ? *s : ' ');
			*o++ = (char)c;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	*p = s + 1;
	return 0;
}

/* The complaint about a value of a type the reader does not know. */
static int
unsupported_value(struct osb_error *err, const struct tpos *pos)
{
	return file_error(err, pos, "unsupported value (expected a "
	    "\"string\", a number, true or false)");
}

/*
 * A float ("2.5", "-1e3", "1_000.5") at *p. Returns 0 with v filled and
 * *p past it, -1 with err set.
 */
static int
read_float(const char **p, struct tval *v, const struct tpos *pos,
    struct osb_error *err)
{
	const char *s = *p;
	char buf[64], *end;
	size_t n = 0;

	for (; isdigit((unsigned char)*s) || (*s != '\0' &&
	    strchr("+-._eE", *s) != NULL); s++) {
		if (n + 1 >= sizeof(buf))
			return unsupported_value(err, pos);
		if (*s != '_')
			buf[n++] = *s;
	}
	buf[n] = '\0';
	v->f = strtod(buf, &end);
	if (n == 0 || *end != '\0' || is_bare((unsigned char)*s))
		return unsupported_value(err, pos);
	v->type = TV_FLOAT;
	*p = s;
	return 0;
}

/*
 * An integer ("30", "-1", "1_000"), float or boolean at *p. Returns 0
 * with v filled and *p past it, -1 with err set.
 */
static int
read_scalar(const char **p, struct tval *v, const struct tpos *pos,
    struct osb_error *err)
{
	const char *s = *p;
	long long n = 0;
	int neg = 0, digits = 0;

	if (strncmp(s, "true", 4) == 0 || strncmp(s, "false", 5) == 0) {
		v->type = TV_BOOL;
		v->i = *s == 't';
		*p = s + (*s == 't' ? 4 : 5);
		return 0;
	}
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s) || (*s == '_' && digits); s++) {
		if (*s == '_')
			continue;
		if (n > (LLONG_MAX - 9) / 10)
			return file_error(err, pos, "number too large");
		n = n * 10 + (*s - '0');
		digits++;
	}
	if (digits > 0 && (*s == '.' || *s == 'e' || *s == 'E'))
		return read_float(p, v, pos, err);
	if (digits == 0 || is_bare((unsigned char)*s) || *s == '.')
		return unsupported_value(err, pos);
	v->type = TV_INT;
	v->i = neg ? -n : n;
	*p = s;
	return 0;
}

/* The value at *p: a quoted string, an integer or a boolean. */
static int
read_value(const char **p, struct tval *v, const struct tpos *pos,
    struct osb_error *err)
{
	if (**p == '"' || **p == '\'') {
		(*p)++;
		return read_string(p, (*p)[-1], v, pos, err);
	}
	return read_scalar(p, v, pos, err);
}

/* "must be a string" style complaint about section.key. */
static int
type_error(struct osb_error *err, const struct tpos *pos, const char *section,
    const char *key, const char *want)
{
	return file_error(err, pos, "%s.%s must be %s", section, key, want);
}

/* [connection] keys, for what flags and environment left unset. */
static int
apply_connection(struct osb_config *cfg, const char *key,
    const struct tval *v, const struct tpos *pos, struct osb_error *err)
{
	char **dst = NULL;
	long secs;

	if (strcmp(key, "api_key") == 0)
		dst = &cfg->api_key;
	else if (strcmp(key, "domain") == 0)
		dst = &cfg->domain;
	else if (strcmp(key, "protocol") == 0)
		dst = &cfg->protocol;
	if (dst != NULL) {
		if (v->type != TV_STRING)
			return type_error(err, pos, "connection", key, "a string");
		if (dst == &cfg->protocol && !protocol_ok(v->s))
			return file_error(err, pos, "connection.protocol: "
			    "unknown protocol '%s' (http or https)", v->s);
		if (fill_string(dst, v->s) == -1)
			return file_error(err, pos, "out of memory");
		return 0;
	}
	if (strcmp(key, "request_timeout") == 0) {
		/* Whole seconds; a fraction of one still waits for it. */
		if (v->type == TV_FLOAT && v->f >= 0 && v->f <= 86400 * 365)
			secs = (long)v->f + ((long)v->f < v->f);
		else if (v->type == TV_INT && v->i >= 0 && v->i <= 86400 * 365)
			secs = (long)v->i;
		else
			return type_error(err, pos, "connection", key,
			    "a number of seconds");
		if (claim(cfg, OSB_SET_TIMEOUT))
			cfg->request_timeout = secs;
	}
	return 0;
}

/* [output] keys. */
static int
apply_output(struct osb_config *cfg, const char *key, const struct tval *v,
    const struct tpos *pos, struct osb_error *err)
{
	enum osb_format fmt;

	if (strcmp(key, "format") == 0) {
		if (v->type != TV_STRING || osb_format_parse(v->s, &fmt) == -1)
			return type_error(err, pos, "output", key,
			    "\"table\", \"json\" or \"yaml\"");
		if (claim(cfg, OSB_SET_FORMAT))
			cfg->format = fmt;
	} else if (strcmp(key, "color") == 0) {
		if (v->type != TV_BOOL)
			return type_error(err, pos, "output", key,
			    "true or false");
		if (claim(cfg, OSB_SET_COLOR))
			cfg->color = (int)v->i;
	}
	return 0;
}

/* [defaults] keys: image, and timeout as a duration or seconds. */
static int
apply_defaults(struct osb_config *cfg, const char *key, const struct tval *v,
    const struct tpos *pos, struct osb_error *err)
{
	char num[32];
	const char *text;
	int64_t ms;

	if (strcmp(key, "image") == 0) {
		if (v->type != TV_STRING)
			return type_error(err, pos, "defaults", key, "a string");
		if (fill_string(&cfg->default_image, v->s) == -1)
			return file_error(err, pos, "out of memory");
	} else if (strcmp(key, "timeout") == 0) {
		if (v->type == TV_INT && v->i >= 0) {
			snprintf(num, sizeof(num), "%lld", v->i);
			text = num;
		} else if (v->type == TV_STRING &&
		    osb_duration_parse(v->s, &ms) == 0) {
			text = v->s;
		} else {
			return type_error(err, pos, "defaults", key,
			    "a duration (\"10m\", \"1h30m\") or \"none\"");
		}
		if (fill_string(&cfg->default_timeout, text) == -1)
			return file_error(err, pos, "out of memory");
	}
	return 0;
}

/* One key = value in section. Unknown sections and keys are left alone. */
static int
apply(struct osb_config *cfg, const char *section, const char *key,
    const struct tval *v, const struct tpos *pos, struct osb_error *err)
{
	if (strcmp(section, "connection") == 0)
		return apply_connection(cfg, key, v, pos, err);
	if (strcmp(section, "output") == 0)
		return apply_output(cfg, key, v, pos, err);
	if (strcmp(section, "defaults") == 0)
		return apply_defaults(cfg, key, v, pos, err);
	return 0;
}

/* One line: blank, comment, [section] or key = value. */
static int
parse_line(struct osb_config *cfg, const char *line, char *section,
    size_t seclen, const struct tpos *pos, struct osb_error *err)
{
	const char *p = skip_blank(line);
	struct tval v = { 0 };
	char key[128];
	int rc;

	if (line_rest_ok(p))
		return 0;
	if (*p == '[') {
		p = skip_blank(p + 1);
		if (read_key(&p, section, seclen, 1) == -1 ||
		    *(p = skip_blank(p)) != ']' || !line_rest_ok(p + 1))
			return file_error(err, pos, "bad section header");
		return 0;
	}
	if (read_key(&p, key, sizeof(key), 0) == -1 ||
	    *(p = skip_blank(p)) != '=')
		return file_error(err, pos, "expected key = value");
	p = skip_blank(p + 1);
	if (read_value(&p, &v, pos, err) == -1)
		rc = -1;
	else if (!line_rest_ok(p))
		rc = file_error(err, pos, "unexpected text after the value");
	else
		rc = apply(cfg, section, key, &v, pos, err);
	free(v.s);
	return rc;
}

/*
 * Read the config file at path. A missing file is fine unless it was asked
 * for with --config (explicit). Returns 0, -1 with err set.
 */
static int
load_file(struct osb_config *cfg, const char *path, int explicit,
    struct osb_error *err)
{
	struct tpos pos = { path, 0 };
	char section[128] = "", *line = NULL;
	size_t cap = 0;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !explicit)
			return 0;
		osb_error_set(err, 0, "", "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		pos.line++;
		rc = parse_line(cfg, line, section, sizeof(section), &pos, err);
	}
	if (rc == 0 && ferror(f)) {
		osb_error_set(err, 0, "", "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

/* ~/.opensandbox/config.toml, from $HOME or the password file; NULL if no home. */
static char *
default_config_path(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;
	char *path;

	if ((home == NULL || *home == '\0') && (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	if (home == NULL || *home == '\0')
		return NULL;
	if (asprintf(&path, "%s/.opensandbox/config.toml", home) == -1)
		return NULL;
	return path;
}

/*
 * While loading, cfg->set also marks what the environment and the file
 * gave, so that each source only fills what is still open; it is put back
 * to what flags gave at the end.
 */
int
osb_config_load(struct osb_config *cfg, struct osb_error *err)
{
	int explicit = cfg->config_path != NULL;
	unsigned flags = cfg->set;

	if (load_env(cfg, err) == -1)
		return -1;
	if (!explicit)
		cfg->config_path = default_config_path();
	if (cfg->config_path != NULL &&
	    load_file(cfg, cfg->config_path, explicit, err) == -1)
		return -1;
	if (fill_string(&cfg->protocol, DEFAULT_PROTOCOL) == -1) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	if (!(cfg->set & OSB_SET_TIMEOUT))
		cfg->request_timeout = DEFAULT_TIMEOUT_S;
	if (!(cfg->set & OSB_SET_COLOR))
		cfg->color = 1;
	cfg->set = flags;
	osb_set_color(cfg->color);
	osb_http_verbose = cfg->verbose;
	return 0;
}

void
osb_config_free(struct osb_config *cfg)
{
	free(cfg->config_path);
	free(cfg->api_key);
	free(cfg->domain);
	free(cfg->protocol);
	free(cfg->execd_token);
	free(cfg->default_image);
	free(cfg->default_timeout);
	memset(cfg, 0, sizeof(*cfg));
}

/*
 * config.c — settings from flags > environment > config file > defaults.
 *
 * The config file is the Python osb CLI's ~/.opensandbox/config.toml, with
 * its sections and keys, read a line at a time by toml.c. A value of the
 * wrong type for its key is an error naming file:line, as a line the
 * reader does not understand is, so a typo never silently becomes a
 * default. Sections and keys not known here are left alone: a file
 * written for the Python CLI works unchanged.
 */
#include <sys/stat.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "output.h"
#include "toml.h"
#include "util.h"

#define DEFAULT_PROTOCOL	"http"
#define DEFAULT_TIMEOUT_S	30
#define MAX_TIMEOUT_S		(86400L * 365)

/* How `osb config set` writes a key's value. */
enum setting_kind { KIND_STRING, KIND_SECONDS, KIND_BOOL };

/* The keys `osb config set` knows, each a "section.key". */
static const struct setting {
	const char *name;
	enum setting_kind kind;
} settings[] = {
	{ "connection.api_key", KIND_STRING },
	{ "connection.domain", KIND_STRING },
	{ "connection.protocol", KIND_STRING },
	{ "connection.request_timeout", KIND_SECONDS },
	{ "connection.use_server_proxy", KIND_BOOL },
	{ "output.format", KIND_STRING },
	{ "output.color", KIND_BOOL },
	{ "defaults.image", KIND_STRING },
	{ "defaults.timeout", KIND_STRING },
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

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
 * Set *dst to a copy of src unless a source that comes first gave it. An
 * empty src gives nothing: "" in the file, as in the environment, is unset.
 * Returns 0, -1 when out of memory.
 */
static int
fill_string(char **dst, const char *src)
{
	return *dst != NULL || *src == '\0' ? 0 : set_string(dst, src);
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
 * A boolean as environment variables spell them: 1, true, yes, on or 0,
 * false, no, off, in any case. Returns 0, -1 when s is none of them.
 */
static int
parse_bool(const char *s, int *on)
{
	static const char *const words[] = { "0", "false", "no", "off",
	    "1", "true", "yes", "on" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0) {
			*on = i >= 4;
			return 0;
		}
	return -1;
}

/*
 * The value of environment variable name into *dst, unless flags gave it.
 * Returns 0, -1 when out of memory.
 */
static int
env_string(char **dst, const char *name)
{
	const char *v = getenv(name);

	return v == NULL ? 0 : fill_string(dst, v);
}

/* The typed variables, for what flags left unset. Returns 0, -1 on a bad value. */
static int
load_env_typed(struct osb_config *cfg, struct osb_error *err)
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
	if ((v = getenv("OPEN_SANDBOX_USE_SERVER_PROXY")) && *v &&
	    claim(cfg, OSB_SET_PROXY) &&
	    parse_bool(v, &cfg->use_server_proxy) == -1) {
		osb_error_set(err, 0, "", "OPEN_SANDBOX_USE_SERVER_PROXY: not "
		    "a boolean: '%s' (true or false)", v);
		return -1;
	}
	if ((v = getenv("NO_COLOR")) && *v && claim(cfg, OSB_SET_COLOR))
		cfg->color = 0;
	return 0;
}

/* The environment, for what flags left unset. Returns 0, -1 on a bad value. */
static int
load_env(struct osb_config *cfg, struct osb_error *err)
{
	if (load_env_typed(cfg, err) == -1)
		return -1;
	if (env_string(&cfg->api_key, "OPEN_SANDBOX_API_KEY") == -1 ||
	    env_string(&cfg->domain, "OPEN_SANDBOX_DOMAIN") == -1 ||
	    env_string(&cfg->protocol, "OPEN_SANDBOX_PROTOCOL") == -1 ||
	    env_string(&cfg->execd_token, "OSB_EXECD_TOKEN") == -1) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	return 0;
}

/* "must be a string" style complaint about section.key. */
static int
type_error(struct osb_error *err, const struct osb_toml_pos *pos,
    const char *section, const char *key, const char *want)
{
	return osb_toml_error(err, pos, "%s.%s must be %s", section, key, want);
}

/* A boolean key into *on, unless a source that comes first gave it. */
static int
apply_bool(struct osb_config *cfg, unsigned bit, int *on,
    const char *section, const char *key, const struct osb_toml_value *v,
    const struct osb_toml_pos *pos, struct osb_error *err)
{
	if (v->type != OSB_TOML_BOOL)
		return type_error(err, pos, section, key, "true or false");
	if (claim(cfg, bit))
		*on = (int)v->i;
	return 0;
}

/* connection.request_timeout: whole seconds, a fraction still waits for it. */
static int
apply_request_timeout(struct osb_config *cfg, const struct osb_toml_value *v,
    const struct osb_toml_pos *pos, struct osb_error *err)
{
	long secs;

	if (v->type == OSB_TOML_FLOAT && v->f >= 0 && v->f <= MAX_TIMEOUT_S)
		secs = (long)v->f + ((long)v->f < v->f);
	else if (v->type == OSB_TOML_INT && v->i >= 0 && v->i <= MAX_TIMEOUT_S)
		secs = (long)v->i;
	else
		return type_error(err, pos, "connection", "request_timeout",
		    "a number of seconds");
	if (claim(cfg, OSB_SET_TIMEOUT))
		cfg->request_timeout = secs;
	return 0;
}

/* [connection] keys, for what flags and environment left unset. */
static int
apply_connection(struct osb_config *cfg, const char *key,
    const struct osb_toml_value *v, const struct osb_toml_pos *pos,
    struct osb_error *err)
{
	char **dst = NULL;

	if (strcmp(key, "api_key") == 0)
		dst = &cfg->api_key;
	else if (strcmp(key, "domain") == 0)
		dst = &cfg->domain;
	else if (strcmp(key, "protocol") == 0)
		dst = &cfg->protocol;
	if (dst != NULL) {
		if (v->type != OSB_TOML_STRING)
			return type_error(err, pos, "connection", key,
			    "a string");
		if (dst == &cfg->protocol && !protocol_ok(v->s))
			return osb_toml_error(err, pos, "connection.protocol: "
			    "unknown protocol '%s' (http or https)", v->s);
		if (fill_string(dst, v->s) == -1)
			return osb_toml_error(err, pos, "out of memory");
		return 0;
	}
	if (strcmp(key, "request_timeout") == 0)
		return apply_request_timeout(cfg, v, pos, err);
	if (strcmp(key, "use_server_proxy") == 0)
		return apply_bool(cfg, OSB_SET_PROXY, &cfg->use_server_proxy,
		    "connection", key, v, pos, err);
	return 0;
}

/* [output] keys. */
static int
apply_output(struct osb_config *cfg, const char *key,
    const struct osb_toml_value *v, const struct osb_toml_pos *pos,
    struct osb_error *err)
{
	enum osb_format fmt;

	if (strcmp(key, "format") == 0) {
		if (v->type != OSB_TOML_STRING ||
		    osb_format_parse(v->s, &fmt) == -1)
			return type_error(err, pos, "output", key,
			    "\"table\", \"json\" or \"yaml\"");
		if (claim(cfg, OSB_SET_FORMAT))
			cfg->format = fmt;
	} else if (strcmp(key, "color") == 0) {
		return apply_bool(cfg, OSB_SET_COLOR, &cfg->color, "output",
		    key, v, pos, err);
	}
	return 0;
}

/* [defaults] keys: image, and timeout as a duration or seconds. */
static int
apply_defaults(struct osb_config *cfg, const char *key,
    const struct osb_toml_value *v, const struct osb_toml_pos *pos,
    struct osb_error *err)
{
	char num[32];
	const char *text;
	int64_t ms;

	if (strcmp(key, "image") == 0) {
		if (v->type != OSB_TOML_STRING)
			return type_error(err, pos, "defaults", key, "a string");
		if (fill_string(&cfg->default_image, v->s) == -1)
			return osb_toml_error(err, pos, "out of memory");
	} else if (strcmp(key, "timeout") == 0) {
		if (v->type == OSB_TOML_INT && v->i >= 0) {
			snprintf(num, sizeof(num), "%lld", v->i);
			text = num;
		} else if (v->type == OSB_TOML_STRING &&
		    osb_duration_parse(v->s, &ms) == 0) {
			text = v->s;
		} else {
			return type_error(err, pos, "defaults", key,
			    "a duration (\"10m\", \"1h30m\") or \"none\"");
		}
		if (fill_string(&cfg->default_timeout, text) == -1)
			return osb_toml_error(err, pos, "out of memory");
	}
	return 0;
}

/* One key = value in section. Unknown sections and keys are left alone. */
static int
apply(struct osb_config *cfg, const char *section, const char *key,
    const struct osb_toml_value *v, const struct osb_toml_pos *pos,
    struct osb_error *err)
{
	if (strcmp(section, "connection") == 0)
		return apply_connection(cfg, key, v, pos, err);
	if (strcmp(section, "output") == 0)
		return apply_output(cfg, key, v, pos, err);
	if (strcmp(section, "defaults") == 0)
		return apply_defaults(cfg, key, v, pos, err);
	return 0;
}

/* One line of the file: a section header is remembered, a key applied. */
static int
load_line(struct osb_config *cfg, const char *text, char *section,
    size_t seclen, const struct osb_toml_pos *pos, struct osb_error *err)
{
	struct osb_toml_line l;
	int rc = 0;

	if (osb_toml_read_line(text, &l, pos, err) == -1)
		return -1;
	if (l.kind == OSB_TOML_SECTION)
		strlcpy(section, l.name, seclen);
	else if (l.kind == OSB_TOML_KEY)
		rc = apply(cfg, section, l.name, &l.value, pos, err);
	osb_toml_line_free(&l);
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
	struct osb_toml_pos pos = { path, 0 };
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
		rc = load_line(cfg, line, section, sizeof(section), &pos, err);
	}
	if (rc == 0 && ferror(f)) {
		osb_error_set(err, 0, "", "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

char *
osb_config_default_path(void)
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
		cfg->config_path = osb_config_default_path();
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
	if (!(cfg->set & OSB_SET_PROXY))
		cfg->use_server_proxy = 0;
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

/* The keys of section, as "a, b or c" in buf. */
static const char *
keys_of(const char *section, char *buf, size_t len)
{
	size_t i, n = strlen(section), found = 0, total = 0;

	for (i = 0; i < NSETTINGS; i++)
		total += strncmp(settings[i].name, section, n) == 0 &&
		    settings[i].name[n] == '.';
	buf[0] = '\0';
	for (i = 0; i < NSETTINGS; i++) {
		if (strncmp(settings[i].name, section, n) != 0 ||
		    settings[i].name[n] != '.')
			continue;
		if (found++ > 0)
			strlcat(buf, found == total ? " or " : ", ", len);
		strlcat(buf, settings[i].name + n + 1, len);
	}
	return buf;
}

/* The setting called key ("connection.domain"), NULL with err set. */
static const struct setting *
find_setting(const char *key, struct osb_error *err)
{
	const char *dot = strchr(key, '.');
	char section[64], known[256];
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, key) == 0)
			return &settings[i];
	if (dot == NULL) {
		osb_error_set(err, 0, "", "%s: not a SECTION.KEY, such as "
		    "connection.domain", key);
		return NULL;
	}
	snprintf(section, sizeof(section), "%.*s", (int)(dot - key), key);
	if (*keys_of(section, known, sizeof(known)) == '\0')
		osb_error_set(err, 0, "", "%s: unknown section '%s' "
		    "(connection, output or defaults)", key, section);
	else
		osb_error_set(err, 0, "", "%s: unknown key (%s has %s)", key,
		    section, known);
	return NULL;
}

/*
 * Is text, whole, a TOML number (integer or float)? "30", "2.5", not
 * "30s" nor "nan".
 */
static int
is_toml_number(const char *text)
{
	struct osb_toml_pos pos = { NULL, 0 };
	struct osb_toml_line l;
	struct osb_error err;
	char *line;
	int yes;

	if (asprintf(&line, "k = %s", text) == -1)
		return 0;
	if (osb_toml_read_line(line, &l, &pos, &err) == -1) {
		free(line);
		return 0;
	}
	yes = l.kind == OSB_TOML_KEY && l.value_end == strlen(line) &&
	    (l.value.type == OSB_TOML_INT || l.value.type == OSB_TOML_FLOAT);
	osb_toml_line_free(&l);
	free(line);
	return yes;
}

/*
 * value in TOML, typed for a key of kind: a number of seconds as it is
 * (a duration becomes seconds), a boolean bare, anything else quoted;
 * what does not fit its kind is quoted too, for the check to refuse by
 * the key's name. Returns malloc'd text, NULL when out of memory.
 */
static char *
typed_text(enum setting_kind kind, const char *value)
{
	char *text;
	long secs;

	if (kind == KIND_SECONDS && is_toml_number(value))
		return strdup(value);
	if (kind == KIND_SECONDS && parse_timeout(value, &secs) == 0)
		return asprintf(&text, "%ld", secs) == -1 ? NULL : text;
	if (kind == KIND_BOOL && (strcasecmp(value, "true") == 0 ||
	    strcasecmp(value, "false") == 0))
		return strdup(strcasecmp(value, "true") == 0 ? "true" : "false");
	return osb_toml_quote(value);
}

/*
 * Does the setting take the value written as text? Checked by the file
 * reader itself, so that what `osb config set` writes is always read
 * back. Returns 0, -1 with err set.
 */
static int
check_text(const struct setting *s, const char *text, struct osb_error *err)
{
	struct osb_toml_pos pos = { NULL, 0 };
	struct osb_config scratch = { 0 };
	struct osb_toml_line l;
	const char *dot = strchr(s->name, '.');
	char section[64], *line;
	int rc;

	snprintf(section, sizeof(section), "%.*s", (int)(dot - s->name),
	    s->name);
	if (asprintf(&line, "%s = %s", dot + 1, text) == -1) {
		osb_error_set(err, 0, "", "out of memory");
		return -1;
	}
	rc = osb_toml_read_line(line, &l, &pos, err);
	free(line);
	if (rc == -1)
		return -1;
	rc = apply(&scratch, section, l.name, &l.value, &pos, err);
	osb_toml_line_free(&l);
	osb_config_free(&scratch);
	return rc;
}

char *
osb_config_value_text(const char *key, const char *value,
    struct osb_error *err)
{
	const struct setting *s;
	char *text;

	if ((s = find_setting(key, err)) == NULL)
		return NULL;
	if (!osb_utf8_valid(value)) {
		osb_error_set(err, 0, "", "%s: the value is not valid UTF-8, "
		    "which a TOML file cannot hold", key);
		return NULL;
	}
	if ((text = typed_text(s->kind, value)) == NULL) {
		osb_error_set(err, 0, "", "out of memory");
		return NULL;
	}
	if (check_text(s, text, err) == -1) {
		free(text);
		return NULL;
	}
	return text;
}

char *
osb_config_mask(const char *secret)
{
	size_t i, n = strlen(secret);
	char *m = strdup(secret);

	/* Two characters at each end stay, when that leaves more hidden. */
	for (i = 0; m != NULL && i < n; i++)
		if (n <= 4 || (i >= 2 && i < n - 2) ||
		    (unsigned char)m[i] >= 0x80)
			m[i] = '*';
	return m;
}

/* s as a JSON string (null for NULL; bytes that are not UTF-8 as U+FFFD). */
static json_t *
text_or_null(const char *s)
{
	size_t len;
	char *utf8;
	json_t *j;

	if (s == NULL)
		return json_null();
	if ((utf8 = osb_utf8_repair(s, strlen(s), &len)) == NULL)
		return NULL;
	j = json_stringn(utf8, len);
	free(utf8);
	return j;
}

json_t *
osb_config_describe(const struct osb_config *cfg)
{
	static const char *const formats[] = { "table", "json", "yaml" };
	char *key = cfg->api_key ? osb_config_mask(cfg->api_key) : NULL;
	json_t *doc = json_object();
	struct stat st;
	int bad;

	if (doc == NULL || (cfg->api_key != NULL && key == NULL)) {
		free(key);
		json_decref(doc);
		return NULL;
	}
	bad = json_object_set_new(doc, "api_key", text_or_null(key)) |
	    json_object_set_new(doc, "domain", text_or_null(cfg->domain)) |
	    json_object_set_new(doc, "protocol", text_or_null(cfg->protocol)) |
	    json_object_set_new(doc, "request_timeout",
	    json_integer(cfg->request_timeout)) |
	    json_object_set_new(doc, "use_server_proxy",
	    json_boolean(cfg->use_server_proxy)) |
	    json_object_set_new(doc, "format",
	    json_string(formats[cfg->format])) |
	    json_object_set_new(doc, "color", json_boolean(cfg->color)) |
	    json_object_set_new(doc, "default_image",
	    text_or_null(cfg->default_image)) |
	    json_object_set_new(doc, "default_timeout",
	    text_or_null(cfg->default_timeout)) |
	    json_object_set_new(doc, "config_path",
	    text_or_null(cfg->config_path)) |
	    json_object_set_new(doc, "config_file_exists",
	    json_boolean(cfg->config_path != NULL &&
	    stat(cfg->config_path, &st) == 0));
	free(key);
	if (bad) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

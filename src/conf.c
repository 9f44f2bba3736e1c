/*
 * conf.c: the configuration model. Routes from the command line and from an
 * INI file are built from the same raw spec, checked key by key, and the
 * whole configuration is validated before anything live is made from it.
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"

static const char *conf_keys[KEY_COUNT] = {
	[KEY_MODE] = "mode",
	[KEY_IPC_SERVER] = "ipc-server",
	[KEY_IPC_CLIENT] = "ipc-client",
	[KEY_TCP_SERVER] = "tcp-server",
	[KEY_TCP_CLIENT] = "tcp-client",
	[KEY_RUNTIME_TIMEOUT] = "runtime-timeout",
	[KEY_PAIR_TIMEOUT] = "pair-timeout",
	[KEY_FRAME_TIMEOUT] = "frame-timeout",
};

/* Verbs and presets, and what each means. */
static const struct conf_mode {
	const char *name;
	enum route_mode mode;
	const char *default_runtime;  /* preset's runtime address */
	int unsupported;
} conf_modes[] = {
	{ "server-server", MODE_SERVER_SERVER, NULL, 0 },
	{ "server-client", MODE_SERVER_CLIENT, NULL, 0 },
	{ "client-server", MODE_CLIENT_SERVER, NULL, 0 },
	{ "client-client", MODE_CLIENT_CLIENT, NULL, 0 },
	{ "android-emu", MODE_SERVER_SERVER, DSR_DEFAULT_TCP, 0 },
	{ "ios-sim", MODE_SERVER_CLIENT, DSR_DEFAULT_TCP, 0 },
	{ "android", MODE_SERVER_SERVER, NULL, 1 },
	{ "ios", MODE_SERVER_CLIENT, NULL, 1 },
};

/* Loading state for the INI parser. */
struct conf_load {
	struct conf *conf;
	FILE *f;
	unsigned line;            /* line being parsed */
	int line_done;            /* last read ended a line */
	char *cause;
	char *section;
	struct route_spec spec;
	char *vals[KEY_COUNT];
	int in_route;
	int in_global;
	char **names;             /* route names seen, to refuse duplicates */
	unsigned nnames;
	unsigned *name_lines;
};

/* A new empty configuration. */
struct conf *
conf_new(const char *file)
{
	struct conf *conf;

	conf = xcalloc(1, sizeof *conf);
	conf->file = file != NULL ? xstrdup(file) : NULL;
	conf->log_level = LOG_LEVEL_INFO;
	TAILQ_INIT(&conf->routes);
	return conf;
}

/* Free a configuration and its routes. */
void
conf_free(struct conf *conf)
{
	struct route_conf *rc;

	if (conf == NULL)
		return;
	while ((rc = TAILQ_FIRST(&conf->routes)) != NULL) {
		TAILQ_REMOVE(&conf->routes, rc, entry);
		free(rc->name);
		addr_free(&rc->tool);
		addr_free(&rc->runtime);
		free(rc);
	}
	free(conf->file);
	free(conf);
}

/* Key index by name, or -1. */
int
conf_key_lookup(const char *name)
{
	int i;

	for (i = 0; i < KEY_COUNT; i++) {
		if (strcmp(conf_keys[i], name) == 0)
			return i;
	}
	return -1;
}

/* Name of a key. */
const char *
conf_key_name(enum conf_key key)
{
	return conf_keys[key];
}

/* Find a verb or preset; returns NULL when unknown. */
static const struct conf_mode *
conf_mode_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof conf_modes / sizeof conf_modes[0]; i++) {
		if (strcmp(conf_modes[i].name, name) == 0)
			return &conf_modes[i];
	}
	return NULL;
}

/* Whether a word is a verb or preset; *unsupported when it needs adb/usbmux. */
int
conf_mode_known(const char *name, int *unsupported)
{
	const struct conf_mode *m;

	if ((m = conf_mode_find(name)) == NULL)
		return 0;
	if (unsupported != NULL)
		*unsupported = m->unsupported;
	return 1;
}

/* Name of a mode. */
const char *
conf_mode_name(enum route_mode mode)
{
	return conf_modes[mode].name;
}

/* Format an error at a line: "file:line: message" or just the message. */
static void DSR_PRINTFLIKE(4, 5)
conf_error(char **cause, const struct conf *conf, unsigned line,
    const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (conf->file != NULL)
		xasprintf(cause, "%s:%u: %s", conf->file, line, msg);
	else
		xasprintf(cause, "%s", msg);
	free(msg);
}

/* How a key is named in messages: a config key or a command-line option. */
static const char *
conf_key_label(const struct conf *conf, enum conf_key key, char *buf, size_t len)
{
	if (conf->file != NULL)
		snprintf(buf, len, "%s", conf_keys[key]);
	else
		snprintf(buf, len, "--%s", conf_keys[key]);
	return buf;
}

/* Parse a time-out in seconds ("5", "0.25"; "-1" and "0" mean none) to ms. */
int
conf_parse_seconds(const char *s, unsigned *ms, int allow_none)
{
	unsigned long whole = 0, frac = 0, scale = 1000;
	unsigned long long total;
	const char *p = s;

	if (allow_none && (strcmp(s, "-1") == 0 || strcmp(s, "0") == 0 ||
	    strcmp(s, "none") == 0)) {
		*ms = 0;
		return 0;
	}
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		whole = whole * 10 + (unsigned long)(*p++ - '0');
		if (whole > 31536000)   /* a year */
			return -1;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9') {
			scale /= 10;
			frac += (unsigned long)(*p++ - '0') * scale;
			if (scale == 0)
				return -1;
		}
	}
	if (*p == 's')
		p++;
	if (*p != '\0')
		return -1;
	total = (unsigned long long)whole * 1000 + frac;
	if (total == 0 || total > UINT_MAX)
		return -1;
	*ms = (unsigned)total;
	return 0;
}

/* Parse one address key of a spec into *a. */
static int
conf_route_addr(struct conf *conf, const struct route_spec *spec,
    enum conf_key key, struct addr *a, char **cause)
{
	char label[32], *why = NULL;
	int tool = key == KEY_IPC_SERVER || key == KEY_IPC_CLIENT;
	int passive = key == KEY_IPC_SERVER || key == KEY_TCP_SERVER;
	int rc;

	if (tool)
		rc = addr_parse_tool(a, spec->val[key], &why);
	else
		rc = addr_parse_runtime(a, spec->val[key], &why);
	if (rc == 0 && (rc = addr_resolve(a, passive, &why)) != 0)
		addr_free(a);
	if (rc != 0) {
		conf_error(cause, conf, spec->vline[key], "%s: %s",
		    conf_key_label(conf, key, label, sizeof label), why);
		free(why);
		return -1;
	}
	return 0;
}

/* Parse one time-out key of a spec. */
static int
conf_route_timeout(struct conf *conf, const struct route_spec *spec,
    enum conf_key key, unsigned *ms, char **cause)
{
	char label[32];

	if (spec->val[key] == NULL)
		return 0;
	if (conf_parse_seconds(spec->val[key], ms,
	    key == KEY_RUNTIME_TIMEOUT) != 0) {
		conf_error(cause, conf, spec->vline[key],
		    "%s: '%s' is not a time-out in seconds (e.g. 5 or 0.5)",
		    conf_key_label(conf, key, label, sizeof label),
		    spec->val[key]);
		return -1;
	}
	return 0;
}

/* Check that a mode's endpoints are present and no foreign one is. */
static int
conf_route_keys(struct conf *conf, const struct route_spec *spec,
    enum route_mode mode, const char *runtime_default, char **cause)
{
	enum conf_key want_tool, want_rt, other_tool, other_rt;
	char label[32], label2[32];
	const char *what;

	want_tool = MODE_TOOL_SERVER(mode) ? KEY_IPC_SERVER : KEY_IPC_CLIENT;
	other_tool = MODE_TOOL_SERVER(mode) ? KEY_IPC_CLIENT : KEY_IPC_SERVER;
	want_rt = MODE_RUNTIME_SERVER(mode) ? KEY_TCP_SERVER : KEY_TCP_CLIENT;
	other_rt = MODE_RUNTIME_SERVER(mode) ? KEY_TCP_CLIENT : KEY_TCP_SERVER;
	what = conf_mode_name(mode);
	if (spec->val[other_tool] != NULL || spec->val[other_rt] != NULL) {
		enum conf_key k = spec->val[other_tool] != NULL ?
		    other_tool : other_rt;
		conf_error(cause, conf, spec->vline[k],
		    "%s does not go with mode %s (it takes %s and %s)",
		    conf_key_label(conf, k, label, sizeof label), what,
		    conf_key_label(conf, want_tool, label2, sizeof label2),
		    conf_keys[want_rt]);
		return -1;
	}
	if (spec->val[want_tool] == NULL && want_tool == KEY_IPC_CLIENT) {
		conf_error(cause, conf, spec->line,
		    "route '%s': mode %s needs %s, the socket of a tool "
		    "started with --diagnostic-port", spec->name, what,
		    conf_key_label(conf, want_tool, label, sizeof label));
		return -1;
	}
	if (spec->val[want_rt] == NULL && runtime_default == NULL) {
		conf_error(cause, conf, spec->line,
		    "route '%s': mode %s needs %s, the runtime side",
		    spec->name, what,
		    conf_key_label(conf, want_rt, label, sizeof label));
		return -1;
	}
	return 0;
}

/* Work out a spec's mode: given, or implied by its endpoint keys. */
static int
conf_route_mode(struct conf *conf, const struct route_spec *spec,
    enum route_mode *mode, const struct conf_mode **preset, char **cause)
{
	const struct conf_mode *m;
	int client_tool, client_rt;

	*preset = NULL;
	if (spec->val[KEY_MODE] != NULL) {
		if ((m = conf_mode_find(spec->val[KEY_MODE])) == NULL) {
			conf_error(cause, conf, spec->vline[KEY_MODE],
			    "unknown mode '%s' (server-server, server-client, "
			    "client-server, client-client, android-emu, ios-sim)",
			    spec->val[KEY_MODE]);
			return -1;
		}
		if (m->unsupported) {
			conf_error(cause, conf, spec->vline[KEY_MODE],
			    "mode '%s' is not yet supported (it needs %s); use "
			    "%s with a forwarded port instead", m->name,
			    m->mode == MODE_SERVER_SERVER ? "adb" : "usbmux",
			    m->mode == MODE_SERVER_SERVER ? "android-emu" : "ios-sim");
			return -1;
		}
		*mode = m->mode;
		if (m->default_runtime != NULL)
			*preset = m;
		return 0;
	}
	if (spec->val[KEY_IPC_SERVER] != NULL && spec->val[KEY_IPC_CLIENT] != NULL) {
		conf_error(cause, conf, spec->vline[KEY_IPC_CLIENT],
		    "route '%s' has both ipc-server and ipc-client; keep one",
		    spec->name);
		return -1;
	}
	if (spec->val[KEY_TCP_SERVER] != NULL && spec->val[KEY_TCP_CLIENT] != NULL) {
		conf_error(cause, conf, spec->vline[KEY_TCP_CLIENT],
		    "route '%s' has both tcp-server and tcp-client; keep one",
		    spec->name);
		return -1;
	}
	if (spec->val[KEY_TCP_SERVER] == NULL && spec->val[KEY_TCP_CLIENT] == NULL) {
		conf_error(cause, conf, spec->line,
		    "route '%s' has no runtime side: set tcp-server (the runtime "
		    "connects) or tcp-client (the runtime listens)", spec->name);
		return -1;
	}
	client_tool = spec->val[KEY_IPC_CLIENT] != NULL;
	client_rt = spec->val[KEY_TCP_CLIENT] != NULL;
	if (client_tool)
		*mode = client_rt ? MODE_CLIENT_CLIENT : MODE_CLIENT_SERVER;
	else
		*mode = client_rt ? MODE_SERVER_CLIENT : MODE_SERVER_SERVER;
	return 0;
}

/* Build a validated route from a spec and add it to the configuration. */
int
conf_add_route(struct conf *conf, const struct route_spec *spec, char **cause)
{
	const struct conf_mode *preset;
	struct route_conf *rc;
	enum route_mode mode;
	enum conf_key tk, rk;
	char *path, *why;

	if (conf_route_mode(conf, spec, &mode, &preset, cause) != 0)
		return -1;
	if (conf_route_keys(conf, spec, mode,
	    preset != NULL ? preset->default_runtime : NULL, cause) != 0)
		return -1;

	tk = MODE_TOOL_SERVER(mode) ? KEY_IPC_SERVER : KEY_IPC_CLIENT;
	rk = MODE_RUNTIME_SERVER(mode) ? KEY_TCP_SERVER : KEY_TCP_CLIENT;
	rc = xcalloc(1, sizeof *rc);
	rc->name = xstrdup(spec->name);
	rc->mode = mode;
	rc->preset = preset != NULL ? preset->name : NULL;
	rc->line = spec->line;
	rc->tool_line = spec->val[tk] != NULL ? spec->vline[tk] : spec->line;
	rc->runtime_line = spec->val[rk] != NULL ? spec->vline[rk] : spec->line;
	rc->pair_timeout_ms = DSR_DEFAULT_PAIR_TIMEOUT_MS;
	rc->frame_timeout_ms = DSR_DEFAULT_FRAME_TIMEOUT_MS;

	if (spec->val[tk] != NULL) {
		if (conf_route_addr(conf, spec, tk, &rc->tool, cause) != 0)
			goto fail;
	} else {
		why = NULL;
		if ((path = addr_default_tool_path(getpid(), &why)) == NULL) {
			conf_error(cause, conf, spec->line, "%s", why);
			free(why);
			goto fail;
		}
		addr_parse_tool(&rc->tool, path, &why);
		free(path);
		if (addr_resolve(&rc->tool, 1, &why) != 0) {
			conf_error(cause, conf, spec->line, "%s", why);
			free(why);
			goto fail;
		}
		rc->tool_default = 1;
	}
	if (spec->val[rk] != NULL) {
		if (conf_route_addr(conf, spec, rk, &rc->runtime, cause) != 0)
			goto fail;
	} else {
		struct route_spec tmp = *spec;
		tmp.val[rk] = preset->default_runtime;
		tmp.vline[rk] = spec->line;
		if (conf_route_addr(conf, &tmp, rk, &rc->runtime, cause) != 0)
			goto fail;
	}
	if (conf_route_timeout(conf, spec, KEY_RUNTIME_TIMEOUT,
	    &rc->runtime_timeout_ms, cause) != 0 ||
	    conf_route_timeout(conf, spec, KEY_PAIR_TIMEOUT,
	    &rc->pair_timeout_ms, cause) != 0 ||
	    conf_route_timeout(conf, spec, KEY_FRAME_TIMEOUT,
	    &rc->frame_timeout_ms, cause) != 0)
		goto fail;

	TAILQ_INSERT_TAIL(&conf->routes, rc, entry);
	conf->nroutes++;
	return 0;

fail:
	free(rc->name);
	addr_free(&rc->tool);
	addr_free(&rc->runtime);
	free(rc);
	return -1;
}

/* The line where one of a route's addresses was set. */
static unsigned
conf_addr_line(const struct route_conf *rc, const struct addr *a)
{
	return a == &rc->tool ? rc->tool_line : rc->runtime_line;
}

/* Whether a route listens on an address (not connects to it). */
static int
conf_listens(const struct route_conf *rc, const struct addr *a)
{
	if (a == &rc->tool)
		return MODE_TOOL_SERVER(rc->mode);
	return MODE_RUNTIME_SERVER(rc->mode);
}

/* Check the routes against each other: no two listen on one address. */
int
conf_validate(struct conf *conf, char **cause)
{
	struct route_conf *a, *b;
	const struct addr *as[2], *bs[2];
	int i, j;

	if (conf->nroutes == 0) {
		conf_error(cause, conf, 1, "no [route NAME] section: nothing to do");
		return -1;
	}
	TAILQ_FOREACH(b, &conf->routes, entry) {
		bs[0] = &b->tool;
		bs[1] = &b->runtime;
		if (addr_same(&b->tool, &b->runtime) &&
		    conf_listens(b, &b->tool) && conf_listens(b, &b->runtime)) {
			conf_error(cause, conf, conf_addr_line(b, &b->runtime),
			    "route '%s' listens for tools and runtimes on the "
			    "same address %s", b->name, addr_describe(&b->tool));
			return -1;
		}
		TAILQ_FOREACH(a, &conf->routes, entry) {
			if (a == b)
				break;
			as[0] = &a->tool;
			as[1] = &a->runtime;
			for (i = 0; i < 2; i++) {
				for (j = 0; j < 2; j++) {
					if (!conf_listens(a, as[i]) ||
					    !conf_listens(b, bs[j]) ||
					    !addr_same(as[i], bs[j]))
						continue;
					conf_error(cause, conf, conf_addr_line(b, bs[j]),
					    "routes '%s' and '%s' both listen on "
					    "%s%s", a->name, b->name,
					    addr_describe(bs[j]),
					    b->tool_default && j == 0 ?
					    " (the default tool socket: set "
					    "ipc-server on all but one)" : "");
					return -1;
				}
			}
		}
	}
	return 0;
}

/* Whether two routes are configured identically (for reload). */
int
conf_route_equal(const struct route_conf *a, const struct route_conf *b)
{
	return strcmp(a->name, b->name) == 0 && a->mode == b->mode &&
	    strcmp(addr_describe(&a->tool), addr_describe(&b->tool)) == 0 &&
	    strcmp(addr_describe(&a->runtime), addr_describe(&b->runtime)) == 0 &&
	    a->runtime_timeout_ms == b->runtime_timeout_ms &&
	    a->pair_timeout_ms == b->pair_timeout_ms &&
	    a->frame_timeout_ms == b->frame_timeout_ms;
}

/* Finish the [route] section being read, if any. */
static int
conf_load_flush(struct conf_load *cl)
{
	int i, rc = 0;

	if (cl->in_route)
		rc = conf_add_route(cl->conf, &cl->spec, &cl->cause);
	for (i = 0; i < KEY_COUNT; i++) {
		free(cl->vals[i]);
		cl->vals[i] = NULL;
	}
	memset(&cl->spec, 0, sizeof cl->spec);
	cl->in_route = cl->in_global = 0;
	return rc;
}

/* Start a new section. */
static int
conf_load_section(struct conf_load *cl, const char *section)
{
	const char *name;
	unsigned i;

	if (conf_load_flush(cl) != 0)
		return -1;
	free(cl->section);
	cl->section = xstrdup(section);
	if (strcmp(section, "dsrouterd") == 0) {
		cl->in_global = 1;
		return 0;
	}
	if (strncmp(section, "route", 5) != 0 ||
	    (section[5] != ' ' && section[5] != '\t')) {
		conf_error(&cl->cause, cl->conf, cl->line, "unknown section "
		    "[%s]; use [dsrouterd] or [route NAME]", section);
		return -1;
	}
	name = section + 5;
	while (*name == ' ' || *name == '\t')
		name++;
	if (*name == '\0' || strpbrk(name, " \t\"'") != NULL) {
		conf_error(&cl->cause, cl->conf, cl->line, "route name '%s' "
		    "must be one word", name);
		return -1;
	}
	for (i = 0; i < cl->nnames; i++) {
		if (strcmp(cl->names[i], name) == 0) {
			conf_error(&cl->cause, cl->conf, cl->line,
			    "duplicate route name '%s' (first at line %u)",
			    name, cl->name_lines[i]);
			return -1;
		}
	}
	cl->names = xreallocarray(cl->names, cl->nnames + 1, sizeof *cl->names);
	cl->name_lines = xreallocarray(cl->name_lines, cl->nnames + 1,
	    sizeof *cl->name_lines);
	cl->names[cl->nnames] = xstrdup(name);
	cl->name_lines[cl->nnames++] = cl->line;
	cl->in_route = 1;
	cl->spec.name = cl->names[cl->nnames - 1];
	cl->spec.line = cl->line;
	return 0;
}

/* inih callback: one key of the section the reader has opened. */
static int
conf_load_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct conf_load *cl = arg;
	enum log_level level;
	int key;

	if (cl->cause != NULL)
		return 0;
	if (name == NULL)
		return 1;
	if (!cl->in_global && !cl->in_route) {
		conf_error(&cl->cause, cl->conf, cl->line, "key '%s' outside any "
		    "section; put it under [dsrouterd] or [route NAME]", name);
		return 0;
	}
	if (cl->in_global) {
		if (strcmp(name, "log-level") != 0) {
			conf_error(&cl->cause, cl->conf, cl->line, "unknown key "
			    "'%s' in [dsrouterd] (known: log-level)", name);
			return 0;
		}
		if (log_level_parse(value, &level) != 0) {
			conf_error(&cl->cause, cl->conf, cl->line, "log-level: "
			    "'%s' is not one of none, critical, error, warning, "
			    "info, debug, trace", value);
			return 0;
		}
		cl->conf->log_level = level;
		return 1;
	}
	if ((key = conf_key_lookup(name)) < 0) {
		conf_error(&cl->cause, cl->conf, cl->line, "unknown key '%s' in "
		    "[%s] (known: mode, ipc-server, ipc-client, tcp-server, "
		    "tcp-client, runtime-timeout, pair-timeout, frame-timeout)",
		    name, section);
		return 0;
	}
	if (cl->vals[key] != NULL) {
		conf_error(&cl->cause, cl->conf, cl->line, "key '%s' set twice "
		    "in [%s] (first at line %u)", name, section,
		    cl->spec.vline[key]);
		return 0;
	}
	if (*value == '\0') {
		conf_error(&cl->cause, cl->conf, cl->line, "key '%s' has no value",
		    name);
		return 0;
	}
	cl->vals[key] = xstrdup(value);
	cl->spec.val[key] = cl->vals[key];
	cl->spec.vline[key] = cl->line;
	return 1;
}

/*
 * inih reader: fgets that counts lines, so errors can name them, and opens
 * sections itself, so a section's line is known even when it has no keys.
 * It also drops indentation: inih would take an indented key for the
 * continuation of the previous key's value.
 */
static char *
conf_load_reader(char *str, int num, void *arg)
{
	struct conf_load *cl = arg;
	char *start, *end, *name;
	size_t len, bom;
	int first;

	if (fgets(str, num, cl->f) == NULL)
		return NULL;
	first = cl->line_done;
	if (first)
		cl->line++;
	len = strlen(str);
	cl->line_done = len > 0 && str[len - 1] == '\n';
	if (!cl->line_done && !feof(cl->f) && cl->cause == NULL)
		conf_error(&cl->cause, cl->conf, cl->line, "line too long (at "
		    "most %d characters)", num - 2);
	if (!first || cl->cause != NULL)
		return str;
	bom = cl->line == 1 && strncmp(str, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	start = str + bom + strspn(str + bom, " \t");
	if (start != str + bom)
		memmove(str + bom, start, strlen(start) + 1);
	start = str + bom;
	if (*start != '[' || (end = strchr(start, ']')) == NULL)
		return str;
	start++;
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	name = xstrndup(start, (size_t)(end - start));
	conf_load_section(cl, name);
	free(name);
	return str;
}

/* Free loading state. */
static void
conf_load_done(struct conf_load *cl)
{
	unsigned i;

	for (i = 0; i < KEY_COUNT; i++)
		free(cl->vals[i]);
	for (i = 0; i < cl->nnames; i++)
		free(cl->names[i]);
	free(cl->names);
	free(cl->name_lines);
	free(cl->section);
}

/* Parse an open stream as configuration named file. */
static int
conf_load_stream(struct conf **confp, FILE *f, const char *file, char **cause)
{
	struct conf_load cl;
	int rc;

	memset(&cl, 0, sizeof cl);
	cl.conf = conf_new(file);
	cl.f = f;
	cl.line_done = 1;
	rc = ini_parse_stream(conf_load_reader, &cl, conf_load_handler, &cl);
	if (cl.cause == NULL && rc > 0)
		conf_error(&cl.cause, cl.conf, (unsigned)rc, "syntax error "
		    "(expected [section], key = value, or a ; comment)");
	if (cl.cause == NULL && rc < 0)
		conf_error(&cl.cause, cl.conf, cl.line, "cannot parse");
	if (cl.cause == NULL)
		conf_load_flush(&cl);
	if (cl.cause == NULL)
		conf_validate(cl.conf, &cl.cause);
	conf_load_done(&cl);
	if (cl.cause != NULL) {
		*cause = cl.cause;
		conf_free(cl.conf);
		return -1;
	}
	*confp = cl.conf;
	return 0;
}

/* Load and validate a configuration file. */
int
conf_load(struct conf **confp, const char *file, char **cause)
{
	FILE *f;
	int rc;

	if ((f = fopen(file, "r")) == NULL) {
		xasprintf(cause, "%s: %s", file, strerror(errno));
		return -1;
	}
	rc = conf_load_stream(confp, f, file, cause);
	fclose(f);
	return rc;
}

/* Load and validate configuration text (tests), named file in messages. */
int
conf_load_string(struct conf **confp, const char *text, const char *file,
    char **cause)
{
	FILE *f;
	int rc;

	if (*text == '\0')
		text = "\n";
	if ((f = fmemopen((void *)(uintptr_t)text, strlen(text), "r")) == NULL)
		fatal("fmemopen");
	rc = conf_load_stream(confp, f, file, cause);
	fclose(f);
	return rc;
}

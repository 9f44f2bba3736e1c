/* SPDX-License-Identifier: MIT */
/*
 * conf.c: the configuration model. Routes from the command line and from an
 * INI file (conffile.c) are built from the same raw spec, checked key by
 * key, and the whole configuration is validated before anything live is
 * made from it.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"
#include "ws.h"

static const char *conf_keys[KEY_COUNT] = {
	[KEY_MODE] = "mode",
	[KEY_IPC_SERVER] = "ipc-server",
	[KEY_IPC_CLIENT] = "ipc-client",
	[KEY_TCP_SERVER] = "tcp-server",
	[KEY_TCP_CLIENT] = "tcp-client",
	[KEY_RUNTIME_TIMEOUT] = "runtime-timeout",
	[KEY_PAIR_TIMEOUT] = "pair-timeout",
	[KEY_FRAME_TIMEOUT] = "frame-timeout",
	[KEY_ALLOW_REMOTE_TOOLS] = "allow-remote-tools",
	[KEY_SOCKET_MODE] = "socket-mode",
	[KEY_SOCKET_GROUP] = "socket-group",
	[KEY_ALLOW_USERS] = "allow-users",
	[KEY_ALLOW_GROUPS] = "allow-groups",
	[KEY_RUNTIMES] = "runtimes",
	[KEY_IPC_SERVER_DIR] = "ipc-server-dir",
	[KEY_RUNTIME_GRACE] = "runtime-grace",
	[KEY_FORWARD_PORT] = "forward-port",
	[KEY_DEVICE] = "device",
	[KEY_ADB] = "adb",
	[KEY_WEB_SOCKET] = "web-socket",
	[KEY_ALLOW_ORIGINS] = "allow-origins",
};

/* Verbs and presets, and what each means. */
static const struct conf_mode conf_modes[] = {
	{ "server-server", MODE_SERVER_SERVER, NULL, FORWARD_NONE, 0 },
	{ "server-client", MODE_SERVER_CLIENT, NULL, FORWARD_NONE, 0 },
	{ "client-server", MODE_CLIENT_SERVER, NULL, FORWARD_NONE, 0 },
	{ "client-client", MODE_CLIENT_CLIENT, NULL, FORWARD_NONE, 0 },
	{ "android-emu", MODE_SERVER_SERVER, DSR_DEFAULT_TCP, FORWARD_NONE, 0 },
	{ "ios-sim", MODE_SERVER_CLIENT, DSR_DEFAULT_TCP, FORWARD_NONE, 0 },
	/* adb reverse tcp:9000 tcp:9001: the app connects to 127.0.0.1:9000. */
	{ "android", MODE_SERVER_SERVER, "127.0.0.1:9001", FORWARD_ANDROID, 0 },
	/* usbmux to the device's port 9000, where the app listens. */
	{ "ios", MODE_SERVER_CLIENT, DSR_DEFAULT_TCP, FORWARD_IOS, 0 },
	/* Browser apps: their diagnostic server connects over a WebSocket. */
	{ "server-websocket", MODE_SERVER_SERVER, WS_DEFAULT_URL, FORWARD_NONE, 1 },
	{ "client-websocket", MODE_CLIENT_SERVER, WS_DEFAULT_URL, FORWARD_NONE, 1 },
};

/* A new empty configuration. */
struct conf *
conf_new(const char *file)
{
	struct conf *conf;

	conf = xcalloc(1, sizeof *conf);
	conf->file = file != NULL ? xstrdup(file) : NULL;
	conf->log_level = LOG_LEVEL_INFO;
	conf->access.mode = DSR_DEFAULT_SOCKET_MODE;
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
		access_free(&rc->access);
		free(rc->tool_dir);
		free(rc->device);
		free(rc->adb);
		conf_route_free_ws(rc);
		free(rc->name);
		addr_free(&rc->tool);
		addr_free(&rc->runtime);
		free(rc);
	}
	free(conf->control_socket);
	access_free(&conf->access);
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

/* Whether a key names an endpoint (and so makes a route by itself). */
int
conf_key_is_endpoint(enum conf_key key)
{
	return key == KEY_IPC_SERVER || key == KEY_IPC_CLIENT ||
	    key == KEY_TCP_SERVER || key == KEY_TCP_CLIENT ||
	    key == KEY_WEB_SOCKET;
}

/* Whether [dsrouterd] may set a key as a default for every route. */
int
conf_key_is_default(enum conf_key key)
{
	return key != KEY_MODE && !conf_key_is_endpoint(key) &&
	    key != KEY_RUNTIMES && key != KEY_IPC_SERVER_DIR &&
	    key != KEY_FORWARD_PORT && key != KEY_DEVICE && key != KEY_ADB;
}

/* Join key names, comma-separated, in buf: all, or those [dsrouterd] may set. */
static const char *
conf_key_join(char *buf, size_t size, int defaults)
{
	size_t len = 0;
	int i;

	if (buf[0] != '\0')
		return buf;
	for (i = 0; i < KEY_COUNT && len < size; i++) {
		if (defaults && !conf_key_is_default((enum conf_key)i))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    len > 0 ? ", " : "", conf_keys[i]);
	}
	return buf;
}

/* The route keys, comma-separated, for messages. */
const char *
conf_key_list(void)
{
	static char list[512];

	return conf_key_join(list, sizeof list, 0);
}

/* The keys [dsrouterd] may set as defaults for every route, for messages. */
const char *
conf_key_list_defaults(void)
{
	static char list[512];

	return conf_key_join(list, sizeof list, 1);
}

/* Parse a yes/no value. */
int
conf_parse_bool(const char *s, int *v)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 ||
	    strcmp(s, "1") == 0) {
		*v = 1;
		return 0;
	}
	if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 ||
	    strcmp(s, "0") == 0) {
		*v = 0;
		return 0;
	}
	return -1;
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

/* Whether a word is a verb or preset. */
int
conf_mode_known(const char *name)
{
	return conf_mode_find(name) != NULL;
}

/* Name of a mode. */
const char *
conf_mode_name(enum route_mode mode)
{
	return conf_modes[mode].name;
}

/* A route's verb as the user knows it: a WebSocket route by its own. */
const char *
conf_route_mode_name(const struct route_conf *rc)
{
	if (rc->ws_url != NULL && rc->mode == MODE_SERVER_SERVER)
		return "server-websocket";
	if (rc->ws_url != NULL && rc->mode == MODE_CLIENT_SERVER)
		return "client-websocket";
	return conf_mode_name(rc->mode);
}

/* Free a route's WebSocket settings. */
void
conf_route_free_ws(struct route_conf *rc)
{
	size_t i;

	free(rc->ws_url);
	free(rc->ws_path);
	if (rc->ws_origins != NULL) {
		for (i = 0; rc->ws_origins[i] != NULL; i++)
			free(rc->ws_origins[i]);
		free(rc->ws_origins);
	}
	rc->ws_url = rc->ws_path = NULL;
	rc->ws_origins = NULL;
}

/* Copy a route's WebSocket settings into dst (whose own are not freed). */
void
conf_route_copy_ws(struct route_conf *dst, const struct route_conf *src)
{
	size_t i, n = 0;

	dst->ws_url = src->ws_url != NULL ? xstrdup(src->ws_url) : NULL;
	dst->ws_path = src->ws_path != NULL ? xstrdup(src->ws_path) : NULL;
	dst->ws_origins = NULL;
	if (src->ws_origins == NULL)
		return;
	while (src->ws_origins[n] != NULL)
		n++;
	dst->ws_origins = xcalloc(n + 1, sizeof *dst->ws_origins);
	for (i = 0; i < n; i++)
		dst->ws_origins[i] = xstrdup(src->ws_origins[i]);
}

/* Whether two allow-origins lists are the same (NULL: the default). */
int
conf_origins_equal(char *const *a, char *const *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	for (; *a != NULL && *b != NULL; a++, b++) {
		if (strcmp(*a, *b) != 0)
			return 0;
	}
	return *a == NULL && *b == NULL;
}

/* Whether two optional strings are the same. */
static int
conf_str_equal(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Format an error at a line: "file:line: message" or just the message. */
void
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
const char *
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

/* Work out a spec's mode: given, or implied by its endpoint keys. */
int
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
			    "client-server, client-client, android-emu, ios-sim, "
			    "android, ios, server-websocket, client-websocket)",
			    spec->val[KEY_MODE]);
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
	if (spec->val[KEY_WEB_SOCKET] != NULL && (spec->val[KEY_TCP_SERVER] !=
	    NULL || spec->val[KEY_TCP_CLIENT] != NULL)) {
		enum conf_key k = spec->val[KEY_TCP_SERVER] != NULL ?
		    KEY_TCP_SERVER : KEY_TCP_CLIENT;
		conf_error(cause, conf, spec->vline[k] > spec->vline[KEY_WEB_SOCKET] ?
		    spec->vline[k] : spec->vline[KEY_WEB_SOCKET],
		    "route '%s' has both %s and web-socket; keep one (web-socket: "
		    "a browser app connects)", spec->name, conf_keys[k]);
		return -1;
	}
	if (spec->val[KEY_TCP_SERVER] == NULL && spec->val[KEY_TCP_CLIENT] ==
	    NULL && spec->val[KEY_WEB_SOCKET] == NULL) {
		conf_error(cause, conf, spec->line,
		    "route '%s' has no runtime side: set tcp-server (the runtime "
		    "connects), tcp-client (the runtime listens) or web-socket "
		    "(a browser app connects)", spec->name);
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

/*
 * Whether two routes differ at most in what a running route can change in
 * place: same name, mode and ends.
 */
int
conf_route_same_ends(const struct route_conf *a, const struct route_conf *b)
{
	return strcmp(a->name, b->name) == 0 && a->mode == b->mode &&
	    a->tool_default == b->tool_default && a->many == b->many &&
	    a->forward == b->forward &&
	    (a->device == NULL ? b->device == NULL : b->device != NULL &&
	    strcmp(a->device, b->device) == 0) &&
	    (a->adb == NULL ? b->adb == NULL : b->adb != NULL &&
	    strcmp(a->adb, b->adb) == 0) &&
	    conf_str_equal(a->ws_path, b->ws_path) &&
	    (a->tool_dir == NULL ? b->tool_dir == NULL : b->tool_dir != NULL &&
	    strcmp(a->tool_dir, b->tool_dir) == 0) &&
	    a->access.mode == b->access.mode &&
	    a->access.group_set == b->access.group_set &&
	    a->access.group == b->access.group &&
	    strcmp(addr_describe(&a->tool), addr_describe(&b->tool)) == 0 &&
	    strcmp(addr_describe(&a->runtime), addr_describe(&b->runtime)) == 0;
}

/* The route of a configuration with this name, or NULL. */
const struct route_conf *
conf_find_route(const struct conf *conf, const char *name)
{
	const struct route_conf *rc;

	TAILQ_FOREACH(rc, &conf->routes, entry) {
		if (strcmp(rc->name, name) == 0)
			return rc;
	}
	return NULL;
}

/* Whether two routes are configured identically (for reload). */
int
conf_route_equal(const struct route_conf *a, const struct route_conf *b)
{
	return conf_route_same_ends(a, b) &&
	    a->runtime_timeout_ms == b->runtime_timeout_ms &&
	    a->pair_timeout_ms == b->pair_timeout_ms &&
	    a->frame_timeout_ms == b->frame_timeout_ms &&
	    a->allow_remote_tools == b->allow_remote_tools &&
	    a->grace_ms == b->grace_ms &&
	    conf_origins_equal(a->ws_origins, b->ws_origins) &&
	    access_equal(&a->access, &b->access);
}

/* SPDX-License-Identifier: MIT */
/*
 * confroute.c: one route built from its raw spec (conf.h's model): each key
 * checked and turned into the route's settings, with a message naming the
 * file and line (or the option) of what is wrong.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dsrouterd.h"
#include "device.h"
#include "ws.h"

/* Parse one address key of a spec into *a. */
static int
confroute_addr(struct conf *conf, const struct route_spec *spec,
    enum conf_key key, struct addr *a, char **cause)
{
	char label[32], *why = NULL;
	int tool = key == KEY_IPC_SERVER || key == KEY_IPC_CLIENT;
	int passive = key == KEY_IPC_SERVER || key == KEY_TCP_SERVER ||
	    key == KEY_WEB_SOCKET;
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
confroute_timeout(struct conf *conf, const struct route_spec *spec,
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
confroute_keys(struct conf *conf, const struct route_spec *spec,
    enum route_mode mode, const struct conf_mode *preset, char **cause)
{
	enum conf_key want_tool, want_rt, other_tool, other_rt;
	char label[32], label2[32];
	const char *what;
	int ws;

	ws = spec->val[KEY_WEB_SOCKET] != NULL ||
	    (preset != NULL && preset->websocket);
	want_tool = MODE_TOOL_SERVER(mode) ? KEY_IPC_SERVER : KEY_IPC_CLIENT;
	other_tool = MODE_TOOL_SERVER(mode) ? KEY_IPC_CLIENT : KEY_IPC_SERVER;
	want_rt = MODE_RUNTIME_SERVER(mode) ? ws ? KEY_WEB_SOCKET :
	    KEY_TCP_SERVER : KEY_TCP_CLIENT;
	other_rt = MODE_RUNTIME_SERVER(mode) ? KEY_TCP_CLIENT : KEY_TCP_SERVER;
	what = preset != NULL && preset->websocket ? preset->name :
	    conf_mode_name(mode);
	/* A browser app connects out: only where runtimes connect. */
	if (spec->val[KEY_WEB_SOCKET] != NULL && (!MODE_RUNTIME_SERVER(mode) ||
	    (preset != NULL && !preset->websocket))) {
		conf_error(cause, conf, spec->vline[KEY_WEB_SOCKET],
		    "%s does not go with mode %s: a browser app connects to the "
		    "router (use server-websocket or client-websocket, or "
		    "web-socket in place of tcp-server)", conf_key_label(conf,
		    KEY_WEB_SOCKET, label, sizeof label), what);
		return -1;
	}
	if (spec->val[KEY_WEB_SOCKET] != NULL &&
	    spec->val[KEY_TCP_SERVER] != NULL) {
		conf_error(cause, conf, spec->vline[KEY_TCP_SERVER], "%s does not "
		    "go with %s: keep one (web-socket: a browser app connects)",
		    conf_key_label(conf, KEY_TCP_SERVER, label, sizeof label),
		    conf_key_label(conf, KEY_WEB_SOCKET, label2, sizeof label2));
		return -1;
	}
	if (spec->val[other_tool] != NULL || spec->val[other_rt] != NULL ||
	    (ws && spec->val[KEY_TCP_SERVER] != NULL)) {
		enum conf_key k = spec->val[other_tool] != NULL ? other_tool :
		    spec->val[other_rt] != NULL ? other_rt : KEY_TCP_SERVER;
		conf_error(cause, conf, spec->vline[k],
		    "%s does not go with mode %s (it takes %s and %s)",
		    conf_key_label(conf, k, label, sizeof label), what,
		    conf_key_label(conf, want_tool, label2, sizeof label2),
		    conf_key_name(want_rt));
		return -1;
	}
	if (spec->val[want_tool] == NULL && want_tool == KEY_IPC_CLIENT) {
		conf_error(cause, conf, spec->line,
		    "route '%s': mode %s needs %s, the socket of a tool "
		    "started with --diagnostic-port", spec->name, what,
		    conf_key_label(conf, want_tool, label, sizeof label));
		return -1;
	}
	if (spec->val[want_rt] == NULL && (preset == NULL ||
	    preset->default_runtime == NULL)) {
		conf_error(cause, conf, spec->line,
		    "route '%s': mode %s needs %s%s, the runtime side",
		    spec->name, what,
		    conf_key_label(conf, want_rt, label, sizeof label),
		    want_rt == KEY_TCP_SERVER ? " or web-socket" : "");
		return -1;
	}
	return 0;
}

/*
 * A WebSocket runtime side (web-socket, or the websocket verbs' default
 * URL): the build must have it; the URL gives the runtime listener's
 * address and the path; allow-origins the pages that may connect.
 */
static int
confroute_ws(struct conf *conf, const struct route_spec *spec,
    struct route_conf *rc, const struct conf_mode *preset, char **cause)
{
	const char *url = spec->val[KEY_WEB_SOCKET];
	const char *origins = spec->val[KEY_ALLOW_ORIGINS];
	unsigned line = url != NULL ? spec->vline[KEY_WEB_SOCKET] : spec->line;
	struct route_spec tmp;
	char label[32], *host_port, *path, *why = NULL;

	if (url == NULL && (preset == NULL || !preset->websocket)) {
		if (origins != NULL && !spec->inherited[KEY_ALLOW_ORIGINS]) {
			conf_error(cause, conf, spec->vline[KEY_ALLOW_ORIGINS],
			    "%s goes with a browser app's WebSocket (web-socket, "
			    "server-websocket or client-websocket)",
			    conf_key_label(conf, KEY_ALLOW_ORIGINS, label,
			    sizeof label));
			return -1;
		}
		return 0;
	}
	if (url == NULL)
		url = preset->default_runtime;
	conf_key_label(conf, KEY_WEB_SOCKET, label, sizeof label);
	if (ws_supported(&why) != 0 ||
	    ws_parse_url(url, &host_port, &path, &why) != 0) {
		conf_error(cause, conf, line, "%s: %s", label, why);
		free(why);
		return -1;
	}
	tmp = *spec;
	tmp.val[KEY_WEB_SOCKET] = host_port;
	tmp.vline[KEY_WEB_SOCKET] = line;
	if (confroute_addr(conf, &tmp, KEY_WEB_SOCKET, &rc->runtime,
	    cause) != 0) {
		free(host_port);
		free(path);
		return -1;
	}
	free(host_port);
	rc->runtime_line = line;
	rc->ws_url = xstrdup(url);
	rc->ws_path = path;
	if (origins == NULL)
		return 0;
	if (confws_origins(origins, &rc->ws_origins, &why) != 0) {
		conf_error(cause, conf, spec->vline[KEY_ALLOW_ORIGINS], "%s: %s",
		    conf_key_label(conf, KEY_ALLOW_ORIGINS, label, sizeof label),
		    why);
		free(why);
		return -1;
	}
	return 0;
}

/*
 * The tool socket a runtime of this process would have: so tools find the
 * router by its pid. A $TMPDIR too long for a socket path is an error.
 */
static int
confroute_default_tool(struct conf *conf, const struct route_spec *spec,
    struct route_conf *rc, char **cause)
{
	char label[32], *path, *why = NULL;

	if ((path = addr_default_tool_path(getpid(), &why)) == NULL) {
		conf_error(cause, conf, spec->line, "%s", why);
		free(why);
		return -1;
	}
	if (addr_parse_path(&rc->tool, path, &why) != 0) {
		conf_error(cause, conf, spec->line, "the default tool socket "
		    "path %s is too long for a socket; set %s or a shorter "
		    "TMPDIR", path, conf_key_label(conf, KEY_IPC_SERVER, label,
		    sizeof label));
		free(why);
		free(path);
		return -1;
	}
	free(path);
	if (addr_resolve(&rc->tool, 1, &why) != 0) {
		conf_error(cause, conf, spec->line, "%s", why);
		free(why);
		addr_free(&rc->tool);
		return -1;
	}
	rc->tool_default = 1;
	return 0;
}

/*
 * A tool socket on TCP off loopback would let anyone on the network take
 * a memory dump, read the environment or attach a profiler: only when
 * asked for in so many words.
 */
static int
confroute_exposure(struct conf *conf, const struct route_spec *spec,
    struct route_conf *rc, char **cause)
{
	const char *v = spec->val[KEY_ALLOW_REMOTE_TOOLS];
	char label[32];

	if (v != NULL && conf_parse_bool(v, &rc->allow_remote_tools) != 0) {
		conf_error(cause, conf, spec->vline[KEY_ALLOW_REMOTE_TOOLS],
		    "%s: '%s' is not yes or no", conf_key_label(conf,
		    KEY_ALLOW_REMOTE_TOOLS, label, sizeof label), v);
		return -1;
	}
	if (!MODE_TOOL_SERVER(rc->mode) || addr_is_local(&rc->tool) ||
	    rc->allow_remote_tools)
		return 0;
	conf_error(cause, conf, rc->tool_line, "tools would connect to %s from "
	    "the network, unauthenticated and unencrypted, and could dump the "
	    "runtime's memory or attach a profiler; listen on 127.0.0.1 or a "
	    "Unix socket, or set %s if that is really wanted",
	    addr_describe(&rc->tool), conf->file != NULL ?
	    "allow-remote-tools = yes" : "--allow-remote-tools");
	return -1;
}

/* Who may use the tool socket: its mode and group, and whose tools it takes. */
static int
confroute_access(struct conf *conf, const struct route_spec *spec,
    struct route_conf *rc, char **cause)
{
	struct access *ac = &rc->access;
	char label[32], *why = NULL;
	int own = MODE_TOOL_SERVER(rc->mode) && rc->tool.kind == ADDR_UNIX;
	enum conf_key k;

	ac->mode = DSR_DEFAULT_SOCKET_MODE;
	/*
	 * Defaults of [dsrouterd] concern only the Unix sockets routes make;
	 * a key of the route's own must fit it.
	 */
	for (k = KEY_SOCKET_MODE; !own && k <= KEY_ALLOW_GROUPS; k++) {
		if (spec->val[k] != NULL && !spec->inherited[k]) {
			conf_error(cause, conf, spec->vline[k], "%s needs a tool "
			    "socket the route creates (ipc-server on a Unix path), "
			    "not %s", conf_key_label(conf, k, label, sizeof label),
			    addr_describe(&rc->tool));
			return -1;
		}
	}
	if (!own)
		return 0;
	k = KEY_SOCKET_MODE;
	if (spec->val[k] != NULL && access_parse_mode(spec->val[k], &ac->mode) != 0) {
		conf_error(cause, conf, spec->vline[k], "%s: '%s' is not a socket "
		    "mode from 0600 to 0666 (octal, e.g. 0660)", conf_key_label(conf,
		    k, label, sizeof label), spec->val[k]);
		return -1;
	}
	k = KEY_SOCKET_GROUP;
	if (spec->val[k] != NULL) {
		if (access_parse_group(spec->val[k], &ac->group) != 0) {
			conf_error(cause, conf, spec->vline[k], "%s: no group "
			    "'%s' on this system", conf_key_label(conf, k, label,
			    sizeof label), spec->val[k]);
			return -1;
		}
		ac->group_set = 1;
	}
	k = KEY_ALLOW_USERS;
	if (spec->val[k] != NULL && access_parse_users(spec->val[k], &ac->uids,
	    &ac->nuids, &why) != 0)
		goto bad;
	k = KEY_ALLOW_GROUPS;
	if (spec->val[k] != NULL && access_parse_groups(spec->val[k], &ac->gids,
	    &ac->ngids, &why) != 0)
		goto bad;
	return 0;

bad:
	conf_error(cause, conf, spec->vline[k], "%s: %s", conf_key_label(conf, k,
	    label, sizeof label), why);
	free(why);
	return -1;
}

/*
 * Many runtimes on one route (runtimes = many): a route runtimes connect
 * to; ipc-server-dir, a tool socket per runtime, in server-server.
 */
static int
confroute_runtimes(struct conf *conf, const struct route_spec *spec,
    struct route_conf *rc, char **cause)
{
	const char *v = spec->val[KEY_RUNTIMES], *dir = spec->val[KEY_IPC_SERVER_DIR];
	char label[32];
	struct stat sb;

	rc->grace_ms = DSR_DEFAULT_RUNTIME_GRACE_MS;
	if (confroute_timeout(conf, spec, KEY_RUNTIME_GRACE, &rc->grace_ms,
	    cause) != 0)
		return -1;
	if (v != NULL && strcmp(v, "many") != 0 && strcmp(v, "one") != 0) {
		conf_error(cause, conf, spec->vline[KEY_RUNTIMES], "%s: '%s' is "
		    "not one or many", conf_key_label(conf, KEY_RUNTIMES, label,
		    sizeof label), v);
		return -1;
	}
	rc->many = v != NULL && strcmp(v, "many") == 0;
	if (rc->many && !MODE_RUNTIME_SERVER(rc->mode)) {
		conf_error(cause, conf, spec->vline[KEY_RUNTIMES], "runtimes = "
		    "many needs a route runtimes connect to (server-server or "
		    "client-server), not %s", conf_mode_name(rc->mode));
		return -1;
	}
	if (dir == NULL)
		return 0;
	conf_key_label(conf, KEY_IPC_SERVER_DIR, label, sizeof label);
	if (!rc->many || rc->mode != MODE_SERVER_SERVER) {
		conf_error(cause, conf, spec->vline[KEY_IPC_SERVER_DIR], "%s needs "
		    "a server-server route with runtimes = many", label);
		return -1;
	}
	if (*dir != '/' || stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		conf_error(cause, conf, spec->vline[KEY_IPC_SERVER_DIR], "%s: '%s' "
		    "is not an existing directory given by its absolute path",
		    label, dir);
		return -1;
	}
	/* DIR/NAME-PID-COOKIE.sock must fit a socket address. */
	if (strlen(dir) + strlen(rc->name) + 32 >= 108) {
		conf_error(cause, conf, spec->vline[KEY_IPC_SERVER_DIR], "%s: '%s' "
		    "is too long for the sockets it will hold", label, dir);
		return -1;
	}
	rc->tool_dir = xstrdup(dir);
	return 0;
}

/*
 * [dsrouterd]'s access keys, which the control socket follows (and every
 * route, as defaults). Parsed through a route of its own.
 */
int
confroute_global_access(struct conf *conf, const struct route_spec *global,
    char **cause)
{
	struct route_conf rc;

	memset(&rc, 0, sizeof rc);
	rc.mode = MODE_SERVER_SERVER;
	rc.tool.kind = ADDR_UNIX;
	if (confroute_access(conf, global, &rc, cause) != 0) {
		access_free(&rc.access);
		return -1;
	}
	access_free(&conf->access);
	conf->access = rc.access;
	return 0;
}

/*
 * Port forwarding to a physical device: Android through adb, a reverse
 * (device port = runtime port - 1) where runtimes connect, a forward (host
 * port P to device port P - 1) where the router dials them; iOS through
 * usbmux to the device's port, where the router dials.
 */
static int
confroute_forward(struct conf *conf, const struct route_spec *spec,
    struct route_conf *rc, const struct conf_mode *preset, char **cause)
{
	const char *v = spec->val[KEY_FORWARD_PORT];
	unsigned line = v != NULL ? spec->vline[KEY_FORWARD_PORT] : spec->line;
	char label[32];

	rc->forward = preset != NULL ? preset->forward : FORWARD_NONE;
	if (v != NULL && strcasecmp(v, "android") == 0)
		rc->forward = FORWARD_ANDROID;
	else if (v != NULL && strcasecmp(v, "ios") == 0)
		rc->forward = FORWARD_IOS;
	else if (v != NULL && strcasecmp(v, "none") != 0) {
		conf_error(cause, conf, line, "%s: '%s' is not Android, iOS or "
		    "none", conf_key_label(conf, KEY_FORWARD_PORT, label,
		    sizeof label), v);
		return -1;
	} else if (v != NULL)
		rc->forward = FORWARD_NONE;
	if (rc->forward == FORWARD_NONE) {
		if (spec->val[KEY_DEVICE] != NULL || spec->val[KEY_ADB] != NULL) {
			conf_error(cause, conf, spec->val[KEY_DEVICE] != NULL ?
			    spec->vline[KEY_DEVICE] : spec->vline[KEY_ADB],
			    "device and adb go with forward-port (or the android "
			    "and ios presets)");
			return -1;
		}
		return 0;
	}
	if (rc->ws_url != NULL) {
		conf_error(cause, conf, line, "forward-port does not go with a "
		    "browser app's WebSocket (%s)", rc->ws_url);
		return -1;
	}
	/* (Port 0 where it listens: the port it gets, minus one, on the device.) */
	if (rc->runtime.kind != ADDR_TCP || rc->runtime.port == 1 ||
	    (rc->runtime.port == 0 && !MODE_RUNTIME_SERVER(rc->mode))) {
		conf_error(cause, conf, line, "forward-port needs a TCP runtime "
		    "address with a port above 1, not %s",
		    addr_describe(&rc->runtime));
		return -1;
	}
	if (rc->forward == FORWARD_IOS && MODE_RUNTIME_SERVER(rc->mode)) {
		conf_error(cause, conf, line, "forward-port iOS needs a route that "
		    "connects to the runtime (server-client or client-client): "
		    "an iOS app listens");
		return -1;
	}
	if (rc->forward == FORWARD_IOS && spec->val[KEY_ADB] != NULL) {
		conf_error(cause, conf, spec->vline[KEY_ADB], "adb goes with "
		    "Android forwarding, not iOS");
		return -1;
	}
	if (spec->val[KEY_DEVICE] != NULL && (rc->forward != FORWARD_ANDROID ||
	    !adb_serial_valid(spec->val[KEY_DEVICE]))) {
		if (rc->forward == FORWARD_ANDROID) {
			conf_error(cause, conf, spec->vline[KEY_DEVICE], "%s: '%s' "
			    "is not a device serial", conf_key_label(conf,
			    KEY_DEVICE, label, sizeof label), spec->val[KEY_DEVICE]);
			return -1;
		}
	}
	if (spec->val[KEY_DEVICE] != NULL)
		rc->device = xstrdup(spec->val[KEY_DEVICE]);
	if (spec->val[KEY_ADB] != NULL)
		rc->adb = xstrdup(spec->val[KEY_ADB]);
	return 0;
}

/* Build a validated route from a spec and add it to the configuration. */
int
confroute_add(struct conf *conf, const struct route_spec *spec, char **cause)
{
	const struct conf_mode *preset;
	struct route_conf *rc;
	enum route_mode mode;
	enum conf_key tk, rk;

	if (conf_route_mode(conf, spec, &mode, &preset, cause) != 0)
		return -1;
	if (confroute_keys(conf, spec, mode, preset, cause) != 0)
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
	rc->frame_timeout_ms = DSR_DEFAULT_FRAME_TIMEOUT_MS;

	if (spec->val[tk] != NULL) {
		if (confroute_addr(conf, spec, tk, &rc->tool, cause) != 0)
			goto fail;
	} else if (confroute_default_tool(conf, spec, rc, cause) != 0)
		goto fail;
	if (spec->val[KEY_WEB_SOCKET] != NULL ||
	    (preset != NULL && preset->websocket)) {
		if (confroute_ws(conf, spec, rc, preset, cause) != 0)
			goto fail;
	} else if (spec->val[rk] != NULL) {
		if (confroute_addr(conf, spec, rk, &rc->runtime, cause) != 0)
			goto fail;
	} else {
		struct route_spec tmp = *spec;
		tmp.val[rk] = preset->default_runtime;
		tmp.vline[rk] = spec->line;
		if (confroute_addr(conf, &tmp, rk, &rc->runtime, cause) != 0)
			goto fail;
	}
	if (confroute_timeout(conf, spec, KEY_RUNTIME_TIMEOUT,
	    &rc->runtime_timeout_ms, cause) != 0 ||
	    confroute_timeout(conf, spec, KEY_PAIR_TIMEOUT,
	    &rc->pair_timeout_ms, cause) != 0 ||
	    confroute_timeout(conf, spec, KEY_FRAME_TIMEOUT,
	    &rc->frame_timeout_ms, cause) != 0)
		goto fail;

	if (rc->ws_url == NULL && confroute_ws(conf, spec, rc, preset,
	    cause) != 0)
		goto fail;
	if (confroute_exposure(conf, spec, rc, cause) != 0 ||
	    confroute_access(conf, spec, rc, cause) != 0 ||
	    confroute_runtimes(conf, spec, rc, cause) != 0 ||
	    confroute_forward(conf, spec, rc, preset, cause) != 0)
		goto fail;

	TAILQ_INSERT_TAIL(&conf->routes, rc, entry);
	conf->nroutes++;
	return 0;

fail:
	access_free(&rc->access);
	conf_route_free_ws(rc);
	free(rc->tool_dir);
	free(rc->device);
	free(rc->adb);
	free(rc->name);
	addr_free(&rc->tool);
	addr_free(&rc->runtime);
	free(rc);
	return -1;
}


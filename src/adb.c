/* SPDX-License-Identifier: MIT */
/*
 * adb.c: what dsrouterd knows of adb, the Android Debug Bridge: where the
 * program is, the command lines it runs, and the parsers of what adb
 * prints (adb devices, track-devices frames, reverse and forward --list).
 * No I/O but the look-up of the program; everything else is pure.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"
#include "device.h"

/* Whether path names an executable regular file. */
static int
adb_executable(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    access(path, X_OK) == 0;
}

/* name in one of PATH's directories (an empty one is "."), or NULL. */
static char *
adb_search_path(const char *name, const char *path)
{
	const char *p, *end;
	char *cand;
	size_t len;

	if (path == NULL)
		return NULL;
	for (p = path;; p = end + 1) {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len == 0)
			xasprintf(&cand, "./%s", name);
		else
			xasprintf(&cand, "%.*s/%s", (int)len, p, name);
		if (adb_executable(cand))
			return cand;
		free(cand);
		if (*end == '\0')
			return NULL;
	}
}

/* $dir/platform-tools/adb when it is there; else NULL, saying why in *why. */
static char *
adb_in_sdk(const char *var, const char *dir, char **why)
{
	char *cand;

	if (dir == NULL || *dir == '\0') {
		xasprintf(why, "$%s is unset", var);
		return NULL;
	}
	xasprintf(&cand, "%s/platform-tools/adb", dir);
	if (adb_executable(cand))
		return cand;
	xasprintf(why, "no %s", cand);
	free(cand);
	return NULL;
}

/*
 * Find adb: $ADB (a path, or a name looked up in PATH), then
 * $ANDROID_HOME/platform-tools/adb, $ANDROID_SDK_ROOT/platform-tools/adb,
 * then adb in PATH. The arguments are those variables' values (NULL when
 * unset). Returns the path, or NULL with a one-line *cause naming every
 * place looked at and what to install.
 */
char *
adb_locate(const char *adb, const char *home, const char *sdk,
    const char *path, char **cause)
{
	char *found, *why_home = NULL, *why_sdk = NULL;

	if (adb != NULL && *adb != '\0') {
		if (strchr(adb, '/') != NULL) {
			if (adb_executable(adb))
				return xstrdup(adb);
			xasprintf(cause, "ADB=%s is not an executable file (%s): "
			    "set ADB to adb's path, or unset it to look in "
			    "$ANDROID_HOME and PATH", adb,
			    access(adb, F_OK) == 0 ? "not executable" :
			    strerror(errno));
			return NULL;
		}
		if ((found = adb_search_path(adb, path)) != NULL)
			return found;
		xasprintf(cause, "ADB=%s: no such program in PATH (%s): set ADB "
		    "to adb's path", adb, path != NULL ? path : "unset");
		return NULL;
	}
	if ((found = adb_in_sdk("ANDROID_HOME", home, &why_home)) != NULL ||
	    (found = adb_in_sdk("ANDROID_SDK_ROOT", sdk, &why_sdk)) != NULL ||
	    (found = adb_search_path("adb", path)) != NULL) {
		free(why_home);
		free(why_sdk);
		return found;
	}
	xasprintf(cause, "adb not found: $ADB is unset, %s, %s, and no adb in "
	    "PATH (%s): install the Android SDK platform-tools (Debian: "
	    "apt-get install adb) or set ADB to adb's path", why_home, why_sdk,
	    path != NULL ? path : "unset");
	free(why_home);
	free(why_sdk);
	return NULL;
}

/* adb_locate with the environment's values. */
char *
adb_find(char **cause)
{
	return adb_locate(getenv("ADB"), getenv("ANDROID_HOME"),
	    getenv("ANDROID_SDK_ROOT"), getenv("PATH"), cause);
}

/* Whether s is a serial dsrouterd takes: printable, no blanks, not too long. */
int
adb_serial_valid(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0' || *s == '-' || strlen(s) > ADB_SERIAL_MAX)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (!isgraph((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* The next line of buf[*off..len) (without its end), or 0 at the end. */
static int
adb_next_line(const char *buf, size_t len, size_t *off, const char **line,
    size_t *linelen)
{
	const char *nl;
	size_t start = *off;

	if (start >= len)
		return 0;
	nl = memchr(buf + start, '\n', len - start);
	*line = buf + start;
	*linelen = nl != NULL ? (size_t)(nl - (buf + start)) : len - start;
	*off = start + *linelen + 1;
	/* \r\n from adb on some hosts. */
	if (*linelen > 0 && (*line)[*linelen - 1] == '\r')
		(*linelen)--;
	return 1;
}

/* Split a line into at most max blank-separated words; the count. */
static size_t
adb_words(const char *line, size_t len, const char **w, size_t *wl, size_t max)
{
	size_t i = 0, n = 0, start;

	while (i < len && n < max) {
		while (i < len && isspace((unsigned char)line[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !isspace((unsigned char)line[i]))
			i++;
		w[n] = line + start;
		wl[n++] = i - start;
	}
	return n;
}

/*
 * Parse the device lines of adb devices, or of one track-devices frame:
 * "SERIAL<TAB>STATE" per line, where STATE may hold blanks ("no
 * permissions (...)"). The header, adb's "* daemon" lines and anything
 * else that is not a device line are skipped. Returns the count; *out is
 * NULL when it is 0.
 */
size_t
adb_parse_devices(const char *buf, size_t len, struct adb_device **out)
{
	struct adb_device *devs = NULL;
	const char *line, *sep, *st;
	size_t off = 0, linelen, n = 0, slen, stlen;
	char *serial;

	*out = NULL;
	while (adb_next_line(buf, len, &off, &line, &linelen)) {
		if (linelen == 0 || line[0] == '*' ||
		    (linelen >= 15 && strncmp(line, "List of devices", 15) == 0))
			continue;
		if ((sep = memchr(line, '\t', linelen)) == NULL &&
		    (sep = memchr(line, ' ', linelen)) == NULL)
			continue;
		slen = (size_t)(sep - line);
		st = sep;
		while (st < line + linelen && isspace((unsigned char)*st))
			st++;
		stlen = (size_t)(line + linelen - st);
		while (stlen > 0 && isspace((unsigned char)st[stlen - 1]))
			stlen--;
		if (slen == 0 || stlen == 0)
			continue;
		serial = xstrndup(line, slen);
		if (!adb_serial_valid(serial)) {
			free(serial);
			continue;
		}
		devs = xreallocarray(devs, n + 1, sizeof *devs);
		devs[n].serial = serial;
		devs[n].state = xstrndup(st, stlen);
		n++;
	}
	*out = devs;
	return n;
}

/* Free what adb_parse_devices made. */
void
adb_devices_free(struct adb_device *devs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(devs[i].serial);
		free(devs[i].state);
	}
	free(devs);
}

/* The value of a hex digit, or -1. */
static int
adb_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Look at the start of adb track-devices output: frames of 4 hex digits
 * giving the payload's length, then the payload (adb devices' lines
 * without the header). On ADB_FRAME_OK the payload is buf + 4, *paylen
 * long, and the frame takes *used bytes; on ADB_FRAME_NOISE *used bytes
 * are one of adb's own lines ("* daemon not running; starting now") to
 * skip. ADB_FRAME_SHORT: more bytes are needed.
 */
enum adb_frame
adb_track_frame(const char *buf, size_t len, size_t *used, size_t *paylen)
{
	const char *nl;
	size_t i, n = 0;
	int d;

	*used = *paylen = 0;
	if (len == 0)
		return ADB_FRAME_SHORT;
	if (buf[0] == '*' || buf[0] == '\n' || buf[0] == '\r') {
		if ((nl = memchr(buf, '\n', len)) == NULL)
			return ADB_FRAME_SHORT;
		*used = (size_t)(nl - buf) + 1;
		return ADB_FRAME_NOISE;
	}
	for (i = 0; i < 4; i++) {
		if (i == len)
			return ADB_FRAME_SHORT;
		if ((d = adb_hex(buf[i])) == -1)
			return ADB_FRAME_BAD;
		n = n * 16 + (size_t)d;
	}
	if (len - 4 < n)
		return ADB_FRAME_SHORT;
	*paylen = n;
	*used = 4 + n;
	return ADB_FRAME_OK;
}

/*
 * Parse adb reverse --list or adb forward --list: "OWNER LOCAL REMOTE"
 * per line (reverse: "UsbFfs tcp:9000 tcp:9001", device side first;
 * forward: "SERIAL tcp:9000 tcp:8999", host side first). Other lines are
 * skipped. Returns the count; *out is NULL when it is 0.
 */
size_t
adb_parse_list(const char *buf, size_t len, struct adb_mapping **out)
{
	struct adb_mapping *m = NULL;
	const char *line, *w[4];
	size_t off = 0, linelen, wl[4], n = 0;

	*out = NULL;
	while (adb_next_line(buf, len, &off, &line, &linelen)) {
		if (adb_words(line, linelen, w, wl, 4) != 3)
			continue;
		if (memchr(w[1], ':', wl[1]) == NULL ||
		    memchr(w[2], ':', wl[2]) == NULL)
			continue;
		m = xreallocarray(m, n + 1, sizeof *m);
		m[n].owner = xstrndup(w[0], wl[0]);
		m[n].local = xstrndup(w[1], wl[1]);
		m[n].remote = xstrndup(w[2], wl[2]);
		n++;
	}
	*out = m;
	return n;
}

/* Free what adb_parse_list made. */
void
adb_mappings_free(struct adb_mapping *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].owner);
		free(m[i].local);
		free(m[i].remote);
	}
	free(m);
}

/* Whether spec is "tcp:PORT". */
static int
adb_is_tcp(const char *spec, uint16_t port)
{
	char want[16];

	snprintf(want, sizeof want, "tcp:%u", (unsigned)port);
	return strcmp(spec, want) == 0;
}

/*
 * Find the mapping of a device in a --list: a reverse is keyed by the
 * device's port (the list is the device's own), a forward by the host's
 * port (the list is the whole host's: one host port reaches one device).
 * ADB_PRESENT: there, going where it should; ADB_CONFLICT: the port is
 * taken by another mapping, *which says which; ADB_MISSING.
 */
enum adb_match
adb_list_find(const struct adb_mapping *m, size_t n, enum adb_dir dir,
    const char *serial, uint16_t device_port, uint16_t host_port,
    const struct adb_mapping **which)
{
	size_t i;

	if (which != NULL)
		*which = NULL;
	for (i = 0; i < n; i++) {
		if (dir == ADB_REVERSE) {
			if (!adb_is_tcp(m[i].local, device_port))
				continue;
			if (which != NULL)
				*which = &m[i];
			return adb_is_tcp(m[i].remote, host_port) ?
			    ADB_PRESENT : ADB_CONFLICT;
		}
		if (!adb_is_tcp(m[i].local, host_port))
			continue;
		if (which != NULL)
			*which = &m[i];
		return strcmp(m[i].owner, serial) == 0 &&
		    adb_is_tcp(m[i].remote, device_port) ?
		    ADB_PRESENT : ADB_CONFLICT;
	}
	return ADB_MISSING;
}

/*
 * The argument vector of an adb command, argv[0] being adb's path:
 *   devices / track-devices
 *   -s S reverse --list | --no-rebind tcp:D tcp:H | --remove tcp:D
 *   -s S forward --list | --no-rebind tcp:H tcp:D | --remove tcp:H
 * --no-rebind: never replace a mapping someone else made. serial may be
 * NULL (no -s). NULL-terminated; free with adb_argv_free.
 */
char **
adb_argv(const char *adb, const char *serial, enum adb_cmd cmd,
    enum adb_dir dir, uint16_t device_port, uint16_t host_port)
{
	char **v = xcalloc(9, sizeof *v);
	uint16_t first, second;
	size_t n = 0;

	first = dir == ADB_REVERSE ? device_port : host_port;
	second = dir == ADB_REVERSE ? host_port : device_port;
	v[n++] = xstrdup(adb);
	if (cmd == ADB_CMD_DEVICES || cmd == ADB_CMD_TRACK) {
		v[n++] = xstrdup(cmd == ADB_CMD_DEVICES ? "devices" :
		    "track-devices");
		return v;
	}
	if (serial != NULL) {
		v[n++] = xstrdup("-s");
		v[n++] = xstrdup(serial);
	}
	v[n++] = xstrdup(dir == ADB_REVERSE ? "reverse" : "forward");
	switch (cmd) {
	case ADB_CMD_LIST:
		v[n++] = xstrdup("--list");
		break;
	case ADB_CMD_ADD:
		v[n++] = xstrdup("--no-rebind");
		xasprintf(&v[n++], "tcp:%u", (unsigned)first);
		xasprintf(&v[n++], "tcp:%u", (unsigned)second);
		break;
	case ADB_CMD_REMOVE:
		v[n++] = xstrdup("--remove");
		xasprintf(&v[n++], "tcp:%u", (unsigned)first);
		break;
	case ADB_CMD_DEVICES:
	case ADB_CMD_TRACK:
		break;
	}
	return v;
}

/* Free an argument vector. */
void
adb_argv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* A command line for messages: "adb -s X reverse --list" (adb's base name). */
char *
adb_argv_join(char *const *v)
{
	const char *base;
	char *s, *t;
	size_t i;

	base = strrchr(v[0], '/') != NULL ? strrchr(v[0], '/') + 1 : v[0];
	s = xstrdup(base);
	for (i = 1; v[i] != NULL; i++) {
		xasprintf(&t, "%s %s", s, v[i]);
		free(s);
		s = t;
	}
	return s;
}

/* What to do about a device adb lists in a state other than "device". */
const char *
adb_state_hint(const char *state)
{
	if (strcmp(state, "unauthorized") == 0)
		return "allow USB debugging in the prompt on the device";
	if (strncmp(state, "no permissions", 14) == 0)
		return "this user may not open the USB device: see "
		    "https://developer.android.com/studio/run/device";
	if (strcmp(state, "offline") == 0)
		return "reconnect the device, or restart adb (adb kill-server)";
	if (strcmp(state, "authorizing") == 0 ||
	    strcmp(state, "connecting") == 0)
		return "waiting for the device";
	return "the device is not ready for debugging";
}

/* A mapping for messages: "reverse tcp:9000 -> tcp:9001" (device first). */
char *
adb_mapping_describe(enum adb_dir dir, uint16_t device_port, uint16_t host_port)
{
	char *s;

	if (dir == ADB_REVERSE)
		xasprintf(&s, "reverse tcp:%u -> tcp:%u", (unsigned)device_port,
		    (unsigned)host_port);
	else
		xasprintf(&s, "forward tcp:%u -> tcp:%u", (unsigned)host_port,
		    (unsigned)device_port);
	return s;
}

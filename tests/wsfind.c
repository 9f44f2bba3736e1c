/* SPDX-License-Identifier: MIT */
/*
 * wsfind.c: where the real WebSocket clients of the WebSocket suites
 * (e2e_ws, e2e_wsroute) are: node with its WebSocket, and Chromium.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wsfind.h"

/*
 * Node with a WebSocket (Node 22+, or 20 with its flag): 1 with its
 * command in cmd and the flag it needs (maybe "") in flag, else 0.
 */
int
wsfind_node(char *cmd, size_t cmdlen, char *flag, size_t flaglen)
{
	snprintf(flag, flaglen, "%s", "");
	if (system("node -e 'process.exit(typeof WebSocket === \"function\" "
	    "? 0 : 1)' >/dev/null 2>&1") == 0) {
		snprintf(cmd, cmdlen, "node");
		return 1;
	}
	if (system("node --experimental-websocket -e 'process.exit(typeof "
	    "WebSocket === \"function\" ? 0 : 1)' >/dev/null 2>&1") == 0) {
		snprintf(cmd, cmdlen, "node");
		snprintf(flag, flaglen, "--experimental-websocket");
		return 1;
	}
	return 0;
}

/* Chromium ($DSR_CHROMIUM, or chromium in the usual places): 1 with its path. */
int
wsfind_chromium(char *path, size_t len)
{
	static const char *const paths[] = { "/usr/bin/chromium",
		"/usr/bin/chromium-browser", "/snap/bin/chromium" };
	const char *env = getenv("DSR_CHROMIUM");
	size_t i;

	if (env != NULL && access(env, X_OK) == 0) {
		snprintf(path, len, "%s", env);
		return 1;
	}
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		if (access(paths[i], X_OK) == 0) {
			snprintf(path, len, "%s", paths[i]);
			return 1;
		}
	}
	return 0;
}

/*
 * Headless Chromium's command line for a test: path, the flags that keep
 * it quiet and alone (no sandbox as root, no GPU, QUIC, sync or updates),
 * then profile (its --user-data-dir=...). Fills argv from its start;
 * returns how many it set, for the caller to add the rest and the NULL.
 */
int
wsfind_chromium_args(const char **argv, const char *path, const char *profile)
{
	static const char *const flags[] = { "--headless", "--no-sandbox",
		"--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--disable-dev-shm-usage" };
	size_t i;
	int n = 0;

	argv[n++] = path;
	for (i = 0; i < sizeof flags / sizeof flags[0]; i++)
		argv[n++] = flags[i];
	argv[n++] = profile;
	return n;
}

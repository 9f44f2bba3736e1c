/* SPDX-License-Identifier: MIT */
/*
 * statuscmd.c: 'dsrouterd status': find the control socket of the one
 * daemon running (the system service's, or this user's), ask it, print
 * the answer. A command-line client: it blocks, with time-outs.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "dsrouterd.h"

#define STATUSCMD_TIMEOUT_S 5
#define STATUSCMD_MAX 16

/* Connect to a control socket; -1 if nobody answers there. */
static int
statuscmd_connect(const char *path)
{
	struct sockaddr_un sun;
	struct timeval tv = { STATUSCMD_TIMEOUT_S, 0 };
	int fd;

	if (strlen(path) >= sizeof sun.sun_path)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Add the live control sockets in dir whose names match prefix...suffix. */
static void
statuscmd_scan(const char *dir, const char *prefix, const char *suffix,
    char **found, int *n)
{
	struct dirent *de;
	size_t pl = strlen(prefix), sl = strlen(suffix), len;
	char *path;
	DIR *d;
	int fd;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && *n < STATUSCMD_MAX) {
		len = strlen(de->d_name);
		if (len <= pl + sl || strncmp(de->d_name, prefix, pl) != 0 ||
		    strcmp(de->d_name + len - sl, suffix) != 0)
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		if ((fd = statuscmd_connect(path)) == -1) {
			free(path);
			continue;
		}
		close(fd);
		found[(*n)++] = path;
	}
	closedir(d);
}

/* Find the control socket of the one daemon running; NULL with a message. */
static char *
statuscmd_find(void)
{
	char *found[STATUSCMD_MAX], prefix[64];
	const char *dir;
	int n = 0, i, fd;

	if ((fd = statuscmd_connect("/run/dsrouterd/control.sock")) != -1) {
		close(fd);
		found[n++] = xstrdup("/run/dsrouterd/control.sock");
	}
	if ((dir = getenv("XDG_RUNTIME_DIR")) != NULL && *dir == '/')
		statuscmd_scan(dir, "dsrouterd-", ".ctl", found, &n);
	if ((dir = getenv("TMPDIR")) == NULL || *dir != '/')
		dir = "/tmp";
	snprintf(prefix, sizeof prefix, "dsrouterd-%ld-", (long)getuid());
	statuscmd_scan(dir, prefix, ".ctl", found, &n);
	if (n == 1)
		return found[0];
	if (n == 0) {
		log_fail("no dsrouterd is running (no control socket answers in "
		    "/run/dsrouterd, $XDG_RUNTIME_DIR or %s); name one with "
		    "--control-socket PATH", dir);
		return NULL;
	}
	log_fail("%d dsrouterd are running; choose one with --control-socket:", n);
	for (i = 0; i < n; i++) {
		fprintf(stderr, "  %s\n", found[i]);
		free(found[i]);
	}
	return NULL;
}

/* Ask a daemon for its status and print it; an exit code. */
int
statuscmd_run(const char *path, int json)
{
	const char *req = json ? "status json\n" : "status\n";
	char *found = NULL, buf[65536];
	size_t total = 0;
	ssize_t n;
	int fd, failed = 0;

	if (path == NULL && (path = found = statuscmd_find()) == NULL)
		return EX_UNAVAILABLE;
	if ((fd = statuscmd_connect(path)) == -1) {
		log_fail("cannot reach the control socket %s: %s", path,
		    strerror(errno));
		free(found);
		return EX_UNAVAILABLE;
	}
	free(found);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		log_fail("cannot ask the daemon: %s", strerror(errno));
		close(fd);
		return EX_UNAVAILABLE;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		if (total == 0 && strncmp(buf, "error: ", 7) == 0)
			failed = 1;
		fwrite(buf, 1, (size_t)n, failed ? stderr : stdout);
		total += (size_t)n;
	}
	close(fd);
	if (n < 0 || total == 0) {
		log_fail("no answer from the daemon%s%s", n < 0 ? ": " : "",
		    n < 0 ? strerror(errno) : "");
		return EX_UNAVAILABLE;
	}
	return failed ? EX_UNAVAILABLE : 0;
}

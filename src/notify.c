/* SPDX-License-Identifier: MIT */
/* notify.c: a minimal sd_notify, so systemd's Type=notify works without libsystemd. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"

/* Send a state string ("READY=1", "STOPPING=1") to $NOTIFY_SOCKET if set. */
void
notify_send(const char *state)
{
	struct sockaddr_un sun;
	const char *path;
	socklen_t len;
	size_t plen;
	int fd;

	if ((path = getenv("NOTIFY_SOCKET")) == NULL || *path == '\0')
		return;
	if ((plen = strlen(path)) >= sizeof sun.sun_path)
		return;
	if (*path != '/' && *path != '@')
		return;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';   /* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1)
		log_debug("notify", "sd_notify %s failed", state);
	close(fd);
}

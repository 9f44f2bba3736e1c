/* SPDX-License-Identifier: MIT */
/* sock.c: socket set-up: listening sockets, non-blocking connects, names. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"

/* Make a descriptor non-blocking and close-on-exec. */
int
sock_set_nonblock(int fd)
{
	int flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return -1;
	if ((flags = fcntl(fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1)
		return -1;
	return 0;
}

/*
 * Make room for a Unix socket at path: remove a stale socket nobody listens
 * on; refuse a live one, one we may not connect to, or anything that is not
 * a socket. The probe never blocks: a Unix connect does not wait, and a
 * listener with a full backlog answers EAGAIN, which means it is alive.
 * Only ECONNREFUSED (nobody listens) and ENOENT (gone meanwhile) mean stale.
 */
int
sock_unix_prepare(const char *path, char **cause)
{
	struct sockaddr_un sun;
	struct stat sb;
	int fd, rc, err;

	if (lstat(path, &sb) != 0) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		xasprintf(cause, "%s exists and is not a socket; remove it or "
		    "choose another path", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	err = errno;
	close(fd);
	if (rc == 0 || err == EAGAIN || err == EINPROGRESS) {
		xasprintf(cause, "%s is in use by another process; stop it or "
		    "choose another path", path);
		return -1;
	}
	if (err == EACCES || err == EPERM) {
		xasprintf(cause, "%s belongs to someone else (%s); not removing "
		    "it: choose another path", path, strerror(err));
		return -1;
	}
	if (err != ECONNREFUSED && err != ENOENT) {
		xasprintf(cause, "%s: cannot tell whether it is in use (%s); not "
		    "removing it: choose another path", path, strerror(err));
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		xasprintf(cause, "cannot remove stale socket %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Give a new Unix socket file the group and mode asked for, before it
 * listens: created 0600, it is never wider than asked at any moment.
 */
static int
sock_unix_access(const struct addr *a, const struct access *ac, char **cause)
{
	if (ac == NULL)
		return 0;
	if (ac->group_set && chown(a->path, (uid_t)-1, ac->group) != 0) {
		xasprintf(cause, "cannot give %s to group %lu: %s", a->path,
		    (unsigned long)ac->group, strerror(errno));
		return -1;
	}
	if (ac->mode != 0600 && chmod(a->path, ac->mode) != 0) {
		xasprintf(cause, "cannot set the mode of %s to %04o: %s", a->path,
		    (unsigned)ac->mode, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Whether the peer of an accepted Unix connection may use it: root and
 * this process's own user always; others as ac allows (access.c). Fills
 * the peer's uid and pid for the log.
 */
int
sock_peer_allowed(int fd, const struct access *ac, uid_t *uid, pid_t *pid)
{
#if defined(SO_PEERCRED)
	struct ucred cred;
	gid_t groups[256];
	socklen_t len = sizeof cred;
	size_t ngroups = 0;

	*uid = (uid_t)-1;
	*pid = 0;
	if (ac->nuids == 0 && ac->ngids == 0)
		return 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return 0;
	*uid = cred.uid;
	*pid = cred.pid;
	if (cred.uid == 0 || cred.uid == geteuid())
		return 1;
#ifdef SO_PEERGROUPS
	len = sizeof groups;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
		ngroups = len / sizeof groups[0];
#endif
	return access_allowed(ac, cred.uid, cred.gid, groups, ngroups);
#else
	(void)fd;
	*uid = (uid_t)-1;
	*pid = 0;
	return ac->nuids == 0 && ac->ngids == 0;
#endif
}

/* Open a listening socket (Unix sockets mode 0600, or as ac says); returns the fd or -1. */
int
sock_listen(const struct addr *a, const struct access *ac, char **cause)
{
	int fd, one = 1, saved;
	mode_t mask;

	if (a->kind == ADDR_UNIX && sock_unix_prepare(a->path, cause) != 0)
		return -1;
	fd = socket(a->ss.ss_family, SOCK_STREAM, 0);
	if (fd == -1) {
		xasprintf(cause, "%s: socket: %s", addr_describe(a), strerror(errno));
		return -1;
	}
	if (a->kind == ADDR_TCP)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (a->kind == ADDR_TCP && a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	mask = umask(0177);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->sslen) != 0) {
		saved = errno;
		umask(mask);
		xasprintf(cause, "cannot listen on %s: %s%s", addr_describe(a),
		    strerror(saved), saved == EADDRINUSE ?
		    " (another dsrouterd or dotnet-dsrouter running?)" : "");
		close(fd);
		return -1;
	}
	umask(mask);
	if (a->kind == ADDR_UNIX && sock_unix_access(a, ac, cause) != 0) {
		close(fd);
		unlink(a->path);
		return -1;
	}
	if (listen(fd, 128) != 0 || sock_set_nonblock(fd) != 0) {
		xasprintf(cause, "cannot listen on %s: %s", addr_describe(a),
		    strerror(errno));
		close(fd);
		if (a->kind == ADDR_UNIX)
			unlink(a->path);
		return -1;
	}
	return fd;
}

/*
 * Start a non-blocking connect; returns the fd (connected or in progress:
 * the caller waits for writability either way), or -1 with errno.
 */
int
sock_connect_start(const struct addr *a)
{
	int fd, one = 1, saved;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (a->kind == ADDR_TCP)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (const struct sockaddr *)&a->ss, a->sslen) == 0 ||
	    errno == EINPROGRESS)
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * Whether the peer of a connection that read EOF has closed it for good,
 * not only half-closed it: Linux tells a Unix socket's full close by
 * POLLHUP. Elsewhere, and over TCP, where both look alike, say no.
 */
int
sock_peer_gone(int fd)
{
#ifdef POLLRDHUP
	struct pollfd pfd = { fd, POLLIN | POLLRDHUP, 0 };

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR)))
		return 1;
#else
	(void)fd;
#endif
	return 0;
}

/*
 * Whether an idle connection's peer has closed it (an end of file or an
 * error waits to be read) without the loop having seen it yet: a peek,
 * which takes nothing.
 */
int
sock_eof_pending(int fd)
{
	char b;
	ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR);
}

/* Describe where a listening socket is bound, with the real port. */
char *
sock_local_name(int fd, const struct addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[INET6_ADDRSTRLEN], *s;
	uint16_t port;

	if (a->kind == ADDR_UNIX) {
		xasprintf(&s, "%s", a->path);
		return s;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return xstrdup(addr_describe(a));
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		port = ntohs(s6->sin6_port);
		xasprintf(&s, "[%s]:%u", host, port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		port = ntohs(s4->sin_port);
		xasprintf(&s, "%s:%u", host, port);
	}
	return s;
}

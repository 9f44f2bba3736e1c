/* SPDX-License-Identifier: MIT */
/*
 * listener.c: accept connections on a listening socket; when out of
 * descriptors, answer on a reserved one (tools) or pause for a second and
 * re-arm (runtimes, which must never see accept-then-close); remove the
 * Unix socket file on free.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dsrouterd.h"

struct listener {
	int fd;
	struct event *ev;         /* the socket is readable: accept */
	struct event *rearm;
	struct addr addr;
	char *name;               /* bound address, with the real port */
	dev_t dev;                /* the socket file we created */
	ino_t ino;
	char *alias;              /* a second name of it, or NULL */
	int reserve;              /* a spare descriptor, or -1 */
	void (*cb)(int, void *);
	void (*busy_cb)(int, void *); /* answers on the reserve, or NULL */
	void *arg;
};

/* Keep a descriptor in reserve, to answer when there are none left. */
static void
listener_reserve(struct listener *l)
{
	if (l->busy_cb != NULL && l->reserve == -1)
		l->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/*
 * Out of descriptors: give up the reserve for a moment to accept one
 * connection and have busy_cb answer it. Returns -1 if that failed too.
 */
static int
listener_answer_busy(struct listener *l)
{
	int fd;

	if (l->reserve == -1)
		return -1;
	close(l->reserve);
	l->reserve = -1;
	fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd != -1)
		l->busy_cb(fd, l->arg);  /* closes fd */
	listener_reserve(l);
	return fd == -1 ? -1 : 0;
}

/*
 * Accept one connection per wake-up: the event is level-triggered, so a
 * backlog brings us back at once, and the common case (one connection)
 * costs no extra accept that fails with EAGAIN. Pause for a second when
 * out of descriptors (the connection waits in the backlog meanwhile).
 */
static void
listener_accept(evutil_socket_t lfd, short events, void *arg)
{
	struct listener *l = arg;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct timeval tv = { 1, 0 };
	int fd, one = 1;

	(void)events;
	fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED)
			return;
		if ((errno == EMFILE || errno == ENFILE) &&
		    listener_answer_busy(l) == 0)
			return;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			log_warn("listener", "%s: accept: %s; pausing for 1 s",
			    l->name, strerror(errno));
			event_del(l->ev);
			evtimer_add(l->rearm, &tv);
			return;
		}
		log_warn("listener", "%s: accept: %s", l->name, strerror(errno));
		return;
	}
	if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	l->cb(fd, l->arg);
}

/* Re-arm after a pause. */
static void
listener_rearm(evutil_socket_t fd, short events, void *arg)
{
	struct listener *l = arg;

	(void)fd;
	(void)events;
	log_info("listener", "%s: accepting again", l->name);
	event_add(l->ev, NULL);
}

/*
 * Listen on an address; cb gets each accepted non-blocking descriptor.
 * With busy_cb, a descriptor is kept in reserve so that, out of
 * descriptors, a connection can still be accepted and answered by it.
 */
struct listener *
listener_new(struct event_base *base, const struct addr *a,
    const struct access *ac, void (*cb)(int, void *),
    void (*busy_cb)(int, void *), void *arg, char **cause)
{
	struct listener *l;
	struct stat sb;
	int fd;

	if ((fd = sock_listen(a, ac, cause)) == -1)
		return NULL;
	l = xcalloc(1, sizeof *l);
	addr_copy(&l->addr, a);
	l->cb = cb;
	l->busy_cb = busy_cb;
	l->arg = arg;
	l->reserve = -1;
	listener_reserve(l);
	l->name = sock_local_name(fd, a);
	if (a->kind == ADDR_UNIX && stat(a->path, &sb) == 0) {
		l->dev = sb.st_dev;
		l->ino = sb.st_ino;
	}
	l->fd = fd;
	l->ev = event_new(base, fd, EV_READ | EV_PERSIST, listener_accept, l);
	l->rearm = evtimer_new(base, listener_rearm, l);
	if (l->ev == NULL || l->rearm == NULL)
		fatalx("event_new failed");
	event_add(l->ev, NULL);
	return l;
}

/*
 * Give a Unix listener a second name: a hard link to its socket file,
 * removed with it. The link has the socket's own times.
 */
int
listener_alias(struct listener *l, const char *path, char **cause)
{
	if (l->addr.kind != ADDR_UNIX || l->ino == 0) {
		xasprintf(cause, "%s: only a Unix socket has other names", path);
		return -1;
	}
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		xasprintf(cause, "%s: too long for a socket path", path);
		return -1;
	}
	if (sock_unix_prepare(path, cause) != 0)
		return -1;
	if (link(l->addr.path, path) != 0) {
		xasprintf(cause, "cannot link %s to %s: %s", path, l->addr.path,
		    strerror(errno));
		return -1;
	}
	free(l->alias);
	l->alias = xstrdup(path);
	return 0;
}

/* Remove a socket file if it is still the one we made. */
static void
listener_unlink(struct listener *l, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == 0 && sb.st_dev == l->dev && sb.st_ino == l->ino)
		unlink(path);
}

/* Stop listening; remove the socket file if it is still the one we made. */
void
listener_free(struct listener *l)
{
	if (l == NULL)
		return;
	event_free(l->ev);
	event_free(l->rearm);
	close(l->fd);
	if (l->reserve != -1)
		close(l->reserve);
	if (l->alias != NULL)
		listener_unlink(l, l->alias);
	if (l->addr.kind == ADDR_UNIX)
		listener_unlink(l, l->addr.path);
	free(l->alias);
	addr_free(&l->addr);
	free(l->name);
	free(l);
}

/* Where the listener is bound (with the real port for port 0). */
const char *
listener_name(struct listener *l)
{
	return l->name;
}

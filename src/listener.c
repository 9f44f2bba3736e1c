/*
 * listener.c: accept connections on a listening socket; pause for a second
 * and re-arm when out of descriptors; remove the Unix socket file on free.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "dsrouterd.h"

struct listener {
	struct evconnlistener *lev;
	struct event *rearm;
	struct addr addr;
	char *name;               /* bound address, with the real port */
	dev_t dev;                /* the socket file we created */
	ino_t ino;
	void (*cb)(int, void *);
	void *arg;
};

/* An accepted connection: tune it and hand it over. */
static void
listener_accept(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener *l = arg;
	int one = 1;

	(void)lev;
	(void)salen;
	if (sa != NULL && (sa->sa_family == AF_INET || sa->sa_family == AF_INET6))
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
	evconnlistener_enable(l->lev);
}

/* accept failed: pause on resource exhaustion, otherwise log it. */
static void
listener_error(struct evconnlistener *lev, void *arg)
{
	struct listener *l = arg;
	struct timeval tv = { 1, 0 };
	int err = EVUTIL_SOCKET_ERROR();

	(void)lev;
	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
		log_warn("listener", "%s: accept: %s; pausing for 1 s", l->name,
		    strerror(err));
		evconnlistener_disable(l->lev);
		evtimer_add(l->rearm, &tv);
		return;
	}
	log_warn("listener", "%s: accept: %s", l->name, strerror(err));
}

/* Listen on an address; cb gets each accepted non-blocking descriptor. */
struct listener *
listener_new(struct event_base *base, const struct addr *a,
    void (*cb)(int, void *), void *arg, char **cause)
{
	struct listener *l;
	struct stat sb;
	int fd;

	if ((fd = sock_listen(a, cause)) == -1)
		return NULL;
	l = xcalloc(1, sizeof *l);
	addr_copy(&l->addr, a);
	l->cb = cb;
	l->arg = arg;
	l->name = sock_local_name(fd, a);
	if (a->kind == ADDR_UNIX && stat(a->path, &sb) == 0) {
		l->dev = sb.st_dev;
		l->ino = sb.st_ino;
	}
	l->lev = evconnlistener_new(base, listener_accept, l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (l->lev == NULL)
		fatalx("evconnlistener_new failed");
	evconnlistener_set_error_cb(l->lev, listener_error);
	l->rearm = evtimer_new(base, listener_rearm, l);
	return l;
}

/* Stop listening; remove the socket file if it is still the one we made. */
void
listener_free(struct listener *l)
{
	struct stat sb;

	if (l == NULL)
		return;
	evconnlistener_free(l->lev);
	event_free(l->rearm);
	if (l->addr.kind == ADDR_UNIX && stat(l->addr.path, &sb) == 0 &&
	    sb.st_dev == l->dev && sb.st_ino == l->ino)
		unlink(l->addr.path);
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

/* SPDX-License-Identifier: MIT */
/*
 * usbmux.c: the iOS side of a route: connections to a port of a device
 * attached over USB, made through usbmuxd with libusbmuxd; this file is
 * the loop's side of it (start, connect, cancel, status, stop).
 *
 * libusbmuxd is loaded when the first usbmux starts (usbmux_lib.c). It
 * blocks, so its calls run on a worker thread of ours, one request at a
 * time (usbmux_worker.c), and the device list is kept from usbmuxd's
 * Listen events (Attached, Detached) that libusbmuxd's own monitor thread
 * delivers (usbmux_devs.c). Both hand their results to the loop through
 * a socketpair the loop watches, with a mutex over the shared queues
 * (usbmux_shared.c): this needs nothing from libevent's thread support
 * (evthread_use_pthreads would have to be called before the daemon
 * creates its base, and would put a lock on every event operation of the
 * relay's hot path for the sake of a rare connect), and a thread that
 * outlives its usbmux (stuck in a slow usbmuxd) writes to a socket whose
 * reader is gone rather than to a freed event. Callbacks to the owner
 * always run on the loop.
 *
 * usbmuxd's address is libusbmuxd's: $USBMUXD_SOCKET_ADDRESS
 * ("UNIX:/path" or "HOST:PORT"), else /var/run/usbmuxd.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dsrouterd.h"
#include "device.h"

#ifdef HAVE_USBMUXD
#define USBMUX_DEFAULT_SOCKET "/var/run/usbmuxd"

/* The loop's side. */
struct usbmux {
	struct event_base *base;
	struct usbmux_shared *sh;
	pthread_t worker;
	void *sub;                 /* usbmuxd's events, or NULL */
	int wake_r;
	struct event *ev_wake;
	char *tag;
	int dispatching;           /* calling back: a free waits */
	int dying;
};

/* Free the loop's side (nothing is calling back). */
static void
usbmux_destroy(struct usbmux *u)
{
	/* Returns at once; no event for sh after this. */
	usbmux_lib_unsubscribe(u->sub);
	usbmux_shared_stop(u->sh);
	/* A worker in a slow usbmuxd finishes on its own, then lets go. */
	pthread_detach(u->worker);
	event_free(u->ev_wake);
	close(u->wake_r);
	usbmux_shared_release(u->sh);
	free(u->tag);
	free(u);
}

/* Log what the threads left for the loop to say. */
static void
usbmux_log_notes(struct usbmux *u)
{
	struct usbmux_shared *sh = u->sh;
	struct usbmux_notes notes;
	struct usbmux_note *n;

	TAILQ_INIT(&notes);
	pthread_mutex_lock(&sh->lock);
	TAILQ_CONCAT(&notes, &sh->notes, entry);
	pthread_mutex_unlock(&sh->lock);
	while ((n = TAILQ_FIRST(&notes)) != NULL) {
		TAILQ_REMOVE(&notes, n, entry);
		log_msg(n->level, u->tag, "%s", n->text);
		free(n->text);
		free(n);
	}
}

/* The loop's wake-up: log the notes, hand out the results. */
static void
usbmux_dispatch(evutil_socket_t fd, short events, void *arg)
{
	struct usbmux *u = arg;
	struct usbmux_shared *sh = u->sh;
	struct usbmux_req *r;
	char buf[64];

	(void)events;
	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
	usbmux_log_notes(u);
	u->dispatching = 1;
	while (!u->dying) {
		pthread_mutex_lock(&sh->lock);
		if ((r = TAILQ_FIRST(&sh->done)) != NULL)
			TAILQ_REMOVE(&sh->done, r, entry);
		pthread_mutex_unlock(&sh->lock);
		if (r == NULL)
			break;
		if (r->cancelled) {
			if (r->fd != -1)
				close(r->fd);
		} else {
			if (r->fd == -1)
				log_debug(u->tag, "usbmux: %s", r->why);
			r->cb(r->fd, r->why, r->arg);
		}
		free(r->why);
		free(r);
	}
	u->dispatching = 0;
	if (u->dying)
		usbmux_destroy(u);
}

/* usbmuxd's address as libusbmuxd will use it, for messages. */
static char *
usbmux_where(void)
{
	const char *v = getenv("USBMUXD_SOCKET_ADDRESS");

	if (v == NULL || *v == '\0')
		return xstrdup(USBMUX_DEFAULT_SOCKET);
	if (strncmp(v, "UNIX:", 5) == 0)
		return xstrdup(v + 5);
	return xstrdup(v);
}

/* The loop's side, watching the socket the threads wake it through. */
static struct usbmux *
usbmux_alloc(struct event_base *base, const char *udid, uint16_t port,
    const char *tag, const int sv[2])
{
	struct usbmux *u;
	char *where;

	u = xcalloc(1, sizeof *u);
	u->base = base;
	where = usbmux_where();
	u->sh = usbmux_shared_new(udid, port, where, sv[1]);
	free(where);
	u->wake_r = sv[0];
	u->tag = xstrdup(tag != NULL ? tag : "usbmux");
	u->ev_wake = event_new(base, sv[0], EV_READ | EV_PERSIST,
	    usbmux_dispatch, u);
	if (u->ev_wake == NULL || event_add(u->ev_wake, NULL) != 0)
		fatalx("out of memory watching usbmux");
	return u;
}

/* Follow usbmuxd's devices; without that, each connection asks usbmuxd. */
static void
usbmux_subscribe(struct usbmux *u)
{
	int e = 0;

	/*
	 * With a socket path of our own, libusbmuxd's inotify would wait for
	 * /var/run/usbmuxd to appear and never try ours again: poll it (1 s).
	 */
	if (getenv("USBMUXD_SOCKET_ADDRESS") != NULL)
		usbmux_lib_poll_socket();
	if ((u->sub = usbmux_lib_subscribe(usbmux_devs_event, u->sh, &e)) ==
	    NULL)
		log_warn(u->tag, "usbmux: cannot follow devices (%s): each "
		    "connection asks usbmuxd", strerror(e));
}

/*
 * Start reaching port on an iOS device (udid, or the first attached, USB
 * preferred) through usbmuxd. Returns at once: usbmuxd not running is
 * logged (from the loop) and reported to each usbmux_connect, not here.
 * NULL with *cause when libusbmuxd cannot be loaded, or the process
 * cannot make a thread or socket.
 */
struct usbmux *
usbmux_new(struct event_base *base, const char *udid, uint16_t port,
    const char *tag, char **cause)
{
	struct usbmux_req *probe;
	struct usbmux *u;
	int sv[2], rc;

	if (port == 0) {
		xasprintf(cause, "usbmux: device port 0");
		return NULL;
	}
	if (usbmux_lib_load(cause) != 0)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) != 0) {
		xasprintf(cause, "usbmux: socketpair: %s", strerror(errno));
		return NULL;
	}
	u = usbmux_alloc(base, udid, port, tag, sv);

	/* The first request is the probe: it says if usbmuxd is absent. */
	probe = xcalloc(1, sizeof *probe);
	probe->fd = -1;
	TAILQ_INSERT_TAIL(&u->sh->queue, probe, entry);
	if ((rc = usbmux_worker_start(u->sh, &u->worker)) != 0) {
		xasprintf(cause, "usbmux: cannot start a thread: %s",
		    strerror(rc));
		u->sh->refs = 1;
		event_free(u->ev_wake);
		close(u->wake_r);
		usbmux_shared_release(u->sh);
		free(u->tag);
		free(u);
		return NULL;
	}
	usbmux_subscribe(u);
	log_info(u->tag, "iOS device %s, port %u, through usbmuxd at %s",
	    udid != NULL ? udid : "(the first attached)", (unsigned)port,
	    u->sh->where);
	return u;
}

/*
 * Connect to the device's port. cb is called later, from the loop, with
 * a connected non-blocking descriptor (the caller's to close), or with -1
 * and a reason ("no device attached", "usbmuxd not running at ...").
 * Requests are served in order, one at a time.
 */
void
usbmux_connect(struct usbmux *u, usbmux_cb cb, void *arg)
{
	struct usbmux_shared *sh = u->sh;
	struct usbmux_req *r;

	r = xcalloc(1, sizeof *r);
	r->cb = cb;
	r->arg = arg;
	r->fd = -1;
	pthread_mutex_lock(&sh->lock);
	TAILQ_INSERT_TAIL(&sh->queue, r, entry);
	pthread_cond_signal(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
}

/* Forget every connection asked for with arg: its callback is not called. */
void
usbmux_cancel(struct usbmux *u, void *arg)
{
	struct usbmux_shared *sh = u->sh;
	struct usbmux_req *r, *next;

	pthread_mutex_lock(&sh->lock);
	for (r = TAILQ_FIRST(&sh->queue); r != NULL; r = next) {
		next = TAILQ_NEXT(r, entry);
		if (r->cb != NULL && r->arg == arg) {
			TAILQ_REMOVE(&sh->queue, r, entry);
			free(r);
		}
	}
	if (sh->current != NULL && sh->current->arg == arg &&
	    sh->current->cb != NULL)
		sh->current->cancelled = 1;
	TAILQ_FOREACH(r, &sh->done, entry) {
		if (r->arg == arg)
			r->cancelled = 1;
	}
	pthread_mutex_unlock(&sh->lock);
}

/* The devices usbmuxd told of, for a status command. */
size_t
usbmux_devices(struct usbmux *u, struct device_state **out)
{
	return usbmux_devs_state(u->sh, out);
}

/* How many devices are attached, as usbmuxd's events say. */
unsigned
usbmux_attached(struct usbmux *u)
{
	return usbmux_devs_attached(u->sh);
}

/*
 * Stop: no callback is called after this. Pending connections are
 * dropped; one the worker is making is closed when made (the worker
 * is not waited for: a slow usbmuxd cannot hold up the loop).
 */
void
usbmux_free(struct usbmux *u)
{
	if (u == NULL)
		return;
	if (u->dispatching) {
		u->dying = 1;
		return;
	}
	usbmux_destroy(u);
}

#else /* !HAVE_USBMUXD */

/* Built without libusbmuxd: the ios preset cannot work; say how to get it. */
struct usbmux *
usbmux_new(struct event_base *base, const char *udid, uint16_t port,
    const char *tag, char **cause)
{
	(void)base;
	(void)udid;
	(void)port;
	(void)tag;
	xasprintf(cause, "built without usbmux support: iOS devices cannot "
	    "be reached (install libusbmuxd-dev and rebuild)");
	return NULL;
}

/* Never called: there is no usbmux. */
void
usbmux_connect(struct usbmux *u, usbmux_cb cb, void *arg)
{
	(void)u;
	cb(-1, "built without usbmux support", arg);
}

/* Nothing to cancel. */
void
usbmux_cancel(struct usbmux *u, void *arg)
{
	(void)u;
	(void)arg;
}

/* No devices. */
size_t
usbmux_devices(struct usbmux *u, struct device_state **out)
{
	(void)u;
	*out = NULL;
	return 0;
}

/* No devices. */
unsigned
usbmux_attached(struct usbmux *u)
{
	(void)u;
	return 0;
}

/* Nothing to free. */
void
usbmux_free(struct usbmux *u)
{
	(void)u;
}

#endif /* HAVE_USBMUXD */

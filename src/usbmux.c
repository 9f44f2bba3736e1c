/*
 * usbmux.c: the iOS side of a route: connections to a port of a device
 * attached over USB, made through usbmuxd with libusbmuxd.
 *
 * libusbmuxd blocks (a Connect waits up to 5 s for usbmuxd's answer, a
 * TCP usbmuxd address connects synchronously), so its calls run on a
 * worker thread of ours, one request at a time, and the device list is
 * kept from usbmuxd's Listen events (Attached, Detached) that
 * libusbmuxd's own monitor thread delivers. Both hand their results to
 * the loop through a socketpair the loop watches, with a mutex over the
 * shared queues: this needs nothing from libevent's thread support
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
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "dsrouterd.h"
#include "device.h"

#ifdef HAVE_USBMUXD
#include <usbmuxd.h>

#define USBMUX_DEFAULT_SOCKET "/var/run/usbmuxd"

/* A connection asked for, then its result. */
struct usbmux_req {
	usbmux_cb cb;              /* NULL: the start-up probe */
	void *arg;
	int fd;
	char *why;                 /* when fd is -1 */
	int cancelled;
	TAILQ_ENTRY(usbmux_req) entry;
};
TAILQ_HEAD(usbmux_reqs, usbmux_req);

/* A line for the loop to log (threads do not log). */
struct usbmux_note {
	enum log_level level;
	char *text;
	TAILQ_ENTRY(usbmux_note) entry;
};
TAILQ_HEAD(usbmux_notes, usbmux_note);

/* A device usbmuxd told of. */
struct usbmux_dev {
	uint32_t handle;
	char udid[48];
	int usb;                   /* over USB (else the network) */
	int attached;
	time_t since;
};

/*
 * What the loop, our worker and libusbmuxd's monitor share, under lock.
 * Held by the loop's usbmux and by the worker: the last to let go frees.
 */
struct usbmux_shared {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs;
	int stop;
	int wake_w;                /* a byte here wakes the loop */
	char *udid;                /* only this device, or NULL */
	uint16_t port;
	char *where;               /* usbmuxd's address, for messages */
	struct usbmux_reqs queue;  /* for the worker */
	struct usbmux_req *current; /* with the worker */
	struct usbmux_reqs done;   /* for the loop */
	struct usbmux_notes notes;
	struct usbmux_dev devs[USBMUX_MAX_DEVICES];
	size_t ndevs;
};

/* The loop's side. */
struct usbmux {
	struct event_base *base;
	struct usbmux_shared *sh;
	pthread_t worker;
	usbmuxd_subscription_context_t sub;
	int subscribed;
	int wake_r;
	struct event *ev_wake;
	char *tag;
	int dispatching;           /* calling back: a free waits */
	int dying;
};

/* Queue a line for the loop to log (lock held). */
static void DSR_PRINTFLIKE(3, 4)
usbmux_note(struct usbmux_shared *sh, enum log_level level, const char *fmt, ...)
{
	struct usbmux_note *n;
	va_list ap;

	n = xcalloc(1, sizeof *n);
	n->level = level;
	va_start(ap, fmt);
	xvasprintf(&n->text, fmt, ap);
	va_end(ap);
	TAILQ_INSERT_TAIL(&sh->notes, n, entry);
}

/* Wake the loop (any thread; never blocks, never raises SIGPIPE). */
static void
usbmux_wake(struct usbmux_shared *sh)
{
	char c = 'w';

	(void)send(sh->wake_w, &c, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Let go of the shared part; the last holder frees it. */
static void
usbmux_release(struct usbmux_shared *sh)
{
	struct usbmux_req *r;
	struct usbmux_note *n;
	int last;

	pthread_mutex_lock(&sh->lock);
	last = --sh->refs == 0;
	pthread_mutex_unlock(&sh->lock);
	if (!last)
		return;
	while ((r = TAILQ_FIRST(&sh->queue)) != NULL) {
		TAILQ_REMOVE(&sh->queue, r, entry);
		free(r);
	}
	while ((r = TAILQ_FIRST(&sh->done)) != NULL) {
		TAILQ_REMOVE(&sh->done, r, entry);
		if (r->fd != -1)
			close(r->fd);
		free(r->why);
		free(r);
	}
	while ((n = TAILQ_FIRST(&sh->notes)) != NULL) {
		TAILQ_REMOVE(&sh->notes, n, entry);
		free(n->text);
		free(n);
	}
	close(sh->wake_w);
	pthread_mutex_destroy(&sh->lock);
	pthread_cond_destroy(&sh->cond);
	free(sh->udid);
	free(sh->where);
	free(sh);
}

/* Whether two UDIDs are the same, ignoring case and dashes. */
static int
usbmux_udid_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-')
			a++;
		while (*b == '-')
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if ((*a | 0x20) != (*b | 0x20))
			return 0;
		a++;
		b++;
	}
}

/* The entry of a handle, or of a UDID if given, or NULL (lock held). */
static struct usbmux_dev *
usbmux_dev_find(struct usbmux_shared *sh, uint32_t handle, const char *udid)
{
	size_t i;

	for (i = 0; i < sh->ndevs; i++) {
		if (sh->devs[i].handle == handle)
			return &sh->devs[i];
	}
	/* A device plugged back gets a new handle: one entry per device. */
	for (i = 0; udid != NULL && i < sh->ndevs; i++) {
		if (!sh->devs[i].attached && strcmp(sh->devs[i].udid, udid) == 0)
			return &sh->devs[i];
	}
	return NULL;
}

/* A new entry: a free slot, else the longest-detached one (lock held). */
static struct usbmux_dev *
usbmux_dev_slot(struct usbmux_shared *sh)
{
	struct usbmux_dev *old = NULL;
	size_t i;

	if (sh->ndevs < USBMUX_MAX_DEVICES)
		return &sh->devs[sh->ndevs++];
	for (i = 0; i < sh->ndevs; i++) {
		if (!sh->devs[i].attached &&
		    (old == NULL || sh->devs[i].since < old->since))
			old = &sh->devs[i];
	}
	return old;
}

/*
 * usbmuxd's Listen events, on libusbmuxd's monitor thread (or, at
 * unsubscribe, the loop's): keep the device list, tell the loop.
 */
static void
usbmux_event(const usbmuxd_event_t *ev, void *arg)
{
	struct usbmux_shared *sh = arg;
	struct usbmux_dev *d;
	int old;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_mutex_lock(&sh->lock);
	if (sh->udid != NULL && !usbmux_udid_eq(sh->udid, ev->device.udid))
		goto out;
	switch (ev->event) {
	case UE_DEVICE_ADD:
		if ((d = usbmux_dev_find(sh, ev->device.handle,
		    ev->device.udid)) == NULL &&
		    (d = usbmux_dev_slot(sh)) == NULL)
			break;
		if ((!d->attached || d->handle != ev->device.handle) && !sh->stop)
			usbmux_note(sh, LOG_LEVEL_INFO, "device %s attached "
			    "(%s, usbmux id %u)", ev->device.udid,
			    ev->device.conn_type == CONNECTION_TYPE_USB ? "USB" :
			    "network", (unsigned)ev->device.handle);
		d->handle = ev->device.handle;
		snprintf(d->udid, sizeof d->udid, "%s", ev->device.udid);
		d->usb = ev->device.conn_type == CONNECTION_TYPE_USB;
		d->attached = 1;
		d->since = time(NULL);
		break;
	case UE_DEVICE_REMOVE:
		if ((d = usbmux_dev_find(sh, ev->device.handle, NULL)) == NULL ||
		    !d->attached)
			break;
		d->attached = 0;
		d->since = time(NULL);
		if (!sh->stop)
			usbmux_note(sh, LOG_LEVEL_INFO, "device %s detached",
			    d->udid);
		break;
	default:
		break;
	}
out:
	pthread_mutex_unlock(&sh->lock);
	usbmux_wake(sh);
	pthread_setcancelstate(old, NULL);
}

/* Choose a device from the list kept from events: handle, or 0 (lock held). */
static uint32_t
usbmux_pick(struct usbmux_shared *sh, char *udid, size_t udidlen)
{
	struct usbmux_dev *best = NULL;
	size_t i;

	for (i = 0; i < sh->ndevs; i++) {
		if (!sh->devs[i].attached)
			continue;
		if (best == NULL || (sh->devs[i].usb && !best->usb))
			best = &sh->devs[i];
	}
	if (best == NULL)
		return 0;
	snprintf(udid, udidlen, "%s", best->udid);
	return best->handle;
}

/*
 * Ask usbmuxd directly (worker): the first device (USB preferred) or the
 * one wanted. 1 with a handle, 0 when there is none, -1 when usbmuxd
 * cannot be reached.
 */
static int
usbmux_lookup(struct usbmux_shared *sh, uint32_t *handle, char *udid,
    size_t udidlen)
{
	usbmuxd_device_info_t *list = NULL, *best = NULL;
	int n, i;

	if ((n = usbmuxd_get_device_list(&list)) < 0)
		return -1;
	for (i = 0; i < n && list[i].handle != 0; i++) {
		if (sh->udid != NULL && !usbmux_udid_eq(sh->udid, list[i].udid))
			continue;
		if (best == NULL || (list[i].conn_type == CONNECTION_TYPE_USB &&
		    best->conn_type != CONNECTION_TYPE_USB))
			best = &list[i];
	}
	if (best != NULL) {
		*handle = best->handle;
		snprintf(udid, udidlen, "%s", best->udid);
	}
	usbmuxd_device_list_free(&list);
	return best != NULL ? 1 : 0;
}

/* Why usbmuxd cannot be reached: a probe of a Unix address gives errno. */
static char *
usbmux_unreachable(const struct usbmux_shared *sh)
{
	struct sockaddr_un sun;
	char *s;
	int fd, e = 0;

	if (sh->where[0] == '/' && strlen(sh->where) < sizeof sun.sun_path) {
		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, sh->where, strlen(sh->where));
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd != -1) {
			if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0)
				e = errno;
			close(fd);
		}
	}
	xasprintf(&s, "usbmuxd not running at %s%s%s (start it: Debian "
	    "apt-get install usbmuxd; or set USBMUXD_SOCKET_ADDRESS)",
	    sh->where, e != 0 ? ": " : "", e != 0 ? strerror(e) : "");
	return s;
}

/* Make one connection (worker, unlocked): fd, or -1 and *why. */
static int
usbmux_do_connect(struct usbmux_shared *sh, char **why)
{
	char udid[48] = "";
	uint32_t handle;
	int fd, rc;

	pthread_mutex_lock(&sh->lock);
	handle = usbmux_pick(sh, udid, sizeof udid);
	pthread_mutex_unlock(&sh->lock);
	if (handle == 0) {
		/* No event yet (just started, or none attached): ask. */
		if ((rc = usbmux_lookup(sh, &handle, udid, sizeof udid)) < 0) {
			*why = usbmux_unreachable(sh);
			return -1;
		}
		if (rc == 0) {
			if (sh->udid != NULL)
				xasprintf(why, "no device attached (device %s "
				    "is not attached to usbmuxd at %s)",
				    sh->udid, sh->where);
			else
				*why = xstrdup("no device attached");
			return -1;
		}
	}
	fd = usbmuxd_connect(handle, sh->port);
	if (fd >= 0) {
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
		    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
			xasprintf(why, "device %s: %s", udid, strerror(errno));
			close(fd);
			return -1;
		}
		return fd;
	}
	switch (-fd) {
	case ECONNREFUSED:
		xasprintf(why, "device %s: nothing listens on port %u (is the "
		    "app running, with DOTNET_DiagnosticPorts=127.0.0.1:%u,"
		    "listen?)", udid, (unsigned)sh->port, (unsigned)sh->port);
		break;
	case ENODEV:
		xasprintf(why, "device %s was detached", udid);
		break;
	case EBADF:
		xasprintf(why, "usbmuxd at %s did not accept the connection to "
		    "device %s port %u", sh->where, udid, (unsigned)sh->port);
		break;
	default:
		if (-fd == ENOENT || -fd == ECONNREFUSED || -fd == EACCES)
			*why = usbmux_unreachable(sh);
		else
			xasprintf(why, "usbmuxd at %s: %s", sh->where,
			    strerror(-fd));
		break;
	}
	return -1;
}

/* The start-up probe (worker): say early when usbmuxd is not there. */
static void
usbmux_probe(struct usbmux_shared *sh)
{
	char udid[48], *why;
	uint32_t handle;
	int rc;

	rc = usbmux_lookup(sh, &handle, udid, sizeof udid);
	pthread_mutex_lock(&sh->lock);
	if (rc < 0) {
		why = usbmux_unreachable(sh);
		usbmux_note(sh, LOG_LEVEL_WARN, "%s: iOS devices cannot be "
		    "reached until it runs", why);
		free(why);
	} else if (rc == 0)
		usbmux_note(sh, LOG_LEVEL_INFO, "no device attached to usbmuxd "
		    "at %s yet", sh->where);
	pthread_mutex_unlock(&sh->lock);
	usbmux_wake(sh);
}

/* The worker: one request at a time until told to stop. */
static void *
usbmux_worker(void *arg)
{
	struct usbmux_shared *sh = arg;
	struct usbmux_req *r;
	char *why;
	int fd;

	pthread_mutex_lock(&sh->lock);
	for (;;) {
		while (!sh->stop && TAILQ_EMPTY(&sh->queue))
			pthread_cond_wait(&sh->cond, &sh->lock);
		if (sh->stop)
			break;
		r = TAILQ_FIRST(&sh->queue);
		TAILQ_REMOVE(&sh->queue, r, entry);
		sh->current = r;
		pthread_mutex_unlock(&sh->lock);

		why = NULL;
		fd = -1;
		if (r->cb == NULL)
			usbmux_probe(sh);
		else
			fd = usbmux_do_connect(sh, &why);

		pthread_mutex_lock(&sh->lock);
		sh->current = NULL;
		if (r->cb == NULL || r->cancelled || sh->stop) {
			if (fd != -1)
				close(fd);
			free(why);
			free(r);
			continue;
		}
		r->fd = fd;
		r->why = why;
		TAILQ_INSERT_TAIL(&sh->done, r, entry);
		usbmux_wake(sh);
	}
	pthread_mutex_unlock(&sh->lock);
	usbmux_release(sh);
	return NULL;
}

/* Free the loop's side (nothing is calling back). */
static void
usbmux_destroy(struct usbmux *u)
{
	struct usbmux_shared *sh = u->sh;
	struct usbmux_req *r;

	/* Joins libusbmuxd's monitor when we were its last listener. */
	if (u->subscribed)
		usbmuxd_events_unsubscribe(u->sub);
	pthread_mutex_lock(&sh->lock);
	sh->stop = 1;
	while ((r = TAILQ_FIRST(&sh->queue)) != NULL) {
		TAILQ_REMOVE(&sh->queue, r, entry);
		free(r);
	}
	if (sh->current != NULL)
		sh->current->cancelled = 1;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
	/* A worker in a slow usbmuxd finishes on its own, then frees sh. */
	pthread_detach(u->worker);
	event_free(u->ev_wake);
	close(u->wake_r);
	usbmux_release(sh);
	free(u->tag);
	free(u);
}

/* The loop's wake-up: log the notes, hand out the results. */
static void
usbmux_dispatch(evutil_socket_t fd, short events, void *arg)
{
	struct usbmux *u = arg;
	struct usbmux_shared *sh = u->sh;
	struct usbmux_notes notes;
	struct usbmux_note *n;
	struct usbmux_req *r;
	char buf[64];

	(void)events;
	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
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

/* Start a thread with every signal blocked: signals are the loop's. */
static int
usbmux_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/*
 * Start reaching port on an iOS device (udid, or the first attached, USB
 * preferred) through usbmuxd. Returns at once: usbmuxd not running is
 * logged (from the loop) and reported to each usbmux_connect, not here.
 * NULL with *cause only when the process cannot make a thread or socket.
 */
struct usbmux *
usbmux_new(struct event_base *base, const char *udid, uint16_t port,
    const char *tag, char **cause)
{
	struct usbmux_shared *sh;
	struct usbmux_req *probe;
	struct usbmux *u;
	sigset_t all, old;
	int sv[2], rc;

	if (port == 0) {
		xasprintf(cause, "usbmux: device port 0");
		return NULL;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) != 0) {
		xasprintf(cause, "usbmux: socketpair: %s", strerror(errno));
		return NULL;
	}
	sh = xcalloc(1, sizeof *sh);
	pthread_mutex_init(&sh->lock, NULL);
	pthread_cond_init(&sh->cond, NULL);
	sh->refs = 2;
	sh->wake_w = sv[1];
	sh->udid = udid != NULL ? xstrdup(udid) : NULL;
	sh->port = port;
	sh->where = usbmux_where();
	TAILQ_INIT(&sh->queue);
	TAILQ_INIT(&sh->done);
	TAILQ_INIT(&sh->notes);

	u = xcalloc(1, sizeof *u);
	u->base = base;
	u->sh = sh;
	u->wake_r = sv[0];
	u->tag = xstrdup(tag != NULL ? tag : "usbmux");
	u->ev_wake = event_new(base, sv[0], EV_READ | EV_PERSIST,
	    usbmux_dispatch, u);
	if (u->ev_wake == NULL || event_add(u->ev_wake, NULL) != 0)
		fatalx("out of memory watching usbmux");

	/* The first connection is the probe: it says if usbmuxd is absent. */
	probe = xcalloc(1, sizeof *probe);
	probe->fd = -1;
	TAILQ_INSERT_TAIL(&sh->queue, probe, entry);
	if ((rc = usbmux_thread(&u->worker, usbmux_worker, sh)) != 0) {
		xasprintf(cause, "usbmux: cannot start a thread: %s",
		    strerror(rc));
		sh->refs = 1;
		event_free(u->ev_wake);
		close(u->wake_r);
		usbmux_release(sh);
		free(u->tag);
		free(u);
		return NULL;
	}
	/*
	 * With a socket path of our own, libusbmuxd's inotify would wait for
	 * /var/run/usbmuxd to appear and never try ours again: poll it (1 s).
	 */
	if (getenv("USBMUXD_SOCKET_ADDRESS") != NULL)
		libusbmuxd_set_use_inotify(0);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = usbmuxd_events_subscribe(&u->sub, usbmux_event, sh);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		u->subscribed = 1;
	else
		log_warn(u->tag, "usbmux: cannot follow devices (%s): each "
		    "connection asks usbmuxd", strerror(-rc));
	log_info(u->tag, "iOS device %s, port %u, through usbmuxd at %s",
	    udid != NULL ? udid : "(the first attached)", (unsigned)port,
	    sh->where);
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
	struct usbmux_shared *sh = u->sh;
	char *state;
	size_t i, n = 0;

	*out = NULL;
	pthread_mutex_lock(&sh->lock);
	if (sh->ndevs > 0)
		*out = xcalloc(sh->ndevs, sizeof **out);
	for (i = 0; i < sh->ndevs; i++) {
		if (sh->devs[i].attached)
			xasprintf(&state, "attached (%s, usbmux id %u)",
			    sh->devs[i].usb ? "USB" : "network",
			    (unsigned)sh->devs[i].handle);
		else
			state = xstrdup("detached");
		device_state_fill(&(*out)[n++], sh->devs[i].udid, state,
		    sh->devs[i].since);
		free(state);
	}
	pthread_mutex_unlock(&sh->lock);
	return n;
}

/* How many devices are attached, as usbmuxd's events say. */
unsigned
usbmux_attached(struct usbmux *u)
{
	struct usbmux_shared *sh = u->sh;
	unsigned n = 0;
	size_t i;

	pthread_mutex_lock(&sh->lock);
	for (i = 0; i < sh->ndevs; i++) {
		if (sh->devs[i].attached)
			n++;
	}
	pthread_mutex_unlock(&sh->lock);
	return n;
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

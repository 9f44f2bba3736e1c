/* SPDX-License-Identifier: MIT */
/*
 * usbmux_lib.c: libusbmuxd, loaded with dlopen(3) when the first usbmux
 * route starts, and the six of its functions dsrouterd uses, in
 * dsrouterd's terms. A daemon without an iOS route never maps libusbmuxd
 * or libplist (idle memory). This is the only file that sees libusbmuxd's
 * types.
 *
 * The library is loaded once per process and never unloaded: libusbmuxd
 * keeps process-wide state (its device monitor thread, its device list),
 * and a worker abandoned in a slow usbmuxd may still be inside it. So the
 * table of its functions is this file's own, written once, on the loop,
 * before any thread that reads it exists. Built only with libusbmuxd's
 * headers (configure: HAVE_USBMUXD).
 *
 * libusbmuxd's device monitor, once started, runs until the process
 * ends: the first subscription also registers one of this file's that is
 * never removed. When its last listener leaves, libusbmuxd (2.0.2, and
 * its master still) cancels the monitor and joins it; but a monitor
 * that finds usbmuxd's socket file absent then loops on stat(2) without
 * reaching a cancellation point, and usbmuxd_events_unsubscribe waits
 * for it for ever (the daemon's loop with it); otherwise the join waits
 * for the monitor's 1 s sleep or its connect time-out. With a listener
 * always left, unsubscribing never joins: the monitor sleeps between
 * tries, or holds usbmuxd's Listen connection, at the cost of one
 * thread after the last iOS route is gone.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <usbmuxd.h>

#include "dsrouterd.h"
#include "device.h"

/* libusbmuxd's functions, as its header declares them. */
struct usbmux_lib {
	int (*get_device_list)(usbmuxd_device_info_t **);
	int (*device_list_free)(usbmuxd_device_info_t **);
	int (*connect)(const uint32_t, const unsigned short);
	int (*events_subscribe)(usbmuxd_subscription_context_t *,
	    usbmuxd_event_cb_t, void *);
	int (*events_unsubscribe)(usbmuxd_subscription_context_t);
	void (*set_use_inotify)(int);
};

/* Their names, and where each goes in the table. */
static const struct dynlib_sym usbmux_lib_syms[] = {
	{ "usbmuxd_get_device_list",
	  offsetof(struct usbmux_lib, get_device_list) },
	{ "usbmuxd_device_list_free",
	  offsetof(struct usbmux_lib, device_list_free) },
	{ "usbmuxd_connect", offsetof(struct usbmux_lib, connect) },
	{ "usbmuxd_events_subscribe",
	  offsetof(struct usbmux_lib, events_subscribe) },
	{ "usbmuxd_events_unsubscribe",
	  offsetof(struct usbmux_lib, events_unsubscribe) },
	{ "libusbmuxd_set_use_inotify",
	  offsetof(struct usbmux_lib, set_use_inotify) },
};

/* The loaded library's functions (process-wide, like the library). */
static struct usbmux_lib usbmux_lib;
static int usbmux_lib_loaded;

/* The subscription that keeps the device monitor running (never removed). */
static usbmuxd_subscription_context_t usbmux_lib_anchor;

/* A subscription: whom to tell of devices. */
struct usbmux_lib_sub {
	usbmuxd_subscription_context_t ctx;
	usbmux_lib_cb cb;
	void *arg;
};

/* What to install when libusbmuxd cannot be loaded: one line's end. */
#define USBMUX_LIB_HINT \
	"iOS devices cannot be reached without it (Debian: apt-get install " \
	USBMUXD_PACKAGE ")"

/*
 * Load the first of names (a NULL-terminated list) that dlopen finds and
 * take its functions into the table: 0, or -1 with a one-line *cause.
 */
int
usbmux_lib_open(const char *const *names, char **cause)
{
	static const struct dynlib_what what = { "usbmux",
	    "libusbmuxd 2.0 or later is needed", USBMUX_LIB_HINT };
	struct usbmux_lib lib;
	void *h;

	memset(&lib, 0, sizeof lib);
	if ((h = dynlib_open(names, usbmux_lib_syms, sizeof usbmux_lib_syms /
	    sizeof usbmux_lib_syms[0], &lib, &what, cause)) == NULL)
		return -1;
	if (usbmux_lib_loaded) {
		/* Already in use (threads read the table): keep it. */
		dlclose(h);
		return 0;
	}
	usbmux_lib = lib;
	usbmux_lib_loaded = 1;
	return 0;
}

/* Load libusbmuxd, once: the soname the build linked against, else the .so. */
int
usbmux_lib_load(char **cause)
{
	static const char *const names[] = {
		USBMUXD_SONAME, USBMUXD_LIBNAME, NULL
	};

	if (usbmux_lib_loaded)
		return 0;
	return usbmux_lib_open(names, cause);
}

/* Our copy of libusbmuxd's description of a device. */
static void
usbmux_lib_dev(struct usbmux_lib_dev *d, const usbmuxd_device_info_t *info)
{
	memset(d, 0, sizeof *d);
	d->handle = info->handle;
	snprintf(d->udid, sizeof d->udid, "%.*s", (int)sizeof info->udid,
	    info->udid);
	d->usb = info->conn_type == CONNECTION_TYPE_USB;
}

/*
 * The devices attached to usbmuxd, asked now (blocks: a thread's call):
 * how many in *out (free it), or -1 when usbmuxd cannot be reached.
 */
int
usbmux_lib_devices(struct usbmux_lib_dev **out)
{
	usbmuxd_device_info_t *list = NULL;
	int n, i;

	*out = NULL;
	if ((n = usbmux_lib.get_device_list(&list)) < 0)
		return -1;
	for (i = 0; i < n && list[i].handle != 0; i++)
		;
	n = i;
	*out = xcalloc((size_t)n + 1, sizeof **out);
	for (i = 0; i < n; i++)
		usbmux_lib_dev(&(*out)[i], &list[i]);
	usbmux_lib.device_list_free(&list);
	return n;
}

/* Connect to a device's port (blocks): a descriptor, or -errno. */
int
usbmux_lib_connect(uint32_t handle, uint16_t port)
{
	return usbmux_lib.connect(handle, port);
}

/*
 * An event from libusbmuxd's monitor thread, passed on in our terms. Not
 * cancelled half-way: libusbmuxd cancels its monitor when the last
 * listener goes, and cb holds a lock.
 */
static void
usbmux_lib_event(const usbmuxd_event_t *ev, void *arg)
{
	struct usbmux_lib_sub *sub = arg;
	struct usbmux_lib_dev d;
	int old;

	if (ev->event != UE_DEVICE_ADD && ev->event != UE_DEVICE_REMOVE)
		return;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	usbmux_lib_dev(&d, &ev->device);
	sub->cb(ev->event == UE_DEVICE_ADD, &d, sub->arg);
	pthread_setcancelstate(old, NULL);
}

/* The monitor's events for the subscription that keeps it: none wanted. */
static void
usbmux_lib_anchor_event(const usbmuxd_event_t *ev, void *arg)
{
	(void)ev;
	(void)arg;
}

/*
 * Subscribe to libusbmuxd's events (the anchor first, which starts the
 * monitor) with every signal blocked, so that its monitor thread has them
 * blocked too: signals are the loop's. 0, or an errno.
 */
static int
usbmux_lib_listen(usbmuxd_subscription_context_t *ctx, usbmuxd_event_cb_t cb,
    void *arg)
{
	sigset_t all, old;
	int rc = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (usbmux_lib_anchor == NULL &&
	    (rc = usbmux_lib.events_subscribe(&usbmux_lib_anchor,
	    usbmux_lib_anchor_event, NULL)) != 0)
		usbmux_lib_anchor = NULL;
	if (rc == 0)
		rc = usbmux_lib.events_subscribe(ctx, cb, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return rc < 0 ? -rc : rc;
	return 0;
}

/*
 * Be told of devices attached and detached: cb is called on libusbmuxd's
 * monitor thread. The subscription, or NULL with *error (an errno).
 */
void *
usbmux_lib_subscribe(usbmux_lib_cb cb, void *arg, int *error)
{
	struct usbmux_lib_sub *sub;
	int rc;

	sub = xcalloc(1, sizeof *sub);
	sub->cb = cb;
	sub->arg = arg;
	if ((rc = usbmux_lib_listen(&sub->ctx, usbmux_lib_event, sub)) != 0) {
		*error = rc;
		free(sub);
		return NULL;
	}
	return sub;
}

/*
 * No more events: when this returns, cb is not running and will not be
 * called again (the monitor itself goes on: see the top of this file).
 */
void
usbmux_lib_unsubscribe(void *p)
{
	struct usbmux_lib_sub *sub = p;

	if (sub == NULL)
		return;
	usbmux_lib.events_unsubscribe(sub->ctx);
	free(sub);
}

/*
 * Poll usbmuxd's socket for the device monitor rather than wait with
 * inotify for /var/run/usbmuxd to appear: with a socket address of our
 * own, inotify would never try ours again.
 */
void
usbmux_lib_poll_socket(void)
{
	usbmux_lib.set_use_inotify(0);
}

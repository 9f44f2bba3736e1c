/* SPDX-License-Identifier: MIT */
/*
 * usbmux_worker.c: the thread that makes usbmux connections, one request
 * at a time: libusbmuxd blocks (a Connect waits up to 5 s for usbmuxd's
 * answer, a TCP usbmuxd address connects synchronously), so the loop
 * never calls it. Results go to the shared part's done queue, and the
 * loop is woken to hand them out; a request cancelled meanwhile has its
 * descriptor closed here.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"
#include "device.h"

/*
 * Ask usbmuxd directly: the first device (USB preferred) or the one
 * wanted. 1 with a handle, 0 when there is none, -1 when usbmuxd cannot
 * be reached.
 */
static int
usbmux_worker_lookup(struct usbmux_shared *sh, uint32_t *handle, char *udid,
    size_t udidlen)
{
	struct usbmux_lib_dev *list, *best = NULL;
	int n, i;

	if ((n = usbmux_lib_devices(&list)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (sh->udid != NULL && !usbmux_devs_udid_eq(sh->udid,
		    list[i].udid))
			continue;
		if (best == NULL || (list[i].usb && !best->usb))
			best = &list[i];
	}
	if (best != NULL) {
		*handle = best->handle;
		snprintf(udid, udidlen, "%s", best->udid);
	}
	free(list);
	return best != NULL ? 1 : 0;
}

/* Why usbmuxd cannot be reached: a probe of a Unix address gives errno. */
static char *
usbmux_worker_unreachable(const struct usbmux_shared *sh)
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

/* Why a connection to a device failed, from libusbmuxd's -errno. */
static char *
usbmux_worker_why(const struct usbmux_shared *sh, const char *udid, int e)
{
	char *why;

	switch (e) {
	case ECONNREFUSED:
		xasprintf(&why, "device %s: nothing listens on port %u (is the "
		    "app running, with DOTNET_DiagnosticPorts=127.0.0.1:%u,"
		    "listen?)", udid, (unsigned)sh->port, (unsigned)sh->port);
		break;
	case ENODEV:
		xasprintf(&why, "device %s was detached", udid);
		break;
	case EBADF:
		xasprintf(&why, "usbmuxd at %s did not accept the connection to "
		    "device %s port %u", sh->where, udid, (unsigned)sh->port);
		break;
	case ENOENT:
	case EACCES:
		why = usbmux_worker_unreachable(sh);
		break;
	default:
		xasprintf(&why, "usbmuxd at %s: %s", sh->where, strerror(e));
		break;
	}
	return why;
}

/* The device to connect to: a handle, or 0 and *why. */
static uint32_t
usbmux_worker_device(struct usbmux_shared *sh, char *udid, size_t udidlen,
    char **why)
{
	uint32_t handle;
	int rc;

	pthread_mutex_lock(&sh->lock);
	handle = usbmux_devs_pick(sh, udid, udidlen);
	pthread_mutex_unlock(&sh->lock);
	if (handle != 0)
		return handle;
	/* No event yet (just started, or none attached): ask. */
	if ((rc = usbmux_worker_lookup(sh, &handle, udid, udidlen)) < 0)
		*why = usbmux_worker_unreachable(sh);
	else if (rc == 0 && sh->udid != NULL)
		xasprintf(why, "no device attached (device %s is not attached "
		    "to usbmuxd at %s)", sh->udid, sh->where);
	else if (rc == 0)
		*why = xstrdup("no device attached");
	return rc == 1 ? handle : 0;
}

/* Make one connection (unlocked): a non-blocking descriptor, or -1 and *why. */
static int
usbmux_worker_connect(struct usbmux_shared *sh, char **why)
{
	char udid[48] = "";
	uint32_t handle;
	int fd;

	if ((handle = usbmux_worker_device(sh, udid, sizeof udid, why)) == 0)
		return -1;
	if ((fd = usbmux_lib_connect(handle, sh->port)) < 0) {
		*why = usbmux_worker_why(sh, udid, -fd);
		return -1;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
		xasprintf(why, "device %s: %s", udid, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The start-up probe: say early when usbmuxd is not there. */
static void
usbmux_worker_probe(struct usbmux_shared *sh)
{
	char udid[48], *why;
	uint32_t handle;
	int rc;

	rc = usbmux_worker_lookup(sh, &handle, udid, sizeof udid);
	pthread_mutex_lock(&sh->lock);
	if (rc < 0) {
		why = usbmux_worker_unreachable(sh);
		usbmux_shared_note(sh, LOG_LEVEL_WARN, "%s: iOS devices cannot "
		    "be reached until it runs", why);
		free(why);
	} else if (rc == 0)
		usbmux_shared_note(sh, LOG_LEVEL_INFO, "no device attached to "
		    "usbmuxd at %s yet", sh->where);
	pthread_mutex_unlock(&sh->lock);
	usbmux_shared_wake(sh);
}

/* The worker: one request at a time until told to stop. */
static void *
usbmux_worker_main(void *arg)
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
			usbmux_worker_probe(sh);
		else
			fd = usbmux_worker_connect(sh, &why);

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
		usbmux_shared_wake(sh);
	}
	pthread_mutex_unlock(&sh->lock);
	usbmux_shared_release(sh);
	return NULL;
}

/*
 * Start the worker on sh (which holds a reference for it), with every
 * signal blocked: signals are the loop's. 0, or an errno.
 */
int
usbmux_worker_start(struct usbmux_shared *sh, pthread_t *t)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, usbmux_worker_main, sh);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

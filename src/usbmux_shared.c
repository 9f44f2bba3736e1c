/* SPDX-License-Identifier: MIT */
/*
 * usbmux_shared.c: what the loop, the worker thread and libusbmuxd's
 * monitor thread share (struct usbmux_shared): its life (counted
 * references: the last holder frees it), the lines threads leave for the
 * loop to log, and the wake-up of the loop. A thread never logs and
 * never touches an event: it writes a byte to a socket the loop watches.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "dsrouterd.h"
#include "device.h"

/*
 * The shared part of a new usbmux, held twice (the loop's usbmux, the
 * worker): udid (or NULL for the first attached), the device's port,
 * usbmuxd's address for messages, the socket that wakes the loop (owned).
 */
struct usbmux_shared *
usbmux_shared_new(const char *udid, uint16_t port, const char *where,
    int wake_w)
{
	struct usbmux_shared *sh;

	sh = xcalloc(1, sizeof *sh);
	pthread_mutex_init(&sh->lock, NULL);
	pthread_cond_init(&sh->cond, NULL);
	sh->refs = 2;
	sh->wake_w = wake_w;
	sh->udid = udid != NULL ? xstrdup(udid) : NULL;
	sh->port = port;
	sh->where = xstrdup(where);
	TAILQ_INIT(&sh->queue);
	TAILQ_INIT(&sh->done);
	TAILQ_INIT(&sh->notes);
	return sh;
}

/* Free a queue of requests, closing the descriptors made for them. */
static void
usbmux_shared_drop(struct usbmux_reqs *q)
{
	struct usbmux_req *r;

	while ((r = TAILQ_FIRST(q)) != NULL) {
		TAILQ_REMOVE(q, r, entry);
		if (r->fd != -1)
			close(r->fd);
		free(r->why);
		free(r);
	}
}

/* Let go of the shared part; the last holder frees it. */
void
usbmux_shared_release(struct usbmux_shared *sh)
{
	struct usbmux_note *n;
	int last;

	pthread_mutex_lock(&sh->lock);
	last = --sh->refs == 0;
	pthread_mutex_unlock(&sh->lock);
	if (!last)
		return;
	usbmux_shared_drop(&sh->queue);
	usbmux_shared_drop(&sh->done);
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

/* Queue a line for the loop to log (lock held). */
void
usbmux_shared_note(struct usbmux_shared *sh, enum log_level level,
    const char *fmt, ...)
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
void
usbmux_shared_wake(struct usbmux_shared *sh)
{
	char c = 'w';

	(void)send(sh->wake_w, &c, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/*
 * The loop lets go: the worker is told to stop, requests not started are
 * dropped, the one under way is closed when made (nothing calls back).
 */
void
usbmux_shared_stop(struct usbmux_shared *sh)
{
	struct usbmux_req *r;

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
}

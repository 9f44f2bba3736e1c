/* SPDX-License-Identifier: MIT */
/*
 * usbmux_devs.c: the iOS devices usbmuxd told of (its Listen events,
 * delivered on libusbmuxd's monitor thread), one entry per device
 * whatever its usbmux id, kept in the shared part under its lock: the
 * device a connection goes to, and what a status command shows.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsrouterd.h"
#include "device.h"

/* Whether two UDIDs are the same, ignoring case and dashes. */
int
usbmux_devs_udid_eq(const char *a, const char *b)
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
usbmux_devs_find(struct usbmux_shared *sh, uint32_t handle, const char *udid)
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
usbmux_devs_slot(struct usbmux_shared *sh)
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

/* A device attached (lock held). */
static void
usbmux_devs_attach(struct usbmux_shared *sh, const struct usbmux_lib_dev *ev)
{
	struct usbmux_dev *d;

	if ((d = usbmux_devs_find(sh, ev->handle, ev->udid)) == NULL &&
	    (d = usbmux_devs_slot(sh)) == NULL)
		return;
	if ((!d->attached || d->handle != ev->handle) && !sh->stop)
		usbmux_shared_note(sh, LOG_LEVEL_INFO, "device %s attached "
		    "(%s, usbmux id %u)", ev->udid, ev->usb ? "USB" :
		    "network", (unsigned)ev->handle);
	d->handle = ev->handle;
	snprintf(d->udid, sizeof d->udid, "%s", ev->udid);
	d->usb = ev->usb;
	d->attached = 1;
	d->since = time(NULL);
}

/* A device detached (lock held). */
static void
usbmux_devs_detach(struct usbmux_shared *sh, const struct usbmux_lib_dev *ev)
{
	struct usbmux_dev *d;

	if ((d = usbmux_devs_find(sh, ev->handle, NULL)) == NULL ||
	    !d->attached)
		return;
	d->attached = 0;
	d->since = time(NULL);
	if (!sh->stop)
		usbmux_shared_note(sh, LOG_LEVEL_INFO, "device %s detached",
		    d->udid);
}

/*
 * usbmuxd's Listen events, on libusbmuxd's monitor thread (or, at
 * unsubscribe, the loop's): keep the device list, tell the loop.
 */
void
usbmux_devs_event(int attached, const struct usbmux_lib_dev *ev, void *arg)
{
	struct usbmux_shared *sh = arg;

	pthread_mutex_lock(&sh->lock);
	if (sh->udid == NULL || usbmux_devs_udid_eq(sh->udid, ev->udid)) {
		if (attached)
			usbmux_devs_attach(sh, ev);
		else
			usbmux_devs_detach(sh, ev);
	}
	pthread_mutex_unlock(&sh->lock);
	usbmux_shared_wake(sh);
}

/* Choose a device from the list kept from events: handle, or 0 (lock held). */
uint32_t
usbmux_devs_pick(struct usbmux_shared *sh, char *udid, size_t udidlen)
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

/* The devices usbmuxd told of, for a status command. */
size_t
usbmux_devs_state(struct usbmux_shared *sh, struct device_state **out)
{
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
usbmux_devs_attached(struct usbmux_shared *sh)
{
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

/* SPDX-License-Identifier: MIT */
/*
 * adbfwd_track.c: which Android devices are attached, as adb says:
 * followed with a long-running adb track-devices (a device that appears
 * is served at once); while that is not running, adb devices every check
 * period instead, and track-devices restarted with back-off.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"
#include "device.h"

/* Devices gone from adb's list: their mappings are lost. */
static void
adbfwd_track_gone(struct adbfwd *f, const struct adb_device *list, size_t n)
{
	struct adbfwd_dev *d;
	size_t i;

	TAILQ_FOREACH(d, &f->devs, entry) {
		for (i = 0; i < n; i++) {
			if (strcmp(list[i].serial, d->serial) == 0)
				break;
		}
		if (i < n || !d->present)
			continue;
		d->present = 0;
		log_debug(f->tag, "device %s detached", d->serial);
		adbfwd_dev_set(d, ADBFWD_LOST, "device detached");
	}
}

/* adb listed the devices: follow arrivals, departures and state changes. */
static void
adbfwd_track_update(struct adbfwd *f, const struct adb_device *list, size_t n)
{
	struct adbfwd_dev *d;
	size_t i;
	int was_ready, changed;

	f->have_list = 1;
	adbfwd_track_gone(f, list, n);
	for (i = 0; i < n; i++) {
		if (f->serial != NULL && strcmp(list[i].serial, f->serial) != 0)
			continue;
		if ((d = adbfwd_dev_find(f, list[i].serial)) == NULL)
			d = adbfwd_dev_add(f, list[i].serial);
		was_ready = adbfwd_dev_ready(d);
		changed = !d->present || d->adbstate == NULL ||
		    strcmp(d->adbstate, list[i].state) != 0;
		if (!d->present)
			log_debug(f->tag, "device %s attached (%s)", d->serial,
			    list[i].state);
		d->present = 1;
		free(d->adbstate);
		d->adbstate = xstrdup(list[i].state);
		if (adbfwd_dev_ready(d)) {
			if (!was_ready)
				adbfwd_dev_check(d);
		} else if (changed)
			adbfwd_dev_not_ready(d);
	}
}

/* adb could not list devices, or can again (why NULL): say so once. */
static void
adbfwd_track_error(struct adbfwd *f, const char *why)
{
	if (why == NULL) {
		if (f->adb_error != NULL)
			log_info(f->tag, "adb lists devices again");
		free(f->adb_error);
		f->adb_error = NULL;
		return;
	}
	if (f->adb_error != NULL && strcmp(f->adb_error, why) == 0)
		return;
	log_warn(f->tag, "cannot list Android devices: %s", why);
	free(f->adb_error);
	f->adb_error = xstrdup(why);
}

/* track-devices wrote nonsense: stop it, and poll from now on. */
static void
adbfwd_track_bad(struct adbfwd *f)
{
	f->track_bad = 1;
	f->tracklen = 0;
	spawn_cancel(f->tracker);
	f->tracker = NULL;
	adbfwd_track_poll(f);
}

/* Take the complete frames of track-devices' output: 0, or -1 if it is not such output. */
static int
adbfwd_track_frames(struct adbfwd *f)
{
	struct adb_device *list;
	size_t used, paylen, n, off = 0;

	for (;;) {
		switch (adb_track_frame(f->trackbuf + off, f->tracklen - off,
		    &used, &paylen)) {
		case ADB_FRAME_OK:
			n = adb_parse_devices(f->trackbuf + off + 4, paylen,
			    &list);
			f->track_fails = 0;
			adbfwd_track_error(f, NULL);
			adbfwd_track_update(f, list, n);
			adb_devices_free(list, n);
			off += used;
			continue;
		case ADB_FRAME_NOISE:
			off += used;
			continue;
		case ADB_FRAME_SHORT:
			break;
		case ADB_FRAME_BAD:
			log_warn(f->tag, "adb track-devices wrote '%.*s', not "
			    "device frames; checking devices every %u ms "
			    "instead", (int)(f->tracklen - off < 16 ?
			    f->tracklen - off : 16), f->trackbuf + off,
			    f->check_ms);
			return -1;
		}
		break;
	}
	memmove(f->trackbuf, f->trackbuf + off, f->tracklen - off);
	f->tracklen -= off;
	return 0;
}

/* track-devices wrote: keep it until a frame is whole. */
static void
adbfwd_track_output(const char *buf, size_t len, void *arg)
{
	struct adbfwd *f = arg;

	/* A frame is at most 4 + 0xffff bytes. */
	if (f->tracklen + len > 2 * (size_t)SPAWN_MAX_OUTPUT) {
		log_warn(f->tag, "adb track-devices: more than %u bytes without "
		    "a whole frame; checking devices every %u ms instead",
		    2u * SPAWN_MAX_OUTPUT, f->check_ms);
		adbfwd_track_bad(f);
		return;
	}
	f->trackbuf = realloc(f->trackbuf, f->tracklen + len);
	if (f->trackbuf == NULL)
		fatalx("out of memory for adb's output");
	memcpy(f->trackbuf + f->tracklen, buf, len);
	f->tracklen += len;
	if (adbfwd_track_frames(f) != 0)
		adbfwd_track_bad(f);
}

/* track-devices ended (adb server gone, adb missing): poll until restarted. */
static void
adbfwd_track_done(const struct spawn_result *r, void *arg)
{
	struct adbfwd *f = arg;
	uint64_t pause;
	char *why;

	f->tracker = NULL;
	f->tracklen = 0;
	why = spawn_describe(r);
	if (f->track_fails++ == 0)
		log_info(f->tag, "adb track-devices ended (%s); checking "
		    "devices every %u ms until it runs again", why, f->check_ms);
	else
		log_debug(f->tag, "adb track-devices ended (%s)", why);
	free(why);
	pause = (uint64_t)f->check_ms << (f->track_fails < 8 ? f->track_fails : 8);
	if (pause > ADB_TRACK_RESTART_MS)
		pause = ADB_TRACK_RESTART_MS;
	f->track_next_us = now_us() + pause * 1000;
	if (!f->stopping)
		adbfwd_track_poll(f);
}

/* Follow devices with adb track-devices. */
void
adbfwd_track_start(struct adbfwd *f)
{
	if (f->tracker != NULL || f->track_bad || f->stopping)
		return;
	f->tracker = adbfwd_run(f, NULL, ADB_CMD_TRACK, 0, adbfwd_track_output,
	    adbfwd_track_done, f);
}

/* adb devices ended. */
static void
adbfwd_track_poll_done(const struct spawn_result *r, void *arg)
{
	struct adbfwd *f = arg;
	struct adb_device *list;
	size_t n;
	char *why;

	f->lister = NULL;
	if (!spawn_success(r)) {
		why = spawn_describe(r);
		adbfwd_track_error(f, why);
		free(why);
		return;
	}
	adbfwd_track_error(f, NULL);
	n = adb_parse_devices(r->out, r->outlen, &list);
	adbfwd_track_update(f, list, n);
	adb_devices_free(list, n);
}

/* List devices with adb devices (while no tracker runs). */
void
adbfwd_track_poll(struct adbfwd *f)
{
	if (f->lister != NULL || f->tracker != NULL || f->stopping)
		return;
	f->lister = adbfwd_run(f, NULL, ADB_CMD_DEVICES, f->command_ms, NULL,
	    adbfwd_track_poll_done, f);
}

/* Every check period: restart the tracker when its pause is over, or poll. */
void
adbfwd_track_tick(struct adbfwd *f)
{
	if (f->tracker != NULL)
		return;
	if (!f->track_bad && now_us() >= f->track_next_us)
		adbfwd_track_start(f);
	if (f->tracker == NULL)
		adbfwd_track_poll(f);
}

/* Stop following devices: the tracker and the poll are killed. */
void
adbfwd_track_stop(struct adbfwd *f)
{
	spawn_cancel(f->tracker);
	f->tracker = NULL;
	spawn_cancel(f->lister);
	f->lister = NULL;
}

/* SPDX-License-Identifier: MIT */
/*
 * adbfwd.c: the Android side of one route: an adb reverse (the app
 * connects to its device's port, adb carries it to ours) or an adb
 * forward (we connect to a host port, adb carries it to the app's) kept
 * in place on every attached device, or on the one named.
 *
 * Devices are followed by adbfwd_track.c; each device's mapping is kept
 * by adbfwd_dev.c, checked with --list every period (ADB_CHECK_MS) and
 * made again when it is missing (a replugged device, a restarted adb
 * server). Every adb command runs through spawn.c, so adb taking seconds,
 * or hanging until its time-out kills it, never holds up the loop. What
 * we made (and only that) is removed at stop. This file is the whole's
 * life: start, the period, stop, reload, status.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/wait.h>

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dsrouterd.h"
#include "device.h"

/* Run an adb command for a device (serial NULL: for the whole host). */
struct spawn *
adbfwd_run(struct adbfwd *f, const char *serial, enum adb_cmd cmd,
    unsigned timeout_ms, spawn_output_cb output, spawn_done_cb done,
    void *arg)
{
	struct spawn *s;
	char **argv, *line, *cause = NULL;

	argv = adb_argv(f->adb, serial, cmd, f->dir, f->device_port,
	    f->host_port);
	if (log_enabled(LOG_LEVEL_DEBUG)) {
		line = adb_argv_join(argv);
		log_debug(f->tag, "running %s", line);
		free(line);
	}
	s = spawn_run(f->base, argv, timeout_ms, output, done, arg, &cause);
	if (s == NULL) {
		log_warn(f->tag, "%s", cause);
		free(cause);
	}
	adb_argv_free(argv);
	return s;
}

/* Arm the check period's timer. */
static void
adbfwd_arm(struct adbfwd *f)
{
	struct timeval tv;

	tv.tv_sec = f->check_ms / 1000;
	tv.tv_usec = (suseconds_t)(f->check_ms % 1000) * 1000;
	evtimer_add(f->tick, &tv);
}

/* Every check period: restart the tracker or poll; check every device. */
static void
adbfwd_tick(evutil_socket_t fd, short events, void *arg)
{
	struct adbfwd *f = arg;
	struct adbfwd_dev *d;

	(void)fd;
	(void)events;
	adbfwd_track_tick(f);
	/* A device whose command still runs (a slow adb) waits its turn. */
	TAILQ_FOREACH(d, &f->devs, entry) {
		if (d->job == NULL)
			adbfwd_dev_check(d);
	}
	adbfwd_arm(f);
}

/* Whether a configuration can be served; else -1 and *cause. */
static int
adbfwd_conf_check(const struct adbfwd_conf *conf, char **cause)
{
	if (conf->device_port == 0 || conf->host_port == 0) {
		xasprintf(cause, "adb: port 0 cannot be mapped (device tcp:%u, "
		    "host tcp:%u)", (unsigned)conf->device_port,
		    (unsigned)conf->host_port);
		return -1;
	}
	if (conf->serial != NULL && !adb_serial_valid(conf->serial)) {
		xasprintf(cause, "'%s' is not a device serial (as adb devices "
		    "lists it)", conf->serial);
		return -1;
	}
	return 0;
}

/*
 * Start keeping a mapping on the devices: returns at once; devices are
 * listed, checked and served from the loop. NULL with *cause when adb
 * cannot be found or the configuration is wrong.
 */
struct adbfwd *
adbfwd_new(struct event_base *base, const struct adbfwd_conf *conf,
    char **cause)
{
	struct adbfwd *f;
	char *adb;

	if (adbfwd_conf_check(conf, cause) != 0)
		return NULL;
	if (conf->adb != NULL)
		adb = xstrdup(conf->adb);
	else if ((adb = adb_find(cause)) == NULL)
		return NULL;

	f = xcalloc(1, sizeof *f);
	f->base = base;
	f->adb = adb;
	f->serial = conf->serial != NULL ? xstrdup(conf->serial) : NULL;
	f->tag = xstrdup(conf->tag != NULL ? conf->tag : "adb");
	f->dir = conf->dir;
	f->device_port = conf->device_port;
	f->host_port = conf->host_port;
	f->check_ms = conf->check_ms != 0 ? conf->check_ms : ADB_CHECK_MS;
	f->command_ms = conf->command_ms != 0 ? conf->command_ms :
	    ADB_COMMAND_MS;
	f->what = adb_mapping_describe(f->dir, f->device_port, f->host_port);
	TAILQ_INIT(&f->devs);
	if ((f->tick = evtimer_new(base, adbfwd_tick, f)) == NULL)
		fatalx("out of memory for a timer");
	log_info(f->tag, "%s on %s%s, with %s", f->what,
	    f->serial != NULL ? "device " : "every attached device",
	    f->serial != NULL ? f->serial : "", f->adb);
	adbfwd_track_start(f);
	if (f->tracker == NULL)
		adbfwd_track_poll(f);
	adbfwd_arm(f);
	return f;
}

/* Stop every command but removals; a mapping being made may exist: count it as ours. */
static void
adbfwd_quiet(struct adbfwd *f)
{
	struct adbfwd_dev *d;

	f->stopping = 1;
	event_del(f->tick);
	adbfwd_track_stop(f);
	TAILQ_FOREACH(d, &f->devs, entry)
		adbfwd_dev_quiet(d);
}

/*
 * Stop following devices and remove what we made, through the loop (for
 * a route a reload removes: nothing waits). done is called from the loop
 * when the removals have ended (each is bounded by the command time-out);
 * then, or at any time before, adbfwd_free. done may free.
 */
void
adbfwd_stop(struct adbfwd *f, void (*done)(struct adbfwd *, void *), void *arg)
{
	struct adbfwd_dev *d;

	adbfwd_quiet(f);
	f->stopped = done;
	f->stopped_arg = arg;
	TAILQ_FOREACH(d, &f->devs, entry)
		adbfwd_dev_remove(d);
	if (f->removing == 0 && done != NULL)
		done(f, arg);
}

/* Log the end of n removals run together (status[i]: -1, or a wait status). */
static void
adbfwd_removals_done(struct adbfwd_dev **which, const int *status, size_t n)
{
	size_t i;
	char *why;
	int ok;

	for (i = 0; i < n; i++) {
		if (status[i] == -1)
			why = xstrdup("adb did not finish in time, or could not "
			    "run");
		else
			xasprintf(&why, "adb exit status %d",
			    WIFEXITED(status[i]) ? WEXITSTATUS(status[i]) : -1);
		ok = status[i] != -1 && WIFEXITED(status[i]) &&
		    WEXITSTATUS(status[i]) == 0;
		adbfwd_dev_removed(which[i], ok, why);
		free(why);
	}
}

/*
 * Remove what we made and is still in place, all devices at once,
 * waiting ADB_STOP_MS at most in all (adb is then killed).
 */
static void
adbfwd_remove_now(struct adbfwd *f)
{
	struct adbfwd_dev *d, **which = NULL;
	char ***argvs = NULL;
	size_t n = 0, i;
	int *status;

	TAILQ_FOREACH(d, &f->devs, entry) {
		if (!adbfwd_dev_to_remove(d))
			continue;
		argvs = xreallocarray(argvs, n + 1, sizeof *argvs);
		which = xreallocarray(which, n + 1, sizeof *which);
		argvs[n] = adb_argv(f->adb, d->serial, ADB_CMD_REMOVE, f->dir,
		    f->device_port, f->host_port);
		which[n++] = d;
	}
	if (n == 0)
		return;
	status = xcalloc(n, sizeof *status);
	spawn_proc_sync((char *const *const *)argvs, n, ADB_STOP_MS, status);
	adbfwd_removals_done(which, status, n);
	for (i = 0; i < n; i++)
		adb_argv_free(argvs[i]);
	free(status);
	free(argvs);
	free(which);
}

/*
 * Stop and free. What we made and is still in place is removed first
 * (adbfwd_remove_now): this blocks the loop ADB_STOP_MS at worst, so it is
 * for the daemon's stop, or after adbfwd_stop has finished (nothing left
 * to do).
 */
void
adbfwd_free(struct adbfwd *f)
{
	struct adbfwd_dev *d;

	if (f == NULL)
		return;
	adbfwd_quiet(f);
	TAILQ_FOREACH(d, &f->devs, entry) {
		if (d->job != NULL) {
			/* A removal from adbfwd_stop: count it as not done. */
			spawn_cancel(d->job);
			d->job = NULL;
		}
	}
	adbfwd_remove_now(f);
	while ((d = TAILQ_FIRST(&f->devs)) != NULL) {
		TAILQ_REMOVE(&f->devs, d, entry);
		adbfwd_dev_free(d);
	}
	event_free(f->tick);
	free(f->trackbuf);
	free(f->adb_error);
	free(f->adb);
	free(f->serial);
	free(f->tag);
	free(f->what);
	free(f);
}

/*
 * A reload replaced a route by one with the same mapping: what the old
 * one made is now the new one's to remove, and the old one leaves it.
 */
void
adbfwd_adopt(struct adbfwd *to, struct adbfwd *from)
{
	struct adbfwd_dev *d, *nd;

	if (to->dir != from->dir || to->device_port != from->device_port ||
	    to->host_port != from->host_port)
		return;
	TAILQ_FOREACH(d, &from->devs, entry) {
		if (!d->owned)
			continue;
		if (to->serial != NULL && strcmp(to->serial, d->serial) != 0)
			continue;
		if ((nd = adbfwd_dev_find(to, d->serial)) == NULL)
			nd = adbfwd_dev_add(to, d->serial);
		nd->owned = 1;
		d->owned = 0;
	}
}

/* Every device seen, with its mapping's state, for a status command. */
size_t
adbfwd_state(struct adbfwd *f, struct device_state **out)
{
	struct adbfwd_dev *d;
	size_t n = 0;

	*out = NULL;
	TAILQ_FOREACH(d, &f->devs, entry) {
		*out = xreallocarray(*out, n + 1, sizeof **out);
		device_state_fill(&(*out)[n++], d->serial, d->text, d->since);
	}
	return n;
}

/* On how many devices the mapping is established. */
unsigned
adbfwd_established(struct adbfwd *f)
{
	struct adbfwd_dev *d;
	unsigned n = 0;

	TAILQ_FOREACH(d, &f->devs, entry) {
		if (d->present && d->st == ADBFWD_ESTABLISHED)
			n++;
	}
	return n;
}

/*
 * Why no runtime can come through, for the line logged when a tool is
 * refused ("no device attached"); NULL when the mapping is established
 * on a device. Valid until the next call.
 */
const char *
adbfwd_summary(struct adbfwd *f)
{
	struct adbfwd_dev *d, *first = NULL;

	TAILQ_FOREACH(d, &f->devs, entry) {
		if (d->present && d->st == ADBFWD_ESTABLISHED)
			return NULL;
		if (d->present && first == NULL)
			first = d;
	}
	if (first != NULL)
		snprintf(f->summary, sizeof f->summary, "device %s: %s %s",
		    first->serial, f->what, first->text);
	else if (f->adb_error != NULL)
		snprintf(f->summary, sizeof f->summary, "no device attached "
		    "(adb cannot list devices: %s)", f->adb_error);
	else if (!f->have_list)
		snprintf(f->summary, sizeof f->summary, "no device attached "
		    "(waiting for adb to list devices)");
	else if (f->serial != NULL)
		snprintf(f->summary, sizeof f->summary, "no device attached "
		    "(device %s is not in adb devices)", f->serial);
	else
		snprintf(f->summary, sizeof f->summary, "no device attached");
	return f->summary;
}

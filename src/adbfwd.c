/*
 * adbfwd.c: the Android side of one route: an adb reverse (the app
 * connects to its device's port, adb carries it to ours) or an adb
 * forward (we connect to a host port, adb carries it to the app's) kept
 * in place on every attached device, or on the one named.
 *
 * Devices are followed with a long-running adb track-devices (a device
 * that appears is served at once); while that is not running, adb
 * devices is run every check period instead. Every device's mapping is
 * checked with --list each period (ADB_CHECK_MS) and made again when it
 * is missing (a replugged device, a restarted adb server). Every adb
 * command runs through spawn.c, so adb taking seconds, or hanging until
 * its time-out kills it, never holds up the loop. A device has one
 * command at a time. What we made (and only that) is removed at stop.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "dsrouterd.h"
#include "device.h"

/* A device's mapping, as far as we know. */
enum adbfwd_st {
	ADBFWD_PENDING,            /* not checked yet */
	ADBFWD_ESTABLISHED,
	ADBFWD_LOST,               /* was established, is not */
	ADBFWD_FAILED,             /* cannot be made: why says */
};

/* What a device's running command is. */
enum adbfwd_job {
	ADBFWD_JOB_NONE,
	ADBFWD_JOB_LIST,
	ADBFWD_JOB_ADD,
	ADBFWD_JOB_REMOVE,
};

/* A device adb listed (now or before). */
struct adbfwd_dev {
	struct adbfwd *fwd;
	char *serial;
	char *adbstate;            /* as adb lists it: "device", "offline", ... */
	int present;               /* in adb's latest list */
	int owned;                 /* we made the mapping and have not removed it */
	enum adbfwd_st st;
	char *text;                /* the state for status and logs */
	time_t since;
	struct spawn *job;
	enum adbfwd_job jobkind;
	int recheck;               /* check again when the job ends */
	TAILQ_ENTRY(adbfwd_dev) entry;
};
TAILQ_HEAD(adbfwd_devs, adbfwd_dev);

/* One route's mapping on its devices. */
struct adbfwd {
	struct event_base *base;
	char *adb;
	char *serial;              /* only this device, or NULL */
	char *tag;
	char *what;                /* "reverse tcp:9000 -> tcp:9001" */
	enum adb_dir dir;
	uint16_t device_port, host_port;
	unsigned check_ms, command_ms;
	struct event *tick;
	struct spawn *tracker;     /* adb track-devices */
	char *trackbuf;            /* its output not yet parsed */
	size_t tracklen;
	int track_bad;             /* its output made no sense: poll for good */
	unsigned track_fails;
	uint64_t track_next_us;    /* restart it no earlier */
	struct spawn *lister;      /* adb devices, while no tracker runs */
	int have_list;             /* adb has listed devices at least once */
	char *adb_error;           /* why adb cannot list devices, or NULL */
	struct adbfwd_devs devs;
	char summary[512];
	int stopping;
	unsigned removing;         /* removals still running */
	void (*stopped)(struct adbfwd *, void *);
	void *stopped_arg;
};

static void adbfwd_check(struct adbfwd *, struct adbfwd_dev *);
static void adbfwd_track_start(struct adbfwd *);
static void adbfwd_list_start(struct adbfwd *);

/* Set a device's state; a change is logged (info, failures at warning). */
static void DSR_PRINTFLIKE(3, 4)
adbfwd_set(struct adbfwd_dev *d, enum adbfwd_st st, const char *fmt, ...)
{
	struct adbfwd *f = d->fwd;
	char *why = NULL, *text;
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		xvasprintf(&why, fmt, ap);
		va_end(ap);
	}
	switch (st) {
	case ADBFWD_PENDING:
		xasprintf(&text, "pending%s%s%s", why != NULL ? " (" : "",
		    why != NULL ? why : "", why != NULL ? ")" : "");
		break;
	case ADBFWD_ESTABLISHED:
		text = xstrdup("established");
		break;
	case ADBFWD_LOST:
		xasprintf(&text, "lost (%s)", why != NULL ? why : "gone");
		break;
	case ADBFWD_FAILED:
	default:
		xasprintf(&text, "failed: %s", why != NULL ? why : "unknown");
		break;
	}
	if (d->text != NULL && d->st == st && strcmp(d->text, text) == 0) {
		free(text);
		free(why);
		return;
	}
	switch (st) {
	case ADBFWD_ESTABLISHED:
		log_info(f->tag, "device %s: %s established%s", d->serial,
		    f->what, d->owned ? "" :
		    " (made by someone else: left in place at stop)");
		break;
	case ADBFWD_LOST:
		log_info(f->tag, "device %s: %s lost (%s)", d->serial, f->what,
		    why != NULL ? why : "gone");
		break;
	case ADBFWD_FAILED:
		log_warn(f->tag, "device %s: %s failed: %s", d->serial, f->what,
		    why != NULL ? why : "unknown");
		break;
	case ADBFWD_PENDING:
		log_debug(f->tag, "device %s: %s %s", d->serial, f->what, text);
		break;
	}
	free(d->text);
	d->text = text;
	d->st = st;
	d->since = time(NULL);
	free(why);
}

/* Whether a device may take commands: listed, and ready for debugging. */
static int
adbfwd_ready(const struct adbfwd_dev *d)
{
	return d->present && d->adbstate != NULL &&
	    strcmp(d->adbstate, "device") == 0;
}

/* The device of that serial, or NULL. */
static struct adbfwd_dev *
adbfwd_dev_find(struct adbfwd *f, const char *serial)
{
	struct adbfwd_dev *d;

	TAILQ_FOREACH(d, &f->devs, entry) {
		if (strcmp(d->serial, serial) == 0)
			return d;
	}
	return NULL;
}

/* A device first seen. */
static struct adbfwd_dev *
adbfwd_dev_add(struct adbfwd *f, const char *serial)
{
	struct adbfwd_dev *d;

	d = xcalloc(1, sizeof *d);
	d->fwd = f;
	d->serial = xstrdup(serial);
	d->st = ADBFWD_PENDING;
	d->text = xstrdup("pending");
	d->since = time(NULL);
	TAILQ_INSERT_TAIL(&f->devs, d, entry);
	return d;
}

/* Run an adb command for a device (serial NULL: for the whole host). */
static struct spawn *
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

/* Why an adb command failed, for a state: "adb ... --list: exit status 1: ..." */
static char *
adbfwd_failure(struct adbfwd *f, const struct adbfwd_dev *d, enum adb_cmd cmd,
    const struct spawn_result *r)
{
	char **argv, *line, *what, *s;

	argv = adb_argv(f->adb, d->serial, cmd, f->dir, f->device_port,
	    f->host_port);
	line = adb_argv_join(argv);
	what = spawn_describe(r);
	xasprintf(&s, "%s: %s", line, what);
	free(what);
	free(line);
	adb_argv_free(argv);
	return s;
}

/* A device's command ended: start the check it was waiting for, if any. */
static void
adbfwd_job_over(struct adbfwd_dev *d)
{
	d->job = NULL;
	d->jobkind = ADBFWD_JOB_NONE;
	if (d->recheck && !d->fwd->stopping) {
		d->recheck = 0;
		adbfwd_check(d->fwd, d);
	}
}

/* adb reverse|forward --no-rebind ended. */
static void
adbfwd_add_done(const struct spawn_result *r, void *arg)
{
	struct adbfwd_dev *d = arg;
	struct adbfwd *f = d->fwd;
	char *why;

	d->job = NULL;
	if (spawn_success(r)) {
		d->owned = 1;
		if (d->present)
			adbfwd_set(d, ADBFWD_ESTABLISHED, NULL);
	} else if (d->present) {
		why = adbfwd_failure(f, d, ADB_CMD_ADD, r);
		adbfwd_set(d, ADBFWD_FAILED, "%s", why);
		free(why);
	}
	adbfwd_job_over(d);
}

/* Make a device's mapping. */
static void
adbfwd_make(struct adbfwd *f, struct adbfwd_dev *d)
{
	d->jobkind = ADBFWD_JOB_ADD;
	d->job = adbfwd_run(f, d->serial, ADB_CMD_ADD, f->command_ms, NULL,
	    adbfwd_add_done, d);
	if (d->job == NULL)
		d->jobkind = ADBFWD_JOB_NONE;
}

/* adb reverse|forward --list ended: is the mapping there? */
static void
adbfwd_list_done(const struct spawn_result *r, void *arg)
{
	struct adbfwd_dev *d = arg;
	struct adbfwd *f = d->fwd;
	const struct adb_mapping *which;
	struct adb_mapping *m;
	size_t n;
	char *why;

	d->job = NULL;
	d->jobkind = ADBFWD_JOB_NONE;
	if (!d->present || f->stopping) {
		adbfwd_job_over(d);
		return;
	}
	if (!spawn_success(r)) {
		why = adbfwd_failure(f, d, ADB_CMD_LIST, r);
		adbfwd_set(d, ADBFWD_FAILED, "%s", why);
		free(why);
		adbfwd_job_over(d);
		return;
	}
	n = adb_parse_list(r->out, r->outlen, &m);
	switch (adb_list_find(m, n, f->dir, d->serial, f->device_port,
	    f->host_port, &which)) {
	case ADB_PRESENT:
		adbfwd_set(d, ADBFWD_ESTABLISHED, NULL);
		break;
	case ADB_CONFLICT:
		if (f->dir == ADB_REVERSE)
			adbfwd_set(d, ADBFWD_FAILED, "tcp:%u on the device "
			    "already goes to %s on the host: not replaced "
			    "(remove it with adb -s %s reverse --remove tcp:%u)",
			    (unsigned)f->device_port, which->remote, d->serial,
			    (unsigned)f->device_port);
		else if (strcmp(which->owner, d->serial) != 0)
			adbfwd_set(d, ADBFWD_FAILED, "host tcp:%u already "
			    "forwards to device %s (a host port reaches one "
			    "device: name the device to use)",
			    (unsigned)f->host_port, which->owner);
		else
			adbfwd_set(d, ADBFWD_FAILED, "host tcp:%u already "
			    "forwards to %s on this device: not replaced "
			    "(remove it with adb -s %s forward --remove "
			    "tcp:%u)", (unsigned)f->host_port, which->remote,
			    d->serial, (unsigned)f->host_port);
		break;
	case ADB_MISSING:
		if (d->st == ADBFWD_ESTABLISHED)
			adbfwd_set(d, ADBFWD_LOST, "gone from adb %s --list; "
			    "making it again", f->dir == ADB_REVERSE ?
			    "reverse" : "forward");
		/* Whoever made it has dropped it: it will be ours. */
		d->owned = 0;
		adb_mappings_free(m, n);
		adbfwd_make(f, d);
		if (d->job == NULL)
			adbfwd_job_over(d);
		return;
	}
	adb_mappings_free(m, n);
	adbfwd_job_over(d);
}

/* Check a device's mapping now (or when its running command ends). */
static void
adbfwd_check(struct adbfwd *f, struct adbfwd_dev *d)
{
	if (f->stopping || !adbfwd_ready(d))
		return;
	if (d->job != NULL) {
		d->recheck = 1;
		return;
	}
	d->jobkind = ADBFWD_JOB_LIST;
	d->job = adbfwd_run(f, d->serial, ADB_CMD_LIST, f->command_ms, NULL,
	    adbfwd_list_done, d);
	if (d->job == NULL)
		d->jobkind = ADBFWD_JOB_NONE;
}

/* A device adb lists but that cannot be debugged (unauthorized, offline...). */
static void
adbfwd_not_ready(struct adbfwd_dev *d)
{
	if (d->st == ADBFWD_ESTABLISHED)
		adbfwd_set(d, ADBFWD_LOST, "device %s", d->adbstate);
	else
		adbfwd_set(d, ADBFWD_FAILED, "device %s: %s", d->adbstate,
		    adb_state_hint(d->adbstate));
}

/* adb listed the devices: follow arrivals, departures and state changes. */
static void
adbfwd_update(struct adbfwd *f, const struct adb_device *list, size_t n)
{
	struct adbfwd_dev *d;
	size_t i;
	int was_ready, changed;

	f->have_list = 1;
	TAILQ_FOREACH(d, &f->devs, entry) {
		for (i = 0; i < n; i++) {
			if (strcmp(list[i].serial, d->serial) == 0)
				break;
		}
		if (i < n || !d->present)
			continue;
		d->present = 0;
		log_debug(f->tag, "device %s detached", d->serial);
		adbfwd_set(d, ADBFWD_LOST, "device detached");
	}
	for (i = 0; i < n; i++) {
		if (f->serial != NULL && strcmp(list[i].serial, f->serial) != 0)
			continue;
		if ((d = adbfwd_dev_find(f, list[i].serial)) == NULL)
			d = adbfwd_dev_add(f, list[i].serial);
		was_ready = adbfwd_ready(d);
		changed = !d->present || d->adbstate == NULL ||
		    strcmp(d->adbstate, list[i].state) != 0;
		if (!d->present)
			log_debug(f->tag, "device %s attached (%s)", d->serial,
			    list[i].state);
		d->present = 1;
		free(d->adbstate);
		d->adbstate = xstrdup(list[i].state);
		if (adbfwd_ready(d)) {
			if (!was_ready)
				adbfwd_check(f, d);
		} else if (changed)
			adbfwd_not_ready(d);
	}
}

/* adb could not list devices, or can again (why NULL): say so once. */
static void
adbfwd_adb_error(struct adbfwd *f, const char *why)
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

/* track-devices wrote: take the complete frames. */
static void
adbfwd_track_output(const char *buf, size_t len, void *arg)
{
	struct adbfwd *f = arg;
	struct adb_device *list;
	size_t used, paylen, n, off = 0;

	/* A frame is at most 4 + 0xffff bytes. */
	if (f->tracklen + len > 2 * (size_t)SPAWN_MAX_OUTPUT) {
		log_warn(f->tag, "adb track-devices: more than %u bytes without "
		    "a whole frame; checking devices every %u ms instead",
		    2u * SPAWN_MAX_OUTPUT, f->check_ms);
		goto bad;
	}
	f->trackbuf = realloc(f->trackbuf, f->tracklen + len);
	if (f->trackbuf == NULL)
		fatalx("out of memory for adb's output");
	memcpy(f->trackbuf + f->tracklen, buf, len);
	f->tracklen += len;
	for (;;) {
		switch (adb_track_frame(f->trackbuf + off, f->tracklen - off,
		    &used, &paylen)) {
		case ADB_FRAME_OK:
			n = adb_parse_devices(f->trackbuf + off + 4, paylen,
			    &list);
			f->track_fails = 0;
			adbfwd_adb_error(f, NULL);
			adbfwd_update(f, list, n);
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
			goto bad;
		}
		break;
	}
	memmove(f->trackbuf, f->trackbuf + off, f->tracklen - off);
	f->tracklen -= off;
	return;

bad:
	f->track_bad = 1;
	f->tracklen = 0;
	spawn_cancel(f->tracker);
	f->tracker = NULL;
	adbfwd_list_start(f);
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
		adbfwd_list_start(f);
}

/* Follow devices with adb track-devices. */
static void
adbfwd_track_start(struct adbfwd *f)
{
	if (f->tracker != NULL || f->track_bad || f->stopping)
		return;
	f->tracker = adbfwd_run(f, NULL, ADB_CMD_TRACK, 0, adbfwd_track_output,
	    adbfwd_track_done, f);
}

/* adb devices ended. */
static void
adbfwd_devices_done(const struct spawn_result *r, void *arg)
{
	struct adbfwd *f = arg;
	struct adb_device *list;
	size_t n;
	char *why;

	f->lister = NULL;
	if (!spawn_success(r)) {
		why = spawn_describe(r);
		adbfwd_adb_error(f, why);
		free(why);
		return;
	}
	adbfwd_adb_error(f, NULL);
	n = adb_parse_devices(r->out, r->outlen, &list);
	adbfwd_update(f, list, n);
	adb_devices_free(list, n);
}

/* List devices with adb devices (while no tracker runs). */
static void
adbfwd_list_start(struct adbfwd *f)
{
	if (f->lister != NULL || f->tracker != NULL || f->stopping)
		return;
	f->lister = adbfwd_run(f, NULL, ADB_CMD_DEVICES, f->command_ms, NULL,
	    adbfwd_devices_done, f);
}

/* Every check period: restart the tracker or poll; check every device. */
static void
adbfwd_tick(evutil_socket_t fd, short events, void *arg)
{
	struct adbfwd *f = arg;
	struct adbfwd_dev *d;
	struct timeval tv;

	(void)fd;
	(void)events;
	if (f->tracker == NULL) {
		if (!f->track_bad && now_us() >= f->track_next_us)
			adbfwd_track_start(f);
		if (f->tracker == NULL)
			adbfwd_list_start(f);
	}
	/* A device whose command still runs (a slow adb) waits its turn. */
	TAILQ_FOREACH(d, &f->devs, entry) {
		if (d->job == NULL)
			adbfwd_check(f, d);
	}
	tv.tv_sec = f->check_ms / 1000;
	tv.tv_usec = (suseconds_t)(f->check_ms % 1000) * 1000;
	evtimer_add(f->tick, &tv);
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
	struct timeval tv;
	char *adb;

	if (conf->device_port == 0 || conf->host_port == 0) {
		xasprintf(cause, "adb: port 0 cannot be mapped (device tcp:%u, "
		    "host tcp:%u)", (unsigned)conf->device_port,
		    (unsigned)conf->host_port);
		return NULL;
	}
	if (conf->serial != NULL && !adb_serial_valid(conf->serial)) {
		xasprintf(cause, "'%s' is not a device serial (as adb devices "
		    "lists it)", conf->serial);
		return NULL;
	}
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
		adbfwd_list_start(f);
	tv.tv_sec = f->check_ms / 1000;
	tv.tv_usec = (suseconds_t)(f->check_ms % 1000) * 1000;
	evtimer_add(f->tick, &tv);
	return f;
}

/* Stop every command; a mapping being made may exist: count it as ours. */
static void
adbfwd_quiet(struct adbfwd *f)
{
	struct adbfwd_dev *d;

	f->stopping = 1;
	event_del(f->tick);
	spawn_cancel(f->tracker);
	f->tracker = NULL;
	spawn_cancel(f->lister);
	f->lister = NULL;
	TAILQ_FOREACH(d, &f->devs, entry) {
		if (d->job == NULL || d->jobkind == ADBFWD_JOB_REMOVE)
			continue;
		spawn_cancel(d->job);
		if (d->jobkind == ADBFWD_JOB_ADD)
			d->owned = 1;
		d->job = NULL;
		d->jobkind = ADBFWD_JOB_NONE;
		d->recheck = 0;
	}
}

/* Whether a device has a mapping of ours to remove. */
static int
adbfwd_to_remove(const struct adbfwd_dev *d)
{
	/* A detached device's mappings went with its connection. */
	return d->owned && adbfwd_ready(d);
}

/* The log line of a removal. */
static void
adbfwd_removed(struct adbfwd_dev *d, int ok, const char *why)
{
	struct adbfwd *f = d->fwd;

	d->owned = 0;
	if (ok)
		log_info(f->tag, "device %s: %s removed", d->serial, f->what);
	else
		log_warn(f->tag, "device %s: %s not removed: %s", d->serial,
		    f->what, why);
}

/* An asynchronous removal ended; the last one tells the owner. */
static void
adbfwd_remove_done(const struct spawn_result *r, void *arg)
{
	struct adbfwd_dev *d = arg;
	struct adbfwd *f = d->fwd;
	char *why;

	d->job = NULL;
	d->jobkind = ADBFWD_JOB_NONE;
	why = spawn_describe(r);
	adbfwd_removed(d, spawn_success(r), why);
	free(why);
	if (--f->removing == 0 && f->stopped != NULL)
		f->stopped(f, f->stopped_arg);   /* may free f: last */
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
	TAILQ_FOREACH(d, &f->devs, entry) {
		if (!adbfwd_to_remove(d) || d->job != NULL)
			continue;
		d->jobkind = ADBFWD_JOB_REMOVE;
		d->job = adbfwd_run(f, d->serial, ADB_CMD_REMOVE,
		    f->command_ms, NULL, adbfwd_remove_done, d);
		if (d->job == NULL)
			d->jobkind = ADBFWD_JOB_NONE;
		else
			f->removing++;
	}
	if (f->removing == 0 && done != NULL)
		done(f, arg);
}

/*
 * Stop and free. What we made and is still in place is removed first, all
 * devices at once, waiting ADB_STOP_MS at most in all (adb is then
 * killed): this blocks the loop that long at worst, so it is for the
 * daemon's stop, or after adbfwd_stop has finished (nothing left to do).
 */
void
adbfwd_free(struct adbfwd *f)
{
	struct adbfwd_dev *d;
	char ***argvs;
	struct adbfwd_dev **which;
	size_t n = 0, i;
	int *status;
	char *why;

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
	argvs = xcalloc(1, sizeof *argvs);
	which = xcalloc(1, sizeof *which);
	TAILQ_FOREACH(d, &f->devs, entry) {
		if (!adbfwd_to_remove(d))
			continue;
		argvs = xreallocarray(argvs, n + 1, sizeof *argvs);
		which = xreallocarray(which, n + 1, sizeof *which);
		argvs[n] = adb_argv(f->adb, d->serial, ADB_CMD_REMOVE, f->dir,
		    f->device_port, f->host_port);
		which[n++] = d;
	}
	if (n > 0) {
		status = xcalloc(n, sizeof *status);
		spawn_sync((char *const *const *)argvs, n, ADB_STOP_MS, status);
		for (i = 0; i < n; i++) {
			if (status[i] == -1)
				why = xstrdup("adb did not finish in time, or "
				    "could not run");
			else
				xasprintf(&why, "adb exit status %d",
				    WIFEXITED(status[i]) ?
				    WEXITSTATUS(status[i]) : -1);
			adbfwd_removed(which[i], status[i] != -1 &&
			    WIFEXITED(status[i]) && WEXITSTATUS(status[i]) == 0,
			    why);
			free(why);
			adb_argv_free(argvs[i]);
		}
		free(status);
	}
	free(argvs);
	free(which);
	while ((d = TAILQ_FIRST(&f->devs)) != NULL) {
		TAILQ_REMOVE(&f->devs, d, entry);
		free(d->serial);
		free(d->adbstate);
		free(d->text);
		free(d);
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

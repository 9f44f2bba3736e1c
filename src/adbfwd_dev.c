/* SPDX-License-Identifier: MIT */
/*
 * adbfwd_dev.c: one device's mapping: its state, the check that it is in
 * place (adb --list), making it (--no-rebind) and removing what we made.
 * A device has one adb command at a time; a check asked for while one
 * runs is made when it ends.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsrouterd.h"
#include "device.h"

/* A state's text: "pending (why)", "established", "lost (why)", "failed: why". */
static char *
adbfwd_dev_text(enum adbfwd_st st, const char *why)
{
	char *text;

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
	return text;
}

/* Log a device's new state (info, failures at warning). */
static void
adbfwd_dev_log(const struct adbfwd_dev *d, enum adbfwd_st st, const char *why,
    const char *text)
{
	const struct adbfwd *f = d->fwd;

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
}

/* Set a device's state; a change is logged. */
void
adbfwd_dev_set(struct adbfwd_dev *d, enum adbfwd_st st, const char *fmt, ...)
{
	char *why = NULL, *text;
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		xvasprintf(&why, fmt, ap);
		va_end(ap);
	}
	text = adbfwd_dev_text(st, why);
	if (d->text != NULL && d->st == st && strcmp(d->text, text) == 0) {
		free(text);
		free(why);
		return;
	}
	adbfwd_dev_log(d, st, why, text);
	free(d->text);
	d->text = text;
	d->st = st;
	d->since = time(NULL);
	free(why);
}

/* Whether a device may take commands: listed, and ready for debugging. */
int
adbfwd_dev_ready(const struct adbfwd_dev *d)
{
	return d->present && d->adbstate != NULL &&
	    strcmp(d->adbstate, "device") == 0;
}

/* The device of that serial, or NULL. */
struct adbfwd_dev *
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
struct adbfwd_dev *
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

/* Free a device (off its list, no command running). */
void
adbfwd_dev_free(struct adbfwd_dev *d)
{
	free(d->serial);
	free(d->adbstate);
	free(d->text);
	free(d);
}

/* Why an adb command failed, for a state: "adb ... --list: exit status 1: ..." */
static char *
adbfwd_dev_failure(const struct adbfwd_dev *d, enum adb_cmd cmd,
    const struct spawn_result *r)
{
	const struct adbfwd *f = d->fwd;
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

/* Start a command for a device: its job, or none when it could not start. */
static void
adbfwd_dev_job(struct adbfwd_dev *d, enum adbfwd_job kind, enum adb_cmd cmd,
    spawn_done_cb done)
{
	d->jobkind = kind;
	d->job = adbfwd_run(d->fwd, d->serial, cmd, d->fwd->command_ms, NULL,
	    done, d);
	if (d->job == NULL)
		d->jobkind = ADBFWD_JOB_NONE;
}

/* A device's command ended: start the check it was waiting for, if any. */
static void
adbfwd_dev_job_over(struct adbfwd_dev *d)
{
	d->job = NULL;
	d->jobkind = ADBFWD_JOB_NONE;
	if (d->recheck && !d->fwd->stopping) {
		d->recheck = 0;
		adbfwd_dev_check(d);
	}
}

/* adb reverse|forward --no-rebind ended. */
static void
adbfwd_dev_add_done(const struct spawn_result *r, void *arg)
{
	struct adbfwd_dev *d = arg;
	char *why;

	d->job = NULL;
	if (spawn_success(r)) {
		d->owned = 1;
		if (d->present)
			adbfwd_dev_set(d, ADBFWD_ESTABLISHED, NULL);
	} else if (d->present) {
		why = adbfwd_dev_failure(d, ADB_CMD_ADD, r);
		adbfwd_dev_set(d, ADBFWD_FAILED, "%s", why);
		free(why);
	}
	adbfwd_dev_job_over(d);
}

/* The same port already goes somewhere else: say what, and how to clear it. */
static void
adbfwd_dev_conflict(struct adbfwd_dev *d, const struct adb_mapping *which)
{
	const struct adbfwd *f = d->fwd;

	if (f->dir == ADB_REVERSE)
		adbfwd_dev_set(d, ADBFWD_FAILED, "tcp:%u on the device already "
		    "goes to %s on the host: not replaced (remove it with adb "
		    "-s %s reverse --remove tcp:%u)", (unsigned)f->device_port,
		    which->remote, d->serial, (unsigned)f->device_port);
	else if (strcmp(which->owner, d->serial) != 0)
		adbfwd_dev_set(d, ADBFWD_FAILED, "host tcp:%u already forwards "
		    "to device %s (a host port reaches one device: name the "
		    "device to use)", (unsigned)f->host_port, which->owner);
	else
		adbfwd_dev_set(d, ADBFWD_FAILED, "host tcp:%u already forwards "
		    "to %s on this device: not replaced (remove it with adb -s "
		    "%s forward --remove tcp:%u)", (unsigned)f->host_port,
		    which->remote, d->serial, (unsigned)f->host_port);
}

/* The mapping is missing: make it (again). */
static void
adbfwd_dev_missing(struct adbfwd_dev *d)
{
	if (d->st == ADBFWD_ESTABLISHED)
		adbfwd_dev_set(d, ADBFWD_LOST, "gone from adb %s --list; making "
		    "it again", d->fwd->dir == ADB_REVERSE ? "reverse" :
		    "forward");
	/* Whoever made it has dropped it: it will be ours. */
	d->owned = 0;
	adbfwd_dev_job(d, ADBFWD_JOB_ADD, ADB_CMD_ADD, adbfwd_dev_add_done);
}

/* adb reverse|forward --list ended: is the mapping there? */
static void
adbfwd_dev_list_done(const struct spawn_result *r, void *arg)
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
		adbfwd_dev_job_over(d);
		return;
	}
	if (!spawn_success(r)) {
		why = adbfwd_dev_failure(d, ADB_CMD_LIST, r);
		adbfwd_dev_set(d, ADBFWD_FAILED, "%s", why);
		free(why);
		adbfwd_dev_job_over(d);
		return;
	}
	n = adb_parse_list(r->out, r->outlen, &m);
	switch (adb_list_find(m, n, f->dir, d->serial, f->device_port,
	    f->host_port, &which)) {
	case ADB_PRESENT:
		adbfwd_dev_set(d, ADBFWD_ESTABLISHED, NULL);
		break;
	case ADB_CONFLICT:
		adbfwd_dev_conflict(d, which);
		break;
	case ADB_MISSING:
		adbfwd_dev_missing(d);
		break;
	}
	adb_mappings_free(m, n);
	if (d->job == NULL)
		adbfwd_dev_job_over(d);
}

/* Check a device's mapping now (or when its running command ends). */
void
adbfwd_dev_check(struct adbfwd_dev *d)
{
	if (d->fwd->stopping || !adbfwd_dev_ready(d))
		return;
	if (d->job != NULL) {
		d->recheck = 1;
		return;
	}
	adbfwd_dev_job(d, ADBFWD_JOB_LIST, ADB_CMD_LIST, adbfwd_dev_list_done);
}

/* A device adb lists but that cannot be debugged (unauthorized, offline...). */
void
adbfwd_dev_not_ready(struct adbfwd_dev *d)
{
	if (d->st == ADBFWD_ESTABLISHED)
		adbfwd_dev_set(d, ADBFWD_LOST, "device %s", d->adbstate);
	else
		adbfwd_dev_set(d, ADBFWD_FAILED, "device %s: %s", d->adbstate,
		    adb_state_hint(d->adbstate));
}

/* Stop a device's command, unless it is a removal; a mapping being made may exist: ours. */
void
adbfwd_dev_quiet(struct adbfwd_dev *d)
{
	if (d->job == NULL || d->jobkind == ADBFWD_JOB_REMOVE)
		return;
	spawn_cancel(d->job);
	if (d->jobkind == ADBFWD_JOB_ADD)
		d->owned = 1;
	d->job = NULL;
	d->jobkind = ADBFWD_JOB_NONE;
	d->recheck = 0;
}

/* Whether a device has a mapping of ours to remove. */
int
adbfwd_dev_to_remove(const struct adbfwd_dev *d)
{
	/* A detached device's mappings went with its connection. */
	return d->owned && adbfwd_dev_ready(d);
}

/* The log line of a removal. */
void
adbfwd_dev_removed(struct adbfwd_dev *d, int ok, const char *why)
{
	const struct adbfwd *f = d->fwd;

	d->owned = 0;
	if (ok)
		log_info(f->tag, "device %s: %s removed", d->serial, f->what);
	else
		log_warn(f->tag, "device %s: %s not removed: %s", d->serial,
		    f->what, why);
}

/* An asynchronous removal ended; the last one tells the owner. */
static void
adbfwd_dev_remove_done(const struct spawn_result *r, void *arg)
{
	struct adbfwd_dev *d = arg;
	struct adbfwd *f = d->fwd;
	char *why;

	d->job = NULL;
	d->jobkind = ADBFWD_JOB_NONE;
	why = spawn_describe(r);
	adbfwd_dev_removed(d, spawn_success(r), why);
	free(why);
	if (--f->removing == 0 && f->stopped != NULL)
		f->stopped(f, f->stopped_arg);   /* may free f: last */
}

/* Remove what we made on a device, through the loop: 1 when started. */
int
adbfwd_dev_remove(struct adbfwd_dev *d)
{
	if (!adbfwd_dev_to_remove(d) || d->job != NULL)
		return 0;
	adbfwd_dev_job(d, ADBFWD_JOB_REMOVE, ADB_CMD_REMOVE,
	    adbfwd_dev_remove_done);
	if (d->job == NULL)
		return 0;
	d->fwd->removing++;
	return 1;
}

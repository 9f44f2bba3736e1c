/* SPDX-License-Identifier: MIT */
/*
 * e2e_devices.c: the device modules (spawn*.c, adbfwd*.c, usbmux*.c) driven
 * from an event loop of the test's own, against tests/fake-adb and
 * tests/fake-usbmuxd (the real usbmuxd protocol) with fake runtimes
 * behind the device ports: no phone needed. Each test has a scratch
 * directory and captures the modules' log to assert on its lines.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "dsrouterd.h"
#include "device.h"
#include "dsrtest.h"

#define WAIT_MS 5000

static struct event_base *base;
static char tdir[256];             /* the test's scratch directory */
static int saved_stderr = -1;     /* the log goes to the scratch directory while a test runs */
static pid_t fake_pid = -1;       /* fake-usbmuxd, when started */

/* A path in the scratch directory (static: one at a time per slot). */
static const char *
in_dir(const char *name)
{
	static char buf[4][512];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(buf[slot], sizeof buf[slot], "%s/%s", tdir, name);
	return buf[slot];
}

/* Write a control file of a fake (atomically: write, then rename). */
static void
put_file(const char *name, const char *text)
{
	char tmp[600];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.new", in_dir(name));
	f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(rename(tmp, in_dir(name)), 0);
}

/* How many times needle is in a file. */
static int
count_in(const char *path, const char *needle)
{
	char *s = dsrtest_read_file(path), *p;
	int n = 0;

	for (p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	free(s);
	return n;
}

/* How many times the log has needle. */
static int
log_has(const char *needle)
{
	return count_in(in_dir("dsr.log"), needle);
}

/* Before each test: scratch, log capture, a loop, SIGPIPE ignored. */
static void
setup(void)
{
	int fd;

	signal(SIGPIPE, SIG_IGN);
	snprintf(tdir, sizeof tdir, "/tmp/e2e_devices.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	saved_stderr = dup(STDERR_FILENO);
	fd = open(in_dir("dsr.log"), O_WRONLY | O_CREAT | O_APPEND, 0644);
	ck_assert_int_ne(fd, -1);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log_open(LOG_LEVEL_DEBUG);
	setenv("FAKE_ADB_DIR", tdir, 1);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
}

/* After each test: stop the fake, show the log, remove the scratch. */
static void
teardown(void)
{
	char *log, cmd[300];
	int status;

	if (fake_pid > 0) {
		kill(fake_pid, SIGKILL);
		waitpid(fake_pid, &status, 0);
		fake_pid = -1;
	}
	if (saved_stderr != -1) {
		log = dsrtest_read_file(in_dir("dsr.log"));
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
		fputs(log, stderr);
		free(log);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tdir);
}

/* Let the loop turn once, at most ms. */
static void
loop_once(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* Run the loop until cond holds (1) or ms pass (0). */
static int
run_until(int (*cond)(void *), void *arg, int ms)
{
	long long end = dsrtest_now_ms() + ms;

	while (!cond(arg)) {
		if (dsrtest_now_ms() >= end)
			return 0;
		loop_once(10);
	}
	return 1;
}

/* Run the loop for ms. */
static void
run_for(int ms)
{
	long long end = dsrtest_now_ms() + ms;

	while (dsrtest_now_ms() < end)
		loop_once(10);
}

/* A condition: a file has a string. */
struct has {
	const char *path;
	const char *needle;
	int times;                 /* at least */
};

static int
cond_has(void *arg)
{
	struct has *h = arg;

	return count_in(h->path, h->needle) >= (h->times > 0 ? h->times : 1);
}

/* Wait for a file to have needle (at least times times). */
static int
wait_has(const char *path, const char *needle, int times, int ms)
{
	struct has h = { path, needle, times };

	return run_until(cond_has, &h, ms);
}

/* A timer that measures how late it fires: a stalled loop shows here. */
struct ticker {
	struct event *ev;
	int period_ms;
	long long last;
	long long worst;           /* latest firing past its time, ms */
	int fired;
};

static void
ticker_cb(evutil_socket_t fd, short events, void *arg)
{
	struct ticker *t = arg;
	long long now = dsrtest_now_ms(), late;

	(void)fd;
	(void)events;
	late = now - t->last - t->period_ms;
	if (late > t->worst)
		t->worst = late;
	t->last = now;
	t->fired++;
}

static void
ticker_start(struct ticker *t, int period_ms)
{
	struct timeval tv = { 0, period_ms * 1000 };

	memset(t, 0, sizeof *t);
	t->period_ms = period_ms;
	t->last = dsrtest_now_ms();
	t->ev = event_new(base, -1, EV_PERSIST, ticker_cb, t);
	ck_assert_ptr_nonnull(t->ev);
	event_add(t->ev, &tv);
}

static void
ticker_stop(struct ticker *t)
{
	event_free(t->ev);
}

/* No child is left unreaped (every adb the modules ran is gone). */
static void
assert_no_children(void)
{
	int status;

	ck_assert_int_eq(waitpid(-1, &status, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}

/* ---- spawn.c ---- */

struct spawned {
	int done;
	int status, exec_errno, timed_out, truncated;
	char out[256], err[256];
	size_t outlen;
	unsigned elapsed;
	char *describe;
	size_t streamed;
};

static void
spawned_done(const struct spawn_result *r, void *arg)
{
	struct spawned *s = arg;

	s->done = 1;
	s->status = r->status;
	s->exec_errno = r->exec_errno;
	s->timed_out = r->timed_out;
	s->truncated = r->truncated;
	s->outlen = r->outlen;
	s->elapsed = r->elapsed_ms;
	snprintf(s->out, sizeof s->out, "%s", r->out);
	snprintf(s->err, sizeof s->err, "%s", r->err);
	s->describe = spawn_describe(r);
}

static void
spawned_output(const char *buf, size_t len, void *arg)
{
	struct spawned *s = arg;

	(void)buf;
	s->streamed += len;
}

static int
cond_spawned(void *arg)
{
	return ((struct spawned *)arg)->done;
}

START_TEST(test_spawn_output_and_status)
{
	char sh[] = "/bin/sh", c[] = "-c", cmd[] = "echo out; echo err >&2; exit 3";
	char *argv[] = { sh, c, cmd, NULL };
	struct spawned s;
	char *cause = NULL;

	memset(&s, 0, sizeof s);
	ck_assert_ptr_nonnull(spawn_run(base, argv, 5000, NULL, spawned_done,
	    &s, &cause));
	ck_assert_int_eq(run_until(cond_spawned, &s, WAIT_MS), 1);
	ck_assert_str_eq(s.out, "out\n");
	ck_assert_str_eq(s.err, "err\n");
	ck_assert(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 3);
	ck_assert_str_eq(s.describe, "exit status 3: err");
	free(s.describe);
	assert_no_children();
}
END_TEST

START_TEST(test_spawn_exec_failure)
{
	char prog[] = "/nonexistent/adb", arg[] = "devices";
	char *argv[] = { prog, arg, NULL };
	struct spawned s;
	char *cause = NULL;

	memset(&s, 0, sizeof s);
	ck_assert_ptr_nonnull(spawn_run(base, argv, 5000, NULL, spawned_done,
	    &s, &cause));
	ck_assert_int_eq(run_until(cond_spawned, &s, WAIT_MS), 1);
	ck_assert_int_eq(s.exec_errno, ENOENT);
	ck_assert_ptr_nonnull(strstr(s.describe, "cannot execute"));
	free(s.describe);
	assert_no_children();
}
END_TEST

/* A program that never ends is killed at its time-out; the loop runs on. */
START_TEST(test_spawn_timeout)
{
	char prog[] = "/bin/sleep", arg[] = "30";
	char *argv[] = { prog, arg, NULL };
	struct spawned s;
	struct ticker t;
	char *cause = NULL;
	long long start = dsrtest_now_ms();

	memset(&s, 0, sizeof s);
	ticker_start(&t, 20);
	ck_assert_ptr_nonnull(spawn_run(base, argv, 300, NULL, spawned_done,
	    &s, &cause));
	ck_assert_int_eq(run_until(cond_spawned, &s, WAIT_MS), 1);
	ck_assert_int_eq(s.timed_out, 1);
	ck_assert(dsrtest_now_ms() - start < 2000);
	ck_assert_ptr_nonnull(strstr(s.describe, "timed out"));
	ck_assert_int_gt(t.fired, 10);
	ck_assert_msg(t.worst < 100, "a 20 ms timer fired %lld ms late", t.worst);
	free(s.describe);
	ticker_stop(&t);
	assert_no_children();
}
END_TEST

/* A daemon started with its standard streams closed: the child's are right. */
START_TEST(test_spawn_closed_stdio)
{
	char sh[] = "/bin/sh", c[] = "-c", cmd[] = "cat && echo ok";
	char *argv[] = { sh, c, cmd, NULL };
	struct spawned s;
	char *cause = NULL;

	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	memset(&s, 0, sizeof s);
	ck_assert_ptr_nonnull(spawn_run(base, argv, 5000, NULL, spawned_done,
	    &s, &cause));
	ck_assert_int_eq(run_until(cond_spawned, &s, WAIT_MS), 1);
	ck_assert_str_eq(s.err, "");
	ck_assert_str_eq(s.out, "ok\n");
	ck_assert(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
	free(s.describe);
	assert_no_children();
}
END_TEST

/* Output beyond the limit is dropped, not waited on; a stream is passed on. */
START_TEST(test_spawn_big_output)
{
	char sh[] = "/bin/sh", c[] = "-c", cmd[] = "head -c 1000000 /dev/zero";
	char *argv[] = { sh, c, cmd, NULL };
	struct spawned s, st;
	char *cause = NULL;

	memset(&s, 0, sizeof s);
	ck_assert_ptr_nonnull(spawn_run(base, argv, 5000, NULL, spawned_done,
	    &s, &cause));
	ck_assert_int_eq(run_until(cond_spawned, &s, WAIT_MS), 1);
	ck_assert_int_eq(s.truncated, 1);
	ck_assert_uint_eq(s.outlen, SPAWN_MAX_OUTPUT);
	ck_assert(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
	free(s.describe);

	memset(&st, 0, sizeof st);
	ck_assert_ptr_nonnull(spawn_run(base, argv, 5000, spawned_output,
	    spawned_done, &st, &cause));
	ck_assert_int_eq(run_until(cond_spawned, &st, WAIT_MS), 1);
	ck_assert_uint_eq(st.streamed, 1000000);
	ck_assert_uint_eq(st.outlen, 0);
	free(st.describe);
	assert_no_children();
}
END_TEST

/* Cancelled: killed and reaped at once, no callback. */
START_TEST(test_spawn_cancel)
{
	char prog[] = "/bin/sleep", arg[] = "30";
	char *argv[] = { prog, arg, NULL };
	struct spawned s;
	struct spawn *sp;
	char *cause = NULL;
	long long start;

	memset(&s, 0, sizeof s);
	sp = spawn_run(base, argv, 0, NULL, spawned_done, &s, &cause);
	ck_assert_ptr_nonnull(sp);
	run_for(100);
	start = dsrtest_now_ms();
	spawn_cancel(sp);
	ck_assert(dsrtest_now_ms() - start < 500);
	run_for(100);
	ck_assert_int_eq(s.done, 0);
	assert_no_children();
}
END_TEST

/* spawn_proc_sync waits for all at once, and no longer than told. */
START_TEST(test_spawn_proc_sync)
{
	char sh[] = "/bin/sh", c[] = "-c", cmd[] = "exit 4";
	char sleep[] = "/bin/sleep", thirty[] = "30";
	char *quick[] = { sh, c, cmd, NULL };
	char *slow[] = { sleep, thirty, NULL };
	char *const *argvs[3] = { quick, slow, slow };
	int status[3];
	long long start = dsrtest_now_ms(), took;

	ck_assert_uint_eq(spawn_proc_sync(argvs, 3, 500, status), 2);
	took = dsrtest_now_ms() - start;
	ck_assert_msg(took >= 450 && took < 1500, "took %lld ms", took);
	ck_assert(WIFEXITED(status[0]) && WEXITSTATUS(status[0]) == 4);
	ck_assert_int_eq(status[1], -1);
	ck_assert_int_eq(status[2], -1);
	assert_no_children();
}
END_TEST

/* ---- adbfwd.c against tests/fake-adb ---- */

/* An adbfwd of the android preset: device 9000 -> host 9001. */
static struct adbfwd *
fwd_new(const char *serial, enum adb_dir dir, unsigned check_ms,
    unsigned command_ms)
{
	struct adbfwd_conf conf;
	struct adbfwd *f;
	char *cause = NULL;

	memset(&conf, 0, sizeof conf);
	conf.adb = FAKE_ADB;
	conf.serial = serial;
	conf.dir = dir;
	conf.device_port = dir == ADB_REVERSE ? 9000 : 8999;
	conf.host_port = dir == ADB_REVERSE ? 9001 : 9000;
	conf.tag = "android";
	conf.check_ms = check_ms;
	conf.command_ms = command_ms;
	f = adbfwd_new(base, &conf, &cause);
	ck_assert_msg(f != NULL, "adbfwd_new: %s", cause);
	return f;
}

/* The state adbfwd reports for a device, or "" (static buffer). */
static const char *
fwd_state(struct adbfwd *f, const char *serial)
{
	static char buf[512];
	struct device_state *ds;
	size_t n, i;

	buf[0] = '\0';
	n = adbfwd_state(f, &ds);
	for (i = 0; i < n; i++) {
		if (strcmp(ds[i].name, serial) == 0) {
			snprintf(buf, sizeof buf, "%s", ds[i].state);
			ck_assert_int_ne(ds[i].since, 0);
		}
	}
	device_state_free(ds, n);
	return buf;
}

/* At start, after a replug (within the check period) and at free. */
START_TEST(test_adb_reverse_lifecycle)
{
	struct adbfwd *f;
	long long t;

	put_file("devices", "emulator-5554 device\n");
	f = fwd_new(NULL, ADB_REVERSE, 0, 0);
	ck_assert_int_eq(wait_has(in_dir("reverse-emulator-5554"),
	    "tcp:9000 tcp:9001", 1, WAIT_MS), 1);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "device emulator-5554: "
	    "reverse tcp:9000 -> tcp:9001 established", 1, WAIT_MS), 1);
	ck_assert_uint_eq(adbfwd_established(f), 1);
	ck_assert_ptr_null(adbfwd_summary(f));
	ck_assert_str_eq(fwd_state(f, "emulator-5554"), "established");
	/* Checked before it was made: never replaced blindly. */
	ck_assert_int_eq(count_in(in_dir("calls"),
	    "-s emulator-5554 reverse --list"), 1);
	ck_assert_int_eq(count_in(in_dir("calls"),
	    "-s emulator-5554 reverse --no-rebind tcp:9000 tcp:9001"), 1);

	/* The device drops its reverses (a replug, adb restarted). */
	t = dsrtest_now_ms();
	ck_assert_int_eq(unlink(in_dir("reverse-emulator-5554")), 0);
	ck_assert_int_eq(wait_has(in_dir("reverse-emulator-5554"),
	    "tcp:9000 tcp:9001", 1, ADB_CHECK_MS + 1500), 1);
	ck_assert_msg(dsrtest_now_ms() - t <= ADB_CHECK_MS + 1000,
	    "made again after %lld ms", dsrtest_now_ms() - t);
	ck_assert_int_eq(log_has("device emulator-5554: reverse tcp:9000 -> "
	    "tcp:9001 lost (gone from adb reverse --list"), 1);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "reverse tcp:9000 -> "
	    "tcp:9001 established", 2, WAIT_MS), 1);

	/* Removed at free: what it made. */
	adbfwd_free(f);
	ck_assert_int_eq(count_in(in_dir("calls"),
	    "-s emulator-5554 reverse --remove tcp:9000"), 1);
	ck_assert_int_eq(count_in(in_dir("reverse-emulator-5554"), "tcp:9000"),
	    0);
	ck_assert_int_eq(log_has("device emulator-5554: reverse tcp:9000 -> "
	    "tcp:9001 removed"), 1);
	assert_no_children();
}
END_TEST

/* Unplugged and plugged back: followed at once through track-devices. */
START_TEST(test_adb_replug_tracked)
{
	struct adbfwd *f;
	long long t;

	put_file("devices", "R58M123ABC device\n");
	f = fwd_new(NULL, ADB_REVERSE, 0, 0);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "established", 1, WAIT_MS), 1);

	put_file("devices", "");
	unlink(in_dir("reverse-R58M123ABC"));
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "device R58M123ABC: reverse "
	    "tcp:9000 -> tcp:9001 lost (device detached)", 1, 2000), 1);
	ck_assert_str_eq(fwd_state(f, "R58M123ABC"), "lost (device detached)");
	ck_assert_str_eq(adbfwd_summary(f), "no device attached");

	t = dsrtest_now_ms();
	put_file("devices", "R58M123ABC device\n");
	ck_assert_int_eq(wait_has(in_dir("reverse-R58M123ABC"),
	    "tcp:9000 tcp:9001", 1, WAIT_MS), 1);
	/* Well before the periodic check: the tracker saw it come. */
	ck_assert_msg(dsrtest_now_ms() - t < 2000, "made again after %lld ms",
	    dsrtest_now_ms() - t);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "established", 2, WAIT_MS), 1);
	ck_assert_int_eq(count_in(in_dir("calls"), "track-devices"), 1);
	adbfwd_free(f);
	ck_assert_int_eq(count_in(in_dir("calls"), "reverse --remove"), 1);
	assert_no_children();
}
END_TEST

/* Every device when none is named; a reverse someone else made is left. */
START_TEST(test_adb_only_ours_removed)
{
	struct adbfwd *f;

	put_file("devices", "A device\nB device\n");
	put_file("reverse-B", "tcp:9000 tcp:9001\n");
	f = fwd_new(NULL, ADB_REVERSE, 0, 0);
	ck_assert_int_eq(wait_has(in_dir("reverse-A"), "tcp:9000 tcp:9001", 1,
	    WAIT_MS), 1);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "device B: reverse tcp:9000 "
	    "-> tcp:9001 established (made by someone else", 1, WAIT_MS), 1);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "device A: reverse tcp:9000 "
	    "-> tcp:9001 established", 1, WAIT_MS), 1);
	ck_assert_uint_eq(adbfwd_established(f), 2);
	ck_assert_int_eq(count_in(in_dir("calls"), "-s B reverse --no-rebind"),
	    0);
	adbfwd_free(f);
	ck_assert_int_eq(count_in(in_dir("calls"), "-s A reverse --remove"), 1);
	ck_assert_int_eq(count_in(in_dir("calls"), "-s B reverse --remove"), 0);
	ck_assert_int_eq(count_in(in_dir("reverse-B"), "tcp:9000 tcp:9001"), 1);
	ck_assert_int_eq(count_in(in_dir("reverse-A"), "tcp:9000"), 0);
}
END_TEST

/* Two devices, one named: the other is never touched. */
START_TEST(test_adb_two_devices_serial)
{
	struct adbfwd *f;
	struct device_state *ds;
	size_t n;

	put_file("devices", "emulator-5554 device\nemulator-5556 device\n");
	f = fwd_new("emulator-5556", ADB_REVERSE, 300, 0);
	ck_assert_int_eq(wait_has(in_dir("reverse-emulator-5556"),
	    "tcp:9000 tcp:9001", 1, WAIT_MS), 1);
	run_for(800);   /* a few check periods */
	ck_assert_int_eq(count_in(in_dir("calls"), "-s emulator-5554"), 0);
	ck_assert_int_ge(count_in(in_dir("calls"),
	    "-s emulator-5556 reverse --list"), 2);
	n = adbfwd_state(f, &ds);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ds[0].name, "emulator-5556");
	device_state_free(ds, n);
	adbfwd_free(f);
	ck_assert_int_eq(count_in(in_dir("calls"), "-s emulator-5554"), 0);
	ck_assert_int_eq(count_in(in_dir("calls"),
	    "-s emulator-5556 reverse --remove tcp:9000"), 1);
}
END_TEST

/* A hanging adb is killed at its time-out and never delays the loop. */
START_TEST(test_adb_hang_never_stalls)
{
	struct adbfwd *f;
	struct ticker t;

	put_file("devices", "emulator-5554 device\n");
	put_file("hang", "reverse\n");
	ticker_start(&t, 20);
	f = fwd_new(NULL, ADB_REVERSE, 400, 500);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "reverse --list: timed out "
	    "after", 1, WAIT_MS), 1);
	run_for(1500);
	ck_assert_msg(t.worst < 100, "a 20 ms timer fired %lld ms late", t.worst);
	ck_assert_int_ge(count_in(in_dir("calls"), "reverse --list"), 2);
	/* A failure is logged when it starts, not at every attempt. */
	ck_assert_int_eq(log_has("timed out after 500 ms: killed"), 1);
	ck_assert_ptr_nonnull(strstr(fwd_state(f, "emulator-5554"),
	    "failed: fake-adb -s emulator-5554 reverse --list: timed out after"));
	ck_assert_ptr_nonnull(strstr(adbfwd_summary(f), "timed out"));

	/* adb recovers: made at the next check. */
	unlink(in_dir("hang"));
	ck_assert_int_eq(wait_has(in_dir("reverse-emulator-5554"),
	    "tcp:9000 tcp:9001", 1, WAIT_MS), 1);
	ck_assert_msg(t.worst < 100, "a 20 ms timer fired %lld ms late", t.worst);
	ticker_stop(&t);

	/* The removal at free hangs too: bounded by ADB_STOP_MS. */
	put_file("hang", "--remove\n");
	{
		long long start = dsrtest_now_ms(), took;

		adbfwd_free(f);
		took = dsrtest_now_ms() - start;
		ck_assert_msg(took <= ADB_STOP_MS + 1000, "free took %lld ms",
		    took);
	}
	ck_assert_int_eq(log_has("not removed: adb did not finish in time"), 1);
	assert_no_children();
}
END_TEST

static int stopped_calls;

static void
stopped(struct adbfwd *f, void *arg)
{
	(void)arg;
	stopped_calls++;
	adbfwd_free(f);
}

static int
cond_stopped(void *arg)
{
	(void)arg;
	return stopped_calls > 0;
}

/* A route a reload removes: removal through the loop, nothing waits. */
START_TEST(test_adb_stop_async)
{
	struct adbfwd *f;
	struct ticker t;

	put_file("devices", "A device\n");
	put_file("slow", "300\n");
	f = fwd_new(NULL, ADB_REVERSE, 0, 0);
	ck_assert_int_eq(wait_has(in_dir("reverse-A"), "tcp:9000 tcp:9001", 1,
	    WAIT_MS), 1);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "established", 1, WAIT_MS), 1);
	ticker_start(&t, 20);
	stopped_calls = 0;
	adbfwd_stop(f, stopped, NULL);
	ck_assert_int_eq(stopped_calls, 0);
	ck_assert_int_eq(run_until(cond_stopped, NULL, WAIT_MS), 1);
	ck_assert_int_eq(count_in(in_dir("reverse-A"), "tcp:9000"), 0);
	ck_assert_int_eq(count_in(in_dir("calls"), "-s A reverse --remove"), 1);
	ck_assert_msg(t.worst < 100, "a 20 ms timer fired %lld ms late", t.worst);
	ticker_stop(&t);
	assert_no_children();
}
END_TEST

/* A reload that keeps the mapping hands it over: not removed by the old route. */
START_TEST(test_adb_adopt)
{
	struct adbfwd *old, *new;

	put_file("devices", "A device\n");
	old = fwd_new(NULL, ADB_REVERSE, 0, 0);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "established", 1, WAIT_MS), 1);
	new = fwd_new(NULL, ADB_REVERSE, 0, 0);
	adbfwd_adopt(new, old);
	adbfwd_free(old);
	ck_assert_int_eq(count_in(in_dir("calls"), "reverse --remove"), 0);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "established", 2, WAIT_MS), 1);
	ck_assert_int_eq(log_has("made by someone else"), 0);
	adbfwd_free(new);
	ck_assert_int_eq(count_in(in_dir("calls"), "-s A reverse --remove"), 1);
}
END_TEST

/* --forward-port Android: one host port, so one device gets it. */
START_TEST(test_adb_forward_two_devices)
{
	struct adbfwd *f;
	char *fw;
	int a;

	put_file("devices", "A device\nB device\n");
	f = fwd_new(NULL, ADB_FORWARD, 300, 0);
	ck_assert_int_eq(wait_has(in_dir("forward"), "tcp:9000 tcp:8999", 1,
	    WAIT_MS), 1);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "already forwards to device",
	    1, WAIT_MS), 1);
	ck_assert_uint_eq(adbfwd_established(f), 1);
	fw = dsrtest_read_file(in_dir("forward"));
	a = strncmp(fw, "A ", 2) == 0;
	free(fw);
	ck_assert_int_eq(count_in(in_dir("forward"), "tcp:9000"), 1);

	/* The device that has it goes: the other takes over. */
	put_file("devices", a ? "B device\n" : "A device\n");
	put_file("forward", "");
	ck_assert_int_eq(wait_has(in_dir("forward"), a ? "B tcp:9000 tcp:8999" :
	    "A tcp:9000 tcp:8999", 1, WAIT_MS), 1);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "forward tcp:9000 -> "
	    "tcp:8999 established", 2, WAIT_MS), 1);
	adbfwd_free(f);
	ck_assert_int_eq(count_in(in_dir("forward"), "tcp:9000"), 0);
}
END_TEST

/* adb failing: a state and a warning saying what adb said; then recovery. */
START_TEST(test_adb_failure_then_recovery)
{
	struct adbfwd *f;

	put_file("devices", "A device\n");
	put_file("fail", "--no-rebind\n");
	f = fwd_new(NULL, ADB_REVERSE, 300, 0);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "device A: reverse tcp:9000 "
	    "-> tcp:9001 failed: fake-adb -s A reverse --no-rebind tcp:9000 "
	    "tcp:9001: exit status 1: error: failed by the test", 1, WAIT_MS),
	    1);
	/* Logged once, however often it is tried. */
	ck_assert_int_eq(wait_has(in_dir("calls"), "--no-rebind", 3, WAIT_MS), 1);
	ck_assert_int_eq(log_has("failed by the test"), 1);
	ck_assert_int_eq(log_has(" failed: "), 1);
	unlink(in_dir("fail"));
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "established", 1, WAIT_MS), 1);
	adbfwd_free(f);
}
END_TEST

/* No device, a device not ready, adb missing: what the user is told. */
START_TEST(test_adb_no_device_and_missing_adb)
{
	struct adbfwd_conf conf;
	struct adbfwd *f;
	char *cause = NULL, *path;

	put_file("devices", "");
	f = fwd_new(NULL, ADB_REVERSE, 0, 0);
	ck_assert_int_eq(wait_has(in_dir("calls"), "track-devices", 1,
	    WAIT_MS), 1);
	run_for(300);
	ck_assert_str_eq(adbfwd_summary(f), "no device attached");
	put_file("devices", "A unauthorized\n");
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "device A: reverse tcp:9000 "
	    "-> tcp:9001 failed: device unauthorized: allow USB debugging", 1,
	    WAIT_MS), 1);
	ck_assert_ptr_nonnull(strstr(adbfwd_summary(f), "unauthorized"));
	ck_assert_int_eq(count_in(in_dir("calls"), "-s A"), 0);
	put_file("devices", "A device\n");
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "established", 1, WAIT_MS), 1);
	adbfwd_free(f);

	/* No adb anywhere: one line, where it looked, what to install. */
	memset(&conf, 0, sizeof conf);
	conf.dir = ADB_REVERSE;
	conf.device_port = 9000;
	conf.host_port = 9001;
	unsetenv("ADB");
	unsetenv("ANDROID_HOME");
	unsetenv("ANDROID_SDK_ROOT");
	path = xstrdup(getenv("PATH") != NULL ? getenv("PATH") : "/bin:/usr/bin");
	setenv("PATH", in_dir("nothing"), 1);
	ck_assert_ptr_null(adbfwd_new(base, &conf, &cause));
	setenv("PATH", path, 1);
	free(path);
	ck_assert_ptr_nonnull(strstr(cause, "adb not found"));
	ck_assert_ptr_nonnull(strstr(cause, "apt-get install adb"));
	ck_assert_ptr_nonnull(strstr(cause, in_dir("nothing")));
	free(cause);
	/* $ADB is honoured. */
	setenv("ADB", FAKE_ADB, 1);
	f = adbfwd_new(base, &conf, &cause);
	ck_assert_ptr_nonnull(f);
	adbfwd_free(f);
	assert_no_children();
}
END_TEST

/* track-devices unavailable (an old adb): adb devices every period instead. */
START_TEST(test_adb_without_tracker)
{
	struct adbfwd *f;

	put_file("devices", "A device\n");
	put_file("fail", "track-devices\n");
	f = fwd_new(NULL, ADB_REVERSE, 300, 0);
	ck_assert_int_eq(wait_has(in_dir("reverse-A"), "tcp:9000 tcp:9001", 1,
	    WAIT_MS), 1);
	/* Said once at info, however often it is restarted. */
	ck_assert_int_eq(log_has("checking devices every 300 ms until it runs "
	    "again"), 1);
	put_file("devices", "A device\nB device\n");
	ck_assert_int_eq(wait_has(in_dir("reverse-B"), "tcp:9000 tcp:9001", 1,
	    WAIT_MS), 1);
	ck_assert_int_ge(count_in(in_dir("calls"), "devices\n") -
	    count_in(in_dir("calls"), "track-devices\n"), 2);
	adbfwd_free(f);
}
END_TEST

/* ---- usbmux.c against tests/fake-usbmuxd ---- */

#ifdef HAVE_USBMUXD
#define UDID1 "00008030-001A2B3C4D5E6F70"
#define UDID2 "00008101-000A11B22C33D44E"

/* Start the fake usbmuxd on usbmuxd.sock in the scratch and point libusbmuxd at it. */
static void
fake_usbmuxd_start(void)
{
	char env[600];
	long long end = dsrtest_now_ms() + WAIT_MS;
	struct stat sb;
	pid_t pid;

	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		/* Gone with the test even when it fails (no teardown then). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(FAKE_USBMUXD, "fake-usbmuxd", "--control", tdir,
		    "--socket", in_dir("usbmuxd.sock"), (char *)NULL);
		_exit(127);
	}
	fake_pid = pid;
	while (stat(in_dir("ready"), &sb) != 0) {
		ck_assert_msg(dsrtest_now_ms() < end, "fake-usbmuxd did not start");
		dsrtest_sleep_ms(10);
	}
	snprintf(env, sizeof env, "UNIX:%s", in_dir("usbmuxd.sock"));
	setenv("USBMUXD_SOCKET_ADDRESS", env, 1);
}

/* A listen-mode runtime behind a device port. */
enum rt_mode {
	RT_PROCESSINFO,            /* answer a ProcessInfo per connection */
	RT_STREAM,                 /* take 64 MiB and send 64 MiB, checked */
	RT_ENDLESS,                /* send until the connection breaks */
};
struct runtime {
	int lfd;
	char addr[64];
	enum rt_mode mode;
	int conns;                 /* connections to serve */
	uint64_t pid;
	int served;
	int failed;
	uint64_t sent, received;
	pthread_t thread;
};

#define STREAM_BYTES (64ull << 20)

/* The byte at a stream position: every position differs from its neighbours. */
static void
pattern(uint8_t *buf, size_t n, uint64_t pos, uint64_t seed)
{
	uint64_t z;
	size_t i;

	for (i = 0; i < n; i++, pos++) {
		z = ((pos >> 3) + seed) * 0x9E3779B97F4A7C15ull;
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
		z ^= z >> 27;
		buf[i] = (uint8_t)(z >> (8 * (pos & 7)));
	}
}

/* Send bytes of the pattern; 0 when all went. */
struct sender {
	int fd;
	uint64_t bytes, seed, sent;
	int result;
	pthread_t thread;
};

static void *
sender_main(void *arg)
{
	struct sender *s = arg;
	uint8_t *buf = malloc(65536);
	size_t n;

	s->result = -1;
	while (buf != NULL && s->sent < s->bytes) {
		n = s->bytes - s->sent < 65536 ? (size_t)(s->bytes - s->sent) :
		    65536;
		pattern(buf, n, s->sent, s->seed);
		if (dsrtest_write_all(s->fd, buf, n, 10000) != 0)
			break;
		s->sent += n;
	}
	if (s->sent == s->bytes)
		s->result = 0;
	shutdown(s->fd, SHUT_WR);
	free(buf);
	return NULL;
}

/* Read the pattern, checking every byte; then EOF. Bytes read, or -1 on a mismatch. */
static long long
receive_check(int fd, uint64_t bytes, uint64_t seed, int ms)
{
	uint8_t buf[65536], want[65536];
	uint64_t got = 0;
	ssize_t n;

	while (got < bytes) {
		n = dsrtest_read_some(fd, buf, sizeof buf, ms);
		if (n <= 0)
			return (long long)got;
		pattern(want, (size_t)n, got, seed);
		if (memcmp(buf, want, (size_t)n) != 0)
			return -1;
		got += (uint64_t)n;
	}
	return (long long)got;
}

static void *
runtime_main(void *arg)
{
	struct runtime *rt = arg;
	uint8_t req[64], resp[256], cookie[16];
	struct sender snd;
	uint8_t buf[65536];
	size_t n;
	int fd, i;

	for (i = 0; i < rt->conns; i++) {
		if ((fd = dsrtest_accept(rt->lfd, 20000)) == -1) {
			rt->failed = 1;
			return NULL;
		}
		/*
		 * Non-blocking, so that every write's time-out applies: a
		 * blocking send to a peer that went away without a reset
		 * would hold runtime_join (and the test) indefinitely.
		 */
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
			rt->failed = 1;
			close(fd);
			return NULL;
		}
		switch (rt->mode) {
		case RT_PROCESSINFO:
			if (dsrtest_read_exact(fd, req, 20, 5000, NULL) != 0 ||
			    req[16] != 0x04 || req[17] != 0x00) {
				rt->failed = 1;
				close(fd);
				return NULL;
			}
			dsrtest_cookie(cookie, 7);
			n = dsrtest_processinfo_response(resp, rt->pid +
			    (uint64_t)i, cookie, "app", "iOS", "arm64");
			dsrtest_write_all(fd, resp, n, 5000);
			shutdown(fd, SHUT_WR);
			dsrtest_wait_eof(fd, 5000);
			break;
		case RT_STREAM:
			memset(&snd, 0, sizeof snd);
			snd.fd = fd;
			snd.bytes = STREAM_BYTES;
			snd.seed = 2;
			pthread_create(&snd.thread, NULL, sender_main, &snd);
			if (receive_check(fd, STREAM_BYTES, 1, 10000) !=
			    (long long)STREAM_BYTES || dsrtest_wait_eof(fd, 5000))
				rt->failed = 1;
			rt->received = STREAM_BYTES;
			pthread_join(snd.thread, NULL);
			if (snd.result != 0)
				rt->failed = 1;
			break;
		case RT_ENDLESS:
			memset(buf, 'x', sizeof buf);
			while (dsrtest_write_all(fd, buf, sizeof buf, 5000) == 0)
				rt->sent += sizeof buf;
			break;
		}
		close(fd);
		rt->served++;
	}
	return NULL;
}

static void
runtime_start(struct runtime *rt, enum rt_mode mode, int conns, uint64_t pid)
{
	memset(rt, 0, sizeof *rt);
	rt->mode = mode;
	rt->conns = conns;
	rt->pid = pid;
	rt->lfd = dsrtest_listen("127.0.0.1:0", 64, 0, rt->addr, sizeof rt->addr);
	ck_assert_int_ne(rt->lfd, -1);
	ck_assert_int_eq(pthread_create(&rt->thread, NULL, runtime_main, rt), 0);
}

static void
runtime_join(struct runtime *rt)
{
	pthread_join(rt->thread, NULL);
	close(rt->lfd);
}

/* What a usbmux_connect gave. */
struct got {
	int done;
	int fd;
	char why[512];
	long long at;
};

static void
got_cb(int fd, const char *why, void *arg)
{
	struct got *g = arg;

	g->done = 1;
	g->fd = fd;
	g->at = dsrtest_now_ms();
	snprintf(g->why, sizeof g->why, "%s", why != NULL ? why : "");
}

static int
cond_got(void *arg)
{
	return ((struct got *)arg)->done;
}

/* Connect through usbmux and wait for the answer. */
static void
mux_connect(struct usbmux *u, struct got *g, int ms)
{
	memset(g, 0, sizeof *g);
	g->fd = -2;
	usbmux_connect(u, got_cb, g);
	ck_assert_int_eq(run_until(cond_got, g, ms), 1);
}

/* A ProcessInfo through a connected descriptor; the pid it answers. */
static uint64_t
processinfo(int fd)
{
	struct dsrtest_processinfo pi;
	uint8_t req[64], resp[512];
	size_t n, got = 0;

	n = dsrtest_processinfo_request(req);
	ck_assert_int_eq(dsrtest_write_all(fd, req, n, 5000), 0);
	dsrtest_read_exact(fd, resp, sizeof resp, 5000, &got);
	ck_assert_uint_gt(got, DSRTEST_HEADER_SIZE);
	ck_assert_int_eq(resp[16], 0xff);
	ck_assert_int_eq(dsrtest_processinfo_parse(resp + DSRTEST_HEADER_SIZE,
	    got - DSRTEST_HEADER_SIZE, &pi), 0);
	return pi.pid;
}

/* Devices lines for the fake: ID UDID 9000=runtime. */
static void
attach(const char *lines)
{
	put_file("devices", lines);
}

static int
cond_attached(void *arg)
{
	return usbmux_attached(arg) > 0;
}

static int
cond_detached(void *arg)
{
	return usbmux_attached(arg) == 0;
}

/* 20 tools, 20 connections to the device's port, 20 ProcessInfo answers. */
START_TEST(test_usbmux_twenty)
{
	struct runtime rt;
	struct usbmux *u;
	struct got g;
	char line[256], *cause = NULL;
	int i;

	runtime_start(&rt, RT_PROCESSINFO, 20, 4000);
	snprintf(line, sizeof line, "1 %s 9000=%s\n", UDID1, rt.addr);
	attach(line);
	fake_usbmuxd_start();
	u = usbmux_new(base, NULL, 9000, "ios", &cause);
	ck_assert_msg(u != NULL, "usbmux_new: %s", cause);
	for (i = 0; i < 20; i++) {
		mux_connect(u, &g, WAIT_MS);
		ck_assert_msg(g.fd >= 0, "connect %d: %s", i, g.why);
		ck_assert_int_ne(fcntl(g.fd, F_GETFL) & O_NONBLOCK, 0);
		ck_assert_int_ne(fcntl(g.fd, F_GETFD) & FD_CLOEXEC, 0);
		ck_assert_uint_eq(processinfo(g.fd), 4000 + (uint64_t)i);
		close(g.fd);
	}
	runtime_join(&rt);
	ck_assert_int_eq(rt.served, 20);
	ck_assert_int_eq(rt.failed, 0);
	ck_assert_int_eq(count_in(in_dir("log"), "Connect 1 9000"), 20);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "device " UDID1 " attached "
	    "(USB, usbmux id 1)", 1, WAIT_MS), 1);
	usbmux_free(u);
}
END_TEST

/* 64 MiB each way through a usbmux descriptor, byte for byte. */
START_TEST(test_usbmux_stream)
{
	struct runtime rt;
	struct sender snd;
	struct usbmux *u;
	struct got g;
	char line[256], *cause = NULL;
	long long got;

	runtime_start(&rt, RT_STREAM, 1, 1);
	snprintf(line, sizeof line, "1 %s 9000=%s\n", UDID1, rt.addr);
	attach(line);
	fake_usbmuxd_start();
	u = usbmux_new(base, NULL, 9000, "ios", &cause);
	ck_assert_ptr_nonnull(u);
	mux_connect(u, &g, WAIT_MS);
	ck_assert_msg(g.fd >= 0, "connect: %s", g.why);
	memset(&snd, 0, sizeof snd);
	snd.fd = g.fd;
	snd.bytes = STREAM_BYTES;
	snd.seed = 1;
	ck_assert_int_eq(pthread_create(&snd.thread, NULL, sender_main, &snd), 0);
	got = receive_check(g.fd, STREAM_BYTES, 2, 10000);
	ck_assert_msg(got == (long long)STREAM_BYTES, "received %lld of %llu "
	    "bytes (-1: a byte differs)", got, STREAM_BYTES);
	ck_assert_int_eq(dsrtest_wait_eof(g.fd, 5000), 0);
	pthread_join(snd.thread, NULL);
	ck_assert_int_eq(snd.result, 0);
	runtime_join(&rt);
	ck_assert_int_eq(rt.failed, 0);
	close(g.fd);
	usbmux_free(u);
}
END_TEST

/* Unplugged mid-stream: the stream ends; plugged back: served again. */
START_TEST(test_usbmux_detach_reattach)
{
	struct runtime rt, rt2;
	struct usbmux *u;
	struct device_state *ds;
	struct got g;
	char line[256], buf[65536], *cause = NULL;
	long long got = 0, end;
	ssize_t n;
	size_t nd;

	runtime_start(&rt, RT_ENDLESS, 1, 1);
	snprintf(line, sizeof line, "1 %s 9000=%s\n", UDID1, rt.addr);
	attach(line);
	fake_usbmuxd_start();
	u = usbmux_new(base, NULL, 9000, "ios", &cause);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(run_until(cond_attached, u, WAIT_MS), 1);
	mux_connect(u, &g, WAIT_MS);
	ck_assert_msg(g.fd >= 0, "connect: %s", g.why);
	while (got < (1 << 20)) {
		n = dsrtest_read_some(g.fd, buf, sizeof buf, 5000);
		ck_assert_int_gt(n, 0);
		got += n;
	}
	attach("");
	end = dsrtest_now_ms() + WAIT_MS;
	while ((n = dsrtest_read_some(g.fd, buf, sizeof buf, 5000)) > 0)
		ck_assert_msg(dsrtest_now_ms() < end, "the stream goes on");
	ck_assert_int_eq(n, 0);
	close(g.fd);
	runtime_join(&rt);
	ck_assert_int_eq(run_until(cond_detached, u, WAIT_MS), 1);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "device " UDID1 " detached", 1,
	    WAIT_MS), 1);
	nd = usbmux_devices(u, &ds);
	ck_assert_uint_eq(nd, 1);
	ck_assert_str_eq(ds[0].name, UDID1);
	ck_assert_str_eq(ds[0].state, "detached");
	device_state_free(ds, nd);
	mux_connect(u, &g, WAIT_MS);
	ck_assert_int_eq(g.fd, -1);
	ck_assert_str_eq(g.why, "no device attached");

	/* Plugged back (a new usbmux id, as usbmuxd gives). */
	runtime_start(&rt2, RT_PROCESSINFO, 1, 77);
	snprintf(line, sizeof line, "2 %s 9000=%s\n", UDID1, rt2.addr);
	attach(line);
	ck_assert_int_eq(run_until(cond_attached, u, WAIT_MS), 1);
	mux_connect(u, &g, WAIT_MS);
	ck_assert_msg(g.fd >= 0, "connect after replug: %s", g.why);
	ck_assert_uint_eq(processinfo(g.fd), 77);
	close(g.fd);
	runtime_join(&rt2);
	ck_assert_int_eq(log_has("device " UDID1 " attached"), 2);
	/* One entry per device, whatever its usbmux id. */
	nd = usbmux_devices(u, &ds);
	ck_assert_uint_eq(nd, 1);
	ck_assert_str_eq(ds[0].state, "attached (USB, usbmux id 2)");
	device_state_free(ds, nd);
	usbmux_free(u);
}
END_TEST

/* No usbmuxd: a clear error, at start and for each connection; a stop at once. */
START_TEST(test_usbmux_absent)
{
	struct usbmux *u;
	struct got g;
	char env[600], *cause = NULL;
	long long start;
	int i;

	snprintf(env, sizeof env, "UNIX:%s", in_dir("none.sock"));
	setenv("USBMUXD_SOCKET_ADDRESS", env, 1);
	u = usbmux_new(base, NULL, 9000, "ios", &cause);
	ck_assert_ptr_nonnull(u);
	mux_connect(u, &g, WAIT_MS);
	ck_assert_int_eq(g.fd, -1);
	ck_assert_msg(strstr(g.why, "usbmuxd not running at ") != NULL &&
	    strstr(g.why, in_dir("none.sock")) != NULL &&
	    strstr(g.why, "No such file or directory") != NULL, "why: %s", g.why);
	ck_assert_int_eq(wait_has(in_dir("dsr.log"), "iOS devices cannot be reached "
	    "until it runs", 1, WAIT_MS), 1);
	usbmux_free(u);

	/*
	 * Stopped right after it starts, usbmuxd still absent: at once (a
	 * libusbmuxd monitor made to stop then spins, and joining it would
	 * hang the loop).
	 */
	for (i = 0; i < 5; i++) {
		u = usbmux_new(base, NULL, 9000, "ios", &cause);
		ck_assert_ptr_nonnull(u);
		start = dsrtest_now_ms();
		usbmux_free(u);
		ck_assert_msg(dsrtest_now_ms() - start < 500, "free took %lld "
		    "ms", dsrtest_now_ms() - start);
	}
}
END_TEST

/* A slow usbmuxd: the loop's timers keep time; the answer comes later. */
START_TEST(test_usbmux_slow)
{
	struct runtime rt;
	struct usbmux *u;
	struct ticker t;
	struct got g;
	char line[256], *cause = NULL;
	long long start;

	runtime_start(&rt, RT_PROCESSINFO, 1, 55);
	snprintf(line, sizeof line, "1 %s 9000=%s\n", UDID1, rt.addr);
	attach(line);
	put_file("delay", "1000\n");
	fake_usbmuxd_start();
	ticker_start(&t, 20);
	start = dsrtest_now_ms();
	u = usbmux_new(base, NULL, 9000, "ios", &cause);
	ck_assert_ptr_nonnull(u);
	ck_assert(dsrtest_now_ms() - start < 100);
	mux_connect(u, &g, 10000);
	ck_assert_msg(g.fd >= 0, "connect: %s", g.why);
	ck_assert_msg(g.at - start >= 900, "answered after %lld ms",
	    g.at - start);
	ck_assert_int_gt(t.fired, 30);
	ck_assert_msg(t.worst < 100, "a 20 ms timer fired %lld ms late",
	    t.worst);
	ck_assert_uint_eq(processinfo(g.fd), 55);
	close(g.fd);
	runtime_join(&rt);

	/* Freed with a connection under way: at once, and no callback. */
	memset(&g, 0, sizeof g);
	usbmux_connect(u, got_cb, &g);
	run_for(50);
	start = dsrtest_now_ms();
	usbmux_free(u);
	ck_assert_msg(dsrtest_now_ms() - start < 500, "free took %lld ms",
	    dsrtest_now_ms() - start);
	run_for(200);
	ck_assert_int_eq(g.done, 0);
	ticker_stop(&t);
}
END_TEST

/* A device by UDID among two; one not attached; a port nobody listens on. */
START_TEST(test_usbmux_udid_and_refused)
{
	struct runtime rt1, rt2;
	struct usbmux *u;
	struct got g;
	char lines[512], *cause = NULL;

	runtime_start(&rt1, RT_PROCESSINFO, 0, 100);
	runtime_start(&rt2, RT_PROCESSINFO, 1, 200);
	snprintf(lines, sizeof lines, "1 %s 9000=%s\n2 %s 9000=%s\n", UDID1,
	    rt1.addr, UDID2, rt2.addr);
	attach(lines);
	fake_usbmuxd_start();

	/* The UDID as the user may type it: no dash, upper case. */
	u = usbmux_new(base, "00008101000A11B22C33D44E", 9000, "ios", &cause);
	ck_assert_ptr_nonnull(u);
	mux_connect(u, &g, WAIT_MS);
	ck_assert_msg(g.fd >= 0, "connect: %s", g.why);
	ck_assert_uint_eq(processinfo(g.fd), 200);
	close(g.fd);
	ck_assert_int_eq(count_in(in_dir("log"), "Connect 2 9000"), 1);
	ck_assert_int_eq(count_in(in_dir("log"), "Connect 1 9000"), 0);
	usbmux_free(u);

	u = usbmux_new(base, "0000FFFF-0000000000000000", 9000, "ios", &cause);
	mux_connect(u, &g, WAIT_MS);
	ck_assert_int_eq(g.fd, -1);
	ck_assert_ptr_nonnull(strstr(g.why, "no device attached (device "
	    "0000FFFF-0000000000000000 is not attached"));
	usbmux_free(u);

	u = usbmux_new(base, UDID1, 9999, "ios", &cause);
	mux_connect(u, &g, WAIT_MS);
	ck_assert_int_eq(g.fd, -1);
	ck_assert_msg(strstr(g.why, "nothing listens on port 9999") != NULL,
	    "why: %s", g.why);
	usbmux_free(u);
	runtime_join(&rt1);
	runtime_join(&rt2);
}
END_TEST

/* Cancelled: the callback is not called; the connection is closed. */
START_TEST(test_usbmux_cancel)
{
	struct runtime rt;
	struct usbmux *u;
	struct got g1, g2;
	char line[256], *cause = NULL;

	runtime_start(&rt, RT_PROCESSINFO, 1, 9);
	snprintf(line, sizeof line, "1 %s 9000=%s\n", UDID1, rt.addr);
	attach(line);
	fake_usbmuxd_start();
	u = usbmux_new(base, NULL, 9000, "ios", &cause);
	memset(&g1, 0, sizeof g1);
	usbmux_connect(u, got_cb, &g1);
	usbmux_cancel(u, &g1);
	mux_connect(u, &g2, WAIT_MS);
	ck_assert_int_ge(g2.fd, 0);
	run_for(200);
	ck_assert_int_eq(g1.done, 0);
	ck_assert_uint_eq(processinfo(g2.fd), 9);
	close(g2.fd);
	runtime_join(&rt);
	usbmux_free(u);
}
END_TEST

/* Whether this process has a file whose name has needle mapped. */
static int
maps_have(const char *needle)
{
	return count_in("/proc/self/maps", needle) > 0;
}

/* libusbmuxd (and libplist) mapped only once a usbmux starts. */
START_TEST(test_usbmux_loaded_lazily)
{
	struct usbmux *u;
	const char *ckfork = getenv("CK_FORK");
	char env[600], *cause = NULL;

	/* Each test is a fresh process, unless CK_FORK=no. */
	if (ckfork == NULL || strcmp(ckfork, "no") != 0) {
		ck_assert_msg(!maps_have("libusbmuxd"), "libusbmuxd is "
		    "loaded at start");
		ck_assert_msg(!maps_have("libplist"), "libplist is loaded at "
		    "start");
	}
	snprintf(env, sizeof env, "UNIX:%s", in_dir("none.sock"));
	setenv("USBMUXD_SOCKET_ADDRESS", env, 1);
	u = usbmux_new(base, NULL, 9000, "ios", &cause);
	ck_assert_msg(u != NULL, "usbmux_new: %s", cause);
	ck_assert(maps_have("libusbmuxd"));
	usbmux_free(u);
}
END_TEST

/* libusbmuxd missing at run time: one line naming it, and what to install. */
START_TEST(test_usbmux_lib_missing)
{
	static const char *const names[] = {
		"libusbmuxd-absent.so.99", "libusbmuxd-absent.so", NULL
	};
	const char *want = "usbmux: cannot load libusbmuxd-absent.so.99 (";
	char *cause = NULL;

	ck_assert_int_eq(usbmux_lib_open(names, &cause), -1);
	ck_assert_msg(strncmp(cause, want, strlen(want)) == 0, "cause: %s",
	    cause);
	ck_assert_msg(strstr(cause, "(Debian: apt-get install "
	    USBMUXD_PACKAGE ")") != NULL, "cause: %s", cause);
	ck_assert_ptr_null(strchr(cause, '\n'));
	free(cause);
	/* The library the build found loads, and serves a usbmux. */
	cause = NULL;
	ck_assert_msg(usbmux_lib_load(&cause) == 0, "load: %s", cause);
}
END_TEST
#else
/* Built without libusbmuxd: ios says so, and how to get it. */
START_TEST(test_usbmux_not_built)
{
	char *cause = NULL;

	ck_assert_ptr_null(usbmux_new(base, NULL, 9000, "ios", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "built without usbmux support"));
	ck_assert_ptr_nonnull(strstr(cause, "libusbmuxd-dev"));
	free(cause);
}
END_TEST
#endif

/* A test case with the fixture and a time-out. */
static TCase *
tcase(const char *name, int timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, timeout);
	return tc;
}

static Suite *
devices_suite(void)
{
	Suite *s = suite_create("devices");
	TCase *tc;

	tc = tcase("spawn", 15);
	tcase_add_test(tc, test_spawn_output_and_status);
	tcase_add_test(tc, test_spawn_exec_failure);
	tcase_add_test(tc, test_spawn_timeout);
	tcase_add_test(tc, test_spawn_closed_stdio);
	tcase_add_test(tc, test_spawn_big_output);
	tcase_add_test(tc, test_spawn_cancel);
	tcase_add_test(tc, test_spawn_proc_sync);
	suite_add_tcase(s, tc);

	tc = tcase("adb", 30);
	tcase_add_test(tc, test_adb_reverse_lifecycle);
	tcase_add_test(tc, test_adb_replug_tracked);
	tcase_add_test(tc, test_adb_only_ours_removed);
	tcase_add_test(tc, test_adb_two_devices_serial);
	tcase_add_test(tc, test_adb_hang_never_stalls);
	tcase_add_test(tc, test_adb_stop_async);
	tcase_add_test(tc, test_adb_adopt);
	tcase_add_test(tc, test_adb_forward_two_devices);
	tcase_add_test(tc, test_adb_failure_then_recovery);
	tcase_add_test(tc, test_adb_no_device_and_missing_adb);
	tcase_add_test(tc, test_adb_without_tracker);
	suite_add_tcase(s, tc);

	tc = tcase("usbmux", 60);
#ifdef HAVE_USBMUXD
	tcase_add_test(tc, test_usbmux_twenty);
	tcase_add_test(tc, test_usbmux_stream);
	tcase_add_test(tc, test_usbmux_detach_reattach);
	tcase_add_test(tc, test_usbmux_absent);
	tcase_add_test(tc, test_usbmux_slow);
	tcase_add_test(tc, test_usbmux_udid_and_refused);
	tcase_add_test(tc, test_usbmux_cancel);
	tcase_add_test(tc, test_usbmux_loaded_lazily);
	tcase_add_test(tc, test_usbmux_lib_missing);
#else
	tcase_add_test(tc, test_usbmux_not_built);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	/* The fakes are Python scripts. */
	if (system("python3 -c '' >/dev/null 2>&1") != 0) {
		printf("SKIP: the fake adb and usbmuxd need python3 "
		    "(apt-get install python3)\n");
		return 77;
	}
	sr = srunner_create(devices_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: MIT */
/* check_adb.c: unit tests for adb.c: finding adb, the command lines, the parsers of its output. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"
#include "device.h"
#include "check_main.h"

Suite *adb_suite(void);

/* adb devices and track-devices payloads: the text, and the devices in it. */
static const struct devices_case {
	const char *name;
	const char *text;
	const char *want;          /* "serial=state;..." */
} devices_cases[] = {
	{ "none", "List of devices attached\n\n", "" },
	{ "empty", "", "" },
	{ "one", "List of devices attached\nemulator-5554\tdevice\n\n",
	    "emulator-5554=device;" },
	{ "several states",
	    "List of devices attached\n"
	    "R58M123ABC\tdevice\n"
	    "0123456789ABCDEF\tunauthorized\n"
	    "192.168.1.20:5555\toffline\n"
	    "adb-R58M123ABC-x._adb-tls-connect._tcp\tdevice\n\n",
	    "R58M123ABC=device;0123456789ABCDEF=unauthorized;"
	    "192.168.1.20:5555=offline;"
	    "adb-R58M123ABC-x._adb-tls-connect._tcp=device;" },
	{ "state with blanks",
	    "List of devices attached\n"
	    "HT4A1JT00123\tno permissions (user in plugdev group; are your "
	    "udev rules wrong?); see [http://developer.android.com/tools/"
	    "device.html]\n",
	    "HT4A1JT00123=no permissions (user in plugdev group; are your udev "
	    "rules wrong?); see [http://developer.android.com/tools/"
	    "device.html];" },
	{ "daemon starting lines",
	    "* daemon not running; starting now at tcp:5037\n"
	    "* daemon started successfully\n"
	    "List of devices attached\nSER1\tdevice\n",
	    "SER1=device;" },
	{ "crlf", "List of devices attached\r\nSER1\tdevice\r\nSER2\trecovery\r\n",
	    "SER1=device;SER2=recovery;" },
	{ "track payload", "SER1\tdevice\nSER2\toffline\n",
	    "SER1=device;SER2=offline;" },
	{ "no final newline", "SER1\tdevice", "SER1=device;" },
	{ "garbage lines skipped", "hello\n\tdevice\nSER1\t\nSER2\tdevice\n",
	    "SER2=device;" },
	{ "space separated", "SER1 device\n", "SER1=device;" },
};

START_TEST(test_parse_devices)
{
	const struct devices_case *c = &devices_cases[_i];
	struct adb_device *d;
	char got[1024] = "";
	size_t n, i;

	n = adb_parse_devices(c->text, strlen(c->text), &d);
	for (i = 0; i < n; i++) {
		strcat(got, d[i].serial);
		strcat(got, "=");
		strcat(got, d[i].state);
		strcat(got, ";");
	}
	ck_assert_msg(strcmp(got, c->want) == 0, "%s: got '%s', want '%s'",
	    c->name, got, c->want);
	if (n == 0)
		ck_assert_ptr_null(d);
	adb_devices_free(d, n);
}
END_TEST

START_TEST(test_parse_devices_long_serial)
{
	char text[600], serial[300];
	struct adb_device *d;
	size_t n;

	memset(serial, 'A', 299);
	serial[299] = '\0';
	snprintf(text, sizeof text, "%s\tdevice\nOK\tdevice\n", serial);
	n = adb_parse_devices(text, strlen(text), &d);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(d[0].serial, "OK");
	adb_devices_free(d, n);
}
END_TEST

/* track-devices framing. */
static const struct frame_case {
	const char *name;
	const char *text;
	enum adb_frame want;
	size_t used, paylen;
} frame_cases[] = {
	{ "empty list", "0000", ADB_FRAME_OK, 4, 0 },
	{ "one device", "000cSER1\tdevice\n", ADB_FRAME_OK, 16, 12 },
	{ "upper-case hex", "001BA\tdevice\nSER2\tunauthorized\n!",
	    ADB_FRAME_OK, 31, 27 },
	{ "frame then more", "0000000dSER1", ADB_FRAME_OK, 4, 0 },
	{ "nothing", "", ADB_FRAME_SHORT, 0, 0 },
	{ "half a length", "00", ADB_FRAME_SHORT, 0, 0 },
	{ "half a payload", "000cSER1\t", ADB_FRAME_SHORT, 0, 0 },
	{ "adb's own line", "* daemon started successfully\n0000",
	    ADB_FRAME_NOISE, 30, 0 },
	{ "adb's line, incomplete", "* daemon not run", ADB_FRAME_SHORT, 0, 0 },
	{ "not hex", "List of devices attached\n", ADB_FRAME_BAD, 0, 0 },
	{ "error text", "error: protocol fault\n", ADB_FRAME_BAD, 0, 0 },
	{ "blank line", "\n0000", ADB_FRAME_NOISE, 1, 0 },
};

START_TEST(test_track_frame)
{
	const struct frame_case *c = &frame_cases[_i];
	size_t used = 99, paylen = 99;
	enum adb_frame f;

	f = adb_track_frame(c->text, strlen(c->text), &used, &paylen);
	ck_assert_msg(f == c->want, "%s: got %d, want %d", c->name, f, c->want);
	if (f == ADB_FRAME_OK || f == ADB_FRAME_NOISE) {
		ck_assert_uint_eq(used, c->used);
		ck_assert_uint_eq(paylen, c->paylen);
	}
}
END_TEST

/* A stream of frames, fed a byte at a time, gives every device list in order. */
START_TEST(test_track_stream)
{
	static const char stream[] =
	    "* daemon not running; starting now at tcp:5037\n"
	    "* daemon started successfully\n"
	    "0000"
	    "000cSER1\tdevice\n"
	    "001eSER1\tdevice\nSER2\tunauthorized\n"
	    "000cSER2\tdevice\n";
	static const char *want[] = { "", "SER1=device;",
	    "SER1=device;SER2=unauthorized;", "SER2=device;" };
	char buf[256], got[256];
	size_t len = 0, used, paylen, n, i, k = 0, frames = 0;
	struct adb_device *d;
	enum adb_frame f;

	for (k = 0; k < sizeof stream - 1; k++) {
		buf[len++] = stream[k];
		for (;;) {
			f = adb_track_frame(buf, len, &used, &paylen);
			ck_assert_int_ne(f, ADB_FRAME_BAD);
			if (f == ADB_FRAME_SHORT)
				break;
			if (f == ADB_FRAME_OK) {
				n = adb_parse_devices(buf + 4, paylen, &d);
				got[0] = '\0';
				for (i = 0; i < n; i++) {
					strcat(got, d[i].serial);
					strcat(got, "=");
					strcat(got, d[i].state);
					strcat(got, ";");
				}
				adb_devices_free(d, n);
				ck_assert_uint_lt(frames, 4);
				ck_assert_str_eq(got, want[frames]);
				frames++;
			}
			memmove(buf, buf + used, len - used);
			len -= used;
		}
	}
	ck_assert_uint_eq(frames, 4);
	ck_assert_uint_eq(len, 0);
}
END_TEST

/* reverse --list and forward --list. */
static const struct list_case {
	const char *name;
	const char *text;
	const char *want;          /* "owner local remote;" */
} list_cases[] = {
	{ "empty", "", "" },
	{ "reverse", "UsbFfs tcp:9000 tcp:9001\n", "UsbFfs tcp:9000 tcp:9001;" },
	{ "reverse, emulator", "host-19 tcp:9000 tcp:9001\nhost-19 tcp:8081 "
	    "tcp:8081\n", "host-19 tcp:9000 tcp:9001;host-19 tcp:8081 tcp:8081;" },
	{ "forward", "emulator-5554 tcp:9000 tcp:8999\nR58M tcp:7000 "
	    "localabstract:foo\n", "emulator-5554 tcp:9000 tcp:8999;"
	    "R58M tcp:7000 localabstract:foo;" },
	{ "crlf and blanks", "  UsbFfs   tcp:9000\ttcp:9001 \r\n\r\n",
	    "UsbFfs tcp:9000 tcp:9001;" },
	{ "not mappings", "error: closed\nadb: usage\nA B C D\nA tcp:1\n",
	    "" },
};

START_TEST(test_parse_list)
{
	const struct list_case *c = &list_cases[_i];
	struct adb_mapping *m;
	char got[1024] = "";
	size_t n, i;

	n = adb_parse_list(c->text, strlen(c->text), &m);
	for (i = 0; i < n; i++) {
		strcat(got, m[i].owner);
		strcat(got, " ");
		strcat(got, m[i].local);
		strcat(got, " ");
		strcat(got, m[i].remote);
		strcat(got, ";");
	}
	ck_assert_msg(strcmp(got, c->want) == 0, "%s: got '%s', want '%s'",
	    c->name, got, c->want);
	adb_mappings_free(m, n);
}
END_TEST

/* Whether a list holds the mapping. */
static const struct find_case {
	const char *name;
	const char *text;
	enum adb_dir dir;
	const char *serial;
	uint16_t device_port, host_port;
	enum adb_match want;
} find_cases[] = {
	{ "reverse there", "UsbFfs tcp:9000 tcp:9001\n", ADB_REVERSE, "S",
	    9000, 9001, ADB_PRESENT },
	{ "reverse among others", "UsbFfs tcp:8081 tcp:8081\nUsbFfs tcp:9000 "
	    "tcp:9001\n", ADB_REVERSE, "S", 9000, 9001, ADB_PRESENT },
	{ "reverse missing", "UsbFfs tcp:8081 tcp:8081\n", ADB_REVERSE, "S",
	    9000, 9001, ADB_MISSING },
	{ "reverse, a port that only contains ours", "UsbFfs tcp:19000 "
	    "tcp:9001\nUsbFfs tcp:90 tcp:9001\n", ADB_REVERSE, "S", 9000, 9001,
	    ADB_MISSING },
	{ "reverse to another host port", "UsbFfs tcp:9000 tcp:7777\n",
	    ADB_REVERSE, "S", 9000, 9001, ADB_CONFLICT },
	{ "reverse, empty list", "", ADB_REVERSE, "S", 9000, 9001, ADB_MISSING },
	{ "forward there", "S tcp:9000 tcp:8999\n", ADB_FORWARD, "S", 8999,
	    9000, ADB_PRESENT },
	{ "forward of another device", "T tcp:9000 tcp:8999\n", ADB_FORWARD,
	    "S", 8999, 9000, ADB_CONFLICT },
	{ "forward to another device port", "S tcp:9000 tcp:1234\n",
	    ADB_FORWARD, "S", 8999, 9000, ADB_CONFLICT },
	{ "forward missing", "S tcp:9001 tcp:8999\nT tcp:5000 tcp:8999\n",
	    ADB_FORWARD, "S", 8999, 9000, ADB_MISSING },
};

START_TEST(test_list_find)
{
	const struct find_case *c = &find_cases[_i];
	const struct adb_mapping *which;
	struct adb_mapping *m;
	enum adb_match got;
	size_t n;

	n = adb_parse_list(c->text, strlen(c->text), &m);
	got = adb_list_find(m, n, c->dir, c->serial, c->device_port,
	    c->host_port, &which);
	ck_assert_msg(got == c->want, "%s: got %d, want %d", c->name, got,
	    c->want);
	if (got == ADB_MISSING)
		ck_assert_ptr_null(which);
	else
		ck_assert_ptr_nonnull(which);
	adb_mappings_free(m, n);
}
END_TEST

/* The command lines. */
static const struct argv_case {
	const char *serial;
	enum adb_cmd cmd;
	enum adb_dir dir;
	const char *want;
} argv_cases[] = {
	{ NULL, ADB_CMD_DEVICES, ADB_REVERSE, "adb devices" },
	{ "S", ADB_CMD_DEVICES, ADB_REVERSE, "adb devices" },
	{ NULL, ADB_CMD_TRACK, ADB_REVERSE, "adb track-devices" },
	{ "emulator-5554", ADB_CMD_LIST, ADB_REVERSE,
	    "adb -s emulator-5554 reverse --list" },
	{ "emulator-5554", ADB_CMD_ADD, ADB_REVERSE,
	    "adb -s emulator-5554 reverse --no-rebind tcp:9000 tcp:9001" },
	{ "emulator-5554", ADB_CMD_REMOVE, ADB_REVERSE,
	    "adb -s emulator-5554 reverse --remove tcp:9000" },
	{ "R58M", ADB_CMD_LIST, ADB_FORWARD, "adb -s R58M forward --list" },
	{ "R58M", ADB_CMD_ADD, ADB_FORWARD,
	    "adb -s R58M forward --no-rebind tcp:9001 tcp:9000" },
	{ "R58M", ADB_CMD_REMOVE, ADB_FORWARD,
	    "adb -s R58M forward --remove tcp:9001" },
	{ NULL, ADB_CMD_ADD, ADB_REVERSE,
	    "adb reverse --no-rebind tcp:9000 tcp:9001" },
};

START_TEST(test_argv)
{
	const struct argv_case *c = &argv_cases[_i];
	char **v, *line;

	/* Device port 9000, host port 9001: the android preset's. */
	v = adb_argv("/opt/sdk/platform-tools/adb", c->serial, c->cmd, c->dir,
	    9000, 9001);
	ck_assert_str_eq(v[0], "/opt/sdk/platform-tools/adb");
	line = adb_argv_join(v);
	ck_assert_str_eq(line, c->want);
	free(line);
	adb_argv_free(v);
}
END_TEST

START_TEST(test_describe_and_serials)
{
	char *s;

	s = adb_mapping_describe(ADB_REVERSE, 9000, 9001);
	ck_assert_str_eq(s, "reverse tcp:9000 -> tcp:9001");
	free(s);
	s = adb_mapping_describe(ADB_FORWARD, 8999, 9000);
	ck_assert_str_eq(s, "forward tcp:9000 -> tcp:8999");
	free(s);
	ck_assert_int_eq(adb_serial_valid("emulator-5554"), 1);
	ck_assert_int_eq(adb_serial_valid("192.168.1.20:5555"), 1);
	ck_assert_int_eq(adb_serial_valid(""), 0);
	ck_assert_int_eq(adb_serial_valid(NULL), 0);
	ck_assert_int_eq(adb_serial_valid("-d"), 0);
	ck_assert_int_eq(adb_serial_valid("a b"), 0);
	ck_assert_int_eq(adb_serial_valid("a\tb"), 0);
	ck_assert_ptr_nonnull(strstr(adb_state_hint("unauthorized"),
	    "allow USB debugging"));
	ck_assert_ptr_nonnull(strstr(adb_state_hint("no permissions (x)"),
	    "may not open"));
}
END_TEST

/* A scratch directory for the look-up tests. */
static char scratch[256];

/* Make a file, executable or not. */
static char *
make_file(const char *rel, int exec)
{
	char *p, *dir, *slash;
	FILE *f;

	xasprintf(&p, "%s/%s", scratch, rel);
	dir = xstrdup(p);
	for (slash = dir + strlen(scratch) + 1; (slash = strchr(slash, '/')) !=
	    NULL; slash++) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	free(dir);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	chmod(p, exec ? 0755 : 0644);
	return p;
}

/* The path a look-up finds, relative to the scratch directory. */
static void
assert_found(const char *got, const char *rel)
{
	char want[512];

	snprintf(want, sizeof want, "%s/%s", scratch, rel);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
}

START_TEST(test_locate)
{
	char *home, *sdk, *bin, *path, *got, *cause = NULL, *nox, *pathbin;

	snprintf(scratch, sizeof scratch, "/tmp/check_adb.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
	home = make_file("home/platform-tools/adb", 1);
	sdk = make_file("sdk/platform-tools/adb", 1);
	bin = make_file("bin/adb", 1);
	nox = make_file("nox/adb", 0);
	pathbin = make_file("bin/myadb", 1);
	xasprintf(&path, "/nonexistent:%s/nox:%s/bin", scratch, scratch);

	/* $ADB first, as a path... */
	got = adb_locate(bin, "x", "y", path, &cause);
	assert_found(got, "bin/adb");
	free(got);
	/* ...or a name in PATH. */
	got = adb_locate("myadb", NULL, NULL, path, &cause);
	assert_found(got, "bin/myadb");
	free(got);
	/* An $ADB that is not executable is an error, not a fall-back. */
	got = adb_locate(nox, NULL, NULL, path, &cause);
	ck_assert_ptr_null(got);
	ck_assert_ptr_nonnull(strstr(cause, "not executable"));
	ck_assert_ptr_nonnull(strstr(cause, nox));
	free(cause);
	cause = NULL;
	/* Then ANDROID_HOME, ANDROID_SDK_ROOT, PATH. */
	{
		char *h, *s;

		xasprintf(&h, "%s/home", scratch);
		xasprintf(&s, "%s/sdk", scratch);
		got = adb_locate(NULL, h, s, path, &cause);
		assert_found(got, "home/platform-tools/adb");
		free(got);
		got = adb_locate("", "", s, path, &cause);
		assert_found(got, "sdk/platform-tools/adb");
		free(got);
		got = adb_locate(NULL, "/nonexistent", NULL, path, &cause);
		assert_found(got, "bin/adb");
		free(got);
		free(h);
		free(s);
	}
	/* Nowhere: one line naming every place and what to install. */
	got = adb_locate(NULL, "/opt/nosdk", NULL, "/nonexistent:/nothere",
	    &cause);
	ck_assert_ptr_null(got);
	ck_assert_ptr_nonnull(cause);
	ck_assert_ptr_null(strchr(cause, '\n'));
	ck_assert_ptr_nonnull(strstr(cause, "$ADB is unset"));
	ck_assert_ptr_nonnull(strstr(cause, "/opt/nosdk/platform-tools/adb"));
	ck_assert_ptr_nonnull(strstr(cause, "$ANDROID_SDK_ROOT is unset"));
	ck_assert_ptr_nonnull(strstr(cause, "/nonexistent:/nothere"));
	ck_assert_ptr_nonnull(strstr(cause, "apt-get install adb"));
	free(cause);

	unlink(home);
	unlink(sdk);
	unlink(bin);
	unlink(nox);
	unlink(pathbin);
	free(home);
	free(sdk);
	free(bin);
	free(nox);
	free(pathbin);
	free(path);
	{
		char *rm;

		xasprintf(&rm, "rm -rf '%s'", scratch);
		ck_assert_int_eq(system(rm), 0);
		free(rm);
	}
}
END_TEST

/* The adb.c suite. */
Suite *
adb_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("adb");
	tc = unit_tcase("parse");
	tcase_add_loop_test(tc, test_parse_devices, 0, NITEMS(devices_cases));
	tcase_add_test(tc, test_parse_devices_long_serial);
	tcase_add_loop_test(tc, test_track_frame, 0, NITEMS(frame_cases));
	tcase_add_test(tc, test_track_stream);
	tcase_add_loop_test(tc, test_parse_list, 0, NITEMS(list_cases));
	tcase_add_loop_test(tc, test_list_find, 0, NITEMS(find_cases));
	suite_add_tcase(s, tc);

	tc = unit_tcase("commands");
	tcase_add_loop_test(tc, test_argv, 0, NITEMS(argv_cases));
	tcase_add_test(tc, test_describe_and_serials);
	tcase_add_test(tc, test_locate);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(adb_suite());
}

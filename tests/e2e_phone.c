/* SPDX-License-Identifier: MIT */
/*
 * e2e_phone.c: the daemon's android and ios presets end to end, against
 * tests/fake-adb and tests/fake-usbmuxd (no phone here): the reverse made
 * at start, made again after a replug, removed at stop; one device by
 * serial; a hanging adb never delays another route; iOS connections
 * through usbmux to a fake listen-mode runtime behind the device's port,
 * a device unplugged mid-stream and plugged in again; usbmuxd absent;
 * adb missing.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static struct dproc dp;
static pid_t fake_pid = -1;

/* Write a fake's control file atomically (write, then rename). */
static void
put(const char *name, const char *text)
{
	char *path = t_path(name), tmp[600];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.new", path);
	f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(rename(tmp, path), 0);
	free(path);
}

/* A fake's file, read whole (a new string; empty when absent). */
static char *
get(const char *name)
{
	char *path = t_path(name), *buf = calloc(1, 65536);
	FILE *f = fopen(path, "r");

	if (f != NULL) {
		if (fread(buf, 1, 65535, f) == 0)
			buf[0] = '\0';
		fclose(f);
	}
	free(path);
	return buf;
}

/* The fake adb's environment for the daemon. */
static void
adb_env(const char **env, char *adb, size_t alen, char *dir, size_t dlen)
{
	const char *top = getenv("top_srcdir");

	snprintf(adb, alen, "ADB=%s/tests/fake-adb", top != NULL ? top : "..");
	snprintf(dir, dlen, "FAKE_ADB_DIR=%s", t_tmpdir());
	env[0] = adb;
	env[1] = dir;
	env[2] = NULL;
}

/* The android preset: reverse made, made again after a replug, removed at stop. */
START_TEST(test_android_reverse)
{
	char *sock = t_path("t.sock"), adb[512], dir[512], *rev;
	const char *env[3];
	const char *args[] = { "android", "-tcps", "127.0.0.1:0", "-ipcs", sock,
	    "-v", "debug", NULL };
	struct fake_rt frt;
	uint8_t resp[56];
	int tool;

	adb_env(env, adb, sizeof adb, dir, sizeof dir);
	put("devices", "emulator-5554\n");
	ck_assert_int_eq(dproc_start_env(&dp, args, env, 0), 0);
	ck_assert(dproc_wait_log(&dp, "device emulator-5554: reverse tcp:", t_ms(8000)));
	ck_assert(dproc_wait_log(&dp, " established", t_ms(1000)));
	rev = get("reverse-emulator-5554");
	ck_assert_ptr_nonnull(strstr(rev, strrchr(dp.rt_addr[0], ':') + 1));
	free(rev);
	/* The app, through the reverse, reaches the runtime listener. */
	memset(&frt, 0, sizeof frt);
	snprintf(frt.addr, sizeof frt.addr, "%s", dp.rt_addr[0]);
	t_cookie(frt.cookie, 7);
	frt.pid = 707;
	frt.ncommands = 1;
	fake_rt_start(&frt);
	tool = t_tool_processinfo(sock);
	ck_assert_int_eq(t_read_exact(tool, resp, 56, t_ms(5000)), 0);
	ck_assert_uint_eq(dsrtest_get_u64(resp + 20), 707);
	close(tool);
	ck_assert_int_eq(fake_rt_join(&frt), 1);
	/* A replug drops the device's reverses: made again within the check. */
	put("reverse-emulator-5554", "");
	ck_assert(dproc_wait_log(&dp, "lost", t_ms(8000)));
	ck_assert_int_eq(dproc_log_count(&dp, " established"), 1);
	ck_assert(dproc_wait_log(&dp, "making it again", t_ms(1000)));
	{
		int i;
		for (i = 0; i < 300 && dproc_log_count(&dp, " established") < 2; i++)
			usleep(10 * 1000);
		ck_assert_int_eq(dproc_log_count(&dp, " established"), 2);
	}
	/* Stopped: what it made is removed. */
	ck_assert_int_eq(dproc_stop(&dp, SIGTERM, t_ms(8000)), 0);
	rev = get("reverse-emulator-5554");
	ck_assert_str_eq(rev, "");
	free(rev);
	free(sock);
}
END_TEST

/* device = SERIAL: only that device is touched. */
START_TEST(test_android_one_device)
{
	char *sock = t_path("t.sock"), adb[512], dir[512], *calls;
	const char *env[3];
	const char *args[] = { "android", "-tcps", "127.0.0.1:0", "-ipcs", sock,
	    "--device", "phone-b", NULL };

	adb_env(env, adb, sizeof adb, dir, sizeof dir);
	put("devices", "phone-a\nphone-b\n");
	ck_assert_int_eq(dproc_start_env(&dp, args, env, 0), 0);
	ck_assert(dproc_wait_log(&dp, "device phone-b: reverse tcp:", t_ms(8000)));
	ck_assert_int_eq(dproc_stop(&dp, SIGTERM, t_ms(8000)), 0);
	calls = get("calls");
	ck_assert_ptr_null(strstr(calls, "-s phone-a"));
	ck_assert_ptr_nonnull(strstr(calls, "-s phone-b reverse"));
	free(calls);
	free(sock);
}
END_TEST

/* A hanging adb never delays the routing of another route. */
START_TEST(test_adb_hang_never_blocks)
{
	char *conf, *emu = t_path("emu.sock"), *rt = t_path("emu-rt.sock");
	char text[1024], adb[512], dir[512];
	const char *env[3];
	const char *args[] = { "-c", NULL, NULL };
	struct fake_rt frt;
	uint8_t resp[56];
	long long t0;
	int i, tool;

	adb_env(env, adb, sizeof adb, dir, sizeof dir);
	put("devices", "emulator-5554\n");
	put("hang", "reverse\n");
	snprintf(text, sizeof text, "[route phone]\nmode = android\n"
	    "ipc-server = %s/phone.sock\ntcp-server = 127.0.0.1:0\n"
	    "[route emu]\nipc-server = %s\ntcp-server = unix:%s\n",
	    t_tmpdir(), emu, rt);
	conf = t_path("r.conf");
	{
		FILE *f = fopen(conf, "w");
		fputs(text, f);
		fclose(f);
	}
	args[1] = conf;
	ck_assert_int_eq(dproc_start_env(&dp, args, env, 0), 0);
	memset(&frt, 0, sizeof frt);
	snprintf(frt.addr, sizeof frt.addr, "%s", rt);
	t_cookie(frt.cookie, 9);
	frt.pid = 909;
	frt.ncommands = 10;
	fake_rt_start(&frt);
	for (i = 0; i < 10; i++) {
		t0 = dsrtest_now_ms();
		tool = t_tool_processinfo(emu);
		ck_assert_int_eq(t_read_exact(tool, resp, 56, t_ms(5000)), 0);
		close(tool);
		/* adb hangs for seconds meanwhile; each answer is prompt. */
		ck_assert_int_lt(dsrtest_now_ms() - t0, t_ms(1000));
	}
	ck_assert_int_eq(fake_rt_join(&frt), 10);
	free(conf);
	free(emu);
	free(rt);
}
END_TEST

/* No adb anywhere: one line saying where it looked, exit 69. */
START_TEST(test_adb_missing)
{
	const char *env[] = { "ADB=", "ANDROID_HOME=/nonexistent",
	    "ANDROID_SDK_ROOT=/nonexistent", "PATH=/nonexistent", NULL };
	const char *args[] = { "android", NULL };

	ck_assert_int_eq(dproc_start_env(&dp, args, env, 0), 69);
	ck_assert(dproc_wait_log(&dp, "apt-get install adb", 100));
}
END_TEST

#ifdef HAVE_USBMUXD
/* The fake usbmuxd on a socket in the scratch directory. */
static void
usbmuxd_start(void)
{
	char *ready = t_path("ready"), *sock = t_path("usbmuxd.sock");
	const char *top = getenv("top_srcdir");
	char fake[512];
	struct stat sb;
	int i;

	snprintf(fake, sizeof fake, "%s/tests/fake-usbmuxd", top != NULL ? top : "..");
	if ((fake_pid = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(fake, "fake-usbmuxd", "--control", t_tmpdir(), "--socket",
		    sock, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && stat(ready, &sb) != 0; i++)
		usleep(10 * 1000);
	ck_assert_int_eq(stat(ready, &sb), 0);
	free(ready);
	free(sock);
}

/* Stop the fake usbmuxd. */
static void
usbmuxd_stop(void)
{
	int st;

	if (fake_pid > 0) {
		kill(fake_pid, SIGKILL);
		waitpid(fake_pid, &st, 0);
	}
	fake_pid = -1;
}

/* A listen-mode runtime behind the device's port: answers n ProcessInfo. */
struct listen_rt {
	int lfd;
	int n;
	int served;
	pthread_t thread;
};

static void *
listen_rt_main(void *arg)
{
	struct listen_rt *l = arg;
	uint8_t hdr[20], resp[128], cookie[16];
	size_t n;
	int fd;

	t_cookie(cookie, 12);
	while (l->served < l->n) {
		if ((fd = t_accept(l->lfd, t_ms(5000))) == -1)
			break;
		if (t_read_exact(fd, hdr, 20, t_ms(5000)) == 0) {
			n = t_processinfo_response(resp, 1212, cookie);
			t_write_all(fd, resp, n);
			l->served++;
		}
		close(fd);
	}
	return NULL;
}

/* iOS through usbmux: 20 commands; a stream cut by an unplug; a replug. */
START_TEST(test_ios_usbmux)
{
	char *sock = t_path("t.sock"), addr[64], devices[256], env0[600];
	const char *env[] = { env0, NULL };
	const char *args[] = { "ios", "-tcpc", "127.0.0.1:9000", "-ipcs", sock,
	    "--pair-timeout", "2", NULL };
	struct listen_rt l;
	uint8_t resp[56], req[28], buf[65536];
	int i, tool, fd, n;

	memset(&l, 0, sizeof l);
	l.lfd = t_listen("127.0.0.1:0", addr, sizeof addr);
	snprintf(devices, sizeof devices, "1 UDID-ONE 9000=%s\n", addr);
	put("devices", devices);
	usbmuxd_start();
	snprintf(env0, sizeof env0, "USBMUXD_SOCKET_ADDRESS=UNIX:%s/usbmuxd.sock",
	    t_tmpdir());
	ck_assert_int_eq(dproc_start_env(&dp, args, env, 0), 0);
	l.n = 20;
	ck_assert_int_eq(pthread_create(&l.thread, NULL, listen_rt_main, &l), 0);
	for (i = 0; i < 20; i++) {
		tool = t_tool_processinfo(sock);
		ck_assert_int_eq(t_read_exact(tool, resp, 56, t_ms(5000)), 0);
		ck_assert_uint_eq(dsrtest_get_u64(resp + 20), 1212);
		close(tool);
	}
	pthread_join(l.thread, NULL);
	ck_assert_int_eq(l.served, 20);

	/* A stream from the device; the device is unplugged mid-stream. */
	t_frame(req, 20, 0x02, 0x03);
	tool = t_connect(sock);
	ck_assert_int_eq(t_write_all(tool, req, 20), 0);
	fd = t_accept(l.lfd, t_ms(5000));
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(t_read_exact(fd, req, 20, t_ms(5000)), 0);
	memset(buf, 0x5a, sizeof buf);
	t_frame(buf, 28, 0xff, 0x00);
	ck_assert_int_eq(t_write_all(fd, buf, sizeof buf), 0);
	ck_assert_int_eq(t_read_exact(tool, buf, 28, t_ms(5000)), 0);
	put("devices", "");
	/* The tool's stream ends (EOF or reset), it does not hang. */
	while ((n = t_read_some(tool, buf, sizeof buf, t_ms(5000))) > 0)
		;
	ck_assert_int_eq(n, 0);
	close(tool);
	close(fd);
	/* No device: the tool waits, then gets an error; the log says why. */
	tool = t_tool_processinfo(sock);
	t_expect_error(tool, 0x8013135Bu);
	close(tool);
	ck_assert(dproc_wait_log(&dp, "no device attached", t_ms(1000)));
	/* Plugged in again: served with no restart. */
	put("devices", devices);
	l.n = 1;
	l.served = 0;
	ck_assert_int_eq(pthread_create(&l.thread, NULL, listen_rt_main, &l), 0);
	tool = t_tool_processinfo(sock);
	ck_assert_int_eq(t_read_exact(tool, resp, 56, t_ms(8000)), 0);
	close(tool);
	pthread_join(l.thread, NULL);
	close(l.lfd);
	usbmuxd_stop();
	free(sock);
}
END_TEST

/* usbmuxd absent: the tool's error, and a log line that says so. */
START_TEST(test_usbmuxd_absent)
{
	char *sock = t_path("t.sock"), env0[600];
	const char *env[] = { env0, NULL };
	const char *args[] = { "ios", "-ipcs", sock, "--pair-timeout", "1", NULL };
	int tool;

	snprintf(env0, sizeof env0, "USBMUXD_SOCKET_ADDRESS=UNIX:%s/none.sock",
	    t_tmpdir());
	ck_assert_int_eq(dproc_start_env(&dp, args, env, 0), 0);
	tool = t_tool_processinfo(sock);
	t_expect_error(tool, 0x8013135Bu);
	close(tool);
	ck_assert(dproc_wait_log(&dp, "usbmuxd", t_ms(1000)));
	free(sock);
}
END_TEST
#endif

static Suite *
phone_suite(void)
{
	Suite *s = suite_create("phone");
	TCase *tc = t_tcase("phone", &dp, 60);

	tcase_add_test(tc, test_android_reverse);
	tcase_add_test(tc, test_android_one_device);
	tcase_add_test(tc, test_adb_hang_never_blocks);
	tcase_add_test(tc, test_adb_missing);
#ifdef HAVE_USBMUXD
	tcase_add_test(tc, test_ios_usbmux);
	tcase_add_test(tc, test_usbmuxd_absent);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (system("python3 -c '' >/dev/null 2>&1") != 0) {
		printf("SKIP: the fake adb and usbmuxd need python3 (apt-get "
		    "install python3)\n");
		return 77;
	}
	return t_run_suite(phone_suite());
}

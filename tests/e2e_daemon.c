/* SPDX-License-Identifier: MIT */
/* e2e_daemon.c: the process as a whole: config files, signals, exit codes, sockets it owns. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static struct dproc dp;

/* Write a file in the scratch directory; returns its path. */
static char *
write_file(const char *name, const char *text)
{
	char *path = t_path(name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* A ProcessInfo round trip through a tool socket and a fake runtime on addr. */
static void
roundtrip(const char *toolsock, const char *rtaddr, uint64_t pid)
{
	struct fake_rt frt;
	uint8_t resp[56];
	int tool;

	memset(&frt, 0, sizeof frt);
	snprintf(frt.addr, sizeof frt.addr, "%s", rtaddr);
	t_cookie(frt.cookie, (unsigned)pid);
	frt.pid = pid;
	frt.ncommands = 1;
	fake_rt_start(&frt);
	tool = t_tool_processinfo(toolsock);
	ck_assert_int_eq(t_read_exact(tool, resp, 56, T_TIMEOUT_MS), 0);
	ck_assert_uint_eq(resp[20] | resp[21] << 8, pid);
	close(tool);
	ck_assert_int_eq(fake_rt_join(&frt), 1);
}

START_TEST(test_two_routes_one_config)
{
	char *a = t_path("a.sock"), *b = t_path("b.sock"), *rb = t_path("rb.sock");
	char text[2048], *conf;
	const char *args[] = { "-c", NULL, NULL };
	struct stat sb;

	snprintf(text, sizeof text,
	    "; two routes in one process\n"
	    "[dsrouterd]\nlog-level = debug\n\n"
	    "[route emu]\nipc-server = %s\ntcp-server = 127.0.0.1:0\n\n"
	    "[route box]\nmode = server-server\nipc-server = %s\n"
	    "tcp-server = unix:%s\npair-timeout = 2\n", a, b, rb);
	conf = write_file("two.conf", text);
	args[1] = conf;
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	ck_assert_int_eq(dp.nrt, 2);
	roundtrip(a, dp.rt_addr[0], 1111);
	roundtrip(b, rb, 2222);
	ck_assert(dproc_wait_log(&dp, "route emu: runtime pid 1111", 1000));
	ck_assert(dproc_wait_log(&dp, "route box: runtime pid 2222", 1000));
	/* Sockets are 0600, like a runtime's. */
	ck_assert_int_eq(stat(a, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	/* SIGTERM: exit 0 and remove the sockets it made. */
	ck_assert_int_eq(dproc_stop(&dp, SIGTERM, T_TIMEOUT_MS), 0);
	ck_assert_int_ne(access(a, F_OK), 0);
	ck_assert_int_ne(access(b, F_OK), 0);
	ck_assert_int_ne(access(rb, F_OK), 0);
	free(a);
	free(b);
	free(rb);
	free(conf);
}
END_TEST

START_TEST(test_invalid_config)
{
	char *conf = write_file("bad.conf",
	    "[route a]\n"
	    "tcp-server = 127.0.0.1:0\n"
	    "\n"
	    "; a comment\n"
	    "tcp-sever = 127.0.0.1:9\n");
	const char *args[] = { "-c", conf, NULL };
	const char *targs[] = { "-t", "-c", conf, NULL };
	char want[600], *log;

	ck_assert_int_eq(dproc_start(&dp, args), 78);
	snprintf(want, sizeof want, "%s:5: unknown key 'tcp-sever'", conf);
	log = dproc_log(&dp);
	ck_assert_msg(strstr(log, want) != NULL, "log: %s", log);
	/* One line. */
	ck_assert_int_eq(strchr(log, '\n') - log + 1, (long)strlen(log));
	free(log);
	ck_assert_int_eq(dproc_start(&dp, targs), 78);
	free(conf);
}
END_TEST

START_TEST(test_test_config_ok)
{
	char *conf = write_file("ok.conf",
	    "[route a]\nmode = android-emu\nipc-server = /tmp/x.sock\n");
	const char *args[] = { "-t", "-c", conf, NULL };
	char *log;

	ck_assert_int_eq(dproc_start(&dp, args), 0);
	ck_assert_int_eq(dproc_wait_exit(&dp, T_TIMEOUT_MS), 0);
	ck_assert_int_eq(dp.status, 0);
	log = dproc_log(&dp);
	ck_assert_ptr_nonnull(strstr(log, "configuration OK, 1 route(s)"));
	free(log);
	free(conf);
}
END_TEST

START_TEST(test_usage_errors)
{
	const char *bad[] = { "frobnicate", NULL };
	const char *badopt[] = { "server-server", "--frob", NULL };
	const char *android[] = { "android", "-tcps", "unix:/tmp/x.sock", NULL };
	const char *help[] = { "--help", NULL };

	ck_assert_int_eq(dproc_start(&dp, bad), 64);
	ck_assert_int_eq(dproc_start(&dp, badopt), 64);
	ck_assert_int_eq(dproc_start(&dp, android), 64);
	ck_assert(dproc_wait_log(&dp, "forward-port needs a TCP runtime", 100));
	ck_assert_int_eq(dproc_start(&dp, help), 0);
	ck_assert_int_eq(dproc_wait_exit(&dp, T_TIMEOUT_MS), 0);
	ck_assert_int_eq(dp.status, 0);
	ck_assert(dproc_wait_log(&dp, "server-server", 100));
}
END_TEST

START_TEST(test_runtime_timeout)
{
	const char *args[] = { "server-server", "-ipcs", NULL, "-tcps",
	    "127.0.0.1:0", "-rt", "0.5", NULL };
	char *sock = t_path("t.sock");

	args[2] = sock;
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	ck_assert_int_eq(dproc_wait_exit(&dp, T_TIMEOUT_MS), 0);
	ck_assert_int_eq(dp.status, 69);
	ck_assert(dproc_wait_log(&dp, "no runtime connected to 127.0.0.1:0", 100));
	ck_assert_int_ne(access(sock, F_OK), 0);
	free(sock);
}
END_TEST

START_TEST(test_runtime_timeout_cancelled)
{
	const char *args[] = { "server-server", "-ipcs", NULL, "-tcps",
	    "127.0.0.1:0", "-rt", "1", NULL };
	char *sock = t_path("t.sock");
	uint8_t cookie[16], adv[34];
	int rt;

	args[2] = sock;
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	t_cookie(cookie, 1);
	t_advertise(adv, cookie, 1);
	rt = t_connect(dp.rt_addr[0]);
	ck_assert_int_eq(t_write_all(rt, adv, 34), 0);
	ck_assert_int_eq(dproc_wait_exit(&dp, 1500), -1);
	close(rt);
	free(sock);
}
END_TEST

START_TEST(test_address_in_use)
{
	char addr[64], *sock = t_path("t.sock");
	const char *args[] = { "server-server", "-ipcs", sock, "-tcps", addr, NULL };
	int lfd;

	lfd = t_listen("127.0.0.1:0", addr, sizeof addr);
	ck_assert_int_eq(dproc_start(&dp, args), 71);
	ck_assert(dproc_wait_log(&dp, "cannot listen on", 100));
	ck_assert(dproc_wait_log(&dp, "Address already in use", 100));
	close(lfd);
	free(sock);
}
END_TEST

START_TEST(test_live_socket_refused)
{
	char *sock = t_path("live.sock");
	const char *args[] = { "server-server", "-ipcs", sock, "-tcps",
	    "127.0.0.1:0", NULL };
	int lfd;

	lfd = t_listen(sock, NULL, 0);
	ck_assert_int_eq(dproc_start(&dp, args), 71);
	ck_assert(dproc_wait_log(&dp, "in use by another process", 100));
	close(lfd);
	/* A stale socket file (nobody listening) is replaced. */
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	ck_assert_int_eq(dproc_stop(&dp, SIGINT, T_TIMEOUT_MS), 0);
	free(sock);
}
END_TEST

START_TEST(test_default_tool_socket)
{
	char env_tmp[600], want[600], stat_path[64], buf[1024], *p;
	const char *args[] = { "server-server", "-tcps", "127.0.0.1:0", NULL };
	const char *env[] = { env_tmp, NULL };
	unsigned long long start;
	struct stat sb;
	FILE *f;
	int i;

	snprintf(env_tmp, sizeof env_tmp, "TMPDIR=%s", t_tmpdir());
	ck_assert_int_eq(dproc_start_env(&dp, args, env, 0), 0);
	/* $TMPDIR/dotnet-diagnostic-{pid}-{start time}-socket, as a runtime names it. */
	snprintf(stat_path, sizeof stat_path, "/proc/%ld/stat", (long)dp.pid);
	f = fopen(stat_path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof buf, f));
	fclose(f);
	p = strrchr(buf, ')') + 2;
	for (i = 3; i < 22; i++)
		p = strchr(p, ' ') + 1;
	start = strtoull(p, NULL, 10);
	snprintf(want, sizeof want, "%s/dotnet-diagnostic-%ld-%llu-socket",
	    t_tmpdir(), (long)dp.pid, start);
	ck_assert_str_eq(dp.tool_addr[0], want);
	ck_assert_int_eq(stat(want, &sb), 0);
	ck_assert(S_ISSOCK(sb.st_mode));
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	roundtrip(want, dp.rt_addr[0], 31);
	ck_assert_int_eq(dproc_stop(&dp, SIGTERM, T_TIMEOUT_MS), 0);
	ck_assert_int_ne(access(want, F_OK), 0);
}
END_TEST

START_TEST(test_reload)
{
	char *a = t_path("a.sock"), *b = t_path("b.sock"), *conf;
	char text[1024];
	const char *args[] = { "-c", NULL, NULL };
	FILE *f;

	snprintf(text, sizeof text, "[route a]\nipc-server = %s\n"
	    "tcp-server = unix:%s.rt\n", a, a);
	conf = write_file("r.conf", text);
	args[1] = conf;
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	/* A broken file is refused; the running route keeps working. */
	f = fopen(conf, "a");
	fputs("[route b]\nbogus = 1\n", f);
	fclose(f);
	kill(dp.pid, SIGHUP);
	ck_assert(dproc_wait_log(&dp, "reload refused", T_TIMEOUT_MS));
	ck_assert(dproc_wait_log(&dp, ":5: unknown key 'bogus'", 100));
	ck_assert_int_eq(access(a, F_OK), 0);
	/* A good file adds route b and keeps a. */
	snprintf(text, sizeof text, "[route a]\nipc-server = %s\n"
	    "tcp-server = unix:%s.rt\n[route b]\nipc-server = %s\n"
	    "tcp-server = unix:%s.rt\n", a, a, b, b);
	free(write_file("r.conf", text));
	kill(dp.pid, SIGHUP);
	ck_assert(dproc_wait_log(&dp, "1 route(s) kept, 1 started, 0 stopped",
	    T_TIMEOUT_MS));
	{
		char rb[600];
		snprintf(rb, sizeof rb, "%s.rt", b);
		roundtrip(b, rb, 42);
	}
	/* Dropping route a removes its socket. */
	snprintf(text, sizeof text, "[route b]\nipc-server = %s\n"
	    "tcp-server = unix:%s.rt\n", b, b);
	free(write_file("r.conf", text));
	kill(dp.pid, SIGHUP);
	ck_assert(dproc_wait_log(&dp, "1 route(s) kept, 0 started, 1 stopped",
	    T_TIMEOUT_MS));
	ck_assert_int_ne(access(a, F_OK), 0);
	ck_assert_int_eq(dproc_stop(&dp, SIGTERM, T_TIMEOUT_MS), 0);
	free(a);
	free(b);
	free(conf);
}
END_TEST

START_TEST(test_emfile_recovers)
{
	char *sock = t_path("t.sock");
	const char *args[] = { "server-server", "-ipcs", sock, "-tcps",
	    "127.0.0.1:0", "--frame-timeout", "30", NULL };
	int fds[64], i, n = 0, answered = 0, base;
	uint8_t resp[24];

	T_SKIP_UNDER_VALGRIND("test_emfile_recovers",
	    "it counts descriptors under a limit of 24 (valgrind has its own)");
	ck_assert_int_eq(dproc_start_env(&dp, args, NULL, 24), 0);
	base = dproc_nfds(&dp);
	/*
	 * Use up the daemon's descriptors with idle tools: the ones beyond
	 * are still answered, at once, from the descriptor held in reserve.
	 */
	for (i = 0; i < 64; i++) {
		fds[i] = t_connect(sock);
		if (fds[i] != -1)
			n++;
	}
	for (i = 0; i < 64; i++) {
		if (fds[i] == -1 || t_read_some(fds[i], resp, sizeof resp, 200) <= 0)
			continue;
		ck_assert(t_is_error(resp));
		ck_assert_uint_eq(t_error_hresult(resp), 0x8013135Bu);
		answered++;
	}
	ck_assert_int_gt(answered, 0);
	ck_assert(dproc_wait_log(&dp, "out of file descriptors: answered a "
	    "tool with NOT_YET_AVAILABLE", T_TIMEOUT_MS));
	for (i = 0; i < 64; i++) {
		if (fds[i] != -1)
			close(fds[i]);
	}
	/* Once it has seen them go, it serves again. */
	for (i = 0; i < 500 && dproc_nfds(&dp) > base; i++)
		usleep(10 * 1000);
	ck_assert_int_le(dproc_nfds(&dp), base);
	roundtrip(sock, dp.rt_addr[0], 64);
	ck_assert_int_gt(n, 0);
	free(sock);
}
END_TEST

START_TEST(test_no_leaks_of_descriptors)
{
	char *sock = t_path("t.sock");
	const char *args[] = { "server-server", "-ipcs", sock, "-tcps",
	    "127.0.0.1:0", NULL };
	struct fake_rt frt;
	uint8_t req[20], resp[56];
	int fds0, i, tool;

	T_SKIP_UNDER_VALGRIND("test_no_leaks_of_descriptors",
	    "it counts the daemon's descriptors (valgrind has its own)");
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	fds0 = dproc_nfds(&dp);
	memset(&frt, 0, sizeof frt);
	snprintf(frt.addr, sizeof frt.addr, "%s", dp.rt_addr[0]);
	t_cookie(frt.cookie, 9);
	frt.pid = 9;
	frt.ncommands = 200;
	fake_rt_start(&frt);
	t_frame(req, 20, 0x04, 0x00);
	for (i = 0; i < 200; i++) {
		tool = t_connect(sock);
		ck_assert_int_eq(t_write_all(tool, req, 20), 0);
		ck_assert_int_eq(t_read_exact(tool, resp, 56, T_TIMEOUT_MS), 0);
		ck_assert_int_eq(t_wait_eof(tool, T_TIMEOUT_MS), 0);
		close(tool);
	}
	ck_assert_int_eq(fake_rt_join(&frt), 200);
	usleep(100 * 1000);
	/* Only the runtime's next idle connection may remain. */
	ck_assert_int_le(dproc_nfds(&dp), fds0 + 1);
	free(sock);
}
END_TEST

START_TEST(test_sd_notify)
{
	char *nsock = t_path("notify.sock"), *sock = t_path("t.sock"), env[600];
	const char *args[] = { "server-server", "-ipcs", sock, "-tcps",
	    "127.0.0.1:0", NULL };
	const char *envs[] = { env, NULL };
	struct sockaddr_un sun;
	char buf[256];
	ssize_t n;
	int fd;

	/* systemd's Type=notify: READY=1 once listening, STOPPING=1 on SIGTERM. */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(fd, -1);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", nsock);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	snprintf(env, sizeof env, "NOTIFY_SOCKET=%s", nsock);
	ck_assert_int_eq(dproc_start_env(&dp, args, envs, 0), 0);
	n = t_read_some(fd, buf, sizeof buf - 1, T_TIMEOUT_MS);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "READY=1");
	ck_assert_int_eq(kill(dp.pid, SIGTERM), 0);
	n = t_read_some(fd, buf, sizeof buf - 1, T_TIMEOUT_MS);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "STOPPING=1");
	ck_assert_int_eq(dproc_wait_exit(&dp, T_TIMEOUT_MS), 0);
	ck_assert_int_eq(dp.status, 0);
	close(fd);
	free(nsock);
	free(sock);
}
END_TEST

static Suite *
daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = t_tcase("process", &dp, 30);

	tcase_add_test(tc, test_two_routes_one_config);
	tcase_add_test(tc, test_invalid_config);
	tcase_add_test(tc, test_test_config_ok);
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_runtime_timeout);
	tcase_add_test(tc, test_runtime_timeout_cancelled);
	tcase_add_test(tc, test_address_in_use);
	tcase_add_test(tc, test_live_socket_refused);
	tcase_add_test(tc, test_default_tool_socket);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_emfile_recovers);
	tcase_add_test(tc, test_no_leaks_of_descriptors);
	tcase_add_test(tc, test_sd_notify);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return t_run_suite(daemon_suite());
}

/* SPDX-License-Identifier: MIT */
/*
 * e2e_many.c: many runtimes on one route (runtimes = many), each with its
 * own tool socket, and what 'dsrouterd status' says of them.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static struct dproc dp;
static char *dir, *ctl;

/* Start a router with runtimes = many and a tool socket per runtime. */
static void
start_many(void)
{
	char *sock = t_path("tool.sock");
	const char *args[] = { "server-server", "-ipcs", sock, "-tcps",
	    "127.0.0.1:0", "--runtimes", "many", "--ipc-server-dir", NULL,
	    "--runtime-grace", "0.5", "--control-socket", NULL, "-v", "debug",
	    NULL };

	dir = t_path("runtimes");
	ctl = t_path("control.sock");
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	args[8] = dir;
	args[12] = ctl;
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	free(sock);
}

/* The tool socket of a runtime, by pid. */
static char *
runtime_sock(uint64_t pid)
{
	char *p;

	if (asprintf(&p, "%s/server-server-%llu.sock", dir,
	    (unsigned long long)pid) < 0)
		abort();
	return p;
}

/* Ask the daemon for its status (JSON); a new string. */
static char *
status_json(void)
{
	char *buf = calloc(1, 65536);
	size_t len = 0;
	int fd, n;

	fd = t_connect(ctl);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(t_write_all(fd, "status json\n", 12), 0);
	while ((n = t_read_some(fd, buf + len, 65535 - len, T_TIMEOUT_MS)) > 0)
		len += (size_t)n;
	close(fd);
	ck_assert_ptr_nonnull(strstr(buf, "\"routes\":["));
	return buf;
}

/* Whether the status names a runtime with this pid and cookie number. */
static int
status_has(const char *json, uint64_t pid, unsigned cookie_n)
{
	uint8_t cookie[16];
	char want[128], hex[33];

	t_cookie(cookie, cookie_n);
	dsrtest_hex(cookie, 16, hex);
	snprintf(want, sizeof want, "\"pid\":%llu,\"cookie\":\"%s\"",
	    (unsigned long long)pid, hex);
	return strstr(json, want) != NULL;
}

/* n ProcessInfo through a socket, each answered with this pid. */
static void
processinfo_n(const char *sock, uint64_t pid, int n)
{
	uint8_t resp[56];
	int i, tool;

	for (i = 0; i < n; i++) {
		tool = t_tool_processinfo(sock);
		ck_assert_int_eq(t_read_exact(tool, resp, 56, T_TIMEOUT_MS), 0);
		ck_assert_uint_eq(dsrtest_get_u64(resp + 20), pid);
		close(tool);
	}
}

/* A fake runtime serving n commands (one more: the router's own ProcessInfo). */
static void
fake_start(struct fake_rt *f, uint64_t pid, unsigned cookie_n, int n)
{
	memset(f, 0, sizeof *f);
	snprintf(f->addr, sizeof f->addr, "%s", dp.rt_addr[0]);
	t_cookie(f->cookie, cookie_n);
	f->pid = pid;
	f->ncommands = n + 1;
	fake_rt_start(f);
}

/* Three runtimes, three sockets, each serving its own; status shows them. */
START_TEST(test_three_runtimes)
{
	struct fake_rt f[3];
	char *s[3], *json;
	long long end;
	int i;

	start_many();
	for (i = 0; i < 3; i++) {
		fake_start(&f[i], 501 + (uint64_t)i, 50 + (unsigned)i, 20);
		s[i] = runtime_sock(501 + (uint64_t)i);
	}
	for (i = 0; i < 3; i++) {
		char line[128];
		snprintf(line, sizeof line, "tools use --diagnostic-port %s,connect",
		    s[i]);
		ck_assert(dproc_wait_log(&dp, line, T_TIMEOUT_MS));
	}
	json = status_json();
	for (i = 0; i < 3; i++) {
		ck_assert(status_has(json, 501 + (uint64_t)i, 50 + (unsigned)i));
		ck_assert_ptr_nonnull(strstr(json, s[i]));
	}
	ck_assert_ptr_nonnull(strstr(json, "\"runtimes_mode\":\"many\""));
	free(json);
	for (i = 0; i < 3; i++)
		processinfo_n(s[i], 501 + (uint64_t)i, 20);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(fake_rt_join(&f[i]), 21);
	/* Gone after the grace: their sockets go, status forgets them. */
	for (i = 0; i < 3; i++) {
		char line[128];
		snprintf(line, sizeof line, "runtime pid %d has had no connection",
		    501 + i);
		ck_assert(dproc_wait_log(&dp, line, T_TIMEOUT_MS));
		/* The line comes just before the unlink (under valgrind, a while). */
		end = dsrtest_now_ms() + T_TIMEOUT_MS;
		while (access(s[i], F_OK) == 0 && dsrtest_now_ms() < end)
			dsrtest_sleep_ms(10);
		ck_assert_int_ne(access(s[i], F_OK), 0);
		free(s[i]);
	}
	json = status_json();
	ck_assert(!status_has(json, 501, 50));
	ck_assert_ptr_nonnull(strstr(json, "\"sessions_total\":60"));
	free(json);
}
END_TEST

/* Serve the router's own ProcessInfo on a fresh connection, then reconnect. */
static int
runtime_answer_probe_and_reconnect(uint64_t pid, unsigned cookie_n)
{
	uint8_t cookie[16], adv[34], req[20], resp[128];
	size_t n;
	int fd;

	t_cookie(cookie, cookie_n);
	t_advertise(adv, cookie, pid);
	fd = t_connect(dp.rt_addr[0]);
	ck_assert_int_eq(t_write_all(fd, adv, sizeof adv), 0);
	ck_assert_int_eq(t_read_exact(fd, req, 20, T_TIMEOUT_MS), 0);
	ck_assert_uint_eq(req[16], 0x04);       /* ProcessInfo */
	n = t_processinfo_response(resp, pid, cookie);
	ck_assert_int_eq(t_write_all(fd, resp, n), 0);
	close(fd);
	fd = t_connect(dp.rt_addr[0]);
	ck_assert_int_eq(t_write_all(fd, adv, sizeof adv), 0);
	return fd;
}

/*
 * A 64 MiB stream from one runtime while another answers commands; a
 * restart (new cookie) of one changes only its own socket.
 */
START_TEST(test_stream_and_restart)
{
	struct fake_rt other, restarted;
	struct t_stream ws;
	uint8_t req[28], resp[28];
	char *sa, *sb, *json;
	int rt, tool;

	start_many();
	rt = runtime_answer_probe_and_reconnect(601, 60);
	sa = runtime_sock(601);
	ck_assert(dproc_wait_log(&dp, "runtime pid 601: tools use", T_TIMEOUT_MS));
	fake_start(&other, 602, 61, 20);
	sb = runtime_sock(602);
	ck_assert(dproc_wait_log(&dp, "runtime pid 602: tools use", T_TIMEOUT_MS));

	/* A trace from 601 through its own socket. */
	t_frame(req, 20, 0x02, 0x03);
	tool = t_connect(sa);
	ck_assert_int_eq(t_write_all(tool, req, 20), 0);
	ck_assert_int_eq(t_read_exact(rt, req, 20, T_TIMEOUT_MS), 0);
	t_frame(resp, 28, 0xff, 0x00);
	memset(resp + 20, 0x22, 8);
	ck_assert_int_eq(t_write_all(rt, resp, 28), 0);
	ck_assert_int_eq(t_read_exact(tool, req, 28, T_TIMEOUT_MS), 0);
	memset(&ws, 0, sizeof ws);
	ws.fd = rt;
	ws.bytes = 64ull << 20;
	ws.seed = 4242ull << 32;
	ws.close_after = 1;
	t_stream_write_start(&ws);
	/* Meanwhile 602 answers its own tools, and status shows the session. */
	processinfo_n(sb, 602, 20);
	json = status_json();
	ck_assert_ptr_nonnull(strstr(json, "\"command\":\"EventPipe CollectTracing2\""));
	free(json);
	ck_assert_int_eq(t_stream_read_check(tool, ws.bytes, ws.seed,
	    T_TIMEOUT_MS), 0);
	ck_assert_int_eq(t_stream_join(&ws), 0);
	close(tool);
	close(rt);
	ck_assert_int_eq(fake_rt_join(&other), 21);

	/* 602 restarts as a new process with the same pid: a new cookie. */
	fake_start(&restarted, 602, 62, 1);
	ck_assert(dproc_wait_log(&dp, "runtime pid 602 has had no connection",
	    T_TIMEOUT_MS));
	ck_assert(dproc_wait_log(&dp, "runtime pid 602: tools use --diagnostic-port "
	    "", T_TIMEOUT_MS));
	json = status_json();
	ck_assert(status_has(json, 602, 62));
	ck_assert(!status_has(json, 602, 61));
	free(json);
	/* It came while the old one was still known: its socket has its cookie. */
	{
		uint8_t cookie[16];
		char hex[33], *sc;
		t_cookie(cookie, 62);
		dsrtest_hex(cookie, 16, hex);
		if (asprintf(&sc, "%s/server-server-602-%.8s.sock", dir, hex) < 0)
			abort();
		ck_assert_int_ne(access(sb, F_OK), 0);
		processinfo_n(sc, 602, 1);
		free(sc);
	}
	ck_assert_int_eq(fake_rt_join(&restarted), 2);
	free(sa);
	free(sb);
}
END_TEST

/* The default keeps the dotnet-dsrouter behaviour: a new cookie replaces. */
START_TEST(test_one_is_default)
{
	char *sock = t_path("tool.sock");
	const char *args[] = { "server-server", "-ipcs", sock, "-tcps",
	    "127.0.0.1:0", NULL };
	uint8_t cookie[16], adv[34];
	int a, b;

	ck_assert_int_eq(dproc_start(&dp, args), 0);
	t_cookie(cookie, 1);
	t_advertise(adv, cookie, 1);
	a = t_connect(dp.rt_addr[0]);
	ck_assert_int_eq(t_write_all(a, adv, sizeof adv), 0);
	ck_assert(dproc_wait_log(&dp, "runtime pid 1 connected", T_TIMEOUT_MS));
	t_cookie(cookie, 2);
	t_advertise(adv, cookie, 2);
	b = t_connect(dp.rt_addr[0]);
	ck_assert_int_eq(t_write_all(b, adv, sizeof adv), 0);
	ck_assert(dproc_wait_log(&dp, ") replaces pid 1 (cookie", T_TIMEOUT_MS));
	/* The first runtime's idle connection was closed as stale. */
	ck_assert_int_eq(t_wait_eof(a, T_TIMEOUT_MS), 0);
	close(a);
	close(b);
	free(sock);
}
END_TEST

/* A malformed or huge request to the control socket gets an error. */
START_TEST(test_control_errors)
{
	char buf[256], big[2048];
	int fd, n;

	start_many();
	fd = t_connect(ctl);
	ck_assert_int_eq(t_write_all(fd, "reboot\n", 7), 0);
	n = t_read_some(fd, buf, sizeof buf - 1, T_TIMEOUT_MS);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "error: unknown request"));
	close(fd);
	memset(big, 'x', sizeof big);
	fd = t_connect(ctl);
	ck_assert_int_eq(t_write_all(fd, big, sizeof big), 0);
	n = t_read_some(fd, buf, sizeof buf - 1, T_TIMEOUT_MS);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "error: request too long"));
	close(fd);
	/* Still answering. */
	free(status_json());
}
END_TEST

static Suite *
many_suite(void)
{
	Suite *s = suite_create("many");
	TCase *tc = t_tcase("many", &dp, 60);

	tcase_add_test(tc, test_three_runtimes);
	tcase_add_test(tc, test_stream_and_restart);
	tcase_add_test(tc, test_one_is_default);
	tcase_add_test(tc, test_control_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return t_run_suite(many_suite());
}

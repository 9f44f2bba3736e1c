/* SPDX-License-Identifier: MIT */
/* e2e_server_server.c: server-server routing end to end with fake runtimes and tools. */
#include "config.h"

#include <sys/socket.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static struct dproc dp;
static char *toolsock;

/* Start a server-server router on a Unix tool socket and TCP port 0. */
static void
start_router(const char *pair_timeout, const char *rt_addr)
{
	const char *args[] = { "server-server", "-ipcs", NULL, "-tcps", rt_addr,
	    "--pair-timeout", pair_timeout, "--frame-timeout", "0.3", "-v",
	    "debug", NULL };

	free(toolsock);
	toolsock = t_path("tool.sock");
	args[2] = toolsock;
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	ck_assert_int_eq(dp.nrt, 1);
	ck_assert_int_eq(dp.ntool, 1);
}


/* Connect a fake runtime and advertise. */
static int
runtime_connect(unsigned cookie_n, uint64_t pid)
{
	uint8_t cookie[16], adv[34];
	int fd;

	t_cookie(cookie, cookie_n);
	t_advertise(adv, cookie, pid);
	fd = t_connect(dp.rt_addr[0]);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(t_write_all(fd, adv, sizeof adv), 0);
	return fd;
}

/* Connect a tool to the router and send a ProcessInfo request. */
static int
tool_processinfo(void)
{
	return t_tool_processinfo(toolsock);
}

/* The runtime reads the exact request and answers; the tool gets the answer. */
static void
serve_processinfo(int rt, int tool, uint64_t pid, unsigned cookie_n)
{
	uint8_t got[20], want[20], resp[128], back[128], cookie[16];
	size_t n;

	t_frame(want, 20, 0x04, 0x00);
	ck_assert_int_eq(t_read_exact(rt, got, 20, T_TIMEOUT_MS), 0);
	ck_assert_mem_eq(got, want, 20);
	t_cookie(cookie, cookie_n);
	n = t_processinfo_response(resp, pid, cookie);
	ck_assert_int_eq(t_write_all(rt, resp, n), 0);
	close(rt);
	ck_assert_int_eq(t_read_exact(tool, back, n, T_TIMEOUT_MS), 0);
	ck_assert_mem_eq(back, resp, n);
	ck_assert_int_eq(t_wait_eof(tool, T_TIMEOUT_MS), 0);
	close(tool);
}

START_TEST(test_processinfo_tcp)
{
	int rt, tool;

	start_router("5", "127.0.0.1:0");
	rt = runtime_connect(1, 4242);
	tool = tool_processinfo();
	/* The tool's first bytes are the response: it never sees the advertise. */
	serve_processinfo(rt, tool, 4242, 1);
	ck_assert(dproc_wait_log(&dp, "runtime pid 4242 connected", 1000));
}
END_TEST

START_TEST(test_processinfo_unix_runtime)
{
	char *rtsock = t_path("rt.sock"), addr[300];
	int rt, tool;

	snprintf(addr, sizeof addr, "unix:%s", rtsock);
	start_router("5", addr);
	ck_assert_str_eq(dp.rt_addr[0], rtsock);
	rt = runtime_connect(2, 77);
	tool = tool_processinfo();
	serve_processinfo(rt, tool, 77, 2);
	free(rtsock);
}
END_TEST

START_TEST(test_tool_waits_for_runtime)
{
	int rt, tool;

	start_router("5", "127.0.0.1:0");
	tool = tool_processinfo();
	usleep(200 * 1000);
	rt = runtime_connect(3, 99);
	serve_processinfo(rt, tool, 99, 3);
}
END_TEST

START_TEST(test_twenty_in_a_row)
{
	struct fake_rt frt;
	uint8_t resp[128];
	int i, tool;

	start_router("5", "127.0.0.1:0");
	memset(&frt, 0, sizeof frt);
	snprintf(frt.addr, sizeof frt.addr, "%s", dp.rt_addr[0]);
	t_cookie(frt.cookie, 5);
	frt.pid = 555;
	frt.ncommands = 20;
	fake_rt_start(&frt);
	for (i = 0; i < 20; i++) {
		tool = tool_processinfo();
		ck_assert_int_eq(t_read_exact(tool, resp, 56, T_TIMEOUT_MS), 0);
		ck_assert_uint_eq(resp[20] | resp[21] << 8, 555);
		ck_assert_int_eq(t_wait_eof(tool, T_TIMEOUT_MS), 0);
		close(tool);
	}
	ck_assert_int_eq(fake_rt_join(&frt), 20);
	/* One runtime, reconnecting: announced once, never as a replacement. */
	ck_assert_int_eq(dproc_log_count(&dp, "runtime pid 555 connected"), 1);
	ck_assert_int_eq(dproc_log_count(&dp, "replaces"), 0);
}
END_TEST

START_TEST(test_no_runtime_error_frame)
{
	int tool;

	start_router("0.3", "127.0.0.1:0");
	tool = tool_processinfo();
	t_expect_error(tool, 0x8013135Bu);
	ck_assert(dproc_wait_log(&dp, "no runtime on 127.0.0.1:0 within 300 ms", 1000));
	close(tool);
}
END_TEST

/* A bad first frame gets an error; the idle runtime connection sees nothing and serves the next tool. */
static void
check_bad_frame(const uint8_t *bytes, size_t len, uint32_t hresult)
{
	int rt, tool;

	start_router("5", "127.0.0.1:0");
	rt = runtime_connect(6, 66);
	ck_assert(dproc_wait_log(&dp, "runtime pid 66 connected", T_TIMEOUT_MS));
	tool = t_connect(toolsock);
	ck_assert_int_ne(tool, -1);
	ck_assert_int_eq(t_write_all(tool, bytes, len), 0);
	t_expect_error(tool, hresult);
	close(tool);
	ck_assert(t_quiet(rt, 200));
	tool = tool_processinfo();
	serve_processinfo(rt, tool, 66, 6);
}

START_TEST(test_bad_magic)
{
	uint8_t bad[20];

	t_frame(bad, 20, 0x04, 0x00);
	bad[0] = 'X';
	check_bad_frame(bad, sizeof bad, 0x80131386u);
}
END_TEST

START_TEST(test_bad_size)
{
	uint8_t bad[20];

	t_frame(bad, 12, 0x04, 0x00);
	check_bad_frame(bad, sizeof bad, 0x80131384u);
}
END_TEST

START_TEST(test_partial_header)
{
	uint8_t part[20];

	t_frame(part, 20, 0x04, 0x00);
	check_bad_frame(part, 10, 0x80131384u);
	ck_assert(dproc_wait_log(&dp, "did not send a complete first frame", 1000));
}
END_TEST

START_TEST(test_short_body)
{
	uint8_t part[40];

	memset(part, 0, sizeof part);
	t_frame(part, 100, 0x02, 0x02);
	check_bad_frame(part, sizeof part, 0x80131384u);
}
END_TEST

START_TEST(test_idle_runtime_held)
{
	int rt, tool, i;

	start_router("5", "127.0.0.1:0");
	rt = runtime_connect(7, 70);
	ck_assert(dproc_wait_log(&dp, "runtime pid 70 connected", T_TIMEOUT_MS));
	/* Tools that connect and leave without a command do not touch it. */
	for (i = 0; i < 5; i++) {
		tool = t_connect(toolsock);
		ck_assert_int_ne(tool, -1);
		close(tool);
	}
	/* No tool: the idle connection is held open, never closed (the runtime
	 * would reconnect at once, in a loop). */
	ck_assert(t_quiet(rt, 700));
	tool = tool_processinfo();
	serve_processinfo(rt, tool, 70, 7);
}
END_TEST

START_TEST(test_tool_closes_after_command)
{
	int rt, tool;

	start_router("5", "127.0.0.1:0");
	rt = runtime_connect(8, 80);
	tool = tool_processinfo();
	close(tool);
	/* A fire-and-forget command (ResumeRuntime, say) is still delivered. */
	{
		uint8_t got[20], want[20];
		t_frame(want, 20, 0x04, 0x00);
		ck_assert_int_eq(t_read_exact(rt, got, 20, T_TIMEOUT_MS), 0);
		ck_assert_mem_eq(got, want, 20);
	}
	ck_assert_int_eq(t_wait_eof(rt, T_TIMEOUT_MS), 0);
	close(rt);
}
END_TEST

START_TEST(test_runtime_restart_new_cookie)
{
	int old1, old2, rt, tool;

	start_router("5", "127.0.0.1:0");
	old1 = runtime_connect(10, 1000);
	ck_assert(dproc_wait_log(&dp, "runtime pid 1000 connected", T_TIMEOUT_MS));
	/* A second idle connection of the same runtime is kept. */
	old2 = runtime_connect(10, 1000);
	usleep(100 * 1000);
	ck_assert(t_quiet(old1, 100));
	rt = runtime_connect(11, 1001);
	ck_assert(dproc_wait_log(&dp, "runtime pid 1001 (cookie", T_TIMEOUT_MS));
	ck_assert(dproc_wait_log(&dp, "replaces pid 1000", 100));
	/* The restarted runtime's stale idle connections are closed at once. */
	ck_assert_int_eq(t_wait_eof(old1, 1000), 0);
	ck_assert_int_eq(t_wait_eof(old2, 1000), 0);
	tool = tool_processinfo();
	serve_processinfo(rt, tool, 1001, 11);
	close(old1);
	close(old2);
}
END_TEST

START_TEST(test_old_runtime_reconnect_no_loop)
{
	int a, b, a2, tool;

	start_router("5", "127.0.0.1:0");
	a = runtime_connect(20, 2000);
	ck_assert(dproc_wait_log(&dp, "runtime pid 2000 connected", T_TIMEOUT_MS));
	b = runtime_connect(21, 2001);
	ck_assert_int_eq(t_wait_eof(a, 1000), 0);
	close(a);
	/* The older runtime, still alive, reconnects: it is kept, b is untouched. */
	a2 = runtime_connect(20, 2000);
	usleep(200 * 1000);
	ck_assert(t_quiet(a2, 100));
	ck_assert(t_quiet(b, 100));
	ck_assert_int_eq(dproc_log_count(&dp, "replaces"), 1);
	/* Tools go to the newest runtime. */
	tool = tool_processinfo();
	serve_processinfo(b, tool, 2001, 21);
	/* When it has gone, the older one serves again. */
	tool = tool_processinfo();
	serve_processinfo(a2, tool, 2000, 20);
}
END_TEST

START_TEST(test_stream_64mib)
{
	struct t_stream ws;
	uint8_t req[28], resp[28];
	int rt, tool;

	start_router("5", "127.0.0.1:0");
	rt = runtime_connect(30, 3000);
	t_frame(req, 20, 0x02, 0x02);
	tool = t_connect(toolsock);
	ck_assert_int_eq(t_write_all(tool, req, 20), 0);
	ck_assert_int_eq(t_read_exact(rt, req, 20, T_TIMEOUT_MS), 0);
	t_frame(resp, 28, 0xff, 0x00);
	memset(resp + 20, 0x11, 8);
	ck_assert_int_eq(t_write_all(rt, resp, 28), 0);
	ck_assert_int_eq(t_read_exact(tool, req, 28, T_TIMEOUT_MS), 0);
	ck_assert_mem_eq(req, resp, 28);
	memset(&ws, 0, sizeof ws);
	ws.fd = rt;
	ws.bytes = 64ull << 20;
	ws.seed = 12345ull << 32;
	ws.close_after = 1;
	t_stream_write_start(&ws);
	ck_assert_int_eq(t_stream_read_check(tool, ws.bytes, ws.seed, T_TIMEOUT_MS), 0);
	ck_assert_int_eq(t_stream_join(&ws), 0);
	close(tool);
	ck_assert(t_wait_eof(rt, T_TIMEOUT_MS) == 0);
	close(rt);
	ck_assert(dproc_wait_log(&dp, "runtime->tool 67108892 bytes", T_TIMEOUT_MS));
}
END_TEST

START_TEST(test_tool_to_runtime_stream)
{
	struct t_stream ws;
	uint8_t req[20];
	int rt, tool;

	start_router("5", "127.0.0.1:0");
	rt = runtime_connect(31, 3100);
	tool = tool_processinfo();
	ck_assert_int_eq(t_read_exact(rt, req, 20, T_TIMEOUT_MS), 0);
	memset(&ws, 0, sizeof ws);
	ws.fd = tool;
	ws.bytes = 8ull << 20;
	ws.seed = 777ull << 32;
	ws.close_after = 1;
	t_stream_write_start(&ws);
	/* The tool's half-close reaches the runtime after all the bytes. */
	ck_assert_int_eq(t_stream_read_check(rt, ws.bytes, ws.seed, T_TIMEOUT_MS), 0);
	ck_assert_int_eq(t_stream_join(&ws), 0);
	close(rt);
	ck_assert_int_eq(t_wait_eof(tool, T_TIMEOUT_MS), 0);
	close(tool);
}
END_TEST

START_TEST(test_half_closed_tool_served)
{
	int rt, tool;

	start_router("5", "127.0.0.1:0");
	tool = tool_processinfo();
	shutdown(tool, SHUT_WR);
	usleep(100 * 1000);
	rt = runtime_connect(32, 3200);
	serve_processinfo(rt, tool, 3200, 32);
}
END_TEST

/* The last number of a sysctl file (the maximum of tcp_rmem, say). */
static uint64_t
sysctl_last(const char *path)
{
	unsigned long long a = 0, b = 0, c = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 8ull << 20;
	if (fscanf(f, "%llu %llu %llu", &a, &b, &c) != 3)
		c = 8ull << 20;
	fclose(f);
	return c;
}

START_TEST(test_slow_reader_bounded)
{
	struct t_stream ws;
	uint8_t req[20], buf[16384];
	long rss0, rss, peak = 0;
	uint64_t got = 0, ahead_max;
	int rt, tool, n, i;

	T_SKIP_UNDER_VALGRIND("test_slow_reader_bounded",
	    "it measures the daemon's RSS (valgrind's is far larger)");
	start_router("5", "127.0.0.1:0");
	rss0 = dproc_rss_kb(&dp);
	rt = runtime_connect(33, 3300);
	tool = tool_processinfo();
	ck_assert_int_eq(t_read_exact(rt, req, 20, T_TIMEOUT_MS), 0);
	memset(&ws, 0, sizeof ws);
	ws.fd = rt;
	ws.bytes = 256ull << 20;
	ws.seed = 1;
	t_stream_write_start(&ws);
	/* Read slowly: 16 KiB every 2 ms while the runtime writes flat out. */
	for (i = 0; i < 400; i++) {
		n = t_read_some(tool, buf, sizeof buf, T_TIMEOUT_MS);
		ck_assert_int_gt(n, 0);
		got += (uint64_t)n;
		usleep(2000);
		if (i % 20 == 0 && (rss = dproc_rss_kb(&dp)) > peak)
			peak = rss;
	}
	/*
	 * The writer is blocked far short of 256 MiB: what it has written
	 * beyond what the tool read sits in bounded buffers (the daemon's and
	 * the kernel's socket buffers), not in an ever-growing queue.
	 */
	ahead_max = sysctl_last("/proc/sys/net/ipv4/tcp_rmem") +
	    sysctl_last("/proc/sys/net/ipv4/tcp_wmem") + (16ull << 20);
	ck_assert_msg(ws.written - got < ahead_max, "writer %llu bytes ahead "
	    "(kernel buffers allow %llu)", (unsigned long long)(ws.written - got),
	    (unsigned long long)ahead_max);
	fprintf(stderr, "slow reader: writer %llu KiB ahead of the reader\n",
	    (unsigned long long)((ws.written - got) >> 10));
	fprintf(stderr, "slow reader: daemon grew by %ld KiB\n", peak - rss0);
	ck_assert_msg(peak - rss0 < 8 * 1024, "daemon grew by %ld KiB", peak - rss0);
	close(tool);
	/* The tool left: the runtime's stream is closed promptly. */
	ck_assert_int_eq(t_stream_join(&ws), -1);
	close(rt);
}
END_TEST

START_TEST(test_runtime_dies_mid_stream)
{
	uint8_t req[20], buf[4096];
	int rt, tool, rt2;

	start_router("5", "127.0.0.1:0");
	rt = runtime_connect(40, 4000);
	tool = tool_processinfo();
	ck_assert_int_eq(t_read_exact(rt, req, 20, T_TIMEOUT_MS), 0);
	memset(buf, 0x5a, sizeof buf);
	ck_assert_int_eq(t_write_all(rt, buf, sizeof buf), 0);
	ck_assert_int_eq(t_read_exact(tool, buf, sizeof buf, T_TIMEOUT_MS), 0);
	/* Reset, as a killed process with unread data would. */
	{
		struct linger lg = { 1, 0 };
		setsockopt(rt, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	}
	close(rt);
	ck_assert_int_eq(t_wait_eof(tool, 1000), 0);
	close(tool);
	ck_assert(dproc_wait_log(&dp, "session", T_TIMEOUT_MS));
	/* The daemon still serves. */
	rt2 = runtime_connect(40, 4000);
	tool = tool_processinfo();
	serve_processinfo(rt2, tool, 4000, 40);
}
END_TEST

START_TEST(test_tool_dies_mid_stream)
{
	struct t_stream ws;
	uint8_t req[20], buf[65536];
	int rt, tool, other_rt, other_tool;

	start_router("5", "127.0.0.1:0");
	rt = runtime_connect(41, 4100);
	tool = tool_processinfo();
	ck_assert_int_eq(t_read_exact(rt, req, 20, T_TIMEOUT_MS), 0);
	/* A second session runs beside it. */
	other_rt = runtime_connect(41, 4100);
	other_tool = tool_processinfo();
	ck_assert_int_eq(t_read_exact(other_rt, req, 20, T_TIMEOUT_MS), 0);
	memset(&ws, 0, sizeof ws);
	ws.fd = rt;
	ws.bytes = 1ull << 30;
	ws.seed = 9;
	t_stream_write_start(&ws);
	ck_assert_int_gt(t_read_some(tool, buf, sizeof buf, T_TIMEOUT_MS), 0);
	close(tool);
	/* The runtime's writer fails promptly instead of blocking forever. */
	ck_assert_int_eq(t_stream_join(&ws), -1);
	close(rt);
	/* The other session is unaffected. */
	ck_assert_int_eq(t_write_all(other_rt, "hello", 5), 0);
	ck_assert_int_eq(t_read_exact(other_tool, buf, 5, T_TIMEOUT_MS), 0);
	ck_assert_mem_eq(buf, "hello", 5);
	close(other_rt);
	ck_assert_int_eq(t_wait_eof(other_tool, T_TIMEOUT_MS), 0);
	close(other_tool);
}
END_TEST

static Suite *
server_server_suite(void)
{
	Suite *s = suite_create("server-server");
	TCase *tc = t_tcase("routing", &dp, 30);

	tcase_add_test(tc, test_processinfo_tcp);
	tcase_add_test(tc, test_processinfo_unix_runtime);
	tcase_add_test(tc, test_tool_waits_for_runtime);
	tcase_add_test(tc, test_twenty_in_a_row);
	tcase_add_test(tc, test_no_runtime_error_frame);
	tcase_add_test(tc, test_bad_magic);
	tcase_add_test(tc, test_bad_size);
	tcase_add_test(tc, test_partial_header);
	tcase_add_test(tc, test_short_body);
	tcase_add_test(tc, test_idle_runtime_held);
	tcase_add_test(tc, test_tool_closes_after_command);
	tcase_add_test(tc, test_runtime_restart_new_cookie);
	tcase_add_test(tc, test_old_runtime_reconnect_no_loop);
	tcase_add_test(tc, test_half_closed_tool_served);
	suite_add_tcase(s, tc);

	tc = t_tcase("streams", &dp, 60);
	tcase_add_test(tc, test_stream_64mib);
	tcase_add_test(tc, test_tool_to_runtime_stream);
	tcase_add_test(tc, test_slow_reader_bounded);
	tcase_add_test(tc, test_runtime_dies_mid_stream);
	tcase_add_test(tc, test_tool_dies_mid_stream);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return t_run_suite(server_server_suite());
}

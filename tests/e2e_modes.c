/* SPDX-License-Identifier: MIT */
/* e2e_modes.c: server-client, client-server and client-client routing end to end. */
#include "config.h"

#include <sys/socket.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static struct dproc dp;

/* A listen-mode runtime: accept one connection, check the command, answer. */
static void
listen_rt_serve(int lfd, uint64_t pid, unsigned cookie_n)
{
	uint8_t got[20], want[20], resp[128], cookie[16];
	size_t n;
	int fd;

	fd = t_accept(lfd, T_TIMEOUT_MS);
	ck_assert_int_ne(fd, -1);
	/* The router never opens a silent connection: the command is there. */
	t_frame(want, 20, 0x04, 0x00);
	ck_assert_int_eq(t_read_exact(fd, got, 20, 1000), 0);
	ck_assert_mem_eq(got, want, 20);
	t_cookie(cookie, cookie_n);
	n = t_processinfo_response(resp, pid, cookie);
	ck_assert_int_eq(t_write_all(fd, resp, n), 0);
	close(fd);
}

/* Expect a ProcessInfo answer carrying pid, then EOF. */
static void
tool_expect_pid(int fd, uint64_t pid)
{
	uint8_t resp[56];

	ck_assert_int_eq(t_read_exact(fd, resp, 56, T_TIMEOUT_MS), 0);
	ck_assert_uint_eq(resp[20] | resp[21] << 8 | resp[22] << 16, pid);
	ck_assert_int_eq(t_wait_eof(fd, T_TIMEOUT_MS), 0);
	close(fd);
}

START_TEST(test_server_client_twenty)
{
	char rtaddr[64], *toolsock = t_path("tool.sock");
	const char *args[] = { "server-client", "-ipcs", toolsock, "-tcpc",
	    rtaddr, NULL };
	int lfd, i, tool;

	lfd = t_listen("127.0.0.1:0", rtaddr, sizeof rtaddr);
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	/* Nothing connects to the runtime until a tool has a command. */
	ck_assert_int_eq(t_accept(lfd, 200), -1);
	for (i = 0; i < 20; i++) {
		tool = t_tool_processinfo(toolsock);
		listen_rt_serve(lfd, 700 + (unsigned)i, 1);
		tool_expect_pid(tool, 700 + (unsigned)i);
	}
	ck_assert_int_eq(t_accept(lfd, 200), -1);
	close(lfd);
	free(toolsock);
}
END_TEST

START_TEST(test_server_client_runtime_late)
{
	char rtaddr[64], *toolsock = t_path("tool.sock"), *rtsock = t_path("rt.sock");
	const char *args[] = { "server-client", "-ipcs", toolsock, "-tcpc",
	    rtaddr, "--pair-timeout", "3", NULL };
	int lfd, tool;

	snprintf(rtaddr, sizeof rtaddr, "unix:%s", rtsock);
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	tool = t_tool_processinfo(toolsock);
	usleep(300 * 1000);
	/* The runtime starts listening while the tool waits: retried, served. */
	lfd = t_listen(rtsock, NULL, 0);
	listen_rt_serve(lfd, 800, 2);
	tool_expect_pid(tool, 800);
	ck_assert(dproc_wait_log(&dp, "after", 1000));
	close(lfd);
	free(toolsock);
	free(rtsock);
}
END_TEST

START_TEST(test_server_client_no_runtime)
{
	char *toolsock = t_path("tool.sock"), *rtsock = t_path("none.sock");
	char rtaddr[300];
	const char *args[] = { "server-client", "-ipcs", toolsock, "-tcpc",
	    rtaddr, "--pair-timeout", "0.5", NULL };
	int tool;

	snprintf(rtaddr, sizeof rtaddr, "unix:%s", rtsock);
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	tool = t_tool_processinfo(toolsock);
	t_expect_error(tool, 0x8013135Bu);
	ck_assert(dproc_wait_log(&dp, "no runtime on unix:", 1000));
	close(tool);
	free(toolsock);
	free(rtsock);
}
END_TEST

/* client-server: the router connects to a reversed-server tool and replays the advertise. */
START_TEST(test_client_server)
{
	char *toolsock = t_path("tool.sock");
	const char *args[] = { "client-server", "-ipcc", toolsock, "-tcps",
	    "127.0.0.1:0", NULL };
	uint8_t cookie[16], adv[34], got[34], req[20], resp[128];
	int lfd, rt, tool, i;
	size_t n;

	lfd = t_listen(toolsock, NULL, 0);
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	ck_assert_int_eq(dp.nrt, 1);
	t_cookie(cookie, 50);
	t_advertise(adv, cookie, 5000);
	for (i = 0; i < 3; i++) {
		rt = t_connect(dp.rt_addr[0]);
		ck_assert_int_ne(rt, -1);
		ck_assert_int_eq(t_write_all(rt, adv, 34), 0);
		tool = t_accept(lfd, T_TIMEOUT_MS);
		ck_assert_int_ne(tool, -1);
		ck_assert_int_eq(t_read_exact(tool, got, 34, T_TIMEOUT_MS), 0);
		ck_assert_mem_eq(got, adv, 34);
		t_frame(req, 20, 0x04, 0x00);
		ck_assert_int_eq(t_write_all(tool, req, 20), 0);
		ck_assert_int_eq(t_read_exact(rt, got, 20, T_TIMEOUT_MS), 0);
		ck_assert_mem_eq(got, req, 20);
		n = t_processinfo_response(resp, 5000, cookie);
		ck_assert_int_eq(t_write_all(rt, resp, n), 0);
		close(rt);
		ck_assert_int_eq(t_read_exact(tool, got, 20, T_TIMEOUT_MS), 0);
		ck_assert_mem_eq(got, resp, 20);
		ck_assert_int_eq(t_wait_eof(tool, T_TIMEOUT_MS), 0);
		close(tool);
	}
	close(lfd);
	free(toolsock);
}
END_TEST

START_TEST(test_client_server_tool_late_and_bad_frame)
{
	char *toolsock = t_path("tool.sock");
	const char *args[] = { "client-server", "-ipcc", toolsock, "-tcps",
	    "127.0.0.1:0", "--frame-timeout", "0.3", NULL };
	uint8_t cookie[16], adv[34], got[34], req[20];
	int lfd, rt, tool;

	ck_assert_int_eq(dproc_start(&dp, args), 0);
	t_cookie(cookie, 51);
	t_advertise(adv, cookie, 5100);
	rt = t_connect(dp.rt_addr[0]);
	ck_assert_int_eq(t_write_all(rt, adv, 34), 0);
	ck_assert(dproc_wait_log(&dp, "cannot connect to tool", T_TIMEOUT_MS));
	/* The tool starts late: the router's retries reach it. */
	lfd = t_listen(toolsock, NULL, 0);
	tool = t_accept(lfd, T_TIMEOUT_MS);
	ck_assert_int_ne(tool, -1);
	ck_assert_int_eq(t_read_exact(tool, got, 34, T_TIMEOUT_MS), 0);
	ck_assert_mem_eq(got, adv, 34);
	/* A bad frame: the tool gets an error; the runtime sees nothing. */
	ck_assert_int_eq(t_write_all(tool, "garbage-garbage-garbage", 23), 0);
	ck_assert_int_eq(t_read_exact(tool, got, 24, T_TIMEOUT_MS), 0);
	ck_assert(t_is_error(got));
	close(tool);
	ck_assert(t_quiet(rt, 100));
	/* The same runtime connection is offered to the tool again. */
	tool = t_accept(lfd, T_TIMEOUT_MS);
	ck_assert_int_ne(tool, -1);
	ck_assert_int_eq(t_read_exact(tool, got, 34, T_TIMEOUT_MS), 0);
	ck_assert_mem_eq(got, adv, 34);
	t_frame(req, 20, 0x04, 0x01);
	ck_assert_int_eq(t_write_all(tool, req, 20), 0);
	ck_assert_int_eq(t_read_exact(rt, got, 20, T_TIMEOUT_MS), 0);
	ck_assert_mem_eq(got, req, 20);
	close(rt);
	ck_assert_int_eq(t_wait_eof(tool, T_TIMEOUT_MS), 0);
	close(tool);
	close(lfd);
	free(toolsock);
}
END_TEST

START_TEST(test_client_server_runtime_leaves)
{
	char *toolsock = t_path("tool.sock");
	const char *args[] = { "client-server", "-ipcc", toolsock, "-tcps",
	    "127.0.0.1:0", NULL };
	uint8_t cookie[16], adv[34], got[34];
	int lfd, rt, tool;

	lfd = t_listen(toolsock, NULL, 0);
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	t_cookie(cookie, 52);
	t_advertise(adv, cookie, 5200);
	rt = t_connect(dp.rt_addr[0]);
	ck_assert_int_eq(t_write_all(rt, adv, 34), 0);
	tool = t_accept(lfd, T_TIMEOUT_MS);
	ck_assert_int_eq(t_read_exact(tool, got, 34, T_TIMEOUT_MS), 0);
	/* The runtime goes away before any command: the tool sees it go. */
	close(rt);
	ck_assert_int_eq(t_wait_eof(tool, T_TIMEOUT_MS), 0);
	close(tool);
	close(lfd);
	free(toolsock);
}
END_TEST

/* client-client: ProcessInfo of its own, then an advertise built from it. */
START_TEST(test_client_client)
{
	char *toolsock = t_path("tool.sock"), rtaddr[64];
	const char *args[] = { "client-client", "-ipcc", toolsock, "-tcpc",
	    rtaddr, NULL };
	uint8_t cookie[16], adv[34], got[64], req[20], resp[128];
	int tl, rl, tool, rt, i;

	tl = t_listen(toolsock, NULL, 0);
	rl = t_listen("127.0.0.1:0", rtaddr, sizeof rtaddr);
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	t_cookie(cookie, 60);
	t_advertise(adv, cookie, 6000);
	for (i = 0; i < 3; i++) {
		/* The router asks the runtime who it is. */
		listen_rt_serve(rl, 6000, 60);
		tool = t_accept(tl, T_TIMEOUT_MS);
		ck_assert_int_ne(tool, -1);
		ck_assert_int_eq(t_read_exact(tool, got, 34, T_TIMEOUT_MS), 0);
		ck_assert_mem_eq(got, adv, 34);
		/* The runtime is not contacted until the tool sends a command. */
		ck_assert_int_eq(t_accept(rl, 100), -1);
		t_frame(req, 20, 0x04, 0x01);
		ck_assert_int_eq(t_write_all(tool, req, 20), 0);
		rt = t_accept(rl, T_TIMEOUT_MS);
		ck_assert_int_ne(rt, -1);
		ck_assert_int_eq(t_read_exact(rt, got, 20, T_TIMEOUT_MS), 0);
		ck_assert_mem_eq(got, req, 20);
		t_frame(resp, 24, 0xff, 0x00);
		memset(resp + 20, 0, 4);
		ck_assert_int_eq(t_write_all(rt, resp, 24), 0);
		close(rt);
		ck_assert_int_eq(t_read_exact(tool, got, 24, T_TIMEOUT_MS), 0);
		ck_assert_mem_eq(got, resp, 24);
		ck_assert_int_eq(t_wait_eof(tool, T_TIMEOUT_MS), 0);
		close(tool);
	}
	close(tl);
	close(rl);
	free(toolsock);
}
END_TEST

START_TEST(test_chained_routers)
{
	char *toolsock = t_path("tool.sock"), *rtsock = t_path("rt.sock");
	char a_tool[300], a_rt[300];
	const char *bargs[] = { "server-server", "-ipcs", toolsock, "-tcps",
	    "127.0.0.1:0", NULL };
	struct dproc b;
	struct fake_rt frt;
	int i, tool;

	/* Router B: server-server on TCP, the tools' end. */
	ck_assert_int_eq(dproc_start(&b, bargs), 0);
	/* Router A: runtime on a Unix socket, tool side a TCP client to B. */
	snprintf(a_rt, sizeof a_rt, "unix:%s", rtsock);
	snprintf(a_tool, sizeof a_tool, "tcp:%s", b.rt_addr[0]);
	{
		const char *aargs[] = { "client-server", "-ipcc", a_tool, "-tcps",
		    a_rt, NULL };
		ck_assert_int_eq(dproc_start(&dp, aargs), 0);
	}
	memset(&frt, 0, sizeof frt);
	snprintf(frt.addr, sizeof frt.addr, "%s", rtsock);
	t_cookie(frt.cookie, 70);
	frt.pid = 7000;
	frt.ncommands = 5;
	fake_rt_start(&frt);
	for (i = 0; i < 5; i++) {
		tool = t_tool_processinfo(toolsock);
		tool_expect_pid(tool, 7000);
	}
	ck_assert_int_eq(fake_rt_join(&frt), 5);
	ck_assert(dproc_wait_log(&b, "runtime pid 7000 connected", 1000));
	ck_assert_int_eq(dproc_stop(&b, SIGTERM, T_TIMEOUT_MS), 0);
	free(toolsock);
	free(rtsock);
}
END_TEST

static Suite *
modes_suite(void)
{
	Suite *s = suite_create("modes");
	TCase *tc;

	tc = t_tcase("server-client", &dp, 30);
	tcase_add_test(tc, test_server_client_twenty);
	tcase_add_test(tc, test_server_client_runtime_late);
	tcase_add_test(tc, test_server_client_no_runtime);
	suite_add_tcase(s, tc);

	tc = t_tcase("client-server", &dp, 30);
	tcase_add_test(tc, test_client_server);
	tcase_add_test(tc, test_client_server_tool_late_and_bad_frame);
	tcase_add_test(tc, test_client_server_runtime_leaves);
	suite_add_tcase(s, tc);

	tc = t_tcase("client-client", &dp, 30);
	tcase_add_test(tc, test_client_client);
	suite_add_tcase(s, tc);

	tc = t_tcase("chain", &dp, 30);
	tcase_add_test(tc, test_chained_routers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return t_run_suite(modes_suite());
}

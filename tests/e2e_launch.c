/* SPDX-License-Identifier: MIT */
/*
 * e2e_launch.c: the daemon as the diagnostic tools start it (--dsrouter):
 * 'q' on standard input, the parent's exit, blocked signals, the router's
 * name for -p, a tool that comes before the app, --info and per-verb help.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static struct dproc dp;
static int nstarts;

/*
 * Start the daemon with its standard input from a pipe (*in: the write
 * end) or /dev/null (in NULL), stdout and stderr in the log, TMPDIR the
 * scratch directory; wait until it runs.
 */
static void
start_stdin(const char *const *args, int *in)
{
	const char *argv[40];
	char env[512];
	int p[2], fd;

	memset(&dp, 0, sizeof dp);
	/* A new log each time: the last one's lines must not count. */
	snprintf(dp.logpath, sizeof dp.logpath, "%s/launch-%d.log", t_tmpdir(),
	    nstarts++);
	dproc_argv(&dp, args, argv, sizeof argv / sizeof argv[0]);
	if (in != NULL)
		ck_assert_int_eq(pipe(p), 0);
	snprintf(env, sizeof env, "TMPDIR=%s", t_tmpdir());
	if ((dp.pid = fork()) == 0) {
		fd = open(dp.logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		if (in != NULL) {
			dup2(p[0], 0);
			close(p[1]);
		} else {
			dup2(open("/dev/null", O_RDONLY), 0);
		}
		putenv(env);
		execv(argv[0], (char **)(uintptr_t)argv);
		_exit(127);
	}
	if (in != NULL) {
		close(p[0]);
		*in = p[1];
	}
	ck_assert(dproc_wait_log(&dp, " route(s), pid ", T_TIMEOUT_MS));
}

/* The number of files in the scratch directory whose name starts so. */
static int
count_files(const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(t_tmpdir());
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* 'q' on standard input stops the router cleanly, sockets removed. */
START_TEST(test_q_on_stdin)
{
	const char *args[] = { "server-server", "-tcps", "127.0.0.1:0", NULL };
	int in;

	start_stdin(args, &in);
	ck_assert_int_eq(count_files("dotnet-diagnostic-"), 2);
	ck_assert_int_eq(write(in, "Q\n", 2), 2);
	ck_assert_int_eq(dproc_wait_exit(&dp, T_TIMEOUT_MS), 0);
	ck_assert_int_eq(dp.status, 0);
	ck_assert(dproc_wait_log(&dp, "'q' on standard input: shutting down", 100));
	ck_assert_int_eq(count_files("dotnet-diagnostic-"), 0);
	close(in);
}
END_TEST

/* EOF on standard input stops nothing; other bytes neither. */
START_TEST(test_eof_on_stdin)
{
	const char *args[] = { "server-server", "-tcps", "127.0.0.1:0", NULL };
	int in;

	start_stdin(args, &in);
	ck_assert_int_eq(write(in, "x\n", 2), 2);
	close(in);
	usleep(500 * 1000);
	ck_assert_int_eq(dproc_wait_exit(&dp, 0), -1);
	ck_assert_int_eq(dproc_stop(&dp, SIGTERM, T_TIMEOUT_MS), 0);

	start_stdin(args, NULL);
	usleep(300 * 1000);
	ck_assert_int_eq(dproc_wait_exit(&dp, 0), -1);
	ck_assert_int_eq(dproc_stop(&dp, SIGTERM, T_TIMEOUT_MS), 0);
}
END_TEST

/* The router stops when the process named by --parentprocess exits. */
START_TEST(test_parent_exit)
{
	char parent[64];
	const char *args[] = { "server-server", "-tcps", "127.0.0.1:0",
	    "--parentprocess", parent, NULL };
	pid_t child;
	int st;

	if ((child = fork()) == 0) {
		pause();
		_exit(0);
	}
	snprintf(parent, sizeof parent, "%ld:dotnet-trace", (long)child);
	start_stdin(args, NULL);
	usleep(200 * 1000);
	ck_assert_int_eq(dproc_wait_exit(&dp, 0), -1);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	ck_assert_int_eq(dproc_wait_exit(&dp, T_TIMEOUT_MS), 0);
	ck_assert_int_eq(dp.status, 0);
	ck_assert(dproc_wait_log(&dp, "(dotnet-trace) has exited", 100));
	ck_assert_int_eq(count_files("dotnet-diagnostic-"), 0);
}
END_TEST

/* --block-signals: SIGINT and SIGQUIT do nothing; SIGTERM still stops it. */
START_TEST(test_blocked_signals)
{
	const char *args[] = { "server-server", "-tcps", "127.0.0.1:0",
	    "--block-signals", "SIGINT;sigquit", NULL };

	start_stdin(args, NULL);
	kill(dp.pid, SIGINT);
	kill(dp.pid, SIGQUIT);
	usleep(300 * 1000);
	ck_assert_int_eq(dproc_wait_exit(&dp, 0), -1);
	ck_assert_int_eq(dproc_stop(&dp, SIGTERM, T_TIMEOUT_MS), 0);
	/* A name it does not know is a usage error. */
	{
		const char *bad[] = { "server-server", "-tcps", "127.0.0.1:0",
		    "-bsig", "SIGINT;SIGNOPE", NULL };
		ck_assert_int_eq(dproc_start(&dp, bad), 64);
		ck_assert(dproc_wait_log(&dp, "unknown signal 'SIGNOPE'", 1000));
	}
}
END_TEST

/* The default tool socket has the router's name too, same socket, same times. */
START_TEST(test_router_name)
{
	const char *args[] = { "server-server", "-tcps", "127.0.0.1:0", NULL };
	char a[512], b[512];
	struct stat sa, sb;
	DIR *d;
	struct dirent *de;

	start_stdin(args, NULL);
	a[0] = b[0] = '\0';
	d = opendir(t_tmpdir());
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "dotnet-diagnostic-dsrouter-", 27) == 0)
			snprintf(b, sizeof b, "%s/%s", t_tmpdir(), de->d_name);
		else if (strncmp(de->d_name, "dotnet-diagnostic-", 18) == 0)
			snprintf(a, sizeof a, "%s/%s", t_tmpdir(), de->d_name);
	}
	closedir(d);
	ck_assert_int_eq(stat(a, &sa), 0);
	ck_assert_int_eq(stat(b, &sb), 0);
	ck_assert(S_ISSOCK(sb.st_mode));
	ck_assert_uint_eq(sa.st_ino, sb.st_ino);
	/* Both names reach the router. */
	close(t_tool_processinfo(a));
	close(t_tool_processinfo(b));
	ck_assert_int_eq(dproc_stop(&dp, SIGTERM, T_TIMEOUT_MS), 0);
	ck_assert_int_ne(access(a, F_OK), 0);
	ck_assert_int_ne(access(b, F_OK), 0);
}
END_TEST

/* A tool that comes 6 s before the app (past the old 5 s) is served. */
START_TEST(test_tool_before_app)
{
	char *sock = t_path("t.sock");
	const char *args[] = { "server-server", "-ipcs", sock, "-tcps",
	    "127.0.0.1:0", NULL };
	uint8_t cookie[16], adv[34], req[20], resp[128];
	size_t n;
	int tool, rt;

	ck_assert_int_eq(dproc_start(&dp, args), 0);
	tool = t_tool_processinfo(sock);
	ck_assert(dproc_wait_log(&dp, "a tool waits up to 60 s for a runtime on "
	    "127.0.0.1:", T_TIMEOUT_MS));
	ck_assert(dproc_wait_log(&dp, "start the app with DOTNET_DiagnosticPorts="
	    "127.0.0.1:", 100));
	sleep(6);
	t_cookie(cookie, 6);
	t_advertise(adv, cookie, 66);
	rt = t_connect(dp.rt_addr[0]);
	ck_assert_int_eq(t_write_all(rt, adv, sizeof adv), 0);
	ck_assert_int_eq(t_read_exact(rt, req, 20, T_TIMEOUT_MS), 0);
	n = t_processinfo_response(resp, 66, cookie);
	ck_assert_int_eq(t_write_all(rt, resp, n), 0);
	close(rt);
	ck_assert_int_eq(t_read_exact(tool, req, 20, T_TIMEOUT_MS), 0);
	ck_assert_uint_eq(req[16], 0xff);
	close(tool);
	/* With a runtime connected, the wait is short again: no new notice. */
	ck_assert_int_eq(dproc_log_count(&dp, "a tool waits up to"), 1);
	free(sock);
}
END_TEST

/* -i prints the reference router's usage block and keeps running. */
START_TEST(test_info)
{
	const char *args[] = { "android-emu", "-tcps", "127.0.0.1:0", "-i", NULL };
	char *log;

	start_stdin(args, NULL);
	log = dproc_log(&dp);
	ck_assert_ptr_nonnull(strstr(log, "DOTNET_DiagnosticPorts=10.0.2.2:"));
	ck_assert_ptr_nonnull(strstr(log, "-p:DiagnosticAddress=10.0.2.2 "
	    "-p:DiagnosticPort="));
	ck_assert_ptr_nonnull(strstr(log, "-p:DiagnosticSuspend=true "
	    "-p:DiagnosticListenMode=connect"));
	ck_assert_ptr_nonnull(strstr(log, "dotnet-trace collect -p "));
	free(log);
	ck_assert_int_eq(dproc_wait_exit(&dp, 0), -1);
	ck_assert_int_eq(dproc_stop(&dp, SIGTERM, T_TIMEOUT_MS), 0);
}
END_TEST

/* A verb's help, both ways, and help of an unknown verb. */
START_TEST(test_verb_help)
{
	const char *a[] = { "server-client", "--help", NULL };
	const char *b[] = { "help", "client-client", NULL };
	const char *c[] = { "help", "nonsense", NULL };

	ck_assert_int_eq(dproc_start(&dp, a), 0);
	ck_assert(dproc_wait_log(&dp, "Usage: dsrouterd server-client", 1000));
	ck_assert(dproc_wait_log(&dp, "-tcpc, --tcp-client ADDR", 100));
	ck_assert(dproc_wait_log(&dp, "Example:", 100));
	ck_assert_int_eq(dproc_log_count(&dp, "--tcp-server"), 0);
	ck_assert_int_eq(dproc_start(&dp, b), 0);
	ck_assert(dproc_wait_log(&dp, "Usage: dsrouterd client-client", 1000));
	ck_assert_int_eq(dproc_start(&dp, c), 64);
}
END_TEST

static Suite *
launch_suite(void)
{
	Suite *s = suite_create("launch");
	TCase *tc = t_tcase("launch", &dp, 30);

	tcase_add_test(tc, test_q_on_stdin);
	tcase_add_test(tc, test_eof_on_stdin);
	tcase_add_test(tc, test_parent_exit);
	tcase_add_test(tc, test_blocked_signals);
	tcase_add_test(tc, test_router_name);
	tcase_add_test(tc, test_tool_before_app);
	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_verb_help);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return t_run_suite(launch_suite());
}

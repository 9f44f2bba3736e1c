/* SPDX-License-Identifier: MIT */
/* helpers.h: shared fixtures for the end-to-end suites: the daemon as a child, sockets, fake peers. */
#ifndef TESTS_HELPERS_H
#define TESTS_HELPERS_H

#include <sys/types.h>

#include <pthread.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include "dsrtest.h"

/*
 * With DSR_VALGRIND=1 in the environment the daemon runs under valgrind
 * memcheck: every daemon a suite starts, with errors and definite or
 * indirect leaks turned into exit status T_VALGRIND_STATUS, which fails
 * the test wherever the daemon's exit is seen (its valgrind log printed).
 * Waits are then T_VALGRIND_SCALE times as long (T_TIMEOUT_MS, start-up,
 * the test cases' time-outs), and dproc_wait_log waits at least
 * T_TIMEOUT_MS. A suite run so without valgrind on PATH exits 77
 * (skipped), saying why.
 */
#define T_VALGRIND_SCALE 10
#define T_VALGRIND_STATUS 99
int t_valgrind(void);
int t_ms(int);
#define T_TIMEOUT_MS t_ms(5000)

/*
 * For a test whose assertions cannot hold under valgrind (the daemon's
 * RSS, descriptor counts, timing, the splice path): end it, passed,
 * with a line saying why.
 */
#define T_SKIP_UNDER_VALGRIND(test, why) do { \
	if (t_valgrind()) { \
		fprintf(stderr, "SKIP " test " under valgrind: " why "\n"); \
		return; \
	} \
} while (0)

/* A dsrouterd child process with its stderr captured in a file. */
struct dproc {
	pid_t pid;
	char logpath[512];
	char vglog[528];          /* valgrind's log, beside logpath */
	char vgarg[560];          /* --log-file=vglog */
	char rt_addr[4][256];     /* "listening for runtimes on X", per route */
	char tool_addr[4][256];   /* "listening for tools on X", per route */
	int nrt, ntool;
	int status;               /* exit status once reaped */
	int exited;
};

/* A scratch directory, removed with everything in it. */
const char *t_tmpdir(void);
void t_tmpdir_cleanup(void);
char *t_path(const char *);

/* The daemon. */
int dproc_start(struct dproc *, const char *const *);
int dproc_start_env(struct dproc *, const char *const *, const char *const *, int);
int dproc_argv(struct dproc *, const char *const *, const char **, size_t);
int dproc_wait_log(struct dproc *, const char *, int);
int dproc_log_count(struct dproc *, const char *);
char *dproc_log(struct dproc *);
int dproc_stop(struct dproc *, int, int);
int dproc_wait_exit(struct dproc *, int);
long dproc_rss_kb(struct dproc *);
int dproc_nfds(struct dproc *);

/*
 * Sockets and frames come from the shared library (dsrtest.h); these are
 * the suites' older names for them. t_connect and t_listen also fail the
 * test on an address they cannot parse or bind.
 */
int t_connect(const char *);
int t_listen(const char *, char *, size_t);
#define t_accept(lfd, ms) dsrtest_accept(lfd, ms)
#define t_write_all(fd, buf, len) dsrtest_write_all(fd, buf, len, 0)
#define t_read_exact(fd, buf, len, ms) \
	dsrtest_read_exact(fd, buf, len, ms, NULL)
#define t_read_some(fd, buf, len, ms) ((int)dsrtest_read_some(fd, buf, len, ms))
#define t_wait_eof(fd, ms) dsrtest_wait_eof(fd, ms)
#define t_quiet(fd, ms) dsrtest_quiet(fd, ms)
#define t_frame(buf, size, set, id) dsrtest_header(buf, size, set, id)
#define t_advertise(buf, cookie, pid) dsrtest_advertise(buf, cookie, pid)
#define t_cookie(cookie, n) dsrtest_cookie(cookie, n)
#define t_is_error(buf) dsrtest_is_error(buf)
#define t_error_hresult(buf) dsrtest_error_hresult(buf)
/* A ProcessInfo OK response: pid, cookie, three null strings. */
#define t_processinfo_response(buf, pid, cookie) \
	dsrtest_processinfo_response(buf, pid, cookie, NULL, NULL, NULL)

/* A tool: connect and send ProcessInfo; expect an IPC Error then EOF. */
int t_tool_processinfo(const char *);
void t_expect_error(int, uint32_t);

/* A connect-mode fake runtime: advertise on every connection, answer each command, reconnect. */
struct fake_rt {
	char addr[256];
	uint8_t cookie[16];
	uint64_t pid;
	int ncommands;            /* commands to serve before stopping */
	int served;
	int failed;
	char why[256];
	pthread_t thread;
};
void fake_rt_start(struct fake_rt *);
int fake_rt_join(struct fake_rt *);

/* Data streams with a checksum. */
uint64_t t_fill(uint8_t *, size_t, uint64_t);
struct t_stream {
	int fd;
	uint64_t bytes;
	uint64_t seed;
	size_t chunk;
	int close_after;          /* shut down writing when done */
	volatile uint64_t written; /* progress, readable while it runs */
	int result;
	pthread_t thread;
};
void t_stream_write_start(struct t_stream *);
int t_stream_join(struct t_stream *);
int t_stream_read_check(int, uint64_t, uint64_t, int);

/* A test case whose tests each get a scratch directory and a daemon slot
 * that is killed and cleaned up after the test. */
TCase *t_tcase(const char *, struct dproc *, int);
void t_fixture_setup(void);
void t_fixture_teardown(void);

/* Running a suite. */
int t_run_suite(Suite *);

#endif

/* SPDX-License-Identifier: MIT */
/* helpers.c: shared fixtures for the end-to-end suites: the daemon as a child, sockets, fake peers. */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

#ifndef DSROUTERD_PATH
#define DSROUTERD_PATH "../src/dsrouterd"
#endif

static char t_dir[256];
static int t_nlogs;

/* DSR_VALGRIND: -1 not looked at yet, 0 off, 1 on, 2 asked for but absent. */
static int t_vg_state = -1;
static char t_vg_path[4096];

/* Read DSR_VALGRIND once, and find valgrind on PATH when it is set. */
static void
t_valgrind_init(void)
{
	const char *v = getenv("DSR_VALGRIND"), *path = getenv("PATH");
	char *copy, *dir, *save = NULL;

	if (t_vg_state != -1)
		return;
	t_vg_state = 0;
	if (v == NULL || *v == '\0' || strcmp(v, "0") == 0)
		return;
	t_vg_state = 2;
	if ((copy = strdup(path != NULL ? path : "/usr/bin:/bin")) == NULL)
		abort();
	for (dir = strtok_r(copy, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		snprintf(t_vg_path, sizeof t_vg_path, "%s/valgrind", dir);
		if (access(t_vg_path, X_OK) == 0) {
			t_vg_state = 1;
			break;
		}
	}
	free(copy);
}

/* Whether the daemon runs under valgrind (DSR_VALGRIND=1, valgrind found). */
int
t_valgrind(void)
{
	t_valgrind_init();
	return t_vg_state == 1;
}

/* A wait in milliseconds, T_VALGRIND_SCALE times as long under valgrind. */
int
t_ms(int ms)
{
	return t_valgrind() ? ms * T_VALGRIND_SCALE : ms;
}

/* The test's scratch directory, made on first use. */
const char *
t_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (t_dir[0] != '\0')
		return t_dir;
	snprintf(t_dir, sizeof t_dir, "%s/dsr-test-XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(t_dir) == NULL)
		ck_abort_msg("mkdtemp: %s", strerror(errno));
	return t_dir;
}

/* A path inside the scratch directory (a new string). */
char *
t_path(const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", t_tmpdir(), name) < 0)
		abort();
	return p;
}

static int
t_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove the scratch directory (DSR_KEEP=1 keeps it, and says where). */
void
t_tmpdir_cleanup(void)
{
	const char *keep = getenv("DSR_KEEP");

	if (t_dir[0] == '\0')
		return;
	if (keep != NULL && strcmp(keep, "1") == 0) {
		fprintf(stderr, "kept %s\n", t_dir);
		t_dir[0] = '\0';
		return;
	}
	nftw(t_dir, t_rm, 16, FTW_DEPTH | FTW_PHYS);
	t_dir[0] = '\0';
}

/* Read the daemon's log so far (a new string). */
char *
dproc_log(struct dproc *dp)
{
	FILE *f;
	char *buf;
	long n;

	if ((f = fopen(dp->logpath, "r")) == NULL)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

/* Count occurrences of a string in the daemon's log. */
int
dproc_log_count(struct dproc *dp, const char *needle)
{
	char *log = dproc_log(dp), *p = log;
	int n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	free(log);
	return n;
}

/*
 * Under valgrind, a daemon that exited with T_VALGRIND_STATUS had memory
 * errors or leaks: print valgrind's log (the scratch directory holding it
 * goes with the test) and fail the test.
 */
static void
dproc_check_valgrind(struct dproc *dp)
{
	char buf[4096];
	size_t n;
	FILE *f;

	if (!t_valgrind() || dp->status != T_VALGRIND_STATUS)
		return;
	fprintf(stderr, "==== valgrind: dsrouterd pid %ld, %s ====\n",
	    (long)dp->pid, dp->vglog);
	if ((f = fopen(dp->vglog, "r")) != NULL) {
		while ((n = fread(buf, 1, sizeof buf, f)) > 0)
			fwrite(buf, 1, n, stderr);
		fclose(f);
	}
	fprintf(stderr, "==== end of %s ====\n", dp->vglog);
	ck_abort_msg("dsrouterd exited %d under valgrind: memory errors or "
	    "leaks, see %s (printed above)", dp->status, dp->vglog);
}

/* Reap the child if it exited. */
static int
dproc_reap(struct dproc *dp)
{
	int st;

	if (dp->exited)
		return 1;
	if (waitpid(dp->pid, &st, WNOHANG) == dp->pid) {
		dp->exited = 1;
		dp->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		dproc_check_valgrind(dp);
		return 1;
	}
	return 0;
}

/*
 * Wait until the log holds a string; returns 1, or 0 on time-out or exit.
 * Under valgrind it waits at least T_TIMEOUT_MS (the time-out only bounds
 * a wait for what must come).
 */
int
dproc_wait_log(struct dproc *dp, const char *needle, int timeout_ms)
{
	long long end;
	char *log;
	int found, gone;

	if (t_valgrind() && timeout_ms < T_TIMEOUT_MS)
		timeout_ms = T_TIMEOUT_MS;
	end = dsrtest_now_ms() + timeout_ms;
	for (;;) {
		gone = dproc_reap(dp);
		log = dproc_log(dp);
		found = strstr(log, needle) != NULL;
		free(log);
		if (found)
			return 1;
		if (gone || dsrtest_now_ms() > end)
			return 0;
		dsrtest_sleep_ms(5);
	}
}

/* Copy the word after each occurrence of a prefix into slots. */
static int
dproc_parse(const char *log, const char *prefix, char slots[][256], int max)
{
	const char *p = log;
	int n = 0;
	size_t len;

	while (n < max && (p = strstr(p, prefix)) != NULL) {
		p += strlen(prefix);
		len = strcspn(p, " \n");
		if (len >= 256)
			len = 255;
		memcpy(slots[n], p, len);
		slots[n][len] = '\0';
		n++;
	}
	return n;
}

/*
 * The command line that runs the daemon with args, NULL ended, into argv
 * (max entries): under valgrind, valgrind's with its log (dp->vglog) beside
 * dp->logpath, which must be set. Returns the number of entries.
 */
int
dproc_argv(struct dproc *dp, const char *const *args, const char **argv,
    size_t max)
{
	static const char *const vg_opts[] = {
		"--quiet", "--leak-check=full",
		"--errors-for-leak-kinds=definite,indirect",
		"--error-exitcode=99",          /* T_VALGRIND_STATUS */
		"--track-fds=no", "--vgdb=no",
	};
	size_t n = 0, i;

	ck_assert_msg(dp->logpath[0] != '\0', "dproc_argv: no log path");
	if (t_valgrind()) {
		snprintf(dp->vglog, sizeof dp->vglog, "%s.valgrind",
		    dp->logpath);
		snprintf(dp->vgarg, sizeof dp->vgarg, "--log-file=%s",
		    dp->vglog);
		argv[n++] = t_vg_path;
		for (i = 0; i < sizeof vg_opts / sizeof vg_opts[0]; i++)
			argv[n++] = vg_opts[i];
		argv[n++] = dp->vgarg;
	}
	argv[n++] = DSROUTERD_PATH;
	for (i = 0; args[i] != NULL; i++) {
		ck_assert_msg(n + 1 < max, "dproc_argv: too many arguments");
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	return (int)n;
}

/*
 * Start dsrouterd with arguments, extra environment (NAME=VALUE, NULL
 * ended) and an optional descriptor limit; wait until it runs or exits.
 * Returns 0 when running, the exit status when it exited at once.
 */
int
dproc_start_env(struct dproc *dp, const char *const *args,
    const char *const *env, int nofile)
{
	const char *argv[80];
	struct rlimit rl;
	char *log;
	int i, fd;

	memset(dp, 0, sizeof *dp);
	snprintf(dp->logpath, sizeof dp->logpath, "%s/daemon-%d.log",
	    t_tmpdir(), t_nlogs++);
	dproc_argv(dp, args, argv, sizeof argv / sizeof argv[0]);

	dp->pid = fork();
	ck_assert_int_ne(dp->pid, -1);
	if (dp->pid == 0) {
		if ((fd = open(dp->logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)(uintptr_t)env[i]);
		if (nofile > 0) {
			rl.rlim_cur = rl.rlim_max = (rlim_t)nofile;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		execv(argv[0], (char **)(uintptr_t)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (!dproc_wait_log(dp, " route(s), pid ", T_TIMEOUT_MS)) {
		if (dproc_wait_exit(dp, T_TIMEOUT_MS) == 0)
			return dp->status;
		ck_abort_msg("dsrouterd did not start");
	}
	log = dproc_log(dp);
	dp->nrt = dproc_parse(log, "listening for runtimes on ", dp->rt_addr, 4);
	dp->ntool = dproc_parse(log, "listening for tools on ", dp->tool_addr, 4);
	free(log);
	return 0;
}

/* Start dsrouterd with arguments; see dproc_start_env. */
int
dproc_start(struct dproc *dp, const char *const *args)
{
	return dproc_start_env(dp, args, NULL, 0);
}

/* Wait for the child to exit; 0 when it did, -1 on time-out. */
int
dproc_wait_exit(struct dproc *dp, int timeout_ms)
{
	long long end = dsrtest_now_ms() + timeout_ms;

	while (!dproc_reap(dp)) {
		if (dsrtest_now_ms() > end)
			return -1;
		dsrtest_sleep_ms(5);
	}
	return 0;
}

/* Signal the daemon and wait; returns its exit status, or -1 if it hung. */
int
dproc_stop(struct dproc *dp, int sig, int timeout_ms)
{
	if (dp->pid <= 0)
		return -1;
	if (!dproc_reap(dp))
		kill(dp->pid, sig);
	if (dproc_wait_exit(dp, timeout_ms) != 0) {
		kill(dp->pid, SIGKILL);
		dproc_wait_exit(dp, 1000);
		return -1;
	}
	return dp->status;
}

/* The daemon's resident set size in KiB. */
long
dproc_rss_kb(struct dproc *dp)
{
	return dsrtest_proc_rss_kb(dp->pid);
}

/* The number of descriptors the daemon has open. */
int
dproc_nfds(struct dproc *dp)
{
	return dsrtest_proc_nfds(dp->pid);
}

/* Connect (blocking; 5 s to connect, and per write); the fd or -1. */
int
t_connect(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = dsrtest_sockaddr(addr, &ss);

	ck_assert_msg(len != 0, "bad address %s", addr);
	return dsrtest_connect_sa(&ss, len, 0, T_TIMEOUT_MS);
}

/* Listen on an address (port 0 allowed); the real address goes to out. */
int
t_listen(const char *addr, char *out, size_t outlen)
{
	int fd;

	fd = dsrtest_listen(addr, 64, 0, out, outlen);
	ck_assert_msg(fd != -1, "listen on %s: %s", addr, strerror(errno));
	return fd;
}

/* Connect a tool to a socket and send a ProcessInfo request. */
int
t_tool_processinfo(const char *sock)
{
	uint8_t req[DSRTEST_HEADER_SIZE];
	int fd;

	dsrtest_processinfo_request(req);
	fd = t_connect(sock);
	ck_assert_msg(fd != -1, "cannot connect to %s", sock);
	ck_assert_int_eq(t_write_all(fd, req, sizeof req), 0);
	return fd;
}

/* Expect an IPC Error with this HRESULT, then the router closing. */
void
t_expect_error(int fd, uint32_t hresult)
{
	uint8_t resp[DSRTEST_ERROR_SIZE];

	ck_assert_int_eq(t_read_exact(fd, resp, sizeof resp, T_TIMEOUT_MS), 0);
	ck_assert(t_is_error(resp));
	ck_assert_uint_eq(t_error_hresult(resp), hresult);
	ck_assert_int_eq(t_wait_eof(fd, T_TIMEOUT_MS), 0);
}

/* The fake runtime's loop: connect, advertise, serve one command, close, again. */
static void *
fake_rt_main(void *arg)
{
	struct fake_rt *rt = arg;
	uint8_t adv[DSRTEST_ADVERTISE_SIZE], hdr[65536], resp[128];
	long long end;
	size_t n, size;
	int fd;

	t_advertise(adv, rt->cookie, rt->pid);
	while (rt->served < rt->ncommands) {
		end = dsrtest_now_ms() + T_TIMEOUT_MS;
		while ((fd = t_connect(rt->addr)) == -1) {
			if (dsrtest_now_ms() > end) {
				snprintf(rt->why, sizeof rt->why, "cannot connect");
				rt->failed = 1;
				return NULL;
			}
			dsrtest_sleep_ms(5);
		}
		if (t_write_all(fd, adv, sizeof adv) != 0 ||
		    t_read_exact(fd, hdr, 20, 3 * T_TIMEOUT_MS) != 0) {
			snprintf(rt->why, sizeof rt->why, "no command after %d",
			    rt->served);
			rt->failed = 1;
			close(fd);
			return NULL;
		}
		size = dsrtest_get_u16(hdr + 14);
		if (memcmp(hdr, dsrtest_ipc_magic,
		    sizeof dsrtest_ipc_magic) != 0 || size < 20 ||
		    (size > 20 && t_read_exact(fd, hdr + 20, size - 20,
		    T_TIMEOUT_MS) != 0)) {
			snprintf(rt->why, sizeof rt->why, "bad command");
			rt->failed = 1;
			close(fd);
			return NULL;
		}
		n = t_processinfo_response(resp, rt->pid, rt->cookie);
		t_write_all(fd, resp, n);
		close(fd);
		rt->served++;
	}
	return NULL;
}

/* Start a fake connect-mode runtime in a thread. */
void
fake_rt_start(struct fake_rt *rt)
{
	rt->served = rt->failed = 0;
	ck_assert_int_eq(pthread_create(&rt->thread, NULL, fake_rt_main, rt), 0);
}

/* Wait for the fake runtime; returns commands served or -1 on failure. */
int
fake_rt_join(struct fake_rt *rt)
{
	pthread_join(rt->thread, NULL);
	return rt->failed ? -1 : rt->served;
}

/* Deterministic bytes for offset..offset+n of the stream with this seed. */
uint64_t
t_fill(uint8_t *buf, size_t n, uint64_t seed)
{
	/* seed carries the stream position: high bits seed, low bits offset. */
	uint64_t pos = seed, z;
	size_t i;

	for (i = 0; i < n; i++, pos++) {
		z = (pos >> 3) * 0x9E3779B97F4A7C15ull;
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
		z ^= z >> 27;
		buf[i] = (uint8_t)(z >> (8 * (pos & 7)));
	}
	return pos;
}

/* Writer thread: send the stream, then half-close if asked. */
static void *
t_stream_main(void *arg)
{
	struct t_stream *s = arg;
	uint8_t *buf = malloc(s->chunk);
	uint64_t pos = s->seed, left = s->bytes;
	size_t n;

	s->result = 0;
	while (left > 0) {
		n = left < s->chunk ? (size_t)left : s->chunk;
		pos = t_fill(buf, n, pos);
		if (t_write_all(s->fd, buf, n) != 0) {
			s->result = -1;
			break;
		}
		left -= n;
		s->written += n;
	}
	if (s->close_after)
		shutdown(s->fd, SHUT_WR);
	free(buf);
	return NULL;
}

/* Start writing a stream in a thread. */
void
t_stream_write_start(struct t_stream *s)
{
	if (s->chunk == 0)
		s->chunk = 65536;
	ck_assert_int_eq(pthread_create(&s->thread, NULL, t_stream_main, s), 0);
}

/* Wait for the writer; 0 when it wrote everything. */
int
t_stream_join(struct t_stream *s)
{
	pthread_join(s->thread, NULL);
	return s->result;
}

/* Read a stream and compare every byte, then expect EOF; 0 or -1. */
int
t_stream_read_check(int fd, uint64_t bytes, uint64_t seed, int timeout_ms)
{
	uint8_t buf[65536], want[65536];
	uint64_t pos = seed, got = 0;
	int n;

	while (got < bytes) {
		n = t_read_some(fd, buf, sizeof buf, timeout_ms);
		if (n <= 0)
			return -1;
		pos = t_fill(want, (size_t)n, pos);
		if (memcmp(buf, want, (size_t)n) != 0)
			return -1;
		got += (uint64_t)n;
	}
	return t_wait_eof(fd, timeout_ms);
}

static struct dproc *t_fixture_dp;

/* Before each test: an empty daemon slot and a scratch directory. */
void
t_fixture_setup(void)
{
	memset(t_fixture_dp, 0, sizeof *t_fixture_dp);
	t_tmpdir();
}

/*
 * After each test: kill the daemon if it still runs; remove the scratch.
 * Under valgrind it is stopped with SIGTERM instead, so that valgrind
 * checks it for leaks on the way out (a leak fails the test).
 */
void
t_fixture_teardown(void)
{
	struct dproc *dp = t_fixture_dp;

	if (dp->pid > 0 && t_valgrind() && !dp->exited &&
	    dproc_stop(dp, SIGTERM, T_TIMEOUT_MS) == -1)
		fprintf(stderr, "dsrouterd pid %ld did not stop on SIGTERM "
		    "under valgrind: killed\n", (long)dp->pid);
	if (dp->pid > 0)
		dproc_stop(dp, SIGKILL, 2000);
	t_tmpdir_cleanup();
}

/*
 * A test case using the fixture above for dp, with a time-out in seconds
 * (scaled under valgrind).
 */
TCase *
t_tcase(const char *name, struct dproc *dp, int timeout)
{
	TCase *tc = tcase_create(name);

	t_fixture_dp = dp;
	tcase_add_checked_fixture(tc, t_fixture_setup, t_fixture_teardown);
	tcase_set_timeout(tc, t_valgrind() ? timeout * T_VALGRIND_SCALE :
	    timeout);
	return tc;
}

/*
 * Run a suite; returns the exit status for the test harness. Asked to run
 * the daemon under valgrind without one installed, it is skipped (77).
 */
int
t_run_suite(Suite *s)
{
	SRunner *sr;
	int failed;

	t_valgrind_init();
	if (t_vg_state == 2) {
		printf("SKIP: DSR_VALGRIND is set but there is no valgrind on "
		    "PATH (apt-get install valgrind)\n");
		srunner_free(srunner_create(s));
		return 77;
	}
	if (t_vg_state == 1)
		printf("dsrouterd runs under %s (DSR_VALGRIND); waits x%d\n",
		    t_vg_path, T_VALGRIND_SCALE);
	fflush(stdout);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

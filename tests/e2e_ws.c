/* SPDX-License-Identifier: MIT */
/*
 * e2e_ws.c: WebSocket runtimes end to end. wsserver runs in an event loop
 * of the test's own (a thread), behind a TCP listener on 127.0.0.1, port
 * 0; the test plays the route and a tool on the socketpair ends that
 * ready() hands over. On the other side are real WebSocket clients:
 *
 *  - a raw client written here, for what a browser never sends: hostile
 *    upgrade requests, fragmentation byte by byte, frames coalesced,
 *    pings, text and unmasked frames, oversized messages, back-pressure;
 *  - Node's own WebSocket (undici) running tests/ws-runtime.mjs as a
 *    connect-mode runtime;
 *  - headless Chromium running tests/ws-page.html (served by
 *    tests/ws-http.py), the same runtime over the browser's WebSocket:
 *    a real browser's handshake, masking and framing, and its Origin.
 *
 * Without node or chromium the tests that need them are left out and the
 * suite, if all else passed, ends SKIP with a line saying what to install.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "dsrouterd.h"
#include "ws.h"
#include "dsrtest.h"
#include "wsfind.h"

#define WAIT_MS 10000
#define STREAM_BYTES (64u * 1024 * 1024)
#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define KEY_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static char node_cmd[64];          /* "node" and maybe its flag; "" if none */
static char node_flag[64];
static char chromium_path[256];    /* "" if none */
static char tdir[256];             /* the test's scratch directory */
static int wait_factor = 1;        /* more under valgrind */

/* ---- the event loop, in a thread of its own ------------------------------ */

/* A call into the loop thread. */
struct call {
	void (*fn)(void *);
	void *arg;
	int done;
};

static struct loop {
	struct event_base *base;
	struct wsserver *srv;
	int lfd;
	struct event *lev;
	int ctl[2];
	struct event *ctlev;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int ready[256];            /* the route's ends, in order */
	size_t nready, taken;
	uint16_t port;
	int running;
} L = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* wsserver hands over the route's end of an upgraded connection. */
static void
ready_cb(int fd, void *arg)
{
	(void)arg;
	pthread_mutex_lock(&L.mu);
	if (L.nready < sizeof L.ready / sizeof L.ready[0])
		L.ready[L.nready++] = fd;
	else
		close(fd);
	pthread_cond_broadcast(&L.cv);
	pthread_mutex_unlock(&L.mu);
}

/* The listener: each connection goes to wsserver_accept. */
static void
accept_cb(evutil_socket_t lfd, short events, void *arg)
{
	int fd, one = 1;

	(void)events;
	(void)arg;
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	wsserver_accept(L.srv, fd);
}

/* A call from the test thread. */
static void
ctl_cb(evutil_socket_t fd, short events, void *arg)
{
	struct call *c;

	(void)events;
	(void)arg;
	if (read(fd, &c, sizeof c) != sizeof c)
		return;
	c->fn(c->arg);
	pthread_mutex_lock(&L.mu);
	c->done = 1;
	pthread_cond_broadcast(&L.cv);
	pthread_mutex_unlock(&L.mu);
}

static void *
loop_main(void *arg)
{
	(void)arg;
	event_base_loop(L.base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

/* Run fn(arg) in the loop thread and wait for it. */
static void
in_loop(void (*fn)(void *), void *arg)
{
	struct call c = { fn, arg, 0 }, *cp = &c;

	ck_assert_int_eq(write(L.ctl[1], &cp, sizeof cp), (int)sizeof cp);
	pthread_mutex_lock(&L.mu);
	while (!c.done)
		pthread_cond_wait(&L.cv, &L.mu);
	pthread_mutex_unlock(&L.mu);
}

/* Start a WebSocket server on 127.0.0.1, port 0, serving conf. */
static void
server_start(const struct ws_conf *conf)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	char *cause = NULL;
	int one = 1;

	L.base = event_base_new();
	ck_assert_ptr_nonnull(L.base);
	L.srv = wsserver_new(L.base, conf, ready_cb, NULL, &cause);
	ck_assert_msg(L.srv != NULL, "wsserver_new: %s", cause);
	L.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(L.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(L.lfd, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(listen(L.lfd, 128), 0);
	ck_assert_int_eq(getsockname(L.lfd, (struct sockaddr *)&sin, &len), 0);
	L.port = ntohs(sin.sin_port);
	L.lev = event_new(L.base, L.lfd, EV_READ | EV_PERSIST, accept_cb, NULL);
	event_add(L.lev, NULL);
	ck_assert_int_eq(pipe2(L.ctl, O_CLOEXEC), 0);
	L.ctlev = event_new(L.base, L.ctl[0], EV_READ | EV_PERSIST, ctl_cb, NULL);
	event_add(L.ctlev, NULL);
	L.nready = L.taken = 0;
	ck_assert_int_eq(pthread_create(&L.thread, NULL, loop_main, NULL), 0);
	L.running = 1;
}

static void
stop_fn(void *arg)
{
	(void)arg;
	wsserver_free(L.srv);
	L.srv = NULL;
	event_free(L.lev);
	close(L.lfd);
	event_base_loopbreak(L.base);
}

/* Stop the server (every bridge closed) and the loop. */
static void
server_stop(void)
{
	size_t i;

	if (!L.running)
		return;
	L.running = 0;
	in_loop(stop_fn, NULL);
	pthread_join(L.thread, NULL);
	event_free(L.ctlev);
	close(L.ctl[0]);
	close(L.ctl[1]);
	event_base_free(L.base);
	for (i = L.taken; i < L.nready; i++)
		close(L.ready[i]);
	L.nready = L.taken = 0;
}

/* The next route end handed over within ms, or -1. */
static int
take_ready(int ms)
{
	struct timespec ts;
	int fd = -1, rc = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms *= wait_factor;
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&L.mu);
	while (L.taken == L.nready && rc == 0)
		rc = pthread_cond_timedwait(&L.cv, &L.mu, &ts);
	if (L.taken < L.nready)
		fd = L.ready[L.taken++];
	pthread_mutex_unlock(&L.mu);
	return fd;
}

static void
stats_fn(void *arg)
{
	wsserver_stats(L.srv, arg);
}

/* The server's counters, read in the loop thread. */
static struct ws_stats
stats(void)
{
	struct ws_stats st;

	in_loop(stats_fn, &st);
	return st;
}

/* Wait until the number of live bridges (or upgrades in progress) is n. */
static int
wait_count(size_t n, int handshakes, int ms)
{
	long long end = dsrtest_now_ms() + ms * wait_factor;
	struct ws_stats st;

	for (;;) {
		st = stats();
		if ((handshakes ? st.handshakes : st.bridges) == n)
			break;
		if (dsrtest_now_ms() >= end)
			return 0;
		dsrtest_sleep_ms(10);
	}
	return 1;
}

/* Wait until the number of live bridges is n. */
static int
wait_bridges(size_t n, int ms)
{
	return wait_count(n, 0, ms);
}

/* ---- scratch directory, log, children ---------------------------------- */

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

/* Whether the daemon's log (our standard error) has a line with needle. */
static int
log_has(const char *needle)
{
	char *s = dsrtest_read_file(in_dir("log"));
	int found = strstr(s, needle) != NULL;

	free(s);
	return found;
}

static void
setup(void)
{
	int fd;

	snprintf(tdir, sizeof tdir, "/tmp/dsrouterd-e2e-ws.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	fd = open(in_dir("log"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log_open(LOG_LEVEL_DEBUG);
	signal(SIGPIPE, SIG_IGN);
}

static void
teardown(void)
{
	char cmd[600];

	server_stop();
	if (getenv("WS_KEEP") == NULL) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tdir);
		if (system(cmd) != 0)
			fprintf(stdout, "could not remove %s\n", tdir);
	}
}

/* A child process (node, chromium, the page's server) in a group of its own. */
struct child {
	pid_t pid;
	int out;                   /* its standard output, when captured */
	pthread_t reader;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char buf[65536];           /* what it printed, cut at the end */
	size_t len;
	int eof;
};

static void *
child_reader(void *arg)
{
	struct child *c = arg;
	char chunk[4096];
	ssize_t n;

	while ((n = read(c->out, chunk, sizeof chunk)) > 0) {
		pthread_mutex_lock(&c->mu);
		if (c->len + (size_t)n < sizeof c->buf) {
			memcpy(c->buf + c->len, chunk, (size_t)n);
			c->len += (size_t)n;
			c->buf[c->len] = '\0';
		}
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
	pthread_mutex_lock(&c->mu);
	c->eof = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Start argv; its standard error (and output unless captured) to logname. */
static void
child_start(struct child *c, const char **argv, const char *logname,
    int capture)
{
	int p[2] = { -1, -1 }, fd;

	memset(c, 0, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->out = -1;
	if (capture)
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	c->pid = fork();
	ck_assert_int_ge(c->pid, 0);
	if (c->pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(in_dir(logname), O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, STDERR_FILENO);
		dup2(capture ? p[1] : fd, STDOUT_FILENO);
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, STDIN_FILENO);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	setpgid(c->pid, c->pid);
	if (capture) {
		close(p[1]);
		c->out = p[0];
		ck_assert_int_eq(pthread_create(&c->reader, NULL, child_reader,
		    c), 0);
	}
}

/* Wait until the child printed needle; 1, or 0 after ms or its end. */
static int
child_wait(struct child *c, const char *needle, int ms)
{
	long long end = dsrtest_now_ms() + ms * wait_factor;
	int found;

	pthread_mutex_lock(&c->mu);
	while (!(found = strstr(c->buf, needle) != NULL) && !c->eof &&
	    dsrtest_now_ms() < end) {
		pthread_mutex_unlock(&c->mu);
		dsrtest_sleep_ms(10);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return found;
}

/* Stop a child and its whole group. */
static void
child_stop(struct child *c)
{
	if (c->pid <= 0)
		return;
	kill(-c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
	if (c->out >= 0) {
		pthread_join(c->reader, NULL);
		close(c->out);
		c->out = -1;
	}
}

/* ---- the route's side: advertise, ProcessInfo, a stream ----------------- */

/* The stream's byte at offset i: as tests/ws-runtime.mjs makes it. */
static uint8_t
pattern(uint64_t i)
{
	return (uint8_t)(((uint32_t)i * 0x9E3779B1u) >> 24);
}

/* Bytes that should be the pattern from offset pos (one assertion: Check's cost per call). */
static void
check_pattern(const uint8_t *p, size_t n, uint64_t pos)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != pattern(pos + i))
			ck_abort_msg("byte %llu is %u, not %u",
			    (unsigned long long)(pos + i), p[i],
			    pattern(pos + i));
	}
}

/* Ask ProcessInfo on a route end; the answer parsed; EOF after it. */
static void
processinfo(int fd, struct dsrtest_processinfo *pi)
{
	uint8_t req[64], ans[8192];
	size_t n = dsrtest_processinfo_request(req);
	uint16_t size;

	ck_assert_int_eq(dsrtest_write_all(fd, req, n, WAIT_MS), 0);
	ck_assert_int_eq(dsrtest_read_exact(fd, ans, DSRTEST_HEADER_SIZE,
	    WAIT_MS * wait_factor, NULL), 0);
	ck_assert_mem_eq(ans, dsrtest_ipc_magic, 14);
	size = dsrtest_get_u16(ans + 14);
	ck_assert_uint_ge(size, DSRTEST_HEADER_SIZE);
	ck_assert_uint_le(size, sizeof ans);
	ck_assert_int_eq(ans[16], 0xff);
	ck_assert_int_eq(ans[17], 0x00);
	ck_assert_int_eq(dsrtest_read_exact(fd, ans + DSRTEST_HEADER_SIZE,
	    size - DSRTEST_HEADER_SIZE, WAIT_MS * wait_factor, NULL), 0);
	ck_assert_int_eq(dsrtest_processinfo_parse(ans + DSRTEST_HEADER_SIZE,
	    size - DSRTEST_HEADER_SIZE, pi), 0);
	ck_assert_int_eq(dsrtest_wait_eof(fd, WAIT_MS * wait_factor), 0);
}

/*
 * The next connection of the runtime with this cookie and pid, its
 * advertise read. Connections of a runtime that was stopped (at most a
 * few: its idle one, ended) are closed and passed over.
 */
static int
take_runtime(const uint8_t *cookie, uint64_t pid, int ms)
{
	uint8_t got[DSRTEST_COOKIE_SIZE];
	uint64_t gotpid;
	int fd, skipped;

	for (skipped = 0; skipped < 4; skipped++) {
		fd = take_ready(ms);
		ck_assert_msg(fd >= 0, "no connection of the runtime came");
		if (dsrtest_read_exact(fd, got, 1, WAIT_MS * wait_factor,
		    NULL) != 0) {
			close(fd);              /* ended before advertising */
			continue;
		}
		ck_assert_uint_eq(got[0], dsrtest_adv_magic[0]);
		ck_assert_int_eq(dsrtest_read_exact(fd, got + 1, 7,
		    WAIT_MS * wait_factor, NULL), 0);
		ck_assert_mem_eq(got, dsrtest_adv_magic, 8);
		ck_assert_int_eq(dsrtest_read_exact(fd, got, DSRTEST_COOKIE_SIZE,
		    WAIT_MS * wait_factor, NULL), 0);
		if (memcmp(got, cookie, DSRTEST_COOKIE_SIZE) != 0) {
			close(fd);              /* the old runtime's */
			continue;
		}
		ck_assert_int_eq(dsrtest_read_exact(fd, got, 10,
		    WAIT_MS * wait_factor, NULL), 0);
		gotpid = dsrtest_get_u64(got);
		ck_assert_uint_eq(gotpid, pid);
		return fd;
	}
	ck_abort_msg("connections of another runtime kept coming");
	return -1;
}

/* Serve n ProcessInfo on n connections of a runtime with this cookie and pid. */
static void
processinfo_times(int n, const uint8_t *cookie, uint64_t pid)
{
	struct dsrtest_processinfo pi;
	int i, fd;

	for (i = 0; i < n; i++) {
		fd = take_runtime(cookie, pid, i == 0 ? 30000 : WAIT_MS);
		processinfo(fd, &pi);
		ck_assert_uint_eq(pi.pid, pid);
		ck_assert_mem_eq(pi.cookie, cookie, DSRTEST_COOKIE_SIZE);
		close(fd);
	}
}

/* CollectTracing on a route end: the OK, then len bytes of the pattern, then EOF. */
static void
collect_stream(int fd, uint64_t len)
{
	static uint8_t buf[256 * 1024];
	uint8_t req[DSRTEST_HEADER_SIZE], ok[28];
	uint64_t pos = 0;
	long long end = dsrtest_now_ms() + 60000LL * wait_factor;
	ssize_t n, i;

	dsrtest_header(req, DSRTEST_HEADER_SIZE, 0x02, 0x02);
	ck_assert_int_eq(dsrtest_write_all(fd, req, sizeof req, WAIT_MS), 0);
	ck_assert_int_eq(dsrtest_read_exact(fd, ok, sizeof ok,
	    WAIT_MS * wait_factor, NULL), 0);
	ck_assert_int_eq(dsrtest_get_u16(ok + 14), 28);
	ck_assert_int_eq(ok[16], 0xff);
	ck_assert_int_eq(ok[17], 0x00);
	for (;;) {
		n = dsrtest_read_some(fd, buf, sizeof buf,
		    (int)(end - dsrtest_now_ms()));
		ck_assert_msg(n >= 0, "stream stalled at %llu of %llu bytes",
		    (unsigned long long)pos, (unsigned long long)len);
		if (n == 0)
			break;
		for (i = 0; i < n; i++) {
			if (buf[i] != pattern(pos + (uint64_t)i))
				ck_abort_msg("stream byte %llu is %u, not %u",
				    (unsigned long long)(pos + (uint64_t)i),
				    buf[i], pattern(pos + (uint64_t)i));
		}
		pos += (uint64_t)n;
	}
	ck_assert_uint_eq(pos, len);
}

/* ---- a raw WebSocket client --------------------------------------------- */

/* Connect to the server. */
static int
raw_connect(void)
{
	char addr[32];
	int fd;

	snprintf(addr, sizeof addr, "127.0.0.1:%u", L.port);
	fd = dsrtest_connect(addr, 0, WAIT_MS);
	ck_assert_int_ge(fd, 0);
	return fd;
}

/* Send a request, read the answer whole (up to EOF): returns it, NUL-ended. */
static char *
raw_exchange(const char *req, size_t len)
{
	static char ans[4096];
	size_t n = 0;
	ssize_t r;
	int fd = raw_connect();

	if (len > 0)
		ck_assert_int_eq(dsrtest_write_all(fd, req, len, WAIT_MS), 0);
	for (;;) {
		r = dsrtest_read_some(fd, ans + n, sizeof ans - 1 - n,
		    WAIT_MS * wait_factor);
		ck_assert_msg(r >= 0, "no EOF after the answer");
		if (r == 0)
			break;
		n += (size_t)r;
	}
	ans[n] = '\0';
	close(fd);
	return ans;
}

/* Upgrade a raw connection (extra: more header lines); leftover bytes are not expected. */
static int
raw_upgrade(const char *extra)
{
	char req[1024], ans[512];
	size_t n = 0;
	int fd = raw_connect();

	snprintf(req, sizeof req, "GET /diagnostics HTTP/1.1\r\nHost: x\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " KEY "\r\n"
	    "%s\r\n", extra != NULL ? extra : "");
	ck_assert_int_eq(dsrtest_write_all(fd, req, strlen(req), WAIT_MS), 0);
	/* Byte by byte: nothing past the answer is taken. */
	while (n < 4 || memcmp(ans + n - 4, "\r\n\r\n", 4) != 0) {
		ck_assert_uint_lt(n, sizeof ans - 1);
		ck_assert_int_eq(dsrtest_read_exact(fd, ans + n, 1,
		    WAIT_MS * wait_factor, NULL), 0);
		n++;
	}
	ans[n] = '\0';
	ck_assert_msg(strncmp(ans, "HTTP/1.1 101 ", 13) == 0, "%s", ans);
	ck_assert_ptr_nonnull(strstr(ans, "Sec-WebSocket-Accept: " KEY_ACCEPT
	    "\r\n"));
	return fd;
}

/* Build a client frame (masked unless told) into out; its length. */
static size_t
frame(uint8_t *out, int fin, uint8_t op, const uint8_t *p, size_t len,
    int masked)
{
	static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };
	size_t h = 2, i;

	out[0] = (uint8_t)((fin ? 0x80 : 0) | op);
	if (len < 126)
		out[1] = (uint8_t)len;
	else if (len < 65536) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		h = 4;
	} else {
		out[1] = 127;
		for (i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
		h = 10;
	}
	if (masked) {
		out[1] |= 0x80;
		memcpy(out + h, key, 4);
		h += 4;
	}
	for (i = 0; i < len; i++)
		out[h + i] = masked ? (uint8_t)(p[i] ^ key[i % 4]) : p[i];
	return h + len;
}

/* Send one frame. */
static void
send_frame(int fd, int fin, uint8_t op, const void *p, size_t len)
{
	uint8_t *buf = xmalloc(len + 14);
	size_t n = frame(buf, fin, op, p, len, 1);

	ck_assert_int_eq(dsrtest_write_all(fd, buf, n, WAIT_MS), 0);
	free(buf);
}

/* Read one server frame: unmasked, its payload into p (at most cap). */
static size_t
read_frame(int fd, int *fin, uint8_t *op, uint8_t *p, size_t cap)
{
	uint8_t h[10];
	uint64_t len;
	int i, n;

	ck_assert_int_eq(dsrtest_read_exact(fd, h, 2, WAIT_MS * wait_factor,
	    NULL), 0);
	ck_assert_msg((h[1] & 0x80) == 0, "a masked frame from the server");
	ck_assert_msg((h[0] & 0x70) == 0, "RSV bits from the server");
	*fin = h[0] >> 7;
	*op = h[0] & 0x0f;
	len = h[1] & 0x7f;
	n = len == 126 ? 2 : len == 127 ? 8 : 0;
	if (n > 0) {
		ck_assert_int_eq(dsrtest_read_exact(fd, h + 2, (size_t)n,
		    WAIT_MS * wait_factor, NULL), 0);
		for (len = 0, i = 0; i < n; i++)
			len = len << 8 | h[2 + i];
	}
	ck_assert_uint_le(len, cap);
	ck_assert_int_eq(dsrtest_read_exact(fd, p, (size_t)len,
	    WAIT_MS * wait_factor, NULL), 0);
	return (size_t)len;
}

/* Read data frames until want bytes of binary payload came; pings and pongs checked. */
static void
read_binary(int fd, uint8_t *out, size_t want)
{
	static uint8_t p[1 << 17];
	size_t got = 0, n;
	uint8_t op;
	int fin;

	while (got < want) {
		n = read_frame(fd, &fin, &op, p, sizeof p);
		ck_assert_msg(op == 0x2 || op == 0x0, "opcode %u, not binary",
		    op);
		ck_assert_uint_le(got + n, want);
		memcpy(out + got, p, n);
		got += n;
	}
}

/* Read the server's close frame; its status code (1005 for none). */
static unsigned
read_close(int fd)
{
	uint8_t p[128];
	size_t n;
	uint8_t op;
	int fin;

	do
		n = read_frame(fd, &fin, &op, p, sizeof p);
	while (op == 0x2 || op == 0x0 || op == 0xa);
	ck_assert_int_eq(op, 0x8);
	return n >= 2 ? (unsigned)(p[0] << 8 | p[1]) : 1005;
}

/* A close frame of the client's. */
static void
send_close(int fd, unsigned code)
{
	uint8_t p[2] = { (uint8_t)(code >> 8), (uint8_t)code };

	send_frame(fd, 1, 0x8, p, sizeof p);
}

/* ---- tests: the upgrade ------------------------------------------------- */

static const struct ws_conf conf_test = {
	"/diagnostics", NULL, 0, 800, "ws-test",
};

#define HS "Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
	"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " KEY "\r\n"

static const struct {
	const char *req;
	const char *status;
} hostile[] = {
	{ "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "HTTP/1.1 400 " },
	{ "GET /diagnostics HTTP/1.1\n" HS "\r\n", "HTTP/1.1 400 " },
	{ "GET /diagnostics HTTP/1.1\r\n\0" HS "\r\n", "HTTP/1.1 400 " },
	{ "GET /other HTTP/1.1\r\n" HS "\r\n", "HTTP/1.1 404 " },
	{ "PUT /diagnostics HTTP/1.1\r\n" HS "\r\n", "HTTP/1.1 405 " },
	{ "GET /diagnostics HTTP/1.1\r\n" HS "Origin: http://evil.example\r\n"
	    "\r\n", "HTTP/1.1 403 " },
	{ "GET /diagnostics HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Version: 7\r\n\r\n",
	    "HTTP/1.1 426 " },
	{ "GET /diagnostics HTTP/1.1\r\n" HS "Content-Length: 3\r\n\r\nabc",
	    "HTTP/1.1 400 " },
	{ "GET /diagnostics HTTP/1.0\r\n" HS "\r\n", "HTTP/1.1 505 " },
};

START_TEST(test_hostile_upgrades)
{
	char *ans;
	size_t len = strlen(hostile[_i].req);

	if (_i == 2)
		len = 28 + strlen(HS) + 2;      /* with its NUL */
	else if (_i == 0)
		len = 11;
	server_start(&conf_test);
	ans = raw_exchange(hostile[_i].req, len);
	ck_assert_msg(strncmp(ans, hostile[_i].status,
	    strlen(hostile[_i].status)) == 0, "case %d: %s", _i, ans);
	ck_assert_ptr_nonnull(strstr(ans, "\r\nConnection: close\r\n"));
	/* Nothing reached a runtime's end. */
	ck_assert_int_eq(take_ready(200), -1);
	ck_assert_uint_eq(stats().refused, 1);
	ck_assert_uint_eq(stats().accepted, 0);
	ck_assert(log_has("refused a WebSocket connection from 127.0.0.1:"));
}
END_TEST

START_TEST(test_header_too_large)
{
	static char req[WS_MAX_HEADER + 1024];
	size_t n;
	char *ans;

	server_start(&conf_test);
	n = (size_t)snprintf(req, sizeof req, "GET /diagnostics HTTP/1.1\r\n"
	    HS "X-Big: ");
	memset(req + n, 'a', sizeof req - n);
	ans = raw_exchange(req, sizeof req);
	ck_assert_msg(strncmp(ans, "HTTP/1.1 431 Request Header Fields Too "
	    "Large\r\n", 46) == 0, "%s", ans);
	ck_assert_int_eq(take_ready(200), -1);
}
END_TEST

START_TEST(test_slow_request_times_out)
{
	long long t0;
	char *ans;

	server_start(&conf_test);               /* 800 ms for the request */
	t0 = dsrtest_now_ms();
	ans = raw_exchange("GET /diagnostics HTTP/1.1\r\nHost: x\r\n", 36);
	ck_assert_msg(strncmp(ans, "HTTP/1.1 408 ", 13) == 0, "%s", ans);
	ck_assert_int_ge(dsrtest_now_ms() - t0, 700);
	ck_assert_int_eq(take_ready(100), -1);
	/* A connection that sends nothing at all is closed too. */
	ans = raw_exchange(NULL, 0);
	ck_assert_msg(strncmp(ans, "HTTP/1.1 408 ", 13) == 0, "%s", ans);
	/* The refused client closed: nothing is left of it. */
	ck_assert(wait_count(0, 1, WAIT_MS));
}
END_TEST

START_TEST(test_too_many_upgrades_drop_the_oldest)
{
	int fds[WS_MAX_HANDSHAKES + 1], i;
	struct ws_conf c = conf_test;

	c.handshake_ms = 20000;
	server_start(&c);
	for (i = 0; i <= WS_MAX_HANDSHAKES; i++) {
		fds[i] = raw_connect();
		ck_assert_int_eq(dsrtest_write_all(fds[i], "GET", 3, WAIT_MS), 0);
	}
	/* The oldest is closed (with no answer), the newest still waits. */
	ck_assert_int_eq(dsrtest_wait_eof(fds[0], WAIT_MS), 0);
	ck_assert(dsrtest_quiet(fds[WS_MAX_HANDSHAKES], 300));
	ck_assert_uint_eq(stats().handshakes, WS_MAX_HANDSHAKES);
	ck_assert_uint_eq(stats().dropped, 1);
	for (i = 0; i <= WS_MAX_HANDSHAKES; i++)
		close(fds[i]);
}
END_TEST

/* ---- tests: frames, with the raw client --------------------------------- */

START_TEST(test_fragmented_and_coalesced)
{
	static uint8_t msg[300000], got[300000], wire[400000];
	uint8_t pong[16], op;
	size_t i, n = 0, off;
	int fd, rt, fin;

	server_start(&conf_test);
	fd = raw_upgrade(NULL);
	rt = take_ready(WAIT_MS);
	ck_assert_int_ge(rt, 0);
	for (i = 0; i < sizeof msg; i++)
		msg[i] = pattern(i);

	/* One message in 5 fragments with a ping among them, sent a byte at a time. */
	n += frame(wire + n, 0, 0x2, msg, 3, 1);
	n += frame(wire + n, 0, 0x0, msg + 3, 200, 1);
	n += frame(wire + n, 1, 0x9, (const uint8_t *)"ping!", 5, 1);
	n += frame(wire + n, 0, 0x0, msg + 203, 0, 1);
	n += frame(wire + n, 0, 0x0, msg + 203, 70000, 1);
	n += frame(wire + n, 1, 0x0, msg + 70203, 797, 1);
	for (i = 0; i < n; i += off) {
		off = i < 2000 ? 1 : 997;
		if (i + off > n)
			off = n - i;
		ck_assert_int_eq(dsrtest_write_all(fd, wire + i, off, WAIT_MS), 0);
	}
	ck_assert_int_eq(dsrtest_read_exact(rt, got, 71000,
	    WAIT_MS * wait_factor, NULL), 0);
	ck_assert_mem_eq(got, msg, 71000);
	ck_assert_uint_eq(read_frame(fd, &fin, &op, pong, sizeof pong), 5);
	ck_assert_int_eq(op, 0xa);
	ck_assert_mem_eq(pong, "ping!", 5);

	/* Many messages in one write, one of them empty. */
	n = 0;
	for (off = 71000; off < sizeof msg; off += 37 * (off % 13 + 1)) {
		size_t len = 37 * (off % 13 + 1);

		if (off + len > sizeof msg)
			len = sizeof msg - off;
		n += frame(wire + n, 1, 0x2, msg + off, len, 1);
		if (off % 7 == 0)
			n += frame(wire + n, 1, 0x2, msg, 0, 1);
	}
	ck_assert_int_eq(dsrtest_write_all(fd, wire, n, WAIT_MS), 0);
	ck_assert_int_eq(dsrtest_read_exact(rt, got, sizeof msg - 71000,
	    WAIT_MS * wait_factor, NULL), 0);
	ck_assert_mem_eq(got, msg + 71000, sizeof msg - 71000);

	/* The other way: writes of any size arrive as the same bytes. */
	for (off = 0; off < sizeof msg; off += n) {
		n = off % 3 == 0 ? 1 : 4096 * (off % 5) + 17;
		if (off + n > sizeof msg)
			n = sizeof msg - off;
		ck_assert_int_eq(dsrtest_write_all(rt, msg + off, n, WAIT_MS),
		    0);
	}
	read_binary(fd, got, sizeof msg);
	ck_assert_mem_eq(got, msg, sizeof msg);

	/* The runtime closes: the route's end reads EOF, the close is answered. */
	send_close(fd, 1000);
	ck_assert_int_eq(dsrtest_wait_eof(rt, WAIT_MS * wait_factor), 0);
	ck_assert_uint_eq(read_close(fd), 1000);
	ck_assert_int_eq(dsrtest_wait_eof(fd, WAIT_MS * wait_factor), 0);
	ck_assert(wait_bridges(0, WAIT_MS));
	close(fd);
	close(rt);
}
END_TEST

START_TEST(test_frames_with_the_upgrade)
{
	char req[512];
	uint8_t buf[64];
	size_t n;
	int fd, rt;

	/* A client that does not wait for the 101: its frames are kept. */
	server_start(&conf_test);
	fd = raw_connect();
	n = (size_t)snprintf(req, sizeof req, "GET /diagnostics HTTP/1.1\r\n"
	    HS "\r\n");
	n += frame((uint8_t *)req + n, 1, 0x2, (const uint8_t *)"ADVR", 4, 1);
	ck_assert_int_eq(dsrtest_write_all(fd, req, n, WAIT_MS), 0);
	rt = take_ready(WAIT_MS);
	ck_assert_int_ge(rt, 0);
	ck_assert_int_eq(dsrtest_read_exact(rt, buf, 4, WAIT_MS, NULL), 0);
	ck_assert_mem_eq(buf, "ADVR", 4);
	close(fd);
	ck_assert_int_eq(dsrtest_wait_eof(rt, WAIT_MS * wait_factor), 0);
	close(rt);
}
END_TEST

START_TEST(test_route_closes)
{
	uint8_t buf[16];
	int fd, rt;

	server_start(&conf_test);
	fd = raw_upgrade(NULL);
	rt = take_ready(WAIT_MS);
	ck_assert_int_ge(rt, 0);
	/* What the route wrote before closing comes first, then the close. */
	ck_assert_int_eq(dsrtest_write_all(rt, "bye", 3, WAIT_MS), 0);
	close(rt);
	read_binary(fd, buf, 3);
	ck_assert_mem_eq(buf, "bye", 3);
	ck_assert_uint_eq(read_close(fd), 1000);
	send_close(fd, 1000);
	ck_assert_int_eq(dsrtest_wait_eof(fd, WAIT_MS * wait_factor), 0);
	ck_assert(wait_bridges(0, WAIT_MS));
	close(fd);
}
END_TEST

START_TEST(test_route_half_close_keeps_the_websocket)
{
	uint8_t buf[16];
	long long t0;
	int fd, rt;

	server_start(&conf_test);
	fd = raw_upgrade(NULL);
	rt = take_ready(WAIT_MS);
	ck_assert_int_ge(rt, 0);
	/* A tool that shut its side after the command still gets the answer. */
	ck_assert_int_eq(dsrtest_write_all(rt, "cmd", 3, WAIT_MS), 0);
	shutdown(rt, SHUT_WR);
	read_binary(fd, buf, 3);
	ck_assert_mem_eq(buf, "cmd", 3);
	ck_assert(dsrtest_quiet(fd, 400));      /* no close frame */
	send_frame(fd, 1, 0x2, "answer", 6);
	ck_assert_int_eq(dsrtest_read_exact(rt, buf, 6, WAIT_MS, NULL), 0);
	ck_assert_mem_eq(buf, "answer", 6);
	/* Then the route closes its end for good: the close follows soon. */
	t0 = dsrtest_now_ms();
	close(rt);
	ck_assert_uint_eq(read_close(fd), 1000);
	ck_assert_int_lt(dsrtest_now_ms() - t0, 2000 * wait_factor);
	send_close(fd, 1000);
	ck_assert_int_eq(dsrtest_wait_eof(fd, WAIT_MS * wait_factor), 0);
	close(fd);
}
END_TEST

START_TEST(test_text_refused)
{
	uint8_t buf[16];
	int fd, rt;

	server_start(&conf_test);
	fd = raw_upgrade(NULL);
	rt = take_ready(WAIT_MS);
	ck_assert_int_ge(rt, 0);
	send_frame(fd, 1, 0x2, "ok", 2);
	send_frame(fd, 1, 0x1, "text", 4);
	send_frame(fd, 1, 0x2, "late", 4);
	ck_assert_uint_eq(read_close(fd), 1003);
	send_close(fd, 1003);
	/* The route got what came before the text, then EOF. */
	ck_assert_int_eq(dsrtest_read_exact(rt, buf, 2, WAIT_MS, NULL), 0);
	ck_assert_mem_eq(buf, "ok", 2);
	ck_assert_int_eq(dsrtest_read_some(rt, buf, sizeof buf,
	    WAIT_MS * wait_factor), 0);
	ck_assert_int_eq(dsrtest_wait_eof(fd, WAIT_MS * wait_factor), 0);
	close(fd);
	close(rt);
}
END_TEST

START_TEST(test_unmasked_refused)
{
	uint8_t wire[16], buf[4];
	size_t n;
	int fd, rt;

	server_start(&conf_test);
	fd = raw_upgrade(NULL);
	rt = take_ready(WAIT_MS);
	ck_assert_int_ge(rt, 0);
	n = frame(wire, 1, 0x2, (const uint8_t *)"abc", 3, 0);
	ck_assert_int_eq(dsrtest_write_all(fd, wire, n, WAIT_MS), 0);
	ck_assert_uint_eq(read_close(fd), 1002);
	ck_assert_int_eq(dsrtest_read_some(rt, buf, sizeof buf,
	    WAIT_MS * wait_factor), 0);
	close(fd);
	ck_assert(wait_bridges(0, WAIT_MS));
	close(rt);
}
END_TEST

START_TEST(test_message_too_big)
{
	static uint8_t p[1000];
	struct ws_conf c = conf_test;
	uint8_t buf[1024];
	int fd, rt;

	c.max_message = 1000;
	server_start(&c);
	fd = raw_upgrade(NULL);
	rt = take_ready(WAIT_MS);
	ck_assert_int_ge(rt, 0);
	memset(p, 'x', sizeof p);
	send_frame(fd, 1, 0x2, p, 1000);        /* at the limit: fine */
	ck_assert_int_eq(dsrtest_read_exact(rt, buf, 1000, WAIT_MS, NULL), 0);
	send_frame(fd, 0, 0x2, p, 600);
	send_frame(fd, 1, 0x0, p, 401);         /* 1001 in two fragments */
	ck_assert_uint_eq(read_close(fd), 1009);
	/* The first fragment was passed on; nothing of the second. */
	ck_assert_int_eq(dsrtest_read_exact(rt, buf, 600, WAIT_MS, NULL), 0);
	ck_assert_int_eq(dsrtest_read_some(rt, buf, sizeof buf,
	    WAIT_MS * wait_factor), 0);
	close(fd);
	close(rt);
}
END_TEST

START_TEST(test_close_handshake_times_out)
{
	int fd, rt;
	long long t0;

	server_start(&conf_test);
	fd = raw_upgrade(NULL);
	rt = take_ready(WAIT_MS);
	ck_assert_int_ge(rt, 0);
	/* The route closes; the client never answers the close frame. */
	close(rt);
	t0 = dsrtest_now_ms();
	ck_assert_uint_eq(read_close(fd), 1000);
	ck_assert_int_eq(dsrtest_wait_eof(fd, 6000 * wait_factor), 0);
	ck_assert_int_ge(dsrtest_now_ms() - t0, 2500);
	ck_assert(wait_bridges(0, WAIT_MS));
	close(fd);
}
END_TEST

/* A thread writing the pattern: as binary frames (ws) or plain bytes. */
struct writer {
	int fd;
	int ws;
	uint64_t total;
	uint64_t done;             /* payload bytes written whole (atomic) */
	int err;
	pthread_t thread;
};

static void *
writer_main(void *arg)
{
	static uint8_t chunk[65536], wire[65536 + 14];
	struct writer *w = arg;
	uint64_t pos = 0;
	size_t i, len, n;

	while (pos < w->total) {
		len = (size_t)(w->total - pos < 65000 ? w->total - pos : 65000);
		for (i = 0; i < len; i++)
			chunk[i] = pattern(pos + i);
		n = w->ws ? frame(wire, 1, 0x2, chunk, len, 1) : len;
		if (dsrtest_write_all(w->fd, w->ws ? wire : chunk, n,
		    60000 * wait_factor) != 0) {
			w->err = errno != 0 ? errno : EIO;
			break;
		}
		pos += len;
		__atomic_store_n(&w->done, pos, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

/* Start a writer; wait until it is held back, and say how much it wrote. */
static uint64_t
writer_held(struct writer *w, int fd, int ws, uint64_t total)
{
	uint64_t a, b;

	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->ws = ws;
	w->total = total;
	ck_assert_int_eq(pthread_create(&w->thread, NULL, writer_main, w), 0);
	b = 0;
	do {
		a = b;
		dsrtest_sleep_ms(500);
		b = __atomic_load_n(&w->done, __ATOMIC_SEQ_CST);
	} while (b != a && b < total);
	return b;
}

START_TEST(test_backpressure_bounded)
{
	static uint8_t got[1 << 17];
	uint64_t held, pos = 0, total = 32u * 1024 * 1024;
	struct writer w;
	size_t n;
	ssize_t r;
	uint8_t op;
	int fd, rt, fin, flags;

	server_start(&conf_test);
	fd = raw_upgrade(NULL);
	rt = take_ready(WAIT_MS);
	ck_assert_int_ge(rt, 0);

	/* The route does not read: the runtime is soon held back. */
	held = writer_held(&w, fd, 1, total);
	ck_assert_msg(held < total / 2, "%llu bytes taken with the route not "
	    "reading", (unsigned long long)held);
	/* Now it reads: everything arrives, in order. */
	while (pos < total) {
		r = dsrtest_read_some(rt, got, sizeof got, WAIT_MS * wait_factor);
		ck_assert_int_gt(r, 0);
		check_pattern(got, (size_t)r, pos);
		pos += (uint64_t)r;
	}
	pthread_join(w.thread, NULL);
	ck_assert_int_eq(w.err, 0);

	/* The other way: the runtime does not read, the route is held back. */
	flags = fcntl(rt, F_GETFL);
	fcntl(rt, F_SETFL, flags & ~O_NONBLOCK);
	held = writer_held(&w, rt, 0, total);
	ck_assert_msg(held < total / 2, "%llu bytes taken with the runtime "
	    "not reading", (unsigned long long)held);
	for (pos = 0; pos < total; pos += n) {
		n = read_frame(fd, &fin, &op, got, sizeof got);
		ck_assert_int_eq(op, 0x2);
		check_pattern(got, n, pos);
	}
	ck_assert_uint_eq(pos, total);
	pthread_join(w.thread, NULL);
	ck_assert_int_eq(w.err, 0);
	close(rt);
	close(fd);
}
END_TEST

/* ---- tests: Node's WebSocket as the runtime ----------------------------- */

/* The router's URL. */
static const char *
ws_url(void)
{
	static char url[64];

	snprintf(url, sizeof url, "ws://127.0.0.1:%u/diagnostics", L.port);
	return url;
}

/* Start tests/ws-runtime.mjs under node. */
static void
node_start(struct child *c, const uint8_t *cookie, uint64_t pid,
    uint64_t stream)
{
	char hex[33], spid[24], sstream[24];
	const char *argv[16];
	int i = 0;

	dsrtest_hex(cookie, DSRTEST_COOKIE_SIZE, hex);
	snprintf(spid, sizeof spid, "%llu", (unsigned long long)pid);
	snprintf(sstream, sizeof sstream, "%llu", (unsigned long long)stream);
	argv[i++] = node_cmd;
	if (node_flag[0] != '\0')
		argv[i++] = node_flag;
	argv[i++] = WS_TESTDIR "/ws-runtime.mjs";
	argv[i++] = "--url";
	argv[i++] = ws_url();
	argv[i++] = "--pid";
	argv[i++] = spid;
	argv[i++] = "--cookie";
	argv[i++] = hex;
	argv[i++] = "--stream";
	argv[i++] = sstream;
	argv[i++] = "--verbose";
	argv[i] = NULL;
	child_start(c, argv, "node.log", 0);
}

START_TEST(test_node_processinfo_twenty)
{
	uint8_t cookie[DSRTEST_COOKIE_SIZE];
	struct child node;

	server_start(&conf_test);
	dsrtest_cookie(cookie, 1);
	node_start(&node, cookie, 3141, 1024);
	processinfo_times(20, cookie, 3141);
	ck_assert_uint_ge(stats().accepted, 20);
	child_stop(&node);
}
END_TEST

START_TEST(test_node_stream_and_restart)
{
	uint8_t cookie[DSRTEST_COOKIE_SIZE];
	struct child node;
	int fd;

	server_start(&conf_test);
	dsrtest_cookie(cookie, 2);
	node_start(&node, cookie, 2718, STREAM_BYTES);
	fd = take_runtime(cookie, 2718, 30000);
	collect_stream(fd, STREAM_BYTES);
	close(fd);
	/* The runtime connected again during the stream. */
	processinfo_times(1, cookie, 2718);

	/* Restart: a new process, a new cookie. */
	child_stop(&node);
	dsrtest_cookie(cookie, 3);
	node_start(&node, cookie, 2719, 1024);
	/* The old runtime's idle connection is passed over. */
	processinfo_times(3, cookie, 2719);
	child_stop(&node);
}
END_TEST

/* ---- tests: headless Chromium as the runtime ---------------------------- */

/* Start the page's server on host; its port. */
static unsigned
page_server_start(struct child *c, const char *host)
{
	const char *argv[] = { "python3", WS_TESTDIR "/ws-http.py",
		WS_TESTDIR, host, NULL };
	unsigned port = 0;
	char *p;

	child_start(c, argv, "http.log", 1);
	ck_assert_msg(child_wait(c, "\n", 10000), "ws-http.py did not start");
	pthread_mutex_lock(&c->mu);
	p = strstr(c->buf, "PORT ");
	if (p != NULL)
		port = (unsigned)strtoul(p + 5, NULL, 10);
	pthread_mutex_unlock(&c->mu);
	ck_assert_uint_gt(port, 0);
	return port;
}

/* Start headless Chromium on the page (from origin_host) playing a runtime. */
static void
chromium_start(struct child *c, const char *origin_host, unsigned http_port,
    const uint8_t *cookie, uint64_t pid, uint64_t stream, const char *rules)
{
	char url[512], hex[33], profile[300], rule_arg[128];
	const char *argv[20];
	int i;

	dsrtest_hex(cookie, DSRTEST_COOKIE_SIZE, hex);
	snprintf(url, sizeof url, "http://%s:%u/ws-page.html?url=%s&pid=%llu"
	    "&cookie=%s&stream=%llu", origin_host, http_port, ws_url(),
	    (unsigned long long)pid, hex, (unsigned long long)stream);
	snprintf(profile, sizeof profile, "--user-data-dir=%s",
	    in_dir("profile"));
	snprintf(rule_arg, sizeof rule_arg, "--host-resolver-rules=%s",
	    rules != NULL ? rules : "");
	i = wsfind_chromium_args(argv, chromium_path, profile);
	if (rules != NULL)
		argv[i++] = rule_arg;
	argv[i++] = url;
	argv[i] = NULL;
	child_start(c, argv, "chromium.log", 0);
}

START_TEST(test_chromium_runtime)
{
	uint8_t cookie[DSRTEST_COOKIE_SIZE];
	struct child http, chrome;
	unsigned port;
	int fd;

	server_start(&conf_test);
	port = page_server_start(&http, "127.0.0.1");
	dsrtest_cookie(cookie, 10);
	chromium_start(&chrome, "127.0.0.1", port, cookie, 777, STREAM_BYTES,
	    NULL);
	ck_assert_msg(child_wait(&http, "LOG page loaded", 30000),
	    "the page did not load in Chromium: see chromium.log");

	/* ProcessInfo twenty times, each on a new connection. */
	processinfo_times(20, cookie, 777);

	/* A 64 MiB trace, byte-exact. */
	fd = take_runtime(cookie, 777, WAIT_MS);
	collect_stream(fd, STREAM_BYTES);
	close(fd);
	ck_assert(child_wait(&http, "bytes sent", WAIT_MS));

	/* The runtime restarts (a new page, a new cookie). */
	child_stop(&chrome);
	dsrtest_cookie(cookie, 11);
	chromium_start(&chrome, "127.0.0.1", port, cookie, 778, 1024, NULL);
	processinfo_times(2, cookie, 778);
	ck_assert(log_has("upgraded, Origin http://127.0.0.1:"));
	child_stop(&chrome);
	child_stop(&http);
}
END_TEST

START_TEST(test_chromium_foreign_origin)
{
	uint8_t cookie[DSRTEST_COOKIE_SIZE];
	struct child http, chrome;
	unsigned port;

	server_start(&conf_test);
	port = page_server_start(&http, "127.0.0.1");
	dsrtest_cookie(cookie, 12);
	/* A page of another site: a name that resolves to this machine. */
	chromium_start(&chrome, "evil.example", port, cookie, 666, 1024,
	    "MAP evil.example 127.0.0.1");
	ck_assert_msg(child_wait(&http, "LOG page loaded from "
	    "http://evil.example:", 30000), "the page did not load");
	ck_assert_msg(child_wait(&http, "(never open)", WAIT_MS),
	    "the page's WebSocket was not refused");
	ck_assert_int_eq(take_ready(300), -1);
	ck_assert_uint_ge(stats().refused, 1);
	ck_assert_uint_eq(stats().accepted, 0);
	ck_assert(log_has("403 Forbidden: Origin not allowed"));
	ck_assert(log_has("Origin http://evil.example:"));
	child_stop(&chrome);
	child_stop(&http);
}
END_TEST

/* ---- the suite ---------------------------------------------------------- */

static TCase *
tcase(const char *name, int timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, timeout * wait_factor);
	return tc;
}

static Suite *
ws_e2e_suite(int node, int chromium)
{
	Suite *s = suite_create("e2e_ws");
	TCase *tc;

	tc = tcase("upgrade", 20);
	tcase_add_loop_test(tc, test_hostile_upgrades, 0,
	    (int)(sizeof hostile / sizeof hostile[0]));
	tcase_add_test(tc, test_header_too_large);
	tcase_add_test(tc, test_slow_request_times_out);
	tcase_add_test(tc, test_too_many_upgrades_drop_the_oldest);
	suite_add_tcase(s, tc);

	tc = tcase("frames", 30);
	tcase_add_test(tc, test_fragmented_and_coalesced);
	tcase_add_test(tc, test_frames_with_the_upgrade);
	tcase_add_test(tc, test_route_closes);
	tcase_add_test(tc, test_route_half_close_keeps_the_websocket);
	tcase_add_test(tc, test_text_refused);
	tcase_add_test(tc, test_unmasked_refused);
	tcase_add_test(tc, test_message_too_big);
	tcase_add_test(tc, test_close_handshake_times_out);
	tcase_add_test(tc, test_backpressure_bounded);
	suite_add_tcase(s, tc);

	if (node) {
		tc = tcase("node", 90);
		tcase_add_test(tc, test_node_processinfo_twenty);
		tcase_add_test(tc, test_node_stream_and_restart);
		suite_add_tcase(s, tc);
	}
	if (chromium) {
		tc = tcase("chromium", 180);
		tcase_add_test(tc, test_chromium_runtime);
		tcase_add_test(tc, test_chromium_foreign_origin);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed, node, chromium;

	if (getenv("DSR_VALGRIND") != NULL || getenv("WS_SLOW") != NULL)
		wait_factor = 10;
	node = wsfind_node(node_cmd, sizeof node_cmd, node_flag,
	    sizeof node_flag);
	chromium = wsfind_chromium(chromium_path, sizeof chromium_path);
	sr = srunner_create(ws_e2e_suite(node, chromium));
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed != 0)
		return EXIT_FAILURE;
	if (!node || !chromium) {
		printf("SKIP: the tests with real WebSocket clients need %s%s%s; "
		    "the others passed\n", node ? "" : "node 20 or later "
		    "(its WebSocket; Debian 12's nodejs 18 has none)",
		    !node && !chromium ? " and " : "", chromium ? "" :
		    "chromium (apt-get install chromium, or DSR_CHROMIUM=PATH)");
		return 77;
	}
	return EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
/*
 * e2e_wsroute.c: the real daemon with a browser app's WebSocket as its
 * runtime side (server-websocket, client-websocket), end to end. Tools are
 * played here over the Unix tool socket; the runtime is
 *
 *  - Node's own WebSocket running tests/ws-runtime.mjs (a connect-mode
 *    diagnostic server that advertises on every connection, serves one
 *    command, streams a trace of a known pattern);
 *  - the same runtime in a page of headless Chromium (tests/ws-page.html
 *    served by tests/ws-http.py): a real browser's handshake, framing and
 *    Origin;
 *  - a raw client written here for the hostile upgrade requests a browser
 *    never sends, and for the Origin rule without a browser.
 *
 * No real WebAssembly runtime can run here (no wasm workload): the page
 * plays it, speaking what the runtime's diagnostic server speaks.
 * Without node or chromium the tests that need them are left out and the
 * suite ends SKIP saying what to install, unless CI is set in the
 * environment: then their absence fails.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "wsfind.h"

#define STREAM_BYTES (64u * 1024 * 1024)
#define RAW_KEY "dGhlIHNhbXBsZSBub25jZQ=="

static struct dproc dp;
static char *toolsock, *ctlsock;
static char ws_url[128];           /* the daemon's, with its real port */
static unsigned ws_port;
static char node_cmd[16], node_flag[32];
static char chromium_path[256];

/* ---- the daemon -------------------------------------------------------- */

/* Start dsrouterd VERB with extra arguments (NULL ended); learn its URL. */
static void
start_router(const char *verb, const char *tool_opt, const char *tool,
    const char *const *extra)
{
	const char *args[40];
	char *log, *p;
	size_t n = 0, len;

	free(toolsock);
	free(ctlsock);
	toolsock = tool != NULL ? strdup(tool) : t_path("tool.sock");
	ctlsock = t_path("ctl.sock");
	args[n++] = verb;
	args[n++] = tool_opt;
	args[n++] = toolsock;
	args[n++] = "-ws";
	args[n++] = "ws://127.0.0.1:0/diagnostics";
	args[n++] = "--control-socket";
	args[n++] = ctlsock;
	args[n++] = "-v";
	args[n++] = "debug";
	while (extra != NULL && *extra != NULL)
		args[n++] = *extra++;
	args[n] = NULL;
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	log = dproc_log(&dp);
	p = strstr(log, "listening for browser runtimes on ");
	ck_assert_msg(p != NULL, "no WebSocket listener in the log:\n%s", log);
	p += strlen("listening for browser runtimes on ");
	len = strcspn(p, " \n");
	ck_assert_uint_lt(len, sizeof ws_url);
	memcpy(ws_url, p, len);
	ws_url[len] = '\0';
	ck_assert_int_eq(sscanf(ws_url, "ws://127.0.0.1:%u/", &ws_port), 1);
	ck_assert_uint_gt(ws_port, 0);
	free(log);
}

/* What 'dsrouterd status --json' says, in a buffer to free. */
static char *
status_json(void)
{
	char cmd[1024], *buf;
	size_t len = 0, n;
	FILE *f;

	snprintf(cmd, sizeof cmd, "timeout 10 %s status --json "
	    "--control-socket %s", DSROUTERD_PATH, ctlsock);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	buf = calloc(1, 65536);
	ck_assert_ptr_nonnull(buf);
	while ((n = fread(buf + len, 1, 65535 - len, f)) > 0)
		len += n;
	ck_assert_int_eq(pclose(f), 0);
	return buf;
}

/* Whether the status JSON has a fragment. */
static int
status_has(const char *fragment)
{
	char *s = status_json();
	int found = strstr(s, fragment) != NULL;

	if (!found)
		fprintf(stderr, "status has no %s: %s\n", fragment, s);
	free(s);
	return found;
}

/*
 * Stop the daemon with SIGTERM: it must exit 0 (under valgrind, with no
 * memory error or leak).
 */
static void
stop_router(void)
{
	ck_assert_int_eq(dproc_stop(&dp, SIGTERM, T_TIMEOUT_MS), 0);
}

/* ---- children: node, chromium, the page's server ----------------------- */

/* A child process in a group of its own; what it prints goes to a file. */
struct child {
	pid_t pid;
	char out[512];
};

/* Start argv with standard output and error to the scratch file logname. */
static void
child_start(struct child *c, const char *const *argv, const char *logname)
{
	char *path = t_path(logname);
	int fd;

	snprintf(c->out, sizeof c->out, "%s", path);
	free(path);
	c->pid = fork();
	ck_assert_int_ge(c->pid, 0);
	if (c->pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(c->out, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, STDIN_FILENO);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	setpgid(c->pid, c->pid);
}

/* Whether the child's output has needle, waiting up to ms for it. */
static int
child_wait(struct child *c, const char *needle, int ms)
{
	long long end = dsrtest_now_ms() + t_ms(ms);
	char buf[65536];
	ssize_t n;
	int fd;

	do {
		if ((fd = open(c->out, O_RDONLY)) >= 0) {
			n = read(fd, buf, sizeof buf - 1);
			close(fd);
			if (n > 0) {
				buf[n] = '\0';
				if (strstr(buf, needle) != NULL)
					return 1;
			}
		}
		dsrtest_sleep_ms(20);
	} while (dsrtest_now_ms() < end);
	return 0;
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
}

/* tests/ws-runtime.mjs under node, against the daemon's URL. */
static void
node_start(struct child *c, unsigned cookie_n, uint64_t pid, uint64_t stream,
    uint64_t chunk)
{
	char hex[33], spid[24], sstream[24], schunk[24];
	uint8_t cookie[DSRTEST_COOKIE_SIZE];
	const char *argv[20];
	int i = 0;

	t_cookie(cookie, cookie_n);
	dsrtest_hex(cookie, sizeof cookie, hex);
	snprintf(spid, sizeof spid, "%llu", (unsigned long long)pid);
	snprintf(sstream, sizeof sstream, "%llu", (unsigned long long)stream);
	snprintf(schunk, sizeof schunk, "%llu", (unsigned long long)chunk);
	argv[i++] = node_cmd;
	if (node_flag[0] != '\0')
		argv[i++] = node_flag;
	argv[i++] = WS_TESTDIR "/ws-runtime.mjs";
	argv[i++] = "--url";
	argv[i++] = ws_url;
	argv[i++] = "--pid";
	argv[i++] = spid;
	argv[i++] = "--cookie";
	argv[i++] = hex;
	argv[i++] = "--stream";
	argv[i++] = sstream;
	argv[i++] = "--chunk";
	argv[i++] = schunk;
	argv[i++] = "--verbose";
	argv[i] = NULL;
	child_start(c, argv, "node.log");
}

/* tests/ws-http.py on 127.0.0.1: the port it serves the page on. */
static unsigned
page_server_start(struct child *c)
{
	const char *argv[] = { "python3", "-u", WS_TESTDIR "/ws-http.py",
		WS_TESTDIR, "127.0.0.1", NULL };
	char buf[4096], *p;
	unsigned port = 0;
	ssize_t n;
	int fd;

	child_start(c, argv, "http.log");
	ck_assert_msg(child_wait(c, "PORT ", 10000), "ws-http.py did not start");
	fd = open(c->out, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	if ((p = strstr(buf, "PORT ")) != NULL)
		port = (unsigned)strtoul(p + 5, NULL, 10);
	ck_assert_uint_gt(port, 0);
	return port;
}

/*
 * Headless Chromium on the page, from origin_host (a name mapped to this
 * machine when it is not 127.0.0.1), playing a runtime.
 */
static void
chromium_start(struct child *c, const char *origin_host, unsigned http_port,
    unsigned cookie_n, uint64_t pid, uint64_t stream)
{
	char url[512], hex[33], profile[600], rules[128];
	uint8_t cookie[DSRTEST_COOKIE_SIZE];
	const char *argv[20];
	char *dir;
	int i;

	t_cookie(cookie, cookie_n);
	dsrtest_hex(cookie, sizeof cookie, hex);
	snprintf(url, sizeof url, "http://%s:%u/ws-page.html?url=%s&pid=%llu"
	    "&cookie=%s&stream=%llu&chunk=65536", origin_host, http_port, ws_url,
	    (unsigned long long)pid, hex, (unsigned long long)stream);
	dir = t_path("profile");
	snprintf(profile, sizeof profile, "--user-data-dir=%s", dir);
	free(dir);
	snprintf(rules, sizeof rules, "--host-resolver-rules=MAP %s 127.0.0.1",
	    origin_host);
	i = wsfind_chromium_args(argv, chromium_path, profile);
	if (strcmp(origin_host, "127.0.0.1") != 0)
		argv[i++] = rules;
	argv[i++] = url;
	argv[i] = NULL;
	child_start(c, argv, "chromium.log");
}

/* ---- a tool ------------------------------------------------------------ */

/* The stream's byte at offset i, as tests/ws-runtime.mjs makes it. */
static uint8_t
pattern(uint64_t i)
{
	return (uint8_t)(((uint32_t)i * 0x9E3779B1u) >> 24);
}

/* Read a whole answer frame on fd (header and payload); its size. */
static size_t
read_frame(int fd, uint8_t *buf, size_t cap, int ms)
{
	size_t size;

	ck_assert_int_eq(t_read_exact(fd, buf, DSRTEST_HEADER_SIZE, ms), 0);
	ck_assert_mem_eq(buf, dsrtest_ipc_magic, sizeof dsrtest_ipc_magic);
	size = dsrtest_get_u16(buf + 14);
	ck_assert_uint_ge(size, DSRTEST_HEADER_SIZE);
	ck_assert_uint_le(size, cap);
	ck_assert_int_eq(t_read_exact(fd, buf + DSRTEST_HEADER_SIZE,
	    size - DSRTEST_HEADER_SIZE, ms), 0);
	return size;
}

/* Check a ProcessInfo answer: the runtime's pid and cookie. */
static void
check_processinfo(const uint8_t *buf, size_t size, unsigned cookie_n,
    uint64_t pid)
{
	struct dsrtest_processinfo pi;
	uint8_t cookie[DSRTEST_COOKIE_SIZE];

	ck_assert_uint_eq(buf[16], 0xff);
	ck_assert_uint_eq(buf[17], 0x00);
	ck_assert_int_eq(dsrtest_processinfo_parse(buf + DSRTEST_HEADER_SIZE,
	    size - DSRTEST_HEADER_SIZE, &pi), 0);
	t_cookie(cookie, cookie_n);
	ck_assert_uint_eq(pi.pid, pid);
	ck_assert_mem_eq(pi.cookie, cookie, sizeof cookie);
}

/* A tool asks ProcessInfo n times, each on its own connection. */
static void
processinfo_times(int n, unsigned cookie_n, uint64_t pid, int first_ms)
{
	uint8_t buf[4096];
	size_t size;
	int i, fd;

	for (i = 0; i < n; i++) {
		fd = t_tool_processinfo(toolsock);
		size = read_frame(fd, buf, sizeof buf, i == 0 ? t_ms(first_ms) :
		    T_TIMEOUT_MS);
		check_processinfo(buf, size, cookie_n, pid);
		ck_assert_int_eq(t_wait_eof(fd, T_TIMEOUT_MS), 0);
		close(fd);
	}
}

/* A tool's CollectTracing: the OK with a session id, then len bytes, then EOF. */
static void
collect_stream(int fd, uint64_t len)
{
	uint8_t req[DSRTEST_HEADER_SIZE], buf[256 * 1024];
	uint64_t pos = 0;
	size_t size, i;
	ssize_t n;

	dsrtest_header(req, DSRTEST_HEADER_SIZE, 0x02, 0x02);
	ck_assert_int_eq(t_write_all(fd, req, sizeof req), 0);
	size = read_frame(fd, buf, sizeof buf, T_TIMEOUT_MS);
	ck_assert_uint_eq(size, 28);
	ck_assert_uint_eq(buf[16], 0xff);
	ck_assert_uint_eq(buf[17], 0x00);
	while (pos < len) {
		n = dsrtest_read_some(fd, buf, sizeof buf, T_TIMEOUT_MS);
		ck_assert_msg(n > 0, "the stream stopped at %llu of %llu bytes",
		    (unsigned long long)pos, (unsigned long long)len);
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] != pattern(pos + i))
				ck_abort_msg("byte %llu is %u, not %u",
				    (unsigned long long)(pos + i), buf[i],
				    pattern(pos + i));
		}
		pos += (uint64_t)n;
	}
	ck_assert_uint_eq(pos, len);
	ck_assert_int_eq(t_wait_eof(fd, T_TIMEOUT_MS), 0);
}

/* ---- a raw WebSocket client -------------------------------------------- */

/* Send an upgrade request as is; the HTTP status of the answer (0: none). */
static int
raw_request(const char *req, size_t len)
{
	char addr[64], buf[1024];
	int fd, status = 0;
	ssize_t n;

	snprintf(addr, sizeof addr, "127.0.0.1:%u", ws_port);
	fd = t_connect(addr);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(t_write_all(fd, req, len), 0);
	n = dsrtest_read_some(fd, buf, sizeof buf - 1, T_TIMEOUT_MS);
	if (n > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "HTTP/1.1 %d ", &status) != 1)
			status = 0;
	}
	close(fd);
	return status;
}

/* A well-formed upgrade request to path, with extra header lines. */
static int
raw_upgrade(const char *method, const char *path, const char *extra)
{
	char req[2048];
	int n;

	n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
	    RAW_KEY "\r\nSec-WebSocket-Version: 13\r\n%s\r\n", method, path,
	    ws_port, extra);
	return raw_request(req, (size_t)n);
}

/* Send one masked binary message, as a browser does. */
static void
raw_ws_send(int fd, const uint8_t *p, size_t len)
{
	static const uint8_t mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	uint8_t f[8 + 4096];
	size_t h = 2, i;

	ck_assert_uint_lt(len, 4096);
	f[0] = 0x82;
	if (len < 126) {
		f[1] = (uint8_t)(0x80 | len);
	} else {
		f[1] = 0x80 | 126;
		f[2] = (uint8_t)(len >> 8);
		f[3] = (uint8_t)len;
		h = 4;
	}
	memcpy(f + h, mask, 4);
	for (i = 0; i < len; i++)
		f[h + 4 + i] = p[i] ^ mask[i & 3];
	ck_assert_int_eq(t_write_all(fd, f, h + 4 + len), 0);
}

/* Read one binary message of at most 125 bytes from the router. */
static size_t
raw_ws_recv(int fd, uint8_t *buf, size_t cap)
{
	uint8_t h[2];
	size_t n;

	ck_assert_int_eq(t_read_exact(fd, h, 2, T_TIMEOUT_MS), 0);
	ck_assert_uint_eq(h[0], 0x82);
	n = h[1] & 0x7f;
	ck_assert_uint_lt(n, 126);
	ck_assert_uint_le(n, cap);
	ck_assert_int_eq(t_read_exact(fd, buf, n, T_TIMEOUT_MS), 0);
	return n;
}

/* A runtime of our own over a WebSocket: upgraded, its advertise sent. */
static int
raw_ws_runtime(unsigned cookie_n, uint64_t pid)
{
	uint8_t adv[DSRTEST_ADVERTISE_SIZE], cookie[DSRTEST_COOKIE_SIZE];
	char addr[64], req[512], buf[1024];
	size_t got = 0;
	ssize_t n;
	int fd, len;

	snprintf(addr, sizeof addr, "127.0.0.1:%u", ws_port);
	fd = t_connect(addr);
	ck_assert_int_ge(fd, 0);
	len = snprintf(req, sizeof req, "GET /diagnostics HTTP/1.1\r\nHost: "
	    "127.0.0.1:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " RAW_KEY "\r\nSec-WebSocket-Version: 13"
	    "\r\n\r\n", ws_port);
	ck_assert_int_eq(t_write_all(fd, req, (size_t)len), 0);
	/* The 101 and its headers, read byte by byte up to their end. */
	while (got < 4 || memcmp(buf + got - 4, "\r\n\r\n", 4) != 0) {
		ck_assert_uint_lt(got, sizeof buf - 1);
		n = dsrtest_read_some(fd, buf + got, 1, T_TIMEOUT_MS);
		ck_assert_int_eq(n, 1);
		got++;
	}
	ck_assert_mem_eq(buf, "HTTP/1.1 101 ", 13);
	t_cookie(cookie, cookie_n);
	t_advertise(adv, cookie, pid);
	raw_ws_send(fd, adv, sizeof adv);
	return fd;
}

/*
 * A runtime's WebSocket ends as a tool's command arrives (both while the
 * daemon is stopped, the WebSocket first): the bridge passes the end on in
 * that turn, and the tool must not be paired with the dead connection but
 * wait for the runtime's next one, which answers it.
 */
START_TEST(test_raw_ended_websocket_not_paired)
{
	uint8_t want[DSRTEST_HEADER_SIZE], got[128], resp[512], back[512];
	uint8_t cookie[DSRTEST_COOKIE_SIZE];
	int a, b, tool;
	size_t n;

	start_router("server-websocket", "-ipcs", NULL, NULL);
	a = raw_ws_runtime(7, 707);
	ck_assert(dproc_wait_log(&dp, "runtime pid 707 connected", T_TIMEOUT_MS));
	ck_assert_int_eq(kill(dp.pid, SIGSTOP), 0);
	close(a);
	tool = t_tool_processinfo(toolsock);
	ck_assert_int_eq(kill(dp.pid, SIGCONT), 0);
	b = raw_ws_runtime(7, 707);
	ck_assert_uint_eq(raw_ws_recv(b, got, sizeof got), DSRTEST_HEADER_SIZE);
	dsrtest_header(want, DSRTEST_HEADER_SIZE, 0x04, 0x00);
	ck_assert_mem_eq(got, want, DSRTEST_HEADER_SIZE);
	t_cookie(cookie, 7);
	n = t_processinfo_response(resp, 707, cookie);
	raw_ws_send(b, resp, n);
	ck_assert_int_eq(t_read_exact(tool, back, n, T_TIMEOUT_MS), 0);
	ck_assert_mem_eq(back, resp, n);
	close(tool);
	close(b);
	ck_assert(dproc_wait_log(&dp, "had ended (idle, not paired)",
	    T_TIMEOUT_MS));
	stop_router();
}
END_TEST

/* ---- tests: Node's WebSocket ------------------------------------------- */

START_TEST(test_node_processinfo_twenty)
{
	struct child node;

	start_router("server-websocket", "-ipcs", NULL, NULL);
	node_start(&node, 1, 3141, 1024, 0);
	processinfo_times(20, 1, 3141, 20000);
	ck_assert(dproc_wait_log(&dp, "runtime pid 3141 connected", 1000));
	ck_assert(status_has("\"websocket\":{\"url\":\"ws://127.0.0.1:"));
	ck_assert(status_has("\"refused\":0"));
	/* Stopped with the runtime's WebSocket open: freed all the same. */
	stop_router();
	child_stop(&node);
}
END_TEST

START_TEST(test_node_stream_and_restart)
{
	struct child node;
	int fd;

	start_router("server-websocket", "-ipcs", NULL, NULL);
	node_start(&node, 2, 2718, STREAM_BYTES, 65536);
	processinfo_times(1, 2, 2718, 20000);
	/* A 64 MiB trace, byte-exact, through the route's relay. */
	fd = t_connect(toolsock);
	ck_assert_int_ge(fd, 0);
	collect_stream(fd, STREAM_BYTES);
	close(fd);
	/* The runtime connected again during the stream: still served. */
	processinfo_times(2, 2, 2718, T_TIMEOUT_MS);

	/* Restart: a new process, a new cookie; the old one is passed over. */
	child_stop(&node);
	node_start(&node, 3, 2719, 1024, 0);
	ck_assert(dproc_wait_log(&dp, "runtime pid 2719 ", 20000));
	processinfo_times(3, 3, 2719, 20000);
	child_stop(&node);
	stop_router();
}
END_TEST

START_TEST(test_node_client_websocket)
{
	uint8_t adv[DSRTEST_ADVERTISE_SIZE], cookie[DSRTEST_COOKIE_SIZE];
	uint8_t req[DSRTEST_HEADER_SIZE], buf[4096];
	char *path = t_path("tool-listen.sock"), real[300];
	struct child node;
	size_t size;
	int lfd, fd, i;

	/* A tool started with --diagnostic-port PATH: it listens. */
	lfd = t_listen(path, real, sizeof real);
	start_router("client-websocket", "-ipcc", path, NULL);
	node_start(&node, 4, 5150, 1024, 0);
	t_cookie(cookie, 4);
	for (i = 0; i < 3; i++) {
		/* The router introduces the runtime with its own advertise. */
		fd = t_accept(lfd, t_ms(20000));
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(t_read_exact(fd, adv, sizeof adv, T_TIMEOUT_MS),
		    0);
		ck_assert_mem_eq(adv, dsrtest_adv_magic, sizeof dsrtest_adv_magic);
		ck_assert_mem_eq(adv + 8, cookie, sizeof cookie);
		ck_assert_uint_eq(dsrtest_get_u64(adv + 24), 5150);
		dsrtest_processinfo_request(req);
		ck_assert_int_eq(t_write_all(fd, req, sizeof req), 0);
		size = read_frame(fd, buf, sizeof buf, T_TIMEOUT_MS);
		check_processinfo(buf, size, 4, 5150);
		ck_assert_int_eq(t_wait_eof(fd, T_TIMEOUT_MS), 0);
		close(fd);
	}
	ck_assert(dproc_wait_log(&dp, "client-websocket: tools are reached at",
	    100));
	child_stop(&node);
	close(lfd);
	free(path);
	stop_router();
}
END_TEST

/* ---- tests: hostile upgrades, the Origin rule (a raw client) ----------- */

START_TEST(test_hostile_upgrades_never_reach_the_tool)
{
	static const char *const extra[] = { "--pair-timeout", "3", NULL };
	char big[10000], req[12000];
	struct child node;
	int tool, n;

	start_router("server-websocket", "-ipcs", NULL, extra);
	/* A tool waits for a runtime the whole time. */
	tool = t_tool_processinfo(toolsock);

	ck_assert_int_eq(raw_upgrade("GET", "/other", ""), 404);
	ck_assert_int_eq(raw_upgrade("POST", "/diagnostics", ""), 405);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: http://evil.example\r\n"), 403);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: http://localhost.evil.example\r\n"), 403);
	n = snprintf(req, sizeof req, "GET /diagnostics HTTP/1.1\r\nHost: x\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n");
	ck_assert_int_eq(raw_request(req, (size_t)n), 400);
	n = snprintf(req, sizeof req, "GET /diagnostics HTTP/1.1\r\nHost: x\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
	    RAW_KEY "\r\nSec-WebSocket-Version: 8\r\n\r\n");
	ck_assert_int_eq(raw_request(req, (size_t)n), 426);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	n = snprintf(req, sizeof req, "GET /diagnostics HTTP/1.1\r\nX-Big: %s"
	    "\r\n\r\n", big);
	ck_assert_int_eq(raw_request(req, (size_t)n), 431);
	/* A TLS ClientHello (wss:// against ws://), and an advertise as is. */
	ck_assert_int_eq(raw_request("\x16\x03\x01\x02\x00\x01\x00\x01\xfc"
	    "\x03\x03\r\n\r\n", 15), 400);
	ck_assert_int_eq(raw_request("ADVR_V1\0\r\n\r\n", 12), 400);

	/* Nothing of them reached the route: the tool is told no runtime came. */
	t_expect_error(tool, DSRTEST_E_NOT_YET_AVAILABLE);
	close(tool);
	ck_assert(status_has("\"upgraded\":0,\"refused\":9"));
	ck_assert(dproc_wait_log(&dp, "403 Forbidden: Origin not allowed", 100));

	/* A real runtime after them is served. */
	if (node_cmd[0] != '\0') {
		node_start(&node, 5, 6006, 1024, 0);
		processinfo_times(2, 5, 6006, 20000);
		child_stop(&node);
	}
	stop_router();
}
END_TEST

START_TEST(test_origins_listed)
{
	static const char *const extra[] = { "--allow-origins",
		"http://app.example:8080, https://other.example", NULL };

	start_router("server-websocket", "-ipcs", NULL, extra);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: http://app.example:8080\r\n"), 101);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics?x=1",
	    "Origin: HTTPS://OTHER.EXAMPLE\r\n"), 101);
	/* Listing origins replaces the localhost rule. */
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: http://localhost:8080\r\n"), 403);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: http://app.example:8081\r\n"), 403);
	/* No Origin: not a browser (Node, a test) is always let in. */
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics", ""), 101);
	ck_assert(status_has("\"origins\":[\"http://app.example:8080\","
	    "\"https://other.example\"]"));
	ck_assert(status_has("\"upgraded\":3,\"refused\":2"));
	stop_router();
}
END_TEST

START_TEST(test_origins_default_localhost)
{
	start_router("server-websocket", "-ipcs", NULL, NULL);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: http://localhost:5000\r\n"), 101);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: https://127.0.0.1\r\n"), 101);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: http://[::1]:8080\r\n"), 101);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: http://192.0.2.1\r\n"), 403);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: null\r\n"), 403);
	ck_assert(status_has("\"origins\":null"));
	stop_router();
}
END_TEST

/* -t on the command line and the help of the verbs, through the binary. */
START_TEST(test_test_config)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "%s server-websocket -t >/dev/null 2>&1",
	    DSROUTERD_PATH);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s server-websocket -ws wss://127.0.0.1/x -t "
	    "2>&1 | grep -q 'wss:// (TLS) is not supported'", DSROUTERD_PATH);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s help client-websocket | grep -q "
	    "'ws://127.0.0.1:8088/diagnostics'", DSROUTERD_PATH);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- tests: reload -------------------------------------------------------- */

/* Write the configuration file of the reload test. */
static void
write_conf(const char *path, const char *ws_sock, const char *tcp_sock,
    unsigned port, const char *ws_path, const char *origins)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "[dsrouterd]\nlog-level = debug\n\n[route ws]\n"
	    "ipc-server = %s\nweb-socket = ws://127.0.0.1:%u%s\n%s%s%s\n"
	    "[route tcp]\nipc-server = %s\ntcp-server = 127.0.0.1:0\n", ws_sock,
	    port, ws_path, origins != NULL ? "allow-origins = " : "",
	    origins != NULL ? origins : "", origins != NULL ? "\n" : "",
	    tcp_sock);
	ck_assert_int_eq(fclose(f), 0);
}

/* Read len bytes of the stream from offset pos, checking the pattern. */
static void
read_pattern(int fd, uint64_t pos, uint64_t len)
{
	static uint8_t buf[256 * 1024];
	uint64_t end = pos + len;
	size_t i;
	ssize_t n;

	while (pos < end) {
		n = dsrtest_read_some(fd, buf, (size_t)(end - pos < sizeof buf ?
		    end - pos : sizeof buf), T_TIMEOUT_MS);
		ck_assert_msg(n > 0, "the stream stopped at %llu",
		    (unsigned long long)pos);
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] != pattern(pos + i))
				ck_abort_msg("byte %llu differs",
				    (unsigned long long)(pos + i));
		}
		pos += (uint64_t)n;
	}
}

/*
 * A reload that changes the origins applies them in place; one that
 * changes the URL replaces the route. Neither cuts a session: a trace in
 * flight through the WebSocket goes on to its last byte, while the new
 * route serves the new URL on the same port.
 */
START_TEST(test_reload)
{
	char *conf = t_path("ws.conf"), *tcp_sock = t_path("tcp.sock");
	const char *args[] = { "-c", NULL, NULL };
	uint8_t req[DSRTEST_HEADER_SIZE], ok[28];
	struct child node;
	unsigned port;
	int lfd, fd;

	/* A port of our choosing: the URL stays the same across reloads. */
	lfd = dsrtest_listen("127.0.0.1:0", 1, 0, NULL, 0);
	ck_assert_int_ge(lfd, 0);
	port = (unsigned)dsrtest_local_port(lfd);
	close(lfd);
	free(toolsock);
	toolsock = t_path("ws.sock");
	write_conf(conf, toolsock, tcp_sock, port, "/diagnostics", NULL);
	args[1] = conf;
	ck_assert_int_eq(dproc_start(&dp, args), 0);
	snprintf(ws_url, sizeof ws_url, "ws://127.0.0.1:%u/diagnostics", port);
	ws_port = port;
	node_start(&node, 20, 2020, STREAM_BYTES, 65536);

	/* A trace starts; the tool reads 1 MiB and stops reading. */
	processinfo_times(1, 20, 2020, 20000);
	fd = t_connect(toolsock);
	ck_assert_int_ge(fd, 0);
	dsrtest_header(req, DSRTEST_HEADER_SIZE, 0x02, 0x02);
	ck_assert_int_eq(t_write_all(fd, req, sizeof req), 0);
	ck_assert_int_eq(t_read_exact(fd, ok, sizeof ok, T_TIMEOUT_MS), 0);
	read_pattern(fd, 0, 1u << 20);

	/* Origins: in place. */
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: http://app.example\r\n"), 403);
	write_conf(conf, toolsock, tcp_sock, port, "/diagnostics",
	    "http://app.example");
	kill(dp.pid, SIGHUP);
	ck_assert(dproc_wait_log(&dp, "1 route(s) kept, 0 started, 0 stopped, "
	    "1 updated in place, 0 failed", T_TIMEOUT_MS));
	ck_assert(dproc_wait_log(&dp, "WebSocket origins allowed now: "
	    "http://app.example", 100));
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: http://app.example\r\n"), 101);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics",
	    "Origin: http://localhost\r\n"), 403);

	/* Another path: the route is replaced, on the same port. */
	write_conf(conf, toolsock, tcp_sock, port, "/v2", "http://app.example");
	kill(dp.pid, SIGHUP);
	ck_assert(dproc_wait_log(&dp, "1 route(s) kept, 1 started, 1 stopped, "
	    "0 updated in place, 0 failed", T_TIMEOUT_MS));
	ck_assert(dproc_wait_log(&dp, "its 1 session(s) go on until they end",
	    100));
	ck_assert_int_eq(raw_upgrade("GET", "/v2", ""), 101);
	ck_assert_int_eq(raw_upgrade("GET", "/diagnostics", ""), 404);

	/* The trace through the retired route goes on to its last byte. */
	read_pattern(fd, 1u << 20, STREAM_BYTES - (1u << 20));
	ck_assert_int_eq(t_wait_eof(fd, T_TIMEOUT_MS), 0);
	close(fd);
	child_stop(&node);

	/* The runtime, pointed at the new URL, is served by the new route. */
	snprintf(ws_url, sizeof ws_url, "ws://127.0.0.1:%u/v2", port);
	node_start(&node, 21, 2121, 1024, 0);
	processinfo_times(3, 21, 2121, 20000);
	child_stop(&node);
	stop_router();
	free(conf);
	free(tcp_sock);
}
END_TEST

/* ---- tests: headless Chromium ------------------------------------------ */

START_TEST(test_chromium_runtime)
{
	struct child http, chrome;
	unsigned port;
	int fd;

	start_router("server-websocket", "-ipcs", NULL, NULL);
	port = page_server_start(&http);
	chromium_start(&chrome, "127.0.0.1", port, 10, 777, STREAM_BYTES);
	ck_assert_msg(child_wait(&http, "LOG page loaded", 30000),
	    "the page did not load in Chromium: see chromium.log");

	/* ProcessInfo twenty times, each on a new WebSocket. */
	processinfo_times(20, 10, 777, 20000);

	/* A 64 MiB trace, byte-exact. */
	fd = t_connect(toolsock);
	ck_assert_int_ge(fd, 0);
	collect_stream(fd, STREAM_BYTES);
	close(fd);

	/*
	 * The runtime restarts: a new page, a new cookie. Chromium's network
	 * process may outlive the browser's for a moment, the old page's idle
	 * WebSocket with it: a tool asking then is paired with it, as with
	 * any runtime that is dying. Ask once the new page has connected
	 * (which retires the old page's connections).
	 */
	child_stop(&chrome);
	chromium_start(&chrome, "127.0.0.1", port, 11, 778, 1024);
	ck_assert(dproc_wait_log(&dp, "runtime pid 778 ", 30000));
	processinfo_times(2, 11, 778, 30000);
	ck_assert(dproc_wait_log(&dp, "upgraded, Origin http://127.0.0.1:", 100));
	child_stop(&chrome);
	child_stop(&http);
	stop_router();
}
END_TEST

START_TEST(test_chromium_foreign_origin)
{
	static const char *const extra[] = { "--pair-timeout", "2", NULL };
	char list[128];
	const char *listed[] = { "--allow-origins", list, NULL };
	struct child http, chrome;
	unsigned port;
	int tool;

	start_router("server-websocket", "-ipcs", NULL, extra);
	port = page_server_start(&http);
	/* A page of another site: a name that resolves to this machine. */
	chromium_start(&chrome, "evil.example", port, 12, 666, 1024);
	ck_assert_msg(child_wait(&http, "LOG page loaded from "
	    "http://evil.example:", 30000), "the page did not load");
	ck_assert_msg(child_wait(&http, "(never open)", 10000),
	    "the page's WebSocket was not refused");
	tool = t_tool_processinfo(toolsock);
	t_expect_error(tool, DSRTEST_E_NOT_YET_AVAILABLE);
	close(tool);
	ck_assert(dproc_wait_log(&dp, "403 Forbidden: Origin not allowed", 100));
	ck_assert(status_has("\"upgraded\":0"));
	child_stop(&chrome);
	stop_router();

	/* Listed in allow-origins, the same page is served. */
	snprintf(list, sizeof list, "http://evil.example:%u", port);
	start_router("server-websocket", "-ipcs", NULL, listed);
	chromium_start(&chrome, "evil.example", port, 13, 667, 1024);
	processinfo_times(3, 13, 667, 30000);
	ck_assert(dproc_wait_log(&dp, "upgraded, Origin http://evil.example:",
	    100));
	child_stop(&chrome);
	child_stop(&http);
	stop_router();
}
END_TEST

/* ---- the suite --------------------------------------------------------- */

static Suite *
wsroute_suite(int node, int chromium)
{
	Suite *s = suite_create("e2e_wsroute");
	TCase *tc;

	tc = t_tcase("raw", &dp, 30);
	tcase_add_test(tc, test_hostile_upgrades_never_reach_the_tool);
	tcase_add_test(tc, test_origins_listed);
	tcase_add_test(tc, test_origins_default_localhost);
	tcase_add_test(tc, test_test_config);
	tcase_add_test(tc, test_raw_ended_websocket_not_paired);
	suite_add_tcase(s, tc);
	if (node) {
		tc = t_tcase("node", &dp, 120);
		tcase_add_test(tc, test_node_processinfo_twenty);
		tcase_add_test(tc, test_node_stream_and_restart);
		tcase_add_test(tc, test_node_client_websocket);
		tcase_add_test(tc, test_reload);
		suite_add_tcase(s, tc);
	}
	if (chromium) {
		tc = t_tcase("chromium", &dp, 180);
		tcase_add_test(tc, test_chromium_runtime);
		tcase_add_test(tc, test_chromium_foreign_origin);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	int rc, node, chromium, ci = getenv("CI") != NULL;

	signal(SIGPIPE, SIG_IGN);
	node = wsfind_node(node_cmd, sizeof node_cmd, node_flag,
	    sizeof node_flag);
	chromium = wsfind_chromium(chromium_path, sizeof chromium_path) &&
	    system("python3 -c '' >/dev/null 2>&1") == 0;
	if (ci && (!node || !chromium)) {
		printf("FAIL: CI is set and the tests with real WebSocket clients "
		    "cannot run: %s%s%s\n", node ? "" : "no node 20 or later",
		    !node && !chromium ? ", " : "", chromium ? "" :
		    "no chromium or python3");
		return 1;
	}
	rc = t_run_suite(wsroute_suite(node, chromium));
	if (rc != 0 || (node && chromium))
		return rc;
	printf("SKIP: the tests with real WebSocket clients need %s%s%s; the "
	    "others passed\n", node ? "" : "node 20 or later (its WebSocket; "
	    "Debian 12's nodejs 18 has none)", !node && !chromium ? " and " :
	    "", chromium ? "" : "chromium and python3 (apt-get install "
	    "chromium python3, or DSR_CHROMIUM=PATH)");
	return 77;
}

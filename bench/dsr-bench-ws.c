/* SPDX-License-Identifier: MIT */
/*
 * dsr-bench-ws.c: make bench's WebSocket row: a trace streamed by a
 * browser-style runtime (tests/ws-runtime.mjs under Node, its own
 * WebSocket) through dsrouterd server-websocket to a tool on the Unix
 * socket, beside its baseline at its best settings: the same Node runtime
 * streaming over plain TCP through dsrouterd server-server. Both runtimes
 * send the same 64 KiB messages of a pre-generated stream (--pregen), so
 * the difference is what the WebSocket transport costs (framing,
 * unmasking, the bridge's socketpair). Runs are interleaved; the table
 * gives the median, the spread and the CPU each process spent per GiB.
 *
 * usage: dsr-bench-ws --dsrouterd PATH --script ws-runtime.mjs
 *        [--mib N] [--runs N] [--quick] [--verify]
 * Without node 20 or later (its WebSocket), the row says so and the
 * program exits 0 (77 with --quick, the smoke run's skip).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#ifndef __linux__
int
main(void)
{
	fprintf(stderr, "dsr-bench-ws: needs Linux (/proc); skipped\n");
	return 77;
}
#else

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "dsrtest.h"

#define CHUNK 65536
#define READ_CHUNK (1024 * 1024)
#define MAX_RUNS 64
#define WAIT_MS 20000

/* One path: a router and the Node runtime that streams through it. */
struct wpath {
	const char *name;
	const char *verb;          /* server-websocket or server-server */
	int websocket;
	pid_t router, node;
	char sock[128], log[128], nlog[128];
	char where[128];           /* ws://... or HOST:PORT, from the log */
	double mibs[MAX_RUNS];
	unsigned n;
	unsigned long long router_ticks, node_ticks;
	double mib_total;
	int failed;
};

static struct {
	const char *dsrouterd, *script;
	unsigned mib, runs;
	int quick, verify;
} opt = { NULL, NULL, 256, 5, 0, 0 };

static char tmpdir[64];
static char node_flag[32];
static struct wpath paths[2] = {
	{ "dsrouterd server-websocket (Node WebSocket runtime)",
	    "server-websocket", 1, 0, 0, "", "", "", "", { 0 }, 0, 0, 0, 0, 0 },
	{ "dsrouterd server-server (the same runtime over TCP)",
	    "server-server", 0, 0, 0, "", "", "", "", { 0 }, 0, 0, 0, 0, 0 },
};

/* utime + stime of a process, in clock ticks. */
static unsigned long long
ticks(pid_t pid)
{
	unsigned long long v[2];

	if (dsrtest_proc_stat(pid, 14, 2, v) != 0)
		return 0;
	return v[0] + v[1];
}

/* Start a program with its output to log, in a process group of its own. */
static pid_t
spawn(const char *const *argv, const char *log)
{
	pid_t pid = fork();
	int fd;

	if (pid == -1) {
		perror("dsr-bench-ws: fork");
		exit(1);
	}
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

/* Stop a process group. */
static void
stop(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(-*pid, SIGTERM);
	kill(*pid, SIGTERM);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

/* The word after "what" in a log, waiting for it; 0 or -1. */
static int
log_word(const char *log, const char *what, char *out, size_t len)
{
	long long end = dsrtest_now_ms() + WAIT_MS;
	char buf[16384], *p;
	ssize_t n;
	size_t k;
	int fd;

	while (dsrtest_now_ms() < end) {
		if ((fd = open(log, O_RDONLY)) >= 0) {
			n = read(fd, buf, sizeof buf - 1);
			close(fd);
			if (n > 0) {
				buf[n] = '\0';
				if ((p = strstr(buf, what)) != NULL) {
					p += strlen(what);
					k = strcspn(p, " \n");
					if (k > 0 && k < len) {
						memcpy(out, p, k);
						out[k] = '\0';
						return 0;
					}
				}
			}
		}
		dsrtest_sleep_ms(10);
	}
	return -1;
}

/* Whether node has a WebSocket (Node 22+, or 20 with its flag). */
static int
find_node(void)
{
	if (system("node -e 'process.exit(typeof WebSocket === \"function\" "
	    "? 0 : 1)' >/dev/null 2>&1") == 0)
		return 1;
	if (system("node --experimental-websocket -e 'process.exit(typeof "
	    "WebSocket === \"function\" ? 0 : 1)' >/dev/null 2>&1") == 0) {
		snprintf(node_flag, sizeof node_flag, "--experimental-websocket");
		return 1;
	}
	return 0;
}

/* The stream's byte at offset i, as tests/ws-runtime.mjs makes it. */
static uint8_t
pattern(uint64_t i)
{
	return (uint8_t)(((uint32_t)i * 0x9E3779B1u) >> 24);
}

/*
 * A tool's CollectTracing through the path: the OK, then the whole stream.
 * Returns the seconds from connect to the end, or -1.
 */
static double
stream(struct wpath *p, uint64_t len)
{
	static uint8_t buf[READ_CHUNK];
	uint8_t req[DSRTEST_HEADER_SIZE], ok[28];
	uint64_t t0 = dsrtest_now_ns(), got = 0, i;
	ssize_t r;
	int fd;

	if ((fd = dsrtest_connect(p->sock, 0, WAIT_MS)) == -1)
		return -1;
	dsrtest_header(req, DSRTEST_HEADER_SIZE, 0x02, 0x02);
	if (dsrtest_write_all(fd, req, sizeof req, WAIT_MS) != 0 ||
	    dsrtest_read_exact(fd, ok, sizeof ok, WAIT_MS, NULL) != 0 ||
	    ok[16] != 0xff || ok[17] != 0x00) {
		close(fd);
		return -1;
	}
	for (;;) {
		r = recv(fd, buf, sizeof buf, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (opt.verify) {
			for (i = 0; i < (uint64_t)r; i++) {
				if (buf[i] != pattern(got + i)) {
					fprintf(stderr, "dsr-bench-ws: %s: byte "
					    "%llu differs\n", p->name,
					    (unsigned long long)(got + i));
					close(fd);
					return -1;
				}
			}
		}
		got += (uint64_t)r;
	}
	close(fd);
	if (r != 0 || got != len)
		return -1;
	return (double)(dsrtest_now_ns() - t0) / 1e9;
}

/* A ProcessInfo through the path: the runtime is there. 0 or -1. */
static int
ready(struct wpath *p)
{
	uint8_t req[DSRTEST_HEADER_SIZE], hdr[DSRTEST_HEADER_SIZE];
	int fd, rc = -1;

	if ((fd = dsrtest_connect(p->sock, 0, WAIT_MS)) == -1)
		return -1;
	dsrtest_processinfo_request(req);
	if (dsrtest_write_all(fd, req, sizeof req, WAIT_MS) == 0 &&
	    dsrtest_read_exact(fd, hdr, sizeof hdr, WAIT_MS, NULL) == 0 &&
	    hdr[16] == 0xff && hdr[17] == 0x00)
		rc = 0;
	close(fd);
	return rc;
}

/* Start a path's router and runtime; 0 or -1 (said why). */
static int
path_start(struct wpath *p, int k, uint64_t len)
{
	char slen[24], schunk[24], rt[160];
	const char *av[24];
	int n = 0;

	snprintf(p->sock, sizeof p->sock, "%s/tool%d.sock", tmpdir, k);
	snprintf(p->log, sizeof p->log, "%s/router%d.log", tmpdir, k);
	snprintf(p->nlog, sizeof p->nlog, "%s/node%d.log", tmpdir, k);
	av[n++] = opt.dsrouterd;
	av[n++] = p->verb;
	av[n++] = "-ipcs";
	av[n++] = p->sock;
	av[n++] = p->websocket ? "-ws" : "-tcps";
	av[n++] = p->websocket ? "ws://127.0.0.1:0/diagnostics" :
	    "127.0.0.1:0";
	av[n++] = "--control-socket";
	av[n++] = "none";
	av[n] = NULL;
	p->router = spawn(av, p->log);
	if (log_word(p->log, p->websocket ? "listening for browser runtimes "
	    "on " : "listening for runtimes on ", p->where,
	    sizeof p->where) != 0) {
		fprintf(stderr, "dsr-bench-ws: %s did not start (see %s)\n",
		    p->name, p->log);
		return -1;
	}
	snprintf(slen, sizeof slen, "%llu", (unsigned long long)len);
	snprintf(schunk, sizeof schunk, "%d", CHUNK);
	snprintf(rt, sizeof rt, "%s", p->where);
	n = 0;
	av[n++] = "node";
	if (node_flag[0] != '\0')
		av[n++] = node_flag;
	av[n++] = opt.script;
	av[n++] = p->websocket ? "--url" : "--tcp";
	av[n++] = rt;
	av[n++] = "--stream";
	av[n++] = slen;
	av[n++] = "--chunk";
	av[n++] = schunk;
	av[n++] = "--pregen";
	av[n] = NULL;
	p->node = spawn(av, p->nlog);
	if (ready(p) != 0) {
		fprintf(stderr, "dsr-bench-ws: %s: no runtime came (see %s and "
		    "%s)\n", p->name, p->log, p->nlog);
		return -1;
	}
	return 0;
}

/* Sort doubles. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Print the table. */
static void
report(void)
{
	double med[2] = { 0, 0 }, hz = (double)sysconf(_SC_CLK_TCK);
	struct wpath *p;
	int k;

	printf("\n### WebSocket runtimes (browser apps): a %u MiB trace, "
	    "runtime -> tool, %u run(s)\n\n", opt.mib, opt.runs);
	printf("The same Node runtime (tests/ws-runtime.mjs, 64 KiB messages "
	    "of a pre-generated stream) through dsrouterd, over its WebSocket "
	    "and, as the baseline, over plain TCP; a tool on the Unix socket "
	    "reads the stream. CPU in seconds per GiB carried.\n\n");
	printf("| path | MiB/s (median) | min | max | dsrouterd CPU s/GiB | "
	    "runtime (node) CPU s/GiB |\n|---|---:|---:|---:|---:|---:|\n");
	for (k = 0; k < 2; k++) {
		p = &paths[k];
		if (p->n == 0) {
			printf("| %s | failed | | | | |\n", p->name);
			continue;
		}
		qsort(p->mibs, p->n, sizeof p->mibs[0], cmp_double);
		med[k] = p->n % 2 ? p->mibs[p->n / 2] :
		    (p->mibs[p->n / 2 - 1] + p->mibs[p->n / 2]) / 2;
		printf("| %s | %.0f | %.0f | %.0f | %.2f | %.2f |\n", p->name,
		    med[k], p->mibs[0], p->mibs[p->n - 1],
		    (double)p->router_ticks / hz / (p->mib_total / 1024.0),
		    (double)p->node_ticks / hz / (p->mib_total / 1024.0));
	}
	if (med[0] > 0 && med[1] > 0)
		printf("\nWebSocket / TCP throughput: %.2f\n", med[0] / med[1]);
}

/* Remove the scratch directory. */
static void
cleanup(void)
{
	char cmd[128];
	int k;

	for (k = 0; k < 2; k++) {
		stop(&paths[k].node);
		stop(&paths[k].router);
	}
	if (tmpdir[0] != '\0') {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "dsr-bench-ws: could not remove %s\n",
			    tmpdir);
	}
}

int
main(int argc, char **argv)
{
	unsigned long long r0, n0;
	uint64_t len;
	unsigned run;
	double s;
	int i, k, failed = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			opt.quick = 1;
		else if (strcmp(argv[i], "--verify") == 0)
			opt.verify = 1;
		else if (i + 1 < argc && strcmp(argv[i], "--dsrouterd") == 0)
			opt.dsrouterd = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--script") == 0)
			opt.script = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--mib") == 0)
			opt.mib = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (i + 1 < argc && strcmp(argv[i], "--runs") == 0)
			opt.runs = (unsigned)strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: dsr-bench-ws --dsrouterd PATH "
			    "--script ws-runtime.mjs [--mib N] [--runs N] "
			    "[--quick] [--verify]\n");
			return 2;
		}
	}
	if (opt.dsrouterd == NULL || opt.script == NULL) {
		fprintf(stderr, "dsr-bench-ws: --dsrouterd and --script are "
		    "needed\n");
		return 2;
	}
	if (opt.quick) {
		opt.mib = 4;
		opt.runs = 1;
	}
	if (opt.mib == 0 || opt.mib > 2048 || opt.runs == 0 ||
	    opt.runs > MAX_RUNS) {
		fprintf(stderr, "dsr-bench-ws: --mib from 1 to 2048, --runs "
		    "from 1 to %d\n", MAX_RUNS);
		return 2;
	}
	if (!find_node()) {
		printf("\n### WebSocket runtimes (browser apps)\n\nskipped: no "
		    "node 20 or later with its WebSocket (Debian 12's nodejs 18 "
		    "has none)\n");
		return opt.quick ? 77 : 0;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof tmpdir, "%s/dsr-bench-ws.XXXXXX",
	    getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 30 ?
	    getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("dsr-bench-ws: mkdtemp");
		return 1;
	}
	len = (uint64_t)opt.mib * 1024 * 1024;
	for (k = 0; k < 2; k++) {
		if (path_start(&paths[k], k, len) != 0) {
			cleanup();
			return 1;
		}
	}
	for (run = 0; run < opt.runs; run++) {
		fprintf(stderr, "dsr-bench-ws: run %u/%u\n", run + 1, opt.runs);
		for (i = 0; i < 2; i++) {
			/* Interleaved, and each path first in turn. */
			struct wpath *p = &paths[(run + (unsigned)i) % 2];

			r0 = ticks(p->router);
			n0 = ticks(p->node);
			if ((s = stream(p, len)) <= 0) {
				fprintf(stderr, "dsr-bench-ws: %s: the stream "
				    "failed (see %s, %s)\n", p->name, p->log,
				    p->nlog);
				p->failed = failed = 1;
				continue;
			}
			p->router_ticks += ticks(p->router) - r0;
			p->node_ticks += ticks(p->node) - n0;
			p->mib_total += opt.mib;
			p->mibs[p->n++] = opt.mib / s;
			/* The runtime's next idle connection. */
			(void)ready(p);
		}
	}
	report();
	cleanup();
	return failed;
}
#endif

/* SPDX-License-Identifier: MIT */
/*
 * dsr-bench.c: measure dsrouterd side by side with a direct connection,
 * socat and dotnet-dsrouter, every path interleaved in the same run.
 *
 * It forks a fake .NET runtime, starts the routers, plays the tool itself
 * and prints Markdown tables. The fake runtime listens on loopback TCP
 * (listen mode: the direct path, server-client routers and socat connect to
 * it) and, for each server-server router, keeps one idle advertised
 * connection to it (connect mode), reconnecting as soon as a command
 * arrives, as a real runtime does. It understands three commands:
 *
 *   Process ProcessInfo (04 00): a ProcessInfo-sized OK answer, then close.
 *   EventPipe CollectTracing (02 02): payload bytes 8..15 hold the stream
 *     length N, bytes 16..19 flags (1: keep the connection open after the
 *     stream until the peer closes it), bytes 24..31 a count of bytes after
 *     which to reset the connection (0: never); answered with the 28-byte
 *     OK, then N bytes of a fixed pattern, then close.
 *   Process SetEnvironmentVariable (04 03), bench form: payload bytes 0..7
 *     hold N; N pattern bytes follow the frame (tool -> runtime); answered
 *     with OK and result 0, or 1 if the bytes were not the pattern.
 *
 * dsrouterd's control socket (dsrouterd status) is measured too: its answer
 * with many sessions open, and a stream alone, beside a process waking every
 * 10 ms, and with that process asking for the status every 10 ms.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#ifndef __linux__
int
main(void)
{
	fprintf(stderr, "dsr-bench: needs Linux (epoll, /proc); skipped\n");
	return 77;
}
#else

#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "dsrtest.h"

#define PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))
#define NORETURN __attribute__((noreturn))

#define IPC_HDR DSRTEST_HEADER_SIZE
#define IO_CHUNK (1024 * 1024)         /* largest single read or write */
#define PATTERN_PERIOD 1048573u        /* prime, so a misplaced block shows */
#define MAX_PATHS 12
#define STATUS_EVERY_US 10000          /* status requests during a stream */
#define STATUS_MAX_DURING 65536        /* latencies kept from those */
#define MAX_TARGETS 16
#define MIB (1024.0 * 1024.0)
#define NSCALE 4

#define CMD_COLLECT_PAYLOAD 64
#define FLAG_HOLD 1

/* ------------------------------------------------------------------ */
/* Options. */

static struct {
	const char *dsrouterd;
	const char *socat;
	const char *dotnet;          /* dotnet-dsrouter, or NULL */
	const char *dotnet_note;     /* why dotnet-dsrouter is skipped */
	const char *valgrind;        /* for instruction counts, or NULL */
	const char *baseline;        /* another dsrouterd to compare, or NULL */
	unsigned stream_mib;
	unsigned runs;
	unsigned rtt;
	unsigned rtt_pause_us;
	unsigned sessions;           /* concurrent sessions for memory */
	unsigned seq;                /* sequential sessions */
	unsigned scale[NSCALE];
	unsigned nscale;
	unsigned scale_mib;          /* total per scale run */
	unsigned scale_min_kib;      /* per stream, at least */
	unsigned scale_runs;
	unsigned slow_mib;
	unsigned cg_mib;
	unsigned status_reqs;        /* status requests of each form */
	unsigned status_runs;        /* streams of each kind in the status measure */
	unsigned timeout;
	const char *only;            /* comma-separated measures, or NULL */
	int verify;
	int quick;
} opt;

/* ------------------------------------------------------------------ */
/* Small helpers. */

static uint8_t *pattern;              /* PATTERN_PERIOD + IO_CHUNK bytes */
static char tmpdir[64];
static pid_t rt_pid = -1;
static int rt_ctl = -1;
static char rt_where[64];             /* the runtime's listen address */
static struct sockaddr_storage rt_ss; /* the same, for connect() */
static socklen_t rt_sslen;
static uint8_t rt_cookie[DSRTEST_COOKIE_SIZE];

/* Shared with the fake runtime process. */
struct shared {
	uint64_t last_cmd_ns;         /* when the runtime last had a whole command */
	uint32_t idle[MAX_TARGETS];   /* connect mode: idle advertised connections */
	uint64_t upload_bad;
	int32_t live;                 /* the runtime's open connections */
};
static struct shared *sh;

static void vnote(const char *, va_list) PRINTFLIKE(1, 0);
static void die(const char *, ...) PRINTFLIKE(1, 2) NORETURN;
static void note(const char *, ...) PRINTFLIKE(1, 2);

/* A line on stderr. */
static void
vnote(const char *fmt, va_list ap)
{
	fputs("dsr-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* Print a message and exit; the children die with us (PDEATHSIG). */
static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
	exit(1);
}

/* Progress on stderr. */
static void
note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
}

/* Allocate or die. */
static void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n, size)) == NULL)
		die("out of memory");
	return p;
}

/* Fill the pattern every stream carries; byte i is pattern[i % PERIOD]. */
static void
pattern_init(void)
{
	uint32_t x = 0x9e3779b9u;
	size_t i;

	pattern = xcalloc(1, PATTERN_PERIOD + IO_CHUNK);
	for (i = 0; i < PATTERN_PERIOD; i++) {
		x = x * 1103515245u + 12345u;
		pattern[i] = (uint8_t)(x >> 23);
	}
	for (i = PATTERN_PERIOD; i < PATTERN_PERIOD + IO_CHUNK; i++)
		pattern[i] = pattern[i - PATTERN_PERIOD];
}

/* The pattern from stream offset off, valid for IO_CHUNK bytes. */
static const uint8_t *
pattern_at(uint64_t off)
{
	return pattern + off % PATTERN_PERIOD;
}

/* ------------------------------------------------------------------ */
/* Wire format. */

/* A CollectTracing request for a stream of n bytes; returns its size. */
static size_t
cmd_collect_reset(uint8_t *p, uint64_t n, uint32_t flags, uint64_t reset_at)
{
	size_t size = IPC_HDR + CMD_COLLECT_PAYLOAD;

	memset(p, 0, size);
	dsrtest_header(p, (uint16_t)size, 0x02, 0x02);
	dsrtest_put_u32(p + IPC_HDR, 256);          /* circular buffer, MiB */
	dsrtest_put_u32(p + IPC_HDR + 4, 1);        /* format: nettrace */
	dsrtest_put_u64(p + IPC_HDR + 8, n);
	dsrtest_put_u32(p + IPC_HDR + 16, flags);
	dsrtest_put_u64(p + IPC_HDR + 24, reset_at);
	return size;
}

/* A CollectTracing request for a stream of n bytes; returns its size. */
static size_t
cmd_collect(uint8_t *p, uint64_t n, uint32_t flags)
{
	return cmd_collect_reset(p, n, flags, 0);
}

/* An upload of n bytes (tool -> runtime); returns the frame's size. */
static size_t
cmd_upload(uint8_t *p, uint64_t n)
{
	dsrtest_header(p, IPC_HDR + 8, 0x04, 0x03);
	dsrtest_put_u64(p + IPC_HDR, n);
	return IPC_HDR + 8;
}

/* A ProcessInfo answer as a real runtime sends it; returns its size. */
static size_t
answer_processinfo(uint8_t *p)
{
	return dsrtest_processinfo_response(p, (uint64_t)getpid(), rt_cookie,
	    "/usr/share/dotnet/dotnet /app/bin/Release/net8.0/"
	    "Contoso.Orders.Service.dll --urls http://+:8080", "Linux", "x64");
}

/* ------------------------------------------------------------------ */
/* The fake runtime (a child process with its own epoll loop). */

enum rc_state {
	RC_CONNECTING,     /* connect mode: connect in progress */
	RC_CMD,            /* reading a command (idle, for connect mode) */
	RC_UPLOAD,         /* reading uploaded bytes */
	RC_SEND,           /* writing the answer and the stream */
	RC_HOLD,           /* stream sent; waiting for the peer to close */
};

struct rt_conn {
	int fd;
	int target;        /* connect-mode target, or -1 when accepted */
	int idle;          /* advertised and counted in sh->idle */
	enum rc_state state;
	uint8_t frame[IPC_HDR + 256];
	size_t got;
	uint8_t out[512];
	size_t outlen, outoff;
	uint64_t left, off;
	uint64_t reset_at;        /* reset the connection after this many bytes */
	int hold;
	int bad;
};

struct rt_target {
	int active;
	struct sockaddr_in sa;
	struct rt_conn *conn;     /* the connection being made or idle */
	uint64_t retry_ns;        /* when to connect again, 0 for never */
};

struct rt_ctl_msg {
	int op;                   /* 1 add, 2 remove */
	int target;
	struct sockaddr_in sa;
};

static int rt_ep;
static struct rt_target rt_targets[MAX_TARGETS];
static int rt_listen_tag, rt_ctl_tag;
static uint8_t *rt_scratch;

/* Register or change what a connection waits for. */
static void
rt_watch(struct rt_conn *c, uint32_t events, int op)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof ev);
	ev.events = events;
	ev.data.ptr = c;
	if (epoll_ctl(rt_ep, op, c->fd, &ev) == -1)
		die("runtime: epoll_ctl: %s", strerror(errno));
}

/* Close a connection. */
static void
rt_close(struct rt_conn *c)
{
	struct rt_target *t;

	if (c->target >= 0) {
		t = &rt_targets[c->target];
		if (c->idle)
			__atomic_sub_fetch(&sh->idle[c->target], 1, __ATOMIC_SEQ_CST);
		if (t->conn == c) {
			/* Lost before a command: try again shortly. */
			t->conn = NULL;
			if (t->active)
				t->retry_ns = dsrtest_now_ns() + 10 * 1000000u;
		}
	}
	close(c->fd);
	free(c);
	__atomic_sub_fetch(&sh->live, 1, __ATOMIC_SEQ_CST);
}

/* Count a new connection. */
static struct rt_conn *
rt_conn_new(int fd, int target, enum rc_state st)
{
	struct rt_conn *c;

	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->target = target;
	c->state = st;
	__atomic_add_fetch(&sh->live, 1, __ATOMIC_SEQ_CST);
	return c;
}

/* Open a connect-mode connection to a target. */
static void
rt_connect(int i)
{
	struct rt_target *t = &rt_targets[i];
	struct rt_conn *c;
	int fd, one = 1;

	t->retry_ns = 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		die("runtime: socket: %s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&t->sa, sizeof t->sa) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		t->retry_ns = dsrtest_now_ns() + 10 * 1000000u;
		return;
	}
	c = rt_conn_new(fd, i, RC_CONNECTING);
	t->conn = c;
	rt_watch(c, EPOLLOUT, EPOLL_CTL_ADD);
}

/* A connect-mode connection is up: advertise, then wait for a command. */
static void
rt_connected(struct rt_conn *c)
{
	uint8_t adv[DSRTEST_ADVERTISE_SIZE];
	int err = 0;
	socklen_t len = sizeof err;

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	dsrtest_advertise(adv, rt_cookie, (uint64_t)getpid());
	if (err != 0 || send(c->fd, adv, sizeof adv, MSG_NOSIGNAL) != sizeof adv) {
		rt_close(c);
		return;
	}
	c->state = RC_CMD;
	c->idle = 1;
	__atomic_add_fetch(&sh->idle[c->target], 1, __ATOMIC_SEQ_CST);
	rt_watch(c, EPOLLIN, EPOLL_CTL_MOD);
}

/* Start sending what is in c->out, then c->left stream bytes. */
static void
rt_send(struct rt_conn *c)
{
	c->state = RC_SEND;
	rt_watch(c, EPOLLOUT, EPOLL_CTL_MOD);
}

/* A whole command arrived: answer it. */
static void
rt_command(struct rt_conn *c)
{
	uint8_t set = c->frame[16], id = c->frame[17];

	__atomic_store_n(&sh->last_cmd_ns, dsrtest_now_ns(), __ATOMIC_SEQ_CST);
	if (c->target >= 0 && c->idle) {
		/* The idle connection is used: another once this one answered. */
		c->idle = 0;
		__atomic_sub_fetch(&sh->idle[c->target], 1, __ATOMIC_SEQ_CST);
	}
	if (set == 0x04 && id == 0x00) {
		c->outlen = answer_processinfo(c->out);
		rt_send(c);
	} else if (set == 0x02 && id == 0x02 &&
	    c->got >= IPC_HDR + CMD_COLLECT_PAYLOAD) {
		c->outlen = dsrtest_ok_session(c->out, 0x1234);
		c->left = dsrtest_get_u64(c->frame + IPC_HDR + 8);
		c->hold = (dsrtest_get_u32(c->frame + IPC_HDR + 16) &
		    FLAG_HOLD) != 0;
		c->reset_at = dsrtest_get_u64(c->frame + IPC_HDR + 24);
		rt_send(c);
	} else if (set == 0x04 && id == 0x03 && c->got >= IPC_HDR + 8) {
		c->left = dsrtest_get_u64(c->frame + IPC_HDR);
		c->off = 0;
		c->state = RC_UPLOAD;
		if (c->left == 0) {
			c->outlen = dsrtest_ok_result(c->out, 0);
			rt_send(c);
		}
	} else {
		c->outlen = dsrtest_error(c->out, DSRTEST_E_UNKNOWN_COMMAND);
		rt_send(c);
	}
}

/* Readable: a command, uploaded bytes, or the peer closing. */
static void
rt_readable(struct rt_conn *c)
{
	size_t need;
	ssize_t n;

	if (c->state == RC_HOLD) {
		n = recv(c->fd, rt_scratch, IO_CHUNK, 0);
		if (n == 0 || (n == -1 && errno != EAGAIN))
			rt_close(c);
		return;
	}
	if (c->state == RC_UPLOAD) {
		need = c->left < IO_CHUNK ? (size_t)c->left : IO_CHUNK;
		n = recv(c->fd, rt_scratch, need, 0);
		if (n == 0 || (n == -1 && errno != EAGAIN)) {
			rt_close(c);
			return;
		}
		if (n < 0)
			return;
		if (memcmp(rt_scratch, pattern_at(c->off), (size_t)n) != 0)
			c->bad = 1;
		c->off += (uint64_t)n;
		c->left -= (uint64_t)n;
		if (c->left == 0) {
			if (c->bad)
				__atomic_add_fetch(&sh->upload_bad, 1, __ATOMIC_SEQ_CST);
			c->outlen = dsrtest_ok_result(c->out, (uint32_t)c->bad);
			rt_send(c);
		}
		return;
	}
	/* RC_CMD: read exactly the frame, nothing after it. */
	need = c->got < IPC_HDR ? IPC_HDR : dsrtest_get_u16(c->frame + 14);
	if (need > sizeof c->frame || need < IPC_HDR) {
		rt_close(c);
		return;
	}
	n = recv(c->fd, c->frame + c->got, need - c->got, 0);
	if (n == 0 || (n == -1 && errno != EAGAIN)) {
		rt_close(c);
		return;
	}
	if (n < 0)
		return;
	c->got += (size_t)n;
	if (c->got == IPC_HDR && memcmp(c->frame, dsrtest_ipc_magic,
	    sizeof dsrtest_ipc_magic) != 0) {
		rt_close(c);
		return;
	}
	if (c->got >= IPC_HDR && c->got == dsrtest_get_u16(c->frame + 14))
		rt_command(c);
}

/* Writable: finish a connect, or send the answer and the stream. */
static void
rt_writable(struct rt_conn *c)
{
	size_t len;
	ssize_t n;
	int budget = 8;

	if (c->state == RC_CONNECTING) {
		rt_connected(c);
		return;
	}
	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n == -1) {
			if (errno != EAGAIN)
				rt_close(c);
			return;
		}
		c->outoff += (size_t)n;
	}
	if (c->target >= 0 && rt_targets[c->target].conn == c) {
		/*
		 * Like a runtime: once a command is answered (for a stream,
		 * once the OK is out) connect again and advertise.
		 */
		rt_targets[c->target].conn = NULL;
		if (rt_targets[c->target].active)
			rt_connect(c->target);
	}
	while (c->left > 0 && budget-- > 0) {
		if (c->reset_at != 0 && c->off >= c->reset_at) {
			struct linger lg = { 1, 0 };
			setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			rt_close(c);
			return;
		}
		len = c->left < IO_CHUNK ? (size_t)c->left : IO_CHUNK;
		if (c->reset_at != 0 && len > c->reset_at - c->off)
			len = (size_t)(c->reset_at - c->off);
		n = send(c->fd, pattern_at(c->off), len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno != EAGAIN)
				rt_close(c);
			return;
		}
		c->off += (uint64_t)n;
		c->left -= (uint64_t)n;
	}
	if (c->left > 0)
		return;
	if (c->hold) {
		c->state = RC_HOLD;
		rt_watch(c, EPOLLIN, EPOLL_CTL_MOD);
		return;
	}
	rt_close(c);
}

/* Accept listen-mode connections. */
static void
rt_accept(int lfd)
{
	struct rt_conn *c;
	int fd, one = 1;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c = rt_conn_new(fd, -1, RC_CMD);
		rt_watch(c, EPOLLIN, EPOLL_CTL_ADD);
	}
}

/* A control message from the bench: add or remove a connect target. */
static void
rt_control(int fd)
{
	struct rt_ctl_msg m;
	struct rt_target *t;
	ssize_t n;

	n = read(fd, &m, sizeof m);
	if (n == 0)
		_exit(0);
	if (n != (ssize_t)sizeof m || m.target < 0 || m.target >= MAX_TARGETS)
		return;
	t = &rt_targets[m.target];
	if (m.op == 1) {
		t->active = 1;
		t->sa = m.sa;
		if (t->conn == NULL)
			rt_connect(m.target);
	} else {
		t->active = 0;
		t->retry_ns = 0;
		if (t->conn != NULL) {
			struct rt_conn *c = t->conn;
			t->conn = NULL;
			rt_close(c);
		}
	}
}

/* The fake runtime's loop. */
static void NORETURN
rt_main(int lfd, int ctl)
{
	struct epoll_event ev, evs[256];
	struct rt_conn *c;
	uint64_t now, next;
	int i, n, timeout;

	signal(SIGPIPE, SIG_IGN);
	rt_scratch = xcalloc(1, IO_CHUNK);
	if ((rt_ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("runtime: epoll_create1: %s", strerror(errno));
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.ptr = &rt_listen_tag;
	epoll_ctl(rt_ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.ptr = &rt_ctl_tag;
	epoll_ctl(rt_ep, EPOLL_CTL_ADD, ctl, &ev);
	for (;;) {
		now = dsrtest_now_ns();
		next = 0;
		for (i = 0; i < MAX_TARGETS; i++) {
			if (rt_targets[i].retry_ns == 0)
				continue;
			if (rt_targets[i].retry_ns <= now && rt_targets[i].active)
				rt_connect(i);
			else if (next == 0 || rt_targets[i].retry_ns < next)
				next = rt_targets[i].retry_ns;
		}
		timeout = next == 0 ? -1 : (int)((next - now) / 1000000u) + 1;
		n = epoll_wait(rt_ep, evs, 256, timeout);
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &rt_listen_tag) {
				rt_accept(lfd);
				continue;
			}
			if (evs[i].data.ptr == &rt_ctl_tag) {
				rt_control(ctl);
				continue;
			}
			c = evs[i].data.ptr;
			if (c->state == RC_CONNECTING || c->state == RC_SEND) {
				if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
					rt_writable(c);
			} else
				rt_readable(c);
		}
	}
}

/* Tell the runtime to keep an idle advertised connection to a router. */
static void
rt_add_target(int target, int port)
{
	struct rt_ctl_msg m;

	memset(&m, 0, sizeof m);
	m.op = 1;
	m.target = target;
	m.sa.sin_family = AF_INET;
	m.sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	m.sa.sin_port = htons((uint16_t)port);
	if (write(rt_ctl, &m, sizeof m) != (ssize_t)sizeof m)
		die("runtime control: %s", strerror(errno));
}

/* Tell the runtime to stop connecting to a router. */
static void
rt_remove_target(int target)
{
	struct rt_ctl_msg m;

	memset(&m, 0, sizeof m);
	m.op = 2;
	m.target = target;
	if (write(rt_ctl, &m, sizeof m) != (ssize_t)sizeof m)
		die("runtime control: %s", strerror(errno));
}

/* Start the fake runtime: a listening socket and a child process. */
static void
rt_start(void)
{
	int lfd, ctl[2];
	pid_t parent = getpid();

	memset(rt_cookie, 0xab, sizeof rt_cookie);
	lfd = dsrtest_listen("127.0.0.1:0", 4096, DSRTEST_NONBLOCK, rt_where,
	    sizeof rt_where);
	if (lfd == -1 || (rt_sslen = dsrtest_sockaddr(rt_where, &rt_ss)) == 0)
		die("runtime listen: %s", strerror(errno));
	if (pipe2(ctl, O_CLOEXEC) == -1)
		die("pipe: %s", strerror(errno));
	switch ((rt_pid = fork())) {
	case -1:
		die("fork: %s", strerror(errno));
	case 0:
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		close(ctl[1]);
		rt_main(lfd, ctl[0]);
	default:
		break;
	}
	close(lfd);
	close(ctl[0]);
	rt_ctl = ctl[1];
}

/* ------------------------------------------------------------------ */
/* Processes: start and stop routers, read their memory, CPU and fds. */

enum path_kind { PK_DIRECT, PK_SC, PK_SS };
enum router_kind { RK_NONE, RK_DSROUTERD, RK_SOCAT, RK_DOTNET };

struct results {
	double tput[64];
	unsigned ntput;
	unsigned long long cpu_ticks;
	double cpu_mib;
	double *rtt, *pair;
	unsigned nrtt;
	long idle_rss, idle_pss, idle_after_rss;
	long sess_rss, sess_pss;
	int sess_nproc;
	long slow_peak_rss;
	double scale[NSCALE][16];
	unsigned nscale_runs[NSCALE];
	int seq_done;
	int fd_before, fd_after;
	long seq_rss_before, seq_rss_after;
	double seq_per_s;
	double seq_cpu_us;           /* router CPU per session */
	double cg_per_mib;
	int cg_done;
	/* 7. Status, with opt.sessions sessions open. */
	int st_done;
	double *st_ms[3];            /* text, json, the command */
	unsigned nst[3];
	size_t st_bytes[2];          /* the answers' sizes, text and json */
	unsigned st_listed[2];       /* sessions each answer listed */
	double st_cpu_us;            /* router CPU per request (text, json) */
	double st_tput[3][64];       /* MiB/s: alone, wake-up, status requests */
	unsigned nst_tput[3];
	unsigned long long st_cpu[3];
	double st_cpu_mib[3];
	double *st_during;           /* latencies of the requests during streams */
	unsigned nst_during, st_during_failed;
};

struct path {
	const char *name;
	enum path_kind kind;
	enum router_kind router;
	const char *env;          /* extra environment "NAME=VALUE", or NULL */
	const char *prog;         /* dsrouterd: another binary (--baseline) */
	int tree;                 /* forks per connection: count every process */
	pid_t pid;
	char sock[108];
	char log[300];
	int port;                 /* server-server: where runtimes connect */
	int target;               /* server-server: the runtime's target slot */
	char ctl[108];            /* dsrouterd: its control socket, from its log */
	int errors;
	struct results r;
};

static struct path paths[MAX_PATHS];
static int npaths;

static void path_fail(struct path *, const char *);

/* utime + stime + cutime + cstime of a process, in clock ticks. */
static unsigned long long
proc_cpu_ticks(pid_t pid)
{
	unsigned long long v[4];

	if (dsrtest_proc_stat(pid, 14, 4, v) != 0)
		return 0;
	return v[0] + v[1] + v[2] + v[3];
}

/* The children of a process (one level: socat's forks). */
static int
proc_children(pid_t pid, pid_t *out, int max)
{
	unsigned long long ppid;
	struct dirent *de;
	pid_t child;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		child = (pid_t)atol(de->d_name);
		if (dsrtest_proc_stat(child, 4, 1, &ppid) == 0 &&
		    ppid == (unsigned long long)pid)
			out[n++] = child;
	}
	closedir(d);
	return n;
}

/* RSS (and PSS if asked) of a router, summed over its processes. */
static long
path_mem(struct path *p, long *pss, int *nproc)
{
	static pid_t kids[4096];
	long rss, v;
	int i, n = 0;

	rss = dsrtest_proc_kb(p->pid, "status", "VmRSS");
	if (pss != NULL)
		*pss = dsrtest_proc_kb(p->pid, "smaps_rollup", "Pss");
	if (p->tree)
		n = proc_children(p->pid, kids, 4096);
	for (i = 0; i < n; i++) {
		if ((v = dsrtest_proc_kb(kids[i], "status", "VmRSS")) > 0)
			rss += v;
		if (pss != NULL &&
		    (v = dsrtest_proc_kb(kids[i], "smaps_rollup", "Pss")) > 0)
			*pss += v;
	}
	if (nproc != NULL)
		*nproc = 1 + n;
	return rss;
}

/* Start a process with stdout and stderr to a log, in its own group. */
static pid_t
spawn(const char *const *argv, const char *log, const char *env)
{
	char *av[48];
	pid_t pid, parent = getpid();
	int fd, i;

	switch ((pid = fork())) {
	case -1:
		die("fork: %s", strerror(errno));
	case 0:
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(0);
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		if ((fd = open("/dev/null", O_RDONLY)) != -1) {
			dup2(fd, 0);
			close(fd);
		}
		if (env != NULL)
			putenv(strdup(env));
		for (i = 0; argv[i] != NULL && i < 47; i++)
			av[i] = strdup(argv[i]);
		av[i] = NULL;
		execvp(av[0], av);
		fprintf(stderr, "exec %s: %s\n", av[0], strerror(errno));
		_exit(127);
	default:
		return pid;
	}
}

/* Find a free loopback port (for routers that cannot listen on port 0). */
static int
free_port(void)
{
	int fd, port;

	if ((fd = dsrtest_listen("127.0.0.1:0", 1, 0, NULL, 0)) == -1 ||
	    (port = dsrtest_local_port(fd)) == -1)
		die("free port: %s", strerror(errno));
	close(fd);
	return port;
}

/* Print the end of a log (when a router fails). */
static void
show_log(const char *log)
{
	char buf[8192];
	off_t size;
	ssize_t n;
	int fd;

	if ((fd = open(log, O_RDONLY)) == -1)
		return;
	size = lseek(fd, 0, SEEK_END);
	lseek(fd, size > (off_t)sizeof buf - 1 ? size - (off_t)sizeof buf + 1 : 0,
	    SEEK_SET);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		fprintf(stderr, "--- %s ---\n%s--- end ---\n", log, buf);
	}
}

/* Whether a log holds a string; fills *port from "runtimes on HOST:PORT". */
static int
log_has(const char *log, const char *what, int *port)
{
	static char buf[65536];
	char *p, *q;
	ssize_t n;
	int fd;

	if ((fd = open(log, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (strstr(buf, what) == NULL)
		return 0;
	if (port != NULL) {
		if ((p = strstr(buf, "listening for runtimes on ")) == NULL)
			return 0;
		p += strlen("listening for runtimes on ");
		if ((q = strchr(p, '\n')) != NULL)
			*q = '\0';
		if ((q = strrchr(p, ':')) == NULL)
			return 0;
		*port = atoi(q + 1);
	}
	return 1;
}

/* The rest of the line after the first "what" in a log, into out; 0 or -1. */
static int
log_after(const char *log, const char *what, char *out, size_t len)
{
	static char buf[65536];
	char *p;
	ssize_t n;
	size_t k;
	int fd;

	if ((fd = open(log, O_RDONLY)) == -1)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strstr(buf, what)) == NULL)
		return -1;
	p += strlen(what);
	k = strcspn(p, "\n");
	if (k == 0 || k >= len)
		return -1;
	memcpy(out, p, k);
	out[k] = '\0';
	return 0;
}

/* Connect to a Unix socket path (relative ones too); the fd or -1. */
static int
unix_connect(const char *path, int flags, int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if ((len = dsrtest_sockaddr_un(path, &ss)) == 0)
		return -1;
	return dsrtest_connect_sa(&ss, len, flags, timeout_ms);
}

/* Whether a Unix socket file exists. */
static int
sock_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISSOCK(sb.st_mode);
}

/*
 * Whether a Unix socket accepts connections (a router may bind before it
 * listens). The probe connection closes without a command.
 */
static int
sock_accepts(const char *path)
{
	int fd;

	if ((fd = unix_connect(path, 0, 0)) == -1)
		return 0;
	close(fd);
	return 1;
}

/* Wait for a server-server path's idle runtime connection. */
static int
path_wait_idle(struct path *p, unsigned ms)
{
	uint64_t end = dsrtest_now_ns() + (uint64_t)ms * 1000000u;

	if (p->kind != PK_SS)
		return 0;
	while (__atomic_load_n(&sh->idle[p->target], __ATOMIC_SEQ_CST) == 0) {
		if (dsrtest_now_ns() > end)
			return -1;
		dsrtest_sleep_us(20);
	}
	return 0;
}

/*
 * Start a path's router (under callgrind when cgout is set) and wait until
 * tools can connect and, for server-server, a runtime is connected.
 */
static void
router_start(struct path *p, const char *cgout)
{
	const char *av[48];
	char rt[64], tcps[64], lsn[160], dst[96], cgarg[320];
	unsigned wait_ms = cgout != NULL || p->router == RK_DOTNET ? 60000 : 10000;
	uint64_t end;
	int n = 0, status;

	if (p->kind == PK_DIRECT)
		return;
	snprintf(rt, sizeof rt, "%s", rt_where);
	unlink(p->sock);
	if (cgout != NULL) {
		snprintf(cgarg, sizeof cgarg, "--callgrind-out-file=%s", cgout);
		av[n++] = opt.valgrind;
		av[n++] = "--tool=callgrind";
		av[n++] = cgarg;
		if (p->tree)
			av[n++] = "--trace-children=yes";
	}
	switch (p->router) {
	case RK_DSROUTERD:
	case RK_DOTNET:
		av[n++] = p->router == RK_DOTNET ? opt.dotnet :
		    p->prog != NULL ? p->prog : opt.dsrouterd;
		av[n++] = p->kind == PK_SS ? "server-server" : "server-client";
		av[n++] = "-ipcs";
		av[n++] = p->sock;
		if (p->kind == PK_SS) {
			if (p->router == RK_DOTNET)
				p->port = free_port();
			snprintf(tcps, sizeof tcps, "127.0.0.1:%d",
			    p->router == RK_DOTNET ? p->port : 0);
			av[n++] = "-tcps";
			av[n++] = tcps;
		} else {
			av[n++] = "-tcpc";
			av[n++] = rt;
		}
		break;
	case RK_SOCAT:
		snprintf(lsn, sizeof lsn, "UNIX-LISTEN:%s,fork", p->sock);
		snprintf(dst, sizeof dst, "TCP:%s,nodelay", rt);
		av[n++] = opt.socat;
		av[n++] = "-b";
		av[n++] = "262144";
		av[n++] = lsn;
		av[n++] = dst;
		break;
	case RK_NONE:
		return;
	}
	av[n] = NULL;
	p->pid = spawn(av, p->log, p->env);
	end = dsrtest_now_ns() + (uint64_t)wait_ms * 1000000u;
	for (;;) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			show_log(p->log);
			die("%s exited at start-up", p->name);
		}
		if (p->router == RK_DSROUTERD) {
			if (log_has(p->log, "listening for tools on",
			    p->kind == PK_SS ? &p->port : NULL))
				break;
		} else if (sock_exists(p->sock) && sock_accepts(p->sock))
			break;
		if (dsrtest_now_ns() > end) {
			show_log(p->log);
			die("%s did not start within %u ms", p->name, wait_ms);
		}
		dsrtest_sleep_us(2000);
	}
	if (p->kind == PK_SS) {
		rt_add_target(p->target, p->port);
		if (path_wait_idle(p, wait_ms) != 0) {
			show_log(p->log);
			die("%s: the runtime could not connect to port %d",
			    p->name, p->port);
		}
	}
}

/* Stop a router and its process group; wait for it. */
static void
router_stop(struct path *p)
{
	uint64_t end;
	int status;

	if (p->kind == PK_DIRECT || p->pid <= 0)
		return;
	if (p->kind == PK_SS)
		rt_remove_target(p->target);
	kill(-p->pid, SIGTERM);
	end = dsrtest_now_ns() + 60ull * 1000000000u;
	while (waitpid(p->pid, &status, WNOHANG) != p->pid) {
		if (dsrtest_now_ns() > end) {
			kill(-p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
			break;
		}
		dsrtest_sleep_us(5000);
	}
	/* dsrouterd exits 0 on SIGTERM; anything else (a sanitizer) fails. */
	if (p->router == RK_DSROUTERD &&
	    (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		show_log(p->log);
		path_fail(p, "the router did not exit cleanly on SIGTERM");
	}
	/* socat's forks, valgrind's children: let them all go. */
	end = dsrtest_now_ns() + 10ull * 1000000000u;
	while (kill(-p->pid, 0) == 0 && dsrtest_now_ns() < end)
		dsrtest_sleep_us(5000);
	kill(-p->pid, SIGKILL);
	p->pid = -1;
	unlink(p->sock);
}

/* ------------------------------------------------------------------ */
/* The tool side. */

/*
 * Connect to a path as a tool: blocking, with 30 s time-outs on connect,
 * writes and reads.
 */
static int
tool_connect(struct path *p)
{
	if (p->kind == PK_DIRECT)
		return dsrtest_connect_sa(&rt_ss, rt_sslen,
		    DSRTEST_NODELAY | DSRTEST_RCVTIMEO, 30000);
	return unix_connect(p->sock, DSRTEST_RCVTIMEO, 30000);
}

/* Write all of a buffer (the socket's own time-out applies). */
static int
write_all(int fd, const uint8_t *buf, size_t len)
{
	return dsrtest_write_all(fd, buf, len, 0);
}

/* Read exactly len bytes (the socket's own time-out applies). */
static int
read_all(int fd, uint8_t *buf, size_t len)
{
	return dsrtest_read_exact(fd, buf, len, -1, NULL);
}

/* Count a failure on a path. */
static void
path_fail(struct path *p, const char *what)
{
	p->errors++;
	note("%s: %s", p->name, what);
}

/*
 * One CollectTracing stream of n bytes, read to EOF. With rate_kib set, read
 * 64 KiB at a time, slowly, and sample the router's peak RSS. Returns the
 * elapsed seconds, or -1.
 */
static double
tool_stream(struct path *p, uint64_t n, unsigned slow, long *peak_rss)
{
	static uint8_t *buf;
	uint8_t cmd[IPC_HDR + CMD_COLLECT_PAYLOAD], ok[28];
	uint64_t t0, got = 0;
	size_t want = slow ? 64 * 1024 : IO_CHUNK;
	ssize_t r;
	long rss;
	int fd;

	if (buf == NULL)
		buf = xcalloc(1, IO_CHUNK);
	if (path_wait_idle(p, 10000) != 0) {
		path_fail(p, "no idle runtime connection");
		return -1;
	}
	t0 = dsrtest_now_ns();
	if ((fd = tool_connect(p)) == -1) {
		path_fail(p, "connect failed");
		return -1;
	}
	if (write_all(fd, cmd, cmd_collect(cmd, n, 0)) != 0 ||
	    read_all(fd, ok, sizeof ok) != 0 || ok[16] != 0xff || ok[17] != 0) {
		close(fd);
		path_fail(p, "stream: no OK answer");
		return -1;
	}
	for (;;) {
		r = recv(fd, buf, want, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (opt.verify && memcmp(buf, pattern_at(got), (size_t)r) != 0) {
			close(fd);
			path_fail(p, "stream: bytes differ from the runtime's");
			return -1;
		}
		got += (uint64_t)r;
		if (slow) {
			if (peak_rss != NULL &&
			    (rss = path_mem(p, NULL, NULL)) > *peak_rss)
				*peak_rss = rss;
			dsrtest_sleep_us(slow);
		}
	}
	close(fd);
	if (r != 0 || got != n) {
		path_fail(p, "stream: short or failed");
		return -1;
	}
	return (double)(dsrtest_now_ns() - t0) / 1e9;
}

/*
 * One ProcessInfo on a new connection. Returns the round trip in
 * microseconds and sets *pair_us to the time from connect to the runtime
 * having the command; -1 on failure.
 */
static double
tool_command(struct path *p, double *pair_us)
{
	uint8_t cmd[IPC_HDR], ans[1024];
	uint64_t t0, t1, tc;
	uint16_t size;
	int fd;

	t0 = dsrtest_now_ns();
	if ((fd = tool_connect(p)) == -1) {
		path_fail(p, "connect failed");
		return -1;
	}
	if (write_all(fd, cmd, dsrtest_processinfo_request(cmd)) != 0 ||
	    read_all(fd, ans, IPC_HDR) != 0 ||
	    (size = dsrtest_get_u16(ans + 14)) < IPC_HDR || size > sizeof ans ||
	    read_all(fd, ans + IPC_HDR, size - IPC_HDR) != 0 ||
	    ans[16] != 0xff || ans[17] != 0x00) {
		close(fd);
		path_fail(p, "ProcessInfo failed");
		return -1;
	}
	t1 = dsrtest_now_ns();
	close(fd);
	tc = __atomic_load_n(&sh->last_cmd_ns, __ATOMIC_SEQ_CST);
	if (pair_us != NULL)
		*pair_us = tc > t0 ? (double)(tc - t0) / 1e3 : 0;
	return (double)(t1 - t0) / 1e3;
}

/* Upload n bytes tool -> runtime; the runtime checks them. */
static int
tool_upload(struct path *p, uint64_t n)
{
	uint8_t cmd[IPC_HDR + 8], ans[24];
	uint64_t off = 0;
	size_t len;
	int fd;

	if (path_wait_idle(p, 10000) != 0 || (fd = tool_connect(p)) == -1) {
		path_fail(p, "upload: cannot connect");
		return -1;
	}
	if (write_all(fd, cmd, cmd_upload(cmd, n)) != 0)
		goto fail;
	while (off < n) {
		len = n - off < IO_CHUNK ? (size_t)(n - off) : IO_CHUNK;
		if (write_all(fd, pattern_at(off), len) != 0)
			goto fail;
		off += len;
	}
	if (read_all(fd, ans, sizeof ans) != 0 || ans[17] != 0 ||
	    dsrtest_get_u32(ans + IPC_HDR) != 0)
		goto fail;
	close(fd);
	return 0;
fail:
	close(fd);
	path_fail(p, "upload: failed or bytes differ at the runtime");
	return -1;
}

/*
 * n concurrent streams of per bytes each, read with epoll. Returns the
 * aggregate MiB/s, or -1.
 */
static double
tool_scale(struct path *p, unsigned n, uint64_t per)
{
	static uint8_t *buf;
	struct epoll_event ev, evs[256];
	uint8_t cmd[IPC_HDR + CMD_COLLECT_PAYLOAD];
	uint64_t *got, t0, end;
	int *fds, ep, k, i, done = 0, bad = 0;
	unsigned u;
	ssize_t r;
	size_t cl;

	if (buf == NULL)
		buf = xcalloc(1, IO_CHUNK);
	fds = xcalloc(n, sizeof *fds);
	got = xcalloc(n, sizeof *got);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));
	cl = cmd_collect(cmd, per, 0);
	path_wait_idle(p, 10000);
	t0 = dsrtest_now_ns();
	for (u = 0; u < n; u++) {
		if ((fds[u] = tool_connect(p)) == -1 ||
		    write_all(fds[u], cmd, cl) != 0) {
			path_fail(p, "scale: connect failed");
			bad = 1;
			n = u + (fds[u] != -1);
			break;
		}
		if (dsrtest_nonblock(fds[u]) == -1)
			die("fcntl: %s", strerror(errno));
		memset(&ev, 0, sizeof ev);
		ev.events = EPOLLIN;
		ev.data.u32 = u;
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[u], &ev);
	}
	end = dsrtest_now_ns() + 300ull * 1000000000u;
	while (done < (int)n && !bad) {
		k = epoll_wait(ep, evs, 256, 1000);
		if (dsrtest_now_ns() > end) {
			path_fail(p, "scale: timed out");
			bad = 1;
			break;
		}
		for (i = 0; i < k; i++) {
			u = evs[i].data.u32;
			r = recv(fds[u], buf, IO_CHUNK, 0);
			if (r > 0) {
				got[u] += (uint64_t)r;
				continue;
			}
			if (r == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			close(fds[u]);
			fds[u] = -1;
			done++;
			if (got[u] != per + 28) {
				path_fail(p, "scale: short stream");
				bad = 1;
			}
		}
	}
	for (u = 0; u < n; u++) {
		if (fds[u] != -1)
			close(fds[u]);
	}
	close(ep);
	free(fds);
	free(got);
	if (bad)
		return -1;
	return (double)per * n / MIB / ((double)(dsrtest_now_ns() - t0) / 1e9);
}

/* Wait a moment for routers to finish closing sessions. */
static void
settle(void)
{
	dsrtest_sleep_us(opt.quick ? 50000 : 300000);
}

/* Wait until the runtime has a given number of open connections. */
static int
rt_wait_live(int32_t want, unsigned ms)
{
	uint64_t end = dsrtest_now_ns() + (uint64_t)ms * 1000000u;

	while (__atomic_load_n(&sh->live, __ATOMIC_SEQ_CST) != want) {
		if (dsrtest_now_ns() > end)
			return -1;
		dsrtest_sleep_us(1000);
	}
	return 0;
}

/*
 * Behaviour checks (--verify), for the splice and the portable relay alike:
 * bulk bytes intact both ways, a tool's half-close after its command, a tool
 * leaving mid-stream (the runtime's connection must close promptly), a
 * runtime resetting mid-stream (the tool must see the end promptly), and no
 * descriptor left behind.
 */
static void
check_behaviour(struct path *p)
{
	static uint8_t buf[IO_CHUNK];
	uint8_t cmd[IPC_HDR + CMD_COLLECT_PAYLOAD];
	uint64_t got, t0, big = 256ull * 1024 * 1024;
	int32_t live;
	ssize_t r;
	int fd, fds0 = -1, fds1, i;

	note("checks: %s", p->name);
	settle();
	if (p->pid > 0 && !p->tree)
		fds0 = dsrtest_proc_nfds(p->pid);
	tool_stream(p, 3 * 1024 * 1024 + 12345, 0, NULL);
	tool_upload(p, 3 * 1024 * 1024 + 54321);

	/* Half-close after the command: the stream must still come. */
	if (path_wait_idle(p, 10000) != 0 || (fd = tool_connect(p)) == -1) {
		path_fail(p, "check: cannot connect");
		return;
	}
	got = 0;
	if (write_all(fd, cmd, cmd_collect(cmd, 2 * 1024 * 1024, 0)) != 0 ||
	    shutdown(fd, SHUT_WR) != 0)
		path_fail(p, "check: cannot send the command");
	while ((r = recv(fd, buf, sizeof buf, 0)) > 0)
		got += (uint64_t)r;
	close(fd);
	if (got != 28 + 2 * 1024 * 1024)
		path_fail(p, "check: stream after the tool's half-close cut short");

	/*
	 * The tool leaves mid-stream, with and without a half-close first
	 * (then only a failed write can tell): the runtime's side must close.
	 */
	for (i = 0; i < 2; i++) {
		path_wait_idle(p, 10000);
		live = __atomic_load_n(&sh->live, __ATOMIC_SEQ_CST);
		if ((fd = tool_connect(p)) == -1 ||
		    write_all(fd, cmd, cmd_collect(cmd, big, 0)) != 0 ||
		    (i == 1 && shutdown(fd, SHUT_WR) != 0) ||
		    read_all(fd, buf, sizeof buf) != 0)
			path_fail(p, "check: no stream to leave");
		if (fd != -1)
			close(fd);
		if (rt_wait_live(live, 5000) != 0)
			path_fail(p, i == 0 ? "check: the runtime's connection "
			    "stayed open after the tool left mid-stream" :
			    "check: the runtime's connection stayed open after "
			    "the tool half-closed, then left mid-stream");
	}

	/* The runtime resets mid-stream: the tool must see the end at once. */
	path_wait_idle(p, 10000);
	if ((fd = tool_connect(p)) == -1 ||
	    write_all(fd, cmd, cmd_collect_reset(cmd, big, 0, 4 * 1024 * 1024)) != 0) {
		path_fail(p, "check: cannot start the stream to reset");
	} else {
		t0 = dsrtest_now_ns();
		got = 0;
		while ((r = recv(fd, buf, sizeof buf, 0)) > 0)
			got += (uint64_t)r;
		if (got >= big)
			path_fail(p, "check: the reset stream was not cut");
		if (dsrtest_now_ns() - t0 > 10ull * 1000000000u)
			path_fail(p, "check: the tool waited over 10 s for the end "
			    "of a reset stream");
	}
	if (fd != -1)
		close(fd);

	settle();
	if (fds0 >= 0 && (fds1 = dsrtest_proc_nfds(p->pid)) != fds0) {
		note("%s: %d descriptors before the checks, %d after", p->name,
		    fds0, fds1);
		path_fail(p, "check: descriptors leaked");
	}
}

/* ------------------------------------------------------------------ */
/* Measures. */

/*
 * The order of the paths in one round of an interleaved measure: a shuffle
 * drawn afresh each round (a fixed seed, so runs are comparable), so that
 * no path always follows the same one. A fixed rotation made each path
 * inherit its predecessor's after-effects (the runtime still closing the
 * last connection): the same binary measured 10-20 us slower as
 * "dsrouterd server-client", which always came after "direct".
 */
static void
path_order(int *order)
{
	static uint64_t state = 0x9e3779b97f4a7c15ULL;
	int j, i, t;

	for (j = 0; j < npaths; j++)
		order[j] = j;
	for (j = npaths - 1; j > 0; j--) {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		i = (int)(state % (uint64_t)(j + 1));
		t = order[j];
		order[j] = order[i];
		order[i] = t;
	}
}

/* 1. Stream throughput runtime -> tool, interleaved, with router CPU. */
static void
measure_throughput(void)
{
	uint64_t n = (uint64_t)opt.stream_mib * 1024 * 1024;
	unsigned run, k;
	unsigned long long c0;
	struct path *p;
	int order[MAX_PATHS];
	double s;

	for (run = 0; run < opt.runs; run++) {
		note("throughput: run %u/%u", run + 1, opt.runs);
		path_order(order);
		for (k = 0; k < (unsigned)npaths; k++) {
			p = &paths[order[k]];
			c0 = p->pid > 0 ? proc_cpu_ticks(p->pid) : 0;
			s = tool_stream(p, n, 0, NULL);
			if (s > 0 && p->r.ntput < 64)
				p->r.tput[p->r.ntput++] = (double)opt.stream_mib / s;
			if (p->pid > 0) {
				if (p->tree)
					/* Let socat reap its child. */
					dsrtest_sleep_us(20000);
				p->r.cpu_ticks += proc_cpu_ticks(p->pid) - c0;
				p->r.cpu_mib += opt.stream_mib;
			}
		}
	}
}

/* 2 and 3. Round trips and connect-to-command, one command per connection. */
static void
measure_commands(void)
{
	unsigned i, k;
	struct path *p;
	double rtt, pair;
	int j, order[MAX_PATHS];

	for (j = 0; j < npaths; j++) {
		paths[j].r.rtt = xcalloc(opt.rtt, sizeof(double));
		paths[j].r.pair = xcalloc(opt.rtt, sizeof(double));
	}
	note("round trips: %u commands per path", opt.rtt);
	for (i = 0; i < opt.rtt; i++) {
		path_order(order);
		for (k = 0; k < (unsigned)npaths; k++) {
			p = &paths[order[k]];
			if (path_wait_idle(p, 10000) != 0) {
				path_fail(p, "no idle runtime connection");
				continue;
			}
			dsrtest_sleep_us(opt.rtt_pause_us);
			rtt = tool_command(p, &pair);
			if (rtt >= 0) {
				p->r.rtt[p->r.nrtt] = rtt;
				p->r.pair[p->r.nrtt++] = pair;
			}
		}
	}
}

/* 4a. Peak RSS while a slow tool reads a stream (the back-pressure bound). */
static void
measure_slow_reader(void)
{
	struct path *p;
	int j;

	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		if (p->pid <= 0)
			continue;
		note("slow reader: %s", p->name);
		p->r.slow_peak_rss = path_mem(p, NULL, NULL);
		tool_stream(p, (uint64_t)opt.slow_mib * 1024 * 1024, 2000,
		    &p->r.slow_peak_rss);
	}
}

/* 4b. RSS with many concurrent sessions, each holding its connection. */
static void
measure_sessions(void)
{
	uint8_t cmd[IPC_HDR + CMD_COLLECT_PAYLOAD], *buf;
	size_t cl = cmd_collect(cmd, 4096, FLAG_HOLD);
	struct path *p;
	int *fds, j;
	unsigned u, n;

	fds = xcalloc(opt.sessions, sizeof *fds);
	buf = xcalloc(1, 28 + 4096);
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		if (p->pid <= 0)
			continue;
		note("%u concurrent sessions: %s", opt.sessions, p->name);
		n = 0;
		for (u = 0; u < opt.sessions; u++) {
			if (path_wait_idle(p, 10000) != 0 ||
			    (fds[u] = tool_connect(p)) == -1) {
				path_fail(p, "sessions: cannot connect");
				break;
			}
			n++;
			if (write_all(fds[u], cmd, cl) != 0 ||
			    read_all(fds[u], buf, 28 + 4096) != 0) {
				path_fail(p, "sessions: no answer");
				break;
			}
		}
		if (n == opt.sessions) {
			dsrtest_sleep_us(opt.quick ? 20000 : 200000);
			p->r.sess_rss = path_mem(p, &p->r.sess_pss, &p->r.sess_nproc);
		}
		for (u = 0; u < n; u++)
			close(fds[u]);
		settle();
	}
	free(fds);
	free(buf);
}

/* 5a. Aggregate throughput with concurrent streams, interleaved. */
static void
measure_scale(void)
{
	unsigned s, run, k;
	uint64_t per, min = (uint64_t)opt.scale_min_kib * 1024;
	struct path *p;
	int order[MAX_PATHS];
	double v;

	for (s = 0; s < opt.nscale; s++) {
		per = (uint64_t)opt.scale_mib * 1024 * 1024 / opt.scale[s];
		if (per < min)
			per = min;
		for (run = 0; run < opt.scale_runs; run++) {
			note("scale: %u streams of %.2f MiB, run %u/%u",
			    opt.scale[s], (double)per / MIB, run + 1, opt.scale_runs);
			path_order(order);
			for (k = 0; k < (unsigned)npaths; k++) {
				p = &paths[order[k]];
				v = tool_scale(p, opt.scale[s], per);
				if (v > 0 && p->r.nscale_runs[s] < 16)
					p->r.scale[s][p->r.nscale_runs[s]++] = v;
				settle();
			}
		}
	}
}

/*
 * 5b. Many sequential sessions, interleaved across the routers (socat, a
 * fork per session, is left out): sessions per second of each router's own
 * time, its CPU per session, descriptors and RSS before and after.
 */
static void
measure_sequential(void)
{
	unsigned long long c0[MAX_PATHS];
	uint64_t busy[MAX_PATHS], t0;
	unsigned u, k, done[MAX_PATHS];
	struct path *p;
	int j, order[MAX_PATHS];

	note("%u sequential sessions per router, interleaved", opt.seq);
	settle();
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		busy[j] = 0;
		done[j] = 0;
		if (p->pid <= 0 || p->tree)
			continue;
		p->r.fd_before = dsrtest_proc_nfds(p->pid);
		p->r.seq_rss_before = path_mem(p, NULL, NULL);
		c0[j] = proc_cpu_ticks(p->pid);
	}
	for (u = 0; u < opt.seq; u++) {
		path_order(order);
		for (k = 0; k < (unsigned)npaths; k++) {
			j = order[k];
			p = &paths[j];
			if (p->pid <= 0 || p->tree || done[j] < u)
				continue;
			t0 = dsrtest_now_ns();
			if (tool_command(p, NULL) < 0)
				continue;
			busy[j] += dsrtest_now_ns() - t0;
			done[j]++;
		}
	}
	settle();
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		if (p->pid <= 0 || p->tree)
			continue;
		p->r.seq_per_s = done[j] / ((double)busy[j] / 1e9);
		p->r.seq_cpu_us = (double)(proc_cpu_ticks(p->pid) - c0[j]) * 1e6 /
		    (double)sysconf(_SC_CLK_TCK) / (done[j] > 0 ? done[j] : 1);
		p->r.fd_after = dsrtest_proc_nfds(p->pid);
		p->r.seq_rss_after = path_mem(p, NULL, NULL);
		p->r.seq_done = done[j] == opt.seq;
	}
}

/*
 * One request on a control socket: connect, send the request line, read the
 * answer to EOF (into *ans, grown as needed). Returns the milliseconds from
 * connect() to EOF, or -1.
 */
static double
ctl_request(const char *path, const char *req, char **ans, size_t *cap,
    size_t *len)
{
	uint64_t t0 = dsrtest_now_ns();
	ssize_t r;
	int fd;

	*len = 0;
	if ((fd = unix_connect(path, DSRTEST_RCVTIMEO, 5000)) == -1)
		return -1;
	if (write_all(fd, (const uint8_t *)req, strlen(req)) != 0) {
		close(fd);
		return -1;
	}
	for (;;) {
		if (*cap - *len < 65536) {
			*cap = *cap * 2 + 65536;
			if ((*ans = realloc(*ans, *cap)) == NULL)
				die("out of memory");
		}
		r = recv(fd, *ans + *len, *cap - *len - 1, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		*len += (size_t)r;
	}
	close(fd);
	(*ans)[*len] = '\0';
	if (r != 0 || *len == 0 || strncmp(*ans, "error:", 6) == 0)
		return -1;
	return (double)(dsrtest_now_ns() - t0) / 1e6;
}

/* How many times a string occurs in a text. */
static unsigned
count_of(const char *text, const char *what)
{
	unsigned n = 0;

	while ((text = strstr(text, what)) != NULL) {
		n++;
		text += strlen(what);
	}
	return n;
}

/* Run `dsrouterd status --json --control-socket PATH`; ms, or -1. */
static double
status_command(struct path *p)
{
	const char *av[] = { p->prog != NULL ? p->prog : opt.dsrouterd, "status",
		"--json", "--control-socket", p->ctl, NULL };
	uint64_t t0 = dsrtest_now_ns();
	int status;
	pid_t pid;

	pid = spawn(av, "/dev/null", NULL);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return (double)(dsrtest_now_ns() - t0) / 1e6;
}

/* Shared with the process that asks for the status during a stream. */
struct status_during {
	int32_t stop, started;
	uint32_t n, failed;
	double ms[STATUS_MAX_DURING];
};

/*
 * Ask for the status (JSON) every STATUS_EVERY_US, start to start, until
 * told to stop; in a child process, so that the stream is read meanwhile.
 * Without ask, only wake up as often (the control: what a process waking
 * every 10 ms costs the stream by itself).
 */
static pid_t
status_asker(struct path *p, struct status_during *sd, int ask)
{
	uint64_t next, now;
	size_t cap = 0, len;
	char *ans = NULL;
	double ms;
	pid_t pid;

	memset(sd, 0, sizeof *sd);
	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid > 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	next = dsrtest_now_ns();
	while (!__atomic_load_n(&sd->stop, __ATOMIC_SEQ_CST)) {
		ms = ask ? ctl_request(p->ctl, "status json\n", &ans, &cap,
		    &len) : 0;
		if (ms < 0)
			sd->failed++;
		else if (ask && sd->n < STATUS_MAX_DURING)
			sd->ms[sd->n++] = ms;
		__atomic_store_n(&sd->started, 1, __ATOMIC_SEQ_CST);
		next += STATUS_EVERY_US * 1000ull;
		now = dsrtest_now_ns();
		if (next > now)
			dsrtest_sleep_us((unsigned)((next - now) / 1000));
		else
			next = now;
	}
	_exit(0);
}

/*
 * 7. The status request with opt.sessions sessions open: text, JSON and the
 * command itself, timed; then streams alone, beside a process that only
 * wakes every 10 ms, and with a status request every 10 ms, interleaved,
 * with the sessions still open.
 */
static void
measure_status(void)
{
	uint8_t cmd[IPC_HDR + CMD_COLLECT_PAYLOAD], *buf;
	size_t cl = cmd_collect(cmd, 4096, FLAG_HOLD), cap = 0, len;
	uint64_t n = (uint64_t)opt.stream_mib * 1024 * 1024;
	static const char *const req[2] = { "status\n", "status json\n" };
	struct status_during *sd;
	unsigned long long c0;
	unsigned u, k, run, nopen, ncmd;
	struct path *p;
	char *ans = NULL;
	double ms, s;
	pid_t asker;
	int *fds, j, w;

	fds = xcalloc(opt.sessions, sizeof *fds);
	buf = xcalloc(1, 28 + 4096);
	sd = mmap(NULL, sizeof *sd, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sd == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	ncmd = opt.status_reqs / 10 > 3 ? opt.status_reqs / 10 : 3;
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		if (p->pid <= 0 || p->router != RK_DSROUTERD)
			continue;
		if (log_after(p->log, "status: dsrouterd status --control-socket ",
		    p->ctl, sizeof p->ctl) != 0) {
			note("status: %s has no control socket (its log does not "
			    "name one): skipped", p->name);
			continue;
		}
		note("status: %s, %u sessions open", p->name, opt.sessions);
		settle();
		nopen = 0;
		for (u = 0; u < opt.sessions; u++) {
			if (path_wait_idle(p, 10000) != 0 ||
			    (fds[u] = tool_connect(p)) == -1) {
				path_fail(p, "status: cannot open a session");
				break;
			}
			nopen++;
			if (write_all(fds[u], cmd, cl) != 0 ||
			    read_all(fds[u], buf, 28 + 4096) != 0) {
				path_fail(p, "status: a session got no answer");
				break;
			}
		}
		if (nopen < opt.sessions)
			goto close;
		for (w = 0; w < 3; w++)
			p->r.st_ms[w] = xcalloc(opt.status_reqs + ncmd, sizeof(double));
		/* The answers list every session (a check, not a timing). */
		for (w = 0; w < 2; w++) {
			if (ctl_request(p->ctl, req[w], &ans, &cap, &len) < 0) {
				path_fail(p, "status: no answer on the control socket");
				goto close;
			}
			p->r.st_bytes[w] = len;
			p->r.st_listed[w] = count_of(ans, w == 0 ? "\n    session " :
			    "{\"id\":");
			while (len > 0 && (ans[len - 1] == '\n' || ans[len - 1] == ' '))
				len--;
			if (p->r.st_listed[w] < opt.sessions ||
			    (w == 1 && (ans[0] != '{' || ans[len - 1] != '}'))) {
				note("%s: status %s lists %u sessions of %u", p->name,
				    w == 0 ? "text" : "json", p->r.st_listed[w],
				    opt.sessions);
				path_fail(p, "status: the answer does not list every "
				    "session");
			}
		}
		/* Text and JSON alternately, each on a new connection. */
		c0 = proc_cpu_ticks(p->pid);
		for (u = 0; u < opt.status_reqs; u++) {
			for (k = 0; k < 2; k++) {
				w = (int)((u + k) % 2);
				if ((ms = ctl_request(p->ctl, req[w], &ans, &cap,
				    &len)) < 0)
					path_fail(p, "status: a request failed");
				else
					p->r.st_ms[w][p->r.nst[w]++] = ms;
			}
		}
		p->r.st_cpu_us = (double)(proc_cpu_ticks(p->pid) - c0) * 1e6 /
		    (double)sysconf(_SC_CLK_TCK) / (2.0 * opt.status_reqs);
		/* The command a user runs (fork, exec, connect, read, exit). */
		for (u = 0; u < ncmd; u++) {
			if ((ms = status_command(p)) < 0)
				path_fail(p, "status: dsrouterd status failed");
			else
				p->r.st_ms[2][p->r.nst[2]++] = ms;
		}
		/* Streams alone and with status requests, interleaved. */
		p->r.st_during = xcalloc(STATUS_MAX_DURING, sizeof(double));
		for (run = 0; run < opt.status_runs; run++) {
			note("status: %s: stream run %u/%u, alone, beside a "
			    "wake-up and with a status request every %u ms",
			    p->name, run + 1, opt.status_runs,
			    STATUS_EVERY_US / 1000);
			for (k = 0; k < 3; k++) {
				w = (int)((run + k) % 3);
				asker = -1;
				if (w > 0) {
					asker = status_asker(p, sd, w == 2);
					while (!__atomic_load_n(&sd->started,
					    __ATOMIC_SEQ_CST))
						dsrtest_sleep_us(1000);
				}
				c0 = proc_cpu_ticks(p->pid);
				s = tool_stream(p, n, 0, NULL);
				p->r.st_cpu[w] += proc_cpu_ticks(p->pid) - c0;
				if (asker > 0) {
					__atomic_store_n(&sd->stop, 1, __ATOMIC_SEQ_CST);
					waitpid(asker, NULL, 0);
					for (u = 0; u < sd->n &&
					    p->r.nst_during < STATUS_MAX_DURING; u++)
						p->r.st_during[p->r.nst_during++] =
						    sd->ms[u];
					p->r.st_during_failed += sd->failed;
				}
				if (s > 0 && p->r.nst_tput[w] < 64) {
					p->r.st_tput[w][p->r.nst_tput[w]++] =
					    (double)opt.stream_mib / s;
					p->r.st_cpu_mib[w] += opt.stream_mib;
				}
			}
		}
		if (p->r.st_during_failed > 0)
			path_fail(p, "status: requests during a stream failed");
		p->r.st_done = 1;
close:
		for (u = 0; u < nopen; u++)
			close(fds[u]);
		settle();
	}
	munmap(sd, sizeof *sd);
	free(fds);
	free(buf);
	free(ans);
}

/* Sum "summary:" or "totals:" lines of callgrind files with a prefix. */
static unsigned long long
cg_total(const char *prefix)
{
	char fn[600], line[256];
	struct dirent *de;
	unsigned long long sum = 0;
	size_t plen = strlen(prefix);
	DIR *d;
	FILE *f;

	if ((d = opendir(tmpdir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		snprintf(fn, sizeof fn, "%s/%s", tmpdir, de->d_name);
		if ((f = fopen(fn, "r")) == NULL)
			continue;
		while (fgets(line, sizeof line, f) != NULL) {
			if (strncmp(line, "summary:", 8) == 0) {
				sum += strtoull(line + 8, NULL, 10);
				break;
			}
			if (strncmp(line, "totals:", 7) == 0) {
				sum += strtoull(line + 7, NULL, 10);
				break;
			}
		}
		fclose(f);
	}
	closedir(d);
	return sum;
}

/*
 * 6. Instructions per MiB under callgrind: two runs of one stream each,
 * small and large; the difference divided by the MiB between them.
 */
static void
measure_callgrind(void)
{
	struct path cp;
	char out[400], prefix[64];
	unsigned long long tot[2];
	uint64_t sizes[2];
	int j, k;

	sizes[0] = 4ull * 1024 * 1024;
	sizes[1] = sizes[0] + (uint64_t)opt.cg_mib * 1024 * 1024;
	for (j = 0; j < npaths; j++) {
		if (paths[j].kind == PK_DIRECT || paths[j].router == RK_DOTNET)
			continue;
		for (k = 0; k < 2; k++) {
			cp = paths[j];
			memset(&cp.r, 0, sizeof cp.r);
			cp.errors = 0;
			snprintf(cp.sock, sizeof cp.sock, "%s/cg%d.sock", tmpdir, j);
			snprintf(cp.log, sizeof cp.log, "%s/cg%d-%d.log", tmpdir, j, k);
			snprintf(prefix, sizeof prefix, "cg%d-%d.", j, k);
			snprintf(out, sizeof out, "%s/%s%%p.out", tmpdir, prefix);
			note("callgrind: %s, %llu MiB", cp.name,
			    (unsigned long long)(sizes[k] >> 20));
			router_start(&cp, out);
			if (tool_stream(&cp, sizes[k], 0, NULL) < 0)
				paths[j].errors++;
			dsrtest_sleep_us(200000);
			router_stop(&cp);
			tot[k] = cg_total(prefix);
		}
		if (tot[0] > 0 && tot[1] > tot[0]) {
			paths[j].r.cg_per_mib = (double)(tot[1] - tot[0]) / opt.cg_mib;
			paths[j].r.cg_done = 1;
		}
	}
}

/* Whether a measure is to run (--only). */
static int
want(const char *name)
{
	const char *p;
	size_t n = strlen(name);

	if (opt.only == NULL)
		return 1;
	for (p = opt.only; (p = strstr(p, name)) != NULL; p += n) {
		if ((p == opt.only || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Report. */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile (nearest rank) of n values; sorts them. */
static double
pct(double *v, unsigned n, double p)
{
	unsigned i;

	if (n == 0)
		return -1;
	qsort(v, n, sizeof *v, cmp_double);
	i = (unsigned)(p / 100.0 * n + 0.5);
	if (i > 0)
		i--;
	if (i >= n)
		i = n - 1;
	return v[i];
}

/* Format kB as MiB, or "-". */
static const char *
fmt_mib(char *buf, size_t len, long kb)
{
	if (kb < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", (double)kb / 1024.0);
	return buf;
}

/* The direct path, and socat's, for ratios. */
static struct path *
path_find(enum router_kind rk, enum path_kind pk)
{
	int j;

	for (j = 0; j < npaths; j++) {
		if (paths[j].router == rk && paths[j].kind == pk &&
		    paths[j].env == NULL && paths[j].prog == NULL)
			return &paths[j];
	}
	return NULL;
}

static char load_start[64];

/* The 1-minute load average, as text. */
static const char *
load_now(void)
{
	static char buf[64];
	FILE *f;

	snprintf(buf, sizeof buf, "?");
	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(f, "%63s", buf) != 1)
			snprintf(buf, sizeof buf, "?");
		fclose(f);
	}
	return buf;
}

/* Print the machine the numbers come from. */
static void
print_machine(void)
{
	struct utsname u;
	char line[256], model[200] = "unknown";
	FILE *f;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if ((f = fopen("/proc/cpuinfo", "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			if (strncmp(line, "model name", 10) == 0) {
				char *c = strchr(line, ':');
				if (c != NULL) {
					snprintf(model, sizeof model, "%s", c + 2);
					model[strcspn(model, "\n")] = '\0';
				}
				break;
			}
		}
		fclose(f);
	}
	uname(&u);
	printf("Machine: %s %s, %ld CPU(s), %s; load average %s at the start, "
	    "%s at the end (other work on the machine slows the paths with "
	    "more processes most).\n\n", u.sysname, u.release, ncpu, model,
	    load_start, load_now());
}

/* The slowest status answer of a path: text, JSON or the command. */
static double
status_max(struct path *p)
{
	double v, m = 0;
	int w;

	for (w = 0; w < 3; w++) {
		if ((v = pct(p->r.st_ms[w], p->r.nst[w], 100)) > m)
			m = v;
	}
	return m;
}

/* CPU seconds per GiB, or 0. */
static double
cpu_per_gib(unsigned long long ticks, double mib)
{
	return mib > 0 ? (double)ticks / (double)sysconf(_SC_CLK_TCK) /
	    (mib / 1024.0) : 0;
}

/* 7. The status request. */
static void
report_status(void)
{
	struct path *p;
	double *d;
	int j, w;

	printf("\n## 7. Status\n\nThe control socket (`dsrouterd status`) "
	    "with %u sessions open (each a CollectTracing session held open, "
	    "as in table 4): %u requests of each form, text and JSON "
	    "alternately, each on a new connection, milliseconds from "
	    "connect() to the end of the answer; and the command a user runs, "
	    "`dsrouterd status --json --control-socket PATH` (fork, exec, "
	    "connect, read, exit), %u times. The answers list every session. "
	    "Router CPU = the router's user+sys time over the text and JSON "
	    "requests, per request.\n\n",
	    opt.sessions, opt.status_reqs, opt.status_reqs / 10 > 3 ?
	    opt.status_reqs / 10 : 3);
	printf("| path | text KiB | text p50 | p99 | max | JSON KiB | JSON p50 | "
	    "p99 | max | command p50 | max | router CPU us/request |\n"
	    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		if (!p->r.st_done)
			continue;
		printf("| %s |", p->name);
		for (w = 0; w < 3; w++) {
			d = p->r.st_ms[w];
			if (w < 2)
				printf(" %.1f |", (double)p->r.st_bytes[w] / 1024);
			printf(" %.2f |", pct(d, p->r.nst[w], 50));
			if (w < 2)
				printf(" %.2f |", pct(d, p->r.nst[w], 99));
			printf(" %.2f |", pct(d, p->r.nst[w], 100));
		}
		printf(" %.0f |\n", p->r.st_cpu_us);
	}
	printf("\nA %u MiB stream with the %u sessions still open: alone; "
	    "beside a process that only wakes up every %u ms (the control: "
	    "what another process waking that often does to the stream by "
	    "itself); and with that process sending a `status json` request "
	    "every %u ms (start to start) during it. %u interleaved runs of "
	    "each: median MiB/s (min-max), the router's CPU per GiB, and the "
	    "requests made during the streams. Within the noise (Targets): "
	    "the median with status requests is no lower than the lower "
	    "quartile of the runs alone.\n\n", opt.stream_mib,
	    opt.sessions, STATUS_EVERY_US / 1000, STATUS_EVERY_US / 1000,
	    opt.status_runs);
	printf("| path | alone MiB/s | wake-up MiB/s | with status MiB/s | "
	    "with / alone | with / wake-up | CPU s/GiB alone | wake-up | with | "
	    "requests | their p50 ms | p99 | max |\n"
	    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		if (!p->r.st_done)
			continue;
		printf("| %s |", p->name);
		for (w = 0; w < 3; w++)
			printf(" %.0f (%.0f-%.0f) |",
			    pct(p->r.st_tput[w], p->r.nst_tput[w], 50),
			    pct(p->r.st_tput[w], p->r.nst_tput[w], 0),
			    pct(p->r.st_tput[w], p->r.nst_tput[w], 100));
		printf(" %.2f | %.2f |", pct(p->r.st_tput[2], p->r.nst_tput[2], 50) /
		    pct(p->r.st_tput[0], p->r.nst_tput[0], 50),
		    pct(p->r.st_tput[2], p->r.nst_tput[2], 50) /
		    pct(p->r.st_tput[1], p->r.nst_tput[1], 50));
		for (w = 0; w < 3; w++)
			printf(" %.2f |", cpu_per_gib(p->r.st_cpu[w],
			    p->r.st_cpu_mib[w]));
		printf(" %u | %.2f | %.2f | %.2f |\n", p->r.nst_during,
		    pct(p->r.st_during, p->r.nst_during, 50),
		    pct(p->r.st_during, p->r.nst_during, 99),
		    pct(p->r.st_during, p->r.nst_during, 100));
	}
}

/* Print every table. */
static void
report(void)
{
	struct path *d = path_find(RK_NONE, PK_DIRECT);
	struct path *so = path_find(RK_SOCAT, PK_SC);
	struct path *p;
	double dmed = -1, smed = -1, med, v, dp50 = 0, dp99 = 0, p50, p99;
	uint8_t ans[1024];
	char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32], b7[32];
	unsigned s;
	int j;

	printf("# dsr-bench results\n\n");
	print_machine();
	printf("Paths: **direct** = the tool connects straight to the runtime's "
	    "TCP port (no router, the limit); **server-client** = tool on a Unix "
	    "socket, router connects to the listening runtime over TCP; "
	    "**server-server** = tool on a Unix socket, the runtime keeps an idle "
	    "advertised TCP connection to the router; **socat** = `socat -b 262144 "
	    "UNIX-LISTEN:...,fork TCP:...,nodelay`, the server-client shape.\n\n");
	if (opt.dotnet == NULL)
		printf("dotnet-dsrouter: skipped: %s\n\n",
		    opt.dotnet_note != NULL ? opt.dotnet_note : "not given");

	/* 1. */
	if (d != NULL)
		dmed = pct(d->r.tput, d->r.ntput, 50);
	if (so != NULL)
		smed = pct(so->r.tput, so->r.ntput, 50);
	if (!want("throughput"))
		goto commands;
	printf("## 1. Stream throughput, runtime -> tool\n\n%u MiB per run, "
	    "median of %u interleaved runs; router CPU = user+sys of the router "
	    "process(es) per GiB forwarded.\n\n", opt.stream_mib, opt.runs);
	printf("| path | MiB/s | min | max | x direct | x socat | router CPU s/GiB |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|\n");
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		med = pct(p->r.tput, p->r.ntput, 50);
		printf("| %s | %.0f | %.0f | %.0f | %.2f | ", p->name, med,
		    pct(p->r.tput, p->r.ntput, 0), pct(p->r.tput, p->r.ntput, 100),
		    dmed > 0 ? med / dmed : 0);
		if (smed > 0 && p->kind != PK_DIRECT)
			printf("%.2f | ", med / smed);
		else
			printf("- | ");
		if (p->r.cpu_mib > 0)
			printf("%.2f |\n", (double)p->r.cpu_ticks /
			    (double)sysconf(_SC_CLK_TCK) / (p->r.cpu_mib / 1024.0));
		else
			printf("- |\n");
	}

	/* 2 and 3. */
commands:
	if (d != NULL && d->r.nrtt > 0) {
		dp50 = pct(d->r.rtt, d->r.nrtt, 50);
		dp99 = pct(d->r.rtt, d->r.nrtt, 99);
	}
	if (!want("commands"))
		goto memory;
	printf("\n## 2. Command round trip\n\nProcessInfo (20-byte request, "
	    "%zu-byte answer) on a new connection each time, %u per path, "
	    "interleaved; microseconds from connect() to the whole answer.\n\n",
	    answer_processinfo(ans), opt.rtt);
	printf("| path | p50 us | p99 us | added p50 | added p99 |\n");
	printf("|---|---:|---:|---:|---:|\n");
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		p50 = pct(p->r.rtt, p->r.nrtt, 50);
		p99 = pct(p->r.rtt, p->r.nrtt, 99);
		printf("| %s | %.0f | %.0f | %+.0f | %+.0f |\n", p->name, p50,
		    p99, p50 - dp50, p99 - dp99);
	}
	printf("\n## 3. Connect to command at the runtime (pairing)\n\n"
	    "Microseconds from the tool's connect() to the runtime having the "
	    "whole command. For server-server the runtime's idle advertised "
	    "connection is waiting: this is the pairing latency.\n\n");
	printf("| path | p50 us | p99 us |\n|---|---:|---:|\n");
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		printf("| %s | %.0f | %.0f |\n", p->name,
		    pct(p->r.pair, p->r.nrtt, 50), pct(p->r.pair, p->r.nrtt, 99));
	}

	/* 4. */
memory:
	printf("\n## 4. Memory of the router, MiB\n\nRSS of the router process "
	    "(socat: summed over its forks, which counts shared pages once per "
	    "process; PSS divides them). Idle = just started; %u sessions = "
	    "that many tools each in a CollectTracing session that stays open; "
	    "slow reader = peak while a tool reads a %u MiB stream at 32 MiB/s; "
	    "idle after = at the end of the run. Socket and pipe buffers are "
	    "kernel memory and not counted.\n\n", opt.sessions, opt.slow_mib);
	printf("| path | idle RSS | idle PSS | %u sessions RSS | %u sessions PSS | "
	    "processes | slow reader peak RSS | idle after RSS |\n",
	    opt.sessions, opt.sessions);
	printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		if (p->kind == PK_DIRECT)
			continue;
		snprintf(b7, sizeof b7, "%d", p->r.sess_nproc);
		printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", p->name,
		    fmt_mib(b1, sizeof b1, p->r.idle_rss),
		    fmt_mib(b6, sizeof b6, p->r.idle_pss),
		    fmt_mib(b2, sizeof b2, p->r.sess_rss ? p->r.sess_rss : -1),
		    fmt_mib(b3, sizeof b3, p->r.sess_pss ? p->r.sess_pss : -1),
		    p->r.sess_nproc > 0 ? b7 : "-",
		    fmt_mib(b4, sizeof b4, p->r.slow_peak_rss),
		    fmt_mib(b5, sizeof b5, p->r.idle_after_rss));
	}

	/* 5. */
	if (!want("scale"))
		goto sequential;
	printf("\n## 5. Scale\n\nAggregate MiB/s with concurrent streams "
	    "(%u MiB in total per run, at least %u KiB per stream), median of %u "
	    "interleaved runs.\n\n| path |", opt.scale_mib, opt.scale_min_kib,
	    opt.scale_runs);
	for (s = 0; s < opt.nscale; s++)
		printf(" %u |", opt.scale[s]);
	printf("\n|---|");
	for (s = 0; s < opt.nscale; s++)
		printf("---:|");
	printf("\n");
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		printf("| %s |", p->name);
		for (s = 0; s < opt.nscale; s++) {
			v = pct(p->r.scale[s], p->r.nscale_runs[s], 50);
			if (v < 0)
				printf(" - |");
			else
				printf(" %.0f |", v);
		}
		printf("\n");
	}
sequential:
	if (!want("seq"))
		goto cpu;
	printf("\n%u sequential sessions (ProcessInfo, new connection each, "
	    "interleaved across the routers; sessions/s counts each router's "
	    "own time):\n\n"
	    "| path | sessions/s | router CPU us/session | fds before | fds after | "
	    "RSS before | RSS after |\n|---|---:|---:|---:|---:|---:|---:|\n", opt.seq);
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		if (p->pid == 0 || p->kind == PK_DIRECT || p->tree || !p->r.seq_done)
			continue;
		printf("| %s | %.0f | %.0f | %d | %d | %s | %s |\n", p->name,
		    p->r.seq_per_s, p->r.seq_cpu_us, p->r.fd_before, p->r.fd_after,
		    fmt_mib(b1, sizeof b1, p->r.seq_rss_before),
		    fmt_mib(b2, sizeof b2, p->r.seq_rss_after));
	}

	/* 6. */
cpu:
	printf("\n## 6. CPU cost\n\n");
	if (!want("callgrind")) {
		printf("Instructions per MiB: not measured in this run.\n");
	} else if (opt.valgrind == NULL) {
		printf("Instructions per MiB: skipped (no valgrind).\n");
	} else {
		printf("User-space instructions per MiB forwarded, counted by "
		    "callgrind (kernel copies are not included, see the router "
		    "CPU column of table 1 for those; the count is exact, but "
		    "how many bytes each read or splice moves depends on "
		    "scheduling, so it varies between runs, up to 2x): one "
		    "stream of 4 MiB and one of %u MiB more, the difference "
		    "divided by %u.\n\n| path | instructions/MiB |\n|---|---:|\n",
		    opt.cg_mib, opt.cg_mib);
		for (j = 0; j < npaths; j++) {
			p = &paths[j];
			if (p->r.cg_done)
				printf("| %s | %.0f |\n", p->name, p->r.cg_per_mib);
		}
	}

	/* 7. */
	if (want("status"))
		report_status();

	/* Targets. */
	printf("\n## Targets\n\n| target | path | measured | met |\n"
	    "|---|---|---:|---|\n");
	for (j = 0; j < npaths; j++) {
		p = &paths[j];
		if (p->router != RK_DSROUTERD || p->prog != NULL)
			continue;
		med = pct(p->r.tput, p->r.ntput, 50);
		if (dmed > 0 && med > 0)
			printf("| throughput >= 0.9x direct | %s | %.2fx | %s |\n",
			    p->name, med / dmed, med / dmed >= 0.9 ? "yes" : "no");
		if (smed > 0 && med > 0)
			printf("| throughput >= 1.5x socat | %s | %.2fx | %s |\n",
			    p->name, med / smed, med / smed >= 1.5 ? "yes" : "no");
		if (p->r.nrtt > 0 && d != NULL) {
			v = pct(p->r.rtt, p->r.nrtt, 50) - dp50;
			printf("| round trip adds <= 30 us p50 | %s | %+.0f us | %s |\n",
			    p->name, v, v <= 30 ? "yes" : "no");
		}
		if (p->kind == PK_SS && p->r.nrtt > 0) {
			v = pct(p->r.pair, p->r.nrtt, 99);
			printf("| pairing < 1 ms p99 | %s | %.0f us | %s |\n",
			    p->name, v, v < 1000 ? "yes" : "no");
		}
		printf("| idle RSS <= 2 MiB | %s | %ld KiB | %s |\n", p->name,
		    p->r.idle_rss, p->r.idle_rss <= 2048 ? "yes" : "no");
		if (p->r.sess_rss > 0)
			printf("| %u sessions <= 64 MiB | %s | %.1f MiB | %s |\n",
			    opt.sessions, p->name, (double)p->r.sess_rss / 1024,
			    p->r.sess_rss <= 65536 ? "yes" : "no");
		if (p->r.st_done) {
			v = status_max(p);
			printf("| status with %u sessions within 100 ms | %s | "
			    "max %.1f ms | %s |\n", opt.sessions, p->name, v,
			    v <= 100 ? "yes" : "no");
			/*
			 * Within the noise: the median with status requests
			 * is no lower than the lower quartile of the runs
			 * alone.
			 */
			med = pct(p->r.st_tput[2], p->r.nst_tput[2], 50);
			v = pct(p->r.st_tput[0], p->r.nst_tput[0], 25);
			printf("| stream with status every %u ms within the noise "
			    "of the runs alone | %s | %.0f MiB/s, alone's lower "
			    "quartile %.0f (%.2fx alone's median) | %s |\n",
			    STATUS_EVERY_US / 1000, p->name, med, v,
			    med / pct(p->r.st_tput[0], p->r.nst_tput[0], 50),
			    med >= v ? "yes" : "no");
		}
	}
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Set-up. */

/* Add a path. */
static struct path *
path_add(const char *name, enum path_kind kind, enum router_kind router,
    const char *env)
{
	struct path *p;
	static int ntargets;

	if (npaths == MAX_PATHS)
		die("too many paths");
	p = &paths[npaths];
	memset(p, 0, sizeof *p);
	p->name = name;
	p->kind = kind;
	p->router = router;
	p->env = env;
	p->tree = router == RK_SOCAT;
	p->target = kind == PK_SS ? ntargets++ : -1;
	p->r.slow_peak_rss = -1;
	snprintf(p->sock, sizeof p->sock, "%s/p%d.sock", tmpdir, npaths);
	snprintf(p->log, sizeof p->log, "%s/p%d.log", tmpdir, npaths);
	npaths++;
	return p;
}

/* Remove the temporary directory. */
static void
cleanup(void)
{
	char fn[600];
	struct dirent *de;
	DIR *d;

	if (tmpdir[0] == '\0' || (d = opendir(tmpdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(fn, sizeof fn, "%s/%s", tmpdir, de->d_name);
		unlink(fn);
	}
	closedir(d);
	rmdir(tmpdir);
}

/* Usage: on stdout and exit 0 when asked for, else on stderr, exit 64. */
static void NORETURN
usage_exit(int code)
{
	fprintf(code == 0 ? stdout : stderr,
"usage: dsr-bench --dsrouterd PATH [--socat PATH] [--dotnet-dsrouter PATH |\n"
"                 --dotnet-note TEXT] [--valgrind PATH] [--baseline PATH]\n"
"                 [--quick] [--verify]\n"
"                 [--stream-mib N] [--runs N] [--rtt N] [--sessions N]\n"
"                 [--seq N] [--scale N,N,...] [--scale-mib N] [--scale-runs N]\n"
"                 [--scale-min-kib N] [--slow-mib N] [--cg-mib N]\n"
"                 [--status-reqs N] [--status-runs N] [--timeout SECS]\n"
"                 [--keep]\n"
"                 [--only MEASURE,...]\n"
"measures: throughput commands slow sessions scale seq callgrind status\n");
	exit(code);
}

/* Usage, for a bad command line. */
static void NORETURN
usage(void)
{
	usage_exit(64);
}

/* Parse "1,10,100". */
static void
parse_scale(const char *s)
{
	char *end;

	opt.nscale = 0;
	while (*s != '\0' && opt.nscale < NSCALE) {
		opt.scale[opt.nscale++] = (unsigned)strtoul(s, &end, 10);
		if (end == s || opt.scale[opt.nscale - 1] == 0)
			usage();
		s = *end == ',' ? end + 1 : end;
	}
}

/*
 * The numeric options: their values for a full run and with --quick, and
 * whether 0 may be given.
 */
static const struct num_opt {
	const char *name;
	unsigned *value;
	unsigned full, quick;
	int zero_ok;
} num_opts[] = {
	{ "--stream-mib", &opt.stream_mib, 256, 8, 0 },
	{ "--runs", &opt.runs, 7, 2, 0 },
	{ "--rtt", &opt.rtt, 2000, 30, 0 },
	{ "--sessions", &opt.sessions, 1000, 20, 1 },
	{ "--seq", &opt.seq, 10000, 100, 1 },
	{ "--scale-mib", &opt.scale_mib, 256, 4, 0 },
	{ "--scale-min-kib", &opt.scale_min_kib, 1024, 256, 0 },
	{ "--scale-runs", &opt.scale_runs, 3, 1, 0 },
	{ "--slow-mib", &opt.slow_mib, 16, 1, 0 },
	{ "--cg-mib", &opt.cg_mib, 64, 4, 1 },
	{ "--status-reqs", &opt.status_reqs, 500, 5, 0 },
	{ "--status-runs", &opt.status_runs, 21, 2, 0 },
	{ "--timeout", &opt.timeout, 1800, 120, 0 },
};
#define NUM_OPTS (sizeof num_opts / sizeof num_opts[0])

/* The options that take a path or a text. */
static const struct str_opt {
	const char *name;
	const char **value;
} str_opts[] = {
	{ "--dsrouterd", &opt.dsrouterd },
	{ "--socat", &opt.socat },
	{ "--dotnet-dsrouter", &opt.dotnet },
	{ "--dotnet-note", &opt.dotnet_note },
	{ "--valgrind", &opt.valgrind },
	{ "--baseline", &opt.baseline },
	{ "--only", &opt.only },
};
#define STR_OPTS (sizeof str_opts / sizeof str_opts[0])

/* Set every size to its full-run value, or to its --quick one. */
static void
opt_sizes(int quick)
{
	size_t k;

	opt.quick = quick;
	for (k = 0; k < NUM_OPTS; k++)
		*num_opts[k].value = quick ? num_opts[k].quick :
		    num_opts[k].full;
	parse_scale(quick ? "1,10" : "1,10,100,1000");
}

/* Take an option that has a value, at argv[i]; returns the value's index. */
static int
opt_value(char **argv, int i)
{
	size_t k;

	for (k = 0; k < STR_OPTS; k++) {
		if (strcmp(argv[i], str_opts[k].name) == 0) {
			*str_opts[k].value = argv[i + 1];
			return i + 1;
		}
	}
	if (strcmp(argv[i], "--scale") == 0) {
		parse_scale(argv[i + 1]);
		return i + 1;
	}
	for (k = 0; k < NUM_OPTS; k++) {
		if (strcmp(argv[i], num_opts[k].name) == 0) {
			*num_opts[k].value = (unsigned)strtoul(argv[i + 1],
			    NULL, 10);
			if (*num_opts[k].value == 0 && !num_opts[k].zero_ok)
				usage();
			return i + 1;
		}
	}
	usage();
}

/*
 * The measures run with every router up, in order (callgrind comes after);
 * the late ones after the idle-after memory reading, which they would
 * change.
 */
static const struct measure {
	const char *name;
	void (*run)(void);
	int late;
} measures[] = {
	{ "throughput", measure_throughput, 0 },
	{ "commands", measure_commands, 0 },
	{ "slow", measure_slow_reader, 0 },
	{ "sessions", measure_sessions, 0 },
	{ "scale", measure_scale, 0 },
	{ "seq", measure_sequential, 0 },
	{ "status", measure_status, 1 },
};
#define MEASURES (sizeof measures / sizeof measures[0])

int
main(int argc, char **argv)
{
	const char *base;
	size_t k;
	int i, j, keep = 0, errors = 0;

	opt.rtt_pause_us = 200;
	opt_sizes(0);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			opt_sizes(1);
			continue;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			usage_exit(0);
		if (strcmp(argv[i], "--verify") == 0) {
			opt.verify = 1;
			continue;
		}
		if (strcmp(argv[i], "--keep") == 0) {
			keep = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		i = opt_value(argv, i);
	}
	if (opt.dsrouterd == NULL)
		usage();
	if (opt.runs > 64)
		opt.runs = 64;
	if (opt.scale_runs > 16)
		opt.scale_runs = 16;
	if (opt.status_runs > 64)
		opt.status_runs = 64;

	signal(SIGPIPE, SIG_IGN);
	alarm(opt.timeout);     /* a hang fails instead of blocking */
	base = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	if (strlen(base) > sizeof tmpdir - 20)
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/dsr-bench.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL)
		die("mkdtemp %s: %s", tmpdir, strerror(errno));
	if (!keep)
		atexit(cleanup);
	pattern_init();
	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(sh, 0, sizeof *sh);
	snprintf(load_start, sizeof load_start, "%s", load_now());
	rt_start();

	path_add("direct", PK_DIRECT, RK_NONE, NULL);
	path_add("dsrouterd server-client", PK_SC, RK_DSROUTERD, NULL);
	path_add("dsrouterd server-server", PK_SS, RK_DSROUTERD, NULL);
	path_add("dsrouterd server-client, portable relay", PK_SC, RK_DSROUTERD,
	    "DSROUTERD_NO_SPLICE=1");
	if (opt.baseline != NULL) {
		path_add("baseline server-client", PK_SC, RK_DSROUTERD,
		    NULL)->prog = opt.baseline;
		path_add("baseline server-server", PK_SS, RK_DSROUTERD,
		    NULL)->prog = opt.baseline;
	}
	if (opt.socat != NULL)
		path_add("socat", PK_SC, RK_SOCAT, NULL);
	if (opt.dotnet != NULL) {
		path_add("dotnet-dsrouter server-client", PK_SC, RK_DOTNET, NULL);
		path_add("dotnet-dsrouter server-server", PK_SS, RK_DOTNET, NULL);
	}
	for (j = 0; j < npaths; j++) {
		router_start(&paths[j], NULL);
		if (paths[j].pid > 0)
			note("started %s (pid %ld)", paths[j].name, (long)paths[j].pid);
	}
	dsrtest_sleep_us(opt.quick ? 50000 : 500000);
	for (j = 0; j < npaths; j++) {
		if (paths[j].pid > 0)
			paths[j].r.idle_rss = path_mem(&paths[j],
			    &paths[j].r.idle_pss, NULL);
	}

	/* Warm up every path, and check the bytes both ways when asked. */
	for (j = 0; j < npaths; j++) {
		for (i = 0; i < 5; i++)
			tool_command(&paths[j], NULL);
		if (opt.verify)
			check_behaviour(&paths[j]);
	}

	for (k = 0; k < MEASURES; k++) {
		if (!measures[k].late && want(measures[k].name))
			measures[k].run();
	}
	settle();
	for (j = 0; j < npaths; j++) {
		if (paths[j].pid > 0)
			paths[j].r.idle_after_rss = path_mem(&paths[j], NULL, NULL);
	}
	for (k = 0; k < MEASURES; k++) {
		if (measures[k].late && want(measures[k].name))
			measures[k].run();
	}
	for (j = 0; j < npaths; j++)
		router_stop(&paths[j]);
	if (opt.valgrind != NULL && want("callgrind"))
		measure_callgrind();

	report();
	if (__atomic_load_n(&sh->upload_bad, __ATOMIC_SEQ_CST) != 0) {
		note("the runtime received bytes that differ from the tool's");
		errors++;
	}
	for (j = 0; j < npaths; j++) {
		if (paths[j].errors > 0) {
			note("%s: %d failure(s)", paths[j].name, paths[j].errors);
			errors += paths[j].errors;
		}
	}
	close(rt_ctl);
	kill(rt_pid, SIGKILL);
	waitpid(rt_pid, NULL, 0);
	return errors > 0 ? 1 : 0;
}

#endif /* __linux__ */

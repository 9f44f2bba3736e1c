/* SPDX-License-Identifier: MIT */
/*
 * dsr-ipc: a small client of the .NET diagnostic IPC protocol, the tool
 * side of the interop tests when the real tools are not at hand (and a
 * second opinion when they are).
 *
 *   dsr-ipc [-t SECS] processinfo ADDR
 *   dsr-ipc [-t SECS] resume [-c] ADDR
 *   dsr-ipc [-t SECS] collect [-p PROVIDER] [-k KEYWORDS] [-l LEVEL]
 *                             [-s SECS] [-r] -o FILE ADDR
 *   dsr-ipc [-t SECS] stop ADDR SESSION
 *   dsr-ipc [-t SECS] listen [-n COUNT] [-u RUNTIMES] PATH
 *   dsr-ipc nettrace-check FILE NAME
 *
 * ADDR is a Unix socket path, or tcp:HOST:PORT. Every wait is bounded by a
 * poll() deadline (-t, default 10 s), so the client never hangs. Results go
 * to stdout as key=value lines; diagnostics go to stderr.
 *
 * Exit status: 0 success; 1 failure (I/O, time-out, bad answer); 2 the
 * peer answered with an IPC error; 3 (collect) the stream ended, with no
 * StopTracing of ours, before its end-of-stream tag (e.g. the runtime died);
 * 64 bad usage.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrtest.h"

#define HDR_SIZE DSRTEST_HEADER_SIZE
#define ADV_SIZE DSRTEST_ADVERTISE_SIZE
#define MAX_FRAME DSRTEST_MAX_FRAME

static double opt_timeout = 10.0;
static volatile sig_atomic_t got_signal;

/* ---- small helpers --------------------------------------------------- */

/* A diagnostic line on stderr. */
static void
vwarnx_(const char *fmt, va_list ap)
{
	fprintf(stderr, "dsr-ipc: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* A diagnostic, then exit 1. */
static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx_(fmt, ap);
	va_end(ap);
	exit(1);
}

/* A diagnostic. */
static void
warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx_(fmt, ap);
	va_end(ap);
}

/* Seconds on the monotonic clock. */
static double
now_s(void)
{
	return (double)dsrtest_now_ns() / 1e9;
}

/* Milliseconds left until a deadline, for poll(). */
static int
ms_left(double deadline)
{
	double left = deadline - now_s();

	if (left <= 0)
		return 0;
	return (int)(left * 1000.0) + 1;
}

/* ---- sockets --------------------------------------------------------- */

/*
 * Connect to ADDR (a socket path or tcp:HOST:PORT) within the deadline;
 * the socket is left non-blocking.
 */
static int
connect_addr(const char *addr, double deadline)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (strncmp(addr, "tcp:", 4) == 0) {
		if (dsrtest_sockaddr(addr, &ss) == 0 && errno == EINVAL)
			die("bad address %s (tcp:HOST:PORT)", addr);
		fd = dsrtest_connect(addr, DSRTEST_NONBLOCK, ms_left(deadline));
	} else {
		if ((len = dsrtest_sockaddr_un(addr, &ss)) == 0)
			die("socket path too long: %s", addr);
		fd = dsrtest_connect_sa(&ss, len, DSRTEST_NONBLOCK,
		    ms_left(deadline));
	}
	if (fd == -1)
		die("cannot connect to %s: %s", addr, strerror(errno));
	return fd;
}

/* Write everything before the deadline, or die. */
static void
write_all(int fd, const uint8_t *p, size_t n, double deadline)
{
	if (dsrtest_write_all(fd, p, n, ms_left(deadline)) == 0)
		return;
	if (errno == ETIMEDOUT || errno == EAGAIN || errno == EINTR)
		die("write timed out");
	die("write: %s", strerror(errno));
}

/*
 * Read exactly n bytes before the deadline. Returns n, or the count read
 * before EOF (a short read), or dies on a time-out or an error.
 */
static size_t
read_full(int fd, uint8_t *p, size_t n, double deadline, const char *what)
{
	size_t got;

	if (dsrtest_read_exact(fd, p, n, ms_left(deadline), &got) == -1 &&
	    errno != 0) {
		if (errno == ETIMEDOUT)
			die("timed out waiting for %s (%zu of %zu bytes)", what,
			    got, n);
		if (errno == EINTR)
			die("interrupted waiting for %s", what);
		die("read %s: %s", what, strerror(errno));
	}
	return got;
}

/* ---- messages -------------------------------------------------------- */

struct msg {
	uint8_t buf[MAX_FRAME];
	size_t len;
};

static void
msg_begin(struct msg *m, uint8_t set, uint8_t id)
{
	dsrtest_header(m->buf, HDR_SIZE, set, id);
	m->len = HDR_SIZE;
}

static void
msg_need(struct msg *m, size_t n)
{
	if (m->len + n > MAX_FRAME)
		die("message too large");
}

static void
msg_u8(struct msg *m, uint8_t v)
{
	msg_need(m, 1);
	m->buf[m->len++] = v;
}

static void
msg_u32(struct msg *m, uint32_t v)
{
	msg_need(m, 4);
	dsrtest_put_u32(m->buf + m->len, v);
	m->len += 4;
}

static void
msg_u64(struct msg *m, uint64_t v)
{
	msg_need(m, 8);
	dsrtest_put_u64(m->buf + m->len, v);
	m->len += 8;
}

/*
 * A string: u32 count of UTF-16 code units including the NUL, then
 * UTF-16LE. NULL is a count of 0. Input is taken as ASCII/Latin-1, which is
 * all the tests send.
 */
static void
msg_str(struct msg *m, const char *s)
{
	msg_need(m, s == NULL ? 4 : 4 + 2 * (strlen(s) + 1));
	m->len += dsrtest_put_string(m->buf + m->len, s);
}

static void
msg_send(int fd, struct msg *m, double deadline)
{
	dsrtest_put_u16(m->buf + 14, (uint16_t)m->len);
	write_all(fd, m->buf, m->len, deadline);
}

/* A response: header checked, payload read whole into m. */
struct resp {
	uint8_t set, id;
	uint8_t payload[MAX_FRAME];
	size_t plen;
};

/* Report an IPC Error answer: on stderr, and as error=0x... on stdout. */
static void
answered_error(const char *what, uint32_t hr)
{
	warnx_("%s: the runtime answered error 0x%08" PRIx32 " (%s)", what, hr,
	    dsrtest_hresult_name(hr));
	printf("error=0x%08" PRIx32 "\n", hr);
	fflush(stdout);
}

/* Whether len bytes hold a whole frame (as its header's size says). */
static int
frame_whole(const uint8_t *p, size_t len)
{
	return len >= HDR_SIZE && len >= dsrtest_get_u16(p + 14);
}

/*
 * Read one response frame. Exits 2 on an IPC error answer, 1 on anything
 * malformed, short or late.
 */
static void
resp_read(int fd, struct resp *r, double deadline, const char *what)
{
	uint8_t h[HDR_SIZE];
	size_t got;
	uint16_t size;

	got = read_full(fd, h, HDR_SIZE, deadline, what);
	if (got == 0)
		die("%s: connection closed with no answer", what);
	if (got < HDR_SIZE)
		die("%s: connection closed after %zu header bytes", what, got);
	if (memcmp(h, dsrtest_ipc_magic, sizeof dsrtest_ipc_magic) != 0)
		die("%s: answer has a bad magic", what);
	size = dsrtest_get_u16(h + 14);
	if (size < HDR_SIZE)
		die("%s: answer has a bad size %u", what, size);
	r->set = h[16];
	r->id = h[17];
	r->plen = size - HDR_SIZE;
	got = read_full(fd, r->payload, r->plen, deadline, what);
	if (got < r->plen)
		die("%s: answer truncated (%zu of %zu payload bytes)", what,
		    got, r->plen);
	if (r->set != 0xFF)
		die("%s: answer has command set 0x%02x, not 0xFF", what, r->set);
	if (r->id == 0xFF) {
		answered_error(what,
		    r->plen >= 4 ? dsrtest_get_u32(r->payload) : 0);
		exit(2);
	}
	if (r->id != 0x00)
		die("%s: answer has unknown id 0x%02x", what, r->id);
}

/* Send ProcessInfo on a connection and print the answer. */
static void
do_processinfo_on(int fd, double deadline, const char *prefix)
{
	struct dsrtest_processinfo pi;
	struct msg m;
	struct resp r;
	char cookie[2 * DSRTEST_COOKIE_SIZE + 1];

	msg_begin(&m, 0x04, 0x00);
	msg_send(fd, &m, deadline);
	resp_read(fd, &r, deadline, "ProcessInfo");
	if (r.plen < 24)
		die("ProcessInfo: answer too short (%zu bytes)", r.plen);
	if (dsrtest_processinfo_parse(r.payload, r.plen, &pi) == -1)
		die("ProcessInfo: malformed strings in the answer");
	dsrtest_hex(pi.cookie, sizeof pi.cookie, cookie);
	printf("%spid=%" PRIu64 "\n", prefix, pi.pid);
	printf("%scookie=%s\n", prefix, cookie);
	printf("%scommandline=%s\n", prefix, pi.commandline);
	printf("%sos=%s\n", prefix, pi.os);
	printf("%sarch=%s\n", prefix, pi.arch);
	fflush(stdout);
}

/* ---- commands -------------------------------------------------------- */

static int
cmd_processinfo(const char *addr)
{
	double deadline = now_s() + opt_timeout;
	int fd = connect_addr(addr, deadline);

	do_processinfo_on(fd, deadline, "");
	close(fd);
	return 0;
}

/*
 * ResumeRuntime. With -c (fire and forget) the connection is closed right
 * after the command is written, without waiting for the answer: a runtime
 * on a Unix socket may drop a command whose connection is already hung up,
 * so this checks what a router makes of such a tool.
 */
static int
cmd_resume(const char *addr, int fire_and_forget)
{
	double deadline = now_s() + opt_timeout;
	int fd = connect_addr(addr, deadline);
	struct msg m;
	struct resp r;

	msg_begin(&m, 0x04, 0x01);
	msg_send(fd, &m, deadline);
	if (fire_and_forget) {
		close(fd);
		printf("sent=1\n");
		fflush(stdout);
		return 0;
	}
	resp_read(fd, &r, deadline, "ResumeRuntime");
	printf("resumed=%" PRId32 "\n",
	    r.plen >= 4 ? (int32_t)dsrtest_get_u32(r.payload) : 0);
	fflush(stdout);
	close(fd);
	return 0;
}

/* StopTracing on a new connection; returns 0 when the runtime said OK. */
static int
send_stop(const char *addr, uint64_t session, double deadline)
{
	int fd = connect_addr(addr, deadline);
	struct msg m;
	struct resp r;

	msg_begin(&m, 0x02, 0x01);
	msg_u64(&m, session);
	msg_send(fd, &m, deadline);
	resp_read(fd, &r, deadline, "StopTracing");
	close(fd);
	if (r.plen < 8 || dsrtest_get_u64(r.payload) != session) {
		warnx_("StopTracing: answer names another session");
		return -1;
	}
	return 0;
}

static int
cmd_stop(const char *addr, const char *session_s)
{
	double deadline = now_s() + opt_timeout;
	char *end;
	uint64_t session;

	errno = 0;
	session = strtoull(session_s, &end, 0);
	if (errno != 0 || *end != '\0' || end == session_s)
		die("bad session id %s", session_s);
	if (send_stop(addr, session, deadline) == -1)
		return 1;
	printf("stopped=%" PRIu64 "\n", session);
	fflush(stdout);
	return 0;
}

static void
on_signal(int sig)
{
	got_signal = sig;
}

/*
 * CollectTracing2: u32 circularBufferMB, u32 format (1 = nettrace), u8
 * requestRundown, then u32 provider count and, per provider, u64 keywords,
 * u32 level, string name, string filter data.
 *
 * The stream is written to a file until it ends. With -s, or on SIGINT or
 * SIGTERM, a StopTracing goes out on a second connection, while the stream
 * keeps being drained: the runtime answers StopTracing only after it has
 * flushed the session into the stream, so a client that waited for that
 * answer without reading the stream would deadlock with it. After the
 * stop, the stream must end with no more than -t seconds of silence.
 * Without -s or a signal, the stream runs until it ends (say, a StopTracing
 * sent by another process).
 *
 * Prints session=ID at the start; bytes=N, ended=stop|eof and
 * complete=yes|no (begins with "Nettrace", ends with the NullReference tag
 * 0x01) at the end.
 */
static int
cmd_collect(const char *addr, const char *provider, uint64_t keywords,
    uint32_t level, double seconds, int rundown, const char *out)
{
	double deadline = now_s() + opt_timeout, stop_at, idle_until = 0;
	uint64_t session, total = 0;
	int fd, ofd, sfd = -1, stopped = 0, answered = 0, eof = 0, complete;
	uint8_t first[8], last = 0, sbuf[64];
	size_t slen = 0;
	struct msg m;
	struct resp r;
	uint8_t buf[65536];
	struct sigaction sa;
	ssize_t n;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if ((ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		die("%s: %s", out, strerror(errno));
	fd = connect_addr(addr, deadline);
	msg_begin(&m, 0x02, 0x03);
	msg_u32(&m, 64);                 /* circular buffer, MiB */
	msg_u32(&m, 1);                  /* nettrace */
	msg_u8(&m, rundown ? 1 : 0);
	msg_u32(&m, 1);                  /* one provider */
	msg_u64(&m, keywords);
	msg_u32(&m, level);
	msg_str(&m, provider);
	msg_str(&m, NULL);
	msg_send(fd, &m, deadline);
	resp_read(fd, &r, deadline, "CollectTracing2");
	if (r.plen < 8)
		die("CollectTracing2: answer has no session id");
	session = dsrtest_get_u64(r.payload);
	printf("session=%" PRIu64 "\n", session);
	fflush(stdout);

	stop_at = seconds > 0 ? now_s() + seconds : 0;
	while (!eof || (stopped && !answered)) {
		struct pollfd pfd[2];
		double until;
		int nfds = 0, w;

		if (!stopped && !eof &&
		    (got_signal || (stop_at > 0 && now_s() >= stop_at))) {
			/* StopTracing on a second connection, not waited for. */
			sfd = connect_addr(addr, now_s() + opt_timeout);
			msg_begin(&m, 0x02, 0x01);
			msg_u64(&m, session);
			msg_send(sfd, &m, now_s() + opt_timeout);
			stopped = 1;
			idle_until = now_s() + opt_timeout;
		}
		if (stopped)
			until = idle_until;
		else if (stop_at > 0)
			until = stop_at;
		else
			until = now_s() + 3600;
		if (!eof) {
			pfd[nfds].fd = fd;
			pfd[nfds].events = POLLIN;
			nfds++;
		}
		if (sfd != -1) {
			pfd[nfds].fd = sfd;
			pfd[nfds].events = POLLIN;
			nfds++;
		}
		w = poll(pfd, (nfds_t)nfds, ms_left(until));
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			die("poll: %s", strerror(errno));
		if (w == 0) {
			if (!stopped)
				continue;   /* time to stop, or a long wait */
			warnx_("%s within %.0f s of StopTracing (%" PRIu64
			    " bytes so far)", !eof ? "the stream went silent" :
			    "no answer to StopTracing", opt_timeout, total);
			printf("bytes=%" PRIu64 "\nended=timeout\n", total);
			fflush(stdout);
			return 1;
		}

		/* The stream. */
		while (!eof) {
			n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
			if (n > 0) {
				const uint8_t *p = buf;
				size_t left = (size_t)n, i;

				for (i = 0; i < left && total + i < sizeof first; i++)
					first[total + i] = buf[i];
				last = buf[n - 1];
				total += (uint64_t)n;
				while (left > 0) {
					ssize_t wr = write(ofd, p, left);
					if (wr == -1 && errno == EINTR)
						continue;
					if (wr <= 0)
						die("%s: %s", out, strerror(errno));
					p += wr;
					left -= (size_t)wr;
				}
				if (stopped)
					idle_until = now_s() + opt_timeout;
				continue;
			}
			if (n == 0 || errno == ECONNRESET)
				eof = 1;
			else if (errno != EINTR && errno != EAGAIN &&
			    errno != EWOULDBLOCK)
				die("read stream: %s", strerror(errno));
			break;
		}

		/* The answer to StopTracing. */
		while (sfd != -1) {
			n = recv(sfd, sbuf + slen, sizeof sbuf - slen, MSG_DONTWAIT);
			if (n > 0) {
				slen += (size_t)n;
				if (frame_whole(sbuf, slen) ||
				    slen == sizeof sbuf)
					break;
				continue;
			}
			if (n == 0 || errno == ECONNRESET)
				die("StopTracing: connection closed after %zu "
				    "bytes of answer", slen);
			if (errno != EINTR && errno != EAGAIN &&
			    errno != EWOULDBLOCK)
				die("read StopTracing answer: %s", strerror(errno));
			break;
		}
		if (sfd != -1 && frame_whole(sbuf, slen)) {
			if (memcmp(sbuf, dsrtest_ipc_magic,
			    sizeof dsrtest_ipc_magic) != 0 || sbuf[16] != 0xFF)
				die("StopTracing: malformed answer");
			if (sbuf[17] == 0xFF) {
				answered_error("StopTracing", slen >= 24 ?
				    dsrtest_get_u32(sbuf + 20) : 0);
				return 2;
			}
			if (dsrtest_get_u16(sbuf + 14) < HDR_SIZE + 8 ||
			    dsrtest_get_u64(sbuf + 20) != session)
				die("StopTracing: answer names another session");
			close(sfd);
			sfd = -1;
			answered = 1;
		} else if (sfd != -1 && slen == sizeof sbuf) {
			die("StopTracing: answer too large");
		}
	}
	close(fd);
	if (close(ofd) == -1)
		die("%s: %s", out, strerror(errno));
	complete = total > sizeof first && memcmp(first, "Nettrace", 8) == 0 &&
	    last == 0x01;
	printf("bytes=%" PRIu64 "\nended=%s\ncomplete=%s\n", total,
	    stopped ? "stop" : "eof", complete ? "yes" : "no");
	fflush(stdout);
	return complete ? 0 : stopped ? 1 : 3;
}

#define LISTEN_MAX 64

/*
 * A reversed server: listen on PATH, accept COUNT connections, and more
 * until RUNTIMES distinct runtimes (cookies) have connected (at most
 * LISTEN_MAX connections); on each, read the 34-byte advertise, print its
 * pid and cookie, then send ProcessInfo on that same connection and print
 * the answer. Past COUNT, the connection of a runtime already seen is held
 * open without a command until the end (N.held=yes), so that a runtime
 * answered at once cannot crowd out one that comes later (a runtime
 * re-advertises as soon as it has answered). Ends with connections=N and
 * runtimes=N.
 */
static int
cmd_listen(const char *path, int count, int runtimes)
{
	double deadline = now_s() + opt_timeout;
	int lfd, fd, i, k, fresh, nseen = 0, held[LISTEN_MAX], nheld = 0;
	uint8_t adv[ADV_SIZE];
	char cookie[2 * DSRTEST_COOKIE_SIZE + 1], prefix[32], *where;
	char seen[LISTEN_MAX][2 * DSRTEST_COOKIE_SIZE + 1];
	size_t got;

	if (asprintf(&where, "unix:%s", path) == -1)
		die("out of memory");
	if ((lfd = dsrtest_listen(where, 8, DSRTEST_NONBLOCK, NULL, 0)) == -1)
		die("listen on %s: %s", path, strerror(errno));
	free(where);
	printf("listening=%s\n", path);
	fflush(stdout);
	for (i = 0; i < LISTEN_MAX && (i < count || nseen < runtimes); i++) {
		if ((fd = dsrtest_accept(lfd, ms_left(deadline))) == -1) {
			if (errno != ETIMEDOUT && errno != EINTR)
				die("accept: %s", strerror(errno));
			die("no connection within %.0f s (%d of %d, %d of %d "
			    "runtimes)", opt_timeout, i, count, nseen, runtimes);
		}
		if (dsrtest_nonblock(fd) == -1)
			die("fcntl: %s", strerror(errno));
		got = read_full(fd, adv, ADV_SIZE, deadline, "advertise");
		if (got < ADV_SIZE)
			die("connection %d closed after %zu advertise bytes",
			    i + 1, got);
		if (memcmp(adv, dsrtest_adv_magic,
		    sizeof dsrtest_adv_magic) != 0)
			die("connection %d does not start with ADVR_V1", i + 1);
		dsrtest_hex(adv + 8, DSRTEST_COOKIE_SIZE, cookie);
		for (k = 0; k < nseen && strcmp(seen[k], cookie) != 0; k++)
			;
		if ((fresh = k == nseen))
			memcpy(seen[nseen++], cookie, sizeof cookie);
		snprintf(prefix, sizeof prefix, "%d.", i + 1);
		printf("%sadvertise_pid=%" PRIu64 "\n", prefix,
		    dsrtest_get_u64(adv + 24));
		printf("%sadvertise_cookie=%s\n", prefix, cookie);
		if (i >= count && !fresh) {
			printf("%sheld=yes\n", prefix);
			fflush(stdout);
			held[nheld++] = fd;
			continue;
		}
		fflush(stdout);
		do_processinfo_on(fd, deadline, prefix);
		close(fd);
	}
	while (nheld > 0)
		close(held[--nheld]);
	close(lfd);
	unlink(path);
	printf("connections=%d\nruntimes=%d\n", i, nseen);
	return nseen >= runtimes ? 0 : 1;
}

/*
 * The process id in a nettrace file's header, or -1. The header's "Trace"
 * object is its type's name (a u32 length, "Trace", the EndObject tag),
 * then SyncTimeUTC (16 bytes), SyncTimeQPC and QPCFrequency (8 each),
 * PointerSize (4) and ProcessId (4), little-endian.
 */
static long
nettrace_pid(const uint8_t *data, size_t len)
{
	static const uint8_t tag[] = { 5, 0, 0, 0, 'T', 'r', 'a', 'c', 'e', 6 };
	size_t i, at;

	for (i = 0; i + sizeof tag <= len && i < 256; i++) {
		if (memcmp(data + i, tag, sizeof tag) != 0)
			continue;
		at = i + sizeof tag + 16 + 8 + 8 + 4;
		if (at + 4 > len)
			return -1;
		return (long)dsrtest_get_u32(data + at);
	}
	return -1;
}

/*
 * Check a nettrace file: it begins with "Nettrace", names NAME (in UTF-16LE,
 * as the metadata does, or in ASCII), and ends with the NullReference tag
 * (0x01) the runtime writes when a session ends cleanly. Also prints the
 * process id its header names (pid=, -1 if none).
 */
static int
cmd_nettrace_check(const char *file, const char *name)
{
	FILE *f;
	uint8_t *data, *wide;
	size_t len = 0, cap = 1 << 20, nl = strlen(name), i, r;
	int utf16 = 0, ascii = 0, magic, end;

	if ((f = fopen(file, "rb")) == NULL)
		die("%s: %s", file, strerror(errno));
	data = malloc(cap);
	wide = malloc(2 * nl + 1);
	if (data == NULL || wide == NULL)
		die("out of memory");
	while ((r = fread(data + len, 1, cap - len, f)) > 0) {
		len += r;
		if (len == cap) {
			cap *= 2;
			if ((data = realloc(data, cap)) == NULL)
				die("out of memory");
		}
	}
	fclose(f);
	for (i = 0; i < nl; i++) {
		wide[2 * i] = (uint8_t)name[i];
		wide[2 * i + 1] = 0;
	}
	for (i = 0; nl > 0 && i + 2 * nl <= len && !utf16; i++)
		utf16 = memcmp(data + i, wide, 2 * nl) == 0;
	for (i = 0; nl > 0 && i + nl <= len && !ascii; i++)
		ascii = memcmp(data + i, name, nl) == 0;
	magic = len >= 8 && memcmp(data, "Nettrace", 8) == 0;
	end = len > 0 && data[len - 1] == 0x01;
	printf("size=%zu\n", len);
	printf("magic=%s\n", magic ? "Nettrace" : "missing");
	printf("name=%s\n", utf16 ? "utf16" : ascii ? "ascii" : "missing");
	printf("end=%s\n", end ? "nullref" : "missing");
	printf("pid=%ld\n", nettrace_pid(data, len));
	fflush(stdout);
	free(data);
	free(wide);
	return magic && (utf16 || ascii) && end ? 0 : 1;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: dsr-ipc [-t SECS] processinfo ADDR\n"
	    "       dsr-ipc [-t SECS] resume [-c] ADDR\n"
	    "       dsr-ipc [-t SECS] collect [-p PROVIDER] [-k KEYWORDS] "
	    "[-l LEVEL] [-s SECS] [-r] -o FILE ADDR\n"
	    "       dsr-ipc [-t SECS] stop ADDR SESSION\n"
	    "       dsr-ipc [-t SECS] listen [-n COUNT] [-u RUNTIMES] PATH\n"
	    "       dsr-ipc nettrace-check FILE NAME\n"
	    "ADDR is a Unix socket path or tcp:HOST:PORT.\n");
	exit(64);
}

static double
parse_secs(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*end != '\0' || end == s || v < 0)
		usage();
	return v;
}

/* What the options set, besides -t. */
struct opts {
	const char *provider, *out;
	uint64_t keywords;
	uint32_t level;
	double seconds;
	int rundown, count, runtimes, fire;
};

/* Take the options in optstring from argv; returns the arguments used. */
static int
take_opts(int argc, char **argv, const char *optstring, struct opts *o)
{
	int ch;

	optind = 1;
	while ((ch = getopt(argc, argv, optstring)) != -1) {
		switch (ch) {
		case 't':
			opt_timeout = parse_secs(optarg);
			break;
		case 'p':
			o->provider = optarg;
			break;
		case 'k':
			o->keywords = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			o->level = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 's':
			o->seconds = parse_secs(optarg);
			break;
		case 'c':
			o->fire = 1;
			break;
		case 'r':
			o->rundown = 1;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'n':
			o->count = atoi(optarg);
			if (o->count < 1)
				usage();
			break;
		case 'u':
			o->runtimes = atoi(optarg);
			if (o->runtimes < 1 || o->runtimes > LISTEN_MAX)
				usage();
			break;
		default:
			usage();
		}
	}
	return optind;
}

int
main(int argc, char **argv)
{
	struct opts o = { "DsrInterop-App", NULL, ~(uint64_t)0, 5, 0, 0, 1, 0, 0 };
	const char *cmd;
	int n;

	signal(SIGPIPE, SIG_IGN);
	/* Options before the command (-t), then the command's own. */
	n = take_opts(argc, argv, "+t:h", &o);
	argc -= n;
	argv += n;
	if (argc < 1)
		usage();
	cmd = argv[0];
	n = take_opts(argc, argv, "+p:k:l:s:ro:n:u:t:c", &o);
	argc -= n;
	argv += n;

	if (strcmp(cmd, "processinfo") == 0 && argc == 1)
		return cmd_processinfo(argv[0]);
	if (strcmp(cmd, "resume") == 0 && argc == 1)
		return cmd_resume(argv[0], o.fire);
	if (strcmp(cmd, "collect") == 0 && argc == 1 && o.out != NULL)
		return cmd_collect(argv[0], o.provider, o.keywords, o.level,
		    o.seconds, o.rundown, o.out);
	if (strcmp(cmd, "stop") == 0 && argc == 2)
		return cmd_stop(argv[0], argv[1]);
	if (strcmp(cmd, "listen") == 0 && argc == 1)
		return cmd_listen(argv[0], o.count, o.runtimes);
	if (strcmp(cmd, "nettrace-check") == 0 && argc == 2)
		return cmd_nettrace_check(argv[0], argv[1]);
	usage();
	return 64;
}

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
 *   dsr-ipc [-t SECS] listen [-n COUNT] PATH
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
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HDR_SIZE 20
#define ADV_SIZE 34
#define MAX_FRAME 65535

static const uint8_t ipc_magic[14] = "DOTNET_IPC_V1";   /* with its NUL */
static const uint8_t adv_magic[8] = "ADVR_V1";          /* with its NUL */

static double opt_timeout = 10.0;
static volatile sig_atomic_t got_signal;

/* ---- small helpers --------------------------------------------------- */

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dsr-ipc: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dsr-ipc: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

static void
put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	put_u16(p, (uint16_t)v);
	put_u16(p + 2, (uint16_t)(v >> 16));
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	put_u32(p, (uint32_t)v);
	put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t
get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t)get_u16(p) | (uint32_t)get_u16(p + 2) << 16;
}

static uint64_t
get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- sockets --------------------------------------------------------- */

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		die("fcntl: %s", strerror(errno));
}

/* Wait for an event on a descriptor until a deadline; 0 on time-out. */
static int
wait_fd(int fd, short events, double deadline)
{
	struct pollfd pfd;
	int n;

	for (;;) {
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, ms_left(deadline));
		if (n == -1 && errno == EINTR) {
			if (got_signal)
				return -1;
			continue;
		}
		if (n == -1)
			die("poll: %s", strerror(errno));
		return n;
	}
}

/* Connect to ADDR (a socket path or tcp:HOST:PORT) within the deadline. */
static int
connect_addr(const char *addr, double deadline)
{
	int fd, err;
	socklen_t len = sizeof err;

	if (strncmp(addr, "tcp:", 4) == 0) {
		struct addrinfo hints, *res, *ai;
		char host[256];
		const char *port, *h = addr + 4;
		size_t hl;
		int rc;

		port = strrchr(h, ':');
		if (port == NULL)
			die("bad address %s (tcp:HOST:PORT)", addr);
		hl = (size_t)(port - h);
		if (hl >= sizeof host)
			die("host name too long in %s", addr);
		memcpy(host, h, hl);
		host[hl] = '\0';
		if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
			memmove(host, host + 1, hl - 2);
			host[hl - 2] = '\0';
		}
		memset(&hints, 0, sizeof hints);
		hints.ai_socktype = SOCK_STREAM;
		if ((rc = getaddrinfo(host, port + 1, &hints, &res)) != 0)
			die("%s: %s", addr, gai_strerror(rc));
		fd = -1;
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
			if (fd == -1)
				continue;
			set_nonblock(fd);
			if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
				break;
			if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) > 0 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
			    err == 0)
				break;
			close(fd);
			fd = -1;
		}
		freeaddrinfo(res);
		if (fd == -1)
			die("cannot connect to %s", addr);
		return fd;
	} else {
		struct sockaddr_un sun;

		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		if (strlen(addr) >= sizeof sun.sun_path)
			die("socket path too long: %s", addr);
		strcpy(sun.sun_path, addr);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			die("socket: %s", strerror(errno));
		set_nonblock(fd);
		if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
			return fd;
		if (errno != EINPROGRESS && errno != EAGAIN)
			die("cannot connect to %s: %s", addr, strerror(errno));
		if (wait_fd(fd, POLLOUT, deadline) <= 0)
			die("cannot connect to %s: timed out", addr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
		    err != 0)
			die("cannot connect to %s: %s", addr, strerror(err));
		return fd;
	}
}

static void
write_all(int fd, const uint8_t *p, size_t n, double deadline)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(fd, POLLOUT, deadline) <= 0)
				die("write timed out");
			continue;
		}
		die("write: %s", strerror(errno));
	}
}

/*
 * Read exactly n bytes before the deadline. Returns n, or the count read
 * before EOF (a short read), or dies on a time-out or an error.
 */
static size_t
read_full(int fd, uint8_t *p, size_t n, double deadline, const char *what)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = recv(fd, p + got, n - got, 0);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0)
			return got;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int w = wait_fd(fd, POLLIN, deadline);
			if (w == 0)
				die("timed out waiting for %s (%zu of %zu bytes)",
				    what, got, n);
			if (w < 0)
				die("interrupted waiting for %s", what);
			continue;
		}
		if (errno == ECONNRESET)
			return got;
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
	memcpy(m->buf, ipc_magic, sizeof ipc_magic);
	m->buf[16] = set;
	m->buf[17] = id;
	put_u16(m->buf + 18, 0);
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
	put_u32(m->buf + m->len, v);
	m->len += 4;
}

static void
msg_u64(struct msg *m, uint64_t v)
{
	msg_need(m, 8);
	put_u64(m->buf + m->len, v);
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
	size_t i, n;

	if (s == NULL) {
		msg_u32(m, 0);
		return;
	}
	n = strlen(s) + 1;
	msg_u32(m, (uint32_t)n);
	msg_need(m, 2 * n);
	for (i = 0; i < n; i++) {
		m->buf[m->len++] = (uint8_t)s[i];
		m->buf[m->len++] = 0;
	}
}

static void
msg_send(int fd, struct msg *m, double deadline)
{
	put_u16(m->buf + 14, (uint16_t)m->len);
	write_all(fd, m->buf, m->len, deadline);
}

/* A response: header checked, payload read whole into m. */
struct resp {
	uint8_t set, id;
	uint8_t payload[MAX_FRAME];
	size_t plen;
};

static const char *
hresult_name(uint32_t hr)
{
	switch (hr) {
	case 0x80131384: return "BAD_ENCODING";
	case 0x80131385: return "UNKNOWN_COMMAND";
	case 0x80131386: return "UNKNOWN_MAGIC";
	case 0x8013135B: return "NOT_YET_AVAILABLE";
	case 0x80131515: return "NOTSUPPORTED";
	case 0x80131371: return "RUNTIME_UNINITIALIZED";
	case 0x80004005: return "FAIL";
	case 0x80070057: return "INVALIDARG";
	default: return "unknown";
	}
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
	if (memcmp(h, ipc_magic, sizeof ipc_magic) != 0)
		die("%s: answer has a bad magic", what);
	size = get_u16(h + 14);
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
		uint32_t hr = r->plen >= 4 ? get_u32(r->payload) : 0;
		fprintf(stderr, "dsr-ipc: %s: the runtime answered error "
		    "0x%08" PRIx32 " (%s)\n", what, hr, hresult_name(hr));
		printf("error=0x%08" PRIx32 "\n", hr);
		fflush(stdout);
		exit(2);
	}
	if (r->id != 0x00)
		die("%s: answer has unknown id 0x%02x", what, r->id);
}

/* Read a protocol string from a payload into UTF-8 (at most outsz). */
static int
take_str(const uint8_t *p, size_t len, size_t *off, char *out, size_t outsz)
{
	uint32_t n, i, c;
	size_t o = 0;

	if (*off + 4 > len)
		return -1;
	n = get_u32(p + *off);
	*off += 4;
	if (n == 0) {
		snprintf(out, outsz, "(null)");
		return 0;
	}
	if ((size_t)n * 2 > len - *off)
		return -1;
	for (i = 0; i < n; i++) {
		c = get_u16(p + *off + 2 * i);
		if (c >= 0xD800 && c < 0xDC00 && i + 1 < n) {
			uint32_t lo = get_u16(p + *off + 2 * (i + 1));
			if (lo >= 0xDC00 && lo < 0xE000) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				i++;
			}
		}
		if (c == 0)
			break;
		if (o + 5 >= outsz)
			break;
		if (c < 0x80) {
			out[o++] = (char)(c == '\n' ? ' ' : c);
		} else if (c < 0x800) {
			out[o++] = (char)(0xC0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			out[o++] = (char)(0xE0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (c & 0x3F));
		} else {
			out[o++] = (char)(0xF0 | c >> 18);
			out[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[o] = '\0';
	*off += (size_t)n * 2;
	return 0;
}

/* Send ProcessInfo on a connection and print the answer. */
static void
do_processinfo_on(int fd, double deadline, const char *prefix)
{
	struct msg m;
	struct resp r;
	char cookie[33], cmdline[4096], os[256], arch[256];
	size_t off = 24;

	msg_begin(&m, 0x04, 0x00);
	msg_send(fd, &m, deadline);
	resp_read(fd, &r, deadline, "ProcessInfo");
	if (r.plen < 24)
		die("ProcessInfo: answer too short (%zu bytes)", r.plen);
	hex(r.payload + 8, 16, cookie);
	if (take_str(r.payload, r.plen, &off, cmdline, sizeof cmdline) == -1 ||
	    take_str(r.payload, r.plen, &off, os, sizeof os) == -1 ||
	    take_str(r.payload, r.plen, &off, arch, sizeof arch) == -1)
		die("ProcessInfo: malformed strings in the answer");
	printf("%spid=%" PRIu64 "\n", prefix, get_u64(r.payload));
	printf("%scookie=%s\n", prefix, cookie);
	printf("%scommandline=%s\n", prefix, cmdline);
	printf("%sos=%s\n", prefix, os);
	printf("%sarch=%s\n", prefix, arch);
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
	printf("resumed=%" PRId32 "\n", r.plen >= 4 ? (int32_t)get_u32(r.payload) : 0);
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
	if (r.plen < 8 || get_u64(r.payload) != session) {
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
	session = get_u64(r.payload);
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
				if (slen >= HDR_SIZE && slen >= get_u16(sbuf + 14))
					break;
				if (slen == sizeof sbuf)
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
		if (sfd != -1 && slen >= HDR_SIZE && slen >= get_u16(sbuf + 14)) {
			if (memcmp(sbuf, ipc_magic, sizeof ipc_magic) != 0 ||
			    sbuf[16] != 0xFF)
				die("StopTracing: malformed answer");
			if (sbuf[17] == 0xFF) {
				uint32_t hr = slen >= 24 ? get_u32(sbuf + 20) : 0;
				warnx_("StopTracing: the runtime answered error "
				    "0x%08" PRIx32 " (%s)", hr, hresult_name(hr));
				printf("error=0x%08" PRIx32 "\n", hr);
				fflush(stdout);
				return 2;
			}
			if (get_u16(sbuf + 14) < HDR_SIZE + 8 ||
			    get_u64(sbuf + 20) != session)
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

/*
 * A reversed server: listen on PATH, accept COUNT connections; on each,
 * read the 34-byte advertise, print its pid and cookie, then send
 * ProcessInfo on that same connection and print the answer.
 */
static int
cmd_listen(const char *path, int count)
{
	double deadline = now_s() + opt_timeout;
	struct sockaddr_un sun;
	int lfd, fd, i;
	uint8_t adv[ADV_SIZE];
	char cookie[33], prefix[32];
	size_t got;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		die("socket path too long: %s", path);
	strcpy(sun.sun_path, path);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		die("socket: %s", strerror(errno));
	unlink(path);
	if (bind(lfd, (struct sockaddr *)&sun, sizeof sun) == -1)
		die("bind %s: %s", path, strerror(errno));
	if (listen(lfd, 8) == -1)
		die("listen: %s", strerror(errno));
	set_nonblock(lfd);
	printf("listening=%s\n", path);
	fflush(stdout);
	for (i = 0; i < count; i++) {
		for (;;) {
			fd = accept(lfd, NULL, NULL);
			if (fd != -1)
				break;
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				die("accept: %s", strerror(errno));
			if (wait_fd(lfd, POLLIN, deadline) <= 0)
				die("no connection within %.0f s (%d of %d)",
				    opt_timeout, i, count);
		}
		set_nonblock(fd);
		got = read_full(fd, adv, ADV_SIZE, deadline, "advertise");
		if (got < ADV_SIZE)
			die("connection %d closed after %zu advertise bytes",
			    i + 1, got);
		if (memcmp(adv, adv_magic, sizeof adv_magic) != 0)
			die("connection %d does not start with ADVR_V1", i + 1);
		hex(adv + 8, 16, cookie);
		snprintf(prefix, sizeof prefix, "%d.", i + 1);
		printf("%sadvertise_pid=%" PRIu64 "\n", prefix, get_u64(adv + 24));
		printf("%sadvertise_cookie=%s\n", prefix, cookie);
		fflush(stdout);
		do_processinfo_on(fd, deadline, prefix);
		close(fd);
	}
	close(lfd);
	unlink(path);
	return 0;
}

/*
 * Check a nettrace file: it begins with "Nettrace", names NAME (in UTF-16LE,
 * as the metadata does, or in ASCII), and ends with the NullReference tag
 * (0x01) the runtime writes when a session ends cleanly.
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
	    "       dsr-ipc [-t SECS] listen [-n COUNT] PATH\n"
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

int
main(int argc, char **argv)
{
	const char *cmd, *provider = "DsrInterop-App", *out = NULL;
	uint64_t keywords = ~(uint64_t)0;
	uint32_t level = 5;
	double seconds = 0;
	int ch, rundown = 0, count = 1, fire = 0;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "+t:h")) != -1) {
		switch (ch) {
		case 't':
			opt_timeout = parse_secs(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	optind = 1;
	while ((ch = getopt(argc, argv, "+p:k:l:s:ro:n:t:c")) != -1) {
		switch (ch) {
		case 'p':
			provider = optarg;
			break;
		case 'k':
			keywords = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			level = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 's':
			seconds = parse_secs(optarg);
			break;
		case 'c':
			fire = 1;
			break;
		case 'r':
			rundown = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'n':
			count = atoi(optarg);
			if (count < 1)
				usage();
			break;
		case 't':
			opt_timeout = parse_secs(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (strcmp(cmd, "processinfo") == 0 && argc == 1)
		return cmd_processinfo(argv[0]);
	if (strcmp(cmd, "resume") == 0 && argc == 1)
		return cmd_resume(argv[0], fire);
	if (strcmp(cmd, "collect") == 0 && argc == 1 && out != NULL)
		return cmd_collect(argv[0], provider, keywords, level, seconds,
		    rundown, out);
	if (strcmp(cmd, "stop") == 0 && argc == 2)
		return cmd_stop(argv[0], argv[1]);
	if (strcmp(cmd, "listen") == 0 && argc == 1)
		return cmd_listen(argv[0], count);
	if (strcmp(cmd, "nettrace-check") == 0 && argc == 2)
		return cmd_nettrace_check(argv[0], argv[1]);
	usage();
	return 64;
}

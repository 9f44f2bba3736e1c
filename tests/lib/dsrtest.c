/* SPDX-License-Identifier: MIT */
/* dsrtest.c: what the tests and the benchmark share: sockets, frames, /proc. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dsrtest.h"

/* The addresses dsrtest_connect tries for a host name, at most. */
#define DSRTEST_MAX_ADDRS 8

const uint8_t dsrtest_ipc_magic[14] = "DOTNET_IPC_V1";      /* with its NUL */
const uint8_t dsrtest_adv_magic[8] = "ADVR_V1";             /* with its NUL */

/* ---- time -------------------------------------------------------------- */

/* Nanoseconds on the monotonic clock. */
uint64_t
dsrtest_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Milliseconds on the monotonic clock. */
long long
dsrtest_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep for microseconds, the whole time even if a signal arrives. */
void
dsrtest_sleep_us(unsigned us)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Sleep for milliseconds. */
void
dsrtest_sleep_ms(unsigned ms)
{
	dsrtest_sleep_us(ms * 1000);
}

/* ---- addresses --------------------------------------------------------- */

/* Fill a Unix socket address from a path; its length, or 0 if too long. */
socklen_t
dsrtest_sockaddr_un(const char *path, struct sockaddr_storage *ss)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;

	memset(ss, 0, sizeof *ss);
	if (strlen(path) >= sizeof sun->sun_path) {
		errno = ENAMETOOLONG;
		return 0;
	}
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return sizeof *sun;
}

/* A port number, 0 to 65535 in decimal; 0 or -1. */
static int
dsrtest_port(const char *s, uint16_t *port)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/*
 * The addresses of "HOST:PORT" or "[V6]:PORT": a numeric host gives one,
 * a name as many as getaddrinfo has (up to max). Returns the count, or 0
 * with errno set.
 */
static int
dsrtest_tcp_addrs(const char *addr, struct sockaddr_storage *ss,
    socklen_t *len, int max)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct addrinfo hints, *res, *ai;
	const char *colon = strrchr(addr, ':'), *host = addr;
	char name[256];
	size_t hlen;
	uint16_t port;
	int n = 0;

	errno = EINVAL;
	if (colon == NULL || dsrtest_port(colon + 1, &port) != 0)
		return 0;
	hlen = (size_t)(colon - addr);
	if (addr[0] == '[') {
		if (hlen < 2 || addr[hlen - 1] != ']')
			return 0;
		host++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof name)
		return 0;
	memcpy(name, host, hlen);
	name[hlen] = '\0';

	memset(ss, 0, sizeof *ss);
	if (addr[0] != '[' && inet_pton(AF_INET, name, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof *s4;
		return 1;
	}
	if (inet_pton(AF_INET6, name, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof *s6;
		return 1;
	}
	if (addr[0] == '[')
		return 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0) {
		errno = EHOSTUNREACH;
		return 0;
	}
	for (ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof *ss ||
		    (ai->ai_family != AF_INET && ai->ai_family != AF_INET6))
			continue;
		memset(&ss[n], 0, sizeof ss[n]);
		memcpy(&ss[n], ai->ai_addr, ai->ai_addrlen);
		len[n] = ai->ai_addrlen;
		s4 = (struct sockaddr_in *)&ss[n];
		s6 = (struct sockaddr_in6 *)&ss[n];
		if (ai->ai_family == AF_INET)
			s4->sin_port = htons(port);
		else
			s6->sin6_port = htons(port);
		n++;
	}
	freeaddrinfo(res);
	if (n == 0)
		errno = EHOSTUNREACH;
	return n;
}

/*
 * Fill a socket address from "/path", "unix:PATH", "tcp:HOST:PORT",
 * "HOST:PORT" or "[V6]:PORT" (a host name takes its first address).
 * Returns its length, or 0 with errno set.
 */
socklen_t
dsrtest_sockaddr(const char *addr, struct sockaddr_storage *ss)
{
	socklen_t len = 0;

	if (strncmp(addr, "unix:", 5) == 0)
		return dsrtest_sockaddr_un(addr + 5, ss);
	if (strncmp(addr, "tcp:", 4) == 0)
		addr += 4;
	else if (addr[0] == '/')
		return dsrtest_sockaddr_un(addr, ss);
	if (dsrtest_tcp_addrs(addr, ss, &len, 1) != 1)
		return 0;
	return len;
}

/* ---- sockets ----------------------------------------------------------- */

/* Wait for events on a descriptor: 1 ready, 0 time-out (ETIMEDOUT), -1. */
static int
dsrtest_poll(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { fd, events, 0 };
	int n;

	n = poll(&pfd, 1, timeout_ms);
	if (n == 0)
		errno = ETIMEDOUT;
	return n;
}

/* Make a descriptor non-blocking; 0 or -1. */
int
dsrtest_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

/*
 * Connect to a socket address. Blocking (the default), timeout_ms > 0 is
 * SO_SNDTIMEO, which bounds the connect and every write, and with
 * DSRTEST_RCVTIMEO every read too. With DSRTEST_NONBLOCK the connect is
 * waited for up to timeout_ms and the socket stays non-blocking.
 * Returns the descriptor, or -1 with errno set.
 */
int
dsrtest_connect_sa(const struct sockaddr_storage *ss, socklen_t len, int flags,
    int timeout_ms)
{
	struct timeval tv;
	socklen_t elen = sizeof(int);
	int fd, one = 1, err = 0, type = SOCK_STREAM | SOCK_CLOEXEC;

	if (flags & DSRTEST_NONBLOCK)
		type |= SOCK_NONBLOCK;
	if ((fd = socket(ss->ss_family, type, 0)) == -1)
		return -1;
	if ((flags & DSRTEST_NODELAY) && ss->ss_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (!(flags & DSRTEST_NONBLOCK) && timeout_ms > 0) {
		tv.tv_sec = timeout_ms / 1000;
		tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		if (flags & DSRTEST_RCVTIMEO)
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	}
	if (connect(fd, (const struct sockaddr *)ss, len) == 0)
		return fd;
	if ((flags & DSRTEST_NONBLOCK) &&
	    (errno == EINPROGRESS || errno == EAGAIN)) {
		if (dsrtest_poll(fd, POLLOUT, timeout_ms) == 1) {
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &elen) == 0 && err == 0)
				return fd;
			if (err != 0)
				errno = err;
		}
	}
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/*
 * Connect to an address (as dsrtest_sockaddr takes it; a host name's
 * addresses are tried in turn). Returns the descriptor, or -1.
 */
int
dsrtest_connect(const char *addr, int flags, int timeout_ms)
{
	struct sockaddr_storage ss[DSRTEST_MAX_ADDRS];
	socklen_t len[DSRTEST_MAX_ADDRS];
	const char *tcp = addr;
	int i, n, fd = -1;

	if (strncmp(addr, "unix:", 5) == 0 || addr[0] == '/') {
		if ((len[0] = dsrtest_sockaddr(addr, &ss[0])) == 0)
			return -1;
		return dsrtest_connect_sa(&ss[0], len[0], flags, timeout_ms);
	}
	if (strncmp(tcp, "tcp:", 4) == 0)
		tcp += 4;
	n = dsrtest_tcp_addrs(tcp, ss, len, DSRTEST_MAX_ADDRS);
	for (i = 0; i < n && fd == -1; i++)
		fd = dsrtest_connect_sa(&ss[i], len[i], flags, timeout_ms);
	return fd;
}

/* The text of a bound socket's address: "IP:PORT", "[IP6]:PORT". */
static void
dsrtest_local_text(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = sizeof ss;
	char ip[INET6_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		snprintf(out, outlen, "?");
		return;
	}
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
		snprintf(out, outlen, "%s:%u", ip, ntohs(s4->sin_port));
	} else {
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
		snprintf(out, outlen, "[%s]:%u", ip, ntohs(s6->sin6_port));
	}
}

/*
 * Listen on an address (port 0 allowed; a Unix socket file left over is
 * removed first). The address really bound goes to out as text, the port
 * filled in. Returns the descriptor, or -1 with errno set.
 */
int
dsrtest_listen(const char *addr, int backlog, int flags, char *out,
    size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err, one = 1, type = SOCK_STREAM | SOCK_CLOEXEC;

	if ((len = dsrtest_sockaddr(addr, &ss)) == 0)
		return -1;
	if (flags & DSRTEST_NONBLOCK)
		type |= SOCK_NONBLOCK;
	if ((fd = socket(ss.ss_family, type, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_UNIX)
		unlink(((struct sockaddr_un *)&ss)->sun_path);
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    listen(fd, backlog) != 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	if (out != NULL) {
		if (ss.ss_family == AF_UNIX)
			snprintf(out, outlen, "%s", addr);
		else
			dsrtest_local_text(fd, out, outlen);
	}
	return fd;
}

/* The port a TCP socket is bound to, or -1. */
int
dsrtest_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

/* Accept a connection within timeout_ms; the fd, or -1 with errno set. */
int
dsrtest_accept(int lfd, int timeout_ms)
{
	long long end = dsrtest_now_ms() + timeout_ms;
	int fd;

	for (;;) {
		if (dsrtest_poll(lfd, POLLIN, timeout_ms) != 1)
			return -1;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd != -1 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return fd;
		/* Gone before we took it (a non-blocking listener): wait on. */
		if ((timeout_ms = (int)(end - dsrtest_now_ms())) < 0)
			timeout_ms = 0;
	}
}

/*
 * Write everything. A non-blocking socket that is full is waited for up
 * to timeout_ms in all; with 0, or on a blocking socket whose own
 * time-out expired, that is a failure at once. 0, or -1 with errno set.
 */
int
dsrtest_write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	const uint8_t *p = buf;
	long long end = 0;
	ssize_t n;
	int left;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    timeout_ms > 0) {
			if (end == 0)
				end = dsrtest_now_ms() + timeout_ms;
			left = (int)(end - dsrtest_now_ms());
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			if (dsrtest_poll(fd, POLLOUT, left) != 1)
				return -1;
			continue;
		}
		return -1;
	}
	return 0;
}

/*
 * Read what is there within timeout_ms: >0 bytes read, 0 EOF (or a
 * reset), -1 time-out (errno ETIMEDOUT), interrupted wait or error.
 */
ssize_t
dsrtest_read_some(int fd, void *buf, size_t len, int timeout_ms)
{
	ssize_t n;

	if (dsrtest_poll(fd, POLLIN, timeout_ms) != 1)
		return -1;
	n = recv(fd, buf, len, 0);
	if (n < 0)
		return errno == ECONNRESET ? 0 : -1;
	return n;
}

/*
 * Read exactly len bytes within timeout_ms in all; with -1, block, leaving
 * time-outs to the socket. 0, or -1: *got (if given) says how many came,
 * and errno is 0 after EOF or a reset, ETIMEDOUT after the time-out.
 */
int
dsrtest_read_exact(int fd, void *buf, size_t len, int timeout_ms, size_t *got)
{
	uint8_t *p = buf;
	long long end = 0;
	size_t done = 0;
	ssize_t n;
	int left;

	if (timeout_ms >= 0)
		end = dsrtest_now_ms() + timeout_ms;
	while (done < len) {
		if (timeout_ms < 0) {
			n = recv(fd, p + done, len - done, 0);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && errno == ECONNRESET)
				n = 0;
		} else {
			left = (int)(end - dsrtest_now_ms());
			if (left <= 0) {
				errno = ETIMEDOUT;
				break;
			}
			n = dsrtest_read_some(fd, p + done, len - done, left);
		}
		if (n == 0)
			errno = 0;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (got != NULL)
		*got = done;
	return done == len ? 0 : -1;
}

/* Wait for EOF (or a reset), discarding data; 0, or -1 on time-out. */
int
dsrtest_wait_eof(int fd, int timeout_ms)
{
	long long end = dsrtest_now_ms() + timeout_ms;
	uint8_t buf[65536];
	ssize_t n;
	int left;

	for (;;) {
		left = (int)(end - dsrtest_now_ms());
		if (left <= 0)
			return -1;
		n = dsrtest_read_some(fd, buf, sizeof buf, left);
		if (n == 0)
			return 0;
		if (n < 0)
			return -1;
	}
}

/* Whether nothing at all (no data, no EOF) arrives within ms. */
int
dsrtest_quiet(int fd, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	return poll(&pfd, 1, ms) == 0;
}

/* ---- frames ------------------------------------------------------------ */

/* Write a 20-byte IPC header. */
void
dsrtest_header(uint8_t *buf, uint16_t size, uint8_t set, uint8_t id)
{
	memcpy(buf, dsrtest_ipc_magic, sizeof dsrtest_ipc_magic);
	dsrtest_put_u16(buf + 14, size);
	buf[16] = set;
	buf[17] = id;
	dsrtest_put_u16(buf + 18, 0);
}

/* Write a 34-byte advertise. */
void
dsrtest_advertise(uint8_t *buf, const uint8_t *cookie, uint64_t pid)
{
	memcpy(buf, dsrtest_adv_magic, sizeof dsrtest_adv_magic);
	memcpy(buf + 8, cookie, DSRTEST_COOKIE_SIZE);
	dsrtest_put_u64(buf + 24, pid);
	dsrtest_put_u16(buf + 32, 0);
}

/* A recognisable cookie from a number. */
void
dsrtest_cookie(uint8_t *cookie, unsigned n)
{
	unsigned i;

	for (i = 0; i < DSRTEST_COOKIE_SIZE; i++)
		cookie[i] = (uint8_t)(n * 31 + i * 7 + 1);
}

/*
 * Write a protocol string: u32 count of UTF-16 units with the NUL, then
 * UTF-16LE; NULL is a count of 0. Input is ASCII or Latin-1. Returns the
 * bytes written.
 */
size_t
dsrtest_put_string(uint8_t *p, const char *s)
{
	size_t n, i;

	if (s == NULL) {
		dsrtest_put_u32(p, 0);
		return 4;
	}
	n = strlen(s) + 1;
	dsrtest_put_u32(p, (uint32_t)n);
	for (i = 0; i < n; i++) {
		p[4 + 2 * i] = (uint8_t)s[i];
		p[5 + 2 * i] = 0;
	}
	return 4 + 2 * n;
}

/* Append a code point to out as UTF-8, a newline as a space. */
static size_t
dsrtest_utf8(char *out, size_t o, uint32_t c)
{
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
	return o;
}

/*
 * Read a protocol string at *off of a payload of len bytes into out as
 * UTF-8 (cut to fit outsz; a null string reads "(null)") and move *off
 * past it. 0, or -1 if it runs past the payload.
 */
int
dsrtest_get_string(const uint8_t *p, size_t len, size_t *off, char *out,
    size_t outsz)
{
	uint32_t n, i, c, lo;
	size_t o = 0;

	if (*off + 4 > len)
		return -1;
	n = dsrtest_get_u32(p + *off);
	*off += 4;
	if (n == 0) {
		snprintf(out, outsz, "(null)");
		return 0;
	}
	if ((size_t)n * 2 > len - *off)
		return -1;
	for (i = 0; i < n; i++) {
		c = dsrtest_get_u16(p + *off + 2 * i);
		if (c >= 0xD800 && c < 0xDC00 && i + 1 < n) {
			lo = dsrtest_get_u16(p + *off + 2 * (i + 1));
			if (lo >= 0xDC00 && lo < 0xE000) {
				c = 0x10000 + ((c - 0xD800) << 10) +
				    (lo - 0xDC00);
				i++;
			}
		}
		if (c == 0 || o + 5 >= outsz)
			break;
		o = dsrtest_utf8(out, o, c);
	}
	out[o] = '\0';
	*off += (size_t)n * 2;
	return 0;
}

/* Write a ProcessInfo request; returns its size. */
size_t
dsrtest_processinfo_request(uint8_t *buf)
{
	dsrtest_header(buf, DSRTEST_HEADER_SIZE, 0x04, 0x00);
	return DSRTEST_HEADER_SIZE;
}

/*
 * Write a ProcessInfo OK answer: pid, cookie, command line, OS and
 * architecture (NULL strings are null). Returns its size.
 */
size_t
dsrtest_processinfo_response(uint8_t *buf, uint64_t pid, const uint8_t *cookie,
    const char *cmdline, const char *os, const char *arch)
{
	size_t n = DSRTEST_HEADER_SIZE;

	dsrtest_put_u64(buf + n, pid);
	n += 8;
	memcpy(buf + n, cookie, DSRTEST_COOKIE_SIZE);
	n += DSRTEST_COOKIE_SIZE;
	n += dsrtest_put_string(buf + n, cmdline);
	n += dsrtest_put_string(buf + n, os);
	n += dsrtest_put_string(buf + n, arch);
	dsrtest_header(buf, (uint16_t)n, 0xff, 0x00);
	return n;
}

/* Parse a ProcessInfo OK payload (after the header); 0, or -1 if malformed. */
int
dsrtest_processinfo_parse(const uint8_t *p, size_t len,
    struct dsrtest_processinfo *pi)
{
	size_t off = 8 + DSRTEST_COOKIE_SIZE;

	if (len < off)
		return -1;
	pi->pid = dsrtest_get_u64(p);
	memcpy(pi->cookie, p + 8, DSRTEST_COOKIE_SIZE);
	if (dsrtest_get_string(p, len, &off, pi->commandline,
	    sizeof pi->commandline) != 0 ||
	    dsrtest_get_string(p, len, &off, pi->os, sizeof pi->os) != 0 ||
	    dsrtest_get_string(p, len, &off, pi->arch, sizeof pi->arch) != 0)
		return -1;
	return 0;
}

/* Write an OK answer with an int32 result (ResumeRuntime's); its size. */
size_t
dsrtest_ok_result(uint8_t *buf, uint32_t result)
{
	dsrtest_header(buf, DSRTEST_HEADER_SIZE + 4, 0xff, 0x00);
	dsrtest_put_u32(buf + DSRTEST_HEADER_SIZE, result);
	return DSRTEST_HEADER_SIZE + 4;
}

/* Write an OK answer with a u64 session id (CollectTracing's); its size. */
size_t
dsrtest_ok_session(uint8_t *buf, uint64_t session)
{
	dsrtest_header(buf, DSRTEST_HEADER_SIZE + 8, 0xff, 0x00);
	dsrtest_put_u64(buf + DSRTEST_HEADER_SIZE, session);
	return DSRTEST_HEADER_SIZE + 8;
}

/* Write a 24-byte IPC Error with an HRESULT; its size. */
size_t
dsrtest_error(uint8_t *buf, uint32_t hresult)
{
	dsrtest_header(buf, DSRTEST_ERROR_SIZE, 0xff, 0xff);
	dsrtest_put_u32(buf + DSRTEST_HEADER_SIZE, hresult);
	return DSRTEST_ERROR_SIZE;
}

/* Whether a 24-byte frame is an IPC Error. */
int
dsrtest_is_error(const uint8_t *buf)
{
	return memcmp(buf, dsrtest_ipc_magic, sizeof dsrtest_ipc_magic) == 0 &&
	    dsrtest_get_u16(buf + 14) == DSRTEST_ERROR_SIZE &&
	    buf[16] == 0xff && buf[17] == 0xff;
}

/* The HRESULT of an Error frame. */
uint32_t
dsrtest_error_hresult(const uint8_t *buf)
{
	return dsrtest_get_u32(buf + DSRTEST_HEADER_SIZE);
}

/* The name of an HRESULT, or "unknown". */
const char *
dsrtest_hresult_name(uint32_t hr)
{
	switch (hr) {
	case DSRTEST_E_BAD_ENCODING:
		return "BAD_ENCODING";
	case DSRTEST_E_UNKNOWN_COMMAND:
		return "UNKNOWN_COMMAND";
	case DSRTEST_E_UNKNOWN_MAGIC:
		return "UNKNOWN_MAGIC";
	case DSRTEST_E_NOT_YET_AVAILABLE:
		return "NOT_YET_AVAILABLE";
	case DSRTEST_E_NOTSUPPORTED:
		return "NOTSUPPORTED";
	case DSRTEST_E_RUNTIME_UNINITIALIZED:
		return "RUNTIME_UNINITIALIZED";
	case DSRTEST_E_FAIL:
		return "FAIL";
	case DSRTEST_E_INVALIDARG:
		return "INVALIDARG";
	default:
		return "unknown";
	}
}

/* Bytes as lower-case hex; out holds 2 * n + 1. */
void
dsrtest_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- /proc ------------------------------------------------------------- */

/* The number on a "Key:  N kB" line of /proc/PID/FILE (status...), or -1. */
long
dsrtest_proc_kb(pid_t pid, const char *file, const char *key)
{
	char fn[64], line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(fn, sizeof fn, "/proc/%ld/%s", (long)pid, file);
	if ((f = fopen(fn, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* A process's resident set size in KiB, or -1. */
long
dsrtest_proc_rss_kb(pid_t pid)
{
	return dsrtest_proc_kb(pid, "status", "VmRSS");
}

/* The number of descriptors a process has open, or -1. */
int
dsrtest_proc_nfds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n;
}

/*
 * Fields first to first + n - 1 of /proc/PID/stat, numbered as in proc(5)
 * (the state is 3, so first is 4 or more), read from after the command
 * name, which may hold spaces and ')'. 0, or -1.
 */
int
dsrtest_proc_stat(pid_t pid, int first, int n, unsigned long long *out)
{
	char fn[64], buf[1024], *p, *end;
	ssize_t len;
	int fd, field, i;

	snprintf(fn, sizeof fn, "/proc/%ld/stat", (long)pid);
	if ((fd = open(fn, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	len = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return -1;
	p += 2;
	for (field = 3; field < first; field++) {
		if ((p = strchr(p, ' ')) == NULL)
			return -1;
		p++;
	}
	for (i = 0; i < n; i++) {
		out[i] = strtoull(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	return 0;
}

/* A process's start time: field 22 of /proc/PID/stat, the tools' key. */
int
dsrtest_proc_start_time(pid_t pid, unsigned long long *start)
{
	return dsrtest_proc_stat(pid, 22, 1, start);
}

/*
 * A file's whole content, NUL-terminated (an empty string when it cannot
 * be opened); the caller frees it. Out of memory aborts.
 */
char *
dsrtest_read_file(const char *path)
{
	char *buf = calloc(1, 1), *nbuf, chunk[4096];
	size_t len = 0, n;
	FILE *f;

	if (buf == NULL)
		abort();
	if ((f = fopen(path, "r")) == NULL)
		return buf;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if ((nbuf = realloc(buf, len + n + 1)) == NULL)
			abort();
		buf = nbuf;
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

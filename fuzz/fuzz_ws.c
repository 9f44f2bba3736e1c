/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ws.c: fuzz target for WebSocket runtimes. The first input byte
 * picks what the rest is:
 *
 * - even: an HTTP upgrade request (the next byte picks the configuration).
 *   ws_request_parse must judge it as it judges any prefix it already
 *   judged (a verdict never changes with more bytes), with a status of
 *   its list and an answer whose bytes agree (status line, Content-Length,
 *   the accept key); wsserver, fed the same bytes over a socket, must send
 *   that status (or nothing while the request is incomplete) and hand a
 *   connection to the route exactly when it is 101. The same bytes are
 *   also a ws:// URL (a parsed URL prints back to itself) and an Origin
 *   (checked against a reading of the localhost rule written here).
 *
 * - odd: the frames a runtime sends (and bytes the route sends it), run
 *   through a real bridge (wsbridge.c and wslay) over socketpairs: the
 *   route must receive exactly the binary payload that a frame reader
 *   written here from RFC 6455 finds before the first frame that ends the
 *   stream (a close, a text message, a protocol error, a message over the
 *   limit); the runtime must receive, as well-formed unmasked frames,
 *   exactly the bytes the route wrote; and the bridge must end once the
 *   runtime's side is closed. Byte 1 picks the message limit, byte 2 how
 *   the bytes are cut into writes, bytes 3-4 how many bytes the route
 *   sends (they come first), byte 5 how many of the runtime's bytes came
 *   with the upgrade (when the route sends none).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>

#include "dsrouterd.h"
#include "ws.h"
#include "fuzz.h"

#define MAX_ROUNDS 20000

static struct event_base *base;

/* A growing byte buffer. */
struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 1024;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* Read what a non-blocking socket has; 1 at EOF (or a reset). */
static int
drain(int fd, struct buf *b)
{
	uint8_t chunk[65536];
	ssize_t n;

	for (;;) {
		n = recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
		if (n > 0) {
			buf_add(b, chunk, (size_t)n);
			continue;
		}
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR))
			return 1;
		return 0;
	}
}

/* A non-blocking socketpair. */
static void
pair(int sv[2])
{
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, sv) == 0);
}

/* One pass of the loop over whatever is ready. */
static void
turn(void)
{
	event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
}

/* ---- the upgrade request ------------------------------------------------ */

static const char *const origins_app[] = { "https://app.example:8443",
	"localhost", NULL };

/* The localhost rule, read afresh: http(s)://localhost|127.0.0.1|[::1][:1-5 digits]. */
static int
spec_origin_local(const char *o, size_t len)
{
	char s[256], *h, *rest;
	size_t i;

	if (len >= sizeof s)
		return 0;
	for (i = 0; i < len; i++)
		s[i] = (char)tolower((unsigned char)o[i]);
	s[len] = '\0';
	if (memchr(o, '\0', len) != NULL)
		return 0;
	if (strncmp(s, "https://", 8) == 0)
		h = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		h = s + 7;
	else
		return 0;
	if (strncmp(h, "[::1]", 5) == 0)
		rest = h + 5;
	else if (strncmp(h, "localhost", 9) == 0)
		rest = h + 9;
	else if (strncmp(h, "127.0.0.1", 9) == 0)
		rest = h + 9;
	else
		return 0;
	if (*rest == '\0')
		return 1;
	if (*rest++ != ':' || strlen(rest) < 1 || strlen(rest) > 5)
		return 0;
	for (; *rest != '\0'; rest++) {
		if (!isdigit((unsigned char)*rest))
			return 0;
	}
	return 1;
}

/* A judged request and its answer agree with each other. */
static void
check_judged(const char *req, size_t len, const struct ws_request *r)
{
	char out[1024], want[64], *body;
	size_t n, clen;

	FUZZ_CHECK(r->status == 101 || r->status == 400 || r->status == 403 ||
	    r->status == 404 || r->status == 405 || r->status == 426 ||
	    r->status == 431 || r->status == 505);
	FUZZ_CHECK(r->why != NULL);
	FUZZ_CHECK(r->header_len <= len);
	FUZZ_CHECK(strlen(r->origin) <= WS_ORIGIN_LOG);
	if (r->header_len > 0)
		FUZZ_CHECK(r->header_len >= 4 &&
		    memcmp(req + r->header_len - 4, "\r\n\r\n", 4) == 0);
	if (r->status == 431)
		FUZZ_CHECK(r->header_len == 0 || r->why != NULL);
	if (r->status == 101) {
		FUZZ_CHECK(r->header_len > 0);
		FUZZ_CHECK(strncmp(req, "GET /", 5) == 0);
		FUZZ_CHECK(strlen(r->accept) == WS_ACCEPT_LEN);
		FUZZ_CHECK(r->accept[WS_ACCEPT_LEN - 1] == '=');
	} else
		FUZZ_CHECK(r->accept[0] == '\0');
	n = ws_response(r, out, sizeof out);
	FUZZ_CHECK(n > 0 && n < sizeof out);
	out[n] = '\0';
	snprintf(want, sizeof want, "HTTP/1.1 %d %s\r\n", r->status,
	    ws_status_text(r->status));
	FUZZ_CHECK(strncmp(out, want, strlen(want)) == 0);
	body = strstr(out, "\r\n\r\n");
	FUZZ_CHECK(body != NULL);
	body += 4;
	if (r->status == 101) {
		FUZZ_CHECK(*body == '\0');
		FUZZ_CHECK(strstr(out, r->accept) != NULL);
	} else {
		FUZZ_CHECK(sscanf(strstr(out, "Content-Length: ") + 16, "%zu",
		    &clen) == 1);
		FUZZ_CHECK(clen == strlen(body));
	}
}

/* The parser's verdicts on the request and its prefixes. */
static void
fuzz_request_parse(const char *req, size_t len, const struct ws_conf *conf,
    struct ws_request *final)
{
	struct ws_request r;
	size_t cut, step;
	int done;

	done = ws_request_parse(req, len, conf, final);
	if (done)
		check_judged(req, len, final);
	else
		FUZZ_CHECK(len < WS_MAX_HEADER);
	/* A prefix judged is judged the same way. */
	step = len / 16 + 1;
	for (cut = 0; cut < len; cut += step) {
		if (!ws_request_parse(req, cut, conf, &r))
			continue;
		FUZZ_CHECK(done);
		FUZZ_CHECK(r.status == final->status);
		FUZZ_CHECK(r.header_len == final->header_len);
		FUZZ_CHECK(strcmp(r.accept, final->accept) == 0);
	}
}

static int ready_fd = -1;

/* wsserver handed a connection to the route. */
static void
ready_cb(int fd, void *arg)
{
	(void)arg;
	FUZZ_CHECK(ready_fd == -1);
	ready_fd = fd;
}

/* The same bytes through wsserver: the same verdict on the wire. */
static void
fuzz_request_server(const char *req, size_t len, const struct ws_conf *conf)
{
	struct ws_request want;
	struct wsserver *s;
	struct buf ans = { NULL, 0, 0 };
	char *cause = NULL, line[64];
	size_t judged = len < WS_MAX_HEADER ? len : WS_MAX_HEADER, off = 0;
	ssize_t n;
	int sv[2], rounds, eof = 0, shut = 0;

	s = wsserver_new(base, conf, ready_cb, NULL, &cause);
	FUZZ_CHECK(s != NULL);
	pair(sv);
	wsserver_accept(s, sv[1]);
	for (rounds = 0; rounds < MAX_ROUNDS && !eof && ready_fd == -1;
	    rounds++) {
		if (off < len) {
			n = send(sv[0], req + off, len - off, MSG_DONTWAIT |
			    MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
			else if (n == -1 && errno != EAGAIN)
				off = len;
		}
		if (off == len && !shut) {
			shutdown(sv[0], SHUT_WR);
			shut = 1;
		}
		turn();
		eof = drain(sv[0], &ans);
	}
	FUZZ_CHECK(eof || ready_fd != -1);
	drain(sv[0], &ans);

	if (!ws_request_parse(req, judged, conf, &want)) {
		/* Never judged: closed without an answer. */
		FUZZ_CHECK(ans.len == 0 && ready_fd == -1);
	} else {
		snprintf(line, sizeof line, "HTTP/1.1 %d ", want.status);
		FUZZ_CHECK(ans.len >= strlen(line) &&
		    memcmp(ans.p, line, strlen(line)) == 0);
		FUZZ_CHECK((ready_fd != -1) == (want.status == 101));
	}
	if (ready_fd != -1) {
		close(ready_fd);
		ready_fd = -1;
	}
	wsserver_free(s);
	close(sv[0]);
	free(ans.p);
}

/* The bytes as a URL: what parses prints back to itself. */
static void
fuzz_url(const char *s)
{
	char *hp = NULL, *path = NULL, *cause = NULL, *again = NULL;
	char *hp2 = NULL, *path2 = NULL, *colon, *end;
	unsigned long port;
	const char *p;

	if (ws_parse_url(s, &hp, &path, &cause) != 0) {
		FUZZ_CHECK(hp == NULL && path == NULL && cause != NULL);
		FUZZ_CHECK(strstr(cause, s) != NULL);
		free(cause);
		return;
	}
	FUZZ_CHECK(path[0] == '/');
	for (p = path; *p != '\0'; p++)
		FUZZ_CHECK(*p > ' ' && *p < 0x7f && *p != '?' && *p != '#');
	colon = strrchr(hp, ':');
	FUZZ_CHECK(colon != NULL && colon != hp);
	port = strtoul(colon + 1, &end, 10);
	FUZZ_CHECK(*end == '\0' && end != colon + 1 && port <= 65535);
	xasprintf(&again, "ws://%s%s", hp, path);
	FUZZ_CHECK(ws_parse_url(again, &hp2, &path2, &cause) == 0);
	FUZZ_CHECK(strcmp(hp, hp2) == 0 && strcmp(path, path2) == 0);
	free(hp);
	free(path);
	free(hp2);
	free(path2);
	free(again);
}

/* The bytes as an Origin. */
static void
fuzz_origin(const char *o, size_t len)
{
	static const char *const any[] = { "*", NULL };
	const char *self[2] = { NULL, NULL };
	char *s;

	FUZZ_CHECK(ws_origin_allowed(o, len, NULL) == spec_origin_local(o, len));
	FUZZ_CHECK(ws_origin_allowed(o, len, any) == 1);
	if (memchr(o, '\0', len) != NULL || len == 0 || o[len - 1] == '/' ||
	    (len == 1 && o[0] == '*') ||
	    (len == 9 && strncasecmp(o, "localhost", 9) == 0))
		return;
	s = fuzz_strndup((const uint8_t *)o, len);
	self[0] = s;
	FUZZ_CHECK(ws_origin_allowed(o, len, self) == 1);
	free(s);
}

static void
fuzz_request(const uint8_t *data, size_t size)
{
	struct ws_conf conf = { "/diagnostics", NULL, 0, 60000, "fuzz" };
	struct ws_request r;
	const char *req;
	char *s;

	if (size < 1)
		return;
	if (data[0] & 1)
		conf.origins = origins_app;
	if (data[0] & 2)
		conf.path = "/";
	req = (const char *)data + 1;
	size--;
	fuzz_request_parse(req, size, &conf, &r);
	fuzz_request_server(req, size, &conf);
	s = fuzz_strndup((const uint8_t *)req, size);
	fuzz_url(s);
	free(s);
	fuzz_origin(req, size);
}

/* ---- frames ------------------------------------------------------------- */

/*
 * What the route must receive from a runtime's bytes: the payload of
 * binary messages, up to the first frame that ends the stream. A frame is
 * looked at once its header and one byte of payload (or an empty payload)
 * have come, as a reader that passes payload on as it arrives does.
 */
static void
spec_frames(const uint8_t *p, size_t n, uint64_t max, struct buf *out)
{
	size_t off = 0, hl, avail, j;
	uint64_t len, msg_len = 0;
	int in_msg = 0, fin, op, rsv, masked, i;

	while (n - off >= 2) {
		fin = p[off] >> 7;
		rsv = (p[off] >> 4) & 7;
		op = p[off] & 0x0f;
		masked = p[off + 1] >> 7;
		len = p[off + 1] & 0x7f;
		hl = 2;
		if (op >= 8 && (len > 125 || !fin))
			return;                 /* a bad control frame */
		if (len == 126 || len == 127) {
			i = len == 126 ? 2 : 8;
			if (n - off < hl + (size_t)i)
				return;
			for (len = 0; i > 0; i--, hl++)
				len = len << 8 | p[off + hl];
			if ((hl == 4 && len < 126) ||
			    (hl == 10 && (len < 65536 || len >> 63)))
				return;         /* a length not in its shortest form */
		}
		if (masked)
			hl += 4;
		if (n - off < hl)
			return;
		avail = n - off - hl;
		if (len > 0 && avail == 0)
			return;                 /* nothing of its payload yet */
		if (rsv != 0 || !masked)
			return;                 /* 1002 */
		if (!in_msg && op != 1 && op != 2 && op != 8 && op != 9 &&
		    op != 10)
			return;                 /* 1002: no message to continue */
		if (in_msg && op != 0 && op != 8 && op != 9 && op != 10)
			return;                 /* 1002: a message is unfinished */
		if (len > max)
			return;                 /* 1009 */
		if (op == 1)
			return;                 /* 1003: text */
		if (op == 2)
			msg_len = len;
		else if (op == 0)
			msg_len += len;
		if ((op == 0 || op == 2) && msg_len > max)
			return;                 /* 1009: the message */
		if (avail > len)
			avail = (size_t)len;
		if (op == 0 || op == 2) {
			for (j = 0; j < avail; j++) {
				uint8_t c = (uint8_t)(p[off + hl + j] ^
				    p[off + hl - 4 + j % 4]);

				buf_add(out, &c, 1);
			}
			if (avail < len)
				return;
			in_msg = !fin;
		} else if (avail < len || op == 8)
			return;                 /* cut short, or a close */
		off += hl + (size_t)len;
	}
}

/*
 * Server frames as the runtime receives them: unmasked, no RSV, binary
 * (whole messages), pongs, and a close last. The binary payload goes to
 * data; 1 if a close came.
 */
static int
read_server_frames(const uint8_t *p, size_t n, struct buf *data, size_t *used)
{
	size_t off = 0, hl;
	uint64_t len;
	int i, closed = 0;

	while (n - off >= 2 && !closed) {
		FUZZ_CHECK((p[off] & 0x70) == 0);
		FUZZ_CHECK((p[off + 1] & 0x80) == 0);
		len = p[off + 1] & 0x7f;
		hl = 2;
		if (len >= 126) {
			i = len == 126 ? 2 : 8;
			if (n - off < 2 + (size_t)i)
				break;
			for (len = 0; i > 0; i--, hl++)
				len = len << 8 | p[off + hl];
		}
		if (n - off - hl < len)
			break;
		switch (p[off] & 0x0f) {
		case 0x2:
			FUZZ_CHECK(p[off] & 0x80);
			buf_add(data, p + off + hl, (size_t)len);
			break;
		case 0xa:
			break;
		case 0x8:
			closed = 1;
			break;
		default:
			FUZZ_CHECK(0 && "a frame the server never sends");
		}
		off += hl + (size_t)len;
	}
	*used = off;
	return closed;
}

static int bridge_done;

/* The bridge ended: free it, as wsserver does. */
static void
done_cb(struct wsbridge *b, const char *why, void *arg)
{
	(void)why;
	(void)arg;
	bridge_done = 1;
	wsbridge_free(b);
}

/* Send (non-blocking) up to want bytes of p at *off. */
static void
feed(int fd, const uint8_t *p, size_t len, size_t *off, size_t want)
{
	ssize_t n;

	if (want > len - *off)
		want = len - *off;
	if (want == 0)
		return;
	n = send(fd, p + *off, want, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n > 0)
		*off += (size_t)n;
}

static void
fuzz_frames(const uint8_t *data, size_t size)
{
	static const size_t limits[4] = { 125, 1000, 70000, 0 };
	struct ws_conf conf = { "/diagnostics", NULL, 0, 0, "fuzz" };
	struct buf to_route = { NULL, 0, 0 }, at_runtime = { NULL, 0, 0 };
	struct buf runtime_data = { NULL, 0, 0 }, want = { NULL, 0, 0 };
	const uint8_t *route_bytes, *rt_bytes;
	size_t nroute, nrt, npre, chunk, off, used = 0, parsed = 0;
	int tcp[2], sp[2], rounds, route_eof = 0;
	struct wsbridge *b;

	if (size < 5)
		return;
	conf.max_message = limits[data[0] & 3];
	chunk = (size_t)data[1] * 37 + 1;
	nroute = (size_t)(data[2] | data[3] << 8);
	npre = data[4];
	data += 5;
	size -= 5;
	if (nroute > size)
		nroute = size;
	/* Frames that came with the upgrade would be read before the route's bytes. */
	if (nroute > 0)
		npre = 0;
	route_bytes = data;
	rt_bytes = data + nroute;
	nrt = size - nroute;
	if (npre > nrt)
		npre = nrt;

	pair(tcp);
	pair(sp);
	bridge_done = 0;
	b = wsbridge_new(base, tcp[1], sp[1], rt_bytes, npre, &conf, 1, done_cb,
	    NULL);
	FUZZ_CHECK(b != NULL);

	/* The route's bytes first: all must reach the runtime, framed. */
	off = 0;
	for (rounds = 0; rounds < MAX_ROUNDS && !bridge_done &&
	    runtime_data.len < nroute; rounds++) {
		feed(sp[0], route_bytes, nroute, &off, chunk);
		turn();
		drain(tcp[0], &at_runtime);
		drain(sp[0], &to_route);
		if (read_server_frames(at_runtime.p + parsed,
		    at_runtime.len - parsed, &runtime_data, &used))
			break;
		parsed += used;
	}
	FUZZ_CHECK(runtime_data.len == nroute);
	if (nroute > 0)
		FUZZ_CHECK(memcmp(runtime_data.p, route_bytes, nroute) == 0);

	/* Then the runtime's frames, cut into writes, then its EOF. */
	off = npre;
	for (rounds = 0; rounds < MAX_ROUNDS && !bridge_done; rounds++) {
		if (off < nrt)
			feed(tcp[0], rt_bytes, nrt, &off, chunk);
		else if (off == nrt) {
			shutdown(tcp[0], SHUT_WR);
			off++;
		}
		turn();
		drain(tcp[0], &at_runtime);
		route_eof = drain(sp[0], &to_route);
	}
	FUZZ_CHECK(bridge_done);
	while (!route_eof)
		route_eof = drain(sp[0], &to_route);

	spec_frames(rt_bytes, nrt, conf.max_message != 0 ? conf.max_message :
	    WS_DEFAULT_MAX_MESSAGE, &want);
	FUZZ_CHECK(to_route.len == want.len);
	if (want.len > 0)
		FUZZ_CHECK(memcmp(to_route.p, want.p, want.len) == 0);
	/* What the runtime got after the route's bytes: pongs, a close. */
	runtime_data.len = 0;
	(void)read_server_frames(at_runtime.p + parsed, at_runtime.len - parsed,
	    &runtime_data, &used);
	FUZZ_CHECK(runtime_data.len == 0);

	close(tcp[0]);
	close(sp[0]);
	free(to_route.p);
	free(at_runtime.p);
	free(runtime_data.p);
	free(want.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;

	if (ws_supported(&cause) != 0) {
		free(cause);
		return 0;
	}
	if (base == NULL) {
		base = event_base_new();
		FUZZ_CHECK(base != NULL);
		log_set_level(LOG_LEVEL_NONE);  /* refusals are expected */
	}
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_frames(data + 1, size - 1);
	else
		fuzz_request(data + 1, size - 1);
	return 0;
}

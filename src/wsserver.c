/* SPDX-License-Identifier: MIT */
/*
 * wsserver.c: a WebSocket runtime listener's connections: the HTTP upgrade
 * of each accepted TCP connection (bounded: WS_MAX_HEADER bytes in
 * handshake_ms, at most WS_MAX_HANDSHAKES at once), answered 101 or
 * refused with its status (ws.c judges), then a bridge (wsbridge.c) whose
 * socketpair end goes to ready() as an accepted runtime connection.
 * Nothing of a refused request ever reaches the route.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dsrouterd.h"
#include "ws.h"

#define WSS_LINGER_MS 1000       /* a refused client has this long to read the answer */
#define WSS_LINGER_MAX (64 * 1024) /* and may send this much meanwhile */
#define WSS_ANSWER_MAX 512

/* Where an upgrade is. */
enum wshs_state {
	WSHS_READ,               /* reading the request */
	WSHS_ANSWER,             /* writing the answer */
	WSHS_LINGER,             /* refused: answer sent, waiting for the client to close */
};

/* An accepted connection during its upgrade. */
struct wshs {
	struct wsserver *srv;
	int fd;
	enum wshs_state state;
	struct event *ev;        /* readable (read, linger) or writable (answer) */
	struct event *timer;
	char buf[WS_MAX_HEADER];
	size_t len;
	size_t lingered;
	struct ws_request req;
	char out[WSS_ANSWER_MAX];
	size_t outlen, outoff;
	char peer[INET6_ADDRSTRLEN + 8];
	uint64_t id;
	TAILQ_ENTRY(wshs) entry;
};
TAILQ_HEAD(wshs_list, wshs);

/* A live bridge, as the server keeps it. */
struct wslink {
	struct wsserver *srv;
	struct wsbridge *b;
	TAILQ_ENTRY(wslink) entry;
};
TAILQ_HEAD(wslink_list, wslink);

struct wsserver {
	struct event_base *base;
	struct ws_conf conf;     /* pointing into the copies below */
	char *path;
	char **origins;
	char *tag;
	void (*ready)(int, void *);
	void *arg;
	struct wshs_list hs;
	size_t nhs;
	struct wslink_list links;
	size_t nlinks;
	struct ratelimit warnings;
	struct ws_stats stats;
	uint64_t next_id;
};

static void wshs_read(struct wshs *);
static void wshs_write(struct wshs *);

/* Log a refusal: rate-limited like a route's warnings. */
static void
wss_warn(struct wsserver *s, const char *fmt, ...) DSR_PRINTFLIKE(2, 3);
static void
wss_warn(struct wsserver *s, const char *fmt, ...)
{
	unsigned suppressed;
	va_list ap;

	if (!log_enabled(LOG_LEVEL_WARN) ||
	    !ratelimit_allow(&s->warnings, now_us(), &suppressed))
		return;
	if (suppressed > 0)
		log_warn(s->tag, "%u similar warning(s) suppressed", suppressed);
	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_WARN, s->tag, fmt, ap);
	va_end(ap);
}

/* The peer's address, for the log. */
static void
wshs_peer(struct wshs *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[INET6_ADDRSTRLEN];
	const void *a = NULL;
	unsigned port = 0;

	snprintf(h->peer, sizeof h->peer, "?");
	if (getpeername(h->fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		a = &((struct sockaddr_in *)&ss)->sin_addr;
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	if (a == NULL || inet_ntop(ss.ss_family, a, host, sizeof host) == NULL)
		return;
	snprintf(h->peer, sizeof h->peer, ss.ss_family == AF_INET6 ?
	    "[%s]:%u" : "%s:%u", host, port);
}

/* Free an upgrade in progress; its descriptor too, unless given away (-1). */
static void
wshs_free(struct wshs *h)
{
	struct wsserver *s = h->srv;

	TAILQ_REMOVE(&s->hs, h, entry);
	s->nhs--;
	event_free(h->ev);
	event_free(h->timer);
	if (h->fd >= 0)
		close(h->fd);
	free(h);
}

/* End an upgrade that got no answer, or whose answer could not be sent. */
static void
wshs_drop(struct wshs *h, const char *why)
{
	if (h->state != WSHS_LINGER)
		h->srv->stats.dropped++;
	log_debug(h->srv->tag, "websocket %llu from %s: %s",
	    (unsigned long long)h->id, h->peer, why);
	wshs_free(h);
}

/* Arm the timer. */
static void
wshs_timer(struct wshs *h, unsigned ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(h->timer, &tv);
}

/* Watch the descriptor for reading or writing. */
static void
wshs_watch(struct wshs *h, short what, event_callback_fn cb)
{
	event_free(h->ev);
	h->ev = event_new(h->srv->base, h->fd, what | EV_PERSIST, cb, h);
	if (h->ev == NULL)
		fatalx("event_new failed");
	event_add(h->ev, NULL);
}

/* A bridge has ended. */
static void
wss_bridge_done(struct wsbridge *b, const char *why, void *arg)
{
	struct wslink *l = arg;
	struct wsserver *s = l->srv;

	(void)why;
	TAILQ_REMOVE(&s->links, l, entry);
	s->nlinks--;
	wsbridge_free(b);
	free(l);
}

/* The 101 is sent: bridge the connection and hand the socketpair's other end to the route. */
static void
wshs_upgraded(struct wshs *h)
{
	struct wsserver *s = h->srv;
	struct wslink *l;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) != 0) {
		log_warn(s->tag, "websocket %llu from %s: socketpair: %s",
		    (unsigned long long)h->id, h->peer, strerror(errno));
		wshs_drop(h, "no socketpair");
		return;
	}
	log_debug(s->tag, "websocket %llu from %s: upgraded%s%s",
	    (unsigned long long)h->id, h->peer, h->req.origin[0] != '\0' ?
	    ", Origin " : "", h->req.origin);
	l = xcalloc(1, sizeof *l);
	l->srv = s;
	l->b = wsbridge_new(s->base, h->fd, sv[0],
	    (const uint8_t *)h->buf + h->req.header_len,
	    h->len - h->req.header_len, &s->conf, h->id, wss_bridge_done, l);
	TAILQ_INSERT_TAIL(&s->links, l, entry);
	s->nlinks++;
	h->fd = -1;
	wshs_free(h);
	s->ready(sv[1], s->arg);
}

/* A refused client read its answer, or had its time: close. */
static void
wshs_linger_cb(evutil_socket_t fd, short events, void *arg)
{
	struct wshs *h = arg;
	char sink[4096];
	ssize_t n;

	(void)events;
	while ((n = recv(fd, sink, sizeof sink, 0)) > 0) {
		h->lingered += (size_t)n;
		if (h->lingered > WSS_LINGER_MAX)
			break;
	}
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	wshs_drop(h, "refused client gone");
}

/* The answer is written (a refusal: then wait for the client to close). */
static void
wshs_answered(struct wshs *h)
{
	if (h->req.status == 101) {
		wshs_upgraded(h);
		return;
	}
	shutdown(h->fd, SHUT_WR);
	h->state = WSHS_LINGER;
	wshs_watch(h, EV_READ, wshs_linger_cb);
	wshs_timer(h, WSS_LINGER_MS);
}

/* The descriptor is writable while answering. */
static void
wshs_write_cb(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	wshs_write(arg);
}

/* Write (the rest of) the answer. */
static void
wshs_write(struct wshs *h)
{
	ssize_t n;

	while (h->outoff < h->outlen) {
		n = send(h->fd, h->out + h->outoff, h->outlen - h->outoff,
		    MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			wshs_drop(h, "gone before the answer was sent");
			return;
		}
		h->outoff += (size_t)n;
	}
	wshs_answered(h);
}

/* The request is judged: log a refusal, then answer. */
static void
wshs_answer(struct wshs *h)
{
	struct wsserver *s = h->srv;

	if (h->req.status == 101)
		s->stats.accepted++;
	else {
		s->stats.refused++;
		wss_warn(s, "refused a WebSocket connection from %s: %d %s: %s%s%s",
		    h->peer, h->req.status, ws_status_text(h->req.status),
		    h->req.why, h->req.origin[0] != '\0' ? "; Origin " : "",
		    h->req.origin);
	}
	h->outlen = ws_response(&h->req, h->out, sizeof h->out);
	h->outoff = 0;
	h->state = WSHS_ANSWER;
	event_del(h->timer);
	/* The answer and the lingering after a refusal share one short deadline. */
	wshs_timer(h, WSS_LINGER_MS);
	wshs_watch(h, EV_WRITE, wshs_write_cb);
	wshs_write(h);
}

/* The request is readable. */
static void
wshs_read_cb(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	wshs_read(arg);
}

/* Read what has come of the request, and judge it when it is whole. */
static void
wshs_read(struct wshs *h)
{
	ssize_t n;

	for (;;) {
		n = recv(h->fd, h->buf + h->len, sizeof h->buf - h->len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			wshs_drop(h, n == 0 ? "closed during the upgrade" :
			    strerror(errno));
			return;
		}
		h->len += (size_t)n;
		if (ws_request_parse(h->buf, h->len, &h->srv->conf, &h->req)) {
			wshs_answer(h);
			return;
		}
	}
}

/* Time is up: for the request (answered 408), or for the answer and the close. */
static void
wshs_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct wshs *h = arg;

	(void)fd;
	(void)events;
	if (h->state != WSHS_READ) {
		wshs_drop(h, h->state == WSHS_LINGER ? "refused client closed "
		    "late" : "answer not taken");
		return;
	}
	memset(&h->req, 0, sizeof h->req);
	h->req.status = 408;
	h->req.why = "the upgrade request did not come in time";
	wshs_answer(h);
}

/* Free a NULL-ended copy of an origin list. */
static void
wss_origins_free(char **origins)
{
	size_t i;

	if (origins == NULL)
		return;
	for (i = 0; origins[i] != NULL; i++)
		free(origins[i]);
	free(origins);
}

/* A NULL-ended copy of an origin list (NULL stays NULL). */
static char **
wss_origins_copy(const char *const *origins)
{
	char **copy;
	size_t i, n = 0;

	if (origins == NULL)
		return NULL;
	while (origins[n] != NULL)
		n++;
	copy = xcalloc(n + 1, sizeof *copy);
	for (i = 0; i < n; i++)
		copy[i] = xstrdup(origins[i]);
	return copy;
}

/*
 * A server for one WebSocket runtime listener: ready(fd, arg) gets the
 * route's end of each upgraded connection (non-blocking, close-on-exec)
 * and must not free the server. The configuration is copied.
 */
struct wsserver *
wsserver_new(struct event_base *base, const struct ws_conf *conf,
    void (*ready)(int, void *), void *arg, char **cause)
{
	struct wsserver *s;

	if (ws_supported(cause) != 0)
		return NULL;
	if (conf->path == NULL || conf->path[0] != '/') {
		xasprintf(cause, "the WebSocket path must start with '/'");
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->ready = ready;
	s->arg = arg;
	TAILQ_INIT(&s->hs);
	TAILQ_INIT(&s->links);
	ratelimit_init(&s->warnings, 20, 5000);
	s->path = xstrdup(conf->path);
	s->tag = xstrdup(conf->tag != NULL ? conf->tag : "websocket");
	s->origins = wss_origins_copy(conf->origins);
	s->conf.path = s->path;
	s->conf.origins = (const char *const *)s->origins;
	s->conf.tag = s->tag;
	s->conf.max_message = conf->max_message != 0 ? conf->max_message :
	    WS_DEFAULT_MAX_MESSAGE;
	s->conf.handshake_ms = conf->handshake_ms != 0 ? conf->handshake_ms :
	    WS_DEFAULT_HANDSHAKE_MS;
	return s;
}

/*
 * An accepted TCP connection (non-blocking): run its upgrade. With too
 * many upgrades in progress the oldest is dropped, never the new one.
 */
void
wsserver_accept(struct wsserver *s, int fd)
{
	struct wshs *h;

	if (s->nhs >= WS_MAX_HANDSHAKES) {
		h = TAILQ_FIRST(&s->hs);
		wss_warn(s, "%d WebSocket upgrades in progress: dropped the "
		    "oldest (from %s)", WS_MAX_HANDSHAKES, h->peer);
		wshs_drop(h, "too many upgrades in progress");
	}
	h = xcalloc(1, sizeof *h);
	h->srv = s;
	h->fd = fd;
	h->id = ++s->next_id;
	h->state = WSHS_READ;
	wshs_peer(h);
	h->ev = event_new(s->base, fd, EV_READ | EV_PERSIST, wshs_read_cb, h);
	h->timer = evtimer_new(s->base, wshs_timeout_cb, h);
	if (h->ev == NULL || h->timer == NULL)
		fatalx("event_new failed");
	TAILQ_INSERT_TAIL(&s->hs, h, entry);
	s->nhs++;
	event_add(h->ev, NULL);
	wshs_timer(h, s->conf.handshake_ms);
	log_trace(s->tag, "websocket %llu: connection from %s",
	    (unsigned long long)h->id, h->peer);
	wshs_read(h);
}

/* How many upgraded connections are bridged. */
size_t
wsserver_count(struct wsserver *s)
{
	return s->nlinks;
}

/* The server's counters. */
void
wsserver_stats(struct wsserver *s, struct ws_stats *st)
{
	*st = s->stats;
	st->handshakes = s->nhs;
	st->bridges = s->nlinks;
}

/*
 * Change the origins allowed (a reload): upgrades judged from now on
 * follow the new list; connections already upgraded are left alone.
 */
void
wsserver_set_origins(struct wsserver *s, const char *const *origins)
{
	wss_origins_free(s->origins);
	s->origins = wss_origins_copy(origins);
	s->conf.origins = (const char *const *)s->origins;
}

/* Close every upgrade and bridge, and free the server. */
void
wsserver_free(struct wsserver *s)
{
	struct wslink *l;

	if (s == NULL)
		return;
	while (!TAILQ_EMPTY(&s->hs))
		wshs_free(TAILQ_FIRST(&s->hs));
	while ((l = TAILQ_FIRST(&s->links)) != NULL) {
		TAILQ_REMOVE(&s->links, l, entry);
		wsbridge_free(l->b);
		free(l);
	}
	wss_origins_free(s->origins);
	free(s->path);
	free(s->tag);
	free(s);
}

/* SPDX-License-Identifier: MIT */
/*
 * wsbridge.c: one upgraded WebSocket connection carried to one end of a
 * socketpair, whose other end the route took as a runtime connection: the
 * bridge's life (creation, its events, the run loop, its end).
 *
 * wslay does the framing (wsbridge_wslay.c: its callbacks, the close
 * frames we send). The payload of binary messages is written to the
 * socketpair in order; bytes read from the socketpair go out as binary
 * messages, one per read, so the runtime sees the same byte stream
 * however it was cut.
 *
 * Memory is bounded: bytes for the route wait in an evbuffer of at most
 * WSBRIDGE_IN_MAX (plus one read), past which the TCP side is not read;
 * the socketpair is not read while wslay holds WSBRIDGE_OUT_MAX bytes or
 * WSBRIDGE_OUT_MSGS/2 messages for the runtime; and the TCP side is not
 * read either while answers the runtime does not read (pongs) pile up.
 *
 * Ends: the runtime's close frame (or a lost connection) is passed on as
 * a half-close of the socketpair once the bytes before it are written.
 * The route's side reaching EOF means either a half-close (a tool that
 * shut its write side after its command: the WebSocket has no half-close,
 * so the connection stays open for the runtime's answer) or the route
 * closing its end (sock_peer_gone tells; then a close frame follows the
 * bytes still queued). The bridge ends when the WebSocket is closed both
 * ways (or lost, or its closing handshake timed out) and every byte for
 * the route is written, or the route's end is gone.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "dsrouterd.h"
#include "ws.h"

#ifdef HAVE_WEBSOCKET
#include <wslay/wslay.h>

#include "wsbridge.h"

#define WSBRIDGE_IN_MAX (256 * 1024)  /* bytes for the route, buffered */
#define WSBRIDGE_OUT_MAX (256 * 1024) /* bytes wslay holds for the runtime */
#define WSBRIDGE_OUT_MSGS 256         /* messages it holds (pongs included) */
#define WSBRIDGE_READ (64 * 1024)     /* one socketpair read: one message */
#define WSBRIDGE_CLOSE_MS 3000        /* for the closing handshake */
#define WSBRIDGE_HUP_MS 200           /* the route's end watched after EOF */

/* Scratch space for a socketpair read; wslay copies what it queues. */
static uint8_t wsbridge_scratch[WSBRIDGE_READ];

/* Whether the runtime's data must wait: the route's buffer is full, or pongs pile up. */
int
wsbridge_in_full(struct wsbridge *b)
{
	return evbuffer_get_length(b->in) >= WSBRIDGE_IN_MAX ||
	    wslay_event_get_queued_msg_count(b->ws) >= WSBRIDGE_OUT_MSGS;
}

/* Whether wslay holds as much for the runtime as it may. */
static int
wsbridge_out_full(struct wsbridge *b)
{
	return wslay_event_get_queued_msg_length(b->ws) >= WSBRIDGE_OUT_MAX ||
	    wslay_event_get_queued_msg_count(b->ws) >= WSBRIDGE_OUT_MSGS / 2;
}
/* Whether the runtime will send nothing more: closed, lost, or refused. */
static int
wsbridge_input_done(struct wsbridge *b)
{
	return b->tcp < 0 || b->discard || b->tcp_eof || b->tcp_failed ||
	    !wslay_event_get_read_enabled(b->ws);
}

/* Write what the runtime sent to the route; half-close once all is written. */
static void
wsbridge_flush_in(struct wsbridge *b)
{
	struct evbuffer_iovec v[16];
	struct iovec iov[16];
	struct msghdr msg;
	ssize_t n;
	int i, niov;

	if (b->sp_gone) {
		evbuffer_drain(b->in, evbuffer_get_length(b->in));
		return;
	}
	while (evbuffer_get_length(b->in) > 0) {
		niov = evbuffer_peek(b->in, WSBRIDGE_IN_MAX, NULL, v, 16);
		if (niov > 16)
			niov = 16;
		for (i = 0; i < niov; i++) {
			iov[i].iov_base = v[i].iov_base;
			iov[i].iov_len = v[i].iov_len;
		}
		memset(&msg, 0, sizeof msg);
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)niov;
		do
			n = sendmsg(b->sp, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		while (n == -1 && errno == EINTR);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			b->sp_gone = 1;
			evbuffer_drain(b->in, evbuffer_get_length(b->in));
			return;
		}
		evbuffer_drain(b->in, (size_t)n);
		b->sp_out += (uint64_t)n;
	}
	if (!b->sp_shut && wsbridge_input_done(b)) {
		shutdown(b->sp, SHUT_WR);
		b->sp_shut = 1;
	}
}

/* Read the runtime's frames while there is room for their bytes. */
static void
wsbridge_read_tcp(struct wsbridge *b)
{
	if (b->tcp < 0 || !wslay_event_want_read(b->ws))
		return;
	if (wsbridge_in_full(b)) {
		b->in_paused = 1;
		return;
	}
	if (!b->tcp_readable && !b->in_paused && b->preoff >= b->npre)
		return;
	b->in_paused = 0;
	/* Fails when the connection is lost or ended mid-frame: the flags say. */
	(void)wslay_event_recv(b->ws);
	if (b->pre != NULL && b->preoff >= b->npre) {
		free(b->pre);
		b->pre = NULL;
		b->npre = b->preoff = 0;
	}
}

/* Read what the route sends the runtime, one message per read, while wslay has room. */
static void
wsbridge_read_sp(struct wsbridge *b)
{
	struct wslay_event_msg m;
	ssize_t n;

	while (!b->sp_eof && !b->sp_gone && !b->close_queued && b->tcp >= 0 &&
	    wslay_event_get_write_enabled(b->ws) && !wsbridge_out_full(b)) {
		do
			n = recv(b->sp, wsbridge_scratch, sizeof wsbridge_scratch,
			    0);
		while (n == -1 && errno == EINTR);
		if (n > 0) {
			m.opcode = WSLAY_BINARY_FRAME;
			m.msg = wsbridge_scratch;
			m.msg_length = (size_t)n;
			if (wslay_event_queue_msg(b->ws, &m) != 0)
				return;
			b->to_runtime += (uint64_t)n;
			continue;
		}
		if (n == 0) {
			b->sp_eof = 1;
			if (sock_peer_gone(b->sp))
				b->sp_gone = 1;
			return;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			b->sp_gone = 1;
		return;
	}
}

/* Send what wslay holds for the runtime. */
static void
wsbridge_send(struct wsbridge *b)
{
	if (b->tcp < 0 || !wslay_event_want_write(b->ws))
		return;
	if (wslay_event_send(b->ws) != 0 && !b->tcp_failed) {
		b->tcp_failed = 1;
		b->tcp_errno = EPROTO;
	}
}

/* Whether the WebSocket is over: closed both ways, lost, or timed out. */
static int
wsbridge_tcp_over(struct wsbridge *b)
{
	return b->tcp_failed || b->timed_out ||
	    (!wslay_event_want_read(b->ws) && !wslay_event_want_write(b->ws));
}

/* How the WebSocket ended, for the log. */
static void
wsbridge_reason(struct wsbridge *b, char *buf, size_t len)
{
	if (b->tcp_failed)
		snprintf(buf, len, "connection lost (%s)", strerror(b->tcp_errno));
	else if (b->timed_out)
		snprintf(buf, len, "no answer to the close frame in %d ms",
		    WSBRIDGE_CLOSE_MS);
	else if (b->close_sent_code == WSLAY_CODE_UNSUPPORTED_DATA)
		snprintf(buf, len, "a text message refused (close 1003)");
	else if (b->close_sent_code == WSLAY_CODE_MESSAGE_TOO_BIG)
		snprintf(buf, len, "a message over %zu bytes refused (close 1009)",
		    b->max_message);
	else if (b->close_queued)
		snprintf(buf, len, "closed by the route");
	else if (wslay_event_get_close_received(b->ws))
		snprintf(buf, len, "closed by the runtime (code %u)",
		    (unsigned)wslay_event_get_status_code_received(b->ws));
	else if (b->tcp_eof)
		snprintf(buf, len, "the runtime's connection ended without a "
		    "close frame");
	else
		snprintf(buf, len, "protocol error (close %u)",
		    (unsigned)wslay_event_get_status_code_sent(b->ws));
}

/* Arm or disarm an event as wanted. */
static void
wsbridge_want(struct event *ev, int on)
{
	if (on && !event_pending(ev, EV_READ | EV_WRITE, NULL))
		event_add(ev, NULL);
	else if (!on && event_pending(ev, EV_READ | EV_WRITE, NULL))
		event_del(ev);
}

/* The WebSocket is over: close the TCP side, keep the route's until flushed. */
static void
wsbridge_tcp_close(struct wsbridge *b)
{
	event_del(b->tcp_rd);
	event_del(b->tcp_wr);
	event_del(b->close_timer);
	event_del(b->hup_timer);
	close(b->tcp);
	b->tcp = -1;
}

/* What has moved or changed: a round that changes none of it made no progress. */
struct wsbridge_mark {
	uint64_t tcp_in, tcp_out, sp_out, to_runtime;
	size_t queued;
	unsigned flags;
};

/* Take the mark of the bridge's state. */
static void
wsbridge_mark(struct wsbridge *b, struct wsbridge_mark *m)
{
	memset(m, 0, sizeof *m);
	m->tcp_in = b->tcp_in;
	m->tcp_out = b->tcp_out;
	m->sp_out = b->sp_out;
	m->to_runtime = b->to_runtime;
	m->queued = wslay_event_get_queued_msg_count(b->ws);
	m->flags = (unsigned)b->tcp_eof | (unsigned)b->tcp_failed << 1 |
	    (unsigned)b->discard << 2 | (unsigned)b->close_queued << 3 |
	    (unsigned)b->sp_eof << 4 | (unsigned)b->sp_gone << 5 |
	    (unsigned)b->sp_shut << 6 |
	    (unsigned)(wslay_event_get_read_enabled(b->ws) != 0) << 7 |
	    (unsigned)(wslay_event_get_write_enabled(b->ws) != 0) << 8;
}

/*
 * Move bytes both ways as far as they go, decide on closing, then wait for
 * what is needed next; or end. The bridge may be freed on return.
 */
static void
wsbridge_run(struct wsbridge *b)
{
	struct timeval tv;
	struct wsbridge_mark before, after;
	char why[160];
	int round;

	for (round = 0; round < 16; round++) {
		wsbridge_mark(b, &before);
		wsbridge_flush_in(b);
		wsbridge_read_tcp(b);
		wsbridge_flush_in(b);
		wsbridge_read_sp(b);
		/* The route's end is closed: close once what it sent is out. */
		if (b->sp_gone && b->tcp >= 0 && !b->close_queued &&
		    wslay_event_get_queued_msg_count(b->ws) == 0)
			wsbridge_wslay_close(b, WSLAY_CODE_NORMAL_CLOSURE, "");
		wsbridge_send(b);
		wsbridge_mark(b, &after);
		if (memcmp(&before, &after, sizeof before) == 0 &&
		    !(b->in_paused && !wsbridge_in_full(b)))
			break;
	}

	if (b->tcp >= 0 && wsbridge_tcp_over(b)) {
		wsbridge_reason(b, why, sizeof why);
		log_debug(b->tag, "websocket %llu: %s; %llu bytes to the route, "
		    "%llu to the runtime", (unsigned long long)b->id, why,
		    (unsigned long long)b->to_route,
		    (unsigned long long)b->to_runtime);
		wsbridge_tcp_close(b);
		wsbridge_flush_in(b);
	}
	if (b->tcp < 0 && (evbuffer_get_length(b->in) == 0 || b->sp_gone)) {
		b->done(b, b->sp_gone ? "the route's end closed" :
		    "the WebSocket closed", b->arg);
		return;
	}

	if (b->tcp >= 0) {
		wsbridge_want(b->tcp_rd, wslay_event_want_read(b->ws) &&
		    !wsbridge_in_full(b));
		wsbridge_want(b->tcp_wr, wslay_event_want_write(b->ws));
		/* Closing: the other side has WSBRIDGE_CLOSE_MS to finish. */
		if ((b->close_queued || !wslay_event_get_read_enabled(b->ws) ||
		    b->tcp_eof) &&
		    !evtimer_pending(b->close_timer, NULL)) {
			tv.tv_sec = WSBRIDGE_CLOSE_MS / 1000;
			tv.tv_usec = (WSBRIDGE_CLOSE_MS % 1000) * 1000;
			evtimer_add(b->close_timer, &tv);
		}
		if (b->sp_eof && !b->sp_gone &&
		    !evtimer_pending(b->hup_timer, NULL)) {
			tv.tv_sec = 0;
			tv.tv_usec = WSBRIDGE_HUP_MS * 1000;
			evtimer_add(b->hup_timer, &tv);
		}
	}
	wsbridge_want(b->sp_rd, !b->sp_eof && !b->sp_gone && !b->close_queued &&
	    b->tcp >= 0 && wslay_event_get_write_enabled(b->ws) &&
	    !wsbridge_out_full(b));
	wsbridge_want(b->sp_wr, !b->sp_gone && evbuffer_get_length(b->in) > 0);
}

/* The runtime's connection is readable. */
static void
wsbridge_tcp_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct wsbridge *b = arg;

	(void)fd;
	(void)events;
	b->tcp_readable = 1;
	wsbridge_run(b);
}

/* A socket is writable, or the route's end readable: move what can move. */
static void
wsbridge_io_cb(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	wsbridge_run(arg);
}

/* The closing handshake took too long. */
static void
wsbridge_close_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct wsbridge *b = arg;

	(void)fd;
	(void)events;
	b->timed_out = 1;
	wsbridge_run(b);
}

/* After the route's EOF: has it closed its end for good? */
static void
wsbridge_hup_cb(evutil_socket_t fd, short events, void *arg)
{
	struct wsbridge *b = arg;

	(void)fd;
	(void)events;
	if (sock_peer_gone(b->sp))
		b->sp_gone = 1;
	wsbridge_run(b);
}

/*
 * Bridge an upgraded connection (tcp, non-blocking) to our end of a
 * socketpair (sp, non-blocking); pre holds bytes that came after the
 * upgrade request. done(b, why, arg) is called once when it has ended,
 * and must free it (wsbridge_free); it is never called from here.
 */
struct wsbridge *
wsbridge_new(struct event_base *base, int tcp, int sp, const uint8_t *pre,
    size_t npre, const struct ws_conf *conf, uint64_t id,
    void (*done)(struct wsbridge *, const char *, void *), void *arg)
{
	struct wsbridge *b;

	b = xcalloc(1, sizeof *b);
	b->base = base;
	b->tcp = tcp;
	b->sp = sp;
	b->id = id;
	b->tag = conf->tag != NULL ? conf->tag : "websocket";
	b->max_message = conf->max_message != 0 ? conf->max_message :
	    WS_DEFAULT_MAX_MESSAGE;
	b->done = done;
	b->arg = arg;
	if (npre > 0) {
		b->pre = xmalloc(npre);
		memcpy(b->pre, pre, npre);
		b->npre = npre;
	}
	if ((b->in = evbuffer_new()) == NULL)
		fatalx("evbuffer_new failed");

	wsbridge_wslay_init(b);

	b->tcp_rd = event_new(base, tcp, EV_READ | EV_PERSIST,
	    wsbridge_tcp_read_cb, b);
	b->tcp_wr = event_new(base, tcp, EV_WRITE | EV_PERSIST,
	    wsbridge_io_cb, b);
	b->sp_rd = event_new(base, sp, EV_READ | EV_PERSIST,
	    wsbridge_io_cb, b);
	b->sp_wr = event_new(base, sp, EV_WRITE | EV_PERSIST,
	    wsbridge_io_cb, b);
	b->close_timer = evtimer_new(base, wsbridge_close_timeout_cb, b);
	b->hup_timer = evtimer_new(base, wsbridge_hup_cb, b);
	if (b->tcp_rd == NULL || b->tcp_wr == NULL || b->sp_rd == NULL ||
	    b->sp_wr == NULL || b->close_timer == NULL || b->hup_timer == NULL)
		fatalx("event_new failed");

	/*
	 * Start from the loop, not from here: the caller has yet to hand
	 * the other end to the route. Frames that came with the upgrade
	 * are read then.
	 */
	b->tcp_readable = 1;
	event_active(b->tcp_rd, EV_READ, 0);
	return b;
}

/* Free a bridge, closing both its descriptors; done is not called. */
void
wsbridge_free(struct wsbridge *b)
{
	if (b == NULL)
		return;
	event_free(b->tcp_rd);
	event_free(b->tcp_wr);
	event_free(b->sp_rd);
	event_free(b->sp_wr);
	event_free(b->close_timer);
	event_free(b->hup_timer);
	if (b->tcp >= 0)
		close(b->tcp);
	close(b->sp);
	wslay_event_context_free(b->ws);
	evbuffer_free(b->in);
	free(b->pre);
	free(b);
}

#else /* !HAVE_WEBSOCKET */

/* Built without wslay: wsserver_new refuses, so no bridge is ever made. */
struct wsbridge *
wsbridge_new(struct event_base *base, int tcp, int sp, const uint8_t *pre,
    size_t npre, const struct ws_conf *conf, uint64_t id,
    void (*done)(struct wsbridge *, const char *, void *), void *arg)
{
	(void)base;
	(void)pre;
	(void)npre;
	(void)conf;
	(void)id;
	(void)done;
	(void)arg;
	close(tcp);
	close(sp);
	return NULL;
}

/* Nothing to free. */
void
wsbridge_free(struct wsbridge *b)
{
	(void)b;
}

#endif /* HAVE_WEBSOCKET */

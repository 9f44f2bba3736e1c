/* SPDX-License-Identifier: MIT */
/*
 * conn.c: a connection in its preamble, before a relay takes it: its state
 * machine, the readers of a runtime's advertise, a tool's first frame and
 * our own probe's answer, refusal with an IPC error and linger, the one
 * close path, and the accept fast path. What a mode does once a preamble
 * completes is in its route_ops.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "route.h"

static const char *conn_state_names[] = {
	"tool-frame", "tool-wait", "runtime-advertise", "runtime-idle",
	"dial", "dial-wait", "probe", "linger",
};

static void conn_read(struct bufferevent *, void *);
static void conn_write(struct bufferevent *, void *);
static void conn_event(struct bufferevent *, short, void *);
static void conn_timeout(evutil_socket_t, short, void *);

/* Move a connection to a new state, logging the transition at trace. */
void
conn_set_state(struct conn *c, enum conn_state st)
{
	log_trace(c->route->tag, "conn %llu: %s -> %s",
	    (unsigned long long)c->id, conn_state_names[c->state],
	    conn_state_names[st]);
	c->state = st;
}

/* Arm a connection's timer, in milliseconds. */
void
conn_timer(struct conn *c, unsigned ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(c->timer, &tv);
}

/* Give a connection its bufferevent, with the preamble's callbacks. */
void
conn_attach(struct conn *c, struct bufferevent *bev)
{
	c->bev = bev;
	bufferevent_setcb(bev, conn_read, NULL, conn_event, c);
}

/* A new connection object for a descriptor (or -1 for a dial). */
struct conn *
conn_new(struct route *r, int fd, enum conn_role role, enum conn_state st)
{
	struct bufferevent *bev;
	struct conn *c;

	c = xcalloc(1, sizeof *c);
	c->route = r;
	c->role = role;
	c->state = st;
	c->id = ++r->next_id;
	if ((c->timer = evtimer_new(r->base, conn_timeout, c)) == NULL)
		fatalx("out of memory for a connection's timer");
	if (role == CONN_ROLE_TOOL)
		r->ntools++;
	else if (role == CONN_ROLE_RUNTIME)
		r->nruntimes++;
	if (fd != -1) {
		bev = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
		if (bev == NULL)
			fatalx("out of memory for a connection");
		conn_attach(c, bev);
	}
	TAILQ_INSERT_TAIL(&r->conns, c, entry);
	return c;
}

/* Take a connection's bufferevent away from it (for a relay). */
struct bufferevent *
conn_take_bev(struct conn *c)
{
	struct bufferevent *bev = c->bev;

	c->bev = NULL;
	return bev;
}

/* Whether the peer closed an idle connection, unseen by the loop so far. */
int
conn_peer_closed(struct conn *c)
{
	return c->bev != NULL && sock_eof_pending(bufferevent_getfd(c->bev));
}

/* Take a connection out of the pairing table. */
static void
conn_unpair(struct conn *c)
{
	if (!c->in_pair)
		return;
	if (c->state == CONN_RT_IDLE)
		runtime_check(runtime_of(pair_runtime_idle_gone(&c->route->pair, c)));
	else
		pair_tool_remove(&c->route->pair, c);
	c->in_pair = 0;
}

/* Unlink a connection from its partner; returns the partner. */
static struct conn *
conn_unlink(struct conn *c)
{
	struct conn *p = c->partner;

	if (p != NULL && p->partner == c)
		p->partner = NULL;
	c->partner = NULL;
	return p;
}

/*
 * Free a connection with no side effect on others: for a hand-off to a
 * relay and for a route that stops. Log nothing; see conn_close.
 */
void
conn_free(struct conn *c)
{
	struct route *r = c->route;

	conn_unlink(c);
	conn_unpair(c);
	forward_cancel(c);
	if (c->role == CONN_ROLE_TOOL)
		r->ntools--;
	else if (c->role == CONN_ROLE_RUNTIME)
		r->nruntimes--;
	TAILQ_REMOVE(&r->conns, c, entry);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	event_free(c->timer);
	free(c);
}

/*
 * A connection leaves its preamble without a session: out of the pairing
 * table, and its partner told. A dialled tool that never carried a command
 * is the mode's to replace; any other partner existed only for this
 * connection and closes with it.
 */
static void
conn_detach(struct conn *c)
{
	struct route *r = c->route;
	struct conn *p;

	conn_unpair(c);
	p = conn_unlink(c);
	if (c->role == CONN_ROLE_TOOL_DIALLED && c->state != CONN_TOOL_WAIT) {
		if (r->ops->tool_lost != NULL)
			r->ops->tool_lost(c, p);
	} else if (p != NULL) {
		conn_close(p, LOG_LEVEL_DEBUG, "conn %llu: closed with conn %llu",
		    (unsigned long long)p->id, (unsigned long long)c->id);
	}
}

/*
 * The one way a connection in its preamble ends without a session: log
 * why at the level given (debug for the normal cases), detach, free.
 */
void
conn_close(struct conn *c, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	route_vlog(c->route, level, fmt, ap);
	va_end(ap);
	conn_detach(c);
	conn_free(c);
}

/*
 * Answer a tool with an IPC Error and close gracefully: log why, flush,
 * half-close, then drain what it still sends for a moment, so it reads
 * the answer.
 */
void
conn_refuse(struct conn *c, uint32_t hresult, enum route_err why,
    enum log_level level, const char *fmt, ...)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	uint8_t frame[IPC_ERROR_SIZE];
	va_list ap;

	va_start(ap, fmt);
	route_vlog(c->route, level, fmt, ap);
	va_end(ap);
	c->route->totals.errors[why]++;
	conn_detach(c);
	ipc_error_build(frame, hresult);
	evbuffer_drain(in, evbuffer_get_length(in));
	if (bufferevent_write(c->bev, frame, sizeof frame) != 0)
		fatalx("out of memory answering a tool");
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	conn_set_state(c, CONN_LINGER);
	bufferevent_setwatermark(c->bev, EV_READ, 0, 0);
	/* A tool that has half-closed is only written to. */
	bufferevent_enable(c->bev, c->tool_eof ? EV_WRITE : EV_READ | EV_WRITE);
	if (c->tool_eof)
		bufferevent_disable(c->bev, EV_READ);
	conn_timer(c, ROUTE_LINGER_MS);
}

/* Whether the frame at the start of a connection's input has all arrived. */
static enum ipc_status
conn_input_frame(struct conn *c, struct ipc_header *h)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	uint8_t hdr[IPC_HEADER_SIZE];
	ev_ssize_t n;

	n = evbuffer_copyout(in, hdr, sizeof hdr);
	if (n <= 0)
		return IPC_SHORT;
	return ipc_frame_complete(hdr, evbuffer_get_length(in), h);
}

/* Look at a runtime's advertise as it arrives. */
void
conn_read_advertise(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct route *r = c->route;
	size_t len = evbuffer_get_length(in);
	enum ipc_status st;
	ev_ssize_t n;

	if (len > IPC_ADVERTISE_SIZE)
		len = IPC_ADVERTISE_SIZE;
	n = evbuffer_copyout(in, c->adv_raw, len);
	st = ipc_advertise_parse(c->adv_raw, n > 0 ? (size_t)n : 0, &c->adv);
	if (st == IPC_SHORT)
		return;
	if (st != IPC_OK) {
		conn_close(c, LOG_LEVEL_WARN, "connection on the runtime side "
		    "sent no advertise (%s): is a tool connecting to the "
		    "runtime port? closing it", ipc_status_name(st));
		return;
	}
	evbuffer_drain(in, IPC_ADVERTISE_SIZE);
	evtimer_del(c->timer);
	if (evbuffer_get_length(in) > 0) {
		conn_close(c, LOG_LEVEL_WARN, "runtime pid %llu sent data after "
		    "its advertise, before any command; closing the connection",
		    (unsigned long long)c->adv.pid);
		return;
	}
	route_runtime_up(r);
	conn_set_state(c, CONN_RT_IDLE);
	r->ops->runtime_advertised(c);          /* may free c */
}

/* A tool's first frame is due within frame-timeout from now. */
void
conn_frame_deadline(struct conn *c)
{
	c->deadline_us = now_us() + (uint64_t)c->route->conf.frame_timeout_ms * 1000;
	conn_timer(c, c->route->conf.frame_timeout_ms);
}

/*
 * Read the rest of a frame once it has all arrived. A frame of a few KiB
 * is read as it comes; the rest of a larger one is left in the kernel
 * until it is all there (checked every ROUTE_BODY_POLL_MS), so a tool
 * that sends part of a big frame and stalls costs the router nothing.
 */
static void
conn_await_body(struct conn *c, size_t size)
{
	size_t have = evbuffer_get_length(bufferevent_get_input(c->bev));
	uint64_t now, left;
	int avail;

	if (size > ROUTE_FRAME_READ && (ioctl(bufferevent_getfd(c->bev),
	    FIONREAD, &avail) != 0 || (size_t)avail < size - have)) {
		c->body_wait = size;
		bufferevent_disable(c->bev, EV_READ);
		now = now_us();
		left = now >= c->deadline_us ? 0 : (c->deadline_us - now) / 1000;
		conn_timer(c, left > ROUTE_BODY_POLL_MS ? ROUTE_BODY_POLL_MS :
		    (unsigned)left);
		return;
	}
	c->body_wait = 0;
	bufferevent_setwatermark(c->bev, EV_READ, 0, size);
	bufferevent_enable(c->bev, EV_READ);
}

/* Look at a tool's first frame as it arrives; act once it is whole. */
void
conn_read_frame(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct route *r = c->route;
	struct ipc_header h;
	enum ipc_status st;

	if (evbuffer_get_length(in) == 0)
		return;
	/* A dialled tool's time starts with its first byte. */
	if (c->deadline_us == 0)
		conn_frame_deadline(c);
	if ((st = conn_input_frame(c, &h)) == IPC_SHORT) {
		if (evbuffer_get_length(in) >= IPC_HEADER_SIZE)
			conn_await_body(c, h.size);
		return;
	}
	if (st != IPC_OK) {
		conn_refuse(c, ipc_status_hresult(st), ROUTE_ERR_BAD_FRAME, LOG_LEVEL_WARN, "tool "
		    "sent an invalid first frame (%s); answered with an error, "
		    "nothing reached the runtime", ipc_status_name(st));
		return;
	}
	c->cmd_set = h.set;
	c->cmd_id = h.id;
	if (log_enabled(LOG_LEVEL_DEBUG)) {
		char name[64];
		log_debug(r->tag, "conn %llu: tool command %s, %u bytes",
		    (unsigned long long)c->id, ipc_command_name(h.set, h.id,
		    name, sizeof name), h.size);
	}
	evtimer_del(c->timer);
	conn_set_state(c, CONN_TOOL_WAIT);
	/*
	 * Read one byte more at most while it waits: enough to see it leave,
	 * while what it pipelines stays in the kernel.
	 */
	bufferevent_setwatermark(c->bev, EV_READ, 0, evbuffer_get_length(in) + 1);
	r->ops->tool_ready(c);                  /* may free c */
}

/*
 * A tool waits for a runtime connection for at most pair-timeout, its
 * connection watched meanwhile for it leaving.
 */
void
conn_wait_for_runtime(struct conn *c)
{
	c->wait_ms = route_wait_ms(c->route);
	conn_timer(c, c->wait_ms);
	bufferevent_enable(c->bev, EV_READ);
}

/* A dialled tool is up: advertise to it like a runtime, await its command. */
void
conn_send_advertise(struct conn *c, const uint8_t *adv)
{
	if (bufferevent_write(c->bev, adv, IPC_ADVERTISE_SIZE) != 0)
		fatalx("out of memory advertising to a tool");
	bufferevent_setwatermark(c->bev, EV_READ, 0, ROUTE_FRAME_READ);
	bufferevent_enable(c->bev, EV_READ);
	conn_set_state(c, CONN_TOOL_FRAME);
}

/* A probe is up: send our own ProcessInfo and await the answer. */
void
conn_send_probe(struct conn *c)
{
	uint8_t req[IPC_HEADER_SIZE];

	ipc_processinfo_build(req);
	if (bufferevent_write(c->bev, req, sizeof req) != 0)
		fatalx("out of memory probing a runtime");
	bufferevent_enable(c->bev, EV_READ);
	conn_set_state(c, CONN_PROBE);
	conn_timer(c, ROUTE_CONNECT_TIMEOUT_MS);
}

/* Our probe's answer: hand it over once whole, or as it is at EOF. */
static void
conn_read_probe(struct conn *c, int eof)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t len = evbuffer_get_length(in);
	struct ipc_header h;

	if (conn_input_frame(c, &h) == IPC_OK)
		len = h.size;
	else if (!eof)
		return;
	c->route->ops->probe_done(c, evbuffer_pullup(in, (ev_ssize_t)len), len);
}

/* Data arrived on a connection in its preamble. */
static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	switch (c->state) {
	case CONN_RT_ADVERTISE:
		conn_read_advertise(c);
		break;
	case CONN_TOOL_FRAME:
		conn_read_frame(c);
		break;
	case CONN_PROBE:
		conn_read_probe(c, 0);
		break;
	case CONN_RT_IDLE:
		conn_close(c, LOG_LEVEL_WARN, "idle runtime connection (pid "
		    "%llu) sent data before any command; closing it",
		    (unsigned long long)c->adv.pid);
		break;
	case CONN_TOOL_WAIT:
		/* Pipelined bytes stay queued behind the frame (bounded). */
		break;
	case CONN_LINGER:
		evbuffer_drain(in, evbuffer_get_length(in));
		break;
	case CONN_DIAL:
	case CONN_DIAL_WAIT:
		break;
	}
}

/*
 * A lingering connection flushed its answer: close it if the tool has
 * half-closed already, else half-close and drain until it closes too.
 */
static void
conn_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->state != CONN_LINGER ||
	    evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	if (c->tool_eof) {
		conn_close(c, LOG_LEVEL_DEBUG, "conn %llu: error answer flushed "
		    "to a tool that had half-closed", (unsigned long long)c->id);
		return;
	}
	shutdown(bufferevent_getfd(bev), SHUT_WR);
}

/* EOF or error on a tool being answered with an error. */
static void
conn_linger_event(struct conn *c, short what)
{
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
		/* Half-closed: the answer still goes out (conn_write). */
		c->tool_eof = 1;
		bufferevent_disable(c->bev, EV_READ);
		return;
	}
	conn_close(c, LOG_LEVEL_DEBUG, "conn %llu: refused tool gone",
	    (unsigned long long)c->id);
}

/* EOF or error on a tool that has sent its whole first frame. */
static void
conn_tool_wait_event(struct conn *c, short what)
{
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    !sock_peer_gone(bufferevent_getfd(c->bev))) {
		/* Half-closed after its command: still serve it. */
		c->tool_eof = 1;
		bufferevent_disable(c->bev, EV_READ);
		return;
	}
	/* Gone for good: nobody would read the answer, so drop the command. */
	conn_close(c, LOG_LEVEL_INFO, "conn %llu: tool left while waiting for "
	    "a runtime; its command was not sent", (unsigned long long)c->id);
}

/* Connected, EOF or error on a connection in its preamble. */
static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	int err = EVUTIL_SOCKET_ERROR();

	if (c->state == CONN_DIAL) {
		if (what & BEV_EVENT_CONNECTED)
			dial_connected(c);
		else
			dial_failed(c, err != 0 ? strerror(err) : "closed");
		return;
	}
	if (what & BEV_EVENT_CONNECTED)
		return;
	switch (c->state) {
	case CONN_TOOL_WAIT:
		conn_tool_wait_event(c, what);
		break;
	case CONN_TOOL_FRAME:
		if (evbuffer_get_length(bufferevent_get_input(bev)) > 0 &&
		    !(what & BEV_EVENT_ERROR)) {
			c->tool_eof = 1;
			conn_refuse(c, IPC_E_BAD_ENCODING, ROUTE_ERR_BAD_FRAME, LOG_LEVEL_WARN, "tool "
			    "closed after an incomplete first frame; nothing "
			    "reached the runtime");
			break;
		}
		conn_close(c, LOG_LEVEL_DEBUG, "conn %llu: tool closed before "
		    "sending a command", (unsigned long long)c->id);
		break;
	case CONN_RT_IDLE:
		conn_close(c, LOG_LEVEL_DEBUG, "idle connection of runtime pid "
		    "%llu closed", (unsigned long long)c->adv.pid);
		break;
	case CONN_RT_ADVERTISE:
		conn_close(c, LOG_LEVEL_DEBUG, "conn %llu: runtime-side "
		    "connection closed before its advertise",
		    (unsigned long long)c->id);
		break;
	case CONN_PROBE:
		conn_read_probe(c, 1);
		break;
	case CONN_LINGER:
		conn_linger_event(c, what);
		break;
	case CONN_DIAL:
	case CONN_DIAL_WAIT:
		break;
	}
}

/* A connection's timer fired. */
static void
conn_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct conn *c = arg;
	struct route *r = c->route;

	(void)fd;
	(void)events;
	switch (c->state) {
	case CONN_TOOL_FRAME:
		if (c->body_wait != 0 && now_us() < c->deadline_us) {
			conn_await_body(c, c->body_wait);
			break;
		}
		conn_refuse(c, IPC_E_BAD_ENCODING, ROUTE_ERR_BAD_FRAME, LOG_LEVEL_WARN, "tool did "
		    "not send a complete first frame within %u ms; answered "
		    "with an error, nothing reached the runtime",
		    r->conf.frame_timeout_ms);
		break;
	case CONN_TOOL_WAIT:
		conn_refuse(c, IPC_E_NOT_YET_AVAILABLE, ROUTE_ERR_NO_RUNTIME, LOG_LEVEL_WARN, "no "
		    "runtime on %s within %u ms: answered the tool with "
		    "NOT_YET_AVAILABLE%s%s%s", r->ws_name != NULL ?
		    r->ws_name : addr_describe(&r->conf.runtime),
		    c->wait_ms, forward_summary(r) != NULL ? "; " : "",
		    forward_summary(r) != NULL ? forward_summary(r) : "",
		    forward_summary(r) != NULL ? "" :
		    MODE_RUNTIME_SERVER(r->conf.mode) ?
		    " (is the app running with DOTNET_DiagnosticPorts set to "
		    "this address?)" : " (is the app listening there?)");
		break;
	case CONN_RT_ADVERTISE:
		conn_close(c, LOG_LEVEL_WARN, "connection on the runtime side "
		    "sent no advertise within %u ms; closing it",
		    r->conf.frame_timeout_ms);
		break;
	case CONN_DIAL:
		dial_failed(c, "connect timed out");
		break;
	case CONN_DIAL_WAIT:
		dial_start(c);
		break;
	case CONN_PROBE:
		r->ops->probe_done(c, NULL, 0);
		break;
	case CONN_LINGER:
		conn_close(c, LOG_LEVEL_DEBUG, "conn %llu: refused tool closed "
		    "after %u ms", (unsigned long long)c->id, ROUTE_LINGER_MS);
		break;
	case CONN_RT_IDLE:
		/* An idle runtime connection has no timer: it is never closed for idling. */
		break;
	}
}

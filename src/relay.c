/*
 * relay.c: forward bytes both ways between a tool and a runtime connection.
 *
 * The hot path: data moves between evbuffers without copying; when the
 * far side's output passes the high-water mark, reading stops here until it
 * drains to half. EOF on one side is passed on as a half-close once the
 * buffered bytes are flushed; the session ends when both sides are done, or
 * at once on an error. Nothing here logs or formats per chunk.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "dsrouterd.h"

#define RELAY_MAX_READ (256 * 1024)

static size_t relay_hiwat = 1024 * 1024;

struct relay_end {
	struct bufferevent *bev;
	struct relay_end *peer;
	struct relay *relay;
	uint64_t *count;          /* bytes read from this end */
	const char *name;
	int eof;                  /* read EOF from this end */
	int shut;                 /* shut down writing to this end */
};

struct relay {
	struct relay_end tool;
	struct relay_end rt;
	struct relay_stats stats;
	relay_done_cb cb;
	void *arg;
};

static void relay_read(struct bufferevent *, void *);
static void relay_write(struct bufferevent *, void *);
static void relay_event(struct bufferevent *, short, void *);

/* Set the per-direction high-water mark for new and running sessions. */
void
relay_set_watermark(size_t bytes)
{
	relay_hiwat = bytes;
}

/* Free a session and close both connections, without calling back. */
void
relay_free(struct relay *r)
{
	bufferevent_free(r->tool.bev);
	bufferevent_free(r->rt.bev);
	free(r);
}

/* End the session: report it, then free it. */
static void
relay_close(struct relay *r, const char *reason)
{
	r->cb(r, &r->stats, reason, r->arg);
	relay_free(r);
}

/* Close when both sides have ended and everything is flushed. */
static int
relay_check_done(struct relay *r)
{
	if (r->tool.eof && r->rt.eof && r->tool.shut && r->rt.shut) {
		relay_close(r, "closed");
		return 1;
	}
	return 0;
}

/* Pass the EOF read from 'from' on to its peer once its output is empty. */
static int
relay_pass_eof(struct relay_end *from)
{
	struct relay_end *to = from->peer;

	if (!from->eof || to->shut)
		return 0;
	if (evbuffer_get_length(bufferevent_get_output(to->bev)) > 0)
		return 0;
	shutdown(bufferevent_getfd(to->bev), SHUT_WR);
	to->shut = 1;
	return relay_check_done(from->relay);
}

/* Move what one end has read to the other end's output. */
static void
relay_read(struct bufferevent *bev, void *arg)
{
	struct relay_end *e = arg;
	struct evbuffer *src = bufferevent_get_input(bev);
	struct evbuffer *dst = bufferevent_get_output(e->peer->bev);

	*e->count += evbuffer_get_length(src);
	evbuffer_add_buffer(dst, src);
	if (evbuffer_get_length(dst) >= relay_hiwat) {
		bufferevent_disable(bev, EV_READ);
		bufferevent_setwatermark(e->peer->bev, EV_WRITE, relay_hiwat / 2, 0);
	}
}

/* An end's output drained: resume its peer, pass on a pending EOF. */
static void
relay_write(struct bufferevent *bev, void *arg)
{
	struct relay_end *e = arg;
	struct relay_end *src = e->peer;

	if (!src->eof && !(bufferevent_get_enabled(src->bev) & EV_READ)) {
		bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
		bufferevent_enable(src->bev, EV_READ);
	}
	relay_pass_eof(src);
}

/* EOF or error on an end. */
static void
relay_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_end *e = arg;
	struct relay *r = e->relay;
	const char *why;
	char reason[128];

	if (what & BEV_EVENT_EOF) {
		relay_read(bev, e);
		e->eof = 1;
		bufferevent_disable(bev, EV_READ);
		relay_pass_eof(e);
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		why = EVUTIL_SOCKET_ERROR() != 0 ?
		    strerror(EVUTIL_SOCKET_ERROR()) : "error";
		snprintf(reason, sizeof reason, "%s %s: %s", e->name,
		    (what & BEV_EVENT_READING) ? "read" : "write", why);
		relay_close(r, reason);
	}
}

/* Set up one end. */
static void
relay_end_init(struct relay *r, struct relay_end *e, struct bufferevent *bev,
    struct relay_end *peer, uint64_t *count, const char *name)
{
	e->bev = bev;
	e->peer = peer;
	e->relay = r;
	e->count = count;
	e->name = name;
	bufferevent_setcb(bev, relay_read, relay_write, relay_event, e);
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	bufferevent_set_max_single_read(bev, RELAY_MAX_READ);
	bufferevent_set_max_single_write(bev, RELAY_MAX_READ);
	bufferevent_set_timeouts(bev, NULL, NULL);
}

/*
 * Start forwarding between a tool and a runtime connection, taking both
 * bufferevents. Bytes already read on either side are forwarded at once;
 * tool_eof says the tool has already half-closed.
 */
struct relay *
relay_new(struct bufferevent *tool, struct bufferevent *rt, int tool_eof,
    relay_done_cb cb, void *arg)
{
	struct relay *r;

	r = xcalloc(1, sizeof *r);
	r->cb = cb;
	r->arg = arg;
	r->stats.start_us = now_us();
	relay_end_init(r, &r->tool, tool, &r->rt, &r->stats.tool_to_runtime, "tool");
	relay_end_init(r, &r->rt, rt, &r->tool, &r->stats.runtime_to_tool, "runtime");
	relay_read(tool, &r->tool);
	relay_read(rt, &r->rt);
	bufferevent_enable(tool, EV_WRITE);
	bufferevent_enable(rt, EV_READ | EV_WRITE);
	if (tool_eof)
		r->tool.eof = 1;
	else
		bufferevent_enable(tool, EV_READ);
	return r;
}

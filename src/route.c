/*
 * route.c: one live route. It listens or connects on each side as its mode
 * says, takes every connection through its preamble (a runtime's advertise,
 * a tool's first frame, an outgoing connect with back-off), pairs a tool
 * connection with a runtime connection, and hands the pair to a relay.
 *
 * Rules kept here because runtimes depend on them: one command per runtime
 * connection; no connection to a runtime's listen socket without a command
 * to send at once; a runtime's idle connection is never closed in a loop;
 * nothing but a complete, valid first frame ever reaches a runtime.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "dsrouterd.h"

#define ROUTE_CONNECT_TIMEOUT_MS 5000
#define ROUTE_LINGER_MS 1000
#define ROUTE_RETRY_BASE_MS 50
#define ROUTE_RETRY_CAP_MS 2000

/* What a connection in its preamble is doing. */
enum conn_state {
	CONN_TOOL_FRAME,      /* tool: reading its first frame */
	CONN_TOOL_WAIT,       /* tool: frame complete, waiting for a runtime */
	CONN_RT_ADVERTISE,    /* runtime: reading its advertise */
	CONN_RT_IDLE,         /* runtime: advertised, waiting for a tool */
	CONN_DIAL,            /* outgoing: connecting */
	CONN_DIAL_WAIT,       /* outgoing: waiting to retry */
	CONN_PROBE,           /* runtime: our own ProcessInfo, reading the answer */
	CONN_LINGER,          /* answered with an error; draining before close */
};

static const char *conn_state_names[] = {
	"tool-frame", "tool-wait", "runtime-advertise", "runtime-idle",
	"dial", "dial-wait", "probe", "linger",
};

/* What an outgoing connection is for. */
enum dial_purpose {
	DIAL_RUNTIME,         /* the runtime, for a tool's command */
	DIAL_TOOL,            /* a reversed-server tool, to advertise to it */
	DIAL_PROBE,           /* the runtime, for our own ProcessInfo */
};

struct conn {
	struct route *route;
	struct bufferevent *bev;
	enum conn_state state;
	struct event *timer;
	struct conn *partner;     /* the other side being set up for this one */
	uint64_t id;
	int in_pair;              /* in the server-server pairing table */

	/* Runtime connections. */
	uint8_t adv_raw[IPC_ADVERTISE_SIZE];
	struct ipc_advertise adv;

	/* Tool connections. */
	int tool_eof;             /* half-closed after its frame */
	int accepted;             /* accepted (tool-server) vs connected to */

	/* Outgoing connections. */
	enum dial_purpose purpose;
	struct backoff backoff;
	const struct addr *target;

	TAILQ_ENTRY(conn) entry;
};
TAILQ_HEAD(conn_list, conn);

/* A forwarding session. */
struct session {
	struct route *route;
	struct relay *relay;
	struct pair_runtime *runtime; /* server-server: the runtime it uses */
	uint64_t id;
	TAILQ_ENTRY(session) entry;
};
TAILQ_HEAD(session_list, session);

struct route {
	struct daemon *daemon;
	struct event_base *base;
	struct route_conf conf;
	char *tag;                /* "route NAME", for logs */
	struct listener *tool_l;
	struct listener *rt_l;
	struct pair pair;
	struct conn_list conns;
	struct session_list sessions;
	struct event *rt_timer;   /* --runtime-timeout */
	int seen_runtime;
	uint64_t next_id;
	unsigned rt_failures;     /* consecutive failures to reach the runtime */
	unsigned tool_failures;   /* consecutive failures to reach the tool */
	struct backoff tool_backoff; /* client-server: re-offers to the tool */

	/* client-client: the one advertised connection to the tool. */
	struct conn *cc;
	struct backoff cc_backoff;
	struct event *cc_timer;
	struct ipc_advertise cc_adv;
};

static void conn_free(struct conn *);
static void conn_read(struct bufferevent *, void *);
static void conn_write(struct bufferevent *, void *);
static void conn_event(struct bufferevent *, short, void *);
static void conn_timeout(evutil_socket_t, short, void *);
static struct conn *route_dial(struct route *, enum dial_purpose, struct conn *,
    unsigned);
static void route_tool_lost(struct conn *);
static void route_cc_schedule(struct route *, int);
static void route_tool_ready(struct conn *);

/* Move a connection to a new state, logging the transition at trace. */
static void
conn_set_state(struct conn *c, enum conn_state st)
{
	log_trace(c->route->tag, "conn %llu: %s -> %s",
	    (unsigned long long)c->id, conn_state_names[c->state],
	    conn_state_names[st]);
	c->state = st;
}

/* Arm a connection's timer, in milliseconds. */
static void
conn_timer(struct conn *c, unsigned ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(c->timer, &tv);
}

/* A new connection object for a descriptor (or -1 for a dial). */
static struct conn *
conn_new(struct route *r, int fd, enum conn_state st)
{
	struct conn *c;

	c = xcalloc(1, sizeof *c);
	c->route = r;
	c->state = st;
	c->id = ++r->next_id;
	c->timer = evtimer_new(r->base, conn_timeout, c);
	if (fd != -1) {
		c->bev = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL)
			fatalx("bufferevent_socket_new failed");
		bufferevent_setcb(c->bev, conn_read, NULL, conn_event, c);
	}
	TAILQ_INSERT_TAIL(&r->conns, c, entry);
	return c;
}

/* Take a connection's bufferevent away from it (for a relay). */
static struct bufferevent *
conn_take_bev(struct conn *c)
{
	struct bufferevent *bev = c->bev;

	c->bev = NULL;
	return bev;
}

/* Take a connection out of the pairing table. */
static void
conn_unpair(struct conn *c)
{
	if (!c->in_pair)
		return;
	if (c->state == CONN_RT_IDLE)
		pair_runtime_idle_gone(&c->route->pair, c);
	else
		pair_tool_remove(&c->route->pair, c);
	c->in_pair = 0;
}

/* Forget a connection: unlink from its partner and the pairing table. */
static void
conn_free(struct conn *c)
{
	struct route *r = c->route;

	if (c->partner != NULL && c->partner->partner == c)
		c->partner->partner = NULL;
	conn_unpair(c);
	if (r->cc == c)
		r->cc = NULL;
	TAILQ_REMOVE(&r->conns, c, entry);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	event_free(c->timer);
	free(c);
}

/* The first sign of a runtime: cancel --runtime-timeout. */
static void
route_runtime_seen(struct route *r)
{
	if (!r->seen_runtime) {
		r->seen_runtime = 1;
		if (r->rt_timer != NULL)
			evtimer_del(r->rt_timer);
	}
}

/* A session ended. */
static void
route_session_done(struct relay *relay, const struct relay_stats *st,
    const char *reason, void *arg)
{
	struct session *s = arg;
	struct route *r = s->route;

	(void)relay;
	/* A session cut by an error (a peer killed, a reset) is news. */
	log_msg(strcmp(reason, "closed") == 0 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO, r->tag,
	    "session %llu closed (%s): tool->runtime %llu bytes, "
	    "runtime->tool %llu bytes, %.1f ms", (unsigned long long)s->id,
	    reason, (unsigned long long)st->tool_to_runtime,
	    (unsigned long long)st->runtime_to_tool,
	    (double)(now_us() - st->start_us) / 1000.0);
	if (s->runtime != NULL)
		pair_runtime_session_done(&r->pair, s->runtime);
	TAILQ_REMOVE(&r->sessions, s, entry);
	free(s);
}

/* Pair a tool connection with a runtime connection and start forwarding. */
static void
route_start_session(struct route *r, struct conn *tool, struct conn *rt,
    struct pair_runtime *prt)
{
	struct session *s;
	int tool_eof = tool->tool_eof;

	s = xcalloc(1, sizeof *s);
	s->route = r;
	s->runtime = prt;
	s->id = tool->id;
	evtimer_del(tool->timer);
	log_debug(r->tag, "session %llu: tool paired with runtime connection %llu",
	    (unsigned long long)s->id, (unsigned long long)rt->id);
	s->relay = relay_new(conn_take_bev(tool), conn_take_bev(rt), tool_eof,
	    route_session_done, s);
	TAILQ_INSERT_TAIL(&r->sessions, s, entry);
	tool->partner = rt->partner = NULL;
	conn_free(tool);
	conn_free(rt);
}

/*
 * Answer a tool with an IPC Error and close gracefully: flush, half-close,
 * then drain what it still sends for a moment, so it reads the answer.
 */
static void
route_refuse_tool(struct conn *c, uint32_t hresult)
{
	uint8_t frame[IPC_ERROR_SIZE];

	conn_unpair(c);
	if (!c->accepted) {
		/* A reversed-server tool: offer it a fresh connection later. */
		route_tool_lost(c);
	} else if (c->partner != NULL) {
		/* A dial to the runtime for this tool is no longer wanted. */
		conn_free(c->partner);
	}
	ipc_error_build(frame, hresult);
	evbuffer_drain(bufferevent_get_input(c->bev),
	    evbuffer_get_length(bufferevent_get_input(c->bev)));
	bufferevent_write(c->bev, frame, sizeof frame);
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	conn_set_state(c, CONN_LINGER);
	bufferevent_setwatermark(c->bev, EV_READ, 0, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	conn_timer(c, ROUTE_LINGER_MS);
}

/* An outgoing connection failed: say so (loudly only the first time), retry later. */
static void
route_dial_failed(struct conn *c, const char *why)
{
	struct route *r = c->route;
	unsigned *failures, delay;
	const char *what;

	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	failures = c->purpose == DIAL_TOOL ? &r->tool_failures : &r->rt_failures;
	what = c->purpose == DIAL_TOOL ? "tool" : "runtime";
	if ((*failures)++ == 0) {
		log_warn(r->tag, "cannot connect to %s at %s: %s; retrying%s",
		    what, addr_describe(c->target), why,
		    c->purpose == DIAL_TOOL ? " (is the tool started with "
		    "--diagnostic-port?)" : "");
	} else {
		log_debug(r->tag, "cannot connect to %s at %s: %s (attempt %u)",
		    what, addr_describe(c->target), why, *failures);
	}
	delay = backoff_next(&c->backoff, (uint32_t)random());
	conn_set_state(c, CONN_DIAL_WAIT);
	conn_timer(c, delay);
}

/* Start (or retry) an outgoing connection. */
static void
route_dial_start(struct conn *c)
{
	struct route *r = c->route;
	int fd;

	if ((fd = sock_connect_start(c->target)) == -1) {
		route_dial_failed(c, strerror(errno));
		return;
	}
	c->bev = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatalx("bufferevent_socket_new failed");
	bufferevent_setcb(c->bev, conn_read, NULL, conn_event, c);
	conn_set_state(c, CONN_DIAL);
	conn_timer(c, ROUTE_CONNECT_TIMEOUT_MS);
	if (bufferevent_socket_connect(c->bev, NULL, 0) != 0)
		route_dial_failed(c, "connect failed");
}

/* An outgoing connection is up: do what it was made for. */
static void
route_dial_connected(struct conn *c)
{
	struct route *r = c->route;
	unsigned *failures;
	uint8_t req[IPC_HEADER_SIZE];
	struct conn *tool;

	evtimer_del(c->timer);
	failures = c->purpose == DIAL_TOOL ? &r->tool_failures : &r->rt_failures;
	if (*failures > 0) {
		log_info(r->tag, "connected to %s at %s after %u failed attempts",
		    c->purpose == DIAL_TOOL ? "tool" : "runtime",
		    addr_describe(c->target), *failures);
		*failures = 0;
	}
	switch (c->purpose) {
	case DIAL_RUNTIME:
		route_runtime_seen(r);
		tool = c->partner;
		if (tool == NULL) {
			/* The tool went away meanwhile: never leave this idle. */
			conn_free(c);
			return;
		}
		route_start_session(r, tool, c, NULL);
		break;
	case DIAL_PROBE:
		route_runtime_seen(r);
		ipc_processinfo_build(req);
		bufferevent_write(c->bev, req, sizeof req);
		bufferevent_enable(c->bev, EV_READ);
		conn_set_state(c, CONN_PROBE);
		conn_timer(c, ROUTE_CONNECT_TIMEOUT_MS);
		break;
	case DIAL_TOOL:
		/* Advertise like a runtime, then wait for the tool's command. */
		if (c->partner != NULL)
			bufferevent_write(c->bev, c->partner->adv_raw,
			    IPC_ADVERTISE_SIZE);
		else {
			uint8_t adv[IPC_ADVERTISE_SIZE];
			ipc_advertise_build(adv, &r->cc_adv);
			bufferevent_write(c->bev, adv, sizeof adv);
		}
		bufferevent_setwatermark(c->bev, EV_READ, 0, IPC_MAX_FRAME);
		bufferevent_enable(c->bev, EV_READ);
		conn_set_state(c, CONN_TOOL_FRAME);
		break;
	}
}

/*
 * Make an outgoing connection for a purpose, partnered with another
 * connection, now or after a delay.
 */
static struct conn *
route_dial(struct route *r, enum dial_purpose purpose, struct conn *partner,
    unsigned delay_ms)
{
	struct conn *c;

	c = conn_new(r, -1, CONN_DIAL_WAIT);
	c->purpose = purpose;
	c->target = purpose == DIAL_TOOL ? &r->conf.tool : &r->conf.runtime;
	backoff_init(&c->backoff, ROUTE_RETRY_BASE_MS, ROUTE_RETRY_CAP_MS);
	if (partner != NULL) {
		c->partner = partner;
		partner->partner = c;
	}
	if (delay_ms > 0)
		conn_timer(c, delay_ms);
	else
		route_dial_start(c);
	return c;
}

/*
 * A connection we made to a reversed-server tool ended before a session:
 * offer the tool a fresh advertised connection after a back-off.
 */
static void
route_tool_lost(struct conn *c)
{
	struct route *r = c->route;
	struct conn *p = c->partner;

	if (p != NULL) {
		p->partner = NULL;
		c->partner = NULL;
		if (p->state == CONN_DIAL || p->state == CONN_DIAL_WAIT)
			conn_free(p);
		else if (r->conf.mode == MODE_CLIENT_SERVER)
			route_dial(r, DIAL_TOOL, p, backoff_next(&r->tool_backoff,
			    (uint32_t)random()));
	}
	if (r->cc == c) {
		r->cc = NULL;
		route_cc_schedule(r, 1);
	}
}

/* client-client: start the next cycle (probe, then advertise to the tool). */
static void
route_cc_schedule(struct route *r, int failed)
{
	unsigned ms;
	struct timeval tv;

	if (r->cc != NULL || evtimer_pending(r->cc_timer, NULL))
		return;
	ms = failed ? backoff_next(&r->cc_backoff, (uint32_t)random()) : 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(r->cc_timer, &tv);
}

/* client-client: the cycle timer fired. */
static void
route_cc_timer(evutil_socket_t fd, short events, void *arg)
{
	struct route *r = arg;

	(void)fd;
	(void)events;
	if (r->cc == NULL)
		r->cc = route_dial(r, DIAL_PROBE, NULL, 0);
}

/* server-server: pair waiting tools with idle runtime connections. */
static void
route_pair(struct route *r)
{
	struct pair_runtime *prt;
	void *tool, *rt;

	while (pair_match(&r->pair, &tool, &rt, &prt)) {
		((struct conn *)tool)->in_pair = 0;
		((struct conn *)rt)->in_pair = 0;
		route_start_session(r, tool, rt, prt);
	}
}

/* A runtime connection has advertised. */
static void
route_runtime_advertised(struct conn *c)
{
	struct route *r = c->route;
	struct pair_runtime *prev;
	enum pair_event ev;
	char cookie[40], old[40];
	void **stale;
	size_t nstale, i;

	route_runtime_seen(r);
	conn_set_state(c, CONN_RT_IDLE);
	if (r->conf.mode == MODE_CLIENT_SERVER) {
		if (log_enabled(LOG_LEVEL_DEBUG))
			ipc_cookie_format(c->adv.cookie, cookie, sizeof cookie);
		log_debug(r->tag, "runtime pid %llu advertised (cookie %s); "
		    "connecting to the tool", (unsigned long long)c->adv.pid,
		    cookie);
		route_dial(r, DIAL_TOOL, c, 0);
		return;
	}
	ev = pair_runtime_add(&r->pair, &c->adv, c, &prev, &stale, &nstale);
	/* The cookie is formatted only for the lines that print it. */
	if (ev != PAIR_KNOWN)
		ipc_cookie_format(c->adv.cookie, cookie, sizeof cookie);
	switch (ev) {
	case PAIR_FIRST:
		log_info(r->tag, "runtime pid %llu connected (cookie %s)",
		    (unsigned long long)c->adv.pid, cookie);
		break;
	case PAIR_REPLACED:
		if (prev != NULL) {
			ipc_cookie_format(prev->adv.cookie, old, sizeof old);
			log_info(r->tag, "runtime pid %llu (cookie %s) replaces "
			    "pid %llu (cookie %s); closing %zu stale idle "
			    "connection(s)", (unsigned long long)c->adv.pid,
			    cookie, (unsigned long long)prev->adv.pid, old, nstale);
		} else {
			log_info(r->tag, "runtime pid %llu connected (cookie %s)",
			    (unsigned long long)c->adv.pid, cookie);
		}
		break;
	case PAIR_KNOWN:
		log_trace(r->tag, "runtime pid %llu re-advertised",
		    (unsigned long long)c->adv.pid);
		break;
	}
	c->in_pair = 1;
	for (i = 0; i < nstale; i++) {
		struct conn *sc = stale[i];
		sc->in_pair = 0;  /* already out of the table */
		conn_free(sc);
	}
	free(stale);
	route_pair(r);
}

/* Look at a runtime's advertise as it arrives. */
static void
route_read_advertise(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t len = evbuffer_get_length(in);
	enum ipc_status st;
	uint8_t *p;

	if (len > IPC_ADVERTISE_SIZE)
		len = IPC_ADVERTISE_SIZE;
	p = evbuffer_pullup(in, (ev_ssize_t)len);
	st = ipc_advertise_parse(p, len, &c->adv);
	if (st == IPC_SHORT)
		return;
	if (st != IPC_OK) {
		log_warn(c->route->tag, "connection on the runtime side sent no "
		    "advertise (%s): is a tool connecting to the runtime port? "
		    "closing it", ipc_status_name(st));
		conn_free(c);
		return;
	}
	memcpy(c->adv_raw, p, IPC_ADVERTISE_SIZE);
	evbuffer_drain(in, IPC_ADVERTISE_SIZE);
	evtimer_del(c->timer);
	if (evbuffer_get_length(in) > 0) {
		log_warn(c->route->tag, "runtime pid %llu sent data after its "
		    "advertise, before any command; closing the connection",
		    (unsigned long long)c->adv.pid);
		conn_free(c);
		return;
	}
	route_runtime_advertised(c);
}

/* Look at a tool's first frame as it arrives; act once it is whole. */
static void
route_read_frame(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t len = evbuffer_get_length(in);
	struct route *r = c->route;
	struct ipc_header h;
	enum ipc_status st;
	uint8_t *p;

	if (len == 0)
		return;
	if (!c->accepted && !evtimer_pending(c->timer, NULL))
		conn_timer(c, r->conf.frame_timeout_ms);
	p = evbuffer_pullup(in, (ev_ssize_t)(len < IPC_HEADER_SIZE ? len :
	    IPC_HEADER_SIZE));
	st = ipc_header_parse(p, len < IPC_HEADER_SIZE ? len : IPC_HEADER_SIZE, &h);
	if (st == IPC_SHORT || (st == IPC_OK && len < h.size))
		return;
	if (st != IPC_OK) {
		log_warn(r->tag, "tool sent an invalid first frame (%s); "
		    "answered with an error, nothing reached the runtime",
		    ipc_status_name(st));
		route_refuse_tool(c, ipc_status_hresult(st));
		return;
	}
	log_debug(r->tag, "conn %llu: tool command set 0x%02x id 0x%02x, "
	    "%u bytes", (unsigned long long)c->id, h.set, h.id, h.size);
	route_tool_ready(c);
}

/* A tool's first frame is complete: find it a runtime connection. */
static void
route_tool_ready(struct conn *c)
{
	struct route *r = c->route;
	struct conn *rt;

	evtimer_del(c->timer);
	conn_set_state(c, CONN_TOOL_WAIT);
	bufferevent_setwatermark(c->bev, EV_READ, 0, IPC_MAX_FRAME * 2);
	switch (r->conf.mode) {
	case MODE_SERVER_SERVER:
		if (!pair_ready(&r->pair)) {
			/* Wait, watching for the tool leaving meanwhile. */
			conn_timer(c, r->conf.pair_timeout_ms);
			bufferevent_enable(c->bev, EV_READ);
		}
		pair_tool_add(&r->pair, c);
		c->in_pair = 1;
		route_pair(r);          /* may free c */
		break;
	case MODE_SERVER_CLIENT:
		conn_timer(c, r->conf.pair_timeout_ms);
		bufferevent_enable(c->bev, EV_READ);
		route_dial(r, DIAL_RUNTIME, c, 0);
		break;
	case MODE_CLIENT_SERVER:
		rt = c->partner;
		if (rt == NULL) {
			conn_free(c);
			return;
		}
		backoff_reset(&r->tool_backoff);
		route_start_session(r, c, rt, NULL);
		break;
	case MODE_CLIENT_CLIENT:
		/* The advertised connection is used: offer the next one. */
		r->cc = NULL;
		backoff_reset(&r->cc_backoff);
		conn_timer(c, r->conf.pair_timeout_ms);
		bufferevent_enable(c->bev, EV_READ);
		route_dial(r, DIAL_RUNTIME, c, 0);
		route_cc_schedule(r, 0);
		break;
	}
}

/* Read our own ProcessInfo's answer (client-client). */
static void
route_read_probe(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct route *r = c->route;
	size_t len = evbuffer_get_length(in);
	struct ipc_header h;
	enum ipc_status st;
	char cookie[40];
	uint8_t *p;

	p = evbuffer_pullup(in, (ev_ssize_t)(len < IPC_HEADER_SIZE ? len :
	    IPC_HEADER_SIZE));
	st = ipc_header_parse(p, len < IPC_HEADER_SIZE ? len : IPC_HEADER_SIZE, &h);
	if (st == IPC_SHORT || (st == IPC_OK && len < h.size))
		return;
	if (st == IPC_OK) {
		p = evbuffer_pullup(in, h.size);
		st = ipc_processinfo_parse(p, h.size, &r->cc_adv);
	}
	if (st != IPC_OK) {
		log_warn(r->tag, "runtime at %s answered ProcessInfo with %s; "
		    "retrying", addr_describe(&r->conf.runtime),
		    ipc_status_name(st));
		conn_free(c);
		route_cc_schedule(r, 1);
		return;
	}
	ipc_cookie_format(r->cc_adv.cookie, cookie, sizeof cookie);
	log_debug(r->tag, "runtime at %s is pid %llu (cookie %s); advertising "
	    "it to the tool", addr_describe(&r->conf.runtime),
	    (unsigned long long)r->cc_adv.pid, cookie);
	conn_free(c);
	r->cc = route_dial(r, DIAL_TOOL, NULL, 0);
}

/* Data arrived on a connection in its preamble. */
static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	switch (c->state) {
	case CONN_RT_ADVERTISE:
		route_read_advertise(c);
		break;
	case CONN_TOOL_FRAME:
		route_read_frame(c);
		break;
	case CONN_PROBE:
		route_read_probe(c);
		break;
	case CONN_RT_IDLE:
		log_warn(c->route->tag, "idle runtime connection (pid %llu) sent "
		    "data before any command; closing it",
		    (unsigned long long)c->adv.pid);
		conn_free(c);
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

/* A lingering connection flushed its answer: half-close it. */
static void
conn_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->state == CONN_LINGER &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		shutdown(bufferevent_getfd(bev), SHUT_WR);
}

/* Connected, EOF or error on a connection in its preamble. */
static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	struct route *r = c->route;
	int err = EVUTIL_SOCKET_ERROR();

	(void)bev;
	if (c->state == CONN_DIAL) {
		if (what & BEV_EVENT_CONNECTED)
			route_dial_connected(c);
		else
			route_dial_failed(c, err != 0 ? strerror(err) : "closed");
		return;
	}
	if (what & BEV_EVENT_CONNECTED)
		return;
	switch (c->state) {
	case CONN_TOOL_WAIT:
		if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR)) {
			/* Half-closed after its command: still serve it. */
			c->tool_eof = 1;
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
		log_debug(r->tag, "conn %llu: tool left while waiting for a "
		    "runtime", (unsigned long long)c->id);
		if (c->partner != NULL)
			conn_free(c->partner);
		conn_free(c);
		return;
	case CONN_TOOL_FRAME:
		if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0 &&
		    !(what & BEV_EVENT_ERROR)) {
			log_warn(r->tag, "tool closed after an incomplete first "
			    "frame; nothing reached the runtime");
			route_refuse_tool(c, IPC_E_BAD_ENCODING);
			return;
		}
		log_debug(r->tag, "conn %llu: tool closed before sending a "
		    "command", (unsigned long long)c->id);
		if (!c->accepted)
			route_tool_lost(c);
		conn_free(c);
		return;
	case CONN_RT_IDLE:
		log_debug(r->tag, "idle connection of runtime pid %llu closed",
		    (unsigned long long)c->adv.pid);
		if (c->partner != NULL)
			conn_free(c->partner);
		conn_free(c);
		return;
	case CONN_PROBE:
		route_read_probe(c);
		return;
	default:
		conn_free(c);
		return;
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
		log_warn(r->tag, "tool did not send a complete first frame "
		    "within %u ms; answered with an error, nothing reached "
		    "the runtime", r->conf.frame_timeout_ms);
		route_refuse_tool(c, IPC_E_BAD_ENCODING);
		break;
	case CONN_TOOL_WAIT:
		log_warn(r->tag, "no runtime on %s within %u ms: answered the "
		    "tool with NOT_YET_AVAILABLE%s", addr_describe(&r->conf.runtime),
		    r->conf.pair_timeout_ms, MODE_RUNTIME_SERVER(r->conf.mode) ?
		    " (is the app running with DOTNET_DiagnosticPorts set to "
		    "this address?)" : " (is the app listening there?)");
		route_refuse_tool(c, IPC_E_NOT_YET_AVAILABLE);
		break;
	case CONN_RT_ADVERTISE:
		log_warn(r->tag, "connection on the runtime side sent no advertise "
		    "within %u ms; closing it", r->conf.frame_timeout_ms);
		conn_free(c);
		break;
	case CONN_DIAL:
		route_dial_failed(c, "connect timed out");
		break;
	case CONN_DIAL_WAIT:
		route_dial_start(c);
		break;
	case CONN_PROBE:
		log_warn(r->tag, "runtime at %s did not answer ProcessInfo in "
		    "time; retrying", addr_describe(&r->conf.runtime));
		conn_free(c);
		route_cc_schedule(r, 1);
		break;
	case CONN_LINGER:
	case CONN_RT_IDLE:
		conn_free(c);
		break;
	}
}

/*
 * Read what a peer sent with its connect before the event loop sees it,
 * saving a trip round the loop: 0, -1 when the peer is gone (c freed).
 */
static ssize_t
conn_recv_early(struct conn *c, int fd, uint8_t *buf, size_t len)
{
	ssize_t n;

	n = recv(fd, buf, len, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR)) {
		conn_free(c);
		return -1;
	}
	return n < 0 ? 0 : n;
}

/* Put early bytes where the bufferevent would have: its input buffer. */
static void
conn_prefill(struct conn *c, const uint8_t *buf, size_t len)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	/* A bufferevent's input is frozen to all but itself. */
	evbuffer_unfreeze(in, 0);
	if (evbuffer_add(in, buf, len) != 0)
		fatalx("out of memory");
	evbuffer_freeze(in, 0);
}

/* A tool connected to the route's tool socket. */
static void
route_accept_tool(int fd, void *arg)
{
	struct route *r = arg;
	struct conn *c;
	uint8_t buf[IPC_MAX_FRAME];
	struct ipc_header h;
	enum ipc_status st;
	ssize_t n;

	c = conn_new(r, fd, CONN_TOOL_FRAME);
	c->accepted = 1;
	log_trace(r->tag, "conn %llu: tool connected", (unsigned long long)c->id);
	/*
	 * A tool writes its command right after connecting: it is usually
	 * here already, and taking it now saves a trip round the event loop.
	 */
	if ((n = conn_recv_early(c, fd, buf, sizeof buf)) < 0)
		return;
	bufferevent_setwatermark(c->bev, EV_READ, 0, IPC_MAX_FRAME);
	conn_timer(c, r->conf.frame_timeout_ms);
	if (n > 0) {
		/* Only an incomplete frame needs the read event now. */
		st = ipc_header_parse(buf, (size_t)n < IPC_HEADER_SIZE ?
		    (size_t)n : IPC_HEADER_SIZE, &h);
		if (st == IPC_SHORT || (st == IPC_OK && (size_t)n < h.size))
			bufferevent_enable(c->bev, EV_READ);
		conn_prefill(c, buf, (size_t)n);
		route_read_frame(c);    /* may free c */
		return;
	}
	bufferevent_enable(c->bev, EV_READ);
}

/* A runtime connected to the route's runtime socket. */
static void
route_accept_runtime(int fd, void *arg)
{
	struct route *r = arg;
	struct conn *c;

	uint8_t buf[IPC_ADVERTISE_SIZE];
	ssize_t n;

	c = conn_new(r, fd, CONN_RT_ADVERTISE);
	log_trace(r->tag, "conn %llu: runtime connected", (unsigned long long)c->id);
	/* A runtime advertises as soon as it connects. */
	if ((n = conn_recv_early(c, fd, buf, sizeof buf)) < 0)
		return;
	bufferevent_enable(c->bev, EV_READ);
	conn_timer(c, r->conf.frame_timeout_ms);
	if (n > 0) {
		conn_prefill(c, buf, (size_t)n);
		route_read_advertise(c);        /* may free c */
	}
}

/* --runtime-timeout expired with no runtime seen. */
static void
route_runtime_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct route *r = arg;

	(void)fd;
	(void)events;
	if (r->seen_runtime)
		return;
	log_err(r->tag, "no runtime %s %s within %u s (--runtime-timeout); "
	    "stopping the route", MODE_RUNTIME_SERVER(r->conf.mode) ?
	    "connected to" : "reachable at", addr_describe(&r->conf.runtime),
	    r->conf.runtime_timeout_ms / 1000);
	daemon_route_expired(r->daemon, r);
}

/* Tell the user how to point an app and a tool at the route. */
static void
route_explain(struct route *r)
{
	const struct route_conf *rc = &r->conf;
	const char *rt = addr_describe(&rc->runtime);

	if (rc->preset != NULL && strcmp(rc->preset, "android-emu") == 0) {
		log_info(r->tag, "start the app in the Android emulator with "
		    "DOTNET_DiagnosticPorts=10.0.2.2:%u,nosuspend,connect",
		    rc->runtime.port);
	} else if (rc->preset != NULL && strcmp(rc->preset, "ios-sim") == 0) {
		log_info(r->tag, "start the app in the iOS simulator with "
		    "DOTNET_DiagnosticPorts=%s,nosuspend,listen", rt);
	} else if (rc->mode == MODE_SERVER_SERVER || rc->mode == MODE_CLIENT_SERVER) {
		log_info(r->tag, "start the app with DOTNET_DiagnosticPorts=%s,"
		    "nosuspend,connect", rc->runtime.kind == ADDR_UNIX ?
		    rc->runtime.path : listener_name(r->rt_l));
	}
	if (MODE_TOOL_SERVER(rc->mode) && rc->tool_default) {
		log_info(r->tag, "then run a tool against this process: "
		    "dotnet-trace collect -p %ld (or dotnet-counters monitor "
		    "-p %ld)", (long)getpid(), (long)getpid());
	} else if (MODE_TOOL_SERVER(rc->mode) && rc->tool.kind == ADDR_UNIX) {
		log_info(r->tag, "then run a tool with --diagnostic-port "
		    "%s,connect", rc->tool.path);
	}
}

/* Make a route live: listen and connect as its mode says. */
struct route *
route_new(struct daemon *d, struct event_base *base, const struct route_conf *rc,
    char **cause)
{
	struct route *r;
	struct timeval tv;

	r = xcalloc(1, sizeof *r);
	r->daemon = d;
	r->base = base;
	r->conf = *rc;
	r->conf.name = xstrdup(rc->name);
	addr_copy(&r->conf.tool, &rc->tool);
	addr_copy(&r->conf.runtime, &rc->runtime);
	xasprintf(&r->tag, "route %s", rc->name);
	pair_init(&r->pair);
	TAILQ_INIT(&r->conns);
	TAILQ_INIT(&r->sessions);
	backoff_init(&r->cc_backoff, ROUTE_RETRY_BASE_MS, ROUTE_RETRY_CAP_MS);
	backoff_init(&r->tool_backoff, ROUTE_RETRY_BASE_MS, ROUTE_RETRY_CAP_MS);
	r->cc_timer = evtimer_new(base, route_cc_timer, r);

	if (MODE_RUNTIME_SERVER(rc->mode)) {
		r->rt_l = listener_new(base, &r->conf.runtime,
		    route_accept_runtime, r, cause);
		if (r->rt_l == NULL)
			goto fail;
		log_info(r->tag, "listening for runtimes on %s",
		    listener_name(r->rt_l));
	}
	if (MODE_TOOL_SERVER(rc->mode)) {
		r->tool_l = listener_new(base, &r->conf.tool, route_accept_tool,
		    r, cause);
		if (r->tool_l == NULL)
			goto fail;
		log_info(r->tag, "listening for tools on %s",
		    listener_name(r->tool_l));
	}
	log_info(r->tag, "%s: tools %s %s, runtimes %s %s",
	    conf_mode_name(rc->mode),
	    MODE_TOOL_SERVER(rc->mode) ? "connect to" : "are reached at",
	    r->tool_l != NULL ? listener_name(r->tool_l) : addr_describe(&rc->tool),
	    MODE_RUNTIME_SERVER(rc->mode) ? "connect to" : "are reached at",
	    r->rt_l != NULL ? listener_name(r->rt_l) : addr_describe(&rc->runtime));
	route_explain(r);
	if (rc->runtime_timeout_ms > 0) {
		r->rt_timer = evtimer_new(base, route_runtime_timeout, r);
		tv.tv_sec = (time_t)(rc->runtime_timeout_ms / 1000);
		tv.tv_usec = (suseconds_t)(rc->runtime_timeout_ms % 1000) * 1000;
		evtimer_add(r->rt_timer, &tv);
	}
	if (rc->mode == MODE_CLIENT_CLIENT)
		route_cc_schedule(r, 0);
	return r;

fail:
	route_free(r);
	return NULL;
}

/* Stop a route: close its sessions and connections, remove its sockets. */
void
route_free(struct route *r)
{
	struct session *s;
	struct conn *c;

	if (r == NULL)
		return;
	listener_free(r->tool_l);
	listener_free(r->rt_l);
	while ((s = TAILQ_FIRST(&r->sessions)) != NULL) {
		TAILQ_REMOVE(&r->sessions, s, entry);
		relay_free(s->relay);
		free(s);
	}
	while ((c = TAILQ_FIRST(&r->conns)) != NULL) {
		c->partner = NULL;
		conn_free(c);
	}
	pair_clear(&r->pair);
	if (r->rt_timer != NULL)
		event_free(r->rt_timer);
	event_free(r->cc_timer);
	free(r->conf.name);
	addr_free(&r->conf.tool);
	addr_free(&r->conf.runtime);
	free(r->tag);
	free(r);
}

/* The configuration a route runs. */
const struct route_conf *
route_get_conf(struct route *r)
{
	return &r->conf;
}

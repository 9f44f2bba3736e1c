/* SPDX-License-Identifier: MIT */
/*
 * accept.c: a new connection on a route's listener: its first bytes taken
 * with the accept (a tool writes its command, a runtime its advertise, as
 * soon as they connect: taking them now saves a trip round the event
 * loop), the limits on what may wait in a preamble, and the answer to a
 * tool when the process is out of descriptors. The preamble itself is
 * conn.c's.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "route.h"

/*
 * Read what a peer sent with its connect before the event loop sees it,
 * saving a trip round the loop: 0, -1 when the peer is gone (c freed).
 */
static ssize_t
accept_recv_early(struct conn *c, int fd, uint8_t *buf, size_t len)
{
	ssize_t n;

	n = recv(fd, buf, len, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR)) {
		conn_close(c, LOG_LEVEL_DEBUG, "conn %llu: closed at once (%s)",
		    (unsigned long long)c->id, n == 0 ? "EOF" : strerror(errno));
		return -1;
	}
	return n < 0 ? 0 : n;
}

/* Put early bytes where the bufferevent would have: its input buffer. */
static void
accept_prefill(struct conn *c, const uint8_t *buf, size_t len)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	/* A bufferevent's input is frozen to all but itself. */
	evbuffer_unfreeze(in, 0);
	if (evbuffer_add(in, buf, len) != 0)
		fatalx("out of memory");
	evbuffer_freeze(in, 0);
}

/*
 * Out of descriptors, a tool was accepted on the listener's reserve: tell
 * it at once, without reading, and close.
 */
void
accept_busy(int fd, void *arg)
{
	struct route *r = arg;
	uint8_t frame[IPC_ERROR_SIZE];

	ipc_error_build(frame, IPC_E_NOT_YET_AVAILABLE);
	(void)send(fd, frame, sizeof frame, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
	r->totals.errors[ROUTE_ERR_BUSY]++;
	route_log(r, LOG_LEVEL_WARN, "out of file descriptors: answered a tool "
	    "with NOT_YET_AVAILABLE");
}

/*
 * A tool connected to a tool socket of the route: the route's own, or a
 * runtime's (want, with runtimes = many).
 */
static void
accept_tool_for(struct route *r, int fd, struct pair_runtime *want)
{
	struct conn *c;
	uint8_t buf[ROUTE_FRAME_READ];
	struct ipc_header h;
	uid_t uid;
	pid_t pid;
	ssize_t n;

	c = conn_new(r, fd, CONN_ROLE_TOOL, CONN_TOOL_FRAME);
	c->want = want;
	log_trace(r->tag, "conn %llu: tool connected", (unsigned long long)c->id);
	if ((want != NULL || r->conf.tool.kind == ADDR_UNIX) &&
	    !sock_peer_allowed(fd, &r->conf.access, &uid, &pid)) {
		conn_refuse(c, IPC_E_ACCESS_DENIED, ROUTE_ERR_ACCESS, LOG_LEVEL_WARN, "refused a "
		    "tool of uid %ld (pid %ld): not in allow-users or "
		    "allow-groups; nothing reached the runtime", (long)uid,
		    (long)pid);
		return;
	}
	if (r->ntools > ROUTE_MAX_TOOLS) {
		conn_refuse(c, IPC_E_NOT_YET_AVAILABLE, ROUTE_ERR_BUSY,
		    LOG_LEVEL_WARN, "%u tools "
		    "are already waiting (at most %d): answered a new one with "
		    "NOT_YET_AVAILABLE", r->ntools - 1, ROUTE_MAX_TOOLS);
		return;
	}
	/*
	 * A tool writes its command right after connecting: it is usually
	 * here already, and taking it now saves a trip round the event loop.
	 */
	if ((n = accept_recv_early(c, fd, buf, sizeof buf)) < 0)
		return;
	bufferevent_setwatermark(c->bev, EV_READ, 0, ROUTE_FRAME_READ);
	conn_frame_deadline(c);
	if (n > 0) {
		/* Only an incomplete frame needs the read event now. */
		if (ipc_frame_complete(buf, (size_t)n, &h) == IPC_SHORT)
			bufferevent_enable(c->bev, EV_READ);
		accept_prefill(c, buf, (size_t)n);
		conn_read_frame(c);     /* may free c */
		return;
	}
	bufferevent_enable(c->bev, EV_READ);
}

/* A tool connected to the route's tool socket. */
void
accept_tool(int fd, void *arg)
{
	accept_tool_for(arg, fd, NULL);
}

/* A tool connected to one runtime's own tool socket (runtimes = many). */
void
accept_runtime_tool(int fd, void *arg)
{
	struct runtime *rt = arg;

	accept_tool_for(rt->route, fd, rt->prt);
}

/*
 * Too many runtime connections wait: close the oldest. Never the new one:
 * a real runtime whose connection is closed reconnects at once, and
 * closing each new one would make it spin.
 */
static void
accept_evict_runtime(struct route *r)
{
	struct conn *c;

	TAILQ_FOREACH(c, &r->conns, entry) {
		if (c->role == CONN_ROLE_RUNTIME &&
		    (c->state == CONN_RT_IDLE || c->state == CONN_RT_ADVERTISE))
			break;
	}
	if (c == NULL)
		return;
	conn_close(c, LOG_LEVEL_WARN, "%u runtime connections are waiting (at "
	    "most %d): closed the oldest (pid %llu)", r->nruntimes,
	    ROUTE_MAX_RUNTIME_CONNS, (unsigned long long)c->adv.pid);
}

/* A runtime connected to the route's runtime socket. */
void
accept_runtime(int fd, void *arg)
{
	struct route *r = arg;
	struct conn *c;
	uint8_t buf[IPC_ADVERTISE_SIZE];
	ssize_t n;

	if (r->nruntimes >= ROUTE_MAX_RUNTIME_CONNS)
		accept_evict_runtime(r);
	c = conn_new(r, fd, CONN_ROLE_RUNTIME, CONN_RT_ADVERTISE);
	log_trace(r->tag, "conn %llu: runtime connected", (unsigned long long)c->id);
	/* A runtime advertises as soon as it connects. */
	if ((n = accept_recv_early(c, fd, buf, sizeof buf)) < 0)
		return;
	bufferevent_enable(c->bev, EV_READ);
	conn_timer(c, r->conf.frame_timeout_ms);
	if (n > 0) {
		accept_prefill(c, buf, (size_t)n);
		conn_read_advertise(c);         /* may free c */
	}
}

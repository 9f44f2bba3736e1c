/* SPDX-License-Identifier: MIT */
/*
 * dial.c: outgoing connections, to a listening runtime or a reversed-server
 * tool, retried with back-off until they connect or are no longer wanted.
 * A failure is logged loudly once, then at debug until the next success.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "route.h"

/* Whether a dial goes to the tool side (else the runtime side). */
static int
dial_to_tool(const struct conn *c)
{
	return c->role == CONN_ROLE_TOOL_DIALLED;
}

/* The address a dial goes to. */
static const struct addr *
dial_target(const struct conn *c)
{
	return dial_to_tool(c) ? &c->route->conf.tool : &c->route->conf.runtime;
}

/* The route's count of consecutive failures for this side. */
static unsigned *
dial_failures(const struct conn *c)
{
	return dial_to_tool(c) ? &c->route->tool_failures :
	    &c->route->rt_failures;
}

/* An outgoing connection failed: say so (loudly only the first time), retry later. */
void
dial_failed(struct conn *c, const char *why)
{
	struct route *r = c->route;
	unsigned *failures = dial_failures(c);
	const char *what = dial_to_tool(c) ? "tool" : "runtime";

	forward_cancel(c);
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	if ((*failures)++ == 0) {
		log_warn(r->tag, "cannot connect to %s at %s: %s; retrying%s",
		    what, addr_describe(dial_target(c)), why, dial_to_tool(c) ?
		    " (is the tool started with --diagnostic-port?)" : "");
	} else {
		log_debug(r->tag, "cannot connect to %s at %s: %s (attempt %u)",
		    what, addr_describe(dial_target(c)), why, *failures);
	}
	conn_set_state(c, CONN_DIAL_WAIT);
	conn_timer(c, backoff_next(&c->backoff, (uint32_t)random()));
}

/* Start (or retry) an outgoing connection. */
void
dial_start(struct conn *c)
{
	struct bufferevent *bev;
	int fd;

	if (c->route->usbmux != NULL && !dial_to_tool(c)) {
		/* A runtime on a device: usbmux dials beside the loop. */
		conn_set_state(c, CONN_DIAL);
		conn_timer(c, ROUTE_CONNECT_TIMEOUT_MS);
		forward_dial(c);
		return;
	}
	if ((fd = sock_connect_start(dial_target(c))) == -1) {
		dial_failed(c, strerror(errno));
		return;
	}
	bev = bufferevent_socket_new(c->route->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		fatalx("out of memory for a connection");
	conn_attach(c, bev);
	conn_set_state(c, CONN_DIAL);
	conn_timer(c, ROUTE_CONNECT_TIMEOUT_MS);
	if (bufferevent_socket_connect(c->bev, NULL, 0) != 0)
		dial_failed(c, "connect failed");
}

/* An outgoing connection is up: the mode says what it was made for. */
void
dial_connected(struct conn *c)
{
	struct route *r = c->route;
	unsigned *failures = dial_failures(c);

	evtimer_del(c->timer);
	if (*failures > 0) {
		log_info(r->tag, "connected to %s at %s after %u failed attempts",
		    dial_to_tool(c) ? "tool" : "runtime",
		    addr_describe(dial_target(c)), *failures);
		*failures = 0;
	}
	if (!dial_to_tool(c))
		route_runtime_up(r);
	r->ops->dialled(c);             /* may free c */
}

/*
 * Make an outgoing connection in a role, partnered with the connection it
 * is made for (or NULL), now or after a delay.
 */
struct conn *
dial_new(struct route *r, enum conn_role role, struct conn *partner,
    unsigned delay_ms)
{
	struct conn *c;

	c = conn_new(r, -1, role, CONN_DIAL_WAIT);
	backoff_init(&c->backoff, ROUTE_RETRY_BASE_MS, ROUTE_RETRY_CAP_MS);
	if (partner != NULL) {
		c->partner = partner;
		partner->partner = c;
	}
	if (delay_ms > 0)
		conn_timer(c, delay_ms);
	else
		dial_start(c);
	return c;
}

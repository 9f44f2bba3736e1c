/* SPDX-License-Identifier: MIT */
/*
 * client_client.c: the client-client mode. The router connects to both
 * sides. A cycle learns the listening runtime's pid and cookie with a
 * ProcessInfo of its own (the probe), connects to the reversed-server tool
 * and advertises that runtime; once the tool sends its command, it
 * connects to the runtime for it and starts the next cycle. r->cc is the
 * cycle's connection: the probe, then the advertised tool connection.
 */
#include "config.h"

#include <stdlib.h>

#include <event2/event.h>

#include "route.h"

/* Start the next cycle, at once or after a back-off when one failed. */
static void
client_client_schedule(struct route *r, int failed)
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

/* The cycle timer fired: probe the runtime. */
static void
client_client_timer(evutil_socket_t fd, short events, void *arg)
{
	struct route *r = arg;

	(void)fd;
	(void)events;
	if (r->cc == NULL)
		r->cc = dial_new(r, CONN_ROLE_PROBE, NULL, 0);
}

/* The route is up: make the cycle timer and start the first cycle. */
static void
client_client_start(struct route *r)
{
	backoff_init(&r->cc_backoff, ROUTE_RETRY_BASE_MS, ROUTE_RETRY_CAP_MS);
	if ((r->cc_timer = evtimer_new(r->base, client_client_timer, r)) == NULL)
		fatalx("out of memory for a timer");
	client_client_schedule(r, 0);
}

/* Free the cycle timer. */
static void
client_client_stop(struct route *r)
{
	if (r->cc_timer != NULL)
		event_free(r->cc_timer);
	r->cc_timer = NULL;
	r->cc = NULL;
}

/* Our ProcessInfo's answer: advertise the runtime to the tool, or retry. */
static void
client_client_probe_done(struct conn *c, const uint8_t *frame, size_t len)
{
	struct route *r = c->route;
	enum ipc_status st;
	char cookie[40];

	r->cc = NULL;
	if (frame == NULL) {
		conn_close(c, LOG_LEVEL_WARN, "runtime at %s did not answer "
		    "ProcessInfo in time; retrying",
		    addr_describe(&r->conf.runtime));
		client_client_schedule(r, 1);
		return;
	}
	if ((st = ipc_processinfo_parse(frame, len, &r->cc_adv)) != IPC_OK) {
		conn_close(c, LOG_LEVEL_WARN, "runtime at %s answered "
		    "ProcessInfo with %s; retrying",
		    addr_describe(&r->conf.runtime), ipc_status_name(st));
		client_client_schedule(r, 1);
		return;
	}
	ipc_cookie_format(r->cc_adv.cookie, cookie, sizeof cookie);
	conn_close(c, LOG_LEVEL_DEBUG, "runtime at %s is pid %llu (cookie %s); "
	    "advertising it to the tool", addr_describe(&r->conf.runtime),
	    (unsigned long long)r->cc_adv.pid, cookie);
	r->cc = dial_new(r, CONN_ROLE_TOOL_DIALLED, NULL, 0);
}

/* An outgoing connection is up: probe, advertise, or serve a command. */
static void
client_client_dialled(struct conn *c)
{
	uint8_t adv[IPC_ADVERTISE_SIZE];

	switch (c->role) {
	case CONN_ROLE_PROBE:
		conn_send_probe(c);
		break;
	case CONN_ROLE_TOOL_DIALLED:
		ipc_advertise_build(adv, &c->route->cc_adv);
		conn_send_advertise(c, adv);
		break;
	case CONN_ROLE_RUNTIME_DIALLED:
		route_dialled_runtime(c);       /* may free c */
		break;
	case CONN_ROLE_TOOL:
	case CONN_ROLE_RUNTIME:
		break;
	}
}

/* The tool sent its command: connect to the runtime for it; next cycle. */
static void
client_client_tool_ready(struct conn *c)
{
	struct route *r = c->route;

	r->cc = NULL;
	backoff_reset(&r->cc_backoff);
	conn_wait_for_runtime(c);
	dial_new(r, CONN_ROLE_RUNTIME_DIALLED, c, 0);
	client_client_schedule(r, 0);
}

/* The advertised tool connection ended unused: start again after a back-off. */
static void
client_client_tool_lost(struct conn *c, struct conn *partner)
{
	struct route *r = c->route;

	(void)partner;
	if (r->cc == c) {
		r->cc = NULL;
		client_client_schedule(r, 1);
	}
}

const struct route_ops client_client_ops = {
	.name = "client-client",
	.start = client_client_start,
	.stop = client_client_stop,
	.tool_ready = client_client_tool_ready,
	.dialled = client_client_dialled,
	.tool_lost = client_client_tool_lost,
	.probe_done = client_client_probe_done,
};

/* SPDX-License-Identifier: MIT */
/*
 * client_server.c: the client-server mode. Connect-mode runtimes connect
 * to the runtime socket; for each advertised runtime connection the router
 * connects to the reversed-server tool and replays the same advertise,
 * then forwards the tool's command on that runtime connection.
 */
#include "config.h"

#include <stdlib.h>

#include "route.h"

/* A runtime connection advertised: offer it to the tool. */
static void
client_server_runtime_advertised(struct conn *c)
{
	char cookie[40];

	if (log_enabled(LOG_LEVEL_DEBUG)) {
		ipc_cookie_format(c->adv.cookie, cookie, sizeof cookie);
		log_debug(c->route->tag, "runtime pid %llu advertised (cookie "
		    "%s); connecting to the tool", (unsigned long long)c->adv.pid,
		    cookie);
	}
	dial_new(c->route, CONN_ROLE_TOOL_DIALLED, c, 0);
}

/* Connected to the tool: replay the runtime's advertise. */
static void
client_server_dialled(struct conn *c)
{
	conn_send_advertise(c, c->partner->adv_raw);
}

/* The tool sent its command: forward it on the runtime connection. */
static void
client_server_tool_ready(struct conn *c)
{
	struct route *r = c->route;
	struct conn *rt = c->partner;

	if (rt == NULL) {
		conn_close(c, LOG_LEVEL_DEBUG, "conn %llu: the runtime "
		    "connection it was offered for is gone",
		    (unsigned long long)c->id);
		return;
	}
	backoff_reset(&r->tool_backoff);
	route_start_session(r, c, rt, NULL);
}

/* The tool's connection ended unused: offer the runtime connection again later. */
static void
client_server_tool_lost(struct conn *c, struct conn *rt)
{
	struct route *r = c->route;

	if (rt != NULL)
		dial_new(r, CONN_ROLE_TOOL_DIALLED, rt,
		    backoff_next(&r->tool_backoff, (uint32_t)random()));
}

const struct route_ops client_server_ops = {
	.name = "client-server",
	.runtime_advertised = client_server_runtime_advertised,
	.tool_ready = client_server_tool_ready,
	.dialled = client_server_dialled,
	.tool_lost = client_server_tool_lost,
};

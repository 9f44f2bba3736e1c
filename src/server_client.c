/* SPDX-License-Identifier: MIT */
/*
 * server_client.c: the server-client mode. Tools connect to the tool
 * socket; for each tool with a complete first frame the router connects
 * to the listening runtime and starts the session at once, so no
 * connection to the runtime is ever left silent.
 */
#include "config.h"

#include "route.h"

/* A tool's command is complete: connect to the runtime for it. */
static void
server_client_tool_ready(struct conn *c)
{
	conn_wait_for_runtime(c);
	dial_new(c->route, CONN_ROLE_RUNTIME_DIALLED, c, 0);
}

const struct route_ops server_client_ops = {
	.name = "server-client",
	.tool_ready = server_client_tool_ready,
	.dialled = route_dialled_runtime,
};

/* SPDX-License-Identifier: MIT */
/*
 * wsroute.c: a route whose runtime side is a WebSocket (web-socket,
 * server-websocket, client-websocket): browser apps' diagnostic servers
 * connect there. The WebSocket is a transport under the route, not a
 * second router: the TCP listener hands each connection to wsserver.c,
 * which runs the upgrade and gives back one end of a socketpair carrying
 * the runtime's bytes; that end enters the route exactly as an accepted
 * TCP runtime connection does (accept_runtime), so pairing, advertises,
 * back-pressure, half-close and errors are the TCP side's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "route.h"
#include "ws.h"

/* A TCP connection on the runtime listener: its upgrade is wsserver's. */
static void
wsroute_accept(int fd, void *arg)
{
	struct route *r = arg;

	wsserver_accept(r->ws, fd);
}

/*
 * An upgraded connection: a runtime connection like any other. A route
 * out of service (retired, or between listeners during a reload) closes
 * it: the app connects again, to the route that serves.
 */
static void
wsroute_ready(int fd, void *arg)
{
	struct route *r = arg;

	if (r->retired || r->rt_l == NULL) {
		log_debug(r->tag, "a WebSocket runtime connection came while "
		    "the route was not listening: closed");
		close(fd);
		return;
	}
	accept_runtime(fd, r);
}

/* The origins allowed, for messages: "localhost pages" or the list. */
static const char *
wsroute_origins(const struct route_conf *rc, char *buf, size_t len)
{
	size_t i, off = 0;

	if (rc->ws_origins == NULL)
		return "pages of localhost only";
	buf[0] = '\0';
	for (i = 0; rc->ws_origins[i] != NULL && off < len; i++) {
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? ", " : "", rc->ws_origins[i]);
	}
	return buf;
}

/*
 * Listen for browser runtimes: the TCP listener of the URL's address, the
 * WebSocket server behind it (made once: it outlives a pause in listening
 * during a reload, and the sessions its bridges carry).
 */
int
wsroute_listen(struct route *r, char **cause)
{
	const struct route_conf *rc = &r->conf;
	struct ws_conf wc;
	char origins[512];

	if (r->ws == NULL) {
		memset(&wc, 0, sizeof wc);
		wc.path = rc->ws_path;
		wc.origins = (const char *const *)rc->ws_origins;
		wc.tag = r->tag;
		if ((r->ws = wsserver_new(r->base, &wc, wsroute_ready, r,
		    cause)) == NULL)
			return -1;
	}
	r->rt_l = listener_new(r->base, &rc->runtime, NULL, wsroute_accept,
	    NULL, r, cause);
	if (r->rt_l == NULL)
		return -1;
	free(r->ws_name);
	xasprintf(&r->ws_name, "ws://%s%s", listener_name(r->rt_l), rc->ws_path);
	log_info(r->tag, "listening for browser runtimes on %s (WebSocket; "
	    "origins allowed: %s)", r->ws_name, wsroute_origins(rc, origins,
	    sizeof origins));
	return 0;
}

/* A reload changed the origins allowed: new upgrades follow them. */
void
wsroute_update(struct route *r, const struct route_conf *rc)
{
	char origins[512];

	if (r->ws == NULL || conf_origins_equal(r->conf.ws_origins,
	    rc->ws_origins))
		return;
	conf_route_free_ws(&r->conf);
	conf_route_copy_ws(&r->conf, rc);
	wsserver_set_origins(r->ws, (const char *const *)rc->ws_origins);
	log_info(r->tag, "WebSocket origins allowed now: %s",
	    wsroute_origins(rc, origins, sizeof origins));
}

/* Close the WebSocket server: its upgrades and bridges. */
void
wsroute_free(struct route *r)
{
	wsserver_free(r->ws);
	r->ws = NULL;
	free(r->ws_name);
	r->ws_name = NULL;
}

/* The WebSocket server's counters in a route's status (JSON: null without one). */
void
wsroute_status(struct route *r, struct evbuffer *out, int json)
{
	struct ws_stats st;
	size_t i;

	if (r->ws == NULL) {
		if (json)
			status_add(out, ",\"websocket\":null");
		return;
	}
	wsserver_stats(r->ws, &st);
	if (!json) {
		char origins[512];

		evbuffer_add_printf(out, "    websocket: %llu upgraded, %llu "
		    "refused, %llu dropped; %zu upgrading, %zu carried; origins "
		    "allowed: %s\n", (unsigned long long)st.accepted,
		    (unsigned long long)st.refused,
		    (unsigned long long)st.dropped, st.handshakes, st.bridges,
		    wsroute_origins(&r->conf, origins, sizeof origins));
		return;
	}
	status_add(out, ",\"websocket\":{\"url\":");
	status_json_str(out, r->ws_name != NULL ? r->ws_name : r->conf.ws_url);
	status_add(out, ",\"origins\":");
	if (r->conf.ws_origins == NULL)
		status_add(out, "null");
	else {
		status_add(out, "[");
		for (i = 0; r->conf.ws_origins[i] != NULL; i++) {
			if (i > 0)
				status_add(out, ",");
			status_json_str(out, r->conf.ws_origins[i]);
		}
		status_add(out, "]");
	}
	evbuffer_add_printf(out, ",\"upgraded\":%llu,\"refused\":%llu,"
	    "\"dropped\":%llu,\"upgrading\":%zu,\"connections\":%zu}",
	    (unsigned long long)st.accepted, (unsigned long long)st.refused,
	    (unsigned long long)st.dropped, st.handshakes, st.bridges);
}

/*
 * server_server.c: the server-server mode. Tools connect to the tool
 * socket, connect-mode runtimes to the runtime socket; each runtime
 * connection's advertise is consumed, and a tool with a complete first
 * frame is paired with an idle connection of the current runtime (the
 * pairing table, pair.c, decides which).
 */
#include "config.h"

#include <stdlib.h>

#include "route.h"

/* Pair waiting tools with idle runtime connections. */
static void
server_server_pair(struct route *r)
{
	struct pair_runtime *prt;
	void *tool, *rt;

	while (pair_match(&r->pair, &tool, &rt, &prt)) {
		((struct conn *)tool)->in_pair = 0;
		((struct conn *)rt)->in_pair = 0;
		route_start_session(r, tool, rt, prt);
	}
}

/* Say what an advertise did to the table. */
static void
server_server_log_advertise(struct conn *c, enum pair_event ev,
    const struct pair_runtime *prev, size_t nstale)
{
	struct route *r = c->route;
	char cookie[40], old[40];

	if (ev == PAIR_KNOWN && nstale > 0) {
		route_log(r, LOG_LEVEL_WARN, "runtime pid %llu has more than %d "
		    "idle connections (a runtime keeps one): closing the oldest",
		    (unsigned long long)c->adv.pid, PAIR_MAX_IDLE);
		return;
	}
	if (ev == PAIR_KNOWN) {
		log_trace(r->tag, "runtime pid %llu re-advertised",
		    (unsigned long long)c->adv.pid);
		return;
	}
	/* The cookie is formatted only for the lines that print it. */
	ipc_cookie_format(c->adv.cookie, cookie, sizeof cookie);
	if (ev == PAIR_REPLACED && prev != NULL) {
		ipc_cookie_format(prev->adv.cookie, old, sizeof old);
		route_log(r, LOG_LEVEL_WARN, "runtime pid %llu (cookie %s) "
		    "replaces pid %llu (cookie %s); closing %zu stale idle "
		    "connection(s)",
		    (unsigned long long)c->adv.pid, cookie,
		    (unsigned long long)prev->adv.pid, old, nstale);
	} else {
		log_info(r->tag, "runtime pid %llu connected (cookie %s)",
		    (unsigned long long)c->adv.pid, cookie);
	}
}

/* A runtime connection advertised: into the table; pair. */
static void
server_server_runtime_advertised(struct conn *c)
{
	struct route *r = c->route;
	struct pair_runtime *prev;
	enum pair_event ev;
	void **stale;
	size_t nstale, i;

	ev = pair_runtime_add(&r->pair, &c->adv, c, &prev, &stale, &nstale);
	server_server_log_advertise(c, ev, prev, nstale);
	c->in_pair = 1;
	for (i = 0; i < nstale; i++) {
		struct conn *sc = stale[i];
		sc->in_pair = 0;  /* already out of the table */
		conn_close(sc, LOG_LEVEL_DEBUG, "conn %llu: stale idle connection "
		    "of runtime pid %llu closed", (unsigned long long)sc->id,
		    (unsigned long long)sc->adv.pid);
	}
	free(stale);
	server_server_pair(r);
}

/* A tool's command is complete: pair it now, or let it wait. */
static void
server_server_tool_ready(struct conn *c)
{
	struct route *r = c->route;

	if (!pair_ready(&r->pair))
		conn_wait_for_runtime(c);
	pair_tool_add(&r->pair, c);
	c->in_pair = 1;
	server_server_pair(r);          /* may free c */
}

const struct route_ops server_server_ops = {
	.name = "server-server",
	.runtime_advertised = server_server_runtime_advertised,
	.tool_ready = server_server_tool_ready,
};

/* SPDX-License-Identifier: MIT */
/*
 * server_server.c: the server-server mode. Tools connect to the tool
 * socket, connect-mode runtimes to the runtime socket; each runtime
 * connection's advertise is consumed, and a tool with a complete first
 * frame is paired with an idle connection of the current runtime (the
 * pairing table, pair.c, decides which). With runtimes = many, every
 * cookie is a runtime of its own (runtime.c), tools may ask for one by its
 * own socket, and the router learns each one's command line with a
 * ProcessInfo of its own (runtime.c says when).
 */
#include "config.h"

#include <stdlib.h>

#include "route.h"

/*
 * Pair waiting tools with idle runtime connections. On a WebSocket route
 * a connection whose WebSocket has ended (a browser page that goes) is
 * closed first, so that the tool waits for a live one instead of sending
 * its command into a dead one: the bridge passes the end on as an end of
 * file the loop reads only in its next turn. (Over TCP the same can only
 * happen when the runtime's end and the tool arrive in one batch of
 * events, the tool first; not worth a system call per session.)
 */
static void
server_server_pair(struct route *r)
{
	struct pair_runtime *prt;
	struct conn *c;
	void *tool, *rt;

	while (pair_peek(&r->pair, &tool, &rt)) {
		c = rt;
		if (r->ws != NULL && conn_peer_closed(c)) {
			conn_close(c, LOG_LEVEL_DEBUG, "conn %llu: the WebSocket "
			    "of runtime pid %llu had ended (idle, not paired)",
			    (unsigned long long)c->id,
			    (unsigned long long)c->adv.pid);
			continue;
		}
		pair_match(&r->pair, &tool, &rt, &prt);
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
	if (ev == PAIR_ANOTHER) {
		log_info(r->tag, "runtime pid %llu connected (cookie %s), beside "
		    "the others", (unsigned long long)c->adv.pid, cookie);
	} else if (ev == PAIR_REPLACED && prev != NULL) {
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
	struct runtime *rt;
	enum pair_event ev;
	void **stale;
	size_t nstale, i;

	ev = pair_runtime_add(&r->pair, &c->adv, c, &prev, &stale, &nstale);
	c->prt = pair_find(&r->pair, c->adv.cookie);
	server_server_log_advertise(c, ev, prev, nstale);
	c->in_pair = 1;
	for (i = 0; i < nstale; i++) {
		struct conn *sc = stale[i];
		sc->in_pair = 0;  /* already out of the table */
		runtime_check(runtime_of(sc->prt));
		conn_close(sc, LOG_LEVEL_DEBUG, "conn %llu: stale idle connection "
		    "of runtime pid %llu closed", (unsigned long long)sc->id,
		    (unsigned long long)sc->adv.pid);
	}
	free(stale);
	if (r->conf.many) {
		if ((rt = runtime_of(c->prt)) == NULL)
			rt = runtime_new(r, c->prt);
		runtime_check(rt);
	}
	server_server_pair(r);
}

/* Our ProcessInfo's answer: the runtime's command line, for status and logs. */
static void
server_server_probe_done(struct conn *c, const uint8_t *frame, size_t len)
{
	struct route *r = c->route;
	struct pair_runtime *prt = c->prt;
	struct runtime *rt = runtime_of(prt);
	char cmd[1024];
	int ok;

	ok = frame != NULL && ipc_processinfo_cmdline(frame, len, cmd,
	    sizeof cmd) == IPC_OK;
	conn_close(c, LOG_LEVEL_DEBUG, "conn %llu: runtime pid %llu %s our "
	    "ProcessInfo", (unsigned long long)c->id,
	    (unsigned long long)prt->adv.pid, frame != NULL ? "answered" :
	    "did not answer");
	pair_runtime_session_done(&r->pair, prt);
	if (rt != NULL)
		runtime_probed(rt, ok ? cmd : NULL);
	runtime_check(rt);
}

/* A tool's command is complete: pair it now, or let it wait. */
static void
server_server_tool_ready(struct conn *c)
{
	struct route *r = c->route;

	if (!pair_ready(&r->pair, c->want))
		conn_wait_for_runtime(c);
	pair_tool_add(&r->pair, c, c->want);
	c->in_pair = 1;
	server_server_pair(r);          /* may free c */
}

const struct route_ops server_server_ops = {
	.name = "server-server",
	.runtime_advertised = server_server_runtime_advertised,
	.tool_ready = server_server_tool_ready,
	.probe_done = server_server_probe_done,
};

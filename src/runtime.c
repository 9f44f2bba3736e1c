/* SPDX-License-Identifier: MIT */
/*
 * runtime.c: the runtimes of a route with runtimes = many (server-server):
 * each cookie is a runtime of its own, with its own tool socket in
 * ipc-server-dir, its command line learnt by a ProcessInfo of the router's
 * own on its first connection, and a grace period: a runtime with no
 * connection for runtime-grace is gone, and its socket with it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "route.h"

#define RUNTIME_PROBE_FIRST_MS 500u /* a runtime's command line is known by then */
#define RUNTIME_PROBE_MAX 5         /* asked again while it looks incomplete */

static void runtime_grace_expired(evutil_socket_t, short, void *);
static void runtime_probe_due(evutil_socket_t, short, void *);

/* The runtime of a connection's cookie, as the route knows it, or NULL. */
struct runtime *
runtime_of(struct pair_runtime *prt)
{
	return prt != NULL ? prt->user : NULL;
}

/* A name for a runtime's tool socket: ROUTE-PID.sock, or with its cookie. */
static char *
runtime_socket_path(struct route *r, struct runtime *rt)
{
	struct runtime *o;
	char *path, hex[IPC_COOKIE_SIZE * 2 + 1];
	int clash = 0;

	TAILQ_FOREACH(o, &r->runtimes, entry) {
		if (o != rt && o->prt->adv.pid == rt->prt->adv.pid)
			clash = 1;
	}
	if (!clash) {
		xasprintf(&path, "%s/%s-%llu.sock", r->conf.tool_dir, r->conf.name,
		    (unsigned long long)rt->prt->adv.pid);
		return path;
	}
	ipc_cookie_hex(rt->prt->adv.cookie, hex, sizeof hex);
	xasprintf(&path, "%s/%s-%llu-%.8s.sock", r->conf.tool_dir, r->conf.name,
	    (unsigned long long)rt->prt->adv.pid, hex);
	return path;
}

/* Give a runtime its own tool socket in ipc-server-dir. */
static void
runtime_listen(struct route *r, struct runtime *rt)
{
	struct addr a;
	char *path, *why = NULL;

	path = runtime_socket_path(r, rt);
	if (addr_parse_tool(&a, path, &why) != 0 ||
	    addr_resolve(&a, 1, &why) != 0 ||
	    (rt->l = listener_new(r->base, &a, &r->conf.access,
	    accept_runtime_tool, accept_busy, rt, &why)) == NULL) {
		log_warn(r->tag, "runtime pid %llu gets no tool socket of its own: "
		    "%s", (unsigned long long)rt->prt->adv.pid, why);
		free(why);
		free(path);
	} else {
		rt->path = path;
		log_info(r->tag, "runtime pid %llu: tools use --diagnostic-port "
		    "%s,connect", (unsigned long long)rt->prt->adv.pid, path);
	}
	addr_free(&a);
}

/* A new runtime on a route with runtimes = many. */
struct runtime *
runtime_new(struct route *r, struct pair_runtime *prt)
{
	struct runtime *rt;

	rt = xcalloc(1, sizeof *rt);
	rt->route = r;
	rt->prt = prt;
	rt->since_us = now_us();
	prt->user = rt;
	if ((rt->grace = evtimer_new(r->base, runtime_grace_expired, rt)) == NULL ||
	    (rt->probe = evtimer_new(r->base, runtime_probe_due, rt)) == NULL)
		fatalx("out of memory for a timer");
	TAILQ_INSERT_TAIL(&r->runtimes, rt, entry);
	if (r->conf.tool_dir != NULL)
		runtime_listen(r, rt);
	/*
	 * Who is it: ask it with a ProcessInfo of our own a moment later (a
	 * runtime that has just started does not know its whole command line).
	 */
	runtime_probe_later(rt, RUNTIME_PROBE_FIRST_MS);
	return rt;
}

/* Ask a runtime for its command line in ms, on one of its idle connections. */
void
runtime_probe_later(struct runtime *rt, unsigned ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(rt->probe, &tv);
}

/*
 * Time to ask: take one of its idle connections (the runtime reconnects at
 * once after answering, as after any command), or try again soon.
 */
static void
runtime_probe_due(evutil_socket_t fd, short events, void *arg)
{
	struct runtime *rt = arg;
	struct route *r = rt->route;
	struct conn *c;

	(void)fd;
	(void)events;
	TAILQ_FOREACH(c, &r->conns, entry) {
		if (c->role == CONN_ROLE_RUNTIME && c->state == CONN_RT_IDLE &&
		    c->prt == rt->prt && c->in_pair)
			break;
	}
	if (c == NULL) {
		runtime_probe_later(rt, RUNTIME_PROBE_FIRST_MS);
		return;
	}
	rt->probes++;
	pair_take_idle(&r->pair, c);
	c->in_pair = 0;
	conn_send_probe(c);
}

/*
 * The runtime's command line (NULL: no answer). One that is only a program
 * (no argument yet, early in its start-up) is asked for again, a few times.
 */
void
runtime_probed(struct runtime *rt, const char *cmdline)
{
	struct route *r = rt->route;

	if (cmdline != NULL && *cmdline != '\0' && (rt->cmdline == NULL ||
	    strcmp(rt->cmdline, cmdline) != 0)) {
		free(rt->cmdline);
		rt->cmdline = xstrdup(cmdline);
		log_info(r->tag, "runtime pid %llu is %s",
		    (unsigned long long)rt->prt->adv.pid, cmdline);
	}
	if ((cmdline == NULL || (*cmdline != '\0' && strchr(cmdline, ' ') ==
	    NULL)) && rt->probes < RUNTIME_PROBE_MAX)
		runtime_probe_later(rt, RUNTIME_PROBE_FIRST_MS << rt->probes);
}

/* Free a runtime: its socket goes; the pairing table is the caller's. */
void
runtime_free(struct runtime *rt)
{
	TAILQ_REMOVE(&rt->route->runtimes, rt, entry);
	listener_free(rt->l);
	event_free(rt->grace);
	event_free(rt->probe);
	rt->prt->user = NULL;
	free(rt->path);
	free(rt->cmdline);
	free(rt);
}

/* A runtime's connections changed: start or stop counting its grace. */
void
runtime_check(struct runtime *rt)
{
	struct timeval tv;
	unsigned ms;

	if (rt == NULL)
		return;
	if (rt->prt->nconns > 0) {
		evtimer_del(rt->grace);
		return;
	}
	if (evtimer_pending(rt->grace, NULL))
		return;
	ms = rt->route->conf.grace_ms;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(rt->grace, &tv);
}

/* Tools still reading their first frame on a gone runtime's socket: refuse them. */
static void
runtime_forget_tools(struct route *r, struct pair_runtime *prt)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(&r->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->want != prt || c->in_pair)
			continue;
		c->want = NULL;
		if (c->state == CONN_TOOL_FRAME)
			conn_refuse(c, IPC_E_NOT_YET_AVAILABLE, ROUTE_ERR_NO_RUNTIME, LOG_LEVEL_INFO,
			    "conn %llu: the runtime it asked for is gone",
			    (unsigned long long)c->id);
	}
}

/* No connection for the grace period: the runtime is gone. */
static void
runtime_grace_expired(evutil_socket_t fd, short events, void *arg)
{
	struct runtime *rt = arg;
	struct route *r = rt->route;
	struct pair_runtime *prt = rt->prt;
	void **tools;
	size_t n, i;

	(void)fd;
	(void)events;
	if (prt->nconns > 0)
		return;
	log_info(r->tag, "runtime pid %llu%s%s has had no connection for %u ms: "
	    "gone%s%s", (unsigned long long)prt->adv.pid,
	    rt->cmdline != NULL ? " " : "", rt->cmdline != NULL ? rt->cmdline : "",
	    r->conf.grace_ms, rt->path != NULL ? "; removing " : "",
	    rt->path != NULL ? rt->path : "");
	runtime_free(rt);
	runtime_forget_tools(r, prt);
	tools = pair_runtime_forget(&r->pair, prt, &n);
	for (i = 0; i < n; i++) {
		struct conn *c = tools[i];
		c->in_pair = 0;
		conn_refuse(c, IPC_E_NOT_YET_AVAILABLE, ROUTE_ERR_NO_RUNTIME, LOG_LEVEL_INFO, "conn "
		    "%llu: the runtime it waited for is gone: answered with "
		    "NOT_YET_AVAILABLE", (unsigned long long)c->id);
	}
	free(tools);
}

/* Free every runtime of a route (it stops). */
void
runtime_free_all(struct route *r)
{
	struct runtime *rt;

	while ((rt = TAILQ_FIRST(&r->runtimes)) != NULL)
		runtime_free(rt);
}

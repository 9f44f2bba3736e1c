/* SPDX-License-Identifier: MIT */
/*
 * route.c: one live route: its listeners, its connections and sessions,
 * the hand-off of a paired tool and runtime connection to a relay, and
 * --runtime-timeout. Connections in their preamble are conn.c's, outgoing
 * ones dial.c's; what the mode does at each step is in its route_ops.
 *
 * Rules kept here because runtimes depend on them: one command per runtime
 * connection; no connection to a runtime's listen socket without a command
 * to send at once; a runtime's idle connection is never closed in a loop;
 * nothing but a complete, valid first frame ever reaches a runtime.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "route.h"

/* Each mode's behaviour, by mode. */
static const struct route_ops *const route_ops_table[] = {
	[MODE_SERVER_SERVER] = &server_server_ops,
	[MODE_SERVER_CLIENT] = &server_client_ops,
	[MODE_CLIENT_SERVER] = &client_server_ops,
	[MODE_CLIENT_CLIENT] = &client_client_ops,
};

/*
 * Log what a peer made happen. Warnings and worse are rate-limited per
 * route, so a flood of bad connections cannot flood the log.
 */
void
route_vlog(struct route *r, enum log_level level, const char *fmt, va_list ap)
{
	unsigned suppressed;

	if (!log_enabled(level))
		return;
	if (level <= LOG_LEVEL_WARN) {
		if (!ratelimit_allow(&r->warnings, now_us(), &suppressed))
			return;
		if (suppressed > 0)
			log_msg(level, r->tag, "%u similar warning(s) suppressed",
			    suppressed);
	}
	log_vmsg(level, r->tag, fmt, ap);
}

/* Log what a peer made happen; see route_vlog. */
void
route_log(struct route *r, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	route_vlog(r, level, fmt, ap);
	va_end(ap);
}

/* The first sign of a runtime: cancel --runtime-timeout. */
void
route_runtime_seen(struct route *r)
{
	if (!r->seen_runtime) {
		r->seen_runtime = 1;
		if (r->rt_timer != NULL)
			evtimer_del(r->rt_timer);
	}
}

/* A runtime connected or was reached: a later wait is news again. */
void
route_runtime_up(struct route *r)
{
	route_runtime_seen(r);
	r->told_waiting = 0;
}

/*
 * Whether a runtime is there now: one with a live connection (server-
 * server), or one the last dial reached (the modes that dial it).
 */
int
route_runtime_present(struct route *r)
{
	if (MODE_RUNTIME_SERVER(r->conf.mode))
		return pair_current(&r->pair) != NULL;
	return r->seen_runtime && r->rt_failures == 0;
}

/*
 * How long a tool that starts waiting now may wait: pair-timeout when set;
 * else a few seconds while a runtime is there (it reconnects within
 * milliseconds), a minute while none is (the app may still be starting).
 * The first tool to wait with no runtime says so, with the app's setting.
 */
unsigned
route_wait_ms(struct route *r)
{
	int present = route_runtime_present(r);
	unsigned ms = r->conf.pair_timeout_ms;
	char ports[512];

	if (ms == 0)
		ms = present ? DSR_DEFAULT_PAIR_TIMEOUT_MS :
		    DSR_DEFAULT_FIRST_RUNTIME_MS;
	if (!present && !r->told_waiting) {
		r->told_waiting = 1;
		explain_app_ports(r, ports, sizeof ports);
		log_info(r->tag, "a tool waits up to %u s for a runtime on %s%s%s: "
		    "start the app with DOTNET_DiagnosticPorts=%s", ms / 1000,
		    route_runtime_name(r), forward_summary(r) != NULL ?
		    "; " : "", forward_summary(r) != NULL ? forward_summary(r) : "",
		    ports);
	}
	return ms;
}

/* A session ended. */
static void
route_session_done(struct relay *relay, const struct relay_stats *st,
    const char *reason, void *arg)
{
	struct session *s = arg;
	struct route *r = s->route;

	(void)relay;
	r->totals.to_tool += st->runtime_to_tool;
	r->totals.to_runtime += st->tool_to_runtime;
	if (strcmp(reason, "closed") != 0)
		r->totals.errors[ROUTE_ERR_SESSION]++;
	/* A session cut by an error (a peer killed, a reset) is news. */
	log_msg(strcmp(reason, "closed") == 0 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO,
	    r->tag, "session %llu closed (%s): tool->runtime %llu bytes, "
	    "runtime->tool %llu bytes, %.1f ms", (unsigned long long)s->id,
	    reason, (unsigned long long)st->tool_to_runtime,
	    (unsigned long long)st->runtime_to_tool,
	    (double)(now_us() - st->start_us) / 1000.0);
	if (s->runtime != NULL) {
		pair_runtime_session_done(&r->pair, s->runtime);
		runtime_check(runtime_of(s->runtime));
	}
	TAILQ_REMOVE(&r->sessions, s, entry);
	free(s);
	if (r->retired && TAILQ_EMPTY(&r->sessions))
		daemon_route_drained(r->daemon, r);
}

/* Pair a tool connection with a runtime connection and start forwarding. */
void
route_start_session(struct route *r, struct conn *tool, struct conn *rt,
    struct pair_runtime *prt)
{
	struct session *s;
	int tool_eof = tool->tool_eof;

	s = xcalloc(1, sizeof *s);
	s->route = r;
	s->runtime = prt;
	s->id = tool->id;
	s->cmd_set = tool->cmd_set;
	s->cmd_id = tool->cmd_id;
	r->totals.sessions++;
	log_debug(r->tag, "session %llu: tool paired with runtime connection %llu",
	    (unsigned long long)s->id, (unsigned long long)rt->id);
	s->relay = relay_new(conn_take_bev(tool), conn_take_bev(rt), tool_eof,
	    route_session_done, s);
	TAILQ_INSERT_TAIL(&r->sessions, s, entry);
	conn_free(tool);
	conn_free(rt);
}

/* A runtime connection dialled for a tool is up: serve the tool's command. */
void
route_dialled_runtime(struct conn *c)
{
	if (c->partner == NULL) {
		/* Never leave a connection to a runtime idle. */
		conn_close(c, LOG_LEVEL_DEBUG, "conn %llu: the tool left while "
		    "connecting to the runtime", (unsigned long long)c->id);
		return;
	}
	route_start_session(c->route, c->partner, c, NULL);
}

/*
 * The runtime end as users know it: the URL of a WebSocket, the address a
 * listener got (its real port), or the configured address.
 */
const char *
route_runtime_name(struct route *r)
{
	if (r->ws_name != NULL)
		return r->ws_name;
	return r->rt_l != NULL ? listener_name(r->rt_l) :
	    addr_describe(&r->conf.runtime);
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
	log_err(r->tag, "no runtime %s %s within %.1f s (--runtime-timeout); "
	    "stopping the route", MODE_RUNTIME_SERVER(r->conf.mode) ?
	    "connected to" : "reachable at", r->ws_name != NULL ? r->ws_name :
	    addr_describe(&r->conf.runtime),
	    (double)r->conf.runtime_timeout_ms / 1000.0);
	daemon_route_expired(r->daemon, r);
}

/*
 * The default tool socket also gets the name the tools' client library
 * gives a router, so that -p PID finds it as a router (see addr.c).
 */
static void
route_router_name(struct route *r)
{
	char *path, *why = NULL;

	if ((path = addr_router_tool_path(getpid(), &why)) == NULL ||
	    listener_alias(r->tool_l, path, &why) != 0) {
		log_warn(r->tag, "tools will not know this process as a router "
		    "(dotnet-gcdump -p needs that): %s", why);
		free(why);
	} else {
		log_debug(r->tag, "also listening for tools as %s", path);
	}
	free(path);
}

/* Open the listeners the mode needs. */
int
route_listen(struct route *r, char **cause)
{
	const struct route_conf *rc = &r->conf;

	if (MODE_RUNTIME_SERVER(rc->mode) && rc->ws_url != NULL) {
		if (wsroute_listen(r, cause) != 0)
			return -1;
	} else if (MODE_RUNTIME_SERVER(rc->mode)) {
		r->rt_l = listener_new(r->base, &r->conf.runtime, NULL,
		    accept_runtime, NULL, r, cause);
		if (r->rt_l == NULL)
			return -1;
		log_info(r->tag, "listening for runtimes on %s",
		    listener_name(r->rt_l));
	}
	if (MODE_TOOL_SERVER(rc->mode)) {
		r->tool_l = listener_new(r->base, &r->conf.tool,
		    &r->conf.access, accept_tool, accept_busy, r, cause);
		if (r->tool_l == NULL)
			return -1;
		log_info(r->tag, "listening for tools on %s",
		    listener_name(r->tool_l));
		if (rc->tool_default)
			route_router_name(r);
	}
	log_info(r->tag, "%s: tools %s %s, runtimes %s %s",
	    conf_route_mode_name(rc),
	    MODE_TOOL_SERVER(rc->mode) ? "connect to" : "are reached at",
	    r->tool_l != NULL ? listener_name(r->tool_l) : addr_describe(&rc->tool),
	    MODE_RUNTIME_SERVER(rc->mode) ? "connect to" : "are reached at",
	    route_runtime_name(r));
	return 0;
}

/* Arm --runtime-timeout from now, unless a runtime was seen. */
static void
route_arm_runtime_timeout(struct route *r)
{
	unsigned ms = r->conf.runtime_timeout_ms;
	struct timeval tv;

	if (r->rt_timer != NULL)
		evtimer_del(r->rt_timer);
	if (ms == 0 || r->seen_runtime)
		return;
	if (r->rt_timer == NULL &&
	    (r->rt_timer = evtimer_new(r->base, route_runtime_timeout, r)) == NULL)
		fatalx("out of memory for a timer");
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(r->rt_timer, &tv);
}

/* Make a route live: listen and connect as its mode says. */
struct route *
route_new(struct daemon *d, struct event_base *base, const struct route_conf *rc,
    char **cause)
{
	struct route *r;

	r = xcalloc(1, sizeof *r);
	r->daemon = d;
	r->base = base;
	r->conf = *rc;
	r->conf.name = xstrdup(rc->name);
	addr_copy(&r->conf.tool, &rc->tool);
	addr_copy(&r->conf.runtime, &rc->runtime);
	access_copy(&r->conf.access, &rc->access);
	r->conf.tool_dir = rc->tool_dir != NULL ? xstrdup(rc->tool_dir) : NULL;
	r->conf.device = rc->device != NULL ? xstrdup(rc->device) : NULL;
	r->conf.adb = rc->adb != NULL ? xstrdup(rc->adb) : NULL;
	conf_route_copy_ws(&r->conf, rc);
	r->ops = route_ops_table[rc->mode];
	xasprintf(&r->tag, "route %s", rc->name);
	pair_init(&r->pair, rc->many);
	TAILQ_INIT(&r->runtimes);
	TAILQ_INIT(&r->conns);
	TAILQ_INIT(&r->sessions);
	backoff_init(&r->tool_backoff, ROUTE_RETRY_BASE_MS, ROUTE_RETRY_CAP_MS);
	ratelimit_init(&r->warnings, ROUTE_WARN_BURST, ROUTE_WARN_WINDOW_MS);
	r->start_us = now_us();

	if (route_listen(r, cause) != 0 || forward_start(r, cause) != 0) {
		route_free(r);
		return NULL;
	}
	explain_exposure(r);
	explain_log(r);
	route_arm_runtime_timeout(r);
	if (r->ops->start != NULL)
		r->ops->start(r);
	return r;
}

/*
 * Apply a configuration that differs only in what applies in place (the
 * time-outs): new waits use the new values; nothing live is touched.
 */
void
route_update(struct route *r, const struct route_conf *rc)
{
	unsigned old_rt = r->conf.runtime_timeout_ms;

	r->conf.pair_timeout_ms = rc->pair_timeout_ms;
	r->conf.frame_timeout_ms = rc->frame_timeout_ms;
	r->conf.runtime_timeout_ms = rc->runtime_timeout_ms;
	r->conf.grace_ms = rc->grace_ms;
	r->conf.allow_remote_tools = rc->allow_remote_tools;
	access_free(&r->conf.access);
	access_copy(&r->conf.access, &rc->access);
	wsroute_update(r, rc);
	if (rc->runtime_timeout_ms != old_rt)
		route_arm_runtime_timeout(r);
	log_info(r->tag, "updated in place: pair-timeout %u ms (0: default), "
	    "frame-timeout %u ms, runtime-timeout %u ms", rc->pair_timeout_ms,
	    rc->frame_timeout_ms, rc->runtime_timeout_ms);
}

/* A route replaces another: it keeps what the other set up on devices. */
void
route_adopt(struct route *r, struct route *old)
{
	forward_adopt(r, old);
}

/* Close the listeners (their socket files go with them). */
void
route_unlisten(struct route *r)
{
	listener_free(r->tool_l);
	listener_free(r->rt_l);
	r->tool_l = r->rt_l = NULL;
}

/* Whether a route listens on an address that rc would listen on too. */
int
route_listens_on(struct route *r, const struct route_conf *rc)
{
	const struct route_conf *a = &r->conf;

	if (MODE_TOOL_SERVER(a->mode) && ((MODE_TOOL_SERVER(rc->mode) &&
	    addr_same(&a->tool, &rc->tool)) || (MODE_RUNTIME_SERVER(rc->mode) &&
	    addr_same(&a->tool, &rc->runtime))))
		return 1;
	return MODE_RUNTIME_SERVER(a->mode) && ((MODE_RUNTIME_SERVER(rc->mode) &&
	    addr_same(&a->runtime, &rc->runtime)) || (MODE_TOOL_SERVER(rc->mode) &&
	    addr_same(&a->runtime, &rc->tool)));
}

/*
 * Take a route out of service without cutting its sessions: stop
 * listening, close what is in its preamble, stop the mode's own work.
 * Returns 1 while sessions still run (daemon_route_drained follows when
 * the last ends), 0 when the route can be freed now.
 */
int
route_retire(struct route *r)
{
	struct session *s;
	struct conn *c;
	unsigned n = 0;

	r->retired = 1;
	route_unlisten(r);
	while ((c = TAILQ_FIRST(&r->conns)) != NULL)
		conn_free(c);
	forward_stop(r);
	runtime_free_all(r);
	if (r->ops->stop != NULL)
		r->ops->stop(r);
	if (r->rt_timer != NULL)
		evtimer_del(r->rt_timer);
	TAILQ_FOREACH(s, &r->sessions, entry)
		n++;
	if (n == 0)
		return 0;
	log_info(r->tag, "no longer listening; its %u session(s) go on until "
	    "they end", n);
	return 1;
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
	while ((c = TAILQ_FIRST(&r->conns)) != NULL)
		conn_free(c);
	wsroute_free(r);
	forward_free(r);
	if (r->ops->stop != NULL)
		r->ops->stop(r);
	runtime_free_all(r);
	pair_clear(&r->pair);
	if (r->rt_timer != NULL)
		event_free(r->rt_timer);
	free(r->conf.name);
	addr_free(&r->conf.tool);
	addr_free(&r->conf.runtime);
	access_free(&r->conf.access);
	free(r->conf.tool_dir);
	free(r->conf.device);
	free(r->conf.adb);
	conf_route_free_ws(&r->conf);
	free(r->tag);
	free(r);
}

/* The configuration a route runs. */
const struct route_conf *
route_get_conf(struct route *r)
{
	return &r->conf;
}

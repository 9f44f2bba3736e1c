/* SPDX-License-Identifier: MIT */
/*
 * status.c: what a route is doing, for 'dsrouterd status' and SIGUSR1: its
 * ends, its runtimes (pid, cookie, command line, tool socket, connections),
 * its sessions in flight (command, bytes, age) and its totals; as text or
 * as JSON (the stable form documented in dsrouterd(8)).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "route.h"

static const char *const status_err_names[ROUTE_ERR_COUNT] = {
	[ROUTE_ERR_BAD_FRAME] = "bad_frame",
	[ROUTE_ERR_NO_RUNTIME] = "no_runtime",
	[ROUTE_ERR_ACCESS] = "access_denied",
	[ROUTE_ERR_BUSY] = "busy",
	[ROUTE_ERR_SESSION] = "session_error",
};

/* A JSON string (or null), escaped. */
void
status_json_str(struct evbuffer *out, const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		status_add(out, "null");
		return;
	}
	status_add(out, "\"");
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			evbuffer_add_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			evbuffer_add_printf(out, "\\u%04x", *p);
		else
			evbuffer_add(out, p, 1);
	}
	status_add(out, "\"");
}

/* Seconds since a monotonic time in microseconds. */
static double
status_age(uint64_t since_us)
{
	return (double)(now_us() - since_us) / 1e6;
}

/* Idle connections of a runtime in the pairing table. */
static unsigned
status_idle(struct route *r, const struct pair_runtime *prt)
{
	struct pair_item *it;
	unsigned n = 0;

	TAILQ_FOREACH(it, &r->pair.idle, entry) {
		if (it->runtime == prt)
			n++;
	}
	return n;
}

/* One runtime of the pairing table. */
static void
status_runtime(struct route *r, struct pair_runtime *prt, struct evbuffer *out,
    int json, int first)
{
	struct runtime *rt = runtime_of(prt);
	char hex[IPC_COOKIE_SIZE * 2 + 1];
	const char *sock;

	ipc_cookie_hex(prt->adv.cookie, hex, sizeof hex);
	sock = rt != NULL ? rt->path : r->tool_l != NULL ?
	    listener_name(r->tool_l) : NULL;
	if (!json) {
		evbuffer_add_printf(out, "    runtime pid %llu cookie %s: %u "
		    "connection(s), %u idle%s%s%s%s\n",
		    (unsigned long long)prt->adv.pid, hex, prt->nconns,
		    status_idle(r, prt), rt != NULL && rt->cmdline != NULL ?
		    "; " : "", rt != NULL && rt->cmdline != NULL ? rt->cmdline : "",
		    sock != NULL ? "; tools: " : "", sock != NULL ? sock : "");
		return;
	}
	evbuffer_add_printf(out, "%s{\"pid\":%llu,\"cookie\":\"%s\",\"command_line\":",
	    first ? "" : ",", (unsigned long long)prt->adv.pid, hex);
	status_json_str(out, rt != NULL ? rt->cmdline : NULL);
	status_add(out, ",\"tool_socket\":");
	status_json_str(out, sock);
	evbuffer_add_printf(out, ",\"connected_s\":%.1f,\"connections\":%u,"
	    "\"idle_connections\":%u}", rt != NULL ? status_age(rt->since_us) :
	    -1.0, prt->nconns, status_idle(r, prt));
}

/* One session in flight. */
static void
status_session(struct session *s, struct evbuffer *out, int json, int first)
{
	const struct relay_stats *st = relay_stats(s->relay);
	char name[64];

	ipc_command_name(s->cmd_set, s->cmd_id, name, sizeof name);
	if (!json) {
		evbuffer_add_printf(out, "    session %llu: %s, %llu bytes to "
		    "the tool, %llu to the runtime, %.1f s\n",
		    (unsigned long long)s->id, name,
		    (unsigned long long)st->runtime_to_tool,
		    (unsigned long long)st->tool_to_runtime,
		    status_age(st->start_us));
		return;
	}
	evbuffer_add_printf(out, "%s{\"id\":%llu,\"command\":\"%s\","
	    "\"bytes_to_tool\":%llu,\"bytes_to_runtime\":%llu,\"age_s\":%.1f}",
	    first ? "" : ",", (unsigned long long)s->id, name,
	    (unsigned long long)st->runtime_to_tool,
	    (unsigned long long)st->tool_to_runtime, status_age(st->start_us));
}

/* The runtimes with a connection now (server-server). */
static void
status_runtimes(struct route *r, struct evbuffer *out, int json)
{
	struct pair_runtime *prt;
	int first = 1;

	TAILQ_FOREACH(prt, &r->pair.runtimes, entry) {
		if (prt->nconns == 0 && runtime_of(prt) == NULL)
			continue;
		status_runtime(r, prt, out, json, first);
		first = 0;
	}
}

/* Totals: sessions, bytes (ended and in flight), errors by kind. */
static void
status_totals(struct route *r, struct evbuffer *out, int json)
{
	uint64_t to_tool = r->totals.to_tool, to_rt = r->totals.to_runtime;
	struct session *s;
	int i;

	TAILQ_FOREACH(s, &r->sessions, entry) {
		to_tool += relay_stats(s->relay)->runtime_to_tool;
		to_rt += relay_stats(s->relay)->tool_to_runtime;
	}
	if (!json) {
		evbuffer_add_printf(out, "    totals: %llu session(s), %llu bytes "
		    "to tools, %llu to runtimes; errors:",
		    (unsigned long long)r->totals.sessions,
		    (unsigned long long)to_tool, (unsigned long long)to_rt);
		for (i = 0; i < ROUTE_ERR_COUNT; i++)
			evbuffer_add_printf(out, " %s %llu", status_err_names[i],
			    (unsigned long long)r->totals.errors[i]);
		status_add(out, "\n");
		return;
	}
	evbuffer_add_printf(out, ",\"sessions_total\":%llu,\"bytes_to_tool\":%llu,"
	    "\"bytes_to_runtime\":%llu,\"errors\":{",
	    (unsigned long long)r->totals.sessions, (unsigned long long)to_tool,
	    (unsigned long long)to_rt);
	for (i = 0; i < ROUTE_ERR_COUNT; i++)
		evbuffer_add_printf(out, "%s\"%s\":%llu", i > 0 ? "," : "",
		    status_err_names[i], (unsigned long long)r->totals.errors[i]);
	status_add(out, "}");
}

/* A route's status; first says whether it is the first of a JSON list. */
void
status_route(struct route *r, struct evbuffer *out, int json, int first)
{
	const char *tool = r->tool_l != NULL ? listener_name(r->tool_l) :
	    addr_describe(&r->conf.tool);
	const char *rt = route_runtime_name(r);
	struct session *s;
	int f = 1;

	if (!json) {
		evbuffer_add_printf(out, "route %s: %s%s, tools %s, runtimes %s%s\n",
		    r->conf.name, conf_route_mode_name(&r->conf),
		    r->conf.many ? " (many runtimes)" : "", tool, rt,
		    MODE_RUNTIME_SERVER(r->conf.mode) ? "" :
		    route_runtime_present(r) ? " (reachable)" : " (not reached)");
		forward_status(r, out, 0);
		wsroute_status(r, out, 0);
		status_runtimes(r, out, 0);
		TAILQ_FOREACH(s, &r->sessions, entry)
			status_session(s, out, 0, 0);
		status_totals(r, out, 0);
		return;
	}
	evbuffer_add_printf(out, "%s{\"name\":", first ? "" : ",");
	status_json_str(out, r->conf.name);
	evbuffer_add_printf(out, ",\"mode\":\"%s\",\"runtimes_mode\":\"%s\","
	    "\"tool\":", conf_mode_name(r->conf.mode), r->conf.many ? "many" : "one");
	status_json_str(out, tool);
	status_add(out, ",\"runtime\":");
	status_json_str(out, rt);
	evbuffer_add_printf(out, ",\"runtime_present\":%s,\"waiting_tools\":%u,"
	    "\"runtimes\":[", route_runtime_present(r) ? "true" : "false",
	    (unsigned)pair_tool_count(&r->pair));
	status_runtimes(r, out, 1);
	status_add(out, "],\"sessions\":[");
	TAILQ_FOREACH(s, &r->sessions, entry) {
		status_session(s, out, 1, f);
		f = 0;
	}
	status_add(out, "]");
	forward_status(r, out, 1);
	wsroute_status(r, out, 1);
	status_totals(r, out, 1);
	status_add(out, "}");
}

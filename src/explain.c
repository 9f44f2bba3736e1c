/* SPDX-License-Identifier: MIT */
/*
 * explain.c: what a route tells its user: which of its ends others can
 * reach, how to point an app and a tool at it (in the log at start, and
 * with -i the reference router's usage block on standard output).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "route.h"

/*
 * Say which of the route's ends others can reach: the diagnostic port
 * gives whoever reaches it the runtime (its memory, environment, profiler
 * attach), and nothing on these ends checks who that is.
 */
void
explain_exposure(struct route *r)
{
	const struct route_conf *rc = &r->conf;
	size_t i;

	if (!addr_is_local(&rc->runtime)) {
		log_warn(r->tag, "%s %s is reachable from the network, "
		    "unauthenticated and unencrypted: anyone who reaches it can "
		    "pose as a runtime or read its traffic",
		    MODE_RUNTIME_SERVER(rc->mode) ? "runtime listener" :
		    "runtime address", addr_describe(&rc->runtime));
	}
	for (i = 0; rc->ws_origins != NULL && rc->ws_origins[i] != NULL; i++) {
		if (strcmp(rc->ws_origins[i], "*") != 0)
			continue;
		log_warn(r->tag, "allow-origins has '*': any web page open in a "
		    "browser that reaches %s can pose as a runtime and get the "
		    "tools' commands", route_runtime_name(r));
		break;
	}
	if (!addr_is_local(&rc->tool)) {
		log_warn(r->tag, "%s %s is reachable from the network, "
		    "unauthenticated and unencrypted: whoever is at that end "
		    "controls the runtime (dumps, environment, profiler attach)",
		    MODE_TOOL_SERVER(rc->mode) ? "tool listener" :
		    "tool address", addr_describe(&rc->tool));
	} else if (MODE_TOOL_SERVER(rc->mode) && rc->tool.kind == ADDR_TCP) {
		log_warn(r->tag, "tool listener %s is TCP: any user of this "
		    "machine can reach it and control the runtime (a Unix "
		    "socket is mode 0600)", addr_describe(&rc->tool));
	}
}

/* Where the app must connect or listen, as the app sees it. */
static void
explain_app_address(struct route *r, char *host, size_t hlen, char *port,
    size_t plen)
{
	const struct route_conf *rc = &r->conf;
	const char *name, *colon;

	if (rc->forward != FORWARD_NONE)
		snprintf(host, hlen, "127.0.0.1");      /* on the device */
	else if (rc->preset != NULL && strcmp(rc->preset, "android-emu") == 0)
		snprintf(host, hlen, "10.0.2.2");
	else if (addr_is_any(&rc->runtime))
		snprintf(host, hlen, "<this host's address as the app sees it>");
	else if (rc->runtime.host != NULL)
		snprintf(host, hlen, "%s", rc->runtime.host);
	else
		snprintf(host, hlen, "127.0.0.1");
	name = r->rt_l != NULL ? listener_name(r->rt_l) : addr_describe(&rc->runtime);
	colon = strrchr(name, ':');
	snprintf(port, plen, "%s", colon != NULL ? colon + 1 : "?");
	/* adb maps the device's port P - 1 to the host's port P. */
	if (rc->forward == FORWARD_ANDROID && colon != NULL)
		snprintf(port, plen, "%d", atoi(colon + 1) - 1);
}

/*
 * The app's DOTNET_DiagnosticPorts value for the route, as the app sees
 * the address: "10.0.2.2:9000,nosuspend,connect" for the emulator.
 */
void
explain_app_ports(struct route *r, char *buf, size_t len)
{
	const struct route_conf *rc = &r->conf;
	const char *mode = MODE_RUNTIME_SERVER(rc->mode) ? "connect" : "listen";
	char host[64], port[16];

	if (rc->runtime.kind == ADDR_UNIX) {
		snprintf(buf, len, "%s,nosuspend,%s", rc->runtime.path, mode);
		return;
	}
	explain_app_address(r, host, sizeof host, port, sizeof port);
	/* A browser app: the URL alone (it always connects, never suspends). */
	if (rc->ws_url != NULL) {
		snprintf(buf, len, strchr(host, ':') != NULL ? "ws://[%s]:%s%s" :
		    "ws://%s:%s%s", host, port, rc->ws_path);
		return;
	}
	snprintf(buf, len, "%s:%s,nosuspend,%s", host, port, mode);
}

/* Tell the user how to point an app and a tool at the route. */
void
explain_log(struct route *r)
{
	const struct route_conf *rc = &r->conf;
	char ports[512];

	explain_app_ports(r, ports, sizeof ports);
	if (rc->ws_url != NULL) {
		log_info(r->tag, "start the browser app with DOTNET_DiagnosticPorts"
		    "=%s: build it with <EnableDiagnostics>true</EnableDiagnostics> "
		    "and set the variable in its startup script, "
		    "dotnet.withEnvironmentVariable(\"DOTNET_DiagnosticPorts\", "
		    "\"%s\")", ports, ports);
	} else {
		log_info(r->tag, "start the app%s with DOTNET_DiagnosticPorts=%s",
		    rc->forward == FORWARD_ANDROID ? " on the Android device" :
		    rc->forward == FORWARD_IOS ? " on the iOS device" :
		    rc->preset == NULL ? "" : strcmp(rc->preset,
		    "android-emu") == 0 ? " in the Android emulator" :
		    " in the iOS simulator", ports);
	}
	if (MODE_TOOL_SERVER(rc->mode) && rc->tool_default) {
		log_info(r->tag, "then run a tool against this process: "
		    "dotnet-trace collect -p %ld (or dotnet-counters monitor "
		    "-p %ld)", (long)getpid(), (long)getpid());
	} else if (MODE_TOOL_SERVER(rc->mode) && rc->tool.kind == ADDR_UNIX) {
		log_info(r->tag, "then run a tool with --diagnostic-port "
		    "%s,connect", rc->tool.path);
	}
}

/*
 * Print how to use the route, the reference router's --info block: the
 * app's settings (environment and MSBuild properties) and the tool's
 * command line.
 */
void
explain_info(struct route *r, FILE *f)
{
	const struct route_conf *rc = &r->conf;
	const char *mode = MODE_RUNTIME_SERVER(rc->mode) ? "connect" : "listen";
	long pid = (long)getpid();
	char host[64], port[16], ports[512];

	fprintf(f, "How to connect dsrouterd pid=%ld (route %s, %s) with an app "
	    "and diagnostic tools.\n", pid, rc->name, conf_route_mode_name(rc));
	explain_app_ports(r, ports, sizeof ports);
	fprintf(f, "Start the %sapp with DOTNET_DiagnosticPorts=%s\n",
	    rc->ws_url != NULL ? "browser (WebAssembly) " : "", ports);
	if (rc->ws_url != NULL) {
		fprintf(f, "Build it with the wasm-tools workload and "
		    "<EnableDiagnostics>true</EnableDiagnostics>\n"
		    "in its project, and set the port in its startup script "
		    "(main.js, or\nBlazor.start's configureRuntime):\n"
		    "dotnet.withEnvironmentVariable(\"DOTNET_DiagnosticPorts\", "
		    "\"%s\")\n", ports);
	} else if (rc->runtime.kind == ADDR_TCP) {
		explain_app_address(r, host, sizeof host, port, sizeof port);
		fprintf(f, "or build and run it with:\n[Default Tracing]\n"
		    "dotnet build -t:Run -c Release -p:DiagnosticAddress=%s "
		    "-p:DiagnosticPort=%s -p:DiagnosticSuspend=false "
		    "-p:DiagnosticListenMode=%s\n", host, port, mode);
		fprintf(f, "[Startup Tracing]\n"
		    "dotnet build -t:Run -c Release -p:DiagnosticAddress=%s "
		    "-p:DiagnosticPort=%s -p:DiagnosticSuspend=true "
		    "-p:DiagnosticListenMode=%s\n", host, port, mode);
	}
	if (MODE_TOOL_SERVER(rc->mode) && rc->tool_default)
		fprintf(f, "Run a diagnostic tool through dsrouterd pid=%ld:\n"
		    "dotnet-trace collect -p %ld\n", pid, pid);
	else if (MODE_TOOL_SERVER(rc->mode) && rc->tool.kind == ADDR_UNIX)
		fprintf(f, "Run a diagnostic tool with:\n"
		    "dotnet-trace collect --diagnostic-port %s,connect\n",
		    rc->tool.path);
	else if (MODE_TOOL_SERVER(rc->mode))
		fprintf(f, "Tools reach it at %s (another dsrouterd).\n",
		    addr_describe(&rc->tool));
	else
		fprintf(f, "Start the tool first, listening: dotnet-trace collect "
		    "--diagnostic-port %s\n", addr_describe(&rc->tool));
	fprintf(f, "\n");
}

/* SPDX-License-Identifier: MIT */
/*
 * usage.c: what --help prints: the whole command line, and one verb or
 * preset with its options and an example (dsrouterd VERB --help, or
 * dsrouterd help VERB).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dsrouterd.h"

/* Option lines, shared by the verbs they apply to. */
#define U_IPCS \
"  -ipcs, --ipc-server PATH     tool socket to create (default: the socket a\n" \
"                               runtime would create, $TMPDIR/dotnet-diagnostic-\n" \
"                               PID-KEY-socket, so 'dotnet-trace -p PID' works)\n"
#define U_IPCC \
"  -ipcc, --ipc-client PATH     socket of a tool started with --diagnostic-port\n"
#define U_TCPS \
"  -tcps, --tcp-server ADDR     address runtimes connect to\n"
#define U_TCPC \
"  -tcpc, --tcp-client ADDR     address of a runtime listening\n"
#define U_WS \
"  -ws, --web-socket URL        where browser apps connect, ws://HOST:PORT/PATH\n" \
"                               (default ws://127.0.0.1:8088/diagnostics)\n" \
"  --allow-origins LIST         web pages allowed to connect, by commas:\n" \
"                               http(s)://HOST[:PORT], localhost, null or *\n" \
"                               (default: pages of localhost only)\n"
#define U_TIMEOUTS \
"  -rt, --runtime-timeout SECS  stop if no runtime connects in time\n" \
"  -pt, --pair-timeout SECS     how long a tool waits for a runtime (default:\n" \
"                               60 while none is connected, 5 while one is)\n" \
"  -ft, --frame-timeout SECS    how long a tool may take to send its first\n" \
"                               command (default 2)\n"
#define U_MANY \
"  --runtimes one|many          many: every runtime (cookie) its own, none\n" \
"                               replacing another (default one)\n" \
"  --runtime-grace SECS         a runtime with no connection this long is\n" \
"                               gone (default 5)\n"
#define U_MANY_DIR \
"  --ipc-server-dir DIR         with many: a tool socket per runtime in DIR,\n" \
"                               DIR/ROUTE-PID.sock\n"
#define U_DEVICE \
"  -fp, --forward-port Android|iOS  forward to a device over USB: adb reverse\n" \
"                               (or forward), or usbmux (iOS, routes that\n" \
"                               connect to the runtime)\n" \
"  --device SERIAL|UDID         only this device\n" \
"  --adb PATH                   adb (default: $ADB, $ANDROID_HOME,\n" \
"                               $ANDROID_SDK_ROOT, PATH)\n"
#define U_REMOTE \
"  --allow-remote-tools         let a tcp: tool socket listen off loopback\n" \
"                               (anyone who reaches it controls the runtime)\n" \
"  --socket-mode MODE           the tool socket's mode, octal (default 0600)\n" \
"  --socket-group GROUP         the tool socket's group\n" \
"  --allow-users USERS          only these users' tools (names or uids, by\n" \
"                               commas; root and this user always)\n" \
"  --allow-groups GROUPS        only tools of users in these groups\n"
#define U_COMMON \
"  --control-socket PATH        where 'dsrouterd status' asks (none: nowhere)\n" \
"  -i, --info                   print how to point an app and a tool at the\n" \
"                               router, and keep running\n" \
"  -v, --verbose LEVEL          none, critical, error, warning, info (default),\n" \
"                               debug or trace\n" \
"  -bsig, --block-signals LIST  ignore these signals (';'-separated names,\n" \
"                               e.g. 'SIGINT;SIGQUIT')\n" \
"  --parentprocess PID[:NAME]   stop when that process exits (set by the\n" \
"                               tools' --dsrouter launcher)\n" \
"  -h, -?, --help               show help (of a verb, after it)\n"

/* One verb or preset: what it does, its options, an example. */
static const struct usage_verb {
	const char *name;
	const char *what;
	const char *options;
	const char *example;
} usage_verbs[] = {
	{ "server-server",
	  "Tools connect to the tool socket; runtimes started with\n"
	  "DOTNET_DiagnosticPorts=ADDR,connect connect to --tcp-server and are\n"
	  "paired with the tools.\n",
	  U_IPCS U_TCPS U_TIMEOUTS U_MANY U_MANY_DIR U_DEVICE U_REMOTE U_COMMON,
	  "dsrouterd server-server -ipcs /tmp/app.sock -tcps 127.0.0.1:9000\n"
	  "dotnet-trace collect --diagnostic-port /tmp/app.sock,connect\n" },
	{ "server-client",
	  "Tools connect to the tool socket; for each tool the router connects to\n"
	  "a runtime listening at --tcp-client (DOTNET_DiagnosticPorts=ADDR,listen).\n",
	  U_IPCS U_TCPC U_TIMEOUTS U_DEVICE U_REMOTE U_COMMON,
	  "dsrouterd server-client -tcpc 127.0.0.1:9000\n"
	  "dotnet-trace collect -p <dsrouterd pid>\n" },
	{ "client-server",
	  "Runtimes connect to --tcp-server; for each, the router connects to a\n"
	  "tool listening at --ipc-client (a tool started with --diagnostic-port)\n"
	  "and introduces the runtime to it.\n",
	  U_IPCC U_TCPS U_TIMEOUTS U_MANY U_DEVICE U_COMMON,
	  "dotnet-trace collect --diagnostic-port /tmp/tool.sock &\n"
	  "dsrouterd client-server -ipcc /tmp/tool.sock -tcps 127.0.0.1:9000\n" },
	{ "client-client",
	  "The router connects to a runtime listening at --tcp-client and to a tool\n"
	  "listening at --ipc-client, and introduces the one to the other.\n",
	  U_IPCC U_TCPC U_TIMEOUTS U_DEVICE U_COMMON,
	  "dotnet-trace collect --diagnostic-port /tmp/tool.sock &\n"
	  "dsrouterd client-client -ipcc /tmp/tool.sock -tcpc 127.0.0.1:9000\n" },
	{ "android-emu",
	  "server-server for an app in the Android emulator: runtimes connect to\n"
	  "127.0.0.1:9000 (the app uses\n"
	  "DOTNET_DiagnosticPorts=10.0.2.2:9000,nosuspend,connect).\n",
	  U_IPCS U_TCPS U_TIMEOUTS U_COMMON,
	  "dsrouterd android-emu\n"
	  "dotnet-trace collect -p <dsrouterd pid>\n"
	  "(or let the tool start it: dotnet-trace collect --dsrouter android-emu)\n" },
	{ "ios-sim",
	  "server-client for an app in the iOS simulator, listening on\n"
	  "127.0.0.1:9000 (DOTNET_DiagnosticPorts=127.0.0.1:9000,nosuspend,listen;\n"
	  "with suspend, the app waits for a tool to resume it).\n",
	  U_IPCS U_TCPC U_TIMEOUTS U_COMMON,
	  "dsrouterd ios-sim\n"
	  "dotnet-trace collect -p <dsrouterd pid>\n" },
	{ "server-websocket",
	  "server-server for a browser (WebAssembly) app: tools connect to the\n"
	  "tool socket; the app's diagnostic server connects to --web-socket over\n"
	  "a WebSocket (the app sets DOTNET_DiagnosticPorts to the URL), each\n"
	  "connection a runtime connection in binary messages.\n",
	  U_IPCS U_WS U_TIMEOUTS U_MANY U_MANY_DIR U_REMOTE U_COMMON,
	  "dsrouterd server-websocket -ws ws://127.0.0.1:8088/diagnostics\n"
	  "(the app: DOTNET_DiagnosticPorts=ws://127.0.0.1:8088/diagnostics)\n"
	  "dotnet-trace collect -p <dsrouterd pid>\n" },
	{ "client-websocket",
	  "client-server for a browser (WebAssembly) app: the app's diagnostic\n"
	  "server connects to --web-socket over a WebSocket; for each connection\n"
	  "the router connects to a tool listening at --ipc-client and introduces\n"
	  "the app to it.\n",
	  U_IPCC U_WS U_TIMEOUTS U_MANY U_COMMON,
	  "dotnet-trace collect --diagnostic-port /tmp/tool.sock &\n"
	  "dsrouterd client-websocket -ipcc /tmp/tool.sock\n" },
	{ "status",
	  "Ask a running dsrouterd what it is doing: its routes, their runtimes\n"
	  "(pid, cookie, command line, tool socket), sessions in flight and totals.\n"
	  "Without --control-socket, the one daemon running is found (the system\n"
	  "service's, or this user's).\n",
	  "  --control-socket PATH        the daemon's control socket\n"
	  "  --json                       the stable JSON form (see dsrouterd(8))\n",
	  "dsrouterd status\n"
	  "dsrouterd status --json | jq '.routes[].runtimes[].command_line'\n" },
	{ "android",
	  "server-server for an app on an Android device over USB: runtimes\n"
	  "connect to 127.0.0.1:9001, and adb reverse tcp:9000 tcp:9001 is kept on\n"
	  "every attached device (or --device SERIAL), made again after a replug,\n"
	  "removed at stop. The app uses\n"
	  "DOTNET_DiagnosticPorts=127.0.0.1:9000,nosuspend,connect.\n",
	  U_IPCS U_TCPS U_DEVICE U_TIMEOUTS U_MANY U_MANY_DIR U_COMMON,
	  "dsrouterd android\n"
	  "dotnet-trace collect -p <dsrouterd pid>\n" },
	{ "ios",
	  "server-client for an app on an iOS device over USB: for each command\n"
	  "the router connects to the device's port 9000 through usbmuxd (the\n"
	  "first attached device, or --device UDID; a replugged phone is served\n"
	  "again). The app uses DOTNET_DiagnosticPorts=127.0.0.1:9000,nosuspend,listen.\n",
	  U_IPCS U_TCPC U_DEVICE U_TIMEOUTS U_COMMON,
	  "dsrouterd ios\n"
	  "dotnet-trace collect -p <dsrouterd pid>\n" },
};

/* Print the whole usage. */
void
usage_print(FILE *f)
{
	fprintf(f,
"Usage: dsrouterd [VERB] [OPTIONS]\n"
"       dsrouterd -c FILE [-t] [-v LEVEL]\n"
"       dsrouterd status [--control-socket PATH] [--json]\n"
"       dsrouterd help VERB\n"
"\n"
"Routes .NET diagnostic IPC between tools (dotnet-trace, dotnet-counters,\n"
"dotnet-monitor, ...) on local sockets and runtimes on TCP (Android, iOS,\n"
"emulators, containers), Unix sockets or WebSocket (browser apps). Command\n"
"line compatible with dotnet-dsrouter.\n"
"\n"
"Verbs (tool side - runtime side):\n"
"  server-server  tools connect to --ipc-server; runtimes connect to --tcp-server\n"
"  server-client  tools connect to --ipc-server; the router connects to --tcp-client\n"
"  client-server  the router connects to a tool's --ipc-client; runtimes connect\n"
"                 to --tcp-server\n"
"  client-client  the router connects to --ipc-client and to --tcp-client\n"
"Presets:\n"
"  android-emu    server-server, runtimes connect to 127.0.0.1:9000 (the app\n"
"                 uses DOTNET_DiagnosticPorts=10.0.2.2:9000,nosuspend,connect)\n"
"  ios-sim        server-client to 127.0.0.1:9000 (the app listens there)\n"
"  android        server-server on 127.0.0.1:9001 with adb reverse tcp:9000\n"
"                 tcp:9001 on the USB devices (the app uses 127.0.0.1:9000)\n"
"  ios            server-client to the device's port 9000 through usbmuxd\n"
"Browser (WebAssembly) apps, whose diagnostic server connects over a WebSocket:\n"
"  server-websocket  tools connect to --ipc-server; apps connect to\n"
"                 --web-socket (default ws://127.0.0.1:8088/diagnostics)\n"
"  client-websocket  the router connects to --ipc-client; apps connect to\n"
"                 --web-socket\n"
"With no verb and no -c, dsrouterd runs android-emu.\n"
"\n"
"Options:\n"
U_IPCS U_IPCC U_TCPS U_TCPC U_WS U_TIMEOUTS U_MANY U_MANY_DIR U_DEVICE U_REMOTE
U_COMMON
"  -c, --config FILE            run the routes of an INI file\n"
"  -t, --test-config            check the configuration and exit\n"
"  -V, --version                show the version\n"
"\n"
"ADDR is host:port, [ipv6]:port, *:port, or unix:PATH for a runtime on a Unix\n"
"socket. PATH is a socket path, or tcp:host:port to chain two routers.\n"
"'q' on standard input stops the router, as a signal does.\n"
"\n"
"Exit status: 0 stopped by a signal, 'q' or the parent's exit; 64 bad command\n"
"line; 78 bad configuration; 69 no route left running (--runtime-timeout, or\n"
"after a reload), or forwarding that cannot work here (no adb, no usbmux);\n"
"70 internal error; 71 cannot listen or set up a socket.\n");
}

/* Print one verb's help; -1 when there is no such verb. */
int
usage_verb(FILE *f, const char *verb)
{
	size_t i;

	for (i = 0; i < sizeof usage_verbs / sizeof usage_verbs[0]; i++) {
		if (strcmp(usage_verbs[i].name, verb) != 0)
			continue;
		fprintf(f, "Usage: dsrouterd %s [OPTIONS]\n\n%s", verb,
		    usage_verbs[i].what);
		if (*usage_verbs[i].options != '\0')
			fprintf(f, "\nOptions:\n%s", usage_verbs[i].options);
		if (*usage_verbs[i].example != '\0')
			fprintf(f, "\nExample:\n%s", usage_verbs[i].example);
		return 0;
	}
	return -1;
}

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 5: client-server: reversed-server tool gets the advertise
#
# The tool listens (a reversed server) and the router connects to it.
# dsr-ipc listen gets three advertises of the real runtime through the
# router, each with the cookie the app's own ProcessInfo reports, and runs
# ProcessInfo on each of those connections; then NETCore.Client in listen
# mode; then the real dotnet-trace collect --diagnostic-port PATH (listen
# mode), first with the running app, then startup tracing of a suspended
# one (its trace holds the app's first event).

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

listen_start "$D/tl.sock" 3
start_router r client-server -ipcc "$D/tl.sock" -tcps "unix:$D/rt.sock" || exit 1
start_app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
cookie=$(direct_cookie)
listen_check 3 "$cookie" "= the app's own ProcessInfo cookie"
netclient_listen "$D/tl.sock" "$cookie" "accepted the runtime's advertise via the router, ProcessInfo on it"
dotnet_trace dt-listen 3 --diagnostic-port "$D/tl.sock"

if [ -n "$DOTNET_TRACE" ]; then
	# Startup tracing, the reversed server's main use: the tool listens,
	# a suspended app connects through the router, the tool starts a
	# session and resumes it.
	stop_app
	dotnet_trace_start dt-startup 3 --diagnostic-port "$D/tl.sock"
	wait_for "$D/dt-startup.out" 'Waiting for connection' 15 || fail "dotnet-trace did not listen"
	t0=$(now)
	start_app DOTNET_DiagnosticPorts="$D/rt.sock,suspend"
	if app_started 10; then
		ok "dotnet-trace (listen, startup tracing): the suspended app printed 'started' $(elapsed "$t0") s after launch, resumed by the tool through the router"
	else
		fail "dotnet-trace (listen) never resumed the suspended app"
	fi
	dotnet_trace_finish dt-startup
	first_event_check "$D/dt-startup.nettrace" "dotnet-trace (listen, startup tracing)"
fi

scenario_end

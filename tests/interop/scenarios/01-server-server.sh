#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 1: server-server, runtime on a unix: socket: 20 x ProcessInfo
#
# The app connects to the router's runtime socket (DOTNET_DiagnosticPorts=
# PATH,nosuspend). 20 ProcessInfo through the tool socket return the app's
# pid, its cookie (as the app's own socket reports it) and command line; 20
# more with NETCore.Client. The router's log shows each on a distinct
# runtime connection (the runtime re-advertised after each command).

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

start_router r server-server -ipcs "$D/tool.sock" -tcps "unix:$D/rt.sock" || exit 1
start_app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
app_started 15 || abort "the app did not start"
wait_for "$D/r.log" "runtime pid $APP_PID connected" 10 || fail "router never saw the runtime connect"
cookie=$(direct_cookie) || abort "no ProcessInfo on the app's own socket"
note "app pid $APP_PID, cookie $cookie (asked on its own socket)"

pi_loop 20 "$D/tool.sock" "$cookie"

# Each command must have used its own runtime connection: the runtime
# reconnected and re-advertised between them.
sessions=$(grep -c 'tool paired with runtime connection' "$D/r.log")
conns=$(sed -n 's/.*tool paired with runtime connection \([0-9]*\).*/\1/p' "$D/r.log" | sort -u | wc -l)
if [ "$sessions" -eq 0 ]; then
	note "router log has no 'tool paired with runtime connection' lines: reconnects not checked"
elif [ "$sessions" -ge 20 ] && [ "$sessions" -eq "$conns" ]; then
	ok "router: $sessions sessions on $conns distinct runtime connections (the runtime re-advertised after each command)"
else
	fail "router: $sessions sessions but $conns distinct runtime connections"
fi

scenario_end

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 14: server-websocket: a real runtime over a WebSocket, real tools by the router's pid
#
# A browser app's runtime connects to the router over a WebSocket. No
# WebAssembly runtime can run here, so a real .NET app's diagnostic
# connections are carried over Node's WebSocket by tests/interop/ws-relay.mjs
# (the app connects to the relay's Unix socket; each of its connections
# becomes one WebSocket, bytes unchanged in binary messages). Through
# `dsrouterd server-websocket` with the default tool socket: 20 ProcessInfo
# with dsr-ipc and NETCore.Client name the app; the real dotnet-trace
# collects a trace by the router's pid (a real nettrace, carried over the
# WebSocket); dotnet-counters reads the app's counters the same way. Skipped
# without Node 20 or later (its WebSocket).

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

node_args=()
if node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null; then
	:
elif node --experimental-websocket -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null; then
	node_args=(--experimental-websocket)
else
	note "SKIP: no node 20 or later with its WebSocket (Debian 12's nodejs 18 has none)"
	exit 77
fi

start_router r server-websocket -ws ws://127.0.0.1:0/diagnostics || exit 1
url=$(sed -n 's/.*listening for browser runtimes on \(ws:[^ ]*\).*/\1/p' "$D/r.log" | head -n 1)
tool=$(router_tool_sock r)
[ -n "$url" ] && [ -n "$tool" ] || abort "no WebSocket URL or tool socket in the router's log"
note "router's URL $url, tool socket $tool"

node "${node_args[@]}" "${0%/*}/../ws-relay.mjs" --listen "$D/relay.sock" --url "$url" \
	2> "$D/relay.log" &
track $!
wait_for "$D/relay.log" 'listening on' 10 || abort "ws-relay did not start"

start_app DOTNET_DiagnosticPorts="$D/relay.sock,nosuspend"
app_started 15 || abort "the app did not start"
wait_for "$D/r.log" "runtime pid $APP_PID connected" 10 ||
	abort "the router never saw the runtime over the WebSocket"
cookie=$(direct_cookie) || abort "no ProcessInfo on the app's own socket"
note "app pid $APP_PID, cookie $cookie (asked on its own socket)"
if grep -q 'upgraded' "$D/r.log"; then
	ok "router: the runtime's connections came as WebSocket upgrades ($(grep -c 'upgraded' "$D/r.log") so far)"
else
	fail "router: no WebSocket upgrade in its log"
fi

pi_loop 20 "$tool" "$cookie"

if have_tool dotnet-trace; then
	dotnet_trace t 3 -p "${PID[r]}"
fi
if have_tool dotnet-counters; then
	if timeout 60 "$DOTNET_COUNTERS" collect -p "${PID[r]}" --counters "$COUNTERS" \
		--refresh-interval 1 --duration 00:00:00:04 --format csv -o "$D/counters.csv" \
		< /dev/null > "$D/counters.out" 2>&1 && [ -s "$D/counters.csv" ]; then
		counters_csv_check "$D/counters.csv" "dotnet-counters collect -p ${PID[r]} over the WebSocket (4 s)" yes
	else
		fail "dotnet-counters collect -p ${PID[r]} failed"
		show "$D/counters.out"
	fi
fi

# What the router counted: upgrades, none refused.
if have_json && "$DSROUTERD" status --json --control-socket "$(sed -n 's/.*status --control-socket \([^ ]*\).*/\1/p' "$D/r.log" | head -n 1)" > "$D/status.json" 2>&1; then
	up=$(json_at "$D/status.json" '["routes",0,"websocket","upgraded"]')
	rf=$(json_at "$D/status.json" '["routes",0,"websocket","refused"]')
	if [ "${up:-0}" -ge 20 ] && [ "$rf" = 0 ]; then
		ok "status --json: websocket upgraded $up, refused $rf"
	else
		fail "status --json: websocket upgraded '$up', refused '$rf'"
	fi
fi

stop_app
scenario_end

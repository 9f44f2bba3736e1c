#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 15: server-websocket through headless Chromium's own WebSocket: a real runtime, real tools
#
# Scenario 14 with a real browser in the middle: a real .NET app's
# diagnostic connections reach the router over Chromium's own WebSocket
# (its handshake, Origin, masking and framing). tests/interop/
# ws-browser-relay.py holds each connection of the app (a Unix socket) and
# serves a page (ws-browser-relay.html) that opens, per connection, one
# WebSocket to the relay and one to the router and passes every message
# between them. Through `dsrouterd server-websocket`: 20 ProcessInfo name
# the app, the real dotnet-trace collects a complete trace by the router's
# pid, and the page saw the router upgrade and close each connection.
# Skipped without chromium or python3 (a failure when CI is set).

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ] || ! command -v python3 > /dev/null; then
	if [ -n "${CI:-}" ]; then
		abort "CI is set and chromium or python3 is missing (apt-get install chromium python3)"
	fi
	note "SKIP: no chromium or python3 (apt-get install chromium python3)"
	exit 77
fi

start_router r server-websocket -ws ws://127.0.0.1:0/diagnostics || exit 1
url=$(sed -n 's/.*listening for browser runtimes on \(ws:[^ ]*\).*/\1/p' "$D/r.log" | head -n 1)
tool=$(router_tool_sock r)
[ -n "$url" ] && [ -n "$tool" ] || abort "no WebSocket URL or tool socket in the router's log"

python3 -u "${0%/*}/../ws-browser-relay.py" --listen "$D/relay.sock" > "$D/relay.log" 2>&1 &
track $!
wait_for "$D/relay.log" '^PORT [0-9]' 10 || { show "$D/relay.log"; abort "ws-browser-relay.py did not start"; }
port=$(sed -n 's/^PORT //p' "$D/relay.log" | head -n 1)
page="http://127.0.0.1:$port/ws-browser-relay.html?url=$url"
note "router's URL $url; Chromium on $page"

"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--disable-dev-shm-usage --user-data-dir="$D/chromium-profile" "$page" \
	> "$D/chromium.log" 2>&1 &
track $!
if wait_for "$D/relay.log" '^LOG control open' 30; then
	ok "Chromium runs the relay page: $(sed -n 's/^LOG control open, //p' "$D/relay.log" | head -n 1 | cut -c1-90)"
else
	show "$D/chromium.log"
	abort "the page never opened its control WebSocket"
fi

start_app DOTNET_DiagnosticPorts="$D/relay.sock,nosuspend"
app_started 15 || abort "the app did not start"
wait_for "$D/r.log" "runtime pid $APP_PID connected" 15 || {
	show "$D/relay.log"
	abort "the router never saw the runtime through Chromium"
}
cookie=$(direct_cookie) || abort "no ProcessInfo on the app's own socket"
if grep -q '^LOG [0-9]*: router upgraded' "$D/relay.log" &&
	grep -q "upgraded, Origin http://127.0.0.1:$port\$" "$D/r.log"; then
	ok "router: the runtime's connections came as upgrades from Chromium's page (origin http://127.0.0.1:$port)"
else
	fail "no upgrade from the page in the router's log"
	show "$D/relay.log"
fi

pi_loop 20 "$tool" "$cookie"

if have_tool dotnet-trace; then
	dotnet_trace t 3 -p "${PID[r]}"
fi

# Every connection the page opened to the router was upgraded; none refused.
if have_json && "$DSROUTERD" status --json --control-socket "$(sed -n 's/.*status --control-socket \([^ ]*\).*/\1/p' "$D/r.log" | head -n 1)" > "$D/status.json" 2>&1; then
	up=$(json_at "$D/status.json" '["routes",0,"websocket","upgraded"]')
	rf=$(json_at "$D/status.json" '["routes",0,"websocket","refused"]')
	opened=$(grep -c '^LOG [0-9]*: router upgraded' "$D/relay.log")
	if [ "${up:-0}" -ge 20 ] && [ "$rf" = 0 ] && [ "$opened" -ge "$up" ]; then
		ok "status --json: websocket upgraded $up, refused $rf; the page opened $opened"
	else
		fail "status --json: websocket upgraded '$up', refused '$rf'; the page opened $opened"
	fi
fi
big=$(sed -n 's/^LOG [0-9]*: router closed ([0-9]*): \([0-9]*\) bytes from the runtime.*/\1/p' "$D/relay.log" | sort -n | tail -n 1)
note "largest connection through Chromium: ${big:-0} bytes from the runtime"

stop_app
scenario_end

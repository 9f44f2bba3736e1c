#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 8: app killed mid-trace; router serves the next instance
#
# SIGKILL to the app during a dsr-ipc session: the tool sees the stream
# end, the router logs the session's end and keeps running, the next
# instance of the app connects, and ProcessInfo and a trace work. Then the
# same with the real dotnet-trace (it sees the stream end and exits) and a
# third instance.

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

# kill_app: SIGKILL, and reap it.
kill_app() {
	kill -KILL "$APP_PID"
	wait "$APP_PID" 2>/dev/null
}

# router_alive: the router is still running.
router_alive() {
	if kill -0 "${PID[r]}" 2>/dev/null; then
		ok "the router is still running"
	else
		fail "the router exited"
	fi
}

# next_app WHICH: a new instance connects to the router, which logs it.
next_app() {
	start_app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
	app_started 15 || abort "the $1 app did not start"
	wait_for "$D/r.log" "runtime pid $APP_PID (connected|.*replaces)" 10
}

start_router r server-server -ipcs "$D/tool.sock" -tcps "unix:$D/rt.sock" || exit 1
start_app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
app_started 15 || abort "the app did not start"
wait_for "$D/r.log" "runtime pid $APP_PID connected" 10 || fail "router never saw the runtime connect"

# The app dies under a dsr-ipc session.
collect_start killed "$D/tool.sock"
sleep 2
note "after 2 s the stream has $(stat -c %s "$D/killed.nettrace" 2>/dev/null || echo 0) bytes; killing app pid $APP_PID with SIGKILL"
kill_app
t0=$(now)
if wait_exit "${PID[killed]}" 10; then
	wait "${PID[killed]}"
	rc=$?
	# 3: the stream ended before its end-of-stream tag.
	if { [ $rc -eq 3 ] || [ $rc -eq 0 ]; } && [ "$(kv "$D/killed.out" ended)" = eof ]; then
		ok "the tool saw the stream end $(elapsed "$t0") s after the kill ($(kv "$D/killed.out" bytes) bytes, end-of-stream tag: $(kv "$D/killed.out" complete))"
	else
		fail "collect exited $rc ($(tr '\n' ' ' < "$D/killed.out"))"
	fi
else
	fail "the tool's stream did not end within 10 s of the kill"
fi
router_alive
if wait_for "$D/r.log" 'session [0-9]+ closed' 5; then
	ok "router logged: $(grep -E 'session [0-9]+ closed' "$D/r.log" | tail -n 1 | log_msg)"
else
	fail "the router logged nothing about the session's end"
fi

# The next instance is served.
old=$APP_PID
if next_app second; then
	ok "router: $(grep -E "runtime pid $APP_PID (connected|.*replaces)" "$D/r.log" | head -n 1 | log_msg)"
else
	fail "router never saw the second app"
fi
cookie=$(direct_cookie)
note "second app: pid $APP_PID (the first was $old), cookie $cookie"
pi_loop 5 "$D/tool.sock" "$cookie"
collect_stop "$D/tool.sock" 2 dsr2

# The same with the real dotnet-trace, then a third instance.
if [ -n "$DOTNET_TRACE" ]; then
	timeout 30 "$DOTNET_TRACE" collect --diagnostic-port "$D/tool.sock,connect" \
		--providers "$PROVIDER" -o "$D/dtk.nettrace" < /dev/null > "$D/dtk.out" 2>&1 &
	PID[dtk]=$!
	track "${PID[dtk]}"
	wait_for "$D/dtk.out" 'Output File' 15 || fail "dotnet-trace did not start its session"
	sleep 2
	kill_app
	t0=$(now)
	if wait_exit "${PID[dtk]}" 15; then
		wait "${PID[dtk]}"
		rc=$?
		ok "dotnet-trace saw the stream end and exited ($rc) $(elapsed "$t0") s after the kill: '$(grep -E 'Trace completed|rror' "$D/dtk.out" | head -n 1)'"
	else
		fail "dotnet-trace did not exit within 15 s of the kill"
	fi
	router_alive
	next_app third || fail "router never saw the third app"
	cookie=$(direct_cookie)
	pi_loop 3 "$D/tool.sock" "$cookie"
fi

scenario_end

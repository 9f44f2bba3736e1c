#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 9: router restarted mid-trace; the app reconnects to the next one
#
# What a service manager does: SIGTERM to the router during a session. The
# router exits 0 and removes its sockets, the tool sees its stream end, the
# app lives on; a new router on the same paths gets the app's reconnect
# (the runtime retries with back-off), and ProcessInfo and a trace work.

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

start_router r server-server -ipcs "$D/tool.sock" -tcps "unix:$D/rt.sock" || exit 1
start_app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
app_started 15 || abort "the app did not start"
wait_for "$D/r.log" "runtime pid $APP_PID connected" 10 || fail "router never saw the runtime connect"
collect_start cut "$D/tool.sock"
sleep 1.5

# SIGTERM mid-trace.
kill -TERM "${PID[r]}"
if wait_exit "${PID[r]}" 10; then
	wait "${PID[r]}"
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "SIGTERM mid-trace: the router exited 0"
	else
		fail "SIGTERM mid-trace: the router exited $rc"
	fi
else
	fail "the router did not exit within 10 s of SIGTERM"
fi
if [ -e "$D/tool.sock" ] || [ -e "$D/rt.sock" ]; then
	fail "the router left its sockets behind"
fi
if wait_exit "${PID[cut]}" 10; then
	ok "the tool saw its stream end ($(kv "$D/cut.out" bytes) bytes)"
else
	fail "the tool's stream did not end within 10 s of the router's exit"
fi
if kill -0 "$APP_PID" 2>/dev/null; then
	ok "the app is still running"
else
	fail "the app died with the router"
fi

# A new router on the same paths.
start_router r server-server -ipcs "$D/tool.sock" -tcps "unix:$D/rt.sock" || exit 1
if wait_for "$D/r.log" "runtime pid $APP_PID connected" 10; then
	ok "the app reconnected to the new router: $(grep -E "runtime pid $APP_PID connected" "$D/r.log" | head -n 1 | log_msg)"
else
	fail "the app did not reconnect to the new router within 10 s"
fi
cookie=$(direct_cookie)
pi_loop 5 "$D/tool.sock" "$cookie"
collect_stop "$D/tool.sock" 2 after

scenario_end

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 3: EventPipe session and StopTracing through server-server
#
# Through the router's default tool socket (so that dotnet-trace -p <router
# pid> finds it): a dsr-ipc CollectTracing2 session for 4 s, stopped by
# StopTracing on a second connection; a NETCore.Client session; the real
# dotnet-trace by the router's pid and by its socket; `dotnet-trace ps`
# lists the router; dotnet-trace with its default profiles, then its report
# and convert. Last, high volume: hundreds of MiB in a 3 s session.

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

# default_profiles_check ROUTER-PID: what a user runs (README): dotnet-trace
# with its default profiles (sampled stacks, rundown), then `report topN`
# and `convert --format Speedscope` on its trace.
default_profiles_check() {
	local pid=$1 f=$D/dt-default
	if timeout 45 "$DOTNET_TRACE" collect -p "$pid" --duration 00:00:00:03 \
		-o "$f.nettrace" < /dev/null > "$f.out" 2>&1 &&
		grep -q 'Trace completed' "$f.out" &&
		timeout 60 "$DOTNET_TRACE" report "$f.nettrace" topN > "$f.rep" 2>&1 &&
		grep -q '^1\. ' "$f.rep" &&
		timeout 60 "$DOTNET_TRACE" convert "$f.nettrace" --format Speedscope \
			-o "$f" > "$f.conv" 2>&1 &&
		[ -s "$f.speedscope.json" ]; then
		ok "dotnet-trace collect -p $pid (default profiles, $(stat -c %s "$f.nettrace") bytes); report topN: '$(grep '^1\. ' "$f.rep" | tr -s ' ' | cut -c1-50)'; convert --format Speedscope: ok"
	else
		fail "dotnet-trace with its default profiles through the router"
		cat "$f.out" "$f.rep" "$f.conv" 2>/dev/null | tail -n 15 | show
	fi
}

start_router r server-server -tcps "unix:$D/rt.sock" || exit 1
tsock=$(router_tool_sock r)
note "router tool socket (default name): $tsock"
start_app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
app_started 15 || abort "the app did not start"
wait_for "$D/r.log" "runtime pid $APP_PID connected" 10 || fail "router never saw the runtime connect"

collect_stop "$tsock" 4 dsr
netclient_collect "$tsock" 3 nc
dotnet_trace dt-pid 3 -p "${PID[r]}"
dotnet_trace dt-port 3 --diagnostic-port "$tsock,connect"
if [ -n "$DOTNET_TRACE" ]; then
	# The README says 'dotnet-trace ps' lists the router.
	if timeout 30 "$DOTNET_TRACE" ps < /dev/null 2>&1 |
		grep -Eq "^[[:space:]]*${PID[r]}[[:space:]]+dsrouterd"; then
		ok "dotnet-trace ps lists the router (pid ${PID[r]})"
	else
		fail "dotnet-trace ps does not list the router (pid ${PID[r]})"
	fi
	default_profiles_check "${PID[r]}"
fi

burst_check r "$tsock" DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"

scenario_end

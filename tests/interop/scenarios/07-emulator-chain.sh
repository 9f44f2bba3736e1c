#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 7: emulator chain: app -> router A (unix/tcp:) -> router B (TCP) -> tool
#
# The emulator topology: router A (client-server) takes the app on a unix:
# socket and connects out over TCP to router B (server-server on TCP port
# 0), where the tools connect. 20 ProcessInfo (x2 clients), traces with
# dsr-ipc, NETCore.Client and the real dotnet-trace, then the high-volume
# session of scenario 3, all through both routers.

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

start_router b server-server -ipcs "$D/tool.sock" -tcps 127.0.0.1:0 || exit 1
port=$(router_rt_port b)
[ -n "$port" ] || abort "router B did not report its TCP port"
start_router a client-server -ipcc "tcp:127.0.0.1:$port" -tcps "unix:$D/rt.sock" || exit 1
start_app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
app_started 15 || abort "the app did not start"
wait_for "$D/b.log" "runtime pid $APP_PID connected" 10 || fail "router B never saw the runtime (through A)"
cookie=$(direct_cookie)

pi_loop 20 "$D/tool.sock" "$cookie"
collect_stop "$D/tool.sock" 3 dsr
netclient_collect "$D/tool.sock" 2 nc
dotnet_trace dt-port 3 --diagnostic-port "$D/tool.sock,connect"
burst_check b "$D/tool.sock" DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"

scenario_end

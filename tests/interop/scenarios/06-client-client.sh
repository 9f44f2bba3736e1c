#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 6: client-client against the app's default socket
#
# As scenario 5, but the router also connects to the app's own default
# socket, so the advertise the tool gets is one the router builds from its
# own ProcessInfo: dsr-ipc listen (three connections), NETCore.Client in
# listen mode, the real dotnet-trace in listen mode.

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

start_app
app_started 15 || abort "the app did not start"
sock=$(app_socket) || abort "the app has no default socket"
cookie=$(direct_cookie)
note "app pid $APP_PID listens on $sock (cookie $cookie)"

listen_start "$D/tl.sock" 3
start_router r client-client -ipcc "$D/tl.sock" -tcpc "unix:$sock" || exit 1
listen_check 3 "$cookie" "the router's own ProcessInfo"
netclient_listen "$D/tl.sock" "$cookie" "ProcessInfo via client-client"
dotnet_trace dt-listen 3 --diagnostic-port "$D/tl.sock"

scenario_end

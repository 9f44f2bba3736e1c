#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 4: server-client to the app's default socket: 20 x ProcessInfo
#
# The app listens on its own default socket; the router connects to it
# (-tcpc unix:<that path>). 20 ProcessInfo (x2 clients) and a trace through
# the router's tool socket.

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

start_app
app_started 15 || abort "the app did not start"
sock=$(app_socket) || abort "the app has no default socket"
cookie=$(direct_cookie)
note "app pid $APP_PID listens on $sock (cookie $cookie)"

start_router r server-client -ipcs "$D/tool.sock" -tcpc "unix:$sock" || exit 1
pi_loop 20 "$D/tool.sock" "$cookie"
collect_stop "$D/tool.sock" 2 dsr

scenario_end

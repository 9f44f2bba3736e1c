#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 12: two apps on one runtime socket (runtimes = many), each with its own tool socket
#
# One server-server router with --runtimes many --ipc-server-dir and
# -tcps unix:rt.sock; two instances of the app (--name a, --name b: in their
# command lines and in every event they write) connect to it. Each gets a
# tool socket of its own, DIR/ROUTE-PID.sock, logged with the way to use
# it; ProcessInfo there names that app (pid, cookie, command line); the real
# dotnet-trace through each socket, both at once, gets that app's events
# and no other's (the trace header's pid, the events' text). `dsrouterd
# status --json` lists both runtimes with their pids, cookies, sockets and
# command lines. App a exits: its socket stays for the grace, then goes
# (and the log says so); b still traces, and status lists b alone.
#
# Then client-server with --runtimes many: both apps connect to a second
# router whose tool side is a reversed server (the tool listens). dsr-ipc
# listen gets one connection per app, each advertising that app's pid and
# cookie and answering a ProcessInfo that names it; NETCore.Client and the
# real dotnet-trace, listening, get one app each, whole.

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

GRACE=2
mkdir -p "$D/tools" || abort "cannot make $D/tools"
start_router r server-server --runtimes many --ipc-server-dir "$D/tools" \
	--runtime-grace "$GRACE" -tcps "unix:$D/rt.sock" --control-socket "$D/r.ctl" || exit 1
if grep -q "status: dsrouterd status --control-socket $D/r.ctl\$" "$D/r.log"; then
	ok "router: '$(grep -m1 'status: dsrouterd status' "$D/r.log" | log_msg)'"
else
	fail "the router does not log how to ask its status (status: dsrouterd status --control-socket $D/r.ctl)"
fi

start_named_app a DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
start_named_app b DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
named_app_started a 15 || abort "app a did not start"
named_app_started b 15 || abort "app b did not start"

# Each app's own tool socket, as the router logs it.
declare -A SOCK=() COOKIE=()
for n in a b; do
	pid=${APPS[$n]}
	if ! wait_for "$D/r.log" "runtime pid $pid: tools use --diagnostic-port " 10; then
		abort "the router gave app $n (pid $pid) no tool socket of its own"
	fi
	SOCK[$n]=$(sed -n "s/.*runtime pid $pid: tools use --diagnostic-port \(.*\),connect\$/\1/p" "$D/r.log" | head -n 1)
	COOKIE[$n]=$(cookie_of "$pid") || abort "no ProcessInfo on app $n's own socket"
	case ${SOCK[$n]} in
	"$D"/tools/*-"$pid".sock) ;;
	*) fail "app $n's socket ${SOCK[$n]} is not $D/tools/ROUTE-$pid.sock" ;;
	esac
	if [ -S "${SOCK[$n]}" ]; then
		ok "app $n (pid $pid, cookie ${COOKIE[$n]}): its own tool socket ${SOCK[$n]}: '$(grep -m1 "runtime pid $pid: tools use" "$D/r.log" | log_msg)'"
	else
		fail "app $n's tool socket ${SOCK[$n]} is not there"
	fi
done

# ProcessInfo through each socket names that app.
for n in a b; do
	if "$DSR_IPC" -t 10 processinfo "${SOCK[$n]}" > "$D/pi-$n.out" 2> "$D/pi-$n.err" &&
		check_pi "$D/pi-$n.out" "" "${APPS[$n]}" "${COOKIE[$n]}" "ProcessInfo through app $n's socket"; then
		case $(kv "$D/pi-$n.out" commandline) in
		*"--name $n "*) ok "ProcessInfo through ${SOCK[$n]##*/}: pid ${APPS[$n]}, cookie ${COOKIE[$n]}, '$(kv "$D/pi-$n.out" commandline | sed 's/.*DsrInteropApp.dll/... DsrInteropApp.dll/')'" ;;
		*) fail "ProcessInfo through app $n's socket: command line '$(kv "$D/pi-$n.out" commandline)' lacks --name $n" ;;
		esac
	else
		show "$D/pi-$n.err"
	fi
done
# The route's own tool socket serves one of them (the newest).
own=$(router_tool_sock r)
if "$DSR_IPC" -t 10 processinfo "$own" > "$D/pi-own.out" 2> "$D/pi-own.err" &&
	{ [ "$(kv "$D/pi-own.out" pid)" = "${APPS[a]}" ] || [ "$(kv "$D/pi-own.out" pid)" = "${APPS[b]}" ]; }; then
	ok "the route's own tool socket still answers, for one of them (pid $(kv "$D/pi-own.out" pid))"
else
	fail "ProcessInfo through the route's own tool socket $own: $(tr '\n' ' ' < "$D/pi-own.out" "$D/pi-own.err")"
fi

# dotnet-trace through both sockets at once: each trace is its app's alone.
if [ -n "$DOTNET_TRACE" ]; then
	for n in a b; do
		dotnet_trace_start "dt-$n" 3 --diagnostic-port "${SOCK[$n]},connect"
	done
	for n in a b; do
		dotnet_trace_finish "dt-$n" &&
			trace_owner_check "$D/dt-$n.nettrace" "$n" "dotnet-trace through app $n's socket"
	done
else
	note "SKIP: dotnet-trace through each socket: $(cat "$RUN/st-dotnet-trace")"
	for n in a b; do
		collect_stop "${SOCK[$n]}" 2 "col-$n" &&
			trace_owner_check "$D/col-$n.nettrace" "$n" "dsr-ipc session through app $n's socket"
	done
fi

# status --json: both runtimes, with their pids, cookies, sockets and
# command lines.
status_check() {
	local want=$1 f=$D/status.json line pid cookie sock cmd n count
	keep_earlier "$f"
	if ! "$DSROUTERD" status --json --control-socket "$D/r.ctl" > "$f" 2> "$D/status.err"; then
		fail "dsrouterd status --json --control-socket $D/r.ctl failed"
		show "$D/status.err"
		return 1
	fi
	have_json || return 0
	if [ "$(json_at "$f" '["routes",0,"runtimes_mode"]')" != many ] ||
		[ "$(json_at "$f" '["pid"]')" != "${PID[r]}" ]; then
		fail "status --json: not the router's (pid $(json_at "$f" '["pid"]')) or runtimes_mode is not many"
		head -c 600 "$f" | show
		return 1
	fi
	status_runtimes "$f" 0 > "$D/status.tsv" || { fail "status --json: no runtimes list"; return 1; }
	for n in $want; do
		line=$(awk -F'\t' -v p="${APPS[$n]}" '$1 == p' "$D/status.tsv")
		IFS=$'\t' read -r pid cookie sock cmd <<< "$line"
		if [ -z "$line" ]; then
			fail "status --json does not list app $n (pid ${APPS[$n]})"
			show "$D/status.tsv"
			continue
		fi
		if [ "$cookie" != "${COOKIE[$n]}" ] || [ "$sock" != "${SOCK[$n]}" ]; then
			fail "status --json, app $n: cookie $cookie socket $sock; expected ${COOKIE[$n]} ${SOCK[$n]}"
			continue
		fi
		case $cmd in
		*"--name $n "*) ok "status --json lists app $n: pid $pid, cookie $cookie, tool_socket $sock, command_line '...${cmd##*DsrInteropApp.dll}'" ;;
		*) fail "status --json lists app $n (pid $pid) with command_line '$cmd', not its command line (ProcessInfo now: '$(kv "$D/pi-$n.out" commandline)')" ;;
		esac
	done
	count=$(wc -l < "$D/status.tsv")
	# shellcheck disable=SC2086 # one name a word
	if [ "$count" -ne "$(echo $want | wc -w)" ]; then
		fail "status --json lists $count runtimes, expected only: $want"
		show "$D/status.tsv"
	fi
	return 0
}
status_check "a b"
if "$DSROUTERD" status --control-socket "$D/r.ctl" > "$D/status.txt" 2>&1 &&
	grep -q "runtime pid ${APPS[a]} cookie ${COOKIE[a]}" "$D/status.txt" &&
	grep -q "runtime pid ${APPS[b]} cookie ${COOKIE[b]}" "$D/status.txt"; then
	ok "status (text) lists both: $(grep 'runtime pid' "$D/status.txt" | sed 's/;.*//; s/^ *//' | tr '\n' ';')"
else
	fail "status (text) does not list both runtimes"
	show "$D/status.txt"
fi

# App a exits: its socket lasts out the grace, then goes; b goes on.
stop_named_app a || fail "app a did not exit"
t0=$(now)
if [ -S "${SOCK[a]}" ]; then
	ok "app a exited: its socket is still there at once (the grace is $GRACE s)"
else
	fail "app a's socket went at once, without the grace of $GRACE s"
fi
end=$(($(date +%s) + GRACE + 8))
while [ -S "${SOCK[a]}" ] && [ "$(date +%s)" -le "$end" ]; do sleep 0.1; done
gone=$(elapsed "$t0")
if [ -S "${SOCK[a]}" ]; then
	fail "app a's socket is still there $gone s after it exited (grace $GRACE s)"
elif awk -v g="$gone" -v w="$GRACE" 'BEGIN { exit !(g >= w - 0.5) }' &&
	grep -q "runtime pid ${APPS[a]} .*gone; removing ${SOCK[a]}" "$D/r.log"; then
	ok "app a's socket removed $gone s after it exited: '$(grep -m1 "runtime pid ${APPS[a]} .*gone" "$D/r.log" | log_msg | cut -c1-200)'"
else
	fail "app a's socket removed $gone s after it exited (grace $GRACE s), or the log does not say so"
fi
[ -S "${SOCK[b]}" ] || fail "app b's socket went with app a's"
if [ -n "$DOTNET_TRACE" ]; then
	dotnet_trace_start dt-b2 2 --diagnostic-port "${SOCK[b]},connect"
	dotnet_trace_finish dt-b2 &&
		trace_owner_check "$D/dt-b2.nettrace" b "after app a left, dotnet-trace through app b's socket"
fi
unset 'APPS[a]'
status_check b

# ---- client-server, runtimes = many: the tool listens; each app gets its
# own connection to it through the router. The first router goes; a new
# app a and the running app b connect to the new router on the same
# runtime socket (b reconnects by itself).
kill -TERM "${PID[r]}"
wait_exit "${PID[r]}" 10 || fail "the server-server router did not exit on SIGTERM"
start_named_app a DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
named_app_started a 15 || abort "app a did not start again"
COOKIE[a]=$(cookie_of "${APPS[a]}") || abort "no ProcessInfo on app a's own socket"

# dsr-ipc listens until both runtimes have come, running ProcessInfo on the
# first connection of each (a runtime that answered re-advertises at once:
# its later connections are held open, unanswered, so that it cannot crowd
# out the other, which reconnects with back-off).
"$DSR_IPC" -t 30 listen -u 2 "$D/tl.sock" > "$D/listen.out" 2> "$D/listen.err" &
PID[listen]=$!
track "${PID[listen]}"
wait_for "$D/listen.out" '^listening=' 5 || fail "dsr-ipc listen did not start"
start_router cs client-server --runtimes many -ipcc "$D/tl.sock" -tcps "unix:$D/rt.sock" \
	--control-socket "$D/cs.ctl" || exit 1
wait_exit "${PID[listen]}" 35
wait "${PID[listen]}"
rc=$?
if [ $rc -ne 0 ]; then
	fail "dsr-ipc listen exited $rc: it did not get both runtimes ($(grep -E 'advertise_pid|^runtimes' "$D/listen.out" | tr '\n' ' '))"
	show "$D/listen.err"
else
	declare -A GOT=()
	conns=$(kv "$D/listen.out" connections)
	for i in $(seq "$conns"); do
		ap=$(kv "$D/listen.out" "$i.advertise_pid")
		[ "$(kv "$D/listen.out" "$i.held")" = yes ] && continue
		for n in a b; do
			[ "$ap" = "${APPS[$n]}" ] || continue
			if [ "$(kv "$D/listen.out" "$i.advertise_cookie")" = "${COOKIE[$n]}" ] &&
				check_pi "$D/listen.out" "$i." "${APPS[$n]}" "${COOKIE[$n]}" "connection $i ProcessInfo" &&
				case $(kv "$D/listen.out" "$i.commandline") in *"--name $n "*) true ;; *) false ;; esac; then
				GOT[$n]=$((${GOT[$n]:-0} + 1))
			else
				fail "connection $i: advertise pid $ap (app $n) but cookie $(kv "$D/listen.out" "$i.advertise_cookie") or its ProcessInfo is not app $n's"
			fi
		done
	done
	if [ -n "${GOT[a]:-}" ] && [ -n "${GOT[b]:-}" ]; then
		ok "dsr-ipc listen: $conns connections through the router; the first of app a (pid ${APPS[a]}) and of app b (pid ${APPS[b]}) each advertised its app's pid and cookie and answered a ProcessInfo naming that app (--name); $(grep -c 'held=yes' "$D/listen.out") more held unanswered"
	else
		fail "dsr-ipc listen: not one connection of each app ($(grep -E 'advertise_pid' "$D/listen.out" | tr '\n' ' '))"
	fi
fi
if [ -n "$NETCLIENT" ]; then
	if netclient 20 listen "$D/tl.sock" > "$D/nlisten.out" 2> "$D/nlisten.err"; then
		np=$(kv "$D/nlisten.out" 1.pid)
		for n in a b; do
			[ "$np" = "${APPS[$n]}" ] || continue
			if check_pi "$D/nlisten.out" "1." "${APPS[$n]}" "${COOKIE[$n]}" "NETCore.Client listen" &&
				case $(kv "$D/nlisten.out" 1.commandline) in *"--name $n "*) true ;; *) false ;; esac; then
				ok "NETCore.Client reversed server: got app $n (pid $np, cookie ${COOKIE[$n]}, its command line) through the router"
				np=ok
			fi
		done
		[ "$np" = ok ] || fail "NETCore.Client reversed server: pid $np is neither app's, or its ProcessInfo is not that app's"
	else
		fail "NETCore.Client reversed server failed"
		show "$D/nlisten.err"
	fi
fi
if [ -n "$DOTNET_TRACE" ]; then
	dotnet_trace_start dt-listen 3 --diagnostic-port "$D/tl.sock"
	if dotnet_trace_finish dt-listen; then
		"$DSR_IPC" nettrace-check "$D/dt-listen.nettrace" "$PROVIDER" > "$D/lchk.out"
		hp=$(kv "$D/lchk.out" pid)
		for n in a b; do
			[ "$hp" = "${APPS[$n]}" ] &&
				trace_owner_check "$D/dt-listen.nettrace" "$n" "dotnet-trace listening (client-server): it got app $n"
		done
		[ "$hp" = "${APPS[a]}" ] || [ "$hp" = "${APPS[b]}" ] ||
			fail "dotnet-trace listening: its trace's pid $hp is neither app's"
	fi
fi
if "$DSROUTERD" status --json --control-socket "$D/cs.ctl" > "$D/cs-status.json" 2> "$D/cs-status.err" &&
	have_json && [ "$(json_at "$D/cs-status.json" '["routes",0,"runtimes_mode"]')" = many ]; then
	ok "status --json of the client-server route: mode $(json_at "$D/cs-status.json" '["routes",0,"mode"]'), runtimes_mode many, $(json_at "$D/cs-status.json" '["routes",0,"sessions_total"]') sessions so far"
else
	fail "status --json of the client-server router"
	show "$D/cs-status.err" "$D/cs-status.json"
fi

scenario_end

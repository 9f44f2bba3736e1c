#!/usr/bin/env bash
# run-interop.sh: dsrouterd against real .NET runtimes and real tools.
#
# Builds a small .NET app (tests/interop/app) and runs it behind dsrouterd in
# nine scenarios, with three kinds of tool on the other side: dsr-ipc (our
# own C client, always), DsrNetClient (built on Microsoft.Diagnostics.NETCore.
# Client, when the NuGet mirror or the NuGet cache has the package) and the
# real dotnet-trace (when `dotnet tool install` can get it). Whatever the
# mirror cannot provide is reported and left to dsr-ipc; it never fails a
# scenario by itself.
#
#   run-interop.sh [SCENARIO...]     run all scenarios (1-9) or the ones named
#
# Run by `make check` from the top build directory. Environment:
#   DSROUTERD, DSR_IPC      the binaries (default: src/dsrouterd and
#                           tests/interop/dsr-ipc under the build directory)
#   INTEROP_NO_MIRROR=1     do not use the NuGet mirror (tests the fallback)
#   INTEROP_KEEP=1          keep the temporary directory (logs) at the end
#   INTEROP_VERBOSE=1       also print the routers' and the app's logs of
#                           scenarios that passed (always done on failure)
#   INTEROP_SCENARIO_TIMEOUT  seconds per scenario (default 90)
#   INTEROP_MIRROR_TIMEOUT  seconds for each NuGet step (default 60)
# Exit status: 0 all scenarios passed; 1 one failed; 77 no usable dotnet.

set -u
export LC_ALL=C

ME=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
SCENARIO_LIMIT=${INTEROP_SCENARIO_TIMEOUT:-90}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
	DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 \
	MSBUILDDISABLENODEREUSE=1 DOTNET_GENERATE_ASPNET_CERTIFICATE=false \
	DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1 DOTNET_ROLL_FORWARD=Major \
	DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
unset DOTNET_DiagnosticPorts DOTNET_DefaultDiagnosticPortSuspend

PROVIDER=DsrInterop-App

# ---------------------------------------------------------------------------
# Helpers shared by the driver and the scenarios.

log() { printf '%s\n' "$*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Value of KEY in a key=value output file (the first match).
kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# Wait up to SECS for FILE to have a line matching the ERE.
wait_for() {
	local file=$1 re=$2 secs=$3 end
	end=$(( $(date +%s) + secs ))
	while [ "$(date +%s)" -le "$end" ]; do
		grep -Eq -- "$re" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Wait up to SECS for a process to exit; 0 if it did.
wait_exit() {
	local pid=$1 secs=$2 end
	end=$(( $(date +%s) + secs ))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$(date +%s)" -gt "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

# Remember a process so that every exit path kills it.
track() { echo "$1" >> "$RUN/pids"; PIDS+=("$1"); }

# Kill the processes we started and that are still ours (their command line
# names our temporary directory), politely first.
kill_tracked() {
	local p left=()
	for p in "$@"; do
		if kill -0 "$p" 2>/dev/null && tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -qF "$RUN"; then
			kill -TERM "$p" 2>/dev/null && left+=("$p")
		fi
	done
	[ ${#left[@]} -eq 0 ] && return 0
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		local alive=0
		for p in "${left[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive -eq 0 ] && return 0
		sleep 0.1
	done
	for p in "${left[@]}"; do kill -KILL "$p" 2>/dev/null; done
	return 0
}

# ---------------------------------------------------------------------------
# Scenario mode: one scenario in its own directory, run by the driver under
# timeout(1) as "$ME --scenario N".

if [ "${1:-}" = "--scenario" ]; then
	N=$2
	PIDS=()
	D=$(mktemp -d "$RUN/s$N.XXXX") || exit 1
	export TMPDIR=$D
	cd "$D" || exit 1
	trap 'kill_tracked "${PIDS[@]}"' EXIT
	trap 'exit 143' TERM INT

	FAILS=0
	note() { log "  $*"; }
	fail() { log "  FAIL: $*"; FAILS=$((FAILS + 1)); }
	ok() { log "  ok: $*"; }

	# start_router NAME ARGS...: run dsrouterd, log in NAME.log, wait
	# until it is up.
	start_router() {
		local name=$1; shift
		"$DSROUTERD" "$@" -v debug 2> "$D/$name.log" &
		local pid=$!
		track $pid
		eval "${name}_PID=$pid"
		if ! wait_for "$D/$name.log" 'running [0-9]+ route' 10; then
			fail "router $name did not start: $*"
			sed 's/^/    | /' "$D/$name.log"
			return 1
		fi
		note "router $name (pid $pid): dsrouterd $*"
	}

	# The tool socket and runtime TCP port a router reports.
	router_tool_sock() { sed -n 's/.*listening for tools on //p' "$D/$1.log" | head -n 1; }
	router_rt_port() { sed -n 's/.*listening for runtimes on .*:\([0-9][0-9]*\)$/\1/p' "$D/$1.log" | head -n 1; }

	# start_app NAME [VAR=VALUE...]: run the app with TMPDIR=$D; waits
	# for nothing (a suspended app prints nothing). APP_EXTRA: more
	# arguments for the app (--burst).
	start_app() {
		local name=$1; shift
		rm -f "$D/$name.stop"
		env "$@" TMPDIR="$D" dotnet "$APP_DLL" --stop-file "$D/$name.stop" \
			--lifetime 90 ${APP_EXTRA:-} > "$D/$name.out" 2>&1 &
		local pid=$!
		track $pid
		eval "${name}_PID=$pid"
	}

	wait_started() {
		wait_for "$D/$1.out" '^started ' "${2:-15}"
	}

	stop_app() {
		local pid
		eval "pid=\$${1}_PID"
		touch "$D/$1.stop"
		wait_exit "$pid" 5 || kill -TERM "$pid" 2>/dev/null
		wait_exit "$pid" 5 || kill -KILL "$pid" 2>/dev/null
	}

	# The app's own default listen socket.
	app_socket() {
		local pid=$1 s end=$(( $(date +%s) + 15 ))
		while [ "$(date +%s)" -le "$end" ]; do
			for s in "$D"/dotnet-diagnostic-"$pid"-*-socket; do
				[ -S "$s" ] && { echo "$s"; return 0; }
			done
			sleep 0.1
		done
		return 1
	}

	# check_pi FILE PREFIX PID COOKIE WHAT: a ProcessInfo answer names the app.
	check_pi() {
		local f=$1 pre=$2 pid=$3 cookie=$4 what=$5 got_pid got_cookie cmd
		got_pid=$(kv "$f" "${pre}pid")
		got_cookie=$(kv "$f" "${pre}cookie")
		cmd=$(kv "$f" "${pre}commandline")
		if [ "$got_pid" != "$pid" ]; then
			fail "$what: pid '$got_pid', expected $pid"; return 1
		fi
		if [ -n "$cookie" ] && [ "$got_cookie" != "$cookie" ]; then
			fail "$what: cookie '$got_cookie', expected $cookie"; return 1
		fi
		case $cmd in
		*dotnet*) ;;
		*) fail "$what: command line '$cmd' does not name dotnet"; return 1 ;;
		esac
		return 0
	}

	# pi_loop COUNT ADDR PID COOKIE: COUNT ProcessInfo through ADDR with
	# dsr-ipc, and (when built) as many with DsrNetClient.
	pi_loop() {
		local count=$1 addr=$2 pid=$3 cookie=$4 i okn=0 t0
		t0=$(now)
		for i in $(seq "$count"); do
			if "$DSR_IPC" -t 10 processinfo "$addr" > "$D/pi.out" 2> "$D/pi.err" &&
			   check_pi "$D/pi.out" "" "$pid" "$cookie" "dsr-ipc ProcessInfo $i/$count"; then
				okn=$((okn + 1))
			else
				sed 's/^/    | /' "$D/pi.err"
				break
			fi
		done
		[ $okn -eq "$count" ] && ok "dsr-ipc: $count/$count ProcessInfo returned pid $pid, cookie $cookie, '$(kv "$D/pi.out" commandline)' ($(elapsed "$t0") s)"
		[ $okn -eq "$count" ] || fail "dsr-ipc: only $okn/$count ProcessInfo succeeded"
		[ -n "$NETCLIENT" ] || return 0
		okn=0
		t0=$(now)
		for i in $(seq "$count"); do
			if DSR_NETCLIENT_TIMEOUT=15 timeout 20 $NETCLIENT processinfo "$addr,connect" > "$D/npi.out" 2> "$D/npi.err" &&
			   check_pi "$D/npi.out" "" "$pid" "$cookie" "NETCore.Client ProcessInfo $i/$count"; then
				okn=$((okn + 1))
			else
				sed 's/^/    | /' "$D/npi.err"
				break
			fi
		done
		[ $okn -eq "$count" ] && ok "NETCore.Client: $count/$count ProcessInfo returned pid $pid, cookie $cookie ($(elapsed "$t0") s)"
		[ $okn -eq "$count" ] || fail "NETCore.Client: only $okn/$count ProcessInfo succeeded"
	}

	# check_trace FILE WHAT: a complete nettrace naming our EventSource;
	# with dotnet-trace at hand, the real tool must also parse it whole.
	check_trace() {
		local f=$1 what=$2
		if ! "$DSR_IPC" nettrace-check "$f" "$PROVIDER" > "$D/chk.out"; then
			fail "$what: $(tr '\n' ' ' < "$D/chk.out")"
			return 1
		fi
		if [ -n "$DOTNET_TRACE" ]; then
			if ! timeout 60 "$DOTNET_TRACE" report "$f" topN > "$D/rep.out" 2>&1; then
				fail "$what: dotnet-trace report cannot read it:"
				head -n 5 "$D/rep.out" | sed 's/^/    | /'
				return 1
			fi
			if ! grep -q "$PROVIDER/Tick" "$D/rep.out"; then
				fail "$what: dotnet-trace report shows no $PROVIDER/Tick event"
				return 1
			fi
			ok "$what: $(kv "$D/chk.out" size) bytes, starts with Nettrace, names $PROVIDER, ends with the end-of-stream tag; dotnet-trace report reads it whole and lists $PROVIDER/Tick"
		else
			ok "$what: $(kv "$D/chk.out" size) bytes, starts with Nettrace, names $PROVIDER, ends with the end-of-stream tag"
		fi
		return 0
	}

	# collect_stop ADDR SECS NAME: a dsr-ipc CollectTracing2 session through
	# ADDR, stopped after SECS by a StopTracing sent on a second connection
	# by a second process (dsr-ipc stop).
	collect_stop() {
		local addr=$1 secs=$2 name=$3 cpid session rc
		"$DSR_IPC" -t 30 collect -o "$D/$name.nettrace" "$addr" > "$D/$name.out" 2> "$D/$name.err" &
		cpid=$!
		track $cpid
		if ! wait_for "$D/$name.out" '^session=' 10; then
			fail "dsr-ipc collect: no session started"
			sed 's/^/    | /' "$D/$name.err"
			return 1
		fi
		session=$(kv "$D/$name.out" session)
		sleep "$secs"
		if ! "$DSR_IPC" -t 10 stop "$addr" "$session" > "$D/$name.stop.out" 2>&1; then
			fail "dsr-ipc stop $session failed"
			sed 's/^/    | /' "$D/$name.stop.out"
			return 1
		fi
		if ! wait_exit $cpid 20; then
			fail "the stream did not end within 20 s of StopTracing ($(stat -c %s "$D/$name.nettrace") bytes so far)"
			return 1
		fi
		wait $cpid
		rc=$?
		if [ $rc -ne 0 ] || [ "$(kv "$D/$name.out" complete)" != yes ]; then
			fail "dsr-ipc collect exited $rc ($(tr '\n' ' ' < "$D/$name.out"))"
			sed 's/^/    | /' "$D/$name.err"
			return 1
		fi
		ok "dsr-ipc: CollectTracing2 session $session for ${secs} s, StopTracing on a second connection ended the stream ($(kv "$D/$name.out" bytes) bytes)"
		check_trace "$D/$name.nettrace" "dsr-ipc trace"
	}

	# netclient_collect ADDR SECS NAME
	netclient_collect() {
		[ -n "$NETCLIENT" ] || return 0
		local addr=$1 secs=$2 name=$3
		if ! DSR_NETCLIENT_TIMEOUT=$((secs + 20)) timeout $((secs + 25)) $NETCLIENT collect "$addr,connect" "$PROVIDER" "$secs" "$D/$name.nettrace" > "$D/$name.out" 2> "$D/$name.err"; then
			fail "NETCore.Client EventPipeSession failed"
			sed 's/^/    | /' "$D/$name.err"
			return 1
		fi
		ok "NETCore.Client: EventPipeSession for ${secs} s, Stop() ended the stream ($(kv "$D/$name.out" bytes) bytes)"
		check_trace "$D/$name.nettrace" "NETCore.Client trace"
	}

	# dotnet_trace NAME SECS ARGS...: the real dotnet-trace, then its own
	# report on the file it wrote.
	dotnet_trace() {
		[ -n "$DOTNET_TRACE" ] || return 0
		local name=$1 secs=$2; shift 2
		if ! timeout $((secs + 40)) "$DOTNET_TRACE" collect "$@" --providers "$PROVIDER" \
			--duration "00:00:00:0$secs" -o "$D/$name.nettrace" < /dev/null > "$D/$name.out" 2>&1; then
			fail "dotnet-trace collect $* failed"
			sed 's/^/    | /' "$D/$name.out"
			return 1
		fi
		if ! grep -q 'Trace completed' "$D/$name.out"; then
			fail "dotnet-trace collect $* did not report 'Trace completed'"
			sed 's/^/    | /' "$D/$name.out"
			return 1
		fi
		ok "dotnet-trace collect $* --providers $PROVIDER --duration ${secs}s: Trace completed"
		check_trace "$D/$name.nettrace" "dotnet-trace trace"
	}

	# burst_check ROUTERLOG ADDR VAR=VALUE...: replace the app by one that
	# writes events as fast as it can, and move a few seconds of its trace
	# (hundreds of MiB) through the route; the stream must end complete.
	burst_check() {
		local rlog=$1 addr=$2 t0 mb; shift 2
		stop_app app
		mv "$D/app.out" "$D/app-1.out"
		APP_EXTRA=--burst start_app app "$@"
		wait_started app || { fail "the burst app did not start"; return 1; }
		wait_for "$rlog" "runtime pid $app_PID (connected|.*replaces)" 10 || { fail "router never saw the burst app"; return 1; }
		t0=$(now)
		if ! "$DSR_IPC" -t 20 collect -s 3 -o /dev/null "$addr" > "$D/burst.out" 2> "$D/burst.err"; then
			fail "high-volume session: $(tr '\n' ' ' < "$D/burst.out")"
			sed 's/^/    | /' "$D/burst.err"
			return 1
		fi
		mb=$(awk -v b="$(kv "$D/burst.out" bytes)" 'BEGIN { printf "%.0f", b / 1048576 }')
		if [ "$mb" -lt 8 ]; then
			fail "high-volume session moved only $mb MiB"
			return 1
		fi
		ok "high volume: $mb MiB of trace in a 3 s session ($(elapsed "$t0") s with the stop), complete to the end-of-stream tag"
	}

	# first_event_check FILE WHAT: startup tracing caught the very first event.
	first_event_check() {
		if "$DSR_IPC" nettrace-check "$1" "DsrInterop first tick" > /dev/null; then
			ok "$2: the trace holds the app's first event ('DsrInterop first tick'): the session began before Main ran"
		else
			fail "$2: the trace lacks the app's first event: the runtime ran before the session began"
		fi
	}

	# Cookie of the app, asked directly on its own default socket (not
	# through any router), to compare with what routes report.
	direct_cookie() {
		local sock
		sock=$(app_socket "$1") || return 1
		"$DSR_IPC" -t 10 processinfo "$sock" > "$D/direct.out" 2>&1 || return 1
		kv "$D/direct.out" cookie
	}

	case $N in
	1)	# server-server, runtime side a unix: server.
		start_router r server-server -ipcs "$D/tool.sock" -tcps "unix:$D/rt.sock" || exit 1
		start_app app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
		wait_started app || { fail "the app did not start"; exit 1; }
		wait_for "$D/r.log" "runtime pid $app_PID connected" 10 || fail "router never saw the runtime connect"
		cookie=$(direct_cookie "$app_PID") || { fail "no ProcessInfo on the app's own socket"; exit 1; }
		note "app pid $app_PID, cookie $cookie (asked on its own socket)"
		pi_loop 20 "$D/tool.sock" "$app_PID" "$cookie"
		# Each command must have used its own runtime connection: the
		# runtime reconnected and re-advertised between them.
		sessions=$(grep -c 'tool paired with runtime connection' "$D/r.log")
		conns=$(sed -n 's/.*tool paired with runtime connection \([0-9]*\).*/\1/p' "$D/r.log" | sort -u | wc -l)
		if [ "$sessions" -eq 0 ]; then
			note "router log has no 'tool paired with runtime connection' lines: reconnects not checked"
		elif [ "$sessions" -ge 20 ] && [ "$sessions" -eq "$conns" ]; then
			ok "router: $sessions sessions on $conns distinct runtime connections (the runtime re-advertised after each command)"
		else
			fail "router: $sessions sessions but $conns distinct runtime connections"
		fi
		;;
	2)	# Suspend: nothing runs before a ResumeRuntime through the router.
		start_router r server-server -ipcs "$D/tool.sock" -tcps "unix:$D/rt.sock" || exit 1
		tools="dsr-ipc dsr-ipc-close"
		[ -n "$NETCLIENT" ] && tools="$tools netclient"
		[ -n "$DOTNET_TRACE" ] && tools="$tools dotnet-trace"
		for tool in $tools; do
			start_app app DOTNET_DiagnosticPorts="$D/rt.sock,suspend"
			wait_for "$D/r.log" "runtime pid $app_PID (connected|.*replaces)" 15 || { fail "$tool: router never saw the suspended runtime"; continue; }
			sleep 2
			if grep -q '^started ' "$D/app.out"; then
				fail "$tool: the app printed 'started' before any ResumeRuntime"
				stop_app app; continue
			fi
			note "$tool: app pid $app_PID is suspended (2 s, no 'started')"
			t0=$(now)
			case $tool in
			dsr-ipc)
				"$DSR_IPC" -t 10 resume "$D/tool.sock" > "$D/resume.out" 2>&1 ;;
			dsr-ipc-close)
				# Fire and forget: the tool closes right after
				# writing; the runtime must still get the command.
				"$DSR_IPC" -t 10 resume -c "$D/tool.sock" > "$D/resume.out" 2>&1 ;;
			netclient)
				DSR_NETCLIENT_TIMEOUT=15 timeout 20 $NETCLIENT resume "$D/tool.sock,connect" > "$D/resume.out" 2>&1 ;;
			dotnet-trace)
				# Startup tracing: the session starts while the
				# runtime is suspended, then dotnet-trace resumes it.
				dotnet_trace dt-startup 3 --diagnostic-port "$D/tool.sock,connect" > "$D/resume.out" 2>&1 & ;;
			esac
			rc=$?
			if [ $rc -ne 0 ]; then
				fail "$tool: ResumeRuntime failed ($rc)"; sed 's/^/    | /' "$D/resume.out"
			elif wait_started app 5; then
				case $tool in
				dotnet-trace) ok "dotnet-trace (startup tracing): started a session on the suspended runtime, then resumed it: the app printed 'started' $(elapsed "$t0") s later" ;;
				dsr-ipc-close) ok "dsr-ipc, fire and forget (closed right after writing ResumeRuntime): the app printed 'started' $(elapsed "$t0") s later" ;;
				*) ok "$tool: ResumeRuntime through the router: the app printed 'started' $(elapsed "$t0") s later" ;;
				esac
			else
				fail "$tool: the app did not print 'started' within 5 s of ResumeRuntime"
			fi
			if [ "$tool" = dotnet-trace ]; then
				wait $!
				cat "$D/resume.out"
				FAILS=$((FAILS + $(grep -c '^  FAIL' "$D/resume.out")))
				first_event_check "$D/dt-startup.nettrace" "dotnet-trace (startup tracing)"
			fi
			stop_app app
			mv "$D/app.out" "$D/app-$tool.out"
		done
		# The tool first: a ResumeRuntime that waits in the router for the
		# suspended runtime to connect (the pair time-out is 5 s).
		"$DSR_IPC" -t 10 resume "$D/tool.sock" > "$D/resume.out" 2>&1 &
		rpid=$!
		track $rpid
		sleep 1
		t0=$(now)
		start_app app DOTNET_DiagnosticPorts="$D/rt.sock,suspend"
		if wait_started app 8 && wait $rpid; then
			ok "tool first: a ResumeRuntime sent 1 s before the app started waited in the router; the app printed 'started' $(elapsed "$t0") s after it was launched"
		else
			fail "tool first: the app did not start (ResumeRuntime: $(tr '\n' ' ' < "$D/resume.out"))"
		fi
		stop_app app
		;;
	3)	# EventPipe through server-server; the router's default tool
		# socket, so that dotnet-trace -p <router pid> finds it.
		start_router r server-server -tcps "unix:$D/rt.sock" || exit 1
		tsock=$(router_tool_sock r)
		note "router tool socket (default name): $tsock"
		start_app app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
		wait_started app || { fail "the app did not start"; exit 1; }
		wait_for "$D/r.log" "runtime pid $app_PID connected" 10 || fail "router never saw the runtime connect"
		collect_stop "$tsock" 4 dsr
		netclient_collect "$tsock" 3 nc
		dotnet_trace dt-pid 3 -p "$r_PID"
		dotnet_trace dt-port 3 --diagnostic-port "$tsock,connect"
		if [ -n "$DOTNET_TRACE" ]; then
			# The README says 'dotnet-trace ps' lists the router.
			if timeout 30 "$DOTNET_TRACE" ps < /dev/null 2>&1 |
			    grep -Eq "^[[:space:]]*$r_PID[[:space:]]+dsrouterd"; then
				ok "dotnet-trace ps lists the router (pid $r_PID)"
			else
				fail "dotnet-trace ps does not list the router (pid $r_PID)"
			fi
			# What a user runs (README): the default profiles, with
			# sampled stacks and rundown; report and convert.
			if timeout 45 "$DOTNET_TRACE" collect -p "$r_PID" --duration 00:00:00:03 \
				-o "$D/dt-default.nettrace" < /dev/null > "$D/dt-default.out" 2>&1 &&
			   grep -q 'Trace completed' "$D/dt-default.out" &&
			   timeout 60 "$DOTNET_TRACE" report "$D/dt-default.nettrace" topN > "$D/dt-default.rep" 2>&1 &&
			   grep -q '^1\. ' "$D/dt-default.rep" &&
			   timeout 60 "$DOTNET_TRACE" convert "$D/dt-default.nettrace" --format Speedscope \
				-o "$D/dt-default" > "$D/dt-default.conv" 2>&1 &&
			   [ -s "$D/dt-default.speedscope.json" ]; then
				ok "dotnet-trace collect -p $r_PID (default profiles, $(stat -c %s "$D/dt-default.nettrace") bytes); report topN: '$(grep '^1\. ' "$D/dt-default.rep" | tr -s ' ' | cut -c1-50)'; convert --format Speedscope: ok"
			else
				fail "dotnet-trace with its default profiles through the router"
				cat "$D/dt-default.out" "$D/dt-default.rep" "$D/dt-default.conv" 2>/dev/null | tail -n 15 | sed 's/^/    | /'
			fi
		fi
		burst_check "$D/r.log" "$tsock" DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
		;;
	4)	# server-client: the router connects to the app's own socket.
		start_app app
		wait_started app || { fail "the app did not start"; exit 1; }
		sock=$(app_socket "$app_PID") || { fail "the app has no default socket"; exit 1; }
		cookie=$(direct_cookie "$app_PID")
		note "app pid $app_PID listens on $sock (cookie $cookie)"
		start_router r server-client -ipcs "$D/tool.sock" -tcpc "unix:$sock" || exit 1
		pi_loop 20 "$D/tool.sock" "$app_PID" "$cookie"
		collect_stop "$D/tool.sock" 2 dsr
		;;
	5)	# client-server: a reversed-server tool gets the runtime's advertise.
		"$DSR_IPC" -t 30 listen -n 3 "$D/tl.sock" > "$D/listen.out" 2> "$D/listen.err" &
		lpid=$!
		track $lpid
		wait_for "$D/listen.out" '^listening=' 5 || fail "dsr-ipc listen did not start"
		start_router r client-server -ipcc "$D/tl.sock" -tcps "unix:$D/rt.sock" || exit 1
		start_app app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
		wait_exit $lpid 30
		wait $lpid; rc=$?
		if [ $rc -ne 0 ]; then
			fail "dsr-ipc listen exited $rc"; sed 's/^/    | /' "$D/listen.err"
		else
			cookie=$(direct_cookie "$app_PID")
			good=1
			for i in 1 2 3; do
				ap=$(kv "$D/listen.out" "$i.advertise_pid")
				ac=$(kv "$D/listen.out" "$i.advertise_cookie")
				if [ "$ap" != "$app_PID" ]; then
					fail "connection $i: advertise pid $ap, expected $app_PID"; good=0
				elif [ "$ac" != "$cookie" ]; then
					fail "connection $i: advertise cookie $ac, but the app's is $cookie"; good=0
				elif ! check_pi "$D/listen.out" "$i." "$app_PID" "$ac" "connection $i ProcessInfo"; then
					good=0
				fi
			done
			[ $good -eq 1 ] && ok "dsr-ipc listen: 3 connections, each advertised pid $app_PID cookie $cookie (= the app's own ProcessInfo cookie) and answered a ProcessInfo on the same connection"
		fi
		if [ -n "$NETCLIENT" ]; then
			if DSR_NETCLIENT_TIMEOUT=20 timeout 25 $NETCLIENT listen "$D/tl.sock" > "$D/nlisten.out" 2> "$D/nlisten.err" &&
			   check_pi "$D/nlisten.out" "1." "$app_PID" "$cookie" "NETCore.Client reversed server"; then
				ok "NETCore.Client reversed server: accepted the runtime's advertise via the router, ProcessInfo on it: pid $app_PID, cookie $cookie"
			else
				fail "NETCore.Client reversed server failed"; sed 's/^/    | /' "$D/nlisten.err"
			fi
		fi
		dotnet_trace dt-listen 3 --diagnostic-port "$D/tl.sock"
		if [ -n "$DOTNET_TRACE" ]; then
			# Startup tracing, the reversed server's main use: the
			# tool listens, a suspended app connects through the
			# router, the tool starts a session and resumes it.
			stop_app app
			mv "$D/app.out" "$D/app-1.out"
			dotnet_trace dt-startup 3 --diagnostic-port "$D/tl.sock" > "$D/startup.out" 2>&1 &
			dpid=$!
			track $dpid
			wait_for "$D/dt-startup.out" 'Waiting for connection' 15 || fail "dotnet-trace did not listen"
			t0=$(now)
			start_app app DOTNET_DiagnosticPorts="$D/rt.sock,suspend"
			if wait_started app 10; then
				ok "dotnet-trace (listen, startup tracing): the suspended app printed 'started' $(elapsed "$t0") s after launch, resumed by the tool through the router"
			else
				fail "dotnet-trace (listen) never resumed the suspended app"
			fi
			wait $dpid
			cat "$D/startup.out"
			FAILS=$((FAILS + $(grep -c '^  FAIL' "$D/startup.out")))
			first_event_check "$D/dt-startup.nettrace" "dotnet-trace (listen, startup tracing)"
		fi
		;;
	6)	# client-client against the app's own socket.
		start_app app
		wait_started app || { fail "the app did not start"; exit 1; }
		sock=$(app_socket "$app_PID") || { fail "the app has no default socket"; exit 1; }
		cookie=$(direct_cookie "$app_PID")
		note "app pid $app_PID listens on $sock (cookie $cookie)"
		"$DSR_IPC" -t 30 listen -n 3 "$D/tl.sock" > "$D/listen.out" 2> "$D/listen.err" &
		lpid=$!
		track $lpid
		wait_for "$D/listen.out" '^listening=' 5 || fail "dsr-ipc listen did not start"
		start_router r client-client -ipcc "$D/tl.sock" -tcpc "unix:$sock" || exit 1
		wait_exit $lpid 30
		wait $lpid; rc=$?
		if [ $rc -ne 0 ]; then
			fail "dsr-ipc listen exited $rc"; sed 's/^/    | /' "$D/listen.err"
		else
			good=1
			for i in 1 2 3; do
				ap=$(kv "$D/listen.out" "$i.advertise_pid")
				ac=$(kv "$D/listen.out" "$i.advertise_cookie")
				if [ "$ap" != "$app_PID" ] || [ "$ac" != "$cookie" ]; then
					fail "connection $i: advertise pid $ap cookie $ac, expected $app_PID $cookie"; good=0
				elif ! check_pi "$D/listen.out" "$i." "$app_PID" "$cookie" "connection $i ProcessInfo"; then
					good=0
				fi
			done
			[ $good -eq 1 ] && ok "dsr-ipc listen: 3 connections, each advertised pid $app_PID cookie $cookie (the router's own ProcessInfo) and answered a ProcessInfo"
		fi
		if [ -n "$NETCLIENT" ]; then
			if DSR_NETCLIENT_TIMEOUT=20 timeout 25 $NETCLIENT listen "$D/tl.sock" > "$D/nlisten.out" 2> "$D/nlisten.err" &&
			   check_pi "$D/nlisten.out" "1." "$app_PID" "$cookie" "NETCore.Client reversed server"; then
				ok "NETCore.Client reversed server: ProcessInfo via client-client: pid $app_PID, cookie $cookie"
			else
				fail "NETCore.Client reversed server failed"; sed 's/^/    | /' "$D/nlisten.err"
			fi
		fi
		dotnet_trace dt-listen 3 --diagnostic-port "$D/tl.sock"
		;;
	7)	# Emulator topology: app -> router A (unix: server; tool side a
		# tcp: client) -> router B (server-server on TCP) -> tool.
		start_router b server-server -ipcs "$D/tool.sock" -tcps 127.0.0.1:0 || exit 1
		port=$(router_rt_port b)
		[ -n "$port" ] || { fail "router B did not report its TCP port"; exit 1; }
		start_router a client-server -ipcc "tcp:127.0.0.1:$port" -tcps "unix:$D/rt.sock" || exit 1
		start_app app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
		wait_started app || { fail "the app did not start"; exit 1; }
		wait_for "$D/b.log" "runtime pid $app_PID connected" 10 || fail "router B never saw the runtime (through A)"
		cookie=$(direct_cookie "$app_PID")
		pi_loop 20 "$D/tool.sock" "$app_PID" "$cookie"
		collect_stop "$D/tool.sock" 3 dsr
		netclient_collect "$D/tool.sock" 2 nc
		dotnet_trace dt-port 3 --diagnostic-port "$D/tool.sock,connect"
		burst_check "$D/b.log" "$D/tool.sock" DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
		;;
	8)	# The app killed mid-trace.
		start_router r server-server -ipcs "$D/tool.sock" -tcps "unix:$D/rt.sock" || exit 1
		start_app app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
		wait_started app || { fail "the app did not start"; exit 1; }
		wait_for "$D/r.log" "runtime pid $app_PID connected" 10 || fail "router never saw the runtime connect"
		"$DSR_IPC" -t 30 collect -o "$D/killed.nettrace" "$D/tool.sock" > "$D/killed.out" 2> "$D/killed.err" &
		cpid=$!
		track $cpid
		wait_for "$D/killed.out" '^session=' 10 || fail "no session started"
		sleep 2
		size=$(stat -c %s "$D/killed.nettrace" 2>/dev/null || echo 0)
		note "after 2 s the stream has $size bytes; killing app pid $app_PID with SIGKILL"
		kill -KILL "$app_PID"
		wait "$app_PID" 2>/dev/null
		t0=$(now)
		if wait_exit $cpid 10; then
			wait $cpid; rc=$?
			if { [ $rc -eq 3 ] || [ $rc -eq 0 ]; } && [ "$(kv "$D/killed.out" ended)" = eof ]; then
				ok "the tool saw the stream end $(elapsed "$t0") s after the kill ($(kv "$D/killed.out" bytes) bytes, end-of-stream tag: $(kv "$D/killed.out" complete))"
			else
				fail "collect exited $rc ($(tr '\n' ' ' < "$D/killed.out"))"
			fi
		else
			fail "the tool's stream did not end within 10 s of the kill"
		fi
		if kill -0 "$r_PID" 2>/dev/null; then
			ok "the router is still running"
		else
			fail "the router exited"
		fi
		if wait_for "$D/r.log" 'session [0-9]+ closed' 5; then
			ok "router logged: $(grep -E 'session [0-9]+ closed' "$D/r.log" | tail -n 1 | sed 's/^.*debug: //')"
		else
			fail "the router logged nothing about the session's end"
		fi
		old=$app_PID
		start_app app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
		wait_started app || { fail "the second app did not start"; exit 1; }
		if wait_for "$D/r.log" "runtime pid $app_PID (connected|.*replaces)" 10; then
			ok "router: $(grep -E "runtime pid $app_PID (connected|.*replaces)" "$D/r.log" | head -n 1 | sed 's/^.*info: //')"
		else
			fail "router never saw the second app"
		fi
		cookie=$(direct_cookie "$app_PID")
		note "second app: pid $app_PID (the first was $old), cookie $cookie"
		pi_loop 5 "$D/tool.sock" "$app_PID" "$cookie"
		collect_stop "$D/tool.sock" 2 dsr2
		if [ -n "$DOTNET_TRACE" ]; then
			# The same with the real dotnet-trace, then a third app.
			timeout 30 "$DOTNET_TRACE" collect --diagnostic-port "$D/tool.sock,connect" \
				--providers "$PROVIDER" -o "$D/dtk.nettrace" < /dev/null > "$D/dtk.out" 2>&1 &
			dpid=$!
			track $dpid
			wait_for "$D/dtk.out" 'Output File' 15 || fail "dotnet-trace did not start its session"
			sleep 2
			kill -KILL "$app_PID"
			wait "$app_PID" 2>/dev/null
			t0=$(now)
			if wait_exit $dpid 15; then
				wait $dpid; rc=$?
				ok "dotnet-trace saw the stream end and exited ($rc) $(elapsed "$t0") s after the kill: '$(grep -E 'Trace completed|rror' "$D/dtk.out" | head -n 1)'"
			else
				fail "dotnet-trace did not exit within 15 s of the kill"
			fi
			kill -0 "$r_PID" 2>/dev/null && ok "the router is still running" || fail "the router exited"
			start_app app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
			wait_started app || { fail "the third app did not start"; exit 1; }
			wait_for "$D/r.log" "runtime pid $app_PID (connected|.*replaces)" 10 || fail "router never saw the third app"
			cookie=$(direct_cookie "$app_PID")
			pi_loop 3 "$D/tool.sock" "$app_PID" "$cookie"
		fi
		;;
	9)	# The router restarted (SIGTERM) mid-trace: it exits 0 and removes
		# its sockets; the app lives on and reconnects to the next router.
		start_router r server-server -ipcs "$D/tool.sock" -tcps "unix:$D/rt.sock" || exit 1
		start_app app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
		wait_started app || { fail "the app did not start"; exit 1; }
		wait_for "$D/r.log" "runtime pid $app_PID connected" 10 || fail "router never saw the runtime connect"
		"$DSR_IPC" -t 30 collect -o "$D/cut.nettrace" "$D/tool.sock" > "$D/cut.out" 2> "$D/cut.err" &
		cpid=$!
		track $cpid
		wait_for "$D/cut.out" '^session=' 10 || fail "no session started"
		sleep 1.5
		kill -TERM "$r_PID"
		if wait_exit "$r_PID" 10; then
			wait "$r_PID"; rc=$?
			[ $rc -eq 0 ] && ok "SIGTERM mid-trace: the router exited 0" || fail "SIGTERM mid-trace: the router exited $rc"
		else
			fail "the router did not exit within 10 s of SIGTERM"
		fi
		if [ -e "$D/tool.sock" ] || [ -e "$D/rt.sock" ]; then
			fail "the router left its sockets behind"
		fi
		if wait_exit $cpid 10; then
			ok "the tool saw its stream end ($(kv "$D/cut.out" bytes) bytes)"
		else
			fail "the tool's stream did not end within 10 s of the router's exit"
		fi
		kill -0 "$app_PID" 2>/dev/null && ok "the app is still running" || fail "the app died with the router"
		mv "$D/r.log" "$D/r-1.log"
		start_router r server-server -ipcs "$D/tool.sock" -tcps "unix:$D/rt.sock" || exit 1
		if wait_for "$D/r.log" "runtime pid $app_PID connected" 10; then
			ok "the app reconnected to the new router: $(grep -E "runtime pid $app_PID connected" "$D/r.log" | head -n 1 | sed 's/^.*info: //')"
		else
			fail "the app did not reconnect to the new router within 10 s"
		fi
		cookie=$(direct_cookie "$app_PID")
		pi_loop 5 "$D/tool.sock" "$app_PID" "$cookie"
		collect_stop "$D/tool.sock" 2 after
		;;
	*)	log "no scenario $N"; exit 64 ;;
	esac
	[ $FAILS -eq 0 ] && exit 0
	exit 1
fi

# ---------------------------------------------------------------------------
# Driver.

SCENARIOS=${*:-1 2 3 4 5 6 7 8 9}
declare -A TITLE=(
	[1]="server-server, runtime on a unix: socket: 20 x ProcessInfo"
	[2]="suspend: ResumeRuntime through the router"
	[3]="EventPipe session and StopTracing through server-server"
	[4]="server-client to the app's default socket: 20 x ProcessInfo"
	[5]="client-server: reversed-server tool gets the advertise"
	[6]="client-client against the app's default socket"
	[7]="emulator chain: app -> router A (unix/tcp:) -> router B (TCP) -> tool"
	[8]="app killed mid-trace; router serves the next instance"
	[9]="router restarted mid-trace; the app reconnects to the next one"
)

if ! command -v dotnet > /dev/null 2>&1; then
	log "SKIP: interop: 'dotnet' is not on PATH; these tests need the .NET SDK (https://dot.net)"
	exit 77
fi
if [ -z "$(dotnet --list-sdks 2>/dev/null)" ]; then
	log "SKIP: interop: 'dotnet' has no SDK ('dotnet --list-sdks' is empty); these tests build a .NET app"
	exit 77
fi

top_builddir=$PWD
srcdir=${srcdir:-$(cd "$(dirname "$ME")/../.." && pwd)}
DSROUTERD=${DSROUTERD:-$top_builddir/src/dsrouterd}
DSR_IPC=${DSR_IPC:-$top_builddir/tests/interop/dsr-ipc}
for b in "$DSROUTERD" "$DSR_IPC"; do
	if [ ! -x "$b" ]; then
		log "FAIL: interop: $b is not built (run from the top build directory after make)"
		exit 1
	fi
done
DSROUTERD=$(cd "$(dirname "$DSROUTERD")" && pwd)/$(basename "$DSROUTERD")
DSR_IPC=$(cd "$(dirname "$DSR_IPC")" && pwd)/$(basename "$DSR_IPC")

# Built .NET pieces and installed tools persist here between runs
# (make clean removes them); everything else lives in a temporary directory.
WORK=$top_builddir/tests/interop/_dotnet
mkdir -p "$WORK" || exit 1

# Unix socket paths must stay short: prefer $TMPDIR, else /tmp.
base=${TMPDIR:-/tmp}
[ ${#base} -gt 40 ] || [ ! -w "$base" ] && base=/tmp
RUN=$(mktemp -d "$base/dsr-interop.XXXXXX") || exit 1
PIDS=()
: > "$RUN/pids"

cleanup() {
	local p all=()
	while read -r p; do [ -n "$p" ] && all+=("$p"); done < "$RUN/pids"
	[ ${#all[@]} -gt 0 ] && kill_tracked "${all[@]}"
	if [ "${INTEROP_KEEP:-0}" = 1 ]; then
		log "logs kept in $RUN"
	else
		rm -rf "$RUN"
	fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

log "interop: dsrouterd against real .NET runtimes"
log "  dotnet $(dotnet --version 2>/dev/null) ($(dotnet --list-runtimes 2>/dev/null | grep -m1 'Microsoft.NETCore.App' | cut -d' ' -f1-2))"
log "  dsrouterd: $DSROUTERD"
log "  work dir:  $RUN"

# Copy a project from the (possibly read-only) source tree into $WORK and
# build it there. Prints the build log on failure.
build_project() {
	local name=$1 proj=$2 src="$WORK/$1-src" out="$WORK/$1-bin" f changed=0
	mkdir -p "$src"
	for f in "$srcdir/tests/interop/$name"/*.csproj "$srcdir/tests/interop/$name"/*.cs; do
		cmp -s "$f" "$src/$(basename "$f")" || { cp "$f" "$src/" && changed=1; }
	done
	if [ $changed -eq 0 ] && [ -f "$out/$proj.dll" ]; then
		echo "up to date"
		return 0
	fi
	echo "built"
	(cd "$src" && timeout "${3:-180}" dotnet build -c Release -o "$out" -nologo \
		-nodeReuse:false -p:UseSharedCompilation=false -clp:ErrorsOnly "$proj.csproj") \
		> "$WORK/$name-build.log" 2>&1 || return 1
	[ -f "$out/$proj.dll" ]
}

# The NuGet side: tools and the client library, in the background while the
# app builds. Each result lands in a status file; nothing here can fail the
# tests.
mirror_jobs() {
	if [ "${INTEROP_NO_MIRROR:-0}" = 1 ]; then
		echo "not tried (INTEROP_NO_MIRROR=1)" > "$RUN/st-dotnet-trace"
		echo "not tried (INTEROP_NO_MIRROR=1)" > "$RUN/st-dotnet-counters"
		echo "not tried (INTEROP_NO_MIRROR=1)" > "$RUN/st-dotnet-dsrouter"
		echo "not tried (INTEROP_NO_MIRROR=1)" > "$RUN/st-netclient"
		return 0
	fi
	(
		local t v rc reason="" limit=${INTEROP_MIRROR_TIMEOUT:-60}
		for t in dotnet-trace dotnet-counters dotnet-dsrouter; do
			if [ -x "$WORK/tools/$t" ] && v=$("$WORK/tools/$t" --version 2>/dev/null); then
				echo "ok $v (installed before, reused)" > "$RUN/st-$t"
				continue
			fi
			if [ -n "$reason" ]; then
				echo "not tried: $reason" > "$RUN/st-$t"
				continue
			fi
			timeout "$limit" dotnet tool install --tool-path "$WORK/tools" "$t" \
				> "$RUN/install-$t.log" 2>&1
			rc=$?
			[ $rc -eq 124 ] && echo "timed out after $limit s" >> "$RUN/install-$t.log"
			if [ $rc -eq 0 ] && v=$("$WORK/tools/$t" --version 2>/dev/null); then
				echo "ok $v (installed from the NuGet mirror)" > "$RUN/st-$t"
				continue
			fi
			echo "not available: $(grep -v '^\s*$' "$RUN/install-$t.log" | tail -n 1 | cut -c1-160)" > "$RUN/st-$t"
			# A mirror that answered "not found" is up; anything else
			# (no answer, time-out) is not worth waiting for again.
			grep -q 'is not found in NuGet feeds' "$RUN/install-$t.log" ||
				reason="the NuGet mirror failed for $t"
		done
	) &
	echo $! > "$RUN/tools.pid"
	(
		if build_project netclient DsrNetClient "${INTEROP_MIRROR_TIMEOUT:-60}" > /dev/null; then
			echo "ok Microsoft.Diagnostics.NETCore.Client $(sed -n 's/.*NETCore.Client" Version="\([^"]*\)".*/\1/p' "$srcdir/tests/interop/netclient/DsrNetClient.csproj")" > "$RUN/st-netclient"
		else
			msg=$(grep -E 'error' "$WORK/netclient-build.log" 2>/dev/null | head -n 1 | cut -c1-200)
			echo "not available: ${msg:-restore or build failed or timed out after ${INTEROP_MIRROR_TIMEOUT:-60} s}" > "$RUN/st-netclient"
		fi
	) &
	echo $! > "$RUN/netclient.pid"
}

t0=$(now)
mirror_jobs
if r=$(build_project app DsrInteropApp 240); then
	log "  app: built tests/interop/app ($r) in $(elapsed "$t0") s"
else
	log "FAIL: interop: cannot build the .NET app (dotnet build); its log:"
	sed 's/^/  | /' "$WORK/app-build.log"
	for n in $SCENARIOS; do log "FAIL: scenario $n (${TITLE[$n]:-?}): the app did not build"; done
	exit 1
fi
APP_DLL=$WORK/app-bin/DsrInteropApp.dll
for j in tools netclient; do
	[ -f "$RUN/$j.pid" ] && wait "$(cat "$RUN/$j.pid")" 2>/dev/null
done

DOTNET_TRACE= NETCLIENT=
log "tool side (besides dsr-ipc, our own C client, always used):"
for t in dotnet-trace dotnet-counters dotnet-dsrouter; do
	st=$(cat "$RUN/st-$t" 2>/dev/null || echo "not available: install did not finish")
	case $t:$st in
	dotnet-trace:ok*) DOTNET_TRACE=$WORK/tools/dotnet-trace; use="used in scenarios 2, 3, 5, 6, 7, 8 and to check every trace" ;;
	dotnet-counters:ok*) use="installed, but no scenario needs it" ;;
	dotnet-dsrouter:ok*) use="installed, but no scenario needs it (it is the router under comparison)" ;;
	*) use="" ;;
	esac
	log "  $t: $st${use:+; $use}"
done
st=$(cat "$RUN/st-netclient" 2>/dev/null || echo "not available: build did not finish")
case $st in
ok*) NETCLIENT="dotnet $WORK/netclient-bin/DsrNetClient.dll"; log "  NETCore.Client: $st (DsrNetClient, used in scenarios 1-9)" ;;
*) log "  NETCore.Client: $st; scenarios use dsr-ipc only" ;;
esac
[ -n "$DOTNET_TRACE" ] || log "  (dotnet-trace missing: traces are checked by dsr-ipc nettrace-check only)"

export RUN APP_DLL DSROUTERD DSR_IPC DOTNET_TRACE NETCLIENT PROVIDER

failed=0 passed=0
for n in $SCENARIOS; do
	s0=$(now)
	timeout -k 5 "$SCENARIO_LIMIT" "$ME" --scenario "$n" > "$RUN/scenario-$n.log" 2>&1
	rc=$?
	secs=$(elapsed "$s0")
	case $rc in
	0) log "PASS: scenario $n (${TITLE[$n]:-?}) [$secs s]"; passed=$((passed + 1)) ;;
	77) log "SKIP: scenario $n (${TITLE[$n]:-?}) [$secs s]" ;;
	124|137) log "FAIL: scenario $n (${TITLE[$n]:-?}) [$secs s]: timed out after $SCENARIO_LIMIT s"; failed=$((failed + 1)) ;;
	*) log "FAIL: scenario $n (${TITLE[$n]:-?}) [$secs s]"; failed=$((failed + 1)) ;;
	esac
	# Every scenario's checks, always (they say which tools ran); on a
	# failure, the routers' logs and the app's output too.
	sed 's/^/  /' "$RUN/scenario-$n.log"
	if [ $rc -ne 0 ] || [ "${INTEROP_VERBOSE:-0}" = 1 ]; then
		for f in "$RUN"/s"$n".*/*.log "$RUN"/s"$n".*/app*.out; do
			[ -f "$f" ] || continue
			log "  --- $(basename "$f") (last 25 lines)"
			tail -n 25 "$f" | sed 's/^/  | /'
		done
	fi
done
log "interop: $passed passed, $failed failed, in $(elapsed "$t0") s"
[ $failed -eq 0 ] && exit 0
exit 1

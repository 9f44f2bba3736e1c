#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 11: tools started with --dsrouter android-emu launch dsrouterd
#
# `TOOL ... --dsrouter android-emu` starts `dotnet-dsrouter android-emu
# --block-signals SIGINT;SIGQUIT --parentprocess PID:NAME` from the tool's
# own folder (the driver links that name to dsrouterd), uses its pid as -p,
# and stops it by writing Q to its standard input. The launched router
# listens for runtimes on 127.0.0.1:9000, which desktop CoreCLR cannot
# reach (it speaks only Unix sockets), so a second router sits next to the
# app: b = client-server -ipcc tcp:127.0.0.1:9000 -tcps unix:rt.sock.
#
# For each tool whose --help offers --dsrouter: dotnet-trace collect with
# the app started 15 s after the tool (the router's defaults keep the tool
# waiting) gets a complete trace; dotnet-counters collect gets System.Runtime
# and the app's counters; dotnet-counters monitor shows them; dotnet-gcdump
# collect gets a heap that lists the app's DsrInteropMarker objects. After
# each tool exits, the router it started is gone, said it was stopped by 'q'
# on its standard input, and left no dotnet-diagnostic-* socket. Then
# Ctrl-C as a terminal sends it, SIGINT to the process group of dotnet-trace
# and its router: the router ignores it (--block-signals), the tool ends its
# trace complete and stops the router with 'q'. Last, a tool killed with
# SIGKILL mid-trace: its router exits by itself (--parentprocess) and leaves
# no socket either. Port 9000 is fixed by the
# preset: when something else listens there, or another interop run on this
# machine holds it (a lock file in /tmp), the scenario is skipped.

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

PORT=9000
declare -A LAUNCH_T0=()
LAUNCHED=          # the router the last tool started
TOOL_PID=          # that tool (the router's parent)
DSROUTERD_REAL=$(readlink -f "$DSROUTERD")

# skip_rest REASON: the rest of the scenario cannot run here; skipped,
# unless a check already failed.
skip_rest() {
	note "SKIP: $*"
	[ "$FAILS" -eq 0 ] && exit 77
	exit 1
}

# port_user PORT: who listens on 127.0.0.1:PORT; nothing when it is free.
port_user() {
	if command -v ss > /dev/null 2>&1; then
		ss -Hltnp "sport = :$1" 2>/dev/null | head -n 1 | tr -s ' '
	elif (exec 3<> "/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
		echo "a listener on 127.0.0.1:$1"
	fi
}

# has_dsrouter EXE COMMAND: `EXE COMMAND --help` offers --dsrouter.
has_dsrouter() {
	timeout 30 "$1" "$2" --help < /dev/null 2>&1 | grep -q -- '--dsrouter'
}

# dsrouterds_in_dir: the dsrouterd processes of this scenario but router b.
dsrouterds_in_dir() {
	local p
	for p in $(procs_in "$D"); do
		[ "$p" = "${PID[b]:-}" ] && continue
		alive "$p" || continue
		[ "$(readlink -f "/proc/$p/exe" 2>/dev/null)" = "$DSROUTERD_REAL" ] && echo "$p"
	done
}

# launch_start NAME EXE ARGS...: `EXE ARGS --dsrouter android-emu` in the
# background (PID[NAME]; its output, with the router's log, in D/NAME.out).
# Waits until the router it started runs; LAUNCHED is that router, TOOL_PID
# the tool. The router must be dsrouterd reached through the link, with the
# launcher's arguments. With LAUNCH_GROUP=1 the tool leads a process group
# of its own (as in a terminal) and gets SIGINT and SIGQUIT back (a
# background job starts with them ignored).
launch_start() {
	local name=$1 exe=$2 argv ppid group=()
	shift 2
	if [ -n "$(port_user $PORT)" ]; then
		skip_rest "port $PORT (fixed by the android-emu preset) is busy: $(port_user $PORT)"
	fi
	[ "${LAUNCH_GROUP:-0}" = 1 ] && group=(setsid env "--default-signal=INT,QUIT")
	LAUNCH_T0[$name]=$(now)
	timeout 90 "${group[@]}" "$exe" "$@" --dsrouter android-emu < /dev/null > "$D/$name.out" 2>&1 &
	PID[$name]=$!
	track "${PID[$name]}"
	if ! wait_for "$D/$name.out" 'running [0-9]+ route' 10; then
		grep -q 'in use' "$D/$name.out" &&
			skip_rest "the router ${exe##*/} started cannot listen on port $PORT: $(grep -m1 'in use' "$D/$name.out")"
		fail "${exe##*/} $* --dsrouter android-emu: no router started within 10 s"
		show "$D/$name.out"
		return 1
	fi
	LAUNCHED=$(sed -n 's/.*running [0-9]* route(s), pid \([0-9]*\).*/\1/p' "$D/$name.out" | head -n 1)
	track "$LAUNCHED"
	argv=$(tr '\0' ' ' < "/proc/$LAUNCHED/cmdline" 2>/dev/null)
	ppid=$(awk '{ print $4 }' "/proc/$LAUNCHED/stat" 2>/dev/null)
	TOOL_PID=$ppid
	if [ "$(readlink -f "/proc/$LAUNCHED/exe")" != "$DSROUTERD_REAL" ]; then
		fail "${exe##*/} started $(readlink "/proc/$LAUNCHED/exe"), not dsrouterd"
		return 1
	fi
	case $argv in
	"$DSROUTER_LINK android-emu --block-signals SIGINT;SIGQUIT --parentprocess $ppid:"*) ;;
	*)
		fail "${exe##*/} started the router as '$argv' (parent $ppid)"
		return 1 ;;
	esac
	ok "${exe##*/} $* --dsrouter android-emu started dsrouterd (pid $LAUNCHED) as '${argv% }'"
}

# launched_gone PID WHY [T0]: the router PID has exited (within 3 s; with
# T0, a now() value, how long after it is said) and left no socket in D; no
# dsrouterd but router b is left in D. WHY says what ended it.
launched_gone() {
	local pid=$1 why=$2 t0=${3:-} i left socks
	for i in $(seq 30); do
		alive "$pid" || break
		sleep 0.1
	done
	if alive "$pid"; then
		fail "the router $pid is still running 3 s after its tool exited"
		return 1
	fi
	[ -z "$t0" ] || why="$why $(elapsed "$t0") s later"
	socks=$(ls "$D"/dotnet-diagnostic-"$pid"-*-socket "$D"/dotnet-diagnostic-dsrouter-"$pid"-*-socket 2>/dev/null)
	if [ -n "$socks" ]; then
		fail "the router $pid left its sockets: $(echo "$socks" | tr '\n' ' ')"
		return 1
	fi
	left=$(dsrouterds_in_dir)
	if [ -n "$left" ]; then
		fail "dsrouterd processes left besides router b: $left"
		return 1
	fi
	ok "the router $pid is gone ($why), left no dotnet-diagnostic-$pid-* or dotnet-diagnostic-dsrouter-$pid-* socket, and no dsrouterd but router b runs"
}

# launch_finish NAME: the tool exited 0; the router it started was stopped
# by the 'q' the tool wrote to its standard input and is gone.
launch_finish() {
	local name=$1 rc others
	wait "${PID[$name]}"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$name: the tool exited $rc after $(elapsed "${LAUNCH_T0[$name]}") s"
		tail -n 15 "$D/$name.out" | show
		return 1
	fi
	others=$(sed -n 's/.*runtime pid \([0-9]*\) connected.*/\1/p' "$D/$name.out" | grep -vx "$APP_PID" | sort -u)
	[ -z "$others" ] ||
		skip_rest "the router on port $PORT also got runtimes of other processes (${others//$'\n'/ }): something else on this machine uses the port"
	if ! grep -q "'q' on standard input" "$D/$name.out"; then
		fail "the router $LAUNCHED did not log that the tool's 'q' stopped it"
		tail -n 5 "$D/$name.out" | show
	fi
	launched_gone "$LAUNCHED" "stopped by the tool's 'q' on its standard input, $(elapsed "${LAUNCH_T0[$name]}") s after the tool started"
}

# ---------------------------------------------------------------------------

if [ -z "$DSROUTER_LINK" ]; then
	note "SKIP: no dotnet-dsrouter link to dsrouterd in the tools' folder: $(cat "$RUN/st-link" 2>/dev/null)"
	exit 77
fi
# One interop run at a time uses the port: a second one's router b would
# hand its app to the first one's tools.
lock=/tmp/dsrouterd-interop-port-$PORT.lock
if command -v flock > /dev/null 2>&1; then
	[ -e "$lock" ] || (umask 0 && : > "$lock") 2>/dev/null
	if [ -r "$lock" ]; then
		exec 9< "$lock"
		flock -n 9 || skip_rest "another interop run on this machine uses port $PORT (it holds $lock)"
	fi
fi
busy=$(port_user $PORT)
[ -z "$busy" ] || skip_rest "port $PORT (fixed by the android-emu preset) is busy: $busy"

# Which tools offer --dsrouter.
with=() without=()
for tc in dotnet-trace:collect dotnet-counters:collect dotnet-counters:monitor \
	dotnet-gcdump:collect dotnet-dump:collect dotnet-stack:report; do
	t=${tc%%:*}
	exe=$(installed_tool "$t")
	[ -n "$exe" ] || continue
	if has_dsrouter "$exe" "${tc#*:}"; then
		with+=("$t ${tc#*:}")
	else
		without+=("$t ${tc#*:}")
	fi
done
if [ ${#with[@]} -eq 0 ]; then
	note "SKIP: no installed tool offers --dsrouter (${without[*]:-no tool installed: $(cat "$RUN/st-dotnet-trace")})"
	exit 77
fi
note "--dsrouter in --help: $(printf '%s, ' "${with[@]}" | sed 's/, $//')${without[*]:+; not in: $(printf '%s, ' "${without[@]}" | sed 's/, $//')}"
offers() { printf '%s\n' "${with[@]}" | grep -qx "$1"; }

start_router b client-server -ipcc "tcp:127.0.0.1:$PORT" -tcps "unix:$D/rt.sock" || exit 1

# 1. The tool 15 s before the app: dotnet-trace waits with the router's
# defaults, and gets a complete trace once the app runs.
if offers "dotnet-trace collect"; then
	if launch_start dt-late "$DOTNET_TRACE" collect --providers "$PROVIDER" \
		--duration 00:00:00:03 -o "$D/dt-late.nettrace"; then
		while [ "$(awk -v a="${LAUNCH_T0[dt-late]}" -v b="$(now)" 'BEGIN { print (b - a < 15) }')" = 1 ]; do
			sleep 0.2
		done
		start_app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
		app_started 15 || abort "the app did not start"
		if wait_for "$D/dt-late.out" "runtime pid $APP_PID connected" 15; then
			ok "the app started $(elapsed "${LAUNCH_T0[dt-late]}" | cut -d. -f1) s after the tool; its runtime reached the tool's router through router b (router: '$(grep -o 'a tool waits up to [0-9]* s' "$D/dt-late.out" | head -n 1)')"
		else
			fail "the router dotnet-trace started never saw the app's runtime"
		fi
		launch_finish dt-late
		if grep -q 'Trace completed' "$D/dt-late.out"; then
			check_trace "$D/dt-late.nettrace" "dotnet-trace --dsrouter, the app 15 s late"
		else
			fail "dotnet-trace --dsrouter did not report 'Trace completed'"
		fi
	fi
fi

# The later tools find the app running (router b reconnects to each new
# router within its back-off, 2 s at most).
if [ -z "$APP_PID" ]; then
	start_app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
	app_started 15 || abort "the app did not start"
fi

# 2. dotnet-counters collect and monitor.
if offers "dotnet-counters collect" &&
	launch_start dc "$DOTNET_COUNTERS" collect --counters "$COUNTERS" --refresh-interval 1 \
		--duration 00:00:00:05 --format csv -o "$D/dc.csv"; then
	launch_finish dc
	if [ -s "$D/dc.csv" ]; then
		counters_csv_check "$D/dc.csv" "dotnet-counters collect --dsrouter (5 s)" yes
	else
		fail "dotnet-counters collect --dsrouter wrote no csv"
		tail -n 5 "$D/dc.out" | show
	fi
fi
if offers "dotnet-counters monitor" &&
	launch_start dm "$DOTNET_COUNTERS" monitor --counters System.Runtime,DsrInterop.App \
		--refresh-interval 1 --duration 00:00:00:04; then
	launch_finish dm
	# Its screen, escape sequences and all.
	mk=$(grep -a -o "dsrinterop.markers ({marker}) *[0-9,]*" "$D/dm.out" | tail -n 1 | awk '{ print $NF }')
	ws=$(grep -a -o "dotnet.process.memory.working_set (By) *[0-9,]*" "$D/dm.out" | tail -n 1 | awk '{ print $NF }')
	if [ "$mk" = "1,000" ] && [ -n "$ws" ]; then
		ok "dotnet-counters monitor --dsrouter (4 s) showed dsrinterop.markers $mk and the working set, $ws B"
	else
		fail "dotnet-counters monitor --dsrouter: markers '$mk', working set '$ws'"
	fi
fi

# 3. dotnet-gcdump collect.
if offers "dotnet-gcdump collect" &&
	launch_start dg "$DOTNET_GCDUMP" collect -o "$D/dg.gcdump"; then
	launch_finish dg
	if [ -s "$D/dg.gcdump" ]; then
		gcdump_marker_check "dotnet-gcdump collect --dsrouter ($(stat -c %s "$D/dg.gcdump") bytes)" "$D/dg.gcdump"
	else
		fail "dotnet-gcdump collect --dsrouter wrote no gcdump"
		tail -n 5 "$D/dg.out" | show
	fi
fi

# 4. Ctrl-C: SIGINT to the process group of the tool and its router.
if offers "dotnet-trace collect" && command -v setsid > /dev/null 2>&1 &&
	env --default-signal=INT true 2> /dev/null; then
	if LAUNCH_GROUP=1 launch_start dt-int "$DOTNET_TRACE" collect --providers "$PROVIDER" \
		--duration 00:00:01:00 -o "$D/dt-int.nettrace"; then
		if wait_for "$D/dt-int.out" '^Output File' 15; then
			sleep 2
			if [ "$(ps -o pgid= -p "$LAUNCHED" | tr -d ' ')" = "$TOOL_PID" ]; then
				kill -INT -- "-$TOOL_PID"
				ok "Ctrl-C: SIGINT to the process group $TOOL_PID (dotnet-trace and its router $LAUNCHED)"
			else
				fail "the router $LAUNCHED is not in the tool's process group $TOOL_PID"
				kill -INT "$TOOL_PID"
			fi
			launch_finish dt-int
			if grep -q 'Trace completed' "$D/dt-int.out"; then
				check_trace "$D/dt-int.nettrace" "dotnet-trace --dsrouter ended by Ctrl-C"
			else
				fail "dotnet-trace --dsrouter, Ctrl-C: no 'Trace completed'"
				tail -n 5 "$D/dt-int.out" | show
			fi
		else
			fail "dotnet-trace --dsrouter: the session did not start"
			tail -n 5 "$D/dt-int.out" | show
		fi
	fi
else
	note "SKIP: Ctrl-C: needs setsid and env --default-signal (coreutils 8.31)"
fi

# 5. The tool killed mid-trace: its router sees its parent go and exits.
if offers "dotnet-trace collect" &&
	launch_start dt-kill "$DOTNET_TRACE" collect --providers "$PROVIDER" \
		--duration 00:00:01:00 -o "$D/dt-kill.nettrace"; then
	if wait_for "$D/dt-kill.out" '^Output File' 15; then
		sleep 1
		t0=$(now)
		kill -KILL "$TOOL_PID"
		wait "${PID[dt-kill]}" 2>/dev/null
		launched_gone "$LAUNCHED" "it saw its parent, dotnet-trace $TOOL_PID, killed mid-trace, and exited by itself" "$t0"
	else
		fail "dotnet-trace --dsrouter: the session did not start"
		tail -n 5 "$D/dt-kill.out" | show
	fi
fi

scenario_end

# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# tests/interop/lib.sh: the shell functions of the interop tests, sourced by
# the driver (run-interop.sh) and by every scenario file (scenarios/NN-*.sh).
#
# In three parts:
#   1. for both: logging, waits with time-outs, ending the processes a run
#      started;
#   2. the driver's set-up: building the .NET projects, installing tools
#      from the package feed;
#   3. the scenarios' steps: routers, the app, the tools, and the checks on
#      what they report.
#
# How processes are found and ended: every process of a run has TMPDIR
# under the run's directory $RUN in its environment (each scenario runs with
# TMPDIR set to its own directory, the set-up with $RUN/setup), so the driver
# finds whatever is left, even a process whose parent died first, and ends
# it. A scenario also ends the processes it started itself when it exits.

set -u
export LC_ALL=C

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
	DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 \
	MSBUILDDISABLENODEREUSE=1 DOTNET_GENERATE_ASPNET_CERTIFICATE=false \
	DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1 DOTNET_ROLL_FORWARD=Major \
	DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
unset DOTNET_DiagnosticPorts DOTNET_DefaultDiagnosticPortSuspend

# The app's EventSource: every trace must name it.
PROVIDER=DsrInterop-App

# ===========================================================================
# 1. For both: logging, waits, ending processes.

log() { printf '%s\n' "$*"; }
now() { date +%s.%N; }

# Seconds since a now() value, to a tenth.
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Value of KEY in a key=value output file (the first match).
kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# show FILE...: the files' lines, indented and marked, under a check's line.
show() { cat "$@" 2>/dev/null | sed 's/^/    | /'; }

# wait_for FILE ERE SECS: wait up to SECS for FILE to have a line matching
# the ERE; 1 if it never did.
wait_for() {
	local file=$1 re=$2 secs=$3 end
	end=$(($(date +%s) + secs))
	while [ "$(date +%s)" -le "$end" ]; do
		grep -Eq -- "$re" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_exit PID SECS: wait up to SECS for a process to exit; 1 if it did not.
wait_exit() {
	local pid=$1 secs=$2 end
	end=$(($(date +%s) + secs))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$(date +%s)" -gt "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

# procs_in DIR: the processes started with TMPDIR=DIR or a directory under
# it, this shell excepted (grep runs with a TMPDIR of its own, so as not to
# find itself).
procs_in() {
	local f p
	while read -r f; do
		p=${f#/proc/}
		p=${p%/environ}
		[ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] || echo "$p"
	done < <(TMPDIR=/ grep -lzF "TMPDIR=$1" /proc/[0-9]*/environ 2>/dev/null)
}

# alive PID: the process is there and not a zombie (an orphan's zombie may
# wait a while for its reaper).
alive() {
	local st
	read -r st 2>/dev/null < "/proc/$1/stat" || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# end_procs PID...: SIGTERM, and SIGKILL to any still there 2 s later.
end_procs() {
	local p left=() any
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null && left+=("$p")
	done
	[ ${#left[@]} -eq 0 ] && return 0
	for _ in $(seq 20); do
		any=0
		for p in "${left[@]}"; do alive "$p" && any=1; done
		[ $any -eq 0 ] && return 0
		sleep 0.1
	done
	for p in "${left[@]}"; do kill -KILL "$p" 2>/dev/null; done
	return 0
}

# ===========================================================================
# 2. The driver's set-up. Uses INTEROP_SRC (tests/interop in the source
# tree), WORK (tests/interop/_dotnet in the build tree, kept between runs),
# TOOLS_DIR (WORK/tools) and RUN.

# build_project NAME PROJECT SECS: copy tests/interop/NAME from the source
# tree (read-only under distcheck) to WORK/NAME-src and build it into
# WORK/NAME-bin, unless nothing changed since the last build. Prints
# "built" or "up to date"; the build's log is WORK/NAME-build.log.
build_project() {
	local name=$1 proj=$2 secs=$3 src=$WORK/$1-src out=$WORK/$1-bin f changed=0
	mkdir -p "$src"
	for f in "$INTEROP_SRC/$name"/*.csproj "$INTEROP_SRC/$name"/*.cs; do
		cmp -s "$f" "$src/${f##*/}" || { cp "$f" "$src/" && changed=1; }
	done
	if [ $changed -eq 0 ] && [ -f "$out/$proj.dll" ]; then
		echo "up to date"
		return 0
	fi
	echo "built"
	(cd "$src" && timeout "$secs" dotnet build -c Release -o "$out" -nologo \
		-nodeReuse:false -p:UseSharedCompilation=false -clp:ErrorsOnly "$proj.csproj") \
		> "$WORK/$name-build.log" 2>&1 || return 1
	[ -f "$out/$proj.dll" ]
}

# build_netclient: build DsrNetClient (it needs the package feed, or the
# package in the NuGet cache); its status line goes to RUN/st-netclient.
build_netclient() {
	local st=$RUN/st-netclient limit=${INTEROP_MIRROR_TIMEOUT:-60} version msg
	if [ "${INTEROP_NO_MIRROR:-0}" = 1 ]; then
		echo "not tried (INTEROP_NO_MIRROR=1)" > "$st"
		return 0
	fi
	if build_project netclient DsrNetClient "$limit" > /dev/null; then
		version=$(sed -n 's/.*NETCore.Client" Version="\([^"]*\)".*/\1/p' "$INTEROP_SRC/netclient/DsrNetClient.csproj")
		echo "ok Microsoft.Diagnostics.NETCore.Client $version" > "$st"
	else
		msg=$(grep -E 'error' "$WORK/netclient-build.log" 2>/dev/null | head -n 1 | cut -c1-200)
		echo "not available: ${msg:-restore or build failed or timed out after $limit s}" > "$st"
	fi
}

# tool_version EXE: the version a .NET tool reports (without its "+commit"
# tail); nothing if it is not there.
tool_version() {
	[ -x "$1" ] || return 0
	"$1" --version 2>/dev/null | sed -n '1s/+.*//p'
}

# install_tool NAME VERSION: the .NET tool NAME at VERSION in TOOLS_DIR,
# installed from the package feed once and reused by later runs. Its status
# line goes to RUN/st-NAME: "ok VERSION (how)", or why it is not available.
# Never fails the run: a tool the feed refuses is reported, an older copy
# already installed is used instead, and the scenarios do without a tool
# that is missing. After a feed that did not answer at all (not a "not
# found"), no other tool is asked of it in this run.
install_tool() {
	local name=$1 version=$2 exe=$TOOLS_DIR/$1 st=$RUN/st-$1 out=$RUN/install-$1.log
	local limit=${INTEROP_MIRROR_TIMEOUT:-60} have verb rc why
	if [ "${INTEROP_NO_MIRROR:-0}" = 1 ]; then
		echo "not tried (INTEROP_NO_MIRROR=1)" > "$st"
		return 0
	fi
	have=$(tool_version "$exe")
	if [ "$have" = "$version" ]; then
		echo "ok $have (installed before, reused)" > "$st"
		return 0
	fi
	if [ -s "$RUN/feed-down" ]; then
		why="not tried: $(cat "$RUN/feed-down")"
	else
		verb=install
		[ -n "$have" ] && verb=update
		timeout "$limit" dotnet tool "$verb" --tool-path "$TOOLS_DIR" "$name" \
			--version "$version" --allow-downgrade > "$out" 2>&1
		rc=$?
		[ $rc -eq 124 ] && echo "timed out after $limit s" >> "$out"
		if [ $rc -eq 0 ] && [ "$(tool_version "$exe")" = "$version" ]; then
			echo "ok $version (installed from the package feed)" > "$st"
			return 0
		fi
		why="not available: $(grep -v '^[[:space:]]*$' "$out" | tail -n 1 | cut -c1-160)"
		grep -q 'is not found in NuGet feeds' "$out" ||
			echo "the package feed failed for $name" > "$RUN/feed-down"
	fi
	have=$(tool_version "$exe")
	if [ -n "$have" ]; then
		echo "ok $have (installed before, reused; $version $why)" > "$st"
	else
		echo "$why" > "$st"
	fi
}

# installed_tool NAME: the path of tool NAME if install_tool got it.
installed_tool() {
	case $(cat "$RUN/st-$1" 2>/dev/null) in
	ok*) echo "$TOOLS_DIR/$1" ;;
	esac
}

# ===========================================================================
# 3. The scenarios' steps. A scenario file calls scenario_begin first and
# scenario_end last; in between, D is its directory, each check logs one
# "ok:" or "FAIL:" line, and a failed check makes the scenario fail at its
# end (abort: at once). The driver exports RUN, DSROUTERD, DSR_IPC, APP_DLL,
# TOOLS_DIR, and DOTNET_TRACE, DOTNET_COUNTERS, DOTNET_GCDUMP, DOTNET_DUMP,
# DOTNET_STACK, NETCLIENT and DSROUTER_LINK (a path, or empty when not
# available; RUN/st-NAME says why).

declare -A PID=()   # named processes: routers by name, background tools
declare -A APPS=()  # named instances of the app (start_named_app): their pids
declare -A DT_ARGS=() DT_SECS=()    # each dotnet_trace_start's arguments
PIDS=()             # every process the scenario started
APP_PID=            # the app now running
FAILS=0

note() { log "  $*"; }
ok() { log "  ok: $*"; }
fail() { log "  FAIL: $*"; FAILS=$((FAILS + 1)); }

# abort MESSAGE: a failed check after which the scenario cannot go on.
abort() { fail "$*"; exit 1; }

# track PID: end this process whenever the scenario exits.
track() { PIDS+=("$1"); }

# Ends the tracked processes that are still the scenario's (their
# environment names its directory: a recycled pid is left alone).
end_tracked() {
	local p mine=()
	for p in "${PIDS[@]}"; do
		grep -qzF "TMPDIR=$D" "/proc/$p/environ" 2>/dev/null && mine+=("$p")
	done
	[ ${#mine[@]} -eq 0 ] || end_procs "${mine[@]}"
}

# scenario_begin: the directory the driver made for this scenario becomes
# D, the working directory and TMPDIR (the app's default socket and the
# tools' files land there); the tracked processes are ended on every exit.
scenario_begin() {
	D=${INTEROP_SCENARIO_DIR:-}
	if [ -z "$D" ] || [ -z "${RUN:-}" ]; then
		log "${0##*/}: scenarios run through the driver: tests/interop/run-interop.sh N"
		exit 64
	fi
	export TMPDIR=$D
	cd "$D" || exit 1
	trap end_tracked EXIT
	trap 'exit 143' TERM INT
}

# scenario_end: exit 0 if every check passed, else 1.
scenario_end() {
	[ "$FAILS" -eq 0 ] && exit 0
	exit 1
}

# keep_earlier FILE: move an earlier process's FILE (its log or output) to
# FILE-1, FILE-2... (before the extension) so that none is lost.
keep_earlier() {
	local f=$1 i=1
	[ -e "$f" ] || return 0
	while [ -e "${f%.*}-$i.${f##*.}" ]; do i=$((i + 1)); done
	mv "$f" "${f%.*}-$i.${f##*.}"
}

# ---- routers

# start_router NAME ARGS...: run dsrouterd ARGS with its debug log in
# D/NAME.log; PID[NAME] is its pid. Waits until it is up; 1 if it is not.
start_router() {
	local name=$1
	shift
	keep_earlier "$D/$name.log"
	"$DSROUTERD" "$@" -v debug 2> "$D/$name.log" &
	PID[$name]=$!
	track "${PID[$name]}"
	if ! wait_for "$D/$name.log" 'running [0-9]+ route' 10; then
		fail "router $name did not start: $*"
		show "$D/$name.log"
		return 1
	fi
	note "router $name (pid ${PID[$name]}): dsrouterd $*"
}

# log_msg: a router's log lines without their prefix ("info: 23:24:14.345
# dsrouterd[11841]: "), for quoting them in a check's line.
log_msg() { sed -E 's/^(crit|fail|warn|info|dbug|trce): [0-9:.]+ [^ ]+\[[0-9]+\]: //'; }

# The tool socket and the runtime TCP port router NAME reports.
router_tool_sock() { sed -n 's/.*listening for tools on //p' "$D/$1.log" | head -n 1; }
router_rt_port() { sed -n 's/.*listening for runtimes on .*:\([0-9][0-9]*\)$/\1/p' "$D/$1.log" | head -n 1; }

# ---- the app

# start_app [--burst] [VAR=VALUE...]: run the app (output in D/app.out) with
# TMPDIR=D and the variables given; APP_PID is its pid. Waits for nothing (a
# suspended app prints nothing). With --burst it writes events as fast as it
# can.
start_app() {
	local a env=() args=()
	for a; do
		case $a in
		--*) args+=("$a") ;;
		*) env+=("$a") ;;
		esac
	done
	rm -f "$D/app.stop"
	keep_earlier "$D/app.out"
	env "${env[@]}" TMPDIR="$D" dotnet "$APP_DLL" --stop-file "$D/app.stop" \
		--lifetime 90 "${args[@]}" > "$D/app.out" 2>&1 &
	APP_PID=$!
	track "$APP_PID"
}

# app_started SECS: the app printed "started" (Main ran) within SECS.
app_started() { wait_for "$D/app.out" '^started ' "$1"; }

# stop_app: its stop file, then SIGTERM, then SIGKILL.
stop_app() {
	touch "$D/app.stop"
	wait_exit "$APP_PID" 5 || kill -TERM "$APP_PID" 2>/dev/null
	wait_exit "$APP_PID" 5 || kill -KILL "$APP_PID" 2>/dev/null
}

# app_socket: the app's own default listen socket, once it is there (15 s).
app_socket() {
	local s end=$(($(date +%s) + 15))
	while [ "$(date +%s)" -le "$end" ]; do
		for s in "$D"/dotnet-diagnostic-"$APP_PID"-*-socket; do
			[ -S "$s" ] && { echo "$s"; return 0; }
		done
		sleep 0.1
	done
	return 1
}

# direct_cookie: the app's cookie, asked on its own default socket (not
# through any router), to compare with what routes report.
direct_cookie() {
	local sock
	sock=$(app_socket) || return 1
	"$DSR_IPC" -t 10 processinfo "$sock" > "$D/direct.out" 2>&1 || return 1
	kv "$D/direct.out" cookie
}

# ---- several instances of the app at once

# start_named_app NAME [--burst] [VAR=VALUE...]: one more instance of the
# app, run with --name NAME (its command line and every tick's text say
# NAME: "DsrInterop tick NAME pid PID"); output in D/app-NAME.out, stop file
# D/app-NAME.stop, pid in APPS[NAME]. Waits for nothing.
start_named_app() {
	local name=$1 a env=() args=()
	shift
	for a; do
		case $a in
		--*) args+=("$a") ;;
		*) env+=("$a") ;;
		esac
	done
	rm -f "$D/app-$name.stop"
	keep_earlier "$D/app-$name.out"
	env "${env[@]}" TMPDIR="$D" dotnet "$APP_DLL" --name "$name" \
		--stop-file "$D/app-$name.stop" --lifetime 90 "${args[@]}" \
		> "$D/app-$name.out" 2>&1 &
	APPS[$name]=$!
	track "${APPS[$name]}"
}

# named_app_started NAME SECS: that instance printed "started" within SECS.
named_app_started() { wait_for "$D/app-$1.out" '^started ' "$2"; }

# stop_named_app NAME: its stop file, then SIGTERM, then SIGKILL; returns
# once it has exited.
stop_named_app() {
	local pid=${APPS[$1]}
	touch "$D/app-$1.stop"
	wait_exit "$pid" 5 || kill -TERM "$pid" 2>/dev/null
	wait_exit "$pid" 5 || kill -KILL "$pid" 2>/dev/null
	wait_exit "$pid" 5
}

# cookie_of PID: the cookie of the app with that pid, asked on its own
# default socket (not through any router).
cookie_of() {
	local s
	for s in "$D"/dotnet-diagnostic-"$1"-*-socket; do
		[ -S "$s" ] || continue
		"$DSR_IPC" -t 10 processinfo "$s" > "$D/direct-$1.out" 2>&1 || return 1
		kv "$D/direct-$1.out" cookie
		return 0
	done
	return 1
}

# trace_owner_check FILE NAME WHAT: the trace FILE is the app NAME's and no
# other's: its header names that app's pid, its events carry that app's
# "tick NAME pid PID", and none carries another named app's tick.
trace_owner_check() {
	local f=$1 name=$2 what=$3 pid=${APPS[$2]} hp o others=
	"$DSR_IPC" nettrace-check "$f" "tick $name pid $pid" > "$D/own.out"
	hp=$(kv "$D/own.out" pid)
	if [ "$hp" != "$pid" ]; then
		fail "$what: the trace's header names pid $hp, not app $name's $pid"
		return 1
	fi
	if [ "$(kv "$D/own.out" name)" = missing ]; then
		fail "$what: no event of app $name ('tick $name pid $pid') in the trace"
		return 1
	fi
	for o in "${!APPS[@]}"; do
		[ "$o" = "$name" ] && continue
		"$DSR_IPC" nettrace-check "$f" "tick $o pid" > "$D/own.out"
		if [ "$(kv "$D/own.out" name)" != missing ]; then
			fail "$what: the trace of app $name holds events of app $o ('tick $o pid')"
			return 1
		fi
		others+="${others:+, }'tick $o'"
	done
	ok "$what: the trace is app $name's alone: its header names pid $pid, its events say 'tick $name pid $pid'${others:+, none says $others}"
}

# ---- JSON (dsrouterd status --json): jq when installed, else python3

# have_json: jq or python3 is there (0); else a note says why the JSON
# checks are skipped (1).
have_json() {
	command -v jq > /dev/null 2>&1 && return 0
	command -v python3 > /dev/null 2>&1 && return 0
	note "SKIP: the checks of status --json: neither jq nor python3 is installed"
	return 1
}

# json_at FILE PATH: the value at PATH (a JSON array of keys and indices,
# e.g. '["routes",0,"runtimes_mode"]') in FILE: strings bare, anything else
# as JSON; "null" when it is not there. 1 if FILE is not JSON.
json_at() {
	if command -v jq > /dev/null 2>&1; then
		jq -r --argjson p "$2" 'getpath($p) | if type == "string" then . else tojson end' "$1" 2>/dev/null
		return
	fi
	python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
for k in json.loads(sys.argv[2]):
    try:
        v = v[k]
    except (KeyError, IndexError, TypeError):
        v = None
        break
print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
' "$1" "$2" 2>/dev/null
}

# status_runtimes FILE ROUTE: one line per runtime of route number ROUTE in
# a status --json answer: pid, cookie, tool socket and command line, by
# tabs.
status_runtimes() {
	if command -v jq > /dev/null 2>&1; then
		jq -r --argjson r "$2" '.routes[$r].runtimes[] |
			[.pid, .cookie, (.tool_socket // "-"), (.command_line // "-")] | @tsv' "$1"
		return
	fi
	python3 -c '
import json, sys
for rt in json.load(open(sys.argv[1]))["routes"][int(sys.argv[2])]["runtimes"]:
    print("\t".join(str(rt.get(k) if rt.get(k) is not None else "-")
                    for k in ("pid", "cookie", "tool_socket", "command_line")))
' "$1" "$2"
}

# ---- tools

# netclient SECS ARGS...: DsrNetClient, its own time limit SECS, killed 5 s
# after that.
netclient() {
	local secs=$1
	shift
	DSR_NETCLIENT_TIMEOUT=$secs timeout $((secs + 5)) dotnet "$NETCLIENT" "$@"
}

# dotnet_trace_start NAME SECS ARGS...: the real dotnet-trace collecting
# our provider for SECS, in the background (PID[NAME]); its output in
# D/NAME.out, its trace in D/NAME.nettrace.
dotnet_trace_start() {
	local name=$1 secs=$2
	shift 2
	DT_ARGS[$name]="$*"
	DT_SECS[$name]=$secs
	timeout $((secs + 40)) "$DOTNET_TRACE" collect "$@" --providers "$PROVIDER" \
		--duration "$(printf '00:00:00:%02d' "$secs")" -o "$D/$name.nettrace" \
		< /dev/null > "$D/$name.out" 2>&1 &
	PID[$name]=$!
	track "${PID[$name]}"
}

# dotnet_trace_finish NAME: dotnet-trace NAME exited 0 and said "Trace
# completed", and its trace passes check_trace.
dotnet_trace_finish() {
	local name=$1 rc
	wait "${PID[$name]}"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "dotnet-trace collect ${DT_ARGS[$name]} failed ($rc)"
		show "$D/$name.out"
		return 1
	fi
	if ! grep -q 'Trace completed' "$D/$name.out"; then
		fail "dotnet-trace collect ${DT_ARGS[$name]} did not report 'Trace completed'"
		show "$D/$name.out"
		return 1
	fi
	ok "dotnet-trace collect ${DT_ARGS[$name]} --providers $PROVIDER --duration ${DT_SECS[$name]}s: Trace completed"
	check_trace "$D/$name.nettrace" "dotnet-trace trace"
}

# dotnet_trace NAME SECS ARGS...: both, when dotnet-trace is at hand.
dotnet_trace() {
	[ -n "$DOTNET_TRACE" ] || return 0
	dotnet_trace_start "$@"
	dotnet_trace_finish "$1"
}

# ---- the other real tools: dotnet-counters, dotnet-gcdump, dotnet-dump,
# dotnet-stack. The app publishes counters (its Meter DsrInterop.App, its
# EventSource's EventCounter) and keeps MARKERS DsrInteropMarker objects
# alive (tests/interop/app/Program.cs).

MARKERS=1000
# What dotnet-counters is asked for: the runtime's own counters, the app's
# Meter and the app's EventSource (its EventCounter).
# shellcheck disable=SC2034 # used by the scenarios
COUNTERS=System.Runtime,DsrInterop.App,$PROVIDER

# have_tool NAME: the tool is installed (0); else a note says why the steps
# that need it are skipped (1).
have_tool() {
	[ -n "$(installed_tool "$1")" ] && return 0
	note "SKIP: the steps with $1: $(cat "$RUN/st-$1" 2>/dev/null || echo 'not installed')"
	return 1
}

# tool_ps_check EXE PID: `EXE ps` lists PID as dsrouterd.
tool_ps_check() {
	local exe=$1 pid=$2 name=${1##*/}
	if timeout 30 "$exe" ps < /dev/null > "$D/$name-ps.out" 2>&1 &&
		grep -Eq "^[[:space:]]*${pid}[[:space:]]+dsrouterd" "$D/$name-ps.out"; then
		ok "$name ps lists the router: '$(grep -E "^[[:space:]]*${pid}[[:space:]]" "$D/$name-ps.out" | tr -s ' ' | cut -c1-60)'"
	else
		fail "$name ps does not list the router (pid $pid)"
		show "$D/$name-ps.out"
	fi
}

# counter_last FILE PROVIDER NAME: the last value dotnet-counters wrote to
# its csv FILE for the counter of PROVIDER whose name begins with NAME.
counter_last() {
	awk -F, -v p="$2" -v n="$3" '$2 == p && index($3, n) == 1 { v = $5 } END { print v }' "$1"
}

# positive VALUE: a number above 0.
positive() { awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'; }

# counters_csv_check FILE WHAT [EVENTCOUNTER]: the csv FILE of dotnet-counters
# collect holds values of the runtime's System.Runtime meter (working set,
# assemblies loaded) and of the app's Meter (MARKERS markers alive, ticks per
# second), and with EVENTCOUNTER=yes its EventCounter (ticks written).
counters_csv_check() {
	local f=$1 what=$2 ec=${3:-no} ws asm mk tk tw rows
	ws=$(counter_last "$f" System.Runtime dotnet.process.memory.working_set)
	asm=$(counter_last "$f" System.Runtime dotnet.assembly.count)
	mk=$(counter_last "$f" DsrInterop.App dsrinterop.markers)
	tk=$(counter_last "$f" DsrInterop.App dsrinterop.ticks)
	tw=$(counter_last "$f" "$PROVIDER" 'DsrInterop ticks written')
	rows=$(($(wc -l < "$f") - 1))
	if ! positive "$ws" || ! positive "$asm"; then
		fail "$what: no System.Runtime values (working set '$ws', assemblies '$asm')"
		head -n 5 "$f" | show
		return 1
	fi
	if [ "$mk" != "$MARKERS" ] || ! positive "$tk"; then
		fail "$what: the app's Meter DsrInterop.App: markers '$mk' (expected $MARKERS), ticks/s '$tk'"
		grep DsrInterop "$f" | head -n 5 | show
		return 1
	fi
	if [ "$ec" = yes ] && ! positive "$tw"; then
		fail "$what: no value of the app's EventCounter ($PROVIDER, 'DsrInterop ticks written')"
		return 1
	fi
	ok "$what: $rows rows; System.Runtime working set $ws B, $asm assemblies; the app's Meter: dsrinterop.markers $mk, dsrinterop.ticks $tk/s${tw:+; its EventCounter: $tw ticks written}"
}

# gcdump_marker_check WHAT ARGS...: `dotnet-gcdump report ARGS` (a file, or
# -p PID) lists the app's DsrInteropMarker objects.
gcdump_marker_check() {
	local what=$1 out=$D/gcreport.out n objs
	shift
	keep_earlier "$out"
	if ! timeout 60 "$DOTNET_GCDUMP" report "$@" < /dev/null > "$out" 2>&1; then
		fail "$what: dotnet-gcdump report $* failed"
		tail -n 5 "$out" | show
		return 1
	fi
	n=$(awk '$3 == "DsrInteropMarker" && $4 == "[DsrInteropApp.dll]" { print $2 }' "$out")
	objs=$(awk '/GC Heap objects/ { print $1 }' "$out")
	if [ -z "$n" ]; then
		fail "$what: dotnet-gcdump report $* does not list DsrInteropMarker ($objs objects)"
		head -n 12 "$out" | show
		return 1
	fi
	ok "$what: dotnet-gcdump report lists $n DsrInteropMarker (the app keeps $MARKERS) among $objs objects"
}

# ---- checks

# check_pi FILE PREFIX PID COOKIE WHAT: the ProcessInfo answer in FILE (keys
# PREFIXpid, PREFIXcookie, PREFIXcommandline) names the app: its pid, its
# cookie (unless COOKIE is empty) and a command line naming dotnet.
check_pi() {
	local f=$1 pre=$2 pid=$3 cookie=$4 what=$5 got_pid got_cookie cmd
	got_pid=$(kv "$f" "${pre}pid")
	got_cookie=$(kv "$f" "${pre}cookie")
	cmd=$(kv "$f" "${pre}commandline")
	if [ "$got_pid" != "$pid" ]; then
		fail "$what: pid '$got_pid', expected $pid"
		return 1
	fi
	if [ -n "$cookie" ] && [ "$got_cookie" != "$cookie" ]; then
		fail "$what: cookie '$got_cookie', expected $cookie"
		return 1
	fi
	case $cmd in
	*dotnet*) ;;
	*) fail "$what: command line '$cmd' does not name dotnet"; return 1 ;;
	esac
	return 0
}

# pi_loop COUNT ADDR COOKIE: COUNT ProcessInfo through ADDR with dsr-ipc and
# (when built) as many with DsrNetClient; each must name the app.
pi_loop() {
	local count=$1 addr=$2 cookie=$3 i okn=0 t0
	t0=$(now)
	for i in $(seq "$count"); do
		if "$DSR_IPC" -t 10 processinfo "$addr" > "$D/pi.out" 2> "$D/pi.err" &&
			check_pi "$D/pi.out" "" "$APP_PID" "$cookie" "dsr-ipc ProcessInfo $i/$count"; then
			okn=$((okn + 1))
		else
			show "$D/pi.err"
			break
		fi
	done
	if [ $okn -eq "$count" ]; then
		ok "dsr-ipc: $count/$count ProcessInfo returned pid $APP_PID, cookie $cookie, '$(kv "$D/pi.out" commandline)' ($(elapsed "$t0") s)"
	else
		fail "dsr-ipc: only $okn/$count ProcessInfo succeeded"
	fi
	[ -n "$NETCLIENT" ] || return 0
	okn=0
	t0=$(now)
	for i in $(seq "$count"); do
		if netclient 15 processinfo "$addr,connect" > "$D/npi.out" 2> "$D/npi.err" &&
			check_pi "$D/npi.out" "" "$APP_PID" "$cookie" "NETCore.Client ProcessInfo $i/$count"; then
			okn=$((okn + 1))
		else
			show "$D/npi.err"
			break
		fi
	done
	if [ $okn -eq "$count" ]; then
		ok "NETCore.Client: $count/$count ProcessInfo returned pid $APP_PID, cookie $cookie ($(elapsed "$t0") s)"
	else
		fail "NETCore.Client: only $okn/$count ProcessInfo succeeded"
	fi
}

# check_trace FILE WHAT: a complete nettrace (starts with "Nettrace", ends
# with the end-of-stream tag) naming our EventSource; with dotnet-trace at
# hand, `dotnet-trace report` must also read it whole and list our event.
check_trace() {
	local f=$1 what=$2
	if ! "$DSR_IPC" nettrace-check "$f" "$PROVIDER" > "$D/chk.out"; then
		fail "$what: $(tr '\n' ' ' < "$D/chk.out")"
		return 1
	fi
	if [ -z "$DOTNET_TRACE" ]; then
		ok "$what: $(kv "$D/chk.out" size) bytes, starts with Nettrace, names $PROVIDER, ends with the end-of-stream tag"
		return 0
	fi
	if ! timeout 60 "$DOTNET_TRACE" report "$f" topN > "$D/rep.out" 2>&1; then
		fail "$what: dotnet-trace report cannot read it:"
		head -n 5 "$D/rep.out" | show
		return 1
	fi
	if ! grep -q "$PROVIDER/Tick" "$D/rep.out"; then
		fail "$what: dotnet-trace report shows no $PROVIDER/Tick event"
		return 1
	fi
	ok "$what: $(kv "$D/chk.out" size) bytes, starts with Nettrace, names $PROVIDER, ends with the end-of-stream tag; dotnet-trace report reads it whole and lists $PROVIDER/Tick"
}

# first_event_check FILE WHAT: startup tracing caught the app's very first
# event, so the session began before Main ran.
first_event_check() {
	if "$DSR_IPC" nettrace-check "$1" "DsrInterop first tick" > /dev/null; then
		ok "$2: the trace holds the app's first event ('DsrInterop first tick'): the session began before Main ran"
	else
		fail "$2: the trace lacks the app's first event: the runtime ran before the session began"
	fi
}

# collect_start NAME ADDR: a dsr-ipc CollectTracing2 session through ADDR
# in the background (PID[NAME]; output D/NAME.out, trace D/NAME.nettrace);
# waits until the session has started; 1 if it does not.
collect_start() {
	local name=$1 addr=$2
	"$DSR_IPC" -t 30 collect -o "$D/$name.nettrace" "$addr" > "$D/$name.out" 2> "$D/$name.err" &
	PID[$name]=$!
	track "${PID[$name]}"
	if ! wait_for "$D/$name.out" '^session=' 10; then
		fail "dsr-ipc collect: no session started"
		show "$D/$name.err"
		return 1
	fi
}

# collect_stop ADDR SECS NAME: a dsr-ipc session through ADDR, stopped
# after SECS by a StopTracing that a second process (dsr-ipc stop) sends on
# a second connection; the stream must end complete and pass check_trace.
collect_stop() {
	local addr=$1 secs=$2 name=$3 session rc
	collect_start "$name" "$addr" || return 1
	session=$(kv "$D/$name.out" session)
	sleep "$secs"
	if ! "$DSR_IPC" -t 10 stop "$addr" "$session" > "$D/$name.stop.out" 2>&1; then
		fail "dsr-ipc stop $session failed"
		show "$D/$name.stop.out"
		return 1
	fi
	if ! wait_exit "${PID[$name]}" 20; then
		fail "the stream did not end within 20 s of StopTracing ($(stat -c %s "$D/$name.nettrace") bytes so far)"
		return 1
	fi
	wait "${PID[$name]}"
	rc=$?
	if [ $rc -ne 0 ] || [ "$(kv "$D/$name.out" complete)" != yes ]; then
		fail "dsr-ipc collect exited $rc ($(tr '\n' ' ' < "$D/$name.out"))"
		show "$D/$name.err"
		return 1
	fi
	ok "dsr-ipc: CollectTracing2 session $session for ${secs} s, StopTracing on a second connection ended the stream ($(kv "$D/$name.out" bytes) bytes)"
	check_trace "$D/$name.nettrace" "dsr-ipc trace"
}

# netclient_collect ADDR SECS NAME: a NETCore.Client EventPipeSession for
# SECS, ended by its Stop(); the trace must pass check_trace.
netclient_collect() {
	[ -n "$NETCLIENT" ] || return 0
	local addr=$1 secs=$2 name=$3
	if ! netclient $((secs + 20)) collect "$addr,connect" "$PROVIDER" "$secs" "$D/$name.nettrace" \
		> "$D/$name.out" 2> "$D/$name.err"; then
		fail "NETCore.Client EventPipeSession failed"
		show "$D/$name.err"
		return 1
	fi
	ok "NETCore.Client: EventPipeSession for ${secs} s, Stop() ended the stream ($(kv "$D/$name.out" bytes) bytes)"
	check_trace "$D/$name.nettrace" "NETCore.Client trace"
}

# burst_check ROUTER ADDR VAR=VALUE...: replace the app by one that writes
# events as fast as it can (with VAR=VALUE...), and move 3 s of its trace
# (hundreds of MiB) through ADDR; the stream must end complete, with at
# least 8 MiB.
burst_check() {
	local router=$1 addr=$2 t0 mb
	shift 2
	stop_app
	start_app --burst "$@"
	app_started 15 || { fail "the burst app did not start"; return 1; }
	wait_for "$D/$router.log" "runtime pid $APP_PID (connected|.*replaces)" 10 ||
		{ fail "router never saw the burst app"; return 1; }
	t0=$(now)
	if ! "$DSR_IPC" -t 20 collect -s 3 -o /dev/null "$addr" > "$D/burst.out" 2> "$D/burst.err"; then
		fail "high-volume session: $(tr '\n' ' ' < "$D/burst.out")"
		show "$D/burst.err"
		return 1
	fi
	mb=$(awk -v b="$(kv "$D/burst.out" bytes)" 'BEGIN { printf "%.0f", b / 1048576 }')
	if [ "$mb" -lt 8 ]; then
		fail "high-volume session moved only $mb MiB"
		return 1
	fi
	ok "high volume: $mb MiB of trace in a 3 s session ($(elapsed "$t0") s with the stop), complete to the end-of-stream tag"
}

# ---- a reversed server (the tool listens, the runtime's side connects)

# listen_start PATH COUNT: dsr-ipc as a reversed server on PATH for COUNT
# connections, in the background (PID[listen]); waits until it listens.
listen_start() {
	"$DSR_IPC" -t 30 listen -n "$2" "$1" > "$D/listen.out" 2> "$D/listen.err" &
	PID[listen]=$!
	track "${PID[listen]}"
	wait_for "$D/listen.out" '^listening=' 5 || fail "dsr-ipc listen did not start"
}

# listen_check COUNT COOKIE WHOSE: dsr-ipc listen got its COUNT
# connections; each advertised the app's pid and COOKIE (WHOSE says where
# the advertise's cookie comes from) and answered a ProcessInfo naming the
# app on that same connection.
listen_check() {
	local count=$1 cookie=$2 whose=$3 rc i ap ac good=1
	wait_exit "${PID[listen]}" 30
	wait "${PID[listen]}"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "dsr-ipc listen exited $rc"
		show "$D/listen.err"
		return 1
	fi
	for i in $(seq "$count"); do
		ap=$(kv "$D/listen.out" "$i.advertise_pid")
		ac=$(kv "$D/listen.out" "$i.advertise_cookie")
		if [ "$ap" != "$APP_PID" ]; then
			fail "connection $i: advertise pid $ap, expected $APP_PID"
			good=0
		elif [ "$ac" != "$cookie" ]; then
			fail "connection $i: advertise cookie $ac, but the app's is $cookie"
			good=0
		elif ! check_pi "$D/listen.out" "$i." "$APP_PID" "$cookie" "connection $i ProcessInfo"; then
			good=0
		fi
	done
	[ $good -eq 1 ] || return 1
	ok "dsr-ipc listen: $count connections, each advertised pid $APP_PID cookie $cookie ($whose) and answered a ProcessInfo on the same connection"
}

# netclient_listen PATH COOKIE WHAT: NETCore.Client as a reversed server on
# PATH accepts the runtime's advertise and runs ProcessInfo on it.
netclient_listen() {
	[ -n "$NETCLIENT" ] || return 0
	local path=$1 cookie=$2 what=$3
	if netclient 20 listen "$path" > "$D/nlisten.out" 2> "$D/nlisten.err" &&
		check_pi "$D/nlisten.out" "1." "$APP_PID" "$cookie" "NETCore.Client reversed server"; then
		ok "NETCore.Client reversed server: $what: pid $APP_PID, cookie $cookie"
	else
		fail "NETCore.Client reversed server failed"
		show "$D/nlisten.err"
	fi
}

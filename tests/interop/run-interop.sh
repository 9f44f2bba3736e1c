#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-interop.sh: dsrouterd against real .NET runtimes and real tools.
#
# Builds a small .NET app (tests/interop/app) and runs it behind dsrouterd in
# the scenarios of tests/interop/scenarios/, with three kinds of tool on the
# other side: dsr-ipc (our own C client, always), DsrNetClient (built on
# Microsoft.Diagnostics.NETCore.Client, when the NuGet mirror or the NuGet
# cache has the package) and the real dotnet-trace, dotnet-counters,
# dotnet-gcdump, dotnet-dump and dotnet-stack (when `dotnet tool install` can
# get them). Whatever the mirror cannot provide is reported and the steps
# that need it are skipped; it never fails a scenario by itself.
#
# The tools' --dsrouter option starts `dotnet-dsrouter` from the tools' own
# folder: a symbolic link of that name to dsrouterd, made there, lets them
# start ours (scenario 11).
#
#   run-interop.sh [SCENARIO...]   run all scenarios, or the ones named, by
#                                  number (3) or name (eventpipe)
#
# This is the driver: it builds and installs what the scenarios need, runs
# each scenario file as its own process under timeout(1) in its own
# temporary directory, prints one line per scenario (PASS, FAIL or SKIP,
# with its time) followed by the checks it made, and ends every process a
# scenario left behind. The shared functions are in lib.sh.
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

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"

# The version of the diagnostics tools taken from the package feed.
TOOLS_VERSION=10.0.750501
SCENARIO_LIMIT=${INTEROP_SCENARIO_TIMEOUT:-90}

# ---------------------------------------------------------------------------
# Scenario files: scenarios/NN-NAME.sh, whose second line is
# "# Scenario N: TITLE".

# scenario_file ARG: the file that ARG (3, 03, eventpipe or 03-eventpipe)
# names; nothing if none does.
scenario_file() {
	local f
	case $1 in
	'' | *[!0-9]*) f=("$HERE"/scenarios/[0-9][0-9]-"${1#[0-9][0-9]-}".sh) ;;
	*) f=("$HERE"/scenarios/"$(printf '%02d' "$((10#$1))")"-*.sh) ;;
	esac
	[ -f "${f[0]}" ] && echo "${f[0]}"
}

scenario_number() { local b=${1##*/}; echo $((10#${b%%-*})); }
scenario_title() { sed -n 's/^# Scenario [0-9]*: //p' "$1" | head -n 1; }

# run_scenario FILE: run it under timeout in a new directory (SCENARIO_DIR),
# with its output in SCENARIO_DIR.log; then end whatever it left running.
# Returns its exit status (124 or 137: timed out).
run_scenario() {
	local file=$1 rc left
	SCENARIO_DIR=$(mktemp -d "$RUN/s$(scenario_number "$file").XXXX") || return 1
	# In the background and waited for, so that a signal to the driver
	# is handled at once.
	(cd "$SCENARIO_DIR" && INTEROP_SCENARIO_DIR=$SCENARIO_DIR TMPDIR=$SCENARIO_DIR \
		exec timeout -k 5 "$SCENARIO_LIMIT" bash "$file") > "$SCENARIO_DIR.log" 2>&1 &
	wait $! 2>/dev/null    # not the shell's note of a job killed
	rc=$?
	left=$(procs_in "$SCENARIO_DIR")
	if [ -n "$left" ]; then
		# shellcheck disable=SC2086 # one pid a word
		log "  (ended what the scenario left running: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)" | cut -c1-100 | tr '\n' ';'))" >> "$SCENARIO_DIR.log"
		# shellcheck disable=SC2086
		end_procs $left
	fi
	return $rc
}

# ---------------------------------------------------------------------------
# Is there a .NET SDK, and are our binaries built?

if ! command -v dotnet > /dev/null 2>&1; then
	log "SKIP: interop: 'dotnet' is not on PATH; these tests need the .NET SDK (https://dot.net)"
	exit 77
fi
if [ -z "$(dotnet --list-sdks 2>/dev/null)" ]; then
	log "SKIP: interop: 'dotnet' has no SDK ('dotnet --list-sdks' is empty); these tests build a .NET app"
	exit 77
fi

top_builddir=$PWD
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

# The scenarios asked for, or all of them.
SCENARIOS=("$@")
if [ $# -eq 0 ]; then
	for f in "$HERE"/scenarios/[0-9][0-9]-*.sh; do
		SCENARIOS+=("$(scenario_number "$f")")
	done
fi

# ---------------------------------------------------------------------------
# Directories: the .NET sources are copied from INTEROP_SRC (read-only under
# distcheck); built .NET pieces and installed tools persist in WORK between
# runs (make clean removes it); everything else lives in the temporary RUN,
# and every process of the run has TMPDIR under RUN (see lib.sh).

INTEROP_SRC=$HERE
WORK=$top_builddir/tests/interop/_dotnet
TOOLS_DIR=$WORK/tools
mkdir -p "$WORK" || exit 1

# Unix socket paths must stay short: prefer $TMPDIR, else /tmp.
base=${TMPDIR:-/tmp}
{ [ ${#base} -gt 40 ] || [ ! -w "$base" ]; } && base=/tmp
RUN=$(mktemp -d "$base/dsr-interop.XXXXXX") || exit 1
mkdir "$RUN/setup" || exit 1
export TMPDIR=$RUN/setup
SETUP_JOBS=()

# On every exit: end the set-up's jobs and every process of the run.
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	local left
	[ ${#SETUP_JOBS[@]} -eq 0 ] || end_procs "${SETUP_JOBS[@]}"
	left=$(procs_in "$RUN/")
	# shellcheck disable=SC2086 # one pid a word
	[ -z "$left" ] || end_procs $left
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

# ---------------------------------------------------------------------------
# Set-up: the tools and the client library from the package feed, in the
# background while the app builds. Nothing on the feed's side can fail the
# tests; an app that does not build fails them all.

t0=$(now)
# One after the other: installs into one --tool-path share its .store.
TOOLS=(dotnet-trace dotnet-counters dotnet-gcdump dotnet-dump dotnet-stack)
(for t in "${TOOLS[@]}"; do install_tool "$t" "$TOOLS_VERSION"; done) &
SETUP_JOBS+=($!)
build_netclient &
SETUP_JOBS+=($!)
build_project app DsrInteropApp 240 > "$RUN/st-app" &
wait $!
rc=$?
if [ $rc -ne 0 ]; then
	log "FAIL: interop: cannot build the .NET app (dotnet build); its log:"
	sed 's/^/  | /' "$WORK/app-build.log"
	for a in "${SCENARIOS[@]}"; do
		f=$(scenario_file "$a") &&
			log "FAIL: scenario $(scenario_number "$f") ($(scenario_title "$f")): the app did not build"
	done
	exit 1
fi
log "  app: built tests/interop/app ($(cat "$RUN/st-app")) in $(elapsed "$t0") s"
APP_DLL=$WORK/app-bin/DsrInteropApp.dll
wait "${SETUP_JOBS[@]}"
SETUP_JOBS=()

log "tool side (besides dsr-ipc, our own C client, always used):"
DOTNET_TRACE=$(installed_tool dotnet-trace)
log "  dotnet-trace: $(cat "$RUN/st-dotnet-trace")${DOTNET_TRACE:+; used in scenarios 2, 3, 5, 6, 7, 8, 11, 12, 13, 14, 15 and to check every trace}"
[ -n "$DOTNET_TRACE" ] || log "  (dotnet-trace missing: traces are checked by dsr-ipc nettrace-check only)"
DOTNET_COUNTERS=$(installed_tool dotnet-counters)
DOTNET_GCDUMP=$(installed_tool dotnet-gcdump)
DOTNET_DUMP=$(installed_tool dotnet-dump)
DOTNET_STACK=$(installed_tool dotnet-stack)
log "  dotnet-counters: $(cat "$RUN/st-dotnet-counters")${DOTNET_COUNTERS:+; used in scenarios 10, 11, 14}"
log "  dotnet-gcdump: $(cat "$RUN/st-dotnet-gcdump")${DOTNET_GCDUMP:+; used in scenarios 10, 11}"
log "  dotnet-dump: $(cat "$RUN/st-dotnet-dump")${DOTNET_DUMP:+; used in scenario 10}"
log "  dotnet-stack: $(cat "$RUN/st-dotnet-stack")${DOTNET_STACK:+; used in scenario 10}"
# The name the tools' --dsrouter starts, in their own folder, is dsrouterd.
DSROUTER_LINK=
if [ -d "$TOOLS_DIR" ]; then
	if ln -sfn "$DSROUTERD" "$TOOLS_DIR/dotnet-dsrouter" 2> "$RUN/st-link"; then
		DSROUTER_LINK=$TOOLS_DIR/dotnet-dsrouter
		log "  dotnet-dsrouter: $DSROUTER_LINK -> dsrouterd (what --dsrouter starts; scenario 11)"
	else
		log "  dotnet-dsrouter: cannot link it to dsrouterd: $(head -n 1 "$RUN/st-link")"
	fi
else
	echo "no tool is installed ($TOOLS_DIR is missing)" > "$RUN/st-link"
	log "  dotnet-dsrouter: not linked: $(cat "$RUN/st-link")"
fi
NETCLIENT=
st=$(cat "$RUN/st-netclient")
case $st in
ok*)
	NETCLIENT=$WORK/netclient-bin/DsrNetClient.dll
	log "  NETCore.Client: $st (DsrNetClient, used in scenarios 1-9, 12, 14, 15)" ;;
*)
	log "  NETCore.Client: $st; scenarios use dsr-ipc only" ;;
esac

export RUN APP_DLL DSROUTERD DSR_IPC DOTNET_TRACE NETCLIENT TOOLS_DIR \
	DOTNET_COUNTERS DOTNET_GCDUMP DOTNET_DUMP DOTNET_STACK DSROUTER_LINK

# ---------------------------------------------------------------------------
# The scenarios, one line each, then the checks each made; on a failure,
# the routers' logs and the app's output too.

failed=0 passed=0
for a in "${SCENARIOS[@]}"; do
	if ! f=$(scenario_file "$a"); then
		log "FAIL: scenario $a: no such scenario in $HERE/scenarios"
		failed=$((failed + 1))
		continue
	fi
	what="scenario $(scenario_number "$f") ($(scenario_title "$f"))"
	s0=$(now)
	run_scenario "$f"
	rc=$?
	secs=$(elapsed "$s0")
	case $rc in
	0) log "PASS: $what [$secs s]"; passed=$((passed + 1)) ;;
	77) log "SKIP: $what [$secs s]" ;;
	124 | 137) log "FAIL: $what [$secs s]: timed out after $SCENARIO_LIMIT s"; failed=$((failed + 1)) ;;
	*) log "FAIL: $what [$secs s]"; failed=$((failed + 1)) ;;
	esac
	sed 's/^/  /' "$SCENARIO_DIR.log"
	if [ $rc -ne 0 ] || [ "${INTEROP_VERBOSE:-0}" = 1 ]; then
		for l in "$SCENARIO_DIR"/*.log "$SCENARIO_DIR"/app*.out; do
			[ -f "$l" ] || continue
			log "  --- ${l##*/} (last 25 lines)"
			tail -n 25 "$l" | sed 's/^/  | /'
		done
	fi
done
log "interop: $passed passed, $failed failed, in $(elapsed "$t0") s"
[ $failed -eq 0 ] && exit 0
exit 1

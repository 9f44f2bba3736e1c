#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 10: dotnet-counters, dotnet-gcdump, dotnet-dump and dotnet-stack by the router's pid
#
# server-server with the runtime on unix:rt.sock and the default tool
# socket, so that every real tool finds the router by its pid as if it were
# the app: each tool's `ps` lists the router; `dotnet-counters collect -p`
# writes System.Runtime values and the app's own counters (its Meter and its
# EventCounter); `dotnet-gcdump collect -p` and `report` list the app's
# DsrInteropMarker objects (and so does `report -p`, live); `dotnet-dump
# collect -p --type Mini` writes an ELF core of the app, in which `dotnet-dump
# analyze` finds Program.Main on the app's main thread; `dotnet-stack report
# -p` names Program.Main. A tool the package feed did not provide is skipped
# with the reason.

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

tools=0
for t in dotnet-counters dotnet-gcdump dotnet-dump dotnet-stack; do
	[ -n "$(installed_tool "$t")" ] && tools=$((tools + 1))
done
if [ $tools -eq 0 ]; then
	note "SKIP: none of dotnet-counters, dotnet-gcdump, dotnet-dump, dotnet-stack is installed: $(cat "$RUN/st-dotnet-counters")"
	exit 77
fi

# counters_check ROUTER-PID: dotnet-counters collect by the router's pid for
# 5 s, to a csv file.
counters_check() {
	local f=$D/counters
	if ! timeout 60 "$DOTNET_COUNTERS" collect -p "$1" --counters "$COUNTERS" \
		--refresh-interval 1 --duration 00:00:00:05 --format csv -o "$f.csv" \
		< /dev/null > "$f.out" 2>&1 || [ ! -s "$f.csv" ]; then
		fail "dotnet-counters collect -p $1 failed"
		show "$f.out"
		return 1
	fi
	counters_csv_check "$f.csv" "dotnet-counters collect -p $1 --counters $COUNTERS (5 s)" yes
}

# gcdump_check ROUTER-PID: dotnet-gcdump collect by the router's pid, then
# report on its file; then report -p (collects and reports at once).
gcdump_check() {
	local f=$D/heap
	if ! timeout 60 "$DOTNET_GCDUMP" collect -p "$1" -o "$f.gcdump" \
		< /dev/null > "$f.out" 2>&1 || [ ! -s "$f.gcdump" ]; then
		fail "dotnet-gcdump collect -p $1 failed"
		show "$f.out"
		return 1
	fi
	ok "dotnet-gcdump collect -p $1: $(stat -c %s "$f.gcdump") bytes ('$(grep -o 'Finished writing.*' "$f.out")')"
	gcdump_marker_check "its heap" "$f.gcdump"
	gcdump_marker_check "live (report -p $1)" -p "$1"
}

# elf_core FILE: FILE is an ELF core file (magic, then e_type ET_CORE).
elf_core() {
	[ "$(od -An -tx1 -N4 "$1" | tr -d ' ')" = 7f454c46 ] &&
		[ "$(od -An -tu2 -j16 -N2 "$1" | tr -d ' ')" = 4 ]
}

# dump_check ROUTER-PID: dotnet-dump collect of a Mini dump by the router's
# pid; an ELF core of more than 1 MiB. The runtime writes it (createdump):
# when that cannot work here at all (the app's own socket fails too), the
# step is skipped with the reason. Then dotnet-dump analyze, which needs no
# network, must find Program.Main on the thread whose id is the app's pid.
dump_check() {
	local f=$D/app.dmp size tid
	if ! timeout 90 "$DOTNET_DUMP" collect -p "$1" --type Mini -o "$f" \
		< /dev/null > "$D/dump.out" 2>&1 || ! grep -q '^Complete' "$D/dump.out"; then
		if ! timeout 90 "$DOTNET_DUMP" collect -p "$APP_PID" --type Mini -o "$D/direct.dmp" \
			< /dev/null > "$D/dump-direct.out" 2>&1; then
			note "SKIP: dotnet-dump collect: dumps do not work here, even on the app's own socket: $(grep -v '^$' "$D/dump-direct.out" | tail -n 1 | cut -c1-160)"
			return 0
		fi
		fail "dotnet-dump collect -p $1 failed (it works on the app's own socket)"
		show "$D/dump.out"
		return 1
	fi
	size=$(stat -c %s "$f" 2>/dev/null || echo 0)
	if ! elf_core "$f" || [ "$size" -lt 1048576 ]; then
		fail "dotnet-dump collect -p $1: $f is not an ELF core of more than 1 MiB ($size bytes, starts $(od -An -tx1 -N4 "$f"))"
		return 1
	fi
	ok "dotnet-dump collect -p $1 --type Mini: an ELF core file (ET_CORE) of $size bytes"
	if ! timeout 90 "$DOTNET_DUMP" analyze "$f" -c clrstack -c exit \
		< /dev/null > "$D/analyze.out" 2>&1; then
		fail "dotnet-dump analyze $f -c clrstack failed"
		tail -n 5 "$D/analyze.out" | show
		return 1
	fi
	# The main thread's id is the process id.
	tid=$(sed -n 's/^OS Thread Id: \(0x[0-9a-fA-F]*\).*/\1/p' "$D/analyze.out" | head -n 1)
	if ! grep -q 'Program\.Main' "$D/analyze.out" || [ $((tid)) -ne "$APP_PID" ]; then
		fail "dotnet-dump analyze -c clrstack: no Program.Main on the app's main thread (pid $APP_PID, thread $tid)"
		head -n 12 "$D/analyze.out" | show
		return 1
	fi
	ok "dotnet-dump analyze -c clrstack: thread $tid (the app's pid $APP_PID): '$(grep -m1 -o 'Program\.Main([^)]*)' "$D/analyze.out")'"
}

# stack_check ROUTER-PID: dotnet-stack report by the router's pid names the
# app's Program.Main.
stack_check() {
	local f=$D/stack.out
	if ! timeout 60 "$DOTNET_STACK" report -p "$1" < /dev/null > "$f" 2>&1; then
		fail "dotnet-stack report -p $1 failed"
		show "$f"
		return 1
	fi
	if ! grep -q 'DsrInteropApp!Program\.Main' "$f"; then
		fail "dotnet-stack report -p $1 does not name Program.Main"
		head -n 12 "$f" | show
		return 1
	fi
	ok "dotnet-stack report -p $1: $(grep -c '^Thread' "$f") threads; '$(grep -m1 -o 'DsrInteropApp!Program\.Main.*' "$f")'"
}

start_router r server-server -tcps "unix:$D/rt.sock" || exit 1
note "router tool socket (default name): $(router_tool_sock r)"
start_app DOTNET_DiagnosticPorts="$D/rt.sock,nosuspend"
app_started 15 || abort "the app did not start"
wait_for "$D/r.log" "runtime pid $APP_PID connected" 10 || abort "router never saw the runtime connect"
router=${PID[r]}

for t in dotnet-trace dotnet-counters dotnet-gcdump dotnet-dump dotnet-stack; do
	[ -n "$(installed_tool "$t")" ] && tool_ps_check "$(installed_tool "$t")" "$router"
done
have_tool dotnet-counters && counters_check "$router"
have_tool dotnet-gcdump && gcdump_check "$router"
have_tool dotnet-dump && dump_check "$router"
have_tool dotnet-stack && stack_check "$router"

scenario_end

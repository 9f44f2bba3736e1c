#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scenario 2: suspend: ResumeRuntime through the router
#
# With DOTNET_DiagnosticPorts=PATH,suspend the app prints nothing for 2 s;
# a ResumeRuntime through the router makes it print "started". A fresh app
# for each tool: dsr-ipc; dsr-ipc closing right after writing (fire and
# forget); NETCore.Client; the real dotnet-trace doing startup tracing (it
# starts a session on the suspended runtime, then resumes it, and the trace
# holds the app's very first event). Last, the tool first: a ResumeRuntime
# sent before the app exists waits in the router for the suspended runtime.

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "${0%/*}/../lib.sh"
scenario_begin

# start_suspended TOOL: a fresh app with a suspend port; the router sees it
# connect, and 2 s later it has still printed nothing.
start_suspended() {
	start_app DOTNET_DiagnosticPorts="$D/rt.sock,suspend"
	if ! wait_for "$D/r.log" "runtime pid $APP_PID (connected|.*replaces)" 15; then
		fail "$1: router never saw the suspended runtime"
		return 1
	fi
	sleep 2
	if grep -q '^started ' "$D/app.out"; then
		fail "$1: the app printed 'started' before any ResumeRuntime"
		return 1
	fi
	note "$1: app pid $APP_PID is suspended (2 s, no 'started')"
}

# resume_with TOOL: a ResumeRuntime through the router's tool socket.
resume_with() {
	case $1 in
	dsr-ipc)
		"$DSR_IPC" -t 10 resume "$D/tool.sock" ;;
	dsr-ipc-close)
		# Fire and forget: the tool closes right after writing; the
		# runtime must still get the command.
		"$DSR_IPC" -t 10 resume -c "$D/tool.sock" ;;
	netclient)
		netclient 15 resume "$D/tool.sock,connect" ;;
	dotnet-trace)
		# Startup tracing: the session starts while the runtime is
		# suspended, then dotnet-trace resumes it (in the background,
		# finished below).
		dotnet_trace_start dt-startup 3 --diagnostic-port "$D/tool.sock,connect" ;;
	esac > "$D/resume.out" 2>&1
}

start_router r server-server -ipcs "$D/tool.sock" -tcps "unix:$D/rt.sock" || exit 1

for tool in dsr-ipc dsr-ipc-close ${NETCLIENT:+netclient} ${DOTNET_TRACE:+dotnet-trace}; do
	if start_suspended "$tool"; then
		t0=$(now)
		resume_with "$tool"
		rc=$?
		if [ $rc -ne 0 ]; then
			fail "$tool: ResumeRuntime failed ($rc)"
			show "$D/resume.out"
		elif ! app_started 5; then
			fail "$tool: the app did not print 'started' within 5 s of ResumeRuntime"
		else
			case $tool in
			dotnet-trace) ok "dotnet-trace (startup tracing): started a session on the suspended runtime, then resumed it: the app printed 'started' $(elapsed "$t0") s later" ;;
			dsr-ipc-close) ok "dsr-ipc, fire and forget (closed right after writing ResumeRuntime): the app printed 'started' $(elapsed "$t0") s later" ;;
			*) ok "$tool: ResumeRuntime through the router: the app printed 'started' $(elapsed "$t0") s later" ;;
			esac
		fi
		if [ "$tool" = dotnet-trace ]; then
			dotnet_trace_finish dt-startup
			first_event_check "$D/dt-startup.nettrace" "dotnet-trace (startup tracing)"
		fi
	fi
	stop_app
done

# The tool first: a ResumeRuntime that waits in the router for the
# suspended runtime to connect (the pair time-out is 5 s).
"$DSR_IPC" -t 10 resume "$D/tool.sock" > "$D/resume.out" 2>&1 &
PID[resume]=$!
track "${PID[resume]}"
sleep 1
t0=$(now)
start_app DOTNET_DiagnosticPorts="$D/rt.sock,suspend"
if app_started 8 && wait "${PID[resume]}"; then
	ok "tool first: a ResumeRuntime sent 1 s before the app started waited in the router; the app printed 'started' $(elapsed "$t0") s after it was launched"
else
	fail "tool first: the app did not start (ResumeRuntime: $(tr '\n' ' ' < "$D/resume.out"))"
fi
stop_app

scenario_end

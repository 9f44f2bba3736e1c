# SPDX-License-Identifier: MIT
# tests/interop/local.mk: dsrouterd against real .NET runtimes and tools.
#
# run-interop.sh builds the .NET app of tests/interop/app (and, when the
# NuGet mirror allows, tests/interop/netclient and the real dotnet-trace)
# into tests/interop/_dotnet under the build directory, then runs the
# scenarios. Without dotnet on PATH it skips (exit 77).

check_PROGRAMS += tests/interop/dsr-ipc
tests_interop_dsr_ipc_SOURCES = tests/interop/dsr-ipc.c
tests_interop_dsr_ipc_CPPFLAGS = $(DSRTEST_CPPFLAGS)
tests_interop_dsr_ipc_LDADD = $(DSRTEST_LIBS)

TESTS += tests/interop/run-interop.sh

EXTRA_DIST += \
	tests/interop/run-interop.sh \
	tests/interop/lib.sh \
	tests/interop/scenarios/01-server-server.sh \
	tests/interop/scenarios/02-suspend.sh \
	tests/interop/scenarios/03-eventpipe.sh \
	tests/interop/scenarios/04-server-client.sh \
	tests/interop/scenarios/05-client-server.sh \
	tests/interop/scenarios/06-client-client.sh \
	tests/interop/scenarios/07-emulator-chain.sh \
	tests/interop/scenarios/08-app-killed.sh \
	tests/interop/scenarios/09-router-restart.sh \
	tests/interop/scenarios/10-real-tools.sh \
	tests/interop/scenarios/11-dsrouter-launch.sh \
	tests/interop/scenarios/12-many-apps.sh \
	tests/interop/scenarios/13-group-access.sh \
	tests/interop/scenarios/14-websocket.sh \
	tests/interop/scenarios/15-websocket-browser.sh \
	tests/interop/ws-relay.mjs \
	tests/interop/ws-browser-relay.py \
	tests/interop/ws-browser-relay.html \
	tests/interop/README.md \
	tests/interop/app/DsrInteropApp.csproj \
	tests/interop/app/Program.cs \
	tests/interop/netclient/DsrNetClient.csproj \
	tests/interop/netclient/Program.cs

# The .NET build outputs and installed tools are a directory tree.
clean-local: clean-local-interop
clean-local-interop:
	-rm -rf tests/interop/_dotnet
.PHONY: clean-local-interop

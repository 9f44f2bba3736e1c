#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/smoke.sh: a tiny run of the benchmark so it cannot rot: every path,
# a few MiB, the bytes checked both ways (splice and portable relay), and
# the status measure with a few sessions (its answers must list every
# session, and requests during a stream must all be answered), and the
# WebSocket row's two paths, their bytes checked. It asserts no timing.
set -eu
case $(uname -s) in Linux) ;; *) echo "smoke.sh: Linux only"; exit 77 ;; esac
# The WebSocket row, when built with it (77: no node with a WebSocket).
if [ -x ./bench/dsr-bench-ws ]; then
	rc=0
	timeout 120 ./bench/dsr-bench-ws --dsrouterd ./src/dsrouterd \
		--script "${top_srcdir:-.}/tests/ws-runtime.mjs" --quick --verify ||
		rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 77 ] || exit 1
fi
set -- ./bench/dsr-bench --dsrouterd ./src/dsrouterd --quick --verify \
	--dotnet-note "not tried in the smoke run"
if command -v socat >/dev/null 2>&1; then
	set -- "$@" --socat "$(command -v socat)"
fi
# Bounded, like every test: a hang fails instead of blocking the run.
exec timeout 300 "$@"

#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/smoke.sh: a tiny run of the benchmark so it cannot rot: every path,
# a few MiB, the bytes checked both ways (splice and portable relay), and
# the status measure with a few sessions (its answers must list every
# session, and requests during a stream must all be answered). It asserts
# no timing.
set -eu
case $(uname -s) in Linux) ;; *) echo "smoke.sh: Linux only"; exit 77 ;; esac
set -- ./bench/dsr-bench --dsrouterd ./src/dsrouterd --quick --verify \
	--dotnet-note "not tried in the smoke run"
if command -v socat >/dev/null 2>&1; then
	set -- "$@" --socat "$(command -v socat)"
fi
# Bounded, like every test: a hang fails instead of blocking the run.
exec timeout 300 "$@"

#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/run.sh: run dsr-bench against every router this machine has.
#
# usage: bench/run.sh BENCH DSROUTERD [dsr-bench options...]
# Uses socat and valgrind when installed; tries to install dotnet-dsrouter
# with 'dotnet tool install' and says why when it cannot.
set -eu

bench=${1:?usage: run.sh BENCH DSROUTERD [options]}
dsrouterd=${2:?usage: run.sh BENCH DSROUTERD [options]}
shift 2

tooldir=$(mktemp -d "${TMPDIR:-/tmp}/dsr-bench-tools.XXXXXX")
trap 'rm -rf "$tooldir"' EXIT INT TERM

set -- --dsrouterd "$dsrouterd" "$@"

if command -v socat >/dev/null 2>&1; then
	set -- --socat "$(command -v socat)" "$@"
else
	echo "run.sh: socat not installed (apt-get install socat): its rows are left out" >&2
fi

if command -v valgrind >/dev/null 2>&1; then
	set -- --valgrind "$(command -v valgrind)" "$@"
else
	echo "run.sh: valgrind not installed: no instruction counts" >&2
fi

if command -v dotnet-dsrouter >/dev/null 2>&1; then
	set -- --dotnet-dsrouter "$(command -v dotnet-dsrouter)" "$@"
elif ! command -v dotnet >/dev/null 2>&1; then
	set -- --dotnet-note "the dotnet SDK is not installed" "$@"
elif out=$(dotnet tool install --tool-path "$tooldir" dotnet-dsrouter 2>&1) &&
    [ -x "$tooldir/dotnet-dsrouter" ]; then
	set -- --dotnet-dsrouter "$tooldir/dotnet-dsrouter" "$@"
else
	why=$(printf '%s\n' "$out" | grep -v '^[[:space:]]*$' | head -n 1)
	set -- --dotnet-note "'dotnet tool install dotnet-dsrouter' failed: $why" "$@"
fi

echo "run.sh: $("$dsrouterd" --version), $(socat -V 2>/dev/null | sed -n 's/^socat version \([^ ]*\).*/socat \1/p'), libevent $(pkg-config --modversion libevent_core 2>/dev/null || echo '?')" >&2
exec "$bench" "$@"

#!/bin/sh
# SPDX-License-Identifier: MIT
# fuzz/run.sh: run libFuzzer targets one after the other, each for SECONDS,
# from a scratch copy of its seed corpus (the source tree is never written),
# and print each one's executions and exec/s. Fails if any target finds a
# crash, a leak or a time-out; its reproducer is then kept and named.
#
# usage: run.sh SECONDS fuzz/fuzz_TARGET...
# environment: top_srcdir, top_builddir; FUZZ_WORKDIR to keep the grown
# corpora there instead of a directory removed afterwards; FUZZ_ARGS for
# more libFuzzer options.
set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 SECONDS fuzz/fuzz_TARGET..." >&2
	exit 2
fi
seconds=$1
shift
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}

if [ -n "${FUZZ_WORKDIR:-}" ]; then
	work=$FUZZ_WORKDIR
	keep=1
	mkdir -p "$work" || exit 1
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/dsrouterd-fuzz.XXXXXX") || exit 1
	keep=0
fi

# Largest input per target: room for what each parses, no more.
max_len() {
	case $1 in
	fuzz_ipc) echo 160 ;;      # every frame and answer of the seeds whole
	fuzz_addr) echo 256 ;;     # a $TMPDIR past sun_path's 108 bytes
	fuzz_pair) echo 512 ;;     # 256 operations: more runtimes than remembered
	fuzz_conf) echo 2048 ;;
	fuzz_cli) echo 512 ;;
	fuzz_ws) echo 16384 ;;    # an upgrade request past WS_MAX_HEADER, and frames after it
	*) echo 4096 ;;
	esac
}

status=0
total=0
printf '%-10s %6s %14s %10s\n' target secs executions exec/s
for path in "$@"; do
	t=$(basename "$path")
	bin=$builddir/fuzz/$t
	seeds=$srcdir/fuzz/corpus/$t
	dir=$work/$t
	mkdir -p "$dir/corpus" "$dir/artifacts" || exit 1
	if [ -d "$seeds" ]; then
		cp "$seeds"/* "$dir/corpus/" 2>/dev/null
	fi
	dict=
	[ -f "$srcdir/fuzz/$t.dict" ] && dict=-dict=$srcdir/fuzz/$t.dict
	# One process; a hang of the whole run fails too.
	limit=$((seconds + 120))
	to=
	command -v timeout >/dev/null 2>&1 && to="timeout $limit"
	# shellcheck disable=SC2086
	$to "$bin" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
		-timeout=10 -error_exitcode=1 -print_final_stats=1 $dict \
		-artifact_prefix="$dir/artifacts/" ${FUZZ_ARGS:-} \
		"$dir/corpus" >"$dir/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n 1)
	printf '%-10s %6s %14s %10s\n' "$t" "$seconds" "${runs:-?}" "${eps:-?}"
	total=$((total + ${runs:-0}))
	if [ "$rc" -ne 0 ]; then
		status=1
		keep=1
		echo "FAIL: $t exited $rc; log $dir/log" >&2
		grep -E 'ERROR|invariant failed|SUMMARY' "$dir/log" | head -n 5 >&2
		for a in "$dir"/artifacts/*; do
			[ -f "$a" ] && echo "reproducer: $a" >&2
		done
	fi
done
printf '%-10s %6s %14s\n' total '' "$total"
if [ "$keep" -eq 0 ]; then
	rm -rf "$work"
else
	echo "work directory kept: $work"
fi
exit $status

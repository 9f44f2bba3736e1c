#!/bin/sh
# SPDX-License-Identifier: MIT
# fuzz/smoke.sh: make check's short fuzzing run (make fuzz-smoke): every
# target for FUZZ_SMOKE_SECONDS (default 5) from its seeds. Skipped unless
# configured with --enable-fuzzing.
if [ "${DSR_FUZZING:-no}" != yes ]; then
	echo "SKIP: not configured with --enable-fuzzing (needs clang and libFuzzer)"
	exit 77
fi
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
export top_srcdir top_builddir
exec sh "$top_srcdir/fuzz/run.sh" "${FUZZ_SMOKE_SECONDS:-5}" \
	fuzz/fuzz_ipc fuzz/fuzz_addr fuzz/fuzz_pair fuzz/fuzz_conf fuzz/fuzz_cli \
	fuzz/fuzz_ws

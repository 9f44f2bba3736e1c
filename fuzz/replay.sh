#!/bin/sh
# SPDX-License-Identifier: MIT
# fuzz/replay.sh: every fuzz target once on each file of its seed corpus, so
# the seeds (regressions included) are checked in every build, with or
# without libFuzzer.
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
status=0
for t in fuzz_ipc fuzz_addr fuzz_pair fuzz_conf fuzz_cli fuzz_ws; do
	echo "== $t"
	# Any failure counts, whatever exit code libFuzzer would pick for it.
	timeout 120 "$top_builddir/fuzz/$t" "$top_srcdir/fuzz/corpus/$t"/* ||
		status=1
done
exit $status

#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/check-valgrind.sh: make check-valgrind: the end-to-end suites given
# as arguments again, each daemon they start under valgrind memcheck
# (DSR_VALGRIND=1, see tests/helpers.h): a memory error or a definite or
# indirect leak fails the test that saw the daemon exit. Each suite's
# output goes to tests/valgrind/SUITE.log; a summary ends the run.
top_builddir=${top_builddir:-.}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "check-valgrind: valgrind is not installed" \
		"(Debian: apt-get install valgrind); nothing was checked" >&2
	exit 1
fi
DSR_VALGRIND=1
export DSR_VALGRIND
logdir=$top_builddir/tests/valgrind
mkdir -p "$logdir" || exit 1
echo "check-valgrind: $(valgrind --version), the daemon of each suite below"

pass=0
fail=0
skipped=0
status=0
t0=$(date +%s)
for t in "$@"; do
	name=${t##*/}
	log=$logdir/$name.log
	s0=$(date +%s)
	"$top_builddir/$t" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - s0))
	checks=$(sed -n 's/^[0-9]*%: \(Checks: .*\)/\1/p' "$log")
	n=$(grep -c '^SKIP .* under valgrind: ' "$log")
	skipped=$((skipped + n))
	if [ $rc -eq 0 ]; then
		result=PASS
		pass=$((pass + 1))
	else
		# 77 here means a suite did not find the valgrind found above.
		result=FAIL
		fail=$((fail + 1))
		status=1
	fi
	echo "$result: $t ($secs s; ${checks:-no Check summary};" \
		"$n skipped under valgrind)"
	if [ $result = FAIL ]; then
		echo "---- $log ----"
		cat "$log"
		echo "---- end of $log ----"
	fi
done
echo "check-valgrind: $pass suite(s) passed, $fail failed;" \
	"$skipped test(s) skipped under valgrind (SKIP lines in $logdir);" \
	"$(($(date +%s) - t0)) s"
exit $status

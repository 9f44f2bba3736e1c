#!/bin/sh
# SPDX-License-Identifier: MIT
# man-lint.sh: check the manual pages: mandoc -T lint -W warning where
# mandoc is installed, else groff's warnings through man --warnings -l.
# Any warning fails; without either tool, SKIP (77).
top_srcdir=${top_srcdir:-.}
pages="$top_srcdir/man/dsrouterd.8 $top_srcdir/man/dsrouterd.conf.5"
for page in $pages; do
	if [ ! -r "$page" ]; then
		echo "FAIL: $page not found"
		exit 1
	fi
done
status=0
if command -v mandoc >/dev/null 2>&1; then
	for page in $pages; do
		out=$(mandoc -T lint -W warning "$page" 2>&1)
		rc=$?
		if [ $rc -ne 0 ] || [ -n "$out" ]; then
			echo "$out"
			echo "FAIL: mandoc -T lint -W warning $page (exit $rc)"
			status=1
		else
			echo "PASS: mandoc -T lint -W warning $page"
		fi
	done
elif command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
	for page in $pages; do
		# A fixed width and locale: warnings must not depend on the terminal.
		out=$(LC_ALL=C MANWIDTH=80 MANPAGER=cat PAGER=cat \
		    man --warnings -l "$page" 2>&1 >/dev/null)
		rc=$?
		if [ $rc -ne 0 ] || [ -n "$out" ]; then
			echo "$out"
			echo "FAIL: man --warnings -l $page (exit $rc)"
			status=1
		else
			echo "PASS: man --warnings -l $page"
		fi
	done
else
	echo "SKIP: neither mandoc nor man with groff is installed (apt-get install mandoc)"
	exit 77
fi
exit $status

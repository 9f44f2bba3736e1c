#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/no-check.sh: fails in place of the Check suites when configure
# found no Check, so a run without them cannot pass for a full one.
echo "no-check.sh: the Check library is not installed; install it" \
	"(Debian: apt-get install check) and re-run ./configure" \
	"(the unit and end-to-end suites did not run)" >&2
exit 1

#!/bin/sh
# SPDX-License-Identifier: MIT
# e2e-portable.sh: the end-to-end suites again with splice(2) turned off, so
# the portable forwarding path is proven on Linux too.
top_builddir=${top_builddir:-.}
DSROUTERD_NO_SPLICE=1
export DSROUTERD_NO_SPLICE
status=0
for t in e2e_server_server e2e_modes; do
	echo "== $t (DSROUTERD_NO_SPLICE=1)"
	"$top_builddir/tests/$t" || status=1
done
exit $status

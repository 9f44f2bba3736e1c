# SPDX-License-Identifier: MIT
# man/local.mk: the manual pages, and their check in make check.
dist_man8_MANS = man/dsrouterd.8
dist_man5_MANS = man/dsrouterd.conf.5
TESTS += tests/man-lint.sh
EXTRA_DIST += tests/man-lint.sh

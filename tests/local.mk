# SPDX-License-Identifier: MIT
# tests/local.mk: the shared test library; what make check does without Check.

# Plain C helpers (sockets, IPC frames, /proc, time) for the suites, the
# benchmark and dsr-ipc. No Check and no src/ headers: the tests check the
# wire format independently of the daemon's own code.
DSRTEST_CPPFLAGS = -I$(top_srcdir)/tests/lib
DSRTEST_LIBS = tests/lib/libdsrtest.a
check_LIBRARIES = tests/lib/libdsrtest.a
tests_lib_libdsrtest_a_SOURCES = tests/lib/dsrtest.c tests/lib/dsrtest.h
tests_lib_libdsrtest_a_CPPFLAGS = $(DSRTEST_CPPFLAGS)

# Without Check the unit and end-to-end suites are not built, and make
# check fails with a line saying what to install: a run that skipped them
# must not look like a pass.
EXTRA_DIST += tests/no-check.sh
if !HAVE_CHECK
TESTS += tests/no-check.sh
endif

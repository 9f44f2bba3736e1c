# SPDX-License-Identifier: MIT
# tests/e2e.mk: end-to-end suites: the real daemon against fake peers over real sockets.
if HAVE_CHECK
E2E_CPPFLAGS = $(AM_CPPFLAGS) $(DSRTEST_CPPFLAGS)
E2E_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread \
	-DDSROUTERD_PATH='"$(abs_top_builddir)/src/dsrouterd"'
E2E_LDADD = tests/libtesthelpers.a $(DSRTEST_LIBS) $(CHECK_LIBS)

# The Check fixtures (the daemon as a child, fake peers) on top of the
# shared library.
check_LIBRARIES += tests/libtesthelpers.a
tests_libtesthelpers_a_SOURCES = tests/helpers.c tests/helpers.h
tests_libtesthelpers_a_CPPFLAGS = $(E2E_CPPFLAGS)
tests_libtesthelpers_a_CFLAGS = $(E2E_CFLAGS)

E2E_TESTS = tests/e2e_server_server tests/e2e_modes tests/e2e_daemon \
	tests/e2e_hostile tests/e2e_launch tests/e2e_many
check_PROGRAMS += $(E2E_TESTS)
TESTS += $(E2E_TESTS)

tests_e2e_server_server_SOURCES = tests/e2e_server_server.c
tests_e2e_server_server_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_server_server_CFLAGS = $(E2E_CFLAGS)
tests_e2e_server_server_LDADD = $(E2E_LDADD)
tests_e2e_server_server_LDFLAGS = $(AM_LDFLAGS) -pthread

tests_e2e_modes_SOURCES = tests/e2e_modes.c
tests_e2e_modes_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_modes_CFLAGS = $(E2E_CFLAGS)
tests_e2e_modes_LDADD = $(E2E_LDADD)
tests_e2e_modes_LDFLAGS = $(AM_LDFLAGS) -pthread

tests_e2e_daemon_SOURCES = tests/e2e_daemon.c
tests_e2e_daemon_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_daemon_CFLAGS = $(E2E_CFLAGS)
tests_e2e_daemon_LDADD = $(E2E_LDADD)
tests_e2e_daemon_LDFLAGS = $(AM_LDFLAGS) -pthread

tests_e2e_hostile_SOURCES = tests/e2e_hostile.c
tests_e2e_hostile_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_hostile_CFLAGS = $(E2E_CFLAGS)
tests_e2e_hostile_LDADD = $(E2E_LDADD)
tests_e2e_hostile_LDFLAGS = $(AM_LDFLAGS) -pthread

tests_e2e_launch_SOURCES = tests/e2e_launch.c
tests_e2e_launch_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_launch_CFLAGS = $(E2E_CFLAGS)
tests_e2e_launch_LDADD = $(E2E_LDADD)
tests_e2e_launch_LDFLAGS = $(AM_LDFLAGS) -pthread

tests_e2e_many_SOURCES = tests/e2e_many.c
tests_e2e_many_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_many_CFLAGS = $(E2E_CFLAGS)
tests_e2e_many_LDADD = $(E2E_LDADD)
tests_e2e_many_LDFLAGS = $(AM_LDFLAGS) -pthread

# The same suites on the portable forwarding path (no splice).
TESTS += tests/e2e-portable.sh
endif
EXTRA_DIST += tests/e2e-portable.sh

# The systemd unit, checked with systemd-analyze where it exists; the
# daemon run as the unit runs it (another user, no capabilities).
TESTS += tests/systemd-verify.sh tests/sandbox.sh
EXTRA_DIST += tests/systemd-verify.sh tests/sandbox.sh

# make check-valgrind: the end-to-end suites above and the daemon's
# WebSocket routes (tests/ws.mk) (not the unit suites,
# the interoperability tests or the portable re-run) again, with every
# daemon under valgrind memcheck; see tests/check-valgrind.sh. Not with
# --enable-sanitizers: valgrind cannot run ASan binaries.
EXTRA_DIST += tests/check-valgrind.sh
CLEANFILES += tests/valgrind/*.log
.PHONY: check-valgrind
if HAVE_CHECK
if SANITIZERS
check-valgrind:
	@echo "check-valgrind: valgrind cannot run a build made with" \
		"--enable-sanitizers; configure without it" >&2; exit 1
else
check-valgrind: src/dsrouterd$(EXEEXT) $(E2E_TESTS:=$(EXEEXT)) \
		$(WS_VALGRIND_TESTS:=$(EXEEXT))
	@$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/tests/check-valgrind.sh \
		$(E2E_TESTS) $(WS_VALGRIND_TESTS)
endif
else
check-valgrind:
	@$(SHELL) $(srcdir)/tests/no-check.sh
endif

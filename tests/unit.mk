# SPDX-License-Identifier: MIT
# tests/unit.mk: Check unit suites for the pure modules, run by make check.
if HAVE_CHECK
# The suites may build their expected bytes with the shared test library.
UNIT_CPPFLAGS = $(AM_CPPFLAGS) $(DSRTEST_CPPFLAGS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBEVENT_CFLAGS) $(INIH_CFLAGS)
UNIT_LDADD = src/libdsrouterd.a $(DSRTEST_LIBS) $(CHECK_LIBS) \
	$(LIBEVENT_LIBS) $(INIH_LIBS) $(DEVICE_LIBS) $(WS_LIBS)
UNIT_COMMON = tests/check_main.h tests/unit_common.c

UNIT_TESTS = \
	tests/check_access \
	tests/check_addr \
	tests/check_backoff \
	tests/check_cli \
	tests/check_conf \
	tests/check_ipc \
	tests/check_pair \
	tests/check_ratelimit \
	tests/check_reload
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

tests_check_access_SOURCES = tests/check_access.c $(UNIT_COMMON)
tests_check_access_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_access_CFLAGS = $(UNIT_CFLAGS)
tests_check_access_LDADD = $(UNIT_LDADD)

tests_check_addr_SOURCES = tests/check_addr.c $(UNIT_COMMON)
tests_check_addr_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_addr_CFLAGS = $(UNIT_CFLAGS)
tests_check_addr_LDADD = $(UNIT_LDADD)

tests_check_backoff_SOURCES = tests/check_backoff.c $(UNIT_COMMON)
tests_check_backoff_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_backoff_CFLAGS = $(UNIT_CFLAGS)
tests_check_backoff_LDADD = $(UNIT_LDADD)

tests_check_cli_SOURCES = tests/check_cli.c $(UNIT_COMMON)
tests_check_cli_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_cli_CFLAGS = $(UNIT_CFLAGS)
tests_check_cli_LDADD = $(UNIT_LDADD)

tests_check_conf_SOURCES = tests/check_conf.c $(UNIT_COMMON)
tests_check_conf_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_conf_CFLAGS = $(UNIT_CFLAGS)
tests_check_conf_LDADD = $(UNIT_LDADD)

tests_check_ipc_SOURCES = tests/check_ipc.c $(UNIT_COMMON)
tests_check_ipc_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_ipc_CFLAGS = $(UNIT_CFLAGS)
tests_check_ipc_LDADD = $(UNIT_LDADD)

tests_check_pair_SOURCES = tests/check_pair.c $(UNIT_COMMON)
tests_check_pair_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_pair_CFLAGS = $(UNIT_CFLAGS)
tests_check_pair_LDADD = $(UNIT_LDADD)

tests_check_ratelimit_SOURCES = tests/check_ratelimit.c $(UNIT_COMMON)
tests_check_ratelimit_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_ratelimit_CFLAGS = $(UNIT_CFLAGS)
tests_check_ratelimit_LDADD = $(UNIT_LDADD)

tests_check_reload_SOURCES = tests/check_reload.c $(UNIT_COMMON)
tests_check_reload_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_check_reload_CFLAGS = $(UNIT_CFLAGS)
tests_check_reload_LDADD = $(UNIT_LDADD)
endif

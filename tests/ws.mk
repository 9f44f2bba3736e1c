# SPDX-License-Identifier: MIT
# tests/ws.mk: WebSocket runtimes: ws.c's parsers (unit), wsserver
# driven from an event loop against real WebSocket clients: Node's own
# WebSocket (tests/ws-runtime.mjs) and headless Chromium running
# tests/ws-page.html, served by tests/ws-http.py; and the daemon's
# WebSocket routes against the same clients (e2e_wsroute).
# The WebSocket suites make check-valgrind runs too (see tests/e2e.mk).
WS_VALGRIND_TESTS =
EXTRA_DIST += tests/ws-runtime.mjs tests/ws-page.html tests/ws-http.py \
	tests/ws-skip.sh
if HAVE_CHECK
if HAVE_WEBSOCKET
WS_TESTS = tests/check_ws tests/e2e_ws tests/e2e_wsroute
WS_VALGRIND_TESTS += tests/e2e_wsroute
check_PROGRAMS += $(WS_TESTS)
TESTS += $(WS_TESTS)

tests_check_ws_SOURCES = tests/check_ws.c tests/check_main.h tests/unit_common.c
tests_check_ws_CPPFLAGS = $(AM_CPPFLAGS) $(DSRTEST_CPPFLAGS)
tests_check_ws_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBEVENT_CFLAGS)
tests_check_ws_LDADD = src/libdsrouterd.a $(DSRTEST_LIBS) $(CHECK_LIBS) \
	$(LIBEVENT_LIBS) $(DEVICE_LIBS) $(WS_LIBS)

tests_e2e_ws_SOURCES = tests/e2e_ws.c tests/wsfind.c tests/wsfind.h
tests_e2e_ws_CPPFLAGS = $(AM_CPPFLAGS) $(DSRTEST_CPPFLAGS) \
	-DWS_TESTDIR='"$(abs_top_srcdir)/tests"'
tests_e2e_ws_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBEVENT_CFLAGS) -pthread
tests_e2e_ws_LDADD = src/libdsrouterd.a $(DSRTEST_LIBS) $(CHECK_LIBS) \
	$(LIBEVENT_LIBS) $(DEVICE_LIBS) $(WS_LIBS)
tests_e2e_ws_LDFLAGS = $(AM_LDFLAGS) -pthread

# The daemon's server-websocket and client-websocket, end to end: tools
# on the Unix socket, runtimes in Node and in headless Chromium.
tests_e2e_wsroute_SOURCES = tests/e2e_wsroute.c tests/wsfind.c tests/wsfind.h
tests_e2e_wsroute_CPPFLAGS = $(E2E_CPPFLAGS) \
	-DWS_TESTDIR='"$(abs_top_srcdir)/tests"'
tests_e2e_wsroute_CFLAGS = $(E2E_CFLAGS)
tests_e2e_wsroute_LDADD = $(E2E_LDADD)
tests_e2e_wsroute_LDFLAGS = $(AM_LDFLAGS) -pthread
else
# Built without libwslay or nettle: say so instead of passing quietly.
TESTS += tests/ws-skip.sh
endif
endif

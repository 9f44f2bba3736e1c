# SPDX-License-Identifier: MIT
# tests/device.mk: the device modules' tests: adb's parsers (unit), and
# adbfwd, spawn and usbmux driven from an event loop against a fake adb
# and a fake usbmuxd (no phone needed).
EXTRA_DIST += tests/fake-adb tests/fake-usbmuxd
if HAVE_CHECK
DEVICE_TESTS = tests/check_adb tests/e2e_devices tests/e2e_phone
check_PROGRAMS += $(DEVICE_TESTS)
TESTS += $(DEVICE_TESTS)

tests_check_adb_SOURCES = tests/check_adb.c tests/check_main.h tests/unit_common.c
tests_check_adb_CPPFLAGS = $(AM_CPPFLAGS) $(DSRTEST_CPPFLAGS)
tests_check_adb_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBEVENT_CFLAGS)
tests_check_adb_LDADD = src/libdsrouterd.a $(DSRTEST_LIBS) $(CHECK_LIBS) \
	$(LIBEVENT_LIBS) $(DEVICE_LIBS) $(WS_LIBS)

tests_e2e_devices_SOURCES = tests/e2e_devices.c
tests_e2e_devices_CPPFLAGS = $(AM_CPPFLAGS) $(DSRTEST_CPPFLAGS) \
	-DFAKE_ADB='"$(abs_top_srcdir)/tests/fake-adb"' \
	-DFAKE_USBMUXD='"$(abs_top_srcdir)/tests/fake-usbmuxd"'
tests_e2e_devices_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBEVENT_CFLAGS) -pthread
tests_e2e_devices_LDADD = src/libdsrouterd.a $(DSRTEST_LIBS) $(CHECK_LIBS) \
	$(LIBEVENT_LIBS) $(DEVICE_LIBS) $(WS_LIBS)
tests_e2e_devices_LDFLAGS = $(AM_LDFLAGS) -pthread

# The daemon's android and ios presets, end to end against the fakes.
tests_e2e_phone_SOURCES = tests/e2e_phone.c
tests_e2e_phone_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_phone_CFLAGS = $(E2E_CFLAGS)
tests_e2e_phone_LDADD = $(E2E_LDADD)
tests_e2e_phone_LDFLAGS = $(AM_LDFLAGS) -pthread
endif

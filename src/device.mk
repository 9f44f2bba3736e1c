# SPDX-License-Identifier: MIT
# src/device.mk: physical devices: Android through adb (adb.c, adbfwd*.c,
# spawn*.c), iOS through usbmuxd (usbmux*.c: libusbmuxd loaded with dlopen
# by the first usbmux route when configure found its headers, else a stub
# in usbmux.c saying how to get them).
src_libdsrouterd_a_SOURCES += \
	src/device.h \
	src/device.c \
	src/adb.c \
	src/adbfwd.c \
	src/adbfwd_dev.c \
	src/adbfwd_track.c \
	src/spawn.c \
	src/spawn_proc.c \
	src/usbmux.c
if HAVE_USBMUXD
src_libdsrouterd_a_SOURCES += \
	src/usbmux_devs.c \
	src/usbmux_lib.c \
	src/usbmux_shared.c \
	src/usbmux_worker.c
endif
src_libdsrouterd_a_CFLAGS += $(USBMUXD_CFLAGS)

# What a program that links libdsrouterd.a (and uses usbmux.c) adds to
# its LDADD: -pthread for the worker thread, and dlopen's library where
# libc does not have it (configure: USBMUXD_RUN_LIBS); nothing when built
# without usbmux. libusbmuxd itself is not linked: it is loaded at run time.
DEVICE_LIBS = $(USBMUXD_RUN_LIBS)

# src/device.mk: physical devices: Android through adb (adb.c, adbfwd.c,
# spawn.c), iOS through usbmuxd (usbmux.c: libusbmuxd when configure found
# it, else a stub saying how to get it).
src_libdsrouterd_a_SOURCES += \
	src/device.h \
	src/device.c \
	src/adb.c \
	src/adbfwd.c \
	src/spawn.c \
	src/usbmux.c
src_libdsrouterd_a_CFLAGS += $(USBMUXD_CFLAGS)

# What a program that links libdsrouterd.a (and uses usbmux.c) adds to
# its LDADD: libusbmuxd and -pthread, or nothing when built without.
DEVICE_LIBS = $(USBMUXD_LIBS)

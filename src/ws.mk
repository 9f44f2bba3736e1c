# SPDX-License-Identifier: MIT
# src/ws.mk: browser (WebAssembly) runtimes over WebSocket: the upgrade
# request and URL (ws.c), the bridge to a socketpair (wsbridge.c, wslay),
# the server (wsserver.c). Always built: without libwslay and nettle
# (configure's HAVE_WEBSOCKET) ws_supported() and wsserver_new() say so.
src_libdsrouterd_a_SOURCES += \
	src/ws.h \
	src/ws.c \
	src/wsbridge.c \
	src/wsserver.c
src_libdsrouterd_a_CFLAGS += $(WSLAY_CFLAGS) $(NETTLE_CFLAGS)

# What a program that links libdsrouterd.a adds to its LDADD: wslay and
# nettle, or nothing when built without them.
WS_LIBS = $(WSLAY_LIBS) $(NETTLE_LIBS)

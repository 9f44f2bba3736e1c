# SPDX-License-Identifier: MIT
# src/ws.mk: browser (WebAssembly) runtimes over WebSocket: the upgrade
# request and URL (ws.c), the bridge to a socketpair (wsbridge.c, its
# wslay side in wsbridge_wslay.c, their private wsbridge.h), the server
# (wsserver.c), nettle loaded with dlopen when first needed (ws_nettle.c),
# a route's WebSocket runtime side (wsroute.c) and its allow-origins
# (confws.c). Always built: without libwslay and nettle (configure's
# HAVE_WEBSOCKET) ws_supported() and wsserver_new() say so, and
# wsbridge_wslay.c and ws_nettle.c are left out.
src_libdsrouterd_a_SOURCES += \
	src/ws.h \
	src/ws.c \
	src/wsbridge.h \
	src/wsbridge.c \
	src/wsserver.c \
	src/wsroute.c \
	src/confws.c
if HAVE_WEBSOCKET
src_libdsrouterd_a_SOURCES += \
	src/ws_nettle.c \
	src/wsbridge_wslay.c
endif
src_libdsrouterd_a_CFLAGS += $(WSLAY_CFLAGS) $(NETTLE_CFLAGS)

# What a program that links libdsrouterd.a adds to its LDADD: wslay and
# dlopen's library where libc does not have it (configure: WS_RUN_LIBS),
# or nothing when built without them. nettle itself is not linked: it is
# loaded at run time.
WS_LIBS = $(WSLAY_LIBS) $(WS_RUN_LIBS)

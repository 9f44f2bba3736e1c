/* SPDX-License-Identifier: MIT */
/* ws.h: browser runtimes over WebSocket: the upgrade, the bridge, the server. */
#ifndef WS_H
#define WS_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

/*
 * A WebSocket runtime connection becomes an ordinary runtime connection:
 * wsserver.c runs the HTTP upgrade on each accepted TCP connection (ws.c
 * judges the request), then wsbridge.c carries the payloads of binary
 * messages, however fragmented, both ways between the WebSocket and one
 * end of a socketpair; the other end goes to the route as if it had been
 * accepted from a TCP runtime listener.
 */

#define WS_DEFAULT_URL "ws://127.0.0.1:8088/diagnostics"
#define WS_MAX_HEADER 8192              /* the whole upgrade request */
#define WS_MAX_HEADERS 64               /* header lines in it */
#define WS_ACCEPT_LEN 28                /* base64 of a SHA-1 */
#define WS_SHA1_LEN 20                  /* a SHA-1 digest */
#define WS_DEFAULT_MAX_MESSAGE (16u * 1024 * 1024)
#define WS_DEFAULT_HANDSHAKE_MS 5000
#define WS_MAX_HANDSHAKES 64            /* upgrades in progress per server */
#define WS_ORIGIN_LOG 96                /* an Origin is shown up to this long */

/* What a WebSocket runtime listener serves. */
struct ws_conf {
	const char *path;          /* "/diagnostics"; the query is not compared */
	/*
	 * Origins allowed, NULL-ended: "scheme://host[:port]" compared
	 * without regard to case, or "*" for any. NULL: localhost origins
	 * only (http or https, localhost, 127.0.0.1 or [::1], any port).
	 * A request without Origin (not a browser) is always allowed.
	 */
	const char *const *origins;
	size_t max_message;        /* a message from the runtime; 0: default */
	unsigned handshake_ms;     /* for the whole request; 0: default */
	const char *tag;           /* log token, e.g. the route's name */
};

/* What ws_request_parse found in an upgrade request. */
struct ws_request {
	size_t header_len;         /* bytes up to and with the blank line */
	int status;                /* 101, or the refusal's HTTP status */
	const char *why;           /* a refusal's reason, for the log */
	char accept[WS_ACCEPT_LEN + 1]; /* Sec-WebSocket-Accept, with 101 */
	char origin[WS_ORIGIN_LOG + 1]; /* Origin as sent (printable), or "" */
};

/* Counters of one server, for status. */
struct ws_stats {
	uint64_t accepted;         /* upgrades answered 101 */
	uint64_t refused;          /* answered with an error status */
	uint64_t dropped;          /* closed during the upgrade: gone, time-out, too many */
	size_t handshakes;         /* upgrades in progress */
	size_t bridges;            /* live bridges */
};

struct wsserver;
struct wsbridge;

/* ws.c: the pure parts (no I/O). */
int ws_supported(char **);
int ws_parse_url(const char *, char **, char **, char **);
int ws_request_parse(const char *, size_t, const struct ws_conf *,
    struct ws_request *);
size_t ws_response(const struct ws_request *, char *, size_t);
const char *ws_status_text(int);
int ws_accept_key(const char *, size_t, char *);
int ws_origin_allowed(const char *, size_t, const char *const *);

/* ws_nettle.c: nettle, loaded with dlopen when first needed. */
int ws_nettle_load(char **);
int ws_nettle_open(const char *const *, char **);
void ws_nettle_sha1(const uint8_t *, size_t, uint8_t *);
void ws_nettle_base64_encode(char *, const uint8_t *, size_t);
int ws_nettle_base64_decode(const char *, size_t, uint8_t *, size_t *);

/* wsbridge.c: one upgraded connection and its socketpair end. */
struct wsbridge *wsbridge_new(struct event_base *, int, int, const uint8_t *,
    size_t, const struct ws_conf *, uint64_t,
    void (*)(struct wsbridge *, const char *, void *), void *);
void wsbridge_free(struct wsbridge *);

/* wsserver.c: upgrades in progress and the set of bridges. */
struct wsserver *wsserver_new(struct event_base *, const struct ws_conf *,
    void (*)(int, void *), void *, char **);
void wsserver_accept(struct wsserver *, int);
size_t wsserver_count(struct wsserver *);
void wsserver_stats(struct wsserver *, struct ws_stats *);
void wsserver_set_origins(struct wsserver *, const char *const *);
void wsserver_free(struct wsserver *);

#endif /* WS_H */

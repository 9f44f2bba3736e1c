/* SPDX-License-Identifier: MIT */
/*
 * route.h: the route subsystem's private types, shared by route.c (a
 * route's lifetime and sessions), conn.c (connections in their preamble),
 * dial.c (outgoing connections), wsroute.c (a WebSocket runtime side)
 * and the four mode files, server_server.c,
 * server_client.c, client_server.c and client_client.c, each of which
 * fills one struct route_ops. Other modules use dsrouterd.h only.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <sys/queue.h>

#include <stdarg.h>
#include <stdint.h>

#include "dsrouterd.h"

struct event;
struct bufferevent;

#define ROUTE_CONNECT_TIMEOUT_MS 5000
#define ROUTE_LINGER_MS 1000
#define ROUTE_RETRY_BASE_MS 50
#define ROUTE_RETRY_CAP_MS 2000
#define ROUTE_FRAME_READ (4096 - 128) /* read of a frame at once: one 4 KiB chain */
#define ROUTE_BODY_POLL_MS 20        /* a larger frame's rest checked for this often */
#define ROUTE_MAX_TOOLS 1024         /* tools in their preamble, per route */
#define ROUTE_MAX_RUNTIME_CONNS 64   /* runtime connections not in a session, per route */
#define ROUTE_WARN_BURST 20          /* warnings a route logs per window */
#define ROUTE_WARN_WINDOW_MS 5000

/* Why a tool was answered with an error, or a session cut, for status. */
enum route_err {
	ROUTE_ERR_BAD_FRAME,      /* an invalid or incomplete first frame */
	ROUTE_ERR_NO_RUNTIME,     /* no runtime in time */
	ROUTE_ERR_ACCESS,         /* not in allow-users or allow-groups */
	ROUTE_ERR_BUSY,           /* too many waiting, or out of descriptors */
	ROUTE_ERR_SESSION,        /* a session cut by an error (a reset, ...) */
	ROUTE_ERR_COUNT,
};

/* What a route has done since it started. */
struct route_totals {
	uint64_t sessions;
	uint64_t to_tool;         /* bytes of sessions that ended */
	uint64_t to_runtime;
	uint64_t errors[ROUTE_ERR_COUNT];
};

/* Who is at the other end of a connection, and who opened it. */
enum conn_role {
	CONN_ROLE_TOOL,            /* a tool that connected to our tool socket */
	CONN_ROLE_TOOL_DIALLED,    /* a reversed-server tool we connected to */
	CONN_ROLE_RUNTIME,         /* a connect-mode runtime that connected to us */
	CONN_ROLE_RUNTIME_DIALLED, /* a listening runtime, for a tool's command */
	CONN_ROLE_PROBE,           /* a listening runtime, for our own ProcessInfo */
};

/* What a connection in its preamble is doing. */
enum conn_state {
	CONN_TOOL_FRAME,      /* tool: reading its first frame */
	CONN_TOOL_WAIT,       /* tool: frame complete, waiting for a runtime */
	CONN_RT_ADVERTISE,    /* runtime: reading its advertise */
	CONN_RT_IDLE,         /* runtime: advertised, waiting for a tool */
	CONN_DIAL,            /* outgoing: connecting */
	CONN_DIAL_WAIT,       /* outgoing: waiting to retry */
	CONN_PROBE,           /* probe: our ProcessInfo sent, reading the answer */
	CONN_LINGER,          /* tool answered with an error; draining before close */
};

/*
 * A connection in its preamble: from accept or dial until it is handed to
 * a relay (conn_free, without a log line) or closed (conn_close, with one).
 * The route owns it through its list.
 */
struct conn {
	struct route *route;
	struct bufferevent *bev;  /* NULL while a dial waits to retry */
	enum conn_role role;
	enum conn_state state;
	struct event *timer;
	struct conn *partner;     /* the other side being set up for this one */
	uint64_t id;
	int in_pair;              /* in the server-server pairing table */
	int tool_eof;             /* tool: half-closed after its frame */
	struct pair_runtime *want; /* tool: the runtime it asked for (many), or NULL */
	uint8_t cmd_set, cmd_id;  /* tool: its command */
	struct pair_runtime *prt; /* server-server runtime: its runtime */
	uint64_t deadline_us;     /* tool: its first frame is due by then */
	size_t body_wait;         /* tool: a frame this big waits in the kernel */
	unsigned wait_ms;         /* tool: how long it waits for a runtime */

	/* CONN_ROLE_RUNTIME: its advertise. */
	uint8_t adv_raw[IPC_ADVERTISE_SIZE];
	struct ipc_advertise adv;

	/* Outgoing connections: retries; a usbmux connect under way. */
	struct backoff backoff;
	int usbmux_pending;

	TAILQ_ENTRY(conn) entry;
};
TAILQ_HEAD(conn_list, conn);

/* A runtime of a route with runtimes = many (runtime.c). */
struct runtime {
	struct route *route;
	struct pair_runtime *prt;  /* its cookie, pid and connections */
	struct listener *l;        /* its own tool socket, or NULL */
	char *path;
	char *cmdline;             /* learnt by our own ProcessInfo, or NULL */
	unsigned probes;           /* ProcessInfo sent so far */
	struct event *probe;       /* when to send the next */
	uint64_t since_us;
	struct event *grace;       /* armed while it has no connection */
	TAILQ_ENTRY(runtime) entry;
};
TAILQ_HEAD(runtime_list, runtime);

/* A forwarding session: a relay and what the route needs to know of it. */
struct session {
	struct route *route;
	struct relay *relay;
	struct pair_runtime *runtime; /* server-server: the runtime it uses */
	uint64_t id;
	uint8_t cmd_set, cmd_id;  /* the tool's command */
	TAILQ_ENTRY(session) entry;
};
TAILQ_HEAD(session_list, session);

/*
 * What a mode does at each point of a route's life. Every hook may be
 * NULL where the mode never gets there (a mode that never dials has no
 * dialled). The hooks that say "may free c" must be the caller's last use
 * of c.
 */
struct route_ops {
	const char *name;
	/* The route's listeners are up: start what the mode does on its own. */
	void (*start)(struct route *);
	/* Free what start made. */
	void (*stop)(struct route *);
	/* An accepted runtime connection advertised (c in CONN_RT_IDLE). May free c. */
	void (*runtime_advertised)(struct conn *);
	/* A tool's first frame is complete (c in CONN_TOOL_WAIT). May free c. */
	void (*tool_ready)(struct conn *);
	/* An outgoing connection is up. May free c. */
	void (*dialled)(struct conn *);
	/*
	 * A dialled tool connection ended before it carried a command
	 * (partner: the connection it was made for, already unlinked, or NULL).
	 */
	void (*tool_lost)(struct conn *, struct conn *);
	/* Our ProcessInfo's answer (frame NULL: none in time). Must close c. */
	void (*probe_done)(struct conn *, const uint8_t *, size_t);
};

/* A live route. */
struct route {
	struct daemon *daemon;
	struct event_base *base;
	struct route_conf conf;
	const struct route_ops *ops;
	char *tag;                /* "route NAME", for logs */
	struct listener *tool_l;
	struct listener *rt_l;
	struct conn_list conns;
	struct session_list sessions;
	struct event *rt_timer;   /* --runtime-timeout */
	int seen_runtime;
	int retired;              /* out of service; its sessions drain */
	int told_waiting;         /* said a tool waits with no runtime */
	uint64_t next_id;
	unsigned rt_failures;     /* consecutive failures to reach the runtime */
	unsigned tool_failures;   /* consecutive failures to reach the tool */
	struct ratelimit warnings; /* of what peers cause */
	struct route_totals totals;
	uint64_t start_us;
	unsigned ntools;          /* accepted tool connections in their preamble */
	unsigned nruntimes;       /* accepted runtime connections in their preamble */

	/* server-server: idle runtime connections and waiting tools. */
	struct pair pair;
	struct runtime_list runtimes; /* runtimes = many */

	/* client-server: re-offers to the tool. */
	struct backoff tool_backoff;

	/* A WebSocket runtime side (browser apps): upgrades and bridges. */
	struct wsserver *ws;
	char *ws_name;            /* ws://HOST:PORT/PATH, with the real port */

	/* Physical devices (forward-port): adb reverse/forward, or usbmux. */
	struct adbfwd *adb;
	struct usbmux *usbmux;

	/* client-client: the one advertised connection to the tool (or its probe). */
	struct conn *cc;
	struct backoff cc_backoff;
	struct event *cc_timer;
	struct ipc_advertise cc_adv;
};

/* accept.c */
void accept_tool(int, void *);
void accept_runtime_tool(int, void *);
void accept_runtime(int, void *);
void accept_busy(int, void *);

/* client_client.c */
extern const struct route_ops client_client_ops;

/* client_server.c */
extern const struct route_ops client_server_ops;

/* conn.c */
struct conn *conn_new(struct route *, int, enum conn_role, enum conn_state);
void conn_free(struct conn *);
void conn_close(struct conn *, enum log_level, const char *, ...)
    DSR_PRINTFLIKE(3, 4);
void conn_refuse(struct conn *, uint32_t, enum route_err, enum log_level,
    const char *, ...) DSR_PRINTFLIKE(5, 6);
void conn_set_state(struct conn *, enum conn_state);
void conn_timer(struct conn *, unsigned);
void conn_attach(struct conn *, struct bufferevent *);
struct bufferevent *conn_take_bev(struct conn *);
int conn_peer_closed(struct conn *);
void conn_wait_for_runtime(struct conn *);
void conn_send_advertise(struct conn *, const uint8_t *);
void conn_send_probe(struct conn *);
void conn_frame_deadline(struct conn *);
void conn_read_frame(struct conn *);
void conn_read_advertise(struct conn *);

/* dial.c */
struct conn *dial_new(struct route *, enum conn_role, struct conn *, unsigned);
void dial_start(struct conn *);
void dial_failed(struct conn *, const char *);
void dial_connected(struct conn *);

/* forward.c */
int forward_start(struct route *, char **);
void forward_stop(struct route *);
void forward_free(struct route *);
void forward_adopt(struct route *, struct route *);
const char *forward_summary(struct route *);
void forward_dial(struct conn *);
void forward_cancel(struct conn *);
void forward_status(struct route *, struct evbuffer *, int);

/* explain.c */
void explain_exposure(struct route *);
void explain_log(struct route *);
void explain_app_ports(struct route *, char *, size_t);

/* route.c */
void route_vlog(struct route *, enum log_level, const char *, va_list)
    DSR_PRINTFLIKE(3, 0);
void route_log(struct route *, enum log_level, const char *, ...)
    DSR_PRINTFLIKE(3, 4);
void route_runtime_seen(struct route *);
void route_runtime_up(struct route *);
int route_runtime_present(struct route *);
unsigned route_wait_ms(struct route *);
void route_start_session(struct route *, struct conn *, struct conn *,
    struct pair_runtime *);
void route_dialled_runtime(struct conn *);
const char *route_runtime_name(struct route *);

/* runtime.c */
struct runtime *runtime_of(struct pair_runtime *);
struct runtime *runtime_new(struct route *, struct pair_runtime *);
void runtime_free(struct runtime *);
void runtime_free_all(struct route *);
void runtime_check(struct runtime *);
void runtime_probe_later(struct runtime *, unsigned);
void runtime_probed(struct runtime *, const char *);

/* wsroute.c */
int wsroute_listen(struct route *, char **);
void wsroute_update(struct route *, const struct route_conf *);
void wsroute_free(struct route *);
void wsroute_status(struct route *, struct evbuffer *, int);

/* server_client.c */
extern const struct route_ops server_client_ops;

/* server_server.c */
extern const struct route_ops server_server_ops;

#endif /* ROUTE_H */

/* SPDX-License-Identifier: MIT */
/* dsrouterd.h: shared types and prototypes, grouped by the file defining them. */
#ifndef DSROUTERD_H
#define DSROUTERD_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct event_base;
struct bufferevent;
struct evbuffer;

#define DSR_PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))
#define DSR_NORETURN __attribute__((noreturn))
#define DSR_UNUSED __attribute__((unused))

/* Defaults. */
#define DSR_DEFAULT_TCP "127.0.0.1:9000"
#define DSR_DEFAULT_PAIR_TIMEOUT_MS 5000   /* a runtime is connected */
#define DSR_DEFAULT_FIRST_RUNTIME_MS 60000 /* none is: the app may be starting */
#define DSR_DEFAULT_FRAME_TIMEOUT_MS 2000
#define DSR_DEFAULT_RUNTIME_GRACE_MS 5000
#define DSR_DEFAULT_CONFIG SYSCONFDIR "/dsrouterd.conf"

/* The diagnostic IPC protocol. */
#define IPC_HEADER_SIZE 20
#define IPC_MAX_FRAME 65535
#define IPC_ADVERTISE_SIZE 34
#define IPC_COOKIE_SIZE 16
#define IPC_ERROR_SIZE 24

#define IPC_SET_PROCESS 0x04
#define IPC_SET_SERVER 0xff
#define IPC_ID_PROCESSINFO 0x00
#define IPC_ID_OK 0x00
#define IPC_ID_ERROR 0xff

#define IPC_E_BAD_ENCODING 0x80131384u
#define IPC_E_UNKNOWN_COMMAND 0x80131385u
#define IPC_E_UNKNOWN_MAGIC 0x80131386u
#define IPC_E_NOT_YET_AVAILABLE 0x8013135Bu
#define IPC_E_ACCESS_DENIED 0x80070005u

/* Log levels, from the most to the least severe. */
enum log_level {
	LOG_LEVEL_NONE,
	LOG_LEVEL_CRIT,
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_TRACE,
};

/* An endpoint address: a Unix socket path or a TCP host and port. */
enum addr_kind {
	ADDR_UNIX,
	ADDR_TCP,
};
struct addr {
	enum addr_kind kind;
	char *path;       /* ADDR_UNIX */
	char *host;       /* ADDR_TCP; NULL for any address ("*") */
	uint16_t port;    /* ADDR_TCP */
	char *text;       /* as written by the user, for messages */
	struct sockaddr_storage ss; /* filled by addr_resolve */
	socklen_t sslen;
};

/* The four routing modes. */
enum route_mode {
	MODE_SERVER_SERVER,
	MODE_SERVER_CLIENT,
	MODE_CLIENT_SERVER,
	MODE_CLIENT_CLIENT,
};
#define MODE_TOOL_SERVER(m) ((m) == MODE_SERVER_SERVER || (m) == MODE_SERVER_CLIENT)
#define MODE_RUNTIME_SERVER(m) ((m) == MODE_SERVER_SERVER || (m) == MODE_CLIENT_SERVER)

/* Who may use a route's Unix tool socket. */
struct access {
	mode_t mode;               /* the socket file's mode (default 0600) */
	gid_t group;               /* its group, when group_set */
	int group_set;
	uid_t *uids;               /* allow-users; none: no check */
	size_t nuids;
	gid_t *gids;               /* allow-groups */
	size_t ngids;
};
#define DSR_DEFAULT_SOCKET_MODE 0600

/* Port forwarding to a physical device. */
enum forward_kind {
	FORWARD_NONE,
	FORWARD_ANDROID,           /* adb reverse (runtimes connect) or forward */
	FORWARD_IOS,               /* usbmux: a device port, for each command */
};

/* A verb or preset and what it means. */
struct conf_mode {
	const char *name;
	enum route_mode mode;
	const char *default_runtime;  /* a preset's runtime address */
	enum forward_kind forward;    /* a preset's forwarding */
	int websocket;                /* the runtime side is a WebSocket (browser apps) */
};

/* One route as configured: validated, not live. */
struct route_conf {
	char *name;
	enum route_mode mode;
	const char *preset;        /* preset name, or NULL */
	struct addr tool;          /* tool (IPC) side */
	struct addr runtime;       /* runtime (TCP) side */
	int tool_default;          /* tool path generated from pid and start time */
	unsigned runtime_timeout_ms; /* 0: none */
	unsigned pair_timeout_ms;  /* 0: the defaults above, as the case may be */
	unsigned frame_timeout_ms;
	int allow_remote_tools;    /* a tool listener off loopback is wanted */
	struct access access;      /* who may use a Unix tool socket */
	int many;                  /* runtimes = many: one runtime per cookie */
	char *tool_dir;            /* ipc-server-dir: a tool socket per runtime */
	unsigned grace_ms;         /* a runtime without a connection this long is gone */
	enum forward_kind forward; /* forward-port */
	char *device;              /* device = SERIAL or UDID; NULL: every/first one */
	char *adb;                 /* adb = PATH; NULL: looked for */
	char *ws_url;              /* web-socket: the URL as written; NULL: not a WebSocket */
	char *ws_path;             /* its path ("/diagnostics"); runtime holds HOST:PORT */
	char **ws_origins;         /* allow-origins, NULL-ended; NULL: localhost pages only */
	unsigned line;             /* line of the [route] header, 0 for the command line */
	unsigned tool_line;        /* lines of the address keys */
	unsigned runtime_line;
	TAILQ_ENTRY(route_conf) entry;
};
TAILQ_HEAD(route_conf_list, route_conf);

/* A whole configuration. */
struct conf {
	char *file;                /* NULL when built from the command line */
	enum log_level log_level;
	char *control_socket;      /* control-socket, or NULL for the default */
	struct access access;      /* [dsrouterd]'s access keys: the control socket's */
	struct route_conf_list routes;
	unsigned nroutes;
};

/* Route keys: the long option names, and the keys of a [route] section. */
enum conf_key {
	KEY_MODE,
	KEY_IPC_SERVER,
	KEY_IPC_CLIENT,
	KEY_TCP_SERVER,
	KEY_TCP_CLIENT,
	KEY_RUNTIME_TIMEOUT,
	KEY_PAIR_TIMEOUT,
	KEY_FRAME_TIMEOUT,
	KEY_ALLOW_REMOTE_TOOLS,
	KEY_SOCKET_MODE,
	KEY_SOCKET_GROUP,
	KEY_ALLOW_USERS,
	KEY_ALLOW_GROUPS,
	KEY_RUNTIMES,
	KEY_IPC_SERVER_DIR,
	KEY_RUNTIME_GRACE,
	KEY_FORWARD_PORT,
	KEY_DEVICE,
	KEY_ADB,
	KEY_WEB_SOCKET,
	KEY_ALLOW_ORIGINS,
	KEY_COUNT,
};

/* A route as written: raw values and where each came from. */
struct route_spec {
	const char *name;
	unsigned line;
	const char *val[KEY_COUNT];
	unsigned vline[KEY_COUNT];
	int inherited[KEY_COUNT];  /* given in [dsrouterd], for every route */
};

/* What a reload does to one route. */
enum reload_action {
	RELOAD_REMOVE,   /* gone from the file: stop listening, let sessions end */
	RELOAD_KEEP,     /* unchanged */
	RELOAD_UPDATE,   /* time-outs changed: applied in place */
	RELOAD_REPLACE,  /* ends or mode changed: a new route for the old */
	RELOAD_ADD,      /* new */
};
struct reload_step {
	enum reload_action action;
	const struct route_conf *old;  /* running, or NULL */
	const struct route_conf *new;  /* from the new file, or NULL */
};
struct reload_plan {
	struct reload_step *steps;
	size_t nsteps;
};

/* What the command line asks for. */
enum cli_action {
	CLI_RUN,
	CLI_TEST,
	CLI_STATUS,
	CLI_HELP,
	CLI_VERSION,
};
struct cli {
	enum cli_action action;
	const char *help_verb;     /* CLI_HELP: of this verb, or NULL for all */
	char *config;              /* -c FILE */
	struct conf *conf;         /* the route from a verb, or NULL with -c */
	enum log_level log_level;
	int log_level_set;
	int info;                  /* -i: say how to use the routes */
	char *control_socket;      /* --control-socket PATH */
	int json;                  /* status --json */
	sigset_t blocked;          /* --block-signals */
	pid_t parent;              /* --parentprocess, or 0 */
	char *parent_name;
};

/* How the daemon runs, besides its routes. */
struct run_opts {
	const char *config_path;   /* for reload; NULL: routes from the command line */
	int log_fixed;             /* -v given: reload keeps its level */
	int info;                  /* -i: print how to use each route */
	const char *control_socket; /* --control-socket, or NULL */
	sigset_t blocked;          /* signals ignored */
	pid_t parent;              /* stop when it exits; 0: none */
	const char *parent_name;
};

/* Exponential back-off with a cap and jitter. */
struct backoff {
	unsigned base_ms;
	unsigned cap_ms;
	unsigned next_ms;
	unsigned attempts;
};

/* A parsed advertise. */
struct ipc_advertise {
	uint8_t cookie[IPC_COOKIE_SIZE];
	uint64_t pid;
};

/* Result of looking at the start of an IPC frame or advertise. */
enum ipc_status {
	IPC_OK,
	IPC_SHORT,
	IPC_BAD_MAGIC,
	IPC_BAD_SIZE,
	IPC_BAD_RESPONSE,
};

/* A parsed IPC header. */
struct ipc_header {
	uint16_t size;
	uint8_t set;
	uint8_t id;
};

/* Pairing for server-server: what an advertise did to the table. */
enum pair_event {
	PAIR_FIRST,    /* first runtime seen */
	PAIR_KNOWN,    /* a runtime seen before reconnected */
	PAIR_REPLACED, /* a new runtime replaced the previous one */
	PAIR_ANOTHER,  /* many runtimes: one more, beside the others */
};

/* A runtime instance known to the pairing table. */
struct pair_runtime {
	struct ipc_advertise adv;
	uint64_t seq;              /* order of first appearance */
	unsigned nconns;           /* live connections: idle and in session */
	void *user;                /* the caller's; a runtime with one is never trimmed */
	TAILQ_ENTRY(pair_runtime) entry;
};
TAILQ_HEAD(pair_runtime_list, pair_runtime);

/* An entry of the pairing table: an idle runtime connection or a waiting tool. */
struct pair_item {
	void *handle;
	struct pair_runtime *runtime; /* idle: its runtime; tool: the one it wants, or NULL */
	TAILQ_ENTRY(pair_item) entry;
};
TAILQ_HEAD(pair_item_list, pair_item);

/* The pairing table of one server-server route. */
struct pair {
	struct pair_runtime_list runtimes; /* newest first */
	unsigned nruntimes;
	uint64_t seq;
	struct pair_item_list idle;        /* idle advertised runtime connections */
	struct pair_item_list tools;       /* tools waiting, oldest first */
	int many;                          /* a new cookie is one more runtime, not a replacement */
};
#define PAIR_MAX_RUNTIMES 16
#define PAIR_MAX_IDLE 2          /* idle connections kept per runtime (it keeps one) */

/* A limit on how many messages of a kind are logged. */
struct ratelimit {
	unsigned burst;            /* messages per window */
	uint64_t window_us;
	uint64_t start_us;         /* start of the current window */
	unsigned count;            /* messages logged in it */
	unsigned suppressed;       /* left out since the last one logged */
};

/* Byte counters and time of one forwarding session. */
struct relay_stats {
	uint64_t tool_to_runtime;
	uint64_t runtime_to_tool;
	uint64_t start_us;
};

struct route;
struct relay;
struct listener;
struct daemon;
struct lifeline;

/* addr.c */
int addr_parse_runtime(struct addr *, const char *, char **);
int addr_parse_tool(struct addr *, const char *, char **);
int addr_parse_path(struct addr *, const char *, char **);
int addr_resolve(struct addr *, int, char **);
int addr_same(const struct addr *, const struct addr *);
int addr_is_local(const struct addr *);
int addr_is_any(const struct addr *);
void addr_copy(struct addr *, const struct addr *);
void addr_free(struct addr *);
const char *addr_describe(const struct addr *);
char *addr_default_tool_path(pid_t, char **);
char *addr_router_tool_path(pid_t, char **);
int addr_proc_start_time(pid_t, unsigned long long *);

/* access.c */
int access_parse_mode(const char *, mode_t *);
int access_parse_group(const char *, gid_t *);
int access_parse_users(const char *, uid_t **, size_t *, char **);
int access_parse_groups(const char *, gid_t **, size_t *, char **);
int access_allowed(const struct access *, uid_t, gid_t, const gid_t *, size_t);
int access_equal(const struct access *, const struct access *);
void access_copy(struct access *, const struct access *);
void access_free(struct access *);

/* backoff.c */
void backoff_init(struct backoff *, unsigned, unsigned);
unsigned backoff_next(struct backoff *, uint32_t);
void backoff_reset(struct backoff *);

/* cli.c */
int cli_parse(struct cli *, int, char **, char **);
int cli_parse_signals(const char *, sigset_t *, char **);
void cli_free(struct cli *);

/* conf.c */
struct conf *conf_new(const char *);
void conf_free(struct conf *);
int conf_key_lookup(const char *);
const char *conf_key_name(enum conf_key);
int conf_key_is_endpoint(enum conf_key);
int conf_key_is_default(enum conf_key);
const char *conf_key_list(void);
const char *conf_key_list_defaults(void);
int conf_validate(struct conf *, char **);
void conf_error(char **, const struct conf *, unsigned, const char *, ...)
    DSR_PRINTFLIKE(4, 5);
int conf_route_equal(const struct route_conf *, const struct route_conf *);
int conf_route_same_ends(const struct route_conf *, const struct route_conf *);
const struct route_conf *conf_find_route(const struct conf *, const char *);
int conf_parse_seconds(const char *, unsigned *, int);
int conf_mode_known(const char *);
const char *conf_mode_name(enum route_mode);
int conf_route_mode(struct conf *, const struct route_spec *, enum route_mode *,
    const struct conf_mode **, char **);
const char *conf_key_label(const struct conf *, enum conf_key, char *, size_t);
int conf_parse_bool(const char *, int *);
void conf_route_free_ws(struct route_conf *);
void conf_route_copy_ws(struct route_conf *, const struct route_conf *);
int conf_origins_equal(char *const *, char *const *);
const char *conf_route_mode_name(const struct route_conf *);

/* control.c */
struct control *control_new(struct event_base *, const char *,
    const struct access *, void (*)(struct evbuffer *, int, void *), void *,
    char **);
void control_free(struct control *);
const char *control_path(struct control *);
char *control_default_path(void);

/* confroute.c */
int confroute_add(struct conf *, const struct route_spec *, char **);
int confroute_global_access(struct conf *, const struct route_spec *, char **);

/* confws.c */
int confws_origins(const char *, char ***, char **);

/* conffile.c */
int conffile_load(struct conf **, const char *, char **);
int conffile_load_string(struct conf **, const char *, const char *, char **);

/* forward.c (the rest in route.h) */
int forward_check(const struct route_conf *, char **);

/* explain.c (the rest in route.h) */
void explain_info(struct route *, FILE *);

/* daemon.c */
int daemon_run(struct conf *, const struct run_opts *);

/* ipc.c */
enum ipc_status ipc_header_parse(const uint8_t *, size_t, struct ipc_header *);
enum ipc_status ipc_frame_complete(const uint8_t *, size_t, struct ipc_header *);
enum ipc_status ipc_advertise_parse(const uint8_t *, size_t, struct ipc_advertise *);
void ipc_advertise_build(uint8_t *, const struct ipc_advertise *);
void ipc_error_build(uint8_t *, uint32_t);
void ipc_processinfo_build(uint8_t *);
enum ipc_status ipc_processinfo_parse(const uint8_t *, size_t, struct ipc_advertise *);
void ipc_cookie_format(const uint8_t *, char *, size_t);
void ipc_cookie_hex(const uint8_t *, char *, size_t);
const char *ipc_command_name(uint8_t, uint8_t, char *, size_t);
enum ipc_status ipc_processinfo_cmdline(const uint8_t *, size_t, char *, size_t);
const char *ipc_status_name(enum ipc_status);
uint32_t ipc_status_hresult(enum ipc_status);

/* lifeline.c */
struct lifeline *lifeline_new(struct event_base *, pid_t, const char *,
    void (*)(const char *, void *), void *);
void lifeline_free(struct lifeline *);

/* listener.c */
struct listener *listener_new(struct event_base *, const struct addr *,
    const struct access *, void (*)(int, void *), void (*)(int, void *),
    void *, char **);
void listener_free(struct listener *);
int listener_alias(struct listener *, const char *, char **);
const char *listener_name(struct listener *);

/* log.c */
void log_open(enum log_level);
void log_set_level(enum log_level);
enum log_level log_get_level(void);
int log_level_parse(const char *, enum log_level *);
void log_msg(enum log_level, const char *, const char *, ...) DSR_PRINTFLIKE(3, 4);
void log_vmsg(enum log_level, const char *, const char *, va_list) DSR_PRINTFLIKE(3, 0);
void log_libevent(void);
void log_fail(const char *, ...) DSR_PRINTFLIKE(1, 2);
void fatal(const char *, ...) DSR_PRINTFLIKE(1, 2) DSR_NORETURN;
void fatalx(const char *, ...) DSR_PRINTFLIKE(1, 2) DSR_NORETURN;
#define log_enabled(l) ((l) <= log_get_level())
#define log_crit(t, ...) log_msg(LOG_LEVEL_CRIT, t, __VA_ARGS__)
#define log_err(t, ...) log_msg(LOG_LEVEL_ERR, t, __VA_ARGS__)
#define log_warn(t, ...) log_msg(LOG_LEVEL_WARN, t, __VA_ARGS__)
#define log_info(t, ...) log_msg(LOG_LEVEL_INFO, t, __VA_ARGS__)
#define log_debug(t, ...) do { if (log_enabled(LOG_LEVEL_DEBUG)) log_msg(LOG_LEVEL_DEBUG, t, __VA_ARGS__); } while (0)
#define log_trace(t, ...) do { if (log_enabled(LOG_LEVEL_TRACE)) log_msg(LOG_LEVEL_TRACE, t, __VA_ARGS__); } while (0)

/* notify.c */
void notify_send(const char *);

/* pair.c */
void pair_init(struct pair *, int);
void pair_clear(struct pair *);
enum pair_event pair_runtime_add(struct pair *, const struct ipc_advertise *, void *,
    struct pair_runtime **, void ***, size_t *);
struct pair_runtime *pair_runtime_idle_gone(struct pair *, void *);
void **pair_runtime_forget(struct pair *, struct pair_runtime *, size_t *);
void pair_runtime_session_done(struct pair *, struct pair_runtime *);
struct pair_runtime *pair_current(struct pair *);
struct pair_runtime *pair_find(struct pair *, const uint8_t *);
int pair_take_idle(struct pair *, void *);
void pair_tool_add(struct pair *, void *, struct pair_runtime *);
int pair_tool_remove(struct pair *, void *);
int pair_match(struct pair *, void **, void **, struct pair_runtime **);
int pair_peek(struct pair *, void **, void **);
size_t pair_idle_count(struct pair *);
int pair_ready(struct pair *, struct pair_runtime *);
size_t pair_tool_count(struct pair *);

/* ratelimit.c */
void ratelimit_init(struct ratelimit *, unsigned, unsigned);
int ratelimit_allow(struct ratelimit *, uint64_t, unsigned *);

/* reload.c */
void reload_plan(struct reload_plan *, const struct route_conf *const *,
    size_t, const struct conf *);
void reload_plan_free(struct reload_plan *);

/* relay.c */
typedef void (*relay_done_cb)(struct relay *, const struct relay_stats *, const char *, void *);
struct relay *relay_new(struct bufferevent *, struct bufferevent *, int, relay_done_cb, void *);
void relay_free(struct relay *);
const struct relay_stats *relay_stats(const struct relay *);

/* route.c (the route subsystem's own types are in route.h) */
struct route *route_new(struct daemon *, struct event_base *, const struct route_conf *, char **);
void route_free(struct route *);
const struct route_conf *route_get_conf(struct route *);
void route_update(struct route *, const struct route_conf *);
int route_listen(struct route *, char **);
void route_unlisten(struct route *);
int route_retire(struct route *);
int route_listens_on(struct route *, const struct route_conf *);
void route_adopt(struct route *, struct route *);

/* daemon.c */
void daemon_route_expired(struct daemon *, struct route *);
void daemon_route_drained(struct daemon *, struct route *);

/* sock.c */
int sock_listen(const struct addr *, const struct access *, char **);
int sock_peer_allowed(int, const struct access *, uid_t *, pid_t *);
int sock_connect_start(const struct addr *);
int sock_set_nonblock(int);
int sock_peer_gone(int);
int sock_eof_pending(int);
char *sock_local_name(int, const struct addr *);
int sock_unix_prepare(const char *, char **);

/* status.c */
#define status_add(b, lit) evbuffer_add((b), (lit), sizeof(lit) - 1)
void status_json_str(struct evbuffer *, const char *);
void status_route(struct route *, struct evbuffer *, int, int);

/* statuscmd.c */
int statuscmd_run(const char *, int);

/* usage.c */
void usage_print(FILE *);
int usage_verb(FILE *, const char *);

/* dynlib.c */
struct dynlib_sym {
	const char *name;      /* the symbol */
	size_t offset;         /* where its address goes in the table */
};
struct dynlib_what {
	const char *what;      /* the message's prefix: "usbmux" */
	const char *need;      /* "libusbmuxd 2.0 or later is needed" */
	const char *hint;      /* what to install */
};
void *dynlib_open(const char *const *, const struct dynlib_sym *, size_t,
    void *, const struct dynlib_what *, char **);

/* xmalloc.c */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
int xasprintf(char **, const char *, ...) DSR_PRINTFLIKE(2, 3);
int xvasprintf(char **, const char *, va_list) DSR_PRINTFLIKE(2, 0);
uint64_t now_us(void);

#endif /* DSROUTERD_H */

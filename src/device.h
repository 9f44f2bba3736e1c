/* SPDX-License-Identifier: MIT */
/* device.h: physical devices: Android through adb, iOS through usbmuxd, and running helper programs. */
#ifndef DEVICE_H
#define DEVICE_H

#include <sys/types.h>
#include <sys/queue.h>

#include <pthread.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dsrouterd.h"

struct event_base;

/* Android: how often the mappings are checked, how long adb may take. */
#define ADB_CHECK_MS 5000          /* re-check every device this often */
#define ADB_COMMAND_MS 10000       /* an adb command is killed after this */
#define ADB_STOP_MS 2000           /* removals at stop, all together, at most */
#define ADB_TRACK_RESTART_MS 60000 /* longest pause before restarting track-devices */
#define ADB_SERIAL_MAX 255         /* longer serials are not taken */

/* A program's output kept by spawn.c, per stream. */
#define SPAWN_MAX_OUTPUT 65536
#define SPAWN_REAP_MS 1000         /* a killed child is waited for at most */

/* iOS: devices remembered (attached, or detached lately). */
#define USBMUX_MAX_DEVICES 16

/* One device as a status command shows it. */
struct device_state {
	char *name;                /* adb serial, or iOS UDID */
	char *state;               /* "established", "lost (...)", "failed: ...";
				      usbmux: "attached (USB)", "detached" */
	time_t since;              /* when it entered that state */
};

/* spawn.c: what became of a program. */
struct spawn_result {
	int status;                /* as waitpid(2) gives it; see exec_errno */
	int exec_errno;            /* not 0: the program could not be run */
	int timed_out;             /* killed after its time-out */
	unsigned timeout_ms;       /* that time-out */
	const char *out;           /* standard output (NUL-terminated), unless streamed */
	size_t outlen;
	const char *err;           /* standard error (NUL-terminated) */
	size_t errlen;
	int truncated;             /* output beyond SPAWN_MAX_OUTPUT was dropped */
	unsigned elapsed_ms;
};
struct spawn;
typedef void (*spawn_done_cb)(const struct spawn_result *, void *);
typedef void (*spawn_output_cb)(const char *, size_t, void *);

/* adb.c: a device as adb lists it. */
struct adb_device {
	char *serial;
	char *state;               /* "device", "offline", "unauthorized", ... */
};

/* adb.c: one line of adb reverse --list or adb forward --list. */
struct adb_mapping {
	char *owner;               /* forward: the device's serial; reverse: the
				      device's name for the host ("UsbFfs", "host-19") */
	char *local;               /* reverse: the device's side; forward: the host's */
	char *remote;              /* reverse: the host's side; forward: the device's */
};

/* adb.c: which way a mapping goes. */
enum adb_dir {
	ADB_REVERSE,               /* device port -> host port (the app connects) */
	ADB_FORWARD,               /* host port -> device port (the app listens) */
};

/* adb.c: the adb commands dsrouterd runs. */
enum adb_cmd {
	ADB_CMD_DEVICES,           /* adb devices */
	ADB_CMD_TRACK,             /* adb track-devices */
	ADB_CMD_LIST,              /* adb -s S reverse|forward --list */
	ADB_CMD_ADD,               /* adb -s S reverse|forward --no-rebind A B */
	ADB_CMD_REMOVE,            /* adb -s S reverse|forward --remove A */
};

/* adb.c: what the start of track-devices output holds. */
enum adb_frame {
	ADB_FRAME_OK,              /* a frame: 4 hex digits, then that many bytes */
	ADB_FRAME_SHORT,           /* not complete yet */
	ADB_FRAME_NOISE,           /* a line of adb's own ("* daemon started"): skip it */
	ADB_FRAME_BAD,             /* not track-devices output */
};

/* adb.c: whether a --list holds a mapping. */
enum adb_match {
	ADB_MISSING,
	ADB_PRESENT,
	ADB_CONFLICT,              /* the same port goes somewhere else */
};

/* adbfwd.c: one route's Android mapping. */
struct adbfwd_conf {
	const char *adb;           /* adb's path; NULL: adb_find() */
	const char *serial;        /* one device; NULL: every attached device */
	enum adb_dir dir;
	uint16_t device_port;      /* on the device (android: host_port - 1) */
	uint16_t host_port;        /* on this host */
	const char *tag;           /* log tag: the route's name */
	unsigned check_ms;         /* 0: ADB_CHECK_MS */
	unsigned command_ms;       /* 0: ADB_COMMAND_MS */
};
struct adbfwd;

/* adbfwd_dev.c: a device's mapping, as far as we know. */
enum adbfwd_st {
	ADBFWD_PENDING,            /* not checked yet */
	ADBFWD_ESTABLISHED,
	ADBFWD_LOST,               /* was established, is not */
	ADBFWD_FAILED,             /* cannot be made: text says why */
};

/* adbfwd_dev.c: what a device's running command is. */
enum adbfwd_job {
	ADBFWD_JOB_NONE,
	ADBFWD_JOB_LIST,
	ADBFWD_JOB_ADD,
	ADBFWD_JOB_REMOVE,
};

/* adbfwd_dev.c: a device adb listed (now or before). */
struct adbfwd_dev {
	struct adbfwd *fwd;
	char *serial;
	char *adbstate;            /* as adb lists it: "device", "offline", ... */
	int present;               /* in adb's latest list */
	int owned;                 /* we made the mapping and have not removed it */
	enum adbfwd_st st;
	char *text;                /* the state for status and logs */
	time_t since;
	struct spawn *job;
	enum adbfwd_job jobkind;
	int recheck;               /* check again when the job ends */
	TAILQ_ENTRY(adbfwd_dev) entry;
};
TAILQ_HEAD(adbfwd_devs, adbfwd_dev);

/* adbfwd.c: one route's mapping on its devices (the adbfwd*.c files'). */
struct adbfwd {
	struct event_base *base;
	char *adb;
	char *serial;              /* only this device, or NULL */
	char *tag;
	char *what;                /* "reverse tcp:9000 -> tcp:9001" */
	enum adb_dir dir;
	uint16_t device_port, host_port;
	unsigned check_ms, command_ms;
	struct event *tick;
	struct spawn *tracker;     /* adb track-devices */
	char *trackbuf;            /* its output not yet parsed */
	size_t tracklen;
	int track_bad;             /* its output made no sense: poll for good */
	unsigned track_fails;
	uint64_t track_next_us;    /* restart it no earlier */
	struct spawn *lister;      /* adb devices, while no tracker runs */
	int have_list;             /* adb has listed devices at least once */
	char *adb_error;           /* why adb cannot list devices, or NULL */
	struct adbfwd_devs devs;
	char summary[512];
	int stopping;
	unsigned removing;         /* removals still running */
	void (*stopped)(struct adbfwd *, void *);
	void *stopped_arg;
};

/* usbmux.c */
struct usbmux;
typedef void (*usbmux_cb)(int, const char *, void *);

/* usbmux_lib.c: a device as usbmuxd describes it. */
struct usbmux_lib_dev {
	uint32_t handle;           /* usbmuxd's id for this attachment */
	char udid[48];
	int usb;                   /* over USB (else the network) */
};
/* usbmux_lib.c: a device attached (1) or detached (0), on libusbmuxd's thread. */
typedef void (*usbmux_lib_cb)(int, const struct usbmux_lib_dev *, void *);

/* usbmux_shared.c: a connection asked for, then its result. */
struct usbmux_req {
	usbmux_cb cb;              /* NULL: the start-up probe */
	void *arg;
	int fd;
	char *why;                 /* when fd is -1 */
	int cancelled;
	TAILQ_ENTRY(usbmux_req) entry;
};
TAILQ_HEAD(usbmux_reqs, usbmux_req);

/* usbmux_shared.c: a line for the loop to log (threads do not log). */
struct usbmux_note {
	enum log_level level;
	char *text;
	TAILQ_ENTRY(usbmux_note) entry;
};
TAILQ_HEAD(usbmux_notes, usbmux_note);

/* usbmux_devs.c: a device usbmuxd told of. */
struct usbmux_dev {
	uint32_t handle;
	char udid[48];
	int usb;                   /* over USB (else the network) */
	int attached;
	time_t since;
};

/*
 * usbmux_shared.c: what the loop, our worker and libusbmuxd's monitor
 * share, under lock. Held by the loop's usbmux and by the worker: the
 * last to let go frees.
 */
struct usbmux_shared {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs;
	int stop;
	int wake_w;                /* a byte here wakes the loop */
	char *udid;                /* only this device, or NULL */
	uint16_t port;
	char *where;               /* usbmuxd's address, for messages */
	struct usbmux_reqs queue;  /* for the worker */
	struct usbmux_req *current; /* with the worker */
	struct usbmux_reqs done;   /* for the loop */
	struct usbmux_notes notes;
	struct usbmux_dev devs[USBMUX_MAX_DEVICES];
	size_t ndevs;
};

/* device.c */
void device_state_fill(struct device_state *, const char *, const char *, time_t);
void device_state_free(struct device_state *, size_t);

/* adb.c */
char *adb_locate(const char *, const char *, const char *, const char *, char **);
char *adb_find(char **);
size_t adb_parse_devices(const char *, size_t, struct adb_device **);
void adb_devices_free(struct adb_device *, size_t);
enum adb_frame adb_track_frame(const char *, size_t, size_t *, size_t *);
size_t adb_parse_list(const char *, size_t, struct adb_mapping **);
void adb_mappings_free(struct adb_mapping *, size_t);
enum adb_match adb_list_find(const struct adb_mapping *, size_t, enum adb_dir,
    const char *, uint16_t, uint16_t, const struct adb_mapping **);
char **adb_argv(const char *, const char *, enum adb_cmd, enum adb_dir,
    uint16_t, uint16_t);
void adb_argv_free(char **);
char *adb_argv_join(char *const *);
int adb_serial_valid(const char *);
const char *adb_state_hint(const char *);
char *adb_mapping_describe(enum adb_dir, uint16_t, uint16_t);

/* spawn.c */
struct spawn *spawn_run(struct event_base *, char *const *, unsigned,
    spawn_output_cb, spawn_done_cb, void *, char **);
void spawn_cancel(struct spawn *);
pid_t spawn_pid(const struct spawn *);
int spawn_success(const struct spawn_result *);
char *spawn_describe(const struct spawn_result *);

/* spawn_proc.c */
pid_t spawn_proc_fork(char *const *, int, int, int);
int spawn_proc_reap(pid_t, unsigned, int *);
unsigned spawn_proc_sync(char *const *const *, size_t, unsigned, int *);

/* adbfwd.c */
struct adbfwd *adbfwd_new(struct event_base *, const struct adbfwd_conf *, char **);
void adbfwd_stop(struct adbfwd *, void (*)(struct adbfwd *, void *), void *);
void adbfwd_free(struct adbfwd *);
void adbfwd_adopt(struct adbfwd *, struct adbfwd *);
size_t adbfwd_state(struct adbfwd *, struct device_state **);
unsigned adbfwd_established(struct adbfwd *);
const char *adbfwd_summary(struct adbfwd *);
struct spawn *adbfwd_run(struct adbfwd *, const char *, enum adb_cmd,
    unsigned, spawn_output_cb, spawn_done_cb, void *);

/* adbfwd_dev.c */
struct adbfwd_dev *adbfwd_dev_find(struct adbfwd *, const char *);
struct adbfwd_dev *adbfwd_dev_add(struct adbfwd *, const char *);
void adbfwd_dev_free(struct adbfwd_dev *);
void DSR_PRINTFLIKE(3, 4) adbfwd_dev_set(struct adbfwd_dev *, enum adbfwd_st,
    const char *, ...);
int adbfwd_dev_ready(const struct adbfwd_dev *);
void adbfwd_dev_check(struct adbfwd_dev *);
void adbfwd_dev_not_ready(struct adbfwd_dev *);
void adbfwd_dev_quiet(struct adbfwd_dev *);
int adbfwd_dev_to_remove(const struct adbfwd_dev *);
int adbfwd_dev_remove(struct adbfwd_dev *);
void adbfwd_dev_removed(struct adbfwd_dev *, int, const char *);

/* adbfwd_track.c */
void adbfwd_track_start(struct adbfwd *);
void adbfwd_track_poll(struct adbfwd *);
void adbfwd_track_tick(struct adbfwd *);
void adbfwd_track_stop(struct adbfwd *);

/* usbmux.c */
struct usbmux *usbmux_new(struct event_base *, const char *, uint16_t,
    const char *, char **);
void usbmux_connect(struct usbmux *, usbmux_cb, void *);
void usbmux_cancel(struct usbmux *, void *);
size_t usbmux_devices(struct usbmux *, struct device_state **);
unsigned usbmux_attached(struct usbmux *);
void usbmux_free(struct usbmux *);

/* usbmux_lib.c */
int usbmux_lib_load(char **);
int usbmux_lib_open(const char *const *, char **);
int usbmux_lib_devices(struct usbmux_lib_dev **);
int usbmux_lib_connect(uint32_t, uint16_t);
void *usbmux_lib_subscribe(usbmux_lib_cb, void *, int *);
void usbmux_lib_unsubscribe(void *);
void usbmux_lib_poll_socket(void);

/* usbmux_shared.c */
struct usbmux_shared *usbmux_shared_new(const char *, uint16_t, const char *,
    int);
void usbmux_shared_release(struct usbmux_shared *);
void DSR_PRINTFLIKE(3, 4) usbmux_shared_note(struct usbmux_shared *,
    enum log_level, const char *, ...);
void usbmux_shared_wake(struct usbmux_shared *);
void usbmux_shared_stop(struct usbmux_shared *);

/* usbmux_devs.c */
int usbmux_devs_udid_eq(const char *, const char *);
void usbmux_devs_event(int, const struct usbmux_lib_dev *, void *);
uint32_t usbmux_devs_pick(struct usbmux_shared *, char *, size_t);
size_t usbmux_devs_state(struct usbmux_shared *, struct device_state **);
unsigned usbmux_devs_attached(struct usbmux_shared *);

/* usbmux_worker.c */
int usbmux_worker_start(struct usbmux_shared *, pthread_t *);

#endif /* DEVICE_H */

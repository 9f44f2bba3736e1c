/* device.h: physical devices: Android through adb, iOS through usbmuxd, and running helper programs. */
#ifndef DEVICE_H
#define DEVICE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct event_base;

/* Android: how often the mappings are checked, how long adb may take. */
#define ADB_CHECK_MS 5000          /* re-check every device this often */
#define ADB_COMMAND_MS 10000       /* an adb command is killed after this */
#define ADB_STOP_MS 2000           /* removals at stop, all together, at most */
#define ADB_TRACK_RESTART_MS 60000 /* longest pause before restarting track-devices */
#define ADB_SERIAL_MAX 255         /* longer serials are not taken */

/* A program's output kept by spawn.c, per stream. */
#define SPAWN_MAX_OUTPUT 65536

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

/* usbmux.c */
struct usbmux;
typedef void (*usbmux_cb)(int, const char *, void *);

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
unsigned spawn_sync(char *const *const *, size_t, unsigned, int *);

/* adbfwd.c */
struct adbfwd *adbfwd_new(struct event_base *, const struct adbfwd_conf *, char **);
void adbfwd_stop(struct adbfwd *, void (*)(struct adbfwd *, void *), void *);
void adbfwd_free(struct adbfwd *);
void adbfwd_adopt(struct adbfwd *, struct adbfwd *);
size_t adbfwd_state(struct adbfwd *, struct device_state **);
unsigned adbfwd_established(struct adbfwd *);
const char *adbfwd_summary(struct adbfwd *);

/* usbmux.c */
struct usbmux *usbmux_new(struct event_base *, const char *, uint16_t,
    const char *, char **);
void usbmux_connect(struct usbmux *, usbmux_cb, void *);
void usbmux_cancel(struct usbmux *, void *);
size_t usbmux_devices(struct usbmux *, struct device_state **);
unsigned usbmux_attached(struct usbmux *);
void usbmux_free(struct usbmux *);

#endif /* DEVICE_H */

/* SPDX-License-Identifier: MIT */
/* dsrtest.h: what the tests and the benchmark share: sockets, frames, /proc. */
#ifndef DSRTEST_H
#define DSRTEST_H

/*
 * Deliberately separate from src/: the tests build their frames and parse
 * their addresses here, so they stay an independent check of the wire
 * format and of the daemon. Nothing here uses Check or aborts: calls
 * return -1 (or 0 where a size is returned) and leave errno set.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

/* Sizes on the wire. */
#define DSRTEST_HEADER_SIZE 20
#define DSRTEST_ADVERTISE_SIZE 34
#define DSRTEST_COOKIE_SIZE 16
#define DSRTEST_ERROR_SIZE 24
#define DSRTEST_MAX_FRAME 65535

/* The HRESULTs of an IPC Error frame. */
#define DSRTEST_E_BAD_ENCODING 0x80131384u
#define DSRTEST_E_UNKNOWN_COMMAND 0x80131385u
#define DSRTEST_E_UNKNOWN_MAGIC 0x80131386u
#define DSRTEST_E_NOT_YET_AVAILABLE 0x8013135Bu
#define DSRTEST_E_NOTSUPPORTED 0x80131515u
#define DSRTEST_E_RUNTIME_UNINITIALIZED 0x80131371u
#define DSRTEST_E_FAIL 0x80004005u
#define DSRTEST_E_INVALIDARG 0x80070057u

/* Socket flags for dsrtest_connect and dsrtest_listen. */
#define DSRTEST_NONBLOCK 0x1      /* the socket is left non-blocking */
#define DSRTEST_NODELAY 0x2       /* TCP_NODELAY, on a TCP socket */
#define DSRTEST_RCVTIMEO 0x4      /* the time-out bounds blocking reads too */

/* A ProcessInfo answer, parsed. */
struct dsrtest_processinfo {
	uint64_t pid;
	uint8_t cookie[DSRTEST_COOKIE_SIZE];
	char commandline[4096];
	char os[256];
	char arch[256];
};

/* Little-endian stores and loads (inline: the benchmark's per-frame path). */
static inline void
dsrtest_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
dsrtest_put_u32(uint8_t *p, uint32_t v)
{
	dsrtest_put_u16(p, (uint16_t)v);
	dsrtest_put_u16(p + 2, (uint16_t)(v >> 16));
}

static inline void
dsrtest_put_u64(uint8_t *p, uint64_t v)
{
	dsrtest_put_u32(p, (uint32_t)v);
	dsrtest_put_u32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t
dsrtest_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
dsrtest_get_u32(const uint8_t *p)
{
	return (uint32_t)dsrtest_get_u16(p) |
	    (uint32_t)dsrtest_get_u16(p + 2) << 16;
}

static inline uint64_t
dsrtest_get_u64(const uint8_t *p)
{
	return (uint64_t)dsrtest_get_u32(p) |
	    (uint64_t)dsrtest_get_u32(p + 4) << 32;
}

/* dsrtest.c: time */
uint64_t dsrtest_now_ns(void);
long long dsrtest_now_ms(void);
void dsrtest_sleep_us(unsigned);
void dsrtest_sleep_ms(unsigned);

/* dsrtest.c: sockets */
socklen_t dsrtest_sockaddr(const char *, struct sockaddr_storage *);
socklen_t dsrtest_sockaddr_un(const char *, struct sockaddr_storage *);
int dsrtest_nonblock(int);
int dsrtest_connect_sa(const struct sockaddr_storage *, socklen_t, int, int);
int dsrtest_connect(const char *, int, int);
int dsrtest_listen(const char *, int, int, char *, size_t);
int dsrtest_local_port(int);
int dsrtest_accept(int, int);
int dsrtest_write_all(int, const void *, size_t, int);
ssize_t dsrtest_read_some(int, void *, size_t, int);
int dsrtest_read_exact(int, void *, size_t, int, size_t *);
int dsrtest_wait_eof(int, int);
int dsrtest_quiet(int, int);

/* dsrtest.c: frames */
extern const uint8_t dsrtest_ipc_magic[14];
extern const uint8_t dsrtest_adv_magic[8];
void dsrtest_header(uint8_t *, uint16_t, uint8_t, uint8_t);
void dsrtest_advertise(uint8_t *, const uint8_t *, uint64_t);
void dsrtest_cookie(uint8_t *, unsigned);
size_t dsrtest_put_string(uint8_t *, const char *);
int dsrtest_get_string(const uint8_t *, size_t, size_t *, char *, size_t);
size_t dsrtest_processinfo_request(uint8_t *);
size_t dsrtest_processinfo_response(uint8_t *, uint64_t, const uint8_t *,
    const char *, const char *, const char *);
int dsrtest_processinfo_parse(const uint8_t *, size_t,
    struct dsrtest_processinfo *);
size_t dsrtest_ok_result(uint8_t *, uint32_t);
size_t dsrtest_ok_session(uint8_t *, uint64_t);
size_t dsrtest_error(uint8_t *, uint32_t);
int dsrtest_is_error(const uint8_t *);
uint32_t dsrtest_error_hresult(const uint8_t *);
const char *dsrtest_hresult_name(uint32_t);
void dsrtest_hex(const uint8_t *, size_t, char *);

/* dsrtest.c: /proc */
long dsrtest_proc_kb(pid_t, const char *, const char *);
long dsrtest_proc_rss_kb(pid_t);
int dsrtest_proc_nfds(pid_t);
int dsrtest_proc_stat(pid_t, int, int, unsigned long long *);
int dsrtest_proc_start_time(pid_t, unsigned long long *);

/* A file read whole (empty if absent); free it. */
char *dsrtest_read_file(const char *);

#endif /* DSRTEST_H */

/* SPDX-License-Identifier: MIT */
/*
 * relay.c: forward bytes both ways between a tool and a runtime connection.
 *
 * The hot path. Each direction reads its source with its own event, up to
 * RELAY_MAX_READ bytes at a time, and writes the bytes through to the
 * destination at once: commands and answers from scratch space (nothing
 * allocated per session), bulk data from an evbuffer it was read into.
 * (A bufferevent would read 4 KiB at a time: libevent 2.1's evbuffer_read()
 * caps every read there, whatever the bufferevent's max single read says,
 * which costs five system calls per 4 KiB.) Only when the destination is
 * full do bytes stay buffered; past the high-water mark reading stops until
 * the buffer drains to half, so memory is bounded and nothing is lost.
 * EOF on one side is passed on as a half-close once the buffered bytes are
 * flushed; the session ends when both directions are done, or at once on
 * an error. Nothing here logs or formats per chunk.
 *
 * On Linux, a direction that carries bulk data (a single read of 64 KiB or
 * more: a trace stream, not a command) moves to splice(2) through a pipe
 * as soon as its buffer is empty, so its bytes never enter user space; the
 * pipe is as big as the high-water mark and plays the buffer's part. A
 * bulk direction towards a Unix socket also gets a send buffer that big,
 * so the daemon is not woken for every 208 KiB the tool reads. Only
 * bytes after the tool's first frame ever reach a relay, so splice never
 * sees a frame the route has not checked. DSROUTERD_NO_SPLICE=1 in the
 * environment keeps every session on the portable path.
 *
 * The bufferevents the route hands over keep owning the descriptors; their
 * events are disabled and whatever they had read or queued is forwarded
 * first.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "dsrouterd.h"

/*
 * The largest single read. An evbuffer chain adds a small header to the
 * space it holds and rounds the whole up to a power of two: asking for a
 * little less than 256 KiB keeps each chain at 256 KiB rather than 512.
 */
#define RELAY_MAX_READ (256 * 1024 - 256)

#if defined(HAVE_SPLICE) && defined(SPLICE_F_NONBLOCK) && defined(F_SETPIPE_SZ)
#define RELAY_SPLICE 1
#endif

/* One read this big means bulk data (splice the rest of the direction). */
#define RELAY_BULK_READ (64 * 1024)
/* A pipe smaller than this (the user's pipe quota is spent) is not used. */
#define RELAY_PIPE_MIN (64 * 1024)

static const size_t relay_hiwat = 1024 * 1024;

/*
 * Where a direction reads when it has nothing buffered: the bytes are
 * written through from here, and only what the destination does not take
 * is copied into the direction's evbuffer. Scratch space, not state: the
 * event loop runs one callback at a time.
 */
static uint8_t relay_scratch[RELAY_MAX_READ];
#ifdef RELAY_SPLICE
static int relay_splice_on = -1;   /* -1: environment not read yet */
#endif

/* One direction: bytes read from one descriptor, written to the other. */
struct relay_dir {
	struct relay *relay;
	const char *from_name;     /* "tool" or "runtime", for close reasons */
	const char *to_name;
	int from;
	int to;
	struct event *rev;         /* from is readable */
	struct event *wev;         /* to is writable */
	struct evbuffer *buf;      /* read, not yet written */
	uint64_t *count;           /* bytes read from 'from' */
	int reading;               /* rev is armed */
	int writing;               /* wev is armed: 'to' was full */
	int eof;                   /* read EOF from 'from' */
	int shut;                  /* shut down writing to 'to' */
	int bulk;                  /* bulk data seen: 1, splice when empty; -1, no splice */
	int pipe[2];               /* splicing: bytes in flight; else -1 */
	size_t inpipe;             /* bytes in the pipe */
	size_t pipecap;            /* the pipe's size */
	int slots_full;            /* the pipe refused bytes before it was full */
};

struct relay {
	struct bufferevent *tool_bev;  /* own the descriptors */
	struct bufferevent *rt_bev;
	struct relay_dir up;           /* tool -> runtime */
	struct relay_dir down;         /* runtime -> tool */
	struct relay_stats stats;
	relay_done_cb cb;
	void *arg;
};

static void relay_readable(evutil_socket_t, short, void *);
static void relay_writable(evutil_socket_t, short, void *);

/* Whether an error only means "not now". */
static int
relay_retriable(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

/* Close a direction's pipe. */
static void
relay_pipe_close(struct relay_dir *d)
{
	if (d->pipe[0] != -1) {
		close(d->pipe[0]);
		close(d->pipe[1]);
		d->pipe[0] = d->pipe[1] = -1;
	}
}

/* Free one direction's events, buffer and pipe. */
static void
relay_dir_free(struct relay_dir *d)
{
	relay_pipe_close(d);
	if (d->rev != NULL)
		event_free(d->rev);
	if (d->wev != NULL)
		event_free(d->wev);
	if (d->buf != NULL)
		evbuffer_free(d->buf);
}

/* A session's byte counts and start, as they are now. */
const struct relay_stats *
relay_stats(const struct relay *r)
{
	return &r->stats;
}

/* Free a session and close both connections, without calling back. */
void
relay_free(struct relay *r)
{
	relay_dir_free(&r->up);
	relay_dir_free(&r->down);
	bufferevent_free(r->tool_bev);
	bufferevent_free(r->rt_bev);
	free(r);
}

/* End the session: report it, then free it. Returns -1 for the callers. */
static int
relay_close(struct relay *r, const char *reason)
{
	r->cb(r, &r->stats, reason, r->arg);
	relay_free(r);
	return -1;
}

/* End the session on a read or write error. */
static int
relay_fail(struct relay_dir *d, const char *side, const char *op, int err)
{
	char reason[128];

	snprintf(reason, sizeof reason, "%s %s: %s", side, op,
	    err != 0 ? strerror(err) : "error");
	return relay_close(d->relay, reason);
}

/* Arm or disarm reading. */
static void
relay_want_read(struct relay_dir *d, int on)
{
	if (on == d->reading)
		return;
	d->reading = on;
	if (on)
		event_add(d->rev, NULL);
	else
		event_del(d->rev);
}

/* Arm or disarm waiting for the destination to take more. */
static void
relay_want_write(struct relay_dir *d, int on)
{
	if (on == d->writing)
		return;
	d->writing = on;
	if (on)
		event_add(d->wev, NULL);
	else
		event_del(d->wev);
}

/* Bytes read from a direction and not yet written. */
static size_t
relay_pending(struct relay_dir *d)
{
	return evbuffer_get_length(d->buf) + d->inpipe;
}

/* How far a direction may fill before it stops reading. */
static size_t
relay_limit(struct relay_dir *d)
{
	return d->pipe[0] != -1 ? d->pipecap : relay_hiwat;
}

/*
 * A direction turned out to carry bulk data. A Unix socket's send buffer
 * is fixed (208 KiB by default), shorter than the high-water mark: every
 * write (or splice) would stop there and wait for the tool to read, a
 * context switch each time. Let it take up to the high-water mark at once
 * (within net.core.wmem_max). TCP tunes its own buffers and is left alone.
 */
static void
relay_bulk_start(struct relay_dir *d)
{
#ifdef SO_DOMAIN
	socklen_t len;
	int dom = 0, size;

	len = sizeof dom;
	if (getsockopt(d->to, SOL_SOCKET, SO_DOMAIN, &dom, &len) == 0 &&
	    dom == AF_UNIX) {
		size = (int)relay_hiwat;
		setsockopt(d->to, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	}
#endif
	d->bulk = 1;
}

#ifdef RELAY_SPLICE
/* Whether splice may be used (DSROUTERD_NO_SPLICE unset, empty or 0). */
static int
relay_splice_enabled(void)
{
	const char *v;

	if (relay_splice_on == -1) {
		v = getenv("DSROUTERD_NO_SPLICE");
		relay_splice_on = v == NULL || *v == '\0' || strcmp(v, "0") == 0;
	}
	return relay_splice_on;
}

/*
 * Move a direction with an empty buffer to splice: a non-blocking pipe as
 * big as the high-water mark. Without descriptors or pipe quota, stay on
 * the portable path.
 */
static void
relay_pipe_open(struct relay_dir *d)
{
	int size;

	d->bulk = -1;
	if (!relay_splice_enabled() || pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		d->pipe[0] = d->pipe[1] = -1;
		return;
	}
	/* As big as the high-water mark, or as the limits allow. */
	for (size = (int)relay_hiwat; size >= RELAY_PIPE_MIN; size /= 2) {
		if (fcntl(d->pipe[0], F_SETPIPE_SZ, size) != -1)
			break;
	}
	size = fcntl(d->pipe[0], F_GETPIPE_SZ);
	if (size < RELAY_PIPE_MIN) {
		relay_pipe_close(d);
		return;
	}
	d->pipecap = (size_t)size;
}
#endif

/*
 * Write what is buffered; wait for the destination if it is full; pass on
 * a pending EOF once everything is out. Returns -1 if the session ended.
 */
static int
relay_flush(struct relay_dir *d)
{
	struct relay *r = d->relay;
	struct relay_dir *other;
	size_t len;
	ssize_t n = 0;

	if (evbuffer_get_length(d->buf) > 0) {
		n = evbuffer_write_atmost(d->buf, d->to, -1);
		if (n == -1 && !relay_retriable(errno))
			return relay_fail(d, d->to_name, "write", errno);
	}
#ifdef RELAY_SPLICE
	else if (d->inpipe > 0) {
		n = splice(d->pipe[0], NULL, d->to, NULL, d->inpipe,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0)
			d->inpipe -= (size_t)n;
		else if (n == -1 && !relay_retriable(errno))
			return relay_fail(d, d->to_name, "write", errno);
	}
#endif
	if ((len = relay_pending(d)) > 0) {
		relay_want_write(d, 1);
		/*
		 * Read again once it has drained to half, or, for a pipe out
		 * of slots before it was full, as soon as anything left it:
		 * only after progress, so a full destination cannot make
		 * reading spin.
		 */
		if (!d->eof && !d->reading && n > 0 &&
		    (len <= relay_limit(d) / 2 || d->slots_full)) {
			d->slots_full = 0;
			relay_want_read(d, 1);
		}
		return 0;
	}
	relay_want_write(d, 0);
	if (!d->eof) {
#ifdef RELAY_SPLICE
		if (d->bulk == 1)
			relay_pipe_open(d);
#endif
		relay_want_read(d, 1);
		return 0;
	}
	if (!d->shut) {
		other = d == &r->up ? &r->down : &r->up;
		/*
		 * Pass the EOF on. When the other direction is already done
		 * the session closes right below, and close() sends the same
		 * FIN (nothing is left unread on either side).
		 */
		if (!other->shut)
			shutdown(d->to, SHUT_WR);
		d->shut = 1;
		relay_pipe_close(d);
	}
	if (r->up.eof && r->up.shut && r->down.eof && r->down.shut)
		return relay_close(r, "closed");
	return 0;
}

#ifdef RELAY_SPLICE
/* Splice once from the source into the pipe. Returns -1 if the session ended. */
static int
relay_fill_pipe(struct relay_dir *d)
{
	ssize_t n;

	n = splice(d->from, NULL, d->pipe[1], NULL, d->pipecap - d->inpipe,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		d->inpipe += (size_t)n;
		*d->count += (uint64_t)n;
		return 0;
	}
	if (n == 0) {
		d->eof = 1;
		relay_want_read(d, 0);
		return 0;
	}
	if ((errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) &&
	    d->inpipe == 0) {
		/* This kernel cannot splice from such a socket: stop trying. */
		relay_splice_on = 0;
		relay_pipe_close(d);
		return 0;
	}
	if (!relay_retriable(errno))
		return relay_fail(d, d->from_name, "read", errno);
	/*
	 * Nothing to read, or the pipe has no free slot though it holds
	 * fewer bytes than its size (each slot takes one fragment): wait for
	 * it to drain rather than spin.
	 */
	if (d->inpipe > 0) {
		d->slots_full = 1;
		relay_want_read(d, 0);
	}
	return 0;
}
#endif

/*
 * Read once from the source. Until a direction carries bulk data, with
 * nothing buffered, read into scratch space and write straight through, so
 * a command allocates nothing. Otherwise read into the end of the buffer:
 * a bulk read usually fills more than the destination takes at once, and
 * what is left then stays where it was read instead of being copied.
 * Returns -1 if the session ended.
 */
static int
relay_fill(struct relay_dir *d)
{
	struct evbuffer_iovec v[2];
	struct iovec iov[2];
	size_t left;
	ssize_t n, w;
	int nv, i, direct;

#ifdef RELAY_SPLICE
	if (d->pipe[0] != -1)
		return relay_fill_pipe(d);
#endif
	direct = d->bulk == 0 && !d->writing && evbuffer_get_length(d->buf) == 0;
	if (direct) {
		nv = 0;
		n = read(d->from, relay_scratch, sizeof relay_scratch);
	} else {
		nv = evbuffer_reserve_space(d->buf, RELAY_MAX_READ, v, 2);
		if (nv <= 0)
			fatalx("evbuffer_reserve_space failed");
		for (i = 0; i < nv; i++) {
			iov[i].iov_base = v[i].iov_base;
			iov[i].iov_len = v[i].iov_len;
		}
		n = readv(d->from, iov, nv);
	}
	if (n == 0) {
		d->eof = 1;
		relay_want_read(d, 0);
		return 0;
	}
	if (n < 0) {
		if (relay_retriable(errno))
			return 0;
		return relay_fail(d, d->from_name, "read", errno);
	}
	*d->count += (uint64_t)n;
	if (n >= RELAY_BULK_READ && d->bulk == 0)
		relay_bulk_start(d);
	if (direct) {
		w = send(d->to, relay_scratch, (size_t)n, MSG_NOSIGNAL);
		if (w == -1 && !relay_retriable(errno))
			return relay_fail(d, d->to_name, "write", errno);
		if (w < 0)
			w = 0;
		if (w < n) {
			/* The destination is full: keep the rest, wait for it. */
			if (evbuffer_add(d->buf, relay_scratch + w,
			    (size_t)(n - w)) != 0)
				fatalx("out of memory buffering a relay");
			relay_want_write(d, 1);
		}
		return 0;
	}
	left = (size_t)n;
	for (i = 0; i < nv && left > 0; i++) {
		if (v[i].iov_len > left)
			v[i].iov_len = left;
		left -= v[i].iov_len;
	}
	evbuffer_commit_space(d->buf, v, i);
	return 0;
}

/* The source is readable: read, then write through unless the far side is full. */
static void
relay_readable(evutil_socket_t fd, short what, void *arg)
{
	struct relay_dir *d = arg;

	(void)fd;
	(void)what;
	if (relay_fill(d) != 0)
		return;
	if (!d->writing) {
		if (relay_flush(d) != 0)
			return;
	}
	if (relay_pending(d) >= relay_limit(d))
		relay_want_read(d, 0);
}

/* The destination can take more. */
static void
relay_writable(evutil_socket_t fd, short what, void *arg)
{
	struct relay_dir *d = arg;

	(void)fd;
	(void)what;
	relay_flush(d);
}

/*
 * Set up one direction. What 'to' still had queued goes out first, then
 * what 'from' had already read.
 */
static void
relay_dir_init(struct relay *r, struct relay_dir *d, struct bufferevent *from,
    struct bufferevent *to, uint64_t *count, const char *from_name,
    const char *to_name)
{
	struct event_base *base = bufferevent_get_base(from);
	struct evbuffer *in = bufferevent_get_input(from);
	struct evbuffer *out = bufferevent_get_output(to);

	d->relay = r;
	d->from_name = from_name;
	d->to_name = to_name;
	d->from = bufferevent_getfd(from);
	d->to = bufferevent_getfd(to);
	d->count = count;
	d->pipe[0] = d->pipe[1] = -1;
	d->rev = event_new(base, d->from, EV_READ | EV_PERSIST, relay_readable, d);
	d->wev = event_new(base, d->to, EV_WRITE | EV_PERSIST, relay_writable, d);
	d->buf = evbuffer_new();
	if (d->rev == NULL || d->wev == NULL || d->buf == NULL)
		fatalx("out of memory setting up a relay");
	/*
	 * A bufferevent's output is frozen at its start, its input at its
	 * end, to all but the bufferevent; it is ours from here on.
	 */
	evbuffer_unfreeze(out, 1);
	if (evbuffer_add_buffer(d->buf, out) != 0)
		fatalx("out of memory setting up a relay");
	*count += evbuffer_get_length(in);
	if (evbuffer_add_buffer(d->buf, in) != 0)
		fatalx("out of memory setting up a relay");
}

/* Start a direction: write what it holds now, then read or wait. */
static void
relay_dir_start(struct relay_dir *d)
{
	if (evbuffer_get_length(d->buf) > 0)
		evbuffer_write_atmost(d->buf, d->to, -1);
	if (!d->eof)
		relay_want_read(d, 1);
	/* Anything left, a pending EOF or an error: the write event sees to it. */
	if (evbuffer_get_length(d->buf) > 0 || d->eof)
		relay_want_write(d, 1);
}

/*
 * Start forwarding between a tool and a runtime connection, taking both
 * bufferevents. Bytes already read on either side are forwarded at once;
 * tool_eof says the tool has already half-closed. Never calls back before
 * returning.
 */
struct relay *
relay_new(struct bufferevent *tool, struct bufferevent *rt, int tool_eof,
    relay_done_cb cb, void *arg)
{
	struct relay *r;

	r = xcalloc(1, sizeof *r);
	r->cb = cb;
	r->arg = arg;
	r->stats.start_us = now_us();
	r->tool_bev = tool;
	r->rt_bev = rt;
	relay_dir_init(r, &r->up, tool, rt, &r->stats.tool_to_runtime,
	    "tool", "runtime");
	relay_dir_init(r, &r->down, rt, tool, &r->stats.runtime_to_tool,
	    "runtime", "tool");
	r->up.eof = tool_eof;
	relay_dir_start(&r->up);
	relay_dir_start(&r->down);
	/*
	 * Only now stop the bufferevents: with the relay's events added
	 * first, libevent leaves descriptors already watched for reading as
	 * they are instead of removing and adding them again.
	 */
	bufferevent_disable(tool, EV_READ | EV_WRITE);
	bufferevent_disable(rt, EV_READ | EV_WRITE);
	bufferevent_setcb(tool, NULL, NULL, NULL, NULL);
	bufferevent_setcb(rt, NULL, NULL, NULL, NULL);
	return r;
}

/* SPDX-License-Identifier: MIT */
/*
 * wsbridge.h: the WebSocket bridge's private type, shared by wsbridge.c
 * (a bridge's life: creation, its events, the run loop, its end) and
 * wsbridge_wslay.c (wslay's side: its callbacks, the close frame). Built
 * only with wslay (HAVE_WEBSOCKET); other modules use ws.h only.
 */
#ifndef WSBRIDGE_H
#define WSBRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include <wslay/wslay.h>

struct event;
struct event_base;
struct evbuffer;

/* One upgraded WebSocket connection and our end of its socketpair. */
struct wsbridge {
	struct event_base *base;
	wslay_event_context_ptr ws;
	int tcp;                   /* the runtime's connection; -1 once done */
	int sp;                    /* our end of the socketpair */
	struct event *tcp_rd, *tcp_wr, *sp_rd, *sp_wr;
	struct event *close_timer; /* the closing handshake's time-out */
	struct event *hup_timer;   /* the route's end half-closed: watch it */
	uint8_t *pre;              /* bytes that came after the upgrade request */
	size_t npre, preoff;
	struct evbuffer *in;       /* runtime to route, not written yet */
	size_t max_message;
	uint64_t msg_len;          /* of the data message being received */
	uint8_t msg_op;            /* its opcode (binary or text) */
	uint8_t frame_op;          /* the opcode of the frame being received */
	unsigned tcp_readable : 1; /* the read event fired since the last EAGAIN */
	unsigned in_paused : 1;    /* reading stopped for back-pressure */
	unsigned tcp_eof : 1;      /* the runtime's TCP side ended */
	unsigned tcp_failed : 1;   /* an error on it */
	unsigned discard : 1;      /* refusing the runtime's data: closing */
	unsigned close_queued : 1; /* a close frame of ours is queued */
	unsigned sp_eof : 1;       /* the route's side ended what it sends */
	unsigned sp_gone : 1;      /* the route's end is closed */
	unsigned sp_shut : 1;      /* we ended what we send the route */
	unsigned timed_out : 1;
	int tcp_errno;
	uint16_t close_sent_code;  /* a close of ours: why */
	uint64_t to_route, to_runtime; /* payload bytes each way */
	uint64_t tcp_in, tcp_out, sp_out; /* bytes moved: progress */
	uint64_t id;
	const char *tag;
	void (*done)(struct wsbridge *, const char *, void *);
	void *arg;
};

/* wsbridge.c */
int wsbridge_in_full(struct wsbridge *);

/* wsbridge_wslay.c */
void wsbridge_wslay_init(struct wsbridge *);
void wsbridge_wslay_close(struct wsbridge *, uint16_t, const char *);

#endif /* WSBRIDGE_H */

/* SPDX-License-Identifier: MIT */
/*
 * wsbridge_wslay.c: a bridge's wslay side: the callbacks through which
 * wslay reads and writes the runtime's connection and sees its frames
 * arrive, and the close frames the bridge sends.
 *
 * wslay does the framing (its event API, with whole-message buffering off:
 * payload arrives chunk by chunk, however the runtime fragmented it). The
 * payload of binary messages goes to the bridge's buffer for the route, in
 * order. wslay answers pings and the closing handshake, and refuses
 * unmasked or malformed frames (close 1002); a text message is refused
 * with 1003 and a message over max_message with 1009. Reading stops, with
 * WSLAY_ERR_WOULDBLOCK, while the bridge's buffer is full (wsbridge.c
 * decides when that is). Built only with wslay (configure's HAVE_WEBSOCKET).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include <event2/buffer.h>

#include <wslay/wslay.h>

#include "dsrouterd.h"
#include "wsbridge.h"

/*
 * A failed recv or send on the runtime's socket (errno set): would block,
 * or the connection failed, as wslay is told.
 */
static ssize_t
wsbridge_wslay_io_error(wslay_event_context_ptr ctx, struct wsbridge *b)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	b->tcp_failed = 1;
	b->tcp_errno = errno;
	wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

/* wslay wants bytes from the runtime: the leftover of the upgrade first. */
static ssize_t
wsbridge_wslay_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    int flags, void *arg)
{
	struct wsbridge *b = arg;
	ssize_t n;

	(void)flags;
	if (b->preoff < b->npre) {
		if (len > b->npre - b->preoff)
			len = b->npre - b->preoff;
		memcpy(buf, b->pre + b->preoff, len);
		b->preoff += len;
		return (ssize_t)len;
	}
	if (wsbridge_in_full(b)) {
		b->in_paused = 1;
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	do
		n = recv(b->tcp, buf, len, 0);
	while (n == -1 && errno == EINTR);
	if (n > 0) {
		b->tcp_in += (uint64_t)n;
		return n;
	}
	if (n == 0) {
		b->tcp_eof = 1;
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		b->tcp_readable = 0;
	return wsbridge_wslay_io_error(ctx, b);
}

/* wslay sends bytes to the runtime. */
static ssize_t
wsbridge_wslay_send_cb(wslay_event_context_ptr ctx, const uint8_t *data,
    size_t len, int flags, void *arg)
{
	struct wsbridge *b = arg;
	int sflags = MSG_NOSIGNAL;
	ssize_t n;

	if (flags & WSLAY_MSG_MORE)
		sflags |= MSG_MORE;
	do
		n = send(b->tcp, data, len, sflags);
	while (n == -1 && errno == EINTR);
	if (n >= 0) {
		b->tcp_out += (uint64_t)n;
		return n;
	}
	return wsbridge_wslay_io_error(ctx, b);
}

/* A server never masks; wslay asks only a client. */
static int
wsbridge_wslay_genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf,
    size_t len, void *arg)
{
	(void)ctx;
	(void)arg;
	memset(buf, 0, len);
	return 0;
}

/* Queue a close frame of ours (once), and take no more data from the runtime. */
void
wsbridge_wslay_close(struct wsbridge *b, uint16_t code, const char *reason)
{
	b->discard = 1;
	if (b->close_queued)
		return;
	if (wslay_event_queue_close(b->ws, code, (const uint8_t *)reason,
	    strlen(reason)) == 0) {
		b->close_queued = 1;
		b->close_sent_code = code;
	}
}

/* A frame starts: a data message's opcode and size are checked here. */
static void
wsbridge_wslay_frame_start_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_frame_recv_start_arg *a, void *arg)
{
	struct wsbridge *b = arg;

	(void)ctx;
	b->frame_op = a->opcode;
	if (a->opcode == WSLAY_TEXT_FRAME || a->opcode == WSLAY_BINARY_FRAME) {
		b->msg_op = a->opcode;
		b->msg_len = 0;
	}
	if (b->discard)
		return;
	if (a->opcode == WSLAY_TEXT_FRAME) {
		wsbridge_wslay_close(b, WSLAY_CODE_UNSUPPORTED_DATA,
		    "binary messages only");
		return;
	}
	if (a->opcode == WSLAY_BINARY_FRAME ||
	    a->opcode == WSLAY_CONTINUATION_FRAME) {
		b->msg_len += a->payload_length;
		if (b->msg_len > b->max_message)
			wsbridge_wslay_close(b, WSLAY_CODE_MESSAGE_TOO_BIG,
			    "message too big");
	}
}

/* Payload bytes of a frame: a binary message's go to the route. */
static void
wsbridge_wslay_frame_chunk_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_frame_recv_chunk_arg *a, void *arg)
{
	struct wsbridge *b = arg;

	(void)ctx;
	if (b->discard || b->sp_gone || a->data_length == 0)
		return;
	if (b->frame_op == WSLAY_BINARY_FRAME ||
	    (b->frame_op == WSLAY_CONTINUATION_FRAME &&
	    b->msg_op == WSLAY_BINARY_FRAME)) {
		evbuffer_add(b->in, a->data, a->data_length);
		b->to_route += a->data_length;
	}
}

/* Make the bridge's wslay context: a server's, with these callbacks. */
void
wsbridge_wslay_init(struct wsbridge *b)
{
	struct wslay_event_callbacks cbs;

	memset(&cbs, 0, sizeof cbs);
	cbs.recv_callback = wsbridge_wslay_recv_cb;
	cbs.send_callback = wsbridge_wslay_send_cb;
	cbs.genmask_callback = wsbridge_wslay_genmask_cb;
	cbs.on_frame_recv_start_callback = wsbridge_wslay_frame_start_cb;
	cbs.on_frame_recv_chunk_callback = wsbridge_wslay_frame_chunk_cb;
	if (wslay_event_context_server_init(&b->ws, &cbs, b) != 0)
		fatalx("wslay_event_context_server_init failed");
	wslay_event_config_set_no_buffering(b->ws, 1);
	wslay_event_config_set_max_recv_msg_length(b->ws, b->max_message);
}

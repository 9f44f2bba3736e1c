/* SPDX-License-Identifier: MIT */
/*
 * check_ws.c: unit tests for ws.c: the ws:// URL, the upgrade request
 * judged (every refusal with its status), the exact bytes of the answers,
 * the Sec-WebSocket-Accept key (RFC 6455's own example), the Origin
 * allow-list, and nettle (ws_nettle.c) mapped only once needed, or one
 * line saying what to install.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"
#include "ws.h"
#include "check_main.h"

Suite *ws_suite(void);

/* A browser's upgrade request, as Chromium sends it (headers abridged). */
#define REQ_LINE "GET /diagnostics HTTP/1.1\r\n"
#define REQ_HEADERS \
	"Host: 127.0.0.1:8088\r\n" \
	"Connection: Upgrade\r\n" \
	"Pragma: no-cache\r\n" \
	"Upgrade: websocket\r\n" \
	"Origin: http://localhost:5000\r\n" \
	"Sec-WebSocket-Version: 13\r\n" \
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" \
	"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
#define GOOD REQ_LINE REQ_HEADERS "\r\n"

static const struct ws_conf conf_default = {
	"/diagnostics", NULL, 0, 0, "test",
};

/* Judge a whole request (NUL-terminated) against a configuration. */
static int
judge(const char *req, const struct ws_conf *conf, struct ws_request *out)
{
	return ws_request_parse(req, strlen(req), conf, out);
}

START_TEST(test_accept_key_rfc_example)
{
	char out[WS_ACCEPT_LEN + 1];

	/* RFC 6455 section 1.3. */
	ck_assert_int_eq(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 24, out), 0);
	ck_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	/* RFC 6455 section 4.2.2's example of a key sent by a client. */
	ck_assert_int_eq(ws_accept_key("x3JJHMbDL1EzLkh9GBhXDw==", 24, out), 0);
	ck_assert_str_eq(out, "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}
END_TEST

static const struct {
	const char *key;
	const char *what;
} bad_keys[] = {
	{ "", "empty" },
	{ "dGhlIHNhbXBsZSBub25jZQ=", "23 characters" },
	{ "dGhlIHNhbXBsZSBub25jZQ===", "25 characters" },
	{ "dGhlIHNhbXBsZSBub25jZR==", "stray bits before the padding" },
	{ "AAAAAAAAAAAAAAAAAAAAAAA=", "17 bytes" },
	{ "AAAAAAAAAAAAAAAAAAAAAAAA", "18 bytes" },
	{ "dGhlIHNhbXBsZSBub25jZQ!!", "not base64" },
	{ "dGhlIHNhbXBs ZSBub25jZQ=", "a space" },
	{ "dGhlIHNhbXBsZSBub25j\"Q==", "a quote" },
	{ "dGhlIHNhbXBsZSBub25jZQ-_", "base64url" },
};

START_TEST(test_accept_key_bad)
{
	char out[WS_ACCEPT_LEN + 1];

	ck_assert_msg(ws_accept_key(bad_keys[_i].key, strlen(bad_keys[_i].key),
	    out) == -1, "key accepted: %s", bad_keys[_i].what);
}
END_TEST

START_TEST(test_good_request_exact_101)
{
	struct ws_request r;
	char out[512];
	size_t n;
	const char *want = "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	    "\r\n";

	ck_assert_int_eq(judge(GOOD, &conf_default, &r), 1);
	ck_assert_int_eq(r.status, 101);
	ck_assert_uint_eq(r.header_len, strlen(GOOD));
	ck_assert_str_eq(r.origin, "http://localhost:5000");
	n = ws_response(&r, out, sizeof out);
	ck_assert_uint_eq(n, strlen(want));
	ck_assert_mem_eq(out, want, n);
	/* Too small a buffer: nothing. */
	ck_assert_uint_eq(ws_response(&r, out, n), 0);
}
END_TEST

START_TEST(test_refusal_exact_bytes)
{
	struct ws_request r;
	char out[512];
	size_t n;
	const char *want404 = "HTTP/1.1 404 Not Found\r\n"
	    "Connection: close\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 35\r\n"
	    "\r\n"
	    "not the WebSocket path served here\n";
	const char *want426 = "HTTP/1.1 426 Upgrade Required\r\n"
	    "Connection: close\r\n"
	    "Upgrade: websocket\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 35\r\n"
	    "\r\n"
	    "Sec-WebSocket-Version 13 is needed\n";

	ck_assert_int_eq(judge("GET /other HTTP/1.1\r\n" REQ_HEADERS "\r\n",
	    &conf_default, &r), 1);
	n = ws_response(&r, out, sizeof out);
	out[n] = '\0';
	ck_assert_str_eq(out, want404);

	ck_assert_int_eq(judge(REQ_LINE "Host: h\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
	    &conf_default, &r), 1);
	n = ws_response(&r, out, sizeof out);
	out[n] = '\0';
	ck_assert_str_eq(out, want426);

	ck_assert_int_eq(judge("POST /diagnostics HTTP/1.1\r\n" REQ_HEADERS
	    "\r\n", &conf_default, &r), 1);
	ck_assert_int_eq(r.status, 405);
	n = ws_response(&r, out, sizeof out);
	out[n] = '\0';
	ck_assert_ptr_nonnull(strstr(out, "\r\nAllow: GET\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "HTTP/1.1 405 Method Not Allowed\r\n"));
}
END_TEST

/* Minimal headers that make a good request, to vary one at a time. */
#define H_HOST "Host: 127.0.0.1:8088\r\n"
#define H_UPG "Upgrade: websocket\r\n"
#define H_CONN "Connection: Upgrade\r\n"
#define H_VER "Sec-WebSocket-Version: 13\r\n"
#define H_KEY "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
#define H_ALL H_HOST H_UPG H_CONN H_VER H_KEY

static const struct {
	const char *req;
	int status;
	const char *what;
} cases[] = {
	/* Accepted. */
	{ GOOD, 101, "Chromium's request" },
	{ REQ_LINE H_ALL "\r\n", 101, "no Origin (not a browser)" },
	{ "GET /diagnostics?x=1 HTTP/1.1\r\n" H_ALL "\r\n", 101, "a query" },
	{ REQ_LINE "host: h\r\nUPGRADE: WebSocket\r\nconnection: keep-alive, "
	    "upgrade\r\nsec-websocket-version:13\r\nsec-websocket-key:   "
	    "dGhlIHNhbXBsZSBub25jZQ==  \r\n\r\n", 101,
	    "names and tokens in any case, Firefox's Connection, spaces" },
	{ REQ_LINE H_ALL "Upgrade: h2c\r\n\r\n", 101, "a second Upgrade" },
	{ REQ_LINE H_ALL "Content-Length: 0\r\n\r\n", 101, "an empty body" },
	{ REQ_LINE H_ALL "Origin: https://127.0.0.1:7001\r\n\r\n", 101,
	    "a localhost https Origin" },
	{ REQ_LINE H_ALL "Origin: http://[::1]\r\n\r\n", 101, "[::1]" },
	{ REQ_LINE H_ALL "X-Tab:\tvalue\twith tabs\r\n\r\n", 101, "tabs" },
	/* 400 */
	{ "\r\n\r\n", 400, "an empty request line" },
	{ "GET /diagnostics HTTP/1.1\n" H_ALL "\r\n", 400, "a bare LF" },
	{ "GET /diagnostics HTTP/1.1\rX" H_ALL "\r\n", 400, "a bare CR" },
	{ "GET /diagnostics\x01 HTTP/1.1\r\n" H_ALL "\r\n", 400,
	    "a control character" },
	{ REQ_LINE H_ALL "X: caf\xc3\xa9\r\n\r\n", 400, "a byte past ASCII" },
	{ "GET  /diagnostics HTTP/1.1\r\n" H_ALL "\r\n", 400, "two spaces" },
	{ "GET /diagnostics HTTP/1.1 x\r\n" H_ALL "\r\n", 400,
	    "three words" },
	{ "GET /diagnostics\r\n" H_ALL "\r\n", 400, "HTTP/0.9" },
	{ "GET /diagnostics HTTP/1.x\r\n" H_ALL "\r\n", 400, "a bad version" },
	{ "G(T /diagnostics HTTP/1.1\r\n" H_ALL "\r\n", 400,
	    "a bad method" },
	{ "GET diagnostics HTTP/1.1\r\n" H_ALL "\r\n", 400, "not a path" },
	{ "GET ws://127.0.0.1:8088/diagnostics HTTP/1.1\r\n" H_ALL "\r\n",
	    400, "absolute form" },
	{ "GET /diagnostics#x HTTP/1.1\r\n" H_ALL "\r\n", 400, "a fragment" },
	{ REQ_LINE " folded\r\n" H_ALL "\r\n", 400, "a folded line" },
	{ REQ_LINE H_ALL "X-Folded: a\r\n b\r\n\r\n", 400, "obs-fold" },
	{ REQ_LINE H_ALL "Bad Name: x\r\n\r\n", 400, "a space in a name" },
	{ REQ_LINE H_ALL "Host : x\r\n\r\n", 400, "a space before the colon" },
	{ REQ_LINE H_ALL "no colon\r\n\r\n", 400, "no colon" },
	{ REQ_LINE H_ALL ": x\r\n\r\n", 400, "an empty name" },
	{ REQ_LINE H_UPG H_CONN H_VER H_KEY "\r\n", 400, "no Host" },
	{ REQ_LINE "Host:\r\n" H_UPG H_CONN H_VER H_KEY "\r\n", 400,
	    "an empty Host" },
	{ REQ_LINE H_ALL H_HOST "\r\n", 400, "two Hosts" },
	{ REQ_LINE H_HOST H_CONN H_VER H_KEY "\r\n", 400, "no Upgrade" },
	{ REQ_LINE H_HOST "Upgrade: h2c\r\n" H_CONN H_VER H_KEY "\r\n", 400,
	    "Upgrade: h2c" },
	{ REQ_LINE H_HOST "Upgrade: websockets\r\n" H_CONN H_VER H_KEY "\r\n",
	    400, "Upgrade: websockets" },
	{ REQ_LINE H_HOST H_UPG H_VER H_KEY "\r\n", 400, "no Connection" },
	{ REQ_LINE H_HOST H_UPG "Connection: keep-alive\r\n" H_VER H_KEY
	    "\r\n", 400, "Connection: keep-alive" },
	{ REQ_LINE H_HOST H_UPG H_CONN H_VER "\r\n", 400, "no key" },
	{ REQ_LINE H_HOST H_UPG H_CONN H_VER "Sec-WebSocket-Key: abc\r\n\r\n",
	    400, "a short key" },
	{ REQ_LINE H_ALL H_KEY "\r\n", 400, "two keys" },
	{ REQ_LINE H_ALL "Content-Length: 5\r\n\r\nhello", 400, "a body" },
	{ REQ_LINE H_ALL "Content-Length: 0\r\nContent-Length: 0\r\n\r\n",
	    400, "two Content-Lengths" },
	{ REQ_LINE H_ALL "Transfer-Encoding: chunked\r\n\r\n", 400,
	    "a chunked body" },
	{ REQ_LINE H_ALL "Origin: http://localhost\r\nOrigin: "
	    "http://localhost\r\n\r\n", 400, "two Origins" },
	/* 403 */
	{ REQ_LINE H_ALL "Origin: http://evil.example\r\n\r\n", 403,
	    "a foreign Origin" },
	{ REQ_LINE H_ALL "Origin: null\r\n\r\n", 403, "the null Origin" },
	{ REQ_LINE H_ALL "Origin: http://localhost.evil.example\r\n\r\n", 403,
	    "localhost as a prefix" },
	{ REQ_LINE H_ALL "Origin: http://127.0.0.2:8080\r\n\r\n", 403,
	    "another loopback address" },
	{ REQ_LINE H_ALL "Origin: file://\r\n\r\n", 403, "a file page" },
	{ REQ_LINE H_ALL "Origin: http://localhost:\r\n\r\n", 403,
	    "an empty port" },
	{ REQ_LINE H_ALL "Origin: http://localhost:5000/\r\n\r\n", 403,
	    "a path in the Origin" },
	/* 404 */
	{ "GET / HTTP/1.1\r\n" H_ALL "\r\n", 404, "the root" },
	{ "GET /diagnostics/ HTTP/1.1\r\n" H_ALL "\r\n", 404, "a slash more" },
	{ "GET /Diagnostics HTTP/1.1\r\n" H_ALL "\r\n", 404, "another case" },
	{ "GET /diag HTTP/1.1\r\n" H_ALL "\r\n", 404, "a prefix" },
	/* 405 */
	{ "POST /diagnostics HTTP/1.1\r\n" H_ALL "\r\n", 405, "POST" },
	{ "get /diagnostics HTTP/1.1\r\n" H_ALL "\r\n", 405, "get" },
	/* 426 */
	{ REQ_LINE H_HOST H_UPG H_CONN H_KEY "\r\n", 426, "no version" },
	{ REQ_LINE H_HOST H_UPG H_CONN "Sec-WebSocket-Version: 8\r\n" H_KEY
	    "\r\n", 426, "version 8" },
	{ REQ_LINE H_ALL H_VER "\r\n", 426, "two versions" },
	/* 505 */
	{ "GET /diagnostics HTTP/1.0\r\n" H_ALL "\r\n", 505, "HTTP/1.0" },
	{ "GET /diagnostics HTTP/2.0\r\n" H_ALL "\r\n", 505, "HTTP/2.0" },
};

START_TEST(test_statuses)
{
	struct ws_request r;

	ck_assert_msg(judge(cases[_i].req, &conf_default, &r) == 1,
	    "%s: not judged", cases[_i].what);
	ck_assert_msg(r.status == cases[_i].status, "%s: %d, not %d",
	    cases[_i].what, r.status, cases[_i].status);
	ck_assert_ptr_nonnull(r.why);
	if (r.status == 101)
		ck_assert_str_eq(r.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	else
		ck_assert_str_eq(r.accept, "");
}
END_TEST

START_TEST(test_incomplete_then_judged)
{
	struct ws_request r;
	size_t i, len = strlen(GOOD);

	/* Every proper prefix waits for more; the whole is judged. */
	for (i = 0; i < len; i++)
		ck_assert_msg(ws_request_parse(GOOD, i, &conf_default, &r) == 0,
		    "prefix of %zu judged early", i);
	ck_assert_int_eq(ws_request_parse(GOOD, len, &conf_default, &r), 1);
	ck_assert_int_eq(r.status, 101);
}
END_TEST

START_TEST(test_early_refusal)
{
	struct ws_request r;

	/* A bad byte is refused at once, without waiting for the rest. */
	ck_assert_int_eq(ws_request_parse("GET /\n", 6, &conf_default, &r), 1);
	ck_assert_int_eq(r.status, 400);
	ck_assert_int_eq(ws_request_parse("GET /\r", 6, &conf_default, &r), 0);
	ck_assert_int_eq(ws_request_parse("GET /\rx", 7, &conf_default, &r), 1);
	ck_assert_int_eq(r.status, 400);
	ck_assert_int_eq(ws_request_parse("\x16\x03\x01", 3, &conf_default,
	    &r), 1);
	ck_assert_int_eq(r.status, 400);        /* a TLS hello */
	ck_assert_int_eq(ws_request_parse("GET /\0", 6, &conf_default, &r), 1);
	ck_assert_int_eq(r.status, 400);
}
END_TEST

START_TEST(test_frames_after_the_request)
{
	struct ws_request r;
	char buf[600];
	size_t n = strlen(GOOD);

	memcpy(buf, GOOD, n);
	memcpy(buf + n, "\x82\x85\x01\x02\x03\x04hello", 11);
	ck_assert_int_eq(ws_request_parse(buf, n + 11, &conf_default, &r), 1);
	ck_assert_int_eq(r.status, 101);
	ck_assert_uint_eq(r.header_len, n);
}
END_TEST

START_TEST(test_size_limit)
{
	static char buf[WS_MAX_HEADER + 16];
	struct ws_request r;
	size_t head = strlen(REQ_LINE H_ALL), fill;

	/* Exactly 8 KiB, padded with one long header: accepted. */
	memcpy(buf, REQ_LINE H_ALL, head);
	fill = WS_MAX_HEADER - head - 2 - 5;
	memcpy(buf + head, "X: ", 3);
	memset(buf + head + 3, 'a', fill);
	memcpy(buf + head + 3 + fill, "\r\n\r\n", 4);
	ck_assert_uint_eq(head + 3 + fill + 4, WS_MAX_HEADER);
	ck_assert_int_eq(ws_request_parse(buf, WS_MAX_HEADER, &conf_default,
	    &r), 1);
	ck_assert_int_eq(r.status, 101);

	/* One byte more: 431 as soon as 8 KiB have come without the end. */
	memcpy(buf + head, "X: a", 4);
	memset(buf + head + 4, 'a', fill);
	memcpy(buf + head + 4 + fill, "\r\n\r\n", 4);
	ck_assert_int_eq(ws_request_parse(buf, WS_MAX_HEADER - 1,
	    &conf_default, &r), 0);
	ck_assert_int_eq(ws_request_parse(buf, WS_MAX_HEADER, &conf_default,
	    &r), 1);
	ck_assert_int_eq(r.status, 431);
	/* More given: only the first 8 KiB count, the end past them too late. */
	ck_assert_int_eq(ws_request_parse(buf, WS_MAX_HEADER + 4,
	    &conf_default, &r), 1);
	ck_assert_int_eq(r.status, 431);
}
END_TEST

START_TEST(test_too_many_headers)
{
	char buf[WS_MAX_HEADER];
	struct ws_request r;
	size_t n;
	int i;

	n = (size_t)snprintf(buf, sizeof buf, "%s", REQ_LINE H_ALL);
	for (i = 0; i < WS_MAX_HEADERS - 5; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "X: %d\r\n", i);
	memcpy(buf + n, "\r\n", 3);
	ck_assert_int_eq(ws_request_parse(buf, n + 2, &conf_default, &r), 1);
	ck_assert_int_eq(r.status, 101);
	memcpy(buf + n, "Y: 1\r\n\r\n", 9);
	ck_assert_int_eq(ws_request_parse(buf, n + 8, &conf_default, &r), 1);
	ck_assert_int_eq(r.status, 431);
}
END_TEST

START_TEST(test_origin_in_log_is_printable_and_cut)
{
	struct ws_request r;
	char req[1024];

	snprintf(req, sizeof req, "%sOrigin: http://%0200d.example\r\n\r\n",
	    REQ_LINE H_ALL, 0);
	ck_assert_int_eq(judge(req, &conf_default, &r), 1);
	ck_assert_int_eq(r.status, 403);
	ck_assert_uint_eq(strlen(r.origin), WS_ORIGIN_LOG);
	ck_assert_str_eq(r.origin + WS_ORIGIN_LOG - 3, "...");
}
END_TEST

static const char *const allow_app[] = { "https://app.example:8443/",
	"localhost", NULL };
static const char *const allow_any[] = { "*", NULL };
static const char *const allow_none[] = { NULL };

static const struct {
	const char *origin;
	const char *const *list;
	int allowed;
} origins[] = {
	{ "http://localhost", NULL, 1 },
	{ "http://localhost:5000", NULL, 1 },
	{ "HTTPS://LOCALHOST:65535", NULL, 1 },
	{ "http://127.0.0.1:8080", NULL, 1 },
	{ "http://[::1]:8080", NULL, 1 },
	{ "http://localhost:123456", NULL, 0 },
	{ "http://localhost:80a", NULL, 0 },
	{ "ws://localhost", NULL, 0 },
	{ "http://localhostx", NULL, 0 },
	{ "http://evil.example", NULL, 0 },
	{ "null", NULL, 0 },
	{ "", NULL, 0 },
	{ "https://app.example:8443", allow_app, 1 },
	{ "HTTPS://APP.EXAMPLE:8443", allow_app, 1 },
	{ "https://app.example", allow_app, 0 },
	{ "http://app.example:8443", allow_app, 0 },
	{ "http://localhost:5000", allow_app, 1 },
	{ "http://evil.example", allow_app, 0 },
	{ "http://evil.example", allow_any, 1 },
	{ "null", allow_any, 1 },
	{ "http://localhost", allow_none, 0 },
};

START_TEST(test_origin_allowed)
{
	ck_assert_msg(ws_origin_allowed(origins[_i].origin,
	    strlen(origins[_i].origin), origins[_i].list) ==
	    origins[_i].allowed, "%s: %s", origins[_i].origin,
	    origins[_i].allowed ? "refused" : "allowed");
}
END_TEST

START_TEST(test_origin_configured_request)
{
	struct ws_conf c = conf_default;
	struct ws_request r;

	c.origins = allow_app;
	ck_assert_int_eq(judge(REQ_LINE H_ALL "Origin: https://app.example:8443"
	    "\r\n\r\n", &c, &r), 1);
	ck_assert_int_eq(r.status, 101);
	ck_assert_int_eq(judge(REQ_LINE H_ALL "Origin: http://evil.example"
	    "\r\n\r\n", &c, &r), 1);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(r.origin, "http://evil.example");
}
END_TEST

static const struct {
	const char *url;
	const char *host_port;     /* NULL: refused */
	const char *path;
	const char *cause;         /* in the message when refused */
} urls[] = {
	{ "ws://127.0.0.1:8088/diagnostics", "127.0.0.1:8088", "/diagnostics",
	    NULL },
	{ "WS://localhost:9000/a/b", "localhost:9000", "/a/b", NULL },
	{ "http://127.0.0.1:8088/diagnostics", "127.0.0.1:8088",
	    "/diagnostics", NULL },
	{ "ws://[::1]:8088/x", "[::1]:8088", "/x", NULL },
	{ "ws://*:8088/x", "*:8088", "/x", NULL },
	{ "ws://0.0.0.0:0/x", "0.0.0.0:0", "/x", NULL },
	{ "ws://host", "host:80", "/", NULL },
	{ "ws://host:8088", "host:8088", "/", NULL },
	{ "ws://host/", "host:80", "/", NULL },
	{ "wss://127.0.0.1:8088/diagnostics", NULL, NULL, "wss://" },
	{ "https://127.0.0.1:8088/diagnostics", NULL, NULL, "wss://" },
	{ "127.0.0.1:8088", NULL, NULL, "not a WebSocket URL" },
	{ "tcp://127.0.0.1:8088", NULL, NULL, "not a WebSocket URL" },
	{ "ws://", NULL, NULL, "no host" },
	{ "ws://:8088/x", NULL, NULL, "no host" },
	{ "ws://[::1/x", NULL, NULL, "brackets" },
	{ "ws://[]:80/x", NULL, NULL, "brackets" },
	{ "ws://h:/x", NULL, NULL, "bad port" },
	{ "ws://h:65536/x", NULL, NULL, "bad port" },
	{ "ws://h:123456/x", NULL, NULL, "bad port" },
	{ "ws://user@h:80/x", NULL, NULL, "user names" },
	{ "ws://h:80/x?y=1", NULL, NULL, "query" },
	{ "ws://h:80/x#y", NULL, NULL, "fragment" },
	{ "ws://h:80/a b", NULL, NULL, "printable" },
	{ "ws://h:80x/", NULL, NULL, "unexpected 'x'" },
};

START_TEST(test_parse_url)
{
	char *hp = NULL, *path = NULL, *cause = NULL;
	int rc;

	rc = ws_parse_url(urls[_i].url, &hp, &path, &cause);
	if (urls[_i].host_port != NULL) {
		ck_assert_msg(rc == 0, "%s: %s", urls[_i].url, cause);
		ck_assert_str_eq(hp, urls[_i].host_port);
		ck_assert_str_eq(path, urls[_i].path);
	} else {
		ck_assert_msg(rc == -1, "%s: accepted", urls[_i].url);
		ck_assert_ptr_null(hp);
		ck_assert_ptr_null(path);
		ck_assert_msg(strstr(cause, urls[_i].cause) != NULL,
		    "%s: %s", urls[_i].url, cause);
		ck_assert_msg(strstr(cause, urls[_i].url) != NULL,
		    "the message does not name the URL: %s", cause);
	}
	free(hp);
	free(path);
	free(cause);
}
END_TEST

START_TEST(test_status_text)
{
	ck_assert_str_eq(ws_status_text(101), "Switching Protocols");
	ck_assert_str_eq(ws_status_text(403), "Forbidden");
	ck_assert_str_eq(ws_status_text(408), "Request Timeout");
	ck_assert_str_eq(ws_status_text(431),
	    "Request Header Fields Too Large");
	ck_assert_str_eq(ws_status_text(999), "Error");
}
END_TEST

START_TEST(test_supported)
{
	char *cause = NULL;

	ck_assert_int_eq(ws_supported(&cause), 0);
	ck_assert_ptr_null(cause);
}
END_TEST

/* Whether this process has a file whose name has needle mapped. */
static int
maps_have(const char *needle)
{
	FILE *f;
	char line[4096];
	int found = 0;

	ck_assert_ptr_nonnull(f = fopen("/proc/self/maps", "r"));
	while (!found && fgets(line, sizeof line, f) != NULL)
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* Whether each test runs in a fresh process (check's default). */
static int
fresh_process(void)
{
	const char *ckfork = getenv("CK_FORK");

	return ckfork == NULL || strcmp(ckfork, "no") != 0;
}

/* libnettle mapped only once ws_supported (so wsserver_new) needs it. */
START_TEST(test_nettle_loaded_lazily)
{
	struct ws_request r;
	char *hp = NULL, *path = NULL, *cause = NULL;

	if (fresh_process()) {
		/* Parsing a URL or judging a request without a key: not yet. */
		ck_assert_int_eq(ws_parse_url("ws://127.0.0.1:0/d", &hp, &path,
		    &cause), 0);
		free(hp);
		free(path);
		ck_assert_int_eq(judge(REQ_LINE "Host: a\r\n\r\n",
		    &conf_default, &r), 1);
		ck_assert_int_eq(r.status, 400);
		ck_assert_msg(!maps_have("libnettle"), "libnettle is mapped "
		    "before it is needed");
	}
	ck_assert_msg(ws_supported(&cause) == 0, "ws_supported: %s", cause);
	ck_assert_msg(maps_have("libnettle"), "ws_supported did not load "
	    "libnettle");
}
END_TEST

/* The accept key loads nettle itself when nothing else has. */
START_TEST(test_nettle_loaded_by_accept_key)
{
	char out[WS_ACCEPT_LEN + 1];

	if (fresh_process())
		ck_assert(!maps_have("libnettle"));
	ck_assert_int_eq(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 24, out), 0);
	ck_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	ck_assert(maps_have("libnettle"));
}
END_TEST

/* nettle missing at run time: one line naming it, and what to install. */
START_TEST(test_nettle_missing)
{
	static const char *const names[] = {
		"libnettle-absent.so.99", "libnettle-absent.so", NULL
	};
	const char *want = "websocket: cannot load libnettle-absent.so.99 (";
	char *cause = NULL;

	ck_assert_int_eq(ws_nettle_open(names, &cause), -1);
	ck_assert_msg(strncmp(cause, want, strlen(want)) == 0, "cause: %s",
	    cause);
	ck_assert_msg(strstr(cause, "(Debian: apt-get install " NETTLE_PACKAGE
	    ")") != NULL, "cause: %s", cause);
	ck_assert_ptr_null(strchr(cause, '\n'));
	free(cause);
	if (fresh_process())
		ck_assert(!maps_have("libnettle"));
	/* The library the build found still loads. */
	cause = NULL;
	ck_assert_msg(ws_supported(&cause) == 0, "ws_supported: %s", cause);
}
END_TEST

/* A library without nettle's functions: refused in one line, not loaded. */
START_TEST(test_nettle_wrong_library)
{
	static const char *const names[] = { "libc.so.6", NULL };
	const char *want = "websocket: libc.so.6 has no nettle_sha1_init ";
	char *cause = NULL;

	ck_assert_int_eq(ws_nettle_open(names, &cause), -1);
	ck_assert_msg(strncmp(cause, want, strlen(want)) == 0, "cause: %s",
	    cause);
	ck_assert_ptr_null(strchr(cause, '\n'));
	free(cause);
}
END_TEST

Suite *
ws_suite(void)
{
	Suite *s = suite_create("ws");
	TCase *tc;

	tc = unit_tcase("key");
	tcase_add_test(tc, test_accept_key_rfc_example);
	tcase_add_loop_test(tc, test_accept_key_bad, 0, NITEMS(bad_keys));
	suite_add_tcase(s, tc);

	tc = unit_tcase("request");
	tcase_add_test(tc, test_good_request_exact_101);
	tcase_add_test(tc, test_refusal_exact_bytes);
	tcase_add_loop_test(tc, test_statuses, 0, NITEMS(cases));
	tcase_add_test(tc, test_incomplete_then_judged);
	tcase_add_test(tc, test_early_refusal);
	tcase_add_test(tc, test_frames_after_the_request);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_too_many_headers);
	tcase_add_test(tc, test_origin_in_log_is_printable_and_cut);
	suite_add_tcase(s, tc);

	tc = unit_tcase("origin");
	tcase_add_loop_test(tc, test_origin_allowed, 0, NITEMS(origins));
	tcase_add_test(tc, test_origin_configured_request);
	suite_add_tcase(s, tc);

	tc = unit_tcase("url");
	tcase_add_loop_test(tc, test_parse_url, 0, NITEMS(urls));
	tcase_add_test(tc, test_status_text);
	tcase_add_test(tc, test_supported);
	suite_add_tcase(s, tc);

	tc = unit_tcase("nettle");
	tcase_add_test(tc, test_nettle_loaded_lazily);
	tcase_add_test(tc, test_nettle_loaded_by_accept_key);
	tcase_add_test(tc, test_nettle_missing);
	tcase_add_test(tc, test_nettle_wrong_library);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(ws_suite());
}

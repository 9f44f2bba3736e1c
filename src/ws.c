/* SPDX-License-Identifier: MIT */
/*
 * ws.c: the pure parts of WebSocket runtimes: the ws:// URL, the HTTP
 * upgrade request judged (RFC 6455 section 4.2, strictly: anything
 * malformed is refused with its HTTP status), the answer written, the
 * Sec-WebSocket-Accept key (SHA-1 and base64 from nettle, which
 * ws_nettle.c loads when first needed) and the Origin allow-list. No I/O:
 * wsserver.c feeds the bytes and sends the answer.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsrouterd.h"
#include "ws.h"

/* RFC 6455's GUID, appended to the client's key before hashing. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/*
 * Whether this build can serve WebSocket runtimes, nettle loaded (the
 * first time); if not, say how to get it.
 */
int
ws_supported(char **cause)
{
#ifdef HAVE_WEBSOCKET
	return ws_nettle_load(cause);
#else
	xasprintf(cause, "this dsrouterd was built without WebSocket support "
	    "(configure found no libwslay or nettle): install them (Debian: "
	    "apt-get install libwslay-dev nettle-dev) and build again");
	return -1;
#endif
}

/* A case-insensitive prefix test; the length of the prefix if it matches. */
static size_t
ws_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncasecmp(s, prefix, n) == 0 ? n : 0;
}

/* Whether c may appear in a host name or IPv4 address of a URL. */
static int
ws_host_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_';
}

/*
 * Split ws://HOST[:PORT][/PATH] into "HOST:PORT" (as the address parser
 * takes it: [v6] in brackets, * for any) and "/PATH". http:// is taken as
 * ws://, as dotnet-dsrouter does; wss:// and https:// are refused.
 */
int
ws_parse_url(const char *url, char **host_port, char **path, char **cause)
{
	const char *p, *host, *hend, *port = NULL, *pend;
	unsigned long portnum = 80;
	size_t n;

	*host_port = *path = NULL;
	if (ws_prefix(url, "wss://") || ws_prefix(url, "https://")) {
		xasprintf(cause, "%s: wss:// (TLS) is not supported: use ws://; "
		    "browsers allow ws:// to localhost and 127.0.0.1 even from "
		    "an https page", url);
		return -1;
	}
	if ((n = ws_prefix(url, "ws://")) == 0 &&
	    (n = ws_prefix(url, "http://")) == 0) {
		xasprintf(cause, "%s: not a WebSocket URL: write "
		    "ws://HOST:PORT/PATH, e.g. %s", url, WS_DEFAULT_URL);
		return -1;
	}
	host = p = url + n;
	if (*p == '[') {
		for (p++; isxdigit((unsigned char)*p) || *p == ':' || *p == '.';
		    p++)
			;
		if (*p != ']' || p == host + 1) {
			xasprintf(cause, "%s: an IPv6 address in a URL is "
			    "written in brackets, e.g. ws://[::1]:8088/diagnostics",
			    url);
			return -1;
		}
		p++;
	} else if (*p == '*') {
		p++;
	} else {
		while (ws_host_char((unsigned char)*p))
			p++;
	}
	hend = p;
	if (hend == host) {
		xasprintf(cause, "%s: no host: write ws://HOST:PORT/PATH, e.g. %s",
		    url, WS_DEFAULT_URL);
		return -1;
	}
	if (*p == ':') {
		port = ++p;
		while (isdigit((unsigned char)*p))
			p++;
		pend = p;
		if (pend == port || pend - port > 5 ||
		    (portnum = strtoul(port, NULL, 10)) > 65535) {
			xasprintf(cause, "%s: bad port: a number from 0 to 65535",
			    url);
			return -1;
		}
	}
	if (*p != '\0' && *p != '/') {
		xasprintf(cause, "%s: unexpected '%c' after the host%s", url, *p,
		    *p == '@' ? " (user names are not supported)" : "");
		return -1;
	}
	if (*p == '\0')
		p = "/";
	for (pend = p; *pend != '\0'; pend++) {
		if (*pend == '?' || *pend == '#') {
			xasprintf(cause, "%s: a query or fragment is not "
			    "supported: the path alone is served", url);
			return -1;
		}
		if (*pend <= ' ' || *pend >= 0x7f) {
			xasprintf(cause, "%s: the path may only have printable "
			    "characters without spaces (percent-encode others)",
			    url);
			return -1;
		}
	}
	xasprintf(host_port, "%.*s:%lu", (int)(hend - host), host, portnum);
	*path = xstrdup(p);
	return 0;
}

/* The reason phrase of a status this module answers with. */
const char *
ws_status_text(int status)
{
	switch (status) {
	case 101:
		return "Switching Protocols";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 426:
		return "Upgrade Required";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	}
	return "Error";
}

/*
 * Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key GUID)).
 * The key must be the canonical base64 of 16 bytes (24 characters), as
 * RFC 6455 asks; out gets WS_ACCEPT_LEN characters and a NUL. -1 for a
 * bad key, or when nettle cannot be loaded (ws_supported says why).
 */
int
ws_accept_key(const char *key, size_t len, char *out)
{
#ifdef HAVE_WEBSOCKET
	uint8_t raw[18], digest[WS_SHA1_LEN], both[24 + sizeof ws_guid - 1];
	char again[24], *cause = NULL;
	size_t rawlen = sizeof raw;

	out[0] = '\0';
	if (len != 24)
		return -1;
	if (ws_nettle_load(&cause) != 0) {
		free(cause);
		return -1;
	}
	if (ws_nettle_base64_decode(key, len, raw, &rawlen) != 0 ||
	    rawlen != 16)
		return -1;
	/* Canonical: no stray bits, the padding where it belongs. */
	ws_nettle_base64_encode(again, raw, 16);
	if (memcmp(again, key, 24) != 0)
		return -1;

	memcpy(both, key, 24);
	memcpy(both + 24, ws_guid, sizeof ws_guid - 1);
	ws_nettle_sha1(both, sizeof both, digest);
	ws_nettle_base64_encode(out, digest, sizeof digest);
	out[WS_ACCEPT_LEN] = '\0';
	return 0;
#else
	(void)key;
	(void)len;
	(void)ws_guid;
	out[0] = '\0';
	return -1;
#endif
}

/* Whether s[0..len) equals the NUL-terminated word, without regard to case. */
static int
ws_eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* http(s)://localhost|127.0.0.1|[::1][:port], without regard to case. */
static int
ws_origin_local(const char *o, size_t len)
{
	static const char *const hosts[] = { "localhost", "127.0.0.1", "[::1]" };
	const char *end = o + len, *p;
	size_t i, n;

	if (len > 8 && strncasecmp(o, "https://", 8) == 0)
		o += 8;
	else if (len > 7 && strncasecmp(o, "http://", 7) == 0)
		o += 7;
	else
		return 0;
	for (i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
		n = strlen(hosts[i]);
		if ((size_t)(end - o) < n || strncasecmp(o, hosts[i], n) != 0)
			continue;
		p = o + n;
		if (p == end)
			return 1;
		if (*p++ != ':' || p == end || end - p > 5)
			return 0;
		for (; p < end; p++) {
			if (!isdigit((unsigned char)*p))
				return 0;
		}
		return 1;
	}
	return 0;
}

/*
 * Whether a browser page of this Origin may connect. origins NULL: the
 * localhost origins only. Otherwise an entry matches the same origin
 * (without regard to case; a trailing '/' of the entry ignored), "*"
 * matches any and "localhost" the localhost origins.
 */
int
ws_origin_allowed(const char *origin, size_t len, const char *const *origins)
{
	size_t n;

	if (origins == NULL)
		return ws_origin_local(origin, len);
	for (; *origins != NULL; origins++) {
		n = strlen(*origins);
		if (strcmp(*origins, "*") == 0)
			return 1;
		if (strcasecmp(*origins, "localhost") == 0) {
			if (ws_origin_local(origin, len))
				return 1;
			continue;
		}
		if (n > 0 && (*origins)[n - 1] == '/')
			n--;
		if (n == len && strncasecmp(*origins, origin, len) == 0)
			return 1;
	}
	return 0;
}

/* An RFC 9110 token character (header names, the method). */
static int
ws_tchar(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Whether a comma-separated header value lists a token (without regard to case). */
static int
ws_list_has(const char *v, size_t len, const char *word)
{
	const char *end = v + len, *s, *e;

	while (v < end) {
		for (s = v; s < end && (*s == ' ' || *s == '\t'); s++)
			;
		for (e = s; e < end && *e != ','; e++)
			;
		v = e + 1;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (ws_eq(s, (size_t)(e - s), word))
			return 1;
	}
	return 0;
}

/* Refuse with a status and a reason; always "done". */
static int
ws_refuse(struct ws_request *req, int status, const char *why)
{
	req->status = status;
	req->why = why;
	req->accept[0] = '\0';
	return 1;
}

/* Say why a request is refused: *why = text; returns status. */
static int
ws_why(const char **why, const char *text, int status)
{
	*why = text;
	return status;
}

/* Copy an Origin for the log: printable ASCII, cut with "..." if long. */
static void
ws_copy_origin(struct ws_request *req, const char *v, size_t len)
{
	size_t i, n = len > WS_ORIGIN_LOG ? WS_ORIGIN_LOG - 3 : len;

	for (i = 0; i < n; i++)
		req->origin[i] = isprint((unsigned char)v[i]) ? v[i] : '?';
	if (n < len)
		memcpy(req->origin + n, "...", 4);
	else
		req->origin[n] = '\0';
}

/*
 * The end of the request: the offset past its blank line, 0 if it has not
 * all arrived, -1 if a byte already seen cannot be in one (a control
 * character, a byte past ASCII, a CR without LF or an LF without CR).
 */
static long
ws_request_end(const char *buf, size_t len)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)buf[i];
		if (c == '\n') {
			if (i == 0 || buf[i - 1] != '\r')
				return -1;
			if (i >= 3 && buf[i - 2] == '\n')
				return (long)(i + 1);
			continue;
		}
		if (c == '\r') {
			if (i + 1 < len && buf[i + 1] != '\n')
				return -1;
			continue;
		}
		if ((c < ' ' && c != '\t') || c >= 0x7f)
			return -1;
	}
	return 0;
}

/* The headers this module reads, and how many times each came. */
enum ws_hdr {
	WS_H_HOST,
	WS_H_UPGRADE,
	WS_H_CONNECTION,
	WS_H_KEY,
	WS_H_VERSION,
	WS_H_ORIGIN,
	WS_H_CONTENT_LENGTH,
	WS_H_TRANSFER_ENCODING,
	WS_H_COUNT,
};
static const char *const ws_hdr_names[WS_H_COUNT] = {
	"Host", "Upgrade", "Connection", "Sec-WebSocket-Key",
	"Sec-WebSocket-Version", "Origin", "Content-Length", "Transfer-Encoding",
};
struct ws_hdrs {
	const char *v[WS_H_COUNT]; /* the value of the last one, trimmed */
	size_t len[WS_H_COUNT];
	unsigned n[WS_H_COUNT];
	int upgrade_ok;            /* some Upgrade lists websocket */
	int connection_ok;         /* some Connection lists upgrade */
};

/*
 * Read the header lines from p to end (the blank line's CRLF excluded).
 * Returns 0, or a refusal's status with *why.
 */
static int
ws_read_headers(const char *p, const char *end, struct ws_hdrs *h,
    const char **why)
{
	const char *line, *eol, *colon, *v, *ve;
	unsigned nlines = 0;
	size_t i;

	memset(h, 0, sizeof *h);
	while (p < end) {
		line = p;
		eol = memchr(p, '\r', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		p = eol + 2;
		if (++nlines > WS_MAX_HEADERS) {
			*why = "too many header lines";
			return 431;
		}
		if (*line == ' ' || *line == '\t') {
			*why = "folded header line";
			return 400;
		}
		for (colon = line; colon < eol && ws_tchar((unsigned char)*colon);
		    colon++)
			;
		if (colon == line || colon == eol || *colon != ':') {
			*why = "malformed header line";
			return 400;
		}
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		for (i = 0; i < WS_H_COUNT; i++) {
			if (ws_eq(line, (size_t)(colon - line), ws_hdr_names[i]))
				break;
		}
		if (i == WS_H_COUNT)
			continue;
		h->v[i] = v;
		h->len[i] = (size_t)(ve - v);
		h->n[i]++;
		if (i == WS_H_UPGRADE && ws_list_has(v, h->len[i], "websocket"))
			h->upgrade_ok = 1;
		if (i == WS_H_CONNECTION && ws_list_has(v, h->len[i], "upgrade"))
			h->connection_ok = 1;
	}
	return 0;
}

/*
 * Check the request line, buf to eol ("GET /path HTTP/1.1"); *target and
 * *target_end bound the path. Returns 0, or a refusal's status with *why.
 */
static int
ws_request_line(const char *buf, const char *eol, const char **target,
    const char **target_end, const char **why)
{
	const char *p, *sp1, *sp2;

	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	sp2 = sp1 == NULL ? NULL : memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (sp1 == NULL || sp2 == NULL || sp1 == buf || sp2 == sp1 + 1 ||
	    memchr(sp2 + 1, ' ', (size_t)(eol - sp2 - 1)) != NULL)
		return ws_why(why, "malformed request line", 400);
	for (p = buf; p < sp1; p++) {
		if (!ws_tchar((unsigned char)*p))
			return ws_why(why, "malformed method", 400);
	}
	if (!ws_eq(sp2 + 1, (size_t)(eol - sp2 - 1), "HTTP/1.1")) {
		if (eol - sp2 - 1 == 8 && strncmp(sp2 + 1, "HTTP/", 5) == 0 &&
		    isdigit((unsigned char)sp2[6]) && sp2[7] == '.' &&
		    isdigit((unsigned char)sp2[8]))
			return ws_why(why, "HTTP/1.1 is needed for a WebSocket "
			    "upgrade", 505);
		return ws_why(why, "malformed HTTP version", 400);
	}
	if (strncmp(buf, "GET ", 4) != 0)
		return ws_why(why, "only GET upgrades to a WebSocket", 405);
	if (sp1[1] != '/')
		return ws_why(why, "the request target is not a path", 400);
	*target = sp1 + 1;
	*target_end = sp2;
	return 0;
}

/*
 * Check the headers of a request for the served path: one Host, no body,
 * an upgrade to WebSocket version 13 with a good key (req->accept is then
 * the answer's), an allowed Origin. Returns 0, or a refusal's status with
 * *why.
 */
static int
ws_check_headers(const struct ws_hdrs *h, const struct ws_conf *conf,
    struct ws_request *req, const char **why)
{
	if (h->n[WS_H_HOST] != 1 || h->len[WS_H_HOST] == 0)
		return ws_why(why, h->n[WS_H_HOST] > 1 ? "more than one Host" :
		    "no Host", 400);
	if (h->n[WS_H_CONTENT_LENGTH] > 1 || h->n[WS_H_TRANSFER_ENCODING] > 0 ||
	    (h->n[WS_H_CONTENT_LENGTH] == 1 &&
	    !ws_eq(h->v[WS_H_CONTENT_LENGTH], h->len[WS_H_CONTENT_LENGTH], "0")))
		return ws_why(why, "an upgrade request has no body", 400);
	if (!h->upgrade_ok || !h->connection_ok)
		return ws_why(why, "not a WebSocket upgrade (Upgrade: "
		    "websocket and Connection: Upgrade are needed)", 400);
	if (h->n[WS_H_VERSION] > 1 ||
	    (h->n[WS_H_VERSION] == 1 &&
	    !ws_eq(h->v[WS_H_VERSION], h->len[WS_H_VERSION], "13")))
		return ws_why(why, "Sec-WebSocket-Version 13 is needed", 426);
	if (h->n[WS_H_VERSION] == 0)
		return ws_why(why, "no Sec-WebSocket-Version (13 is "
		    "needed)", 426);
	if (h->n[WS_H_KEY] != 1 ||
	    ws_accept_key(h->v[WS_H_KEY], h->len[WS_H_KEY], req->accept) != 0)
		return ws_why(why, h->n[WS_H_KEY] == 0 ? "no Sec-WebSocket-Key" :
		    "bad Sec-WebSocket-Key (base64 of 16 bytes is needed)", 400);
	if (h->n[WS_H_ORIGIN] > 1)
		return ws_why(why, "more than one Origin", 400);
	if (h->n[WS_H_ORIGIN] == 1 &&
	    !ws_origin_allowed(h->v[WS_H_ORIGIN], h->len[WS_H_ORIGIN],
	    conf->origins))
		return ws_why(why, conf->origins == NULL ? "Origin not "
		    "allowed (only localhost pages are, unless allowed "
		    "otherwise)" : "Origin not in the allowed origins", 403);
	return 0;
}

/*
 * Judge an upgrade request from its first len bytes (only the first
 * WS_MAX_HEADER are looked at). Returns 0 while it has not all arrived
 * (and nothing seen so far is wrong), 1 when judged:
 * req->status is 101 (req->accept is the answer's key) or the HTTP status
 * to refuse with (req->why says why). Bytes past header_len are the
 * client's first frames.
 */
int
ws_request_parse(const char *buf, size_t len, const struct ws_conf *conf,
    struct ws_request *req)
{
	const char *end, *eol, *q, *target, *target_end;
	struct ws_hdrs h;
	const char *why;
	long hend;
	size_t plen;
	int st;

	memset(req, 0, sizeof *req);
	if (len > WS_MAX_HEADER)
		len = WS_MAX_HEADER;    /* the request must end within it */
	if ((hend = ws_request_end(buf, len)) < 0)
		return ws_refuse(req, 400, "malformed request: a control "
		    "character, a byte past ASCII or a bare CR or LF");
	if (hend == 0) {
		if (len >= WS_MAX_HEADER)
			return ws_refuse(req, 431, "request larger than 8 KiB");
		return 0;
	}
	req->header_len = (size_t)hend;
	end = buf + hend - 2;           /* the blank line's CRLF */

	eol = memchr(buf, '\r', (size_t)(end - buf));
	if (eol == NULL || eol == buf)
		return ws_refuse(req, 400, "no request line");
	if ((st = ws_request_line(buf, eol, &target, &target_end, &why)) != 0)
		return ws_refuse(req, st, why);
	if ((st = ws_read_headers(eol + 2, end, &h, &why)) != 0)
		return ws_refuse(req, st, why);
	if (h.n[WS_H_ORIGIN] > 0)
		ws_copy_origin(req, h.v[WS_H_ORIGIN], h.len[WS_H_ORIGIN]);

	/* The path, without the query. */
	for (q = target; q < target_end && *q != '?'; q++) {
		if (*q == '#')
			return ws_refuse(req, 400, "a fragment in the request "
			    "target");
	}
	plen = (size_t)(q - target);
	if (strlen(conf->path) != plen || memcmp(conf->path, target, plen) != 0)
		return ws_refuse(req, 404, "not the WebSocket path served here");
	if ((st = ws_check_headers(&h, conf, req, &why)) != 0)
		return ws_refuse(req, st, why);
	req->status = 101;
	req->why = "upgraded";
	return 1;
}

/*
 * The answer to a judged request, in out (at most outlen bytes): the 101
 * with its Sec-WebSocket-Accept, or the refusal with its reason as a
 * plain-text body and Connection: close. Returns its length (0 if it did
 * not fit).
 */
size_t
ws_response(const struct ws_request *req, char *out, size_t outlen)
{
	const char *extra = "";
	int n;

	if (req->status == 101)
		n = snprintf(out, outlen, "HTTP/1.1 101 Switching Protocols\r\n"
		    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		    "Sec-WebSocket-Accept: %s\r\n\r\n", req->accept);
	else {
		if (req->status == 426)
			extra = "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n";
		else if (req->status == 405)
			extra = "Allow: GET\r\n";
		n = snprintf(out, outlen, "HTTP/1.1 %d %s\r\nConnection: close\r\n"
		    "%sContent-Type: text/plain; charset=utf-8\r\n"
		    "Content-Length: %zu\r\n\r\n%s\n", req->status,
		    ws_status_text(req->status), extra, strlen(req->why) + 1,
		    req->why);
	}
	if (n < 0 || (size_t)n >= outlen)
		return 0;
	return (size_t)n;
}

/* SPDX-License-Identifier: MIT */
/*
 * ws_nettle.c: nettle, loaded with dlopen(3) when WebSocket runtimes are
 * first needed (ws_supported, so wsserver_new; or a first
 * Sec-WebSocket-Accept key), and the SHA-1 and base64 the handshake
 * takes from it, in ws.c's terms. libnettle costs every process about
 * 250 KiB of idle memory once mapped, and most never serve a WebSocket
 * route. This is the only file that sees nettle's types; it is built only
 * with nettle's headers (configure: HAVE_WEBSOCKET).
 *
 * nettle's public names are macros for its real symbols (sha1_init is
 * nettle_sha1_init), so the table holds the real names. The library is
 * loaded once per process and never unloaded; everything here runs on
 * the event loop's thread.
 */
#include "config.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha1.h>

#include "dsrouterd.h"
#include "ws.h"

/*
 * nettle's functions' types. Each type also declares its function again
 * (by the header's name, a macro for the symbol), so a type that is not
 * what nettle's header says does not compile; a declaration alone takes
 * no reference to the symbol.
 */
typedef void ws_nettle_sha1_init_t(struct sha1_ctx *);
typedef void ws_nettle_sha1_update_t(struct sha1_ctx *, size_t,
    const uint8_t *);
typedef void ws_nettle_sha1_digest_t(struct sha1_ctx *, size_t, uint8_t *);
typedef void ws_nettle_encode_raw_t(char *, size_t, const uint8_t *);
typedef void ws_nettle_decode_init_t(struct base64_decode_ctx *);
typedef int ws_nettle_decode_update_t(struct base64_decode_ctx *, size_t *,
    uint8_t *, size_t, const char *);
typedef int ws_nettle_decode_final_t(struct base64_decode_ctx *);
ws_nettle_sha1_init_t sha1_init;
ws_nettle_sha1_update_t sha1_update;
ws_nettle_sha1_digest_t sha1_digest;
ws_nettle_encode_raw_t base64_encode_raw;
ws_nettle_decode_init_t base64_decode_init;
ws_nettle_decode_update_t base64_decode_update;
ws_nettle_decode_final_t base64_decode_final;

/* The functions ws.c needs, once loaded. */
struct ws_nettle {
	ws_nettle_sha1_init_t *hash_init;
	ws_nettle_sha1_update_t *hash_update;
	ws_nettle_sha1_digest_t *hash_digest;
	ws_nettle_encode_raw_t *encode_raw;
	ws_nettle_decode_init_t *decode_init;
	ws_nettle_decode_update_t *decode_update;
	ws_nettle_decode_final_t *decode_final;
};

/* Their symbols (not the headers' macro names), and where each goes. */
static const struct dynlib_sym ws_nettle_syms[] = {
	{ "nettle_sha1_init", offsetof(struct ws_nettle, hash_init) },
	{ "nettle_sha1_update", offsetof(struct ws_nettle, hash_update) },
	{ "nettle_sha1_digest", offsetof(struct ws_nettle, hash_digest) },
	{ "nettle_base64_encode_raw", offsetof(struct ws_nettle, encode_raw) },
	{ "nettle_base64_decode_init",
	  offsetof(struct ws_nettle, decode_init) },
	{ "nettle_base64_decode_update",
	  offsetof(struct ws_nettle, decode_update) },
	{ "nettle_base64_decode_final",
	  offsetof(struct ws_nettle, decode_final) },
};

/* The loaded library's functions (process-wide, like the library). */
static struct ws_nettle ws_nettle;
static int ws_nettle_loaded;

/* ws.h's size of a digest is nettle's. */
_Static_assert(SHA1_DIGEST_SIZE == WS_SHA1_LEN, "WS_SHA1_LEN is not SHA-1's");

/* What to install when nettle cannot be loaded: one line's end. */
#define WS_NETTLE_HINT \
	"WebSocket runtimes cannot be served without it (Debian: apt-get " \
	"install " NETTLE_PACKAGE ")"

/*
 * Load the first of names (a NULL-terminated list) that dlopen finds and
 * take its functions into the table: 0, or -1 with a one-line *cause.
 */
int
ws_nettle_open(const char *const *names, char **cause)
{
	static const struct dynlib_what what = { "websocket",
	    "nettle 3.0 or later is needed", WS_NETTLE_HINT };
	struct ws_nettle lib;
	void *h;

	memset(&lib, 0, sizeof lib);
	if ((h = dynlib_open(names, ws_nettle_syms, sizeof ws_nettle_syms /
	    sizeof ws_nettle_syms[0], &lib, &what, cause)) == NULL)
		return -1;
	if (ws_nettle_loaded) {
		/* Already loaded: keep the first. */
		dlclose(h);
		return 0;
	}
	ws_nettle = lib;
	ws_nettle_loaded = 1;
	return 0;
}

/* Load nettle, once: the soname the build linked against, else the .so. */
int
ws_nettle_load(char **cause)
{
	static const char *const names[] = {
		NETTLE_SONAME, NETTLE_LIBNAME, NULL
	};

	if (ws_nettle_loaded)
		return 0;
	return ws_nettle_open(names, cause);
}

/*
 * SHA-1 of len bytes of src into digest (WS_SHA1_LEN bytes). nettle must
 * be loaded (ws_nettle_load).
 */
void
ws_nettle_sha1(const uint8_t *src, size_t len, uint8_t *digest)
{
	struct sha1_ctx ctx;

	ws_nettle.hash_init(&ctx);
	ws_nettle.hash_update(&ctx, len, src);
	ws_nettle.hash_digest(&ctx, WS_SHA1_LEN, digest);
}

/*
 * The base64 of len bytes of src, padded, into dst: ((len + 2) / 3) * 4
 * characters, no NUL. nettle must be loaded (ws_nettle_load).
 */
void
ws_nettle_base64_encode(char *dst, const uint8_t *src, size_t len)
{
	ws_nettle.encode_raw(dst, len, src);
}

/*
 * Decode len characters of base64 (padded; nettle skips white space)
 * into dst, which holds *dstlen bytes: 0 with the length decoded in
 * *dstlen, or -1 if src is not base64 or dst holds less than
 * (len * 6 + 7) / 8 bytes. nettle must be loaded (ws_nettle_load).
 */
int
ws_nettle_base64_decode(const char *src, size_t len, uint8_t *dst,
    size_t *dstlen)
{
	struct base64_decode_ctx ctx;
	size_t n = 0;

	if (*dstlen < BASE64_DECODE_LENGTH(len))
		return -1;
	ws_nettle.decode_init(&ctx);
	if (!ws_nettle.decode_update(&ctx, &n, dst, len, src) ||
	    !ws_nettle.decode_final(&ctx))
		return -1;
	*dstlen = n;
	return 0;
}

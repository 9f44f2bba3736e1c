/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ipc.c: fuzz target for the IPC wire format: frame headers, complete
 * frames, advertises and ProcessInfo answers (and the command line in
 * them, UTF-16 to UTF-8), on every prefix of the input,
 * each checked against the protocol as written in PROTOCOL.md; advertises,
 * error frames and ProcessInfo requests built and read back.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#define FUZZ_POISON(p, n) __asan_poison_memory_region((p), (n))
#define FUZZ_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define FUZZ_POISON(p, n) ((void)(p), (void)(n))
#define FUZZ_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#include "dsrouterd.h"
#include "fuzz.h"

static const uint8_t ipc_magic[14] = "DOTNET_IPC_V1";
static const uint8_t adv_magic[8] = "ADVR_V1";

/* Little-endian fields, read the long way. */
static uint64_t
le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* Index of the first byte of p[0..n) that differs from want, or n. */
static size_t
first_diff(const uint8_t *p, const uint8_t *want, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i] == want[i]; i++)
		;
	return i;
}

/*
 * What a header must be for len bytes received: a wrong magic as soon as
 * a differing byte has arrived, short until 20 bytes, then a size of at
 * least the header's own.
 */
static enum ipc_status
spec_header(const uint8_t *p, size_t len, struct ipc_header *h)
{
	size_t n = len < sizeof ipc_magic ? len : sizeof ipc_magic;

	if (first_diff(p, ipc_magic, n) < n)
		return IPC_BAD_MAGIC;
	if (len < IPC_HEADER_SIZE)
		return IPC_SHORT;
	h->size = (uint16_t)le(p + 14, 2);
	h->set = p[16];
	h->id = p[17];
	return h->size < IPC_HEADER_SIZE ? IPC_BAD_SIZE : IPC_OK;
}

/* What an advertise must be: magic, then 34 bytes; the reserved ones ignored. */
static enum ipc_status
spec_advertise(const uint8_t *p, size_t len, struct ipc_advertise *adv)
{
	size_t n = len < sizeof adv_magic ? len : sizeof adv_magic;

	if (first_diff(p, adv_magic, n) < n)
		return IPC_BAD_MAGIC;
	if (len < IPC_ADVERTISE_SIZE)
		return IPC_SHORT;
	memcpy(adv->cookie, p + 8, IPC_COOKIE_SIZE);
	adv->pid = le(p + 24, 8);
	return IPC_OK;
}

/* What a ProcessInfo answer must be: an OK frame with pid and cookie, all there. */
static enum ipc_status
spec_processinfo(const uint8_t *p, size_t len, struct ipc_advertise *adv)
{
	struct ipc_header h;
	enum ipc_status st;

	if ((st = spec_header(p, len, &h)) != IPC_OK)
		return st;
	if (h.set != IPC_SET_SERVER || h.id != IPC_ID_OK)
		return IPC_BAD_RESPONSE;
	if (h.size < IPC_HEADER_SIZE + 8 + IPC_COOKIE_SIZE)
		return IPC_BAD_SIZE;
	if (len < h.size)
		return IPC_SHORT;
	adv->pid = le(p + IPC_HEADER_SIZE, 8);
	memcpy(adv->cookie, p + IPC_HEADER_SIZE + 8, IPC_COOKIE_SIZE);
	return IPC_OK;
}

/* Whether two advertises hold the same pid and cookie. */
static int
adv_equal(const struct ipc_advertise *a, const struct ipc_advertise *b)
{
	return a->pid == b->pid &&
	    memcmp(a->cookie, b->cookie, IPC_COOKIE_SIZE) == 0;
}

/* Whether two headers are the same. */
static int
header_equal(const struct ipc_header *a, const struct ipc_header *b)
{
	return a->size == b->size && a->set == b->set && a->id == b->id;
}

/* A status the parsers may return, with a name and an HRESULT. */
static void
check_status(enum ipc_status st)
{
	uint32_t hr;

	FUZZ_CHECK(st == IPC_OK || st == IPC_SHORT || st == IPC_BAD_MAGIC ||
	    st == IPC_BAD_SIZE || st == IPC_BAD_RESPONSE);
	FUZZ_CHECK(strcmp(ipc_status_name(st), "?") != 0);
	hr = ipc_status_hresult(st);
	FUZZ_CHECK(hr == (st == IPC_BAD_MAGIC ? IPC_E_UNKNOWN_MAGIC :
	    IPC_E_BAD_ENCODING));
}

/* Append code point cp as UTF-8. */
static size_t
put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * The command line of a complete ProcessInfo answer, decoded the long way:
 * the first string after pid and cookie, UTF-16LE up to its count or a NUL,
 * surrogate pairs joined, controls and lone surrogates shown as '?'.
 * NULL with *st set when there is none.
 */
static char *
spec_cmdline(const uint8_t *p, size_t len, enum ipc_status *st)
{
	struct ipc_advertise adv;
	size_t off = IPC_HEADER_SIZE + 8 + IPC_COOKIE_SIZE, size, i, o = 0;
	uint32_t count, cu, lo;
	char *out;

	if ((*st = spec_processinfo(p, len, &adv)) != IPC_OK)
		return NULL;
	size = (size_t)le(p + 14, 2);
	if (size < off + 4 || (count = (uint32_t)le(p + off, 4)) >
	    (size - off - 4) / 2) {
		*st = IPC_BAD_SIZE;
		return NULL;
	}
	off += 4;
	out = xmalloc(4 * (size_t)count + 1);
	for (i = 0; i < count; i++) {
		cu = (uint32_t)le(p + off + 2 * i, 2);
		if (cu == 0)
			break;
		if (cu >= 0xd800 && cu <= 0xdbff && i + 1 < count &&
		    (lo = (uint32_t)le(p + off + 2 * i + 2, 2)) >= 0xdc00 &&
		    lo <= 0xdfff) {
			cu = 0x10000 + ((cu - 0xd800) << 10) + (lo - 0xdc00);
			i++;
		}
		if (cu < 0x20 || (cu >= 0xd800 && cu <= 0xdfff))
			cu = '?';
		o += put_utf8(out + o, cu);
	}
	out[o] = '\0';
	return out;
}

/*
 * ipc_processinfo_cmdline on the first len bytes: the same status as the
 * ProcessInfo parser, and the whole command line in a buffer large enough,
 * or as much of it as fits (whole characters) in a small one.
 */
static void
check_cmdline(const uint8_t *buf, size_t len, uint8_t small)
{
	enum ipc_status st, want;
	char *full, *out, none[8];
	size_t n, outlen, i;

	full = spec_cmdline(buf, len, &want);
	if (full == NULL) {
		/* Nothing but the terminator written (and no allocation per prefix). */
		memset(none, 'x', sizeof none);
		st = ipc_processinfo_cmdline(buf, len, none, 1);
		check_status(st);
		FUZZ_CHECK(st == want);
		FUZZ_CHECK(none[0] == '\0');
		for (i = 1; i < sizeof none; i++)
			FUZZ_CHECK(none[i] == 'x');
		return;
	}
	n = strlen(full);
	outlen = n + 5;
	out = xmalloc(outlen);
	FUZZ_CHECK(ipc_processinfo_cmdline(buf, len, out, outlen) == IPC_OK);
	FUZZ_CHECK(strcmp(out, full) == 0);
	free(out);

	/* A small buffer: a prefix, cut only where a next character would not fit. */
	outlen = 1 + small % 16;
	out = xmalloc(outlen);
	FUZZ_CHECK(ipc_processinfo_cmdline(buf, len, out, outlen) == IPC_OK);
	FUZZ_CHECK(strlen(out) < outlen);
	FUZZ_CHECK(strncmp(out, full, strlen(out)) == 0);
	FUZZ_CHECK(strlen(out) == n || strlen(out) + 4 >= outlen);
	free(out);
	free(full);
}

/*
 * The parsers on the first len bytes, which are all buf can be read for
 * (the rest is poisoned); hdr20 is an exact copy of the first 20 bytes,
 * or NULL when there are fewer.
 */
static void
check_prefix(const uint8_t *buf, size_t len, const uint8_t *hdr20,
    uint8_t small)
{
	struct ipc_header h, hs;
	struct ipc_advertise adv, advs;
	enum ipc_status st, sts;

	memset(&h, 0, sizeof h);
	memset(&hs, 0, sizeof hs);
	st = ipc_header_parse(buf, len, &h);
	sts = spec_header(buf, len, &hs);
	check_status(st);
	FUZZ_CHECK(st == sts);
	if (st == IPC_OK || st == IPC_BAD_SIZE)
		FUZZ_CHECK(header_equal(&h, &hs));

	/* Complete when the size it gives has arrived; only 20 bytes are looked at. */
	memset(&h, 0, sizeof h);
	st = ipc_frame_complete(len < IPC_HEADER_SIZE ? buf : hdr20, len, &h);
	check_status(st);
	if (sts == IPC_OK && len < hs.size)
		sts = IPC_SHORT;
	FUZZ_CHECK(st == sts);
	if (st == IPC_OK)
		FUZZ_CHECK(header_equal(&h, &hs) && len >= h.size);

	memset(&adv, 0, sizeof adv);
	memset(&advs, 0, sizeof advs);
	st = ipc_advertise_parse(buf, len, &adv);
	check_status(st);
	FUZZ_CHECK(st == spec_advertise(buf, len, &advs));
	if (st == IPC_OK)
		FUZZ_CHECK(adv_equal(&adv, &advs));

	memset(&adv, 0, sizeof adv);
	memset(&advs, 0, sizeof advs);
	st = ipc_processinfo_parse(buf, len, &adv);
	check_status(st);
	FUZZ_CHECK(st == spec_processinfo(buf, len, &advs));
	if (st == IPC_OK)
		FUZZ_CHECK(adv_equal(&adv, &advs));

	check_cmdline(buf, len, small);
}

/* Build an advertise from the input's bytes; it must read back the same. */
static void
check_advertise_build(const uint8_t *data, size_t size)
{
	uint8_t raw[24], out[IPC_ADVERTISE_SIZE];
	struct ipc_advertise adv, back;
	size_t i;

	memset(raw, 0, sizeof raw);
	memcpy(raw, data, size < sizeof raw ? size : sizeof raw);
	memcpy(adv.cookie, raw, IPC_COOKIE_SIZE);
	adv.pid = le(raw + IPC_COOKIE_SIZE, 8);
	ipc_advertise_build(out, &adv);
	FUZZ_CHECK(memcmp(out, adv_magic, sizeof adv_magic) == 0);
	FUZZ_CHECK(memcmp(out + 8, adv.cookie, IPC_COOKIE_SIZE) == 0);
	FUZZ_CHECK(le(out + 24, 8) == adv.pid);
	FUZZ_CHECK(out[32] == 0 && out[33] == 0);
	for (i = 0; i <= sizeof out; i++) {
		memset(&back, 0, sizeof back);
		FUZZ_CHECK(ipc_advertise_parse(out, i, &back) ==
		    (i < sizeof out ? IPC_SHORT : IPC_OK));
	}
	FUZZ_CHECK(adv_equal(&back, &adv));
}

/* Build an error frame and a ProcessInfo request; both must read back. */
static void
check_frame_build(const uint8_t *data, size_t size)
{
	uint8_t err[IPC_ERROR_SIZE], req[IPC_HEADER_SIZE], raw[4];
	struct ipc_header h;
	uint32_t hr;

	memset(raw, 0, sizeof raw);
	memcpy(raw, data, size < sizeof raw ? size : sizeof raw);
	hr = (uint32_t)le(raw, 4);
	ipc_error_build(err, hr);
	FUZZ_CHECK(ipc_frame_complete(err, sizeof err, &h) == IPC_OK);
	FUZZ_CHECK(h.size == IPC_ERROR_SIZE && h.set == IPC_SET_SERVER &&
	    h.id == IPC_ID_ERROR);
	FUZZ_CHECK(err[18] == 0 && err[19] == 0);
	FUZZ_CHECK(le(err + IPC_HEADER_SIZE, 4) == hr);
	FUZZ_CHECK(ipc_frame_complete(err, sizeof err - 1, &h) == IPC_SHORT);

	ipc_processinfo_build(req);
	FUZZ_CHECK(ipc_frame_complete(req, sizeof req, &h) == IPC_OK);
	FUZZ_CHECK(h.size == IPC_HEADER_SIZE && h.set == IPC_SET_PROCESS &&
	    h.id == IPC_ID_PROCESSINFO);
	FUZZ_CHECK(req[18] == 0 && req[19] == 0);
}

/* A cookie formatted as a GUID (36 characters, hyphens in place) and as hex; truncation safe. */
static void
check_cookie_format(const uint8_t *data, size_t size)
{
	uint8_t cookie[IPC_COOKIE_SIZE];
	char full[37], hex[33], two[3], *small;
	size_t i, len;

	memset(cookie, 0, sizeof cookie);
	memcpy(cookie, data, size < sizeof cookie ? size : sizeof cookie);
	ipc_cookie_format(cookie, full, sizeof full);
	FUZZ_CHECK(strlen(full) == 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			FUZZ_CHECK(full[i] == '-');
		else
			FUZZ_CHECK(strchr("0123456789abcdef", full[i]) != NULL);
	}
	len = 1 + (size > 16 ? data[16] : 0) % sizeof full;
	small = xmalloc(len);
	ipc_cookie_format(cookie, small, len);
	FUZZ_CHECK(strlen(small) == len - 1);
	FUZZ_CHECK(memcmp(small, full, len - 1) == 0);
	free(small);

	/* As hex, byte by byte; cut to whole bytes in a small buffer (of 3 or more). */
	ipc_cookie_hex(cookie, hex, sizeof hex);
	FUZZ_CHECK(strlen(hex) == 32);
	for (i = 0; i < IPC_COOKIE_SIZE; i++) {
		snprintf(two, sizeof two, "%02x", cookie[i]);
		FUZZ_CHECK(memcmp(hex + 2 * i, two, 2) == 0);
	}
	len = 3 + (size > 17 ? data[17] : 0) % (sizeof hex - 2);
	small = xmalloc(len);
	ipc_cookie_hex(cookie, small, len);
	FUZZ_CHECK(strlen(small) == (len - 1) / 2 * 2);
	FUZZ_CHECK(memcmp(small, hex, strlen(small)) == 0);
	free(small);
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf, *hdr;
	size_t len;

	/* An exact copy; going down, each byte past the prefix is poisoned. */
	buf = xmalloc(size);
	memcpy(buf, data, size);
	/* What ipc_frame_complete is given once the header is all there. */
	hdr = NULL;
	if (size >= IPC_HEADER_SIZE) {
		hdr = xmalloc(IPC_HEADER_SIZE);
		memcpy(hdr, data, IPC_HEADER_SIZE);
	}
	for (len = size + 1; len-- > 0;) {
		if (len < size)
			FUZZ_POISON(buf + len, 1);
		check_prefix(buf, len, hdr, size > 0 ? data[size - 1] : 0);
	}
	FUZZ_UNPOISON(buf, size);
	free(buf);
	free(hdr);

	check_advertise_build(data, size);
	check_frame_build(data, size);
	check_cookie_format(data, size);
	return 0;
}

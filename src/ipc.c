/* SPDX-License-Identifier: MIT */
/* ipc.c: the diagnostic IPC wire format: headers, advertises, error frames. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dsrouterd.h"

static const uint8_t ipc_magic[14] = "DOTNET_IPC_V1";   /* with its NUL */
static const uint8_t ipc_adv_magic[8] = "ADVR_V1";      /* with its NUL */

/* Little-endian loads and stores. */
static uint16_t
ipc_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t
ipc_get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
ipc_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
ipc_put32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
ipc_put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Look at the first bytes of a frame. A wrong magic is reported as soon as
 * the bytes that differ have arrived, so a bad frame is refused early.
 */
enum ipc_status
ipc_header_parse(const uint8_t *buf, size_t len, struct ipc_header *h)
{
	size_t n = len < sizeof ipc_magic ? len : sizeof ipc_magic;

	if (memcmp(buf, ipc_magic, n) != 0)
		return IPC_BAD_MAGIC;
	if (len < IPC_HEADER_SIZE)
		return IPC_SHORT;
	h->size = ipc_get16(buf + 14);
	h->set = buf[16];
	h->id = buf[17];
	if (h->size < IPC_HEADER_SIZE)
		return IPC_BAD_SIZE;
	return IPC_OK;
}

/*
 * Whether a frame has all arrived: hdr holds the first min(len, 20) of the
 * len bytes received so far. IPC_SHORT until the header and the size it
 * gives are all there; a bad header as soon as it shows.
 */
enum ipc_status
ipc_frame_complete(const uint8_t *hdr, size_t len, struct ipc_header *h)
{
	enum ipc_status st;

	st = ipc_header_parse(hdr, len < IPC_HEADER_SIZE ? len : IPC_HEADER_SIZE, h);
	if (st == IPC_OK && len < h->size)
		return IPC_SHORT;
	return st;
}

/* Parse the 34-byte advertise a connect-mode runtime sends first. */
enum ipc_status
ipc_advertise_parse(const uint8_t *buf, size_t len, struct ipc_advertise *adv)
{
	size_t n = len < sizeof ipc_adv_magic ? len : sizeof ipc_adv_magic;

	if (memcmp(buf, ipc_adv_magic, n) != 0)
		return IPC_BAD_MAGIC;
	if (len < IPC_ADVERTISE_SIZE)
		return IPC_SHORT;
	memcpy(adv->cookie, buf + 8, IPC_COOKIE_SIZE);
	adv->pid = ipc_get64(buf + 24);
	return IPC_OK;
}

/* Build an advertise into 34 bytes. */
void
ipc_advertise_build(uint8_t *out, const struct ipc_advertise *adv)
{
	memcpy(out, ipc_adv_magic, sizeof ipc_adv_magic);
	memcpy(out + 8, adv->cookie, IPC_COOKIE_SIZE);
	ipc_put64(out + 24, adv->pid);
	ipc_put16(out + 32, 0);
}

/* Write a header. */
static void
ipc_header_build(uint8_t *out, uint16_t size, uint8_t set, uint8_t id)
{
	memcpy(out, ipc_magic, sizeof ipc_magic);
	ipc_put16(out + 14, size);
	out[16] = set;
	out[17] = id;
	ipc_put16(out + 18, 0);
}

/* Build a 24-byte Error response carrying an HRESULT. */
void
ipc_error_build(uint8_t *out, uint32_t hresult)
{
	ipc_header_build(out, IPC_ERROR_SIZE, IPC_SET_SERVER, IPC_ID_ERROR);
	ipc_put32(out + IPC_HEADER_SIZE, hresult);
}

/* Build a 20-byte ProcessInfo request. */
void
ipc_processinfo_build(uint8_t *out)
{
	ipc_header_build(out, IPC_HEADER_SIZE, IPC_SET_PROCESS, IPC_ID_PROCESSINFO);
}

/* Take pid and cookie from a complete ProcessInfo response. */
enum ipc_status
ipc_processinfo_parse(const uint8_t *buf, size_t len, struct ipc_advertise *adv)
{
	struct ipc_header h;
	enum ipc_status st;

	if ((st = ipc_header_parse(buf, len, &h)) != IPC_OK)
		return st;
	if (h.set != IPC_SET_SERVER || h.id != IPC_ID_OK)
		return IPC_BAD_RESPONSE;
	if (h.size < IPC_HEADER_SIZE + 8 + IPC_COOKIE_SIZE)
		return IPC_BAD_SIZE;
	if (len < h.size)
		return IPC_SHORT;
	adv->pid = ipc_get64(buf + IPC_HEADER_SIZE);
	memcpy(adv->cookie, buf + IPC_HEADER_SIZE + 8, IPC_COOKIE_SIZE);
	return IPC_OK;
}

/* Format a cookie as a GUID, the way .NET prints it. */
void
ipc_cookie_format(const uint8_t *c, char *out, size_t len)
{
	snprintf(out, len,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    c[3], c[2], c[1], c[0], c[5], c[4], c[7], c[6], c[8], c[9], c[10],
	    c[11], c[12], c[13], c[14], c[15]);
}

/* A cookie as 32 hex digits, in the byte order of ProcessInfo's answer. */
void
ipc_cookie_hex(const uint8_t *c, char *out, size_t len)
{
	size_t i;

	for (i = 0; i < IPC_COOKIE_SIZE && 2 * i + 2 < len; i++)
		snprintf(out + 2 * i, 3, "%02x", c[i]);
}

/*
 * The command line of a complete ProcessInfo answer, as UTF-8 in out
 * (cut to fit, always terminated). IPC_OK, or why it is not there.
 */
enum ipc_status
ipc_processinfo_cmdline(const uint8_t *buf, size_t len, char *out, size_t outlen)
{
	struct ipc_advertise adv;
	enum ipc_status st;
	size_t off = IPC_HEADER_SIZE + 8 + IPC_COOKIE_SIZE, n, i, o = 0;
	uint32_t count, cu;

	out[0] = '\0';
	if ((st = ipc_processinfo_parse(buf, len, &adv)) != IPC_OK)
		return st;
	len = ipc_get16(buf + 14);
	if (len < off + 4)
		return IPC_BAD_SIZE;
	count = (uint32_t)buf[off] | (uint32_t)buf[off + 1] << 8 |
	    (uint32_t)buf[off + 2] << 16 | (uint32_t)buf[off + 3] << 24;
	off += 4;
	if (count > (len - off) / 2)
		return IPC_BAD_SIZE;
	n = count;
	for (i = 0; i < n && o + 4 < outlen; i++) {
		cu = (uint32_t)buf[off + 2 * i] | (uint32_t)buf[off + 2 * i + 1] << 8;
		if (cu == 0)
			break;
		if (cu >= 0xd800 && cu <= 0xdbff && i + 1 < n) {
			uint32_t lo = (uint32_t)buf[off + 2 * i + 2] |
			    (uint32_t)buf[off + 2 * i + 3] << 8;
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cu = 0x10000 + ((cu - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			}
		}
		if (cu < 0x20 || (cu >= 0xd800 && cu <= 0xdfff))
			cu = '?';       /* controls and lone surrogates */
		if (cu < 0x80) {
			out[o++] = (char)cu;
		} else if (cu < 0x800) {
			out[o++] = (char)(0xc0 | cu >> 6);
			out[o++] = (char)(0x80 | (cu & 0x3f));
		} else if (cu < 0x10000) {
			out[o++] = (char)(0xe0 | cu >> 12);
			out[o++] = (char)(0x80 | ((cu >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cu & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | cu >> 18);
			out[o++] = (char)(0x80 | ((cu >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((cu >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cu & 0x3f));
		}
	}
	out[o] = '\0';
	return IPC_OK;
}

/* A command's name, "EventPipe CollectTracing2", for logs and status. */
const char *
ipc_command_name(uint8_t set, uint8_t id, char *buf, size_t len)
{
	static const char *const dump[] = { NULL, "GenerateCoreDump",
	    "GenerateCoreDump2", "GenerateCoreDump3" };
	static const char *const eventpipe[] = { NULL, "StopTracing",
	    "CollectTracing", "CollectTracing2", "CollectTracing3",
	    "CollectTracing4", "CollectTracing5", "CollectTracing6" };
	static const char *const profiler[] = { NULL, "AttachProfiler",
	    "StartupProfiler" };
	static const char *const process[] = { "ProcessInfo", "ResumeRuntime",
	    "ProcessEnvironment", "SetEnvironmentVariable", "ProcessInfo2",
	    "EnablePerfMap", "DisablePerfMap", "ApplyStartupHook",
	    "ProcessInfo3" };
	static const struct {
		const char *name;
		const char *const *ids;
		size_t nids;
	} sets[] = {
		[0x01] = { "Dump", dump, sizeof dump / sizeof dump[0] },
		[0x02] = { "EventPipe", eventpipe, sizeof eventpipe / sizeof eventpipe[0] },
		[0x03] = { "Profiler", profiler, sizeof profiler / sizeof profiler[0] },
		[0x04] = { "Process", process, sizeof process / sizeof process[0] },
	};

	if (set < sizeof sets / sizeof sets[0] && sets[set].name != NULL &&
	    id < sets[set].nids && sets[set].ids[id] != NULL)
		snprintf(buf, len, "%s %s", sets[set].name, sets[set].ids[id]);
	else if (set < sizeof sets / sizeof sets[0] && sets[set].name != NULL)
		snprintf(buf, len, "%s 0x%02x", sets[set].name, id);
	else
		snprintf(buf, len, "set 0x%02x id 0x%02x", set, id);
	return buf;
}

/* A short description of a status, for logs. */
const char *
ipc_status_name(enum ipc_status st)
{
	switch (st) {
	case IPC_OK:
		return "ok";
	case IPC_SHORT:
		return "incomplete";
	case IPC_BAD_MAGIC:
		return "bad magic";
	case IPC_BAD_SIZE:
		return "bad size";
	case IPC_BAD_RESPONSE:
		return "unexpected response";
	}
	return "?";
}

/* The HRESULT a tool gets for a frame refused with this status. */
uint32_t
ipc_status_hresult(enum ipc_status st)
{
	return st == IPC_BAD_MAGIC ? IPC_E_UNKNOWN_MAGIC : IPC_E_BAD_ENCODING;
}

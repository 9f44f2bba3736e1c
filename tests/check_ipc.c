/* SPDX-License-Identifier: MIT */
/* check_ipc.c: unit tests for ipc.c: the diagnostic IPC wire format. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"
#include "check_main.h"
#include "dsrtest.h"

/* "DOTNET_IPC_V1\0", byte by byte, as the protocol spells it. */
#define MAGIC_BYTES \
	0x44, 0x4f, 0x54, 0x4e, 0x45, 0x54, 0x5f, 0x49, 0x50, 0x43, \
	0x5f, 0x56, 0x31, 0x00

/*
 * A ProcessInfo OK response as a runtime sends it; returns its length.
 * Frames for ipc.c to parse come from the shared test library, not from
 * ipc.c, so the two check each other; the byte tables below check both
 * against the protocol.
 */
static size_t
processinfo_response(uint8_t *buf, uint64_t pid, const uint8_t *cookie)
{
	return dsrtest_processinfo_response(buf, pid, cookie,
	    "/usr/bin/dotnet app.dll", "Linux", "x64");
}

/* A builder wrote want into out, and nothing past it (out was all 0xaa). */
static void
assert_built(const uint8_t *out, size_t outlen, const uint8_t *want,
    size_t len, const char *what)
{
	size_t i;

	ck_assert_mem_eq(out, want, len);
	for (i = len; i < outlen; i++)
		ck_assert_msg(out[i] == 0xaa, "byte %zu written past the %s", i,
		    what);
}

START_TEST(test_header_good)
{
	uint8_t buf[64];
	struct ipc_header h;

	dsrtest_header(buf, 20, 0x04, 0x00);
	memset(&h, 0xaa, sizeof h);
	ck_assert_int_eq(ipc_header_parse(buf, 20, &h), IPC_OK);
	ck_assert_uint_eq(h.size, 20);
	ck_assert_uint_eq(h.set, 0x04);
	ck_assert_uint_eq(h.id, 0x00);

	/* Size is little-endian; extra bytes after the header are ignored. */
	dsrtest_header(buf, 0x1234, 0x02, 0x07);
	ck_assert_int_eq(ipc_header_parse(buf, sizeof buf, &h), IPC_OK);
	ck_assert_uint_eq(h.size, 0x1234);
	ck_assert_uint_eq(h.set, 0x02);
	ck_assert_uint_eq(h.id, 0x07);

	dsrtest_header(buf, 0xffff, 0x01, 0x03);
	ck_assert_int_eq(ipc_header_parse(buf, 20, &h), IPC_OK);
	ck_assert_uint_eq(h.size, IPC_MAX_FRAME);
}
END_TEST

START_TEST(test_header_short)
{
	uint8_t buf[20];
	struct ipc_header h;
	size_t len;

	dsrtest_header(buf, 20, 0x04, 0x00);
	for (len = 0; len < IPC_HEADER_SIZE; len++)
		ck_assert_msg(ipc_header_parse(buf, len, &h) == IPC_SHORT,
		    "a good header cut to %zu bytes is not IPC_SHORT", len);
}
END_TEST

START_TEST(test_header_bad_magic_early)
{
	uint8_t buf[20];
	struct ipc_header h;
	size_t i, len;

	/* A wrong byte anywhere in the magic is seen as soon as it arrives. */
	for (i = 0; i < sizeof dsrtest_ipc_magic; i++) {
		dsrtest_header(buf, 20, 0x04, 0x00);
		buf[i] ^= 0x20;
		for (len = 0; len <= IPC_HEADER_SIZE; len++) {
			ck_assert_msg(ipc_header_parse(buf, len, &h) ==
			    (len <= i ? IPC_SHORT : IPC_BAD_MAGIC),
			    "magic byte %zu wrong, %zu bytes in: wrong status",
			    i, len);
		}
	}
	/* Something else entirely, e.g. HTTP, is refused at the first byte. */
	ck_assert_int_eq(ipc_header_parse((const uint8_t *)"GET / HTTP/1.1\r\n",
	    1, &h), IPC_BAD_MAGIC);
	/* An advertise is not a command. */
	ck_assert_int_eq(ipc_header_parse((const uint8_t *)"ADVR_V1", 8, &h),
	    IPC_BAD_MAGIC);
}
END_TEST

START_TEST(test_header_bad_size)
{
	uint8_t buf[20];
	struct ipc_header h;
	uint16_t size;

	for (size = 0; size < IPC_HEADER_SIZE; size++) {
		dsrtest_header(buf, size, 0x04, 0x00);
		ck_assert_msg(ipc_header_parse(buf, sizeof buf, &h) ==
		    IPC_BAD_SIZE, "size %u accepted", size);
	}
	/* Until the size has arrived it cannot be judged. */
	dsrtest_header(buf, 3, 0x04, 0x00);
	ck_assert_int_eq(ipc_header_parse(buf, 15, &h), IPC_SHORT);
}
END_TEST

/*
 * A frame of this size with len bytes received so far, and what
 * ipc_frame_complete says: whole, not yet, or bad.
 */
static const struct {
	uint16_t size;
	size_t len;
	int bad_byte;             /* -1, or a magic byte made wrong */
	enum ipc_status st;
} frames[] = {
	{ 20, 0, -1, IPC_SHORT },
	{ 20, 1, -1, IPC_SHORT },
	{ 20, 14, -1, IPC_SHORT },
	{ 20, 19, -1, IPC_SHORT },
	{ 20, 20, -1, IPC_OK },
	/* More than the frame: a command pipelined behind it. */
	{ 20, 21, -1, IPC_OK },
	{ 20, 4096, -1, IPC_OK },
	/* The header is there but not the body. */
	{ 100, 20, -1, IPC_SHORT },
	{ 100, 99, -1, IPC_SHORT },
	{ 100, 100, -1, IPC_OK },
	{ 100, 101, -1, IPC_OK },
	{ 65535, 65534, -1, IPC_SHORT },
	{ 65535, 65535, -1, IPC_OK },
	{ 65535, 100000, -1, IPC_OK },
	/* A wrong magic shows as soon as its byte has come. */
	{ 20, 1, 0, IPC_BAD_MAGIC },
	{ 20, 5, 4, IPC_BAD_MAGIC },
	{ 20, 4, 4, IPC_SHORT },
	{ 100, 20, 13, IPC_BAD_MAGIC },
	{ 100, 60, 2, IPC_BAD_MAGIC },
	/* A size below the header's own, as soon as the size has come. */
	{ 19, 20, -1, IPC_BAD_SIZE },
	{ 0, 20, -1, IPC_BAD_SIZE },
	{ 3, 4096, -1, IPC_BAD_SIZE },
	{ 3, 16, -1, IPC_SHORT },
};

START_TEST(test_frame_complete)
{
	struct ipc_header h;
	uint8_t *hdr;
	size_t keep;

	/* Only the first min(len, 20) bytes are there to read: the rest of
	 * the frame is still in the kernel. */
	keep = frames[_i].len < IPC_HEADER_SIZE ? frames[_i].len :
	    IPC_HEADER_SIZE;
	hdr = malloc(IPC_HEADER_SIZE);
	ck_assert_ptr_nonnull(hdr);
	dsrtest_header(hdr, frames[_i].size, 0x02, 0x02);
	if (frames[_i].bad_byte >= 0)
		hdr[frames[_i].bad_byte] ^= 0x40;
	if (keep < IPC_HEADER_SIZE)
		hdr = realloc(hdr, keep > 0 ? keep : 1);
	memset(&h, 0, sizeof h);
	ck_assert_msg(ipc_frame_complete(hdr, frames[_i].len, &h) ==
	    frames[_i].st, "size %u, %zu bytes in: %s, not %s",
	    frames[_i].size, frames[_i].len,
	    ipc_status_name(ipc_frame_complete(hdr, frames[_i].len, &h)),
	    ipc_status_name(frames[_i].st));
	if (frames[_i].st == IPC_OK) {
		ck_assert_uint_eq(h.size, frames[_i].size);
		ck_assert_uint_eq(h.set, 0x02);
		ck_assert_uint_eq(h.id, 0x02);
	}
	free(hdr);
}
END_TEST

/* Every length up to a frame and past it, with every size around it. */
START_TEST(test_frame_complete_sweep)
{
	uint8_t hdr[IPC_HEADER_SIZE];
	struct ipc_header h;
	enum ipc_status want;
	unsigned size;
	size_t len;

	for (size = IPC_HEADER_SIZE; size < 300; size += 7) {
		dsrtest_header(hdr, (uint16_t)size, 0x04, 0x00);
		for (len = 0; len < size + 50; len++) {
			want = len >= size ? IPC_OK : IPC_SHORT;
			ck_assert_msg(ipc_frame_complete(hdr, len, &h) == want,
			    "size %u, %zu bytes in", size, len);
		}
	}
}
END_TEST

START_TEST(test_advertise_build_bytes)
{
	static const uint8_t want[IPC_ADVERTISE_SIZE] = {
		0x41, 0x44, 0x56, 0x52, 0x5f, 0x56, 0x31, 0x00,
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		0x00, 0x00,
	};
	struct ipc_advertise adv;
	uint8_t out[IPC_ADVERTISE_SIZE + 8];
	size_t i;

	for (i = 0; i < IPC_COOKIE_SIZE; i++)
		adv.cookie[i] = (uint8_t)i;
	adv.pid = 0x0102030405060708ull;
	memset(out, 0xaa, sizeof out);
	ipc_advertise_build(out, &adv);
	assert_built(out, sizeof out, want, IPC_ADVERTISE_SIZE, "advertise");
	/* The test library's own advertise, which the fake runtimes send. */
	memset(out, 0xaa, sizeof out);
	dsrtest_advertise(out, adv.cookie, adv.pid);
	assert_built(out, sizeof out, want, IPC_ADVERTISE_SIZE, "advertise");
}
END_TEST

START_TEST(test_advertise_round_trip)
{
	struct ipc_advertise adv, back;
	uint8_t out[IPC_ADVERTISE_SIZE];
	size_t i;

	for (i = 0; i < IPC_COOKIE_SIZE; i++)
		adv.cookie[i] = (uint8_t)(0xf0 ^ (i * 17));
	adv.pid = 0xfedcba9876543210ull;
	ipc_advertise_build(out, &adv);
	ck_assert_mem_eq(out + 8, adv.cookie, IPC_COOKIE_SIZE);
	ck_assert_uint_eq(out[24], 0x10);
	ck_assert_uint_eq(out[31], 0xfe);
	memset(&back, 0, sizeof back);
	ck_assert_int_eq(ipc_advertise_parse(out, sizeof out, &back), IPC_OK);
	ck_assert_mem_eq(back.cookie, adv.cookie, IPC_COOKIE_SIZE);
	ck_assert_uint_eq(back.pid, adv.pid);

	/* A small pid, as Linux has them. */
	adv.pid = 4242;
	ipc_advertise_build(out, &adv);
	ck_assert_uint_eq(out[24], 4242 & 0xff);
	ck_assert_uint_eq(out[25], 4242 >> 8);
	for (i = 26; i < IPC_ADVERTISE_SIZE; i++)
		ck_assert_uint_eq(out[i], 0);
	ck_assert_int_eq(ipc_advertise_parse(out, sizeof out, &back), IPC_OK);
	ck_assert_uint_eq(back.pid, 4242);
}
END_TEST

START_TEST(test_advertise_short_and_bad)
{
	struct ipc_advertise adv, back;
	uint8_t out[IPC_ADVERTISE_SIZE], hdr[20];
	size_t len;

	memset(&adv, 0x5a, sizeof adv);
	ipc_advertise_build(out, &adv);
	for (len = 0; len < IPC_ADVERTISE_SIZE; len++)
		ck_assert_msg(ipc_advertise_parse(out, len, &back) == IPC_SHORT,
		    "advertise cut to %zu bytes is not IPC_SHORT", len);

	/* A wrong version is refused as soon as its byte arrives. */
	out[6] = '2';
	ck_assert_int_eq(ipc_advertise_parse(out, 6, &back), IPC_SHORT);
	ck_assert_int_eq(ipc_advertise_parse(out, 7, &back), IPC_BAD_MAGIC);
	out[6] = '1';
	out[7] = 'x';
	ck_assert_int_eq(ipc_advertise_parse(out, 8, &back), IPC_BAD_MAGIC);

	/* A command where an advertise was expected: the first byte tells. */
	dsrtest_header(hdr, 20, 0x04, 0x00);
	ck_assert_int_eq(ipc_advertise_parse(hdr, 1, &back), IPC_BAD_MAGIC);
}
END_TEST

START_TEST(test_error_frame)
{
	static const uint8_t want[IPC_ERROR_SIZE] = {
		MAGIC_BYTES,
		0x18, 0x00, 0xff, 0xff, 0x00, 0x00,
		0x5b, 0x13, 0x13, 0x80,
	};
	uint8_t out[IPC_ERROR_SIZE + 8];
	struct ipc_header h;

	memset(out, 0xaa, sizeof out);
	ipc_error_build(out, IPC_E_NOT_YET_AVAILABLE);
	assert_built(out, sizeof out, want, IPC_ERROR_SIZE, "frame");
	/* The test library's own frame, which the end-to-end suites expect. */
	memset(out, 0xaa, sizeof out);
	dsrtest_error(out, DSRTEST_E_NOT_YET_AVAILABLE);
	assert_built(out, sizeof out, want, IPC_ERROR_SIZE, "frame");
	ck_assert(dsrtest_is_error(out));
	ck_assert_uint_eq(dsrtest_error_hresult(out), IPC_E_NOT_YET_AVAILABLE);
	ck_assert_int_eq(ipc_header_parse(out, IPC_ERROR_SIZE, &h), IPC_OK);
	ck_assert_uint_eq(h.size, IPC_ERROR_SIZE);
	ck_assert_uint_eq(h.set, IPC_SET_SERVER);
	ck_assert_uint_eq(h.id, IPC_ID_ERROR);

	ipc_error_build(out, IPC_E_UNKNOWN_MAGIC);
	ck_assert_mem_eq(out, want, 20);
	ck_assert_uint_eq(out[20], 0x86);
	ck_assert_uint_eq(out[21], 0x13);
	ck_assert_uint_eq(out[22], 0x13);
	ck_assert_uint_eq(out[23], 0x80);
}
END_TEST

START_TEST(test_processinfo_request)
{
	static const uint8_t want[IPC_HEADER_SIZE] = {
		MAGIC_BYTES,
		0x14, 0x00, 0x04, 0x00, 0x00, 0x00,
	};
	uint8_t out[IPC_HEADER_SIZE + 8];

	memset(out, 0xaa, sizeof out);
	ipc_processinfo_build(out);
	assert_built(out, sizeof out, want, IPC_HEADER_SIZE, "request");
	/* The test library's own request, which the end-to-end suites send. */
	memset(out, 0xaa, sizeof out);
	ck_assert_uint_eq(dsrtest_processinfo_request(out), IPC_HEADER_SIZE);
	assert_built(out, sizeof out, want, IPC_HEADER_SIZE, "request");
}
END_TEST

START_TEST(test_processinfo_response)
{
	uint8_t buf[256], cookie[IPC_COOKIE_SIZE];
	struct ipc_advertise adv;
	size_t len, i;

	for (i = 0; i < sizeof cookie; i++)
		cookie[i] = (uint8_t)(0xa0 + i);
	len = processinfo_response(buf, 31337, cookie);
	memset(&adv, 0, sizeof adv);
	ck_assert_int_eq(ipc_processinfo_parse(buf, len, &adv), IPC_OK);
	ck_assert_uint_eq(adv.pid, 31337);
	ck_assert_mem_eq(adv.cookie, cookie, IPC_COOKIE_SIZE);

	/* The smallest acceptable payload: pid and cookie only. */
	dsrtest_header(buf, IPC_HEADER_SIZE + 8 + IPC_COOKIE_SIZE,
	    IPC_SET_SERVER, IPC_ID_OK);
	memset(&adv, 0, sizeof adv);
	ck_assert_int_eq(ipc_processinfo_parse(buf, IPC_HEADER_SIZE + 8 +
	    IPC_COOKIE_SIZE, &adv), IPC_OK);
	ck_assert_uint_eq(adv.pid, 31337);
}
END_TEST

START_TEST(test_processinfo_response_short)
{
	uint8_t buf[256], cookie[IPC_COOKIE_SIZE];
	struct ipc_advertise adv;
	size_t len, cut;

	memset(cookie, 0x11, sizeof cookie);
	len = processinfo_response(buf, 7, cookie);
	for (cut = 0; cut < len; cut++)
		ck_assert_msg(ipc_processinfo_parse(buf, cut, &adv) == IPC_SHORT,
		    "response cut to %zu of %zu bytes is not IPC_SHORT", cut, len);
	/* A size too small for pid and cookie. */
	dsrtest_header(buf, IPC_HEADER_SIZE + 8, IPC_SET_SERVER, IPC_ID_OK);
	ck_assert_int_eq(ipc_processinfo_parse(buf, len, &adv), IPC_BAD_SIZE);
	dsrtest_header(buf, 10, IPC_SET_SERVER, IPC_ID_OK);
	ck_assert_int_eq(ipc_processinfo_parse(buf, len, &adv), IPC_BAD_SIZE);
}
END_TEST

START_TEST(test_processinfo_response_wrong)
{
	uint8_t buf[256], cookie[IPC_COOKIE_SIZE];
	struct ipc_advertise adv;
	size_t len;

	memset(cookie, 0x22, sizeof cookie);

	/* An Error response. */
	ipc_error_build(buf, IPC_E_UNKNOWN_COMMAND);
	ck_assert_int_eq(ipc_processinfo_parse(buf, IPC_ERROR_SIZE, &adv),
	    IPC_BAD_RESPONSE);
	/* Right id, wrong set; right set, wrong id. */
	len = processinfo_response(buf, 7, cookie);
	buf[16] = IPC_SET_PROCESS;
	ck_assert_int_eq(ipc_processinfo_parse(buf, len, &adv), IPC_BAD_RESPONSE);
	buf[16] = IPC_SET_SERVER;
	buf[17] = 0x01;
	ck_assert_int_eq(ipc_processinfo_parse(buf, len, &adv), IPC_BAD_RESPONSE);
	/* Not IPC at all. */
	buf[0] = 'X';
	ck_assert_int_eq(ipc_processinfo_parse(buf, len, &adv), IPC_BAD_MAGIC);
}
END_TEST

START_TEST(test_cookie_format)
{
	uint8_t c[IPC_COOKIE_SIZE];
	char out[64], small[10];
	size_t i;

	/* As .NET prints new Guid(bytes): the first three groups byte-swapped. */
	for (i = 0; i < sizeof c; i++)
		c[i] = (uint8_t)i;
	ipc_cookie_format(c, out, sizeof out);
	ck_assert_str_eq(out, "03020100-0504-0706-0809-0a0b0c0d0e0f");

	memset(c, 0xab, sizeof c);
	c[0] = 0x01;
	c[15] = 0xfe;
	ipc_cookie_format(c, out, sizeof out);
	ck_assert_str_eq(out, "ababab01-abab-abab-abab-abababababfe");
	ck_assert_uint_eq(strlen(out), 36);
	c[0] = 0xab;
	c[3] = 0x01;
	ipc_cookie_format(c, out, 37);
	ck_assert_str_eq(out, "01ababab-abab-abab-abab-abababababfe");

	/* A small buffer is cut, not overrun. */
	memset(small, 'z', sizeof small);
	ipc_cookie_format(c, small, sizeof small);
	ck_assert_str_eq(small, "01ababab-");
}
END_TEST

START_TEST(test_status_hresult)
{
	ck_assert_uint_eq(ipc_status_hresult(IPC_BAD_MAGIC), 0x80131386u);
	ck_assert_uint_eq(ipc_status_hresult(IPC_BAD_MAGIC), IPC_E_UNKNOWN_MAGIC);
	ck_assert_uint_eq(ipc_status_hresult(IPC_BAD_SIZE), 0x80131384u);
	ck_assert_uint_eq(ipc_status_hresult(IPC_BAD_SIZE), IPC_E_BAD_ENCODING);
	ck_assert_uint_eq(ipc_status_hresult(IPC_SHORT), IPC_E_BAD_ENCODING);
	ck_assert_uint_eq(ipc_status_hresult(IPC_BAD_RESPONSE), IPC_E_BAD_ENCODING);
}
END_TEST

START_TEST(test_status_name)
{
	enum ipc_status st, other;

	for (st = IPC_OK; st <= IPC_BAD_RESPONSE; st++) {
		ck_assert_ptr_nonnull(ipc_status_name(st));
		ck_assert_str_ne(ipc_status_name(st), "?");
		for (other = IPC_OK; other < st; other++)
			ck_assert_str_ne(ipc_status_name(st), ipc_status_name(other));
	}
	ck_assert_str_eq(ipc_status_name(IPC_BAD_MAGIC), "bad magic");
}
END_TEST

/* The ipc.c suite. */
Suite *
ipc_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("ipc");

	tc = unit_tcase("header");
	tcase_add_test(tc, test_header_good);
	tcase_add_test(tc, test_header_short);
	tcase_add_test(tc, test_header_bad_magic_early);
	tcase_add_test(tc, test_header_bad_size);
	tcase_add_loop_test(tc, test_frame_complete, 0, NITEMS(frames));
	tcase_add_test(tc, test_frame_complete_sweep);
	suite_add_tcase(s, tc);

	tc = unit_tcase("advertise");
	tcase_add_test(tc, test_advertise_build_bytes);
	tcase_add_test(tc, test_advertise_round_trip);
	tcase_add_test(tc, test_advertise_short_and_bad);
	suite_add_tcase(s, tc);

	tc = unit_tcase("frames");
	tcase_add_test(tc, test_error_frame);
	tcase_add_test(tc, test_processinfo_request);
	tcase_add_test(tc, test_processinfo_response);
	tcase_add_test(tc, test_processinfo_response_short);
	tcase_add_test(tc, test_processinfo_response_wrong);
	suite_add_tcase(s, tc);

	tc = unit_tcase("misc");
	tcase_add_test(tc, test_cookie_format);
	tcase_add_test(tc, test_status_hresult);
	tcase_add_test(tc, test_status_name);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(ipc_suite());
}

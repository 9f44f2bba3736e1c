/* SPDX-License-Identifier: MIT */
/* check_ratelimit.c: unit tests for ratelimit.c: how many warnings to log. */
#include "config.h"

#include <stdlib.h>

#include "dsrouterd.h"
#include "check_main.h"

#define MAX_STEPS 24
#define END { 0, -1, 0 }

/* The route's own limit, as ARCHITECTURE.md gives it: 20 per 5 s. */
#define ROUTE_BURST 20
#define ROUTE_WINDOW_MS 5000

/*
 * One message: when (ms), whether it is allowed, and how many left out
 * it says were.
 */
struct step {
	uint64_t ms;
	int allowed;              /* -1 ends the steps */
	unsigned suppressed;      /* when allowed */
};

/* A limit and the messages it is asked about, in order. */
static const struct {
	const char *what;
	unsigned burst, window_ms;
	struct step steps[MAX_STEPS];
} cases[] = {
	{ "a burst, then the rest counted", 3, 1000, {
		{ 5000, 1, 0 }, { 5001, 1, 0 }, { 5002, 1, 0 },
		{ 5003, 0, 0 }, { 5004, 0, 0 }, { 5999, 0, 0 },
		/* The window is over: allowed, saying three were left out. */
		{ 6000, 1, 3 },
		/* Said once: the next one says nothing. */
		{ 6001, 1, 0 }, { 6002, 1, 0 }, { 6003, 0, 0 },
		{ 7000, 1, 1 }, END } },
	{ "the window runs from its first message, not the last", 2, 1000, {
		{ 10000, 1, 0 }, { 10600, 1, 0 }, { 10900, 0, 0 },
		{ 10999, 0, 0 }, { 11000, 1, 2 }, END } },
	{ "a quiet spell starts a fresh window", 2, 1000, {
		{ 0, 1, 0 }, { 1, 1, 0 }, { 2, 0, 0 },
		/* Long after: nothing pending but the one left out. */
		{ 60000, 1, 1 }, { 60001, 1, 0 }, { 60002, 0, 0 },
		{ 120000, 1, 1 }, END } },
	{ "within the burst nothing is ever suppressed", 5, 1000, {
		{ 100, 1, 0 }, { 200, 1, 0 }, { 1100, 1, 0 }, { 1200, 1, 0 },
		{ 1300, 1, 0 }, { 1400, 1, 0 }, { 1500, 1, 0 }, END } },
	{ "a burst of one", 1, 1000, {
		{ 1000, 1, 0 }, { 1000, 0, 0 }, { 1500, 0, 0 },
		{ 2000, 1, 2 }, { 2000, 0, 0 }, { 3000, 1, 1 }, END } },
	{ "a window of 0: every message is a window of its own", 1, 0, {
		{ 1000, 1, 0 }, { 1000, 1, 0 }, { 1000, 1, 0 }, { 1001, 1, 0 },
		END } },
	{ "a burst of 0: nothing is ever logged", 0, 1000, {
		{ 0, 0, 0 }, { 1, 0, 0 }, { 5000, 0, 0 }, { 999999, 0, 0 },
		END } },
	{ "microseconds count: the window ends exactly at its length", 1, 1, {
		{ 1, 1, 0 }, { 1, 0, 0 }, { 2, 1, 1 }, END } },
};

START_TEST(test_sequence)
{
	struct ratelimit rl;
	const struct step *st;
	unsigned suppressed;
	int i, allowed;

	ratelimit_init(&rl, cases[_i].burst, cases[_i].window_ms);
	for (i = 0; cases[_i].steps[i].allowed != -1; i++) {
		st = &cases[_i].steps[i];
		suppressed = 12345;
		allowed = ratelimit_allow(&rl, st->ms * 1000, &suppressed);
		ck_assert_msg(allowed == st->allowed, "%s: message %d at %llu "
		    "ms %s", cases[_i].what, i, (unsigned long long)st->ms,
		    allowed ? "allowed" : "suppressed");
		if (allowed)
			ck_assert_msg(suppressed == st->suppressed, "%s: "
			    "message %d at %llu ms says %u were suppressed, "
			    "not %u", cases[_i].what, i,
			    (unsigned long long)st->ms, suppressed,
			    st->suppressed);
	}
}
END_TEST

/* The daemon's own numbers: a flood logs 20 lines per 5 s and one count. */
START_TEST(test_route_limit)
{
	struct ratelimit rl;
	unsigned suppressed, logged = 0, said = 0, total = 0;
	uint64_t t;

	ratelimit_init(&rl, ROUTE_BURST, ROUTE_WINDOW_MS);
	/* 1,000 messages a second for 12 s: windows from 1, 6 and 11 s. */
	for (t = 0; t < 12000000; t += 1000, total++) {
		if (ratelimit_allow(&rl, 1000000 + t, &suppressed)) {
			logged++;
			said += suppressed;
		}
	}
	ck_assert_uint_eq(logged, 3 * ROUTE_BURST);
	/* Every message is either logged or counted in a later one, but
	 * those of the last window, which no later message reports. */
	ck_assert_uint_eq(said, 2 * (5000 - ROUTE_BURST));
	ck_assert_uint_eq(total - logged - said, 2000 - ROUTE_BURST);
	ck_assert_uint_eq(rl.suppressed, 2000 - ROUTE_BURST);
}
END_TEST

/* A new limit starts empty, whatever the struct held. */
START_TEST(test_init)
{
	struct ratelimit rl;
	unsigned suppressed;

	rl.count = 99;
	rl.suppressed = 77;
	rl.start_us = 123456789;
	ratelimit_init(&rl, 2, 250);
	ck_assert_uint_eq(rl.burst, 2);
	ck_assert_uint_eq(rl.window_us, 250000);
	ck_assert_uint_eq(rl.count, 0);
	ck_assert_uint_eq(rl.suppressed, 0);
	ck_assert_int_eq(ratelimit_allow(&rl, 123456790, &suppressed), 1);
	ck_assert_uint_eq(suppressed, 0);
	/* A window as long as unsigned milliseconds allow does not wrap. */
	ratelimit_init(&rl, 1, 4294967295u);
	ck_assert_uint_eq(rl.window_us, 4294967295000ull);
}
END_TEST

/* The ratelimit.c suite. */
Suite *
ratelimit_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("ratelimit");
	tc = unit_tcase("ratelimit");
	tcase_add_loop_test(tc, test_sequence, 0, NITEMS(cases));
	tcase_add_test(tc, test_route_limit);
	tcase_add_test(tc, test_init);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(ratelimit_suite());
}

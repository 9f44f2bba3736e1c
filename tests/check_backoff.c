/* SPDX-License-Identifier: MIT */
/* check_backoff.c: unit tests for backoff.c: exponential back-off with jitter. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>

#include "dsrouterd.h"
#include "check_main.h"

/* A small deterministic generator (xorshift32) for the jitter input. */
static uint32_t
rnd_next(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* The delay is within [step/2, step]: half fixed, half jitter. */
static void
assert_in_step(unsigned delay, unsigned step)
{
	ck_assert_msg(delay <= step && (unsigned long long)delay * 2 >= step,
	    "delay %u outside [%u/2, %u]", delay, step, step);
}

START_TEST(test_first_delay)
{
	struct backoff b;
	uint32_t r;

	/* The jitter input chooses within [base/2, base], ends included. */
	backoff_init(&b, 100, 5000);
	ck_assert_uint_eq(backoff_next(&b, 0), 50);
	backoff_init(&b, 100, 5000);
	ck_assert_uint_eq(backoff_next(&b, 50), 100);
	backoff_init(&b, 100, 5000);
	ck_assert_uint_eq(backoff_next(&b, 25), 75);
	for (r = 0; r < 1000; r++) {
		backoff_init(&b, 100, 5000);
		assert_in_step(backoff_next(&b, r * 7919u), 100);
	}
	backoff_init(&b, 100, 5000);
	assert_in_step(backoff_next(&b, UINT32_MAX), 100);
	/* An odd base rounds the fixed half up: never below base/2. */
	backoff_init(&b, 101, 5000);
	ck_assert_uint_eq(backoff_next(&b, 0), 51);
	backoff_init(&b, 101, 5000);
	ck_assert_uint_eq(backoff_next(&b, 50), 101);
}
END_TEST

START_TEST(test_doubling_and_cap)
{
	static const unsigned want[] = {
		100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000,
	};
	struct backoff b;
	size_t i;

	/* With the largest jitter the delay is the step itself. */
	backoff_init(&b, 100, 5000);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		ck_assert_uint_eq(backoff_next(&b, want[i] / 2), want[i]);
		ck_assert_uint_eq(b.attempts, i + 1);
	}
	/* With none it is half the step. */
	backoff_init(&b, 100, 5000);
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_uint_eq(backoff_next(&b, 0), want[i] - want[i] / 2);
}
END_TEST

START_TEST(test_cap_not_a_multiple)
{
	static const unsigned want[] = { 300, 600, 1000, 1000, 1000 };
	struct backoff b;
	size_t i;

	backoff_init(&b, 300, 1000);
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_uint_eq(backoff_next(&b, want[i] / 2), want[i]);
}
END_TEST

START_TEST(test_degenerate_parameters)
{
	struct backoff b;
	int i;

	/* A zero base is one millisecond, never a busy loop of zero delays. */
	backoff_init(&b, 0, 0);
	for (i = 0; i < 10; i++)
		ck_assert_uint_eq(backoff_next(&b, UINT32_MAX), 1);
	/* A cap below the base is the base. */
	backoff_init(&b, 500, 100);
	for (i = 0; i < 10; i++)
		assert_in_step(backoff_next(&b, (uint32_t)i * 37u), 500);
}
END_TEST

START_TEST(test_jitter_bounds)
{
	static const unsigned params[][2] = {
		{ 1, 10 }, { 10, 500 }, { 100, 5000 }, { 250, 30000 },
		{ 1000, 1000 }, { 7, 123457 },
	};
	struct backoff b;
	uint32_t state = 0x9e3779b9u;
	unsigned step, delay, lo, hi;
	size_t p;
	int round, i;

	for (p = 0; p < sizeof params / sizeof params[0]; p++) {
		for (round = 0; round < 50; round++) {
			backoff_init(&b, params[p][0], params[p][1]);
			step = params[p][0];
			for (i = 0; i < 40; i++) {
				delay = backoff_next(&b, rnd_next(&state));
				assert_in_step(delay, step);
				ck_assert_uint_le(delay, params[p][1]);
				ck_assert_uint_ge(delay, 1);
				step = step * 2 > params[p][1] ? params[p][1] : step * 2;
			}
		}
	}

	/* The jitter really spreads the delays over the whole range. */
	lo = UINT_MAX;
	hi = 0;
	for (i = 0; i < 10000; i++) {
		backoff_init(&b, 1000, 1000);
		delay = backoff_next(&b, rnd_next(&state));
		lo = delay < lo ? delay : lo;
		hi = delay > hi ? delay : hi;
	}
	ck_assert_uint_ge(lo, 500);
	ck_assert_uint_lt(lo, 510);
	ck_assert_uint_le(hi, 1000);
	ck_assert_uint_gt(hi, 990);
}
END_TEST

START_TEST(test_no_overflow)
{
	struct backoff b;
	unsigned prev = 0, delay;
	int i;

	/* Steps grow up to a cap of UINT_MAX without wrapping round. */
	backoff_init(&b, 1, UINT_MAX);
	for (i = 0; i < 40; i++) {
		delay = backoff_next(&b, UINT32_MAX);
		ck_assert_msg(delay >= prev, "delay went from %u down to %u at "
		    "attempt %d", prev, delay, i);
		prev = delay;
	}
	ck_assert_uint_ge(prev, UINT_MAX / 2);
}
END_TEST

START_TEST(test_reset)
{
	struct backoff b;
	int i;

	backoff_init(&b, 100, 5000);
	for (i = 0; i < 8; i++)
		backoff_next(&b, 0);
	ck_assert_uint_eq(backoff_next(&b, 2500), 5000);
	backoff_reset(&b);
	ck_assert_uint_eq(b.attempts, 0);
	ck_assert_uint_eq(backoff_next(&b, 50), 100);
	ck_assert_uint_eq(backoff_next(&b, 100), 200);
	ck_assert_uint_eq(b.attempts, 2);
	backoff_reset(&b);
	ck_assert_uint_eq(backoff_next(&b, 0), 50);
}
END_TEST

/* The backoff.c suite. */
Suite *
backoff_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("backoff");
	tc = unit_tcase("backoff");
	tcase_add_test(tc, test_first_delay);
	tcase_add_test(tc, test_doubling_and_cap);
	tcase_add_test(tc, test_cap_not_a_multiple);
	tcase_add_test(tc, test_degenerate_parameters);
	tcase_add_test(tc, test_jitter_bounds);
	tcase_add_test(tc, test_no_overflow);
	tcase_add_test(tc, test_reset);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(backoff_suite());
}

/* SPDX-License-Identifier: MIT */
/* backoff.c: exponential back-off with a cap and jitter (pure arithmetic). */
#include "config.h"

#include "dsrouterd.h"

/* Start a back-off: first delay base_ms, doubling up to cap_ms. */
void
backoff_init(struct backoff *b, unsigned base_ms, unsigned cap_ms)
{
	b->base_ms = base_ms > 0 ? base_ms : 1;
	b->cap_ms = cap_ms >= b->base_ms ? cap_ms : b->base_ms;
	backoff_reset(b);
}

/* Forget failures: the next delay is the base again. */
void
backoff_reset(struct backoff *b)
{
	b->next_ms = b->base_ms;
	b->attempts = 0;
}

/*
 * Return the delay before the next attempt and advance. The delay is the
 * current step with "equal jitter": half fixed, half drawn from rnd, so it
 * lies in [step/2, step] and retries of many clients spread out.
 */
unsigned
backoff_next(struct backoff *b, uint32_t rnd)
{
	unsigned step = b->next_ms, half = step / 2, delay;

	delay = step - half + (half > 0 ? rnd % (half + 1) : 0);
	b->attempts++;
	if (b->next_ms >= b->cap_ms / 2)
		b->next_ms = b->cap_ms;
	else
		b->next_ms *= 2;
	return delay;
}

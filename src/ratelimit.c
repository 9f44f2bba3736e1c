/* SPDX-License-Identifier: MIT */
/*
 * ratelimit.c: how many messages of a kind may be logged (pure logic).
 * Up to a burst per window; the rest are counted, and the next message
 * allowed says how many were left out.
 */
#include "config.h"

#include "dsrouterd.h"

/* Start a limit: at most burst messages per window of ms milliseconds. */
void
ratelimit_init(struct ratelimit *rl, unsigned burst, unsigned ms)
{
	rl->burst = burst;
	rl->window_us = (uint64_t)ms * 1000;
	rl->start_us = 0;
	rl->count = 0;
	rl->suppressed = 0;
}

/*
 * Whether a message may be logged at now_us. When it may, *suppressed is
 * how many were left out since the last one logged (to be said first).
 */
int
ratelimit_allow(struct ratelimit *rl, uint64_t now_us, unsigned *suppressed)
{
	*suppressed = 0;
	if (rl->count == 0 || now_us - rl->start_us >= rl->window_us) {
		rl->start_us = now_us;
		rl->count = 0;
	}
	if (rl->count >= rl->burst) {
		rl->suppressed++;
		return 0;
	}
	rl->count++;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return 1;
}

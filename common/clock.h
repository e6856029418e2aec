/* clock.h -- the process's one clock: monotonic time for intervals, wall time for timestamps.
 *
 * Intervals (timeouts, round trips, back-off) are measured on
 * CLOCK_MONOTONIC so that a clock step cannot stretch or shrink them;
 * timestamps that leave the process (version messages, addr times, the
 * crawler's database) are wall time.  Unit tests replace both with a fake
 * that moves only when told to, so time-dependent logic runs without
 * sleeping. */
#ifndef AGENTCHAIN_CLOCK_H
#define AGENTCHAIN_CLOCK_H

#include <stdint.h>

/* Monotonic time since an arbitrary origin. */
int64_t clock_mono_us(void);
int64_t clock_mono_ms(void);

/* Wall time since the Unix epoch. */
int64_t clock_wall_ms(void);
int64_t clock_wall(void);	/* seconds */

/* Tests: freeze both clocks (wall at WALL_MS, monotonic at an origin of
 * its own) until clock_fake_stop; clock_fake_advance moves both by MS. */
void clock_fake_start(int64_t wall_ms);
void clock_fake_advance(int64_t ms);
void clock_fake_stop(void);

#endif

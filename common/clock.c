/* clock.c -- the process's one clock: monotonic time for intervals, wall time for timestamps. */
#include "clock.h"

#include <stdbool.h>
#include <time.h>

/* The fake is set and read on the loop thread only (tests). */
static bool	fake_on;
static int64_t	fake_wall_us;
static int64_t	fake_mono_us;

static int64_t
clock_read_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
clock_mono_us(void)
{
	return fake_on ? fake_mono_us : clock_read_us(CLOCK_MONOTONIC);
}

int64_t
clock_mono_ms(void)
{
	return clock_mono_us() / 1000;
}

int64_t
clock_wall_ms(void)
{
	return (fake_on ? fake_wall_us : clock_read_us(CLOCK_REALTIME)) / 1000;
}

int64_t
clock_wall(void)
{
	return clock_wall_ms() / 1000;
}

void
clock_fake_start(int64_t wall_ms)
{
	fake_on = true;
	fake_wall_us = wall_ms * 1000;
	/* Far from zero, so that "never happened" (0) stays in the past. */
	fake_mono_us = INT64_C(1000000000000);
}

void
clock_fake_advance(int64_t ms)
{
	fake_wall_us += ms * 1000;
	fake_mono_us += ms * 1000;
}

void
clock_fake_stop(void)
{
	fake_on = false;
}

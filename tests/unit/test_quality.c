/* test_quality.c -- latency EWMA, reliability prior, bandwidth windows and the score (node/quality.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "../../node/quality.h"

#define T0	1000000		/* ms */
#define HOUR	(60 * 60 * 1000)

static void
assert_near(double got, double want, double tol)
{
	if (fabs(got - want) > tol)
		fail_msg("got %.6f, want %.6f +- %g", got, want, tol);
}

static void
test_init(void **state)
{
	struct quality q;
	double h[4];

	(void)state;
	memset(&q, 0x77, sizeof(q));
	quality_init(&q, T0);
	assert_int_equal(quality_latency_count(&q), 0);
	assert_int_equal(quality_latency_history(&q, h, 4), 0);
	assert_near(quality_reliability(&q), 0.5, 1e-12);
	assert_near(quality_rate_in(&q, T0), 0, 0);
	assert_near(quality_rate_out(&q, T0 + 5000), 0, 0);
	assert_int_equal(quality_uptime_ms(&q, T0), 0);
	/* The documented score of a brand-new peer. */
	assert_int_equal(quality_score(&q, T0), 40);
}

static void
test_latency_ewma_min(void **state)
{
	struct quality q;

	(void)state;
	quality_init(&q, T0);
	assert_int_equal(quality_latency_sample(&q, 100), 0);
	/* The first sample initialises the average. */
	assert_near(q.lat_avg, 100, 1e-9);
	assert_near(q.lat_min, 100, 0);
	assert_int_equal(quality_latency_sample(&q, 200), 0);
	assert_near(q.lat_avg, 120, 1e-9);		/* 100 + 0.2 * (200 - 100) */
	assert_int_equal(quality_latency_sample(&q, 50), 0);
	assert_near(q.lat_avg, 106, 1e-9);		/* 120 + 0.2 * (50 - 120) */
	assert_near(q.lat_last, 50, 0);
	assert_near(q.lat_min, 50, 0);
	assert_int_equal(quality_latency_sample(&q, 0.25), 0);
	assert_near(q.lat_min, 0.25, 0);
	assert_int_equal(quality_latency_count(&q), 4);

	/* Nonsense is refused and changes nothing. */
	assert_int_equal(quality_latency_sample(&q, -1), -1);
	assert_int_equal(quality_latency_sample(&q, NAN), -1);
	assert_int_equal(quality_latency_sample(&q, INFINITY), -1);
	assert_int_equal(quality_latency_count(&q), 4);
	assert_near(q.lat_last, 0.25, 0);

	/* A steady latency pulls the average to it. */
	for (int i = 0; i < 100; i++)
		quality_latency_sample(&q, 300);
	assert_near(q.lat_avg, 300, 1e-6);
	assert_near(q.lat_min, 0.25, 0);
}

static void
test_latency_ring(void **state)
{
	struct quality q;
	double h[QUALITY_LAT_HISTORY + 8];
	size_t n;

	(void)state;
	quality_init(&q, T0);
	for (int i = 0; i < 5; i++)
		quality_latency_sample(&q, i);
	n = quality_latency_history(&q, h, sizeof(h) / sizeof(h[0]));
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_near(h[i], (double)i, 0);		/* oldest first */

	for (int i = 5; i < 40; i++)
		quality_latency_sample(&q, i);
	n = quality_latency_history(&q, h, sizeof(h) / sizeof(h[0]));
	assert_int_equal(n, QUALITY_LAT_HISTORY);
	for (size_t i = 0; i < n; i++)
		assert_near(h[i], (double)(40 - QUALITY_LAT_HISTORY + i), 0);
	/* A short buffer gets the newest samples, still oldest first. */
	n = quality_latency_history(&q, h, 3);
	assert_int_equal(n, 3);
	assert_near(h[0], 37, 0);
	assert_near(h[2], 39, 0);
	assert_int_equal(quality_latency_history(&q, h, 0), 0);
}

static void
test_reliability_prior(void **state)
{
	struct quality q;

	(void)state;
	quality_init(&q, T0);
	quality_exchange(&q, true);
	assert_near(quality_reliability(&q), 2.0 / 3.0, 1e-12);
	quality_init(&q, T0);
	quality_exchange(&q, false);
	assert_near(quality_reliability(&q), 1.0 / 3.0, 1e-12);
	/* Never exactly perfect or zero. */
	quality_init(&q, T0);
	for (int i = 0; i < 98; i++)
		quality_exchange(&q, true);
	assert_near(quality_reliability(&q), 99.0 / 100.0, 1e-12);
	quality_init(&q, T0);
	for (int i = 0; i < 998; i++)
		quality_exchange(&q, false);
	assert_near(quality_reliability(&q), 1.0 / 1000.0, 1e-12);
	assert_true(quality_reliability(&q) > 0);
	quality_exchange(&q, true);
	quality_exchange(&q, true);
	assert_near(quality_reliability(&q), 3.0 / 1002.0, 1e-12);
}

static void
test_rate_steady(void **state)
{
	struct quality q;
	int64_t t;

	(void)state;
	quality_init(&q, T0);
	/* 1000 B/s in and 500 B/s out, in 100 ms slices, for 20 s. */
	for (t = T0 + 100; t <= T0 + 20000; t += 100)
		quality_bytes(&q, 100, 50, t);
	assert_near(quality_rate_in(&q, T0 + 20000), 1000, 50);
	assert_near(quality_rate_out(&q, T0 + 20000), 500, 25);
	assert_int_equal(q.total_in, 200 * 100);
	assert_int_equal(q.total_out, 200 * 50);

	/* The window forgets: 5 s of silence halves the rate, 11 s empties it. */
	assert_near(quality_rate_in(&q, T0 + 25000), 500, 50);
	assert_near(quality_rate_in(&q, T0 + 31000), 0, 0);
	assert_near(quality_rate_out(&q, T0 + 31000), 0, 0);
	/* The totals remain. */
	assert_int_equal(q.total_in, 200 * 100);

	/* A bucket reused ten seconds later starts from zero. */
	quality_bytes(&q, 7000, 0, T0 + 40000);
	assert_near(quality_rate_in(&q, T0 + 40999), 7000.0 / 9.999, 1e-6);

	/* Mid-second: 9 full seconds plus 600 bytes over 9.55 s. */
	quality_init(&q, T0);
	for (t = T0 + 100; t <= T0 + 19500; t += 100)
		quality_bytes(&q, 100, 50, t);
	assert_near(quality_rate_in(&q, T0 + 19550), 9600.0 / 9.55, 1e-9);
}

static void
test_rate_new_peer(void **state)
{
	struct quality q;

	(void)state;
	quality_init(&q, T0);
	/* A burst in the first few milliseconds is measured over at least a
	 * second, not extrapolated from 100 ms. */
	quality_bytes(&q, 5000, 100, T0 + 100);
	assert_near(quality_rate_in(&q, T0 + 100), 5000, 1e-9);
	assert_near(quality_rate_out(&q, T0 + 100), 100, 1e-9);
	/* And over the connection's age while that is under the window. */
	assert_near(quality_rate_in(&q, T0 + 2000), 2500, 1e-9);
	assert_near(quality_rate_in(&q, T0 + 4000), 1250, 1e-9);
}

static void
test_rate_clock_backwards(void **state)
{
	struct quality q;

	(void)state;
	quality_init(&q, T0);
	quality_bytes(&q, 1000, 0, T0 + 15500);
	/* T0 + 5500 lands in the same bucket, which already holds a later
	 * second: it counts in the totals but not in the rate. */
	quality_bytes(&q, 9000, 0, T0 + 5500);
	assert_int_equal(q.total_in, 10000);
	assert_near(quality_rate_in(&q, T0 + 15500), 1000.0 / 9.5, 1e-9);
	/* A rate asked for before the bytes were counted ignores them. */
	assert_near(quality_rate_in(&q, T0 + 3000), 0, 0);
}

static void
test_rate_negative_times(void **state)
{
	struct quality q;

	(void)state;
	/* A monotonic clock may start anywhere; seconds are floored. */
	quality_init(&q, -3500);
	quality_bytes(&q, 300, 0, -2500);
	quality_bytes(&q, 300, 0, -1);
	quality_bytes(&q, 300, 0, 0);
	assert_near(quality_rate_in(&q, 500), 900.0 / 4.0, 1e-9);
}

static void
test_uptime(void **state)
{
	struct quality q;

	(void)state;
	quality_init(&q, T0);
	assert_int_equal(quality_uptime_ms(&q, T0 + 5000), 5000);
	assert_int_equal(quality_uptime_ms(&q, T0 - 5000), 0);
}

static void
test_score_formula(void **state)
{
	struct quality q;

	(void)state;
	/* lat 1, rel 0.5, up 1: 100 * (0.4 + 0.2 + 0.2) */
	quality_init(&q, T0);
	quality_latency_sample(&q, 50);
	assert_int_equal(quality_score(&q, T0 + HOUR), 80);
	assert_int_equal(quality_score(&q, T0 + 5 * HOUR), 80);	/* uptime saturates */
	/* lat 0 at 2000 ms and beyond */
	quality_init(&q, T0);
	quality_latency_sample(&q, 2000);
	assert_int_equal(quality_score(&q, T0 + HOUR), 40);
	quality_init(&q, T0);
	quality_latency_sample(&q, 90000);
	assert_int_equal(quality_score(&q, T0 + HOUR), 40);
	/* half way: 1025 ms gives lat 0.5 */
	quality_init(&q, T0);
	quality_latency_sample(&q, 1025);
	assert_int_equal(quality_score(&q, T0 + HOUR), 60);
	/* half an hour of uptime is worth 10 */
	quality_init(&q, T0);
	assert_int_equal(quality_score(&q, T0 + HOUR / 2), 50);
	/* The extremes stay in 0..100. */
	quality_init(&q, T0);
	quality_latency_sample(&q, 1);
	for (int i = 0; i < 2000; i++)
		quality_exchange(&q, true);
	assert_int_equal(quality_score(&q, T0 + 2 * HOUR), 100);
	quality_init(&q, T0);
	quality_latency_sample(&q, 5000);
	for (int i = 0; i < 2000; i++)
		quality_exchange(&q, false);
	assert_int_equal(quality_score(&q, T0), 0);
	assert_int_equal(quality_score(&q, T0 - HOUR), 0);
}

static void
test_score_monotonic_in_latency(void **state)
{
	int prev = 101;

	(void)state;
	for (double ms = 0; ms <= 3000; ms += 5) {
		struct quality q;
		int s;

		quality_init(&q, T0);
		quality_exchange(&q, true);
		quality_exchange(&q, false);
		quality_latency_sample(&q, ms);
		s = quality_score(&q, T0 + HOUR / 3);
		if (s > prev)
			fail_msg("score rose from %d to %d at %.0f ms", prev, s, ms);
		prev = s;
	}
	/* ...and it actually falls across the range. */
	struct quality a, b;
	quality_init(&a, T0);
	quality_init(&b, T0);
	quality_latency_sample(&a, 50);
	quality_latency_sample(&b, 2000);
	assert_int_equal(quality_score(&a, T0) - quality_score(&b, T0), 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_latency_ewma_min),
		cmocka_unit_test(test_latency_ring),
		cmocka_unit_test(test_reliability_prior),
		cmocka_unit_test(test_rate_steady),
		cmocka_unit_test(test_rate_new_peer),
		cmocka_unit_test(test_rate_clock_backwards),
		cmocka_unit_test(test_rate_negative_times),
		cmocka_unit_test(test_uptime),
		cmocka_unit_test(test_score_formula),
		cmocka_unit_test(test_score_monotonic_in_latency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* quality.h -- per-peer link measurements: latency, reliability, bandwidth, uptime (PeerQuality). */
#ifndef AGENTCHAIN_QUALITY_H
#define AGENTCHAIN_QUALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * All times are milliseconds from one monotonic clock, passed in by the
 * caller (tests drive the clock).
 *
 * Latency: the last sample, the minimum, and an exponentially weighted
 * moving average with alpha QUALITY_EWMA_ALPHA (0.2: the newest sample
 * weighs 20 %, so one outlier moves the average but does not own it); the
 * first sample initialises the average.  The last QUALITY_LAT_HISTORY
 * samples are kept for the console's sparkline.
 *
 * Reliability: with S successful and F failed exchanges, (S + 1) /
 * (S + F + 2) -- Laplace's rule, so a new peer stands at 0.5, neither
 * perfect nor worthless, and a few results move it only gradually.
 *
 * Bandwidth: bytes in and out over the last QUALITY_RATE_BUCKETS whole
 * seconds plus the current partial one (1 s buckets).  The rate is the
 * bytes in that window divided by its true length (from the oldest
 * bucket's start, or the connection's start if later, up to now), never
 * less than one second, so a new peer's first burst is not inflated.
 *
 * Score, 0..100:
 *   lat  = 1 at an average <= 50 ms, 0 at >= 2000 ms, linear between;
 *          0.5 while there is no sample
 *   rel  = the reliability ratio above
 *   up   = uptime / 1 h, at most 1
 *   score = round(100 * (0.4 * lat + 0.4 * rel + 0.2 * up))
 * A brand-new peer therefore scores 40.
 */

#define QUALITY_EWMA_ALPHA	0.2
#define QUALITY_LAT_HISTORY	32
#define QUALITY_RATE_BUCKETS	10
#define QUALITY_LAT_GOOD_MS	50.0
#define QUALITY_LAT_BAD_MS	2000.0
#define QUALITY_UPTIME_FULL_MS	(60 * 60 * 1000)

struct quality_bucket {
	int64_t		sec;		/* which second (now_ms / 1000) it holds */
	uint64_t	in;
	uint64_t	out;
};

struct quality {
	int64_t			start_ms;

	double			lat_last;
	double			lat_min;
	double			lat_avg;
	uint64_t		lat_count;
	double			lat_hist[QUALITY_LAT_HISTORY];
	unsigned		lat_head;	/* next slot written */

	uint64_t		ok;
	uint64_t		failed;

	struct quality_bucket	buckets[QUALITY_RATE_BUCKETS];
	uint64_t		total_in;
	uint64_t		total_out;
};

/* Reset Q for a peer connected at NOW_MS. */
void quality_init(struct quality *q, int64_t now_ms);

/* One round-trip time in milliseconds.  Negative or non-finite values are
 * ignored (returns -1); otherwise returns 0. */
int quality_latency_sample(struct quality *q, double ms);

/* Up to MAX of the recent latency samples into OUT, oldest first (the
 * order a sparkline is drawn in).  Returns how many. */
size_t quality_latency_history(const struct quality *q, double *out, size_t max);

/* Number of latency samples ever taken; lat_last/min/avg mean nothing
 * while it is zero. */
uint64_t quality_latency_count(const struct quality *q);

/* One exchange: OK for a ping answered in time, false for a ping timed
 * out or a request that failed. */
void quality_exchange(struct quality *q, bool ok);

/* The reliability ratio in (0, 1); 0.5 for a new peer. */
double quality_reliability(const struct quality *q);

/* Account IN bytes received and OUT bytes sent at NOW_MS.  Times are
 * expected not to go backwards; bytes stamped earlier than a bucket's
 * current second are dropped from the rate (not the totals). */
void quality_bytes(struct quality *q, uint64_t in, uint64_t out, int64_t now_ms);

/* Bytes per second received / sent over the window ending at NOW_MS. */
double quality_rate_in(const struct quality *q, int64_t now_ms);
double quality_rate_out(const struct quality *q, int64_t now_ms);

/* Milliseconds since the connection started (0 if NOW_MS is earlier). */
int64_t quality_uptime_ms(const struct quality *q, int64_t now_ms);

/* The combined score documented above, 0..100. */
int quality_score(const struct quality *q, int64_t now_ms);

#endif

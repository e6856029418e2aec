/* quality.c -- per-peer link measurements: latency, reliability, bandwidth, uptime.
 *
 * Everything is a fixed-size struct updated in O(1), so it can live
 * inside every peer without allocation.
 */
#include "quality.h"

#include <math.h>
#include <string.h>

void
quality_init(struct quality *q, int64_t now_ms)
{
	memset(q, 0, sizeof(*q));
	q->start_ms = now_ms;
	/* No bucket may look current before anything was counted in it. */
	for (int i = 0; i < QUALITY_RATE_BUCKETS; i++)
		q->buckets[i].sec = INT64_MIN;
}

int
quality_latency_sample(struct quality *q, double ms)
{
	if (!isfinite(ms) || ms < 0)
		return -1;
	q->lat_last = ms;
	if (q->lat_count == 0) {
		q->lat_min = ms;
		q->lat_avg = ms;
	} else {
		if (ms < q->lat_min)
			q->lat_min = ms;
		q->lat_avg += QUALITY_EWMA_ALPHA * (ms - q->lat_avg);
	}
	q->lat_count++;
	q->lat_hist[q->lat_head] = ms;
	q->lat_head = (q->lat_head + 1) % QUALITY_LAT_HISTORY;
	return 0;
}

size_t
quality_latency_history(const struct quality *q, double *out, size_t max)
{
	size_t have = q->lat_count < QUALITY_LAT_HISTORY ? (size_t)q->lat_count :
	    QUALITY_LAT_HISTORY;
	size_t n = have < max ? have : max;
	/* The oldest of the N newest samples. */
	unsigned first = (q->lat_head + QUALITY_LAT_HISTORY - (unsigned)n) %
	    QUALITY_LAT_HISTORY;

	for (size_t i = 0; i < n; i++)
		out[i] = q->lat_hist[(first + i) % QUALITY_LAT_HISTORY];
	return n;
}

uint64_t
quality_latency_count(const struct quality *q)
{
	return q->lat_count;
}

void
quality_exchange(struct quality *q, bool ok)
{
	if (ok)
		q->ok++;
	else
		q->failed++;
}

double
quality_reliability(const struct quality *q)
{
	return ((double)q->ok + 1.0) / ((double)q->ok + (double)q->failed + 2.0);
}

/* Floor division, so that times before the epoch still map to the second
 * that contains them. */
static int64_t
quality_sec(int64_t ms)
{
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

static size_t
quality_slot(int64_t sec)
{
	int64_t m = sec % QUALITY_RATE_BUCKETS;

	return (size_t)(m < 0 ? m + QUALITY_RATE_BUCKETS : m);
}

void
quality_bytes(struct quality *q, uint64_t in, uint64_t out, int64_t now_ms)
{
	int64_t sec = quality_sec(now_ms);
	struct quality_bucket *b = &q->buckets[quality_slot(sec)];

	q->total_in += in;
	q->total_out += out;
	if (b->sec > sec)
		return;
	if (b->sec != sec) {
		b->sec = sec;
		b->in = b->out = 0;
	}
	b->in += in;
	b->out += out;
}

static double
quality_rate(const struct quality *q, int64_t now_ms, bool in)
{
	int64_t sec = quality_sec(now_ms);
	int64_t oldest = sec - (QUALITY_RATE_BUCKETS - 1);
	int64_t from_ms = oldest * 1000, span;
	uint64_t sum = 0;

	for (int i = 0; i < QUALITY_RATE_BUCKETS; i++) {
		const struct quality_bucket *b = &q->buckets[i];
		if (b->sec >= oldest && b->sec <= sec)
			sum += in ? b->in : b->out;
	}
	if (q->start_ms > from_ms)
		from_ms = q->start_ms;
	span = now_ms - from_ms;
	if (span < 1000)
		span = 1000;
	return (double)sum * 1000.0 / (double)span;
}

double
quality_rate_in(const struct quality *q, int64_t now_ms)
{
	return quality_rate(q, now_ms, true);
}

double
quality_rate_out(const struct quality *q, int64_t now_ms)
{
	return quality_rate(q, now_ms, false);
}

int64_t
quality_uptime_ms(const struct quality *q, int64_t now_ms)
{
	return now_ms > q->start_ms ? now_ms - q->start_ms : 0;
}

int
quality_score(const struct quality *q, int64_t now_ms)
{
	double lat, up, s;

	if (q->lat_count == 0)
		lat = 0.5;
	else if (q->lat_avg <= QUALITY_LAT_GOOD_MS)
		lat = 1.0;
	else if (q->lat_avg >= QUALITY_LAT_BAD_MS)
		lat = 0.0;
	else
		lat = (QUALITY_LAT_BAD_MS - q->lat_avg) /
		    (QUALITY_LAT_BAD_MS - QUALITY_LAT_GOOD_MS);
	up = (double)quality_uptime_ms(q, now_ms) / QUALITY_UPTIME_FULL_MS;
	if (up > 1.0)
		up = 1.0;
	s = 100.0 * (0.4 * lat + 0.4 * quality_reliability(q) + 0.2 * up);
	return (int)lround(s);
}

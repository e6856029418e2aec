/* health.c -- the NetworkHealth score shared by agentnode and agentcrawl.
 * The formula is documented in health.h, the only place it is defined. */
#include "health.h"

#include <math.h>

static double
clamp01(double v)
{
	return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

int
health_score(const struct health_input *in)
{
	double c, l, d, r;

	if (in->active == 0)
		return 0;	/* nothing to be healthy about */
	c = in->target == 0 ? (in->active > 0 ? 1.0 : 0.0) :
	    clamp01((double)in->active / (double)in->target);
	if (in->avg_latency_ms < 0)
		l = 0.5;
	else
		l = clamp01((2000.0 - in->avg_latency_ms) / 1900.0);
	d = in->active == 0 ? 0.0 : clamp01((double)in->netgroups / (double)in->active);
	r = clamp01(in->reliability);
	return (int)lround(100.0 * (0.40 * c + 0.25 * l + 0.20 * d + 0.15 * r));
}

/* health.c -- the 0..100 health score, and the network's health over a crawl database.
 * The formula and both figures are documented in health.h, the only place
 * they are defined. */
#include "health.h"

#include <math.h>
#include <stdlib.h>

#include "chainparams.h"
#include "crawldb.h"
#include "goodnode.h"
#include "map.h"
#include "netaddr.h"
#include "xmalloc.h"

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

struct health_net {
	unsigned long	 total, active, probed, latency_n;
	double		 latency_sum, uptime_sum;
	struct map	*groups;	/* netgroup key -> itself (a set) */
};

struct health_net *
health_net_new(void)
{
	struct health_net *h = xcalloc(1, sizeof(*h));

	h->groups = map_new();
	return h;
}

void
health_net_free(struct health_net *h)
{
	if (h == NULL)
		return;
	map_free(h->groups);
	free(h);
}

void
health_net_add(struct health_net *h, const struct crawldb_node *n)
{
	const struct chainparams *cp;
	uint8_t group[NETADDR_GROUPLEN];

	h->total++;
	if (n->attempts > 0) {
		h->probed++;
		h->uptime_sum += goodnode_uptime(n, CRAWLDB_W1D);
	}
	if (!goodnode_reachable(n))
		return;
	h->active++;
	if (n->handshake_ms >= 0) {
		h->latency_sum += n->handshake_ms;
		h->latency_n++;
	}
	cp = chainparams_by_name(n->network);
	netaddr_netgroup_policy(&n->addr, cp != NULL && cp->allow_private, group);
	map_put(h->groups, group, sizeof(group), h);
}

int
health_net_score(const struct health_net *h, struct health_input *in)
{
	struct health_input hi;

	hi.active = (unsigned)h->active;
	hi.target = (unsigned)h->total;
	hi.avg_latency_ms = h->latency_n > 0 ? h->latency_sum / (double)h->latency_n : -1;
	hi.netgroups = (unsigned)map_count(h->groups);
	hi.reliability = h->probed > 0 ? h->uptime_sum / (double)h->probed : 0;
	if (in != NULL)
		*in = hi;
	return health_score(&hi);
}

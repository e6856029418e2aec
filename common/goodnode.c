/* goodnode.c -- the "good (seedable) node" rule and the decaying reliability windows. */
#include <math.h>
#include <string.h>

#include "goodnode.h"
#include "msg.h"
#include "netaddr.h"

/* Mainnet seconds of each window (bitcoin-seeder: 2 h, 8 h, 1 d, 1 w, 1 m). */
static const double window_tau[CRAWLDB_WINDOWS] = {
	2 * 3600.0, 8 * 3600.0, 24 * 3600.0, 7 * 24 * 3600.0, 30 * 24 * 3600.0,
};

/* The reliability rule, one row per window: rate above, with more tries than. */
static const struct {
	double	rate;
	double	tries;
} window_rule[CRAWLDB_WINDOWS] = {
	{ 0.85, 2 }, { 0.70, 4 }, { 0.55, 8 }, { 0.45, 16 }, { 0.35, 32 },
};

#define REGTEST_TIME_SCALE	(1.0 / 720.0)
#define MIN_RETRY		1000	/* bitcoin-seeder MIN_RETRY */
#define BAD_PROTOCOL_BAN	100000	/* bitcoin-seeder: invalid header -> ban 100000 s */

void
goodnode_policy_init(struct goodnode_policy *p, const struct chainparams *params)
{
	int	i;

	memset(p, 0, sizeof(*p));
	p->port = params->p2p_port;
	p->allow_private = params->allow_private;
	p->required_services = NODE_NETWORK;
	p->min_version = PROTO_MIN_VERSION;
	p->min_height = 0;
	p->time_scale = params->id == NET_REGTEST ? REGTEST_TIME_SCALE : 1.0;
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		p->tau[i] = window_tau[i] * p->time_scale;
	p->min_retry = goodnode_scale(p, MIN_RETRY);
	p->bad_protocol_ban = goodnode_scale(p, BAD_PROTOCOL_BAN);
}

int64_t
goodnode_scale(const struct goodnode_policy *p, int64_t seconds)
{
	double	v;

	v = ceil((double)seconds * p->time_scale);
	return v < 1 ? 1 : (int64_t)v;
}

bool
goodnode_is_good_policy(const struct crawldb_node *n,
    const struct goodnode_policy *p, int64_t now, const char **why_not)
{
	const char	*why;
	int		 i;

	if (n->addr.port != p->port)
		why = "wrong port";
	else if (!netaddr_is_valid_peer(&n->addr, p->allow_private))
		why = "not routable";
	else if (n->version == 0)
		why = "never handshaked";
	else if ((n->services & p->required_services) != p->required_services)
		why = "missing services";
	else if (n->version < p->min_version)
		why = "old version";
	else if (p->min_height > 0 && n->height < p->min_height)
		why = "height too low";
	else if (n->banned_until > now)
		why = "banned";
	else {
		/* A newcomer is given the benefit of the doubt for three tries. */
		if (n->attempts <= 3 && 2 * (uint64_t)n->successes >= n->attempts)
			return true;
		for (i = 0; i < CRAWLDB_WINDOWS; i++) {
			if (n->reliability[i] > window_rule[i].rate &&
			    n->weight[i] > window_rule[i].tries)
				return true;
		}
		why = "unreliable";
	}
	if (why_not != NULL)
		*why_not = why;
	return false;
}

bool
goodnode_is_good(const struct crawldb_node *n, const struct chainparams *params,
    int64_t now, const char **why_not)
{
	struct goodnode_policy	p;

	goodnode_policy_init(&p, params);
	return goodnode_is_good_policy(n, &p, now, why_not);
}

void
goodnode_record_probe(struct crawldb_node *n, const struct goodnode_policy *p,
    bool success, int64_t now)
{
	double	age, f;
	int	i;

	/* bitcoin-seeder counts a first probe as MIN_RETRY old; a clock that
	 * went backwards counts as no time at all. */
	if (n->last_try == 0)
		age = (double)p->min_retry;
	else
		age = now > n->last_try ? (double)(now - n->last_try) : 0.0;
	for (i = 0; i < CRAWLDB_WINDOWS; i++) {
		f = exp(-age / p->tau[i]);
		n->reliability[i] = n->reliability[i] * f + (success ? 1.0 - f : 0.0);
		n->weight[i] = n->weight[i] * f + 1.0;
		n->coverage[i] = n->coverage[i] * f + (1.0 - f);
	}
	n->last_try = now;
	if (n->attempts < UINT32_MAX)
		n->attempts++;
	if (success) {
		if (n->successes < UINT32_MAX)
			n->successes++;
		n->last_success = now;
		if (now > n->last_seen)
			n->last_seen = now;
		n->fail_streak = 0;
	} else if (n->fail_streak < UINT32_MAX)
		n->fail_streak++;
}

int64_t
goodnode_ignore_for(const struct crawldb_node *n, const struct goodnode_policy *p)
{
	/* bitcoin-seeder CAddrInfo ban and ignore thresholds on the optimistic
	 * rate, longest window first. */
	static const struct {
		int	w;
		double	tries, rate;
		int64_t	secs;
	} rules[] = {
		{ CRAWLDB_W1M, 32, 0.15, 30 * 86400 },	/* ban */
		{ CRAWLDB_W1W, 16, 0.10, 7 * 86400 },
		{ CRAWLDB_W1D, 8, 0.05, 86400 },
		{ CRAWLDB_W1M, 32, 0.20, 10 * 86400 },	/* ignore */
		{ CRAWLDB_W1W, 16, 0.16, 3 * 86400 },
		{ CRAWLDB_W1D, 8, 0.12, 8 * 3600 },
		{ CRAWLDB_W8H, 4, 0.08, 2 * 3600 },
	};
	size_t	i;
	int	w;

	if (n->fail_streak == 0)
		return 0;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		w = rules[i].w;
		if (n->weight[w] > rules[i].tries &&
		    n->reliability[w] - n->coverage[w] + 1.0 < rules[i].rate)
			return goodnode_scale(p, rules[i].secs);
	}
	return 0;
}

double
goodnode_uptime(const struct crawldb_node *n, int w)
{
	double	u;

	if (w < 0 || w >= CRAWLDB_WINDOWS || n->coverage[w] <= 0)
		return 0;
	u = n->reliability[w] / n->coverage[w];
	return u < 0 ? 0 : u > 1 ? 1 : u;
}

bool
goodnode_reachable(const struct crawldb_node *n)
{
	return n->last_success != 0 && n->last_success == n->last_try;
}

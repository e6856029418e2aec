/* goodnode.h -- the one "good (seedable) node" rule and the reliability windows, shared by crawler and seeder. */
#ifndef AGENTCHAIN_GOODNODE_H
#define AGENTCHAIN_GOODNODE_H

#include <stdbool.h>
#include <stdint.h>

#include "chainparams.h"
#include "crawlrec.h"

/*
 * Reliability (bitcoin-seeder db.h CAddrStat).  Every probe of a node
 * updates five windows with time constants tau = 2 h, 8 h, 1 d, 1 w and
 * 1 month (30 d).  With AGE the seconds since the previous probe (the first
 * probe counts as min_retry seconds old) and f = exp(-AGE / tau):
 *     reliability = reliability * f + (success ? 1 - f : 0)
 *     weight      = weight * f + 1          (decayed number of tries)
 *     coverage    = coverage * f + (1 - f)
 *
 * A node is GOOD (may be handed out by the DNS seeder) when all of:
 *   - it is on the network's default P2P port,
 *   - it is a valid peer address for the network (routable; regtest also
 *     takes loopback and private addresses),
 *   - it advertises the required services (NODE_NETWORK),
 *   - its protocol version is >= min_version (PROTO_MIN_VERSION) and,
 *     when min_height > 0, its VERIFIED height (crawlrec.h: the headers it
 *     served on the crawler's most-work chain, not its version's claim)
 *     >= min_height: a node that proved nothing (-1) then is not good,
 *   - we do not ban it (banned_until <= now: it sent garbage or floods),
 *   - and it is reliable enough in some window (bitcoin-seeder's rule):
 *       a newcomer: attempts <= 3 and 2 * successes >= attempts, or
 *       2 h  reliability > 0.85 with weight > 2,
 *       8 h  reliability > 0.70 with weight > 4,
 *       1 d  reliability > 0.55 with weight > 8,
 *       1 w  reliability > 0.45 with weight > 16,
 *       1 mo reliability > 0.35 with weight > 32.
 *
 * Regtest scaling.  mainnet and testnet use the real time constants and
 * intervals (time_scale 1).  On regtest time runs 720 times faster
 * (time_scale 1/720): the windows become 10 s, 40 s, 2 min, 14 min and
 * 1 h, min_retry 1000 s becomes 2 s, and every crawler interval derived
 * from the policy shrinks the same way, while the percentages and try
 * counts stay as they are.  A fresh loopback network is thus good at once
 * (newcomer rule) and stays good from about its tenth re-check on (2 h
 * window), i.e. within a minute of continuous crawling.  min_height is 0
 * on every network by default (the chain is young; bitcoin-seeder's
 * 350000 is Bitcoin's); `agentcrawl crawl --min-height` stores an override
 * in the database ("min_height.<network>") which crawldb readers apply.
 */

struct goodnode_policy {
	uint16_t	port;			/* required P2P port */
	bool		allow_private;		/* regtest: loopback/private addresses are fine */
	uint64_t	required_services;
	uint32_t	min_version;
	int32_t		min_height;
	double		time_scale;		/* 1, or 1/720 on regtest */
	double		tau[CRAWLDB_WINDOWS];	/* window time constants, seconds (scaled) */
	int64_t		min_retry;		/* seconds between probes of one node (scaled) */
	int64_t		bad_protocol_ban;	/* seconds a protocol violator is ignored (scaled) */
};

/* Fill P with the default policy of PARAMS's network (see above). */
void goodnode_policy_init(struct goodnode_policy *p,
    const struct chainparams *params);

/* Scale an interval given in mainnet seconds by P's time_scale, never below
 * 1 second. */
int64_t goodnode_scale(const struct goodnode_policy *p, int64_t seconds);

/* The good rule with the default policy of PARAMS at NOW.  When it says
 * no and WHY_NOT is not NULL, *WHY_NOT points to a static phrase naming
 * the first failed condition ("wrong port", "unreliable", ...). */
bool goodnode_is_good(const struct crawldb_node *n,
    const struct chainparams *params, int64_t now, const char **why_not);

/* The same with an explicit policy P (e.g. with a min_height override). */
bool goodnode_is_good_policy(const struct crawldb_node *n,
    const struct goodnode_policy *p, int64_t now, const char **why_not);

/* Record one probe of N at NOW: update the five windows as above (AGE from
 * N->last_try), attempts, successes, last_try, fail_streak and, on
 * success, last_success and last_seen.  The caller sets last_error and the
 * peer fields. */
void goodnode_record_probe(struct crawldb_node *n,
    const struct goodnode_policy *p, bool success, int64_t now);

/* The success rate of N's probes in window W (CRAWLDB_W2H..CRAWLDB_W1M),
 * recent probes weighing more: reliability / coverage, 0..1; 0 when the
 * window holds no probe yet.  For display ("uptime"); the good rule uses
 * the raw reliability, as bitcoin-seeder does. */
double goodnode_uptime(const struct crawldb_node *n, int w);

/* Is N reachable now, i.e. did its latest probe succeed?  (Reachable is
 * not good: the good rule asks for more.) */
bool goodnode_reachable(const struct crawldb_node *n);

/* bitcoin-seeder's ban/ignore verdict for a node that keeps failing:
 * the seconds (scaled by P) during which it need not be probed, or 0.
 * Uses the optimistic rate reliability - coverage + 1 per window. */
int64_t goodnode_ignore_for(const struct crawldb_node *n,
    const struct goodnode_policy *p);

#endif

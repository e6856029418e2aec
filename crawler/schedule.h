/* schedule.h -- when to probe each node again, and how: liveness re-checks, discovery passes, backoff, forgetting. */
#ifndef AGENTCRAWL_SCHEDULE_H
#define AGENTCRAWL_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "crawldb.h"
#include "goodnode.h"

/*
 * Two loops with their own pace, as bitnodes (crawl vs ping) and
 * bitcoin-seeder (getaddr only once a day) keep them:
 *   - liveness: connect + handshake, then disconnect; feeds the
 *     reliability windows.  A node whose last probe succeeded is probed
 *     again after recheck (1000 s, bitcoin-seeder's MIN_RETRY); one that
 *     failed after backoff_base * 2^(failures-1), at most backoff_max, or
 *     longer when bitcoin-seeder's ignore/ban thresholds say so.
 *   - discovery: the same plus getaddr and an addr window, at most once
 *     per discovery interval (6 h: node answers are cached for hours).
 * A node that never answered after forget_tries probes, or whose last
 * success (or first sighting) is older than forget_after, is forgotten.
 * Every interval is given in mainnet seconds and scaled by the policy's
 * time_scale (regtest: 1/720).
 */

enum sched_kind {
	SCHED_LIVENESS = 0,
	SCHED_DISCOVERY,
};

struct sched_params {
	int64_t		recheck;	/* after a success */
	int64_t		backoff_base;	/* after the first failure */
	int64_t		backoff_max;
	int64_t		discovery;	/* between two getaddr passes of a node */
	int64_t		forget_after;	/* without a success */
	uint32_t	forget_tries;	/* never reached after this many probes */
	int64_t		reseed;		/* re-resolve DNS seeds this often */
	double		jitter;		/* intervals stretched by up to this share */
};

/* Fill S from the scaled policy P. */
void schedule_init(struct sched_params *s, const struct goodnode_policy *p);

/* The unix time at which N should be probed next.  A node never tried is
 * due at once (0).  RND01 in [0, 1) spreads the intervals (jitter) so
 * that nodes found together do not stay in lock-step. */
int64_t schedule_next_due(const struct sched_params *s,
    const struct goodnode_policy *p, const struct crawldb_node *n,
    double rnd01);

/* The backoff after N's current run of failures (0 when it has none). */
int64_t schedule_backoff(const struct sched_params *s,
    const struct goodnode_policy *p, const struct crawldb_node *n);

/* Liveness or discovery, for a probe of N starting at NOW. */
enum sched_kind schedule_kind(const struct sched_params *s,
    const struct crawldb_node *n, int64_t now);

/* Should N be dropped from the database at NOW? */
bool schedule_should_forget(const struct sched_params *s,
    const struct crawldb_node *n, int64_t now);

#endif

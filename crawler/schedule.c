/* schedule.c -- re-check intervals, backoff for dead nodes, discovery pace and forgetting. */
#include "schedule.h"

#define RECHECK		1000		/* bitcoin-seeder MIN_RETRY */
#define BACKOFF_BASE	1000
#define BACKOFF_MAX	(24 * 3600)
#define DISCOVERY	(6 * 3600)	/* bitnodes caches answers 1-6 h */
#define FORGET_AFTER	(30 * 24 * 3600)
#define FORGET_TRIES	10		/* dnsseedrs: never seen after > 10 tries */
#define RESEED		(30 * 60)	/* bitcoin-seeder ThreadSeeder */

void
schedule_init(struct sched_params *s, const struct goodnode_policy *p)
{
	s->recheck = goodnode_scale(p, RECHECK);
	s->backoff_base = goodnode_scale(p, BACKOFF_BASE);
	s->backoff_max = goodnode_scale(p, BACKOFF_MAX);
	s->discovery = goodnode_scale(p, DISCOVERY);
	s->forget_after = goodnode_scale(p, FORGET_AFTER);
	s->forget_tries = FORGET_TRIES;
	s->reseed = goodnode_scale(p, RESEED);
	s->jitter = 0.1;
}

int64_t
schedule_backoff(const struct sched_params *s, const struct goodnode_policy *p,
    const struct crawldb_node *n)
{
	int64_t		b, ignore;
	uint32_t	k;

	if (n->fail_streak == 0)
		return 0;
	b = s->backoff_base;
	for (k = 1; k < n->fail_streak && b < s->backoff_max; k++)
		b *= 2;
	if (b > s->backoff_max)
		b = s->backoff_max;
	/* A node bitcoin-seeder would ban or ignore waits at least that long. */
	ignore = goodnode_ignore_for(n, p);
	return ignore > b ? ignore : b;
}

int64_t
schedule_next_due(const struct sched_params *s, const struct goodnode_policy *p,
    const struct crawldb_node *n, double rnd01)
{
	int64_t	wait, due;

	if (n->last_try == 0)
		due = 0;
	else {
		wait = n->fail_streak == 0 ? s->recheck :
		    schedule_backoff(s, p, n);
		if (wait < p->min_retry)
			wait = p->min_retry;
		due = n->last_try + wait + (int64_t)((double)wait * s->jitter *
		    (rnd01 < 0 ? 0 : rnd01 >= 1 ? 0.999999 : rnd01));
	}
	if (n->banned_until > due)
		due = n->banned_until;
	return due;
}

enum sched_kind
schedule_kind(const struct sched_params *s, const struct crawldb_node *n,
    int64_t now)
{
	if (n->last_getaddr == 0 || now - n->last_getaddr >= s->discovery)
		return SCHED_DISCOVERY;
	return SCHED_LIVENESS;
}

bool
schedule_should_forget(const struct sched_params *s,
    const struct crawldb_node *n, int64_t now)
{
	int64_t	since;

	if (n->last_success == 0 && n->attempts >= s->forget_tries)
		return true;
	since = n->last_success != 0 ? n->last_success : n->first_seen;
	return n->attempts > 0 && since > 0 && now - since > s->forget_after;
}

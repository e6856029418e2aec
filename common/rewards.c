/* rewards.c -- the daily rewards ledger as pure computation: observations in, scores, anti-gaming verdicts and an integer budget split out.
 *
 * The steps (docs/REWARDS.md says the same for operators):
 *   1. every address is owned by the identity that proved it first (one
 *      identity per address and port: a later claimant gets nothing there);
 *   2. each identity is measured at its home address, the owned address
 *      where it answered most visits that day (so one key at many
 *      addresses earns once);
 *   3. uptime, storage and relay scores in ppm, the total weighted 50/30/20;
 *   4. probation and the minimum of successful checks exclude identities;
 *   5. the best scores win the per-ASN and per-/16 places;
 *   6. each pool is split in proportion to the scores, rounding down. */
#include "rewards.h"

#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "strutil.h"
#include "xmalloc.h"

#define REWARDS_WHY_ZERO	"zero score"

struct group_count {
	uint8_t		key[NETADDR_GROUPLEN];
	uint32_t	asn;
	uint32_t	n;
};

int64_t
rewards_revisit_interval(int64_t prev, int64_t lo, int64_t hi)
{
	int64_t	next;

	if (prev <= 0)
		return lo;
	next = prev + prev / 5;		/* 1.2x, integer */
	if (next == prev)
		next = prev + 1;
	if (next < lo)
		next = lo;
	if (next > hi)
		next = hi;
	return next;
}

uint64_t
rewards_muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	if (c == 0)
		return 0;
	return (uint64_t)((unsigned __int128)a * b / c);
}

static int
visit_cmp(const void *x, const void *y)
{
	const struct rewards_visit	*a = x, *b = y;
	int				 c;

	if ((c = netaddr_cmp(&a->addr, &b->addr)) != 0)
		return c;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->ok != b->ok)
		return a->ok ? 1 : -1;
	return strcmp(a->identity, b->identity);
}

static int
i64_cmp(const void *x, const void *y)
{
	int64_t	a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

static bool
in_day(const struct rewards_params *p, int64_t ts)
{
	return ts >= p->day_start && ts < p->day_end;
}

/* Seconds of the day the crawler was watching at all: gaps between any
 * two consecutive visits no longer than max_gap.  A crawler outage costs
 * nobody uptime. */
static int64_t
observed_seconds(const struct rewards_visit *v, size_t n,
    const struct rewards_params *p)
{
	int64_t	*ts, total = 0;
	size_t	 i, m = 0;

	if (n == 0)
		return 0;
	ts = xreallocarray(NULL, n, sizeof(*ts));
	for (i = 0; i < n; i++)
		if (in_day(p, v[i].ts))
			ts[m++] = v[i].ts;
	qsort(ts, m, sizeof(*ts), i64_cmp);
	for (i = 1; i < m; i++)
		if (ts[i] - ts[i - 1] <= p->max_gap)
			total += ts[i] - ts[i - 1];
	free(ts);
	return total;
}

struct check_acc {
	uint32_t	ok, wrong, missing;
};

struct relay_acc {
	uint32_t	sent;
	int64_t		*delays;	/* of the announced ones */
	size_t		 ndelays;
};

/* Look-ups of one computation, so that it stays O(n log n) in the
 * number of observations: entries by identity, address facts, storage
 * checks by address, relay probes by identity. */
struct index {
	struct map		*entries;	/* identity -> entry index + 1 */
	bool			*proven;	/* per entry: proven in the day */
	struct map		*infos;		/* netaddr -> const rewards_addr_info * */
	struct map		*checks;	/* netaddr -> struct check_acc * */
	struct check_acc	*check_accs;
	struct map		*relays;	/* identity -> struct relay_acc * */
	struct relay_acc	*relay_accs;
	size_t			 nrelay_accs;
};

static struct rewards_entry *
entry_of(struct rewards_ledger *l, const struct index *ix, const char *identity)
{
	uintptr_t	i = (uintptr_t)map_get(ix->entries, identity, strlen(identity));

	return i == 0 ? NULL : &l->entries[i - 1];
}

static struct rewards_entry *
entry_add(struct rewards_ledger *l, struct index *ix, const char *identity)
{
	struct rewards_entry	*e;

	l->entries = xreallocarray(l->entries, l->nentries + 1, sizeof(*e));
	ix->proven = xreallocarray(ix->proven, l->nentries + 1, sizeof(*ix->proven));
	ix->proven[l->nentries] = false;
	e = &l->entries[l->nentries++];
	memset(e, 0, sizeof(*e));
	str_copy(e->identity, identity, sizeof(e->identity));
	e->first_seen = INT64_MAX;
	e->verified_height = -1;
	e->median_delay_ms = -1;
	e->excluded = "";
	map_put(ix->entries, e->identity, strlen(e->identity),
	    (void *)(uintptr_t)l->nentries);
	return e;
}

/* Uptime of the visits V[0..N) of one address (sorted by time) for ID. */
struct uptime {
	uint32_t	sessions, ok, failed;
	int64_t		up;
};

static void
measure_uptime(const struct rewards_visit *v, size_t n, const char *id,
    const struct rewards_params *p, struct uptime *u)
{
	const struct rewards_visit	*prev = NULL;
	bool				 prev_up = false, up;
	size_t				 i;

	memset(u, 0, sizeof(*u));
	for (i = 0; i < n; i++) {
		if (!in_day(p, v[i].ts))
			continue;
		up = v[i].ok && strcmp(v[i].identity, id) == 0;
		if (!v[i].ok)
			u->failed++;
		else if (up)
			u->ok++;
		else
			continue;	/* another identity's proof: not ours to judge */
		if (up && (!prev_up || v[i].ts - prev->ts > p->max_gap))
			u->sessions++;
		if (up && prev_up && v[i].ts - prev->ts <= p->max_gap)
			u->up += v[i].ts - prev->ts;
		prev = &v[i];
		prev_up = up;
	}
}

/* The owner of one address's visits V[0..N) (sorted by time): among the
 * identities proven there in the day, the one that proved it first.  An
 * identity that left the address earlier does not keep it from the next
 * operator; two keys there on the same day do not both earn. */
static const char *
owner_of(const struct rewards_visit *v, size_t n, const struct rewards_params *p)
{
	const char	**day = NULL, *owner = NULL;
	size_t		  i, k, nday = 0;

	for (i = 0; i < n; i++) {
		if (!v[i].ok || !in_day(p, v[i].ts))
			continue;
		for (k = 0; k < nday && strcmp(day[k], v[i].identity) != 0; k++)
			;
		if (k == nday) {
			day = xreallocarray(day, nday + 1, sizeof(*day));
			day[nday++] = v[i].identity;
		}
	}
	for (i = 0; i < n && owner == NULL; i++) {
		if (!v[i].ok)
			continue;
		for (k = 0; k < nday; k++)
			if (strcmp(day[k], v[i].identity) == 0)
				owner = v[i].identity;
	}
	free(day);
	return owner;
}

/* Pass 1: an entry per identity ever proven (first_seen), marked proven
 * when it was in the day; then each address's run of visits (sorted by
 * address, then time) is measured for its owner (owner_of), and becomes that identity's home when it beats
 * the one it has (most successful visits; then most uptime; then the
 * lowest address, by the sort).  Identities that proved only addresses
 * owned by others keep REWARDS_WHY_ADDR_TAKEN. */
static void
collect_identities(const struct rewards_visit *v, size_t n,
    const struct rewards_params *p, struct rewards_ledger *l, struct index *ix)
{
	struct rewards_entry	*e;
	struct uptime		 u;
	const char		*owner;
	size_t			 i, j;

	for (i = 0; i < n; i++) {
		if (!v[i].ok || v[i].identity[0] == '\0')
			continue;
		if ((e = entry_of(l, ix, v[i].identity)) == NULL) {
			e = entry_add(l, ix, v[i].identity);
			e->excluded = REWARDS_WHY_ADDR_TAKEN;
		}
		if (v[i].ts < e->first_seen)
			e->first_seen = v[i].ts;
		if (in_day(p, v[i].ts))
			ix->proven[e - l->entries] = true;
	}
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && netaddr_equal(&v[j].addr, &v[i].addr); j++)
			;
		if ((owner = owner_of(v + i, j - i, p)) == NULL)
			continue;
		measure_uptime(v + i, j - i, owner, p, &u);
		if (u.ok == 0 || (e = entry_of(l, ix, owner)) == NULL)
			continue;
		if (e->excluded[0] == '\0' && (u.ok < e->visits_ok ||
		    (u.ok == e->visits_ok && u.up <= e->up_seconds)))
			continue;	/* not better than the home we have */
		e->excluded = "";
		e->addr = v[i].addr;
		e->sessions = u.sessions;
		e->visits_ok = u.ok;
		e->visits_failed = u.failed;
		e->up_seconds = u.up;
	}
}

static void
index_build(struct index *ix, const struct rewards_input *in,
    const struct rewards_params *p)
{
	struct check_acc	*c;
	struct relay_acc	*r;
	size_t			 i, nc = 0, nr = 0;

	memset(ix, 0, sizeof(*ix));
	ix->entries = map_new();
	ix->infos = map_new();
	ix->checks = map_new();
	ix->relays = map_new();
	for (i = 0; i < in->naddrs; i++)
		map_put(ix->infos, &in->addrs[i].addr, sizeof(struct netaddr),
		    (void *)(uintptr_t)&in->addrs[i]);
	/* At most one accumulator per observation: allocated once, so the
	 * pointers in the maps stay put. */
	ix->check_accs = xcalloc(in->nchecks + 1, sizeof(*ix->check_accs));
	for (i = 0; i < in->nchecks; i++) {
		const struct rewards_check *ck = &in->checks[i];

		if (!in_day(p, ck->ts))
			continue;
		if ((c = map_get(ix->checks, &ck->addr, sizeof(ck->addr))) == NULL) {
			c = &ix->check_accs[nc++];
			map_put(ix->checks, &ck->addr, sizeof(ck->addr), c);
		}
		if (ck->result == REWARDS_CHECK_OK)
			c->ok++;
		else if (ck->result == REWARDS_CHECK_WRONG)
			c->wrong++;
		else
			c->missing++;
	}
	ix->relay_accs = xcalloc(in->nprobes + 1, sizeof(*ix->relay_accs));
	for (i = 0; i < in->nprobes; i++) {
		const struct rewards_probe *pr = &in->probes[i];
		size_t len = strlen(pr->identity);

		if (!in_day(p, pr->ts) || len == 0)
			continue;
		if ((r = map_get(ix->relays, pr->identity, len)) == NULL) {
			r = &ix->relay_accs[nr++];
			map_put(ix->relays, pr->identity, len, r);
		}
		r->sent++;
		if (!pr->announced)
			continue;
		r->delays = xreallocarray(r->delays, r->ndelays + 1, sizeof(*r->delays));
		r->delays[r->ndelays++] = pr->delay_ms < 0 ? 0 : (int64_t)pr->delay_ms;
	}
	ix->nrelay_accs = nr;
}

static void
index_free(struct index *ix)
{
	size_t	i;

	for (i = 0; i < ix->nrelay_accs; i++)
		free(ix->relay_accs[i].delays);
	free(ix->relay_accs);
	free(ix->check_accs);
	free(ix->proven);
	map_free(ix->entries);
	map_free(ix->infos);
	map_free(ix->checks);
	map_free(ix->relays);
}

static void
measure_storage(const struct index *ix, struct rewards_entry *e)
{
	const struct rewards_addr_info	*ai;
	const struct check_acc		*c;
	uint32_t			 total;

	if ((ai = map_get(ix->infos, &e->addr, sizeof(e->addr))) != NULL) {
		e->asn = ai->asn;
		e->claimed_height = ai->claimed_height;
		e->verified_height = ai->verified_height;
		if (strcmp(ai->identity, e->identity) == 0)
			str_copy(e->reward_address, ai->reward_address,
			    sizeof(e->reward_address));
	}
	/* A height nobody can check, or one the node cannot serve, is a
	 * claim that earns nothing. */
	e->height_unserved = e->claimed_height > e->verified_height;
	if ((c = map_get(ix->checks, &e->addr, sizeof(e->addr))) != NULL) {
		e->checks_ok = c->ok;
		e->checks_wrong = c->wrong;
		e->checks_missing = c->missing;
	}
	total = e->checks_ok + e->checks_wrong + e->checks_missing;
	/* A wrong block is a lie, not a miss: the day's storage is lost. */
	if (total == 0 || e->height_unserved || e->checks_wrong > 0)
		e->storage_score = 0;
	else
		e->storage_score = (uint32_t)rewards_muldiv(e->checks_ok,
		    REWARDS_PPM, total);
}

static void
measure_relay(const struct index *ix, struct rewards_entry *e)
{
	struct relay_acc	*r;

	r = map_get(ix->relays, e->identity, strlen(e->identity));
	if (r == NULL)
		return;
	e->probes_sent = r->sent;
	e->probes_announced = (uint32_t)r->ndelays;
	if (r->ndelays > 0) {
		qsort(r->delays, r->ndelays, sizeof(*r->delays), i64_cmp);
		/* The lower middle of an even count: an integer, no rounding. */
		e->median_delay_ms = r->delays[(r->ndelays - 1) / 2];
	}
	e->relay_score = (uint32_t)rewards_muldiv(e->probes_announced,
	    REWARDS_PPM, e->probes_sent);
}

static void
score(struct rewards_entry *e, int64_t observed)
{
	uint64_t	up = (uint64_t)(e->up_seconds < 0 ? 0 : e->up_seconds);

	if (observed <= 0)
		e->uptime_score = 0;
	else
		e->uptime_score = (uint32_t)rewards_muldiv(
		    up > (uint64_t)observed ? (uint64_t)observed : up,
		    REWARDS_PPM, (uint64_t)observed);
	e->total_score = (uint32_t)(((uint64_t)e->uptime_score * REWARDS_SHARE_UPTIME +
	    (uint64_t)e->storage_score * REWARDS_SHARE_STORAGE +
	    (uint64_t)e->relay_score * REWARDS_SHARE_RELAY) / 100);
}

/* Best total first; then the older identity; then the smaller key. */
static int
rank_cmp(const void *x, const void *y)
{
	const struct rewards_entry	*a = x, *b = y;

	if (a->rewarded != b->rewarded)
		return a->rewarded ? -1 : 1;
	if (a->total_score != b->total_score)
		return a->total_score > b->total_score ? -1 : 1;
	if (a->first_seen != b->first_seen)
		return a->first_seen < b->first_seen ? -1 : 1;
	return strcmp(a->identity, b->identity);
}

/* Count E in its ASN and /16; false when either is full. */
static bool
take_place(struct group_count **g, size_t *ng, const struct rewards_entry *e,
    const uint8_t key[NETADDR_GROUPLEN], const struct rewards_params *p,
    const char **why)
{
	struct group_count	*asn = NULL, *net = NULL;
	size_t			 i;

	for (i = 0; i < *ng; i++) {
		if ((*g)[i].asn != 0 && (*g)[i].asn == e->asn)
			asn = &(*g)[i];
		if ((*g)[i].asn == 0 && memcmp((*g)[i].key, key, NETADDR_GROUPLEN) == 0)
			net = &(*g)[i];
	}
	/* ASN 0 is "unknown": the /16 cap still holds for it. */
	if (e->asn != 0 && p->max_per_asn > 0 && asn != NULL &&
	    asn->n >= p->max_per_asn) {
		*why = REWARDS_WHY_ASN_CAP;
		return false;
	}
	if (p->max_per_net16 > 0 && net != NULL && net->n >= p->max_per_net16) {
		*why = REWARDS_WHY_NET16_CAP;
		return false;
	}
	if (e->asn != 0 && asn == NULL) {
		*g = xreallocarray(*g, *ng + 1, sizeof(**g));
		asn = &(*g)[(*ng)++];
		memset(asn, 0, sizeof(*asn));
		asn->asn = e->asn;
	}
	if (net == NULL) {
		*g = xreallocarray(*g, *ng + 1, sizeof(**g));
		/* asn may have moved with the array. */
		if (e->asn != 0)
			for (i = 0; i < *ng; i++)
				if ((*g)[i].asn == e->asn)
					asn = &(*g)[i];
		net = &(*g)[(*ng)++];
		memset(net, 0, sizeof(*net));
		memcpy(net->key, key, NETADDR_GROUPLEN);
	}
	if (asn != NULL)
		asn->n++;
	net->n++;
	return true;
}

static void
apply_rules(struct rewards_ledger *l, const struct rewards_params *p)
{
	struct group_count	*g = NULL;
	struct rewards_entry	*e;
	uint8_t			 key[NETADDR_GROUPLEN];
	const char		*why;
	size_t			 i, ng = 0;

	for (i = 0; i < l->nentries; i++) {
		e = &l->entries[i];
		netaddr_netgroup_policy(&e->addr, p->allow_private, key);
		netaddr_netgroup_key_str(key, e->net16, sizeof(e->net16));
		if (e->excluded[0] != '\0')
			continue;
		if (e->first_seen > p->day_end - p->probation)
			e->excluded = REWARDS_WHY_PROBATION;
		else if (e->visits_ok < p->min_checks)
			e->excluded = REWARDS_WHY_MIN_CHECKS;
		else if (e->total_score == 0)
			e->excluded = REWARDS_WHY_ZERO;
		else
			e->rewarded = true;
	}
	qsort(l->entries, l->nentries, sizeof(*l->entries), rank_cmp);
	for (i = 0; i < l->nentries; i++) {
		e = &l->entries[i];
		if (!e->rewarded)
			break;
		netaddr_netgroup_policy(&e->addr, p->allow_private, key);
		if (!take_place(&g, &ng, e, key, p, &why)) {
			e->rewarded = false;
			e->excluded = why;
		}
	}
	free(g);
	qsort(l->entries, l->nentries, sizeof(*l->entries), rank_cmp);
}

enum pool { POOL_UPTIME, POOL_STORAGE, POOL_RELAY };

static uint32_t
pool_score(const struct rewards_entry *e, enum pool k)
{
	return k == POOL_UPTIME ? e->uptime_score :
	    k == POOL_STORAGE ? e->storage_score : e->relay_score;
}

static uint64_t *
pool_reward(struct rewards_entry *e, enum pool k)
{
	return k == POOL_UPTIME ? &e->r_uptime :
	    k == POOL_STORAGE ? &e->r_storage : &e->r_relay;
}

/* Split POOL over the rewarded entries (ranked first) in proportion to
 * their K scores, rounding each share down.  Returns what was handed out;
 * the dust stays undistributed. */
static uint64_t
split(struct rewards_ledger *l, uint64_t pool, enum pool k)
{
	uint64_t	sum = 0, out = 0, r;
	size_t		i;

	for (i = 0; i < l->nentries && l->entries[i].rewarded; i++)
		sum += pool_score(&l->entries[i], k);
	if (sum == 0)
		return 0;
	for (i = 0; i < l->nentries && l->entries[i].rewarded; i++) {
		r = rewards_muldiv(pool, pool_score(&l->entries[i], k), sum);
		*pool_reward(&l->entries[i], k) = r;
		out += r;
	}
	return out;
}

int
rewards_compute(const struct rewards_input *in, const struct rewards_params *p,
    struct rewards_ledger *l)
{
	struct rewards_visit	*v;
	struct rewards_entry	*e;
	struct index		 ix;
	size_t			 i, j;

	memset(l, 0, sizeof(*l));
	index_build(&ix, in, p);
	v = xreallocarray(NULL, in->nvisits + 1, sizeof(*v));
	if (in->nvisits > 0)
		memcpy(v, in->visits, in->nvisits * sizeof(*v));
	qsort(v, in->nvisits, sizeof(*v), visit_cmp);
	l->observed_seconds = observed_seconds(v, in->nvisits, p);
	collect_identities(v, in->nvisits, p, l, &ix);
	/* Only identities proven in the day have a ledger entry. */
	for (i = 0, j = 0; i < l->nentries; i++)
		if (ix.proven[i])
			l->entries[j++] = l->entries[i];
	l->nentries = j;
	for (i = 0; i < l->nentries; i++) {
		e = &l->entries[i];
		if (e->excluded[0] != '\0')
			continue;
		e->observed_seconds = l->observed_seconds;
		measure_storage(&ix, e);
		measure_relay(&ix, e);
		score(e, l->observed_seconds);
	}
	apply_rules(l, p);

	l->pool_uptime = rewards_muldiv(p->budget, REWARDS_SHARE_UPTIME, 100);
	l->pool_storage = rewards_muldiv(p->budget, REWARDS_SHARE_STORAGE, 100);
	l->pool_relay = p->budget - l->pool_uptime - l->pool_storage;
	l->distributed = split(l, l->pool_uptime, POOL_UPTIME) +
	    split(l, l->pool_storage, POOL_STORAGE) +
	    split(l, l->pool_relay, POOL_RELAY);
	for (i = 0; i < l->nentries; i++) {
		e = &l->entries[i];
		e->r_total = e->r_uptime + e->r_storage + e->r_relay;
	}
	index_free(&ix);
	free(v);
	return 0;
}

void
rewards_ledger_free(struct rewards_ledger *l)
{
	free(l->entries);
	memset(l, 0, sizeof(*l));
}

/* test_rewards.c -- the rewards ledger: scores, budget split, every anti-gaming rule, the uptime re-visit rule, reading the crawl DB, signing and verification (common/rewards.c, rewardsdb.c, crawler/ledger.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "chainparams.h"
#include "crawldb.h"
#include "crawldb_sql.h"
#include "hash.h"
#include "netaddr.h"
#include "rewards.h"
#include "rewardsdb.h"
#include "../../crawler/export.h"
#include "ledger.h"
#include "../../crawler/nodetable.h"
#include "../../crawler/observer.h"
#include "../../tui/grid.h"
#include "../../tui/netscan.h"
#include "../../tui/ui_network.h"

#define DAY0	1767225600	/* 2026-01-01T00:00:00Z */
#define DAY	86400

/* A day of observations built by the tests. */
struct fixture {
	struct rewards_visit	 v[4096];
	size_t			 nv;
	struct rewards_check	 c[256];
	size_t			 nc;
	struct rewards_probe	 p[256];
	size_t			 np;
	struct rewards_addr_info a[64];
	size_t			 na;
};

static struct fixture	fx;

static void
addr(const char *s, struct netaddr *a)
{
	assert_int_equal(netaddr_parse(s, 29001, a), 0);
}

/* 64 hex digits made of the digit D. */
static const char *
key(char d)
{
	static char	k[8][65];
	static int	i;
	char		*out = k[i++ % 8];

	memset(out, d, 64);
	out[64] = '\0';
	return out;
}

static void
visit(const char *ip, int64_t ts, bool ok, const char *id)
{
	struct rewards_visit	*v = &fx.v[fx.nv++];

	memset(v, 0, sizeof(*v));
	addr(ip, &v->addr);
	v->ts = ts;
	v->ok = ok;
	if (ok)
		strcpy(v->identity, id);
}

/* N ok visits of ID at IP every STEP seconds from T0. */
static void
visits(const char *ip, const char *id, int64_t t0, int n, int64_t step)
{
	for (int i = 0; i < n; i++)
		visit(ip, t0 + i * step, true, id);
}

static void
check(const char *ip, int64_t ts, enum rewards_check_result r)
{
	struct rewards_check	*c = &fx.c[fx.nc++];

	addr(ip, &c->addr);
	c->ts = ts;
	c->result = r;
}

static void
probe(const char *ip, const char *id, int64_t ts, bool announced, double ms)
{
	struct rewards_probe	*p = &fx.p[fx.np++];

	memset(p, 0, sizeof(*p));
	addr(ip, &p->addr);
	strcpy(p->identity, id);
	p->ts = ts;
	p->announced = announced;
	p->delay_ms = ms;
}

static void
info(const char *ip, const char *id, uint32_t asn, int32_t claimed,
    int32_t verified, const char *raddr)
{
	struct rewards_addr_info	*a = &fx.a[fx.na++];

	memset(a, 0, sizeof(*a));
	addr(ip, &a->addr);
	strcpy(a->identity, id);
	a->asn = asn;
	a->claimed_height = claimed;
	a->verified_height = verified;
	strcpy(a->reward_address, raddr);
}

static void
params(struct rewards_params *p, uint64_t budget)
{
	memset(p, 0, sizeof(*p));
	p->day_start = DAY0;
	p->day_end = DAY0 + DAY;
	p->budget = budget;
	p->probation = 0;
	p->min_checks = 3;
	p->max_gap = 1800;
}

static void
compute(const struct rewards_params *p, struct rewards_ledger *l)
{
	struct rewards_input	in = {
		fx.v, fx.nv, fx.c, fx.nc, fx.p, fx.np, fx.a, fx.na,
	};

	assert_int_equal(rewards_compute(&in, p, l), 0);
}

static const struct rewards_entry *
find(const struct rewards_ledger *l, const char *id)
{
	for (size_t i = 0; i < l->nentries; i++)
		if (strcmp(l->entries[i].identity, id) == 0)
			return &l->entries[i];
	fail_msg("identity %.8s not in the ledger", id);
	return NULL;
}

static int
reset(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	return 0;
}

/* --- the re-visit schedule ------------------------------------------------------ */

static void
test_revisit_interval(void **state)
{
	int64_t	iv = 0, lo, hi;
	int	n;

	(void)state;
	assert_int_equal(rewards_revisit_interval(0, 60, 900), 60);
	assert_int_equal(rewards_revisit_interval(60, 60, 900), 72);
	assert_int_equal(rewards_revisit_interval(72, 60, 900), 86);
	assert_int_equal(rewards_revisit_interval(800, 60, 900), 900);
	assert_int_equal(rewards_revisit_interval(900, 60, 900), 900);
	assert_int_equal(rewards_revisit_interval(5, 60, 900), 60);
	/* From 1 minute to the 15-minute ceiling in 16 steps, never beyond. */
	for (n = 0; n < 100 && iv < 900; n++)
		iv = rewards_revisit_interval(iv, 60, 900);
	assert_int_equal(iv, 900);
	assert_true(n > 10 && n < 20);
	/* Regtest runs 720 times faster; nothing goes below one second. */
	rewardsdb_revisit_bounds(chainparams_get(NET_MAINNET), &lo, &hi);
	assert_int_equal(lo, 60);
	assert_int_equal(hi, 900);
	rewardsdb_revisit_bounds(chainparams_get(NET_REGTEST), &lo, &hi);
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 2);
	assert_int_equal(rewards_revisit_interval(1, 1, 1), 1);
}

/* --- scores and the split ----------------------------------------------------------- */

static void
test_scores_and_split(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l;
	const struct rewards_entry *a, *b;
	uint64_t		sum = 0;

	(void)state;
	/* A: up the whole observed hour, storage 3/4, relays 2/2.
	 * B: up half of it, no storage checks, relays 1 of 2. */
	visits("1.1.0.1", key('a'), DAY0 + 3600, 61, 60);
	visits("2.2.0.1", key('b'), DAY0 + 3600, 31, 60);
	visit("2.2.0.1", DAY0 + 3600 + 31 * 60, false, "");
	for (int i = 0; i < 3; i++)
		check("1.1.0.1", DAY0 + 4000 + i, REWARDS_CHECK_OK);
	check("1.1.0.1", DAY0 + 4100, REWARDS_CHECK_MISSING);
	probe("1.1.0.1", key('a'), DAY0 + 5000, true, 2500);
	probe("1.1.0.1", key('a'), DAY0 + 5100, true, 1500);
	probe("2.2.0.1", key('b'), DAY0 + 5000, true, 9000);
	probe("2.2.0.1", key('b'), DAY0 + 5100, false, 0);
	info("1.1.0.1", key('a'), 100, 50, 50, "agc1qaaa");
	info("2.2.0.1", key('b'), 200, 50, 50, "");
	params(&p, 1000001);
	compute(&p, &l);

	assert_int_equal(l.observed_seconds, 3600);
	a = find(&l, key('a'));
	b = find(&l, key('b'));
	assert_true(a->rewarded && b->rewarded);
	assert_string_equal(a->reward_address, "agc1qaaa");
	assert_int_equal(a->sessions, 1);
	assert_int_equal(a->visits_ok, 61);
	assert_int_equal(a->up_seconds, 3600);
	assert_int_equal(a->uptime_score, 1000000);
	assert_int_equal(b->uptime_score, 500000);
	assert_int_equal(b->visits_failed, 1);
	assert_int_equal(a->checks_ok, 3);
	assert_int_equal(a->checks_missing, 1);
	assert_int_equal(a->storage_score, 750000);
	assert_int_equal(b->storage_score, 0);
	assert_int_equal(a->relay_score, 1000000);
	assert_int_equal(a->median_delay_ms, 1500);
	assert_int_equal(b->relay_score, 500000);
	assert_int_equal(b->median_delay_ms, 9000);
	assert_int_equal(a->total_score, (1000000 * 50 + 750000 * 30 + 1000000 * 20) / 100);
	assert_int_equal(b->total_score, (500000 * 50 + 0 + 500000 * 20) / 100);
	/* Ranked by total; A first. */
	assert_ptr_equal(a, &l.entries[0]);

	/* Pools: floor(50%), floor(30%), the rest; shares rounded down. */
	assert_int_equal(l.pool_uptime, 500000);
	assert_int_equal(l.pool_storage, 300000);
	assert_int_equal(l.pool_relay, 200001);
	assert_int_equal(a->r_uptime, 500000ull * 1000000 / 1500000);
	assert_int_equal(b->r_uptime, 500000ull * 500000 / 1500000);
	assert_int_equal(a->r_storage, 300000);
	assert_int_equal(b->r_storage, 0);
	assert_int_equal(a->r_relay, 200001ull * 1000000 / 1500000);
	for (size_t i = 0; i < l.nentries; i++) {
		assert_int_equal(l.entries[i].r_total, l.entries[i].r_uptime +
		    l.entries[i].r_storage + l.entries[i].r_relay);
		sum += l.entries[i].r_total;
	}
	assert_int_equal(sum, l.distributed);
	assert_true(l.distributed <= p.budget);
	assert_true(p.budget - l.distributed < 3);	/* dust: < 1 unit per pool */
	rewards_ledger_free(&l);
}

static void
test_split_never_exceeds_budget(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l;
	char			ip[32];
	uint64_t		budgets[] = { 0, 1, 7, 999, 1000003, 9007199254740991ull };

	(void)state;
	for (int i = 0; i < 7; i++) {
		snprintf(ip, sizeof(ip), "%d.%d.0.1", 10 + i, 20 + i);
		visits(ip, key((char)('a' + i)), DAY0, 3 + i * 5, 60);
		probe(ip, key((char)('a' + i)), DAY0 + 10, i % 2 == 0, 100);
	}
	for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		params(&p, budgets[b]);
		p.max_gap = 120;
		compute(&p, &l);
		assert_true(l.distributed <= budgets[b]);
		assert_int_equal(l.pool_uptime + l.pool_storage + l.pool_relay,
		    budgets[b]);
		rewards_ledger_free(&l);
	}
}

static void
test_crawler_outage_costs_nobody(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l;

	(void)state;
	/* Visits every minute for an hour, a 5-hour gap (the crawler was
	 * down), another hour: still 100% up, two sessions. */
	visits("1.1.0.1", key('a'), DAY0, 61, 60);
	visits("1.1.0.1", key('a'), DAY0 + 6 * 3600, 61, 60);
	params(&p, 100);
	compute(&p, &l);
	assert_int_equal(l.observed_seconds, 7200);
	assert_int_equal(l.entries[0].up_seconds, 7200);
	assert_int_equal(l.entries[0].uptime_score, 1000000);
	assert_int_equal(l.entries[0].sessions, 2);
	rewards_ledger_free(&l);
}

/* --- anti-gaming rules ----------------------------------------------------------------- */

static void
test_rule_probation(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l;

	(void)state;
	/* A proved itself 4 days ago, B first today. */
	visit("1.1.0.1", DAY0 - 4 * DAY, true, key('a'));
	visits("1.1.0.1", key('a'), DAY0, 10, 60);
	visits("2.2.0.1", key('b'), DAY0, 10, 60);
	params(&p, 1000);
	p.probation = 3 * DAY;
	compute(&p, &l);
	assert_true(find(&l, key('a'))->rewarded);
	assert_false(find(&l, key('b'))->rewarded);
	assert_string_equal(find(&l, key('b'))->excluded, REWARDS_WHY_PROBATION);
	assert_int_equal(find(&l, key('b'))->r_total, 0);
	assert_int_equal(find(&l, key('a'))->first_seen, DAY0 - 4 * DAY);
	rewards_ledger_free(&l);
}

static void
test_rule_min_checks(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l;

	(void)state;
	visits("1.1.0.1", key('a'), DAY0, 5, 60);
	visits("2.2.0.1", key('b'), DAY0, 4, 60);
	params(&p, 1000);
	p.min_checks = 5;
	compute(&p, &l);
	assert_true(find(&l, key('a'))->rewarded);
	assert_string_equal(find(&l, key('b'))->excluded, REWARDS_WHY_MIN_CHECKS);
	assert_int_equal(find(&l, key('b'))->r_total, 0);
	rewards_ledger_free(&l);
}

static void
test_rule_one_identity_per_address(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l;

	(void)state;
	/* A proved 1.1.0.1:29001 first; B shows up at the same address and
	 * port later (a second key behind one node, or a hijack). */
	visits("1.1.0.1", key('a'), DAY0, 10, 60);
	visits("1.1.0.1", key('b'), DAY0 + 30, 10, 60);
	/* C at the same IP on another port is another node. */
	visits("[::ffff:1.1.0.1]:29002", key('c'), DAY0, 10, 60);
	params(&p, 1000);
	compute(&p, &l);
	assert_true(find(&l, key('a'))->rewarded);
	assert_int_equal(find(&l, key('a'))->visits_ok, 10);
	assert_false(find(&l, key('b'))->rewarded);
	assert_string_equal(find(&l, key('b'))->excluded, REWARDS_WHY_ADDR_TAKEN);
	assert_true(find(&l, key('c'))->rewarded);
	rewards_ledger_free(&l);

	/* D held 9.9.0.1 last month and is gone; E runs there today: the
	 * address is E's (ownership is decided among the day's keys). */
	reset(NULL);
	visit("9.9.0.1", DAY0 - 30 * DAY, true, key('d'));
	visits("9.9.0.1", key('e'), DAY0, 10, 60);
	params(&p, 1000);
	compute(&p, &l);
	assert_int_equal(l.nentries, 1);
	assert_true(find(&l, key('e'))->rewarded);
	rewards_ledger_free(&l);
}

static void
test_rule_one_home_per_identity(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l;

	(void)state;
	/* One key at two addresses earns once, measured where it answered
	 * most. */
	visits("1.1.0.1", key('a'), DAY0, 10, 60);
	visits("2.2.0.1", key('a'), DAY0, 20, 60);
	params(&p, 1000);
	compute(&p, &l);
	assert_int_equal(l.nentries, 1);
	assert_int_equal(l.entries[0].visits_ok, 20);
	assert_true(l.entries[0].addr.ip[12] == 2);
	rewards_ledger_free(&l);
}

static void
test_rule_asn_cap(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l;
	char			ip[32];
	int			rewarded = 0;

	(void)state;
	/* Five identities in AS 64500 (distinct /16s), the fifth the best;
	 * one in AS 64501.  With a cap of 3 the best three of 64500 win. */
	for (int i = 0; i < 5; i++) {
		snprintf(ip, sizeof(ip), "%d.1.0.1", 11 + i);
		visits(ip, key((char)('a' + i)), DAY0, 10 + i, 60);
		info(ip, key((char)('a' + i)), 64500, 0, 0, "");
	}
	visits("99.1.0.1", key('z'), DAY0, 10, 60);
	info("99.1.0.1", key('z'), 64501, 0, 0, "");
	params(&p, 1000);
	p.max_per_asn = 3;
	compute(&p, &l);
	for (size_t i = 0; i < l.nentries; i++)
		rewarded += l.entries[i].rewarded;
	assert_int_equal(rewarded, 4);
	assert_true(find(&l, key('e'))->rewarded);
	assert_true(find(&l, key('d'))->rewarded);
	assert_true(find(&l, key('c'))->rewarded);
	assert_string_equal(find(&l, key('b'))->excluded, REWARDS_WHY_ASN_CAP);
	assert_string_equal(find(&l, key('a'))->excluded, REWARDS_WHY_ASN_CAP);
	assert_true(find(&l, key('z'))->rewarded);
	assert_int_equal(find(&l, key('a'))->r_total, 0);
	rewards_ledger_free(&l);

	/* Equal scores: the older identity wins. */
	reset(NULL);
	visit("11.1.0.1", DAY0 - 10 * DAY, true, key('b'));
	visits("11.1.0.1", key('b'), DAY0, 10, 60);
	visits("12.1.0.1", key('a'), DAY0, 10, 60);
	info("11.1.0.1", key('b'), 64500, 0, 0, "");
	info("12.1.0.1", key('a'), 64500, 0, 0, "");
	params(&p, 1000);
	p.max_per_asn = 1;
	compute(&p, &l);
	assert_true(find(&l, key('b'))->rewarded);
	assert_false(find(&l, key('a'))->rewarded);
	rewards_ledger_free(&l);
}

static void
test_rule_net16_cap(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l;

	(void)state;
	/* Three in 5.6.0.0/16 (no ASN known), one elsewhere; cap 2. */
	visits("5.6.0.1", key('a'), DAY0, 12, 60);
	visits("5.6.7.1", key('b'), DAY0, 11, 60);
	visits("5.6.9.9", key('c'), DAY0, 10, 60);
	visits("5.7.0.1", key('d'), DAY0, 10, 60);
	params(&p, 1000);
	p.max_per_net16 = 2;
	compute(&p, &l);
	assert_true(find(&l, key('a'))->rewarded);
	assert_true(find(&l, key('b'))->rewarded);
	assert_string_equal(find(&l, key('c'))->excluded, REWARDS_WHY_NET16_CAP);
	assert_true(find(&l, key('d'))->rewarded);
	assert_string_equal(find(&l, key('a'))->net16, "5.6.0.0/16");
	rewards_ledger_free(&l);
}

static void
test_rule_unserved_height_earns_no_storage(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l;

	(void)state;
	/* A claims 500 but served only 100; B serves what it claims; C
	 * answered a check with a wrong block. */
	visits("1.1.0.1", key('a'), DAY0, 10, 60);
	visits("2.2.0.1", key('b'), DAY0, 10, 60);
	visits("3.3.0.1", key('c'), DAY0, 10, 60);
	info("1.1.0.1", key('a'), 0, 500, 100, "");
	info("2.2.0.1", key('b'), 0, 500, 500, "");
	info("3.3.0.1", key('c'), 0, 500, 500, "");
	for (int i = 0; i < 4; i++) {
		check("1.1.0.1", DAY0 + i, REWARDS_CHECK_OK);
		check("2.2.0.1", DAY0 + i, REWARDS_CHECK_OK);
		check("3.3.0.1", DAY0 + i, REWARDS_CHECK_OK);
	}
	check("3.3.0.1", DAY0 + 9, REWARDS_CHECK_WRONG);
	params(&p, 1000);
	compute(&p, &l);
	assert_true(find(&l, key('a'))->height_unserved);
	assert_int_equal(find(&l, key('a'))->storage_score, 0);
	assert_int_equal(find(&l, key('a'))->r_storage, 0);
	assert_true(find(&l, key('a'))->rewarded);	/* uptime still counts */
	assert_int_equal(find(&l, key('b'))->storage_score, 1000000);
	assert_int_equal(find(&l, key('b'))->r_storage, 300);
	assert_int_equal(find(&l, key('c'))->checks_wrong, 1);
	assert_int_equal(find(&l, key('c'))->storage_score, 0);
	rewards_ledger_free(&l);
}

static void
test_never_relays_gets_no_relay(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l;

	(void)state;
	visits("1.1.0.1", key('a'), DAY0, 10, 60);
	visits("2.2.0.1", key('b'), DAY0, 10, 60);
	for (int i = 0; i < 5; i++) {
		probe("1.1.0.1", key('a'), DAY0 + i, true, 3000);
		probe("2.2.0.1", key('b'), DAY0 + i, false, 0);
	}
	params(&p, 1000);
	compute(&p, &l);
	assert_int_equal(find(&l, key('b'))->probes_sent, 5);
	assert_int_equal(find(&l, key('b'))->relay_score, 0);
	assert_int_equal(find(&l, key('b'))->r_relay, 0);
	assert_int_equal(find(&l, key('b'))->median_delay_ms, -1);
	assert_int_equal(find(&l, key('a'))->r_relay, 200);
	rewards_ledger_free(&l);
}

static void
test_order_independent(void **state)
{
	struct rewards_params	p;
	struct rewards_ledger	l1, l2;
	struct rewards_visit	tmp;

	(void)state;
	visits("1.1.0.1", key('a'), DAY0, 20, 60);
	visits("2.2.0.1", key('b'), DAY0, 20, 60);
	visit("2.2.0.1", DAY0 + 30, false, "");
	params(&p, 777);
	compute(&p, &l1);
	for (size_t i = 0; i < fx.nv / 2; i++) {
		tmp = fx.v[i];
		fx.v[i] = fx.v[fx.nv - 1 - i];
		fx.v[fx.nv - 1 - i] = tmp;
	}
	compute(&p, &l2);
	assert_int_equal(l1.nentries, l2.nentries);
	assert_memory_equal(l1.entries, l2.entries, l1.nentries * sizeof(*l1.entries));
	rewards_ledger_free(&l1);
	rewards_ledger_free(&l2);
}

/* --- signing ------------------------------------------------------------------------------ */

static char	tmpdir[64];

static char *
signed_ledger(size_t *len, unsigned char sk[64])
{
	struct rewards_params	p;
	struct rewards_ledger	l;
	struct ledger_meta	m;
	char			err[256], *buf;
	json_t			*obj;

	visits("1.1.0.1", key('a'), DAY0, 10, 60);
	probe("1.1.0.1", key('a'), DAY0 + 1, true, 2000);
	info("1.1.0.1", key('a'), 64500, 10, 10, "agc1q\"quoted\\");
	params(&p, 1000);
	compute(&p, &l);
	m.network = "regtest";
	m.day = "2026-01-01";
	m.created = DAY0 + DAY;
	m.params = &p;
	obj = ledger_json(&l, &m);
	assert_non_null(obj);
	rewards_ledger_free(&l);
	assert_int_equal(ledger_sign(obj, sk, &buf, len, err, sizeof(err)), 0);
	json_decref(obj);
	return buf;
}

static void
test_sign_verify_every_byte(void **state)
{
	unsigned char	sk[64];
	char		path[128], err[256], pk[65], *buf;
	size_t		len, i;
	struct stat	sb;
	unsigned char	sk2[64];

	(void)state;
	assert_int_equal(hash_init(), 0);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_rewards.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/ledger.key", tmpdir);
	/* Made on first use, 0600; the same key on the next. */
	assert_int_equal(ledger_load_key(path, sk, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(ledger_load_key(path, sk2, err, sizeof(err)), 0);
	assert_memory_equal(sk, sk2, 64);
	chmod(path, 0644);
	assert_int_equal(ledger_load_key(path, sk2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "readable"));
	unlink(path);

	buf = signed_ledger(&len, sk);
	assert_true(len > 200 && buf[len - 1] == '\n');
	assert_int_equal(ledger_verify(buf, len, NULL, err, sizeof(err)), 0);
	sodium_bin2hex(pk, sizeof(pk), sk + 32, 32);
	assert_int_equal(ledger_verify(buf, len, pk, err, sizeof(err)), 0);
	assert_int_equal(ledger_verify(buf, len, key('0'), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected key"));
	/* Every single changed byte fails, whatever it hits. */
	for (i = 0; i < len; i++) {
		char	saved = buf[i];

		buf[i] = buf[i] == 'a' ? 'b' : buf[i] == ' ' ? '!' :
		    (char)(buf[i] ^ 0x20);
		assert_int_equal(ledger_verify(buf, len, NULL, err, sizeof(err)), -1);
		buf[i] = saved;
	}
	assert_int_equal(ledger_verify(buf, len - 1, NULL, err, sizeof(err)), -1);
	assert_int_equal(ledger_verify(buf, len, NULL, err, sizeof(err)), 0);
	free(buf);
	rmdir(tmpdir);
}

static void
test_canonical_bytes(void **state)
{
	unsigned char	 sk[64], pk[32], seed[32], sig[64];
	char		*buf, *sigpos, *msg, err[256];
	size_t		 len, mlen;
	json_t		*obj;

	(void)state;
	assert_int_equal(hash_init(), 0);
	memset(seed, 7, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	buf = signed_ledger(&len, sk);
	/* What a chain does: drop "signature", dump sorted and compact,
	 * prefix the tag, check Ed25519. */
	obj = json_loadb(buf, len, 0, NULL);
	assert_non_null(obj);
	sigpos = strstr(buf, "\"signature\":\"");
	assert_non_null(sigpos);
	for (int i = 0; i < 64; i++)
		assert_int_equal(sscanf(sigpos + 13 + 2 * i, "%2hhx", &sig[i]), 1);
	json_object_del(obj, "signature");
	msg = json_dumps(obj, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(obj);
	mlen = strlen(LEDGER_SIG_TAG) + strlen(msg);
	{
		char	*full = malloc(mlen + 1);

		strcpy(full, LEDGER_SIG_TAG);
		strcat(full, msg);
		assert_int_equal(crypto_sign_verify_detached(sig,
		    (unsigned char *)full, mlen, pk), 0);
		free(full);
	}
	free(msg);
	/* Keys sorted, no spaces: "budget" comes before "day". */
	assert_true(strstr(buf, "\"budget\":1000") < strstr(buf, "\"day\":"));
	assert_null(strchr(buf, ' '));
	assert_int_equal(ledger_verify(buf, len, NULL, err, sizeof(err)), 0);
	free(buf);
}

/* --- the crawl database ------------------------------------------------------------------ */

static void
exec(struct crawldb *db, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(crawldb_sqlite(db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static void
scan_done(void *arg)
{
	event_base_loopbreak(arg);
}

static void
test_rewardsdb_reads_tables(void **state)
{
	struct rewardsdb_input	in;
	struct rewardsdb_rules	r;
	struct rewards_ledger	l;
	struct rewardsdb_probe_row pr;
	struct crawldb		*db;
	struct crawldb_node	n;
	char			dbdir[64], path[128], err[256], sql[1024];
	int64_t			day;

	(void)state;
	snprintf(dbdir, sizeof(dbdir), "/tmp/test_rewardsdb.XXXXXX");
	assert_non_null(mkdtemp(dbdir));
	snprintf(path, sizeof(path), "%s/crawl.db", dbdir);
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	/* Before any observer table exists: an empty leaderboard. */
	rewardsdb_rules_init(&r);
	assert_int_equal(rewards_leaderboard(db, chainparams_get(NET_REGTEST), &r,
	    &l, &day, err, sizeof(err)), 0);
	assert_int_equal(l.nentries, 0);

	memset(&n, 0, sizeof(n));
	strcpy(n.network, "regtest");
	assert_int_equal(netaddr_parse("127.0.0.1", 29001, &n.addr), 0);
	n.asn = 64500;
	n.height = 7;		/* verified */
	n.claimed_height = 7;
	assert_int_equal(crawldb_put(db, &n, CRAWLDB_PUT_ALL, err, sizeof(err)), 0);
	/* visits, nodes.identity, storage_checks and verified_height come
	 * with the identity and height migrations; rows are written here
	 * with text addresses (the reader takes both kinds). */
	snprintf(sql, sizeof(sql), "UPDATE nodes SET identity = '%s',"
	    " reward_address = 'agc1qxyz', verified_height = 7;", key('a'));
	exec(db, sql);
	for (int i = 0; i < 5; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO visits VALUES ('regtest',"
		    " '127.0.0.1', 29001, %d, 1, '%s');", DAY0 + 10 + i, key('a'));
		exec(db, sql);
	}
	snprintf(sql, sizeof(sql), "INSERT INTO visits VALUES ('regtest',"
	    " '127.0.0.1', 29001, %d, 1, '%s');"
	    "INSERT INTO visits VALUES ('regtest', '127.0.0.1', 29001, %d, 0, '');"
	    "INSERT INTO visits VALUES ('mainnet', '127.0.0.1', 29001, %d, 1, '%s');"
	    "INSERT INTO storage_checks VALUES ('regtest', '127.0.0.1', 29001, %d, 3, 'ok');"
	    "INSERT INTO storage_checks VALUES ('regtest', '127.0.0.1', 29001, %d, 3, 'missing');",
	    DAY0 - 5 * DAY, key('a'), DAY0 + 20, DAY0 + 30, key('b'), DAY0 + 40,
	    DAY0 + 41);
	exec(db, sql);
	memset(&pr, 0, sizeof(pr));
	pr.addr = n.addr;
	pr.ts = DAY0 + 50;
	pr.identity = key('a');
	pr.txid = key('f');
	pr.announced = true;
	pr.delay_ms = 1234;
	pr.listeners = 3;
	assert_int_equal(rewardsdb_add_probe(db, "regtest", &pr, err, sizeof(err)), 0);

	assert_int_equal(rewardsdb_load(db, "regtest", DAY0, DAY0 + DAY, &in, err,
	    sizeof(err)), 0);
	/* 6 of the day, the first proof at the address and the first proof
	 * anywhere (the same visit, twice: harmless). */
	assert_int_equal(in.in.nvisits, 8);
	assert_int_equal(in.in.nchecks, 2);
	assert_int_equal(in.in.nprobes, 1);
	assert_int_equal(in.in.naddrs, 1);
	assert_int_equal(in.addrs[0].asn, 64500);
	assert_int_equal(in.addrs[0].claimed_height, 7);
	assert_int_equal(in.addrs[0].verified_height, 7);
	assert_string_equal(in.addrs[0].reward_address, "agc1qxyz");
	rewardsdb_input_free(&in);

	r.probation = 0;
	r.min_checks = 1;
	assert_int_equal(rewards_leaderboard(db, chainparams_get(NET_REGTEST), &r,
	    &l, &day, err, sizeof(err)), 0);
	assert_int_equal(day, DAY0);
	assert_int_equal(l.nentries, 1);
	assert_string_equal(l.entries[0].identity, key('a'));
	assert_int_equal(l.entries[0].first_seen, DAY0 - 5 * DAY);
	assert_int_equal(l.entries[0].visits_ok, 5);
	assert_int_equal(l.entries[0].visits_failed, 1);
	assert_int_equal(l.entries[0].checks_ok, 1);
	assert_int_equal(l.entries[0].checks_missing, 1);
	assert_int_equal(l.entries[0].probes_announced, 1);
	assert_int_equal(l.entries[0].median_delay_ms, 1234);
	assert_true(l.entries[0].rewarded);
	rewards_ledger_free(&l);

	/* The same leaderboard in NODES.md and the JSON export.  Regtest
	 * watches gaps up to 10 s: the failed visit 6 s after the last
	 * success costs 6 of 10 observed seconds. */
	{
		struct export_options	eo;
		char			*buf = NULL;
		size_t			 len = 0;
		FILE			*fp;
		json_t			*arr;

		memset(&eo, 0, sizeof(eo));
		eo.format = EXPORT_NODES_MD;
		eo.all = true;
		eo.network = "regtest";
		eo.now = DAY0 + DAY;
		eo.rules = &r;
		fp = open_memstream(&buf, &len);
		assert_int_equal(export_write(db, &eo, fp, err, sizeof(err)), 0);
		fclose(fp);
		assert_non_null(strstr(buf, "## Leaderboard\n\nScores of 2026-01-01"));
		assert_non_null(strstr(buf, "| Rank | Identity | Uptime | Storage | Relay | Total |"));
		assert_non_null(strstr(buf, "| 1 | `aaaaaaaaaaaaaaaa` | 40.0% | 50.0% | 100.0% | 55.0% |"));
		free(buf);
		buf = NULL;
		eo.format = EXPORT_JSON;
		fp = open_memstream(&buf, &len);
		assert_int_equal(export_write(db, &eo, fp, err, sizeof(err)), 0);
		fclose(fp);
		arr = json_loads(buf, 0, NULL);
		assert_non_null(arr);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(
		    json_array_get(arr, 0), "leaderboard"), "rank")), 1);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(
		    json_array_get(arr, 0), "leaderboard"), "total")), 550000);
		assert_string_equal(json_string_value(json_object_get(json_object_get(
		    json_array_get(arr, 0), "leaderboard"), "identity")), key('a'));
		json_decref(arr);
		free(buf);
	}

	/* agentconsole's Network view, with the default rules: 12 successful
	 * visits make the minimum, the first proof 5 days ago is past
	 * regtest's probation. */
	for (int i = 0; i < 12; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO visits VALUES ('regtest',"
		    " '127.0.0.1', 29001, %d, 1, '%s');", DAY0 + 100 + i, key('a'));
		exec(db, sql);
	}
	crawldb_close(db);
	{
		struct event_base	*base = event_base_new();
		struct netscan		*ns = netscan_new(base, path, "regtest",
					    scan_done, base);
		struct grid		*g = grid_new(100, 40, true);
		struct timeval		 tv = { 10, 0 };
		char			 row[512];
		bool			 title = false, line = false;

		assert_int_equal(netscan_start(ns), 0);
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		assert_non_null(netscan_result(ns));
		assert_int_equal(netscan_result(ns)->nboard, 1);
		assert_string_equal(netscan_result(ns)->board[0].identity, "aaaaaaaaaaaaaaaa");
		ui_network_draw(g, (struct rect){ 0, 0, 100, 40 }, ns);
		for (int y = 0; y < 40; y++) {
			grid_row_text(g, y, row, sizeof(row));
			title |= strstr(row, "Leaderboard regtest 2026-01-01 (1 rewarded)") != NULL;
			line |= strstr(row, "1  aaaaaaaaaaaaaaaa") != NULL;
		}
		assert_true(title);
		assert_true(line);
		netscan_free(ns);
		grid_free(g);
		event_base_free(base);
	}
	snprintf(sql, sizeof(sql), "rm -rf '%s'", dbdir);
	assert_int_equal(system(sql), 0);
}

/* The crawler's uptime re-visits: only identity nodes (nodes.identity set,
 * answered within a day) follow Nebula's rule; the ramp restarts when the
 * node changes state. */
static void
test_observer_uptime_schedule(void **state)
{
	struct observer_config	 cfg;
	struct observer		*ob;
	struct event_base	*base = event_base_new();
	struct nodetable	*t = nodetable_new("mainnet", 100);
	struct crawldb		*db;
	struct crawldb_node	 n;
	struct netaddr		 other;
	char			 dbdir[64], path[128], err[256], sql[512];
	int64_t			 now = DAY0 + 3600, iv[20];
	int			 i;

	(void)state;
	snprintf(dbdir, sizeof(dbdir), "/tmp/test_observer.XXXXXX");
	assert_non_null(mkdtemp(dbdir));
	snprintf(path, sizeof(path), "%s/crawl.db", dbdir);
	assert_non_null(db = crawldb_open(path, 0, err, sizeof(err)));
	memset(&n, 0, sizeof(n));
	strcpy(n.network, "mainnet");
	assert_int_equal(netaddr_parse("1.2.3.4", 9001, &n.addr), 0);
	n.last_success = now - 60;
	assert_int_equal(crawldb_put(db, &n, CRAWLDB_PUT_ALL, err, sizeof(err)), 0);
	assert_int_equal(netaddr_parse("1.2.3.5", 9001, &other), 0);
	snprintf(sql, sizeof(sql), "UPDATE nodes SET identity = '%s'", key('c'));
	exec(db, sql);

	memset(&cfg, 0, sizeof(cfg));
	cfg.params = chainparams_get(NET_MAINNET);
	cfg.user_agent = "/test/";
	cfg.connect_timeout_ms = 100;
	cfg.handshake_timeout_ms = 100;
	ob = observer_new(base, db, &cfg);
	/* Before the identity set is read nobody is special. */
	assert_int_equal(observer_next_visit(ob, &n.addr, true, now), -1);
	observer_stop(ob);	/* no relay probes in this test */
	observer_tick(ob, t, now);
	assert_int_equal(observer_next_visit(ob, &other, true, now), -1);
	for (i = 0; i < 20; i++)
		iv[i] = observer_next_visit(ob, &n.addr, true, now) - now;
	assert_int_equal(iv[0], 60);
	assert_int_equal(iv[1], 72);
	for (i = 1; i < 20; i++) {
		assert_true(iv[i] >= iv[i - 1]);
		assert_true(iv[i] <= 900);
		assert_true(iv[i] == 900 || iv[i] == iv[i - 1] + iv[i - 1] / 5);
	}
	assert_int_equal(iv[19], 900);
	/* Down: look again in a minute; still down: ramp; up again: restart. */
	assert_int_equal(observer_next_visit(ob, &n.addr, false, now) - now, 60);
	assert_int_equal(observer_next_visit(ob, &n.addr, false, now) - now, 72);
	assert_int_equal(observer_next_visit(ob, &n.addr, true, now) - now, 60);
	assert_int_equal(observer_probes(ob), 0);
	observer_free(ob);
	nodetable_free(t);
	crawldb_close(db);
	event_base_free(base);
	snprintf(sql, sizeof(sql), "rm -rf '%s'", dbdir);
	assert_int_equal(system(sql), 0);
}

static void
test_parse_day(void **state)
{
	int64_t	d;
	char	buf[16];

	(void)state;
	assert_int_equal(rewardsdb_parse_day("2026-01-01", &d), 0);
	assert_int_equal(d, DAY0);
	assert_string_equal(rewardsdb_format_day(DAY0 + 86399, buf, sizeof(buf)),
	    "2026-01-01");
	assert_int_equal(rewardsdb_parse_day("2026-02-31", &d), -1);
	assert_int_equal(rewardsdb_parse_day("2026-1-01", &d), -1);
	assert_int_equal(rewardsdb_parse_day("2026-01-01x", &d), -1);
	assert_int_equal(rewardsdb_parse_day("", &d), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revisit_interval),
		cmocka_unit_test_setup(test_scores_and_split, reset),
		cmocka_unit_test_setup(test_split_never_exceeds_budget, reset),
		cmocka_unit_test_setup(test_crawler_outage_costs_nobody, reset),
		cmocka_unit_test_setup(test_rule_probation, reset),
		cmocka_unit_test_setup(test_rule_min_checks, reset),
		cmocka_unit_test_setup(test_rule_one_identity_per_address, reset),
		cmocka_unit_test_setup(test_rule_one_home_per_identity, reset),
		cmocka_unit_test_setup(test_rule_asn_cap, reset),
		cmocka_unit_test_setup(test_rule_net16_cap, reset),
		cmocka_unit_test_setup(test_rule_unserved_height_earns_no_storage, reset),
		cmocka_unit_test_setup(test_never_relays_gets_no_relay, reset),
		cmocka_unit_test_setup(test_order_independent, reset),
		cmocka_unit_test_setup(test_sign_verify_every_byte, reset),
		cmocka_unit_test_setup(test_canonical_bytes, reset),
		cmocka_unit_test(test_rewardsdb_reads_tables),
		cmocka_unit_test(test_observer_uptime_schedule),
		cmocka_unit_test(test_parse_day),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

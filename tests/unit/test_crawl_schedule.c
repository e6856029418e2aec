/* test_crawl_schedule.c -- crawler re-check scheduling: windows, decay, backoff, forgetting, the due heap (crawler/schedule.c, crawler/nodetable.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainparams.h"
#include "crawldb.h"
#include "goodnode.h"
#include "hash.h"
#include "msg.h"
#include "netaddr.h"
#include "../../crawler/nodetable.h"
#include "../../crawler/schedule.h"

#define NOW	1800000000

static void
policy(enum net_id id, struct goodnode_policy *p, struct sched_params *s)
{
	goodnode_policy_init(p, chainparams_get(id));
	schedule_init(s, p);
}

static void
test_intervals_mainnet_and_regtest(void **state)
{
	struct goodnode_policy	p;
	struct sched_params	s;

	(void)state;
	policy(NET_MAINNET, &p, &s);
	assert_int_equal(s.recheck, 1000);
	assert_int_equal(s.backoff_base, 1000);
	assert_int_equal(s.backoff_max, 86400);
	assert_int_equal(s.discovery, 6 * 3600);
	assert_int_equal(s.forget_after, 30 * 86400);
	assert_int_equal(s.forget_tries, 10);
	assert_int_equal(s.reseed, 1800);
	policy(NET_REGTEST, &p, &s);
	assert_int_equal(s.recheck, 2);
	assert_int_equal(s.backoff_base, 2);
	assert_int_equal(s.backoff_max, 120);
	assert_int_equal(s.discovery, 30);
	assert_int_equal(s.forget_after, 3600);
	assert_int_equal(s.forget_tries, 10);
}

static void
test_next_due_success_and_jitter(void **state)
{
	struct goodnode_policy	p;
	struct sched_params	s;
	struct crawldb_node	n;

	(void)state;
	policy(NET_MAINNET, &p, &s);
	memset(&n, 0, sizeof(n));
	/* Never tried: now. */
	assert_int_equal(schedule_next_due(&s, &p, &n, 0.5), 0);
	goodnode_record_probe(&n, &p, true, NOW);
	assert_int_equal(schedule_next_due(&s, &p, &n, 0.0), NOW + 1000);
	/* Jitter stretches by at most 10 %. */
	assert_int_equal(schedule_next_due(&s, &p, &n, 0.5), NOW + 1050);
	assert_true(schedule_next_due(&s, &p, &n, 0.9999999) <= NOW + 1100);
	assert_true(schedule_next_due(&s, &p, &n, 7.0) <= NOW + 1100);
	assert_int_equal(schedule_next_due(&s, &p, &n, -1.0), NOW + 1000);
}

static void
test_backoff_grows_and_caps(void **state)
{
	struct goodnode_policy	p;
	struct sched_params	s;
	struct crawldb_node	n;
	int64_t			t = NOW, expect = 1000;
	int			i;

	(void)state;
	policy(NET_MAINNET, &p, &s);
	memset(&n, 0, sizeof(n));
	assert_int_equal(schedule_backoff(&s, &p, &n), 0);
	for (i = 1; i <= 8; i++) {
		goodnode_record_probe(&n, &p, false, t);
		assert_int_equal(n.fail_streak, (uint32_t)i);
		/* 1000, 2000, 4000, ... until the windows' verdicts weigh in. */
		if (goodnode_ignore_for(&n, &p) == 0)
			assert_int_equal(schedule_backoff(&s, &p, &n), expect);
		assert_int_equal(schedule_next_due(&s, &p, &n, 0.0),
		    t + schedule_backoff(&s, &p, &n));
		t += schedule_backoff(&s, &p, &n);
		expect = expect * 2 > 86400 ? 86400 : expect * 2;
	}
	/* Capped at a day, unless bitcoin-seeder would ban it longer. */
	n.fail_streak = 40;
	assert_true(schedule_backoff(&s, &p, &n) >= 86400);
	memset(&n, 0, sizeof(n));
	n.last_try = NOW;
	n.fail_streak = 30;
	assert_int_equal(schedule_backoff(&s, &p, &n), 86400);
	/* A success resets the backoff. */
	goodnode_record_probe(&n, &p, true, NOW + 10);
	assert_int_equal(schedule_backoff(&s, &p, &n), 0);
	assert_int_equal(schedule_next_due(&s, &p, &n, 0.0), NOW + 10 + 1000);
}

static void
test_ban_dominates(void **state)
{
	struct goodnode_policy	p;
	struct sched_params	s;
	struct crawldb_node	n;

	(void)state;
	policy(NET_REGTEST, &p, &s);
	memset(&n, 0, sizeof(n));
	goodnode_record_probe(&n, &p, false, NOW);
	n.banned_until = NOW + p.bad_protocol_ban;
	assert_int_equal(schedule_next_due(&s, &p, &n, 0.0), NOW + 139);
	/* Even a node never tried waits out its ban. */
	memset(&n, 0, sizeof(n));
	n.banned_until = NOW + 5;
	assert_int_equal(schedule_next_due(&s, &p, &n, 0.0), NOW + 5);
}

/* Decaying windows through the schedule: a node that was up for a day,
 * then down, loses the short windows first. */
static void
test_windows_decay_under_schedule(void **state)
{
	struct goodnode_policy	p;
	struct sched_params	s;
	struct crawldb_node	n;
	int64_t			t = NOW;
	int			i;

	(void)state;
	policy(NET_MAINNET, &p, &s);
	memset(&n, 0, sizeof(n));
	n.addr.port = p.port;
	netaddr_parse("8.8.8.8", p.port, &n.addr);
	n.services = NODE_NETWORK;
	n.version = PROTO_VERSION;
	for (i = 0; i < 200; i++) {
		goodnode_record_probe(&n, &p, true, t);
		t = schedule_next_due(&s, &p, &n, 0.0);
	}
	assert_true(n.reliability[CRAWLDB_W2H] > 0.99);
	assert_true(n.reliability[CRAWLDB_W1D] > 0.85);
	assert_true(goodnode_is_good_policy(&n, &p, t, NULL));
	for (i = 0; i < 6; i++) {
		goodnode_record_probe(&n, &p, false, t);
		t = schedule_next_due(&s, &p, &n, 0.0);
	}
	/* Six failures, 1000 s after the last success and then with backoff
	 * (1000 s doubling), end 32000 s after it: the 2 h window has all
	 * but forgotten the good times (e^-4.4), the 8 h one partly, the
	 * week hardly. */
	assert_int_equal(n.last_try - n.last_success, 32000);
	assert_true(fabs(n.reliability[CRAWLDB_W2H] -
	    exp(-32000.0 / 7200)) < 0.0005);
	assert_true(n.reliability[CRAWLDB_W8H] < 0.4);
	assert_true(n.reliability[CRAWLDB_W2H] < n.reliability[CRAWLDB_W8H]);
	assert_true(n.reliability[CRAWLDB_W8H] < n.reliability[CRAWLDB_W1D]);
	assert_true(n.reliability[CRAWLDB_W1W] > 0.2);
	/* Still good through the 1-day window (0.62 > 0.55): a long
	 * record survives a short outage, as in bitcoin-seeder. */
	assert_true(goodnode_is_good_policy(&n, &p, t, NULL));
	/* The tries decay too: the short window remembers fewer. */
	assert_true(n.weight[CRAWLDB_W2H] < n.weight[CRAWLDB_W8H]);
	assert_true(n.weight[CRAWLDB_W8H] < n.weight[CRAWLDB_W1D]);
}

static void
test_kind_and_forget(void **state)
{
	struct goodnode_policy	p;
	struct sched_params	s;
	struct crawldb_node	n;

	(void)state;
	policy(NET_MAINNET, &p, &s);
	memset(&n, 0, sizeof(n));
	assert_int_equal(schedule_kind(&s, &n, NOW), SCHED_DISCOVERY);
	n.last_getaddr = NOW - 100;
	assert_int_equal(schedule_kind(&s, &n, NOW), SCHED_LIVENESS);
	assert_int_equal(schedule_kind(&s, &n, NOW - 100 + 6 * 3600),
	    SCHED_DISCOVERY);

	/* Never answered after ten tries: forgotten. */
	memset(&n, 0, sizeof(n));
	n.first_seen = NOW;
	n.attempts = 9;
	assert_false(schedule_should_forget(&s, &n, NOW));
	n.attempts = 10;
	assert_true(schedule_should_forget(&s, &n, NOW));
	/* Answered once, silent for a month: forgotten. */
	memset(&n, 0, sizeof(n));
	n.first_seen = NOW - 40 * 86400;
	n.last_success = NOW - 30 * 86400;
	n.attempts = 5;
	n.successes = 1;
	assert_false(schedule_should_forget(&s, &n, NOW));
	assert_true(schedule_should_forget(&s, &n, NOW + 1));
	/* Heard of but never tried: kept. */
	memset(&n, 0, sizeof(n));
	n.first_seen = NOW - 400 * 86400;
	assert_false(schedule_should_forget(&s, &n, NOW));
}

static void
test_heap_orders_by_due(void **state)
{
	struct nodetable	*t;
	struct cnode		*n, *mid = NULL, *known;
	struct netaddr		 a;
	int64_t			 last = -1;
	int			 i, popped = 0;

	(void)state;
	t = nodetable_new("regtest", 1000);
	for (i = 0; i < 500; i++) {
		netaddr_from_ipv4(&a, 0x7f000001u + (uint32_t)i, 29001);
		n = nodetable_add(t, &a, NULL);
		assert_non_null(n);
		nodetable_schedule(t, n, NOW + (i * 7919) % 1000);
		if (i == 250)
			mid = n;
	}
	assert_int_equal(nodetable_count(t), 500);
	assert_int_equal(nodetable_queued(t), 500);
	/* Duplicates are refused and the known node returned. */
	netaddr_from_ipv4(&a, 0x7f000001u + 3, 29001);
	assert_null(nodetable_add(t, &a, &known));
	assert_non_null(known);
	assert_true(netaddr_equal(&known->rec.addr, &a));
	assert_ptr_equal(nodetable_find(t, &a), known);
	/* Re-scheduling moves a node; unscheduling removes it. */
	nodetable_schedule(t, known, NOW - 5);
	assert_ptr_equal(nodetable_peek(t), known);
	nodetable_unschedule(t, mid);
	nodetable_unschedule(t, mid);
	assert_int_equal(mid->heap_pos, NODETABLE_NOT_QUEUED);
	assert_int_equal(nodetable_queued(t), 499);
	while ((n = nodetable_pop(t)) != NULL) {
		assert_true(n->due >= last);
		last = n->due;
		popped++;
	}
	assert_int_equal(popped, 499);
	nodetable_remove(t, mid);
	assert_int_equal(nodetable_count(t), 499);
	nodetable_free(t);
}

static void
count_node(struct cnode *n, void *arg)
{
	(void)n;
	(*(size_t *)arg)++;
}

/* Address I/2 on port 29001 + I%2. */
static void
two_ports(int i, struct netaddr *a)
{
	netaddr_from_ipv4(a, 0x7f000001u + (uint32_t)(i / 2), (uint16_t)(29001 + i % 2));
}

/* Address and port together are the key: the same IP on two ports is two
 * nodes.  Removing nodes leaves every other one findable (the map shifts
 * entries back over the holes). */
static void
test_table_lookup_after_removals(void **state)
{
	enum { N = 3000 };
	struct nodetable	*t;
	struct cnode		*n;
	struct netaddr		 a;
	size_t			 seen = 0;
	int			 i;

	(void)state;
	t = nodetable_new("regtest", 100000);
	for (i = 0; i < N; i++) {
		two_ports(i, &a);
		assert_non_null(nodetable_add(t, &a, NULL));
	}
	assert_int_equal(nodetable_count(t), N);
	for (i = 0; i < N; i += 3) {
		two_ports(i, &a);
		n = nodetable_find(t, &a);
		assert_non_null(n);
		nodetable_remove(t, n);
	}
	assert_int_equal(nodetable_count(t), N - N / 3);
	for (i = 0; i < N; i++) {
		two_ports(i, &a);
		n = nodetable_find(t, &a);
		if (i % 3 == 0) {
			assert_null(n);
			continue;
		}
		assert_non_null(n);
		assert_true(netaddr_equal(&n->rec.addr, &a));
	}
	nodetable_foreach(t, count_node, &seen);
	assert_int_equal(seen, N - N / 3);
	nodetable_free(t);
}

static void
test_table_full_and_flush(void **state)
{
	struct nodetable	*t;
	struct crawldb		*db;
	struct cnode		*n, *known;
	struct netaddr		 a;
	char			 dir[] = "/tmp/test_crawl_schedule.XXXXXX", path[96];
	char			 err[256], cmd[128];
	int			 i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c.db", dir);
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	t = nodetable_new("regtest", 10);
	for (i = 0; i < 12; i++) {
		netaddr_from_ipv4(&a, 0x7f000101u + (uint32_t)i, 29001);
		n = nodetable_add(t, &a, &known);
		if (i < 10) {
			assert_non_null(n);
			n->rec.first_seen = NOW;
		} else {
			assert_null(n);
			assert_null(known);	/* full, not known */
		}
	}
	assert_int_equal(nodetable_dirty_count(t), 10);
	assert_int_equal(nodetable_flush(t, db, err, sizeof(err)), 10);
	assert_int_equal(nodetable_dirty_count(t), 0);
	assert_int_equal(nodetable_flush(t, db, err, sizeof(err)), 0);
	assert_int_equal(crawldb_count(db, "regtest", err, sizeof(err)), 10);
	/* Only the groups marked are written. */
	netaddr_from_ipv4(&a, 0x7f000101u, 29001);
	n = nodetable_find(t, &a);
	n->rec.height = 77;
	n->rec.attempts = 5;
	nodetable_mark_dirty(t, n, CRAWLDB_PUT_PEER);
	assert_int_equal(nodetable_flush(t, db, err, sizeof(err)), 1);
	{
		struct crawldb_node m;

		assert_int_equal(crawldb_get(db, "regtest", &a, NOW, &m, err,
		    sizeof(err)), 1);
		assert_int_equal(m.height, 77);
		assert_int_equal(m.attempts, 0);
		/* Loading it back makes a clean node. */
		nodetable_remove(t, n);
		n = nodetable_insert_loaded(t, &m);
		assert_non_null(n);
		assert_int_equal(n->dirty, 0);
		assert_int_equal(nodetable_dirty_count(t), 0);
		assert_null(nodetable_insert_loaded(t, &m));
	}
	/* A failed flush keeps everything dirty. */
	nodetable_mark_dirty(t, n, CRAWLDB_PUT_STATS);
	strcpy(n->rec.network, "nowhere");
	assert_int_equal(nodetable_flush(t, db, err, sizeof(err)), -1);
	assert_int_equal(nodetable_dirty_count(t), 1);
	nodetable_free(t);
	crawldb_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intervals_mainnet_and_regtest),
		cmocka_unit_test(test_next_due_success_and_jitter),
		cmocka_unit_test(test_backoff_grows_and_caps),
		cmocka_unit_test(test_ban_dominates),
		cmocka_unit_test(test_windows_decay_under_schedule),
		cmocka_unit_test(test_kind_and_forget),
		cmocka_unit_test(test_heap_orders_by_due),
		cmocka_unit_test(test_table_lookup_after_removals),
		cmocka_unit_test(test_table_full_and_flush),
	};

	if (hash_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

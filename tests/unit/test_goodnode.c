/* test_goodnode.c -- the good-node rule and the reliability windows (common/goodnode.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "chainparams.h"
#include "goodnode.h"
#include "msg.h"
#include "netaddr.h"

#define NOW	1800000000

static const struct chainparams *
net(enum net_id id)
{
	return chainparams_get(id);
}

/* A node that passes every static condition on NETWORK and has the
 * counters given. */
static struct crawldb_node
node_on(enum net_id id, const char *ip, uint32_t attempts, uint32_t successes)
{
	struct crawldb_node	n;

	memset(&n, 0, sizeof(n));
	assert_int_equal(netaddr_parse(ip, net(id)->p2p_port, &n.addr), 0);
	strcpy(n.network, net(id)->name);
	n.services = NODE_NETWORK | NODE_RELAY;
	n.version = PROTO_VERSION;
	n.height = 100;
	n.attempts = attempts;
	n.successes = successes;
	n.last_try = n.last_success = NOW - 10;
	return n;
}

static void
test_policy_mainnet_is_bitcoin_seeder(void **state)
{
	struct goodnode_policy	p;

	(void)state;
	goodnode_policy_init(&p, net(NET_MAINNET));
	assert_true(p.time_scale == 1.0);
	assert_true(p.tau[CRAWLDB_W2H] == 7200.0);
	assert_true(p.tau[CRAWLDB_W8H] == 28800.0);
	assert_true(p.tau[CRAWLDB_W1D] == 86400.0);
	assert_true(p.tau[CRAWLDB_W1W] == 604800.0);
	assert_true(p.tau[CRAWLDB_W1M] == 2592000.0);
	assert_int_equal(p.min_retry, 1000);
	assert_int_equal(p.bad_protocol_ban, 100000);
	assert_int_equal(p.port, net(NET_MAINNET)->p2p_port);
	assert_int_equal(p.required_services, NODE_NETWORK);
	assert_int_equal(p.min_version, PROTO_MIN_VERSION);
	assert_false(p.allow_private);
	goodnode_policy_init(&p, net(NET_TESTNET));
	assert_true(p.time_scale == 1.0);
	assert_int_equal(p.min_retry, 1000);
}

static void
test_policy_regtest_scaled(void **state)
{
	struct goodnode_policy	p;

	(void)state;
	goodnode_policy_init(&p, net(NET_REGTEST));
	assert_true(fabs(p.time_scale - 1.0 / 720.0) < 1e-12);
	assert_true(fabs(p.tau[CRAWLDB_W2H] - 10.0) < 1e-9);
	assert_true(fabs(p.tau[CRAWLDB_W8H] - 40.0) < 1e-9);
	assert_true(fabs(p.tau[CRAWLDB_W1D] - 120.0) < 1e-9);
	assert_true(fabs(p.tau[CRAWLDB_W1W] - 840.0) < 1e-9);
	assert_true(fabs(p.tau[CRAWLDB_W1M] - 3600.0) < 1e-9);
	assert_int_equal(p.min_retry, 2);	/* ceil(1000 / 720) */
	assert_int_equal(p.bad_protocol_ban, 139);
	assert_true(p.allow_private);
	assert_int_equal(goodnode_scale(&p, 1), 1);	/* never below 1 s */
	assert_int_equal(goodnode_scale(&p, 86400), 120);
}

static void
test_newcomer_rule(void **state)
{
	const struct chainparams	*cp = net(NET_MAINNET);
	struct crawldb_node		 n;
	const char			*why = NULL;

	(void)state;
	n = node_on(NET_MAINNET, "8.8.8.8", 1, 1);
	assert_true(goodnode_is_good(&n, cp, NOW, NULL));
	n = node_on(NET_MAINNET, "8.8.8.8", 2, 1);
	assert_true(goodnode_is_good(&n, cp, NOW, NULL));
	n = node_on(NET_MAINNET, "8.8.8.8", 3, 2);
	assert_true(goodnode_is_good(&n, cp, NOW, NULL));
	/* 2 * 1 < 3: half did not succeed. */
	n = node_on(NET_MAINNET, "8.8.8.8", 3, 1);
	assert_false(goodnode_is_good(&n, cp, NOW, &why));
	assert_string_equal(why, "unreliable");
	/* A fourth try ends the benefit of the doubt. */
	n = node_on(NET_MAINNET, "8.8.8.8", 4, 4);
	assert_false(goodnode_is_good(&n, cp, NOW, &why));
	assert_string_equal(why, "unreliable");
}

static void
test_window_thresholds(void **state)
{
	static const struct {
		double	rate, tries;
	} edge[CRAWLDB_WINDOWS] = {
		{ 0.85, 2 }, { 0.70, 4 }, { 0.55, 8 }, { 0.45, 16 }, { 0.35, 32 },
	};
	const struct chainparams	*cp = net(NET_MAINNET);
	struct crawldb_node		 n;
	int				 w;

	(void)state;
	for (w = 0; w < CRAWLDB_WINDOWS; w++) {
		n = node_on(NET_MAINNET, "1.2.3.4", 100, 50);
		/* Just above both limits: good. */
		n.reliability[w] = edge[w].rate + 0.001;
		n.weight[w] = edge[w].tries + 0.001;
		assert_true(goodnode_is_good(&n, cp, NOW, NULL));
		/* The rate must be strictly above. */
		n.reliability[w] = edge[w].rate;
		assert_false(goodnode_is_good(&n, cp, NOW, NULL));
		/* So must the number of tries. */
		n.reliability[w] = edge[w].rate + 0.001;
		n.weight[w] = edge[w].tries;
		assert_false(goodnode_is_good(&n, cp, NOW, NULL));
	}
}

static void
test_static_conditions(void **state)
{
	const struct chainparams	*cp = net(NET_MAINNET);
	struct goodnode_policy		 p;
	struct crawldb_node		 n;
	const char			*why;

	(void)state;
	n = node_on(NET_MAINNET, "8.8.8.8", 1, 1);
	n.addr.port = 1234;
	assert_false(goodnode_is_good(&n, cp, NOW, &why));
	assert_string_equal(why, "wrong port");

	n = node_on(NET_MAINNET, "127.0.0.1", 1, 1);
	assert_false(goodnode_is_good(&n, cp, NOW, &why));
	assert_string_equal(why, "not routable");
	n = node_on(NET_MAINNET, "10.1.2.3", 1, 1);
	assert_false(goodnode_is_good(&n, cp, NOW, &why));
	/* Regtest networks live on loopback. */
	n = node_on(NET_REGTEST, "127.0.0.1", 1, 1);
	assert_true(goodnode_is_good(&n, net(NET_REGTEST), NOW, NULL));

	n = node_on(NET_MAINNET, "8.8.8.8", 1, 1);
	n.version = 0;
	assert_false(goodnode_is_good(&n, cp, NOW, &why));
	assert_string_equal(why, "never handshaked");

	n = node_on(NET_MAINNET, "8.8.8.8", 1, 1);
	n.services = NODE_RELAY;
	assert_false(goodnode_is_good(&n, cp, NOW, &why));
	assert_string_equal(why, "missing services");

	n = node_on(NET_MAINNET, "8.8.8.8", 1, 1);
	n.version = PROTO_MIN_VERSION - 1;
	assert_false(goodnode_is_good(&n, cp, NOW, &why));
	assert_string_equal(why, "old version");

	n = node_on(NET_MAINNET, "8.8.8.8", 1, 1);
	n.banned_until = NOW + 1;
	assert_false(goodnode_is_good(&n, cp, NOW, &why));
	assert_string_equal(why, "banned");
	n.banned_until = NOW;
	assert_true(goodnode_is_good(&n, cp, NOW, NULL));

	goodnode_policy_init(&p, cp);
	p.min_height = 101;
	n = node_on(NET_MAINNET, "8.8.8.8", 1, 1);
	assert_false(goodnode_is_good_policy(&n, &p, NOW, &why));
	assert_string_equal(why, "height too low");
	p.min_height = 100;
	assert_true(goodnode_is_good_policy(&n, &p, NOW, &why));
	/* The rule reads the verified height: a huge claim counts for
	 * nothing, and a node that proved nothing (-1) fails any minimum... */
	n.claimed_height = INT32_MAX;
	n.height = -1;
	assert_false(goodnode_is_good_policy(&n, &p, NOW, &why));
	assert_string_equal(why, "height too low");
	/* ...but without a minimum (the default) it is not judged by height. */
	p.min_height = 0;
	assert_true(goodnode_is_good_policy(&n, &p, NOW, &why));
}

static void
test_record_probe_decay(void **state)
{
	struct goodnode_policy	p;
	struct crawldb_node	n;
	double			f;
	int			w;

	(void)state;
	goodnode_policy_init(&p, net(NET_MAINNET));
	memset(&n, 0, sizeof(n));
	/* The first probe counts as MIN_RETRY old. */
	goodnode_record_probe(&n, &p, true, NOW);
	for (w = 0; w < CRAWLDB_WINDOWS; w++) {
		f = exp(-1000.0 / p.tau[w]);
		assert_true(fabs(n.reliability[w] - (1 - f)) < 1e-12);
		assert_true(fabs(n.weight[w] - 1.0) < 1e-12);
		assert_true(fabs(n.coverage[w] - (1 - f)) < 1e-12);
		assert_true(fabs(goodnode_uptime(&n, w) - 1.0) < 1e-12);
	}
	assert_int_equal(n.attempts, 1);
	assert_int_equal(n.successes, 1);
	assert_int_equal(n.last_try, NOW);
	assert_int_equal(n.last_success, NOW);
	assert_int_equal(n.last_seen, NOW);
	assert_int_equal(n.fail_streak, 0);

	/* A failure one 2-hour time constant later: the old evidence
	 * weighs e^-1. */
	{
		double r0 = n.reliability[CRAWLDB_W2H];
		double c0 = n.coverage[CRAWLDB_W2H];

		goodnode_record_probe(&n, &p, false, NOW + 7200);
		f = exp(-1.0);
		assert_true(fabs(n.reliability[CRAWLDB_W2H] - r0 * f) < 1e-12);
		assert_true(fabs(n.weight[CRAWLDB_W2H] - (1.0 * f + 1)) < 1e-12);
		assert_true(fabs(n.coverage[CRAWLDB_W2H] - (c0 * f + 1 - f)) < 1e-12);
	}
	assert_int_equal(n.attempts, 2);
	assert_int_equal(n.successes, 1);
	assert_int_equal(n.fail_streak, 1);
	assert_int_equal(n.last_success, NOW);
	assert_int_equal(n.last_try, NOW + 7200);
	assert_true(goodnode_uptime(&n, CRAWLDB_W2H) < 0.5);

	/* A clock that went backwards adds nothing but a try. */
	{
		double r0 = n.reliability[CRAWLDB_W1D];

		goodnode_record_probe(&n, &p, true, NOW);
		assert_true(fabs(n.reliability[CRAWLDB_W1D] - r0) < 1e-12);
	}
	assert_int_equal(n.fail_streak, 0);
	assert_true(goodnode_uptime(&n, -1) == 0);
	assert_true(goodnode_uptime(&n, CRAWLDB_WINDOWS) == 0);
}

/* Regtest: re-checked every 2 s, a fresh node is good at once, and good
 * for good from its tenth probe, i.e. within a minute. */
static void
test_regtest_seedable_within_a_minute(void **state)
{
	const struct chainparams	*cp = net(NET_REGTEST);
	struct goodnode_policy		 p;
	struct crawldb_node		 n;
	int64_t				 t;
	int				 i, first_stable = -1;

	(void)state;
	goodnode_policy_init(&p, cp);
	n = node_on(NET_REGTEST, "127.0.0.9", 0, 0);
	n.last_try = n.last_success = 0;
	for (i = 1, t = NOW; t <= NOW + 60; i++, t += p.min_retry) {
		goodnode_record_probe(&n, &p, true, t);
		if (i <= 3)
			assert_true(goodnode_is_good(&n, cp, t, NULL));
		if (goodnode_is_good(&n, cp, t, NULL)) {
			if (first_stable < 0 && i > 3)
				first_stable = i;
		} else
			first_stable = -1;
	}
	assert_true(first_stable > 3);
	assert_true(first_stable <= 12);
	assert_true(goodnode_is_good(&n, cp, NOW + 60, NULL));

	/* The same on mainnet takes hours: probes every 2 s add nothing. */
	n = node_on(NET_MAINNET, "8.8.8.8", 0, 0);
	n.last_try = n.last_success = 0;
	goodnode_policy_init(&p, net(NET_MAINNET));
	for (t = NOW; t <= NOW + 60; t += 2)
		goodnode_record_probe(&n, &p, true, t);
	assert_false(goodnode_is_good(&n, net(NET_MAINNET), NOW + 60, NULL));
}

static void
test_ignore_and_ban(void **state)
{
	struct goodnode_policy	p;
	struct crawldb_node	n;
	int			i;

	(void)state;
	goodnode_policy_init(&p, net(NET_MAINNET));
	memset(&n, 0, sizeof(n));
	assert_int_equal(goodnode_ignore_for(&n, &p), 0);
	/* Failing every hour for two days: the 8-hour window is all
	 * failures (optimistic rate < 8 % with > 4 tries): ignored 2 h; the
	 * day is not fully covered yet (optimistic rate 13.5 %). */
	for (i = 0; i < 48; i++)
		goodnode_record_probe(&n, &p, false, NOW + i * 3600);
	assert_int_equal(goodnode_ignore_for(&n, &p), 7200);
	/* For a week: the 1-day window is (optimistic rate < 5 %, > 8
	 * tries): bitcoin-seeder bans for a day. */
	for (; i < 168; i++)
		goodnode_record_probe(&n, &p, false, NOW + i * 3600);
	assert_int_equal(goodnode_ignore_for(&n, &p), 86400);
	/* One success resets the streak: no verdict while it answers. */
	goodnode_record_probe(&n, &p, true, NOW + 168 * 3600);
	assert_int_equal(goodnode_ignore_for(&n, &p), 0);

	/* Few tries: nothing to judge. */
	memset(&n, 0, sizeof(n));
	goodnode_record_probe(&n, &p, false, NOW);
	goodnode_record_probe(&n, &p, false, NOW + 1000);
	assert_int_equal(goodnode_ignore_for(&n, &p), 0);

	/* Regtest scales the verdict. */
	goodnode_policy_init(&p, net(NET_REGTEST));
	memset(&n, 0, sizeof(n));
	for (i = 0; i < 48; i++)
		goodnode_record_probe(&n, &p, false, NOW + i * 5);
	assert_int_equal(goodnode_ignore_for(&n, &p), 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_mainnet_is_bitcoin_seeder),
		cmocka_unit_test(test_policy_regtest_scaled),
		cmocka_unit_test(test_newcomer_rule),
		cmocka_unit_test(test_window_thresholds),
		cmocka_unit_test(test_static_conditions),
		cmocka_unit_test(test_record_probe_decay),
		cmocka_unit_test(test_regtest_seedable_within_a_minute),
		cmocka_unit_test(test_ignore_and_ban),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

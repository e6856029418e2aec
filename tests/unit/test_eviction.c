/* test_eviction.c -- inbound eviction choice (node/eviction.c) and repmem. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "../../node/eviction.h"
#include "../../node/repmem.h"
#include "hash.h"

static void
cand(struct eviction_candidate *c, uint64_t id, uint8_t group, double ping, int64_t since)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->netgroup[0] = 1;
	c->netgroup[1] = group;
	c->keyed_netgroup = id * 7919;	/* arbitrary but distinct */
	c->min_ping_ms = ping;
	c->connected_ms = since;
	c->handshaked = true;
	c->handshake_ms = since + 1;
}

/* Long after every candidate connected: no recent-handshake protection. */
#define LATER	INT64_C(100000000)

static void
test_all_protected(void **state)
{
	struct eviction_candidate c[12];

	(void)state;
	/* 4 by netgroup + 8 by ping leaves nobody to evict. */
	for (int i = 0; i < 12; i++)
		cand(&c[i], (uint64_t)i + 1, (uint8_t)i, 10.0 + i, 1000 + i);
	assert_int_equal(eviction_select(c, 12, LATER), 0);
	assert_int_equal(eviction_select(c, 0, LATER), 0);
}

static void
test_evicts_youngest_of_biggest_group(void **state)
{
	struct eviction_candidate c[40];
	int n = 0;

	(void)state;
	/* 12 fast, diverse, old peers are protected; then 8 old ones keep
	 * half the rest; an attacker's 20 young peers share group 9. */
	for (int i = 0; i < 12; i++, n++)
		cand(&c[n], 100 + i, (uint8_t)(20 + i), 5.0, 1000 + i);
	for (int i = 0; i < 20; i++, n++)
		cand(&c[n], 200 + i, 9, 500.0, 50000 + i * 10);
	for (int i = 0; i < 8; i++, n++)
		cand(&c[n], 300 + i, (uint8_t)(40 + i), 400.0, 2000 + i);
	uint64_t victim = eviction_select(c, (size_t)n, LATER);
	/* The youngest of the attacker's group: connected last. */
	assert_int_equal(victim, 219);
}

static void
test_unmeasured_ping_gets_no_protection(void **state)
{
	struct eviction_candidate c[16];

	(void)state;
	for (int i = 0; i < 15; i++)
		cand(&c[i], (uint64_t)i + 1, (uint8_t)i, 20.0, 1000 + i);
	/* Same group as peer 15, never pinged, youngest. */
	cand(&c[15], 99, 14, -1, 999999);
	c[15].keyed_netgroup = 0;	/* not lucky in the netgroup draw either */
	assert_int_equal(eviction_select(c, 16, LATER), 99);
}

/* Issue 15 item 6: during a connection flood (300 sources reconnecting at
 * 20/s) a newcomer was evicted 50 ms after its handshake.  Connections
 * that never completed a handshake go first, the longest-waiting one
 * first; the newcomer stays. */
static void
test_newcomer_survives_connection_flood(void **state)
{
	struct eviction_candidate c[40];
	const int64_t now = 1000000;
	int n = 0;

	(void)state;
	/* 20 established peers, all in one netgroup so that Core's rules
	 * alone would pick among them. */
	for (int i = 0; i < 20; i++, n++)
		cand(&c[n], 100 + i, 7, 50.0 + i, now - 600000 + i);
	/* The newcomer: handshake 50 ms ago, no ping yet, the youngest. */
	cand(&c[n], 42, 7, -1, now - 60);
	c[n++].handshake_ms = now - 50;
	/* The flood: connections that never said version. */
	for (int i = 0; i < 19; i++, n++) {
		cand(&c[n], 500 + i, (uint8_t)(60 + i), -1, now - 1000 + i * 50);
		c[n].handshaked = false;
	}
	assert_int_equal(eviction_select(c, (size_t)n, now), 500);
	/* Whatever the order, as long as the flood lasts. */
	for (int round = 1; round < 19; round++) {
		uint64_t v = eviction_select(c, (size_t)n, now);
		assert_true(v >= 500);
		for (int i = 0; i < n; i++)
			if (c[i].id == v)
				c[i] = c[--n];
	}
}

/* With no silent connection to drop, the most recent handshakes are still
 * safe for EVICT_RECENT_MS, then Core's rules apply to them too. */
static void
test_recent_handshake_protected(void **state)
{
	struct eviction_candidate c[40];
	const int64_t now = 1000000;
	int n = 0;

	(void)state;
	for (int i = 0; i < 30; i++, n++)
		cand(&c[n], 100 + i, 7, 50.0 + i, now - 600000 + i * 1000);
	cand(&c[n++], 42, 7, -1, now - 60);
	c[n - 1].handshake_ms = now - 50;
	/* Core alone evicts the youngest of the biggest group: the newcomer. */
	assert_int_equal(eviction_select(c, (size_t)n, now + EVICT_RECENT_MS), 42);
	/* Inside the window it is protected; the youngest of the others
	 * that Core's rules leave (the 4 top keyed netgroups 126-129, the 8
	 * fastest 100-107 and the 9 oldest of the rest 108-116 are safe). */
	assert_int_equal(eviction_select(c, (size_t)n, now), 125);
}

static void
test_repmem_carries_score(void **state)
{
	struct repmem *rm = repmem_new();
	struct reputation r1, r2, r3;
	struct netaddr a, b;

	(void)state;
	netaddr_from_ipv4(&a, 0x0a000001, 1000);
	netaddr_from_ipv4(&b, 0x0a000002, 1000);
	reputation_init(&r1, 100);
	reputation_violation(&r1, REP_MALFORMED, 100);	/* 100 -> 50 */
	repmem_remember(rm, &a, &r1, 100);
	reputation_init(&r2, 200);
	a.port = 2000;	/* another connection, same IP */
	repmem_restore(rm, &a, &r2, 200);
	assert_int_equal(r2.score, 50);
	/* A second malformed message now reaches the ban threshold. */
	assert_true(reputation_violation(&r2, REP_MALFORMED, 201));
	reputation_init(&r3, 200);
	repmem_restore(rm, &b, &r3, 200);
	assert_int_equal(r3.score, REP_START);
	/* Forgotten after a day. */
	reputation_init(&r3, 200);
	repmem_restore(rm, &a, &r3, 100 + 24 * 3600 + 1);
	assert_int_equal(r3.score, REP_START);
	repmem_free(rm);
}

static int
setup(void **state)
{
	(void)state;
	return hash_init();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_protected),
		cmocka_unit_test(test_evicts_youngest_of_biggest_group),
		cmocka_unit_test(test_unmeasured_ping_gets_no_protection),
		cmocka_unit_test(test_newcomer_survives_connection_flood),
		cmocka_unit_test(test_recent_handshake_protected),
		cmocka_unit_test(test_repmem_carries_score),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}

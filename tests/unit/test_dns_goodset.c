/* test_dns_goodset.c -- the seeder's good-node set (sampling, filters, loading from the crawl DB) and rate limiter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../dnsseeder/goodset.h"
#include "../../dnsseeder/ratelimit.h"
#include "chainparams.h"
#include "crawldb.h"
#include "hash.h"
#include "msg.h"
#include "netaddr.h"
#include "strutil.h"

static int
init(void **state)
{
	(void)state;
	return hash_init();
}

static void
test_rng_below(void **state)
{
	struct goodset_rng r;
	unsigned hist[7] = { 0 };

	(void)state;
	goodset_rng_seed(&r);
	for (int i = 0; i < 70000; i++) {
		uint32_t v = goodset_rng_below(&r, 7);

		assert_true(v < 7);
		hist[v]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(hist[i] > 9500 && hist[i] < 10500);
	assert_int_equal(goodset_rng_below(&r, 1), 0);
	/* Two seeds give two sequences. */
	{
		struct goodset_rng a, b;

		goodset_rng_seed(&a);
		goodset_rng_seed(&b);
		assert_true(goodset_rng_below(&a, 0xffffffff) != goodset_rng_below(&b,
		    0xffffffff) || goodset_rng_below(&a, 0xffffffff) !=
		    goodset_rng_below(&b, 0xffffffff));
	}
}

static void
test_sample_basics(void **state)
{
	struct goodset *gs = goodset_new(false);
	struct goodset_rng r;
	const uint8_t *out[GOODSET_MAX_SAMPLE];
	struct netaddr a;

	(void)state;
	goodset_rng_seed(&r);
	/* Before finish: nothing. */
	netaddr_from_ipv4(&a, 0x2c000001, 9001);
	assert_int_equal(goodset_add(gs, &a, NODE_NETWORK, 0), 0);
	assert_int_equal(goodset_sample(gs, GOODSET_V4, 0, 5, &r, out), 0);
	/* A duplicate (other port, other services) is dropped at finish. */
	a.port = 1234;
	assert_int_equal(goodset_add(gs, &a, NODE_NETWORK | NODE_SEED, 0), 0);
	netaddr_from_ipv4(&a, 0x2d000001, 9001);
	assert_int_equal(goodset_add(gs, &a, NODE_NETWORK | NODE_SEED, 0), 0);
	assert_int_equal(netaddr_parse("[2a00:1::1]:9001", 0, &a), 0);
	assert_int_equal(goodset_add(gs, &a, NODE_NETWORK, 0), 0);
	goodset_finish(gs);
	goodset_finish(gs);		/* idempotent */
	assert_int_equal(goodset_add(gs, &a, NODE_NETWORK, 0), -1);	/* sealed */
	assert_int_equal(goodset_size(gs, GOODSET_V4), 2);
	assert_int_equal(goodset_size(gs, GOODSET_V6), 1);
	/* K larger than the set: all of it, distinct. */
	assert_int_equal(goodset_sample(gs, GOODSET_V4, 0, 25, &r, out), 2);
	assert_true(memcmp(out[0], out[1], 4) != 0);
	assert_int_equal(goodset_sample(gs, GOODSET_V4, 0, 0, &r, out), 0);
	assert_int_equal(goodset_sample(gs, GOODSET_V6, 0, 25, &r, out), 1);
	assert_memory_equal(out[0], a.ip, 16);
	/* Filter: NODE_SEED only on 45.0.0.1 (44.0.0.1 kept its first
	 * services). */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(goodset_sample(gs, GOODSET_V4, NODE_SEED, 25, &r, out), 1);
		assert_memory_equal(out[0], "\x2d\x00\x00\x01", 4);
	}
	assert_int_equal(goodset_sample(gs, GOODSET_V6, NODE_SEED, 25, &r, out), 0);
	/* Many filters: the view cache recycles without losing correctness. */
	for (uint64_t m = 1; m < 200; m++)
		(void)goodset_sample(gs, GOODSET_V4, m, 25, &r, out);
	assert_int_equal(goodset_sample(gs, GOODSET_V4, NODE_SEED, 25, &r, out), 1);
	assert_int_equal(goodset_sample(gs, GOODSET_V4, NODE_NETWORK, 25, &r, out), 2);
	goodset_free(gs);
	goodset_free(NULL);
}

/* With K < N, every node is equally likely and a sample never repeats an
 * address. */
static void
test_sample_uniform(void **state)
{
	struct goodset *gs = goodset_new(false);
	struct goodset_rng r;
	const uint8_t *out[GOODSET_MAX_SAMPLE];
	unsigned hist[50] = { 0 };

	(void)state;
	goodset_rng_seed(&r);
	for (uint32_t i = 0; i < 50; i++) {
		struct netaddr a;

		netaddr_from_ipv4(&a, (60u << 24) | (i << 16) | 1, 9001);
		goodset_add(gs, &a, NODE_NETWORK, 0);
	}
	goodset_finish(gs);
	for (int q = 0; q < 5000; q++) {
		bool seen[50] = { false };

		assert_int_equal(goodset_sample(gs, GOODSET_V4, 0, 10, &r, out), 10);
		for (int i = 0; i < 10; i++) {
			assert_int_equal(out[i][0], 60);
			assert_false(seen[out[i][1]]);
			seen[out[i][1]] = true;
			hist[out[i][1]]++;
		}
	}
	/* 1000 expected each; sd about 28. */
	for (int i = 0; i < 50; i++)
		assert_true(hist[i] > 850 && hist[i] < 1150);
	goodset_free(gs);
}

/* Regtest: loopback addresses are each their own netgroup, so a local
 * test network still gets diverse answers. */
static void
test_regtest_groups(void **state)
{
	struct goodset *gs = goodset_new(true);
	struct goodset_rng r;
	const uint8_t *out[GOODSET_MAX_SAMPLE];

	(void)state;
	goodset_rng_seed(&r);
	for (uint32_t i = 1; i <= 5; i++) {
		struct netaddr a;

		netaddr_from_ipv4(&a, (127u << 24) | (7u << 8) | i, 29001);
		goodset_add(gs, &a, NODE_NETWORK, 0);
	}
	goodset_finish(gs);
	assert_int_equal(goodset_sample(gs, GOODSET_V4, 0, 25, &r, out), 5);
	goodset_free(gs);
}

/* The digest tells a changed set from a reloaded copy of the same one. */
static void
test_digest(void **state)
{
	struct goodset *a = goodset_new(false), *b = goodset_new(false),
	    *c = goodset_new(false), *e = goodset_new(false);
	struct netaddr x, y;

	(void)state;
	netaddr_from_ipv4(&x, 0x2c000001, 9001);
	netaddr_from_ipv4(&y, 0x2d000001, 9001);
	goodset_add(a, &x, 1, 0);
	goodset_add(a, &y, 1, 0);
	goodset_add(b, &y, 1, 0);	/* other order */
	goodset_add(b, &x, 1, 0);
	goodset_add(c, &x, 1, 0);
	goodset_add(c, &y, 5, 0);	/* other services */
	goodset_finish(a);
	goodset_finish(b);
	goodset_finish(c);
	goodset_finish(e);
	assert_true(goodset_digest(a) == goodset_digest(b));
	assert_true(goodset_digest(a) != goodset_digest(c));
	assert_true(goodset_digest(a) != goodset_digest(e));
	goodset_free(a);
	goodset_free(b);
	goodset_free(c);
	goodset_free(e);
}

/* A crawl database written through crawldb's API. */
static void
put_node(struct crawldb *db, const char *net, const char *addr, uint64_t svc,
    uint32_t version, int64_t now)
{
	const struct chainparams *p = chainparams_by_name(net);
	struct crawldb_node n;
	char err[256];

	memset(&n, 0, sizeof(n));
	assert_int_equal(netaddr_parse(addr, p->p2p_port, &n.addr), 0);
	str_copy(n.network, net, sizeof(n.network));
	n.services = svc;
	n.version = version;
	n.first_seen = n.last_seen = n.last_try = n.last_success = now;
	n.attempts = n.successes = 1;
	n.asn = 64496;
	assert_int_equal(crawldb_put(db, &n, CRAWLDB_PUT_ALL, err, sizeof(err)), 0);
}

static void
test_load(void **state)
{
	char dir[] = "/tmp/test_dns_goodset.XXXXXX", path[128], err[256];
	const struct chainparams *reg = chainparams_by_name("regtest");
	const struct chainparams *main = chainparams_by_name("mainnet");
	int64_t now = time(NULL);
	struct crawldb *db;
	struct goodset *gs;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/crawl.db", dir);

	/* Missing: NULL with the file named. */
	assert_null(goodset_load(path, reg, now, err, sizeof(err)));
	assert_non_null(strstr(err, path));

	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	put_node(db, "regtest", "127.0.0.1", NODE_NETWORK, PROTO_VERSION, now);
	put_node(db, "regtest", "127.0.0.2", NODE_NETWORK | NODE_SEED, PROTO_VERSION, now);
	put_node(db, "regtest", "[::1]", NODE_NETWORK, PROTO_VERSION, now);
	put_node(db, "regtest", "127.0.0.3", NODE_NETWORK, 0, now);		/* not good */
	put_node(db, "regtest", "127.0.0.4", NODE_RELAY, PROTO_VERSION, now);	/* not good */
	put_node(db, "mainnet", "1.2.3.4", NODE_NETWORK, PROTO_VERSION, now);
	crawldb_close(db);

	gs = goodset_load(path, reg, now, err, sizeof(err));
	assert_non_null(gs);
	assert_string_equal(err, "");
	assert_int_equal(goodset_size(gs, GOODSET_V4), 2);
	assert_int_equal(goodset_size(gs, GOODSET_V6), 1);
	{
		struct goodset_rng r;
		const uint8_t *out[4];

		goodset_rng_seed(&r);
		assert_int_equal(goodset_sample(gs, GOODSET_V4, NODE_SEED, 4, &r, out), 1);
		assert_memory_equal(out[0], "\x7f\x00\x00\x02", 4);
	}
	goodset_free(gs);
	gs = goodset_load(path, main, now, err, sizeof(err));
	assert_non_null(gs);
	assert_int_equal(goodset_size(gs, GOODSET_V4), 1);
	goodset_free(gs);

	/* Corrupt: NULL, never a half set. */
	fp = fopen(path, "r+");
	assert_non_null(fp);
	for (int i = 0; i < 4096; i++)
		fputc(0x5a, fp);
	fclose(fp);
	err[0] = '\0';
	assert_null(goodset_load(path, reg, now, err, sizeof(err)));
	assert_true(err[0] != '\0');

	/* Not a database at all. */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("hello\n", fp);
	fclose(fp);
	assert_null(goodset_load(path, reg, now, err, sizeof(err)));
	assert_non_null(strstr(err, path));

	unlink(path);
	snprintf(path, sizeof(path), "%s/crawl.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/crawl.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

static bool
allow(struct ratelimit *rl, const struct sockaddr *src, uint64_t now_ms)
{
	return ratelimit_check(rl, src, now_ms) == RATELIMIT_PASS;
}

static void
test_ratelimit(void **state)
{
	struct ratelimit *rl = ratelimit_new(10, 20, 0);
	struct sockaddr_in a, b;
	struct sockaddr_in6 c;
	struct sockaddr un = { .sa_family = AF_UNIX };
	int ok = 0;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	b = a;
	inet_pton(AF_INET, "192.0.2.200", &b.sin_addr);	/* same /24 */
	/* A burst of 20, then nothing in the same millisecond. */
	for (int i = 0; i < 30; i++)
		ok += allow(rl, (struct sockaddr *)(i % 2 ? &a : &b), 1000);
	assert_int_equal(ok, 20);
	/* 10/s: 100 ms buys one more. */
	assert_false(allow(rl, (struct sockaddr *)&a, 1050));
	assert_true(allow(rl, (struct sockaddr *)&a, 1150));
	assert_false(allow(rl, (struct sockaddr *)&a, 1150));
	/* Long idle: full again but not beyond the burst. */
	ok = 0;
	for (int i = 0; i < 30; i++)
		ok += allow(rl, (struct sockaddr *)&a, UINT64_C(1) << 60);
	assert_int_equal(ok, 20);
	/* Another /24 has its own bucket. */
	inet_pton(AF_INET, "192.0.3.1", &b.sin_addr);
	assert_true(allow(rl, (struct sockaddr *)&b, 1150));
	/* IPv6 by /56. */
	memset(&c, 0, sizeof(c));
	c.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:0:100::1", &c.sin6_addr);
	ok = 0;
	for (int i = 0; i < 30; i++) {
		c.sin6_addr.s6_addr[15] = (uint8_t)i;
		c.sin6_addr.s6_addr[7] = (uint8_t)i;	/* inside the /56 */
		ok += allow(rl, (struct sockaddr *)&c, 5000);
	}
	assert_int_equal(ok, 20);
	/* Unknown families pass. */
	assert_true(allow(rl, &un, 5000));
	ratelimit_free(rl);
}

/* Issue 15 item 5: with one global slip count, two limited /24s taking
 * turns saw every slip go to one of them (61 vs 0).  Each bucket counts
 * its own. */
static void
test_ratelimit_slips_counted_per_source(void **state)
{
	struct ratelimit *rl = ratelimit_new(5, 5, 2);
	struct sockaddr_in a, b;
	int pass[2] = { 0, 0 }, slip[2] = { 0, 0 }, drop[2] = { 0, 0 };

	(void)state;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	b = a;
	inet_pton(AF_INET, "198.51.100.1", &b.sin_addr);
	for (int i = 0; i < 40; i++) {
		int k = i % 2;

		switch (ratelimit_check(rl, (struct sockaddr *)(k ? &b : &a), 1000)) {
		case RATELIMIT_PASS: pass[k]++; break;
		case RATELIMIT_SLIP: slip[k]++; break;
		case RATELIMIT_DROP: drop[k]++; break;
		}
	}
	for (int k = 0; k < 2; k++) {
		assert_int_equal(pass[k], 5);
		assert_int_equal(slip[k], 7);	/* every 2nd of 15 over the limit */
		assert_int_equal(drop[k], 8);
	}
	ratelimit_free(rl);
	/* Slip 0: every reply over the limit is dropped. */
	rl = ratelimit_new(1, 1, 0);
	assert_int_equal(ratelimit_check(rl, (struct sockaddr *)&a, 1), RATELIMIT_PASS);
	for (int i = 0; i < 10; i++)
		assert_int_equal(ratelimit_check(rl, (struct sockaddr *)&a, 1), RATELIMIT_DROP);
	ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_below),
		cmocka_unit_test(test_sample_basics),
		cmocka_unit_test(test_sample_uniform),
		cmocka_unit_test(test_regtest_groups),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_ratelimit_slips_counted_per_source),
	};

	return cmocka_run_group_tests(tests, init, NULL);
}

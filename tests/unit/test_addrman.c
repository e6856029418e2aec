/* test_addrman.c -- the address book (node/addrman.c): bucketing, eviction, selection, persistence. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../node/addrman.h"
#include "buf.h"
#include "hash.h"
#include "netaddr.h"

#define NOW	((int64_t)1700000000)
#define HOUR	((int64_t)3600)
#define DAY	(24 * HOUR)
#define PORT	9333

static const uint8_t KEY[ADDRMAN_KEYLEN] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
};
static const uint8_t KEY2[ADDRMAN_KEYLEN] = {
	16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1
};

static char tmpdir[64];

static struct netaddr
ip4(unsigned a, unsigned b, unsigned c, unsigned d, uint16_t port)
{
	struct netaddr n;

	netaddr_from_ipv4(&n, (uint32_t)a << 24 | b << 16 | c << 8 | d, port);
	return n;
}

/* The Ith of many distinct routable addresses, spread over many /16s. */
static struct netaddr
addr_n(unsigned i)
{
	return ip4(20 + i % 60, (i / 60) & 255, (i / 15360) & 255, 1, PORT);
}

/* The Ith of many distinct source addresses, each in its own /16. */
static struct netaddr
src_n(unsigned i)
{
	return ip4(80 + i % 20, (i / 20) & 255, 7, 7, PORT);
}

static struct addrman *
book(void)
{
	return addrman_new(false, KEY);
}

static void
assert_consistent(const struct addrman *am)
{
	char err[256];

	if (addrman_check(am, err, sizeof(err)) != 0)
		fail_msg("addrman_check: %s", err);
}

/* Where ADDR from SRC lands in the new table under KEY. */
static void
probe_new_slot(const struct netaddr *addr, const struct netaddr *src, int *b,
    int *p)
{
	struct addrman *am = book();
	struct addrman_info info;

	assert_true(addrman_add(am, addr, 1, NOW, src, 0, NOW));
	assert_int_equal(addrman_find(am, addr, &info), 0);
	*b = info.bucket;
	*p = info.position;
	addrman_free(am);
}

/* Where ADDR lands in the tried table under KEY. */
static void
probe_tried_slot(const struct netaddr *addr, int *b, int *p)
{
	struct addrman *am = book();
	struct addrman_info info;
	struct netaddr src = ip4(8, 8, 8, 8, PORT);

	assert_true(addrman_add(am, addr, 1, NOW, &src, 0, NOW));
	assert_true(addrman_good(am, addr, NOW));
	assert_int_equal(addrman_find(am, addr, &info), 0);
	*b = info.bucket;
	*p = info.position;
	addrman_free(am);
}

/* Recompute the trailing checksum after editing a serialised book. */
static void
resum(uint8_t *data, size_t len)
{
	hash_sha256d(data, len - 32, data + len - 32);
}

static struct addrman *
must_deserialize(const uint8_t *data, size_t len, bool allow_private)
{
	char err[256];
	struct addrman *am;

	am = addrman_deserialize(data, len, allow_private, err, sizeof(err));
	if (am == NULL)
		fail_msg("deserialize: %s", err);
	return am;
}

/* Deserialising must fail with an error containing WANT. */
static void
assert_rejects(const uint8_t *data, size_t len, const char *want)
{
	char err[256] = "";
	struct addrman *am;

	am = addrman_deserialize(data, len, false, err, sizeof(err));
	if (am != NULL) {
		addrman_free(am);
		fail_msg("accepted a bad book, wanted \"%s\"", want);
	}
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, want);
}

/*
 * Adding and validation.
 */

static void
test_empty(void **state)
{
	struct addrman *am = book();
	struct addrman_info info, out[4];
	struct addrman_stats st;
	struct netaddr a = addr_n(1);

	(void)state;
	assert_int_equal(addrman_size(am), 0);
	assert_int_equal(addrman_select(am, false, NOW, &info), -1);
	assert_int_equal(addrman_select(am, true, NOW, &info), -1);
	assert_int_equal(addrman_get_addr(am, 0, 0, NOW, out, 4), 0);
	assert_int_equal(addrman_find(am, &a, &info), -1);
	assert_false(addrman_good(am, &a, NOW));
	addrman_attempt(am, &a, true, NOW);
	addrman_connected(am, &a, NOW);
	addrman_set_services(am, &a, 1);
	assert_false(addrman_is_terrible(am, &a, NOW));
	addrman_get_stats(am, &st);
	assert_int_equal(st.n_new + st.n_tried + st.new_buckets_used +
	    st.tried_buckets_used, 0);
	assert_consistent(am);
	addrman_free(am);
	addrman_free(NULL);
}

static void
test_invalid_rejected(void **state)
{
	static const char *bad[] = {
		"169.254.1.1:9333",
		"0.0.0.1:9333", "224.0.0.1:9333", "255.255.255.255:9333",
		"192.0.2.1:9333",
		"[fe80::1]:9333", "[2001:db8::1]:9333",
	};
	/* Kept on mainnet too (a LAN network's book); connman and addrrelay
	 * decide whether they may be dialled or relayed. */
	static const char *local[] = {
		"127.0.0.1:9333", "10.1.2.3:9333", "192.168.1.1:9333",
		"172.16.0.1:9333", "100.64.0.1:9333", "[::1]:9333", "[fd00::1]:9333",
	};
	struct addrman *main_am = book(), *reg = addrman_new(true, KEY);
	struct netaddr a, src = ip4(8, 8, 8, 8, PORT), zero = ip4(1, 2, 3, 4, 0);

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(netaddr_parse(bad[i], PORT, &a), 0);
		if (addrman_add(main_am, &a, 1, NOW, &src, 0, NOW))
			fail_msg("mainnet accepted %s", bad[i]);
	}
	assert_false(addrman_add(main_am, &zero, 1, NOW, &src, 0, NOW));
	assert_false(addrman_add(reg, &zero, 1, NOW, &src, 0, NOW));
	assert_int_equal(addrman_size(main_am), 0);
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		struct addrman *one = book();
		assert_int_equal(netaddr_parse(local[i], PORT, &a), 0);
		if (!addrman_add(one, &a, 1, NOW, &src, 0, NOW))
			fail_msg("mainnet refused %s", local[i]);
		addrman_free(one);
	}

	/* Regtest takes loopback and private, each in its own group. */
	assert_int_equal(netaddr_parse("127.0.0.1:9333", PORT, &a), 0);
	assert_true(addrman_add(reg, &a, 1, NOW, &src, 0, NOW));
	assert_int_equal(netaddr_parse("10.1.2.3:9333", PORT, &a), 0);
	assert_true(addrman_add(reg, &a, 1, NOW, &src, 0, NOW));
	assert_int_equal(addrman_size(reg), 2);

	/* Routable v4 and v6 go in on mainnet. */
	assert_int_equal(netaddr_parse("[2a00:1450::1]:9333", PORT, &a), 0);
	assert_true(addrman_add(main_am, &a, 1, NOW, &src, 0, NOW));
	a = ip4(1, 2, 3, 4, PORT);
	assert_true(addrman_add(main_am, &a, 1, NOW, &src, 0, NOW));
	assert_int_equal(addrman_size(main_am), 2);
	assert_consistent(main_am);
	assert_consistent(reg);
	addrman_free(main_am);
	addrman_free(reg);
}

static void
test_add_fields_and_penalty(void **state)
{
	struct addrman *am = book();
	struct netaddr a = ip4(1, 2, 3, 4, PORT), b = ip4(5, 6, 7, 8, PORT);
	struct netaddr src = ip4(8, 8, 8, 8, PORT);
	struct addrman_info info;

	(void)state;
	assert_true(addrman_add(am, &a, 9, NOW - HOUR, &src, 2 * HOUR, NOW));
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_true(netaddr_equal(&info.addr, &a));
	assert_true(netaddr_equal(&info.source, &src));
	assert_int_equal(info.services, 9);
	assert_int_equal(info.time, NOW - 3 * HOUR);
	assert_int_equal(info.last_try, 0);
	assert_int_equal(info.last_success, 0);
	assert_int_equal(info.attempts, 0);
	assert_false(info.tried);
	assert_int_equal(info.ref_count, 1);
	assert_in_range(info.bucket, 0, ADDRMAN_NEW_BUCKETS - 1);
	assert_in_range(info.position, 0, ADDRMAN_BUCKET_SIZE - 1);

	/* A self-announcement carries no penalty. */
	assert_true(addrman_add(am, &b, 1, NOW, &b, 2 * HOUR, NOW));
	assert_int_equal(addrman_find(am, &b, &info), 0);
	assert_int_equal(info.time, NOW);

	/* A time below the epoch after the penalty clamps to 0. */
	a = ip4(1, 2, 3, 5, PORT);
	assert_true(addrman_add(am, &a, 1, 100, &src, 2 * HOUR, NOW));
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.time, 0);
	assert_consistent(am);
	addrman_free(am);
}

static void
test_add_update_rules(void **state)
{
	struct addrman *am = book();
	struct netaddr a = ip4(1, 2, 3, 4, PORT), z = ip4(9, 9, 9, 9, PORT);
	struct netaddr src = ip4(8, 8, 8, 8, PORT);
	struct addrman_info info;

	(void)state;
	assert_true(addrman_add(am, &a, 1, NOW - 2 * HOUR, &src, 2 * HOUR, NOW));
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.time, NOW - 4 * HOUR);

	/* 30 minutes newer is not news; services are ORed regardless. */
	assert_false(addrman_add(am, &a, 4, NOW - 90 * 60, &src, 2 * HOUR, NOW));
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.time, NOW - 4 * HOUR);
	assert_int_equal(info.services, 5);

	/* Seen within 24 h: refreshed once more than an hour newer. */
	addrman_add(am, &a, 0, NOW, &a, 0, NOW);
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.time, NOW);
	assert_int_equal(addrman_size(am), 1);

	/* Not seen for a day: only refreshed when 24 h newer. */
	assert_true(addrman_add(am, &z, 1, NOW - 10 * DAY, &z, 0, NOW));
	addrman_add(am, &z, 1, NOW - 10 * DAY + 20 * HOUR, &z, 0, NOW);
	assert_int_equal(addrman_find(am, &z, &info), 0);
	assert_int_equal(info.time, NOW - 10 * DAY);
	addrman_add(am, &z, 1, NOW - 2 * DAY, &z, 0, NOW);
	assert_int_equal(addrman_find(am, &z, &info), 0);
	assert_int_equal(info.time, NOW - 2 * DAY);
	assert_consistent(am);
	addrman_free(am);
}

static void
test_set_services_and_connected(void **state)
{
	struct addrman *am = book();
	struct netaddr a = ip4(1, 2, 3, 4, PORT);
	struct addrman_info info;

	(void)state;
	assert_true(addrman_add(am, &a, 3, NOW - HOUR, &a, 0, NOW));
	addrman_set_services(am, &a, 8);
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.services, 8);

	addrman_connected(am, &a, NOW);
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.time, NOW);
	/* At most every 20 minutes. */
	addrman_connected(am, &a, NOW + 20 * 60);
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.time, NOW);
	addrman_connected(am, &a, NOW + 20 * 60 + 1);
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.time, NOW + 20 * 60 + 1);
	addrman_free(am);
}

/*
 * Eclipse resistance: bucket spreading.
 */

static void
test_one_source_at_most_64_buckets(void **state)
{
	struct addrman *am = book();
	struct netaddr src = ip4(8, 8, 8, 8, PORT), src2 = ip4(8, 8, 200, 3, PORT);
	struct netaddr a;
	struct addrman_stats st;

	(void)state;
	for (unsigned i = 0; i < 10000; i++) {
		a = addr_n(i);
		/* Two hosts in one /16 count as one source. */
		addrman_add(am, &a, 1, NOW, i % 2 ? &src : &src2, 0, NOW);
	}
	addrman_get_stats(am, &st);
	assert_true(st.new_buckets_used <= ADDRMAN_NEW_BUCKETS_PER_SOURCE);
	assert_true(st.new_buckets_used >= ADDRMAN_NEW_BUCKETS_PER_SOURCE / 2);
	assert_true(addrman_size(am) <= 64 * ADDRMAN_BUCKET_SIZE);
	assert_int_equal(st.n_tried, 0);
	assert_int_equal(st.n_new, addrman_size(am));
	assert_consistent(am);
	addrman_free(am);
}

static void
test_many_sources_spread(void **state)
{
	struct addrman *am = book();
	struct netaddr a, s;
	struct addrman_stats st;

	(void)state;
	for (unsigned i = 0; i < 5000; i++) {
		a = addr_n(i);
		s = src_n(i);
		addrman_add(am, &a, 1, NOW, &s, 0, NOW);
	}
	addrman_get_stats(am, &st);
	assert_true(st.new_buckets_used > 900);
	assert_true(addrman_size(am) > 4800);
	assert_consistent(am);
	addrman_free(am);
}

static void
test_one_group_at_most_8_tried_buckets(void **state)
{
	struct addrman *am = book(), *spread = book();
	struct netaddr a, s;
	struct addrman_stats st;

	(void)state;
	for (unsigned i = 0; i < 1500; i++) {
		/* All in 50.60.0.0/16, told by many sources. */
		a = ip4(50, 60, i / 250, 1 + i % 250, PORT);
		s = src_n(i);
		addrman_add(am, &a, 1, NOW, &s, 0, NOW);
		addrman_good(am, &a, NOW + i * 5 * HOUR);
		a = addr_n(i);
		addrman_add(spread, &a, 1, NOW, &s, 0, NOW);
		addrman_good(spread, &a, NOW);
	}
	addrman_get_stats(am, &st);
	assert_true(st.tried_buckets_used <= ADDRMAN_TRIED_BUCKETS_PER_GROUP);
	assert_true(st.tried_buckets_used >= 4);
	assert_true(st.n_tried <= ADDRMAN_TRIED_BUCKETS_PER_GROUP * ADDRMAN_BUCKET_SIZE);
	assert_true(st.n_tried > 200);
	assert_consistent(am);

	/* Control: many groups spread over far more tried buckets. */
	addrman_get_stats(spread, &st);
	assert_true(st.tried_buckets_used > 200);
	assert_consistent(spread);
	addrman_free(am);
	addrman_free(spread);
}

/*
 * good, attempt, tried-table collisions, new-table collisions.
 */

static void
test_good_moves_to_tried(void **state)
{
	struct addrman *am = book();
	struct netaddr a = ip4(1, 2, 3, 4, PORT), src = ip4(8, 8, 8, 8, PORT);
	struct addrman_info info;
	struct addrman_stats st;

	(void)state;
	assert_true(addrman_add(am, &a, 1, NOW, &src, 0, NOW));
	addrman_attempt(am, &a, true, NOW + 5);
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.attempts, 1);

	assert_true(addrman_good(am, &a, NOW + 10));
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_true(info.tried);
	assert_int_equal(info.ref_count, 0);
	assert_int_equal(info.last_success, NOW + 10);
	assert_int_equal(info.last_try, NOW + 10);
	assert_int_equal(info.attempts, 0);
	assert_int_equal(info.time, NOW);	/* good() never leaks it */
	assert_in_range(info.bucket, 0, ADDRMAN_TRIED_BUCKETS - 1);
	addrman_get_stats(am, &st);
	assert_int_equal(st.n_new, 0);
	assert_int_equal(st.n_tried, 1);
	assert_int_equal(st.new_buckets_used, 0);
	assert_int_equal(st.tried_buckets_used, 1);

	/* Again: already tried.  Re-adding a tried address does nothing. */
	assert_false(addrman_good(am, &a, NOW + 20));
	assert_false(addrman_add(am, &a, 2, NOW + DAY, &src, 0, NOW + DAY));
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_true(info.tried);
	assert_int_equal(info.services, 3);
	assert_int_equal(addrman_size(am), 1);
	assert_consistent(am);
	addrman_free(am);
}

static void
test_attempt_counts_once_per_good(void **state)
{
	struct addrman *am = book();
	struct netaddr a = ip4(1, 2, 3, 4, PORT), b = ip4(5, 6, 7, 8, PORT);
	struct addrman_info info;

	(void)state;
	addrman_add(am, &a, 1, NOW, &a, 0, NOW);
	addrman_add(am, &b, 1, NOW, &b, 0, NOW);
	addrman_attempt(am, &a, false, NOW + 1);
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.last_try, NOW + 1);
	assert_int_equal(info.attempts, 0);

	addrman_attempt(am, &a, true, NOW + 2);
	addrman_attempt(am, &a, true, NOW + 3);
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.attempts, 1);	/* offline? count once */
	assert_int_equal(info.last_try, NOW + 3);

	addrman_good(am, &b, NOW + 4);
	addrman_attempt(am, &a, true, NOW + 5);
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.attempts, 2);
	addrman_free(am);
}

struct slot_search {
	bool		tried;
	int		bucket;
	int		position;
	bool		hit;
	struct netaddr	found;
};

static void
slot_match(const struct addrman_info *info, void *arg)
{
	struct slot_search *ss = arg;

	if (info->tried == ss->tried && info->bucket == ss->bucket &&
	    info->position == ss->position) {
		ss->found = info->addr;
		ss->hit = true;
	}
}

/* Two addresses in one /16 whose tried slots coincide: fill a book until
 * good() cannot move an address, then find who holds its slot. */
static void
find_tried_collision(struct netaddr *x, struct netaddr *y)
{
	struct addrman *am = book();
	struct slot_search ss;
	struct netaddr s;

	memset(&ss, 0, sizeof(ss));
	for (unsigned i = 0; i < 2000; i++) {
		*y = ip4(50, 60, i / 250, 1 + i % 250, PORT);
		s = src_n(i);
		if (!addrman_add(am, y, 1, NOW, &s, 0, NOW) ||
		    addrman_good(am, y, NOW))
			continue;
		ss.tried = true;
		probe_tried_slot(y, &ss.bucket, &ss.position);
		addrman_foreach(am, slot_match, &ss);
		assert_true(ss.hit);
		*x = ss.found;
		addrman_free(am);
		return;
	}
	fail_msg("no tried collision found");
}

/* Two addresses that one source puts in the same new slot. */
static void
find_new_collision(const struct netaddr *src, struct netaddr *x,
    struct netaddr *y)
{
	struct addrman *am = book();
	struct slot_search ss;

	memset(&ss, 0, sizeof(ss));
	for (unsigned i = 0; i < 5000; i++) {
		*y = addr_n(i);
		if (addrman_add(am, y, 1, NOW, src, 0, NOW))
			continue;
		probe_new_slot(y, src, &ss.bucket, &ss.position);
		addrman_foreach(am, slot_match, &ss);
		assert_true(ss.hit);
		*x = ss.found;
		addrman_free(am);
		return;
	}
	fail_msg("no new collision found");
}

static void
test_tried_collision(void **state)
{
	struct addrman *am = book();
	struct netaddr x, y, src = ip4(8, 8, 8, 8, PORT);
	struct addrman_info ix, iy;

	(void)state;
	find_tried_collision(&x, &y);
	assert_true(addrman_add(am, &x, 1, NOW, &src, 0, NOW));
	assert_true(addrman_add(am, &y, 1, NOW, &src, 0, NOW));
	assert_true(addrman_good(am, &x, NOW));

	/* X succeeded under 4 h ago: it keeps the slot, Y stays in new. */
	assert_false(addrman_good(am, &y, NOW + HOUR));
	assert_int_equal(addrman_find(am, &y, &iy), 0);
	assert_false(iy.tried);
	assert_int_equal(iy.ref_count, 1);
	assert_int_equal(iy.last_success, NOW + HOUR);
	assert_int_equal(addrman_find(am, &x, &ix), 0);
	assert_true(ix.tried);
	assert_consistent(am);

	/* Later, X's success is stale: Y takes the slot, X goes back to new
	 * into the bucket of its own source. */
	assert_true(addrman_good(am, &y, NOW + 5 * HOUR));
	assert_int_equal(addrman_find(am, &y, &iy), 0);
	assert_true(iy.tried);
	assert_int_equal(addrman_find(am, &x, &ix), 0);
	assert_false(ix.tried);
	assert_int_equal(ix.ref_count, 1);
	assert_int_equal(ix.last_success, NOW);
	assert_int_equal(addrman_size(am), 2);
	assert_consistent(am);
	addrman_free(am);
}

static void
test_new_collision_replaces_only_terrible(void **state)
{
	struct addrman *am;
	struct netaddr x, y, src = ip4(8, 8, 8, 8, PORT);
	struct addrman_info info;
	int bx, px;

	(void)state;
	find_new_collision(&src, &x, &y);
	probe_new_slot(&x, &src, &bx, &px);

	/* The occupant is fine: the newcomer is dropped. */
	am = book();
	assert_true(addrman_add(am, &x, 1, NOW, &src, 0, NOW));
	assert_false(addrman_add(am, &y, 1, NOW, &src, 0, NOW));
	assert_int_equal(addrman_find(am, &y, &info), -1);
	assert_int_equal(addrman_find(am, &x, &info), 0);
	assert_int_equal(addrman_size(am), 1);
	assert_consistent(am);
	addrman_free(am);

	/* The occupant is terrible (not heard of in 31 days): replaced. */
	am = book();
	assert_true(addrman_add(am, &x, 1, NOW - 31 * DAY, &src, 0, NOW));
	assert_true(addrman_add(am, &y, 1, NOW, &src, 0, NOW));
	assert_int_equal(addrman_find(am, &x, &info), -1);
	assert_int_equal(addrman_find(am, &y, &info), 0);
	assert_int_equal(info.bucket, bx);
	assert_int_equal(info.position, px);
	assert_int_equal(addrman_size(am), 1);
	assert_consistent(am);
	addrman_free(am);
}

static void
test_ref_count_capped(void **state)
{
	struct addrman *am = book();
	struct netaddr a = ip4(1, 2, 3, 4, PORT), s;
	struct addrman_info info;
	int max_seen = 0;

	(void)state;
	assert_true(addrman_add(am, &a, 1, NOW - DAY, &a, 0, NOW));
	for (unsigned i = 0; i < 2000; i++) {
		s = src_n(i);
		/* Ever fresher news from ever more sources. */
		addrman_add(am, &a, 1, NOW - DAY + (int64_t)(i + 1) * 2 * HOUR, &s,
		    0, NOW + DAY * 200);
		assert_int_equal(addrman_find(am, &a, &info), 0);
		assert_true(info.ref_count <= ADDRMAN_NEW_BUCKETS_PER_ADDRESS);
		if (info.ref_count > max_seen)
			max_seen = info.ref_count;
	}
	assert_true(max_seen >= 4);
	assert_int_equal(addrman_size(am), 1);
	assert_consistent(am);

	/* Good clears every new reference. */
	assert_true(addrman_good(am, &a, NOW));
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.ref_count, 0);
	assert_true(info.tried);
	assert_consistent(am);
	addrman_free(am);
}

/*
 * IsTerrible.
 */

static void
test_terrible_rules(void **state)
{
	struct addrman *am = book();
	struct netaddr a, other = ip4(99, 1, 1, 1, PORT);
	struct addrman_info info;
	int64_t t;

	(void)state;
	addrman_add(am, &other, 1, NOW, &other, 0, NOW);

	/* Fresh: fine. */
	a = ip4(1, 0, 0, 1, PORT);
	addrman_add(am, &a, 1, NOW, &a, 0, NOW);
	assert_false(addrman_is_terrible(am, &a, NOW));

	/* From the future: more than 10 minutes ahead. */
	a = ip4(1, 0, 0, 2, PORT);
	addrman_add(am, &a, 1, NOW + 11 * 60, &a, 0, NOW);
	assert_true(addrman_is_terrible(am, &a, NOW));
	a = ip4(1, 0, 0, 3, PORT);
	addrman_add(am, &a, 1, NOW + 9 * 60, &a, 0, NOW);
	assert_false(addrman_is_terrible(am, &a, NOW));

	/* Not heard of in 30 days. */
	a = ip4(1, 0, 0, 4, PORT);
	addrman_add(am, &a, 1, NOW - 31 * DAY, &a, 0, NOW);
	assert_true(addrman_is_terrible(am, &a, NOW));
	a = ip4(1, 0, 0, 5, PORT);
	addrman_add(am, &a, 1, NOW - 29 * DAY, &a, 0, NOW);
	assert_false(addrman_is_terrible(am, &a, NOW));

	/* ... but never what we tried in the last minute. */
	a = ip4(1, 0, 0, 4, PORT);
	addrman_attempt(am, &a, false, NOW);
	assert_false(addrman_is_terrible(am, &a, NOW + 60));
	assert_true(addrman_is_terrible(am, &a, NOW + 61));

	/* Three attempts and never a success. */
	a = ip4(1, 0, 0, 6, PORT);
	addrman_add(am, &a, 1, NOW, &a, 0, NOW);
	for (int i = 0; i < 3; i++) {
		addrman_good(am, &other, NOW + 2 * i);
		addrman_attempt(am, &a, true, NOW + 2 * i + 1);
		assert_int_equal(addrman_find(am, &a, &info), 0);
		assert_int_equal(info.attempts, i + 1);
		if (i < 2)
			assert_false(addrman_is_terrible(am, &a, NOW + 100));
	}
	assert_true(addrman_is_terrible(am, &a, NOW + 100));

	/* Ten failures and no success in a week. */
	a = ip4(1, 0, 0, 7, PORT);
	addrman_add(am, &a, 1, NOW, &a, 0, NOW);
	assert_true(addrman_good(am, &a, NOW));
	t = NOW;
	for (int i = 0; i < 10; i++) {
		addrman_good(am, &other, ++t);
		addrman_attempt(am, &a, true, ++t);
	}
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_int_equal(info.attempts, 10);
	assert_int_equal(info.last_success, NOW);
	assert_false(addrman_is_terrible(am, &a, NOW + 6 * DAY));
	assert_true(addrman_is_terrible(am, &a, NOW + 8 * DAY));
	/* Nine would not do. */
	a = ip4(1, 0, 0, 8, PORT);
	addrman_add(am, &a, 1, NOW, &a, 0, NOW);
	assert_true(addrman_good(am, &a, NOW));
	for (int i = 0; i < 9; i++) {
		addrman_good(am, &other, ++t);
		addrman_attempt(am, &a, true, ++t);
	}
	assert_false(addrman_is_terrible(am, &a, NOW + 8 * DAY));
	assert_consistent(am);
	addrman_free(am);
}

/*
 * select.
 */

static void
test_select_tables(void **state)
{
	struct addrman *am = book();
	struct netaddr s, a;
	struct addrman_info info;
	int n_tried = 0, n_new = 0;

	(void)state;
	a = ip4(1, 2, 3, 4, PORT);
	addrman_add(am, &a, 1, NOW, &a, 0, NOW);
	assert_int_equal(addrman_select(am, false, NOW, &info), 0);
	assert_true(netaddr_equal(&info.addr, &a));
	assert_false(info.tried);
	assert_true(addrman_good(am, &a, NOW));
	/* Only tried: new_only finds nothing. */
	assert_int_equal(addrman_select(am, true, NOW, &info), -1);
	assert_int_equal(addrman_select(am, false, NOW, &info), 0);
	assert_true(info.tried);

	for (unsigned i = 0; i < 50; i++) {
		a = addr_n(i);
		s = src_n(i);
		addrman_add(am, &a, 1, NOW, &s, 0, NOW);
		if (i % 2)
			addrman_good(am, &a, NOW);
	}
	for (int i = 0; i < 400; i++) {
		assert_int_equal(addrman_select(am, false, NOW + HOUR, &info), 0);
		if (info.tried)
			n_tried++;
		else
			n_new++;
		assert_int_equal(addrman_select(am, true, NOW + HOUR, &info), 0);
		assert_false(info.tried);
	}
	/* 50/50 between the tables. */
	assert_in_range(n_tried, 120, 280);
	assert_in_range(n_new, 120, 280);
	addrman_free(am);
}

static void
test_select_prefers_untried(void **state)
{
	struct addrman *am = book();
	struct netaddr a = ip4(1, 2, 3, 4, PORT), b = ip4(5, 6, 7, 8, PORT);
	struct addrman_info info;
	int n_a = 0;

	(void)state;
	addrman_add(am, &a, 1, NOW, &a, 0, NOW);
	addrman_add(am, &b, 1, NOW, &b, 0, NOW);
	/* B was tried a minute ago: a hundred times less likely. */
	addrman_attempt(am, &b, false, NOW);
	for (int i = 0; i < 300; i++) {
		assert_int_equal(addrman_select(am, true, NOW + 60, &info), 0);
		n_a += netaddr_equal(&info.addr, &a);
	}
	assert_true(n_a >= 270);
	addrman_free(am);
}

/*
 * get_addr.
 */

static int
cmp_info(const void *x, const void *y)
{
	return netaddr_cmp(&((const struct addrman_info *)x)->addr,
	    &((const struct addrman_info *)y)->addr);
}

static void
test_get_addr_limits(void **state)
{
	struct addrman *am = book();
	struct addrman_info *out;
	struct netaddr a, s;
	size_t n, got, terrible = 0, cap = 8000;

	(void)state;
	out = calloc(cap, sizeof(*out));
	assert_non_null(out);
	for (unsigned i = 0; i < 1000; i++) {
		a = addr_n(i);
		s = src_n(i);
		/* Every tenth is long unheard of. */
		addrman_add(am, &a, 1, i % 10 ? NOW : NOW - 40 * DAY, &s, 0, NOW);
	}
	n = addrman_size(am);
	for (unsigned i = 0; i < 1000; i++) {
		a = addr_n(i);
		terrible += addrman_is_terrible(am, &a, NOW);
	}
	assert_true(terrible > 50);

	/* 23 % of the book, none terrible, no duplicates. */
	got = addrman_get_addr(am, ADDRMAN_GETADDR_MAX, ADDRMAN_GETADDR_PCT, NOW,
	    out, cap);
	assert_int_equal(got, n * 23 / 100);
	qsort(out, got, sizeof(*out), cmp_info);
	for (size_t i = 0; i < got; i++) {
		assert_false(addrman_is_terrible(am, &out[i].addr, NOW));
		if (i > 0)
			assert_false(netaddr_equal(&out[i - 1].addr, &out[i].addr));
	}

	/* No limits: every good address exactly once. */
	got = addrman_get_addr(am, 0, 0, NOW, out, cap);
	assert_int_equal(got, n - terrible);
	qsort(out, got, sizeof(*out), cmp_info);
	for (size_t i = 1; i < got; i++)
		assert_false(netaddr_equal(&out[i - 1].addr, &out[i].addr));

	/* The output capacity is honoured. */
	assert_int_equal(addrman_get_addr(am, 0, 0, NOW, out, 7), 7);

	/* 23 % of a big book is over 1000: the cap wins. */
	for (unsigned i = 1000; i < 6000; i++) {
		a = addr_n(i);
		s = src_n(i);
		addrman_add(am, &a, 1, NOW, &s, 0, NOW);
	}
	assert_true(addrman_size(am) * 23 / 100 > 1000);
	assert_int_equal(addrman_get_addr(am, ADDRMAN_GETADDR_MAX,
	    ADDRMAN_GETADDR_PCT, NOW, out, cap), 1000);
	assert_consistent(am);
	free(out);
	addrman_free(am);
}

/*
 * Persistence.
 */

/* A book with new, tried, multi-referenced, failing and aged entries. */
static struct addrman *
rich_book(bool allow_private)
{
	struct addrman *am = addrman_new(allow_private, KEY);
	struct netaddr a, s;
	struct addrman_info info;

	for (unsigned i = 0; i < 400; i++) {
		a = addr_n(i);
		s = src_n(i % 37);
		addrman_add(am, &a, i, NOW - (int64_t)i * 600, &s, 2 * HOUR, NOW);
		if (i % 5 == 0)
			addrman_good(am, &a, NOW + i);
		if (i % 7 == 0)
			addrman_attempt(am, &a, true, NOW + i);
		if (i % 11 == 0)
			addrman_connected(am, &a, NOW + 3 * HOUR);
	}
	a = ip4(1, 2, 3, 4, PORT);
	for (unsigned i = 0; i < 300; i++) {
		s = src_n(i);
		addrman_add(am, &a, 1, NOW + (int64_t)i * 2 * HOUR, &s, 0,
		    NOW + 100 * DAY);
	}
	assert_int_equal(addrman_find(am, &a, &info), 0);
	assert_true(info.ref_count >= 2);
	return am;
}

static void
same_entry(const struct addrman_info *info, void *arg)
{
	const struct addrman *other = arg;
	struct addrman_info o;

	assert_int_equal(addrman_find(other, &info->addr, &o), 0);
	assert_true(netaddr_equal(&info->source, &o.source));
	assert_int_equal(info->services, o.services);
	assert_int_equal(info->time, o.time);
	assert_int_equal(info->last_try, o.last_try);
	assert_int_equal(info->last_success, o.last_success);
	assert_int_equal(info->attempts, o.attempts);
	assert_int_equal(info->tried, o.tried);
	assert_int_equal(info->ref_count, o.ref_count);
	assert_int_equal(info->bucket, o.bucket);
	assert_int_equal(info->position, o.position);
}

static void
test_save_load_roundtrip(void **state)
{
	struct addrman *am = rich_book(false), *back;
	struct addrman_stats s1, s2;
	struct wbuf w1, w2;
	char path[128], err[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/peers.dat", tmpdir);
	assert_int_equal(addrman_save(am, path, err, sizeof(err)), 0);
	back = addrman_load(path, false, err, sizeof(err));
	if (back == NULL)
		fail_msg("load: %s", err);
	assert_consistent(back);
	assert_int_equal(addrman_size(back), addrman_size(am));
	addrman_get_stats(am, &s1);
	addrman_get_stats(back, &s2);
	assert_memory_equal(&s1, &s2, sizeof(s1));
	assert_true(s1.n_tried > 0 && s1.n_new > 0);
	addrman_foreach(am, same_entry, back);
	addrman_foreach(back, same_entry, am);

	/* Byte for byte, including key and last_count_attempt. */
	wbuf_init(&w1);
	wbuf_init(&w2);
	addrman_serialize(am, &w1);
	addrman_serialize(back, &w2);
	assert_int_equal(w1.len, w2.len);
	assert_memory_equal(w1.data, w2.data, w1.len);

	/* Saving again replaces the file. */
	assert_int_equal(addrman_save(back, path, err, sizeof(err)), 0);
	addrman_free(back);
	back = addrman_load(path, false, err, sizeof(err));
	assert_non_null(back);
	addrman_free(back);
	unlink(path);

	/* Unwritable destination. */
	snprintf(path, sizeof(path), "%s/no/such/dir/peers.dat", tmpdir);
	assert_int_equal(addrman_save(am, path, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	wbuf_free(&w1);
	wbuf_free(&w2);
	addrman_free(am);
}

static void
test_load_missing_and_empty(void **state)
{
	struct addrman *am;
	char path[128], err[256] = "";
	struct wbuf w;

	(void)state;
	snprintf(path, sizeof(path), "%s/absent.dat", tmpdir);
	errno = 0;
	assert_null(addrman_load(path, false, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_true(strlen(err) > 0);

	/* An empty book round-trips. */
	am = book();
	wbuf_init(&w);
	addrman_serialize(am, &w);
	addrman_free(am);
	am = must_deserialize(w.data, w.len, false);
	assert_int_equal(addrman_size(am), 0);
	addrman_free(am);
	wbuf_free(&w);
}

static void
test_load_corrupt_file(void **state)
{
	static const size_t cuts[] = { 0, 1, 3, 4, 8, 31, 32, 63, 64, 100, 1000 };
	struct addrman *am = rich_book(false);
	char path[128], err[256];
	struct wbuf w;
	uint8_t *copy;
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.dat", tmpdir);
	wbuf_init(&w);
	addrman_serialize(am, &w);
	addrman_free(am);
	copy = malloc(w.len);
	assert_non_null(copy);

	/* Truncated at many places, through the file API. */
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]) + 3; i++) {
		size_t cut = i < sizeof(cuts) / sizeof(cuts[0]) ? cuts[i] :
		    i == sizeof(cuts) / sizeof(cuts[0]) ? w.len / 2 :
		    w.len - (i - sizeof(cuts) / sizeof(cuts[0]));
		assert_non_null(fp = fopen(path, "wb"));
		assert_int_equal(fwrite(w.data, 1, cut, fp), cut);
		fclose(fp);
		err[0] = '\0';
		errno = 0;
		assert_null(addrman_load(path, false, err, sizeof(err)));
		assert_int_equal(errno, EINVAL);
		assert_non_null(strstr(err, path));
		if (strstr(err, "truncated") == NULL && strstr(err, "checksum") == NULL)
			fail_msg("cut at %zu: %s", cut, err);
	}
	unlink(path);

	/* One flipped byte anywhere past the version is caught. */
	for (size_t off = 8; off < w.len; off += w.len / 13) {
		memcpy(copy, w.data, w.len);
		copy[off] ^= 0x40;
		assert_rejects(copy, w.len, "checksum");
	}
	memcpy(copy, w.data, w.len);
	copy[w.len - 1] ^= 1;
	assert_rejects(copy, w.len, "checksum");

	/* Wrong magic, newer and older format versions. */
	memcpy(copy, w.data, w.len);
	copy[0] = 'X';
	assert_rejects(copy, w.len, "magic");
	memcpy(copy, w.data, w.len);
	copy[4] = ADDRMAN_FORMAT_VERSION + 1;
	resum(copy, w.len);
	assert_rejects(copy, w.len, "newer");
	memcpy(copy, w.data, w.len);
	copy[4] = 0;
	resum(copy, w.len);
	assert_rejects(copy, w.len, "older");

	/* A file far larger than any book is refused unread. */
	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fseek(fp, 64L << 20, SEEK_SET), 0);
	fputc(0, fp);
	fclose(fp);
	errno = 0;
	assert_null(addrman_load(path, false, err, sizeof(err)));
	assert_int_equal(errno, EFBIG);
	unlink(path);

	free(copy);
	wbuf_free(&w);
}

/* Hand-built files with a valid checksum but bad contents. */

struct fake_entry {
	struct netaddr	addr;
	int64_t		time;
	int32_t		attempts;
	uint8_t		flags;
	uint8_t		nb;		/* bucket count written */
	uint8_t		nb_data;	/* buckets actually present */
	uint16_t	buckets[8];
};

static void
fake_header(struct wbuf *w, uint32_t n_new, uint32_t n_tried)
{
	wbuf_init(w);
	wbuf_bytes(w, "ACAM", 4);
	wbuf_u32le(w, ADDRMAN_FORMAT_VERSION);
	wbuf_bytes(w, KEY, ADDRMAN_KEYLEN);
	wbuf_u32le(w, n_new);
	wbuf_u32le(w, n_tried);
}

static void
fake_entry(struct wbuf *w, const struct fake_entry *e)
{
	struct netaddr src = ip4(8, 8, 8, 8, PORT);

	wbuf_bytes(w, e->addr.ip, 16);
	wbuf_u16le(w, e->addr.port);
	wbuf_u64le(w, 1);
	wbuf_i64le(w, e->time);
	wbuf_bytes(w, src.ip, 16);
	wbuf_u16le(w, src.port);
	wbuf_i64le(w, 0);
	wbuf_i64le(w, 0);
	wbuf_i64le(w, e->flags ? NOW : 0);
	wbuf_i32le(w, e->attempts);
	wbuf_u8(w, e->flags);
	wbuf_u8(w, e->nb);
	for (int i = 0; i < e->nb_data; i++)
		wbuf_u16le(w, e->buckets[i]);
}

static void
fake_finish(struct wbuf *w)
{
	uint8_t sum[32];

	hash_sha256d(w->data, w->len, sum);
	wbuf_bytes(w, sum, sizeof(sum));
}

static struct fake_entry
good_new_entry(void)
{
	struct fake_entry e;

	memset(&e, 0, sizeof(e));
	e.addr = ip4(1, 2, 3, 4, PORT);
	e.time = NOW;
	e.nb = e.nb_data = 1;
	e.buckets[0] = 5;
	return e;
}

/* One file of N entries, all E, with the header's counts as given. */
static void
fake_file(struct wbuf *w, uint32_t n_new, uint32_t n_tried,
    const struct fake_entry *e, int n)
{
	fake_header(w, n_new, n_tried);
	for (int i = 0; i < n; i++)
		fake_entry(w, &e[i]);
	fake_finish(w);
}

static void
test_load_validates_contents(void **state)
{
	struct fake_entry e[2];
	struct addrman_info info;
	struct addrman *am;
	struct wbuf w;

	(void)state;
	/* The hand-built format is right: a good file loads. */
	e[0] = good_new_entry();
	e[1] = good_new_entry();
	e[1].addr = ip4(5, 6, 7, 8, PORT);
	e[1].flags = 1;
	e[1].nb = e[1].nb_data = 0;
	fake_file(&w, 1, 1, e, 2);
	am = must_deserialize(w.data, w.len, false);
	assert_int_equal(addrman_find(am, &e[0].addr, &info), 0);
	assert_int_equal(info.bucket, 5);
	assert_false(info.tried);
	assert_int_equal(addrman_find(am, &e[1].addr, &info), 0);
	assert_true(info.tried);
	assert_consistent(am);
	addrman_free(am);
	wbuf_free(&w);

	/* Counts over the table sizes, and over what the file can hold. */
	fake_file(&w, ADDRMAN_NEW_MAX + 1, 0, NULL, 0);
	assert_rejects(w.data, w.len, "exceed the tables");
	wbuf_free(&w);
	fake_file(&w, 0, ADDRMAN_TRIED_MAX + 1, NULL, 0);
	assert_rejects(w.data, w.len, "exceed the tables");
	wbuf_free(&w);
	fake_file(&w, 1000, 0, e, 1);
	assert_rejects(w.data, w.len, "cannot fit");
	wbuf_free(&w);

	/* Header and flags disagree. */
	e[0] = good_new_entry();
	fake_file(&w, 0, 1, e, 1);
	assert_rejects(w.data, w.len, "tried entries");
	wbuf_free(&w);

	/* Unknown flags. */
	e[0].flags = 0x80;
	fake_file(&w, 1, 0, e, 1);
	assert_rejects(w.data, w.len, "flags");
	wbuf_free(&w);

	/* Bucket numbers: out of range, repeated, none, too many, tried
	 * with buckets, fewer present than announced. */
	e[0] = good_new_entry();
	e[0].buckets[0] = ADDRMAN_NEW_BUCKETS;
	fake_file(&w, 1, 0, e, 1);
	assert_rejects(w.data, w.len, "out of range");
	wbuf_free(&w);
	e[0] = good_new_entry();
	e[0].nb = e[0].nb_data = 2;
	e[0].buckets[1] = 5;
	fake_file(&w, 1, 0, e, 1);
	assert_rejects(w.data, w.len, "twice");
	wbuf_free(&w);
	e[0].nb = e[0].nb_data = 0;
	fake_file(&w, 1, 0, e, 1);
	assert_rejects(w.data, w.len, "new buckets");
	wbuf_free(&w);
	e[0].nb = 9;
	fake_file(&w, 1, 0, e, 1);
	assert_rejects(w.data, w.len, "new buckets");
	wbuf_free(&w);
	e[0] = good_new_entry();
	e[0].flags = 1;
	fake_file(&w, 0, 1, e, 1);
	assert_rejects(w.data, w.len, "new buckets");
	wbuf_free(&w);
	e[0] = good_new_entry();
	e[0].nb = 8;
	e[0].nb_data = 1;
	fake_file(&w, 1, 0, e, 1);
	assert_rejects(w.data, w.len, "truncated");
	wbuf_free(&w);

	/* Timestamps and counts out of range. */
	e[0] = good_new_entry();
	e[0].time = -1;
	fake_file(&w, 1, 0, e, 1);
	assert_rejects(w.data, w.len, "bad time");
	wbuf_free(&w);
	e[0].time = INT64_MAX;
	fake_file(&w, 1, 0, e, 1);
	assert_rejects(w.data, w.len, "bad time");
	wbuf_free(&w);
	e[0] = good_new_entry();
	e[0].attempts = -1;
	fake_file(&w, 1, 0, e, 1);
	assert_rejects(w.data, w.len, "negative attempt");
	wbuf_free(&w);

	/* The same address twice. */
	e[0] = good_new_entry();
	e[1] = good_new_entry();
	e[1].buckets[0] = 6;
	fake_file(&w, 2, 0, e, 2);
	assert_rejects(w.data, w.len, "duplicate");
	wbuf_free(&w);

	/* Junk after the last entry (still under a valid checksum). */
	fake_header(&w, 1, 0);
	fake_entry(&w, &e[0]);
	wbuf_u8(&w, 0);
	fake_finish(&w);
	assert_rejects(w.data, w.len, "junk");
	wbuf_free(&w);
}

/* Two tried entries wanting one slot (only possible if the grouping rules
 * changed since the save): the second is kept in new, not lost. */
static void
test_load_tried_slot_taken(void **state)
{
	struct fake_entry e[2];
	struct addrman_info ix, iy;
	struct addrman *am;
	struct wbuf w;

	(void)state;
	memset(e, 0, sizeof(e));
	find_tried_collision(&e[0].addr, &e[1].addr);
	for (int i = 0; i < 2; i++) {
		e[i].time = NOW;
		e[i].flags = 1;
	}
	fake_file(&w, 0, 2, e, 2);
	am = must_deserialize(w.data, w.len, false);
	assert_int_equal(addrman_size(am), 2);
	assert_int_equal(addrman_find(am, &e[0].addr, &ix), 0);
	assert_int_equal(addrman_find(am, &e[1].addr, &iy), 0);
	assert_true(ix.tried);
	assert_false(iy.tried);
	assert_int_equal(iy.ref_count, 1);
	assert_int_equal(iy.last_success, NOW);
	assert_consistent(am);
	addrman_free(am);
	wbuf_free(&w);
}

static void
test_load_revalidates_addresses(void **state)
{
	struct addrman *reg = rich_book(true), *am;
	struct netaddr priv = ip4(10, 1, 2, 3, PORT), src = ip4(8, 8, 8, 8, PORT);
	struct addrman_info info;
	char path[128], err[256];
	size_t n;

	(void)state;
	assert_true(addrman_add(reg, &priv, 1, NOW, &src, 0, NOW));
	n = addrman_size(reg);
	snprintf(path, sizeof(path), "%s/regtest.dat", tmpdir);
	assert_int_equal(addrman_save(reg, path, err, sizeof(err)), 0);

	am = addrman_load(path, true, err, sizeof(err));
	assert_non_null(am);
	assert_int_equal(addrman_size(am), n);
	addrman_free(am);

	/* Under mainnet rules the private address is kept too (in the
	 * shared local group), and so is the rest. */
	am = addrman_load(path, false, err, sizeof(err));
	assert_non_null(am);
	assert_int_equal(addrman_find(am, &priv, &info), 0);
	assert_true(addrman_size(am) >= n - 1);
	assert_consistent(am);
	addrman_free(am);
	addrman_free(reg);
	unlink(path);
}

/*
 * Determinism and invariants under churn.
 */

static struct addrman *
scripted_book(const uint8_t *key)
{
	struct addrman *am = addrman_new(false, key);
	struct netaddr a, s = ip4(8, 8, 8, 8, PORT);

	for (unsigned i = 0; i < 500; i++) {
		a = addr_n(i);
		addrman_add(am, &a, 1, NOW, &s, 0, NOW);
		if (i % 3 == 0)
			addrman_good(am, &a, NOW);
	}
	return am;
}

static void
test_deterministic_with_key(void **state)
{
	struct addrman *a1 = scripted_book(KEY), *a2 = scripted_book(KEY);
	struct addrman *b = scripted_book(KEY2);
	struct wbuf w1, w2, w3;

	(void)state;
	wbuf_init(&w1);
	wbuf_init(&w2);
	wbuf_init(&w3);
	addrman_serialize(a1, &w1);
	addrman_serialize(a2, &w2);
	addrman_serialize(b, &w3);
	assert_int_equal(w1.len, w2.len);
	assert_memory_equal(w1.data, w2.data, w1.len);
	addrman_foreach(a1, same_entry, a2);
	/* Another key places things elsewhere. */
	assert_true(w1.len != w3.len || memcmp(w1.data + 24, w3.data + 24,
	    w1.len - 24) != 0);
	wbuf_free(&w1);
	wbuf_free(&w2);
	wbuf_free(&w3);
	addrman_free(a1);
	addrman_free(a2);
	addrman_free(b);

	/* A NULL key is random: two books differ. */
	a1 = addrman_new(false, NULL);
	a2 = addrman_new(false, NULL);
	wbuf_init(&w1);
	wbuf_init(&w2);
	addrman_serialize(a1, &w1);
	addrman_serialize(a2, &w2);
	assert_memory_not_equal(w1.data + 8, w2.data + 8, ADDRMAN_KEYLEN);
	wbuf_free(&w1);
	wbuf_free(&w2);
	addrman_free(a1);
	addrman_free(a2);
}

static void
test_churn_keeps_invariants(void **state)
{
	struct addrman *am = book(), *back;
	struct addrman_info info, out[50];
	struct netaddr a, s;
	struct wbuf w;
	int64_t t = NOW;

	(void)state;
	/* Few address groups and few sources, so slots collide often and
	 * every eviction path runs. */
	for (unsigned i = 0; i < 6000; i++) {
		unsigned k = (unsigned)(i * 2654435761u) % 3000;
		a = ip4(40 + k % 3, 1, k / 250, 1 + k % 250, PORT);
		s = src_n(k % 5);
		t += 37;
		switch (i % 6) {
		case 0: case 1: case 2:
			addrman_add(am, &a, k, t - (int64_t)(k % 40) * DAY, &s,
			    2 * HOUR, t);
			break;
		case 3:
			addrman_good(am, &a, t);
			break;
		case 4:
			addrman_attempt(am, &a, true, t);
			addrman_connected(am, &a, t);
			break;
		case 5:
			addrman_select(am, i % 4 == 1, t, &info);
			addrman_get_addr(am, 50, 23, t, out, 50);
			break;
		}
		if (i % 1000 == 999)
			assert_consistent(am);
	}
	assert_consistent(am);

	wbuf_init(&w);
	addrman_serialize(am, &w);
	back = must_deserialize(w.data, w.len, false);
	assert_consistent(back);
	assert_int_equal(addrman_size(back), addrman_size(am));
	addrman_foreach(am, same_entry, back);
	wbuf_free(&w);
	addrman_free(back);
	addrman_free(am);
}

static int
setup(void **state)
{
	(void)state;
	if (hash_init() != 0)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_addrman.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	static const char *names[] = { "peers.dat", "bad.dat", "regtest.dat" };
	char path[128];

	(void)state;
	/* A failed test may leave its file behind. */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	return rmdir(tmpdir);
}

/* Issue 15 item 9: the node saves soon after a change worth saving (a
 * new address, one moved to tried), which this counter tells it. */
static void
test_changes_counter(void **state)
{
	struct addrman *am = book();
	struct netaddr a = ip4(11, 1, 2, 3, PORT), src = src_n(1);
	uint64_t c0 = addrman_changes(am);

	(void)state;
	assert_true(addrman_add(am, &a, 1, NOW, &src, 0, NOW));
	assert_int_equal(addrman_changes(am), c0 + 1);
	/* Known already, same source: nothing new to save. */
	assert_false(addrman_add(am, &a, 1, NOW, &src, 0, NOW));
	addrman_attempt(am, &a, true, NOW);
	assert_int_equal(addrman_changes(am), c0 + 1);
	assert_true(addrman_good(am, &a, NOW));
	assert_int_equal(addrman_changes(am), c0 + 2);
	assert_false(addrman_good(am, &a, NOW + 1));
	assert_int_equal(addrman_changes(am), c0 + 2);
	addrman_free(am);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_changes_counter),
		cmocka_unit_test(test_invalid_rejected),
		cmocka_unit_test(test_add_fields_and_penalty),
		cmocka_unit_test(test_add_update_rules),
		cmocka_unit_test(test_set_services_and_connected),
		cmocka_unit_test(test_one_source_at_most_64_buckets),
		cmocka_unit_test(test_many_sources_spread),
		cmocka_unit_test(test_one_group_at_most_8_tried_buckets),
		cmocka_unit_test(test_good_moves_to_tried),
		cmocka_unit_test(test_attempt_counts_once_per_good),
		cmocka_unit_test(test_tried_collision),
		cmocka_unit_test(test_new_collision_replaces_only_terrible),
		cmocka_unit_test(test_ref_count_capped),
		cmocka_unit_test(test_terrible_rules),
		cmocka_unit_test(test_select_tables),
		cmocka_unit_test(test_select_prefers_untried),
		cmocka_unit_test(test_get_addr_limits),
		cmocka_unit_test(test_save_load_roundtrip),
		cmocka_unit_test(test_load_missing_and_empty),
		cmocka_unit_test(test_load_corrupt_file),
		cmocka_unit_test(test_load_validates_contents),
		cmocka_unit_test(test_load_tried_slot_taken),
		cmocka_unit_test(test_load_revalidates_addresses),
		cmocka_unit_test(test_deterministic_with_key),
		cmocka_unit_test(test_churn_keeps_invariants),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

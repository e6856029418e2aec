/* test_mempool.c -- the bounded transaction pool: add, duplicates, eviction by bytes and count, expiry, order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../node/mempool.h"
#include "hash.h"

/* Arrival times are wall milliseconds. */
#define T0	1798000000000LL
#define S(x)	((x) * 1000LL)

/* LEN bytes that differ for every TAG. */
static uint8_t *
tx_of(uint32_t tag, size_t len)
{
	static uint8_t buf[4096];

	assert_true(len >= 4 && len <= sizeof(buf));
	memset(buf, (int)(tag & 0xff), len);
	memcpy(buf, &tag, 4);
	return buf;
}

static void
add_ok(struct mempool *mp, uint32_t tag, size_t len, int64_t now, uint8_t txid[32])
{
	uint8_t id[32];

	assert_int_equal(mempool_add(mp, tx_of(tag, len), len, now, txid != NULL ? txid : id),
	    MEMPOOL_ADDED);
}

struct walk {
	uint8_t		ids[16][32];
	int64_t		times[16];
	size_t		lens[16];
	int		n;
	int		stop_at;
};

static int
walk_fn(void *arg, const uint8_t txid[32], const uint8_t *tx, size_t len, int64_t time)
{
	struct walk *w = arg;
	uint8_t id[32];

	hash_sha256d(tx, len, id);
	assert_memory_equal(id, txid, 32);
	if (w->n < 16) {
		memcpy(w->ids[w->n], txid, 32);
		w->times[w->n] = time;
		w->lens[w->n] = len;
	}
	w->n++;
	return w->stop_at != 0 && w->n == w->stop_at ? 42 : 0;
}

static void
test_add_get_remove(void **state)
{
	struct mempool *mp = mempool_new(NULL);
	struct mempool_info mi;
	uint8_t id1[32], id2[32], again[32], unknown[32];
	const uint8_t *got;
	size_t len;

	(void)state;
	mempool_info(mp, &mi);
	assert_int_equal(mi.count, 0);
	assert_int_equal(mi.max_bytes, MEMPOOL_DEFAULT_BYTES);
	assert_int_equal(mi.max_count, MEMPOOL_DEFAULT_COUNT);
	add_ok(mp, 1, 100, T0, id1);
	/* The id is SHA-256d of the bytes. */
	hash_sha256d(tx_of(1, 100), 100, again);
	assert_memory_equal(id1, again, 32);
	add_ok(mp, 2, 250, T0, id2);
	assert_true(mempool_has(mp, id1));
	got = mempool_get(mp, id2, &len);
	assert_non_null(got);
	assert_int_equal(len, 250);
	assert_memory_equal(got, tx_of(2, 250), 250);
	/* The same bytes again: a duplicate, the id still given. */
	memset(again, 0, sizeof(again));
	assert_int_equal(mempool_add(mp, tx_of(1, 100), 100, T0 + S(5), again), MEMPOOL_DUPLICATE);
	assert_memory_equal(again, id1, 32);
	mempool_info(mp, &mi);
	assert_int_equal(mi.count, 2);
	assert_int_equal(mi.bytes, 350);
	/* Confirmed in a block. */
	assert_true(mempool_remove(mp, id1));
	assert_false(mempool_remove(mp, id1));
	assert_false(mempool_has(mp, id1));
	memset(unknown, 0xee, sizeof(unknown));
	assert_null(mempool_get(mp, unknown, &len));
	mempool_info(mp, &mi);
	assert_int_equal(mi.count, 1);
	assert_int_equal(mi.bytes, 250);
	assert_int_equal(mi.evicted, 0);	/* a removal is not an eviction */
	mempool_free(mp);
	mempool_free(NULL);
}

static void
test_too_large(void **state)
{
	struct mempool *mp = mempool_new(&(struct mempool_opts){ .max_bytes = 1000 });
	struct mempool_info mi;
	uint8_t id[32];

	(void)state;
	add_ok(mp, 1, 400, T0, NULL);
	assert_int_equal(mempool_add(mp, tx_of(2, 1001), 1001, T0, id), MEMPOOL_TOO_LARGE);
	/* Refusing it evicted nothing. */
	mempool_info(mp, &mi);
	assert_int_equal(mi.count, 1);
	assert_int_equal(mi.evicted, 0);
	/* Exactly the limit fits, alone. */
	add_ok(mp, 3, 1000, T0, id);
	mempool_info(mp, &mi);
	assert_int_equal(mi.count, 1);
	assert_int_equal(mi.bytes, 1000);
	assert_int_equal(mi.evicted, 1);
	assert_true(mempool_has(mp, id));
	mempool_free(mp);
}

/* The oldest go first to make room: by bytes, then by count. */
static void
test_eviction(void **state)
{
	struct mempool *mp = mempool_new(&(struct mempool_opts){ .max_bytes = 1000,
	    .max_count = 4 });
	struct mempool_info mi;
	uint8_t ids[8][32];

	(void)state;
	add_ok(mp, 1, 300, T0 + S(1), ids[1]);
	add_ok(mp, 2, 300, T0 + S(2), ids[2]);
	add_ok(mp, 3, 300, T0 + S(3), ids[3]);
	/* 900 + 250 > 1000: the oldest goes. */
	add_ok(mp, 4, 250, T0 + S(4), ids[4]);
	assert_false(mempool_has(mp, ids[1]));
	assert_true(mempool_has(mp, ids[2]));
	mempool_info(mp, &mi);
	assert_int_equal(mi.count, 3);
	assert_int_equal(mi.bytes, 850);
	assert_int_equal(mi.evicted, 1);
	/* 850 + 700: two go. */
	add_ok(mp, 5, 700, T0 + S(5), ids[5]);
	assert_false(mempool_has(mp, ids[2]));
	assert_false(mempool_has(mp, ids[3]));
	assert_true(mempool_has(mp, ids[4]));
	mempool_info(mp, &mi);
	assert_int_equal(mi.count, 2);
	assert_int_equal(mi.bytes, 950);
	assert_int_equal(mi.evicted, 3);
	mempool_free(mp);

	/* By count: the fifth of four evicts the first. */
	mp = mempool_new(&(struct mempool_opts){ .max_count = 4 });
	for (uint32_t i = 1; i <= 5; i++)
		add_ok(mp, i, 10, T0 + S(i), ids[i]);
	assert_false(mempool_has(mp, ids[1]));
	for (int i = 2; i <= 5; i++)
		assert_true(mempool_has(mp, ids[i]));
	mempool_info(mp, &mi);
	assert_int_equal(mi.count, 4);
	assert_int_equal(mi.max_count, 4);
	assert_int_equal(mi.evicted, 1);
	mempool_free(mp);
}

static void
test_expiry(void **state)
{
	struct mempool *mp = mempool_new(&(struct mempool_opts){ .expiry = 3600 });
	struct mempool_info mi;
	uint8_t ids[4][32];

	(void)state;
	add_ok(mp, 1, 10, T0, ids[0]);
	add_ok(mp, 2, 10, T0 + S(100), ids[1]);
	add_ok(mp, 3, 10, T0 + S(200), ids[2]);
	/* Exactly the expiry old: kept. */
	assert_int_equal(mempool_expire(mp, T0 + S(3600)), 0);
	assert_int_equal(mempool_expire(mp, T0 + S(3601)), 1);
	assert_false(mempool_has(mp, ids[0]));
	assert_int_equal(mempool_expire(mp, T0 + S(3801)), 2);
	assert_int_equal(mempool_expire(mp, T0 + S(99999)), 0);
	mempool_info(mp, &mi);
	assert_int_equal(mi.count, 0);
	assert_int_equal(mi.bytes, 0);
	assert_int_equal(mi.expired, 3);
	assert_int_equal(mi.evicted, 0);
	mempool_free(mp);
	/* The default: two weeks. */
	mp = mempool_new(NULL);
	add_ok(mp, 1, 10, T0, NULL);
	assert_int_equal(mempool_expire(mp, T0 + S(MEMPOOL_DEFAULT_EXPIRY)), 0);
	assert_int_equal(mempool_expire(mp, T0 + S(MEMPOOL_DEFAULT_EXPIRY + 1)), 1);
	mempool_free(mp);
}

/* Oldest first, with each one's bytes and time; the walk stops on demand. */
static void
test_foreach_order(void **state)
{
	struct mempool *mp = mempool_new(NULL);
	uint8_t ids[5][32];
	struct walk w;

	(void)state;
	for (uint32_t i = 0; i < 5; i++)
		add_ok(mp, 100 + i, 10 + i, T0 + S(10) * i, ids[i]);
	assert_true(mempool_remove(mp, ids[2]));
	memset(&w, 0, sizeof(w));
	assert_int_equal(mempool_foreach(mp, walk_fn, &w), 0);
	assert_int_equal(w.n, 4);
	assert_memory_equal(w.ids[0], ids[0], 32);
	assert_memory_equal(w.ids[1], ids[1], 32);
	assert_memory_equal(w.ids[2], ids[3], 32);
	assert_memory_equal(w.ids[3], ids[4], 32);
	assert_int_equal(w.times[2], T0 + S(30));
	assert_int_equal(w.lens[3], 14);
	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	assert_int_equal(mempool_foreach(mp, walk_fn, &w), 42);
	assert_int_equal(w.n, 2);
	mempool_free(mp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_get_remove),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_foreach_order),
	};

	if (hash_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

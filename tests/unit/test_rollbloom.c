/* test_rollbloom.c -- the rolling Bloom filter: no false negatives within N, old entries fade, false-positive rate, reset. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../node/rollbloom.h"
#include "hash.h"

/* The I-th hash of SERIES: distinct, uniformly spread. */
static void
item(uint32_t series, uint32_t i, uint8_t out[32])
{
	uint32_t in[2] = { series, i };

	hash_sha256d(in, sizeof(in), out);
}

static void
insert_range(struct rollbloom *rb, uint32_t series, uint32_t from, uint32_t to)
{
	uint8_t h[32];

	for (uint32_t i = from; i < to; i++) {
		item(series, i, h);
		rollbloom_insert(rb, h);
	}
}

/* How many of 100,000 hashes of SERIES (never inserted) it claims. */
static int
false_hits(const struct rollbloom *rb, uint32_t series)
{
	uint8_t h[32];
	int n = 0;

	for (uint32_t i = 0; i < 100000; i++) {
		item(series, i, h);
		n += rollbloom_contains(rb, h);
	}
	return n;
}

static void
test_remembers_last_n(void **state)
{
	struct rollbloom *rb = rollbloom_new(1000, 0.000001);
	uint8_t h[32];

	(void)state;
	item(1, 0, h);
	assert_false(rollbloom_contains(rb, h));
	/* Whatever the generation boundaries, the last 1000 are there. */
	for (uint32_t i = 0; i < 5000; i++) {
		item(1, i, h);
		rollbloom_insert(rb, h);
		if (i % 997 == 0 || i == 4999) {
			uint32_t from = i >= 999 ? i - 999 : 0;
			for (uint32_t j = from; j <= i; j++) {
				item(1, j, h);
				assert_true(rollbloom_contains(rb, h));
			}
		}
	}
	rollbloom_free(rb);
	rollbloom_free(NULL);
}

/* After 2N newer inserts an entry is gone (but for false positives). */
static void
test_old_entries_forgotten(void **state)
{
	struct rollbloom *rb = rollbloom_new(1000, 0.001);
	uint8_t h[32];
	int still = 0;

	(void)state;
	insert_range(rb, 2, 0, 1000);
	insert_range(rb, 3, 0, 2000);
	for (uint32_t i = 0; i < 1000; i++) {
		item(2, i, h);
		still += rollbloom_contains(rb, h);
	}
	/* About 2 x 0.001 x 1000 expected; 20 is far out. */
	assert_true(still < 20);
	/* The newest are all there. */
	for (uint32_t i = 1000; i < 2000; i++) {
		item(3, i, h);
		assert_true(rollbloom_contains(rb, h));
	}
	rollbloom_free(rb);
}

/* About the rate asked for with one full generation, at most about twice
 * it with two. */
static void
test_false_positive_rate(void **state)
{
	struct rollbloom *rb = rollbloom_new(10000, 0.01);
	int fp;

	(void)state;
	insert_range(rb, 4, 0, 10000);
	fp = false_hits(rb, 5);
	/* Expected 1,000 (sd ~31). */
	assert_true(fp > 700 && fp < 1300);
	insert_range(rb, 4, 10000, 19999);
	fp = false_hits(rb, 6);
	/* Two generations of ~10,000: expected ~2,000. */
	assert_true(fp > 1400 && fp < 2600);
	rollbloom_free(rb);
}

static void
test_reset_and_tiny(void **state)
{
	struct rollbloom *rb = rollbloom_new(100, 0.0001);
	uint8_t h[32];

	(void)state;
	for (uint32_t i = 0; i < 150; i++) {
		item(7, i, h);
		rollbloom_insert(rb, h);
	}
	rollbloom_reset(rb);
	for (uint32_t i = 0; i < 150; i++) {
		item(7, i, h);
		assert_false(rollbloom_contains(rb, h));
	}
	/* And it fills again from empty. */
	item(7, 3, h);
	rollbloom_insert(rb, h);
	assert_true(rollbloom_contains(rb, h));
	rollbloom_free(rb);
	/* N of 0 is taken as 1: the last insert is remembered. */
	rb = rollbloom_new(0, 0.01);
	for (uint32_t i = 0; i < 5; i++) {
		item(8, i, h);
		rollbloom_insert(rb, h);
		assert_true(rollbloom_contains(rb, h));
	}
	rollbloom_free(rb);
	/* A rate so low that k would pass 30 is clamped, and still works. */
	rb = rollbloom_new(10, 1e-12);
	item(9, 0, h);
	rollbloom_insert(rb, h);
	assert_true(rollbloom_contains(rb, h));
	item(9, 1, h);
	assert_false(rollbloom_contains(rb, h));
	rollbloom_free(rb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remembers_last_n),
		cmocka_unit_test(test_old_entries_forgotten),
		cmocka_unit_test(test_false_positive_rate),
		cmocka_unit_test(test_reset_and_tiny),
	};

	if (hash_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_block_chain.c -- checks that take the chain as input: median time past, contextual header rules, locators. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "block.h"
#include "block_header.h"
#include "chaincheck.h"
#include "chainparams.h"
#include "locator.h"
#include "msg.h"

/* --- median time past --------------------------------------------------- */

static void
test_median_time(void **state)
{
	uint32_t t[12];

	(void)state;
	assert_int_equal(chaincheck_median_time(NULL, 0), 0);
	t[0] = 500;
	assert_int_equal(chaincheck_median_time(t, 1), 500);
	/* Even counts take the upper middle, as Core (index N/2). */
	t[1] = 100;
	assert_int_equal(chaincheck_median_time(t, 2), 500);
	t[2] = 300;
	assert_int_equal(chaincheck_median_time(t, 3), 300);
	/* Eleven out-of-order times: the sixth smallest. */
	for (int i = 0; i < 11; i++)
		t[i] = (uint32_t)(1000 + ((i * 7) % 11) * 10);	/* a permutation of 1000..1100 */
	assert_int_equal(chaincheck_median_time(t, 11), 1050);
	/* The input is not reordered, and a 12th time is ignored. */
	assert_int_equal(t[1], 1070);
	t[11] = 0;
	assert_int_equal(chaincheck_median_time(t, 12), 1050);
	/* Duplicates and extremes. */
	for (int i = 0; i < 11; i++)
		t[i] = i < 6 ? UINT32_MAX : 0;
	assert_int_equal(chaincheck_median_time(t, 11), UINT32_MAX);
	assert_int_equal(CHAINPARAMS_MTP_SPAN, 11);
}

/* --- contextual header checks ------------------------------------------- */

static void
test_header_context(void **state)
{
	const struct chainparams *p = chainparams_get(NET_MAINNET);
	uint32_t prev[11];
	struct chaincheck_ctx ctx;
	struct block_header h;

	(void)state;
	/* Parent at 2000, ancestors 10 s apart: median time past 1950. */
	for (int i = 0; i < 11; i++)
		prev[i] = (uint32_t)(2000 - 10 * i);
	memset(&ctx, 0, sizeof(ctx));
	ctx.prev_times = prev;
	ctx.n_prev_times = 11;
	ctx.expected_bits = 0x1e0fffff;
	ctx.now = 10000;
	memset(&h, 0, sizeof(h));
	h.bits = 0x1e0fffff;

	h.time = 1951;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_OK);
	/* Equal to the median is too old (strictly above is required). */
	h.time = 1950;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_ERR_TIME_TOO_OLD);
	/* Below the parent's own time is fine while above the median. */
	h.time = 1960;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_OK);
	/* Up to exactly 2 h ahead of now. */
	h.time = 10000 + 7200;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_OK);
	h.time = 10000 + 7201;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_ERR_TIME_TOO_NEW);
	/* Wrong bits are reported first, whatever the time. */
	h.bits = 0x1e0ffffe;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_ERR_BAD_DIFFBITS);
	h.time = 0;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_ERR_BAD_DIFFBITS);
	h.bits = 0x1e0fffff;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_ERR_TIME_TOO_OLD);

	/* Block 1: only genesis is behind it. */
	prev[0] = p->genesis.time;
	ctx.n_prev_times = 1;
	ctx.now = p->genesis.time;
	h.time = p->genesis.time;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_ERR_TIME_TOO_OLD);
	h.time = p->genesis.time + 1;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_OK);
	/* Times near the top of uint32 and a clock far behind. */
	prev[0] = UINT32_MAX - 1;
	h.time = UINT32_MAX;
	ctx.now = 0;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_ERR_TIME_TOO_NEW);
	ctx.now = (int64_t)UINT32_MAX;
	assert_int_equal(chaincheck_header(&h, p, &ctx), BLOCK_OK);
}

/* --- locators ----------------------------------------------------------- */

static void
test_locator_shape(void **state)
{
	uint32_t h[LOCATOR_MAX];
	size_t n;

	(void)state;
	n = locator_heights(0, h, LOCATOR_MAX);
	assert_int_equal(n, 1);
	assert_int_equal(h[0], 0);
	n = locator_heights(5, h, LOCATOR_MAX);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(h[i], 5 - i);
	/* 100: 100..89 one apart, then gaps 2, 4, 8, 16, 32, then genesis. */
	{
		static const uint32_t want[] = { 100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 90,
		    89, 87, 83, 75, 59, 27, 0 };

		n = locator_heights(100, h, LOCATOR_MAX);
		assert_int_equal(n, sizeof(want) / sizeof(want[0]));
		assert_memory_equal(h, want, sizeof(want));
	}
	/* Core's skiplist test, for many tips: entries 1..11 one step back,
	 * then doubling gaps, genesis last, each height once. */
	for (uint32_t tip = 0; tip < 200000; tip = tip * 3 + 1) {
		n = locator_heights(tip, h, LOCATOR_MAX);
		assert_true(n >= 1 && n <= LOCATOR_MAX);
		assert_int_equal(h[0], tip);
		assert_int_equal(h[n - 1], 0);
		for (size_t i = 1; i < 12 && i < n - 1; i++)
			assert_int_equal(h[i], tip - i);
		for (size_t i = 12, dist = 2; i < n - 1; i++, dist *= 2)
			assert_int_equal(h[i - 1] - h[i], dist);
		for (size_t i = 1; i < n; i++)
			assert_true(h[i] < h[i - 1]);
	}
	/* The tallest chain a u32 can count needs 43 entries: far below
	 * LOCATOR_MAX and the wire's MSG_MAX_LOCATOR. */
	n = locator_heights(UINT32_MAX, h, LOCATOR_MAX);
	assert_int_equal(n, 43);
	assert_int_equal(h[n - 1], 0);
	assert_true(LOCATOR_MAX <= MSG_MAX_LOCATOR);
	/* A short OUT is filled and no more. */
	h[3] = 12345;
	n = locator_heights(1000, h, 3);
	assert_int_equal(n, 3);
	assert_int_equal(h[2], 998);
	assert_int_equal(h[3], 12345);
	assert_int_equal(locator_heights(1000, h, 0), 0);
}

/* A fake chain: the hash at height H is H in every byte's low bits. */
static int hash_calls;

static void
fake_hash_at(uint32_t height, uint8_t out[32], void *ctx)
{
	uint32_t salt = *(const uint32_t *)ctx;

	hash_calls++;
	memset(out, 0, 32);
	memcpy(out, &height, sizeof(height));
	memcpy(out + 4, &salt, sizeof(salt));
}

static void
test_locator_build(void **state)
{
	uint8_t hashes[LOCATOR_MAX][32];
	uint32_t heights[LOCATOR_MAX], salt = 0xfeedf00d, got;
	size_t n, m;

	(void)state;
	hash_calls = 0;
	n = locator_build(5000, fake_hash_at, &salt, hashes, LOCATOR_MAX);
	m = locator_heights(5000, heights, LOCATOR_MAX);
	assert_int_equal(n, m);
	assert_int_equal(hash_calls, (int)n);
	for (size_t i = 0; i < n; i++) {
		memcpy(&got, hashes[i], sizeof(got));
		assert_int_equal(got, heights[i]);
		assert_memory_equal(hashes[i] + 4, &salt, 4);
	}
	/* MAX bounds the output and the callbacks. */
	hash_calls = 0;
	assert_int_equal(locator_build(5000, fake_hash_at, &salt, hashes, 2), 2);
	assert_int_equal(hash_calls, 2);
	/* MAX above LOCATOR_MAX is fine. */
	assert_int_equal(locator_build(7, fake_hash_at, &salt, hashes, 1000), 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_time),
		cmocka_unit_test(test_header_context),
		cmocka_unit_test(test_locator_shape),
		cmocka_unit_test(test_locator_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

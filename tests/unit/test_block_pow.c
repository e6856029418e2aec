/* test_block_pow.c -- 256-bit arithmetic, compact bits (Core's vectors), PoW check, block work, retarget, miner. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block_header.h"
#include "chainparams.h"
#include "hash.h"
#include "pow.h"
#include "u256.h"

static int
setup(void **state)
{
	(void)state;
	return hash_init();
}

static struct u256
hexnum(const char *hex)
{
	struct u256 a;

	assert_true(u256_from_hex(&a, hex));
	return a;
}

static void
assert_hexnum(const struct u256 *a, const char *want)
{
	char got[U256_HEX_LEN];

	u256_to_hex(a, got);
	assert_string_equal(got, want);
}

/* Bitcoin's own parameters, for Core's retarget vectors: pow limit
 * 0x00000000ffff..ff, 10 minutes, 2016 blocks. */
static struct chainparams
bitcoin_params(void)
{
	struct chainparams p;

	memset(&p, 0, sizeof(p));
	p.pow_limit = hexnum("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	p.target_spacing = 600;
	p.retarget_interval = 2016;
	p.max_future_time = 7200;
	return p;
}

/* --- u256 --------------------------------------------------------------- */

static void
test_u256_hex_and_bytes(void **state)
{
	struct u256 a, b;
	uint8_t le[32], back[32];
	char hex[U256_HEX_LEN];

	(void)state;
	u256_set_u64(&a, UINT64_C(0x0123456789abcdef));
	assert_hexnum(&a, "0000000000000000000000000000000000000000000000000123456789abcdef");
	assert_int_equal(a.w[0], 0x89abcdef);
	assert_int_equal(a.w[1], 0x01234567);
	/* Little-endian bytes: the least significant first. */
	u256_to_le(&a, le);
	assert_int_equal(le[0], 0xef);
	assert_int_equal(le[7], 0x01);
	assert_int_equal(le[8], 0);
	u256_from_le(&b, le);
	assert_int_equal(u256_cmp(&a, &b), 0);

	/* Short, mixed-case hex is a number; anything else is refused. */
	b = hexnum("AbC");
	assert_hexnum(&b, "0000000000000000000000000000000000000000000000000000000000000abc");
	assert_false(u256_from_hex(&b, ""));
	assert_false(u256_from_hex(&b, "0x12"));
	assert_false(u256_from_hex(&b, "12 "));
	assert_false(u256_from_hex(&b, "g"));
	assert_false(u256_from_hex(&b,
	    "10000000000000000000000000000000000000000000000000000000000000000"));
	assert_hexnum(&b, "0000000000000000000000000000000000000000000000000000000000000abc");

	/* Hashes print reversed: Bitcoin's genesis hash. */
	assert_true(u256_hash_from_hex(
	    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", le));
	assert_int_equal(le[0], 0x6f);
	assert_int_equal(le[31], 0x00);
	u256_hash_to_hex(le, hex);
	assert_string_equal(hex, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
	/* A hash must have all 64 digits. */
	memcpy(back, le, 32);
	assert_false(u256_hash_from_hex("19d6689c", le));
	assert_false(u256_hash_from_hex(
	    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f0", le));
	assert_false(u256_hash_from_hex(
	    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26z", le));
	assert_memory_equal(le, back, 32);
}

static void
test_u256_arith(void **state)
{
	struct u256 a, b, r, max, one, zero;

	(void)state;
	u256_set_u64(&zero, 0);
	u256_set_u64(&one, 1);
	memset(&max, 0xff, sizeof(max));
	assert_true(u256_is_zero(&zero));
	assert_false(u256_is_zero(&one));
	assert_int_equal(u256_bits(&zero), 0);
	assert_int_equal(u256_bits(&one), 1);
	assert_int_equal(u256_bits(&max), 256);
	u256_shl(&r, &one, 200);
	assert_int_equal(u256_bits(&r), 201);

	/* Carries run across limbs. */
	a = hexnum("ffffffffffffffffffffffff");
	assert_false(u256_add(&r, &a, &one));
	assert_hexnum(&r, "0000000000000000000000000000000000000001000000000000000000000000");
	/* Saturation instead of wrapping. */
	assert_true(u256_add(&r, &max, &one));
	assert_int_equal(u256_cmp(&r, &max), 0);
	assert_false(u256_add(&r, &max, &zero));
	/* Aliasing. */
	u256_set_u64(&a, 5);
	u256_add(&a, &a, &a);
	assert_hexnum(&a, "000000000000000000000000000000000000000000000000000000000000000a");

	/* Shifts across limb boundaries and past the end. */
	a = hexnum("123456789abcdef0fedcba9876543210");
	u256_shl(&r, &a, 36);
	assert_hexnum(&r, "00000000000000000000000123456789abcdef0fedcba9876543210000000000");
	u256_shr(&r, &r, 36);
	assert_int_equal(u256_cmp(&r, &a), 0);
	u256_shl(&r, &a, 256);
	assert_true(u256_is_zero(&r));
	u256_shr(&r, &max, 255);
	assert_int_equal(u256_cmp(&r, &one), 0);
	u256_shr(&r, &max, 1000);
	assert_true(u256_is_zero(&r));
	u256_shl(&r, &max, 0);
	assert_int_equal(u256_cmp(&r, &max), 0);

	/* Division. */
	a = hexnum("1000000000000000000000000000000000000000");	/* 2^156 */
	b = hexnum("3");
	assert_true(u256_div(&r, &a, &b));
	assert_hexnum(&r, "0000000000000000000000000555555555555555555555555555555555555555");
	assert_true(u256_div(&r, &max, &max));
	assert_int_equal(u256_cmp(&r, &one), 0);
	assert_true(u256_div(&r, &one, &max));
	assert_true(u256_is_zero(&r));
	r = one;
	assert_false(u256_div(&r, &a, &zero));
	assert_int_equal(u256_cmp(&r, &one), 0);

	/* muldiv keeps the 288-bit product: (2^256-1) * 4 / 8 fits. */
	assert_true(u256_muldiv_u32(&r, &max, 4, 8));
	assert_hexnum(&r, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	/* A quotient over 256 bits, or a zero divisor, is refused. */
	r = one;
	assert_false(u256_muldiv_u32(&r, &max, 3, 2));
	assert_false(u256_muldiv_u32(&r, &max, 3, 0));
	assert_int_equal(u256_cmp(&r, &one), 0);
	a = hexnum("ffffffffffffffffffffffffffffffff");
	assert_true(u256_muldiv_u32(&r, &a, 1000000, 7));
	/* (2^128-1) * 1000000 / 7, checked with Python. */
	assert_hexnum(&r, "00000000000000000000000000022e0924924924924924924924924924901b1b");
}

/* --- compact bits ------------------------------------------------------- */

/* Core's arith_uint256_tests "bignum_SetCompact": bits, the hex of the
 * target, GetCompact(negative) and the flags. */
static const struct {
	uint32_t	 bits;
	const char	*target;
	uint32_t	 compact;
	bool		 negative, overflow;
} compact_vectors[] = {
	{ 0x00000000, "0", 0x00000000, false, false },
	{ 0x00123456, "0", 0x00000000, false, false },
	{ 0x01003456, "0", 0x00000000, false, false },
	{ 0x02000056, "0", 0x00000000, false, false },
	{ 0x03000000, "0", 0x00000000, false, false },
	{ 0x04000000, "0", 0x00000000, false, false },
	{ 0x00923456, "0", 0x00000000, false, false },
	{ 0x01803456, "0", 0x00000000, false, false },
	{ 0x02800056, "0", 0x00000000, false, false },
	{ 0x03800000, "0", 0x00000000, false, false },
	{ 0x04800000, "0", 0x00000000, false, false },
	{ 0x01123456, "12", 0x01120000, false, false },
	{ 0x01fedcba, "7e", 0x01fe0000, true, false },
	{ 0x02123456, "1234", 0x02123400, false, false },
	{ 0x03123456, "123456", 0x03123456, false, false },
	{ 0x04123456, "12345600", 0x04123456, false, false },
	{ 0x04923456, "12345600", 0x04923456, true, false },
	{ 0x05009234, "92340000", 0x05009234, false, false },
	{ 0x20123456, "1234560000000000000000000000000000000000000000000000000000000000",
	    0x20123456, false, false },
};

static void
test_compact_core_vectors(void **state)
{
	struct u256 t;
	bool neg, ovf;

	(void)state;
	for (size_t i = 0; i < sizeof(compact_vectors) / sizeof(compact_vectors[0]); i++) {
		struct u256 want = hexnum(compact_vectors[i].target);

		pow_compact_decode(compact_vectors[i].bits, &t, &neg, &ovf);
		assert_int_equal(u256_cmp(&t, &want), 0);
		assert_int_equal(neg, compact_vectors[i].negative);
		assert_int_equal(ovf, compact_vectors[i].overflow);
		assert_int_equal(pow_compact_encode(&t, neg), compact_vectors[i].compact);
	}
	/* 0xff123456: overflow (Core's last vector). */
	pow_compact_decode(0xff123456, &t, &neg, &ovf);
	assert_false(neg);
	assert_true(ovf);
	/* The overflow limits, each side of the edge. */
	pow_compact_decode(0x220000ff, &t, NULL, &ovf);	/* 0xff << 248: fits */
	assert_false(ovf);
	assert_hexnum(&t, "ff00000000000000000000000000000000000000000000000000000000000000");
	pow_compact_decode(0x23000001, &t, NULL, &ovf);
	assert_true(ovf);
	pow_compact_decode(0x2200ffff, &t, NULL, &ovf);
	assert_true(ovf);
	pow_compact_decode(0x2100ffff, &t, NULL, &ovf);
	assert_false(ovf);
	pow_compact_decode(0x21010000, &t, NULL, &ovf);
	assert_true(ovf);
	/* Flags may be NULL. */
	pow_compact_decode(0x1d00ffff, &t, NULL, NULL);
	assert_hexnum(&t, "00000000ffff0000000000000000000000000000000000000000000000000000");
}

static void
test_compact_roundtrip_networks(void **state)
{
	struct u256 t;

	(void)state;
	/* Each network's genesis bits is the compact form of its pow limit. */
	for (int n = 0; n < NET_COUNT; n++) {
		const struct chainparams *p = chainparams_get((enum net_id)n);

		assert_int_equal(pow_compact_encode(&p->pow_limit, false), p->genesis.bits);
		pow_compact_decode(p->genesis.bits, &t, NULL, NULL);
		assert_true(u256_cmp(&t, &p->pow_limit) <= 0);
	}
	assert_int_equal(chainparams_get(NET_MAINNET)->genesis.bits, 0x1e0fffff);
	assert_int_equal(chainparams_get(NET_TESTNET)->genesis.bits, 0x1e0fffff);
	assert_int_equal(chainparams_get(NET_REGTEST)->genesis.bits, 0x207fffff);
	/* A mantissa with the sign bit set moves up a byte. */
	t = hexnum("800000");
	assert_int_equal(pow_compact_encode(&t, false), 0x04008000);
	assert_int_equal(pow_compact_encode(&t, true), 0x04808000);
}

/* --- targets, PoW, work ------------------------------------------------- */

static void
test_pow_target_rules(void **state)
{
	const struct chainparams *main = chainparams_get(NET_MAINNET);
	const struct chainparams *reg = chainparams_get(NET_REGTEST);
	struct u256 t;

	(void)state;
	assert_true(pow_target(0x1e0fffff, main, &t));
	assert_hexnum(&t, "00000fffff000000000000000000000000000000000000000000000000000000");
	assert_true(pow_target(0x1d00ffff, main, NULL));
	/* Easier than the limit: refused on mainnet, fine on regtest. */
	assert_false(pow_target(0x1e100000, main, NULL));
	assert_false(pow_target(0x207fffff, main, NULL));
	assert_true(pow_target(0x207fffff, reg, NULL));
	/* Negative, zero and overflowing targets are never valid. */
	assert_false(pow_target(0x1d80ffff, reg, NULL));
	assert_false(pow_target(0x1d000000, reg, NULL));
	assert_false(pow_target(0x00000000, reg, NULL));
	assert_false(pow_target(0xff123456, reg, NULL));
}

static void
test_pow_check(void **state)
{
	struct chainparams btc = bitcoin_params();
	const struct chainparams *reg = chainparams_get(NET_REGTEST);
	uint8_t hash[32];
	struct u256 t;

	(void)state;
	/* Bitcoin's genesis meets 0x1d00ffff under Bitcoin's limit. */
	assert_true(u256_hash_from_hex(
	    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", hash));
	assert_true(pow_check(hash, 0x1d00ffff, &btc));
	/* ... but not a target 2^16 times harder. */
	assert_false(pow_check(hash, 0x1b00ffff, &btc));
	/* A hash equal to the target passes; one above fails. */
	pow_compact_decode(0x1d00ffff, &t, NULL, NULL);
	u256_to_le(&t, hash);
	assert_true(pow_check(hash, 0x1d00ffff, &btc));
	hash[0] = 1;
	assert_false(pow_check(hash, 0x1d00ffff, &btc));
	/* Regtest: target 0x7fffff << 232, about every other hash. */
	memset(hash, 0, 32);
	hash[31] = 0x7f;
	hash[30] = hash[29] = 0xff;
	assert_true(pow_check(hash, 0x207fffff, reg));
	hash[28] = 1;
	assert_false(pow_check(hash, 0x207fffff, reg));
	/* Invalid bits fail even for a zero hash. */
	memset(hash, 0, 32);
	assert_false(pow_check(hash, 0x1d80ffff, reg));
	assert_false(pow_check(hash, 0, reg));
}

static void
test_pow_work(void **state)
{
	struct u256 w, total;

	(void)state;
	/* Bitcoin's genesis: chainwork 0x100010001. */
	pow_work(0x1d00ffff, &w);
	assert_hexnum(&w, "0000000000000000000000000000000000000000000000000000000100010001");
	/* Regtest: 2 a block, as Core's regtest chainwork. */
	pow_work(0x207fffff, &w);
	assert_hexnum(&w, "0000000000000000000000000000000000000000000000000000000000000002");
	/* Our mainnet limit: 2^256 / (0x0fffff * 2^216 + 1) = 0x100001. */
	pow_work(0x1e0fffff, &w);
	assert_hexnum(&w, "0000000000000000000000000000000000000000000000000000000000100001");
	pow_work(0x1c05a3f4, &w);
	assert_hexnum(&w, "0000000000000000000000000000000000000000000000000000002d62f2a3b3");
	/* Target 1: 2^256 / 2. */
	pow_work(0x01010000, &w);
	assert_hexnum(&w, "8000000000000000000000000000000000000000000000000000000000000000");
	/* Invalid bits carry no work. */
	pow_work(0x1d80ffff, &w);
	assert_true(u256_is_zero(&w));
	pow_work(0, &w);
	assert_true(u256_is_zero(&w));
	pow_work(0xff123456, &w);
	assert_true(u256_is_zero(&w));

	/* Chain work adds up and never wraps. */
	u256_set_u64(&total, 0);
	for (int i = 0; i < 10; i++) {
		pow_work(0x207fffff, &w);
		u256_add(&total, &total, &w);
	}
	assert_hexnum(&total, "0000000000000000000000000000000000000000000000000000000000000014");
	pow_work(0x01010000, &w);
	assert_false(u256_add(&total, &w, &total));
	assert_true(u256_add(&total, &total, &w));
	assert_hexnum(&total, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
}

/* --- retarget ----------------------------------------------------------- */

static uint32_t
next_bits(const struct chainparams *p, uint32_t height, uint32_t bits, int64_t last,
    int64_t first)
{
	struct pow_parent parent = { .height = height, .bits = bits, .time = last,
	    .first_time = first };

	return pow_next_bits(p, &parent);
}

static void
test_retarget_core_vectors(void **state)
{
	struct chainparams btc = bitcoin_params();

	(void)state;
	/* Core's pow_tests: get_next_work, _pow_limit, _lower_limit_actual,
	 * _upper_limit_actual. */
	assert_int_equal(next_bits(&btc, 32255, 0x1d00ffff, 1262152739, 1261130161), 0x1d00d86a);
	assert_int_equal(next_bits(&btc, 2015, 0x1d00ffff, 1233061996, 1231006505), 0x1d00ffff);
	assert_int_equal(next_bits(&btc, 68543, 0x1c05a3f4, 1279297671, 1279008237), 0x1c0168fd);
	assert_int_equal(next_bits(&btc, 46367, 0x1c387f6f, 1269211443, 1263163443), 0x1d00e1fd);
}

static void
test_retarget_our_networks(void **state)
{
	const struct chainparams *main = chainparams_get(NET_MAINNET);
	const struct chainparams *test = chainparams_get(NET_TESTNET);
	const struct chainparams *reg = chainparams_get(NET_REGTEST);
	const int64_t t0 = 1767225600, period = 2016 * 600;
	struct chainparams wide;

	(void)state;
	assert_int_equal(main->target_spacing, 600);
	assert_int_equal(main->retarget_interval, 2016);
	assert_int_equal(test->retarget_interval, 2016);
	assert_int_equal(reg->retarget_interval, 0);

	/* Which parent heights start a period, and whose time is needed. */
	assert_int_equal(pow_retarget_first_height(main, 0), -1);
	assert_int_equal(pow_retarget_first_height(main, 2014), -1);
	assert_int_equal(pow_retarget_first_height(main, 2015), 0);
	assert_int_equal(pow_retarget_first_height(main, 2016), -1);
	assert_int_equal(pow_retarget_first_height(main, 4031), 2016);
	assert_int_equal(pow_retarget_first_height(main, UINT32_MAX), -1);
	assert_int_equal(pow_retarget_first_height(reg, 2015), -1);

	/* Inside a period the parent's bits carry over, whatever the times. */
	assert_int_equal(next_bits(main, 100, 0x1d123456, t0, 0), 0x1d123456);
	/* Exactly on time at the limit: unchanged.  Slower: capped at the
	 * limit (the product overflows 256 bits on the way, 288 do not). */
	assert_int_equal(next_bits(main, 2015, 0x1e0fffff, t0 + period, t0), 0x1e0fffff);
	assert_int_equal(next_bits(main, 2015, 0x1e0fffff, t0 + 10 * period, t0), 0x1e0fffff);
	/* Twice as fast: half the target; far faster: clamped at a quarter. */
	assert_int_equal(next_bits(main, 2015, 0x1e0fffff, t0 + period / 2, t0), 0x1e07ffff);
	assert_int_equal(next_bits(main, 2015, 0x1e0fffff, t0 + period / 4 - 1000, t0), 0x1e03ffff);
	assert_int_equal(next_bits(main, 2015, 0x1e0fffff, t0 - 5, t0), 0x1e03ffff);
	/* Three times slower from a harder target (Python reference). */
	assert_int_equal(next_bits(main, 4031, 0x1d123456, t0 + 3 * period, t0), 0x1d369d02);
	/* Testnet follows the same rule. */
	assert_int_equal(next_bits(test, 2015, 0x1e0fffff, t0 + period / 2, t0), 0x1e07ffff);

	/* Regtest never retargets: mining stays instant. */
	assert_int_equal(next_bits(reg, 2015, 0x207fffff, t0 + 1, t0), 0x207fffff);
	assert_int_equal(next_bits(reg, 2015, 0x207fffff, t0 + 100 * period, t0), 0x207fffff);

	/* With a limit of 2^256-1, four times a target near 2^256 does not
	 * fit 256 bits: the limit is taken instead of a wrapped number. */
	wide = *main;
	memset(&wide.pow_limit, 0xff, sizeof(wide.pow_limit));
	assert_int_equal(next_bits(&wide, 2015, 0x2100ffff, t0 + 4 * period, t0), 0x2100ffff);
}

/* --- miner -------------------------------------------------------------- */

static void
test_pow_mine(void **state)
{
	const struct chainparams *reg = chainparams_get(NET_REGTEST);
	const struct chainparams *main = chainparams_get(NET_MAINNET);
	struct block_header h;
	uint8_t hash[32];
	uint32_t start;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.version = 1;
	h.time = 1767225601;
	h.bits = reg->genesis.bits;
	/* Regtest: a winner within a few tries, and it verifies. */
	for (int i = 0; i < 20; i++) {
		h.merkle_root[0] = (uint8_t)i;
		h.nonce = 0;
		assert_true(pow_mine(&h, 64));
		block_header_hash(&h, hash);
		assert_true(pow_check(hash, h.bits, reg));
	}
	/* Mainnet's limit: no winner in 3 tries (p < 1e-5); the nonce
	 * moves on by exactly the tries made. */
	h.bits = main->genesis.bits;
	h.nonce = start = 1000;
	assert_false(pow_mine(&h, 3));
	assert_int_equal(h.nonce, start + 3);
	/* The real mainnet genesis nonce is found from just before it. */
	memset(&h, 0, sizeof(h));
	h.version = main->genesis.version;
	memcpy(h.merkle_root, main->genesis.merkle_root, 32);
	h.time = main->genesis.time;
	h.bits = main->genesis.bits;
	h.nonce = main->genesis.nonce - 5;
	assert_true(pow_mine(&h, 100));
	assert_true(h.nonce <= main->genesis.nonce);
	block_header_hash(&h, hash);
	assert_true(pow_check(hash, h.bits, main));
	/* Invalid bits: nothing to mine. */
	h.bits = 0x1d80ffff;
	assert_false(pow_mine(&h, 1000));
	h.bits = 0;
	assert_false(pow_mine(&h, 1000));
	/* Zero tries: nothing tried. */
	h.bits = reg->genesis.bits;
	h.nonce = 7;
	assert_false(pow_mine(&h, 0));
	assert_int_equal(h.nonce, 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u256_hex_and_bytes),
		cmocka_unit_test(test_u256_arith),
		cmocka_unit_test(test_compact_core_vectors),
		cmocka_unit_test(test_compact_roundtrip_networks),
		cmocka_unit_test(test_pow_target_rules),
		cmocka_unit_test(test_pow_check),
		cmocka_unit_test(test_pow_work),
		cmocka_unit_test(test_retarget_core_vectors),
		cmocka_unit_test(test_retarget_our_networks),
		cmocka_unit_test(test_pow_mine),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

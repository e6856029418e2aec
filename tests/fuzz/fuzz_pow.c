/* fuzz_pow.c -- libFuzzer target: compact bits, block work, retargeting, 256-bit arithmetic and the hex parsers.
 *
 * Input layout (short inputs are zero-padded): bits u32, parent height
 * u32, parent time u32, first time u32, a 32-byte number A, a u32 M; the
 * whole input, NUL-terminated, is also fed to the hex parsers (RPC
 * arguments are untrusted text).  Every property is checked with abort(). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chainparams.h"
#include "locator.h"
#include "pow.h"
#include "u256.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIXED_LEN	(4 * 4 + 32 + 4)

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
check_compact(uint32_t bits)
{
	struct u256 t, t2, w, w2, half;
	bool neg, ovf, neg2, ovf2;
	uint32_t c;

	pow_compact_decode(bits, &t, &neg, &ovf);
	if (ovf)
		return;
	/* Encoding is canonical: decode(encode(decode(b))) == decode(b),
	 * and the sign survives when the mantissa is not zero. */
	c = pow_compact_encode(&t, neg);
	pow_compact_decode(c, &t2, &neg2, &ovf2);
	if (u256_cmp(&t, &t2) != 0 || ovf2 || neg2 != (neg && !u256_is_zero(&t)))
		abort();
	if (pow_compact_encode(&t2, neg2) != c)
		abort();
	/* Work: zero exactly for unusable bits, and a harder target
	 * (half) never carries less work. */
	pow_work(bits, &w);
	if (u256_is_zero(&w) != (neg || u256_is_zero(&t)))
		abort();
	u256_shr(&half, &t, 1);
	if (!neg && !u256_is_zero(&half)) {
		pow_work(pow_compact_encode(&half, false), &w2);
		if (u256_cmp(&w2, &w) < 0)
			abort();
	}
	/* The networks' targets never exceed their limits. */
	for (int n = 0; n < NET_COUNT; n++) {
		const struct chainparams *p = chainparams_get((enum net_id)n);
		struct u256 target;

		if (pow_target(bits, p, &target) &&
		    (u256_cmp(&target, &p->pow_limit) > 0 || u256_is_zero(&target) || neg))
			abort();
	}
}

static void
check_retarget(uint32_t bits, uint32_t height, uint32_t last, uint32_t first)
{
	const struct chainparams *p = chainparams_get(NET_MAINNET);
	struct pow_parent parent = { .height = height, .bits = bits, .time = last,
	    .first_time = first };
	struct u256 old, got, cap;
	uint32_t next = pow_next_bits(p, &parent);

	if (!pow_target(bits, p, &old))
		return;
	if (pow_retarget_first_height(p, height) < 0) {
		if (next != bits)
			abort();
		return;
	}
	/* Never easier than the limit, never more than 4x easier. */
	pow_compact_decode(next, &got, NULL, NULL);
	if (u256_cmp(&got, &p->pow_limit) > 0)
		abort();
	if (u256_muldiv_u32(&cap, &old, 4, 1) && u256_cmp(&got, &cap) > 0)
		abort();
	/* Regtest keeps the bits whatever happens. */
	if (pow_next_bits(chainparams_get(NET_REGTEST), &parent) != bits)
		abort();
}

static void
check_arith(const uint8_t a_le[32], uint32_t m)
{
	struct u256 a, b, q1, q2, r, s;

	u256_from_le(&a, a_le);
	if (m != 0) {
		/* Division two ways agrees; muldiv by m/m is the identity. */
		u256_set_u64(&b, m);
		if (!u256_div(&q1, &a, &b) || !u256_muldiv_u32(&q2, &a, 1, m))
			abort();
		if (u256_cmp(&q1, &q2) != 0)
			abort();
		if (!u256_muldiv_u32(&r, &a, m, m) || u256_cmp(&r, &a) != 0)
			abort();
	}
	/* Saturating add never goes down. */
	u256_add(&s, &a, &a);
	if (u256_cmp(&s, &a) < 0)
		abort();
	/* Shifts lose only what falls off. */
	u256_shl(&r, &a, m % 300);
	u256_shr(&r, &r, m % 300);
	if (m % 300 < 256 && u256_bits(&a) + m % 300 <= 256 && u256_cmp(&r, &a) != 0)
		abort();
	/* Locator shape for a height from the input. */
	{
		uint32_t h[LOCATOR_MAX];
		size_t n = locator_heights(m, h, LOCATOR_MAX);

		if (n == 0 || n > LOCATOR_MAX || h[0] != m || h[n - 1] != 0)
			abort();
		for (size_t i = 1; i < n; i++)
			if (h[i] >= h[i - 1])
				abort();
	}
}

static void
check_hex(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1), out[U256_HEX_LEN];
	struct u256 a;
	uint8_t hash[32], back[32];

	memcpy(s, data, size);
	s[size] = '\0';
	if (u256_from_hex(&a, s)) {
		size_t n = strlen(s);

		/* Accepted text is 1..64 hex digits and means what it says. */
		if (n == 0 || n > 64)
			abort();
		u256_to_hex(&a, out);
		for (size_t i = 0; i < n; i++) {
			char c = s[i];

			if (c >= 'A' && c <= 'F')
				c = (char)(c - 'A' + 'a');
			if (out[64 - n + i] != c)
				abort();
		}
	}
	if (u256_hash_from_hex(s, hash)) {
		if (strlen(s) != 64)
			abort();
		u256_hash_to_hex(hash, out);
		if (!u256_hash_from_hex(out, back) || memcmp(hash, back, 32) != 0)
			abort();
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t f[FIXED_LEN];

	memset(f, 0, sizeof(f));
	memcpy(f, data, size < sizeof(f) ? size : sizeof(f));
	check_compact(le32(f));
	check_retarget(le32(f), le32(f + 4), le32(f + 8), le32(f + 12));
	check_arith(f + 16, le32(f + 48));
	check_hex(data, size);
	return 0;
}

/* pow.c -- proof of work, as Bitcoin Core computes it.
 *
 * Compact encode/decode follow arith_uint256::SetCompact/GetCompact bit
 * for bit (tests/unit/test_block_pow.c runs Core's own vectors), block
 * work is GetBlockProof, and retargeting is GetNextWorkRequired /
 * CalculateNextWorkRequired with the product kept in 288 bits, so a
 * pow_limit near 2^256 cannot overflow it (Core relies on its limit
 * being small). */
#include "pow.h"

#include <string.h>

#include "hash.h"

void
pow_compact_decode(uint32_t bits, struct u256 *target, bool *negative, bool *overflow)
{
	unsigned size = bits >> 24;
	uint32_t word = bits & 0x007fffff;

	if (size <= 3) {
		word >>= 8 * (3 - size);
		u256_set_u64(target, word);
	} else {
		u256_set_u64(target, word);
		u256_shl(target, target, 8 * (size - 3));
	}
	if (negative != NULL)
		*negative = word != 0 && (bits & 0x00800000) != 0;
	if (overflow != NULL)
		*overflow = word != 0 && (size > 34 ||
		    (word > 0xff && size > 33) || (word > 0xffff && size > 32));
}

uint32_t
pow_compact_encode(const struct u256 *target, bool negative)
{
	unsigned size = (u256_bits(target) + 7) / 8;
	uint32_t compact;
	struct u256 t;

	if (size <= 3) {
		compact = target->w[0] << (8 * (3 - size));
	} else {
		u256_shr(&t, target, 8 * (size - 3));
		compact = t.w[0];
	}
	/* 0x00800000 is the sign bit: a mantissa that would set it is
	 * shifted down a byte and the exponent grows instead. */
	if (compact & 0x00800000) {
		compact >>= 8;
		size++;
	}
	compact |= (uint32_t)size << 24;
	if (negative && (compact & 0x007fffff) != 0)
		compact |= 0x00800000;
	return compact;
}

bool
pow_target(uint32_t bits, const struct chainparams *p, struct u256 *target)
{
	struct u256 t;
	bool negative, overflow;

	pow_compact_decode(bits, &t, &negative, &overflow);
	if (negative || overflow || u256_is_zero(&t) || u256_cmp(&t, &p->pow_limit) > 0)
		return false;
	if (target != NULL)
		*target = t;
	return true;
}

/* Is the little-endian number HASH at most TARGET? */
static bool
hash_meets(const uint8_t hash[32], const struct u256 *target)
{
	struct u256 h;

	u256_from_le(&h, hash);
	return u256_cmp(&h, target) <= 0;
}

bool
pow_check(const uint8_t hash[32], uint32_t bits, const struct chainparams *p)
{
	struct u256 target;

	return pow_target(bits, p, &target) && hash_meets(hash, &target);
}

void
pow_work(uint32_t bits, struct u256 *work)
{
	struct u256 target, not_target, one;
	bool negative, overflow;

	pow_compact_decode(bits, &target, &negative, &overflow);
	if (negative || overflow || u256_is_zero(&target)) {
		u256_set_u64(work, 0);
		return;
	}
	/* 2^256 does not fit, but 2^256 / (t+1) = (2^256 - t - 1) / (t+1) + 1
	 * = ~t / (t+1) + 1.  t < 2^255 here, so t+1 cannot saturate. */
	for (int i = 0; i < 8; i++)
		not_target.w[i] = ~target.w[i];
	u256_set_u64(&one, 1);
	u256_add(&target, &target, &one);
	u256_div(work, &not_target, &target);
	u256_add(work, work, &one);
}

int64_t
pow_retarget_first_height(const struct chainparams *p, uint32_t parent_height)
{
	uint64_t next = (uint64_t)parent_height + 1;

	if (p->retarget_interval == 0 || next % p->retarget_interval != 0)
		return -1;
	return (int64_t)next - p->retarget_interval;
}

uint32_t
pow_next_bits(const struct chainparams *p, const struct pow_parent *parent)
{
	int64_t span, want = (int64_t)p->target_spacing * p->retarget_interval;
	struct u256 target;

	if (pow_retarget_first_height(p, parent->height) < 0 || want <= 0)
		return parent->bits;
	/* Bitcoin measures the period from its first block to its last:
	 * interval-1 gaps, a known off-by-one kept for compatibility. */
	span = parent->time - parent->first_time;
	if (span < want / 4)
		span = want / 4;
	if (span > want * 4)
		span = want * 4;
	pow_compact_decode(parent->bits, &target, NULL, NULL);
	/* SPAN <= 4 * WANT must fit the multiplier (it does for any sane
	 * spacing and interval; a table that breaks it gets pow_limit). */
	if (want > UINT32_MAX / 4 || !u256_muldiv_u32(&target, &target, (uint32_t)span,
	    (uint32_t)want) || u256_cmp(&target, &p->pow_limit) > 0)
		target = p->pow_limit;
	return pow_compact_encode(&target, false);
}

bool
pow_mine(struct block_header *h, uint64_t max_tries)
{
	uint8_t b[BLOCK_HEADER_SIZE], hash[32];
	struct u256 target;
	bool negative, overflow;
	uint32_t nonce = h->nonce;

	pow_compact_decode(h->bits, &target, &negative, &overflow);
	if (negative || overflow || u256_is_zero(&target))
		return false;
	if (max_tries > UINT64_C(1) << 32)
		max_tries = UINT64_C(1) << 32;
	block_header_encode(h, b);
	for (uint64_t i = 0; i < max_tries; i++, nonce++) {
		/* The nonce is the last field: bytes 76..79, little-endian. */
		for (int j = 0; j < 4; j++)
			b[76 + j] = (uint8_t)(nonce >> (8 * j));
		hash_sha256d(b, sizeof(b), hash);
		if (hash_meets(hash, &target)) {
			h->nonce = nonce;
			return true;
		}
	}
	h->nonce = nonce;
	return false;
}

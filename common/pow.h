/* pow.h -- proof of work: compact targets, the PoW check, block work, retargeting, a miner. */
#ifndef AGENTCHAIN_POW_H
#define AGENTCHAIN_POW_H

#include <stdbool.h>
#include <stdint.h>

#include "block_header.h"
#include "chainparams.h"
#include "u256.h"

/* Bitcoin's "compact" form of a target (nBits): exponent byte, then a
 * 23-bit mantissa and a sign bit; target = mantissa * 256^(exponent-3).
 * TARGET = the number, exactly as Core's arith_uint256::SetCompact;
 * *NEGATIVE and *OVERFLOW (either may be NULL) report the sign bit with a
 * non-zero mantissa and a value that does not fit in 256 bits. */
void pow_compact_decode(uint32_t bits, struct u256 *target, bool *negative, bool *overflow);

/* The compact form of TARGET (Core's GetCompact): the mantissa keeps the
 * three most significant bytes, so precision is lost below them. */
uint32_t pow_compact_encode(const struct u256 *target, bool negative);

/* Is BITS a target a block may have on P's network: not negative, not
 * zero, no overflow and at most P->pow_limit?  *TARGET (may be NULL)
 * receives it when true. */
bool pow_target(uint32_t bits, const struct chainparams *p, struct u256 *target);

/* Core's CheckProofOfWork: pow_target(BITS) holds and HASH, read as a
 * little-endian number, is at most the target. */
bool pow_check(const uint8_t hash[32], uint32_t bits, const struct chainparams *p);

/* *WORK = the expected number of hashes for a block with BITS,
 * 2^256 / (target + 1), exact (Core's GetBlockProof); 0 when BITS is
 * negative, zero or overflows.  Chain work is the u256_add() of these. */
void pow_work(uint32_t bits, struct u256 *work);

/* What pow_next_bits needs to know about the parent of the new block. */
struct pow_parent {
	uint32_t	height;		/* the parent's height (genesis: 0) */
	uint32_t	bits;		/* the parent's bits */
	int64_t		time;		/* the parent's time */
	/* The time of the parent's ancestor at
	 * pow_retarget_first_height(); read only when that is >= 0. */
	int64_t		first_time;
};

/* The height whose block time pow_next_bits needs as FIRST_TIME for a
 * block on top of a parent at PARENT_HEIGHT: PARENT_HEIGHT - (interval-1)
 * when the new block starts a retarget period, else -1.  On a side chain
 * it is the height of the parent's own ancestor, not the active chain's. */
int64_t pow_retarget_first_height(const struct chainparams *p, uint32_t parent_height);

/* The bits the block after PARENT must carry (Core's GetNextWorkRequired
 * without testnet's minimum-difficulty exception).  With
 * P->retarget_interval 0 (regtest) or inside a period: the parent's bits.
 * At a period start (new height a multiple of the interval): the parent's
 * target * clamp(time - first_time, spacing*interval/4, spacing*interval*4)
 * / (spacing*interval), at most pow_limit, in compact form.  Pure. */
uint32_t pow_next_bits(const struct chainparams *p, const struct pow_parent *parent);

/* Search nonces for H until its hash meets H->bits: up to MAX_TRIES
 * nonces from H->nonce up (and never more than 2^32).  Returns true with
 * H->nonce set to a winning nonce; false when the tries ran out (then
 * H->nonce is the next untried one, so a later call goes on) or when the
 * bits are negative, zero or overflow.  Checks no pow_limit: that is the
 * chain's rule, not the miner's.  At regtest's target every other hash
 * wins; at mainnet's pow_limit it takes about 2^20 tries. */
bool pow_mine(struct block_header *h, uint64_t max_tries);

#endif

/* merkle.c -- merkle root in O(log n) memory.
 *
 * Leaves are folded in one at a time: inner[l] holds the root of the
 * complete subtree of 2^l leaves that is still waiting for its right
 * sibling, so the bits of `count` say which inner[] are filled (25 leaves
 * = 11001b: inner[4] covers 16, inner[3] 8, inner[0] 1).  A final sweep
 * up the right edge applies Bitcoin's odd rule: a lone subtree is paired
 * with itself.  Any two equal siblings are the CVE-2012-2459 mutation,
 * except the odd rule's self-pairs -- the same pairs modern Core's
 * ComputeMerkleRoot checks. */
#include "merkle.h"

#include <string.h>

#include "hash.h"

/* OUT = SHA-256d(LEFT || RIGHT); OUT may alias either. */
static void
hash_pair(const uint8_t left[32], const uint8_t right[32], uint8_t out[32])
{
	uint8_t both[64];

	memcpy(both, left, 32);
	memcpy(both + 32, right, 32);
	hash_sha256d(both, sizeof(both), out);
}

void
merkle_root(const uint8_t (*leaves)[32], size_t n, uint8_t root[32], bool *mutated)
{
	/* One slot a level; a size_t count has at most 64 levels. */
	uint8_t inner[64][32], h[32];
	uint64_t count = 0;
	bool mut = false;
	unsigned level;

	if (mutated != NULL)
		*mutated = false;
	if (n == 0) {
		memset(root, 0, 32);
		return;
	}
	while (count < n) {
		memcpy(h, leaves[count], 32);
		count++;
		/* Each 0 bit at the bottom of COUNT is a finished pair. */
		for (level = 0; !(count & (UINT64_C(1) << level)); level++) {
			if (memcmp(inner[level], h, 32) == 0)
				mut = true;
			hash_pair(inner[level], h, h);
		}
		memcpy(inner[level], h, 32);
	}
	/* The lowest filled level holds the rightmost subtree. */
	for (level = 0; !(count & (UINT64_C(1) << level)); level++)
		;
	memcpy(h, inner[level], 32);
	while (count != (UINT64_C(1) << level)) {
		/* H is not the top yet: pair it with itself (odd rule) ... */
		hash_pair(h, h, h);
		count += UINT64_C(1) << level;
		level++;
		/* ... and fold in the complete subtrees on its left, which
		 * are real pairs again (Core checks them too). */
		for (; !(count & (UINT64_C(1) << level)); level++) {
			if (memcmp(inner[level], h, 32) == 0)
				mut = true;
			hash_pair(inner[level], h, h);
		}
	}
	memcpy(root, h, 32);
	if (mutated != NULL)
		*mutated = mut;
}

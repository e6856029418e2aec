/* locator.h -- block locators: which heights to name so a peer can find where our chains fork. */
#ifndef AGENTCHAIN_LOCATOR_H
#define AGENTCHAIN_LOCATOR_H

#include <stddef.h>
#include <stdint.h>

/* Entries a locator has at most for any 32-bit height (it has 43 for
 * heights near 2^32); below MSG_MAX_LOCATOR (101), so a locator always
 * fits a getheaders or getblocks message. */
#define LOCATOR_MAX	64

/* The heights of the locator of a chain whose tip is at TIP_HEIGHT,
 * newest first, as Bitcoin Core's LocatorEntries: the tip and the 11
 * blocks below it, then gaps doubling (2, 4, 8, ...), and always genesis
 * (0) last: 100 gives 100..89, 87, 83, 75, 59, 27, 0.  Writes at most MAX into OUT and returns how many it wrote
 * (all of them when MAX >= LOCATOR_MAX).  Pure. */
size_t locator_heights(uint32_t tip_height, uint32_t *out, size_t max);

/* OUT = the hash of the block at HEIGHT on the chain being described.
 * For a side chain that is the tip's own ancestor at HEIGHT, not the
 * active chain's block. */
typedef void (*locator_hash_fn)(uint32_t height, uint8_t out[32], void *ctx);

/* The locator itself: the hashes at locator_heights(TIP_HEIGHT), newest
 * first, from HASH_AT(height, out, CTX).  Writes at most MAX hashes into
 * OUT; returns how many. */
size_t locator_build(uint32_t tip_height, locator_hash_fn hash_at, void *ctx,
    uint8_t (*out)[32], size_t max);

#endif

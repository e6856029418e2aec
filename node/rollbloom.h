/* rollbloom.h -- a rolling Bloom filter: "have we seen this hash lately?" in fixed memory.
 *
 * Two generations of N entries each: inserts go to the current one; when
 * it has taken N, the older is wiped and becomes current.  So the last N
 * to 2N inserts are always remembered, older ones fade, and memory stays
 * at 2 * bits regardless of what peers send (Bitcoin Core's
 * CRollingBloomFilter serves the same purpose).  False positives occur at
 * about the rate given to rollbloom_new; never false negatives within N. */
#ifndef AGENTCHAIN_ROLLBLOOM_H
#define AGENTCHAIN_ROLLBLOOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rollbloom;

/* Remember at least N items with a false-positive rate of about FP_RATE
 * (e.g. 0.000001). */
struct rollbloom *rollbloom_new(size_t n, double fp_rate);
void rollbloom_free(struct rollbloom *rb);
void rollbloom_insert(struct rollbloom *rb, const uint8_t hash[32]);
bool rollbloom_contains(const struct rollbloom *rb, const uint8_t hash[32]);
void rollbloom_reset(struct rollbloom *rb);

#endif

/* merkle.h -- Bitcoin's merkle root of a list of txids, with mutation detection. */
#ifndef AGENTCHAIN_MERKLE_H
#define AGENTCHAIN_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ROOT = the merkle root of the N 32-byte LEAVES, exactly as Bitcoin
 * computes it: pairs are hashed with SHA-256d (left || right); a level
 * with an odd count pairs its last hash with itself; one leaf is its own
 * root; no leaves give 32 zero bytes.
 *
 * MUTATED (may be NULL) is set when two equal hashes are paired at any
 * level other than by the odd-count rule (Core's ComputeMerkleRoot
 * `mutated`, CVE-2012-2459): then another, shorter list -- the same txids
 * without the duplicated tail -- has the same root, so the root alone does
 * not prove which list a header commits to.
 *
 * Memory is O(log N) (Core's earlier MerkleComputation); LEAVES is not
 * modified.  hash_init() must have been called. */
void merkle_root(const uint8_t (*leaves)[32], size_t n, uint8_t root[32], bool *mutated);

#endif

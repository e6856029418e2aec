/* storagecheck.h -- storage challenges: which deep block to ask a node for, and how to judge what it sent. */
#ifndef AGENTCRAWL_STORAGECHECK_H
#define AGENTCRAWL_STORAGECHECK_H

#include <stdint.h>

#include "block.h"
#include "chainparams.h"
#include "netaddr.h"

/* Blocks below a node's height a challenge stays: the newest blocks
 * prove nothing about storage (a node just relayed them). */
#define STORAGECHECK_DEPTH	6

/* Results, as stored in storage_checks.result. */
#define STORAGECHECK_OK		"ok"		/* the block, header and merkle root ours */
#define STORAGECHECK_WRONG	"wrong"		/* another block, or a merkle root that does not match */
#define STORAGECHECK_MISSING	"missing"	/* notfound, or no answer in time */

/* The height to challenge ADDR for, given the hash of the crawler's
 * current best tip RECENT (unknown to anyone before that block was
 * mined) and TOP, the height the node is asked to prove storage up to:
 *
 *   1 + (LE64(SHA256d(RECENT || ip[16] || port big-endian[2])) mod (TOP - 6))
 *
 * so the pick lies in 1 .. TOP - 6 (genesis is built into every node and
 * proves nothing).  Returns -1 when TOP - 6 < 1: nothing deep enough to
 * ask for.  Pure; hash_init() must have been called. */
int32_t storagecheck_pick(const uint8_t recent[32], const struct netaddr *addr, int32_t top);

/* Judge block B, sent for the block whose hash is WANT (the crawler's
 * header at the challenged height): STORAGECHECK_OK when B's header hash
 * is WANT and its transactions pass block_check (merkle root, not
 * mutated, proof of work) on P's network; STORAGECHECK_WRONG otherwise. */
const char *storagecheck_judge(const struct block *b, const uint8_t want[32],
    const struct chainparams *p);

#endif

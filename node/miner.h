/* miner.h -- blocks made here: a template on the tip from the mempool, its proof of work, into the chain.
 *
 * For regtest (`generate N`), where the target is so easy that the first
 * nonces win, and for tests and benchmarks that need blocks on demand.  A
 * real chain's blocks come from its own miners through submitblock. */
#ifndef AGENTCHAIN_MINER_H
#define AGENTCHAIN_MINER_H

#include <stddef.h>
#include <stdint.h>

struct chain;
struct mempool;

/* Mine N blocks on the tip, each with a first transaction of its own
 * (height and random bytes, so every block is new) followed by mempool
 * transactions, oldest first, up to MAX_BYTES of block (0: the block
 * limit).  Hashes go to HASHES (N of them).  NOW: wall seconds.  Returns
 * how many blocks were mined; fewer than N only on an error, with the
 * reason in ERR. */
int miner_generate(struct chain *ch, struct mempool *mp, int n, size_t max_bytes, int64_t now,
    uint8_t (*hashes)[32], char *err, size_t errlen);

#endif

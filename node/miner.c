/* miner.c -- blocks made here: a template on the tip from the mempool, its proof of work, into the chain. */
#include "miner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "chain.h"
#include "mempool.h"
#include "merkle.h"
#include "pow.h"
#include "rnd.h"
#include "xmalloc.h"

/* A block's own first transaction: "agentchain block HEIGHT" and 16 random
 * bytes, so that two nodes mining on one tip make different blocks. */
#define MINER_FIRST_TX_MAX	64

struct miner_fill {
	struct block_txdata	*txs;
	size_t			 n, cap;
	size_t			 bytes, max;
};

static int
miner_take(void *arg, const uint8_t txid[32], const uint8_t *tx, size_t len, int64_t time)
{
	struct miner_fill *f = arg;

	(void)txid;
	(void)time;
	/* A length prefix of up to 5 bytes per transaction. */
	if (f->bytes + len + 5 > f->max || f->n == f->cap)
		return f->n == f->cap;	/* skip what does not fit; stop when full */
	f->txs[f->n++] = (struct block_txdata){ .data = tx, .len = len };
	f->bytes += len + 5;
	return 0;
}

static int
miner_one(struct chain *ch, struct mempool *mp, size_t max_bytes, int64_t now, uint8_t hash[32],
    char *err, size_t errlen)
{
	const struct chain_entry *tip = chain_tip(ch), *e;
	uint8_t first[MINER_FIRST_TX_MAX], (*txids)[32];
	struct miner_fill f;
	struct block_header h;
	struct block b;
	enum block_err why;
	enum chain_result r;
	int len = snprintf((char *)first, sizeof(first), "agentchain block %d ", tip->height + 1);

	rnd_bytes(first + len, 16);
	memset(&f, 0, sizeof(f));
	f.max = max_bytes > 0 && max_bytes < BLOCK_MAX_SIZE ? max_bytes : BLOCK_MAX_SIZE;
	f.cap = 1 + (f.max / 2);
	f.txs = xcalloc(f.cap, sizeof(*f.txs));
	f.txs[f.n++] = (struct block_txdata){ .data = first, .len = (size_t)len + 16 };
	f.bytes = BLOCK_HEADER_SIZE + 5 + f.txs[0].len + 5;
	mempool_foreach(mp, miner_take, &f);

	memset(&h, 0, sizeof(h));
	h.version = 1;
	memcpy(h.prev_hash, tip->hash, 32);
	h.time = (uint32_t)(now > chain_median_time(ch, tip) ? now : chain_median_time(ch, tip) + 1);
	h.bits = chain_next_bits(ch, tip);
	why = block_build(&b, &h, f.txs, f.n);
	free(f.txs);
	if (why != BLOCK_OK) {
		snprintf(err, errlen, "cannot build a block: %s", block_err_name(why));
		return -1;
	}
	txids = block_txids(&b);
	merkle_root((const uint8_t (*)[32])txids, b.tx_count, h.merkle_root, NULL);
	free(txids);
	if (!pow_mine(&h, UINT32_MAX)) {
		block_free(&b);
		snprintf(err, errlen, "no nonce meets the target (not a regtest difficulty)");
		return -1;
	}
	block_set_header(&b, &h);
	r = chain_accept_block(ch, &b, now, 0, (struct chain_entry **)&e, &why);
	block_free(&b);
	if (r != CHAIN_NEW) {
		snprintf(err, errlen, "the chain refused the block: %s",
		    r == CHAIN_INVALID ? block_err_name(why) : "not new");
		return -1;
	}
	memcpy(hash, e->hash, 32);
	return 0;
}

int
miner_generate(struct chain *ch, struct mempool *mp, int n, size_t max_bytes, int64_t now,
    uint8_t (*hashes)[32], char *err, size_t errlen)
{
	int done = 0;

	while (done < n && miner_one(ch, mp, max_bytes, now, hashes[done], err, errlen) == 0)
		done++;
	return done;
}

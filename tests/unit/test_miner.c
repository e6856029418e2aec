/* test_miner.c -- regtest mining: templates from the mempool, times above the median past, refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain_util.h"
#include "log.h"

#define NOW	((int64_t)(DP_T0_MS / 1000))

static int
setup(void **state)
{
	struct remote *r = calloc(1, sizeof(*r));

	clock_fake_start(DP_T0_MS);
	remote_open(r, chainparams_get(NET_REGTEST));
	*state = r;
	return 0;
}

static int
teardown(void **state)
{
	remote_close(*state);
	free(*state);
	clock_fake_stop();
	return 0;
}

/* LEN bytes, different for every TAG. */
static const uint8_t *
tx_of(uint32_t tag, size_t len)
{
	static uint8_t buf[BLOCK_TX_MAX_SIZE];

	memset(buf, (int)(tag & 0xff), len);
	memcpy(buf, &tag, sizeof(tag));
	return buf;
}

static void
pool_add(struct mempool *mp, uint32_t tag, size_t len, int64_t time, uint8_t txid[32])
{
	assert_int_equal(mempool_add(mp, tx_of(tag, len), len, time, txid), MEMPOOL_ADDED);
}

/* The active block at HEIGHT, parsed. */
static void
read_at(struct chain *ch, int32_t height, struct block *b)
{
	char err[256];

	assert_non_null(chain_at(ch, height));
	if (chain_read_block(ch, chain_at(ch, height), b, err, sizeof(err)) != 0)
		fail_msg("chain_read_block: %s", err);
}

static void
assert_tx_is(const struct block *b, size_t i, const uint8_t txid[32])
{
	size_t len;
	const uint8_t *tx = block_tx_bytes(b, i, &len);
	uint8_t id[32];

	block_txid(tx, len, id);
	assert_memory_equal(id, txid, 32);
}

static void
test_generate_blocks(void **state)
{
	struct remote *r = *state;
	uint8_t hashes[3][32];
	char err[256];
	struct block b;
	size_t len;
	const uint8_t *tx;

	assert_int_equal(miner_generate(r->chain, r->mp, 3, 0, NOW, hashes, err, sizeof(err)), 3);
	assert_int_equal(chain_tip(r->chain)->height, 3);
	for (int i = 0; i < 3; i++)
		assert_memory_equal(chain_at(r->chain, i + 1)->hash, hashes[i], 32);
	/* Each block's own first transaction names its height. */
	read_at(r->chain, 2, &b);
	assert_int_equal(b.tx_count, 1);
	tx = block_tx_bytes(&b, 0, &len);
	assert_int_equal(len, strlen("agentchain block 2 ") + 16);
	assert_memory_equal(tx, "agentchain block 2 ", 19);
	/* Block 1 took NOW; the median past of (1, genesis) is then NOW too,
	 * so block 2 has to be a second later. */
	assert_int_equal(chain_at(r->chain, 1)->header.time, NOW);
	assert_int_equal(b.header.time, NOW + 1);
	assert_int_equal(b.header.bits, chain_next_bits(r->chain, chain_at(r->chain, 1)));
	block_free(&b);
	/* Mined here: from peer 0. */
	assert_int_equal(chain_tip(r->chain)->from_peer, 0);
	/* Two blocks on one tip differ (random bytes in the first tx). */
	assert_int_equal(chain_invalidate(r->chain, hashes[2], err, sizeof(err)), 0);
	assert_int_equal(miner_generate(r->chain, r->mp, 1, 0, NOW, hashes, err, sizeof(err)), 1);
	assert_int_equal(chain_tip(r->chain)->height, 3);
	assert_memory_not_equal(hashes[0], hashes[2], 32);
	/* Zero blocks: nothing to do. */
	assert_int_equal(miner_generate(r->chain, r->mp, 0, 0, NOW, hashes, err, sizeof(err)), 0);
}

/* Mempool transactions, oldest first; FILL pads the block with random
 * transactions (of at most 100 kB) to about that many bytes. */
static void
test_template_from_mempool(void **state)
{
	struct remote *r = *state;
	uint8_t ids[5][32], hash[32];
	static const size_t lens[5] = { 100, 100, 300, 100, 100 };
	char err[256];
	struct block b;

	for (uint32_t i = 0; i < 5; i++)
		pool_add(r->mp, i + 1, lens[i], NOW - 50 + i, ids[i]);
	assert_int_equal(miner_generate(r->chain, r->mp, 1, 0, NOW, &hash, err, sizeof(err)), 1);
	read_at(r->chain, 1, &b);
	assert_int_equal(b.tx_count, 6);
	for (int i = 0; i < 5; i++)
		assert_tx_is(&b, (size_t)i + 1, ids[i]);
	assert_true(b.len < 1000);	/* no padding without FILL */
	block_free(&b);
	/* Padded to about 250 kB: three filler transactions of <= 100 kB. */
	assert_int_equal(miner_generate(r->chain, r->mp, 1, 250000, NOW, &hash, err,
	    sizeof(err)), 1);
	read_at(r->chain, 2, &b);
	assert_true(b.len > 249000 && b.len <= 250000);
	assert_int_equal(b.tx_count, 1 + 5 + 3);
	for (size_t i = 6; i < b.tx_count; i++) {
		size_t len;
		block_tx_bytes(&b, i, &len);
		assert_true(len <= BLOCK_TX_MAX_SIZE);
	}
	block_free(&b);
}

/* The block limit holds however much waits: 50 transactions of 100 kB,
 * 39 fit in 4 MB.  A FILL above the limit pads no further than it. */
static void
test_template_block_limit(void **state)
{
	struct remote *r = *state;
	uint8_t first[32], hash[32];
	char err[256];
	struct block b;

	for (uint32_t i = 0; i < 50; i++)
		pool_add(r->mp, i + 1, BLOCK_TX_MAX_SIZE, NOW - 100 + i, i == 0 ? first : hash);
	assert_int_equal(miner_generate(r->chain, r->mp, 1, 0, NOW, &hash, err, sizeof(err)), 1);
	read_at(r->chain, 1, &b);
	assert_int_equal(b.tx_count, 1 + 39);
	assert_true(b.len <= BLOCK_MAX_SIZE);
	assert_tx_is(&b, 1, first);
	block_free(&b);
	assert_int_equal(miner_generate(r->chain, r->mp, 1, BLOCK_MAX_SIZE + 1000, NOW, &hash,
	    err, sizeof(err)), 1);
	read_at(r->chain, 2, &b);
	assert_true(b.len <= BLOCK_MAX_SIZE && b.len > BLOCK_MAX_SIZE - 200000);
	block_free(&b);
}

/* A clock behind the chain: the block's time is the median past + 1,
 * never below it.  Too far behind, the chain refuses the block as from the
 * future, and generate says so. */
static void
test_times_and_refusal(void **state)
{
	struct remote *r = *state;
	uint8_t hashes[11][32];
	int64_t mtp;
	char err[256];
	struct block b;

	/* Eleven blocks an hour ahead of the clock. */
	for (int i = 0; i < 11; i++)
		assert_int_equal(miner_generate(r->chain, r->mp, 1, 0, NOW + 3600 + i, &hashes[i],
		    err, sizeof(err)), 1);
	mtp = chain_median_time(r->chain, chain_tip(r->chain));
	assert_int_equal(mtp, NOW + 3600 + 5);
	assert_int_equal(miner_generate(r->chain, r->mp, 1, 0, NOW, hashes, err, sizeof(err)), 1);
	read_at(r->chain, 12, &b);
	assert_int_equal(b.header.time, mtp + 1);
	block_free(&b);
	/* Now the chain is ten hours ahead of our clock. */
	for (int i = 0; i < 11; i++)
		assert_int_equal(miner_generate(r->chain, r->mp, 1, 0, NOW + 36000 + i, &hashes[i],
		    err, sizeof(err)), 1);
	assert_int_equal(miner_generate(r->chain, r->mp, 2, 0, NOW, hashes, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "time-too-new"));
	assert_int_equal(chain_tip(r->chain)->height, 23);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generate_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template_from_mempool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template_block_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_times_and_refusal, setup, teardown),
	};

	log_set_level(LOGL_ERROR);
	if (hash_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

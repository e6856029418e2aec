/* fuzz_block.c -- libFuzzer target: the block parser, block_check, and the msg decoder's view of the same bytes.
 *
 * A block arrives from peers (block messages) and from disk; the parser
 * must refuse garbage without allocating, and whatever it accepts must be
 * self-consistent: the views lie inside the bytes, the header is their
 * first 80, and rebuilding the block from the views gives the very same
 * bytes (one encoding per block).  block_check then runs on every
 * accepted block for all three networks' rules. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "block_header.h"
#include "chaincheck.h"
#include "chainparams.h"
#include "hash.h"
#include "merkle.h"
#include "msg.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_parsed(const struct block *b, const uint8_t *data, size_t size)
{
	struct block_txdata *txs = NULL;
	struct block again, taken;
	struct block_header h;
	uint8_t enc[BLOCK_HEADER_SIZE], (*ids)[32], root[32];
	uint8_t *copy;
	bool mutated;

	if (b->len != size || memcmp(b->data, data, size) != 0 || b->len > BLOCK_MAX_SIZE)
		abort();
	if (b->tx_count > BLOCK_MAX_TXS || (b->tx_count == 0) != (b->tx == NULL))
		abort();
	/* The header is the first 80 bytes, and encodes back to them. */
	block_header_encode(&b->header, enc);
	if (memcmp(enc, data, BLOCK_HEADER_SIZE) != 0)
		abort();
	block_header_decode(enc, &h);
	block_header_encode(&h, enc);
	if (memcmp(enc, data, BLOCK_HEADER_SIZE) != 0)
		abort();
	/* Views: in order, inside the bytes, within the size limits. */
	if (b->tx_count > 0)
		txs = xreallocarray(NULL, b->tx_count, sizeof(*txs));
	for (size_t i = 0; i < b->tx_count; i++) {
		const struct block_tx *t = &b->tx[i];

		if (t->len < BLOCK_TX_MIN_SIZE || t->len > BLOCK_TX_MAX_SIZE ||
		    t->off < BLOCK_HEADER_SIZE || t->off + (size_t)t->len > size ||
		    (i > 0 && t->off < b->tx[i - 1].off + (size_t)b->tx[i - 1].len))
			abort();
		txs[i].data = block_tx_bytes(b, i, &txs[i].len);
	}
	/* Rebuilt from its parts, the block is byte for byte the same. */
	if (block_build(&again, &b->header, txs, b->tx_count) != BLOCK_OK ||
	    again.len != size || memcmp(again.data, data, size) != 0 ||
	    again.tx_count != b->tx_count)
		abort();
	block_free(&again);
	free(txs);
	/* Adopting a copy gives the same views. */
	copy = xmalloc(size);
	memcpy(copy, data, size);
	if (block_parse_take(&taken, copy, size) != BLOCK_OK || taken.data != copy ||
	    taken.tx_count != b->tx_count ||
	    (b->tx_count > 0 && memcmp(taken.tx, b->tx, b->tx_count * sizeof(*b->tx)) != 0))
		abort();
	block_free(&taken);
	/* The checks run on anything parsed, under every network's rules;
	 * the merkle verdict is the merkle module's. */
	for (int n = 0; n < NET_COUNT; n++) {
		enum block_err err = block_check(b, chainparams_get((enum net_id)n));

		if (err != BLOCK_OK && (err < BLOCK_ERR_BAD_TARGET || err > BLOCK_ERR_DUPLICATE_TX))
			abort();
		if (err == BLOCK_OK && b->tx_count == 0)
			abort();
	}
	ids = block_txids(b);
	merkle_root((const uint8_t (*)[32])ids, b->tx_count, root, &mutated);
	if (block_check(b, chainparams_get(NET_REGTEST)) == BLOCK_OK &&
	    (mutated || memcmp(root, b->header.merkle_root, 32) != 0))
		abort();
	free(ids);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialised;
	struct block b;
	struct msg m;
	enum block_err err;
	enum msg_err merr;

	if (!initialised) {
		if (hash_init() != 0)
			abort();
		initialised = 1;
	}
	err = block_parse(&b, data, size);
	if (err == BLOCK_OK) {
		check_parsed(&b, data, size);
	} else if (b.data != NULL || b.tx != NULL || b.len != 0 || b.tx_count != 0 ||
	    err > BLOCK_ERR_TX_SIZE) {
		abort();	/* errors leave nothing behind, and are parse errors */
	}
	/* The block message accepts exactly what the parser accepts. */
	merr = msg_decode(MSG_BLOCK, data, size, &m);
	if ((merr == MSG_OK) != (err == BLOCK_OK))
		abort();
	if (merr == MSG_OK && (m.u.block.len != size || m.u.block.tx_count != b.tx_count))
		abort();
	msg_free(&m);
	block_free(&b);

	/* The bytes as a list of block times: a median is one of them. */
	if (size >= 4) {
		uint32_t t[CHAINPARAMS_MTP_SPAN];
		size_t n = size / 4 < CHAINPARAMS_MTP_SPAN ? size / 4 : CHAINPARAMS_MTP_SPAN;
		int64_t med;
		size_t le = 0, ge = 0;

		memcpy(t, data, n * 4);
		med = chaincheck_median_time(t, n);
		for (size_t i = 0; i < n; i++) {
			le += t[i] <= med;
			ge += t[i] >= med;
		}
		if (le < n / 2 + 1 || ge < (n + 1) / 2)
			abort();
	}
	return 0;
}

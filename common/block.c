/* block.c -- serialized blocks: strict parse, build, context-free checks.
 *
 * A block is parsed in two passes over the same bytes: the first checks
 * the whole structure and counts, touching no memory but the cursor; only
 * then is anything allocated, and the second pass (which cannot fail)
 * records where each transaction lies.  So a malformed block costs no
 * allocation at all, and a valid one costs its bytes plus 8 bytes a
 * transaction. */
#include "block.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chainparams.h"
#include "hash.h"
#include "merkle.h"
#include "pow.h"
#include "xmalloc.h"

static const char *const block_err_names[] = {
	[BLOCK_OK] = "ok",
	[BLOCK_ERR_TRUNCATED] = "truncated",
	[BLOCK_ERR_TRAILING] = "trailing-bytes",
	[BLOCK_ERR_NONCANONICAL] = "noncanonical-size",
	[BLOCK_ERR_TOO_LARGE] = "bad-blk-size",
	[BLOCK_ERR_TOO_MANY_TXS] = "bad-blk-txcount",
	[BLOCK_ERR_TX_SIZE] = "bad-tx-size",
	[BLOCK_ERR_BAD_TARGET] = "bad-target",
	[BLOCK_ERR_HIGH_HASH] = "high-hash",
	[BLOCK_ERR_BAD_MERKLE] = "bad-txnmrklroot",
	[BLOCK_ERR_MUTATED] = "bad-txns-mutated",
	[BLOCK_ERR_NO_TX] = "bad-blk-empty",
	[BLOCK_ERR_DUPLICATE_TX] = "bad-txns-duplicate",
	[BLOCK_ERR_BAD_DIFFBITS] = "bad-diffbits",
	[BLOCK_ERR_TIME_TOO_OLD] = "time-too-old",
	[BLOCK_ERR_TIME_TOO_NEW] = "time-too-new",
};

const char *
block_err_name(enum block_err err)
{
	if ((unsigned)err >= sizeof(block_err_names) / sizeof(block_err_names[0]))
		return "unknown";
	return block_err_names[err];
}

/* A CompactSize into *N: BLOCK_OK, NONCANONICAL or TRUNCATED. */
static enum block_err
read_size(struct rbuf *r, uint64_t *n)
{
	switch (rbuf_compactsize(r, n)) {
	case RBUF_OK:
		return BLOCK_OK;
	case RBUF_NONCANONICAL:
		return BLOCK_ERR_NONCANONICAL;
	default:
		return BLOCK_ERR_TRUNCATED;
	}
}

/* Walk the LEN bytes at DATA as a block.  Sets *COUNT, and fills TX (room
 * for *COUNT entries) unless it is NULL.  Returns the first fault. */
static enum block_err
block_scan(const uint8_t *data, size_t len, size_t *count, struct block_tx *tx)
{
	enum block_err err;
	struct rbuf r;
	uint64_t n, tlen;

	if (len > BLOCK_MAX_SIZE)
		return BLOCK_ERR_TOO_LARGE;
	rbuf_init(&r, data, len);
	if (!rbuf_skip(&r, BLOCK_HEADER_SIZE))
		return BLOCK_ERR_TRUNCATED;
	if ((err = read_size(&r, &n)) != BLOCK_OK)
		return err;
	if (n > BLOCK_MAX_TXS)
		return BLOCK_ERR_TOO_MANY_TXS;
	/* Every transaction takes at least 2 bytes (length and one byte). */
	if (n * 2 > rbuf_remaining(&r))
		return BLOCK_ERR_TRUNCATED;
	for (uint64_t i = 0; i < n; i++) {
		if ((err = read_size(&r, &tlen)) != BLOCK_OK)
			return err;
		if (tlen < BLOCK_TX_MIN_SIZE || tlen > BLOCK_TX_MAX_SIZE)
			return BLOCK_ERR_TX_SIZE;
		if (tlen > rbuf_remaining(&r))
			return BLOCK_ERR_TRUNCATED;
		if (tx != NULL) {
			/* Both fit: LEN <= BLOCK_MAX_SIZE. */
			tx[i].off = (uint32_t)r.pos;
			tx[i].len = (uint32_t)tlen;
		}
		rbuf_skip(&r, (size_t)tlen);
	}
	if (rbuf_remaining(&r) != 0)
		return BLOCK_ERR_TRAILING;
	*count = (size_t)n;
	return BLOCK_OK;
}

/* Fill *B around DATA, which block_scan has accepted with COUNT txs. */
static void
block_adopt(struct block *b, uint8_t *data, size_t len, size_t count)
{
	size_t n;

	b->data = data;
	b->len = len;
	b->tx_count = count;
	b->tx = count > 0 ? xcalloc(count, sizeof(*b->tx)) : NULL;
	block_scan(data, len, &n, b->tx);
	block_header_decode(data, &b->header);
}

enum block_err
block_parse(struct block *b, const uint8_t *data, size_t len)
{
	enum block_err err;
	size_t count;
	uint8_t *copy;

	memset(b, 0, sizeof(*b));
	if ((err = block_scan(data, len, &count, NULL)) != BLOCK_OK)
		return err;
	/* LEN >= 81 here: never a zero-size allocation. */
	copy = xmalloc(len);
	memcpy(copy, data, len);
	block_adopt(b, copy, len, count);
	return BLOCK_OK;
}

enum block_err
block_parse_take(struct block *b, uint8_t *data, size_t len)
{
	enum block_err err;
	size_t count;

	memset(b, 0, sizeof(*b));
	if ((err = block_scan(data, len, &count, NULL)) != BLOCK_OK)
		return err;
	block_adopt(b, data, len, count);
	return BLOCK_OK;
}

/* Bytes of V as a CompactSize. */
static size_t
compactsize_len(uint64_t v)
{
	return v < 0xfd ? 1 : v <= 0xffff ? 3 : v <= 0xffffffffULL ? 5 : 9;
}

enum block_err
block_build(struct block *b, const struct block_header *h,
    const struct block_txdata *txs, size_t n)
{
	uint8_t hdr[BLOCK_HEADER_SIZE];
	size_t total;
	struct wbuf w;

	memset(b, 0, sizeof(*b));
	if (n > BLOCK_MAX_TXS)
		return BLOCK_ERR_TOO_MANY_TXS;
	total = BLOCK_HEADER_SIZE + compactsize_len(n);
	for (size_t i = 0; i < n; i++) {
		if (txs[i].len < BLOCK_TX_MIN_SIZE || txs[i].len > BLOCK_TX_MAX_SIZE)
			return BLOCK_ERR_TX_SIZE;
		/* Stops growing once over the limit, so it cannot wrap. */
		if (total <= BLOCK_MAX_SIZE)
			total += compactsize_len(txs[i].len) + txs[i].len;
	}
	if (total > BLOCK_MAX_SIZE)
		return BLOCK_ERR_TOO_LARGE;
	wbuf_init(&w);
	wbuf_reserve(&w, total);
	block_header_encode(h, hdr);
	wbuf_bytes(&w, hdr, sizeof(hdr));
	wbuf_compactsize(&w, n);
	for (size_t i = 0; i < n; i++) {
		wbuf_compactsize(&w, txs[i].len);
		wbuf_bytes(&w, txs[i].data, txs[i].len);
	}
	/* What we wrote is a block by construction; parse it for the views. */
	if (block_parse_take(b, w.data, w.len) != BLOCK_OK)
		abort();
	return BLOCK_OK;
}

void
block_set_header(struct block *b, const struct block_header *h)
{
	b->header = *h;
	block_header_encode(h, b->data);
}

const uint8_t *
block_tx_bytes(const struct block *b, size_t i, size_t *len)
{
	*len = b->tx[i].len;
	return b->data + b->tx[i].off;
}

void
block_txid(const void *tx, size_t len, uint8_t out[32])
{
	hash_sha256d(tx, len, out);
}

uint8_t (*block_txids(const struct block *b))[32]
{
	uint8_t (*ids)[32];

	if (b->tx_count == 0)
		return NULL;
	ids = xreallocarray(NULL, b->tx_count, sizeof(*ids));
	for (size_t i = 0; i < b->tx_count; i++)
		block_txid(b->data + b->tx[i].off, b->tx[i].len, ids[i]);
	return ids;
}

enum block_err
block_check_header(const struct block_header *h, const struct chainparams *p)
{
	uint8_t hash[32];

	if (!pow_target(h->bits, p, NULL))
		return BLOCK_ERR_BAD_TARGET;
	block_header_hash(h, hash);
	if (!pow_check(hash, h->bits, p))
		return BLOCK_ERR_HIGH_HASH;
	return BLOCK_OK;
}

/* The size rules block_scan enforces, on a struct that may have been
 * assembled by hand: views inside DATA, past the header, within limits. */
static enum block_err
block_check_sizes(const struct block *b)
{
	if (b->len > BLOCK_MAX_SIZE || b->len < BLOCK_HEADER_SIZE)
		return BLOCK_ERR_TOO_LARGE;
	if (b->tx_count > BLOCK_MAX_TXS)
		return BLOCK_ERR_TOO_MANY_TXS;
	for (size_t i = 0; i < b->tx_count; i++) {
		const struct block_tx *t = &b->tx[i];

		if (t->len < BLOCK_TX_MIN_SIZE || t->len > BLOCK_TX_MAX_SIZE ||
		    t->off < BLOCK_HEADER_SIZE || t->off > b->len ||
		    t->len > b->len - t->off)
			return BLOCK_ERR_TX_SIZE;
	}
	return BLOCK_OK;
}

static int
hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

enum block_err
block_check(const struct block *b, const struct chainparams *p)
{
	enum block_err err;
	uint8_t (*ids)[32], root[32];
	bool mutated;

	if ((err = block_check_header(&b->header, p)) != BLOCK_OK)
		return err;
	if (b->tx_count == 0)
		return BLOCK_ERR_NO_TX;
	if ((err = block_check_sizes(b)) != BLOCK_OK)
		return err;
	ids = block_txids(b);
	merkle_root((const uint8_t (*)[32])ids, b->tx_count, root, &mutated);
	if (memcmp(root, b->header.merkle_root, 32) != 0)
		err = BLOCK_ERR_BAD_MERKLE;
	else if (mutated)
		err = BLOCK_ERR_MUTATED;
	else {
		/* Sorted, equal txids are neighbours. */
		qsort(ids, b->tx_count, sizeof(*ids), hash_cmp);
		for (size_t i = 1; i < b->tx_count && err == BLOCK_OK; i++)
			if (memcmp(ids[i - 1], ids[i], 32) == 0)
				err = BLOCK_ERR_DUPLICATE_TX;
	}
	free(ids);
	return err;
}

void
block_genesis(struct block *b, const struct chainparams *p)
{
	const struct chainparams_genesis *g = &p->genesis;
	struct block_txdata tx = { .data = g->tx, .len = g->tx_len };
	struct block_header h;

	memset(&h, 0, sizeof(h));
	h.version = g->version;
	/* One transaction: the merkle root is its txid. */
	block_txid(g->tx, g->tx_len, h.merkle_root);
	h.time = g->time;
	h.bits = g->bits;
	h.nonce = g->nonce;
	/* The tables are constants; a genesis that does not build is a
	 * broken invariant, not bad input. */
	if (block_build(b, &h, &tx, 1) != BLOCK_OK)
		abort();
}

void
block_free(struct block *b)
{
	free(b->data);
	free(b->tx);
	memset(b, 0, sizeof(*b));
}

/* test_headerchain.c -- the crawler's own header chain (crawler/headerchain.c) and the storage-challenge rule (crawler/storagecheck.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../crawler/headerchain.h"
#include "../../crawler/storagecheck.h"
#include "block.h"
#include "chainparams.h"
#include "crawldb.h"
#include "hash.h"
#include "locator.h"
#include "merkle.h"
#include "pow.h"

/* After regtest's genesis and before "too far in the future". */
#define NOW	1800000000

static const struct chainparams *rp;

/* A valid header on PREV, told apart from its siblings by SALT. */
static struct block_header
child(const struct headerchain_entry *prev, uint32_t salt)
{
	struct block_header h;

	memset(&h, 0, sizeof(h));
	h.version = 1;
	memcpy(h.prev_hash, prev->hash, 32);
	memset(h.merkle_root, (int)(salt & 0xff), 32);
	h.merkle_root[1] = (uint8_t)(salt >> 8);
	h.time = prev->header.time + 60;
	h.bits = prev->header.bits;
	assert_true(pow_mine(&h, 1000000));
	return h;
}

/* Add N headers on FROM; returns the last entry. */
static const struct headerchain_entry *
extend(struct headerchain *hc, const struct headerchain_entry *from, int n, uint32_t salt)
{
	const struct headerchain_entry *e = from;

	for (int i = 0; i < n; i++) {
		struct block_header h = child(e, salt);
		assert_int_equal(headerchain_add(hc, &h, NOW, &e, NULL), HEADERCHAIN_NEW);
	}
	return e;
}

static void
test_connect(void **state)
{
	struct headerchain		*hc = headerchain_new(rp);
	const struct headerchain_entry	*g = headerchain_tip(hc), *e, *d;
	uint8_t				 loc[LOCATOR_MAX][32];
	struct block_header		 h;

	(void)state;
	assert_int_equal(g->height, 0);
	assert_memory_equal(g->hash, rp->genesis.hash, 32);
	e = extend(hc, g, 10, 1);
	assert_ptr_equal(headerchain_tip(hc), e);
	assert_int_equal(e->height, 10);
	assert_int_equal(headerchain_count(hc), 11);
	assert_ptr_equal(headerchain_at(hc, 0), g);
	assert_ptr_equal(headerchain_at(hc, 10), e);
	assert_null(headerchain_at(hc, 11));
	assert_ptr_equal(headerchain_find(hc, e->hash), e);
	assert_ptr_equal(headerchain_fork(hc, e), e);
	/* The same header again is a duplicate, not a second entry. */
	h = e->header;
	assert_int_equal(headerchain_add(hc, &h, NOW, &d, NULL), HEADERCHAIN_DUPLICATE);
	assert_ptr_equal(d, e);
	assert_int_equal(headerchain_count(hc), 11);
	/* The locator: tip first, genesis last. */
	size_t n = headerchain_locator(hc, e, loc, LOCATOR_MAX);
	assert_int_equal(n, 11);
	assert_memory_equal(loc[0], e->hash, 32);
	assert_memory_equal(loc[n - 1], g->hash, 32);
	headerchain_free(hc);
}

static void
test_fork_to_more_work(void **state)
{
	struct headerchain		*hc = headerchain_new(rp);
	const struct headerchain_entry	*g = headerchain_tip(hc), *a, *b, *tie;
	uint8_t				 loc[LOCATOR_MAX][32];

	(void)state;
	a = extend(hc, g, 5, 1);
	/* A branch from height 2 with as much work: the first seen stays. */
	tie = extend(hc, headerchain_at(hc, 2), 3, 2);
	assert_int_equal(tie->height, 5);
	assert_ptr_equal(headerchain_tip(hc), a);
	assert_false(headerchain_on_best(hc, tie));
	assert_int_equal(headerchain_fork(hc, tie)->height, 2);
	/* One more on it: more work, the best chain follows. */
	b = extend(hc, tie, 1, 2);
	assert_ptr_equal(headerchain_tip(hc), b);
	assert_int_equal(b->height, 6);
	assert_ptr_equal(headerchain_at(hc, 5), tie);
	assert_ptr_equal(headerchain_at(hc, 6), b);
	assert_false(headerchain_on_best(hc, a));
	assert_int_equal(headerchain_fork(hc, a)->height, 2);
	assert_true(headerchain_on_best(hc, headerchain_at(hc, 2)));
	/* A locator of the old branch names the old branch's headers. */
	headerchain_locator(hc, a, loc, LOCATOR_MAX);
	assert_memory_equal(loc[0], a->hash, 32);
	assert_memory_equal(loc[1], a->prev->hash, 32);
	headerchain_free(hc);
}

static void
test_bad_headers_rejected(void **state)
{
	struct headerchain		*hc = headerchain_new(rp);
	const struct headerchain_entry	*g = headerchain_tip(hc), *e, *out;
	struct block_header		 h;
	enum block_err			 why;
	uint8_t				 hash[32];

	(void)state;
	e = extend(hc, g, 12, 1);
	/* Proof of work that misses its target. */
	h = child(e, 9);
	do {
		h.nonce++;
		block_header_hash(&h, hash);
	} while (pow_check(hash, h.bits, rp));
	assert_int_equal(headerchain_add(hc, &h, NOW, &out, &why), HEADERCHAIN_INVALID);
	assert_int_equal(why, BLOCK_ERR_HIGH_HASH);
	assert_null(out);
	/* Another difficulty than the chain's. */
	h = child(e, 9);
	h.bits = 0x1f00ffff;
	pow_mine(&h, 1000000);
	assert_int_equal(headerchain_add(hc, &h, NOW, NULL, &why), HEADERCHAIN_INVALID);
	assert_int_equal(why, BLOCK_ERR_BAD_DIFFBITS);
	/* A time not above the median of the last 11. */
	h = child(e, 9);
	h.time = headerchain_at(hc, 6)->header.time;
	pow_mine(&h, 1000000);
	assert_int_equal(headerchain_add(hc, &h, NOW, NULL, &why), HEADERCHAIN_INVALID);
	assert_int_equal(why, BLOCK_ERR_TIME_TOO_OLD);
	/* More than 2 h ahead of the clock. */
	h = child(e, 9);
	h.time = NOW + 3 * 3600;
	pow_mine(&h, 1000000);
	assert_int_equal(headerchain_add(hc, &h, NOW, NULL, &why), HEADERCHAIN_INVALID);
	assert_int_equal(why, BLOCK_ERR_TIME_TOO_NEW);
	assert_int_equal(headerchain_count(hc), 13);
	assert_ptr_equal(headerchain_tip(hc), e);
	headerchain_free(hc);
}

/* Headers whose parent is unknown are never kept, and side branches are
 * capped: beyond HEADERCHAIN_MAX_SIDE only more work gets in. */
static void
test_unconnected_and_side_cap(void **state)
{
	struct headerchain		*hc = headerchain_new(rp);
	const struct headerchain_entry	*g = headerchain_tip(hc), *e, *x;
	struct block_header		 h;
	uint32_t			 i;

	(void)state;
	e = extend(hc, g, 3, 1);
	for (i = 0; i < 100; i++) {
		h = child(e, 7);
		memset(h.prev_hash, (int)i + 1, 32);
		assert_int_equal(headerchain_add(hc, &h, NOW, NULL, NULL), HEADERCHAIN_ORPHAN);
	}
	assert_int_equal(headerchain_count(hc), 4);
	/* One-header side branches on genesis, until the cap. */
	for (i = 0; headerchain_count(hc) <= 4 + HEADERCHAIN_MAX_SIDE; i++) {
		h = child(g, 100 + i);
		assert_int_equal(headerchain_add(hc, &h, NOW, NULL, NULL), HEADERCHAIN_NEW);
	}
	h = child(g, 100 + i);
	assert_int_equal(headerchain_add(hc, &h, NOW, NULL, NULL), HEADERCHAIN_FULL);
	/* A header that makes the most work still gets in. */
	h = child(e, 1);
	assert_int_equal(headerchain_add(hc, &h, NOW, &x, NULL), HEADERCHAIN_NEW);
	assert_ptr_equal(headerchain_tip(hc), x);
	headerchain_free(hc);
}

struct store_ctx {
	struct crawldb	*db;
	size_t		 n;
};

static int
store_one(const struct headerchain_entry *e, void *arg)
{
	struct store_ctx	*c = arg;
	uint8_t			 raw[BLOCK_HEADER_SIZE];
	char			 err[256];

	block_header_encode(&e->header, raw);
	c->n++;
	return crawldb_header_put(c->db, "regtest", e->hash, e->height, raw, err, sizeof(err));
}

static int
load_one(const uint8_t raw[80], void *arg)
{
	struct block_header h;

	block_header_decode(raw, &h);
	assert_int_equal(headerchain_add(arg, &h, NOW, NULL, NULL), HEADERCHAIN_NEW);
	return 0;
}

/* What was drained into the crawl database comes back as the same chain;
 * a drain sees each new header once. */
static void
test_persistence_round_trip(void **state)
{
	struct headerchain		*hc = headerchain_new(rp), *back;
	const struct headerchain_entry	*g = headerchain_tip(hc), *a;
	struct store_ctx		 c = { NULL, 0 };
	char				 dir[] = "/tmp/test_headerchain.XXXXXX", path[64], err[256];
	char				 cmd[96];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/crawl.db", dir);
	c.db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(c.db);
	a = extend(hc, g, 30, 1);
	extend(hc, headerchain_at(hc, 25), 2, 2);	/* a side branch too */
	assert_int_equal(headerchain_drain_new(hc, store_one, &c), 0);
	assert_int_equal(c.n, 32);
	assert_int_equal(headerchain_drain_new(hc, store_one, &c), 0);
	assert_int_equal(c.n, 32);
	crawldb_close(c.db);

	c.db = crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err));
	assert_non_null(c.db);
	back = headerchain_new(rp);
	assert_int_equal(crawldb_headers_foreach(c.db, "regtest", load_one, back, err,
	    sizeof(err)), 0);
	assert_int_equal(headerchain_count(back), 33);
	assert_memory_equal(headerchain_tip(back)->hash, a->hash, 32);
	assert_int_equal(headerchain_tip(back)->height, 30);
	crawldb_close(c.db);
	headerchain_free(back);
	headerchain_free(hc);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The pick: 1 + LE64(SHA256d(recent || ip || port BE)) mod (top - 6). */
static void
test_storage_pick(void **state)
{
	uint8_t		recent[32], buf[50], h[32];
	struct netaddr	a;
	uint64_t	v = 0;
	int32_t		pick, lo = INT32_MAX, hi = 0;
	int		i;

	(void)state;
	memset(recent, 0xab, 32);
	assert_int_equal(netaddr_parse("127.0.0.1", 29001, &a), 0);
	assert_int_equal(storagecheck_pick(recent, &a, 6), -1);
	assert_int_equal(storagecheck_pick(recent, &a, 0), -1);
	assert_int_equal(storagecheck_pick(recent, &a, 7), 1);	/* only 1 is deep enough */
	/* The documented formula, computed independently. */
	memcpy(buf, recent, 32);
	memcpy(buf + 32, a.ip, 16);
	buf[48] = 29001 >> 8;
	buf[49] = 29001 & 0xff;
	hash_sha256d(buf, sizeof(buf), h);
	for (i = 7; i >= 0; i--)
		v = v << 8 | h[i];
	assert_int_equal(storagecheck_pick(recent, &a, 1006), 1 + (int32_t)(v % 1000));
	/* Every pick is deep; addresses spread over the range. */
	for (i = 0; i < 2000; i++) {
		a.port = (uint16_t)(1000 + i);
		pick = storagecheck_pick(recent, &a, 106);
		assert_true(pick >= 1 && pick <= 100);
		lo = pick < lo ? pick : lo;
		hi = pick > hi ? pick : hi;
	}
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 100);
	/* A new block changes the pick (for almost every address). */
	a.port = 29001;
	pick = storagecheck_pick(recent, &a, 1000006);
	recent[0] ^= 1;
	assert_int_not_equal(storagecheck_pick(recent, &a, 1000006), pick);
}

static void
test_storage_judge(void **state)
{
	static const uint8_t	 tx1[] = "coinbase", tx2[] = "a payment";
	struct block_txdata	 txs[2] = { { tx1, sizeof(tx1) }, { tx2, sizeof(tx2) } };
	struct headerchain	*hc = headerchain_new(rp);
	struct block_header	 h;
	struct block		 b, bad;
	uint8_t			 (*ids)[32], hash[32], other[32];

	(void)state;
	h = child(headerchain_tip(hc), 1);
	assert_int_equal(block_build(&b, &h, txs, 2), BLOCK_OK);
	ids = block_txids(&b);
	merkle_root((const uint8_t (*)[32])ids, 2, h.merkle_root, NULL);
	free(ids);
	assert_true(pow_mine(&h, 1000000));
	block_set_header(&b, &h);
	block_header_hash(&h, hash);
	assert_string_equal(storagecheck_judge(&b, hash, rp), STORAGECHECK_OK);
	/* Another block than the one asked for. */
	memset(other, 7, 32);
	assert_string_equal(storagecheck_judge(&b, other, rp), STORAGECHECK_WRONG);
	/* The right header over other transactions: the merkle root fails. */
	assert_int_equal(block_parse(&bad, b.data, b.len), BLOCK_OK);
	bad.data[bad.tx[1].off] ^= 1;
	assert_string_equal(storagecheck_judge(&bad, hash, rp), STORAGECHECK_WRONG);
	block_free(&bad);
	block_free(&b);
	headerchain_free(hc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_fork_to_more_work),
		cmocka_unit_test(test_bad_headers_rejected),
		cmocka_unit_test(test_unconnected_and_side_cap),
		cmocka_unit_test(test_persistence_round_trip),
		cmocka_unit_test(test_storage_pick),
		cmocka_unit_test(test_storage_judge),
	};

	if (hash_init() == -1)
		return 1;
	rp = chainparams_get(NET_REGTEST);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

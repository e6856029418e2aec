/* test_chain.c -- the block tree: headers, blocks, the active chain, reorganisations, invalidation, reopening. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain_util.h"
#include "../../node/blockstore.h"
#include "chaincheck.h"
#include "locator.h"
#include "log.h"
#include "merkle.h"

/* Wall seconds handed to the chain: the fake clock's start. */
#define NOW		((int64_t)(DP_T0_MS / 1000))
#define REGTEST_BITS	0x207fffffu

struct fx {
	char			 dir[64];
	const struct chainparams *p;
	struct chain		*ch;
};

static void
fx_open(struct fx *f)
{
	char err[256];

	f->ch = chain_open(f->p, f->dir, err, sizeof(err));
	if (f->ch == NULL)
		fail_msg("chain_open: %s", err);
}

/* In BASE ("/tmp"; "/dev/shm" where fsync would dominate). */
static void
fx_init_in(struct fx *f, const char *base)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/agentchain-test-chain.XXXXXX", base);
	assert_non_null(mkdtemp(f->dir));
	f->p = chainparams_get(NET_REGTEST);
	fx_open(f);
}

static void
fx_init(struct fx *f)
{
	fx_init_in(f, "/tmp");
}

static void
fx_close(struct fx *f)
{
	chain_close(f->ch);
	f->ch = NULL;
}

static void
fx_reopen(struct fx *f)
{
	fx_close(f);
	fx_open(f);
}

static void
fx_free(struct fx *f)
{
	char cmd[96];

	fx_close(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	(void)!system(cmd);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	clock_fake_start(DP_T0_MS);
	fx_init(f);
	*state = f;
	return 0;
}

/* Also after a failed assertion: nothing is left in /tmp. */
static int
teardown(void **state)
{
	fx_free(*state);
	free(*state);
	clock_fake_stop();
	return 0;
}

/* Start again in a fresh directory. */
static void
fx_fresh(struct fx *f)
{
	fx_free(f);
	fx_init(f);
}

/* --- blocks made by hand ----------------------------------------------------- */

static uint32_t tx_counter;

/* A mined block on PREV with TIME and BITS holding the N transactions
 * TXS; merkle root set. */
static void
build_txs(struct block *b, const uint8_t prev[32], uint32_t time, uint32_t bits,
    const struct block_txdata *txs, size_t n)
{
	struct block_header h = { .version = 1, .time = time, .bits = bits };

	memcpy(h.prev_hash, prev, 32);
	assert_int_equal(block_build(b, &h, txs, n), BLOCK_OK);
	if (n > 0) {
		uint8_t (*ids)[32] = block_txids(b);
		merkle_root((const uint8_t (*)[32])ids, n, h.merkle_root, NULL);
		free(ids);
	}
	assert_true(pow_mine(&h, 1000000));
	block_set_header(b, &h);
}

/* As build_txs, with NTX (<= 8) transactions no other block of this run
 * has. */
static void
build(struct block *b, const uint8_t prev[32], uint32_t time, uint32_t bits, size_t ntx)
{
	uint8_t data[8][12];
	struct block_txdata txs[8];

	assert_true(ntx <= 8);
	for (size_t i = 0; i < ntx; i++) {
		uint32_t c = ++tx_counter;
		memcpy(data[i], "tx::", 4);
		memcpy(data[i] + 4, &c, 4);
		memcpy(data[i] + 8, &time, 4);
		txs[i] = (struct block_txdata){ .data = data[i], .len = sizeof(data[i]) };
	}
	build_txs(b, prev, time, bits, txs, ntx);
}

/* A block on PREV, DT seconds after it, with two transactions. */
static void
build_on(struct block *b, const struct chain_entry *prev, uint32_t dt)
{
	build(b, prev->hash, prev->header.time + dt, REGTEST_BITS, 2);
}

static struct chain_entry *
accept_block(struct chain *ch, const struct block *b, enum chain_result want)
{
	struct chain_entry *e;
	enum block_err why;
	enum chain_result r = chain_accept_block(ch, b, NOW, 7, &e, &why);

	if (r != want)
		fail_msg("chain_accept_block: %d (%s), wanted %d", r, block_err_name(why), want);
	return e;
}

static struct chain_entry *
accept_header(struct chain *ch, const struct block_header *h, int64_t now, enum chain_result want,
    enum block_err want_why)
{
	struct chain_entry *e;
	enum block_err why;
	enum chain_result r = chain_accept_header(ch, h, now, 3, &e, &why);

	if (r != want || why != want_why)
		fail_msg("chain_accept_header: %d (%s), wanted %d (%s)", r, block_err_name(why),
		    want, block_err_name(want_why));
	return e;
}

/* A new block on PREV (DT seconds later), accepted; *KEEP gets it when
 * not NULL (else it is freed). */
static struct chain_entry *
grow(struct chain *ch, const struct chain_entry *prev, uint32_t dt, struct block *keep)
{
	struct block b;
	struct chain_entry *e;

	build_on(&b, prev, dt);
	e = accept_block(ch, &b, CHAIN_NEW);
	if (keep != NULL)
		*keep = b;
	else
		block_free(&b);
	return e;
}

/* N blocks on PREV, a minute apart; the entries into OUT[0..N-1] if given.
 * Returns the last. */
static const struct chain_entry *
grow_n(struct chain *ch, const struct chain_entry *prev, int n, const struct chain_entry **out)
{
	for (int i = 0; i < n; i++) {
		prev = grow(ch, prev, 60, NULL);
		if (out != NULL)
			out[i] = prev;
	}
	return prev;
}

/* --- listener log ---------------------------------------------------------------- */

struct ev {
	char			 kind;	/* c(onnected), d(isconnected), t(ip) */
	const struct chain_entry *e;
	bool			 block_matches;	/* the block passed was E's */
};

struct evlog {
	struct ev	ev[64];
	int		n;
};

static void
ev_add(struct evlog *l, char kind, const struct chain_entry *e, const struct block *b)
{
	uint8_t hash[32];

	if (l->n >= 64)
		return;
	l->ev[l->n].kind = kind;
	l->ev[l->n].e = e;
	if (b != NULL && b->data != NULL) {
		block_header_hash(&b->header, hash);
		l->ev[l->n].block_matches = memcmp(hash, e->hash, 32) == 0;
	}
	l->n++;
}

/* The txids handed over are the block's own, in order. */
static void
check_txids(const struct block *b, const uint8_t (*txids)[32])
{
	uint8_t (*want)[32] = block_txids(b);

	if (b->tx_count > 0)
		assert_memory_equal(want, txids, b->tx_count * 32);
	free(want);
}

static void
on_connected(void *arg, const struct chain_entry *e, const struct block *b,
    const uint8_t (*txids)[32])
{
	check_txids(b, txids);
	ev_add(arg, 'c', e, b);
}

static void
on_disconnected(void *arg, const struct chain_entry *e, const struct block *b,
    const uint8_t (*txids)[32])
{
	check_txids(b, txids);
	ev_add(arg, 'd', e, b);
}

static void
on_tip(void *arg, const struct chain_entry *tip)
{
	ev_add(arg, 't', tip, NULL);
}

static void
listen_to(struct chain *ch, struct evlog *l)
{
	memset(l, 0, sizeof(*l));
	chain_add_listener(ch, &(struct chain_listener){ .arg = l, .connected = on_connected,
	    .disconnected = on_disconnected, .tip = on_tip });
}

/* The log as a string: "d2 d1 c1 c2 t2" (kinds and heights). */
static const char *
ev_str(const struct evlog *l)
{
	static char s[512];
	size_t used = 0;

	s[0] = '\0';
	for (int i = 0; i < l->n && used < sizeof(s) - 16; i++)
		used += (size_t)snprintf(s + used, sizeof(s) - used, "%s%c%d", i ? " " : "",
		    l->ev[i].kind, l->ev[i].e->height);
	return s;
}

/* --- tips ------------------------------------------------------------------------- */

struct tips {
	const struct chain_entry *e[16];
	int n;
};

static void
collect_tip(void *arg, const struct chain_entry *tip)
{
	struct tips *t = arg;

	if (t->n < 16)
		t->e[t->n++] = tip;
}

static bool
is_tip(const struct chain *ch, const struct chain_entry *e, int *count)
{
	struct tips t = { .n = 0 };

	chain_tips(ch, collect_tip, &t);
	*count = t.n;
	for (int i = 0; i < t.n; i++)
		if (t.e[i] == e)
			return true;
	return false;
}

/* --- opening ----------------------------------------------------------------------- */

static void
test_open_genesis(void **state)
{
	struct fx *f = *state;
	const struct chain_entry *g;
	struct block b;
	char err[256], path[128];
	struct stat st;

	g = chain_tip(f->ch);
	assert_int_equal(g->height, 0);
	assert_memory_equal(g->hash, f->p->genesis.hash, 32);
	assert_null(g->prev);
	assert_true(g->status & CHAIN_HAVE_DATA);
	assert_ptr_equal(chain_best_header(f->ch), g);
	assert_ptr_equal(chain_at(f->ch, 0), g);
	assert_null(chain_at(f->ch, 1));
	assert_null(chain_at(f->ch, -1));
	assert_ptr_equal(chain_find(f->ch, f->p->genesis.hash), g);
	assert_int_equal(chain_count(f->ch), 1);
	assert_int_equal(chain_unlinked_count(f->ch), 0);
	assert_true(chain_is_active(f->ch, g));
	/* Stored: its bytes read back and hash to the network's genesis. */
	assert_int_equal(chain_read_block(f->ch, g, &b, err, sizeof(err)), 0);
	assert_int_equal(b.tx_count, 1);
	assert_int_equal(b.len, 142);
	assert_memory_equal(b.header.merkle_root, f->p->genesis.merkle_root, 32);
	block_free(&b);
	snprintf(path, sizeof(path), "%s/index.sqlite", f->dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/blk00000.dat", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 8 + 142);	/* one record: magic, length, block */
	/* Reopened: still one genesis, nothing appended. */
	fx_reopen(f);
	assert_int_equal(chain_count(f->ch), 1);
	assert_memory_equal(chain_tip(f->ch)->hash, f->p->genesis.hash, 32);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 8 + 142);
}

static void
test_open_refusals(void **state)
{
	struct fx *f = *state;
	char err[256], path[128];
	struct chain *other;

	fx_close(f);
	/* Another network's datadir. */
	other = chain_open(chainparams_get(NET_MAINNET), f->dir, err, sizeof(err));
	assert_null(other);
	assert_non_null(strstr(err, "another network"));
	/* The genesis block's bytes gone: refused, not silently re-created. */
	snprintf(path, sizeof(path), "%s/blk00000.dat", f->dir);
	assert_int_equal(truncate(path, 0), 0);
	assert_null(chain_open(f->p, f->dir, err, sizeof(err)));
	assert_non_null(strstr(err, "genesis block's bytes are missing"));
	/* A directory that cannot be made. */
	snprintf(path, sizeof(path), "%s/blk00000.dat/sub", f->dir);
	assert_null(chain_open(f->p, path, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot create"));
}

/* --- headers ------------------------------------------------------------------------ */

/* A header of a block on PREV with TIME and BITS, mined. */
static struct block_header
header_on(const uint8_t prev[32], uint32_t time, uint32_t bits)
{
	struct block b;
	struct block_header h;

	build(&b, prev, time, bits, 1);
	h = b.header;
	block_free(&b);
	return h;
}

static void
test_header_checks(void **state)
{
	struct fx *f = *state;
	const struct chain_entry *g, *e, *bad;
	const struct chain_entry *mains[11];
	struct block_header h;
	uint8_t unknown[32], hash[32];
	size_t count;
	char err[256];

	g = chain_tip(f->ch);
	/* Orphan: parent unknown, nothing stored. */
	memset(unknown, 0xab, sizeof(unknown));
	h = header_on(unknown, g->header.time + 60, REGTEST_BITS);
	assert_null(accept_header(f->ch, &h, NOW, CHAIN_ORPHAN, BLOCK_OK));
	assert_int_equal(chain_count(f->ch), 1);
	/* New, then duplicate: the same entry, with its peer and first-seen time. */
	h = header_on(g->hash, g->header.time + 60, REGTEST_BITS);
	e = accept_header(f->ch, &h, NOW, CHAIN_NEW, BLOCK_OK);
	assert_non_null(e);
	assert_int_equal(e->height, 1);
	assert_ptr_equal(e->prev, g);
	assert_int_equal(e->from_peer, 3);
	assert_int_equal(e->first_seen_ms, DP_T0_MS);
	assert_false(e->status & CHAIN_HAVE_DATA);
	assert_ptr_equal(chain_best_header(f->ch), e);
	assert_ptr_equal(chain_tip(f->ch), g);	/* no data: not the tip */
	assert_ptr_equal(accept_header(f->ch, &h, NOW, CHAIN_DUPLICATE, BLOCK_OK), e);
	count = chain_count(f->ch);
	/* Bad target: zero bits, or easier than the network's limit. */
	h = header_on(g->hash, g->header.time + 61, REGTEST_BITS);
	h.bits = 0;
	assert_null(accept_header(f->ch, &h, NOW, CHAIN_INVALID, BLOCK_ERR_BAD_TARGET));
	h.bits = 0x2100ffffu;
	assert_null(accept_header(f->ch, &h, NOW, CHAIN_INVALID, BLOCK_ERR_BAD_TARGET));
	/* High hash: a nonce that misses the target. */
	h = header_on(g->hash, g->header.time + 62, REGTEST_BITS);
	for (;;) {
		h.nonce++;
		block_header_hash(&h, hash);
		if (!pow_check(hash, h.bits, f->p))
			break;
	}
	assert_null(accept_header(f->ch, &h, NOW, CHAIN_INVALID, BLOCK_ERR_HIGH_HASH));
	/* Valid proof of work, but not the bits the chain expects. */
	h = header_on(g->hash, g->header.time + 63, 0x207ffff0u);
	assert_null(accept_header(f->ch, &h, NOW, CHAIN_INVALID, BLOCK_ERR_BAD_DIFFBITS));
	assert_int_equal(chain_count(f->ch), count);

	/* Time: above the median of the last 11.  Blocks 1..11 at +10 s each
	 * over genesis: the median past of block 11 is block 6's time. */
	e = g;
	for (int i = 0; i < 11; i++) {
		e = grow(f->ch, e, 10, NULL);
		mains[i] = e;
	}
	assert_int_equal(chain_median_time(f->ch, e), mains[5]->header.time);
	h = header_on(e->hash, mains[5]->header.time, REGTEST_BITS);
	assert_null(accept_header(f->ch, &h, NOW, CHAIN_INVALID, BLOCK_ERR_TIME_TOO_OLD));
	/* One second above it is fine, though older than its parent. */
	h = header_on(e->hash, mains[5]->header.time + 1, REGTEST_BITS);
	assert_non_null(accept_header(f->ch, &h, NOW, CHAIN_NEW, BLOCK_OK));

	/* Builds on an invalid block: BAD_PREV, and the invalid one itself
	 * comes back as BAD_PREV too. */
	assert_int_equal(chain_invalidate(f->ch, mains[9]->hash, err, sizeof(err)), 0);
	bad = mains[9];
	assert_true(bad->status & CHAIN_FAILED);
	h = header_on(bad->hash, bad->header.time + 60, REGTEST_BITS);
	assert_null(accept_header(f->ch, &h, NOW, CHAIN_BAD_PREV, BLOCK_OK));
	assert_ptr_equal(accept_header(f->ch, &bad->header, NOW, CHAIN_BAD_PREV, BLOCK_OK), bad);
}

/* Too far ahead is refused without being stored: acceptable later. */
static void
test_header_time_too_new(void **state)
{
	struct fx *f = *state;
	const struct chain_entry *g;
	struct block_header h;
	uint8_t hash[32];

	g = chain_tip(f->ch);
	h = header_on(g->hash, (uint32_t)(NOW + f->p->max_future_time + 1), REGTEST_BITS);
	assert_null(accept_header(f->ch, &h, NOW, CHAIN_INVALID, BLOCK_ERR_TIME_TOO_NEW));
	block_header_hash(&h, hash);
	assert_null(chain_find(f->ch, hash));
	assert_int_equal(chain_count(f->ch), 1);
	/* Exactly at the limit: fine. */
	assert_non_null(accept_header(f->ch, &h, NOW + 1, CHAIN_NEW, BLOCK_OK));
	assert_non_null(chain_find(f->ch, hash));
}

/* --- blocks ---------------------------------------------------------------------------- */

static void
test_block_accept(void **state)
{
	struct fx *f = *state;
	struct evlog log;
	struct block b, back;
	const struct chain_entry *g, *e1, *e2;
	char err[256];

	listen_to(f->ch, &log);
	g = chain_tip(f->ch);
	build_on(&b, g, 60);
	e1 = accept_block(f->ch, &b, CHAIN_NEW);
	assert_ptr_equal(chain_tip(f->ch), e1);
	assert_ptr_equal(chain_best_header(f->ch), e1);
	assert_true(e1->status & CHAIN_HAVE_DATA);
	assert_true(e1->linked);
	assert_int_equal(e1->from_peer, 7);
	assert_string_equal(ev_str(&log), "c1 t1");
	assert_true(log.ev[0].block_matches);
	/* The bytes come back as they were given. */
	assert_int_equal(chain_read_block(f->ch, e1, &back, err, sizeof(err)), 0);
	assert_int_equal(back.len, b.len);
	assert_memory_equal(back.data, b.data, b.len);
	block_free(&back);
	/* Again: a duplicate, nothing stored or announced. */
	assert_ptr_equal(accept_block(f->ch, &b, CHAIN_DUPLICATE), e1);
	assert_int_equal(log.n, 2);
	block_free(&b);
	/* A block whose header came first keeps the header's peer. */
	build_on(&b, e1, 60);
	e2 = accept_header(f->ch, &b.header, NOW, CHAIN_NEW, BLOCK_OK);
	assert_ptr_equal(accept_block(f->ch, &b, CHAIN_NEW), e2);
	assert_int_equal(e2->from_peer, 3);
	assert_ptr_equal(chain_tip(f->ch), e2);
	block_free(&b);
	/* A header of no peer's (0): the block's peer fills it in. */
	build_on(&b, e2, 60);
	{
		struct chain_entry *e;
		enum block_err why;
		assert_int_equal(chain_accept_header(f->ch, &b.header, NOW, 0, &e, &why), CHAIN_NEW);
		assert_int_equal(chain_accept_block(f->ch, &b, NOW, 9, &e, &why), CHAIN_NEW);
		assert_int_equal(e->from_peer, 9);
	}
	block_free(&b);
	/* An orphan block: nothing stored. */
	{
		uint8_t unknown[32];
		memset(unknown, 0x5a, sizeof(unknown));
		build(&b, unknown, g->header.time + 60, REGTEST_BITS, 1);
		assert_null(accept_block(f->ch, &b, CHAIN_ORPHAN));
		block_free(&b);
	}
	assert_int_equal(chain_count(f->ch), 4);
}

/* Child before parent (parallel download): stored, unlinked, then linked. */
static void
test_block_out_of_order(void **state)
{
	struct fx *f = *state;
	struct evlog log;
	struct block b1, b2, b3;
	const struct chain_entry *g, *e1, *e2, *e3;

	g = chain_tip(f->ch);
	build_on(&b1, g, 60);
	{
		uint8_t h1[32], h2[32];
		block_header_hash(&b1.header, h1);
		build(&b2, h1, b1.header.time + 60, REGTEST_BITS, 2);
		block_header_hash(&b2.header, h2);
		build(&b3, h2, b2.header.time + 60, REGTEST_BITS, 2);
	}
	/* Without the parent's header the child is an orphan. */
	assert_null(accept_block(f->ch, &b2, CHAIN_ORPHAN));
	e1 = accept_header(f->ch, &b1.header, NOW, CHAIN_NEW, BLOCK_OK);
	e2 = accept_header(f->ch, &b2.header, NOW, CHAIN_NEW, BLOCK_OK);
	e3 = accept_header(f->ch, &b3.header, NOW, CHAIN_NEW, BLOCK_OK);
	listen_to(f->ch, &log);
	assert_ptr_equal(accept_block(f->ch, &b3, CHAIN_NEW), e3);
	assert_ptr_equal(accept_block(f->ch, &b2, CHAIN_NEW), e2);
	assert_int_equal(chain_unlinked_count(f->ch), 2);
	assert_false(e2->linked);
	assert_false(e3->linked);
	assert_ptr_equal(chain_tip(f->ch), g);
	assert_ptr_equal(chain_best_header(f->ch), e3);
	assert_int_equal(log.n, 0);
	/* The parent links both; the tip moves once, blocks in height order. */
	assert_ptr_equal(accept_block(f->ch, &b1, CHAIN_NEW), e1);
	assert_int_equal(chain_unlinked_count(f->ch), 0);
	assert_true(e3->linked);
	assert_ptr_equal(chain_tip(f->ch), e3);
	assert_string_equal(ev_str(&log), "c1 c2 c3 t3");
	for (int i = 0; i < 3; i++)
		assert_true(log.ev[i].block_matches);
	block_free(&b1);
	block_free(&b2);
	block_free(&b3);
}

/* Bytes that do not match their header's merkle root condemn the copy
 * only; the real block is accepted afterwards. */
static void
test_block_mutated_copy(void **state)
{
	struct fx *f = *state;
	struct block b, bad;
	const struct chain_entry *g, *e;
	struct chain_entry *out;
	enum block_err why;

	g = chain_tip(f->ch);
	build_on(&b, g, 60);
	/* Same header, one transaction byte changed: same hash. */
	assert_int_equal(block_parse(&bad, b.data, b.len), BLOCK_OK);
	bad.data[bad.tx[1].off] ^= 0xff;
	assert_int_equal(chain_accept_block(f->ch, &bad, NOW, 5, &out, &why), CHAIN_INVALID);
	assert_int_equal(why, BLOCK_ERR_BAD_MERKLE);
	block_free(&bad);
	e = out;
	assert_non_null(e);
	assert_int_equal(e->status & (CHAIN_INVALID_ANY | CHAIN_HAVE_DATA), 0);
	assert_ptr_equal(chain_best_header(f->ch), e);
	assert_ptr_equal(chain_tip(f->ch), g);
	/* The genuine block. */
	assert_ptr_equal(accept_block(f->ch, &b, CHAIN_NEW), e);
	assert_ptr_equal(chain_tip(f->ch), e);
	block_free(&b);

	/* A txid twice ([a, b, a], which is not the CVE-2012-2459 shape):
	 * also only the copy. */
	{
		static const uint8_t ta[4] = "aaa", tb[4] = "bbb", tc[4] = "ccc";
		struct block_txdata txs[4] = { { ta, 4 }, { tb, 4 }, { ta, 4 } };

		build_txs(&bad, e->hash, e->header.time + 60, REGTEST_BITS, txs, 3);
		assert_int_equal(chain_accept_block(f->ch, &bad, NOW, 5, &out, &why), CHAIN_INVALID);
		assert_int_equal(why, BLOCK_ERR_DUPLICATE_TX);
		assert_int_equal(out->status & CHAIN_INVALID_ANY, 0);
		block_free(&bad);

		/* CVE-2012-2459: [a, b, c, c] has the merkle root of [a, b, c],
		 * so the header (and hash) of the genuine block. */
		txs[2] = (struct block_txdata){ tc, 4 };
		txs[3] = txs[2];
		build_txs(&b, e->hash, e->header.time + 61, REGTEST_BITS, txs, 3);
		assert_int_equal(block_build(&bad, &b.header, txs, 4), BLOCK_OK);
		assert_int_equal(chain_accept_block(f->ch, &bad, NOW, 5, &out, &why), CHAIN_INVALID);
		assert_int_equal(why, BLOCK_ERR_MUTATED);
		assert_int_equal(out->status & (CHAIN_INVALID_ANY | CHAIN_HAVE_DATA), 0);
		block_free(&bad);
		assert_ptr_equal(accept_block(f->ch, &b, CHAIN_NEW), out);
		assert_ptr_equal(chain_tip(f->ch), out);
		block_free(&b);
	}
}

/* A block that fails its own checks marks itself FAILED and every
 * descendant FAILED_CHILD; the best header falls back. */
static void
test_block_invalid_marks_descendants(void **state)
{
	struct fx *f = *state;
	struct block empty, b2, b3;
	const struct chain_entry *g, *e1, *e2, *e3;
	struct chain_entry *out;
	enum block_err why;
	struct block_header h;
	uint8_t h1[32], h2[32];

	g = chain_tip(f->ch);
	/* No transaction: the header is fine, the block is not. */
	build(&empty, g->hash, g->header.time + 60, REGTEST_BITS, 0);
	block_header_hash(&empty.header, h1);
	build(&b2, h1, empty.header.time + 60, REGTEST_BITS, 1);
	block_header_hash(&b2.header, h2);
	build(&b3, h2, b2.header.time + 60, REGTEST_BITS, 1);
	e1 = accept_header(f->ch, &empty.header, NOW, CHAIN_NEW, BLOCK_OK);
	e2 = accept_header(f->ch, &b2.header, NOW, CHAIN_NEW, BLOCK_OK);
	e3 = accept_block(f->ch, &b3, CHAIN_NEW);	/* stored, waiting */
	assert_ptr_equal(chain_best_header(f->ch), e3);
	assert_int_equal(chain_accept_block(f->ch, &empty, NOW, 5, &out, &why), CHAIN_INVALID);
	assert_int_equal(why, BLOCK_ERR_NO_TX);
	assert_ptr_equal(out, e1);
	assert_true(e1->status & CHAIN_FAILED);
	assert_false(e1->status & CHAIN_MANUAL);
	assert_true(e2->status & CHAIN_FAILED_CHILD);
	assert_true(e3->status & CHAIN_FAILED_CHILD);
	assert_ptr_equal(chain_best_header(f->ch), g);
	/* Anything on them is refused now. */
	assert_ptr_equal(accept_block(f->ch, &b2, CHAIN_BAD_PREV), e2);
	h = header_on(e3->hash, e3->header.time + 60, REGTEST_BITS);
	assert_null(accept_header(f->ch, &h, NOW, CHAIN_BAD_PREV, BLOCK_OK));
	/* And they stay so across a restart. */
	fx_reopen(f);
	assert_true(chain_find(f->ch, h1)->status & CHAIN_FAILED);
	assert_true(chain_find(f->ch, h2)->status & CHAIN_FAILED_CHILD);
	assert_ptr_equal(chain_best_header(f->ch), chain_tip(f->ch));
	block_free(&empty);
	block_free(&b2);
	block_free(&b3);
}

/* --- reorganisations -------------------------------------------------------------------- */

static void
test_reorg_to_more_work(void **state)
{
	struct fx *f = *state;
	struct evlog log;
	const struct chain_entry *g, *a[3], *b[4];
	int ntips;

	g = chain_tip(f->ch);
	grow_n(f->ch, g, 3, a);
	assert_ptr_equal(chain_tip(f->ch), a[2]);
	listen_to(f->ch, &log);
	/* A second branch from genesis: equal work at its third block keeps
	 * the first seen. */
	b[0] = grow(f->ch, g, 30, NULL);
	b[1] = grow(f->ch, b[0], 30, NULL);
	b[2] = grow(f->ch, b[1], 30, NULL);
	assert_int_equal(u256_cmp(&a[2]->work, &b[2]->work), 0);
	assert_ptr_equal(chain_tip(f->ch), a[2]);
	assert_ptr_equal(chain_best_header(f->ch), a[2]);
	assert_int_equal(log.n, 0);
	assert_true(is_tip(f->ch, b[2], &ntips));
	assert_int_equal(ntips, 2);
	/* One more: the tip is disconnected first, the new branch connected
	 * in height order, the tip announced once. */
	b[3] = grow(f->ch, b[2], 30, NULL);
	assert_ptr_equal(chain_tip(f->ch), b[3]);
	assert_string_equal(ev_str(&log), "d3 d2 d1 c1 c2 c3 c4 t4");
	assert_ptr_equal(log.ev[0].e, a[2]);
	assert_ptr_equal(log.ev[2].e, a[0]);
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(log.ev[3 + i].e, b[i]);
	for (int i = 0; i < 7; i++)
		assert_true(log.ev[i].block_matches);
	for (int i = 0; i < 3; i++) {
		assert_false(chain_is_active(f->ch, a[i]));
		assert_true(chain_is_active(f->ch, b[i]));
	}
	assert_ptr_equal(chain_at(f->ch, 4), b[3]);
	assert_null(chain_at(f->ch, 5));
	/* The old branch is a tip of its own still, and comes back when it
	 * outgrows the new one. */
	assert_true(is_tip(f->ch, a[2], &ntips));
	log.n = 0;
	a[0] = grow(f->ch, a[2], 60, NULL);
	assert_ptr_equal(chain_tip(f->ch), b[3]);	/* equal again */
	a[1] = grow(f->ch, a[0], 60, NULL);
	assert_ptr_equal(chain_tip(f->ch), a[1]);
	assert_string_equal(ev_str(&log), "d4 d3 d2 d1 c1 c2 c3 c4 c5 t5");
}

static void
test_invalidate_reconsider(void **state)
{
	struct fx *f = *state;
	struct evlog log;
	const struct chain_entry *g, *a[5], *b[3];
	uint8_t unknown[32];
	char err[256];

	g = chain_tip(f->ch);
	grow_n(f->ch, g, 5, a);
	/* A side branch off block 1, shorter: 1, b2, b3, b4. */
	grow_n(f->ch, a[0], 3, b);
	assert_ptr_equal(chain_tip(f->ch), a[4]);
	listen_to(f->ch, &log);
	/* Invalidate block 3: back to 2, then the side branch has more work. */
	assert_int_equal(chain_invalidate(f->ch, a[2]->hash, err, sizeof(err)), 0);
	assert_int_equal(a[2]->status & (CHAIN_FAILED | CHAIN_MANUAL), CHAIN_FAILED | CHAIN_MANUAL);
	assert_true(a[3]->status & CHAIN_FAILED_CHILD);
	assert_true(a[4]->status & CHAIN_FAILED_CHILD);
	assert_false(a[1]->status & CHAIN_INVALID_ANY);
	assert_ptr_equal(chain_tip(f->ch), b[2]);
	assert_ptr_equal(chain_best_header(f->ch), b[2]);
	assert_string_equal(ev_str(&log), "d5 d4 d3 d2 c2 c3 c4 t4");
	/* Invalidate the side branch too: the best remaining is block 2. */
	log.n = 0;
	assert_int_equal(chain_invalidate(f->ch, b[0]->hash, err, sizeof(err)), 0);
	assert_ptr_equal(chain_tip(f->ch), a[1]);
	assert_string_equal(ev_str(&log), "d4 d3 d2 c2 t2");
	/* Invalidating a block off the active chain changes nothing. */
	log.n = 0;
	assert_int_equal(chain_invalidate(f->ch, b[2]->hash, err, sizeof(err)), 0);
	assert_ptr_equal(chain_tip(f->ch), a[1]);
	assert_int_equal(log.n, 0);
	/* Reconsider the tip of the first branch: its ancestors are cleared
	 * too, and it is the most work again. */
	assert_int_equal(chain_reconsider(f->ch, a[4]->hash, err, sizeof(err)), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(a[i]->status & (CHAIN_INVALID_ANY | CHAIN_MANUAL), 0);
	assert_ptr_equal(chain_tip(f->ch), a[4]);
	assert_string_equal(ev_str(&log), "c3 c4 c5 t5");
	/* The side branch stays invalid, then comes back (not active: less work). */
	assert_true(b[0]->status & CHAIN_FAILED);
	assert_int_equal(chain_reconsider(f->ch, b[1]->hash, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(b[i]->status & (CHAIN_INVALID_ANY | CHAIN_MANUAL), 0);
	assert_ptr_equal(chain_tip(f->ch), a[4]);
	/* Refusals. */
	assert_int_equal(chain_invalidate(f->ch, g->hash, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "genesis"));
	memset(unknown, 0x77, sizeof(unknown));
	assert_int_equal(chain_invalidate(f->ch, unknown, err, sizeof(err)), -1);
	assert_string_equal(err, "block not found");
	assert_int_equal(chain_reconsider(f->ch, unknown, err, sizeof(err)), -1);
	assert_string_equal(err, "block not found");
}

/* --- restart ------------------------------------------------------------------------------ */

static void
test_reopen_keeps_state(void **state)
{
	struct fx *f = *state;
	const struct chain_entry *g, *a[4], *side[2], *e;
	struct block_header h;
	uint8_t tip[32], best[32], side_hash[32], bad_hash[32], hdr_hash[32];
	char err[256];

	g = chain_tip(f->ch);
	grow_n(f->ch, g, 4, a);
	grow_n(f->ch, a[1], 2, side);
	assert_int_equal(chain_invalidate(f->ch, side[1]->hash, err, sizeof(err)), 0);
	/* Headers beyond the tip, without blocks. */
	h = header_on(a[3]->hash, a[3]->header.time + 60, REGTEST_BITS);
	e = accept_header(f->ch, &h, NOW, CHAIN_NEW, BLOCK_OK);
	memcpy(tip, chain_tip(f->ch)->hash, 32);
	memcpy(best, chain_best_header(f->ch)->hash, 32);
	memcpy(side_hash, side[0]->hash, 32);
	memcpy(bad_hash, side[1]->hash, 32);
	memcpy(hdr_hash, e->hash, 32);
	assert_memory_equal(best, hdr_hash, 32);
	chain_sync(f->ch);
	fx_reopen(f);
	assert_int_equal(chain_count(f->ch), 8);
	assert_memory_equal(chain_tip(f->ch)->hash, tip, 32);
	assert_int_equal(chain_tip(f->ch)->height, 4);
	assert_memory_equal(chain_best_header(f->ch)->hash, best, 32);
	e = chain_find(f->ch, hdr_hash);
	assert_false(e->status & CHAIN_HAVE_DATA);
	assert_int_equal(e->first_seen_ms, DP_T0_MS);
	assert_int_equal(chain_find(f->ch, bad_hash)->status & (CHAIN_FAILED | CHAIN_MANUAL),
	    CHAIN_FAILED | CHAIN_MANUAL);
	e = chain_find(f->ch, side_hash);
	assert_true(e->linked);
	assert_false(chain_is_active(f->ch, e));
	for (int i = 0; i <= 4; i++) {
		struct block b;
		assert_int_equal(chain_read_block(f->ch, chain_at(f->ch, i), &b, err, sizeof(err)), 0);
		block_free(&b);
	}
	/* And it carries on. */
	grow(f->ch, chain_tip(f->ch), 60, NULL);
	assert_int_equal(chain_tip(f->ch)->height, 5);
}

/* Two branches of equal work: the first seen is the tip, before and after
 * a restart, whether its hash sorts before the other's or after. */
static void
test_reopen_equal_work(void **state)
{
	struct fx *f = *state;

	for (int round = 0; round < 2; round++) {
		const struct chain_entry *g, *a;
		struct chain_entry *b;
		struct block blk;
		uint8_t first[32], hash[32];
		int tries = 0;

		if (round > 0)
			fx_fresh(f);
		g = chain_tip(f->ch);
		a = grow(f->ch, g, 60, NULL);
		clock_fake_advance(1000);
		/* Round 0: the later branch sorts first; round 1: last. */
		do {
			assert_true(++tries < 64);
			build_on(&blk, g, 60);
			block_header_hash(&blk.header, hash);
			if ((memcmp(hash, a->hash, 32) < 0) == (round == 0))
				break;
			block_free(&blk);
		} while (true);
		b = accept_block(f->ch, &blk, CHAIN_NEW);
		block_free(&blk);
		assert_ptr_equal(chain_tip(f->ch), a);
		assert_true(a->first_seen_ms < b->first_seen_ms);
		memcpy(first, a->hash, 32);
		fx_reopen(f);
		assert_memory_equal(chain_tip(f->ch)->hash, first, 32);
		assert_memory_equal(chain_best_header(f->ch)->hash, first, 32);
	}
}

static off_t
file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* A block file cut short behind the index (a write lost to a crash): the
 * block comes back without data, the tip falls back to the last complete
 * block, and delivering the block again relinks what waited on it. */
static void
test_truncated_block_file(void **state)
{
	struct fx *f = *state;
	struct block b[5];
	const struct chain_entry *e;
	char path[128];
	off_t before_4;
	uint8_t h4[32], h5[32];
	int ntips;

	snprintf(path, sizeof(path), "%s/blk00000.dat", f->dir);
	e = chain_tip(f->ch);
	for (int i = 0; i < 5; i++) {
		build_on(&b[i], e, 60);
		e = accept_header(f->ch, &b[i].header, NOW, CHAIN_NEW, BLOCK_OK);
	}
	/* Blocks 1, 2, 3, 5, then 4 last in the file. */
	for (int i = 0; i < 3; i++)
		accept_block(f->ch, &b[i], CHAIN_NEW);
	accept_block(f->ch, &b[4], CHAIN_NEW);
	before_4 = file_size(path);
	accept_block(f->ch, &b[3], CHAIN_NEW);
	assert_int_equal(chain_tip(f->ch)->height, 5);
	block_header_hash(&b[3].header, h4);
	block_header_hash(&b[4].header, h5);
	fx_close(f);
	/* Half of block 4's record survived. */
	assert_int_equal(truncate(path, before_4 + (off_t)(b[3].len / 2)), 0);
	fx_open(f);
	assert_int_equal(chain_tip(f->ch)->height, 3);
	assert_int_equal(chain_best_header(f->ch)->height, 5);
	e = chain_find(f->ch, h4);
	assert_non_null(e);
	assert_false(e->status & CHAIN_HAVE_DATA);
	assert_true(chain_find(f->ch, h5)->status & CHAIN_HAVE_DATA);
	assert_int_equal(chain_unlinked_count(f->ch), 1);
	assert_true(is_tip(f->ch, chain_find(f->ch, h5), &ntips));
	assert_int_equal(ntips, 1);
	/* Delivered again: appended after the torn record, and 5 follows. */
	accept_block(f->ch, &b[3], CHAIN_NEW);
	assert_int_equal(chain_unlinked_count(f->ch), 0);
	assert_int_equal(chain_tip(f->ch)->height, 5);
	assert_memory_equal(chain_tip(f->ch)->hash, h5, 32);
	fx_reopen(f);
	assert_int_equal(chain_tip(f->ch)->height, 5);
	for (int i = 0; i < 5; i++)
		block_free(&b[i]);
}

/* Overwrite LEN bytes at OFFSET of the block file. */
static void
poke_file(const char *path, off_t offset, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, len, offset), (ssize_t)len);
	close(fd);
}

/* A stored block that cannot be read back (a damaged record) is found
 * out when a reorganisation needs it: the chain must go back to the best
 * chain it can still connect, not stop half-way on a branch with less
 * work, and delivering the block again completes the reorganisation. */
static void
test_damaged_block_during_reorg(void **state)
{
	struct fx *f = *state;
	struct evlog log;
	struct block kept[3], last;
	const struct chain_entry *g, *a[3], *b[4];
	char path[128];
	int rounds;

	snprintf(path, sizeof(path), "%s/blk00000.dat", f->dir);
	g = chain_tip(f->ch);
	grow_n(f->ch, g, 3, a);
	for (int i = 0; i < 3; i++)
		b[i] = grow(f->ch, i ? b[i - 1] : g, 30, &kept[i]);
	assert_ptr_equal(chain_tip(f->ch), a[2]);
	/* Side block 2's record loses its magic. */
	poke_file(path, (off_t)b[1]->offset - 8, "XXXX", 4);
	listen_to(f->ch, &log);
	build_on(&last, b[2], 30);
	b[3] = accept_block(f->ch, &last, CHAIN_NEW);
	assert_false(b[1]->status & CHAIN_HAVE_DATA);
	assert_ptr_equal(chain_tip(f->ch), a[2]);
	assert_false(b[2]->linked);
	assert_false(b[3]->linked);
	/* Every listener call was matched: what was disconnected came back. */
	rounds = 0;
	for (int i = 0; i < log.n; i++)
		rounds += log.ev[i].kind == 'c' ? 1 : log.ev[i].kind == 'd' ? -1 : 0;
	assert_int_equal(rounds, 0);
	/* The genuine bytes again: the branch links up and wins. */
	log.n = 0;
	accept_block(f->ch, &kept[1], CHAIN_NEW);
	assert_ptr_equal(chain_tip(f->ch), b[3]);
	assert_int_equal(chain_unlinked_count(f->ch), 0);
	assert_string_equal(ev_str(&log), "d3 d2 d1 c1 c2 c3 c4 t4");
	for (int i = 0; i < 3; i++)
		block_free(&kept[i]);
	block_free(&last);
}

static void
test_read_block_errors(void **state)
{
	struct fx *f = *state;
	struct evlog log;
	const struct chain_entry *g, *a[3];
	struct block b;
	struct block_header h;
	const struct chain_entry *e;
	char err[256], path[128];
	uint8_t bad = 0xff, nonce[4] = { 1, 2, 3, 4 };

	snprintf(path, sizeof(path), "%s/blk00000.dat", f->dir);
	g = chain_tip(f->ch);
	grow_n(f->ch, g, 3, a);
	/* A header without its block. */
	h = header_on(a[2]->hash, a[2]->header.time + 60, REGTEST_BITS);
	e = accept_header(f->ch, &h, NOW, CHAIN_NEW, BLOCK_OK);
	assert_int_equal(chain_read_block(f->ch, e, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "block not stored");
	/* Block 1: the transaction count byte made non-canonical. */
	poke_file(path, (off_t)a[0]->offset + 80, &bad, 1);
	assert_int_equal(chain_read_block(f->ch, a[0], &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not parse"));
	/* Block 2: another nonce, so another block. */
	poke_file(path, (off_t)a[1]->offset + 76, nonce, 4);
	assert_int_equal(chain_read_block(f->ch, a[1], &b, err, sizeof(err)), -1);
	assert_string_equal(err, "stored block is another block");
	/* Block 3: the length field disagrees. */
	poke_file(path, (off_t)a[2]->offset - 4, nonce, 4);
	assert_int_equal(chain_read_block(f->ch, a[2], &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "damaged or short"));
	/* Disconnecting blocks that cannot be read still tells the listeners
	 * (with an empty block). */
	listen_to(f->ch, &log);
	assert_int_equal(chain_invalidate(f->ch, a[0]->hash, err, sizeof(err)), 0);
	assert_ptr_equal(chain_tip(f->ch), g);
	assert_string_equal(ev_str(&log), "d3 d2 d1 t0");
	for (int i = 0; i < 3; i++)
		assert_false(log.ev[i].block_matches);
}

/* --- locators, ancestors, time ---------------------------------------------------------- */

static void
test_locator_and_fork_point(void **state)
{
	struct fx *f = *state;
	const struct chain_entry *g, *a[30], *side[3], *tip;
	uint8_t loc[LOCATOR_MAX][32], junk[2][32];
	uint32_t heights[LOCATOR_MAX];
	size_t n, nh;

	g = chain_tip(f->ch);
	tip = grow_n(f->ch, g, 30, a);
	grow_n(f->ch, a[19], 3, side);	/* heights 21..23, off block 20 */
	/* The tip's: 30..19, 17, 13, 5, 0. */
	n = chain_locator(f->ch, NULL, loc, LOCATOR_MAX);
	nh = locator_heights(30, heights, LOCATOR_MAX);
	assert_int_equal(n, nh);
	assert_int_equal(n, 16);
	for (size_t i = 0; i < n; i++)
		assert_memory_equal(loc[i], chain_at(f->ch, (int32_t)heights[i])->hash, 32);
	assert_memory_equal(loc[0], tip->hash, 32);
	assert_memory_equal(loc[n - 1], g->hash, 32);
	/* Capped by MAX. */
	assert_int_equal(chain_locator(f->ch, NULL, loc, 3), 3);
	/* A side branch's locator names its own blocks, then the shared ones;
	 * its fork point with us is block 20. */
	n = chain_locator(f->ch, side[2], loc, LOCATOR_MAX);
	assert_int_equal(n, locator_heights(23, heights, LOCATOR_MAX));
	assert_memory_equal(loc[0], side[2]->hash, 32);
	assert_memory_equal(loc[2], side[0]->hash, 32);
	assert_memory_equal(loc[3], a[19]->hash, 32);
	assert_ptr_equal(chain_fork_point(f->ch, (const uint8_t (*)[32])loc, n), a[19]);
	/* Hashes we do not know are skipped: the first one we do. */
	n = chain_locator(f->ch, a[9], loc, LOCATOR_MAX);
	memset(junk, 0x33, sizeof(junk));
	memcpy(loc[0], junk[0], 32);
	assert_ptr_equal(chain_fork_point(f->ch, (const uint8_t (*)[32])loc, n), a[8]);
	/* Nothing known: genesis. */
	assert_ptr_equal(chain_fork_point(f->ch, (const uint8_t (*)[32])junk, 2), g);
	assert_ptr_equal(chain_fork_point(f->ch, (const uint8_t (*)[32])junk, 0), g);
}

static void
test_ancestor(void **state)
{
	struct fx *f = *state;
	const struct chain_entry *g, *a[6], *side[4], *deep[2];

	g = chain_tip(f->ch);
	grow_n(f->ch, g, 6, a);
	grow_n(f->ch, a[1], 4, side);	/* heights 3..6 */
	grow_n(f->ch, side[1], 2, deep);	/* a branch of the branch: 5, 6 */
	assert_ptr_equal(chain_tip(f->ch), a[5]);
	assert_ptr_equal(chain_ancestor(f->ch, a[5], 6), a[5]);
	assert_ptr_equal(chain_ancestor(f->ch, a[5], 0), g);
	assert_ptr_equal(chain_ancestor(f->ch, a[5], 3), a[2]);
	assert_null(chain_ancestor(f->ch, a[5], 7));
	assert_null(chain_ancestor(f->ch, a[5], -1));
	/* On a side branch: its own blocks, then the shared ones. */
	assert_ptr_equal(chain_ancestor(f->ch, side[3], 6), side[3]);
	assert_ptr_equal(chain_ancestor(f->ch, side[3], 3), side[0]);
	assert_ptr_equal(chain_ancestor(f->ch, side[3], 2), a[1]);
	assert_ptr_equal(chain_ancestor(f->ch, side[3], 1), a[0]);
	assert_ptr_equal(chain_ancestor(f->ch, deep[1], 5), deep[0]);
	assert_ptr_equal(chain_ancestor(f->ch, deep[1], 4), side[1]);
	assert_ptr_equal(chain_ancestor(f->ch, deep[1], 3), side[0]);
	assert_ptr_equal(chain_ancestor(f->ch, deep[1], 2), a[1]);
}

static void
test_median_time_and_ibd(void **state)
{
	struct fx *f = *state;
	const struct chain_entry *g, *e;
	struct block b;
	uint32_t t[3];

	g = chain_tip(f->ch);
	assert_int_equal(chain_median_time(f->ch, g), g->header.time);
	/* Times 100, 150, 120 s after genesis: sorted (g, +100, +120, +150),
	 * the upper middle is +120. */
	t[0] = 100;
	t[1] = 150;
	t[2] = 120;
	e = g;
	for (int i = 0; i < 3; i++) {
		build(&b, e->hash, g->header.time + t[i], REGTEST_BITS, 1);
		e = accept_block(f->ch, &b, CHAIN_NEW);
		block_free(&b);
	}
	assert_int_equal(chain_median_time(f->ch, e), g->header.time + 120);
	/* Genesis-era tip: catching up. */
	assert_true(chain_is_ibd(f->ch, NOW));
	assert_false(chain_is_ibd(f->ch, e->header.time));
	/* A fresh tip ends it; a day of silence starts it again. */
	build(&b, e->hash, (uint32_t)NOW - 60, REGTEST_BITS, 1);
	e = accept_block(f->ch, &b, CHAIN_NEW);
	block_free(&b);
	assert_false(chain_is_ibd(f->ch, NOW));
	assert_false(chain_is_ibd(f->ch, NOW + 24 * 3600 - 60));
	assert_true(chain_is_ibd(f->ch, NOW + 24 * 3600));
	/* The bits for any next block on regtest: the parent's. */
	assert_int_equal(chain_next_bits(f->ch, e), REGTEST_BITS);
}

/* Every branch's tip, in each state getchaintips reports. */
static void
test_tips(void **state)
{
	struct fx *f = *state;
	const struct chain_entry *g, *a[3], *fork, *bad, *hdr, *waiting;
	struct block b1, b2;
	struct block_header h;
	uint8_t h1[32];
	char err[256];
	int n;

	g = chain_tip(f->ch);
	grow_n(f->ch, g, 3, a);
	/* valid-fork: stored, linked, less work. */
	fork = grow(f->ch, a[0], 30, NULL);
	/* invalid. */
	bad = grow(f->ch, a[0], 31, NULL);
	assert_int_equal(chain_invalidate(f->ch, bad->hash, err, sizeof(err)), 0);
	/* headers-only. */
	h = header_on(a[1]->hash, a[1]->header.time + 7, REGTEST_BITS);
	hdr = accept_header(f->ch, &h, NOW, CHAIN_NEW, BLOCK_OK);
	/* Stored, but its parent's block is missing. */
	build_on(&b1, a[1], 9);
	block_header_hash(&b1.header, h1);
	build(&b2, h1, b1.header.time + 60, REGTEST_BITS, 1);
	accept_header(f->ch, &b1.header, NOW, CHAIN_NEW, BLOCK_OK);
	waiting = accept_block(f->ch, &b2, CHAIN_NEW);
	assert_true(is_tip(f->ch, a[2], &n));
	assert_int_equal(n, 5);
	assert_true(is_tip(f->ch, fork, &n));
	assert_true(is_tip(f->ch, bad, &n));
	assert_true(is_tip(f->ch, hdr, &n));
	assert_true(is_tip(f->ch, waiting, &n));
	assert_false(is_tip(f->ch, a[1], &n));
	assert_true(chain_is_active(f->ch, a[2]));
	assert_true(fork->linked && !chain_is_active(f->ch, fork));
	assert_true(bad->status & CHAIN_FAILED);
	assert_false(hdr->status & CHAIN_HAVE_DATA);
	assert_true((waiting->status & CHAIN_HAVE_DATA) && !waiting->linked);
	block_free(&b1);
	block_free(&b2);
}

/* Past CHAIN_MAX_SIDE_HEADERS headers off the best header chain, a header
 * is stored only if it adds work: 50,001 siblings of block 1 fill it. */
static void
test_side_header_cap(void **state)
{
	struct fx *f = *state;
	const struct chain_entry *g = chain_tip(f->ch), *first = NULL, *e;
	struct block_header h = { .version = 1, .bits = REGTEST_BITS };
	struct chain_entry *out;
	enum block_err why;
	enum chain_result r;
	struct stat st;

	/* 50,000 index commits: in memory if we can, where the WAL
	 * checkpoints' fsyncs cost nothing. */
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode)) {
		fx_free(f);
		fx_init_in(f, "/dev/shm");
		g = chain_tip(f->ch);
	}
	memcpy(h.prev_hash, g->hash, 32);
	h.time = g->header.time + 60;
	for (uint32_t i = 0; i <= CHAIN_MAX_SIDE_HEADERS + 1; i++) {
		memcpy(h.merkle_root, &i, sizeof(i));
		h.nonce = 0;
		assert_true(pow_mine(&h, 1000));
		r = chain_accept_header(f->ch, &h, NOW, 0, &out, &why);
		if (i <= CHAIN_MAX_SIDE_HEADERS) {
			assert_int_equal(r, CHAIN_NEW);
			if (first == NULL)
				first = out;
		} else {
			/* Full: equal work is refused, nothing stored. */
			assert_int_equal(r, CHAIN_FULL);
			assert_null(out);
		}
	}
	assert_int_equal(chain_count(f->ch), CHAIN_MAX_SIDE_HEADERS + 2);
	assert_ptr_equal(chain_best_header(f->ch), first);
	/* A header that adds work still goes in. */
	h = header_on(first->hash, first->header.time + 60, REGTEST_BITS);
	e = accept_header(f->ch, &h, NOW, CHAIN_NEW, BLOCK_OK);
	assert_ptr_equal(chain_best_header(f->ch), e);
}

/* The block file cannot grow (disk full; here a file size limit): the
 * block is refused as CHAIN_IO, its header stays, and it is taken when
 * delivered again. */
static void
test_store_failure(void **state)
{
	struct fx *f = *state;
	struct block b;
	struct chain_entry *e;
	const struct chain_entry *g;
	struct rlimit old, lim;
	void (*oldsig)(int);
	enum block_err why;
	enum chain_result r;
	char path[128];

	/* Appends go past 1 MB, beyond the index's files. */
	fx_close(f);
	snprintf(path, sizeof(path), "%s/blk00000.dat", f->dir);
	assert_int_equal(truncate(path, 1 << 20), 0);
	fx_open(f);
	g = chain_tip(f->ch);
	build_on(&b, g, 60);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (1 << 20) + 50;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	r = chain_accept_block(f->ch, &b, NOW, 4, &e, &why);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(r, CHAIN_IO);
	assert_non_null(e);
	assert_false(e->status & CHAIN_HAVE_DATA);
	assert_ptr_equal(chain_tip(f->ch), g);
	assert_ptr_equal(accept_block(f->ch, &b, CHAIN_NEW), e);
	assert_ptr_equal(chain_tip(f->ch), e);
	fx_reopen(f);
	assert_int_equal(chain_tip(f->ch)->height, 1);
	block_free(&b);
}

/* Longer than the active chain's first allocation (1,024), in one
 * session and across a reopen. */
static void
test_long_chain(void **state)
{
	struct fx *f = *state;
	const struct chain_entry *e;
	struct stat st;
	uint8_t hash[32];

	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode)) {
		fx_free(f);
		fx_init_in(f, "/dev/shm");
	}
	e = grow_n(f->ch, chain_tip(f->ch), 1100, NULL);
	assert_int_equal(chain_tip(f->ch)->height, 1100);
	assert_ptr_equal(chain_at(f->ch, 1100), e);
	assert_ptr_equal(chain_ancestor(f->ch, e, 1024)->prev, chain_at(f->ch, 1023));
	memcpy(hash, e->hash, 32);
	fx_reopen(f);
	assert_memory_equal(chain_tip(f->ch)->hash, hash, 32);
	e = grow_n(f->ch, chain_tip(f->ch), 1030, NULL);
	assert_ptr_equal(chain_at(f->ch, 2130), e);
}

/* A row whose parent was never stored (written by something else) is
 * left out on open. */
static void
test_orphan_row_ignored(void **state)
{
	struct fx *f = *state;
	struct blockstore *bs;
	struct blockstore_entry row;
	struct block_header h;
	char err[256];

	fx_close(f);
	bs = blockstore_open(f->dir, err, sizeof(err));
	assert_non_null(bs);
	memset(&row, 0, sizeof(row));
	memset(&h, 0, sizeof(h));
	memset(h.prev_hash, 0x99, 32);
	block_header_encode(&h, row.header);
	block_header_hash(&h, row.hash);
	row.height = 5;
	row.file = -1;
	assert_int_equal(blockstore_put(bs, &row, err, sizeof(err)), 0);
	blockstore_close(bs);
	fx_open(f);
	assert_int_equal(chain_count(f->ch), 1);
	assert_null(chain_find(f->ch, row.hash));
}

/* At most 8 listeners; the ninth is not called. */
static void
test_listener_cap(void **state)
{
	struct fx *f = *state;
	struct evlog logs[9];

	for (int i = 0; i < 9; i++)
		listen_to(f->ch, &logs[i]);
	grow(f->ch, chain_tip(f->ch), 60, NULL);
	for (int i = 0; i < 8; i++)
		assert_string_equal(ev_str(&logs[i]), "c1 t1");
	assert_int_equal(logs[8].n, 0);
	/* A listener with only some callbacks. */
	fx_close(f);
	fx_open(f);
	chain_add_listener(f->ch, &(struct chain_listener){ .arg = NULL });
	grow(f->ch, chain_tip(f->ch), 60, NULL);
	assert_int_equal(chain_tip(f->ch)->height, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_genesis, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_time_too_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_accept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_mutated_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_invalid_marks_descendants, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reorg_to_more_work, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalidate_reconsider, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_equal_work, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_block_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_block_during_reorg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_block_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locator_and_fork_point, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ancestor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_median_time_and_ibd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_side_header_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_row_ignored, setup, teardown),
	};

	log_set_level(LOGL_ERROR);
	if (hash_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

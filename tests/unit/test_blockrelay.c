/* test_blockrelay.c -- headers-first sync and block relay on a fake transport, a fake clock and real chains on disk. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "chain_util.h"
#include "log.h"

static int
setup(void **state)
{
	(void)state;
	log_set_level(getenv("TEST_DEBUG") ? LOGL_DEBUG : LOGL_ERROR);
	clock_fake_start(DP_T0_MS);
	return hash_init();
}

static int
teardown(void **state)
{
	(void)state;
	clock_fake_stop();
	return 0;
}

static int
score(struct stack *s, struct peer *p)
{
	struct peerman_view v;

	assert_true(peerman_view(s->pm, p, &v));
	return v.rep->score;
}

/* An inbound data peer that completed its handshake; the getheaders we
 * sent on activation is left unread. */
static struct conn *
peer_up(struct stack *s, const char *addr, struct peer **p)
{
	struct netaddr a = addr_of(addr);
	const char *why;
	struct conn *c;
	struct msg m;

	*p = connman_accept(s->cm, -1, &a, &why);
	assert_non_null(*p);
	c = fake_last(&s->io);
	fake_version(&m, 0x77 + (*p)->id, 0, NODE_NETWORK);
	fake_deliver(c, &m);
	msg_init(&m, MSG_VERACK);
	fake_deliver(c, &m);
	return c;
}

/* Deliver every block C was asked for (getdata) from R's chain. */
static int
serve_getdata(struct conn *c, struct remote *r)
{
	struct msg m, b;
	int served = 0;

	while (fake_next_sent(c, &m)) {
		if (m.type == MSG_GETDATA)
			for (size_t i = 0; i < m.u.inv.count; i++) {
				const struct chain_entry *e = chain_find(r->chain,
				    m.u.inv.entries[i].hash);
				assert_non_null(e);
				block_msg(&b, r->chain, e->height);
				fake_deliver(c, &b);
				msg_free(&b);
				served++;
			}
		msg_free(&m);
	}
	return served;
}

/* Count the blocks and headers messages C was sent since the last read. */
static void
sent_bh(struct conn *c, int *blocks, int *headers)
{
	struct msg m;

	*blocks = *headers = 0;
	while (fake_next_sent(c, &m)) {
		*blocks += m.type == MSG_BLOCK;
		*headers += m.type == MSG_HEADERS;
		msg_free(&m);
	}
}

static void
test_headers_first_sync(void **state)
{
	struct stack s;
	struct remote r;
	struct blockrelay_peer_stats st;
	struct peer *p;
	struct conn *c;
	struct msg m;
	size_t n;

	(void)state;
	stack_init(&s, NULL, false);
	stack_add_chain(&s);
	remote_open(&r, s.cfg.params);
	mine(r.chain, r.mp, 20);
	c = peer_up(&s, "10.1.0.1:5000", &p);
	assert_int_equal(sent_of(c, MSG_GETHEADERS, NULL), 1);	/* headers first */
	headers_msg(&m, r.chain, 1, 20);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(chain_best_header(s.chain)->height, 20);
	assert_int_equal(chain_tip(s.chain)->height, 0);
	/* 16 in flight at most; the rest once those arrive. */
	n = 0;
	{
		struct msg g;
		while (fake_next_sent(c, &g)) {
			if (g.type == MSG_GETDATA)
				n += g.u.inv.count;
			msg_free(&g);
		}
	}
	assert_int_equal(n, BLOCKRELAY_MAX_INFLIGHT);
	c->read_pos = 0;
	for (int round = 0; round < 4 && chain_tip(s.chain)->height < 20; round++)
		serve_getdata(c, &r);
	assert_int_equal(chain_tip(s.chain)->height, 20);
	assert_memory_equal(chain_tip(s.chain)->hash, chain_tip(r.chain)->hash, 32);
	blockrelay_peer_stats(s.br, p, &st);
	assert_true(st.data);
	assert_int_equal(st.synced_headers, 20);
	assert_int_equal(st.inflight, 0);
	remote_close(&r);
	stack_free(&s);
}

static void
test_getheaders_getdata_getblocks_answered(void **state)
{
	struct stack s;
	struct peer *p;
	struct conn *c;
	struct msg m;
	struct msg_inv inv[2];
	uint8_t loc[1][32];
	size_t n;

	(void)state;
	stack_init(&s, NULL, false);
	stack_add_chain(&s);
	mine(s.chain, s.mp, 5);
	c = peer_up(&s, "10.2.0.1:5000", &p);
	fake_drain(c, -1);
	memcpy(loc[0], chain_at(s.chain, 0)->hash, 32);
	msg_init(&m, MSG_GETHEADERS);
	msg_getheaders_set(&m, PROTO_VERSION, (const uint8_t (*)[32])loc, 1, NULL);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(sent_of(c, MSG_HEADERS, &n), 1);
	assert_int_equal(n, 5);
	/* One block we have, one we do not. */
	inv[0].type = inv[1].type = MSG_INV_BLOCK;
	memcpy(inv[0].hash, chain_at(s.chain, 3)->hash, 32);
	memset(inv[1].hash, 0xab, 32);
	msg_init(&m, MSG_GETDATA);
	msg_inv_set(&m, MSG_GETDATA, inv, 2);
	fake_deliver(c, &m);
	msg_free(&m);
	c->read_pos = c->out.len;	/* (reset below) */
	c->read_pos = 0;
	fake_drain(c, -1);
	{
		struct msg g;
		int blocks = 0, notfound = 0;
		c->read_pos = 0;
		while (fake_next_sent(c, &g)) {
			blocks += g.type == MSG_BLOCK;
			notfound += g.type == MSG_NOTFOUND;
			msg_free(&g);
		}
		assert_int_equal(blocks, 1);
		assert_int_equal(notfound, 1);
	}
	/* getblocks: an inv of what follows the fork point. */
	msg_init(&m, MSG_GETBLOCKS);
	msg_getblocks_set(&m, PROTO_VERSION, (const uint8_t (*)[32])loc, 1, NULL);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(sent_of(c, MSG_INV, &n), 1);
	assert_int_equal(n, 5);
	stack_free(&s);
}

static void
test_new_tip_announced_to_every_peer(void **state)
{
	struct stack s;
	struct peer *p, *q;
	struct conn *c, *d;
	size_t n;
	int nb, nh;

	(void)state;
	stack_init(&s, NULL, false);
	stack_add_chain(&s);
	c = peer_up(&s, "10.3.0.1:5000", &p);
	d = peer_up(&s, "10.3.0.2:5000", &q);
	fake_drain(c, -1);
	fake_drain(d, -1);
	/* A block of our own goes whole to every peer: nobody else has it. */
	mine(s.chain, s.mp, 1);
	sent_bh(c, &nb, &nh);
	assert_int_equal(nb, 1);
	assert_int_equal(nh, 0);
	assert_int_equal(sent_of(d, MSG_BLOCK, NULL), 1);
	/* Twelve blocks at once (they arrive last-first and link together):
	 * more than a peer can connect from headers, so an inv. */
	{
		struct remote r;
		struct msg m, g, b;
		struct peer *x;
		struct conn *e = peer_up(&s, "10.3.0.3:5000", &x);
		uint8_t want[16][32];
		size_t nwant = 0;

		remote_open(&r, s.cfg.params);
		mine(r.chain, r.mp, 12);
		fake_drain(e, -1);
		headers_msg(&m, r.chain, 1, 12);
		fake_deliver(e, &m);
		msg_free(&m);
		while (fake_next_sent(e, &g)) {
			for (size_t i = 0; g.type == MSG_GETDATA && i < g.u.inv.count; i++)
				memcpy(want[nwant++], g.u.inv.entries[i].hash, 32);
			msg_free(&g);
		}
		assert_int_equal(nwant, 12);
		while (nwant > 0) {
			block_msg(&b, r.chain, chain_find(r.chain, want[--nwant])->height);
			fake_deliver(e, &b);
			msg_free(&b);
		}
		assert_int_equal(chain_tip(s.chain)->height, 12);
		assert_int_equal(sent_of(c, MSG_INV, &n), 1);
		assert_int_equal(n, 1);
		remote_close(&r);
	}
	stack_free(&s);
}

static void
test_bad_pow_header_bans(void **state)
{
	struct stack s;
	struct peer *p;
	struct conn *c;
	struct block_header h;
	struct netaddr a = addr_of("10.4.0.1:5000");
	struct msg m;

	(void)state;
	stack_init(&s, NULL, false);
	stack_add_chain(&s);
	c = peer_up(&s, "10.4.0.1:5000", &p);
	memset(&h, 0, sizeof(h));
	h.version = 1;
	memcpy(h.prev_hash, chain_tip(s.chain)->hash, 32);
	h.time = (uint32_t)clock_wall();
	h.bits = chain_next_bits(s.chain, chain_tip(s.chain));
	/* A nonce whose hash misses regtest's easy target. */
	for (h.nonce = 0; ; h.nonce++) {
		uint8_t hash[32];
		block_header_hash(&h, hash);
		if (!pow_check(hash, h.bits, s.cfg.params))
			break;
	}
	msg_init(&m, MSG_HEADERS);
	msg_headers_set(&m, &h, 1);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_true(c->closed);
	assert_true(banman_is_banned(s.banman, &a, clock_wall()));
	assert_int_equal(peerman_stats(s.pm)->violations[REP_BAD_POW], 1);
	assert_int_equal(chain_best_header(s.chain)->height, 0);
	stack_free(&s);
}

static void
test_unconnecting_headers_penalised(void **state)
{
	struct stack s;
	struct remote r;
	struct peer *p;
	struct conn *c;
	struct msg m;

	(void)state;
	stack_init(&s, NULL, false);
	stack_add_chain(&s);
	remote_open(&r, s.cfg.params);
	mine(r.chain, r.mp, 5);
	c = peer_up(&s, "10.5.0.1:5000", &p);
	fake_drain(c, -1);
	/* Header 5 alone: its parent is unknown to us. */
	for (int i = 0; i < BLOCKRELAY_MAX_UNCONNECTING - 1; i++) {
		headers_msg(&m, r.chain, 5, 5);
		fake_deliver(c, &m);
		msg_free(&m);
	}
	assert_int_equal(score(&s, p), REP_START);
	assert_int_equal(sent_of(c, MSG_GETHEADERS, NULL), BLOCKRELAY_MAX_UNCONNECTING - 1);
	headers_msg(&m, r.chain, 5, 5);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(score(&s, p), REP_START - 20);
	remote_close(&r);
	stack_free(&s);
}

static void
test_bad_merkle_block_condemns_copy_not_header(void **state)
{
	struct stack s;
	struct remote r;
	struct peer *p, *q;
	struct conn *c, *d;
	struct msg m, g;

	(void)state;
	stack_init(&s, NULL, false);
	stack_add_chain(&s);
	remote_open(&r, s.cfg.params);
	mine(r.chain, r.mp, 1);
	c = peer_up(&s, "10.6.0.1:5000", &p);
	fake_drain(c, -1);
	headers_msg(&m, r.chain, 1, 1);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(sent_of(c, MSG_GETDATA, NULL), 1);
	/* The block, with one transaction byte changed: same header hash. */
	block_msg(&g, r.chain, 1);
	g.u.block.data[g.u.block.tx[0].off] ^= 0x01;
	fake_deliver(c, &g);
	msg_free(&g);
	assert_true(c->closed);
	assert_int_equal(peerman_stats(s.pm)->violations[REP_INVALID_BLOCK], 1);
	assert_int_equal(chain_tip(s.chain)->height, 0);
	/* Another peer has the real block. */
	d = peer_up(&s, "10.6.0.2:5000", &q);
	fake_drain(d, -1);
	headers_msg(&m, r.chain, 1, 1);
	fake_deliver(d, &m);
	msg_free(&m);
	serve_getdata(d, &r);
	assert_int_equal(chain_tip(s.chain)->height, 1);
	remote_close(&r);
	stack_free(&s);
}

static void
test_unsolicited_block_flood(void **state)
{
	struct stack s;
	struct remote r;
	struct peer *p;
	struct conn *c;
	struct msg m;

	(void)state;
	stack_init(&s, NULL, false);
	stack_add_chain(&s);
	remote_open(&r, s.cfg.params);
	mine(r.chain, r.mp, BLOCKRELAY_UNSOLICITED_PER_MINUTE + 2);
	c = peer_up(&s, "10.7.0.1:5000", &p);
	/* Blocks 2.. (not on our tip, never asked for). */
	for (int i = 2; i <= BLOCKRELAY_UNSOLICITED_PER_MINUTE + 1; i++) {
		block_msg(&m, r.chain, i);
		fake_deliver(c, &m);
		msg_free(&m);
	}
	assert_int_equal(score(&s, p), REP_START);
	block_msg(&m, r.chain, BLOCKRELAY_UNSOLICITED_PER_MINUTE + 2);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(score(&s, p), REP_START - 20);
	assert_int_equal(chain_count(s.chain), 1);	/* none of them stored */
	remote_close(&r);
	stack_free(&s);
}

static void
test_stalling_peer_replaced(void **state)
{
	struct stack s;
	struct remote r;
	struct peer *slow, *fast;
	struct conn *cs, *cf;
	struct msg m;

	(void)state;
	stack_init(&s, NULL, false);
	stack_add_chain(&s);
	remote_open(&r, s.cfg.params);
	mine(r.chain, r.mp, 20);
	cs = peer_up(&s, "10.8.0.1:5000", &slow);
	fake_drain(cs, -1);
	headers_msg(&m, r.chain, 1, 20);
	fake_deliver(cs, &m);	/* blocks 1..16 asked of SLOW */
	msg_free(&m);
	cf = peer_up(&s, "10.8.0.2:5000", &fast);
	fake_drain(cf, -1);
	headers_msg(&m, r.chain, 1, 20);
	fake_deliver(cf, &m);	/* 17..20 asked of FAST */
	msg_free(&m);
	serve_getdata(cf, &r);
	assert_int_equal(chain_tip(s.chain)->height, 0);
	assert_true(chain_unlinked_count(s.chain) > 0);
	clock_fake_advance(BLOCKRELAY_STALL_MS + 1000);
	connman_tick(s.cm, clock_wall_ms());
	assert_true(cs->closed);
	/* FAST is asked for what SLOW held, and the chain completes. */
	for (int round = 0; round < 3 && chain_tip(s.chain)->height < 20; round++)
		serve_getdata(cf, &r);
	assert_int_equal(chain_tip(s.chain)->height, 20);
	remote_close(&r);
	stack_free(&s);
}

static void
test_old_version_peer_gets_no_data_messages(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("10.9.0.1:5000");
	struct remote r;
	struct blockrelay_peer_stats st;
	const char *why;
	struct peer *p;
	struct conn *c;
	struct msg m;

	(void)state;
	stack_init(&s, NULL, false);
	stack_add_chain(&s);
	remote_open(&r, s.cfg.params);
	mine(r.chain, r.mp, 2);
	p = connman_accept(s.cm, -1, &a, &why);
	c = fake_last(&s.io);
	fake_version(&m, 0x99, 0, NODE_NETWORK);
	m.u.version.version = PROTO_DATA_VERSION - 100;	/* 70100 */
	fake_deliver(c, &m);
	msg_init(&m, MSG_VERACK);
	fake_deliver(c, &m);
	assert_true(p->active);
	assert_int_equal(sent_of(c, MSG_GETHEADERS, NULL), 0);
	headers_msg(&m, r.chain, 1, 2);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(chain_best_header(s.chain)->height, 0);
	mine(s.chain, s.mp, 1);
	assert_int_equal(sent_of(c, MSG_HEADERS, NULL), 0);	/* no announcement */
	blockrelay_peer_stats(s.br, p, &st);
	assert_false(st.data);
	remote_close(&r);
	stack_free(&s);
}

static void
test_getdata_served_as_buffer_drains(void **state)
{
	struct stack s;
	struct peer *p;
	struct conn *c;
	struct msg_inv inv[3];
	struct msg m;
	struct blockrelay_stats st;

	(void)state;
	stack_init(&s, NULL, false);
	stack_add_chain(&s);
	mine(s.chain, s.mp, 3);
	c = peer_up(&s, "10.10.0.1:5000", &p);
	fake_drain(c, -1);
	for (int i = 0; i < 3; i++) {
		inv[i].type = MSG_INV_BLOCK;
		memcpy(inv[i].hash, chain_at(s.chain, i + 1)->hash, 32);
	}
	c->sendq = 2 * 1024 * 1024;	/* the peer is slow to read */
	msg_init(&m, MSG_GETDATA);
	msg_inv_set(&m, MSG_GETDATA, inv, 3);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(sent_of(c, MSG_BLOCK, NULL), 0);
	fake_drained(c);
	assert_int_equal(sent_of(c, MSG_BLOCK, NULL), 3);
	blockrelay_stats(s.br, &st);
	assert_int_equal(st.blocks_served, 3);
	stack_free(&s);
}

static void
test_inv_of_unknown_block_asks_headers(void **state)
{
	struct stack s;
	struct remote r;
	struct peer *p;
	struct conn *c;
	struct msg_inv v = { .type = MSG_INV_BLOCK };
	struct msg m;

	(void)state;
	stack_init(&s, NULL, false);
	stack_add_chain(&s);
	remote_open(&r, s.cfg.params);
	mine(r.chain, r.mp, 3);
	c = peer_up(&s, "10.11.0.1:5000", &p);
	fake_drain(c, -1);
	memcpy(v.hash, chain_tip(r.chain)->hash, 32);
	msg_init(&m, MSG_INV);
	msg_inv_set(&m, MSG_INV, &v, 1);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(sent_of(c, MSG_GETHEADERS, NULL), 1);
	/* notfound for a block in flight frees it for another peer */
	headers_msg(&m, r.chain, 1, 3);
	fake_deliver(c, &m);
	msg_free(&m);
	{
		struct msg g, nf;
		while (fake_next_sent(c, &g)) {
			if (g.type == MSG_GETDATA) {
				msg_init(&nf, MSG_NOTFOUND);
				msg_inv_set(&nf, MSG_NOTFOUND, g.u.inv.entries, g.u.inv.count);
				fake_deliver(c, &nf);
				msg_free(&nf);
			}
			msg_free(&g);
		}
	}
	{
		struct blockrelay_peer_stats st;
		blockrelay_peer_stats(s.br, p, &st);
		/* Not asked again of a peer that said it lacks them (no
		 * getdata/notfound ping-pong): its best known fell back. */
		assert_int_equal(st.inflight, 0);
		assert_int_equal(st.synced_headers, 0);
	}
	remote_close(&r);
	stack_free(&s);
}

/* --- high-bandwidth peers (sendhb) --------------------------------------------- */

/* Our node with a chain at genesis, and a remote chain BLOCKS long. */
static void
relay_setup(struct stack *s, struct remote *r, int blocks)
{
	stack_init(s, NULL, false);
	stack_add_chain(s);
	remote_open(r, s->cfg.params);
	mine(r->chain, r->mp, blocks);
}

/* The flags of the last sendhb C was sent since the last read; -1: none. */
static int
hb_sent(struct conn *c)
{
	struct msg m;
	int flags = -1;

	while (fake_next_sent(c, &m)) {
		if (m.type == MSG_SENDHB)
			flags = m.u.hbflags;
		msg_free(&m);
	}
	return flags;
}

/* C announces R's block K by headers and serves our getdata for it.
 * Returns the flags of a sendhb we sent C meanwhile (-1: none). */
static int
deliver(struct conn *c, struct remote *r, int k)
{
	struct msg m, g, b;
	int flags = -1;

	fake_drain(c, -1);
	headers_msg(&m, r->chain, k, k);
	fake_deliver(c, &m);
	msg_free(&m);
	while (fake_next_sent(c, &g)) {
		for (size_t i = 0; g.type == MSG_GETDATA && i < g.u.inv.count; i++) {
			block_msg(&b, r->chain, chain_find(r->chain, g.u.inv.entries[i].hash)->height);
			fake_deliver(c, &b);
			msg_free(&b);
		}
		if (g.type == MSG_SENDHB)
			flags = g.u.hbflags;
		msg_free(&g);
	}
	return flags;
}

static bool
hb_to(struct stack *s, struct peer *p)
{
	struct blockrelay_peer_stats st;

	blockrelay_peer_stats(s->br, p, &st);
	return st.hb_to;
}

/* The three peers that most recently brought a new tip first are asked
 * to push; the oldest makes way, but an inbound newcomer never displaces
 * the only outbound one. */
static void
test_hb_peers_chosen_by_first_delivery(void **state)
{
	struct stack s;
	struct remote r;
	struct peer *po, *p1, *p2, *p3;
	struct conn *o, *i1, *i2, *i3;

	(void)state;
	relay_setup(&s, &r, 5);
	o = stack_outbound_active(&s, "10.12.0.1:29001", PEER_FULL, &po);
	i1 = peer_up(&s, "10.12.0.2:5000", &p1);
	i2 = peer_up(&s, "10.12.0.3:5000", &p2);
	i3 = peer_up(&s, "10.12.0.4:5000", &p3);
	assert_int_equal(deliver(o, &r, 1), MSG_HB_PUSH);
	assert_int_equal(deliver(i1, &r, 2), MSG_HB_PUSH);
	assert_int_equal(deliver(i2, &r, 3), MSG_HB_PUSH);
	assert_true(hb_to(&s, po) && hb_to(&s, p1) && hb_to(&s, p2));
	fake_drain(i1, -1);
	/* A fourth: I1 (the oldest after the only outbound peer) is let go. */
	assert_int_equal(deliver(i3, &r, 4), MSG_HB_PUSH);
	assert_int_equal(hb_sent(i1), 0);
	assert_false(hb_to(&s, p1));
	assert_true(hb_to(&s, po) && hb_to(&s, p2) && hb_to(&s, p3));
	/* One of the three again: no message, it just becomes the youngest. */
	assert_int_equal(deliver(o, &r, 5), -1);
	assert_int_equal(hb_sent(i2), -1);
	assert_int_equal(chain_tip(s.chain)->height, 5);
	remote_close(&r);
	stack_free(&s);
}

/* A peer that sent sendhb gets new blocks whole, others get headers;
 * sendhb 0 ends it; blocks over BLOCKRELAY_HB_PUSH_MAX are announced. */
static void
test_hb_push_to_peers_that_asked(void **state)
{
	struct stack s;
	struct remote r;
	struct peer *psrc, *pa, *pb;
	struct conn *src, *a, *b;
	uint8_t big[32];
	char err[256];
	struct msg m;
	int nb, nh;

	(void)state;
	relay_setup(&s, &r, 3);
	assert_int_equal(miner_generate(r.chain, r.mp, 1, BLOCKRELAY_HB_PUSH_MAX + 50000,
	    clock_wall(), &big, err, sizeof(err)), 1);
	src = peer_up(&s, "10.13.0.1:5000", &psrc);
	a = peer_up(&s, "10.13.0.2:5000", &pa);
	b = peer_up(&s, "10.13.0.3:5000", &pb);
	deliver(src, &r, 1);
	msg_sendhb_init(&m, MSG_HB_PUSH);
	fake_deliver(a, &m);
	fake_drain(a, -1);
	fake_drain(b, -1);
	deliver(src, &r, 2);
	sent_bh(a, &nb, &nh);
	assert_int_equal(nb, 1);
	assert_int_equal(nh, 0);
	sent_bh(b, &nb, &nh);
	assert_int_equal(nb, 0);
	assert_int_equal(nh, 1);
	msg_sendhb_init(&m, 0);
	fake_deliver(a, &m);
	deliver(src, &r, 3);
	sent_bh(a, &nb, &nh);
	assert_int_equal(nb, 0);
	assert_int_equal(nh, 1);
	msg_sendhb_init(&m, MSG_HB_PUSH);
	fake_deliver(a, &m);
	deliver(src, &r, 4);	/* over BLOCKRELAY_HB_PUSH_MAX */
	assert_int_equal(chain_tip(s.chain)->height, 4);
	sent_bh(a, &nb, &nh);
	assert_int_equal(nb, 0);
	assert_int_equal(nh, 1);
	remote_close(&r);
	stack_free(&s);
}

/* Our high-bandwidth peers each push the block; the copies after the
 * first cost nothing more and are not held against them as unsolicited. */
static void
test_hb_copies_not_penalised(void **state)
{
	struct stack s;
	struct remote r;
	struct peer *p1, *p2;
	struct conn *c1, *c2;
	struct blockrelay_stats bs;
	int last = BLOCKRELAY_UNSOLICITED_PER_MINUTE + 4;
	struct msg m;

	(void)state;
	relay_setup(&s, &r, last);
	c1 = peer_up(&s, "10.14.0.1:5000", &p1);
	c2 = peer_up(&s, "10.14.0.2:5000", &p2);
	assert_int_equal(deliver(c1, &r, 1), MSG_HB_PUSH);
	assert_int_equal(deliver(c2, &r, 2), MSG_HB_PUSH);
	for (int k = 3; k <= last; k++) {
		block_msg(&m, r.chain, k);
		fake_deliver(c1, &m);	/* the first copy: a new tip, pushed */
		fake_deliver(c2, &m);	/* the second */
		msg_free(&m);
	}
	assert_int_equal(chain_tip(s.chain)->height, last);
	assert_false(c1->closed || c2->closed);
	assert_int_equal(score(&s, p1), REP_START);
	assert_int_equal(score(&s, p2), REP_START);
	blockrelay_stats(s.br, &bs);
	assert_int_equal(bs.blocks_duplicate, (uint64_t)(last - 2));
	remote_close(&r);
	stack_free(&s);
}

/* Regression (bench/propagation.sh): a block its maker pushed to every
 * peer was dropped by peers in initial block download (a regtest network
 * whose genesis is old), and since it counted as announced, they never
 * heard of it again.  A block that extends the tip ends IBD, asked or not. */
static void
test_pushed_block_accepted_in_ibd(void **state)
{
	struct stack s;
	struct remote r;
	struct peer *p;
	struct conn *c;
	struct msg m;

	(void)state;
	relay_setup(&s, &r, 1);
	assert_true(chain_is_ibd(s.chain, clock_wall()));
	c = peer_up(&s, "10.15.0.1:5000", &p);
	block_msg(&m, r.chain, 1);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(chain_tip(s.chain)->height, 1);
	assert_false(chain_is_ibd(s.chain, clock_wall()));
	assert_int_equal(score(&s, p), REP_START);
	remote_close(&r);
	stack_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_first_sync),
		cmocka_unit_test(test_getheaders_getdata_getblocks_answered),
		cmocka_unit_test(test_new_tip_announced_to_every_peer),
		cmocka_unit_test(test_bad_pow_header_bans),
		cmocka_unit_test(test_unconnecting_headers_penalised),
		cmocka_unit_test(test_bad_merkle_block_condemns_copy_not_header),
		cmocka_unit_test(test_unsolicited_block_flood),
		cmocka_unit_test(test_stalling_peer_replaced),
		cmocka_unit_test(test_old_version_peer_gets_no_data_messages),
		cmocka_unit_test(test_getdata_served_as_buffer_drains),
		cmocka_unit_test(test_inv_of_unknown_block_asks_headers),
		cmocka_unit_test(test_hb_peers_chosen_by_first_delivery),
		cmocka_unit_test(test_hb_push_to_peers_that_asked),
		cmocka_unit_test(test_hb_copies_not_penalised),
		cmocka_unit_test(test_pushed_block_accepted_in_ibd),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

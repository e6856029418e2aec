/* test_txrelay.c -- transaction relay on a fake transport and a fake clock: inv, getdata, Poisson announcements, fall-backs. */
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
	log_set_level(LOGL_ERROR);
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

static void
tx_of(uint8_t *tx, size_t len, int seed)
{
	for (size_t i = 0; i < len; i++)
		tx[i] = (uint8_t)(seed * 31 + (int)i);
}

static void
inv_tx(struct conn *c, const uint8_t (*txids)[32], size_t n)
{
	struct msg_inv *v = calloc(n, sizeof(*v));
	struct msg m;

	for (size_t i = 0; i < n; i++) {
		v[i].type = MSG_INV_TX;
		memcpy(v[i].hash, txids[i], 32);
	}
	msg_init(&m, MSG_INV);
	assert_int_equal(msg_inv_set(&m, MSG_INV, v, n), 0);
	fake_deliver(c, &m);
	msg_free(&m);
	free(v);
}

static void
deliver_tx(struct conn *c, const uint8_t *tx, size_t len)
{
	struct msg m;

	msg_init(&m, MSG_TX);
	assert_int_equal(msg_opaque_set(&m, MSG_TX, tx, len), 0);
	fake_deliver(c, &m);
	msg_free(&m);
}

/* Tick the relay every 100 ms for MS milliseconds of fake time. */
static void
run_for(struct stack *s, int64_t ms)
{
	for (int64_t t = 0; t < ms; t += 100) {
		clock_fake_advance(100);
		txrelay_tick(s->tr, clock_mono_ms());
	}
}

static struct stack *
stack_dp(struct stack *s)
{
	stack_init(s, NULL, false);
	stack_add_chain(s);
	return s;
}

static void
test_inv_getdata_tx_then_announced_to_others(void **state)
{
	struct stack s;
	struct peer *a, *b;
	struct conn *ca, *cb;
	uint8_t tx[200], txid[32];
	size_t n;
	struct txrelay_stats st;

	(void)state;
	stack_dp(&s);
	ca = stack_outbound_active(&s, "23.1.0.1:29001", PEER_FULL, &a);
	cb = stack_inbound_active(&s, "10.1.0.2:5000", &b);
	fake_drain(ca, -1);
	fake_drain(cb, -1);
	tx_of(tx, sizeof(tx), 1);
	block_txid(tx, sizeof(tx), txid);
	inv_tx(ca, (const uint8_t (*)[32])txid, 1);
	assert_int_equal(sent_of(ca, MSG_GETDATA, &n), 1);
	assert_int_equal(n, 1);
	deliver_tx(ca, tx, sizeof(tx));
	assert_true(mempool_has(s.mp, txid));
	/* Inbound peers hear on a shared timer of about 5 s: within 60 s. */
	run_for(&s, 60000);
	assert_int_equal(sent_of(cb, MSG_INV, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(sent_of(ca, MSG_INV, NULL), 0);	/* not back to its source */
	txrelay_stats(s.tr, &st);
	assert_int_equal(st.received, 1);
	assert_int_equal(st.announced, 1);
	assert_true(st.announce_bytes > 0);
	/* The peer asks; it gets the transaction. */
	{
		struct msg_inv v = { .type = MSG_INV_TX };
		struct msg m;
		memcpy(v.hash, txid, 32);
		msg_init(&m, MSG_GETDATA);
		msg_inv_set(&m, MSG_GETDATA, &v, 1);
		fake_deliver(cb, &m);
		msg_free(&m);
		assert_int_equal(sent_of(cb, MSG_TX, NULL), 1);
		/* and a notfound for one we do not have */
		memset(v.hash, 0x55, 32);
		msg_init(&m, MSG_GETDATA);
		msg_inv_set(&m, MSG_GETDATA, &v, 1);
		fake_deliver(cb, &m);
		msg_free(&m);
		assert_int_equal(sent_of(cb, MSG_NOTFOUND, NULL), 1);
	}
	stack_free(&s);
}

static void
test_next_announcer_after_timeout_and_notfound(void **state)
{
	struct stack s;
	struct peer *a, *b, *c;
	struct conn *ca, *cb, *cc;
	uint8_t tx[100], txid[32];

	(void)state;
	stack_dp(&s);
	ca = stack_outbound_active(&s, "23.2.0.1:29001", PEER_FULL, &a);
	cb = stack_outbound_active(&s, "23.2.0.2:29001", PEER_FULL, &b);
	cc = stack_outbound_active(&s, "23.2.0.3:29001", PEER_FULL, &c);
	fake_drain(ca, -1);
	fake_drain(cb, -1);
	fake_drain(cc, -1);
	tx_of(tx, sizeof(tx), 2);
	block_txid(tx, sizeof(tx), txid);
	inv_tx(ca, (const uint8_t (*)[32])txid, 1);
	inv_tx(cb, (const uint8_t (*)[32])txid, 1);
	inv_tx(cc, (const uint8_t (*)[32])txid, 1);
	/* One at a time: only A is asked. */
	assert_int_equal(sent_of(ca, MSG_GETDATA, NULL), 1);
	assert_int_equal(sent_of(cb, MSG_GETDATA, NULL), 0);
	/* A stays silent past the timeout: B is asked. */
	run_for(&s, TXRELAY_REQUEST_TIMEOUT_MS + 1000);
	assert_int_equal(sent_of(cb, MSG_GETDATA, NULL), 1);
	assert_int_equal(sent_of(cc, MSG_GETDATA, NULL), 0);
	/* B says notfound: C is asked at once. */
	{
		struct msg_inv v = { .type = MSG_INV_TX };
		struct msg m;
		memcpy(v.hash, txid, 32);
		msg_init(&m, MSG_NOTFOUND);
		msg_inv_set(&m, MSG_NOTFOUND, &v, 1);
		fake_deliver(cb, &m);
		msg_free(&m);
	}
	assert_int_equal(sent_of(cc, MSG_GETDATA, NULL), 1);
	deliver_tx(cc, tx, sizeof(tx));
	assert_true(mempool_has(s.mp, txid));
	stack_free(&s);
}

static void
test_announcements_tracked_per_peer_are_bounded(void **state)
{
	struct stack s;
	struct peer *a;
	struct conn *ca;
	uint8_t (*txids)[32] = calloc(MSG_MAX_INV, 32);
	size_t n;

	(void)state;
	stack_dp(&s);
	ca = stack_outbound_active(&s, "23.3.0.1:29001", PEER_FULL, &a);
	fake_drain(ca, -1);
	for (int i = 0; i < MSG_MAX_INV; i++) {
		memset(txids[i], 0, 32);
		memcpy(txids[i], &i, sizeof(i));
	}
	/* 50,000 announcements: at most 100 asked for, 5,000 tracked; the
	 * node neither crashes nor bans for a legal (if large) inv. */
	inv_tx(ca, (const uint8_t (*)[32])txids, MSG_MAX_INV);
	sent_of(ca, MSG_GETDATA, &n);
	assert_int_equal(n, TXRELAY_MAX_INFLIGHT);
	assert_false(ca->closed);
	free(txids);
	stack_free(&s);
}

static void
test_confirmed_tx_leaves_mempool_and_is_not_fetched_again(void **state)
{
	struct stack s;
	struct peer *a;
	struct conn *ca;
	uint8_t tx[64], txid[32], got[32];
	char err[128];

	(void)state;
	stack_dp(&s);
	ca = stack_outbound_active(&s, "23.4.0.1:29001", PEER_FULL, &a);
	fake_drain(ca, -1);
	tx_of(tx, sizeof(tx), 4);
	assert_int_equal(txrelay_submit(s.tr, tx, sizeof(tx), txid, err, sizeof(err)), 0);
	assert_true(mempool_has(s.mp, txid));
	run_for(&s, 30000);
	assert_int_equal(sent_of(ca, MSG_INV, NULL), 1);	/* announced to the outbound peer */
	mine(s.chain, s.mp, 1);
	assert_false(mempool_has(s.mp, txid));
	/* Announced again by someone: confirmed, so not fetched. */
	inv_tx(ca, (const uint8_t (*)[32])txid, 1);
	assert_int_equal(sent_of(ca, MSG_GETDATA, NULL), 0);
	/* Resubmitting a confirmed transaction is refused. */
	assert_int_equal(txrelay_submit(s.tr, tx, sizeof(tx), got, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already in a block"));
	stack_free(&s);
}

static void
test_submit_checks_size(void **state)
{
	struct stack s;
	uint8_t txid[32], *big = calloc(BLOCK_TX_MAX_SIZE + 1, 1);
	char err[128];

	(void)state;
	stack_dp(&s);
	assert_int_equal(txrelay_submit(s.tr, big, 0, txid, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1 to 100000"));
	assert_int_equal(txrelay_submit(s.tr, big, BLOCK_TX_MAX_SIZE + 1, txid, err,
	    sizeof(err)), -1);
	assert_int_equal(txrelay_submit(s.tr, big, BLOCK_TX_MAX_SIZE, txid, err, sizeof(err)), 0);
	free(big);
	stack_free(&s);
}

static void
test_reorg_returns_transactions_to_mempool(void **state)
{
	struct stack s;
	struct remote r;
	struct peer *a;
	struct conn *ca;
	uint8_t tx[80], txid[32];
	char err[128];
	struct msg m, g, b;

	(void)state;
	stack_dp(&s);
	tx_of(tx, sizeof(tx), 6);
	assert_int_equal(txrelay_submit(s.tr, tx, sizeof(tx), txid, err, sizeof(err)), 0);
	mine(s.chain, s.mp, 1);			/* our block 1 confirms it */
	assert_false(mempool_has(s.mp, txid));
	/* A longer branch without it arrives: the transaction comes back. */
	remote_open(&r, s.cfg.params);
	mine(r.chain, r.mp, 2);
	ca = stack_outbound_active(&s, "23.5.0.1:29001", PEER_FULL, &a);
	fake_drain(ca, -1);
	headers_msg(&m, r.chain, 1, 2);
	fake_deliver(ca, &m);
	msg_free(&m);
	while (fake_next_sent(ca, &g)) {
		for (size_t i = 0; g.type == MSG_GETDATA && i < g.u.inv.count; i++) {
			if (g.u.inv.entries[i].type != MSG_INV_BLOCK)
				continue;
			block_msg(&b, r.chain, chain_find(r.chain, g.u.inv.entries[i].hash)->height);
			fake_deliver(ca, &b);
			msg_free(&b);
		}
		msg_free(&g);
	}
	assert_int_equal(chain_tip(s.chain)->height, 2);
	assert_memory_equal(chain_tip(s.chain)->hash, chain_tip(r.chain)->hash, 32);
	assert_true(mempool_has(s.mp, txid));
	remote_close(&r);
	stack_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inv_getdata_tx_then_announced_to_others),
		cmocka_unit_test(test_next_announcer_after_timeout_and_notfound),
		cmocka_unit_test(test_announcements_tracked_per_peer_are_bounded),
		cmocka_unit_test(test_confirmed_tx_leaves_mempool_and_is_not_fetched_again),
		cmocka_unit_test(test_submit_checks_size),
		cmocka_unit_test(test_reorg_returns_transactions_to_mempool),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

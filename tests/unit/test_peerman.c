/* test_peerman.c -- the message layer on a fake transport and a fake clock: handshake gate, dispatch, pings, bans. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "fake_io.h"
#include "log.h"

#define T0_MS	1700000000000LL

static int
setup(void **state)
{
	(void)state;
	log_set_level(LOGL_ERROR);
	clock_fake_start(T0_MS);
	return hash_init();
}

static int
teardown(void **state)
{
	(void)state;
	clock_fake_stop();
	return 0;
}

/* Read what C sent and check the types, in order. */
static void
expect_sent(struct conn *c, const int *types, size_t n)
{
	struct msg m;

	for (size_t i = 0; i < n; i++) {
		assert_true(fake_next_sent(c, &m));
		assert_int_equal(m.type, types[i]);
		msg_free(&m);
	}
	assert_false(fake_next_sent(c, &m));
}

static int
score_of(struct stack *s, struct peer *p)
{
	struct peerman_view v;

	assert_true(peerman_view(s->pm, p, &v));
	return v.rep->score;
}

/* --- the handshake gate ----------------------------------------------------- */

static void
test_inbound_handshake(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("10.1.0.1:5000");
	const char *why;
	struct peer *p;
	struct conn *c;
	struct msg m;
	static const int ours[] = { MSG_VERSION, MSG_VERACK };

	(void)state;
	stack_init(&s, NULL, false);
	p = connman_accept(s.cm, -1, &a, &why);
	assert_non_null(p);
	c = fake_last(&s.io);
	/* Before the handshake only small frames get through. */
	assert_int_equal(c->max_payload, PEERMAN_PRE_HANDSHAKE_PAYLOAD);
	expect_sent(c, NULL, 0);	/* inbound waits for their version */
	fake_version(&m, 42, 9, NODE_NETWORK | NODE_RELAY);
	fake_deliver(c, &m);
	expect_sent(c, ours, 2);
	assert_false(p->active);
	msg_init(&m, MSG_VERACK);
	fake_deliver(c, &m);
	assert_true(p->active);
	assert_int_equal(p->services, NODE_NETWORK | NODE_RELAY);
	assert_int_equal(c->max_payload, MSG_MAX_PAYLOAD);
	/* A peer's claimed height never moves ours (it once made five nodes
	 * advertise 2147483647). */
	assert_int_equal(peerman_height(s.pm), 0);
	/* The first ping goes out on the next tick. */
	connman_tick(s.cm, clock_wall_ms());
	assert_int_equal(fake_drain(c, MSG_PING), 1);
	assert_int_equal(peerman_stats(s.pm)->msgs_recv[MSG_VERSION], 1);
	assert_int_equal(peerman_stats(s.pm)->msgs_sent[MSG_VERACK], 1);
	stack_free(&s);
}

static void
test_outbound_handshake(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("10.2.0.1:29001");
	const char *why;
	struct peer *p;
	struct conn *c;
	struct msg m;
	static const int version[] = { MSG_VERSION }, verack[] = { MSG_VERACK };

	(void)state;
	stack_init(&s, NULL, false);
	p = connman_connect(s.cm, &a, PEER_FULL, &why);
	assert_non_null(p);
	c = fake_last(&s.io);
	expect_sent(c, NULL, 0);	/* nothing before the TCP connect */
	fake_connected(c);
	expect_sent(c, version, 1);
	fake_version(&m, 43, 3, NODE_NETWORK);
	fake_deliver(c, &m);
	expect_sent(c, verack, 1);
	msg_init(&m, MSG_VERACK);
	fake_deliver(c, &m);
	assert_true(p->active);
	assert_true(connman_ever_connected(s.cm));
	stack_free(&s);
}

static void
test_message_before_handshake_is_penalised(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("10.3.0.1:5000");
	const char *why;
	struct peer *p;
	struct conn *c;
	struct msg m;

	(void)state;
	stack_init(&s, NULL, false);
	p = connman_accept(s.cm, -1, &a, &why);
	c = fake_last(&s.io);
	msg_ping_init(&m, 7);
	fake_deliver(c, &m);
	assert_true(c->closed);
	assert_true(p->gone);
	assert_int_equal(peerman_stats(s.pm)->violations[REP_PRE_HANDSHAKE], 1);
	stack_free(&s);
}

static void
test_oversized_frame_before_handshake_bans(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("10.4.0.1:5000");
	const char *why;
	struct conn *c;
	struct msg m;
	static uint8_t big[PEERMAN_PRE_HANDSHAKE_PAYLOAD * 2];

	(void)state;
	stack_init(&s, NULL, false);
	connman_accept(s.cm, -1, &a, &why);
	c = fake_last(&s.io);
	msg_init(&m, MSG_TX);
	msg_opaque_set(&m, MSG_TX, big, sizeof(big));
	fake_deliver(c, &m);
	msg_free(&m);
	assert_true(c->closed);
	assert_int_equal(peerman_stats(s.pm)->violations[REP_OVERSIZED], 1);
	assert_true(banman_is_banned(s.banman, &a, clock_wall()));
	/* After a handshake the same frame is fine. */
	c = stack_inbound_active(&s, "10.5.0.1:5000", NULL);
	msg_init(&m, MSG_TX);
	msg_opaque_set(&m, MSG_TX, big, sizeof(big));
	fake_deliver(c, &m);
	msg_free(&m);
	assert_false(c->closed);
	stack_free(&s);
}

static void
test_self_connection_detected(void **state)
{
	struct stack s;
	struct netaddr out = addr_of("10.6.0.1:29001"), in = addr_of("10.6.0.2:6000");
	const char *why;
	struct conn *co, *ci;
	struct msg ours, m;

	(void)state;
	stack_init(&s, NULL, false);
	connman_connect(s.cm, &out, PEER_FULL, &why);
	co = fake_last(&s.io);
	fake_connected(co);
	assert_true(fake_next_sent(co, &ours));
	assert_int_equal(ours.type, MSG_VERSION);
	/* Our own version comes back in on an inbound connection. */
	connman_accept(s.cm, -1, &in, &why);
	ci = fake_last(&s.io);
	fake_version(&m, ours.u.version.nonce, 0, NODE_NETWORK);
	fake_deliver(ci, &m);
	assert_true(ci->closed);
	assert_int_equal(peerman_stats(s.pm)->violations[REP_PRE_HANDSHAKE], 0);
	/* ... and that address is never dialled again. */
	assert_null(connman_connect(s.cm, &in, PEER_FULL, &why));
	assert_string_equal(why, "that is our own address");
	msg_free(&ours);
	stack_free(&s);
}

static void
test_old_version_and_duplicate_version(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("10.7.0.1:5000");
	const char *why;
	struct peer *p;
	struct conn *c;
	struct msg m;

	(void)state;
	stack_init(&s, NULL, false);
	connman_accept(s.cm, -1, &a, &why);
	c = fake_last(&s.io);
	fake_version(&m, 44, 0, 0);
	m.u.version.version = PROTO_MIN_VERSION - 1;
	fake_deliver(c, &m);
	assert_true(c->closed);
	assert_int_equal(peerman_stats(s.pm)->violations[REP_PRE_HANDSHAKE], 0);
	/* A second version after the handshake costs 20 points. */
	c = stack_inbound_active(&s, "10.7.0.2:5000", &p);
	fake_version(&m, 45, 0, 0);
	fake_deliver(c, &m);
	assert_false(c->closed);
	assert_int_equal(score_of(&s, p), REP_START - 20);
	stack_free(&s);
}

/* --- dispatch to handlers --------------------------------------------------------- */

struct toy {
	int	news, actives, msgs, ticks, frees;
	void	*last_st;
};

static void *
toy_new(void *ctx, struct peer *p)
{
	struct toy *t = ctx;

	(void)p;
	t->news++;
	return &t->last_st;
}

static void
toy_free(void *ctx, struct peer *p, void *st)
{
	struct toy *t = ctx;

	(void)p;
	assert_ptr_equal(st, &t->last_st);
	t->frees++;
}

static void
toy_active(void *ctx, struct peer *p, void *st)
{
	(void)p;
	(void)st;
	((struct toy *)ctx)->actives++;
}

static void
toy_tick(void *ctx, struct peer *p, void *st, int64_t now_ms)
{
	(void)p;
	(void)st;
	(void)now_ms;
	((struct toy *)ctx)->ticks++;
}

static void
toy_message(void *ctx, struct peer *p, void *st, const struct msg *m)
{
	struct toy *t = ctx;

	(void)p;
	assert_ptr_equal(st, &t->last_st);
	assert_int_equal(m->type, MSG_TX);
	t->msgs++;
}

static void
test_dispatch_to_registered_handler(void **state)
{
	struct stack s;
	struct toy t = { 0 }, u = { 0 };
	struct peer_handler h = {
		.name = "toy", .ctx = &t, .types = UINT64_C(1) << MSG_TX,
		.peer_new = toy_new, .peer_free = toy_free, .peer_active = toy_active,
		.peer_tick = toy_tick, .message = toy_message,
	};
	struct peer *p;
	struct conn *c;
	struct msg m;
	int slot;

	(void)state;
	stack_init(&s, NULL, false);
	slot = peerman_add_handler(s.pm, &h);
	assert_int_equal(slot, 0);
	/* A second handler for the same type sees the message too. */
	h.ctx = &u;
	assert_int_equal(peerman_add_handler(s.pm, &h), 1);
	c = stack_inbound_active(&s, "10.8.0.1:5000", &p);
	assert_int_equal(t.news, 1);
	assert_int_equal(t.actives, 1);
	assert_ptr_equal(peerman_state(s.pm, p, slot), &t.last_st);
	msg_init(&m, MSG_TX);
	msg_opaque_set(&m, MSG_TX, "x", 1);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(t.msgs, 1);
	assert_int_equal(u.msgs, 1);
	/* Types nobody registered are counted and dropped. */
	msg_init(&m, MSG_BLOCK);
	msg_opaque_set(&m, MSG_BLOCK, "y", 1);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(t.msgs, 1);
	assert_int_equal(peerman_stats(s.pm)->msgs_recv[MSG_BLOCK], 1);
	connman_tick(s.cm, clock_wall_ms());
	assert_int_equal(t.ticks, 1);
	/* State outlives the disconnect until the loop reaps the peer. */
	connman_disconnect(s.cm, p, "test", false);
	assert_null(peerman_state(s.pm, p, slot));
	assert_int_equal(t.frees, 0);
	connman_reap(s.cm);
	assert_int_equal(t.frees, 1);
	assert_int_equal(u.frees, 1);
	stack_free(&s);
}

static void
test_handler_table_full(void **state)
{
	struct stack s;
	struct toy t = { 0 };
	struct peer_handler h = { .name = "toy", .ctx = &t };

	(void)state;
	stack_init(&s, NULL, false);
	for (int i = 0; i < PEERMAN_MAX_HANDLERS; i++)
		assert_int_equal(peerman_add_handler(s.pm, &h), i);
	assert_int_equal(peerman_add_handler(s.pm, &h), -1);
	stack_free(&s);
}

/* --- keepalive ---------------------------------------------------------------------- */

static void
test_ping_pong_latency(void **state)
{
	struct stack s;
	struct peer *p;
	struct conn *c;
	struct msg m, pong;
	struct peerman_view v;

	(void)state;
	stack_init(&s, NULL, false);
	c = stack_inbound_active(&s, "10.9.0.1:5000", &p);
	connman_tick(s.cm, clock_wall_ms());
	assert_true(fake_next_sent(c, &m));
	assert_int_equal(m.type, MSG_PING);
	assert_true(peerman_view(s.pm, p, &v));
	assert_int_equal(v.ping_wait_ms, 0);
	clock_fake_advance(25);
	msg_pong_init(&pong, m.u.nonce);
	fake_deliver(c, &pong);
	assert_true(peerman_view(s.pm, p, &v));
	assert_int_equal(v.ping_wait_ms, -1);
	assert_int_equal(quality_latency_count(v.q), 1);
	assert_true(v.q->lat_last > 24.9 && v.q->lat_last < 25.1);
	/* connman got it for eviction */
	assert_true(p->min_ping_ms > 24.9 && p->min_ping_ms < 25.1);
	/* A ping from the peer is answered with its nonce. */
	msg_ping_init(&m, 99);
	fake_deliver(c, &m);
	assert_true(fake_next_sent(c, &pong));
	assert_int_equal(pong.type, MSG_PONG);
	assert_int_equal(pong.u.nonce, 99);
	/* A pong nobody asked for costs 10. */
	msg_pong_init(&pong, 5);
	fake_deliver(c, &pong);
	assert_int_equal(score_of(&s, p), REP_START - 10);
	stack_free(&s);
}

static void
test_ping_timeout_and_inactivity(void **state)
{
	struct stack s;
	struct peer *p, *q;
	struct conn *c, *d;
	struct msg m;

	(void)state;
	stack_init(&s, (const char *const[]){ "node.inactivity_timeout=60",
	    "node.ping_interval=10", NULL }, false);
	c = stack_inbound_active(&s, "10.10.0.1:5000", &p);
	d = stack_inbound_active(&s, "10.10.0.2:5000", &q);
	connman_tick(s.cm, clock_wall_ms());	/* both pinged */
	fake_drain(c, -1);
	assert_true(fake_next_sent(d, &m));
	/* D answers and keeps talking; C stays silent. */
	for (int i = 0; i < 7; i++) {
		struct msg pong;

		clock_fake_advance(10 * 1000);
		if (m.type == MSG_PING) {
			msg_pong_init(&pong, m.u.nonce);
			fake_deliver(d, &pong);
		}
		connman_tick(s.cm, clock_wall_ms());
		while (fake_next_sent(d, &m) && m.type != MSG_PING)
			;
	}
	assert_true(c->closed);
	assert_true(p->gone);
	assert_false(d->closed);
	stack_free(&s);
}

static void
test_handshake_timeout(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("10.11.0.1:5000"), b = addr_of("10.11.0.2:5000");
	const char *why;
	struct conn *silent, *half;
	struct msg m;

	(void)state;
	stack_init(&s, (const char *const[]){ "node.handshake_timeout=30", NULL }, false);
	connman_accept(s.cm, -1, &a, &why);
	silent = fake_last(&s.io);
	connman_accept(s.cm, -1, &b, &why);
	half = fake_last(&s.io);
	fake_version(&m, 46, 0, 0);
	fake_deliver(half, &m);		/* version, but never a verack */
	clock_fake_advance(29 * 1000);
	connman_tick(s.cm, clock_wall_ms());
	assert_false(silent->closed);
	clock_fake_advance(2 * 1000);
	connman_tick(s.cm, clock_wall_ms());
	assert_true(silent->closed);
	assert_true(half->closed);
	/* Only the one that started talking is penalised. */
	assert_int_equal(peerman_stats(s.pm)->violations[REP_HANDSHAKE_TIMEOUT], 1);
	stack_free(&s);
}

/* --- misbehaviour ----------------------------------------------------------------------- */

static void
test_unknown_flood(void **state)
{
	struct stack s;
	struct peer *p;
	struct conn *c;

	(void)state;
	stack_init(&s, NULL, false);
	c = stack_inbound_active(&s, "10.12.0.1:5000", &p);
	for (int i = 0; i < PEERMAN_UNKNOWN_PER_MINUTE; i++)
		c->cb->unknown(c, 200, 10, c->arg);
	assert_int_equal(score_of(&s, p), REP_START);
	c->cb->unknown(c, 200, 10, c->arg);
	assert_int_equal(score_of(&s, p), REP_START - 20);
	/* A new minute, a new allowance. */
	clock_fake_advance(61 * 1000);
	connman_tick(s.cm, clock_wall_ms());
	for (int i = 0; i < PEERMAN_UNKNOWN_PER_MINUTE; i++)
		c->cb->unknown(c, 200, 10, c->arg);
	assert_int_equal(score_of(&s, p), REP_START - 20);
	assert_int_equal(peerman_stats(s.pm)->unknown_recv, 2 * PEERMAN_UNKNOWN_PER_MINUTE + 1);
	stack_free(&s);
}

static void
test_bad_frames_ban_but_not_manual_peers(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("10.13.0.1:5000"), b = addr_of("10.13.0.2:29001");
	struct peer *p, *q;
	struct conn *c, *d;

	(void)state;
	stack_init(&s, NULL, false);
	c = stack_inbound_active(&s, "10.13.0.1:5000", &p);
	c->cb->bad_frame(c, MSG_ERR_TRUNCATED, MSG_ADDR, c->arg);
	assert_int_equal(score_of(&s, p), REP_START - 50);
	assert_false(c->closed);
	c->cb->bad_frame(c, MSG_ERR_BAD_CHECKSUM, MSG_ADDR, c->arg);
	assert_true(c->closed);
	assert_true(banman_is_banned(s.banman, &a, clock_wall()));
	assert_int_equal(peerman_stats(s.pm)->bans, 1);
	/* A manual peer is disconnected but never banned. */
	d = stack_outbound_active(&s, "10.13.0.2:29001", PEER_MANUAL, &q);
	fake_end(d, CONN_END_PROTOCOL, MSG_ERR_BAD_MAGIC);
	assert_true(d->closed);
	assert_false(banman_is_banned(s.banman, &b, clock_wall()));
	assert_int_equal(peerman_stats(s.pm)->violations[REP_BAD_MAGIC], 1);
	/* A banned address cannot come back in. */
	const char *why;
	assert_null(connman_accept(s.cm, -1, &a, &why));
	assert_string_equal(why, "banned");
	stack_free(&s);
}

static void
test_reputation_survives_reconnect(void **state)
{
	struct stack s;
	struct peer *p;
	struct conn *c;

	(void)state;
	stack_init(&s, NULL, false);
	c = stack_inbound_active(&s, "10.14.0.1:5000", &p);
	c->cb->bad_frame(c, MSG_ERR_TRUNCATED, MSG_ADDR, c->arg);
	connman_disconnect(s.cm, p, "test", false);
	connman_reap(s.cm);
	c = stack_inbound_active(&s, "10.14.0.1:5001", &p);
	assert_int_equal(score_of(&s, p), REP_START - 50);
	stack_free(&s);
}

static void
test_send_on_full_buffer_disconnects_safely(void **state)
{
	struct stack s;
	struct peer *p;
	struct conn *c;
	struct msg m;

	(void)state;
	stack_init(&s, NULL, false);
	c = stack_inbound_active(&s, "10.15.0.1:5000", &p);
	c->fail_sends = true;
	msg_ping_init(&m, 1);
	assert_int_equal(peerman_send(s.pm, p, &m), -1);
	assert_true(p->gone);
	/* the peer and its state are still readable until reaped */
	assert_int_equal(peerman_send(s.pm, p, &m), -1);
	connman_reap(s.cm);
	stack_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inbound_handshake),
		cmocka_unit_test(test_outbound_handshake),
		cmocka_unit_test(test_message_before_handshake_is_penalised),
		cmocka_unit_test(test_oversized_frame_before_handshake_bans),
		cmocka_unit_test(test_self_connection_detected),
		cmocka_unit_test(test_old_version_and_duplicate_version),
		cmocka_unit_test(test_dispatch_to_registered_handler),
		cmocka_unit_test(test_handler_table_full),
		cmocka_unit_test(test_ping_pong_latency),
		cmocka_unit_test(test_ping_timeout_and_inactivity),
		cmocka_unit_test(test_handshake_timeout),
		cmocka_unit_test(test_unknown_flood),
		cmocka_unit_test(test_bad_frames_ban_but_not_manual_peers),
		cmocka_unit_test(test_reputation_survives_reconnect),
		cmocka_unit_test(test_send_on_full_buffer_disconnects_safely),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
